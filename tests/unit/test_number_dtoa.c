/*
 * test_number_dtoa.c -- kdo_double_format's shortest digits (Schubfach, in
 * emulator/base/number.c) against the search it replaced, kept here as the
 * oracle: the shortest p whose "%.*e" rounding reads back through strtod.
 * Every double tried must come out byte-identical: random bits, prices,
 * AVG-like quotients, subnormals, powers of ten and two, integers up to
 * 2^53, each with both signs, and the zeros.  And the way back:
 * kdo_double_parse against strtod.
 */
#include "base/number.h"

#include "base/rng.h"

#include <check.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The old path: the shortest p >= min_digits whose %.{p-1}e reads back. */
static void oracle_digits(double d, int min_digits, char dig[20], int *exp10)
{
    char tmp[40];
    int p = 15;
    snprintf(tmp, sizeof tmp, "%.14e", d);
    if (d < DBL_MIN || strtod(tmp, NULL) != d)
        for (p = d < DBL_MIN ? min_digits : 16; p <= 17; p++) {
            snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
    size_t k = 0;
    const char *c = tmp;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            dig[k++] = *c;
    while (k > 1 && dig[k - 1] == '0')
        k--;
    dig[k] = '\0';
    *exp10 = atoi(c + 1);
}

/* The old kdo_double_format, notation and all, on the oracle's digits. */
static void oracle_format(double d, char out[64])
{
    if (!isfinite(d) || d == 0) {
        snprintf(out, 64, "%s", isnan(d) ? "NaN" : d == 0 ? (signbit(d) ? "-0.0" : "0.0")
                                : d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    char dig[20];
    int e;
    double a = fabs(d);
    bool plain = a >= 1e-3 && a < 1e7;
    oracle_digits(a, plain ? 1 : 2, dig, &e);
    int nd = (int)strlen(dig);
    size_t n = 0;
    if (d < 0)
        out[n++] = '-';
    if (!plain) {
        snprintf(out + n, 64 - n, "%c.%sE%d", dig[0], nd > 1 ? dig + 1 : "0", e);
        return;
    }
    if (e < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int k = 0; k < -e - 1; k++)
            out[n++] = '0';
        for (int k = 0; k < nd; k++)
            out[n++] = dig[k];
    } else {
        for (int k = 0; k <= e; k++)
            out[n++] = k < nd ? dig[k] : '0';
        out[n++] = '.';
        for (int k = e + 1; k < nd; k++)
            out[n++] = dig[k];
        if (nd <= e + 1)
            out[n++] = '0';
    }
    out[n] = '\0';
}

static long mismatches;

/* Compares d and -d; prints the first few differences. */
static void same(double d)
{
    for (int s = 0; s < 2; s++, d = -d) {
        char want[64], got[32];
        oracle_format(d, want);
        size_t n = kdo_double_format(d, got);
        if (strcmp(want, got) != 0 || n != strlen(want)) {
            if (mismatches++ < 10)
                fprintf(stderr, "%a: oracle %s, got %s\n", d, want, got);
        }
    }
}

static double from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

START_TEST(test_random_bits_match_the_oracle)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 13);
    mismatches = 0;
    for (long i = 0; i < 800000; i++) {
        double d = from_bits(kdo_rng_next(&r));
        if (isfinite(d))
            same(d);
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(test_prices_quotients_integers_match_the_oracle)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 1300);
    mismatches = 0;
    for (long i = 0; i < 300000; i++) {
        double cents = (double)kdo_rng_below(&r, 10000000);
        same(cents / 100);                                    /* 82.37 */
        same(cents / (double)(1 + kdo_rng_below(&r, 1000)));  /* AVG */
        same((double)kdo_rng_below(&r, UINT64_C(1) << 53));   /* BIGINT-like */
        same(kdo_rng_unit(&r) * pow(10, (double)kdo_rng_below(&r, 40) - 20));
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(test_subnormals_and_edges_match_the_oracle)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 7);
    mismatches = 0;
    for (long i = 0; i < 200000; i++) {
        same(from_bits(kdo_rng_below(&r, UINT64_C(1) << 52)));      /* any subnormal */
        same(from_bits(1 + kdo_rng_below(&r, 1 << 16)));            /* tiny ones */
    }
    for (uint64_t b = 0; b < 5000; b++)
        same(from_bits(b));
    for (int e = 1; e < 2047; e++) { /* powers of two and their neighbours */
        uint64_t b = (uint64_t)e << 52;
        same(from_bits(b));
        same(from_bits(b + 1));
        same(from_bits(b - 1));
    }
    for (int e = -323; e <= 308; e++) {
        char t[16];
        snprintf(t, sizeof t, "1e%d", e);
        double p = strtod(t, NULL);
        same(p);
        same(nextafter(p, 0));
        same(nextafter(p, INFINITY));
    }
    for (int i = 0; i <= 53; i++)
        same(ldexp(1, i) - 1);
    same(0.0);
    same(DBL_MAX);
    same(DBL_MIN);
    same(DBL_TRUE_MIN);
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

/* kdo_double_parse (Clinger's fast path, else strtod) reads text to the
 * bits strtod makes: prices, long fractions near 2^53, 22 places, signs,
 * zeros, the text of random doubles, and the forms that must fall back. */
static int parse_mismatches;

static void parses_like_strtod(const char *t)
{
    double got = 0, want = strtod(t, NULL);
    int rc = kdo_double_parse(t, strlen(t), &got);
    if (rc != 0 || memcmp(&got, &want, sizeof got) != 0) {
        if (parse_mismatches++ < 5)
            fprintf(stderr, "parse %s: rc %d, %.17g, strtod %.17g\n", t, rc, got, want);
    }
}

START_TEST(test_parse_matches_strtod)
{
    static const char *const fixed[] = {
        "0", "-0", "+0", "0.0", "-0.000", "1.", ".5", "-.5", "9007199254740992",
        "9007199254740993", "90071992547409921", "0.9007199254740993", "1e22", "1e23",
        "1.5E-3", "123456789012345678901234567890", "0.0000000000000000000001",
        "0.00000000000000000000001", "2.2250738585072014e-308", "4.9e-324",
        "1.7976931348623157e308", "-123.456", "00000000000000000000000012.5"};
    struct kdo_rng r;
    kdo_rng_init(&r, 2201);
    parse_mismatches = 0;
    for (size_t i = 0; i < N(fixed); i++)
        parses_like_strtod(fixed[i]);
    char t[64];
    for (long i = 0; i < 300000; i++) {
        uint64_t m = kdo_rng_below(&r, UINT64_C(1) << (1 + kdo_rng_below(&r, 60)));
        int places = (int)kdo_rng_below(&r, 25);
        int k = snprintf(t, sizeof t, "%s%020" PRIu64, i & 1 ? "-" : "", m);
        int digits0 = k - (i & 1) - places; /* digits left of the point */
        if (digits0 > 0) {
            memmove(t + (i & 1) + digits0 + 1, t + (i & 1) + digits0, (size_t)places + 1);
            t[(i & 1) + digits0] = '.';
        }
        parses_like_strtod(t);
        snprintf(t, sizeof t, "%.*f", (int)kdo_rng_below(&r, 8),
                 (double)kdo_rng_below(&r, 100000000) / 100);
        parses_like_strtod(t);
        snprintf(t, sizeof t, "%.17g", from_bits(kdo_rng_next(&r) >> 2));
        parses_like_strtod(t);
    }
    ck_assert_int_eq(parse_mismatches, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("number_dtoa");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"random_bits_match_the_oracle", test_random_bits_match_the_oracle},
        {"prices_quotients_integers_match_the_oracle",
         test_prices_quotients_integers_match_the_oracle},
        {"subnormals_and_edges_match_the_oracle", test_subnormals_and_edges_match_the_oracle},
        {"parse_matches_strtod", test_parse_matches_strtod},
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
