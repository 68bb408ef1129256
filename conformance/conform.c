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

#include "base/errors.h"
#include "delivery/transport.h"
#include "probe.h"
#include "report.h"
#include "transport/transport_http.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void sleep_ns(kdo_time_ns d)
{
    struct timespec ts = {(time_t)(d / KDO_S), (long)(d % KDO_S)};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Why a session stopped before its probes were done; see exit_of(). */
enum halt { GOING, HALT_NOT_FOUND, HALT_UNREACHABLE, HALT_REFUSED, HALT_SERVICE, HALT_NOT_STARTED };

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
    int timeout_known; /* the Timeout came from GetFunctionConfiguration */
    enum halt halt;
    int answered;     /* the function has answered an invocation (it started) */
    size_t invocations; /* answered by the function, for timing */
    double first_ms, rest_ms; /* the first answer's time (a cold start), the slowest other */
    const char *first_probe, *rest_probe;
    size_t wellformed, wellformed_ok;
    unsigned retries; /* resends after 429/5xx */
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

/* Sends inv until something other than the service's 429/5xx answers, or
 * the resends run out (a second apart, as KDA resends); returns who answered. */
static enum kdo_probe_answer invoke_until_answered(struct session *s, struct kdo_transport *t,
                                                  kdo_time_ns t0,
                                                  const struct kdo_invocation *inv,
                                                  struct kdo_reply_in *in, double *ms)
{
    for (unsigned retry = 1;; retry++) {
        *ms = invoke(t, t0, inv, in);
        enum kdo_probe_answer a = kdo_probe_classify(in);
        if (a == KDO_PROBE_NOT_STARTED && s->answered)
            a = KDO_PROBE_ANSWERED; /* it did start before: an error like any other */
        kdo_time_ns pause = a == KDO_PROBE_RETRY ? kdo_probe_retry_delay(in, retry) : -1;
        if (pause < 0)
            return a;
        s->retries++;
        sleep_ns(pause);
    }
}

/* The function answered in `ms`: for the timing check. */
static void timed(struct session *s, const struct kdo_reply_in *in, double ms, const char *probe)
{
    if (in->outcome != KDO_TRANSPORT_DONE || in->status != 200)
        return;
    s->answered = 1;
    if (s->invocations++ == 0) {
        s->first_ms = ms, s->first_probe = probe;
    } else if (ms > s->rest_ms) {
        s->rest_ms = ms, s->rest_probe = probe;
    }
}

/* Stops the session: one result naming the cause and the fix, ERROR (the
 * name or URL is wrong) or UNDECIDED (nothing about the contract could be
 * decided). */
static void halt(struct session *s, enum halt why, const char *name, const char *title,
                 const char *summary, const char *cause, const char *fix, double ms)
{
    size_t size = 2048;
    char *notes = kdo_xmalloc(size);
    snprintf(notes, size, "why: %s\nfix: %s\n", cause, fix);
    add_result(s, name, title, KDO_PROBE_FAIL, summary, notes, ms);
    s->res[s->n - 1].verdict = why == HALT_NOT_FOUND || why == HALT_UNREACHABLE
                                   ? KDO_VERDICT_BAD_INPUT : KDO_VERDICT_UNDECIDED;
    s->halt = why;
}

static void halt_on_reply(struct session *s, size_t i, enum kdo_probe_answer a,
                          const struct kdo_reply_in *in, double ms)
{
    char cause[600], fix[400], summary[700], type[64], msg[300];
    static const enum halt of[] = {[KDO_PROBE_RETRY] = HALT_SERVICE,
                                   [KDO_PROBE_NOT_FOUND] = HALT_NOT_FOUND,
                                   [KDO_PROBE_REFUSED] = HALT_REFUSED,
                                   [KDO_PROBE_NOT_STARTED] = HALT_NOT_STARTED};
    if (a == KDO_PROBE_NOT_STARTED) {
        kdo_probe_init_error(in, type, sizeof type, msg, sizeof msg);
        snprintf(summary, sizeof summary, "the handler did not start: %s: %s", type, msg);
        snprintf(cause, sizeof cause, "the runtime reported %s before the handler answered "
                 "anything (an init error: the handler's module, its name or its style), so "
                 "no probe can say anything about the contract", type);
        snprintf(fix, sizeof fix, "make the handler load: run it locally (kdaout host -- "
                 "RUNTIME) and read the runtime's message; check the handler setting "
                 "(_HANDLER), the module's path and its dependencies");
    } else {
        snprintf(type, sizeof type, "%.*s", in->error_type ? (int)strcspn(in->error_type, ":") : 0,
                 in->error_type ? in->error_type : "");
        kdo_probe_explain("Invoke", in->status, type, cause, sizeof cause, fix, sizeof fix);
        snprintf(summary, sizeof summary, "%s", cause);
    }
    halt(s, of[a], kdo_probes[i].name, kdo_probes[i].title, summary, cause, fix, ms);
}

/* A passing probe's detail (what was sent, what came back, why) is kept for
 * -v and for the HTML report, whose row is that detail; the terminal shows
 * it only with -v (print_result). */
static int detailed(const struct kdo_conform_options *o)
{
    return o->verbose || o->report != NULL;
}

static void run_probe(struct session *s, struct kdo_transport *t, kdo_time_ns t0, size_t i,
                      struct kdo_rng *rng)
{
    struct kdo_probe_run *p = kdo_probe_run_new(i, rng);
    const struct kdo_invocation *inv;
    struct kdo_reply_in in;
    struct kdo_probe_result pr;
    double total = 0, ms;
    while ((inv = kdo_probe_next(p)) != NULL) {
        enum kdo_probe_answer a = invoke_until_answered(s, t, t0, inv, &in, &ms);
        total += ms;
        if (a != KDO_PROBE_ANSWERED) {
            halt_on_reply(s, i, a, &in, total);
            kdo_probe_run_free(p);
            return;
        }
        timed(s, &in, ms, kdo_probes[i].name);
        kdo_probe_reply(p, &in, ms);
    }
    kdo_probe_result(p, &pr);
    kdo_probe_run_free(p);
    s->wellformed += pr.wellformed;
    s->wellformed_ok += pr.wellformed_ok;
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
    if (pr.status == KDO_PROBE_PASS && detailed(s->o))
        notes = notes_of(NULL, &pr, kdo_probes[i].why);
    add_result(s, kdo_probes[i].name, kdo_probes[i].title, pr.status, pr.summary, notes, total);
    int undecided = pr.timed_out && s->capped;
    if (pr.status == KDO_PROBE_FAIL && pr.transport_failed && (s->unreachable || undecided))
        s->res[s->n - 1].verdict = KDO_VERDICT_UNDECIDED;
    s->gave_up |= undecided;
}

/* CONTRACT.md §4: fail past the function's own Timeout (the service would
 * have cut the invocation off, and KDA retried the whole batch forever);
 * warn past half the Timeout, or past the guide's 5 s. */
static void timing(struct session *s)
{
    char summary[400], *notes = kdo_xmalloc(1400);
    enum kdo_probe_status st = kdo_probe_timing(s->first_ms, s->rest_ms, s->timeout_ms,
                                                s->timeout_known);
    int first = s->first_ms > s->rest_ms;
    double slowest = first ? s->first_ms : s->rest_ms;
    const char *probe = first ? s->first_probe : s->rest_probe;
    if (st == KDO_PROBE_FAIL) {
        first = s->rest_ms <= s->timeout_ms; /* then only the first broke its (longer) limit */
        snprintf(summary, sizeof summary, "an answer took %.0f ms (%s), longer than the "
                 "function's %.0f ms Timeout%s: the service would have cut it off "
                 "(Sandbox.Timedout) and KDA would resend the whole batch forever",
                 first ? s->first_ms : s->rest_ms,
                 (first ? s->first_probe : s->rest_probe) ? (first ? s->first_probe
                                                                   : s->rest_probe) : "none",
                 s->timeout_ms, first ? " plus the 10 s init phase of a cold start" : "");
    } else {
        snprintf(summary, sizeof summary, "the slowest answer took %.0f ms (%s) of the "
                 "function's %.0f ms Timeout", slowest, probe ? probe : "none", s->timeout_ms);
    }
    snprintf(notes, 1400, "%s%s%swhy: a function that needs more than half its Timeout times "
             "out under a backlog (full 6 MB batches), and the guide flags durations above 5 "
             "s; a timed-out invocation is retried forever, with every record in it%s\n",
             st == KDO_PROBE_WARN ? "warning: " : "", st == KDO_PROBE_FAIL ? "" : summary,
             st == KDO_PROBE_FAIL ? "" : "\n",
             s->timeout_known ? "" : " (the Timeout was assumed: GetFunctionConfiguration did "
                                     "not give one, so no answer fails for being too slow)");
    int noted = st != KDO_PROBE_PASS || detailed(s->o);
    add_result(s, "timing", "answers well inside the Timeout", st, summary,
               noted ? notes : NULL, slowest);
    if (!noted)
        free(notes);
    if (s->gave_up) { /* a probe never answered within the cap: its time is unknown */
        struct kdo_scenario_result *r = &s->res[s->n - 1];
        r->verdict = KDO_VERDICT_UNDECIDED;
        free(r->message);
        r->message = kdo_xstrdup("a probe got no answer within the cap on its wait, so the "
                                 "slowest answer is not known");
    }
}

/* A function that answers DeliveryFailed to every well-formed row passes
 * every probe, yet delivers nothing: KDA resends those rows forever. */
static void delivery(struct session *s)
{
    char summary[300], *notes = kdo_xmalloc(1024);
    int none = s->wellformed_ok == 0;
    if (none)
        snprintf(summary, sizeof summary, "every one of the %zu well-formed rows (JSON rows any "
                 "working function accepts) was answered DeliveryFailed: this pipeline never "
                 "delivers anything", s->wellformed);
    else
        snprintf(summary, sizeof summary, "%zu of the %zu well-formed rows were answered Ok",
                 s->wellformed_ok, s->wellformed);
    snprintf(notes, 1024, "%s%swhy: KDA resends a DeliveryFailed record forever, so a function "
             "that refuses every record stalls the output for good while answering the "
             "contract's shape perfectly\n", none ? "" : summary, none ? "" : "\n");
    int noted = none || detailed(s->o);
    add_result(s, "delivery", "delivers well-formed rows", none ? KDO_PROBE_FAIL : KDO_PROBE_PASS,
               summary, noted ? notes : NULL, 0);
    if (!noted)
        free(notes);
}

/* ---- the terminal --------------------------------------------------------------------- */

static void print_result(FILE *out, const struct kdo_scenario_result *r, enum kdo_probe_status st,
                         const struct kdo_conform_options *o)
{
    static const char *const names[] = {"PASS", "WARN", "FAIL"};
    static const char *const colours[] = {"\033[32m", "\033[33m", "\033[31m"};
    const char *name = r->verdict == KDO_VERDICT_UNDECIDED ? "UNDECIDED"
                       : r->verdict == KDO_VERDICT_BAD_INPUT ? "ERROR" : names[st];
    int c = r->verdict == KDO_VERDICT_UNDECIDED ? KDO_PROBE_WARN : (int)st;
    int colour = o->colour;
    fprintf(out, "%s%-5s%s %-12s %s", colour ? colours[c] : "", name, colour ? "\033[0m" : "",
            r->file + 6, r->name);
    if (r->message)
        fprintf(out, ": %s", r->message);
    fprintf(out, " (%.0f ms)\n", r->wall_s * 1000);
    if (st == KDO_PROBE_PASS && r->verdict == KDO_VERDICT_PASSED && !o->verbose)
        return; /* kept for the report (detailed()), said on the terminal with -v */
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

static const char *halt_text(enum halt h)
{
    switch (h) {
    case HALT_NOT_FOUND: return "no such function at this endpoint";
    case HALT_UNREACHABLE: return "nothing answers at the endpoint";
    case HALT_REFUSED: return "the credentials, a permission or the signature were refused";
    case HALT_SERVICE: return "the service kept throttling or failing";
    case HALT_NOT_STARTED: return "the handler did not start";
    default: return "";
    }
}

/* GetFunctionConfiguration, resent after 429/5xx as an invocation is;
 * returns 0 or its error, with what it answered in *c. */
static int read_config(const struct kdo_http_end *he, struct kdo_function_config *c, char *err,
                       size_t size, unsigned *retries)
{
    const struct kdo_reply_in none = {0};
    for (unsigned retry = 1;; retry++) {
        int rc = kdo_transport_http_function_config(he, c, err, size);
        kdo_time_ns pause = c->status == 429 || (c->status >= 500 && c->status <= 599)
                                ? kdo_probe_retry_delay(&none, retry) : -1;
        if (rc == 0 || pause < 0)
            return rc;
        ++*retries;
        sleep_ns(pause);
    }
}

/* GetFunctionConfiguration's answer stops the session when it shows the
 * function cannot be probed: nothing at the URL, no such function, refused,
 * or a service that keeps failing.  Other answers (an endpoint without the
 * operation) leave the Timeout assumed.  Returns 1 if it stopped. */
static int config_halts(struct session *s, const struct kdo_function_config *c, const char *err)
{
    char cause[800], fix[400];
    enum halt why = c->status == 0 ? HALT_UNREACHABLE
                    : c->status == 404 && (!c->error_type[0] ||
                                           strcmp(c->error_type, "ResourceNotFoundException") == 0)
                        ? HALT_NOT_FOUND
                    : c->status == 401 || c->status == 403 ? HALT_REFUSED
                    : c->status == 429 || (c->status >= 500 && c->status <= 599) ? HALT_SERVICE
                                                                                  : GOING;
    if (why == GOING)
        return 0;
    if (why == HALT_UNREACHABLE) {
        snprintf(cause, sizeof cause, "%s: nothing answers at this URL", err);
        snprintf(fix, sizeof fix, "check the endpoint URL, and that the server (kdaout "
                 "fake-lambda, kdaout host, your emulator) is running");
    } else {
        kdo_probe_explain("GetFunctionConfiguration", c->status, c->error_type, cause,
                          sizeof cause, fix, sizeof fix);
    }
    halt(s, why, "configuration", "GetFunctionConfiguration", halt_text(why), cause, fix, 0);
    return 1;
}

/* The function's Timeout (GetFunctionConfiguration, as KDA reads it) and how
 * long each probe waits: KDA's Timeout + 5 s, capped by --timeout or, without
 * it, by DEFAULT_CAP -- a function declaring Timeout 900 that hangs must not
 * hold conform for 905 s a probe.  Returns 1 if the session halted, -1 if
 * the request could not even be made (a usage error, said on stderr). */
static int setup_wait(struct session *s, struct kdo_http_end *he, FILE *out)
{
    const struct kdo_conform_options *o = s->o;
    kdo_time_ns cap = o->timeout_s > 0 ? (kdo_time_ns)(o->timeout_s * 1e9) : DEFAULT_CAP;
    kdo_time_ns timeout;
    struct kdo_function_config c;
    char err[600];
    he->timeout = cap; /* GetFunctionConfiguration too */
    int rc = read_config(he, &c, err, sizeof err, &s->retries);
    if (rc == KDO_EINVAL) { /* not sent: the URL or the signing set-up */
        fprintf(stderr, "kdaout conform: %s\n", err);
        return -1;
    }
    if (rc == 0) {
        timeout = c.timeout;
        s->timeout_known = 1;
    } else if (config_halts(s, &c, err)) {
        return 1;
    } else {
        timeout = (kdo_time_ns)((o->timeout_s > 0 ? o->timeout_s : 3) * 1e9);
        s->unreachable = 1;
        fprintf(out, "note: %s; assuming a Timeout of %.0f s\n", err, (double)timeout / 1e9);
    }
    kdo_time_ns kda = timeout + 5 * KDO_S;
    s->timeout_ms = (double)timeout / 1e6;
    he->timeout = kda < cap ? kda : cap;
    s->wait_ms = (double)he->timeout / 1e6;
    s->capped = he->timeout < kda;
    return 0;
}

/* 1 a check failed, 2 wrong name or URL (or a report not written), 3 nothing
 * decided (refused, throttled, not started, or a probe ran into the cap). */
static int exit_of(const struct session *s, size_t failed, size_t undecided)
{
    if (failed)
        return 1;
    if (s->halt == HALT_NOT_FOUND || s->halt == HALT_UNREACHABLE)
        return 2;
    return s->halt != GOING || undecided ? 3 : 0;
}

static void run_probes(struct session *s, struct kdo_transport *t, FILE *out)
{
    const struct kdo_conform_options *o = s->o;
    struct kdo_rng rng;
    kdo_rng_init(&rng, o->seed);
    kdo_time_ns t0 = clock_ns();
    for (size_t i = 0; i < kdo_probes_count && s->halt == GOING; i++) {
        if (o->only && strstr(kdo_probes[i].name, o->only) == NULL)
            continue;
        run_probe(s, t, t0, i, &rng);
        print_result(out, &s->res[s->n - 1], s->status[s->n - 1], o);
        fflush(out);
    }
    if (s->n == 0 || s->halt != GOING)
        return;
    timing(s);
    print_result(out, &s->res[s->n - 1], s->status[s->n - 1], o);
    if (s->wellformed > 0) {
        delivery(s);
        print_result(out, &s->res[s->n - 1], s->status[s->n - 1], o);
    }
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
    s.res = kdo_xcalloc(kdo_probes_count + 2, sizeof *s.res);
    s.status = kdo_xcalloc(kdo_probes_count + 2, sizeof *s.status);
    int setup = setup_wait(&s, &he, out);
    struct kdo_transport *t = setup == 0 ? kdo_transport_http_new(&he, err, sizeof err) : NULL;
    if (setup < 0 || (setup == 0 && t == NULL)) {
        if (setup == 0)
            fprintf(stderr, "kdaout conform: %s\n", err);
        free(s.res);
        free(s.status);
        return 2;
    }
    if (setup > 0) {
        fprintf(out, "kdaout conform: %s, function %s%s%s\n", s.endpoint, function,
                o->qualifier ? ":" : "", o->qualifier ? o->qualifier : "");
        print_result(out, &s.res[0], s.status[0], o);
    } else {
        fprintf(out, "kdaout conform: %s, function %s%s%s (Timeout %.0f s; each probe waits at "
                "most %.0f s%s)\n", s.endpoint, function, o->qualifier ? ":" : "",
                o->qualifier ? o->qualifier : "", s.timeout_ms / 1000, s.wait_ms / 1000,
                s.capped ? ", less than KDA's Timeout + 5 s" : ", as KDA does");
        run_probes(&s, t, out);
    }
    kdo_transport_free(t);
    size_t passed = 0, failed = 0, warned = 0, undecided = 0;
    for (size_t i = 0; i < s.n; i++) {
        if (s.res[i].verdict == KDO_VERDICT_UNDECIDED)
            undecided++;
        else if (s.res[i].verdict == KDO_VERDICT_BAD_INPUT)
            continue; /* a halt: said on its own line below */
        else if (s.status[i] == KDO_PROBE_FAIL)
            failed++;
        else
            passed++, warned += s.status[i] == KDO_PROBE_WARN;
    }
    fprintf(out, "kdaout conform: %zu passed, %zu failed (%zu warnings%s%s)\n", passed, failed,
            warned, undecided && s.halt == GOING ? ", and some undecided: " : "",
            !undecided || s.halt != GOING ? ""
            : s.unreachable ? "the function could not be reached"
                            : "no reply within the cap on a probe's wait");
    if (s.halt != GOING)
        fprintf(out, "kdaout conform: stopped, nothing more could be decided: %s\n",
                halt_text(s.halt));
    else if (s.retries)
        fprintf(out, "kdaout conform: %u request%s resent after 429/5xx from the service\n",
                s.retries, s.retries == 1 ? "" : "s");
    int rc = write_report(o->junit, kdo_report_junit, s.res, s.n);
    rc |= write_report(o->json, kdo_report_json, s.res, s.n);
    rc |= write_report(o->tap, kdo_report_tap, s.res, s.n);
    rc |= write_report(o->markdown, kdo_report_markdown, s.res, s.n);
    rc |= write_report(o->report, kdo_report_html_probes, s.res, s.n);
    for (size_t i = 0; i < s.n; i++)
        kdo_scenario_result_cleanup(&s.res[i]);
    free(s.res);
    free(s.status);
    if (rc)
        return 2;
    return exit_of(&s, failed, undecided);
}
