/*
 * expr-type.c -- the type rules of arithmetic, applied as each operator is
 * compiled: numbers combine to DOUBLE over DECIMAL over BIGINT, a DECIMAL
 * result takes KDA's precision and scale (SR numeric-types-precision, capped
 * at 18 digits), TIMESTAMP +- INTERVAL and INTERVAL arithmetic keep a
 * qualifier where one is known (for CAST to text), and (t1 - t2) qualifier
 * turns two TIMESTAMPs into an INTERVAL.  The evaluator (expr_eval.c) trusts
 * these checks: it only sees the combinations let through here.
 */
#include "sql/expr-int.h"

static enum kdo_type type_of(struct kdo__expr_cc *c, int i)
{
    return c->x->nodes[i].type;
}

#define is_null(t) ((t) == KDO_TYPE_NULL)
#define numeric_or_null kdo__expr_numeric_or_null
#define is_interval kdo__expr_is_interval

enum kdo_type kdo__expr_number_type(enum kdo_type a, enum kdo_type b)
{
    if (a == KDO_TYPE_DOUBLE || b == KDO_TYPE_DOUBLE)
        return KDO_TYPE_DOUBLE;
    return a == KDO_TYPE_DECIMAL || b == KDO_TYPE_DECIMAL ? KDO_TYPE_DECIMAL : KDO_TYPE_BIGINT;
}

#define number_type kdo__expr_number_type

void kdo__expr_decimal_ps(const struct kdo__expr_node *n, int *prec, int *scale)
{
    if (n->type == KDO_TYPE_DECIMAL) {
        *prec = n->prec;
        *scale = n->scale;
    } else { /* BIGINT (a column: 19 digits) or NULL */
        *prec = n->prec ? n->prec : 19;
        *scale = 0;
    }
}

static int cap(int v)
{
    return v > KDO_DECIMAL_MAX_DIGITS ? KDO_DECIMAL_MAX_DIGITS : v;
}

/* KDA's result precision and scale (SR numeric-types-precision), capped at
 * 18 digits.  Division: d = p1 - s1 + s2 whole digits and s = max(6, s1 + p2
 * + 1), then, past 18 digits, the scale gives way down to s1 (so 5.0 / 2 is
 * 2.500000000000 with INTEGER's 10 digits, as the Reference shows). */
static void decimal_type(struct kdo__expr_cc *c, struct kdo__expr_node *nd)
{
    int p1, s1, p2, s2, p, s;
    kdo__expr_decimal_ps(&c->x->nodes[nd->a], &p1, &s1);
    kdo__expr_decimal_ps(&c->x->nodes[nd->b], &p2, &s2);
    switch (nd->op) {
    case KDO__X_MUL:
        s = s1 + s2;
        p = p1 + p2;
        break;
    case KDO__X_DIV: {
        int d = p1 - s1 + s2;
        s = 6 > s1 + p2 + 1 ? 6 : s1 + p2 + 1;
        if (d + s > KDO_DECIMAL_MAX_DIGITS)
            s = KDO_DECIMAL_MAX_DIGITS - d > s1 ? KDO_DECIMAL_MAX_DIGITS - d : s1;
        p = d + s;
        break;
    }
    default: /* + and - */
        s = s1 > s2 ? s1 : s2;
        p = (p1 - s1 > p2 - s2 ? p1 - s1 : p2 - s2) + s + 1;
        break;
    }
    nd->scale = cap(s);
    nd->prec = cap(p) < nd->scale ? nd->scale : cap(p);
}

/* + and -: numbers; TIMESTAMP +- INTERVAL; INTERVAL +- INTERVAL of one kind. */
static enum kdo_type additive(enum kdo_type a, enum kdo_type b, bool plus)
{
    if (numeric_or_null(a) && numeric_or_null(b))
        return number_type(a, b);
    if (a == KDO_TYPE_TIMESTAMP && (is_interval(b) || is_null(b)))
        return KDO_TYPE_TIMESTAMP;
    if (plus && is_interval(a) && b == KDO_TYPE_TIMESTAMP)
        return KDO_TYPE_TIMESTAMP;
    if (is_interval(a) && (b == a || is_null(b)))
        return a;
    if (is_null(a) && (is_interval(b) || (plus && b == KDO_TYPE_TIMESTAMP)))
        return b;
    return KDO_TYPE_NULL;
}

/* * and /: numbers; INTERVAL * number, number * INTERVAL, INTERVAL / number. */
static enum kdo_type multiplicative(enum kdo_type a, enum kdo_type b, bool times)
{
    if (numeric_or_null(a) && numeric_or_null(b))
        return number_type(a, b);
    if (is_interval(a) && numeric_or_null(b))
        return a;
    if (times && numeric_or_null(a) && is_interval(b))
        return b;
    return KDO_TYPE_NULL;
}

/* An INTERVAL result's qualifier, for its text: a sum spans both operands'
 * (DAY + DAY TO HOUR is DAY TO HOUR); a product keeps the interval's. */
static void interval_qualifier(struct kdo__expr_cc *c, struct kdo__expr_node *nd)
{
    const struct kdo__expr_node *a = &c->x->nodes[nd->a], *b = &c->x->nodes[nd->b];
    if (!is_interval(a->type) || (is_interval(b->type) && b->q_start == KDO_AST_UNIT_NONE))
        a = b;
    nd->q_start = a->q_start;
    nd->q_end = a->q_end;
    if (is_interval(b->type) && b->q_start != KDO_AST_UNIT_NONE && a != b) {
        nd->q_start = b->q_start < nd->q_start ? b->q_start : nd->q_start;
        nd->q_end = b->q_end > nd->q_end ? b->q_end : nd->q_end;
    }
}

int kdo__expr_arith_type(struct kdo__expr_cc *c, int n, const char *what)
{
    struct kdo__expr_node *nd = &c->x->nodes[n];
    enum kdo_type ta = type_of(c, nd->a), tb = type_of(c, nd->b), t;
    switch (nd->op) {
    case KDO__X_ADD:
    case KDO__X_SUB:
        t = additive(ta, tb, nd->op == KDO__X_ADD);
        if (nd->op == KDO__X_SUB && ta == KDO_TYPE_TIMESTAMP && tb == KDO_TYPE_TIMESTAMP)
            return kdo__expr_fail(c->e, nd->line, nd->col, KDO_ESCHEMA,
                                  "TIMESTAMP - TIMESTAMP needs an interval qualifier, as in "
                                  "(t1 - t2) SECOND or (t1 - t2) DAY TO SECOND; TSDIFF(t1, t2) "
                                  "gives the milliseconds");
        break;
    case KDO__X_MOD:
        t = (ta == KDO_TYPE_BIGINT || is_null(ta)) && (tb == KDO_TYPE_BIGINT || is_null(tb))
                ? KDO_TYPE_BIGINT
                : KDO_TYPE_NULL;
        break;
    default:
        t = multiplicative(ta, tb, nd->op == KDO__X_MUL);
        break;
    }
    if (t == KDO_TYPE_NULL)
        return kdo__expr_mismatch(c, n, what);
    nd->type = t;
    if (t == KDO_TYPE_DECIMAL)
        decimal_type(c, nd);
    if (is_interval(t))
        interval_qualifier(c, nd);
    return 0;
}

/* (t1 - t2) qualifier: the difference of two TIMESTAMPs as an INTERVAL,
 * cut toward zero to the qualifier's last unit (SECOND keeps milliseconds). */
int kdo__expr_qualified(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    const struct kdo_ast_expr *in = ax->a;
    enum kdo_ast_unit start = ax->qual.start, end = ax->qual.end ? ax->qual.end : start;
    if (in->kind != KDO_AST_BINOP || in->op != KDO_AST_OP_SUB)
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE,
                              "an interval qualifier after (...) only follows TIMESTAMP - "
                              "TIMESTAMP, as in (t1 - t2) SECOND");
    if (start <= KDO_AST_UNIT_MONTH || end < start)
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE,
                              "(t1 - t2) needs a day-time qualifier (DAY .. SECOND): year-month "
                              "intervals are not supported (KDA)");
    int a, b, line, col, err;
    if ((err = kdo__expr_compile_node(c, in->a, &a)) ||
        (err = kdo__expr_compile_node(c, in->b, &b)))
        return err;
    kdo__expr_operator_pos(c, in, &line, &col);
    if ((err = kdo__expr_add(c, KDO__X_QUALIFY, a, b, -1, line, col, out)))
        return err;
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->type = KDO_TYPE_INTERVAL_DS;
    nd->q_start = start;
    nd->q_end = end;
    nd->width_ms = end == KDO_AST_UNIT_SECOND ? 1 : kdo__expr_unit_ms(end);
    enum kdo_type ta = type_of(c, a), tb = type_of(c, b);
    if ((ta != KDO_TYPE_TIMESTAMP && !is_null(ta)) || (tb != KDO_TYPE_TIMESTAMP && !is_null(tb)))
        return kdo__expr_mismatch(c, *out, "(a - b) with a qualifier");
    return 0;
}

