/*
 * number.c -- see number.h.
 */
#include "base/number.h"

#include "base/errors.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
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
    shortest_digits(a, plain ? 1 : 2, dig, &e);
    int nd = (int)strlen(dig);
    const char *sign = d < 0 ? "-" : "";
    if (plain) {
        if (e >= 0) {
            char ip[20], fp[20];
            int ni = e + 1;
            for (int k = 0; k < ni; k++)
                ip[k] = k < nd ? dig[k] : '0';
            ip[ni] = '\0';
            snprintf(fp, sizeof fp, "%s", nd > ni ? dig + ni : "0");
            return (size_t)snprintf(out, 32, "%s%s.%s", sign, ip, fp);
        }
        return (size_t)snprintf(out, 32, "%s0.%.*s%s", sign, -e - 1, "000", dig);
    }
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
