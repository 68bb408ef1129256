/*
 * window.c -- continuous, sliding and tumbling queries.
 *
 * The sliding window keeps the ROWTIMEs of its rows in a ring; the tumbling
 * window only counts.  Timestamps are formatted by value.c with integer civil-date
 * arithmetic (no time zone, no libc state), so output rows are identical for
 * a seed on every machine.
 */
#include "app/window.h"

#include "base/errors.h"
#include "sql/value.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kdo_window {
    struct kdo_window_config cfg;
    kdo_time_ns size;
    /* tumbling */
    kdo_time_ns start; /* current window start */
    uint64_t count, bytes;
    /* sliding */
    kdo_time_ns *times;
    size_t head, n, cap;
    char *scratch;
    size_t scratch_cap;
};

struct kdo_window *kdo_window_new(const struct kdo_window_config *cfg)
{
    struct kdo_window *w = kdo_xcalloc(1, sizeof *w);
    w->cfg = *cfg;
    w->size = cfg->size > 0 ? cfg->size : KDO_WINDOW_DEFAULT_SIZE;
    return w;
}

void kdo_window_free(struct kdo_window *w)
{
    if (w == NULL)
        return;
    free(w->times);
    free(w->scratch);
    free(w);
}

void kdo_window_timestamp(int64_t epoch_ms, kdo_time_ns t, char out[24])
{
    /* One calendar for every timestamp kdaout writes: value.c's. */
    if (kdo_timestamp_format(epoch_ms + t / KDO_MS, out) != 0)
        memcpy(out, "0000-00-00 00:00:00.000", 24);
}

static char *scratch(struct kdo_window *w, size_t n)
{
    if (n > w->scratch_cap) {
        w->scratch = kdo_xrealloc(w->scratch, n);
        w->scratch_cap = n;
    }
    return w->scratch;
}

static int sliding_input(struct kdo_window *w, kdo_time_ns rowtime, const char *row, size_t len,
                         kdo_window_emit_fn emit, void *ctx)
{
    /* RANGE INTERVAL 'size' PRECEDING: the window is [t - size, t]. */
    while (w->n > 0 && w->times[w->head] < rowtime - w->size) {
        w->head = (w->head + 1) % w->cap;
        w->n--;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 1024;
        kdo_time_ns *t = kdo_xmalloc(cap * sizeof *t);
        for (size_t i = 0; i < w->n; i++)
            t[i] = w->times[(w->head + i) % w->cap];
        free(w->times);
        w->times = t;
        w->head = 0;
        w->cap = cap;
    }
    w->times[(w->head + w->n++) % w->cap] = rowtime;
    /* The input row with one more column, when it is a JSON object. */
    char *out = scratch(w, len + KDO_WINDOW_EXTRA_BYTES);
    size_t body = len > 0 && row[len - 1] == '}' ? len - 1 : len;
    memcpy(out, row, body);
    int n = snprintf(out + body, KDO_WINDOW_EXTRA_BYTES, "%s\"ROWS_IN_WINDOW\":%zu}",
                     body > 1 ? "," : "", w->n);
    if (body == len)
        n = 0; /* not an object: pass it through unchanged */
    return emit(ctx, rowtime, out, body + (size_t)n);
}

/* Closes the window ending at `end`; its row enters the stream at `now`
 * (later than `end` when the application was down at the trigger). */
static int tumbling_fire(struct kdo_window *w, kdo_time_ns end, kdo_time_ns now,
                         kdo_window_emit_fn emit, void *ctx)
{
    char a[24], b[24], row[160];
    int err = 0;
    if (w->count > 0) {
        kdo_window_timestamp(w->cfg.epoch_ms, w->start, a);
        kdo_window_timestamp(w->cfg.epoch_ms, end, b);
        int n = snprintf(row, sizeof row,
                         "{\"WINDOW_START\":\"%s\",\"WINDOW_END\":\"%s\",\"ROW_COUNT\":%llu,"
                         "\"INPUT_BYTES\":%llu}",
                         a, b, (unsigned long long)w->count, (unsigned long long)w->bytes);
        err = emit(ctx, now, row, (size_t)n);
    }
    w->start = end;
    w->count = w->bytes = 0;
    return err;
}

int kdo_window_input(struct kdo_window *w, kdo_time_ns rowtime, const char *row, size_t len,
                     kdo_window_emit_fn emit, void *ctx)
{
    switch (w->cfg.kind) {
    case KDO_WINDOW_SLIDING:
        return sliding_input(w, rowtime, row, len, emit, ctx);
    case KDO_WINDOW_TUMBLING: {
        int err = kdo_window_advance(w, rowtime, emit, ctx);
        w->count++;
        w->bytes += len;
        return err;
    }
    default:
        return emit(ctx, rowtime, row, len);
    }
}

kdo_time_ns kdo_window_next_deadline(const struct kdo_window *w)
{
    if (w->cfg.kind != KDO_WINDOW_TUMBLING || w->count == 0)
        return KDO_TIME_NEVER;
    return w->start + w->size;
}

int kdo_window_advance(struct kdo_window *w, kdo_time_ns now, kdo_window_emit_fn emit, void *ctx)
{
    if (w->cfg.kind != KDO_WINDOW_TUMBLING)
        return 0;
    int err = 0;
    if (w->count == 0 && now >= w->start + w->size) /* empty windows fire nothing */
        w->start = now / w->size * w->size;
    while (err == 0 && now >= w->start + w->size)
        err = tumbling_fire(w, w->start + w->size, now, emit, ctx);
    return err;
}
