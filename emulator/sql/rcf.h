/*
 * rcf.h -- KDA's RANDOM_CUT_FOREST and RANDOM_CUT_FOREST_WITH_EXPLANATION
 * scoring engine: a seeded, clock-free Random Cut Forest fed one row at a time.
 *
 * What KDA documents (SQL Reference, read for this module):
 *   https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/sqlrf-random-cut-forest.html
 *   https://docs.aws.amazon.com/kinesisanalytics/latest/sqlref/sqlrf-random-cut-forest-with-explanation.html
 *   https://docs.aws.amazon.com/kinesisanalytics/latest/dev/app-anomaly-detection.html
 * - Syntax: RANDOM_CUT_FOREST(inputStream, numberOfTrees, subSampleSize,
 *   timeDecay, shingleSize) and RANDOM_CUT_FOREST_WITH_EXPLANATION(inputStream,
 *   numberOfTrees, subSampleSize, timeDecay, shingleSize, withDirectionality),
 *   inputStream a CURSOR(SELECT STREAM ...).
 * - Only the numeric columns (DOUBLE, INTEGER, FLOAT, TINYINT, SMALLINT, REAL,
 *   BIGINT) are used; DECIMAL is not supported ("use DOUBLE instead"); a row of
 *   n numeric columns is a point in n-dimensional space.  The model starts
 *   from the records of the current run (no history, no earlier execution).
 * - The output is the input row plus ANOMALY_SCORE DOUBLE; WITH_EXPLANATION
 *   adds ANOMALY_EXPLANATION, a JSON object keyed by column name; the sum of
 *   the columns' attribution scores equals the anomaly score; with
 *   withDirectionality each column also says whether it is anomalous for
 *   being HIGH or LOW, and the STRENGTH of that direction.
 * - Defaults and ranges, as both pages' Parameters sections give them:
 *   numberOfTrees 100 (1..1,000), subSampleSize 256 (10..1,000, "must be
 *   less than the timeDecay"), timeDecay 100,000 (1..2147483647),
 *   shingleSize 1 (1..30), withDirectionality false; "your input stream can
 *   have up to 30 numeric columns".
 * - ANOMALY_EXPLANATION as the Developer Guide's result rows show it
 *   (examine-results-with-exp): {"Systolic":{"DIRECTION":"HIGH",
 *   "STRENGTH":"0.8567","ATTRIBUTION_SCORE":"1.7447"},...}: that key order,
 *   numbers quoted with four decimals; the attributions add up to the score.
 *   Without withDirectionality only ATTRIBUTION_SCORE is written (no example
 *   shows that form: our choice).  STRENGTH here is |high - low| (below); the
 *   guide's row above has a STRENGTH larger than its ATTRIBUTION_SCORE, which
 *   no such difference can be, so AWS's STRENGTH is something else that is
 *   not documented: compare directions, not strengths.
 * - Warm-up: "The algorithm returns zero for the first subSampleSize records
 *   while the machine learning model is trained" (both pages); during it
 *   DIRECTION is LOW and STRENGTH 0.  Here every row gets a score; it is 0 (and
 *   every attribution 0) for the first kdo_rcf_warmup_rows() rows:
 *   shingleSize - 1 rows that do not yet make a full shingle (our reading: a
 *   row starts no point until its shingle is full), then subSampleSize
 *   shingled points that fill the sample.
 *
 * The algorithm (Guha et al., "Robust Random Cut Forest Based Anomaly
 * Detection on Streams", ICML 2016, as aws/random-cut-forest-by-aws does it):
 * each tree keeps a time-decayed weighted reservoir sample of the shingled
 * points (weight -seq/timeDecay + log(-log(u)); the sample keeps the smallest
 * weights), cuts boxes at a dimension chosen in proportion to its range; a
 * point is scored BEFORE it is inserted, with AWS's anomaly score (the
 * codisplacement-like walk from the point's would-be leaf to the root: at
 * each node the probability that a random cut separates the point from the
 * node's box mixes in 1/(depth+1)), normalised by log2(1 + tree mass) and
 * averaged over the trees; a typical point scores near 1, an outlier well
 * above.  The explanation is AWS's DiVector: the same walk split per
 * dimension into the part where the point is above the box (high) and below
 * it (low); a column's ATTRIBUTION_SCORE is high + low summed over its
 * shingle positions, DIRECTION HIGH when high > low, STRENGTH |high - low|
 * (the net directional part, in score units: our reading of "the strength of
 * the recommendation for that directionality").  Exact scores cannot match
 * AWS's; their scale, the warm-up and the ranking of obvious anomalies do.
 *
 * Memory is fixed at kdo_rcf_new(): trees x subSampleSize nodes and leaves
 * in preallocated pools; kdo_rcf_update() never allocates.  Not thread-safe;
 * one forest per CURSOR (per partition, if the caller partitions).
 */
#ifndef KDO_RCF_H
#define KDO_RCF_H

#include "base/buf.h"
#include "base/errors.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* KDA's documented ranges and column limit (see above). */
#define KDO_RCF_TREES_MIN 1
#define KDO_RCF_TREES_MAX 1000
#define KDO_RCF_SAMPLE_MIN 10
#define KDO_RCF_SAMPLE_MAX 1000
#define KDO_RCF_SHINGLE_MIN 1
#define KDO_RCF_SHINGLE_MAX 30
#define KDO_RCF_DECAY_MIN 1.0
#define KDO_RCF_DECAY_MAX 2147483647.0
#define KDO_RCF_DIMS_MAX 30
/* Our own bound: the forest's memory. */
#define KDO_RCF_MEMORY_MAX ((size_t)512 << 20)

struct kdo_rcf_params {
    int trees;         /* numberOfTrees */
    int sample_size;   /* subSampleSize */
    int shingle_size;  /* shingleSize */
    double time_decay; /* timeDecay */
    bool directionality; /* withDirectionality (explanation only) */
};

/* KDA's defaults: 100, 256, 1, 100000, false. */
void kdo_rcf_params_default(struct kdo_rcf_params *p);

/* 0, or KDO_EINVAL with a sentence naming the parameter, its value and
 * KDA's range in err->msg; `dims` (numeric input columns) must be
 * 1..KDO_RCF_DIMS_MAX and the forest must fit KDO_RCF_MEMORY_MAX. */
int kdo_rcf_params_check(const struct kdo_rcf_params *p, size_t dims, struct kdo_errinfo *err);

/* Rows that get a score of 0 before the forest has a full sample. */
uint64_t kdo_rcf_warmup_rows(const struct kdo_rcf_params *p);

struct kdo_rcf;

/* A new forest over rows of `dims` numbers, seeded (the same seed and rows
 * give the same scores, bit for bit).  NULL with err filled (KDO_EINVAL)
 * when kdo_rcf_params_check() refuses.  Free with kdo_rcf_free(). */
struct kdo_rcf *kdo_rcf_new(const struct kdo_rcf_params *p, size_t dims, uint64_t seed,
                            struct kdo_errinfo *err);
void kdo_rcf_free(struct kdo_rcf *f);

/* Per input column (caller-owned arrays of `dims` entries): the parts of the
 * score where the column is above (high) and below (low) the sampled data. */
struct kdo_rcf_attribution {
    double *high;
    double *low;
};

/* Scores `row` (dims numbers) against the forest, then inserts it: *score
 * is the row's ANOMALY_SCORE (0 during the warm-up); attr (or NULL) gets the
 * explanation, whose entries sum to *score (to rounding).  KDO_EINVAL (forest unchanged)
 * when a number is NaN or infinite. */
int kdo_rcf_update(struct kdo_rcf *f, const double *row, double *score,
                   struct kdo_rcf_attribution *attr);

/* Rows seen so far (kdo_rcf_update calls that succeeded). */
uint64_t kdo_rcf_rows(const struct kdo_rcf *f);

/* Appends ANOMALY_EXPLANATION's JSON text for one row: an object keyed by
 * names[0..dims-1] (borrowed).  KDO_ETOOBIG past the buffer's maximum (the
 * buffer then holds a truncated prefix: reset it). */
int kdo_rcf_explain_json(struct kdo_buf *b, const char *const *names, size_t dims,
                         const struct kdo_rcf_attribution *attr, bool directionality);

#endif
