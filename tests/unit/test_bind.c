/*
 * test_bind.c -- the binder (emulator/sql/bind.c): streams, pumps and the
 * refusals, each at its file:line:col with its words; every documented
 * example in tests/unit/sql-examples/ binds or is refused by name.
 */
#include "base/errors.h"
#include "sql/bind.h"
#include "sql/parse.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_arena arena;
static struct kdo_row_schema *input, *companies;
static size_t with_table; /* 1: the reference table CompanyName is there too */
static struct kdo_errinfo err;

static void setup(void)
{
    kdo_arena_init(&arena, 1 << 24);
    input = kdo_row_schema_new();
    kdo_row_schema_add(input, "TICKER_SYMBOL", 13, KDO_TYPE_VARCHAR, 4, NULL);
    kdo_row_schema_add(input, "SECTOR", 6, KDO_TYPE_VARCHAR, 16, NULL);
    kdo_row_schema_add(input, "CHANGE", 6, KDO_TYPE_DOUBLE, 0, NULL);
    kdo_row_schema_add(input, "PRICE", 5, KDO_TYPE_DOUBLE, 0, NULL);
    companies = kdo_row_schema_new(); /* the Developer Guide's reference data */
    kdo_row_schema_add(companies, "\"Ticker\"", 8, KDO_TYPE_VARCHAR, 4, NULL);
    kdo_row_schema_add(companies, "\"Company\"", 9, KDO_TYPE_VARCHAR, 20, NULL);
    memset(&err, 0, sizeof err);
}

static void teardown(void)
{
    kdo_row_schema_free(input);
    kdo_row_schema_free(companies);
    kdo_arena_cleanup(&arena);
}

static int bind_n(const char *sql, size_t len, const char *prefix, unsigned par,
                  struct kdo_bind_program **out)
{
    struct kdo_ast_program *p;
    int rc = kdo_sql_parse("app.sql", sql, len, &arena, &p, &err);
    ck_assert_msg(rc == 0, "parse: %s at %d:%d", err.msg, err.line, err.column);
    struct kdo_bind_table table = {"CompanyName", companies};
    struct kdo_bind_config c = {.file = "app.sql", .name_prefix = prefix, .parallelism = par,
                                .input_schema = input, .tables = &table,
                                .ntables = with_table};
    return kdo_bind(p, &c, out, &err);
}

static struct kdo_bind_program *bind_ok(const char *sql)
{
    struct kdo_bind_program *b;
    int rc = bind_n(sql, strlen(sql), NULL, 1, &b);
    ck_assert_msg(rc == 0, "bind: %s at %d:%d", err.msg, err.line, err.column);
    return b;
}

static void bind_fails(const char *sql, int code, int line, int col, const char *words)
{
    struct kdo_bind_program *b = (void *)1;
    int rc = bind_n(sql, strlen(sql), NULL, 1, &b);
    ck_assert_msg(rc == code, "rc %d, want %d (%s)", rc, code, err.msg);
    ck_assert_ptr_null(b);
    ck_assert_str_eq(err.file, "app.sql");
    ck_assert_msg(err.line == line && err.column == col, "at %d:%d, want %d:%d (%s)", err.line,
                  err.column, line, col, err.msg);
    ck_assert_msg(strstr(err.msg, words) != NULL, "[%s] lacks [%s]", err.msg, words);
}

#define DEST "CREATE OR REPLACE STREAM \"DESTINATION_SQL_STREAM\" (sym VARCHAR(4), price DOUBLE);\n"

START_TEST(sources_are_named_by_prefix_and_parallelism)
{
    struct kdo_bind_program *b;
    const char *sql = "CREATE STREAM s (x INTEGER);";
    ck_assert_int_eq(bind_n(sql, strlen(sql), "MyIn", 3, &b), 0);
    ck_assert_uint_eq(b->nsources, 3);
    ck_assert_str_eq(b->streams[0].name, "MyIn_001");
    ck_assert_str_eq(b->streams[2].name, "MyIn_003");
    ck_assert_uint_eq(b->streams[0].nvisible, 4);
    const struct kdo_row_schema *s = b->streams[1].schema;
    ck_assert_uint_eq(kdo_row_schema_count(s), 4);
    ck_assert_int_eq(kdo_row_schema_find(s, "PRICE", 5), 3);
    ck_assert_int_eq(kdo_row_schema_find(s, "ROWTIME", 7), -1);
    ck_assert_int_eq(kdo_bind_find(b, "S"), 3);
    ck_assert_uint_eq(b->streams[3].nvisible, 1);
    kdo_bind_free(b);
}
END_TEST

START_TEST(declared_streams_keep_names_types_and_not_null)
{
    struct kdo_bind_program *b = bind_ok(
        "CREATE OR REPLACE STREAM \"Mixed\" (\"lower\" VARCHAR(8) NOT NULL, up INT, d REAL,\n"
        " t TIMESTAMP, ok BOOLEAN, v VARCHAR);");
    int i = kdo_bind_find(b, "Mixed");
    ck_assert_int_eq(i, 1);
    ck_assert_int_eq(kdo_bind_find(b, "MIXED"), -1);
    const struct kdo_row_schema *s = b->streams[i].schema;
    ck_assert_str_eq(kdo_row_schema_column(s, 0)->name, "lower");
    ck_assert_uint_eq(kdo_row_schema_column(s, 0)->max_len, 8);
    ck_assert_str_eq(kdo_row_schema_column(s, 1)->name, "UP");
    ck_assert_int_eq(kdo_row_schema_column(s, 1)->type, KDO_TYPE_BIGINT);
    ck_assert_int_eq(kdo_row_schema_column(s, 2)->type, KDO_TYPE_DOUBLE);
    ck_assert_int_eq(kdo_row_schema_column(s, 3)->type, KDO_TYPE_TIMESTAMP);
    ck_assert_int_eq(kdo_row_schema_column(s, 4)->type, KDO_TYPE_BOOLEAN);
    ck_assert_uint_eq(kdo_row_schema_column(s, 5)->max_len, 65535);
    ck_assert_uint_eq(kdo_row_schema_count(s), 6);
    kdo_bind_free(b);
}
END_TEST

START_TEST(pumps_resolve_targets_sources_and_insert_lists)
{
    struct kdo_bind_program *b = bind_ok(
        DEST "CREATE STREAM mid (a VARCHAR(4), b VARCHAR(16), c DOUBLE, d DOUBLE);\n"
        "CREATE PUMP p2 AS INSERT INTO \"DESTINATION_SQL_STREAM\" (price, sym)\n"
        "  SELECT STREAM b, a FROM MID AS m;\n"
        "CREATE PUMP p1 AS INSERT INTO mid SELECT STREAM * FROM source_sql_stream_001\n"
        "  WHERE price > 1;\n");
    ck_assert_uint_eq(b->npumps, 2);
    const struct kdo_bind_pump *p2 = &b->pumps[0], *p1 = &b->pumps[1];
    ck_assert_str_eq(p2->name, "P2");
    ck_assert_str_eq(b->streams[p2->source].name, "MID");
    ck_assert_str_eq(b->streams[p2->target].name, "DESTINATION_SQL_STREAM");
    ck_assert_str_eq(p2->from_alias, "M");
    ck_assert_uint_eq(p2->nmap, 2);
    ck_assert_int_eq(p2->map[0], 1);
    ck_assert_int_eq(p2->map[1], 0);
    ck_assert_ptr_null(p1->map);
    ck_assert_str_eq(b->streams[p1->source].name, "SOURCE_SQL_STREAM_001");
    kdo_bind_free(b);
}
END_TEST

START_TEST(a_subquery_becomes_an_internal_stream_and_pump)
{
    struct kdo_bind_program *b = bind_ok(
        DEST "CREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
        "  SELECT STREAM t.s, t.p FROM (SELECT STREAM ticker_symbol AS s, price AS p\n"
        "    FROM source_sql_stream_001 WHERE price > 5) AS t;\n");
    ck_assert_uint_eq(b->npumps, 2);
    const struct kdo_bind_pump *inner = &b->pumps[0], *outer = &b->pumps[1];
    ck_assert_str_eq(inner->name, "P$0");
    ck_assert_int_eq(b->streams[inner->target].kind, KDO_BIND_INTERNAL);
    ck_assert_str_eq(b->streams[inner->target].name, "T");
    ck_assert_ptr_null(b->streams[inner->target].schema);
    ck_assert_uint_eq(outer->source, inner->target);
    ck_assert_uint_eq(inner->source, 0);
    ck_assert_str_eq(outer->from_alias, "T");
    kdo_bind_free(b);
}
END_TEST

START_TEST(several_pumps_into_one_stream)
{
    struct kdo_bind_program *b;
    const char *sql =
        "CREATE STREAM \"in_application_stream_001\" (sym VARCHAR(4));\n"
        "CREATE PUMP pump001 AS INSERT INTO \"in_application_stream_001\"\n"
        "  SELECT STREAM ticker_symbol FROM source_sql_stream_001;\n"
        "CREATE PUMP pump002 AS INSERT INTO \"in_application_stream_001\"\n"
        "  SELECT STREAM ticker_symbol FROM source_sql_stream_002;\n";
    ck_assert_int_eq(bind_n(sql, strlen(sql), NULL, 2, &b), 0);
    ck_assert_uint_eq(b->pumps[0].target, b->pumps[1].target);
    ck_assert_uint_eq(b->pumps[1].source, 1);
    kdo_bind_free(b);
}
END_TEST

START_TEST(unknown_stream_suggests_the_nearest)
{
    bind_fails(DEST "CREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
               "  SELECT STREAM ticker_symbol, price FROM source_sql_stream_01;",
               KDO_ESCHEMA, 3, 43, "unknown stream SOURCE_SQL_STREAM_01; did you mean "
               "SOURCE_SQL_STREAM_001?");
    bind_fails("CREATE STREAM \"Dest\" (x DOUBLE);\n"
               "CREATE PUMP p AS INSERT INTO dest SELECT STREAM price FROM source_sql_stream_001;",
               KDO_ESCHEMA, 2, 30, "unknown stream DEST; did you mean Dest?");
    bind_fails("CREATE PUMP p AS INSERT INTO nowhere SELECT STREAM * FROM source_sql_stream_001;",
               KDO_ESCHEMA, 1, 30, "unknown stream NOWHERE");
}
END_TEST

START_TEST(a_pump_into_a_source_stream_is_refused)
{
    bind_fails("CREATE PUMP p AS INSERT INTO source_sql_stream_001\n"
               "  SELECT STREAM * FROM source_sql_stream_001;",
               KDO_ESCHEMA, 1, 30, "the application's input stream");
    bind_fails("CREATE STREAM \"SOURCE_SQL_STREAM_001\" (a INT);", KDO_ESCHEMA, 1, 15,
               "is the application's input stream");
}
END_TEST

START_TEST(insert_count_must_match_the_select)
{
    bind_fails(DEST "CREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
               "  SELECT STREAM ticker_symbol, price, change FROM source_sql_stream_001;",
               KDO_ESCHEMA, 3, 3, "Number of INSERT target columns (2) does not equal number of "
               "source items (3)");
    bind_fails(DEST "CREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\"\n"
               "  SELECT STREAM * FROM source_sql_stream_001;",
               KDO_ESCHEMA, 3, 3, "(2) does not equal number of source items (4)");
    bind_fails(DEST "CREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\" (price)\n"
               "  SELECT STREAM ticker_symbol, price FROM source_sql_stream_001;",
               KDO_ESCHEMA, 3, 3, "(1) does not equal number of source items (2)");
    bind_fails(DEST "CREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\" (prise)\n"
               "  SELECT STREAM price FROM source_sql_stream_001;",
               KDO_ESCHEMA, 2, 56, "has no column PRISE; did you mean PRICE?");
    bind_fails(DEST "CREATE PUMP p AS INSERT INTO \"DESTINATION_SQL_STREAM\" (price, PRICE)\n"
               "  SELECT STREAM price, price FROM source_sql_stream_001;",
               KDO_ESCHEMA, 2, 63, "column PRICE is listed twice");
}
END_TEST

START_TEST(duplicates_are_refused)
{
    bind_fails("CREATE STREAM s (a INT);\nCREATE OR REPLACE STREAM s (b INT);", KDO_ESCHEMA, 2,
               26, "stream S is declared twice (first at 1:15)");
    bind_fails("CREATE STREAM s (a INT);\n"
               "CREATE PUMP p AS INSERT INTO s SELECT STREAM price FROM source_sql_stream_001;\n"
               "CREATE PUMP \"P\" AS INSERT INTO s SELECT STREAM price FROM source_sql_stream_001;",
               KDO_ESCHEMA, 3, 13, "pump P is declared twice (first at 2:13)");
    bind_fails("CREATE STREAM s (a INT, A BIGINT);", KDO_ESCHEMA, 1, 25, "stream S:");
    bind_fails("CREATE STREAM s (rowtime TIMESTAMP);", KDO_ESCHEMA, 1, 18,
               "every in-application stream has ROWTIME");
}
END_TEST

START_TEST(a_pump_cycle_is_refused)
{
    bind_fails("CREATE STREAM a (x DOUBLE);\nCREATE STREAM b (x DOUBLE);\n"
               "CREATE PUMP feed AS INSERT INTO a SELECT STREAM price FROM source_sql_stream_001;\n"
               "CREATE PUMP ab AS INSERT INTO b SELECT STREAM x FROM a;\n"
               "CREATE PUMP ba AS INSERT INTO a SELECT STREAM x FROM b;\n",
               KDO_ESCHEMA, 5, 13, "pump BA closes a cycle: A feeds itself");
    bind_fails(
        "CREATE STREAM a (x DOUBLE);\nCREATE PUMP aa AS INSERT INTO a SELECT STREAM x FROM a;",
        KDO_ESCHEMA, 2, 13, "pump AA closes a cycle");
}
END_TEST

/* An application that is one bare SELECT STREAM (the SQL Reference's
 * examples): a pump QUERY writes DESTINATION_SQL_STREAM, whose columns the
 * query gives; the input may name its one source stream, dotted names too. */
START_TEST(a_lone_query_writes_the_destination_stream)
{
    struct kdo_bind_program *b = bind_ok("SELECT STREAM price FROM source_sql_stream_001;");
    ck_assert_uint_eq(b->npumps, 1);
    ck_assert_str_eq(b->pumps[0].name, "QUERY");
    const struct kdo_bind_stream *t = &b->streams[b->pumps[0].target];
    ck_assert_str_eq(t->name, "DESTINATION_SQL_STREAM");
    ck_assert(t->result);
    ck_assert_int_eq(t->kind, KDO_BIND_INTERNAL);
    kdo_bind_free(b);

    struct kdo_ast_program *p;
    const char *sql = "SELECT STREAM price FROM aggtest.weatherstream;";
    ck_assert_int_eq(kdo_sql_parse("app.sql", sql, strlen(sql), &arena, &p, &err), 0);
    struct kdo_bind_config c = {.file = "app.sql", .source_stream = "AGGTEST.WEATHERSTREAM"};
    ck_assert_int_eq(kdo_bind(p, &c, &b, &err), 0);
    ck_assert_uint_eq(b->nsources, 1);
    ck_assert_str_eq(b->streams[0].name, "AGGTEST.WEATHERSTREAM");
    ck_assert_uint_eq(b->pumps[0].source, 0);
    kdo_bind_free(b);
    c.source_stream = "WEATHERSTREAM"; /* the dotted name then names no stream */
    ck_assert_int_eq(kdo_bind(p, &c, &b, &err), KDO_EPARSE);
    ck_assert_msg(strstr(err.msg, "schema-qualified") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(unsupported_features_are_refused_by_name)
{
    const char *pre = "CREATE STREAM s (x DOUBLE);\nCREATE PUMP p AS INSERT INTO s\n";
    char sql[1024];
    snprintf(sql, sizeof sql, "%s SELECT STREAM a.price FROM source_sql_stream_001 AS a\n"
             " JOIN source_sql_stream_001 AS b ON a.price = b.price\n"
             " JOIN source_sql_stream_001 AS c ON a.price = c.price;", pre);
    bind_fails(sql, KDO_EPARSE, 3, 29, "a JOIN of more than two streams is not supported yet");
    snprintf(sql, sizeof sql, "%s SELECT STREAM a.price FROM source_sql_stream_001 AS a\n"
             " JOIN TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM source_sql_stream_001"
             "), 'PRICE', 5, 60)) AS b ON a.price = b.price;", pre);
    bind_fails(sql, KDO_EPARSE, 4, 7, "a join side is a stream, a subquery or a reference table");
    with_table = 1;
    snprintf(sql, sizeof sql, "%s SELECT STREAM \"Company\" FROM \"CompanyName\";", pre);
    bind_fails(sql, KDO_EPARSE, 3, 31, "CompanyName is a reference table: a query reads it "
               "through a JOIN");
    bind_fails("CREATE PUMP p AS INSERT INTO \"CompanyName\"\n SELECT STREAM ticker_symbol, "
               "ticker_symbol FROM source_sql_stream_001;", KDO_ESCHEMA, 1, 30,
               "a reference table: only its data file fills it");
    with_table = 0;
    snprintf(sql, sizeof sql, "%s SELECT STREAM t.price FROM (SELECT STREAM price FROM "
             "source_sql_stream_001 ORDER BY price) AS t;", pre);
    bind_fails(sql, KDO_EPARSE, 3, 86, "ORDER BY inside a subquery or CURSOR is not supported");
    snprintf(sql, sizeof sql, "%s SELECT STREAM price FROM source_sql_stream_001 UNION ALL\n"
             " SELECT STREAM price FROM source_sql_stream_001;", pre);
    bind_fails(sql, KDO_EPARSE, 4, 2, "UNION ALL is not supported yet");
    snprintf(sql, sizeof sql, "%s SELECT STREAM * FROM TABLE(HOTSPOTS(CURSOR(SELECT STREAM * FROM\n"
             " source_sql_stream_001), 100, 0.01, 1));", pre);
    bind_fails(sql, KDO_EPARSE, 3, 29, "HOTSPOTS is not supported yet");
    snprintf(sql, sizeof sql, "%s SELECT price FROM source_sql_stream_001;", pre);
    bind_fails(sql, KDO_EPARSE, 3, 2, "write SELECT STREAM");
    bind_fails("CREATE STREAM s (x DOUBLE);\nSELECT STREAM * FROM source_sql_stream_001;",
               KDO_ESCHEMA, 2, 1, "a query outside a pump goes nowhere");
    bind_fails("CREATE STREAM s (d DATE);", KDO_EPARSE, 1, 20, "a DATE column is not supported yet");
    bind_fails("CREATE STREAM s (d DECIMAL(19,2));", KDO_ESCHEMA, 1, 18,
               "DECIMAL precision above 18 is not supported");
    bind_fails("CREATE STREAM s (x DOUBLE);\nCREATE PUMP p AS INSERT INTO s\n"
               " SELECT STREAM t.price FROM (SELECT STREAM price FROM source_sql_stream_001);",
               KDO_ESCHEMA, 3, 29, "a subquery in FROM needs an alias");
}
END_TEST

/* ---- every documented example ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(KDO_SQL_MAX_TEXT + 1);
    *len = fread(buf, 1, KDO_SQL_MAX_TEXT, f);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

/* How each example binds: NULL binds; else words the refusal holds. */
static const struct {
    const char *file, *words;
} examples[] = {
    {"01-stagger-concepts-tumbling-partial.sql", "(2) does not equal number of source items (3)"},
    {"02-stagger-concepts-stagger.sql", NULL},
    {"03-timestamps-rowtime-two-window.sql", NULL},
    {"04-example-stagger-window.sql", NULL},
    {"05-example-tumbling-rowtime.sql", NULL},
    {"06-example-tumbling-event-time.sql", NULL},
    {"07-example-partial-results.sql", NULL},
    {"08-example-substring.sql", NULL},
    {"09-sliding-window-concepts.sql", "stream DESTINATION_SQL_STREAM is declared twice"},
    {"10-example-top-k-items.sql", NULL},
    {"11-count-distinct-exact.sql", NULL},
    {"12-continuous-filter.sql", NULL},
    {"13-two-record-types.sql", NULL},
    {"14-variable-column-log-parse.sql", NULL},
    {"15-transforming-datetime.sql", NULL},
    {"16-rcf-anomaly.sql", NULL},
    {"17-rcf-with-explanation-results.sql", NULL}, /* comments only */
    {"18-hotspots.sql", "HOTSPOTS is not supported yet"},
    {"19-sqlref-window-clause.sql", "stream DESTINATION_SQL_STREAM is declared twice"},
    {"20-windowed-aggregation-weatherstream.sql", "a query outside a pump goes nowhere"},
    {"21-streaming-aggregation-weatherstream.sql", "a query outside a pump goes nowhere"},
    {"22-getting-started-app-code.sql", "unknown stream DESTINATION_SQL_STREAM"}, /* a part */
    {"23-public-clickstream-stagger-sessions.sql", NULL},
    {"24-example-regex-replace.sql", NULL},
    {"25-example-regex-log-parse.sql", NULL},
    {"26-example-w3c-log-parse.sql", "a column list after a FROM alias is not supported"},
    {"27-simple-alerts-filter.sql", NULL},
    {"28-realworld-taxi-multi-pump-rcf.sql", NULL},
    {"join-00-dataset.sql", NULL},
    {"join-02-reference-data.sql", NULL}, /* with the table CompanyName (bind_n) */
    /* Fragments: their streams are join-00's, and scenarios 44-49 run them whole. */
    {"join-03-sqlref-rowtime-join.sql", "unknown stream ORDERS"},
    {"join-04-ex1-inner-window-one-side.sql", "unknown stream ORDERS_STREAM"},
    {"join-05-ex2-inner-windows-both.sql", "unknown stream ORDERS_STREAM"},
    {"join-06-ex3-right-window-one-side.sql", "unknown stream ORDERS_STREAM"},
    {"join-07-ex4-right-windows-both.sql", "unknown stream ORDERS_STREAM"},
    {"join-08-ex5-left-window-one-side.sql", "unknown stream ORDERS_STREAM"},
    {"join-09-ex6-left-windows-both.sql", "unknown stream ORDERS_STREAM"},
};

START_TEST(every_documented_example_binds_or_is_refused_by_name)
{
    const char *root = getenv("KDO_SOURCE_ROOT");
    char path[2048];
    size_t i = (size_t)_i, len;
    snprintf(path, sizeof path, "%s/tests/unit/sql-examples/%s", root ? root : ".",
             examples[i].file);
    char *text = slurp(path, &len);
    struct kdo_bind_program *b = NULL;
    with_table = 1;
    int rc = bind_n(text, len, NULL, 1, &b);
    with_table = 0;
    if (examples[i].words == NULL)
        ck_assert_msg(rc == 0, "%s: %s at %d:%d", examples[i].file, err.msg, err.line,
                      err.column);
    else
        ck_assert_msg(rc != 0 && strstr(err.msg, examples[i].words) && err.line > 0,
                      "%s: rc %d [%s] at %d, want [%s]", examples[i].file, rc, err.msg, err.line,
                      examples[i].words);
    kdo_bind_free(b);
    free(text);
}
END_TEST

START_TEST(the_example_table_covers_every_file)
{
    const char *root = getenv("KDO_SOURCE_ROOT");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/unit/sql-examples", root ? root : ".");
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t files = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".sql") != 0 ||
            strcmp(de->d_name, "join-01-stream-joins-concepts.sql") == 0) /* does not parse */
            continue;
        int found = 0;
        for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++)
            found |= strcmp(examples[i].file, de->d_name) == 0;
        ck_assert_msg(found, "%s is not in the table", de->d_name);
        files++;
    }
    closedir(d);
    ck_assert_uint_eq(files, sizeof examples / sizeof examples[0]);
}
END_TEST

static Suite *bind_suite(void)
{
    Suite *s = suite_create("bind");
    TCase *tc = tcase_create("bind");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, sources_are_named_by_prefix_and_parallelism);
    tcase_add_test(tc, declared_streams_keep_names_types_and_not_null);
    tcase_add_test(tc, pumps_resolve_targets_sources_and_insert_lists);
    tcase_add_test(tc, a_subquery_becomes_an_internal_stream_and_pump);
    tcase_add_test(tc, several_pumps_into_one_stream);
    tcase_add_test(tc, unknown_stream_suggests_the_nearest);
    tcase_add_test(tc, a_pump_into_a_source_stream_is_refused);
    tcase_add_test(tc, insert_count_must_match_the_select);
    tcase_add_test(tc, duplicates_are_refused);
    tcase_add_test(tc, a_pump_cycle_is_refused);
    tcase_add_test(tc, a_lone_query_writes_the_destination_stream);
    tcase_add_test(tc, unsupported_features_are_refused_by_name);
    tcase_add_loop_test(tc, every_documented_example_binds_or_is_refused_by_name, 0,
                        (int)(sizeof examples / sizeof examples[0]));
    tcase_add_test(tc, the_example_table_covers_every_file);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(bind_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
