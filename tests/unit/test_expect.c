/*
 * test_expect.c -- every check can fail: facts computed from crafted journals.
 *
 * Each test writes a small journal by hand -- the engine's history as it
 * would be with a bug -- and asserts the fact that must expose it.
 */
#include "base/errors.h"
#include "delivery/contract.h"
#include "delivery/invocation.h"
#include "delivery/journal.h"
#include "delivery/metrics.h"
#include "expect.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_journal *j;
static struct kdo_metrics *m;

static void setup(void)
{
    j = kdo_journal_new();
    m = kdo_metrics_new();
    kdo_journal_start(j, 0, 1, "123456789012345678901234567890123456");
}

static void teardown(void)
{
    kdo_journal_free(j);
    kdo_metrics_free(m);
}

static uint64_t invocations;

static void invoke(kdo_time_ns t, uint64_t round, int retry, size_t n, const uint64_t *seqs,
                   const uint64_t *hints)
{
    kdo_journal_invoke(j, t, ++invocations, round, retry, "g", 100 * n, n, seqs, hints);
}

static void reply(kdo_time_ns t, size_t n, const uint8_t *verdicts)
{
    struct kdo_jentry e = {.kind = KDO_J_REPLY};
    e.u.reply.number = invocations;
    e.u.reply.status = 200;
    e.u.reply.n = n;
    for (size_t i = 0; i < n; i++)
        if (verdicts[i] == KDO_REASON_OK)
            e.u.reply.ok++;
        else
            e.u.reply.failed++;
    kdo_journal_reply(j, t, &e, "", verdicts);
}

static double fact(const char *name)
{
    struct kdo_facts *f = kdo_facts_new(j, m);
    double v = -1;
    ck_assert_int_eq(kdo_facts_get(f, name, &v, NULL), 0);
    kdo_facts_free(f);
    return v;
}

static const uint8_t OK[4] = {KDO_REASON_OK, KDO_REASON_OK, KDO_REASON_OK, KDO_REASON_OK};
static const uint64_t ZERO[4] = {0};

START_TEST(a_clean_run_has_no_violations)
{
    uint64_t s[] = {0, 1};
    kdo_journal_rows(j, 0, KDO_J_ROWS_EMITTED, 0, 2, 20);
    invoke(KDO_S, 1, 0, 2, s, ZERO);
    reply(KDO_S, 2, OK);
    kdo_journal_end(j, 2 * KDO_S, 0, 0);
    ck_assert_double_eq(fact("lost"), 0);
    ck_assert_double_eq(fact("rows_delivered"), 2);
    ck_assert_double_eq(fact("retry_hint_errors"), 0);
    ck_assert_double_eq(fact("ok_resent"), 0);
    ck_assert_double_eq(fact("head_of_line_violations"), 0);
    ck_assert_double_eq(fact("duplicates"), 0);
}
END_TEST

START_TEST(a_dropped_row_is_lost)
{
    uint64_t s[] = {0, 1, 2};
    uint8_t v[] = {KDO_REASON_OK, KDO_REASON_DELIVERY_FAILED, KDO_REASON_OK};
    kdo_journal_rows(j, 0, KDO_J_ROWS_EMITTED, 0, 3, 30);
    invoke(KDO_S, 1, 0, 3, s, ZERO);
    reply(KDO_S, 3, v);
    kdo_journal_end(j, 2 * KDO_S, 0, 0); /* the engine no longer holds the failed row */
    ck_assert_double_eq(fact("lost"), 1);
    ck_assert_double_eq(fact("failures.delivery_failed"), 1);
}
END_TEST

START_TEST(a_row_still_failing_at_the_end_is_undelivered_not_lost)
{
    uint64_t s[] = {0};
    uint8_t v[] = {KDO_REASON_FUNCTION_ERROR};
    kdo_journal_rows(j, 0, KDO_J_ROWS_EMITTED, 0, 1, 10);
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    kdo_journal_end(j, 2 * KDO_S, 1, 10);
    ck_assert_double_eq(fact("lost"), 0);
    ck_assert_double_eq(fact("undelivered"), 1);
}
END_TEST

START_TEST(a_hint_that_does_not_rise_is_an_error)
{
    uint64_t s[] = {0};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    kdo_journal_rows(j, 0, KDO_J_ROWS_EMITTED, 0, 1, 10);
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    invoke(2 * KDO_S, 2, 1, 1, s, ZERO); /* should be 1 */
    ck_assert_double_eq(fact("retry_hint_errors"), 1);
}
END_TEST

START_TEST(a_hint_that_jumps_is_an_error)
{
    uint64_t s[] = {0}, two[] = {2};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    invoke(2 * KDO_S, 2, 1, 1, s, two);
    ck_assert_double_eq(fact("retry_hint_errors"), 1);
    ck_assert_double_eq(fact("max_retry_hint"), 2);
}
END_TEST

START_TEST(a_first_send_with_a_hint_is_an_error)
{
    uint64_t s[] = {0}, one[] = {1};
    invoke(KDO_S, 1, 0, 1, s, one);
    ck_assert_double_eq(fact("retry_hint_errors"), 1);
}
END_TEST

START_TEST(hints_must_reset_after_a_restart)
{
    uint64_t s[] = {0}, one[] = {1};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    kdo_journal_restart(j, 1500 * KDO_MS, 1, 0);
    invoke(2 * KDO_S, 2, 0, 1, s, one); /* kept its hint: wrong */
    ck_assert_double_eq(fact("retry_hint_errors"), 1);
    ck_assert_double_eq(fact("restarts"), 1);
}
END_TEST

START_TEST(resending_an_ok_record_is_caught)
{
    uint64_t s[] = {0, 1}, h[] = {1, 0};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED, KDO_REASON_OK};
    invoke(KDO_S, 1, 0, 2, s, ZERO);
    reply(KDO_S, 2, v);
    invoke(2 * KDO_S, 2, 1, 2, s, h); /* row 1 was Ok */
    ck_assert_double_eq(fact("ok_resent"), 1);
}
END_TEST

START_TEST(new_rows_in_a_retry_are_caught)
{
    uint64_t s[] = {0}, s2[] = {0, 5}, h[] = {1, 0};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    invoke(2 * KDO_S, 2, 1, 2, s2, h);
    ck_assert_double_eq(fact("head_of_line_violations"), 1);
}
END_TEST

START_TEST(a_new_flush_while_rows_fail_is_caught)
{
    uint64_t s0[] = {0}, s2[] = {2}, one[] = {1};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    invoke(KDO_S, 1, 0, 1, s0, ZERO);
    reply(KDO_S, 1, v);
    invoke(2 * KDO_S, 2, 0, 1, s2, ZERO); /* row 2 overtakes failing row 0 */
    reply(2 * KDO_S, 1, OK);
    invoke(3 * KDO_S, 3, 1, 1, s0, one);
    ck_assert_double_eq(fact("head_of_line_violations"), 1);
}
END_TEST

START_TEST(the_rest_of_a_split_flush_is_not_overtaking)
{
    uint64_t s0[] = {0}, s1[] = {1};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    invoke(KDO_S, 1, 0, 1, s0, ZERO);
    reply(KDO_S, 1, v);
    invoke(KDO_S, 1, 0, 1, s1, ZERO); /* same round: the second half of the flush */
    reply(KDO_S, 1, OK);
    ck_assert_double_eq(fact("head_of_line_violations"), 0);
    ck_assert_double_eq(fact("split_flushes"), 1);
}
END_TEST

START_TEST(a_timed_out_attempt_may_have_been_delivered)
{
    uint64_t s[] = {0}, one[] = {1};
    uint8_t v[] = {KDO_REASON_FUNCTION_TIMEOUT};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    invoke(2 * KDO_S, 2, 1, 1, s, one);
    ck_assert_double_eq(fact("duplicates"), 1);
}
END_TEST

START_TEST(abandoned_then_resent_counts_as_duplicate)
{
    uint64_t s[] = {0};
    uint8_t v[] = {KDO_REASON_ABANDONED};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    kdo_journal_restart(j, KDO_S, 1, 0);
    invoke(2 * KDO_S, 2, 0, 1, s, ZERO);
    ck_assert_double_eq(fact("duplicates"), 1);
    ck_assert_double_eq(fact("retry_hint_errors"), 0);
}
END_TEST

START_TEST(acked_twice_is_caught)
{
    uint64_t s[] = {0};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, OK);
    invoke(2 * KDO_S, 2, 0, 1, s, ZERO);
    reply(2 * KDO_S, 1, OK);
    ck_assert_double_eq(fact("acked_twice"), 1);
    ck_assert_double_eq(fact("rows_delivered"), 1);
}
END_TEST

START_TEST(cadence_split_and_event_size)
{
    uint64_t s[] = {0}, s1[] = {1}, s2[] = {2};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, OK);
    invoke(2 * KDO_S, 2, 0, 1, s1, ZERO);
    reply(2 * KDO_S, 1, OK);
    invoke(2 * KDO_S, 2, 0, 1, s2, ZERO); /* the same flush, split */
    reply(2 * KDO_S, 1, OK);
    ck_assert_double_eq(fact("flushes"), 2);
    ck_assert_double_eq(fact("split_flushes"), 1);
    ck_assert_double_eq(fact("invocations"), 3);
    ck_assert_double_eq(fact("flush_interval_min_ms"), 1000);
    ck_assert_double_eq(fact("flush_interval_max_ms"), 1000);
    kdo_journal_invoke(j, 3 * KDO_S, 4, 3, 0, "g", KDO_MAX_EVENT_BYTES + 1, 1, s, ZERO);
    ck_assert_double_eq(fact("max_event_bytes"), KDO_MAX_EVENT_BYTES + 1);
}
END_TEST

START_TEST(lag_pauses_and_buffer)
{
    kdo_journal_sample(j, KDO_S, 10, 1000, 0, 0);
    kdo_journal_mark(j, 1500 * KDO_MS, KDO_J_PAUSE);
    kdo_journal_sample(j, 2 * KDO_S, 50, 5000, 4000, 300);
    kdo_journal_mark(j, 3500 * KDO_MS, KDO_J_RESUME);
    kdo_journal_sample(j, 4 * KDO_S, 0, 0, 0, 0);
    ck_assert_double_eq(fact("max_lag_ms"), 4000);
    ck_assert_double_eq(fact("final_lag_ms"), 0);
    ck_assert_double_eq(fact("source_pauses"), 1);
    ck_assert_double_eq(fact("source_paused_ms"), 2000);
    ck_assert_double_eq(fact("buffer_max_rows"), 50);
}
END_TEST

START_TEST(metric_facts)
{
    kdo_metrics_put(m, 0, KDO_METRIC_SUCCESS, 1);
    kdo_metrics_put(m, KDO_S, KDO_METRIC_SUCCESS, 0);
    kdo_metrics_put(m, KDO_S, KDO_METRIC_INPUT_BYTES, 300);
    ck_assert_double_eq(fact("metric:Success:Average"), 0.5);
    ck_assert_double_eq(fact("metric:Success:SampleCount"), 2);
    ck_assert_double_eq(fact("metric:Bytes:Input:Sum"), 300);
    ck_assert_double_eq(fact("metric:Bytes:Output:Sum"), 0);
}
END_TEST

START_TEST(attempts_and_time_to_ok)
{
    uint64_t s[] = {0, 1}, one[] = {1};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED, KDO_REASON_OK};
    kdo_journal_rows(j, 0, KDO_J_ROWS_EMITTED, 0, 2, 20);
    invoke(KDO_S, 1, 0, 2, s, ZERO);
    reply(KDO_S, 2, v);
    invoke(3 * KDO_S, 2, 1, 1, s, one);
    reply(3 * KDO_S, 1, OK);
    ck_assert_double_eq(fact("max_attempts"), 2);
    ck_assert_double_eq(fact("time_to_ok_max_ms"), 3000);
    ck_assert_double_eq(fact("time_to_ok_avg_ms"), 2000); /* (1000 + 3000) / 2 */
}
END_TEST

START_TEST(lag_drained_at)
{
    kdo_journal_sample(j, KDO_S, 0, 0, 500, 1);
    kdo_journal_sample(j, 2 * KDO_S, 0, 0, 9000, 1);
    kdo_journal_sample(j, 3 * KDO_S, 0, 0, 0, 0);
    kdo_journal_sample(j, 4 * KDO_S, 0, 0, 0, 0);
    ck_assert_double_eq(fact("last_lag_s"), 2);
    ck_assert_double_eq(fact("min_lag_ms"), 0);
}
END_TEST

START_TEST(facts_in_a_period)
{
    uint64_t s0[] = {0}, s1[] = {1};
    kdo_journal_sample(j, KDO_S, 0, 0, 100, 0);
    invoke(KDO_S, 1, 0, 1, s0, ZERO);
    reply(KDO_S, 1, OK);
    kdo_journal_sample(j, 5 * KDO_S, 0, 0, 7000, 0);
    invoke(5 * KDO_S, 2, 0, 1, s1, ZERO);
    reply(5 * KDO_S, 1, (uint8_t[]){KDO_REASON_FUNCTION_ERROR});
    kdo_journal_sample(j, 9 * KDO_S, 0, 0, 300, 0);
    kdo_metrics_put(m, 10 * KDO_S, KDO_METRIC_SUCCESS, 1);
    kdo_metrics_put(m, 70 * KDO_S, KDO_METRIC_SUCCESS, 0);
    struct kdo_facts *f = kdo_facts_new_window(j, m, 4 * KDO_S, 6 * KDO_S);
    double v;
    ck_assert_int_eq(kdo_facts_get(f, "max_lag_ms", &v, NULL), 0);
    ck_assert_double_eq(v, 7000);
    ck_assert_int_eq(kdo_facts_get(f, "invocations", &v, NULL), 0);
    ck_assert_double_eq(v, 1);
    ck_assert_int_eq(kdo_facts_get(f, "failures.function_error", &v, NULL), 0);
    ck_assert_double_eq(v, 1);
    ck_assert_int_eq(kdo_facts_get(f, "rows_delivered", &v, NULL), 0); /* whole run */
    ck_assert_double_eq(v, 1);
    ck_assert_int_eq(kdo_facts_get(f, "metric:Success:SampleCount", &v, NULL), 0);
    ck_assert_double_eq(v, 1); /* the minute the period touches */
    kdo_facts_free(f);
    ck_assert_int_eq(kdo_fact_windowable("max_lag_ms"), 1);
    ck_assert_int_eq(kdo_fact_windowable("lost"), 0);
    ck_assert_int_eq(kdo_fact_windowable("metric:Success:Average"), 1);
}
END_TEST

START_TEST(violations_name_their_context)
{
    uint64_t s[] = {0};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    size_t the_reply = kdo_journal_count(j) - 1;
    invoke(2 * KDO_S, 2, 1, 1, s, ZERO); /* hint should be 1 */
    struct kdo_facts *f = kdo_facts_new(j, m);
    double value;
    size_t witness;
    ck_assert_int_eq(kdo_facts_get(f, "retry_hint_errors", &value, &witness), 0);
    ck_assert_uint_eq(witness, kdo_journal_count(j) - 1);
    ck_assert_int_eq(kdo_facts_context(f, "retry_hint_errors"), (int)the_reply);
    kdo_facts_free(f);
}
END_TEST

START_TEST(fact_names)
{
    ck_assert_int_eq(kdo_fact_known("lost"), 1);
    ck_assert_int_eq(kdo_fact_known("failures.not_returned"), 1);
    ck_assert_int_eq(kdo_fact_known("failures.ok"), 0);
    ck_assert_int_eq(kdo_fact_known("metric:LambdaDelivery.OkRecords:Sum"), 1);
    ck_assert_int_eq(kdo_fact_known("metric:LambdaDelivery.Bytes:Sum"), 0); /* no such metric */
    ck_assert_int_eq(kdo_fact_known("metric:Success:Median"), 0);
    ck_assert_int_eq(kdo_fact_known("lots"), 0);
    ck_assert_str_eq(kdo_fact_suggest("max_retry_hints"), "max_retry_hint");
    struct kdo_facts *f = kdo_facts_new(j, m);
    double v;
    ck_assert_int_eq(kdo_facts_get(f, "nope", &v, NULL), KDO_EINVAL);
    kdo_facts_free(f);
}
END_TEST


/* ---- watching a run as it goes ---------------------------------------------- */

/* A long, messy history: flushes split or not, failures of every kind,
 * retries, restarts, and now and then a bug (an Ok row resent, a hint that
 * jumps, a row never sent). */
static unsigned lcg(uint64_t *state)
{
    *state = *state * 6364136223846793005u + 1442695040888963407u;
    return (unsigned)(*state >> 33);
}

static void messy_run(struct kdo_journal *jj, unsigned seed)
{
    uint64_t rng = seed, next_row = 0, first_unacked = 0, round = 0, number = 0;
    uint64_t seqs[40], hints[40];
    uint8_t verdicts[40];
    kdo_journal_start(jj, 0, seed, "123456789012345678901234567890123456");
    for (int step = 0; step < 3000; step++) {
        kdo_time_ns t = (kdo_time_ns)step * KDO_S;
        uint64_t fresh = lcg(&rng) % 20;
        kdo_journal_rows(jj, t, KDO_J_ROWS_READ, next_row, fresh, fresh * 10);
        kdo_journal_rows(jj, t, KDO_J_ROWS_EMITTED, next_row, fresh, fresh * 10);
        next_row += fresh;
        size_t n = 0;
        for (uint64_t r = first_unacked; r < next_row && n < 40; r++, n++) {
            seqs[n] = r;
            hints[n] = lcg(&rng) % 50 == 0 ? 9 : (uint64_t)(step % 3);
        }
        if (lcg(&rng) % 40 == 0 && n > 0)
            seqs[0] = first_unacked > 0 ? first_unacked - 1 : 0; /* an Ok row resent */
        kdo_journal_invoke(jj, t + KDO_MS, ++number, ++round, (int)(lcg(&rng) % 2), "g", 100 * n, n,
                           seqs, hints);
        struct kdo_jentry e = {.kind = KDO_J_REPLY};
        e.u.reply.number = number;
        e.u.reply.status = 200;
        e.u.reply.n = n;
        for (size_t i = 0; i < n; i++) {
            unsigned roll = lcg(&rng) % 10;
            verdicts[i] = roll < 7 ? KDO_REASON_OK : roll < 8 ? KDO_REASON_DELIVERY_FAILED
                          : roll < 9 ? KDO_REASON_NO_RESULT : KDO_REASON_ABANDONED;
            e.u.reply.ok += verdicts[i] == KDO_REASON_OK;
            e.u.reply.failed += verdicts[i] != KDO_REASON_OK;
        }
        kdo_journal_reply(jj, t + 2 * KDO_MS, &e, step % 9 ? "" : "detail", verdicts);
        while (n > 0 && first_unacked < next_row && verdicts[0] == KDO_REASON_OK && lcg(&rng) % 2)
            first_unacked++;
        kdo_journal_sample(jj, t + 3 * KDO_MS, next_row - first_unacked, 0,
                           (int64_t)(lcg(&rng) % 5000), lcg(&rng) % 3);
        if (lcg(&rng) % 100 == 0)
            kdo_journal_restart(jj, t + 4 * KDO_MS, lcg(&rng) % 10, KDO_S);
        if (lcg(&rng) % 50 == 0) {
            kdo_journal_pause(jj, t + 5 * KDO_MS, NULL);
            kdo_journal_mark(jj, t + 6 * KDO_MS, KDO_J_RESUME);
        }
        if (lcg(&rng) % 70 == 0)
            kdo_journal_error_row(jj, t + 7 * KDO_MS, next_row, "PARSE", "bad row");
    }
    kdo_journal_end(jj, 3000 * KDO_S, next_row - first_unacked, 0);
}

static char *printed(const struct kdo_facts *f)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    kdo_facts_print(f, out);
    static const char *const names[] = {"lost", "ok_resent", "retry_hint_errors",
                                        "head_of_line_violations", "max_lag_ms", "final_lag_ms",
                                        "max_records_per_invocation", "failures.no_result"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *ev = kdo_facts_evidence(f, names[i]);
        fprintf(out, "%s: %s\n", names[i], ev ? ev : "(none)");
        free(ev);
    }
    fclose(out);
    return text;
}

START_TEST(watching_a_forgetting_journal_equals_reading_a_kept_one)
{
    for (unsigned seed = 1; seed <= 5; seed++) {
        struct kdo_journal *kept = kdo_journal_new(), *streamed = kdo_journal_new();
        struct kdo_facts *whole = kdo_facts_watch(streamed, INT64_MIN, KDO_TIME_NEVER);
        struct kdo_facts *period = kdo_facts_watch(streamed, 100 * KDO_S, 900 * KDO_S);
        kdo_journal_forget(streamed);
        messy_run(kept, seed);
        messy_run(streamed, seed);
        kdo_facts_finish(whole, m);
        kdo_facts_finish(period, m);
        ck_assert_uint_lt(kdo_journal_held_bytes(streamed), kdo_journal_held_bytes(kept) / 4);
        struct kdo_facts *a = kdo_facts_new(kept, m);
        struct kdo_facts *b = kdo_facts_new_window(kept, m, 100 * KDO_S, 900 * KDO_S);
        char *want = printed(a), *got = printed(whole);
        ck_assert_str_eq(got, want);
        free(want), free(got);
        want = printed(b), got = printed(period);
        ck_assert_str_eq(got, want);
        free(want), free(got);
        double v;
        ck_assert_int_eq(kdo_facts_get(whole, "ok_resent", &v, NULL), 0);
        ck_assert_double_gt(v, 0); /* the bugs were seen */
        ck_assert_int_eq(kdo_facts_get(whole, "retry_hint_errors", &v, NULL), 0);
        ck_assert_double_gt(v, 0);
        kdo_facts_free(a);
        kdo_facts_free(b);
        kdo_facts_free(whole);
        kdo_facts_free(period);
        kdo_journal_free(kept);
        kdo_journal_free(streamed);
    }
}
END_TEST

START_TEST(evidence_shows_the_witness_and_its_context)
{
    uint64_t s[] = {0};
    uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    invoke(KDO_S, 1, 0, 1, s, ZERO);
    reply(KDO_S, 1, v);
    invoke(2 * KDO_S, 2, 1, 1, s, ZERO); /* hint should be 1 */
    struct kdo_facts *f = kdo_facts_new(j, m);
    char *ev = kdo_facts_evidence(f, "retry_hint_errors");
    ck_assert_ptr_nonnull(ev);
    ck_assert_ptr_nonnull(strstr(ev, "\"ev\":\"reply\""));
    ck_assert_ptr_nonnull(strstr(ev, "\n{\"t\":2.000000,\"ev\":\"invoke\""));
    free(ev);
    ck_assert_ptr_null(kdo_facts_evidence(f, "lost")); /* no END entry: nothing shows it */
    kdo_facts_free(f);
}
END_TEST


START_TEST(a_reply_without_its_invoke_explains_lost)
{
    uint64_t s[] = {0, 1};
    kdo_journal_rows(j, 0, KDO_J_ROWS_EMITTED, 0, 2, 20);
    invoke(KDO_S, 1, 0, 2, s, ZERO);
    reply(KDO_S, 1, OK); /* one verdict for two records: the ledger cannot match it */
    kdo_journal_end(j, 2 * KDO_S, 0, 0);
    struct kdo_facts *f = kdo_facts_new(j, m);
    double v;
    ck_assert_int_eq(kdo_facts_get(f, "lost", &v, NULL), 0);
    ck_assert_double_eq(v, 2);
    char *ev = kdo_facts_evidence(f, "lost");
    ck_assert_ptr_nonnull(ev);
    ck_assert_ptr_nonnull(strstr(ev, "\"ev\":\"reply\""));
    ck_assert_ptr_nonnull(strstr(ev, "\"ev\":\"end\""));
    free(ev);
    kdo_facts_free(f);
}
END_TEST

/* ---- expect: output -- the rows received, each once, grouped by the journal's instants ---- */

static const char *const out_rows[] = {"{\"K\":\"a1\"}", "{\"K\":\"a2\"}", "{\"K\":\"b1\"}"};

/* Sends rows seqs[0..n) (out_rows[seq]) in one invocation. */
static void send_rows(struct kdo_output_watch *w, const uint64_t *seqs, size_t n)
{
    char ids[4][57];
    struct kdo_str id[4], data[4];
    for (size_t i = 0; i < n; i++) {
        kdo_journal_record_id("123456789012345678901234567890123456", seqs[i], ids[i]);
        id[i] = (struct kdo_str){ids[i], 56};
        data[i] = (struct kdo_str){out_rows[seqs[i]], strlen(out_rows[seqs[i]])};
    }
    struct kdo_invocation inv = {.number = 1, .n = n, .ids = id, .data = data};
    kdo_output_watch_sent(w, &inv);
}

/* The run of output_rows_once_by_instant against expected rows in `order`. */
static double output_differences(const int *order, char **report)
{
    struct kdo_rowdiff_text text[3];
    for (size_t i = 0; i < 3; i++)
        text[i] = (struct kdo_rowdiff_text){out_rows[order[i]], strlen(out_rows[order[i]])};
    struct kdo_output_expect o = {.cfg = {.format = KDO_ROWFMT_JSON, .order = KDO_ROWDIFF_WINDOW,
                                          .tolerance = 1e-9},
                                  .text = text, .n = 3};
    struct kdo_journal *jj = kdo_journal_new();
    kdo_journal_start(jj, 0, 1, "123456789012345678901234567890123456");
    struct kdo_output_watch *w = kdo_output_watch_new(jj, &o);
    ck_assert_ptr_nonnull(w);
    /* a1 and a2 emitted at 1 s, b1 at 2 s; a1 and a2 sent, failed, sent again */
    kdo_journal_rows(jj, 1 * KDO_S, KDO_J_ROWS_EMITTED, 0, 2, 20);
    send_rows(w, (const uint64_t[]){0, 1}, 2);
    send_rows(w, (const uint64_t[]){0, 1}, 2);
    kdo_journal_rows(jj, 2 * KDO_S, KDO_J_ROWS_EMITTED, 2, 1, 10);
    send_rows(w, (const uint64_t[]){2}, 1);
    send_rows(w, (const uint64_t[]){1, 2}, 2); /* a restart resends */
    kdo_journal_end(jj, 3 * KDO_S, 0, 0);
    kdo_output_watch_finish(w);
    double d = kdo_output_watch_differences(w);
    *report = kdo_output_watch_evidence(w);
    kdo_output_watch_free(w);
    kdo_journal_free(jj);
    return d;
}

START_TEST(output_rows_once_by_instant)
{
    char *report;
    /* any order within the 1 s instant; each row once although sent twice */
    ck_assert_msg(output_differences((const int[]){1, 0, 2}, &report) == 0, "%s", report);
    ck_assert_msg(strstr(report, "3 expected, 3 received: 3 matched"), "%s", report);
    free(report);
    /* b1 came at its own, later instant: not before a1 and a2 */
    ck_assert_msg(output_differences((const int[]){2, 0, 1}, &report) > 0, "%s", report);
    free(report);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("expect");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"clean", a_clean_run_has_no_violations},
        {"lost", a_dropped_row_is_lost},
        {"undelivered", a_row_still_failing_at_the_end_is_undelivered_not_lost},
        {"hint_not_rising", a_hint_that_does_not_rise_is_an_error},
        {"hint_jumping", a_hint_that_jumps_is_an_error},
        {"hint_first_send", a_first_send_with_a_hint_is_an_error},
        {"hint_reset", hints_must_reset_after_a_restart},
        {"ok_resent", resending_an_ok_record_is_caught},
        {"head_of_line", new_rows_in_a_retry_are_caught},
        {"head_of_line_flush", a_new_flush_while_rows_fail_is_caught},
        {"split_not_overtaking", the_rest_of_a_split_flush_is_not_overtaking},
        {"duplicates_timeout", a_timed_out_attempt_may_have_been_delivered},
        {"duplicates", abandoned_then_resent_counts_as_duplicate},
        {"acked_twice", acked_twice_is_caught},
        {"cadence_split", cadence_split_and_event_size},
        {"backpressure", lag_pauses_and_buffer},
        {"metrics", metric_facts},
        {"attempts", attempts_and_time_to_ok},
        {"drained", lag_drained_at},
        {"period", facts_in_a_period},
        {"context", violations_name_their_context},
        {"names", fact_names},
        {"watching", watching_a_forgetting_journal_equals_reading_a_kept_one},
        {"evidence", evidence_shows_the_witness_and_its_context},
        {"unmatched_reply", a_reply_without_its_invoke_explains_lost},
        {"output_once_by_instant", output_rows_once_by_instant},
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
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
