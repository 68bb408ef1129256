/*
 * query.c -- a query's lifecycle: the input schema (declared columns, or a
 * typed stream's), and the structured (text) form made into the same
 * SELECT tree the SQL form gives, so both compile through one plan
 * (query-plan.c) and run the same way (query-run.c).
 *
 * The structured form's fragments (`where`, each `select` item, each
 * `partition_by` key) are parsed one by one, so an error's line:column is
 * within the fragment, and its message names it ("select X: ...").  Its
 * window comes from the configuration: every aggregate is over it.
 */
#include "sql/query.h"

#include "base/arena.h"
#include "base/bounds.h"
#include "sql/parse.h"
#include "sql/query-int.h"
#include "sql/row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const demo_columns[] = {"TICKER_SYMBOL", "SECTOR", "CHANGE", "PRICE"};
static const char *const demo_types[] = {"VARCHAR(4)", "VARCHAR(16)", "REAL", "REAL"};

/* "VARCHAR(4)", "REAL" ... */
/* Adds the column `name` (resolved, kept as is) to s. */
static int add_resolved(struct kdo_row_schema *s, const struct kdo_row_column *col,
                        struct kdo_errinfo *err)
{
    char quoted[2 * KDO_ROW_MAX_NAME + 3];
    size_t n = 0;
    quoted[n++] = '"';
    for (const char *p = col->name; *p; p++) {
        if (*p == '"')
            quoted[n++] = '"';
        quoted[n++] = *p;
    }
    quoted[n++] = '"';
    return kdo_row_schema_add_type(s, quoted, n, col, err);
}

static int implicit_name(const char *name)
{
    return strcmp(name, "ROWTIME") == 0 || strcmp(name, "APPROXIMATE_ARRIVAL_TIME") == 0;
}

/* The typed input: input_schema's columns as they are. */
static int build_typed_input(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_row_schema *s = q->cfg.input_schema;
    if (q->cfg.rowtime_copies) {
        q->nrowtime_copy = kdo_row_schema_count(s);
        q->rowtime_copy = kdo_xmalloc(q->nrowtime_copy + 1);
        memcpy(q->rowtime_copy, q->cfg.rowtime_copies, q->nrowtime_copy);
        q->cfg.rowtime_copies = NULL; /* borrowed for kdo_query_new only */
    }
    for (size_t i = 0; i < kdo_row_schema_count(s); i++) {
        const struct kdo_row_column *col = kdo_row_schema_column(s, i);
        if (implicit_name(col->name))
            return kdo_errinfo_set(err, KDO_ESCHEMA, q->cfg.file, 0, 0, "column %s: the name is "
                                   "KDA's own (every in-application stream has it)", col->name);
        int rc = add_resolved(q->in_schema, col, err);
        if (rc == 0)
            rc = add_resolved(q->read_schema, col, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int build_input(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_query_config *c = &q->cfg;
    if (c->input_schema) {
        q->in_schema = kdo_row_schema_new();
        q->read_schema = kdo_row_schema_new();
        int rc = build_typed_input(q, err);
        if (rc)
            return rc;
        goto implicit;
    }
    const char *const *cols = c->ncolumns ? c->columns : demo_columns;
    const char *const *types = c->ncolumns ? c->types : demo_types;
    size_t n = c->ncolumns ? c->ncolumns : 4;
    q->in_schema = kdo_row_schema_new();
    q->read_schema = kdo_row_schema_new();
    for (size_t i = 0; i < n; i++) {
        struct kdo_row_column t;
        if (kdo_row_parse_type(types[i], &t, NULL) != 0)
            return kdo_errinfo_set(err, KDO_EINVAL, NULL, 0, 0, "column %s: unknown type \"%s\" "
                                   "(expected VARCHAR(n) with n from 1 to 65535, BIGINT, INTEGER, "
                                   "SMALLINT, TINYINT, REAL, DOUBLE, FLOAT, DECIMAL[(p[,s])] with "
                                   "p up to 18, BOOLEAN or TIMESTAMP)", cols[i], types[i]);
        char name[KDO_ROW_MAX_NAME + 1];
        if (kdo_row_resolve_name(cols[i], strlen(cols[i]), name) == 0 && implicit_name(name))
            return kdo_errinfo_set(err, KDO_ESCHEMA, NULL, 0, 0, "column %s: the name is KDA's "
                                   "own (every in-application stream has ROWTIME and "
                                   "APPROXIMATE_ARRIVAL_TIME); rename the column", cols[i]);
        int rc = kdo_row_schema_add_type(q->in_schema, cols[i], strlen(cols[i]), &t, err);
        if (rc == 0)
            rc = kdo_row_schema_add_type(q->read_schema, cols[i], strlen(cols[i]), &t, err);
        if (rc)
            return rc;
    }
implicit:
    /* The implicit columns every in-application stream has. */
    kdo_row_schema_add(q->in_schema, "ROWTIME", 7, KDO_TYPE_TIMESTAMP, 0, NULL);
    kdo_row_schema_add(q->in_schema, "APPROXIMATE_ARRIVAL_TIME", 24, KDO_TYPE_TIMESTAMP, 0, NULL);
    q->rowtime_col = kdo_row_schema_find(q->in_schema, "ROWTIME", 7);
    q->arrival_col = kdo_row_schema_find(q->in_schema, "APPROXIMATE_ARRIVAL_TIME", 24);
    return 0;
}

/* Splits "EXPR AS NAME": the last AS outside quotes and parentheses
 * (CAST(x AS BIGINT) keeps its AS), case-insensitive; NAME may be quoted
 * ("Price" keeps its case).  Returns EXPR's length and sets *alias. */
static size_t split_alias(const char *s, const char **alias)
{
    size_t n = strlen(s), at = n;
    int depth = 0;
    char quote = 0;
    *alias = NULL;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (quote) {
            quote = c == quote ? 0 : quote; /* a doubled quote reopens at once */
            continue;
        }
        if (c == '\'' || c == '"')
            quote = c;
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        if (depth == 0 && i > 0 && i + 3 < n && (s[i] == 'A' || s[i] == 'a') &&
            (s[i + 1] == 'S' || s[i + 1] == 's') && (s[i - 1] == ' ' || s[i - 1] == '\t') &&
            (s[i + 2] == ' ' || s[i + 2] == '\t'))
            at = i;
    }
    if (at == n)
        return n;
    *alias = s + at + 2;
    while (**alias == ' ' || **alias == '\t')
        (*alias)++;
    size_t len = at;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    return len;
}

/* Whether key text is the STEP/FLOOR over ROWTIME that makes a tumbling window (the
 * default select list shows ROWTIME instead). */
static int time_bucket_text(struct kdo_query *q, const char *text)
{
    struct kdo_expr *x = NULL;
    int col;
    int64_t w;
    int r = q->cfg.window == KDO_QUERY_TUMBLING &&
            kdo_expr_compile(text, strlen(text), q->in_schema, &x, NULL) == 0 &&
            kdo_expr_time_bucket(x, &col, &w) && col == q->rowtime_col;
    kdo_expr_free(x);
    return r;
}

/* The select list used when none is given with a window: the keys and the row count
 * -- and, for sliding, every input column first. */
static void default_select(struct kdo_query *q)
{
    const struct kdo_query_config *c = &q->cfg;
    size_t nin = kdo_row_schema_count(q->read_schema), n = 0;
    q->default_select = kdo_xcalloc(nin + c->npartition + 2, sizeof *q->default_select);
    if (c->window == KDO_QUERY_SLIDING) {
        for (size_t i = 0; i < nin; i++) {
            const char *name = kdo_row_schema_column(q->read_schema, i)->name;
            size_t len = strlen(name) + 8;
            q->default_select[n] = kdo_xmalloc(len);
            snprintf(q->default_select[n++], len, "\"%s\"", name);
        }
        q->default_select[n++] = kdo_xstrdup("COUNT(*) AS ROWS_IN_WINDOW");
    } else {
        q->default_select[n++] = kdo_xstrdup("ROWTIME");
        for (size_t i = 0; i < c->npartition; i++)
            if (!time_bucket_text(q, c->partition_by[i]))
                q->default_select[n++] = kdo_xstrdup(c->partition_by[i]);
        q->default_select[n++] = kdo_xstrdup("COUNT(*) AS ROW_COUNT");
    }
    q->ndefault = n;
    q->cfg.select = (const char *const *)q->default_select;
    q->cfg.nselect = n;
}

static void *ast_new(struct kdo_query *q, size_t n)
{
    void *p = kdo_ast_alloc(&q->ast, n);
    if (p == NULL) /* the arena's maximum is far above what any configuration needs */
        abort();
    return p;
}

/* Parses fragment text (what: "select", "partition_by" or NULL for where). */
static int fragment(struct kdo_query *q, const char *what, const char *text, size_t len,
                    struct kdo_ast_expr **out, struct kdo_errinfo *err)
{
    int rc = kdo_sql_parse_expr(NULL, text, len, &q->ast, out, err);
    if (rc && what) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        kdo_errinfo_set(err, rc, NULL, err->line, err->column, "%s %.*s: %s", what, (int)len,
                        text, msg);
    }
    return rc;
}

static int legacy_item(struct kdo_query *q, size_t i, struct kdo_ast_item *it,
                       struct kdo_errinfo *err)
{
    const char *text = q->cfg.select[i], *alias;
    size_t len = split_alias(text, &alias);
    char name[KDO_ROW_MAX_NAME + 1];
    const char *s;
    if (kdo_arena_dup(&q->ast, text, len, &q->item_text[i]) != 0)
        abort();
    int rc = fragment(q, "select", text, len, &it->expr, err);
    if (rc)
        return rc;
    if (alias == NULL)
        return 0;
    if (kdo_row_resolve_name(alias, strlen(alias), name) != 0)
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, (int)(alias - text) + 1, "select %s: "
                               "bad column name %s", text, alias);
    if (kdo_arena_dup(&q->ast, name, strlen(name), &s) != 0)
        abort();
    it->alias = (struct kdo_ast_ident){s, strlen(s), 1, (int)(alias - text) + 1};
    return 0;
}

/* The structured form as a SELECT tree: FROM SOURCE_SQL_STREAM_001, WHERE, the items,
 * and the keys as GROUP BY (the plan reads them per window kind). */
static int legacy_select(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_query_config *c = &q->cfg;
    struct kdo_ast_select *s = ast_new(q, sizeof *s);
    struct kdo_ast_from *f = ast_new(q, sizeof *f);
    int rc = 0;
    s->stream = true;
    s->from = f;
    f->stream.n = 1;
    f->stream.part[0] = (struct kdo_ast_ident){"SOURCE_SQL_STREAM_001", 21, 1, 1};
    q->sel = s;
    if (c->npartition > 0 && c->window == KDO_QUERY_CONTINUOUS)
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "partition_by needs a window "
                               "(tumbling, sliding or stagger)");
    if (c->where && (rc = fragment(q, NULL, c->where, strlen(c->where), &s->where, err)))
        return rc;
    struct kdo_ast_expr **key = &s->group_by;
    q->key_text = kdo_xcalloc(c->npartition + 1, sizeof *q->key_text);
    for (size_t i = 0; i < c->npartition; i++) {
        q->key_text[i] = c->partition_by[i];
        if ((rc = fragment(q, "partition_by", c->partition_by[i], strlen(c->partition_by[i]),
                           key, err)))
            return rc;
        key = &(*key)->next;
    }
    if (c->select == NULL && c->window != KDO_QUERY_CONTINUOUS)
        default_select(q);
    struct kdo_ast_item **tail = &s->items;
    q->item_text = kdo_xcalloc(q->cfg.nselect + 1, sizeof *q->item_text);
    if (q->cfg.select == NULL) { /* every input column */
        struct kdo_ast_item *it = ast_new(q, sizeof *it);
        it->expr = ast_new(q, sizeof *it->expr);
        it->expr->kind = KDO_AST_STAR;
        *tail = it;
        return 0;
    }
    for (size_t i = 0; i < q->cfg.nselect && rc == 0; i++) {
        struct kdo_ast_item *it = ast_new(q, sizeof *it);
        rc = legacy_item(q, i, it, err);
        *tail = it;
        tail = &it->next;
    }
    return rc;
}

static int make_rows(struct kdo_query *q)
{
    q->row_acc = kdo_xcalloc(q->naggs ? q->naggs : 1, sizeof *q->row_acc);
    q->parts = kdo_partitions_new(sizeof(struct kdo__query_part) +
                                  q->naggs * sizeof(struct kdo_agg_acc), KDO_QUERY_MAX_PARTITIONS);
    q->read = kdo_row_new(q->read_schema);
    q->in = kdo_row_new(q->in_schema);
    q->out = kdo_row_new(q->out_schema);
    q->grp = q->grp_schema ? kdo_row_new(q->grp_schema) : NULL;
    /* CURRENT_TIMESTAMP: the query started with the application, at t = 0. */
    kdo_row_set_start(q->in, q->cfg.epoch_ms);
    if (q->grp)
        kdo_row_set_start(q->grp, q->cfg.epoch_ms);
    q->last_rowtime = INT64_MIN;
    q->bucket_value = INT64_MIN;
    return 0;
}

int kdo_query_new(const struct kdo_query_config *c, struct kdo_query **out,
                  struct kdo_errinfo *err)
{
    struct kdo_query *q = kdo_xcalloc(1, sizeof *q);
    int rc = 0;
    q->cfg = *c;
    q->time_key = -1;
    q->distinct_bucket = -1;
    kdo_arena_init(&q->ast, 16 * 1024 * 1024);
    kdo_arena_init(&q->scratch, 4 * KDO_MAX_ROW_BYTES);
    kdo_buf_init(&q->text, KDO_MAX_ROW_BYTES);
    kdo_buf_init(&q->data_row, 2 * KDO_MAX_ROW_BYTES);
    q->reader = kdo_rowfmt_reader_new(0);
    if (c->select_ast == NULL && (unsigned)c->window > KDO_QUERY_STAGGER)
        rc = kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "unknown window kind %d", (int)c->window);
    if (rc == 0)
        rc = build_input(q, err);
    if (rc == 0 && c->select_ast)
        q->sel = c->select_ast;
    else if (rc == 0)
        rc = legacy_select(q, err);
    if (rc == 0)
        rc = kdo__query_plan(q, err);
    if (rc != 0) {
        kdo_query_free(q);
        return rc;
    }
    make_rows(q);
    *out = q;
    return 0;
}

static void free_exprs(struct kdo_expr **x, size_t n)
{
    for (size_t i = 0; x && i < n; i++)
        kdo_expr_free(x[i]);
    free(x);
}

static void free_wins(struct kdo_query *q)
{
    for (size_t i = 0; i < q->nwins; i++) {
        struct kdo__query_win *w = &q->wins[i];
        free_exprs(w->keys, w->nkeys);
        kdo_partitions_free(w->parts, kdo__query_part_fini);
        free(w->aggs);
        free(w->fns);
        free(w->fnis);
        free(w->vals);
        free(w->acc);
    }
    free(q->wins);
}

static void free_strings(char **s, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

void kdo_query_free(struct kdo_query *q)
{
    if (q == NULL)
        return;
    free_exprs(q->items, q->nitems);
    free_strings(q->item_name, q->nitems);
    free(q->item_ast);
    free(q->item_is_rowtime);
    free(q->rowtime_copy);
    for (size_t i = 0; i < q->naggs; i++)
        kdo_expr_free(q->aggs[i].arg);
    free(q->aggs);
    for (size_t i = 0; i < q->nfns; i++) {
        kdo_expr_free(q->fns[i].arg);
        kdo_expr_free(q->fns[i].dflt);
    }
    free(q->fns);
    free_wins(q);
    free_exprs(q->keys, q->nkeys);
    free_strings(q->key_print, q->nkeys);
    free(q->key_ast);
    free_strings(q->default_select, q->ndefault);
    free(q->item_text);
    free(q->key_text);
    kdo_partitions_free(q->parts, kdo__query_part_fini);
    kdo_partitions_free(q->seen, NULL);
    free(q->keybuf);
    free(q->row_acc);
    kdo_expr_free(q->where);
    kdo_expr_free(q->having);
    kdo_row_free(q->read);
    kdo_row_free(q->in);
    kdo_row_free(q->out);
    kdo_row_free(q->grp);
    kdo_row_schema_free(q->read_schema);
    kdo_row_schema_free(q->in_schema);
    kdo_row_schema_free(q->out_schema);
    kdo_row_schema_free(q->grp_schema);
    kdo_rowfmt_reader_free(q->reader);
    kdo_arena_cleanup(&q->ast);
    kdo_arena_cleanup(&q->scratch);
    kdo_buf_cleanup(&q->text);
    kdo_buf_cleanup(&q->data_row);
    free(q);
}

int64_t kdo_query_window_ms(const struct kdo_query *q)
{
    return q->cfg.by_rows ? 0 : q->width_ms;
}

int kdo_query_folds(const struct kdo_query *q)
{
    return q->shape == KDO__SHAPE_GROUPED;
}
