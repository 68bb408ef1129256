/*
 * test_metrics.c -- CloudWatch metrics of the emulated application,
 * emulator/delivery/metrics.c.
 *
 * Names and Flow dimensions are pinned against CONTRACT.md §5; data points are
 * put at hand-picked times to pin the minute buckets (59.999 s is minute 0,
 * 60 s is minute 1), the five statistics, ranges of minutes and the JSON
 * rendering (parsed with jansson).
 */
#include "delivery/metrics.h"

#include "base/buf.h"

#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_metrics *m;

static void setup(void)
{
    m = kdo_metrics_new();
}

static void teardown(void)
{
    kdo_metrics_free(m);
    m = NULL;
}

START_TEST(names_and_flows)
{
    static const struct {
        enum kdo_metric metric;
        const char *name, *flow;
    } want[] = {
        {KDO_METRIC_OK_RECORDS, "LambdaDelivery.OkRecords", NULL},
        {KDO_METRIC_DELIVERY_FAILED_RECORDS, "LambdaDelivery.DeliveryFailedRecords", NULL},
        {KDO_METRIC_DURATION, "LambdaDelivery.Duration", NULL},
        {KDO_METRIC_MILLIS_BEHIND_LATEST, "MillisBehindLatest", NULL},
        {KDO_METRIC_SUCCESS, "Success", NULL},
        {KDO_METRIC_INPUT_BYTES, "Bytes", "Input"},
        {KDO_METRIC_INPUT_RECORDS, "Records", "Input"},
        {KDO_METRIC_OUTPUT_BYTES, "Bytes", "Output"},
        {KDO_METRIC_OUTPUT_RECORDS, "Records", "Output"},
    };
    ck_assert_int_eq(sizeof want / sizeof want[0], KDO_METRIC_COUNT);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_str_eq(kdo_metric_name(want[i].metric), want[i].name);
        if (want[i].flow)
            ck_assert_str_eq(kdo_metric_flow(want[i].metric), want[i].flow);
        else
            ck_assert_ptr_null(kdo_metric_flow(want[i].metric));
        ck_assert_int_eq(kdo_metric_from_name(want[i].name, want[i].flow), want[i].metric);
    }
    ck_assert_str_eq(kdo_metric_name(KDO_METRIC_COUNT), "unknown");
    ck_assert_ptr_null(kdo_metric_flow(KDO_METRIC_COUNT));
}
END_TEST

START_TEST(from_name_with_and_without_flow)
{
    ck_assert_int_eq(kdo_metric_from_name("Bytes", "Input"), KDO_METRIC_INPUT_BYTES);
    ck_assert_int_eq(kdo_metric_from_name("Records", "Input"), KDO_METRIC_INPUT_RECORDS);
    ck_assert_int_eq(kdo_metric_from_name("Bytes", NULL), KDO_METRIC_OUTPUT_BYTES);
    ck_assert_int_eq(kdo_metric_from_name("Records", NULL), KDO_METRIC_OUTPUT_RECORDS);
    ck_assert_int_eq(kdo_metric_from_name("Bytes", "Output"), KDO_METRIC_OUTPUT_BYTES);
    ck_assert_int_eq(kdo_metric_from_name("Bytes", "Sideways"), -1);
    /* Metrics without a Flow dimension take none. */
    ck_assert_int_eq(kdo_metric_from_name("LambdaDelivery.OkRecords", NULL),
                     KDO_METRIC_OK_RECORDS);
    ck_assert_int_eq(kdo_metric_from_name("MillisBehindLatest", "Input"), -1);
    ck_assert_int_eq(kdo_metric_from_name("Success", NULL), KDO_METRIC_SUCCESS);
    /* Names that do not exist in AWS/KinesisAnalytics (CONTRACT.md §5). */
    ck_assert_int_eq(kdo_metric_from_name("LambdaDelivery.Success", NULL), -1);
    ck_assert_int_eq(kdo_metric_from_name("LambdaDelivery.Bytes", NULL), -1);
    ck_assert_int_eq(kdo_metric_from_name("bytes", "Input"), -1);
    ck_assert_int_eq(kdo_metric_from_name("", NULL), -1);
}
END_TEST

START_TEST(stat_names)
{
    ck_assert_int_eq(kdo_stat_from_name("Sum"), KDO_STAT_SUM);
    ck_assert_int_eq(kdo_stat_from_name("Average"), KDO_STAT_AVERAGE);
    ck_assert_int_eq(kdo_stat_from_name("Maximum"), KDO_STAT_MAXIMUM);
    ck_assert_int_eq(kdo_stat_from_name("Minimum"), KDO_STAT_MINIMUM);
    ck_assert_int_eq(kdo_stat_from_name("SampleCount"), KDO_STAT_SAMPLE_COUNT);
    ck_assert_int_eq(kdo_stat_from_name("sum"), -1);
    ck_assert_int_eq(kdo_stat_from_name("Max"), -1);
    ck_assert_int_eq(kdo_stat_from_name("p99"), -1);
}
END_TEST

START_TEST(empty_stat_values_are_zero)
{
    const struct kdo_stat *t = kdo_metrics_total(m, KDO_METRIC_DURATION);
    for (int k = KDO_STAT_SUM; k <= KDO_STAT_SAMPLE_COUNT; k++)
        ck_assert_double_eq(kdo_stat_value(t, (enum kdo_stat_kind)k), 0.0);
    ck_assert_uint_eq(kdo_metrics_minutes(m), 0);
    struct kdo_stat s = kdo_metrics_minute(m, KDO_METRIC_DURATION, 0);
    ck_assert_uint_eq(s.count, 0);
    kdo_metrics_free(NULL);
}
END_TEST

START_TEST(statistics_of_points)
{
    kdo_metrics_put(m, 0, KDO_METRIC_DURATION, 20);
    kdo_metrics_put(m, KDO_S, KDO_METRIC_DURATION, -5);
    kdo_metrics_put(m, 2 * KDO_S, KDO_METRIC_DURATION, 45);
    const struct kdo_stat *t = kdo_metrics_total(m, KDO_METRIC_DURATION);
    ck_assert_double_eq(kdo_stat_value(t, KDO_STAT_SUM), 60.0);
    ck_assert_double_eq(kdo_stat_value(t, KDO_STAT_AVERAGE), 20.0);
    ck_assert_double_eq(kdo_stat_value(t, KDO_STAT_MINIMUM), -5.0);
    ck_assert_double_eq(kdo_stat_value(t, KDO_STAT_MAXIMUM), 45.0);
    ck_assert_double_eq(kdo_stat_value(t, KDO_STAT_SAMPLE_COUNT), 3.0);
    /* Other metrics are untouched. */
    ck_assert_uint_eq(kdo_metrics_total(m, KDO_METRIC_SUCCESS)->count, 0);
}
END_TEST

/* Success is 1 or 0 per attempt: its Average is the success ratio. */
START_TEST(success_average_is_ratio)
{
    for (int i = 0; i < 4; i++)
        kdo_metrics_put(m, i * KDO_S, KDO_METRIC_SUCCESS, i == 0 ? 0 : 1);
    ck_assert_double_eq(kdo_stat_value(kdo_metrics_total(m, KDO_METRIC_SUCCESS), KDO_STAT_AVERAGE),
                        0.75);
}
END_TEST

START_TEST(per_minute_bucketing)
{
    kdo_metrics_put(m, 0, KDO_METRIC_OK_RECORDS, 1);
    kdo_metrics_put(m, 59999 * KDO_MS, KDO_METRIC_OK_RECORDS, 2);
    kdo_metrics_put(m, 60 * KDO_S, KDO_METRIC_OK_RECORDS, 4);
    kdo_metrics_put(m, 119999999999, KDO_METRIC_OK_RECORDS, 8);
    kdo_metrics_put(m, 120 * KDO_S, KDO_METRIC_OK_RECORDS, 16);
    ck_assert_uint_eq(kdo_metrics_minutes(m), 3);
    struct kdo_stat s0 = kdo_metrics_minute(m, KDO_METRIC_OK_RECORDS, 0);
    struct kdo_stat s1 = kdo_metrics_minute(m, KDO_METRIC_OK_RECORDS, 1);
    struct kdo_stat s2 = kdo_metrics_minute(m, KDO_METRIC_OK_RECORDS, 2);
    ck_assert_double_eq(s0.sum, 3.0);
    ck_assert_uint_eq(s0.count, 2);
    ck_assert_double_eq(s1.sum, 12.0);
    ck_assert_uint_eq(s1.count, 2);
    ck_assert_double_eq(s2.sum, 16.0);
    ck_assert_double_eq(kdo_metrics_total(m, KDO_METRIC_OK_RECORDS)->sum, 31.0);
    /* Past the end: an empty stat. */
    struct kdo_stat past = kdo_metrics_minute(m, KDO_METRIC_OK_RECORDS, 3);
    ck_assert_uint_eq(past.count, 0);
    ck_assert_double_eq(past.sum, 0.0);
}
END_TEST

START_TEST(negative_time_goes_to_minute_zero)
{
    kdo_metrics_put(m, -5 * KDO_S, KDO_METRIC_MILLIS_BEHIND_LATEST, 7);
    ck_assert_uint_eq(kdo_metrics_minutes(m), 1);
    ck_assert_double_eq(kdo_metrics_minute(m, KDO_METRIC_MILLIS_BEHIND_LATEST, 0).max, 7.0);
}
END_TEST

/* Minutes with no points between two with points are empty; far minutes
 * grow the table. */
START_TEST(gaps_and_growth)
{
    kdo_metrics_put(m, 30 * KDO_S, KDO_METRIC_INPUT_BYTES, 100);
    kdo_metrics_put(m, 100 * KDO_MIN + KDO_S, KDO_METRIC_INPUT_BYTES, 200);
    ck_assert_uint_eq(kdo_metrics_minutes(m), 101);
    for (size_t k = 1; k < 100; k++)
        ck_assert_uint_eq(kdo_metrics_minute(m, KDO_METRIC_INPUT_BYTES, k).count, 0);
    ck_assert_double_eq(kdo_metrics_minute(m, KDO_METRIC_INPUT_BYTES, 100).sum, 200.0);
    ck_assert_double_eq(kdo_metrics_minute(m, KDO_METRIC_INPUT_BYTES, 0).sum, 100.0);
    kdo_metrics_put(m, 1000 * KDO_MIN, KDO_METRIC_INPUT_BYTES, 1);
    ck_assert_uint_eq(kdo_metrics_minutes(m), 1001);
    ck_assert_double_eq(kdo_metrics_minute(m, KDO_METRIC_INPUT_BYTES, 100).sum, 200.0);
    ck_assert_uint_eq(kdo_metrics_minute(m, KDO_METRIC_INPUT_BYTES, 500).count, 0);
}
END_TEST

START_TEST(range_over_minutes)
{
    /* minute 0: 10, 30; minute 1: nothing; minute 2: 5; minute 3: 100 */
    kdo_metrics_put(m, 1 * KDO_S, KDO_METRIC_DURATION, 10);
    kdo_metrics_put(m, 2 * KDO_S, KDO_METRIC_DURATION, 30);
    kdo_metrics_put(m, 2 * KDO_MIN, KDO_METRIC_DURATION, 5);
    kdo_metrics_put(m, 3 * KDO_MIN, KDO_METRIC_DURATION, 100);
    struct kdo_stat s = kdo_metrics_range(m, KDO_METRIC_DURATION, 0, 3);
    ck_assert_uint_eq(s.count, 3);
    ck_assert_double_eq(s.sum, 45.0);
    ck_assert_double_eq(s.min, 5.0);
    ck_assert_double_eq(s.max, 30.0);
    ck_assert_double_eq(kdo_stat_value(&s, KDO_STAT_AVERAGE), 15.0);
    s = kdo_metrics_range(m, KDO_METRIC_DURATION, 1, 2); /* only the empty minute */
    ck_assert_uint_eq(s.count, 0);
    ck_assert_double_eq(kdo_stat_value(&s, KDO_STAT_MINIMUM), 0.0);
    s = kdo_metrics_range(m, KDO_METRIC_DURATION, 1, 1000); /* to past the end */
    ck_assert_uint_eq(s.count, 2);
    ck_assert_double_eq(s.min, 5.0);
    ck_assert_double_eq(s.max, 100.0);
    s = kdo_metrics_range(m, KDO_METRIC_DURATION, 3, 1);
    ck_assert_uint_eq(s.count, 0);
    s = kdo_metrics_range(m, KDO_METRIC_DURATION, 0, kdo_metrics_minutes(m));
    ck_assert_double_eq(s.sum, kdo_metrics_total(m, KDO_METRIC_DURATION)->sum);
    ck_assert_uint_eq(s.count, kdo_metrics_total(m, KDO_METRIC_DURATION)->count);
}
END_TEST

START_TEST(to_json_parses)
{
    kdo_metrics_put(m, 0, KDO_METRIC_OK_RECORDS, 3);
    kdo_metrics_put(m, 61 * KDO_S, KDO_METRIC_OK_RECORDS, 0.5);
    kdo_metrics_put(m, 61 * KDO_S, KDO_METRIC_INPUT_BYTES, 1e12);
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 20);
    ck_assert_int_eq(kdo_metrics_to_json(m, &b), 0);
    json_error_t e;
    json_t *root = json_loadb(b.data, b.len, 0, &e);
    if (root == NULL)
        ck_abort_msg("not JSON (%s): %s", e.text, b.data);
    ck_assert_str_eq(json_string_value(json_object_get(root, "namespace")), "AWS/KinesisAnalytics");
    json_t *arr = json_object_get(root, "metrics");
    ck_assert_uint_eq(json_array_size(arr), KDO_METRIC_COUNT);
    for (size_t i = 0; i < KDO_METRIC_COUNT; i++) {
        json_t *o = json_array_get(arr, i);
        ck_assert_str_eq(json_string_value(json_object_get(o, "name")),
                         kdo_metric_name((enum kdo_metric)i));
        const char *flow = kdo_metric_flow((enum kdo_metric)i);
        json_t *jf = json_object_get(o, "Flow");
        if (flow)
            ck_assert_str_eq(json_string_value(jf), flow);
        else
            ck_assert_ptr_null(jf);
        ck_assert_uint_eq(json_array_size(json_object_get(o, "perMinute")), 2);
    }
    json_t *ok = json_array_get(arr, KDO_METRIC_OK_RECORDS);
    json_t *total = json_object_get(ok, "total");
    ck_assert_double_eq(json_number_value(json_object_get(total, "Sum")), 3.5);
    ck_assert_int_eq(json_integer_value(json_object_get(total, "SampleCount")), 2);
    ck_assert_double_eq(json_number_value(json_object_get(total, "Minimum")), 0.5);
    ck_assert_double_eq(json_number_value(json_object_get(total, "Maximum")), 3.0);
    ck_assert_double_eq(json_number_value(json_object_get(total, "Average")), 1.75);
    json_t *m1 = json_array_get(json_object_get(ok, "perMinute"), 1);
    ck_assert_double_eq(json_number_value(json_object_get(m1, "Sum")), 0.5);
    json_t *ib = json_object_get(json_array_get(arr, KDO_METRIC_INPUT_BYTES), "total");
    ck_assert_double_eq(json_number_value(json_object_get(ib, "Sum")), 1e12);
    json_decref(root);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(to_json_empty_parses)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 20);
    ck_assert_int_eq(kdo_metrics_to_json(m, &b), 0);
    json_error_t e;
    json_t *root = json_loadb(b.data, b.len, 0, &e);
    if (root == NULL)
        ck_abort_msg("not JSON (%s): %s", e.text, b.data);
    json_t *first = json_array_get(json_object_get(root, "metrics"), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(first, "perMinute")), 0);
    json_decref(root);
    kdo_buf_cleanup(&b);
}
END_TEST

static Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"names_and_flows", names_and_flows},
        {"from_name_with_and_without_flow", from_name_with_and_without_flow},
        {"stat_names", stat_names},
        {"empty_stat_values_are_zero", empty_stat_values_are_zero},
        {"statistics_of_points", statistics_of_points},
        {"success_average_is_ratio", success_average_is_ratio},
        {"per_minute_bucketing", per_minute_bucketing},
        {"negative_time_goes_to_minute_zero", negative_time_goes_to_minute_zero},
        {"gaps_and_growth", gaps_and_growth},
        {"range_over_minutes", range_over_minutes},
        {"to_json_parses", to_json_parses},
        {"to_json_empty_parses", to_json_empty_parses},
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
    SRunner *sr = srunner_create(metrics_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
