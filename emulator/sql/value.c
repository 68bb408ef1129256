/*
 * value.c -- comparison, casts and the text forms of values.
 *
 * Mixed BIGINT/DOUBLE comparison is exact (no rounding of the integer to a
 * double first), so 2^53 + 1 > 2^53 as a double.  Timestamps use the civil
 * calendar algorithms of H. Hinnant (days from 0000-03-01 eras of 400
 * years), integer only.
 */
#include "sql/value.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


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
    case KDO_TYPE_INTERVAL_DS:
        return "INTERVAL DAY TO SECOND";
    case KDO_TYPE_INTERVAL_YM:
        return "INTERVAL YEAR TO MONTH";
    case KDO_TYPE_DECIMAL:
        return "DECIMAL";
    }
    return "?";
}

size_t kdo_value_key_len(const struct kdo_value *v)
{
    switch (v->type) {
    case KDO_TYPE_NULL:
        return 1;
    case KDO_TYPE_BOOLEAN:
        return 2;
    case KDO_TYPE_VARCHAR:
        return 5 + v->u.str.len;
    case KDO_TYPE_DECIMAL:
        return 10;
    default:
        return 9;
    }
}

char *kdo_value_key_put(char *out, const struct kdo_value *v)
{
    *out++ = (char)v->type;
    switch (v->type) {
    case KDO_TYPE_NULL:
        break;
    case KDO_TYPE_BOOLEAN:
        *out++ = (char)v->u.b;
        break;
    case KDO_TYPE_VARCHAR: {
        uint32_t l = (uint32_t)v->u.str.len;
        memcpy(out, &l, 4);
        if (l)
            memcpy(out + 4, v->u.str.s, l);
        out += 4 + l;
        break;
    }
    case KDO_TYPE_DOUBLE: {
        double d = v->u.d == 0 ? 0 : v->u.d; /* -0.0 and 0.0 are one group */
        memcpy(out, &d, 8);
        out += 8;
        break;
    }
    case KDO_TYPE_DECIMAL:
        memcpy(out, &v->u.dec.v, 8);
        out[8] = (char)v->u.dec.scale;
        out += 9;
        break;
    default:
        memcpy(out, &v->u.i, 8);
        out += 8;
        break;
    }
    return out;
}

const char *kdo_value_key_get(const char *p, struct kdo_value *v)
{
    *v = kdo_value_null();
    v->type = (enum kdo_type)(unsigned char)*p++;
    switch (v->type) {
    case KDO_TYPE_NULL:
        break;
    case KDO_TYPE_BOOLEAN:
        v->u.b = *p++ != 0;
        break;
    case KDO_TYPE_VARCHAR: {
        uint32_t l;
        memcpy(&l, p, 4);
        v->u.str.s = p + 4;
        v->u.str.len = l;
        p += 4 + l;
        break;
    }
    case KDO_TYPE_DOUBLE:
        memcpy(&v->u.d, p, 8);
        p += 8;
        break;
    case KDO_TYPE_DECIMAL:
        memcpy(&v->u.dec.v, p, 8);
        v->u.dec.scale = (signed char)p[8];
        p += 9;
        break;
    default:
        memcpy(&v->u.i, p, 8);
        p += 8;
        break;
    }
    return p;
}

bool kdo_type_castable(enum kdo_type from, enum kdo_type to)
{
    if (from == KDO_TYPE_INTERVAL_DS || from == KDO_TYPE_INTERVAL_YM ||
        to == KDO_TYPE_INTERVAL_DS || to == KDO_TYPE_INTERVAL_YM)
        return false; /* their text needs the qualifier, which a value does not keep */
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

/* BIGINT or DECIMAL at scale `to` (>= its own), exactly: at most 19 + 18 digits. */
static __int128 scaled(const struct kdo_value *v, int to)
{
    if (v->type == KDO_TYPE_BIGINT)
        return (__int128)v->u.i * kdo_decimal_pow10(to);
    return (__int128)v->u.dec.v * kdo_decimal_pow10(to - v->u.dec.scale);
}

static double as_double(const struct kdo_value *v)
{
    return v->type == KDO_TYPE_DECIMAL ? kdo_decimal_to_double(v->u.dec.v, v->u.dec.scale)
                                       : v->u.d;
}

static enum kdo_order compare_decimal(const struct kdo_value *a, const struct kdo_value *b)
{
    if (a->type == KDO_TYPE_DOUBLE || b->type == KDO_TYPE_DOUBLE) {
        double x = as_double(a), y = as_double(b);
        return order_of((x > y) - (x < y));
    }
    int sa = a->type == KDO_TYPE_DECIMAL ? a->u.dec.scale : 0;
    int sb = b->type == KDO_TYPE_DECIMAL ? b->u.dec.scale : 0;
    int s = sa > sb ? sa : sb;
    __int128 x = scaled(a, s), y = scaled(b, s);
    return order_of((x > y) - (x < y));
}

static enum kdo_order compare_numbers(const struct kdo_value *a, const struct kdo_value *b)
{
    if (a->type == KDO_TYPE_DECIMAL || b->type == KDO_TYPE_DECIMAL)
        return compare_decimal(a, b);
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
    case KDO_TYPE_INTERVAL_DS:
    case KDO_TYPE_INTERVAL_YM:
        return order_of((a->u.i > b->u.i) - (a->u.i < b->u.i));
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
    case KDO_TYPE_DECIMAL:
        return kdo_decimal_format(in->u.dec.v, in->u.dec.scale, buf);
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
    if (to == KDO_TYPE_DECIMAL)
        return kdo_value_cast_decimal(in, KDO_DECIMAL_MAX_DIGITS, 0, out, e);
    if (to == KDO_TYPE_DOUBLE) {
        *out = kdo_value_double(in->type == KDO_TYPE_BIGINT ? (double)in->u.i : as_double(in));
        return 0;
    }
    if (in->type == KDO_TYPE_DECIMAL) { /* rounded, as KDA documents */
        int64_t r;
        kdo_decimal_rescale(in->u.dec.v, in->u.dec.scale, 0, &r); /* fewer digits: fits */
        *out = kdo_value_bigint(r);
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
    if (to == KDO_TYPE_DECIMAL)
        return kdo_value_cast_decimal(in, KDO_DECIMAL_MAX_DIGITS, 0, out, e);
    if (in->type == KDO_TYPE_VARCHAR)
        return parse_text(in->u.str.s, in->u.str.len, to, out) ? cast_fail(e, in, to) : 0;
    if (kdo_type_numeric(in->type))
        return cast_number(in, to, out, e);
    *out = *in;
    return 0;
}

/* in (BIGINT, DOUBLE, DECIMAL or text) at `scale`, before the precision check. */
static int decimal_of(const struct kdo_value *in, int scale, int64_t *v)
{
    char buf[64];
    switch (in->type) {
    case KDO_TYPE_BIGINT: {
        __int128 r = (__int128)in->u.i * kdo_decimal_pow10(scale);
        if (r <= -KDO_DECIMAL_LIMIT || r >= KDO_DECIMAL_LIMIT)
            return KDO_ETOOBIG;
        *v = (int64_t)r;
        return 0;
    }
    case KDO_TYPE_DECIMAL:
        return kdo_decimal_rescale(in->u.dec.v, in->u.dec.scale, scale, v);
    case KDO_TYPE_DOUBLE: /* through its shortest text, as Java's BigDecimal.valueOf */
        if (!isfinite(in->u.d))
            return KDO_EINVAL;
        return kdo_decimal_parse(buf, kdo_double_format(in->u.d, buf), scale, v, NULL);
    case KDO_TYPE_VARCHAR:
        return kdo_decimal_parse(in->u.str.s, in->u.str.len, scale, v, NULL);
    default:
        return KDO_EINVAL;
    }
}

int kdo_value_cast_decimal(const struct kdo_value *in, int precision, int scale,
                           struct kdo_value *out, struct kdo_errinfo *e)
{
    int64_t v = 0;
    if (in->type == KDO_TYPE_NULL) {
        *out = *in;
        return 0;
    }
    int err = decimal_of(in, scale, &v);
    if (err == KDO_EINVAL)
        return cast_fail(e, in, KDO_TYPE_DECIMAL);
    if (err || kdo_decimal_digits(v) > precision) {
        char t[64];
        if (in->type == KDO_TYPE_VARCHAR)
            snprintf(t, sizeof t, "'%.*s'", (int)(in->u.str.len > 40 ? 40 : in->u.str.len),
                     in->u.str.s);
        else
            value_text(in, t);
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "%s does not fit in DECIMAL(%d,%d)", t,
                               precision, scale);
    }
    *out = kdo_value_decimal(v, scale);
    return 0;
}
