/*
 * test_query_analytic.c -- LAG, FIRST_VALUE and LAST_VALUE over sliding
 * windows (the query module's analytic functions): each result worked out
 * by hand from the SQL Reference's definitions -- LAG(expr [, N [, default]])
 * is the value N rows back in the row's window (1 by default; the default,
 * or NULL, past the window's start), FIRST_VALUE the oldest row still in the
 * window, LAST_VALUE the newest (the current row), IGNORE NULLS skipping
 * the rows whose value is NULL -- over partitions, RANGE and ROWS windows,
 * VARCHAR values kept after their row is reused, and the refusals of a bad
 * call with their line:col.  The demo schema, feed() and the typed sink
 * ("@<ms> <json>"): query_sql_fixture.h.
 */
#include "query_sql_fixture.h"

#define NONE NAN /* a NULL price (feed) */

START_TEST(lag_rows_window_partitions_offset_default)
{
    /* ROWS 2 PRECEDING holds the row and two before it in its ticker: LAG 3 back is
     * always past the window, so its default (0, a BIGINT made DOUBLE). */
    compile("SELECT STREAM ticker_symbol AS ticker, price,\n"
            "  LAG(price) OVER w AS P1, LAG(price, 2) OVER w AS P2,\n"
            "  LAG(price, 3, 0) OVER w AS P3\n"
            "FROM S WINDOW w AS (PARTITION BY ticker_symbol ROWS 2 PRECEDING)");
    feed(1000, "A", 10);
    feed(2000, "B", 20);
    feed(3000, "A", 11);
    feed(4000, "A", 12);
    feed(5000, "A", 13);
    feed(6000, "B", 21);
    static const char *const want[] = {
        "@1000 {\"TICKER\":\"A\",\"PRICE\":10.0,\"P1\":null,\"P2\":null,\"P3\":0.0}",
        "@2000 {\"TICKER\":\"B\",\"PRICE\":20.0,\"P1\":null,\"P2\":null,\"P3\":0.0}",
        "@3000 {\"TICKER\":\"A\",\"PRICE\":11.0,\"P1\":10.0,\"P2\":null,\"P3\":0.0}",
        "@4000 {\"TICKER\":\"A\",\"PRICE\":12.0,\"P1\":11.0,\"P2\":10.0,\"P3\":0.0}",
        "@5000 {\"TICKER\":\"A\",\"PRICE\":13.0,\"P1\":12.0,\"P2\":11.0,\"P3\":0.0}",
        "@6000 {\"TICKER\":\"B\",\"PRICE\":21.0,\"P1\":20.0,\"P2\":null,\"P3\":0.0}",
    };
    expect_got(sizeof want / sizeof want[0], want);
}
END_TEST

START_TEST(first_last_lag_range_window_nulls)
{
    /* A 2-second RANGE window per ticker; NULL prices respected (the default) or
     * ignored.  Worked by hand: at 3000 ms ticker A's window holds 1000 (5), 2500
     * (NULL) and 3000 (8); at 4200 ms, 2500 (NULL), 3000 (8), 4200 (9); at 6500 ms
     * only itself. */
    compile("SELECT STREAM ticker_symbol AS ticker, price,\n"
            "  FIRST_VALUE(price) OVER w AS F, FIRST_VALUE(price) IGNORE NULLS OVER w AS FI,\n"
            "  LAST_VALUE(price) OVER w AS L, LAST_VALUE(price) IGNORE NULLS OVER w AS LI,\n"
            "  LAG(price) IGNORE NULLS OVER w AS PI, LAG(price) RESPECT NULLS OVER w AS PR\n"
            "FROM S WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '2' SECOND PRECEDING)");
    feed(0, "A", NONE);
    feed(1000, "A", 5);
    feed(1500, "B", 7);
    feed(2500, "A", NONE);
    feed(3000, "A", 8);
    feed(4200, "A", 9);
    feed(6500, "A", NONE);
    static const char *const want[] = {
        "@0 {\"TICKER\":\"A\",\"PRICE\":null,\"F\":null,\"FI\":null,\"L\":null,\"LI\":null,"
        "\"PI\":null,\"PR\":null}",
        "@1000 {\"TICKER\":\"A\",\"PRICE\":5.0,\"F\":null,\"FI\":5.0,\"L\":5.0,\"LI\":5.0,"
        "\"PI\":null,\"PR\":null}",
        "@1500 {\"TICKER\":\"B\",\"PRICE\":7.0,\"F\":7.0,\"FI\":7.0,\"L\":7.0,\"LI\":7.0,"
        "\"PI\":null,\"PR\":null}",
        "@2500 {\"TICKER\":\"A\",\"PRICE\":null,\"F\":5.0,\"FI\":5.0,\"L\":null,\"LI\":5.0,"
        "\"PI\":5.0,\"PR\":5.0}",
        "@3000 {\"TICKER\":\"A\",\"PRICE\":8.0,\"F\":5.0,\"FI\":5.0,\"L\":8.0,\"LI\":8.0,"
        "\"PI\":5.0,\"PR\":null}",
        "@4200 {\"TICKER\":\"A\",\"PRICE\":9.0,\"F\":null,\"FI\":8.0,\"L\":9.0,\"LI\":9.0,"
        "\"PI\":8.0,\"PR\":8.0}",
        "@6500 {\"TICKER\":\"A\",\"PRICE\":null,\"F\":null,\"FI\":null,\"L\":null,\"LI\":null,"
        "\"PI\":null,\"PR\":null}",
    };
    expect_got(sizeof want / sizeof want[0], want);
}
END_TEST

START_TEST(varchar_values_are_kept_and_default_widens)
{
    /* The input row is refilled every time: LAG and FIRST_VALUE must show the earlier
     * rows' tickers, not the current one's bytes.  LAG's default 'nothing' is longer
     * than TICKER's VARCHAR(4): the column takes the longer type. */
    compile("SELECT STREAM ticker_symbol AS ticker,\n"
            "  LAG(ticker_symbol, 1, 'nothing') OVER w AS PREV,\n"
            "  FIRST_VALUE(ticker_symbol) OVER w AS FIRST_T\n"
            "FROM S WINDOW w AS (ROWS 2 PRECEDING)");
    feed(1000, "A", 1);
    feed(2000, "BB", 2);
    feed(3000, "CCC", 3);
    feed(4000, "DDDD", 4);
    feed(5000, "E", 5);
    static const char *const want[] = {
        "@1000 {\"TICKER\":\"A\",\"PREV\":\"nothing\",\"FIRST_T\":\"A\"}",
        "@2000 {\"TICKER\":\"BB\",\"PREV\":\"A\",\"FIRST_T\":\"A\"}",
        "@3000 {\"TICKER\":\"CCC\",\"PREV\":\"BB\",\"FIRST_T\":\"A\"}",
        "@4000 {\"TICKER\":\"DDDD\",\"PREV\":\"CCC\",\"FIRST_T\":\"BB\"}",
        "@5000 {\"TICKER\":\"E\",\"PREV\":\"DDDD\",\"FIRST_T\":\"CCC\"}",
    };
    expect_got(sizeof want / sizeof want[0], want);
}
END_TEST

START_TEST(lag_inside_expressions_with_aggregates)
{
    /* LAG in arithmetic, its default evaluated on the current row (KDA: "with respect
     * to the current record"), beside an aggregate over another (inline) window. */
    compile("SELECT STREAM ticker_symbol AS ticker,\n"
            "  price - LAG(price, 1, price)\n"
            "    OVER (PARTITION BY ticker_symbol ROWS 5 PRECEDING) AS D,\n"
            "  COUNT(*) OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS N,\n"
            "  LAG(sector, 0) OVER (ROWS 1 PRECEDING) AS S\n"
            "FROM S");
    feed(1000, "A", 10);
    feed(2000, "A", 12.5);
    feed(3000, "B", 4);
    feed(4000, "A", 12);
    static const char *const want[] = {
        "@1000 {\"TICKER\":\"A\",\"D\":0.0,\"N\":1,\"S\":\"TECH\"}",
        "@2000 {\"TICKER\":\"A\",\"D\":2.5,\"N\":2,\"S\":\"TECH\"}",
        "@3000 {\"TICKER\":\"B\",\"D\":0.0,\"N\":3,\"S\":\"TECH\"}",
        "@4000 {\"TICKER\":\"A\",\"D\":-0.5,\"N\":4,\"S\":\"TECH\"}",
    };
    expect_got(sizeof want / sizeof want[0], want);
}
END_TEST

START_TEST(lag_default_of_another_numeric_type)
{
    /* 0.5 is a DECIMAL literal and 1 a BIGINT: both stand for a DOUBLE price. */
    compile("SELECT STREAM LAG(price, 1, 0.5) OVER (ROWS 1 PRECEDING) AS P,\n"
            "  LAG(price, 2, 1) OVER (ROWS 1 PRECEDING) AS P2 FROM S");
    feed(1000, "A", 3);
    feed(2000, "A", 4.25);
    static const char *const want[] = {"@1000 {\"P\":0.5,\"P2\":1.0}",
                                       "@2000 {\"P\":3.0,\"P2\":1.0}"};
    expect_got(2, want);
}
END_TEST

START_TEST(range_window_forgets_old_partitions_and_values)
{
    /* Many short-lived tickers through a 1-second window: each partition is dropped
     * once its rows have left, values and all (ASan's leak check sees the rest); a
     * ticker seen again after its window emptied starts afresh. */
    compile("SELECT STREAM ticker_symbol AS ticker, LAG(ticker_symbol) OVER w AS P,\n"
            "  FIRST_VALUE(ticker_symbol) OVER w AS F\n"
            "FROM S WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '1' SECOND PRECEDING)");
    char t[8];
    for (int i = 0; i < 20; i++) {
        snprintf(t, sizeof t, "T%d", i % 10);
        feed(i * 600, t, i);
    }
    ck_assert_uint_eq(ngot, 20);
    for (size_t i = 0; i < ngot; i++) /* the same ticker comes back 6 s later */
        ck_assert_msg(strstr(got[i], "\"P\":null") != NULL, "%s", got[i]);
    ck_assert_str_eq(got[19], "@11400 {\"TICKER\":\"T9\",\"P\":null,\"F\":\"T9\"}");
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
        {"SELECT STREAM\n  LAG(price, change) OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG's offset must be a constant integer", 2, 14},
        {"SELECT STREAM LAG(price, 1.5) OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG's offset must be a constant integer", 1, 26},
        {"SELECT STREAM LAG(price, 1, 'x') OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG's default is VARCHAR; it must be of its expression's type, DOUBLE", 1, 29},
        {"SELECT STREAM LAG(CAST(price AS BIGINT), 1, 0.5) OVER (ROWS 2 PRECEDING) AS L FROM S",
         "LAG's default is DECIMAL; it must be of its expression's type, BIGINT", 1, 45},
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
        {"SELECT STREAM ticker_symbol, LAG(price) OVER (ROWS 1 PRECEDING) AS L FROM S\n"
         "GROUP BY ticker_symbol, STEP(S.ROWTIME BY INTERVAL '1' MINUTE)",
         "LAG ... OVER in a GROUP BY", 1, 46},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kdo_errinfo e = {0};
        ck_assert_msg(try_compile(cases[i].sql, &e) != 0, "%s: compiled", cases[i].sql);
        ck_assert_msg(strstr(e.msg, cases[i].msg), "%s: %s", cases[i].sql, e.msg);
        ck_assert_msg(e.line == cases[i].line && e.column == cases[i].col, "%s: at %d:%d: %s",
                      cases[i].sql, e.line, e.column, e.msg);
        ck_assert_str_eq(e.file ? e.file : "(null)", "app.sql");
        q = NULL;
    }
}
END_TEST

START_TEST(ignore_as_an_alias_still_parses)
{
    /* IGNORE and RESPECT are not reserved: without NULLS after it, IGNORE is an alias. */
    compile("SELECT STREAM LAG(price) OVER (ROWS 1 PRECEDING) IGNORE FROM S");
    feed(1000, "A", 3);
    feed(2000, "A", 4);
    static const char *const want[] = {"@1000 {\"IGNORE\":null}", "@2000 {\"IGNORE\":3.0}"};
    expect_got(2, want);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("query_analytic");
    TCase *tc = tcase_create("analytic");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, lag_rows_window_partitions_offset_default);
    tcase_add_test(tc, first_last_lag_range_window_nulls);
    tcase_add_test(tc, varchar_values_are_kept_and_default_widens);
    tcase_add_test(tc, lag_inside_expressions_with_aggregates);
    tcase_add_test(tc, lag_default_of_another_numeric_type);
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
