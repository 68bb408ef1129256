/*
 * scenario-app.c -- the application, its queries and destinations, and
 * delivery (scenario-int.h).
 *
 * A query is read into a pump (the application's own, or one destination's):
 * its window kind and width, then format, where, select and partition_by,
 * compiled once here so a mistake is reported at its node.  The application
 * reads its sections in the order they depend on each other: the schema
 * before the input (a header-less CSV file is checked against it), the
 * input before the query (CSV files set the input format).
 */
#include "scenario-int.h"

#include "delivery/contract.h"
#include "suggest.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One query's settings as they are read: the application's own, or one
 * destination's (application.destinations). */
struct kdo__scenario_pump {
    const struct kdo_format_map *t; /* the table of the mapping the query is in */
    struct kdo_query_config *q;
    enum kdo_query_window kind;
    kdo_time_ns window;
    int window_set, is_main;
    kdo_time_ns cadence;
    int cadence_set;
};

/* "a, b, c or d": an ENUM key's choices, for messages. */
static void choices_text(const struct kdo_format_key *k, char *out, size_t size)
{
    size_t len = 0, n = 0;
    out[0] = '\0';
    while (k->choices[n])
        n++;
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s",
                                i == 0 ? "" : i + 1 == n ? " or " : ", ", k->choices[i]);
}

/* The byte-level window (rows as read) of a query's window; stagger needs
 * typed rows and partition keys, so its byte-level window is continuous. */
static enum kdo_window_kind byte_window(enum kdo_query_window kind)
{
    switch (kind) {
    case KDO_QUERY_SLIDING: return KDO_WINDOW_SLIDING;
    case KDO_QUERY_TUMBLING: return KDO_WINDOW_TUMBLING;
    default: return KDO_WINDOW_CONTINUOUS;
    }
}

/* query: the window kind, one of the table's choices. */
static int query(struct kdo__scenario_ctx *c, node *n)
{
    const struct kdo_format_key *k = kdo_format_find(c->p->t, "query");
    char expected[200];
    choices_text(k, expected, sizeof expected);
    if (n->type != KDO_YNODE_SCALAR)
        return kdo__scenario_fail(c, n, "found a %s for query, expected %s",
                                  kdo_ynode_type_name(n->type), expected);
    for (size_t i = 0; k->choices[i]; i++)
        if (strcmp(n->text, k->choices[i]) == 0) {
            c->p->kind = (enum kdo_query_window)k->values[i];
            if (c->p->is_main)
                c->s->sim.app.window.kind = byte_window(c->p->kind);
            return 0;
        }
    const char *near = kdo_suggest_nearest(n->text, k->choices);
    return kdo__scenario_fail(c, n, "query \"%s\" is unknown; expected %s%s%s%s", n->text,
                              expected, near ? " (did you mean \"" : "", near ? near : "",
                              near ? "\"?)" : "");
}

/* window: a duration (STEP width, RANGE INTERVAL) within the table's limits,
 * or "N rows" for a sliding window of ROWS N PRECEDING. */
static int window(struct kdo__scenario_ctx *c, node *n)
{
    struct kdo_query_config *q = c->p->q;
    unsigned long long rows;
    char extra;
    c->p->window_set = 1;
    if (n->type == KDO_YNODE_SCALAR && (sscanf(n->text, "%llu row%c", &rows, &extra) == 2 ||
                                        sscanf(n->text, "%llu ROW%c", &rows, &extra) == 2)) {
        const char *word = strchr(n->text, ' ');
        if (!isdigit((unsigned char)n->text[0]) || word == NULL || strcmp(word, " rows") != 0)
            return kdo__scenario_fail(c, n, "window \"%s\": write ROWS n PRECEDING as \"n rows\"",
                                      n->text);
        if (c->p->kind != KDO_QUERY_SLIDING)
            return kdo__scenario_fail(
                c, n, "window \"%s\" (ROWS n PRECEDING) is for query: sliding", n->text);
        if (rows > KDO_MAX_PRECEDING_ROWS)
            return kdo__scenario_fail(c, n, "window \"%s\": at most %d rows", n->text,
                                      KDO_MAX_PRECEDING_ROWS);
        q->by_rows = 1;
        q->rows = rows;
        return 0;
    }
    if (n->type == KDO_YNODE_SCALAR && strstr(n->text, " row"))
        return kdo__scenario_fail(c, n, "window \"%s\": write ROWS n PRECEDING as \"n rows\"",
                                  n->text);
    int err = kdo__scenario_duration(c, n, "window", &c->p->window);
    return err ? err : kdo__scenario_limits(c, n, c->p->t, "window", c->p->window);
}

static int buffer(struct kdo__scenario_ctx *c, node *map)
{
    return kdo__scenario_walk(c, map, kdo__scenario_table(c, "application/buffer"), c->s);
}

/* A list of SQL texts (each kept by the scenario) into *out and *n. */
static int sql_list(struct kdo__scenario_ctx *c, node *seq, const char *item_hint,
                    const char *const **out, size_t *n)
{
    const char **items = kdo_xcalloc(seq->n ? seq->n : 1, sizeof *items);
    *out = items;
    for (size_t i = 0; i < seq->n; i++) {
        if (seq->items[i]->type != KDO_YNODE_SCALAR)
            return kdo__scenario_fail(c, seq->items[i], "%s", item_hint);
        items[i] = kdo__scenario_keep_string(c, seq->items[i]);
        (*n)++;
    }
    return 0;
}

static int select_list(struct kdo__scenario_ctx *c, node *seq)
{
    struct kdo_query_config *q = c->p->q;
    int err =
        kdo__scenario_want(c, seq, KDO_YNODE_SEQ, "a list of expressions, each \"EXPR [AS NAME]\"");
    if (err)
        return err;
    if (seq->n == 0)
        return kdo__scenario_fail(c, seq,
                                  "select needs at least one item (leave it out for every column)");
    return sql_list(c, seq, "a select item is an expression such as \"PRICE * 2 AS DOUBLED\"",
                    &q->select, &q->nselect);
}

/* application.partition_by: the GROUP BY / PARTITION BY keys, as SQL. */
static int partition_by(struct kdo__scenario_ctx *c, node *seq)
{
    struct kdo_query_config *q = c->p->q;
    int err = kdo__scenario_want(c, seq, KDO_YNODE_SEQ, "a list of keys, such as [TICKER_SYMBOL]");
    if (err)
        return err;
    if (c->p->kind == KDO_QUERY_CONTINUOUS)
        return kdo__scenario_fail(
            c, seq, "partition_by needs a window: query: tumbling, sliding or stagger");
    if ((err = kdo__scenario_limits(c, seq, c->p->t, "partition_by", (int64_t)seq->n)))
        return err;
    return sql_list(c, seq, "a key is a column or an expression such as "
                            "\"FLOOR(ROWTIME TO MINUTE)\"", &q->partition_by, &q->npartition);
}

int kdo__scenario_row_format(struct kdo__scenario_ctx *c, node *n, enum kdo_rowfmt_format *f)
{
    if (n->type != KDO_YNODE_SCALAR || kdo_rowfmt_format_parse(n->text, f) != 0)
        return kdo__scenario_fail(c, n, "a RecordFormatType is JSON or CSV");
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
static int pump_keys(struct kdo__scenario_ctx *c, node *map, int typed, int *has_query)
{
    struct kdo__scenario_pump *p = c->p;
    struct kdo_query_config *q = p->q;
    node *n;
    int err = 0;
    if ((n = kdo_ynode_get(map, "format")) &&
        (err = kdo__scenario_row_format(c, n, &q->output_format)))
        return err;
    if ((n = kdo_ynode_get(map, "where"))) {
        if (n->type != KDO_YNODE_SCALAR)
            return kdo__scenario_fail(c, n, "where: expected a condition such as \"CHANGE > 0\"");
        q->where = kdo__scenario_keep_string(c, n);
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
        return kdo__scenario_fail(c, kdo_ynode_get(map, "window"),
                                  "a window needs query: tumbling, sliding "
                                  "or stagger (this query is continuous)");
    /* Typed rows: the query runs the window; the byte-level one passes rows on. */
    q->window = p->kind;
    q->range_ms = p->window / KDO_MS;
    struct kdo_query *cq;
    struct kdo_errinfo qe = {0};
    if ((err = kdo_query_new(q, &cq, &qe)) != 0)
        return kdo__scenario_fail(c, query_error_node(map, qe.msg),
                                  "the query does not compile: %s", qe.msg);
    int64_t width = kdo_query_window_ms(cq);
    kdo_query_free(cq);
    if (p->window_set && !q->by_rows && width != q->range_ms)
        return kdo__scenario_fail(c, kdo_ynode_get(map, "window"),
                                  "window is %lld ms but partition_by's window "
                                  "over ROWTIME is %lld ms; give one of them",
                                  (long long)q->range_ms, (long long)width);
    return 0;
}

static void pump_init(struct kdo__scenario_pump *p, const struct kdo_format_map *t,
                      struct kdo_query_config *q, int is_main)
{
    memset(p, 0, sizeof *p);
    p->t = t;
    p->q = q;
    p->kind = KDO_QUERY_CONTINUOUS;
    p->window = KDO_MIN;
    p->is_main = is_main;
}

/* application.destinations: up to three, each its own pump and lane. */
static int destination(struct kdo__scenario_ctx *c, node *map, size_t i)
{
    struct kdo_scenario *s = c->s;
    struct kdo_sim_output *o = &s->sim.outputs[i];
    struct kdo__scenario_pump p;
    node *n;
    int err = kdo__scenario_check_keys(c, map, kdo__scenario_table(c, "application/destinations")),
        typed;
    struct kdo_query_config *q = &s->dest_query[i];
    *q = (struct kdo_query_config){.columns = s->query.columns, .types = s->query.types,
                                   .ncolumns = s->query.ncolumns,
                                   .input_format = s->query.input_format};
    pump_init(&p, kdo__scenario_table(c, "application/destinations"), q, 0);
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
            return kdo__scenario_fail(c, n,
                                      "id: expected an output Id such as \"1.2\" (digits.digits)");
        memcpy(o->id, n->text, n->len + 1);
        for (size_t k = 0; k < i; k++)
            if (strcmp(s->sim.outputs[k].id, o->id) == 0)
                return kdo__scenario_fail(c, n, "destination id \"%s\" is used twice", o->id);
    }
    if (err == 0 && c->s->sql) { /* the SQL says what it reads; no query here */
        err = kdo__scenario_sql_destination(c, map, i, &p.cadence, &p.cadence_set);
        o->query = q;
        o->delivery.cadence = p.cadence_set ? p.cadence : -1;
        return err;
    }
    if (err == 0 && (n = kdo_ynode_get(map, "stream")))
        return kdo__scenario_fail(c, n, "stream names the SQL stream a destination reads: it needs "
                                  "application.sql");
    if (err == 0 && (n = kdo_ynode_get(map, "query")))
        err = query(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "window")))
        err = window(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "cadence")) &&
        (err = kdo__scenario_duration(c, n, "cadence", &p.cadence)) == 0)
        p.cadence_set = 1;
    if (err == 0)
        err = pump_keys(c, map, 1, &typed);
    /* The lane: the application's delivery settings, with this one's cadence. */
    o->query = q;
    /* -1: delivery.cadence; -2: one invocation per window unless delivery.cadence is given. */
    o->delivery.cadence = p.cadence_set ? p.cadence : p.kind == KDO_QUERY_TUMBLING ? -2 : -1;
    return err;
}

int kdo__scenario_destinations(struct kdo__scenario_ctx *c, node *seq)
{
    /* the application's own query keys were refused already */
    const struct kdo_format_map *app = kdo__scenario_table(c, "application");
    const struct kdo_format_map *t = kdo__scenario_table(c, "application/destinations");
    const struct kdo_format_key *k = kdo_format_find(app, "destinations");
    const char *names[64];
    char what[400], keys[300];
    snprintf(what, sizeof what, "a list of up to %" PRId64 " destinations", k->max);
    int err = kdo__scenario_want(c, seq, KDO_YNODE_SEQ, what);
    if (err == 0)
        err = kdo__scenario_limits(c, seq, app, "destinations", (int64_t)seq->n);
    if (err == 0 && seq->n > KDO_APP_MAX_OUTPUTS) /* the engine's bound, should a table pass it */
        return kdo__scenario_fail(c, seq, "an application has at most %d destinations here",
                                  KDO_APP_MAX_OUTPUTS);
    kdo_format_names(t, names, sizeof names / sizeof names[0]);
    kdo__scenario_list_keys(names, keys, sizeof keys);
    snprintf(what, sizeof what, "a destination: %s", keys);
    for (size_t i = 0; i < seq->n && err == 0; i++) {
        if ((err = kdo__scenario_want(c, seq->items[i], KDO_YNODE_MAP, what)))
            break;
        err = destination(c, seq->items[i], i);
        c->s->ndest = c->s->sim.noutputs = i + 1;
    }
    return err;
}

int kdo__scenario_application(struct kdo__scenario_ctx *c, node *map)
{
    struct kdo_sim_config *sim = &c->s->sim;
    struct kdo__scenario_pump main;
    int err = kdo__scenario_walk(c, map, kdo__scenario_table(c, "application"), c->s), typed = 0,
        has_query = 0;
    node *n;
    char *arn = NULL;
    pump_init(&main, kdo__scenario_table(c, "application"), &c->s->query, 1);
    main.window = sim->app.window.size;
    c->p = &main;
    static const char *const own[] = {"query",  "window", "partition_by",
                                      "select", "where",  "format"};
    for (size_t i = 0; err == 0 && kdo_ynode_get(map, "destinations") && i < 6; i++)
        if (kdo_ynode_get(map, own[i]))
            return kdo__scenario_fail(c, kdo_ynode_get(map, own[i]),
                        "with destinations, %s goes in each destination", own[i]);
    static const char *const sql_only[] = {"name_prefix", "parallelism", "source_stream"};
    for (size_t i = 0; err == 0 && !kdo_ynode_get(map, "sql") && i < 3; i++)
        if (kdo_ynode_get(map, sql_only[i]))
            return kdo__scenario_fail(c, kdo_ynode_get(map, sql_only[i]),
                                      "%s names the input streams the SQL reads: it needs "
                                      "application.sql", sql_only[i]);
    if (err == 0 && !kdo_ynode_get(map, "sql") && (n = kdo_ynode_get(map, "reference")))
        return kdo__scenario_fail(c, n, "reference tables are read by the application's SQL (a "
                                  "JOIN): they need application.sql");
    for (size_t i = 0; err == 0 && kdo_ynode_get(map, "source_stream") && i < 2; i++)
        if (kdo_ynode_get(map, sql_only[i]))
            return kdo__scenario_fail(c, kdo_ynode_get(map, sql_only[i]),
                                      "%s makes KDA's input stream names, and source_stream "
                                      "names the one input stream itself: keep one of them",
                                      sql_only[i]);
    if (err == 0 && kdo_ynode_get(map, "sql")) /* before they are read as a query */
        err = kdo__scenario_sql_structured(c, map);
    if (err == 0 && (n = kdo_ynode_get(map, "arn")) &&
        (err = kdo__scenario_text(c, n, "arn", &arn)) == 0)
        sim->delivery.application_arn = arn; /* freed with the scenario */
    if (err == 0 && (n = kdo_ynode_get(map, "query")))
        err = query(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "window")))
        err = window(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "buffer")))
        err = buffer(c, n);
    /* The schema first: a CSV file without a header is checked against it. */
    if (err == 0 && (n = kdo_ynode_get(map, "schema")))
        err = kdo__scenario_input_schema(c, n);
    if (err == 0 && (n = kdo_ynode_get(map, "input"))) {
        c->input_set = 1;
        err = kdo__scenario_input(c, n);
    }
    if (err == 0)
        err = kdo__scenario_input_keys(c, map, &typed);
    if (err == 0 && kdo_ynode_get(map, "sql")) {
        c->kind = KDO_QUERY_CONTINUOUS;
        return kdo__scenario_sql(c, map, kdo_ynode_get(map, "destinations"));
    }
    if (err == 0 && (n = kdo_ynode_get(map, "destinations"))) {
        err = kdo__scenario_destinations(c, n);
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

/* ---- delivery ------------------------------------------------------------------------ */

int kdo__scenario_delivery(struct kdo__scenario_ctx *c, node *map)
{
    int err = kdo__scenario_walk(c, map, kdo__scenario_table(c, "delivery"), c->s);
    c->cadence_set |= kdo_ynode_get(map, "cadence") != NULL;
    c->invoke_timeout_set |= kdo_ynode_get(map, "invoke_timeout") != NULL;
    return err;
}

