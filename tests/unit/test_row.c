/*
 * test_row.c -- schemas and rows of emulator/sql/row.c.
 *
 * Names resolve as KDA resolves SQL identifiers (unquoted fold to upper
 * case, "quoted" keep case, "" is one quote); a schema refuses bad names,
 * types and lengths, duplicates and a 257th column; a row holds NULL or a
 * value of its column's type (BIGINT widens into DOUBLE), copies its
 * strings, counts VARCHAR(n) in characters, not bytes, and refuses to grow
 * past KDA's 512 KB row -- leaving the row unchanged on every refusal.
 */
#include "sql/row.h"

#include "base/errors.h"
#include "delivery/contract.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void expect_name(const char *sql, const char *want)
{
    char out[KDO_ROW_MAX_NAME + 1];
    int err = kdo_row_resolve_name(sql, strlen(sql), out);
    ck_assert_msg(err == 0 && strcmp(out, want) == 0, "[%s] -> %d [%s], want [%s]", sql, err, out,
                  want);
}

static void expect_bad_name(const char *sql, size_t n)
{
    char out[KDO_ROW_MAX_NAME + 1];
    ck_assert_msg(kdo_row_resolve_name(sql, n, out) == KDO_EINVAL, "[%.*s] was accepted as [%s]",
                  (int)n, sql, out);
}

START_TEST(test_names_resolve_as_sql_identifiers)
{
    expect_name("price", "PRICE");
    expect_name("Ticker_Symbol", "TICKER_SYMBOL");
    expect_name("_x$1", "_X$1");
    expect_name("\"lower\"", "lower");
    expect_name("\"a b\"", "a b");
    expect_name("\"say \"\"hi\"\"\"", "say \"hi\"");
    expect_bad_name("", 0);
    expect_bad_name("1abc", 4);
    expect_bad_name("$abc", 4);
    expect_bad_name("a-b", 3);
    expect_bad_name("a b", 3);
    expect_bad_name("\"\"", 2);          /* an empty quoted name */
    expect_bad_name("\"open", 5);        /* unterminated */
    expect_bad_name("\"a\"b\"", 5);      /* a lone quote inside */
    expect_bad_name("\"a\0b\"", 5);      /* NUL inside */
}
END_TEST

START_TEST(test_names_are_at_most_128_bytes)
{
    char sql[KDO_ROW_MAX_NAME + 4], out[KDO_ROW_MAX_NAME + 1];
    memset(sql, 'a', sizeof sql);
    ck_assert_int_eq(kdo_row_resolve_name(sql, KDO_ROW_MAX_NAME, out), 0);
    ck_assert_uint_eq(strlen(out), KDO_ROW_MAX_NAME);
    expect_bad_name(sql, KDO_ROW_MAX_NAME + 1);
    sql[0] = '"';
    sql[KDO_ROW_MAX_NAME + 1] = '"'; /* 128 bytes between quotes */
    ck_assert_int_eq(kdo_row_resolve_name(sql, KDO_ROW_MAX_NAME + 2, out), 0);
    sql[KDO_ROW_MAX_NAME + 1] = 'a';
    sql[KDO_ROW_MAX_NAME + 2] = '"'; /* 129 */
    expect_bad_name(sql, KDO_ROW_MAX_NAME + 3);
}
END_TEST

static int add(struct kdo_row_schema *s, const char *name, enum kdo_type t, size_t max_len,
               struct kdo_errinfo *e)
{
    return kdo_row_schema_add(s, name, strlen(name), t, max_len, e);
}

START_TEST(test_schema_refuses_bad_columns_with_a_sentence)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(add(s, "price", KDO_TYPE_DOUBLE, 0, &e), 0);
    ck_assert_int_eq(add(s, "PRICE", KDO_TYPE_BIGINT, 0, &e), KDO_ESCHEMA); /* folds to PRICE */
    ck_assert_ptr_nonnull(strstr(e.msg, "duplicate column PRICE"));
    ck_assert_int_eq(add(s, "\"price\"", KDO_TYPE_BIGINT, 0, &e), 0); /* a different name */
    ck_assert_int_eq(add(s, "9x", KDO_TYPE_BIGINT, 0, &e), KDO_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "bad column name 9x"));
    ck_assert_int_eq(add(s, "N", KDO_TYPE_NULL, 0, &e), KDO_EINVAL);
    ck_assert_int_eq(add(s, "N", (enum kdo_type)99, 0, &e), KDO_EINVAL);
    ck_assert_int_eq(add(s, "V", KDO_TYPE_VARCHAR, 0, &e), KDO_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "VARCHAR(0)"));
    ck_assert_int_eq(add(s, "V", KDO_TYPE_VARCHAR, 65536, &e), KDO_EINVAL);
    ck_assert_int_eq(add(s, "V", KDO_TYPE_VARCHAR, 65535, &e), 0);
    ck_assert_int_eq(add(s, "B", KDO_TYPE_BIGINT, 77, NULL), 0); /* ignored for non-VARCHAR */
    ck_assert_uint_eq(kdo_row_schema_count(s), 4);
    ck_assert_str_eq(kdo_row_schema_column(s, 1)->name, "price");
    ck_assert_uint_eq(kdo_row_schema_column(s, 2)->max_len, 65535);
    ck_assert_uint_eq(kdo_row_schema_column(s, 3)->max_len, 0);
    ck_assert_ptr_null(kdo_row_schema_column(s, 4));
    kdo_row_schema_free(s);
    kdo_row_schema_free(NULL);
}
END_TEST

/* Column types as a scenario's schema writes them, DECIMAL(p,s) included. */
START_TEST(test_types_parse_from_text)
{
    static const struct {
        const char *text;
        enum kdo_type type;
        size_t max_len;
        int precision, scale;
    } ok[] = {
        {"VARCHAR(4)", KDO_TYPE_VARCHAR, 4, 0, 0}, {"varchar(65535)", KDO_TYPE_VARCHAR, 65535, 0, 0},
        {"integer", KDO_TYPE_BIGINT, 0, 0, 0},     {"TINYINT", KDO_TYPE_BIGINT, 0, 0, 0},
        {"REAL", KDO_TYPE_DOUBLE, 0, 0, 0},        {"TIMESTAMP", KDO_TYPE_TIMESTAMP, 0, 0, 0},
        {"DECIMAL(5,2)", KDO_TYPE_DECIMAL, 0, 5, 2}, {"decimal", KDO_TYPE_DECIMAL, 0, 18, 0},
        {"NUMERIC(7)", KDO_TYPE_DECIMAL, 0, 7, 0},   {"DEC(18,18)", KDO_TYPE_DECIMAL, 0, 18, 18},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct kdo_row_column c;
        struct kdo_errinfo e = {0};
        ck_assert_msg(kdo_row_parse_type(ok[i].text, &c, &e) == 0, "%s: %s", ok[i].text, e.msg);
        ck_assert_msg(c.type == ok[i].type && c.max_len == ok[i].max_len &&
                          c.precision == ok[i].precision && c.scale == ok[i].scale,
                      "%s: %d %zu %d %d", ok[i].text, c.type, c.max_len, c.precision, c.scale);
    }
    static const char *const bad[][2] = {
        {"DECIMAL(19,2)", "DECIMAL precision above 18 is not supported"},
        {"DECIMAL(2,3)", "unknown type"}, {"VARCHAR(0)", "unknown type"},
        {"VARCHAR", "unknown type"},      {"INTEGERX", "unknown type"},
        {"BIGINT(3)", "unknown type"},    {"DECIMAL(5,2", "unknown type"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kdo_row_column c;
        struct kdo_errinfo e = {0};
        ck_assert_int_eq(kdo_row_parse_type(bad[i][0], &c, &e), KDO_EINVAL);
        ck_assert_msg(strstr(e.msg, bad[i][1]), "%s: %s", bad[i][0], e.msg);
    }
    struct kdo_row_schema *s = kdo_row_schema_new();
    struct kdo_row_column c;
    ck_assert_int_eq(kdo_row_parse_type("DECIMAL(5,2)", &c, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_add_type(s, "amount", 6, &c, NULL), 0);
    ck_assert_int_eq(kdo_row_schema_column(s, 0)->scale, 2);
    ck_assert_int_eq(kdo_row_schema_column(s, 0)->precision, 5);
    kdo_row_schema_free(s);
}
END_TEST

START_TEST(test_schema_holds_at_most_256_columns)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    struct kdo_errinfo e = {0};
    char name[16];
    for (int i = 0; i < KDO_ROW_MAX_COLUMNS; i++) {
        snprintf(name, sizeof name, "C%d", i);
        ck_assert_int_eq(add(s, name, KDO_TYPE_BIGINT, 0, NULL), 0);
    }
    ck_assert_int_eq(add(s, "ONE_MORE", KDO_TYPE_BIGINT, 0, &e), KDO_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(e.msg, "256"));
    ck_assert_uint_eq(kdo_row_schema_count(s), KDO_ROW_MAX_COLUMNS);
    ck_assert_int_eq(kdo_row_schema_find(s, "C255", 4), 255);
    kdo_row_schema_free(s);
}
END_TEST

START_TEST(test_find_is_exact_and_nearest_is_close)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    add(s, "TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4, NULL);
    add(s, "PRICE", KDO_TYPE_DOUBLE, 0, NULL);
    add(s, "\"lower\"", KDO_TYPE_BIGINT, 0, NULL);
    ck_assert_int_eq(kdo_row_schema_find(s, "PRICE", 5), 1);
    ck_assert_int_eq(kdo_row_schema_find(s, "price", 5), -1); /* resolved names only */
    ck_assert_int_eq(kdo_row_schema_find(s, "PRIC", 4), -1);
    ck_assert_int_eq(kdo_row_schema_find(s, "lower", 5), 2);
    ck_assert_str_eq(kdo_row_schema_nearest(s, "PRISE", 5), "PRICE");
    ck_assert_str_eq(kdo_row_schema_nearest(s, "ticker_symbl", 12), "TICKER_SYMBOL");
    ck_assert_str_eq(kdo_row_schema_nearest(s, "LOWER", 5), "lower"); /* case is free */
    ck_assert_ptr_null(kdo_row_schema_nearest(s, "VOLUME", 6));
    ck_assert_ptr_null(kdo_row_schema_nearest(s, "XRICE", 2)); /* "XR": 1 edit allowed */
    kdo_row_schema_free(s);
}
END_TEST

static struct kdo_row_schema *schema;
static struct kdo_row *row;

static void setup(void)
{
    schema = kdo_row_schema_new();
    add(schema, "SYM", KDO_TYPE_VARCHAR, 5, NULL);
    add(schema, "PRICE", KDO_TYPE_DOUBLE, 0, NULL);
    add(schema, "QTY", KDO_TYPE_BIGINT, 0, NULL);
    add(schema, "OK", KDO_TYPE_BOOLEAN, 0, NULL);
    add(schema, "TS", KDO_TYPE_TIMESTAMP, 0, NULL);
    row = kdo_row_new(schema);
}

static void teardown(void)
{
    kdo_row_free(row);
    kdo_row_schema_free(schema);
}

START_TEST(test_a_new_row_is_all_null)
{
    ck_assert_ptr_eq(kdo_row_schema(row), schema);
    for (size_t i = 0; i < kdo_row_schema_count(schema); i++)
        ck_assert_int_eq(kdo_row_get(row, i)->type, KDO_TYPE_NULL);
    kdo_row_free(NULL);
}
END_TEST

START_TEST(test_values_must_match_their_column)
{
    struct kdo_errinfo e = {0};
    struct kdo_value v = kdo_value_bigint(7);
    ck_assert_int_eq(kdo_row_set(row, 2, &v, &e), 0);
    v = kdo_value_bigint(3); /* BIGINT widens into DOUBLE */
    ck_assert_int_eq(kdo_row_set(row, 1, &v, &e), 0);
    ck_assert_int_eq(kdo_row_get(row, 1)->type, KDO_TYPE_DOUBLE);
    ck_assert(kdo_row_get(row, 1)->u.d == 3.0);
    v = kdo_value_double(1.5); /* but DOUBLE does not narrow into BIGINT */
    ck_assert_int_eq(kdo_row_set(row, 2, &v, &e), KDO_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "QTY"));
    ck_assert_int_eq(kdo_row_get(row, 2)->u.i, 7); /* unchanged */
    v = kdo_value_varchar("x", 1);
    ck_assert_int_eq(kdo_row_set(row, 3, &v, &e), KDO_EINVAL);
    ck_assert_int_eq(kdo_row_get(row, 3)->type, KDO_TYPE_NULL);
    v = kdo_value_null(); /* NULL fits any column */
    ck_assert_int_eq(kdo_row_set(row, 2, &v, &e), 0);
    ck_assert_int_eq(kdo_row_get(row, 2)->type, KDO_TYPE_NULL);
    v = kdo_value_bool(true);
    ck_assert_int_eq(kdo_row_set(row, 5, &v, &e), KDO_EINVAL); /* no such column */
    ck_assert_ptr_nonnull(strstr(e.msg, "no column 5"));
}
END_TEST

START_TEST(test_strings_are_copied_and_terminated)
{
    char src[] = "AMZNX";
    struct kdo_value v = kdo_value_varchar(src, 4); /* not terminated at 4 */
    ck_assert_int_eq(kdo_row_set(row, 0, &v, NULL), 0);
    src[0] = 'Z';
    const struct kdo_value *got = kdo_row_get(row, 0);
    ck_assert_uint_eq(got->u.str.len, 4);
    ck_assert_str_eq(got->u.str.s, "AMZN");
}
END_TEST

START_TEST(test_varchar_length_counts_characters_not_bytes)
{
    struct kdo_errinfo e = {0};
    struct kdo_value v = kdo_value_varchar("\xc3\xa9t\xc3\xa9s!", 7); /* "étés!": 5 chars */
    ck_assert_int_eq(kdo_row_set(row, 0, &v, &e), 0);
    v = kdo_value_varchar("abcdef", 6);
    ck_assert_int_eq(kdo_row_set(row, 0, &v, &e), KDO_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.msg, "6 characters are too long for SYM VARCHAR(5)"));
    ck_assert_uint_eq(kdo_row_get(row, 0)->u.str.len, 7); /* unchanged */
}
END_TEST

START_TEST(test_a_row_stops_at_512_kb)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    char name[8];
    for (int i = 0; i < 9; i++) {
        snprintf(name, sizeof name, "V%d", i);
        add(s, name, KDO_TYPE_VARCHAR, 65535, NULL);
    }
    struct kdo_row *r = kdo_row_new(s);
    char *big = malloc(65535);
    memset(big, 'b', 65535);
    struct kdo_value v = kdo_value_varchar(big, 65535);
    struct kdo_errinfo e = {0};
    for (int i = 0; i < 8; i++) /* 8 x 65535 = 524280 <= 524288 */
        ck_assert_int_eq(kdo_row_set(r, (size_t)i, &v, &e), 0);
    ck_assert_int_eq(kdo_row_set(r, 8, &v, &e), KDO_EROWSIZE);
    ck_assert_ptr_nonnull(strstr(e.msg, "V8"));
    ck_assert_int_eq(kdo_row_get(r, 8)->type, KDO_TYPE_NULL);
    struct kdo_value small = kdo_value_varchar("12345678", 8);
    ck_assert_int_eq(kdo_row_set(r, 8, &small, &e), 0); /* exactly 524288 */
    small.u.str.len = 1;
    ck_assert_int_eq(kdo_row_set(r, 8, &small, &e), KDO_EROWSIZE); /* replaced bytes count */
    kdo_row_clear(r); /* clearing frees the room */
    for (int i = 0; i < 9; i++)
        ck_assert_int_eq(kdo_row_get(r, (size_t)i)->type, KDO_TYPE_NULL);
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(kdo_row_set(r, (size_t)i, &v, &e), 0);
    free(big);
    kdo_row_free(r);
    kdo_row_schema_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("row");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"names_resolve_as_sql_identifiers", test_names_resolve_as_sql_identifiers},
        {"names_are_at_most_128_bytes", test_names_are_at_most_128_bytes},
        {"schema_refuses_bad_columns_with_a_sentence", test_schema_refuses_bad_columns_with_a_sentence},
        {"types_parse_from_text", test_types_parse_from_text},
        {"schema_holds_at_most_256_columns", test_schema_holds_at_most_256_columns},
        {"find_is_exact_and_nearest_is_close", test_find_is_exact_and_nearest_is_close},
        {"a_new_row_is_all_null", test_a_new_row_is_all_null},
        {"values_must_match_their_column", test_values_must_match_their_column},
        {"strings_are_copied_and_terminated", test_strings_are_copied_and_terminated},
        {"varchar_length_counts_characters_not_bytes",
         test_varchar_length_counts_characters_not_bytes},
        {"a_row_stops_at_512_kb", test_a_row_stops_at_512_kb},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
