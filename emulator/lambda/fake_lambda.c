/*
 * fake_lambda.c -- the fake function: fault rules in, an Invoke API reply out.
 *
 * The body of a per-record reply is written straight into a buffer, like the
 * event, because the fake sits on the end-to-end hot path.
 */
#include "lambda/fake_lambda.h"

#include "base/errors.h"
#include "delivery/contract.h"
#include "lambda/invoke_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdo_fake_lambda {
    struct kdo_fake_lambda_config cfg;
    struct kdo_fault_rule *rules;
    size_t nrules;
    struct kdo_rng *rng;
    uint64_t invocations;
    struct kdo_buf body;
    int *record_rule;
    size_t record_rule_cap;
};

void kdo_fake_lambda_config_default(struct kdo_fake_lambda_config *c)
{
    c->timeout = KDO_FUNCTION_TIMEOUT_DEFAULT_S * KDO_S;
    c->latency = 20 * KDO_MS;
    c->latency_per_record = 0;
    c->memory_mb = 128;
}

struct kdo_fake_lambda *kdo_fake_lambda_new(const struct kdo_fake_lambda_config *cfg,
                                            struct kdo_fault_rule *rules, size_t n,
                                            struct kdo_rng *rng)
{
    struct kdo_fake_lambda *f = kdo_xcalloc(1, sizeof *f);
    f->cfg = *cfg;
    f->rules = rules;
    f->nrules = n;
    f->rng = rng;
    /* A reply bigger than the response limit is itself a fault to report,
     * so the buffer may hold a little more than the limit. */
    kdo_buf_init(&f->body, KDO_MAX_REPLY_BYTES * 2);
    return f;
}

void kdo_fake_lambda_free(struct kdo_fake_lambda *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->nrules; i++)
        kdo_fault_rule_cleanup(&f->rules[i]);
    free(f->rules);
    kdo_buf_cleanup(&f->body);
    free(f->record_rule);
    free(f);
}

uint64_t kdo_fake_lambda_invocations(const struct kdo_fake_lambda *f)
{
    return f->invocations;
}

const struct kdo_fault_rule *kdo_fake_lambda_rules(const struct kdo_fake_lambda *f, size_t *n)
{
    *n = f->nrules;
    return f->rules;
}

static void reply_init(struct kdo_fake_lambda *f, struct kdo_fake_reply *out)
{
    out->outcome = KDO_TRANSPORT_DONE;
    out->status = 200;
    out->function_error = NULL;
    out->error_type = NULL;
    out->rule = -1;
    out->truncate = 0;
    out->dribble = 0;
    out->body = &f->body;
    out->record_rule = NULL;
    kdo_buf_reset(&f->body);
    kdo_rng_uuid4(f->rng, out->request_id);
}

static void service_error(struct kdo_fake_lambda *f, struct kdo_fake_reply *out, int status,
                          const char *type, const char *message)
{
    out->status = status;
    out->error_type = type;
    kdo_invoke_error_body(&f->body, status, type, message);
}

static void function_error(struct kdo_fake_lambda *f, struct kdo_fake_reply *out, const char *type,
                           const char *message)
{
    out->function_error = "Unhandled";
    out->error_type = type;
    kdo_buf_puts(&f->body, "{\"errorType\":");
    kdo_buf_json_string(&f->body, type, strlen(type));
    kdo_buf_puts(&f->body, ",\"errorMessage\":");
    kdo_buf_json_string(&f->body, message, strlen(message));
    kdo_buf_puts(&f->body, ",\"stackTrace\":[]}");
}

static void timed_out(struct kdo_fake_lambda *f, struct kdo_fake_reply *out)
{
    char msg[128];
    long long cs = (long long)(f->cfg.timeout / (10 * KDO_MS)); /* hundredths of a second */
    kdo_buf_reset(&f->body);
    out->outcome = KDO_TRANSPORT_DONE;
    out->status = 200;
    snprintf(msg, sizeof msg, "RequestId: %s Error: Task timed out after %lld.%02lld seconds",
             out->request_id, cs / 100, cs % 100);
    function_error(f, out, "Sandbox.Timedout", msg);
    out->latency = f->cfg.timeout;
}

/* Replies that replace the whole body. */
static void whole_reply(struct kdo_fake_lambda *f, const struct kdo_fault_rule *r,
                        struct kdo_fake_reply *out)
{
    switch (r->action) {
    case KDO_FAULT_TIMEOUT:
        timed_out(f, out);
        break;
    case KDO_FAULT_FUNCTION_ERROR:
        function_error(f, out, "Error", r->value ? r->value : "poison pill: unhandled error");
        break;
    case KDO_FAULT_THROTTLE:
        out->status = 429;
        out->error_type = "TooManyRequestsException";
        kdo_invoke_throttle_body(&f->body, "ReservedFunctionConcurrentInvocationLimitExceeded");
        break;
    case KDO_FAULT_SERVICE_ERROR:
        service_error(f, out, 500, "ServiceException", "An internal error occurred.");
        break;
    case KDO_FAULT_MALFORMED_BODY:
        kdo_buf_puts(&f->body, r->value ? r->value : "{\"records\": [ this is not JSON");
        break;
    case KDO_FAULT_NO_RECORDS:
        kdo_buf_puts(&f->body, "{\"result\":\"Ok\"}");
        break;
    case KDO_FAULT_DROP_CONNECTION:
        out->outcome = KDO_TRANSPORT_FAILED;
        break;
    case KDO_FAULT_TRUNCATE_BODY:
    case KDO_FAULT_DRIBBLE:
        break; /* the records reply, delivered badly: see below */
    case KDO_FAULT_HANG:
        out->outcome = KDO_TRANSPORT_TIMEDOUT;
        out->latency = KDO_TIME_NEVER;
        break;
    default:
        break;
    }
}

/* {"recordId":"<id>","result":"Ok"} for an id that needs no escaping: the
 * common case, written with one reservation. */
static int plain_ok_entry(struct kdo_buf *b, int *first, const char *id, size_t id_len)
{
    static const char head[] = ",{\"recordId\":\"", tail[] = "\",\"result\":\"Ok\"}";
    for (size_t i = 0; i < id_len; i++)
        if ((unsigned char)id[i] < 0x20 || id[i] == '"' || id[i] == '\\')
            return -1;
    size_t h = sizeof head - 1 - (size_t)*first, t = sizeof tail - 1;
    if (kdo_buf_reserve(b, h + id_len + t) != 0)
        return -1;
    char *o = b->data + b->len;
    memcpy(o, head + *first, h);
    memcpy(o + h, id, id_len);
    memcpy(o + h + id_len, tail, t);
    b->len += h + id_len + t;
    b->data[b->len] = '\0';
    *first = 0;
    return 0;
}

static void entry(struct kdo_buf *b, int *first, const char *id, size_t id_len, const char *result)
{
    kdo_buf_puts(b, *first ? "{" : ",{");
    *first = 0;
    if (id) {
        kdo_buf_puts(b, "\"recordId\":");
        kdo_buf_json_string(b, id, id_len);
    }
    if (result) {
        kdo_buf_puts(b, id ? ",\"result\":" : "\"result\":");
        kdo_buf_json_string(b, result, strlen(result));
    }
    kdo_buf_puts(b, "}");
}

static void record_entry(struct kdo_buf *b, int *first, const struct kdo_str *id,
                         const struct kdo_fault_rule *r)
{
    enum kdo_fault_action a = r ? r->action : KDO_FAULT_OK;
    char wrong[300];
    switch (a) {
    case KDO_FAULT_OMIT:
        break;
    case KDO_FAULT_DELIVERY_FAILED:
        entry(b, first, id->p, id->n, KDO_RESULT_DELIVERY_FAILED);
        break;
    case KDO_FAULT_WRONG_ID:
        snprintf(wrong, sizeof wrong, "wrong-%.*s", (int)(id->n < 256 ? id->n : 256), id->p);
        entry(b, first, wrong, strlen(wrong), KDO_RESULT_OK);
        break;
    case KDO_FAULT_MISSING_ID:
        entry(b, first, NULL, 0, KDO_RESULT_OK);
        break;
    case KDO_FAULT_MISSING_RESULT:
        entry(b, first, id->p, id->n, NULL);
        break;
    case KDO_FAULT_BAD_RESULT:
        entry(b, first, id->p, id->n, r->value ? r->value : "OK");
        break;
    case KDO_FAULT_DUPLICATE_ID:
        entry(b, first, id->p, id->n, KDO_RESULT_OK);
        entry(b, first, id->p, id->n, KDO_RESULT_OK);
        break;
    default:
        if (plain_ok_entry(b, first, id->p, id->n) != 0)
            entry(b, first, id->p, id->n, KDO_RESULT_OK);
    }
}

static void records_reply(struct kdo_fake_lambda *f, const struct kdo_invocation *inv,
                          const int *record_rule)
{
    int first = 1;
    kdo_buf_puts(&f->body, "{\"records\":[");
    for (size_t i = 0; i < inv->n; i++) {
        const struct kdo_fault_rule *r = record_rule[i] >= 0 ? &f->rules[record_rule[i]] : NULL;
        record_entry(&f->body, &first, &inv->ids[i], r);
    }
    kdo_buf_puts(&f->body, "]}");
}

static void grow_record_rules(struct kdo_fake_lambda *f, size_t n)
{
    if (n <= f->record_rule_cap)
        return;
    f->record_rule = kdo_xrealloc(f->record_rule, n * sizeof *f->record_rule);
    f->record_rule_cap = n;
}

void kdo_fake_lambda_invoke(struct kdo_fake_lambda *f, kdo_time_ns now,
                            const struct kdo_invocation *inv, struct kdo_fake_reply *out)
{
    f->invocations++;
    reply_init(f, out);
    out->latency = f->cfg.latency;
    if (inv->event_len > KDO_MAX_EVENT_BYTES) {
        service_error(f, out, 413, "RequestEntityTooLargeException", KDO_INVOKE_TOO_LARGE);
        return;
    }
    grow_record_rules(f, inv->n);
    struct kdo_fault_verdict v = {.record_rule = f->record_rule};
    kdo_faults_eval(f->rules, f->nrules, now, inv, f->rng, &v);
    out->latency += v.latency + f->cfg.latency_per_record * (kdo_time_ns)inv->n;
    out->rule = v.whole_rule;
    out->record_rule = v.whole_rule >= 0 ? NULL : f->record_rule;
    enum kdo_fault_action a = v.whole_rule >= 0 ? f->rules[v.whole_rule].action : KDO_FAULT_OK;
    if (a == KDO_FAULT_TRUNCATE_BODY || a == KDO_FAULT_DRIBBLE) {
        for (size_t i = 0; i < inv->n; i++)
            f->record_rule[i] = -1;
        records_reply(f, inv, f->record_rule);
        if (a == KDO_FAULT_TRUNCATE_BODY) {
            out->truncate = 1;
            out->outcome = KDO_TRANSPORT_FAILED;
        } else {
            out->dribble = KDO_FAKE_DRIBBLE_INTERVAL;
            out->latency += (kdo_time_ns)((f->body.len + KDO_FAKE_DRIBBLE_PIECE - 1) /
                                          KDO_FAKE_DRIBBLE_PIECE) * KDO_FAKE_DRIBBLE_INTERVAL;
        }
    } else if (v.whole_rule >= 0) {
        whole_reply(f, &f->rules[v.whole_rule], out);
    } else {
        records_reply(f, inv, f->record_rule);
    }
    if (out->latency != KDO_TIME_NEVER && out->latency > f->cfg.timeout && out->dribble == 0)
        timed_out(f, out);
    else if (out->outcome == KDO_TRANSPORT_DONE && f->body.len > KDO_MAX_REPLY_BYTES) {
        kdo_buf_reset(&f->body);
        function_error(f, out, "Function.ResponseSizeTooLarge",
                       "Response payload size exceeded maximum allowed payload size (6291556 bytes).");
    }
}
