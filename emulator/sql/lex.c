/*
 * lex.c -- KDA SQL tokens (see lex.h).
 *
 * One pass over the text, one token per call.  Positions count characters
 * (UTF-8 lead bytes), not bytes, so a column points where an editor shows it.
 * Decoded text is written into the arena once per token; the parser keeps
 * what it needs by pointer.
 */
#include "sql/lex.h"

#include "base/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    bool reserved;
} keywords[] = {
    {"", false},
#define KDO__SQL_KW_ROW(name, reserved) {#name, reserved},
    KDO_SQL_KEYWORDS(KDO__SQL_KW_ROW)
#undef KDO__SQL_KW_ROW
};

#define N_KEYWORDS (sizeof keywords / sizeof keywords[0])

const char *kdo_sql_kw_name(enum kdo_sql_kw kw)
{
    return (size_t)kw < N_KEYWORDS ? keywords[kw].name : "";
}

bool kdo_sql_kw_reserved(enum kdo_sql_kw kw)
{
    return (size_t)kw < N_KEYWORDS && keywords[kw].reserved;
}

enum kdo_sql_kw kdo_sql_kw_lookup(const char *word, size_t len)
{
    for (size_t i = 1; i < N_KEYWORDS; i++)
        if (strlen(keywords[i].name) == len && memcmp(keywords[i].name, word, len) == 0)
            return (enum kdo_sql_kw)i;
    return KDO_SQL_KW_NONE;
}

void kdo_sql_lex_init(struct kdo_sql_lexer *lx, const char *file, const char *s, size_t n,
                      struct kdo_arena *arena)
{
    *lx = (struct kdo_sql_lexer){.file = file, .s = s, .n = n, .line = 1, .col = 1, .arena = arena};
}

static int peekc(const struct kdo_sql_lexer *lx, size_t ahead)
{
    return lx->at + ahead < lx->n ? (unsigned char)lx->s[lx->at + ahead] : -1;
}

static void advance(struct kdo_sql_lexer *lx)
{
    unsigned char c = (unsigned char)lx->s[lx->at++];
    if (c == '\n') {
        lx->line++;
        lx->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        lx->col++;
    }
}

#define FAIL(lx, e, err, line, col, ...) kdo_errinfo_set(e, err, (lx)->file, line, col, __VA_ARGS__)

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Skips blanks and comments; KDO_EPARSE for an unterminated block comment. */
static int skip_blank(struct kdo_sql_lexer *lx, struct kdo_errinfo *e)
{
    for (;;) {
        int c = peekc(lx, 0), d = peekc(lx, 1);
        if (is_space(c)) {
            advance(lx);
        } else if ((c == '-' && d == '-') || (c == '/' && d == '/')) {
            while (peekc(lx, 0) != -1 && peekc(lx, 0) != '\n')
                advance(lx);
        } else if (c == '/' && d == '*') {
            int line = lx->line, col = lx->col;
            advance(lx);
            advance(lx);
            while (!(peekc(lx, 0) == '*' && peekc(lx, 1) == '/')) {
                if (peekc(lx, 0) == -1)
                    return FAIL(lx, e, KDO_EPARSE, line, col,
                                "unterminated comment: '/*' has no closing '*/'");
                advance(lx);
            }
            advance(lx);
            advance(lx);
        } else {
            return 0;
        }
    }
}

static int emit(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, const char *s, size_t n,
                struct kdo_errinfo *e)
{
    int err = kdo_arena_dup(lx->arena, s, n, &t->text);
    if (err)
        return FAIL(lx, e, err, t->line, t->col, "the SQL text needs more memory than allowed");
    t->len = n;
    return 0;
}

static int lex_word(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e)
{
    char up[KDO_SQL_MAX_IDENT + 1];
    size_t n = 0;
    while (is_alpha(peekc(lx, 0)) || is_digit(peekc(lx, 0))) {
        if (n == KDO_SQL_MAX_IDENT)
            return FAIL(lx, e, KDO_ETOOBIG, t->line, t->col,
                        "name longer than %d characters (KDA's limit)", KDO_SQL_MAX_IDENT);
        int c = peekc(lx, 0);
        up[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
        advance(lx);
    }
    t->kind = KDO_SQL_T_WORD;
    t->kw = kdo_sql_kw_lookup(up, n);
    return emit(lx, t, up, n, e);
}

static int lex_qident(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e)
{
    char buf[KDO_SQL_MAX_IDENT * 4 + 1];
    size_t n = 0, chars = 0;
    advance(lx);
    for (;;) {
        int c = peekc(lx, 0);
        if (c == -1)
            return FAIL(lx, e, KDO_EPARSE, t->line, t->col,
                        "unterminated quoted name: '\"' has no closing '\"'");
        if (c == '"' && peekc(lx, 1) != '"')
            break;
        if (c < 0x20)
            return FAIL(lx, e, KDO_EPARSE, lx->line, lx->col,
                        "control character 0x%02X in a quoted name", (unsigned)c);
        if (c == '"')
            advance(lx);
        if ((c & 0xC0) != 0x80 && ++chars > KDO_SQL_MAX_IDENT)
            return FAIL(lx, e, KDO_ETOOBIG, t->line, t->col,
                        "name longer than %d characters (KDA's limit)", KDO_SQL_MAX_IDENT);
        if (n == sizeof buf - 1)
            return FAIL(lx, e, KDO_ETOOBIG, t->line, t->col, "quoted name too long");
        buf[n++] = (char)c;
        advance(lx);
    }
    advance(lx);
    if (n == 0)
        return FAIL(lx, e, KDO_EPARSE, t->line, t->col, "empty quoted name \"\"");
    t->kind = KDO_SQL_T_QIDENT;
    return emit(lx, t, buf, n, e);
}

static int lex_number(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e)
{
    size_t start = lx->at;
    t->kind = KDO_SQL_T_INT;
    while (is_digit(peekc(lx, 0)))
        advance(lx);
    if (peekc(lx, 0) == '.') {
        t->kind = KDO_SQL_T_DEC;
        advance(lx);
        while (is_digit(peekc(lx, 0)))
            advance(lx);
    }
    if (peekc(lx, 0) == 'e' || peekc(lx, 0) == 'E') {
        int d = peekc(lx, 1);
        size_t k = (d == '+' || d == '-') ? 2 : 1;
        if (!is_digit(peekc(lx, k)))
            return FAIL(lx, e, KDO_EPARSE, t->line, t->col,
                        "malformed number: an exponent needs digits after 'E'");
        t->kind = KDO_SQL_T_APPROX;
        while (k--)
            advance(lx);
        while (is_digit(peekc(lx, 0)))
            advance(lx);
    }
    if (is_alpha(peekc(lx, 0)) || peekc(lx, 0) == '.')
        return FAIL(lx, e, KDO_EPARSE, t->line, t->col,
                    "malformed number: '%c' right after the digits", peekc(lx, 0));
    size_t n = lx->at - start;
    if (n > KDO_SQL_MAX_NUMBER)
        return FAIL(lx, e, KDO_ETOOBIG, t->line, t->col, "number longer than %d characters",
                    KDO_SQL_MAX_NUMBER);
    char buf[KDO_SQL_MAX_NUMBER + 1];
    for (size_t i = 0; i < n; i++)
        buf[i] = lx->s[start + i] == 'e' ? 'E' : lx->s[start + i];
    return emit(lx, t, buf, n, e);
}

/* Scans a '...' body (the lexer sits on the opening quote) into raw text
 * with '' already unescaped; *out is in the arena. */
static int scan_quoted(struct kdo_sql_lexer *lx, const struct kdo_sql_token *t, char **out,
                       size_t *len, struct kdo_errinfo *e)
{
    advance(lx);
    size_t start = lx->at, n = 0;
    for (size_t i = start;; i++) {
        if (i >= lx->n)
            return FAIL(lx, e, KDO_EPARSE, t->line, t->col,
                        "unterminated string: \"'\" has no closing \"'\"");
        if (lx->s[i] == '\'') {
            if (i + 1 < lx->n && lx->s[i + 1] == '\'') {
                i++;
            } else {
                break;
            }
        }
        if (++n > KDO_SQL_MAX_STRING)
            return FAIL(lx, e, KDO_ETOOBIG, t->line, t->col,
                        "string longer than %d bytes", KDO_SQL_MAX_STRING);
    }
    if (kdo_arena_alloc(lx->arena, n, out))
        return FAIL(lx, e, KDO_ETOOBIG, t->line, t->col,
                    "the SQL text needs more memory than allowed");
    size_t k = 0;
    while (k < n) {
        if (peekc(lx, 0) == '\'')
            advance(lx);
        (*out)[k++] = lx->s[lx->at];
        advance(lx);
    }
    (*out)[n] = '\0';
    advance(lx); /* the closing quote */
    *len = n;
    return 0;
}

static int lex_string(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e)
{
    char *s;
    t->kind = KDO_SQL_T_STRING;
    int err = scan_quoted(lx, t, &s, &t->len, e);
    t->text = s;
    return err;
}

static int lex_binary(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e)
{
    char *s;
    size_t n;
    advance(lx); /* X */
    int err = scan_quoted(lx, t, &s, &n, e);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex((unsigned char)s[i]))
            return FAIL(lx, e, KDO_EPARSE, t->line, t->col,
                        "binary literal X'...' holds '%c', not a hexadecimal digit", s[i]);
        if (s[i] >= 'a')
            s[i] = (char)(s[i] - 'a' + 'A');
    }
    if (n % 2)
        return FAIL(lx, e, KDO_EPARSE, t->line, t->col,
                    "binary literal X'...' needs an even number of hexadecimal digits");
    t->kind = KDO_SQL_T_BINARY;
    t->text = s;
    t->len = n;
    return 0;
}

/* After u&'...': an optional UESCAPE 'c' (looked for past blanks). */
static int lex_uescape(struct kdo_sql_lexer *lx, const struct kdo_sql_token *t, char *esc,
                       struct kdo_errinfo *e)
{
    struct kdo_sql_lexer save = *lx;
    int err = skip_blank(lx, e);
    if (err)
        return err;
    if (lx->n - lx->at < 7 || strncasecmp(lx->s + lx->at, "UESCAPE", 7) != 0 || is_alpha(peekc(lx, 7)) ||
        is_digit(peekc(lx, 7))) {
        *lx = save;
        return 0;
    }
    for (int i = 0; i < 7; i++)
        advance(lx);
    if ((err = skip_blank(lx, e)))
        return err;
    char *s;
    size_t n;
    if (peekc(lx, 0) != '\'' || (err = scan_quoted(lx, t, &s, &n, e)) || n != 1 ||
        is_hex((unsigned char)s[0]) || s[0] == '+' || s[0] == '"' || is_space(s[0]))
        return err ? err
                   : FAIL(lx, e, KDO_EPARSE, lx->line, lx->col,
                          "UESCAPE needs one character in quotes, not a hexadecimal digit, "
                          "'+', '\"' or a blank");
    *esc = s[0];
    return 0;
}

/* Decodes escapes in place: \\ is the escape itself, \XXXX and \+XXXXXX
 * are code points.  The result never grows (6 characters give at most 4
 * bytes). */
static int decode_unicode(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, char *s, size_t n,
                          char esc, struct kdo_errinfo *e)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] != esc) {
            s[o++] = s[i++];
            continue;
        }
        if (i + 1 < n && s[i + 1] == esc) {
            s[o++] = esc;
            i += 2;
            continue;
        }
        size_t digits = (i + 1 < n && s[i + 1] == '+') ? 6 : 4, from = i + 1 + (digits == 6);
        unsigned long cp = 0;
        for (size_t k = 0; k < digits; k++) {
            if (from + k >= n || !is_hex((unsigned char)s[from + k]))
                return FAIL(lx, e, KDO_EPARSE, t->line, t->col,
                            "Unicode string: escape '%c' needs %zu hexadecimal digits", esc,
                            digits);
            char c = s[from + k];
            cp = cp * 16 + (unsigned long)(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return FAIL(lx, e, KDO_EPARSE, t->line, t->col,
                        "Unicode string: U+%lX is not a character", cp);
        o += kdo_utf8_put(s + o, (uint32_t)cp);
        i = from + digits;
    }
    s[o] = '\0';
    t->len = o;
    return 0;
}

static int lex_ustring(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e)
{
    char *s, esc = '\\';
    size_t n;
    advance(lx); /* u */
    advance(lx); /* & */
    int err = scan_quoted(lx, t, &s, &n, e);
    if (!err)
        err = lex_uescape(lx, t, &esc, e);
    if (!err)
        err = decode_unicode(lx, t, s, n, esc, e);
    t->kind = KDO_SQL_T_STRING;
    t->text = s;
    return err;
}

static const char *const ops2[] = {"||", "<>", "!=", "<=", ">="};
static const char *const ops1[] = {"(", ")", ",", ".", ";", "*", "+", "-", "/",
                                   "%", "=", "<", ">", "{", "}", "?", ":", "[", "]"};

static int lex_op(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e)
{
    t->kind = KDO_SQL_T_OP;
    for (size_t i = 0; i < sizeof ops2 / sizeof ops2[0]; i++)
        if (peekc(lx, 0) == ops2[i][0] && peekc(lx, 1) == ops2[i][1]) {
            t->text = ops2[i];
            t->len = 2;
            advance(lx);
            advance(lx);
            return 0;
        }
    for (size_t i = 0; i < sizeof ops1 / sizeof ops1[0]; i++)
        if (peekc(lx, 0) == ops1[i][0]) {
            t->text = ops1[i];
            t->len = 1;
            advance(lx);
            return 0;
        }
    int c = peekc(lx, 0);
    if (c == '|')
        return FAIL(lx, e, KDO_EPARSE, t->line, t->col, "stray '|' (concatenation is '||')");
    if (c >= 0x20 && c < 0x7F)
        return FAIL(lx, e, KDO_EPARSE, t->line, t->col, "unexpected character '%c'", c);
    return FAIL(lx, e, KDO_EPARSE, t->line, t->col, "unexpected byte 0x%02X", (unsigned)c);
}

int kdo_sql_lex_next(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e)
{
    if (lx->n > KDO_SQL_MAX_TEXT)
        return FAIL(lx, e, KDO_ETOOBIG, 1, 1,
                    "the SQL text is %zu bytes, more than KDA's limit of %d", lx->n,
                    KDO_SQL_MAX_TEXT);
    int err = skip_blank(lx, e);
    if (err)
        return err;
    *t = (struct kdo_sql_token){.line = lx->line, .col = lx->col, .text = ""};
    int c = peekc(lx, 0), d = peekc(lx, 1);
    if (c == -1)
        return 0;
    if ((c == 'u' || c == 'U') && d == '&' && peekc(lx, 2) == '\'')
        return lex_ustring(lx, t, e);
    if ((c == 'x' || c == 'X') && d == '\'')
        return lex_binary(lx, t, e);
    if (is_alpha(c))
        return lex_word(lx, t, e);
    if (c == '"')
        return lex_qident(lx, t, e);
    if (c == '\'')
        return lex_string(lx, t, e);
    if (is_digit(c) || (c == '.' && is_digit(d)))
        return lex_number(lx, t, e);
    return lex_op(lx, t, e);
}

const char *kdo_sql_tok_describe(const struct kdo_sql_token *t, char *buf, size_t size)
{
    if (t->kind == KDO_SQL_T_END) {
        snprintf(buf, size, "the end of the text");
        return buf;
    }
    const char *pre = "'", *post = "'";
    if (t->kind == KDO_SQL_T_QIDENT) {
        pre = "the name \"";
        post = "\"";
    } else if (t->kind == KDO_SQL_T_STRING) {
        pre = "the string '";
    } else if (t->kind == KDO_SQL_T_BINARY) {
        pre = "the binary literal X'";
    }
    int n = t->len > 40 ? 40 : (int)t->len;
    snprintf(buf, size, "%s%.*s%s%s", pre, n, t->text, t->len > 40 ? "..." : "", post);
    return buf;
}
