/*
 * rowfile.h -- a scenario's input-row file (`input: - {file: x.csv}`) read
 * into memory as rows: JSON Lines or CSV.
 *
 * A row is the exact bytes one source record would carry, not a parsed
 * value: the in-application reader (rowfmt.h) parses it later, and a record
 * it refuses goes to the in-application error stream, as in KDA.  So the
 * loader refuses only what makes the file itself unreadable, and keeps
 * every record it can delimit:
 * - JSON Lines: one row per line, without its line terminator (LF, and any
 *   CRs before it); empty lines are skipped; nothing else is looked at.
 * - CSV (RFC 4180): one row per record -- its bytes, quotes kept, without
 *   the LF or CRLF ending it.  A field opening with a quote runs to the
 *   closing quote and may hold commas, doubled quotes, CRs and LFs; a quote
 *   anywhere else is data.  Empty lines are skipped; a leading UTF-8 BOM is
 *   dropped.  With `has_header` the first record names the columns (its
 *   fields unquoted, otherwise as written: the caller resolves SQL
 *   identifiers) and is not a row.
 * - A CSV record whose field count differs from the header's (or from the
 *   declared columns') is NOT a load error: it is kept as written, counted,
 *   and the first one is described (kdo_rowfile_mismatched()), since KDA
 *   would send it to the error stream rather than refuse the stream.
 *   Invalid UTF-8 is likewise left to the reader.
 * - Load errors: a quote never closed (reported where it opens), a row over
 *   KDO_MAX_ROW_BYTES (512 KB), more than KDO_ROWFILE_MAX_ROWS rows, a file
 *   over KDO_ROWFILE_MAX_BYTES, and a file that cannot be read.
 * - Refused before a byte is read (a scenario names files, and what it reads
 *   is sent to an endpoint and written to --records): anything but a regular
 *   file -- a FIFO, a device, a socket, a folder -- at once, never blocking
 *   on it; and, when the caller gives roots (the scenario's folder and any
 *   --allow-path), a file whose real path -- after `..` and every symlink,
 *   checked again on the open descriptor -- lies outside all of them.
 * Lines and columns are 1-based, columns counted in bytes.  Whole-file
 * errors (cannot open, too big) carry line 0.  The file is read whole; rows
 * point into that one buffer.  No row timing: the caller owns the source.
 */
#ifndef KDO_ROWFILE_H
#define KDO_ROWFILE_H

#include "base/errors.h"
#include "sql/rowfmt.h"

#include <stdbool.h>
#include <stddef.h>

#define KDO_ROWFILE_MAX_BYTES ((size_t)256 * 1024 * 1024) /* a file: 256 MB */
#define KDO_ROWFILE_MAX_ROWS ((size_t)10000000)           /* rows in a file */

struct kdo_rowfile_options {
    enum kdo_rowfmt_format format;
    bool has_header;            /* CSV: the first record names the columns */
    const char *const *columns; /* CSV without a header: the declared column names, for the
                                   field-count check (borrowed during the call); NULL: none */
    size_t ncolumns;
    size_t max_bytes; /* 0: KDO_ROWFILE_MAX_BYTES; may only be lower */
    size_t max_rows;  /* 0: KDO_ROWFILE_MAX_ROWS; may only be lower */
    /* Real paths (realpath()) of the folders -- or files -- the file must be
     * in or under; roots[0] is named "the scenario's folder" in errors.
     * Borrowed during the call; nroots 0: anywhere. */
    const char *const *roots;
    size_t nroots;
};

struct kdo_rowfile;

/* Reads the file at `path` as opt says.  On success *out is a new rowfile
 * owned by the caller (a file with no rows loads, with count 0; the caller
 * decides whether that is an error).  Returns 0; KDO_EINVAL (bad options,
 * e.g. a header for JSON Lines; or the file refused, a whole-file error: not
 * a regular file, or outside the roots), KDO_ENOENT / KDO_EIO (cannot read),
 * KDO_ETOOBIG (file or row count over the limit), KDO_EROWSIZE (a row over
 * 512 KB) or KDO_EPARSE (an unclosed quote), with *err filled (err may be
 * NULL; err->file is `path`, so keep path alive while using err) and *out
 * NULL. */
int kdo_rowfile_load(const char *path, const struct kdo_rowfile_options *opt,
                     struct kdo_rowfile **out, struct kdo_errinfo *err);
/* kdo_rowfile_free(NULL) is a no-op. */
void kdo_rowfile_free(struct kdo_rowfile *f);

/* Rows loaded (the header not counted). */
size_t kdo_rowfile_count(const struct kdo_rowfile *f);
/* Row i (< count): its bytes, NUL-terminated (the row may hold NULs: *len
 * is its length), borrowed until kdo_rowfile_free(). */
const char *kdo_rowfile_row(const struct kdo_rowfile *f, size_t i, size_t *len);
/* The line row i (< count) starts on, for errors about a row's content. */
int kdo_rowfile_line(const struct kdo_rowfile *f, size_t i);

/* The header's column names: how many (0 without a header), and name i,
 * borrowed until kdo_rowfile_free(). */
size_t kdo_rowfile_ncolumns(const struct kdo_rowfile *f);
const char *kdo_rowfile_column(const struct kdo_rowfile *f, size_t i);

/* CSV records kept whose field count differs from the header's or the
 * declared columns'.  If there is one and `first` is not NULL, *first
 * describes the first (file:line:column of the missing or extra field, and
 * e.g. "this record has 3 fields; the header has 4 (TICKER_SYMBOL, SECTOR,
 * CHANGE, PRICE)"); first->file is borrowed until kdo_rowfile_free(). */
size_t kdo_rowfile_mismatched(const struct kdo_rowfile *f, struct kdo_errinfo *first);

/* The format a file name implies (case-insensitive): .csv is CSV; .jsonl,
 * .ndjson and .json are JSON Lines.  Returns 0 with *fmt set, or KDO_EINVAL
 * for any other name. */
int kdo_rowfile_format_of(const char *path, enum kdo_rowfmt_format *fmt);

/* Column types for a CSV file with a header and no declared schema, as
 * KDA's schema discovery would guess them from every row: BIGINT if every
 * non-empty field is an integer, DOUBLE if every one is a number, BOOLEAN
 * (true/false), TIMESTAMP ("yyyy-MM-dd HH:mm:ss[.SSS]"), else VARCHAR(n)
 * with n the longest field (at least 1).  A column with no values is
 * VARCHAR(1); records with the wrong field count are skipped.  types[i]
 * gets a new string per column (the caller frees each).  Returns the
 * number of columns (0 without a header). */
size_t kdo_rowfile_infer_types(const struct kdo_rowfile *f, char **types);

#endif
