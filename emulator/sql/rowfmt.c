/*
 * rowfmt.c -- writing rows as JSON or CSV and reading one record into a
 * row.  Writing appends straight into the caller's bounded buffer and rolls
 * back to the starting length on any failure; reading converts each value
 * as it meets it (JSON tokens from the strict scanner, CSV fields unquoted
 * into reused scratch) and copies it into the row, which owns the bytes.
 */
#include "sql/rowfmt.h"

#include "base/bounds.h"
#include "base/json.h"
#include "base/number.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define JSON_DEPTH 64

struct kdo_rowfmt_reader {
    unsigned flags;
    struct kdo_json *json;
    struct kdo_buf field; /* one CSV field, unquoted */
};

int kdo_rowfmt_format_parse(const char *name, enum kdo_rowfmt_format *f)
{
    if (strcasecmp(name, "JSON") == 0)
        *f = KDO_ROWFMT_JSON;
    else if (strcasecmp(name, "CSV") == 0)
        *f = KDO_ROWFMT_CSV;
    else
        return KDO_EINVAL;
    return 0;
}

/* --- writing ------------------------------------------------------------- */

/* A literal appended without strlen. */
#define PUT(b, lit) kdo_buf_append((b), (lit), sizeof(lit) - 1)

/* The text of a non-NULL, non-VARCHAR value into buf, and its length in
 * *n; NULL if it has none (a DOUBLE that is not finite).  Lengths travel
 * with the text: a strlen per value showed in bench_window. */
static const char *scalar_text(const struct kdo_value *v, char buf[32], size_t *n)
{
    switch (v->type) {
    case KDO_TYPE_BOOLEAN:
        *n = v->u.b ? 4 : 5;
        return v->u.b ? "true" : "false";
    case KDO_TYPE_BIGINT:
        *n = kdo_int64_format(v->u.i, buf);
        return buf;
    case KDO_TYPE_DOUBLE:
        if (!isfinite(v->u.d))
            return NULL;
        *n = kdo_double_format(v->u.d, buf);
        return buf;
    case KDO_TYPE_TIMESTAMP:
        if (kdo_timestamp_format(v->u.ts_ms, buf))
            return NULL;
        *n = strlen(buf);
        return buf;
    case KDO_TYPE_DECIMAL: /* a JSON number with exactly its scale's digits: 2.50 */
        *n = kdo_decimal_format(v->u.dec.v, v->u.dec.scale, buf);
        return buf;
    default:
        return NULL;
    }
}

static int json_value(struct kdo_buf *b, const struct kdo_value *v)
{
    char buf[32];
    size_t n = 0;
    if (v->type == KDO_TYPE_VARCHAR)
        return kdo_buf_json_string(b, v->u.str.s, v->u.str.len);
    const char *t = v->type == KDO_TYPE_NULL ? NULL : scalar_text(v, buf, &n);
    if (t == NULL)
        return PUT(b, "null");
    if (v->type == KDO_TYPE_TIMESTAMP)
        return kdo_buf_json_string(b, t, n);
    return kdo_buf_append(b, t, n);
}

/* The most bytes row r can take as JSON: each VARCHAR byte escaped, each
 * other value at its longest text (32), quoted (a TIMESTAMP). */
static size_t json_bound(const struct kdo_row *r)
{
    const struct kdo_row_schema *s = kdo_row_schema(r);
    size_t need = 2;
    for (size_t i = 0; i < kdo_row_schema_count(s); i++) {
        const struct kdo_value *v = kdo_row_get(r, i);
        need += kdo_row_schema_column(s, i)->name_len * 6 + 4;
        need += v->type == KDO_TYPE_VARCHAR ? v->u.str.len * 6 + 2 : 34;
    }
    return need;
}

/* Row r as JSON into room reserved for json_bound(r): no check per piece,
 * which was a third of a sliding window's output (bench_window). */
static char *json_to(char *o, const struct kdo_row *r)
{
    const struct kdo_row_schema *s = kdo_row_schema(r);
    *o++ = '{';
    for (size_t i = 0; i < kdo_row_schema_count(s); i++) {
        const struct kdo_row_column *c = kdo_row_schema_column(s, i);
        const struct kdo_value *v = kdo_row_get(r, i);
        if (i)
            *o++ = ',';
        o = kdo_json_string_to(o, c->name, c->name_len);
        *o++ = ':';
        char buf[32];
        size_t n = 0;
        const char *t = v->type == KDO_TYPE_VARCHAR || v->type == KDO_TYPE_NULL
                            ? NULL : scalar_text(v, buf, &n);
        if (v->type == KDO_TYPE_VARCHAR) {
            o = kdo_json_string_to(o, v->u.str.s, v->u.str.len);
        } else if (t == NULL) {
            memcpy(o, "null", 4);
            o += 4;
        } else if (v->type == KDO_TYPE_TIMESTAMP) {
            o = kdo_json_string_to(o, t, n);
        } else {
            memcpy(o, t, n);
            o += n;
        }
    }
    *o++ = '}';
    return o;
}

static int write_json(struct kdo_buf *b, const struct kdo_row *r)
{
    if (kdo_buf_reserve(b, json_bound(r)) == 0) {
        char *end = json_to(b->data + b->len, r);
        b->len = (size_t)(end - b->data);
        b->data[b->len] = '\0';
        return 0;
    }
    /* Past the bound: piece by piece, each checked, so a row that fits is
     * never refused for its worst case. */
    const struct kdo_row_schema *s = kdo_row_schema(r);
    int err = PUT(b, "{");
    for (size_t i = 0; !err && i < kdo_row_schema_count(s); i++) {
        const struct kdo_row_column *c = kdo_row_schema_column(s, i);
        if ((i && (err = PUT(b, ","))) || (err = kdo_buf_json_string(b, c->name, c->name_len)) ||
            (err = PUT(b, ":")))
            break;
        err = json_value(b, kdo_row_get(r, i));
    }
    return err ? err : PUT(b, "}");
}

static int csv_string(struct kdo_buf *b, const char *s, size_t n)
{
    if (n == 0)
        return kdo_buf_puts(b, "\"\"");
    bool quote = false;
    for (size_t k = 0; k < n && !quote; k++)
        quote = s[k] == ',' || s[k] == '"' || s[k] == '\r' || s[k] == '\n';
    if (!quote)
        return kdo_buf_append(b, s, n);
    int err = kdo_buf_puts(b, "\"");
    for (size_t k = 0; !err && k < n; k++) {
        err = kdo_buf_append(b, s + k, 1);
        if (!err && s[k] == '"')
            err = kdo_buf_puts(b, "\"");
    }
    return err ? err : kdo_buf_puts(b, "\"");
}

static int write_csv(struct kdo_buf *b, const struct kdo_row *r)
{
    const struct kdo_row_schema *s = kdo_row_schema(r);
    int err = 0;
    for (size_t i = 0; !err && i < kdo_row_schema_count(s); i++) {
        const struct kdo_value *v = kdo_row_get(r, i);
        char buf[32];
        size_t n = 0;
        if (i && (err = PUT(b, ",")))
            break;
        if (v->type == KDO_TYPE_VARCHAR) {
            err = csv_string(b, v->u.str.s, v->u.str.len);
        } else if (v->type != KDO_TYPE_NULL) {
            const char *t = scalar_text(v, buf, &n);
            err = t ? kdo_buf_append(b, t, n) : 0;
        }
    }
    return err;
}

int kdo_rowfmt_write(struct kdo_buf *b, const struct kdo_row *r, enum kdo_rowfmt_format f)
{
    size_t start = b->len;
    int err = f == KDO_ROWFMT_CSV ? write_csv(b, r) : write_json(b, r);
    if (!err && b->len - start > KDO_MAX_ROW_BYTES)
        err = KDO_EROWSIZE;
    if (err) {
        b->len = start;
        if (b->data)
            b->data[start] = '\0';
    }
    return err;
}

/* --- reading: shared ------------------------------------------------------- */

struct kdo_rowfmt_reader *kdo_rowfmt_reader_new(unsigned flags)
{
    struct kdo_rowfmt_reader *rd = kdo_xcalloc(1, sizeof *rd);
    rd->flags = flags;
    rd->json = kdo_json_new(JSON_DEPTH, KDO_MAX_ROW_BYTES);
    kdo_buf_init(&rd->field, KDO_MAX_ROW_BYTES);
    return rd;
}

void kdo_rowfmt_reader_free(struct kdo_rowfmt_reader *rd)
{
    if (rd == NULL)
        return;
    kdo_json_free(rd->json);
    kdo_buf_cleanup(&rd->field);
    free(rd);
}

/* What a conversion is working on, for the error report. */
struct cell {
    struct kdo_rowfmt_reader *rd;
    struct kdo_row *row;
    struct kdo_rowfmt_error *err;
    int col;
    size_t offset;
};

static int refuse(const struct cell *c, int code, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(const struct cell *c, int code, const char *name, const char *fmt, ...)
{
    if (c->err) {
        c->err->name = name;
        c->err->column = c->col;
        c->err->offset = c->offset;
        int used = 0;
        if (c->col >= 0)
            used = snprintf(c->err->msg, sizeof c->err->msg, "%s: ",
                            kdo_row_schema_column(kdo_row_schema(c->row), (size_t)c->col)->name);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err->msg + used, sizeof c->err->msg - (size_t)used, fmt, ap);
        va_end(ap);
    }
    return code;
}

static const struct kdo_row_column *column_of(const struct cell *c)
{
    return kdo_row_schema_column(kdo_row_schema(c->row), (size_t)c->col);
}

static int store(const struct cell *c, const struct kdo_value *v)
{
    struct kdo_errinfo e;
    int err = kdo_row_set(c->row, (size_t)c->col, v, &e);
    if (err == KDO_EROWSIZE)
        return refuse(c, err, KDO_ROWFMT_ERR_TOO_LARGE, "row larger than %zu bytes",
                      KDO_MAX_ROW_BYTES);
    return err ? refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_TYPE, "%s", e.msg) : 0;
}

/* The digits after the point of a plain number's text (a column whose
 * values keep their own scale). */
static int text_scale(const char *s, size_t n)
{
    const char *dot = memchr(s, '.', n);
    size_t k = 0;
    while (dot && dot + 1 + k < s + n && dot[1 + k] >= '0' && dot[1 + k] <= '9')
        k++;
    return k > KDO_DECIMAL_MAX_DIGITS ? KDO_DECIMAL_MAX_DIGITS : (int)k;
}

/* A number's text into a DECIMAL(p,s) column: exact, or refused as KDA
 * refuses 123.4 for an INT column ("exceeds the size or precision"). */
static int store_decimal(const struct cell *c, const char *s, size_t n)
{
    const struct kdo_row_column *col = column_of(c);
    int scale = col->scale >= 0 ? col->scale : text_scale(s, n);
    int64_t v;
    bool inexact = false;
    int err = kdo_decimal_parse(s, n, scale, &v, &inexact);
    if (err == KDO_EINVAL)
        return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_TYPE, "cannot convert '%.*s' to DECIMAL",
                      (int)(n > 64 ? 64 : n), s);
    if (err || inexact || kdo_decimal_digits(v) > col->precision)
        return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_TYPE, "%.*s does not fit in DECIMAL(%d,%d)",
                      (int)(n > 64 ? 64 : n), s, col->precision, scale);
    struct kdo_value d = kdo_value_decimal(v, scale);
    return store(c, &d);
}

/* Text s[0..n) into the column: kept as is for VARCHAR (cut or refused
 * past n characters), converted for the other types. */
static int store_text(const struct cell *c, const char *s, size_t n)
{
    const struct kdo_row_column *col = column_of(c);
    struct kdo_value v = kdo_value_varchar(s, n);
    if (col->type == KDO_TYPE_DECIMAL)
        return store_decimal(c, s, n);
    if (col->type == KDO_TYPE_VARCHAR) {
        size_t chars = kdo_utf8_length(s, n);
        if (chars > col->max_len && !(c->rd->flags & KDO_ROWFMT_TRUNCATE))
            return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_LENGTH,
                          "%zu characters are too long for VARCHAR(%zu)", chars, col->max_len);
        v.u.str.len = kdo_utf8_prefix(s, n, col->max_len);
        return store(c, &v);
    }
    struct kdo_value out;
    struct kdo_errinfo e;
    if (kdo_value_cast(&v, col->type, 0, NULL, &out, &e))
        return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_TYPE, "%s", e.msg);
    return store(c, &out);
}

/* --- reading JSON --------------------------------------------------------- */

/* A JSON number's text as an integer: integer syntax, or an integral
 * number in range written with a fraction or exponent (7.0, 7e0). */
static int json_integer(const char *s, size_t n, int64_t *i)
{
    double d;
    if (kdo_bigint_parse(s, n, i) == 0)
        return 0;
    if (kdo_double_parse(s, n, &d) || d != trunc(d) || !(d >= -9223372036854775808.0) ||
        !(d < 9223372036854775808.0))
        return KDO_EINVAL;
    *i = (int64_t)d;
    return 0;
}

static int json_number(const struct cell *c, const struct kdo_json_tok *t)
{
    struct kdo_value v;
    switch (column_of(c)->type) {
    case KDO_TYPE_VARCHAR:
    case KDO_TYPE_DECIMAL:
        return store_text(c, t->s, t->len);
    case KDO_TYPE_DOUBLE:
        v.type = KDO_TYPE_DOUBLE;
        if (kdo_double_parse(t->s, t->len, &v.u.d) == 0)
            return store(c, &v);
        break;
    case KDO_TYPE_BIGINT:
        v.type = KDO_TYPE_BIGINT;
        if (json_integer(t->s, t->len, &v.u.i) == 0)
            return store(c, &v);
        break;
    case KDO_TYPE_TIMESTAMP:
        v.type = KDO_TYPE_TIMESTAMP;
        if (json_integer(t->s, t->len, &v.u.ts_ms) == 0 && v.u.ts_ms >= KDO_TIMESTAMP_MIN_MS &&
            v.u.ts_ms <= KDO_TIMESTAMP_MAX_MS)
            return store(c, &v);
        break;
    default:
        break;
    }
    return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_TYPE, "cannot convert %.*s to %s",
                  (int)(t->len > 64 ? 64 : t->len), t->s, kdo_type_name(column_of(c)->type));
}

static int json_cell(const struct cell *c, const struct kdo_json_tok *t)
{
    enum kdo_type type = column_of(c)->type;
    struct kdo_value v = kdo_value_null();
    switch (t->type) {
    case KDO_JSON_NULL:
        return store(c, &v);
    case KDO_JSON_NUMBER:
        return json_number(c, t);
    case KDO_JSON_STRING:
        return store_text(c, t->s, t->len);
    case KDO_JSON_TRUE:
    case KDO_JSON_FALSE:
        if (type == KDO_TYPE_VARCHAR)
            return store_text(c, t->type == KDO_JSON_TRUE ? "true" : "false",
                              t->type == KDO_JSON_TRUE ? 4 : 5);
        v = kdo_value_bool(t->type == KDO_JSON_TRUE);
        if (type == KDO_TYPE_BOOLEAN)
            return store(c, &v);
        return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_TYPE, "cannot convert a boolean to %s",
                      kdo_type_name(type));
    default:
        return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_TYPE, "cannot convert a JSON %s to %s",
                      t->type == KDO_JSON_OBJECT ? "object" : "array", kdo_type_name(type));
    }
}

static int key_column(const struct kdo_row_schema *s, const char *key, size_t n)
{
    int i = kdo_row_schema_find(s, key, n);
    for (size_t k = 0; i < 0 && k < kdo_row_schema_count(s); k++) {
        const char *name = kdo_row_schema_column(s, k)->name;
        if (strlen(name) == n && strncasecmp(name, key, n) == 0 && memchr(key, '\0', n) == NULL)
            i = (int)k;
    }
    return i;
}

static int json_fail(struct cell *c)
{
    const struct kdo_json_error *je = kdo_json_error(c->rd->json);
    c->col = -1;
    c->offset = je ? je->offset : 0;
    if (je && je->code == KDO_ETOOBIG)
        return refuse(c, KDO_EROWSIZE, KDO_ROWFMT_ERR_TOO_LARGE, "%s", je->msg);
    return refuse(c, KDO_EPARSE, KDO_ROWFMT_ERR_JSON, "%s", je ? je->msg : "malformed JSON");
}

/* One member of the top-level object, its key just read. */
static int json_member(struct cell *c, const struct kdo_json_tok *key)
{
    struct kdo_json_tok t;
    c->col = key_column(kdo_row_schema(c->row), key->s, key->len);
    if (c->col < 0)
        return kdo_json_skip(c->rd->json, key) ? json_fail(c) : 0;
    if (kdo_json_next(c->rd->json, &t))
        return json_fail(c);
    c->offset = t.offset;
    return json_cell(c, &t);
}

static int read_json(struct cell *c, const char *data, size_t len)
{
    struct kdo_json_tok t;
    if (kdo_json_reset(c->rd->json, data, len) || kdo_json_next(c->rd->json, &t))
        return json_fail(c);
    if (t.type != KDO_JSON_OBJECT)
        return refuse(c, KDO_EPARSE, KDO_ROWFMT_ERR_NOT_OBJECT, "the record is not a JSON object");
    for (;;) {
        if (kdo_json_next(c->rd->json, &t))
            return json_fail(c);
        if (t.type == KDO_JSON_OBJECT_END)
            break;
        int err = json_member(c, &t);
        if (err)
            return err;
    }
    return kdo_json_next(c->rd->json, &t) ? json_fail(c) : 0;
}

/* --- reading CSV ---------------------------------------------------------- */

/* A quoted field starting at data[*at] (the opening quote) into the
 * scratch buffer; *at ends after the closing quote. */
static int csv_quoted(struct cell *c, const char *data, size_t len, size_t *at)
{
    size_t i = *at + 1;
    for (;;) {
        size_t run = i;
        while (i < len && data[i] != '"')
            i++;
        kdo_buf_append(&c->rd->field, data + run, i - run);
        if (i == len)
            return refuse(c, KDO_EPARSE, KDO_ROWFMT_ERR_CSV, "unterminated quoted field");
        if (i + 1 < len && data[i + 1] == '"') {
            kdo_buf_append(&c->rd->field, "\"", 1);
            i += 2;
            continue;
        }
        *at = i + 1;
        if (*at < len && data[*at] != ',') {
            c->offset = *at;
            return refuse(c, KDO_EPARSE, KDO_ROWFMT_ERR_CSV, "text after a closing quote");
        }
        return 0;
    }
}

/* One field at data[*at]; *at ends on the comma or at len. */
static int csv_field(struct cell *c, const char *data, size_t len, size_t *at)
{
    kdo_buf_reset(&c->rd->field);
    c->offset = *at;
    bool quoted = *at < len && data[*at] == '"';
    if (quoted) {
        int err = csv_quoted(c, data, len, at);
        if (err)
            return err;
    } else {
        size_t start = *at;
        while (*at < len && data[*at] != ',') {
            if (data[*at] == '"' || data[*at] == '\r' || data[*at] == '\n') {
                c->offset = *at;
                return refuse(c, KDO_EPARSE, KDO_ROWFMT_ERR_CSV,
                              "a quote, CR or LF in an unquoted field");
            }
            (*at)++;
        }
        kdo_buf_append(&c->rd->field, data + start, *at - start);
    }
    const char *s = c->rd->field.data ? c->rd->field.data : "";
    size_t n = c->rd->field.len;
    if (n == 0 && (!quoted || column_of(c)->type != KDO_TYPE_VARCHAR))
        return 0; /* NULL: the row was cleared */
    return store_text(c, s, n);
}

static int read_csv(struct cell *c, const char *data, size_t len)
{
    size_t ncols = kdo_row_schema_count(kdo_row_schema(c->row)), at = 0, fields = 0;
    if (len && data[len - 1] == '\n')
        len -= 1 + (len >= 2 && data[len - 2] == '\r');
    for (;;) {
        if (fields == ncols) {
            c->col = -1;
            c->offset = at;
            return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_FIELDS, "more than %zu fields", ncols);
        }
        c->col = (int)fields++;
        int err = csv_field(c, data, len, &at);
        if (err)
            return err;
        if (at == len)
            break;
        at++; /* the comma */
    }
    if (fields < ncols) {
        c->col = -1;
        return refuse(c, KDO_ESCHEMA, KDO_ROWFMT_ERR_FIELDS, "%zu fields for %zu columns", fields,
                      ncols);
    }
    return 0;
}

int kdo_rowfmt_read(struct kdo_rowfmt_reader *rd, enum kdo_rowfmt_format f, const char *data,
                    size_t len, struct kdo_row *r, struct kdo_rowfmt_error *err)
{
    struct cell c = {rd, r, err, -1, 0};
    if (err)
        *err = (struct kdo_rowfmt_error){.name = NULL, .column = -1};
    kdo_row_clear(r);
    int e;
    if (len > KDO_MAX_ROW_BYTES)
        e = refuse(&c, KDO_EROWSIZE, KDO_ROWFMT_ERR_TOO_LARGE, "record of %zu bytes is over %zu",
                   len, KDO_MAX_ROW_BYTES);
    else if (data == NULL && len > 0)
        e = KDO_EINVAL;
    else
        e = f == KDO_ROWFMT_CSV ? read_csv(&c, data ? data : "", len) : read_json(&c, data, len);
    if (e)
        kdo_row_clear(r);
    return e;
}
