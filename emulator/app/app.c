/*
 * app.c -- reading the source under backpressure, and sampling the lag.
 *
 * Each destination (output) has its own query or window, destination stream
 * (delivery lane), journal and metrics.  Output rows a stream cannot take
 * yet (a tumbling window that fired while the stream was full) wait in that
 * output's `pending`.  The source is read once for every output, so a row is
 * read only when every output can take what it makes: while any output has
 * rows pending or a full stream, the source is not read -- how "the
 * application stops processing new data" when delivery fails, and why one
 * failing destination, once its stream fills, holds the others back too.
 * Every journal gets the application's own entries (rows read, pauses,
 * samples), so each tells its destination's whole story.
 *
 * Reading follows the rows, not a grid: the next read is due at the next
 * row's arrival; while paused, it is due the moment a stream has room again
 * (next_deadline() looks at the streams, which change when delivery
 * advances after us in the same instant).  A read takes every row that
 * arrived before the end of the current millisecond, so one step per
 * millisecond at most, and ROWTIME -- the read instant in whole ms, made
 * monotonic -- is the same for all of them.
 */
#include "app/app.h"

#include "base/errors.h"
#include "sql/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pending {
    char *row;
    size_t len;
};

struct output {
    struct kdo_app_output o;
    struct kdo_app *app;
    struct kdo_window *window; /* rows as read (no query) */
    struct pending *pending;
    size_t npending, cappending;
    struct kdo_query_sink sink; /* the query's output: emit() and error_row() */
    char pump[32];              /* PUMP_NAME: STREAM_PUMP, then STREAM_PUMP_2 ... */
};

struct kdo_app {
    struct kdo_app_config cfg;
    struct kdo_source *source;
    struct output out[KDO_APP_MAX_OUTPUTS];
    size_t nout;
    kdo_time_ns now;       /* the last advance's instant: rows enter the streams then */
    kdo_time_ns next_read; /* the next row's arrival (backlog: at or before now), or NEVER */
    kdo_time_ns next_sample, down_until;
    kdo_time_ns rowtime;   /* the last row read's ROWTIME (whole ms) */
    size_t blocked_len;    /* paused: the size of the row no stream had room for */
    int paused;
    uint64_t row_seq; /* the source row being read, for the error stream */
    struct kdo_program_sink psink; /* the program's output: per-output emit, every error stream */
    unsigned nsources;             /* the program's input streams */
};

void kdo_app_config_default(struct kdo_app_config *c)
{
    memset(c, 0, sizeof *c);
    c->sample = KDO_S;
    c->max_read = 1000000;
    c->window.kind = KDO_WINDOW_CONTINUOUS;
    c->window.size = KDO_MIN;
    c->window.epoch_ms = 1767225600000; /* 2026-01-01 00:00:00 UTC */
}

/* A row for the output's in-application error stream, with KDA's columns.
 * The error happens at the step's instant, not at `rowtime` (see emit). */
static void error_row(void *ctx, kdo_time_ns rowtime, const struct kdo_query_error *e)
{
    struct output *o = ctx;
    kdo_time_ns now = o->app->now;
    (void)rowtime;
    struct kdo_error_row r = {
        .row = e->data ? o->app->row_seq : UINT64_MAX, .name = e->name, .message = e->message,
        .data = e->data, .data_len = e->data_len,
        .time_ms = o->app->cfg.window.epoch_ms + now / KDO_MS, .data_rowtime_ms = e->rowtime_ms,
        .pump = e->pump ? e->pump : o->pump,
    };
    kdo_journal_error_stream(o->o.journal, now, &r);
}

/* Window output: straight into the destination stream, or pending.  It
 * enters the stream at the step's instant, not at `rowtime` (the whole ms
 * the query worked with, up to 1 ms earlier: the stream's clock never goes
 * back). */
static int emit(void *ctx, kdo_time_ns rowtime, const char *row, size_t len)
{
    struct output *o = ctx;
    kdo_time_ns now = o->app->now;
    (void)rowtime;
    if (o->npending == 0) {
        int err = kdo_delivery_push(o->o.delivery, now, row, len);
        if (err != KDO_EFULL)
            return err;
    }
    if (o->npending == o->cappending) {
        o->cappending = o->cappending ? o->cappending * 2 : 16;
        o->pending = kdo_xrealloc(o->pending, o->cappending * sizeof *o->pending);
    }
    o->pending[o->npending++] = (struct pending){kdo_xstrndup(row, len), len};
    return 0;
}

static int program_row(void *ctx, size_t output, kdo_time_ns rowtime, const char *row,
                       size_t len)
{
    struct kdo_app *a = ctx;
    return output < a->nout ? emit(&a->out[output], rowtime, row, len) : 0;
}

/* The program's error stream is the application's: every destination's journal gets it. */
static void program_error(void *ctx, kdo_time_ns rowtime, const struct kdo_query_error *e)
{
    struct kdo_app *a = ctx;
    for (size_t i = 0; i < a->nout; i++)
        error_row(&a->out[i], rowtime, e);
}

struct kdo_app *kdo_app_new_outputs(const struct kdo_app_config *cfg, struct kdo_source *source,
                                    const struct kdo_app_output *outs, size_t nouts)
{
    struct kdo_app *a = kdo_xcalloc(1, sizeof *a);
    a->cfg = *cfg;
    a->source = source;
    a->nout = nouts < KDO_APP_MAX_OUTPUTS ? nouts : KDO_APP_MAX_OUTPUTS;
    for (size_t i = 0; i < a->nout; i++) {
        struct output *o = &a->out[i];
        o->o = outs[i];
        o->app = a;
        o->window = kdo_window_new(&cfg->window);
        o->sink = (struct kdo_query_sink){emit, error_row, o, NULL};
        if (i == 0)
            snprintf(o->pump, sizeof o->pump, "STREAM_PUMP");
        else
            snprintf(o->pump, sizeof o->pump, "STREAM_PUMP_%u", (unsigned)(i + 1) % 10u);
    }
    if (a->cfg.max_read == 0)
        a->cfg.max_read = 1; /* a step must read something, or it would repeat forever */
    a->down_until = INT64_MIN;
    a->rowtime = INT64_MIN;
    a->psink = (struct kdo_program_sink){program_row, program_error, a};
    a->nsources = cfg->program ? kdo_program_sources(cfg->program) : 1;
    return a;
}

struct kdo_app *kdo_app_new(const struct kdo_app_config *cfg, struct kdo_source *source,
                            struct kdo_delivery *delivery, struct kdo_journal *journal,
                            struct kdo_metrics *metrics)
{
    struct kdo_app_output o = {NULL, delivery, journal, metrics, cfg->query};
    return kdo_app_new_outputs(cfg, source, &o, 1);
}

void kdo_app_free(struct kdo_app *a)
{
    if (a == NULL)
        return;
    for (size_t k = 0; k < a->nout; k++) {
        struct output *o = &a->out[k];
        for (size_t i = 0; i < o->npending; i++)
            free(o->pending[i].row);
        free(o->pending);
        kdo_window_free(o->window);
    }
    kdo_source_free(a->source);
    free(a);
}

static int flush_pending(struct output *o, kdo_time_ns now)
{
    size_t i = 0;
    int err = 0;
    for (; i < o->npending; i++) {
        err = kdo_delivery_push(o->o.delivery, now, o->pending[i].row, o->pending[i].len);
        if (err)
            break;
        free(o->pending[i].row);
    }
    if (i > 0 && i < o->npending)
        memmove(o->pending, o->pending + i, (o->npending - i) * sizeof *o->pending);
    o->npending -= i;
    return err == KDO_EFULL ? 0 : err;
}

/* 1 when output i gets no row straight from a source row (only aggregates). */
static int folds(const struct kdo_app *a, size_t i)
{
    const struct output *o = &a->out[i];
    if (a->cfg.program)
        return kdo_program_folds(a->cfg.program, i);
    return o->o.query ? kdo_query_folds(o->o.query) : a->cfg.window.kind == KDO_WINDOW_TUMBLING;
}

/* The output that cannot take what a source row of `len` bytes makes, or
 * NULL when all can.  Rows that only fold into aggregates need no room. */
static const struct output *full_output(const struct kdo_app *a, size_t len)
{
    for (size_t i = 0; i < a->nout; i++) {
        const struct output *o = &a->out[i];
        if (o->npending > 0)
            return o;
        if (folds(a, i))
            continue;
        if (!kdo_delivery_has_room(o->o.delivery, len + KDO_WINDOW_EXTRA_BYTES))
            return o;
    }
    return NULL;
}

static void set_paused(struct kdo_app *a, kdo_time_ns now, const struct output *full)
{
    int paused = full != NULL;
    for (size_t i = 0; paused != a->paused && i < a->nout; i++) {
        if (paused)
            kdo_journal_pause(a->out[i].o.journal, now, a->nout > 1 ? full->o.id : NULL);
        else
            kdo_journal_mark(a->out[i].o.journal, now, KDO_J_RESUME);
    }
    a->paused = paused;
}

/* Input metrics: one data point per read, as CloudWatch aggregates them. */
static void count_input(struct kdo_app *a, kdo_time_ns now, uint64_t rows, uint64_t bytes)
{
    for (size_t i = 0; rows > 0 && i < a->nout; i++) {
        kdo_metrics_put(a->out[i].o.metrics, now, KDO_METRIC_INPUT_RECORDS, (double)rows);
        kdo_metrics_put(a->out[i].o.metrics, now, KDO_METRIC_INPUT_BYTES, (double)bytes);
    }
}

/* Typed rows go through the output's query (its windows included); a row
 * it cannot read goes to its error stream, journaled with KDA's ERROR_NAME
 * and MESSAGE.  Rows as read go through the byte-level window. */
static int through_query(struct output *o, kdo_time_ns rowtime, const struct kdo_source_row *r)
{
    if (o->o.query == NULL)
        return kdo_window_input(o->window, rowtime, r->data, r->len, emit, o);
    return kdo_query_input(o->o.query, rowtime, r->arrival, r->data, r->len, &o->sink);
}

/* ROWTIME of a row read at `now`: whole milliseconds (TIMESTAMP's
 * precision), never below the previous row's. */
static kdo_time_ns rowtime_at(const struct kdo_app *a, kdo_time_ns now)
{
    kdo_time_ns t = now - now % KDO_MS;
    return t > a->rowtime ? t : a->rowtime;
}

/* Reads the rows that arrived before the end of now's millisecond (rows a
 * few hundred microseconds early share the ROWTIME they would get anyway),
 * while every stream has room, at most max_read. */
static int read_source(struct kdo_app *a, kdo_time_ns now)
{
    struct kdo_source_row r;
    const struct output *full = NULL;
    uint64_t rows = 0, bytes = 0;
    kdo_time_ns rowtime = rowtime_at(a, now), ms_end = now - now % KDO_MS + KDO_MS;
    int err = 0, more = 0;
    for (size_t i = 0; err == 0 && i < a->nout; i++)
        err = flush_pending(&a->out[i], now);
    while (err == 0 && (more = kdo_source_peek(a->source, &r)) && r.arrival < ms_end &&
           rows < a->cfg.max_read) {
        if ((full = full_output(a, r.len)) != NULL) {
            a->blocked_len = r.len;
            break;
        }
        for (size_t i = 0; i < a->nout; i++)
            kdo_journal_rows(a->out[i].o.journal, now, KDO_J_ROWS_READ, r.seq, 1, r.len);
        rows++;
        bytes += r.len;
        a->row_seq = r.seq;
        a->rowtime = rowtime;
        if (a->cfg.program) /* dealt round-robin to the input streams, as shards are */
            err = kdo_program_input(a->cfg.program, (unsigned)(r.seq % a->nsources), rowtime,
                                    r.arrival, r.data, r.len, &a->psink);
        for (size_t i = 0; err == 0 && !a->cfg.program && i < a->nout; i++)
            err = through_query(&a->out[i], rowtime, &r);
        kdo_source_pop(a->source);
    }
    a->next_read = err == 0 && more ? r.arrival : KDO_TIME_NEVER;
    count_input(a, now, rows, bytes);
    set_paused(a, now, full);
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
    int64_t lag = lag_ms(a, now);
    uint64_t unread = kdo_source_unread(a->source, now);
    for (size_t i = 0; i < a->nout; i++) {
        struct kdo_delivery_stats st;
        kdo_delivery_stats(a->out[i].o.delivery, &st);
        kdo_journal_sample(a->out[i].o.journal, now, st.rows, st.bytes, lag, unread);
        kdo_metrics_put(a->out[i].o.metrics, now, KDO_METRIC_MILLIS_BEHIND_LATEST, (double)lag);
    }
}

static kdo_time_ns grid_after(kdo_time_ns now, kdo_time_ns step)
{
    return (now / step + 1) * step;
}

static kdo_time_ns window_deadline(const struct output *o)
{
    if (o->app->cfg.program)
        return kdo_program_next_deadline(o->app->cfg.program);
    return o->o.query ? kdo_query_next_deadline(o->o.query) : kdo_window_next_deadline(o->window);
}

static int advance_windows(struct kdo_app *a, kdo_time_ns now)
{
    int err = 0;
    if (a->cfg.program)
        return kdo_program_next_deadline(a->cfg.program) <= now
                   ? kdo_program_advance(a->cfg.program, now, &a->psink) : 0;
    for (size_t i = 0; err == 0 && i < a->nout; i++) {
        struct output *o = &a->out[i];
        if (window_deadline(o) <= now)
            err = o->o.query ? kdo_query_advance(o->o.query, now, &o->sink)
                             : kdo_window_advance(o->window, now, emit, o);
    }
    return err;
}

/* 1 when a stream that was full can take what waits for it: the first of
 * an output's pending rows, or (paused) the source row that found no room. */
static int room_freed(const struct kdo_app *a)
{
    for (size_t i = 0; i < a->nout; i++) {
        const struct output *o = &a->out[i];
        if (o->npending > 0 && kdo_delivery_has_room(o->o.delivery, o->pending[0].len))
            return 1;
    }
    return a->paused && full_output(a, a->blocked_len) == NULL;
}

/* When the source is next read: at the next arrival (a backlog: now), or
 * -- paused -- the moment room frees, which delivery's advance after ours
 * makes known: then at once (the last step's instant). */
static kdo_time_ns read_deadline(const struct kdo_app *a)
{
    kdo_time_ns t = a->paused ? KDO_TIME_NEVER : a->next_read;
    if (t > a->now && room_freed(a))
        t = a->now;
    return t > a->now ? t : a->now;
}

int kdo_app_advance(struct kdo_app *a, kdo_time_ns now)
{
    int err = 0;
    a->now = now;
    if (now >= a->down_until) {
        if ((!a->paused && a->next_read <= now) || room_freed(a))
            err = read_source(a, now);
        if (err == 0)
            err = advance_windows(a, now);
    }
    if (now >= a->next_sample) {
        a->next_sample = grid_after(now, a->cfg.sample);
        sample(a, now);
    }
    return err;
}

kdo_time_ns kdo_app_next_deadline(const struct kdo_app *a)
{
    kdo_time_ns t = kdo_time_min(a->next_sample, read_deadline(a));
    for (size_t i = 0; i < a->nout; i++)
        t = kdo_time_min(t, window_deadline(&a->out[i]));
    if (a->down_until > t)
        t = kdo_time_min(a->next_sample, a->down_until);
    return t;
}

void kdo_app_restart(struct kdo_app *a, kdo_time_ns now, kdo_time_ns downtime)
{
    a->down_until = now + downtime;
}

int kdo_app_caught_up(struct kdo_app *a, kdo_time_ns now)
{
    struct kdo_source_row r;
    for (size_t i = 0; i < a->nout; i++)
        if (a->out[i].npending > 0 || window_deadline(&a->out[i]) != KDO_TIME_NEVER)
            return 0;
    return !kdo_source_peek(a->source, &r) || r.arrival > now;
}
