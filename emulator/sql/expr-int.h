/*
 * expr-int.h -- the compiled form of an expression, shared by the parser
 * (expr.c) and the evaluator (expr_eval.c).  Nodes live in one array and
 * refer to their operands by index; the root is the last node.
 */
#ifndef KDO_EXPR_INT_H
#define KDO_EXPR_INT_H

#include "sql/expr.h"

#include <stdbool.h>

enum kdo__expr_op {
    KDO__X_LIT,
    KDO__X_COL,
    KDO__X_NEG,
    KDO__X_ADD,
    KDO__X_SUB,
    KDO__X_MUL,
    KDO__X_DIV,
    KDO__X_EQ,
    KDO__X_NE,
    KDO__X_LT,
    KDO__X_LE,
    KDO__X_GT,
    KDO__X_GE,
    KDO__X_AND,
    KDO__X_OR,
    KDO__X_NOT,
    KDO__X_IS_NULL,
    KDO__X_IS_NOT_NULL,
    KDO__X_ABS,
    KDO__X_UPPER,
    KDO__X_LOWER,
    KDO__X_CHAR_LENGTH,
    KDO__X_CAST,
    KDO__X_FLOOR,    /* FLOOR(number) */
    KDO__X_FLOOR_TO, /* FLOOR(ts TO unit): evaluated as STEP */
    KDO__X_STEP,     /* STEP(ts BY INTERVAL 'n' unit) */
};

struct kdo__expr_node {
    enum kdo__expr_op op;
    enum kdo_type type;   /* result type */
    size_t max_len;       /* VARCHAR results: characters, 0 = unknown */
    int a, b;             /* operand node indexes, -1 if none */
    size_t pos;           /* byte offset of the token that made the node */
    int depth;            /* 1 for a leaf */
    size_t col;           /* COL: column index */
    int64_t width_ms;     /* FLOOR_TO, STEP: the bucket width */
    struct kdo_value lit; /* LIT: the value (strings in the expr's arena) */
};

struct kdo_expr {
    const struct kdo_row_schema *schema;
    struct kdo__expr_node *nodes;
    size_t n, cap;
    int root;
    struct kdo_arena literals;
    char *text; /* a copy, for error positions at evaluation */
    size_t text_len;
};

/* Fills e with the line and column of byte offset pos in x's text. */
int kdo__expr_error(const char *text, size_t len, size_t pos, struct kdo_errinfo *e, int err,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

enum kdo__expr_tok_kind {
    KDO__T_END,
    KDO__T_IDENT,  /* a bare word: a name or a keyword */
    KDO__T_QIDENT, /* "a quoted name" */
    KDO__T_INT,
    KDO__T_DEC,    /* a number with a point or an exponent */
    KDO__T_STRING, /* 'a string' */
    KDO__T_OP,
};

struct kdo__expr_tok {
    enum kdo__expr_tok_kind kind;
    const char *s; /* the token's text in the input */
    size_t len, pos;
};

struct kdo__expr_parser {
    const char *s;
    size_t n, at; /* at: where the next token starts */
    struct kdo__expr_tok cur;
    struct kdo_expr *x;
    struct kdo_errinfo *e;
    int nesting;
};

/* Reads the next token into p->cur; KDO_EPARSE for a stray character or an
 * unterminated quote. */
int kdo__expr_lex(struct kdo__expr_parser *p);
/* Whether t is the keyword or operator `word` (upper case; case-insensitive). */
bool kdo__expr_tok_is(const struct kdo__expr_tok *t, const char *word);
/* "'tok'" or "the end of the text", for messages; uses buf. */
const char *kdo__expr_describe(const struct kdo__expr_tok *t, char buf[48]);
/* Consumes `word` or fails with "expected WORD but found ...". */
int kdo__expr_expect(struct kdo__expr_parser *p, const char *word);
/* Consumes a time unit -- SECOND, MINUTE, HOUR or DAY -- and sets *ms to
 * its length; KDO_EPARSE for anything else, with "did you mean" for a
 * plural or an abbreviation (SECONDS, MINS). */
int kdo__expr_time_unit(struct kdo__expr_parser *p, int64_t *ms);

#endif
