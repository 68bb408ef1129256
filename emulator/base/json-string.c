/*
 * json-string.c -- the JSON scanner's strings: the fast scan, UTF-8 and
 * escapes.
 *
 * Strings are scanned in place, eight (or sixteen) bytes at a time, and
 * handed out as a pointer into the input; only a string with a backslash is
 * decoded, into a scratch buffer sized once to the rest of the input
 * (unescaping never lengthens).  Every byte is checked as RFC 8259 and RFC
 * 3629 say: no raw control characters, no overlongs or encoded surrogates,
 * \u escapes with correctly paired surrogates.  This loop is the scanner's
 * hot spot, which is why it is its own file with its own tables.
 */
#include "base/json-int.h"
#include "base/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 1 for the bytes that stop the fast string scan: '"', '\\', control
 * characters and every non-ASCII byte (which starts a UTF-8 check). */
#define X16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
// clang-format off
static const uint8_t stops[256] = {
    X16(1), X16(1),                                  /* 0x00-0x1f */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x20-0x2f: '"' */
    X16(0), X16(0),                                  /* 0x30-0x4f */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,  /* 0x50-0x5f: '\\' */
    X16(0), X16(0),                                  /* 0x60-0x7f */
    X16(1), X16(1), X16(1), X16(1), X16(1), X16(1), X16(1), X16(1),
};
// clang-format on
#undef X16

/* Length of the valid UTF-8 sequence at p (2..4 bytes, RFC 3629 table 3-7),
 * or 0: no overlongs, no encoded surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0], lo = 0x80, hi = 0xbf;
    size_t n;
    if (c < 0xc2)
        return 0;
    else if (c < 0xe0)
        n = 2;
    else if (c < 0xf0) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c < 0xf5) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else
        return 0;
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

static int hex4(const unsigned char *p, const unsigned char *end)
{
    if (end - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* ---- strings -------------------------------------------------------------- */

/* The first byte at or after p that stops a string scan (see stops[]), or
 * end.  Eight bytes at a time: a string is mostly plain bytes, and this loop
 * is the scanner's hot spot.  In each word, a byte is flagged if it is >= 0x80,
 * < 0x20, '"' or '\\'; the borrow tricks can flag false bytes only above a
 * true one, so the lowest flagged byte is exact. */
static const unsigned char *plain_run(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__)
    /* 16 bytes a step (SSE2 is part of every x86-64): as signed bytes, both
     * control characters and bytes >= 0x80 compare below 0x20. */
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i hit =
            _mm_or_si128(_mm_cmplt_epi8(v, space),
                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        int mask = _mm_movemask_epi8(hit);
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#endif
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (end - p >= 8) {
        uint64_t w, q, b;
        memcpy(&w, p, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        uint64_t hit =
            (w | ((w - ones * 0x20) & ~w) | ((q - ones) & ~q) | ((b - ones) & ~b)) & highs;
        if (hit)
            return p + (__builtin_ctzll(hit) >> 3);
        p += 8;
    }
#endif
    while (p < end && !stops[*p])
        p++;
    return p;
}

/* The \u escape at j->p (pointing at the backslash), surrogate pairs joined. */
static int unicode_escape(struct kdo_json *j, char **q)
{
    const unsigned char *p = j->p;
    int cp = hex4(p + 2, j->end);
    if (cp < 0)
        return kdo__json_fail(j, KDO_EPARSE, p, "\\u escape without four hex digits");
    if (cp >= 0xdc00 && cp <= 0xdfff)
        return kdo__json_fail(j, KDO_EPARSE, p, "lone low surrogate \\u%04x", (unsigned)cp);
    if (cp >= 0xd800 && cp <= 0xdbff) {
        int lo = j->end - p >= 12 && p[6] == '\\' && p[7] == 'u' ? hex4(p + 8, j->end) : -1;
        if (lo < 0xdc00 || lo > 0xdfff)
            return kdo__json_fail(j, KDO_EPARSE, p,
                                  "high surrogate \\u%04x not followed by a low one", (unsigned)cp);
        *q += kdo_utf8_put(*q, 0x10000 + (((uint32_t)cp - 0xd800) << 10) + ((uint32_t)lo - 0xdc00));
        j->p = p + 12;
        return 0;
    }
    *q += kdo_utf8_put(*q, (uint32_t)cp);
    j->p = p + 6;
    return 0;
}

static int escape(struct kdo_json *j, char **q)
{
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const unsigned char *p = j->p;
    char out[12];
    int c = p + 1 < j->end ? p[1] : -1;
    const char *hit = c > 0 ? strchr(from, c) : NULL;
    if (c == 'u')
        return unicode_escape(j, q);
    if (c < 0)
        return kdo__json_fail(j, KDO_EPARSE, p,
                              "unterminated string (the input ends in an escape)");
    if (hit == NULL)
        return kdo__json_fail(j, KDO_EPARSE, p, "invalid escape \\ followed by %s",
                              kdo__json_show_byte(c, out));
    *(*q)++ = to[hit - from];
    j->p = p + 2;
    return 0;
}

/* One byte of a string that the fast scan stopped at, other than '"' and
 * '\\': a control character (refused) or the start of a UTF-8 sequence. */
static int string_special(struct kdo_json *j, size_t *n)
{
    const unsigned char *p = j->p;
    if (*p < 0x20)
        return kdo__json_fail(j, KDO_EPARSE, p, "unescaped control character 0x%02x in a string",
                              *p);
    *n = utf8_len(p, j->end);
    if (*n == 0)
        return kdo__json_fail(j, KDO_EPARSE, p, "invalid UTF-8 byte 0x%02x in a string", *p);
    return 0;
}

/* Decodes the string that began at s (just after its quote) into scratch;
 * j->p is at its first backslash, bytes before it are plain. */
static int string_decode(struct kdo_json *j, const unsigned char *s, const unsigned char *quote,
                         struct kdo_json_tok *t)
{
    size_t room = (size_t)(j->end - s);
    if (j->scratch_cap < room) {
        j->scratch = kdo_xrealloc(j->scratch, room);
        j->scratch_cap = room;
    }
    memcpy(j->scratch, s, (size_t)(j->p - s));
    char *q = j->scratch + (j->p - s);
    for (;;) {
        const unsigned char *p = j->p, *end = j->end, *run = plain_run(p, end);
        memcpy(q, p, (size_t)(run - p));
        q += run - p;
        p = j->p = run;
        if (p == end)
            return kdo__json_fail(j, KDO_EPARSE, quote, "unterminated string");
        size_t n;
        int err;
        if (*p == '"') {
            t->s = j->scratch;
            t->len = (size_t)(q - j->scratch);
            j->p = p + 1;
            return 0;
        } else if (*p == '\\') {
            err = escape(j, &q);
        } else if ((err = string_special(j, &n)) == 0) {
            memcpy(q, p, n);
            q += n;
            j->p = p + n;
        }
        if (err)
            return err;
    }
}

/* The string at j->p (its opening quote): in place unless it has escapes.
 * *decoded tells which. */
int kdo__json_string(struct kdo_json *j, struct kdo_json_tok *t, bool *decoded)
{
    const unsigned char *quote = j->p, *s = quote + 1, *p = s, *end = j->end;
    *decoded = false;
    for (;;) {
        p = j->p = plain_run(p, end);
        if (p == end)
            return kdo__json_fail(j, KDO_EPARSE, quote, "unterminated string");
        if (*p == '"') {
            t->s = (const char *)s;
            t->len = (size_t)(p - s);
            j->p = p + 1;
            return 0;
        }
        if (*p == '\\') {
            *decoded = true;
            return string_decode(j, s, quote, t);
        }
        size_t n;
        int err = string_special(j, &n);
        if (err)
            return err;
        p += n;
    }
}
