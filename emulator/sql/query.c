/*
 * query.c -- compiling and running a query: continuous, tumbling, sliding
 * or stagger.
 *
 * Both rows (input and output) are reused between calls, and expression
 * strings go to a scratch arena reset per row, so a continuous query
 * allocates nothing per row once warm.  A windowed query keeps one entry
 * per partition (partition.h), keyed by the bytes of its key values: a
 * type tag, then 8 bytes for a number or timestamp, 1 for a boolean, or a
 * 4-byte length and the text.  Times inside are run times (kdo_time_ns);
 * values shown to SQL are wall-clock milliseconds, epoch_ms + t.
 */
#include "sql/query.h"
#include "sql/query-int.h"

#include "base/arena.h"
#include "base/bounds.h"
#include "base/buf.h"
#include "sql/aggregate.h"
#include "sql/expr.h"
#include "sql/partition.h"
#include "sql/row.h"
#include "sql/slide.h"
#include "sql/value.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What a SELECT item is. */
enum item_kind {
    ITEM_EXPR,    /* an expression over the current row (continuous, sliding) */
    ITEM_AGG,     /* aggregate `index` */
    ITEM_KEY,     /* partition key `index` */
    ITEM_ROWTIME, /* the output row's ROWTIME: a window's end or close */
};

struct item {
    enum item_kind kind;
    size_t index;
};

/* A partition's state; the accumulators follow it. */
struct part {
    kdo_time_ns opened;    /* stagger: the ROWTIME of the window's first row; sliding: the last */
    struct kdo_slide *slide; /* sliding */
    struct kdo_agg_acc acc[];
};

struct kdo_query {
    struct kdo_query_config cfg;
    struct item *items;
    /* Aggregates: their functions and argument expressions (NULL: COUNT(*)). */
    struct kdo_agg *aggs;
    struct kdo_expr **args;
    struct kdo_agg_acc *row_acc; /* one row's contribution */
    size_t naggs;
    /* Keys; `time_key` is the STEP/FLOOR over ROWTIME of a tumbling query
     * (not part of the partition's key bytes), or -1. */
    struct kdo_expr **keys;
    enum kdo_type *key_types;
    int time_key;
    kdo_time_ns range;
    int64_t width_ms;
    struct kdo_partitions *parts;
    char *keybuf;
    size_t keycap;
    /* tumbling: the open window */
    int window_open;
    int64_t window_start_ms;
    kdo_time_ns last_rowtime;
    size_t slide_rows; /* rows held by every sliding window together */
    char **default_select; /* the select list made when none is given */
    /* Rows are read with the declared columns (`read`), then copied into `in`,
     * which adds the implicit ROWTIME and APPROXIMATE_ARRIVAL_TIME. */
    struct kdo_row_schema *read_schema, *in_schema, *out_schema;
    struct kdo_row *read, *in, *out;
    struct kdo_expr *where;
    struct kdo_expr **select; /* ITEM_EXPR items' expressions (else NULL) */
    size_t nselect;
    int rowtime_col, arrival_col;
    struct kdo_rowfmt_reader *reader;
    struct kdo_arena scratch;
    struct kdo_buf text;
    struct kdo_buf data_row; /* a typed input row as JSON, for the error stream */
    struct kdo__query_texts texts; /* the configuration made from select_ast */
};

static const char *const demo_columns[] = {"TICKER_SYMBOL", "SECTOR", "CHANGE", "PRICE"};
static const char *const demo_types[] = {"VARCHAR(4)", "VARCHAR(16)", "REAL", "REAL"};

/* "VARCHAR(4)", "REAL" ... */
static int parse_type(const char *t, enum kdo_type *type, size_t *len)
{
    static const struct {
        const char *name;
        enum kdo_type type;
    } names[] = {
        {"BIGINT", KDO_TYPE_BIGINT},   {"INTEGER", KDO_TYPE_BIGINT},    {"INT", KDO_TYPE_BIGINT},
        {"SMALLINT", KDO_TYPE_BIGINT}, {"TINYINT", KDO_TYPE_BIGINT},    {"REAL", KDO_TYPE_DOUBLE},
        {"DOUBLE", KDO_TYPE_DOUBLE},   {"FLOAT", KDO_TYPE_DOUBLE},      {"DECIMAL", KDO_TYPE_DOUBLE},
        {"BOOLEAN", KDO_TYPE_BOOLEAN}, {"TIMESTAMP", KDO_TYPE_TIMESTAMP},
    };
    unsigned n;
    char extra;
    *len = 0;
    if (sscanf(t, "VARCHAR(%u)%c", &n, &extra) == 1 || sscanf(t, "varchar(%u)%c", &n, &extra) == 1) {
        *type = KDO_TYPE_VARCHAR;
        *len = n;
        return n >= 1 && n <= 65535 ? 0 : KDO_EINVAL;
    }
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(t, names[i].name) == 0) {
            *type = names[i].type;
            return 0;
        }
    return KDO_EINVAL;
}

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
    return kdo_row_schema_add(s, quoted, n, col->type, col->max_len, err);
}

static int implicit_name(const char *name)
{
    return strcmp(name, "ROWTIME") == 0 || strcmp(name, "APPROXIMATE_ARRIVAL_TIME") == 0;
}

/* The typed input: input_schema's columns as they are. */
static int build_typed_input(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_row_schema *s = q->cfg.input_schema;
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
        enum kdo_type t;
        size_t len;
        if (parse_type(types[i], &t, &len) != 0)
            return kdo_errinfo_set(err, KDO_EINVAL, NULL, 0, 0, "column %s: unknown type \"%s\" "
                                   "(expected VARCHAR(n) with n from 1 to 65535, BIGINT, INTEGER, "
                                   "REAL, DOUBLE, BOOLEAN or TIMESTAMP)", cols[i], types[i]);
        char name[KDO_ROW_MAX_NAME + 1];
        if (kdo_row_resolve_name(cols[i], strlen(cols[i]), name) == 0 && implicit_name(name))
            return kdo_errinfo_set(err, KDO_ESCHEMA, NULL, 0, 0, "column %s: the name is KDA's "
                                   "own (every in-application stream has ROWTIME and "
                                   "APPROXIMATE_ARRIVAL_TIME); rename the column", cols[i]);
        int rc = kdo_row_schema_add(q->in_schema, cols[i], strlen(cols[i]), t, len, err);
        if (rc == 0)
            rc = kdo_row_schema_add(q->read_schema, cols[i], strlen(cols[i]), t, len, err);
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

/* SQL text compared as KDA would match a GROUP BY key: case and spaces
 * outside quotes do not count. */
static void normalize(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    char quote = 0;
    for (size_t i = 0; i < n && o + 1 < cap; i++) {
        char c = s[i];
        if (quote) {
            quote = c == quote ? 0 : quote;
        } else if (c == '\'' || c == '"') {
            quote = c;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        } else {
            c = (char)toupper((unsigned char)c);
        }
        out[o++] = c;
    }
    out[o] = 0;
}

static int same_text(const char *a, size_t an, const char *b, size_t bn)
{
    char x[512], y[512];
    if (an >= sizeof x || bn >= sizeof y)
        return 0;
    normalize(a, an, x, sizeof x);
    normalize(b, bn, y, sizeof y);
    return strcmp(x, y) == 0;
}

/* Prefixes err's sentence with what it was about ("select X: ..."). */
static int blame(struct kdo_errinfo *err, int rc, int column_shift, const char *what, size_t n,
                 const char *text)
{
    char msg[sizeof err->msg];
    memcpy(msg, err->msg, sizeof msg);
    return kdo_errinfo_set(err, rc, NULL, err->line ? err->line : 1, err->column + column_shift,
                           "%s %.*s: %s", what, (int)n, text, msg);
}

static const char *const window_names[] = {"continuous", "tumbling", "sliding", "stagger"};

static int build_keys(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_query_config *c = &q->cfg;
    q->time_key = -1;
    q->keys = kdo_xcalloc(c->npartition ? c->npartition : 1, sizeof *q->keys);
    q->key_types = kdo_xcalloc(c->npartition ? c->npartition : 1, sizeof *q->key_types);
    if (c->npartition > 0 && c->window == KDO_QUERY_CONTINUOUS)
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "partition_by needs a window "
                               "(tumbling, sliding or stagger)");
    for (size_t i = 0; i < c->npartition; i++) {
        const char *t = c->partition_by[i];
        int rc = kdo_expr_compile(t, strlen(t), q->in_schema, &q->keys[i], err);
        if (rc)
            return blame(err, rc, 0, "partition_by", strlen(t), t);
        q->key_types[i] = kdo_expr_type(q->keys[i]);
        int col;
        int64_t w;
        if (c->window == KDO_QUERY_TUMBLING && kdo_expr_time_bucket(q->keys[i], &col, &w) &&
            col == q->rowtime_col) {
            if (q->time_key >= 0)
                return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "partition_by has two windows "
                                       "over ROWTIME (%s and %s)",
                                       c->partition_by[q->time_key], t);
            q->time_key = (int)i;
            q->width_ms = w;
        }
    }
    if (c->window != KDO_QUERY_CONTINUOUS && q->time_key < 0) {
        if (c->window == KDO_QUERY_SLIDING && c->by_rows) {
            if (c->rows > KDO_MAX_PRECEDING_ROWS)
                return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "ROWS %llu PRECEDING: at most "
                                       "%llu rows", (unsigned long long)c->rows,
                                       (unsigned long long)KDO_MAX_PRECEDING_ROWS);
        } else if (c->range_ms < 1 || c->range_ms > KDO_EXPR_MAX_STEP_MS) {
            return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "a %s window needs a range from "
                                   "1 ms to 366 days", window_names[c->window]);
        }
        q->width_ms = c->range_ms;
    }
    if (c->width_divisor > 1 && q->width_ms > 1)
        q->width_ms /= c->width_divisor;
    q->range = q->width_ms * KDO_MS;
    return 0;
}

/* The select list used when none is given: every input column
 * (continuous); with a window, the keys and the row count -- and, for
 * sliding, every input column first. */
static void default_select(struct kdo_query *q)
{
    const struct kdo_query_config *c = &q->cfg;
    size_t nin = kdo_row_schema_count(q->in_schema) - 2, n = 0;
    if (c->window == KDO_QUERY_CONTINUOUS)
        return; /* build_select's own default keeps the columns' case */
    q->default_select = kdo_xcalloc(nin + c->npartition + 2, sizeof *q->default_select);
    if (c->window == KDO_QUERY_SLIDING) {
        for (size_t i = 0; i < nin; i++) {
            const char *name = kdo_row_schema_column(q->in_schema, i)->name;
            size_t len = strlen(name) + 8;
            q->default_select[n] = kdo_xmalloc(len);
            snprintf(q->default_select[n++], len, "\"%s\"", name);
        }
        q->default_select[n++] = kdo_xstrdup("COUNT(*) AS ROWS_IN_WINDOW");
    } else {
        q->default_select[n++] = kdo_xstrdup("ROWTIME");
        for (size_t i = 0; i < c->npartition; i++)
            if ((int)i != q->time_key)
                q->default_select[n++] = kdo_xstrdup(c->partition_by[i]);
        q->default_select[n++] = kdo_xstrdup("COUNT(*) AS ROW_COUNT");
    }
    q->cfg.select = (const char *const *)q->default_select;
    q->cfg.nselect = n;
}

/* Compiles one select item text[0..len) into item i; sets *type, *max. */
static int build_item(struct kdo_query *q, size_t i, const char *text, size_t len,
                      enum kdo_type *type, size_t *max, struct kdo_errinfo *err)
{
    const struct kdo_query_config *c = &q->cfg;
    enum kdo_agg_fn fn;
    size_t off, alen;
    int rc;
    *max = 0;
    if (kdo_agg_parse(text, len, &fn, &off, &alen)) {
        if (c->window == KDO_QUERY_CONTINUOUS)
            return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "select %.*s: an aggregate needs a "
                                   "window (tumbling, sliding or stagger)", (int)len, text);
        size_t a = q->naggs++;
        q->aggs = kdo_xrealloc(q->aggs, q->naggs * sizeof *q->aggs);
        q->args = kdo_xrealloc(q->args, q->naggs * sizeof *q->args);
        q->args[a] = NULL;
        enum kdo_type t = KDO_TYPE_NULL;
        if (alen > 0) {
            if ((rc = kdo_expr_compile(text + off, alen, q->in_schema, &q->args[a], err)))
                return blame(err, rc, (int)off, "select", len, text);
            t = kdo_expr_type(q->args[a]);
            if (t == KDO_TYPE_NULL && fn == KDO_AGG_COUNT)
                t = KDO_TYPE_VARCHAR; /* COUNT(NULL) counts no values; NULL means COUNT(*) */
        }
        if ((rc = kdo_agg_init(&q->aggs[a], fn, t, err))) {
            err->column = (int)off + 1;
            return blame(err, rc, 0, "select", len, text);
        }
        q->items[i] = (struct item){ITEM_AGG, a};
        *type = kdo_agg_type(&q->aggs[a]);
        return 0;
    }
    if (c->window == KDO_QUERY_TUMBLING || c->window == KDO_QUERY_STAGGER) {
        if (same_text(text, len, "ROWTIME", 7)) {
            q->items[i] = (struct item){ITEM_ROWTIME, 0};
            *type = KDO_TYPE_TIMESTAMP;
            return 0;
        }
        for (size_t k = 0; k < c->npartition; k++)
            if (same_text(text, len, c->partition_by[k], strlen(c->partition_by[k]))) {
                q->items[i] = (struct item){ITEM_KEY, k};
                *type = q->key_types[k];
                *max = kdo_expr_max_len(q->keys[k]);
                return 0;
            }
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "select %.*s: in a %s window an item "
                               "is an aggregate (COUNT, SUM, AVG, MIN, MAX), ROWTIME or one of "
                               "the partition_by keys, written the same way", (int)len, text,
                               window_names[c->window]);
    }
    if ((rc = kdo_expr_compile(text, len, q->in_schema, &q->select[i], err)))
        return rc;
    q->items[i] = (struct item){ITEM_EXPR, 0};
    *type = kdo_expr_type(q->select[i]);
    *max = kdo_expr_max_len(q->select[i]);
    return 0;
}

static int build_select(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_query_config *c = &q->cfg;
    size_t nin = kdo_row_schema_count(q->in_schema) - 2; /* not the implicit columns */
    q->nselect = c->select ? c->nselect : nin;
    q->select = kdo_xcalloc(q->nselect ? q->nselect : 1, sizeof *q->select);
    q->items = kdo_xcalloc(q->nselect ? q->nselect : 1, sizeof *q->items);
    q->out_schema = kdo_row_schema_new();
    for (size_t i = 0; i < q->nselect; i++) {
        const char *alias = NULL, *text;
        char name[80], quoted[80], plain[KDO_ROW_MAX_NAME + 1];
        size_t len, max = 0;
        enum kdo_type t = KDO_TYPE_NULL;
        if (c->select) {
            text = c->select[i];
            len = split_alias(text, &alias);
        } else { /* the column itself, quoted so its case is kept */
            snprintf(quoted, sizeof quoted, "\"%s\"", kdo_row_schema_column(q->in_schema, i)->name);
            text = quoted;
            len = strlen(text);
            alias = kdo_row_schema_column(q->in_schema, i)->name;
        }
        int rc = build_item(q, i, text, len, &t, &max, err);
        if (rc)
            return rc;
        if (alias && !c->select)
            snprintf(name, sizeof name, "\"%s\"", alias); /* as declared */
        else if (alias)
            snprintf(name, sizeof name, "%s", alias);
        else if (kdo_row_schema_find(q->in_schema, text, len) >= 0 || !c->select ||
                 (q->items[i].kind != ITEM_AGG && kdo_row_resolve_name(text, len, plain) == 0))
            snprintf(name, sizeof name, "%.*s", (int)(len < 79 ? len : 79), text);
        else
            snprintf(name, sizeof name, "EXPR$%zu", i); /* Calcite's name for an unnamed column */
        if (t == KDO_TYPE_NULL)
            t = KDO_TYPE_VARCHAR;
        if ((rc = kdo_row_schema_add(q->out_schema, name, strlen(name), t, max ? max : 65535, err)))
            return rc;
    }
    return 0;
}

static void part_fini(void *payload)
{
    kdo_slide_free(((struct part *)payload)->slide);
}

int kdo_query_new(const struct kdo_query_config *c, struct kdo_query **out,
                  struct kdo_errinfo *err)
{
    struct kdo_query *q = kdo_xcalloc(1, sizeof *q);
    int rc;
    q->cfg = *c;
    kdo_arena_init(&q->scratch, 4 * KDO_MAX_ROW_BYTES);
    kdo_buf_init(&q->text, KDO_MAX_ROW_BYTES);
    kdo_buf_init(&q->data_row, 2 * KDO_MAX_ROW_BYTES);
    kdo__query_texts_init(&q->texts);
    q->reader = kdo_rowfmt_reader_new(0);
    rc = c->select_ast ? kdo__query_from_ast(c, &q->cfg, &q->texts, err) : 0;
    c = &q->cfg;
    if (rc == 0 && (unsigned)c->window > KDO_QUERY_STAGGER)
        rc = kdo_errinfo_set(err, KDO_EINVAL, NULL, 1, 1, "unknown window kind %d", (int)c->window);
    else if (rc == 0)
        rc = build_input(q, err);
    if (rc == 0 && c->where)
        rc = kdo_expr_compile(c->where, strlen(c->where), q->in_schema, &q->where, err);
    if (rc == 0 && q->where && kdo_expr_type(q->where) != KDO_TYPE_BOOLEAN)
        rc = kdo_errinfo_set(err, KDO_ESCHEMA, NULL, 1, 1, "where: the condition is %s, not "
                             "BOOLEAN", kdo_type_name(kdo_expr_type(q->where)));
    if (rc == 0)
        rc = build_keys(q, err);
    if (rc == 0 && c->select == NULL)
        default_select(q);
    if (rc == 0)
        rc = build_select(q, err);
    if (rc != 0) {
        kdo_query_free(q);
        return rc;
    }
    q->row_acc = kdo_xcalloc(q->naggs ? q->naggs : 1, sizeof *q->row_acc);
    q->parts = kdo_partitions_new(sizeof(struct part) + q->naggs * sizeof(struct kdo_agg_acc),
                                  KDO_QUERY_MAX_PARTITIONS);
    q->read = kdo_row_new(q->read_schema);
    q->in = kdo_row_new(q->in_schema);
    q->out = kdo_row_new(q->out_schema);
    q->last_rowtime = INT64_MIN;
    *out = q;
    return 0;
}

void kdo_query_free(struct kdo_query *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->nselect && q->select; i++)
        kdo_expr_free(q->select[i]);
    for (size_t i = 0; i < q->naggs; i++)
        kdo_expr_free(q->args[i]);
    for (size_t i = 0; q->keys && i < q->cfg.npartition; i++)
        kdo_expr_free(q->keys[i]);
    for (size_t i = 0; q->default_select && i < q->cfg.nselect; i++)
        free(q->default_select[i]);
    kdo_partitions_free(q->parts, part_fini);
    free(q->default_select);
    free(q->keys);
    free(q->key_types);
    free(q->keybuf);
    free(q->aggs);
    free(q->args);
    free(q->row_acc);
    free(q->items);
    free(q->select);
    kdo_expr_free(q->where);
    kdo_row_free(q->read);
    kdo_row_free(q->in);
    kdo_row_free(q->out);
    kdo_row_schema_free(q->read_schema);
    kdo_row_schema_free(q->in_schema);
    kdo_row_schema_free(q->out_schema);
    kdo_rowfmt_reader_free(q->reader);
    kdo_arena_cleanup(&q->scratch);
    kdo_buf_cleanup(&q->text);
    kdo_buf_cleanup(&q->data_row);
    kdo__query_texts_cleanup(&q->texts);
    free(q);
}

int64_t kdo_query_window_ms(const struct kdo_query *q)
{
    return q->cfg.by_rows ? 0 : q->width_ms;
}

int kdo_query_folds(const struct kdo_query *q)
{
    return q->cfg.window == KDO_QUERY_TUMBLING || q->cfg.window == KDO_QUERY_STAGGER;
}

static int to_error_stream(struct kdo_query_error *e, const char *name, const char *msg)
{
    e->name = name;
    e->data = NULL;
    e->data_len = 0;
    e->rowtime_ms = INT64_MIN;
    snprintf(e->message, sizeof e->message, "%.*s", (int)sizeof e->message - 1, msg);
    return KDO_EPARSE;
}

/* Reads a source row into q->read: 1, or KDO_EPARSE to the error stream. */
static int read_text(struct kdo_query *q, const char *data, size_t len, struct kdo_query_error *e)
{
    struct kdo_rowfmt_error re;
    kdo_arena_reset(&q->scratch);
    kdo_row_clear(q->read);
    if (kdo_rowfmt_read(q->reader, q->cfg.input_format, data, len, q->read, &re) != 0)
        return to_error_stream(e, re.name ? re.name : "PARSE_ERROR", re.msg);
    return 1;
}

/* Copies row `src` (of the input columns) into q->in with the implicit columns and
 * applies WHERE: 1 passes, 0 dropped, KDO_EPARSE to the error stream. */
static int admit(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                 const struct kdo_row *src, struct kdo_query_error *e)
{
    struct kdo_errinfo ei = {0};
    kdo_row_clear(q->in);
    for (size_t i = 0; i < kdo_row_schema_count(q->read_schema); i++)
        kdo_row_set(q->in, i, kdo_row_get(src, i), NULL);
    struct kdo_value rt = kdo_value_timestamp(q->cfg.epoch_ms + rowtime / KDO_MS);
    struct kdo_value at = kdo_value_timestamp(q->cfg.epoch_ms + arrival / KDO_MS);
    kdo_row_set(q->in, (size_t)q->rowtime_col, &rt, NULL);
    kdo_row_set(q->in, (size_t)q->arrival_col, &at, NULL);
    if (q->where) {
        enum kdo_tv tv;
        if (kdo_expr_test(q->where, q->in, &q->scratch, &tv, &ei) != 0)
            return to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
        if (tv != KDO_TV_TRUE)
            return 0;
    }
    return 1;
}

/* Writes q->out in the output format; *out borrows q->text. */
static int format_out(struct kdo_query *q, const char **out, size_t *out_len,
                      struct kdo_query_error *e)
{
    kdo_buf_reset(&q->text);
    if (kdo_rowfmt_write(&q->text, q->out, q->cfg.output_format) != 0)
        return to_error_stream(e, "ROW_TOO_LARGE", "the output row is over KDA's 512 KB limit");
    *out = q->text.data ? q->text.data : "";
    *out_len = q->text.len;
    return 0;
}

static int64_t wall_ms(const struct kdo_query *q, kdo_time_ns t);
static kdo_time_ns run_time(const struct kdo_query *q, int64_t wall);

/* Evaluates the select items of a continuous query over q->in into q->out: 1, or
 * KDO_EPARSE to the error stream. */
static int project(struct kdo_query *q, struct kdo_query_error *e)
{
    struct kdo_errinfo ei = {0};
    kdo_row_clear(q->out);
    for (size_t i = 0; i < q->nselect; i++) {
        struct kdo_value v;
        if (kdo_expr_eval(q->select[i], q->in, &q->scratch, &v, &ei) != 0 ||
            kdo_row_set(q->out, i, &v, &ei) != 0)
            return to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
    }
    return 1;
}

int kdo_query_apply(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                    const char *data, size_t len, const char **out, size_t *out_len,
                    struct kdo_query_error *e)
{
    if (q->cfg.window != KDO_QUERY_CONTINUOUS)
        return KDO_EINVAL;
    int rc = read_text(q, data, len, e);
    if (rc == 1)
        rc = admit(q, rowtime, arrival, q->read, e);
    if (rc == 1)
        rc = project(q, e);
    if (rc == 1 && format_out(q, out, out_len, e) != 0)
        rc = KDO_EPARSE;
    if (rc == KDO_EPARSE) { /* the error stream gets the row as read */
        e->data = data;
        e->data_len = len;
        e->rowtime_ms = wall_ms(q, rowtime);
    }
    return rc;
}

const struct kdo_row_schema *kdo_query_output_schema(const struct kdo_query *q)
{
    return q->out_schema;
}

/* q->out to the sink: typed (at the row's ROWTIME), or formatted (at now).  An output row too large goes to the error
 * stream (rowtime_ms its DATA_ROWTIME). */
static int deliver(struct kdo_query *q, kdo_time_ns now, int64_t rowtime_ms,
                   const struct kdo_query_sink *sink)
{
    struct kdo_query_error e;
    const char *out;
    size_t len;
    if (sink->typed) /* a typed row carries its own ROWTIME (a window's end, not now) */
        return sink->typed(sink->ctx, run_time(q, rowtime_ms), q->out);
    if (format_out(q, &out, &len, &e)) {
        e.rowtime_ms = rowtime_ms;
        sink->error(sink->ctx, now, &e);
        return 0;
    }
    return sink->row(sink->ctx, now, out, len);
}

/* ---- windows ------------------------------------------------------------------------- */

static void key_put(struct kdo_query *q, size_t *n, const void *p, size_t len)
{
    if (*n + len > q->keycap) {
        q->keycap = (*n + len) * 2;
        q->keybuf = kdo_xrealloc(q->keybuf, q->keycap);
    }
    memcpy(q->keybuf + *n, p, len);
    *n += len;
}

/* The partition key bytes of q->in into q->keybuf; returns their length,
 * or -1 with *e set. */
static long encode_key(struct kdo_query *q, struct kdo_query_error *e)
{
    size_t n = 0;
    struct kdo_errinfo ei = {0};
    for (size_t k = 0; k < q->cfg.npartition; k++) {
        struct kdo_value v;
        if ((int)k == q->time_key)
            continue;
        if (kdo_expr_eval(q->keys[k], q->in, &q->scratch, &v, &ei) != 0) {
            to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
            return -1;
        }
        unsigned char tag = (unsigned char)v.type;
        key_put(q, &n, &tag, 1);
        switch (v.type) {
        case KDO_TYPE_NULL:
            break;
        case KDO_TYPE_BOOLEAN:
            tag = v.u.b;
            key_put(q, &n, &tag, 1);
            break;
        case KDO_TYPE_VARCHAR: {
            uint32_t l = (uint32_t)v.u.str.len;
            key_put(q, &n, &l, 4);
            key_put(q, &n, v.u.str.s, v.u.str.len);
            break;
        }
        case KDO_TYPE_DOUBLE: {
            double d = v.u.d == 0 ? 0 : v.u.d; /* -0.0 and 0.0 are one group */
            key_put(q, &n, &d, 8);
            break;
        }
        default:
            key_put(q, &n, &v.u.i, 8);
            break;
        }
    }
    return (long)n;
}

/* Key k's value from a partition's key bytes. */
static struct kdo_value decode_key(const struct kdo_query *q, const char *p, size_t k)
{
    struct kdo_value v = kdo_value_null();
    for (size_t i = 0; i < q->cfg.npartition; i++) {
        if ((int)i == q->time_key)
            continue;
        v.type = (enum kdo_type)(unsigned char)*p++;
        switch (v.type) {
        case KDO_TYPE_NULL:
            break;
        case KDO_TYPE_BOOLEAN:
            v.u.b = *p++ != 0;
            break;
        case KDO_TYPE_VARCHAR: {
            uint32_t l;
            memcpy(&l, p, 4);
            v.u.str.s = p + 4;
            v.u.str.len = l;
            p += 4 + l;
            break;
        }
        case KDO_TYPE_DOUBLE:
            memcpy(&v.u.d, p, 8);
            p += 8;
            break;
        default:
            memcpy(&v.u.i, p, 8);
            p += 8;
            break;
        }
        if (i == k)
            return v;
    }
    return v;
}

/* One row's contribution to each aggregate, from q->in. */
static int fold_row(struct kdo_query *q, struct kdo_query_error *e)
{
    struct kdo_errinfo ei = {0};
    for (size_t a = 0; a < q->naggs; a++) {
        struct kdo_value v = kdo_value_null();
        q->row_acc[a] = kdo_agg_empty();
        if (q->args[a] && kdo_expr_eval(q->args[a], q->in, &q->scratch, &v, &ei) != 0)
            return to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
        kdo_agg_add(&q->aggs[a], &q->row_acc[a], &v);
    }
    return 0;
}

/* Builds and emits one output row of partition p (NULL: none), with the
 * aggregates in acc and ROWTIME `rowtime` (wall ms). */
static int emit_row(struct kdo_query *q, const struct part *p, const struct kdo_agg_acc *acc,
                    int64_t rowtime_ms, kdo_time_ns now, const struct kdo_query_sink *sink)
{
    struct kdo_errinfo ei = {0};
    struct kdo_query_error e;
    size_t klen;
    const char *key = p ? kdo_partitions_key(p, &klen) : NULL;
    kdo_row_clear(q->out);
    for (size_t i = 0; i < q->nselect; i++) {
        struct kdo_value v;
        int rc = 0;
        switch (q->items[i].kind) {
        case ITEM_AGG:
            rc = kdo_agg_result(&q->aggs[q->items[i].index], &acc[q->items[i].index], &v, &ei);
            break;
        case ITEM_KEY:
            if ((int)q->items[i].index == q->time_key)
                v = kdo_value_timestamp(q->window_start_ms);
            else
                v = decode_key(q, key, q->items[i].index);
            break;
        case ITEM_ROWTIME:
            v = kdo_value_timestamp(rowtime_ms);
            break;
        case ITEM_EXPR:
            rc = kdo_expr_eval(q->select[i], q->in, &q->scratch, &v, &ei);
            break;
        }
        if (rc == 0)
            rc = kdo_row_set(q->out, i, &v, &ei);
        if (rc) {
            to_error_stream(&e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
            e.rowtime_ms = rowtime_ms;
            sink->error(sink->ctx, now, &e);
            return 0;
        }
    }
    return deliver(q, now, rowtime_ms, sink);
}

static int64_t wall_ms(const struct kdo_query *q, kdo_time_ns t)
{
    return q->cfg.epoch_ms + t / KDO_MS;
}

static kdo_time_ns run_time(const struct kdo_query *q, int64_t wall)
{
    return (wall - q->cfg.epoch_ms) * KDO_MS;
}

/* Tumbling: one row per group, then the window is empty again. */
static int close_tumbling(struct kdo_query *q, kdo_time_ns now, const struct kdo_query_sink *sink)
{
    int err = 0;
    int64_t end = q->window_start_ms + q->width_ms;
    for (struct part *p = kdo_partitions_first(q->parts); p && err == 0;
         p = kdo_partitions_next(p))
        err = emit_row(q, p, p->acc, end, now, sink);
    kdo_partitions_free(q->parts, part_fini);
    q->parts = kdo_partitions_new(sizeof(struct part) + q->naggs * sizeof(struct kdo_agg_acc),
                                  KDO_QUERY_MAX_PARTITIONS);
    q->window_open = 0;
    return err;
}

kdo_time_ns kdo_query_next_deadline(const struct kdo_query *q)
{
    if (q->cfg.window == KDO_QUERY_TUMBLING && q->window_open)
        return run_time(q, q->window_start_ms + q->width_ms);
    if (q->cfg.window == KDO_QUERY_STAGGER) {
        const struct part *p = kdo_partitions_first(q->parts);
        if (p)
            return p->opened + q->range;
    }
    return KDO_TIME_NEVER;
}

int kdo_query_advance(struct kdo_query *q, kdo_time_ns now, const struct kdo_query_sink *sink)
{
    int err = 0;
    if (q->cfg.window == KDO_QUERY_TUMBLING && q->window_open &&
        now >= kdo_query_next_deadline(q))
        err = close_tumbling(q, now, sink);
    /* Stagger windows close in the order they opened: same range for all. */
    struct part *p;
    while (err == 0 && q->cfg.window == KDO_QUERY_STAGGER &&
           (p = kdo_partitions_first(q->parts)) && p->opened + q->range <= now) {
        err = emit_row(q, p, p->acc, wall_ms(q, p->opened + q->range), now, sink);
        kdo_slide_free(p->slide);
        kdo_partitions_remove(q->parts, p);
    }
    return err;
}

/* Sliding: the row joins its partition's window, the rows that fell out
 * leave, and the row goes out with the window's aggregates. */
static int slide_row(struct kdo_query *q, struct part *p, kdo_time_ns rowtime,
                     const struct kdo_query_sink *sink)
{
    if (p->slide == NULL)
        p->slide = kdo_slide_new(q->aggs, q->naggs);
    if (q->slide_rows >= KDO_QUERY_MAX_WINDOW_ROWS) {
        struct kdo_query_error e;
        to_error_stream(&e, "WINDOW_TOO_LARGE", "the sliding windows already hold 10,000,000 "
                        "rows; kdaout holds no more");
        e.rowtime_ms = wall_ms(q, rowtime);
        sink->error(sink->ctx, rowtime, &e);
        return 0;
    }
    kdo_slide_push(p->slide, rowtime, q->row_acc);
    q->slide_rows++;
    if (q->cfg.by_rows) {
        for (; kdo_slide_count(p->slide) > q->cfg.rows + 1; q->slide_rows--)
            kdo_slide_pop(p->slide);
    } else {
        for (; kdo_slide_oldest(p->slide) < rowtime - q->range; q->slide_rows--)
            kdo_slide_pop(p->slide);
        /* Partitions in the order of their last row: those whose last row has
         * left the range hold nothing a future row could see; forget them, so
         * keys that come and go do not pile up. */
        p->opened = rowtime;
        kdo_partitions_touch(q->parts, p);
        struct part *old;
        while ((old = kdo_partitions_first(q->parts)) != p && old->opened < rowtime - q->range) {
            q->slide_rows -= kdo_slide_count(old->slide);
            kdo_slide_free(old->slide);
            kdo_partitions_remove(q->parts, old);
        }
    }
    kdo_slide_result(p->slide, q->row_acc);
    return emit_row(q, p, q->row_acc, wall_ms(q, rowtime), rowtime, sink);
}

/* ROWTIME as a TIMESTAMP shows it (whole ms), never going back (KDA's is monotonic). */
static kdo_time_ns settle(struct kdo_query *q, kdo_time_ns rowtime)
{
    rowtime -= rowtime % KDO_MS;
    if (rowtime < q->last_rowtime)
        rowtime = q->last_rowtime;
    q->last_rowtime = rowtime;
    return rowtime;
}

/* A row admitted (rc 1), dropped (0) or refused (KDO_EPARSE, *e) into its window or
 * out; `data` is what the error stream shows of it. */
static int process(struct kdo_query *q, kdo_time_ns rowtime, int rc, struct kdo_query_error *e,
                   const char *data, size_t len, const struct kdo_query_sink *sink)
{
    if (q->cfg.window == KDO_QUERY_CONTINUOUS && rc == 1)
        rc = project(q, e);
    if (q->cfg.window == KDO_QUERY_CONTINUOUS && rc == 1)
        return deliver(q, rowtime, wall_ms(q, rowtime), sink);
    long klen = rc == 1 ? encode_key(q, e) : 0;
    if (rc == 1 && klen >= 0 && fold_row(q, e) != 0)
        klen = -1;
    if (rc == 0)
        return 0;
    int added;
    struct part *p = NULL;
    if (rc == 1 && klen >= 0 &&
        (p = kdo_partitions_get(q->parts, q->keybuf ? q->keybuf : "", (size_t)klen, &added)) == NULL)
        to_error_stream(e, "TOO_MANY_PARTITIONS", "the row's key would make more than "
                        "100,000 partitions at once");
    if (p == NULL) { /* the error stream gets the row as read */
        e->data = data;
        e->data_len = len;
        e->rowtime_ms = wall_ms(q, rowtime);
        sink->error(sink->ctx, rowtime, e);
        return 0;
    }
    switch (q->cfg.window) {
    case KDO_QUERY_SLIDING:
        return slide_row(q, p, rowtime, sink);
    case KDO_QUERY_TUMBLING:
        if (!q->window_open) {
            int64_t w = wall_ms(q, rowtime);
            q->window_start_ms = w - (w % q->width_ms + q->width_ms) % q->width_ms;
            q->window_open = 1;
        }
        break;
    default: /* stagger */
        if (added)
            p->opened = rowtime;
        break;
    }
    for (size_t a = 0; a < q->naggs; a++)
        kdo_agg_combine(&q->aggs[a], &p->acc[a], &q->row_acc[a]);
    return 0;
}

int kdo_query_input(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                    const char *data, size_t len, const struct kdo_query_sink *sink)
{
    struct kdo_query_error e;
    rowtime = settle(q, rowtime);
    int err = kdo_query_advance(q, rowtime, sink);
    if (err)
        return err;
    int rc = read_text(q, data, len, &e);
    if (rc == 1)
        rc = admit(q, rowtime, arrival, q->read, &e);
    return process(q, rowtime, rc, &e, data, len, sink);
}

int kdo_query_input_row(struct kdo_query *q, kdo_time_ns rowtime, const struct kdo_row *in,
                        const struct kdo_query_sink *sink)
{
    struct kdo_query_error e;
    if (q->cfg.input_schema == NULL || kdo_row_schema(in) != q->cfg.input_schema)
        return KDO_EINVAL;
    rowtime = settle(q, rowtime);
    int err = kdo_query_advance(q, rowtime, sink);
    if (err)
        return err;
    kdo_arena_reset(&q->scratch);
    int rc = admit(q, rowtime, rowtime, in, &e);
    if (rc != KDO_EPARSE)
        return process(q, rowtime, rc, &e, NULL, 0, sink);
    /* The error stream's DATA_ROW: the typed row as JSON. */
    kdo_buf_reset(&q->data_row);
    kdo_rowfmt_write(&q->data_row, in, KDO_ROWFMT_JSON);
    return process(q, rowtime, rc, &e, q->data_row.data, q->data_row.len, sink);
}
