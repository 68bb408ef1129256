/*
 * parse-expr.c -- the operator ladder, names and primaries of KDA SQL
 * expressions (see parse.h; calls, keyword forms and types are in
 * parse-forms.c).
 *
 * Precedence, loosest first (standard SQL; KDA's own list in the SQL
 * Reference's streaming-operators page omits comparisons, see GAPS #26):
 *   OR < AND < NOT < comparisons, IS, BETWEEN, IN, LIKE, SIMILAR TO
 *      < || < + - < * / % < unary + - < primaries
 * so `a || b = c` is `(a || b) = c` and `-x * y` is `(-x) * y`.  Every
 * operator of a chain counts one level against KDO_SQL_MAX_DEPTH.
 */
#include "sql/parse-int.h"

#define ALLOC(p, ptr) KDO__TRY(kdo__sql_alloc(p, sizeof *(ptr), (void **)&(ptr)))

static int predicate(struct kdo__sql_parser *p, struct kdo_ast_expr **out);
static int unary(struct kdo__sql_parser *p, struct kdo_ast_expr **out);

int kdo__sql_node(struct kdo__sql_parser *p, enum kdo_ast_expr_kind kind, struct kdo_ast_expr **out)
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
    KDO__TRY(kdo__sql_node(p, KDO_AST_UNARY, out));
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
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_DISTINCT)) {
        (*x)->op = KDO_AST_OP_DISTINCT;
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_FROM, "after IS [NOT] DISTINCT"));
        return kdo__sql_concat(p, &(*x)->b);
    }
    for (size_t i = 0; i < sizeof what / sizeof what[0]; i++)
        if (kdo__sql_accept_kw(p, what[i].kw)) {
            (*x)->op = what[i].op;
            return 0;
        }
    return kdo__sql_expected(p, "NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS");
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
    KDO__TRY(kdo__sql_concat(p, &(*x)->b));
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_ESCAPE))
        KDO__TRY(kdo__sql_concat(p, &(*x)->c));
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
    KDO__TRY(kdo__sql_concat(p, &(*x)->b));
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_AND, "between BETWEEN's bounds"));
    return kdo__sql_concat(p, &(*x)->c);
}

static int predicate(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    int levels = 0;
    KDO__TRY(kdo__sql_concat(p, out));
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
            KDO__TRY(kdo__sql_concat(p, &(*out)->b));
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

int kdo__sql_concat(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
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
    KDO__TRY(kdo__sql_node(p, KDO_AST_UNARY, out));
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

static int interval(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    KDO__TRY(kdo__sql_node(p, KDO_AST_INTERVAL, out));
    kdo__sql_next(p);
    (*out)->op = kdo__sql_accept_op(p, "-") ? -1 : 1;
    if ((*out)->op > 0)
        kdo__sql_accept_op(p, "+");
    if (p->cur.kind != KDO_SQL_T_STRING)
        return kdo__sql_expected(p, "a quoted value after INTERVAL, as in INTERVAL '1' MINUTE");
    (*out)->text = p->cur.text;
    (*out)->len = p->cur.len;
    kdo__sql_next(p);
    return kdo__sql_qualifier(p, &(*out)->qual);
}

/* A literal token: numbers, strings, X'..'. */
static int literal(struct kdo__sql_parser *p, enum kdo_ast_expr_kind kind,
                   struct kdo_ast_expr **out)
{
    KDO__TRY(kdo__sql_node(p, kind, out));
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
    KDO__TRY(kdo__sql_node(p, kind, out));
    kdo__sql_next(p);
    (*out)->text = p->cur.text;
    (*out)->len = p->cur.len;
    kdo__sql_next(p);
    return 0;
}

static int paren(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    kdo__sql_next(p);
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT))
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "subqueries in expressions are not supported");
    KDO__TRY(kdo__sql_expr(p, out));
    KDO__TRY(kdo__sql_expect_op(p, ")", "to close '('"));
    static const enum kdo_sql_kw units[] = {KDO_SQL_KW_YEAR, KDO_SQL_KW_MONTH, KDO_SQL_KW_DAY,
                                            KDO_SQL_KW_HOUR, KDO_SQL_KW_MINUTE,
                                            KDO_SQL_KW_SECOND};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (kdo__sql_is_kw(&p->cur, units[i])) { /* (t1 - t2) DAY TO SECOND: an interval */
            struct kdo_ast_expr *in = *out;
            KDO__TRY(kdo__sql_node(p, KDO_AST_UNARY, out));
            (*out)->op = KDO_AST_OP_QUALIFY;
            (*out)->a = in;
            (*out)->line = in->line;
            (*out)->col = in->col;
            return kdo__sql_qualifier(p, &(*out)->qual);
        }
    return 0;
}

static int name_or_call(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    bool star;
    KDO__TRY(kdo__sql_node(p, KDO_AST_NAME, out));
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
    return kdo__sql_call_rest(p, *out, NULL);
}

/* Keywords that open an expression; 1 when the current token is none. */
static int keyword_primary(struct kdo__sql_parser *p, struct kdo_ast_expr **out)
{
    const struct kdo_sql_token *t = &p->cur;
    switch (t->kw) {
    case KDO_SQL_KW_TRUE:
    case KDO_SQL_KW_FALSE:
    case KDO_SQL_KW_UNKNOWN:
        KDO__TRY(kdo__sql_node(p, KDO_AST_BOOL, out));
        (*out)->op = t->kw == KDO_SQL_KW_TRUE ? 1 : t->kw == KDO_SQL_KW_FALSE ? 0 : 2;
        kdo__sql_next(p);
        return 0;
    case KDO_SQL_KW_NULL:
        KDO__TRY(kdo__sql_node(p, KDO_AST_NULL, out));
        kdo__sql_next(p);
        return 0;
    case KDO_SQL_KW_DATE:
    case KDO_SQL_KW_TIME:
    case KDO_SQL_KW_TIMESTAMP:
        return kdo__sql_peek(p)->kind == KDO_SQL_T_STRING ? typed_literal(p, out) : 1;
    case KDO_SQL_KW_INTERVAL:
        return interval(p, out);
    case KDO_SQL_KW_CASE:
        KDO__TRY(kdo__sql_node(p, KDO_AST_CASE, out));
        return kdo__sql_case(p, *out);
    case KDO_SQL_KW_CAST:
        KDO__TRY(kdo__sql_node(p, KDO_AST_CAST, out));
        return kdo__sql_cast(p, *out);
    case KDO_SQL_KW_EXTRACT:
        KDO__TRY(kdo__sql_node(p, KDO_AST_EXTRACT, out));
        return kdo__sql_extract(p, *out);
    case KDO_SQL_KW_CURSOR:
        KDO__TRY(kdo__sql_node(p, KDO_AST_CURSOR, out));
        return kdo__sql_cursor(p, *out);
    default:
        break;
    }
    if (!kdo__sql_is_op(kdo__sql_peek(p), "("))
        return 1;
    switch (t->kw) {
    case KDO_SQL_KW_TRIM:
        KDO__TRY(kdo__sql_node(p, KDO_AST_TRIM, out));
        return kdo__sql_trim(p, *out);
    case KDO_SQL_KW_SUBSTRING:
    case KDO_SQL_KW_POSITION:
    case KDO_SQL_KW_STEP:
    case KDO_SQL_KW_FLOOR:
    case KDO_SQL_KW_CEIL:
    case KDO_SQL_KW_CEILING:
        KDO__TRY(kdo__sql_node(p, KDO_AST_CALL, out));
        return kdo__sql_special(p, *out);
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
