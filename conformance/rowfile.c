/*
 * rowfile.c -- reading an input-row file (JSON Lines or CSV) into rows.
 *
 * The file is read whole into one buffer and scanned once, front to back;
 * each row is a span of that buffer whose terminator byte is overwritten
 * with a NUL, so rows are NUL-terminated without a copy.  That overwrite is
 * safe because the scan never looks back past the record it is in.  The
 * CSV scan only delimits records (quote state and a field count); turning
 * fields into values is rowfmt.c's job.  See rowfile.h for the rules.
 */
#include "rowfile.h"

#include "delivery/contract.h"
#include "sql/row.h"
#include "sql/value.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct span {
    size_t off, len;
    int line; /* where the row starts */
};

struct kdo_rowfile {
    char *path; /* a copy: mismatch.file points at it */
    char *data; /* the file plus a NUL; rows point into it */
    struct span *rows;
    size_t nrows, cap;
    char **columns;
    size_t ncolumns;
    size_t mismatched;
    struct kdo_errinfo mismatch; /* the first mismatched record */
};

/* One scan over the buffer: the cursor and the physical line it is on. */
struct scan {
    struct kdo_rowfile *f;
    const struct kdo_rowfile_options *opt;
    const char *path;
    struct kdo_errinfo *err;
    size_t max_rows;
    const char *data;
    size_t pos, n;
    int line;          /* of data[pos] */
    size_t line_start; /* offset of that line's first byte */
    size_t expected;   /* CSV fields per record; 0: unchecked */
};

/* One CSV record as delimited by the scan. */
struct record {
    size_t start, end; /* its bytes, without the terminator */
    int line;          /* where it starts */
    size_t fields;
    int extra_line, extra_col; /* where field `expected + 1` starts, if any */
    int end_line, end_col;     /* just past its last byte */
};

/* --- reading the file ----------------------------------------------------- */

static int too_big(const char *path, size_t max, struct kdo_errinfo *e)
{
    return kdo_errinfo_set(e, KDO_ETOOBIG, path, 0, 0,
                           "the file is larger than %zu bytes, the limit for a row file", max);
}

static int cannot_open(const char *path, struct kdo_errinfo *e)
{
    return kdo_errinfo_set(e, errno == ENOENT ? KDO_ENOENT : KDO_EIO, path, 0, 0,
                           "cannot open the row file: %s", strerror(errno));
}

static const char *kind_of(mode_t m)
{
    return S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) || S_ISBLK(m) ? "a device" : S_ISDIR(m) ? "a folder"
           : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

static int not_regular(const char *path, mode_t m, struct kdo_errinfo *e)
{
    return kdo_errinfo_set(e, KDO_EINVAL, path, 0, 0,
                           "%s is %s, not a regular file: a row file is read whole, so only a "
                           "regular file is read", path, kind_of(m));
}

/* 1 if `real` (a real path) is one of the roots or lies under one. */
static int inside(const char *real, const struct kdo_rowfile_options *opt)
{
    for (size_t i = 0; i < opt->nroots; i++) {
        size_t n = strlen(opt->roots[i]);
        while (n > 1 && opt->roots[i][n - 1] == '/')
            n--;
        if (strncmp(real, opt->roots[i], n) == 0 &&
            (real[n] == '\0' || real[n] == '/' || (n == 1 && real[0] == '/')))
            return 1;
    }
    return 0;
}

static int outside(const char *path, const char *real, const struct kdo_rowfile_options *opt,
                   struct kdo_errinfo *e)
{
    const char *more = opt->nroots > 1 ? " and every --allow-path" : "";
    if (strcmp(path, real) == 0)
        return kdo_errinfo_set(e, KDO_EINVAL, path, 0, 0, "%s is outside the scenario's folder "
                               "(%s)%s; allow it with --allow-path DIR", path, opt->roots[0], more);
    return kdo_errinfo_set(e, KDO_EINVAL, path, 0, 0, "%s resolves to %s, outside the scenario's "
                           "folder (%s)%s; allow it with --allow-path DIR", path, real,
                           opt->roots[0], more);
}

/* Where the open file descriptor really is (Linux: /proc/self/fd), so the
 * check is on the file opened, not on a path that may have changed since.
 * Returns 0, or -1 where /proc is missing (the earlier realpath() stands). */
static int fd_path(int fd, char *real, size_t n)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t len = readlink(link, real, n - 1);
    if (len <= 0 || (size_t)len >= n - 1)
        return -1;
    real[len] = '\0';
    return 0;
}

/* Opens `path` as opt allows: a regular file, inside the roots if any.
 * Never blocks: the kind is checked with stat() first, and the open is
 * O_NONBLOCK (a FIFO swapped in after the stat() opens at once and is
 * refused by fstat()); where the file is is checked again on the open
 * descriptor, so a symlink swapped in between is caught too. */
static int open_confined(const char *path, const struct kdo_rowfile_options *opt, int *out,
                         struct kdo_errinfo *e)
{
    char real[PATH_MAX];
    struct stat st;
    if (opt->nroots > 0 && realpath(path, real) == NULL)
        return cannot_open(path, e);
    if (opt->nroots > 0 && !inside(real, opt))
        return outside(path, real, opt, e);
    if (stat(path, &st) != 0)
        return cannot_open(path, e);
    if (!S_ISREG(st.st_mode))
        return not_regular(path, st.st_mode, e);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return cannot_open(path, e);
    int err = 0;
    if (fstat(fd, &st) != 0)
        err = cannot_open(path, e);
    else if (!S_ISREG(st.st_mode))
        err = not_regular(path, st.st_mode, e);
    else if (opt->nroots > 0 && fd_path(fd, real, sizeof real) == 0 && !inside(real, opt))
        err = outside(path, real, opt, e);
    else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        err = cannot_open(path, e);
    if (err)
        close(fd);
    else
        *out = fd;
    return err;
}

/* The whole file into *data (NUL-terminated, owned by the caller), at most
 * `max` bytes; the size is checked before reading, and again while reading
 * (the file may grow). */
static int read_all(const char *path, const struct kdo_rowfile_options *opt, size_t max,
                    char **data, size_t *n, struct kdo_errinfo *e)
{
    int fd;
    int rc = open_confined(path, opt, &fd, e);
    if (rc)
        return rc;
    FILE *fp = fdopen(fd, "rb");
    if (fp == NULL) {
        close(fd);
        return cannot_open(path, e);
    }
    struct stat st;
    size_t cap = 65536, len = 0;
    int err = 0;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode)) {
        if ((unsigned long long)st.st_size > max) {
            fclose(fp);
            return too_big(path, max, e);
        }
        cap = (size_t)st.st_size + 2; /* +1 for the NUL, +1 to see EOF without growing */
    }
    char *buf = kdo_xmalloc(cap);
    for (;;) {
        size_t got = fread(buf + len, 1, cap - 1 - len, fp);
        len += got;
        if (len > max) {
            err = too_big(path, max, e);
            break;
        }
        if (got == 0) {
            if (ferror(fp))
                err = kdo_errinfo_set(e, KDO_EIO, path, 0, 0, "cannot read the row file: %s",
                                      strerror(errno));
            break;
        }
        if (len + 1 == cap) {
            cap = cap > max / 2 ? max + 2 : cap * 2;
            buf = kdo_xrealloc(buf, cap);
        }
    }
    fclose(fp);
    if (err) {
        free(buf);
        return err;
    }
    buf[len] = '\0';
    *data = buf;
    *n = len;
    return 0;
}

/* --- rows ----------------------------------------------------------------- */

static int column_at(const struct scan *s, size_t pos)
{
    return (int)(pos - s->line_start) + 1;
}

static void newline(struct scan *s)
{
    s->line++;
    s->line_start = s->pos + 1;
}

static int check_size(struct scan *s, size_t len, int line)
{
    if (len <= KDO_MAX_ROW_BYTES)
        return 0;
    return kdo_errinfo_set(
        s->err, KDO_EROWSIZE, s->path, line, 1,
        "a row of %zu bytes; KDA's in-application row limit is %zu bytes (512 KB)", len,
        KDO_MAX_ROW_BYTES);
}

/* Keeps data[start, end) as the next row, NUL-terminating it in place. */
static int add_row(struct scan *s, size_t start, size_t end, int line)
{
    struct kdo_rowfile *f = s->f;
    size_t len = end - start;
    int err = check_size(s, len, line);
    if (err)
        return err;
    if (f->nrows == s->max_rows)
        return kdo_errinfo_set(s->err, KDO_ETOOBIG, s->path, line, 1,
                               "more than %zu rows in the file", s->max_rows);
    if (f->nrows == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 1024;
        f->rows = kdo_xrealloc(f->rows, f->cap * sizeof f->rows[0]);
    }
    f->rows[f->nrows++] = (struct span){start, len, line};
    f->data[end] = '\0';
    return 0;
}

/* --- JSON Lines ----------------------------------------------------------- */

static int scan_jsonl(struct scan *s)
{
    int err = 0;
    while (err == 0 && s->pos < s->n) {
        size_t start = s->pos;
        const char *nl = memchr(s->data + start, '\n', s->n - start);
        size_t end = nl ? (size_t)(nl - s->data) : s->n;
        s->pos = end;
        int line = s->line;
        if (nl) {
            newline(s);
            s->pos++;
        }
        while (end > start && s->data[end - 1] == '\r')
            end--;
        if (end > start)
            err = add_row(s, start, end, line);
    }
    return err;
}

/* --- CSV ------------------------------------------------------------------ */

/* Steps over a quoted field whose opening quote is at pos; pos ends just
 * past the closing quote. */
static int csv_quoted(struct scan *s)
{
    int line = s->line, col = column_at(s, s->pos);
    for (s->pos++; s->pos < s->n; s->pos++) {
        if (s->data[s->pos] == '\n') {
            newline(s);
        } else if (s->data[s->pos] == '"') {
            if (s->pos + 1 < s->n && s->data[s->pos + 1] == '"') {
                s->pos++;
                continue;
            }
            s->pos++;
            return 0;
        }
    }
    return kdo_errinfo_set(
        s->err, KDO_EPARSE, s->path, line, col,
        "this quoted field is never closed (a quote inside a quoted field is written twice: \"\")");
}

/* Delimits the record at pos; pos ends at the start of the next one. */
static int csv_record(struct scan *s, struct record *r)
{
    *r = (struct record){.start = s->pos, .line = s->line, .fields = 1};
    int field_start = 1;
    while (s->pos < s->n && s->data[s->pos] != '\n') {
        if (field_start && s->data[s->pos] == '"') {
            int err = csv_quoted(s);
            if (err)
                return err;
            field_start = 0;
            continue;
        }
        field_start = s->data[s->pos] == ',';
        s->pos++;
        if (field_start && ++r->fields == s->expected + 1) {
            r->extra_line = s->line;
            r->extra_col = column_at(s, s->pos);
        }
    }
    r->end = s->pos;
    if (r->end > r->start && s->data[r->end - 1] == '\r')
        r->end--;
    r->end_line = s->line;
    r->end_col = column_at(s, r->end);
    if (s->pos < s->n) {
        newline(s);
        s->pos++;
    }
    return 0;
}

/* The field at *p (< end), unquoted, as a new string; *p ends on the comma
 * after it or at end.  Text after a closing quote is kept as written. */
static char *csv_unquote(const char **p, const char *end)
{
    char *name = kdo_xmalloc((size_t)(end - *p) + 1), *w = name;
    int quoted = *p < end && **p == '"';
    for (*p += quoted; *p < end && (quoted || **p != ','); (*p)++) {
        if (quoted && **p == '"') {
            if (*p + 1 < end && (*p)[1] == '"') {
                (*p)++; /* a doubled quote: keep one */
            } else {
                quoted = 0; /* the closing quote */
                continue;
            }
        }
        *w++ = **p;
    }
    *w = '\0';
    return name;
}

/* The fields of a delimited record: the header's column names. */
static void csv_header(struct scan *s, const struct record *r)
{
    struct kdo_rowfile *f = s->f;
    const char *p = s->data + r->start, *end = s->data + r->end;
    f->columns = kdo_xcalloc(r->fields, sizeof f->columns[0]);
    /* csv_record() counted the fields by the same quoting rules. */
    while (f->ncolumns < r->fields) {
        f->columns[f->ncolumns++] = csv_unquote(&p, end);
        p += p < end; /* the comma */
    }
}

/* "A, B, C" into buf, cut with "..." if it does not fit. */
static void name_list(char *buf, size_t size, const char *const *names, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && at < size; i++) {
        int w = snprintf(buf + at, size - at, "%s%s", i ? ", " : "", names[i]);
        at += w > 0 ? (size_t)w : 0;
    }
    if (at >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

static void mismatch(struct scan *s, const struct record *r)
{
    struct kdo_rowfile *f = s->f;
    if (f->mismatched++)
        return;
    int too_many = r->fields > s->expected;
    char names[320];
    if (s->opt->has_header)
        name_list(names, sizeof names, (const char *const *)f->columns, f->ncolumns);
    else
        name_list(names, sizeof names, s->opt->columns, s->opt->ncolumns);
    int line = too_many ? r->extra_line : r->end_line, col = too_many ? r->extra_col : r->end_col;
    const char *plural = r->fields == 1 ? "" : "s";
    if (s->opt->has_header)
        kdo_errinfo_set(&f->mismatch, KDO_ESCHEMA, f->path, line, col,
                        "this record has %zu field%s; the header has %zu (%s)", r->fields, plural,
                        s->expected, names);
    else
        kdo_errinfo_set(&f->mismatch, KDO_ESCHEMA, f->path, line, col,
                        "this record has %zu field%s; %zu columns are declared (%s)", r->fields,
                        plural, s->expected, names);
}

static int scan_csv(struct scan *s)
{
    int want_header = s->opt->has_header;
    if (s->n >= 3 && memcmp(s->data, "\xEF\xBB\xBF", 3) == 0)
        s->pos = s->line_start = 3;
    s->expected = want_header ? 0 : s->opt->ncolumns;
    while (s->pos < s->n) {
        struct record r;
        int err = csv_record(s, &r);
        if (err)
            return err;
        if (r.end == r.start)
            continue;
        if (want_header) {
            if ((err = check_size(s, r.end - r.start, r.line)))
                return err;
            csv_header(s, &r);
            s->expected = s->f->ncolumns;
            want_header = 0;
            continue;
        }
        if (s->expected && r.fields != s->expected)
            mismatch(s, &r);
        if ((err = add_row(s, r.start, r.end, r.line)))
            return err;
    }
    return 0;
}

/* --- the API -------------------------------------------------------------- */

static int check_options(const struct kdo_rowfile_options *o, const char *path,
                         struct kdo_errinfo *e)
{
    const char *why = NULL;
    if (o->format != KDO_ROWFMT_JSON && o->format != KDO_ROWFMT_CSV)
        why = "an unknown row format";
    else if (o->format == KDO_ROWFMT_JSON && (o->has_header || o->columns))
        why = "a JSON Lines file has no header or column list";
    else if (o->has_header && o->columns)
        why = "a CSV file has a header or declared columns, not both";
    else if (o->columns == NULL && o->ncolumns)
        why = "a column count without column names";
    else if (o->roots == NULL && o->nroots)
        why = "a folder count without folders";
    else if (o->max_bytes > KDO_ROWFILE_MAX_BYTES || o->max_rows > KDO_ROWFILE_MAX_ROWS)
        why = "limits above the built-in maximums";
    return why ? kdo_errinfo_set(e, KDO_EINVAL, path, 0, 0, "%s", why) : 0;
}

int kdo_rowfile_load(const char *path, const struct kdo_rowfile_options *opt,
                     struct kdo_rowfile **out, struct kdo_errinfo *err)
{
    *out = NULL;
    int rc = check_options(opt, path, err);
    if (rc)
        return rc;
    size_t max = opt->max_bytes ? opt->max_bytes : KDO_ROWFILE_MAX_BYTES;
    struct kdo_rowfile *f = kdo_xcalloc(1, sizeof *f);
    f->path = kdo_xstrdup(path);
    struct scan s = {.f = f,
                     .opt = opt,
                     .path = path,
                     .err = err,
                     .line = 1,
                     .max_rows = opt->max_rows ? opt->max_rows : KDO_ROWFILE_MAX_ROWS};
    if ((rc = read_all(path, opt, max, &f->data, &s.n, err)))
        goto out;
    s.data = f->data;
    rc = opt->format == KDO_ROWFMT_CSV ? scan_csv(&s) : scan_jsonl(&s);
out:
    if (rc)
        kdo_rowfile_free(f);
    else
        *out = f;
    return rc;
}

void kdo_rowfile_free(struct kdo_rowfile *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->ncolumns; i++)
        free(f->columns[i]);
    free(f->columns);
    free(f->rows);
    free(f->data);
    free(f->path);
    free(f);
}

size_t kdo_rowfile_count(const struct kdo_rowfile *f)
{
    return f->nrows;
}

const char *kdo_rowfile_row(const struct kdo_rowfile *f, size_t i, size_t *len)
{
    *len = f->rows[i].len;
    return f->data + f->rows[i].off;
}

int kdo_rowfile_line(const struct kdo_rowfile *f, size_t i)
{
    return f->rows[i].line;
}

size_t kdo_rowfile_ncolumns(const struct kdo_rowfile *f)
{
    return f->ncolumns;
}

const char *kdo_rowfile_column(const struct kdo_rowfile *f, size_t i)
{
    return f->columns[i];
}

size_t kdo_rowfile_mismatched(const struct kdo_rowfile *f, struct kdo_errinfo *first)
{
    if (f->mismatched && first)
        *first = f->mismatch;
    return f->mismatched;
}

int kdo_rowfile_format_of(const char *path, enum kdo_rowfmt_format *fmt)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (dot == NULL || (slash && dot < slash))
        return KDO_EINVAL;
    if (strcasecmp(dot, ".csv") == 0)
        *fmt = KDO_ROWFMT_CSV;
    else if (strcasecmp(dot, ".jsonl") == 0 || strcasecmp(dot, ".ndjson") == 0 ||
             strcasecmp(dot, ".json") == 0)
        *fmt = KDO_ROWFMT_JSON;
    else
        return KDO_EINVAL;
    return 0;
}

/* ---- type inference ------------------------------------------------------------------ */

enum guess { G_NONE, G_BIGINT, G_DOUBLE, G_BOOLEAN, G_TIMESTAMP, G_VARCHAR };

static enum guess guess_of(const char *s, size_t n)
{
    int64_t i;
    double d;
    if (kdo_bigint_parse(s, n, &i) == 0)
        return G_BIGINT;
    if (kdo_double_parse(s, n, &d) == 0)
        return G_DOUBLE;
    if ((n == 4 && strncasecmp(s, "true", 4) == 0) || (n == 5 && strncasecmp(s, "false", 5) == 0))
        return G_BOOLEAN;
    if (kdo_timestamp_parse(s, n, &i) == 0)
        return G_TIMESTAMP;
    return G_VARCHAR;
}

static enum guess join(enum guess a, enum guess b)
{
    if (a == G_NONE || a == b)
        return b;
    if ((a == G_BIGINT && b == G_DOUBLE) || (a == G_DOUBLE && b == G_BIGINT))
        return G_DOUBLE;
    return G_VARCHAR;
}

size_t kdo_rowfile_infer_types(const struct kdo_rowfile *f, char **types)
{
    size_t n = kdo_rowfile_ncolumns(f);
    if (n == 0)
        return 0;
    struct kdo_row_schema *schema = kdo_row_schema_new();
    for (size_t i = 0; i < n; i++) {
        char name[24];
        snprintf(name, sizeof name, "C%zu", i);
        kdo_row_schema_add(schema, name, strlen(name), KDO_TYPE_VARCHAR, 65535, NULL);
    }
    struct kdo_row *row = kdo_row_new(schema);
    struct kdo_rowfmt_reader *reader = kdo_rowfmt_reader_new(0);
    enum guess *g = kdo_xcalloc(n, sizeof *g);
    size_t *longest = kdo_xcalloc(n, sizeof *longest);
    for (size_t r = 0; r < kdo_rowfile_count(f); r++) {
        size_t len;
        const char *text = kdo_rowfile_row(f, r, &len);
        struct kdo_rowfmt_error e;
        if (kdo_rowfmt_read(reader, KDO_ROWFMT_CSV, text, len, row, &e) != 0)
            continue;
        for (size_t i = 0; i < n; i++) {
            const struct kdo_value *v = kdo_row_get(row, i);
            if (v->type != KDO_TYPE_VARCHAR || v->u.str.len == 0)
                continue;
            g[i] = join(g[i], guess_of(v->u.str.s, v->u.str.len));
            if (v->u.str.len > longest[i])
                longest[i] = v->u.str.len;
        }
    }
    static const char *const names[] = {NULL, "BIGINT", "DOUBLE", "BOOLEAN", "TIMESTAMP"};
    for (size_t i = 0; i < n; i++) {
        char t[32];
        if (g[i] == G_NONE || g[i] == G_VARCHAR)
            snprintf(t, sizeof t, "VARCHAR(%zu)", longest[i] ? longest[i] : 1);
        else
            snprintf(t, sizeof t, "%s", names[g[i]]);
        types[i] = kdo_xstrdup(t);
    }
    free(g);
    free(longest);
    kdo_rowfmt_reader_free(reader);
    kdo_row_free(row);
    kdo_row_schema_free(schema);
    return n;
}
