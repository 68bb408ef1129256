/*
 * test_number.c -- numbers as text, as KDA on the JVM wrote and read them:
 * emulator/base/number.c.
 *
 * DOUBLE is written as Java's Double.toString writes it: plain notation from
 * 10^-3 up to (not including) 10^7, E notation outside, at least one digit
 * after the point, the shortest digits that read back, and Java's words for
 * the values that are not numbers.  Parsing is strict decimal text: no hex,
 * no inf/nan, no spaces, nothing past the n bytes given, a finite result.
 * BIGINT parsing takes exactly the int64 range: the last value in, the
 * first one past refused.  (test_value.c keeps its older cases on these
 * functions too; this suite is the module's own contract.)
 */
#include "base/number.h"

#include "base/errors.h"

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void expect_format(double d, const char *want)
{
    char out[32];
    memset(out, 'x', sizeof out);
    size_t n = kdo_double_format(d, out);
    ck_assert_msg(strcmp(out, want) == 0, "%.17g: got [%s], want [%s]", d, out, want);
    ck_assert_uint_eq(n, strlen(want));
}

/* --- writing a DOUBLE ------------------------------------------------------- */

START_TEST(test_plain_notation_from_one_thousandth_below_ten_million)
{
    expect_format(0.001, "0.001");         /* the first plain value */
    expect_format(0.00123, "0.00123");
    expect_format(0.5, "0.5");
    expect_format(-0.015, "-0.015");
    expect_format(3.0, "3.0");             /* always a digit after the point */
    expect_format(-42.0, "-42.0");
    expect_format(1234567.0, "1234567.0");
    expect_format(9999999.5, "9999999.5");
    expect_format(1e7 - 1, "9999999.0");   /* the last whole number in plain */
}
END_TEST

START_TEST(test_e_notation_outside_the_plain_range)
{
    expect_format(1e7, "1.0E7");                                  /* the first one past */
    expect_format(nextafter(0.001, 0), "9.999999999999998E-4");   /* the last one below */
    expect_format(-1e7, "-1.0E7");
    expect_format(12345678.0, "1.2345678E7");
    expect_format(1e-5, "1.0E-5");
    expect_format(2.5e-7, "2.5E-7");
    expect_format(1e21, "1.0E21");
    expect_format(-6.02214076e23, "-6.02214076E23");
    expect_format(DBL_MAX, "1.7976931348623157E308");
    expect_format(-DBL_MAX, "-1.7976931348623157E308");
    expect_format(DBL_MIN, "2.2250738585072014E-308");
    expect_format(-DBL_MIN, "-2.2250738585072014E-308");       /* the longest text: 24 bytes */
    expect_format(DBL_TRUE_MIN, "4.9E-324");                   /* two digits, as Java */
}
END_TEST

START_TEST(test_zeros_and_values_that_are_not_numbers)
{
    expect_format(0.0, "0.0");
    expect_format(-0.0, "-0.0");
    expect_format(NAN, "NaN");
    expect_format(-NAN, "NaN");
    expect_format(INFINITY, "Infinity");
    expect_format(-INFINITY, "-Infinity");
}
END_TEST

START_TEST(test_shortest_digits_that_read_back)
{
    expect_format(0.1, "0.1");
    expect_format(0.1 + 0.2, "0.30000000000000004");
    expect_format(1.0 / 3.0, "0.3333333333333333");
    expect_format(2.0 / 3.0, "0.6666666666666666");
    expect_format(100.0 / 7.0, "14.285714285714286");
    expect_format(9007199254740993.0, "9.007199254740992E15"); /* 2^53 + 1 is not a double */
    expect_format(123.456, "123.456");
}
END_TEST

/* Every formatted double reads back, through this module's own parser, to
 * the same bits (sign of zero included). */
START_TEST(test_every_formatted_double_reads_back)
{
    const double t[] = {0.001, 9999999.999999998, 1e7, 1e-3 * 1.0000000000000002, 5e-324,
                        2.2250738585072009e-308, 1.7976931348623157e308, 0.1, -0.0, 0.0};
    for (size_t i = 0; i < N(t); i++) {
        char out[32];
        double back = 42;
        size_t n = kdo_double_format(t[i], out);
        ck_assert_msg(kdo_double_parse(out, n, &back) == 0, "[%s] refused", out);
        ck_assert_msg(memcmp(&back, &t[i], sizeof back) == 0, "%.17g -> [%s] -> %.17g", t[i], out,
                      back);
    }
}
END_TEST

/* The fast path for few decimal places (prices) gives the digits of the plain
 * shortest search: "%.*e" with 1, 2, ... 17 digits until one reads back. */
START_TEST(test_few_places_match_the_shortest_search)
{
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d = i % 3 == 0 ? (double)(x % 100000000) / 100.0
                 : i % 3 == 1 ? (double)(x % 1000000000) / pow(10, (double)(x % 13))
                              : (double)(x % 100000) / 100.0 / (double)((x >> 20) % 97 + 1);
        char out[32], want[40], got[40];
        int p = 1, k = 0;
        kdo_double_format(d, out);
        for (; p < 17; p++) {
            snprintf(want, sizeof want, "%.*e", p - 1, d);
            if (strtod(want, NULL) == d)
                break;
        }
        snprintf(want, sizeof want, "%.*e", p - 1, d);
        for (const char *c = out; *c && *c != 'E'; c++) /* the digits, as "%e" shows them */
            if (*c >= '0' && *c <= '9' && (k > 0 || *c != '0'))
                got[k++] = *c;
        while (k > 1 && got[k - 1] == '0')
            k--;
        got[k] = '\0';
        k = 0;
        for (const char *c = want; *c && *c != 'e'; c++)
            if (*c >= '0' && *c <= '9')
                want[k++] = *c;
        while (k > 1 && want[k - 1] == '0')
            k--;
        want[k] = '\0';
        ck_assert_msg(strcmp(got, want) == 0, "%.17g: [%s] has digits %s, want %s", d, out, got,
                      want);
    }
}
END_TEST

/* --- reading a DOUBLE ------------------------------------------------------- */

START_TEST(test_double_parse_reads_only_the_n_bytes_given)
{
    double d = 0;
    ck_assert_int_eq(kdo_double_parse("12.5xyz", 4, &d), 0);
    ck_assert(d == 12.5);
    ck_assert_int_eq(kdo_double_parse("1e3", 2, &d), KDO_EINVAL); /* "1e": no exponent digit */
    ck_assert_int_eq(kdo_double_parse("7", 0, &d), KDO_EINVAL);   /* empty */
}
END_TEST

START_TEST(test_double_parse_accepts_every_decimal_form)
{
    const struct {
        const char *s;
        double want;
    } t[] = {
        {"0", 0.0},       {"-0", -0.0},        {"+1", 1.0},        {"1.", 1.0},
        {".5", 0.5},      {"-.5", -0.5},       {"1e3", 1000.0},    {"1E+3", 1000.0},
        {"25e-1", 2.5},   {"007.50", 7.5},     {"1.0E7", 1e7},     {"4.9E-324", 5e-324},
        {"1.7976931348623157E308", DBL_MAX},   {"1e-400", 0.0}, /* underflow: a finite zero */
    };
    for (size_t i = 0; i < N(t); i++) {
        double d = 42;
        int rc = kdo_double_parse(t[i].s, strlen(t[i].s), &d);
        ck_assert_msg(rc == 0 && memcmp(&d, &t[i].want, sizeof d) == 0,
                      "[%s]: rc %d, got %.17g, want %.17g", t[i].s, rc, d, t[i].want);
    }
}
END_TEST

START_TEST(test_double_parse_refuses_what_is_not_strict_decimal)
{
    const char *bad[] = {"",      "+",    "-",     ".",      "+.",     "e1",     "1e",
                         "1e+",   "1.2.3", " 1",   "1 ",     "1,5",    "0x1p3",  "0x10",
                         "inf",   "-Infinity", "NaN", "1e309", "-1e309", "1_000", "--1",
                         "1e1.5", "\xef\xbc\x91" /* a full-width digit one */};
    for (size_t i = 0; i < N(bad); i++) {
        double d = 42;
        ck_assert_msg(kdo_double_parse(bad[i], strlen(bad[i]), &d) == KDO_EINVAL, "[%s] accepted",
                      bad[i]);
        ck_assert_msg(d == 42, "[%s] wrote %.17g on refusal", bad[i], d);
    }
}
END_TEST

/* A text longer than the parser's stack copy is read whole, not cut. */
START_TEST(test_double_parse_of_a_long_text)
{
    char text[301];
    memset(text, '0', 300);
    text[1] = '.';
    text[299] = '5'; /* 0.000...05: 5E-298 */
    text[300] = '\0';
    double d = 0;
    ck_assert_int_eq(kdo_double_parse(text, 300, &d), 0);
    ck_assert_msg(d == 5e-298, "got %.17g", d);
    memset(text, '9', 300); /* 10^300 - 1: finite */
    ck_assert_int_eq(kdo_double_parse(text, 300, &d), 0);
    ck_assert(d == 1e300);
}
END_TEST

/* --- reading a BIGINT ------------------------------------------------------- */

START_TEST(test_bigint_reaches_both_ends_and_not_one_past)
{
    const struct {
        const char *s;
        int ok;
        int64_t want;
    } t[] = {
        {"9223372036854775807", 1, INT64_MAX},
        {"+9223372036854775807", 1, INT64_MAX},
        {"-9223372036854775808", 1, INT64_MIN},
        {"9223372036854775808", 0, 0},  /* INT64_MAX + 1 */
        {"-9223372036854775809", 0, 0}, /* INT64_MIN - 1 */
        {"18446744073709551616", 0, 0}, /* 2^64: would wrap to 0 in a uint64 */
        {"99999999999999999999", 0, 0},
        {"000000000000000000000009223372036854775807", 1, INT64_MAX}, /* zeros do not count */
        {"0", 1, 0},
        {"-0", 1, 0},
        {"-1", 1, -1},
        {"922337203685477580", 1, INT64_C(922337203685477580)},
    };
    for (size_t i = 0; i < N(t); i++) {
        int64_t v = 42;
        int rc = kdo_bigint_parse(t[i].s, strlen(t[i].s), &v);
        if (t[i].ok)
            ck_assert_msg(rc == 0 && v == t[i].want, "[%s]: rc %d, got %lld, want %lld", t[i].s,
                          rc, (long long)v, (long long)t[i].want);
        else
            ck_assert_msg(rc == KDO_EINVAL && v == 42, "[%s]: rc %d, got %lld", t[i].s, rc,
                          (long long)v);
    }
}
END_TEST

START_TEST(test_bigint_refuses_what_is_not_an_integer)
{
    const char *bad[] = {"", "+", "-", "+-1", "1.0", "1e3", " 1", "1 ", "0x1F", "12a", "١"};
    for (size_t i = 0; i < N(bad); i++) {
        int64_t v = 42;
        ck_assert_msg(kdo_bigint_parse(bad[i], strlen(bad[i]), &v) == KDO_EINVAL, "[%s] accepted",
                      bad[i]);
        ck_assert_int_eq(v, 42);
    }
    int64_t v = 0;
    ck_assert_int_eq(kdo_bigint_parse("123456", 3, &v), 0); /* only the n bytes given */
    ck_assert_int_eq(v, 123);
}
END_TEST

/* --- writing an integer ----------------------------------------------------- */

START_TEST(test_int64_format_is_printf_lld)
{
    const int64_t edge[] = {0, 1, -1, 9, 10, -10, 99, 100, INT64_MAX, INT64_MIN, INT64_MIN + 1};
    char got[21], want[32];
    for (size_t i = 0; i < N(edge); i++) {
        size_t n = kdo_int64_format(edge[i], got);
        snprintf(want, sizeof want, "%lld", (long long)edge[i]);
        ck_assert_str_eq(got, want);
        ck_assert_uint_eq(n, strlen(want));
    }
    uint64_t x = 88172645463325252u; /* xorshift64: every length and both signs */
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t v = (int64_t)(x >> (x % 64));
        if (i & 1)
            v = -v;
        kdo_int64_format(v, got);
        snprintf(want, sizeof want, "%lld", (long long)v);
        ck_assert_str_eq(got, want);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("number");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"plain_notation_from_one_thousandth_below_ten_million",
         test_plain_notation_from_one_thousandth_below_ten_million},
        {"e_notation_outside_the_plain_range", test_e_notation_outside_the_plain_range},
        {"zeros_and_values_that_are_not_numbers", test_zeros_and_values_that_are_not_numbers},
        {"shortest_digits_that_read_back", test_shortest_digits_that_read_back},
        {"every_formatted_double_reads_back", test_every_formatted_double_reads_back},
        {"few_places_match_the_shortest_search", test_few_places_match_the_shortest_search},
        {"double_parse_reads_only_the_n_bytes_given", test_double_parse_reads_only_the_n_bytes_given},
        {"double_parse_accepts_every_decimal_form", test_double_parse_accepts_every_decimal_form},
        {"double_parse_refuses_what_is_not_strict_decimal",
         test_double_parse_refuses_what_is_not_strict_decimal},
        {"double_parse_of_a_long_text", test_double_parse_of_a_long_text},
        {"bigint_reaches_both_ends_and_not_one_past", test_bigint_reaches_both_ends_and_not_one_past},
        {"bigint_refuses_what_is_not_an_integer", test_bigint_refuses_what_is_not_an_integer},
        {"int64_format_is_printf_lld", test_int64_format_is_printf_lld},
    };
    for (size_t i = 0; i < N(cases); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
