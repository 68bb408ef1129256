/*
 * test_app.c -- the application: polling, backpressure and lag, by hand.
 */
#include "app.h"
#include "errors.h"
#include "fake_lambda.h"
#include "transport.h"

#include <check.h>
#include <stdlib.h>

static struct kdo_rng rng;
static struct kdo_journal *jr;
static struct kdo_metrics *mt;
static struct kdo_fake_lambda *fake;
static struct kdo_transport *tr;
static struct kdo_delivery *dl;
static struct kdo_app *app;

static void make(enum kdo_fault_action action, size_t buffer_rows, enum kdo_window_kind kind)
{
    kdo_rng_init(&rng, 5);
    jr = kdo_journal_new();
    mt = kdo_metrics_new();
    struct kdo_fake_lambda_config fc;
    kdo_fake_lambda_config_default(&fc);
    struct kdo_fault_rule *rules = kdo_xcalloc(1, sizeof *rules);
    kdo_fault_rule_init(rules);
    rules->action = action;
    fake = kdo_fake_lambda_new(&fc, rules, 1, &rng);
    tr = kdo_transport_inproc_new(fake);
    struct kdo_delivery_config dc;
    kdo_delivery_config_default(&dc);
    dc.buffer_rows = buffer_rows;
    if (kind == KDO_WINDOW_TUMBLING)
        dc.cadence = 0;
    dl = kdo_delivery_new(&dc, tr, jr, mt, &rng);
    struct kdo_source_segment seg = {.kind = KDO_SEGMENT_RATE, .from = 0,
                                     .until = KDO_TIME_NEVER, .rate = 100};
    struct kdo_source_config sc = {.row_size = 0, .segments = &seg, .nsegments = 1};
    struct kdo_app_config ac;
    kdo_app_config_default(&ac);
    ac.window.kind = kind;
    ac.window.size = 10 * KDO_S;
    app = kdo_app_new(&ac, kdo_source_new(&sc, KDO_TIME_NEVER, &rng), dl, jr, mt);
}

static void teardown(void)
{
    kdo_app_free(app);
    kdo_delivery_free(dl);
    kdo_transport_free(tr);
    kdo_fake_lambda_free(fake);
    kdo_journal_free(jr);
    kdo_metrics_free(mt);
}

/* Drives app then delivery at every deadline up to `until`. */
static void run_until(kdo_time_ns until)
{
    for (;;) {
        kdo_time_ns t = kdo_time_min(kdo_app_next_deadline(app), kdo_delivery_next_deadline(dl));
        if (t > until)
            return;
        ck_assert_int_eq(kdo_app_advance(app, t), 0);
        ck_assert_int_eq(kdo_delivery_advance(dl, t), 0);
    }
}

static const struct kdo_jentry *last_sample(void)
{
    for (size_t i = kdo_journal_count(jr); i-- > 0;)
        if (kdo_journal_at(jr, i)->kind == KDO_J_SAMPLE)
            return kdo_journal_at(jr, i);
    return NULL;
}

static int count(enum kdo_jkind kind)
{
    int n = 0;
    for (size_t i = 0; i < kdo_journal_count(jr); i++)
        n += kdo_journal_at(jr, i)->kind == kind;
    return n;
}

START_TEST(keeping_up_means_no_lag)
{
    make(KDO_FAULT_OK, 100000, KDO_WINDOW_CONTINUOUS);
    run_until(30 * KDO_S);
    const struct kdo_jentry *s = last_sample();
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->u.sample.lag_ms, 0);
    ck_assert_int_eq(count(KDO_J_PAUSE), 0);
    ck_assert_double_eq(kdo_metrics_total(mt, KDO_METRIC_INPUT_RECORDS)->sum, 3001);
    teardown();
}
END_TEST

START_TEST(a_full_stream_pauses_the_source_and_lag_grows)
{
    make(KDO_FAULT_FUNCTION_ERROR, 50, KDO_WINDOW_CONTINUOUS);
    run_until(10 * KDO_S);
    ck_assert_int_eq(count(KDO_J_PAUSE), 1);
    const struct kdo_jentry *s = last_sample();
    /* 50 rows fill the stream by 0.5 s; the oldest unread row arrived at 0.5 s. */
    ck_assert_int_ge(s->u.sample.lag_ms, 9000);
    ck_assert_int_le(s->u.sample.lag_ms, 9500);
    ck_assert_uint_eq(s->u.sample.rows, 50);
    ck_assert_uint_ge(s->u.sample.unread, 940);
    run_until(20 * KDO_S);
    ck_assert_int_ge(last_sample()->u.sample.lag_ms, 19000);
    teardown();
}
END_TEST

START_TEST(a_restart_stops_reading_for_its_downtime)
{
    make(KDO_FAULT_OK, 100000, KDO_WINDOW_CONTINUOUS);
    run_until(5 * KDO_S);
    kdo_app_restart(app, 5 * KDO_S, 3 * KDO_S);
    kdo_delivery_restart(dl, 5 * KDO_S, 3 * KDO_S);
    run_until(7 * KDO_S);
    ck_assert_int_ge(last_sample()->u.sample.lag_ms, 1900);
    run_until(10 * KDO_S);
    ck_assert_int_eq(last_sample()->u.sample.lag_ms, 0);
    teardown();
}
END_TEST

START_TEST(tumbling_rows_go_out_at_the_trigger)
{
    make(KDO_FAULT_OK, 100000, KDO_WINDOW_TUMBLING);
    run_until(35 * KDO_S);
    int invokes = count(KDO_J_INVOKE);
    ck_assert_int_eq(invokes, 3); /* windows ending at 10, 20 and 30 s */
    for (size_t i = 0, k = 0; i < kdo_journal_count(jr); i++) {
        const struct kdo_jentry *e = kdo_journal_at(jr, i);
        if (e->kind == KDO_J_INVOKE)
            ck_assert_int_eq(e->t, (kdo_time_ns)(++k) * 10 * KDO_S);
    }
    teardown();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("app");
    TCase *tc = tcase_create("backpressure");
    tcase_add_test(tc, keeping_up_means_no_lag);
    tcase_add_test(tc, a_full_stream_pauses_the_source_and_lag_grows);
    tcase_add_test(tc, a_restart_stops_reading_for_its_downtime);
    suite_add_tcase(s, tc);
    tc = tcase_create("windows");
    tcase_add_test(tc, tumbling_rows_go_out_at_the_trigger);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
