/*
 * test_slide.c -- the sliding window of aggregate accumulators:
 * emulator/sql/slide.c.
 *
 * The slide is a queue: rows leave in the order they came, whatever their
 * ROWTIMEs say (the caller decides when the oldest is old enough), and the
 * result is always the aggregate over exactly the rows still in it.  Rows
 * are never subtracted out, so a DOUBLE sum has no residue of a huge value
 * that left, and a BIGINT overflow leaves with the rows that caused it.
 * Reading the result or the oldest ROWTIME changes nothing.  Hand-worked
 * scripts walk the add/evict order across the internal hand-over from the
 * newest rows to the oldest (test_aggregate.c adds a randomized comparison
 * against a brute-force recomputation).  Last, the ring of values an
 * analytic function reads back (kdo_vring).
 */
#include "sql/slide.h"

#include "base/errors.h"
#include "sql/aggregate.h"
#include "sql/value.h"

#include <check.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct kdo_agg agg(enum kdo_agg_fn fn, enum kdo_type t)
{
    struct kdo_agg g;
    ck_assert_int_eq(kdo_agg_init(&g, fn, t, NULL), 0);
    return g;
}

/* COUNT(*), SUM(x), MIN(x), MAX(x) over a BIGINT x. */
static struct kdo_agg four[4];

static void setup_four(void)
{
    four[0] = agg(KDO_AGG_COUNT, KDO_TYPE_NULL);
    four[1] = agg(KDO_AGG_SUM, KDO_TYPE_BIGINT);
    four[2] = agg(KDO_AGG_MIN, KDO_TYPE_BIGINT);
    four[3] = agg(KDO_AGG_MAX, KDO_TYPE_BIGINT);
}

static void push_value(struct kdo_slide *s, const struct kdo_agg *aggs, size_t k,
                       int64_t rowtime, struct kdo_value x)
{
    struct kdo_agg_acc row[4];
    ck_assert_uint_le(k, N(row));
    for (size_t i = 0; i < k; i++) {
        row[i] = kdo_agg_empty();
        kdo_agg_add(&aggs[i], &row[i], &x);
    }
    kdo_slide_push(s, rowtime, row);
}

/* Aggregate i of the slide's result, as SQL would see it. */
static struct kdo_value result(struct kdo_slide *s, const struct kdo_agg *aggs, size_t k,
                               size_t i)
{
    struct kdo_agg_acc out[4];
    struct kdo_value v;
    ck_assert_uint_le(k, N(out));
    kdo_slide_result(s, out);
    ck_assert_int_eq(kdo_agg_result(&aggs[i], &out[i], &v, NULL), 0);
    return v;
}

/* --- the order rows leave in --------------------------------------------------- */

/* One step of a script: push x at rowtime t, or pop ('-'); then the window
 * must hold `count` rows, the oldest at `oldest`, with this sum, min and max. */
struct step {
    char op;
    int64_t t, x;
    size_t count;
    int64_t oldest, sum, min, max;
};

static void run_script(const struct step *st, size_t n)
{
    setup_four();
    struct kdo_slide *s = kdo_slide_new(four, 4);
    for (size_t i = 0; i < n; i++) {
        if (st[i].op == '+')
            push_value(s, four, 4, st[i].t, kdo_value_bigint(st[i].x));
        else
            kdo_slide_pop(s);
        ck_assert_msg(kdo_slide_count(s) == st[i].count, "step %zu: count %zu, want %zu", i,
                      kdo_slide_count(s), st[i].count);
        ck_assert_msg(kdo_slide_oldest(s) == st[i].oldest, "step %zu: oldest %lld, want %lld", i,
                      (long long)kdo_slide_oldest(s), (long long)st[i].oldest);
        const int64_t want[4] = {(int64_t)st[i].count, st[i].sum, st[i].min, st[i].max};
        for (size_t a = 0; a < 4; a++) {
            struct kdo_value v = result(s, four, 4, a);
            ck_assert_msg(v.type == KDO_TYPE_BIGINT && v.u.i == want[a],
                          "step %zu: %s = %lld (type %d), want %lld", i, kdo_agg_name(four[a].fn),
                          (long long)v.u.i, (int)v.type, (long long)want[a]);
        }
    }
    kdo_slide_free(s);
}

START_TEST(test_rows_leave_in_arrival_order)
{
    /* Values 1, 2, 4, 8, ... make every sum name exactly the rows in it. */
    static const struct step st[] = {
        {'+', 100, 1, 1, 100, 1, 1, 1},
        {'+', 101, 2, 2, 100, 3, 1, 2},
        {'+', 102, 4, 3, 100, 7, 1, 4},
        {'-', 0, 0, 2, 101, 6, 2, 4},    /* 1 leaves: the back is handed over */
        {'+', 103, 8, 3, 101, 14, 2, 8}, /* onto the back while the front holds 2, 4 */
        {'-', 0, 0, 2, 102, 12, 4, 8},
        {'-', 0, 0, 1, 103, 8, 8, 8},    /* the front runs dry: 8 is handed over */
        {'+', 104, 16, 2, 103, 24, 8, 16},
        {'+', 105, 32, 3, 103, 56, 8, 32},
        {'-', 0, 0, 2, 104, 48, 16, 32}, /* 8 leaves from the front; 16, 32 wait behind */
        {'-', 0, 0, 1, 105, 32, 32, 32},
        {'+', 106, 64, 2, 105, 96, 32, 64},
        {'-', 0, 0, 1, 106, 64, 64, 64},
    };
    run_script(st, N(st));
}
END_TEST

/* The slide is a queue, not a sort: a row pushed with an earlier ROWTIME
 * than the ones before it still leaves after them. */
START_TEST(test_rowtime_does_not_reorder_the_queue)
{
    static const struct step st[] = {
        {'+', 30, 1, 1, 30, 1, 1, 1},
        {'+', 10, 2, 2, 30, 3, 1, 2},
        {'+', 20, 4, 3, 30, 7, 1, 4},
        {'+', 20, 8, 4, 30, 15, 1, 8}, /* a tie: the later push is the newer row */
        {'-', 0, 0, 3, 10, 14, 2, 8},
        {'-', 0, 0, 2, 20, 12, 4, 8},
        {'-', 0, 0, 1, 20, 8, 8, 8},
    };
    run_script(st, N(st));
}
END_TEST

/* Asking for the oldest ROWTIME or the result, any number of times and in
 * any order, changes neither. */
START_TEST(test_reading_changes_nothing)
{
    setup_four();
    struct kdo_slide *s = kdo_slide_new(four, 4);
    for (int64_t i = 0; i < 5; i++)
        push_value(s, four, 4, i, kdo_value_bigint(10 * i));
    for (int r = 0; r < 3; r++) {
        ck_assert_int_eq(result(s, four, 4, 1).u.i, 100);
        ck_assert_int_eq(kdo_slide_oldest(s), 0);
        ck_assert_uint_eq(kdo_slide_count(s), 5);
    }
    kdo_slide_pop(s);
    for (int r = 0; r < 3; r++) {
        ck_assert_int_eq(kdo_slide_oldest(s), 1);
        ck_assert_int_eq(result(s, four, 4, 1).u.i, 100);
        ck_assert_int_eq(result(s, four, 4, 2).u.i, 10);
        ck_assert_uint_eq(kdo_slide_count(s), 4);
    }
    kdo_slide_free(s);
}
END_TEST

/* --- boundaries ---------------------------------------------------------------- */

START_TEST(test_an_empty_slide_is_the_aggregate_over_no_rows)
{
    setup_four();
    struct kdo_slide *s = kdo_slide_new(four, 4);
    for (int round = 0; round < 2; round++) { /* new, and emptied again */
        ck_assert_uint_eq(kdo_slide_count(s), 0);
        struct kdo_value count = result(s, four, 4, 0);
        ck_assert_int_eq(count.type, KDO_TYPE_BIGINT);
        ck_assert_int_eq(count.u.i, 0);
        for (size_t a = 1; a < 4; a++)
            ck_assert_msg(result(s, four, 4, a).type == KDO_TYPE_NULL, "%s over no rows",
                          kdo_agg_name(four[a].fn));
        push_value(s, four, 4, 7, kdo_value_bigint(7));
        push_value(s, four, 4, 8, kdo_value_bigint(8));
        kdo_slide_pop(s);
        kdo_slide_pop(s);
    }
    kdo_slide_free(s);
    kdo_slide_free(NULL); /* a no-op */
}
END_TEST

/* A window of one row: every push after the first is followed by a pop, so
 * each pop hands the back over; thousands of times, past any capacity. */
START_TEST(test_a_window_of_one_row)
{
    setup_four();
    struct kdo_slide *s = kdo_slide_new(four, 4);
    for (int64_t i = 0; i < 3000; i++) {
        push_value(s, four, 4, i, kdo_value_bigint(i * 3));
        if (i > 0)
            kdo_slide_pop(s);
        ck_assert_uint_eq(kdo_slide_count(s), 1);
        ck_assert_int_eq(kdo_slide_oldest(s), i);
        ck_assert_int_eq(result(s, four, 4, 1).u.i, i * 3);
        ck_assert_int_eq(result(s, four, 4, 3).u.i, i * 3);
    }
    kdo_slide_free(s);
}
END_TEST

/* A long window fills, then moves by one row at a time: the sum is always
 * that of the last `width` values, with the two stacks at every split. */
START_TEST(test_a_long_window_moving_one_row_at_a_time)
{
    setup_four();
    struct kdo_slide *s = kdo_slide_new(four, 4);
    const int64_t width = 257; /* not a power of two: the hand-over falls anywhere */
    for (int64_t i = 0; i < 2000; i++) {
        push_value(s, four, 4, i, kdo_value_bigint(i));
        if (i >= width)
            kdo_slide_pop(s);
        int64_t lo = i >= width ? i - width + 1 : 0;
        ck_assert_int_eq(kdo_slide_oldest(s), lo);
        ck_assert_int_eq(result(s, four, 4, 0).u.i, i - lo + 1);
        ck_assert_int_eq(result(s, four, 4, 1).u.i, (lo + i) * (i - lo + 1) / 2);
        ck_assert_int_eq(result(s, four, 4, 2).u.i, lo);
        ck_assert_int_eq(result(s, four, 4, 3).u.i, i);
    }
    kdo_slide_free(s);
}
END_TEST

/* --- nothing is subtracted ---------------------------------------------------- */

/* A huge DOUBLE that leaves takes all of itself: subtracting it out would
 * leave 0 (1e300 + 1 - 1e300), not 1. */
START_TEST(test_a_double_sum_keeps_no_residue_of_a_row_that_left)
{
    struct kdo_agg g[1] = {agg(KDO_AGG_SUM, KDO_TYPE_DOUBLE)};
    struct kdo_slide *s = kdo_slide_new(g, 1);
    push_value(s, g, 1, 1, kdo_value_double(1e300));
    push_value(s, g, 1, 2, kdo_value_double(1.0));
    ck_assert_double_eq(result(s, g, 1, 0).u.d, 1e300);
    kdo_slide_pop(s);
    ck_assert_double_eq(result(s, g, 1, 0).u.d, 1.0);
    push_value(s, g, 1, 3, kdo_value_double(-DBL_MAX));  /* into the back */
    push_value(s, g, 1, 4, kdo_value_double(0.25));
    kdo_slide_pop(s); /* 1.0 leaves from the front */
    kdo_slide_pop(s); /* -DBL_MAX leaves: the back is handed over */
    ck_assert_double_eq(result(s, g, 1, 0).u.d, 0.25);
    kdo_slide_free(s);
}
END_TEST

/* A BIGINT sum that overflowed is reported while the rows that caused it
 * are in the window, and not after they left. */
START_TEST(test_an_overflow_leaves_with_its_rows)
{
    struct kdo_agg g[1] = {agg(KDO_AGG_SUM, KDO_TYPE_BIGINT)};
    struct kdo_slide *s = kdo_slide_new(g, 1);
    struct kdo_agg_acc out[1];
    struct kdo_value v;
    push_value(s, g, 1, 1, kdo_value_bigint(INT64_MAX));
    push_value(s, g, 1, 2, kdo_value_bigint(1));
    kdo_slide_result(s, out);
    ck_assert_int_eq(kdo_agg_result(&g[0], &out[0], &v, NULL), KDO_EINVAL);
    kdo_slide_pop(s); /* INT64_MAX leaves */
    ck_assert_int_eq(result(s, g, 1, 0).u.i, 1);
    push_value(s, g, 1, 3, kdo_value_bigint(INT64_MAX)); /* front 1 | back MAX */
    kdo_slide_result(s, out);
    ck_assert_int_eq(kdo_agg_result(&g[0], &out[0], &v, NULL), KDO_EINVAL);
    kdo_slide_pop(s); /* 1 leaves: MAX alone is in range */
    ck_assert_int_eq(result(s, g, 1, 0).u.i, INT64_MAX);
    kdo_slide_free(s);
}
END_TEST

/* Each aggregate keeps its own accumulator: NULLs count for COUNT(*) only. */
START_TEST(test_null_rows_count_only_for_count_star)
{
    setup_four();
    struct kdo_slide *s = kdo_slide_new(four, 4);
    push_value(s, four, 4, 1, kdo_value_null());
    push_value(s, four, 4, 2, kdo_value_bigint(-5));
    push_value(s, four, 4, 3, kdo_value_null());
    ck_assert_int_eq(result(s, four, 4, 0).u.i, 3);
    ck_assert_int_eq(result(s, four, 4, 1).u.i, -5);
    kdo_slide_pop(s);
    kdo_slide_pop(s); /* -5 leaves: one NULL row remains */
    ck_assert_int_eq(result(s, four, 4, 0).u.i, 1);
    for (size_t a = 1; a < 4; a++)
        ck_assert_int_eq(result(s, four, 4, a).type, KDO_TYPE_NULL);
    kdo_slide_free(s);
}
END_TEST

/* The value ring of an analytic function: values leave oldest first by row number,
 * across the ring's growth and its wrap-around, and a VARCHAR is the ring's own copy
 * (its bytes counted until it leaves). */
START_TEST(test_value_ring_keeps_copies_in_order_across_growth_and_wrap)
{
    struct kdo_vring r = {0};
    char text[8];
    uint64_t seq = 0;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 12; i++, seq++) { /* 12 in, then all but 3 out: wraps at 16 */
            int len = snprintf(text, sizeof text, "v%llu", (unsigned long long)seq);
            struct kdo_value v = kdo_value_varchar(text, (size_t)len);
            kdo_vring_push(&r, seq, &v);
            memset(text, 'x', sizeof text); /* the source is reused */
        }
        kdo_vring_drop_before(&r, seq - 3);
        ck_assert_uint_eq(r.n, 3);
        for (size_t i = 0; i < r.n; i++) {
            char want[8];
            snprintf(want, sizeof want, "v%llu", (unsigned long long)(seq - 3 + i));
            ck_assert_uint_eq(kdo_vring_seq_at(&r, i), seq - 3 + i);
            ck_assert_uint_eq(kdo_vring_at(&r, i)->u.str.len, strlen(want));
            ck_assert(memcmp(kdo_vring_at(&r, i)->u.str.s, want, strlen(want)) == 0);
        }
    }
    ck_assert_uint_eq(r.cap, 16);
    ck_assert_uint_eq(r.bytes, 3 * (strlen("v57") + 1));
    kdo_vring_drop_before(&r, 1000);
    ck_assert_uint_eq(r.n, 0);
    ck_assert_uint_eq(r.bytes, 0);
    struct kdo_value d = kdo_value_double(2.5), n = kdo_value_null();
    kdo_vring_push(&r, 1000, &d);
    kdo_vring_push(&r, 1001, &n);
    ck_assert(kdo_vring_at(&r, 0)->u.d == 2.5);
    ck_assert_int_eq(kdo_vring_at(&r, 1)->type, KDO_TYPE_NULL);
    ck_assert_uint_eq(r.bytes, 0);
    kdo_vring_fini(&r);
    ck_assert_uint_eq(r.n, 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("slide");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"rows_leave_in_arrival_order", test_rows_leave_in_arrival_order},
        {"rowtime_does_not_reorder_the_queue", test_rowtime_does_not_reorder_the_queue},
        {"reading_changes_nothing", test_reading_changes_nothing},
        {"an_empty_slide_is_the_aggregate_over_no_rows",
         test_an_empty_slide_is_the_aggregate_over_no_rows},
        {"a_window_of_one_row", test_a_window_of_one_row},
        {"a_long_window_moving_one_row_at_a_time", test_a_long_window_moving_one_row_at_a_time},
        {"a_double_sum_keeps_no_residue_of_a_row_that_left",
         test_a_double_sum_keeps_no_residue_of_a_row_that_left},
        {"an_overflow_leaves_with_its_rows", test_an_overflow_leaves_with_its_rows},
        {"null_rows_count_only_for_count_star", test_null_rows_count_only_for_count_star},
        {"value_ring_keeps_copies_in_order_across_growth_and_wrap",
         test_value_ring_keeps_copies_in_order_across_growth_and_wrap},
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
