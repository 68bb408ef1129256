/*
 * test_promhttp.c -- the /metrics endpoint's collectors, emulator/base/promhttp.c:
 * the process start time first, then each collector's families in the order
 * added (a run's CloudWatch-named delivery metrics after a server's, as
 * `kdaout run --metrics-listen` will add them), a collector's error fails the
 * scrape, a family split across collectors is refused, the collector table is
 * bounded, and a bad address is refused before anything listens.  The HTTP
 * side is tests/integration/metrics.sh's.
 */
#include "base/promhttp.h"

#include "base/errors.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int server_families(void *ctx, struct kdo_promtext *w)
{
    const struct kdo_promtext_label l[] = {{"server", ctx}};
    int rc = kdo_promtext_family(w, "kdaout_http_requests_in_flight", KDO_PROMTEXT_GAUGE, "x");
    return rc ? rc : kdo_promtext_value(w, l, 1, 2);
}

/* What a run's collector does with delivery/metrics.h's names (promtext.h). */
static int delivery_families(void *ctx, struct kdo_promtext *w)
{
    char name[KDO_PROMTEXT_NAME_MAX + 1];
    const struct kdo_promtext_label l[] = {{"output", "1.1"}};
    (void)ctx;
    int rc = kdo_promtext_cloudwatch_name("LambdaDelivery.OkRecords", "_total", name, sizeof name);
    if (rc == 0)
        rc = kdo_promtext_family(w, name, KDO_PROMTEXT_COUNTER, "Records delivered Ok.");
    return rc ? rc : kdo_promtext_value(w, l, 1, 1500);
}

static int failing(void *ctx, struct kdo_promtext *w)
{
    (void)ctx;
    (void)w;
    return KDO_EIO;
}

static struct kdo_promhttp *start(void)
{
    char err[300];
    struct kdo_promhttp *p = NULL;
    ck_assert_int_eq(kdo_promhttp_start("127.0.0.1", 0, &p, err, sizeof err), 0);
    ck_assert_uint_ne(kdo_promhttp_port(p), 0);
    return p;
}

START_TEST(collectors_in_order)
{
    struct kdo_promhttp *p = start();
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 16);
    ck_assert_int_eq(kdo_promhttp_add(p, server_families, "fake-lambda"), 0);
    ck_assert_int_eq(kdo_promhttp_add(p, delivery_families, NULL), 0);
    ck_assert_int_eq(kdo_promhttp_render(p, &b), 0);
    const char *start_line = strstr(b.data, "\nprocess_start_time_seconds ");
    const char *server = strstr(b.data, "kdaout_http_requests_in_flight{server=\"fake-lambda\"} 2\n");
    const char *delivery = strstr(b.data, "kdaout_lambdadelivery_okrecords_total{output=\"1.1\"} 1500\n");
    ck_assert_ptr_nonnull(start_line);
    ck_assert_ptr_nonnull(server);
    ck_assert_ptr_nonnull(delivery);
    ck_assert(start_line < server && server < delivery);
    /* the process started before now and after 2020 */
    double t = strtod(start_line + strlen("\nprocess_start_time_seconds "), NULL);
    ck_assert_double_le(t, (double)time(NULL) + 1);
    ck_assert_double_gt(t, 1577836800.0);
    kdo_buf_cleanup(&b);
    kdo_promhttp_stop(p);
}
END_TEST

START_TEST(errors_fail_the_scrape)
{
    struct kdo_promhttp *p = start();
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 16);
    ck_assert_int_eq(kdo_promhttp_add(p, server_families, "a"), 0);
    ck_assert_int_eq(kdo_promhttp_add(p, delivery_families, NULL), 0);
    ck_assert_int_eq(kdo_promhttp_add(p, server_families, "b"), 0); /* reopens a family */
    ck_assert_int_eq(kdo_promhttp_render(p, &b), KDO_ESTATE);
    kdo_buf_reset(&b);
    for (int i = 3; i < KDO_PROMHTTP_COLLECTORS_MAX; i++)
        ck_assert_int_eq(kdo_promhttp_add(p, failing, NULL), 0);
    ck_assert_int_eq(kdo_promhttp_add(p, failing, NULL), KDO_EFULL);
    kdo_promhttp_stop(p);
    p = start();
    ck_assert_int_eq(kdo_promhttp_add(p, failing, NULL), 0);
    ck_assert_int_eq(kdo_promhttp_render(p, &b), KDO_EIO);
    kdo_buf_cleanup(&b);
    kdo_promhttp_stop(p);
    kdo_promhttp_stop(NULL);
}
END_TEST

START_TEST(bad_address_refused)
{
    char err[300];
    struct kdo_promhttp *p = NULL;
    ck_assert_int_eq(kdo_promhttp_start("example.com", 0, &p, err, sizeof err), KDO_EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "expected an IPv4 address"));
    ck_assert_ptr_null(p);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("promhttp");
    TCase *tc = tcase_create("collectors");
    tcase_add_test(tc, collectors_in_order);
    tcase_add_test(tc, errors_fail_the_scrape);
    tcase_add_test(tc, bad_address_refused);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
