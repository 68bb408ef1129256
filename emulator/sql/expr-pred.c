/*
 * expr-pred.c -- compiling the predicates and CASE: IS [NOT] NULL/TRUE/
 * FALSE/UNKNOWN, IS [NOT] DISTINCT FROM, [NOT] BETWEEN, [NOT] IN (list), [NOT] LIKE [ESCAPE] and
 * both forms of CASE, with their operand type checks.  IN lists and CASE
 * arms are bounded (MAX_LIST) so a node's operand array stays small.
 */
#include "sql/expr-int.h"

static bool is_null_type(enum kdo_type t)
{
    return t == KDO_TYPE_NULL;
}

static enum kdo_type type_of(struct kdo__expr_cc *c, int i)
{
    return c->x->nodes[i].type;
}

/* a IS [NOT] DISTINCT FROM b: = where NULL equals NULL, never UNKNOWN. */
static int distinct(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int a, b, err;
    if ((err = kdo__expr_compile_node(c, ax->a, &a)) ||
        (err = kdo__expr_compile_node(c, ax->b, &b)) ||
        (err = kdo__expr_add(c, KDO__X_DISTINCT, a, b, -1, ax->line, ax->col, out)))
        return err;
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->neg = ax->negated;
    nd->type = KDO_TYPE_BOOLEAN;
    if (!kdo__expr_comparable(type_of(c, a), type_of(c, b)))
        return kdo__expr_mismatch(c, *out, "IS DISTINCT FROM");
    return 0;
}

static int is_pred(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    if (ax->op == KDO_AST_OP_DISTINCT)
        return distinct(c, ax, out);
    int a, err = kdo__expr_compile_node(c, ax->a, &a);
    bool truth = ax->op != KDO_AST_OP_NULL;
    if (err || (err = kdo__expr_add(c, truth ? KDO__X_IS_TRUTH : KDO__X_IS_NULL, a, -1, -1,
                                    ax->line, ax->col, out)))
        return err;
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->neg = ax->negated;
    nd->type = KDO_TYPE_BOOLEAN;
    nd->aux = ax->op == KDO_AST_OP_TRUE    ? KDO_TV_TRUE
              : ax->op == KDO_AST_OP_FALSE ? KDO_TV_FALSE
                                           : KDO_TV_UNKNOWN;
    enum kdo_type t = type_of(c, a);
    if (truth && !is_null_type(t) && t != KDO_TYPE_BOOLEAN)
        return kdo__expr_mismatch(c, *out, "IS TRUE/FALSE/UNKNOWN");
    return 0;
}

static int between(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int a, b, k, err;
    if ((err = kdo__expr_compile_node(c, ax->a, &a)) ||
        (err = kdo__expr_compile_node(c, ax->b, &b)) ||
        (err = kdo__expr_compile_node(c, ax->c, &k)) ||
        (err = kdo__expr_add(c, KDO__X_BETWEEN, a, b, k, ax->line, ax->col, out)))
        return err;
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->neg = ax->negated;
    nd->type = KDO_TYPE_BOOLEAN;
    if (!kdo__expr_comparable(type_of(c, a), type_of(c, b)) || !kdo__expr_comparable(type_of(c, a), type_of(c, k)))
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_ESCHEMA,
                              "BETWEEN cannot compare %s with %s and %s",
                              kdo_type_name(type_of(c, a)), kdo_type_name(type_of(c, b)),
                              kdo_type_name(type_of(c, k)));
    return 0;
}

/* Compiles a linked list of at most `max` expressions into ix[]; *n their count. */
static int compile_list(struct kdo__expr_cc *c, const struct kdo_ast_expr *l, int *ix, int max,
                        int *n, const char *what, int line, int col)
{
    *n = 0;
    for (; l; l = l->next) {
        if (*n == max)
            return kdo__expr_fail(c->e, line, col, KDO_ETOOBIG, "%s with more than %d values",
                                  what, max);
        int err = kdo__expr_compile_node(c, l, &ix[(*n)++]);
        if (err)
            return err;
    }
    return 0;
}

#define MAX_LIST 256

static int in_list(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int a, ix[MAX_LIST], n, err;
    if ((err = kdo__expr_compile_node(c, ax->a, &a)) ||
        (err = compile_list(c, ax->list, ix, MAX_LIST, &n, "IN", ax->line, ax->col)) ||
        (err = kdo__expr_add(c, KDO__X_IN, a, -1, -1, ax->line, ax->col, out)))
        return err;
    for (int k = 0; k < n; k++)
        if (!kdo__expr_comparable(type_of(c, a), type_of(c, ix[k]))) {
            const struct kdo__expr_node *v = &c->x->nodes[ix[k]];
            return kdo__expr_fail(c->e, v->line, v->col, KDO_ESCHEMA,
                                  "IN cannot compare %s with %s", kdo_type_name(type_of(c, a)),
                                  kdo_type_name(type_of(c, ix[k])));
        }
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->argv = kdo__expr_push_args(c, ix, n);
    nd->argc = n;
    nd->neg = ax->negated;
    nd->type = KDO_TYPE_BOOLEAN;
    return kdo__expr_deepen(c, *out);
}

static int like(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    if (ax->op == KDO_AST_OP_SIMILAR)
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE,
                              "SIMILAR TO is not supported yet");
    int a, b, k = -1, err;
    if ((err = kdo__expr_compile_node(c, ax->a, &a)) ||
        (err = kdo__expr_compile_node(c, ax->b, &b)) ||
        (ax->c && (err = kdo__expr_compile_node(c, ax->c, &k))) ||
        (err = kdo__expr_add(c, KDO__X_LIKE, a, b, k, ax->line, ax->col, out)))
        return err;
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->neg = ax->negated;
    nd->type = KDO_TYPE_BOOLEAN;
    for (int i = 0; i < 3; i++) {
        int o = i == 0 ? a : i == 1 ? b : k;
        if (o >= 0 && !is_null_type(type_of(c, o)) && type_of(c, o) != KDO_TYPE_VARCHAR)
            return kdo__expr_fail(c->e, ax->line, ax->col, KDO_ESCHEMA, "LIKE cannot take a %s",
                                  kdo_type_name(type_of(c, o)));
    }
    return 0;
}

/* The common type of CASE's results or COALESCE's arguments; KDO_TYPE_NULL
 * (with *bad the offender) when two do not mix. */
static enum kdo_type common_type(struct kdo__expr_cc *c, const int *ix, int n, int step,
                                 int *bad)
{
    enum kdo_type t = KDO_TYPE_NULL;
    for (int k = 0; k < n; k += step) {
        enum kdo_type u = type_of(c, ix[k]);
        if (is_null_type(u))
            continue;
        if (is_null_type(t) || t == u)
            t = u;
        else if (kdo_type_numeric(t) && kdo_type_numeric(u))
            t = kdo__expr_number_type(t, u);
        else {
            *bad = ix[k];
            return KDO_TYPE_NULL;
        }
    }
    *bad = -1;
    return t;
}

int kdo__expr_variadic_type(struct kdo__expr_cc *c, int n, const int *ix, int cnt, int step,
                            const char *what)
{
    int bad;
    struct kdo__expr_node *nd = &c->x->nodes[n];
    nd->type = common_type(c, ix, cnt, step, &bad);
    if (bad >= 0) {
        const struct kdo__expr_node *v = &c->x->nodes[bad];
        return kdo__expr_fail(c->e, v->line, v->col, KDO_ESCHEMA, "%s cannot mix %s with %s",
                              what, kdo_type_name(v->type),
                              kdo_type_name(type_of(c, ix[0 == bad ? step : 0])));
    }
    for (int k = 0; k < cnt && nd->type == KDO_TYPE_DECIMAL; k += step) {
        int p, sc; /* the widest scale: every value is rescaled to it (eval's widen) */
        kdo__expr_decimal_ps(&c->x->nodes[ix[k]], &p, &sc);
        nd->scale = sc > nd->scale ? sc : nd->scale;
        nd->prec = KDO_DECIMAL_MAX_DIGITS;
    }
    for (int k = 0; k < cnt; k += step) {
        size_t m = c->x->nodes[ix[k]].max_len;
        if (nd->type == KDO_TYPE_VARCHAR && (m == 0 || (nd->max_len && m > nd->max_len)))
            nd->max_len = m == 0 ? 0 : m;
    }
    return 0;
}

static int case_expr(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int ix[2 * MAX_LIST + 2], n = 0, err = 0, results[MAX_LIST + 1], nr = 0;
    if (ax->a && (err = kdo__expr_compile_node(c, ax->a, &ix[n++])))
        return err;
    for (const struct kdo_ast_expr *w = ax->list; w; w = w->next) {
        if (nr == MAX_LIST)
            return kdo__expr_fail(c->e, w->line, w->col, KDO_ETOOBIG,
                                  "CASE with more than %d WHENs", MAX_LIST);
        if ((err = kdo__expr_compile_node(c, w->a, &ix[n])))
            return err;
        enum kdo_type wt = type_of(c, ix[n]);
        if (ax->a ? !kdo__expr_comparable(type_of(c, ix[0]), wt) : !(is_null_type(wt) || wt == KDO_TYPE_BOOLEAN))
            return kdo__expr_fail(c->e, w->line, w->col, KDO_ESCHEMA, "WHEN cannot take a %s",
                                  kdo_type_name(wt));
        if ((err = kdo__expr_compile_node(c, w->b, &ix[n + 1])))
            return err;
        results[nr++] = ix[n + 1];
        n += 2;
    }
    if (ax->c && (err = kdo__expr_compile_node(c, ax->c, &ix[n++])))
        return err;
    if (ax->c)
        results[nr++] = ix[n - 1];
    if ((err = kdo__expr_add(c, KDO__X_CASE, -1, -1, -1, ax->line, ax->col, out)))
        return err;
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->argv = kdo__expr_push_args(c, ix, n);
    nd->argc = n;
    nd->aux = (ax->a ? 1 : 0) | (ax->c ? 2 : 0);
    if ((err = kdo__expr_variadic_type(c, *out, results, nr, 1, "CASE")))
        return err;
    return kdo__expr_deepen(c, *out);
}

int kdo__expr_predicate(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    switch (ax->kind) {
    case KDO_AST_IS:
        return is_pred(c, ax, out);
    case KDO_AST_BETWEEN:
        return between(c, ax, out);
    case KDO_AST_IN:
        return in_list(c, ax, out);
    case KDO_AST_LIKE:
        return like(c, ax, out);
    default:
        return case_expr(c, ax, out);
    }
}
