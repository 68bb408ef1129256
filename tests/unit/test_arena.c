/*
 * test_arena.c -- the bounded bump allocator of emulator/base/arena.c.
 *
 * Copies are NUL-terminated and never move while the arena grows; the
 * total handed out reaches exactly the maximum and not one byte more (a
 * refused copy leaves the arena as it was); a copy larger than a chunk gets
 * its own; reset makes the whole maximum available again.
 */
#include "base/arena.h"

#include "base/errors.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_copies_are_terminated_and_stay_put)
{
    struct kdo_arena a;
    kdo_arena_init(&a, 1 << 20);
    const char *copy[2000];
    char text[16];
    for (int i = 0; i < 2000; i++) { /* ~12 KB: several chunks */
        int n = snprintf(text, sizeof text, "row-%d", i);
        ck_assert_int_eq(kdo_arena_dup(&a, text, (size_t)n, &copy[i]), 0);
    }
    for (int i = 0; i < 2000; i++) {
        snprintf(text, sizeof text, "row-%d", i);
        ck_assert_msg(strcmp(copy[i], text) == 0, "copy %d is [%s]", i, copy[i]);
    }
    kdo_arena_cleanup(&a);
}
END_TEST

START_TEST(test_dup_of_nothing_is_the_empty_string)
{
    struct kdo_arena a;
    const char *p = NULL;
    kdo_arena_init(&a, 0);
    ck_assert_int_eq(kdo_arena_dup(&a, NULL, 0, &p), 0);
    ck_assert_str_eq(p, "");
    ck_assert_uint_eq(a.used, 0);
    kdo_arena_cleanup(&a);
}
END_TEST

START_TEST(test_reaches_exactly_max_then_refuses)
{
    struct kdo_arena a;
    const char *p, *q = "unset";
    kdo_arena_init(&a, 10);
    ck_assert_int_eq(kdo_arena_dup(&a, "0123", 4, &p), 0);
    ck_assert_int_eq(kdo_arena_dup(&a, "456789", 6, &p), 0); /* the NUL does not count */
    ck_assert_uint_eq(a.used, 10);
    ck_assert_int_eq(kdo_arena_dup(&a, "x", 1, &q), KDO_ETOOBIG);
    ck_assert_str_eq(q, "unset"); /* *out untouched */
    ck_assert_uint_eq(a.used, 10);
    ck_assert_str_eq(p, "456789");
    kdo_arena_cleanup(&a);

    kdo_arena_init(&a, 10);
    ck_assert_int_eq(kdo_arena_dup(&a, "01234567890", 11, &p), KDO_ETOOBIG);
    ck_assert_uint_eq(a.used, 0);
    kdo_arena_cleanup(&a);
}
END_TEST

START_TEST(test_a_copy_larger_than_a_chunk_is_whole)
{
    struct kdo_arena a;
    size_t n = 3 * 4096 + 17;
    char *big = malloc(n);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)('a' + i % 26);
    const char *small1, *p, *small2;
    kdo_arena_init(&a, 1 << 20);
    ck_assert_int_eq(kdo_arena_dup(&a, "before", 6, &small1), 0);
    ck_assert_int_eq(kdo_arena_dup(&a, big, n, &p), 0);
    ck_assert_int_eq(kdo_arena_dup(&a, "after", 5, &small2), 0);
    ck_assert_int_eq(memcmp(p, big, n), 0);
    ck_assert_int_eq(p[n], '\0');
    ck_assert_str_eq(small1, "before");
    ck_assert_str_eq(small2, "after");
    ck_assert_uint_eq(a.used, n + 11);
    kdo_arena_cleanup(&a);
    free(big);
}
END_TEST

START_TEST(test_reset_makes_the_whole_max_available_again)
{
    struct kdo_arena a;
    char *w;
    kdo_arena_init(&a, 5000);
    for (int round = 0; round < 3; round++) {
        ck_assert_int_eq(kdo_arena_alloc(&a, 3000, &w), 0);
        memset(w, 'w', 3000);
        ck_assert_int_eq(w[3000], '\0');
        ck_assert_int_eq(kdo_arena_alloc(&a, 2000, &w), 0);
        ck_assert_int_eq(kdo_arena_alloc(&a, 1, &w), KDO_ETOOBIG);
        kdo_arena_reset(&a);
        ck_assert_uint_eq(a.used, 0);
    }
    kdo_arena_cleanup(&a);
    kdo_arena_cleanup(&a); /* twice is harmless */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("arena");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"copies_are_terminated_and_stay_put", test_copies_are_terminated_and_stay_put},
        {"dup_of_nothing_is_the_empty_string", test_dup_of_nothing_is_the_empty_string},
        {"reaches_exactly_max_then_refuses", test_reaches_exactly_max_then_refuses},
        {"a_copy_larger_than_a_chunk_is_whole", test_a_copy_larger_than_a_chunk_is_whole},
        {"reset_makes_the_whole_max_available_again", test_reset_makes_the_whole_max_available_again},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
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
