/*
 * reftable.c -- a reference table's rows, loaded whole (reftable.h).
 *
 * A load reads into a new array and swaps it in only when every record
 * read, so a bad reload leaves the table as it was.
 */
#include "sql/reftable.h"


#include <stdlib.h>
#include <string.h>

struct kdo_reftable {
    const struct kdo_row_schema *schema;
    enum kdo_rowfmt_format format;
    struct kdo_row **rows;
    size_t n;
    unsigned long version;
};

struct kdo_reftable *kdo_reftable_new(const struct kdo_row_schema *s,
                                      enum kdo_rowfmt_format format)
{
    struct kdo_reftable *t = kdo_xcalloc(1, sizeof *t);
    t->schema = s;
    t->format = format;
    return t;
}

static void free_rows(struct kdo_row **rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kdo_row_free(rows[i]);
    free(rows);
}

void kdo_reftable_free(struct kdo_reftable *t)
{
    if (t == NULL)
        return;
    free_rows(t->rows, t->n);
    free(t);
}

/* The 1-based column of byte `offset` of a line (bytes, as the row
 * reader counts). */
static int column_of(size_t offset)
{
    return offset < 1000000 ? (int)offset + 1 : 1000000;
}

int kdo_reftable_load(struct kdo_reftable *t, const char *data, size_t len, const char *file,
                      struct kdo_errinfo *e)
{
    if (len > KDO_REFTABLE_MAX_BYTES)
        return kdo_errinfo_set(e, KDO_ETOOBIG, file, 0, 0, "reference data of %zu bytes: "
                               "kdaout reads at most %u MB", len,
                               KDO_REFTABLE_MAX_BYTES >> 20);
    struct kdo_rowfmt_reader *rd = kdo_rowfmt_reader_new(KDO_ROWFMT_TRUNCATE);
    struct kdo_row **rows = NULL;
    size_t n = 0, cap = 0;
    int rc = 0, line = 0;
    for (size_t at = 0; at < len && rc == 0;) {
        const char *nl = memchr(data + at, '\n', len - at);
        size_t end = nl ? (size_t)(nl - data) : len, rlen = end - at;
        line++;
        if (rlen && data[at + rlen - 1] == '\r')
            rlen--;
        if (rlen > 0) {
            struct kdo_rowfmt_error re = {0};
            struct kdo_row *r = kdo_row_new(t->schema);
            if (n == KDO_REFTABLE_MAX_ROWS) {
                rc = kdo_errinfo_set(e, KDO_ETOOBIG, file, line, 1, "more than %d rows of "
                                     "reference data", KDO_REFTABLE_MAX_ROWS);
            } else if ((rc = kdo_rowfmt_read(rd, t->format, data + at, rlen, r, &re)) != 0) {
                rc = kdo_errinfo_set(e, rc == KDO_EROWSIZE ? KDO_ETOOBIG : rc, file, line,
                                     column_of(re.offset), "%s", re.msg);
            }
            if (rc) {
                kdo_row_free(r);
                break;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                rows = kdo_xrealloc(rows, cap * sizeof *rows);
            }
            rows[n++] = r;
        }
        at = end + 1;
    }
    kdo_rowfmt_reader_free(rd);
    if (rc) {
        free_rows(rows, n);
        return rc;
    }
    free_rows(t->rows, t->n);
    t->rows = rows;
    t->n = n;
    t->version++;
    return 0;
}

size_t kdo_reftable_count(const struct kdo_reftable *t)
{
    return t->n;
}

const struct kdo_row *kdo_reftable_row(const struct kdo_reftable *t, size_t i)
{
    return t->rows[i];
}

unsigned long kdo_reftable_version(const struct kdo_reftable *t)
{
    return t->version;
}
