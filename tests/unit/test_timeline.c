/*
 * test_timeline.c -- the picture's facts gathered from journals,
 * conformance/timeline.c.
 *
 * Journals are crafted by hand: every outcome an invocation can have is
 * coloured as the report says; pixel-wide buckets and the halving of a
 * lane past its bound keep every count exact; records that failed are
 * ranked by how long they failed; a pause still open at the end is closed
 * there.  Time is written by hand; nothing sleeps.
 */
#include "timeline.h"

#include "base/errors.h"
#include "delivery/contract.h"
#include "delivery/journal.h"
#include "delivery/metrics.h"
#include "delivery/reply.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Every test: one journal, watched as lane 0 of a timeline. */
static struct kdo_journal *j;
static struct kdo_timeline *tl;

static void setup(void)
{
    j = kdo_journal_new();
    tl = kdo_timeline_new();
    ck_assert_int_eq(kdo_timeline_watch(tl, 0, "1.1", j), 0);
}

static void teardown(void)
{
    kdo_timeline_free(tl);
    kdo_journal_free(j);
}

static void invoke(kdo_time_ns t, uint64_t number, int retry, size_t n,
                   const uint64_t *seqs, const uint64_t *hints)
{
    kdo_journal_invoke(j, t, number, number, retry, "id", 100 * n, n, seqs, hints);
}

static void reply(kdo_time_ns t, uint64_t number, int status,
                  enum kdo_transport_outcome outcome, enum kdo_reason whole, size_t n,
                  const uint8_t *verdicts)
{
    struct kdo_jentry e = {.kind = KDO_J_REPLY};
    e.u.reply.number = number;
    e.u.reply.status = status;
    e.u.reply.outcome = (uint8_t)outcome;
    e.u.reply.whole = (uint8_t)whole;
    e.u.reply.duration = 20 * KDO_MS;
    e.u.reply.n = n;
    for (size_t i = 0; i < n; i++) {
        e.u.reply.ok += verdicts[i] == KDO_REASON_OK;
        e.u.reply.failed += verdicts[i] != KDO_REASON_OK;
    }
    kdo_journal_reply(j, t, &e, "", verdicts);
}

static uint64_t total_of(const struct kdo_tl_lane *l, enum kdo_tl_outcome o)
{
    uint64_t n = 0;
    for (size_t i = 0; i < l->nmarks; i++)
        n += l->marks[i].count[o];
    return n;
}

START_TEST(every_outcome_is_coloured)
{
    kdo_journal_start(j, 0, 1, "123");
    /* each reply as the journal has it, and the outcome it must be drawn as */
    static const struct {
        int status;
        enum kdo_transport_outcome outcome;
        enum kdo_reason whole;
        uint8_t v[2];
        enum kdo_tl_outcome want;
    } cases[] = {
        {200, KDO_TRANSPORT_DONE, KDO_REASON_OK, {KDO_REASON_OK, KDO_REASON_OK}, KDO_TL_OK},
        {200, KDO_TRANSPORT_DONE, KDO_REASON_OK, {KDO_REASON_OK, KDO_REASON_DELIVERY_FAILED},
         KDO_TL_PARTIAL},
        {200, KDO_TRANSPORT_DONE, KDO_REASON_FUNCTION_ERROR,
         {KDO_REASON_FUNCTION_ERROR, KDO_REASON_FUNCTION_ERROR}, KDO_TL_FAILED},
        {429, KDO_TRANSPORT_DONE, KDO_REASON_HTTP_STATUS,
         {KDO_REASON_HTTP_STATUS, KDO_REASON_HTTP_STATUS}, KDO_TL_THROTTLED},
        {0, KDO_TRANSPORT_TIMEDOUT, KDO_REASON_TRANSPORT_TIMEOUT,
         {KDO_REASON_TRANSPORT_TIMEOUT, KDO_REASON_TRANSPORT_TIMEOUT}, KDO_TL_TIMEOUT},
        {0, KDO_TRANSPORT_FAILED, KDO_REASON_TRANSPORT_ERROR,
         {KDO_REASON_TRANSPORT_ERROR, KDO_REASON_TRANSPORT_ERROR}, KDO_TL_TRANSPORT},
    };
    uint64_t seqs[2] = {0, 1}, hints[2] = {0, 0};
    kdo_time_ns t = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        invoke(t, i + 1, i >= 2, 2, seqs, hints);
        reply(t += KDO_S, i + 1, cases[i].status, cases[i].outcome, cases[i].whole, 2, cases[i].v);
    }
    invoke(t, 7, 1, 2, seqs, hints); /* never answered */
    kdo_journal_end(j, t += KDO_S, 2, 200);
    const struct kdo_tl_lane *l = &tl->lanes[0];
    ck_assert_uint_eq(l->invocations, 7);
    ck_assert_uint_eq(l->nmarks, 7);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(l->marks[i].count[cases[i].want] == 1, "reply %zu is not drawn %s", i + 1,
                      kdo_tl_outcome_name(cases[i].want));
    for (int o = 0; o < KDO_TL_OUTCOMES; o++)
        ck_assert_msg(total_of(l, (enum kdo_tl_outcome)o) == 1, "outcome %s: %llu marks",
                      kdo_tl_outcome_name((enum kdo_tl_outcome)o),
                      (unsigned long long)total_of(l, (enum kdo_tl_outcome)o));
    ck_assert_uint_eq(l->marks[2].count[KDO_TL_FAILED], 1);
    ck_assert_uint_eq(l->marks[3].count[KDO_TL_THROTTLED], 1);
    ck_assert_uint_eq(l->marks[2].retries, 1);
    ck_assert_str_eq(l->prefix, "123");
    ck_assert_int_eq(kdo_timeline_end(tl), 7 * KDO_S);
}
END_TEST

static struct kdo_tl_mark mark_at(kdo_time_ns t, enum kdo_tl_outcome o, uint64_t records)
{
    struct kdo_tl_mark m = {.t0 = t, .t1 = t, .records = records, .bytes = 10 * records,
                            .hint_min = 0, .hint_max = 0};
    m.count[o] = 1;
    return m;
}

START_TEST(buckets_keep_counts_exact)
{
    enum { N = 6000, W = 1100 };
    struct kdo_tl_mark *in = kdo_xcalloc(N, sizeof *in), out[W];
    uint64_t records = 0;
    for (size_t i = 0; i < N; i++) { /* every 100 ms for 600 s; a third throttled */
        in[i] = mark_at((kdo_time_ns)i * 100 * KDO_MS, i % 3 ? KDO_TL_OK : KDO_TL_THROTTLED,
                        i % 7 + 1);
        records += i % 7 + 1;
    }
    size_t n = kdo_timeline_buckets(in, N, 0, 600 * KDO_S, W, out);
    ck_assert_uint_le(n, W);
    ck_assert_uint_ge(n, W - 1); /* every pixel column holds some */
    uint64_t ok = 0, thr = 0, rec = 0;
    for (size_t i = 0; i < n; i++) {
        ok += out[i].count[KDO_TL_OK];
        thr += out[i].count[KDO_TL_THROTTLED];
        rec += out[i].records;
        ck_assert_msg(out[i].t1 - out[i].t0 < 600 * KDO_S / W + 1,
                      "bucket %zu spans %lld ns, more than a pixel", i,
                      (long long)(out[i].t1 - out[i].t0));
        if (i > 0)
            ck_assert_int_gt(out[i].t0, out[i - 1].t1);
    }
    ck_assert_uint_eq(ok + thr, N);
    ck_assert_uint_eq(thr, N / 3);
    ck_assert_uint_eq(rec, records);
    /* fewer marks than pixels, each in its own column (6 s apart): nothing merged */
    struct kdo_tl_mark sparse[100];
    for (size_t i = 0; i < 100; i++)
        sparse[i] = in[i * 60];
    n = kdo_timeline_buckets(sparse, 100, 0, 600 * KDO_S, W, out);
    ck_assert_uint_eq(n, 100);
    ck_assert_int_eq(memcmp(out, sparse, sizeof sparse), 0);
    /* a mark at or past the end goes in the last column, not past it */
    struct kdo_tl_mark late[2] = {mark_at(600 * KDO_S, KDO_TL_OK, 1),
                                  mark_at(700 * KDO_S, KDO_TL_FAILED, 1)};
    n = kdo_timeline_buckets(late, 2, 0, 600 * KDO_S, W, out);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(kdo_tl_mark_total(&out[0]), 2);
    free(in);
}
END_TEST

START_TEST(a_long_run_stays_bounded_and_exact)
{
    kdo_journal_forget(j);
    const uint64_t n = KDO_TIMELINE_MAX_MARKS * 2 + 77;
    uint8_t ok = KDO_REASON_OK, bad = KDO_REASON_FUNCTION_ERROR;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t seq = i, hint = 0;
        kdo_time_ns t = (kdo_time_ns)i * 10 * KDO_MS;
        invoke(t, i + 1, 0, 1, &seq, &hint);
        kdo_journal_sample(j, t, i, 1, (int64_t)i, 0);
        reply(t + KDO_MS, i + 1, 200, KDO_TRANSPORT_DONE,
              i % 5 ? KDO_REASON_OK : KDO_REASON_FUNCTION_ERROR, 1, i % 5 ? &ok : &bad);
    }
    kdo_journal_end(j, (kdo_time_ns)n * 10 * KDO_MS, 0, 0);
    const struct kdo_tl_lane *l = &tl->lanes[0];
    ck_assert_uint_le(l->nmarks, KDO_TIMELINE_MAX_MARKS);
    ck_assert_uint_le(l->nsamples, KDO_TIMELINE_MAX_MARKS);
    ck_assert_uint_ge(l->merged, 1);
    ck_assert_uint_eq(l->invocations, n);
    ck_assert_uint_eq(total_of(l, KDO_TL_OK) + total_of(l, KDO_TL_FAILED), n);
    ck_assert_uint_eq(total_of(l, KDO_TL_FAILED), (n + 4) / 5);
    /* the largest lag survives the halving */
    int64_t max = 0;
    for (size_t i = 0; i < l->nsamples; i++)
        max = l->samples[i].lag_ms > max ? l->samples[i].lag_ms : max;
    ck_assert_int_eq(max, (int64_t)n - 1);
    /* failed records: at most the bound followed, the rest counted */
    ck_assert_uint_le(l->nrecords, KDO_TIMELINE_MAX_RECORDS);
    ck_assert_uint_eq(l->nrecords + l->untracked, (n + 4) / 5);
}
END_TEST

START_TEST(records_ranked_by_time_failing)
{
    /* seq 5 fails at 1 s and 2 s (two reasons), Ok at 4 s; seq 6 fails at 2 s,
     * Ok at 3 s; seq 7 fails at 3 s and never succeeds (the run ends at 10 s) */
    uint64_t s56[2] = {5, 6}, h[2] = {0, 0}, s5 = 5, s6 = 6, s7 = 7, h0 = 0;
    uint8_t both_fail[2] = {KDO_REASON_DELIVERY_FAILED, KDO_REASON_OK};
    uint8_t f_fe[2] = {KDO_REASON_FUNCTION_ERROR, KDO_REASON_DELIVERY_FAILED};
    uint8_t okv = KDO_REASON_OK, bad = KDO_REASON_DELIVERY_FAILED;
    invoke(0, 1, 0, 2, s56, h);
    reply(1 * KDO_S, 1, 200, KDO_TRANSPORT_DONE, KDO_REASON_OK, 2, both_fail);
    invoke(1 * KDO_S, 2, 1, 2, s56, h);
    reply(2 * KDO_S, 2, 200, KDO_TRANSPORT_DONE, KDO_REASON_OK, 2, f_fe);
    invoke(2 * KDO_S, 3, 1, 1, &s6, &h0);
    reply(3 * KDO_S, 3, 200, KDO_TRANSPORT_DONE, KDO_REASON_OK, 1, &okv);
    invoke(3 * KDO_S, 4, 0, 1, &s7, &h0);
    reply(3 * KDO_S, 4, 200, KDO_TRANSPORT_DONE, KDO_REASON_OK, 1, &bad);
    invoke(3 * KDO_S, 5, 1, 1, &s5, &h0);
    reply(4 * KDO_S, 5, 200, KDO_TRANSPORT_DONE, KDO_REASON_OK, 1, &okv);
    kdo_journal_end(j, 10 * KDO_S, 1, 100);
    const struct kdo_tl_record *w[5];
    size_t tied;
    size_t n = kdo_timeline_worst_records(&tl->lanes[0], w, 5, &tied);
    ck_assert_uint_eq(tied, 1);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(w[0]->seq, 7); /* 7 s failing, never Ok */
    ck_assert_int_eq(w[0]->ok_at, KDO_TIME_NEVER);
    ck_assert_uint_eq(w[1]->seq, 5); /* 3 s */
    ck_assert_uint_eq(w[1]->attempts, 3);
    ck_assert_uint_eq(w[1]->failures, 2);
    ck_assert_uint_eq(w[1]->nreasons, 2);
    ck_assert_uint_eq(w[1]->reasons[0], KDO_REASON_DELIVERY_FAILED);
    ck_assert_uint_eq(w[1]->reasons[1], KDO_REASON_FUNCTION_ERROR);
    ck_assert_int_eq(w[1]->ok_at, 4 * KDO_S);
    ck_assert_uint_eq(w[2]->seq, 6); /* 1 s */
    ck_assert_uint_eq(kdo_timeline_worst_records(&tl->lanes[0], w, 1, NULL), 1);
    ck_assert_uint_eq(w[0]->seq, 7);
}
END_TEST

START_TEST(pauses_restarts_and_faults)
{
    kdo_timeline_fault(tl, 10 * KDO_S, 20 * KDO_S, "rule 1, throttle");
    kdo_timeline_fix(tl, 20 * KDO_S, "every fault so far (1 rule ended)");
    kdo_journal_pause(j, 1 * KDO_S, NULL);
    kdo_journal_mark(j, 2 * KDO_S, KDO_J_RESUME);
    kdo_journal_restart(j, 5 * KDO_S, 40, 3 * KDO_S);
    kdo_journal_pause(j, 8 * KDO_S, NULL);
    kdo_journal_end(j, 30 * KDO_S, 0, 0);
    const struct kdo_tl_lane *l = &tl->lanes[0];
    ck_assert_uint_eq(l->npauses, 2);
    ck_assert_uint_eq(l->pause_count, 2);
    ck_assert_int_eq(l->pauses[0].until, 2 * KDO_S);
    ck_assert_int_eq(l->pauses[1].until, 30 * KDO_S); /* closed by the end */
    ck_assert_uint_eq(l->nspans, 3);
    ck_assert_int_eq(l->span_kind[0], KDO_TL_FAULT);
    ck_assert_str_eq(l->spans[0].label, "rule 1, throttle");
    ck_assert_int_eq(l->span_kind[1], KDO_TL_FIX); /* an instant */
    ck_assert_int_eq(l->spans[1].from, 20 * KDO_S);
    ck_assert_int_eq(l->spans[1].until, 20 * KDO_S);
    ck_assert_int_eq(l->span_kind[2], KDO_TL_RESTART);
    ck_assert_int_eq(l->spans[2].until, 8 * KDO_S);
    ck_assert_uint_eq(l->spans[2].n, 40);
    ck_assert_uint_eq(tl->lanes[KDO_TIMELINE_MAX_LANES - 1].nspans, 2); /* on every lane */
    ck_assert_int_eq(kdo_timeline_watch(tl, KDO_TIMELINE_MAX_LANES, "x", j), KDO_EINVAL);
}
END_TEST

/* A long run's charts: a bar per 5 minutes past 180 minutes, each the
 * period's Sum (or Maximum), nothing lost at the seams. */
START_TEST(long_runs_chart_longer_periods)
{
    struct kdo_metrics *m = kdo_metrics_new();
    for (int minute = 0; minute < 600; minute++) { /* 10 hours */
        kdo_metrics_put(m, (kdo_time_ns)minute * KDO_MIN, KDO_METRIC_OK_RECORDS, minute);
        kdo_metrics_put(m, (kdo_time_ns)minute * KDO_MIN, KDO_METRIC_MILLIS_BEHIND_LATEST,
                        minute == 301 ? 9000 : 10);
    }
    kdo_timeline_metrics(tl, 0, m);
    const struct kdo_tl_lane *l = &tl->lanes[0];
    ck_assert_uint_eq(l->period, 5);
    ck_assert_uint_eq(l->nbars, 120);
    ck_assert_uint_eq(l->minutes_cut, 0);
    double total = 0;
    for (size_t i = 0; i < l->nbars; i++)
        total += l->bars[KDO_TL_OK_RECORDS][i];
    ck_assert(total == 599.0 * 600 / 2);
    ck_assert(l->bars[KDO_TL_OK_RECORDS][1] == 5 + 6 + 7 + 8 + 9);
    ck_assert(l->bars[KDO_TL_LAG][60] == 9000); /* minutes 300-304: the max */
    ck_assert(l->bars[KDO_TL_LAG][59] == 10);
    struct kdo_metrics *s = kdo_metrics_new(); /* a short run: a minute a bar */
    kdo_metrics_put(s, 2 * KDO_MIN, KDO_METRIC_OK_RECORDS, 3);
    kdo_timeline_metrics(tl, 1, s);
    ck_assert_uint_eq(tl->lanes[1].period, 1);
    ck_assert_uint_eq(tl->lanes[1].nbars, 3);
    kdo_metrics_free(s);
    kdo_metrics_free(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_outcome_is_coloured);
    tcase_add_test(tc, buckets_keep_counts_exact);
    tcase_add_test(tc, a_long_run_stays_bounded_and_exact);
    tcase_add_test(tc, records_ranked_by_time_failing);
    tcase_add_test(tc, pauses_restarts_and_faults);
    tcase_add_test(tc, long_runs_chart_longer_periods);
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
