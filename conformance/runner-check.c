/*
 * runner-check.c -- a scenario's checks while it runs: each destination's
 * journal is watched as it is recorded (the facts of every expectation's
 * period), and at the end every expectation, and the defaults every
 * scenario owes the contract, are checked.  A part of the runner
 * (runner-int.h).
 */
#include "runner-int.h"

#include "base/errors.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- checks ----------------------------------------------------------------- */

static void format_bound(const struct kdo_expectation *e, char *buf, size_t n)
{
    char during[96] = "";
    if (e->from != INT64_MIN || e->until != KDO_TIME_NEVER)
        snprintf(during, sizeof during, " during [%.3f s, %.3f s)",
                 e->from == INT64_MIN ? 0.0 : (double)e->from / 1e9,
                 e->until == KDO_TIME_NEVER ? INFINITY : (double)e->until / 1e9);
    if (e->min == e->max)
        snprintf(buf, n, "= %.15g%s", e->min, during);
    else if (e->min <= -1e299)
        snprintf(buf, n, "<= %.15g%s", e->max, during);
    else if (e->max >= 1e299)
        snprintf(buf, n, ">= %.15g%s", e->min, during);
    else
        snprintf(buf, n, "in [%.15g, %.15g]%s", e->min, e->max, during);
}

/* The checks of one scenario, made before it runs: one set of facts per
 * destination and period an expectation names, each watching its
 * destination's journal as the run goes, so nothing of the journal needs to
 * be kept.  The whole run's facts per destination are always there (-v, and
 * the note on error rows). */


struct kdo_facts *kdo__runner_facts_for(const struct watch *w, size_t dest, kdo_time_ns from,
                                        kdo_time_ns until)
{
    for (size_t i = 0; i < w->n; i++)
        if (w->v[i].dest == dest && w->v[i].from == from && w->v[i].until == until)
            return w->v[i].f;
    return NULL;
}

static void watch_period(struct watch *w, struct kdo_journal *j, size_t dest, kdo_time_ns from,
                         kdo_time_ns until)
{
    if (kdo__runner_facts_for(w, dest, from, until))
        return;
    struct kdo_facts *f = kdo_facts_watch(j, from, until);
    if (f == NULL) { /* more periods than a journal has watchers */
        w->err = KDO_ETOOBIG;
        snprintf(w->why, sizeof w->why, "too many distinct `during` periods for destination %zu "
                 "(at most 63)", dest + 1);
        return;
    }
    if (w->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 8;
        w->v = kdo_xrealloc(w->v, w->cap * sizeof *w->v);
    }
    w->v[w->n++] = (struct period_facts){dest, from, until, f};
}

void kdo__runner_lane_journal(void *ctx, size_t lane, const char *id, struct kdo_journal *j)
{
    struct watch *w = ctx;
    const struct kdo_scenario *s = w->s;
    kdo_journal_forget(j);
    if (lane >= KDO_APP_MAX_OUTPUTS)
        return;
    watch_period(w, j, lane, INT64_MIN, KDO_TIME_NEVER);
    for (size_t i = 0; i < s->nexpect; i++)
        if (s->expect[i].destination == lane)
            watch_period(w, j, lane, s->expect[i].from, s->expect[i].until);
    snprintf(w->lane_ids[lane], sizeof w->lane_ids[lane], "%s", id ? id : "");
    if (w->tl && kdo_timeline_watch(w->tl, lane, id, j) != 0) {
        w->err = KDO_ETOOBIG;
        snprintf(w->why, sizeof w->why, "too many watchers of destination %zu's journal",
                 lane + 1);
    }
    for (size_t i = 0; i < s->nexpect; i++)
        if (s->expect[i].output && s->expect[i].destination == lane &&
            (w->output[lane] = kdo_output_watch_new(j, s->expect[i].output)) == NULL) {
            w->err = KDO_ETOOBIG;
            snprintf(w->why, sizeof w->why, "too many watchers of destination %zu's journal",
                     lane + 1);
        }
    if (w->journal_out && s->ndest > 1) {
        if ((w->lane_files[lane] = tmpfile()) == NULL) {
            w->err = KDO_EIO;
            snprintf(w->why, sizeof w->why, "cannot make a scratch file for the journal: %s",
                     strerror(errno));
        } else
            kdo_journal_sink(j, w->lane_files[lane]);
    } else if (w->journal_out) {
        kdo_journal_sink(j, w->journal_out);
    }
}

/* Closes the ledgers once the run is over (r's journals may be gone
 * already, when the run could not start). */
void kdo__runner_watch_finish(struct watch *w, const struct kdo_sim_result *r)
{
    for (size_t i = 0; i < r->nlanes; i++)
        kdo_journal_flush(r->lanes[i].journal);
    for (size_t i = 0; i < w->n; i++)
        kdo_facts_finish(w->v[i].f, r->lanes[w->v[i].dest < r->nlanes ? w->v[i].dest : 0].metrics);
    for (size_t i = 0; i < KDO_APP_MAX_OUTPUTS; i++)
        if (w->output[i])
            kdo_output_watch_finish(w->output[i]);
}

void kdo__runner_watch_cleanup(struct watch *w)
{
    for (size_t i = 0; i < w->n; i++)
        kdo_facts_free(w->v[i].f);
    free(w->v);
    for (size_t i = 0; i < KDO_APP_MAX_OUTPUTS; i++)
        kdo_output_watch_free(w->output[i]);
    for (size_t i = 0; i < KDO_APP_MAX_OUTPUTS; i++)
        if (w->lane_files[i])
            fclose(w->lane_files[i]);
}

static const struct kdo_sim_lane *lane_of(const struct kdo_sim_result *r, size_t dest)
{
    return &r->lanes[dest < r->nlanes ? dest : 0];
}

static void check(const struct watch *w, const struct kdo_sim_result *r,
                  const struct kdo_expectation *e, struct kdo_check_result *out)
{
    struct kdo_facts *f = kdo__runner_facts_for(w, e->destination, e->from, e->until);
    const struct kdo_output_watch *ow = e->output && e->destination < KDO_APP_MAX_OUTPUTS
                                            ? w->output[e->destination] : NULL;
    char want[160];
    double v = NAN;
    if (ow)
        v = kdo_output_watch_differences(ow);
    else if (f == NULL || kdo_facts_get(f, e->fact, &v, NULL) != 0)
        v = NAN;
    format_bound(e, want, sizeof want);
    if (e->output) /* a count of differing rows: name what it is compared with */
        snprintf(want, sizeof want, "= 0 rows differing from %.120s",
                 e->output->file ? e->output->file : "no rows ([])");
    char fact[200];
    if (r->nlanes > 1) /* name the destination: "1.2:rows_delivered" */
        snprintf(fact, sizeof fact, "%s:%s", lane_of(r, e->destination)->id, e->fact);
    else
        snprintf(fact, sizeof fact, "%s", e->fact);
    *out = (struct kdo_check_result){
        .fact = kdo_xstrdup(fact), .expected = kdo_xstrdup(want), .value = v,
        .passed = v >= e->min && v <= e->max, .line = e->line, .column = e->column,
    };
    out->evidence = ow ? (out->passed ? NULL : kdo_output_watch_evidence(ow))
                  : f ? kdo_facts_evidence(f, e->fact) : NULL;
}

int kdo__runner_overridden(const struct kdo_scenario *s, const char *fact, size_t dest)
{
    for (size_t i = 0; i < s->nexpect; i++)
        if (strcmp(s->expect[i].fact, fact) == 0 && s->expect[i].destination == dest)
            return 1;
    return 0;
}

/* Fills res->checks; returns 1 if every check holds. */
int kdo__runner_check_all(const struct watch *w, const struct kdo_sim_result *r,
                          struct kdo_scenario_result *res)
{
    const struct kdo_scenario *s = w->s;
    int ok = 1;
    size_t lanes = r->nlanes ? r->nlanes : 1;
    res->checks = kdo_xcalloc(lanes * kdo_default_expectations_count + s->nexpect,
                              sizeof *res->checks);
    /* The contract's invariants hold on every destination's lane. */
    for (size_t d = 0; d < lanes; d++)
        for (size_t i = 0; i < kdo_default_expectations_count; i++) {
            struct kdo_expectation e = kdo_default_expectations[i];
            e.destination = d;
            if (!kdo__runner_overridden(s, e.fact, d))
                check(w, r, &e, &res->checks[res->nchecks++]);
        }
    for (size_t i = 0; i < s->nexpect; i++)
        check(w, r, &s->expect[i], &res->checks[res->nchecks++]);
    for (size_t i = 0; i < res->nchecks; i++)
        ok &= res->checks[i].passed;
    return ok;
}
