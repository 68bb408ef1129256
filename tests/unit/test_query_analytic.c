/*
 * test_query_analytic.c -- LAG, FIRST_VALUE and LAST_VALUE over sliding
 * windows (the query module's analytic functions): each result worked out
 * by hand from the SQL Reference's definitions -- LAG(expr [, N [, default]])
 * is the value N rows back in the row's window (1 by default; the default,
 * or NULL, past the window's start), FIRST_VALUE the oldest row still in the
 * window, LAST_VALUE the newest (the current row), IGNORE NULLS skipping
 * the rows whose value is NULL -- over partitions, RANGE and ROWS windows,
 * VARCHAR values kept after their row is reused, and the refusals of a bad
 * call with their line:col.  Times are run times; ROWTIME is 2026-01-01
 * plus them.
 */
#include "base/errors.h"
#include "sql/parse.h"
#include "sql/query.h"
#include "sql/row.h"
#include "sql/rowfmt.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPOCH_MS INT64_C(1767225600000)
#define NONE (-1.0) /* a NULL price */

static struct kdo_arena arena;
static struct kdo_row_schema *in_schema;
static struct kdo_row *in;
static struct kdo_query *query;
static char out[32][320];
static size_t nout;

static void start(void)
{
    kdo_arena_init(&arena, 1 << 20);
    in_schema = kdo_row_schema_new();
    ck_assert_int_eq(kdo_row_schema_add(in_schema, "TICKER", 6, KDO_TYPE_VARCHAR, 4, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(in_schema, "PRICE", 5, KDO_TYPE_DOUBLE, 0, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(in_schema, "QTY", 3, KDO_TYPE_BIGINT, 0, NULL), 0);
    in = kdo_row_new(in_schema);
    nout = 0;
    query = NULL;
}

static void stop(void)
{
    kdo_query_free(query);
    kdo_row_free(in);
    kdo_row_schema_free(in_schema);
    kdo_arena_cleanup(&arena);
}

/* Parses and compiles sql over (TICKER, PRICE, QTY): kdo_query_new's code, *e its detail. */
static int build(const char *sql, struct kdo_errinfo *e)
{
    struct kdo_ast_program *p;
    int rc = kdo_sql_parse("app.sql", sql, strlen(sql), &arena, &p, e);
    if (rc)
        return rc;
    struct kdo_query_config c = {.select_ast = p->stmts->query->selects,
                                 .input_schema = in_schema, .input_name = "S",
                                 .file = "app.sql", .epoch_ms = EPOCH_MS};
    return kdo_query_new(&c, &query, e);
}

static void build_ok(const char *sql)
{
    struct kdo_errinfo e = {0};
    ck_assert_msg(build(sql, &e) == 0, "%d:%d: %s", e.line, e.column, e.msg);
}

/* Output rows as JSON without ROWTIME's date: "{...}". */
static int on_row(void *ctx, kdo_time_ns now, const struct kdo_row *r)
{
    struct kdo_buf b;
    (void)ctx, (void)now;
    ck_assert_uint_lt(nout, 32);
    kdo_buf_init(&b, 4096);
    ck_assert_int_eq(kdo_rowfmt_write(&b, r, KDO_ROWFMT_JSON), 0);
    snprintf(out[nout++], sizeof out[0], "%.*s", (int)b.len, b.data);
    kdo_buf_cleanup(&b);
    return 0;
}

static int on_text(void *ctx, kdo_time_ns now, const char *r, size_t n)
{
    (void)ctx, (void)now, (void)r, (void)n;
    ck_abort_msg("typed rows only");
    return 0;
}

static void on_error(void *ctx, kdo_time_ns now, const struct kdo_query_error *e)
{
    (void)ctx, (void)now;
    ck_assert_uint_lt(nout, 32);
    snprintf(out[nout++], sizeof out[0], "!%s %.200s", e->name, e->message);
}

static const struct kdo_query_sink to_out = {on_text, on_error, NULL, on_row};

/* One input row at t_ms; price NONE is NULL.  The row is cleared and refilled each
 * time, so a value the query kept must be its own copy. */
static void put(int64_t t_ms, const char *ticker, double price)
{
    struct kdo_value t = kdo_value_varchar(ticker, strlen(ticker));
    struct kdo_value p = price == NONE ? kdo_value_null() : kdo_value_double(price);
    struct kdo_value n = kdo_value_bigint(7);
    kdo_row_clear(in);
    ck_assert_int_eq(kdo_row_set(in, 0, &t, NULL), 0);
    ck_assert_int_eq(kdo_row_set(in, 1, &p, NULL), 0);
    ck_assert_int_eq(kdo_row_set(in, 2, &n, NULL), 0);
    ck_assert_int_eq(kdo_query_input_row(query, t_ms * KDO_MS, t_ms * KDO_MS, in, &to_out), 0);
}

static void expect_out(const char *const *want, size_t n)
{
    for (size_t i = 0; i < n && i < nout; i++)
        ck_assert_msg(strcmp(out[i], want[i]) == 0, "row %zu:\n got  %s\n want %s", i, out[i],
                      want[i]);
    ck_assert_uint_eq(nout, n);
}

START_TEST(lag_rows_window_partitions_offset_default)
{
    /* ROWS 2 PRECEDING holds the row and two before it in its ticker: LAG 3 back is
     * always past the window, so its default (0, a BIGINT made DOUBLE). */
    build_ok("SELECT STREAM ticker, price,\n"
             "  LAG(price) OVER w AS P1, LAG(price, 2) OVER w AS P2,\n"
             "  LAG(price, 3, 0) OVER w AS P3\n"
             "FROM S WINDOW w AS (PARTITION BY ticker ROWS 2 PRECEDING)");
    put(1000, "A", 10);
    put(2000, "B", 20);
    put(3000, "A", 11);
    put(4000, "A", 12);
    put(5000, "A", 13);
    put(6000, "B", 21);
    static const char *const want[] = {
        "{\"TICKER\":\"A\",\"PRICE\":10.0,\"P1\":null,\"P2\":null,\"P3\":0.0}",
        "{\"TICKER\":\"B\",\"PRICE\":20.0,\"P1\":null,\"P2\":null,\"P3\":0.0}",
        "{\"TICKER\":\"A\",\"PRICE\":11.0,\"P1\":10.0,\"P2\":null,\"P3\":0.0}",
        "{\"TICKER\":\"A\",\"PRICE\":12.0,\"P1\":11.0,\"P2\":10.0,\"P3\":0.0}",
        "{\"TICKER\":\"A\",\"PRICE\":13.0,\"P1\":12.0,\"P2\":11.0,\"P3\":0.0}",
        "{\"TICKER\":\"B\",\"PRICE\":21.0,\"P1\":20.0,\"P2\":null,\"P3\":0.0}",
    };
    expect_out(want, sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(first_last_lag_range_window_nulls)
{
    /* A 2-second RANGE window per ticker; NULL prices respected (the default) or
     * ignored.  Worked by hand: at 3000 ms ticker A's window holds 1000 (5), 2500
     * (NULL) and 3000 (8); at 4200 ms, 2500 (NULL), 3000 (8), 4200 (9); at 6500 ms
     * only itself. */
    build_ok("SELECT STREAM ticker, price,\n"
             "  FIRST_VALUE(price) OVER w AS F, FIRST_VALUE(price) IGNORE NULLS OVER w AS FI,\n"
             "  LAST_VALUE(price) OVER w AS L, LAST_VALUE(price) IGNORE NULLS OVER w AS LI,\n"
             "  LAG(price) IGNORE NULLS OVER w AS PI, LAG(price) RESPECT NULLS OVER w AS PR\n"
             "FROM S WINDOW w AS (PARTITION BY ticker RANGE INTERVAL '2' SECOND PRECEDING)");
    put(0, "A", NONE);
    put(1000, "A", 5);
    put(1500, "B", 7);
    put(2500, "A", NONE);
    put(3000, "A", 8);
    put(4200, "A", 9);
    put(6500, "A", NONE);
    static const char *const want[] = {
        "{\"TICKER\":\"A\",\"PRICE\":null,\"F\":null,\"FI\":null,\"L\":null,\"LI\":null,"
        "\"PI\":null,\"PR\":null}",
        "{\"TICKER\":\"A\",\"PRICE\":5.0,\"F\":null,\"FI\":5.0,\"L\":5.0,\"LI\":5.0,"
        "\"PI\":null,\"PR\":null}",
        "{\"TICKER\":\"B\",\"PRICE\":7.0,\"F\":7.0,\"FI\":7.0,\"L\":7.0,\"LI\":7.0,"
        "\"PI\":null,\"PR\":null}",
        "{\"TICKER\":\"A\",\"PRICE\":null,\"F\":5.0,\"FI\":5.0,\"L\":null,\"LI\":5.0,"
        "\"PI\":5.0,\"PR\":5.0}",
        "{\"TICKER\":\"A\",\"PRICE\":8.0,\"F\":5.0,\"FI\":5.0,\"L\":8.0,\"LI\":8.0,"
        "\"PI\":5.0,\"PR\":null}",
        "{\"TICKER\":\"A\",\"PRICE\":9.0,\"F\":null,\"FI\":8.0,\"L\":9.0,\"LI\":9.0,"
        "\"PI\":8.0,\"PR\":8.0}",
        "{\"TICKER\":\"A\",\"PRICE\":null,\"F\":null,\"FI\":null,\"L\":null,\"LI\":null,"
        "\"PI\":null,\"PR\":null}",
    };
    expect_out(want, sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(varchar_values_are_kept_and_default_widens)
{
    /* The input row is refilled every time: LAG and FIRST_VALUE must show the earlier
     * rows' tickers, not the current one's bytes.  LAG's default 'nothing' is longer
     * than TICKER's VARCHAR(4): the column takes the longer type. */
    build_ok("SELECT STREAM ticker, LAG(ticker, 1, 'nothing') OVER w AS PREV,\n"
             "  FIRST_VALUE(ticker) OVER w AS FIRST_T\n"
             "FROM S WINDOW w AS (ROWS 2 PRECEDING)");
    put(1000, "A", 1);
    put(2000, "BB", 2);
    put(3000, "CCC", 3);
    put(4000, "DDDD", 4);
    put(5000, "E", 5);
    static const char *const want[] = {
        "{\"TICKER\":\"A\",\"PREV\":\"nothing\",\"FIRST_T\":\"A\"}",
        "{\"TICKER\":\"BB\",\"PREV\":\"A\",\"FIRST_T\":\"A\"}",
        "{\"TICKER\":\"CCC\",\"PREV\":\"BB\",\"FIRST_T\":\"A\"}",
        "{\"TICKER\":\"DDDD\",\"PREV\":\"CCC\",\"FIRST_T\":\"BB\"}",
        "{\"TICKER\":\"E\",\"PREV\":\"DDDD\",\"FIRST_T\":\"CCC\"}",
    };
    expect_out(want, sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(lag_inside_expressions_with_aggregates)
{
    /* LAG in arithmetic, its default evaluated on the current row (KDA: "with respect
     * to the current record"), beside an aggregate over another (inline) window. */
    build_ok("SELECT STREAM ticker,\n"
             "  price - LAG(price, 1, price) OVER (PARTITION BY ticker ROWS 5 PRECEDING) AS D,\n"
             "  COUNT(*) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS N,\n"
             "  LAG(qty, 0) OVER (ROWS 1 PRECEDING) * 2 AS Q2\n"
             "FROM S");
    put(1000, "A", 10);
    put(2000, "A", 12.5);
    put(3000, "B", 4);
    put(4000, "A", 12);
    static const char *const want[] = {
        "{\"TICKER\":\"A\",\"D\":0.0,\"N\":1,\"Q2\":14}",
        "{\"TICKER\":\"A\",\"D\":2.5,\"N\":2,\"Q2\":14}",
        "{\"TICKER\":\"B\",\"D\":0.0,\"N\":3,\"Q2\":14}",
        "{\"TICKER\":\"A\",\"D\":-0.5,\"N\":4,\"Q2\":14}",
    };
    expect_out(want, sizeof want / sizeof want[0]);
}
END_TEST

START_TEST(range_window_forgets_old_partitions_and_values)
{
    /* Many short-lived tickers through a 1-second window: each partition is dropped
     * once its rows have left, values and all (ASan's leak check sees the rest); a
     * ticker seen again after its window emptied starts afresh. */
    build_ok("SELECT STREAM ticker, LAG(ticker) OVER w AS P, FIRST_VALUE(ticker) OVER w AS F\n"
             "FROM S WINDOW w AS (PARTITION BY ticker RANGE INTERVAL '1' SECOND PRECEDING)");
    char t[8];
    for (int i = 0; i < 20; i++) {
        snprintf(t, sizeof t, "T%d", i % 10);
        put(i * 600, t, i);
    }
    ck_assert_uint_eq(nout, 20);
    for (size_t i = 0; i < nout; i++) /* the same ticker comes back 6 s later */
        ck_assert_msg(strstr(out[i], "\"P\":null") != NULL, "%s", out[i]);
    ck_assert_str_eq(out[19], "{\"TICKER\":\"T9\",\"P\":null,\"F\":\"T9\"}");
}
END_TEST

START_TEST(refusals_with_position)
{
    static const struct {
        const char *sql, *msg;
        int line, col;
    } cases[] = {
        {"SELECT STREAM LAG(price, -1) OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG's offset is -1; it must be 0 or more", 1, 26},
        {"SELECT STREAM\n  LAG(price, qty) OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG's offset must be a constant integer", 2, 14},
        {"SELECT STREAM LAG(price, 1.5) OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG's offset must be a constant integer", 1, 26},
        {"SELECT STREAM LAG(price, 1, 'x') OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG's default is VARCHAR; it must be of its expression's type, DOUBLE", 1, 29},
        {"SELECT STREAM LAG(price, 1, 0, 2) OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG takes (expr [, N [, default]])", 1, 15},
        {"SELECT STREAM FIRST_VALUE(price, 2) OVER (ROWS 2 PRECEDING) AS L FROM S",
         "FIRST_VALUE takes one argument", 1, 15},
        {"SELECT STREAM FIRST_VALUE(price) AS F FROM S", "FIRST_VALUE needs OVER a window", 1,
         15},
        {"SELECT STREAM price FROM S\nWHERE LAST_VALUE(price) OVER (ROWS 1 PRECEDING) > 1",
         "LAST_VALUE is an analytic function; it is not allowed here", 2, 7},
        {"SELECT STREAM SUM(LAG(price) OVER (ROWS 1 PRECEDING)) OVER (ROWS 1 PRECEDING) FROM S",
         "LAG is an analytic function", 1, 19},
        {"SELECT STREAM SUM(price) IGNORE NULLS OVER (ROWS 1 PRECEDING) AS T FROM S",
         "IGNORE NULLS: only LAG, FIRST_VALUE and LAST_VALUE", 1, 15},
        {"SELECT STREAM NTH_VALUE(price, 2) OVER (ROWS 1 PRECEDING) AS T FROM S",
         "NTH_VALUE ... OVER is not supported yet", 1, 15},
        {"SELECT STREAM LAG(price) OVER w AS L FROM S", "window W is not defined", 1, 31},
        {"SELECT STREAM ticker, LAG(price) OVER (ROWS 1 PRECEDING) AS L FROM S\n"
         "GROUP BY ticker, STEP(S.ROWTIME BY INTERVAL '1' MINUTE)",
         "LAG ... OVER in a GROUP BY", 1, 39},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kdo_errinfo e = {0};
        ck_assert_msg(build(cases[i].sql, &e) != 0, "%s: compiled", cases[i].sql);
        ck_assert_msg(strstr(e.msg, cases[i].msg), "%s: %s", cases[i].sql, e.msg);
        ck_assert_msg(e.line == cases[i].line && e.column == cases[i].col, "%s: at %d:%d: %s",
                      cases[i].sql, e.line, e.column, e.msg);
        ck_assert_str_eq(e.file ? e.file : "(null)", "app.sql");
        query = NULL;
    }
}
END_TEST

START_TEST(ignore_as_an_alias_still_parses)
{
    /* IGNORE and RESPECT are not reserved: without NULLS after it, IGNORE is an alias. */
    build_ok("SELECT STREAM LAG(price) OVER (ROWS 1 PRECEDING) IGNORE FROM S");
    put(1000, "A", 3);
    put(2000, "A", 4);
    static const char *const want[] = {"{\"IGNORE\":null}", "{\"IGNORE\":3.0}"};
    expect_out(want, 2);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("query_analytic");
    TCase *tc = tcase_create("analytic");
    tcase_add_checked_fixture(tc, start, stop);
    tcase_add_test(tc, lag_rows_window_partitions_offset_default);
    tcase_add_test(tc, first_last_lag_range_window_nulls);
    tcase_add_test(tc, varchar_values_are_kept_and_default_widens);
    tcase_add_test(tc, lag_inside_expressions_with_aggregates);
    tcase_add_test(tc, range_window_forgets_old_partitions_and_values);
    tcase_add_test(tc, refusals_with_position);
    tcase_add_test(tc, ignore_as_an_alias_still_parses);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
