/*
 * runner.h -- `kdaout run` and `kdaout validate`: scenarios in, verdicts out.
 *
 * Collects scenario files (suite.h), loads each, opens its Lambda end, runs
 * it, checks its expectations plus the defaults every scenario owes the
 * contract, and reports (report.h): on the terminal as each finishes, in
 * order, and in the files asked for.  --jobs runs scenarios in parallel
 * threads; each run is independent (its own rng, journal, fake).  An HTTP
 * end whose GetFunctionConfiguration answers 404 or 401/403 is not run: its
 * result is the failed check function_configuration with cause and fix.  Exit
 * status: 0 all passed, 1 a check failed, 2 bad input (or 404: no such
 * function), 3 could not decide (a check failed while the endpoint was
 * unreachable, or GetFunctionConfiguration was refused).
 */
#ifndef KDO_RUNNER_H
#define KDO_RUNNER_H

#include "suite.h"

#include <stdint.h>
#include <stdio.h>

struct kdo_live;

struct kdo_runner_options {
    int has_seed;
    uint64_t seed;
    const char *journal; /* file (one scenario) or folder (several), or NULL */
    const char *metrics; /* the same, for the CloudWatch metrics as JSON */
    const char *records; /* the same, for every record sent with its row (NAME.records.jsonl) */
    const char *junit, *json, *tap, *markdown; /* report files, or NULL */
    const char *report; /* HTML: a file (one scenario) or a folder with index.html, or NULL */
    struct kdo_live *live; /* real-time runs report their steps here (live.h), or NULL */
    struct kdo_suite_options suite;
    unsigned jobs;  /* scenarios run at once (default 1, at most KDO_RUNNER_MAX_JOBS) */
    unsigned bugs;  /* planted bugs */
    int verbose;
    int colour;     /* ANSI colour on the terminal */
    FILE *out;
};

/* --jobs at most: one thread per scenario run at once. */
#define KDO_RUNNER_MAX_JOBS 64

int kdo_runner_run(char **paths, int npaths, const struct kdo_runner_options *o);
int kdo_runner_validate(char **paths, int npaths, FILE *out);

#endif
