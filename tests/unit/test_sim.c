/*
 * test_sim.c -- the virtual-time driver: whole runs, determinism, draining,
 * restarts and bounds.
 */
#include "app/sim.h"
#include "base/errors.h"
#include "delivery/journal.h"
#include "delivery/transport.h"
#include "lambda/faults.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_source_segment seg;
static struct kdo_sim_config cfg;

static void setup(void)
{
    kdo_sim_config_default(&cfg);
    seg = (struct kdo_source_segment){.kind = KDO_SEGMENT_RATE, .from = 0,
                                      .until = KDO_TIME_NEVER, .rate = 1000};
    cfg.source.segments = &seg;
    cfg.source.nsegments = 1;
    cfg.source.row_size = 100;
    cfg.duration = 10 * KDO_MIN;
    cfg.seed = 42;
}

/* The journal of a run as JSON Lines, in memory. */
static char *journal_text(const struct kdo_sim_result *r, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    ck_assert_int_eq(kdo_journal_write(r->journal, f), 0);
    fclose(f);
    return buf;
}

static struct kdo_fault_rule outage(kdo_time_ns from, kdo_time_ns until, enum kdo_fault_action a)
{
    struct kdo_fault_rule r;
    kdo_fault_rule_init(&r);
    r.match.from = from;
    r.match.until = until;
    r.action = a;
    return r;
}

START_TEST(ten_minutes_with_an_outage_deliver_everything)
{
    struct kdo_fault_rule r = outage(120 * KDO_S, 150 * KDO_S, KDO_FAULT_SERVICE_ERROR);
    cfg.rules = &r;
    cfg.nrules = 1;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), 0);
    ck_assert_uint_eq(res.delivery.emitted, 600000);
    ck_assert_uint_eq(res.delivery.acked, 600000);
    ck_assert_int_eq(res.drained, 1);
    ck_assert_int_lt(res.end, cfg.duration + 2 * KDO_S);
    kdo_sim_result_cleanup(&res);
}
END_TEST

START_TEST(one_seed_one_journal)
{
    struct kdo_fault_rule r = outage(120 * KDO_S, 150 * KDO_S, KDO_FAULT_TIMEOUT);
    r.match.probability = 0.5; /* randomness must replay too */
    cfg.rules = &r;
    cfg.nrules = 1;
    cfg.duration = 3 * KDO_MIN;
    struct kdo_sim_result a, b, c;
    size_t la, lb, lc;
    ck_assert_int_eq(kdo_sim_run(&cfg, &a), 0);
    ck_assert_int_eq(kdo_sim_run(&cfg, &b), 0);
    cfg.seed = 43;
    ck_assert_int_eq(kdo_sim_run(&cfg, &c), 0);
    char *ja = journal_text(&a, &la), *jb = journal_text(&b, &lb), *jc = journal_text(&c, &lc);
    ck_assert_uint_eq(la, lb);
    ck_assert_int_eq(memcmp(ja, jb, la), 0);
    ck_assert(la != lc || memcmp(ja, jc, la) != 0);
    free(ja);
    free(jb);
    free(jc);
    kdo_sim_result_cleanup(&a);
    kdo_sim_result_cleanup(&b);
    kdo_sim_result_cleanup(&c);
}
END_TEST

START_TEST(a_function_that_never_heals_ends_at_the_drain_limit)
{
    struct kdo_fault_rule r = outage(0, KDO_TIME_NEVER, KDO_FAULT_FUNCTION_ERROR);
    cfg.rules = &r;
    cfg.nrules = 1;
    cfg.duration = 10 * KDO_S;
    cfg.drain_limit = 30 * KDO_S;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), 0);
    ck_assert_int_eq(res.drained, 0);
    ck_assert_int_eq(res.end, 40 * KDO_S);
    ck_assert_uint_eq(res.delivery.acked, 0);
    ck_assert_uint_eq(res.delivery.rows, res.delivery.emitted); /* nothing lost: all still there */
    const struct kdo_jentry *e = kdo_journal_at(res.journal, kdo_journal_count(res.journal) - 1);
    ck_assert_int_eq(e->kind, KDO_J_END);
    ck_assert_uint_eq(e->u.sample.rows, res.delivery.emitted);
    kdo_sim_result_cleanup(&res);
}
END_TEST

START_TEST(restarts_are_journaled_and_lose_nothing)
{
    struct kdo_restart_event rs[] = {{20 * KDO_S, 3 * KDO_S}, {40 * KDO_S, 0}};
    cfg.restarts = rs;
    cfg.nrestarts = 2;
    cfg.duration = 60 * KDO_S;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), 0);
    int restarts = 0;
    for (size_t i = 0; i < kdo_journal_count(res.journal); i++)
        restarts += kdo_journal_at(res.journal, i)->kind == KDO_J_RESTART;
    ck_assert_int_eq(restarts, 2);
    ck_assert_uint_eq(res.delivery.acked, 60000);
    kdo_sim_result_cleanup(&res);
}
END_TEST

START_TEST(the_step_bound_stops_a_runaway)
{
    cfg.max_steps = 100;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), KDO_ETOOBIG);
    kdo_sim_result_cleanup(&res);
}
END_TEST

START_TEST(virtual_time_jumps_between_deadlines)
{
    /* A 60 s tumbling window over an hour, 10 rows/s: a step per arrival
     * (each its own millisecond), per sample and per window -- tens of
     * thousands, not one per millisecond (3.6 million). */
    cfg.duration = 3600 * KDO_S;
    cfg.app.window.kind = KDO_WINDOW_TUMBLING;
    cfg.app.window.size = 60 * KDO_S;
    cfg.delivery.cadence = 0;
    seg.rate = 10;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), 0);
    ck_assert_uint_lt(res.steps, 3600 * 10 + 3600 + 200);
    ck_assert_uint_ge(res.delivery.acked, 60);
    ck_assert_uint_le(res.delivery.acked, 61);
    kdo_sim_result_cleanup(&res);
}
END_TEST

static int count_kind(const struct kdo_journal *j, enum kdo_jkind kind)
{
    int n = 0;
    for (size_t i = 0; i < kdo_journal_count(j); i++)
        n += kdo_journal_at(j, i)->kind == kind;
    return n;
}

static void output(size_t i, const char *id, const struct kdo_query_config *q)
{
    snprintf(cfg.outputs[i].id, sizeof cfg.outputs[i].id, "%s", id);
    cfg.outputs[i].query = q;
    cfg.outputs[i].delivery = cfg.delivery;
}

/* Three destinations over one source: rows as read, a typed continuous
 * query and a 5 s tumbling COUNT(*) delivered once per window.  Each lane
 * has its own journal (invocations, its own recordId prefix) and delivers
 * what it should; lanes[0] is the result's journal and metrics. */
START_TEST(three_outputs_each_deliver_on_their_own_lane)
{
    static const char *const tick[] = {"TICKER_SYMBOL", "PRICE"};
    static const char *const count[] = {"COUNT(*) AS N"};
    const struct kdo_query_config typed = {.select = tick, .nselect = 2};
    const struct kdo_query_config tumbling = {
        .window = KDO_QUERY_TUMBLING, .range_ms = 5000, .select = count, .nselect = 1};
    cfg.duration = 20 * KDO_S;
    output(0, "1.1", NULL);
    output(1, "1.2", &typed);
    output(2, "1.3", &tumbling);
    cfg.outputs[2].delivery.cadence = 0;
    cfg.noutputs = 3;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), 0);
    ck_assert_uint_eq(res.nlanes, 3);
    ck_assert_ptr_eq(res.journal, res.lanes[0].journal);
    ck_assert_ptr_eq(res.metrics, res.lanes[0].metrics);
    ck_assert_int_eq(res.drained, 1);
    ck_assert_str_eq(res.lanes[0].id, "1.1");
    ck_assert_str_eq(res.lanes[1].id, "1.2");
    ck_assert_str_eq(res.lanes[2].id, "1.3");
    ck_assert_uint_eq(res.lanes[0].delivery.acked, 20000);
    ck_assert_uint_eq(res.lanes[1].delivery.acked, 20000);
    /* Windows ending at 5, 10, 15 and 20 s: the last row arrives at 19.999 s
     * and is read then (no poll moves it to 20 s and a fifth window). */
    ck_assert_uint_eq(res.lanes[2].delivery.acked, 4);
    ck_assert_uint_eq(res.delivery.acked, res.lanes[0].delivery.acked);
    ck_assert_int_eq(count_kind(res.lanes[2].journal, KDO_J_INVOKE), 4);
    ck_assert_str_eq(res.record_prefix,
                     kdo_journal_str(res.lanes[0].journal,
                                     kdo_journal_at(res.lanes[0].journal, 0)->u.start.prefix));
    const char *prefixes[3];
    for (size_t i = 0; i < 3; i++) {
        const struct kdo_journal *j = res.lanes[i].journal;
        ck_assert_int_ge(count_kind(j, KDO_J_INVOKE), 4);
        ck_assert_int_eq(count_kind(j, KDO_J_ERROR_ROW), 0);
        const struct kdo_jentry *start = kdo_journal_at(j, 0);
        ck_assert_int_eq(start->kind, KDO_J_START);
        prefixes[i] = kdo_journal_str(j, start->u.start.prefix);
        ck_assert_uint_eq(strlen(prefixes[i]), 36);
        ck_assert_int_eq(kdo_journal_at(j, kdo_journal_count(j) - 1)->kind, KDO_J_END);
        ck_assert_double_eq(kdo_metrics_total(res.lanes[i].metrics, KDO_METRIC_INPUT_RECORDS)->sum,
                            20000);
    }
    ck_assert_str_ne(prefixes[0], prefixes[1]);
    ck_assert_str_ne(prefixes[0], prefixes[2]);
    ck_assert_str_ne(prefixes[1], prefixes[2]);
    kdo_sim_result_cleanup(&res);
}
END_TEST

/* Regression: lanes share one in-process fake, and two lanes invoking at the
 * same instant each get their own reply.  (When the in-process transport
 * handed out the fake's one reply buffer, the first lane judged the second
 * lane's body: "recordId ... was not sent", retries, resent Oks.) */
START_TEST(two_lanes_invoking_at_once_get_their_own_replies)
{
    cfg.duration = 10 * KDO_S;
    seg.rate = 50;
    output(0, "1.1", NULL);
    output(1, "1.2", NULL);
    cfg.noutputs = 2;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), 0);
    ck_assert_int_eq(res.drained, 1);
    for (size_t i = 0; i < 2; i++) {
        const struct kdo_journal *j = res.lanes[i].journal;
        ck_assert_uint_eq(res.lanes[i].delivery.acked, 500);
        for (size_t k = 0; k < kdo_journal_count(j); k++) {
            const struct kdo_jentry *e = kdo_journal_at(j, k);
            if (e->kind == KDO_J_INVOKE)
                ck_assert_msg(!e->u.invoke.retry, "lane %zu retried invocation %llu", i,
                              (unsigned long long)e->u.invoke.number);
            if (e->kind != KDO_J_REPLY)
                continue;
            ck_assert_msg(e->u.reply.failed == 0 && e->u.reply.whole == KDO_REASON_OK,
                          "lane %zu reply %llu: %s", i, (unsigned long long)e->u.reply.number,
                          kdo_journal_str(j, e->u.reply.detail));
        }
    }
    /* They did invoke at the same instants. */
    const struct kdo_journal *a = res.lanes[0].journal, *b = res.lanes[1].journal;
    int same = 0;
    for (size_t x = 0; x < kdo_journal_count(a); x++)
        for (size_t y = 0; y < kdo_journal_count(b); y++)
            same += kdo_journal_at(a, x)->kind == KDO_J_INVOKE &&
                    kdo_journal_at(b, y)->kind == KDO_J_INVOKE &&
                    kdo_journal_at(a, x)->t == kdo_journal_at(b, y)->t;
    ck_assert_int_ge(same, 9);
    kdo_sim_result_cleanup(&res);
}
END_TEST

/* With several outputs, one seed still gives one merged journal. */
START_TEST(several_outputs_replay_from_a_seed)
{
    static const char *const tick[] = {"TICKER_SYMBOL"};
    const struct kdo_query_config typed = {.where = "CHANGE > 0", .select = tick, .nselect = 1};
    struct kdo_fault_rule r = outage(2 * KDO_S, 4 * KDO_S, KDO_FAULT_TIMEOUT);
    r.match.probability = 0.5;
    cfg.rules = &r;
    cfg.nrules = 1;
    cfg.duration = 10 * KDO_S;
    output(0, "1.1", NULL);
    output(1, "1.2", &typed);
    cfg.noutputs = 2;
    char *text[2];
    size_t len[2];
    for (int k = 0; k < 2; k++) {
        struct kdo_sim_result res;
        ck_assert_int_eq(kdo_sim_run(&cfg, &res), 0);
        const struct kdo_journal *js[] = {res.lanes[0].journal, res.lanes[1].journal};
        const char *ids[] = {res.lanes[0].id, res.lanes[1].id};
        text[k] = NULL;
        FILE *f = open_memstream(&text[k], &len[k]);
        ck_assert_int_eq(kdo_journal_write_merged(js, ids, 2, f), 0);
        fclose(f);
        kdo_sim_result_cleanup(&res);
    }
    ck_assert_uint_gt(len[0], 0);
    ck_assert_uint_eq(len[0], len[1]);
    ck_assert_int_eq(memcmp(text[0], text[1], len[0]), 0);
    ck_assert_ptr_nonnull(strstr(text[0], "{\"dest\":\"1.2\","));
    free(text[0]);
    free(text[1]);
}
END_TEST

/* A stand-in for a real end: its ops say "real" (wait is set) and must
 * never be called, as the run is refused before any send. */
static int never_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    (void)t, (void)now, (void)inv;
    ck_abort_msg("send called");
    return 0;
}
static kdo_time_ns never_deadline(const struct kdo_transport *t)
{
    (void)t;
    ck_abort_msg("next_deadline called");
    return KDO_TIME_NEVER;
}
static int never_poll(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out)
{
    (void)t, (void)now, (void)out;
    ck_abort_msg("poll called");
    return 0;
}
static void never_cancel(struct kdo_transport *t)
{
    (void)t;
    ck_abort_msg("cancel called");
}
static int never_wait(struct kdo_transport *t, kdo_time_ns timeout)
{
    (void)t, (void)timeout;
    ck_abort_msg("wait called");
    return 0;
}
static void never_free(struct kdo_transport *t)
{
    (void)t;
    ck_abort_msg("free called: the transport is borrowed");
}

START_TEST(a_real_transport_serves_one_output_only)
{
    static const struct kdo_transport_ops ops = {
        "dummy-real", never_send, never_deadline, never_poll, never_cancel, never_wait, never_free};
    struct kdo_transport real = {&ops};
    ck_assert(kdo_transport_is_real(&real));
    cfg.transport = &real;
    output(0, "1.1", NULL);
    output(1, "1.2", NULL);
    cfg.noutputs = 2;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run_real(&cfg, &res), KDO_EINVAL);
    ck_assert_uint_eq(res.nlanes, 0);
    ck_assert_ptr_null(res.journal);
    kdo_sim_result_cleanup(&res);
    /* and the virtual driver never drives a real end, one output or three */
    cfg.noutputs = 0;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), KDO_EINVAL);
    ck_assert_uint_eq(res.nlanes, 0);
    kdo_sim_result_cleanup(&res);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("sim");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"ten_minutes", ten_minutes_with_an_outage_deliver_everything},
        {"determinism", one_seed_one_journal},
        {"drain_limit", a_function_that_never_heals_ends_at_the_drain_limit},
        {"restarts", restarts_are_journaled_and_lose_nothing},
        {"step_bound", the_step_bound_stops_a_runaway},
        {"jumps", virtual_time_jumps_between_deadlines},
        {"three_outputs", three_outputs_each_deliver_on_their_own_lane},
        {"shared_fake_replies", two_lanes_invoking_at_once_get_their_own_replies},
        {"outputs_determinism", several_outputs_replay_from_a_seed},
        {"real_transport_outputs", a_real_transport_serves_one_output_only},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, NULL);
        tcase_add_test(tc, cases[i].test);
        tcase_set_timeout(tc, 120);
        suite_add_tcase(s, tc);
    }
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
