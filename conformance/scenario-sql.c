/*
 * scenario-sql.c -- application.sql: the application's own SQL code, its
 * input streams and the stream each destination reads (scenario-int.h).
 *
 * The code is a file next to the scenario (or under an --allow-path), or
 * the value itself when it holds a newline or ';' (messages then name it
 * "application.sql").  It is compiled once here, so a mistake is reported
 * at load with its file:line:col in the SQL -- unless the scenario states
 * expect.sql_error, whose whole point is that refusal: then the refusal is
 * kept (sql_refused, sql_err) for the runner to compare, and the scenario
 * loads.  The structured keys (query, window, partition_by, select, where)
 * do not mix with it.
 */
#include "scenario-int.h"

#include "sql/lex.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const structured[] = {"query", "window", "partition_by", "select", "where"};

int kdo__scenario_sql_structured(struct kdo__scenario_ctx *c, node *map)
{
    for (size_t i = 0; i < sizeof structured / sizeof structured[0]; i++)
        if (kdo_ynode_get(map, structured[i]))
            return kdo__scenario_fail(c, kdo_ynode_get(map, structured[i]),
                                      "%s is the structured form of a query; with application.sql "
                                      "the SQL says it all (leave %s out)",
                                      structured[i], structured[i]);
    return 0;
}

/* path resolves under one of the roots (the scenario's folder, --allow-path). */
static int allowed(const char *real, const char *const *roots, size_t nroots)
{
    for (size_t i = 0; i < nroots; i++) {
        size_t n = strlen(roots[i]);
        if (strncmp(real, roots[i], n) == 0 && (real[n] == '/' || real[n] == '\0' ||
                                                 (n == 1 && roots[i][0] == '/')))
            return 1;
    }
    return 0;
}

int kdo__scenario_read_beside(struct kdo__scenario_ctx *c, node *n, const char *path,
                              const struct kdo__scenario_file_kind *k, char **text, size_t *len)
{
    char folder[PATH_MAX], real[PATH_MAX];
    const char *roots[KDO__SCENARIO_MAX_ROOTS];
    size_t nroots = 0;
    struct stat st;
    int err = kdo__scenario_row_roots(c, n, folder, roots, &nroots);
    if (err)
        return err;
    if (realpath(path, real) == NULL || stat(real, &st) != 0)
        return kdo__scenario_fail(c, n, "%s: cannot read %s (%s)%s", k->what, path,
                                  strerror(errno), k->missing_hint);
    if (!allowed(real, roots, nroots))
        return kdo__scenario_fail(c, n, "%s: %s is outside the scenario's folder (kdaout run "
                                  "--allow-path adds one)", k->what, path);
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > k->max)
        return kdo__scenario_fail(c, n, "%s: %s is not a regular file of at most %zu bytes (%s)",
                                  k->what, path, k->max, k->limit_why);
    FILE *f = fopen(real, "rb");
    if (f == NULL)
        return kdo__scenario_fail(c, n, "%s: cannot open %s (%s)", k->what, path,
                                  strerror(errno));
    *text = kdo_xmalloc((size_t)st.st_size + 1);
    *len = fread(*text, 1, (size_t)st.st_size, f);
    fclose(f);
    (*text)[*len] = '\0';
    return 0;
}

static int read_sql_file(struct kdo__scenario_ctx *c, node *n, const char *path)
{
    static const struct kdo__scenario_file_kind sql = {
        "sql", KDO_SQL_MAX_TEXT, "; inline SQL holds a newline or ';'",
        "KDA's 100 KB of application code"};
    size_t len;
    return kdo__scenario_read_beside(c, n, path, &sql, &c->s->sql, &len);
}

void kdo__scenario_path_beside(struct kdo__scenario_ctx *c, const char *name, char *path,
                               size_t size)
{
    const char *slash = strrchr(c->file, '/');
    if (name[0] == '/' || slash == NULL)
        snprintf(path, size, "%s", name);
    else
        snprintf(path, size, "%.*s/%s", (int)(slash - c->file), c->file, name);
}

/* Where inline SQL's line 1 column 1 is in the scenario, when the value
 * stands there as written (ydoc's text_line: a literal block `sql: |` or a
 * value on one line); otherwise refusals name "FILE, inline
 * application.sql" with the SQL's own lines. */
static void map_inline(struct kdo__scenario_ctx *c, node *n)
{
    if (n->text_line > 0) {
        c->s->sql_yaml_line = n->text_line;
        c->s->sql_yaml_column = n->text_column;
    }
}

/* sql: a file name, or the code itself. */
static int sql_text(struct kdo__scenario_ctx *c, node *n)
{
    struct kdo_scenario *s = c->s;
    if (n->type != KDO_YNODE_SCALAR || n->len == 0)
        return kdo__scenario_fail(c, n, "sql: expected a file name such as app.sql, or the SQL "
                                  "code itself");
    if (memchr(n->text, '\n', n->len) || memchr(n->text, ';', n->len)) {
        s->sql = kdo_xstrndup(n->text, n->len);
        s->sql_file = kdo_xstrdup("application.sql");
        map_inline(c, n);
        return 0;
    }
    char path[PATH_MAX];
    kdo__scenario_path_beside(c, n->text, path, sizeof path);
    s->sql_file = kdo_xstrdup(n->text);
    s->sql_path = kdo_xstrdup(path);
    return read_sql_file(c, n, path);
}

/* The program's input columns: application.schema, or the demo ticker stream. */
static int input_schema(struct kdo__scenario_ctx *c, node *map)
{
    static const char *const demo_cols[] = {"TICKER_SYMBOL", "SECTOR", "CHANGE", "PRICE"};
    static const char *const demo_types[] = {"VARCHAR(4)", "VARCHAR(16)", "REAL", "REAL"};
    const struct kdo_query_config *q = &c->s->query;
    const char *const *cols = q->ncolumns ? q->columns : demo_cols;
    const char *const *types = q->ncolumns ? q->types : demo_types;
    size_t n = q->ncolumns ? q->ncolumns : 4;
    c->s->sql_input = kdo_row_schema_new();
    int err = 0;
    for (size_t i = 0; i < n && err == 0; i++)
        err = kdo__scenario_column(c, kdo_ynode_get(map, "schema"), c->s->sql_input, cols[i],
                                   types[i]);
    return err;
}

int kdo__scenario_column(struct kdo__scenario_ctx *c, node *at, struct kdo_row_schema *schema,
                         const char *name, const char *type)
{
    struct kdo_row_column t;
    struct kdo_errinfo e = {0};
    if (kdo_row_parse_type(type, &t, &e) != 0 ||
        kdo_row_schema_add_type(schema, name, strlen(name), &t, &e) != 0)
        return kdo__scenario_fail(c, at, "schema: column %s %s: %s", name, type,
                                  e.msg[0] ? e.msg : "unknown type");
    return 0;
}

/* One destination with the SQL: its stream, format and cadence, no query. */
int kdo__scenario_sql_destination(struct kdo__scenario_ctx *c, node *map, size_t i,
                                  kdo_time_ns *cadence, int *cadence_set)
{
    struct kdo_scenario *s = c->s;
    node *n;
    int err = kdo__scenario_sql_structured(c, map);
    if (err == 0 && (n = kdo_ynode_get(map, "stream")))
        err = kdo__scenario_text(c, n, "stream", &s->dest_stream[i]);
    if (err == 0 && (n = kdo_ynode_get(map, "format")))
        err = kdo__scenario_row_format(c, n, &s->dest_query[i].output_format);
    if (err == 0 && (n = kdo_ynode_get(map, "cadence")) &&
        (err = kdo__scenario_duration(c, n, "cadence", cadence)) == 0)
        *cadence_set = 1;
    s->dest_format[i] = s->dest_query[i].output_format;
    return err;
}

/* Compiles the program once: an error in the SQL is the load's, or kept for
 * expect.sql_error; a destination's stream the SQL lacks (no place in the SQL)
 * is the scenario's mistake, at that destination. */
static int compile(struct kdo__scenario_ctx *c, node *map, node *destinations)
{
    struct kdo_scenario *s = c->s;
    struct kdo_program_config *pc = &s->program;
    size_t n = s->ndest ? s->ndest : 1;
    for (size_t i = 0; i < n; i++)
        if (s->dest_stream[i] == NULL)
            s->dest_stream[i] = kdo_xstrdup("DESTINATION_SQL_STREAM");
    if (s->ndest == 0)
        s->dest_format[0] = s->query.output_format;
    *pc = (struct kdo_program_config){.sql = s->sql,
                                      .sql_len = strlen(s->sql),
                                      .file = s->sql_file,
                                      .name_prefix = s->name_prefix,
                                      .source_stream = s->source_stream,
                                      .parallelism = s->parallelism ? (unsigned)s->parallelism : 1,
                                      .input_schema = s->sql_input,
                                      .input_format = s->query.input_format,
                                      .epoch_ms = s->sim.app.window.epoch_ms,
                                      .outputs = (const char *const *)s->dest_stream,
                                      .output_formats = s->dest_format,
                                      .noutputs = n,
                                      .tables = s->tables,
                                      .ntables = s->ntables};
    struct kdo_program *p;
    unsigned d = 0;
    if (kdo_program_new(pc, &p, &s->sql_err) != 0) {
        if (s->sql_err.line == 0 && sscanf(s->sql_err.msg, "destination %u", &d) == 1) {
            node *at = destinations && d >= 1 && d <= destinations->n ? destinations->items[d - 1]
                                                                       : kdo_ynode_get(map, "sql");
            node *stream = at->type == KDO_YNODE_MAP ? kdo_ynode_get(at, "stream") : NULL;
            char msg[sizeof s->sql_err.msg];
            snprintf(msg, sizeof msg, "%s", s->sql_err.msg);
            return kdo__scenario_fail(c, stream ? stream : at, "%s", msg);
        }
        s->sql_refused = 1;
        s->sql_err.file = s->sql_file;
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        s->dest_folds[i] = kdo_program_folds(p, i);
    c->program = p; /* the timeline's reloads load into it; each run builds its own */
    s->sim.program = pc;
    s->sim.references = s->table_data;
    s->sim.nreferences = s->ntables;
    return 0;
}

int kdo__scenario_sql(struct kdo__scenario_ctx *c, node *map, node *destinations)
{
    node *n = kdo_ynode_get(map, "sql");
    int err = sql_text(c, n);
    if (err == 0)
        err = input_schema(c, map);
    if (err == 0 && (n = kdo_ynode_get(map, "format")))
        err = kdo__scenario_row_format(c, n, &c->s->query.output_format);
    if (err == 0 && destinations)
        err = kdo__scenario_destinations(c, destinations);
    if (err == 0 && (n = kdo_ynode_get(map, "reference")))
        err = kdo__scenario_references(c, n);
    return err ? err : compile(c, map, destinations);
}

/* The SQL's refusal as the load's error: err->file must outlive the
 * scenario, which is freed on error. */
static _Thread_local char refusal_file[PATH_MAX];

int kdo__scenario_sql_finish(struct kdo__scenario_ctx *c, node *expect)
{
    struct kdo_scenario *s = c->s;
    if (s->sql == NULL && s->sql_error_message)
        return kdo__scenario_fail(c, expect, "sql_error: the application has no sql to refuse");
    if (!s->sql_refused || s->sql_error_message)
        return 0;
    if (c->err) {
        *c->err = s->sql_err;
        /* Named as the user can open it: the path it was read from. */
        if (s->sql_yaml_line > 0 && c->err->line > 0) { /* inline: its place in the scenario */
            c->err->line += s->sql_yaml_line - 1;
            c->err->column += s->sql_yaml_column - 1;
            snprintf(refusal_file, sizeof refusal_file, "%s", c->file);
        } else if (strcmp(s->sql_file, "application.sql") == 0) {
            snprintf(refusal_file, sizeof refusal_file, "%s, inline application.sql", c->file);
        } else {
            snprintf(refusal_file, sizeof refusal_file, "%s", s->sql_path);
        }
        c->err->file = refusal_file;
    }
    return KDO_ESCHEMA;
}
