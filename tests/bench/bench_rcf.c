/*
 * bench_rcf.c -- rows per second through the Random Cut Forest, one core.
 *
 * KDA's defaults (100 trees, subSampleSize 256, timeDecay 100000, shingle 1)
 * over a stream of Gaussian rows of 2 and of 5 numeric columns, scoring
 * each row then inserting it (kdo_rcf_update), without and with the
 * explanation (per-column attribution and its JSON text).  Best of REPS
 * runs, each over a fresh forest (so every run includes the warm-up and the
 * sample's fill).  The baseline, measured in the same run because these
 * machines are shared and noisy, only reads each row and copies it out
 * (what any caller does first); "x base" is the forest's time over it.  The
 * issue's target is 50,000 rows/s.  Every run must give the same scores
 * (the forest is seeded) and a nonzero score after the warm-up on every
 * row, else the run fails (exit 1) instead of looking fast.
 * Times are this process's CPU time (CLOCK_PROCESS_CPUTIME_ID), not the
 * wall clock: the target is per core, and the machine's other load would
 * otherwise count against the forest (it still costs caches).
 * An argument runs only the cases whose name contains it (for a profiler:
 * `perf record ./bench_rcf "5 columns, score"`).
 */
#include "base/buf.h"
#include "base/errors.h"
#include "base/rng.h"
#include "sql/rcf.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROWS 100000
#define REPS 3
#define MAXDIMS 5
#define SEED 20260101

static double rows[ROWS][MAXDIMS];
static volatile double sink;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void make_rows(void)
{
    struct kdo_rng r;
    kdo_rng_init(&r, SEED);
    for (size_t i = 0; i < ROWS; i++)
        for (size_t d = 0; d < MAXDIMS; d++) {
            double u = kdo_rng_unit(&r), v = kdo_rng_unit(&r);
            rows[i][d] = 100 * d + sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
        }
}

static double baseline_once(size_t dims)
{
    double copy[MAXDIMS], acc = 0;
    double t0 = now_s();
    for (size_t i = 0; i < ROWS; i++) {
        memcpy(copy, rows[i], dims * sizeof(double));
        acc += copy[dims - 1];
    }
    sink = acc;
    return now_s() - t0;
}

struct result {
    double sum;      /* of the scores: equal across runs */
    uint64_t zeros;  /* scores of 0 after the warm-up: must be none */
};

static double forest_once(size_t dims, int explain, struct result *res)
{
    static const char *const names[MAXDIMS] = {"A", "B", "C", "D", "E"};
    struct kdo_rcf_params p;
    kdo_rcf_params_default(&p);
    p.directionality = true;
    struct kdo_errinfo err = {0};
    struct kdo_rcf *f = kdo_rcf_new(&p, dims, SEED, &err);
    if (!f) {
        fprintf(stderr, "bench_rcf: %s\n", err.msg);
        exit(1);
    }
    struct kdo_buf json;
    kdo_buf_init(&json, 4096);
    double high[MAXDIMS], low[MAXDIMS];
    struct kdo_rcf_attribution attr = {high, low};
    uint64_t warm = kdo_rcf_warmup_rows(&p);
    memset(res, 0, sizeof *res);
    double t0 = now_s();
    for (size_t i = 0; i < ROWS; i++) {
        double score;
        if (kdo_rcf_update(f, rows[i], &score, explain ? &attr : NULL) != 0)
            exit(1);
        if (explain) {
            kdo_buf_reset(&json);
            if (kdo_rcf_explain_json(&json, names, dims, &attr, true) != 0)
                exit(1);
        }
        res->sum += score;
        res->zeros += i >= warm && score == 0;
    }
    double t = now_s() - t0;
    kdo_buf_cleanup(&json);
    kdo_rcf_free(f);
    return t;
}

static int run_case(size_t dims, int explain)
{
    double best = 1e30, base = 1e30;
    struct result first = {0}, res;
    for (int rep = 0; rep < REPS; rep++) {
        double t = baseline_once(dims);
        base = t < base ? t : base;
        t = forest_once(dims, explain, &res);
        best = t < best ? t : best;
        if (rep == 0)
            first = res;
        if (res.sum != first.sum || res.zeros != 0) {
            fprintf(stderr, "bench_rcf: %zu columns: run %d scored %.17g (first %.17g), %llu "
                    "zeros after the warm-up\n", dims, rep, res.sum, first.sum,
                    (unsigned long long)res.zeros);
            return 1;
        }
    }
    printf("%zu columns, %-12s %10.0f rows/s  baseline %12.0f rows/s  x base %8.1f  "
           "mean score %.3f\n", dims, explain ? "explanation" : "score", ROWS / best,
           ROWS / base, best / base, first.sum / ROWS);
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t dims[] = {2, 5};
    make_rows();
    printf("bench_rcf: %d rows, 100 trees, subSampleSize 256, shingle 1, best of %d\n", ROWS,
           REPS);
    int rc = 0;
    for (size_t k = 0; k < 2; k++)
        for (int explain = 0; explain < 2; explain++) {
            char name[64];
            snprintf(name, sizeof name, "%zu columns, %s", dims[k], explain ? "explanation" : "score");
            if (argc > 1 && !strstr(name, argv[1]))
                continue;
            rc |= run_case(dims[k], explain);
        }
    return rc;
}
