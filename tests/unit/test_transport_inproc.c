/*
 * test_transport_inproc.c -- the in-process transport, emulator/transport/transport_inproc.c.
 *
 * Round trips through the fake Lambda in virtual time, advanced by hand: a
 * reply is ready exactly at send time + the fake's latency (20 ms by
 * default) and not a nanosecond before; one invocation at a time; cancel
 * forgets the one in flight; a hang never becomes ready; a dropped
 * connection is a failed outcome; two transports sharing one fake keep
 * their own reply bodies.  Bodies are checked with jansson.
 */
#include "delivery/transport.h"
#include "lambda/fake_lambda.h"
#include "transport/transport_inproc.h"

#include "base/errors.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0 (5 * KDO_S)
#define LATENCY (20 * KDO_MS)

static struct kdo_rng rng;
static struct kdo_fake_lambda *fake;
static struct kdo_transport *t;

static struct kdo_str ids_a[2] = {{"a-0", 3}, {"a-1", 3}}, ids_b[1] = {{"b-0", 3}};
static struct kdo_str rows[2] = {{"{\"x\":1}", 7}, {"{\"x\":2}", 7}};
static const uint64_t hints[2] = {0, 0};

static struct kdo_invocation invocation(const struct kdo_str *ids, size_t n)
{
    return (struct kdo_invocation){.number = 1, .invocation_id = "inv", .event = "{}",
                                   .event_len = 2, .n = n, .ids = ids, .hints = hints,
                                   .data = rows};
}

/* A fake with no rule, or one invocation rule of `action`. */
static void make(int action)
{
    struct kdo_fake_lambda_config cfg;
    kdo_fake_lambda_config_default(&cfg);
    struct kdo_fault_rule *r = NULL;
    if (action >= 0) {
        r = kdo_xmalloc(sizeof *r);
        kdo_fault_rule_init(r);
        r->action = (enum kdo_fault_action)action;
    }
    fake = kdo_fake_lambda_new(&cfg, r, r ? 1 : 0, &rng);
    t = kdo_transport_inproc_new(fake);
}

static void setup(void)
{
    kdo_rng_init(&rng, 7);
    fake = NULL;
    t = NULL;
}

static void teardown(void)
{
    kdo_transport_free(t);
    kdo_fake_lambda_free(fake);
}

/* The recordIds answered Ok in a reply body, comma-separated. */
static void ok_ids(const struct kdo_reply_in *in, char *out, size_t n)
{
    json_error_t e;
    json_t *j = json_loadb(in->body, in->body_len, 0, &e);
    ck_assert_msg(j != NULL, "reply is not JSON (%s): %.*s", e.text, (int)in->body_len, in->body);
    json_t *recs = json_object_get(j, "records");
    size_t i, at = 0;
    json_t *rec;
    out[0] = '\0';
    json_array_foreach(recs, i, rec)
    {
        ck_assert_str_eq(json_string_value(json_object_get(rec, "result")), "Ok");
        at += (size_t)snprintf(out + at, n - at, "%s%s", i ? "," : "",
                               json_string_value(json_object_get(rec, "recordId")));
    }
    json_decref(j);
}

START_TEST(test_the_reply_is_ready_exactly_after_the_latency)
{
    make(-1);
    struct kdo_invocation inv = invocation(ids_a, 2);
    struct kdo_reply_in in;
    char got[64];
    ck_assert_str_eq(t->ops->name, "in-process");
    ck_assert(!kdo_transport_is_real(t));
    ck_assert_int_eq(kdo_transport_next_deadline(t), KDO_TIME_NEVER);
    ck_assert_int_eq(kdo_transport_send(t, T0, &inv), 0);
    ck_assert_int_eq(kdo_transport_next_deadline(t), T0 + LATENCY);
    ck_assert_int_eq(kdo_transport_poll(t, T0, &in), 0);
    ck_assert_int_eq(kdo_transport_poll(t, T0 + LATENCY - 1, &in), 0);
    ck_assert_int_eq(kdo_transport_poll(t, T0 + LATENCY, &in), 1);
    ck_assert_int_eq(in.outcome, KDO_TRANSPORT_DONE);
    ck_assert_int_eq(in.status, 200);
    ck_assert_ptr_null(in.function_error);
    ok_ids(&in, got, sizeof got);
    ck_assert_str_eq(got, "a-0,a-1");
    /* Delivered once: nothing more in flight. */
    ck_assert_int_eq(kdo_transport_next_deadline(t), KDO_TIME_NEVER);
    ck_assert_int_eq(kdo_transport_poll(t, T0 + KDO_S, &in), 0);
    ck_assert_uint_eq(kdo_fake_lambda_invocations(fake), 1);
}
END_TEST

START_TEST(test_one_invocation_at_a_time)
{
    make(-1);
    struct kdo_invocation a = invocation(ids_a, 2), b = invocation(ids_b, 1);
    struct kdo_reply_in in;
    char got[64];
    ck_assert_int_eq(kdo_transport_send(t, T0, &a), 0);
    ck_assert_int_eq(kdo_transport_send(t, T0 + KDO_MS, &b), KDO_ESTATE);
    ck_assert_uint_eq(kdo_fake_lambda_invocations(fake), 1); /* b never reached the fake */
    ck_assert_int_eq(kdo_transport_next_deadline(t), T0 + LATENCY);
    ck_assert_int_eq(kdo_transport_poll(t, T0 + LATENCY, &in), 1);
    ok_ids(&in, got, sizeof got);
    ck_assert_str_eq(got, "a-0,a-1");
    ck_assert_int_eq(kdo_transport_send(t, T0 + LATENCY, &b), 0); /* free again */
    ck_assert_int_eq(kdo_transport_poll(t, T0 + 2 * LATENCY, &in), 1);
    ok_ids(&in, got, sizeof got);
    ck_assert_str_eq(got, "b-0");
}
END_TEST

START_TEST(test_cancel_forgets_the_invocation_in_flight)
{
    make(-1);
    struct kdo_invocation a = invocation(ids_a, 2), b = invocation(ids_b, 1);
    struct kdo_reply_in in;
    char got[64];
    ck_assert_int_eq(kdo_transport_send(t, T0, &a), 0);
    kdo_transport_cancel(t);
    ck_assert_int_eq(kdo_transport_next_deadline(t), KDO_TIME_NEVER);
    ck_assert_int_eq(kdo_transport_poll(t, T0 + KDO_S, &in), 0);
    ck_assert_int_eq(kdo_transport_send(t, T0 + KDO_S, &b), 0);
    ck_assert_int_eq(kdo_transport_poll(t, T0 + KDO_S + LATENCY, &in), 1);
    ok_ids(&in, got, sizeof got);
    ck_assert_str_eq(got, "b-0"); /* not a's late reply */
    kdo_transport_cancel(t);      /* nothing in flight: harmless */
}
END_TEST

START_TEST(test_a_hang_is_never_ready)
{
    make(KDO_FAULT_HANG);
    struct kdo_invocation a = invocation(ids_a, 2);
    struct kdo_reply_in in;
    ck_assert_int_eq(kdo_transport_send(t, T0, &a), 0);
    ck_assert_int_eq(kdo_transport_next_deadline(t), KDO_TIME_NEVER);
    ck_assert_int_eq(kdo_transport_poll(t, T0 + 1000 * KDO_S, &in), 0);
    ck_assert_int_eq(kdo_transport_poll(t, KDO_TIME_NEVER - 1, &in), 0);
    ck_assert_int_eq(kdo_transport_send(t, T0 + 1000 * KDO_S, &a), KDO_ESTATE);
    kdo_transport_cancel(t); /* the delivery engine's timeout */
    ck_assert_int_eq(kdo_transport_send(t, T0 + 1000 * KDO_S, &a), 0);
}
END_TEST

START_TEST(test_a_dropped_connection_fails_after_the_latency)
{
    make(KDO_FAULT_DROP_CONNECTION);
    struct kdo_invocation a = invocation(ids_a, 2);
    struct kdo_reply_in in;
    ck_assert_int_eq(kdo_transport_send(t, T0, &a), 0);
    kdo_time_ns at = kdo_transport_next_deadline(t);
    ck_assert_int_ge(at, T0 + LATENCY);
    ck_assert_int_ne(at, KDO_TIME_NEVER);
    ck_assert_int_eq(kdo_transport_poll(t, at - 1, &in), 0);
    ck_assert_int_eq(kdo_transport_poll(t, at, &in), 1);
    ck_assert_int_eq(in.outcome, KDO_TRANSPORT_FAILED);
}
END_TEST

START_TEST(test_transports_sharing_a_fake_keep_their_own_replies)
{
    make(-1);
    struct kdo_transport *t2 = kdo_transport_inproc_new(fake);
    struct kdo_invocation a = invocation(ids_a, 2), b = invocation(ids_b, 1);
    struct kdo_reply_in in;
    char got[64];
    ck_assert_int_eq(kdo_transport_send(t, T0, &a), 0);
    ck_assert_int_eq(kdo_transport_send(t2, T0 + KDO_MS, &b), 0); /* the fake's body is reused */
    ck_assert_int_eq(kdo_transport_poll(t2, T0 + KDO_MS + LATENCY, &in), 1);
    ok_ids(&in, got, sizeof got);
    ck_assert_str_eq(got, "b-0");
    ck_assert_int_eq(kdo_transport_poll(t, T0 + LATENCY, &in), 1);
    ok_ids(&in, got, sizeof got);
    ck_assert_str_eq(got, "a-0,a-1");
    kdo_transport_free(t2);
    kdo_transport_free(NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transport_inproc");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"the_reply_is_ready_exactly_after_the_latency",
         test_the_reply_is_ready_exactly_after_the_latency},
        {"one_invocation_at_a_time", test_one_invocation_at_a_time},
        {"cancel_forgets_the_invocation_in_flight", test_cancel_forgets_the_invocation_in_flight},
        {"a_hang_is_never_ready", test_a_hang_is_never_ready},
        {"a_dropped_connection_fails_after_the_latency",
         test_a_dropped_connection_fails_after_the_latency},
        {"transports_sharing_a_fake_keep_their_own_replies",
         test_transports_sharing_a_fake_keep_their_own_replies},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
