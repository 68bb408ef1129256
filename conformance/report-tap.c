/*
 * report-tap.c -- the TAP version 13 report.
 *
 * "ok N - NAME" / "not ok N - NAME", an UNDECIDED scenario as "ok ... # SKIP",
 * and under each that did not pass a YAML diagnostic block whose strings are
 * JSON strings (a JSON string is a YAML double-quoted scalar), so no
 * scenario text can break the YAML.  A part of report (report-int.h).
 */
#include "report-int.h"

#include <stdio.h>

static void yaml_str(FILE *out, const char *key, const char *s, int indent)
{
    fprintf(out, "%*s%s: \"", indent, "", key);
    kdo__report_put(out, s, KDO__ESC_JSON); /* a JSON string is a YAML double-quoted scalar */
    fputs("\"\n", out);
}

static void tap_evidence(FILE *out, const char *line, size_t len, void *arg)
{
    (void)arg;
    fputs("        - \"", out);
    kdo__report_put_span(out, line, len, KDO__ESC_JSON);
    fputs("\"\n", out);
}

static void tap_check(FILE *out, const struct kdo_scenario_result *r,
                      const struct kdo_check_result *c)
{
    char v[64], where[512];
    kdo__report_fmt_json_num(v, sizeof v, c->value);
    kdo__report_check_where(r, c, where, sizeof where);
    yaml_str(out, "- fact", c->fact, 4);
    fprintf(out, "      value: %s\n", v);
    yaml_str(out, "expected", c->expected, 6);
    yaml_str(out, "at", where, 6);
    if (c->evidence && c->evidence[0]) {
        fputs("      evidence:\n", out);
        kdo__report_each_line(c->evidence, tap_evidence, out, NULL);
    }
}

static void tap_diagnostics(FILE *out, const struct kdo_scenario_result *r)
{
    static const char *const severity[] = {"pass", "fail", "error", "skip"};
    char msg[1024], replay[4200];
    kdo__report_failure_message(r, msg, sizeof msg);
    kdo_report_replay(r, replay, sizeof replay);
    fputs("  ---\n", out);
    yaml_str(out, "message", r->verdict == KDO_VERDICT_FAILED ? msg : r->message, 2);
    fprintf(out, "  severity: %s\n",
            severity[r->verdict <= KDO_VERDICT_UNDECIDED ? r->verdict : 2]);
    yaml_str(out, "file", r->file, 2);
    if (r->verdict != KDO_VERDICT_BAD_INPUT) {
        fprintf(out, "  seed: %llu\n", (unsigned long long)r->seed);
        yaml_str(out, "replay", replay, 2);
    }
    if (kdo__report_failed_checks(r) > 0) {
        fputs("  failed:\n", out);
        for (size_t i = 0; i < r->nchecks; i++)
            if (!r->checks[i].passed)
                tap_check(out, r, &r->checks[i]);
    }
    fputs("  ...\n", out);
}

static void tap_one(FILE *out, const struct kdo_scenario_result *r, size_t i)
{
    int ok = r->verdict == KDO_VERDICT_PASSED || r->verdict == KDO_VERDICT_UNDECIDED;
    fprintf(out, "%s %zu - ", ok ? "ok" : "not ok", i);
    kdo__report_put(out, kdo__report_title(r), KDO__ESC_TAP);
    if (r->verdict == KDO_VERDICT_UNDECIDED) {
        fputs(" # SKIP undecided: ", out);
        kdo__report_put(out, r->message ? r->message : "the endpoint was unreachable",
                        KDO__ESC_TAP);
    }
    fputc('\n', out);
    if (r->verdict != KDO_VERDICT_PASSED)
        tap_diagnostics(out, r);
}

int kdo_report_tap(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    fprintf(out, "TAP version 13\n1..%zu\n", n);
    for (size_t i = 0; i < n; i++)
        tap_one(out, &r[i], i + 1);
    return kdo__report_finish(out);
}
