/*
 * runner.h -- `kdaout run` and `kdaout validate`: scenarios in, verdicts out.
 *
 * Collects scenario files from the paths given (folders: their *.yaml and
 * *.yml files, sorted), loads each, runs it in virtual time, checks its
 * expectations plus the defaults every scenario owes the contract, prints
 * one line per scenario (and the evidence of each failure), and returns the
 * exit status: 0 all passed, 1 a check failed, 2 bad input.
 */
#ifndef KDO_RUNNER_H
#define KDO_RUNNER_H

#include <stdint.h>
#include <stdio.h>

struct kdo_runner_options {
    int has_seed;
    uint64_t seed;
    const char *journal; /* file (one scenario) or folder (several), or NULL */
    const char *metrics; /* the same, for the CloudWatch metrics as JSON */
    unsigned bugs;       /* planted bugs */
    int verbose;
    FILE *out;
};

int kdo_runner_run(char **paths, int npaths, const struct kdo_runner_options *o);
int kdo_runner_validate(char **paths, int npaths, FILE *out);

#endif
