/*
 * test_query.c -- the query: typed rows, WHERE, SELECT, formats, the error
 * stream, and the windows (tumbling, sliding, stagger) worked by hand on
 * small inputs: window edges, equal and late ROWTIMEs, empty windows.
 * Times below are run times; ROWTIME values are 2026-01-01 plus them.
 */
#include "app/bug.h"
#include "base/errors.h"
#include "sql/query.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_query *q;
static const char *out;
static size_t len;
static struct kdo_query_error qe;

static void make(const char *where, const char *const *select, size_t n,
                 enum kdo_rowfmt_format fmt)
{
    struct kdo_query_config c = {.where = where, .select = select, .nselect = n,
                                 .output_format = fmt, .epoch_ms = 1767225600000};
    struct kdo_errinfo err = {0};
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "compile: %s", err.msg);
}

static int run(const char *row)
{
    return kdo_query_apply(q, 2 * KDO_S, KDO_S, row, strlen(row), &out, &len, &qe);
}

static const char amzn[] =
    "{\"TICKER_SYMBOL\":\"AMZN\",\"SECTOR\":\"TECHNOLOGY\",\"CHANGE\":1.5,\"PRICE\":82.5}";

START_TEST(every_column_by_default)
{
    make(NULL, NULL, 0, KDO_ROWFMT_JSON);
    ck_assert_int_eq(run(amzn), 1);
    ck_assert_str_eq(out, amzn);
    kdo_query_free(q);
}
END_TEST

START_TEST(projection_with_aliases_and_implicit_columns)
{
    static const char *const sel[] = {"TICKER_SYMBOL", "PRICE * 2 AS DOUBLED", "ROWTIME",
                                      "CHANGE + 1", "CAST(PRICE AS BIGINT)",
                                      "CAST(PRICE AS BIGINT) as P"};
    make(NULL, sel, 6, KDO_ROWFMT_JSON);
    ck_assert_int_eq(run(amzn), 1);
    ck_assert_str_eq(out, "{\"TICKER_SYMBOL\":\"AMZN\",\"DOUBLED\":165.0,"
                          "\"ROWTIME\":\"2026-01-01 00:00:02.000\",\"EXPR$3\":2.5,"
                          "\"EXPR$4\":82,\"P\":82}");
    kdo_query_free(q);
}
END_TEST

START_TEST(where_keeps_only_true)
{
    make("CHANGE > 1 AND SECTOR = 'TECHNOLOGY'", NULL, 0, KDO_ROWFMT_JSON);
    ck_assert_int_eq(run(amzn), 1);
    ck_assert_int_eq(run("{\"TICKER_SYMBOL\":\"IBM\",\"SECTOR\":\"TECHNOLOGY\",\"CHANGE\":0.5}"), 0);
    /* CHANGE is missing: NULL, so the condition is UNKNOWN and the row is dropped. */
    ck_assert_int_eq(run("{\"TICKER_SYMBOL\":\"IBM\",\"SECTOR\":\"TECHNOLOGY\"}"), 0);
    kdo_query_free(q);
}
END_TEST

START_TEST(csv_output)
{
    static const char *const sel2[] = {"TICKER_SYMBOL", "PRICE"};
    make(NULL, sel2, 2, KDO_ROWFMT_CSV);
    ck_assert_int_eq(run(amzn), 1);
    ck_assert_uint_eq(len, strlen("AMZN,82.5"));
    ck_assert_int_eq(memcmp(out, "AMZN,82.5", len), 0);
    kdo_query_free(q);
}
END_TEST

START_TEST(bad_rows_go_to_the_error_stream)
{
    static const char *const sel[] = {"PRICE / CAST(CHANGE AS BIGINT) AS R"};
    make(NULL, sel, 1, KDO_ROWFMT_JSON);
    ck_assert_int_eq(run("not json"), KDO_EPARSE);
    ck_assert_str_eq(qe.name, "JSON_PARSE_ERROR");
    ck_assert_int_eq(run("{\"TICKER_SYMBOL\":\"TOOLONG\"}"), KDO_EPARSE);
    ck_assert_str_eq(qe.name, "VALUE_TOO_LONG");
    ck_assert_int_eq(run("{\"PRICE\":\"abc\"}"), KDO_EPARSE);
    ck_assert_str_eq(qe.name, "TYPE_CONVERSION_ERROR");
    ck_assert_ptr_nonnull(strstr(qe.message, "PRICE"));
    kdo_query_free(q);
}
END_TEST

START_TEST(compile_errors)
{
    struct kdo_errinfo err = {0};
    struct kdo_query_config c = {.where = "PRICEE > 1"};
    ck_assert_int_eq(kdo_query_new(&c, &q, &err), KDO_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.msg, "PRICE"));
    c.where = "PRICE + 1";
    ck_assert_int_eq(kdo_query_new(&c, &q, &err), KDO_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.msg, "BOOLEAN"));
    static const char *const cols[] = {"A"}, *const types[] = {"VARCHAR(x)"};
    struct kdo_query_config d = {.columns = cols, .types = types, .ncolumns = 1};
    ck_assert_int_eq(kdo_query_new(&d, &q, &err), KDO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown type"));
}
END_TEST

START_TEST(declared_schema_and_csv_input)
{
    static const char *const cols[] = {"id", "\"Name\"", "score"};
    static const char *const types[] = {"BIGINT", "VARCHAR(8)", "DOUBLE"};
    struct kdo_query_config c = {.columns = cols, .types = types, .ncolumns = 3,
                                 .input_format = KDO_ROWFMT_CSV, .output_format = KDO_ROWFMT_JSON,
                                 .where = "SCORE >= 1.5"};
    struct kdo_errinfo err = {0};
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(run("7,ann,2.25"), 1);
    ck_assert_str_eq(out, "{\"ID\":7,\"Name\":\"ann\",\"SCORE\":2.25}");
    ck_assert_int_eq(run("8,bob,1"), 0);
    ck_assert_int_eq(run("9,carl"), KDO_EPARSE);
    ck_assert_str_eq(qe.name, "CSV_FIELD_COUNT");
    kdo_query_free(q);
}
END_TEST

/* ---- windows ------------------------------------------------------------------------ */

/* What the sink received: "@<ms> <row>" per output row, "!<NAME>" per error. */
static char got[64][200];
static size_t ngot;

static int sink_row(void *ctx, kdo_time_ns now, const char *row, size_t n)
{
    (void)ctx;
    ck_assert_uint_lt(ngot, 64);
    snprintf(got[ngot++], sizeof got[0], "@%lld %.*s", (long long)(now / KDO_MS), (int)n, row);
    return 0;
}

static void sink_error(void *ctx, kdo_time_ns now, const struct kdo_query_error *e)
{
    (void)ctx;
    (void)now;
    ck_assert_uint_lt(ngot, 64);
    snprintf(got[ngot++], sizeof got[0], "!%s", e->name);
}

static const struct kdo_query_sink sink = {sink_row, sink_error, NULL, NULL};

/* The last error's DATA_ROW and DATA_ROWTIME. */
static char last_data[200];
static int64_t last_rowtime_ms;

static void sink_error_data(void *ctx, kdo_time_ns now, const struct kdo_query_error *e)
{
    sink_error(ctx, now, e);
    snprintf(last_data, sizeof last_data, "%.*s", e->data ? (int)e->data_len : 6,
             e->data ? e->data : "(none)");
    last_rowtime_ms = e->rowtime_ms;
}

static void make_window(enum kdo_query_window kind, int64_t range_ms, const char *const *keys,
                        size_t nkeys, const char *const *select, size_t n)
{
    struct kdo_query_config c = {.select = select, .nselect = n, .partition_by = keys,
                                 .npartition = nkeys, .window = kind, .range_ms = range_ms,
                                 .output_format = KDO_ROWFMT_CSV, .epoch_ms = 1767225600000};
    struct kdo_errinfo err = {0};
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "compile: %s", err.msg);
    ngot = 0;
}

/* One demo row at t ms: ticker and price. */
static void feed(int64_t t_ms, const char *ticker, double price)
{
    char row[160];
    int n = snprintf(row, sizeof row, "{\"TICKER_SYMBOL\":\"%s\",\"PRICE\":%g}", ticker, price);
    ck_assert_int_eq(kdo_query_input(q, t_ms * KDO_MS, t_ms * KDO_MS, row, (size_t)n, &sink), 0);
}

static void advance(int64_t t_ms)
{
    ck_assert_int_eq(kdo_query_advance(q, t_ms * KDO_MS, &sink), 0);
}

static void expect_got(size_t n, const char *const *rows)
{
    for (size_t i = 0; i < n && i < ngot; i++)
        ck_assert_str_eq(got[i], rows[i]);
    ck_assert_uint_eq(ngot, n);
}

static const char *const by_ticker[] = {"TICKER_SYMBOL"};

START_TEST(tumbling_one_row_per_group_at_the_window_end)
{
    static const char *const sel[] = {"ROWTIME", "TICKER_SYMBOL", "COUNT(*) AS N",
                                      "SUM(PRICE) AS S", "MIN(PRICE)", "MAX(PRICE)",
                                      "AVG(PRICE) AS A"};
    make_window(KDO_QUERY_TUMBLING, 10000, by_ticker, 1, sel, 7);
    ck_assert_int_eq(kdo_query_next_deadline(q), KDO_TIME_NEVER); /* no rows, no window */
    feed(1000, "A", 1);
    ck_assert_int_eq(kdo_query_next_deadline(q), 10 * KDO_S);
    feed(2000, "B", 10);
    feed(2000, "A", 3); /* the same ROWTIME as B's */
    feed(9999, "A", 2); /* 1 ms before the edge */
    advance(9999);
    ck_assert_uint_eq(ngot, 0);
    advance(10000);
    static const char *const want[] = {
        "@10000 2026-01-01 00:00:10.000,A,3,6.0,1.0,3.0,2.0",
        "@10000 2026-01-01 00:00:10.000,B,1,10.0,10.0,10.0,10.0",
    };
    expect_got(2, want);
    /* A row exactly at the edge opens the next window; with the application
     * down until 35 s, that window's row enters the stream late, and the
     * empty windows in between emit nothing. */
    feed(10000, "A", 5);
    ck_assert_int_eq(kdo_query_next_deadline(q), 20 * KDO_S);
    advance(35000);
    ck_assert_uint_eq(ngot, 3);
    ck_assert_str_eq(got[2], "@35000 2026-01-01 00:00:20.000,A,1,5.0,5.0,5.0,5.0");
    ck_assert_int_eq(kdo_query_next_deadline(q), KDO_TIME_NEVER);
    advance(3600000);
    ck_assert_uint_eq(ngot, 3);
    kdo_query_free(q);
}
END_TEST

START_TEST(tumbling_by_step_and_floor_keys)
{
    static const char *const step[] = {"TICKER_SYMBOL", "STEP(s.ROWTIME BY INTERVAL '60' SECOND)"};
    static const char *const sel[] = {"STEP(s.ROWTIME BY INTERVAL '60' SECOND) AS W", "ROWTIME",
                                      "TICKER_SYMBOL", "COUNT(*)"};
    make_window(KDO_QUERY_TUMBLING, 0, step, 2, sel, 4);
    ck_assert_int_eq(kdo_query_window_ms(q), 60000);
    feed(59999, "A", 1);
    feed(60000, "A", 1); /* closes [0, 60 s) first */
    advance(120000);
    static const char *const want[] = {
        "@60000 2026-01-01 00:00:00.000,2026-01-01 00:01:00.000,A,1",
        "@120000 2026-01-01 00:01:00.000,2026-01-01 00:02:00.000,A,1",
    };
    expect_got(2, want);
    kdo_query_free(q);

    /* FLOOR(ROWTIME TO MINUTE) is the same window; by default a group row
     * is ROWTIME, the other keys and ROW_COUNT. */
    static const char *const floor_key[] = {"FLOOR(ROWTIME TO MINUTE)", "TICKER_SYMBOL"};
    make_window(KDO_QUERY_TUMBLING, 0, floor_key, 2, NULL, 0);
    ck_assert_int_eq(kdo_query_window_ms(q), 60000);
    feed(30000, "B", 2);
    feed(30000, "B", 2);
    advance(60000);
    ck_assert_uint_eq(ngot, 1);
    ck_assert_str_eq(got[0], "@60000 2026-01-01 00:01:00.000,B,2");
    kdo_query_free(q);
}
END_TEST

/* The planted fast-cadence bug (bug.c's seam) halves the width, whether the
 * range or a STEP key gives it; without the bug the config is untouched. */
START_TEST(fast_cadence_bug_halves_the_window_width)
{
    static const char *const step[] = {"STEP(s.ROWTIME BY INTERVAL '60' SECOND)"};
    struct kdo_query_config c = {.window = KDO_QUERY_TUMBLING, .range_ms = 10000,
                                 .output_format = KDO_ROWFMT_CSV, .epoch_ms = 1767225600000};
    struct kdo_errinfo err = {0};
    kdo_bug_query(0, &c);
    ck_assert_uint_eq(c.width_divisor, 0);
    kdo_bug_query(KDO_BUG(FAST_CADENCE), &c);
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "compile: %s", err.msg);
    ck_assert_int_eq(kdo_query_window_ms(q), 5000);
    kdo_query_free(q);
    c.partition_by = step;
    c.npartition = 1;
    c.range_ms = 0;
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "compile: %s", err.msg);
    ck_assert_int_eq(kdo_query_window_ms(q), 30000);
    kdo_query_free(q);
}
END_TEST

START_TEST(late_rows_keep_rowtime_monotonic)
{
    static const char *const sel[] = {"TICKER_SYMBOL", "COUNT(*) AS N"};
    make_window(KDO_QUERY_TUMBLING, 4000, by_ticker, 1, sel, 2);
    feed(5000, "A", 1);
    feed(3000, "A", 1); /* earlier than the last ROWTIME: it gets 5 s, window [4 s, 8 s) */
    advance(8000);
    ck_assert_uint_eq(ngot, 1);
    ck_assert_str_eq(got[0], "@8000 A,2");
    kdo_query_free(q);
}
END_TEST

START_TEST(sliding_range_includes_its_lower_edge)
{
    static const char *const sel[] = {"TICKER_SYMBOL", "PRICE", "COUNT(*) AS N",
                                      "SUM(PRICE) AS S", "MIN(PRICE) OVER W AS LO"};
    make_window(KDO_QUERY_SLIDING, 2000, by_ticker, 1, sel, 5);
    feed(0, "A", 1);
    feed(1000, "B", 5);
    feed(2000, "A", 3);    /* [0 s, 2 s] still holds the row at 0 */
    feed(2001, "A", 2);    /* [1 ms, 2.001 s] does not */
    feed(2001, "A", 4);    /* the same ROWTIME: both in */
    static const char *const want[] = {
        "@0 A,1.0,1,1.0,1.0",     "@1000 B,5.0,1,5.0,5.0", "@2000 A,3.0,2,4.0,1.0",
        "@2001 A,2.0,2,5.0,2.0",  "@2001 A,4.0,3,9.0,2.0",
    };
    expect_got(5, want);
    ck_assert_int_eq(kdo_query_next_deadline(q), KDO_TIME_NEVER); /* nothing waits */
    kdo_query_free(q);
}
END_TEST

START_TEST(sliding_rows_preceding)
{
    static const char *const sel[] = {"PRICE", "COUNT(*) AS N", "SUM(PRICE) AS S",
                                      "MAX(PRICE) AS HI"};
    struct kdo_query_config c = {.select = sel, .nselect = 4, .window = KDO_QUERY_SLIDING,
                                 .by_rows = 1, .rows = 1, .output_format = KDO_ROWFMT_CSV,
                                 .epoch_ms = 1767225600000};
    struct kdo_errinfo err = {0};
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "%s", err.msg);
    ngot = 0;
    feed(0, "A", 3);
    feed(0, "B", 1); /* no partition: one window over every row */
    feed(3600000, "A", 2);
    static const char *const want[] = {"@0 3.0,1,3.0,3.0", "@0 1.0,2,4.0,3.0",
                                       "@3600000 2.0,2,3.0,2.0"};
    expect_got(3, want);
    kdo_query_free(q);
}
END_TEST

START_TEST(count_of_null_counts_nothing)
{
    static const char *const sel[] = {"COUNT(NULL) AS NONE", "COUNT(*) AS ALL_ROWS",
                                      "COUNT(SECTOR) AS SECTORS"};
    make_window(KDO_QUERY_TUMBLING, 1000, NULL, 0, sel, 3);
    feed(0, "A", 1); /* SECTOR is NULL in these rows */
    feed(10, "B", 2);
    advance(1000);
    ck_assert_uint_eq(ngot, 1);
    ck_assert_str_eq(got[0], "@1000 0,2,0");
    kdo_query_free(q);
}
END_TEST

START_TEST(stagger_windows_open_per_key)
{
    static const char *const sel[] = {"ROWTIME", "TICKER_SYMBOL", "COUNT(*) AS N"};
    make_window(KDO_QUERY_STAGGER, 10000, by_ticker, 1, sel, 3);
    feed(1000, "A", 1);
    feed(3000, "B", 1);
    feed(5000, "A", 1);
    ck_assert_int_eq(kdo_query_next_deadline(q), 11 * KDO_S);
    feed(11000, "A", 1); /* A's window closes at 11 s first; this row opens the next */
    advance(12999);
    ck_assert_uint_eq(ngot, 1);
    advance(13000);
    advance(30000);
    static const char *const want[] = {
        "@11000 2026-01-01 00:00:11.000,A,2",
        "@13000 2026-01-01 00:00:13.000,B,1",
        "@30000 2026-01-01 00:00:21.000,A,1",
    };
    expect_got(3, want);
    ck_assert_int_eq(kdo_query_next_deadline(q), KDO_TIME_NEVER);
    kdo_query_free(q);
}
END_TEST

START_TEST(empty_windows_emit_nothing)
{
    static const char *const sel[] = {"TICKER_SYMBOL", "COUNT(*) AS N"};
    struct kdo_query_config c = {.select = sel, .nselect = 2, .partition_by = by_ticker,
                                 .npartition = 1, .window = KDO_QUERY_TUMBLING, .range_ms = 1000,
                                 .where = "PRICE > 100", .output_format = KDO_ROWFMT_CSV,
                                 .epoch_ms = 1767225600000};
    struct kdo_errinfo err = {0};
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "%s", err.msg);
    ngot = 0;
    for (int t = 0; t < 5000; t += 100)
        feed(t, "A", 1); /* WHERE drops them all */
    advance(10000);
    ck_assert_uint_eq(ngot, 0);
    ck_assert_int_eq(kdo_query_next_deadline(q), KDO_TIME_NEVER);
    kdo_query_free(q);
}
END_TEST

START_TEST(window_errors_go_to_the_error_stream)
{
    static const char *const cols[] = {"K", "V"};
    static const char *const types[] = {"VARCHAR(4)", "BIGINT"};
    static const char *const keys[] = {"K"};
    static const char *const sel[] = {"K", "SUM(V) AS S", "AVG(V) AS A"};
    struct kdo_query_config c = {.columns = cols, .types = types, .ncolumns = 2, .select = sel,
                                 .nselect = 3, .partition_by = keys, .npartition = 1,
                                 .window = KDO_QUERY_TUMBLING, .range_ms = 1000,
                                 .output_format = KDO_ROWFMT_CSV, .epoch_ms = 1767225600000};
    struct kdo_errinfo err = {0};
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "%s", err.msg);
    ngot = 0;
    static const char *const rows[] = {
        "{\"K\":\"a\",\"V\":9223372036854775807}", "{\"K\":\"a\",\"V\":1}", /* overflows */
        "{\"K\":\"b\",\"V\":-7}", "{\"K\":\"b\",\"V\":\"x\"}",              /* unreadable */
    };
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(kdo_query_input(q, 0, 0, rows[i], strlen(rows[i]), &sink), 0);
    ck_assert_uint_eq(ngot, 1);
    ck_assert_str_eq(got[0], "!TYPE_CONVERSION_ERROR");
    advance(1000);
    static const char *const want[] = {"!TYPE_CONVERSION_ERROR", "!EXPRESSION_EVALUATION_ERROR",
                                       "@1000 b,-7,-7"};
    expect_got(3, want);
    kdo_query_free(q);
}
END_TEST

START_TEST(error_rows_carry_data_row_and_rowtime)
{
    static const struct kdo_query_sink data_sink = {sink_row, sink_error_data, NULL, NULL};
    static const char *const cols[] = {"K", "V"};
    static const char *const types[] = {"VARCHAR(4)", "BIGINT"};
    static const char *const sel[] = {"K", "SUM(V) AS S"};
    static const char *const keys[] = {"K"};
    struct kdo_query_config c = {.columns = cols, .types = types, .ncolumns = 2, .select = sel,
                                 .nselect = 2, .partition_by = keys, .npartition = 1,
                                 .window = KDO_QUERY_TUMBLING, .range_ms = 1000,
                                 .output_format = KDO_ROWFMT_CSV, .epoch_ms = 1767225600000};
    struct kdo_errinfo err = {0};
    ck_assert_msg(kdo_query_new(&c, &q, &err) == 0, "%s", err.msg);
    ngot = 0;
    const char *bad = "{\"K\":\"a\",\"V\":\"x\"}";
    ck_assert_int_eq(kdo_query_input(q, 250 * KDO_MS, 0, bad, strlen(bad), &data_sink), 0);
    ck_assert_str_eq(last_data, bad); /* an input row: DATA_ROW is the row as read */
    ck_assert_int_eq(last_rowtime_ms, 1767225600250);
    const char *big = "{\"K\":\"a\",\"V\":9223372036854775807}";
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(kdo_query_input(q, 300 * KDO_MS, 0, big, strlen(big), &data_sink), 0);
    ck_assert_int_eq(kdo_query_advance(q, KDO_S, &data_sink), 0);
    ck_assert_str_eq(last_data, "(none)"); /* a window's row: no DATA_ROW, its ROWTIME */
    ck_assert_int_eq(last_rowtime_ms, 1767225601000);
    ck_assert_uint_eq(ngot, 2);
    kdo_query_free(q);
}
END_TEST

START_TEST(quoted_alias_keeps_its_case)
{
    static const char *const sel[] = {"PRICE AS \"Price\"", "TICKER_SYMBOL as sym",
                                      "CAST(PRICE AS BIGINT) AS \"a \"\"b\"\"\""};
    make(NULL, sel, 3, KDO_ROWFMT_JSON);
    ck_assert_int_eq(run(amzn), 1);
    ck_assert_str_eq(out, "{\"Price\":82.5,\"SYM\":\"AMZN\",\"a \\\"b\\\"\":82}");
    kdo_query_free(q);
}
END_TEST

/* Keys that come and go do not pile up: a partition whose last row left
 * the RANGE is forgotten, so 150,000 distinct keys over time stay under the
 * 100,000-partition limit. */
START_TEST(sliding_forgets_partitions_out_of_range)
{
    static const char *const sel[] = {"TICKER_SYMBOL", "COUNT(*) AS N"};
    make_window(KDO_QUERY_SLIDING, 1000, by_ticker, 1, sel, 2);
    char key[8];
    for (int i = 0; i < 150000; i++) {
        int k = i; /* a distinct key of at most 4 characters (VARCHAR(4)) */
        for (int d = 0; d < 4; d++, k /= 36)
            key[d] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[k % 36];
        key[4] = 0;
        ngot = 0; /* only the last row matters here */
        feed((int64_t)i * 10, key, 1);
    }
    ck_assert_uint_eq(ngot, 1);
    ck_assert_str_eq(got[0], "@1499990 NQ73,1"); /* no TOO_MANY_PARTITIONS: a row, N = 1 */
    kdo_query_free(q);
}
END_TEST

/* ROWTIME is a TIMESTAMP of milliseconds: a row read at 1.0005 s is shown,
 * and windowed, at 1.000 s. */
START_TEST(rowtime_is_whole_milliseconds)
{
    static const char *const sel[] = {"ROWTIME", "COUNT(*) AS N"};
    make_window(KDO_QUERY_SLIDING, 1000, NULL, 0, sel, 2);
    const char *row = "{\"TICKER_SYMBOL\":\"A\"}";
    ck_assert_int_eq(kdo_query_input(q, 0, 0, row, strlen(row), &sink), 0);
    ck_assert_int_eq(kdo_query_input(q, KDO_S + 500 * KDO_US, 0, row, strlen(row), &sink), 0);
    ck_assert_uint_eq(ngot, 2);
    ck_assert_str_eq(got[1], "@1000 2026-01-01 00:00:01.000,2");
    kdo_query_free(q);
}
END_TEST

START_TEST(window_compile_errors)
{
    struct kdo_errinfo err = {0};
    static const char *const agg[] = {"COUNT(*)"};
    struct kdo_query_config c = {.select = agg, .nselect = 1, .epoch_ms = 1767225600000};
    ck_assert_int_eq(kdo_query_new(&c, &q, &err), KDO_EINVAL); /* no window */
    ck_assert_ptr_nonnull(strstr(err.msg, "needs a window"));
    static const char *const notkey[] = {"SECTOR", "COUNT(*)"};
    c = (struct kdo_query_config){.select = notkey, .nselect = 2, .partition_by = by_ticker,
                                  .npartition = 1, .window = KDO_QUERY_TUMBLING, .range_ms = 1000};
    ck_assert_int_eq(kdo_query_new(&c, &q, &err), KDO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "partition_by"));
    static const char *const sumtext[] = {"SUM(SECTOR)"};
    c.select = sumtext;
    c.nselect = 1;
    ck_assert_int_eq(kdo_query_new(&c, &q, &err), KDO_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.msg, "SUM takes a number"));
    c.select = NULL;
    c.range_ms = 0; /* no width and no STEP key */
    ck_assert_int_eq(kdo_query_new(&c, &q, &err), KDO_EINVAL);
    static const char *const nope[] = {"NOPE"};
    c = (struct kdo_query_config){.partition_by = nope, .npartition = 1,
                                  .window = KDO_QUERY_SLIDING, .range_ms = 1000};
    ck_assert_int_eq(kdo_query_new(&c, &q, &err), KDO_ESCHEMA);
    ck_assert_ptr_nonnull(strstr(err.msg, "partition_by NOPE"));
    static const char *const cols[] = {"X", "rowtime"};
    static const char *const types[] = {"BIGINT", "BIGINT"};
    c = (struct kdo_query_config){.columns = cols, .types = types, .ncolumns = 2};
    ck_assert_int_eq(kdo_query_new(&c, &q, &err), KDO_ESCHEMA); /* KDA's own column */
    ck_assert_ptr_nonnull(strstr(err.msg, "KDA's own"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("query");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"default_projection", every_column_by_default},
        {"projection", projection_with_aliases_and_implicit_columns},
        {"where", where_keeps_only_true},
        {"csv_output", csv_output},
        {"error_stream", bad_rows_go_to_the_error_stream},
        {"compile_errors", compile_errors},
        {"declared_schema", declared_schema_and_csv_input},
        {"tumbling", tumbling_one_row_per_group_at_the_window_end},
        {"tumbling_step_floor", tumbling_by_step_and_floor_keys},
        {"fast_cadence_bug", fast_cadence_bug_halves_the_window_width},
        {"late_rows", late_rows_keep_rowtime_monotonic},
        {"sliding_range", sliding_range_includes_its_lower_edge},
        {"sliding_rows", sliding_rows_preceding},
        {"stagger", stagger_windows_open_per_key},
        {"count_null", count_of_null_counts_nothing},
        {"error_data", error_rows_carry_data_row_and_rowtime},
        {"quoted_alias", quoted_alias_keeps_its_case},
        {"sliding_forgets", sliding_forgets_partitions_out_of_range},
        {"rowtime_ms", rowtime_is_whole_milliseconds},
        {"empty_windows", empty_windows_emit_nothing},
        {"window_errors", window_errors_go_to_the_error_stream},
        {"window_compile_errors", window_compile_errors},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
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
