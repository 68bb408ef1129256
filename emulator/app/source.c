/*
 * source.c -- merging source segments by arrival time.
 *
 * The k-th row of a RATE segment arrives at from + k / rate, computed from k
 * each time (no accumulated rounding); ties between segments go to the
 * earlier segment, so the order is fixed by the configuration.  Rows with
 * their own times (row_times) are counted by binary search: a replayed file
 * may hold millions of rows.
 */
#include "app/source.h"

#include "base/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Generated rows come from a pool of up to POOL rows, at most POOL_BYTES in
 * all (512 KB rows would otherwise take 128 MB). */
#define POOL 256
#define POOL_BYTES ((size_t)16 << 20)

struct cursor {
    uint64_t k; /* rows produced by this segment */
};

struct kdo_source {
    struct kdo_source_config cfg;
    struct cursor *cur;
    kdo_time_ns end;
    struct kdo_rng *rng;
    char *pool[POOL];
    size_t pool_len[POOL];
    size_t npool;
    uint64_t consumed;
    int peeked; /* segment index of the peeked row, or -1 */
    struct kdo_source_row row;
};

void kdo_source_config_copy(struct kdo_source_config *dst, const struct kdo_source_config *src)
{
    *dst = *src;
    dst->segments = kdo_xcalloc(src->nsegments, sizeof *dst->segments);
    for (size_t i = 0; i < src->nsegments; i++) {
        dst->segments[i] = src->segments[i];
        const struct kdo_source_segment *g = &src->segments[i];
        if (g->row)
            dst->segments[i].row = kdo_xstrndup(g->row, g->row_len);
        if (g->nrows) {
            size_t bytes = g->row_ends[g->nrows - 1];
            dst->segments[i].rows = kdo_xmalloc(bytes ? bytes : 1);
            memcpy(dst->segments[i].rows, g->rows, bytes);
            dst->segments[i].row_ends = kdo_xmalloc(g->nrows * sizeof *g->row_ends);
            memcpy(dst->segments[i].row_ends, g->row_ends, g->nrows * sizeof *g->row_ends);
        }
        if (g->nrows && g->row_times) {
            dst->segments[i].row_times = kdo_xmalloc(g->nrows * sizeof *g->row_times);
            memcpy(dst->segments[i].row_times, g->row_times, g->nrows * sizeof *g->row_times);
        } else {
            dst->segments[i].row_times = NULL;
        }
    }
}

void kdo_source_config_cleanup(struct kdo_source_config *c)
{
    for (size_t i = 0; i < c->nsegments; i++) {
        free(c->segments[i].row);
        free(c->segments[i].rows);
        free(c->segments[i].row_ends);
        free(c->segments[i].row_times);
    }
    free(c->segments);
    c->segments = NULL;
    c->nsegments = 0;
}

void kdo_source_segment_add_row(struct kdo_source_segment *g, const char *row, size_t len)
{
    size_t start = g->nrows ? g->row_ends[g->nrows - 1] : 0;
    g->rows = kdo_xrealloc(g->rows, start + len + 1);
    memcpy(g->rows + start, row, len);
    g->row_ends = kdo_xrealloc(g->row_ends, (g->nrows + 1) * sizeof *g->row_ends);
    g->row_ends[g->nrows++] = start + len;
}

void kdo_source_segment_add_row_at(struct kdo_source_segment *g, const char *row, size_t len,
                                   kdo_time_ns at)
{
    g->row_times = kdo_xrealloc(g->row_times, (g->nrows + 1) * sizeof *g->row_times);
    g->row_times[g->nrows] = at;
    kdo_source_segment_add_row(g, row, len);
}

static const char *const tickers[][2] = {
    {"AMZN", "TECHNOLOGY"}, {"MSFT", "TECHNOLOGY"}, {"AAPL", "TECHNOLOGY"}, {"IBM", "TECHNOLOGY"},
    {"NFLX", "TECHNOLOGY"}, {"JPM", "FINANCIAL"},   {"BAC", "FINANCIAL"},   {"WFC", "FINANCIAL"},
    {"XOM", "ENERGY"},      {"CVX", "ENERGY"},      {"PFE", "HEALTHCARE"},  {"JNJ", "HEALTHCARE"},
    {"KO", "RETAIL"},       {"WMT", "RETAIL"},      {"TGT", "RETAIL"},      {"CRM", "TECHNOLOGY"},
};

/* One demo row, padded to exactly `size` bytes when that is larger than the
 * row: with a PAD column when there is room for one, else with blanks before
 * the closing brace (JSON allows both). */
static char *ticker_row(struct kdo_rng *rng, size_t size, size_t *len)
{
    char base[160];
    size_t t = kdo_rng_below(rng, sizeof tickers / sizeof tickers[0]);
    long change_c = (long)kdo_rng_below(rng, 2001) - 1000; /* -10.00 .. 10.00 */
    long price_c = 1000 + (long)kdo_rng_below(rng, 99000);  /* 10.00 .. 999.99 */
    int n = snprintf(base, sizeof base,
                     "{\"TICKER_SYMBOL\":\"%s\",\"SECTOR\":\"%s\",\"CHANGE\":%s%ld.%02ld,\"PRICE\":%ld.%02ld",
                     tickers[t][0], tickers[t][1], change_c < 0 ? "-" : "", labs(change_c) / 100,
                     labs(change_c) % 100, price_c / 100, price_c % 100);
    static const char pad_head[] = ",\"PAD\":\"";
    size_t pad_overhead = sizeof pad_head - 1 + 2; /* ,"PAD":" + "} */
    size_t total = size > (size_t)n + 1 ? size : (size_t)n + 1;
    char *row = kdo_xmalloc(total + 1);
    char *o = row + n;
    memcpy(row, base, (size_t)n);
    if (total >= (size_t)n + pad_overhead) {
        size_t pad = total - (size_t)n - pad_overhead;
        memcpy(o, pad_head, sizeof pad_head - 1);
        memset(o + sizeof pad_head - 1, 'x', pad);
        memcpy(o + sizeof pad_head - 1 + pad, "\"}", 2);
    } else {
        memset(o, ' ', total - (size_t)n - 1);
        row[total - 1] = '}';
    }
    row[total] = '\0';
    *len = total;
    return row;
}

struct kdo_source *kdo_source_new(const struct kdo_source_config *cfg, kdo_time_ns end,
                                  struct kdo_rng *rng)
{
    struct kdo_source *s = kdo_xcalloc(1, sizeof *s);
    kdo_source_config_copy(&s->cfg, cfg);
    s->cur = kdo_xcalloc(cfg->nsegments ? cfg->nsegments : 1, sizeof *s->cur);
    s->end = end;
    s->rng = rng;
    s->peeked = -1;
    s->npool = cfg->row_size > 0 ? POOL_BYTES / cfg->row_size : POOL;
    s->npool = s->npool < 1 ? 1 : s->npool > POOL ? POOL : s->npool;
    for (size_t i = 0; i < s->npool; i++)
        s->pool[i] = ticker_row(rng, cfg->row_size, &s->pool_len[i]);
    return s;
}

void kdo_source_free(struct kdo_source *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->npool; i++)
        free(s->pool[i]);
    kdo_source_config_cleanup(&s->cfg);
    free(s->cur);
    free(s);
}

/* Arrival time of segment i's next row, or KDO_TIME_NEVER. */
static kdo_time_ns segment_next(const struct kdo_source *s, size_t i)
{
    const struct kdo_source_segment *g = &s->cfg.segments[i];
    uint64_t k = s->cur[i].k;
    kdo_time_ns t;
    switch (g->kind) {
    case KDO_SEGMENT_RATE:
        if (g->rate <= 0)
            return KDO_TIME_NEVER;
        t = g->from + (kdo_time_ns)((double)k * 1e9 / g->rate);
        if (t >= g->until)
            return KDO_TIME_NEVER;
        break;
    case KDO_SEGMENT_BURST:
        if (k >= g->count)
            return KDO_TIME_NEVER;
        t = g->from;
        break;
    case KDO_SEGMENT_ROWS:
        if (k >= g->nrows)
            return KDO_TIME_NEVER;
        if (g->row_times) {
            t = g->row_times[k];
            break;
        }
        t = g->rate > 0 ? g->from + (kdo_time_ns)((double)k * 1e9 / g->rate) : g->from;
        if (t >= g->until)
            return KDO_TIME_NEVER;
        break;
    default:
        if (k >= 1)
            return KDO_TIME_NEVER;
        t = g->from;
    }
    return t < s->end ? t : KDO_TIME_NEVER;
}

int kdo_source_peek(struct kdo_source *s, struct kdo_source_row *out)
{
    if (s->peeked < 0) {
        kdo_time_ns best = KDO_TIME_NEVER;
        for (size_t i = 0; i < s->cfg.nsegments; i++) {
            kdo_time_ns t = segment_next(s, i);
            if (t < best) {
                best = t;
                s->peeked = (int)i;
            }
        }
        if (s->peeked < 0)
            return 0;
        const struct kdo_source_segment *g = &s->cfg.segments[s->peeked];
        s->row.seq = s->consumed;
        s->row.arrival = best;
        if (g->kind == KDO_SEGMENT_ROWS) {
            uint64_t k = s->cur[s->peeked].k;
            size_t start = k ? g->row_ends[k - 1] : 0;
            s->row.data = g->rows + start;
            s->row.len = g->row_ends[k] - start;
        } else if (g->row) {
            s->row.data = g->row;
            s->row.len = g->row_len;
        } else {
            size_t p = kdo_rng_below(s->rng, s->npool);
            s->row.data = s->pool[p];
            s->row.len = s->pool_len[p];
        }
    }
    *out = s->row;
    return 1;
}

void kdo_source_pop(struct kdo_source *s)
{
    if (s->peeked < 0)
        return;
    s->cur[s->peeked].k++;
    s->peeked = -1;
    s->consumed++;
}

static kdo_time_ns rate_arrival(const struct kdo_source_segment *g, uint64_t k)
{
    return g->from + (kdo_time_ns)((double)k * 1e9 / g->rate);
}

/* How many rows of a RATE segment arrive at or before t (inclusive) or
 * strictly before t: a closed-form estimate corrected by at most a step or
 * two for the truncation in rate_arrival(). */
static uint64_t rate_count(const struct kdo_source_segment *g, kdo_time_ns t, int inclusive)
{
    if (t < g->from || (!inclusive && t == g->from))
        return 0;
    uint64_t n = (uint64_t)((double)(t - g->from) * g->rate / 1e9) + 1;
    while (n > 0 && (inclusive ? rate_arrival(g, n - 1) > t : rate_arrival(g, n - 1) >= t))
        n--;
    while (inclusive ? rate_arrival(g, n) <= t : rate_arrival(g, n) < t)
        n++;
    return n;
}

/* Timed rows arriving at or before now: the first index whose time is
 * later (the times do not decrease). */
static uint64_t timed_count(const struct kdo_source_segment *g, kdo_time_ns now)
{
    size_t lo = 0, hi = g->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->row_times[mid] <= now)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Rows of segment g with arrival <= now (ignoring what was consumed). */
static uint64_t arrived(const struct kdo_source *s, const struct kdo_source_segment *g,
                        kdo_time_ns now)
{
    kdo_time_ns stop = kdo_time_min(g->until, s->end);
    if (g->kind == KDO_SEGMENT_ROWS && g->row_times)
        return timed_count(g, kdo_time_min(now, s->end - 1));
    if (now < g->from)
        return 0;
    if (g->kind == KDO_SEGMENT_BURST)
        return g->from < s->end ? g->count : 0;
    if (g->kind == KDO_SEGMENT_INJECT)
        return g->from < s->end;
    if (g->kind == KDO_SEGMENT_ROWS && g->rate <= 0)
        return g->from < s->end ? g->nrows : 0;
    if (g->rate <= 0)
        return 0;
    uint64_t n = rate_count(g, now, 1);
    if (g->kind == KDO_SEGMENT_ROWS && n > g->nrows)
        n = g->nrows;
    if (stop != KDO_TIME_NEVER) {
        uint64_t most = rate_count(g, stop, 0);
        n = n < most ? n : most;
    }
    return n;
}

uint64_t kdo_source_unread(const struct kdo_source *s, kdo_time_ns now)
{
    uint64_t left = 0;
    for (size_t i = 0; i < s->cfg.nsegments; i++) {
        uint64_t a = arrived(s, &s->cfg.segments[i], now);
        left += a > s->cur[i].k ? a - s->cur[i].k : 0;
    }
    return left;
}

uint64_t kdo_source_consumed(const struct kdo_source *s)
{
    return s->consumed;
}
