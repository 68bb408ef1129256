/*
 * test_program.c -- a KDA application's SQL running (emulator/sql/program.c):
 * AWS's documented examples with their result rows (stagger and tumbling
 * over the same four rows, WEATHERSTREAM's sliding windows), chains of
 * pumps, several pumps into one stream, a subquery in FROM, the casts into
 * declared column types, outputs, folding and the refusals at load.  Time
 * is advanced by hand.
 */
#include "base/errors.h"
#include "sql/program.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(x) ((kdo_time_ns)(x) * 1000 * KDO_MS)
#define HMS(h, m, s) S((h) * 3600 + (m) * 60 + (s))

static char got[1 << 16];
static char errors[1 << 14];
static struct kdo_row_schema *input;
static struct kdo_program *prog;
static struct kdo_errinfo err;

static int on_row(void *ctx, size_t output, kdo_time_ns rowtime, const char *row, size_t len)
{
    size_t n = strlen(got);
    snprintf(got + n, sizeof got - n, "%zu@%lld %.*s\n", output,
             (long long)(rowtime / KDO_MS / 1000), (int)len, row);
    return 0;
}

static void on_error(void *ctx, kdo_time_ns rowtime, const struct kdo_query_error *e)
{
    size_t n = strlen(errors);
    snprintf(errors + n, sizeof errors - n, "%s%s%s: %s\n", e->pump ? e->pump : "",
             e->pump ? " " : "", e->name, e->message);
}

static const struct kdo_program_sink sink = {on_row, on_error, NULL};

static void setup(void)
{
    got[0] = errors[0] = 0;
    input = kdo_row_schema_new();
    prog = NULL;
    memset(&err, 0, sizeof err);
}

static void teardown(void)
{
    kdo_program_free(prog);
    kdo_row_schema_free(input);
}

static void column(const char *name, enum kdo_type t, size_t max)
{
    ck_assert_int_eq(kdo_row_schema_add(input, name, strlen(name), t, max, NULL), 0);
}

static int load(const char *sql, const char *prefix, unsigned par, const char *const *outputs,
                size_t nout)
{
    static const enum kdo_rowfmt_format fmts[3] = {KDO_ROWFMT_JSON, KDO_ROWFMT_JSON,
                                                   KDO_ROWFMT_CSV};
    static const char *const dest[] = {"DESTINATION_SQL_STREAM"};
    struct kdo_program_config c = {.sql = sql, .sql_len = strlen(sql), .file = "app.sql",
                                   .name_prefix = prefix, .parallelism = par,
                                   .input_schema = input, .input_format = KDO_ROWFMT_JSON,
                                   .outputs = outputs ? outputs : dest,
                                   .output_formats = fmts, .noutputs = outputs ? nout : 1};
    return kdo_program_new(&c, &prog, &err);
}

static void load_ok(const char *sql, const char *prefix, unsigned par, const char *const *outputs,
                    size_t nout)
{
    int rc = load(sql, prefix, par, outputs, nout);
    ck_assert_msg(rc == 0, "load: %s at %s:%d:%d", err.msg, err.file, err.line, err.column);
}

static void in(unsigned source, kdo_time_ns t, const char *row)
{
    ck_assert_int_eq(kdo_program_input(prog, source, t, t, row, strlen(row), &sink), 0);
}

static void run_to(kdo_time_ns until)
{
    for (int i = 0; i < 1000; i++) {
        kdo_time_ns t = kdo_program_next_deadline(prog);
        if (t > until)
            break;
        ck_assert_int_eq(kdo_program_advance(prog, t, &sink), 0);
    }
}

/* ---- AWS's examples ---- */

static void amzn_rows(void)
{
    in(0, HMS(11, 0, 20), "{\"EVENT_TIME\":\"1970-01-01 11:00:10\",\"TICKER_SYMBOL\":\"AMZN\"}");
    in(0, HMS(11, 0, 30), "{\"EVENT_TIME\":\"1970-01-01 11:00:20\",\"TICKER_SYMBOL\":\"AMZN\"}");
    in(0, HMS(11, 1, 5), "{\"EVENT_TIME\":\"1970-01-01 11:00:55\",\"TICKER_SYMBOL\":\"AMZN\"}");
    in(0, HMS(11, 1, 15), "{\"EVENT_TIME\":\"1970-01-01 11:01:05\",\"TICKER_SYMBOL\":\"AMZN\"}");
    run_to(HMS(11, 5, 0));
}

START_TEST(stagger_concepts_example_02)
{
    column("EVENT_TIME", KDO_TYPE_TIMESTAMP, 0);
    column("TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4);
    load_ok("CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (\n"
            "    ticker_symbol VARCHAR(4), event_time TIMESTAMP, ticker_count DOUBLE);\n"
            "CREATE OR REPLACE PUMP \"STREAM_PUMP\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM TICKER_SYMBOL, FLOOR(EVENT_TIME TO MINUTE),\n"
            "    COUNT(TICKER_SYMBOL) AS ticker_count\n"
            "  FROM \"SOURCE_SQL_STREAM_001\"\n"
            "  WINDOWED BY STAGGER (\n"
            "    PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER_SYMBOL RANGE INTERVAL '1' "
            "MINUTE);", NULL, 1, NULL, 0);
    amzn_rows();
    ck_assert_str_eq(got, "0@39680 {\"TICKER_SYMBOL\":\"AMZN\",\"EVENT_TIME\":\"1970-01-01 "
                          "11:00:00.000\",\"TICKER_COUNT\":3.0}\n"
                          "0@39735 {\"TICKER_SYMBOL\":\"AMZN\",\"EVENT_TIME\":\"1970-01-01 "
                          "11:01:00.000\",\"TICKER_COUNT\":1.0}\n");
    ck_assert_str_eq(errors, "");
    ck_assert_int_eq(kdo_program_folds(prog, 0), 1);
}
END_TEST

START_TEST(tumbling_partial_results_example_01)
{
    column("EVENT_TIME", KDO_TYPE_TIMESTAMP, 0);
    column("TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4);
    /* The doc's DDL lacks the EVENT_TIME column its result shows (GAPS): added. */
    load_ok("CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (\n"
            "    TICKER_SYMBOL VARCHAR(4), EVENT_TIME TIMESTAMP, TICKER_COUNT DOUBLE);\n"
            "CREATE OR REPLACE PUMP \"STREAM_PUMP\" AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM TICKER_SYMBOL, FLOOR(EVENT_TIME TO MINUTE),\n"
            "    COUNT(TICKER_SYMBOL) AS TICKER_COUNT\n"
            "  FROM \"SOURCE_SQL_STREAM_001\"\n"
            "  GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE),\n"
            "    STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '1' MINUTE);",
            NULL, 1, NULL, 0);
    amzn_rows();
    ck_assert_str_eq(got, "0@39660 {\"TICKER_SYMBOL\":\"AMZN\",\"EVENT_TIME\":\"1970-01-01 "
                          "11:00:00.000\",\"TICKER_COUNT\":2.0}\n"
                          "0@39720 {\"TICKER_SYMBOL\":\"AMZN\",\"EVENT_TIME\":\"1970-01-01 "
                          "11:00:00.000\",\"TICKER_COUNT\":1.0}\n"
                          "0@39720 {\"TICKER_SYMBOL\":\"AMZN\",\"EVENT_TIME\":\"1970-01-01 "
                          "11:01:00.000\",\"TICKER_COUNT\":1.0}\n");
}
END_TEST

static const struct {
    int day, hour;
    const char *city;
    int temp;
} weather[] = {
    {1, 1, "Denver", 29},     {1, 1, "Anchorage", 2},  {1, 6, "Miami", 65},
    {1, 7, "Denver", 32},     {1, 9, "Anchorage", 9},  {1, 13, "Denver", 50},
    {1, 17, "Anchorage", 10}, {1, 18, "Miami", 71},    {1, 19, "Denver", 43},
    {2, 1, "Anchorage", 4},   {2, 1, "Denver", 39},    {2, 7, "Denver", 46},
    {2, 9, "Anchorage", 3},   {2, 13, "Denver", 56},   {2, 17, "Anchorage", 2},
    {2, 19, "Denver", 50},    {3, 1, "Denver", 36},    {3, 1, "Anchorage", 1},
};

/* Query A (global) and B (by city) of the SQL Reference, as two pumps into two outputs. */
START_TEST(weatherstream_example_20)
{
    static const char *const outs[] = {"GLOBAL", "BY_CITY"};
    static const char *const a[] = {"29,29", "2,29", "2,65", "2,65", "2,65", "2,65", "2,65",
                                    "2,71", "2,71", "2,71", "2,71", "4,71", "3,71", "3,71",
                                    "2,71", "2,56", "2,56", "1,56"};
    static const char *const b[] = {"29,29,29", "2,2,2", "65,65,65", "29,32,30", "2,9,5",
                                    "29,50,37", "2,10,7", "65,71,68", "29,50,38", "2,10,6",
                                    "29,50,38", "32,50,42", "3,10,6", "39,56,46", "2,10,4",
                                    "39,56,46", "36,56,45", "1,4,2"};
    column("CITY", KDO_TYPE_VARCHAR, 20);
    column("TEMP", KDO_TYPE_BIGINT, 0);
    load_ok("CREATE STREAM global (wmin_temp INTEGER, wmax_temp INTEGER);\n"
            "CREATE STREAM by_city (city VARCHAR(20), wmin_temp INTEGER, wmax_temp INTEGER,\n"
            "  wavg_temp INTEGER);\n"
            "CREATE PUMP a AS INSERT INTO global\n"
            " SELECT STREAM MIN(TEMP) OVER W1 AS WMIN_TEMP, MAX(TEMP) OVER W1 AS WMAX_TEMP\n"
            " FROM WEATHERSTREAM_001 WINDOW W1 AS (RANGE INTERVAL '1' DAY PRECEDING);\n"
            "CREATE PUMP b AS INSERT INTO by_city\n"
            " SELECT STREAM CITY, MIN(TEMP) over W1 AS WMIN_TEMP, MAX(TEMP) over W1 AS WMAX_TEMP,\n"
            "   AVG(TEMP) over W1 AS WAVG_TEMP\n"
            " FROM WEATHERSTREAM_001\n"
            " WINDOW W1 AS (PARTITION BY CITY RANGE INTERVAL '1' DAY PRECEDING);",
            "WEATHERSTREAM", 1, outs, 2);
    char want[1 << 14] = "", row[128];
    for (size_t i = 0; i < sizeof weather / sizeof weather[0]; i++) {
        kdo_time_ns t = S(((weather[i].day - 1) * 24 + weather[i].hour) * 3600);
        snprintf(row, sizeof row, "{\"CITY\":\"%s\",\"TEMP\":%d}", weather[i].city,
                 weather[i].temp);
        in(0, t, row);
        long long sec = (long long)(t / KDO_MS / 1000);
        size_t n = strlen(want);
        int x, y, z;
        sscanf(a[i], "%d,%d", &x, &y);
        n += (size_t)snprintf(want + n, sizeof want - n, "0@%lld {\"WMIN_TEMP\":%d,"
                              "\"WMAX_TEMP\":%d}\n", sec, x, y);
        sscanf(b[i], "%d,%d,%d", &x, &y, &z);
        snprintf(want + n, sizeof want - n, "1@%lld {\"CITY\":\"%s\",\"WMIN_TEMP\":%d,"
                 "\"WMAX_TEMP\":%d,\"WAVG_TEMP\":%d}\n", sec, weather[i].city, x, y, z);
    }
    ck_assert_str_eq(got, want);
    ck_assert_int_eq(kdo_program_folds(prog, 0), 0);
}
END_TEST

/* ---- chains ---- */

static void ticker_input(void)
{
    column("TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4);
    column("PRICE", KDO_TYPE_BIGINT, 0);
}

START_TEST(a_three_pump_chain_casts_into_each_streams_types)
{
    ticker_input();
    load_ok("CREATE STREAM s1 (sym VARCHAR(2), price DOUBLE);\n"
            "CREATE STREAM s2 (s VARCHAR(2), p DOUBLE);\n"
            "CREATE STREAM \"DESTINATION_SQL_STREAM\" (s VARCHAR(8), p DOUBLE, t TIMESTAMP);\n"
            "CREATE PUMP p3 AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM s, p, ROWTIME FROM s2;\n"
            "CREATE PUMP p2 AS INSERT INTO s2 (p, s) SELECT STREAM price * 2, sym FROM s1;\n"
            "CREATE PUMP p1 AS INSERT INTO s1\n"
            "  SELECT STREAM ticker_symbol, price FROM source_sql_stream_001 WHERE price > 10;",
            NULL, 1, NULL, 0);
    in(0, S(1), "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":12}");
    in(0, S(2), "{\"TICKER_SYMBOL\":\"TGT\",\"PRICE\":3}");
    in(0, S(3), "{\"TICKER_SYMBOL\":\"IBM\",\"PRICE\":20}");
    ck_assert_str_eq(got, "0@1 {\"S\":\"AM\",\"P\":24.0,\"T\":\"1970-01-01 00:00:01.000\"}\n"
                          "0@3 {\"S\":\"IB\",\"P\":40.0,\"T\":\"1970-01-01 00:00:03.000\"}\n");
    ck_assert_str_eq(errors, "");
    ck_assert_int_eq(kdo_program_folds(prog, 0), 0);
}
END_TEST

START_TEST(a_tumbling_pump_in_a_chain_folds)
{
    ticker_input();
    load_ok(
        "CREATE STREAM counts (sym VARCHAR(4), n BIGINT);\n"
        "CREATE STREAM \"DESTINATION_SQL_STREAM\" (sym VARCHAR(4), n DOUBLE);\n"
        "CREATE PUMP c AS INSERT INTO counts SELECT STREAM ticker_symbol, COUNT(*)\n"
        "  FROM source_sql_stream_001\n"
        "  GROUP BY ticker_symbol, STEP(source_sql_stream_001.ROWTIME BY INTERVAL '10' SECOND);\n"
        "CREATE PUMP d AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
        "  SELECT STREAM sym, n FROM counts WHERE n > 1;",
        NULL, 1, NULL, 0);
    in(0, S(1), "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":1}");
    in(0, S(2), "{\"TICKER_SYMBOL\":\"IBM\",\"PRICE\":1}");
    in(0, S(3), "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":1}");
    ck_assert_str_eq(got, "");
    run_to(S(10));
    ck_assert_str_eq(got, "0@10 {\"SYM\":\"AMZN\",\"N\":2.0}\n");
    ck_assert_int_eq(kdo_program_folds(prog, 0), 1);
}
END_TEST

START_TEST(two_pumps_write_one_stream)
{
    ticker_input();
    load_ok("CREATE STREAM \"DESTINATION_SQL_STREAM\" (sym VARCHAR(4), src INTEGER);\n"
            "CREATE PUMP pump001 AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM ticker_symbol, 1 FROM source_sql_stream_001;\n"
            "CREATE PUMP pump002 AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM ticker_symbol, 2 FROM source_sql_stream_002;", NULL, 2, NULL, 0);
    in(0, S(1), "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":1}");
    in(1, S(2), "{\"TICKER_SYMBOL\":\"IBM\",\"PRICE\":1}");
    in(0, S(3), "{\"TICKER_SYMBOL\":\"TGT\",\"PRICE\":1}");
    ck_assert_str_eq(got, "0@1 {\"SYM\":\"AMZN\",\"SRC\":1}\n0@2 {\"SYM\":\"IBM\",\"SRC\":2}\n"
                          "0@3 {\"SYM\":\"TGT\",\"SRC\":1}\n");
    ck_assert_int_eq(kdo_program_input(prog, 2, S(4), S(4), "{}", 2, &sink), KDO_EINVAL);
}
END_TEST

START_TEST(a_subquery_in_from_runs_first)
{
    ticker_input();
    load_ok("CREATE STREAM \"DESTINATION_SQL_STREAM\" (s VARCHAR(4), p BIGINT);\n"
            "CREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM t.s, t.p FROM (SELECT STREAM ticker_symbol AS s, price * 10 AS p\n"
            "    FROM source_sql_stream_001 WHERE price > 5) AS t WHERE t.p < 100;",
            NULL, 1, NULL, 0);
    in(0, S(1), "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":6}");
    in(0, S(2), "{\"TICKER_SYMBOL\":\"IBM\",\"PRICE\":50}");
    in(0, S(3), "{\"TICKER_SYMBOL\":\"TGT\",\"PRICE\":1}");
    ck_assert_str_eq(got, "0@1 {\"S\":\"AMZN\",\"P\":60}\n");
}
END_TEST

/* The SQL Reference's exact count of distinct items (count-distinct-items,
 * /work/kda-sql/examples/11), verbatim: a DISTINCT subquery keeps
 * `rowtime as window_time`, and the outer GROUP BY STEP(window_time) makes
 * the windows -- the column always holds ROWTIME, so it is as monotonic.
 * Window [0, 5 s): AMZN 10 (twice: one), AMZN 11, ORCL 5; [5, 10 s): AMZN 10. */
START_TEST(count_distinct_items_example_11)
{
    column("TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4);
    column("CHANGE", KDO_TYPE_DOUBLE, 0);
    column("PRICE", KDO_TYPE_DOUBLE, 0);
    static const char *const out[] = {"OUTPUT_STREAM"};
    load_ok(
        "CREATE OR REPLACE STREAM output_stream (ticker_symbol VARCHAR(4), unique_count BIGINT);\n"
        "CREATE OR REPLACE PUMP stream_pump AS\n"
        "INSERT INTO output_stream\n"
        "SELECT STREAM TICKER_SYMBOL, COUNT(distinct_stream.price) AS unique_count\n"
        "  FROM (\n"
        "    SELECT STREAM DISTINCT rowtime as window_time,\n"
        "      TICKER_SYMBOL,\n"
        "      CHANGE,\n"
        "      PRICE,\n"
        "      STEP((SOURCE_SQL_STREAM_001.rowtime) BY INTERVAL '5' SECOND)\n"
        "      FROM SOURCE_SQL_STREAM_001) as distinct_stream\n"
        "GROUP BY TICKER_SYMBOL,\n"
        "    STEP((distinct_stream.window_time) BY INTERVAL '5' SECOND);",
        NULL, 1, out, 1);
    in(0, S(1), "{\"TICKER_SYMBOL\":\"AMZN\",\"CHANGE\":1,\"PRICE\":10}");
    in(0, S(2), "{\"TICKER_SYMBOL\":\"AMZN\",\"CHANGE\":1,\"PRICE\":10}");
    in(0, S(3), "{\"TICKER_SYMBOL\":\"AMZN\",\"CHANGE\":1,\"PRICE\":11}");
    in(0, S(4), "{\"TICKER_SYMBOL\":\"ORCL\",\"CHANGE\":0,\"PRICE\":5}");
    in(0, S(6), "{\"TICKER_SYMBOL\":\"AMZN\",\"CHANGE\":1,\"PRICE\":10}");
    run_to(S(10));
    ck_assert_str_eq(got, "0@5 {\"TICKER_SYMBOL\":\"AMZN\",\"UNIQUE_COUNT\":2}\n"
                          "0@5 {\"TICKER_SYMBOL\":\"ORCL\",\"UNIQUE_COUNT\":1}\n"
                          "0@10 {\"TICKER_SYMBOL\":\"AMZN\",\"UNIQUE_COUNT\":1}\n");
    ck_assert_str_eq(errors, "");
}
END_TEST

/* A source row read late (backpressure) keeps its arrival as
 * APPROXIMATE_ARRIVAL_TIME; a chained stream's rows have their ROWTIME. */
START_TEST(approximate_arrival_time_is_the_source_rows_arrival)
{
    ticker_input();
    load_ok("CREATE STREAM mid (sym VARCHAR(4), a TIMESTAMP);\n"
            "CREATE STREAM \"DESTINATION_SQL_STREAM\" (a TIMESTAMP, b TIMESTAMP);\n"
            "CREATE PUMP p1 AS INSERT INTO mid\n"
            "  SELECT STREAM ticker_symbol, APPROXIMATE_ARRIVAL_TIME FROM source_sql_stream_001;\n"
            "CREATE PUMP p2 AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM a, APPROXIMATE_ARRIVAL_TIME FROM mid;", NULL, 1, NULL, 0);
    const char *row = "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":1}";
    ck_assert_int_eq(kdo_program_input(prog, 0, S(3), S(1), row, strlen(row), &sink), 0);
    ck_assert_str_eq(got, "0@3 {\"A\":\"1970-01-01 00:00:01.000\","
                          "\"B\":\"1970-01-01 00:00:03.000\"}\n");
}
END_TEST

START_TEST(one_stream_to_two_outputs_in_their_formats)
{
    static const char *const outs[] = {"DESTINATION_SQL_STREAM", "OTHER",
                                       "DESTINATION_SQL_STREAM"};
    ticker_input();
    load_ok("CREATE STREAM \"DESTINATION_SQL_STREAM\" (sym VARCHAR(4), price DOUBLE);\n"
            "CREATE STREAM other (sym VARCHAR(4));\n"
            "CREATE PUMP a AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM ticker_symbol, price FROM source_sql_stream_001;\n"
            "CREATE PUMP b AS INSERT INTO other SELECT STREAM sym FROM \"DESTINATION_SQL_STREAM\";",
            NULL, 1, outs, 3);
    in(0, S(1), "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":6}");
    ck_assert_str_eq(got, "0@1 {\"SYM\":\"AMZN\",\"PRICE\":6.0}\n2@1 AMZN,6.0\n"
                          "1@1 {\"SYM\":\"AMZN\"}\n");
}
END_TEST

/* ---- errors ---- */

START_TEST(a_decimal_column_rounds_to_its_scale_and_refuses_what_does_not_fit)
{
    column("TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4);
    column("PRICE", KDO_TYPE_DOUBLE, 0);
    load_ok("CREATE STREAM \"DESTINATION_SQL_STREAM\" (sym VARCHAR(4), p DECIMAL(4,1), n DECIMAL);\n"
            "CREATE PUMP a AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM ticker_symbol, price, price AS n FROM source_sql_stream_001;",
            NULL, 1, NULL, 0);
    in(0, S(1), "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":82.25}");
    in(0, S(2), "{\"TICKER_SYMBOL\":\"IBM\",\"PRICE\":1234.5}");
    /* HALF_UP at the column's scale; bare DECIMAL is DECIMAL(18,0) */
    ck_assert_str_eq(got, "0@1 {\"SYM\":\"AMZN\",\"P\":82.3,\"N\":82}\n");
    ck_assert_msg(strstr(errors, "1234.5 does not fit in DECIMAL(4,1)") != NULL, "%s", errors);
}
END_TEST

START_TEST(bad_rows_and_failed_casts_go_to_the_error_stream)
{
    ticker_input();
    load_ok("CREATE STREAM \"DESTINATION_SQL_STREAM\" (sym VARCHAR(4), price DOUBLE);\n"
            "CREATE PUMP a AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
            "  SELECT STREAM ticker_symbol, ticker_symbol || 'x' FROM source_sql_stream_001;",
            NULL, 1, NULL, 0);
    in(0, S(1), "{\"TICKER_SYMBOL\":\"AMZN\",");
    in(0, S(2), "{\"TICKER_SYMBOL\":\"AMZN\"}");
    ck_assert_str_eq(got, "");
    ck_assert_msg(strstr(errors, "JSON_PARSE_ERROR") != NULL, "%s", errors);
    ck_assert_msg(strstr(errors, "A TYPE_CONVERSION_ERROR: pump A into "
                                 "DESTINATION_SQL_STREAM.PRICE") != NULL, "%s", errors);
}
END_TEST

START_TEST(outputs_must_be_declared_and_written)
{
    static const char *const typo[] = {"DESTINATION_SQL_STREAM"};
    static const char *const unwritten[] = {"LONELY"};
    ticker_input();
    const char *sql = "CREATE STREAM \"Destination\" (sym VARCHAR(4));\n"
                      "CREATE STREAM lonely (sym VARCHAR(4));\n"
                      "CREATE PUMP a AS INSERT INTO \"Destination\"\n"
                      "  SELECT STREAM ticker_symbol FROM source_sql_stream_001;";
    ck_assert_int_eq(load(sql, NULL, 1, typo, 1), KDO_ESCHEMA);
    ck_assert_ptr_null(prog);
    ck_assert_msg(strstr(err.msg, "destination 1 reads stream DESTINATION_SQL_STREAM, which the "
                                  "application does not declare") != NULL, "%s", err.msg);
    ck_assert_int_eq(load(sql, NULL, 1, unwritten, 1), KDO_ESCHEMA);
    ck_assert_msg(strstr(err.msg, "LONELY, which no pump writes") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(sql_errors_name_file_line_and_column)
{
    ticker_input();
    ck_assert_int_eq(load("CREATE STREAM \"DESTINATION_SQL_STREAM\" (sym VARCHAR(4));\n"
                          "CREATE PUMP a AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
                          "  SELECT STREAM ticker_symbl FROM source_sql_stream_001;",
                          NULL, 1, NULL, 0), KDO_ESCHEMA);
    ck_assert_str_eq(err.file, "app.sql");
    ck_assert_int_eq(err.line, 3);
    ck_assert_int_ge(err.column, 3);
    ck_assert_msg(strstr(err.msg, "TICKER_SYMBL") != NULL, "%s", err.msg);
    ck_assert_int_ne(load("CREATE STREAM s (x INT)\nCREATE", NULL, 1, NULL, 0), 0);
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_ne(load("CREATE STREAM \"DESTINATION_SQL_STREAM\" (sym VARCHAR(4));\n"
                          "CREATE PUMP a AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
                          "  SELECT STREAM * FROM (SELECT STREAM ticker_symbol, price FROM\n"
                          "  source_sql_stream_001) AS t;", NULL, 1, NULL, 0), 0);
    ck_assert_msg(strstr(err.msg, "(1) does not equal number of source items (2)") != NULL, "%s",
                  err.msg);
}
END_TEST

static Suite *program_suite(void)
{
    Suite *s = suite_create("program");
    TCase *tc = tcase_create("program");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, stagger_concepts_example_02);
    tcase_add_test(tc, tumbling_partial_results_example_01);
    tcase_add_test(tc, weatherstream_example_20);
    tcase_add_test(tc, a_three_pump_chain_casts_into_each_streams_types);
    tcase_add_test(tc, a_tumbling_pump_in_a_chain_folds);
    tcase_add_test(tc, two_pumps_write_one_stream);
    tcase_add_test(tc, a_subquery_in_from_runs_first);
    tcase_add_test(tc, count_distinct_items_example_11);
    tcase_add_test(tc, approximate_arrival_time_is_the_source_rows_arrival);
    tcase_add_test(tc, one_stream_to_two_outputs_in_their_formats);
    tcase_add_test(tc, a_decimal_column_rounds_to_its_scale_and_refuses_what_does_not_fit);
    tcase_add_test(tc, bad_rows_and_failed_casts_go_to_the_error_stream);
    tcase_add_test(tc, outputs_must_be_declared_and_written);
    tcase_add_test(tc, sql_errors_name_file_line_and_column);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(program_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
