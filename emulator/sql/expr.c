/*
 * expr.c -- compiles an expression's syntax tree (ast.h, from the one SQL
 * parser, parse.h) into the node array of expr-int.h, checking operand
 * types as it goes, so an error points at the operator or name that caused
 * it.  This file holds the entry points, literals, names and operators;
 * arithmetic's type rules (DECIMAL's precision and scale, INTERVALs) are in
 * expr-type.c; IS, BETWEEN, IN, LIKE and CASE in expr-pred.c; calls, CAST
 * and the keyword forms in expr-call.c.  Recursion is
 * bounded twice: by the parser's depth limit and by each node's depth
 * (KDO_EXPR_MAX_DEPTH), which bounds the evaluator's recursion.
 */
#include "sql/expr-int.h"

#include "sql/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The AST of one expression text: its nodes are a few hundred bytes each. */
#define AST_ARENA_MAX (KDO_EXPR_MAX_BYTES * 512)
#define LITERALS_MAX KDO_SQL_MAX_TEXT

int kdo__expr_fail(struct kdo_errinfo *e, int line, int col, int err, const char *fmt, ...)
{
    if (e == NULL)
        return err;
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return kdo_errinfo_set(e, err, NULL, line, col, "%s", msg);
}

/* --- nodes ---------------------------------------------------------------- */

static int depth_of(struct kdo__expr_cc *c, int i)
{
    return i >= 0 ? c->x->nodes[i].depth : 0;
}

static int check_depth(struct kdo__expr_cc *c, struct kdo__expr_node *nd)
{
    if (nd->depth > KDO_EXPR_MAX_DEPTH)
        return kdo__expr_fail(c->e, nd->line, nd->col, KDO_EDEPTH,
                              "expression nested deeper than %d", KDO_EXPR_MAX_DEPTH);
    return 0;
}

int kdo__expr_add(struct kdo__expr_cc *c, enum kdo__expr_op op, int a, int b, int cc, int line,
                  int col, int *out)
{
    struct kdo_expr *x = c->x;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 16;
        x->nodes = kdo_xrealloc(x->nodes, x->cap * sizeof *x->nodes);
    }
    struct kdo__expr_node *nd = &x->nodes[x->n];
    memset(nd, 0, sizeof *nd);
    *nd = (struct kdo__expr_node){.op = op, .a = a, .b = b, .c = cc, .argv = -1, .line = line,
                                  .col = col, .depth = 1};
    int d = depth_of(c, a);
    if (depth_of(c, b) > d)
        d = depth_of(c, b);
    if (depth_of(c, cc) > d)
        d = depth_of(c, cc);
    nd->depth = d + 1;
    int err = check_depth(c, nd);
    if (err)
        return err;
    *out = (int)x->n++;
    return 0;
}

int kdo__expr_push_args(struct kdo__expr_cc *c, const int *ix, int n)
{
    struct kdo_expr *x = c->x;
    while (x->argn + (size_t)n > x->argcap) {
        x->argcap = x->argcap ? x->argcap * 2 : 16;
        x->argv = kdo_xrealloc(x->argv, x->argcap * sizeof *x->argv);
    }
    int first = (int)x->argn;
    memcpy(x->argv + x->argn, ix, (size_t)n * sizeof *ix);
    x->argn += (size_t)n;
    return first;
}

int kdo__expr_deepen(struct kdo__expr_cc *c, int n)
{
    struct kdo__expr_node *nd = &c->x->nodes[n];
    for (int k = 0; k < nd->argc; k++)
        if (depth_of(c, c->x->argv[nd->argv + k]) + 1 > nd->depth)
            nd->depth = depth_of(c, c->x->argv[nd->argv + k]) + 1;
    return check_depth(c, nd);
}

int kdo__expr_literal(struct kdo__expr_cc *c, struct kdo_value v, int line, int col, int *out)
{
    int err = kdo__expr_add(c, KDO__X_LIT, -1, -1, -1, line, col, out);
    if (err)
        return err;
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->lit = v;
    nd->type = v.type;
    if (v.type == KDO_TYPE_VARCHAR)
        nd->max_len = kdo_utf8_length(v.u.str.s, v.u.str.len);
    return 0;
}

static enum kdo_type type_of(struct kdo__expr_cc *c, int i)
{
    return c->x->nodes[i].type;
}

int kdo__expr_mismatch(struct kdo__expr_cc *c, int n, const char *what)
{
    struct kdo__expr_node *nd = &c->x->nodes[n];
    if (nd->b < 0)
        return kdo__expr_fail(c->e, nd->line, nd->col, KDO_ESCHEMA, "%s cannot take a %s", what,
                              kdo_type_name(type_of(c, nd->a)));
    return kdo__expr_fail(c->e, nd->line, nd->col, KDO_ESCHEMA,
                          "%s cannot compare or combine %s and %s", what,
                          kdo_type_name(type_of(c, nd->a)), kdo_type_name(type_of(c, nd->b)));
}

/* --- positions -------------------------------------------------------------- */

/* The byte offset of line:col (columns count code points, as the lexer does). */
static size_t offset_of(const char *s, size_t n, int line, int col)
{
    size_t i = 0;
    for (int l = 1; l < line && i < n; i++)
        if (s[i] == '\n')
            l++;
    for (int k = 1; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) == 0x80)
            continue;
        if (k++ == col)
            break;
    }
    return i;
}

static void position_of(const char *s, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (s[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

/* Where a binary operator's token is: the tree keeps only its operands'
 * positions, so this walks back from the right operand over blanks and
 * opening parentheses to the operator.  Without the text (a tree from the
 * binder), the left operand's position. */
void kdo__expr_operator_pos(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *line,
                            int *col)
{
    *line = ax->line;
    *col = ax->col;
    if (c->text == NULL || ax->b == NULL)
        return;
    size_t i = offset_of(c->text, c->len, ax->b->line, ax->b->col);
    while (i > 0 && strchr(" \t\r\n(", c->text[i - 1]))
        i--;
    if (i == 0)
        return;
    bool word = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", c->text[i - 1]);
    const char *set = word ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                           : "<>=!|*/+-%";
    if (!strchr(set, c->text[i - 1]) || c->text[i - 1] == '\0')
        return;
    while (i > 1 && c->text[i - 2] != '\0' && strchr(set, c->text[i - 2]))
        i--;
    position_of(c->text, i - 1, line, col);
}

/* --- literals and names --------------------------------------------------- */

static int copy_string(struct kdo__expr_cc *c, const char *s, size_t n, const char **out,
                       int line, int col)
{
    if (kdo_arena_dup(&c->x->literals, s, n, out))
        return kdo__expr_fail(c->e, line, col, KDO_ETOOBIG, "literals too long");
    return 0;
}

/* An exact numeric literal (1.50) as KDA keeps it: DECIMAL(p,s). */
static int decimal_literal(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax,
                           const char *text, size_t n, struct kdo_value *v, int *scale)
{
    const char *dot = memchr(text, '.', n);
    *scale = dot ? (int)(text + n - dot - 1) : 0;
    if (*scale > KDO_DECIMAL_MAX_DIGITS ||
        kdo_decimal_parse(text, n, *scale, &v->u.dec.v, NULL) != 0)
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE,
                              "number %s has more than %d digits (KDA's DECIMAL limit)", text,
                              KDO_DECIMAL_MAX_DIGITS);
    *v = kdo_value_decimal(v->u.dec.v, *scale);
    return 0;
}

static int number(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, bool negative, int *out)
{
    char text[72];
    if (ax->len + 2 > sizeof text)
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE, "number %.*s is too long",
                              32, ax->text);
    snprintf(text, sizeof text, "%s%.*s", negative ? "-" : "", (int)ax->len, ax->text);
    size_t n = strlen(text);
    struct kdo_value v;
    int scale = 0, err;
    if (ax->kind == KDO_AST_INT) {
        v.type = KDO_TYPE_BIGINT;
        if (kdo_bigint_parse(text, n, &v.u.i))
            return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE,
                                  "integer %s is out of BIGINT range", text);
    } else if (ax->kind == KDO_AST_DECIMAL) {
        if ((err = decimal_literal(c, ax, text, n, &v, &scale)))
            return err;
    } else {
        v.type = KDO_TYPE_DOUBLE; /* 1.5E-6: an approximate literal */
        if (kdo_double_parse(text, n, &v.u.d))
            return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE,
                                  "number %s is out of DOUBLE range", text);
    }
    if ((err = kdo__expr_literal(c, v, ax->line, ax->col, out)))
        return err;
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->scale = scale;
    if (v.type == KDO_TYPE_DECIMAL)
        nd->prec = kdo_decimal_digits(v.u.dec.v) > scale ? kdo_decimal_digits(v.u.dec.v) : scale;
    else if (v.type == KDO_TYPE_BIGINT)
        nd->prec = v.u.i >= INT32_MIN && v.u.i <= INT32_MAX ? 10 : 19;
    return 0;
}

static int string_literal(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    const char *s;
    int err = copy_string(c, ax->text, ax->len, &s, ax->line, ax->col);
    return err ? err : kdo__expr_literal(c, kdo_value_varchar(s, ax->len), ax->line, ax->col, out);
}

static int timestamp_literal(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int64_t ms;
    if (kdo_timestamp_parse(ax->text, ax->len, &ms))
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE,
                              "bad TIMESTAMP '%.*s' (want yyyy-MM-dd HH:mm:ss.SSS)",
                              (int)(ax->len > 64 ? 64 : ax->len), ax->text);
    return kdo__expr_literal(c, kdo_value_timestamp(ms), ax->line, ax->col, out);
}

static int interval_literal(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    struct kdo_value v;
    int err = kdo__expr_interval(c, ax, &v);
    if (err || (err = kdo__expr_literal(c, v, ax->line, ax->col, out)))
        return err;
    c->x->nodes[*out].q_start = ax->qual.start;
    c->x->nodes[*out].q_end = ax->qual.end ? ax->qual.end : ax->qual.start;
    return 0;
}

static int unknown_column(struct kdo__expr_cc *c, const struct kdo_ast_ident *id)
{
    const char *near = kdo_row_schema_nearest(c->x->schema, id->s, id->len);
    /* Suggest it as it must be written: quoted unless an unquoted word folds to it. */
    char plain[KDO_ROW_MAX_NAME + 1];
    int quote = near && (kdo_row_resolve_name(near, strlen(near), plain) != 0 ||
                         strcmp(plain, near) != 0);
    return kdo__expr_fail(c->e, id->line, id->col, KDO_ESCHEMA, "unknown column %.*s%s%s%s%s%s",
                          (int)(id->len > 128 ? 128 : id->len), id->s,
                          near ? " (did you mean " : "", quote ? "\"" : "", near ? near : "",
                          quote ? "\"" : "", near ? "?)" : "");
}

/* stream.column (KDA writes SOURCE_SQL_STREAM_001.ROWTIME): the last part
 * names the column; the qualifiers are not checked, an expression reads one
 * stream's row. */
static int column(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    int r = ax->name.n == 1 ? kdo__expr_niladic(c, ax, out) : 1;
    if (r <= 0)
        return r;
    const struct kdo_ast_ident *id = &ax->name.part[ax->name.n - 1];
    int i = kdo_row_schema_find(c->x->schema, id->s, id->len);
    if (i < 0)
        return unknown_column(c, id);
    int err = kdo__expr_add(c, KDO__X_COL, -1, -1, -1, id->line, id->col, out);
    if (err)
        return err;
    const struct kdo_row_column *col = kdo_row_schema_column(c->x->schema, (size_t)i);
    struct kdo__expr_node *nd = &c->x->nodes[*out];
    nd->colno = (size_t)i;
    nd->type = col->type;
    nd->max_len = col->max_len;
    if (col->type == KDO_TYPE_DECIMAL && col->precision > 0 && col->scale >= 0) {
        nd->prec = col->precision; /* a DECIMAL(p,s) column's values have its scale */
        nd->scale = col->scale;
    }
    return 0;
}

/* --- type rules (arithmetic's are in expr-type.c) ------------------------- */

#define is_null(t) ((t) == KDO_TYPE_NULL)
#define numeric_or_null kdo__expr_numeric_or_null
#define is_interval kdo__expr_is_interval

bool kdo__expr_comparable(enum kdo_type a, enum kdo_type b)
{
    return is_null(a) || is_null(b) || a == b || (kdo_type_numeric(a) && kdo_type_numeric(b));
}

/* --- operators ------------------------------------------------------------- */

static const struct {
    int ast;
    enum kdo__expr_op op;
    const char *text;
} binops[] = {
    {KDO_AST_OP_OR, KDO__X_OR, "OR"},   {KDO_AST_OP_AND, KDO__X_AND, "AND"},
    {KDO_AST_OP_EQ, KDO__X_EQ, "="},    {KDO_AST_OP_NE, KDO__X_NE, "<>"},
    {KDO_AST_OP_LT, KDO__X_LT, "<"},    {KDO_AST_OP_LE, KDO__X_LE, "<="},
    {KDO_AST_OP_GT, KDO__X_GT, ">"},    {KDO_AST_OP_GE, KDO__X_GE, ">="},
    {KDO_AST_OP_CONCAT, KDO__X_CONCAT, "||"}, {KDO_AST_OP_ADD, KDO__X_ADD, "+"},
    {KDO_AST_OP_SUB, KDO__X_SUB, "-"},  {KDO_AST_OP_MUL, KDO__X_MUL, "*"},
    {KDO_AST_OP_DIV, KDO__X_DIV, "/"},  {KDO_AST_OP_MOD, KDO__X_MOD, "%"},
};

static int binop_type(struct kdo__expr_cc *c, int n, const char *what)
{
    struct kdo__expr_node *nd = &c->x->nodes[n];
    enum kdo_type ta = type_of(c, nd->a), tb = type_of(c, nd->b);
    switch (nd->op) {
    case KDO__X_AND:
    case KDO__X_OR:
        if (!(is_null(ta) || ta == KDO_TYPE_BOOLEAN) || !(is_null(tb) || tb == KDO_TYPE_BOOLEAN))
            return kdo__expr_mismatch(c, n, what);
        nd->type = KDO_TYPE_BOOLEAN;
        return 0;
    case KDO__X_CONCAT:
        if (!(is_null(ta) || ta == KDO_TYPE_VARCHAR) || !(is_null(tb) || tb == KDO_TYPE_VARCHAR))
            return kdo__expr_mismatch(c, n, what);
        nd->type = KDO_TYPE_VARCHAR;
        nd->max_len = c->x->nodes[nd->a].max_len && c->x->nodes[nd->b].max_len
                          ? c->x->nodes[nd->a].max_len + c->x->nodes[nd->b].max_len
                          : 0;
        return 0;
    case KDO__X_ADD:
    case KDO__X_SUB:
    case KDO__X_MUL:
    case KDO__X_DIV:
    case KDO__X_MOD:
        return kdo__expr_arith_type(c, n, what);
    default:
        if (!kdo__expr_comparable(ta, tb))
            return kdo__expr_mismatch(c, n, what);
        nd->type = KDO_TYPE_BOOLEAN;
        return 0;
    }
}

static int binop(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    size_t k = 0;
    while (k < sizeof binops / sizeof binops[0] && binops[k].ast != ax->op)
        k++;
    if (k == sizeof binops / sizeof binops[0])
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE, "unknown operator");
    int a, b, line, col, err;
    if ((err = kdo__expr_compile_node(c, ax->a, &a)) || (err = kdo__expr_compile_node(c, ax->b, &b)))
        return err;
    kdo__expr_operator_pos(c, ax, &line, &col);
    if ((err = kdo__expr_add(c, binops[k].op, a, b, -1, line, col, out)))
        return err;
    return binop_type(c, *out, binops[k].text);
}

static int unary(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    const struct kdo_ast_expr *in = ax->a;
    if (ax->op == KDO_AST_OP_QUALIFY)
        return kdo__expr_qualified(c, ax, out);
    if (ax->op == KDO_AST_OP_NEG && (in->kind == KDO_AST_INT || in->kind == KDO_AST_DECIMAL ||
                                     in->kind == KDO_AST_APPROX))
        return number(c, in, true, out); /* folded, so -9223372036854775808 fits */
    int a, err = kdo__expr_compile_node(c, in, &a);
    if (err)
        return err;
    enum kdo_type t = type_of(c, a);
    if (ax->op == KDO_AST_OP_PLUS) {
        if (!numeric_or_null(t) && !is_interval(t))
            return kdo__expr_fail(c->e, ax->line, ax->col, KDO_ESCHEMA, "+ cannot take a %s",
                                  kdo_type_name(t));
        *out = a;
        return 0;
    }
    bool not = ax->op == KDO_AST_OP_NOT;
    if ((err = kdo__expr_add(c, not ? KDO__X_NOT : KDO__X_NEG, a, -1, -1, ax->line, ax->col, out)))
        return err;
    bool ok = not ? is_null(t) || t == KDO_TYPE_BOOLEAN : numeric_or_null(t) || is_interval(t);
    if (!ok)
        return kdo__expr_mismatch(c, *out, not ? "NOT" : "-");
    c->x->nodes[*out].type = not ? KDO_TYPE_BOOLEAN : is_null(t) ? KDO_TYPE_BIGINT : t;
    c->x->nodes[*out].prec = c->x->nodes[a].prec;
    c->x->nodes[*out].scale = c->x->nodes[a].scale;
    c->x->nodes[*out].q_start = c->x->nodes[a].q_start;
    c->x->nodes[*out].q_end = c->x->nodes[a].q_end;
    return 0;
}

static int refuse(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, const char *what)
{
    return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE, "%s is not supported yet", what);
}

static int compile_literal(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    switch (ax->kind) {
    case KDO_AST_INT:
    case KDO_AST_DECIMAL:
    case KDO_AST_APPROX:
        return number(c, ax, false, out);
    case KDO_AST_STRING:
        return string_literal(c, ax, out);
    case KDO_AST_BOOL: {
        int err = kdo__expr_literal(c, ax->op == 2 ? kdo_value_null() : kdo_value_bool(ax->op),
                                    ax->line, ax->col, out);
        if (!err)
            c->x->nodes[*out].type = KDO_TYPE_BOOLEAN; /* UNKNOWN: a BOOLEAN NULL */
        return err;
    }
    case KDO_AST_NULL:
        return kdo__expr_literal(c, kdo_value_null(), ax->line, ax->col, out);
    case KDO_AST_TIMESTAMP:
        return timestamp_literal(c, ax, out);
    case KDO_AST_INTERVAL:
        return interval_literal(c, ax, out);
    case KDO_AST_DATE:
        return refuse(c, ax, "DATE");
    case KDO_AST_TIME:
        return refuse(c, ax, "TIME");
    default:
        return refuse(c, ax, "a BINARY literal");
    }
}

int kdo__expr_compile_node(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, int *out)
{
    switch (ax->kind) {
    case KDO_AST_NAME:
        return column(c, ax, out);
    case KDO_AST_UNARY:
        return unary(c, ax, out);
    case KDO_AST_BINOP:
        return binop(c, ax, out);
    case KDO_AST_IS:
    case KDO_AST_BETWEEN:
    case KDO_AST_IN:
    case KDO_AST_LIKE:
    case KDO_AST_CASE:
        return kdo__expr_predicate(c, ax, out);
    case KDO_AST_CAST:
        return kdo__expr_cast(c, ax, out);
    case KDO_AST_CALL:
        return kdo__expr_call(c, ax, out);
    case KDO_AST_SUBSTRING:
    case KDO_AST_POSITION:
    case KDO_AST_TRIM:
    case KDO_AST_FLOOR:
    case KDO_AST_STEP:
        return kdo__expr_form(c, ax, out);
    case KDO_AST_EXTRACT:
        return refuse(c, ax, "EXTRACT");
    case KDO_AST_STAR:
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE, "* is not a value here");
    case KDO_AST_CURSOR:
        return refuse(c, ax, "CURSOR in an expression");
    case KDO_AST_WHEN:
        return kdo__expr_fail(c->e, ax->line, ax->col, KDO_EPARSE, "WHEN outside CASE");
    default:
        return compile_literal(c, ax, out);
    }
}

/* --- the compiled expression ------------------------------------------- */

void kdo_expr_free(struct kdo_expr *x)
{
    if (x == NULL)
        return;
    kdo_arena_cleanup(&x->literals);
    free(x->nodes);
    free(x->argv);
    free(x);
}

static struct kdo_expr *expr_new(const struct kdo_row_schema *s)
{
    struct kdo_expr *x = kdo_xcalloc(1, sizeof *x);
    x->schema = s;
    x->root = -1;
    kdo_arena_init(&x->literals, LITERALS_MAX);
    return x;
}

static int finish(struct kdo__expr_cc *c, const struct kdo_ast_expr *ax, struct kdo_expr **out)
{
    int root, err = kdo__expr_compile_node(c, ax, &root);
    if (err) {
        kdo_expr_free(c->x);
        return err;
    }
    c->x->root = root;
    *out = c->x;
    return 0;
}

int kdo_expr_compile_ast(const struct kdo_ast_expr *ax, const struct kdo_row_schema *s,
                         struct kdo_expr **out, struct kdo_errinfo *e)
{
    *out = NULL;
    struct kdo__expr_cc c = {.x = expr_new(s), .e = e};
    return finish(&c, ax, out);
}

/* The text form hands no INTERVAL to its caller: a column cannot hold one. */
static int check_result(struct kdo_expr *x, struct kdo_errinfo *e)
{
    const struct kdo__expr_node *nd = &x->nodes[x->root];
    if (!is_interval(nd->type))
        return 0;
    return kdo__expr_fail(e, nd->line, nd->col, KDO_ESCHEMA,
                          "an INTERVAL result is not supported yet (a column cannot hold one)");
}

int kdo_expr_compile(const char *text, size_t len, const struct kdo_row_schema *s,
                     struct kdo_expr **out, struct kdo_errinfo *e)
{
    *out = NULL;
    if (len > KDO_EXPR_MAX_BYTES)
        return kdo_errinfo_set(e, KDO_ETOOBIG, NULL, 1, 1, "expression longer than %d bytes",
                               KDO_EXPR_MAX_BYTES);
    if (text == NULL && len > 0)
        return kdo_errinfo_set(e, KDO_EINVAL, NULL, 0, 0, "no expression text");
    struct kdo_arena ast;
    kdo_arena_init(&ast, AST_ARENA_MAX);
    struct kdo_ast_expr *ax;
    int err = kdo_sql_parse_expr(NULL, len ? text : "", len, &ast, &ax, e);
    if (err == 0) {
        struct kdo__expr_cc c = {.x = expr_new(s), .e = e, .text = text, .len = len};
        err = finish(&c, ax, out);
    }
    kdo_arena_cleanup(&ast);
    if (err == 0 && (err = check_result(*out, e))) {
        kdo_expr_free(*out);
        *out = NULL;
    }
    return err;
}

enum kdo_type kdo_expr_type(const struct kdo_expr *x)
{
    return x->nodes[x->root].type;
}

size_t kdo_expr_max_len(const struct kdo_expr *x)
{
    return x->nodes[x->root].max_len;
}

int kdo_expr_precision(const struct kdo_expr *x)
{
    const struct kdo__expr_node *nd = &x->nodes[x->root];
    return nd->type == KDO_TYPE_DECIMAL ? nd->prec : 0;
}

int kdo_expr_scale(const struct kdo_expr *x)
{
    const struct kdo__expr_node *nd = &x->nodes[x->root];
    return nd->type == KDO_TYPE_DECIMAL ? nd->scale : 0;
}

int kdo_expr_time_bucket(const struct kdo_expr *x, int *column, int64_t *width_ms)
{
    const struct kdo__expr_node *nd = &x->nodes[x->root];
    if ((nd->op != KDO__X_FLOOR_TO && nd->op != KDO__X_STEP) || nd->aux ||
        x->nodes[nd->a].op != KDO__X_COL)
        return 0;
    *column = (int)x->nodes[nd->a].colno;
    *width_ms = nd->width_ms;
    return 1;
}

int kdo_expr_constant(const struct kdo_ast_expr *x, struct kdo_arena *scratch,
                      struct kdo_value *v, struct kdo_errinfo *e)
{
    struct kdo_row_schema *s = kdo_row_schema_new();
    struct kdo_row *r = kdo_row_new(s);
    struct kdo_expr *c = NULL;
    *v = kdo_value_null();
    int rc = kdo_expr_compile_ast(x, s, &c, e);
    if (rc == 0)
        rc = kdo_expr_eval(c, r, scratch, v, e);
    kdo_expr_free(c);
    kdo_row_free(r);
    kdo_row_schema_free(s);
    return rc;
}
