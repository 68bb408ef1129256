/*
 * report-int.h -- what the reporters of report.h share (report-*.c).
 *
 * One module in parts: report.c (the result basics and the facts every format
 * tells: counts, titles, a check as text), report-escape.c (the one UTF-8
 * walker and an escaper per format, numbers as the C locale writes them),
 * and one part per format: report-terminal.c, report-tap.c,
 * report-junit.c, report-json.c, report-markdown.c, and the HTML page in
 * report-html.c with its timeline drawing in report-svg.c.  Every function here
 * only writes to the FILE given or fills the buffer given; none reads a
 * clock, the environment or the locale's decimal point.  Only the parts of
 * report include this header.
 */
#ifndef KDO_REPORT_INT_H
#define KDO_REPORT_INT_H

#include "report.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* How a string is escaped on its way out. */
enum kdo__esc {
    KDO__ESC_PLAIN,    /* terminal and fenced code: control characters -> U+FFFD */
    KDO__ESC_LINE,     /* as PLAIN, and line breaks and tabs -> spaces */
    KDO__ESC_TAP,      /* as LINE, and '#' and '\' backslash-escaped */
    KDO__ESC_MD,       /* as LINE, and Markdown punctuation backslash-escaped */
    KDO__ESC_XML,      /* XML 1.0 character data */
    KDO__ESC_XML_ATTR, /* as XML, and \t \n \r as references (attributes normalise them) */
    KDO__ESC_JSON,     /* inside a JSON (and YAML double-quoted) string */
    KDO__ESC_HTML,     /* HTML5 text or a quoted attribute: as XML_ATTR, ' as &#39;, and
                          the C1 controls and noncharacters HTML forbids dropped */
};

struct kdo__report_counts {
    size_t passed, failed, errors, undecided;
};

/* ---- report-escape.c ------------------------------------------------------ */

/* Writes n bytes of s escaped for `mode`, invalid UTF-8 as U+FFFD; NULL
 * writes nothing. */
void kdo__report_put_span(FILE *out, const char *s, size_t n, enum kdo__esc mode);
/* The same for a NUL-terminated string. */
void kdo__report_put(FILE *out, const char *s, enum kdo__esc mode);
/* "%.*f" (fixed) or "%.*g" as the C locale writes it. */
void kdo__report_fmt_num(char *buf, size_t size, int fixed, int precision, double v);
/* Whole milliseconds of s seconds; 0 for negative, unknown or absurd ones. */
long long kdo__report_millis(double s);
/* Seconds with exactly three decimals ("1.250"). */
void kdo__report_fmt_seconds(char *buf, size_t size, double s);
/* The shortest of %.15g/%.17g that reads back exactly; "null" if not finite. */
void kdo__report_fmt_json_num(char *buf, size_t size, double v);

/* ---- report-svg.c ---------------------------------------------------------- */

struct kdo_timeline;
/* The drawing width, and the most invocation marks a lane gets before they
 * go into pixel-wide buckets. */
#define KDO__SVG_PLOT_W 1100
/* One <svg>: every destination of t on one time axis (see report.h). */
/* realtime: the axis counts seconds of the wall clock, else virtual ones. */
void kdo__report_svg(FILE *out, const struct kdo_timeline *t, int realtime);
/* "12.250" seconds of a virtual time. */
void kdo__report_fmt_t(char *buf, size_t size, int64_t t_ns);

/* ---- report-cw.c ------------------------------------------------------------ */

/* The CloudWatch charts per minute of every destination of t (none without). */
void kdo__report_minutes(FILE *out, const struct kdo_timeline *t);

/* ---- report.c ------------------------------------------------------------- */

struct kdo__report_counts kdo__report_count(const struct kdo_scenario_result *r, size_t n);
/* How many of a scenario's checks failed. */
size_t kdo__report_failed_checks(const struct kdo_scenario_result *r);
/* s, or "" for NULL. */
const char *kdo__report_str(const char *s);
/* The scenario's name, or its file when it has none. */
const char *kdo__report_title(const struct kdo_scenario_result *r);
/* "2 checks failed", or the message, or a generic reason. */
void kdo__report_failure_message(const struct kdo_scenario_result *r, char *buf, size_t size);
/* "file:line:col", or that it is a default check. */
void kdo__report_check_where(const struct kdo_scenario_result *r,
                             const struct kdo_check_result *c, char *buf, size_t size);
/* "lost = 3, expected = 0 (file:4:3)", escaped for `mode`. */
void kdo__report_put_check_text(FILE *out, const struct kdo_scenario_result *r,
                                const struct kdo_check_result *c, enum kdo__esc mode);
/* Calls fn for each non-empty line of text (NULL: none). */
void kdo__report_each_line(const char *text,
                           void (*fn)(FILE *, const char *, size_t, void *), FILE *out,
                           void *arg);
/* Flushes out: 0, or KDO_EIO if anything failed to be written. */
int kdo__report_finish(FILE *out);

#endif
