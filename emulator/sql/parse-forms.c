/*
 * parse-forms.c -- the parts of KDA SQL expressions written with keywords
 * between their arguments, function calls, interval qualifiers and types
 * (see parse.h; the operator ladder and primaries are in parse-expr.c).
 *
 * SUBSTRING(x FROM a FOR b), POSITION(a IN b), TRIM(LEADING c FROM x),
 * FLOOR/CEIL(x TO DAY), STEP(x BY INTERVAL ...), EXTRACT(DAY FROM x),
 * CAST(x AS type), CASE and CURSOR(query) get their own nodes; the comma
 * forms of SUBSTRING, FLOOR and the rest are ordinary calls, whose meaning
 * the binder decides.  Type synonyms are folded here (INT -> INTEGER,
 * NUMERIC -> DECIMAL, DOUBLE PRECISION -> DOUBLE, CHARACTER VARYING ->
 * VARCHAR) and each type's parameter count is checked.
 */
#include "sql/parse-int.h"

#include <stdlib.h>
#include <string.h>

#define ALLOC(p, ptr) KDO__TRY(kdo__sql_alloc(p, sizeof *(ptr), (void **)&(ptr)))

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
    long v = 0; /* set on success; -O2 cannot see through KDO__TRY's return */
    KDO__TRY(small_int(p, 9, &v, "a precision"));
    *prec = (int)v;
    return kdo__sql_expect_op(p, ")", "after the precision");
}

int kdo__sql_qualifier(struct kdo__sql_parser *p, struct kdo_ast_qualifier *q)
{
    KDO__TRY(unit_prec(p, &q->start, &q->start_prec));
    q->end = KDO_AST_UNIT_NONE;
    q->end_prec = -1;
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_TO))
        KDO__TRY(unit_prec(p, &q->end, &q->end_prec));
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

static bool is_word(const struct kdo_sql_token *t, const char *w)
{
    return t->kind == KDO_SQL_T_WORD && t->len == strlen(w) && memcmp(t->text, w, t->len) == 0;
}

/* [IGNORE | RESPECT] NULLS after an analytic function's arguments.  Neither word is
 * reserved (KDA has columns named so), hence both must be there: `f(x) IGNORE` alone is
 * f(x) with the alias IGNORE. */
static void null_treatment(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    bool ignore = is_word(&p->cur, "IGNORE");
    if (!ignore && !is_word(&p->cur, "RESPECT"))
        return;
    if (!is_word(kdo__sql_peek(p), "NULLS"))
        return;
    x->nulls = ignore ? KDO_AST_NULLS_IGNORE : KDO_AST_NULLS_RESPECT;
    kdo__sql_next(p);
    kdo__sql_next(p);
}

/* name( ... ) [OVER ...]: the name is read, '(' is current; `first` is an
 * argument a special form already read (or NULL). */
int kdo__sql_call_rest(struct kdo__sql_parser *p, struct kdo_ast_expr *x, struct kdo_ast_expr *first)
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
    null_treatment(p, x);
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_OVER))
        KDO__TRY(kdo__sql_over(p, &x->over));
    return 0;
}

/* The special form's keyword is current and '(' follows.  Fills x; a form
 * that turns out to be a plain call (SUBSTRING(s, 1, 2)) becomes a CALL. */
int kdo__sql_special(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
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
        KDO__TRY(kdo__sql_concat(p, &first));
        if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SIMILAR))
            return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                                 "SUBSTRING ... SIMILAR ... ESCAPE is not supported");
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_FROM))
            return kdo__sql_call_rest(p, x, first);
        x->kind = KDO_AST_SUBSTRING;
        x->a = first;
        KDO__TRY(kdo__sql_expr(p, &x->b));
        if (kdo__sql_accept_kw(p, KDO_SQL_KW_FOR))
            KDO__TRY(kdo__sql_expr(p, &x->c));
        break;
    case KDO_SQL_KW_POSITION:
        KDO__TRY(kdo__sql_concat(p, &first));
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_IN))
            return kdo__sql_call_rest(p, x, first);
        x->kind = KDO_AST_POSITION;
        x->a = first;
        KDO__TRY(kdo__sql_expr(p, &x->b));
        break;
    case KDO_SQL_KW_STEP:
        KDO__TRY(kdo__sql_expr(p, &first));
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_BY))
            return kdo__sql_call_rest(p, x, first);
        x->kind = KDO_AST_STEP;
        x->a = first;
        KDO__TRY(kdo__sql_expr(p, &x->b));
        break;
    default: /* FLOOR, CEIL, CEILING */
        KDO__TRY(kdo__sql_expr(p, &first));
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_TO))
            return kdo__sql_call_rest(p, x, first);
        x->kind = KDO_AST_FLOOR;
        x->op = kw == KDO_SQL_KW_FLOOR ? KDO_AST_OP_FLOOR : KDO_AST_OP_CEIL;
        x->a = first;
        KDO__TRY(unit(p, &x->qual.start));
        break;
    }
    return kdo__sql_expect_op(p, ")", "to close the function");
}

int kdo__sql_trim(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
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

int kdo__sql_cast(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    x->kind = KDO_AST_CAST;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_expect_op(p, "(", "after CAST"));
    KDO__TRY(kdo__sql_expr(p, &x->a));
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_AS, "in CAST(value AS type)"));
    KDO__TRY(kdo__sql_type(p, &x->type));
    return kdo__sql_expect_op(p, ")", "to close CAST");
}

int kdo__sql_extract(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    x->kind = KDO_AST_EXTRACT;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_expect_op(p, "(", "after EXTRACT"));
    KDO__TRY(unit(p, &x->qual.start));
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_FROM, "in EXTRACT(unit FROM value)"));
    KDO__TRY(kdo__sql_expr(p, &x->a));
    return kdo__sql_expect_op(p, ")", "to close EXTRACT");
}

int kdo__sql_cursor(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    x->kind = KDO_AST_CURSOR;
    kdo__sql_next(p);
    KDO__TRY(kdo__sql_expect_op(p, "(", "after CURSOR"));
    if (!kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT))
        return kdo__sql_expected(p, "SELECT in CURSOR(...)");
    KDO__TRY(kdo__sql_query(p, &x->query));
    return kdo__sql_expect_op(p, ")", "to close CURSOR");
}

int kdo__sql_case(struct kdo__sql_parser *p, struct kdo_ast_expr *x)
{
    x->kind = KDO_AST_CASE;
    kdo__sql_next(p);
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_END) || kdo__sql_is_kw(&p->cur, KDO_SQL_KW_ELSE))
        return kdo__sql_expected(p, "WHEN after CASE");
    if (!kdo__sql_is_kw(&p->cur, KDO_SQL_KW_WHEN))
        KDO__TRY(kdo__sql_expr(p, &x->a));
    struct kdo_ast_expr **tail = &x->list;
    while (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_WHEN)) {
        KDO__TRY(kdo__sql_node(p, KDO_AST_WHEN, tail));
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
        return kdo__sql_qualifier(p, &t->qual);
    type_suffix(p, t);
    return type_params(p, t, type_words[i].max_params, type_words[i].word);
}
