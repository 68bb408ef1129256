/*
 * conform.c -- a conformance session against one function.
 *
 * The probes run one at a time over one keep-alive connection; each reply is
 * timed with the monotonic clock.  Results are kept as report.h's scenario
 * results (one per probe, plus the timing check) so every report format
 * works unchanged: a failed probe is a failed "scenario" whose notes say
 * what was sent, what came back and why it matters; a warning is a passed
 * one whose notes start with "warning:".
 */
#include "conform.h"

#include "errors.h"
#include "probe.h"
#include "report.h"
#include "transport.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GUIDE_SLOW_MS 5000.0 /* CONTRACT.md §4 [doc]: function duration above 5 s */
#define DEFAULT_CAP (60 * KDO_S) /* [choice] a probe's wait without --timeout */

static kdo_time_ns clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (kdo_time_ns)ts.tv_sec * KDO_S + ts.tv_nsec;
}

/* Sends one invocation and waits for its reply (the transport's own timeout
 * ends the wait); returns the milliseconds it took. */
static double invoke(struct kdo_transport *t, kdo_time_ns t0, const struct kdo_invocation *inv,
                     struct kdo_reply_in *in)
{
    kdo_time_ns start = clock_ns();
    memset(in, 0, sizeof *in);
    if (kdo_transport_send(t, start - t0, inv) != 0) {
        in->outcome = KDO_TRANSPORT_FAILED;
        return 0;
    }
    while (kdo_transport_poll(t, clock_ns() - t0, in) != 1)
        kdo_transport_wait(t, 50 * KDO_MS);
    return (double)(clock_ns() - start) / 1e6;
}

struct session {
    const struct kdo_conform_options *o;
    char endpoint[2048]; /* o->endpoint without its userinfo: the only one ever shown */
    struct kdo_scenario_result *res;
    enum kdo_probe_status *status;
    size_t n;
    double timeout_ms, slowest_ms;
    double wait_ms;  /* how long one probe's reply is waited for */
    int capped;      /* wait_ms is shorter than KDA's wait (Timeout + 5 s) */
    int gave_up;     /* a probe was undecided because it ran into the cap */
    const char *slowest_probe;
    int unreachable; /* GetFunctionConfiguration failed */
};

static char *notes_of(const char *first, const struct kdo_probe_result *pr, const char *why)
{
    size_t size = 2048;
    char *s = kdo_xmalloc(size);
    snprintf(s, size, "%s%ssent: %s\ngot: %s\nwhy: %s\n", first ? first : "", first ? "\n" : "",
             pr->sent, pr->got, why);
    return s;
}

static void add_result(struct session *s, const char *name, const char *title,
                       enum kdo_probe_status st, const char *summary, char *notes, double ms)
{
    struct kdo_scenario_result *r = &s->res[s->n];
    char file[64], replay[2400];
    snprintf(file, sizeof file, "probe:%s", name);
    snprintf(replay, sizeof replay, "kdaout conform --endpoint %s --function %s --probe %s",
             s->endpoint, s->o->function ? s->o->function : "kdaout-fake", name);
    memset(r, 0, sizeof *r);
    r->file = kdo_xstrdup(file);
    r->name = kdo_xstrdup(title);
    r->verdict = st == KDO_PROBE_FAIL ? KDO_VERDICT_FAILED : KDO_VERDICT_PASSED;
    r->message = st == KDO_PROBE_FAIL ? kdo_xstrdup(summary) : NULL;
    r->notes = notes;
    r->seed = s->o->seed;
    r->realtime = 1;
    r->wall_s = ms / 1000.0;
    r->replay = kdo_xstrdup(replay);
    r->checks = kdo_xcalloc(1, sizeof *r->checks);
    r->checks[0] = (struct kdo_check_result){
        .fact = kdo_xstrdup(name),
        .expected = kdo_xstrdup(st == KDO_PROBE_WARN ? "passes, with a warning" : "passes"),
        .value = st == KDO_PROBE_FAIL ? 0 : 1, .passed = st != KDO_PROBE_FAIL};
    r->nchecks = 1;
    s->status[s->n++] = st;
}

/* A probe that timed out: say how long it was waited for.  Within KDA's own
 * wait (Timeout + 5 s) a timeout is the function's failure; cut short by the
 * cap it decides nothing, since KDA might still have had its answer. */
static void explain_wait(const struct session *s, struct kdo_probe_result *pr)
{
    if (!s->capped)
        return;
    snprintf(pr->got, sizeof pr->got, "no reply within %.0f s, %s (KDA would wait %.0f s: the "
             "function's Timeout + 5 s; --timeout %.0f waits as long): undecided",
             s->wait_ms / 1000, s->o->timeout_s > 0 ? "the --timeout cap"
                                                     : "conform's cap on one probe",
             s->timeout_ms / 1000 + 5, s->timeout_ms / 1000 + 5);
}

static void run_probe(struct session *s, struct kdo_transport *t, kdo_time_ns t0, size_t i,
                      struct kdo_rng *rng)
{
    struct kdo_probe_run *p = kdo_probe_run_new(i, rng);
    const struct kdo_invocation *inv;
    struct kdo_reply_in in;
    struct kdo_probe_result pr;
    double total = 0;
    while ((inv = kdo_probe_next(p)) != NULL) {
        double ms = invoke(t, t0, inv, &in);
        total += ms;
        kdo_probe_reply(p, &in, ms);
    }
    kdo_probe_result(p, &pr);
    kdo_probe_run_free(p);
    if (pr.timed_out)
        explain_wait(s, &pr);
    if (pr.slowest_ms > s->slowest_ms) {
        s->slowest_ms = pr.slowest_ms;
        s->slowest_probe = kdo_probes[i].name;
    }
    char warn[400];
    snprintf(warn, sizeof warn, "warning: %s", pr.summary);
    char *notes = pr.status == KDO_PROBE_PASS ? NULL
                  : notes_of(pr.status == KDO_PROBE_WARN ? warn : NULL, &pr, kdo_probes[i].why);
    if (pr.status == KDO_PROBE_PASS && s->o->verbose)
        notes = notes_of(NULL, &pr, kdo_probes[i].why);
    add_result(s, kdo_probes[i].name, kdo_probes[i].title, pr.status, pr.summary, notes, total);
    int undecided = pr.timed_out && s->capped;
    if (pr.status == KDO_PROBE_FAIL && pr.transport_failed && (s->unreachable || undecided))
        s->res[s->n - 1].verdict = KDO_VERDICT_UNDECIDED;
    s->gave_up |= undecided;
}

/* CONTRACT.md §4: warn past half the Timeout, or past the guide's 5 s. */
static void timing(struct session *s)
{
    char summary[300], *notes = kdo_xmalloc(1024);
    int slow = s->slowest_ms > s->timeout_ms / 2 || s->slowest_ms > GUIDE_SLOW_MS;
    snprintf(summary, sizeof summary, "the slowest answer took %.0f ms (%s) of the function's "
             "%.0f ms Timeout", s->slowest_ms, s->slowest_probe ? s->slowest_probe : "none",
             s->timeout_ms);
    snprintf(notes, 1024, "%s%s\nwhy: a function that needs more than half its Timeout times out "
             "under a backlog (full 6 MB batches), and the guide flags durations above 5 s; a "
             "timed-out invocation is retried forever, with every record in it\n",
             slow ? "warning: " : "", summary);
    add_result(s, "timing", "answers well inside the Timeout", slow ? KDO_PROBE_WARN : KDO_PROBE_PASS,
               summary, slow || s->o->verbose ? notes : NULL, s->slowest_ms);
    if (!slow && !s->o->verbose)
        free(notes);
    if (s->gave_up) { /* a probe never answered within the cap: its time is unknown */
        struct kdo_scenario_result *r = &s->res[s->n - 1];
        r->verdict = KDO_VERDICT_UNDECIDED;
        free(r->message);
        r->message = kdo_xstrdup("a probe got no answer within the cap on its wait, so the "
                                 "slowest answer is not known");
    }
}

/* ---- the terminal --------------------------------------------------------------------- */

static void print_result(FILE *out, const struct kdo_scenario_result *r, enum kdo_probe_status st,
                         int colour)
{
    static const char *const names[] = {"PASS", "WARN", "FAIL"};
    static const char *const colours[] = {"\033[32m", "\033[33m", "\033[31m"};
    const char *name = r->verdict == KDO_VERDICT_UNDECIDED ? "UNDECIDED" : names[st];
    fprintf(out, "%s%-5s%s %-12s %s", colour ? colours[st] : "", name, colour ? "\033[0m" : "",
            r->file + 6, r->name);
    if (r->message)
        fprintf(out, ": %s", r->message);
    fprintf(out, " (%.0f ms)\n", r->wall_s * 1000);
    for (const char *l = r->notes; l && *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        fprintf(out, "        %.*s\n", (int)len, l);
        l = e ? e + 1 : l + len;
    }
}

static int write_report(const char *path, int (*fn)(FILE *, const struct kdo_scenario_result *,
                                                    size_t),
                        const struct kdo_scenario_result *r, size_t n)
{
    if (path == NULL)
        return 0;
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "kdaout conform: cannot write %s\n", path);
        return KDO_EIO;
    }
    int err = fn(f, r, n);
    if (fclose(f) != 0 || err) {
        fprintf(stderr, "kdaout conform: error writing %s\n", path);
        return KDO_EIO;
    }
    return 0;
}

/* The function's Timeout (GetFunctionConfiguration, as KDA reads it) and how
 * long each probe waits: KDA's Timeout + 5 s, capped by --timeout or, without
 * it, by DEFAULT_CAP -- a function declaring Timeout 900 that hangs must not
 * hold conform for 905 s a probe. */
static void setup_wait(struct session *s, struct kdo_http_end *he, FILE *out)
{
    const struct kdo_conform_options *o = s->o;
    kdo_time_ns cap = o->timeout_s > 0 ? (kdo_time_ns)(o->timeout_s * 1e9) : DEFAULT_CAP;
    kdo_time_ns timeout;
    char err[600];
    he->timeout = cap; /* GetFunctionConfiguration too */
    if (kdo_transport_http_function_timeout(he, &timeout, err, sizeof err) != 0) {
        timeout = (kdo_time_ns)((o->timeout_s > 0 ? o->timeout_s : 3) * 1e9);
        s->unreachable = 1;
        fprintf(out, "note: %s; assuming a Timeout of %.0f s\n", err, (double)timeout / 1e9);
    }
    kdo_time_ns kda = timeout + 5 * KDO_S;
    s->timeout_ms = (double)timeout / 1e6;
    he->timeout = kda < cap ? kda : cap;
    s->wait_ms = (double)he->timeout / 1e6;
    s->capped = he->timeout < kda;
}

int kdo_conform_run(const struct kdo_conform_options *o)
{
    FILE *out = o->out ? o->out : stdout;
    const char *function = o->function ? o->function : "kdaout-fake";
    struct kdo_http_end he = {.endpoint = o->endpoint, .function = function,
                              .qualifier = o->qualifier, .sigv4 = o->sigv4, .region = o->region,
                              .connect_timeout = 5 * KDO_S};
    struct session s = {.o = o};
    char err[600];
    kdo_transport_http_redact_url(o->endpoint, s.endpoint, sizeof s.endpoint);
    setup_wait(&s, &he, out);
    struct kdo_transport *t = kdo_transport_http_new(&he, err, sizeof err);
    if (t == NULL) {
        fprintf(stderr, "kdaout conform: %s\n", err);
        return 2;
    }
    fprintf(out, "kdaout conform: %s, function %s%s%s (Timeout %.0f s; each probe waits at most "
            "%.0f s%s)\n", s.endpoint, function, o->qualifier ? ":" : "",
            o->qualifier ? o->qualifier : "", s.timeout_ms / 1000, s.wait_ms / 1000,
            s.capped ? ", less than KDA's Timeout + 5 s" : ", as KDA does");
    s.res = kdo_xcalloc(kdo_probes_count + 1, sizeof *s.res);
    s.status = kdo_xcalloc(kdo_probes_count + 1, sizeof *s.status);
    struct kdo_rng rng;
    kdo_rng_init(&rng, o->seed);
    kdo_time_ns t0 = clock_ns();
    for (size_t i = 0; i < kdo_probes_count; i++) {
        if (o->only && strstr(kdo_probes[i].name, o->only) == NULL)
            continue;
        run_probe(&s, t, t0, i, &rng);
        print_result(out, &s.res[s.n - 1], s.status[s.n - 1], o->colour);
        fflush(out);
    }
    kdo_transport_free(t);
    if (s.n > 0) {
        timing(&s);
        print_result(out, &s.res[s.n - 1], s.status[s.n - 1], o->colour);
    }
    size_t passed = 0, failed = 0, warned = 0, undecided = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.res[i].verdict == KDO_VERDICT_UNDECIDED)
            undecided++;
        else if (s.status[i] == KDO_PROBE_FAIL)
            failed++;
        else
            passed++, warned += s.status[i] == KDO_PROBE_WARN;
    }
    fprintf(out, "kdaout conform: %zu passed, %zu failed (%zu warnings%s%s)\n", passed, failed,
            warned, undecided ? ", and some undecided: " : "",
            !undecided ? "" : s.unreachable ? "the function could not be reached"
                                            : "no reply within the cap on a probe's wait");
    int rc = write_report(o->junit, kdo_report_junit, s.res, s.n);
    rc |= write_report(o->json, kdo_report_json, s.res, s.n);
    rc |= write_report(o->tap, kdo_report_tap, s.res, s.n);
    rc |= write_report(o->markdown, kdo_report_markdown, s.res, s.n);
    for (size_t i = 0; i < s.n; i++)
        kdo_scenario_result_cleanup(&s.res[i]);
    free(s.res);
    free(s.status);
    if (rc)
        return 2;
    return failed ? 1 : undecided ? 3 : 0;
}
