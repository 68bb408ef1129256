/*
 * scenario.c -- from a YAML tree to a run configuration, strictly.
 *
 * Each mapping of the format has a table of the keys it accepts; a key not in
 * the table is an error that suggests the nearest one.  Values go through
 * units.c.  Nothing is run here: the result is plain data (kdo_sim_config)
 * plus expectations, and every error points at the node that caused it.
 */
#include "scenario.h"

#include "app/bug.h"
#include "delivery/contract.h"
#include "expect.h"
#include "rowfile.h"
#include "scenario-format.h"
#include "sql/value.h"
#include "suggest.h"
#include "units.h"
#include "ydoc.h"

#include <ctype.h>
#include <inttypes.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct pump;

struct ctx {
    const struct kdo_format_map *fmt; /* the format's root table */
    const char *file;
    struct kdo_errinfo *err;
    struct kdo_scenario *s;
    int invoke_timeout_set, cadence_set;
    struct pump *p; /* the query being read: the application's, or a destination's */
    int input_set;  /* application.input given (an empty list means no rows) */
    int mapping_rows; /* rows written as YAML mappings (turned into JSON) */
    enum kdo_query_window kind; /* the application's window, once read */
    /* CSV input files: the first one's node, header and inferred types. */
    const struct kdo_ynode *csv;
    char **csv_columns, **csv_types;
    size_t ncsv_columns;
    char csv_path[4096]; /* for errors that name the file (err->file points here) */
};

typedef const struct kdo_ynode node;

/* One query's settings as they are read: the application's own, or one
 * destination's (application.destinations). */
struct pump {
    struct kdo_query_config *q;
    enum kdo_query_window kind;
    kdo_time_ns window;
    int window_set, is_main;
    kdo_time_ns cadence;
    int cadence_set;
};

static int fail(struct ctx *c, node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(struct ctx *c, node *n, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kdo_errinfo_set(c->err, KDO_ESCHEMA, c->file, n ? n->line : 0, n ? n->column : 0, "%s",
                           msg);
}

/* ---- keys ---------------------------------------------------------------- */

static const char *nearest(const char *key, const char *const *allowed)
{
    return kdo_suggest_nearest(key, allowed);
}

static void list_keys(const char *const *allowed, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *const *a = allowed; *a && len < size; a++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", a == allowed ? "" : ", ", *a);
}

static int want(struct ctx *c, node *n, enum kdo_ynode_type type, const char *what)
{
    if (n == NULL)
        return fail(c, NULL, "missing %s", what);
    if (n->type != type)
        return fail(c, n, "found a %s, expected %s", kdo_ynode_type_name(n->type), what);
    return 0;
}

static int check_names(struct ctx *c, node *map, const char *where, const char *const *allowed)
{
    int err = want(c, map, KDO_YNODE_MAP, where);
    for (size_t i = 0; err == 0 && i < map->n; i++) {
        const char *key = map->pairs[i].key->text;
        const char *const *a = allowed;
        while (*a && strcmp(*a, key) != 0)
            a++;
        if (*a)
            continue;
        const char *near = nearest(key, allowed);
        char keys[400];
        list_keys(allowed, keys, sizeof keys);
        if (near)
            return fail(c, map->pairs[i].key, "unknown key \"%s\" in %s; did you mean \"%s\"?", key,
                        where, near);
        return fail(c, map->pairs[i].key, "unknown key \"%s\" in %s; expected one of: %s", key,
                    where, keys);
    }
    return err;
}

/* The keys of `map` are those of table t (named `where` in messages, or t's
 * own name); a stranger is refused with the nearest key suggested. */
static int check_keys_as(struct ctx *c, node *map, const char *where,
                         const struct kdo_format_map *t)
{
    const char *names[64];
    kdo_format_names(t, names, sizeof names / sizeof names[0]);
    return check_names(c, map, where ? where : t->name, names);
}

static int check_keys(struct ctx *c, node *map, const struct kdo_format_map *t)
{
    return check_keys_as(c, map, NULL, t);
}

/* ---- typed values ---------------------------------------------------------- */

/* A scalar through one of units.h's parsers, each called with its own
 * type (no cast through a generic function pointer). */
static int scalar_kind(struct ctx *c, node *n, const char *what, enum kdo_format_kind kind,
                       void *out)
{
    char why[300];
    int err = KDO_ESCHEMA;
    if (n->type != KDO_YNODE_SCALAR)
        return fail(c, n, "found a %s for %s, expected %s", kdo_ynode_type_name(n->type), what,
                    "a single value");
    switch (kind) {
    case KDO_FORMAT_DURATION: err = kdo_units_duration(n->text, (kdo_time_ns *)out, why, sizeof why); break;
    case KDO_FORMAT_SIZE: err = kdo_units_size(n->text, (uint64_t *)out, why, sizeof why); break;
    case KDO_FORMAT_COUNT: err = kdo_units_count(n->text, (uint64_t *)out, why, sizeof why); break;
    case KDO_FORMAT_RATE: err = kdo_units_rate(n->text, (double *)out, why, sizeof why); break;
    case KDO_FORMAT_PROBABILITY: err = kdo_units_probability(n->text, (double *)out, why, sizeof why); break;
    case KDO_FORMAT_NUMBER: err = kdo_units_number(n->text, (double *)out, why, sizeof why); break;
    case KDO_FORMAT_BOOL: err = kdo_units_bool(n->text, (int *)out, why, sizeof why); break;
    default: snprintf(why, sizeof why, "not a single value"); break;
    }
    return err ? fail(c, n, "%s: %s", what, why) : 0;
}

static int DURATION(struct ctx *c, node *n, const char *what, kdo_time_ns *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_DURATION, out);
}
static int COUNT(struct ctx *c, node *n, const char *what, uint64_t *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_COUNT, out);
}
static int RATE(struct ctx *c, node *n, const char *what, double *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_RATE, out);
}
static int NUMBER(struct ctx *c, node *n, const char *what, double *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_NUMBER, out);
}
static int BOOL(struct ctx *c, node *n, const char *what, int *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_BOOL, out);
}

static int text(struct ctx *c, node *n, const char *what, char **out)
{
    if (n->type != KDO_YNODE_SCALAR)
        return fail(c, n, "found a %s for %s, expected text", kdo_ynode_type_name(n->type), what);
    free(*out);
    *out = kdo_xstrndup(n->text, n->len);
    return 0;
}

/* ---- plain values, from the tables --------------------------------------------- */

/* The table at a '/'-separated path of keys under the root ("lambda/rules"). */
static const struct kdo_format_map *table(struct ctx *c, const char *path)
{
    const struct kdo_format_map *t = c->fmt;
    char buf[64], *save = NULL;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *k = strtok_r(buf, "/", &save); k && t; k = strtok_r(NULL, "/", &save))
        t = kdo_format_sub(t, k);
    if (t == NULL) /* every path below names a key of format.c's tables */
        abort();
    return t;
}

/* k's limit message with {min}, {max} and {value} filled in. */
static int limit_fail(struct ctx *c, node *n, const struct kdo_format_key *k, int64_t v)
{
    char msg[400], lo[32], hi[32], val[32];
    size_t len = 0;
    kdo_format_limit_text(k, k->min, lo, sizeof lo);
    kdo_format_limit_text(k, k->max, hi, sizeof hi);
    snprintf(val, sizeof val, "%" PRId64, v);
    for (const char *m = k->limit_msg; *m && len + 1 < sizeof msg;) {
        const char *put = !strncmp(m, "{min}", 5) ? lo : !strncmp(m, "{max}", 5) ? hi
                        : !strncmp(m, "{value}", 7) ? val : NULL;
        if (put == NULL) {
            msg[len++] = *m++;
            continue;
        }
        len += (size_t)snprintf(msg + len, sizeof msg - len, "%s", put);
        m += put == val ? 7 : 5;
    }
    msg[len < sizeof msg ? len : sizeof msg - 1] = '\0';
    return fail(c, n, "%s", msg);
}

/* Whether v is within k's limits. */
static int within(const struct kdo_format_key *k, int64_t v)
{
    if (!(k->flags & KDO_FORMAT_LIMITED))
        return 1;
    if ((k->flags & KDO_FORMAT_WHOLE_SECONDS) && v % KDO_S != 0)
        return 0;
    return v >= k->min && v <= k->max;
}

/* One plain key: parsed by its kind, checked against its limits, stored
 * where the table says (base: the struct the mapping is read into). */
static int plain_key(struct ctx *c, node *n, const struct kdo_format_key *k, char *base)
{
    union { kdo_time_ns ns; uint64_t u; double d; int b; } v = {0};
    if (k->store == KDO_FORMAT_STRING || k->store == KDO_FORMAT_CHECK) {
        if (n->type != KDO_YNODE_SCALAR)
            return fail(c, n, "found a %s for %s, expected text", kdo_ynode_type_name(n->type),
                        k->name);
        if (k->store == KDO_FORMAT_STRING)
            return text(c, n, k->name, (char **)(void *)(base + k->offset));
        return 0;
    }
    int err = scalar_kind(c, n, k->name, k->kind, &v);
    int64_t x = k->kind == KDO_FORMAT_DURATION ? v.ns
              : v.u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v.u;
    if (err == 0 && (k->kind == KDO_FORMAT_DURATION || k->kind == KDO_FORMAT_COUNT ||
                     k->kind == KDO_FORMAT_SIZE) && !within(k, x))
        return limit_fail(c, n, k, x);
    void *at = base + k->offset;
    switch (err ? KDO_FORMAT_NOWHERE : k->store) {
    case KDO_FORMAT_TIME_NS: *(kdo_time_ns *)at = v.ns; break;
    case KDO_FORMAT_U64: *(uint64_t *)at = v.u; break;
    case KDO_FORMAT_SIZE_T: *(size_t *)at = (size_t)v.u; break;
    case KDO_FORMAT_INT: *(int *)at = k->kind == KDO_FORMAT_BOOL ? v.b : (int)x; break;
    case KDO_FORMAT_DOUBLE: *(double *)at = v.d; break;
    default: break;
    }
    return err;
}

/* Every plain key of table t present in map, in the table's order. */
static int plain(struct ctx *c, node *map, const struct kdo_format_map *t, void *base)
{
    int err = 0;
    for (size_t i = 0; i < t->nkeys && err == 0; i++) {
        node *n = kdo_ynode_get(map, t->keys[i].name);
        if (n && t->keys[i].store != KDO_FORMAT_NOWHERE)
            err = plain_key(c, n, &t->keys[i], base);
    }
    return err;
}

/* check_keys() and plain() together: a mapping read by its table. */
static int walk(struct ctx *c, node *map, const struct kdo_format_map *t, void *base)
{
    int err = check_keys(c, map, t);
    return err ? err : plain(c, map, t, base);
}

/* A key's limits, for values the loader reads itself. */
static int limits(struct ctx *c, node *n, const struct kdo_format_map *t, const char *key,
                  int64_t v)
{
    const struct kdo_format_key *k = kdo_format_find(t, key);
    return k && !within(k, v) ? limit_fail(c, n, k, v) : 0;
}

/* ---- application ------------------------------------------------------------- */

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

static int add_row(struct ctx *c, node *at, struct kdo_source_segment *g, const char *row,
                   size_t len)
{
    if (len > KDO_MAX_ROW_BYTES)
        return fail(c, at, "a row of %zu bytes; KDA's in-application row limit is %zu bytes "
                           "(512 KB)", len, KDO_MAX_ROW_BYTES);
    kdo_source_segment_add_row(g, row, len);
    return 0;
}

/* rows: a list of rows, each text or a mapping (written as JSON). */
static int inline_rows(struct ctx *c, node *seq, struct kdo_source_segment *g)
{
    int err = want(c, seq, KDO_YNODE_SEQ, "a list of rows (text, or mappings written as JSON)");
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
 * CSV file of a scenario must have the same one. */
static int csv_header(struct ctx *c, node *n, const struct kdo_rowfile *f)
{
    size_t cols = kdo_rowfile_ncolumns(f);
    if (c->csv == NULL) {
        c->csv = n;
        c->ncsv_columns = cols;
        c->csv_columns = kdo_xcalloc(cols ? cols : 1, sizeof *c->csv_columns);
        c->csv_types = kdo_xcalloc(cols ? cols : 1, sizeof *c->csv_types);
        for (size_t i = 0; i < cols; i++)
            c->csv_columns[i] = kdo_xstrdup(kdo_rowfile_column(f, i));
        kdo_rowfile_infer_types(f, c->csv_types);
        return 0;
    }
    int same = cols == c->ncsv_columns;
    for (size_t i = 0; same && i < cols; i++)
        same = strcmp(c->csv_columns[i], kdo_rowfile_column(f, i)) == 0;
    if (!same)
        return fail(c, n, "this CSV file's header differs from the first CSV file's (line %d)",
                    c->csv->line);
    return 0;
}

/* Paths a scenario may read row files from besides its own folder
 * (--allow-path), as real paths.  Set by main() before any scenario loads;
 * read-only while scenarios load (on --jobs threads). */
#define MAX_ALLOWED_PATHS 64
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
static int row_roots(struct ctx *c, node *n, char *folder, const char **roots, size_t *nroots)
{
    const char *slash = strrchr(c->file, '/');
    char dir[4096];
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == c->file ? 1 : (int)(slash - c->file), c->file);
    if (realpath(dir, folder) == NULL)
        return fail(c, n, "cannot resolve the scenario's folder %s (%s)", dir, strerror(errno));
    roots[0] = folder;
    for (size_t i = 0; i < nallowed_paths; i++)
        roots[i + 1] = allowed_paths[i];
    *nroots = nallowed_paths + 1;
    return 0;
}

/* file: rows from a file in the scenario's folder (or an --allow-path):
 * JSON Lines (one row a line) or, for a .csv name, CSV records, by default
 * after a header line. */
static int file_rows(struct ctx *c, node *n, node *header, struct kdo_source_segment *g)
{
    const char *slash = strrchr(c->file, '/');
    if (n->type != KDO_YNODE_SCALAR)
        return fail(c, n, "file: expected the path of a JSON Lines (.jsonl) or CSV (.csv) file");
    if (n->text[0] == '/' || slash == NULL)
        snprintf(c->csv_path, sizeof c->csv_path, "%s", n->text);
    else
        snprintf(c->csv_path, sizeof c->csv_path, "%.*s/%s", (int)(slash - c->file), c->file,
                 n->text);
    char folder[PATH_MAX];
    const char *roots[MAX_ALLOWED_PATHS + 1];
    size_t nroots = 0;
    int err = row_roots(c, n, folder, roots, &nroots);
    if (err)
        return err;
    struct kdo_rowfile_options o = {.format = KDO_ROWFMT_JSON, .has_header = true};
    if (kdo_rowfile_format_of(c->csv_path, &o.format) != 0)
        o.format = KDO_ROWFMT_JSON; /* any other name: JSON Lines */
    o.has_header = o.format == KDO_ROWFMT_CSV;
    if (header) {
        if (header->type != KDO_YNODE_SCALAR ||
            (strcmp(header->text, "true") != 0 && strcmp(header->text, "false") != 0))
            return fail(c, header, "header: expected true or false");
        if (o.format != KDO_ROWFMT_CSV)
            return fail(c, header, "header is for CSV files (a .csv name)");
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
        return fail(c, n, "%s", c->err->msg);
    if (err == KDO_ENOENT || err == KDO_EIO || (err && c->err == NULL)) {
        char why[sizeof c->err->msg];
        snprintf(why, sizeof why, "%s", c->err ? c->err->msg : "");
        return fail(c, n, "cannot read %s (%s)", c->csv_path, why);
    }
    if (err) { /* an error at a place in the file: name the file, which outlives c */
        snprintf(error_file, sizeof error_file, "%s", c->csv_path);
        c->err->file = error_file;
        return KDO_ESCHEMA;
    }
    if (kdo_rowfile_count(f) == 0) {
        kdo_rowfile_free(f);
        return fail(c, n, "%s holds no rows", c->csv_path);
    }
    if (o.format == KDO_ROWFMT_CSV && o.has_header)
        err = csv_header(c, n, f);
    else if (o.format == KDO_ROWFMT_CSV && c->csv == NULL)
        c->csv = n;
    for (size_t i = 0; err == 0 && i < kdo_rowfile_count(f); i++) {
        size_t len;
        const char *row = kdo_rowfile_row(f, i, &len);
        kdo_source_segment_add_row(g, row, len);
    }
    kdo_rowfile_free(f);
    return err;
}

static int input_item(struct ctx *c, node *it, struct kdo_source_segment *g)
{
    const struct kdo_format_map *t = table(c, "application/input");
    int err = check_keys(c, it, t);
    node *rate = kdo_ynode_get(it, "rate"), *burst = kdo_ynode_get(it, "burst"),
         *row = kdo_ynode_get(it, "row"), *n;
    node *rows = kdo_ynode_get(it, "rows"), *file = kdo_ynode_get(it, "file");
    if (err)
        return err;
    if (rows || file) {
        if (rows && file)
            return fail(c, it, "an input item has rows or a file, not both");
        if (burst || row)
            return fail(c, it, "rows and file go with at/from and an optional rate, not with "
                               "burst or row");
        g->kind = KDO_SEGMENT_ROWS;
        g->until = KDO_TIME_NEVER;
        if ((n = kdo_ynode_get(it, "from")) && (err = DURATION(c, n, "from", &g->from)))
            return err;
        if ((n = kdo_ynode_get(it, "at")) && (err = DURATION(c, n, "at", &g->from)))
            return err;
        if (rate && (err = RATE(c, rate, "rate", &g->rate)))
            return err;
        if (rows && kdo_ynode_get(it, "header"))
            return fail(c, kdo_ynode_get(it, "header"), "header goes with a CSV file");
        return rows ? inline_rows(c, rows, g) : file_rows(c, file, kdo_ynode_get(it, "header"), g);
    }
    if (!!rate + !!burst + !!row != 1)
        return fail(c, it, "an input item needs exactly one of rate, burst, row, rows or file");
    if ((n = kdo_ynode_get(it, "header")))
        return fail(c, n, "header goes with a CSV file");
    g->from = 0;
    g->until = KDO_TIME_NEVER;
    if ((n = kdo_ynode_get(it, "from")) && (err = DURATION(c, n, "from", &g->from)))
        return err;
    if ((n = kdo_ynode_get(it, "at")) && (err = DURATION(c, n, "at", &g->from)))
        return err;
    if ((n = kdo_ynode_get(it, "until")) && (err = DURATION(c, n, "until", &g->until)))
        return err;
    if (rate) {
        g->kind = KDO_SEGMENT_RATE;
        return RATE(c, rate, "rate", &g->rate);
    }
    if (burst) {
        g->kind = KDO_SEGMENT_BURST;
        if ((err = COUNT(c, burst, "burst", &g->count)) == 0)
            err = limits(c, burst, t, "burst", g->count > INT64_MAX ? INT64_MAX : (int64_t)g->count);
        return err;
    }
    g->kind = KDO_SEGMENT_INJECT;
    if ((err = text(c, row, "row", &g->row)))
        return err;
    g->row_len = row->len;
    if (g->row_len > KDO_MAX_ROW_BYTES)
        return fail(c, row, "row is %zu bytes; KDA's in-application row limit is %zu bytes (512 KB)",
                    g->row_len, KDO_MAX_ROW_BYTES);
    return 0;
}

static int input(struct ctx *c, node *seq)
{
    struct kdo_source_config *src = &c->s->sim.source;
    int err = want(c, seq, KDO_YNODE_SEQ, "a list of input items (rate, burst or row)");
    if (err)
        return err;
    src->segments = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *src->segments);
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        src->nsegments++;
        err = input_item(c, seq->items[i], &src->segments[i]);
    }
    return err;
}

/* application.query: the window kind.  The byte-level window (rows as read)
 * has the first three; stagger needs typed rows and partition keys. */
static int query(struct ctx *c, node *n)
{
    static const char *const kinds[] = {"continuous", "sliding", "tumbling", "stagger", NULL};
    static const enum kdo_query_window typed[] = {KDO_QUERY_CONTINUOUS, KDO_QUERY_SLIDING,
                                                  KDO_QUERY_TUMBLING, KDO_QUERY_STAGGER};
    struct kdo_window_config *w = &c->s->sim.app.window;
    if (n->type != KDO_YNODE_SCALAR)
        return fail(c, n, "found a %s for query, expected continuous, tumbling, sliding or stagger",
                    kdo_ynode_type_name(n->type));
    for (int i = 0; kinds[i]; i++)
        if (strcmp(n->text, kinds[i]) == 0) {
            c->p->kind = typed[i];
            if (c->p->is_main)
                w->kind = i < 3 ? (enum kdo_window_kind)i : KDO_WINDOW_CONTINUOUS;
            return 0;
        }
    const char *near = nearest(n->text, kinds);
    return fail(c, n, "query \"%s\" is unknown; expected continuous, tumbling, sliding or stagger"
                "%s%s%s", n->text, near ? " (did you mean \"" : "", near ? near : "",
                near ? "\"?)" : "");
}

/* application.window: a duration (STEP width, RANGE INTERVAL), or "N rows"
 * for a sliding window of ROWS N PRECEDING. */
static int window(struct ctx *c, node *n)
{
    struct kdo_query_config *q = c->p->q;
    unsigned long long rows;
    char extra;
    c->p->window_set = 1;
    if (n->type == KDO_YNODE_SCALAR && (sscanf(n->text, "%llu row%c", &rows, &extra) == 2 ||
                                        sscanf(n->text, "%llu ROW%c", &rows, &extra) == 2)) {
        const char *word = strchr(n->text, ' ');
        if (!isdigit((unsigned char)n->text[0]) || word == NULL || strcmp(word, " rows") != 0)
            return fail(c, n, "window \"%s\": write ROWS n PRECEDING as \"n rows\"", n->text);
        if (c->p->kind != KDO_QUERY_SLIDING)
            return fail(c, n, "window \"%s\" (ROWS n PRECEDING) is for query: sliding", n->text);
        if (rows > 1000000)
            return fail(c, n, "window \"%s\": at most 1000000 rows", n->text);
        q->by_rows = 1;
        q->rows = rows;
        return 0;
    }
    if (n->type == KDO_YNODE_SCALAR && strstr(n->text, " row"))
        return fail(c, n, "window \"%s\": write ROWS n PRECEDING as \"n rows\"", n->text);
    int err = DURATION(c, n, "window", &c->p->window);
    if (err == 0 && c->p->window < KDO_MS)
        return fail(c, n, "window must be at least 1ms");
    if (err == 0 && c->p->window > 366LL * 24 * 3600 * KDO_S)
        return fail(c, n, "window is limited to 366 days");
    return err;
}

static int buffer(struct ctx *c, node *map)
{
    return walk(c, map, table(c, "application/buffer"), c->s);
}

/* A copy of text[0..len) the scenario owns (query strings live as long as it). */
static const char *keep(struct ctx *c, const char *text, size_t len)
{
    struct kdo_scenario *s = c->s;
    s->query_strings = kdo_xrealloc(s->query_strings, (s->nquery_strings + 1) * sizeof *s->query_strings);
    return s->query_strings[s->nquery_strings++] = kdo_xstrndup(text, len);
}

static const char *keep_string(struct ctx *c, node *n)
{
    return keep(c, n->text, n->len);
}

/* schema: {COLUMN: TYPE, ...} -- the input stream's columns. */
static int input_schema(struct ctx *c, node *map)
{
    struct kdo_query_config *q = &c->s->query;
    int err = want(c, map, KDO_YNODE_MAP, "a mapping of column: type (VARCHAR(4), REAL ...)");
    if (err)
        return err;
    q->columns = kdo_xcalloc(map->n ? map->n : 1, sizeof *q->columns);
    q->types = kdo_xcalloc(map->n ? map->n : 1, sizeof *q->types);
    for (size_t i = 0; i < map->n; i++) {
        if (map->pairs[i].value->type != KDO_YNODE_SCALAR)
            return fail(c, map->pairs[i].value, "a column's type is text such as VARCHAR(4) or REAL");
        ((const char **)q->columns)[i] = keep_string(c, map->pairs[i].key);
        ((const char **)q->types)[i] = keep_string(c, map->pairs[i].value);
        q->ncolumns++;
    }
    return 0;
}

/* A list of SQL texts (each kept by the scenario) into *out and *n. */
static int sql_list(struct ctx *c, node *seq, const char *item_hint, const char *const **out,
                    size_t *n)
{
    const char **items = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *items);
    *out = items;
    for (size_t i = 0; i < seq->n; i++) {
        if (seq->items[i]->type != KDO_YNODE_SCALAR)
            return fail(c, seq->items[i], "%s", item_hint);
        items[i] = keep_string(c, seq->items[i]);
        (*n)++;
    }
    return 0;
}

static int select_list(struct ctx *c, node *seq)
{
    struct kdo_query_config *q = c->p->q;
    int err = want(c, seq, KDO_YNODE_SEQ, "a list of expressions, each \"EXPR [AS NAME]\"");
    if (err)
        return err;
    if (seq->n == 0)
        return fail(c, seq, "select needs at least one item (leave it out for every column)");
    return sql_list(c, seq, "a select item is an expression such as \"PRICE * 2 AS DOUBLED\"",
                    &q->select, &q->nselect);
}

/* application.partition_by: the GROUP BY / PARTITION BY keys, as SQL. */
static int partition_by(struct ctx *c, node *seq)
{
    struct kdo_query_config *q = c->p->q;
    int err = want(c, seq, KDO_YNODE_SEQ, "a list of keys, such as [TICKER_SYMBOL]");
    if (err)
        return err;
    if (c->p->kind == KDO_QUERY_CONTINUOUS)
        return fail(c, seq, "partition_by needs a window: query: tumbling, sliding or stagger");
    if (seq->n > 16)
        return fail(c, seq, "partition_by has %zu keys; at most 16", seq->n);
    return sql_list(c, seq, "a key is a column or an expression such as "
                            "\"FLOOR(ROWTIME TO MINUTE)\"", &q->partition_by, &q->npartition);
}

static int row_format(struct ctx *c, node *n, enum kdo_rowfmt_format *f)
{
    if (n->type != KDO_YNODE_SCALAR || kdo_rowfmt_format_parse(n->text, f) != 0)
        return fail(c, n, "a RecordFormatType is JSON or CSV");
    return 0;
}

/* CSV input files: the rows are read as CSV, with the declared schema (whose
 * names a header must repeat, in order) or the first header's columns and
 * the types inferred from the rows. */
static int csv_schema(struct ctx *c, node *map)
{
    struct kdo_query_config *q = &c->s->query;
    node *fmt = kdo_ynode_get(map, "input_format");
    if (fmt && q->input_format != KDO_ROWFMT_CSV)
        return fail(c, fmt, "input_format is %s but the input has a CSV file (line %d); KDA reads "
                            "one format per input", fmt->text, c->csv->line);
    q->input_format = KDO_ROWFMT_CSV;
    if (c->mapping_rows)
        return fail(c, c->csv, "the input has a CSV file and rows written as mappings (JSON); "
                               "KDA reads one format per input: write those rows as CSV text");
    if (q->ncolumns == 0 && c->ncsv_columns == 0)
        return fail(c, c->csv, "a CSV file without a header needs application.schema");
    if (q->ncolumns == 0) {
        q->columns = kdo_xcalloc(c->ncsv_columns, sizeof *q->columns);
        q->types = kdo_xcalloc(c->ncsv_columns, sizeof *q->types);
        for (size_t i = 0; i < c->ncsv_columns; i++) {
            /* Quoted, so a header's lower-case names stay as written. */
            char quoted[KDO_ROW_MAX_NAME + 3];
            snprintf(quoted, sizeof quoted, "\"%s\"", c->csv_columns[i]);
            ((const char **)q->columns)[i] = keep(c, quoted, strlen(quoted));
            ((const char **)q->types)[i] = keep(c, c->csv_types[i], strlen(c->csv_types[i]));
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
        return fail(c, c->csv, "the CSV header's columns differ from application.schema's "
                               "(same names, same order; or leave out the schema to use the "
                               "header's)");
    return 0;
}

/* The item a query error is about: the query's messages start "select
 * ITEM:" or "partition_by ITEM:" (query.c); else `where`, else the map. */
static node *query_error_node(node *map, const char *msg)
{
    static const char *const lists[] = {"select", "partition_by"};
    for (size_t l = 0; l < 2; l++) {
        node *seq = kdo_ynode_get(map, lists[l]);
        size_t k = strlen(lists[l]);
        if (seq == NULL || seq->type != KDO_YNODE_SEQ || strncmp(msg, lists[l], k) != 0 ||
            msg[k] != ' ')
            continue;
        for (size_t i = 0; i < seq->n; i++) {
            size_t n = strlen(seq->items[i]->text);
            const char *as = NULL; /* the query names an item by its text before " AS " */
            for (size_t j = 1; j + 3 < n && as == NULL; j++)
                if (strncasecmp(seq->items[i]->text + j, " AS ", 4) == 0)
                    as = seq->items[i]->text + j;
            size_t m = as ? (size_t)(as - seq->items[i]->text) : n;
            if ((strncmp(msg + k + 1, seq->items[i]->text, n) == 0 && msg[k + 1 + n] == ':') ||
                (strncmp(msg + k + 1, seq->items[i]->text, m) == 0 && msg[k + 1 + m] == ':'))
                return seq->items[i];
        }
        return seq;
    }
    node *where = kdo_ynode_get(map, "where");
    return where ? where : map;
}

/* The output side of a query (format, where, select, partition_by; query
 * and window were read already), compiled once here so mistakes are
 * reported with their place.  `typed`: run typed rows even without any of
 * these keys. */
static int pump_keys(struct ctx *c, node *map, int typed, int *has_query)
{
    struct pump *p = c->p;
    struct kdo_query_config *q = p->q;
    node *n;
    int err = 0;
    if ((n = kdo_ynode_get(map, "format")) && (err = row_format(c, n, &q->output_format)))
        return err;
    if ((n = kdo_ynode_get(map, "where"))) {
        if (n->type != KDO_YNODE_SCALAR)
            return fail(c, n, "where: expected a condition such as \"CHANGE > 0\"");
        q->where = keep_string(c, n);
    }
    if ((n = kdo_ynode_get(map, "select")) && (err = select_list(c, n)))
        return err;
    if ((n = kdo_ynode_get(map, "partition_by")) && (err = partition_by(c, n)))
        return err;
    static const char *const qkeys[] = {"format", "where", "select", "partition_by"};
    for (size_t i = 0; i < sizeof qkeys / sizeof qkeys[0]; i++)
        typed |= kdo_ynode_get(map, qkeys[i]) != NULL;
    typed |= p->kind == KDO_QUERY_STAGGER || q->by_rows;
    *has_query = typed;
    if (!typed)
        return 0;
    if (p->window_set && p->kind == KDO_QUERY_CONTINUOUS)
        return fail(c, kdo_ynode_get(map, "window"), "a window needs query: tumbling, sliding "
                    "or stagger (this query is continuous)");
    /* Typed rows: the query runs the window; the byte-level one passes rows on. */
    q->window = p->kind;
    q->range_ms = p->window / KDO_MS;
    struct kdo_query *cq;
    struct kdo_errinfo qe = {0};
    if ((err = kdo_query_new(q, &cq, &qe)) != 0)
        return fail(c, query_error_node(map, qe.msg), "the query does not compile: %s", qe.msg);
    int64_t width = kdo_query_window_ms(cq);
    kdo_query_free(cq);
    if (p->window_set && !q->by_rows && width != q->range_ms)
        return fail(c, kdo_ynode_get(map, "window"), "window is %lld ms but partition_by's window "
                    "over ROWTIME is %lld ms; give one of them", (long long)q->range_ms,
                    (long long)width);
    return 0;
}

/* The input side of the application's query: schema (read earlier),
 * input_format and CSV files. */
static int input_keys(struct ctx *c, node *map, int *typed)
{
    struct kdo_scenario *s = c->s;
    node *n;
    int err = 0;
    s->query.input_format = s->query.output_format = KDO_ROWFMT_JSON;
    if ((n = kdo_ynode_get(map, "input_format")) && (err = row_format(c, n, &s->query.input_format)))
        return err;
    if (c->csv && (err = csv_schema(c, map)))
        return err;
    *typed = kdo_ynode_get(map, "schema") || kdo_ynode_get(map, "input_format") || c->csv;
    return 0;
}

static void pump_init(struct pump *p, struct kdo_query_config *q, int is_main)
{
    memset(p, 0, sizeof *p);
    p->q = q;
    p->kind = KDO_QUERY_CONTINUOUS;
    p->window = KDO_MIN;
    p->is_main = is_main;
}

/* application.destinations: up to three, each its own pump and lane. */
static int destination(struct ctx *c, node *map, size_t i)
{
    struct kdo_scenario *s = c->s;
    struct kdo_sim_output *o = &s->sim.outputs[i];
    struct pump p;
    node *n;
    int err = check_keys(c, map, table(c, "application/destinations")), typed;
    struct kdo_query_config *q = &s->dest_query[i];
    *q = (struct kdo_query_config){.columns = s->query.columns, .types = s->query.types,
                                   .ncolumns = s->query.ncolumns,
                                   .input_format = s->query.input_format};
    pump_init(&p, q, 0);
    c->p = &p;
    snprintf(o->id, sizeof o->id, "1.%u", (unsigned)(i + 1) % 10u); /* i < 3 */
    if (err == 0 && (n = kdo_ynode_get(map, "id"))) {
        size_t d1 = 0, d2 = 0;
        if (n->type == KDO_YNODE_SCALAR)
            for (d1 = 0; isdigit((unsigned char)n->text[d1]); d1++)
                ;
        if (n->type == KDO_YNODE_SCALAR && n->text[d1] == '.')
            for (d2 = 0; isdigit((unsigned char)n->text[d1 + 1 + d2]); d2++)
                ;
        if (n->type != KDO_YNODE_SCALAR || n->len >= sizeof o->id || d1 == 0 || d2 == 0 ||
            d1 + 1 + d2 != n->len)
            return fail(c, n, "id: expected an output Id such as \"1.2\" (digits.digits)");
        memcpy(o->id, n->text, n->len + 1);
        for (size_t k = 0; k < i; k++)
            if (strcmp(s->sim.outputs[k].id, o->id) == 0)
                return fail(c, n, "destination id \"%s\" is used twice", o->id);
    }
    if (err == 0 && (n = kdo_ynode_get(map, "query")))
        err = query(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "window")))
        err = window(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "cadence")) &&
        (err = DURATION(c, n, "cadence", &p.cadence)) == 0)
        p.cadence_set = 1;
    if (err == 0)
        err = pump_keys(c, map, 1, &typed);
    /* The lane: the application's delivery settings, with this one's cadence. */
    o->query = q;
    /* -1: delivery.cadence; -2: one invocation per window unless delivery.cadence is given. */
    o->delivery.cadence = p.cadence_set ? p.cadence : p.kind == KDO_QUERY_TUMBLING ? -2 : -1;
    return err;
}

static int destinations(struct ctx *c, node *map, node *seq)
{
    (void)map; /* the application's own query keys were refused already */
    int err = want(c, seq, KDO_YNODE_SEQ, "a list of up to 3 destinations");
    if (err)
        return err;
    if (seq->n == 0 || seq->n > KDO_APP_MAX_OUTPUTS)
        return fail(c, seq, "an application has 1 to 3 destinations (KDA's limit); found %zu",
                    seq->n);
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        if ((err = want(c, seq->items[i], KDO_YNODE_MAP, "a destination: id, query, window, "
                        "partition_by, select, where, format, cadence")))
            break;
        err = destination(c, seq->items[i], i);
        c->s->ndest = c->s->sim.noutputs = i + 1;
    }
    return err;
}

static int application(struct ctx *c, node *map)
{
    struct kdo_sim_config *sim = &c->s->sim;
    struct pump main;
    int err = walk(c, map, table(c, "application"), c->s), typed = 0, has_query = 0;
    node *n;
    char *arn = NULL;
    pump_init(&main, &c->s->query, 1);
    main.window = sim->app.window.size;
    c->p = &main;
    static const char *const own[] = {"query",  "window", "partition_by",
                                      "select", "where",  "format"};
    for (size_t i = 0; err == 0 && kdo_ynode_get(map, "destinations") && i < 6; i++)
        if (kdo_ynode_get(map, own[i]))
            return fail(c, kdo_ynode_get(map, own[i]),
                        "with destinations, %s goes in each destination", own[i]);
    if (err == 0 && (n = kdo_ynode_get(map, "arn")) && (err = text(c, n, "arn", &arn)) == 0)
        sim->delivery.application_arn = arn; /* freed with the scenario */
    if (err == 0 && (n = kdo_ynode_get(map, "query")))
        err = query(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "window")))
        err = window(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "buffer")))
        err = buffer(c, n);
    /* The schema first: a CSV file without a header is checked against it. */
    if (err == 0 && (n = kdo_ynode_get(map, "schema")))
        err = input_schema(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "input"))) {
        c->input_set = 1;
        err = input(c, n);
    }
    if (err == 0)
        err = input_keys(c, map, &typed);
    if (err == 0 && (n = kdo_ynode_get(map, "destinations"))) {
        err = destinations(c, map, n);
        c->kind = KDO_QUERY_CONTINUOUS;
        return err;
    }
    c->p = &main;
    if (err == 0)
        err = pump_keys(c, map, typed, &has_query);
    sim->app.window.size = main.window;
    c->kind = main.kind;
    if (err == 0 && has_query) {
        c->s->has_query = 1;
        sim->app.window.kind = KDO_WINDOW_CONTINUOUS;
        sim->query = &c->s->query;
    }
    return err;
}

/* ---- delivery and lambda ------------------------------------------------------------ */

static int delivery(struct ctx *c, node *map)
{
    int err = walk(c, map, table(c, "delivery"), c->s);
    c->cadence_set |= kdo_ynode_get(map, "cadence") != NULL;
    c->invoke_timeout_set |= kdo_ynode_get(map, "invoke_timeout") != NULL;
    return err;
}

static int range(struct ctx *c, node *n, const char *what, uint64_t *lo, uint64_t *hi)
{
    node *v;
    int err;
    if (n->type == KDO_YNODE_SCALAR) {
        err = COUNT(c, n, what, lo);
        *hi = *lo;
        return err;
    }
    if ((err = check_keys_as(c, n, what, &kdo_format_range)))
        return err;
    if ((v = kdo_ynode_get(n, "min")) && (err = COUNT(c, v, what, lo)))
        return err;
    if ((v = kdo_ynode_get(n, "max")) && (err = COUNT(c, v, what, hi)))
        return err;
    return *lo > *hi ? fail(c, n, "%s: min is above max", what) : 0;
}

static int match(struct ctx *c, node *map, struct kdo_fault_match *m)
{
    int err = walk(c, map, &kdo_format_match, m);
    node *n;
    if (err == 0 && (n = kdo_ynode_get(map, "attempt")))
        err = range(c, n, "attempt", &m->attempt_min, &m->attempt_max);
    if (err == 0 && m->attempt_min == 0)
        return fail(c, kdo_ynode_get(map, "attempt"), "attempt counts from 1 (retryHint + 1)");
    if (err == 0 && (n = kdo_ynode_get(map, "invocation")))
        err = range(c, n, "invocation", &m->invocation_min, &m->invocation_max);
    if (err == 0 && (n = kdo_ynode_get(map, "contains")) && (err = text(c, n, "contains", &m->contains)) == 0)
        m->contains_len = n->len;
    if (err == 0 && (n = kdo_ynode_get(map, "row"))) {
        int kind = n->type == KDO_YNODE_SCALAR ? kdo_row_kind_from_name(n->text) : -1;
        if (kind < 0)
            return fail(c, n, "row: expected any, empty, binary (not UTF-8) or not_json");
        m->row = (enum kdo_row_kind)kind;
    }
    return err;
}

static int action(struct ctx *c, node *n, struct kdo_fault_rule *r)
{
    const char *names[KDO_FAULT_ACTION_COUNT + 1] = {NULL};
    for (int i = 0; i < KDO_FAULT_ACTION_COUNT; i++)
        names[i] = kdo_fault_action_name((enum kdo_fault_action)i);
    if (n->type != KDO_YNODE_SCALAR)
        return fail(c, n, "found a %s for action, expected an action name",
                    kdo_ynode_type_name(n->type));
    int a = kdo_fault_action_from_name(n->text);
    if (a >= 0) {
        r->action = (enum kdo_fault_action)a;
        return 0;
    }
    const char *near = nearest(n->text, names);
    char list[600];
    list_keys(names, list, sizeof list);
    if (near)
        return fail(c, n, "unknown action \"%s\"; did you mean \"%s\"?", n->text, near);
    return fail(c, n, "unknown action \"%s\"; expected one of: %s", n->text, list);
}

static int rule(struct ctx *c, node *map, struct kdo_fault_rule *r)
{
    int err = walk(c, map, table(c, "lambda/rules"), r);
    node *n;
    if (err == 0 && (n = kdo_ynode_get(map, "match")))
        err = match(c, n, &r->match);
    if (err == 0) {
        if ((n = kdo_ynode_get(map, "action")) == NULL)
            return fail(c, map, "a rule needs an action (ok, delivery_failed, omit, wrong_id, "
                                "missing_result, timeout, function_error, throttle, ...)");
        err = action(c, n, r);
    }
    return err;
}

static int rules(struct ctx *c, node *seq)
{
    struct kdo_sim_config *sim = &c->s->sim;
    int err = want(c, seq, KDO_YNODE_SEQ, "a list of rules ({match, action})");
    if (err)
        return err;
    sim->rules = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *sim->rules);
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        kdo_fault_rule_init(&sim->rules[i]);
        sim->nrules++;
        err = rule(c, seq->items[i], &sim->rules[i]);
    }
    return err;
}

/* transport / endpoint / function / qualifier / region / sign */
static int lambda_end(struct ctx *c, node *map)
{
    struct kdo_scenario_end *e = &c->s->end;
    node *t = kdo_ynode_get(map, "transport"), *ep = kdo_ynode_get(map, "endpoint");
    int err = 0;
    if (t && t->type == KDO_YNODE_SCALAR && strcmp(t->text, "http") == 0)
        e->kind = KDO_END_HTTP_FAKE;
    else if (t && !(t->type == KDO_YNODE_SCALAR && strcmp(t->text, "in-process") == 0))
        return fail(c, t, "transport: expected in-process (virtual time) or http (the fake behind "
                          "a real HTTP server, real time)");
    if (ep) {
        if (t)
            return fail(c, ep, "endpoint and transport exclude each other: an endpoint is always "
                               "reached over HTTP");
        if ((err = text(c, ep, "endpoint", &e->endpoint)))
            return err;
        if (strncmp(e->endpoint, "http://", 7) != 0 && strncmp(e->endpoint, "https://", 8) != 0)
            return fail(c, ep, "endpoint must be an http:// or https:// URL");
        e->kind = KDO_END_ENDPOINT; /* rules, if any, meddle with its replies (meddler.h) */
    }
    return err;
}

static int lambda(struct ctx *c, node *map)
{
    int err = walk(c, map, table(c, "lambda"), c->s);
    node *n;
    if (err == 0)
        err = lambda_end(c, map);
    if (err == 0 && (n = kdo_ynode_get(map, "rules")))
        err = rules(c, n);
    return err;
}

/* ---- timeline and expectations --------------------------------------------------- */

static int restart_item(struct ctx *c, node *map, kdo_time_ns at)
{
    struct kdo_sim_config *sim = &c->s->sim;
    struct kdo_restart_event *ev = &sim->restarts[sim->nrestarts++];
    node *r = kdo_ynode_get(map, "restart");
    int err = 0;
    ev->at = at;
    ev->downtime = 0;
    if (r->type == KDO_YNODE_SCALAR) {
        int yes;
        if ((err = BOOL(c, r, "restart", &yes)))
            return err;
        return yes ? 0 : fail(c, r, "restart: false means nothing; remove the item");
    }
    return walk(c, r, table(c, "timeline/restart"), ev);
}

/* A fix deployed at `at`: the rules so far (all, or the one named) stop. */
static int fix_item(struct ctx *c, node *fix, kdo_time_ns at)
{
    struct kdo_sim_config *sim = &c->s->sim;
    int all = 0, err = 0, hit = 0;
    if (fix->type == KDO_YNODE_SCALAR && (strcmp(fix->text, "true") == 0))
        all = 1;
    else if (fix->type != KDO_YNODE_SCALAR)
        return fail(c, fix, "fix: expected true (every fault so far ends) or a rule's name");
    for (size_t i = 0; i < sim->nrules; i++) {
        struct kdo_fault_rule *r = &sim->rules[i];
        if (!all && (r->name == NULL || strcmp(r->name, fix->text) != 0))
            continue;
        if (r->match.until > at)
            r->match.until = at;
        hit = 1;
    }
    if (!hit && !all)
        err = fail(c, fix, "fix: no rule is named \"%s\"", fix->text);
    return err;
}

/* A fault over a period: one more rule. */
static int fault_item(struct ctx *c, node *map, kdo_time_ns from)
{
    struct kdo_sim_config *sim = &c->s->sim;
    node *n;
    int err = 0;
    sim->rules = kdo_xrealloc(sim->rules, (sim->nrules + 1) * sizeof *sim->rules);
    struct kdo_fault_rule *r = &sim->rules[sim->nrules++];
    kdo_fault_rule_init(r);
    if ((n = kdo_ynode_get(map, "match")) && (err = match(c, n, &r->match)))
        return err;
    r->match.from = from;
    if ((n = kdo_ynode_get(map, "until")) && (err = DURATION(c, n, "until", &r->match.until)))
        return err;
    if ((err = action(c, kdo_ynode_get(map, "fault"), r)))
        return err;
    if ((n = kdo_ynode_get(map, "name")) && (err = text(c, n, "name", &r->name)))
        return err;
    if ((n = kdo_ynode_get(map, "latency")) && (err = DURATION(c, n, "latency", &r->latency)))
        return err;
    if ((n = kdo_ynode_get(map, "value")))
        err = text(c, n, "value", &r->value);
    return err;
}

static int timeline_item(struct ctx *c, node *map, kdo_time_ns *when)
{
    int err = check_keys(c, map, table(c, "timeline"));
    node *at = kdo_ynode_get(map, "at"), *from = kdo_ynode_get(map, "from");
    node *restart = kdo_ynode_get(map, "restart"), *fix = kdo_ynode_get(map, "fix");
    node *fault = kdo_ynode_get(map, "fault");
    if (err)
        return err;
    if (!!restart + !!fix + !!fault != 1)
        return fail(c, map, "a timeline item is one of: {at, restart}, {at, fix} or "
                            "{from, until, fault, match}");
    node *t = fault ? from : at;
    if (t == NULL)
        return fail(c, map, "%s", fault ? "a fault needs `from` (and usually `until`)"
                                        : "a restart or a fix needs `at`");
    if ((fault && at) || (!fault && (from || kdo_ynode_get(map, "until"))))
        return fail(c, fault ? at : from, "%s", fault ? "a fault runs from/until, not at"
                                                      : "a restart or a fix happens at one time: use `at`");
    if ((err = DURATION(c, t, fault ? "from" : "at", when)))
        return err;
    /* Keys of the other shapes mean nothing here: refuse them. */
    static const char *const fault_only[] = {"until", "match", "name", "latency", "value", NULL};
    for (const char *const *k = fault_only; !fault && *k; k++)
        if (kdo_ynode_get(map, *k))
            return fail(c, kdo_ynode_get(map, *k), "`%s` belongs to a fault item "
                        "({from, until, fault, match, name, latency, value}), not to a %s", *k,
                        restart ? "restart" : "fix");
    if (restart)
        return restart_item(c, map, *when);
    return fix ? fix_item(c, fix, *when) : fault_item(c, map, *when);
}

static int timeline(struct ctx *c, node *seq)
{
    struct kdo_sim_config *sim = &c->s->sim;
    int err = want(c, seq, KDO_YNODE_SEQ, "a list of timeline items (restarts, fixes, faults)");
    kdo_time_ns prev = INT64_MIN, when = 0;
    if (err)
        return err;
    sim->restarts = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *sim->restarts);
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        err = timeline_item(c, seq->items[i], &when);
        if (err == 0 && when < prev)
            return fail(c, seq->items[i], "timeline items must be in time order");
        prev = when;
    }
    return err;
}

/* during: {from: T, until: T} restricts a fact to a period. */
static int during(struct ctx *c, node *n, const char *fact, struct kdo_expectation *e)
{
    int err = check_keys(c, n, &kdo_format_during);
    if (err == 0 && !kdo_fact_windowable(fact))
        return fail(c, n, "%s counts over the whole run and cannot be restricted to a period",
                    fact);
    if (err == 0)
        err = plain(c, n, &kdo_format_during, e);
    if (err == 0 && e->from >= e->until)
        return fail(c, n, "during: from must come before until");
    return err;
}

static int bound(struct ctx *c, node *n, const char *fact, struct kdo_expectation *e)
{
    node *v;
    int err;
    e->min = -1e300;
    e->max = 1e300;
    e->from = INT64_MIN;
    e->until = KDO_TIME_NEVER;
    if (n->type == KDO_YNODE_SCALAR) {
        if ((err = NUMBER(c, n, fact, &e->min)))
            return err;
        e->max = e->min;
        return 0;
    }
    if ((err = check_keys(c, n, &kdo_format_bound)))
        return err;
    if ((v = kdo_ynode_get(n, "eq")) && (err = NUMBER(c, v, fact, &e->min)) == 0)
        e->max = e->min;
    if (err == 0 && (v = kdo_ynode_get(n, "min")))
        err = NUMBER(c, v, fact, &e->min);
    if (err == 0 && (v = kdo_ynode_get(n, "max")))
        err = NUMBER(c, v, fact, &e->max);
    if (err == 0 && (v = kdo_ynode_get(n, "during")))
        err = during(c, v, fact, e);
    if (err == 0 && !kdo_ynode_get(n, "min") && !kdo_ynode_get(n, "max") && !kdo_ynode_get(n, "eq"))
        return fail(c, n, "an expectation needs min, max or eq");
    if (err == 0 && e->min > e->max)
        return fail(c, n, "%s: min %g is above max %g, so it can never hold", fact, e->min, e->max);
    return err;
}

/* `dest`: the destination whose facts these are, or TOP for the top level
 * (the first destination's facts, and where destinations may be named). */
#define TOP SIZE_MAX
static int expectation(struct ctx *c, const struct kdo_ypair *pair, size_t dest);

/* "1.2": {fact: bound, ...} -- facts of destination 1.2's lane. */
static int destination_expectations(struct ctx *c, const struct kdo_ypair *pair, size_t dest)
{
    node *m = pair->value;
    int err = 0;
    if (m->type != KDO_YNODE_MAP)
        return fail(c, m, "expectations of destination %s are a mapping of fact: bound",
                    pair->key->text);
    for (size_t i = 0; i < m->n && err == 0; i++)
        err = expectation(c, &m->pairs[i], dest);
    return err;
}

static int expectation(struct ctx *c, const struct kdo_ypair *pair, size_t dest)
{
    struct kdo_scenario *s = c->s;
    node *k = pair->key;
    for (size_t d = 0; d < s->ndest; d++)
        if (strcmp(k->text, s->sim.outputs[d].id) == 0)
            return dest == TOP ? destination_expectations(c, pair, d)
                               : fail(c, k, "destinations do not nest");
    if (!kdo_fact_known(k->text)) {
        const char *near = kdo_fact_suggest(k->text);
        return fail(c, k, "unknown fact \"%s\"%s%s%s (kdaout run --help lists them; a "
                    "destination's facts go under its id)", k->text,
                    near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
    }
    s->expect = kdo_xrealloc(s->expect, (s->nexpect + 1) * sizeof *s->expect);
    struct kdo_expectation *e = &s->expect[s->nexpect++];
    memset(e, 0, sizeof *e);
    e->fact = kdo_xstrdup(k->text);
    e->line = k->line;
    e->column = k->column;
    e->destination = dest == TOP ? 0 : dest;
    return bound(c, pair->value, k->text, e);
}

/* A mapping of fact: bound, or -- to state one fact for several periods -- a
 * list of one-entry mappings.  With several destinations, a key naming one
 * ("1.2") holds that destination's facts; the others are the first's. */
static int expectations(struct ctx *c, node *n)
{
    int err = 0;
    if (n->type == KDO_YNODE_MAP) {
        for (size_t i = 0; i < n->n && err == 0; i++)
            err = expectation(c, &n->pairs[i], TOP);
        return err;
    }
    if (n->type != KDO_YNODE_SEQ)
        return fail(c, n, "found a %s for expect, expected a mapping of fact: value or "
                          "fact: {min, max, eq, during}, or a list of such one-entry mappings",
                    kdo_ynode_type_name(n->type));
    for (size_t i = 0; i < n->n && err == 0; i++) {
        node *item = n->items[i];
        if (item->type != KDO_YNODE_MAP || item->n != 1)
            return fail(c, item, "each item of an expect list is one fact: bound");
        err = expectation(c, &item->pairs[0], TOP);
    }
    return err;
}

/* ---- the whole file ----------------------------------------------------------------- */

/* The sections after the plain keys, in the order they depend on each other. */
static int sections(struct ctx *c, node *root)
{
    struct kdo_scenario *s = c->s;
    node *n;
    int err = 0;
    if ((n = kdo_ynode_get(root, "application")))
        err = application(c, n);
    if (err == 0 && (n = kdo_ynode_get(root, "delivery")))
        err = delivery(c, n);
    if (err == 0 && (n = kdo_ynode_get(root, "lambda")))
        err = lambda(c, n);
    if (err == 0 && s->ndest > 1 && s->end.kind != KDO_END_INPROCESS)
        return fail(c, kdo_ynode_get(root, "lambda"), "several destinations run against the "
                    "in-process fake only (each lane needs its own connection); leave out "
                    "lambda.transport and lambda.endpoint");
    if (err == 0 && (n = kdo_ynode_get(root, "timeline")) && (err = timeline(c, n)) == 0 &&
        s->sim.nrestarts > 0 &&
        s->sim.restarts[s->sim.nrestarts - 1].at >= s->sim.duration + s->sim.drain_limit)
        return fail(c, n, "a restart at %.3f s comes after the run ends (duration + drain)",
                    (double)s->sim.restarts[s->sim.nrestarts - 1].at / 1e9);
    if (err == 0 && (n = kdo_ynode_get(root, "expect")))
        err = expectations(c, n);
    return err;
}

static int top(struct ctx *c, node *root)
{
    if (root == NULL)
        return kdo_errinfo_set(c->err, KDO_ESCHEMA, c->file, 1, 1,
                               "the file is empty; expected a scenario mapping (name, application, "
                               "lambda, expect ...)");
    int err = walk(c, root, c->fmt, c->s);
    if (err)
        return err;
    c->s->has_seed = kdo_ynode_get(root, "seed") != NULL;
    return sections(c, root);
}

/* Defaults that depend on other settings. */
static void derive(struct ctx *c)
{
    struct kdo_sim_config *sim = &c->s->sim;
    if (!c->cadence_set && c->kind == KDO_QUERY_TUMBLING)
        sim->delivery.cadence = 0; /* one invocation per window trigger */
    if (!c->invoke_timeout_set)
        sim->delivery.invoke_timeout = sim->lambda.timeout + 5 * KDO_S;
    /* Each lane: every delivery setting derived above, with its own cadence. */
    for (size_t i = 0; i < sim->noutputs; i++) {
        kdo_time_ns cadence = sim->outputs[i].delivery.cadence;
        sim->outputs[i].delivery = sim->delivery;
        if (cadence >= 0 || (cadence == -2 && !c->cadence_set))
            sim->outputs[i].delivery.cadence = cadence >= 0 ? cadence : 0;
    }
    c->s->end.invoke_timeout_set = c->invoke_timeout_set;
    if (!c->input_set) { /* no `input`: the demo ticker stream at 100 rows/s */
        free(sim->source.segments);
        sim->source.segments = kdo_xcalloc(1, sizeof *sim->source.segments);
        sim->source.segments[0] = (struct kdo_source_segment){
            .kind = KDO_SEGMENT_RATE, .from = 0, .until = KDO_TIME_NEVER, .rate = 100};
        sim->source.nsegments = 1;
    }
}

static struct kdo_scenario *scenario_new(const char *file)
{
    struct kdo_scenario *s = kdo_xcalloc(1, sizeof *s);
    s->file = kdo_xstrdup(file);
    kdo_sim_config_default(&s->sim);
    s->sim.delivery.application_arn = NULL;
    return s;
}

static int from_doc(const struct kdo_format_map *fmt, const char *file, struct kdo_ydoc *doc,
                    struct kdo_scenario **out, struct kdo_errinfo *err)
{
    struct kdo_scenario *s = scenario_new(file);
    struct ctx c = {.fmt = fmt, .file = s->file, .err = err, .s = s};
    int rc = top(&c, doc->root);
    for (size_t i = 0; i < c.ncsv_columns; i++) {
        free(c.csv_columns[i]);
        free(c.csv_types[i]);
    }
    free(c.csv_columns);
    free(c.csv_types);
    kdo_ydoc_free(doc);
    if (rc != 0) {
        /* err->file points into s; keep it valid by pointing at the caller's name
         * (an error inside an input file names that file, kept in error_file). */
        if (err && err->file == s->file)
            err->file = file;
        kdo_scenario_free(s);
        return rc;
    }
    if (s->sim.delivery.application_arn == NULL)
        s->sim.delivery.application_arn =
            kdo_xstrdup("arn:aws:kinesisanalytics:us-east-1:123456789012:application/kdaout");
    derive(&c);
    if (s->name == NULL)
        s->name = kdo_xstrdup(file);
    *out = s;
    return 0;
}

int kdo_scenario_load(const char *path, struct kdo_scenario **out, struct kdo_errinfo *err)
{
    struct kdo_ydoc *doc;
    int rc = kdo_ydoc_load_file(path, NULL, &doc, err);
    if (rc != 0)
        return rc;
    return from_doc(&kdo_format_scenario, path, doc, out, err);
}

int kdo_scenario_parse_format(const struct kdo_format_map *fmt, const char *name, const char *text,
                              size_t len, struct kdo_scenario **out, struct kdo_errinfo *err)
{
    struct kdo_ydoc *doc;
    int rc = kdo_ydoc_load_string(name, text, len, NULL, &doc, err);
    if (rc != 0)
        return rc;
    return from_doc(fmt, name, doc, out, err);
}

int kdo_scenario_parse(const char *name, const char *text, size_t len, struct kdo_scenario **out,
                       struct kdo_errinfo *err)
{
    return kdo_scenario_parse_format(&kdo_format_scenario, name, text, len, out, err);
}

int kdo_scenario_load_lambda(const char *path, struct kdo_fake_lambda_config *cfg,
                             struct kdo_fault_rule **out, size_t *n, struct kdo_errinfo *err)
{
    struct kdo_ydoc *doc;
    int rc = kdo_ydoc_load_file(path, NULL, &doc, err);
    if (rc != 0)
        return rc;
    struct kdo_scenario *s = scenario_new(path);
    struct ctx c = {.fmt = &kdo_format_scenario, .file = path, .err = err, .s = s};
    s->sim.lambda = *cfg;
    if (doc->root == NULL)
        rc = kdo_errinfo_set(err, KDO_ESCHEMA, path, 1, 1, "the file is empty; expected a list "
                             "of rules or a mapping with timeout, latency, memory and rules");
    else if (doc->root->type == KDO_YNODE_SEQ)
        rc = rules(&c, doc->root);
    else
        rc = lambda(&c, doc->root);
    kdo_ydoc_free(doc);
    if (rc == 0) {
        *cfg = s->sim.lambda;
        *out = s->sim.rules;
        *n = s->sim.nrules;
        s->sim.rules = NULL;
        s->sim.nrules = 0;
    }
    kdo_scenario_free(s);
    return rc;
}

void kdo_scenario_free(struct kdo_scenario *s)
{
    if (s == NULL)
        return;
    struct kdo_sim_config *sim = &s->sim;
    kdo_source_config_cleanup(&sim->source);
    for (size_t i = 0; i < sim->nrules; i++)
        kdo_fault_rule_cleanup(&sim->rules[i]);
    free(sim->rules);
    free(sim->restarts);
    free((char *)sim->delivery.application_arn);
    for (size_t i = 0; i < s->nquery_strings; i++)
        free(s->query_strings[i]);
    free(s->query_strings);
    free((void *)s->query.columns);
    free((void *)s->query.types);
    free((void *)s->query.select);
    free((void *)s->query.partition_by);
    for (size_t i = 0; i < KDO_APP_MAX_OUTPUTS; i++) { /* the input side is s->query's */
        free((void *)s->dest_query[i].select);
        free((void *)s->dest_query[i].partition_by);
    }
    free(s->end.endpoint);
    free(s->end.function);
    free(s->end.qualifier);
    free(s->end.region);
    for (size_t i = 0; i < s->nexpect; i++)
        free(s->expect[i].fact);
    free(s->expect);
    free(s->name);
    free(s->guide);
    free(s->file);
    free(s);
}
