/*
 * host-http.h -- what the HTTP parts of `kdaout host` (host.c, host-invoke.c,
 * host-rtapi.c) share: replies through libmicrohttpd and the two routers.
 * Kept apart from host-int.h so the queue and the runtime parts never see
 * libmicrohttpd.
 */
#ifndef KDO_HOST_HTTP_H
#define KDO_HOST_HTTP_H

#include "lambda/host-int.h"

#include <microhttpd.h>

/* A JSON reply with a copy of body. */
enum MHD_Result kdo__host_reply(struct MHD_Connection *c, unsigned status, const char *body,
                                size_t len);
/* The Invoke API front's answer; it lives in the request until the reply is sent. */
enum MHD_Result kdo__host_send_answer(struct kdo_host *h, struct MHD_Connection *c,
                                      struct kdo_invoke_answer *a);
/* The Invoke API (host-invoke.c): Invoke and GetFunctionConfiguration. */
enum MHD_Result kdo__host_route_invoke(struct kdo_host *h, struct MHD_Connection *c,
                                       const char *url, const char *method,
                                       struct kdo__host_request *rq);
/* The Runtime API (host-rtapi.c): next, response, error, init/error. */
enum MHD_Result kdo__host_route_runtime(struct kdo_host *h, struct MHD_Connection *c,
                                        const char *url, const char *method,
                                        struct kdo__host_request *rq);
/* A runtime's result over the limit for the invocation named in url: the
 * caller gets its function error at once. */
void kdo__host_result_too_large(struct kdo_host *h, const char *url);

#endif
