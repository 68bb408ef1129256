/*
 * query.c -- compiling and running a continuous query.
 *
 * Both rows (input and output) are reused between calls, and expression
 * strings go to a scratch arena reset per row, so a query allocates nothing
 * per row once warm.
 */
#include "query.h"

#include "arena.h"
#include "buf.h"
#include "contract.h"
#include "expr.h"
#include "row.h"
#include "value.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct kdo_query {
    struct kdo_query_config cfg;
    /* Rows are read with the declared columns (`read`), then copied into `in`,
     * which adds the implicit ROWTIME and APPROXIMATE_ARRIVAL_TIME. */
    struct kdo_row_schema *read_schema, *in_schema, *out_schema;
    struct kdo_row *read, *in, *out;
    struct kdo_expr *where;
    struct kdo_expr **select;
    size_t nselect;
    int rowtime_col, arrival_col;
    struct kdo_rowfmt_reader *reader;
    struct kdo_arena scratch;
    struct kdo_buf text;
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

static int build_input(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_query_config *c = &q->cfg;
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
                                   "(expected VARCHAR(n), BIGINT, INTEGER, REAL, DOUBLE, BOOLEAN "
                                   "or TIMESTAMP)", cols[i], types[i]);
        int rc = kdo_row_schema_add(q->in_schema, cols[i], strlen(cols[i]), t, len, err);
        if (rc == 0)
            rc = kdo_row_schema_add(q->read_schema, cols[i], strlen(cols[i]), t, len, err);
        if (rc)
            return rc;
    }
    /* The implicit columns every in-application stream has. */
    kdo_row_schema_add(q->in_schema, "ROWTIME", 7, KDO_TYPE_TIMESTAMP, 0, NULL);
    kdo_row_schema_add(q->in_schema, "APPROXIMATE_ARRIVAL_TIME", 24, KDO_TYPE_TIMESTAMP, 0, NULL);
    q->rowtime_col = kdo_row_schema_find(q->in_schema, "ROWTIME", 7);
    q->arrival_col = kdo_row_schema_find(q->in_schema, "APPROXIMATE_ARRIVAL_TIME", 24);
    return 0;
}

/* Splits "EXPR AS NAME": the last AS outside quotes and parentheses
 * (CAST(x AS BIGINT) keeps its AS), case-insensitive. */
static size_t split_alias(const char *s, const char **alias)
{
    size_t n = strlen(s);
    int depth = 0;
    *alias = NULL;
    for (size_t i = n; i-- > 3;) {
        if (s[i] == '\'' || s[i] == '"')
            break; /* the alias is a plain word after the last quote */
        depth += s[i] == ')' ? 1 : s[i] == '(' ? -1 : 0;
        if (depth == 0 &&
            (strncasecmp(s + i - 3, " AS ", 4) == 0 || strncasecmp(s + i - 3, "\tAS ", 4) == 0)) {
            *alias = s + i + 1;
            while (**alias == ' ')
                (*alias)++;
            return i - 3;
        }
    }
    return n;
}

static int build_select(struct kdo_query *q, struct kdo_errinfo *err)
{
    const struct kdo_query_config *c = &q->cfg;
    size_t nin = kdo_row_schema_count(q->in_schema) - 2; /* not the implicit columns */
    q->nselect = c->select ? c->nselect : nin;
    q->select = kdo_xcalloc(q->nselect ? q->nselect : 1, sizeof *q->select);
    q->out_schema = kdo_row_schema_new();
    for (size_t i = 0; i < q->nselect; i++) {
        const char *alias = NULL, *text;
        char name[80], quoted[80];
        size_t len;
        if (c->select) {
            text = c->select[i];
            len = split_alias(text, &alias);
        } else { /* the column itself, quoted so its case is kept */
            snprintf(quoted, sizeof quoted, "\"%s\"", kdo_row_schema_column(q->in_schema, i)->name);
            text = quoted;
            len = strlen(text);
            alias = kdo_row_schema_column(q->in_schema, i)->name;
        }
        int rc = kdo_expr_compile(text, len, q->in_schema, &q->select[i], err);
        if (rc)
            return rc;
        if (alias && !c->select)
            snprintf(name, sizeof name, "\"%s\"", alias); /* as declared */
        else if (alias)
            snprintf(name, sizeof name, "%s", alias);
        else if (kdo_row_schema_find(q->in_schema, text, len) >= 0 || !c->select)
            snprintf(name, sizeof name, "%.*s", (int)(len < 79 ? len : 79), text);
        else
            snprintf(name, sizeof name, "EXPR$%zu", i); /* Calcite's name for an unnamed column */
        enum kdo_type t = kdo_expr_type(q->select[i]);
        size_t max = kdo_expr_max_len(q->select[i]);
        if (t == KDO_TYPE_NULL)
            t = KDO_TYPE_VARCHAR;
        if ((rc = kdo_row_schema_add(q->out_schema, name, strlen(name), t, max ? max : 65535, err)))
            return rc;
    }
    return 0;
}

int kdo_query_new(const struct kdo_query_config *c, struct kdo_query **out,
                  struct kdo_errinfo *err)
{
    struct kdo_query *q = kdo_xcalloc(1, sizeof *q);
    int rc;
    q->cfg = *c;
    kdo_arena_init(&q->scratch, 4 * KDO_MAX_ROW_BYTES);
    kdo_buf_init(&q->text, KDO_MAX_ROW_BYTES);
    q->reader = kdo_rowfmt_reader_new(0);
    if ((rc = build_input(q, err)) == 0 && c->where)
        rc = kdo_expr_compile(c->where, strlen(c->where), q->in_schema, &q->where, err);
    if (rc == 0 && q->where && kdo_expr_type(q->where) != KDO_TYPE_BOOLEAN)
        rc = kdo_errinfo_set(err, KDO_ESCHEMA, NULL, 1, 1, "where: the condition is %s, not "
                             "BOOLEAN", kdo_type_name(kdo_expr_type(q->where)));
    if (rc == 0)
        rc = build_select(q, err);
    if (rc != 0) {
        kdo_query_free(q);
        return rc;
    }
    q->read = kdo_row_new(q->read_schema);
    q->in = kdo_row_new(q->in_schema);
    q->out = kdo_row_new(q->out_schema);
    *out = q;
    return 0;
}

void kdo_query_free(struct kdo_query *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->nselect && q->select; i++)
        kdo_expr_free(q->select[i]);
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
    free(q);
}

static int to_error_stream(struct kdo_query_error *e, const char *name, const char *msg)
{
    e->name = name;
    snprintf(e->message, sizeof e->message, "%.*s", (int)sizeof e->message - 1, msg);
    return KDO_EPARSE;
}

static int evaluate(struct kdo_query *q, struct kdo_query_error *e)
{
    struct kdo_errinfo ei = {0};
    for (size_t i = 0; i < q->nselect; i++) {
        struct kdo_value v;
        if (kdo_expr_eval(q->select[i], q->in, &q->scratch, &v, &ei) != 0 ||
            kdo_row_set(q->out, i, &v, &ei) != 0)
            return to_error_stream(e, "EXPRESSION_EVALUATION_ERROR", ei.msg);
    }
    return 0;
}

int kdo_query_apply(struct kdo_query *q, kdo_time_ns rowtime, kdo_time_ns arrival,
                    const char *data, size_t len, const char **out, size_t *out_len,
                    struct kdo_query_error *e)
{
    struct kdo_rowfmt_error re;
    struct kdo_errinfo ei = {0};
    kdo_arena_reset(&q->scratch);
    kdo_row_clear(q->read);
    kdo_row_clear(q->in);
    if (kdo_rowfmt_read(q->reader, q->cfg.input_format, data, len, q->read, &re) != 0)
        return to_error_stream(e, re.name ? re.name : "PARSE_ERROR", re.msg);
    for (size_t i = 0; i < kdo_row_schema_count(q->read_schema); i++)
        kdo_row_set(q->in, i, kdo_row_get(q->read, i), NULL);
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
    kdo_row_clear(q->out);
    int rc = evaluate(q, e);
    if (rc)
        return rc;
    kdo_buf_reset(&q->text);
    if (kdo_rowfmt_write(&q->text, q->out, q->cfg.output_format) != 0)
        return to_error_stream(e, "ROW_TOO_LARGE", "the output row is over KDA's 512 KB limit");
    *out = q->text.data ? q->text.data : "";
    *out_len = q->text.len;
    return 1;
}
