/*
 * json.c -- the strict pull scanner of json.h: its state machine, lifecycle
 * and errors.
 *
 * A state machine over the input bytes: each kdo_json_next() resumes in the
 * state the previous token left (expecting a value, a key, a ':', a ',' or a
 * closing bracket), reads exactly one token, checks it and stops.  Strings
 * are json-string.c's (scanned in place, decoded only when they hold a
 * backslash); duplicate keys are json-keys.c's.  What it deliberately does
 * not do: build values, convert numbers, accept any extension (comments,
 * NaN, trailing commas, a BOM).
 */
#include "base/json-int.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kdo__json_fail(struct kdo_json *j, int code, const unsigned char *at, const char *fmt, ...)
{
    j->err.code = code;
    j->err.offset = (size_t)(at - j->start);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->err.msg, sizeof j->err.msg, fmt, ap);
    va_end(ap);
    j->state = KDO__JSON_S_ERROR;
    return code;
}

/* A byte for an error message: 'x' when printable, else 0xNN. */
const char *kdo__json_show_byte(int c, char out[12])
{
    if (c < 0)
        snprintf(out, 12, "end");
    else if (c > 0x20 && c < 0x7f)
        snprintf(out, 12, "'%c'", c);
    else
        snprintf(out, 12, "0x%02x", (unsigned)c & 0xffu);
    return out;
}

struct kdo_json *kdo_json_new(int max_depth, size_t max_bytes)
{
    if (max_depth < 1 || max_depth > KDO_JSON_DEPTH_CAP || max_bytes > KDO_JSON_BYTES_CAP)
        return NULL;
    struct kdo_json *j = kdo_xcalloc(1, sizeof *j);
    j->max_depth = max_depth;
    j->max_bytes = max_bytes;
    j->frames = kdo_xcalloc((size_t)max_depth, sizeof *j->frames);
    j->sets = kdo_xcalloc((size_t)max_depth, sizeof *j->sets);
    kdo_json_reset(j, "", 0);
    return j;
}

void kdo_json_free(struct kdo_json *j)
{
    if (j == NULL)
        return;
    for (int d = 0; d < j->max_depth; d++)
        free(j->sets[d].slots);
    free(j->sets);
    free(j->frames);
    free(j->keys);
    free(j->arena);
    free(j->scratch);
    free(j);
}

int kdo_json_reset(struct kdo_json *j, const char *data, size_t len)
{
    static const char empty[1] = "";
    bool missing = data == NULL;
    if (missing)
        data = empty;
    j->start = j->p = (const unsigned char *)data;
    j->end = j->p + (missing ? 0 : len);
    j->depth = 0;
    j->nkeys = 0;
    j->arena_len = 0;
    j->state = KDO__JSON_S_VALUE;
    memset(&j->err, 0, sizeof j->err);
    if (missing && len > 0)
        return kdo__json_fail(j, KDO_EINVAL, j->p, "no input (NULL with a length)");
    if (len > j->max_bytes)
        return kdo__json_fail(j, KDO_ETOOBIG, j->start + j->max_bytes,
                              "document of %zu bytes is over the limit of %zu", len, j->max_bytes);
    return 0;
}

const struct kdo_json_error *kdo_json_error(const struct kdo_json *j)
{
    return j->state == KDO__JSON_S_ERROR ? &j->err : NULL;
}

int kdo_json_errinfo(const struct kdo_json *j, struct kdo_errinfo *e, const char *file)
{
    if (j->state != KDO__JSON_S_ERROR)
        return 0;
    int line = 1;
    size_t bol = 0;
    for (size_t i = 0; i < j->err.offset && j->start + i < j->end; i++)
        if (j->start[i] == '\n') {
            line++;
            bol = i + 1;
        }
    return kdo_errinfo_set(e, j->err.code, file, line, (int)(j->err.offset - bol) + 1, "%s",
                           j->err.msg);
}

/* ---- bytes ---------------------------------------------------------------- */

/* Skips whitespace; returns the next byte, or -1 at the end of input. */
static int peek(struct kdo_json *j)
{
    const unsigned char *p = j->p, *end = j->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    j->p = p;
    return p < end ? *p : -1;
}

static bool is_digit(const unsigned char *p, const unsigned char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* ---- tokens --------------------------------------------------------------- */

static void value_done(struct kdo_json *j)
{
    j->state = j->depth == 0 ? KDO__JSON_S_DONE : KDO__JSON_S_AFTER_VALUE;
}

static int open_container(struct kdo_json *j, struct kdo_json_tok *t, bool object)
{
    if (j->depth == j->max_depth)
        return kdo__json_fail(j, KDO_EDEPTH, j->p, "more than %d nested arrays or objects",
                              j->max_depth);
    struct kdo__json_frame *f = &j->frames[j->depth++];
    f->object = object;
    f->hashed = false;
    f->key_base = j->nkeys;
    f->arena_base = j->arena_len;
    t->type = object ? KDO_JSON_OBJECT : KDO_JSON_ARRAY;
    j->state = object ? KDO__JSON_S_OBJECT_FIRST : KDO__JSON_S_ARRAY_FIRST;
    j->p++;
    return 0;
}

static int close_container(struct kdo_json *j, struct kdo_json_tok *t)
{
    struct kdo__json_frame *f = &j->frames[--j->depth];
    if (f->object) {
        j->nkeys = f->key_base;
        j->arena_len = f->arena_base;
    }
    t->type = f->object ? KDO_JSON_OBJECT_END : KDO_JSON_ARRAY_END;
    t->depth = j->depth;
    j->p++;
    value_done(j);
    return 0;
}

static int number(struct kdo_json *j, struct kdo_json_tok *t)
{
    const unsigned char *s = j->p, *p = s, *end = j->end;
    if (*p == '-')
        p++;
    if (!is_digit(p, end))
        return kdo__json_fail(j, KDO_EPARSE, p, "expected a digit after '-'");
    if (*p == '0') {
        if (is_digit(++p, end))
            return kdo__json_fail(j, KDO_EPARSE, s, "number with a leading zero");
    } else {
        while (is_digit(p, end))
            p++;
    }
    if (p < end && *p == '.') {
        if (!is_digit(++p, end))
            return kdo__json_fail(j, KDO_EPARSE, p, "expected a digit after the decimal point");
        while (is_digit(p, end))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (!is_digit(p, end))
            return kdo__json_fail(j, KDO_EPARSE, p, "expected a digit in the exponent");
        while (is_digit(p, end))
            p++;
    }
    t->type = KDO_JSON_NUMBER;
    t->s = (const char *)s;
    t->len = (size_t)(p - s);
    j->p = p;
    value_done(j);
    return 0;
}

static int literal(struct kdo_json *j, struct kdo_json_tok *t, const char *word,
                   enum kdo_json_type type)
{
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n) != 0)
        return kdo__json_fail(j, KDO_EPARSE, j->p, "invalid literal (expected %s)", word);
    t->type = type;
    j->p += n;
    value_done(j);
    return 0;
}

/* A value starting with byte c at j->p. */
static int value(struct kdo_json *j, struct kdo_json_tok *t, int c)
{
    char out[12];
    bool decoded;
    t->offset = (size_t)(j->p - j->start);
    t->depth = j->depth;
    switch (c) {
    case '{':
        return open_container(j, t, true);
    case '[':
        return open_container(j, t, false);
    case 't':
        return literal(j, t, "true", KDO_JSON_TRUE);
    case 'f':
        return literal(j, t, "false", KDO_JSON_FALSE);
    case 'n':
        return literal(j, t, "null", KDO_JSON_NULL);
    case '"': {
        int err = kdo__json_string(j, t, &decoded);
        if (err)
            return err;
        t->type = KDO_JSON_STRING;
        value_done(j);
        return 0;
    }
    default:
        if (c == '-' || (c >= '0' && c <= '9'))
            return number(j, t);
        if (c < 0)
            return kdo__json_fail(j, KDO_EPARSE, j->p, "unexpected end of input, expected a value");
        return kdo__json_fail(j, KDO_EPARSE, j->p, "unexpected %s, expected a value",
                              kdo__json_show_byte(c, out));
    }
}

static int key(struct kdo_json *j, struct kdo_json_tok *t, int c)
{
    char out[12];
    if (c != '"')
        return kdo__json_fail(j, KDO_EPARSE, j->p, "unexpected %s, expected a string key",
                              kdo__json_show_byte(c, out));
    const unsigned char *at = j->p;
    bool decoded;
    int err = kdo__json_string(j, t, &decoded);
    if (err == 0)
        err = kdo__json_add_key(j, at, t->s, t->len, decoded);
    if (err)
        return err;
    t->type = KDO_JSON_KEY;
    t->offset = (size_t)(at - j->start);
    t->depth = j->depth;
    j->state = KDO__JSON_S_COLON;
    return 0;
}

static int after_value(struct kdo_json *j, struct kdo_json_tok *t)
{
    char out[12];
    bool object = j->frames[j->depth - 1].object;
    int c = peek(j);
    if (c == ',') {
        j->p++;
        return object ? key(j, t, peek(j)) : value(j, t, peek(j));
    }
    if (c == (object ? '}' : ']'))
        return close_container(j, t);
    return kdo__json_fail(j, KDO_EPARSE, j->p, "unexpected %s, expected ',' or '%c'",
                          kdo__json_show_byte(c, out), object ? '}' : ']');
}

static int colon(struct kdo_json *j, struct kdo_json_tok *t)
{
    char out[12];
    int c = peek(j);
    if (c != ':')
        return kdo__json_fail(j, KDO_EPARSE, j->p, "unexpected %s, expected ':' after a key",
                              kdo__json_show_byte(c, out));
    j->p++;
    return value(j, t, peek(j));
}

static int done(struct kdo_json *j, struct kdo_json_tok *t)
{
    char out[12];
    int c = peek(j);
    if (c >= 0)
        return kdo__json_fail(j, KDO_EPARSE, j->p, "unexpected %s after the document",
                              kdo__json_show_byte(c, out));
    j->state = KDO__JSON_S_END;
    t->type = KDO_JSON_END;
    t->offset = (size_t)(j->p - j->start);
    return 0;
}

int kdo_json_next(struct kdo_json *j, struct kdo_json_tok *t)
{
    int c;
    t->s = NULL;
    t->len = 0;
    t->depth = j->depth;
    t->offset = (size_t)(j->p - j->start);
    switch (j->state) {
    case KDO__JSON_S_VALUE:
        return value(j, t, peek(j));
    case KDO__JSON_S_ARRAY_FIRST:
        c = peek(j);
        return c == ']' ? close_container(j, t) : value(j, t, c);
    case KDO__JSON_S_OBJECT_FIRST:
        c = peek(j);
        return c == '}' ? close_container(j, t) : key(j, t, c);
    case KDO__JSON_S_COLON:
        return colon(j, t);
    case KDO__JSON_S_AFTER_VALUE:
        return after_value(j, t);
    case KDO__JSON_S_DONE:
        return done(j, t);
    case KDO__JSON_S_END:
        t->type = KDO_JSON_END;
        return 0;
    case KDO__JSON_S_ERROR:
    default:
        t->type = KDO_JSON_END;
        return j->err.code;
    }
}

int kdo_json_skip(struct kdo_json *j, const struct kdo_json_tok *t)
{
    struct kdo_json_tok u;
    int err;
    if (t->type == KDO_JSON_KEY) {
        if ((err = kdo_json_next(j, &u)) != 0)
            return err;
        return kdo_json_skip(j, &u);
    }
    if (t->type != KDO_JSON_OBJECT && t->type != KDO_JSON_ARRAY)
        return 0;
    do {
        if ((err = kdo_json_next(j, &u)) != 0)
            return err;
    } while (u.type != KDO_JSON_END && (u.depth != t->depth || (u.type != KDO_JSON_OBJECT_END &&
                                                                u.type != KDO_JSON_ARRAY_END)));
    return 0;
}

int kdo_json_check(struct kdo_json *j, const char *data, size_t len)
{
    struct kdo_json_tok t;
    int err = kdo_json_reset(j, data, len);
    while (err == 0) {
        err = kdo_json_next(j, &t);
        if (err == 0 && t.type == KDO_JSON_END)
            break;
    }
    return err;
}
