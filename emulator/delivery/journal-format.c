/*
 * journal-format.c -- the journal as JSON Lines: one entry per line, written
 * to the --journal sink as entries become final, whole at the end of a run,
 * or merged across destinations by time (each line tagged with its output
 * Id).  Integer arithmetic only (times as seconds with six decimals), so the
 * text is byte-identical from run to run for one seed.
 */
#include "delivery/journal-int.h"

#include "base/buf.h"
#include "base/errors.h"
#include "base/timestamp.h"
#include "base/utf8.h"
#include "delivery/reply.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ---------------------------------------------------------- */

static const char *const kind_names[] = {
    [KDO_J_START] = "start",     [KDO_J_ROWS_READ] = "rows_read", [KDO_J_ROWS_EMITTED] = "rows_emitted",
    [KDO_J_INVOKE] = "invoke",   [KDO_J_REPLY] = "reply",         [KDO_J_SAMPLE] = "sample",
    [KDO_J_PAUSE] = "source_paused", [KDO_J_RESUME] = "source_resumed",
    [KDO_J_RESTART] = "restart", [KDO_J_END] = "end", [KDO_J_ERROR_ROW] = "error_stream",
    [KDO_J_RELOAD] = "reference_reload",
};

static void put_head(struct kdo_buf *b, const struct kdo_jentry *e)
{
    kdo_time_ns t = e->t < 0 ? 0 : e->t;
    kdo_buf_printf(b, "{\"t\":%" PRId64 ".%06" PRId64 ",\"ev\":\"%s\"", t / KDO_S,
                   (t % KDO_S) / KDO_US, kind_names[e->kind]);
}

static const char *prefix_of(const struct kdo_journal *j)
{
    return j->prefix;
}

/* Lists of records stop once the line passes `end` bytes (SIZE_MAX: never). */
static void put_invoke(const struct kdo_journal *j, struct kdo_buf *b, const struct kdo_jentry *e,
                       const char *prefix, size_t end)
{
    char id[57];
    kdo_buf_printf(b, ",\"n\":%" PRIu64 ",\"round\":%" PRIu64 ",\"retry\":%s,\"invocationId\":\"%s\""
                      ",\"bytes\":%" PRIu64 ",\"records\":%zu,\"recordIds\":[",
                   e->u.invoke.number, e->u.invoke.round, e->u.invoke.retry ? "true" : "false",
                   kdo_journal_str(j, e->u.invoke.id), e->u.invoke.bytes, e->u.invoke.n);
    for (size_t i = 0; i < e->u.invoke.n && b->len <= end; i++) {
        kdo_journal_record_id(prefix, j->seqs[e->u.invoke.off + i], id);
        kdo_buf_printf(b, "%s\"%s\"", i ? "," : "", id);
    }
    kdo_buf_puts(b, "],\"retryHints\":[");
    for (size_t i = 0; i < e->u.invoke.n && b->len <= end; i++)
        kdo_buf_printf(b, "%s%" PRIu64, i ? "," : "", j->hints[e->u.invoke.off + i]);
    kdo_buf_puts(b, "]");
}

/* The record numbers of the invocation a reply answers: the latest invoke
 * with that number before it. */
static const uint64_t *invoke_seqs(const struct kdo_journal *j, const struct kdo_jentry *reply)
{
    for (size_t i = (size_t)(reply - j->e) + 1; i-- > 0;) {
        const struct kdo_jentry *e = &j->e[i];
        if (e->kind == KDO_J_INVOKE && e->u.invoke.number == reply->u.reply.number &&
            e->u.invoke.n == reply->u.reply.n)
            return j->seqs + e->u.invoke.off;
    }
    return NULL;
}

static void put_reply(const struct kdo_journal *j, struct kdo_buf *b, const struct kdo_jentry *e,
                      const char *prefix, size_t end)
{
    static const char *const outcomes[] = {"reply", "transport_failed", "transport_timeout"};
    const char *detail = kdo_journal_str(j, e->u.reply.detail);
    kdo_buf_printf(b, ",\"n\":%" PRIu64 ",\"outcome\":\"%s\",\"status\":%d,\"functionError\":%s"
                      ",\"durationMs\":%" PRId64 ",\"verdict\":\"%s\",\"ok\":%" PRIu64
                      ",\"failed\":%" PRIu64 ",\"detail\":",
                   e->u.reply.number, outcomes[e->u.reply.outcome % 3], e->u.reply.status,
                   e->u.reply.function_error ? "true" : "false", e->u.reply.duration / KDO_MS,
                   kdo_reason_name(e->u.reply.whole), e->u.reply.ok, e->u.reply.failed);
    kdo_buf_json_string(b, detail, strlen(detail));
    /* Every record not listed here was answered Ok. */
    kdo_buf_puts(b, ",\"failedRecords\":[");
    const uint64_t *seqs = invoke_seqs(j, e);
    int first = 1;
    char id[57];
    for (size_t i = 0; i < e->u.reply.n && b->len <= end; i++) {
        uint8_t v = j->verdicts[e->u.reply.off + i];
        if (v == KDO_REASON_OK)
            continue;
        if (seqs)
            kdo_journal_record_id(prefix, seqs[i], id);
        kdo_buf_printf(b, "%s{\"recordId\":\"%s\",\"reason\":\"%s\"}", first ? "" : ",",
                       seqs ? id : "?", kdo_reason_name(v));
        first = 0;
    }
    kdo_buf_puts(b, "]");
}

/* KDA's error stream columns, in its order; a column not known is left out. */
static void put_error_row(const struct kdo_journal *j, struct kdo_buf *b,
                          const struct kdo_jentry *e)
{
    char ts[24];
    if (e->u.error.row != UINT64_MAX)
        kdo_buf_printf(b, ",\"row\":%" PRIu64, e->u.error.row);
    if (e->u.error.time_ms != INT64_MIN && kdo_timestamp_format(e->u.error.time_ms, ts) == 0)
        kdo_buf_printf(b, ",\"ERROR_TIME\":\"%s\"", ts);
    kdo_buf_puts(b, ",\"ERROR_LEVEL\":\"ERROR\",\"ERROR_NAME\":");
    const char *s = kdo_journal_str(j, e->u.error.name);
    kdo_buf_json_string(b, s, strlen(s));
    kdo_buf_puts(b, ",\"MESSAGE\":");
    s = kdo_journal_str(j, e->u.error.message);
    kdo_buf_json_string(b, s, strlen(s));
    if (e->u.error.data_rowtime_ms != INT64_MIN &&
        kdo_timestamp_format(e->u.error.data_rowtime_ms, ts) == 0)
        kdo_buf_printf(b, ",\"DATA_ROWTIME\":\"%s\"", ts);
    if (e->u.error.data) {
        s = kdo_journal_str(j, e->u.error.data);
        kdo_buf_puts(b, ",\"DATA_ROW\":");
        kdo_buf_json_string(b, s, strlen(s));
    }
    if (e->u.error.pump) {
        s = kdo_journal_str(j, e->u.error.pump);
        kdo_buf_puts(b, ",\"PUMP_NAME\":");
        kdo_buf_json_string(b, s, strlen(s));
    }
}

static void put_body(const struct kdo_journal *j, struct kdo_buf *b, const struct kdo_jentry *e,
                     const char *prefix, size_t end)
{
    switch (e->kind) {
    case KDO_J_START:
        kdo_buf_printf(b, ",\"seed\":%" PRIu64 ",\"recordIdPrefix\":\"%s\"", e->u.start.seed,
                       kdo_journal_str(j, e->u.start.prefix));
        break;
    case KDO_J_ROWS_READ:
    case KDO_J_ROWS_EMITTED:
        kdo_buf_printf(b, ",\"first\":%" PRIu64 ",\"count\":%" PRIu64 ",\"bytes\":%" PRIu64,
                       e->u.rows.first, e->u.rows.count, e->u.rows.bytes);
        break;
    case KDO_J_INVOKE:
        put_invoke(j, b, e, prefix, end);
        break;
    case KDO_J_REPLY:
        put_reply(j, b, e, prefix, end);
        break;
    case KDO_J_SAMPLE:
        kdo_buf_printf(b, ",\"bufferRows\":%" PRIu64 ",\"bufferBytes\":%" PRIu64
                          ",\"MillisBehindLatest\":%" PRId64 ",\"unreadSourceRows\":%" PRIu64,
                       e->u.sample.rows, e->u.sample.bytes, e->u.sample.lag_ms, e->u.sample.unread);
        break;
    case KDO_J_ERROR_ROW:
        put_error_row(j, b, e);
        break;
    case KDO_J_PAUSE:
        if (e->u.pause.full) {
            const char *id = kdo_journal_str(j, e->u.pause.full);
            kdo_buf_puts(b, ",\"fullDestination\":");
            kdo_buf_json_string(b, id, strlen(id));
        }
        break;
    case KDO_J_END:
        kdo_buf_printf(b, ",\"unackedRows\":%" PRIu64 ",\"bufferBytes\":%" PRIu64,
                       e->u.sample.rows, e->u.sample.bytes);
        break;
    case KDO_J_RESTART:
        kdo_buf_printf(b, ",\"requeued\":%" PRIu64 ",\"downtimeMs\":%" PRId64,
                       e->u.restart.requeued, e->u.restart.downtime / KDO_MS);
        break;
    case KDO_J_RELOAD:
        kdo_buf_puts(b, ",\"table\":");
        kdo_buf_json_string(b, kdo_journal_str(j, e->u.reload.table),
                            strlen(kdo_journal_str(j, e->u.reload.table)));
        kdo_buf_puts(b, ",\"file\":");
        kdo_buf_json_string(b, kdo_journal_str(j, e->u.reload.file),
                            strlen(kdo_journal_str(j, e->u.reload.file)));
        break;
    default:
        break;
    }
}

void kdo_journal_format_brief(const struct kdo_journal *j, size_t i, struct kdo_buf *out,
                              size_t max)
{
    const struct kdo_jentry *e = kdo_journal_at(j, i);
    if (e == NULL)
        return;
    size_t end = max > SIZE_MAX - out->len ? SIZE_MAX : out->len + max;
    put_head(out, e);
    put_body(j, out, e, prefix_of(j), end);
    kdo_buf_puts(out, "}");
}

int kdo_jentry_plain(const struct kdo_jentry *e)
{
    switch (e->kind) {
    case KDO_J_ROWS_READ:
    case KDO_J_ROWS_EMITTED:
    case KDO_J_SAMPLE:
    case KDO_J_RESUME:
    case KDO_J_RESTART:
    case KDO_J_END:
        return 1;
    default:
        return 0;
    }
}

int kdo_journal_format_plain(const struct kdo_jentry *e, struct kdo_buf *out)
{
    if (!kdo_jentry_plain(e))
        return KDO_EINVAL;
    put_head(out, e);
    put_body(NULL, out, e, NULL, SIZE_MAX); /* these kinds read nothing of a journal */
    kdo_buf_puts(out, "}");
    return 0;
}

void kdo_journal_format(const struct kdo_journal *j, size_t i, struct kdo_buf *out)
{
    kdo_journal_format_brief(j, i, out, SIZE_MAX);
}

/* Whether every entry is still held (a forgetting journal's are not). */
static int whole(const struct kdo_journal *j)
{
    return j->n == j->total;
}

int kdo_journal_write(const struct kdo_journal *j, FILE *f)
{
    struct kdo_buf b;
    if (!whole(j))
        return KDO_EINVAL;
    kdo_buf_init(&b, SIZE_MAX / 2);
    const char *prefix = prefix_of(j);
    int err = 0;
    for (size_t i = 0; i < j->n && !err; i++) {
        kdo_buf_reset(&b);
        put_head(&b, &j->e[i]);
        put_body(j, &b, &j->e[i], prefix, SIZE_MAX);
        kdo_buf_puts(&b, "}\n");
        if (fwrite(b.data, 1, b.len, f) != b.len)
            err = KDO_EIO;
    }
    kdo_buf_cleanup(&b);
    return err;
}

int kdo_journal_write_merged(const struct kdo_journal *const *js, const char *const *ids, size_t n,
                             FILE *f)
{
    size_t at[8] = {0};
    struct kdo_buf b;
    int err = 0;
    if (n > 8)
        return KDO_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!whole(js[i]))
            return KDO_EINVAL;
    kdo_buf_init(&b, SIZE_MAX / 2);
    for (;;) {
        size_t k = n; /* the lane whose next entry is earliest; ties go to the first lane */
        for (size_t i = 0; i < n; i++)
            if (at[i] < js[i]->n && (k == n || js[i]->e[at[i]].t < js[k]->e[at[k]].t))
                k = i;
        if (k == n || err)
            break;
        kdo_buf_reset(&b);
        kdo_buf_puts(&b, "{\"dest\":");
        kdo_buf_json_string(&b, ids[k], strlen(ids[k]));
        kdo_buf_puts(&b, ",");
        size_t head = b.len;
        put_head(&b, &js[k]->e[at[k]]);
        memmove(b.data + head, b.data + head + 1, b.len - head - 1); /* drop put_head's '{' */
        b.len--;
        put_body(js[k], &b, &js[k]->e[at[k]], prefix_of(js[k]), SIZE_MAX);
        kdo_buf_puts(&b, "}\n");
        if (fwrite(b.data, 1, b.len, f) != b.len)
            err = KDO_EIO;
        at[k]++;
    }
    kdo_buf_cleanup(&b);
    return err;
}

/* "{\"t\":S.UUUUUU," -> microseconds, or -1. */
static int64_t line_time(const char *s)
{
    int64_t sec = 0, us = 0;
    int digits = 0;
    if (strncmp(s, "{\"t\":", 5) != 0)
        return -1;
    for (s += 5; *s >= '0' && *s <= '9' && digits < 15; s++, digits++)
        sec = sec * 10 + (*s - '0');
    if (digits == 0 || *s++ != '.')
        return -1;
    for (digits = 0; *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
        us = us * 10 + (*s - '0');
    return digits == 6 ? sec * 1000000 + us : -1;
}

struct merge_in {
    char *line;
    size_t cap;
    ssize_t len; /* -1: at the end */
    int64_t t;
};

static int merge_next(FILE *in, struct merge_in *m)
{
    m->len = getline(&m->line, &m->cap, in);
    if (m->len < 0)
        return ferror(in) ? KDO_EIO : 0;
    m->t = line_time(m->line);
    return m->t < 0 || m->line[m->len - 1] != '\n' ? KDO_EINVAL : 0;
}

int kdo_journal_merge_files(FILE *const *ins, const char *const *ids, size_t n, FILE *f)
{
    struct merge_in m[8] = {{0}};
    struct kdo_buf b;
    int err = 0;
    if (n > 8)
        return KDO_EINVAL;
    kdo_buf_init(&b, 4096);
    for (size_t i = 0; i < n && !err; i++)
        if (fseek(ins[i], 0, SEEK_SET) != 0 || (err = merge_next(ins[i], &m[i])) != 0)
            err = err ? err : KDO_EIO;
    while (!err) {
        size_t k = n; /* the earliest line; ties go to the first journal, as above */
        for (size_t i = 0; i < n; i++)
            if (m[i].len > 0 && (k == n || m[i].t < m[k].t))
                k = i;
        if (k == n)
            break;
        kdo_buf_reset(&b);
        kdo_buf_puts(&b, "{\"dest\":");
        kdo_buf_json_string(&b, ids[k], strlen(ids[k]));
        kdo_buf_puts(&b, ",");
        if (fwrite(b.data, 1, b.len, f) != b.len ||
            fwrite(m[k].line + 1, 1, (size_t)m[k].len - 1, f) != (size_t)m[k].len - 1)
            err = KDO_EIO;
        else
            err = merge_next(ins[k], &m[k]);
    }
    for (size_t i = 0; i < n; i++)
        free(m[i].line);
    kdo_buf_cleanup(&b);
    return err;
}
