/*
 * test_query.c -- the continuous query: typed rows, WHERE, SELECT, formats,
 * and the error stream.
 */
#include "errors.h"
#include "query.h"

#include <check.h>
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
