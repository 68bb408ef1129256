/*
 * test_sim.c -- the virtual-time driver: whole runs, determinism, draining,
 * restarts and bounds.
 */
#include "errors.h"
#include "faults.h"
#include "journal.h"
#include "sim.h"

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
    /* A 60 s tumbling window over an hour: a few thousand steps, not millions. */
    cfg.duration = 3600 * KDO_S;
    cfg.app.window.kind = KDO_WINDOW_TUMBLING;
    cfg.app.window.size = 60 * KDO_S;
    cfg.delivery.cadence = 0;
    seg.rate = 10;
    struct kdo_sim_result res;
    ck_assert_int_eq(kdo_sim_run(&cfg, &res), 0);
    ck_assert_uint_lt(res.steps, 3600 * 5 + 3600 + 200);
    ck_assert_uint_ge(res.delivery.acked, 60);
    ck_assert_uint_le(res.delivery.acked, 61);
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
