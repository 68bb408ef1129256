/*
 * scenario-expect.c -- the expectations of a scenario (scenario-int.h).
 *
 * expect: a mapping of fact: bound (or a list of one-entry mappings, to
 * state one fact for several periods); with several destinations a key
 * naming one holds its facts.  The fact names are expect.c's; here they are
 * only checked and bound, never computed.  `output:` (the rows the function
 * must receive) is read whole here, its file included, so a bad file is a
 * load error that names it.
 */
#include "scenario-int.h"

#include "rowfile.h"
#include "suggest.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- output: the rows the function must receive ------------------------------- */

#define MAX_OUTPUT_COLUMNS 1024

/* A file error's file name, which must outlive the load's context. */
static _Thread_local char output_error_file[4096];

/* An ENUM key of the output table: *out gets the index of its choice. */
static int output_choice(struct kdo__scenario_ctx *c, node *n, const char *key, int *out)
{
    const struct kdo_format_key *k = kdo_format_find(&kdo_format_output, key);
    char list[200];
    if (n->type == KDO_YNODE_SCALAR)
        for (int i = 0; k->choices[i]; i++)
            if (strcmp(n->text, k->choices[i]) == 0)
                return *out = i, 0;
    kdo__scenario_list_keys(k->choices, list, sizeof list);
    const char *near = n->type == KDO_YNODE_SCALAR ? kdo_suggest_nearest(n->text, k->choices) : NULL;
    return kdo__scenario_fail(c, n, "output %s: expected one of %s%s%s%s", key, list,
                              near ? "; did you mean \"" : "", near ? near : "", near ? "\"?" : "");
}

static int output_columns(struct kdo__scenario_ctx *c, node *n, struct kdo_output_expect *o)
{
    if (n->type != KDO_YNODE_SEQ || n->n == 0)
        return kdo__scenario_fail(c, n, "output columns: expected a list of column names");
    if (n->n > MAX_OUTPUT_COLUMNS)
        return kdo__scenario_fail(c, n, "output columns: %zu names; at most %d", n->n,
                                  MAX_OUTPUT_COLUMNS);
    o->columns = kdo_xcalloc(n->n, sizeof *o->columns);
    for (size_t i = 0; i < n->n; i++) {
        if (n->items[i]->type != KDO_YNODE_SCALAR || n->items[i]->text[0] == '\0')
            return kdo__scenario_fail(c, n->items[i], "output columns: expected a column name");
        o->columns[o->ncolumns++] = kdo_xstrdup(n->items[i]->text);
    }
    return 0;
}

/* A CSV file names its columns in its header; `columns` must be among them. */
static int output_header(struct kdo__scenario_ctx *c, node *n, struct kdo_output_expect *o)
{
    o->nnames = kdo_rowfile_ncolumns(o->rows);
    o->names = kdo_xcalloc(o->nnames ? o->nnames : 1, sizeof *o->names);
    for (size_t i = 0; i < o->nnames; i++)
        o->names[i] = kdo_xstrdup(kdo_rowfile_column(o->rows, i));
    for (size_t i = 0; i < o->ncolumns; i++) {
        size_t j = 0;
        while (j < o->nnames && strcmp(o->names[j], o->columns[i]) != 0)
            j++;
        if (j == o->nnames)
            return kdo__scenario_fail(c, n, "output columns: %s is not a column of %s (its header "
                                      "names the destination's columns)", o->columns[i], o->file);
    }
    return 0;
}

/* Every row a row of the format: JSON Lines rows are JSON objects. */
static int output_rows(struct kdo__scenario_ctx *c, node *n, struct kdo_output_expect *o)
{
    o->n = kdo_rowfile_count(o->rows);
    o->text = kdo_xcalloc(o->n ? o->n : 1, sizeof *o->text);
    for (size_t i = 0; i < o->n; i++) {
        char why[200];
        o->text[i].data = kdo_rowfile_row(o->rows, i, &o->text[i].len);
        if (kdo_rowdiff_check_row(o->cfg.format, o->text[i].data, o->text[i].len, why,
                                  sizeof why) != 0)
            return kdo__scenario_fail(c, n, "%s: row %zu: %s", o->file, i + 1, why);
    }
    return 0;
}

/* The file, next to the scenario or under an --allow-path, as input files are. */
static int output_file(struct kdo__scenario_ctx *c, node *n, node *format, struct kdo_output_expect *o)
{
    const char *slash = strrchr(c->file, '/');
    char path[4096], folder[PATH_MAX];
    const char *roots[KDO__SCENARIO_MAX_ROOTS];
    size_t nroots = 0;
    int err, which = 0;
    if (n->type != KDO_YNODE_SCALAR || n->text[0] == '\0')
        return kdo__scenario_fail(c, n, "output file: expected the path of a JSON Lines (.jsonl) "
                                  "or CSV (.csv) file");
    if (n->text[0] == '/' || slash == NULL)
        snprintf(path, sizeof path, "%s", n->text);
    else
        snprintf(path, sizeof path, "%.*s/%s", (int)(slash - c->file), c->file, n->text);
    o->file = kdo_xstrdup(path);
    if ((err = kdo__scenario_row_roots(c, n, folder, roots, &nroots)))
        return err;
    struct kdo_rowfile_options opt = {.format = KDO_ROWFMT_JSON, .roots = roots, .nroots = nroots,
                                      .max_bytes = KDO_ROWDIFF_MAX_BYTES,
                                      .max_rows = KDO_ROWDIFF_MAX_ROWS};
    if (format && (err = output_choice(c, format, "format", &which)))
        return err;
    if (format)
        opt.format = which == 1 ? KDO_ROWFMT_CSV : KDO_ROWFMT_JSON;
    else if (kdo_rowfile_format_of(path, &opt.format) != 0)
        opt.format = KDO_ROWFMT_JSON; /* any other name: JSON Lines */
    opt.has_header = opt.format == KDO_ROWFMT_CSV;
    o->cfg.format = opt.format;
    err = kdo_rowfile_load(path, &opt, &o->rows, c->err);
    if (err == KDO_EINVAL && c->err)
        return kdo__scenario_fail(c, n, "%s", c->err->msg);
    if (err == KDO_ENOENT || err == KDO_EIO || (err && c->err == NULL)) {
        char why[sizeof c->err->msg];
        snprintf(why, sizeof why, "%s", c->err ? c->err->msg : "");
        return kdo__scenario_fail(c, n, "cannot read %s (%s)", path, why);
    }
    if (err) { /* at a place in the file (too big, an unclosed quote): name the file */
        snprintf(output_error_file, sizeof output_error_file, "%s", path);
        c->err->file = output_error_file;
        return KDO_ESCHEMA;
    }
    err = opt.format == KDO_ROWFMT_CSV ? output_header(c, n, o) : 0;
    return err ? err : output_rows(c, n, o);
}

/* The typed query of destination d, or NULL when its rows pass as read. */
static const struct kdo_query_config *dest_query(const struct kdo_scenario *s, size_t d)
{
    if (s->ndest > 0)
        return d < s->ndest ? s->sim.outputs[d].query : NULL;
    return s->has_query ? &s->query : NULL;
}

/* A typed destination writes one format: a file of the other could never match. */
static int output_format_agrees(struct kdo__scenario_ctx *c, node *n, size_t dest,
                                const struct kdo_output_expect *o)
{
    const struct kdo_query_config *q = dest_query(c->s, dest);
    if (q == NULL || q->output_format == o->cfg.format)
        return 0;
    int csv = q->output_format == KDO_ROWFMT_CSV;
    return kdo__scenario_fail(c, n, "output: the destination writes %s rows, but %s is read as %s; "
                              "give a %s file (%s, or say format: %s)", csv ? "CSV" : "JSON",
                              o->file, csv ? "JSON Lines" : "CSV", csv ? "CSV" : "JSON Lines",
                              csv ? ".csv" : ".jsonl", csv ? "csv" : "json");
}

/* output: FILE | [] | {file, format, order, tolerance, columns}. */
static int output_spec(struct kdo__scenario_ctx *c, node *v, size_t dest,
                       struct kdo_output_expect *o)
{
    node *file = v, *format = NULL, *k;
    int err, order = 0;
    o->cfg = (struct kdo_rowdiff_config){.format = KDO_ROWFMT_JSON, .order = KDO_ROWDIFF_WINDOW,
                                         .tolerance = KDO_ROWDIFF_TOLERANCE};
    if (v->type == KDO_YNODE_SEQ) {
        if (v->n == 0) /* no rows at all */
            return 0;
        return kdo__scenario_fail(c, v, "output: a list can only be [] (no rows); the rows go in "
                                  "a file: output: rows.jsonl");
    }
    if (v->type == KDO_YNODE_MAP) {
        if ((err = kdo__scenario_check_keys(c, v, &kdo_format_output)))
            return err;
        if ((file = kdo_ynode_get(v, "file")) == NULL)
            return kdo__scenario_fail(c, v, "output needs file: the rows the function must receive");
        format = kdo_ynode_get(v, "format");
        if ((k = kdo_ynode_get(v, "order")) && (err = output_choice(c, k, "order", &order)))
            return err;
        o->cfg.order = order == 1 ? KDO_ROWDIFF_STRICT : KDO_ROWDIFF_WINDOW;
        if ((k = kdo_ynode_get(v, "tolerance")) &&
            (err = kdo__scenario_number(c, k, "tolerance", &o->cfg.tolerance)))
            return err;
        if (!(o->cfg.tolerance >= 0))
            return kdo__scenario_fail(c, k, "output tolerance must be 0 or more");
        if ((k = kdo_ynode_get(v, "columns")) && (err = output_columns(c, k, o)))
            return err;
    } else if (v->type != KDO_YNODE_SCALAR) {
        return kdo__scenario_fail(c, v, "output: expected a file name, [] or {file, format, order, "
                                  "tolerance, columns}");
    }
    if ((err = output_file(c, file, format, o)) || (err = output_format_agrees(c, file, dest, o)))
        return err;
    o->cfg.columns = (const char *const *)o->columns;
    o->cfg.ncolumns = o->ncolumns;
    o->cfg.names = (const char *const *)o->names;
    o->cfg.nnames = o->nnames;
    return 0;
}

static int output_expectation(struct kdo__scenario_ctx *c, const struct kdo_ypair *pair,
                              size_t dest)
{
    struct kdo_scenario *s = c->s;
    for (size_t i = 0; i < s->nexpect; i++)
        if (s->expect[i].output && s->expect[i].destination == dest)
            return kdo__scenario_fail(c, pair->key, "output is stated twice for this destination");
    s->expect = kdo_xrealloc(s->expect, (s->nexpect + 1) * sizeof *s->expect);
    struct kdo_expectation *e = &s->expect[s->nexpect++];
    *e = (struct kdo_expectation){.fact = kdo_xstrdup("output"), .from = INT64_MIN,
                                  .until = KDO_TIME_NEVER, .line = pair->key->line,
                                  .column = pair->key->column, .destination = dest};
    e->output = kdo_xcalloc(1, sizeof *e->output);
    return output_spec(c, pair->value, dest, e->output);
}

/* sql_error: {message, at}: the application's SQL must be refused so. */
static int sql_error(struct kdo__scenario_ctx *c, const struct kdo_ypair *pair)
{
    struct kdo_scenario *s = c->s;
    node *v = pair->value, *n;
    int err = kdo__scenario_want(c, v, KDO_YNODE_MAP, "{message, at}: the refusal's words and "
                                 "its FILE:LINE:COL");
    if (err == 0)
        err = kdo__scenario_check_keys(c, v, &kdo_format_sql_error);
    if (err == 0 && (n = kdo_ynode_get(v, "message")) == NULL)
        return kdo__scenario_fail(c, v, "sql_error needs message: words the refusal holds");
    if (err == 0)
        err = kdo__scenario_text(c, n, "message", &s->sql_error_message);
    if (err == 0 && (n = kdo_ynode_get(v, "at")))
        err = kdo__scenario_text(c, n, "at", &s->sql_error_at);
    s->sql_error_line = pair->key->line;
    s->sql_error_column = pair->key->column;
    return err;
}

/* ---- fact: bound ------------------------------------------------------------------ */

/* during: {from: T, until: T} restricts a fact to a period. */
static int during(struct kdo__scenario_ctx *c, node *n, const char *fact, struct kdo_expectation *e)
{
    int err = kdo__scenario_check_keys(c, n, &kdo_format_during);
    if (err == 0 && !kdo_fact_windowable(fact))
        return kdo__scenario_fail(
            c, n, "%s counts over the whole run and cannot be restricted to a period", fact);
    if (err == 0)
        err = kdo__scenario_plain(c, n, &kdo_format_during, e);
    if (err == 0 && e->from >= e->until)
        return kdo__scenario_fail(c, n, "during: from must come before until");
    return err;
}

static int bound(struct kdo__scenario_ctx *c, node *n, const char *fact, struct kdo_expectation *e)
{
    node *v;
    int err;
    e->min = -1e300;
    e->max = 1e300;
    e->from = INT64_MIN;
    e->until = KDO_TIME_NEVER;
    if (n->type == KDO_YNODE_SCALAR) {
        if ((err = kdo__scenario_number(c, n, fact, &e->min)))
            return err;
        e->max = e->min;
        return 0;
    }
    if ((err = kdo__scenario_check_keys(c, n, &kdo_format_bound)))
        return err;
    if ((v = kdo_ynode_get(n, "eq")) && (err = kdo__scenario_number(c, v, fact, &e->min)) == 0)
        e->max = e->min;
    if (err == 0 && (v = kdo_ynode_get(n, "min")))
        err = kdo__scenario_number(c, v, fact, &e->min);
    if (err == 0 && (v = kdo_ynode_get(n, "max")))
        err = kdo__scenario_number(c, v, fact, &e->max);
    if (err == 0 && (v = kdo_ynode_get(n, "during")))
        err = during(c, v, fact, e);
    if (err == 0 && !kdo_ynode_get(n, "min") && !kdo_ynode_get(n, "max") && !kdo_ynode_get(n, "eq"))
        return kdo__scenario_fail(c, n, "an expectation needs min, max or eq");
    if (err == 0 && e->min > e->max)
        return kdo__scenario_fail(c, n, "%s: min %g is above max %g, so it can never hold", fact,
                                  e->min, e->max);
    return err;
}

/* `dest`: the destination whose facts these are, or TOP for the top level
 * (the first destination's facts, and where destinations may be named). */
#define TOP SIZE_MAX
static int expectation(struct kdo__scenario_ctx *c, const struct kdo_ypair *pair, size_t dest);

/* "1.2": {fact: bound, ...} -- facts of destination 1.2's lane. */
static int destination_expectations(struct kdo__scenario_ctx *c, const struct kdo_ypair *pair,
                                    size_t dest)
{
    node *m = pair->value;
    int err = 0;
    if (m->type != KDO_YNODE_MAP)
        return kdo__scenario_fail(
            c, m, "expectations of destination %s are a mapping of fact: bound", pair->key->text);
    for (size_t i = 0; i < m->n && err == 0; i++)
        err = expectation(c, &m->pairs[i], dest);
    return err;
}

static int expectation(struct kdo__scenario_ctx *c, const struct kdo_ypair *pair, size_t dest)
{
    struct kdo_scenario *s = c->s;
    node *k = pair->key;
    for (size_t d = 0; d < s->ndest; d++)
        if (strcmp(k->text, s->sim.outputs[d].id) == 0)
            return dest == TOP ? destination_expectations(c, pair, d)
                               : kdo__scenario_fail(c, k, "destinations do not nest");
    if (strcmp(k->text, "output") == 0)
        return output_expectation(c, pair, dest == TOP ? 0 : dest);
    if (strcmp(k->text, "sql_error") == 0)
        return dest == TOP ? sql_error(c, pair)
                           : kdo__scenario_fail(c, k, "sql_error is the application's, not a "
                                                "destination's");
    if (!kdo_fact_known(k->text)) {
        const char *near = kdo_fact_suggest(k->text);
        return kdo__scenario_fail(c, k,
                                  "unknown fact \"%s\"%s%s%s (kdaout run --help lists them; a "
                                  "destination's facts go under its id)",
                                  k->text, near ? "; did you mean \"" : "", near ? near : "",
                                  near ? "\"?" : "");
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
int kdo__scenario_expectations(struct kdo__scenario_ctx *c, node *n)
{
    int err = 0;
    if (n->type == KDO_YNODE_MAP) {
        for (size_t i = 0; i < n->n && err == 0; i++)
            err = expectation(c, &n->pairs[i], TOP);
        return err;
    }
    if (n->type != KDO_YNODE_SEQ)
        return kdo__scenario_fail(
            c, n,
            "found a %s for expect, expected a mapping of fact: value or "
            "fact: {min, max, eq, during}, or a list of such one-entry mappings",
            kdo_ynode_type_name(n->type));
    for (size_t i = 0; i < n->n && err == 0; i++) {
        node *item = n->items[i];
        if (item->type != KDO_YNODE_MAP || item->n != 1)
            return kdo__scenario_fail(c, item, "each item of an expect list is one fact: bound");
        err = expectation(c, &item->pairs[0], TOP);
    }
    return err;
}

