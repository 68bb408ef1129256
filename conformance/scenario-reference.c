/*
 * scenario-reference.c -- application.reference, KDA's reference data
 * sources, and the timeline's reloads of them (scenario-int.h).
 *
 * A reference table is named as the SQL names it, has its own schema
 * (written as application.schema is) and record format, and its records
 * come from a file beside the scenario.  Every file -- the initial data and
 * each reload's -- is read and checked here, at load, into a throw-away
 * table (or the compiled program, for a reload, so a name the application
 * lacks is refused by kdo_program_load_table itself): a record that does
 * not read is the scenario's error at the data file's line and column, and
 * a run never meets bad data.  The scenario keeps the bytes; each run loads
 * them into its own program (sim.h).  Only the SQL form has tables.
 */
#include "scenario-int.h"

#include "rowfile.h"
#include "sql/program.h"
#include "sql/reftable.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The data file an error points into; valid until this thread loads
 * another scenario. */
static _Thread_local char error_file[PATH_MAX];

static const struct kdo__scenario_file_kind data_file = {
    "file", KDO_REFTABLE_MAX_BYTES, "", "64 MB of reference data"};

/* A failed load of data `path`: at its record (the data file's
 * line:col), or at n when the error has no place in it. */
static int data_error(struct kdo__scenario_ctx *c, node *n, const char *path,
                      const struct kdo_errinfo *e)
{
    if (e->line == 0)
        return kdo__scenario_fail(c, n, "%s", e->msg);
    if (c->err) {
        *c->err = *e;
        snprintf(error_file, sizeof error_file, "%s", path);
        c->err->file = error_file;
    }
    return KDO_ESCHEMA;
}

/* file: read into d (path and bytes owned by d). */
static int read_data(struct kdo__scenario_ctx *c, node *file, struct kdo_sim_reference *d)
{
    char path[PATH_MAX], *text = NULL;
    if (file->type != KDO_YNODE_SCALAR || file->len == 0)
        return kdo__scenario_fail(c, file, "file: expected the name of a file of records");
    kdo__scenario_path_beside(c, file->text, path, sizeof path);
    int err = kdo__scenario_read_beside(c, file, path, &data_file, &text, &d->len);
    if (err)
        return err;
    d->file = kdo_xstrdup(path);
    d->data = text;
    return 0;
}

/* The records of d read into a table of schema s: every one must. */
static int check_data(struct kdo__scenario_ctx *c, node *file, const struct kdo_program_table *t,
                      const struct kdo_sim_reference *d)
{
    struct kdo_reftable *rt = kdo_reftable_new(t->schema, t->format);
    struct kdo_errinfo e = {0};
    int rc = kdo_reftable_load(rt, d->data, d->len, d->file, &e);
    kdo_reftable_free(rt);
    return rc ? data_error(c, file, d->file, &e) : 0;
}

/* schema: {COLUMN: TYPE, ...}, as application.schema. */
static int table_schema(struct kdo__scenario_ctx *c, node *map, struct kdo_row_schema **out)
{
    int err = kdo__scenario_want(c, map, KDO_YNODE_MAP,
                                 "a mapping of column: type (VARCHAR(4), REAL ...)");
    if (err)
        return err;
    if (map->n == 0)
        return kdo__scenario_fail(c, map, "schema: a reference table has at least one column");
    *out = kdo_row_schema_new();
    for (size_t i = 0; i < map->n && err == 0; i++) {
        node *type = map->pairs[i].value;
        if (type->type != KDO_YNODE_SCALAR)
            return kdo__scenario_fail(c, type, "a column's type is text such as VARCHAR(4) or "
                                      "REAL");
        err = kdo__scenario_column(c, type, *out, map->pairs[i].key->text, type->text);
    }
    return err;
}

/* format: given, or by the file's name. */
static int table_format(struct kdo__scenario_ctx *c, node *map, enum kdo_rowfmt_format *f)
{
    node *fmt = kdo_ynode_get(map, "format"), *file = kdo_ynode_get(map, "file");
    if (fmt)
        return kdo__scenario_row_format(c, fmt, f);
    if (kdo_rowfile_format_of(file->text, f) != 0)
        return kdo__scenario_fail(c, file, "file: %s does not say its format (.csv, .json or "
                                  ".jsonl): give format: CSV or JSON", file->text);
    return 0;
}

/* name: text, not the name of an earlier table. */
static int table_name(struct kdo__scenario_ctx *c, node *name, const char **out)
{
    struct kdo_scenario *s = c->s;
    if (name->type != KDO_YNODE_SCALAR || name->len == 0)
        return kdo__scenario_fail(c, name, "name: expected the table's name as the SQL writes "
                                  "it, e.g. CompanyName for \"CompanyName\"");
    if (name->text[0] == '"')
        return kdo__scenario_fail(c, name, "name: write the table's name without the SQL's "
                                  "quotes (name: CompanyName for \"CompanyName\"; an unquoted "
                                  "SQL name is upper case)");
    for (size_t i = 0; i < s->ntables; i++)
        if (strcmp(s->tables[i].name, name->text) == 0)
            return kdo__scenario_fail(c, name, "reference table %s is declared twice",
                                      name->text);
    *out = kdo_xstrndup(name->text, name->len);
    return 0;
}

/* One table, s->tables[s->ntables], counted once it has a name (so the
 * scenario frees what it holds). */
static int table(struct kdo__scenario_ctx *c, node *map)
{
    struct kdo_scenario *s = c->s;
    struct kdo_program_table *t = &s->tables[s->ntables];
    struct kdo_sim_reference *d = &s->table_data[s->ntables];
    node *name = kdo_ynode_get(map, "name"), *file = kdo_ynode_get(map, "file");
    node *schema = kdo_ynode_get(map, "schema");
    int err = kdo__scenario_check_keys(c, map, kdo__scenario_table(c, "application/reference"));
    if (err)
        return err;
    if (name == NULL || file == NULL || schema == NULL)
        return kdo__scenario_fail(c, map, "a reference table needs name, file and schema (and "
                                  "format when the file's name does not say it)");
    if ((err = table_name(c, name, &t->name)))
        return err;
    d->table = t->name;
    s->ntables++;
    struct kdo_row_schema *rs = NULL;
    err = table_schema(c, schema, &rs);
    t->schema = rs;
    if (err == 0 && file->type == KDO_YNODE_SCALAR)
        err = table_format(c, map, &t->format);
    if (err == 0)
        err = read_data(c, file, d);
    return err ? err : check_data(c, file, t, d);
}

int kdo__scenario_references(struct kdo__scenario_ctx *c, node *seq)
{
    const struct kdo_format_map *app = kdo__scenario_table(c, "application");
    int err = kdo__scenario_want(c, seq, KDO_YNODE_SEQ,
                                 "a list of reference tables, each {name, file, format, schema}");
    if (err == 0)
        err = kdo__scenario_limits(c, seq, app, "reference", (int64_t)seq->n);
    if (err == 0 && seq->n > KDO_PROGRAM_MAX_TABLES) /* the engine's bound, should a table pass it */
        return kdo__scenario_fail(c, seq, "an application has at most %d reference tables here",
                                  KDO_PROGRAM_MAX_TABLES);
    for (size_t i = 0; i < seq->n && err == 0; i++)
        if ((err = kdo__scenario_want(c, seq->items[i], KDO_YNODE_MAP,
                                      "a reference table {name, file, format, schema}")) == 0)
            err = table(c, seq->items[i]);
    return err;
}

/* ---- the timeline's reloads ------------------------------------------------------ */

/* The table a reload names, without a program to ask (its SQL was refused). */
static const struct kdo_program_table *declared(struct kdo__scenario_ctx *c, const char *name)
{
    for (size_t i = 0; i < c->s->ntables; i++)
        if (strcmp(c->s->tables[i].name, name) == 0)
            return &c->s->tables[i];
    return NULL;
}

/* d's records into the table `name`: the compiled program's (which refuses
 * a name it lacks), else the declared table's. */
static int check_reload(struct kdo__scenario_ctx *c, node *name, node *file,
                        const struct kdo_sim_reference *d)
{
    struct kdo_errinfo e = {0};
    if (c->program == NULL) {
        const struct kdo_program_table *t = declared(c, d->table);
        if (t == NULL)
            return kdo__scenario_fail(c, name, "the application has no reference table %s",
                                      d->table);
        return check_data(c, file, t, d);
    }
    int rc = kdo_program_load_table(c->program, d->table, d->data, d->len, d->file, &e);
    if (rc == KDO_EINVAL)
        return kdo__scenario_fail(c, name, "%s (application.reference names the tables)", e.msg);
    return rc ? data_error(c, file, d->file, &e) : 0;
}

int kdo__scenario_reload(struct kdo__scenario_ctx *c, node *map, kdo_time_ns at)
{
    struct kdo_scenario *s = c->s;
    node *r = kdo_ynode_get(map, "reference");
    int err = kdo__scenario_want(c, r, KDO_YNODE_MAP, "a reload {name, file}");
    if (err == 0)
        err = kdo__scenario_check_keys(c, r, kdo__scenario_table(c, "timeline/reference"));
    if (err)
        return err;
    node *name = kdo_ynode_get(r, "name"), *file = kdo_ynode_get(r, "file");
    if (s->sql == NULL)
        return kdo__scenario_fail(c, r, "a reference reload needs application.sql and its "
                                  "application.reference");
    if (name == NULL || file == NULL || name->type != KDO_YNODE_SCALAR)
        return kdo__scenario_fail(c, r, "a reload names the table and its new file: {name, "
                                  "file}");
    struct kdo_sim_reference *d = &s->reloads[s->nreloads++];
    d->at = at;
    d->table = kdo_xstrndup(name->text, name->len);
    err = read_data(c, file, d);
    return err ? err : check_reload(c, name, file, d);
}
