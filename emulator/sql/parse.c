/*
 * parse.c -- statements, queries, FROM and windows of KDA application SQL
 * (see parse.h), plus the token helpers every part of the parser uses.
 *
 * One function per grammar rule; each consumes exactly its rule and leaves
 * the next token current.  A statement ends at ';', at the end of the text,
 * or where the next statement plainly begins (SELECT or CREATE): the SQL
 * Reference's own examples run queries together without a semicolon.
 */
#include "sql/parse.h"

#include "sql/parse-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- token helpers ---- */

static void lex_one(struct kdo__sql_parser *p, struct kdo_sql_token *t)
{
    if (p->lex_err) {
        *t = (struct kdo_sql_token){.kind = KDO_SQL_T_END, .text = "", .line = p->lx.line,
                                    .col = p->lx.col};
        return;
    }
    int err = kdo_sql_lex_next(&p->lx, t, p->e);
    if (err) {
        p->lex_err = err;
        *t = (struct kdo_sql_token){.kind = KDO_SQL_T_END, .text = "", .line = p->lx.line,
                                    .col = p->lx.col};
    }
}

void kdo__sql_next(struct kdo__sql_parser *p)
{
    if (p->has_peek) {
        p->cur = p->peek;
        p->has_peek = false;
    } else {
        lex_one(p, &p->cur);
    }
}

const struct kdo_sql_token *kdo__sql_peek(struct kdo__sql_parser *p)
{
    if (!p->has_peek) {
        lex_one(p, &p->peek);
        p->has_peek = true;
    }
    return &p->peek;
}

bool kdo__sql_is_kw(const struct kdo_sql_token *t, enum kdo_sql_kw kw)
{
    return t->kind == KDO_SQL_T_WORD && t->kw == kw;
}

bool kdo__sql_is_op(const struct kdo_sql_token *t, const char *op)
{
    return t->kind == KDO_SQL_T_OP && strcmp(t->text, op) == 0;
}

bool kdo__sql_accept_kw(struct kdo__sql_parser *p, enum kdo_sql_kw kw)
{
    if (!kdo__sql_is_kw(&p->cur, kw))
        return false;
    kdo__sql_next(p);
    return true;
}

bool kdo__sql_accept_op(struct kdo__sql_parser *p, const char *op)
{
    if (!kdo__sql_is_op(&p->cur, op))
        return false;
    kdo__sql_next(p);
    return true;
}

int kdo__sql_fail(struct kdo__sql_parser *p, int err, int line, int col, const char *fmt, ...)
{
    if (p->lex_err)
        return p->lex_err;
    va_list ap;
    va_start(ap, fmt);
    char msg[sizeof p->e->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kdo_errinfo_set(p->e, err ? err : KDO_EPARSE, p->lx.file, line, col, "%s", msg);
}

int kdo__sql_expected(struct kdo__sql_parser *p, const char *what)
{
    char found[96];
    kdo_sql_tok_describe(&p->cur, found, sizeof found);
    if (p->cur.kind == KDO_SQL_T_WORD && kdo_sql_kw_reserved(p->cur.kw) &&
        strstr(what, "name") != NULL)
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "expected %s, found %s (a reserved word: write \"%s\" to use it "
                             "as a name)",
                             what, found, p->cur.text);
    return kdo__sql_fail(p, 0, p->cur.line, p->cur.col, "expected %s, found %s", what, found);
}

int kdo__sql_expect_kw(struct kdo__sql_parser *p, enum kdo_sql_kw kw, const char *context)
{
    if (kdo__sql_accept_kw(p, kw))
        return 0;
    char what[96];
    snprintf(what, sizeof what, "'%s'%s%s", kdo_sql_kw_name(kw), *context ? " " : "", context);
    return kdo__sql_expected(p, what);
}

int kdo__sql_expect_op(struct kdo__sql_parser *p, const char *op, const char *context)
{
    if (kdo__sql_accept_op(p, op))
        return 0;
    char what[96];
    snprintf(what, sizeof what, "'%s'%s%s", op, *context ? " " : "", context);
    return kdo__sql_expected(p, what);
}

int kdo__sql_alloc(struct kdo__sql_parser *p, size_t n, void **out)
{
    *out = kdo_ast_alloc(p->arena, n);
    if (*out == NULL)
        return kdo__sql_fail(p, KDO_ETOOBIG, p->cur.line, p->cur.col,
                             "the syntax tree needs more than the %zu bytes allowed",
                             p->arena->max);
    return 0;
}

int kdo__sql_enter(struct kdo__sql_parser *p)
{
    if (++p->depth > KDO_SQL_MAX_DEPTH)
        return kdo__sql_fail(p, KDO_EDEPTH, p->cur.line, p->cur.col,
                             "nesting deeper than %d levels", KDO_SQL_MAX_DEPTH);
    return 0;
}

bool kdo__sql_at_name(const struct kdo__sql_parser *p)
{
    return p->cur.kind == KDO_SQL_T_QIDENT ||
           (p->cur.kind == KDO_SQL_T_WORD && !kdo_sql_kw_reserved(p->cur.kw));
}

int kdo__sql_ident(struct kdo__sql_parser *p, struct kdo_ast_ident *id, const char *what)
{
    if (!kdo__sql_at_name(p))
        return kdo__sql_expected(p, what);
    *id = (struct kdo_ast_ident){.s = p->cur.text, .len = p->cur.len, .line = p->cur.line,
                                 .col = p->cur.col};
    kdo__sql_next(p);
    return 0;
}

#define ALLOC(p, ptr) KDO__TRY(kdo__sql_alloc(p, sizeof *(ptr), (void **)&(ptr)))

/* ---- windows ---- */

static int order_list(struct kdo__sql_parser *p, struct kdo_ast_order **out)
{
    struct kdo_ast_order **tail = out;
    do {
        struct kdo_ast_order *o;
        ALLOC(p, o);
        KDO__TRY(kdo__sql_expr(p, &o->expr));
        if (!kdo__sql_accept_kw(p, KDO_SQL_KW_ASC))
            o->desc = kdo__sql_accept_kw(p, KDO_SQL_KW_DESC);
        *tail = o;
        tail = &o->next;
    } while (kdo__sql_accept_op(p, ","));
    return 0;
}

static int frame_extent(struct kdo__sql_parser *p, struct kdo_ast_window *w)
{
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_BETWEEN))
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "window frames BETWEEN ... AND ... are not supported (KDA "
                             "windows end at the current row)");
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_CURRENT))
        return kdo__sql_expect_kw(p, KDO_SQL_KW_ROW, "after CURRENT");
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_UNBOUNDED)) {
        w->unbounded = true;
        if (kdo__sql_accept_kw(p, KDO_SQL_KW_FOLLOWING)) {
            w->bound = KDO_AST_BOUND_FOLLOWING;
            return 0;
        }
        w->bound = KDO_AST_BOUND_PRECEDING;
        return kdo__sql_expect_kw(p, KDO_SQL_KW_PRECEDING, "or FOLLOWING after UNBOUNDED");
    }
    KDO__TRY(kdo__sql_expr(p, &w->extent));
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_FOLLOWING))
        w->bound = KDO_AST_BOUND_FOLLOWING;
    else if (kdo__sql_accept_kw(p, KDO_SQL_KW_PRECEDING))
        w->bound = KDO_AST_BOUND_PRECEDING;
    return 0;
}

/* ( [PARTITION BY list] [ORDER BY list] [RANGE|ROWS extent] ) */
static int window_spec(struct kdo__sql_parser *p, struct kdo_ast_window *w)
{
    w->line = p->cur.line;
    w->col = p->cur.col;
    KDO__TRY(kdo__sql_expect_op(p, "(", "to open the window specification"));
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_PARTITION)) {
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_BY, "after PARTITION"));
        KDO__TRY(kdo__sql_expr_list(p, &w->partition));
    }
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_ORDER)) {
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_BY, "after ORDER"));
        KDO__TRY(order_list(p, &w->order));
    }
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_RANGE))
        w->frame = KDO_AST_FRAME_RANGE;
    else if (kdo__sql_accept_kw(p, KDO_SQL_KW_ROWS))
        w->frame = KDO_AST_FRAME_ROWS;
    if (w->frame != KDO_AST_FRAME_NONE)
        KDO__TRY(frame_extent(p, w));
    return kdo__sql_expect_op(p, ")", "after the window specification");
}

int kdo__sql_over(struct kdo__sql_parser *p, struct kdo_ast_window **out)
{
    struct kdo_ast_window *w;
    ALLOC(p, w);
    *out = w;
    if (kdo__sql_is_op(&p->cur, "("))
        return window_spec(p, w);
    w->line = p->cur.line;
    w->col = p->cur.col;
    return kdo__sql_ident(p, &w->ref, "a window name or '(' after OVER");
}

static int window_defs(struct kdo__sql_parser *p, struct kdo_ast_window **tail)
{
    while (*tail)
        tail = &(*tail)->next;
    do {
        struct kdo_ast_window *w;
        ALLOC(p, w);
        KDO__TRY(kdo__sql_ident(p, &w->name, "a window name after WINDOW"));
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_AS, "after the window name"));
        KDO__TRY(window_spec(p, w));
        *tail = w;
        tail = &w->next;
    } while (kdo__sql_accept_op(p, ","));
    return 0;
}

/* ---- FROM ---- */

/* ( name, ... ): an alias's or INSERT's column list; whose names messages. */
static int column_names(struct kdo__sql_parser *p, struct kdo_ast_idlist **tail, const char *whose)
{
    char what[64], after[64];
    snprintf(what, sizeof what, "a column name in %s column list", whose);
    snprintf(after, sizeof after, "after %s column list", whose);
    KDO__TRY(kdo__sql_expect_op(p, "(", ""));
    do {
        ALLOC(p, *tail);
        KDO__TRY(kdo__sql_ident(p, &(*tail)->id, what));
        tail = &(*tail)->next;
    } while (kdo__sql_accept_op(p, ","));
    return kdo__sql_expect_op(p, ")", after);
}

static int alias(struct kdo__sql_parser *p, struct kdo_ast_from *f)
{
    bool as = kdo__sql_accept_kw(p, KDO_SQL_KW_AS);
    if (!as && !kdo__sql_at_name(p))
        return 0;
    KDO__TRY(kdo__sql_ident(p, &f->alias, "an alias after AS"));
    if (!kdo__sql_is_op(&p->cur, "("))
        return 0;
    return column_names(p, &f->alias_cols, "the alias's");
}

static int from_item(struct kdo__sql_parser *p, struct kdo_ast_from **out)
{
    struct kdo_ast_from *f;
    ALLOC(p, f);
    *out = f;
    f->line = p->cur.line;
    f->col = p->cur.col;
    if (kdo__sql_accept_op(p, "(")) {
        if (!kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT))
            return kdo__sql_expected(p, "SELECT after '(' in FROM (a subquery)");
        f->kind = KDO_AST_FROM_SUBQUERY;
        KDO__TRY(kdo__sql_query(p, &f->query));
        KDO__TRY(kdo__sql_expect_op(p, ")", "after the subquery"));
    } else if (kdo__sql_accept_kw(p, KDO_SQL_KW_TABLE)) {
        f->kind = KDO_AST_FROM_TABLE_FN;
        KDO__TRY(kdo__sql_expect_op(p, "(", "after TABLE"));
        KDO__TRY(kdo__sql_expr(p, &f->call));
        if (f->call->kind != KDO_AST_CALL)
            return kdo__sql_fail(p, 0, f->call->line, f->call->col,
                                 "expected a function call inside TABLE(...)");
        KDO__TRY(kdo__sql_expect_op(p, ")", "after TABLE's function call"));
    } else {
        f->kind = KDO_AST_FROM_STREAM;
        KDO__TRY(kdo__sql_name(p, &f->stream, false, NULL));
        if (kdo__sql_accept_kw(p, KDO_SQL_KW_OVER))
            KDO__TRY(kdo__sql_over(p, &f->over));
    }
    return alias(p, f);
}

/* [INNER | LEFT|RIGHT|FULL [OUTER] | CROSS] JOIN, or 1 when none follows. */
static int join_kind(struct kdo__sql_parser *p, enum kdo_ast_join *j)
{
    static const struct {
        enum kdo_sql_kw kw;
        enum kdo_ast_join join;
    } kinds[] = {{KDO_SQL_KW_INNER, KDO_AST_JOIN_INNER}, {KDO_SQL_KW_LEFT, KDO_AST_JOIN_LEFT},
                 {KDO_SQL_KW_RIGHT, KDO_AST_JOIN_RIGHT}, {KDO_SQL_KW_FULL, KDO_AST_JOIN_FULL},
                 {KDO_SQL_KW_CROSS, KDO_AST_JOIN_CROSS}};
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_NATURAL))
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col, "NATURAL JOIN is not supported");
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_OUTER))
        return kdo__sql_expected(p, "LEFT, RIGHT or FULL before OUTER JOIN");
    *j = KDO_AST_JOIN_INNER;
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_JOIN))
        return 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kdo__sql_accept_kw(p, kinds[i].kw)) {
            *j = kinds[i].join;
            if (*j != KDO_AST_JOIN_INNER && *j != KDO_AST_JOIN_CROSS)
                kdo__sql_accept_kw(p, KDO_SQL_KW_OUTER);
            return kdo__sql_expect_kw(p, KDO_SQL_KW_JOIN, "");
        }
    return 1;
}

static int join(struct kdo__sql_parser *p, struct kdo_ast_from **left, enum kdo_ast_join kind,
                bool comma)
{
    struct kdo_ast_from *j;
    ALLOC(p, j);
    j->kind = KDO_AST_FROM_JOIN;
    j->join = kind;
    j->line = (*left)->line;
    j->col = (*left)->col;
    j->left = *left;
    *left = j;
    KDO__TRY(from_item(p, &j->right));
    if (comma || kind == KDO_AST_JOIN_CROSS)
        return 0;
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_USING))
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "JOIN ... USING (...) is not supported: write ON a.x = b.x");
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_ON, "after the joined stream"));
    return kdo__sql_expr(p, &j->on);
}

/* Joins chain to the left, so each counts against the depth limit. */
static int from_clause(struct kdo__sql_parser *p, struct kdo_ast_from **out)
{
    int levels = 0;
    KDO__TRY(from_item(p, out));
    for (;; levels++) {
        enum kdo_ast_join kind = KDO_AST_JOIN_INNER;
        KDO__TRY(kdo__sql_enter(p));
        if (kdo__sql_accept_op(p, ",")) {
            KDO__TRY(join(p, out, KDO_AST_JOIN_CROSS, true));
            continue;
        }
        int r = join_kind(p, &kind);
        if (r < 0)
            return r;
        if (r == 1) {
            p->depth -= levels + 1;
            return 0;
        }
        KDO__TRY(join(p, out, kind, false));
    }
}

/* ---- SELECT ---- */

static int select_items(struct kdo__sql_parser *p, struct kdo_ast_item **out)
{
    struct kdo_ast_item **tail = out;
    do {
        struct kdo_ast_item *it;
        ALLOC(p, it);
        if (tail != out && kdo__sql_is_kw(&p->cur, KDO_SQL_KW_FROM))
            return kdo__sql_expected(p, "an expression after ',' (a trailing comma before FROM?)");
        if (kdo__sql_is_op(&p->cur, "*")) {
            ALLOC(p, it->expr);
            *it->expr = (struct kdo_ast_expr){.kind = KDO_AST_STAR, .line = p->cur.line,
                                              .col = p->cur.col};
            kdo__sql_next(p);
        } else {
            KDO__TRY(kdo__sql_expr(p, &it->expr));
            if (kdo__sql_accept_kw(p, KDO_SQL_KW_AS) || kdo__sql_at_name(p))
                KDO__TRY(kdo__sql_ident(p, &it->alias, "an alias after AS"));
        }
        *tail = it;
        tail = &it->next;
    } while (kdo__sql_accept_op(p, ","));
    return 0;
}

static int stagger(struct kdo__sql_parser *p, struct kdo_ast_select *s)
{
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_BY, "after WINDOWED"));
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_STAGGER, "after WINDOWED BY"));
    ALLOC(p, s->stagger);
    return window_spec(p, s->stagger);
}

static int select_tail(struct kdo__sql_parser *p, struct kdo_ast_select *s)
{
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_WHERE))
        KDO__TRY(kdo__sql_expr(p, &s->where));
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_GROUP)) {
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_BY, "after GROUP"));
        KDO__TRY(kdo__sql_expr_list(p, &s->group_by));
    }
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_WINDOWED))
        KDO__TRY(stagger(p, s));
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_HAVING))
        KDO__TRY(kdo__sql_expr(p, &s->having));
    while (kdo__sql_accept_kw(p, KDO_SQL_KW_WINDOW))
        KDO__TRY(window_defs(p, &s->windows));
    return 0;
}

static int select_(struct kdo__sql_parser *p, struct kdo_ast_select **out)
{
    struct kdo_ast_select *s;
    ALLOC(p, s);
    *out = s;
    s->line = p->cur.line;
    s->col = p->cur.col;
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_SELECT, ""));
    s->stream = kdo__sql_accept_kw(p, KDO_SQL_KW_STREAM);
    s->distinct = kdo__sql_accept_kw(p, KDO_SQL_KW_DISTINCT);
    if (!s->distinct)
        s->all = kdo__sql_accept_kw(p, KDO_SQL_KW_ALL);
    KDO__TRY(select_items(p, &s->items));
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_FROM, "after the select list"));
    KDO__TRY(from_clause(p, &s->from));
    return select_tail(p, s);
}

static int set_operator(struct kdo__sql_parser *p)
{
    const struct kdo_sql_token *t = &p->cur;
    if (kdo__sql_is_kw(t, KDO_SQL_KW_INTERSECT) || kdo__sql_is_kw(t, KDO_SQL_KW_EXCEPT))
        return kdo__sql_fail(p, 0, t->line, t->col, "%s is not supported", t->text);
    if (!kdo__sql_accept_kw(p, KDO_SQL_KW_UNION))
        return 1;
    if (!kdo__sql_accept_kw(p, KDO_SQL_KW_ALL))
        return kdo__sql_expected(p, "ALL after UNION (only UNION ALL is supported)");
    return 0;
}

int kdo__sql_query(struct kdo__sql_parser *p, struct kdo_ast_query **out)
{
    KDO__TRY(kdo__sql_enter(p));
    struct kdo_ast_query *q;
    ALLOC(p, q);
    *out = q;
    q->line = p->cur.line;
    q->col = p->cur.col;
    struct kdo_ast_select **tail = &q->selects;
    int r;
    do {
        KDO__TRY(select_(p, tail));
        tail = &(*tail)->next;
    } while ((r = set_operator(p)) == 0);
    if (r < 0)
        return r;
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_ORDER)) {
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_BY, "after ORDER"));
        KDO__TRY(order_list(p, &q->order_by));
    }
    p->depth--;
    return 0;
}

/* ---- statements ---- */

static int column_defs(struct kdo__sql_parser *p, struct kdo_ast_stmt *st)
{
    struct kdo_ast_column **tail = &st->columns;
    KDO__TRY(kdo__sql_expect_op(p, "(", "before the stream's columns"));
    do {
        struct kdo_ast_column *c;
        ALLOC(p, c);
        KDO__TRY(kdo__sql_ident(p, &c->name, "a column name"));
        KDO__TRY(kdo__sql_type(p, &c->type));
        if (kdo__sql_accept_kw(p, KDO_SQL_KW_NOT)) {
            KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_NULL, "after NOT"));
            c->not_null = true;
        }
        *tail = c;
        tail = &c->next;
    } while (kdo__sql_accept_op(p, ","));
    KDO__TRY(kdo__sql_expect_op(p, ")", "after the column list"));
    if (!kdo__sql_accept_kw(p, KDO_SQL_KW_DESCRIPTION))
        return 0;
    if (p->cur.kind != KDO_SQL_T_STRING)
        return kdo__sql_expected(p, "a string after DESCRIPTION");
    st->description = p->cur.text;
    kdo__sql_next(p);
    return 0;
}

static int insert_into(struct kdo__sql_parser *p, struct kdo_ast_stmt *st)
{
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_INSERT, "after CREATE PUMP ... AS"));
    if (p->cur.kind == KDO_SQL_T_WORD && strcmp(p->cur.text, "EXPEDITED") == 0)
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col, "INSERT EXPEDITED is not supported");
    KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_INTO, "after INSERT"));
    KDO__TRY(kdo__sql_name(p, &st->target, false, NULL));
    if (kdo__sql_is_op(&p->cur, "("))
        KDO__TRY(column_names(p, &st->target_cols, "INSERT's"));
    if (!kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT))
        return kdo__sql_expected(p, "SELECT after INSERT INTO");
    return kdo__sql_query(p, &st->query);
}

static int create(struct kdo__sql_parser *p, struct kdo_ast_stmt *st)
{
    kdo__sql_next(p); /* CREATE */
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_OR)) {
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_REPLACE, "after CREATE OR"));
        st->or_replace = true;
    }
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_STREAM)) {
        st->kind = KDO_AST_CREATE_STREAM;
        KDO__TRY(kdo__sql_ident(p, &st->name, "a stream name after CREATE STREAM"));
        return column_defs(p, st);
    }
    if (kdo__sql_accept_kw(p, KDO_SQL_KW_PUMP)) {
        st->kind = KDO_AST_CREATE_PUMP;
        KDO__TRY(kdo__sql_ident(p, &st->name, "a pump name after CREATE PUMP"));
        KDO__TRY(kdo__sql_expect_kw(p, KDO_SQL_KW_AS, "after the pump name"));
        return insert_into(p, st);
    }
    if (p->cur.kind == KDO_SQL_T_WORD)
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "CREATE %s is not supported: kdaout runs CREATE STREAM, CREATE "
                             "PUMP and queries",
                             p->cur.text);
    return kdo__sql_expected(p, "STREAM or PUMP after CREATE");
}

static int statement(struct kdo__sql_parser *p, struct kdo_ast_stmt *st)
{
    st->line = p->cur.line;
    st->col = p->cur.col;
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_CREATE))
        return create(p, st);
    if (kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT)) {
        st->kind = KDO_AST_QUERY_STMT;
        return kdo__sql_query(p, &st->query);
    }
    if (p->cur.kind == KDO_SQL_T_WORD) /* DROP, INSERT, ALTER, VALUES, ... */
        return kdo__sql_fail(p, 0, p->cur.line, p->cur.col,
                             "%s statements are not supported: kdaout runs CREATE STREAM, "
                             "CREATE PUMP and queries",
                             p->cur.text);
    return kdo__sql_expected(p, "CREATE or SELECT to start a statement");
}

static bool at_statement_start(const struct kdo__sql_parser *p)
{
    return kdo__sql_is_kw(&p->cur, KDO_SQL_KW_CREATE) ||
           kdo__sql_is_kw(&p->cur, KDO_SQL_KW_SELECT);
}

static int program(struct kdo__sql_parser *p, struct kdo_ast_program *prog)
{
    struct kdo_ast_stmt **tail = &prog->stmts;
    for (;;) {
        while (kdo__sql_accept_op(p, ";"))
            ;
        if (p->cur.kind == KDO_SQL_T_END)
            return p->lex_err;
        struct kdo_ast_stmt *st;
        ALLOC(p, st);
        KDO__TRY(statement(p, st));
        *tail = st;
        tail = &st->next;
        prog->n_stmts++;
        if (!kdo__sql_is_op(&p->cur, ";") && p->cur.kind != KDO_SQL_T_END &&
            !at_statement_start(p))
            return kdo__sql_expected(p, "';' after the statement");
    }
}

static void parser_init(struct kdo__sql_parser *p, const char *name, const char *text,
                        size_t len, struct kdo_arena *arena, struct kdo_errinfo *e)
{
    *p = (struct kdo__sql_parser){.arena = arena, .e = e};
    kdo_sql_lex_init(&p->lx, name, text, len, arena);
    kdo__sql_next(p);
}

int kdo_sql_parse(const char *name, const char *text, size_t len, struct kdo_arena *arena,
                  struct kdo_ast_program **program_out, struct kdo_errinfo *e)
{
    struct kdo__sql_parser p;
    struct kdo_ast_program *prog;
    *program_out = NULL;
    parser_init(&p, name, text, len, arena, e);
    if (p.lex_err)
        return p.lex_err;
    KDO__TRY(kdo__sql_alloc(&p, sizeof *prog, (void **)&prog));
    prog->file = name;
    KDO__TRY(program(&p, prog));
    *program_out = prog;
    return 0;
}

int kdo_sql_parse_expr(const char *name, const char *text, size_t len, struct kdo_arena *arena,
                       struct kdo_ast_expr **out, struct kdo_errinfo *e)
{
    struct kdo__sql_parser p;
    struct kdo_ast_expr *x;
    *out = NULL;
    parser_init(&p, name, text, len, arena, e);
    KDO__TRY(kdo__sql_expr(&p, &x));
    if (p.cur.kind != KDO_SQL_T_END)
        return kdo__sql_expected(&p, "the end of the expression");
    KDO__TRY(p.lex_err);
    *out = x;
    return 0;
}
