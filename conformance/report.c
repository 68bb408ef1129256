/*
 * report.c -- telling what a run of scenarios found: terminal, TAP 13,
 * JUnit XML, JSON and Markdown.
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
#include "report.h"

#include "base/errors.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Keep in step with project() in meson.build and VERSION in main.c. */
#define KDO_REPORT_VERSION "0.1.0"
#define EVIDENCE_TERMINAL_MAX 400 /* bytes of a journal line on a terminal */
#define REPLACEMENT 0xFFFDu

#define ANSI_GREEN "\033[32m"
#define ANSI_RED "\033[31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_DIM "\033[2m"
#define ANSI_RESET "\033[0m"

/* How a string is escaped on its way out. */
enum esc {
    ESC_PLAIN,    /* terminal and fenced code: control characters → U+FFFD */
    ESC_LINE,     /* as PLAIN, and line breaks and tabs → spaces */
    ESC_TAP,      /* as LINE, and '#' and '\' backslash-escaped */
    ESC_MD,       /* as LINE, and Markdown punctuation backslash-escaped */
    ESC_XML,      /* XML 1.0 character data */
    ESC_XML_ATTR, /* as XML, and \t \n \r as references (attributes normalise them) */
    ESC_JSON,     /* inside a JSON (and YAML double-quoted) string */
};

struct counts {
    size_t passed, failed, errors, undecided;
};

/* ---- characters ---------------------------------------------------------- */

/* Decodes the code point at s (at most n bytes); returns how many bytes it
 * took (at least 1).  Invalid, overlong, surrogate or truncated sequences
 * give U+FFFD for one byte, so decoding always moves on. */
static size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    size_t len;
    uint32_t v, min;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        len = 2, v = s[0] & 0x1Fu, min = 0x80;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        len = 3, v = s[0] & 0x0Fu, min = 0x800;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        len = 4, v = s[0] & 0x07u, min = 0x10000;
    else
        len = 0, v = 0, min = 0;
    for (size_t i = 1; i < len; i++) {
        if (i >= n || (s[i] & 0xC0) != 0x80)
            len = 0;
        else
            v = v << 6 | (s[i] & 0x3Fu);
        if (len == 0)
            break;
    }
    if (len == 0 || v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = REPLACEMENT;
        return 1;
    }
    *cp = v;
    return len;
}

static void put_cp(FILE *out, uint32_t cp)
{
    if (cp < 0x80) {
        fputc((int)cp, out);
    } else if (cp < 0x800) {
        fputc((int)(0xC0 | cp >> 6), out);
        fputc((int)(0x80 | (cp & 0x3F)), out);
    } else if (cp < 0x10000) {
        fputc((int)(0xE0 | cp >> 12), out);
        fputc((int)(0x80 | (cp >> 6 & 0x3F)), out);
        fputc((int)(0x80 | (cp & 0x3F)), out);
    } else {
        fputc((int)(0xF0 | cp >> 18), out);
        fputc((int)(0x80 | (cp >> 12 & 0x3F)), out);
        fputc((int)(0x80 | (cp >> 6 & 0x3F)), out);
        fputc((int)(0x80 | (cp & 0x3F)), out);
    }
}

static int is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* Terminal, TAP and Markdown text: no control characters but the allowed
 * whitespace; in one-line modes whitespace becomes a space. */
static void put_plain(FILE *out, uint32_t cp, enum esc mode)
{
    int ws = cp == '\t' || cp == '\n' || cp == '\r';
    if (ws && mode != ESC_PLAIN)
        cp = ' ';
    else if (is_control(cp) && !(ws && cp != '\r'))
        cp = REPLACEMENT;
    if ((mode == ESC_TAP && (cp == '#' || cp == '\\')) ||
        (mode == ESC_MD && cp < 0x80 && strchr("\\`*_[]<>|~&#!", (int)cp)))
        fputc('\\', out);
    put_cp(out, cp);
}

static void put_xml(FILE *out, uint32_t cp, enum esc mode)
{
    /* XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | ... */
    if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF)
        return;
    switch (cp) {
    case '&': fputs("&amp;", out); return;
    case '<': fputs("&lt;", out); return;
    case '>': fputs("&gt;", out); return;
    case '"': fputs("&quot;", out); return;
    case '\'': fputs("&apos;", out); return;
    case '\r': fputs("&#13;", out); return;
    case '\t':
    case '\n':
        if (mode == ESC_XML_ATTR) {
            fprintf(out, "&#%u;", (unsigned)cp);
            return;
        }
        break;
    }
    put_cp(out, cp);
}

/* U+2028/9 and C1 controls are escaped too: JavaScript and YAML readers. */
static void put_json(FILE *out, uint32_t cp)
{
    switch (cp) {
    case '"': fputs("\\\"", out); return;
    case '\\': fputs("\\\\", out); return;
    case '\n': fputs("\\n", out); return;
    case '\r': fputs("\\r", out); return;
    case '\t': fputs("\\t", out); return;
    case '\b': fputs("\\b", out); return;
    case '\f': fputs("\\f", out); return;
    }
    if (is_control(cp) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF)
        fprintf(out, "\\u%04x", (unsigned)cp);
    else
        put_cp(out, cp);
}

/* Writes n bytes of s escaped for `mode`; NULL writes nothing. */
static void put_span(FILE *out, const char *s, size_t n, enum esc mode)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t at = 0, len; s != NULL && at < n; at += len) {
        uint32_t cp;
        len = utf8_next(p + at, n - at, &cp);
        switch (mode) {
        case ESC_XML:
        case ESC_XML_ATTR: put_xml(out, cp, mode); break;
        case ESC_JSON: put_json(out, cp); break;
        default: put_plain(out, cp, mode); break;
        }
    }
}

static void put(FILE *out, const char *s, enum esc mode)
{
    if (s != NULL)
        put_span(out, s, strlen(s), mode);
}

/* ---- numbers (a '.' whatever the locale) --------------------------------- */

static void c_decimal_point(char *buf)
{
    const char *dp = localeconv()->decimal_point;
    size_t len = strlen(dp);
    char *p;
    if (len == 0 || strcmp(dp, ".") == 0 || (p = strstr(buf, dp)) == NULL)
        return;
    *p = '.';
    memmove(p + 1, p + len, strlen(p + len) + 1);
}

/* "%.*f" (fixed) or "%.*g" as the C locale writes it. */
static void fmt_num(char *buf, size_t size, int fixed, int precision, double v)
{
    if (fixed)
        snprintf(buf, size, "%.*f", precision, v);
    else
        snprintf(buf, size, "%.*g", precision, v);
    c_decimal_point(buf);
}

/* Seconds with exactly three decimals, by integer arithmetic; negative,
 * unknown or absurd durations are written as 0.000. */
static long long millis(double s)
{
    return s >= 0 && s < 1e12 ? llround(s * 1000) : 0;
}

static void fmt_seconds(char *buf, size_t size, double s)
{
    long long ms = millis(s);
    snprintf(buf, size, "%lld.%03lld", ms / 1000, ms % 1000);
}

/* The shortest of %.15g/%.17g that reads back exactly; "null" if not finite. */
static void fmt_json_num(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "null");
        return;
    }
    snprintf(buf, size, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, size, "%.17g", v);
    c_decimal_point(buf);
}

/* ---- shared --------------------------------------------------------------- */

static struct counts count(const struct kdo_scenario_result *r, size_t n)
{
    struct counts c = {0};
    for (size_t i = 0; i < n; i++)
        switch (r[i].verdict) {
        case KDO_VERDICT_PASSED: c.passed++; break;
        case KDO_VERDICT_FAILED: c.failed++; break;
        case KDO_VERDICT_UNDECIDED: c.undecided++; break;
        default: c.errors++; break;
        }
    return c;
}

static size_t failed_checks(const struct kdo_scenario_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->nchecks; i++)
        n += !r->checks[i].passed;
    return n;
}

static const char *str(const char *s)
{
    return s ? s : "";
}

static const char *title(const struct kdo_scenario_result *r)
{
    return r->name && r->name[0] ? r->name : str(r->file);
}

/* "2 checks failed", or the message, or a generic reason. */
static void failure_message(const struct kdo_scenario_result *r, char *buf, size_t size)
{
    size_t nf = failed_checks(r);
    if (nf > 0)
        snprintf(buf, size, "%zu check%s failed", nf, nf == 1 ? "" : "s");
    else
        snprintf(buf, size, "%s", r->message ? r->message : "the run failed");
}

/* "file:line:col", or that it is a default check. */
static void check_where(const struct kdo_scenario_result *r, const struct kdo_check_result *c,
                        char *buf, size_t size)
{
    if (c->line > 0)
        snprintf(buf, size, "%s:%d:%d", str(r->file), c->line, c->column);
    else
        snprintf(buf, size, "checked in every scenario");
}

/* One check as the terminal and the text bodies show it, without the
 * leading word: "lost = 3, expected = 0 (file:4:3)". */
static void put_check_text(FILE *out, const struct kdo_scenario_result *r,
                           const struct kdo_check_result *c, enum esc mode)
{
    char v[64], where[512];
    fmt_num(v, sizeof v, 0, 15, c->value);
    check_where(r, c, where, sizeof where);
    put(out, c->fact, mode);
    fprintf(out, " = %s, expected ", v);
    put(out, c->expected, mode);
    fputs(" (", out);
    put(out, where, mode);
    fputc(')', out);
}

/* Calls fn for each non-empty line of text. */
static void each_line(const char *text, void (*fn)(FILE *, const char *, size_t, void *),
                      FILE *out, void *arg)
{
    for (const char *p = text; p != NULL && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len > 0 && !(len == 1 && p[0] == '\r'))
            fn(out, p, len, arg);
        p = nl ? nl + 1 : p + len;
    }
}

static int finish(FILE *out)
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
    shell_word(out, size, &len, str(r->file));
    bounded_puts(out, size, &len, seed);
}

/* ---- terminal ------------------------------------------------------------- */

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
    const char *f = str(r->file);
    if (r->message && f[0] && strncmp(r->message, f, strlen(f)) == 0) {
        put(out, r->message, ESC_LINE);
    } else {
        put(out, f, ESC_LINE);
        if (r->name && r->name[0])
            fputs("  ", out), put(out, r->name, ESC_LINE);
        if (r->message)
            fputs(": ", out), put(out, r->message, ESC_LINE);
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
    put(out, str(r->file), ESC_LINE);
    fputs("  ", out);
    put(out, str(r->name), ESC_LINE);
    if (r->message) {
        fputs(": ", out);
        put(out, r->message, ESC_LINE);
        fprintf(out, " (seed %llu)\n", (unsigned long long)r->seed);
    } else if (r->realtime) {
        fmt_num(a, sizeof a, 1, 1, r->wall_s);
        fprintf(out, " (seed %llu, %s s real time over HTTP)\n", (unsigned long long)r->seed, a);
    } else {
        fmt_num(a, sizeof a, 1, 0, r->virtual_s);
        fmt_seconds(b, sizeof b, r->wall_s);
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
        put_span(out, line, len, ESC_LINE);
        fputc('\n', out);
        return;
    }
    fputs(len - skip >= 6 && strncmp(line + skip, "note: ", 6) == 0 ? "    " : "    note: ", out);
    put_span(out, line + skip, len - skip, ESC_LINE);
    fputc('\n', out);
}

/* "      journal: {...}", cut at a character boundary after 400 bytes. */
static void term_evidence(FILE *out, const char *line, size_t len, void *arg)
{
    const int *colour = arg;
    size_t cut = len;
    if (len > EVIDENCE_TERMINAL_MAX) {
        cut = EVIDENCE_TERMINAL_MAX;
        while (cut > 0 && ((unsigned char)line[cut] & 0xC0) == 0x80)
            cut--;
    }
    fprintf(out, "%s      journal: ", *colour ? ANSI_DIM : "");
    put_span(out, line, cut, ESC_LINE);
    fprintf(out, "%s%s\n", cut < len ? " ..." : "", *colour ? ANSI_RESET : "");
}

static void term_check(FILE *out, const struct kdo_scenario_result *r,
                       const struct kdo_check_result *c, int colour)
{
    if (c->passed)
        fputs("    passed ", out);
    else
        fprintf(out, "    %sFAILED%s ", colour ? ANSI_RED : "", colour ? ANSI_RESET : "");
    put_check_text(out, r, c, ESC_LINE);
    fputc('\n', out);
    if (!c->passed)
        each_line(c->evidence, term_evidence, out, &colour);
}

int kdo_report_terminal_one(FILE *out, const struct kdo_scenario_result *r, int colour,
                            int verbose)
{
    char replay[4200];
    term_head(out, r, colour);
    each_line(r->notes, term_note, out, NULL);
    if (verbose && r->guide)
        fputs("    guide: ", out), put(out, r->guide, ESC_LINE), fputc('\n', out);
    for (size_t i = 0; i < r->nchecks; i++)
        if (verbose || !r->checks[i].passed)
            term_check(out, r, &r->checks[i], colour);
    if (r->verdict == KDO_VERDICT_FAILED || r->verdict == KDO_VERDICT_UNDECIDED) {
        kdo_report_replay(r, replay, sizeof replay);
        fputs("    replay: ", out);
        put(out, replay, ESC_LINE);
        fputc('\n', out);
    }
    return finish(out);
}

static void term_count(FILE *out, size_t n, const char *word, const char *col, int colour)
{
    int on = colour && n > 0;
    fprintf(out, "%s%zu %s%s", on ? col : "", n, word, on ? ANSI_RESET : "");
}

int kdo_report_terminal_summary(FILE *out, const struct kdo_scenario_result *r, size_t n,
                                int colour)
{
    struct counts c = count(r, n);
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
    return finish(out);
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

/* ---- TAP 13 --------------------------------------------------------------- */

static void yaml_str(FILE *out, const char *key, const char *s, int indent)
{
    fprintf(out, "%*s%s: \"", indent, "", key);
    put(out, s, ESC_JSON); /* a JSON string is a YAML double-quoted scalar */
    fputs("\"\n", out);
}

static void tap_evidence(FILE *out, const char *line, size_t len, void *arg)
{
    (void)arg;
    fputs("        - \"", out);
    put_span(out, line, len, ESC_JSON);
    fputs("\"\n", out);
}

static void tap_check(FILE *out, const struct kdo_scenario_result *r,
                      const struct kdo_check_result *c)
{
    char v[64], where[512];
    fmt_json_num(v, sizeof v, c->value);
    check_where(r, c, where, sizeof where);
    yaml_str(out, "- fact", c->fact, 4);
    fprintf(out, "      value: %s\n", v);
    yaml_str(out, "expected", c->expected, 6);
    yaml_str(out, "at", where, 6);
    if (c->evidence && c->evidence[0]) {
        fputs("      evidence:\n", out);
        each_line(c->evidence, tap_evidence, out, NULL);
    }
}

static void tap_diagnostics(FILE *out, const struct kdo_scenario_result *r)
{
    static const char *const severity[] = {"pass", "fail", "error", "skip"};
    char msg[1024], replay[4200];
    failure_message(r, msg, sizeof msg);
    kdo_report_replay(r, replay, sizeof replay);
    fputs("  ---\n", out);
    yaml_str(out, "message", r->verdict == KDO_VERDICT_FAILED ? msg : r->message, 2);
    fprintf(out, "  severity: %s\n", severity[r->verdict <= KDO_VERDICT_UNDECIDED ? r->verdict : 2]);
    yaml_str(out, "file", r->file, 2);
    if (r->verdict != KDO_VERDICT_BAD_INPUT) {
        fprintf(out, "  seed: %llu\n", (unsigned long long)r->seed);
        yaml_str(out, "replay", replay, 2);
    }
    if (failed_checks(r) > 0) {
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
    put(out, title(r), ESC_TAP);
    if (r->verdict == KDO_VERDICT_UNDECIDED) {
        fputs(" # SKIP undecided: ", out);
        put(out, r->message ? r->message : "the endpoint was unreachable", ESC_TAP);
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
    return finish(out);
}

/* ---- JUnit XML ------------------------------------------------------------ */

static void xml_attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    put(out, value, ESC_XML_ATTR);
    fputc('"', out);
}

static void xml_evidence(FILE *out, const char *line, size_t len, void *arg)
{
    (void)arg;
    fputs("  journal: ", out);
    put_span(out, line, len, ESC_XML);
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
        put_check_text(out, r, &r->checks[i], ESC_XML);
        fputc('\n', out);
        each_line(r->checks[i].evidence, xml_evidence, out, NULL);
    }
    if (r->message)
        put(out, r->message, ESC_XML), fputc('\n', out);
    kdo_report_replay(r, replay, sizeof replay);
    fputs("replay: ", out);
    put(out, replay, ESC_XML);
    fputc('\n', out);
}

static void xml_outcome(FILE *out, const struct kdo_scenario_result *r)
{
    char msg[1024];
    switch (r->verdict) {
    case KDO_VERDICT_PASSED:
        return;
    case KDO_VERDICT_FAILED:
        failure_message(r, msg, sizeof msg);
        fputs("      <failure", out);
        xml_attr(out, "message", msg);
        xml_attr(out, "type", failed_checks(r) > 0 ? "check" : "run");
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
        put(out, r->message, ESC_XML);
        fputs("</error>\n", out);
        return;
    }
}

static void xml_note(FILE *out, const char *line, size_t len, void *arg)
{
    size_t skip = strspn(line, " \t");
    (void)arg;
    put_span(out, line + skip, len - skip, ESC_XML);
    fputc('\n', out);
}

static void xml_system_out(FILE *out, const struct kdo_scenario_result *r)
{
    char replay[4200];
    if (r->verdict == KDO_VERDICT_BAD_INPUT)
        return;
    kdo_report_replay(r, replay, sizeof replay);
    fprintf(out, "      <system-out>seed: %llu\nreplay: ", (unsigned long long)r->seed);
    put(out, replay, ESC_XML);
    fputc('\n', out);
    if (r->guide)
        fputs("guide: ", out), put(out, r->guide, ESC_XML), fputc('\n', out);
    each_line(r->notes, xml_note, out, NULL);
    fputs("</system-out>\n", out);
}

static void xml_testcase(FILE *out, const struct kdo_scenario_result *r)
{
    char t[32];
    fmt_seconds(t, sizeof t, r->wall_s);
    fputs("    <testcase", out);
    xml_attr(out, "classname", "kdaout.scenarios");
    xml_attr(out, "name", title(r));
    xml_attr(out, "file", str(r->file));
    xml_attr(out, "time", t);
    fputs(">\n", out);
    xml_outcome(out, r);
    xml_system_out(out, r);
    fputs("    </testcase>\n", out);
}

/* name="kdaout" tests= failures= errors= skipped= time= */
static void xml_totals(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    struct counts c = count(r, n);
    long long ms = 0;
    for (size_t i = 0; i < n; i++)
        ms += millis(r[i].wall_s); /* the sum of what each case shows */
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
    return finish(out);
}

/* ---- JSON ----------------------------------------------------------------- */

static void json_str(FILE *out, const char *s)
{
    if (s == NULL) {
        fputs("null", out);
        return;
    }
    fputc('"', out);
    put(out, s, ESC_JSON);
    fputc('"', out);
}

static void json_num(FILE *out, double v)
{
    char buf[64];
    fmt_json_num(buf, sizeof buf, v);
    fputs(buf, out);
}

static void json_check(FILE *out, const struct kdo_check_result *c)
{
    fputs("{\"fact\":", out);
    json_str(out, c->fact);
    fputs(",\"expected\":", out);
    json_str(out, c->expected);
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
    fputs("{\"file\":", out);
    json_str(out, r->file);
    fputs(",\"name\":", out);
    json_str(out, r->name);
    fputs(",\"guide\":", out);
    json_str(out, r->guide);
    fprintf(out, ",\"verdict\":\"%s\",\"message\":", kdo_verdict_name(r->verdict));
    json_str(out, r->message);
    fprintf(out, ",\"seed\":%llu,\"realtime\":%s,\"virtual_s\":", (unsigned long long)r->seed,
            r->realtime ? "true" : "false");
    json_num(out, r->virtual_s);
    fputs(",\"wall_s\":", out);
    json_num(out, r->wall_s);
    fputs(",\"notes\":", out);
    json_str(out, r->notes);
    fputs(",\"replay\":", out);
    json_str(out, replay);
    fputs(",\"checks\":[", out);
    for (size_t i = 0; i < r->nchecks; i++) {
        fputs(i ? "," : "", out);
        json_check(out, &r->checks[i]);
    }
    fputs("]}", out);
}

int kdo_report_json(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    struct counts c = count(r, n);
    fprintf(out,
            "{\"kdaout\":\"%s\",\"total\":%zu,\"passed\":%zu,\"failed\":%zu,\"errors\":%zu,"
            "\"undecided\":%zu,\"scenarios\":[",
            KDO_REPORT_VERSION, n, c.passed, c.failed, c.errors, c.undecided);
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ",\n" : "\n", out);
        json_scenario(out, &r[i]);
    }
    fputs("\n]}\n", out);
    return finish(out);
}

/* ---- Markdown ------------------------------------------------------------- */

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
    put(out, text, ESC_PLAIN);
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
    put(out, title(r), ESC_MD);
    if (r->name && r->name[0] && r->file)
        fputs(" (", out), put(out, r->file, ESC_MD), fputc(')', out);
    fmt_seconds(b, sizeof b, r->wall_s);
    if (r->verdict == KDO_VERDICT_BAD_INPUT) {
        fputs(" |  |  |\n", out);
        return;
    }
    fmt_num(a, sizeof a, 1, 0, r->virtual_s);
    if (r->realtime)
        fprintf(out, " | %llu | %s s real time |\n", (unsigned long long)r->seed, b);
    else
        fprintf(out, " | %llu | %s s virtual in %s s |\n", (unsigned long long)r->seed, a, b);
}

static void md_section(FILE *out, const struct kdo_scenario_result *r)
{
    char replay[4200];
    fprintf(out, "### %s: ", kdo_verdict_name(r->verdict));
    put(out, title(r), ESC_MD);
    fputs("\n\n", out);
    if (r->file)
        fputs("File: ", out), put(out, r->file, ESC_MD), fputs("\n\n", out);
    if (r->message)
        put(out, r->message, ESC_MD), fputs("\n\n", out);
    for (size_t i = 0; i < r->nchecks; i++) {
        const struct kdo_check_result *c = &r->checks[i];
        if (c->passed)
            continue;
        fputs("- **FAILED** ", out);
        put_check_text(out, r, c, ESC_MD);
        fputs("\n\n", out);
        if (c->evidence && c->evidence[0])
            md_fenced(out, "json", c->evidence);
    }
    if (r->verdict == KDO_VERDICT_BAD_INPUT)
        return;
    kdo_report_replay(r, replay, sizeof replay);
    fputs("Replay:\n\n", out);
    md_fenced(out, "sh", replay);
}

int kdo_report_markdown(FILE *out, const struct kdo_scenario_result *r, size_t n)
{
    struct counts c = count(r, n);
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
    return finish(out);
}
