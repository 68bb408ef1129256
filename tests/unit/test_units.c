/*
 * test_units.c -- values with units as written in scenarios,
 * conformance/units.c.
 *
 * Table-driven: each accepted text with its exact value, each refused text
 * with the return code and the `why` sentence, which must quote what was
 * found and say what was expected.  Where units.h leaves a choice open (a
 * space between number and unit), the implemented behaviour is pinned.
 */
#include "units.h"

#include "base/errors.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char why[300];

/* `why` names the text and what was expected. */
static void assert_why(const char *text, const char *expected)
{
    char found[200];
    snprintf(found, sizeof found, "found \"%s\"", text);
    ck_assert_msg(strstr(why, found) != NULL, "why \"%s\" does not quote %s", why, found);
    ck_assert_msg(strstr(why, expected) != NULL, "why \"%s\" lacks \"%s\"", why, expected);
}

START_TEST(durations)
{
    static const struct {
        const char *s;
        kdo_time_ns want;
    } ok[] = {
        {"250ms", 250 * KDO_MS}, {"60s", 60 * KDO_S},    {"1.5s", 1500 * KDO_MS},
        {"2m", 2 * KDO_MIN},     {"2min", 2 * KDO_MIN},  {"1h", 3600 * KDO_S},
        {"60", 60 * KDO_S},      {"0.25", 250 * KDO_MS}, {"0", 0},
        {"0s", 0},               {"10us", 10 * KDO_US},  {"7ns", 7},
        {"1e3ms", KDO_S},        {"900s", 900 * KDO_S},  {"720h", 720 * 3600 * KDO_S},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        kdo_time_ns v = -1;
        why[0] = '\0';
        ck_assert_int_eq(kdo_units_duration(ok[i].s, &v, why, sizeof why), 0);
        ck_assert_int_eq(v, ok[i].want);
    }
}
END_TEST

/* units.h does not say whether "60 s" is allowed: spaces between the number
 * and the unit are accepted; leading and trailing spaces are not. */
START_TEST(duration_space_before_unit)
{
    kdo_time_ns v = 0;
    ck_assert_int_eq(kdo_units_duration("60 s", &v, why, sizeof why), 0);
    ck_assert_int_eq(v, 60 * KDO_S);
    ck_assert_int_eq(kdo_units_duration(" 60s", &v, why, sizeof why), KDO_ESCHEMA);
    ck_assert_int_eq(kdo_units_duration("60s ", &v, why, sizeof why), KDO_ESCHEMA);
}
END_TEST

START_TEST(duration_rejections)
{
    static const char *const bad[] = {"abc", "-1s", "", "s", "10 parsecs", "1sec",
                                      "1S", "+1s", "nan", "inf", "1e400s", "1s2", "1e19s"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kdo_time_ns v = 12345;
        why[0] = '\0';
        ck_assert_int_eq(kdo_units_duration(bad[i], &v, why, sizeof why), KDO_ESCHEMA);
        ck_assert_int_eq(v, 12345); /* untouched */
        assert_why(bad[i], "a duration such as 250ms");
    }
}
END_TEST

START_TEST(sizes)
{
    static const struct {
        const char *s;
        uint64_t want;
    } ok[] = {
        {"100B", 100},          {"100", 100},          {"512KB", 524288},
        {"6MB", 6291456},       {"6MiB", 6291456},     {"1KiB", 1024},
        {"1GB", 1073741824},    {"1GiB", 1073741824},  {"0.5KB", 512},
        {"0", 0},               {"6291456", 6291456},  {"512 KB", 524288},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 1;
        ck_assert_int_eq(kdo_units_size(ok[i].s, &v, why, sizeof why), 0);
        ck_assert_uint_eq(v, ok[i].want);
    }
}
END_TEST

START_TEST(size_rejections)
{
    static const char *const bad[] = {"1.5B", "-1B", "abc", "1kb", "1mb", "1TB", "", "0.3KB",
                                      "10 bytes"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 7;
        ck_assert_int_eq(kdo_units_size(bad[i], &v, why, sizeof why), KDO_ESCHEMA);
        ck_assert_uint_eq(v, 7);
        assert_why(bad[i], "a whole size such as 100B");
    }
}
END_TEST

START_TEST(rates)
{
    static const struct {
        const char *s;
        double want;
    } ok[] = {
        {"1000/s", 1000}, {"1000/sec", 1000}, {"60/min", 1}, {"60/m", 1},
        {"3600/h", 1},    {"50", 50},         {"0/s", 0},    {"0.5/s", 0.5},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = -1;
        ck_assert_int_eq(kdo_units_rate(ok[i].s, &v, why, sizeof why), 0);
        ck_assert_double_eq_tol(v, ok[i].want, 1e-12);
    }
    static const char *const bad[] = {"-5/s", "1000/day", "abc", "1000 per s", "2e9/s", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 3;
        ck_assert_int_eq(kdo_units_rate(bad[i], &v, why, sizeof why), KDO_ESCHEMA);
        ck_assert_double_eq(v, 3);
        assert_why(bad[i], "a rate such as 1000/s");
    }
}
END_TEST

START_TEST(counts)
{
    static const struct {
        const char *s;
        uint64_t want;
    } ok[] = {{"0", 0}, {"3", 3}, {"1000", 1000}, {"18446744073709551615", UINT64_MAX}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 1;
        ck_assert_int_eq(kdo_units_count(ok[i].s, &v, why, sizeof why), 0);
        ck_assert_uint_eq(v, ok[i].want);
    }
    static const char *const bad[] = {"-1", "1.5", "1e3", "abc", "", " 3", "3 ",
                                      "18446744073709551616", "0x10", "+3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 9;
        ck_assert_int_eq(kdo_units_count(bad[i], &v, why, sizeof why), KDO_ESCHEMA);
        ck_assert_uint_eq(v, 9);
        assert_why(bad[i], "a whole number");
    }
}
END_TEST

START_TEST(probabilities)
{
    static const struct {
        const char *s;
        double want;
    } ok[] = {{"0.25", 0.25}, {"25%", 0.25}, {"0", 0}, {"1", 1}, {"100%", 1}, {"0%", 0},
              {"12.5%", 0.125}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = -1;
        ck_assert_int_eq(kdo_units_probability(ok[i].s, &v, why, sizeof why), 0);
        ck_assert_double_eq_tol(v, ok[i].want, 1e-12);
    }
    static const char *const bad[] = {"101%", "1.01", "-0.1", "-5%", "half", "25 percent", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 0.5;
        ck_assert_int_eq(kdo_units_probability(bad[i], &v, why, sizeof why), KDO_ESCHEMA);
        ck_assert_double_eq(v, 0.5);
        assert_why(bad[i], "a probability between 0 and 1");
    }
}
END_TEST

START_TEST(booleans)
{
    int v = -1;
    ck_assert_int_eq(kdo_units_bool("true", &v, why, sizeof why), 0);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(kdo_units_bool("false", &v, why, sizeof why), 0);
    ck_assert_int_eq(v, 0);
    static const char *const bad[] = {"yes", "True", "1", "", "on"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 5;
        ck_assert_int_eq(kdo_units_bool(bad[i], &v, why, sizeof why), KDO_ESCHEMA);
        ck_assert_int_eq(v, 5);
        assert_why(bad[i], "true or false");
    }
}
END_TEST

START_TEST(numbers)
{
    static const struct {
        const char *s;
        double want;
    } ok[] = {{"0", 0}, {"-1.5", -1.5}, {"1e3", 1000}, {"120001", 120001}, {"0.75", 0.75}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = 99;
        ck_assert_int_eq(kdo_units_number(ok[i].s, &v, why, sizeof why), 0);
        ck_assert_double_eq(v, ok[i].want);
    }
    static const char *const bad[] = {"abc", "1s", "", "1 2", "nan", "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 99;
        ck_assert_int_eq(kdo_units_number(bad[i], &v, why, sizeof why), KDO_ESCHEMA);
        ck_assert_double_eq(v, 99);
        assert_why(bad[i], "a number");
    }
}
END_TEST

/* A short `why` buffer is truncated, never overrun. */
START_TEST(why_is_bounded)
{
    char small[8];
    memset(small, 'Z', sizeof small);
    kdo_time_ns v;
    ck_assert_int_eq(kdo_units_duration("a-very-long-bad-duration", &v, small, sizeof small),
                     KDO_ESCHEMA);
    ck_assert_uint_eq(strlen(small), sizeof small - 1);
}
END_TEST

static Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"durations", durations},
        {"duration_space_before_unit", duration_space_before_unit},
        {"duration_rejections", duration_rejections},
        {"sizes", sizes},
        {"size_rejections", size_rejections},
        {"rates", rates},
        {"counts", counts},
        {"probabilities", probabilities},
        {"booleans", booleans},
        {"numbers", numbers},
        {"why_is_bounded", why_is_bounded},
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
    SRunner *sr = srunner_create(units_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
