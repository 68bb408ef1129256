/*
 * reftable.h -- a reference table: KDA's reference data source (an S3
 * object with its own schema and record format) read into rows that a
 * JOIN looks up.
 *
 * The data is one record per line in the table's format (CSV or JSON, read
 * as source records are, rowfmt.h); blank lines are skipped and nothing
 * else is: KDA reads a CSV header line as a row like any other.  A load
 * replaces every row at once, or none on error, as KDA swaps in a reloaded
 * object.  Bounded by KDO_REFTABLE_MAX_BYTES and _ROWS.
 */
#ifndef KDO_SQL_REFTABLE_H
#define KDO_SQL_REFTABLE_H

#include "base/errors.h"
#include "sql/row.h"
#include "sql/rowfmt.h"

#include <stddef.h>

#define KDO_REFTABLE_MAX_BYTES (64u << 20)
#define KDO_REFTABLE_MAX_ROWS 1000000

struct kdo_reftable;

/* An empty table of schema s (borrowed: it must outlive the table). */
struct kdo_reftable *kdo_reftable_new(const struct kdo_row_schema *s,
                                      enum kdo_rowfmt_format format);
/* kdo_reftable_free(NULL) is a no-op. */
void kdo_reftable_free(struct kdo_reftable *t);

/* Replaces the rows with the records of data[0..len) (borrowed for the
 * call); `file` names the data in messages.  Returns 0; KDO_EPARSE or
 * KDO_ESCHEMA for a record that does not read (e: file:line:column, the
 * column's name and why) or KDO_ETOOBIG; on error the rows stay as they
 * were. */
int kdo_reftable_load(struct kdo_reftable *t, const char *data, size_t len, const char *file,
                      struct kdo_errinfo *e);

size_t kdo_reftable_count(const struct kdo_reftable *t);
/* Row i (< count), borrowed until the next load. */
const struct kdo_row *kdo_reftable_row(const struct kdo_reftable *t, size_t i);
/* Incremented by every load: a reader's index of the rows is stale when it
 * differs. */
unsigned long kdo_reftable_version(const struct kdo_reftable *t);

#endif
