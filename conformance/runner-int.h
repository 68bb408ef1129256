/*
 * runner-int.h -- what the parts of the runner share (runner.c: one
 * scenario and many; runner-check.c: the checks, fed the journals as they
 * are recorded; runner-files.c: the journal, metrics and records files).
 * Not for other modules: runner.h is the interface.
 */
#ifndef KDO_RUNNER_INT_H
#define KDO_RUNNER_INT_H

#include "runner.h"

#include "app/sim.h"
#include "delivery/invocation.h"
#include "expect.h"
#include "report.h"
#include "scenario.h"
#include "suite.h"
#include "timeline.h"

#include <stdio.h>

struct period_facts {
    size_t dest;
    kdo_time_ns from, until;
    struct kdo_facts *f;
};

struct records {
    FILE *f;
    int several_dests;
    int err;
};

struct watch {
    const struct kdo_scenario *s;
    struct period_facts *v;
    size_t n, cap;
    FILE *journal_out;                  /* --journal, or NULL */
    FILE *lane_files[KDO_APP_MAX_OUTPUTS]; /* several destinations: each lane's lines */
    /* expect: output: per destination, told each invocation sent (sent_to()) */
    struct kdo_output_watch *output[KDO_APP_MAX_OUTPUTS];
    char lane_ids[KDO_APP_MAX_OUTPUTS][16];
    struct records *rec; /* --records, also told each invocation, or NULL */
    struct kdo_timeline *tl; /* --report: the picture's facts, or NULL */
    int err;
    char why[160];                      /* what err means, for the user */
};

/* runner-check.c */
struct kdo_facts *kdo__runner_facts_for(const struct watch *w, size_t dest, kdo_time_ns from,
                                        kdo_time_ns until);
void kdo__runner_lane_journal(void *ctx, size_t lane, const char *id, struct kdo_journal *j);
void kdo__runner_watch_finish(struct watch *w, const struct kdo_sim_result *r);
void kdo__runner_watch_cleanup(struct watch *w);
int kdo__runner_overridden(const struct kdo_scenario *s, const char *fact, size_t dest);
int kdo__runner_check_all(const struct watch *w, const struct kdo_sim_result *r,
                          struct kdo_scenario_result *res);

/* runner-files.c */
void kdo__runner_output_path(const char *path, const char *file, int several, const char *ext,
                             char *out, size_t n);
FILE *kdo__runner_open_output(const char *path, const char *file, int several, const char *ext);
int kdo__runner_close_output(FILE *f, int err, const char *path);
int kdo__runner_finish_journal(const struct kdo_runner_options *o, struct watch *w,
                               const struct kdo_sim_result *r);
int kdo__runner_write_outputs(const struct kdo_runner_options *o, const char *file, int several,
                              const struct kdo_sim_result *r);
void kdo__runner_sent_to(void *ctx, const char *dest, kdo_time_ns now,
                         const struct kdo_invocation *inv);
int kdo__runner_distinct_outputs(const struct kdo_suite *s, FILE *out);

#endif
