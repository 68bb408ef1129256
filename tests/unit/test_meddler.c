/*
 * test_meddler.c -- fault rules on a real function's replies
 * (conformance/meddler.c).
 *
 * The "real" function is a healthy in-process fake behind the in-process
 * transport; a twin fake with the same configuration, rules and seed says
 * what that function answered on its own, so "unchanged" means byte for byte.
 * Invocations are built by hand (ids "id-0".., rows with "AAA", "BBB", "CCC")
 * and replies are judged with kdo_reply_judge.  Virtual time only.
 */
#include "meddler.h"

#include "base/errors.h"
#include "delivery/reply.h"
#include "transport/transport_inproc.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NREC 3
#define T0 (10 * KDO_S)

struct fixture {
    char idtext[NREC][16];
    struct kdo_str ids[NREC];
    uint64_t hints[NREC];
    struct kdo_str data[NREC];
    struct kdo_invocation inv;
    /* the function */
    struct kdo_rng inner_rng, meddler_rng;
    struct kdo_fake_lambda *inner_fake;
    struct kdo_transport *inner;
    struct kdo_transport *m;
    /* the reply */
    struct kdo_reply_in got;
    struct kdo_reply *judge;
    uint8_t verdicts[NREC];
    struct kdo_reply_summary sum;
};

static void config(struct kdo_fake_lambda_config *c)
{
    kdo_fake_lambda_config_default(c);
    c->latency = 0;
}

static void build(struct fixture *f)
{
    static const char *const rows[NREC] = {
        "{\"T\":\"AAA\",\"PRICE\":1}", "{\"T\":\"BBB\",\"PRICE\":2}", "{\"T\":\"CCC\",\"PRICE\":3}"};
    for (size_t i = 0; i < NREC; i++) {
        snprintf(f->idtext[i], sizeof f->idtext[i], "id-%zu", i);
        f->ids[i] = (struct kdo_str){f->idtext[i], strlen(f->idtext[i])};
        f->hints[i] = 0;
        f->data[i] = (struct kdo_str){rows[i], strlen(rows[i])};
    }
    f->inv = (struct kdo_invocation){.number = 1, .invocation_id = "inv-1", .event = "{}",
                                     .event_len = 2, .n = NREC, .ids = f->ids,
                                     .hints = f->hints, .data = f->data};
}

/* A meddler with `rules` over a function that follows `inner_rules`. */
static void setup(struct fixture *f, const struct kdo_fault_rule *rules, size_t n,
                  const struct kdo_fault_rule *inner_rules, size_t inner_n)
{
    struct kdo_fake_lambda_config c;
    memset(f, 0, sizeof *f);
    build(f);
    config(&c);
    kdo_rng_init(&f->inner_rng, 77);
    kdo_rng_init(&f->meddler_rng, 78);
    f->inner_fake = kdo_fake_lambda_new(&c, inner_n ? kdo_fault_rules_copy(inner_rules, inner_n)
                                                    : NULL, inner_n, &f->inner_rng);
    f->inner = kdo_transport_inproc_new(f->inner_fake);
    f->m = kdo_meddler_new(f->inner, &c, rules, n, &f->meddler_rng);
    f->judge = kdo_reply_new();
}

static void teardown_fixture(struct fixture *f)
{
    kdo_transport_free(f->m);
    kdo_transport_free(f->inner);
    kdo_fake_lambda_free(f->inner_fake);
    kdo_reply_free(f->judge);
}

/* What the function answers on its own (a twin of the inner fake). */
static char *twin_body(const struct fixture *f, const struct kdo_fault_rule *inner_rules,
                       size_t inner_n, int *status, const char **function_error)
{
    struct kdo_fake_lambda_config c;
    struct kdo_rng rng;
    struct kdo_fake_reply fr;
    config(&c);
    kdo_rng_init(&rng, 77);
    struct kdo_fake_lambda *twin = kdo_fake_lambda_new(
        &c, inner_n ? kdo_fault_rules_copy(inner_rules, inner_n) : NULL, inner_n, &rng);
    kdo_fake_lambda_invoke(twin, T0, &f->inv, &fr);
    char *body = kdo_xstrndup(fr.body->data ? fr.body->data : "", fr.body->len);
    *status = fr.status;
    *function_error = fr.function_error ? "set" : NULL;
    kdo_fake_lambda_free(twin);
    return body;
}

/* Sends f->inv at T0 and polls at each deadline until the reply is in. */
static void deliver(struct fixture *f)
{
    ck_assert_int_eq(kdo_transport_send(f->m, T0, &f->inv), 0);
    for (int i = 0;; i++) {
        ck_assert_int_lt(i, 10);
        kdo_time_ns d = kdo_transport_next_deadline(f->m);
        ck_assert_int_ne(d, KDO_TIME_NEVER);
        ck_assert_int_ge(d, T0);
        if (kdo_transport_poll(f->m, d, &f->got))
            break;
    }
    kdo_reply_judge(f->judge, &f->got, f->ids, NREC, f->verdicts, &f->sum);
}

static size_t count(const struct kdo_reply_in *in, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = in->body; (p = memmem(p, in->body_len - (size_t)(p - in->body), needle,
                                               len)) != NULL; p += len)
        n++;
    return n;
}

static void record_rule(struct kdo_fault_rule *r, enum kdo_fault_action a, const char *contains)
{
    kdo_fault_rule_init(r);
    r->action = a;
    if (contains) {
        r->match.contains = kdo_xstrdup(contains);
        r->match.contains_len = strlen(contains);
    }
}

/* No rule, or one that does not match: the function's reply, byte for byte. */
START_TEST(no_rule_fired_passes_reply_unchanged)
{
    struct kdo_fault_rule r;
    struct fixture f;
    record_rule(&r, KDO_FAULT_OMIT, "ZZZ");
    for (size_t n = 0; n <= 1; n++) {
        setup(&f, &r, n, NULL, 0);
        int status;
        const char *fe;
        char *want = twin_body(&f, NULL, 0, &status, &fe);
        deliver(&f);
        ck_assert_int_eq(f.got.outcome, KDO_TRANSPORT_DONE);
        ck_assert_int_eq(f.got.status, 200);
        ck_assert_ptr_null(f.got.function_error);
        ck_assert_uint_eq(f.got.body_len, strlen(want));
        ck_assert_str_eq(f.got.body, want);
        ck_assert_uint_eq(f.sum.ok, NREC);
        ck_assert_uint_eq(kdo_fake_lambda_invocations(f.inner_fake), 1);
        free(want);
        teardown_fixture(&f);
    }
    kdo_fault_rule_cleanup(&r);
}
END_TEST

START_TEST(omit_removes_exactly_that_entry)
{
    struct kdo_fault_rule r;
    struct fixture f;
    record_rule(&r, KDO_FAULT_OMIT, "BBB");
    setup(&f, &r, 1, NULL, 0);
    deliver(&f);
    ck_assert_int_eq(f.got.status, 200);
    ck_assert_uint_eq(f.sum.entries, NREC - 1);
    ck_assert_int_eq(f.verdicts[0], KDO_REASON_OK);
    ck_assert_int_eq(f.verdicts[1], KDO_REASON_NOT_RETURNED);
    ck_assert_int_eq(f.verdicts[2], KDO_REASON_OK);
    ck_assert_uint_eq(count(&f.got, "\"id-1\""), 0);
    ck_assert_uint_eq(count(&f.got, "\"id-0\""), 1);
    ck_assert_uint_eq(kdo_fake_lambda_invocations(f.inner_fake), 1);
    teardown_fixture(&f);
    kdo_fault_rule_cleanup(&r);
}
END_TEST

START_TEST(delivery_failed_rewrites_result)
{
    struct kdo_fault_rule r;
    struct fixture f;
    record_rule(&r, KDO_FAULT_DELIVERY_FAILED, "BBB");
    setup(&f, &r, 1, NULL, 0);
    deliver(&f);
    ck_assert_uint_eq(f.sum.entries, NREC);
    ck_assert_int_eq(f.verdicts[0], KDO_REASON_OK);
    ck_assert_int_eq(f.verdicts[1], KDO_REASON_DELIVERY_FAILED);
    ck_assert_int_eq(f.verdicts[2], KDO_REASON_OK);
    ck_assert_uint_eq(count(&f.got, "DeliveryFailed"), 1);
    ck_assert_uint_eq(count(&f.got, "\"id-1\""), 1);
    teardown_fixture(&f);
    kdo_fault_rule_cleanup(&r);
}
END_TEST

START_TEST(duplicate_id_gives_two_entries)
{
    struct kdo_fault_rule r;
    struct fixture f;
    record_rule(&r, KDO_FAULT_DUPLICATE_ID, "BBB");
    setup(&f, &r, 1, NULL, 0);
    deliver(&f);
    ck_assert_uint_eq(f.sum.entries, NREC + 1);
    ck_assert_uint_eq(count(&f.got, "\"id-1\""), 2);
    ck_assert_int_eq(f.verdicts[1], KDO_REASON_DUPLICATE_ID);
    ck_assert_int_eq(f.verdicts[0], KDO_REASON_OK);
    ck_assert_int_eq(f.verdicts[2], KDO_REASON_OK);
    teardown_fixture(&f);
    kdo_fault_rule_cleanup(&r);
}
END_TEST

/* A whole-invocation rule answers for the function, which is not invoked;
 * once it has fired (times: 1) the function answers again. */
START_TEST(throttle_answers_without_the_function)
{
    struct kdo_fault_rule r;
    struct fixture f;
    record_rule(&r, KDO_FAULT_THROTTLE, NULL);
    r.match.times = 1;
    setup(&f, &r, 1, NULL, 0);
    deliver(&f);
    ck_assert_int_eq(f.got.outcome, KDO_TRANSPORT_DONE);
    ck_assert_int_eq(f.got.status, 429);
    ck_assert_uint_eq(f.sum.count[KDO_REASON_HTTP_STATUS], NREC);
    ck_assert_uint_eq(kdo_fake_lambda_invocations(f.inner_fake), 0);
    f.inv.number = 2;
    deliver(&f);
    ck_assert_int_eq(f.got.status, 200);
    ck_assert_uint_eq(f.sum.ok, NREC);
    ck_assert_uint_eq(kdo_fake_lambda_invocations(f.inner_fake), 1);
    teardown_fixture(&f);
    kdo_fault_rule_cleanup(&r);
}
END_TEST

/* latency holds the function's reply (ready at T0) back until T0 + latency. */
START_TEST(latency_delays_the_reply)
{
    const kdo_time_ns lat = 250 * KDO_MS;
    struct kdo_fault_rule r;
    struct fixture f;
    struct kdo_reply_in out;
    record_rule(&r, KDO_FAULT_LATENCY, NULL);
    r.latency = lat;
    setup(&f, &r, 1, NULL, 0);
    ck_assert_int_eq(kdo_transport_send(f.m, T0, &f.inv), 0);
    ck_assert_int_eq(kdo_transport_next_deadline(f.m), T0); /* the function's own reply */
    ck_assert_int_eq(kdo_transport_poll(f.m, T0, &out), 0);
    ck_assert_int_eq(kdo_transport_next_deadline(f.m), T0 + lat);
    ck_assert_int_eq(kdo_transport_poll(f.m, T0 + lat - 1, &out), 0);
    ck_assert_int_eq(kdo_transport_poll(f.m, T0 + lat, &out), 1);
    ck_assert_int_eq(out.status, 200);
    kdo_reply_judge(f.judge, &out, f.ids, NREC, f.verdicts, &f.sum);
    ck_assert_uint_eq(f.sum.ok, NREC);
    ck_assert_int_eq(kdo_transport_poll(f.m, T0 + lat + 1, &out), 0); /* handed out once */
    teardown_fixture(&f);
    kdo_fault_rule_cleanup(&r);
}
END_TEST

/* A function error is the function's own answer: record rules leave it be. */
START_TEST(function_error_passes_untouched)
{
    struct kdo_fault_rule r[2], inner;
    struct fixture f;
    record_rule(&r[0], KDO_FAULT_OMIT, "BBB");
    record_rule(&r[1], KDO_FAULT_DELIVERY_FAILED, NULL);
    record_rule(&inner, KDO_FAULT_FUNCTION_ERROR, NULL);
    setup(&f, r, 2, &inner, 1);
    int status;
    const char *fe;
    char *want = twin_body(&f, &inner, 1, &status, &fe);
    deliver(&f);
    ck_assert_int_eq(f.got.status, status);
    ck_assert_int_eq(f.got.status, 200);
    ck_assert_ptr_nonnull(fe);
    ck_assert_ptr_nonnull(f.got.function_error);
    ck_assert_str_eq(f.got.function_error, "Unhandled");
    ck_assert_uint_eq(f.got.body_len, strlen(want));
    ck_assert_str_eq(f.got.body, want);
    ck_assert_uint_eq(f.sum.count[KDO_REASON_FUNCTION_ERROR], NREC);
    ck_assert_uint_eq(kdo_fake_lambda_invocations(f.inner_fake), 1);
    free(want);
    teardown_fixture(&f);
    for (int i = 0; i < 2; i++)
        kdo_fault_rule_cleanup(&r[i]);
    kdo_fault_rule_cleanup(&inner);
}
END_TEST

/* A stand-in function whose reply is fixed: what a real end might send. */
struct stub {
    struct kdo_transport base;
    struct kdo_reply_in reply;
    int in_flight, sends;
};

static int stub_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    (void)now;
    (void)inv;
    ((struct stub *)t)->in_flight = 1;
    ((struct stub *)t)->sends++;
    return 0;
}

static kdo_time_ns stub_next_deadline(const struct kdo_transport *t)
{
    return ((const struct stub *)t)->in_flight ? T0 : KDO_TIME_NEVER;
}

static int stub_poll(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out)
{
    struct stub *s = (struct stub *)t;
    if (!s->in_flight || now < T0)
        return 0;
    s->in_flight = 0;
    *out = s->reply;
    return 1;
}

static void stub_cancel(struct kdo_transport *t)
{
    ((struct stub *)t)->in_flight = 0;
}

static void stub_free(struct kdo_transport *t)
{
    (void)t;
}

static const struct kdo_transport_ops stub_ops = {
    .name = "stub", .send = stub_send, .next_deadline = stub_next_deadline, .poll = stub_poll,
    .cancel = stub_cancel, .wait = NULL, .free = stub_free,
};

/* A function error or a non-200 status is passed on as it came even when its
 * body holds a records array the rules could rewrite. */
START_TEST(failed_reply_with_records_body_passes_untouched)
{
    static const char body[] = "{\"records\":[{\"recordId\":\"id-0\",\"result\":\"Ok\"},"
                               "{\"recordId\":\"id-1\",\"result\":\"Ok\"},"
                               "{\"recordId\":\"id-2\",\"result\":\"Ok\"}]}";
    static const int status[] = {200, 500};
    static const char *const function_error[] = {"Unhandled", NULL};
    struct kdo_fault_rule r;
    struct kdo_fake_lambda_config c;
    record_rule(&r, KDO_FAULT_OMIT, "BBB");
    config(&c);
    for (int k = 0; k < 2; k++) {
        struct fixture f;
        struct stub inner = {.base = {&stub_ops}};
        inner.reply = (struct kdo_reply_in){KDO_TRANSPORT_DONE, status[k], function_error[k],
                                            body, sizeof body - 1, NULL};
        memset(&f, 0, sizeof f);
        build(&f);
        kdo_rng_init(&f.meddler_rng, 78);
        f.m = kdo_meddler_new(&inner.base, &c, &r, 1, &f.meddler_rng);
        f.judge = kdo_reply_new();
        deliver(&f);
        ck_assert_int_eq(inner.sends, 1);
        ck_assert_int_eq(f.got.status, status[k]);
        if (function_error[k])
            ck_assert_str_eq(f.got.function_error, function_error[k]);
        else
            ck_assert_ptr_null(f.got.function_error);
        ck_assert_uint_eq(f.got.body_len, sizeof body - 1);
        ck_assert_str_eq(f.got.body, body);
        teardown_fixture(&f);
    }
    kdo_fault_rule_cleanup(&r);
}
END_TEST

static Suite *meddler_suite(void)
{
    Suite *s = suite_create("meddler");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"no_rule_fired_passes_reply_unchanged", no_rule_fired_passes_reply_unchanged},
        {"omit_removes_exactly_that_entry", omit_removes_exactly_that_entry},
        {"delivery_failed_rewrites_result", delivery_failed_rewrites_result},
        {"duplicate_id_gives_two_entries", duplicate_id_gives_two_entries},
        {"throttle_answers_without_the_function", throttle_answers_without_the_function},
        {"latency_delays_the_reply", latency_delays_the_reply},
        {"function_error_passes_untouched", function_error_passes_untouched},
        {"failed_reply_with_records_body_passes_untouched",
         failed_reply_with_records_body_passes_untouched},
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
    SRunner *sr = srunner_create(meddler_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
