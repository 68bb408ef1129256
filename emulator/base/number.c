/*
 * number.c -- see number.h.
 */
#include "base/number.h"

#include "base/errors.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- numbers as text ------------------------------------------------------ */

/* The shortest "%.*e" digits of d that read back to d: digits into dig
 * (no point, trailing zeros dropped) and the decimal exponent of the first. */
/* The shortest digits (at least min_digits) that read back to d > 0.  Any
 * decimal of at most 15 significant digits survives a trip through a
 * normal double and back (DBL_DIG), so when the 15-digit rounding of d
 * reads back to d, it is the shortest one padded with zeros, and when it
 * does not, the answer has 16 or 17 digits: two or three conversions
 * instead of up to 17, which made DOUBLE-heavy output rows three times
 * slower (tests/bench/bench_window.c).  Subnormals, with fewer digits of
 * precision, take the plain search. */
static void shortest_digits(double d, int min_digits, char dig[20], int *exp10)
{
    char tmp[40];
    int p = 15;
    snprintf(tmp, sizeof tmp, "%.14e", d);
    if (d < DBL_MIN || strtod(tmp, NULL) != d)
        for (p = d < DBL_MIN ? min_digits : 16; p <= 17; p++) {
            snprintf(tmp, sizeof tmp, "%.*e", p - 1, d);
            if (strtod(tmp, NULL) == d)
                break;
        }
    size_t k = 0;
    const char *c = tmp;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            dig[k++] = *c;
    while (k > 1 && dig[k - 1] == '0')
        k--;
    dig[k] = '\0';
    *exp10 = atoi(c + 1);
}

/* The fast path for a d > 0 in the plain range with few decimal places (a
 * price): the smallest k with N = nearest(d * 10^k) < 10^15 and N / 10^k ==
 * d.  Both are exact doubles and IEEE division rounds correctly, so the
 * division equals what strtod makes of the decimal N * 10^-k: it reads back.
 * No decimal with fewer places does: if M * 10^-j did (j < k), then d * 10^j
 * lies within M * 2^-52 < 0.5 of M (M < 10^15 < 2^51), so nearest() would
 * have found M at j.  With at most 15 digits it is also the 15-digit
 * rounding shortest_digits() would pad, so both give the same text, without
 * the snprintf and strtod round trips, which took most of a sliding window's
 * time (tests/bench/bench_window.c).  Returns false when d needs more. */
static bool few_places(double d, char dig[20], int *exp10)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14};
    for (int k = 0; k < 15; k++) {
        double n = floor(d * p10[k] + 0.5);
        if (n >= 1e15)
            return false;
        if (n < 1 || n / p10[k] != d)
            continue;
        char rev[20];
        int len = 0;
        for (uint64_t u = (uint64_t)n; u; u /= 10)
            rev[len++] = (char)('0' + u % 10);
        int first = 0; /* trailing zeros of N are not digits of d */
        while (first < len - 1 && rev[first] == '0')
            first++;
        for (int i = 0; i < len - first; i++)
            dig[i] = rev[len - 1 - i];
        dig[len - first] = '\0';
        *exp10 = len - 1 - k;
        return true;
    }
    return false;
}

/* d in plain notation from its digits and exponent (-4 < e < 7): 82.5, 0.001, 3.0. */
static size_t plain_text(bool neg, const char *dig, int nd, int e, char out[32])
{
    size_t n = 0;
    if (neg)
        out[n++] = '-';
    if (e < 0) {
        out[n++] = '0';
        out[n++] = '.';
        for (int k = 0; k < -e - 1; k++)
            out[n++] = '0';
        for (int k = 0; k < nd; k++)
            out[n++] = dig[k];
    } else {
        for (int k = 0; k <= e; k++)
            out[n++] = k < nd ? dig[k] : '0';
        out[n++] = '.';
        if (nd > e + 1)
            for (int k = e + 1; k < nd; k++)
                out[n++] = dig[k];
        else
            out[n++] = '0';
    }
    out[n] = '\0';
    return n;
}

size_t kdo_double_format(double d, char out[32])
{
    if (!isfinite(d))
        return (size_t)snprintf(out, 32, "%s", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    if (d == 0)
        return (size_t)snprintf(out, 32, "%s", signbit(d) ? "-0.0" : "0.0");
    char dig[20];
    int e;
    double a = fabs(d);
    bool plain = a >= 1e-3 && a < 1e7;
    /* Java prints at least one digit after the point, the nearest one: in
     * E notation that is two significant digits (Double.MIN_VALUE is
     * 4.9E-324, not 5.0E-324). */
    if (!plain || !few_places(a, dig, &e))
        shortest_digits(a, plain ? 1 : 2, dig, &e);
    int nd = (int)strlen(dig);
    const char *sign = d < 0 ? "-" : "";
    if (plain) /* assembled by hand: snprintf's own cost showed in bench_window */
        return plain_text(d < 0, dig, nd, e, out);
    return (size_t)snprintf(out, 32, "%s%c.%sE%d", sign, dig[0], nd > 1 ? dig + 1 : "0", e);
}

/* Checks [+-]digits[.digits][(e|E)[+-]digits] with at least one mantissa digit. */
static bool decimal_syntax(const char *s, size_t n)
{
    size_t i = 0, mant = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
        mant++;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            mant++;
    if (mant == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t ed = 0;
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            ed++;
        if (ed == 0)
            return false;
    }
    return i == n;
}

int kdo_double_parse(const char *s, size_t n, double *d)
{
    if (!decimal_syntax(s, n))
        return KDO_EINVAL;
    char small[64];
    char *copy = n < sizeof small ? small : kdo_xmalloc(n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    double v = strtod(copy, NULL);
    if (copy != small)
        free(copy);
    if (!isfinite(v))
        return KDO_EINVAL;
    *d = v;
    return 0;
}

int kdo_bigint_parse(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == n)
        return KDO_EINVAL;
    uint64_t v = 0, limit = neg ? UINT64_C(9223372036854775808) : INT64_MAX;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return KDO_EINVAL;
        unsigned dgt = (unsigned)(s[i] - '0');
        if (v > (limit - dgt) / 10)
            return KDO_EINVAL;
        v = v * 10 + dgt;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}
