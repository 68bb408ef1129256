/*
 * test_expr_eval.c -- evaluation of compiled expressions, emulator/sql/expr_eval.c.
 *
 * test_expr.c covers the grammar and arithmetic; this suite pins the
 * evaluator's semantics on typed values, one column of each type and a NULL
 * of each type: NULL compares as UNKNOWN with every operator (NULL = NULL
 * too), IS [NOT] NULL is never UNKNOWN, NOT UNKNOWN is UNKNOWN, a WHERE
 * condition passes only on TRUE (SQL:2016 part 2, 8.2 and 6.39), the right
 * operand of AND/OR runs only when the left does not decide, strings the
 * evaluator makes go to the scratch arena and fail cleanly when it is full,
 * errors carry the operator's line:column, and the row is never changed.
 */
#include "base/errors.h"
#include "sql/expr.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_row_schema *schema;
static struct kdo_row *row;
static struct kdo_arena scratch;

/* Each type twice: a value, then a NULL (NB .. NT). */
static const struct {
    const char *name;
    enum kdo_type type;
} columns[] = {
    {"B", KDO_TYPE_BOOLEAN}, {"I", KDO_TYPE_BIGINT},    {"D", KDO_TYPE_DOUBLE},
    {"S", KDO_TYPE_VARCHAR}, {"T", KDO_TYPE_TIMESTAMP}, {"NB", KDO_TYPE_BOOLEAN},
    {"NI", KDO_TYPE_BIGINT}, {"ND", KDO_TYPE_DOUBLE},   {"NS", KDO_TYPE_VARCHAR},
    {"NT", KDO_TYPE_TIMESTAMP}, {"IMIN", KDO_TYPE_BIGINT},
};

static void setup(void)
{
    schema = kdo_row_schema_new();
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++)
        ck_assert_int_eq(kdo_row_schema_add(schema, columns[i].name, strlen(columns[i].name),
                                            columns[i].type, 64, NULL),
                         0);
    row = kdo_row_new(schema);
    struct kdo_value v[] = {kdo_value_bool(true), kdo_value_bigint(7), kdo_value_double(2.5),
                            kdo_value_varchar("Straße", 7), kdo_value_timestamp(1000)};
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(kdo_row_set(row, i, &v[i], NULL), 0);
    struct kdo_value min = kdo_value_bigint(INT64_MIN);
    ck_assert_int_eq(kdo_row_set(row, 10, &min, NULL), 0);
    kdo_arena_init(&scratch, 1 << 12);
}

static void teardown(void)
{
    kdo_arena_cleanup(&scratch);
    kdo_row_free(row);
    kdo_row_schema_free(schema);
}

static int run(const char *text, struct kdo_value *out, struct kdo_errinfo *e)
{
    struct kdo_expr *x;
    int err = kdo_expr_compile(text, strlen(text), schema, &x, e);
    ck_assert_msg(err == 0, "[%s] does not compile: %s", text, e ? e->msg : "");
    err = kdo_expr_eval(x, row, &scratch, out, e);
    kdo_expr_free(x);
    return err;
}

static struct kdo_value eval(const char *text)
{
    struct kdo_value v;
    struct kdo_errinfo e = {0};
    int err = run(text, &v, &e);
    ck_assert_msg(err == 0, "[%s]: %d at %d:%d: %s", text, err, e.line, e.column, e.msg);
    return v;
}

/* want: 't', 'f' or 'n' (NULL). */
static void expect_tv(const char *text, char want)
{
    struct kdo_value v = eval(text);
    char got = v.type == KDO_TYPE_NULL ? 'n' : v.type != KDO_TYPE_BOOLEAN ? '?' : v.u.b ? 't' : 'f';
    ck_assert_msg(got == want, "[%s]: got %c, want %c", text, got, want);
}

static void expect_error(const char *text, int code, int line, int column, const char *msg)
{
    struct kdo_value v;
    struct kdo_errinfo e = {0};
    int err = run(text, &v, &e);
    ck_assert_msg(err == code, "[%s]: got %d (%s), want %d", text, err, e.msg, code);
    ck_assert_msg(e.line == line && e.column == column, "[%s]: at %d:%d, want %d:%d (%s)", text,
                  e.line, e.column, line, column, e.msg);
    ck_assert_msg(strstr(e.msg, msg) != NULL, "[%s]: [%s] lacks [%s]", text, e.msg, msg);
}

static const char *const ops[] = {"=", "<>", "!=", "<", "<=", ">", ">="};

START_TEST(test_every_comparison_with_a_null_is_unknown)
{
    static const char *const pairs[][2] = {
        {"NB", "B"}, {"NI", "I"}, {"ND", "D"}, {"NS", "S"}, {"NT", "T"}, {"NI", "D"},
        {"I", "ND"}, {"NULL", "I"}, {"S", "NULL"}, {"NULL", "NULL"}, {"NI", "NI"},
    };
    char text[64];
    for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++)
        for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
            snprintf(text, sizeof text, "%s %s %s", pairs[p][0], ops[o], pairs[p][1]);
            expect_tv(text, 'n');
        }
}
END_TEST

START_TEST(test_comparisons_of_typed_values)
{
    /* op order: = <> != < <= > >= */
    static const struct {
        const char *a, *b, *want;
    } cases[] = {
        {"I", "7", "tffftft"},          {"I", "8", "fttttff"},
        {"I", "7.0", "tffftft"},        /* BIGINT against DOUBLE by value */
        {"D", "I", "fttttff"}, /* 2.5 < 7 */
        {"S", "'Straße'", "tffftft"},   {"S", "'Strasse'", "fttfftt"}, /* bytes: 0xc3 > 's' */
        {"T", "TIMESTAMP '1970-01-01 00:00:01.000'", "tffftft"},
        {"T", "TIMESTAMP '1970-01-01 00:00:00.999'", "fttfftt"},
        {"B", "FALSE", "fttfftt"},      /* FALSE < TRUE */
    };
    char text[96];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++) {
            snprintf(text, sizeof text, "%s %s %s", cases[i].a, ops[o], cases[i].b);
            expect_tv(text, cases[i].want[o]);
        }
}
END_TEST

START_TEST(test_is_null_is_never_unknown)
{
    static const char *const nulls[] = {"NB", "NI", "ND", "NS", "NT", "NULL", "NI + 1", "NI = 1"};
    static const char *const values[] = {"B", "I", "D", "S", "T", "1", "I + 1", "I = 1"};
    char text[64];
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
        snprintf(text, sizeof text, "%s IS NULL", nulls[i]);
        expect_tv(text, 't');
        snprintf(text, sizeof text, "%s IS NOT NULL", nulls[i]);
        expect_tv(text, 'f');
        snprintf(text, sizeof text, "%s IS NULL", values[i]);
        expect_tv(text, 'f');
        snprintf(text, sizeof text, "%s IS NOT NULL", values[i]);
        expect_tv(text, 't');
    }
    expect_tv("NI IS NULL IS NULL", 'f'); /* TRUE IS NULL */
}
END_TEST

START_TEST(test_three_valued_not_and_or)
{
    expect_tv("NOT NB", 'n');
    expect_tv("NOT (NI = 1)", 'n');
    expect_tv("NOT (I = 7)", 'f');
    expect_tv("NB AND B", 'n');
    expect_tv("NB AND NOT B", 'f');
    expect_tv("NB OR B", 't');
    expect_tv("NB OR NOT B", 'n');
    expect_tv("NOT B OR NB", 'n');
    expect_tv("B AND NB", 'n');
    expect_tv("NB AND NB", 'n');
    expect_tv("NB OR NB", 'n');
}
END_TEST

START_TEST(test_the_right_operand_runs_only_when_needed)
{
    expect_tv("I = 0 AND 1 / (I - 7) = 1", 'f'); /* FALSE decides */
    expect_tv("I = 7 OR 1 / (I - 7) = 1", 't');  /* TRUE decides */
    /* UNKNOWN does not decide: the right operand runs, and its error shows. */
    expect_error("NB OR 1 / (I - 7) = 1", KDO_EINVAL, 1, 9, "division by zero");
    expect_error("NB AND\n  1 / (I - 7) = 1", KDO_EINVAL, 2, 5, "division by zero");
}
END_TEST

START_TEST(test_where_passes_only_on_true)
{
    static const struct {
        const char *text;
        enum kdo_tv want;
    } cases[] = {
        {"I = 7", KDO_TV_TRUE},   {"I = 8", KDO_TV_FALSE}, {"NI = 7", KDO_TV_UNKNOWN},
        {"NULL", KDO_TV_UNKNOWN}, {"NB", KDO_TV_UNKNOWN},  {"NOT NB", KDO_TV_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kdo_expr *x;
        enum kdo_tv tv = (enum kdo_tv)99;
        ck_assert_int_eq(kdo_expr_compile(cases[i].text, strlen(cases[i].text), schema, &x, NULL),
                         0);
        ck_assert_int_eq(kdo_expr_test(x, row, &scratch, &tv, NULL), 0);
        ck_assert_msg(tv == cases[i].want, "[%s]: %d, want %d", cases[i].text, tv, cases[i].want);
        kdo_expr_free(x);
    }
    struct kdo_expr *x;
    struct kdo_errinfo e = {0};
    enum kdo_tv tv = (enum kdo_tv)99;
    ck_assert_int_eq(kdo_expr_compile("I + 1", 5, schema, &x, NULL), 0);
    ck_assert_int_eq(kdo_expr_test(x, row, &scratch, &tv, &e), KDO_EINVAL);
    ck_assert_str_eq(e.msg, "a BIGINT expression is not a condition");
    ck_assert_int_eq(tv, 99);
    kdo_expr_free(x);
}
END_TEST

START_TEST(test_null_in_null_out_keeps_the_type)
{
    static const char *const texts[] = {"NI + 1", "1 - NI", "NI * I", "ND / 2", "-NI", "ABS(ND)",
                                        "UPPER(NS)", "LOWER(NS)", "CHAR_LENGTH(NS)", "FLOOR(ND)",
                                        "FLOOR(NT TO HOUR)", "CAST(NI AS VARCHAR(3))"};
    static const enum kdo_type types[] = {KDO_TYPE_BIGINT, KDO_TYPE_BIGINT, KDO_TYPE_BIGINT,
                                          KDO_TYPE_DOUBLE, KDO_TYPE_BIGINT, KDO_TYPE_DOUBLE,
                                          KDO_TYPE_VARCHAR, KDO_TYPE_VARCHAR, KDO_TYPE_BIGINT,
                                          KDO_TYPE_DOUBLE, KDO_TYPE_TIMESTAMP, KDO_TYPE_VARCHAR};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct kdo_expr *x;
        struct kdo_value v;
        ck_assert_int_eq(kdo_expr_compile(texts[i], strlen(texts[i]), schema, &x, NULL), 0);
        ck_assert_msg(kdo_expr_type(x) == types[i], "[%s] is %s", texts[i],
                      kdo_type_name(kdo_expr_type(x)));
        ck_assert_int_eq(kdo_expr_eval(x, row, &scratch, &v, NULL), 0);
        ck_assert_msg(v.type == KDO_TYPE_NULL, "[%s] gave %s", texts[i], kdo_type_name(v.type));
        kdo_expr_free(x);
    }
}
END_TEST

START_TEST(test_strings_change_case_in_ascii_only)
{
    struct kdo_value v = eval("UPPER(S)");
    ck_assert_uint_eq(v.u.str.len, 7);
    ck_assert_int_eq(memcmp(v.u.str.s, "STRAßE", 7), 0); /* ß has no one-byte capital */
    v = eval("LOWER(S)");
    ck_assert_int_eq(memcmp(v.u.str.s, "straße", 7), 0);
    v = eval("CHAR_LENGTH(S)");
    ck_assert_int_eq(v.u.i, 6); /* characters, not bytes */
    /* The row's own string is untouched. */
    ck_assert_int_eq(memcmp(kdo_row_get(row, 3)->u.str.s, "Straße", 7), 0);
}
END_TEST

START_TEST(test_a_full_scratch_arena_is_an_error_not_a_crash)
{
    struct kdo_arena tiny;
    struct kdo_expr *x;
    struct kdo_value v;
    struct kdo_errinfo e = {0};
    kdo_arena_init(&tiny, 6); /* S is 7 bytes */
    ck_assert_int_eq(kdo_expr_compile("LOWER(S)", 8, schema, &x, NULL), 0);
    ck_assert_int_eq(kdo_expr_eval(x, row, &tiny, &v, &e), KDO_ETOOBIG);
    ck_assert_ptr_nonnull(strstr(e.msg, "string space exhausted"));
    ck_assert_int_eq(e.line, 1);
    ck_assert_int_eq(e.column, 1);
    kdo_arena_cleanup(&tiny);
    kdo_arena_init(&tiny, 7); /* exactly enough */
    ck_assert_int_eq(kdo_expr_eval(x, row, &tiny, &v, &e), 0);
    ck_assert_int_eq(memcmp(v.u.str.s, "straße", 7), 0);
    kdo_arena_cleanup(&tiny);
    kdo_expr_free(x);
}
END_TEST

START_TEST(test_overflow_from_a_column_is_an_error_at_the_operator)
{
    expect_error("IMIN - 1", KDO_EINVAL, 1, 6, "BIGINT overflow");
    expect_error("I +\n  IMIN / -1", KDO_EINVAL, 2, 8, "BIGINT overflow");
    expect_error("ABS(IMIN)", KDO_EINVAL, 1, 1, "BIGINT overflow");
    expect_error("-IMIN", KDO_EINVAL, 1, 1, "BIGINT overflow");
    struct kdo_value v = eval("ABS(IMIN + 1)");
    ck_assert_int_eq(v.u.i, INT64_MAX);
    v = eval("IMIN / 2");
    ck_assert_int_eq(v.u.i, INT64_MIN / 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("expr_eval");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"every_comparison_with_a_null_is_unknown", test_every_comparison_with_a_null_is_unknown},
        {"comparisons_of_typed_values", test_comparisons_of_typed_values},
        {"is_null_is_never_unknown", test_is_null_is_never_unknown},
        {"three_valued_not_and_or", test_three_valued_not_and_or},
        {"the_right_operand_runs_only_when_needed", test_the_right_operand_runs_only_when_needed},
        {"where_passes_only_on_true", test_where_passes_only_on_true},
        {"null_in_null_out_keeps_the_type", test_null_in_null_out_keeps_the_type},
        {"strings_change_case_in_ascii_only", test_strings_change_case_in_ascii_only},
        {"a_full_scratch_arena_is_an_error_not_a_crash",
         test_a_full_scratch_arena_is_an_error_not_a_crash},
        {"overflow_from_a_column_is_an_error_at_the_operator",
         test_overflow_from_a_column_is_an_error_at_the_operator},
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
