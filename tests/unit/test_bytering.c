/*
 * test_bytering.c -- the FIFO of byte strings of emulator/base/bytering.c.
 *
 * The ring starts at 64 KiB.  Checked: positions grow and a string reads
 * back at its position; a string that would cross the end of the ring skips
 * to its start (wrap-around) and stays contiguous; a ring filled exactly to
 * its capacity does not grow, one byte more doubles it; growth with live
 * strings wrapped around the old end keeps every one readable at its
 * position; a string larger than the whole ring fits after growing;
 * release never moves the head backwards; empty strings take no room.
 */
#include "base/bytering.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define CAP0 ((uint64_t)1 << 16)

/* n bytes of a pattern that differs per tag, so misplaced bytes show. */
static char *pattern(size_t n, unsigned tag)
{
    char *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (char)((i * 7 + tag * 13) % 251);
    return p;
}

static void expect_at(const struct kdo_bytering *r, uint64_t pos, size_t n, unsigned tag)
{
    char *want = pattern(n, tag);
    ck_assert_msg(memcmp(kdo_bytering_at(r, pos), want, n) == 0,
                  "string %u (%zu bytes at %llu) changed", tag, n, (unsigned long long)pos);
    free(want);
}

static uint64_t push(struct kdo_bytering *r, size_t n, unsigned tag)
{
    char *p = pattern(n, tag);
    uint64_t pos = kdo_bytering_push(r, p, n);
    free(p);
    return pos;
}

START_TEST(test_strings_read_back_at_their_positions)
{
    struct kdo_bytering r;
    kdo_bytering_init(&r);
    ck_assert_uint_eq(r.cap, CAP0);
    uint64_t a = push(&r, 10, 1), b = push(&r, 20, 2), c = push(&r, 5, 3);
    ck_assert_uint_eq(a, 0);
    ck_assert_uint_eq(b, 10);
    ck_assert_uint_eq(c, 30);
    expect_at(&r, a, 10, 1);
    expect_at(&r, b, 20, 2);
    expect_at(&r, c, 5, 3);
    kdo_bytering_cleanup(&r);
}
END_TEST

START_TEST(test_empty_strings_take_no_room)
{
    struct kdo_bytering r;
    kdo_bytering_init(&r);
    ck_assert_uint_eq(kdo_bytering_push(&r, NULL, 0), 0);
    ck_assert_uint_eq(kdo_bytering_push(&r, "", 0), 0);
    ck_assert_uint_eq(r.tail, 0);
    kdo_bytering_cleanup(&r);
}
END_TEST

START_TEST(test_a_string_that_would_cross_the_end_skips_to_the_start)
{
    struct kdo_bytering r;
    kdo_bytering_init(&r);
    uint64_t a = push(&r, 40000, 1);
    kdo_bytering_release(&r, a + 40000); /* empty again, head at 40000 */
    uint64_t b = push(&r, 40000, 2);     /* 40000 + 40000 > 65536: wraps */
    ck_assert_uint_eq(b, CAP0);          /* absolute position: the next lap */
    ck_assert_ptr_eq(kdo_bytering_at(&r, b), r.buf); /* physically at the start */
    ck_assert_uint_eq(r.cap, CAP0);                   /* no growth needed */
    expect_at(&r, b, 40000, 2);
    kdo_bytering_release(&r, b + 40000);
    uint64_t c = push(&r, 20000, 3); /* fits right after b */
    ck_assert_uint_eq(c, CAP0 + 40000);
    ck_assert_uint_eq(r.cap, CAP0);
    expect_at(&r, c, 20000, 3);
    kdo_bytering_cleanup(&r);
}
END_TEST

START_TEST(test_full_ring_grows_only_past_its_capacity)
{
    struct kdo_bytering r;
    kdo_bytering_init(&r);
    uint64_t pos[16];
    for (unsigned i = 0; i < 16; i++)
        pos[i] = push(&r, 4096, i); /* exactly 64 KiB: full */
    ck_assert_uint_eq(r.cap, CAP0);
    ck_assert_uint_eq(r.tail - r.head, CAP0);
    uint64_t extra = push(&r, 1, 99);
    ck_assert_uint_eq(r.cap, 2 * CAP0);
    ck_assert_uint_eq(extra, CAP0);
    for (unsigned i = 0; i < 16; i++)
        expect_at(&r, pos[i], 4096, i);
    expect_at(&r, extra, 1, 99);
    kdo_bytering_cleanup(&r);
}
END_TEST

START_TEST(test_growth_keeps_wrapped_strings_at_their_positions)
{
    struct kdo_bytering r;
    kdo_bytering_init(&r);
    uint64_t a = push(&r, 40000, 1);
    kdo_bytering_release(&r, a + 40000);
    uint64_t b = push(&r, 40000, 2); /* wrapped: physically at 0 */
    ck_assert_uint_eq(r.cap, CAP0);
    /* The skipped bytes before b count until released past, so the ring
     * is full: c doubles it, and b moves from physical 0 to 65536. */
    uint64_t c = push(&r, 20000, 3);
    ck_assert_uint_eq(r.cap, 2 * CAP0);
    uint64_t d = push(&r, 10000, 4); /* wraps in the new ring */
    ck_assert_uint_eq(r.cap, 2 * CAP0);
    ck_assert_uint_eq(d & (r.cap - 1), 0);
    expect_at(&r, b, 40000, 2);
    expect_at(&r, c, 20000, 3);
    expect_at(&r, d, 10000, 4);
    ck_assert_uint_ge(d, c + 20000);
    /* Every string is contiguous in the new ring. */
    ck_assert_uint_le((d & (r.cap - 1)) + 10000, r.cap);
    kdo_bytering_cleanup(&r);
}
END_TEST

START_TEST(test_a_string_larger_than_the_ring_fits_after_growing)
{
    struct kdo_bytering r;
    kdo_bytering_init(&r);
    uint64_t a = push(&r, 100, 1);
    uint64_t big = push(&r, 3 * CAP0 + 5, 2);
    ck_assert_uint_eq(r.cap, 4 * CAP0);
    expect_at(&r, a, 100, 1);
    expect_at(&r, big, 3 * CAP0 + 5, 2);
    kdo_bytering_cleanup(&r);
}
END_TEST

START_TEST(test_release_never_moves_the_head_backwards)
{
    struct kdo_bytering r;
    kdo_bytering_init(&r);
    push(&r, 100, 1);
    kdo_bytering_release(&r, 80);
    ck_assert_uint_eq(r.head, 80);
    kdo_bytering_release(&r, 30);
    ck_assert_uint_eq(r.head, 80);
    kdo_bytering_release(&r, 100);
    ck_assert_uint_eq(r.head, r.tail);
    kdo_bytering_cleanup(&r);
}
END_TEST

START_TEST(test_many_laps_in_steady_state_do_not_grow)
{
    struct kdo_bytering r;
    kdo_bytering_init(&r);
    uint64_t prev = push(&r, 1000, 0), prev_n = 1000;
    for (unsigned i = 1; i < 1000; i++) { /* ~15 laps, two strings live at a time */
        size_t n = 500 + (i * 37) % 3000;
        uint64_t pos = push(&r, n, i);
        expect_at(&r, prev, prev_n, i - 1);
        expect_at(&r, pos, n, i);
        kdo_bytering_release(&r, prev + prev_n);
        prev = pos, prev_n = n;
    }
    ck_assert_uint_eq(r.cap, CAP0);
    ck_assert_uint_gt(r.tail, 10 * CAP0);
    kdo_bytering_cleanup(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bytering");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"strings_read_back_at_their_positions", test_strings_read_back_at_their_positions},
        {"empty_strings_take_no_room", test_empty_strings_take_no_room},
        {"a_string_that_would_cross_the_end_skips_to_the_start",
         test_a_string_that_would_cross_the_end_skips_to_the_start},
        {"full_ring_grows_only_past_its_capacity", test_full_ring_grows_only_past_its_capacity},
        {"growth_keeps_wrapped_strings_at_their_positions",
         test_growth_keeps_wrapped_strings_at_their_positions},
        {"a_string_larger_than_the_ring_fits_after_growing",
         test_a_string_larger_than_the_ring_fits_after_growing},
        {"release_never_moves_the_head_backwards", test_release_never_moves_the_head_backwards},
        {"many_laps_in_steady_state_do_not_grow", test_many_laps_in_steady_state_do_not_grow},
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
