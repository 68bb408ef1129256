/*
 * transport_inproc.h -- the in-process transport: the fake function, in virtual time.
 */
#ifndef KDO_TRANSPORT_INPROC_H
#define KDO_TRANSPORT_INPROC_H

#include "delivery/transport.h"

struct kdo_fake_lambda;

/* The in-process transport: hands the invocation to `fake` (borrowed) and
 * makes its reply ready after the fake's latency, in virtual time. */
struct kdo_transport *kdo_transport_inproc_new(struct kdo_fake_lambda *fake);

#endif
