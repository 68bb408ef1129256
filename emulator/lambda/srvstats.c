/*
 * srvstats.c -- a Lambda server's request statistics (srvstats.h): counting,
 * the Prometheus families and the progress line.
 *
 * Everything is fixed-size, so a copy is a struct assignment and no count
 * can grow without bound; the tables fill in the order kinds and statuses
 * first appear, and what arrives after they are full counts as "other".
 */
#include "lambda/srvstats.h"

#include <stdio.h>
#include <string.h>

#define OTHER_STATUS (-1)

/* [choice] Seconds: a fake answers in microseconds, a hosted handler takes up
 * to its Timeout (900 s at most, contract.h). */
static const double bounds_s[KDO_SRVSTATS_BUCKETS] = {
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120, 900,
};

static const char *const route_names[KDO_SRVSTATS_ROUTES] = {
    "invoke", "configuration", "admin", "other",
};

void kdo_srvstats_init(struct kdo_srvstats *s)
{
    memset(s, 0, sizeof *s);
}

void kdo_srvstats_begin(struct kdo_srvstats *s)
{
    s->in_flight++;
}

static size_t status_slot(struct kdo_srvstats *s, int status)
{
    for (size_t i = 0; i < s->nstatuses; i++)
        if (s->statuses[i] == status)
            return i;
    if (s->nstatuses < KDO_SRVSTATS_STATUSES - 1) { /* the last slot is "other"'s */
        s->statuses[s->nstatuses] = status;
        return s->nstatuses++;
    }
    if (s->nstatuses == KDO_SRVSTATS_STATUSES - 1)
        s->statuses[s->nstatuses++] = OTHER_STATUS;
    return KDO_SRVSTATS_STATUSES - 1;
}

static void count_error(struct kdo_srvstats *s, const char *kind)
{
    size_t i;
    for (i = 0; i < s->nkinds; i++)
        if (strncmp(s->kinds[i], kind, KDO_SRVSTATS_KIND_MAX) == 0)
            break;
    if (i == s->nkinds) {
        if (s->nkinds >= KDO_SRVSTATS_KINDS - 1) /* the last slot is "other"'s */
            kind = "other";
        for (i = 0; i < s->nkinds && strcmp(s->kinds[i], kind) != 0; i++)
            ;
        if (i == s->nkinds) {
            snprintf(s->kinds[i], sizeof s->kinds[i], "%s", kind);
            s->nkinds++;
        }
    }
    s->errors[i]++;
}

void kdo_srvstats_done(struct kdo_srvstats *s, enum kdo_srvstats_route route, int status,
                       kdo_time_ns took, const char *error_kind)
{
    double sec = took > 0 ? (double)took / (double)KDO_S : 0;
    size_t b = 0;
    if (route >= KDO_SRVSTATS_ROUTES)
        route = KDO_SRVSTATS_OTHER;
    s->in_flight--;
    s->requests[route][status_slot(s, status)]++;
    while (b < KDO_SRVSTATS_BUCKETS && sec > bounds_s[b])
        b++;
    s->latency[route][b]++;
    s->latency_sum_s[route] += sec;
    if (error_kind)
        count_error(s, error_kind);
}

const char *kdo_srvstats_error_kind(int status, const char *function_error,
                                    const char *error_type, const char *body, size_t len)
{
    static const char timedout[] = "Sandbox.Timedout";
    if (status == 0)
        return "ConnectionClosed";
    if (function_error) {
        /* the body is the function's error: a timeout names itself there */
        for (size_t i = 0; body && i + sizeof timedout - 1 <= len && i < 4096; i++)
            if (memcmp(body + i, timedout, sizeof timedout - 1) == 0)
                return timedout;
        return function_error;
    }
    if (status >= 400)
        return error_type ? error_type : status >= 500 ? "ServiceException" : "ClientError";
    return NULL;
}

uint64_t kdo_srvstats_requests(const struct kdo_srvstats *s, enum kdo_srvstats_route route)
{
    uint64_t n = 0;
    for (size_t i = 0; i < s->nstatuses; i++)
        n += s->requests[route][i];
    return n;
}

static int write_requests(const struct kdo_srvstats *s, const char *server, struct kdo_promtext *w)
{
    int rc = kdo_promtext_family(w, "kdaout_http_requests_total", KDO_PROMTEXT_COUNTER,
                                 "Requests answered, by route and HTTP status "
                                 "(\"closed\": closed without a reply).");
    for (size_t r = 0; r < KDO_SRVSTATS_ROUTES && rc == 0; r++) {
        for (size_t i = 0; i < s->nstatuses && rc == 0; i++) {
            char status[16];
            if (s->requests[r][i] == 0)
                continue;
            if (s->statuses[i] == OTHER_STATUS || s->statuses[i] == 0)
                snprintf(status, sizeof status, "%s", s->statuses[i] ? "other" : "closed");
            else
                snprintf(status, sizeof status, "%d", s->statuses[i]);
            const struct kdo_promtext_label l[] = {
                {"server", server}, {"route", route_names[r]}, {"status", status}};
            rc = kdo_promtext_value(w, l, 3, (double)s->requests[r][i]);
        }
    }
    return rc;
}

static int write_errors(const struct kdo_srvstats *s, const char *server, struct kdo_promtext *w)
{
    int rc = kdo_promtext_family(w, "kdaout_errors_total", KDO_PROMTEXT_COUNTER,
                                 "Replies that were errors, by type: Sandbox.Timedout, the "
                                 "function error (Unhandled), or x-amzn-ErrorType.");
    for (size_t i = 0; i < s->nkinds && rc == 0; i++) {
        const struct kdo_promtext_label l[] = {{"server", server}, {"type", s->kinds[i]}};
        rc = kdo_promtext_value(w, l, 2, (double)s->errors[i]);
    }
    return rc;
}

static int write_latency(const struct kdo_srvstats *s, const char *server, struct kdo_promtext *w)
{
    int rc = kdo_promtext_family(w, "kdaout_http_request_duration_seconds",
                                 KDO_PROMTEXT_HISTOGRAM,
                                 "Time from a request's head to the end of its reply, by route.");
    for (size_t r = 0; r < KDO_SRVSTATS_ROUTES && rc == 0; r++) {
        const struct kdo_promtext_label l[] = {{"server", server}, {"route", route_names[r]}};
        rc = kdo_promtext_histogram(w, l, 2, bounds_s, KDO_SRVSTATS_BUCKETS, s->latency[r],
                                    s->latency_sum_s[r]);
    }
    return rc;
}

int kdo_srvstats_write(const struct kdo_srvstats *s, const char *server, struct kdo_promtext *w)
{
    int rc = write_requests(s, server, w);
    if (rc == 0)
        rc = write_errors(s, server, w);
    if (rc == 0)
        rc = write_latency(s, server, w);
    if (rc == 0)
        rc = kdo_promtext_family(w, "kdaout_http_requests_in_flight", KDO_PROMTEXT_GAUGE,
                                 "Requests being read, answered or sent now.");
    if (rc == 0) {
        const struct kdo_promtext_label l[] = {{"server", server}};
        rc = kdo_promtext_value(w, l, 1, (double)s->in_flight);
    }
    return rc;
}

/* " (2 Unhandled, 1 TooManyRequestsException)" into out[n]; "" without errors. */
static void error_list(const struct kdo_srvstats *s, char *out, size_t n)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->nkinds && len < n; i++) {
        int k = snprintf(out + len, n - len, "%s%llu %s", i ? ", " : " (",
                         (unsigned long long)s->errors[i], s->kinds[i]);
        len += k > 0 ? (size_t)k : 0;
    }
    if (s->nkinds > 0 && len < n)
        snprintf(out + len, n - len, ")");
}

void kdo_srvstats_progress(const struct kdo_srvstats *s, const char *name, kdo_time_ns elapsed,
                           size_t width, char *out, size_t n)
{
    uint64_t total = 0, errors = 0, sec = elapsed > 0 ? (uint64_t)(elapsed / KDO_S) : 0;
    char head[160], tail[96], kinds[600];
    for (size_t r = 0; r < KDO_SRVSTATS_ROUTES; r++)
        total += kdo_srvstats_requests(s, (enum kdo_srvstats_route)r);
    for (size_t i = 0; i < s->nkinds; i++)
        errors += s->errors[i];
    snprintf(head, sizeof head, "%s: %llu requests, %llu invocations, %llu errors", name,
             (unsigned long long)total,
             (unsigned long long)kdo_srvstats_requests(s, KDO_SRVSTATS_INVOKE),
             (unsigned long long)errors);
    snprintf(tail, sizeof tail, ", %lld in flight, %llu:%02llu:%02llu", (long long)s->in_flight,
             (unsigned long long)(sec / 3600), (unsigned long long)(sec / 60 % 60),
             (unsigned long long)(sec % 60));
    error_list(s, kinds, sizeof kinds);
    size_t fixed = strlen(head) + strlen(tail);
    if (fixed + strlen(kinds) > width) /* the kinds give way first, then the end */
        snprintf(kinds, sizeof kinds, "%s", fixed + 6 <= width && s->nkinds ? " (...)" : "");
    snprintf(out, n, "%s%s%s", head, kinds, tail);
    if (strlen(out) > width && width < n)
        out[width] = '\0';
}
