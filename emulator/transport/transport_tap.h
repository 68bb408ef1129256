/*
 * transport_tap.h -- a transport that tells a function of every invocation, then hands it on.
 */
#ifndef KDO_TRANSPORT_TAP_H
#define KDO_TRANSPORT_TAP_H

#include "delivery/transport.h"

/* Told every invocation a tap sends, before it goes. */
typedef void (*kdo_transport_tap_fn)(void *ctx, kdo_time_ns now, const struct kdo_invocation *inv);
/* A transport that calls fn(ctx, ...) with every invocation, then hands it
 * to `inner` (borrowed: it must outlive the tap, and is not freed with it). */
struct kdo_transport *kdo_transport_tap_new(struct kdo_transport *inner, kdo_transport_tap_fn fn,
                                            void *ctx);

#endif
