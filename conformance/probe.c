/*
 * probe.c -- the probes' events and their verdicts.
 *
 * Record ids look like KDA's (56 digits: 36 random per session, 20 counting),
 * rows like the console's demo ticker stream unless the probe is about odd
 * rows.  Each probe's rows and ids are built once; a resend reuses them with
 * a new invocationId and a higher retryHint, as KDA does.
 */
#include "probe.h"

#include "base/errors.h"
#include "delivery/contract.h"
#include "delivery/event.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct kdo_probe_def kdo_probes[] = {
    {"one-row", "one row",
     "the smallest batch KDA sends: even a single record must come back with its recordId"},
    {"batch-100", "a batch of 100 rows",
     "KDA sends about a second of output per invocation: every recordId must come back exactly "
     "once, with Ok or DeliveryFailed"},
    {"full-event", "a batch at the 6,291,456-byte limit",
     "after a backlog KDA fills each invocation up to Lambda's 6 MB payload limit: about 24,000 "
     "records, all to be answered within the function's Timeout"},
    {"binary-rows", "rows that are not UTF-8",
     "data is the base64 of whatever the application wrote; decoding it as text must not throw"},
    {"empty-rows", "empty rows", "a row can be zero bytes long; its recordId must still come back"},
    {"row-512kb", "a 512 KB row",
     "KDA's largest in-application row must be handled within the function's memory and time"},
    {"poison-pill", "rows that are not valid JSON",
     "a row that makes the function throw fails the whole invocation, which KDA retries forever "
     "while the pipeline backs up behind it: answer DeliveryFailed (or Ok) for such rows instead"},
    {"redelivery", "the same records again, with retryHint 1 and 7",
     "KDA resends failed records with the same recordId and a higher retryHint; they must be "
     "answered like new ones"},
    {"retry-hint", "failing rows at retryHint 0 and again at 1,000",
     "KDA retries a DeliveryFailed record forever: a function that never gives up on a row (or "
     "cannot see retryHint, like one built on Go's event type) stalls the pipeline for good"},
};
const size_t kdo_probes_count = sizeof kdo_probes / sizeof kdo_probes[0];

enum { ONE_ROW, BATCH_100, FULL_EVENT, BINARY, EMPTY, ROW_512KB, POISON, REDELIVERY, RETRY_HINT };

/* Retry hints of each send, per probe; -1 ends the list. */
static const int64_t hints_of[][4] = {
    [ONE_ROW] = {0, -1},    [BATCH_100] = {0, -1},  [FULL_EVENT] = {0, -1},
    [BINARY] = {0, -1},     [EMPTY] = {0, -1},      [ROW_512KB] = {0, -1},
    [POISON] = {0, -1},     [REDELIVERY] = {0, 1, 7, -1}, [RETRY_HINT] = {0, 1000, -1},
};

struct kdo_probe_run {
    size_t index;
    struct kdo_rng *rng;
    /* The rows and their ids, back to back in `bytes`. */
    struct kdo_buf bytes;
    size_t *id_off, *data_off, *data_len, n, cap;
    uint8_t *wellformed; /* a JSON ticker row, which a working function delivers */
    /* The invocation being sent. */
    size_t send;
    char invocation_id[37];
    struct kdo_buf event;
    struct kdo_str *ids, *data;
    uint64_t *hints;
    struct kdo_invocation inv;
    /* What came back. */
    struct kdo_reply *judge;
    uint8_t *verdicts, *first_verdicts; /* this send's; the first send's */
    int failed, transport_failed, timed_out;
    size_t stuck; /* records answered DeliveryFailed at retryHint 0 and at 1,000 */
    size_t sends_done, ok, delivery_failed;
    size_t wf_seen, wf_ok; /* well-formed rows judged by the contract, and answered Ok */
    double slowest_ms;
    char got[700], summary[300];
    char *scratch; /* one row being made */
};

static const char *const tickers[][2] = {
    {"AMZN", "TECHNOLOGY"}, {"MSFT", "TECHNOLOGY"}, {"JPM", "FINANCIAL"},
    {"XOM", "ENERGY"},      {"PFE", "HEALTHCARE"},  {"KO", "RETAIL"},
};

static void add_row(struct kdo_probe_run *p, const char *data, size_t len, int wellformed)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->wellformed = kdo_xrealloc(p->wellformed, p->cap);
        p->id_off = kdo_xrealloc(p->id_off, p->cap * sizeof *p->id_off);
        p->data_off = kdo_xrealloc(p->data_off, p->cap * sizeof *p->data_off);
        p->data_len = kdo_xrealloc(p->data_len, p->cap * sizeof *p->data_len);
    }
    static uint64_t counter; /* ids never repeat within a process */
    char id[64];
    uint64_t seq = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    snprintf(id, sizeof id, "%018llu%018llu%020llu",
             (unsigned long long)(kdo_rng_next(p->rng) % 1000000000000000000ULL),
             (unsigned long long)(kdo_rng_next(p->rng) % 1000000000000000000ULL),
             (unsigned long long)seq);
    p->id_off[p->n] = p->bytes.len;
    kdo_buf_append(&p->bytes, id, 57); /* with its NUL */
    p->data_off[p->n] = p->bytes.len;
    p->data_len[p->n] = len;
    p->wellformed[p->n] = (uint8_t)wellformed;
    kdo_buf_append(&p->bytes, data, len);
    p->n++;
}

/* A demo ticker row, padded with a PAD column to `size` bytes if larger. */
static void ticker(struct kdo_probe_run *p, size_t size)
{
    char *row = p->scratch;
    const size_t cap = KDO_MAX_ROW_BYTES + 1;
    size_t t = kdo_rng_below(p->rng, sizeof tickers / sizeof tickers[0]);
    long price = 1000 + (long)kdo_rng_below(p->rng, 99000);
    int n = snprintf(row, cap, "{\"TICKER_SYMBOL\":\"%s\",\"SECTOR\":\"%s\",\"CHANGE\":%s0.%02ld,"
                     "\"PRICE\":%ld.%02ld", tickers[t][0], tickers[t][1],
                     kdo_rng_below(p->rng, 2) ? "-" : "", (long)kdo_rng_below(p->rng, 100),
                     price / 100, price % 100);
    size_t len = (size_t)n;
    if (size > len + 11 && size <= KDO_MAX_ROW_BYTES) { /* ,"PAD":"..."} */
        memcpy(row + len, ",\"PAD\":\"", 8);
        memset(row + len + 8, 'x', size - len - 10);
        len = size - 2;
        memcpy(row + len, "\"", 1);
        len++;
    }
    row[len++] = '}';
    add_row(p, row, len, 1);
}

static void build_rows(struct kdo_probe_run *p)
{
    static const char *const poison[] = {
        "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":", "not json at all", "{\"PRICE\":NaN}",
        "{'TICKER_SYMBOL':'AMZN'}", "{\"TICKER_SYMBOL\":\"AMZN\",}",
    };
    switch (p->index) {
    case ONE_ROW:
        ticker(p, 0);
        break;
    case BATCH_100:
    case REDELIVERY:
        for (int i = 0; i < (p->index == BATCH_100 ? 100 : 20); i++)
            ticker(p, 0);
        break;
    case FULL_EVENT: /* 100-byte rows, as many as the limit takes (see make_event) */
        for (size_t i = 0; i < KDO_MAX_EVENT_BYTES / 200 + 64; i++)
            ticker(p, 100);
        break;
    case BINARY:
        for (int i = 0; i < 20; i++) {
            unsigned char b[64];
            size_t len = 2 + kdo_rng_below(p->rng, 60);
            for (size_t k = 0; k < len; k++)
                b[k] = (unsigned char)kdo_rng_below(p->rng, 256);
            b[0] = 0xFF; /* never UTF-8 */
            b[1] = 0;    /* and a NUL */
            add_row(p, (const char *)b, len, 0);
        }
        ticker(p, 0);
        break;
    case EMPTY:
        for (int i = 0; i < 5; i++)
            add_row(p, "", 0, 0);
        ticker(p, 0);
        break;
    case ROW_512KB:
        ticker(p, KDO_MAX_ROW_BYTES);
        ticker(p, 0);
        break;
    case POISON:
        for (size_t i = 0; i < sizeof poison / sizeof poison[0]; i++) {
            ticker(p, 0);
            add_row(p, poison[i], strlen(poison[i]), 0);
        }
        break;
    default: /* RETRY_HINT */
        for (int i = 0; i < 3; i++) {
            ticker(p, 0);
            add_row(p, poison[i], strlen(poison[i]), 0);
        }
        break;
    }
}

struct kdo_probe_run *kdo_probe_run_new(size_t index, struct kdo_rng *rng)
{
    struct kdo_probe_run *p = kdo_xcalloc(1, sizeof *p);
    p->index = index < kdo_probes_count ? index : 0;
    p->rng = rng;
    kdo_buf_init(&p->bytes, (size_t)64 << 20);
    kdo_buf_init(&p->event, KDO_MAX_EVENT_BYTES);
    p->scratch = kdo_xmalloc(KDO_MAX_ROW_BYTES + 1);
    build_rows(p);
    free(p->scratch);
    p->scratch = NULL;
    p->ids = kdo_xcalloc(p->n, sizeof *p->ids);
    p->data = kdo_xcalloc(p->n, sizeof *p->data);
    p->hints = kdo_xcalloc(p->n, sizeof *p->hints);
    p->verdicts = kdo_xcalloc(p->n, 1);
    p->first_verdicts = kdo_xcalloc(p->n, 1);
    p->judge = kdo_reply_new();
    return p;
}

void kdo_probe_run_free(struct kdo_probe_run *p)
{
    if (p == NULL)
        return;
    kdo_buf_cleanup(&p->bytes);
    kdo_buf_cleanup(&p->event);
    free(p->id_off);
    free(p->data_off);
    free(p->data_len);
    free(p->wellformed);
    free(p->ids);
    free(p->data);
    free(p->hints);
    free(p->verdicts);
    free(p->first_verdicts);
    kdo_reply_free(p->judge);
    free(p);
}

/* The event of send p->send: as many rows as fit under the limit. */
static void make_event(struct kdo_probe_run *p, uint64_t hint)
{
    struct kdo_event ev;
    size_t n = 0;
    kdo_rng_uuid4(p->rng, p->invocation_id);
    kdo_event_begin(&ev, &p->event, KDO_MAX_EVENT_BYTES, p->invocation_id,
                    "arn:aws:kinesisanalytics:us-east-1:123456789012:application/kdaout-conform");
    for (size_t i = 0; i < p->n; i++) {
        const char *id = p->bytes.data + p->id_off[i], *d = p->bytes.data + p->data_off[i];
        if (kdo_event_add(&ev, id, 56, hint, d, p->data_len[i]) != 0)
            break;
        p->ids[i] = (struct kdo_str){id, 56};
        p->data[i] = (struct kdo_str){d, p->data_len[i]};
        p->hints[i] = hint;
        n++;
    }
    size_t len = kdo_event_end(&ev);
    p->n = n; /* rows past the limit are not this probe's */
    p->inv = (struct kdo_invocation){.number = p->send + 1, .invocation_id = p->invocation_id,
                                     .event = p->event.data, .event_len = len, .n = n,
                                     .ids = p->ids, .hints = p->hints, .data = p->data};
}

const struct kdo_invocation *kdo_probe_next(struct kdo_probe_run *p)
{
    int64_t hint = hints_of[p->index][p->send];
    if (p->failed || hint < 0)
        return NULL;
    make_event(p, (uint64_t)hint);
    return &p->inv;
}

/* The first ~300 bytes of a body, for a human. */
static void excerpt(char *out, size_t size, const char *body, size_t len)
{
    size_t n = len < 300 ? len : 300;
    snprintf(out, size, "%.*s%s", (int)n, body ? body : "", len > n ? " ..." : "");
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
}

static void describe_failure(struct kdo_probe_run *p, const struct kdo_reply_in *in,
                             const struct kdo_reply_summary *sum)
{
    char body[340];
    excerpt(body, sizeof body, in->body, in->body_len);
    if (in->outcome == KDO_TRANSPORT_TIMEDOUT) {
        snprintf(p->got, sizeof p->got, "no reply within the invocation timeout (the function's "
                 "Timeout + 5 s)");
    } else if (in->outcome == KDO_TRANSPORT_FAILED && in->body_len > KDO_MAX_REPLY_BYTES) {
        snprintf(p->got, sizeof p->got, "reply too large: more than %zu bytes came back, the "
                 "most Lambda returns (it answers a larger response with "
                 "Function.ResponseSizeTooLarge); the rest was not read; it began: %s",
                 KDO_MAX_REPLY_BYTES, body);
    } else if (in->outcome != KDO_TRANSPORT_DONE) {
        snprintf(p->got, sizeof p->got, "no reply: the connection failed or was cut");
    } else if (in->status != 200 || in->function_error) {
        snprintf(p->got, sizeof p->got, "HTTP %d%s%s, body: %s", in->status,
                 in->function_error ? " with X-Amz-Function-Error: " : "",
                 in->function_error ? in->function_error : "", body);
    } else {
        snprintf(p->got, sizeof p->got, "HTTP 200, %zu Ok, %zu DeliveryFailed, %zu wrong: %s; "
                 "body: %s", sum->count[KDO_REASON_OK], sum->count[KDO_REASON_DELIVERY_FAILED],
                 sum->failed - sum->count[KDO_REASON_DELIVERY_FAILED], sum->detail, body);
    }
    size_t worst = KDO_REASON_OK;
    for (size_t r = 0; r < KDO_REASON_COUNT; r++)
        if (r != KDO_REASON_OK && r != KDO_REASON_DELIVERY_FAILED &&
            (worst == KDO_REASON_OK || sum->count[r] > sum->count[worst]))
            worst = sum->count[r] ? r : worst;
    size_t bad = sum->failed - sum->count[KDO_REASON_DELIVERY_FAILED];
    snprintf(p->summary, sizeof p->summary, "%zu of %zu records not answered by the contract "
             "(send %zu, retryHint %llu): %s", bad, p->n, p->send + 1,
             (unsigned long long)p->hints[0], kdo_reason_text((enum kdo_reason)worst));
}

void kdo_probe_reply(struct kdo_probe_run *p, const struct kdo_reply_in *in, double ms)
{
    struct kdo_reply_summary sum;
    if (ms > p->slowest_ms)
        p->slowest_ms = ms;
    kdo_reply_judge(p->judge, in, p->ids, p->n, p->verdicts, &sum);
    if (sum.failed > sum.count[KDO_REASON_DELIVERY_FAILED]) {
        p->failed = 1;
        p->transport_failed = in->outcome != KDO_TRANSPORT_DONE;
        p->timed_out = in->outcome == KDO_TRANSPORT_TIMEDOUT;
        describe_failure(p, in, &sum);
    } else if (p->send == 0) {
        memcpy(p->first_verdicts, p->verdicts, p->n);
    } else if (p->index == RETRY_HINT) {
        for (size_t i = 0; i < p->n; i++)
            p->stuck += p->first_verdicts[i] == KDO_REASON_DELIVERY_FAILED &&
                        p->verdicts[i] == KDO_REASON_DELIVERY_FAILED;
    }
    if (!p->failed)
        for (size_t i = 0; i < p->n; i++)
            if (p->wellformed[i])
                p->wf_seen++, p->wf_ok += p->verdicts[i] == KDO_REASON_OK;
    p->ok += sum.count[KDO_REASON_OK];
    p->delivery_failed += sum.count[KDO_REASON_DELIVERY_FAILED];
    p->sends_done++;
    p->send++;
}

void kdo_probe_result(const struct kdo_probe_run *p, struct kdo_probe_result *out)
{
    size_t bytes = 0;
    for (size_t i = 0; i < p->n; i++)
        bytes += p->data_len[i];
    memset(out, 0, sizeof *out);
    out->slowest_ms = p->slowest_ms;
    out->transport_failed = p->transport_failed;
    out->timed_out = p->timed_out;
    out->wellformed = p->wf_seen;
    out->wellformed_ok = p->wf_ok;
    int nh = 0;
    char hints[64] = "";
    for (; hints_of[p->index][nh] >= 0; nh++)
        snprintf(hints + strlen(hints), sizeof hints - strlen(hints), "%s%lld", nh ? ", " : "",
                 (long long)hints_of[p->index][nh]);
    snprintf(out->sent, sizeof out->sent, "%zu record%s (%zu bytes of rows, %zu-byte event)%s, "
             "retryHint %s", p->n, p->n == 1 ? "" : "s", bytes, p->inv.event_len,
             nh > 1 ? ", sent again with the same recordIds" : "", hints);
    if (p->failed) {
        out->status = KDO_PROBE_FAIL;
        snprintf(out->summary, sizeof out->summary, "%s", p->summary);
        snprintf(out->got, sizeof out->got, "%s", p->got);
        return;
    }
    snprintf(out->got, sizeof out->got, "every record answered: %zu Ok, %zu DeliveryFailed over "
             "%zu invocation%s", p->ok, p->delivery_failed, p->sends_done,
             p->sends_done == 1 ? "" : "s");
    if (p->stuck > 0) {
        out->status = KDO_PROBE_WARN;
        snprintf(out->summary, sizeof out->summary, "%zu record%s answered DeliveryFailed at "
                 "retryHint 0 and again at 1,000: the function does not seem to look at "
                 "retryHint (Go's event type has no such field)", p->stuck,
                 p->stuck == 1 ? "" : "s");
        return;
    }
    out->status = KDO_PROBE_PASS;
    snprintf(out->summary, sizeof out->summary, "%.*s", (int)sizeof out->summary - 1, out->got);
}

/* ---- who answered ----------------------------------------------------------------------- */

enum kdo_probe_answer kdo_probe_classify(const struct kdo_reply_in *in)
{
    if (in->outcome != KDO_TRANSPORT_DONE)
        return KDO_PROBE_ANSWERED;
    if (in->status == 404)
        return KDO_PROBE_NOT_FOUND;
    if (in->status == 401 || in->status == 403)
        return KDO_PROBE_REFUSED;
    if (in->status == 429 || (in->status >= 500 && in->status <= 599))
        return KDO_PROBE_RETRY;
    if (in->status == 200 && kdo_probe_init_error(in, NULL, 0, NULL, 0))
        return KDO_PROBE_NOT_STARTED;
    return KDO_PROBE_ANSWERED;
}

/* s into out (size > 0), control characters blanked: it is shown on a line. */
static void shown(char *out, size_t size, const char *s)
{
    if (out == NULL || size == 0)
        return;
    snprintf(out, size, "%s", s);
    for (char *c = out; *c; c++)
        if ((unsigned char)*c < 0x20)
            *c = ' ';
}

/* Init errors a handler that started cannot cause: every Runtime.* but these. */
static int init_error_type(const char *t)
{
    static const char *const running[] = {"Runtime.MarshalError", "Runtime.ResponseSizeTooLarge"};
    if (strncmp(t, "Runtime.", 8) != 0 || t[8] == '\0')
        return 0;
    for (size_t i = 0; i < sizeof running / sizeof running[0]; i++)
        if (strcmp(t, running[i]) == 0)
            return 0;
    return 1;
}

int kdo_probe_init_error(const struct kdo_reply_in *in, char *type, size_t type_size, char *msg,
                         size_t msg_size)
{
    if (in->outcome != KDO_TRANSPORT_DONE || in->status != 200 || in->function_error == NULL ||
        in->body == NULL || in->body_len == 0 || in->body_len > 64 * 1024)
        return 0; /* an init error body is small; a larger one is the handler's */
    json_t *root = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, NULL);
    const char *t = json_string_value(json_object_get(root, "errorType"));
    const char *m = json_string_value(json_object_get(root, "errorMessage"));
    int yes = t != NULL && init_error_type(t);
    if (yes) {
        shown(type, type_size, t);
        shown(msg, msg_size, m ? m : "(no errorMessage)");
    }
    json_decref(root);
    return yes;
}

/* The body's retryAfterSeconds (a string or a number), or 0. */
static double retry_after_s(const struct kdo_reply_in *in)
{
    if (in->body == NULL || in->body_len == 0 || in->body_len > 64 * 1024)
        return 0;
    json_t *root = json_loadb(in->body, in->body_len, 0, NULL);
    json_t *v = json_object_get(root, "retryAfterSeconds");
    double s = json_is_number(v) ? json_number_value(v)
               : json_is_string(v) ? strtod(json_string_value(v), NULL) : 0;
    json_decref(root);
    return s > 0 ? s : 0;
}

kdo_time_ns kdo_probe_retry_delay(const struct kdo_reply_in *in, unsigned retry)
{
    if (retry < 1 || retry > KDO_PROBE_RETRIES)
        return -1;
    double after = retry_after_s(in) * 1e9;
    if (after > (double)KDO_PROBE_RETRY_AFTER_MAX)
        after = (double)KDO_PROBE_RETRY_AFTER_MAX;
    return after > (double)KDO_PROBE_RETRY_INTERVAL ? (kdo_time_ns)after : KDO_PROBE_RETRY_INTERVAL;
}

static int type_is(const char *error_type, const char *name)
{
    size_t n = strlen(name);
    return error_type && strncmp(error_type, name, n) == 0 &&
           (error_type[n] == '\0' || error_type[n] == ':');
}

static void explain_refused(const char *what, int status, const char *type, char *cause,
                            size_t cs, char *fix, size_t fs)
{
    if (type_is(type, "InvalidSignatureException") || type_is(type, "UnrecognizedClientException") ||
        type_is(type, "MissingAuthenticationTokenException") || status == 401) {
        snprintf(cause, cs, "%s was refused (HTTP %d%s%s): the request's signature or "
                 "credentials were not accepted, so nothing reached the function", what, status,
                 type ? " " : "", type ? type : "");
        snprintf(fix, fs, "check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and "
                 "AWS_SESSION_TOKEN, the region (--region or AWS_REGION) and the clock; pass "
                 "--sign (or sign: true) for a real endpoint");
        return;
    }
    snprintf(cause, cs, "%s was refused (HTTP %d%s%s): the credentials lack a permission, so "
             "nothing reached the function", what, status, type ? " " : "", type ? type : "");
    snprintf(fix, fs, "grant lambda:InvokeFunction and lambda:GetFunctionConfiguration on the "
             "function (KDA's output role needs both, and the guide requires "
             "lambda:GetFunctionConfiguration)");
}

void kdo_probe_explain(const char *what, int status, const char *error_type, char *cause,
                       size_t cause_size, char *fix, size_t fix_size)
{
    const char *t = error_type && *error_type ? error_type : NULL;
    if (status == 401 || status == 403)
        return explain_refused(what, status, t, cause, cause_size, fix, fix_size);
    if (status == 404) {
        snprintf(cause, cause_size, "%s answered HTTP 404%s%s: there is no such function at "
                 "this endpoint", what, t ? " " : "", t ? t : "");
        snprintf(fix, fix_size, "check the function's name or ARN, the qualifier, the region "
                 "and the endpoint URL (for kdaout host and fake-lambda: the --function it "
                 "serves)");
    } else if (status == 429 || (status >= 500 && status <= 599)) {
        snprintf(cause, cause_size, "%s kept answering HTTP %d%s%s after %d resends a second "
                 "apart: the service %s, so the function's answer is unknown", what, status,
                 t ? " " : "", t ? t : "", KDO_PROBE_RETRIES,
                 status == 429 ? "throttled every attempt" : "failed every attempt");
        snprintf(fix, fix_size, "%s, then run conform again",
                 status == 429 ? "raise the function's reserved concurrency or the account's "
                                 "limit, or wait for other callers to finish"
                               : "check the service's health (or the server at this URL)");
    } else {
        snprintf(cause, cause_size, "%s answered HTTP %d%s%s", what, status, t ? " " : "",
                 t ? t : "");
        snprintf(fix, fix_size, "check the endpoint URL and the function");
    }
}

enum kdo_probe_status kdo_probe_timing(double first_ms, double rest_ms, double timeout_ms,
                                       int known)
{
    if (known && (rest_ms > timeout_ms || first_ms > timeout_ms + KDO_PROBE_INIT_MS))
        return KDO_PROBE_FAIL;
    double slowest = first_ms > rest_ms ? first_ms : rest_ms;
    if (slowest > timeout_ms / 2 || slowest > KDO_PROBE_GUIDE_SLOW_MS)
        return KDO_PROBE_WARN;
    return KDO_PROBE_PASS;
}
