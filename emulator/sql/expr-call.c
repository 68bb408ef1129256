/*
 * expr-call.c -- compiling function calls, CAST and the keyword forms
 * (SUBSTRING ... FROM, POSITION ... IN, TRIM, FLOOR/CEIL ... TO, STEP ... BY).
 *
 * Each function KDA documents is either built (the table `fns`) or refused
 * by name at compile time with its line:column (`refused`), never reported
 * as unknown: a user porting an application learns what kdaout lacks, not
 * that the name is wrong.  Only names KDA does not have are "unknown".
 */
#include "sql/expr-int.h"

#include <string.h>

#define FAIL(c, ax, err, ...) kdo__expr_fail((c)->e, (ax)->line, (ax)->col, (err), __VA_ARGS__)

#define MAX_ARGS 64

enum kind { K_NUM, K_STR, K_TS, K_INT, K_ANY };

static const struct fn {
    const char *name;
    enum kdo__expr_op op;
    int aux, min, max;
    enum kind in;    /* what every argument must be (NULL always passes) */
    enum kdo_type out; /* KDO_TYPE_NULL: as the first argument */
} fns[] = {
    {"ABS", KDO__X_ABS, 0, 1, 1, K_ANY, KDO_TYPE_NULL},
    {"UPPER", KDO__X_UPPER, 0, 1, 1, K_STR, KDO_TYPE_VARCHAR},
    {"LOWER", KDO__X_LOWER, 0, 1, 1, K_STR, KDO_TYPE_VARCHAR},
    {"CHAR_LENGTH", KDO__X_CHAR_LENGTH, 0, 1, 1, K_STR, KDO_TYPE_BIGINT},
    {"CHARACTER_LENGTH", KDO__X_CHAR_LENGTH, 0, 1, 1, K_STR, KDO_TYPE_BIGINT},
    {"SQRT", KDO__X_MATH, KDO__M_SQRT, 1, 1, K_NUM, KDO_TYPE_DOUBLE},
    {"LN", KDO__X_MATH, KDO__M_LN, 1, 1, K_NUM, KDO_TYPE_DOUBLE},
    {"LOG10", KDO__X_MATH, KDO__M_LOG10, 1, 1, K_NUM, KDO_TYPE_DOUBLE},
    {"EXP", KDO__X_MATH, KDO__M_EXP, 1, 1, K_NUM, KDO_TYPE_DOUBLE},
    {"MOD", KDO__X_MOD, 0, 2, 2, K_INT, KDO_TYPE_BIGINT},
    {"POWER", KDO__X_POWER, 0, 2, 2, K_NUM, KDO_TYPE_DOUBLE},
    {"FLOOR", KDO__X_FLOOR, 0, 1, 1, K_NUM, KDO_TYPE_NULL},
    {"CEIL", KDO__X_CEIL, 0, 1, 1, K_NUM, KDO_TYPE_NULL},
    {"CEILING", KDO__X_CEIL, 0, 1, 1, K_NUM, KDO_TYPE_NULL},
    {"SUBSTRING", KDO__X_SUBSTRING, 1, 2, 3, K_ANY, KDO_TYPE_VARCHAR},
    {"UNIX_TIMESTAMP", KDO__X_UNIX_TS, 0, 1, 1, K_TS, KDO_TYPE_BIGINT},
    {"TO_TIMESTAMP", KDO__X_TO_TS, 0, 1, 1, K_INT, KDO_TYPE_TIMESTAMP},
    {"TSDIFF", KDO__X_TSDIFF, 0, 2, 2, K_ANY, KDO_TYPE_BIGINT},
    {"CHAR_TO_TIMESTAMP", KDO__X_CHAR_TO_TS, 0, 2, 2, K_STR, KDO_TYPE_TIMESTAMP},
    {"TIMESTAMP_TO_CHAR", KDO__X_TS_TO_CHAR, 0, 2, 2, K_ANY, KDO_TYPE_VARCHAR},
    {"COALESCE", KDO__X_COALESCE, 0, 1, MAX_ARGS, K_ANY, KDO_TYPE_NULL},
    {"NULLIF", KDO__X_NULLIF, 0, 2, 2, K_ANY, KDO_TYPE_NULL},
};

/* Functions KDA documents that kdaout does not build (yet). */
static const char *const refused[] = {
    "REGEX_REPLACE", "REGEX_LOG_PARSE", "FAST_REGEX_LOG_PARSER", "FIXED_COLUMN_LOG_PARSE",
    "VARIABLE_COLUMN_LOG_PARSE", "W3C_LOG_PARSE", "SYS_LOG_PARSE", "INITCAP", "OVERLAY",
    "CHAR_TO_DATE", "CHAR_TO_TIME", "DATE_TO_CHAR", "TIME_TO_CHAR", "CURRENT_DATE",
    "CURRENT_TIME", "LOCALTIME",
    "SIMILAR", "EXTRACT", "ROUND",
    /* aggregates and analytic functions: the query layer's, not a scalar's */
    "AVG", "COUNT", "SUM", "MIN", "MAX", "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE", "LAG",
    "EXP_AVG", "VAR_POP", "VAR_SAMP", "STDDEV_POP", "STDDEV_SAMP", "TOP_K_ITEMS_TUMBLING",
    "COUNT_DISTINCT_ITEMS_TUMBLING", "HOTSPOTS", "RANDOM_CUT_FOREST",
    "RANDOM_CUT_FOREST_WITH_EXPLANATION", "ROW_NUMBER", "RANK",
};

static bool named(const struct kdo_ast_ident *id, const char *word)
{
    return id->len == strlen(word) && memcmp(id->s, word, id->len) == 0;
}

static int refuse_name(struct kdo__expr_cc *c, const struct kdo_ast_ident *id)
{
    return kdo__expr_fail(c->e, id->line, id->col, KDO_EPARSE, "%.*s is not supported yet",
                          (int)id->len, id->s);
}

/* KDA: CURRENT_ROW_TIMESTAMP is each row's processing instant; CURRENT_TIMESTAMP
 * and LOCALTIMESTAMP are fixed when the query starts (all UTC). */
int kdo__expr_niladic(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    const struct kdo_ast_ident *id = &ax->name.part[0];
    if (kdo_row_schema_find(c->x->schema, id->s, id->len) >= 0)
        return 1; /* a column of that name wins */
    static const char *const clocks[] = {"CURRENT_ROW_TIMESTAMP", "CURRENT_TIMESTAMP",
                                         "LOCALTIMESTAMP"};
    static const char *const dated[] = {"CURRENT_DATE", "CURRENT_TIME", "LOCALTIME"};
    for (size_t k = 0; k < sizeof clocks / sizeof clocks[0]; k++) {
        if (!named(id, clocks[k]))
            continue;
        int err = kdo__expr_add(c, KDO__X_CLOCK, -1, -1, -1, id->line, id->col, out);
        if (err == 0) {
            kdo__expr_node(c, *out)->type = KDO_TYPE_TIMESTAMP;
            kdo__expr_node(c, *out)->aux = k > 0;
        }
        return err;
    }
    for (size_t k = 0; k < sizeof dated / sizeof dated[0]; k++)
        if (named(id, dated[k]))
            return kdo__expr_fail(c->e, id->line, id->col, KDO_EPARSE,
                                  "%s is not supported yet (DATE and TIME are not)", dated[k]);
    return 1;
}

static bool fits(enum kind k, enum kdo_type t)
{
    switch (k) {
    case K_NUM:
        return t == KDO_TYPE_NULL || kdo_type_numeric(t);
    case K_INT:
        return t == KDO_TYPE_NULL || t == KDO_TYPE_BIGINT;
    case K_STR:
        return t == KDO_TYPE_NULL || t == KDO_TYPE_VARCHAR;
    case K_TS:
        return t == KDO_TYPE_NULL || t == KDO_TYPE_TIMESTAMP;
    default:
        return true;
    }
}

static int args(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *ix, int *n)
{
    *n = 0;
    for (const struct kdo_ast_expr *l = ax->list; l; l = l->next) {
        if (*n == MAX_ARGS)
            return FAIL(c, ax, KDO_ETOOBIG, "more than %d arguments", MAX_ARGS);
        int err = kdo__expr_compile_node(c, l, &ix[(*n)++]);
        if (err)
            return err;
    }
    return 0;
}

static enum kdo_type arg_type(struct kdo__expr_cc *c, const int *ix, int n, int k)
{
    return k < n ? kdo__expr_node(c, ix[k])->type : KDO_TYPE_NULL;
}

/* Checks that do not fit the table's one kind per function. */
static int special_types(struct kdo__expr_cc *c, const struct fn *f, int nd, const int *ix, int n)
{
    enum kdo_type t0 = arg_type(c, ix, n, 0), t1 = arg_type(c, ix, n, 1);
    bool ok = true;
    if ((f->op == KDO__X_FLOOR || f->op == KDO__X_CEIL) && t0 == KDO_TYPE_TIMESTAMP)
        return FAIL(c, kdo__expr_node(c, nd), KDO_EPARSE,
                    "%s of a TIMESTAMP needs TO and a unit, as in %s(x TO MINUTE)", f->name,
                    f->name);
    switch (f->op) {
    case KDO__X_ABS:
        ok = fits(K_NUM, t0) || t0 == KDO_TYPE_INTERVAL_DS || t0 == KDO_TYPE_INTERVAL_YM;
        break;
    case KDO__X_SUBSTRING:
        ok = fits(K_STR, t0) && fits(K_INT, t1) && fits(K_INT, arg_type(c, ix, n, 2));
        break;
    case KDO__X_TSDIFF: /* TIMESTAMP arguments as public KDA SQL uses them (GAPS #12) */
        ok = (fits(K_TS, t0) || fits(K_INT, t0)) && (fits(K_TS, t1) || fits(K_INT, t1));
        break;
    case KDO__X_TS_TO_CHAR:
        ok = fits(K_STR, t0) && fits(K_TS, t1);
        break;
    case KDO__X_COALESCE:
        return kdo__expr_variadic_type(c, nd, ix, n, 1, f->name);
    case KDO__X_NULLIF:
        if (!kdo_type_castable(t0, t0) || (t0 != t1 && t0 != KDO_TYPE_NULL && t1 != KDO_TYPE_NULL &&
                                           !(kdo_type_numeric(t0) && kdo_type_numeric(t1))))
            ok = false;
        break;
    default:
        for (int k = 0; k < n; k++)
            ok = ok && fits(f->in, arg_type(c, ix, n, k));
        break;
    }
    if (!ok)
        return kdo__expr_mismatch(c, nd, f->name);
    return 0;
}

static int build(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, const struct fn *f,
                 int *out)
{
    int ix[MAX_ARGS], n, err;
    if ((err = args(c, ax, ix, &n)))
        return err;
    if (n < f->min || n > f->max)
        return FAIL(c, ax, KDO_EPARSE, "%s takes %d%s%s argument%s, not %d", f->name, f->min,
                    f->max > f->min ? " to " : "",
                    f->max > f->min ? (f->max == MAX_ARGS ? "many" : f->max == 3 ? "3" : "2")
                                    : "",
                    f->max > 1 ? "s" : "", n);
    if ((err = kdo__expr_add(c, f->op, ix[0], n > 1 ? ix[1] : -1, n > 2 ? ix[2] : -1, ax->line,
                             ax->col, out)))
        return err;
    struct kdo__expr_node *nd = kdo__expr_node(c, *out);
    nd->aux = f->aux;
    nd->type = f->out != KDO_TYPE_NULL ? f->out : kdo__expr_node(c, ix[0])->type;
    if (nd->type == KDO_TYPE_NULL && f->op != KDO__X_COALESCE && f->op != KDO__X_NULLIF)
        nd->type = KDO_TYPE_BIGINT;
    if (f->op == KDO__X_UPPER || f->op == KDO__X_LOWER || f->op == KDO__X_SUBSTRING)
        nd->max_len = kdo__expr_node(c, ix[0])->max_len;
    nd->q_start = kdo__expr_node(c, ix[0])->q_start; /* ABS of an INTERVAL */
    nd->q_end = kdo__expr_node(c, ix[0])->q_end;
    if (nd->type == KDO_TYPE_DECIMAL) { /* ABS, NULLIF: as the argument; FLOOR, CEIL: scale 0 */
        nd->prec = kdo__expr_node(c, ix[0])->prec;
        nd->scale = kdo__expr_node(c, ix[0])->scale;
        if (f->op == KDO__X_FLOOR || f->op == KDO__X_CEIL) {
            nd->prec = nd->prec - nd->scale + 1 > KDO_DECIMAL_MAX_DIGITS
                           ? KDO_DECIMAL_MAX_DIGITS
                           : nd->prec - nd->scale + 1;
            nd->scale = 0;
        }
    }
    if (f->op == KDO__X_COALESCE) {
        nd->argv = kdo__expr_push_args(c, ix, n);
        nd->argc = n;
        if ((err = kdo__expr_deepen(c, *out)))
            return err;
    }
    return special_types(c, f, *out, ix, n);
}

int kdo__expr_call(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    const struct kdo_ast_ident *id = &ax->name.part[ax->name.n - 1];
    if (ax->over)
        return FAIL(c, ax, KDO_EPARSE, "%.*s ... OVER (a window) is not supported in this "
                    "expression", (int)id->len, id->s);
    for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++)
        if (named(id, fns[k].name)) {
            if (ax->star || ax->distinct)
                return FAIL(c, ax, KDO_EPARSE, "%s takes no %s", fns[k].name,
                            ax->star ? "*" : "DISTINCT");
            return build(c, ax, &fns[k], out);
        }
    if (named(id, "MONOTONIC")) { /* an ordering promise to KDA's planner: the value itself */
        if (ax->list == NULL || ax->list->next)
            return FAIL(c, ax, KDO_EPARSE, "MONOTONIC takes 1 argument");
        return kdo__expr_compile_node(c, ax->list, out);
    }
    if (named(id, "CURRENT_ROW_TIMESTAMP") || named(id, "CURRENT_TIMESTAMP") ||
        named(id, "LOCALTIMESTAMP"))
        return kdo__expr_fail(c->e, id->line, id->col, KDO_EPARSE,
                              "%.*s takes no parentheses", (int)id->len, id->s);
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
        if (named(id, refused[k]))
            return refuse_name(c, id);
    if (named(id, "STEP") || named(id, "POSITION"))
        return FAIL(c, ax, KDO_EPARSE, "%s needs %s", named(id, "STEP") ? "STEP" : "POSITION",
                    named(id, "STEP") ? "BY: STEP(x BY n)" : "IN: POSITION(a IN b)");
    return kdo__expr_fail(c->e, id->line, id->col, KDO_EPARSE, "unknown function %.*s",
                          (int)id->len, id->s);
}

/* --- CAST -------------------------------------------------------------------- */

/* DECIMAL[(p[,s])]: KDA's default is (18, 0); a wider p is refused by name. */
static int decimal_target(struct kdo__expr_cc *c, const struct kdo_ast_type *t, int *prec,
                          int *scale)
{
    *prec = t->nparams > 0 ? (int)t->params[0] : KDO_DECIMAL_MAX_DIGITS;
    *scale = t->nparams > 1 ? (int)t->params[1] : 0;
    if (*prec > KDO_DECIMAL_MAX_DIGITS)
        return kdo__expr_fail(c->e, t->line, t->col, KDO_EPARSE,
                              "DECIMAL precision above %d is not supported (KDA's limit is %d "
                              "digits)", KDO_DECIMAL_MAX_DIGITS, KDO_DECIMAL_MAX_DIGITS);
    if (*prec < 1 || *scale < 0 || *scale > *prec)
        return kdo__expr_fail(c->e, t->line, t->col, KDO_EPARSE,
                              "DECIMAL(%d,%d): the scale must be from 0 to the precision",
                              *prec, *scale);
    return 0;
}

/* The value type, integer width and extra of a CAST target. */
static int cast_target(struct kdo__expr_cc *c, const struct kdo_ast_type *t, enum kdo_type *to,
                       size_t *max_len, int *aux)
{
    static const struct {
        enum kdo_ast_typename name;
        enum kdo_type to;
        int aux;
    } map[] = {
        {KDO_AST_TYPE_BIGINT, KDO_TYPE_BIGINT, 64},   {KDO_AST_TYPE_INTEGER, KDO_TYPE_BIGINT, 32},
        {KDO_AST_TYPE_SMALLINT, KDO_TYPE_BIGINT, 16}, {KDO_AST_TYPE_TINYINT, KDO_TYPE_BIGINT, 8},
        {KDO_AST_TYPE_DOUBLE, KDO_TYPE_DOUBLE, 0},
        /* FLOAT is DOUBLE: SQL's FLOAT without a precision is double precision (GAPS #22) */
        {KDO_AST_TYPE_FLOAT, KDO_TYPE_DOUBLE, 0},
        {KDO_AST_TYPE_REAL, KDO_TYPE_DOUBLE, KDO__CAST_REAL},
        {KDO_AST_TYPE_VARCHAR, KDO_TYPE_VARCHAR, 0},
        {KDO_AST_TYPE_CHAR, KDO_TYPE_VARCHAR, KDO__CAST_CHAR},
        {KDO_AST_TYPE_BOOLEAN, KDO_TYPE_BOOLEAN, 0},
        {KDO_AST_TYPE_TIMESTAMP, KDO_TYPE_TIMESTAMP, 0},
        {KDO_AST_TYPE_DECIMAL, KDO_TYPE_DECIMAL, 0},
    };
    *max_len = 0;
    if (t->name == KDO_AST_TYPE_INTERVAL) { /* the qualifier: kdo__expr_cast */
        *to = t->qual.start <= KDO_AST_UNIT_MONTH ? KDO_TYPE_INTERVAL_YM : KDO_TYPE_INTERVAL_DS;
        return 0;
    }
    for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
        if (map[k].name != t->name)
            continue;
        *to = map[k].to;
        *aux = map[k].aux == 64 ? 0 : map[k].aux;
        if (*to != KDO_TYPE_VARCHAR)
            return 0;
        long n = t->nparams ? t->params[0] : map[k].aux == KDO__CAST_CHAR ? 1 : 0;
        if (t->nparams && (n < 1 || n > 65535))
            return kdo__expr_fail(c->e, t->line, t->col, KDO_EPARSE,
                                  "expected a length from 1 to 65535");
        *max_len = (size_t)n;
        return 0;
    }
    return kdo__expr_fail(c->e, t->line, t->col, KDO_EPARSE, "CAST AS %s is not supported yet",
                          kdo_ast_type_name(t->name));
}

#define is_interval kdo__expr_is_interval

/* KDA's CAST table: a day-time INTERVAL casts to itself, BIGINT, DECIMAL,
 * CHAR and VARCHAR; text casts to an INTERVAL.  Text and numbers need the
 * source's qualifier (its last unit counts), which a CASE of intervals
 * does not keep. */
static int interval_cast(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int a,
                         enum kdo_type to, size_t max_len, int aux, int *out)
{
    const struct kdo_ast_type *t = &ax->type;
    enum kdo_type from = kdo__expr_node(c, a)->type;
    bool ok = is_interval(from) ? to == from || to == KDO_TYPE_VARCHAR || to == KDO_TYPE_BIGINT ||
                                      to == KDO_TYPE_DECIMAL
                                : from == KDO_TYPE_VARCHAR || from == KDO_TYPE_NULL;
    if (!ok)
        return FAIL(c, ax, KDO_ESCHEMA, "cannot CAST %s AS %s", kdo_type_name(from),
                    kdo_type_name(to));
    if (is_interval(to) && (t->qual.end ? t->qual.end : t->qual.start) < t->qual.start)
        return kdo__expr_fail(c->e, t->line, t->col, KDO_EPARSE, "bad INTERVAL qualifier");
    if (is_interval(from) && to != from && kdo__expr_node(c, a)->q_start == KDO_AST_UNIT_NONE)
        return FAIL(c, ax, KDO_ESCHEMA, "CAST of this INTERVAL AS %s needs its qualifier, which "
                    "a CASE or COALESCE of intervals does not keep", kdo_type_name(to));
    int err = kdo__expr_add(c, KDO__X_CAST, a, -1, -1, ax->line, ax->col, out);
    if (err)
        return err;
    struct kdo__expr_node *nd = kdo__expr_node(c, *out);
    nd->type = to;
    nd->max_len = max_len;
    nd->aux = aux;
    if (to == KDO_TYPE_DECIMAL)
        return decimal_target(c, t, &nd->prec, &nd->scale);
    nd->q_start = is_interval(to) ? t->qual.start : KDO_AST_UNIT_NONE;
    nd->q_end = is_interval(to) ? (t->qual.end ? t->qual.end : t->qual.start) : KDO_AST_UNIT_NONE;
    return 0;
}

int kdo__expr_cast(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    enum kdo_type to = KDO_TYPE_NULL;
    size_t max_len = 0;
    int a, aux = 0, err, prec = 0, scale = 0;
    if ((err = kdo__expr_compile_node(c, ax->a, &a)) ||
        (err = cast_target(c, &ax->type, &to, &max_len, &aux)) ||
        (to == KDO_TYPE_DECIMAL && (err = decimal_target(c, &ax->type, &prec, &scale))))
        return err;
    enum kdo_type from = kdo__expr_node(c, a)->type;
    if (is_interval(from) || is_interval(to))
        return interval_cast(c, ax, a, to, max_len, aux, out);
    if (!kdo_type_castable(from, to))
        return FAIL(c, ax, KDO_ESCHEMA, "cannot CAST %s AS %s", kdo_type_name(from),
                    kdo_type_name(to));
    if ((err = kdo__expr_add(c, KDO__X_CAST, a, -1, -1, ax->line, ax->col, out)))
        return err;
    struct kdo__expr_node *nd = kdo__expr_node(c, *out);
    nd->type = to;
    nd->max_len = max_len;
    nd->aux = aux;
    nd->prec = prec;
    nd->scale = scale;
    return 0;
}

int kdo_expr_column_type(const struct kdo_ast_type *t, struct kdo_row_column *out,
                         struct kdo_errinfo *e)
{
    struct kdo__expr_cc c = {.e = e};
    int aux = 0, err;
    *out = (struct kdo_row_column){0};
    if (t->name == KDO_AST_TYPE_INTERVAL)
        return kdo__expr_fail(e, t->line, t->col, KDO_EPARSE,
                              "INTERVAL cannot be a column's type (KDA)");
    if ((err = cast_target(&c, t, &out->type, &out->max_len, &aux)) == KDO_EPARSE &&
        t->name != KDO_AST_TYPE_VARCHAR && t->name != KDO_AST_TYPE_CHAR)
        return kdo__expr_fail(e, t->line, t->col, KDO_EPARSE, "a %s column is not supported yet",
                              kdo_ast_type_name(t->name));
    if (err)
        return err;
    if (out->type == KDO_TYPE_VARCHAR && out->max_len == 0)
        out->max_len = 65535; /* bare VARCHAR, as public KDA SQL writes it */
    if (out->type == KDO_TYPE_DECIMAL)
        return decimal_target(&c, t, &out->precision, &out->scale);
    return 0;
}

/* --- keyword forms ------------------------------------------------------------ */

static int need(struct kdo__expr_cc *c, int n, int k, enum kind kind, const char *what)
{
    const struct kdo__expr_node *nd = kdo__expr_node(c, n);
    int o = k == 0 ? nd->a : k == 1 ? nd->b : nd->c;
    if (o < 0 || fits(kind, kdo__expr_node(c, o)->type))
        return 0;
    return kdo__expr_fail(c->e, nd->line, nd->col, KDO_ESCHEMA, "%s cannot take a %s", what,
                          kdo_type_name(kdo__expr_node(c, o)->type));
}

static int three(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, enum kdo__expr_op op,
                 int *out)
{
    int a = -1, b = -1, k = -1, err;
    if ((ax->a && (err = kdo__expr_compile_node(c, ax->a, &a))) ||
        (ax->b && (err = kdo__expr_compile_node(c, ax->b, &b))) ||
        (ax->c && (err = kdo__expr_compile_node(c, ax->c, &k))))
        return err;
    return kdo__expr_add(c, op, a, b, k, ax->line, ax->col, out);
}

static int substring(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int err = three(c, ax, KDO__X_SUBSTRING, out);
    if (err)
        return err;
    struct kdo__expr_node *nd = kdo__expr_node(c, *out);
    nd->type = KDO_TYPE_VARCHAR;
    nd->max_len = kdo__expr_node(c, nd->a)->max_len;
    if (kdo__expr_node(c, nd->b)->type == KDO_TYPE_VARCHAR)
        return FAIL(c, ax, KDO_EPARSE,
                    "SUBSTRING(s FROM a regular expression) is not supported yet");
    if ((err = need(c, *out, 0, K_STR, "SUBSTRING")) || (err = need(c, *out, 1, K_INT, "FROM")))
        return err;
    return need(c, *out, 2, K_INT, "FOR");
}

static int position(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int err = three(c, ax, KDO__X_POSITION, out);
    if (err)
        return err;
    kdo__expr_node(c, *out)->type = KDO_TYPE_BIGINT;
    if ((err = need(c, *out, 0, K_STR, "POSITION")))
        return err;
    return need(c, *out, 1, K_STR, "POSITION");
}

static int trim(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int err = three(c, ax, KDO__X_TRIM, out);
    if (err)
        return err;
    struct kdo__expr_node *nd = kdo__expr_node(c, *out);
    nd->type = KDO_TYPE_VARCHAR;
    nd->max_len = kdo__expr_node(c, nd->b)->max_len;
    nd->aux = ax->op;
    if ((err = need(c, *out, 0, K_STR, "TRIM")))
        return err;
    return need(c, *out, 1, K_STR, "TRIM");
}

/* A unit's length: ms for DAY and below, months (*months set) above. */
static int unit_width(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, enum kdo_ast_unit u,
                      int64_t *w, bool *months)
{
    static const int64_t ms[] = {[KDO_AST_UNIT_DAY] = 86400000, [KDO_AST_UNIT_HOUR] = 3600000,
                                 [KDO_AST_UNIT_MINUTE] = 60000, [KDO_AST_UNIT_SECOND] = 1000};
    *months = u == KDO_AST_UNIT_YEAR || u == KDO_AST_UNIT_MONTH;
    if (*months)
        *w = u == KDO_AST_UNIT_YEAR ? 12 : 1;
    else if (u >= KDO_AST_UNIT_DAY && u <= KDO_AST_UNIT_SECOND)
        *w = ms[u];
    else
        return FAIL(c, ax, KDO_EPARSE, "expected a time unit");
    return 0;
}

static int bucket_node(struct kdo__expr_cc *c, int n, int64_t w, bool months, const char *what)
{
    struct kdo__expr_node *nd = kdo__expr_node(c, n);
    nd->type = KDO_TYPE_TIMESTAMP;
    nd->width_ms = w;
    nd->aux = months;
    return need(c, n, 0, K_TS, what);
}

static int floor_to(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    bool ceil = ax->op == KDO_AST_OP_CEIL, months = false;
    int64_t w = 0;
    int a, err;
    if ((err = kdo__expr_compile_node(c, ax->a, &a)) ||
        (err = unit_width(c, ax, ax->qual.start, &w, &months)) ||
        (err = kdo__expr_add(c, ceil ? KDO__X_CEIL_TO : KDO__X_FLOOR_TO, a, -1, -1, ax->line,
                             ax->col, out)))
        return err;
    return bucket_node(c, *out, w, months, ceil ? "CEIL ... TO" : "FLOOR ... TO");
}

/* STEP(integer BY integer): the largest multiple of the step <= x (the
 * definition; the page's "(x / n) * n" truncates negatives, GAPS #10). */
static int step_number(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int a, int *out)
{
    int b, err;
    if ((err = kdo__expr_compile_node(c, ax->b, &b)) ||
        (err = kdo__expr_add(c, KDO__X_STEP_NUM, a, b, -1, ax->line, ax->col, out)))
        return err;
    kdo__expr_node(c, *out)->type = KDO_TYPE_BIGINT;
    if ((err = need(c, *out, 0, K_INT, "STEP")))
        return err;
    return need(c, *out, 1, K_INT, "STEP ... BY");
}

static int step(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int a, err;
    if ((err = kdo__expr_compile_node(c, ax->a, &a)))
        return err;
    enum kdo_type t = kdo__expr_node(c, a)->type;
    if (ax->b->kind != KDO_AST_INTERVAL && (t == KDO_TYPE_BIGINT || t == KDO_TYPE_NULL))
        return step_number(c, ax, a, out);
    if (t != KDO_TYPE_NULL && t != KDO_TYPE_TIMESTAMP)
        return FAIL(c, ax, KDO_ESCHEMA, "STEP cannot take a %s %s", kdo_type_name(t),
                    ax->b->kind == KDO_AST_INTERVAL ? "BY an INTERVAL" : "");
    const struct kdo_ast_expr *iv = ax->b;
    if (iv->kind != KDO_AST_INTERVAL)
        return kdo__expr_fail(c->e, iv->line, iv->col, KDO_EPARSE,
                              "expected an INTERVAL literal after BY, like INTERVAL '1' MINUTE");
    struct kdo_value v;
    if ((err = kdo__expr_interval(c, iv, &v)))
        return err;
    bool months = v.type == KDO_TYPE_INTERVAL_YM;
    if (v.u.i < 1)
        return kdo__expr_fail(c->e, iv->line, iv->col, KDO_EPARSE,
                              "expected a whole number of units from 1 in quotes, like '60'");
    if (months && v.u.i > 12 * 9999)
        return kdo__expr_fail(c->e, iv->line, iv->col, KDO_EPARSE, "STEP wider than 9999 years");
    if (!months && v.u.i > KDO_EXPR_MAX_STEP_MS)
        return kdo__expr_fail(c->e, iv->line, iv->col, KDO_EPARSE, "STEP wider than 366 days");
    if ((err = kdo__expr_add(c, KDO__X_STEP, a, -1, -1, ax->line, ax->col, out)))
        return err;
    return bucket_node(c, *out, v.u.i, months, "STEP");
}

int kdo__expr_form(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    switch (ax->kind) {
    case KDO_AST_SUBSTRING:
        return substring(c, ax, out);
    case KDO_AST_POSITION:
        return position(c, ax, out);
    case KDO_AST_TRIM:
        return trim(c, ax, out);
    case KDO_AST_FLOOR:
        return floor_to(c, ax, out);
    default:
        return step(c, ax, out);
    }
}
