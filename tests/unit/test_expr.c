/*
 * test_expr.c -- SQL expressions of emulator/sql/expr.c and expr_eval.c.
 *
 * Everything runs against one schema shaped like the guide's ticker stream
 * (plus a BIGINT, a BOOLEAN, a TIMESTAMP, a NULL column and a quoted
 * lower-case name) and one row.  Hand-worked: the truth tables of AND, OR
 * and NOT over TRUE/FALSE/NULL, integer against real arithmetic, division
 * by zero and overflow as evaluation errors with the operator's position,
 * NULL propagation, comparisons across types, compile errors with line and
 * column, and both depth limits.  A planted wrong truth table proves the
 * table check can fail.  Time buckets (FLOOR ... TO, STEP) are checked at
 * their edges -- on a boundary and 1 ms before it -- for every unit, before
 * 1970 (floor, not truncation) and at year 0001.
 */
#include "base/errors.h"
#include "sql/expr.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_row_schema *schema;
static struct kdo_row *row;
static struct kdo_arena scratch;

static void add(const char *name, enum kdo_type t, size_t max_len)
{
    ck_assert_int_eq(kdo_row_schema_add(schema, name, strlen(name), t, max_len, NULL), 0);
}

static void put(size_t i, struct kdo_value v)
{
    ck_assert_int_eq(kdo_row_set(row, i, &v, NULL), 0);
}

static void setup(void)
{
    schema = kdo_row_schema_new();
    add("TICKER_SYMBOL", KDO_TYPE_VARCHAR, 4);
    add("SECTOR", KDO_TYPE_VARCHAR, 16);
    add("CHANGE", KDO_TYPE_DOUBLE, 0);
    add("PRICE", KDO_TYPE_DOUBLE, 0);
    add("QTY", KDO_TYPE_BIGINT, 0);
    add("FLAG", KDO_TYPE_BOOLEAN, 0);
    add("TS", KDO_TYPE_TIMESTAMP, 0);
    add("N", KDO_TYPE_BIGINT, 0);
    add("\"lower\"", KDO_TYPE_VARCHAR, 8);
    add("ROWTIME", KDO_TYPE_TIMESTAMP, 0);
    add("CLOSED_AT", KDO_TYPE_TIMESTAMP, 0); /* always NULL */
    row = kdo_row_new(schema);
    put(0, kdo_value_varchar("AMZN", 4));
    put(1, kdo_value_varchar("TECHNOLOGY", 10));
    put(2, kdo_value_double(-0.32));
    put(3, kdo_value_double(82.5));
    put(4, kdo_value_bigint(7));
    put(5, kdo_value_bool(true));
    put(6, kdo_value_timestamp(1513300190000LL));
    put(8, kdo_value_varchar("x", 1));
    put(9, kdo_value_timestamp(1513300190123LL)); /* 2017-12-15 01:09:50.123 */
    kdo_arena_init(&scratch, 1 << 16);
}

static void teardown(void)
{
    kdo_arena_cleanup(&scratch);
    kdo_row_free(row);
    kdo_row_schema_free(schema);
}

/* Compiles and evaluates; returns the error (0 on success). */
static int run(const char *text, struct kdo_value *out, struct kdo_errinfo *e)
{
    struct kdo_expr *x;
    int err = kdo_expr_compile(text, strlen(text), schema, &x, e);
    if (err)
        return err;
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

static void expect_int(const char *text, int64_t want)
{
    struct kdo_value v = eval(text);
    ck_assert_msg(v.type == KDO_TYPE_BIGINT && v.u.i == want, "[%s]: type %s, %lld, want %lld",
                  text, kdo_type_name(v.type), (long long)v.u.i, (long long)want);
}

static void expect_double(const char *text, double want)
{
    struct kdo_value v = eval(text);
    ck_assert_msg(v.type == KDO_TYPE_DOUBLE && v.u.d == want, "[%s]: type %s, %.17g, want %.17g",
                  text, kdo_type_name(v.type), v.u.d, want);
}

/* A DECIMAL, by its text: the digits and the scale both count (KDA prints 2.50). */
static void expect_dec(const char *text, const char *want)
{
    struct kdo_value v = eval(text);
    char got[KDO_DECIMAL_TEXT] = "?";
    if (v.type == KDO_TYPE_DECIMAL)
        kdo_decimal_format(v.u.dec.v, v.u.dec.scale, got);
    ck_assert_msg(v.type == KDO_TYPE_DECIMAL && strcmp(got, want) == 0,
                  "[%s]: type %s [%s], want DECIMAL [%s]", text, kdo_type_name(v.type), got, want);
}

/* want: 't', 'f' or 'n' (NULL). */
static void expect_tv(const char *text, char want)
{
    struct kdo_value v = eval(text);
    char got = v.type == KDO_TYPE_NULL ? 'n' : v.type != KDO_TYPE_BOOLEAN ? '?' : v.u.b ? 't' : 'f';
    ck_assert_msg(got == want, "[%s]: got %c, want %c", text, got, want);
}

static void expect_str(const char *text, const char *want)
{
    struct kdo_value v = eval(text);
    ck_assert_msg(v.type == KDO_TYPE_VARCHAR && v.u.str.len == strlen(want) &&
                      memcmp(v.u.str.s, want, v.u.str.len) == 0,
                  "[%s]: type %s [%s], want [%s]", text, kdo_type_name(v.type),
                  v.type == KDO_TYPE_VARCHAR ? v.u.str.s : "", want);
}

/* want: "yyyy-MM-dd HH:mm:ss.SSS". */
static void expect_ts(const char *text, const char *want)
{
    int64_t ms;
    ck_assert_int_eq(kdo_timestamp_parse(want, strlen(want), &ms), 0);
    struct kdo_value v = eval(text);
    char got[KDO_TIMESTAMP_TEXT] = "?";
    if (v.type == KDO_TYPE_TIMESTAMP)
        kdo_timestamp_format(v.u.ts_ms, got);
    ck_assert_msg(v.type == KDO_TYPE_TIMESTAMP && v.u.ts_ms == ms, "[%s]: type %s [%s], want [%s]",
                  text, kdo_type_name(v.type), got, want);
}

static void expect_null(const char *text)
{
    struct kdo_value v = eval(text);
    ck_assert_msg(v.type == KDO_TYPE_NULL, "[%s]: %s, not NULL", text, kdo_type_name(v.type));
}

/* An error with its code, 1-based line:column and a fragment of the message. */
static void expect_error(const char *text, int code, int line, int column, const char *msg)
{
    struct kdo_value v;
    struct kdo_errinfo e = {0};
    int err = run(text, &v, &e);
    ck_assert_msg(err == code, "[%s]: got %d (%s), want %d", text, err, e.msg, code);
    ck_assert_msg(e.line == line && e.column == column, "[%s]: at %d:%d, want %d:%d (%s)", text,
                  e.line, e.column, line, column, e.msg);
    ck_assert_msg(strstr(e.msg, msg) != NULL, "[%s]: message [%s] lacks [%s]", text, e.msg, msg);
}

/* --- three-valued logic ---------------------------------------------------- */

static const char *const tv_lit[3] = {"TRUE", "FALSE", "NULL"};

/* Mismatches of "a OP b" over the 3x3 table against want[a][b]. */
static int table_mismatches(const char *op, const char want[3][3])
{
    int bad = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            char text[64];
            snprintf(text, sizeof text, "%s %s %s", tv_lit[a], op, tv_lit[b]);
            struct kdo_value v = eval(text);
            char got = v.type == KDO_TYPE_NULL ? 'n' : v.u.b ? 't' : 'f';
            bad += got != want[a][b];
        }
    return bad;
}

START_TEST(test_truth_tables)
{
    /* rows: left TRUE, FALSE, NULL; columns: right TRUE, FALSE, NULL */
    static const char and[3][3] = {{'t', 'f', 'n'}, {'f', 'f', 'f'}, {'n', 'f', 'n'}};
    static const char or [3][3] = {{'t', 't', 't'}, {'t', 'f', 'n'}, {'t', 'n', 'n'}};
    ck_assert_int_eq(table_mismatches("AND", and), 0);
    ck_assert_int_eq(table_mismatches("OR", or), 0);
    expect_tv("NOT TRUE", 'f');
    expect_tv("NOT FALSE", 't');
    expect_tv("NOT NULL", 'n');
    expect_tv("NOT N = 1", 'n');
    expect_tv("not flag and qty = 7 or price > 80", 't'); /* NOT > AND > OR */
    expect_tv("FALSE AND TRUE OR TRUE", 't');
    expect_tv("FALSE AND (TRUE OR TRUE)", 'f');
}
END_TEST

START_TEST(test_planted_wrong_truth_table_is_caught)
{
    /* two-valued logic (NULL treated as FALSE) must not pass the check */
    static const char naive_and[3][3] = {{'t', 'f', 'f'}, {'f', 'f', 'f'}, {'f', 'f', 'f'}};
    ck_assert_int_eq(table_mismatches("AND", naive_and), 3);
}
END_TEST

START_TEST(test_short_circuit)
{
    expect_tv("QTY = 0 AND 1 / 0 = 1", 'f');
    expect_tv("TRUE OR 1 / 0 = 1", 't');
    expect_error("NULL AND 1 / 0 = 1", KDO_EINVAL, 1, 12, "division by zero");
}
END_TEST

/* --- arithmetic ------------------------------------------------------------ */

START_TEST(test_integer_and_real_arithmetic)
{
    expect_int("7 / 2", 3);
    expect_int("-7 / 2", -3); /* truncates toward zero */
    expect_int("7 / -2", -3);
    /* exact literals are DECIMAL, with KDA's division scale (SR numeric-types-precision) */
    expect_dec("7 / 2.0", "3.500000");
    expect_dec("7.0 / 2", "3.500000000000");
    expect_int("QTY * 2", 14);
    expect_double("PRICE * 2", 165.0);
    expect_dec("QTY + 0.5", "7.5");
    expect_int("1 + 2 * 3", 7);
    expect_int("(1 + 2) * 3", 9);
    expect_int("2 - 3 - 4", -5); /* left-associative */
    expect_int("8 / 2 / 2", 2);
    expect_int("- - 3", 3);
    expect_int("+3", 3);
    expect_double("1e2", 100.0);
    expect_dec(".5", "0.5");
    expect_int("-9223372036854775808", INT64_MIN);
    expect_double("CHANGE * -1", 0.32);
    ck_assert_int_eq(eval("1 + 1.5").type, KDO_TYPE_DECIMAL);
    ck_assert_int_eq(eval("1 + 1.5e0").type, KDO_TYPE_DOUBLE);
}
END_TEST

START_TEST(test_division_by_zero_and_overflow)
{
    expect_error("1 / 0", KDO_EINVAL, 1, 3, "division by zero");
    expect_error("PRICE / 0", KDO_EINVAL, 1, 7, "division by zero");
    expect_error("1.0 / 0.0", KDO_EINVAL, 1, 5, "division by zero");
    expect_error("QTY / (QTY - 7)", KDO_EINVAL, 1, 5, "division by zero");
    expect_error("9223372036854775807 + 1", KDO_EINVAL, 1, 21, "BIGINT overflow");
    expect_error("-9223372036854775808 - 1", KDO_EINVAL, 1, 22, "BIGINT overflow");
    expect_error("-9223372036854775808 / -1", KDO_EINVAL, 1, 22, "BIGINT overflow");
    expect_error("4611686018427387904 * 2", KDO_EINVAL, 1, 21, "BIGINT overflow");
    expect_error("-(-9223372036854775808)", KDO_EINVAL, 1, 1, "BIGINT overflow");
    expect_error("ABS(-9223372036854775808)", KDO_EINVAL, 1, 1, "BIGINT overflow");
    expect_error("1e308 * 10", KDO_EINVAL, 1, 7, "DOUBLE overflow");
    expect_null("N / 0"); /* NULL first: NULL / 0 is NULL */
}
END_TEST

START_TEST(test_null_propagation)
{
    expect_null("N + 1");
    expect_null("N * 0");
    expect_null("-N");
    expect_null("ABS(N)");
    expect_null("NULL + 1");
    expect_null("UPPER(NULL)");
    expect_null("CHAR_LENGTH(NULL)");
    expect_null("CAST(N AS VARCHAR(4))");
    expect_tv("N = 1", 'n');
    expect_tv("N <> 1", 'n');
    expect_tv("N = N", 'n');
    expect_tv("NULL = NULL", 'n');
    expect_tv("N IS NULL", 't');
    expect_tv("N IS NOT NULL", 'f');
    expect_tv("N + 1 IS NULL", 't');
    expect_tv("QTY IS NULL", 'f');
    expect_tv("N = 1 IS NULL", 't');
    expect_tv("NULL IS NULL IS NOT NULL", 't');
}
END_TEST

/* --- comparisons ------------------------------------------------------------ */

START_TEST(test_comparisons_across_types)
{
    expect_tv("QTY = 7.0", 't');
    expect_tv("QTY < 7.5", 't');
    expect_tv("PRICE > 82", 't');
    expect_tv("PRICE >= 82.5", 't');
    expect_tv("PRICE <= 82.4", 'f');
    expect_tv("CHANGE < 0", 't');
    expect_tv("QTY <> 7", 'f');
    expect_tv("QTY != 8", 't');
    expect_tv("TICKER_SYMBOL = 'AMZN'", 't');
    expect_tv("ticker_symbol = 'amzn'", 'f'); /* names fold; values do not */
    expect_tv("'a' < 'b'", 't');
    expect_tv("'B' < 'a'", 't');
    expect_tv("'it''s' = 'it''s'", 't');
    expect_tv("TS = TIMESTAMP '2017-12-15 01:09:50.000'", 't');
    expect_tv("TS > TIMESTAMP '2017-12-15 01:09:49.999'", 't');
    expect_tv("FLAG = TRUE", 't');
    expect_tv("FALSE < TRUE", 't');
}
END_TEST

/* --- functions, casts, names -------------------------------------------------- */

START_TEST(test_functions_and_casts)
{
    expect_int("ABS(-3)", 3);
    expect_double("ABS(CHANGE)", 0.32);
    expect_str("UPPER('aBc')", "ABC");
    expect_str("LOWER(SECTOR)", "technology");
    expect_str("upper('h\xc3\xa9')", "H\xc3\xa9"); /* ASCII letters only */
    expect_int("CHAR_LENGTH('h\xc3\xa9llo')", 5);
    expect_int("CHARACTER_LENGTH(SECTOR)", 10);
    expect_int("CAST(PRICE AS BIGINT)", 82);
    expect_str("CAST(QTY AS VARCHAR(10))", "7");
    expect_str("CAST(PRICE AS VARCHAR(10))", "82.5");
    expect_str("CAST(SECTOR AS VARCHAR(4))", "TECH");
    expect_int("CAST(' 42 ' AS INTEGER)", 42);
    expect_double("CAST(QTY AS DOUBLE PRECISION)", 7.0);
    expect_double("CAST('1.5' AS REAL)", 1.5);
    expect_tv("CAST('true' AS BOOLEAN)", 't');
    expect_str("CAST(TS AS VARCHAR(30))", "2017-12-15 01:09:50.000");
    expect_tv("CAST('2017-12-15 01:09:50' AS TIMESTAMP) = TS", 't');
    expect_error("CAST('x' AS BIGINT)", KDO_EINVAL, 1, 1, "cannot convert 'x' to BIGINT");
    expect_error("1 + CAST(123456 AS VARCHAR(3))", KDO_ESCHEMA, 1, 3, "+ cannot");
    expect_error("CAST(123456 AS VARCHAR(3))", KDO_EINVAL, 1, 1, "does not fit in VARCHAR(3)");
    ck_assert_int_eq(eval("CAST(NULL AS BIGINT)").type, KDO_TYPE_NULL);
}
END_TEST

START_TEST(test_names)
{
    expect_str("\"lower\"", "x");
    expect_double("price", 82.5);
    expect_double("\"PRICE\"", 82.5);
    expect_error("\"price\" > 1", KDO_ESCHEMA, 1, 1, "unknown column price (did you mean PRICE?)");
    expect_error("lower", KDO_ESCHEMA, 1, 1, "unknown column LOWER (did you mean \"lower\"?)");
    expect_error("PRCE > 1", KDO_ESCHEMA, 1, 1, "unknown column PRCE (did you mean PRICE?)");
    expect_error("QTY + ZZZZZZZZ", KDO_ESCHEMA, 1, 7, "unknown column ZZZZZZZZ");
    struct kdo_value v;
    struct kdo_errinfo e = {0};
    run("QTY + ZZZZZZZZ", &v, &e);
    ck_assert_ptr_null(strstr(e.msg, "did you mean"));
}
END_TEST

/* --- compile errors ---------------------------------------------------------- */

START_TEST(test_parse_errors_with_positions)
{
    expect_error("", KDO_EPARSE, 1, 1, "expected an expression, found the end of the text");
    expect_error("PRICE >", KDO_EPARSE, 1, 8, "expected an expression, found the end");
    expect_error("PRICE > > 1", KDO_EPARSE, 1, 9, "expected an expression, found '>'");
    expect_error("(1 + 2", KDO_EPARSE, 1, 7, "expected ')' to close '(', found the end of the text");
    expect_error("1 + 'abc", KDO_EPARSE, 1, 5, "unterminated string");
    expect_error("\"abc", KDO_EPARSE, 1, 1, "unterminated quoted name");
    expect_error("1 2", KDO_EPARSE, 1, 3, "expected the end of the expression, found '2'");
    expect_error("FOO(1)", KDO_EPARSE, 1, 1, "unknown function FOO");
    expect_error("PRICE\n  > #", KDO_EPARSE, 2, 5, "unexpected character '#'");
    expect_error("9223372036854775808", KDO_EPARSE, 1, 1, "out of BIGINT range");
    expect_error("1e999", KDO_EPARSE, 1, 1, "out of DOUBLE range");
    expect_error("TIMESTAMP '2017-02-30 00:00:00'", KDO_EPARSE, 1, 1, "bad TIMESTAMP");
    expect_error("CAST(1 AS WIDGET)", KDO_EPARSE, 1, 11, "expected a type (VARCHAR(n)");
    expect_error("CAST(1 BIGINT)", KDO_EPARSE, 1, 8, "expected 'AS' in CAST(value AS type)");
    expect_error("CAST('a' AS VARCHAR(0))", KDO_EPARSE, 1, 13, "length from 1 to 65535");
    expect_error("AND", KDO_EPARSE, 1, 1, "expected an expression, found 'AND'");
    expect_error("QTY IS 1", KDO_EPARSE, 1, 8, "expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
    expect_error("1 + \x01", KDO_EPARSE, 1, 5, "unexpected byte 0x01");
}
END_TEST

START_TEST(test_type_errors)
{
    expect_error("'a' = 1", KDO_ESCHEMA, 1, 5, "= cannot compare or combine VARCHAR and BIGINT");
    expect_error("FLAG + 1", KDO_ESCHEMA, 1, 6, "+ cannot compare or combine BOOLEAN and BIGINT");
    expect_error("NOT QTY", KDO_ESCHEMA, 1, 1, "NOT cannot take a BIGINT");
    expect_error("QTY AND TRUE", KDO_ESCHEMA, 1, 5, "AND cannot");
    expect_error("UPPER(QTY)", KDO_ESCHEMA, 1, 1, "UPPER cannot take a BIGINT");
    expect_error("-SECTOR", KDO_ESCHEMA, 1, 1, "- cannot take a VARCHAR");
    expect_error("CAST(FLAG AS BIGINT)", KDO_ESCHEMA, 1, 1, "cannot CAST BOOLEAN AS BIGINT");
    expect_error("TS < 5", KDO_ESCHEMA, 1, 4, "TIMESTAMP and BIGINT");
}
END_TEST

static char *put_text(char *o, const char *text)
{
    size_t n = strlen(text);
    memcpy(o, text, n);
    return o + n;
}

static char *repeat(const char *head, const char *unit, int n, const char *mid, const char *tail,
                    int m)
{
    size_t len = strlen(head) + strlen(unit) * (size_t)n + strlen(mid) + strlen(tail) * (size_t)m;
    char *s = kdo_xmalloc(len + 1), *o = put_text(s, head);
    for (int i = 0; i < n; i++)
        o = put_text(o, unit);
    o = put_text(o, mid);
    for (int i = 0; i < m; i++)
        o = put_text(o, tail);
    *o = '\0';
    return s;
}

START_TEST(test_depth_limits)
{
    char *s = repeat("", "(", 64, "1", ")", 64);
    expect_int(s, 1);
    free(s);
    /* parentheses make no node: the one parser bounds them (KDO_SQL_MAX_DEPTH) */
    s = repeat("", "(", 65, "1", ")", 65);
    expect_int(s, 1);
    free(s);
    s = repeat("", "(", 200, "1", ")", 200);
    ck_assert_int_eq(run(s, &(struct kdo_value){0}, NULL), KDO_EDEPTH);
    free(s);
    s = repeat("", "NOT ", 63, "TRUE", "", 0); /* 63 NOTs + the literal: depth 64 */
    expect_tv(s, 'f');
    free(s);
    s = repeat("", "NOT ", 64, "TRUE", "", 0);
    ck_assert_int_eq(run(s, &(struct kdo_value){0}, NULL), KDO_EDEPTH);
    free(s);
    /* left-leaning chains add no parser nesting; the tree depth still counts */
    s = repeat("1", " + 1", 63, "", "", 0);
    expect_int(s, 64);
    free(s);
    s = repeat("1", " + 1", 64, "", "", 0);
    expect_error(s, KDO_EDEPTH, 1, 255, "nested deeper than 64"); /* the 64th + */
    free(s);
    s = repeat("", "(", 100000 / 8, "1", ")", 100000 / 8);
    expect_error(s, KDO_ETOOBIG, 1, 1, "longer than 8192 bytes");
    free(s);
}
END_TEST

START_TEST(test_where_condition)
{
    struct kdo_expr *x;
    enum kdo_tv tv;
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(kdo_expr_compile("PRICE > 80", 10, schema, &x, &e), 0);
    ck_assert_int_eq(kdo_expr_type(x), KDO_TYPE_BOOLEAN);
    ck_assert_int_eq(kdo_expr_test(x, row, &scratch, &tv, &e), 0);
    ck_assert_int_eq(tv, KDO_TV_TRUE);
    kdo_expr_free(x);
    ck_assert_int_eq(kdo_expr_compile("N > 80", 6, schema, &x, &e), 0);
    ck_assert_int_eq(kdo_expr_test(x, row, &scratch, &tv, &e), 0);
    ck_assert_int_eq(tv, KDO_TV_UNKNOWN);
    kdo_expr_free(x);
    ck_assert_int_eq(kdo_expr_compile("SECTOR", 6, schema, &x, &e), 0);
    ck_assert_int_eq(kdo_expr_type(x), KDO_TYPE_VARCHAR);
    ck_assert_uint_eq(kdo_expr_max_len(x), 16);
    ck_assert_int_eq(kdo_expr_test(x, row, &scratch, &tv, &e), KDO_EINVAL);
    kdo_expr_free(x);
    kdo_expr_free(NULL);
    x = (struct kdo_expr *)1;
    ck_assert_int_eq(kdo_expr_compile("(", 1, schema, &x, NULL), KDO_EPARSE);
    ck_assert_ptr_null(x);
}
END_TEST

START_TEST(test_compile_once_eval_many)
{
    struct kdo_expr *x;
    const char *text = "UPPER(\"lower\") = 'Y' AND QTY > 5";
    ck_assert_int_eq(kdo_expr_compile(text, strlen(text), schema, &x, NULL), 0);
    enum kdo_tv tv;
    for (int i = 0; i < 3; i++) {
        struct kdo_value v = kdo_value_varchar(i == 1 ? "y" : "n", 1);
        ck_assert_int_eq(kdo_row_set(row, 8, &v, NULL), 0);
        ck_assert_int_eq(kdo_expr_test(x, row, &scratch, &tv, NULL), 0);
        ck_assert_int_eq(tv, i == 1 ? KDO_TV_TRUE : KDO_TV_FALSE);
        kdo_arena_reset(&scratch);
    }
    kdo_expr_free(x);
}
END_TEST

/* --- time buckets ----------------------------------------------------------- */

START_TEST(test_floor_to_each_unit_at_edges)
{
    expect_ts("FLOOR(TIMESTAMP '2017-12-15 01:09:50.000' TO SECOND)", "2017-12-15 01:09:50.000");
    expect_ts("FLOOR(TIMESTAMP '2017-12-15 01:09:50.999' TO SECOND)", "2017-12-15 01:09:50.000");
    expect_ts("FLOOR(TIMESTAMP '2017-12-15 01:10:00.000' TO MINUTE)", "2017-12-15 01:10:00.000");
    expect_ts("FLOOR(TIMESTAMP '2017-12-15 01:09:59.999' TO MINUTE)", "2017-12-15 01:09:00.000");
    expect_ts("FLOOR(TIMESTAMP '2017-12-15 02:00:00.000' TO HOUR)", "2017-12-15 02:00:00.000");
    expect_ts("FLOOR(TIMESTAMP '2017-12-15 01:59:59.999' TO HOUR)", "2017-12-15 01:00:00.000");
    expect_ts("FLOOR(TIMESTAMP '2017-12-16 00:00:00.000' TO DAY)", "2017-12-16 00:00:00.000");
    expect_ts("FLOOR(TIMESTAMP '2017-12-15 23:59:59.999' TO DAY)", "2017-12-15 00:00:00.000");
    expect_ts("floor(ts to minute)", "2017-12-15 01:09:00.000"); /* keywords fold */
    expect_ts("FLOOR(ROWTIME TO Second)", "2017-12-15 01:09:50.000");
    expect_ts("FLOOR(TIMESTAMP '0001-01-01 00:00:00.001' TO DAY)", "0001-01-01 00:00:00.000");
    ck_assert_int_eq(eval("FLOOR(TS TO HOUR) = TIMESTAMP '2017-12-15 01:00:00'").u.b, true);
}
END_TEST

START_TEST(test_buckets_before_1970_round_down)
{
    /* 1 ms before the epoch is -1: floor goes to the earlier boundary */
    expect_ts("FLOOR(TIMESTAMP '1969-12-31 23:59:59.999' TO DAY)", "1969-12-31 00:00:00.000");
    expect_ts("FLOOR(TIMESTAMP '1969-12-31 23:59:59.999' TO SECOND)", "1969-12-31 23:59:59.000");
    expect_ts("STEP(TIMESTAMP '1969-12-31 23:59:59.999' BY INTERVAL '2' HOUR)",
              "1969-12-31 22:00:00.000");
    expect_ts("FLOOR(TIMESTAMP '1970-01-01 00:00:00.000' TO DAY)", "1970-01-01 00:00:00.000");
    /* the check above can fail: truncation toward zero gives another answer */
    int64_t ms = -1, w = 86400000;
    ck_assert_int_ne(eval("FLOOR(TIMESTAMP '1969-12-31 23:59:59.999' TO DAY)").u.ts_ms,
                     ms - ms % w);
}
END_TEST

START_TEST(test_step_counts_from_the_epoch)
{
    expect_ts("STEP(TIMESTAMP '2017-12-15 01:10:00.000' BY INTERVAL '60' SECOND)",
              "2017-12-15 01:10:00.000");
    expect_ts("STEP(TIMESTAMP '2017-12-15 01:09:59.999' BY INTERVAL '60' SECOND)",
              "2017-12-15 01:09:00.000");
    expect_ts("STEP(TS BY INTERVAL '60' SECOND)", "2017-12-15 01:09:00.000");
    expect_ts("STEP(TIMESTAMP '2017-12-15 02:00:00.000' BY INTERVAL '2' HOUR)",
              "2017-12-15 02:00:00.000");
    expect_ts("STEP(TIMESTAMP '2017-12-15 01:59:59.999' BY INTERVAL '2' HOUR)",
              "2017-12-15 00:00:00.000");
    expect_ts("STEP(TIMESTAMP '2017-12-15 03:59:59.999' BY INTERVAL '2' HOUR)",
              "2017-12-15 02:00:00.000");
    expect_ts("STEP(TS BY INTERVAL '1' SECOND)", "2017-12-15 01:09:50.000");
    expect_ts("STEP(TS BY INTERVAL '15' MINUTE)", "2017-12-15 01:00:00.000");
    expect_ts("STEP(TS BY INTERVAL '1' DAY)", "2017-12-15 00:00:00.000");
    /* 1970-01-01 was a Thursday, so 7-day steps start on Thursdays */
    expect_ts("STEP(TS BY INTERVAL '7' DAY)", "2017-12-14 00:00:00.000");
    /* the widest step, in each unit: 2017-12-15 is day 17515 of the epoch,
     * 47 * 366 = 17202 days is 2017-02-05 */
    expect_ts("STEP(TS BY INTERVAL '366' DAY)", "2017-02-05 00:00:00.000");
    expect_ts("STEP(TS BY INTERVAL '8784' HOUR)", "2017-02-05 00:00:00.000");
    expect_ts("STEP(TS BY INTERVAL '31622400' SECOND)", "2017-02-05 00:00:00.000");
    /* from year 0001's first days, a step that does not divide a day
     * reaches below the TIMESTAMP range */
    expect_error("STEP(TIMESTAMP '0001-01-01 00:00:00' BY INTERVAL '7' DAY)", KDO_EINVAL, 1, 1,
                 "STEP result is before year 0001");
    expect_ts("STEP(TIMESTAMP '0001-01-01 00:00:00' BY INTERVAL '1' DAY)",
              "0001-01-01 00:00:00.000");
}
END_TEST

START_TEST(test_time_buckets_of_null)
{
    expect_null("FLOOR(CLOSED_AT TO HOUR)");
    expect_null("STEP(CLOSED_AT BY INTERVAL '60' SECOND)");
    expect_null("STEP(CAST(NULL AS TIMESTAMP) BY INTERVAL '1' MINUTE)");
    expect_null("FLOOR(NULL TO DAY)");
    struct kdo_expr *x;
    const char *text = "STEP(NULL BY INTERVAL '1' DAY)";
    ck_assert_int_eq(kdo_expr_compile(text, strlen(text), schema, &x, NULL), 0);
    ck_assert_int_eq(kdo_expr_type(x), KDO_TYPE_TIMESTAMP);
    kdo_expr_free(x);
}
END_TEST

START_TEST(test_floor_of_numbers)
{
    expect_double("FLOOR(PRICE)", 82.0);
    expect_double("FLOOR(CHANGE)", -1.0);
    expect_dec("FLOOR(-2.5)", "-3");
    expect_dec("FLOOR(2.0)", "2");
    expect_int("FLOOR(QTY)", 7);
    expect_int("FLOOR(-7 / 2)", -3); /* the division already truncated */
    expect_null("FLOOR(N)");
    expect_null("FLOOR(NULL)");
}
END_TEST

START_TEST(test_qualified_columns)
{
    expect_ts("SOURCE_SQL_STREAM_001.ROWTIME", "2017-12-15 01:09:50.123");
    expect_ts("\"SOURCE_SQL_STREAM_001\".ROWTIME", "2017-12-15 01:09:50.123");
    expect_double("s . price + 1", 83.5);
    expect_str("s.\"lower\"", "x");
    expect_ts("STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '60' SECOND)",
              "2017-12-15 01:09:00.000");
    expect_ts("FLOOR(s.ts TO HOUR)", "2017-12-15 01:00:00.000");
    expect_error("s.PRCE > 1", KDO_ESCHEMA, 1, 3, "unknown column PRCE (did you mean PRICE?)");
    expect_error("s.", KDO_EPARSE, 1, 3, "expected a name after '.', found the end");
    expect_error("s.'x'", KDO_EPARSE, 1, 3, "expected a name after '.', found the string 'x'");
    expect_error("PRICE.", KDO_EPARSE, 1, 7, "expected a name after '.'");
}
END_TEST

START_TEST(test_time_bucket_compile_errors)
{
    /* bad units, with "did you mean" for near misses */
    expect_error("STEP(TS BY INTERVAL '60' SECONDS)", KDO_EPARSE, 1, 26,
                 "found 'SECONDS' (did you mean SECOND?)");
    expect_error("FLOOR(TS TO hours)", KDO_EPARSE, 1, 13, "found 'HOURS' (did you mean HOUR?)");
    expect_error("STEP(TS BY INTERVAL '5' MINS)", KDO_EPARSE, 1, 25,
                 "expected a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND), found 'MINS'");
    expect_error("FLOOR(TS TO WEEK)", KDO_EPARSE, 1, 13,
                 "expected a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND), found 'WEEK'");
    expect_error("FLOOR(TS TO)", KDO_EPARSE, 1, 12, "found ')'");
    /* not a TIMESTAMP */
    expect_error("STEP(QTY BY INTERVAL '1' HOUR)", KDO_ESCHEMA, 1, 1, "STEP cannot take a BIGINT");
    expect_error("1 + FLOOR(SECTOR TO DAY)", KDO_ESCHEMA, 1, 5,
                 "FLOOR ... TO cannot take a VARCHAR");
    expect_error("FLOOR(SECTOR)", KDO_ESCHEMA, 1, 1, "FLOOR cannot take a VARCHAR");
    /* n not a positive number of units; INTERVAL '1.5' SECOND and ' 60' are
     * valid literals now that intervals are KDA's */
    const char *counts[] = {"'0'", "'-5'"};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        char text[96];
        snprintf(text, sizeof text, "STEP(TS BY INTERVAL %s SECOND)", counts[i]);
        expect_error(text, KDO_EPARSE, 1, 12, "a whole number of units from 1 in quotes");
    }
    expect_error("STEP(TS BY INTERVAL '' SECOND)", KDO_EPARSE, 1, 12, "bad INTERVAL '' SECOND");
    expect_error("STEP(TS BY INTERVAL '99999999999999999999' SECOND)", KDO_EPARSE, 1, 12,
                 "bad INTERVAL");
    expect_error("STEP(TS BY INTERVAL 60 SECOND)", KDO_EPARSE, 1, 21,
                 "expected a quoted value after INTERVAL");
    expect_error("STEP(TS BY INTERVAL '367' DAY)", KDO_EPARSE, 1, 12, "STEP wider than 366 days");
    expect_error("STEP(TS BY INTERVAL '8785' HOUR)", KDO_EPARSE, 1, 12, "wider than 366 days");
    expect_error("STEP(TS BY INTERVAL '31622401' SECOND)", KDO_EPARSE, 1, 12, "wider than 366");
    /* missing words */
    expect_error("STEP(TS INTERVAL '1' HOUR)", KDO_EPARSE, 1, 9,
                 "expected ')' after the function's arguments, found 'INTERVAL'");
    expect_error("STEP(TS BY '1' HOUR)", KDO_EPARSE, 1, 16,
                 "expected ')' to close the function, found 'HOUR'");
    expect_error("FLOOR(TS HOUR)", KDO_EPARSE, 1, 10,
                 "expected ')' after the function's arguments, found 'HOUR'");
    expect_error("FLOOR(TS)", KDO_EPARSE, 1, 1, "FLOOR of a TIMESTAMP needs TO and a unit");
    expect_error("FLOOR(QTY TO)", KDO_EPARSE, 1, 13, "expected a time unit");
    expect_error("STEP(TS BY INTERVAL '1' HOUR", KDO_EPARSE, 1, 29,
                 "expected ')' to close the function, found the end of the text");
    expect_error("STEP(TS BY INTERVAL '1' HOUR TO SECOND)", KDO_EPARSE, 1, 12,
                 "bad INTERVAL '1' HOUR TO SECOND");
}
END_TEST

/* Compiles text and asks kdo_expr_time_bucket(); *column and *width_ms
 * start at -7 so an answer of 0 must leave them so. */
static int time_bucket(const char *text, int *column, int64_t *width_ms)
{
    struct kdo_expr *x;
    struct kdo_errinfo e = {0};
    int err = kdo_expr_compile(text, strlen(text), schema, &x, &e);
    ck_assert_msg(err == 0, "[%s]: %d at %d:%d: %s", text, err, e.line, e.column, e.msg);
    *column = -7;
    *width_ms = -7;
    int is = kdo_expr_time_bucket(x, column, width_ms);
    kdo_expr_free(x);
    return is;
}

START_TEST(test_time_bucket_introspection)
{
    static const struct {
        const char *text;
        int column;
        int64_t width_ms;
    } yes[] = {
        {"STEP(TS BY INTERVAL '60' SECOND)", 6, 60000},
        {"STEP(SOURCE_SQL_STREAM_001.ROWTIME BY INTERVAL '2' HOUR)", 9, 7200000},
        {"floor(rowtime to minute)", 9, 60000},
        {"FLOOR(TS TO DAY)", 6, 86400000},
        {"(STEP(\"ROWTIME\" BY INTERVAL '366' DAY))", 9, INT64_C(31622400000)},
    };
    int column;
    int64_t width_ms;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        ck_assert_msg(time_bucket(yes[i].text, &column, &width_ms) == 1, "[%s]", yes[i].text);
        ck_assert_msg(column == yes[i].column && width_ms == yes[i].width_ms,
                      "[%s]: column %d width %lld, want %d and %lld", yes[i].text, column,
                      (long long)width_ms, yes[i].column, (long long)yes[i].width_ms);
    }
    static const char *const no[] = {
        "TS",
        "ROWTIME",
        "FLOOR(PRICE)",
        "FLOOR(QTY)",
        "STEP(TIMESTAMP '2017-12-15 00:00:00' BY INTERVAL '1' MINUTE)",
        "STEP(CAST(TS AS TIMESTAMP) BY INTERVAL '1' MINUTE)",
        "STEP(STEP(TS BY INTERVAL '1' MINUTE) BY INTERVAL '1' HOUR)",
        "STEP(NULL BY INTERVAL '1' MINUTE)",
        "STEP(TS BY INTERVAL '1' MINUTE) IS NULL",
        "FLOOR(TS TO HOUR) = TS",
    };
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        ck_assert_msg(time_bucket(no[i], &column, &width_ms) == 0, "[%s]", no[i]);
        ck_assert_msg(column == -7 && width_ms == -7, "[%s]: outputs touched", no[i]);
    }
}
END_TEST

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"truth_tables", test_truth_tables},
        {"planted_wrong_truth_table_is_caught", test_planted_wrong_truth_table_is_caught},
        {"short_circuit", test_short_circuit},
        {"integer_and_real_arithmetic", test_integer_and_real_arithmetic},
        {"division_by_zero_and_overflow", test_division_by_zero_and_overflow},
        {"null_propagation", test_null_propagation},
        {"comparisons_across_types", test_comparisons_across_types},
        {"functions_and_casts", test_functions_and_casts},
        {"names", test_names},
        {"parse_errors_with_positions", test_parse_errors_with_positions},
        {"type_errors", test_type_errors},
        {"depth_limits", test_depth_limits},
        {"where_condition", test_where_condition},
        {"compile_once_eval_many", test_compile_once_eval_many},
        {"floor_to_each_unit_at_edges", test_floor_to_each_unit_at_edges},
        {"buckets_before_1970_round_down", test_buckets_before_1970_round_down},
        {"step_counts_from_the_epoch", test_step_counts_from_the_epoch},
        {"time_buckets_of_null", test_time_buckets_of_null},
        {"floor_of_numbers", test_floor_of_numbers},
        {"qualified_columns", test_qualified_columns},
        {"time_bucket_compile_errors", test_time_bucket_compile_errors},
        {"time_bucket_introspection", test_time_bucket_introspection},
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
    SRunner *sr = srunner_create(expr_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
