/*
 * parse-expr.c -- expressions, names and types of KDA SQL (see parse.h).
 *
 * Precedence, loosest first (standard SQL; KDA's own list in the SQL
 * Reference's streaming-operators page omits comparisons, see GAPS #26):
 *   OR < AND < NOT < comparisons, IS, BETWEEN, IN, LIKE, SIMILAR TO
 *      < || < + - < * / % < unary + - < primaries
 * so `a || b = c` is `(a || b) = c` and `-x * y` is `(-x) * y`.  Special
 * forms keep their keywords between arguments (SUBSTRING(x FROM a FOR b),
 * POSITION(a IN b), TRIM(LEADING c FROM x), FLOOR(x TO DAY), STEP(x BY
 * INTERVAL ...), EXTRACT(DAY FROM x), CAST(x AS type)); the comma forms of
 * SUBSTRING, FLOOR and the rest are ordinary calls, whose meaning the binder
 * decides.
 */
#include "sql/parse-int.h"

#include <stdlib.h>
#include <string.h>

#define ALLOC(p, ptr) KDO__TRY(kdo__sql_alloc(p, sizeof *(ptr), (void **)&(ptr)))

static int predicate(struct kdo__sql_parser *p, struct kdo_ast_expr **out);
static int concat(struct kdo__sql_parser *p, struct kdo_ast_expr **out);
static int unary(struct kdo__sql_parser *p, struct kdo_ast_expr **out);

/* A node of `kind` at the current token. */
static int node(struct kdo__sql_parser *p, enum kdo_ast_expr_kind kind, struct kdo_ast_expr **out)
{
    ALLOC(p, *out);
    (*out)->kind = kind;
    (*out)->line = p->cur.line;
    (*out)->col = p->cur.col;
    return 0;
}

/* A binary node a op b positioned at a. */
static int binop(struct kdo__sql_parser *p, int op, struct kdo_ast_expr **left)
{
    struct kdo_ast_expr *x;
    ALLOC(p, x);
    *x = (struct kdo_ast_expr){.kind = KDO_AST_BINOP, .op = op, .a = *left,
                               .line = (*left)->line, .col = (*left)->col};
    *left = x;
    return 0;
}

/* ---- the operator ladder ---- */

static int or_expr(struct kdo__sql_parser *p, struct kdo_ast_expr **out);

int kdo__sql_expr(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    KDO__TRY(kdo__sql_enter(p));
    KDO__TRY(or_expr(p, out));
    p->depth--;
    return 0;
}

int kdo__sql_expr_list(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    struct kdo_ast_expr **tail = out;
    do {
        KDO__TRY(kdo__sql_expr(p, tail));
        tail = &(*tail)->next;
    } while (kdo__sql_accept_op(p, ","));
    return 0;
}

static int not_expr(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    if (!kdo__sql_is_kw(&p->cur, KDO_SQL_KW_NOT))
        return predicate(p, out);
    KDO__TRY(node(p, KDO_AST_UNARY, out));
    (*out)->op = KDO_AST_OP_NOT;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_enter(p));
    KDO__TRY(not_expr(p, &(*out)->a));
    p->depth--;
    return 0;
}

/* A left-associative chain a op b op c of keyword operators.  Each operator
 * deepens the tree by one (a chain is a left spine), so it counts against
 * the depth limit: printing and the later stages recurse on that height. */
static int kw_chain(struct kdo__sql_parser *p, struct kdo_ast_expr **out, enum kdo_sql_kw kw,
                    int op, int (*next)(struct kdo__sql_parser *, struct kdo_ast_expr **))
{
    int levels = 0;
    KDO__TRY(next(p, out));
    while (kdo__sql_accept_kw(p, kw)) {
        KDO__TRY(kdo__sql_enter(p));
        levels++;
        KDO__TRY(binop(p, op, out));
        KDO__TRY(next(p, &(*out)->b));
    }
    p->depth -= levels;
    return 0;
}

static int and_expr(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    return kw_chain(p, out, KDO_SQL_KW_AND, KDO_AST_OP_AND, not_expr);
}

static int or_expr(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    return kw_chain(p, out, KDO_SQL_KW_OR, KDO_AST_OP_OR, and_expr);
}

static int comparison_op(const struct kdo_sql_token *t)
{
    static const struct {
        const char *text;
        int op;
    } ops[] = {{"=", KDO_AST_OP_EQ}, {"<>", KDO_AST_OP_NE}, {"!=", KDO_AST_OP_NE},
               {"<", KDO_AST_OP_LT}, {"<=", KDO_AST_OP_LE}, {">", KDO_AST_OP_GT},
               {">=", KDO_AST_OP_GE}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (kdo__sql_is_op(t, ops[i].text))
            return ops[i].op;
    return 0;
}

/* Wraps *left into a predicate node of `kind` (positioned at left). */
static int wrap(struct kdo__sql_parser *p, enum kdo_ast_expr_kind kind, bool negated,
                struct kdo_ast_expr **left)
{
    KDO__TRY(binop(p, 0, left));
    (*left)->kind = kind;
    (*left)->negated = negated;
    return 0;
}

static int is_tail(struct kdo__sql_parser *p, struct kdo_ast_expr **x)
{
    static const struct {
        enum kdo_sql_kw kw;
        int op;
    } what[] = {{KDO_SQL_KW_NULL, KDO_AST_OP_NULL}, {KDO_SQL_KW_TRUE, KDO_AST_OP_TRUE},
                {KDO_SQL_KW_FALSE, KDO_AST_OP_FALSE}, {KDO_SQL_KW_UNKNOWN, KDO_AST_OP_UNKNOWN}};
    KDO__TRY(wrap(p, KDO_AST_IS, kdo__sql_accept_kw(p, KDO_SQL_KW_NOT), x));
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++)
        if (kdo__sql_accept_kw(p, what[i].kw)) {
            (*x)->op = what[i].op;
            return 0;
        }
    return kdo__sql_expected(p, "NULL, TRUE, FALSE or UNKNOWN after IS");
}

static int in_tail(struct kdo__sql_parser *p, struct kdo_ast_expr **x)
{
    KDO__TRY(kdo__sql_expect_op(p, "(", "after IN"));
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT))
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "IN (SELECT ...) is not supported: list the values");
    KDO__TRY(kdo__sql_expr_list(p, &(*x)->list));
    return kdo__sql_expect_op(p, ")", "after the IN list");
}

static int like_tail(struct kdo__sql_parser *p, struct kdo_ast_expr **x, int op)
{
    (*x)->op = op;
    if (op == KDO_AST_OP_SIMILAR)
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_TO, "after SIMILAR"));
    KDO__TRY(concat(p, &(*x)->b));
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_ESCAPE))
        KDO__TRY(concat(p, &(*x)->c));
    return 0;
}

/* [NOT] BETWEEN / IN / LIKE / SIMILAR TO after `x`; 1 when none follows. */
static int negatable(struct kdo__sql_parser *p, struct kdo_ast_expr **x)
{
    bool neg = kdo__sql_is_kw(&p->cur, KDO_SQL_KW_NOT);
    const struct kdo_sql_token *t = neg ? kdo__sql_peek(p) : &p->cur;
    enum kdo_sql_kw kw = t->kind == KDO_SQL_T_WORD ? t->kw : KDO_SQL_KW_NONE;
    if (kw != KDO_SQL_KW_BETWEEN && kw != KDO_SQL_KW_IN && kw != KDO_SQL_KW_LIKE &&
        kw != KDO_SQL_KW_SIMILAR)
        return neg ? kdo__sql_expected(p, "BETWEEN, IN, LIKE or SIMILAR TO after NOT") : 1;
    if (neg)
        kdo__sql_next(p);
    kdo__sql_next(p);
    KDO__TRY(wrap(p, kw == KDO_SQL_KW_BETWEEN ? KDO_AST_BETWEEN
                     : kw == KDO_SQL_KW_IN    ? KDO_AST_IN
                                              : KDO_AST_LIKE,
                  neg, x));
    if (kw == KDO_SQL_KW_IN)
        return in_tail(p, x);
    if (kw != KDO_SQL_KW_BETWEEN)
        return like_tail(p, x, kw == KDO_SQL_KW_LIKE ? KDO_AST_OP_LIKE : KDO_AST_OP_SIMILAR);
    KDO__TRY(concat(p, &(*x)->b));
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_AND, "between BETWEEN's bounds"));
    return concat(p, &(*x)->c);
}

static int predicate(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    int levels = 0;
    KDO__TRY(concat(p, out));
    for (;; levels++) {
        int op = comparison_op(&p->cur);
        bool is = kdo__sql_is_kw(&p->cur, KDO_SQL_KW_IS);
        int r = op || is ? 0 : negatable(p, out);
        if (r < 0)
            return r;
        if (r) {
            p->depth -= levels;
            return 0;
        }
        KDO__TRY(kdo__sql_enter(p)); /* as in kw_chain */
        if (is) {
            kdo__sql_next(p);
            KDO__TRY(is_tail(p, out));
        } else if (op) {
            kdo__sql_next(p);
            KDO__TRY(binop(p, op, out));
            KDO__TRY(concat(p, &(*out)->b));
        }
    }
}

/* One left-associative level: operands from `next`, operators from ops. */
static int level(struct kdo__sql_parser *p, struct kdo_ast_expr **out,
                 int (*next)(struct kdo__sql_parser *, struct kdo_ast_expr **),
                 const char *const *ops, const int *codes, size_t n)
{
    int levels = 0;
    KDO__TRY(next(p, out));
    for (;; levels++) {
        size_t i = 0;
        while (i < n && !kdo__sql_is_op(&p->cur, ops[i]))
            i++;
        if (i == n) {
            p->depth -= levels;
            return 0;
        }
        KDO__TRY(kdo__sql_enter(p)); /* as in kw_chain */
        kdo__sql_next(p);
        KDO__TRY(binop(p, codes[i], out));
        KDO__TRY(next(p, &(*out)->b));
    }
}

static int mul(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    static const char *const ops[] = {"*", "/", "%"};
    static const int codes[] = {KDO_AST_OP_MUL, KDO_AST_OP_DIV, KDO_AST_OP_MOD};
    return level(p, out, unary, ops, codes, 3);
}

static int add(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    static const char *const ops[] = {"+", "-"};
    static const int codes[] = {KDO_AST_OP_ADD, KDO_AST_OP_SUB};
    return level(p, out, mul, ops, codes, 2);
}

static int concat(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    static const char *const ops[] = {"||"};
    static const int codes[] = {KDO_AST_OP_CONCAT};
    return level(p, out, add, ops, codes, 1);
}

/* ---- primaries ---- */

static int primary(struct kdo__sql_parser *p, struct kdo_ast_expr **out);

static int unary(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    int op = kdo__sql_is_op(&p->cur, "-") ? KDO_AST_OP_NEG
             : kdo__sql_is_op(&p->cur, "+") ? KDO_AST_OP_PLUS
                                            : 0;
    if (!op)
        return primary(p, out);
    KDO__TRY(node(p, KDO_AST_UNARY, out));
    (*out)->op = op;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_enter(p));
    KDO__TRY(unary(p, &(*out)->a));
    p->depth--;
    return 0;
}

int kdo__sql_name(struct kdo__sql_parser *p, struct kdo_ast_name *n, bool star_ok, bool *star)
{
    n->n = 0;
    if (star)
        *star = false;
    for (;;) {
        if (n->n == KDO_AST_MAX_NAME_PARTS)
            return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                                 "name with more than %d parts", KDO_AST_MAX_NAME_PARTS);
        KDO__TRY(kdo__sql_ident(p, &n->part[n->n], n->n ? "a name after '.'" : "a name"));
        n->n++;
        if (!kdo__sql_accept_op(p, "."))
            return 0;
        if (star_ok && kdo__sql_accept_op(p, "*")) {
            *star = true;
            return 0;
        }
    }
}

static int unit(struct kdo__sql_parser *p, enum kdo_ast_unit *u)
{
    static const char *const names[] = {"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};
    for (size_t i = 0; p->cur.kind == KDO_SQL_T_WORD && i < 6; i++) {
        size_t n = strlen(names[i]);
        if (strcmp(p->cur.text, names[i]) == 0) {
            *u = (enum kdo_ast_unit)(i + 1);
            kdo__sql_next(p);
            return 0;
        }
        if (p->cur.len == n + 1 && strncmp(p->cur.text, names[i], n) == 0 && p->cur.text[n] == 'S')
            return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                                 "expected a time unit, found '%s' (did you mean %s?)",
                                 p->cur.text, names[i]);
    }
    return kdo__sql_expected(p, "a time unit (YEAR, MONTH, DAY, HOUR, MINUTE or SECOND)");
}

static int small_int(struct kdo__sql_parser *p, long max, long *v, const char *what)
{
    if (p->cur.kind != KDO_SQL_T_INT)
        return kdo__sql_expected(p, what);
    char *end;
    *v = strtol(p->cur.text, &end, 10);
    if (*end || *v > max)
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col, "%s is larger than %ld", what, max);
    kdo__sql_next(p);
    return 0;
}

static int unit_prec(struct kdo__sql_parser *p, enum kdo_ast_unit *u, int *prec)
{
    KDO__TRY(unit(p, u));
    *prec = -1;
    if (!kdo__sql_accept_op(p, "("))
        return 0;
    long v;
    KDO__TRY(small_int(p, 9, &v, "a precision"));
    *prec = (int)v;
    return kdo__sql_expect_op(p, ")", "after the precision");
}

static int qualifier(struct kdo__sql_parser *p, struct kdo_ast_qualifier *q)
{
    KDO__TRY(unit_prec(p, &q->start, &q->start_prec));
    q->end = KDO_AST_UNIT_NONE;
    q->end_prec = -1;
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_TO))
        KDO__TRY(unit_prec(p, &q->end, &q->end_prec));
    return 0;
}

static int interval(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    KDO__TRY(node(p, KDO_AST_INTERVAL, out));
    kdo__sql_next(p);
    (*out)->op = kdo__sql_accept_op(p, "-") ? -1 : 1;
    if ((*out)->op > 0)
        kdo__sql_accept_op(p, "+");
    if (p->cur.kind != KDO_SQL_T_STRING)
        return kdo__sql_expected(p, "a quoted value after INTERVAL, as in INTERVAL '1' MINUTE");
    (*out)->text = p->cur.text;
    (*out)->len = p->cur.len;
    kdo__sql_next(p);
    return qualifier(p, &(*out)->qual);
}

/* A literal token: numbers, strings, X'..'. */
static int literal(struct kdo__sql_parser *p, enum kdo_ast_expr_kind kind,
                   struct kdo_ast_expr **out)
{
    KDO__TRY(node(p, kind, out));
    (*out)->text = p->cur.text;
    (*out)->len = p->cur.len;
    kdo__sql_next(p);
    return 0;
}

/* DATE '...', TIME '...', TIMESTAMP '...' (the keyword is current). */
static int typed_literal(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    enum kdo_ast_expr_kind kind = p->cur.kw == KDO_SQL_KW_DATE   ? KDO_AST_DATE
                                  : p->cur.kw == KDO_SQL_KW_TIME ? KDO_AST_TIME
                                                                 : KDO_AST_TIMESTAMP;
    KDO__TRY(node(p, kind, out));
    kdo__sql_next(p);
    (*out)->text = p->cur.text;
    (*out)->len = p->cur.len;
    kdo__sql_next(p);
    return 0;
}

static int call_args(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    if (kdo__sql_accept_op(p, ")"))
        return 0;
    if (kdo__sql_accept_op(p, "*")) {
        x->star = true;
        return kdo__sql_expect_op(p, ")", "after '*'");
    }
    x->distinct = kdo__sql_accept_kw(p, KDO_SQL_KW_DISTINCT);
    if (!x->distinct)
        kdo__sql_accept_kw(p, KDO_SQL_KW_ALL);
    KDO__TRY(kdo__sql_expr_list(p, &x->list));
    return kdo__sql_expect_op(p, ")", "after the function's arguments");
}

/* name( ... ) [OVER ...]: the name is read, '(' is current; `first` is an
 * argument a special form already read (or NULL). */
static int call_rest(struct kdo__sql_parser *p, struct kdo_ast_expr *x, struct kdo_ast_expr *first)
{
    x->kind = KDO_AST_CALL;
    if (first) {
        x->list = first;
        if (kdo__sql_accept_op(p, ","))
            KDO__TRY(kdo__sql_expr_list(p, &first->next));
        KDO__TRY(kdo__sql_expect_op(p, ")", "after the function's arguments"));
    } else {
        KDO__TRY(kdo__sql_expect_op(p, "(", "after the function name"));
        KDO__TRY(call_args(p, x));
    }
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_OVER))
        KDO__TRY(kdo__sql_over(p, &x->over));
    return 0;
}

/* The special form's keyword is current and '(' follows.  Fills x; a form
 * that turns out to be a plain call (SUBSTRING(s, 1, 2)) becomes a CALL. */
static int special(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    enum kdo_sql_kw kw = p->cur.kw;
    x->name = (struct kdo_ast_name){.n = 1,
                                    .part[0] = {.s = p->cur.text, .len = p->cur.len,
                                                .line = p->cur.line, .col = p->cur.col}};
    kdo__sql_next(p);
    kdo__sql_next(p); /* ( */
    struct kdo_ast_expr *first;
    switch (kw) {
    case KDO_SQL_KW_SUBSTRING: /* the string below predicates: SIMILAR is SUBSTRING's */
        KDO__TRY(concat(p, &first));
        if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SIMILAR))
            return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                                 "SUBSTRING ... SIMILAR ... ESCAPE is not supported");
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_FROM))
            return call_rest(p, x, first);
        x->kind = KDO_AST_SUBSTRING;
        x->a = first;
        KDO__TRY(kdo__sql_expr(p, &x->b));
        if (kdo__sql_accept_kw(p, KDO_SQL_KW_FOR))
            KDO__TRY(kdo__sql_expr(p, &x->c));
        break;
    case KDO_SQL_KW_POSITION:
        KDO__TRY(concat(p, &first));
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_IN))
            return call_rest(p, x, first);
        x->kind = KDO_AST_POSITION;
        x->a = first;
        KDO__TRY(kdo__sql_expr(p, &x->b));
        break;
    case KDO_SQL_KW_STEP:
        KDO__TRY(kdo__sql_expr(p, &first));
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_BY))
            return call_rest(p, x, first);
        x->kind = KDO_AST_STEP;
        x->a = first;
        KDO__TRY(kdo__sql_expr(p, &x->b));
        break;
    default: /* FLOOR, CEIL, CEILING */
        KDO__TRY(kdo__sql_expr(p, &first));
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_TO))
            return call_rest(p, x, first);
        x->kind = KDO_AST_FLOOR;
        x->op = kw == KDO_SQL_KW_FLOOR ? KDO_AST_OP_FLOOR : KDO_AST_OP_CEIL;
        x->a = first;
        KDO__TRY(unit(p, &x->qual.start));
        break;
    }
    return kdo__sql_expect_op(p, ")", "to close the function");
}

static int trim(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    static const struct {
        enum kdo_sql_kw kw;
        int op;
    } sides[] = {{KDO_SQL_KW_BOTH, KDO_AST_OP_BOTH}, {KDO_SQL_KW_LEADING, KDO_AST_OP_LEADING},
                 {KDO_SQL_KW_TRAILING, KDO_AST_OP_TRAILING}};
    x->kind = KDO_AST_TRIM;
    x->op = KDO_AST_OP_BOTH;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_expect_op(p, "(", "after TRIM"));
    bool side = false;
    for (size_t i = 0; i < 3 && !side; i++)
        if (kdo__sql_accept_kw(p, sides[i].kw)) {
            x->op = sides[i].op;
            side = true;
        }
    if (!(side && kdo__sql_is_kw(&p->cur, KDO_SQL_KW_FROM)))
        KDO__TRY(kdo__sql_expr(p, &x->b));
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_FROM)) {
        x->a = x->b;
        KDO__TRY(kdo__sql_expr(p, &x->b));
    } else if (side) {
        return kdo__sql_expected(p, "FROM in TRIM(LEADING|TRAILING|BOTH ... FROM ...)");
    }
    return kdo__sql_expect_op(p, ")", "to close TRIM");
}

static int cast(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    x->kind = KDO_AST_CAST;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_expect_op(p, "(", "after CAST"));
    KDO__TRY(kdo__sql_expr(p, &x->a));
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_AS, "in CAST(value AS type)"));
    KDO__TRY(kdo__sql_type(p, &x->type));
    return kdo__sql_expect_op(p, ")", "to close CAST");
}

static int extract(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    x->kind = KDO_AST_EXTRACT;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_expect_op(p, "(", "after EXTRACT"));
    KDO__TRY(unit(p, &x->qual.start));
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_FROM, "in EXTRACT(unit FROM value)"));
    KDO__TRY(kdo__sql_expr(p, &x->a));
    return kdo__sql_expect_op(p, ")", "to close EXTRACT");
}

static int cursor(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    x->kind = KDO_AST_CURSOR;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_expect_op(p, "(", "after CURSOR"));
    if (!kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT))
        return kdo__sql_expected(p, "SELECT in CURSOR(...)");
    KDO__TRY(kdo__sql_query(p, &x->query));
    return kdo__sql_expect_op(p, ")", "to close CURSOR");
}

static int case_(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    x->kind = KDO_AST_CASE;
    kdo__sql_next(p);
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_END) || kdo__sql_is_kw(&p->cur, KDO_SQL_KW_ELSE))
        return kdo__sql_expected(p, "WHEN after CASE");
    if (!kdo__sql_is_kw(&p->cur, KDO_SQL_KW_WHEN))
        KDO__TRY(kdo__sql_expr(p, &x->a));
    struct kdo_ast_expr **tail = &x->list;
    while (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_WHEN)) {
        KDO__TRY(node(p, KDO_AST_WHEN, tail));
        kdo__sql_next(p);
        KDO__TRY(kdo__sql_expr(p, &(*tail)->a));
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_THEN, "after WHEN's condition"));
        KDO__TRY(kdo__sql_expr(p, &(*tail)->b));
        tail = &(*tail)->next;
    }
    if (!x->list)
        return kdo__sql_expected(p, "WHEN after CASE");
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_ELSE))
        KDO__TRY(kdo__sql_expr(p, &x->c));
    return kdo__sql_expect_kw(p, KDO_SQL_KW_END, "to close CASE");
}

static int paren(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    kdo__sql_next(p);
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT))
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "subqueries in expressions are not supported");
    KDO__TRY(kdo__sql_expr(p, out));
    return kdo__sql_expect_op(p, ")", "to close '('");
}

static int name_or_call(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    bool star;
    KDO__TRY(node(p, KDO_AST_NAME, out));
    KDO__TRY(kdo__sql_name(p, &(*out)->name, true, &star));
    if (star) {
        (*out)->kind = KDO_AST_STAR;
        return 0;
    }
    if (!kdo__sql_is_op(&p->cur, "("))
        return 0;
    if ((*out)->name.n > 1)
        return kdo__sql_fail(p, 0, (*out)->line, (*out)->col,
                             "qualified function names are not supported");
    return call_rest(p, *out, NULL);
}

/* Keywords that open an expression; 1 when the current token is none. */
static int keyword_primary(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    const struct kdo_sql_token *t = &p->cur;
    switch (t->kw) {
    case KDO_SQL_KW_TRUE:
    case KDO_SQL_KW_FALSE:
    case KDO_SQL_KW_UNKNOWN:
        KDO__TRY(node(p, KDO_AST_BOOL, out));
        (*out)->op = t->kw == KDO_SQL_KW_TRUE ? 1 : t->kw == KDO_SQL_KW_FALSE ? 0 : 2;
        kdo__sql_next(p);
        return 0;
    case KDO_SQL_KW_NULL:
        KDO__TRY(node(p, KDO_AST_NULL, out));
        kdo__sql_next(p);
        return 0;
    case KDO_SQL_KW_DATE:
    case KDO_SQL_KW_TIME:
    case KDO_SQL_KW_TIMESTAMP:
        return kdo__sql_peek(p)->kind == KDO_SQL_T_STRING ? typed_literal(p, out) : 1;
    case KDO_SQL_KW_INTERVAL:
        return interval(p, out);
    case KDO_SQL_KW_CASE:
        KDO__TRY(node(p, KDO_AST_CASE, out));
        return case_(p, *out);
    case KDO_SQL_KW_CAST:
        KDO__TRY(node(p, KDO_AST_CAST, out));
        return cast(p, *out);
    case KDO_SQL_KW_EXTRACT:
        KDO__TRY(node(p, KDO_AST_EXTRACT, out));
        return extract(p, *out);
    case KDO_SQL_KW_CURSOR:
        KDO__TRY(node(p, KDO_AST_CURSOR, out));
        return cursor(p, *out);
    default:
        break;
    }
    if (!kdo__sql_is_op(kdo__sql_peek(p), "("))
        return 1;
    switch (t->kw) {
    case KDO_SQL_KW_TRIM:
        KDO__TRY(node(p, KDO_AST_TRIM, out));
        return trim(p, *out);
    case KDO_SQL_KW_SUBSTRING:
    case KDO_SQL_KW_POSITION:
    case KDO_SQL_KW_STEP:
    case KDO_SQL_KW_FLOOR:
    case KDO_SQL_KW_CEIL:
    case KDO_SQL_KW_CEILING:
        KDO__TRY(node(p, KDO_AST_CALL, out));
        return special(p, *out);
    default:
        return 1;
    }
}

static int primary(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    static const enum kdo_ast_expr_kind lits[] = {
        [KDO_SQL_T_INT] = KDO_AST_INT, [KDO_SQL_T_DEC] = KDO_AST_DECIMAL,
        [KDO_SQL_T_APPROX] = KDO_AST_APPROX, [KDO_SQL_T_STRING] = KDO_AST_STRING,
        [KDO_SQL_T_BINARY] = KDO_AST_BINARY};
    switch (p->cur.kind) {
    case KDO_SQL_T_INT:
    case KDO_SQL_T_DEC:
    case KDO_SQL_T_APPROX:
    case KDO_SQL_T_STRING:
    case KDO_SQL_T_BINARY:
        return literal(p, lits[p->cur.kind], out);
    case KDO_SQL_T_WORD: {
        int r = keyword_primary(p, out);
        if (r <= 0)
            return r;
        if (kdo_sql_kw_reserved(p->cur.kw))
            return kdo__sql_expected(p, "an expression");
        return name_or_call(p, out);
    }
    case KDO_SQL_T_QIDENT:
        return name_or_call(p, out);
    default:
        break;
    }
    if (kdo__sql_is_op(&p->cur, "("))
        return paren(p, out);
    if (kdo__sql_is_op(&p->cur, "{"))
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "JDBC escapes {...} are not supported: write TIMESTAMP '...'");
    if (kdo__sql_is_op(&p->cur, "?"))
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "parameter markers '?' are not supported");
    return kdo__sql_expected(p, "an expression");
}

/* ---- types ---- */

static const struct {
    const char *word;
    enum kdo_ast_typename type;
    int max_params;
} type_words[] = {
    {"BIGINT", KDO_AST_TYPE_BIGINT, 0},     {"BINARY", KDO_AST_TYPE_BINARY, 1},
    {"BOOLEAN", KDO_AST_TYPE_BOOLEAN, 0},   {"CHAR", KDO_AST_TYPE_CHAR, 1},
    {"CHARACTER", KDO_AST_TYPE_CHAR, 1},    {"DATE", KDO_AST_TYPE_DATE, 0},
    {"DECIMAL", KDO_AST_TYPE_DECIMAL, 2},   {"DEC", KDO_AST_TYPE_DECIMAL, 2},
    {"NUMERIC", KDO_AST_TYPE_DECIMAL, 2},   {"DOUBLE", KDO_AST_TYPE_DOUBLE, 0},
    {"FLOAT", KDO_AST_TYPE_FLOAT, 1},       {"INTEGER", KDO_AST_TYPE_INTEGER, 0},
    {"INT", KDO_AST_TYPE_INTEGER, 0},       {"INTERVAL", KDO_AST_TYPE_INTERVAL, 0},
    {"REAL", KDO_AST_TYPE_REAL, 0},         {"SMALLINT", KDO_AST_TYPE_SMALLINT, 0},
    {"TIME", KDO_AST_TYPE_TIME, 1},         {"TIMESTAMP", KDO_AST_TYPE_TIMESTAMP, 1},
    {"TINYINT", KDO_AST_TYPE_TINYINT, 0},   {"VARBINARY", KDO_AST_TYPE_VARBINARY, 1},
    {"VARCHAR", KDO_AST_TYPE_VARCHAR, 1},
};

/* The words after the type name: DOUBLE PRECISION, CHAR[ACTER] VARYING. */
static void type_suffix(struct kdo__sql_parser *p, struct kdo_ast_type *t)
{
    if (p->cur.kind != KDO_SQL_T_WORD)
        return;
    if (t->name == KDO_AST_TYPE_DOUBLE && strcmp(p->cur.text, "PRECISION") == 0)
        kdo__sql_next(p);
    else if (t->name == KDO_AST_TYPE_CHAR && strcmp(p->cur.text, "VARYING") == 0) {
        t->name = KDO_AST_TYPE_VARCHAR;
        kdo__sql_next(p);
    }
}

static int type_params(struct kdo__sql_parser *p, struct kdo_ast_type *t, int max, const char *w)
{
    if (!kdo__sql_is_op(&p->cur, "("))
        return 0;
    if (max == 0)
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col, "type %s takes no parameters", w);
    kdo__sql_next(p);
    do {
        if (t->nparams == max)
            return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                                 "type %s takes at most %d parameter%s", w, max,
                                 max > 1 ? "s" : "");
        KDO__TRY(small_int(p, 1000000000L, &t->params[t->nparams], "a type parameter"));
        t->nparams++;
    } while (kdo__sql_accept_op(p, ","));
    return kdo__sql_expect_op(p, ")", "after the type's parameters");
}

int kdo__sql_type(struct kdo__sql_parser *p, struct kdo_ast_type *t)
{
    *t = (struct kdo_ast_type){.line = p->cur.line, .col = p->cur.col};
    size_t i = 0, n = sizeof type_words / sizeof type_words[0];
    while (p->cur.kind == KDO_SQL_T_WORD && i < n && strcmp(p->cur.text, type_words[i].word))
        i++;
    if (p->cur.kind != KDO_SQL_T_WORD || i == n)
        return kdo__sql_expected(p, "a type (VARCHAR(n), INTEGER, BIGINT, DOUBLE, TIMESTAMP, ...)");
    t->name = type_words[i].type;
    kdo__sql_next(p);
    if (t->name == KDO_AST_TYPE_INTERVAL)
        return qualifier(p, &t->qual);
    type_suffix(p, t);
    return type_params(p, t, type_words[i].max_params, type_words[i].word);
}
