/*
 * test_orderby.c -- a pump's streaming ORDER BY (emulator/sql/orderby.c):
 * rows of one ROWTIME bucket sorted by the rest of the key when the bucket
 * ends on the clock or a later bucket's row comes, DESC, ties in arrival
 * order, NULL high (last ascending, first descending), after a GROUP BY as the survey's applications write it,
 * and the refusals (a leading key that is no time bucket over ROWTIME, a
 * column the output lacks) at line:col.  Time is advanced by hand.
 */
#include "program_harness.h"

static void setup(void)
{
    harness_setup();
    ck_assert_int_eq(kdo_row_schema_add(input, "TICKER", 6, KDO_TYPE_VARCHAR, 16, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(input, "PRICE", 5, KDO_TYPE_DOUBLE, 0, NULL), 0);
}

static void tick(kdo_time_ns t, const char *ticker, const char *price)
{
    char row[96];
    int n = snprintf(row, sizeof row, "{\"TICKER\":\"%s\",\"PRICE\":%s}", ticker, price);
    ck_assert_int_eq(kdo_program_input(prog, 0, t, t, row, (size_t)n, &sink), 0);
}

START_TEST(a_bucket_is_sent_sorted_when_it_ends)
{
    load_ok("CREATE STREAM DESTINATION_SQL_STREAM (t VARCHAR(4), p DOUBLE);\n"
            "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
            "  SELECT STREAM ticker, price FROM SOURCE_SQL_STREAM_001 AS s\n"
            "  ORDER BY FLOOR(s.ROWTIME TO SECOND), price DESC;");
    tick(S(1) + 100 * KDO_MS, "A", "1.5");
    tick(S(1) + 200 * KDO_MS, "B", "null");
    tick(S(1) + 300 * KDO_MS, "C", "9");
    tick(S(1) + 400 * KDO_MS, "D", "1.5"); /* ties with A: after it */
    ck_assert_uint_eq(got.len, 0);
    run_to(S(2) - 1);
    ck_assert_uint_eq(got.len, 0);
    run_to(S(2));
    /* NULL is larger than every value: first, descending */
    ck_assert_str_eq(got.data, "@2 {\"T\":\"B\",\"P\":null}\n@2 {\"T\":\"C\",\"P\":9.0}\n"
                               "@2 {\"T\":\"A\",\"P\":1.5}\n@2 {\"T\":\"D\",\"P\":1.5}\n");
    /* a later bucket's row sends the open one first, at that row's time,
     * which is the sent rows' ROWTIME */
    kdo_buf_reset(&got);
    tick(S(5), "E", "1");
    tick(S(5), "F", "2");
    tick(S(7), "G", "3");
    ck_assert_str_eq(got.data, "@7 {\"T\":\"F\",\"P\":2.0}\n@7 {\"T\":\"E\",\"P\":1.0}\n");
}
END_TEST

START_TEST(a_grouped_query_sorted_by_its_window)
{
    load_ok("CREATE STREAM DESTINATION_SQL_STREAM (t VARCHAR(4), n BIGINT);\n"
            "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM\n"
            "  SELECT STREAM ticker, COUNT(*) AS n FROM SOURCE_SQL_STREAM_001\n"
            "  GROUP BY ticker, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '10' SECOND)\n"
            "  ORDER BY STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '10' SECOND), n DESC;");
    tick(S(1), "A", "1");
    tick(S(2), "B", "1");
    tick(S(3), "B", "1");
    run_to(S(10));
    ck_assert_str_eq(got.data, "@10 {\"T\":\"B\",\"N\":2}\n@10 {\"T\":\"A\",\"N\":1}\n");
}
END_TEST

START_TEST(refusals_at_the_key)
{
    static const struct {
        const char *order, *msg, *at;
    } cases[] = {
        {"price", "leads with a time bucket over ROWTIME", "price"},
        {"FLOOR(s.ROWTIME TO SECOND) DESC", "ascending", "FLOOR"},
        {"FLOOR(s.ROWTIME TO SECOND), change", "sorts on the query's output columns and ROWTIME",
         "change"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused_at("SELECT STREAM ticker, price FROM SOURCE_SQL_STREAM_001 AS s ORDER BY ",
                   cases[i].order, "", cases[i].msg, cases[i].at);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("orderby");
    TCase *tc = tcase_create("orderby");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_bucket_is_sent_sorted_when_it_ends);
    tcase_add_test(tc, a_grouped_query_sorted_by_its_window);
    tcase_add_test(tc, refusals_at_the_key);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
