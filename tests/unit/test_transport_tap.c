/*
 * test_transport_tap.c -- the tap of emulator/transport/transport_tap.c.
 *
 * The tap tells its function about every invocation, with the same pointer
 * and time, before the wrapped transport sees it; everything else (deadline,
 * poll, cancel, wait) passes straight through; it is real exactly when
 * what it wraps is; freeing it leaves the wrapped transport alone.  The
 * wrapped transport is a recorder written here, and for one round trip the
 * in-process transport with the fake Lambda.
 */
#include "delivery/transport.h"
#include "lambda/fake_lambda.h"
#include "transport/transport_inproc.h"
#include "transport/transport_tap.h"

#include "base/errors.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A transport that writes down every call. */
struct recorder {
    struct kdo_transport base;
    char log[512];
    int sends;
    const struct kdo_invocation *last;
};

/* Appends "<what><v> " (v < 0: "<what> ") to the log. */
static void note(struct recorder *r, const char *what, long long v)
{
    size_t at = strlen(r->log);
    if (v < 0)
        snprintf(r->log + at, sizeof r->log - at, "%s ", what);
    else
        snprintf(r->log + at, sizeof r->log - at, "%s%lld ", what, v);
}

static int rec_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct recorder *r = (struct recorder *)t;
    r->sends++;
    r->last = inv;
    note(r, "send@", (long long)now);
    return inv->n == 99 ? KDO_ESTATE : 0;
}

static kdo_time_ns rec_deadline(const struct kdo_transport *t)
{
    (void)t;
    return 12345;
}

static int rec_poll(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out)
{
    note((struct recorder *)t, "poll@", (long long)now);
    out->status = 418;
    return 1;
}

static void rec_cancel(struct kdo_transport *t)
{
    note((struct recorder *)t, "cancel", -1);
}

static int rec_wait(struct kdo_transport *t, kdo_time_ns timeout)
{
    note((struct recorder *)t, "wait", (long long)timeout);
    return KDO_EIO;
}

static void rec_free(struct kdo_transport *t)
{
    (void)t; /* lives on the stack */
}

static const struct kdo_transport_ops rec_virtual = {"recorder", rec_send, rec_deadline, rec_poll,
                                                     rec_cancel, NULL, rec_free};
static const struct kdo_transport_ops rec_real = {"recorder", rec_send, rec_deadline, rec_poll,
                                                  rec_cancel, rec_wait, rec_free};

struct seen {
    int calls;
    kdo_time_ns now;
    const struct kdo_invocation *inv;
    int inner_sends_then; /* how many sends the inner transport had seen at the call */
    struct recorder *inner;
};

static void tell(void *ctx, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct seen *s = ctx;
    s->calls++;
    s->now = now;
    s->inv = inv;
    s->inner_sends_then = s->inner ? s->inner->sends : -1;
}

static const struct kdo_str ids[1] = {{"id-0", 4}}, rows[1] = {{"row", 3}};
static const uint64_t hints[1] = {0};

START_TEST(test_the_function_sees_each_invocation_before_it_goes)
{
    struct recorder rec = {.base.ops = &rec_virtual};
    struct seen seen = {.inner = &rec};
    struct kdo_transport *tap = kdo_transport_tap_new(&rec.base, tell, &seen);
    struct kdo_invocation inv = {.n = 1, .ids = ids, .hints = hints, .data = rows};
    ck_assert_int_eq(kdo_transport_send(tap, 77, &inv), 0);
    ck_assert_int_eq(seen.calls, 1);
    ck_assert_int_eq(seen.now, 77);
    ck_assert_ptr_eq(seen.inv, &inv);
    ck_assert_int_eq(seen.inner_sends_then, 0); /* told first */
    ck_assert_ptr_eq(rec.last, &inv);           /* passed on unchanged */
    ck_assert_int_eq(kdo_transport_send(tap, 78, &inv), 0);
    ck_assert_int_eq(seen.calls, 2);
    ck_assert_int_eq(seen.inner_sends_then, 1);
    ck_assert_str_eq(rec.log, "send@77 send@78 ");
    kdo_transport_free(tap);
}
END_TEST

START_TEST(test_the_inner_answer_passes_through)
{
    struct recorder rec = {.base.ops = &rec_virtual};
    struct seen seen = {0};
    struct kdo_transport *tap = kdo_transport_tap_new(&rec.base, tell, &seen);
    struct kdo_invocation refused = {.n = 99};
    struct kdo_reply_in in = {0};
    ck_assert_int_eq(kdo_transport_send(tap, 1, &refused), KDO_ESTATE);
    ck_assert_int_eq(seen.calls, 1); /* told even when the send fails */
    ck_assert_int_eq(kdo_transport_next_deadline(tap), 12345);
    ck_assert_int_eq(kdo_transport_poll(tap, 9, &in), 1);
    ck_assert_int_eq(in.status, 418);
    kdo_transport_cancel(tap);
    ck_assert_str_eq(rec.log, "send@1 poll@9 cancel ");
    kdo_transport_free(tap);
}
END_TEST

START_TEST(test_a_tap_is_real_exactly_when_its_inner_is)
{
    struct recorder virt = {.base.ops = &rec_virtual}, real = {.base.ops = &rec_real};
    struct seen seen = {0};
    struct kdo_transport *tv = kdo_transport_tap_new(&virt.base, tell, &seen);
    struct kdo_transport *tr = kdo_transport_tap_new(&real.base, tell, &seen);
    ck_assert(!kdo_transport_is_real(tv));
    ck_assert(kdo_transport_is_real(tr));
    ck_assert_int_eq(kdo_transport_wait(tr, 250 * KDO_MS), KDO_EIO);
    ck_assert_str_eq(real.log, "wait250000000 ");
    ck_assert_str_eq(tv->ops->name, "tap");
    kdo_transport_free(tv);
    kdo_transport_free(tr);
}
END_TEST

START_TEST(test_freeing_the_tap_leaves_the_inner_transport)
{
    struct kdo_rng rng;
    struct kdo_fake_lambda_config cfg;
    kdo_rng_init(&rng, 1);
    kdo_fake_lambda_config_default(&cfg);
    struct kdo_fake_lambda *fake = kdo_fake_lambda_new(&cfg, NULL, 0, &rng);
    struct kdo_transport *inner = kdo_transport_inproc_new(fake);
    struct seen seen = {0};
    struct kdo_transport *tap = kdo_transport_tap_new(inner, tell, &seen);
    struct kdo_invocation inv = {.number = 1, .invocation_id = "i", .event = "{}", .event_len = 2,
                                 .n = 1, .ids = ids, .hints = hints, .data = rows};
    struct kdo_reply_in in;
    ck_assert_int_eq(kdo_transport_send(tap, 0, &inv), 0);
    kdo_time_ns at = kdo_transport_next_deadline(tap);
    ck_assert_int_eq(at, 20 * KDO_MS);
    ck_assert_int_eq(kdo_transport_poll(tap, at - 1, &in), 0);
    ck_assert_int_eq(kdo_transport_poll(tap, at, &in), 1);
    ck_assert_int_eq(in.status, 200);
    ck_assert_ptr_nonnull(strstr(in.body, "\"recordId\":\"id-0\""));
    kdo_transport_free(tap);
    /* The inner transport still works on its own. */
    ck_assert_int_eq(kdo_transport_send(inner, at, &inv), 0);
    ck_assert_int_eq(kdo_transport_poll(inner, at + 20 * KDO_MS, &in), 1);
    ck_assert_int_eq(seen.calls, 1); /* and the tap's function hears no more */
    kdo_transport_free(inner);
    kdo_fake_lambda_free(fake);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("transport_tap");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"the_function_sees_each_invocation_before_it_goes",
         test_the_function_sees_each_invocation_before_it_goes},
        {"the_inner_answer_passes_through", test_the_inner_answer_passes_through},
        {"a_tap_is_real_exactly_when_its_inner_is", test_a_tap_is_real_exactly_when_its_inner_is},
        {"freeing_the_tap_leaves_the_inner_transport",
         test_freeing_the_tap_leaves_the_inner_transport},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
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
