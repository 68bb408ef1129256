/*
 * expr_eval-fn.c -- evaluating the functions and predicates beyond plain
 * arithmetic and comparison: BETWEEN, IN, LIKE, CASE, COALESCE, NULLIF, ||,
 * the string functions, the numeric ones, TIMESTAMP and INTERVAL arithmetic
 * and the time functions.
 *
 * NULL rules are KDA's: a NULL operand gives NULL (UNKNOWN for predicates),
 * except where the SQL Reference documents otherwise (COALESCE, CASE, IN
 * with a matching member, TIMESTAMP_TO_CHAR of a NULL time, which is the
 * string "null", GAPS #23).  Errors KDA raises (MOD by zero, POWER(0, -1),
 * LN(0), a TRIM character that is not one character) are evaluation errors
 * at the function's position; KDA writes such rows to the error stream.
 */
#include "sql/expr_eval-int.h"

#include <math.h>
#include <string.h>

#define fail(ev, nd, what) kdo__eval_fail((ev), (nd), KDO_EINVAL, (what))

/* A new string of n bytes in the scratch arena. */
static int scratch_alloc(struct kdo__eval *ev, const struct kdo__expr_node *nd, size_t n,
                         char **o)
{
    if (kdo_arena_alloc(ev->scratch, n, o))
        return kdo__eval_fail(ev, nd, KDO_ETOOBIG, "string space exhausted");
    (*o)[n] = '\0';
    return 0;
}

/* --- predicates of several operands ---------------------------------------- */

static enum kdo_tv tv_and(enum kdo_tv a, enum kdo_tv b)
{
    if (a == KDO_TV_FALSE || b == KDO_TV_FALSE)
        return KDO_TV_FALSE;
    return a == KDO_TV_UNKNOWN || b == KDO_TV_UNKNOWN ? KDO_TV_UNKNOWN : KDO_TV_TRUE;
}

static enum kdo_tv tv_not(enum kdo_tv a, bool neg)
{
    return !neg || a == KDO_TV_UNKNOWN ? a : a == KDO_TV_TRUE ? KDO_TV_FALSE : KDO_TV_TRUE;
}

static enum kdo_tv order_tv(enum kdo_order o, bool le)
{
    if (o == KDO_ORDER_UNKNOWN || o == KDO_ORDER_INCOMPARABLE)
        return KDO_TV_UNKNOWN;
    return (le ? o != KDO_ORDER_GT : o != KDO_ORDER_LT) ? KDO_TV_TRUE : KDO_TV_FALSE;
}

static int between(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out)
{
    struct kdo_value a, lo, hi;
    int err;
    if ((err = kdo__eval_node(ev, nd->a, &a)) || (err = kdo__eval_node(ev, nd->b, &lo)) ||
        (err = kdo__eval_node(ev, nd->c, &hi)))
        return err;
    enum kdo_tv r = tv_and(order_tv(kdo_value_compare(&a, &lo), false),
                           order_tv(kdo_value_compare(&a, &hi), true));
    *out = kdo__eval_truth(tv_not(r, nd->neg));
    return 0;
}

/* TRUE on a match; otherwise UNKNOWN if a member (or a) was NULL, else FALSE. */
static int in_list(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out)
{
    struct kdo_value a, v;
    int err = kdo__eval_node(ev, nd->a, &a);
    enum kdo_tv r = a.type == KDO_TYPE_NULL ? KDO_TV_UNKNOWN : KDO_TV_FALSE;
    for (int k = 0; !err && r != KDO_TV_TRUE && a.type != KDO_TYPE_NULL && k < nd->argc; k++) {
        if ((err = kdo__eval_node(ev, ev->x->argv[nd->argv + k], &v)))
            break;
        enum kdo_tv t = kdo_value_equal(&a, &v);
        if (t != KDO_TV_FALSE)
            r = t;
    }
    *out = kdo__eval_truth(tv_not(r, nd->neg));
    return err;
}

static int like(struct kdo__eval *ev, const struct kdo__expr_node *nd, const struct kdo_value *s,
                const struct kdo_value *p, const struct kdo_value *esc, struct kdo_value *out)
{
    if (s->type == KDO_TYPE_NULL || p->type == KDO_TYPE_NULL ||
        (esc && esc->type == KDO_TYPE_NULL)) {
        *out = kdo_value_null();
        return 0;
    }
    bool m;
    if (kdo__expr_like(s->u.str.s, s->u.str.len, p->u.str.s, p->u.str.len,
                       esc ? esc->u.str.s : NULL, esc ? esc->u.str.len : 0, &m))
        return fail(ev, nd, "bad LIKE pattern or ESCAPE (one character, before _, % or itself)");
    *out = kdo_value_bool(m != nd->neg);
    return 0;
}

/* A result of a CASE or COALESCE takes the node's numeric type: BIGINT or
 * DECIMAL into DOUBLE, BIGINT into DECIMAL, a DECIMAL to the widest scale. */
static int widen(struct kdo__eval *ev, const struct kdo__expr_node *nd, int err,
                 struct kdo_value *v)
{
    if (err || v->type == nd->type || !kdo_type_numeric(v->type) ||
        (v->type == KDO_TYPE_DECIMAL && v->u.dec.scale == nd->scale))
        return err;
    if (nd->type == KDO_TYPE_DOUBLE) {
        *v = kdo_value_double(kdo__eval_double(v));
        return 0;
    }
    struct kdo_value in = *v;
    if (kdo_value_cast_decimal(&in, KDO_DECIMAL_MAX_DIGITS, nd->scale, v, NULL))
        return fail(ev, nd, "DECIMAL overflow");
    return 0;
}

static int case_expr(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                     struct kdo_value *out)
{
    const int *arg = ev->x->argv + nd->argv;
    int n = nd->argc, k = 0, err;
    struct kdo_value operand, w;
    if ((nd->aux & 1) && (err = kdo__eval_node(ev, arg[k++], &operand)))
        return err;
    int pairs_end = (nd->aux & 2) ? n - 1 : n;
    for (; k < pairs_end; k += 2) {
        if ((err = kdo__eval_node(ev, arg[k], &w)))
            return err;
        enum kdo_tv t = (nd->aux & 1) ? kdo_value_equal(&operand, &w) : kdo__eval_tv(&w);
        if (t == KDO_TV_TRUE)
            return widen(ev, nd, kdo__eval_node(ev, arg[k + 1], out), out);
    }
    if (nd->aux & 2)
        return widen(ev, nd, kdo__eval_node(ev, arg[n - 1], out), out);
    *out = kdo_value_null();
    return 0;
}

static int coalesce(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out)
{
    *out = kdo_value_null();
    for (int k = 0; k < nd->argc && out->type == KDO_TYPE_NULL; k++) {
        int err = widen(ev, nd, kdo__eval_node(ev, ev->x->argv[nd->argv + k], out), out);
        if (err)
            return err;
    }
    return 0;
}

/* --- strings ------------------------------------------------------------------- */

static int substring(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                     const struct kdo_value *s, const struct kdo_value *from,
                     const struct kdo_value *count, struct kdo_value *out)
{
    if (s->type == KDO_TYPE_NULL || from->type == KDO_TYPE_NULL ||
        (count && count->type == KDO_TYPE_NULL)) {
        *out = kdo_value_null();
        return 0;
    }
    size_t off, len;
    bool null;
    if (kdo__expr_substring(s->u.str.s, s->u.str.len, from->u.i, count != NULL,
                            count ? count->u.i : 0, nd->aux == 1, &off, &len, &null))
        return fail(ev, nd, "SUBSTRING with a negative length");
    if (null) {
        *out = kdo_value_null();
        return 0;
    }
    char *o;
    int err = scratch_alloc(ev, nd, len, &o);
    if (err)
        return err;
    memcpy(o, s->u.str.s + off, len);
    *out = kdo_value_varchar(o, len);
    return 0;
}

/* TRIM([BOTH|LEADING|TRAILING] [c] FROM s): c one character (space if none). */
static int trim(struct kdo__eval *ev, const struct kdo__expr_node *nd, const struct kdo_value *c,
                const struct kdo_value *s, struct kdo_value *out)
{
    if (s->type == KDO_TYPE_NULL || (c && c->type == KDO_TYPE_NULL)) {
        *out = kdo_value_null();
        return 0;
    }
    const char *ch = c ? c->u.str.s : " ";
    size_t cn = c ? c->u.str.len : 1;
    if (kdo_utf8_length(ch, cn) != 1)
        return fail(ev, nd, "TRIM's character must be exactly one character");
    const char *p = s->u.str.s;
    size_t n = s->u.str.len;
    while (nd->aux != KDO_AST_OP_TRAILING && n >= cn && memcmp(p, ch, cn) == 0)
        p += cn, n -= cn;
    while (nd->aux != KDO_AST_OP_LEADING && n >= cn && memcmp(p + n - cn, ch, cn) == 0)
        n -= cn;
    char *o;
    int err = scratch_alloc(ev, nd, n, &o);
    if (err)
        return err;
    memcpy(o, p, n);
    *out = kdo_value_varchar(o, n);
    return 0;
}

static int concat(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                  const struct kdo_value *a, const struct kdo_value *b, struct kdo_value *out)
{
    char *o;
    size_t n = a->u.str.len + b->u.str.len;
    int err = scratch_alloc(ev, nd, n, &o);
    if (err)
        return err;
    memcpy(o, a->u.str.s, a->u.str.len);
    memcpy(o + a->u.str.len, b->u.str.s, b->u.str.len);
    *out = kdo_value_varchar(o, n);
    return 0;
}

static int change_case(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                       struct kdo_value *v)
{
    char *o;
    int err = scratch_alloc(ev, nd, v->u.str.len, &o);
    if (err)
        return err;
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

int kdo__eval_pad(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    size_t have = kdo_utf8_length(v->u.str.s, v->u.str.len);
    if (have >= nd->max_len)
        return 0;
    char *o;
    size_t n = v->u.str.len + (nd->max_len - have);
    int err = scratch_alloc(ev, nd, n, &o);
    if (err)
        return err;
    memcpy(o, v->u.str.s, v->u.str.len);
    memset(o + v->u.str.len, ' ', n - v->u.str.len);
    *v = kdo_value_varchar(o, n);
    return 0;
}

/* --- time ----------------------------------------------------------------------- */

/* Rounds a TIMESTAMP down (or up) to a multiple of the node's width counted
 * from the Unix epoch (floor, not truncation, before 1970), or to whole
 * months from 1970-01 (aux). */
static int bucket(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    int64_t w = nd->width_ms, t;
    if (nd->aux) {
        if (kdo__expr_floor_months(v->u.ts_ms, w, nd->op == KDO__X_CEIL_TO, &t))
            return fail(ev, nd, "result outside years 0001 to 9999");
    } else {
        int64_t r = v->u.ts_ms % w;
        t = v->u.ts_ms - r;
        if (r < 0)
            t -= w;
        if (nd->op == KDO__X_CEIL_TO && t != v->u.ts_ms)
            t += w;
        if (t < KDO_TIMESTAMP_MIN_MS)
            return fail(ev, nd, "STEP result is before year 0001");
        if (t > KDO_TIMESTAMP_MAX_MS)
            return fail(ev, nd, "result is after year 9999");
    }
    v->u.ts_ms = t;
    return 0;
}

static int timestamp_of(struct kdo__eval *ev, const struct kdo__expr_node *nd, int64_t ms,
                        struct kdo_value *out)
{
    if (ms < KDO_TIMESTAMP_MIN_MS || ms > KDO_TIMESTAMP_MAX_MS)
        return fail(ev, nd, "TIMESTAMP outside years 0001 to 9999");
    *out = kdo_value_timestamp(ms);
    return 0;
}

/* interval * or / a number, exactly for BIGINT, rounded to the unit for DOUBLE. */
static int scale(struct kdo__eval *ev, const struct kdo__expr_node *nd, int64_t iv,
                 const struct kdo_value *k, int64_t *r)
{
    bool div = nd->op == KDO__X_DIV;
    if (k->type == KDO_TYPE_BIGINT) {
        if (div && k->u.i == 0)
            return fail(ev, nd, "division by zero");
        if (div && k->u.i == -1 && iv == INT64_MIN)
            return fail(ev, nd, "INTERVAL overflow");
        if (div)
            *r = iv / k->u.i;
        else if (__builtin_mul_overflow(iv, k->u.i, r))
            return fail(ev, nd, "INTERVAL overflow");
        return 0;
    }
    double kd = kdo__eval_double(k);
    if (div && kd == 0)
        return fail(ev, nd, "division by zero");
    double d = div ? (double)iv / kd : (double)iv * kd;
    if (!(d > -9.2e18 && d < 9.2e18))
        return fail(ev, nd, "INTERVAL overflow");
    *r = (int64_t)llround(d);
    return 0;
}

int kdo__eval_time_arith(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                         const struct kdo_value *a, const struct kdo_value *b,
                         struct kdo_value *out)
{
    bool sub = nd->op == KDO__X_SUB;
    if (nd->op == KDO__X_MUL || nd->op == KDO__X_DIV) {
        bool a_iv = !kdo_type_numeric(a->type);
        out->type = nd->type;
        return scale(ev, nd, a_iv ? a->u.i : b->u.i, a_iv ? b : a, &out->u.i);
    }
    if (nd->type != KDO_TYPE_TIMESTAMP) { /* interval +- interval */
        out->type = nd->type;
        if (sub ? __builtin_sub_overflow(a->u.i, b->u.i, &out->u.i)
                : __builtin_add_overflow(a->u.i, b->u.i, &out->u.i))
            return fail(ev, nd, "INTERVAL overflow");
        return 0;
    }
    const struct kdo_value *ts = a->type == KDO_TYPE_TIMESTAMP ? a : b, *iv = ts == a ? b : a;
    int64_t n = iv->u.i, r;
    if (sub && n == INT64_MIN)
        return fail(ev, nd, "INTERVAL overflow");
    n = sub ? -n : n;
    if (iv->type == KDO_TYPE_INTERVAL_YM) {
        if (kdo__expr_add_months(ts->u.ts_ms, n, &r))
            return fail(ev, nd, "TIMESTAMP outside years 0001 to 9999");
        *out = kdo_value_timestamp(r);
        return 0;
    }
    if (__builtin_add_overflow(ts->u.ts_ms, n, &r))
        return fail(ev, nd, "TIMESTAMP outside years 0001 to 9999");
    return timestamp_of(ev, nd, r, out);
}

/* An interval as the count of its qualifier's last unit (SECOND: to the ms
 * for a DECIMAL); BIGINT truncates toward zero. */
static int interval_number(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                           const struct kdo__expr_node *src, struct kdo_value *v)
{
    int64_t w = kdo__expr_unit_ms(src->q_end);
    struct kdo_value n = kdo_value_bigint(v->u.i / w), in;
    if (nd->type == KDO_TYPE_BIGINT) {
        *v = n;
        return 0;
    }
    in = src->q_end == KDO_AST_UNIT_SECOND ? kdo_value_decimal(v->u.i, 3) : n;
    struct kdo_errinfo why = {0};
    if (kdo_value_cast_decimal(&in, nd->prec, nd->scale, v, &why))
        return fail(ev, nd, why.msg);
    return 0;
}

int kdo__eval_interval_cast(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                            struct kdo_value *v)
{
    const struct kdo__expr_node *src = &ev->x->nodes[nd->a];
    char buf[64], *o;
    if (v->type == KDO_TYPE_NULL || v->type == nd->type)
        return 0;
    if (kdo__eval_is_interval(nd->type)) { /* from text */
        struct kdo_value r;
        if (kdo__expr_interval_text(v->u.str.s, v->u.str.len, nd->q_start, nd->q_end, &r) ||
            r.type != nd->type)
            return fail(ev, nd, "cannot convert the text to that INTERVAL");
        *v = r;
        return 0;
    }
    if (nd->type != KDO_TYPE_VARCHAR)
        return interval_number(ev, nd, src, v);
    size_t n = kdo__expr_interval_format(v->u.i, src->q_start, src->q_end, buf);
    if (nd->max_len && n > nd->max_len)
        return fail(ev, nd, "the INTERVAL's text does not fit in the VARCHAR");
    int err = scratch_alloc(ev, nd, n, &o);
    if (err)
        return err;
    memcpy(o, buf, n);
    *v = kdo_value_varchar(o, n);
    return 0;
}

static int math(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *v)
{
    double x = kdo__eval_double(v);
    switch (nd->aux) {
    case KDO__M_SQRT:
        if (x < 0)
            return fail(ev, nd, "SQRT of a negative number");
        return kdo__eval_finite(ev, nd, sqrt(x), v);
    case KDO__M_LN:
    case KDO__M_LOG10:
        if (x <= 0)
            return fail(ev, nd, "logarithm of a number that is not positive");
        return kdo__eval_finite(ev, nd, nd->aux == KDO__M_LN ? log(x) : log10(x), v);
    default:
        return kdo__eval_finite(ev, nd, exp(x), v);
    }
}

int kdo__eval_unary_fn(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                       struct kdo_value *v)
{
    switch (nd->op) {
    case KDO__X_CHAR_LENGTH:
        *v = kdo_value_bigint((int64_t)kdo_utf8_length(v->u.str.s, v->u.str.len));
        return 0;
    case KDO__X_UPPER:
    case KDO__X_LOWER:
        return change_case(ev, nd, v);
    case KDO__X_MATH:
        return math(ev, nd, v);
    case KDO__X_FLOOR_TO:
    case KDO__X_CEIL_TO:
    case KDO__X_STEP:
        return bucket(ev, nd, v);
    case KDO__X_UNIX_TS:
        *v = kdo_value_bigint(v->u.ts_ms);
        return 0;
    case KDO__X_TO_TS:
        return timestamp_of(ev, nd, v->u.i, v);
    default:
        return fail(ev, nd, "internal: no such one-operand function");
    }
}

static int power(struct kdo__eval *ev, const struct kdo__expr_node *nd, const struct kdo_value *a,
                 const struct kdo_value *b, struct kdo_value *out)
{
    double x = kdo__eval_double(a), y = kdo__eval_double(b);
    if (x == 0 && y < 0)
        return fail(ev, nd, "POWER of zero to a negative exponent");
    double r = pow(x, y);
    if (isnan(r))
        return fail(ev, nd, "POWER of a negative number to a fractional exponent");
    return kdo__eval_finite(ev, nd, r, out);
}

static int ts_to_char(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                      const struct kdo_value *fmt, const struct kdo_value *ts,
                      struct kdo_value *out)
{
    char buf[512], *o;
    size_t n;
    if (ts->type == KDO_TYPE_NULL) {
        *out = kdo_value_varchar("null", 4); /* documented, GAPS #23 */
        return 0;
    }
    if (kdo__expr_ts_to_char(fmt->u.str.s, fmt->u.str.len, ts->u.ts_ms, buf, sizeof buf, &n))
        return fail(ev, nd, "TIMESTAMP_TO_CHAR: a template letter kdaout does not build, or "
                            "a result too long");
    int err = scratch_alloc(ev, nd, n, &o);
    if (err)
        return err;
    memcpy(o, buf, n);
    *out = kdo_value_varchar(o, n);
    return 0;
}

static int two_strings(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                       const struct kdo_value *a, const struct kdo_value *b,
                       struct kdo_value *out)
{
    int64_t ms;
    switch (nd->op) {
    case KDO__X_CONCAT:
        return concat(ev, nd, a, b, out);
    case KDO__X_POSITION:
        *out = kdo_value_bigint(
            kdo__expr_position(a->u.str.s, a->u.str.len, b->u.str.s, b->u.str.len));
        return 0;
    default: /* CHAR_TO_TIMESTAMP(format, text) */
        if (kdo__expr_char_to_ts(a->u.str.s, a->u.str.len, b->u.str.s, b->u.str.len, &ms))
            return fail(ev, nd, "CHAR_TO_TIMESTAMP: the text does not match the template");
        *out = kdo_value_timestamp(ms);
        return 0;
    }
}

static int64_t ms_of(const struct kdo_value *v)
{
    return v->type == KDO_TYPE_TIMESTAMP ? v->u.ts_ms : v->u.i;
}

int kdo__eval_binary_fn(struct kdo__eval *ev, const struct kdo__expr_node *nd,
                        const struct kdo_value *a, const struct kdo_value *b,
                        struct kdo_value *out)
{
    switch (nd->op) {
    case KDO__X_LIKE:
        return like(ev, nd, a, b, NULL, out);
    case KDO__X_SUBSTRING:
        return substring(ev, nd, a, b, NULL, out);
    case KDO__X_TRIM:
        return trim(ev, nd, a, b, out);
    case KDO__X_NULLIF:
        *out = kdo_value_equal(a, b) == KDO_TV_TRUE ? kdo_value_null() : *a;
        return 0;
    case KDO__X_TS_TO_CHAR:
        if (a->type == KDO_TYPE_NULL)
            break;
        return ts_to_char(ev, nd, a, b, out);
    case KDO__X_DISTINCT:
        *out = kdo_value_bool(kdo_value_same(a, b) == nd->neg);
        return 0;
    default:
        break;
    }
    if (a->type == KDO_TYPE_NULL || b->type == KDO_TYPE_NULL) {
        *out = kdo_value_null();
        return 0;
    }
    int64_t r;
    switch (nd->op) {
    case KDO__X_POWER:
        return power(ev, nd, a, b, out);
    case KDO__X_QUALIFY: /* both in years 0001..9999: no overflow */
        r = a->u.ts_ms - b->u.ts_ms;
        *out = (struct kdo_value){.type = KDO_TYPE_INTERVAL_DS, .u.i = r - r % nd->width_ms};
        return 0;
    case KDO__X_TSDIFF: /* first minus second, as public KDA SQL uses it (GAPS #12) */
        if (__builtin_sub_overflow(ms_of(a), ms_of(b), &r))
            return fail(ev, nd, "BIGINT overflow");
        *out = kdo_value_bigint(r);
        return 0;
    case KDO__X_STEP_NUM: /* the largest multiple of b <= a (GAPS #10) */
        if (b->u.i <= 0)
            return fail(ev, nd, "STEP by a number that is not positive");
        r = a->u.i % b->u.i;
        if (__builtin_sub_overflow(a->u.i - r, r < 0 ? b->u.i : 0, &r))
            return fail(ev, nd, "BIGINT overflow");
        *out = kdo_value_bigint(r);
        return 0;
    default:
        return two_strings(ev, nd, a, b, out);
    }
}

/* The row's processing instant, or the query's start (kdo_row_set_now/_start). */
static int clock_of(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out)
{
    int64_t ms;
    if (nd->aux ? kdo_row_start(ev->row, &ms) : kdo_row_now(ev->row, &ms))
        return fail(ev, nd, nd->aux ? "CURRENT_TIMESTAMP: the query's start instant was not given"
                                    : "CURRENT_ROW_TIMESTAMP: the row has no processing instant");
    *out = kdo_value_timestamp(ms);
    return 0;
}

int kdo__eval_many(struct kdo__eval *ev, const struct kdo__expr_node *nd, struct kdo_value *out)
{
    struct kdo_value a, b, c;
    int err;
    switch (nd->op) {
    case KDO__X_CLOCK:
        return clock_of(ev, nd, out);
    case KDO__X_BETWEEN:
        return between(ev, nd, out);
    case KDO__X_IN:
        return in_list(ev, nd, out);
    case KDO__X_CASE:
        return case_expr(ev, nd, out);
    case KDO__X_COALESCE:
        return coalesce(ev, nd, out);
    case KDO__X_TRIM: /* no character: a blank */
        return (err = kdo__eval_node(ev, nd->b, &b)) ? err : trim(ev, nd, NULL, &b, out);
    default:
        break;
    }
    if ((err = kdo__eval_node(ev, nd->a, &a)) || (err = kdo__eval_node(ev, nd->b, &b)) ||
        (err = kdo__eval_node(ev, nd->c, &c)))
        return err;
    if (nd->op == KDO__X_LIKE)
        return like(ev, nd, &a, &b, &c, out);
    return substring(ev, nd, &a, &b, &c, out);
}
