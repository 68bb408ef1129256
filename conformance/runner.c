/*
 * runner.c -- running scenarios and reporting on them.
 *
 * Reporting here is deliberately plain (a line per scenario, evidence for
 * failures, a closing "N passed, N failed" line); the scenario's seed is
 * always printed so any run can be replayed with --seed.
 */
#include "runner.h"

#include "buf.h"
#include "endpoint.h"
#include "errors.h"
#include "expect.h"
#include "scenario.h"
#include "sim.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

struct list {
    char **v;
    size_t n, cap;
};

static void list_add(struct list *l, const char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = kdo_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = kdo_xstrdup(s);
}

static void list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_yaml(const char *name)
{
    size_t n = strlen(name);
    return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
                              (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

/* Adds the scenario files under `path`; returns 0 or KDO_ENOENT. */
static int collect(const char *path, struct list *out, FILE *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(err, "%s: %s\n", path, strerror(errno));
        return KDO_ENOENT;
    }
    if (!S_ISDIR(st.st_mode)) {
        list_add(out, path);
        return 0;
    }
    DIR *d = opendir(path);
    if (d == NULL) {
        fprintf(err, "%s: %s\n", path, strerror(errno));
        return KDO_ENOENT;
    }
    struct list here = {0};
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (is_yaml(e->d_name)) {
            char full[4096];
            snprintf(full, sizeof full, "%s%s%s", path,
                     path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
            list_add(&here, full);
        }
    closedir(d);
    qsort(here.v, here.n, sizeof *here.v, cmp_str);
    for (size_t i = 0; i < here.n; i++)
        list_add(out, here.v[i]);
    list_free(&here);
    return 0;
}

static int collect_all(char **paths, int n, struct list *files, FILE *err)
{
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad |= collect(paths[i], files, err) != 0;
    if (files->n == 0 && !bad) {
        fprintf(err, "kdaout: no scenario files (*.yaml, *.yml) found\n");
        bad = 1;
    }
    return bad;
}

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

static void print_evidence(const struct kdo_journal *j, size_t at, FILE *out)
{
    struct kdo_buf b;
    if (at == SIZE_MAX)
        return;
    kdo_buf_init(&b, SIZE_MAX / 2);
    kdo_journal_format(j, at, &b);
    if (b.len > 400) {
        b.len = 400;
        b.data[400] = '\0';
        fprintf(out, "      journal: %s ...\n", b.data);
    } else {
        fprintf(out, "      journal: %s\n", b.data);
    }
    kdo_buf_cleanup(&b);
}

static void format_bound(const struct kdo_expectation *e, char *buf, size_t n)
{
    if (e->min == e->max)
        snprintf(buf, n, "= %.15g", e->min);
    else if (e->min <= -1e299)
        snprintf(buf, n, "<= %.15g", e->max);
    else if (e->max >= 1e299)
        snprintf(buf, n, ">= %.15g", e->min);
    else
        snprintf(buf, n, "in [%.15g, %.15g]", e->min, e->max);
}

/* Checks one expectation; prints it if it fails.  Returns 1 if it holds. */
static int check(const struct kdo_scenario *s, const struct kdo_facts *f,
                 const struct kdo_journal *j, const struct kdo_expectation *e, FILE *out)
{
    double v = 0;
    size_t witness;
    char want[96];
    if (kdo_facts_get(f, e->fact, &v, &witness) != 0)
        v = NAN;
    if (v >= e->min && v <= e->max)
        return 1;
    format_bound(e, want, sizeof want);
    if (e->line > 0)
        fprintf(out, "    FAILED %s = %.15g, expected %s (%s:%d:%d)\n", e->fact, v, want, s->file,
                e->line, e->column);
    else
        fprintf(out, "    FAILED %s = %.15g, expected %s (checked in every scenario)\n", e->fact, v,
                want);
    print_evidence(j, witness, out);
    return 0;
}

static int overridden(const struct kdo_scenario *s, const char *fact)
{
    for (size_t i = 0; i < s->nexpect; i++)
        if (strcmp(s->expect[i].fact, fact) == 0)
            return 1;
    return 0;
}

static int check_all(const struct kdo_scenario *s, const struct kdo_sim_result *r, int verbose,
                     FILE *out)
{
    struct kdo_facts *f = kdo_facts_new(r->journal, r->metrics);
    int ok = 1;
    if (verbose) {
        fprintf(out, "    facts:\n");
        kdo_facts_print(f, out);
    }
    for (size_t i = 0; i < kdo_default_expectations_count; i++)
        if (!overridden(s, kdo_default_expectations[i].fact))
            ok &= check(s, f, r->journal, &kdo_default_expectations[i], out);
    for (size_t i = 0; i < s->nexpect; i++)
        ok &= check(s, f, r->journal, &s->expect[i], out);
    kdo_facts_free(f);
    return ok;
}

/* PATH itself for one scenario; PATH/NAME.EXT for several. */
static void output_path(const char *path, const char *file, int several, const char *ext,
                        char *out, size_t n)
{
    if (!several) {
        snprintf(out, n, "%s", path);
        return;
    }
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    snprintf(out, n, "%s/%.*s.%s", path, (int)len, base, ext);
}

static FILE *open_output(const char *path, const char *file, int several, const char *ext)
{
    char full[4096];
    if (several && mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "kdaout: cannot create %s: %s\n", path, strerror(errno));
        return NULL;
    }
    output_path(path, file, several, ext, full, sizeof full);
    FILE *f = fopen(full, "w");
    if (f == NULL)
        fprintf(stderr, "kdaout: cannot write %s: %s\n", full, strerror(errno));
    return f;
}

static int close_output(FILE *f, int err, const char *path)
{
    if (fclose(f) != 0 || err) {
        fprintf(stderr, "kdaout: error writing under %s\n", path);
        return KDO_EIO;
    }
    return 0;
}

static int write_outputs(const struct kdo_runner_options *o, const char *file, int several,
                         const struct kdo_sim_result *r)
{
    int err = 0;
    FILE *f;
    if (o->journal) {
        if ((f = open_output(o->journal, file, several, "jsonl")) == NULL)
            return KDO_EIO;
        err = close_output(f, kdo_journal_write(r->journal, f), o->journal);
    }
    if (o->metrics && err == 0) {
        struct kdo_buf b;
        kdo_buf_init(&b, SIZE_MAX / 2);
        kdo_metrics_to_json(r->metrics, &b);
        if ((f = open_output(o->metrics, file, several, "metrics.json")) == NULL)
            err = KDO_EIO;
        else
            err = close_output(f, fwrite(b.data, 1, b.len, f) != b.len || fputc('\n', f) == EOF,
                               o->metrics);
        kdo_buf_cleanup(&b);
    }
    return err;
}

enum outcome { PASSED, FAILED, BAD_INPUT };

static enum outcome run_one(const char *file, const struct kdo_runner_options *o, int several)
{
    FILE *out = o->out;
    struct kdo_errinfo err = {0};
    struct kdo_scenario *s;
    char msg[700];
    if (kdo_scenario_load(file, &s, &err) != 0) {
        kdo_errinfo_format(&err, msg, sizeof msg);
        fprintf(out, "ERROR %s\n", msg);
        return BAD_INPUT;
    }
    s->sim.bugs = o->bugs;
    if (o->has_seed)
        s->sim.seed = o->seed;
    else if (!s->has_seed)
        s->sim.seed = random_seed();
    struct kdo_endpoint *end;
    char *notes = NULL;
    size_t notes_len = 0;
    FILE *nf = open_memstream(&notes, &notes_len);
    int open_rc = kdo_endpoint_open(s, nf, &end, msg, sizeof msg);
    fclose(nf);
    if (open_rc != 0) {
        fprintf(out, "ERROR %s  %s: cannot reach the Lambda end: %s\n", file, s->name, msg);
        kdo_endpoint_close(end);
        kdo_scenario_free(s);
        free(notes);
        return BAD_INPUT;
    }
    s->sim.transport = kdo_endpoint_transport(end);
    struct kdo_sim_result r;
    double t0 = wall_seconds();
    int rc = kdo_sim_run(&s->sim, &r);
    double wall = wall_seconds() - t0;
    kdo_endpoint_close(end);
    enum outcome result = PASSED;
    if (rc != 0) {
        result = rc == KDO_EROWSIZE ? BAD_INPUT : FAILED;
        fprintf(out, "%s %s  %s: the run stopped: %s (seed %llu)\n",
                result == BAD_INPUT ? "ERROR" : "FAIL ", file, s->name, kdo_strerror(rc),
                (unsigned long long)s->sim.seed);
    } else {
        struct kdo_buf report;
        kdo_buf_init(&report, SIZE_MAX / 2);
        FILE *mem = open_memstream(&report.data, &report.len);
        int ok = check_all(s, &r, o->verbose, mem);
        fclose(mem);
        if (r.realtime)
            fprintf(out, "%s  %s  %s (seed %llu, %.1f s real time over HTTP)\n",
                    ok ? "PASS" : "FAIL", file, s->name, (unsigned long long)s->sim.seed, wall);
        else
            fprintf(out, "%s  %s  %s (seed %llu, %.0f s virtual in %.3f s)\n",
                    ok ? "PASS" : "FAIL", file, s->name, (unsigned long long)s->sim.seed,
                    (double)r.end / 1e9, wall);
        fputs(notes, out);
        if (o->verbose && ok)
            fputs(report.data, out);
        if (!ok)
            fprintf(out, "%s    replay: kdaout run %s --seed %llu\n", report.data, file,
                    (unsigned long long)s->sim.seed);
        free(report.data);
        result = ok ? PASSED : FAILED;
    }
    if (r.journal && write_outputs(o, file, several, &r) != 0)
        result = BAD_INPUT;
    kdo_sim_result_cleanup(&r);
    kdo_scenario_free(s);
    free(notes);
    return result;
}

/* Several scenarios write NAME.jsonl side by side: two with one NAME would
 * overwrite each other, so that is refused up front. */
static int distinct_outputs(const struct list *files, FILE *out)
{
    char a[4096], b[4096];
    for (size_t i = 0; i < files->n; i++)
        for (size_t k = i + 1; k < files->n; k++) {
            output_path("", files->v[i], 1, "", a, sizeof a);
            output_path("", files->v[k], 1, "", b, sizeof b);
            if (strcmp(a, b) == 0) {
                fprintf(out, "ERROR %s and %s would both write %sjsonl; rename one\n",
                        files->v[i], files->v[k], a + 1);
                return 0;
            }
        }
    return 1;
}

int kdo_runner_run(char **paths, int npaths, const struct kdo_runner_options *o)
{
    struct list files = {0};
    int bad = collect_all(paths, npaths, &files, o->out);
    if (!bad && (o->journal || o->metrics) && files.n > 1 && !distinct_outputs(&files, o->out)) {
        list_free(&files);
        return 2;
    }
    int passed = 0, failed = 0;
    for (size_t i = 0; i < files.n; i++) {
        enum outcome r = run_one(files.v[i], o, files.n > 1);
        passed += r == PASSED;
        failed += r == FAILED;
        bad |= r == BAD_INPUT;
    }
    fprintf(o->out, "kdaout: %d passed, %d failed\n", passed, failed);
    list_free(&files);
    return bad ? 2 : failed ? 1 : 0;
}

int kdo_runner_validate(char **paths, int npaths, FILE *out)
{
    struct list files = {0};
    int bad = collect_all(paths, npaths, &files, out);
    for (size_t i = 0; i < files.n; i++) {
        struct kdo_errinfo err = {0};
        struct kdo_scenario *s;
        char msg[700];
        if (kdo_scenario_load(files.v[i], &s, &err) != 0) {
            kdo_errinfo_format(&err, msg, sizeof msg);
            fprintf(out, "%s\n", msg);
            bad = 1;
            continue;
        }
        fprintf(out, "%s: ok\n", files.v[i]);
        kdo_scenario_free(s);
    }
    list_free(&files);
    return bad ? 2 : 0;
}
