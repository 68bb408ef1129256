/*
 * expr-int.h -- the compiled form of an expression, shared by the compiler
 * (expr.c, expr-pred.c, expr-call.c) and the evaluator (expr_eval.c,
 * expr_eval-fn.c, expr-str.c, expr-time.c).  Nodes live in one array and refer to their operands by
 * index (a, b, c; variadic operands through x->argv); the root is the last
 * node.  Every node carries the 1-based line:column of the token that made
 * it, so an evaluation error points at its operator without the text.
 */
#ifndef KDO_EXPR_INT_H
#define KDO_EXPR_INT_H

#include "sql/ast.h"
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
    KDO__X_IS_NULL,  /* neg: IS NOT NULL */
    KDO__X_IS_TRUTH, /* a IS [NOT] TRUE/FALSE/UNKNOWN; aux: the kdo_tv */
    KDO__X_BETWEEN,  /* a [NOT] BETWEEN b AND c */
    KDO__X_IN,       /* a [NOT] IN (argv) */
    KDO__X_LIKE,     /* a [NOT] LIKE b [ESCAPE c] */
    KDO__X_CASE,     /* argv: [operand] when then ... [else]; aux bit 1 operand, 2 else */
    KDO__X_COALESCE, /* argv */
    KDO__X_NULLIF,
    KDO__X_CONCAT,
    KDO__X_ABS,
    KDO__X_UPPER,
    KDO__X_LOWER,
    KDO__X_CHAR_LENGTH,
    KDO__X_MATH,     /* aux: enum kdo__expr_math */
    KDO__X_MOD,
    KDO__X_POWER,
    KDO__X_CAST,     /* aux: bits of an integer target (8, 16, 32) or KDO__CAST_* */
    KDO__X_FLOOR,    /* FLOOR(number) */
    KDO__X_CEIL,     /* CEIL(number) */
    KDO__X_FLOOR_TO, /* FLOOR(ts TO unit): width_ms, or months when aux */
    KDO__X_CEIL_TO,
    KDO__X_STEP,     /* STEP(ts BY INTERVAL ...): as FLOOR_TO */
    KDO__X_STEP_NUM, /* STEP(integer BY integer) */
    KDO__X_SUBSTRING, /* aux 1: the comma form (NULL past the end) */
    KDO__X_POSITION,
    KDO__X_TRIM,     /* a: the character (-1: space), b: the string; aux: side */
    KDO__X_UNIX_TS,
    KDO__X_TO_TS,
    KDO__X_TSDIFF,
    KDO__X_CHAR_TO_TS,
    KDO__X_TS_TO_CHAR,
    KDO__X_CLOCK,    /* no operands; aux 0: CURRENT_ROW_TIMESTAMP, 1: the query's start */
    KDO__X_DISTINCT, /* a IS [NOT (neg)] DISTINCT FROM b */
    KDO__X_QUALIFY,  /* (TIMESTAMP - TIMESTAMP) qualifier: an INTERVAL; aux: the unit ms */
};

enum kdo__expr_math { KDO__M_SQRT, KDO__M_LN, KDO__M_LOG10, KDO__M_EXP };

/* CAST targets needing more than kdo_value_cast(). */
#define KDO__CAST_REAL 1 /* rounded to a float */
#define KDO__CAST_CHAR 2 /* blank-padded to max_len */

struct kdo__expr_node {
    enum kdo__expr_op op;
    enum kdo_type type; /* result type */
    size_t max_len;     /* VARCHAR results: characters, 0 = unknown */
    int a, b, c;        /* operand node indexes, -1 if none */
    int argv, argc;     /* variadic operands: x->argv[argv .. argv + argc) */
    int line, col;      /* of the token that made the node */
    int depth;          /* 1 for a leaf */
    bool neg;           /* NOT BETWEEN, NOT IN, NOT LIKE, IS NOT */
    int aux;            /* per op, see above */
    size_t colno;       /* COL: column index */
    int64_t width_ms;   /* FLOOR_TO, CEIL_TO, STEP: the bucket width (months when aux) */
    enum kdo_ast_unit q_start, q_end; /* INTERVAL results: the qualifier, when known
                                         (for CAST to text and numbers); NONE if not */
    int prec, scale;    /* DECIMAL results: KDA's precision and scale; BIGINT: its digits
                           (10 for a literal that fits INTEGER, else 19) as a DECIMAL operand */
    struct kdo_value lit; /* LIT: the value (strings in the expr's arena) */
};

struct kdo_expr {
    const struct kdo_row_schema *schema;
    struct kdo__expr_node *nodes;
    size_t n, cap;
    int *argv;
    size_t argn, argcap;
    int root;
    struct kdo_arena literals;
};

/* The compiler's state: the expression being built and where messages go. */
struct kdo__expr_cc {
    struct kdo_expr *x;
    struct kdo_errinfo *e;
    const char *text; /* the source text, to find operator positions; may be NULL */
    size_t len;
};

/* Fills e (may be NULL) with line:col and a sentence; returns err. */
int kdo__expr_fail(struct kdo_errinfo *e, int line, int col, int err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* --- expr.c: nodes and the generic compiler ----------------------------- */

/* Compiles AST node ax into a node; *out its index. */
int kdo__expr_compile_node(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out);
/* Appends a node (operands -1, depth from a/b/c); KDO_EDEPTH past the limit. */
int kdo__expr_add(struct kdo__expr_cc *c, enum kdo__expr_op op, int a, int b, int cc, int line,
                  int col, int *out);
/* Appends n operand indexes to x->argv; returns the first's position. */
int kdo__expr_push_args(struct kdo__expr_cc *c, const int *ix, int n);
/* Sets node n's depth from its variadic operands; KDO_EDEPTH past the limit. */
int kdo__expr_deepen(struct kdo__expr_cc *c, int n);
/* A constant node. */
int kdo__expr_literal(struct kdo__expr_cc *c, struct kdo_value v, int line, int col, int *out);
/* Sets node n's type (and VARCHAR length) to the common type of ix[0, step,
 * 2 step, ... cnt); KDO_ESCHEMA when two do not mix. */
int kdo__expr_variadic_type(struct kdo__expr_cc *c, int n, const int *ix, int cnt, int step,
                            const char *what);
/* "OP cannot take a T" / "OP cannot compare or combine A and B" at node n. */
int kdo__expr_mismatch(struct kdo__expr_cc *c, int n, const char *what);
static inline struct kdo__expr_node *kdo__expr_node(struct kdo__expr_cc *c, int i)
{
    return &c->x->nodes[i];
}

static inline bool kdo__expr_is_interval(enum kdo_type t)
{
    return t == KDO_TYPE_INTERVAL_DS || t == KDO_TYPE_INTERVAL_YM;
}
static inline bool kdo__expr_numeric_or_null(enum kdo_type t)
{
    return t == KDO_TYPE_NULL || kdo_type_numeric(t);
}

/* Whether values of types a and b compare (NULL with anything, numbers together). */
bool kdo__expr_comparable(enum kdo_type a, enum kdo_type b);
/* The type two numbers (or NULLs) combine to: DOUBLE over DECIMAL over BIGINT. */
enum kdo_type kdo__expr_number_type(enum kdo_type a, enum kdo_type b);
/* Node n as a DECIMAL operand: its precision and scale (a BIGINT's digits, scale 0). */
void kdo__expr_decimal_ps(const struct kdo__expr_node *n, int *prec, int *scale);

/* The position of binary operator ax's token (the left operand's without the text). */
void kdo__expr_operator_pos(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *line,
                            int *col);

/* --- expr-type.c: arithmetic's type rules ------------------------------------- */

/* Types node n (+ - * / MOD, operands compiled): its result type, a DECIMAL's
 * precision and scale, an INTERVAL's qualifier; KDO_ESCHEMA when they do not mix. */
int kdo__expr_arith_type(struct kdo__expr_cc *c, int n, const char *what);
/* (t1 - t2) qualifier (KDO_AST_UNARY, KDO_AST_OP_QUALIFY). */
int kdo__expr_qualified(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out);

/* --- expr-pred.c: IS, BETWEEN, IN, LIKE and CASE ------------------------------ */

int kdo__expr_predicate(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out);

/* --- expr-call.c: calls, CAST and keyword forms ----------------------------- */

int kdo__expr_call(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out);
int kdo__expr_cast(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out);
int kdo__expr_form(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out);
/* A name that is a niladic function: CURRENT_ROW_TIMESTAMP, CURRENT_TIMESTAMP
 * and LOCALTIMESTAMP compile into *out (0), the DATE and TIME ones are refused
 * by name; 1 when it is none. */
int kdo__expr_niladic(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out);

/* --- expr-time.c: intervals and calendar units -------------------------------- */

/* The value of an INTERVAL literal: ms (day-time) or months (year-month). */
int kdo__expr_interval(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, struct kdo_value *v);
/* INTERVAL text ('3 04:20') for qualifier start [TO end] (end NONE: start
 * only); 0, or KDO_EINVAL when it does not match. */
int kdo__expr_interval_text(const char *s, size_t n, enum kdo_ast_unit start, enum kdo_ast_unit end,
                            struct kdo_value *v);
/* The text of an interval value under a qualifier (+3 04:20); its length. */
size_t kdo__expr_interval_format(int64_t v, enum kdo_ast_unit start, enum kdo_ast_unit end,
                                 char out[64]);
/* A unit's length: ms for DAY..SECOND, months for YEAR and MONTH. */
int64_t kdo__expr_unit_ms(enum kdo_ast_unit u);
/* ts + months on the civil calendar (the day clamped to the month's end). */
int kdo__expr_add_months(int64_t ts_ms, int64_t months, int64_t *out);
/* FLOOR/CEIL of a timestamp to a whole number of months from 1970-01. */
int kdo__expr_floor_months(int64_t ts_ms, int64_t months, bool ceil, int64_t *out);
/* CHAR_TO_TIMESTAMP / TIMESTAMP_TO_CHAR with a SimpleDateFormat template. */
int kdo__expr_char_to_ts(const char *fmt, size_t fn, const char *s, size_t n, int64_t *ms);
int kdo__expr_ts_to_char(const char *fmt, size_t fn, int64_t ms, char *out, size_t cap,
                         size_t *len);

/* --- expr-str.c: string operations over UTF-8 ------------------------------- */

/* a LIKE pattern with escape character esc (0: none); KDO_EINVAL for a bad escape. */
int kdo__expr_like(const char *s, size_t n, const char *p, size_t pn, const char *esc,
                   size_t escn, bool *match);
/* SUBSTRING(s FROM from [FOR count]) in characters; has_count false: to the end.
 * Sets *null for the comma form past the end. */
int kdo__expr_substring(const char *s, size_t n, int64_t from, bool has_count, int64_t count,
                        bool comma, size_t *off, size_t *len, bool *null);
/* 1-based character position of needle in hay, 0 when absent (1 for ''). */
int64_t kdo__expr_position(const char *needle, size_t nn, const char *hay, size_t hn);

#endif
