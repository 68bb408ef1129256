/*
 * test_timestamp.c -- KDA SQL's TIMESTAMP as text: emulator/base/timestamp.c.
 *
 * Written always as "yyyy-MM-dd HH:mm:ss.SSS" (UTC, 23 characters and a
 * NUL), for years 0001 to 9999 and not one millisecond past either end;
 * read as "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss" or that with 1 to 3 fraction
 * digits, a 'T' allowed for the space, every field in range (February 29
 * only in leap years), nothing before or after.  (test_value.c keeps older
 * round-trip sweeps over the same functions.)
 */
#include "base/timestamp.h"

#include "base/errors.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS INT64_C(86400000)

static void expect_format(int64_t ms, const char *want)
{
    char out[KDO_TIMESTAMP_TEXT];
    memset(out, 'x', sizeof out);
    ck_assert_int_eq(kdo_timestamp_format(ms, out), 0);
    ck_assert_msg(strcmp(out, want) == 0, "%lld: got [%s], want [%s]", (long long)ms, out, want);
    ck_assert_uint_eq(strlen(out), KDO_TIMESTAMP_TEXT - 1);
}

static void expect_parse(const char *s, int64_t want)
{
    int64_t got = 42;
    int rc = kdo_timestamp_parse(s, strlen(s), &got);
    ck_assert_msg(rc == 0 && got == want, "[%s]: rc %d, got %lld, want %lld", s, rc,
                  (long long)got, (long long)want);
}

/* --- writing ---------------------------------------------------------------- */

START_TEST(test_format_is_kdas_with_milliseconds)
{
    expect_format(0, "1970-01-01 00:00:00.000");
    expect_format(1, "1970-01-01 00:00:00.001");
    expect_format(999, "1970-01-01 00:00:00.999");
    expect_format(DAY_MS - 1, "1970-01-01 23:59:59.999");
    expect_format(INT64_C(1513300190123), "2017-12-15 01:09:50.123");
    expect_format(INT64_C(1767225600000), "2026-01-01 00:00:00.000");
}
END_TEST

START_TEST(test_format_before_the_epoch_counts_back)
{
    expect_format(-1, "1969-12-31 23:59:59.999");
    expect_format(-DAY_MS, "1969-12-31 00:00:00.000");
    expect_format(-DAY_MS - 1, "1969-12-30 23:59:59.999");
    expect_format(INT64_C(-2208988800000), "1900-01-01 00:00:00.000");
}
END_TEST

START_TEST(test_format_calendar_edges)
{
    expect_format(INT64_C(951782400000), "2000-02-29 00:00:00.000"); /* 400-year leap */
    expect_format(INT64_C(951868800000), "2000-03-01 00:00:00.000");
    expect_format(INT64_C(4107456000000), "2100-02-28 00:00:00.000"); /* century: no leap */
    expect_format(INT64_C(4107542400000), "2100-03-01 00:00:00.000");
    expect_format(INT64_C(978220800000), "2000-12-31 00:00:00.000"); /* day 366 */
}
END_TEST

START_TEST(test_format_reaches_both_ends_and_refuses_one_past)
{
    expect_format(KDO_TIMESTAMP_MIN_MS, "0001-01-01 00:00:00.000");
    expect_format(KDO_TIMESTAMP_MAX_MS, "9999-12-31 23:59:59.999");
    const int64_t bad[] = {KDO_TIMESTAMP_MIN_MS - 1, KDO_TIMESTAMP_MAX_MS + 1, INT64_MIN,
                           INT64_MAX};
    for (size_t i = 0; i < N(bad); i++) {
        char out[KDO_TIMESTAMP_TEXT];
        memset(out, 'x', sizeof out);
        ck_assert_msg(kdo_timestamp_format(bad[i], out) == KDO_EINVAL, "%lld formatted as [%.23s]",
                      (long long)bad[i], out);
        ck_assert_str_eq(out, ""); /* an empty text, never garbage */
    }
}
END_TEST

/* --- reading ---------------------------------------------------------------- */

START_TEST(test_parse_every_documented_form)
{
    const int64_t t0 = INT64_C(1513300190000); /* 2017-12-15 01:09:50 */
    expect_parse("2017-12-15", INT64_C(1513296000000));
    expect_parse("2017-12-15 01:09:50", t0);
    expect_parse("2017-12-15T01:09:50", t0);
    expect_parse("2017-12-15 01:09:50.1", t0 + 100);
    expect_parse("2017-12-15 01:09:50.12", t0 + 120);
    expect_parse("2017-12-15 01:09:50.123", t0 + 123);
    expect_parse("2017-12-15T01:09:50.007", t0 + 7);
    expect_parse("1969-12-31 23:59:59.999", -1);
    expect_parse("0001-01-01", KDO_TIMESTAMP_MIN_MS);
    expect_parse("9999-12-31 23:59:59.999", KDO_TIMESTAMP_MAX_MS);
    expect_parse("2000-02-29", INT64_C(951782400000));
    expect_parse("2024-02-29 23:59:59", INT64_C(1709251199000));
}
END_TEST

START_TEST(test_parse_refuses_fields_out_of_range)
{
    const char *bad[] = {
        "0000-12-31",          "2017-00-10",          "2017-13-01",          "2017-01-00",
        "2017-01-32",          "2017-04-31",          "2017-06-31",          "2017-02-29",
        "2100-02-29",          "1900-02-29",          "2017-12-15 24:00:00", "2017-12-15 23:60:00",
        "2017-12-15 23:59:60", "2017-12-15 99:99:99",
    };
    for (size_t i = 0; i < N(bad); i++) {
        int64_t got = 42;
        ck_assert_msg(kdo_timestamp_parse(bad[i], strlen(bad[i]), &got) == KDO_EINVAL,
                      "[%s] accepted as %lld", bad[i], (long long)got);
        ck_assert_msg(got == 42, "[%s] wrote %lld on refusal", bad[i], (long long)got);
    }
}
END_TEST

START_TEST(test_parse_refuses_other_shapes)
{
    const char *bad[] = {
        "",                         "2017",                      "2017-12",
        "2017-1-15",                "17-12-15",                  "+2017-12-15",
        "-2017-12-15",              "2017/12/15",                "2017-12-15 ",
        "2017-12-15T",              "2017-12-15X01:09:50",       "2017-12-15  01:09:50",
        "2017-12-15 01:09",         "2017-12-15 1:09:50",        "2017-12-15 01:09:50.",
        "2017-12-15 01:09:50.1234", "2017-12-15 01:09:50,123",   "2017-12-15 01:09:50Z",
        "2017-12-15 01:09:50.12Z",  "2017-12-15 01:09:50+00:00", " 2017-12-15",
        "2017-12-15\n",             "12017-12-15",               "2017-12-15 01:09:50.-1",
    };
    for (size_t i = 0; i < N(bad); i++) {
        int64_t got = 42;
        ck_assert_msg(kdo_timestamp_parse(bad[i], strlen(bad[i]), &got) == KDO_EINVAL,
                      "[%s] accepted as %lld", bad[i], (long long)got);
    }
}
END_TEST

/* The parser reads the n bytes it is given, no more: a prefix of a longer
 * text is judged on its own. */
START_TEST(test_parse_reads_only_the_n_bytes_given)
{
    const char *s = "2017-12-15 01:09:50.123";
    int64_t got = 0;
    ck_assert_int_eq(kdo_timestamp_parse(s, 10, &got), 0);
    ck_assert_int_eq(got, INT64_C(1513296000000));
    ck_assert_int_eq(kdo_timestamp_parse(s, 21, &got), 0); /* ".1" */
    ck_assert_int_eq(got, INT64_C(1513300190100));
    ck_assert_int_eq(kdo_timestamp_parse(s, 11, &got), KDO_EINVAL); /* a trailing space */
    ck_assert_int_eq(kdo_timestamp_parse(s, 20, &got), KDO_EINVAL); /* a bare point */
    ck_assert_int_eq(kdo_timestamp_parse(s, 0, &got), KDO_EINVAL);
}
END_TEST

/* Every first and last millisecond of each month of a leap and a common
 * year reads back from its own text. */
START_TEST(test_month_boundaries_round_trip)
{
    const int years[] = {1, 1600, 1900, 1970, 2000, 2023, 2024, 9999};
    for (size_t y = 0; y < N(years); y++)
        for (int m = 1; m <= 12; m++) {
            char day1[16];
            int64_t first, back;
            snprintf(day1, sizeof day1, "%04d-%02d-01", years[y], m);
            ck_assert_int_eq(kdo_timestamp_parse(day1, strlen(day1), &first), 0);
            const int64_t ms[] = {first, first - 1};
            for (size_t k = 0; k < N(ms); k++) {
                char out[KDO_TIMESTAMP_TEXT];
                if (kdo_timestamp_format(ms[k], out) != 0) {
                    ck_assert(ms[k] < KDO_TIMESTAMP_MIN_MS); /* the day before year 1 */
                    continue;
                }
                ck_assert_int_eq(kdo_timestamp_parse(out, strlen(out), &back), 0);
                ck_assert_msg(back == ms[k], "%s: %lld != %lld", out, (long long)back,
                              (long long)ms[k]);
            }
        }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("timestamp");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"format_is_kdas_with_milliseconds", test_format_is_kdas_with_milliseconds},
        {"format_before_the_epoch_counts_back", test_format_before_the_epoch_counts_back},
        {"format_calendar_edges", test_format_calendar_edges},
        {"format_reaches_both_ends_and_refuses_one_past",
         test_format_reaches_both_ends_and_refuses_one_past},
        {"parse_every_documented_form", test_parse_every_documented_form},
        {"parse_refuses_fields_out_of_range", test_parse_refuses_fields_out_of_range},
        {"parse_refuses_other_shapes", test_parse_refuses_other_shapes},
        {"parse_reads_only_the_n_bytes_given", test_parse_reads_only_the_n_bytes_given},
        {"month_boundaries_round_trip", test_month_boundaries_round_trip},
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
