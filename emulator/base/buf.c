/*
 * buf.c -- bounded growable buffers.
 */
#include "base/buf.h"

#include "base/errors.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void kdo_buf_init(struct kdo_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void kdo_buf_cleanup(struct kdo_buf *b)
{
    free(b->data);
    kdo_buf_init(b, b->max);
}

int kdo_buf_reserve(struct kdo_buf *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return KDO_ETOOBIG;
    size_t need = b->len + extra + 1; /* + NUL */
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max && b->max < SIZE_MAX / 2) /* doubling must not overshoot the bound */
        cap = need > b->max + 1 ? need : b->max + 1;
    b->data = kdo_xrealloc(b->data, cap);
    b->cap = cap;
    return 0;
}

int kdo_buf_append(struct kdo_buf *b, const void *p, size_t n)
{
    int err = kdo_buf_reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int kdo_buf_puts(struct kdo_buf *b, const char *s)
{
    return kdo_buf_append(b, s, strlen(s));
}

int kdo_buf_vprintf(struct kdo_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return KDO_EINVAL;
    int err = kdo_buf_reserve(b, (size_t)n);
    if (err)
        return err;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int kdo_buf_printf(struct kdo_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int err = kdo_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return err;
}

/* Bytes of s[0..n) as a JSON string literal, quotes included. */
static size_t escaped_len(const char *s, size_t n)
{
    size_t need = 2;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c == '\n' || c == '\t' || c == '\r')
            need += 2;
        else
            need += c < 0x20 ? 6 : 1;
    }
    return need;
}

/* How many leading bytes of s[0..n) need no escaping. */
static size_t plain_prefix(const char *s, size_t n)
{
    size_t plain = 0;
    while (plain < n && (unsigned char)s[plain] >= 0x20 && s[plain] != '"' && s[plain] != '\\')
        plain++;
    return plain;
}

/* s[0..n) quoted at o, its first `plain` bytes known to need no escaping. */
static char *string_to(char *o, const char *s, size_t n, size_t plain)
{
    static const char hex[] = "0123456789abcdef";
    *o++ = '"';
    if (plain) /* the common case: nothing to escape */
        memcpy(o, s, plain);
    o += plain;
    for (size_t i = plain; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20) {
            *o++ = '\\';
            switch (c) {
            case '\n': *o++ = 'n'; break;
            case '\t': *o++ = 't'; break;
            case '\r': *o++ = 'r'; break;
            default:
                *o++ = 'u'; *o++ = '0'; *o++ = '0';
                *o++ = hex[c >> 4]; *o++ = hex[c & 15];
            }
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    return o;
}

char *kdo_json_string_to(char *o, const char *s, size_t n)
{
    return string_to(o, s, n, plain_prefix(s, n));
}

int kdo_buf_json_string(struct kdo_buf *b, const char *s, size_t n)
{
    /* Nothing to escape (the common case) needs n + 2; else worst case every
     * byte becomes \u00XX; for a long string, or when that estimate passes
     * the maximum, count exactly instead, so a string that fits is never
     * refused. */
    size_t plain = plain_prefix(s, n);
    int err = 0;
    if (plain == n)
        err = kdo_buf_reserve(b, n + 2);
    else if (n > (b->max / 6) + 1 || kdo_buf_reserve(b, n * 6 + 2) != 0)
        err = kdo_buf_reserve(b, escaped_len(s, n));
    if (err)
        return err;
    char *o = string_to(b->data + b->len, s, n, plain);
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    return 0;
}
