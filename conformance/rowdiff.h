/*
 * rowdiff.h -- the rows a destination's function received against the rows
 * a scenario says it must receive (`expect: output:`), with a row diff.
 *
 * Pure: no files, no clock, no journal.  The caller hands in the expected
 * rows (a JSON Lines or CSV file's records, borrowed) and then each row the
 * function received, once, in the order the application emitted it, with
 * its emission instant; rowdiff counts the rows that match, are missing,
 * are unexpected or changed, and keeps the first KDO_ROWDIFF_SHOWN
 * differences as text.
 *
 * Values: JSON rows compare by key -- strings, integers, booleans and null
 * exactly, numbers that are not both integers within the tolerance
 * (|e - g| <= tol + tol * max(|e|, |g|)); a key on one side only is a
 * difference.  CSV rows compare by position, named by the expected file's
 * header; an unquoted empty field is NULL, a field that reads as an integer
 * or a number compares as one, anything else as text.  `columns` restricts
 * the comparison to the named keys.
 *
 * Order: strict compares row by row.  window lets rows of one emission
 * instant (one window's output, one flush) come in any order: each
 * instant's k received rows are matched against the next k expected rows
 * not yet matched, looking up to max(k, 16) rows further for a row that
 * went missing before them.  An unmatched received row is "changed" when an
 * expected row of its share differs from it in at most half the compared
 * columns, else "unexpected"; expected rows passed over are "missing".
 *
 * Bounds: the expected rows are parsed as they come into reach and freed
 * once matched, so memory is the expected bytes (the caller's, at most
 * KDO_ROWDIFF_MAX_BYTES, KDO_ROWDIFF_MAX_ROWS rows) plus one instant's
 * received rows; an instant of more than KDO_ROWDIFF_MAX_GROUP rows is
 * compared in parts of that many.  Strict order keeps one received row.
 */
#ifndef KDO_ROWDIFF_H
#define KDO_ROWDIFF_H

#include "sql/rowfmt.h"

#include <stddef.h>
#include <stdint.h>

#define KDO_ROWDIFF_MAX_BYTES ((size_t)64 * 1024 * 1024) /* an expected file: 64 MB */
#define KDO_ROWDIFF_MAX_ROWS ((size_t)1000000)           /* rows in an expected file */
#define KDO_ROWDIFF_MAX_GROUP ((size_t)4096)             /* rows of one instant compared at once */
#define KDO_ROWDIFF_SHOWN 10                             /* differences kept as text */
#define KDO_ROWDIFF_TOLERANCE 1e-9                       /* the default tolerance */

enum kdo_rowdiff_order { KDO_ROWDIFF_WINDOW, KDO_ROWDIFF_STRICT };

struct kdo_rowdiff_config {
    enum kdo_rowfmt_format format; /* KDO_ROWFMT_JSON or KDO_ROWFMT_CSV */
    enum kdo_rowdiff_order order;
    double tolerance;              /* absolute and relative, for numbers (>= 0) */
    const char *const *columns;    /* compare only these keys; NULL: every key */
    size_t ncolumns;
    const char *const *names;      /* CSV: the columns' names by position; NULL: "column N" */
    size_t nnames;
};

/* One row's bytes, without its line ending. */
struct kdo_rowdiff_text {
    const char *data;
    size_t len;
};

struct kdo_rowdiff_counts {
    uint64_t expected, received; /* rows */
    uint64_t matched, missing, unexpected, changed;
};

struct kdo_rowdiff;

/* A comparison against `expected[0..n)`.  Borrows cfg's arrays and the
 * expected rows until kdo_rowdiff_free().  Returns a new object. */
struct kdo_rowdiff *kdo_rowdiff_new(const struct kdo_rowdiff_config *cfg,
                                    const struct kdo_rowdiff_text *expected, size_t n);
void kdo_rowdiff_free(struct kdo_rowdiff *d);

/* One row the function received (copied), in emission order; rows of one
 * emission instant are consecutive.  A row that is not a JSON object (JSON)
 * is unexpected. */
void kdo_rowdiff_add(struct kdo_rowdiff *d, const char *row, size_t len, uint64_t instant);
/* No more rows: what is left expected is missing.  Call once, then read. */
void kdo_rowdiff_finish(struct kdo_rowdiff *d);

void kdo_rowdiff_counts(const struct kdo_rowdiff *d, struct kdo_rowdiff_counts *out);
/* 1 when every expected row was received and nothing else. */
int kdo_rowdiff_equal(const struct kdo_rowdiff *d);
/* The counts on one line, then the first KDO_ROWDIFF_SHOWN differences one
 * a line ("missing row 3: {...}", "unexpected row: {...}", "row 4: column
 * PRICE: expected 10.5, got 10.25"), then how many more; a new string. */
char *kdo_rowdiff_report(const struct kdo_rowdiff *d);

/* Whether `row` can be an expected row of this format: 0, or KDO_EPARSE
 * with a phrase in why ("not a JSON object: ..."). */
int kdo_rowdiff_check_row(enum kdo_rowfmt_format format, const char *row, size_t len, char *why,
                          size_t why_size);

#endif
