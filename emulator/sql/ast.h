/*
 * ast.h -- the syntax tree of a KDA application's SQL.
 *
 * The parser (parse.h) builds it; the binder and planner read it.  Every node
 * lives in one caller-provided arena (freed all at once) and carries the
 * 1-based line:column of its first token.  Names are stored as KDA stores
 * them (unquoted folded to upper case, quoted kept), so two names are the
 * same object exactly when their text is equal.  Lists are singly linked
 * through `next`.  The tree says what was written, nothing more: no name is
 * resolved and no type is checked here.  kdo_ast_print() writes a tree back
 * as canonical SQL (upper-case keywords, every operator parenthesised, names
 * quoted only when needed), so print(parse(print(x))) == print(x).
 */
#ifndef KDO_SQL_AST_H
#define KDO_SQL_AST_H

#include "base/arena.h"
#include "base/buf.h"

#include <stdbool.h>
#include <stddef.h>

#define KDO_AST_MAX_NAME_PARTS 4 /* a.b.c.d: stream.column.row-field at most */

struct kdo_ast_ident {
    const char *s; /* NUL-terminated, in the arena */
    size_t len;
    int line, col;
};

/* A dotted name: s, s.col, t.r."COL_1". */
struct kdo_ast_name {
    int n;
    struct kdo_ast_ident part[KDO_AST_MAX_NAME_PARTS];
};

struct kdo_ast_idlist {
    struct kdo_ast_ident id;
    struct kdo_ast_idlist *next;
};

enum kdo_ast_unit {
    KDO_AST_UNIT_NONE, KDO_AST_UNIT_YEAR, KDO_AST_UNIT_MONTH, KDO_AST_UNIT_DAY,
    KDO_AST_UNIT_HOUR, KDO_AST_UNIT_MINUTE, KDO_AST_UNIT_SECOND,
};

/* An interval qualifier: DAY, MINUTE TO SECOND(3), YEAR(2) TO MONTH; a
 * precision of -1 means none was written. */
struct kdo_ast_qualifier {
    enum kdo_ast_unit start, end; /* end NONE: a single unit */
    int start_prec, end_prec;
};

enum kdo_ast_typename {
    KDO_AST_TYPE_BIGINT, KDO_AST_TYPE_BINARY, KDO_AST_TYPE_BOOLEAN, KDO_AST_TYPE_CHAR,
    KDO_AST_TYPE_DATE, KDO_AST_TYPE_DECIMAL, KDO_AST_TYPE_DOUBLE, KDO_AST_TYPE_FLOAT,
    KDO_AST_TYPE_INTEGER, KDO_AST_TYPE_INTERVAL, KDO_AST_TYPE_REAL, KDO_AST_TYPE_SMALLINT,
    KDO_AST_TYPE_TIME, KDO_AST_TYPE_TIMESTAMP, KDO_AST_TYPE_TINYINT, KDO_AST_TYPE_VARBINARY,
    KDO_AST_TYPE_VARCHAR,
};

/* A type as written: VARCHAR(4), DECIMAL(5,3), TIMESTAMP, INTERVAL DAY TO
 * SECOND.  Synonyms are folded (INT, DEC, NUMERIC, CHARACTER, DOUBLE
 * PRECISION, CHARACTER VARYING). */
struct kdo_ast_type {
    enum kdo_ast_typename name;
    int nparams;    /* 0, 1 or 2 */
    long params[2]; /* length or precision, scale */
    struct kdo_ast_qualifier qual; /* INTERVAL only */
    int line, col;
};

enum kdo_ast_expr_kind {
    KDO_AST_INT,       /* text: digits */
    KDO_AST_DECIMAL,   /* text: 1.50 */
    KDO_AST_APPROX,    /* text: 1.5E-6 */
    KDO_AST_STRING,    /* text: the decoded value */
    KDO_AST_BINARY,    /* text: hex digits */
    KDO_AST_BOOL,      /* op: 1 TRUE, 0 FALSE, 2 UNKNOWN */
    KDO_AST_NULL,
    KDO_AST_DATE,      /* DATE 'text' */
    KDO_AST_TIME,      /* TIME 'text' */
    KDO_AST_TIMESTAMP, /* TIMESTAMP 'text' */
    KDO_AST_INTERVAL,  /* INTERVAL [-]'text' qual; op: -1 for a minus sign, else +1 */
    KDO_AST_NAME,      /* name; also ROWTIME and the niladic functions
                          (CURRENT_ROW_TIMESTAMP, ...), which the binder resolves */
    KDO_AST_STAR,      /* * or name.* (name.n == 0 for a bare *) */
    KDO_AST_UNARY,     /* op (KDO_AST_OP_NEG, _PLUS, _NOT) a */
    KDO_AST_BINOP,     /* a op b */
    KDO_AST_IS,        /* a IS [NOT] op (KDO_AST_OP_NULL/_TRUE/_FALSE/_UNKNOWN), or
                          a IS [NOT] DISTINCT FROM b (op KDO_AST_OP_DISTINCT) */
    KDO_AST_BETWEEN,   /* a [NOT] BETWEEN b AND c */
    KDO_AST_IN,        /* a [NOT] IN (list) */
    KDO_AST_LIKE,      /* a [NOT] LIKE b [ESCAPE c]; op KDO_AST_OP_SIMILAR: SIMILAR TO */
    KDO_AST_CASE,      /* CASE [a] list(WHEN...) [ELSE c] END */
    KDO_AST_WHEN,      /* WHEN a THEN b (inside a CASE's list only) */
    KDO_AST_CAST,      /* CAST(a AS type) */
    KDO_AST_CALL,      /* name(list), name(*) (star), name(DISTINCT list); [OVER over] */
    KDO_AST_SUBSTRING, /* SUBSTRING(a FROM b [FOR c]); the comma form is a CALL */
    KDO_AST_POSITION,  /* POSITION(a IN b) */
    KDO_AST_TRIM,      /* TRIM(op=BOTH|LEADING|TRAILING [a] FROM b) */
    KDO_AST_FLOOR,     /* FLOOR(a TO unit) (op KDO_AST_OP_FLOOR) or CEIL (KDO_AST_OP_CEIL) */
    KDO_AST_STEP,      /* STEP(a BY b) */
    KDO_AST_EXTRACT,   /* EXTRACT(unit FROM a) */
    KDO_AST_CURSOR,    /* CURSOR(query) */
};

enum kdo_ast_op {
    KDO_AST_OP_NONE,
    KDO_AST_OP_OR, KDO_AST_OP_AND, KDO_AST_OP_NOT,
    KDO_AST_OP_EQ, KDO_AST_OP_NE, KDO_AST_OP_LT, KDO_AST_OP_LE, KDO_AST_OP_GT, KDO_AST_OP_GE,
    KDO_AST_OP_CONCAT, KDO_AST_OP_ADD, KDO_AST_OP_SUB, KDO_AST_OP_MUL, KDO_AST_OP_DIV,
    KDO_AST_OP_MOD, KDO_AST_OP_NEG, KDO_AST_OP_PLUS,
    KDO_AST_OP_NULL, KDO_AST_OP_TRUE, KDO_AST_OP_FALSE, KDO_AST_OP_UNKNOWN,
    KDO_AST_OP_LIKE, KDO_AST_OP_SIMILAR,
    KDO_AST_OP_BOTH, KDO_AST_OP_LEADING, KDO_AST_OP_TRAILING,
    KDO_AST_OP_FLOOR, KDO_AST_OP_CEIL,
    KDO_AST_OP_DISTINCT, /* KDO_AST_IS: a IS [NOT] DISTINCT FROM b */
    KDO_AST_OP_QUALIFY,  /* KDO_AST_UNARY: (a) qual, e.g. (t1 - t2) SECOND */
};

struct kdo_ast_window;
struct kdo_ast_query;

/* An analytic function's null treatment, as written. */
enum kdo_ast_nulls { KDO_AST_NULLS_NONE, KDO_AST_NULLS_IGNORE, KDO_AST_NULLS_RESPECT };

struct kdo_ast_expr {
    enum kdo_ast_expr_kind kind;
    int line, col;
    struct kdo_ast_expr *next; /* the next in a list */
    int op;                    /* an enum kdo_ast_op, or as noted per kind */
    bool negated;              /* IS NOT, NOT BETWEEN, NOT IN, NOT LIKE, NOT SIMILAR */
    bool distinct;             /* CALL: f(DISTINCT x) */
    bool star;                 /* CALL: f(*) */
    const char *text;          /* literals, see the kinds */
    size_t len;
    struct kdo_ast_name name;  /* NAME, STAR's qualifier, CALL's function */
    struct kdo_ast_expr *a, *b, *c;
    struct kdo_ast_expr *list; /* CALL arguments, IN values, CASE WHENs */
    struct kdo_ast_type type;  /* CAST */
    struct kdo_ast_qualifier qual; /* INTERVAL; FLOOR and EXTRACT use qual.start */
    struct kdo_ast_window *over;   /* CALL ... OVER; NULL without */
    struct kdo_ast_query *query;   /* CURSOR */
    enum kdo_ast_nulls nulls;      /* CALL: f(x) IGNORE NULLS / RESPECT NULLS [OVER ...] */
};

enum kdo_ast_frame { KDO_AST_FRAME_NONE, KDO_AST_FRAME_RANGE, KDO_AST_FRAME_ROWS };
/* The frame's direction; NONE when none was written (STAGGER's RANGE INTERVAL '1' MINUTE). */
enum kdo_ast_bound { KDO_AST_BOUND_NONE, KDO_AST_BOUND_PRECEDING, KDO_AST_BOUND_FOLLOWING };

struct kdo_ast_order {
    struct kdo_ast_expr *expr;
    bool desc;
    struct kdo_ast_order *next;
};

/* A window: a WINDOW clause's definition (name set), an OVER (...) spec, an
 * OVER name reference (ref set, nothing else), or WINDOWED BY STAGGER's. */
struct kdo_ast_window {
    int line, col;
    struct kdo_ast_ident name; /* WINDOW name AS (...); s NULL otherwise */
    struct kdo_ast_ident ref;  /* OVER name; s NULL otherwise */
    struct kdo_ast_expr *partition;
    struct kdo_ast_order *order;
    enum kdo_ast_frame frame;
    struct kdo_ast_expr *extent; /* INTERVAL '1' MINUTE or 10; NULL: CURRENT ROW or UNBOUNDED */
    bool unbounded;              /* UNBOUNDED PRECEDING */
    enum kdo_ast_bound bound;
    struct kdo_ast_window *next; /* the next definition of a WINDOW clause */
};

enum kdo_ast_from_kind { KDO_AST_FROM_STREAM, KDO_AST_FROM_SUBQUERY, KDO_AST_FROM_TABLE_FN,
                         KDO_AST_FROM_JOIN };
enum kdo_ast_join { KDO_AST_JOIN_INNER, KDO_AST_JOIN_LEFT, KDO_AST_JOIN_RIGHT,
                    KDO_AST_JOIN_FULL, KDO_AST_JOIN_CROSS };

struct kdo_ast_from {
    enum kdo_ast_from_kind kind;
    int line, col;
    struct kdo_ast_name stream;     /* STREAM: the (possibly schema-qualified) name */
    struct kdo_ast_query *query;    /* SUBQUERY */
    struct kdo_ast_expr *call;      /* TABLE_FN: TABLE(call) */
    struct kdo_ast_window *over;    /* STREAM OVER (...) / OVER w: a window on a join side */
    struct kdo_ast_ident alias;     /* s NULL without AS alias */
    struct kdo_ast_idlist *alias_cols; /* AS alias(c1, c2) */
    enum kdo_ast_join join;         /* JOIN: left join right ON on */
    struct kdo_ast_from *left, *right;
    struct kdo_ast_expr *on;
};

struct kdo_ast_item {
    struct kdo_ast_expr *expr;
    struct kdo_ast_ident alias; /* s NULL without one */
    struct kdo_ast_item *next;
};

struct kdo_ast_select {
    int line, col;
    bool stream, distinct, all;
    struct kdo_ast_item *items;
    struct kdo_ast_from *from;
    struct kdo_ast_expr *where;
    struct kdo_ast_expr *group_by;   /* a list */
    struct kdo_ast_window *stagger;  /* WINDOWED BY STAGGER (PARTITION BY ... RANGE ...) */
    struct kdo_ast_expr *having;
    struct kdo_ast_window *windows;  /* WINDOW w AS (...), ...: definitions */
    struct kdo_ast_select *next;     /* UNION ALL next */
};

/* One SELECT, or several joined by UNION ALL, then an optional ORDER BY. */
struct kdo_ast_query {
    int line, col;
    struct kdo_ast_select *selects;
    struct kdo_ast_order *order_by;
};

struct kdo_ast_column {
    struct kdo_ast_ident name;
    struct kdo_ast_type type;
    bool not_null;
    struct kdo_ast_column *next;
};

enum kdo_ast_stmt_kind { KDO_AST_CREATE_STREAM, KDO_AST_CREATE_PUMP, KDO_AST_QUERY_STMT };

struct kdo_ast_stmt {
    enum kdo_ast_stmt_kind kind;
    int line, col;
    bool or_replace;
    struct kdo_ast_ident name;         /* the stream or pump */
    struct kdo_ast_column *columns;    /* CREATE STREAM */
    const char *description;           /* CREATE STREAM ... DESCRIPTION '...'; NULL without */
    struct kdo_ast_name target;        /* CREATE PUMP: INSERT INTO target */
    struct kdo_ast_idlist *target_cols;/* INSERT INTO target (c1, c2); NULL without */
    struct kdo_ast_query *query;       /* CREATE PUMP's, or a bare query */
    struct kdo_ast_stmt *next;
};

struct kdo_ast_program {
    const char *file; /* borrowed */
    struct kdo_ast_stmt *stmts;
    int n_stmts;
};

/* n zeroed bytes from the arena, aligned for any node; NULL when the arena
 * is full (its maximum was reached). */
void *kdo_ast_alloc(struct kdo_arena *a, size_t n);

/* Canonical SQL for a program (statements separated by ";\n"), a query or
 * an expression, appended to out.  Returns 0 or KDO_ETOOBIG when out is full. */
int kdo_ast_print(const struct kdo_ast_program *p, struct kdo_buf *out);
int kdo_ast_print_query(const struct kdo_ast_query *q, struct kdo_buf *out);
int kdo_ast_print_expr(const struct kdo_ast_expr *x, struct kdo_buf *out);

/* Spellings for messages and printing. */
const char *kdo_ast_unit_name(enum kdo_ast_unit u);
const char *kdo_ast_type_name(enum kdo_ast_typename t);

#endif
