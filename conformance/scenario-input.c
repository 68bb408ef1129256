/*
 * scenario-input.c -- application.input and the input schema (scenario-int.h).
 *
 * Input items (rates, bursts, single rows, literal rows, row files), the
 * folders a row file may come from (the scenario's own and --allow-path),
 * a CSV file's header as the input schema, and the input side of the query
 * (input_format).  Every row is held to KDA's 512 KB row limit here, before
 * anything runs; the files themselves are read by rowfile.c.
 */
#include "scenario-int.h"

#include "base/bounds.h"
#include "rowfile.h"
#include "sql/value.h"
#include "units.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rows ---------------------------------------------------------------------- */

/* A YAML value as JSON text: plain scalars that read as numbers, booleans
 * or null stay bare, everything else is a string; mappings keep their order. */
/* RFC 8259's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int json_number(const char *s)
{
    size_t i = s[0] == '-';
    if (s[i] == '0')
        i++;
    else if (s[i] >= '1' && s[i] <= '9')
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return 0;
    if (s[i] == '.') {
        if (s[++i] < '0' || s[i] > '9')
            return 0;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (s[i] == 'e' || s[i] == 'E') {
        i += s[i + 1] == '+' || s[i + 1] == '-' ? 2 : 1;
        if (s[i] < '0' || s[i] > '9')
            return 0;
        while (s[i] >= '0' && s[i] <= '9')
            i++;
    }
    return s[i] == '\0';
}

/* A mapping row as JSON.  A plain YAML scalar is a number, boolean or null
 * when YAML 1.2 says so (written as JSON writes it: .5 is 0.5, 007 is 7, ~
 * is null); anything else is a string. */
static void to_json(node *n, struct kdo_buf *b)
{
    if (n->type == KDO_YNODE_SCALAR) {
        double d;
        char why[8], num[32];
        static const char *const nulls[] = {"~", "null", "Null", "NULL", ""};
        static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
        for (size_t i = 0; n->plain && i < sizeof nulls / sizeof nulls[0]; i++)
            if (strcmp(n->text, nulls[i]) == 0) {
                kdo_buf_puts(b, "null");
                return;
            }
        for (size_t i = 0; n->plain && i < sizeof bools / sizeof bools[0]; i++)
            if (strcmp(n->text, bools[i]) == 0) {
                kdo_buf_puts(b, i < 3 ? "true" : "false");
                return;
            }
        if (n->plain && json_number(n->text))
            kdo_buf_append(b, n->text, n->len);
        else if (n->plain && kdo_units_number(n->text, &d, why, sizeof why) == 0 && isfinite(d))
            kdo_buf_append(b, num, kdo_double_format(d, num)); /* shortest: 0.5, 7.0 */
        else
            kdo_buf_json_string(b, n->text, n->len);
        return;
    }
    kdo_buf_puts(b, n->type == KDO_YNODE_MAP ? "{" : "[");
    for (size_t i = 0; i < n->n; i++) {
        kdo_buf_puts(b, i ? "," : "");
        if (n->type == KDO_YNODE_MAP) {
            kdo_buf_json_string(b, n->pairs[i].key->text, n->pairs[i].key->len);
            kdo_buf_puts(b, ":");
            to_json(n->pairs[i].value, b);
        } else {
            to_json(n->items[i], b);
        }
    }
    kdo_buf_puts(b, n->type == KDO_YNODE_MAP ? "}" : "]");
}

static int add_row(struct kdo__scenario_ctx *c, node *at, struct kdo_source_segment *g,
                   const char *row, size_t len)
{
    if (len > KDO_MAX_ROW_BYTES)
        return kdo__scenario_fail(c, at,
                                  "a row of %zu bytes; KDA's in-application row limit is %zu bytes "
                                  "(512 KB)",
                                  len, KDO_MAX_ROW_BYTES);
    kdo_source_segment_add_row(g, row, len);
    return 0;
}

/* rows: a list of rows, each text or a mapping (written as JSON). */
static int inline_rows(struct kdo__scenario_ctx *c, node *seq, struct kdo_source_segment *g)
{
    int err = kdo__scenario_want(c, seq, KDO_YNODE_SEQ,
                                 "a list of rows (text, or mappings written as JSON)");
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        node *r = seq->items[i];
        if (r->type == KDO_YNODE_SCALAR) {
            err = add_row(c, r, g, r->text, r->len);
            continue;
        }
        struct kdo_buf b;
        kdo_buf_init(&b, KDO_MAX_ROW_BYTES + 1);
        c->mapping_rows = 1;
        to_json(r, &b);
        err = add_row(c, r, g, b.data ? b.data : "", b.len);
        kdo_buf_cleanup(&b);
    }
    return err;
}

/* The input file an error points into; valid until this thread loads
 * another scenario. */
static _Thread_local char error_file[4096];

/* A CSV file's header becomes the input schema unless one is declared; every
 * CSV file of a scenario must have the same one.  Column `skip` (a time:
 * column, cut from the rows; SIZE_MAX for none) is not part of it. */
static int csv_header(struct kdo__scenario_ctx *c, node *n, const struct kdo_rowfile *f,
                      size_t skip)
{
    size_t all = kdo_rowfile_ncolumns(f), cols = all - (skip < all);
    if (c->csv == NULL) {
        char **types = kdo_xcalloc(all ? all : 1, sizeof *types);
        c->csv = n;
        c->ncsv_columns = cols;
        c->csv_columns = kdo_xcalloc(cols ? cols : 1, sizeof *c->csv_columns);
        c->csv_types = kdo_xcalloc(cols ? cols : 1, sizeof *c->csv_types);
        kdo_rowfile_infer_types(f, types);
        for (size_t i = 0, k = 0; i < all; i++) {
            if (i == skip) {
                free(types[i]);
                continue;
            }
            c->csv_columns[k] = kdo_xstrdup(kdo_rowfile_column(f, i));
            c->csv_types[k++] = types[i];
        }
        free(types);
        return 0;
    }
    int same = cols == c->ncsv_columns;
    for (size_t i = 0, k = 0; same && i < all; i++)
        if (i != skip)
            same = strcmp(c->csv_columns[k++], kdo_rowfile_column(f, i)) == 0;
    if (!same)
        return kdo__scenario_fail(
            c, n, "this CSV file's header differs from the first CSV file's (line %d)",
            c->csv->line);
    return 0;
}

/* Paths a scenario may read row files from besides its own folder
 * (--allow-path), as real paths.  Set by main() before any scenario loads;
 * read-only while scenarios load (on --jobs threads). */
#define MAX_ALLOWED_PATHS (KDO__SCENARIO_MAX_ROOTS - 1)
static char *allowed_paths[MAX_ALLOWED_PATHS];
static size_t nallowed_paths;

int kdo_scenario_allow_path(const char *path, char *err, size_t err_size)
{
    char real[PATH_MAX];
    if (nallowed_paths == MAX_ALLOWED_PATHS)
        return snprintf(err, err_size, "at most %d --allow-path", MAX_ALLOWED_PATHS), KDO_ETOOBIG;
    if (realpath(path, real) == NULL)
        return snprintf(err, err_size, "--allow-path %s: %s", path, strerror(errno)),
               errno == ENOENT ? KDO_ENOENT : KDO_EIO;
    allowed_paths[nallowed_paths++] = kdo_xstrdup(real);
    return 0;
}

void kdo_scenario_allow_path_clear(void)
{
    for (size_t i = 0; i < nallowed_paths; i++)
        free(allowed_paths[i]);
    nallowed_paths = 0;
}

/* The folders a row file may be in: the scenario's own (the folder of
 * c->file, or the working directory), then every --allow-path.  roots[0]
 * is `folder`, which the caller provides. */
int kdo__scenario_row_roots(struct kdo__scenario_ctx *c, node *n, char *folder,
                            const char **roots, size_t *nroots)
{
    const char *slash = strrchr(c->file, '/');
    char dir[4096];
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == c->file ? 1 : (int)(slash - c->file), c->file);
    if (realpath(dir, folder) == NULL)
        return kdo__scenario_fail(c, n, "cannot resolve the scenario's folder %s (%s)", dir,
                                  strerror(errno));
    roots[0] = folder;
    for (size_t i = 0; i < nallowed_paths; i++)
        roots[i + 1] = allowed_paths[i];
    *nroots = nallowed_paths + 1;
    return 0;
}

/* The rows of a loaded file into g: as they are, or each at the time its
 * `time` column gives, the column cut out (scenario-time.c). */
static int take_rows(struct kdo__scenario_ctx *c, node *n, node *time, const struct kdo_rowfile *f,
                     enum kdo_rowfmt_format format, int has_header, struct kdo_source_segment *g)
{
    size_t idx = SIZE_MAX;
    int err = 0;
    if (time && format == KDO_ROWFMT_CSV && !has_header)
        return kdo__scenario_fail(c, time,
                                  "time: names a column of a CSV file's header, and this file "
                                  "has none (header: false)");
    if (time && format == KDO_ROWFMT_CSV)
        err = kdo__scenario_time_column(c, time, f, &idx);
    if (err == 0 && format == KDO_ROWFMT_CSV && has_header)
        err = csv_header(c, n, f, idx);
    else if (err == 0 && format == KDO_ROWFMT_CSV && c->csv == NULL)
        c->csv = n;
    if (err == 0 && time)
        return kdo__scenario_timed_rows(c, time, f, format, idx, g);
    for (size_t i = 0; err == 0 && i < kdo_rowfile_count(f); i++) {
        size_t len;
        const char *row = kdo_rowfile_row(f, i, &len);
        kdo_source_segment_add_row(g, row, len);
    }
    return err;
}

/* file: rows from a file in the scenario's folder (or an --allow-path):
 * JSON Lines (one row a line) or, for a .csv name, CSV records, by default
 * after a header line. */
static int file_rows(struct kdo__scenario_ctx *c, node *n, node *header, node *time,
                     struct kdo_source_segment *g)
{
    const char *slash = strrchr(c->file, '/');
    if (n->type != KDO_YNODE_SCALAR)
        return kdo__scenario_fail(
            c, n, "file: expected the path of a JSON Lines (.jsonl) or CSV (.csv) file");
    if (n->text[0] == '/' || slash == NULL)
        snprintf(c->csv_path, sizeof c->csv_path, "%s", n->text);
    else
        snprintf(c->csv_path, sizeof c->csv_path, "%.*s/%s", (int)(slash - c->file), c->file,
                 n->text);
    char folder[PATH_MAX];
    const char *roots[MAX_ALLOWED_PATHS + 1];
    size_t nroots = 0;
    int err = kdo__scenario_row_roots(c, n, folder, roots, &nroots);
    if (err)
        return err;
    struct kdo_rowfile_options o = {.format = KDO_ROWFMT_JSON, .has_header = true};
    if (kdo_rowfile_format_of(c->csv_path, &o.format) != 0)
        o.format = KDO_ROWFMT_JSON; /* any other name: JSON Lines */
    o.has_header = o.format == KDO_ROWFMT_CSV;
    if (header) {
        if (header->type != KDO_YNODE_SCALAR ||
            (strcmp(header->text, "true") != 0 && strcmp(header->text, "false") != 0))
            return kdo__scenario_fail(c, header, "header: expected true or false");
        if (o.format != KDO_ROWFMT_CSV)
            return kdo__scenario_fail(c, header, "header is for CSV files (a .csv name)");
        o.has_header = strcmp(header->text, "true") == 0;
    }
    if (o.format == KDO_ROWFMT_CSV && !o.has_header) {
        o.columns = c->s->query.columns;
        o.ncolumns = c->s->query.ncolumns;
    }
    o.roots = roots;
    o.nroots = nroots;
    struct kdo_rowfile *f;
    err = kdo_rowfile_load(c->csv_path, &o, &f, c->err);
    if (err == KDO_EINVAL && c->err) /* refused: point at the file: value */
        return kdo__scenario_fail(c, n, "%s", c->err->msg);
    if (err == KDO_ENOENT || err == KDO_EIO || (err && c->err == NULL)) {
        char why[sizeof c->err->msg];
        snprintf(why, sizeof why, "%s", c->err ? c->err->msg : "");
        return kdo__scenario_fail(c, n, "cannot read %s (%s)", c->csv_path, why);
    }
    if (err) { /* an error at a place in the file: name the file, which outlives c */
        snprintf(error_file, sizeof error_file, "%s", c->csv_path);
        c->err->file = error_file;
        return KDO_ESCHEMA;
    }
    if (kdo_rowfile_count(f) == 0) {
        kdo_rowfile_free(f);
        return kdo__scenario_fail(c, n, "%s holds no rows", c->csv_path);
    }
    err = take_rows(c, n, time, f, o.format, o.has_header, g);
    kdo_rowfile_free(f);
    return err;
}

/* time: goes with a file, alone: each row's own time replaces at/from/rate. */
static int time_keys(struct kdo__scenario_ctx *c, node *it, node *rows)
{
    node *time = kdo_ynode_get(it, "time");
    static const char *const timing[] = {"at", "from", "rate"};
    if (time == NULL)
        return 0;
    if (time->type != KDO_YNODE_SCALAR || time->len == 0 || memchr(time->text, '\0', time->len))
        return kdo__scenario_fail(c, time, "time: expected the name of a column, e.g. ROWTIME");
    if (rows)
        return kdo__scenario_fail(c, time, "time goes with a file (rows arrive at `at` or `rate`)");
    for (size_t i = 0; i < sizeof timing / sizeof timing[0]; i++)
        if (kdo_ynode_get(it, timing[i]))
            return kdo__scenario_fail(c, kdo_ynode_get(it, timing[i]),
                                      "%s: with time: %s, each row arrives at its own time",
                                      timing[i], time->text);
    return 0;
}

static int input_item(struct kdo__scenario_ctx *c, node *it, struct kdo_source_segment *g)
{
    const struct kdo_format_map *t = kdo__scenario_table(c, "application/input");
    int err = kdo__scenario_check_keys(c, it, t);
    node *rate = kdo_ynode_get(it, "rate"), *burst = kdo_ynode_get(it, "burst"),
         *row = kdo_ynode_get(it, "row"), *n;
    node *rows = kdo_ynode_get(it, "rows"), *file = kdo_ynode_get(it, "file");
    if (err)
        return err;
    if (rows || file) {
        if (rows && file)
            return kdo__scenario_fail(c, it, "an input item has rows or a file, not both");
        if (burst || row)
            return kdo__scenario_fail(
                c, it,
                "rows and file go with at/from and an optional rate, not with "
                "burst or row");
        g->kind = KDO_SEGMENT_ROWS;
        g->until = KDO_TIME_NEVER;
        if ((n = kdo_ynode_get(it, "from")) &&
            (err = kdo__scenario_duration(c, n, "from", &g->from)))
            return err;
        if ((n = kdo_ynode_get(it, "at")) && (err = kdo__scenario_duration(c, n, "at", &g->from)))
            return err;
        if (rate && (err = kdo__scenario_rate(c, rate, "rate", &g->rate)))
            return err;
        if (rows && kdo_ynode_get(it, "header"))
            return kdo__scenario_fail(c, kdo_ynode_get(it, "header"),
                                      "header goes with a CSV file");
        if ((err = time_keys(c, it, rows)))
            return err;
        return rows ? inline_rows(c, rows, g)
                    : file_rows(c, file, kdo_ynode_get(it, "header"), kdo_ynode_get(it, "time"), g);
    }
    if ((n = kdo_ynode_get(it, "time")))
        return kdo__scenario_fail(c, n, "time goes with a file");
    if (!!rate + !!burst + !!row != 1)
        return kdo__scenario_fail(
            c, it, "an input item needs exactly one of rate, burst, row, rows or file");
    if ((n = kdo_ynode_get(it, "header")))
        return kdo__scenario_fail(c, n, "header goes with a CSV file");
    g->from = 0;
    g->until = KDO_TIME_NEVER;
    if ((n = kdo_ynode_get(it, "from")) && (err = kdo__scenario_duration(c, n, "from", &g->from)))
        return err;
    if ((n = kdo_ynode_get(it, "at")) && (err = kdo__scenario_duration(c, n, "at", &g->from)))
        return err;
    if ((n = kdo_ynode_get(it, "until")) &&
        (err = kdo__scenario_duration(c, n, "until", &g->until)))
        return err;
    if (rate) {
        g->kind = KDO_SEGMENT_RATE;
        return kdo__scenario_rate(c, rate, "rate", &g->rate);
    }
    if (burst) {
        g->kind = KDO_SEGMENT_BURST;
        if ((err = kdo__scenario_count(c, burst, "burst", &g->count)) == 0)
            err = kdo__scenario_limits(c, burst, t, "burst",
                                       g->count > INT64_MAX ? INT64_MAX : (int64_t)g->count);
        return err;
    }
    g->kind = KDO_SEGMENT_INJECT;
    if ((err = kdo__scenario_text(c, row, "row", &g->row)))
        return err;
    g->row_len = row->len;
    if (g->row_len > KDO_MAX_ROW_BYTES)
        return kdo__scenario_fail(
            c, row, "row is %zu bytes; KDA's in-application row limit is %zu bytes (512 KB)",
            g->row_len, KDO_MAX_ROW_BYTES);
    return 0;
}

int kdo__scenario_input(struct kdo__scenario_ctx *c, node *seq)
{
    struct kdo_source_config *src = &c->s->sim.source;
    int err =
        kdo__scenario_want(c, seq, KDO_YNODE_SEQ, "a list of input items (rate, burst or row)");
    if (err)
        return err;
    src->segments = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *src->segments);
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        src->nsegments++;
        err = input_item(c, seq->items[i], &src->segments[i]);
    }
    return err;
}


/* schema: {COLUMN: TYPE, ...} -- the input stream's columns. */
int kdo__scenario_input_schema(struct kdo__scenario_ctx *c, node *map)
{
    struct kdo_query_config *q = &c->s->query;
    int err = kdo__scenario_want(c, map, KDO_YNODE_MAP,
                                 "a mapping of column: type (VARCHAR(4), REAL ...)");
    if (err)
        return err;
    q->columns = kdo_xcalloc(map->n ? map->n : 1, sizeof *q->columns);
    q->types = kdo_xcalloc(map->n ? map->n : 1, sizeof *q->types);
    for (size_t i = 0; i < map->n; i++) {
        if (map->pairs[i].value->type != KDO_YNODE_SCALAR)
            return kdo__scenario_fail(c, map->pairs[i].value,
                                      "a column's type is text such as VARCHAR(4) or REAL");
        ((const char **)q->columns)[i] = kdo__scenario_keep_string(c, map->pairs[i].key);
        ((const char **)q->types)[i] = kdo__scenario_keep_string(c, map->pairs[i].value);
        q->ncolumns++;
    }
    return 0;
}

/* CSV input files: the rows are read as CSV, with the declared schema (whose
 * names a header must repeat, in order) or the first header's columns and
 * the types inferred from the rows. */
static int csv_schema(struct kdo__scenario_ctx *c, node *map)
{
    struct kdo_query_config *q = &c->s->query;
    node *fmt = kdo_ynode_get(map, "input_format");
    if (fmt && q->input_format != KDO_ROWFMT_CSV)
        return kdo__scenario_fail(
            c, fmt,
            "input_format is %s but the input has a CSV file (line %d); KDA reads "
            "one format per input",
            fmt->text, c->csv->line);
    q->input_format = KDO_ROWFMT_CSV;
    if (c->mapping_rows)
        return kdo__scenario_fail(c, c->csv,
                                  "the input has a CSV file and rows written as mappings (JSON); "
                                  "KDA reads one format per input: write those rows as CSV text");
    if (q->ncolumns == 0 && c->ncsv_columns == 0)
        return kdo__scenario_fail(c, c->csv,
                                  "a CSV file without a header needs application.schema");
    if (q->ncolumns == 0) {
        q->columns = kdo_xcalloc(c->ncsv_columns, sizeof *q->columns);
        q->types = kdo_xcalloc(c->ncsv_columns, sizeof *q->types);
        for (size_t i = 0; i < c->ncsv_columns; i++) {
            /* Quoted, so a header's lower-case names stay as written. */
            char quoted[KDO_ROW_MAX_NAME + 3];
            snprintf(quoted, sizeof quoted, "\"%s\"", c->csv_columns[i]);
            ((const char **)q->columns)[i] = kdo__scenario_keep(c, quoted, strlen(quoted));
            ((const char **)q->types)[i] =
                kdo__scenario_keep(c, c->csv_types[i], strlen(c->csv_types[i]));
        }
        q->ncolumns = c->ncsv_columns;
        return 0;
    }
    if (c->ncsv_columns == 0)
        return 0;
    int same = c->ncsv_columns == q->ncolumns;
    for (size_t i = 0; same && i < q->ncolumns; i++) {
        char a[KDO_ROW_MAX_NAME + 1];
        same = kdo_row_resolve_name(q->columns[i], strlen(q->columns[i]), a) == 0 &&
               strcasecmp(a, c->csv_columns[i]) == 0;
    }
    if (!same)
        return kdo__scenario_fail(c, c->csv,
                                  "the CSV header's columns differ from application.schema's "
                                  "(same names, same order; or leave out the schema to use the "
                                  "header's)");
    return 0;
}

/* The input side of the application's query: schema (read earlier), the
 * epoch and timed rows, input_format and CSV files. */
int kdo__scenario_input_keys(struct kdo__scenario_ctx *c, node *map, int *typed)
{
    struct kdo_scenario *s = c->s;
    node *n;
    int err = 0;
    s->query.input_format = s->query.output_format = KDO_ROWFMT_JSON;
    if ((err = kdo__scenario_times(c, map)))
        return err;
    if ((n = kdo_ynode_get(map, "input_format")) &&
        (err = kdo__scenario_row_format(c, n, &s->query.input_format)))
        return err;
    if (c->csv && (err = csv_schema(c, map)))
        return err;
    *typed = kdo_ynode_get(map, "schema") || kdo_ynode_get(map, "input_format") || c->csv;
    return 0;
}

