/*
 * journal.c -- appending to the run's history and telling its watchers
 * (its JSON Lines form is journal-format.c).
 *
 * Vectors grow geometrically; strings (invocation ids, details) live in one
 * pool addressed by offset, so entries stay plain data that can be copied.
 * An entry is final once nothing can fold into it (only a range of rows at
 * the instant of the last two entries can still grow); final entries go to
 * the watchers in order.  A forgetting journal then compacts: it keeps what
 * is not final, the latest invoke (a reply's recordIds come from it) and the
 * latest reply (a violation's context), so its memory is bounded by one
 * invocation's records plus a constant.
 */
#include "delivery/journal.h"

#include "base/buf.h"
#include "base/errors.h"
#include "base/utf8.h"
#include "delivery/journal-int.h"

#include <stdlib.h>
#include <string.h>

struct kdo_journal *kdo_journal_new(void)
{
    struct kdo_journal *j = kdo_xcalloc(1, sizeof *j);
    GROW(j->pool, j->cappool, 1);
    j->pool[0] = '\0'; /* string 0 is "" */
    j->npool = 1;
    j->last_invoke = j->last_reply = SIZE_MAX;
    memset(j->prefix, '0', 36);
    kdo_buf_init(&j->line, SIZE_MAX / 2);
    return j;
}

void kdo_journal_free(struct kdo_journal *j)
{
    if (j == NULL)
        return;
    free(j->e);
    free(j->seqs);
    free(j->hints);
    free(j->verdicts);
    free(j->pool);
    kdo_buf_cleanup(&j->line);
    free(j);
}

static void publish(struct kdo_journal *j);
static void compact(struct kdo_journal *j);

/* Called first by every public function that records: the entries before
 * may have become final, and a forgetting journal may drop them now, before
 * any string of the new entry is interned. */
static void begin(struct kdo_journal *j)
{
    publish(j);
    if (j->forget)
        compact(j);
}

static struct kdo_jentry *append(struct kdo_journal *j, kdo_time_ns t, enum kdo_jkind kind)
{
    GROW(j->e, j->cap, j->n + 1);
    struct kdo_jentry *e = &j->e[j->n++];
    memset(e, 0, sizeof *e);
    e->t = t;
    e->kind = kind;
    e->index = j->total++;
    if (kind == KDO_J_INVOKE)
        j->last_invoke = e->index;
    else if (kind == KDO_J_REPLY)
        j->last_reply = e->index;
    return e;
}

static uint32_t intern(struct kdo_journal *j, const char *s)
{
    if (s == NULL || *s == '\0')
        return 0;
    size_t len = strlen(s) + 1;
    GROW(j->pool, j->cappool, j->npool + len);
    memcpy(j->pool + j->npool, s, len);
    uint32_t off = (uint32_t)j->npool;
    j->npool += len;
    return off;
}

void kdo_journal_start(struct kdo_journal *j, kdo_time_ns t, uint64_t seed, const char *prefix)
{
    begin(j);
    struct kdo_jentry *e = append(j, t, KDO_J_START);
    e->u.start.seed = seed;
    e->u.start.prefix = intern(j, prefix);
    if (prefix && strlen(prefix) == 36)
        memcpy(j->prefix, prefix, 37);
}

void kdo_journal_rows(struct kdo_journal *j, kdo_time_ns t, enum kdo_jkind kind, uint64_t first,
                      uint64_t count, uint64_t bytes)
{
    begin(j);
    /* Consecutive ranges at the same instant fold into one entry, also when
     * reads and emits alternate (a continuous query emits per row read). */
    for (size_t back = 1; back <= 2 && back <= j->n - j->npub; back++) { /* never a told one */
        struct kdo_jentry *e = &j->e[j->n - back];
        if (e->t != t || (e->kind != KDO_J_ROWS_READ && e->kind != KDO_J_ROWS_EMITTED))
            break;
        if (e->kind == kind && e->u.rows.first + e->u.rows.count == first) {
            e->u.rows.count += count;
            e->u.rows.bytes += bytes;
            return;
        }
    }
    struct kdo_jentry *e = append(j, t, kind);
    e->u.rows.first = first;
    e->u.rows.count = count;
    e->u.rows.bytes = bytes;
}

void kdo_journal_invoke(struct kdo_journal *j, kdo_time_ns t, uint64_t number, uint64_t round,
                        int retry, const char *invocation_id, uint64_t bytes, size_t n,
                        const uint64_t *seqs, const uint64_t *hints)
{
    begin(j);
    uint32_t id = intern(j, invocation_id);
    struct kdo_jentry *e = append(j, t, KDO_J_INVOKE);
    e->u.invoke.number = number;
    e->u.invoke.round = round;
    e->u.invoke.retry = retry;
    e->u.invoke.bytes = bytes;
    e->u.invoke.id = id;
    e->u.invoke.off = j->nrec;
    e->u.invoke.n = n;
    size_t old_cap = j->caprec;
    GROW(j->seqs, j->caprec, j->nrec + n);
    if (j->caprec != old_cap)
        j->hints = kdo_xrealloc(j->hints, j->caprec * sizeof *j->hints);
    if (n > 0) {
        memcpy(j->seqs + j->nrec, seqs, n * sizeof *seqs);
        memcpy(j->hints + j->nrec, hints, n * sizeof *hints);
    }
    j->nrec += n;
}

void kdo_journal_reply(struct kdo_journal *j, kdo_time_ns t, const struct kdo_jentry *src,
                       const char *detail, const uint8_t *verdicts)
{
    begin(j);
    uint32_t d = intern(j, detail);
    struct kdo_jentry *e = append(j, t, KDO_J_REPLY);
    e->u.reply = src->u.reply;
    e->u.reply.detail = d;
    e->u.reply.off = j->nver;
    GROW(j->verdicts, j->capver, j->nver + e->u.reply.n);
    if (e->u.reply.n > 0)
        memcpy(j->verdicts + j->nver, verdicts, e->u.reply.n);
    j->nver += e->u.reply.n;
}

void kdo_journal_sample(struct kdo_journal *j, kdo_time_ns t, uint64_t rows, uint64_t bytes,
                        int64_t lag_ms, uint64_t unread)
{
    begin(j);
    struct kdo_jentry *e = append(j, t, KDO_J_SAMPLE);
    e->u.sample.rows = rows;
    e->u.sample.bytes = bytes;
    e->u.sample.lag_ms = lag_ms;
    e->u.sample.unread = unread;
}

void kdo_journal_mark(struct kdo_journal *j, kdo_time_ns t, enum kdo_jkind kind)
{
    begin(j);
    append(j, t, kind);
}

void kdo_journal_pause(struct kdo_journal *j, kdo_time_ns t, const char *full)
{
    begin(j);
    uint32_t by = intern(j, full);
    append(j, t, KDO_J_PAUSE)->u.pause.full = by;
}

void kdo_journal_restart(struct kdo_journal *j, kdo_time_ns t, uint64_t requeued,
                         kdo_time_ns downtime)
{
    begin(j);
    struct kdo_jentry *e = append(j, t, KDO_J_RESTART);
    e->u.restart.requeued = requeued;
    e->u.restart.downtime = downtime;
}

void kdo_journal_reload(struct kdo_journal *j, kdo_time_ns t, const char *table,
                        const char *file)
{
    begin(j);
    const char *slash = strrchr(file, '/');
    uint32_t name = intern(j, table), base = intern(j, slash ? slash + 1 : file);
    struct kdo_jentry *e = append(j, t, KDO_J_RELOAD);
    e->u.reload.table = name;
    e->u.reload.file = base;
}

/* KDA's DATA_ROW column is VARCHAR(49152). */
#define DATA_ROW_MAX 49152

/* Interns a row's bytes s[0..n) as text: a NUL or a byte that is not part
 * of well-formed UTF-8 becomes U+FFFD, so the journal stays valid JSON. */
static uint32_t intern_text(struct kdo_journal *j, const char *s, size_t n)
{
    if (s == NULL || n == 0)
        return 0;
    GROW(j->pool, j->cappool, j->npool + 3 * n + 1);
    uint32_t off = (uint32_t)j->npool;
    char *o = j->pool + j->npool;
    o += kdo_utf8_repair(o, s, n);
    *o++ = '\0';
    j->npool = (size_t)(o - j->pool);
    return off;
}

void kdo_journal_error_stream(struct kdo_journal *j, kdo_time_ns t, const struct kdo_error_row *r)
{
    begin(j);
    uint32_t n = intern(j, r->name), m = intern(j, r->message);
    size_t len = r->data_len < DATA_ROW_MAX ? r->data_len : DATA_ROW_MAX;
    while (len < r->data_len && len > 0 && ((unsigned char)r->data[len] & 0xC0) == 0x80)
        len--; /* never cut a UTF-8 character in two */
    uint32_t d = intern_text(j, r->data, len), p = intern(j, r->pump);
    struct kdo_jentry *e = append(j, t, KDO_J_ERROR_ROW);
    e->u.error.row = r->row;
    e->u.error.name = n;
    e->u.error.message = m;
    e->u.error.data = d;
    e->u.error.pump = p;
    e->u.error.time_ms = r->time_ms;
    e->u.error.data_rowtime_ms = r->data_rowtime_ms;
}

void kdo_journal_error_row(struct kdo_journal *j, kdo_time_ns t, uint64_t row, const char *name,
                           const char *message)
{
    struct kdo_error_row r = {row, name, message, NULL, 0, INT64_MIN, INT64_MIN, NULL};
    kdo_journal_error_stream(j, t, &r);
}

void kdo_journal_end(struct kdo_journal *j, kdo_time_ns t, uint64_t rows_left, uint64_t bytes_left)
{
    begin(j);
    struct kdo_jentry *e = append(j, t, KDO_J_END);
    e->u.sample.rows = rows_left;
    e->u.sample.bytes = bytes_left;
    kdo_journal_flush(j);
}

/* ---- watching and forgetting -------------------------------------------------- */

static int is_rows(const struct kdo_jentry *e)
{
    return e->kind == KDO_J_ROWS_READ || e->kind == KDO_J_ROWS_EMITTED;
}

/* Whether e[k] can still change: kdo_journal_rows() folds into the last two
 * entries while they are ranges of rows at one instant. */
static int open_entry(const struct kdo_journal *j, size_t k)
{
    if (!is_rows(&j->e[k]) || k + 2 < j->n)
        return 0;
    for (size_t m = k + 1; m < j->n; m++)
        if (!is_rows(&j->e[m]) || j->e[m].t != j->e[k].t)
            return 0;
    return 1;
}

static void tell(struct kdo_journal *j, size_t k)
{
    size_t index = j->e[k].index;
    for (size_t w = 0; w < j->nwatchers; w++)
        j->watchers[w].fn(j->watchers[w].ctx, j, index);
    if (j->sink && !j->sink_err) {
        kdo_buf_reset(&j->line);
        kdo_journal_format(j, index, &j->line);
        kdo_buf_puts(&j->line, "\n");
        if (fwrite(j->line.data, 1, j->line.len, j->sink) != j->line.len)
            j->sink_err = KDO_EIO;
    }
}

static void publish(struct kdo_journal *j)
{
    while (j->npub < j->n && !open_entry(j, j->npub))
        tell(j, j->npub++);
}

void kdo_journal_flush(struct kdo_journal *j)
{
    while (j->npub < j->n)
        tell(j, j->npub++);
}

int kdo_journal_watch(struct kdo_journal *j, kdo_journal_watch_fn *fn, void *ctx)
{
    if (j->nwatchers == MAX_WATCHERS)
        return KDO_EINVAL;
    j->watchers[j->nwatchers++] = (struct watcher){fn, ctx};
    return 0;
}

void kdo_journal_sink(struct kdo_journal *j, FILE *f)
{
    j->sink = f;
}

int kdo_journal_sink_error(const struct kdo_journal *j)
{
    return j->sink_err;
}

size_t kdo_journal_held_bytes(const struct kdo_journal *j)
{
    return j->cap * sizeof *j->e + j->caprec * (sizeof *j->seqs + sizeof *j->hints) +
           j->capver + j->cappool + j->line.cap;
}

void kdo_journal_forget(struct kdo_journal *j)
{
    j->forget = 1;
}

static int kept(const struct kdo_journal *j, size_t k)
{
    return k >= j->npub || j->e[k].index == j->last_invoke || j->e[k].index == j->last_reply;
}

static uint32_t carry(struct kdo_journal *to, const char *old_pool, uint32_t s)
{
    return s ? intern(to, old_pool + s) : 0;
}

/* Moves the strings of a kept entry into the new pool. */
static void carry_strings(struct kdo_journal *j, const char *old, struct kdo_jentry *e)
{
    switch (e->kind) {
    case KDO_J_START:
        e->u.start.prefix = carry(j, old, e->u.start.prefix);
        break;
    case KDO_J_INVOKE:
        e->u.invoke.id = carry(j, old, e->u.invoke.id);
        break;
    case KDO_J_REPLY:
        e->u.reply.detail = carry(j, old, e->u.reply.detail);
        break;
    case KDO_J_PAUSE:
        e->u.pause.full = carry(j, old, e->u.pause.full);
        break;
    case KDO_J_ERROR_ROW:
        e->u.error.name = carry(j, old, e->u.error.name);
        e->u.error.message = carry(j, old, e->u.error.message);
        e->u.error.data = carry(j, old, e->u.error.data);
        e->u.error.pump = carry(j, old, e->u.error.pump);
        break;
    default:
        break;
    }
}

/* What the kept entries hold, to decide when compacting is worth it. */
struct held {
    size_t rec, ver;
};

static struct held held_by_kept(const struct kdo_journal *j)
{
    struct held h = {0, 0};
    for (size_t k = 0; k < j->n; k++) {
        if (!kept(j, k))
            continue;
        if (j->e[k].kind == KDO_J_INVOKE)
            h.rec += j->e[k].u.invoke.n;
        else if (j->e[k].kind == KDO_J_REPLY)
            h.ver += j->e[k].u.reply.n;
    }
    return h;
}

/* Drops the final entries no reader needs any more.  Runs when the journal
 * has grown well past what it must keep, so its cost is amortised. */
static void compact(struct kdo_journal *j)
{
    if (j->n < 256 && j->npool < (1u << 18) && j->nrec < (1u << 16) && j->nver < (1u << 16))
        return;
    struct held h = held_by_kept(j);
    if (j->n < 256 && j->npool < (1u << 18) && j->nrec < 2 * h.rec + (1u << 16) &&
        j->nver < 2 * h.ver + (1u << 16))
        return;
    char *old = j->pool;
    size_t n = 0, nrec = 0, nver = 0, npub = 0;
    j->pool = NULL;
    j->npool = j->cappool = 0;
    GROW(j->pool, j->cappool, 1);
    j->pool[j->npool++] = '\0';
    for (size_t k = 0; k < j->n; k++) {
        if (!kept(j, k))
            continue;
        struct kdo_jentry e = j->e[k];
        carry_strings(j, old, &e);
        if (e.kind == KDO_J_INVOKE) { /* dest <= source: the side arrays only shrink */
            memmove(j->seqs + nrec, j->seqs + e.u.invoke.off, e.u.invoke.n * sizeof *j->seqs);
            memmove(j->hints + nrec, j->hints + e.u.invoke.off, e.u.invoke.n * sizeof *j->hints);
            e.u.invoke.off = nrec;
            nrec += e.u.invoke.n;
        } else if (e.kind == KDO_J_REPLY) {
            memmove(j->verdicts + nver, j->verdicts + e.u.reply.off, e.u.reply.n);
            e.u.reply.off = nver;
            nver += e.u.reply.n;
        }
        npub += k < j->npub;
        j->e[n++] = e;
    }
    free(old);
    j->n = n;
    j->npub = npub;
    j->nrec = nrec;
    j->nver = nver;
}

size_t kdo_journal_count(const struct kdo_journal *j)
{
    return j->total;
}

/* The kept entry with index i, or NULL: entries are kept by increasing index. */
static struct kdo_jentry *find(const struct kdo_journal *j, size_t i)
{
    if (i < j->n && j->e[i].index == i)
        return &j->e[i]; /* nothing forgotten (yet) */
    if (j->n > 0 && i <= j->e[j->n - 1].index && j->e[j->n - 1].index - i < j->n &&
        j->e[j->n - 1 - (j->e[j->n - 1].index - i)].index == i)
        return &j->e[j->n - 1 - (j->e[j->n - 1].index - i)]; /* a recent entry */
    size_t lo = 0, hi = j->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (j->e[mid].index < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < j->n && j->e[lo].index == i ? &j->e[lo] : NULL;
}

const struct kdo_jentry *kdo_journal_at(const struct kdo_journal *j, size_t i)
{
    return find(j, i);
}

struct kdo_jentry *kdo_journal_at_mut(struct kdo_journal *j, size_t i)
{
    return find(j, i);
}

const uint64_t *kdo_journal_seqs(const struct kdo_journal *j)
{
    return j->seqs;
}

const uint64_t *kdo_journal_hints(const struct kdo_journal *j)
{
    return j->hints;
}

uint64_t *kdo_journal_hints_mut(struct kdo_journal *j)
{
    return j->hints;
}

const uint8_t *kdo_journal_verdicts(const struct kdo_journal *j)
{
    return j->verdicts;
}

uint8_t *kdo_journal_verdicts_mut(struct kdo_journal *j)
{
    return j->verdicts;
}

const char *kdo_journal_str(const struct kdo_journal *j, uint32_t s)
{
    return s < j->npool ? j->pool + s : "";
}

void kdo_journal_record_id(const char *prefix, uint64_t seq, char out[57])
{
    /* Two digits per division: this runs once per record sent. */
    static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                "8081828384858687888990919293949596979899";
    memcpy(out, prefix, 36);
    for (int i = 54; i >= 36; i -= 2) {
        memcpy(out + i, pairs + 2 * (seq % 100), 2);
        seq /= 100;
    }
    out[56] = '\0';
}
