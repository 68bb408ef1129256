/*
 * test_promtext.c -- the Prometheus text format writer, emulator/base/promtext.c:
 * label values escaped, HELP and TYPE once per family, histogram buckets
 * cumulative with +Inf equal to _count, names held to the grammar, numbers
 * and the CloudWatch name mapping.
 */
#include "base/promtext.h"

#include "base/errors.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_buf out;
static struct kdo_promtext *w;

static void setup(void)
{
    kdo_buf_init(&out, 1 << 20);
    w = malloc(sizeof *w);
    kdo_promtext_init(w, &out);
}

static void teardown(void)
{
    kdo_promtext_cleanup(w);
    free(w);
    kdo_buf_cleanup(&out);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

START_TEST(label_values_escaped)
{
    const struct kdo_promtext_label l[] = {{"path", "C:\\dir \"x\"\nend"}, {"b", ""}};
    ck_assert_int_eq(kdo_promtext_family(w, "t_total", KDO_PROMTEXT_COUNTER, "a \\ b\nc"), 0);
    ck_assert_int_eq(kdo_promtext_value(w, l, 2, 3), 0);
    ck_assert_str_eq(out.data, "# HELP t_total a \\\\ b\\nc\n"
                               "# TYPE t_total counter\n"
                               "t_total{path=\"C:\\\\dir \\\"x\\\"\\nend\",b=\"\"} 3\n");
}
END_TEST

START_TEST(help_and_type_once_per_family)
{
    const struct kdo_promtext_label a[] = {{"k", "a"}}, b[] = {{"k", "b"}};
    ck_assert_int_eq(kdo_promtext_family(w, "x_total", KDO_PROMTEXT_COUNTER, "x"), 0);
    ck_assert_int_eq(kdo_promtext_value(w, a, 1, 1), 0);
    ck_assert_int_eq(kdo_promtext_family(w, "x_total", KDO_PROMTEXT_COUNTER, "x"), 0);
    ck_assert_int_eq(kdo_promtext_value(w, b, 1, 2), 0);
    ck_assert_int_eq(kdo_promtext_family(w, "y", KDO_PROMTEXT_GAUGE, "y"), 0);
    ck_assert_int_eq(kdo_promtext_value(w, NULL, 0, -1.5), 0);
    ck_assert_uint_eq(count(out.data, "# HELP x_total"), 1);
    ck_assert_uint_eq(count(out.data, "# TYPE x_total counter"), 1);
    ck_assert_uint_eq(count(out.data, "# TYPE y gauge"), 1);
    ck_assert_ptr_nonnull(strstr(out.data, "y -1.5\n"));
    /* reopening a closed family would split it: refused, nothing written */
    size_t len = out.len;
    ck_assert_int_eq(kdo_promtext_family(w, "x_total", KDO_PROMTEXT_COUNTER, "x"), KDO_ESTATE);
    ck_assert_int_eq(kdo_promtext_family(w, "y", KDO_PROMTEXT_COUNTER, "y"), KDO_ESTATE);
    ck_assert_uint_eq(out.len, len);
}
END_TEST

START_TEST(histogram_cumulative_inf_is_count)
{
    const double le[] = {0.1, 0.5, 2};
    const uint64_t counts[] = {3, 0, 4, 2}; /* 2 above 2 s */
    const struct kdo_promtext_label l[] = {{"route", "invoke"}};
    ck_assert_int_eq(kdo_promtext_family(w, "d_seconds", KDO_PROMTEXT_HISTOGRAM, "d"), 0);
    ck_assert_int_eq(kdo_promtext_histogram(w, l, 1, le, 3, counts, 7.25), 0);
    ck_assert_str_eq(out.data, "# HELP d_seconds d\n"
                               "# TYPE d_seconds histogram\n"
                               "d_seconds_bucket{route=\"invoke\",le=\"0.1\"} 3\n"
                               "d_seconds_bucket{route=\"invoke\",le=\"0.5\"} 3\n"
                               "d_seconds_bucket{route=\"invoke\",le=\"2\"} 7\n"
                               "d_seconds_bucket{route=\"invoke\",le=\"+Inf\"} 9\n"
                               "d_seconds_sum{route=\"invoke\"} 7.25\n"
                               "d_seconds_count{route=\"invoke\"} 9\n");
}
END_TEST

START_TEST(histogram_refusals)
{
    const double down[] = {1, 0.5}, ok[] = {1};
    const uint64_t counts[] = {1, 1, 1};
    const struct kdo_promtext_label le[] = {{"le", "1"}};
    ck_assert_int_eq(kdo_promtext_histogram(w, NULL, 0, ok, 1, counts, 1), KDO_ESTATE);
    ck_assert_int_eq(kdo_promtext_family(w, "h", KDO_PROMTEXT_HISTOGRAM, "h"), 0);
    ck_assert_int_eq(kdo_promtext_value(w, NULL, 0, 1), KDO_ESTATE);
    ck_assert_int_eq(kdo_promtext_histogram(w, NULL, 0, down, 2, counts, 1), KDO_EINVAL);
    ck_assert_int_eq(kdo_promtext_histogram(w, le, 1, ok, 1, counts, 1), KDO_EINVAL);
    ck_assert_int_eq(kdo_promtext_histogram(w, NULL, 0, ok, 1, counts, 2), 0);
    ck_assert_ptr_nonnull(strstr(out.data, "h_bucket{le=\"+Inf\"} 2\nh_sum 2\nh_count 2\n"));
}
END_TEST

START_TEST(names_held_to_the_grammar)
{
    const struct kdo_promtext_label bad[] = {{"1x", "v"}}, reserved[] = {{"__name__", "v"}},
                                    dash[] = {{"a-b", "v"}};
    ck_assert_int_eq(kdo_promtext_family(w, "9lives", KDO_PROMTEXT_GAUGE, ""), KDO_EINVAL);
    ck_assert_int_eq(kdo_promtext_family(w, "a.b", KDO_PROMTEXT_GAUGE, ""), KDO_EINVAL);
    ck_assert_int_eq(kdo_promtext_family(w, "", KDO_PROMTEXT_GAUGE, ""), KDO_EINVAL);
    ck_assert_int_eq(kdo_promtext_value(w, NULL, 0, 1), KDO_ESTATE); /* no family yet */
    ck_assert_int_eq(kdo_promtext_family(w, "ns:ok_1", KDO_PROMTEXT_UNTYPED, ""), 0);
    ck_assert_int_eq(kdo_promtext_value(w, bad, 1, 1), KDO_EINVAL);
    ck_assert_int_eq(kdo_promtext_value(w, reserved, 1, 1), KDO_EINVAL);
    ck_assert_int_eq(kdo_promtext_value(w, dash, 1, 1), KDO_EINVAL);
    ck_assert_str_eq(out.data, "# HELP ns:ok_1 \n# TYPE ns:ok_1 untyped\n");
}
END_TEST

START_TEST(a_full_buffer_is_an_error_kept)
{
    struct kdo_buf small;
    struct kdo_promtext *t = malloc(sizeof *t);
    kdo_buf_init(&small, 40);
    kdo_promtext_init(t, &small);
    ck_assert_int_eq(kdo_promtext_family(t, "a_long_enough_name_total", KDO_PROMTEXT_COUNTER,
                                         "more than forty bytes of help text here"),
                     KDO_ETOOBIG);
    ck_assert_int_eq(t->error, KDO_ETOOBIG);
    ck_assert_int_eq(kdo_promtext_family(t, "b", KDO_PROMTEXT_GAUGE, ""), KDO_ETOOBIG);
    kdo_promtext_cleanup(t);
    free(t);
    kdo_buf_cleanup(&small);
}
END_TEST

START_TEST(numbers)
{
    char s[32];
    kdo_promtext_number(3, s);
    ck_assert_str_eq(s, "3");
    kdo_promtext_number(0.1, s);
    ck_assert_str_eq(s, "0.1");
    kdo_promtext_number(1e300, s);
    ck_assert_str_eq(s, "1e+300");
    kdo_promtext_number(INFINITY, s);
    ck_assert_str_eq(s, "+Inf");
    kdo_promtext_number(-INFINITY, s);
    ck_assert_str_eq(s, "-Inf");
    kdo_promtext_number(NAN, s);
    ck_assert_str_eq(s, "NaN");
    kdo_promtext_number(1.0 / 3, s);
    ck_assert(strtod(s, NULL) == 1.0 / 3);
}
END_TEST

START_TEST(cloudwatch_names)
{
    char s[64];
    ck_assert_int_eq(kdo_promtext_cloudwatch_name("LambdaDelivery.OkRecords", "_total", s,
                                                  sizeof s), 0);
    ck_assert_str_eq(s, "kdaout_lambdadelivery_okrecords_total");
    ck_assert_int_eq(kdo_promtext_cloudwatch_name("MillisBehindLatest", "", s, sizeof s), 0);
    ck_assert_str_eq(s, "kdaout_millisbehindlatest");
    ck_assert_int_eq(kdo_promtext_cloudwatch_name("Bytes", NULL, s, sizeof s), 0);
    ck_assert_str_eq(s, "kdaout_bytes");
    ck_assert_int_eq(kdo_promtext_cloudwatch_name("LambdaDelivery.OkRecords", "_total", s, 20),
                     KDO_ETOOBIG);
    ck_assert_int_eq(kdo_promtext_cloudwatch_name("", "", s, sizeof s), KDO_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("promtext");
    TCase *tc = tcase_create("writer");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, label_values_escaped);
    tcase_add_test(tc, help_and_type_once_per_family);
    tcase_add_test(tc, histogram_cumulative_inf_is_count);
    tcase_add_test(tc, histogram_refusals);
    tcase_add_test(tc, names_held_to_the_grammar);
    tcase_add_test(tc, a_full_buffer_is_an_error_kept);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, cloudwatch_names);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
