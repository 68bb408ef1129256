/*
 * utf8.h -- UTF-8 as RFC 3629 defines it: well-formed characters, repair,
 * counting.  Base layer: used by the SQL engine and the delivery core alike.
 */
#ifndef KDO_UTF8_H
#define KDO_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The length (1-4) of the well-formed UTF-8 character at s[0..n) (RFC
 * 3629: no overlongs, surrogates or code points past U+10FFFF; NUL counts as
 * ill-formed here, since no row text holds one), or 0. */
size_t kdo_utf8_char(const char *s, size_t n);
/* Copies s[0..n) to out (room for 3 * n bytes), each NUL or byte that is not
 * part of well-formed UTF-8 replaced by U+FFFD, so the text can go into
 * JSON.  Returns the bytes written (no NUL added). */
size_t kdo_utf8_repair(char *out, const char *s, size_t n);
/* 1 if s[0..n) is all well-formed UTF-8 without NUL. */
int kdo_utf8_valid(const char *s, size_t n);

/* Writes code point cp (at most U+10FFFF, not a surrogate: the caller has
 * checked) to out as 1-4 bytes and returns how many. */
size_t kdo_utf8_put(char *out, uint32_t cp);

/* Number of UTF-8 code points in s[0..n): the bytes that do not continue a
 * sequence (input is assumed valid UTF-8; nothing here checks it). */
size_t kdo_utf8_length(const char *s, size_t n);
/* Byte length of the first max_chars code points of s[0..n). */
size_t kdo_utf8_prefix(const char *s, size_t n, size_t max_chars);

#endif
