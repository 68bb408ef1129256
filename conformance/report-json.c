/*
 * report-json.c -- the JSON report.
 *
 * {"kdaout":VERSION,"total":N,...,"scenarios":[...]}: every field of every
 * result and check, one scenario per line; unknown numbers are null.  A part
 * of report (report-int.h).
 */
#include "report-int.h"

#include <stdio.h>

/* Keep in step with project() in meson.build and VERSION in main.c. */
#define KDO_REPORT_VERSION "0.1.0"

static void json_str(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    kdo__report_put(out, s, KDO__ESC_JSON);
    fputc('"', out);
}

static void json_num(FILE *out, double v)
{
    char buf[64];
    kdo__report_fmt_json_num(buf, sizeof buf, v);
    fputs(buf, out);
}

/* `lead` (the punctuation and the key, e.g. ",\"name\":") then the string. */
static void json_field(FILE *out, const char *lead, const char *s)
{
    fputs(lead, out);
    json_str(out, s);
}

static void json_check(FILE *out, const struct kdo_check_result *c)
{
    json_field(out, "{\"fact\":", c->fact);
    json_field(out, ",\"expected\":", c->expected);
    fputs(",\"value\":", out);
    json_num(out, c->value);
    fprintf(out, ",\"passed\":%s,\"line\":%d,\"column\":%d,\"evidence\":",
            c->passed ? "true" : "false", c->line, c->column);
    json_str(out, c->evidence);
    fputc('}', out);
}

static void json_scenario(FILE *out, const struct kdo_scenario_result *r)
{
    char replay[4200];
    kdo_report_replay(r, replay, sizeof replay);
    json_field(out, "{\"file\":", r->file);
    json_field(out, ",\"name\":", r->name);
    json_field(out, ",\"guide\":", r->guide);
    fprintf(out, ",\"verdict\":\"%s\",\"message\":", kdo_verdict_name(r->verdict));
    json_str(out, r->message);
    fprintf(out, ",\"seed\":%llu,\"realtime\":%s,\"virtual_s\":", (unsigned long long)r->seed,
            r->realtime ? "true" : "false");
    json_num(out, r->virtual_s);
    fputs(",\"wall_s\":", out);
    json_num(out, r->wall_s);
    json_field(out, ",\"notes\":", r->notes);
    json_field(out, ",\"replay\":", replay);
    fputs(",\"checks\":[", out);
    for (size_t i = 0; i < r->nchecks; i++) {
        fputs(i ? "," : "", out);
        json_check(out, &r->checks[i]);
    }
    fputs("]}", out);
}

int kdo_report_json(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    struct kdo__report_counts c = kdo__report_count(r, n);
    fprintf(out,
            "{\"kdaout\":\"%s\",\"total\":%zu,\"passed\":%zu,\"failed\":%zu,\"errors\":%zu,"
            "\"undecided\":%zu,\"scenarios\":[",
            KDO_REPORT_VERSION, n, c.passed, c.failed, c.errors, c.undecided);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n" : "\n", out);
        json_scenario(out, &r[i]);
    }
    fputs("\n]}\n", out);
    return kdo__report_finish(out);
}
