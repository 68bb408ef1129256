/*
 * expr-str.c -- the string operations of expressions: LIKE, SUBSTRING and
 * POSITION, counted in UTF-8 code points as KDA counts characters.
 *
 * LIKE matches the whole string, case-sensitively: `_` is one character,
 * `%` any run, and the escape character (one character, or an error) makes
 * the next pattern character literal.  The matcher backtracks only to the
 * last `%`, so it runs in O(|s| * |p|) whatever the pattern.
 */
#include "sql/expr-int.h"

#include <string.h>

/* The length in bytes of the character at s[0..n) (1 for a stray byte). */
static size_t char_len(const char *s, size_t n)
{
    size_t k = kdo_utf8_char(s, n);
    return k ? k : 1;
}

/* The next pattern item at p[*i]: *lit set for a literal (escaped or plain). */
static int pattern_item(const char *p, size_t pn, size_t *i, const char *esc, size_t escn,
                        const char **item, size_t *len, bool *lit)
{
    *lit = true;
    if (escn && pn - *i >= escn && memcmp(p + *i, esc, escn) == 0) {
        *i += escn;
        if (*i >= pn)
            return KDO_EINVAL; /* an escape at the end */
        if (p[*i] != '_' && p[*i] != '%' && !(pn - *i >= escn && !memcmp(p + *i, esc, escn)))
            return KDO_EINVAL;
    } else if (p[*i] == '_' || p[*i] == '%') {
        *lit = false;
    }
    *item = p + *i;
    *len = char_len(p + *i, pn - *i);
    *i += *len;
    return 0;
}

int kdo__expr_like(const char *s, size_t n, const char *p, size_t pn, const char *esc,
                   size_t escn, bool *match)
{
    if (esc && kdo_utf8_length(esc, escn) != 1)
        return KDO_EINVAL;
    size_t si = 0, pi = 0, star_p = (size_t)-1, star_s = 0;
    for (;;) {
        if (pi < pn) {
            size_t at = pi, len;
            const char *item;
            bool lit;
            if (pattern_item(p, pn, &pi, esc, escn, &item, &len, &lit))
                return KDO_EINVAL;
            if (!lit && *item == '%') {
                star_p = pi;
                star_s = si;
                continue;
            }
            if (si < n && (!lit ? true : len <= n - si && memcmp(s + si, item, len) == 0)) {
                si += lit ? len : char_len(s + si, n - si);
                continue;
            }
            pi = at;
        } else if (si == n) {
            *match = true;
            return 0;
        }
        if (star_p == (size_t)-1 || star_s >= n) {
            /* no % to retry from; the rest of the pattern must still be valid */
            while (pi < pn) {
                size_t len;
                const char *item;
                bool lit;
                if (pattern_item(p, pn, &pi, esc, escn, &item, &len, &lit))
                    return KDO_EINVAL;
            }
            *match = false;
            return 0;
        }
        star_s += char_len(s + star_s, n - star_s);
        si = star_s;
        pi = star_p;
    }
}

/* The byte offset of character number k (0-based) of s, or n past the end. */
static size_t offset_of_char(const char *s, size_t n, int64_t k)
{
    size_t i = 0;
    for (; i < n && k > 0; k--)
        i += char_len(s + i, n - i);
    return i;
}

/* SQL's rule: the characters from `from` to from + count - 1 (1-based), clipped
 * to the string, so FROM -1 FOR 4 is the first two. */
int kdo__expr_substring(const char *s, size_t n, int64_t from, bool has_count, int64_t count,
                        bool comma, size_t *off, size_t *len, bool *null)
{
    *null = false;
    if (has_count && count < 0)
        return KDO_EINVAL; /* SQL: a negative length is an error */
    int64_t chars = (int64_t)kdo_utf8_length(s, n);
    if (comma && (from > chars || from < 1)) {
        /* SUBSTRING(s, 10, 4) past the end is NULL (GAPS #20) */
        *null = from > chars;
        if (*null)
            return 0;
    }
    int64_t end = INT64_MAX;
    if (has_count && __builtin_add_overflow(from, count, &end))
        end = from < 0 ? INT64_MIN : INT64_MAX;
    int64_t start = from < 1 ? 1 : from;
    if (end <= start || start > chars) {
        *off = 0;
        *len = 0;
        return 0;
    }
    *off = offset_of_char(s, n, start - 1);
    *len = offset_of_char(s + *off, n - *off, end - start);
    return 0;
}

int64_t kdo__expr_position(const char *needle, size_t nn, const char *hay, size_t hn)
{
    if (nn == 0)
        return 1;
    for (size_t i = 0; i + nn <= hn; i += char_len(hay + i, hn - i))
        if (memcmp(hay + i, needle, nn) == 0)
            return (int64_t)kdo_utf8_length(hay, i) + 1;
    return 0;
}
