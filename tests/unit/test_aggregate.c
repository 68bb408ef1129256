/*
 * test_aggregate.c -- SQL's aggregates and the two-stack sliding window:
 * emulator/sql/aggregate.c.
 *
 * Hand-worked cases for recognising "FN(arg) [OVER w]", the type rules, the
 * results over NULLs, empty sets and overflow, and combining disjoint sets;
 * then the sliding window against a brute-force recomputation over seeded
 * random pushes and pops (the check that would catch a planted bug in the
 * flip or the suffix accumulators), printing the seed and step on failure.
 */
#include "base/errors.h"
#include "base/rng.h"
#include "sql/aggregate.h"
#include "sql/slide.h"
#include "sql/value.h"

#include <check.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* --- recognising an aggregate call ---------------------------------------- */

/* Parses text placed so that its last byte is the last one before an
 * inaccessible page: reading past len faults (in every build, not only
 * under AddressSanitizer). */
static int parse_exact(const char *text, enum kdo_agg_fn *fn, size_t *off, size_t *alen)
{
    size_t n = strlen(text), page = (size_t)sysconf(_SC_PAGESIZE);
    ck_assert_uint_lt(n, page);
    char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(map, MAP_FAILED);
    ck_assert_int_eq(mprotect(map + page, page, PROT_NONE), 0);
    char *copy = map + page - n;
    memcpy(copy, text, n);
    int r = kdo_agg_parse(copy, n, fn, off, alen);
    munmap(map, 2 * page);
    return r;
}

START_TEST(parse_accepts_calls)
{
    static const struct {
        const char *text;
        enum kdo_agg_fn fn;
        const char *arg; /* "" for COUNT(*) */
    } t[] = {
        {"COUNT(*)", KDO_AGG_COUNT, ""},
        {"count( * )", KDO_AGG_COUNT, ""},
        {"  Count (*)  ", KDO_AGG_COUNT, ""},
        {"COUNT(PRICE)", KDO_AGG_COUNT, "PRICE"},
        {"AVG(PRICE)", KDO_AGG_AVG, "PRICE"},
        {"sum( a + b )", KDO_AGG_SUM, "a + b"},
        {"  SUM ( a+b )", KDO_AGG_SUM, "a+b"},
        {"min(x)", KDO_AGG_MIN, "x"},
        {"MAX(\tPRICE\t)", KDO_AGG_MAX, "PRICE"},
        {"AVG(PRICE) OVER W1", KDO_AGG_AVG, "PRICE"},
        {"avg(PRICE)  over  w_1$  ", KDO_AGG_AVG, "PRICE"},
        {"COUNT(*) OVER W", KDO_AGG_COUNT, ""},
        {"SUM((a+b)*(c-(d)))", KDO_AGG_SUM, "(a+b)*(c-(d))"},
        {"MAX(POSITION(')' IN S))", KDO_AGG_MAX, "POSITION(')' IN S)"},
        {"MIN('it''s)')", KDO_AGG_MIN, "'it''s)'"},
        {"COUNT(\"we)ird\")", KDO_AGG_COUNT, "\"we)ird\""},
        {"MAX(a) OVER W1 ", KDO_AGG_MAX, "a"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum kdo_agg_fn fn = (enum kdo_agg_fn)-1;
        size_t off = 99, alen = 99;
        ck_assert_msg(parse_exact(t[i].text, &fn, &off, &alen) == 1, "'%s' not recognised",
                      t[i].text);
        ck_assert_msg(fn == t[i].fn, "'%s': fn %d, want %d", t[i].text, (int)fn, (int)t[i].fn);
        ck_assert_msg(alen == strlen(t[i].arg) && memcmp(t[i].text + off, t[i].arg, alen) == 0,
                      "'%s': argument '%.*s', want '%s'", t[i].text, (int)alen, t[i].text + off,
                      t[i].arg);
    }
}
END_TEST

START_TEST(parse_rejects_non_calls)
{
    static const char *const t[] = {
        "COUNTX(1)", "SUM(*)", "AVG(*)", "MAX( * )", "AVG()", "AVG(  )", "AVG(PRICE) + 1",
        "AVG(PRICE) OVER", "AVG(PRICE) OVER ", "AVG(PRICE) OVERW1", "AVG(PRICE) OVER W1 W2",
        "AVG(PRICE) OVER (W1)", "MAX", "", "   ", "PRICE", "AVG(PRICE",
        "AVG(')')x", "MAX(')", "COUNT(*) x", "1 + AVG(PRICE)", "MEDIAN(x)", "COUNT",
        "(COUNT(*))", "AVG PRICE",
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum kdo_agg_fn fn;
        size_t off, alen;
        ck_assert_msg(parse_exact(t[i], &fn, &off, &alen) == 0, "'%s' taken for a call", t[i]);
    }
}
END_TEST

/* Regression: kdo_agg_parse read text[len] when the text ended with a
 * function name and spaces ("MAX ", len 4), looking for the '('.  Found by
 * this test against the working tree; fixed in a8f7fdb (the name check now
 * stops at len).  The guard page makes a read past len fault in any build. */
START_TEST(parse_reads_only_len_bytes)
{
    static const char *const t[] = {"MAX ", "count  ", "  avg\t"};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum kdo_agg_fn fn;
        size_t off, alen;
        ck_assert_msg(parse_exact(t[i], &fn, &off, &alen) == 0, "'%s' taken for a call", t[i]);
    }
}
END_TEST

/* --- type rules ----------------------------------------------------------- */

START_TEST(init_type_rules)
{
    static const struct {
        enum kdo_agg_fn fn;
        enum kdo_type t;
        int ok;
        enum kdo_type result;
    } t[] = {
        {KDO_AGG_COUNT, KDO_TYPE_NULL, 1, KDO_TYPE_BIGINT}, /* COUNT(*) */
        {KDO_AGG_COUNT, KDO_TYPE_VARCHAR, 1, KDO_TYPE_BIGINT},
        {KDO_AGG_COUNT, KDO_TYPE_DOUBLE, 1, KDO_TYPE_BIGINT},
        {KDO_AGG_SUM, KDO_TYPE_BIGINT, 1, KDO_TYPE_BIGINT},
        {KDO_AGG_SUM, KDO_TYPE_DOUBLE, 1, KDO_TYPE_DOUBLE},
        {KDO_AGG_AVG, KDO_TYPE_BIGINT, 1, KDO_TYPE_BIGINT},
        {KDO_AGG_AVG, KDO_TYPE_DOUBLE, 1, KDO_TYPE_DOUBLE},
        {KDO_AGG_MIN, KDO_TYPE_TIMESTAMP, 1, KDO_TYPE_TIMESTAMP},
        {KDO_AGG_MAX, KDO_TYPE_TIMESTAMP, 1, KDO_TYPE_TIMESTAMP},
        {KDO_AGG_MIN, KDO_TYPE_BIGINT, 1, KDO_TYPE_BIGINT},
        {KDO_AGG_MAX, KDO_TYPE_DOUBLE, 1, KDO_TYPE_DOUBLE},
        {KDO_AGG_SUM, KDO_TYPE_VARCHAR, 0, 0},
        {KDO_AGG_SUM, KDO_TYPE_TIMESTAMP, 0, 0},
        {KDO_AGG_SUM, KDO_TYPE_BOOLEAN, 0, 0},
        {KDO_AGG_AVG, KDO_TYPE_VARCHAR, 0, 0},
        {KDO_AGG_AVG, KDO_TYPE_TIMESTAMP, 0, 0},
        {KDO_AGG_MIN, KDO_TYPE_VARCHAR, 0, 0},
        {KDO_AGG_MAX, KDO_TYPE_BOOLEAN, 0, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct kdo_agg g;
        struct kdo_errinfo e = {0};
        int rc = kdo_agg_init(&g, t[i].fn, t[i].t, &e);
        if (t[i].ok) {
            ck_assert_msg(rc == 0, "case %zu: %s(%s) refused: %s", i, kdo_agg_name(t[i].fn),
                          kdo_type_name(t[i].t), e.msg);
            ck_assert_int_eq(g.fn, t[i].fn);
            ck_assert_int_eq(g.type, t[i].t);
            ck_assert_msg(kdo_agg_type(&g) == t[i].result, "case %zu: result type %s", i,
                          kdo_type_name(kdo_agg_type(&g)));
        } else {
            ck_assert_msg(rc == KDO_ESCHEMA, "case %zu: %s(%s) gave %d", i,
                          kdo_agg_name(t[i].fn), kdo_type_name(t[i].t), rc);
            ck_assert_msg(strstr(e.msg, kdo_agg_name(t[i].fn)) != NULL, "message '%s'", e.msg);
            ck_assert_msg(strstr(e.msg, kdo_type_name(t[i].t)) != NULL, "message '%s'", e.msg);
            ck_assert_int_eq(kdo_agg_init(&g, t[i].fn, t[i].t, NULL), KDO_ESCHEMA);
        }
    }
    struct kdo_agg g;
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(kdo_agg_init(&g, KDO_AGG_SUM, KDO_TYPE_VARCHAR, &e), KDO_ESCHEMA);
    ck_assert_msg(strncmp(e.msg, "SUM", 3) == 0, "message '%s' does not name SUM", e.msg);
    ck_assert_str_eq(kdo_agg_name(KDO_AGG_COUNT), "COUNT");
    ck_assert_str_eq(kdo_agg_name(KDO_AGG_AVG), "AVG");
    ck_assert_str_eq(kdo_agg_name(KDO_AGG_MAX), "MAX");
}
END_TEST

/* --- results -------------------------------------------------------------- */

static struct kdo_agg agg(enum kdo_agg_fn fn, enum kdo_type t)
{
    struct kdo_agg g;
    struct kdo_errinfo e = {0};
    ck_assert_msg(kdo_agg_init(&g, fn, t, &e) == 0, "%s", e.msg);
    return g;
}

/* The result over vals[0..n); fails the test unless it is 0. */
static struct kdo_value fold(const struct kdo_agg *g, const struct kdo_value *vals, size_t n)
{
    struct kdo_agg_acc a = kdo_agg_empty();
    struct kdo_value out;
    struct kdo_errinfo e = {0};
    for (size_t i = 0; i < n; i++)
        kdo_agg_add(g, &a, &vals[i]);
    ck_assert_msg(kdo_agg_result(g, &a, &out, &e) == 0, "%s: %s", kdo_agg_name(g->fn), e.msg);
    return out;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

START_TEST(count_skips_nulls)
{
    struct kdo_value v[] = {kdo_value_bigint(1), kdo_value_null(), kdo_value_bigint(2),
                            kdo_value_null()};
    struct kdo_agg c = agg(KDO_AGG_COUNT, KDO_TYPE_BIGINT);
    struct kdo_agg star = agg(KDO_AGG_COUNT, KDO_TYPE_NULL);
    struct kdo_value r = fold(&c, v, N(v));
    ck_assert_int_eq(r.type, KDO_TYPE_BIGINT);
    ck_assert_int_eq(r.u.i, 2);
    r = fold(&star, v, N(v)); /* COUNT(*) counts rows, NULL or not */
    ck_assert_int_eq(r.u.i, 4);
    struct kdo_agg_acc a = kdo_agg_empty();
    kdo_agg_add(&star, &a, NULL); /* COUNT(*) may be given no value */
    kdo_agg_add(&star, &a, NULL);
    ck_assert_int_eq(a.n, 2);
    /* COUNT over nothing is 0, not NULL. */
    r = fold(&c, NULL, 0);
    ck_assert_int_eq(r.type, KDO_TYPE_BIGINT);
    ck_assert_int_eq(r.u.i, 0);
    r = fold(&c, v + 1, 1);
    ck_assert_int_eq(r.type, KDO_TYPE_BIGINT);
    ck_assert_int_eq(r.u.i, 0);
    struct kdo_agg cs = agg(KDO_AGG_COUNT, KDO_TYPE_VARCHAR);
    struct kdo_value s[] = {kdo_value_varchar("a", 1), kdo_value_null(), kdo_value_varchar("", 0)};
    ck_assert_int_eq(fold(&cs, s, N(s)).u.i, 2);
}
END_TEST

START_TEST(empty_and_all_null_are_null)
{
    const enum kdo_agg_fn fns[] = {KDO_AGG_SUM, KDO_AGG_AVG, KDO_AGG_MIN, KDO_AGG_MAX};
    const enum kdo_type types[] = {KDO_TYPE_BIGINT, KDO_TYPE_DOUBLE};
    struct kdo_value nulls[] = {kdo_value_null(), kdo_value_null()};
    for (size_t f = 0; f < N(fns); f++)
        for (size_t t = 0; t < N(types); t++) {
            struct kdo_agg g = agg(fns[f], types[t]);
            ck_assert_msg(fold(&g, NULL, 0).type == KDO_TYPE_NULL, "%s over nothing",
                          kdo_agg_name(fns[f]));
            ck_assert_msg(fold(&g, nulls, N(nulls)).type == KDO_TYPE_NULL, "%s over NULLs",
                          kdo_agg_name(fns[f]));
        }
    struct kdo_agg m = agg(KDO_AGG_MIN, KDO_TYPE_TIMESTAMP);
    ck_assert_int_eq(fold(&m, nulls, N(nulls)).type, KDO_TYPE_NULL);
}
END_TEST

START_TEST(avg_of_bigint_truncates_toward_zero)
{
    static const struct {
        int64_t a, b, want;
    } t[] = {{-3, -4, -3}, {3, 4, 3}, {-1, 0, 0}, {1, 0, 0}, {-5, 0, -2}, {5, 0, 2}, {6, 8, 7}};
    struct kdo_agg g = agg(KDO_AGG_AVG, KDO_TYPE_BIGINT);
    for (size_t i = 0; i < N(t); i++) {
        struct kdo_value v[] = {kdo_value_bigint(t[i].a), kdo_value_null(),
                                kdo_value_bigint(t[i].b)};
        struct kdo_value r = fold(&g, v, N(v));
        ck_assert_int_eq(r.type, KDO_TYPE_BIGINT);
        ck_assert_msg(r.u.i == t[i].want, "AVG(%lld, NULL, %lld) = %lld, want %lld",
                      (long long)t[i].a, (long long)t[i].b, (long long)r.u.i,
                      (long long)t[i].want);
    }
    /* Near the range: the sum fits, so the average is exact. */
    struct kdo_value big[] = {kdo_value_bigint(INT64_MAX - 1), kdo_value_bigint(1)};
    ck_assert_int_eq(fold(&g, big, 1).u.i, INT64_MAX - 1);
    ck_assert_int_eq(fold(&g, big, 2).u.i, INT64_MAX / 2);
}
END_TEST

START_TEST(double_sums_are_exact_on_representable_values)
{
    /* Every partial sum is representable, so no rounding may happen. */
    struct kdo_value v[] = {kdo_value_double(0.5), kdo_value_double(0.25),
                            kdo_value_double(1e15), kdo_value_null(), kdo_value_double(-1e15),
                            kdo_value_double(0.125), kdo_value_bigint(2)};
    struct kdo_agg s = agg(KDO_AGG_SUM, KDO_TYPE_DOUBLE), a = agg(KDO_AGG_AVG, KDO_TYPE_DOUBLE);
    struct kdo_value r = fold(&s, v, N(v));
    ck_assert_int_eq(r.type, KDO_TYPE_DOUBLE);
    ck_assert_msg(r.u.d == 2.875, "SUM = %.17g, want 2.875", r.u.d);
    r = fold(&a, v, N(v));
    ck_assert_msg(r.u.d == 2.875 / 6, "AVG = %.17g, want %.17g", r.u.d, 2.875 / 6);
    struct kdo_value w[] = {kdo_value_double(1.5), kdo_value_double(-0.5)};
    ck_assert_msg(fold(&a, w, N(w)).u.d == 0.5, "AVG(1.5, -0.5) = %.17g", fold(&a, w, N(w)).u.d);
}
END_TEST

START_TEST(min_and_max)
{
    struct kdo_value b[] = {kdo_value_bigint(3), kdo_value_null(), kdo_value_bigint(-9),
                            kdo_value_bigint(INT64_MAX), kdo_value_bigint(0)};
    struct kdo_value d[] = {kdo_value_double(-0.5), kdo_value_double(-2.25), kdo_value_null(),
                            kdo_value_double(1e300)};
    struct kdo_value ts[] = {kdo_value_timestamp(1513300190000), kdo_value_timestamp(-1),
                             kdo_value_timestamp(KDO_TIMESTAMP_MAX_MS)};
    struct kdo_agg g;
    g = agg(KDO_AGG_MIN, KDO_TYPE_BIGINT);
    ck_assert_int_eq(fold(&g, b, N(b)).u.i, -9);
    g = agg(KDO_AGG_MAX, KDO_TYPE_BIGINT);
    ck_assert_int_eq(fold(&g, b, N(b)).u.i, INT64_MAX);
    g = agg(KDO_AGG_MIN, KDO_TYPE_DOUBLE);
    ck_assert_double_eq(fold(&g, d, N(d)).u.d, -2.25);
    g = agg(KDO_AGG_MAX, KDO_TYPE_DOUBLE);
    ck_assert_double_eq(fold(&g, d, N(d)).u.d, 1e300);
    /* A single value is its own extreme, negative or not. */
    ck_assert_double_eq(fold(&g, d, 1).u.d, -0.5);
    g = agg(KDO_AGG_MIN, KDO_TYPE_TIMESTAMP);
    struct kdo_value r = fold(&g, ts, N(ts));
    ck_assert_int_eq(r.type, KDO_TYPE_TIMESTAMP);
    ck_assert_int_eq(r.u.ts_ms, -1);
    g = agg(KDO_AGG_MAX, KDO_TYPE_TIMESTAMP);
    r = fold(&g, ts, N(ts));
    ck_assert_int_eq(r.type, KDO_TYPE_TIMESTAMP);
    ck_assert_int_eq(r.u.ts_ms, KDO_TIMESTAMP_MAX_MS);
}
END_TEST

/* The result code and value over vals[0..n). */
static int try_fold(const struct kdo_agg *g, const struct kdo_value *vals, size_t n,
                    struct kdo_errinfo *e)
{
    struct kdo_agg_acc a = kdo_agg_empty();
    struct kdo_value out;
    for (size_t i = 0; i < n; i++)
        kdo_agg_add(g, &a, &vals[i]);
    return kdo_agg_result(g, &a, &out, e);
}

START_TEST(bigint_overflow_is_an_error)
{
    struct kdo_value up[] = {kdo_value_bigint(INT64_MAX), kdo_value_bigint(1)};
    struct kdo_value down[] = {kdo_value_bigint(INT64_MIN), kdo_value_bigint(-1)};
    /* A partial sum counts, even if the total would fit (documented). */
    struct kdo_value partial[] = {kdo_value_bigint(INT64_MAX), kdo_value_bigint(1),
                                  kdo_value_bigint(-1)};
    struct kdo_value fits[] = {kdo_value_bigint(INT64_MAX), kdo_value_bigint(-1),
                               kdo_value_bigint(1)};
    const enum kdo_agg_fn fns[] = {KDO_AGG_SUM, KDO_AGG_AVG};
    for (size_t f = 0; f < N(fns); f++) {
        struct kdo_agg g = agg(fns[f], KDO_TYPE_BIGINT);
        struct kdo_errinfo e = {0};
        ck_assert_int_eq(try_fold(&g, up, N(up), &e), KDO_EINVAL);
        ck_assert_msg(strstr(e.msg, kdo_agg_name(fns[f])) != NULL, "message '%s'", e.msg);
        ck_assert_int_eq(try_fold(&g, down, N(down), NULL), KDO_EINVAL);
        ck_assert_int_eq(try_fold(&g, partial, N(partial), NULL), KDO_EINVAL);
        ck_assert_int_eq(try_fold(&g, fits, N(fits), NULL), 0);
    }
    struct kdo_agg s = agg(KDO_AGG_SUM, KDO_TYPE_BIGINT);
    ck_assert_int_eq(fold(&s, fits, N(fits)).u.i, INT64_MAX);
    /* MIN, MAX and COUNT never overflow. */
    struct kdo_agg m = agg(KDO_AGG_MAX, KDO_TYPE_BIGINT), c = agg(KDO_AGG_COUNT, KDO_TYPE_BIGINT);
    ck_assert_int_eq(fold(&m, up, N(up)).u.i, INT64_MAX);
    ck_assert_int_eq(fold(&c, up, N(up)).u.i, 2);
    /* Overflow in either half of a combine survives it. */
    struct kdo_agg_acc a = kdo_agg_empty(), b = kdo_agg_empty();
    struct kdo_value out;
    kdo_agg_add(&s, &a, &up[0]);
    kdo_agg_add(&s, &b, &up[1]);
    kdo_agg_combine(&s, &a, &b); /* INT64_MAX + 1 across the combine */
    ck_assert_int_eq(kdo_agg_result(&s, &a, &out, NULL), KDO_EINVAL);
    struct kdo_agg_acc c1 = kdo_agg_empty();
    kdo_agg_add(&s, &c1, &up[1]); /* 1 + a wrapped INT64_MIN would fit: only the flag tells */
    kdo_agg_combine(&s, &c1, &a);
    ck_assert_int_eq(kdo_agg_result(&s, &c1, &out, NULL), KDO_EINVAL);
    /* A DOUBLE sum past the range is refused rather than made infinite
     * (value.h: a DOUBLE value is always finite). */
    struct kdo_value huge[] = {kdo_value_double(DBL_MAX), kdo_value_double(DBL_MAX)};
    struct kdo_agg sd = agg(KDO_AGG_SUM, KDO_TYPE_DOUBLE);
    ck_assert_int_eq(try_fold(&sd, huge, N(huge), NULL), KDO_EINVAL);
}
END_TEST

/* Two accumulators are the same partial result for g. */
static void assert_same_result(const struct kdo_agg *g, const struct kdo_agg_acc *x,
                               const struct kdo_agg_acc *y, const char *what)
{
    struct kdo_value vx, vy;
    int rx = kdo_agg_result(g, x, &vx, NULL), ry = kdo_agg_result(g, y, &vy, NULL);
    ck_assert_msg(rx == ry, "%s %s(%s): rc %d vs %d", what, kdo_agg_name(g->fn),
                  kdo_type_name(g->type), rx, ry);
    if (rx != 0)
        return;
    ck_assert_msg(vx.type == vy.type, "%s %s: type %d vs %d", what, kdo_agg_name(g->fn),
                  (int)vx.type, (int)vy.type);
    if (vx.type == KDO_TYPE_DOUBLE)
        ck_assert_msg(vx.u.d == vy.u.d, "%s %s: %.17g vs %.17g", what, kdo_agg_name(g->fn),
                      vx.u.d, vy.u.d);
    else if (vx.type != KDO_TYPE_NULL)
        ck_assert_msg(vx.u.i == vy.u.i, "%s %s: %lld vs %lld", what, kdo_agg_name(g->fn),
                      (long long)vx.u.i, (long long)vy.u.i);
}

START_TEST(combine_of_disjoint_sets_equals_adding_all)
{
    struct kdo_rng r;
    const uint64_t seed = 20260101;
    kdo_rng_init(&r, seed);
    const enum kdo_agg_fn fns[] = {KDO_AGG_COUNT, KDO_AGG_SUM, KDO_AGG_AVG, KDO_AGG_MIN,
                                   KDO_AGG_MAX};
    const enum kdo_type types[] = {KDO_TYPE_BIGINT, KDO_TYPE_DOUBLE};
    for (int round = 0; round < 500; round++) {
        size_t n = (size_t)kdo_rng_below(&r, 12);
        struct kdo_value v[12];
        int side[12];
        int dbl = (int)kdo_rng_below(&r, 2);
        for (size_t i = 0; i < n; i++) {
            int64_t x = (int64_t)kdo_rng_below(&r, 2001) - 1000;
            v[i] = kdo_rng_below(&r, 5) == 0 ? kdo_value_null()
                   : dbl                     ? kdo_value_double((double)x / 4) /* exact sums */
                                             : kdo_value_bigint(x);
            side[i] = (int)kdo_rng_below(&r, 2); /* either set may end up empty */
        }
        for (size_t f = 0; f < N(fns); f++) {
            struct kdo_agg g = agg(fns[f], types[dbl]);
            struct kdo_agg_acc all = kdo_agg_empty(), a = kdo_agg_empty(), b = kdo_agg_empty();
            for (size_t i = 0; i < n; i++) {
                kdo_agg_add(&g, &all, &v[i]);
                kdo_agg_add(&g, side[i] ? &b : &a, &v[i]);
            }
            struct kdo_agg_acc ab = a, ba = b;
            kdo_agg_combine(&g, &ab, &b);
            kdo_agg_combine(&g, &ba, &a);
            char what[64];
            snprintf(what, sizeof what, "seed %llu round %d", (unsigned long long)seed, round);
            assert_same_result(&g, &ab, &all, what);
            assert_same_result(&g, &ba, &all, what);
            ck_assert_int_eq(ab.n, all.n);
        }
    }
}
END_TEST

/* --- the sliding window --------------------------------------------------- */

START_TEST(slide_oldest_and_count)
{
    struct kdo_agg g = agg(KDO_AGG_COUNT, KDO_TYPE_NULL);
    struct kdo_slide *s = kdo_slide_new(&g, 1);
    struct kdo_agg_acc one = {1, 0, {0}}, out;
    ck_assert_uint_eq(kdo_slide_count(s), 0);
    kdo_slide_result(s, &out);
    ck_assert_int_eq(out.n, 0);
    kdo_slide_push(s, 10, &one);
    kdo_slide_push(s, 20, &one);
    kdo_slide_push(s, 30, &one);
    ck_assert_uint_eq(kdo_slide_count(s), 3);
    ck_assert_int_eq(kdo_slide_oldest(s), 10);
    ck_assert_int_eq(kdo_slide_oldest(s), 10); /* asking does not change it */
    kdo_slide_pop(s);
    ck_assert_int_eq(kdo_slide_oldest(s), 20);
    kdo_slide_push(s, 40, &one); /* onto the back while the front holds 20, 30 */
    ck_assert_int_eq(kdo_slide_oldest(s), 20);
    ck_assert_uint_eq(kdo_slide_count(s), 3);
    kdo_slide_result(s, &out);
    ck_assert_int_eq(out.n, 3);
    kdo_slide_pop(s);
    kdo_slide_pop(s);
    ck_assert_int_eq(kdo_slide_oldest(s), 40);
    ck_assert_uint_eq(kdo_slide_count(s), 1);
    kdo_slide_pop(s);
    ck_assert_uint_eq(kdo_slide_count(s), 0);
    kdo_slide_result(s, &out);
    ck_assert_int_eq(out.n, 0);
    kdo_slide_push(s, 50, &one); /* usable again once empty */
    ck_assert_int_eq(kdo_slide_oldest(s), 50);
    kdo_slide_free(s);
    kdo_slide_free(NULL);
}
END_TEST

/* Pushes value x (BIGINT) as a one-row contribution to aggs[0..k). */
static void push_bigint(struct kdo_slide *s, const struct kdo_agg *aggs, size_t k,
                        int64_t rowtime, struct kdo_value x)
{
    struct kdo_agg_acc row[8];
    for (size_t i = 0; i < k; i++) {
        row[i] = kdo_agg_empty();
        kdo_agg_add(&aggs[i], &row[i], &x);
    }
    kdo_slide_push(s, rowtime, row);
}

static struct kdo_value slide_value(struct kdo_slide *s, const struct kdo_agg *aggs, size_t i)
{
    struct kdo_agg_acc out[8];
    struct kdo_value v;
    kdo_slide_result(s, out);
    ck_assert_int_eq(kdo_agg_result(&aggs[i], &out[i], &v, NULL), 0);
    return v;
}

START_TEST(slide_min_when_the_min_leaves)
{
    struct kdo_agg aggs[2] = {agg(KDO_AGG_MIN, KDO_TYPE_BIGINT), agg(KDO_AGG_MAX, KDO_TYPE_BIGINT)};
    struct kdo_slide *s = kdo_slide_new(aggs, 2);
    const int64_t in[] = {5, 1, 7, 3};
    for (size_t i = 0; i < N(in); i++)
        push_bigint(s, aggs, 2, (int64_t)i, kdo_value_bigint(in[i]));
    ck_assert_int_eq(slide_value(s, aggs, 0).u.i, 1);
    ck_assert_int_eq(slide_value(s, aggs, 1).u.i, 7);
    kdo_slide_pop(s); /* 5 leaves */
    ck_assert_int_eq(slide_value(s, aggs, 0).u.i, 1);
    kdo_slide_pop(s); /* 1, the min, leaves: 7 3 */
    ck_assert_int_eq(slide_value(s, aggs, 0).u.i, 3);
    ck_assert_int_eq(slide_value(s, aggs, 1).u.i, 7);
    push_bigint(s, aggs, 2, 4, kdo_value_bigint(2)); /* 7 3 | 2 */
    ck_assert_int_eq(slide_value(s, aggs, 0).u.i, 2);
    kdo_slide_pop(s); /* 7, the max, leaves: 3 | 2 */
    ck_assert_int_eq(slide_value(s, aggs, 1).u.i, 3);
    kdo_slide_pop(s); /* 2 */
    ck_assert_int_eq(slide_value(s, aggs, 0).u.i, 2);
    ck_assert_int_eq(slide_value(s, aggs, 1).u.i, 2);
    push_bigint(s, aggs, 2, 5, kdo_value_null()); /* 2 | NULL */
    kdo_slide_pop(s); /* only the NULL row: no extreme */
    ck_assert_uint_eq(kdo_slide_count(s), 1);
    ck_assert_int_eq(slide_value(s, aggs, 0).type, KDO_TYPE_NULL);
    ck_assert_int_eq(slide_value(s, aggs, 1).type, KDO_TYPE_NULL);
    kdo_slide_free(s);
}
END_TEST

/* The reference: every aggregate recomputed from the window's values. */
struct brute {
    int64_t t[64];
    int64_t v[64];
    int null[64];
    size_t head, n; /* a ring of capacity 64 */
};

static void brute_expect(const struct brute *b, int64_t want[6], int isnull[6])
{
    int64_t count = 0, sum = 0, mn = INT64_MAX, mx = INT64_MIN;
    for (size_t j = 0; j < b->n; j++) {
        size_t k = (b->head + j) % 64;
        if (b->null[k])
            continue;
        count++;
        sum += b->v[k];
        mn = b->v[k] < mn ? b->v[k] : mn;
        mx = b->v[k] > mx ? b->v[k] : mx;
    }
    /* COUNT(*), COUNT(x), SUM, AVG, MIN, MAX */
    want[0] = (int64_t)b->n;
    want[1] = count;
    want[2] = sum;
    want[3] = count ? sum / count : 0;
    want[4] = mn;
    want[5] = mx;
    isnull[0] = isnull[1] = 0;
    isnull[2] = isnull[3] = isnull[4] = isnull[5] = count == 0;
}

static void slide_vs_brute(uint64_t seed, int ops, size_t max_window)
{
    static const char *const names[] = {"COUNT(*)", "COUNT(x)", "SUM", "AVG", "MIN", "MAX"};
    struct kdo_agg aggs[6] = {
        agg(KDO_AGG_COUNT, KDO_TYPE_NULL), agg(KDO_AGG_COUNT, KDO_TYPE_BIGINT),
        agg(KDO_AGG_SUM, KDO_TYPE_BIGINT), agg(KDO_AGG_AVG, KDO_TYPE_BIGINT),
        agg(KDO_AGG_MIN, KDO_TYPE_BIGINT), agg(KDO_AGG_MAX, KDO_TYPE_BIGINT),
    };
    struct kdo_slide *s = kdo_slide_new(aggs, 6);
    struct brute b = {.n = 0};
    struct kdo_rng r;
    int64_t rowtime = 0;
    kdo_rng_init(&r, seed);
    /* The target size drifts so the window both grows and drains. */
    size_t target = 1 + (size_t)kdo_rng_below(&r, max_window);
    for (int step = 0; step < ops; step++) {
        if (kdo_rng_below(&r, 200) == 0)
            target = 1 + (size_t)kdo_rng_below(&r, max_window);
        int push = b.n == 0 || (b.n < max_window && (b.n < target ? kdo_rng_below(&r, 4) != 0
                                                                  : kdo_rng_below(&r, 4) == 0));
        if (push) {
            int isnull = kdo_rng_below(&r, 8) == 0;
            int64_t x = (int64_t)kdo_rng_below(&r, 2001) - 1000;
            rowtime += (int64_t)kdo_rng_below(&r, 3);
            size_t k = (b.head + b.n++) % 64;
            b.t[k] = rowtime;
            b.v[k] = x;
            b.null[k] = isnull;
            push_bigint(s, aggs, 6, rowtime, isnull ? kdo_value_null() : kdo_value_bigint(x));
        } else {
            kdo_slide_pop(s);
            b.head = (b.head + 1) % 64;
            b.n--;
        }
        ck_assert_msg(kdo_slide_count(s) == b.n, "seed %llu step %d: count %zu, want %zu",
                      (unsigned long long)seed, step, kdo_slide_count(s), b.n);
        /* oldest() may flip the stacks early; ask only sometimes so both
         * orders of flip and result are exercised. */
        if (b.n > 0 && kdo_rng_below(&r, 3) == 0)
            ck_assert_msg(kdo_slide_oldest(s) == b.t[b.head],
                          "seed %llu step %d: oldest %lld, want %lld", (unsigned long long)seed,
                          step, (long long)kdo_slide_oldest(s), (long long)b.t[b.head]);
        int64_t want[6];
        int isnull[6];
        brute_expect(&b, want, isnull);
        struct kdo_agg_acc out[6];
        kdo_slide_result(s, out);
        for (size_t i = 0; i < 6; i++) {
            struct kdo_value v;
            ck_assert_int_eq(kdo_agg_result(&aggs[i], &out[i], &v, NULL), 0);
            ck_assert_msg(isnull[i] ? v.type == KDO_TYPE_NULL
                                    : v.type == KDO_TYPE_BIGINT && v.u.i == want[i],
                          "seed %llu step %d window %zu: %s = %s%lld, want %s%lld",
                          (unsigned long long)seed, step, b.n, names[i],
                          v.type == KDO_TYPE_NULL ? "NULL " : "", (long long)v.u.i,
                          isnull[i] ? "NULL " : "", (long long)want[i]);
        }
    }
    kdo_slide_free(s);
}

START_TEST(slide_matches_brute_force)
{
    const uint64_t seeds[] = {1, 42, 20260101, 0xdeadbeef};
    for (size_t i = 0; i < N(seeds); i++)
        slide_vs_brute(seeds[i], 10000, 50);
    slide_vs_brute(7, 10000, 1); /* a window of one row flips on every pop */
    slide_vs_brute(8, 10000, 2);
}
END_TEST

START_TEST(slide_long_window_and_doubles)
{
    /* Grows well past the initial capacity, then drains with pushes in
     * between; DOUBLE values are quarters, so every sum is exact. */
    struct kdo_agg aggs[3] = {agg(KDO_AGG_SUM, KDO_TYPE_DOUBLE), agg(KDO_AGG_MIN, KDO_TYPE_DOUBLE),
                              agg(KDO_AGG_MAX, KDO_TYPE_DOUBLE)};
    struct kdo_slide *s = kdo_slide_new(aggs, 3);
    const int n = 5000;
    for (int i = 0; i < n; i++) {
        struct kdo_agg_acc row[3];
        struct kdo_value x = kdo_value_double((double)(i % 101 - 50) / 4);
        for (size_t k = 0; k < 3; k++) {
            row[k] = kdo_agg_empty();
            kdo_agg_add(&aggs[k], &row[k], &x);
        }
        kdo_slide_push(s, i, row);
    }
    for (int lo = 0; lo < n; lo++) { /* window [lo, n) */
        ck_assert_int_eq(kdo_slide_oldest(s), lo);
        struct kdo_agg_acc out[3];
        kdo_slide_result(s, out);
        double sum = 0, mn = 1e9, mx = -1e9;
        if (lo % 97 == 0 || n - lo < 120) {
            for (int i = lo; i < n; i++) {
                double x = (double)(i % 101 - 50) / 4;
                sum += x;
                mn = x < mn ? x : mn;
                mx = x > mx ? x : mx;
            }
            ck_assert_msg(out[0].v.d == sum, "window [%d, %d): SUM %.17g, want %.17g", lo, n,
                          out[0].v.d, sum);
            ck_assert_double_eq(out[1].v.d, mn);
            ck_assert_double_eq(out[2].v.d, mx);
        }
        ck_assert_int_eq(out[0].n, n - lo);
        kdo_slide_pop(s);
    }
    ck_assert_uint_eq(kdo_slide_count(s), 0);
    kdo_slide_free(s);
}
END_TEST

/* A sliding query whose SELECT has no aggregate makes a slide of none
 * (query.c passes aggs == NULL): it must still count and forget rows.  Once
 * undefined behaviour (memcpy from NULL), caught by UBSan. */
START_TEST(slide_with_no_aggregates)
{
    struct kdo_agg_acc row[1], out[1]; /* as query.c: never NULL */
    struct kdo_slide *s = kdo_slide_new(NULL, 0); /* exactly what query.c passes */
    kdo_slide_push(s, 1, row);
    kdo_slide_push(s, 2, row);
    ck_assert_uint_eq(kdo_slide_count(s), 2);
    ck_assert_int_eq(kdo_slide_oldest(s), 1);
    kdo_slide_pop(s);
    kdo_slide_result(s, out);
    ck_assert_int_eq(kdo_slide_oldest(s), 2);
    kdo_slide_free(s);
}
END_TEST

static Suite *aggregate_suite(void)
{
    Suite *s = suite_create("aggregate");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"parse_accepts_calls", parse_accepts_calls},
        {"parse_rejects_non_calls", parse_rejects_non_calls},
        {"parse_reads_only_len_bytes", parse_reads_only_len_bytes},
        {"init_type_rules", init_type_rules},
        {"count_skips_nulls", count_skips_nulls},
        {"empty_and_all_null_are_null", empty_and_all_null_are_null},
        {"avg_of_bigint_truncates_toward_zero", avg_of_bigint_truncates_toward_zero},
        {"double_sums_are_exact_on_representable_values",
         double_sums_are_exact_on_representable_values},
        {"min_and_max", min_and_max},
        {"bigint_overflow_is_an_error", bigint_overflow_is_an_error},
        {"combine_of_disjoint_sets_equals_adding_all", combine_of_disjoint_sets_equals_adding_all},
        {"slide_oldest_and_count", slide_oldest_and_count},
        {"slide_min_when_the_min_leaves", slide_min_when_the_min_leaves},
        {"slide_matches_brute_force", slide_matches_brute_force},
        {"slide_long_window_and_doubles", slide_long_window_and_doubles},
        {"slide_with_no_aggregates", slide_with_no_aggregates},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

/* In the sanitizer build, undefined behaviour fails the test instead of
 * only printing a line (meson 1.0 sets no UBSAN_OPTIONS). */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1";
}

int main(void)
{
    SRunner *sr = srunner_create(aggregate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
