/*
 * app.h -- the emulated KDA application: source -> query -> destination.
 *
 * A row is read (inserted into the source in-application stream) at its
 * arrival, or, when a destination stream has no room for what it produces,
 * at the instant room frees; its ROWTIME is that instant in whole
 * milliseconds, never below the previous row's.  Rows arriving within the
 * millisecond being read are read in the same step (same ROWTIME), at most
 * `max_read` per step.  There is no polling grid.  Backpressure lives here:
 * a stalled delivery leaves rows unread at the source and MillisBehindLatest
 * -- now minus the arrival time of the oldest unread row, sampled every
 * `sample` -- grows.  A restart stops reading for its downtime.  No clock:
 * advance(now) and next_deadline() like every core module.
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
#include "sql/program.h"

struct kdo_app_config {
    kdo_time_ns sample; /* MillisBehindLatest sampling interval (default 1 s) */
    uint64_t max_read;  /* source rows read per step at most (default 1,000,000; 0 means 1) */
    struct kdo_query *query; /* typed rows, WHERE and SELECT (borrowed), or NULL: rows as read */
    struct kdo_window_config window;
    /* The application's SQL (borrowed), or NULL.  When set, it replaces every
     * output's query: source rows are dealt round-robin to its input streams
     * and output i gets the rows of the stream its destination reads. */
    struct kdo_program *program;
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

/* The next row's arrival, the instant a full destination stream got room
 * again (the last advance's `now`: call again at once), a window's close or
 * the next sample, whichever is first. */
kdo_time_ns kdo_app_next_deadline(const struct kdo_app *a);
/* Returns 0, or KDO_EROWSIZE if the query produced a row over 512 KB. */
int kdo_app_advance(struct kdo_app *a, kdo_time_ns now);
void kdo_app_restart(struct kdo_app *a, kdo_time_ns now, kdo_time_ns downtime);

/* 1 when every row that has arrived by `now` is read and nothing is pending
 * in the query (the source may still produce rows later). */
int kdo_app_caught_up(struct kdo_app *a, kdo_time_ns now);

#endif
