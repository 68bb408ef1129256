/*
 * test_query_sql.c -- the query given a whole SELECT STREAM (its syntax
 * tree) over typed rows, with typed output: projection and WHERE, the
 * window kinds, output names and types, refusals with their position.
 * Times below are run times; ROWTIME values are 2026-01-01 plus them (the
 * schema, sink and helpers: query_sql_fixture.h).
 */
#include "query_sql_fixture.h"

static void expect_column(size_t i, const char *name, enum kdo_type t)
{
    const struct kdo_row_schema *s = kdo_query_output_schema(q);
    ck_assert_uint_lt(i, kdo_row_schema_count(s));
    ck_assert_str_eq(kdo_row_schema_column(s, i)->name, name);
    ck_assert_str_eq(kdo_type_name(kdo_row_schema_column(s, i)->type), kdo_type_name(t));
}

START_TEST(projection_and_where_typed)
{
    compile("SELECT STREAM ticker_symbol, price * 2 AS \"Doubled\", ROWTIME\n"
            "FROM SOURCE_SQL_STREAM_001 WHERE price > 10");
    expect_column(0, "TICKER_SYMBOL", KDO_TYPE_VARCHAR);
    expect_column(1, "Doubled", KDO_TYPE_DOUBLE);
    expect_column(2, "ROWTIME", KDO_TYPE_TIMESTAMP);
    feed(1000, "AMZN", 82.5);
    feed(2000, "IBM", 5);
    static const char *const want[] = {
        "@1000 {\"TICKER_SYMBOL\":\"AMZN\",\"Doubled\":165.0,"
        "\"ROWTIME\":\"2026-01-01 00:00:01.000\"}",
    };
    expect_got(1, want);
}
END_TEST

/* DECIMAL output columns keep the expression's precision and scale, and a
 * DECIMAL GROUP BY key comes out at its scale (its bytes hold the unscaled
 * value). */
START_TEST(decimal_columns_and_keys_keep_their_scale)
{
    compile("SELECT STREAM CAST(price AS DECIMAL(6,2)) AS p, COUNT(*) AS n\n"
            "FROM SOURCE_SQL_STREAM_001\n"
            "GROUP BY CAST(price AS DECIMAL(6,2)), STEP(ROWTIME BY INTERVAL '1' SECOND)");
    const struct kdo_row_column *c = kdo_row_schema_column(kdo_query_output_schema(q), 0);
    ck_assert_str_eq(kdo_type_name(c->type), kdo_type_name(KDO_TYPE_DECIMAL));
    ck_assert_int_eq(c->precision, 6);
    ck_assert_int_eq(c->scale, 2);
    feed(100, "AMZN", 2.5);
    feed(200, "IBM", 2.5);
    ck_assert_int_eq(kdo_query_advance(q, KDO_S, &sink), 0);
    static const char *const want[] = {"@1000 {\"P\":2.50,\"N\":2}"};
    expect_got(1, want);
}
END_TEST

/* CURRENT_ROW_TIMESTAMP is the row's processing instant (its read, ROWTIME);
 * CURRENT_TIMESTAMP the query's start, which is the application's t = 0. */
START_TEST(clocks_read_the_row_and_the_start)
{
    compile("SELECT STREAM CURRENT_ROW_TIMESTAMP AS r, CURRENT_TIMESTAMP AS s\n"
            "FROM SOURCE_SQL_STREAM_001");
    feed(1500, "AMZN", 1);
    static const char *const want[] = {
        "@1500 {\"R\":\"2026-01-01 00:00:01.500\",\"S\":\"2026-01-01 00:00:00.000\"}"};
    expect_got(1, want);
}
END_TEST

START_TEST(star_is_every_input_column)
{
    compile("SELECT STREAM * FROM SOURCE_SQL_STREAM_001");
    ck_assert_uint_eq(kdo_row_schema_count(kdo_query_output_schema(q)), 4);
    feed(1000, "AMZN", 1);
    static const char *const want[] = {
        "@1000 {\"TICKER_SYMBOL\":\"AMZN\",\"SECTOR\":\"TECH\",\"CHANGE\":null,\"PRICE\":1.0}",
    };
    expect_got(1, want);
}
END_TEST

START_TEST(tumbling_group_by_step_rowtime)
{
    compile("SELECT STREAM ticker_symbol, COUNT(*) AS N, SUM(price) AS TOTAL\n"
            "FROM SOURCE_SQL_STREAM_001\n"
            "GROUP BY ticker_symbol, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '10' SECOND)");
    expect_column(1, "N", KDO_TYPE_BIGINT);
    feed(1000, "AMZN", 1);
    feed(2000, "IBM", 2);
    feed(3000, "AMZN", 3);
    feed(12000, "AMZN", 4); /* closes [0 s, 10 s) first */
    ck_assert_int_eq(kdo_query_advance(q, 20 * KDO_S, &sink), 0);
    static const char *const want[] = {
        "@10000 {\"TICKER_SYMBOL\":\"AMZN\",\"N\":2,\"TOTAL\":4.0}",
        "@10000 {\"TICKER_SYMBOL\":\"IBM\",\"N\":1,\"TOTAL\":2.0}",
        "@20000 {\"TICKER_SYMBOL\":\"AMZN\",\"N\":1,\"TOTAL\":4.0}",
    };
    expect_got(3, want);
}
END_TEST

START_TEST(sliding_over_a_named_window)
{
    compile("SELECT STREAM ticker_symbol, COUNT(*) OVER W AS N, MAX(price) OVER W AS HI\n"
            "FROM SOURCE_SQL_STREAM_001\n"
            "WINDOW W AS (PARTITION BY ticker_symbol RANGE INTERVAL '2' SECOND PRECEDING)");
    feed(1000, "AMZN", 5);
    feed(2000, "AMZN", 3);
    feed(3000, "IBM", 9);
    feed(4000, "AMZN", 1); /* the 1 s row is out, the 2 s one (exactly 2 s old) in */
    static const char *const want[] = {
        "@1000 {\"TICKER_SYMBOL\":\"AMZN\",\"N\":1,\"HI\":5.0}",
        "@2000 {\"TICKER_SYMBOL\":\"AMZN\",\"N\":2,\"HI\":5.0}",
        "@3000 {\"TICKER_SYMBOL\":\"IBM\",\"N\":1,\"HI\":9.0}",
        "@4000 {\"TICKER_SYMBOL\":\"AMZN\",\"N\":2,\"HI\":3.0}",
    };
    expect_got(4, want);
}
END_TEST

START_TEST(sliding_rows_inline)
{
    compile("SELECT STREAM SUM(price) OVER (ROWS 1 PRECEDING) AS S FROM SOURCE_SQL_STREAM_001");
    feed(1000, "A", 1);
    feed(2000, "A", 2);
    feed(3000, "A", 4);
    static const char *const want[] = {"@1000 {\"S\":1.0}", "@2000 {\"S\":3.0}",
                                       "@3000 {\"S\":6.0}"};
    expect_got(3, want);
}
END_TEST

START_TEST(stagger_by_key)
{
    compile("SELECT STREAM ticker_symbol, COUNT(*) AS N FROM SOURCE_SQL_STREAM_001\n"
            "WINDOWED BY STAGGER (PARTITION BY ticker_symbol RANGE INTERVAL '1' MINUTE)");
    feed(1000, "AMZN", 1);
    feed(30000, "AMZN", 1);
    feed(40000, "IBM", 1);
    ck_assert_int_eq(kdo_query_advance(q, 61 * KDO_S, &sink), 0);
    static const char *const want[] = {"@61000 {\"TICKER_SYMBOL\":\"AMZN\",\"N\":2}"};
    expect_got(1, want);
    ck_assert_int_eq(kdo_query_next_deadline(q), 100 * KDO_S);
}
END_TEST

START_TEST(text_rows_still_read)
{
    /* A tree without input_schema reads rows as text with the declared columns. */
    static const char *const cols[] = {"A"}, *const types[] = {"BIGINT"};
    struct kdo_query_config c = {.select_ast = parse("SELECT STREAM a + 1 AS B FROM S"),
                                 .columns = cols, .types = types, .ncolumns = 1,
                                 .output_format = KDO_ROWFMT_JSON, .epoch_ms = EPOCH_MS};
    struct kdo_errinfo e = {0};
    const char *out;
    size_t len;
    struct kdo_query_error qe;
    ck_assert_msg(kdo_query_new(&c, &q, &e) == 0, "%s", e.msg);
    ck_assert_int_eq(kdo_query_apply(q, KDO_S, KDO_S, "{\"A\":4}", 7, &out, &len, &qe), 1);
    ck_assert_int_eq((int)len, 7);
    ck_assert_int_eq(memcmp(out, "{\"B\":5}", 7), 0);
}
END_TEST

START_TEST(refusals_with_position)
{
    static const struct {
        const char *sql, *msg;
        int line, col;
    } cases[] = {
        {"SELECT STREAM *\nFROM S JOIN T ON S.A = T.A", "a JOIN reaches the query only as its joined rows", 2, 6},
        {"SELECT STREAM *\n  FROM TABLE(F(1))", "TABLE(...) reaches the query only as its function", 2, 8},
        {"SELECT STREAM COUNT(*) OVER W2 FROM S\nWINDOW W AS (RANGE INTERVAL '1' SECOND "
         "PRECEDING)", "W2 is not defined", 1, 29},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kdo_errinfo e = {0};
        ck_assert_int_ne(try_compile(cases[i].sql, &e), 0);
        ck_assert_msg(strstr(e.msg, cases[i].msg), "%s: %s", cases[i].sql, e.msg);
        ck_assert_int_eq(e.line, cases[i].line);
        ck_assert_int_eq(e.column, cases[i].col);
        ck_assert_str_eq(e.file, "app.sql");
        q = NULL;
    }
}
END_TEST

START_TEST(input_row_of_another_schema)
{
    compile("SELECT STREAM * FROM S");
    struct kdo_row_schema *other = kdo_row_schema_new();
    kdo_row_schema_add(other, "X", 1, KDO_TYPE_BIGINT, 0, NULL);
    struct kdo_row *r = kdo_row_new(other);
    ck_assert_int_eq(kdo_query_input_row(q, KDO_S, KDO_S, r, &sink), KDO_EINVAL);
    kdo_row_free(r);
    kdo_row_schema_free(other);
}
END_TEST


/* ---- KDA's query semantics ------------------------------------------------------------ */

/* Replaces the demo schema: n columns named and typed (VARCHAR is VARCHAR(16)). */
static void use_schema(const char *const *names, const enum kdo_type *types, size_t n)
{
    kdo_row_free(row);
    kdo_row_schema_free(schema);
    schema = kdo_row_schema_new();
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(kdo_row_schema_add(schema, names[i], strlen(names[i]), types[i],
                                            types[i] == KDO_TYPE_VARCHAR ? 16 : 0, NULL), 0);
    row = kdo_row_new(schema);
}

static void compile_at(const char *sql, const char *input, int64_t epoch_ms)
{
    struct kdo_query_config c = {.select_ast = parse(sql), .input_schema = schema,
                                 .input_name = input, .file = "app.sql", .epoch_ms = epoch_ms};
    struct kdo_errinfo e = {0};
    ck_assert_msg(kdo_query_new(&c, &q, &e) == 0, "compile: %d:%d: %s", e.line, e.column, e.msg);
}

static void feed_values(int64_t t_ms, const struct kdo_value *v)
{
    kdo_row_clear(row);
    for (size_t i = 0; i < kdo_row_schema_count(schema); i++)
        ck_assert_int_eq(kdo_row_set(row, i, &v[i], NULL), 0);
    ck_assert_int_eq(kdo_query_input_row(q, t_ms * KDO_MS, t_ms * KDO_MS, row, &sink), 0);
}

START_TEST(each_aggregate_over_its_own_window)
{
    compile("SELECT STREAM COUNT(*) OVER W1 AS A, COUNT(*) OVER W2 AS B,\n"
            "  SUM(price) OVER (ROWS 0 PRECEDING) AS C, MAX(price) OVER W2 AS D\n"
            "FROM SOURCE_SQL_STREAM_001\n"
            "WINDOW W1 AS (RANGE INTERVAL '1' SECOND PRECEDING),\n"
            "       W2 AS (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING)");
    feed(0, "AMZN", 1);
    feed(1000, "AMZN", 2);
    feed(5000, "IBM", 4);
    feed(6000, "AMZN", 3);
    static const char *const want[] = {
        "@0 {\"A\":1,\"B\":1,\"C\":1.0,\"D\":1.0}",
        "@1000 {\"A\":2,\"B\":2,\"C\":2.0,\"D\":2.0}",
        "@5000 {\"A\":1,\"B\":1,\"C\":4.0,\"D\":4.0}",
        "@6000 {\"A\":2,\"B\":3,\"C\":3.0,\"D\":3.0}",
    };
    expect_got(4, want);
}
END_TEST

START_TEST(qualified_columns_are_named_by_their_column)
{
    compile("SELECT STREAM s.TICKER_SYMBOL, \"SOURCE_SQL_STREAM_001\".ROWTIME, s.price * 2,\n"
            "  s.price AS P\n"
            "FROM SOURCE_SQL_STREAM_001 AS s WHERE s.price > 0");
    expect_column(0, "TICKER_SYMBOL", KDO_TYPE_VARCHAR);
    expect_column(1, "ROWTIME", KDO_TYPE_TIMESTAMP);
    expect_column(2, "EXPR$2", KDO_TYPE_DOUBLE);
    expect_column(3, "P", KDO_TYPE_DOUBLE);
    kdo_query_free(q);
    q = NULL;
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(try_compile("SELECT STREAM x.price FROM SOURCE_SQL_STREAM_001 AS s", &e),
                     KDO_ESCHEMA);
    ck_assert_msg(strstr(e.msg, "unknown stream X"), "%s", e.msg);
    ck_assert_int_eq(e.column, 15);
}
END_TEST

START_TEST(aggregates_inside_expressions_and_having)
{
    compile("SELECT STREAM ticker_symbol, SUM(price) / COUNT(*) AS MEAN,\n"
            "  CAST(AVG(price) AS INTEGER) AS AI, MAX(price) - MIN(price) AS SPREAD,\n"
            "  LOWER(ticker_symbol) || '!' AS T\n"
            "FROM SOURCE_SQL_STREAM_001\n"
            "GROUP BY ticker_symbol, STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '10' SECOND)\n"
            "HAVING COUNT(*) > 1");
    feed(1000, "AMZN", 1);
    feed(2000, "IBM", 2);
    feed(3000, "AMZN", 4);
    ck_assert_int_eq(kdo_query_advance(q, 10 * KDO_S, &sink), 0);
    static const char *const want[] = {
        "@10000 {\"TICKER_SYMBOL\":\"AMZN\",\"MEAN\":2.5,\"AI\":2,\"SPREAD\":3.0,\"T\":\"amzn!\"}",
    };
    expect_got(1, want);
}
END_TEST

START_TEST(select_stream_distinct_per_time_bucket)
{
    compile("SELECT STREAM DISTINCT ROWTIME, ticker_symbol,\n"
            "  FLOOR(SOURCE_SQL_STREAM_001.ROWTIME TO MINUTE) AS M\n"
            "FROM SOURCE_SQL_STREAM_001");
    feed(1000, "AMZN", 1);
    feed(2000, "AMZN", 2); /* the same but for ROWTIME, which does not count */
    feed(3000, "IBM", 1);
    feed(61000, "AMZN", 1); /* a new minute */
    static const char *const want[] = {
        "@1000 {\"ROWTIME\":\"2026-01-01 00:00:01.000\",\"TICKER_SYMBOL\":\"AMZN\","
        "\"M\":\"2026-01-01 00:00:00.000\"}",
        "@3000 {\"ROWTIME\":\"2026-01-01 00:00:03.000\",\"TICKER_SYMBOL\":\"IBM\","
        "\"M\":\"2026-01-01 00:00:00.000\"}",
        "@61000 {\"ROWTIME\":\"2026-01-01 00:01:01.000\",\"TICKER_SYMBOL\":\"AMZN\","
        "\"M\":\"2026-01-01 00:01:00.000\"}",
    };
    expect_got(3, want);
}
END_TEST

START_TEST(select_stream_distinct_per_window)
{
    compile("SELECT STREAM DISTINCT COUNT(*) AS N FROM SOURCE_SQL_STREAM_001\n"
            "GROUP BY ticker_symbol, FLOOR(SOURCE_SQL_STREAM_001.ROWTIME TO MINUTE)");
    feed(1000, "AMZN", 1);
    feed(2000, "IBM", 1);
    feed(3000, "ORCL", 1);
    feed(4000, "ORCL", 1);
    feed(61000, "AMZN", 1);
    ck_assert_int_eq(kdo_query_advance(q, 120 * KDO_S, &sink), 0);
    static const char *const want[] = {"@60000 {\"N\":1}", "@60000 {\"N\":2}",
                                       "@120000 {\"N\":1}"};
    expect_got(3, want);
}
END_TEST

/* examples/01: GROUP BY an event-time FLOOR and a STEP over ROWTIME. */
START_TEST(example_01_event_time_and_rowtime_keys)
{
    static const char *const names[] = {"EVENT_TIME", "TICKER_SYMBOL"};
    static const enum kdo_type types[] = {KDO_TYPE_TIMESTAMP, KDO_TYPE_VARCHAR};
    use_schema(names, types, 2);
    compile_at("SELECT STREAM \n"
               "    TICKER_SYMBOL,\n"
               "    FLOOR(EVENT_TIME TO MINUTE),\n"
               "    COUNT(TICKER_SYMBOL) AS TICKER_COUNT\n"
               "FROM \"SOURCE_SQL_STREAM_001\"\n"
               "GROUP BY ticker_symbol, FLOOR(EVENT_TIME TO MINUTE), "
               "STEP(\"SOURCE_SQL_STREAM_001\".ROWTIME BY INTERVAL '1' MINUTE);",
               "SOURCE_SQL_STREAM_001", EPOCH_MS);
    static const int64_t rowtime_s[] = {39620, 39630, 39665, 39675}; /* 11:00:20 ... */
    static const int64_t event_s[] = {39610, 39620, 39655, 39665};   /* 11:00:10 ... */
    for (size_t i = 0; i < 4; i++) {
        struct kdo_value v[] = {kdo_value_timestamp(EPOCH_MS + event_s[i] * 1000),
                                kdo_value_varchar("AMZN", 4)};
        feed_values(rowtime_s[i] * 1000, v);
    }
    ck_assert_int_eq(kdo_query_advance(q, 39720 * KDO_S, &sink), 0);
    expect_column(1, "EXPR$1", KDO_TYPE_TIMESTAMP);
    static const char *const want[] = {
        "@39660000 {\"TICKER_SYMBOL\":\"AMZN\",\"EXPR$1\":\"2026-01-01 11:00:00.000\","
        "\"TICKER_COUNT\":2}",
        "@39720000 {\"TICKER_SYMBOL\":\"AMZN\",\"EXPR$1\":\"2026-01-01 11:00:00.000\","
        "\"TICKER_COUNT\":1}",
        "@39720000 {\"TICKER_SYMBOL\":\"AMZN\",\"EXPR$1\":\"2026-01-01 11:01:00.000\","
        "\"TICKER_COUNT\":1}",
    };
    expect_got(3, want);
}
END_TEST

/* examples/20: WEATHERSTREAM, 18 rows. */
static const struct {
    int64_t hour; /* hours after 2018-11-01 00:00 */
    const char *city;
    int64_t temp;
} weather[] = {
    {1, "Denver", 29},     {1, "Anchorage", 2},   {6, "Miami", 65},      {7, "Denver", 32},
    {9, "Anchorage", 9},   {13, "Denver", 50},    {17, "Anchorage", 10}, {18, "Miami", 71},
    {19, "Denver", 43},    {25, "Anchorage", 4},  {25, "Denver", 39},    {31, "Denver", 46},
    {33, "Anchorage", 3},  {37, "Denver", 56},    {41, "Anchorage", 2},  {43, "Denver", 50},
    {49, "Denver", 36},    {49, "Anchorage", 1},
};

#define WEATHER_EPOCH_MS INT64_C(1541030400000) /* 2018-11-01 00:00:00 UTC */

static void run_weather(const char *sql)
{
    static const char *const names[] = {"CITY", "TEMP"};
    static const enum kdo_type types[] = {KDO_TYPE_VARCHAR, KDO_TYPE_BIGINT};
    use_schema(names, types, 2);
    compile_at(sql, "WEATHERSTREAM", WEATHER_EPOCH_MS);
    for (size_t i = 0; i < sizeof weather / sizeof weather[0]; i++) {
        struct kdo_value v[] = {kdo_value_varchar(weather[i].city, strlen(weather[i].city)),
                                kdo_value_bigint(weather[i].temp)};
        feed_values(weather[i].hour * 3600000, v);
    }
    ck_assert_uint_eq(ngot, 18);
}

/* "2018-11-02 01:00:00.0" (the doc's) as the output row shows it. */
static void weather_time(char *out, size_t cap, size_t i)
{
    int64_t h = weather[i].hour;
    snprintf(out, cap, "2018-11-%02d %02d:00:00.000", (int)(1 + h / 24), (int)(h % 24));
}

START_TEST(weatherstream_query_a)
{
    static const int64_t mn[] = {29, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 3, 3, 2, 2, 2, 1};
    static const int64_t mx[] = {29, 29, 65, 65, 65, 65, 65, 71, 71,
                                 71, 71, 71, 71, 71, 71, 56, 56, 56};
    run_weather(" SELECT STREAM\n"
                "        ROWTIME,\n"
                "        MIN(TEMP) OVER W1 AS WMIN_TEMP,\n"
                "        MAX(TEMP) OVER W1 AS WMAX_TEMP\n"
                " FROM WEATHERSTREAM\n"
                " WINDOW W1 AS (\n"
                "    RANGE INTERVAL '1' DAY PRECEDING\n"
                ");");
    for (size_t i = 0; i < 18; i++) {
        char ts[40], want[200];
        weather_time(ts, sizeof ts, i);
        snprintf(want, sizeof want, "@%lld {\"ROWTIME\":\"%s\",\"WMIN_TEMP\":%lld,"
                 "\"WMAX_TEMP\":%lld}", (long long)(weather[i].hour * 3600000), ts,
                 (long long)mn[i], (long long)mx[i]);
        ck_assert_str_eq(got[i], want);
    }
}
END_TEST

START_TEST(weatherstream_query_b)
{
    static const int64_t mn[] = {29, 2, 65, 29, 2, 29, 2, 65, 29, 2, 29, 32, 3, 39, 2, 39, 36, 1};
    static const int64_t mx[] = {29, 2, 65, 32, 9, 50, 10, 71, 50,
                                 10, 50, 50, 10, 56, 10, 56, 56, 4};
    static const int64_t av[] = {29, 2, 65, 30, 5, 37, 7, 68, 38, 6, 38, 42, 6, 46, 4, 46, 45, 2};
    run_weather(" SELECT STREAM\n"
                "        ROWTIME,\n"
                "        CITY,\n"
                "        MIN(TEMP) over W1 AS WMIN_TEMP,\n"
                "        MAX(TEMP) over W1 AS WMAX_TEMP,\n"
                "        AVG(TEMP) over W1 AS WAVG_TEMP\n"
                " FROM AGGTEST.WEATHERSTREAM\n"
                " WINDOW W1 AS (\n"
                "        PARTITION BY CITY\n"
                "        RANGE INTERVAL '1' DAY PRECEDING\n"
                " );");
    for (size_t i = 0; i < 18; i++) {
        char ts[40], want[200];
        weather_time(ts, sizeof ts, i);
        snprintf(want, sizeof want, "@%lld {\"ROWTIME\":\"%s\",\"CITY\":\"%s\",\"WMIN_TEMP\":%lld,"
                 "\"WMAX_TEMP\":%lld,\"WAVG_TEMP\":%lld}", (long long)(weather[i].hour * 3600000),
                 ts, weather[i].city, (long long)mn[i], (long long)mx[i], (long long)av[i]);
        ck_assert_str_eq(got[i], want);
    }
}
END_TEST

START_TEST(refused_by_name_with_position)
{
    static const struct {
        const char *sql, *msg;
        int line, col;
    } cases[] = {
        {"SELECT STREAM ticker_symbol, COUNT(DISTINCT price) AS N FROM S\n"
         "GROUP BY ticker_symbol, STEP(S.ROWTIME BY INTERVAL '1' MINUTE)",
         "COUNT(DISTINCT ...) is not allowed in streaming aggregation", 1, 30},
        {"SELECT STREAM\n  NTH_VALUE(price, 1) OVER W AS L FROM S\nWINDOW W AS (ROWS 2 PRECEDING)",
         "NTH_VALUE ... OVER is not supported yet", 2, 3},
        {"SELECT STREAM FIRST_VALUE(price) AS F FROM S", "FIRST_VALUE needs OVER a window", 1,
         15},
        {"SELECT STREAM SUM(price) OVER (ORDER BY ROWTIME RANGE INTERVAL '1' SECOND PRECEDING)\n"
         "FROM S", "ORDER BY in an aggregate's window", 1, 41},
        {"SELECT STREAM COUNT(*) AS N FROM S", "COUNT needs a window", 1, 15},
        {"SELECT STREAM COUNT(*) AS N FROM S GROUP BY ticker_symbol",
         "GROUP BY on a stream needs a key over ROWTIME", 1, 45},
        {"SELECT STREAM price FROM S\nGROUP BY ticker_symbol, STEP(S.ROWTIME BY INTERVAL '1' "
         "MINUTE)", "PRICE is neither inside an aggregate", 1, 15},
        {"SELECT STREAM DISTINCT ticker_symbol FROM S", "needs a monotonic item over ROWTIME", 1,
         1},
        {"SELECT STREAM price FROM S HAVING price > 1", "HAVING needs GROUP BY", 1, 35},
        {"SELECT STREAM MAX(price) FROM S WHERE SUM(price) > 1", "SUM is an aggregate", 1, 39},
        {"SELECT STREAM * FROM S\nUNION ALL SELECT STREAM * FROM T", "UNION ALL", 2, 11},
        {"SELECT price FROM S", "SELECT STREAM", 1, 1},
        {"SELECT STREAM ticker_symbol, SUM(price) OVER (ROWS 1 PRECEDING) FROM S\n"
         "GROUP BY ticker_symbol, STEP(S.ROWTIME BY INTERVAL '1' MINUTE)",
         "SUM ... OVER in a GROUP BY", 1, 46},
        {"SELECT STREAM MIN(S.ROWTIME) AS ROWTIME, ticker_symbol FROM S\n"
         "GROUP BY ticker_symbol, STEP(S.ROWTIME BY INTERVAL '1' MINUTE)",
         "AS ROWTIME (an item that sets the output row's ROWTIME) is not supported yet", 1, 33},
        {"SELECT STREAM price AS \"ROWTIME\" FROM S", "AS ROWTIME", 1, 24},
        {"SELECT STREAM DISTINCT ticker_symbol, COUNT(*) OVER W AS N FROM S\n"
         "WINDOW W AS (RANGE INTERVAL '1' MINUTE PRECEDING)",
         "SELECT STREAM DISTINCT with a sliding window is not supported yet", 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kdo_errinfo e = {0};
        ck_assert_int_ne(try_compile(cases[i].sql, &e), 0);
        ck_assert_msg(strstr(e.msg, cases[i].msg), "%s: %s", cases[i].sql, e.msg);
        ck_assert_msg(e.line == cases[i].line && e.column == cases[i].col, "%s: at %d:%d: %s",
                      cases[i].sql, e.line, e.column, e.msg);
        ck_assert_str_eq(e.file ? e.file : "(null)", "app.sql");
        q = NULL;
    }
}
END_TEST

START_TEST(typed_row_errors_carry_the_row_as_json)
{
    compile("SELECT STREAM ticker_symbol FROM SOURCE_SQL_STREAM_001 WHERE 1 / (price - price) > 0");
    feed(1000, "AMZN", 2);
    ck_assert_uint_eq(ngot, 1);
    ck_assert_str_eq(got[0], "!EXPRESSION_EVALUATION_ERROR {\"TICKER_SYMBOL\":\"AMZN\","
                             "\"SECTOR\":\"TECH\",\"CHANGE\":null,\"PRICE\":2.0}");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("query_sql");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"projection_where", projection_and_where_typed},
        {"star", star_is_every_input_column},
        {"decimal", decimal_columns_and_keys_keep_their_scale},
        {"clocks", clocks_read_the_row_and_the_start},
        {"tumbling", tumbling_group_by_step_rowtime},
        {"sliding_named", sliding_over_a_named_window},
        {"sliding_rows", sliding_rows_inline},
        {"stagger", stagger_by_key},
        {"text_rows", text_rows_still_read},
        {"refusals", refusals_with_position},
        {"other_schema", input_row_of_another_schema},
        {"own_windows", each_aggregate_over_its_own_window},
        {"qualified_names", qualified_columns_are_named_by_their_column},
        {"aggregate_expressions", aggregates_inside_expressions_and_having},
        {"distinct_bucket", select_stream_distinct_per_time_bucket},
        {"distinct_window", select_stream_distinct_per_window},
        {"example_01", example_01_event_time_and_rowtime_keys},
        {"weatherstream_a", weatherstream_query_a},
        {"weatherstream_b", weatherstream_query_b},
        {"refused_by_name", refused_by_name_with_position},
        {"typed_errors", typed_row_errors_carry_the_row_as_json},
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
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
