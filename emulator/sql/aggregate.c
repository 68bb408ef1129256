/*
 * aggregate.c -- accumulators and the two-stack sliding window.
 */
#include "sql/aggregate.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};

const char *kdo_agg_name(enum kdo_agg_fn fn)
{
    return names[fn];
}

static size_t skip_space(const char *s, size_t i, size_t n)
{
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    return i;
}

/* The index just past the ')' that closes the '(' at s[i], or 0. */
static size_t close_paren(const char *s, size_t i, size_t n)
{
    int depth = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '\'' || c == '"') { /* a quoted run; a doubled quote stays inside */
            while (++i < n && s[i] != c)
                ;
            if (i == n)
                return 0;
            continue;
        }
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        if (depth == 0)
            return i + 1;
    }
    return 0;
}

int kdo_agg_parse(const char *text, size_t len, enum kdo_agg_fn *fn, size_t *arg_off,
                  size_t *arg_len)
{
    size_t i = skip_space(text, 0, len), j;
    int f = -1;
    for (int k = 0; k < 5 && f < 0; k++) {
        size_t m = strlen(names[k]), p;
        if (len - i > m && strncasecmp(text + i, names[k], m) == 0 &&
            (p = skip_space(text, i + m, len)) < len && text[p] == '(')
            f = k, i = p;
    }
    if (f < 0 || (j = close_paren(text, i, len)) == 0)
        return 0;
    size_t a = skip_space(text, i + 1, j - 1), b = j - 1;
    while (b > a && isspace((unsigned char)text[b - 1]))
        b--;
    size_t k = skip_space(text, j, len);
    if (k < len) { /* only "OVER name" may follow */
        if (len - k < 5 || strncasecmp(text + k, "OVER", 4) != 0 || !isspace((unsigned char)text[k + 4]))
            return 0;
        k = skip_space(text, k + 4, len);
        size_t w = k;
        while (k < len && (isalnum((unsigned char)text[k]) || text[k] == '_' || text[k] == '$'))
            k++;
        if (k == w || skip_space(text, k, len) != len)
            return 0;
    }
    int star = b - a == 1 && text[a] == '*';
    if (star && f != KDO_AGG_COUNT)
        return 0;
    if (!star && a == b)
        return 0;
    *fn = (enum kdo_agg_fn)f;
    *arg_off = a;
    *arg_len = star ? 0 : b - a;
    return 1;
}

int kdo_agg_init(struct kdo_agg *g, enum kdo_agg_fn fn, enum kdo_type t, struct kdo_errinfo *e)
{
    int ok;
    switch (fn) {
    case KDO_AGG_COUNT:
        ok = 1;
        break;
    case KDO_AGG_SUM:
    case KDO_AGG_AVG:
        ok = t == KDO_TYPE_BIGINT || t == KDO_TYPE_DOUBLE;
        break;
    default:
        ok = t == KDO_TYPE_BIGINT || t == KDO_TYPE_DOUBLE || t == KDO_TYPE_TIMESTAMP;
        break;
    }
    if (!ok)
        return kdo_errinfo_set(e, KDO_ESCHEMA, NULL, 0, 0, "%s takes %s, not %s", names[fn],
                               fn == KDO_AGG_SUM || fn == KDO_AGG_AVG ? "a number"
                                                                      : "a number or a TIMESTAMP",
                               kdo_type_name(t));
    g->fn = fn;
    g->type = t;
    return 0;
}

enum kdo_type kdo_agg_type(const struct kdo_agg *g)
{
    return g->fn == KDO_AGG_COUNT ? KDO_TYPE_BIGINT : g->type;
}

void kdo_agg_combine(const struct kdo_agg *g, struct kdo_agg_acc *a, const struct kdo_agg_acc *b)
{
    int is_double = g->type == KDO_TYPE_DOUBLE;
    a->overflow |= b->overflow;
    if (b->n == 0)
        return;
    switch (g->fn) {
    case KDO_AGG_COUNT:
        break;
    case KDO_AGG_SUM:
    case KDO_AGG_AVG:
        if (is_double) {
            a->v.d += b->v.d;
            a->overflow |= !isfinite(a->v.d);
        } else if (__builtin_add_overflow(a->v.i, b->v.i, &a->v.i)) {
            a->overflow = 1;
        }
        break;
    case KDO_AGG_MIN:
    case KDO_AGG_MAX: {
        int less = is_double ? b->v.d < a->v.d : b->v.i < a->v.i;
        int more = is_double ? b->v.d > a->v.d : b->v.i > a->v.i;
        if (a->n == 0 || (g->fn == KDO_AGG_MIN ? less : more))
            a->v = b->v;
        break;
    }
    }
    a->n += b->n;
}

void kdo_agg_add(const struct kdo_agg *g, struct kdo_agg_acc *a, const struct kdo_value *v)
{
    struct kdo_agg_acc one = {1, 0, {0}};
    if (g->type == KDO_TYPE_NULL) { /* COUNT(*) */
        a->n++;
        return;
    }
    if (v == NULL || v->type == KDO_TYPE_NULL)
        return;
    if (g->type == KDO_TYPE_DOUBLE)
        one.v.d = v->type == KDO_TYPE_BIGINT ? (double)v->u.i : v->u.d;
    else
        one.v.i = v->type == KDO_TYPE_TIMESTAMP ? v->u.ts_ms : v->u.i;
    kdo_agg_combine(g, a, &one);
}

int kdo_agg_result(const struct kdo_agg *g, const struct kdo_agg_acc *a, struct kdo_value *out,
                   struct kdo_errinfo *e)
{
    if (g->fn == KDO_AGG_COUNT) {
        *out = kdo_value_bigint(a->n);
        return 0;
    }
    if (a->overflow)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "%s overflowed the %s range", names[g->fn],
                               kdo_type_name(g->type));
    if (a->n == 0) {
        *out = kdo_value_null();
        return 0;
    }
    switch (g->type) {
    case KDO_TYPE_DOUBLE:
        *out = kdo_value_double(g->fn == KDO_AGG_AVG ? a->v.d / (double)a->n : a->v.d);
        break;
    case KDO_TYPE_TIMESTAMP:
        *out = kdo_value_timestamp(a->v.i);
        break;
    default:
        *out = kdo_value_bigint(g->fn == KDO_AGG_AVG ? a->v.i / a->n : a->v.i);
        break;
    }
    return 0;
}
