/*
 * test_live.c -- the live view's progress line (conformance/live.c): rows
 * read counted once (every destination reads the one source), delivered,
 * invocations and failed records summed over destinations, the highest lag,
 * cut to the room given.
 */
#include "live.h"

#include <check.h>
#include <string.h>

START_TEST(the_line_sums_destinations_and_reads_once)
{
    struct kdo_live_lane lanes[2] = {{"1.1", 5000, 4000, 12, 40, 1500},
                                     {"1.2", 5000, 4500, 0, 30, 250}};
    char line[256];
    kdo_live_line("14-http-fake", 3 * KDO_S + 400 * KDO_MS, 15 * KDO_S, lanes, 2, NULL, line,
                  sizeof line);
    ck_assert_str_eq(line, "14-http-fake  3/15 s  rows 5000 read, 8500 delivered  "
                           "invocations 70  failed 12  lag 1.5 s");
    kdo_live_line("x", 0, KDO_S, lanes, 1, NULL, line, 20);
    ck_assert_uint_eq(strlen(line), 19);
}
END_TEST

START_TEST(failures_by_kind_the_three_commonest)
{
    struct kdo_live_lane lanes[1] = {{"1.1", 100, 40, 5, 9, 0}}; /* 5 DeliveryFailed */
    uint64_t failures[KDO_REASON_COUNT] = {0};
    char line[300];
    failures[KDO_REASON_FUNCTION_ERROR] = 30;
    failures[KDO_REASON_NOT_RETURNED] = 2;
    failures[KDO_REASON_FUNCTION_TIMEOUT] = 20;
    failures[KDO_REASON_DELIVERY_FAILED] = 8;
    kdo_live_line("s", 0, KDO_S, lanes, 1, failures, line, sizeof line);
    ck_assert_str_eq(line, "s  0/1 s  rows 100 read, 40 delivered  invocations 9  failed 60 "
                           "(function_error 30, function_timeout 20, delivery_failed 8, ...)  "
                           "lag 0.0 s");
    /* a narrow terminal: the least telling parts go first, failures and lag stay */
    kdo_live_line("s", 0, KDO_S, lanes, 1, failures, line, 100);
    ck_assert_str_eq(line, "s  0/1 s  failed 60 (function_error 30, function_timeout 20, "
                           "delivery_failed 8, ...)  lag 0.0 s");
    kdo_live_line("s", 0, KDO_S, lanes, 1, failures, line, 60);
    ck_assert_str_eq(line, "s  0/1 s  failed 60 (function_error 30, ...)  lag 0.0 s");
    kdo_live_line("s", 0, KDO_S, lanes, 1, failures, line, 40);
    ck_assert_str_eq(line, "s  0/1 s  failed 60  lag 0.0 s");
    memset(failures, 0, sizeof failures); /* none yet: nothing named */
    kdo_live_line("s", 0, KDO_S, lanes, 1, failures, line, sizeof line);
    ck_assert_ptr_nonnull(strstr(line, "failed 0  lag"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("live");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, the_line_sums_destinations_and_reads_once);
    tcase_add_test(tc, failures_by_kind_the_three_commonest);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
