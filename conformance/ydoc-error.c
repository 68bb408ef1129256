/*
 * ydoc-error.c -- the YAML loader's errors at file:line:column.
 *
 * Errors name a 1-based line and column as libyaml counts them (characters,
 * libyaml's line breaks, after a BOM).  libyaml's own errors are turned into
 * one sentence with the context it names, and a hint for the mistakes people
 * make most (a tab, a reserved character, an unquoted ": ").  The encoding
 * checks refuse UTF-16/32 and NUL bytes up front, which libyaml would report
 * late and vaguely.  Nothing here builds the tree.
 */
#include "ydoc-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORE_TAG KDO__YDOC_CORE_TAG

/* Errors at a 0-based libyaml position; the message is one sentence. */
int kdo__ydoc_fail_at(struct kdo__ydoc_builder *b, int code, size_t line0, size_t col0,
                      const char *fmt, ...)
{
    char msg[sizeof b->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kdo_errinfo_set(b->err, code, b->file, kdo__ydoc_clamp_int(line0 + 1),
                           kdo__ydoc_clamp_int(col0 + 1), "%s", msg);
}

/* Printable, quoted and truncated copy of a scalar for messages. */
const char *kdo__ydoc_quote(char *buf, size_t size, const char *s, size_t len)
{
    size_t o = 0;
    buf[o++] = '"';
    for (size_t i = 0; i < len && o + 8 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(buf + o, size - o, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(buf + o, size - o, "\\x%02X", c);
        else
            buf[o++] = (char)c;
        if (o + 8 >= size && i + 1 < len)
            o += (size_t)snprintf(buf + o, size - o, "...");
    }
    snprintf(buf + o, size - o, "\"");
    return buf;
}

/* "!!str" for core-schema tags, the tag itself otherwise, escaped. */
const char *kdo__ydoc_show_tag(char *buf, size_t size, const char *tag)
{
    char q[96];
    size_t n = strlen(CORE_TAG);
    int core = strncmp(tag, CORE_TAG, n) == 0;
    const char *t = core ? tag + n : tag;
    kdo__ydoc_quote(q, sizeof q, t, strlen(t));
    q[strlen(q) - 1] = '\0'; /* drop the closing quote */
    snprintf(buf, size, "%s%s", core ? "!!" : "", q + 1);
    return buf;
}

/* ---- positions in raw text and libyaml's own errors ---------------------- */

/* Width of the line break at p (libyaml's set: CR LF, CR, LF, NEL, LS, PS). */
static size_t break_width(const char *p, const char *end)
{
    const unsigned char *u = (const unsigned char *)p;
    if (u[0] == '\r')
        return end - p > 1 && u[1] == '\n' ? 2 : 1;
    if (u[0] == '\n')
        return 1;
    if (end - p > 1 && u[0] == 0xC2 && u[1] == 0x85)
        return 2;
    if (end - p > 2 && u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9))
        return 3;
    return 0;
}

static const char *skip_bom(const char *s, size_t len)
{
    return len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0 ? s + 3 : s;
}

/* 0-based line and column (in characters, as libyaml counts) of byte `off`. */
static void offset_mark(const struct kdo__ydoc_builder *b, size_t off, yaml_mark_t *m)
{
    const char *p = skip_bom(b->text, b->len), *end = b->text + (off < b->len ? off : b->len);
    m->line = m->column = 0;
    while (p < end) {
        size_t w = break_width(p, b->text + b->len);
        if (w > 0) {
            m->line++;
            m->column = 0;
            p += w;
        } else {
            m->column += ((unsigned char)*p & 0xC0) != 0x80;
            p++;
        }
    }
}

/* The byte at a libyaml mark, or -1 past the end. */
static int char_at(const struct kdo__ydoc_builder *b, yaml_mark_t m)
{
    const char *p = skip_bom(b->text, b->len), *end = b->text + b->len;
    size_t line = 0, col = 0;
    while (p < end && (line < m.line || col < m.column)) {
        size_t w = break_width(p, end);
        if (line < m.line) {
            line += w > 0;
            p += w > 0 ? w : 1;
            continue;
        }
        if (w > 0)
            return -1;
        p++;
        while (p < end && ((unsigned char)*p & 0xC0) == 0x80)
            p++;
        col++;
    }
    return p < end ? (unsigned char)*p : -1;
}

/* A hint for the mistakes people make most, keyed by the offending byte. */
static const char *hint(const struct kdo__ydoc_builder *b, const yaml_parser_t *p)
{
    int c = char_at(b, p->problem_mark);
    if (c == '\t')
        return " (a tab: YAML indents with spaces only)";
    if (c == '@' || c == '`')
        return " (@ and ` are reserved; quote a scalar that starts with one)";
    if (p->problem && strcmp(p->problem, "mapping values are not allowed in this context") == 0)
        return " (quote a value that contains \": \")";
    return "";
}

static int reader_error(struct kdo__ydoc_builder *b, const yaml_parser_t *p)
{
    yaml_mark_t m;
    offset_mark(b, p->problem_offset, &m);
    if (p->problem_value >= 0)
        return FAIL(b, KDO_EPARSE, m, "%s (0x%X at byte offset %zu); expected UTF-8 text",
                    p->problem, (unsigned)p->problem_value, p->problem_offset);
    return FAIL(b, KDO_EPARSE, m, "%s (at byte offset %zu); expected UTF-8 text", p->problem,
                p->problem_offset);
}

int kdo__ydoc_syntax_error(struct kdo__ydoc_builder *b, const yaml_parser_t *p)
{
    const char *problem = p->problem ? p->problem : "syntax error";
    yaml_mark_t cm = p->context_mark, pm = p->problem_mark;
    switch (p->error) {
    case YAML_MEMORY_ERROR:
        fprintf(stderr, "kdaout: out of memory in libyaml\n");
        abort();
    case YAML_READER_ERROR:
        return reader_error(b, p);
    default:
        break;
    }
    if (p->context == NULL)
        return FAIL(b, KDO_EPARSE, pm, "%s%s", problem, hint(b, p));
    if (cm.line == pm.line && cm.column == pm.column)
        return FAIL(b, KDO_EPARSE, pm, "%s %s%s", problem, p->context, hint(b, p));
    return FAIL(b, KDO_EPARSE, pm, "%s %s that starts at line %d, column %d%s", problem, p->context,
                kdo__ydoc_clamp_int(cm.line + 1), kdo__ydoc_clamp_int(cm.column + 1), hint(b, p));
}

/* ---- input checks and the parse loop ------------------------------------- */

/* libyaml would decode UTF-16 and choke on NUL late and vaguely; refuse
 * both up front with a position. */
int kdo__ydoc_check_encoding(struct kdo__ydoc_builder *b)
{
    const unsigned char *u = (const unsigned char *)b->text;
    yaml_mark_t m = {0, 0, 0};
    if (b->len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)))
        return FAIL(b, KDO_EPARSE, m, "found a UTF-16 or UTF-32 byte order mark; expected "
                    "UTF-8 text");
    const char *nul = memchr(b->text, '\0', b->len);
    if (nul == NULL)
        return 0;
    offset_mark(b, (size_t)(nul - b->text), &m);
    return FAIL(b, KDO_EPARSE, m, "found a NUL byte (at byte offset %zu); expected text "
                "(is this a binary or UTF-16 file?)", (size_t)(nul - b->text));
}
