/*
 * host-rtapi.c -- `kdaout host`'s Runtime API side: what the runtime is
 * answered.
 *
 *   runtime: next -> RUNNING -> response | error -> DONE
 *
 * `next` long-polls for the invocation in hand and starts its Timeout; a
 * `next` left over from a runtime that is gone gives up.  A response or an
 * error for the invocation at work is its result (a result over the limit is
 * the caller's Function.ResponseSizeTooLarge at once); init/error keeps what
 * the runtime posted for the exit that follows (host-runtime.c).  Only the
 * runtime uses this port (AWS_LAMBDA_RUNTIME_API), a thread per connection.
 */
#include "lambda/host-http.h"

#include "base/clock.h"
#include "base/errors.h"

#include <stdio.h>
#include <string.h>

#define INIT_ERROR_MAX KDO__HOST_INIT_ERROR_MAX

/* Runtime API: next (long poll).  A `next` left over from a runtime that is
 * gone gives up when the next one starts, so it cannot take its work. */
static enum MHD_Result next(struct kdo_host *h, struct MHD_Connection *c)
{
    char deadline[32], arn[300];
    pthread_mutex_lock(&h->mu);
    unsigned gen = h->gen;
    while (h->state != KDO__HOST_QUEUED && !h->stopping && h->gen == gen)
        pthread_cond_wait(&h->cv, &h->mu);
    if (h->stopping || h->gen != gen) {
        pthread_mutex_unlock(&h->mu);
        return MHD_NO;
    }
    h->state = KDO__HOST_RUNNING;
    h->started_ms = kdo_clock_now_ms();
    h->deadline_ms = kdo_clock_epoch_ms() + (int64_t)h->cfg.timeout_s * 1000;
    h->until_ms = kdo_clock_now_ms() + (int64_t)h->cfg.timeout_s * 1000;
    pthread_cond_broadcast(&h->cv); /* the invoker now waits for the Timeout */
    snprintf(deadline, sizeof deadline, "%lld", (long long)h->deadline_ms);
    kdo_invoke_arn(&h->service, h->cfg.function, "", arn, sizeof arn);
    struct MHD_Response *r = MHD_create_response_from_buffer(
        h->event.len, h->event.data ? h->event.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    /* aws-lambda-ric crashes without Content-Type (NOTES.md) */
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "Lambda-Runtime-Aws-Request-Id", h->request_id);
    MHD_add_response_header(r, "Lambda-Runtime-Deadline-Ms", deadline);
    MHD_add_response_header(r, "Lambda-Runtime-Invoked-Function-Arn", arn);
    MHD_add_response_header(r, "Lambda-Runtime-Trace-Id",
                            "Root=1-00000000-000000000000000000000000;Parent=0;Sampled=0");
    pthread_mutex_unlock(&h->mu);
    enum MHD_Result ok = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ok;
}

/* Is `id` the invocation the runtime holds?  Called with the lock held. */
static int running(struct kdo_host *h, const char *id, size_t id_len)
{
    return h->state == KDO__HOST_RUNNING && id_len == 36 && memcmp(id, h->request_id, 36) == 0;
}

/* The request id in .../invocation/ID/response or .../error, or NULL. */
static const char *result_id(const char *url, size_t *len, int *error)
{
    static const char pre[] = "/2018-06-01/runtime/invocation/";
    if (strncmp(url, pre, sizeof pre - 1) != 0)
        return NULL;
    const char *id = url + sizeof pre - 1, *slash = strchr(id, '/');
    if (slash == NULL || (strcmp(slash, "/response") != 0 && strcmp(slash, "/error") != 0))
        return NULL;
    *len = (size_t)(slash - id);
    *error = strcmp(slash, "/error") == 0;
    return id;
}

/* A runtime's result over the limit: the caller gets its function error at
 * once, as Lambda answers (the runtime gets 413). */
void kdo__host_result_too_large(struct kdo_host *h, const char *url)
{
    static const char body[] = "{\"errorMessage\":\"Response payload size exceeded maximum "
                               "allowed payload size (6291556 bytes).\",\"errorType\":"
                               "\"Function.ResponseSizeTooLarge\"}";
    size_t len;
    int error;
    const char *id = result_id(url, &len, &error);
    pthread_mutex_lock(&h->mu);
    if (id && running(h, id, len))
        kdo__host_set_result(h, 1, body, sizeof body - 1);
    pthread_mutex_unlock(&h->mu);
}

/* Runtime API: a result or an error for invocation `id`. */
static enum MHD_Result result(struct kdo_host *h, struct MHD_Connection *c, const char *id,
                              size_t id_len, int error, struct kdo__host_request *rq)
{
    static const char unknown[] = "{\"errorMessage\":\"unknown or finished request id\","
                                  "\"errorType\":\"InvalidRequestID\"}";
    pthread_mutex_lock(&h->mu);
    int mine = running(h, id, id_len);
    if (mine)
        kdo__host_set_result(h, error, rq->body.data ? rq->body.data : "", rq->body.len);
    pthread_mutex_unlock(&h->mu);
    if (!mine)
        return kdo__host_reply(c, 400, unknown, sizeof unknown - 1);
    return kdo__host_reply(c, 202, "{\"status\":\"OK\"}", 15);
}

static enum MHD_Result init_error(struct kdo_host *h, struct MHD_Connection *c,
                                  struct kdo__host_request *rq)
{
    const char *body = rq->body.data ? rq->body.data : "";
    size_t len = rq->body.len < INIT_ERROR_MAX ? rq->body.len : INIT_ERROR_MAX;
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   "Lambda-Runtime-Function-Error-Type");
    char why[200];
    pthread_mutex_lock(&h->mu);
    kdo_buf_reset(&h->init_error);
    if (len == rq->body.len && kdo__host_json_refusal(body, len, why, sizeof why) == NULL &&
        body[strspn(body, " \t\r\n")] == '{' && strstr(body, "\"errorType\"") != NULL) {
        kdo_buf_append(&h->init_error, body, len);
    } else { /* the type only in the header (the Runtime API allows it), or a body not JSON */
        const char *t = type ? type : "Runtime.Unknown";
        kdo_buf_puts(&h->init_error, "{\"errorType\":");
        kdo_buf_json_string(&h->init_error, t, strlen(t));
        kdo_buf_puts(&h->init_error, ",\"errorMessage\":");
        kdo_buf_json_string(&h->init_error, body, len < 4096 ? len : 4096);
        kdo_buf_puts(&h->init_error, "}");
    }
    pthread_mutex_unlock(&h->mu);
    kdo__host_say(h, "the runtime reported an init error: ", rq->body.data ? rq->body.data : "");
    return kdo__host_reply(c, 202, "{\"status\":\"OK\"}", 15);
}

enum MHD_Result kdo__host_route_runtime(struct kdo_host *h, struct MHD_Connection *c,
                                        const char *url, const char *method,
                                        struct kdo__host_request *rq)
{
    int post = strcmp(method, "POST") == 0, error;
    size_t len;
    const char *id;
    if (strcmp(method, "GET") == 0 && strcmp(url, "/2018-06-01/runtime/invocation/next") == 0)
        return next(h, c);
    if (post && strcmp(url, "/2018-06-01/runtime/init/error") == 0)
        return init_error(h, c, rq);
    if (post && (id = result_id(url, &len, &error)) != NULL)
        return result(h, c, id, len, error, rq);
    return kdo__host_reply(c, 404, "{\"errorType\":\"NotFound\"}", 24);
}
