/*
 * expr_eval.c -- evaluation of a compiled expression over one row.
 *
 * A recursive walk over the node array; its depth is bounded by
 * KDO_EXPR_MAX_DEPTH because every node's depth was checked at compile
 * time.  Operand types were checked then too, so the walk only sees the
 * combinations the checks let through (and NULLs).  AND and OR evaluate
 * their right operand only when the left does not decide, so
 * "X <> 0 AND 1 / X > 2" never divides by zero.
 */
#include "sql/expr-int.h"

#include <math.h>
#include <string.h>

struct eval {
    const struct kdo_expr *x;
    const struct kdo_row *row;
    struct kdo_arena *scratch;
    struct kdo_errinfo *e;
};

static int eval_node(struct eval *ev, int i, struct kdo_value *out);

static int fail(struct eval *ev, const struct kdo__expr_node *nd, const char *what)
{
    return kdo__expr_error(ev->x->text, ev->x->text_len, nd->pos, ev->e, KDO_EINVAL, "%s", what);
}

static int bigint_arith(struct eval *ev, const struct kdo__expr_node *nd, int64_t a, int64_t b,
                        struct kdo_value *out)
{
    int64_t r = 0;
    bool over = false;
    switch (nd->op) {
    case KDO__X_ADD:
        over = __builtin_add_overflow(a, b, &r);
        break;
    case KDO__X_SUB:
        over = __builtin_sub_overflow(a, b, &r);
        break;
    case KDO__X_MUL:
        over = __builtin_mul_overflow(a, b, &r);
        break;
    default:
        if (b == 0)
            return fail(ev, nd, "division by zero");
        over = a == INT64_MIN && b == -1;
        r = over ? 0 : a / b;
        break;
    }
    if (over)
        return fail(ev, nd, "BIGINT overflow");
    *out = kdo_value_bigint(r);
    return 0;
}

static double as_double(const struct kdo_value *v)
{
    return v->type == KDO_TYPE_BIGINT ? (double)v->u.i : v->u.d;
}

static int arith(struct eval *ev, const struct kdo__expr_node *nd, const struct kdo_value *a,
                 const struct kdo_value *b, struct kdo_value *out)
{
    if (a->type == KDO_TYPE_NULL || b->type == KDO_TYPE_NULL) {
        *out = kdo_value_null();
        return 0;
    }
    if (a->type == KDO_TYPE_BIGINT && b->type == KDO_TYPE_BIGINT)
        return bigint_arith(ev, nd, a->u.i, b->u.i, out);
    double x = as_double(a), y = as_double(b), r;
    switch (nd->op) {
    case KDO__X_ADD:
        r = x + y;
        break;
    case KDO__X_SUB:
        r = x - y;
        break;
    case KDO__X_MUL:
        r = x * y;
        break;
    default:
        if (y == 0)
            return fail(ev, nd, "division by zero");
        r = x / y;
        break;
    }
    if (!isfinite(r))
        return fail(ev, nd, "DOUBLE overflow");
    *out = kdo_value_double(r);
    return 0;
}

static int negate(struct eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    bool abs_only = nd->op == KDO__X_ABS;
    if (v->type == KDO_TYPE_BIGINT) {
        if (abs_only && v->u.i >= 0)
            return 0;
        if (v->u.i == INT64_MIN)
            return fail(ev, nd, "BIGINT overflow");
        v->u.i = -v->u.i;
    } else if (v->type == KDO_TYPE_DOUBLE) {
        v->u.d = abs_only ? fabs(v->u.d) : -v->u.d;
    }
    return 0;
}

static struct kdo_value truth(enum kdo_tv tv)
{
    return tv == KDO_TV_UNKNOWN ? kdo_value_null() : kdo_value_bool(tv == KDO_TV_TRUE);
}

static enum kdo_tv tv_of(const struct kdo_value *v)
{
    return v->type == KDO_TYPE_NULL ? KDO_TV_UNKNOWN : v->u.b ? KDO_TV_TRUE : KDO_TV_FALSE;
}

static struct kdo_value compare(enum kdo__expr_op op, const struct kdo_value *a,
                                const struct kdo_value *b)
{
    enum kdo_order o = kdo_value_compare(a, b);
    if (o == KDO_ORDER_UNKNOWN || o == KDO_ORDER_INCOMPARABLE)
        return kdo_value_null();
    switch (op) {
    case KDO__X_EQ:
        return kdo_value_bool(o == KDO_ORDER_EQ);
    case KDO__X_NE:
        return kdo_value_bool(o != KDO_ORDER_EQ);
    case KDO__X_LT:
        return kdo_value_bool(o == KDO_ORDER_LT);
    case KDO__X_LE:
        return kdo_value_bool(o != KDO_ORDER_GT);
    case KDO__X_GT:
        return kdo_value_bool(o == KDO_ORDER_GT);
    default:
        return kdo_value_bool(o != KDO_ORDER_LT);
    }
}

/* AND / OR: the left operand decides alone when it is FALSE / TRUE. */
static int logic(struct eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out)
{
    enum kdo_tv decides = nd->op == KDO__X_AND ? KDO_TV_FALSE : KDO_TV_TRUE;
    struct kdo_value a, b;
    int err = eval_node(ev, nd->a, &a);
    if (err)
        return err;
    enum kdo_tv ta = tv_of(&a);
    if (ta == decides) {
        *out = truth(ta);
        return 0;
    }
    if ((err = eval_node(ev, nd->b, &b)))
        return err;
    enum kdo_tv tb = tv_of(&b);
    if (tb == decides)
        *out = truth(tb);
    else
        *out = truth(ta == KDO_TV_UNKNOWN || tb == KDO_TV_UNKNOWN ? KDO_TV_UNKNOWN : ta);
    return 0;
}

static int change_case(struct eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    if (v->type != KDO_TYPE_VARCHAR)
        return 0;
    char *o;
    if (kdo_arena_alloc(ev->scratch, v->u.str.len, &o))
        return kdo__expr_error(ev->x->text, ev->x->text_len, nd->pos, ev->e, KDO_ETOOBIG,
                               "string space exhausted");
    bool up = nd->op == KDO__X_UPPER;
    for (size_t k = 0; k < v->u.str.len; k++) {
        char c = v->u.str.s[k];
        if (up && c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        else if (!up && c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        o[k] = c;
    }
    v->u.str.s = o;
    return 0;
}

/* Rounds a TIMESTAMP down to a multiple of the node's width counted from
 * the Unix epoch (floor, not truncation, before 1970).  A width that does
 * not divide the 719162 days from 0001-01-01 to the epoch can reach below
 * year 0001 from that year's first days. */
static int step(struct eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    int64_t w = nd->width_ms, r = v->u.ts_ms % w, t = v->u.ts_ms - r;
    if ((r < 0 && __builtin_sub_overflow(t, w, &t)) || t < KDO_TIMESTAMP_MIN_MS)
        return fail(ev, nd, "STEP result is before year 0001");
    v->u.ts_ms = t;
    return 0;
}

static int cast(struct eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    struct kdo_value in = *v;
    struct kdo_errinfo why = {0};
    int err = kdo_value_cast(&in, nd->type, nd->max_len, ev->scratch, v, &why);
    if (err)
        return kdo__expr_error(ev->x->text, ev->x->text_len, nd->pos, ev->e, err, "%s", why.msg);
    return 0;
}

/* The one-operand nodes, after their operand is in *v. */
static int unary(struct eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    switch (nd->op) {
    case KDO__X_IS_NULL:
    case KDO__X_IS_NOT_NULL:
        *v = kdo_value_bool((v->type == KDO_TYPE_NULL) == (nd->op == KDO__X_IS_NULL));
        return 0;
    case KDO__X_CAST:
        return cast(ev, nd, v);
    default:
        break;
    }
    if (v->type == KDO_TYPE_NULL)
        return 0;
    switch (nd->op) {
    case KDO__X_NOT:
        v->u.b = !v->u.b;
        return 0;
    case KDO__X_CHAR_LENGTH:
        *v = kdo_value_bigint((int64_t)kdo_utf8_length(v->u.str.s, v->u.str.len));
        return 0;
    case KDO__X_UPPER:
    case KDO__X_LOWER:
        return change_case(ev, nd, v);
    case KDO__X_FLOOR:
        if (v->type == KDO_TYPE_DOUBLE)
            v->u.d = floor(v->u.d);
        return 0;
    case KDO__X_FLOOR_TO:
    case KDO__X_STEP:
        return step(ev, nd, v);
    default:
        return negate(ev, nd, v);
    }
}

static int eval_node(struct eval *ev, int i, struct kdo_value *out)
{
    const struct kdo__expr_node *nd = &ev->x->nodes[i];
    struct kdo_value a, b;
    int err;
    switch (nd->op) {
    case KDO__X_LIT:
        *out = nd->lit;
        return 0;
    case KDO__X_COL:
        *out = *kdo_row_get(ev->row, nd->col);
        return 0;
    case KDO__X_AND:
    case KDO__X_OR:
        return logic(ev, nd, out);
    default:
        break;
    }
    if ((err = eval_node(ev, nd->a, &a)))
        return err;
    if (nd->b < 0) {
        *out = a;
        return unary(ev, nd, out);
    }
    if ((err = eval_node(ev, nd->b, &b)))
        return err;
    if (nd->op >= KDO__X_ADD && nd->op <= KDO__X_DIV)
        return arith(ev, nd, &a, &b, out);
    *out = compare(nd->op, &a, &b);
    return 0;
}

int kdo_expr_eval(const struct kdo_expr *x, const struct kdo_row *r, struct kdo_arena *scratch,
                  struct kdo_value *out, struct kdo_errinfo *e)
{
    struct eval ev = {x, r, scratch, e};
    return eval_node(&ev, x->root, out);
}

int kdo_expr_test(const struct kdo_expr *x, const struct kdo_row *r, struct kdo_arena *scratch,
                  enum kdo_tv *tv, struct kdo_errinfo *e)
{
    enum kdo_type t = kdo_expr_type(x);
    if (t != KDO_TYPE_BOOLEAN && t != KDO_TYPE_NULL)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 1, 1, "a %s expression is not a condition",
                               kdo_type_name(t));
    struct kdo_value v;
    int err = kdo_expr_eval(x, r, scratch, &v, e);
    if (err)
        return err;
    *tv = tv_of(&v);
    return 0;
}
