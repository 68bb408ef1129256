/*
 * number.c -- see number.h.
 */
#include "base/number.h"

#include "base/errors.h"
#include "base/kassert.h"
#include "base/number-pow10.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- numbers as text ------------------------------------------------------
 * Shortest digits, after Schubfach (R. Giulietti).  KDA's text of a DOUBLE
 * has the shortest p >= min_digits whose correctly rounded p-digit decimal
 * reads back to d: what the old snprintf/strtod search found, at half a
 * sliding window's time (tests/bench/bench_window.c);
 * tests/unit/test_number_dtoa.c keeps that search as the oracle.  One
 * 128-bit product per bound scales d and its rounding interval by 10^-k
 * (base/number-pow10.h, generated); "round to odd" keeps every comparison
 * with a multiple of 4 exact, so the p-digit rounding and its membership
 * are decided on 64-bit integers, no text and no strtod. */

__extension__ typedef unsigned __int128 kdo_u128; /* GCC and Clang */

/* floor(g * cp / 2^128), its last bit set when the rest is not zero. */
static uint64_t round_to_odd(const uint64_t g[2], uint64_t cp)
{
    kdo_u128 x = (kdo_u128)g[1] * cp;
    kdo_u128 y = (kdo_u128)g[0] * cp + (x >> 64);
    uint64_t hi = (uint64_t)(y >> 64), lo = (uint64_t)y;
    return hi | (lo > 1);
}

/* floor(e * log2(10)) and floor(e * log10(2)) for |e| < 1700, in integers. */
static int floor_log2_pow10(int e) { return (e * 1741647) >> 19; }
static int floor_log10_pow2(int e) { return (e * 1262611) >> 22; }

/* d = c * 2^q scaled by 4 * 10^-k: vb, and its interval's ends [lo, hi]. */
struct scaled {
    uint64_t vb, lo, hi;
};

static struct scaled scale(uint64_t c, int q, int k, bool closer)
{
    int h = q + floor_log2_pow10(-k) + 1; /* 1..4 at k, up to 8 at k - 1 */
    const uint64_t *g = kdo_pow10_g[-k - KDO_POW10_MIN];
    bool odd = c & 1;
    struct scaled s;
    s.vb = round_to_odd(g, (4 * c) << h);
    s.lo = round_to_odd(g, (4 * c - 2 + closer) << h) + odd;
    s.hi = round_to_odd(g, (4 * c + 2) << h) - odd;
    return s;
}

static int count_digits(uint64_t v)
{
    int n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

static uint64_t pow10_u64(int e)
{
    uint64_t p = 1;
    while (e-- > 0)
        p *= 10;
    return p;
}

/* Whether vb rounded (half even) to a multiple of unit lies in the
 * interval; *r the multiple's count.  vb is odd when inexact, so a
 * remainder of exactly half is a true tie. */
static bool rounding_inside(struct scaled s, uint64_t unit, uint64_t *r)
{
    uint64_t q = s.vb / (4 * unit), rem = s.vb % (4 * unit), half = 2 * unit;
    q += rem > half || (rem == half && (q & 1));
    uint64_t v = 4 * q * unit;
    *r = q;
    return s.lo <= v && v <= s.hi;
}

/* The smallest p in [min_digits, digits of vb/4] whose rounding lies in the
 * interval: *r and the power j of ten it counts in.  On a symmetric
 * interval a longer rounding is never farther from d, so "inside" only
 * turns on as p grows and a bisection finds the first; a power of two's
 * interval is not symmetric and is scanned.  False when no p fits. */
static bool first_inside(struct scaled s, bool closer, int min_digits, uint64_t *r, int *j)
{
    int n = count_digits(s.vb / 4);
    if (n < min_digits)
        return false;
    int lo = min_digits, hi = n;
    if (closer) {
        while (lo <= n && !rounding_inside(s, pow10_u64(n - lo), r))
            lo++;
        if (lo > n)
            return false;
    } else {
        if (!rounding_inside(s, 1, r))
            return false;
        /* Most doubles that reach here (an AVG's quotient) need all n or
         * n - 1 digits: try those before bisecting, two divisions, not five. */
        if (hi - 1 >= lo && !rounding_inside(s, 10, r))
            lo = hi;
        else if (hi - 2 >= lo && !rounding_inside(s, 100, r))
            lo = hi - 1;
        else if (hi - 2 >= lo)
            hi -= 2;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (rounding_inside(s, pow10_u64(n - mid), r))
                hi = mid;
            else
                lo = mid + 1;
        }
    }
    rounding_inside(s, pow10_u64(n - lo), r);
    *j = n - lo;
    return true;
}

static void shortest_digits(double d, int min_digits, char dig[20], int *exp10)
{
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    uint64_t frac = bits & ((UINT64_C(1) << 52) - 1);
    int bexp = (int)(bits >> 52) & 0x7ff;
    uint64_t c = bexp ? frac | (UINT64_C(1) << 52) : frac;
    int q = (bexp ? bexp : 1) - 1075;
    bool closer = frac == 0 && bexp > 1; /* the gap below is half the gap above */
    int k = floor_log10_pow2(q);
    uint64_t r = 0;
    int j = 0;
    /* At k, vb/4 has 16 or 17 digits (fewer if subnormal) and the interval
     * is at least one unit wide, so its nearest rounding is inside --
     * unless the lower side is the narrow one (a power of two), or vb has
     * fewer digits than min_digits (c < 3, the smallest subnormals): then
     * one more digit at k - 1, where (4c + 2) << h still fits in 64 bits. */
    bool found = first_inside(scale(c, q, k, closer), closer, min_digits, &r, &j);
    if (!found)
        found = first_inside(scale(c, q, --k, closer), closer, min_digits, &r, &j);
    KDO_ASSERT(found && r != 0);
    while (r != 0 && r % 10 == 0) { /* r != 0: bounded even if NDEBUG */
        r /= 10;
        j++;
    }
    int nd = count_digits(r);
    for (int i = nd - 1; i >= 0; i--, r /= 10)
        dig[i] = (char)('0' + r % 10);
    dig[nd] = '\0';
    *exp10 = k + j + nd - 1;
}

/* The fast path for a d > 0 in the plain range with few decimal places (a
 * price): N = nearest(d * 10^4), when N / 10^4 == d, with its trailing zeros
 * dropped.  Both are exact doubles and IEEE division rounds correctly, so
 * the division equals what strtod makes of the decimal N * 10^-4: it reads
 * back.  And it is the shortest: if M * 10^-j read back (j <= 4), then d
 * lies within M * 10^-j * 2^-53 of it, so d * 10^4 lies within 0.5 of
 * M * 10^(4-j) (< 10^11 < 2^51 in the plain range) and N is that integer:
 * dropping N's zeros finds M.  With at most 15 digits it is also the
 * rounding shortest_digits() finds (tests/unit/test_number_dtoa.c compares
 * both with the old search), at one multiply and one divide.  Only up to 4
 * places: a quotient such as an AVG has 16 or 17 digits and goes to
 * shortest_digits().  Returns false when d needs more. */
static bool few_places(double d, char dig[20], int *exp10)
{
    double n = floor(d * 1e4 + 0.5);
    if (n < 1 || n >= 1e15 || n / 1e4 != d)
        return false;
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
    *exp10 = len - 1 - 4;
    return true;
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

size_t kdo_int64_format(int64_t v, char out[21])
{
    char tmp[20];
    uint64_t a = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0, k = 0;
    do
        tmp[n++] = (char)('0' + a % 10);
    while ((a /= 10) != 0);
    if (v < 0)
        out[k++] = '-';
    while (n)
        out[k++] = tmp[--n];
    out[k] = '\0';
    return k;
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

/* Clinger's fast path.  When the decimal's digits make an integer m <= 2^53
 * and its scale is 10^e with |e| <= 22, both m and 10^|e| are doubles
 * exactly, so one IEEE multiply or divide rounds m * 10^e correctly: the
 * double strtod makes, without strtod's copy and locale-aware scan, which
 * was a third of reading a row (tests/bench/bench_window.c).  Needs double
 * arithmetic done in double (FLT_EVAL_METHOD 0, as on x86-64 and AArch64);
 * tests/unit/test_number_dtoa.c checks it against strtod.  False when the
 * text needs strtod: more digits, a larger scale, or bad syntax. */
static bool clinger(const char *s, size_t n, double *d)
{
#if FLT_EVAL_METHOD == 0
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0, digits = 0;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    uint64_t m = 0;
    int e = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
        if ((m = m * 10 + (uint64_t)(s[i] - '0')) > (UINT64_C(1) << 53))
            return false;
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++, e--)
            if ((m = m * 10 + (uint64_t)(s[i] - '0')) > (UINT64_C(1) << 53))
                return false;
    if (i != n || digits == 0 || e < -22) /* an exponent part goes to strtod */
        return false;
    double v = (double)m / p10[-e];
    *d = neg ? -v : v;
    return true;
#else
    (void)s, (void)n, (void)d;
    return false;
#endif
}

int kdo_double_parse(const char *s, size_t n, double *d)
{
    if (clinger(s, n, d))
        return 0;
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
