/*
 * test_rng.c -- the seeded generator: replayable per seed, different across
 * seeds, unbiased bounded draws, and well-formed v4 GUIDs.
 *
 * The statistical checks are coarse on purpose (fixed seeds, wide bounds):
 * they catch a broken reduction or a stuck state, not subtle bias, and they
 * never flake because the seeds are fixed.
 */
#include "base/rng.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

START_TEST(same_seed_same_sequence)
{
    struct kdo_rng a, b;
    kdo_rng_init(&a, 42);
    kdo_rng_init(&b, 42);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(kdo_rng_next(&a), kdo_rng_next(&b));
}
END_TEST

/* Reference values of splitmix64(0) (0xe220a8397b1dcdaf is its well-known
 * first output) and of xoshiro256** from that state, computed by a separate
 * transcription of the reference code: they pin the algorithm, not just
 * determinism. */
START_TEST(known_answer_seed_zero)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 0);
    ck_assert_uint_eq(r.s[0], 0xe220a8397b1dcdafu);
    ck_assert_uint_eq(r.s[1], 0x6e789e6aa1b965f4u);
    ck_assert_uint_eq(r.s[2], 0x06c45d188009454fu);
    ck_assert_uint_eq(r.s[3], 0xf88bb8a8724c81ecu);
    ck_assert_uint_eq(kdo_rng_next(&r), 0x99ec5f36cb75f2b4u);
    ck_assert_uint_eq(kdo_rng_next(&r), 0xbf6e1f784956452au);
    ck_assert_uint_eq(kdo_rng_next(&r), 0x1a5f849d4933e6e0u);
}
END_TEST

START_TEST(different_seeds_diverge)
{
    static const uint64_t seeds[] = {0, 1, 2, 42, UINT64_MAX};
    uint64_t first[5][8];
    for (int s = 0; s < 5; s++) {
        struct kdo_rng r;
        kdo_rng_init(&r, seeds[s]);
        for (int i = 0; i < 8; i++)
            first[s][i] = kdo_rng_next(&r);
    }
    for (int s = 0; s < 5; s++)
        for (int t = s + 1; t < 5; t++)
            for (int i = 0; i < 8; i++)
                ck_assert_uint_ne(first[s][i], first[t][i]);
}
END_TEST

START_TEST(below_stays_in_range)
{
    static const uint64_t bounds[] = {1, 2, 3, 7, 10, 1000, (1u << 31) + 1,
                                      UINT64_MAX / 3, UINT64_MAX};
    struct kdo_rng r;
    kdo_rng_init(&r, 7);
    for (size_t k = 0; k < sizeof bounds / sizeof bounds[0]; k++)
        for (int i = 0; i < 10000; i++)
            ck_assert_uint_lt(kdo_rng_below(&r, bounds[k]), bounds[k]);
    ck_assert_uint_eq(kdo_rng_below(&r, 0), 0);
    ck_assert_uint_eq(kdo_rng_below(&r, 1), 0);
}
END_TEST

/* 600k draws over 6 buckets: each expects 100k with a standard deviation
 * near 290, so 2% (about 7 sigma) never trips on a fixed seed. */
START_TEST(below_is_roughly_uniform)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 12345);
    unsigned long count[6] = {0};
    for (int i = 0; i < 600000; i++)
        count[kdo_rng_below(&r, 6)]++;
    for (int k = 0; k < 6; k++) {
        ck_assert_uint_gt(count[k], 98000);
        ck_assert_uint_lt(count[k], 102000);
    }
}
END_TEST

/* n = 2^63 + 1 is the worst case for a biased modulo: x % n puts almost
 * every draw below 2^63 - 1.  An unbiased draw lands in the top half about
 * half of the time. */
START_TEST(below_has_no_modulo_bias)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 99);
    uint64_t n = (UINT64_C(1) << 63) + 1;
    int high = 0;
    for (int i = 0; i < 100000; i++)
        high += kdo_rng_below(&r, n) >= n / 2;
    ck_assert_int_gt(high, 48000);
    ck_assert_int_lt(high, 52000);
}
END_TEST

START_TEST(unit_in_half_open_interval)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 3);
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = kdo_rng_unit(&r);
        ck_assert_double_ge(u, 0.0);
        ck_assert_double_lt(u, 1.0);
        sum += u;
    }
    ck_assert_double_eq_tol(sum / 100000, 0.5, 0.01);
}
END_TEST

static int is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static void assert_uuid4_shape(const char *u)
{
    ck_assert_uint_eq(strlen(u), 36);
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23)
            ck_assert_msg(u[i] == '-', "uuid %s: char %d is '%c', want '-'", u, i, u[i]);
        else
            ck_assert_msg(is_lower_hex(u[i]), "uuid %s: char %d '%c' not lower hex", u, i, u[i]);
    }
    ck_assert_msg(u[14] == '4', "uuid %s: version nibble '%c', want '4'", u, u[14]);
    ck_assert_msg(strchr("89ab", u[19]) != NULL, "uuid %s: variant nibble '%c' not in 89ab",
                  u, u[19]);
}

START_TEST(uuid4_format)
{
    struct kdo_rng r;
    kdo_rng_init(&r, 1);
    int variant_seen[4] = {0};
    for (int i = 0; i < 10000; i++) {
        char u[37];
        memset(u, 'X', sizeof u);
        kdo_rng_uuid4(&r, u);
        assert_uuid4_shape(u);
        variant_seen[strchr("89ab", u[19]) - "89ab"] = 1;
    }
    for (int k = 0; k < 4; k++)
        ck_assert_int_eq(variant_seen[k], 1);
}
END_TEST

START_TEST(uuid4_deterministic_per_seed)
{
    struct kdo_rng a, b;
    kdo_rng_init(&a, 77);
    kdo_rng_init(&b, 77);
    char ua[37], ub[37];
    kdo_rng_uuid4(&a, ua);
    kdo_rng_uuid4(&b, ub);
    ck_assert_str_eq(ua, ub);
}
END_TEST

static int cmp_uuid(const void *a, const void *b)
{
    return memcmp(a, b, 37);
}

START_TEST(uuid4_unique_over_100k)
{
    enum { N = 100000 };
    char (*u)[37] = malloc(sizeof(*u) * N);
    ck_assert_ptr_nonnull(u);
    struct kdo_rng r;
    kdo_rng_init(&r, 2024);
    for (int i = 0; i < N; i++)
        kdo_rng_uuid4(&r, u[i]);
    qsort(u, N, sizeof(*u), cmp_uuid);
    for (int i = 1; i < N; i++)
        ck_assert_str_ne(u[i - 1], u[i]);
    free(u);
}
END_TEST

static Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"same_seed_same_sequence", same_seed_same_sequence},
        {"known_answer_seed_zero", known_answer_seed_zero},
        {"different_seeds_diverge", different_seeds_diverge},
        {"below_stays_in_range", below_stays_in_range},
        {"below_is_roughly_uniform", below_is_roughly_uniform},
        {"below_has_no_modulo_bias", below_has_no_modulo_bias},
        {"unit_in_half_open_interval", unit_in_half_open_interval},
        {"uuid4_format", uuid4_format},
        {"uuid4_deterministic_per_seed", uuid4_deterministic_per_seed},
        {"uuid4_unique_over_100k", uuid4_unique_over_100k},
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
    SRunner *sr = srunner_create(rng_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
