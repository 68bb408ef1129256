/*
 * report.c -- telling what a run of scenarios found: terminal, TAP 13,
 * JUnit XML, JSON and Markdown.  This part holds the results' basics (cleanup,
 * verdict names, the replay command) and the facts every format tells; the
 * characters and numbers are report-escape.c's, each format has its part
 * (report-terminal.c, report-tap.c, report-junit.c, report-json.c,
 * report-markdown.c), and report-int.h is what they share.
 *
 * Every reporter is a pure function of the results it is handed: it only
 * writes to the FILE given, never reads a clock, the environment or the
 * locale's idea of a decimal point, so equal results give byte-identical
 * reports (which is also why the JUnit <testsuite> has no timestamp).  Text
 * from scenarios and journals is untrusted: every string goes through one
 * UTF-8 walker (invalid sequences become U+FFFD) and then through the escaper
 * of its format, so a scenario name or a journal line can never make a report
 * malformed nor send escape sequences to a terminal.  This module does not
 * judge anything: verdicts and checks arrive decided.
 */
#include "report-int.h"

#include "base/errors.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared --------------------------------------------------------------- */

struct kdo__report_counts kdo__report_count(const struct kdo_scenario_result *r, size_t n)
{
    struct kdo__report_counts c = {0};
    for (size_t i = 0; i < n; i++)
        switch (r[i].verdict) {
        case KDO_VERDICT_PASSED: c.passed++; break;
        case KDO_VERDICT_FAILED: c.failed++; break;
        case KDO_VERDICT_UNDECIDED: c.undecided++; break;
        default: c.errors++; break;
        }
    return c;
}

size_t kdo__report_failed_checks(const struct kdo_scenario_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nchecks; i++)
        n += !r->checks[i].passed;
    return n;
}

const char *kdo__report_str(const char *s)
{
    return s ? s : "";
}

const char *kdo__report_title(const struct kdo_scenario_result *r)
{
    return r->name && r->name[0] ? r->name : kdo__report_str(r->file);
}

/* "2 checks failed", or the message, or a generic reason. */
void kdo__report_failure_message(const struct kdo_scenario_result *r, char *buf, size_t size)
{
    size_t nf = kdo__report_failed_checks(r);
    if (nf > 0)
        snprintf(buf, size, "%zu check%s failed", nf, nf == 1 ? "" : "s");
    else
        snprintf(buf, size, "%s", r->message ? r->message : "the run failed");
}

/* "file:line:col", or that it is a default check. */
void kdo__report_check_where(const struct kdo_scenario_result *r,
                             const struct kdo_check_result *c, char *buf, size_t size)
{
    if (c->line > 0)
        snprintf(buf, size, "%s:%d:%d", kdo__report_str(r->file), c->line, c->column);
    else
        snprintf(buf, size, "checked in every scenario");
}

/* One check as the terminal and the text bodies show it, without the
 * leading word: "lost = 3, expected = 0 (file:4:3)". */
void kdo__report_put_check_text(FILE *out, const struct kdo_scenario_result *r,
                                const struct kdo_check_result *c, enum kdo__esc mode)
{
    char v[64], where[512];
    kdo__report_fmt_num(v, sizeof v, 0, 15, c->value);
    kdo__report_check_where(r, c, where, sizeof where);
    kdo__report_put(out, c->fact, mode);
    fprintf(out, " = %s, expected ", v);
    kdo__report_put(out, c->expected, mode);
    fputs(" (", out);
    kdo__report_put(out, where, mode);
    fputc(')', out);
}

/* Calls fn for each non-empty line of text. */
void kdo__report_each_line(const char *text,
                           void (*fn)(FILE *, const char *, size_t, void *), FILE *out,
                           void *arg)
{
    for (const char *p = text; p != NULL && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0 && !(len == 1 && p[0] == '\r'))
            fn(out, p, len, arg);
        p = nl ? nl + 1 : p + len;
    }
}

int kdo__report_finish(FILE *out)
{
    return fflush(out) == EOF || ferror(out) ? KDO_EIO : 0;
}

/* ---- public basics -------------------------------------------------------- */

void kdo_scenario_result_cleanup(struct kdo_scenario_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; r->checks != NULL && i < r->nchecks; i++) {
        free(r->checks[i].fact);
        free(r->checks[i].expected);
        free(r->checks[i].evidence);
    }
    free(r->checks);
    free(r->file);
    free(r->name);
    free(r->guide);
    free(r->message);
    free(r->notes);
    free(r->replay);
    *r = (struct kdo_scenario_result){0};
}

const char *kdo_verdict_name(enum kdo_verdict v)
{
    switch (v) {
    case KDO_VERDICT_PASSED: return "PASS";
    case KDO_VERDICT_FAILED: return "FAIL";
    case KDO_VERDICT_BAD_INPUT: return "ERROR";
    case KDO_VERDICT_UNDECIDED: return "UNDECIDED";
    }
    return "ERROR";
}

/* Appends c if there is room; out stays NUL-terminated. */
static void bounded_putc(char *out, size_t size, size_t *len, char c)
{
    if (*len + 1 < size) {
        out[(*len)++] = c;
        out[*len] = '\0';
    }
}

static void bounded_puts(char *out, size_t size, size_t *len, const char *s)
{
    while (*s)
        bounded_putc(out, size, len, *s++);
}

/* The file as a shell word: as is when it is plainly safe, else quoted. */
static void shell_word(char *out, size_t size, size_t *len, const char *s)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_./:@%+=,-";
    if (s[0] && strspn(s, safe) == strlen(s)) {
        bounded_puts(out, size, len, s);
        return;
    }
    bounded_putc(out, size, len, '\'');
    for (; *s; s++)
        if (*s == '\'')
            bounded_puts(out, size, len, "'\\''");
        else
            bounded_putc(out, size, len, *s);
    bounded_putc(out, size, len, '\'');
}

void kdo_report_replay(const struct kdo_scenario_result *r, char *out, size_t size)
{
    char seed[32];
    size_t len = 0;
    if (size == 0)
        return;
    out[0] = '\0';
    if (r->replay) { /* e.g. a conform probe's own command */
        bounded_puts(out, size, &len, r->replay);
        return;
    }
    snprintf(seed, sizeof seed, " --seed %llu", (unsigned long long)r->seed);
    bounded_puts(out, size, &len, "kdaout run ");
    shell_word(out, size, &len, kdo__report_str(r->file));
    bounded_puts(out, size, &len, seed);
}
