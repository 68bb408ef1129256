/*
 * live.h -- what a real-time `kdaout run` shows while it runs: a progress
 * line on the terminal and the CloudWatch-named metrics at /metrics.
 *
 * A run in real time (a Lambda end over HTTP) takes as long as its
 * scenario says; the runner hands every step's recorded metrics
 * (app/sim.h's on_tick) to kdo_live_tick(), which keeps a copy per
 * scenario and destination under a lock.  /metrics (--metrics-listen,
 * base/promhttp.h) serves the copies in the Prometheus text format, named
 * as promtext.h maps them (kdaout_lambdadelivery_okrecords_total{scenario=
 * "07-poison-pill",output="1.1"} ...); the progress line (stderr, only on a
 * terminal, not with --quiet or NO_COLOR, at most 4 redraws a second) says
 * the scenario, its time, rows read and delivered, invocations, failed
 * records with their commonest reasons, and the lag.  Virtual-time runs finish in milliseconds and show
 * neither.  Bounded: KDO_LIVE_MAX_RUNS scenarios are kept (the oldest
 * finished one makes room).
 */
#ifndef KDO_LIVE_H
#define KDO_LIVE_H

#include "app/sim.h"
#include "delivery/contract.h"

#include <stddef.h>
#include <stdint.h>

#define KDO_LIVE_MAX_RUNS 64

struct kdo_live;

/* A live view: /metrics on host:port when host is not NULL (printing
 * "metrics on http://HOST:PORT/metrics" to stdout), the progress line when
 * `progress` (the caller has checked the terminal and the options).
 * Returns 0 and the view, or KDO_EIO / KDO_EINVAL with a sentence in err. */
int kdo_live_start(const char *host, uint16_t port, int progress, struct kdo_live **out,
                   char *err, size_t err_size);
/* Scenario `name`'s run has recorded r by `now` (of `total`: duration +
 * drain limit); failures (NULL: not known) are its failed records so far by
 * reason, KDO_REASON_COUNT of them (delivery/contract.h). */
void kdo_live_tick(struct kdo_live *l, const char *name, const struct kdo_sim_result *r,
                   const uint64_t *failures, kdo_time_ns now, kdo_time_ns total);
/* The scenario's run ended: its line is cleared (its counters stay). */
void kdo_live_done(struct kdo_live *l, const char *name);
/* The progress line's text for a copy (pure, for tests): into out[n]. */
struct kdo_live_lane {
    char id[16];
    double input_records, output_records, failed_records, invocations, lag_ms;
};
/* failures: as kdo_live_tick's, or NULL; when given, "failed records" is
 * their sum (every failed attempt, whatever failed it) and the three
 * commonest reasons are named; else the lanes' DeliveryFailedRecords. */
void kdo_live_line(const char *name, kdo_time_ns now, kdo_time_ns total,
                   const struct kdo_live_lane *lanes, size_t nlanes, const uint64_t *failures,
                   char *out, size_t n);
/* The columns a progress line may use on stderr's terminal (one less than
 * it has: the last would wrap on some), 79 when it does not say. */
size_t kdo_live_terminal_width(void);
/* Stops /metrics and frees; NULL is a no-op. */
void kdo_live_stop(struct kdo_live *l);

#endif
