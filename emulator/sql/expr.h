/*
 * expr.h -- SQL scalar expressions over a row: the subset a KDA SELECT list
 * or WHERE clause uses, compiled once and evaluated per row.
 *
 * The grammar, loosest binding first:
 *
 *   expr    := and { OR and }
 *   and     := not { AND not }
 *   not     := NOT not | cmp
 *   cmp     := sum [ (= | <> | != | < | <= | > | >=) sum ] { IS [NOT] NULL }
 *   sum     := product { (+ | -) product }
 *   product := unary { (* | /) unary }
 *   unary   := (- | +) unary | primary
 *   primary := name | 42 | 4.2 | 4e2 | 'text' (with '')
 *            | TRUE | FALSE | NULL | TIMESTAMP 'yyyy-MM-dd HH:mm:ss.SSS'
 *            | ( expr ) | CAST ( expr AS type )
 *            | ABS | UPPER | LOWER | CHAR_LENGTH | CHARACTER_LENGTH ( expr )
 *            | FLOOR ( expr ) | FLOOR ( expr TO unit )
 *            | STEP ( expr BY INTERVAL 'n' unit )
 *   name    := { stream . } column       (column or "Quoted column")
 *   unit    := SECOND | MINUTE | HOUR | DAY
 *   type    := BIGINT | INTEGER | INT | SMALLINT | TINYINT
 *            | DOUBLE [PRECISION] | REAL | FLOAT | DECIMAL | NUMERIC
 *            | VARCHAR [(n)] | CHAR [(n)] | CHARACTER [(n)] | BOOLEAN | TIMESTAMP
 *
 * Keywords are case-insensitive; unquoted column names fold to upper case.
 * All integer types are BIGINT and all approximate and decimal types DOUBLE
 * (KDA's INTEGER is 32-bit; the difference is not modelled).  Compilation
 * type-checks against a schema: BIGINT op BIGINT stays BIGINT (integer
 * division truncates toward zero), any DOUBLE makes DOUBLE; comparisons need
 * two numbers or two values of one type; AND/OR/NOT need BOOLEANs.
 * FLOOR(TIMESTAMP TO unit) and STEP(TIMESTAMP BY INTERVAL 'n' unit) round
 * down to a multiple of the unit, or of n units (n a whole number from 1
 * in quotes, at most KDO_EXPR_MAX_STEP_MS in all), counted from
 * 1970-01-01 00:00:00 UTC as KDA does; FLOOR(number) rounds a DOUBLE down
 * and leaves a BIGINT.  A stream qualifier (SOURCE_SQL_STREAM_001.ROWTIME)
 * is accepted and ignored: an expression reads one stream's row.
 * Evaluation follows SQL: NULL in, NULL out (three-valued AND/OR/NOT, which
 * short-circuit), and division by zero, BIGINT overflow, a DOUBLE
 * overflowing to infinity or a STEP result before year 0001 is an error at
 * evaluation, reported with the operator's position.  Limits:
 * KDO_EXPR_MAX_BYTES of text and a tree at most KDO_EXPR_MAX_DEPTH deep, so
 * evaluation recursion is bounded.  Not here: aggregates, windows,
 * INTERVALs outside STEP, string concatenation, LIKE, CASE.
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

/* kdo_expr_free(NULL) is a no-op. */
void kdo_expr_free(struct kdo_expr *x);

/* The result type (KDO_TYPE_NULL only for an untyped NULL literal) and, for
 * VARCHAR, its maximum length in characters (0 = unknown). */
enum kdo_type kdo_expr_type(const struct kdo_expr *x);
size_t kdo_expr_max_len(const struct kdo_expr *x);

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
