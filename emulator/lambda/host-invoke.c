/*
 * host-invoke.c -- `kdaout host`'s Invoke API side: what callers are
 * answered.
 *
 * What the Invoke API answers is the front's (invoke_api.c): its head and
 * body rules, its errors and replies.  This side feeds it: a RequestResponse
 * invocation waits for its turn and its result (host-queue.c), an Event
 * invocation is queued and answered 202 at once, GetFunctionConfiguration
 * describes the one hosted function.  Runs on the callers' daemon, a thread
 * per connection, so it may block on the host's condition.
 */
#include "lambda/host-http.h"

#include "base/errors.h"
#include "base/json.h"
#include "base/rng.h"
#include "delivery/contract.h"

#include <stdio.h>
#include <string.h>

/* An Event invocation: queued, 202 at once; the function runs afterwards. */
static enum MHD_Result accept_event(struct kdo_host *h, struct MHD_Connection *c,
                                    struct kdo__host_request *rq)
{
    struct kdo_invoke_request *irq = &rq->irq;
    if (kdo__host_queue_event(h, irq->payload, irq->payload_len, rq->a.request_id) != 0)
        kdo_invoke_throttled(&rq->a, "ConcurrentInvocationLimitExceeded");
    else
        kdo_invoke_accepted(irq, &rq->a);
    return kdo__host_send_answer(h, c, &rq->a);
}

/* Is the body one JSON document?  NULL if so, else why not (in why). */
const char *kdo__host_json_refusal(const char *data, size_t len, char *why, size_t n)
{
    /* [choice] Jackson's default nesting limit (StreamReadConstraints, 1000) */
    struct kdo_json *j = kdo_json_new(1000, KDO_MAX_EVENT_BYTES);
    const char *bad = NULL;
    if (j && kdo_json_check(j, data, len) != 0) {
        const struct kdo_json_error *e = kdo_json_error(j);
        snprintf(why, n, "%s at byte %zu", e->msg, e->offset);
        bad = why;
    }
    kdo_json_free(j);
    return bad;
}

/* Invoke: the front's body rules, then Event (queued) or a ticket and its turn. */
static enum MHD_Result invoke(struct kdo_host *h, struct MHD_Connection *c,
                              struct kdo__host_request *rq)
{
    char why[200], timed_out[37] = "";
    const char *data = rq->body.data ? rq->body.data : "";
    size_t len = rq->body.len;
    const char *bad =
        rq->too_big || len == 0 ? NULL : kdo__host_json_refusal(data, len, why, sizeof why);
    if (kdo_invoke_body(&rq->irq, data, len, rq->too_big, bad, &rq->a))
        return kdo__host_send_answer(h, c, &rq->a);
    if (rq->irq.type == KDO_INVOKE_EVENT)
        return accept_event(h, c, rq);
    pthread_mutex_lock(&h->mu);
    int rc =
        kdo__host_take_turn(h, &rq->irq, rq->irq.payload, rq->irq.payload_len, &rq->a, timed_out);
    pthread_mutex_unlock(&h->mu);
    if (timed_out[0])
        kdo__host_say(h, "the Timeout passed, the runtime is stopped; invocation ", timed_out);
    return rc != 0 ? MHD_NO : kdo__host_send_answer(h, c, &rq->a);
}

static enum MHD_Result configuration(struct kdo_host *h, struct MHD_Connection *c,
                                     struct kdo__host_request *rq)
{
    const struct kdo_invoke_function fn = {
        .timeout_s = h->cfg.timeout_s, .memory_mb = h->cfg.memory_mb, .runtime = "provided.al2023",
        .handler = h->cfg.handler ? h->cfg.handler : "", .role_name = "kdaout-hosted",
        .description = "hosted by kdaout host"};
    char rev[37];
    pthread_mutex_lock(&h->mu);
    kdo_rng_uuid4(&h->rng, rev);
    pthread_mutex_unlock(&h->mu);
    kdo_invoke_configuration(&h->service, &rq->irq, &fn, rev, &rq->a);
    return kdo__host_send_answer(h, c, &rq->a);
}

enum MHD_Result kdo__host_route_invoke(struct kdo_host *h, struct MHD_Connection *c,
                                       const char *url, const char *method,
                                       struct kdo__host_request *rq)
{
    if (kdo_invoke_head(&h->service, method, url,
                        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "Qualifier"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Invocation-Type"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Amz-Log-Type"),
                        &rq->irq, &rq->a) != 0)
        return kdo__host_send_answer(h, c, &rq->a);
    if (rq->irq.route == KDO_ROUTE_CONFIGURATION)
        return configuration(h, c, rq);
    return invoke(h, c, rq);
}
