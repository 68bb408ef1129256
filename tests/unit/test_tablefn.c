/*
 * test_tablefn.c -- KDA's stream functions read through TABLE(fn(CURSOR(...)))
 * (emulator/sql/tablefn.c), run as an application's SQL: the Developer
 * Guide's TOP_K_ITEMS_TUMBLING example as published, ties, K, window edges,
 * COUNT_DISTINCT_ITEMS_TUMBLING exact to 10,000 items and within its stated
 * error past them, Space-Saving's bound, RANDOM_CUT_FOREST on the guide's
 * anomaly example (warm-up, the injected anomalies first), its explanation,
 * and the refusals with line:col.
 * Time is advanced by hand.
 */
#include "program_harness.h"

static void setup(void)
{
    harness_setup();
    errors_fail = 1;
    ck_assert_int_eq(kdo_row_schema_add(input, "TICKER", 6, KDO_TYPE_VARCHAR, 16, NULL), 0);
}

static void tick(kdo_time_ns t, const char *ticker)
{
    char row[64];
    int n = snprintf(row, sizeof row, "{\"TICKER\":\"%s\"}", ticker);
    ck_assert_int_eq(kdo_program_input(prog, 0, t, t, row, (size_t)n, &sink), 0);
}

/* The Developer Guide's "Most Frequently Occurring Values" code, as published. */
static const char topk_example[] =
    "CREATE OR REPLACE STREAM DESTINATION_SQL_STREAM (\n"
    "  \"TICKER\" VARCHAR(4), \n"
    "  \"MOST_FREQUENT_VALUES\" BIGINT\n"
    ");\n"
    "\n"
    "CREATE OR REPLACE PUMP \"STREAM_PUMP\" AS \n"
    "    INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
    "    SELECT STREAM * \n"
    "        FROM TABLE (TOP_K_ITEMS_TUMBLING(\n"
    "            CURSOR(SELECT STREAM * FROM \"SOURCE_SQL_STREAM_001\"),\n"
    "            'TICKER',         -- name of column in single quotes\n"
    "            5,                       -- number of the most frequently occurring values\n"
    "            60                       -- tumbling window size in seconds\n"
    "            )\n"
    "        );\n";

START_TEST(top_k_example_runs_as_published)
{
    static const char *const t[] = {"TBV", "INTC", "MSFT", "AMZN", "INTC", "MSFT",
                                    "INTC", "AAPL", "MSFT", "INTC", "TBV",  "AMZN",
                                    "NFLX", "NFLX", "IBM"};
    load_ok(topk_example);
    for (int i = 0; i < 15; i++)
        tick(S(i), t[i]); /* 0..14 s: one window */
    tick(S(60), "ORCL");  /* at the window's end: the next window's */
    ck_assert_str_eq(got.data ? got.data : "",
                     "@60 {\"TICKER\":\"INTC\",\"MOST_FREQUENT_VALUES\":4}\n"
                     "@60 {\"TICKER\":\"MSFT\",\"MOST_FREQUENT_VALUES\":3}\n"
                     "@60 {\"TICKER\":\"TBV\",\"MOST_FREQUENT_VALUES\":2}\n"  /* ties: first */
                     "@60 {\"TICKER\":\"AMZN\",\"MOST_FREQUENT_VALUES\":2}\n" /* seen first */
                     "@60 {\"TICKER\":\"NFLX\",\"MOST_FREQUENT_VALUES\":2}\n");
    kdo_buf_reset(&got);
    run_to(S(119));
    ck_assert_uint_eq(got.len, 0);
    run_to(S(120));
    ck_assert_str_eq(got.data, "@120 {\"TICKER\":\"ORCL\",\"MOST_FREQUENT_VALUES\":1}\n");
}
END_TEST

/* Past 100,000 distinct values a window counts by Space-Saving: a value
 * seen far more often than the rest still comes first, its count high by
 * at most N / 100,000 (here 2). */
START_TEST(top_k_past_its_table_keeps_the_heavy_hitter_within_the_bound)
{
    load_ok("CREATE STREAM DESTINATION_SQL_STREAM (t VARCHAR(16), n BIGINT);\n"
            "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM SELECT STREAM * FROM TABLE(\n"
            "  TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001),\n"
            "  'TICKER', 1, 3600));");
    char name[16];
    for (int i = 0; i < 150000; i++) {
        snprintf(name, sizeof name, "U%d", i);
        tick(S(1), name);
        if (i % 3 == 0)
            tick(S(1), "HEAVY");
    }
    run_to(S(3600));
    long n = 0;
    ck_assert_msg(sscanf(got.data, "@3600 {\"T\":\"HEAVY\",\"N\":%ld}", &n) == 1, "%s", got.data);
    ck_assert_int_ge(n, 50000);
    ck_assert_int_le(n, 50000 + 200000 / 100000);
}
END_TEST

static const char count_distinct[] =
    "CREATE STREAM DESTINATION_SQL_STREAM (n BIGINT);\n"
    "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM SELECT STREAM * FROM TABLE(\n"
    "  COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001),\n"
    "  'TICKER', 10));";

static long distinct_of(int items, int repeat)
{
    char name[16];
    for (int r = 0; r < repeat; r++)
        for (int i = 0; i < items; i++) {
            snprintf(name, sizeof name, "V%d", i);
            tick(S(1), name);
        }
    kdo_buf_reset(&got);
    run_to(S(10));
    long n = -1;
    ck_assert_msg(sscanf(got.data ? got.data : "", "@10 {\"N\":%ld}", &n) == 1, "%s", got.data);
    return n;
}

START_TEST(count_distinct_is_exact_to_ten_thousand)
{
    load_ok(count_distinct);
    ck_assert_int_eq(distinct_of(10000, 2), 10000);
}
END_TEST

START_TEST(count_distinct_past_ten_thousand_is_within_its_error)
{
    load_ok(count_distinct);
    long n = distinct_of(100000, 1);
    /* HyperLogLog, 2^14 registers: standard error 0.81%; 4 of them here */
    ck_assert_msg(n > 96760 && n < 103240, "%ld", n);
}
END_TEST

START_TEST(refusals_name_the_argument)
{
    static const struct {
        const char *call, *msg, *at; /* at: where in call the error points */
    } cases[] = {
        {"TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKER', 0, 60)",
         "K must be an integer from 1 to 100000", "0, 60"},
        {"TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKER', 5, 3601)",
         "windowSize (seconds) must be an integer from 1 to 3600", "3601"},
        {"COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKR', 6)",
         "no column 'TICKR'; did you mean TICKER?", "'TICKR'"},
        {"COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), TICKER, 6)",
         "the column name must be a string in single quotes", "TICKER,"},
        {"COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKER')",
         "COUNT_DISTINCT_ITEMS_TUMBLING takes 3 arguments", "COUNT"},
        {"HOTSPOTS(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 100, 0.2, 17)",
         "HOTSPOTS is not supported yet", "HOTSPOTS"},
        {"UPPER(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001))", "UPPER is none", "UPPER"},
        {"TOP_K_ITEMS_TUMBLING(SOURCE_SQL_STREAM_001, 'TICKER', 5, 60)",
         "the first argument is the rows to read, CURSOR(", "SOURCE"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused_at("SELECT STREAM * FROM TABLE(", cases[i].call, ")", cases[i].msg, cases[i].at);
}
END_TEST

/* ---- RANDOM_CUT_FOREST ------------------------------------------------------------ */

static char *slurp(const char *name)
{
    const char *root = getenv("KDO_SOURCE_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/unit/sql-examples/%s", root ? root : ".", name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

static void heart_input(void)
{
    kdo_row_schema_free(input);
    input = kdo_row_schema_new();
    ck_assert_int_eq(kdo_row_schema_add(input, "\"heartRate\"", 11, KDO_TYPE_BIGINT, 0, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add(input, "\"rateType\"", 10, KDO_TYPE_VARCHAR, 20, NULL), 0);
}

/* The guide's anomaly example as published (sql-examples/16): RCF with
 * KDA's defaults into TEMP_STREAM, then ORDER BY FLOOR(ROWTIME TO SECOND),
 * ANOMALY_SCORE DESC.  2,000 heart rates of 60-80, five of 150-200 after
 * the warm-up: each second's rows come sorted, the first 256 score 0
 * (subSampleSize), and the five injected rates are the five highest scores
 * (the issue asks for the top 1%). */
START_TEST(rcf_example_ranks_the_injected_anomalies_first)
{
    heart_input();
    load_ok(slurp("16-rcf-anomaly.sql"));
    static const int spikes[] = {700, 1200, 1650, 1800, 1900};
    uint64_t x = 16;
    for (int i = 0; i < 2000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int hr = 60 + (int)(x % 21), spike = 0;
        for (size_t k = 0; k < 5; k++)
            spike |= spikes[k] == i;
        char row[96];
        int n = snprintf(row, sizeof row, "{\"heartRate\":%d,\"rateType\":\"%s\"}",
                         spike ? 150 + (int)(x % 50) : hr, spike ? "HIGH" : "NORMAL");
        kdo_time_ns t = (kdo_time_ns)i * 20 * KDO_MS; /* 50 a second */
        run_to(t);
        ck_assert_int_eq(kdo_program_input(prog, 0, t, t, row, (size_t)n, &sink), 0);
    }
    run_to(S(41));
    /* every row once, in seconds, each second by descending score */
    const char *p = got.data;
    int rows = 0, zeros = 0, high_in_top = 0;
    double top[5] = {0}, last = 1e300;
    long last_s = -1;
    for (const char *nl; p && (nl = strchr(p, '\n')); p = nl + 1, rows++) {
        long sec;
        int hr;
        char type[16];
        double score;
        ck_assert_msg(sscanf(p, "@%ld {\"heartRate\":%d,\"rateType\":\"%15[A-Z]\","
                                "\"ANOMALY_SCORE\":%lf}", &sec, &hr, type, &score) == 4,
                      "%.80s", p);
        if (sec != last_s)
            last = 1e300;
        ck_assert_msg(score <= last, "second %ld not sorted", sec);
        last = score;
        last_s = sec;
        zeros += score == 0;
        for (int k = 0; k < 5; k++)
            if (score > top[k]) {
                memmove(top + k + 1, top + k, (size_t)(4 - k) * sizeof *top);
                top[k] = score;
                break;
            }
        if (strcmp(type, "HIGH") == 0)
            high_in_top++;
    }
    ck_assert_int_eq(rows, 2000);
    ck_assert_int_eq(zeros, 256);
    ck_assert_int_eq(high_in_top, 5);
    /* the five HIGH rows hold the five top scores */
    p = got.data;
    int matched = 0;
    for (const char *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
        double score;
        const char *sc = strstr(p, "\"ANOMALY_SCORE\":");
        ck_assert_ptr_nonnull(sc);
        sscanf(sc + 16, "%lf", &score);
        if (strstr(p, "HIGH") && score >= top[4])
            matched++;
    }
    ck_assert_int_eq(matched, 5);
}
END_TEST

START_TEST(rcf_explanation_names_each_numeric_column)
{
    heart_input();
    load_ok("CREATE STREAM DESTINATION_SQL_STREAM (hr INTEGER, s DOUBLE, x VARCHAR(2000));\n"
            "CREATE PUMP p AS INSERT INTO DESTINATION_SQL_STREAM SELECT STREAM \"heartRate\",\n"
            "  ANOMALY_SCORE, ANOMALY_EXPLANATION FROM TABLE(RANDOM_CUT_FOREST_WITH_EXPLANATION(\n"
            "  CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 10, 10, 100000, 1, true));");
    for (int i = 0; i < 40; i++) {
        char row[96];
        int n = snprintf(row, sizeof row, "{\"heartRate\":%d,\"rateType\":\"N\"}",
                         i == 39 ? 500 : 70 + i % 3);
        ck_assert_int_eq(kdo_program_input(prog, 0, S(i), S(i), row, (size_t)n, &sink), 0);
    }
    const char *last = strstr(got.data, "\"HR\":500");
    ck_assert_msg(last && strstr(last, "heartRate") && strstr(last, "HIGH"), "%s",
                  last ? last : got.data);
    ck_assert_msg(strstr(last, "rateType") == NULL, "%s", last); /* not numeric: no entry */
}
END_TEST

START_TEST(rcf_refusals)
{
    static const struct {
        const char *call, *msg, *at;
    } cases[] = {
        {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 100, 256)",
         "RANDOM_CUT_FOREST takes CURSOR(SELECT STREAM ...) alone", "RANDOM"},
        {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 0, 256, 100000, 1)",
         "numberOfTrees must be an integer", "0,"},
        {"RANDOM_CUT_FOREST_WITH_EXPLANATION(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), "
         "100, 256, 100000, 1, 7)", "withDirectionality must be true or false", "7)"},
        {"RANDOM_CUT_FOREST(CURSOR(SELECT STREAM TICKER FROM SOURCE_SQL_STREAM_001))",
         "RANDOM_CUT_FOREST", "RANDOM"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused_at("SELECT STREAM * FROM TABLE(", cases[i].call, ")", cases[i].msg, cases[i].at);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tablefn");
    TCase *tc = tcase_create("tablefn");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, top_k_example_runs_as_published);
    tcase_add_test(tc, top_k_past_its_table_keeps_the_heavy_hitter_within_the_bound);
    tcase_add_test(tc, count_distinct_is_exact_to_ten_thousand);
    tcase_add_test(tc, count_distinct_past_ten_thousand_is_within_its_error);
    tcase_add_test(tc, refusals_name_the_argument);
    tcase_add_test(tc, rcf_example_ranks_the_injected_anomalies_first);
    tcase_add_test(tc, rcf_explanation_names_each_numeric_column);
    tcase_add_test(tc, rcf_refusals);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
