/*
 * report-junit.c -- the JUnit XML report.
 *
 * One <testsuite name="kdaout"> with a <testcase> per scenario: <failure> for
 * FAILED, <error> for bad input, <skipped> for UNDECIDED, and <system-out>
 * with the seed and the replay command.  No timestamp, so equal results give
 * byte-identical files; the totals' time is the sum of what each case shows.
 * Text is XML-escaped and stripped of what XML 1.0 cannot hold.  A part of
 * report (report-int.h).
 */
#include "report-int.h"

#include <string.h>

static void xml_attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    kdo__report_put(out, value, KDO__ESC_XML_ATTR);
    fputc('"', out);
}

static void xml_evidence(FILE *out, const char *line, size_t len, void *arg)
{
    (void)arg;
    /* a journal entry is labelled; other evidence (a row diff) speaks for itself */
    fputs(len > 0 && line[0] == '{' ? "  journal: " : "  ", out);
    kdo__report_put_span(out, line, len, KDO__ESC_XML);
    fputc('\n', out);
}

/* The text of a <failure> or <skipped>: every failed check with its
 * evidence, then the message, then the replay command. */
static void xml_checks_body(FILE *out, const struct kdo_scenario_result *r)
{
    char replay[4200];
    for (size_t i = 0; i < r->nchecks; i++) {
        if (r->checks[i].passed)
            continue;
        fputs("FAILED ", out);
        kdo__report_put_check_text(out, r, &r->checks[i], KDO__ESC_XML);
        fputc('\n', out);
        kdo__report_each_line(r->checks[i].evidence, xml_evidence, out, NULL);
    }
    if (r->message)
        kdo__report_put(out, r->message, KDO__ESC_XML), fputc('\n', out);
    kdo_report_replay(r, replay, sizeof replay);
    fputs("replay: ", out);
    kdo__report_put(out, replay, KDO__ESC_XML);
    fputc('\n', out);
}

static void xml_outcome(FILE *out, const struct kdo_scenario_result *r)
{
    char msg[1024];
    switch (r->verdict) {
    case KDO_VERDICT_PASSED:
        return;
    case KDO_VERDICT_FAILED:
        kdo__report_failure_message(r, msg, sizeof msg);
        fputs("      <failure", out);
        xml_attr(out, "message", msg);
        xml_attr(out, "type", kdo__report_failed_checks(r) > 0 ? "check" : "run");
        fputs(">", out);
        xml_checks_body(out, r);
        fputs("</failure>\n", out);
        return;
    case KDO_VERDICT_UNDECIDED:
        snprintf(msg, sizeof msg, "undecided: %s",
                 r->message ? r->message : "the endpoint was unreachable");
        fputs("      <skipped", out);
        xml_attr(out, "message", msg);
        fputs(">", out);
        xml_checks_body(out, r);
        fputs("</skipped>\n", out);
        return;
    default:
        fputs("      <error", out);
        xml_attr(out, "message", r->message ? r->message : "bad input");
        xml_attr(out, "type", "input");
        fputs(">", out);
        kdo__report_put(out, r->message, KDO__ESC_XML);
        fputs("</error>\n", out);
        return;
    }
}

static void xml_note(FILE *out, const char *line, size_t len, void *arg)
{
    size_t skip = strspn(line, " \t");
    (void)arg;
    kdo__report_put_span(out, line + skip, len - skip, KDO__ESC_XML);
    fputc('\n', out);
}

static void xml_system_out(FILE *out, const struct kdo_scenario_result *r)
{
    char replay[4200];
    if (r->verdict == KDO_VERDICT_BAD_INPUT)
        return;
    kdo_report_replay(r, replay, sizeof replay);
    fprintf(out, "      <system-out>seed: %llu\nreplay: ", (unsigned long long)r->seed);
    kdo__report_put(out, replay, KDO__ESC_XML);
    fputc('\n', out);
    if (r->guide)
        fputs("guide: ", out), kdo__report_put(out, r->guide, KDO__ESC_XML), fputc('\n', out);
    kdo__report_each_line(r->notes, xml_note, out, NULL);
    fputs("</system-out>\n", out);
}

static void xml_testcase(FILE *out, const struct kdo_scenario_result *r)
{
    char t[32];
    kdo__report_fmt_seconds(t, sizeof t, r->wall_s);
    fputs("    <testcase", out);
    xml_attr(out, "classname", "kdaout.scenarios");
    xml_attr(out, "name", kdo__report_title(r));
    xml_attr(out, "file", kdo__report_str(r->file));
    xml_attr(out, "time", t);
    fputs(">\n", out);
    xml_outcome(out, r);
    xml_system_out(out, r);
    fputs("    </testcase>\n", out);
}

/* name="kdaout" tests= failures= errors= skipped= time= */
static void xml_totals(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    struct kdo__report_counts c = kdo__report_count(r, n);
    long long ms = 0;
    for (size_t i = 0; i < n; i++)
        ms += kdo__report_millis(r[i].wall_s); /* the sum of what each case shows */
    fprintf(out,
            " name=\"kdaout\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\""
            " time=\"%lld.%03lld\"",
            n, c.failed, c.errors, c.undecided, ms / 1000, ms % 1000);
}

int kdo_report_junit(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
    xml_totals(out, r, n);
    fputs(">\n  <testsuite", out);
    xml_totals(out, r, n);
    fputs(">\n", out);
    for (size_t i = 0; i < n; i++)
        xml_testcase(out, &r[i]);
    fputs("  </testsuite>\n</testsuites>\n", out);
    return kdo__report_finish(out);
}
