/*
 * row.h -- the schema of an in-application stream and the rows that follow
 * it.
 *
 * A schema is an ordered list of at most KDO_ROW_MAX_COLUMNS named, typed
 * columns.  Names are stored as KDA resolves them: an unquoted SQL
 * identifier folds to upper case (price -> PRICE), a "quoted" one keeps its
 * case and loses its quotes ("" inside stands for one quote).  A row holds
 * one value per column, NULL or of the column's type, and owns the bytes of
 * its strings in an arena bounded by KDA's 512 KB row limit
 * (KDO_MAX_ROW_BYTES), so a row never outgrows what KDA accepts.  A row
 * borrows its schema, which must outlive it.  Nothing here parses or
 * formats rows (rowfmt.h does).
 */
#ifndef KDO_ROW_H
#define KDO_ROW_H

#include "sql/value.h"

#include <stddef.h>

#define KDO_ROW_MAX_COLUMNS 256
#define KDO_ROW_MAX_NAME 128 /* bytes of a column name, after folding */

struct kdo_row_column {
    const char *name;   /* resolved name (owned by the schema) */
    size_t name_len;    /* strlen(name): rows are written and read by name */
    enum kdo_type type; /* never KDO_TYPE_NULL */
    size_t max_len;     /* VARCHAR(n): n characters; 0 for other types */
    int precision;      /* DECIMAL(p,s): p (1..18); 0 for other types */
    int scale;          /* DECIMAL(p,s): s (0..p), or -1: each value keeps its own */
};

struct kdo_row_schema;
struct kdo_row;

/* Resolves an identifier as written in SQL into out (NUL-terminated):
 * [A-Za-z_][A-Za-z0-9_$]* folded to upper case, or "..." kept as is.
 * Returns 0, or KDO_EINVAL if it is neither or longer than
 * KDO_ROW_MAX_NAME bytes. */
int kdo_row_resolve_name(const char *sql, size_t n, char out[KDO_ROW_MAX_NAME + 1]);

/* A new, empty schema owned by the caller. */
struct kdo_row_schema *kdo_row_schema_new(void);
/* A new schema with s's columns (names, types, lengths, DECIMAL digits). */
struct kdo_row_schema *kdo_row_schema_copy(const struct kdo_row_schema *s);
/* kdo_row_schema_free(NULL) is a no-op. */
void kdo_row_schema_free(struct kdo_row_schema *s);

/* Appends a column named by the SQL identifier sql[0..n) (see
 * kdo_row_resolve_name), of `type` (not NULL); max_len is VARCHAR's n
 * (1..65535) and is ignored for other types.  Returns 0, KDO_EINVAL for a
 * bad name, type or length, KDO_ESCHEMA for a duplicate name, KDO_ETOOBIG
 * past KDO_ROW_MAX_COLUMNS; e (may be NULL) gets a sentence. */
int kdo_row_schema_add(struct kdo_row_schema *s, const char *sql, size_t n, enum kdo_type type,
                       size_t max_len, struct kdo_errinfo *e);

/* Appends a DECIMAL(precision, scale) column (1 <= precision <= 18, 0 <=
 * scale <= precision; KDA's DECIMAL alone is (18, 0)).  kdo_row_schema_add()
 * with KDO_TYPE_DECIMAL makes a DECIMAL(18) column whose values keep their
 * own scale (an expression's result).  Returns as kdo_row_schema_add(); a
 * precision above 18 is KDO_EINVAL "DECIMAL precision above 18 is not
 * supported". */
int kdo_row_schema_add_decimal(struct kdo_row_schema *s, const char *sql, size_t n, int precision,
                               int scale, struct kdo_errinfo *e);

/* A column type as a scenario's schema writes it (case-insensitive):
 * VARCHAR(n), BIGINT, INTEGER, INT, SMALLINT, TINYINT, REAL, DOUBLE, FLOAT,
 * BOOLEAN, TIMESTAMP, DECIMAL / DEC / NUMERIC [(p[,s])].  Fills type,
 * max_len, precision and scale of *out (not its name).  Returns 0, or
 * KDO_EINVAL with a sentence in e (may be NULL); a DECIMAL precision above
 * 18 is refused by name. */
int kdo_row_parse_type(const char *text, struct kdo_row_column *out, struct kdo_errinfo *e);
/* Appends a column named sql[0..n) of type t (from kdo_row_parse_type). */
int kdo_row_schema_add_type(struct kdo_row_schema *s, const char *sql, size_t n,
                            const struct kdo_row_column *t, struct kdo_errinfo *e);

/* Appends a column named exactly `name` (an already resolved name: case and
 * any character kept) with t's type, length and DECIMAL digits. */
int kdo_row_schema_add_named(struct kdo_row_schema *s, const char *name,
                             const struct kdo_row_column *t, struct kdo_errinfo *e);

size_t kdo_row_schema_count(const struct kdo_row_schema *s);
/* Column i (< count), borrowed from the schema. */
const struct kdo_row_column *kdo_row_schema_column(const struct kdo_row_schema *s, size_t i);
/* The index of the column whose resolved name is exactly name[0..n), or -1. */
int kdo_row_schema_find(const struct kdo_row_schema *s, const char *name, size_t n);
/* The column name nearest to name[0..n) by edit distance, ignoring case,
 * when it is close (at most a third of the name's length, and 3 edits);
 * else NULL.  Borrowed from the schema.  For "did you mean". */
const char *kdo_row_schema_nearest(const struct kdo_row_schema *s, const char *name, size_t n);

/* A new row of all NULLs for schema s (borrowed). */
struct kdo_row *kdo_row_new(const struct kdo_row_schema *s);
/* kdo_row_free(NULL) is a no-op. */
void kdo_row_free(struct kdo_row *r);
/* Sets every value to NULL and frees the strings. */
void kdo_row_clear(struct kdo_row *r);
const struct kdo_row_schema *kdo_row_schema(const struct kdo_row *r);
/* Value i (< count); borrowed until the row is changed. */
const struct kdo_value *kdo_row_get(const struct kdo_row *r, size_t i);

/* Stores a copy of v as value i (a VARCHAR's bytes need not be
 * NUL-terminated; the copy is).  v must be NULL or of the column's type,
 * except that a BIGINT is widened into a DOUBLE column and a BIGINT or
 * DECIMAL goes into a DECIMAL(p,s) column rounded to s (KDO_EINVAL when it
 * then has more than p digits).  Returns 0;
 * KDO_EINVAL for another type or a VARCHAR longer than the column's n
 * characters; KDO_EROWSIZE when the row's strings would pass
 * KDO_MAX_ROW_BYTES.  On error the row is unchanged; e (may be NULL) gets
 * a sentence naming the column. */
int kdo_row_set(struct kdo_row *r, size_t i, const struct kdo_value *v, struct kdo_errinfo *e);

/* The processing instant of the row (ms since the epoch) that
 * CURRENT_ROW_TIMESTAMP reads; until set, it is the row's ROWTIME column
 * (kdaout's ROWTIME is the instant the row was read). */
void kdo_row_set_now(struct kdo_row *r, int64_t now_ms);
/* The instant the query started, which CURRENT_TIMESTAMP and LOCALTIMESTAMP
 * read (KDA fixes them at the query's first execution). */
void kdo_row_set_start(struct kdo_row *r, int64_t start_ms);
/* 0 and *ms, or KDO_ESTATE when the instant was never set (and, for now,
 * the schema has no ROWTIME or it is NULL). */
int kdo_row_now(const struct kdo_row *r, int64_t *ms);
int kdo_row_start(const struct kdo_row *r, int64_t *ms);

#endif
