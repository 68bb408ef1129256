/*
 * base64.c -- RFC 4648 base64, standard alphabet, always padded.
 *
 * The encoder is on the hot path of event building (every row of every event
 * goes through it), so it takes six input bytes per step from one 64-bit
 * big-endian load and never allocates.  The decoder is used by tests and by
 * fakes that inspect events; it is strict rather than fast: the input must be
 * exactly what kdo_base64_encode() would produce for some byte string, so a
 * sloppy encoder cannot hide behind a lenient decoder.  No URL-safe alphabet,
 * no line wrapping, no whitespace.
 */
#include "base/base64.h"

#include "base/errors.h"

#include <stdint.h>

static const char alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Compilers turn this into a single load plus a byte swap. */
static inline uint64_t load_be64(const unsigned char *p)
{
    return (uint64_t)p[0] << 56 | (uint64_t)p[1] << 48 | (uint64_t)p[2] << 40 |
           (uint64_t)p[3] << 32 | (uint64_t)p[4] << 24 | (uint64_t)p[5] << 16 |
           (uint64_t)p[6] << 8 | (uint64_t)p[7];
}

/* Eight characters from the top 48 bits of v. */
static inline void put8(char *o, uint64_t v)
{
    o[0] = alphabet[(v >> 58) & 63];
    o[1] = alphabet[(v >> 52) & 63];
    o[2] = alphabet[(v >> 46) & 63];
    o[3] = alphabet[(v >> 40) & 63];
    o[4] = alphabet[(v >> 34) & 63];
    o[5] = alphabet[(v >> 28) & 63];
    o[6] = alphabet[(v >> 22) & 63];
    o[7] = alphabet[(v >> 16) & 63];
}

/* The last 0..2 bytes: one padded quartet, or nothing. */
static char *put_tail(char *o, const unsigned char *s, size_t n)
{
    if (n == 0)
        return o;
    uint32_t v = (uint32_t)s[0] << 16 | (n == 2 ? (uint32_t)s[1] << 8 : 0);
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = n == 2 ? alphabet[(v >> 6) & 63] : '=';
    *o++ = '=';
    return o;
}

size_t kdo_base64_encode(char *dst, const void *src, size_t n)
{
    const unsigned char *s = src;
    char *o = dst;
    /* Two 8-byte loads cover 12 input bytes; each uses its top 6 bytes, and
     * the loop stops while both loads are still inside the input. */
    while (n >= 14) {
        put8(o, load_be64(s));
        put8(o + 8, load_be64(s + 6));
        s += 12;
        n -= 12;
        o += 16;
    }
    while (n >= 3) {
        uint32_t v = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
        o[0] = alphabet[v >> 18];
        o[1] = alphabet[(v >> 12) & 63];
        o[2] = alphabet[(v >> 6) & 63];
        o[3] = alphabet[v & 63];
        s += 3;
        n -= 3;
        o += 4;
    }
    o = put_tail(o, s, n);
    return (size_t)(o - dst);
}

/* The 6-bit value of an alphabet character, or -1 ('=' included). */
static int sextet(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decodes one quartet; only the last one (is_last) may carry padding, and
 * padding requires the bits it leaves over to be zero.  Returns the number of
 * bytes written (1..3) or -1. */
static int quartet(unsigned char *o, const unsigned char *q, int is_last)
{
    int a = sextet(q[0]), b = sextet(q[1]), c = sextet(q[2]), d = sextet(q[3]);
    if (a < 0 || b < 0)
        return -1;
    if (c < 0 && !(is_last && q[2] == '=' && q[3] == '=' && (b & 0x0f) == 0))
        return -1;
    if (c >= 0 && d < 0 && !(is_last && q[3] == '=' && (c & 0x03) == 0))
        return -1;
    uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 |
                 (uint32_t)(c < 0 ? 0 : c) << 6 | (uint32_t)(d < 0 ? 0 : d);
    o[0] = (unsigned char)(v >> 16);
    if (c < 0)
        return 1;
    o[1] = (unsigned char)(v >> 8);
    if (d < 0)
        return 2;
    o[2] = (unsigned char)v;
    return 3;
}

int kdo_base64_decode(void *dst, size_t *out_len, const char *src, size_t n)
{
    if (n % 4 != 0)
        return KDO_EPARSE;
    unsigned char *o = dst;
    const unsigned char *s = (const unsigned char *)src;
    size_t len = 0;
    for (size_t i = 0; i < n; i += 4) {
        int k = quartet(o + len, s + i, i + 4 == n);
        if (k < 0)
            return KDO_EPARSE;
        len += (size_t)k;
    }
    *out_len = len;
    return 0;
}
