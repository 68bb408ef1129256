/*
 * expr_eval.c -- evaluation of a compiled expression over one row.
 *
 * A recursive walk over the node array; its depth is bounded by
 * KDO_EXPR_MAX_DEPTH because every node's depth was checked at compile
 * time.  Operand types were checked then too, so the walk only sees the
 * combinations the checks let through (and NULLs).  AND, OR, CASE and
 * COALESCE evaluate an operand only when the ones before do not decide, so
 * "X <> 0 AND 1 / X > 2" never divides by zero.  The functions of many
 * operands and the string and time ones are in expr_eval-fn.c.
 */
#include "sql/expr_eval-int.h"

#include <math.h>
#include <string.h>

int kdo__eval_fail(struct kdo__eval *ev, const struct kdo__expr_node *nd, int err,
                   const char *what)
{
    return kdo__expr_fail(ev->e, nd->line, nd->col, err, "%s", what);
}

#define fail(ev, nd, what) kdo__eval_fail((ev), (nd), KDO_EINVAL, (what))

static int bigint_arith(struct kdo__eval *ev, const struct kdo__expr_node *nd, int64_t a,
                        int64_t b, int64_t *r)
{
    bool over = false;
    switch (nd->op) {
    case KDO__X_ADD:
        over = __builtin_add_overflow(a, b, r);
        break;
    case KDO__X_SUB:
        over = __builtin_sub_overflow(a, b, r);
        break;
    case KDO__X_MUL:
        over = __builtin_mul_overflow(a, b, r);
        break;
    default: /* DIV, MOD: truncating, as C and KDA (5 / 2 = 2, MOD(-4, 3) = -1) */
        if (b == 0)
            return fail(ev, nd, "division by zero");
        over = a == INT64_MIN && b == -1;
        *r = over ? 0 : nd->op == KDO__X_MOD ? a % b : a / b;
        break;
    }
    if (over)
        return fail(ev, nd, "BIGINT overflow");
    return 0;
}

double kdo__eval_double(const struct kdo_value *v)
{
    if (v->type == KDO_TYPE_DECIMAL)
        return kdo_decimal_to_double(v->u.dec.v, v->u.dec.scale);
    return v->type == KDO_TYPE_BIGINT ? (double)v->u.i : v->u.d;
}

#define as_double kdo__eval_double

/* DECIMAL (or DECIMAL with BIGINT) arithmetic at the node's scale. */
static int decimal_arith(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                         const struct kdo_value *a, const struct kdo_value *b,
                         struct kdo_value *out)
{
    static const char ops[] = {[KDO__X_ADD] = '+', [KDO__X_SUB] = '-', [KDO__X_MUL] = '*',
                               [KDO__X_DIV] = '/'};
    bool da = a->type == KDO_TYPE_DECIMAL, db = b->type == KDO_TYPE_DECIMAL;
    int64_t r;
    int err = kdo_decimal_arith(ops[nd->op], da ? a->u.dec.v : a->u.i, da ? a->u.dec.scale : 0,
                                db ? b->u.dec.v : b->u.i, db ? b->u.dec.scale : 0, nd->scale, &r);
    if (err)
        return fail(ev, nd, err == KDO_EINVAL ? "division by zero" : "DECIMAL overflow");
    *out = kdo_value_decimal(r, nd->scale);
    return 0;
}

int kdo__eval_finite(struct kdo__eval *ev, const struct kdo__expr_node *nd, double r,
                     struct kdo_value *out)
{
    if (!isfinite(r))
        return fail(ev, nd, "DOUBLE overflow");
    *out = kdo_value_double(r);
    return 0;
}

static int double_arith(struct kdo__eval *ev, const struct kdo__expr_node *nd, double x, double y,
                        struct kdo_value *out)
{
    switch (nd->op) {
    case KDO__X_ADD:
        return kdo__eval_finite(ev, nd, x + y, out);
    case KDO__X_SUB:
        return kdo__eval_finite(ev, nd, x - y, out);
    case KDO__X_MUL:
        return kdo__eval_finite(ev, nd, x * y, out);
    default:
        if (y == 0)
            return fail(ev, nd, "division by zero");
        return kdo__eval_finite(ev, nd, x / y, out);
    }
}

static int arith(struct kdo__eval *ev, const struct kdo__expr_node *nd, const struct kdo_value *a,
                 const struct kdo_value *b, struct kdo_value *out)
{
    if (a->type == KDO_TYPE_NULL || b->type == KDO_TYPE_NULL) {
        *out = kdo_value_null();
        return 0;
    }
    if (a->type == KDO_TYPE_BIGINT && b->type == KDO_TYPE_BIGINT) {
        out->type = KDO_TYPE_BIGINT;
        return bigint_arith(ev, nd, a->u.i, b->u.i, &out->u.i);
    }
    if (nd->type == KDO_TYPE_DECIMAL)
        return decimal_arith(ev, nd, a, b, out);
    if (kdo_type_numeric(a->type) && kdo_type_numeric(b->type))
        return double_arith(ev, nd, as_double(a), as_double(b), out);
    return kdo__eval_time_arith(ev, nd, a, b, out);
}

static int negate(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    bool abs_only = nd->op == KDO__X_ABS;
    if (v->type == KDO_TYPE_DOUBLE) {
        v->u.d = abs_only ? fabs(v->u.d) : -v->u.d;
        return 0;
    }
    if (v->type == KDO_TYPE_DECIMAL) { /* |v| < 10^18: no overflow */
        v->u.dec.v = abs_only && v->u.dec.v >= 0 ? v->u.dec.v : -v->u.dec.v;
        return 0;
    }
    if (v->type == KDO_TYPE_NULL || (abs_only && v->u.i >= 0))
        return 0; /* BIGINT and the INTERVALs share u.i */
    if (v->u.i == INT64_MIN)
        return fail(ev, nd, "BIGINT overflow");
    v->u.i = -v->u.i;
    return 0;
}

struct kdo_value kdo__eval_truth(enum kdo_tv tv)
{
    return tv == KDO_TV_UNKNOWN ? kdo_value_null() : kdo_value_bool(tv == KDO_TV_TRUE);
}

enum kdo_tv kdo__eval_tv(const struct kdo_value *v)
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
static int logic(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out)
{
    enum kdo_tv decides = nd->op == KDO__X_AND ? KDO_TV_FALSE : KDO_TV_TRUE;
    struct kdo_value a, b;
    int err = kdo__eval_node(ev, nd->a, &a);
    if (err)
        return err;
    enum kdo_tv ta = kdo__eval_tv(&a);
    if (ta == decides) {
        *out = kdo__eval_truth(ta);
        return 0;
    }
    if ((err = kdo__eval_node(ev, nd->b, &b)))
        return err;
    enum kdo_tv tb = kdo__eval_tv(&b);
    if (tb == decides)
        *out = kdo__eval_truth(tb);
    else
        *out = kdo__eval_truth(ta == KDO_TV_UNKNOWN || tb == KDO_TV_UNKNOWN ? KDO_TV_UNKNOWN : ta);
    return 0;
}

/* CAST to an integer narrower than BIGINT, or to REAL: KDA's range checks. */
static int narrow(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    if (v->type == KDO_TYPE_BIGINT && nd->aux >= 8) {
        int64_t lim = INT64_C(1) << (nd->aux - 1);
        if (v->u.i < -lim || v->u.i >= lim)
            return fail(ev, nd, nd->aux == 32   ? "INTEGER overflow"
                                : nd->aux == 16 ? "SMALLINT overflow"
                                                : "TINYINT overflow");
    } else if (v->type == KDO_TYPE_DOUBLE && nd->aux == KDO__CAST_REAL) {
        float f = (float)v->u.d;
        if (!isfinite(f))
            return fail(ev, nd, "REAL overflow");
        v->u.d = f;
    } else if (v->type == KDO_TYPE_VARCHAR && nd->aux == KDO__CAST_CHAR) {
        return kdo__eval_pad(ev, nd, v);
    }
    return 0;
}

static int cast(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    struct kdo_value in = *v;
    struct kdo_errinfo why = {0};
    if (kdo__eval_is_interval(in.type) || kdo__eval_is_interval(nd->type)) {
        int err = kdo__eval_interval_cast(ev, nd, v);
        return err || !nd->aux ? err : narrow(ev, nd, v);
    }
    int err = nd->type == KDO_TYPE_DECIMAL
                  ? kdo_value_cast_decimal(&in, nd->prec, nd->scale, v, &why)
                  : kdo_value_cast(&in, nd->type, nd->max_len, ev->scratch, v, &why);
    if (err)
        return kdo__eval_fail(ev, nd, err, why.msg);
    return nd->aux ? narrow(ev, nd, v) : 0;
}

/* FLOOR / CEIL of a DECIMAL to a whole number (fewer digits: it fits). */
static int64_t decimal_floor(const struct kdo_value *v, bool ceil_up)
{
    int64_t p = kdo_decimal_pow10(v->u.dec.scale), q = v->u.dec.v / p, r = v->u.dec.v % p;
    if (r < 0 && !ceil_up)
        q--;
    else if (r > 0 && ceil_up)
        q++;
    return q;
}

static int is_pred(const struct kdo__expr_node *nd, struct kdo_value *v)
{
    bool r = nd->op == KDO__X_IS_NULL ? v->type == KDO_TYPE_NULL
                                      : kdo__eval_tv(v) == (enum kdo_tv)nd->aux;
    *v = kdo_value_bool(r != nd->neg);
    return 0;
}

/* The one-operand nodes, after their operand is in *v. */
static int unary(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    switch (nd->op) {
    case KDO__X_IS_NULL:
    case KDO__X_IS_TRUTH:
        return is_pred(nd, v);
    case KDO__X_CAST:
        return cast(ev, nd, v);
    case KDO__X_NEG:
    case KDO__X_ABS:
        return negate(ev, nd, v);
    default:
        break;
    }
    if (v->type == KDO_TYPE_NULL)
        return 0;
    switch (nd->op) {
    case KDO__X_NOT:
        v->u.b = !v->u.b;
        return 0;
    case KDO__X_FLOOR:
    case KDO__X_CEIL:
        if (v->type == KDO_TYPE_DOUBLE)
            v->u.d = nd->op == KDO__X_FLOOR ? floor(v->u.d) : ceil(v->u.d);
        else if (v->type == KDO_TYPE_DECIMAL)
            *v = kdo_value_decimal(decimal_floor(v, nd->op == KDO__X_CEIL), 0);
        return 0;
    default:
        return kdo__eval_unary_fn(ev, nd, v);
    }
}

static int binary(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out)
{
    struct kdo_value a, b;
    int err;
    if ((err = kdo__eval_node(ev, nd->a, &a)) || (err = kdo__eval_node(ev, nd->b, &b)))
        return err;
    switch (nd->op) {
    case KDO__X_ADD:
    case KDO__X_SUB:
    case KDO__X_MUL:
    case KDO__X_DIV:
    case KDO__X_MOD:
        return arith(ev, nd, &a, &b, out);
    case KDO__X_EQ:
    case KDO__X_NE:
    case KDO__X_LT:
    case KDO__X_LE:
    case KDO__X_GT:
    case KDO__X_GE:
        *out = compare(nd->op, &a, &b);
        return 0;
    default:
        return kdo__eval_binary_fn(ev, nd, &a, &b, out);
    }
}

int kdo__eval_node(struct kdo__eval *ev, int i, struct kdo_value *out)
{
    const struct kdo__expr_node *nd = &ev->x->nodes[i];
    switch (nd->op) {
    case KDO__X_LIT:
        *out = nd->lit;
        return 0;
    case KDO__X_COL:
        *out = *kdo_row_get(ev->row, nd->colno);
        return 0;
    case KDO__X_AND:
    case KDO__X_OR:
        return logic(ev, nd, out);
    case KDO__X_ADD:
    case KDO__X_SUB:
    case KDO__X_MUL:
    case KDO__X_DIV:
    case KDO__X_EQ:
    case KDO__X_NE:
    case KDO__X_LT:
    case KDO__X_LE:
    case KDO__X_GT:
    case KDO__X_GE:
        return binary(ev, nd, out); /* the hot cases first: no shape tests */
    default:
        break;
    }
    if (nd->argv >= 0 || nd->c >= 0 || nd->a < 0)
        return kdo__eval_many(ev, nd, out);
    if (nd->b >= 0)
        return binary(ev, nd, out);
    int err = kdo__eval_node(ev, nd->a, out);
    return err ? err : unary(ev, nd, out);
}

int kdo_expr_eval(const struct kdo_expr *x, const struct kdo_row *r, struct kdo_arena *scratch,
                  struct kdo_value *out, struct kdo_errinfo *e)
{
    struct kdo__eval ev = {x, r, scratch, e};
    return kdo__eval_node(&ev, x->root, out);
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
    *tv = kdo__eval_tv(&v);
    return 0;
}
