/*
 * test_value.c -- values, schemas and rows: emulator/sql/value.c, row.c and
 * the arena they keep strings in (arena.c).
 *
 * Hand-worked cases: exact comparison across BIGINT and DOUBLE, NULL as
 * UNKNOWN, timestamps at the edges of the calendar (the epoch, the ms before
 * it, February 29 in leap and non-leap centuries, years 0001 and 9999) and a
 * sweep of round-trips, DOUBLE text as Java writes it, strict number
 * parsing, casts, identifier folding, and the row's type and size limits.
 */
#include "base/arena.h"
#include "delivery/contract.h"
#include "sql/row.h"
#include "sql/value.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V_STR(s) kdo_value_varchar((s), strlen(s))

/* --- comparison --------------------------------------------------------- */

START_TEST(test_compare_numbers_across_types)
{
    struct {
        struct kdo_value a, b;
        enum kdo_order want;
    } t[] = {
        {kdo_value_bigint(1), kdo_value_double(1.0), KDO_ORDER_EQ},
        {kdo_value_bigint(1), kdo_value_double(1.5), KDO_ORDER_LT},
        {kdo_value_bigint(-1), kdo_value_double(-1.5), KDO_ORDER_GT},
        {kdo_value_bigint(-2), kdo_value_double(-1.5), KDO_ORDER_LT},
        /* 2^53 + 1 is not a double: rounding the integer would say EQ */
        {kdo_value_bigint(9007199254740993LL), kdo_value_double(9007199254740992.0), KDO_ORDER_GT},
        {kdo_value_bigint(INT64_MAX), kdo_value_double(9223372036854775808.0), KDO_ORDER_LT},
        {kdo_value_bigint(INT64_MIN), kdo_value_double(-9223372036854775808.0), KDO_ORDER_EQ},
        {kdo_value_double(0.5), kdo_value_bigint(0), KDO_ORDER_GT},
        {kdo_value_double(-0.0), kdo_value_double(0.0), KDO_ORDER_EQ},
        {kdo_value_bigint(3), kdo_value_bigint(-3), KDO_ORDER_GT},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        enum kdo_order got = kdo_value_compare(&t[i].a, &t[i].b);
        ck_assert_msg(got == t[i].want, "case %zu: got %d, want %d", i, got, t[i].want);
    }
}
END_TEST

START_TEST(test_compare_other_types)
{
    struct kdo_value ab = V_STR("ab"), abc = V_STR("abc"), B = V_STR("B"), a = V_STR("a");
    struct kdo_value f = kdo_value_bool(false), tr = kdo_value_bool(true);
    struct kdo_value t1 = kdo_value_timestamp(1), t2 = kdo_value_timestamp(2);
    struct kdo_value one = kdo_value_bigint(1), null = kdo_value_null();
    ck_assert_int_eq(kdo_value_compare(&ab, &abc), KDO_ORDER_LT);
    ck_assert_int_eq(kdo_value_compare(&B, &a), KDO_ORDER_LT); /* bytewise, not collated */
    ck_assert_int_eq(kdo_value_compare(&f, &tr), KDO_ORDER_LT);
    ck_assert_int_eq(kdo_value_compare(&t2, &t1), KDO_ORDER_GT);
    ck_assert_int_eq(kdo_value_compare(&tr, &one), KDO_ORDER_INCOMPARABLE);
    ck_assert_int_eq(kdo_value_compare(&a, &one), KDO_ORDER_INCOMPARABLE);
    ck_assert_int_eq(kdo_value_compare(&null, &one), KDO_ORDER_UNKNOWN);
    ck_assert_int_eq(kdo_value_compare(&null, &null), KDO_ORDER_UNKNOWN);
}
END_TEST

START_TEST(test_equal_and_same)
{
    struct kdo_value null = kdo_value_null(), one = kdo_value_bigint(1), d1 = kdo_value_double(1);
    struct kdo_value tr = kdo_value_bool(true);
    ck_assert_int_eq(kdo_value_equal(&one, &d1), KDO_TV_TRUE);
    ck_assert_int_eq(kdo_value_equal(&null, &null), KDO_TV_UNKNOWN);
    ck_assert_int_eq(kdo_value_equal(&null, &one), KDO_TV_UNKNOWN);
    ck_assert_int_eq(kdo_value_equal(&tr, &one), KDO_TV_FALSE);
    ck_assert(kdo_value_same(&null, &null));
    ck_assert(!kdo_value_same(&null, &one));
    ck_assert(kdo_value_same(&one, &d1));
}
END_TEST

/* --- timestamps ----------------------------------------------------------- */

static void expect_ts(int64_t ms, const char *text)
{
    char out[KDO_TIMESTAMP_TEXT];
    ck_assert_int_eq(kdo_timestamp_format(ms, out), 0);
    ck_assert_msg(strcmp(out, text) == 0, "%lld: got %s, want %s", (long long)ms, out, text);
    int64_t back = 0;
    ck_assert_int_eq(kdo_timestamp_parse(text, strlen(text), &back), 0);
    ck_assert_msg(back == ms, "%s: got %lld, want %lld", text, (long long)back, (long long)ms);
}

START_TEST(test_timestamp_edges)
{
    expect_ts(0, "1970-01-01 00:00:00.000");
    expect_ts(-1, "1969-12-31 23:59:59.999");
    expect_ts(1513300190000LL, "2017-12-15 01:09:50.000"); /* the guide's sample */
    expect_ts(951782400000LL, "2000-02-29 00:00:00.000");  /* divisible by 400: leap */
    expect_ts(1582979696789LL, "2020-02-29 12:34:56.789");
    expect_ts(1583020800000LL - 1, "2020-02-29 23:59:59.999");
    expect_ts(1583020800000LL, "2020-03-01 00:00:00.000");
    expect_ts(KDO_TIMESTAMP_MAX_MS, "9999-12-31 23:59:59.999");
    expect_ts(KDO_TIMESTAMP_MIN_MS, "0001-01-01 00:00:00.000");
    char out[KDO_TIMESTAMP_TEXT];
    ck_assert_int_eq(kdo_timestamp_format(KDO_TIMESTAMP_MAX_MS + 1, out), KDO_EINVAL);
    ck_assert_int_eq(kdo_timestamp_format(KDO_TIMESTAMP_MIN_MS - 1, out), KDO_EINVAL);
    ck_assert_int_eq(kdo_timestamp_format(INT64_MIN, out), KDO_EINVAL);
}
END_TEST

START_TEST(test_timestamp_parse_forms)
{
    struct {
        const char *s;
        int64_t want; /* -1: refused */
    } t[] = {
        {"2017-12-15", 1513296000000LL},
        {"2017-12-15 01:09:50", 1513300190000LL},
        {"2017-12-15T01:09:50.5", 1513300190500LL},
        {"2017-12-15 01:09:50.05", 1513300190050LL},
        {"2019-02-29 00:00:00.000", -1}, /* not a leap year */
        {"1900-02-29 00:00:00.000", -1}, /* century, not divisible by 400 */
        {"2017-13-01 00:00:00.000", -1},
        {"2017-04-31 00:00:00.000", -1},
        {"2017-12-15 24:00:00.000", -1},
        {"2017-12-15 23:60:00.000", -1},
        {"2017-12-15 23:59:60.000", -1},
        {"2017-12-15 01:09:50.", -1},
        {"2017-12-15 01:09:50.1234", -1},
        {"0000-01-01 00:00:00.000", -1},
        {"17-12-15", -1},
        {"2017-12-15 ", -1},
        {"2017/12/15", -1},
        {"", -1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int64_t got = -1;
        int err = kdo_timestamp_parse(t[i].s, strlen(t[i].s), &got);
        if (t[i].want < 0)
            ck_assert_msg(err == KDO_EINVAL, "[%s] accepted as %lld", t[i].s, (long long)got);
        else
            ck_assert_msg(err == 0 && got == t[i].want, "[%s]: err %d, got %lld, want %lld", t[i].s,
                          err, (long long)got, (long long)t[i].want);
    }
}
END_TEST

START_TEST(test_timestamp_round_trip_sweep)
{
    /* a stride that is prime and not a whole number of days */
    const int64_t step = 7919LL * 86400007LL;
    size_t n = 0;
    for (int64_t ms = KDO_TIMESTAMP_MIN_MS; ms <= KDO_TIMESTAMP_MAX_MS - step; ms += step, n++) {
        char out[KDO_TIMESTAMP_TEXT];
        int64_t back;
        ck_assert_int_eq(kdo_timestamp_format(ms, out), 0);
        ck_assert_int_eq(kdo_timestamp_parse(out, strlen(out), &back), 0);
        ck_assert_msg(back == ms, "%s: %lld != %lld", out, (long long)back, (long long)ms);
    }
    ck_assert_uint_gt(n, 400);
}
END_TEST

/* --- numbers as text ---------------------------------------------------- */

START_TEST(test_double_format_like_java)
{
    struct {
        double d;
        const char *want;
    } t[] = {
        {82.5, "82.5"},
        {-0.32, "-0.32"},
        {1.0, "1.0"},
        {82.0, "82.0"},
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {100.0, "100.0"},
        {0.001, "0.001"},
        {0.0001, "1.0E-4"},
        {1e7, "1.0E7"},
        {9999999.0, "9999999.0"},
        {123456.789, "123456.789"},
        {1.5e300, "1.5E300"},
        {0.1 + 0.2, "0.30000000000000004"},
        {-1.25e-10, "-1.25E-10"},
        {5e-324, "4.9E-324"},
        {1.7976931348623157e308, "1.7976931348623157E308"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char out[32];
        kdo_double_format(t[i].d, out);
        ck_assert_msg(strcmp(out, t[i].want) == 0, "%.17g: got %s, want %s", t[i].d, out,
                      t[i].want);
    }
}
END_TEST

/* The digits of the plain search the formatter short-cuts: the fewest
 * (from min_digits) whose %e reads back to d. */
static void reference_digits(double d, int min_digits, char *dig, int *e)
{
    char tmp[40];
    for (int p = min_digits; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    size_t k = 0;
    const char *c = tmp;
    for (; *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            dig[k++] = *c;
    while (k > 1 && dig[k - 1] == '0')
        k--;
    dig[k] = 0;
    *e = atoi(c + 1);
}

/* The short cut (15 digits first, DBL_DIG) gives the plain search's digits
 * for random bit patterns, averages, short decimals and subnormals. */
START_TEST(test_double_format_shortest_digits)
{
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d;
        if (i % 4 == 0)
            memcpy(&d, &x, sizeof d);                             /* any bits */
        else if (i % 4 == 1)
            d = (double)(x % 1000000) / 7.0;                      /* an average */
        else if (i % 4 == 2)
            d = (double)(x % 100000) / 100.0;                     /* a price */
        else
            d = ldexp((double)(x % 1000), -1074 + (int)(x % 60)); /* subnormal */
        if (!isfinite(d) || d == 0)
            continue;
        d = fabs(d);
        char out[32], want[20], text[40];
        int e;
        double a = d;
        int plain = a >= 1e-3 && a < 1e7;
        reference_digits(a, plain ? 1 : 2, want, &e);
        kdo_double_format(d, out);
        /* The formatter's digits are its text's, without point, exponent
         * and leading zeros. */
        size_t k = 0;
        for (const char *c = out; *c && *c != 'E'; c++)
            if (*c >= '0' && *c <= '9' && (k > 0 || *c != '0'))
                text[k++] = *c;
        while (k > 1 && text[k - 1] == '0')
            k--;
        text[k] = 0;
        ck_assert_msg(strcmp(text, want) == 0, "%.17g: formatted %s, digits %s, expected %s", d,
                      out, text, want);
    }
}
END_TEST

START_TEST(test_double_format_round_trips)
{
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d;
        memcpy(&d, &x, sizeof d);
        if (!isfinite(d))
            continue;
        char out[32];
        double back;
        size_t n = kdo_double_format(d, out);
        ck_assert_int_eq(kdo_double_parse(out, n, &back), 0);
        ck_assert_msg(back == d, "%s read back as %.17g, not %.17g", out, back, d);
    }
}
END_TEST

START_TEST(test_number_parsing_is_strict)
{
    int64_t i;
    double d;
    ck_assert_int_eq(kdo_bigint_parse("9223372036854775807", 19, &i), 0);
    ck_assert(i == INT64_MAX);
    ck_assert_int_eq(kdo_bigint_parse("-9223372036854775808", 20, &i), 0);
    ck_assert(i == INT64_MIN);
    ck_assert_int_eq(kdo_bigint_parse("9223372036854775808", 19, &i), KDO_EINVAL);
    ck_assert_int_eq(kdo_bigint_parse("+5", 2, &i), 0);
    ck_assert_int_eq(i, 5);
    const char *bad_int[] = {"", "-", "1a", " 1", "1.0", "0x10"};
    for (size_t k = 0; k < sizeof bad_int / sizeof bad_int[0]; k++)
        ck_assert_msg(kdo_bigint_parse(bad_int[k], strlen(bad_int[k]), &i) == KDO_EINVAL, "[%s]",
                      bad_int[k]);
    const char *good[] = {".5", "5.", "1e3", "-1.5E-3", "+2"};
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
        ck_assert_msg(kdo_double_parse(good[k], strlen(good[k]), &d) == 0, "[%s]", good[k]);
    const char *bad[] = {"1e400", "inf", "nan", "0x10", ".", "e5", "1e", "1.5.", "", "- 1"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        ck_assert_msg(kdo_double_parse(bad[k], strlen(bad[k]), &d) == KDO_EINVAL, "[%s]", bad[k]);
}
END_TEST

/* --- casts ---------------------------------------------------------------- */

static struct kdo_arena scratch;

static void setup(void)
{
    kdo_arena_init(&scratch, 1 << 16);
}

static void teardown(void)
{
    kdo_arena_cleanup(&scratch);
}

static struct kdo_value cast_ok(struct kdo_value in, enum kdo_type to, size_t max_len)
{
    struct kdo_value out;
    struct kdo_errinfo e = {0};
    int err = kdo_value_cast(&in, to, max_len, &scratch, &out, &e);
    ck_assert_msg(err == 0, "cast to %s failed: %s", kdo_type_name(to), e.msg);
    return out;
}

static void cast_bad(struct kdo_value in, enum kdo_type to, size_t max_len, const char *msg)
{
    struct kdo_value out;
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(kdo_value_cast(&in, to, max_len, &scratch, &out, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, msg) != NULL, "message [%s] lacks [%s]", e.msg, msg);
}

START_TEST(test_casts)
{
    struct kdo_value v = cast_ok(kdo_value_bigint(3), KDO_TYPE_DOUBLE, 0);
    ck_assert(v.type == KDO_TYPE_DOUBLE && v.u.d == 3.0);
    v = cast_ok(kdo_value_double(2.7), KDO_TYPE_BIGINT, 0);
    ck_assert(v.type == KDO_TYPE_BIGINT && v.u.i == 2);
    v = cast_ok(kdo_value_double(-2.7), KDO_TYPE_BIGINT, 0);
    ck_assert(v.u.i == -2);
    cast_bad(kdo_value_double(1e19), KDO_TYPE_BIGINT, 0, "out of range");
    v = cast_ok(V_STR(" 42 "), KDO_TYPE_BIGINT, 0);
    ck_assert(v.u.i == 42);
    cast_bad(V_STR("abc"), KDO_TYPE_BIGINT, 0, "cannot convert 'abc' to BIGINT");
    v = cast_ok(V_STR("True"), KDO_TYPE_BOOLEAN, 0);
    ck_assert(v.type == KDO_TYPE_BOOLEAN && v.u.b);
    v = cast_ok(V_STR("2017-12-15 01:09:50.000"), KDO_TYPE_TIMESTAMP, 0);
    ck_assert(v.u.ts_ms == 1513300190000LL);
    v = cast_ok(kdo_value_timestamp(1513300190000LL), KDO_TYPE_VARCHAR, 0);
    ck_assert_str_eq(v.u.str.s, "2017-12-15 01:09:50.000");
    v = cast_ok(V_STR("héllo"), KDO_TYPE_VARCHAR, 2);
    ck_assert_str_eq(v.u.str.s, "hé"); /* cut by characters, not bytes */
    cast_bad(kdo_value_bigint(12345), KDO_TYPE_VARCHAR, 3, "does not fit in VARCHAR(3)");
    v = cast_ok(kdo_value_double(82.5), KDO_TYPE_VARCHAR, 0);
    ck_assert_str_eq(v.u.str.s, "82.5");
    v = cast_ok(kdo_value_bool(false), KDO_TYPE_VARCHAR, 0);
    ck_assert_str_eq(v.u.str.s, "FALSE");
    cast_bad(kdo_value_bool(true), KDO_TYPE_BIGINT, 0, "cannot convert BOOLEAN to BIGINT");
    cast_bad(kdo_value_timestamp(0), KDO_TYPE_DOUBLE, 0, "TIMESTAMP");
    v = cast_ok(kdo_value_null(), KDO_TYPE_TIMESTAMP, 0);
    ck_assert(v.type == KDO_TYPE_NULL);
    ck_assert(!kdo_type_castable(KDO_TYPE_BIGINT, KDO_TYPE_NULL));
}
END_TEST

START_TEST(test_utf8_lengths)
{
    const char *s = "h\xc3\xa9llo \xf0\x9f\x98\x80";
    ck_assert_uint_eq(kdo_utf8_length(s, strlen(s)), 7);
    ck_assert_uint_eq(kdo_utf8_prefix(s, strlen(s), 2), 3);
    ck_assert_uint_eq(kdo_utf8_prefix(s, strlen(s), 6), 7);
    ck_assert_uint_eq(kdo_utf8_prefix(s, strlen(s), 7), strlen(s));
    ck_assert_uint_eq(kdo_utf8_prefix(s, strlen(s), 0), 0);
}
END_TEST

/* --- schema and row -------------------------------------------------------- */

START_TEST(test_names_fold_unless_quoted)
{
    char out[KDO_ROW_MAX_NAME + 1];
    ck_assert_int_eq(kdo_row_resolve_name("price", 5, out), 0);
    ck_assert_str_eq(out, "PRICE");
    ck_assert_int_eq(kdo_row_resolve_name("\"price\"", 7, out), 0);
    ck_assert_str_eq(out, "price");
    ck_assert_int_eq(kdo_row_resolve_name("\"a\"\"b\"", 6, out), 0);
    ck_assert_str_eq(out, "a\"b");
    ck_assert_int_eq(kdo_row_resolve_name("Row_Time$1", 10, out), 0);
    ck_assert_str_eq(out, "ROW_TIME$1");
    const char *bad[] = {"", "1A", "A-B", "\"\"", "\"open", "\"a\"b\"", "A B"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        ck_assert_msg(kdo_row_resolve_name(bad[k], strlen(bad[k]), out) == KDO_EINVAL, "[%s]",
                      bad[k]);
}
END_TEST

START_TEST(test_schema)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(kdo_row_schema_add(s, "price", 5, KDO_TYPE_DOUBLE, 0, &e), 0);
    ck_assert_int_eq(kdo_row_schema_add(s, "\"price\"", 7, KDO_TYPE_DOUBLE, 0, &e), 0);
    ck_assert_int_eq(kdo_row_schema_add(s, "PRICE", 5, KDO_TYPE_BIGINT, 0, &e), KDO_ESCHEMA);
    ck_assert_str_eq(e.msg, "duplicate column PRICE");
    ck_assert_int_eq(kdo_row_schema_add(s, "TICKER", 6, KDO_TYPE_VARCHAR, 0, &e), KDO_EINVAL);
    ck_assert_int_eq(kdo_row_schema_add(s, "TICKER", 6, KDO_TYPE_NULL, 0, &e), KDO_EINVAL);
    ck_assert_int_eq(kdo_row_schema_add(s, "TICKER", 6, KDO_TYPE_VARCHAR, 4, &e), 0);
    ck_assert_uint_eq(kdo_row_schema_count(s), 3);
    ck_assert_int_eq(kdo_row_schema_find(s, "price", 5), 1);
    ck_assert_int_eq(kdo_row_schema_find(s, "TICKER", 6), 2);
    ck_assert_int_eq(kdo_row_schema_find(s, "ticker", 6), -1);
    ck_assert_str_eq(kdo_row_schema_nearest(s, "TICKR", 5), "TICKER");
    ck_assert_ptr_null(kdo_row_schema_nearest(s, "SECTOR", 6));
    ck_assert_uint_eq(kdo_row_schema_column(s, 2)->max_len, 4);
    for (int i = 3; i < KDO_ROW_MAX_COLUMNS; i++) {
        char name[16];
        int n = snprintf(name, sizeof name, "C%d", i);
        ck_assert_int_eq(kdo_row_schema_add(s, name, (size_t)n, KDO_TYPE_BIGINT, 0, NULL), 0);
    }
    ck_assert_int_eq(kdo_row_schema_add(s, "ONE_MORE", 8, KDO_TYPE_BIGINT, 0, &e), KDO_ETOOBIG);
    kdo_row_schema_free(s);
    kdo_row_schema_free(NULL);
}
END_TEST

START_TEST(test_row_set_checks_types)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    kdo_row_schema_add(s, "SYM", 3, KDO_TYPE_VARCHAR, 4, NULL);
    kdo_row_schema_add(s, "PRICE", 5, KDO_TYPE_DOUBLE, 0, NULL);
    struct kdo_row *r = kdo_row_new(s);
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(kdo_row_get(r, 0)->type, KDO_TYPE_NULL);
    char sym[] = "AMZN";
    struct kdo_value v = kdo_value_varchar(sym, 4);
    ck_assert_int_eq(kdo_row_set(r, 0, &v, &e), 0);
    sym[0] = 'X'; /* the row holds a copy */
    ck_assert_str_eq(kdo_row_get(r, 0)->u.str.s, "AMZN");
    v = V_STR("POISON");
    ck_assert_int_eq(kdo_row_set(r, 0, &v, &e), KDO_EINVAL);
    ck_assert_str_eq(e.msg, "6 characters are too long for SYM VARCHAR(4)");
    ck_assert_str_eq(kdo_row_get(r, 0)->u.str.s, "AMZN"); /* unchanged */
    v = kdo_value_bigint(82);
    ck_assert_int_eq(kdo_row_set(r, 1, &v, &e), 0); /* widened */
    ck_assert(kdo_row_get(r, 1)->type == KDO_TYPE_DOUBLE && kdo_row_get(r, 1)->u.d == 82.0);
    v = kdo_value_bool(true);
    ck_assert_int_eq(kdo_row_set(r, 1, &v, &e), KDO_EINVAL);
    ck_assert_str_eq(e.msg, "BOOLEAN value for DOUBLE column PRICE");
    ck_assert_int_eq(kdo_row_set(r, 2, &v, &e), KDO_EINVAL);
    kdo_row_clear(r);
    ck_assert_int_eq(kdo_row_get(r, 0)->type, KDO_TYPE_NULL);
    kdo_row_free(r);
    kdo_row_free(NULL);
    kdo_row_schema_free(s);
}
END_TEST

START_TEST(test_row_size_limit)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    for (int i = 0; i < 9; i++) {
        char name[8];
        int n = snprintf(name, sizeof name, "S%d", i);
        kdo_row_schema_add(s, name, (size_t)n, KDO_TYPE_VARCHAR, 65535, NULL);
    }
    struct kdo_row *r = kdo_row_new(s);
    char *big = malloc(65535 + 1);
    memset(big, 'a', 65535);
    big[65535] = '\0';
    struct kdo_value v = kdo_value_varchar(big, 65535);
    struct kdo_errinfo e = {0};
    for (size_t i = 0; i < 8; i++) /* 8 * 65535 = 524280 <= 524288 */
        ck_assert_int_eq(kdo_row_set(r, i, &v, &e), 0);
    ck_assert_int_eq(kdo_row_set(r, 8, &v, &e), KDO_EROWSIZE);
    ck_assert_ptr_nonnull(strstr(e.msg, "S8"));
    kdo_row_clear(r);
    ck_assert_int_eq(kdo_row_set(r, 8, &v, &e), 0);
    free(big);
    kdo_row_free(r);
    kdo_row_schema_free(s);
}
END_TEST

START_TEST(test_arena_is_bounded)
{
    struct kdo_arena a;
    const char *p, *q;
    kdo_arena_init(&a, 10);
    ck_assert_int_eq(kdo_arena_dup(&a, "hello", 5, &p), 0);
    ck_assert_int_eq(kdo_arena_dup(&a, "world", 5, &q), 0);
    ck_assert_int_eq(kdo_arena_dup(&a, "!", 1, &q), KDO_ETOOBIG);
    ck_assert_str_eq(p, "hello"); /* earlier copies stay put */
    kdo_arena_reset(&a);
    ck_assert_int_eq(kdo_arena_dup(&a, "0123456789", 10, &q), 0);
    ck_assert_str_eq(q, "0123456789");
    kdo_arena_cleanup(&a);
    kdo_arena_init(&a, 1 << 20);
    char *big = calloc(1, 10000);
    ck_assert_int_eq(kdo_arena_dup(&a, big, 10000, &p), 0); /* larger than a chunk */
    ck_assert_int_eq(kdo_arena_dup(&a, "x", 1, &q), 0);
    ck_assert_str_eq(q, "x");
    free(big);
    kdo_arena_cleanup(&a);
}
END_TEST

/* DECIMAL's text, rounding (half away from zero) and exact arithmetic. */
START_TEST(test_decimal)
{
    static const struct {
        const char *text;
        int scale;
        int err;
        int64_t v;
        bool inexact;
    } parse[] = {
        {" 1.5 ", 2, 0, 150, false},   {"-0.005", 2, 0, -1, true},  {"0.0049", 2, 0, 0, true},
        {"1.5E-1", 2, 0, 15, false},   {"1e2", 0, 0, 100, false},   {"+7", 3, 0, 7000, false},
        {".25", 1, 0, 3, true},        {"-.25", 1, 0, -3, true},    {"999999999999999999", 0, 0,
                                                                      999999999999999999, false},
        {"1e18", 0, KDO_ETOOBIG, 0, 0}, {"99.995", 17, KDO_ETOOBIG, 0, 0},
        {"abc", 0, KDO_EINVAL, 0, 0},   {"1.2.3", 0, KDO_EINVAL, 0, 0}, {"", 0, KDO_EINVAL, 0, 0},
        {"1e", 0, KDO_EINVAL, 0, 0},    {"1e99999", 0, KDO_EINVAL, 0, 0},
    };
    for (size_t i = 0; i < sizeof parse / sizeof parse[0]; i++) {
        int64_t v = -1;
        bool inexact = false;
        int err = kdo_decimal_parse(parse[i].text, strlen(parse[i].text), parse[i].scale, &v,
                                    &inexact);
        ck_assert_msg(err == parse[i].err && (err || (v == parse[i].v &&
                                                      inexact == parse[i].inexact)),
                      "[%s] at %d: %d %lld %d", parse[i].text, parse[i].scale, err, (long long)v,
                      inexact);
    }
    char t[KDO_DECIMAL_TEXT];
    ck_assert_uint_eq(kdo_decimal_format(-5, 2, t), 5);
    ck_assert_str_eq(t, "-0.05");
    kdo_decimal_format(-999999999999999999, 18, t);
    ck_assert_str_eq(t, "-0.999999999999999999");
    kdo_decimal_format(250, 0, t);
    ck_assert_str_eq(t, "250");
    uint64_t x = 2463534242u; /* every scale, length and sign against printf */
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int scale = (int)(x % 19);
        int64_t v = (int64_t)((x >> 5) % UINT64_C(1000000000000000000)) >> (x % 60);
        if (i & 1)
            v = -v;
        int64_t p = kdo_decimal_pow10(scale), a = v < 0 ? -v : v;
        char want[64];
        if (scale == 0)
            snprintf(want, sizeof want, "%lld", (long long)v);
        else
            snprintf(want, sizeof want, "%s%lld.%0*lld", v < 0 ? "-" : "", (long long)(a / p),
                     scale, (long long)(a % p));
        ck_assert_uint_eq(kdo_decimal_format(v, scale, t), strlen(want));
        ck_assert_str_eq(t, want);
    }
    int64_t r;
    ck_assert(kdo_decimal_arith('/', -2, 0, 3, 0, 0, &r) == 0 && r == -1); /* -0.67 -> -1 */
    ck_assert(kdo_decimal_arith('/', -1, 0, 3, 0, 0, &r) == 0 && r == 0);
    ck_assert(kdo_decimal_arith('/', 50, 1, 2, 0, 12, &r) == 0 && r == 2500000000000);
    ck_assert(kdo_decimal_arith('*', 110, 2, 25, 1, 3, &r) == 0 && r == 2750);
    ck_assert(kdo_decimal_arith('*', 15, 1, 15, 1, 1, &r) == 0 && r == 23); /* 2.25 -> 2.3 */
    ck_assert(kdo_decimal_arith('-', 1, 0, 5, 1, 1, &r) == 0 && r == 5);
    ck_assert_int_eq(kdo_decimal_arith('/', 1, 0, 0, 0, 0, &r), KDO_EINVAL);
    ck_assert_int_eq(kdo_decimal_arith('*', INT64_MAX, 0, INT64_MAX, 0, 0, &r), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_decimal_arith('/', 999999999999999999, 0, 1, 18, 0, &r), KDO_ETOOBIG);
    ck_assert(kdo_decimal_rescale(12345, 3, 1, &r) == 0 && r == 123);
    ck_assert(kdo_decimal_rescale(-125, 2, 1, &r) == 0 && r == -13);
    ck_assert_int_eq(kdo_decimal_rescale(1, 0, 18, &r), KDO_ETOOBIG);
    /* comparison across scales and types; grouping treats 1.0 and 1.00 as one */
    struct kdo_value a = kdo_value_decimal(10, 1), b = kdo_value_decimal(100, 2);
    struct kdo_value i = kdo_value_bigint(1), d = kdo_value_double(1.05);
    ck_assert_int_eq(kdo_value_compare(&a, &b), KDO_ORDER_EQ);
    ck_assert_int_eq(kdo_value_compare(&a, &i), KDO_ORDER_EQ);
    ck_assert_int_eq(kdo_value_compare(&a, &d), KDO_ORDER_LT);
    ck_assert_int_eq(kdo_value_compare(&d, &b), KDO_ORDER_GT);
    ck_assert(kdo_value_same(&a, &b));
    /* casts: to BIGINT rounds, to text keeps the scale, text in */
    struct kdo_value out, txt = kdo_value_varchar("-2.5", 4);
    ck_assert_int_eq(kdo_value_cast(&txt, KDO_TYPE_BIGINT, 0, &scratch, &out, NULL), KDO_EINVAL);
    ck_assert_int_eq(kdo_value_cast_decimal(&txt, 3, 1, &out, NULL), 0);
    ck_assert_int_eq(kdo_value_cast(&out, KDO_TYPE_BIGINT, 0, &scratch, &out, NULL), 0);
    ck_assert_int_eq(out.u.i, -3);
    ck_assert_int_eq(kdo_value_cast(&b, KDO_TYPE_VARCHAR, 0, &scratch, &out, NULL), 0);
    ck_assert_str_eq(out.u.str.s, "1.00");
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(kdo_value_cast_decimal(&i, 2, 2, &out, &e), KDO_EINVAL);
    ck_assert_msg(strstr(e.msg, "1 does not fit in DECIMAL(2,2)"), "%s", e.msg);
}
END_TEST

/* Key bytes (grouping and counting by value): each type reads back as it
 * was put, lengths add up, and 0.0 and -0.0 are one key. */
START_TEST(test_value_key_bytes_round_trip)
{
    const struct kdo_value vs[] = {kdo_value_null(), kdo_value_bool(true),
                                   kdo_value_bigint(-42), kdo_value_double(2.5),
                                   kdo_value_varchar("AMZN", 4), kdo_value_timestamp(1000),
                                   kdo_value_decimal(-1234, 2)};
    char buf[256], *p = buf;
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        char *end = kdo_value_key_put(p, &vs[i]);
        ck_assert_uint_eq((size_t)(end - p), kdo_value_key_len(&vs[i]));
        p = end;
    }
    const char *q = buf;
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        struct kdo_value v;
        q = kdo_value_key_get(q, &v);
        ck_assert_int_eq(v.type, vs[i].type);
        if (v.type != KDO_TYPE_NULL)
            ck_assert_int_eq(kdo_value_compare(&v, &vs[i]), KDO_ORDER_EQ);
    }
    ck_assert_ptr_eq(q, p);
    char a[16], b[16];
    struct kdo_value zero = kdo_value_double(0.0), minus = kdo_value_double(-0.0);
    kdo_value_key_put(a, &zero);
    kdo_value_key_put(b, &minus);
    ck_assert_int_eq(memcmp(a, b, 9), 0);
}
END_TEST

static Suite *value_suite(void)
{
    Suite *s = suite_create("value");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"compare_numbers_across_types", test_compare_numbers_across_types},
        {"double_format_shortest_digits", test_double_format_shortest_digits},
        {"compare_other_types", test_compare_other_types},
        {"equal_and_same", test_equal_and_same},
        {"timestamp_edges", test_timestamp_edges},
        {"timestamp_parse_forms", test_timestamp_parse_forms},
        {"timestamp_round_trip_sweep", test_timestamp_round_trip_sweep},
        {"double_format_like_java", test_double_format_like_java},
        {"double_format_round_trips", test_double_format_round_trips},
        {"number_parsing_is_strict", test_number_parsing_is_strict},
        {"casts", test_casts},
        {"decimal", test_decimal},
        {"utf8_lengths", test_utf8_lengths},
        {"names_fold_unless_quoted", test_names_fold_unless_quoted},
        {"schema", test_schema},
        {"row_set_checks_types", test_row_set_checks_types},
        {"row_size_limit", test_row_size_limit},
        {"arena_is_bounded", test_arena_is_bounded},
        {"value_key_bytes_round_trip", test_value_key_bytes_round_trip},
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
    SRunner *sr = srunner_create(value_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
