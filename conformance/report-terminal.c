/*
 * report-terminal.c -- the terminal report: one line per scenario, the
 * failed checks with their evidence and replay command, and the closing
 * counts.
 *
 * Colour only when the caller asks (a TTY, no NO_COLOR); journal lines are cut
 * at a character boundary after EVIDENCE_TERMINAL_MAX bytes so one huge event
 * cannot flood the screen.  The first closing line stays "kdaout: N passed,
 * N failed" alone, for CI tools that parse it.  A part of report
 * (report-int.h).
 */
#include "report-int.h"

#include "base/errors.h"

#include <string.h>

#define EVIDENCE_TERMINAL_MAX 400 /* bytes of a journal line on a terminal */

#define ANSI_GREEN "\033[32m"
#define ANSI_RED "\033[31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_DIM "\033[2m"
#define ANSI_RESET "\033[0m"

static const char *verdict_colour(enum kdo_verdict v)
{
    switch (v) {
    case KDO_VERDICT_PASSED: return ANSI_GREEN;
    case KDO_VERDICT_UNDECIDED: return ANSI_YELLOW;
    default: return ANSI_RED;
    }
}

/* "PASS  ", "FAIL  ", "ERROR ", "UNDECIDED ": padded outside the colour. */
static void term_verdict(FILE *out, enum kdo_verdict v, int colour)
{
    const char *name = kdo_verdict_name(v);
    fprintf(out, "%s%s%s%*s ", colour ? verdict_colour(v) : "", name, colour ? ANSI_RESET : "",
            (int)(5 - (strlen(name) < 5 ? strlen(name) : 5)), "");
}

/* After an ERROR: the message, prefixed by the file unless it names it. */
static void term_error(FILE *out, const struct kdo_scenario_result *r)
{
    const char *f = kdo__report_str(r->file);
    if (r->message && f[0] && strncmp(r->message, f, strlen(f)) == 0) {
        kdo__report_put(out, r->message, KDO__ESC_LINE);
    } else {
        kdo__report_put(out, f, KDO__ESC_LINE);
        if (r->name && r->name[0])
            fputs("  ", out), kdo__report_put(out, r->name, KDO__ESC_LINE);
        if (r->message)
            fputs(": ", out), kdo__report_put(out, r->message, KDO__ESC_LINE);
    }
    fputc('\n', out);
}

static void term_head(FILE *out, const struct kdo_scenario_result *r, int colour)
{
    char a[64], b[64];
    term_verdict(out, r->verdict, colour);
    if (r->verdict == KDO_VERDICT_BAD_INPUT) {
        term_error(out, r);
        return;
    }
    kdo__report_put(out, kdo__report_str(r->file), KDO__ESC_LINE);
    fputs("  ", out);
    kdo__report_put(out, kdo__report_str(r->name), KDO__ESC_LINE);
    if (r->message) {
        fputs(": ", out);
        kdo__report_put(out, r->message, KDO__ESC_LINE);
        fprintf(out, " (seed %llu)\n", (unsigned long long)r->seed);
    } else if (r->realtime) {
        kdo__report_fmt_num(a, sizeof a, 1, 1, r->wall_s);
        fprintf(out, " (seed %llu, %s s real time over HTTP)\n", (unsigned long long)r->seed, a);
    } else {
        kdo__report_fmt_num(a, sizeof a, 1, 0, r->virtual_s);
        kdo__report_fmt_seconds(b, sizeof b, r->wall_s);
        fprintf(out, " (seed %llu, %s s virtual in %s s)\n", (unsigned long long)r->seed, a, b);
    }
}

/* Notes arrive as lines, with or without the "note: " the runner used to add;
 * lines the runner indented itself (the -v facts table) keep their layout. */
static void term_note(FILE *out, const char *line, size_t len, void *arg)
{
    size_t skip = strspn(line, " \t");
    (void)arg;
    if (skip >= len)
        return;
    if (skip >= 4) {
        kdo__report_put_span(out, line, len, KDO__ESC_LINE);
        fputc('\n', out);
        return;
    }
    fputs(len - skip >= 6 && strncmp(line + skip, "note: ", 6) == 0 ? "    " : "    note: ", out);
    kdo__report_put_span(out, line + skip, len - skip, KDO__ESC_LINE);
    fputc('\n', out);
}

/* "      journal: {...}", cut at a character boundary after 400 bytes;
 * evidence that is not a journal entry (a row diff) is shown unlabelled. */
static void term_evidence(FILE *out, const char *line, size_t len, void *arg)
{
    const int *colour = arg;
    size_t cut = len;
    if (len > EVIDENCE_TERMINAL_MAX) {
        cut = EVIDENCE_TERMINAL_MAX;
        while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
            cut--;
    }
    fprintf(out, "%s      %s", *colour ? ANSI_DIM : "", len > 0 && line[0] == '{' ? "journal: " : "");
    kdo__report_put_span(out, line, cut, KDO__ESC_LINE);
    fprintf(out, "%s%s\n", cut < len ? " ..." : "", *colour ? ANSI_RESET : "");
}

static void term_check(FILE *out, const struct kdo_scenario_result *r,
                       const struct kdo_check_result *c, int colour)
{
    if (c->passed)
        fputs("    passed ", out);
    else
        fprintf(out, "    %sFAILED%s ", colour ? ANSI_RED : "", colour ? ANSI_RESET : "");
    kdo__report_put_check_text(out, r, c, KDO__ESC_LINE);
    fputc('\n', out);
    if (!c->passed)
        kdo__report_each_line(c->evidence, term_evidence, out, &colour);
}

int kdo_report_terminal_one(FILE *out, const struct kdo_scenario_result *r, int colour,
                            int verbose)
{
    char replay[4200];
    term_head(out, r, colour);
    kdo__report_each_line(r->notes, term_note, out, NULL);
    if (verbose && r->guide)
        fputs("    guide: ", out), kdo__report_put(out, r->guide, KDO__ESC_LINE), fputc('\n', out);
    for (size_t i = 0; i < r->nchecks; i++)
        if (verbose || !r->checks[i].passed)
            term_check(out, r, &r->checks[i], colour);
    if (r->verdict == KDO_VERDICT_FAILED || r->verdict == KDO_VERDICT_UNDECIDED) {
        kdo_report_replay(r, replay, sizeof replay);
        fputs("    replay: ", out);
        kdo__report_put(out, replay, KDO__ESC_LINE);
        fputc('\n', out);
    }
    return kdo__report_finish(out);
}

static void term_count(FILE *out, size_t n, const char *word, const char *col, int colour)
{
    int on = colour && n > 0;
    fprintf(out, "%s%zu %s%s", on ? col : "", n, word, on ? ANSI_RESET : "");
}

int kdo_report_terminal_summary(FILE *out, const struct kdo_scenario_result *r, size_t n,
                                int colour)
{
    struct kdo__report_counts c = kdo__report_count(r, n);
    fputs("kdaout: ", out);
    term_count(out, c.passed, "passed", ANSI_GREEN, colour);
    fputs(", ", out);
    term_count(out, c.failed, "failed", ANSI_RED, colour);
    fputc('\n', out);
    /* A second line, so "N passed, N failed" stays alone for CI tooling. */
    if (c.errors || c.undecided) {
        fputs("kdaout: ", out);
        term_count(out, c.errors, "errors", ANSI_RED, colour);
        fputs(", ", out);
        term_count(out, c.undecided, "undecided", ANSI_YELLOW, colour);
        fputc('\n', out);
    }
    return kdo__report_finish(out);
}

int kdo_report_terminal(FILE *out, const struct kdo_scenario_result *r, size_t n, int colour,
                        int verbose)
{
    int err = 0;
    for (size_t i = 0; i < n; i++)
        err |= kdo_report_terminal_one(out, &r[i], colour, verbose);
    err |= kdo_report_terminal_summary(out, r, n, colour);
    return err ? KDO_EIO : 0;
}
