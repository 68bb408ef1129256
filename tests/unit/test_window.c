/*
 * test_window.c -- the queries of emulator/app/window.c.
 *
 * Rows go in with hand-picked ROWTIMEs and the emitted rows are captured by
 * a callback, so each case shows what a query emits and when: continuous
 * passes rows through, sliding adds ROWS_IN_WINDOW, tumbling emits one row
 * per non-empty window at its end with WINDOW_START/WINDOW_END timestamps.
 * kdo_window_timestamp is pinned on a few known dates.
 */
#include "app/window.h"

#include "app/bug.h"
#include "base/errors.h"

#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EPOCH_2026 1767225600000LL /* 2026-01-01 00:00:00 UTC */
#define MAXOUT 64

struct out {
    kdo_time_ns now;
    char *row;
    size_t len;
};

static struct out out[MAXOUT];
static size_t nout;
static int emit_error;
static struct kdo_window *w;

static int capture(void *ctx, kdo_time_ns now, const char *row, size_t len)
{
    ck_assert_ptr_eq(ctx, &nout);
    ck_assert_uint_lt(nout, MAXOUT);
    out[nout].now = now;
    out[nout].row = kdo_xstrndup(row, len);
    out[nout].len = len;
    nout++;
    return emit_error;
}

/* For bulk input: counts only. */
static int count_only(void *ctx, kdo_time_ns now, const char *row, size_t len)
{
    (*(size_t *)ctx)++;
    return 0;
}

static void setup(void)
{
    nout = 0;
    emit_error = 0;
    w = NULL;
}

static void teardown(void)
{
    for (size_t i = 0; i < nout; i++)
        free(out[i].row);
    nout = 0;
    kdo_window_free(w);
    w = NULL;
}

static void open_window(enum kdo_window_kind kind, kdo_time_ns size)
{
    struct kdo_window_config cfg = {.kind = kind, .size = size, .epoch_ms = EPOCH_2026};
    w = kdo_window_new(&cfg);
}

static int input(kdo_time_ns t, const char *row)
{
    return kdo_window_input(w, t, row, strlen(row), capture, &nout);
}

static int advance(kdo_time_ns now)
{
    return kdo_window_advance(w, now, capture, &nout);
}

static json_t *parse(size_t i)
{
    json_error_t e;
    json_t *o = json_loadb(out[i].row, out[i].len, 0, &e);
    if (o == NULL)
        ck_abort_msg("row %zu is not JSON (%s): %s", i, e.text, out[i].row);
    return o;
}

START_TEST(continuous_passes_rows_through)
{
    open_window(KDO_WINDOW_CONTINUOUS, 0);
    ck_assert_int_eq(input(KDO_S, "{\"a\":1}"), 0);
    ck_assert_int_eq(input(2 * KDO_S, "not json at all"), 0);
    ck_assert_uint_eq(nout, 2);
    ck_assert_str_eq(out[0].row, "{\"a\":1}");
    ck_assert_int_eq(out[0].now, KDO_S);
    ck_assert_str_eq(out[1].row, "not json at all");
    ck_assert_int_eq(out[1].now, 2 * KDO_S);
    ck_assert_int_eq(kdo_window_next_deadline(w), KDO_TIME_NEVER);
    ck_assert_int_eq(advance(100 * KDO_S), 0);
    ck_assert_uint_eq(nout, 2);
}
END_TEST

START_TEST(emit_error_is_returned)
{
    open_window(KDO_WINDOW_CONTINUOUS, 0);
    emit_error = KDO_EFULL;
    ck_assert_int_eq(input(0, "{}"), KDO_EFULL);
}
END_TEST

START_TEST(sliding_adds_rows_in_window)
{
    open_window(KDO_WINDOW_SLIDING, 10 * KDO_S);
    static const struct {
        kdo_time_ns t;
        int count;
    } rows[] = {
        {0, 1},
        {5 * KDO_S, 2},
        {9999 * KDO_MS, 3},
        {10 * KDO_S + 1, 3},  /* the row at 0 is more than 10 s old */
        {15 * KDO_S + 1, 3},  /* the row at 5 s leaves */
        {40 * KDO_S, 1},      /* everything left */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ck_assert_int_eq(input(rows[i].t, "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":1.5}"), 0);
        ck_assert_uint_eq(nout, i + 1);
        ck_assert_int_eq(out[i].now, rows[i].t);
        json_t *o = parse(i);
        ck_assert_str_eq(json_string_value(json_object_get(o, "TICKER_SYMBOL")), "AMZN");
        ck_assert_int_eq(json_integer_value(json_object_get(o, "ROWS_IN_WINDOW")), rows[i].count);
        json_decref(o);
    }
    ck_assert_str_eq(out[0].row, "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":1.5,\"ROWS_IN_WINDOW\":1}");
    ck_assert_int_eq(kdo_window_next_deadline(w), KDO_TIME_NEVER);
}
END_TEST

/* Pins the edge as implemented: a row exactly `size` older than the current
 * one is out of the window, i.e. the RANGE is (t - size, t].  (SQL's RANGE
 * INTERVAL 'size' PRECEDING would include it; see the report.) */
START_TEST(sliding_window_edge)
{
    open_window(KDO_WINDOW_SLIDING, 10 * KDO_S);
    input(0, "{}");
    input(10 * KDO_S, "{}");     /* exactly `size` later: still in the window */
    input(10 * KDO_S + 1, "{}"); /* the first row has left */
    ck_assert_str_eq(out[0].row, "{\"ROWS_IN_WINDOW\":1}");
    ck_assert_str_eq(out[1].row, "{\"ROWS_IN_WINDOW\":2}");
    ck_assert_str_eq(out[2].row, "{\"ROWS_IN_WINDOW\":2}");
}
END_TEST

START_TEST(sliding_passes_non_objects_unchanged)
{
    open_window(KDO_WINDOW_SLIDING, 10 * KDO_S);
    input(0, "TICKER,1.5");
    ck_assert_uint_eq(nout, 1);
    ck_assert_str_eq(out[0].row, "TICKER,1.5");
    ck_assert_uint_eq(out[0].len, 10);
}
END_TEST

/* Thousands of rows in one window (the ring grows), then a slide that wraps
 * the ring before it grows again. */
START_TEST(sliding_counts_many_rows)
{
    open_window(KDO_WINDOW_SLIDING, KDO_MIN);
    size_t n = 0;
    for (int i = 0; i < 3000; i++)
        kdo_window_input(w, (kdo_time_ns)i * KDO_MS, "{}", 2, count_only, &n);
    ck_assert_uint_eq(n, 3000);
    input(2999 * KDO_MS, "{}");
    json_t *o = parse(0);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "ROWS_IN_WINDOW")), 3001);
    json_decref(o);
    /* 1000 rows/s over 3 minutes: the window [t - 60 s, t] holds 60,001 rows. */
    for (kdo_time_ns t = 3 * KDO_S; t < 180 * KDO_S; t += KDO_MS)
        kdo_window_input(w, t, "{}", 2, count_only, &n);
    input(180 * KDO_S, "{}");
    o = parse(1);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "ROWS_IN_WINDOW")), 60001);
    json_decref(o);
}
END_TEST

START_TEST(tumbling_emits_one_row_at_window_end)
{
    open_window(KDO_WINDOW_TUMBLING, KDO_MIN);
    ck_assert_int_eq(kdo_window_next_deadline(w), KDO_TIME_NEVER);
    input(KDO_S, "{\"a\":1}");
    input(2 * KDO_S, "{\"a\":22}");
    input(59999 * KDO_MS, "{\"a\":333}");
    ck_assert_uint_eq(nout, 0);
    ck_assert_int_eq(kdo_window_next_deadline(w), KDO_MIN);
    ck_assert_int_eq(advance(KDO_MIN - 1), 0);
    ck_assert_uint_eq(nout, 0);
    ck_assert_int_eq(advance(KDO_MIN), 0);
    ck_assert_uint_eq(nout, 1);
    ck_assert_int_eq(out[0].now, KDO_MIN);
    ck_assert_str_eq(out[0].row, "{\"WINDOW_START\":\"2026-01-01 00:00:00.000\","
                                 "\"WINDOW_END\":\"2026-01-01 00:01:00.000\",\"ROW_COUNT\":3,"
                                 "\"INPUT_BYTES\":24}");
    json_t *o = parse(0);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "ROW_COUNT")), 3);
    json_decref(o);
    ck_assert_int_eq(kdo_window_next_deadline(w), KDO_TIME_NEVER);
    ck_assert_int_eq(advance(KDO_MIN), 0); /* firing again does nothing */
    ck_assert_uint_eq(nout, 1);
}
END_TEST

START_TEST(tumbling_skips_empty_windows)
{
    open_window(KDO_WINDOW_TUMBLING, KDO_MIN);
    input(10 * KDO_S, "{}");
    ck_assert_int_eq(advance(5 * KDO_MIN), 0); /* fires [0,1m) only */
    ck_assert_uint_eq(nout, 1);
    ck_assert_int_eq(out[0].now, 5 * KDO_MIN); /* emitted when it fired, late */
    ck_assert_int_eq(kdo_window_next_deadline(w), KDO_TIME_NEVER);
    input(300 * KDO_S + 500 * KDO_MS, "{}");
    ck_assert_int_eq(kdo_window_next_deadline(w), 6 * KDO_MIN);
    ck_assert_int_eq(advance(6 * KDO_MIN), 0);
    ck_assert_uint_eq(nout, 2);
    ck_assert_int_eq(out[1].now, 6 * KDO_MIN);
    json_t *o = parse(1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "WINDOW_START")),
                     "2026-01-01 00:05:00.000");
    ck_assert_str_eq(json_string_value(json_object_get(o, "WINDOW_END")),
                     "2026-01-01 00:06:00.000");
    ck_assert_int_eq(json_integer_value(json_object_get(o, "ROW_COUNT")), 1);
    json_decref(o);
}
END_TEST

/* A row that arrives after a window's end (without an advance) first closes
 * that window, then opens the one it belongs to. */
START_TEST(tumbling_input_closes_past_windows)
{
    open_window(KDO_WINDOW_TUMBLING, KDO_MIN);
    input(KDO_S, "{}");
    input(KDO_MIN, "{}"); /* exactly at the end: belongs to the next window */
    ck_assert_uint_eq(nout, 1);
    ck_assert_int_eq(out[0].now, KDO_MIN);
    json_t *o = parse(0);
    ck_assert_int_eq(json_integer_value(json_object_get(o, "ROW_COUNT")), 1);
    json_decref(o);
    input(185 * KDO_S, "{}"); /* closes [1m,2m); [2m,3m) is empty */
    ck_assert_uint_eq(nout, 2);
    ck_assert_int_eq(out[1].now, 185 * KDO_S); /* emitted when it fired */
    o = parse(1);
    ck_assert_str_eq(json_string_value(json_object_get(o, "WINDOW_END")),
                     "2026-01-01 00:02:00.000");
    json_decref(o);
    ck_assert_int_eq(kdo_window_next_deadline(w), 4 * KDO_MIN);
}
END_TEST

START_TEST(tumbling_window_size_default_and_custom)
{
    open_window(KDO_WINDOW_TUMBLING, 10 * KDO_S);
    input(12 * KDO_S, "{}");
    ck_assert_int_eq(kdo_window_next_deadline(w), 20 * KDO_S);
    kdo_window_free(w);
    open_window(KDO_WINDOW_TUMBLING, 0); /* 0 means one minute */
    input(0, "{}");
    ck_assert_int_eq(kdo_window_next_deadline(w), KDO_MIN);
}
END_TEST

START_TEST(timestamps_of_known_dates)
{
    static const struct {
        int64_t epoch_ms;
        kdo_time_ns t;
        const char *want;
    } cases[] = {
        {0, 0, "1970-01-01 00:00:00.000"},
        {EPOCH_2026, 0, "2026-01-01 00:00:00.000"},
        {EPOCH_2026, 90 * KDO_S + 250 * KDO_MS, "2026-01-01 00:01:30.250"},
        {EPOCH_2026, 1999999, "2026-01-01 00:00:00.001"}, /* sub-ms truncated */
        {1513300190000LL, 0, "2017-12-15 01:09:50.000"},  /* CONTRACT.md's sample */
        {951782400000LL, 0, "2000-02-29 00:00:00.000"},
        {946684799000LL, 999 * KDO_MS, "1999-12-31 23:59:59.999"},
        {946684799000LL, KDO_S, "2000-01-01 00:00:00.000"},
        {0, 86400 * KDO_S - KDO_MS, "1970-01-01 23:59:59.999"},
        {0, 365LL * 86400 * KDO_S, "1971-01-01 00:00:00.000"},
        {4107542400000LL, 0, "2100-03-01 00:00:00.000"}, /* 2100 is not a leap year */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[24];
        memset(buf, 'X', sizeof buf);
        kdo_window_timestamp(cases[i].epoch_ms, cases[i].t, buf);
        ck_assert_str_eq(buf, cases[i].want);
    }
}
END_TEST

START_TEST(fast_cadence_bug_halves_window)
{
    struct kdo_window_config cfg = {.kind = KDO_WINDOW_TUMBLING, .size = KDO_MIN,
                                    .epoch_ms = EPOCH_2026};
    kdo_bug_window(KDO_BUG(FAST_CADENCE), &cfg); /* the seam the driver uses */
    w = kdo_window_new(&cfg);
    input(0, "{}");
    ck_assert_int_eq(kdo_window_next_deadline(w), 30 * KDO_S);
    kdo_window_free(w);
    cfg.size = 0; /* the default width, halved too */
    kdo_bug_window(KDO_BUG(FAST_CADENCE), &cfg);
    w = kdo_window_new(&cfg);
    input(0, "{}");
    ck_assert_int_eq(kdo_window_next_deadline(w), KDO_WINDOW_DEFAULT_SIZE / 2);
    kdo_bug_window(0, &cfg); /* no bug: unchanged */
    ck_assert_int_eq(cfg.size, KDO_WINDOW_DEFAULT_SIZE / 2);
}
END_TEST

static Suite *window_suite(void)
{
    Suite *s = suite_create("window");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"continuous_passes_rows_through", continuous_passes_rows_through},
        {"emit_error_is_returned", emit_error_is_returned},
        {"sliding_adds_rows_in_window", sliding_adds_rows_in_window},
        {"sliding_window_edge", sliding_window_edge},
        {"sliding_passes_non_objects_unchanged", sliding_passes_non_objects_unchanged},
        {"sliding_counts_many_rows", sliding_counts_many_rows},
        {"tumbling_emits_one_row_at_window_end", tumbling_emits_one_row_at_window_end},
        {"tumbling_skips_empty_windows", tumbling_skips_empty_windows},
        {"tumbling_input_closes_past_windows", tumbling_input_closes_past_windows},
        {"tumbling_window_size_default_and_custom", tumbling_window_size_default_and_custom},
        {"timestamps_of_known_dates", timestamps_of_known_dates},
        {"fast_cadence_bug_halves_window", fast_cadence_bug_halves_window},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(window_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
