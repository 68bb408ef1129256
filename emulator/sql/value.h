/*
 * value.h -- typed SQL values: NULL, BOOLEAN, BIGINT, DOUBLE, DECIMAL,
 * VARCHAR and TIMESTAMP, with SQL's comparison, casts and timestamp text.
 *
 * A value is a small struct passed by value; a VARCHAR borrows its bytes
 * from whoever made it (a row's arena, an expression's literal pool, the
 * scratch arena given to a cast).  The invariant: a DOUBLE value is always
 * finite -- every operation that would produce NaN or an infinity reports
 * an error instead -- and a TIMESTAMP lies in years 0001..9999.  SQL NULL is
 * its own tag (KDO_TYPE_NULL) whatever the column type; comparisons with it
 * are UNKNOWN.  Timestamps are milliseconds since 1970-01-01 00:00:00 UTC,
 * converted with integer arithmetic only (no libc time zone, no clock).
 * Case mapping and lengths are over UTF-8 code points, but only ASCII
 * letters change case.  A DECIMAL(p,s) is exact: an int64 scaled by 10^s,
 * with at most KDO_DECIMAL_MAX_DIGITS digits (KDA's limit), its scale in
 * the value; rounding is half away from zero (Java's HALF_UP).  This module
 * does not know columns or rows (row.h).
 */
#ifndef KDO_VALUE_H
#define KDO_VALUE_H

#include "base/arena.h"
#include "base/errors.h"
#include "base/number.h"
#include "base/timestamp.h"
#include "base/utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kdo_type {
    KDO_TYPE_NULL = 0, /* only for the NULL literal / a NULL value */
    KDO_TYPE_BOOLEAN,
    KDO_TYPE_BIGINT,
    KDO_TYPE_DOUBLE, /* REAL, FLOAT, DOUBLE [PRECISION] */
    KDO_TYPE_VARCHAR,
    KDO_TYPE_TIMESTAMP,
    /* Expression values only, never a column's: INTERVAL DAY TO SECOND and
     * its sub-ranges in milliseconds, INTERVAL YEAR TO MONTH in months
     * (both in u.i). */
    KDO_TYPE_INTERVAL_DS,
    KDO_TYPE_INTERVAL_YM,
    /* DECIMAL(p,s): u.dec.v / 10^u.dec.scale, |v| < 10^KDO_DECIMAL_MAX_DIGITS. */
    KDO_TYPE_DECIMAL,
};

/* KDA: "For DECIMAL we support a maximum of 18 digits for precision and
 * scale"; DECIMAL alone is DECIMAL(18,0). */
#define KDO_DECIMAL_MAX_DIGITS 18
#define KDO_DECIMAL_LIMIT INT64_C(1000000000000000000) /* 10^18: |v| stays below */
#define KDO_DECIMAL_TEXT 24 /* "-0.999999999999999999" and a NUL */

struct kdo_value {
    enum kdo_type type; /* KDO_TYPE_NULL: SQL NULL */
    union {
        bool b;
        int64_t i;
        double d;
        int64_t ts_ms;
        struct {
            const char *s; /* borrowed, NUL-terminated; len excludes the NUL */
            size_t len;
        } str;
        struct {
            int64_t v; /* first, so a DECIMAL's digits sit where u.i does */
            int scale; /* 0..KDO_DECIMAL_MAX_DIGITS */
        } dec;
    } u;
};

/* SQL's three truth values. */
enum kdo_tv { KDO_TV_FALSE = 0, KDO_TV_TRUE = 1, KDO_TV_UNKNOWN = 2 };

/* Result of kdo_value_compare(). */
enum kdo_order {
    KDO_ORDER_LT = -1,
    KDO_ORDER_EQ = 0,
    KDO_ORDER_GT = 1,
    KDO_ORDER_UNKNOWN = 2,      /* a NULL operand */
    KDO_ORDER_INCOMPARABLE = 3, /* e.g. BOOLEAN against BIGINT */
};

static inline struct kdo_value kdo_value_null(void)
{
    struct kdo_value v = {.type = KDO_TYPE_NULL};
    return v;
}
static inline struct kdo_value kdo_value_bool(bool b)
{
    struct kdo_value v = {.type = KDO_TYPE_BOOLEAN, .u.b = b};
    return v;
}
static inline struct kdo_value kdo_value_bigint(int64_t i)
{
    struct kdo_value v = {.type = KDO_TYPE_BIGINT, .u.i = i};
    return v;
}
static inline struct kdo_value kdo_value_double(double d)
{
    struct kdo_value v = {.type = KDO_TYPE_DOUBLE, .u.d = d};
    return v;
}
/* Borrows s[0..len), which must be followed by a NUL. */
static inline struct kdo_value kdo_value_varchar(const char *s, size_t len)
{
    struct kdo_value v = {.type = KDO_TYPE_VARCHAR, .u.str = {s, len}};
    return v;
}
static inline struct kdo_value kdo_value_timestamp(int64_t ms)
{
    struct kdo_value v = {.type = KDO_TYPE_TIMESTAMP, .u.ts_ms = ms};
    return v;
}

static inline struct kdo_value kdo_value_decimal(int64_t v, int scale)
{
    struct kdo_value x = {.type = KDO_TYPE_DECIMAL, .u.dec = {v, scale}};
    return x;
}

/* The SQL name of a type ("BIGINT", ...; "NULL" for KDO_TYPE_NULL). */
const char *kdo_type_name(enum kdo_type t);
/* Whether CAST(x AS to) is allowed for an x of type from (NULL casts to
 * anything; BOOLEAN and TIMESTAMP do not mix with numbers). */
bool kdo_type_castable(enum kdo_type from, enum kdo_type to);
static inline bool kdo_type_numeric(enum kdo_type t)
{
    return t == KDO_TYPE_BIGINT || t == KDO_TYPE_DOUBLE || t == KDO_TYPE_DECIMAL;
}

/* --- DECIMAL ---------------------------------------------------------------- */

/* 10^k for k in 0..18. */
int64_t kdo_decimal_pow10(int k);
/* v at scale `from` to scale `to`, rounding half away from zero.  Returns
 * 0, or KDO_ETOOBIG when the result has more than 18 digits. */
int kdo_decimal_rescale(int64_t v, int from, int to, int64_t *out);
/* Parses [+-]digits[.digits][E[+-]n] (spaces around allowed) at `scale`,
 * rounding half away from zero; *inexact (may be NULL) tells whether a
 * non-zero digit was dropped.  Returns 0; KDO_EINVAL when it is not a
 * number, KDO_ETOOBIG when it has more than 18 digits at that scale. */
int kdo_decimal_parse(const char *s, size_t n, int scale, int64_t *v, bool *inexact);
/* The text of v at scale: exactly `scale` digits after the point ("2.50",
 * "-0.05", "7"), as KDA prints a DECIMAL.  Returns the length. */
size_t kdo_decimal_format(int64_t v, int scale, char out[KDO_DECIMAL_TEXT]);
/* The value as a DOUBLE (nearest). */
double kdo_decimal_to_double(int64_t v, int scale);
/* a op b ('+', '-', '*', '/') for a at scale sa and b at scale sb (a BIGINT
 * is scale 0), exactly, then rounded half away from zero to `scale`.
 * Returns 0; KDO_EINVAL for division by zero; KDO_ETOOBIG when the result
 * has more than 18 digits. */
int kdo_decimal_arith(char op, int64_t a, int sa, int64_t b, int sb, int scale, int64_t *out);
/* The number of digits of |v| (1 for 0). */
int kdo_decimal_digits(int64_t v);

/* A value as key bytes, for grouping and counting by value: its type tag,
 * then BOOLEAN one byte, VARCHAR a 4-byte length and its bytes, DOUBLE 8
 * bytes (0.0 and -0.0 alike: one group), DECIMAL its unscaled digits and its
 * scale (9 bytes), the others 8.  kdo_value_key_len() bytes go to out;
 * kdo_value_key_get() reads one value back (borrowing a VARCHAR's bytes)
 * and returns where the next starts. */
size_t kdo_value_key_len(const struct kdo_value *v);
char *kdo_value_key_put(char *out, const struct kdo_value *v);
const char *kdo_value_key_get(const char *p, struct kdo_value *v);

/* SQL comparison: numbers compare exactly across BIGINT, DECIMAL and DOUBLE
 * (a DOUBLE against a DECIMAL to the double's precision),
 * VARCHARs bytewise (code-point order for UTF-8), FALSE < TRUE, timestamps
 * in time order.  UNKNOWN when either side is NULL. */
enum kdo_order kdo_value_compare(const struct kdo_value *a, const struct kdo_value *b);
/* a = b in three-valued logic (INCOMPARABLE types are FALSE). */
enum kdo_tv kdo_value_equal(const struct kdo_value *a, const struct kdo_value *b);
/* IS NOT DISTINCT FROM: equal, or both NULL.  For grouping and partition
 * keys. */
bool kdo_value_same(const struct kdo_value *a, const struct kdo_value *b);

/* CAST(in AS to): to_max_len is VARCHAR's maximum in characters (0 = no
 * limit).  Numbers to strings are written as rowfmt writes them; strings
 * to numbers, BOOLEAN and TIMESTAMP are parsed strictly after trimming
 * spaces; DOUBLE to BIGINT truncates toward zero; a VARCHAR longer than
 * to_max_len is truncated, other text that does not fit is an error.  New
 * strings are copied into `scratch`.  Returns 0; KDO_EINVAL with a sentence
 * in e->msg (e may be NULL) if the value cannot be converted; KDO_ETOOBIG if
 * scratch is full.  A DECIMAL casts to BIGINT rounded half away from zero
 * (KDA: "real numbers are rounded when cast"); to DECIMAL see below. */
int kdo_value_cast(const struct kdo_value *in, enum kdo_type to, size_t to_max_len,
                   struct kdo_arena *scratch, struct kdo_value *out, struct kdo_errinfo *e);

/* CAST(in AS DECIMAL(precision, scale)): numbers and text, rounded half away
 * from zero to `scale`; KDO_EINVAL ("does not fit in DECIMAL(p,s)") when
 * more than precision digits remain, or for text that is not a number. */
int kdo_value_cast_decimal(const struct kdo_value *in, int precision, int scale,
                           struct kdo_value *out, struct kdo_errinfo *e);

#endif
