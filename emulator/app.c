/*
 * app.c -- reading the source under backpressure, and sampling the lag.
 *
 * Output rows the destination stream cannot take yet (a tumbling window that
 * fired while the stream was full) wait in `pending`; while anything is
 * pending the source is not read, which is how "the application stops
 * processing new data" when delivery fails.
 */
#include "app.h"

#include "errors.h"
#include "query.h"

#include <stdlib.h>
#include <string.h>

struct pending {
    char *row;
    size_t len;
};

struct kdo_app {
    struct kdo_app_config cfg;
    struct kdo_source *source;
    struct kdo_window *window;
    struct kdo_delivery *delivery;
    struct kdo_journal *journal;
    struct kdo_metrics *metrics;
    kdo_time_ns next_poll, next_sample, down_until;
    struct pending *pending;
    size_t npending, cappending;
    int paused;
    struct kdo_query_sink sink; /* the query's output: emit() and error_row() */
    uint64_t row_seq;           /* the source row the query is reading, for the error stream */
};

void kdo_app_config_default(struct kdo_app_config *c)
{
    memset(c, 0, sizeof *c);
    c->poll = 200 * KDO_MS;
    c->sample = KDO_S;
    c->max_read = 1000000;
    c->window.kind = KDO_WINDOW_CONTINUOUS;
    c->window.size = KDO_MIN;
    c->window.epoch_ms = 1767225600000; /* 2026-01-01 00:00:00 UTC */
}

static void error_row(void *ctx, kdo_time_ns now, const struct kdo_query_error *e)
{
    struct kdo_app *a = ctx;
    kdo_journal_error_row(a->journal, now, a->row_seq, e->name, e->message);
}

/* Window output: straight into the destination stream, or pending. */
static int emit(void *ctx, kdo_time_ns now, const char *row, size_t len)
{
    struct kdo_app *a = ctx;
    if (a->npending == 0) {
        int err = kdo_delivery_push(a->delivery, now, row, len);
        if (err != KDO_EFULL)
            return err;
    }
    if (a->npending == a->cappending) {
        a->cappending = a->cappending ? a->cappending * 2 : 16;
        a->pending = kdo_xrealloc(a->pending, a->cappending * sizeof *a->pending);
    }
    a->pending[a->npending++] = (struct pending){kdo_xstrndup(row, len), len};
    return 0;
}

struct kdo_app *kdo_app_new(const struct kdo_app_config *cfg, struct kdo_source *source,
                            struct kdo_delivery *delivery, struct kdo_journal *journal,
                            struct kdo_metrics *metrics)
{
    struct kdo_app *a = kdo_xcalloc(1, sizeof *a);
    a->cfg = *cfg;
    a->source = source;
    a->window = kdo_window_new(&cfg->window, cfg->bugs);
    a->delivery = delivery;
    a->journal = journal;
    a->metrics = metrics;
    a->down_until = INT64_MIN;
    a->sink = (struct kdo_query_sink){emit, error_row, a};
    return a;
}

void kdo_app_free(struct kdo_app *a)
{
    if (a == NULL)
        return;
    for (size_t i = 0; i < a->npending; i++)
        free(a->pending[i].row);
    free(a->pending);
    kdo_window_free(a->window);
    kdo_source_free(a->source);
    free(a);
}

static int flush_pending(struct kdo_app *a, kdo_time_ns now)
{
    size_t i = 0;
    int err = 0;
    for (; i < a->npending; i++) {
        err = kdo_delivery_push(a->delivery, now, a->pending[i].row, a->pending[i].len);
        if (err)
            break;
        free(a->pending[i].row);
    }
    if (i > 0 && i < a->npending)
        memmove(a->pending, a->pending + i, (a->npending - i) * sizeof *a->pending);
    a->npending -= i;
    return err == KDO_EFULL ? 0 : err;
}

/* Rows a source row turns into need this much room; tumbling rows only
 * update counters. */
static int room_for(struct kdo_app *a, size_t len)
{
    if (a->npending > 0)
        return 0;
    if (a->cfg.query ? kdo_query_folds(a->cfg.query) : a->cfg.window.kind == KDO_WINDOW_TUMBLING)
        return 1;
    return kdo_delivery_has_room(a->delivery, len + KDO_WINDOW_EXTRA_BYTES);
}

static void set_paused(struct kdo_app *a, kdo_time_ns now, int paused)
{
    if (paused != a->paused)
        kdo_journal_mark(a->journal, now, paused ? KDO_J_PAUSE : KDO_J_RESUME);
    a->paused = paused;
}

/* Input metrics: one data point per read, as CloudWatch aggregates them. */
static void count_input(struct kdo_app *a, kdo_time_ns now, uint64_t rows, uint64_t bytes)
{
    if (rows == 0)
        return;
    kdo_metrics_put(a->metrics, now, KDO_METRIC_INPUT_RECORDS, (double)rows);
    kdo_metrics_put(a->metrics, now, KDO_METRIC_INPUT_BYTES, (double)bytes);
}

/* Typed rows go through the query (its windows included); a row it cannot
 * read goes to the error stream, journaled with KDA's ERROR_NAME and
 * MESSAGE.  Rows as read go through the byte-level window. */
static int through_query(struct kdo_app *a, kdo_time_ns now, const struct kdo_source_row *r)
{
    if (a->cfg.query == NULL)
        return kdo_window_input(a->window, now, r->data, r->len, emit, a);
    a->row_seq = r->seq;
    return kdo_query_input(a->cfg.query, now, r->arrival, r->data, r->len, &a->sink);
}

static kdo_time_ns window_deadline(const struct kdo_app *a)
{
    return a->cfg.query ? kdo_query_next_deadline(a->cfg.query)
                        : kdo_window_next_deadline(a->window);
}

static int read_source(struct kdo_app *a, kdo_time_ns now)
{
    struct kdo_source_row r;
    uint64_t rows = 0, bytes = 0;
    int err = flush_pending(a, now), paused = 0;
    while (err == 0 && rows < a->cfg.max_read && kdo_source_peek(a->source, &r) &&
           r.arrival <= now) {
        if (!room_for(a, r.len)) {
            paused = 1;
            break;
        }
        kdo_journal_rows(a->journal, now, KDO_J_ROWS_READ, r.seq, 1, r.len);
        rows++;
        bytes += r.len;
        err = through_query(a, now, &r);
        kdo_source_pop(a->source);
    }
    count_input(a, now, rows, bytes);
    set_paused(a, now, paused);
    return err;
}

static int64_t lag_ms(struct kdo_app *a, kdo_time_ns now)
{
    struct kdo_source_row r;
    if (!kdo_source_peek(a->source, &r) || r.arrival > now)
        return 0;
    return (now - r.arrival) / KDO_MS;
}

static void sample(struct kdo_app *a, kdo_time_ns now)
{
    struct kdo_delivery_stats st;
    kdo_delivery_stats(a->delivery, &st);
    int64_t lag = lag_ms(a, now);
    uint64_t unread = kdo_source_unread(a->source, now);
    kdo_journal_sample(a->journal, now, st.rows, st.bytes, lag, unread);
    kdo_metrics_put(a->metrics, now, KDO_METRIC_MILLIS_BEHIND_LATEST, (double)lag);
}

static kdo_time_ns grid_after(kdo_time_ns now, kdo_time_ns step)
{
    return (now / step + 1) * step;
}

int kdo_app_advance(struct kdo_app *a, kdo_time_ns now)
{
    int err = 0;
    if (now >= a->down_until) {
        if (now >= a->next_poll) {
            a->next_poll = grid_after(now, a->cfg.poll);
            err = read_source(a, now);
        }
        if (err == 0 && window_deadline(a) <= now)
            err = a->cfg.query ? kdo_query_advance(a->cfg.query, now, &a->sink)
                               : kdo_window_advance(a->window, now, emit, a);
    }
    if (now >= a->next_sample) {
        a->next_sample = grid_after(now, a->cfg.sample);
        sample(a, now);
    }
    return err;
}

kdo_time_ns kdo_app_next_deadline(const struct kdo_app *a)
{
    kdo_time_ns t = kdo_time_min(a->next_sample, window_deadline(a));
    t = kdo_time_min(t, a->next_poll);
    if (a->down_until > t)
        t = kdo_time_min(a->next_sample, a->down_until);
    return t;
}

void kdo_app_restart(struct kdo_app *a, kdo_time_ns now, kdo_time_ns downtime)
{
    a->down_until = now + downtime;
    a->next_poll = a->down_until;
}

int kdo_app_caught_up(struct kdo_app *a, kdo_time_ns now)
{
    struct kdo_source_row r;
    if (a->npending > 0 || window_deadline(a) != KDO_TIME_NEVER)
        return 0;
    return !kdo_source_peek(a->source, &r) || r.arrival > now;
}
