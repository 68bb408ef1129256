/*
 * parse-int.h -- what the parts of the SQL parser share: the parser's state
 * (one token of lookahead past the current one) and the token helpers.
 * parse.c holds statements, queries, FROM and windows; parse-expr.c the
 * expressions and types.
 */
#ifndef KDO_SQL_PARSE_INT_H
#define KDO_SQL_PARSE_INT_H

#include "sql/ast.h"
#include "sql/lex.h"

#include <stdbool.h>

struct kdo__sql_parser {
    struct kdo_sql_lexer lx;
    struct kdo_sql_token cur, peek;
    bool has_peek;
    int lex_err; /* a lexer error met while reading ahead: it wins */
    struct kdo_arena *arena;
    struct kdo_errinfo *e;
    int depth;
};

#define KDO__TRY(x)                                                                           \
    do {                                                                                      \
        int kdo__err = (x);                                                                   \
        if (kdo__err)                                                                         \
            return kdo__err;                                                                  \
    } while (0)

/* Moves to the next token (a lexer error is kept and reported by the next
 * failure, as the current token becomes the end). */
void kdo__sql_next(struct kdo__sql_parser *p);
/* The token after the current one. */
const struct kdo_sql_token *kdo__sql_peek(struct kdo__sql_parser *p);
bool kdo__sql_is_kw(const struct kdo_sql_token *t, enum kdo_sql_kw kw);
bool kdo__sql_is_op(const struct kdo_sql_token *t, const char *op);
/* Consumes the keyword / operator when it is current; says whether it was. */
bool kdo__sql_accept_kw(struct kdo__sql_parser *p, enum kdo_sql_kw kw);
bool kdo__sql_accept_op(struct kdo__sql_parser *p, const char *op);
/* Fails at the current token: "expected <what>, found <token>". */
int kdo__sql_expected(struct kdo__sql_parser *p, const char *what);
/* Fails at line:col with a formatted message (KDO_EPARSE unless err). */
int kdo__sql_fail(struct kdo__sql_parser *p, int err, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Consumes keyword kw, or fails "expected 'KW' <context>, found ...". */
int kdo__sql_expect_kw(struct kdo__sql_parser *p, enum kdo_sql_kw kw, const char *context);
int kdo__sql_expect_op(struct kdo__sql_parser *p, const char *op, const char *context);
/* Zeroed node memory from the arena, or KDO_ETOOBIG (with a message). */
int kdo__sql_alloc(struct kdo__sql_parser *p, size_t n, void **out);
/* Depth accounting around a recursive descent; KDO_EDEPTH past the limit. */
int kdo__sql_enter(struct kdo__sql_parser *p);
/* Whether the current token can be a name (quoted, or a non-reserved word). */
bool kdo__sql_at_name(const struct kdo__sql_parser *p);
/* Reads one identifier into *id, or fails "expected <what>". */
int kdo__sql_ident(struct kdo__sql_parser *p, struct kdo_ast_ident *id, const char *what);

/* parse-expr.c */
int kdo__sql_expr(struct kdo__sql_parser *p, struct kdo_ast_expr **out);
int kdo__sql_expr_list(struct kdo__sql_parser *p, struct kdo_ast_expr **out);
int kdo__sql_type(struct kdo__sql_parser *p, struct kdo_ast_type *t);
/* a, a.b, a.b.c (at most KDO_AST_MAX_NAME_PARTS parts); with star_ok a
 * trailing .* ends it and sets *star. */
int kdo__sql_name(struct kdo__sql_parser *p, struct kdo_ast_name *n, bool star_ok, bool *star);

/* A zeroed expression node of `kind` at the current token. */
int kdo__sql_node(struct kdo__sql_parser *p, enum kdo_ast_expr_kind kind,
                  struct kdo_ast_expr **out);
/* An expression below the predicates: || and arithmetic only (the first
 * argument of POSITION(a IN b) and SUBSTRING(a SIMILAR ...)). */
int kdo__sql_concat(struct kdo__sql_parser *p, struct kdo_ast_expr **out);

/* parse-forms.c: each starts with its keyword current and fills x. */
int kdo__sql_case(struct kdo__sql_parser *p, struct kdo_ast_expr *x);
int kdo__sql_cast(struct kdo__sql_parser *p, struct kdo_ast_expr *x);
int kdo__sql_extract(struct kdo__sql_parser *p, struct kdo_ast_expr *x);
int kdo__sql_cursor(struct kdo__sql_parser *p, struct kdo_ast_expr *x);
int kdo__sql_trim(struct kdo__sql_parser *p, struct kdo_ast_expr *x);
/* SUBSTRING, POSITION, STEP, FLOOR, CEIL[ING] with '(' next. */
int kdo__sql_special(struct kdo__sql_parser *p, struct kdo_ast_expr *x);
/* The rest of name(...) [OVER ...] once the name is read; `first` is an
 * argument a special form already read (or NULL, with '(' current). */
int kdo__sql_call_rest(struct kdo__sql_parser *p, struct kdo_ast_expr *x,
                       struct kdo_ast_expr *first);
/* DAY, MINUTE TO SECOND(3), YEAR(2) TO MONTH. */
int kdo__sql_qualifier(struct kdo__sql_parser *p, struct kdo_ast_qualifier *q);

/* parse.c, used by expressions: CURSOR(query), OVER (spec) */
int kdo__sql_query(struct kdo__sql_parser *p, struct kdo_ast_query **out);
int kdo__sql_over(struct kdo__sql_parser *p, struct kdo_ast_window **out);

#endif
