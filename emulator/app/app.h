/*
 * app.h -- the emulated KDA application: source -> query -> destination.
 *
 * The application polls its source every `poll` (rows that arrived are
 * read, get ROWTIME = the time read, and go through the window into the
 * destination stream).  Backpressure lives here: a row is read only when the
 * destination stream has room for what it produces, so a stalled delivery
 * leaves rows unread at the source and MillisBehindLatest -- now minus the
 * arrival time of the oldest unread row, sampled every `sample` -- grows.  A
 * restart stops reading for its downtime.  No clock: advance(now) and
 * next_deadline() like every core module.
 */
#ifndef KDO_APP_H
#define KDO_APP_H

#include "app/source.h"
#include "app/window.h"
#include "base/ktime.h"
#include "delivery/contract.h"
#include "delivery/delivery.h"
#include "delivery/journal.h"
#include "delivery/metrics.h"

struct kdo_app_config {
    kdo_time_ns poll;   /* source read interval (default 200 ms) */
    kdo_time_ns sample; /* MillisBehindLatest sampling interval (default 1 s) */
    uint64_t max_read;  /* source rows read per poll at most (default 1,000,000) */
    struct kdo_query *query; /* typed rows, WHERE and SELECT (borrowed), or NULL: rows as read */
    struct kdo_window_config window;
};

void kdo_app_config_default(struct kdo_app_config *c);

struct kdo_app;

/* KDA's limit of destinations (outputs) per application. */
#define KDO_APP_MAX_OUTPUTS KDO_MAX_DESTINATIONS

/* One destination: its own query, destination stream (delivery lane),
 * journal and metrics, all borrowed. */
struct kdo_app_output {
    const char *id;                 /* KDA's output Id ("1.1"), named in pause entries */
    struct kdo_delivery *delivery;
    struct kdo_journal *journal;
    struct kdo_metrics *metrics;
    struct kdo_query *query;        /* typed rows, or NULL: rows as read, through cfg->window */
};

/* Steals `source`; outs (1..KDO_APP_MAX_OUTPUTS) are copied.  The source is
 * read once for all of them, and only while every one has room. */
struct kdo_app *kdo_app_new_outputs(const struct kdo_app_config *cfg, struct kdo_source *source,
                                    const struct kdo_app_output *outs, size_t nouts);
/* One destination: cfg->query, delivery, journal and metrics. */
struct kdo_app *kdo_app_new(const struct kdo_app_config *cfg, struct kdo_source *source,
                            struct kdo_delivery *delivery, struct kdo_journal *journal,
                            struct kdo_metrics *metrics);
void kdo_app_free(struct kdo_app *a);

kdo_time_ns kdo_app_next_deadline(const struct kdo_app *a);
/* Returns 0, or KDO_EROWSIZE if the query produced a row over 512 KB. */
int kdo_app_advance(struct kdo_app *a, kdo_time_ns now);
void kdo_app_restart(struct kdo_app *a, kdo_time_ns now, kdo_time_ns downtime);

/* 1 when every row that has arrived by `now` is read and nothing is pending
 * in the query (the source may still produce rows later). */
int kdo_app_caught_up(struct kdo_app *a, kdo_time_ns now);

#endif
