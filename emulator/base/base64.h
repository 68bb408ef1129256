/*
 * base64.h -- RFC 4648 base64 (standard alphabet, padded), as used by the
 * `data` field of KDA's output event.
 *
 * The encoder is on the hot path of event building; the decoder is strict
 * (padding required, no whitespace, no stray characters, zero trailing bits).
 */
#ifndef KDO_BASE64_H
#define KDO_BASE64_H

#include <stddef.h>

/* Encoded length of n bytes (padded). */
static inline size_t kdo_base64_len(size_t n)
{
    return (n + 2) / 3 * 4;
}

/* Writes kdo_base64_len(n) bytes to dst (no NUL); returns that count. */
size_t kdo_base64_encode(char *dst, const void *src, size_t n);

/* Decodes n characters into dst, which must hold n / 4 * 3 bytes; stores the
 * decoded length in *out_len.  Returns 0, or KDO_EPARSE when src is not
 * exactly what kdo_base64_encode() produces for some input (length not a
 * multiple of 4, a character outside the alphabet, '=' anywhere but the end
 * of the last quartet, non-zero bits under the padding); then dst may be
 * partly written and *out_len is left alone. */
int kdo_base64_decode(void *dst, size_t *out_len, const char *src, size_t n);

#endif
