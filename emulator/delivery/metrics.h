/*
 * metrics.h -- the CloudWatch metrics of the emulated application.
 *
 * Names and meanings are those of namespace AWS/KinesisAnalytics
 * (CONTRACT.md §5); `Bytes` and `Records` exist once per Flow (Input: read from
 * the source, Output: delivered Ok).  Each metric keeps statistics (Sum,
 * SampleCount, Minimum, Maximum, Average) per minute of the run and in total.
 * Values are recorded with the time they happen; nothing here reads a clock.
 */
#ifndef KDO_METRICS_H
#define KDO_METRICS_H

#include "base/buf.h"
#include "base/ktime.h"

#include <stddef.h>
#include <stdint.h>

/* X(enum, CloudWatch name, Flow dimension or NULL) */
#define KDO_METRIC_MAP(X)                                                                          \
    X(OK_RECORDS, "LambdaDelivery.OkRecords", NULL)                                                \
    X(DELIVERY_FAILED_RECORDS, "LambdaDelivery.DeliveryFailedRecords", NULL)                       \
    X(DURATION, "LambdaDelivery.Duration", NULL)                                                   \
    X(MILLIS_BEHIND_LATEST, "MillisBehindLatest", NULL)                                            \
    X(SUCCESS, "Success", NULL)                                                                    \
    X(INPUT_BYTES, "Bytes", "Input")                                                               \
    X(INPUT_RECORDS, "Records", "Input")                                                           \
    X(OUTPUT_BYTES, "Bytes", "Output")                                                             \
    X(OUTPUT_RECORDS, "Records", "Output")

enum kdo_metric {
#define KDO__METRIC_ENUM(e, name, flow) KDO_METRIC_##e,
    KDO_METRIC_MAP(KDO__METRIC_ENUM)
#undef KDO__METRIC_ENUM
    KDO_METRIC_COUNT
};

enum kdo_stat_kind { KDO_STAT_SUM, KDO_STAT_AVERAGE, KDO_STAT_MAXIMUM, KDO_STAT_MINIMUM,
                     KDO_STAT_SAMPLE_COUNT };

struct kdo_stat {
    double sum;
    uint64_t count;
    double min, max;
};

const char *kdo_metric_name(enum kdo_metric m);
const char *kdo_metric_flow(enum kdo_metric m); /* "Input", "Output" or NULL */
/* Metric by name and flow (flow may be NULL; Bytes/Records then mean Output).
 * Returns -1 if unknown. */
int kdo_metric_from_name(const char *name, const char *flow);
/* Statistic by CloudWatch name ("Sum", "Average", ...); -1 if unknown. */
int kdo_stat_from_name(const char *name);
/* The value of a statistic (0 for an empty Average/Minimum/Maximum). */
double kdo_stat_value(const struct kdo_stat *s, enum kdo_stat_kind k);

struct kdo_metrics;

struct kdo_metrics *kdo_metrics_new(void);
void kdo_metrics_free(struct kdo_metrics *m);

/* Records one data point at time t (t >= 0). */
void kdo_metrics_put(struct kdo_metrics *m, kdo_time_ns t, enum kdo_metric metric, double value);

const struct kdo_stat *kdo_metrics_total(const struct kdo_metrics *m, enum kdo_metric metric);
/* Minutes covered so far, and the stats of one minute (an empty stat past the end). */
size_t kdo_metrics_minutes(const struct kdo_metrics *m);
struct kdo_stat kdo_metrics_minute(const struct kdo_metrics *m, enum kdo_metric metric, size_t minute);
/* The stat over minutes [from, to). */
struct kdo_stat kdo_metrics_range(const struct kdo_metrics *m, enum kdo_metric metric, size_t from,
                                  size_t to);

/* Appends the metrics as a JSON object: totals and per-minute series. */
int kdo_metrics_to_json(const struct kdo_metrics *m, struct kdo_buf *out);

#endif
