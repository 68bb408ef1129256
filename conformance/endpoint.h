/*
 * endpoint.h -- the Lambda end a scenario delivers to, set up and torn down.
 *
 * In process (nothing to open), the fake behind a real HTTP server on an
 * ephemeral loopback port, or any Invoke API endpoint.  For the HTTP ends it
 * reads the function's Timeout with GetFunctionConfiguration first, as KDA
 * does, and derives the invocation timeout from it (Timeout + 5 s) unless the
 * scenario set one.
 */
#ifndef KDO_ENDPOINT_H
#define KDO_ENDPOINT_H

#include "delivery/transport.h"
#include "scenario.h"

#include <stdio.h>

struct kdo_endpoint;

/* Opens the end of scenario s (adjusting s->sim.delivery.invoke_timeout).
 * Returns 0 and a new endpoint, or KDO_EIO/KDO_EINVAL with a sentence in err
 * (never containing credentials).  Notes for the user go to `notes`. */
int kdo_endpoint_open(struct kdo_scenario *s, FILE *notes, struct kdo_endpoint **out, char *err,
                      size_t err_size);
/* The transport to give the driver; NULL for the in-process fake. */
struct kdo_transport *kdo_endpoint_transport(const struct kdo_endpoint *e);
/* 1 if the end could not be reached when it was opened (GetFunctionConfiguration
 * failed): failed checks then cannot be blamed on the function. */
int kdo_endpoint_unreachable(const struct kdo_endpoint *e);
/* GetFunctionConfiguration's HTTP status when it refused (401, 403) or knew
 * no such function (404), else 0; its x-amzn-ErrorType (or "") goes to
 * *error_type (borrowed from e). */
int kdo_endpoint_config_refused(const struct kdo_endpoint *e, const char **error_type);
/* "in-process", or the URL invoked, without its user:password@. */
const char *kdo_endpoint_describe(const struct kdo_endpoint *e);
void kdo_endpoint_close(struct kdo_endpoint *e);

#endif
