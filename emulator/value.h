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

#include "arena.h"
#include "errors.h"

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

/* "yyyy-MM-dd HH:mm:ss.SSS" plus the NUL. */
#define KDO_TIMESTAMP_TEXT 24
/* 0001-01-01 00:00:00.000 and 9999-12-31 23:59:59.999 UTC. */
#define KDO_TIMESTAMP_MIN_MS INT64_C(-62135596800000)
#define KDO_TIMESTAMP_MAX_MS INT64_C(253402300799999)

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

/* Number of UTF-8 code points in s[0..n): the bytes that do not continue a
 * sequence (input is assumed valid UTF-8; nothing here checks it). */
size_t kdo_utf8_length(const char *s, size_t n);
/* Byte length of the first max_chars code points of s[0..n). */
size_t kdo_utf8_prefix(const char *s, size_t n, size_t max_chars);

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

/* Formats ms as "yyyy-MM-dd HH:mm:ss.SSS" into out (NUL-terminated).
 * Returns 0, or KDO_EINVAL outside years 0001..9999. */
int kdo_timestamp_format(int64_t ms, char out[KDO_TIMESTAMP_TEXT]);
/* Parses "yyyy-MM-dd", "yyyy-MM-dd HH:mm:ss" or that with a fraction of 1
 * to 3 digits (a 'T' may replace the space).  Fields must be in range,
 * including February 29 only in leap years.  Returns 0 or KDO_EINVAL. */
int kdo_timestamp_parse(const char *s, size_t n, int64_t *ms);

/* Writes a DOUBLE as Java's Double.toString does (KDA ran on the JVM), with
 * the shortest digits that read back to the same double: "82.5", "-0.32",
 * "1.0", "1.0E7", "1.0E-5".  out must hold 32 bytes.  Returns the length. */
size_t kdo_double_format(double d, char out[32]);
/* Strict decimal text to double: optional sign, digits, optional fraction
 * and exponent; no hex, no inf/nan, finite result.  Returns 0 or
 * KDO_EINVAL. */
int kdo_double_parse(const char *s, size_t n, double *d);
/* Strict decimal integer text (optional sign) to int64.  Returns 0 or
 * KDO_EINVAL (syntax or range). */
int kdo_bigint_parse(const char *s, size_t n, int64_t *i);

#endif
