/*
 * value.h -- typed SQL values: NULL, BOOLEAN, BIGINT, DOUBLE, VARCHAR and
 * TIMESTAMP, with SQL's comparison, casts and timestamp text.
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
 * letters change case.  This module does not know columns or rows (row.h).
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
};

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

/* The SQL name of a type ("BIGINT", ...; "NULL" for KDO_TYPE_NULL). */
const char *kdo_type_name(enum kdo_type t);
/* Whether CAST(x AS to) is allowed for an x of type from (NULL casts to
 * anything; BOOLEAN and TIMESTAMP do not mix with numbers). */
bool kdo_type_castable(enum kdo_type from, enum kdo_type to);
static inline bool kdo_type_numeric(enum kdo_type t)
{
    return t == KDO_TYPE_BIGINT || t == KDO_TYPE_DOUBLE;
}

/* SQL comparison: numbers compare exactly across BIGINT and DOUBLE,
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
 * scratch is full. */
int kdo_value_cast(const struct kdo_value *in, enum kdo_type to, size_t to_max_len,
                   struct kdo_arena *scratch, struct kdo_value *out, struct kdo_errinfo *e);

#endif
