/*
 * report-markdown.c -- the Markdown summary (GitHub-flavoured, for a
 * CI job page such as $GITHUB_STEP_SUMMARY).
 *
 * A heading with the counts, a table of every scenario, then a section per
 * scenario that did not pass with its failed checks, their evidence in fences
 * longer than any backtick run inside, and the replay command.  Table and
 * prose text is backslash-escaped.  A part of report (report-int.h).
 */
#include "report-int.h"

#include <string.h>

/* A fence longer than any run of backticks inside the text. */
static size_t fence_len(const char *s)
{
    size_t run = 0, longest = 0;
    for (; s && *s; s++)
        run = *s == '`' ? run + 1 : 0, longest = run > longest ? run : longest;
    return longest < 3 ? 3 : longest + 1;
}

static void md_fenced(FILE *out, const char *info, const char *text)
{
    size_t n = fence_len(text);
    for (size_t i = 0; i < n; i++)
        fputc('`', out);
    fprintf(out, "%s\n", info);
    kdo__report_put(out, text, KDO__ESC_PLAIN);
    if (text[0] && text[strlen(text) - 1] != '\n')
        fputc('\n', out);
    for (size_t i = 0; i < n; i++)
        fputc('`', out);
    fputs("\n\n", out);
}

static void md_row(FILE *out, const struct kdo_scenario_result *r)
{
    char a[64], b[64];
    fprintf(out, "| %s | ", kdo_verdict_name(r->verdict));
    kdo__report_put(out, kdo__report_title(r), KDO__ESC_MD);
    if (r->name && r->name[0] && r->file)
        fputs(" (", out), kdo__report_put(out, r->file, KDO__ESC_MD), fputc(')', out);
    kdo__report_fmt_seconds(b, sizeof b, r->wall_s);
    if (r->verdict == KDO_VERDICT_BAD_INPUT) {
        fputs(" |  |  |\n", out);
        return;
    }
    kdo__report_fmt_num(a, sizeof a, 1, 0, r->virtual_s);
    if (r->realtime)
        fprintf(out, " | %llu | %s s real time |\n", (unsigned long long)r->seed, b);
    else
        fprintf(out, " | %llu | %s s virtual in %s s |\n", (unsigned long long)r->seed, a, b);
}

static void md_section(FILE *out, const struct kdo_scenario_result *r)
{
    char replay[4200];
    fprintf(out, "### %s: ", kdo_verdict_name(r->verdict));
    kdo__report_put(out, kdo__report_title(r), KDO__ESC_MD);
    fputs("\n\n", out);
    if (r->file)
        fputs("File: ", out), kdo__report_put(out, r->file, KDO__ESC_MD), fputs("\n\n", out);
    if (r->message)
        kdo__report_put(out, r->message, KDO__ESC_MD), fputs("\n\n", out);
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct kdo_check_result *c = &r->checks[i];
        if (c->passed)
            continue;
        fputs("- **FAILED** ", out);
        kdo__report_put_check_text(out, r, c, KDO__ESC_MD);
        fputs("\n\n", out);
        if (c->evidence && c->evidence[0])
            md_fenced(out, c->evidence[0] == '{' ? "json" : "text", c->evidence); /* a row diff */
    }
    if (r->verdict == KDO_VERDICT_BAD_INPUT)
        return;
    kdo_report_replay(r, replay, sizeof replay);
    fputs("Replay:\n\n", out);
    md_fenced(out, "sh", replay);
}

int kdo_report_markdown(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    struct kdo__report_counts c = kdo__report_count(r, n);
    fprintf(out, "## kdaout: %zu passed, %zu failed", c.passed, c.failed);
    if (c.errors || c.undecided)
        fprintf(out, ", %zu errors, %zu undecided", c.errors, c.undecided);
    fputs("\n\n| Verdict | Scenario | Seed | Time |\n|---|---|---|---|\n", out);
    for (size_t i = 0; i < n; i++)
        md_row(out, &r[i]);
    fputc('\n', out);
    for (size_t i = 0; i < n; i++)
        if (r[i].verdict != KDO_VERDICT_PASSED)
            md_section(out, &r[i]);
    return kdo__report_finish(out);
}
