/*
 * test_srvstats.c -- a Lambda server's request statistics,
 * emulator/lambda/srvstats.c: counting by route and status, error kinds
 * (timeouts, function errors, throttles, 413), the latency histogram, the
 * bounded tables, the Prometheus families and the live progress line.
 * Durations are given by hand.
 */
#include "lambda/srvstats.h"

#include "base/ktime.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char timed_out[] =
    "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"Task timed out after 3.00 seconds\"}";

START_TEST(error_kinds)
{
    ck_assert_ptr_null(kdo_srvstats_error_kind(200, NULL, NULL, "[]", 2));
    ck_assert_ptr_null(kdo_srvstats_error_kind(202, NULL, NULL, "", 0));
    ck_assert_str_eq(kdo_srvstats_error_kind(200, "Unhandled", NULL, "{}", 2), "Unhandled");
    ck_assert_str_eq(kdo_srvstats_error_kind(200, "Unhandled", NULL, timed_out,
                                             strlen(timed_out)),
                     "Sandbox.Timedout");
    ck_assert_str_eq(kdo_srvstats_error_kind(429, NULL, "TooManyRequestsException", "", 0),
                     "TooManyRequestsException");
    ck_assert_str_eq(kdo_srvstats_error_kind(413, NULL, "RequestEntityTooLargeException", "", 0),
                     "RequestEntityTooLargeException");
    ck_assert_str_eq(kdo_srvstats_error_kind(502, NULL, NULL, "", 0), "ServiceException");
    ck_assert_str_eq(kdo_srvstats_error_kind(0, NULL, NULL, NULL, 0), "ConnectionClosed");
}
END_TEST

START_TEST(counts_by_route_status_and_kind)
{
    struct kdo_srvstats s;
    kdo_srvstats_init(&s);
    for (int i = 0; i < 3; i++) {
        kdo_srvstats_begin(&s);
        kdo_srvstats_done(&s, KDO_SRVSTATS_INVOKE, 200, 2 * KDO_MS, NULL);
    }
    kdo_srvstats_begin(&s);
    kdo_srvstats_begin(&s);
    kdo_srvstats_done(&s, KDO_SRVSTATS_INVOKE, 429, 0, "TooManyRequestsException");
    ck_assert_int_eq(s.in_flight, 1);
    kdo_srvstats_done(&s, KDO_SRVSTATS_ADMIN, 200, KDO_MS, NULL);
    ck_assert_int_eq(s.in_flight, 0);
    ck_assert_uint_eq(kdo_srvstats_requests(&s, KDO_SRVSTATS_INVOKE), 4);
    ck_assert_uint_eq(kdo_srvstats_requests(&s, KDO_SRVSTATS_ADMIN), 1);
    ck_assert_uint_eq(kdo_srvstats_requests(&s, KDO_SRVSTATS_CONFIGURATION), 0);
    ck_assert_uint_eq(s.nkinds, 1);
    ck_assert_uint_eq(s.errors[0], 1);
    /* 2 ms is in (1 ms, 5 ms]: the second bucket */
    ck_assert_uint_eq(s.latency[KDO_SRVSTATS_INVOKE][1], 3);
    ck_assert_uint_eq(s.latency[KDO_SRVSTATS_INVOKE][0], 1);
}
END_TEST

START_TEST(tables_bounded_rest_is_other)
{
    struct kdo_srvstats s;
    char kind[32];
    kdo_srvstats_init(&s);
    for (int i = 0; i < 100; i++) {
        snprintf(kind, sizeof kind, "Kind%d", i);
        kdo_srvstats_begin(&s);
        kdo_srvstats_done(&s, KDO_SRVSTATS_OTHER, 300 + i, 1000 * KDO_S, kind);
    }
    ck_assert_uint_eq(s.nkinds, KDO_SRVSTATS_KINDS);
    ck_assert_str_eq(s.kinds[KDO_SRVSTATS_KINDS - 1], "other");
    ck_assert_uint_eq(s.errors[KDO_SRVSTATS_KINDS - 1], 100 - (KDO_SRVSTATS_KINDS - 1));
    ck_assert_uint_eq(s.nstatuses, KDO_SRVSTATS_STATUSES);
    ck_assert_uint_eq(kdo_srvstats_requests(&s, KDO_SRVSTATS_OTHER), 100);
    ck_assert_uint_eq(s.latency[KDO_SRVSTATS_OTHER][KDO_SRVSTATS_BUCKETS], 100); /* past 900 s */
}
END_TEST

START_TEST(families_written)
{
    struct kdo_srvstats s;
    struct kdo_buf b;
    struct kdo_promtext *w = malloc(sizeof *w);
    kdo_srvstats_init(&s);
    kdo_srvstats_begin(&s);
    kdo_srvstats_done(&s, KDO_SRVSTATS_INVOKE, 200, 30 * KDO_MS, "Unhandled");
    kdo_srvstats_begin(&s);
    kdo_srvstats_done(&s, KDO_SRVSTATS_INVOKE, 0, 0, "ConnectionClosed");
    kdo_buf_init(&b, 1 << 20);
    kdo_promtext_init(w, &b);
    ck_assert_int_eq(kdo_srvstats_write(&s, "fake-lambda", w), 0);
    ck_assert_ptr_nonnull(strstr(b.data, "kdaout_http_requests_total{server=\"fake-lambda\","
                                         "route=\"invoke\",status=\"200\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "route=\"invoke\",status=\"closed\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "kdaout_errors_total{server=\"fake-lambda\","
                                         "type=\"Unhandled\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "kdaout_http_request_duration_seconds_bucket{"
                                         "server=\"fake-lambda\",route=\"invoke\",le=\"0.025\"} 1\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "kdaout_http_request_duration_seconds_bucket{"
                                         "server=\"fake-lambda\",route=\"invoke\",le=\"0.05\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "kdaout_http_request_duration_seconds_count{"
                                         "server=\"fake-lambda\",route=\"invoke\"} 2\n"));
    ck_assert_ptr_nonnull(strstr(b.data, "kdaout_http_requests_in_flight{server=\"fake-lambda\"} 0\n"));
    kdo_promtext_cleanup(w);
    free(w);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(progress_line)
{
    struct kdo_srvstats s;
    char line[256];
    kdo_srvstats_init(&s);
    kdo_srvstats_progress(&s, "host", 0, 200, line, sizeof line);
    ck_assert_str_eq(line, "host: 0 requests, 0 invocations, 0 errors, 0 in flight, 0:00:00");
    for (int i = 0; i < 4; i++) {
        kdo_srvstats_begin(&s);
        kdo_srvstats_done(&s, KDO_SRVSTATS_INVOKE, 200, 0, i < 2 ? "Unhandled" : NULL);
    }
    kdo_srvstats_begin(&s);
    kdo_srvstats_done(&s, KDO_SRVSTATS_INVOKE, 429, 0, "TooManyRequestsException");
    kdo_srvstats_begin(&s);
    kdo_srvstats_done(&s, KDO_SRVSTATS_ADMIN, 200, 0, NULL);
    kdo_srvstats_begin(&s);
    kdo_time_ns elapsed = 3723 * KDO_S + 999 * KDO_MS; /* 1:02:03.999 */
    kdo_srvstats_progress(&s, "fake-lambda", elapsed, 200, line, sizeof line);
    ck_assert_str_eq(line, "fake-lambda: 6 requests, 5 invocations, 3 errors (2 Unhandled, "
                           "1 TooManyRequestsException), 1 in flight, 1:02:03");
    /* narrow: the kinds give way first, the counts stay */
    kdo_srvstats_progress(&s, "fake-lambda", elapsed, 80, line, sizeof line);
    ck_assert_str_eq(line, "fake-lambda: 6 requests, 5 invocations, 3 errors (...), 1 in flight, "
                           "1:02:03");
    /* narrower still: cut at the width */
    kdo_srvstats_progress(&s, "fake-lambda", elapsed, 30, line, sizeof line);
    ck_assert_uint_eq(strlen(line), 30);
    ck_assert_str_eq(line, "fake-lambda: 6 requests, 5 inv");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("srvstats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, error_kinds);
    tcase_add_test(tc, counts_by_route_status_and_kind);
    tcase_add_test(tc, tables_bounded_rest_is_other);
    tcase_add_test(tc, families_written);
    tcase_add_test(tc, progress_line);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
