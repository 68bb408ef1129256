/*
 * expr.h -- SQL scalar expressions over a row, compiled once and evaluated
 * per row: the SELECT list and WHERE expressions of a KDA application.
 *
 * There is one grammar: text is parsed by kdo_sql_parse_expr() (parse.h)
 * and the tree compiled here, so a `select:`/`where:` string of the
 * structured scenario form and an expression inside an application's SQL
 * are the same language.  Compilation resolves names against a schema
 * (unquoted names fold to upper case; a stream qualifier such as
 * SOURCE_SQL_STREAM_001.ROWTIME is accepted and ignored) and type-checks.
 *
 * Built: arithmetic (integer division truncates, 5 / 2 = 2; BIGINT
 * overflow, DOUBLE overflow and division by zero are errors), exact
 * DECIMAL(p,s) (a literal like 1.5 is DECIMAL(2,1); results take KDA's
 * precision and scale rules, so 5.0 / 2 is 2.500000000000; at most 18
 * digits, rounding half away from zero), comparisons, AND/OR/NOT
 * (three-valued, short-circuit), IS [NOT] NULL/TRUE/FALSE/UNKNOWN, IS [NOT]
 * DISTINCT FROM, [NOT] BETWEEN, [NOT] IN (list), [NOT] LIKE [ESCAPE], CASE,
 * COALESCE, NULLIF, ||, SUBSTRING (FROM/FOR and comma forms), POSITION,
 * TRIM, UPPER, LOWER, CHAR_LENGTH, ABS, MOD, POWER, SQRT, LN, LOG10, EXP,
 * FLOOR/CEIL of numbers and of timestamps TO a unit, STEP of integers and
 * of timestamps BY an INTERVAL literal, CAST to BIGINT, INTEGER (32-bit),
 * SMALLINT, TINYINT (overflow errors; a DECIMAL rounds), DOUBLE, FLOAT (=
 * DOUBLE), REAL (rounded to float), DECIMAL(p,s), VARCHAR(n), CHAR(n)
 * (blank-padded), BOOLEAN, TIMESTAMP and INTERVAL (from text); TIMESTAMP and
 * INTERVAL literals (day-time in ms, year-month in months) with TIMESTAMP
 * +- INTERVAL, INTERVAL +- INTERVAL, INTERVAL * / number and (t1 - t2)
 * qualifier (DAY .. SECOND); CAST of an INTERVAL to text (+3 04:20), BIGINT
 * and DECIMAL (the count of its last unit); UNIX_TIMESTAMP, TO_TIMESTAMP,
 * TSDIFF, CHAR_TO_TIMESTAMP, TIMESTAMP_TO_CHAR, MONOTONIC,
 * CURRENT_ROW_TIMESTAMP (the row's processing instant: kdo_row_set_now, else
 * its ROWTIME) and CURRENT_TIMESTAMP / LOCALTIMESTAMP (the query's start:
 * kdo_row_set_start).  KDA's semantics and the choices where its
 * documentation is unclear are noted where they are built.
 *
 * Not built, refused at compile time with line:column and the feature's
 * name ("X is not supported yet"): DECIMAL precision above 18, DATE and
 * TIME (and CURRENT_DATE, CURRENT_TIME, LOCALTIME), BINARY, SIMILAR TO,
 * EXTRACT, regular-expression and log-parsing functions, TIMESTAMP -
 * TIMESTAMP without a qualifier, and an INTERVAL as the result of
 * kdo_expr_compile() (a column cannot hold one).
 *
 * Limits: KDO_EXPR_MAX_BYTES of text and a tree at most KDO_EXPR_MAX_DEPTH
 * deep, so evaluation recursion is bounded.  Errors at evaluation are
 * reported with the operator's line:column.
 */
#ifndef KDO_EXPR_H
#define KDO_EXPR_H

#include "base/arena.h"
#include "base/errors.h"
#include "sql/row.h"
#include "sql/value.h"

#include <stddef.h>
#include <stdint.h>

#define KDO_EXPR_MAX_BYTES 8192
#define KDO_EXPR_MAX_DEPTH 64
/* The widest STEP: 366 days. */
#define KDO_EXPR_MAX_STEP_MS (INT64_C(366) * 86400000)

struct kdo_expr;

/* Compiles text[0..len) against schema s (borrowed: it must outlive the
 * expression).  Sets *out to a new expression owned by the caller.  Returns
 * 0; KDO_EPARSE (syntax), KDO_ESCHEMA (unknown column -- with "did you
 * mean" when a column is close -- or operand types that do not fit),
 * KDO_EDEPTH (nesting past KDO_EXPR_MAX_DEPTH) or KDO_ETOOBIG (text past
 * KDO_EXPR_MAX_BYTES).  On error *out is NULL and e (may be NULL) holds the
 * 1-based line and column of the offending token and a sentence. */
int kdo_expr_compile(const char *text, size_t len, const struct kdo_row_schema *s,
                     struct kdo_expr **out, struct kdo_errinfo *e);

/* Compiles a syntax tree (borrowed: the expression keeps nothing of it)
 * against schema s, for the binder of an application's SQL; as
 * kdo_expr_compile(), except that an INTERVAL result is allowed and an
 * operator's error is placed at its left operand (the tree keeps no
 * operator positions). */
struct kdo_ast_expr;
int kdo_expr_compile_ast(const struct kdo_ast_expr *ax, const struct kdo_row_schema *s,
                         struct kdo_expr **out, struct kdo_errinfo *e);

/* Evaluates a tree that reads no column (a window's extent, INTERVAL '1'
 * MINUTE): compiled against no columns, then evaluated into *v (strings in
 * scratch).  Returns as kdo_expr_compile_ast() and kdo_expr_eval(). */
int kdo_expr_constant(const struct kdo_ast_expr *x, struct kdo_arena *scratch,
                      struct kdo_value *v, struct kdo_errinfo *e);

/* The column type of a declared SQL type (a CREATE STREAM column, for
 * kdo_row_schema_add_type): INTEGER, SMALLINT and TINYINT are BIGINT, REAL
 * and FLOAT DOUBLE, CHAR(n) VARCHAR(n), bare VARCHAR VARCHAR(65535),
 * DECIMAL(p,s) exact.  Returns 0; KDO_EPARSE with t's line:column and the
 * type's name for what kdaout does not build (DATE, TIME, BINARY, a DECIMAL
 * precision above 18) and INTERVAL, which KDA refuses as a column type. */
struct kdo_ast_type;
int kdo_expr_column_type(const struct kdo_ast_type *t, struct kdo_row_column *out,
                         struct kdo_errinfo *e);

/* kdo_expr_free(NULL) is a no-op. */
void kdo_expr_free(struct kdo_expr *x);

/* The result type (KDO_TYPE_NULL only for an untyped NULL literal) and, for
 * VARCHAR, its maximum length in characters (0 = unknown). */
enum kdo_type kdo_expr_type(const struct kdo_expr *x);
size_t kdo_expr_max_len(const struct kdo_expr *x);
/* For a DECIMAL result: KDA's precision (1..18) and scale (0..18) of it, for
 * the output column (kdo_row_schema_add_decimal); 0 for other types. */
int kdo_expr_precision(const struct kdo_expr *x);
int kdo_expr_scale(const struct kdo_expr *x);


/* Evaluates x over row r (whose schema must be the one x was compiled
 * against).  Strings the expression makes are copied into `scratch`; the
 * result may also borrow from r or from x.  Returns 0; KDO_EINVAL for a
 * runtime error (division by zero, overflow, a failed CAST) with the
 * position and a sentence in e (may be NULL); KDO_ETOOBIG if scratch is
 * full. */
int kdo_expr_eval(const struct kdo_expr *x, const struct kdo_row *r, struct kdo_arena *scratch,
                  struct kdo_value *out, struct kdo_errinfo *e);

/* For a WHERE clause: evaluates a BOOLEAN expression to TRUE, FALSE or
 * UNKNOWN (a row passes only on TRUE).  KDO_EINVAL if x is not BOOLEAN;
 * otherwise as kdo_expr_eval(). */
int kdo_expr_test(const struct kdo_expr *x, const struct kdo_row *r, struct kdo_arena *scratch,
                  enum kdo_tv *tv, struct kdo_errinfo *e);

/* If x is STEP(column BY INTERVAL ...) or FLOOR(column TO unit) over a bare column,
 * returns 1 and sets *column (its index in the schema x was compiled against) and
 * *width_ms (the bucket width); else returns 0 and leaves both alone.  Borrows x;
 * for a query layer that groups rows into time buckets. */
int kdo_expr_time_bucket(const struct kdo_expr *x, int *column, int64_t *width_ms);

#endif
