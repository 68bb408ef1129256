/*
 * test_app.c -- the application: reading, ROWTIME, backpressure and lag, by hand.
 */
#include "app/app.h"
#include "base/errors.h"
#include "delivery/transport.h"
#include "lambda/fake_lambda.h"
#include "sql/query.h"
#include "transport/transport_inproc.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_rng rng;
static struct kdo_journal *jr;
static struct kdo_metrics *mt;
static struct kdo_fake_lambda *fake;
static struct kdo_transport *tr;
static struct kdo_delivery *dl;
static struct kdo_app *app;

static void make(enum kdo_fault_action action, size_t buffer_rows, enum kdo_window_kind kind)
{
    kdo_rng_init(&rng, 5);
    jr = kdo_journal_new();
    mt = kdo_metrics_new();
    struct kdo_fake_lambda_config fc;
    kdo_fake_lambda_config_default(&fc);
    struct kdo_fault_rule *rules = kdo_xcalloc(1, sizeof *rules);
    kdo_fault_rule_init(rules);
    rules->action = action;
    fake = kdo_fake_lambda_new(&fc, rules, 1, &rng);
    tr = kdo_transport_inproc_new(fake);
    struct kdo_delivery_config dc;
    kdo_delivery_config_default(&dc);
    dc.buffer_rows = buffer_rows;
    if (kind == KDO_WINDOW_TUMBLING)
        dc.cadence = 0;
    dl = kdo_delivery_new(&dc, tr, jr, mt, &rng);
    struct kdo_source_segment seg = {.kind = KDO_SEGMENT_RATE, .from = 0,
                                     .until = KDO_TIME_NEVER, .rate = 100};
    struct kdo_source_config sc = {.row_size = 0, .segments = &seg, .nsegments = 1};
    struct kdo_app_config ac;
    kdo_app_config_default(&ac);
    ac.window.kind = kind;
    ac.window.size = 10 * KDO_S;
    app = kdo_app_new(&ac, kdo_source_new(&sc, KDO_TIME_NEVER, &rng), dl, jr, mt);
}

static void teardown(void)
{
    kdo_app_free(app);
    kdo_delivery_free(dl);
    kdo_transport_free(tr);
    kdo_fake_lambda_free(fake);
    kdo_journal_free(jr);
    kdo_metrics_free(mt);
}

/* Drives app then delivery at every deadline up to `until`. */
static void run_until(kdo_time_ns until)
{
    for (;;) {
        kdo_time_ns t = kdo_time_min(kdo_app_next_deadline(app), kdo_delivery_next_deadline(dl));
        if (t > until)
            return;
        ck_assert_int_eq(kdo_app_advance(app, t), 0);
        ck_assert_int_eq(kdo_delivery_advance(dl, t), 0);
    }
}

static const struct kdo_jentry *last_sample(void)
{
    for (size_t i = kdo_journal_count(jr); i-- > 0;)
        if (kdo_journal_at(jr, i)->kind == KDO_J_SAMPLE)
            return kdo_journal_at(jr, i);
    return NULL;
}

static int count(enum kdo_jkind kind)
{
    int n = 0;
    for (size_t i = 0; i < kdo_journal_count(jr); i++)
        n += kdo_journal_at(jr, i)->kind == kind;
    return n;
}

START_TEST(keeping_up_means_no_lag)
{
    make(KDO_FAULT_OK, 100000, KDO_WINDOW_CONTINUOUS);
    run_until(30 * KDO_S);
    const struct kdo_jentry *s = last_sample();
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->u.sample.lag_ms, 0);
    ck_assert_int_eq(count(KDO_J_PAUSE), 0);
    ck_assert_double_eq(kdo_metrics_total(mt, KDO_METRIC_INPUT_RECORDS)->sum, 3001);
    teardown();
}
END_TEST

START_TEST(a_full_stream_pauses_the_source_and_lag_grows)
{
    make(KDO_FAULT_FUNCTION_ERROR, 50, KDO_WINDOW_CONTINUOUS);
    run_until(10 * KDO_S);
    ck_assert_int_eq(count(KDO_J_PAUSE), 1);
    const struct kdo_jentry *s = last_sample();
    /* 50 rows fill the stream by 0.5 s; the oldest unread row arrived at 0.5 s. */
    ck_assert_int_ge(s->u.sample.lag_ms, 9000);
    ck_assert_int_le(s->u.sample.lag_ms, 9500);
    ck_assert_uint_eq(s->u.sample.rows, 50);
    ck_assert_uint_ge(s->u.sample.unread, 940);
    run_until(20 * KDO_S);
    ck_assert_int_ge(last_sample()->u.sample.lag_ms, 19000);
    teardown();
}
END_TEST

START_TEST(a_restart_stops_reading_for_its_downtime)
{
    make(KDO_FAULT_OK, 100000, KDO_WINDOW_CONTINUOUS);
    run_until(5 * KDO_S);
    kdo_app_restart(app, 5 * KDO_S, 3 * KDO_S);
    kdo_delivery_restart(dl, 5 * KDO_S, 3 * KDO_S);
    run_until(7 * KDO_S);
    ck_assert_int_ge(last_sample()->u.sample.lag_ms, 1900);
    run_until(10 * KDO_S);
    ck_assert_int_eq(last_sample()->u.sample.lag_ms, 0);
    teardown();
}
END_TEST

START_TEST(tumbling_rows_go_out_at_the_trigger)
{
    make(KDO_FAULT_OK, 100000, KDO_WINDOW_TUMBLING);
    run_until(35 * KDO_S);
    int invokes = count(KDO_J_INVOKE);
    ck_assert_int_eq(invokes, 3); /* windows ending at 10, 20 and 30 s */
    for (size_t i = 0, k = 0; i < kdo_journal_count(jr); i++) {
        const struct kdo_jentry *e = kdo_journal_at(jr, i);
        if (e->kind == KDO_J_INVOKE)
            ck_assert_int_eq(e->t, (kdo_time_ns)(++k) * 10 * KDO_S);
    }
    teardown();
}
END_TEST

/* ---- several destinations ----------------------------------------------- */

/* One destination of a multi-output app, with its own fake, transport,
 * delivery lane, journal and metrics (all owned here). */
struct out_spec {
    const char *id;
    enum kdo_fault_action action;
    kdo_time_ns fault_until; /* the fault ends here (KDO_TIME_NEVER: never) */
    size_t buffer_rows;
    kdo_time_ns cadence;
    const struct kdo_query_config *query; /* NULL: rows as read */
};

struct lane {
    struct kdo_journal *journal;
    struct kdo_metrics *metrics;
    struct kdo_fake_lambda *fake;
    struct kdo_transport *transport;
    struct kdo_delivery *delivery;
    struct kdo_query *query;
};

static struct lane lanes[KDO_APP_MAX_OUTPUTS];
static size_t nlanes;
/* make_outputs()'s application settings, when a test changes them. */
static uint64_t max_read_set;               /* 0: the default */
static const struct kdo_window_config *window_set; /* NULL: the default */
static struct kdo_program *program_set;            /* NULL: none */

static void make_outputs(const struct out_spec *spec, size_t n, struct kdo_source_segment *segs,
                         size_t nsegs)
{
    struct kdo_app_output outs[KDO_APP_MAX_OUTPUTS];
    kdo_rng_init(&rng, 7);
    nlanes = n;
    for (size_t i = 0; i < n; i++) {
        struct lane *l = &lanes[i];
        memset(l, 0, sizeof *l);
        l->journal = kdo_journal_new();
        l->metrics = kdo_metrics_new();
        struct kdo_fake_lambda_config fc;
        kdo_fake_lambda_config_default(&fc);
        struct kdo_fault_rule *rules = kdo_xcalloc(1, sizeof *rules);
        kdo_fault_rule_init(rules);
        rules->action = spec[i].action;
        rules->match.until = spec[i].fault_until;
        l->fake = kdo_fake_lambda_new(&fc, rules, 1, &rng);
        l->transport = kdo_transport_inproc_new(l->fake);
        struct kdo_delivery_config dc;
        kdo_delivery_config_default(&dc);
        dc.buffer_rows = spec[i].buffer_rows;
        dc.cadence = spec[i].cadence;
        l->delivery = kdo_delivery_new(&dc, l->transport, l->journal, l->metrics, &rng);
        if (spec[i].query) {
            struct kdo_query_config qc = *spec[i].query;
            struct kdo_errinfo e = {0};
            qc.epoch_ms = 1767225600000; /* as kdo_app_config_default's window */
            ck_assert_msg(kdo_query_new(&qc, &l->query, &e) == 0, "query: %s", e.msg);
        }
        outs[i] =
            (struct kdo_app_output){spec[i].id, l->delivery, l->journal, l->metrics, l->query};
    }
    struct kdo_source_config sc = {.row_size = 0, .segments = segs, .nsegments = nsegs};
    struct kdo_app_config ac;
    kdo_app_config_default(&ac);
    if (max_read_set)
        ac.max_read = max_read_set;
    if (window_set)
        ac.window = *window_set;
    ac.program = program_set;
    app = kdo_app_new_outputs(&ac, kdo_source_new(&sc, KDO_TIME_NEVER, &rng), outs, n);
}

static void teardown_outputs(void)
{
    kdo_app_free(app);
    app = NULL;
    for (size_t i = 0; i < nlanes; i++) {
        struct lane *l = &lanes[i];
        kdo_query_free(l->query);
        kdo_delivery_free(l->delivery);
        kdo_transport_free(l->transport);
        kdo_fake_lambda_free(l->fake);
        kdo_journal_free(l->journal);
        kdo_metrics_free(l->metrics);
    }
    nlanes = 0;
    max_read_set = 0;
    window_set = NULL;
    kdo_program_free(program_set);
    program_set = NULL;
}

/* Drives the app, then every lane, at every deadline up to `until`. */
static void run_outputs_until(kdo_time_ns until)
{
    for (;;) {
        kdo_time_ns t = kdo_app_next_deadline(app);
        for (size_t i = 0; i < nlanes; i++)
            t = kdo_time_min(t, kdo_delivery_next_deadline(lanes[i].delivery));
        if (t > until)
            return;
        ck_assert_int_eq(kdo_app_advance(app, t), 0);
        for (size_t i = 0; i < nlanes; i++)
            ck_assert_int_eq(kdo_delivery_advance(lanes[i].delivery, t), 0);
    }
}

static int count_in(const struct kdo_journal *j, enum kdo_jkind kind)
{
    int n = 0;
    for (size_t i = 0; i < kdo_journal_count(j); i++)
        n += kdo_journal_at(j, i)->kind == kind;
    return n;
}

static const struct kdo_jentry *first_in(const struct kdo_journal *j, enum kdo_jkind kind)
{
    for (size_t i = 0; i < kdo_journal_count(j); i++)
        if (kdo_journal_at(j, i)->kind == kind)
            return kdo_journal_at(j, i);
    return NULL;
}

/* Rows counted by entries of `kind` at or before `until`. */
static uint64_t rows_in(const struct kdo_journal *j, enum kdo_jkind kind, kdo_time_ns until)
{
    uint64_t n = 0;
    for (size_t i = 0; i < kdo_journal_count(j); i++) {
        const struct kdo_jentry *e = kdo_journal_at(j, i);
        if (e->kind == kind && e->t <= until)
            n += e->u.rows.count;
    }
    return n;
}

/* The sample taken at `t`. */
static const struct kdo_jentry *sample_at(const struct kdo_journal *j, kdo_time_ns t)
{
    for (size_t i = 0; i < kdo_journal_count(j); i++) {
        const struct kdo_jentry *e = kdo_journal_at(j, i);
        if (e->kind == KDO_J_SAMPLE && e->t == t)
            return e;
    }
    ck_abort_msg("no sample at %lld ns", (long long)t);
    return NULL;
}

static struct kdo_source_segment rate_seg(double rate)
{
    return (struct kdo_source_segment){
        .kind = KDO_SEGMENT_RATE, .from = 0, .until = KDO_TIME_NEVER, .rate = rate};
}

/* 1.2's function fails until 5 s and its 200-row stream fills by 2 s: the
 * source stops for all three, every journal says so and names 1.2, and 1.1
 * and 1.3 -- whose own streams are empty -- fall behind with it.  Once 1.2
 * heals, the backlog is read and every journal says reading resumed. */
START_TEST(a_full_output_pauses_reading_for_all_and_is_named)
{
    struct kdo_source_segment seg = rate_seg(100);
    const struct out_spec spec[] = {
        {"1.1", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
        {"1.2", KDO_FAULT_FUNCTION_ERROR, 5 * KDO_S, 200, KDO_S, NULL},
        {"1.3", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
    };
    make_outputs(spec, 3, &seg, 1);
    run_outputs_until(15 * KDO_S);
    const struct kdo_jentry *p0 = first_in(lanes[0].journal, KDO_J_PAUSE);
    ck_assert_ptr_nonnull(p0);
    ck_assert_int_ge(p0->t, 1800 * KDO_MS);
    ck_assert_int_le(p0->t, 2200 * KDO_MS);
    for (size_t i = 0; i < 3; i++) {
        const struct kdo_journal *j = lanes[i].journal;
        /* The same pauses and resumes in every journal, each naming 1.2. */
        ck_assert_int_ge(count_in(j, KDO_J_PAUSE), 1);
        ck_assert_int_eq(count_in(j, KDO_J_PAUSE), count_in(lanes[0].journal, KDO_J_PAUSE));
        ck_assert_int_eq(count_in(j, KDO_J_RESUME), count_in(lanes[0].journal, KDO_J_RESUME));
        for (size_t k = 0, m = 0; k < kdo_journal_count(j); k++) {
            const struct kdo_jentry *e = kdo_journal_at(j, k);
            if (e->kind != KDO_J_PAUSE)
                continue;
            ck_assert_str_eq(kdo_journal_str(j, e->u.pause.full), "1.2");
            while (kdo_journal_at(lanes[0].journal, m)->kind != KDO_J_PAUSE)
                m++;
            ck_assert_int_eq(e->t, kdo_journal_at(lanes[0].journal, m++)->t);
        }
        const struct kdo_jentry *r = first_in(j, KDO_J_RESUME);
        ck_assert_ptr_nonnull(r); /* 1.2 heals at 5 s, the backlog is read, reading resumes */
        ck_assert_int_gt(r->t, 5 * KDO_S);
        ck_assert_int_lt(r->t, 15 * KDO_S);
        /* Every output read the same rows: none ran ahead of the full one. */
        ck_assert_uint_eq(rows_in(j, KDO_J_ROWS_READ, 4 * KDO_S),
                          rows_in(lanes[1].journal, KDO_J_ROWS_READ, 4 * KDO_S));
    }
    ck_assert_uint_le(rows_in(lanes[0].journal, KDO_J_ROWS_READ, 4 * KDO_S), 220);
    /* 1.1 had delivered everything it read, yet lags: 1.2 holds it back. */
    const struct kdo_jentry *s = sample_at(lanes[0].journal, 4 * KDO_S);
    ck_assert_uint_eq(s->u.sample.rows, 0);
    ck_assert_int_ge(s->u.sample.lag_ms, 1800);
    ck_assert_uint_eq(sample_at(lanes[1].journal, 4 * KDO_S)->u.sample.rows, 200);
    ck_assert_int_eq(sample_at(lanes[0].journal, 15 * KDO_S)->u.sample.lag_ms, 0);
    teardown_outputs();
}
END_TEST

/* With one destination the pause names none (no "fullDestination"). */
START_TEST(one_output_pause_names_no_destination)
{
    make(KDO_FAULT_FUNCTION_ERROR, 50, KDO_WINDOW_CONTINUOUS);
    run_until(3 * KDO_S);
    ck_assert_int_eq(count(KDO_J_PAUSE), 1);
    for (size_t i = 0; i < kdo_journal_count(jr); i++)
        if (kdo_journal_at(jr, i)->kind == KDO_J_PAUSE)
            ck_assert_uint_eq(kdo_journal_at(jr, i)->u.pause.full, 0);
    teardown();
}
END_TEST

/* 1.2 folds rows into a 5 s tumbling COUNT(*) and its function always fails:
 * its 1-row stream is full from the first window on (5 s), yet rows go on
 * being read -- folding needs no room -- until the second window's row has
 * nowhere to go (10 s); only then does reading pause, naming 1.2. */
START_TEST(a_folding_output_never_blocks_reading)
{
    static const char *const sel[] = {"COUNT(*) AS N"};
    const struct kdo_query_config tumbling = {
        .window = KDO_QUERY_TUMBLING, .range_ms = 5000, .select = sel, .nselect = 1};
    struct kdo_source_segment seg = rate_seg(100);
    const struct out_spec spec[] = {
        {"1.1", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
        {"1.2", KDO_FAULT_FUNCTION_ERROR, KDO_TIME_NEVER, 1, 0, &tumbling},
    };
    make_outputs(spec, 2, &seg, 1);
    run_outputs_until(14 * KDO_S);
    /* Full from 5 s on ... */
    ck_assert_uint_eq(sample_at(lanes[1].journal, 6 * KDO_S)->u.sample.rows, 1);
    ck_assert_uint_eq(sample_at(lanes[1].journal, 9 * KDO_S)->u.sample.rows, 1);
    /* ... while every row that arrived by 9 s was read (100/s from 0: 901). */
    for (size_t i = 0; i < 2; i++) {
        const struct kdo_journal *j = lanes[i].journal;
        ck_assert_uint_eq(rows_in(j, KDO_J_ROWS_READ, 9 * KDO_S), 901);
        ck_assert_int_eq(sample_at(j, 9 * KDO_S)->u.sample.lag_ms, 0);
        const struct kdo_jentry *p = first_in(j, KDO_J_PAUSE);
        ck_assert_ptr_nonnull(p);
        ck_assert_int_ge(p->t, 10 * KDO_S);
        ck_assert_int_le(p->t, 10 * KDO_S + 200 * KDO_MS);
        ck_assert_str_eq(kdo_journal_str(j, p->u.pause.full), "1.2");
    }
    ck_assert_int_ge(sample_at(lanes[0].journal, 14 * KDO_S)->u.sample.lag_ms, 3000);
    teardown_outputs();
}
END_TEST

/* The application's own entries (rows read, samples) and input metrics are
 * in every journal, identically. */
START_TEST(rows_read_go_to_every_journal)
{
    static const char *const sel[] = {"TICKER_SYMBOL"};
    const struct kdo_query_config typed = {.select = sel, .nselect = 1};
    struct kdo_source_segment seg = rate_seg(100);
    const struct out_spec spec[] = {
        {"1.1", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
        {"1.2", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, &typed},
        {"1.3", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, 0, NULL},
    };
    make_outputs(spec, 3, &seg, 1);
    run_outputs_until(5 * KDO_S);
    for (size_t i = 0; i < 3; i++) {
        const struct kdo_journal *j = lanes[i].journal;
        ck_assert_uint_eq(rows_in(j, KDO_J_ROWS_READ, KDO_TIME_NEVER), 501);
        ck_assert_uint_eq(rows_in(j, KDO_J_ROWS_EMITTED, KDO_TIME_NEVER), 501);
        ck_assert_int_eq(count_in(j, KDO_J_SAMPLE), 6); /* 0 .. 5 s */
        ck_assert_int_eq(count_in(j, KDO_J_PAUSE), 0);
        ck_assert_int_eq(count_in(j, KDO_J_ERROR_ROW), 0);
        ck_assert_int_ge(count_in(j, KDO_J_INVOKE), 5);
        ck_assert_double_eq(kdo_metrics_total(lanes[i].metrics, KDO_METRIC_INPUT_RECORDS)->sum,
                            501);
        /* The first read is the same entry in every journal. */
        const struct kdo_jentry *r = first_in(j, KDO_J_ROWS_READ);
        const struct kdo_jentry *r0 = first_in(lanes[0].journal, KDO_J_ROWS_READ);
        ck_assert_int_eq(r->t, r0->t);
        ck_assert_uint_eq(r->u.rows.first, r0->u.rows.first);
        ck_assert_uint_eq(r->u.rows.bytes, r0->u.rows.bytes);
    }
    teardown_outputs();
}
END_TEST

/* A row 1.2's typed query cannot read goes to 1.2's error stream only; 1.1
 * passes rows as read, so it delivers that row like any other. */
START_TEST(an_error_row_is_journaled_by_its_output_only)
{
    static const char *const sel[] = {"TICKER_SYMBOL", "PRICE"};
    const struct kdo_query_config typed = {.select = sel, .nselect = 2};
    struct kdo_source_segment segs[] = {
        rate_seg(10),
        {.kind = KDO_SEGMENT_INJECT,
         .from = 1500 * KDO_MS,
         .row = (char *)"not json at all",
         .row_len = 15},
    };
    const struct out_spec spec[] = {
        {"1.1", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
        {"1.2", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, &typed},
    };
    make_outputs(spec, 2, segs, 2);
    run_outputs_until(3 * KDO_S);
    const struct kdo_journal *j1 = lanes[0].journal, *j2 = lanes[1].journal;
    ck_assert_int_eq(count_in(j1, KDO_J_ERROR_ROW), 0);
    ck_assert_int_eq(count_in(j2, KDO_J_ERROR_ROW), 1);
    const struct kdo_jentry *e = first_in(j2, KDO_J_ERROR_ROW);
    ck_assert_int_ge(e->t, 1500 * KDO_MS);
    ck_assert_int_le(e->t, 1600 * KDO_MS);
    /* Rows 0..15 came at 0 .. 1.5 s, then the injected one. */
    ck_assert_uint_eq(e->u.error.row, 16);
    ck_assert_str_ne(kdo_journal_str(j2, e->u.error.name), "");
    uint64_t read = rows_in(j1, KDO_J_ROWS_READ, KDO_TIME_NEVER);
    ck_assert_uint_eq(read, 32); /* 31 generated + 1 injected */
    ck_assert_uint_eq(rows_in(j2, KDO_J_ROWS_READ, KDO_TIME_NEVER), read);
    ck_assert_uint_eq(rows_in(j1, KDO_J_ROWS_EMITTED, KDO_TIME_NEVER), read);
    ck_assert_uint_eq(rows_in(j2, KDO_J_ROWS_EMITTED, KDO_TIME_NEVER), read - 1);
    teardown_outputs();
}
END_TEST

/* The application's SQL: one program feeds both lanes, each with the rows of
 * the stream its destination reads; a row no stream can read goes to the
 * error stream, which every journal gets; the tumbling lane folds. */
START_TEST(one_program_feeds_each_output_its_stream)
{
    static const char *const streams[] = {"TICKS", "COUNTS"};
    static const enum kdo_rowfmt_format fmts[] = {KDO_ROWFMT_JSON, KDO_ROWFMT_JSON};
    const char *sql =
        "CREATE STREAM ticks (sym VARCHAR(4));\n"
        "CREATE STREAM counts (n BIGINT);\n"
        "CREATE PUMP a AS INSERT INTO ticks SELECT STREAM ticker_symbol\n"
        "  FROM source_sql_stream_001;\n"
        "CREATE PUMP b AS INSERT INTO counts SELECT STREAM COUNT(*) FROM source_sql_stream_001\n"
        "  GROUP BY STEP(source_sql_stream_001.ROWTIME BY INTERVAL '1' SECOND);";
    struct kdo_row_schema *in = kdo_row_schema_new();
    kdo_row_schema_add(in, "TICKER_SYMBOL", 13, KDO_TYPE_VARCHAR, 4, NULL);
    kdo_row_schema_add(in, "SECTOR", 6, KDO_TYPE_VARCHAR, 16, NULL);
    kdo_row_schema_add(in, "CHANGE", 6, KDO_TYPE_DOUBLE, 0, NULL);
    kdo_row_schema_add(in, "PRICE", 5, KDO_TYPE_DOUBLE, 0, NULL);
    struct kdo_program_config pc = {.sql = sql, .sql_len = strlen(sql), .file = "app.sql",
                                    .input_schema = in, .epoch_ms = 1767225600000,
                                    .outputs = streams, .output_formats = fmts, .noutputs = 2};
    struct kdo_errinfo e = {0};
    ck_assert_msg(kdo_program_new(&pc, &program_set, &e) == 0, "%s", e.msg);
    struct kdo_source_segment segs[] = {
        rate_seg(10),
        {.kind = KDO_SEGMENT_INJECT, .from = 1500 * KDO_MS, .row = (char *)"not json",
         .row_len = 8},
    };
    const struct out_spec spec[] = {
        {"1.1", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
        {"1.2", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
    };
    make_outputs(spec, 2, segs, 2);
    run_outputs_until(3 * KDO_S);
    const struct kdo_journal *j1 = lanes[0].journal, *j2 = lanes[1].journal;
    uint64_t read = rows_in(j1, KDO_J_ROWS_READ, KDO_TIME_NEVER);
    ck_assert_uint_eq(read, 32); /* 31 generated + 1 injected */
    ck_assert_uint_eq(rows_in(j1, KDO_J_ROWS_EMITTED, KDO_TIME_NEVER), read - 1);
    ck_assert_uint_eq(rows_in(j2, KDO_J_ROWS_EMITTED, KDO_TIME_NEVER), 3); /* 1 s, 2 s, 3 s */
    ck_assert_int_eq(count_in(j1, KDO_J_ERROR_ROW), 1);
    ck_assert_int_eq(count_in(j2, KDO_J_ERROR_ROW), 1);
    ck_assert_int_eq(kdo_program_folds(program_set, 0), 0);
    ck_assert_int_eq(kdo_program_folds(program_set, 1), 1);
    teardown_outputs();
    kdo_row_schema_free(in);
}
END_TEST

/* parallelism 2: source rows are dealt round-robin to _001 and _002, as
 * KDA splits shards between its input streams. */
START_TEST(rows_are_dealt_round_robin_to_the_input_streams)
{
    static const char *const streams[] = {"ONE", "TWO"};
    static const enum kdo_rowfmt_format fmts[] = {KDO_ROWFMT_JSON, KDO_ROWFMT_JSON};
    const char *sql =
        "CREATE STREAM one (sym VARCHAR(4));\nCREATE STREAM two (sym VARCHAR(4));\n"
        "CREATE PUMP a AS INSERT INTO one SELECT STREAM ticker_symbol FROM source_sql_stream_001;\n"
        "CREATE PUMP b AS INSERT INTO two SELECT STREAM ticker_symbol FROM source_sql_stream_002;";
    struct kdo_row_schema *in = kdo_row_schema_new();
    kdo_row_schema_add(in, "TICKER_SYMBOL", 13, KDO_TYPE_VARCHAR, 4, NULL);
    struct kdo_program_config pc = {.sql = sql, .sql_len = strlen(sql), .file = "app.sql",
                                    .parallelism = 2, .input_schema = in,
                                    .epoch_ms = 1767225600000, .outputs = streams,
                                    .output_formats = fmts, .noutputs = 2};
    struct kdo_errinfo e = {0};
    ck_assert_msg(kdo_program_new(&pc, &program_set, &e) == 0, "%s", e.msg);
    ck_assert_uint_eq(kdo_program_sources(program_set), 2);
    struct kdo_source_segment seg = rate_seg(10);
    const struct out_spec spec[] = {
        {"1.1", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
        {"1.2", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, NULL},
    };
    make_outputs(spec, 2, &seg, 1);
    run_outputs_until(1950 * KDO_MS); /* rows 0..19 */
    ck_assert_uint_eq(rows_in(lanes[0].journal, KDO_J_ROWS_READ, KDO_TIME_NEVER), 20);
    ck_assert_uint_eq(rows_in(lanes[0].journal, KDO_J_ROWS_EMITTED, KDO_TIME_NEVER), 10);
    ck_assert_uint_eq(rows_in(lanes[1].journal, KDO_J_ROWS_EMITTED, KDO_TIME_NEVER), 10);
    teardown_outputs();
    kdo_row_schema_free(in);
}
END_TEST

/* ---- ROWTIME: the read instant in whole ms, no polling grid -------------- */

#define EPOCH_MS 1767225600000 /* kdo_app_config_default's window.epoch_ms */
#define US 1000                /* ns */

static const char *const tick_only[] = {"TICKER_SYMBOL"};
static const struct kdo_query_config typed_tick = {.select = tick_only, .nselect = 1};

static struct kdo_source_segment bad_row_at(kdo_time_ns at)
{
    return (struct kdo_source_segment){
        .kind = KDO_SEGMENT_INJECT, .from = at, .row = (char *)"not json", .row_len = 8};
}

/* The i-th error-stream entry of journal j (a typed query's unreadable row
 * carries its ROWTIME as DATA_ROWTIME). */
static const struct kdo_jentry *error_entry(const struct kdo_journal *j, size_t nth)
{
    for (size_t i = 0; i < kdo_journal_count(j); i++) {
        const struct kdo_jentry *e = kdo_journal_at(j, i);
        if (e->kind == KDO_J_ERROR_ROW && nth-- == 0)
            return e;
    }
    ck_abort_msg("no error row #%zu", nth);
    return NULL;
}

/* The ROWS_READ entry of source row `seq`. */
static const struct kdo_jentry *read_entry(const struct kdo_journal *j, uint64_t seq)
{
    for (size_t i = 0; i < kdo_journal_count(j); i++) {
        const struct kdo_jentry *e = kdo_journal_at(j, i);
        if (e->kind == KDO_J_ROWS_READ && e->u.rows.first <= seq &&
            seq < e->u.rows.first + e->u.rows.count)
            return e;
    }
    ck_abort_msg("row %llu never read", (unsigned long long)seq);
    return NULL;
}

static void one_typed_output(struct kdo_source_segment *segs, size_t nsegs)
{
    const struct out_spec spec[] = {
        {"1.1", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, KDO_S, &typed_tick}};
    make_outputs(spec, 1, segs, nsegs);
}

/* A row arriving at 1234.567 ms is read then: ROWTIME 1234 ms (plus the
 * epoch), not the next 200 ms poll's 1400. */
START_TEST(a_row_gets_its_arrival_millisecond_as_rowtime)
{
    struct kdo_source_segment segs[] = {bad_row_at(1234567 * US)};
    one_typed_output(segs, 1);
    run_outputs_until(3 * KDO_S);
    const struct kdo_jentry *e = error_entry(lanes[0].journal, 0);
    ck_assert_int_eq(e->u.error.data_rowtime_ms, EPOCH_MS + 1234);
    ck_assert_int_eq(e->t, 1234567 * US);
    ck_assert_int_eq(read_entry(lanes[0].journal, 0)->t, 1234567 * US);
    teardown_outputs();
}
END_TEST

/* Rows arriving at 1234.1 and 1234.9 ms are read in one step and share
 * ROWTIME 1234; the row at 1235.0 ms is the next millisecond's. */
START_TEST(rows_in_one_millisecond_share_a_rowtime)
{
    struct kdo_source_segment segs[] = {bad_row_at(1234100 * US), bad_row_at(1234900 * US),
                                        bad_row_at(1235000 * US)};
    one_typed_output(segs, 3);
    run_outputs_until(3 * KDO_S);
    const struct kdo_journal *j = lanes[0].journal;
    ck_assert_int_eq(error_entry(j, 0)->u.error.data_rowtime_ms, EPOCH_MS + 1234);
    ck_assert_int_eq(error_entry(j, 1)->u.error.data_rowtime_ms, EPOCH_MS + 1234);
    ck_assert_int_eq(error_entry(j, 2)->u.error.data_rowtime_ms, EPOCH_MS + 1235);
    ck_assert_int_eq(read_entry(j, 0)->t, 1234100 * US);
    ck_assert_int_eq(read_entry(j, 1)->t, 1234100 * US); /* the same step */
    ck_assert_int_eq(read_entry(j, 2)->t, 1235000 * US);
    teardown_outputs();
}
END_TEST

/* max_read = 2 bounds a step; the other rows of the millisecond are read at
 * the same instant in the next steps, with the same ROWTIME. */
START_TEST(max_read_splits_a_millisecond_without_moving_its_rowtime)
{
    struct kdo_source_segment segs[5];
    for (size_t i = 0; i < 5; i++)
        segs[i] = bad_row_at(1234500 * US);
    max_read_set = 2;
    one_typed_output(segs, 5);
    run_outputs_until(3 * KDO_S);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq(error_entry(lanes[0].journal, i)->u.error.data_rowtime_ms,
                         EPOCH_MS + 1234);
        ck_assert_int_eq(read_entry(lanes[0].journal, i)->t, 1234500 * US);
    }
    ck_assert_double_eq(kdo_metrics_total(lanes[0].metrics, KDO_METRIC_INPUT_RECORDS)->sum, 5);
    ck_assert_uint_eq(kdo_metrics_total(lanes[0].metrics, KDO_METRIC_INPUT_RECORDS)->count, 3);
    teardown_outputs();
}
END_TEST

/* The first reply that acknowledges rows after t, or NULL. */
static const struct kdo_jentry *first_ok_reply_after(const struct kdo_journal *j, kdo_time_ns t)
{
    for (size_t i = 0; i < kdo_journal_count(j); i++) {
        const struct kdo_jentry *e = kdo_journal_at(j, i);
        if (e->kind == KDO_J_REPLY && e->t > t && e->u.reply.ok > 0)
            return e;
    }
    return NULL;
}

/* Under backpressure a row is read the instant its stream has room again,
 * and that instant is its ROWTIME: 50 rows fill the stream at 0, the
 * function fails until 3 s, the bad row arriving at 1 s waits; the first
 * reply that acknowledges rows frees room and the row is read right then. */
START_TEST(under_backpressure_rowtime_is_the_read_instant)
{
    struct kdo_source_segment segs[] = {
        {.kind = KDO_SEGMENT_BURST, .from = 0, .until = KDO_TIME_NEVER, .count = 50},
        bad_row_at(KDO_S),
    };
    const struct out_spec spec[] = {
        {"1.1", KDO_FAULT_FUNCTION_ERROR, 3 * KDO_S, 50, KDO_S, &typed_tick}};
    make_outputs(spec, 1, segs, 2);
    run_outputs_until(10 * KDO_S);
    const struct kdo_journal *j = lanes[0].journal;
    const struct kdo_jentry *ok = first_ok_reply_after(j, 3 * KDO_S);
    ck_assert_ptr_nonnull(ok);
    ck_assert_int_eq(read_entry(j, 50)->t, ok->t);
    ck_assert_int_eq(error_entry(j, 0)->u.error.data_rowtime_ms, EPOCH_MS + ok->t / KDO_MS);
    ck_assert_int_eq(first_in(j, KDO_J_PAUSE)->t, KDO_S);
    ck_assert_int_eq(first_in(j, KDO_J_RESUME)->t, ok->t);
    teardown_outputs();
}
END_TEST

/* Rows emitted (entered the stream) at exactly t. */
static uint64_t emitted_at(const struct kdo_journal *j, kdo_time_ns t)
{
    return rows_in(j, KDO_J_ROWS_EMITTED, t) - rows_in(j, KDO_J_ROWS_EMITTED, t - 1);
}

/* A 1 s tumbling window: the row arriving at 999.9 ms is in [0, 1 s), the
 * row at 1000.0 ms in [1 s, 2 s); each window emits one row at its end.
 * (A 200 ms poll read both at 1000 ms: one window of two rows.)  Checked for
 * a typed query and for rows as read through the byte-level window. */
static void check_tumbling_boundary(const struct kdo_query_config *q)
{
    static const struct kdo_window_config tumbling_1s = {
        .kind = KDO_WINDOW_TUMBLING, .size = KDO_S, .epoch_ms = EPOCH_MS};
    struct kdo_source_segment segs[] = {
        {.kind = KDO_SEGMENT_INJECT, .from = 999900 * US, .row = (char *)"{\"A\":1}", .row_len = 7},
        {.kind = KDO_SEGMENT_INJECT, .from = KDO_S, .row = (char *)"{\"A\":2}", .row_len = 7},
    };
    const struct out_spec spec[] = {{"1.1", KDO_FAULT_OK, KDO_TIME_NEVER, 100000, 0, q}};
    window_set = &tumbling_1s;
    make_outputs(spec, 1, segs, 2);
    run_outputs_until(5 * KDO_S);
    const struct kdo_journal *j = lanes[0].journal;
    ck_assert_uint_eq(emitted_at(j, KDO_S), 1);
    ck_assert_uint_eq(emitted_at(j, 2 * KDO_S), 1);
    ck_assert_uint_eq(rows_in(j, KDO_J_ROWS_EMITTED, KDO_TIME_NEVER), 2);
    teardown_outputs();
}

START_TEST(a_tumbling_boundary_splits_999_9_ms_from_1000_ms)
{
    static const char *const count_sel[] = {"COUNT(*) AS N"};
    const struct kdo_query_config tumbling = {
        .window = KDO_QUERY_TUMBLING, .range_ms = 1000, .select = count_sel, .nselect = 1};
    check_tumbling_boundary(NULL);
    check_tumbling_boundary(&tumbling);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("app");
    TCase *tc = tcase_create("backpressure");
    tcase_add_test(tc, keeping_up_means_no_lag);
    tcase_add_test(tc, a_full_stream_pauses_the_source_and_lag_grows);
    tcase_add_test(tc, a_restart_stops_reading_for_its_downtime);
    suite_add_tcase(s, tc);
    tc = tcase_create("windows");
    tcase_add_test(tc, tumbling_rows_go_out_at_the_trigger);
    suite_add_tcase(s, tc);
    tc = tcase_create("outputs");
    tcase_add_test(tc, a_full_output_pauses_reading_for_all_and_is_named);
    tcase_add_test(tc, one_output_pause_names_no_destination);
    tcase_add_test(tc, a_folding_output_never_blocks_reading);
    tcase_add_test(tc, rows_read_go_to_every_journal);
    tcase_add_test(tc, an_error_row_is_journaled_by_its_output_only);
    tcase_add_test(tc, one_program_feeds_each_output_its_stream);
    tcase_add_test(tc, rows_are_dealt_round_robin_to_the_input_streams);
    suite_add_tcase(s, tc);
    tc = tcase_create("rowtime");
    tcase_add_test(tc, a_row_gets_its_arrival_millisecond_as_rowtime);
    tcase_add_test(tc, rows_in_one_millisecond_share_a_rowtime);
    tcase_add_test(tc, max_read_splits_a_millisecond_without_moving_its_rowtime);
    tcase_add_test(tc, under_backpressure_rowtime_is_the_read_instant);
    tcase_add_test(tc, a_tumbling_boundary_splits_999_9_ms_from_1000_ms);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
