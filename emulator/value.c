/*
 * value.c -- comparison, casts and the text forms of values.
 *
 * Mixed BIGINT/DOUBLE comparison is exact (no rounding of the integer to a
 * double first), so 2^53 + 1 > 2^53 as a double.  Timestamps use the civil
 * calendar algorithms of H. Hinnant (days from 0000-03-01 eras of 400
 * years), integer only.
 */
#include "value.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_DAY INT64_C(86400000)

const char *kdo_type_name(enum kdo_type t)
{
    switch (t) {
    case KDO_TYPE_NULL:
        return "NULL";
    case KDO_TYPE_BOOLEAN:
        return "BOOLEAN";
    case KDO_TYPE_BIGINT:
        return "BIGINT";
    case KDO_TYPE_DOUBLE:
        return "DOUBLE";
    case KDO_TYPE_VARCHAR:
        return "VARCHAR";
    case KDO_TYPE_TIMESTAMP:
        return "TIMESTAMP";
    }
    return "?";
}

bool kdo_type_castable(enum kdo_type from, enum kdo_type to)
{
    if (from == KDO_TYPE_NULL || from == to || to == KDO_TYPE_VARCHAR || from == KDO_TYPE_VARCHAR)
        return to != KDO_TYPE_NULL;
    return kdo_type_numeric(from) && kdo_type_numeric(to);
}

/* --- comparison ---------------------------------------------------------- */

static enum kdo_order order_of(int c)
{
    return c < 0 ? KDO_ORDER_LT : c > 0 ? KDO_ORDER_GT : KDO_ORDER_EQ;
}

/* i against a finite d, exactly. */
static enum kdo_order compare_int_double(int64_t i, double d)
{
    if (d >= 9223372036854775808.0)
        return KDO_ORDER_LT;
    if (d < -9223372036854775808.0)
        return KDO_ORDER_GT;
    int64_t t = (int64_t)d; /* truncation; d - t is exact */
    if (i != t)
        return order_of(i < t ? -1 : 1);
    double frac = d - (double)t;
    return order_of(frac > 0 ? -1 : frac < 0 ? 1 : 0);
}

static enum kdo_order compare_numbers(const struct kdo_value *a, const struct kdo_value *b)
{
    if (a->type == KDO_TYPE_BIGINT && b->type == KDO_TYPE_BIGINT)
        return order_of((a->u.i > b->u.i) - (a->u.i < b->u.i));
    if (a->type == KDO_TYPE_DOUBLE && b->type == KDO_TYPE_DOUBLE)
        return order_of((a->u.d > b->u.d) - (a->u.d < b->u.d));
    if (a->type == KDO_TYPE_BIGINT)
        return compare_int_double(a->u.i, b->u.d);
    enum kdo_order o = compare_int_double(b->u.i, a->u.d);
    return o == KDO_ORDER_EQ ? o : (enum kdo_order)(-(int)o);
}

static enum kdo_order compare_strings(const struct kdo_value *a, const struct kdo_value *b)
{
    size_t n = a->u.str.len < b->u.str.len ? a->u.str.len : b->u.str.len;
    int c = n ? memcmp(a->u.str.s, b->u.str.s, n) : 0;
    if (c == 0)
        c = (a->u.str.len > b->u.str.len) - (a->u.str.len < b->u.str.len);
    return order_of(c);
}

enum kdo_order kdo_value_compare(const struct kdo_value *a, const struct kdo_value *b)
{
    if (a->type == KDO_TYPE_NULL || b->type == KDO_TYPE_NULL)
        return KDO_ORDER_UNKNOWN;
    if (kdo_type_numeric(a->type) && kdo_type_numeric(b->type))
        return compare_numbers(a, b);
    if (a->type != b->type)
        return KDO_ORDER_INCOMPARABLE;
    switch (a->type) {
    case KDO_TYPE_BOOLEAN:
        return order_of((int)a->u.b - (int)b->u.b);
    case KDO_TYPE_VARCHAR:
        return compare_strings(a, b);
    case KDO_TYPE_TIMESTAMP:
        return order_of((a->u.ts_ms > b->u.ts_ms) - (a->u.ts_ms < b->u.ts_ms));
    default:
        return KDO_ORDER_INCOMPARABLE;
    }
}

enum kdo_tv kdo_value_equal(const struct kdo_value *a, const struct kdo_value *b)
{
    enum kdo_order o = kdo_value_compare(a, b);
    if (o == KDO_ORDER_UNKNOWN)
        return KDO_TV_UNKNOWN;
    return o == KDO_ORDER_EQ ? KDO_TV_TRUE : KDO_TV_FALSE;
}

bool kdo_value_same(const struct kdo_value *a, const struct kdo_value *b)
{
    if (a->type == KDO_TYPE_NULL || b->type == KDO_TYPE_NULL)
        return a->type == b->type;
    return kdo_value_compare(a, b) == KDO_ORDER_EQ;
}

/* --- UTF-8 ---------------------------------------------------------------- */

size_t kdo_utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

size_t kdo_utf8_prefix(const char *s, size_t n, size_t max_chars)
{
    size_t i = 0, chars = 0;
    while (i < n) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && chars++ == max_chars)
            break;
        i++;
    }
    return i;
}

/* --- timestamps -------------------------------------------------------- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int kdo_timestamp_format(int64_t ms, char out[KDO_TIMESTAMP_TEXT])
{
    if (ms < KDO_TIMESTAMP_MIN_MS || ms > KDO_TIMESTAMP_MAX_MS) {
        out[0] = '\0';
        return KDO_EINVAL;
    }
    int64_t days = ms / MS_PER_DAY, rem = ms % MS_PER_DAY;
    if (rem < 0) {
        days--;
        rem += MS_PER_DAY;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int sec = (int)(rem / 1000);
    char tmp[64]; /* the fields are in range; the compiler cannot tell */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d %02d:%02d:%02d.%03d", (int)y, m, d, sec / 3600,
             sec / 60 % 60, sec % 60, (int)(rem % 1000));
    memcpy(out, tmp, KDO_TIMESTAMP_TEXT - 1);
    out[KDO_TIMESTAMP_TEXT - 1] = '\0';
    return 0;
}

static bool leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Exactly `width` digits at s[*at]; advances *at. */
static bool digits(const char *s, size_t n, size_t *at, int width, int *v)
{
    *v = 0;
    for (int k = 0; k < width; k++, (*at)++) {
        if (*at >= n || s[*at] < '0' || s[*at] > '9')
            return false;
        *v = *v * 10 + (s[*at] - '0');
    }
    return true;
}

static bool expect_char(const char *s, size_t n, size_t *at, char c)
{
    if (*at >= n || s[*at] != c)
        return false;
    (*at)++;
    return true;
}

/* The optional ".S", ".SS" or ".SSS" at s[*at], as milliseconds. */
static bool fraction(const char *s, size_t n, size_t *at, int *ms)
{
    *ms = 0;
    if (*at == n)
        return true;
    if (!expect_char(s, n, at, '.'))
        return false;
    int width = 0;
    while (*at < n && width < 3 && s[*at] >= '0' && s[*at] <= '9') {
        *ms = *ms * 10 + (s[(*at)++] - '0');
        width++;
    }
    if (width == 0)
        return false;
    for (; width < 3; width++)
        *ms *= 10;
    return *at == n;
}

int kdo_timestamp_parse(const char *s, size_t n, int64_t *ms)
{
    size_t at = 0;
    int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0;
    if (!digits(s, n, &at, 4, &y) || !expect_char(s, n, &at, '-') || !digits(s, n, &at, 2, &mo) ||
        !expect_char(s, n, &at, '-') || !digits(s, n, &at, 2, &d))
        return KDO_EINVAL;
    if (at < n) {
        if (s[at] != ' ' && s[at] != 'T')
            return KDO_EINVAL;
        at++;
        if (!digits(s, n, &at, 2, &h) || !expect_char(s, n, &at, ':') ||
            !digits(s, n, &at, 2, &mi) || !expect_char(s, n, &at, ':') ||
            !digits(s, n, &at, 2, &sec) || !fraction(s, n, &at, &frac))
            return KDO_EINVAL;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        sec > 59)
        return KDO_EINVAL;
    *ms =
        days_from_civil(y, mo, d) * MS_PER_DAY + ((h * 60 + mi) * 60 + sec) * INT64_C(1000) + frac;
    return 0;
}

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

/* --- casts ------------------------------------------------------------- */

static int cast_fail(struct kdo_errinfo *e, const struct kdo_value *in, enum kdo_type to)
{
    if (in->type == KDO_TYPE_VARCHAR)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "cannot convert '%.*s' to %s",
                               (int)(in->u.str.len > 64 ? 64 : in->u.str.len), in->u.str.s,
                               kdo_type_name(to));
    return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "cannot convert %s to %s",
                           kdo_type_name(in->type), kdo_type_name(to));
}

/* Text of a non-VARCHAR value into buf[64]; returns its length. */
static size_t value_text(const struct kdo_value *in, char buf[64])
{
    switch (in->type) {
    case KDO_TYPE_BOOLEAN:
        return (size_t)snprintf(buf, 64, "%s", in->u.b ? "TRUE" : "FALSE");
    case KDO_TYPE_BIGINT:
        return (size_t)snprintf(buf, 64, "%lld", (long long)in->u.i);
    case KDO_TYPE_DOUBLE:
        return kdo_double_format(in->u.d, buf);
    case KDO_TYPE_TIMESTAMP:
        if (kdo_timestamp_format(in->u.ts_ms, buf) == 0)
            return KDO_TIMESTAMP_TEXT - 1;
        return 0;
    default:
        buf[0] = '\0';
        return 0;
    }
}

static int cast_to_varchar(const struct kdo_value *in, size_t max_len, struct kdo_arena *scratch,
                           struct kdo_value *out, struct kdo_errinfo *e)
{
    char buf[64]; /* outlives the branches: *out points into it until copied */
    if (in->type == KDO_TYPE_VARCHAR) {
        size_t n = in->u.str.len;
        if (max_len)
            n = kdo_utf8_prefix(in->u.str.s, n, max_len);
        *out = kdo_value_varchar(in->u.str.s, n);
        if (n == in->u.str.len)
            return 0;
    } else {
        size_t n = value_text(in, buf);
        if (max_len && n > max_len)
            return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "%s %s does not fit in VARCHAR(%zu)",
                                   kdo_type_name(in->type), buf, max_len);
        *out = kdo_value_varchar(buf, n);
    }
    const char *copy;
    int err = kdo_arena_dup(scratch, out->u.str.s, out->u.str.len, &copy);
    if (err)
        return kdo_errinfo_set(e, err, NULL, 0, 0, "string space exhausted");
    out->u.str.s = copy;
    return 0;
}

static bool iequal(const char *s, size_t n, const char *word)
{
    if (strlen(word) != n)
        return false;
    for (size_t k = 0; k < n; k++)
        if ((s[k] >= 'a' && s[k] <= 'z' ? s[k] - 32 : s[k]) != word[k])
            return false;
    return true;
}

static int parse_text(const char *s, size_t n, enum kdo_type to, struct kdo_value *out)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    out->type = to;
    switch (to) {
    case KDO_TYPE_BIGINT:
        return kdo_bigint_parse(s, n, &out->u.i);
    case KDO_TYPE_DOUBLE:
        return kdo_double_parse(s, n, &out->u.d);
    case KDO_TYPE_TIMESTAMP:
        return kdo_timestamp_parse(s, n, &out->u.ts_ms);
    case KDO_TYPE_BOOLEAN:
        out->u.b = iequal(s, n, "TRUE");
        return out->u.b || iequal(s, n, "FALSE") ? 0 : KDO_EINVAL;
    default:
        return KDO_EINVAL;
    }
}

static int cast_number(const struct kdo_value *in, enum kdo_type to, struct kdo_value *out,
                       struct kdo_errinfo *e)
{
    if (to == KDO_TYPE_DOUBLE) {
        *out = kdo_value_double(in->type == KDO_TYPE_BIGINT ? (double)in->u.i : in->u.d);
        return 0;
    }
    if (in->type == KDO_TYPE_BIGINT) {
        *out = *in;
        return 0;
    }
    double t = trunc(in->u.d);
    if (!(t >= -9223372036854775808.0 && t < 9223372036854775808.0))
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "%g is out of range for BIGINT", in->u.d);
    *out = kdo_value_bigint((int64_t)t);
    return 0;
}

int kdo_value_cast(const struct kdo_value *in, enum kdo_type to, size_t to_max_len,
                   struct kdo_arena *scratch, struct kdo_value *out, struct kdo_errinfo *e)
{
    if (in->type == KDO_TYPE_NULL) {
        *out = *in;
        return 0;
    }
    if (!kdo_type_castable(in->type, to))
        return cast_fail(e, in, to);
    if (to == KDO_TYPE_VARCHAR)
        return cast_to_varchar(in, to_max_len, scratch, out, e);
    if (in->type == KDO_TYPE_VARCHAR)
        return parse_text(in->u.str.s, in->u.str.len, to, out) ? cast_fail(e, in, to) : 0;
    if (kdo_type_numeric(in->type))
        return cast_number(in, to, out, e);
    *out = *in;
    return 0;
}

size_t kdo_utf8_char(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0)
        return 0;
    if (s[0] > 0 && s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
               : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return len;
}

size_t kdo_utf8_repair(char *out, const char *s, size_t n)
{
    char *o = out;
    for (size_t i = 0, k; i < n; i += k ? k : 1) {
        if ((k = kdo_utf8_char(s + i, n - i)) != 0) {
            memcpy(o, s + i, k);
            o += k;
        } else {
            memcpy(o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
    }
    return (size_t)(o - out);
}

int kdo_utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k)
        if ((k = kdo_utf8_char(s + i, n - i)) == 0)
            return 0;
    return 1;
}
