/*
 * expr_lex.c -- the tokens of SQL expression text, for the parser in
 * expr.c: names (bare or "quoted"), numbers, 'strings', operators.  A
 * token is a span of the text; nothing is copied or converted here.  Also
 * the error helper that turns a byte offset into a line and column, and
 * the words of time units (FLOOR ... TO unit, INTERVAL 'n' unit).
 */
#include "sql/expr-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int kdo__expr_error(const char *text, size_t len, size_t pos, struct kdo_errinfo *e, int err,
                    const char *fmt, ...)
{
    int line = 1, col = 1;
    for (size_t i = 0; i < pos && i < len; i++) {
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (e == NULL)
        return err;
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kdo_errinfo_set(e, err, NULL, line, col, "%s", msg);
}

#define FAIL(p, pos, err, ...) kdo__expr_error((p)->s, (p)->n, (pos), (p)->e, (err), __VA_ARGS__)

/* --- lexer ----------------------------------------------------------------- */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool ident_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool ident_char(char c)
{
    return ident_start(c) || is_digit(c) || c == '$';
}

/* A quoted token ('...' or "...") with the quote doubled inside; returns
 * the end offset or 0 if unterminated. */
static size_t quoted_end(const char *s, size_t n, size_t i)
{
    char q = s[i++];
    while (i < n) {
        if (s[i] == q) {
            if (i + 1 < n && s[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return 0;
}

static size_t number_end(const char *s, size_t n, size_t i, bool *dec)
{
    *dec = false;
    while (i < n && is_digit(s[i]))
        i++;
    if (i < n && s[i] == '.') {
        *dec = true;
        for (i++; i < n && is_digit(s[i]); i++)
            ;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < n && (s[j] == '+' || s[j] == '-'))
            j++;
        if (j < n && is_digit(s[j])) {
            *dec = true;
            for (i = j; i < n && is_digit(s[i]); i++)
                ;
        }
    }
    return i;
}

static size_t op_len(const char *s, size_t n, size_t i)
{
    static const char *const two[] = {"<>", "!=", "<=", ">="};
    for (size_t k = 0; k < sizeof two / sizeof two[0]; k++)
        if (i + 1 < n && s[i] == two[k][0] && s[i + 1] == two[k][1])
            return 2;
    return strchr("+-*/(),=<>", s[i]) && s[i] ? 1 : 0;
}

static int lex_quoted(struct kdo__expr_parser *p, size_t i, enum kdo__expr_tok_kind kind)
{
    size_t end = quoted_end(p->s, p->n, i);
    if (end == 0)
        return FAIL(p, i, KDO_EPARSE, "unterminated %s",
                    kind == KDO__T_STRING ? "string literal" : "quoted name");
    p->cur.kind = kind;
    p->cur.len = end - i;
    return 0;
}

int kdo__expr_lex(struct kdo__expr_parser *p)
{
    size_t i = p->at;
    while (i < p->n && strchr(" \t\r\n", p->s[i]) && p->s[i])
        i++;
    p->cur = (struct kdo__expr_tok){KDO__T_END, p->s + i, 0, i};
    int err = 0;
    bool dec;
    if (i == p->n) {
        p->cur.kind = KDO__T_END;
    } else if (p->s[i] == '\'') {
        err = lex_quoted(p, i, KDO__T_STRING);
    } else if (p->s[i] == '"') {
        err = lex_quoted(p, i, KDO__T_QIDENT);
    } else if (ident_start(p->s[i])) {
        size_t j = i;
        while (j < p->n && ident_char(p->s[j]))
            j++;
        p->cur.kind = KDO__T_IDENT;
        p->cur.len = j - i;
    } else if (is_digit(p->s[i]) || (p->s[i] == '.' && i + 1 < p->n && is_digit(p->s[i + 1]))) {
        p->cur.len = number_end(p->s, p->n, i, &dec) - i;
        p->cur.kind = dec ? KDO__T_DEC : KDO__T_INT;
    } else if ((p->cur.len = op_len(p->s, p->n, i)) > 0) {
        p->cur.kind = KDO__T_OP;
    } else {
        unsigned char c = (unsigned char)p->s[i];
        return c >= 0x20 && c < 0x7f ? FAIL(p, i, KDO_EPARSE, "unexpected character '%c'", c)
                                     : FAIL(p, i, KDO_EPARSE, "unexpected byte 0x%02x", c);
    }
    p->at = i + p->cur.len;
    return err;
}

bool kdo__expr_tok_is(const struct kdo__expr_tok *t, const char *word)
{
    size_t n = strlen(word);
    if ((t->kind != KDO__T_IDENT && t->kind != KDO__T_OP) || t->len != n)
        return false;
    for (size_t k = 0; k < n; k++) {
        char c = t->s[k];
        if ((c >= 'a' && c <= 'z' ? c - 32 : c) != word[k])
            return false;
    }
    return true;
}

const char *kdo__expr_describe(const struct kdo__expr_tok *t, char buf[48])
{
    if (t->kind == KDO__T_END)
        return "the end of the text";
    snprintf(buf, 48, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->s);
    return buf;
}

int kdo__expr_expect(struct kdo__expr_parser *p, const char *word)
{
    char buf[48];
    if (!kdo__expr_tok_is(&p->cur, word))
        return FAIL(p, p->cur.pos, KDO_EPARSE, "expected %s but found %s", word,
                    kdo__expr_describe(&p->cur, buf));
    return kdo__expr_lex(p);
}

/* --- time units -------------------------------------------------------------- */

static const struct {
    const char *word;
    int64_t ms;
} units[] = {
    {"SECOND", INT64_C(1000)},
    {"MINUTE", INT64_C(60000)},
    {"HOUR", INT64_C(3600000)},
    {"DAY", INT64_C(86400000)},
};

/* The unit a near miss means: a plural (HOURS), an abbreviation of three
 * letters or more (SEC, MIN), or both (MINS); else NULL. */
static const char *unit_near(const struct kdo__expr_tok *t)
{
    char up[16];
    size_t n = t->len;
    if (t->kind != KDO__T_IDENT || n >= sizeof up)
        return NULL;
    for (size_t k = 0; k < n; k++)
        up[k] = t->s[k] >= 'a' && t->s[k] <= 'z' ? (char)(t->s[k] - 32) : t->s[k];
    if (n > 3 && up[n - 1] == 'S')
        n--;
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++) {
        size_t w = strlen(units[k].word);
        if ((n == w || (n >= 3 && n < w)) && memcmp(up, units[k].word, n) == 0)
            return units[k].word;
    }
    return NULL;
}

int kdo__expr_time_unit(struct kdo__expr_parser *p, int64_t *ms)
{
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
        if (kdo__expr_tok_is(&p->cur, units[k].word)) {
            *ms = units[k].ms;
            return kdo__expr_lex(p);
        }
    char buf[48];
    const char *near = unit_near(&p->cur);
    return FAIL(p, p->cur.pos, KDO_EPARSE,
                "expected SECOND, MINUTE, HOUR or DAY but found %s%s%s%s",
                kdo__expr_describe(&p->cur, buf), near ? " (did you mean " : "", near ? near : "",
                near ? "?)" : "");
}
