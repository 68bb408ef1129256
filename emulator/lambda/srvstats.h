/*
 * srvstats.h -- what a Lambda server (fake-lambda, host) counts about the
 * requests it serves: requests by route and status, errors by kind, latency
 * per route, requests in flight; written as Prometheus families and as the
 * one-line live progress display.
 *
 * Plain fixed-size data, no heap and no lock, so a server copies it under its
 * own lock and writes the copy at leisure (a scrape never holds a server's
 * lock while formatting).  Bounded: at most KDO_SRVSTATS_STATUSES distinct
 * statuses and KDO_SRVSTATS_KINDS error kinds are told apart, the rest are
 * counted under "other".  Pure: durations come in as arguments.
 *
 * The families written (kdo_srvstats_write):
 *   kdaout_http_requests_total{server,route,status}             counter
 *   kdaout_errors_total{server,type}                             counter
 *   kdaout_http_request_duration_seconds{server,route}           histogram
 *   kdaout_http_requests_in_flight{server}                       gauge
 * route is invoke, configuration, admin (/_kdaout) or other (not found,
 * bad method); status the HTTP status, or "closed" for a connection closed
 * without a reply (a drop_connection fault).  An error's type is
 * Sandbox.Timedout for a timeout, else X-Amz-Function-Error's value
 * (Unhandled) for a function error, else x-amzn-ErrorType
 * (TooManyRequestsException for 429, RequestEntityTooLargeException for 413, ...).
 */
#ifndef KDO_SRVSTATS_H
#define KDO_SRVSTATS_H

#include "base/ktime.h"
#include "base/promtext.h"

#include <stddef.h>
#include <stdint.h>

#define KDO_SRVSTATS_STATUSES 16
#define KDO_SRVSTATS_KINDS 16
#define KDO_SRVSTATS_KIND_MAX 63 /* bytes of an error kind's name kept */
#define KDO_SRVSTATS_BUCKETS 15  /* latency bounds, seconds; see srvstats.c */

enum kdo_srvstats_route {
    KDO_SRVSTATS_INVOKE,
    KDO_SRVSTATS_CONFIGURATION,
    KDO_SRVSTATS_ADMIN,
    KDO_SRVSTATS_OTHER,
    KDO_SRVSTATS_ROUTES
};

struct kdo_srvstats {
    int statuses[KDO_SRVSTATS_STATUSES]; /* the statuses told apart; -1 = "other" */
    size_t nstatuses;
    uint64_t requests[KDO_SRVSTATS_ROUTES][KDO_SRVSTATS_STATUSES];
    char kinds[KDO_SRVSTATS_KINDS][KDO_SRVSTATS_KIND_MAX + 1];
    uint64_t errors[KDO_SRVSTATS_KINDS];
    size_t nkinds;
    uint64_t latency[KDO_SRVSTATS_ROUTES][KDO_SRVSTATS_BUCKETS + 1];
    double latency_sum_s[KDO_SRVSTATS_ROUTES];
    int64_t in_flight;
};

void kdo_srvstats_init(struct kdo_srvstats *s);

/* A request arrived (in flight until kdo_srvstats_done). */
void kdo_srvstats_begin(struct kdo_srvstats *s);
/* A request ended: its route, status (0: closed without a reply), how long
 * it took, and its error kind (NULL if none; borrowed, copied). */
void kdo_srvstats_done(struct kdo_srvstats *s, enum kdo_srvstats_route route, int status,
                       kdo_time_ns took, const char *error_kind);

/* The error kind of a reply (see the top of this file), or NULL for success.
 * `body` (len bytes) is looked at only for a function error. */
const char *kdo_srvstats_error_kind(int status, const char *function_error,
                                    const char *error_type, const char *body, size_t len);

/* Writes the four families with label server="NAME" (e.g. "fake-lambda"). */
int kdo_srvstats_write(const struct kdo_srvstats *s, const char *server, struct kdo_promtext *w);

/* Requests of a route, all statuses. */
uint64_t kdo_srvstats_requests(const struct kdo_srvstats *s, enum kdo_srvstats_route route);

/* The live progress line: "NAME: R requests, I invocations, E errors (2 Unhandled,
 * ...), F in flight, H:MM:SS" without a newline, cut to at most `width`
 * characters (the error kinds go first, as "..."); into out[n]. */
void kdo_srvstats_progress(const struct kdo_srvstats *s, const char *name, kdo_time_ns elapsed,
                           size_t width, char *out, size_t n);

#endif
