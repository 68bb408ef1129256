/*
 * runner.c -- running scenarios, checking them, and handing results to the
 * reporters.
 *
 * Each scenario becomes a struct kdo_scenario_result; nothing is printed
 * while a scenario runs, so parallel runs (--jobs) report exactly as serial
 * ones do: in the order given, each as soon as it and those before it are
 * done.  The seed is part of every result, so any run can be replayed.
 */
#include "runner-int.h"

#include "app/sim.h"
#include "base/buf.h"
#include "base/errors.h"
#include "endpoint.h"
#include "expect.h"
#include "live.h"
#include "probe.h"
#include "report.h"
#include "scenario.h"
#include "sql/value.h"
#include "timeline.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

static uint64_t random_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, 0) != (ssize_t)sizeof s)
        s = (uint64_t)time(NULL);
    return s % 1000000000u; /* short enough to retype */
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- one scenario ------------------------------------------------------------------- */

static void bad_input(struct kdo_scenario_result *res, const struct kdo_errinfo *err)
{
    char msg[700];
    kdo_errinfo_format(err, msg, sizeof msg);
    res->verdict = KDO_VERDICT_BAD_INPUT;
    res->message = kdo_xstrdup(msg);
}

static void judge(struct kdo_scenario_result *res, const struct watch *w, int rc,
                  const struct kdo_sim_result *r, int unreachable)
{
    res->realtime = r->realtime;
    res->virtual_s = (double)r->end / 1e9;
    if (rc != 0) {
        char msg[300];
        snprintf(msg, sizeof msg, "the run stopped: %s", kdo_strerror(rc));
        res->message = kdo_xstrdup(msg);
        res->verdict = rc == KDO_EROWSIZE ? KDO_VERDICT_BAD_INPUT : KDO_VERDICT_FAILED;
        return;
    }
    if (kdo__runner_check_all(w, r, res))
        res->verdict = KDO_VERDICT_PASSED;
    else if (unreachable) {
        res->verdict = KDO_VERDICT_UNDECIDED;
        res->message = kdo_xstrdup("checks failed while the endpoint was unreachable, so they "
                                   "say nothing about the function");
    } else {
        res->verdict = KDO_VERDICT_FAILED;
    }
}

/* GetFunctionConfiguration refused (401/403) or knew no such function (404):
 * KDA could not start its output (its role needs lambda:GetFunctionConfiguration),
 * so the scenario is not run; the named check says why and what to do.  A
 * wrong name is an ERROR (exit 2), a refusal UNDECIDED (exit 3). */
static void config_refused(struct kdo_scenario_result *res, int status, const char *type)
{
    char cause[600], fix[400], notes[1100];
    kdo_probe_explain("GetFunctionConfiguration", status, type, cause, sizeof cause, fix,
                      sizeof fix);
    res->verdict = status == 404 ? KDO_VERDICT_BAD_INPUT : KDO_VERDICT_UNDECIDED;
    res->message = kdo_xstrdup(cause);
    snprintf(notes, sizeof notes, "fix: %s\n", fix);
    free(res->notes);
    res->notes = kdo_xstrdup(notes);
    res->realtime = 1;
    res->checks = kdo_xcalloc(1, sizeof *res->checks);
    res->checks[0] = (struct kdo_check_result){
        .fact = kdo_xstrdup("function_configuration"),
        .expected = kdo_xstrdup("200 with the function's Timeout (the guide requires "
                                "lambda:GetFunctionConfiguration)"),
        .value = status};
    res->nchecks = 1;
}

/* Rows sent to the error stream are never delivered: say so when the
 * scenario does not check error_rows itself, so none go unnoticed. */
static void note_error_rows(struct kdo_scenario_result *res, const struct watch *w,
                            const struct kdo_sim_result *r)
{
    for (size_t d = 0; d < r->nlanes; d++) {
        double v = 0;
        struct kdo_facts *f = kdo__runner_facts_for(w, d, INT64_MIN, KDO_TIME_NEVER);
        if (kdo__runner_overridden(w->s, "error_rows", d) || f == NULL)
            continue;
        if (kdo_facts_get(f, "error_rows", &v, NULL) == 0 && v > 0) {
            char line[300];
            size_t len = res->notes ? strlen(res->notes) : 0;
            snprintf(line, sizeof line, "%.0f row%s went to the in-application error stream%s%s "
                     "and %s not delivered (error_stream in the journal; check error_rows)\n",
                     v, v == 1 ? "" : "s", r->nlanes > 1 ? " of " : "",
                     r->nlanes > 1 ? r->lanes[d].id : "", v == 1 ? "was" : "were");
            res->notes = kdo_xrealloc(res->notes, len + strlen(line) + 1);
            memcpy(res->notes + len, line, strlen(line) + 1);
        }
    }
}

/* -v: every fact of the run, to help write expectations. */
static void append_facts(struct kdo_scenario_result *res, const struct watch *w,
                         const struct kdo_sim_result *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fprintf(f, "%s", res->notes ? res->notes : "");
    for (size_t i = 0; i < (r->nlanes ? r->nlanes : 1); i++) {
        struct kdo_facts *facts = kdo__runner_facts_for(w, i, INT64_MIN, KDO_TIME_NEVER);
        if (facts == NULL)
            continue;
        if (r->nlanes > 1)
            fprintf(f, "    facts of destination %s:\n", r->lanes[i].id);
        else
            fprintf(f, "    facts of this run:\n");
        kdo_facts_print(facts, f);
    }
    fclose(f);
    free(res->notes);
    res->notes = text;
}

static int has_output(const struct kdo_scenario *s)
{
    for (size_t i = 0; i < s->nexpect; i++)
        if (s->expect[i].output)
            return 1;
    return 0;
}

/* expect.sql_error's `at` against where the refusal is: FILE:LINE:COL,
 * LINE:COL or FILE:LINE. */
static int at_matches(const struct kdo_errinfo *e, const char *at)
{
    char full[600], lc[64], fl[600];
    snprintf(full, sizeof full, "%s:%d:%d", e->file ? e->file : "", e->line, e->column);
    snprintf(lc, sizeof lc, "%d:%d", e->line, e->column);
    snprintf(fl, sizeof fl, "%s:%d", e->file ? e->file : "", e->line);
    return at == NULL || strcmp(at, full) == 0 || strcmp(at, lc) == 0 || strcmp(at, fl) == 0;
}

/* expect.sql_error: the SQL must be refused with these words at this place;
 * nothing runs, and the one check says what was expected and what came. */
static void judge_sql_error(struct kdo_scenario_result *res, const struct kdo_scenario *s)
{
    char got[800], want[700], evidence[1600];
    if (s->sql_refused)
        kdo_errinfo_format(&s->sql_err, got, sizeof got);
    else
        snprintf(got, sizeof got, "the SQL was accepted");
    snprintf(want, sizeof want, "refused with \"%.400s\"%s%.200s", s->sql_error_message,
             s->sql_error_at ? " at " : "", s->sql_error_at ? s->sql_error_at : "");
    int passed = s->sql_refused && strstr(s->sql_err.msg, s->sql_error_message) != NULL &&
                 at_matches(&s->sql_err, s->sql_error_at);
    snprintf(evidence, sizeof evidence, "- %s\n+ %s", want, got);
    res->checks = kdo_xcalloc(1, sizeof *res->checks);
    res->checks[0] = (struct kdo_check_result){
        .fact = kdo_xstrdup("sql_error"), .expected = kdo_xstrdup(want), .value = passed ? 0 : 1,
        .passed = passed, .line = s->sql_error_line, .column = s->sql_error_column,
        .evidence = passed ? NULL : kdo_xstrdup(evidence)};
    res->nchecks = 1;
    res->verdict = passed ? KDO_VERDICT_PASSED : KDO_VERDICT_FAILED;
}

/* The scenario's fault periods (rules active over [from, until); one armed
 * the whole run is not a period) and the fixes that end them, for the
 * picture: on every lane, as the rules answer for every destination. */
static void mark_faults(struct kdo_timeline *tl, const struct kdo_scenario *s)
{
    for (size_t i = 0; tl && i < s->sim.nrules; i++) {
        const struct kdo_fault_rule *rule = &s->sim.rules[i];
        char label[64];
        if (rule->match.from == INT64_MIN && rule->match.until == KDO_TIME_NEVER)
            continue;
        /* its name when it has one (a fix names it too), and what rows it takes */
        int n = rule->name ? snprintf(label, sizeof label, "%.30s: %s", rule->name,
                                      kdo_fault_action_name(rule->action))
                           : snprintf(label, sizeof label, "rule %zu: %s", i + 1,
                                      kdo_fault_action_name(rule->action));
        if (rule->match.contains && n > 0 && (size_t)n < sizeof label)
            snprintf(label + n, sizeof label - (size_t)n, " (rows containing %.*s)",
                     (int)(rule->match.contains_len < 16 ? rule->match.contains_len : 16),
                     rule->match.contains);
        kdo_timeline_fault(tl, rule->match.from, rule->match.until, label);
    }
    for (size_t i = 0; tl && i < s->nfixes; i++) {
        const struct kdo_scenario_fix *fix = &s->fixes[i];
        char label[64];
        snprintf(label, sizeof label, "%.40s (%zu rule%s ended)",
                 fix->rule ? fix->rule : "every fault so far", fix->ended,
                 fix->ended == 1 ? "" : "s");
        kdo_timeline_fix(tl, fix->at, label);
    }
}

/* A real-time run's steps, for the live view (live.h): named by its file. */
struct live_run {
    struct kdo_live *live;
    char name[128];
    kdo_time_ns total;
    const struct watch *w; /* the checks' facts: failed records by reason */
};

static void live_tick(void *ctx, const struct kdo_sim_result *r, kdo_time_ns now)
{
    struct live_run *lr = ctx;
    uint64_t failures[KDO_REASON_COUNT] = {0};
    for (size_t i = 0; i < r->nlanes; i++) {
        const struct kdo_facts *f = kdo__runner_facts_for(lr->w, i, INT64_MIN, KDO_TIME_NEVER);
        if (f)
            kdo_facts_add_failures(f, failures);
    }
    kdo_live_tick(lr->live, lr->name, r, failures, now, lr->total);
}

static void live_begin(struct live_run *lr, const struct kdo_runner_options *o,
                       const char *file, struct kdo_scenario *s, const struct watch *w)
{
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    const char *dot = strrchr(base, '.');
    int len = dot ? (int)(dot - base) : (int)strlen(base);
    *lr = (struct live_run){o->live, "", s->sim.duration + s->sim.drain_limit, w};
    snprintf(lr->name, sizeof lr->name, "%.*s", len, base);
    s->sim.on_tick = o->live ? live_tick : NULL;
    s->sim.on_tick_ctx = lr;
}

/* Destination i's rows come from windows that close (tumbling, stagger):
 * its report marks their triggers. */
static int windowed(const struct kdo_scenario *s, size_t i)
{
    if (s->sql)
        return s->dest_folds[i];
    const struct kdo_query_config *q = s->sim.noutputs ? s->sim.outputs[i].query : s->sim.query;
    if (q == NULL)
        return s->sim.app.window.kind == KDO_WINDOW_TUMBLING;
    return q->window == KDO_QUERY_TUMBLING || q->window == KDO_QUERY_STAGGER;
}

static void run_scenario(const char *file, const struct kdo_runner_options *o, int several,
                         struct kdo_scenario_result *res, struct kdo_timeline *tl)
{
    struct kdo_errinfo err = {0};
    struct kdo_scenario *s;
    char msg[700];
    double t0 = wall_seconds();
    res->file = kdo_xstrdup(file);
    if (kdo_scenario_load(file, &s, &err) != 0)
        return bad_input(res, &err);
    res->name = kdo_xstrdup(s->name);
    res->guide = s->guide ? kdo_xstrdup(s->guide) : NULL;
    if (s->sql_error_message) { /* the SQL's refusal is the scenario: nothing to run */
        judge_sql_error(res, s);
        kdo_scenario_free(s);
        res->wall_s = wall_seconds() - t0;
        return;
    }
    s->sim.bugs = o->bugs;
    s->sim.seed = o->has_seed ? o->seed : s->has_seed ? s->sim.seed : random_seed();
    res->seed = s->sim.seed;
    struct kdo_endpoint *end;
    size_t notes_len = 0;
    FILE *nf = open_memstream(&res->notes, &notes_len);
    int rc = kdo_endpoint_open(s, nf, &end, msg, sizeof msg);
    int unreachable_end = rc != 0;
    fclose(nf);
    const char *type = NULL;
    int refused = rc == 0 ? kdo_endpoint_config_refused(end, &type) : 0;
    struct records rec = {NULL, s->ndest > 1, 0};
    struct watch w = {.s = s, .tl = tl};
    mark_faults(tl, s);
    for (size_t i = 0; tl && i < (s->sim.noutputs ? s->sim.noutputs : 1); i++)
        if (windowed(s, i))
            kdo_timeline_windowed(tl, i);
    if (rc == 0 && !refused && o->records &&
        (rec.f = kdo__runner_open_output(o->records, file, several, "records.jsonl")) == NULL)
        rc = KDO_EIO, snprintf(msg, sizeof msg, "cannot write the records file");
    if (rc == 0 && !refused && o->journal &&
        (w.journal_out = kdo__runner_open_output(o->journal, file, several, "jsonl")) == NULL)
        rc = KDO_EIO, snprintf(msg, sizeof msg, "cannot write the journal file");
    if (rc == 0 && refused) {
        if (rec.f)
            fclose(rec.f);
        if (w.journal_out)
            fclose(w.journal_out);
        w.journal_out = NULL;
        config_refused(res, refused, type);
    } else if (rc == 0) {
        struct kdo_sim_result r;
        s->sim.transport = kdo_endpoint_transport(end);
        w.rec = &rec;
        if (rec.f || has_output(s) || tl) {
            s->sim.on_send = kdo__runner_sent_to;
            s->sim.on_send_ctx = &w;
        }
        s->sim.on_journal = kdo__runner_lane_journal;
        s->sim.on_journal_ctx = &w;
        struct live_run lr;
        live_begin(&lr, o, file, s, &w);
        rc = s->sim.transport && kdo_transport_is_real(s->sim.transport)
                 ? kdo_sim_run_real(&s->sim, &r)
                 : kdo_sim_run(&s->sim, &r);
        if (o->live)
            kdo_live_done(o->live, lr.name);
        for (size_t i = 0; tl && rc == 0 && i < r.nlanes; i++)
            kdo_timeline_metrics(tl, i, r.lanes[i].metrics);
        kdo__runner_watch_finish(&w, &r);
        judge(res, &w, rc, &r, kdo_endpoint_unreachable(end));
        if (w.err) { /* the checks or the journal could not be set up: not the engine's fault */
            res->verdict = KDO_VERDICT_BAD_INPUT;
            free(res->message);
            res->message = kdo_xstrdup(w.why);
        }
        if (rc == 0)
            note_error_rows(res, &w, &r);
        if (o->verbose && rc == 0)
            append_facts(res, &w, &r);
        /* An output that could not be written fails the run whatever its
         * checks said: a report that silently lacks what was asked is worse. */
        int out_err = rec.f && kdo__runner_close_output(rec.f, rec.err, o->records) != 0;
        rec.f = NULL;
        out_err |= kdo__runner_finish_journal(o, &w, &r) != 0;
        out_err |= r.journal && kdo__runner_write_outputs(o, file, several, &r) != 0;
        if (out_err)
            res->verdict = KDO_VERDICT_BAD_INPUT;
        kdo_sim_result_cleanup(&r);
    } else {
        if (rec.f)
            fclose(rec.f);
        if (w.journal_out)
            fclose(w.journal_out);
        w.journal_out = NULL;
        res->verdict = KDO_VERDICT_BAD_INPUT;
        if (unreachable_end)
            snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " (cannot reach the Lambda end)");
        res->message = kdo_xstrdup(msg);
    }
    if (res->notes && !*res->notes) {
        free(res->notes);
        res->notes = NULL;
    }
    kdo__runner_watch_cleanup(&w);
    kdo_endpoint_close(end);
    kdo_scenario_free(s);
    res->wall_s = wall_seconds() - t0;
}

/* --report: a page per scenario, in a folder (with an index) for several
 * or for a PATH ending in '/'. */
static int report_folder(const struct kdo_runner_options *o, int several)
{
    size_t len = o->report ? strlen(o->report) : 0;
    return several || (len > 0 && o->report[len - 1] == '/');
}

static void write_page(const struct kdo_runner_options *o, const char *file, int several,
                       struct kdo_scenario_result *res, const struct kdo_timeline *tl)
{
    FILE *f = kdo__runner_open_output(o->report, file, report_folder(o, several), "html");
    if (f == NULL || kdo__runner_close_output(f, kdo_report_html(f, res, tl) != 0, o->report) != 0)
        res->verdict = KDO_VERDICT_BAD_INPUT; /* a report that silently lacks a page is worse */
}

static void run_one(const char *file, const struct kdo_runner_options *o, int several,
                    struct kdo_scenario_result *res)
{
    struct kdo_timeline *tl = o->report ? kdo_timeline_new() : NULL;
    double t0 = wall_seconds();
    run_scenario(file, o, several, res, tl);
    res->wall_s = wall_seconds() - t0;
    if (o->report)
        write_page(o, file, several, res, tl);
    kdo_timeline_free(tl);
}

/* The index beside the pages: NAME.html for each scenario file. */
static int write_index(const struct kdo_runner_options *o, const struct kdo_suite *suite,
                       const struct kdo_scenario_result *r)
{
    if (o->report == NULL || !report_folder(o, suite->n > 1))
        return 0;
    char **pages = kdo_xcalloc(suite->n + 1, sizeof *pages), path[4096];
    for (size_t i = 0; i < suite->n; i++) {
        kdo__runner_output_path("", suite->files[i], 1, "html", path, sizeof path);
        pages[i] = kdo_xstrdup(path + 1); /* past the '/' of the empty folder */
    }
    size_t len = strlen(o->report);
    snprintf(path, sizeof path, "%s%sindex.html", o->report, o->report[len - 1] == '/' ? "" : "/");
    FILE *f = fopen(path, "w");
    int err = f == NULL ? KDO_EIO : kdo_report_html_index(f, r, suite->n,
                                                         (const char *const *)pages);
    if (f == NULL)
        fprintf(stderr, "kdaout: cannot write %s: %s\n", path, strerror(errno));
    else
        err = kdo__runner_close_output(f, err, o->report);
    for (size_t i = 0; i < suite->n; i++)
        free(pages[i]);
    free(pages);
    return err;
}

/* ---- many scenarios, in parallel ---------------------------------------------------- */

struct pool {
    const struct kdo_suite *suite;
    const struct kdo_runner_options *o;
    struct kdo_scenario_result *res;
    int *done;
    size_t next;
    pthread_mutex_t lock;
    pthread_cond_t finished;
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->suite->n)
            return NULL;
        run_one(p->suite->files[i], p->o, p->suite->n > 1, &p->res[i]);
        pthread_mutex_lock(&p->lock);
        p->done[i] = 1;
        pthread_cond_broadcast(&p->finished);
        pthread_mutex_unlock(&p->lock);
    }
}

/* Runs every scenario, printing each result in order as it becomes known. */
static void run_all(struct pool *p)
{
    unsigned jobs = p->o->jobs ? p->o->jobs : 1;
    pthread_t threads[KDO_RUNNER_MAX_JOBS];
    jobs = jobs > KDO_RUNNER_MAX_JOBS ? KDO_RUNNER_MAX_JOBS : jobs;
    unsigned started = 0;
    for (unsigned t = 0; t < jobs; t++)
        started += pthread_create(&threads[started], NULL, worker, p) == 0;
    if (started == 0) /* no thread to be had: this one does the work, then prints */
        worker(p);
    for (size_t i = 0; i < p->suite->n; i++) {
        pthread_mutex_lock(&p->lock);
        while (!p->done[i])
            pthread_cond_wait(&p->finished, &p->lock);
        pthread_mutex_unlock(&p->lock);
        kdo_report_terminal_one(p->o->out, &p->res[i], p->o->colour, p->o->verbose);
        fflush(p->o->out);
    }
    for (unsigned t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
}

static int write_report(const char *path, int (*fn)(FILE *, const struct kdo_scenario_result *, size_t),
                        const struct kdo_scenario_result *r, size_t n)
{
    if (path == NULL)
        return 0;
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "kdaout: cannot write %s: %s\n", path, strerror(errno));
        return KDO_EIO;
    }
    int err = fn(f, r, n);
    if (fclose(f) != 0 || err) {
        fprintf(stderr, "kdaout: error writing %s\n", path);
        return KDO_EIO;
    }
    return 0;
}

static int exit_status(const struct kdo_scenario_result *r, size_t n)
{
    int failed = 0, bad = 0, undecided = 0;
    for (size_t i = 0; i < n; i++) {
        failed |= r[i].verdict == KDO_VERDICT_FAILED;
        bad |= r[i].verdict == KDO_VERDICT_BAD_INPUT;
        undecided |= r[i].verdict == KDO_VERDICT_UNDECIDED;
    }
    return bad ? 2 : failed ? 1 : undecided ? 3 : 0;
}

static int report_files(const struct kdo_runner_options *o, const struct kdo_scenario_result *r,
                        size_t n)
{
    int err = write_report(o->junit, kdo_report_junit, r, n);
    err |= write_report(o->json, kdo_report_json, r, n);
    err |= write_report(o->tap, kdo_report_tap, r, n);
    err |= write_report(o->markdown, kdo_report_markdown, r, n);
    return err;
}

int kdo_runner_run(char **paths, int npaths, const struct kdo_runner_options *o)
{
    struct kdo_suite suite = {0};
    int bad = kdo_suite_collect(paths, npaths, &o->suite, &suite, o->out) != 0;
    if (!bad && suite.n == 0) {
        fprintf(o->out, "kdaout: no scenario files (*.yaml, *.yml)%s\n",
                o->suite.filter || o->suite.shards ? " left after --filter/--shard" : " found");
        bad = o->suite.filter == NULL && o->suite.shards == 0;
    }
    if (!bad && (o->journal || o->metrics || o->records || o->report) && suite.n > 1 &&
        !kdo__runner_distinct_outputs(&suite, o->out))
        bad = 1;
    for (size_t i = 0; !bad && o->report && report_folder(o, suite.n > 1) && i < suite.n; i++) {
        char page[4096];
        kdo__runner_output_path("", suite.files[i], 1, "html", page, sizeof page);
        if (strcmp(page, "/index.html") == 0) { /* its page and the index: one file */
            fprintf(o->out, "ERROR %s would write its page over the suite's index.html in %s; "
                            "rename it\n", suite.files[i], o->report);
            bad = 1;
        }
    }
    if (bad) {
        kdo_suite_cleanup(&suite);
        return 2;
    }
    struct pool p = {.suite = &suite, .o = o};
    p.res = kdo_xcalloc(suite.n ? suite.n : 1, sizeof *p.res);
    p.done = kdo_xcalloc(suite.n ? suite.n : 1, sizeof *p.done);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.finished, NULL);
    run_all(&p);
    kdo_report_terminal_summary(o->out, p.res, suite.n, o->colour);
    int rc = exit_status(p.res, suite.n);
    if (report_files(o, p.res, suite.n) != 0 || write_index(o, &suite, p.res) != 0)
        rc = 2;
    for (size_t i = 0; i < suite.n; i++)
        kdo_scenario_result_cleanup(&p.res[i]);
    free(p.res);
    free(p.done);
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.finished);
    kdo_suite_cleanup(&suite);
    return rc;
}

int kdo_runner_validate(char **paths, int npaths, FILE *out)
{
    struct kdo_suite suite = {0};
    struct kdo_suite_options all = {0};
    int bad = kdo_suite_collect(paths, npaths, &all, &suite, out) != 0;
    for (size_t i = 0; i < suite.n; i++) {
        struct kdo_errinfo err = {0};
        struct kdo_scenario *s;
        char msg[700];
        if (kdo_scenario_load(suite.files[i], &s, &err) != 0) {
            kdo_errinfo_format(&err, msg, sizeof msg);
            fprintf(out, "%s\n", msg);
            bad = 1;
            continue;
        }
        fprintf(out, "%s: ok\n", suite.files[i]);
        kdo_scenario_free(s);
    }
    if (suite.n == 0 && !bad) {
        fprintf(out, "kdaout: no scenario files (*.yaml, *.yml) found\n");
        bad = 1;
    }
    kdo_suite_cleanup(&suite);
    return bad ? 2 : 0;
}
