/*
 * tablefn.c -- KDA's tumbling stream functions (tablefn.h): argument
 * checks, one window of counts, and its rows at the window's end.
 *
 * Values are counted by their bytes (a type tag, then the value), in the
 * partition table windowed queries use, so a hostile set of values costs
 * chains, not quadratic probes.
 */
#include "sql/tablefn.h"

#include "base/bounds.h"
#include "base/buf.h"
#include "base/hash.h"
#include "sql/partition.h"
#include "sql/rcf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HLL_BITS 14
#define HLL_REGS (1u << HLL_BITS)

enum fn_kind { FN_TOP_K, FN_COUNT_DISTINCT, FN_RCF, FN_RCF_EXPLAIN };

struct count {
    int64_t n;     /* the value's count in the window */
    uint64_t seen; /* arrival order, for ties */
};

struct kdo_tablefn {
    enum fn_kind kind;
    int64_t epoch_ms, width_ms, k;
    int col;                      /* the counted column */
    enum kdo_type col_type;
    struct kdo_row_schema *out_schema;
    struct kdo_row *out;
    struct kdo_partitions *items; /* value bytes -> struct count (TOP_K) or nothing */
    int64_t window_start;         /* wall ms; valid while open */
    int open;
    uint64_t arrivals;
    unsigned char *hll;           /* COUNT_DISTINCT past the exact limit, else NULL */
    /* RANDOM_CUT_FOREST: the forest over the numeric columns, their values,
     * names and attribution; the explanation's text. */
    struct kdo_rcf *rcf;
    struct kdo_rcf_params rcf_params;
    size_t dims, ncols;
    int *num_col;
    double *point, *high, *low;
    const char **names;
    struct kdo_buf expl;
    char key[KDO_MAX_ROW_BYTES + 16];
};

static const struct {
    const char *name;
    enum fn_kind kind;
    int nargs; /* after the cursor */
} fns[] = {
    {"TOP_K_ITEMS_TUMBLING", FN_TOP_K, 3},
    {"COUNT_DISTINCT_ITEMS_TUMBLING", FN_COUNT_DISTINCT, 2},
    {"RANDOM_CUT_FOREST", FN_RCF, 4},                  /* or none: the defaults */
    {"RANDOM_CUT_FOREST_WITH_EXPLANATION", FN_RCF_EXPLAIN, 5},
};

int kdo_tablefn_known(const char *name)
{
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (strcmp(name, fns[i].name) == 0)
            return 1;
    return strcmp(name, "HOTSPOTS") == 0; /* documented, refused by the binder */
}

/* A window's empty table of values: counted (TOP_K) or only seen. */
static struct kdo_partitions *new_items(enum fn_kind kind)
{
    return kdo_partitions_new(kind == FN_TOP_K ? sizeof(struct count) : 0,
                              kind == FN_TOP_K ? KDO_TABLEFN_TOPK_ITEMS
                                               : KDO_TABLEFN_EXACT_DISTINCT);
}

/* *e at `at` in the SQL file. */
static int fail_at(const struct kdo_tablefn_config *c, const struct kdo_ast_expr *at,
                   struct kdo_errinfo *e, int code, const char *what, const char *fn)
{
    return kdo_errinfo_set(e, code, c->file, at->line, at->col, "%s: %s", fn, what);
}

/* An integer literal argument in [lo, hi]. */
static int int_arg(const struct kdo_tablefn_config *c, const struct kdo_ast_expr *a,
                   const char *fn, const char *what, long lo, long hi, int64_t *out,
                   struct kdo_errinfo *e)
{
    char msg[160];
    if (a->kind == KDO_AST_INT) {
        char *end;
        long v = strtol(a->text, &end, 10);
        if (*end == '\0' && v >= lo && v <= hi) {
            *out = v;
            return 0;
        }
    }
    snprintf(msg, sizeof msg, "%s must be an integer from %ld to %ld", what, lo, hi);
    return fail_at(c, a, e, KDO_EPARSE, msg, fn);
}

/* The 'columnName' argument: a string literal naming a column of the input. */
static int column_arg(const struct kdo_tablefn_config *c, const struct kdo_ast_expr *a,
                      const char *fn, int *col, struct kdo_errinfo *e)
{
    char msg[200];
    if (a->kind != KDO_AST_STRING)
        return fail_at(c, a, e, KDO_EPARSE, "the column name must be a string in single quotes, "
                       "such as 'TICKER_SYMBOL'", fn);
    *col = kdo_row_schema_find(c->input_schema, a->text, a->len);
    for (size_t i = 0; *col < 0 && i < kdo_row_schema_count(c->input_schema); i++) {
        const struct kdo_row_column *rc = kdo_row_schema_column(c->input_schema, i);
        if (rc->name_len == a->len && strncasecmp(rc->name, a->text, a->len) == 0)
            *col = (int)i;
    }
    if (*col >= 0)
        return 0;
    const char *near = kdo_row_schema_nearest(c->input_schema, a->text, a->len);
    snprintf(msg, sizeof msg, "the cursor's rows have no column '%.*s'%s%s%s",
             (int)(a->len > 64 ? 64 : a->len), a->text, near ? "; did you mean " : "",
             near ? near : "", near ? "?" : "");
    return fail_at(c, a, e, KDO_ESCHEMA, msg, fn);
}

static int out_column(struct kdo_row_schema *s, const char *name, const struct kdo_row_column *t,
                      struct kdo_errinfo *e)
{
    char q[2 * KDO_ROW_MAX_NAME + 3];
    int n = snprintf(q, sizeof q, "\"%s\"", name);
    return kdo_row_schema_add_type(s, q, (size_t)n, t, e);
}

/* A number literal argument (an integer, or a decimal for timeDecay). */
static int number_arg(const struct kdo_tablefn_config *c, const struct kdo_ast_expr *a,
                      const char *fn, const char *what, double *out, struct kdo_errinfo *e)
{
    char msg[160];
    if (a->kind == KDO_AST_INT || a->kind == KDO_AST_DECIMAL || a->kind == KDO_AST_APPROX) {
        char *end;
        *out = strtod(a->text, &end);
        if (*end == '\0')
            return 0;
    }
    snprintf(msg, sizeof msg, "%s must be a number", what);
    return fail_at(c, a, e, KDO_EPARSE, msg, fn);
}

/* RANDOM_CUT_FOREST[_WITH_EXPLANATION](cursor[, numberOfTrees, subSampleSize,
 * timeDecay, shingleSize[, withDirectionality]]): every numeric column of the
 * cursor's rows is a dimension; the rows go on with ANOMALY_SCORE (and
 * ANOMALY_EXPLANATION) after their own columns. */
static int rcf_new(const struct kdo_tablefn_config *c, enum fn_kind kind,
                   const struct kdo_ast_expr *const *args, int n, struct kdo_tablefn **out,
                   struct kdo_errinfo *e)
{
    const struct kdo_ast_expr *call = c->call;
    const char *fn = kind == FN_RCF ? "RANDOM_CUT_FOREST" : "RANDOM_CUT_FOREST_WITH_EXPLANATION";
    int want = kind == FN_RCF ? 5 : 6;
    if (n != 1 && n != want)
        return kdo_errinfo_set(e, KDO_EPARSE, c->file, call->line, call->col,
                               "%s takes CURSOR(SELECT STREAM ...) alone (KDA's defaults) or with "
                               "numberOfTrees, subSampleSize, timeDecay, shingleSize%s: %d "
                               "arguments, not %d", fn,
                               kind == FN_RCF ? "" : ", withDirectionality", want, n);
    struct kdo_rcf_params p;
    kdo_rcf_params_default(&p);
    int64_t trees = p.trees, sample = p.sample_size, shingle = p.shingle_size;
    int rc = 0;
    if (n == want) {
        rc = int_arg(c, args[1], fn, "numberOfTrees", 1, 1000000, &trees, e);
        if (rc == 0)
            rc = int_arg(c, args[2], fn, "subSampleSize", 1, 1000000, &sample, e);
        if (rc == 0)
            rc = number_arg(c, args[3], fn, "timeDecay", &p.time_decay, e);
        if (rc == 0)
            rc = int_arg(c, args[4], fn, "shingleSize", 1, 1000000, &shingle, e);
        if (rc == 0 && kind == FN_RCF_EXPLAIN) {
            if (args[5]->kind != KDO_AST_BOOL || args[5]->op == 2)
                rc = fail_at(c, args[5], e, KDO_EPARSE, "withDirectionality must be true or "
                             "false", fn);
            else
                p.directionality = args[5]->op == 1;
        }
        if (rc)
            return rc;
        p.trees = (int)trees;
        p.sample_size = (int)sample;
        p.shingle_size = (int)shingle;
    }
    const struct kdo_row_schema *in = c->input_schema;
    size_t ncols = kdo_row_schema_count(in), dims = 0;
    for (size_t i = 0; i < ncols; i++) {
        const struct kdo_row_column *col = kdo_row_schema_column(in, i);
        if (col->type == KDO_TYPE_DECIMAL)
            return kdo_errinfo_set(e, KDO_ESCHEMA, c->file, args[0]->line, args[0]->col,
                                   "%s: column %s is DECIMAL, which the function does not "
                                   "take (the SQL Reference: use DOUBLE)", fn, col->name);
        dims += col->type == KDO_TYPE_BIGINT || col->type == KDO_TYPE_DOUBLE;
    }
    struct kdo_errinfo pe = {0};
    if (kdo_rcf_params_check(&p, dims, &pe) != 0)
        return kdo_errinfo_set(e, KDO_EPARSE, c->file, n > 1 ? args[1]->line : call->line,
                               n > 1 ? args[1]->col : call->col, "%s: %s", fn, pe.msg);
    struct kdo_tablefn *f = kdo_xcalloc(1, sizeof *f);
    f->kind = kind;
    f->rcf_params = p;
    f->dims = dims;
    f->ncols = ncols;
    f->num_col = kdo_xcalloc(dims, sizeof *f->num_col);
    f->point = kdo_xcalloc(dims, sizeof *f->point);
    f->high = kdo_xcalloc(dims, sizeof *f->high);
    f->low = kdo_xcalloc(dims, sizeof *f->low);
    f->names = kdo_xcalloc(dims, sizeof *f->names);
    kdo_buf_init(&f->expl, 65535);
    f->out_schema = kdo_row_schema_copy(in);
    for (size_t i = 0, d = 0; i < ncols; i++) {
        const struct kdo_row_column *col = kdo_row_schema_column(f->out_schema, i);
        if (col->type == KDO_TYPE_BIGINT || col->type == KDO_TYPE_DOUBLE) {
            f->num_col[d] = (int)i;
            f->names[d++] = col->name;
        }
    }
    struct kdo_row_column dbl = {.type = KDO_TYPE_DOUBLE};
    struct kdo_row_column text = {.type = KDO_TYPE_VARCHAR, .max_len = 65535};
    struct kdo_errinfo ce = {0};
    if (out_column(f->out_schema, "ANOMALY_SCORE", &dbl, &ce) != 0 ||
        (kind == FN_RCF_EXPLAIN &&
         out_column(f->out_schema, "ANOMALY_EXPLANATION", &text, &ce) != 0)) {
        kdo_tablefn_free(f);
        return kdo_errinfo_set(e, KDO_ESCHEMA, c->file, args[0]->line, args[0]->col,
                               "%s: the cursor's rows already have the function's output "
                               "column (%s)", fn, ce.msg);
    }
    f->out = kdo_row_new(f->out_schema);
    f->rcf = kdo_rcf_new(&p, dims, c->seed, &pe);
    if (f->rcf == NULL) {
        kdo_tablefn_free(f);
        return kdo_errinfo_set(e, KDO_EPARSE, c->file, call->line, call->col, "%s: %s", fn,
                               pe.msg);
    }
    *out = f;
    return 0;
}

int kdo_tablefn_new(const struct kdo_tablefn_config *c, struct kdo_tablefn **out,
                    struct kdo_errinfo *e)
{
    const struct kdo_ast_expr *call = c->call;
    const char *name = call->name.part[call->name.n - 1].s;
    size_t which = sizeof fns / sizeof fns[0];
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
        if (strcmp(name, fns[i].name) == 0)
            which = i;
    if (which == sizeof fns / sizeof fns[0])
        return kdo_errinfo_set(e, KDO_EPARSE, c->file, call->line, call->col,
                               "%s is not supported yet", name);
    const struct kdo_ast_expr *args[8] = {0};
    int n = 0;
    for (const struct kdo_ast_expr *a = call->list; a; a = a->next, n++)
        if (n < 8)
            args[n] = a;
    if (fns[which].kind >= FN_RCF)
        return rcf_new(c, fns[which].kind, args, n, out, e);
    if (n != fns[which].nargs + 1)
        return kdo_errinfo_set(e, KDO_EPARSE, c->file, call->line, call->col,
                               "%s takes %d arguments: CURSOR(SELECT STREAM ...), 'column'%s, "
                               "windowSize (seconds); got %d", name, fns[which].nargs + 1,
                               fns[which].kind == FN_TOP_K ? ", K" : "", n);
    struct kdo_tablefn *f = kdo_xcalloc(1, sizeof *f);
    f->kind = fns[which].kind;
    f->epoch_ms = c->epoch_ms;
    int64_t seconds = 0;
    int rc = column_arg(c, args[1], name, &f->col, e);
    if (rc == 0 && f->kind == FN_TOP_K)
        rc = int_arg(c, args[2], name, "K", 1, 100000, &f->k, e);
    if (rc == 0)
        rc = int_arg(c, args[n - 1], name, "windowSize (seconds)", 1, 3600, &seconds, e);
    if (rc) {
        free(f);
        return rc;
    }
    f->width_ms = seconds * 1000;
    const struct kdo_row_column *counted = kdo_row_schema_column(c->input_schema, (size_t)f->col);
    f->col_type = counted->type;
    f->out_schema = kdo_row_schema_new();
    struct kdo_row_column bigint = {.type = KDO_TYPE_BIGINT};
    if (f->kind == FN_TOP_K)
        rc = out_column(f->out_schema, counted->name, counted, e) ||
             out_column(f->out_schema, "MOST_FREQUENT_VALUES", &bigint, e);
    else
        rc = out_column(f->out_schema, "NUMBER_OF_DISTINCT_ITEMS", &bigint, e);
    if (rc) {
        kdo_tablefn_free(f);
        return KDO_ESCHEMA;
    }
    f->out = kdo_row_new(f->out_schema);
    f->items = new_items(f->kind);
    *out = f;
    return 0;
}

void kdo_tablefn_free(struct kdo_tablefn *f)
{
    if (f == NULL)
        return;
    kdo_partitions_free(f->items, NULL);
    kdo_rcf_free(f->rcf);
    free(f->num_col);
    free(f->point);
    free(f->high);
    free(f->low);
    free(f->names);
    kdo_buf_cleanup(&f->expl);
    kdo_row_free(f->out);
    kdo_row_schema_free(f->out_schema);
    free(f->hll);
    free(f);
}

const struct kdo_row_schema *kdo_tablefn_output_schema(const struct kdo_tablefn *f)
{
    return f->out_schema;
}

/* ---- HyperLogLog past the exact limit -------------------------------------------------- */

static void hll_add(unsigned char *regs, const char *k, size_t n)
{
    uint64_t h = kdo_hash_bytes(k, n);
    uint32_t r = (uint32_t)(h >> (64 - HLL_BITS));
    uint64_t rest = h << HLL_BITS | (UINT64_C(1) << (HLL_BITS - 1)); /* never all zero */
    unsigned char rank = (unsigned char)(__builtin_clzll(rest) + 1);
    if (rank > regs[r])
        regs[r] = rank;
}

/* Flajolet et al.'s estimate, linear counting while registers are empty. */
static int64_t hll_count(const unsigned char *regs)
{
    double sum = 0;
    unsigned zeros = 0;
    for (unsigned i = 0; i < HLL_REGS; i++) {
        sum += ldexp(1.0, -regs[i]);
        zeros += regs[i] == 0;
    }
    double m = HLL_REGS, est = 0.7213 / (1 + 1.079 / m) * m * m / sum;
    if (est <= 2.5 * m && zeros)
        est = m * log(m / zeros);
    return (int64_t)(est + 0.5);
}

/* ---- windows --------------------------------------------------------------------------- */

static kdo_time_ns run_time(const struct kdo_tablefn *f, int64_t wall)
{
    return (wall - f->epoch_ms) * KDO_MS;
}

kdo_time_ns kdo_tablefn_next_deadline(const struct kdo_tablefn *f)
{
    return f->open ? run_time(f, f->window_start + f->width_ms) : KDO_TIME_NEVER;
}

static int emit(struct kdo_tablefn *f, int64_t end, const struct kdo_query_sink *sink)
{
    struct kdo_errinfo ei = {0};
    kdo_row_clear(f->out);
    struct kdo_value v = kdo_value_bigint(f->hll ? hll_count(f->hll)
                                                 : (int64_t)kdo_partitions_count(f->items));
    if (kdo_row_set(f->out, 0, &v, &ei) != 0)
        return KDO_EINVAL;
    return sink->typed(sink->ctx, run_time(f, end), f->out);
}

static int by_count(const void *a, const void *b)
{
    const struct count *x = *(const struct count *const *)a, *y = *(const struct count *const *)b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->seen < y->seen ? -1 : x->seen > y->seen;
}

static int emit_top(struct kdo_tablefn *f, int64_t end, const struct kdo_query_sink *sink)
{
    size_t n = kdo_partitions_count(f->items), k = 0;
    struct count **all = kdo_xcalloc(n ? n : 1, sizeof *all);
    for (struct count *c = kdo_partitions_first(f->items); c; c = kdo_partitions_next(c))
        all[k++] = c;
    qsort(all, n, sizeof *all, by_count);
    int rc = 0;
    for (size_t i = 0; i < n && (int64_t)i < f->k && rc == 0; i++) {
        struct kdo_errinfo ei = {0};
        size_t len;
        const char *key = kdo_partitions_key(all[i], &len);
        struct kdo_value item, cnt = kdo_value_bigint(all[i]->n);
        kdo_value_key_get(key, &item);
        kdo_row_clear(f->out);
        if (kdo_row_set(f->out, 0, &item, &ei) || kdo_row_set(f->out, 1, &cnt, &ei))
            rc = KDO_EINVAL;
        else
            rc = sink->typed(sink->ctx, run_time(f, end), f->out);
    }
    free(all);
    return rc;
}

static int close_window(struct kdo_tablefn *f, const struct kdo_query_sink *sink)
{
    int64_t end = f->window_start + f->width_ms;
    int rc = f->kind == FN_TOP_K ? emit_top(f, end, sink) : emit(f, end, sink);
    kdo_partitions_free(f->items, NULL);
    f->items = new_items(f->kind);
    free(f->hll);
    f->hll = NULL;
    f->open = 0;
    return rc;
}

int kdo_tablefn_advance(struct kdo_tablefn *f, kdo_time_ns now, const struct kdo_query_sink *sink)
{
    if (f->open && now >= kdo_tablefn_next_deadline(f))
        return close_window(f, sink);
    return 0;
}

/* Space-Saving: the least counted value gives its place to the new one,
 * which inherits its count (an overestimate by at most that count). */
static struct count *replace_least(struct kdo_tablefn *f, size_t len)
{
    struct count *least = NULL;
    for (struct count *c = kdo_partitions_first(f->items); c; c = kdo_partitions_next(c))
        if (least == NULL || c->n < least->n)
            least = c;
    int64_t n = least->n;
    kdo_partitions_remove(f->items, least);
    int added;
    struct count *c = kdo_partitions_get(f->items, f->key, len, &added);
    c->n = n;
    return c;
}

/* One row scored, then learned: the row, ANOMALY_SCORE (and the
 * explanation).  A row with a NULL number is passed on with NULL for both
 * and not learned (our choice: the SR does not say). */
static int rcf_row(struct kdo_tablefn *f, kdo_time_ns rowtime, const struct kdo_row *in,
                   const struct kdo_query_sink *sink)
{
    struct kdo_errinfo ei = {0};
    kdo_row_clear(f->out);
    int known = 1;
    for (size_t i = 0; i < f->ncols; i++)
        if (kdo_row_set(f->out, i, kdo_row_get(in, i), &ei) != 0)
            return KDO_EINVAL;
    for (size_t d = 0; d < f->dims; d++) {
        const struct kdo_value *v = kdo_row_get(in, (size_t)f->num_col[d]);
        known &= v->type != KDO_TYPE_NULL;
        f->point[d] = v->type == KDO_TYPE_BIGINT ? (double)v->u.i : v->u.d;
    }
    struct kdo_rcf_attribution attr = {f->high, f->low};
    double score = 0;
    int explain = f->kind == FN_RCF_EXPLAIN;
    if (known && kdo_rcf_update(f->rcf, f->point, &score, explain ? &attr : NULL) == 0) {
        struct kdo_value s = kdo_value_double(score);
        kdo_row_set(f->out, f->ncols, &s, &ei);
        kdo_buf_reset(&f->expl);
        if (explain && kdo_rcf_explain_json(&f->expl, f->names, f->dims, &attr,
                                            f->rcf_params.directionality) == 0) {
            struct kdo_value x = kdo_value_varchar(f->expl.data ? f->expl.data : "", f->expl.len);
            kdo_row_set(f->out, f->ncols + 1, &x, &ei);
        }
    }
    return sink->typed(sink->ctx, rowtime, f->out);
}

int kdo_tablefn_folds(const struct kdo_tablefn *f)
{
    return f->kind == FN_TOP_K || f->kind == FN_COUNT_DISTINCT;
}

int kdo_tablefn_input_row(struct kdo_tablefn *f, kdo_time_ns rowtime, const struct kdo_row *in,
                          const struct kdo_query_sink *sink)
{
    if (f->rcf)
        return rcf_row(f, rowtime, in, sink);
    int rc = kdo_tablefn_advance(f, rowtime, sink);
    if (rc)
        return rc;
    int64_t wall = f->epoch_ms + rowtime / KDO_MS;
    if (!f->open) {
        f->window_start = wall - ((wall % f->width_ms) + f->width_ms) % f->width_ms;
        f->open = 1;
    }
    const struct kdo_value *v = kdo_row_get(in, (size_t)f->col);
    if (v == NULL || v->type == KDO_TYPE_NULL)
        return 0;
    size_t len = (size_t)(kdo_value_key_put(f->key, v) - f->key);
    int added = 0;
    if (f->kind == FN_COUNT_DISTINCT) {
        if (f->hll) {
            hll_add(f->hll, f->key, len);
        } else if (kdo_partitions_get(f->items, f->key, len, &added) == NULL) {
            /* past 10,000 distinct: every value seen so far into the registers */
            f->hll = kdo_xcalloc(HLL_REGS, 1);
            for (void *p = kdo_partitions_first(f->items); p; p = kdo_partitions_next(p)) {
                size_t n;
                const char *k = kdo_partitions_key(p, &n);
                hll_add(f->hll, k, n);
            }
            hll_add(f->hll, f->key, len);
        }
        return 0;
    }
    struct count *c = kdo_partitions_get(f->items, f->key, len, &added);
    if (c == NULL)
        c = replace_least(f, len);
    if (added || c->seen == 0)
        c->seen = ++f->arrivals;
    c->n++;
    return 0;
}
