/*
 * ast.c -- allocation of syntax-tree nodes and their canonical printing.
 *
 * The printer is the tests' view of the tree: one line per statement,
 * upper-case keywords, every operator application in parentheses (so the
 * printed text shows the parse's precedence), synonyms folded (INT ->
 * INTEGER, JOIN -> INNER JOIN, TRIM(x) -> TRIM(BOTH FROM x)), names bare
 * when they re-read as the same name and quoted otherwise.  Printing stops
 * at the first full-buffer error and reports it.
 */
#include "sql/ast.h"

#include "base/errors.h"
#include "sql/lex.h"

#include <stdint.h>
#include <string.h>

void *kdo_ast_alloc(struct kdo_arena *a, size_t n)
{
    const size_t align = _Alignof(max_align_t);
    char *p;
    if (kdo_arena_alloc(a, n + align, &p))
        return NULL;
    char *q = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
    memset(q, 0, n);
    return q;
}

static const char *const unit_names[] = {"", "YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"};

const char *kdo_ast_unit_name(enum kdo_ast_unit u)
{
    return (size_t)u < sizeof unit_names / sizeof unit_names[0] ? unit_names[u] : "";
}

static const char *const type_names[] = {
    "BIGINT", "BINARY", "BOOLEAN", "CHAR", "DATE", "DECIMAL", "DOUBLE", "FLOAT", "INTEGER",
    "INTERVAL", "REAL", "SMALLINT", "TIME", "TIMESTAMP", "TINYINT", "VARBINARY", "VARCHAR",
};

const char *kdo_ast_type_name(enum kdo_ast_typename t)
{
    return (size_t)t < sizeof type_names / sizeof type_names[0] ? type_names[t] : "";
}

struct printer {
    struct kdo_buf *out;
    int err;
};

static void put(struct printer *p, const char *s)
{
    if (!p->err)
        p->err = kdo_buf_puts(p->out, s);
}

static void putn(struct printer *p, const char *s, size_t n)
{
    if (!p->err)
        p->err = kdo_buf_append(p->out, s, n);
}

static void quoted(struct printer *p, char q, const char *s, size_t n)
{
    putn(p, &q, 1);
    for (size_t i = 0; i < n; i++) {
        putn(p, s + i, 1);
        if (s[i] == q)
            putn(p, &q, 1);
    }
    putn(p, &q, 1);
}

/* Whether s re-reads unquoted as itself: [A-Z_][A-Z0-9_]* and not a keyword
 * (or, with calls_ok, not a reserved one: a function name before '('). */
static bool bare_ok(const char *s, size_t n, bool calls_ok)
{
    if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    enum kdo_sql_kw kw = kdo_sql_kw_lookup(s, n);
    return kw == KDO_SQL_KW_NONE || (calls_ok && !kdo_sql_kw_reserved(kw));
}

static void ident(struct printer *p, const struct kdo_ast_ident *id)
{
    if (bare_ok(id->s, id->len, false))
        putn(p, id->s, id->len);
    else
        quoted(p, '"', id->s, id->len);
}

static void name(struct printer *p, const struct kdo_ast_name *n)
{
    for (int i = 0; i < n->n; i++) {
        if (i)
            put(p, ".");
        ident(p, &n->part[i]);
    }
}

static void idlist(struct printer *p, const struct kdo_ast_idlist *l)
{
    put(p, "(");
    for (; l; l = l->next) {
        ident(p, &l->id);
        put(p, l->next ? ", " : "");
    }
    put(p, ")");
}

static void num(struct printer *p, long v)
{
    if (!p->err)
        p->err = kdo_buf_printf(p->out, "%ld", v);
}

static void unit_prec(struct printer *p, enum kdo_ast_unit u, int prec)
{
    put(p, kdo_ast_unit_name(u));
    if (prec >= 0) {
        put(p, "(");
        num(p, prec);
        put(p, ")");
    }
}

static void qualifier(struct printer *p, const struct kdo_ast_qualifier *q)
{
    unit_prec(p, q->start, q->start_prec);
    if (q->end != KDO_AST_UNIT_NONE) {
        put(p, " TO ");
        unit_prec(p, q->end, q->end_prec);
    }
}

static void type(struct printer *p, const struct kdo_ast_type *t)
{
    put(p, kdo_ast_type_name(t->name));
    if (t->name == KDO_AST_TYPE_INTERVAL) {
        put(p, " ");
        qualifier(p, &t->qual);
        return;
    }
    for (int i = 0; i < t->nparams; i++) {
        put(p, i ? ", " : "(");
        num(p, t->params[i]);
    }
    put(p, t->nparams ? ")" : "");
}

static void expr(struct printer *p, const struct kdo_ast_expr *x);
static void query(struct printer *p, const struct kdo_ast_query *q);

static void exprs(struct printer *p, const struct kdo_ast_expr *l)
{
    for (; l; l = l->next) {
        expr(p, l);
        put(p, l->next ? ", " : "");
    }
}

static void orders(struct printer *p, const struct kdo_ast_order *o)
{
    for (; o; o = o->next) {
        expr(p, o->expr);
        put(p, o->desc ? " DESC" : "");
        put(p, o->next ? ", " : "");
    }
}

static void window_spec(struct printer *p, const struct kdo_ast_window *w)
{
    const char *sep = "";
    put(p, "(");
    if (w->partition) {
        put(p, "PARTITION BY ");
        exprs(p, w->partition);
        sep = " ";
    }
    if (w->order) {
        put(p, sep);
        put(p, "ORDER BY ");
        orders(p, w->order);
        sep = " ";
    }
    if (w->frame != KDO_AST_FRAME_NONE) {
        put(p, sep);
        put(p, w->frame == KDO_AST_FRAME_RANGE ? "RANGE " : "ROWS ");
        if (w->extent)
            expr(p, w->extent);
        else
            put(p, w->unbounded ? "UNBOUNDED" : "CURRENT ROW");
        if (w->bound != KDO_AST_BOUND_NONE)
            put(p, w->bound == KDO_AST_BOUND_FOLLOWING ? " FOLLOWING" : " PRECEDING");
    }
    put(p, ")");
}

static void over(struct printer *p, const struct kdo_ast_window *w)
{
    put(p, " OVER ");
    if (w->ref.s)
        ident(p, &w->ref);
    else
        window_spec(p, w);
}

static const char *const op_text[] = {
    [KDO_AST_OP_OR] = "OR", [KDO_AST_OP_AND] = "AND", [KDO_AST_OP_NOT] = "NOT",
    [KDO_AST_OP_EQ] = "=", [KDO_AST_OP_NE] = "<>", [KDO_AST_OP_LT] = "<",
    [KDO_AST_OP_LE] = "<=", [KDO_AST_OP_GT] = ">", [KDO_AST_OP_GE] = ">=",
    [KDO_AST_OP_CONCAT] = "||", [KDO_AST_OP_ADD] = "+", [KDO_AST_OP_SUB] = "-",
    [KDO_AST_OP_MUL] = "*", [KDO_AST_OP_DIV] = "/", [KDO_AST_OP_MOD] = "%",
    [KDO_AST_OP_NEG] = "-", [KDO_AST_OP_PLUS] = "+", [KDO_AST_OP_NULL] = "NULL",
    [KDO_AST_OP_TRUE] = "TRUE", [KDO_AST_OP_FALSE] = "FALSE", [KDO_AST_OP_UNKNOWN] = "UNKNOWN",
    [KDO_AST_OP_LIKE] = "LIKE", [KDO_AST_OP_SIMILAR] = "SIMILAR TO", [KDO_AST_OP_BOTH] = "BOTH",
    [KDO_AST_OP_LEADING] = "LEADING", [KDO_AST_OP_TRAILING] = "TRAILING",
    [KDO_AST_OP_FLOOR] = "FLOOR", [KDO_AST_OP_CEIL] = "CEIL",
    [KDO_AST_OP_DISTINCT] = "DISTINCT FROM ",
};

static const char *opname(int op)
{
    return op > 0 && (size_t)op < sizeof op_text / sizeof op_text[0] && op_text[op] ? op_text[op]
                                                                                   : "?";
}

static void literal(struct printer *p, const struct kdo_ast_expr *x)
{
    static const char *const prefix[] = {[KDO_AST_DATE] = "DATE ", [KDO_AST_TIME] = "TIME ",
                                         [KDO_AST_TIMESTAMP] = "TIMESTAMP "};
    switch (x->kind) {
    case KDO_AST_STRING:
        quoted(p, '\'', x->text, x->len);
        break;
    case KDO_AST_BINARY:
        put(p, "X");
        quoted(p, '\'', x->text, x->len);
        break;
    case KDO_AST_BOOL:
        put(p, x->op == 1 ? "TRUE" : x->op == 0 ? "FALSE" : "UNKNOWN");
        break;
    case KDO_AST_NULL:
        put(p, "NULL");
        break;
    case KDO_AST_DATE:
    case KDO_AST_TIME:
    case KDO_AST_TIMESTAMP:
        put(p, prefix[x->kind]);
        quoted(p, '\'', x->text, x->len);
        break;
    case KDO_AST_INTERVAL:
        put(p, x->op < 0 ? "INTERVAL -" : "INTERVAL ");
        quoted(p, '\'', x->text, x->len);
        put(p, " ");
        qualifier(p, &x->qual);
        break;
    default: /* numbers */
        putn(p, x->text, x->len);
        break;
    }
}

static void call(struct printer *p, const struct kdo_ast_expr *x)
{
    const struct kdo_ast_ident *fn = &x->name.part[0];
    if (x->name.n == 1 && bare_ok(fn->s, fn->len, true))
        putn(p, fn->s, fn->len);
    else
        name(p, &x->name);
    put(p, "(");
    put(p, x->distinct ? "DISTINCT " : "");
    if (x->star)
        put(p, "*");
    exprs(p, x->list);
    put(p, ")");
    if (x->over)
        over(p, x->over);
}

static void case_expr(struct printer *p, const struct kdo_ast_expr *x)
{
    put(p, "CASE");
    if (x->a) {
        put(p, " ");
        expr(p, x->a);
    }
    for (const struct kdo_ast_expr *w = x->list; w; w = w->next) {
        put(p, " WHEN ");
        expr(p, w->a);
        put(p, " THEN ");
        expr(p, w->b);
    }
    if (x->c) {
        put(p, " ELSE ");
        expr(p, x->c);
    }
    put(p, " END");
}

/* The predicates: (a [NOT] BETWEEN b AND c), (a [NOT] IN (...)), LIKE, IS. */
static void predicate(struct printer *p, const struct kdo_ast_expr *x)
{
    put(p, "(");
    expr(p, x->a);
    put(p, x->kind == KDO_AST_IS ? " IS" : "");
    put(p, x->negated ? " NOT " : " ");
    switch (x->kind) {
    case KDO_AST_IS:
        put(p, opname(x->op));
        if (x->op == KDO_AST_OP_DISTINCT)
            expr(p, x->b);
        break;
    case KDO_AST_BETWEEN:
        put(p, "BETWEEN ");
        expr(p, x->b);
        put(p, " AND ");
        expr(p, x->c);
        break;
    case KDO_AST_IN:
        put(p, "IN (");
        exprs(p, x->list);
        put(p, ")");
        break;
    default: /* LIKE, SIMILAR TO */
        put(p, opname(x->op));
        put(p, " ");
        expr(p, x->b);
        if (x->c) {
            put(p, " ESCAPE ");
            expr(p, x->c);
        }
        break;
    }
    put(p, ")");
}

/* The special forms written with keywords between their arguments. */
static void special(struct printer *p, const struct kdo_ast_expr *x)
{
    switch (x->kind) {
    case KDO_AST_CAST:
        put(p, "CAST(");
        expr(p, x->a);
        put(p, " AS ");
        type(p, &x->type);
        break;
    case KDO_AST_SUBSTRING:
        put(p, "SUBSTRING(");
        expr(p, x->a);
        put(p, " FROM ");
        expr(p, x->b);
        if (x->c) {
            put(p, " FOR ");
            expr(p, x->c);
        }
        break;
    case KDO_AST_POSITION:
        put(p, "POSITION(");
        expr(p, x->a);
        put(p, " IN ");
        expr(p, x->b);
        break;
    case KDO_AST_TRIM:
        put(p, "TRIM(");
        put(p, opname(x->op));
        put(p, " ");
        if (x->a) {
            expr(p, x->a);
            put(p, " ");
        }
        put(p, "FROM ");
        expr(p, x->b);
        break;
    case KDO_AST_FLOOR:
        put(p, opname(x->op));
        put(p, "(");
        expr(p, x->a);
        put(p, " TO ");
        put(p, kdo_ast_unit_name(x->qual.start));
        break;
    case KDO_AST_STEP:
        put(p, "STEP(");
        expr(p, x->a);
        put(p, " BY ");
        expr(p, x->b);
        break;
    case KDO_AST_EXTRACT:
        put(p, "EXTRACT(");
        put(p, kdo_ast_unit_name(x->qual.start));
        put(p, " FROM ");
        expr(p, x->a);
        break;
    default: /* CURSOR */
        put(p, "CURSOR(");
        query(p, x->query);
        break;
    }
    put(p, ")");
}

static void expr(struct printer *p, const struct kdo_ast_expr *x)
{
    switch (x->kind) {
    case KDO_AST_NAME:
        name(p, &x->name);
        break;
    case KDO_AST_STAR:
        name(p, &x->name);
        put(p, x->name.n ? ".*" : "*");
        break;
    case KDO_AST_UNARY:
        if (x->op == KDO_AST_OP_QUALIFY) {
            put(p, "(");
            expr(p, x->a);
            put(p, ") ");
            qualifier(p, &x->qual);
            break;
        }
        put(p, "(");
        put(p, opname(x->op));
        put(p, " ");
        expr(p, x->a);
        put(p, ")");
        break;
    case KDO_AST_BINOP:
        put(p, "(");
        expr(p, x->a);
        put(p, " ");
        put(p, opname(x->op));
        put(p, " ");
        expr(p, x->b);
        put(p, ")");
        break;
    case KDO_AST_IS:
    case KDO_AST_BETWEEN:
    case KDO_AST_IN:
    case KDO_AST_LIKE:
        predicate(p, x);
        break;
    case KDO_AST_CASE:
        case_expr(p, x);
        break;
    case KDO_AST_CALL:
        call(p, x);
        break;
    case KDO_AST_CAST:
    case KDO_AST_SUBSTRING:
    case KDO_AST_POSITION:
    case KDO_AST_TRIM:
    case KDO_AST_FLOOR:
    case KDO_AST_STEP:
    case KDO_AST_EXTRACT:
    case KDO_AST_CURSOR:
        special(p, x);
        break;
    default:
        literal(p, x);
        break;
    }
}

static void from_alias(struct printer *p, const struct kdo_ast_from *f)
{
    if (f->over)
        over(p, f->over);
    if (f->alias.s) {
        put(p, " AS ");
        ident(p, &f->alias);
        if (f->alias_cols)
            idlist(p, f->alias_cols);
    }
}

static void from(struct printer *p, const struct kdo_ast_from *f)
{
    static const char *const joins[] = {" INNER JOIN ", " LEFT JOIN ", " RIGHT JOIN ",
                                        " FULL JOIN ", " CROSS JOIN "};
    switch (f->kind) {
    case KDO_AST_FROM_STREAM:
        name(p, &f->stream);
        break;
    case KDO_AST_FROM_SUBQUERY:
        put(p, "(");
        query(p, f->query);
        put(p, ")");
        break;
    case KDO_AST_FROM_TABLE_FN:
        put(p, "TABLE(");
        expr(p, f->call);
        put(p, ")");
        break;
    case KDO_AST_FROM_JOIN:
        from(p, f->left);
        put(p, joins[f->join]);
        from(p, f->right);
        if (f->on) {
            put(p, " ON ");
            expr(p, f->on);
        }
        return;
    }
    from_alias(p, f);
}

static void items(struct printer *p, const struct kdo_ast_item *it)
{
    for (; it; it = it->next) {
        expr(p, it->expr);
        if (it->alias.s) {
            put(p, " AS ");
            ident(p, &it->alias);
        }
        put(p, it->next ? ", " : "");
    }
}

static void windows(struct printer *p, const struct kdo_ast_window *w)
{
    put(p, " WINDOW ");
    for (; w; w = w->next) {
        ident(p, &w->name);
        put(p, " AS ");
        window_spec(p, w);
        put(p, w->next ? ", " : "");
    }
}

static void select_(struct printer *p, const struct kdo_ast_select *s)
{
    put(p, "SELECT ");
    put(p, s->stream ? "STREAM " : "");
    put(p, s->distinct ? "DISTINCT " : s->all ? "ALL " : "");
    items(p, s->items);
    put(p, " FROM ");
    from(p, s->from);
    if (s->where) {
        put(p, " WHERE ");
        expr(p, s->where);
    }
    if (s->group_by) {
        put(p, " GROUP BY ");
        exprs(p, s->group_by);
    }
    if (s->stagger) {
        put(p, " WINDOWED BY STAGGER ");
        window_spec(p, s->stagger);
    }
    if (s->having) {
        put(p, " HAVING ");
        expr(p, s->having);
    }
    if (s->windows)
        windows(p, s->windows);
}

static void query(struct printer *p, const struct kdo_ast_query *q)
{
    for (const struct kdo_ast_select *s = q->selects; s; s = s->next) {
        select_(p, s);
        put(p, s->next ? " UNION ALL " : "");
    }
    if (q->order_by) {
        put(p, " ORDER BY ");
        orders(p, q->order_by);
    }
}

static void create_stream(struct printer *p, const struct kdo_ast_stmt *st)
{
    put(p, " STREAM ");
    ident(p, &st->name);
    put(p, " (");
    for (const struct kdo_ast_column *c = st->columns; c; c = c->next) {
        ident(p, &c->name);
        put(p, " ");
        type(p, &c->type);
        put(p, c->not_null ? " NOT NULL" : "");
        put(p, c->next ? ", " : "");
    }
    put(p, ")");
    if (st->description) {
        put(p, " DESCRIPTION ");
        quoted(p, '\'', st->description, strlen(st->description));
    }
}

static void stmt(struct printer *p, const struct kdo_ast_stmt *st)
{
    if (st->kind == KDO_AST_QUERY_STMT) {
        query(p, st->query);
        return;
    }
    put(p, st->or_replace ? "CREATE OR REPLACE" : "CREATE");
    if (st->kind == KDO_AST_CREATE_STREAM) {
        create_stream(p, st);
        return;
    }
    put(p, " PUMP ");
    ident(p, &st->name);
    put(p, " AS INSERT INTO ");
    name(p, &st->target);
    if (st->target_cols) {
        put(p, " ");
        idlist(p, st->target_cols);
    }
    put(p, " ");
    query(p, st->query);
}

int kdo_ast_print(const struct kdo_ast_program *prog, struct kdo_buf *out)
{
    struct printer p = {.out = out};
    for (const struct kdo_ast_stmt *st = prog->stmts; st; st = st->next) {
        stmt(&p, st);
        put(&p, ";\n");
    }
    return p.err;
}

int kdo_ast_print_query(const struct kdo_ast_query *q, struct kdo_buf *out)
{
    struct printer p = {.out = out};
    query(&p, q);
    return p.err;
}

int kdo_ast_print_expr(const struct kdo_ast_expr *x, struct kdo_buf *out)
{
    struct printer p = {.out = out};
    expr(&p, x);
    return p.err;
}
