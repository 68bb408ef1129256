/*
 * report-escape.c -- the characters and numbers of every report.
 *
 * Text from scenarios and journals is untrusted: every string goes through
 * one UTF-8 walker (invalid, overlong, surrogate or truncated sequences
 * become U+FFFD) and then through the escaper of its format, so a scenario
 * name or a journal line can never make a report malformed nor send escape
 * sequences to a terminal.  Numbers are written with a '.' whatever the
 * locale.  A part of report (report-int.h); it knows no report format's
 * layout, only its characters.
 */
#include "report-int.h"

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define REPLACEMENT 0xFFFDu

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
static void put_plain(FILE *out, uint32_t cp, enum kdo__esc mode)
{
    int ws = cp == '\t' || cp == '\n' || cp == '\r';
    if (ws && mode != KDO__ESC_PLAIN)
        cp = ' ';
    else if (is_control(cp) && !(ws && cp != '\r'))
        cp = REPLACEMENT;
    if ((mode == KDO__ESC_TAP && (cp == '#' || cp == '\\')) ||
        (mode == KDO__ESC_MD && cp < 0x80 && strchr("\\`*_[]<>|~&#!", (int)cp)))
        fputc('\\', out);
    put_cp(out, cp);
}

static void put_xml(FILE *out, uint32_t cp, enum kdo__esc mode)
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
        if (mode == KDO__ESC_XML_ATTR) {
            fprintf(out, "&#%u;", (unsigned)cp);
            return;
        }
        break;
    }
    put_cp(out, cp);
}

/* HTML5: what XML allows, less what the HTML parser calls an error (C1
 * controls, DEL, noncharacters); ' as a numeric reference, which every
 * HTML and XML parser reads. */
static void put_html(FILE *out, uint32_t cp)
{
    int nonchar = (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFEu) == 0xFFFEu;
    if ((cp >= 0x7F && cp <= 0x9F) || nonchar || cp == '\r')
        return;
    if (cp == '\'') {
        fputs("&#39;", out);
        return;
    }
    put_xml(out, cp, KDO__ESC_XML_ATTR);
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
void kdo__report_put_span(FILE *out, const char *s, size_t n, enum kdo__esc mode)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t at = 0, len; s != NULL && at < n; at += len) {
        uint32_t cp;
        len = utf8_next(p + at, n - at, &cp);
        switch (mode) {
        case KDO__ESC_XML:
        case KDO__ESC_XML_ATTR: put_xml(out, cp, mode); break;
        case KDO__ESC_JSON: put_json(out, cp); break;
        case KDO__ESC_HTML: put_html(out, cp); break;
        default: put_plain(out, cp, mode); break;
        }
    }
}

void kdo__report_put(FILE *out, const char *s, enum kdo__esc mode)
{
    if (s != NULL)
        kdo__report_put_span(out, s, strlen(s), mode);
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
void kdo__report_fmt_num(char *buf, size_t size, int fixed, int precision, double v)
{
    if (fixed)
        snprintf(buf, size, "%.*f", precision, v);
    else
        snprintf(buf, size, "%.*g", precision, v);
    c_decimal_point(buf);
}

/* Seconds with exactly three decimals, by integer arithmetic; negative,
 * unknown or absurd durations are written as 0.000. */
long long kdo__report_millis(double s)
{
    return s >= 0 && s < 1e12 ? llround(s * 1000) : 0;
}

void kdo__report_fmt_seconds(char *buf, size_t size, double s)
{
    long long ms = kdo__report_millis(s);
    snprintf(buf, size, "%lld.%03lld", ms / 1000, ms % 1000);
}

/* The shortest of %.15g/%.17g that reads back exactly; "null" if not finite. */
void kdo__report_fmt_json_num(char *buf, size_t size, double v)
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
