/*
 * promtext.h -- a writer of the Prometheus text exposition format 0.0.4.
 *
 * What `/metrics` serves (promhttp.h) is written through this: one family at
 * a time, each opened with its `# HELP` and `# TYPE` lines exactly once, then
 * its samples; label values escaped (\\, \" and \n), histograms written from
 * per-bucket counts as the format wants them, cumulative, with a `+Inf`
 * bucket equal to `_count`.  Names are checked against the format's grammar
 * and a family is never reopened once another has begun (the format forbids
 * splitting one), so a collector's mistake is an error, not a scrape that
 * Prometheus rejects.  Pure: it writes into a bounded kdo_buf, reads no clock
 * and does no I/O.
 *
 * Names for the CloudWatch-named metrics (delivery/metrics.h), for a run's
 * exporter: kdo_promtext_cloudwatch_name() maps a CloudWatch name to
 * "kdaout_" + the name lowercased with every character outside [a-z0-9]
 * turned into '_' + a suffix, so
 *   LambdaDelivery.OkRecords              -> kdaout_lambdadelivery_okrecords_total    counter
 *   LambdaDelivery.DeliveryFailedRecords  -> kdaout_lambdadelivery_deliveryfailedrecords_total
 *   LambdaDelivery.Duration (ms, Sum)     -> kdaout_lambdadelivery_duration_seconds_total
 *                                            (Prometheus' base unit: the sum / 1000)
 *   LambdaDelivery.Duration (count)       -> kdaout_lambdadelivery_invocations_total
 *   MillisBehindLatest (latest value)     -> kdaout_millisbehindlatest                 gauge
 *   Success                               -> kdaout_success_total                      counter
 *   Bytes, Records                        -> kdaout_bytes_total, kdaout_records_total  counter
 * with the Flow dimension as a label `flow="Input"` / `flow="Output"` and the
 * output's Id as a label `output="1.1"` (the delivery's destination).  Sums
 * are counters (suffix "_total"); a statistic that can fall is a gauge (no
 * suffix).
 */
#ifndef KDO_PROMTEXT_H
#define KDO_PROMTEXT_H

#include "base/buf.h"

#include <stddef.h>
#include <stdint.h>

/* The content type of what this writes (the HTTP side sends it). */
#define KDO_PROMTEXT_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define KDO_PROMTEXT_NAME_MAX 128  /* a metric or label name, in bytes */
#define KDO_PROMTEXT_FAMILIES_MAX 256

enum kdo_promtext_type {
    KDO_PROMTEXT_COUNTER,
    KDO_PROMTEXT_GAUGE,
    KDO_PROMTEXT_HISTOGRAM,
    KDO_PROMTEXT_UNTYPED,
};

struct kdo_promtext_label {
    const char *name;  /* [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" */
    const char *value; /* any UTF-8; escaped when written */
};

/* The writer; embed it (init/cleanup).  Borrows `out` until cleanup. */
struct kdo_promtext {
    struct kdo_buf *out;
    char family[KDO_PROMTEXT_NAME_MAX + 1]; /* the family being written, "" before one */
    enum kdo_promtext_type type;
    char seen[KDO_PROMTEXT_FAMILIES_MAX][KDO_PROMTEXT_NAME_MAX + 1]; /* families written */
    size_t nseen;
    int error; /* the first error, kept: a collector may check once at the end */
};

void kdo_promtext_init(struct kdo_promtext *w, struct kdo_buf *out);
void kdo_promtext_cleanup(struct kdo_promtext *w);

/* Begins family `name` of `type`: its # HELP (help escaped) and # TYPE lines.
 * Naming the family being written again is a no-op, so samples of one family
 * may come from several calls.  KDO_EINVAL for a name outside the grammar,
 * KDO_ESTATE for a family already closed (written before another), KDO_EFULL
 * past KDO_PROMTEXT_FAMILIES_MAX, KDO_ETOOBIG when `out` is full. */
int kdo_promtext_family(struct kdo_promtext *w, const char *name, enum kdo_promtext_type type,
                        const char *help);

/* One sample of the current counter, gauge or untyped family: `name{labels} v`.
 * KDO_ESTATE without a family or in a histogram, KDO_EINVAL for a bad label name. */
int kdo_promtext_value(struct kdo_promtext *w, const struct kdo_promtext_label *labels,
                       size_t nlabels, double v);

/* One histogram of the current histogram family: `counts` has nle + 1 entries,
 * counts[i] the observations in (le[i-1], le[i]] and counts[nle] those above
 * le[nle-1]; the buckets written are cumulative, the last `le="+Inf"`, then
 * _sum and _count (the total).  `le` must rise strictly and hold no "le"
 * label in `labels`.  KDO_EINVAL for bounds or labels, KDO_ESTATE if the
 * current family is not a histogram. */
int kdo_promtext_histogram(struct kdo_promtext *w, const struct kdo_promtext_label *labels,
                           size_t nlabels, const double *le, size_t nle, const uint64_t *counts,
                           double sum);

/* The Prometheus name of a CloudWatch metric (see the top of this file):
 * "kdaout_" + cw lowercased, [^a-z0-9] -> '_', + suffix ("_total", "" ...),
 * into out[n].  KDO_ETOOBIG if it does not fit, KDO_EINVAL for an empty cw. */
int kdo_promtext_cloudwatch_name(const char *cw, const char *suffix, char *out, size_t n);

/* Writes v as the format writes numbers: integers plainly, NaN, +Inf, -Inf,
 * otherwise the shortest %g that reads back as v.  out has room for 32 bytes. */
void kdo_promtext_number(double v, char out[32]);

#endif
