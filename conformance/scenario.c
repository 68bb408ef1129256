/*
 * scenario.c -- from a YAML tree to a run configuration, strictly.
 *
 * Each mapping of the format has a table of the keys it accepts
 * (scenario-format.h); a key not in the table is an error that suggests the
 * nearest one.  Values go through units.c.  Nothing is run here: the result
 * is plain data (kdo_sim_config) plus expectations, and every error points
 * at the node that caused it.  This part holds the context's helpers (errors,
 * key checks, typed values, the generic walk of a table), the whole file in
 * the order its sections depend on each other, and load/free; the sections
 * are read in scenario-input.c, -app.c, -lambda.c and -expect.c
 * (scenario-int.h).
 */
#include "scenario-int.h"

#include "suggest.h"
#include "units.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kdo__scenario_fail(struct kdo__scenario_ctx *c, node *n, const char *fmt, ...)
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

void kdo__scenario_list_keys(const char *const *allowed, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (const char *const *a = allowed; *a && len < size; a++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", a == allowed ? "" : ", ", *a);
}

int kdo__scenario_want(struct kdo__scenario_ctx *c, node *n, enum kdo_ynode_type type,
                       const char *what)
{
    if (n == NULL)
        return kdo__scenario_fail(c, NULL, "missing %s", what);
    if (n->type != type)
        return kdo__scenario_fail(c, n, "found a %s, expected %s", kdo_ynode_type_name(n->type),
                                  what);
    return 0;
}

/* Keys that older scenarios used and that no longer mean anything: refused
 * with what to do instead, never accepted and ignored. */
static const struct {
    const char *where, *key, *why;
} retired[] = {
    {"application", "poll",
     "the source is read as rows arrive, and ROWTIME is each row's arrival in whole ms "
     "(a polling interval moved rows across window boundaries); delete the key"},
};

static const char *retired_key(const char *where, const char *key)
{
    for (size_t i = 0; i < sizeof retired / sizeof retired[0]; i++)
        if (strcmp(retired[i].where, where) == 0 && strcmp(retired[i].key, key) == 0)
            return retired[i].why;
    return NULL;
}

static int check_names(struct kdo__scenario_ctx *c, node *map, const char *where,
                       const char *const *allowed)
{
    int err = kdo__scenario_want(c, map, KDO_YNODE_MAP, where);
    for (size_t i = 0; err == 0 && i < map->n; i++) {
        const char *key = map->pairs[i].key->text;
        const char *const *a = allowed;
        while (*a && strcmp(*a, key) != 0)
            a++;
        if (*a)
            continue;
        const char *why = retired_key(where, key);
        if (why)
            return kdo__scenario_fail(c, map->pairs[i].key, "\"%s\" in %s was removed: %s", key,
                                      where, why);
        const char *near = kdo_suggest_nearest(key, allowed);
        char keys[400];
        kdo__scenario_list_keys(allowed, keys, sizeof keys);
        if (near)
            return kdo__scenario_fail(c, map->pairs[i].key,
                                      "unknown key \"%s\" in %s; did you mean \"%s\"?", key, where,
                                      near);
        return kdo__scenario_fail(c, map->pairs[i].key,
                                  "unknown key \"%s\" in %s; expected one of: %s", key, where,
                                  keys);
    }
    return err;
}

/* The keys of `map` are those of table t (named `where` in messages, or t's
 * own name); a stranger is refused with the nearest key suggested. */
int kdo__scenario_check_keys_as(struct kdo__scenario_ctx *c, node *map, const char *where,
                         const struct kdo_format_map *t)
{
    const char *names[64];
    kdo_format_names(t, names, sizeof names / sizeof names[0]);
    return check_names(c, map, where ? where : t->name, names);
}

int kdo__scenario_check_keys(struct kdo__scenario_ctx *c, node *map, const struct kdo_format_map *t)
{
    return kdo__scenario_check_keys_as(c, map, NULL, t);
}

/* ---- typed values ---------------------------------------------------------- */

/* A scalar through one of units.h's parsers, each called with its own
 * type (no cast through a generic function pointer). */
static int scalar_kind(struct kdo__scenario_ctx *c, node *n, const char *what,
                       enum kdo_format_kind kind, void *out)
{
    char why[300];
    int err = KDO_ESCHEMA;
    if (n->type != KDO_YNODE_SCALAR)
        return kdo__scenario_fail(c, n, "found a %s for %s, expected %s",
                                  kdo_ynode_type_name(n->type), what, "a single value");
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
    return err ? kdo__scenario_fail(c, n, "%s: %s", what, why) : 0;
}

int kdo__scenario_duration(struct kdo__scenario_ctx *c, node *n, const char *what, kdo_time_ns *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_DURATION, out);
}
int kdo__scenario_count(struct kdo__scenario_ctx *c, node *n, const char *what, uint64_t *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_COUNT, out);
}
int kdo__scenario_rate(struct kdo__scenario_ctx *c, node *n, const char *what, double *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_RATE, out);
}
int kdo__scenario_number(struct kdo__scenario_ctx *c, node *n, const char *what, double *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_NUMBER, out);
}
int kdo__scenario_bool(struct kdo__scenario_ctx *c, node *n, const char *what, int *out)
{
    return scalar_kind(c, n, what, KDO_FORMAT_BOOL, out);
}

int kdo__scenario_text(struct kdo__scenario_ctx *c, node *n, const char *what, char **out)
{
    if (n->type != KDO_YNODE_SCALAR)
        return kdo__scenario_fail(c, n, "found a %s for %s, expected text",
                                  kdo_ynode_type_name(n->type), what);
    free(*out);
    *out = kdo_xstrndup(n->text, n->len);
    return 0;
}

/* ---- plain values, from the tables --------------------------------------------- */

/* The table at a '/'-separated path of keys under the root ("lambda/rules"). */
const struct kdo_format_map *kdo__scenario_table(struct kdo__scenario_ctx *c, const char *path)
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
static int limit_fail(struct kdo__scenario_ctx *c, node *n, const struct kdo_format_key *k,
                      int64_t v)
{
    char msg[400], lo[32], hi[32], val[32];
    size_t len = 0;
    kdo_format_limit_text(k, k->min, lo, sizeof lo);
    kdo_format_limit_text(k, k->max, hi, sizeof hi);
    snprintf(val, sizeof val, "%" PRId64, v);
    const char *text = k->below_msg && v < k->min ? k->below_msg : k->limit_msg;
    for (const char *m = text; *m && len + 1 < sizeof msg;) {
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
    return kdo__scenario_fail(c, n, "%s", msg);
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
int kdo__scenario_plain_key(struct kdo__scenario_ctx *c, node *n, const struct kdo_format_key *k,
                            char *base)
{
    union { kdo_time_ns ns; uint64_t u; double d; int b; } v = {0};
    if (k->store == KDO_FORMAT_STRING || k->store == KDO_FORMAT_CHECK) {
        if (n->type != KDO_YNODE_SCALAR)
            return kdo__scenario_fail(c, n, "found a %s for %s, expected text",
                                      kdo_ynode_type_name(n->type), k->name);
        if (k->store == KDO_FORMAT_STRING)
            return kdo__scenario_text(c, n, k->name, (char **)(void *)(base + k->offset));
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
int kdo__scenario_plain(struct kdo__scenario_ctx *c, node *map, const struct kdo_format_map *t,
                        void *base)
{
    int err = 0;
    for (size_t i = 0; i < t->nkeys && err == 0; i++) {
        node *n = kdo_ynode_get(map, t->keys[i].name);
        if (n && t->keys[i].store != KDO_FORMAT_NOWHERE)
            err = kdo__scenario_plain_key(c, n, &t->keys[i], base);
    }
    return err;
}

/* kdo__scenario_check_keys() and kdo__scenario_plain() together: a mapping read by its table. */
int kdo__scenario_walk(struct kdo__scenario_ctx *c, node *map, const struct kdo_format_map *t,
                       void *base)
{
    int err = kdo__scenario_check_keys(c, map, t);
    return err ? err : kdo__scenario_plain(c, map, t, base);
}

/* A key's limits, for values the loader reads itself. */
int kdo__scenario_limits(struct kdo__scenario_ctx *c, node *n, const struct kdo_format_map *t,
                         const char *key, int64_t v)
{
    const struct kdo_format_key *k = kdo_format_find(t, key);
    return k && !within(k, v) ? limit_fail(c, n, k, v) : 0;
}

/* A copy of text[0..len) the scenario owns (query strings live as long as it). */
const char *kdo__scenario_keep(struct kdo__scenario_ctx *c, const char *text, size_t len)
{
    struct kdo_scenario *s = c->s;
    s->query_strings = kdo_xrealloc(s->query_strings, (s->nquery_strings + 1) * sizeof *s->query_strings);
    return s->query_strings[s->nquery_strings++] = kdo_xstrndup(text, len);
}

const char *kdo__scenario_keep_string(struct kdo__scenario_ctx *c, node *n)
{
    return kdo__scenario_keep(c, n->text, n->len);
}

/* ---- the whole file ----------------------------------------------------------------- */

/* The sections after the plain keys, in the order they depend on each other. */
static int sections(struct kdo__scenario_ctx *c, node *root)
{
    struct kdo_scenario *s = c->s;
    node *n;
    int err = 0;
    if ((n = kdo_ynode_get(root, "application")))
        err = kdo__scenario_application(c, n);
    if (err == 0 && (n = kdo_ynode_get(root, "delivery")))
        err = kdo__scenario_delivery(c, n);
    if (err == 0 && (n = kdo_ynode_get(root, "lambda")))
        err = kdo__scenario_lambda(c, n);
    if (err == 0 && s->ndest > 1 && s->end.kind != KDO_END_INPROCESS)
        return kdo__scenario_fail(
            c, kdo_ynode_get(root, "lambda"),
            "several destinations run against the "
            "in-process fake only (each lane needs its own connection); leave out "
            "lambda.transport and lambda.endpoint");
    if (err == 0 && (n = kdo_ynode_get(root, "timeline")) &&
        (err = kdo__scenario_timeline(c, n)) == 0 && s->sim.nrestarts > 0 &&
        s->sim.restarts[s->sim.nrestarts - 1].at >= s->sim.duration + s->sim.drain_limit)
        return kdo__scenario_fail(c, n,
                                  "a restart at %.3f s comes after the run ends (duration + drain)",
                                  (double)s->sim.restarts[s->sim.nrestarts - 1].at / 1e9);
    if (err == 0 && s->nreloads > 0 &&
        s->reloads[s->nreloads - 1].at >= s->sim.duration + s->sim.drain_limit)
        return kdo__scenario_fail(c, n,
                                  "a reload at %.3f s comes after the run ends (duration + drain)",
                                  (double)s->reloads[s->nreloads - 1].at / 1e9);
    if (err == 0 && (n = kdo_ynode_get(root, "expect")))
        err = kdo__scenario_expectations(c, n);
    if (err == 0) /* a refused SQL fails the load unless expect.sql_error wants it */
        err = kdo__scenario_sql_finish(c, kdo_ynode_get(root, "expect"));
    return err;
}

static int top(struct kdo__scenario_ctx *c, node *root)
{
    if (root == NULL)
        return kdo_errinfo_set(c->err, KDO_ESCHEMA, c->file, 1, 1,
                               "the file is empty; expected a scenario mapping (name, application, "
                               "lambda, expect ...)");
    int err = kdo__scenario_walk(c, root, c->fmt, c->s);
    if (err)
        return err;
    c->s->has_seed = kdo_ynode_get(root, "seed") != NULL;
    return sections(c, root);
}

/* Defaults that depend on other settings. */
static void derive(struct kdo__scenario_ctx *c)
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
    struct kdo__scenario_ctx c = {.fmt = fmt, .file = s->file, .err = err, .s = s};
    int rc = top(&c, doc->root);
    kdo_program_free(c.program);
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
    struct kdo__scenario_ctx c = {.fmt = &kdo_format_scenario, .file = path, .err = err, .s = s};
    s->sim.lambda = *cfg;
    if (doc->root == NULL)
        rc = kdo_errinfo_set(err, KDO_ESCHEMA, path, 1, 1, "the file is empty; expected a list "
                             "of rules or a mapping with timeout, latency, memory and rules");
    else if (doc->root->type == KDO_YNODE_SEQ)
        rc = kdo__scenario_rules(&c, doc->root);
    else
        rc = kdo__scenario_lambda(&c, doc->root);
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
    for (size_t i = 0; i < s->nexpect; i++) {
        free(s->expect[i].fact);
        kdo_output_expect_free(s->expect[i].output);
    }
    free(s->expect);
    free(s->sql);
    free(s->sql_file);
    free(s->sql_path);
    free(s->name_prefix);
    free(s->source_stream);
    free(s->sql_error_message);
    free(s->sql_error_at);
    kdo_row_schema_free(s->sql_input);
    for (size_t i = 0; i < s->ntables; i++) { /* table_data[i].table is tables[i].name */
        free((char *)s->tables[i].name);
        kdo_row_schema_free((struct kdo_row_schema *)s->tables[i].schema);
        free((char *)s->table_data[i].data);
        free((char *)s->table_data[i].file);
    }
    for (size_t i = 0; i < s->nreloads; i++) {
        free((char *)s->reloads[i].table);
        free((char *)s->reloads[i].data);
        free((char *)s->reloads[i].file);
    }
    free(s->reloads);
    for (size_t i = 0; i < s->nfixes; i++)
        free(s->fixes[i].rule);
    free(s->fixes);
    for (size_t i = 0; i < KDO_APP_MAX_OUTPUTS; i++)
        free(s->dest_stream[i]);
    free(s->name);
    free(s->guide);
    free(s->file);
    free(s);
}

