/*
 * invlog.c -- the fake's log of invocations (invlog.h).
 */
#include "lambda/invlog.h"

#include "base/errors.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_IDS_MAX 1000 /* recordIds kept per logged invocation */

/* One invocation as /_kdaout/invocations shows it; formatted only when asked.
 * n counts every invocation since the start (resets included), so the log
 * holds a run of consecutive n: the oldest is entries[head]. */
struct logentry {
    uint64_t n;
    kdo_time_ns at;
    char name[72], qualifier[132]; /* Lambda allows 64 and 128 characters */
    char request_id[37];
    char *invocation_id;
    size_t bytes, records;
    char *ids;       /* up to LOG_IDS_MAX recordIds, each NUL-terminated */
    uint64_t *hints;
    size_t nids;
    int status;
    const char *function_error, *error_type; /* static strings */
    size_t cost; /* bytes counted against log_bytes */
};

struct kdo_invlog {
    struct logentry *entries; /* a ring of `limit`, the oldest at head */
    size_t limit, bytes;
    size_t head, n, used;     /* used <= bytes */
    uint64_t logged, dropped;
};

struct kdo_invlog *kdo_invlog_new(size_t limit, size_t bytes)
{
    struct kdo_invlog *s = kdo_xcalloc(1, sizeof *s);
    s->limit = limit ? limit : 1;
    s->bytes = bytes;
    s->entries = kdo_xcalloc(s->limit, sizeof *s->entries);
    return s;
}

static void logentry_clear(struct kdo_invlog *s, struct logentry *e)
{
    s->used -= e->cost;
    free(e->invocation_id);
    free(e->ids);
    free(e->hints);
    memset(e, 0, sizeof *e);
}

static struct logentry *log_at(struct kdo_invlog *s, size_t i)
{
    return &s->entries[(s->head + i) % s->limit];
}

static void log_drop_oldest(struct kdo_invlog *s)
{
    logentry_clear(s, &s->entries[s->head]);
    s->head = (s->head + 1) % s->limit;
    s->n--;
    s->dropped++;
}

/* How many recordIds (at most LOG_IDS_MAX) an entry keeps within the byte
 * budget, and what it then costs: one whose ids alone pass the whole budget
 * keeps what fits, like any entry past LOG_IDS_MAX ("records" says how many
 * there were). */
static size_t log_ids_fit(const struct kdo_invlog *s, const struct kdo_invocation *inv,
                          size_t *cost)
{
    size_t nids = 0, max = inv->n < LOG_IDS_MAX ? inv->n : LOG_IDS_MAX;
    *cost = sizeof(struct logentry) + strlen(inv->invocation_id) + 1;
    for (; nids < max; nids++) {
        size_t more = inv->ids[nids].n + 1 + sizeof(uint64_t);
        if (*cost + more > s->bytes)
            break;
        *cost += more;
    }
    return nids;
}

void kdo_invlog_add(struct kdo_invlog *s, kdo_time_ns at, const char *name, const char *qualifier,
                    const char *request_id, const struct kdo_invocation *inv, int status,
                    const char *function_error, const char *error_type)
{
    size_t cost, nids = log_ids_fit(s, inv, &cost), total = 0;
    /* full, in entries or bytes: the oldest entries make room */
    while (s->n > 0 && (s->n == s->limit || s->used + cost > s->bytes))
        log_drop_oldest(s);
    struct logentry *e = log_at(s, s->n++);
    s->used += cost;
    *e = (struct logentry){.n = ++s->logged, .at = at, .cost = cost, .bytes = inv->event_len,
                           .records = inv->n, .nids = nids, .status = status,
                           .function_error = function_error, .error_type = error_type};
    snprintf(e->name, sizeof e->name, "%.*s", (int)sizeof e->name - 1, name);
    snprintf(e->qualifier, sizeof e->qualifier, "%.*s", (int)sizeof e->qualifier - 1, qualifier);
    snprintf(e->request_id, sizeof e->request_id, "%s", request_id);
    e->invocation_id = kdo_xstrdup(inv->invocation_id);
    for (size_t i = 0; i < nids; i++)
        total += inv->ids[i].n + 1;
    e->ids = kdo_xmalloc(total ? total : 1);
    e->hints = kdo_xmalloc((nids ? nids : 1) * sizeof *e->hints);
    for (size_t i = 0, at_ = 0; i < nids; i++) {
        memcpy(e->ids + at_, inv->ids[i].p, inv->ids[i].n);
        e->ids[at_ + inv->ids[i].n] = '\0';
        at_ += inv->ids[i].n + 1;
        e->hints[i] = inv->hints[i];
    }
}

static void put_optional(struct kdo_buf *b, const char *key, const char *v)
{
    kdo_buf_printf(b, ",\"%s\":", key);
    if (v)
        kdo_buf_json_string(b, v, strlen(v));
    else
        kdo_buf_puts(b, "null");
}

static void format_entry(struct kdo_buf *b, const struct logentry *e)
{
    kdo_buf_printf(b, "{\"n\":%" PRIu64 ",\"atMs\":%" PRId64 ",\"function\":", e->n,
                   e->at / KDO_MS);
    kdo_buf_json_string(b, e->name, strlen(e->name));
    kdo_buf_puts(b, ",\"qualifier\":");
    kdo_buf_json_string(b, e->qualifier, strlen(e->qualifier));
    kdo_buf_printf(b, ",\"requestId\":\"%s\",\"invocationId\":", e->request_id);
    kdo_buf_json_string(b, e->invocation_id, strlen(e->invocation_id));
    kdo_buf_printf(b, ",\"bytes\":%zu,\"records\":%zu,\"recordIds\":[", e->bytes, e->records);
    for (size_t i = 0, at = 0; i < e->nids; i++) {
        size_t len = strlen(e->ids + at);
        kdo_buf_puts(b, i ? "," : "");
        kdo_buf_json_string(b, e->ids + at, len);
        at += len + 1;
    }
    kdo_buf_puts(b, "],\"retryHints\":[");
    for (size_t i = 0; i < e->nids; i++)
        kdo_buf_printf(b, "%s%" PRIu64, i ? "," : "", e->hints[i]);
    kdo_buf_printf(b, "],\"status\":%d", e->status);
    put_optional(b, "functionError", e->function_error);
    put_optional(b, "errorType", e->error_type);
    kdo_buf_puts(b, "}");
}

void kdo_invlog_free(struct kdo_invlog *s)
{
    if (s == NULL)
        return;
    while (s->n > 0)
        log_drop_oldest(s);
    free(s->entries);
    free(s);
}

uint64_t kdo_invlog_first(const struct kdo_invlog *s)
{
    return s->n ? s->entries[s->head].n : s->logged + 1;
}

uint64_t kdo_invlog_last(const struct kdo_invlog *s)
{
    return s->logged;
}

int kdo_invlog_format(struct kdo_invlog *s, uint64_t n, struct kdo_buf *b)
{
    uint64_t first = kdo_invlog_first(s);
    if (n < first || n >= first + s->n)
        return -1;
    format_entry(b, log_at(s, (size_t)(n - first)));
    return 0;
}

uint64_t kdo_invlog_dropped(const struct kdo_invlog *s)
{
    return s->dropped;
}

size_t kdo_invlog_bytes(const struct kdo_invlog *s)
{
    return s->used;
}

size_t kdo_invlog_reset(struct kdo_invlog *s)
{
    size_t n = s->n;
    while (s->n > 0)
        log_drop_oldest(s);
    s->head = 0;
    s->dropped = 0;
    return n;
}
