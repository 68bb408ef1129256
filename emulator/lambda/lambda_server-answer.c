/*
 * lambda_server-answer.c -- what the fake-lambda server answers a request.
 *
 * Routing (the /_kdaout paths, else the Invoke API front's decision from the
 * head) and the reply to each route: the Invoke step runs the front's body
 * rules, reads the event once with the event reader, then steps the named
 * function's fake (its fault rules, at the time since the server started)
 * and logs the invocation; GetFunctionConfiguration and the service's own
 * errors.  Runs on MHD's thread only, so it needs no lock, and it touches no
 * HTTP library: the handler (lambda_server.c) reads the head and sends what
 * this sets in the request.
 */
#include "lambda/lambda_server-int.h"

#include "base/buf.h"
#include "base/errors.h"
#include "base/rng.h"
#include "delivery/contract.h"
#include "lambda/event_reader.h"
#include "lambda/invlog.h"
#include "lambda/invoke_api.h"

#include <stdio.h>
#include <string.h>

/* ---- routing ---------------------------------------------------------- */

void kdo__lsrv_route(struct kdo__lsrv_request *r, const char *url, const char *method,
                     const char *qualifier, const char *invocation_type, const char *log_type)
{
    struct kdo_lambda_server *s = r->s;
    int get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0;
    if (strcmp(url, "/_kdaout/invocations") == 0) {
        r->route = get ? KDO__LSRV_LIST : KDO__LSRV_BAD_METHOD;
        return;
    }
    if (strcmp(url, "/_kdaout/reset") == 0) {
        r->route = post ? KDO__LSRV_RESET : KDO__LSRV_BAD_METHOD;
        return;
    }
    if (strcmp(url, "/_kdaout/health") == 0) {
        r->route = get ? KDO__LSRV_HEALTH : KDO__LSRV_BAD_METHOD;
        return;
    }
    if (kdo_invoke_head(&s->service, method, url, qualifier, invocation_type, log_type, &r->rq,
                        &r->a) != 0) {
        r->route = KDO__LSRV_FRONT;
        return;
    }
    r->route = r->rq.route == KDO_ROUTE_INVOKE ? KDO__LSRV_INVOKE : KDO__LSRV_CONFIG;
    r->fn = &s->fns[r->rq.function];
}

/* ---- replies ---------------------------------------------------------------- */

void kdo__lsrv_set_reply(struct kdo__lsrv_request *r, int status, const char *error_type,
                         const char *body, size_t len)
{
    r->a.status = status;
    r->a.error_type = error_type;
    r->out.len = 0;
    kdo__lsrv_blob_append(&r->out, body, len);
    r->reply = r->out.data;
    r->reply_len = len;
    r->answered = 1;
    kdo__lsrv_reserve_reply(r, len);
}

void kdo__lsrv_service_error(struct kdo__lsrv_request *r, int status, const char *type,
                             const char *message)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 16);
    kdo_invoke_error_body(&b, status, type, message);
    kdo__lsrv_set_reply(r, status, type, b.data, b.len);
    kdo_buf_cleanup(&b);
}

/* The front answered from the head or the body: its answer is the reply. */
static void front_answered(struct kdo__lsrv_request *r)
{
    kdo__lsrv_set_reply(r, r->a.status, r->a.error_type, r->a.reply ? r->a.reply : "",
                        r->a.reply_len);
}

static void configuration(struct kdo__lsrv_request *r)
{
    struct kdo_lambda_server *s = r->s;
    const struct kdo_fake_lambda_config *l = &s->cfg.lambda;
    const struct kdo_invoke_function fn = {
        .timeout_s = (unsigned)(l->timeout / KDO_S), .memory_mb = (unsigned)l->memory_mb,
        .runtime = "provided.al2023", .handler = "kdaout.fake", .role_name = "kdaout-fake",
        .description = "kdaout fake Lambda"};
    char rev[37];
    kdo_rng_uuid4(&s->id_rng, rev);
    kdo_invoke_configuration(&s->service, &r->rq, &fn, rev, &r->a);
    front_answered(r);
}

/* A body that is JSON but not a KDA output event: what an output function
 * would do with it (throw). */
static void not_an_event(struct kdo__lsrv_request *r, const char *why)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 16);
    char msg[400];
    snprintf(msg, sizeof msg, "not a KDA output event: %s", why);
    kdo_buf_puts(&b, "{\"errorType\":\"InvalidEvent\",\"errorMessage\":");
    kdo_buf_json_string(&b, msg, strlen(msg));
    kdo_buf_puts(&b, ",\"stackTrace\":[]}");
    kdo_invoke_executed(&r->rq, 1, &r->a);
    kdo__lsrv_set_reply(r, 200, "InvalidEvent", b.data, b.len);
    kdo_buf_cleanup(&b);
}

/* The fake's LogType Tail: no lines of its own, START/END/REPORT around them. */
static void log_tail(struct kdo__lsrv_request *r, const struct kdo_fake_reply *fr)
{
    double ms = fr->latency == KDO_TIME_NEVER ? 0 : (double)fr->latency / KDO_MS;
    kdo_invoke_log_result("", 0, ms, (unsigned)r->s->cfg.lambda.memory_mb, 1, &r->a);
}

/* The front's body rules first (413, not JSON, DryRun, empty = {}), then the
 * fake: the event reader is the JSON scanner, so the body is read once. */
static void invoke(struct kdo__lsrv_request *r)
{
    struct kdo_lambda_server *s = r->s;
    struct kdo_invocation inv;
    struct kdo_fake_reply fr;
    char why[256] = "";
    const char *data = r->body.data ? r->body.data : "";
    size_t len = r->body.len;
    int too_large = r->too_large || len > KDO_MAX_EVENT_BYTES, err = KDO_EPARSE;
    if (!too_large && len > 0)
        err = kdo_event_reader_read(s->reader, data, len, s->decode_rows, &inv, why, sizeof why);
    if (kdo_invoke_body(&r->rq, data, len, too_large, err == KDO_EPARSE ? why : NULL, &r->a))
        return front_answered(r);
    if (len == 0) /* the function gets {} */
        err = kdo_event_reader_read(s->reader, r->rq.payload, r->rq.payload_len, 0, &inv, why,
                                    sizeof why);
    if (err != 0)
        return not_an_event(r, why);
    kdo_time_ns now = r->now - s->t0; /* rule times count from the start */
    inv.number = kdo_fake_lambda_invocations(r->fn->fake) + 1;
    kdo_fake_lambda_invoke(r->fn->fake, now, &inv, &fr);
    memcpy(r->a.request_id, fr.request_id, sizeof r->a.request_id);
    /* status 0: nothing came back (dropped or hung) */
    int status = fr.outcome == KDO_TRANSPORT_DONE || fr.truncate ? fr.status : 0;
    kdo_invlog_add(s->log, now, r->rq.name, r->rq.qualifier, r->a.request_id, &inv, status,
                   fr.function_error, fr.error_type);
    if (r->rq.type == KDO_INVOKE_EVENT) { /* taken: the reply is not the caller's */
        kdo_invoke_accepted(&r->rq, &r->a);
        return front_answered(r);
    }
    if (fr.status == 200)
        kdo_invoke_executed(&r->rq, fr.function_error != NULL, &r->a);
    r->a.retry_after = fr.status == 429;
    if (r->rq.tail && fr.status == 200)
        log_tail(r, &fr);
    kdo__lsrv_set_reply(r, fr.status, fr.error_type, fr.body->data ? fr.body->data : "",
                        fr.body->len);
    r->truncate = fr.truncate;
    r->dribble = fr.dribble;
    r->hang = fr.outcome == KDO_TRANSPORT_TIMEDOUT;
    if (fr.outcome == KDO_TRANSPORT_FAILED && !fr.truncate)
        r->a.status = 0; /* drop the connection */
    kdo_time_ns delay = r->hang ? s->cfg.hang_limit : fr.dribble ? 0 : fr.latency;
    r->ready_at = r->now + delay;
}

/* Past the in-flight budget.  The service answers 429 TooManyRequestsException
 * (Reason ConcurrentInvocationLimitExceeded) when invocations outrun its
 * concurrency, and so does this: a client backs off and retries a 429 (KDA
 * does), where a 503 would read as an outage. */
void kdo__lsrv_too_busy(struct kdo__lsrv_request *r)
{
    kdo_invoke_throttled(&r->a, "ConcurrentInvocationLimitExceeded");
    front_answered(r);
}

void kdo__lsrv_too_large(struct kdo__lsrv_request *r)
{
    kdo_invoke_body(&r->rq, "", 0, 1, NULL, &r->a);
    front_answered(r);
}

void kdo__lsrv_answer(struct kdo__lsrv_request *r)
{
    kdo_rng_uuid4(&r->s->id_rng, r->a.request_id);
    switch (r->route) {
    case KDO__LSRV_INVOKE:
        return invoke(r);
    case KDO__LSRV_CONFIG:
        return configuration(r);
    case KDO__LSRV_FRONT:
        return front_answered(r);
    case KDO__LSRV_LIST:
        return kdo__lsrv_list_invocations(r);
    case KDO__LSRV_RESET:
        return kdo__lsrv_reset_invocations(r);
    case KDO__LSRV_HEALTH:
        return kdo__lsrv_set_reply(r, 200, NULL, "{\"status\":\"ok\"}", 15);
    case KDO__LSRV_BAD_METHOD:
        return kdo__lsrv_service_error(r, 405, "MethodNotAllowedException", "Method not allowed");
    }
}
