/*
 * metrics.c -- per-minute and total statistics of the CloudWatch metrics.
 */
#include "delivery/metrics.h"

#include "base/errors.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[] = {
#define KDO__METRIC_NAME(e, name, flow) name,
    KDO_METRIC_MAP(KDO__METRIC_NAME)
#undef KDO__METRIC_NAME
};

static const char *const flows[] = {
#define KDO__METRIC_FLOW(e, name, flow) flow,
    KDO_METRIC_MAP(KDO__METRIC_FLOW)
#undef KDO__METRIC_FLOW
};

struct kdo_metrics {
    struct kdo_stat total[KDO_METRIC_COUNT];
    struct kdo_stat (*minute)[KDO_METRIC_COUNT];
    size_t minutes, cap;
};

const char *kdo_metric_name(enum kdo_metric m)
{
    return (unsigned)m < KDO_METRIC_COUNT ? names[m] : "unknown";
}

const char *kdo_metric_flow(enum kdo_metric m)
{
    return (unsigned)m < KDO_METRIC_COUNT ? flows[m] : NULL;
}

int kdo_metric_from_name(const char *name, const char *flow)
{
    for (int i = 0; i < KDO_METRIC_COUNT; i++) {
        if (strcmp(names[i], name) != 0)
            continue;
        if (flows[i] == NULL ? flow == NULL : strcmp(flows[i], flow ? flow : "Output") == 0)
            return i; /* a flow only where the metric has one; Output by default */
    }
    return -1;
}

int kdo_stat_from_name(const char *name)
{
    static const char *const stat_names[] = {"Sum", "Average", "Maximum", "Minimum", "SampleCount"};
    for (int i = 0; i < 5; i++)
        if (strcmp(stat_names[i], name) == 0)
            return i;
    return -1;
}

double kdo_stat_value(const struct kdo_stat *s, enum kdo_stat_kind k)
{
    switch (k) {
    case KDO_STAT_SUM: return s->sum;
    case KDO_STAT_AVERAGE: return s->count ? s->sum / (double)s->count : 0;
    case KDO_STAT_MAXIMUM: return s->count ? s->max : 0;
    case KDO_STAT_MINIMUM: return s->count ? s->min : 0;
    case KDO_STAT_SAMPLE_COUNT: return (double)s->count;
    }
    return 0;
}

struct kdo_metrics *kdo_metrics_new(void)
{
    return kdo_xcalloc(1, sizeof(struct kdo_metrics));
}

void kdo_metrics_free(struct kdo_metrics *m)
{
    if (m == NULL)
        return;
    free(m->minute);
    free(m);
}

static void stat_add(struct kdo_stat *s, double v)
{
    if (s->count == 0 || v < s->min)
        s->min = v;
    if (s->count == 0 || v > s->max)
        s->max = v;
    s->sum += v;
    s->count++;
}

static void stat_merge(struct kdo_stat *s, const struct kdo_stat *o)
{
    if (o->count == 0)
        return;
    if (s->count == 0 || o->min < s->min)
        s->min = o->min;
    if (s->count == 0 || o->max > s->max)
        s->max = o->max;
    s->sum += o->sum;
    s->count += o->count;
}

void kdo_metrics_put(struct kdo_metrics *m, kdo_time_ns t, enum kdo_metric metric, double value)
{
    size_t minute = t < 0 ? 0 : (size_t)(t / KDO_MIN);
    if (minute >= m->cap) {
        size_t cap = m->cap ? m->cap : 16;
        while (cap <= minute)
            cap *= 2;
        m->minute = kdo_xrealloc(m->minute, cap * sizeof *m->minute);
        memset(m->minute + m->cap, 0, (cap - m->cap) * sizeof *m->minute);
        m->cap = cap;
    }
    if (minute + 1 > m->minutes)
        m->minutes = minute + 1;
    stat_add(&m->minute[minute][metric], value);
    stat_add(&m->total[metric], value);
}

const struct kdo_stat *kdo_metrics_total(const struct kdo_metrics *m, enum kdo_metric metric)
{
    return &m->total[metric];
}

size_t kdo_metrics_minutes(const struct kdo_metrics *m)
{
    return m->minutes;
}

struct kdo_stat kdo_metrics_minute(const struct kdo_metrics *m, enum kdo_metric metric, size_t minute)
{
    struct kdo_stat empty = {0};
    return minute < m->minutes ? m->minute[minute][metric] : empty;
}

struct kdo_stat kdo_metrics_range(const struct kdo_metrics *m, enum kdo_metric metric, size_t from,
                                  size_t to)
{
    struct kdo_stat s = {0};
    for (size_t i = from; i < to && i < m->minutes; i++)
        stat_merge(&s, &m->minute[i][metric]);
    return s;
}

static void put_stat(struct kdo_buf *out, const struct kdo_stat *s)
{
    kdo_buf_printf(out, "{\"Sum\":%.17g,\"SampleCount\":%llu,\"Minimum\":%.17g,\"Maximum\":%.17g,"
                        "\"Average\":%.17g}",
                   s->sum, (unsigned long long)s->count, kdo_stat_value(s, KDO_STAT_MINIMUM),
                   kdo_stat_value(s, KDO_STAT_MAXIMUM), kdo_stat_value(s, KDO_STAT_AVERAGE));
}

int kdo_metrics_to_json(const struct kdo_metrics *m, struct kdo_buf *out)
{
    kdo_buf_puts(out, "{\"namespace\":\"AWS/KinesisAnalytics\",\"metrics\":[");
    for (int i = 0; i < KDO_METRIC_COUNT; i++) {
        kdo_buf_printf(out, "%s{\"name\":\"%s\"", i ? "," : "", names[i]);
        if (flows[i])
            kdo_buf_printf(out, ",\"Flow\":\"%s\"", flows[i]);
        kdo_buf_puts(out, ",\"total\":");
        put_stat(out, &m->total[i]);
        kdo_buf_puts(out, ",\"perMinute\":[");
        for (size_t k = 0; k < m->minutes; k++) {
            if (k)
                kdo_buf_puts(out, ",");
            put_stat(out, &m->minute[k][i]);
        }
        kdo_buf_puts(out, "]}");
    }
    return kdo_buf_puts(out, "]}");
}
