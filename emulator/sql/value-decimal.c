/*
 * value-decimal.c -- KDA's exact DECIMAL(p,s): an int64 scaled by 10^s with
 * at most 18 digits (KDA's limit, so every product of two fits in 128 bits
 * and nothing here can overflow undetected).
 *
 * Rounding is half away from zero, as Java's BigDecimal HALF_UP (the engine
 * under KDA).  Text is parsed digit by digit, never through a double, so
 * '0.145' at scale 2 is 0.15; a DOUBLE becomes a DECIMAL through its
 * shortest text (Java's BigDecimal.valueOf), so 0.145 stays 0.145 too.
 */
#include "sql/value.h"

#include "base/number.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIG 64 /* significant digits kept; later ones only decide inexactness */

int64_t kdo_decimal_pow10(int k)
{
    int64_t p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

static __int128 abs128(__int128 v)
{
    return v < 0 ? -v : v;
}

/* v / 10^k rounded half away from zero. */
static __int128 div_round(__int128 v, int k)
{
    __int128 p = kdo_decimal_pow10(k > 18 ? 18 : k), q, r;
    if (k > 18)
        v = div_round(v, k - 18);
    q = v / p;
    r = v % p;
    if (abs128(r) * 2 >= p)
        q += v < 0 ? -1 : 1;
    return q;
}

static int fits(__int128 v, int64_t *out)
{
    if (abs128(v) >= KDO_DECIMAL_LIMIT)
        return KDO_ETOOBIG;
    *out = (int64_t)v;
    return 0;
}

int kdo_decimal_rescale(int64_t v, int from, int to, int64_t *out)
{
    if (to >= from)
        return fits((__int128)v * kdo_decimal_pow10(to - from), out);
    return fits(div_round(v, from - to), out);
}

int kdo_decimal_digits(int64_t v)
{
    int n = 1;
    for (v = v < 0 ? -v : v; v >= 10; v /= 10)
        n++;
    return n;
}

double kdo_decimal_to_double(int64_t v, int scale)
{
    if (v > -(INT64_C(1) << 53) && v < (INT64_C(1) << 53))
        return (double)v / (double)kdo_decimal_pow10(scale); /* both exact: one rounding */
    char t[KDO_DECIMAL_TEXT];
    kdo_decimal_format(v, scale, t);
    return strtod(t, NULL);
}

size_t kdo_decimal_format(int64_t v, int scale, char out[KDO_DECIMAL_TEXT])
{
    if (scale == 0)
        return kdo_int64_format(v, out);
    /* The digits of |v| with at least scale + 1 of them, the point before
     * the last scale: by hand, as snprintf showed in output rows. */
    uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char tmp[24];
    int n = 0;
    do
        tmp[n++] = (char)('0' + a % 10);
    while ((a /= 10) != 0 || n <= scale);
    size_t k = 0;
    if (v < 0)
        out[k++] = '-';
    while (n) {
        if (n == scale)
            out[k++] = '.';
        out[k++] = tmp[--n];
    }
    out[k] = '\0';
    return k;
}

/* The digits of a number's text: sig[0..n) significant digits (no leading
 * zeros), the point after `point` of them; *dropped when more than MAX_SIG
 * were seen (the extra ones non-zero). */
struct digits {
    char sig[MAX_SIG];
    int n;
    long point;
    bool negative, dropped;
};

static int exponent(const char *s, size_t n, size_t *i, long *e)
{
    bool neg = false;
    if (*i < n && (s[*i] == '+' || s[*i] == '-'))
        neg = s[(*i)++] == '-';
    if (*i >= n || s[*i] < '0' || s[*i] > '9')
        return KDO_EINVAL;
    for (*e = 0; *i < n && s[*i] >= '0' && s[*i] <= '9'; ++*i)
        if ((*e = *e * 10 + (s[*i] - '0')) > 9999)
            return KDO_EINVAL;
    *e = neg ? -*e : *e;
    return 0;
}

static void digit(struct digits *d, char c, bool fraction)
{
    if (d->n == 0 && c == '0') {
        if (fraction)
            d->point--;
        return;
    }
    if (!fraction)
        d->point++;
    if (d->n < MAX_SIG)
        d->sig[d->n++] = c;
    else if (c != '0')
        d->dropped = true;
}

static int scan(const char *s, size_t n, struct digits *d)
{
    size_t i = 0, seen = 0;
    bool fraction = false;
    memset(d, 0, sizeof *d);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        d->negative = s[i++] == '-';
    for (; i < n; i++) {
        if (s[i] == '.' && !fraction)
            fraction = true;
        else if (s[i] >= '0' && s[i] <= '9')
            digit(d, s[i], fraction), seen++;
        else
            break;
    }
    long e = 0;
    if (seen == 0)
        return KDO_EINVAL;
    if (i < n && (s[i] == 'e' || s[i] == 'E') && (++i, exponent(s, n, &i, &e)))
        return KDO_EINVAL;
    d->point += e;
    return i == n ? 0 : KDO_EINVAL;
}

int kdo_decimal_parse(const char *s, size_t n, int scale, int64_t *v, bool *inexact)
{
    struct digits d;
    if (scan(s, n, &d))
        return KDO_EINVAL;
    long keep = d.point + scale; /* digits that land left of the scale's last place */
    bool lost = d.dropped;
    __int128 r = 0;
    if (keep > KDO_DECIMAL_MAX_DIGITS && d.n > 0)
        return KDO_ETOOBIG;
    for (long k = 0; k < keep; k++)
        r = r * 10 + (k < d.n ? d.sig[k] - '0' : 0);
    for (long k = keep < 0 ? 0 : keep; k < d.n; k++)
        lost = lost || d.sig[k] != '0';
    if (keep >= 0 && keep < d.n && d.sig[keep] >= '5')
        r++;
    if (inexact)
        *inexact = lost;
    return fits(d.negative ? -r : r, v);
}

/* 10^k for k in 0..38. */
static __int128 pow10_wide(int k)
{
    __int128 p = 1;
    while (k-- > 0)
        p *= 10;
    return p;
}

/* n / d rounded half away from zero (d != 0). */
static __int128 quotient(__int128 n, __int128 d)
{
    __int128 q = n / d, r = n % d;
    if (abs128(r) * 2 >= abs128(d))
        q += (n < 0) != (d < 0) ? -1 : 1;
    return q;
}

static int divide(__int128 a, int sa, __int128 b, int sb, int scale, int64_t *out)
{
    if (b == 0)
        return KDO_EINVAL;
    int e = scale - sa + sb; /* a * 10^e / b is the result at `scale` */
    if (e < 0)
        return fits(quotient(a, b * pow10_wide(-e)), out);
    __int128 p = pow10_wide(e), max = (__int128)(((unsigned __int128)1 << 127) - 1);
    if (abs128(a) > max / p) /* then the quotient is past 10^18 anyway: |b| < 10^19 */
        return KDO_ETOOBIG;
    return fits(quotient(a * p, b), out);
}

int kdo_decimal_arith(char op, int64_t a, int sa, int64_t b, int sb, int scale, int64_t *out)
{
    int s = sa > sb ? sa : sb;
    __int128 r;
    switch (op) {
    case '+':
    case '-':
        r = (__int128)a * kdo_decimal_pow10(s - sa);
        r = op == '+' ? r + (__int128)b * kdo_decimal_pow10(s - sb)
                      : r - (__int128)b * kdo_decimal_pow10(s - sb);
        break;
    case '*':
        r = (__int128)a * b; /* < 2^126: two values under 10^19 */
        s = sa + sb;
        break;
    default:
        return divide(a, sa, b, sb, scale, out);
    }
    if (s > scale)
        r = s - scale > 36 ? 0 : quotient(r, pow10_wide(s - scale));
    else if (s < scale && abs128(r) >= KDO_DECIMAL_LIMIT) /* would only grow */
        return KDO_ETOOBIG;
    else if (s < scale)
        r *= kdo_decimal_pow10(scale - s);
    return fits(r, out);
}
