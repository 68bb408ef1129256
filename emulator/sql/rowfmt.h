/*
 * rowfmt.h -- rows as bytes: the destination's RecordFormatType (JSON or
 * CSV) out, and one source record (a JSON object or a CSV record) in.
 *
 * Out, as KDA writes a row into a Lambda record's `data`: JSON is one
 * object with every column in schema order under its resolved name
 * ({"TICKER_SYMBOL":"AMZN","SECTOR":"TECHNOLOGY","CHANGE":-0.32,"PRICE":82.5}),
 * numbers bare, DOUBLEs as Java's Double.toString writes them (shortest
 * round-trip digits; 82.0 is "82.0", 1e7 is "1.0E7"), TIMESTAMP as
 * "yyyy-MM-dd HH:mm:ss.SSS", NULL as null; CSV is RFC 4180 with no header:
 * comma-separated, a field quoted when it holds a comma, quote, CR or LF,
 * NULL as an empty field and the empty string as "" (so the two stay
 * apart).  Neither ends with a newline: one record is one row.  A row that
 * serializes past KDO_MAX_ROW_BYTES is refused (KDO_EROWSIZE).
 *
 * In, as KDA's input schema maps a record (the choices are ours where the
 * guide is silent, and are pinned by tests/unit/test_rowfmt.c):
 * - JSON: the record must be one object (strict RFC 8259, no duplicate
 *   keys, via json.h).  A key maps to the column of exactly that name, else
 *   to the first column whose name matches ignoring ASCII case; other keys
 *   are ignored; a column with no key is NULL; JSON null is NULL.
 * - Coercions: a JSON number goes into BIGINT (if it is integral and in
 *   range: 7, 7.0 and 7e0 are 7; 7.5 is an error), DOUBLE, VARCHAR (its
 *   text) or TIMESTAMP (milliseconds since the epoch); a JSON string goes
 *   into any type whose text it is (" 42 " into BIGINT, "true" into
 *   BOOLEAN, "2017-12-15 01:09:50.000" into TIMESTAMP), trimmed of spaces
 *   for non-VARCHAR columns; true/false go into BOOLEAN or VARCHAR ("true");
 *   objects and arrays go nowhere.
 * - CSV: exactly one field per column, in order; an empty field is NULL
 *   (a quoted empty field is the empty string in a VARCHAR column); other
 *   fields convert as JSON strings do.  One trailing LF or CRLF is allowed.
 * - A VARCHAR(n) value longer than n characters is an error, or is cut to
 *   n characters with KDO_ROWFMT_TRUNCATE.
 * A refused record is reported with a short ERROR_NAME-like code and a
 * message naming the column, ready for KDA's error_stream (ERROR_NAME,
 * MESSAGE, DATA_ROW); the row is then left cleared.
 */
#ifndef KDO_ROWFMT_H
#define KDO_ROWFMT_H

#include "base/buf.h"
#include "sql/row.h"

#include <stddef.h>

enum kdo_rowfmt_format { KDO_ROWFMT_JSON, KDO_ROWFMT_CSV };

/* Reader flags. */
#define KDO_ROWFMT_TRUNCATE 1u /* cut long VARCHARs instead of refusing the record */

/* ERROR_NAME codes of refused records. */
#define KDO_ROWFMT_ERR_TOO_LARGE "ROW_TOO_LARGE"       /* record over 512 KB */
#define KDO_ROWFMT_ERR_JSON "JSON_PARSE_ERROR"         /* not strict JSON */
#define KDO_ROWFMT_ERR_NOT_OBJECT "JSON_NOT_AN_OBJECT" /* JSON, but not an object */
#define KDO_ROWFMT_ERR_CSV "CSV_PARSE_ERROR"           /* bad quoting */
#define KDO_ROWFMT_ERR_FIELDS "CSV_FIELD_COUNT"        /* fields != columns */
#define KDO_ROWFMT_ERR_TYPE "TYPE_CONVERSION_ERROR"    /* value does not fit the type */
#define KDO_ROWFMT_ERR_LENGTH "VALUE_TOO_LONG"         /* VARCHAR(n) overflow */

struct kdo_rowfmt_error {
    const char *name; /* one of KDO_ROWFMT_ERR_*, static; NULL if none */
    int column;       /* schema index of the column at fault, or -1 */
    size_t offset;    /* byte offset in the record where the fault lies */
    char msg[256];    /* a sentence, e.g. "PRICE: cannot convert 'abc' to DOUBLE" */
};

/* "JSON" or "CSV" (case-insensitive) to a format.  Returns 0 or KDO_EINVAL. */
int kdo_rowfmt_format_parse(const char *name, enum kdo_rowfmt_format *f);

/* Appends row r to b in format f.  Returns 0; KDO_EROWSIZE if the row's
 * text exceeds KDO_MAX_ROW_BYTES; KDO_ETOOBIG if b's maximum is reached.  On
 * error b is unchanged. */
int kdo_rowfmt_write(struct kdo_buf *b, const struct kdo_row *r, enum kdo_rowfmt_format f);

struct kdo_rowfmt_reader;

/* A reader (it keeps a JSON scanner and scratch space between records) with
 * KDO_ROWFMT_* flags.  Returns a new reader owned by the caller. */
struct kdo_rowfmt_reader *kdo_rowfmt_reader_new(unsigned flags);
/* kdo_rowfmt_reader_free(NULL) is a no-op. */
void kdo_rowfmt_reader_free(struct kdo_rowfmt_reader *rd);

/* Parses one record data[0..len) (borrowed during the call) in format f
 * into row r (cleared first; its strings are copies).  Returns 0;
 * KDO_EROWSIZE (record over KDO_MAX_ROW_BYTES), KDO_EPARSE (not JSON / not
 * an object / bad CSV) or KDO_ESCHEMA (a value that does not fit its
 * column, a wrong CSV field count), with *err filled (err may be NULL). */
int kdo_rowfmt_read(struct kdo_rowfmt_reader *rd, enum kdo_rowfmt_format f, const char *data,
                    size_t len, struct kdo_row *r, struct kdo_rowfmt_error *err);

#endif
