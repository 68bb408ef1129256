/*
 * test_reftable.c -- reference data (emulator/sql/reftable.c): records per
 * line in CSV and JSON, blank lines and CRLF, a bad record at its
 * file:line:column leaving the rows as they were, the size limit, and the
 * version a reload bumps.
 */
#include "sql/reftable.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_row_schema *schema;
static struct kdo_errinfo err;

static void setup(void)
{
    schema = kdo_row_schema_new();
    kdo_row_schema_add(schema, "\"Ticker\"", 8, KDO_TYPE_VARCHAR, 4, NULL);
    kdo_row_schema_add(schema, "\"Price\"", 7, KDO_TYPE_DOUBLE, 0, NULL);
    memset(&err, 0, sizeof err);
}

static void teardown(void)
{
    kdo_row_schema_free(schema);
}

static const char *ticker(const struct kdo_reftable *t, size_t i)
{
    return kdo_row_get(kdo_reftable_row(t, i), 0)->u.str.s;
}

START_TEST(csv_and_json_records_one_per_line)
{
    struct kdo_reftable *t = kdo_reftable_new(schema, KDO_ROWFMT_CSV);
    ck_assert_uint_eq(kdo_reftable_count(t), 0);
    const char *csv = "AMZN,1.5\r\n\nASD,2\nMMB,3"; /* CRLF, a blank line, no final newline */
    ck_assert_int_eq(kdo_reftable_load(t, csv, strlen(csv), "r.csv", &err), 0);
    ck_assert_uint_eq(kdo_reftable_count(t), 3);
    ck_assert_str_eq(ticker(t, 0), "AMZN");
    ck_assert_str_eq(ticker(t, 2), "MMB");
    ck_assert_uint_eq(kdo_reftable_version(t), 1);
    kdo_reftable_free(t);
    t = kdo_reftable_new(schema, KDO_ROWFMT_JSON);
    const char *json = "{\"Ticker\":\"WAS\",\"Price\":4}\n";
    ck_assert_int_eq(kdo_reftable_load(t, json, strlen(json), "r.json", &err), 0);
    ck_assert_uint_eq(kdo_reftable_count(t), 1);
    ck_assert_str_eq(ticker(t, 0), "WAS");
    kdo_reftable_free(t);
}
END_TEST

START_TEST(a_bad_record_is_placed_and_changes_nothing)
{
    struct kdo_reftable *t = kdo_reftable_new(schema, KDO_ROWFMT_CSV);
    const char *good = "AMZN,1\n";
    ck_assert_int_eq(kdo_reftable_load(t, good, strlen(good), "r.csv", &err), 0);
    const char *bad = "ASD,2\nMMB,x\n";
    ck_assert_int_eq(kdo_reftable_load(t, bad, strlen(bad), "v2.csv", &err), KDO_ESCHEMA);
    ck_assert_str_eq(err.file, "v2.csv");
    ck_assert_int_eq(err.line, 2);
    ck_assert_msg(err.column > 1 && strstr(err.msg, "Price"), "%d %s", err.column, err.msg);
    ck_assert_uint_eq(kdo_reftable_count(t), 1);
    ck_assert_str_eq(ticker(t, 0), "AMZN");
    ck_assert_uint_eq(kdo_reftable_version(t), 1);
    const char *three = "A,1,2\n"; /* a field too many */
    ck_assert_int_ne(kdo_reftable_load(t, three, strlen(three), "v3.csv", &err), 0);
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(kdo_reftable_load(t, good, (size_t)KDO_REFTABLE_MAX_BYTES + 1, "big.csv",
                                       &err), KDO_ETOOBIG);
    kdo_reftable_free(t);
}
END_TEST

static Suite *reftable_suite(void)
{
    Suite *s = suite_create("reftable");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, csv_and_json_records_one_per_line);
    tcase_add_test(tc, a_bad_record_is_placed_and_changes_nothing);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(reftable_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
