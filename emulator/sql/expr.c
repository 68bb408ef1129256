/*
 * expr.c -- the recursive-descent parser and the type checks of
 * SQL expressions (tokens come from expr_lex.c).  Each grammar rule of expr.h is one function; each
 * builds nodes bottom-up and checks their operand types as it goes, so an
 * error points at the operator or name that caused it.  Recursion is
 * bounded twice: by the parser's nesting counter (parentheses, NOT, unary
 * signs) and by each node's depth (left-leaning chains like 1+1+...+1).
 */
#include "sql/expr-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(p, pos, err, ...) kdo__expr_error((p)->s, (p)->n, (pos), (p)->e, (err), __VA_ARGS__)

/* --- nodes and type checks ------------------------------------------------ */

static int add_node(struct kdo__expr_parser *p, enum kdo__expr_op op, int a, int b, size_t pos,
                    int *out)
{
    struct kdo_expr *x = p->x;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 16;
        x->nodes = kdo_xrealloc(x->nodes, x->cap * sizeof *x->nodes);
    }
    struct kdo__expr_node *nd = &x->nodes[x->n];
    memset(nd, 0, sizeof *nd);
    nd->op = op;
    nd->a = a;
    nd->b = b;
    nd->pos = pos;
    nd->depth = 1;
    if (a >= 0 && x->nodes[a].depth + 1 > nd->depth)
        nd->depth = x->nodes[a].depth + 1;
    if (b >= 0 && x->nodes[b].depth + 1 > nd->depth)
        nd->depth = x->nodes[b].depth + 1;
    if (nd->depth > KDO_EXPR_MAX_DEPTH)
        return FAIL(p, pos, KDO_EDEPTH, "expression nested deeper than %d", KDO_EXPR_MAX_DEPTH);
    *out = (int)x->n++;
    return 0;
}

static enum kdo_type type_of(struct kdo__expr_parser *p, int i)
{
    return p->x->nodes[i].type;
}

static const char *op_text(enum kdo__expr_op op)
{
    static const char *const text[] = {
        [KDO__X_NEG] = "-",       [KDO__X_ADD] = "+",
        [KDO__X_SUB] = "-",       [KDO__X_MUL] = "*",
        [KDO__X_DIV] = "/",       [KDO__X_EQ] = "=",
        [KDO__X_NE] = "<>",       [KDO__X_LT] = "<",
        [KDO__X_LE] = "<=",       [KDO__X_GT] = ">",
        [KDO__X_GE] = ">=",       [KDO__X_AND] = "AND",
        [KDO__X_OR] = "OR",       [KDO__X_NOT] = "NOT",
        [KDO__X_ABS] = "ABS",     [KDO__X_UPPER] = "UPPER",
        [KDO__X_LOWER] = "LOWER", [KDO__X_CHAR_LENGTH] = "CHAR_LENGTH",
        [KDO__X_FLOOR] = "FLOOR", [KDO__X_FLOOR_TO] = "FLOOR ... TO",
        [KDO__X_STEP] = "STEP",
    };
    return op < sizeof text / sizeof text[0] && text[op] ? text[op] : "?";
}

static bool numeric_or_null(enum kdo_type t)
{
    return t == KDO_TYPE_NULL || kdo_type_numeric(t);
}

static int type_mismatch(struct kdo__expr_parser *p, int n)
{
    struct kdo__expr_node *nd = &p->x->nodes[n];
    if (nd->b < 0)
        return FAIL(p, nd->pos, KDO_ESCHEMA, "%s cannot take a %s", op_text(nd->op),
                    kdo_type_name(type_of(p, nd->a)));
    return FAIL(p, nd->pos, KDO_ESCHEMA, "%s cannot compare or combine %s and %s", op_text(nd->op),
                kdo_type_name(type_of(p, nd->a)), kdo_type_name(type_of(p, nd->b)));
}

/* Sets the result type of node n from its operands, or fails. */
static int check_node(struct kdo__expr_parser *p, int n)
{
    struct kdo__expr_node *nd = &p->x->nodes[n];
    enum kdo_type ta = nd->a >= 0 ? type_of(p, nd->a) : KDO_TYPE_NULL;
    enum kdo_type tb = nd->b >= 0 ? type_of(p, nd->b) : KDO_TYPE_NULL;
    switch (nd->op) {
    case KDO__X_ADD:
    case KDO__X_SUB:
    case KDO__X_MUL:
    case KDO__X_DIV:
        if (!numeric_or_null(ta) || !numeric_or_null(tb))
            return type_mismatch(p, n);
        nd->type =
            ta == KDO_TYPE_DOUBLE || tb == KDO_TYPE_DOUBLE ? KDO_TYPE_DOUBLE : KDO_TYPE_BIGINT;
        return 0;
    case KDO__X_NEG:
    case KDO__X_ABS:
    case KDO__X_FLOOR:
        if (!numeric_or_null(ta))
            return type_mismatch(p, n);
        nd->type = ta == KDO_TYPE_NULL ? KDO_TYPE_BIGINT : ta;
        return 0;
    case KDO__X_EQ:
    case KDO__X_NE:
    case KDO__X_LT:
    case KDO__X_LE:
    case KDO__X_GT:
    case KDO__X_GE:
        if (ta != KDO_TYPE_NULL && tb != KDO_TYPE_NULL && ta != tb &&
            !(kdo_type_numeric(ta) && kdo_type_numeric(tb)))
            return type_mismatch(p, n);
        nd->type = KDO_TYPE_BOOLEAN;
        return 0;
    case KDO__X_AND:
    case KDO__X_OR:
    case KDO__X_NOT:
        if ((ta != KDO_TYPE_NULL && ta != KDO_TYPE_BOOLEAN) ||
            (tb != KDO_TYPE_NULL && tb != KDO_TYPE_BOOLEAN))
            return type_mismatch(p, n);
        nd->type = KDO_TYPE_BOOLEAN;
        return 0;
    case KDO__X_IS_NULL:
    case KDO__X_IS_NOT_NULL:
        nd->type = KDO_TYPE_BOOLEAN;
        return 0;
    case KDO__X_FLOOR_TO:
    case KDO__X_STEP:
        if (ta != KDO_TYPE_NULL && ta != KDO_TYPE_TIMESTAMP)
            return type_mismatch(p, n);
        nd->type = KDO_TYPE_TIMESTAMP;
        return 0;
    case KDO__X_UPPER:
    case KDO__X_LOWER:
    case KDO__X_CHAR_LENGTH:
        if (ta != KDO_TYPE_NULL && ta != KDO_TYPE_VARCHAR)
            return type_mismatch(p, n);
        nd->type = nd->op == KDO__X_CHAR_LENGTH ? KDO_TYPE_BIGINT : KDO_TYPE_VARCHAR;
        nd->max_len = nd->op == KDO__X_CHAR_LENGTH ? 0 : p->x->nodes[nd->a].max_len;
        return 0;
    default:
        return 0;
    }
}

static int make(struct kdo__expr_parser *p, enum kdo__expr_op op, int a, int b, size_t pos,
                int *out)
{
    int err = add_node(p, op, a, b, pos, out);
    return err ? err : check_node(p, *out);
}

/* --- literals and names ----------------------------------------------------- */

static int literal(struct kdo__expr_parser *p, struct kdo_value v, size_t pos, int *out)
{
    int err = add_node(p, KDO__X_LIT, -1, -1, pos, out);
    if (err)
        return err;
    struct kdo__expr_node *nd = &p->x->nodes[*out];
    nd->lit = v;
    nd->type = v.type;
    if (v.type == KDO_TYPE_VARCHAR)
        nd->max_len = kdo_utf8_length(v.u.str.s, v.u.str.len);
    return 0;
}

/* The body of a '...' or "..." token with doubled quotes undone, copied
 * into the expression's arena. */
static int unquote(struct kdo__expr_parser *p, const struct kdo__expr_tok *t, const char **s,
                   size_t *n)
{
    char *o;
    int err = kdo_arena_alloc(&p->x->literals, t->len, &o);
    if (err)
        return FAIL(p, t->pos, KDO_ETOOBIG, "literals too long");
    size_t k = 0;
    for (size_t i = 1; i + 1 < t->len; i++) {
        o[k++] = t->s[i];
        if (t->s[i] == t->s[0])
            i++;
    }
    o[k] = '\0';
    *s = o;
    *n = k;
    return 0;
}

static int number(struct kdo__expr_parser *p, bool negative, int *out)
{
    struct kdo__expr_tok t = p->cur;
    char text[KDO_EXPR_MAX_BYTES + 2];
    text[0] = '-';
    memcpy(text + 1, t.s, t.len);
    const char *s = negative ? text : text + 1;
    size_t n = t.len + negative;
    struct kdo_value v;
    if (t.kind == KDO__T_INT) {
        v.type = KDO_TYPE_BIGINT;
        if (kdo_bigint_parse(s, n, &v.u.i))
            return FAIL(p, t.pos, KDO_EPARSE, "integer %.*s is out of BIGINT range", (int)n, s);
    } else {
        v.type = KDO_TYPE_DOUBLE;
        if (kdo_double_parse(s, n, &v.u.d))
            return FAIL(p, t.pos, KDO_EPARSE, "number %.*s is out of DOUBLE range", (int)n, s);
    }
    int err = kdo__expr_lex(p);
    return err ? err : literal(p, v, t.pos, out);
}

static int string_literal(struct kdo__expr_parser *p, enum kdo_type as, size_t pos, int *out)
{
    struct kdo__expr_tok t = p->cur;
    const char *s = "";
    size_t n = 0;
    int err = unquote(p, &t, &s, &n);
    if (err || (err = kdo__expr_lex(p)))
        return err;
    struct kdo_value v = kdo_value_varchar(s, n);
    if (as == KDO_TYPE_TIMESTAMP) {
        v.type = KDO_TYPE_TIMESTAMP;
        if (kdo_timestamp_parse(s, n, &v.u.ts_ms))
            return FAIL(p, t.pos, KDO_EPARSE, "bad TIMESTAMP '%.*s' (want yyyy-MM-dd HH:mm:ss.SSS)",
                        (int)n, s);
    }
    return literal(p, v, pos, out);
}

/* The offset of the first non-space byte at or after i. */
static size_t skip_space(const struct kdo__expr_parser *p, size_t i)
{
    while (i < p->n && strchr(" \t\r\n", p->s[i]) && p->s[i])
        i++;
    return i;
}

/* stream.column (KDA writes SOURCE_SQL_STREAM_001.ROWTIME): while a '.'
 * follows the name in *t, moves on to the name after it.  The qualifiers
 * are not checked: an expression reads one stream. */
static int qualified(struct kdo__expr_parser *p, struct kdo__expr_tok *t)
{
    char buf[48];
    for (size_t j = skip_space(p, p->at); j < p->n && p->s[j] == '.'; j = skip_space(p, p->at)) {
        p->at = j + 1;
        int err = kdo__expr_lex(p);
        if (err)
            return err;
        if (p->cur.kind != KDO__T_IDENT && p->cur.kind != KDO__T_QIDENT)
            return FAIL(p, p->cur.pos, KDO_EPARSE, "expected a column name after '.' but found %s",
                        kdo__expr_describe(&p->cur, buf));
        *t = p->cur;
    }
    return 0;
}

static int column(struct kdo__expr_parser *p, int *out)
{
    struct kdo__expr_tok t = p->cur;
    char name[KDO_ROW_MAX_NAME + 1];
    int err = qualified(p, &t);
    if (err)
        return err;
    if (kdo_row_resolve_name(t.s, t.len, name))
        return FAIL(p, t.pos, KDO_EPARSE, "bad column name %.*s", (int)(t.len > 64 ? 64 : t.len),
                    t.s);
    int i = kdo_row_schema_find(p->x->schema, name, strlen(name));
    if (i < 0) {
        const char *near = kdo_row_schema_nearest(p->x->schema, name, strlen(name));
        /* Suggest it as it must be written: quoted unless an unquoted word folds to it. */
        char plain[KDO_ROW_MAX_NAME + 1];
        int quote = near && (kdo_row_resolve_name(near, strlen(near), plain) != 0 ||
                             strcmp(plain, near) != 0);
        return FAIL(p, t.pos, KDO_ESCHEMA, "unknown column %s%s%s%s%s%s", name,
                    near ? " (did you mean " : "", quote ? "\"" : "", near ? near : "",
                    quote ? "\"" : "", near ? "?)" : "");
    }
    if ((err = kdo__expr_lex(p)) || (err = add_node(p, KDO__X_COL, -1, -1, t.pos, out)))
        return err;
    const struct kdo_row_column *c = kdo_row_schema_column(p->x->schema, (size_t)i);
    struct kdo__expr_node *nd = &p->x->nodes[*out];
    nd->col = (size_t)i;
    nd->type = c->type;
    nd->max_len = c->max_len;
    return 0;
}

/* --- grammar ----------------------------------------------------------------- */

static int parse_or(struct kdo__expr_parser *p, int *out);

static int nest(struct kdo__expr_parser *p)
{
    if (++p->nesting > KDO_EXPR_MAX_DEPTH)
        return FAIL(p, p->cur.pos, KDO_EDEPTH, "expression nested deeper than %d",
                    KDO_EXPR_MAX_DEPTH);
    return 0;
}

/* The optional "(n)" after VARCHAR/CHAR. */
static int type_length(struct kdo__expr_parser *p, size_t *max_len)
{
    *max_len = 0;
    if (!kdo__expr_tok_is(&p->cur, "("))
        return 0;
    int err = kdo__expr_lex(p);
    if (err)
        return err;
    int64_t n;
    if (p->cur.kind != KDO__T_INT || kdo_bigint_parse(p->cur.s, p->cur.len, &n) || n < 1 ||
        n > 65535)
        return FAIL(p, p->cur.pos, KDO_EPARSE, "expected a length from 1 to 65535");
    *max_len = (size_t)n;
    if ((err = kdo__expr_lex(p)))
        return err;
    return kdo__expr_expect(p, ")");
}

static int type_name(struct kdo__expr_parser *p, enum kdo_type *t, size_t *max_len)
{
    static const struct {
        const char *word;
        enum kdo_type type;
    } names[] = {
        {"BIGINT", KDO_TYPE_BIGINT},       {"INTEGER", KDO_TYPE_BIGINT},
        {"INT", KDO_TYPE_BIGINT},          {"SMALLINT", KDO_TYPE_BIGINT},
        {"TINYINT", KDO_TYPE_BIGINT},      {"DOUBLE", KDO_TYPE_DOUBLE},
        {"REAL", KDO_TYPE_DOUBLE},         {"FLOAT", KDO_TYPE_DOUBLE},
        {"DECIMAL", KDO_TYPE_DOUBLE},      {"NUMERIC", KDO_TYPE_DOUBLE},
        {"VARCHAR", KDO_TYPE_VARCHAR},     {"CHAR", KDO_TYPE_VARCHAR},
        {"CHARACTER", KDO_TYPE_VARCHAR},   {"BOOLEAN", KDO_TYPE_BOOLEAN},
        {"TIMESTAMP", KDO_TYPE_TIMESTAMP},
    };
    char buf[48];
    *max_len = 0;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        if (!kdo__expr_tok_is(&p->cur, names[k].word))
            continue;
        *t = names[k].type;
        int err = kdo__expr_lex(p);
        if (!err && k == 5 && kdo__expr_tok_is(&p->cur, "PRECISION"))
            err = kdo__expr_lex(p);
        if (!err && *t == KDO_TYPE_VARCHAR)
            err = type_length(p, max_len);
        return err;
    }
    return FAIL(p, p->cur.pos, KDO_EPARSE, "expected a type name but found %s",
                kdo__expr_describe(&p->cur, buf));
}

static int parse_cast(struct kdo__expr_parser *p, size_t pos, int *out)
{
    int a, err = kdo__expr_expect(p, "(");
    if (err || (err = parse_or(p, &a)) || (err = kdo__expr_expect(p, "AS")))
        return err;
    enum kdo_type to;
    size_t max_len;
    if ((err = type_name(p, &to, &max_len)) || (err = kdo__expr_expect(p, ")")))
        return err;
    if (!kdo_type_castable(type_of(p, a), to))
        return FAIL(p, pos, KDO_ESCHEMA, "cannot CAST %s AS %s", kdo_type_name(type_of(p, a)),
                    kdo_type_name(to));
    if ((err = add_node(p, KDO__X_CAST, a, -1, pos, out)))
        return err;
    p->x->nodes[*out].type = to;
    p->x->nodes[*out].max_len = max_len;
    return 0;
}

static int bucket(struct kdo__expr_parser *p, enum kdo__expr_op op, int a, int64_t width_ms,
                  size_t pos, int *out)
{
    int err = make(p, op, a, -1, pos, out);
    if (!err)
        p->x->nodes[*out].width_ms = width_ms;
    return err;
}

/* FLOOR(number) or FLOOR(ts TO unit); a TIMESTAMP without TO is an error. */
static int parse_floor(struct kdo__expr_parser *p, size_t pos, int *out)
{
    int a, err = kdo__expr_expect(p, "(");
    if (err || (err = parse_or(p, &a)))
        return err;
    if (!kdo__expr_tok_is(&p->cur, "TO") && type_of(p, a) != KDO_TYPE_TIMESTAMP) {
        err = kdo__expr_expect(p, ")");
        return err ? err : make(p, KDO__X_FLOOR, a, -1, pos, out);
    }
    int64_t unit;
    if ((err = kdo__expr_expect(p, "TO")) || (err = kdo__expr_time_unit(p, &unit)) ||
        (err = kdo__expr_expect(p, ")")))
        return err;
    return bucket(p, KDO__X_FLOOR_TO, a, unit, pos, out);
}

/* The 'n' of INTERVAL 'n' unit: digits only, at least 1. */
static int interval_count(struct kdo__expr_parser *p, int64_t *n)
{
    struct kdo__expr_tok t = p->cur;
    bool ok = t.kind == KDO__T_STRING && t.len > 2;
    for (size_t k = 1; ok && k + 1 < t.len; k++)
        ok = t.s[k] >= '0' && t.s[k] <= '9';
    if (!ok || kdo_bigint_parse(t.s + 1, t.len - 2, n) || *n < 1) {
        char buf[48];
        return FAIL(p, t.pos, KDO_EPARSE,
                    "expected a whole number of units from 1 in quotes, like '60', but found %s",
                    kdo__expr_describe(&t, buf));
    }
    return kdo__expr_lex(p);
}

/* STEP(ts BY INTERVAL 'n' unit), at most KDO_EXPR_MAX_STEP_MS wide. */
static int parse_step(struct kdo__expr_parser *p, size_t pos, int *out)
{
    int a, err = kdo__expr_expect(p, "(");
    if (err || (err = parse_or(p, &a)) || (err = kdo__expr_expect(p, "BY")) ||
        (err = kdo__expr_expect(p, "INTERVAL")))
        return err;
    struct kdo__expr_tok t = p->cur;
    int64_t n, unit;
    if ((err = interval_count(p, &n)) || (err = kdo__expr_time_unit(p, &unit)))
        return err;
    if (n > KDO_EXPR_MAX_STEP_MS / unit)
        return FAIL(p, t.pos, KDO_EPARSE, "STEP wider than 366 days");
    if ((err = kdo__expr_expect(p, ")")))
        return err;
    return bucket(p, KDO__X_STEP, a, n * unit, pos, out);
}

static int parse_call(struct kdo__expr_parser *p, int *out)
{
    static const struct {
        const char *word;
        enum kdo__expr_op op;
    } fns[] = {
        {"ABS", KDO__X_ABS},
        {"UPPER", KDO__X_UPPER},
        {"LOWER", KDO__X_LOWER},
        {"CHAR_LENGTH", KDO__X_CHAR_LENGTH},
        {"CHARACTER_LENGTH", KDO__X_CHAR_LENGTH},
    };
    struct kdo__expr_tok name = p->cur;
    int err = kdo__expr_lex(p);
    if (err)
        return err;
    if (kdo__expr_tok_is(&name, "CAST"))
        return parse_cast(p, name.pos, out);
    if (kdo__expr_tok_is(&name, "FLOOR"))
        return parse_floor(p, name.pos, out);
    if (kdo__expr_tok_is(&name, "STEP"))
        return parse_step(p, name.pos, out);
    for (size_t k = 0; k < sizeof fns / sizeof fns[0]; k++) {
        if (!kdo__expr_tok_is(&name, fns[k].word))
            continue;
        int a;
        if ((err = kdo__expr_expect(p, "(")) || (err = parse_or(p, &a)) ||
            (err = kdo__expr_expect(p, ")")))
            return err;
        return make(p, fns[k].op, a, -1, name.pos, out);
    }
    return FAIL(p, name.pos, KDO_EPARSE, "unknown function %.*s", (int)name.len, name.s);
}

/* After a bare word: a keyword literal, a function call or a column. */
static int parse_word(struct kdo__expr_parser *p, int *out)
{
    struct kdo__expr_tok t = p->cur;
    if (kdo__expr_tok_is(&t, "TRUE") || kdo__expr_tok_is(&t, "FALSE") ||
        kdo__expr_tok_is(&t, "NULL")) {
        struct kdo_value v = kdo__expr_tok_is(&t, "NULL")
                                 ? kdo_value_null()
                                 : kdo_value_bool(kdo__expr_tok_is(&t, "TRUE"));
        int err = kdo__expr_lex(p);
        return err ? err : literal(p, v, t.pos, out);
    }
    if (kdo__expr_tok_is(&t, "TIMESTAMP") && p->at < p->n) {
        size_t save = p->at;
        int err = kdo__expr_lex(p);
        if (err)
            return err;
        if (p->cur.kind == KDO__T_STRING)
            return string_literal(p, KDO_TYPE_TIMESTAMP, t.pos, out);
        p->at = save;
        p->cur = t;
    }
    size_t j = skip_space(p, t.pos + t.len);
    if (j < p->n && p->s[j] == '(')
        return parse_call(p, out);
    static const char *const reserved[] = {"AND", "OR", "NOT", "IS", "AS", "CAST"};
    for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
        if (kdo__expr_tok_is(&t, reserved[k]))
            return FAIL(p, t.pos, KDO_EPARSE, "unexpected %s", reserved[k]);
    return column(p, out);
}

static int parse_primary(struct kdo__expr_parser *p, int *out)
{
    char buf[48];
    switch (p->cur.kind) {
    case KDO__T_INT:
    case KDO__T_DEC:
        return number(p, false, out);
    case KDO__T_STRING:
        return string_literal(p, KDO_TYPE_VARCHAR, p->cur.pos, out);
    case KDO__T_QIDENT:
        return column(p, out);
    case KDO__T_IDENT:
        return parse_word(p, out);
    default:
        break;
    }
    if (kdo__expr_tok_is(&p->cur, "(")) {
        int err = nest(p);
        if (err || (err = kdo__expr_lex(p)) || (err = parse_or(p, out)) ||
            (err = kdo__expr_expect(p, ")")))
            return err;
        p->nesting--;
        return 0;
    }
    return FAIL(p, p->cur.pos, KDO_EPARSE, "expected a value but found %s",
                kdo__expr_describe(&p->cur, buf));
}

static int parse_unary(struct kdo__expr_parser *p, int *out)
{
    if (!kdo__expr_tok_is(&p->cur, "-") && !kdo__expr_tok_is(&p->cur, "+"))
        return parse_primary(p, out);
    struct kdo__expr_tok t = p->cur;
    int a, err = nest(p);
    if (err || (err = kdo__expr_lex(p)))
        return err;
    if (t.s[0] == '-' && (p->cur.kind == KDO__T_INT || p->cur.kind == KDO__T_DEC))
        err = number(p, true, out); /* folded, so -9223372036854775808 fits */
    else if ((err = parse_unary(p, &a)) == 0 && t.s[0] == '-')
        err = make(p, KDO__X_NEG, a, -1, t.pos, out);
    else if (err == 0 && !numeric_or_null(type_of(p, a)))
        err = FAIL(p, t.pos, KDO_ESCHEMA, "+ cannot take a %s", kdo_type_name(type_of(p, a)));
    else
        *out = a;
    p->nesting--;
    return err;
}

/* One left-associative level: operand { op operand }. */
struct level {
    int (*operand)(struct kdo__expr_parser *p, int *out);
    const char *words[3];
    enum kdo__expr_op ops[3];
};

static int parse_level(struct kdo__expr_parser *p, const struct level *l, int *out)
{
    int err = l->operand(p, out);
    for (;;) {
        size_t k = 0;
        while (k < 3 && l->words[k] && !kdo__expr_tok_is(&p->cur, l->words[k]))
            k++;
        if (err || k == 3 || l->words[k] == NULL)
            return err;
        size_t pos = p->cur.pos;
        int b, a = *out;
        if ((err = kdo__expr_lex(p)) || (err = l->operand(p, &b)))
            return err;
        err = make(p, l->ops[k], a, b, pos, out);
    }
}

static int parse_product(struct kdo__expr_parser *p, int *out)
{
    static const struct level l = {parse_unary, {"*", "/"}, {KDO__X_MUL, KDO__X_DIV}};
    return parse_level(p, &l, out);
}

static int parse_sum(struct kdo__expr_parser *p, int *out)
{
    static const struct level l = {parse_product, {"+", "-"}, {KDO__X_ADD, KDO__X_SUB}};
    return parse_level(p, &l, out);
}

static int comparison_op(const struct kdo__expr_tok *t, enum kdo__expr_op *op)
{
    static const struct {
        const char *word;
        enum kdo__expr_op op;
    } ops[] = {{"=", KDO__X_EQ},  {"<>", KDO__X_NE}, {"!=", KDO__X_NE}, {"<", KDO__X_LT},
               {"<=", KDO__X_LE}, {">", KDO__X_GT},  {">=", KDO__X_GE}};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (t->kind == KDO__T_OP && kdo__expr_tok_is(t, ops[k].word)) {
            *op = ops[k].op;
            return 1;
        }
    return 0;
}

/* { IS [NOT] NULL } after a comparison operand. */
static int parse_is(struct kdo__expr_parser *p, int *out)
{
    int err = 0;
    while (!err && kdo__expr_tok_is(&p->cur, "IS")) {
        size_t pos = p->cur.pos;
        bool not = false;
        if ((err = kdo__expr_lex(p)))
            return err;
        if (kdo__expr_tok_is(&p->cur, "NOT")) {
            not = true;
            if ((err = kdo__expr_lex(p)))
                return err;
        }
        if ((err = kdo__expr_expect(p, "NULL")))
            return err;
        err = make(p, not ? KDO__X_IS_NOT_NULL : KDO__X_IS_NULL, *out, -1, pos, out);
    }
    return err;
}

static int parse_cmp(struct kdo__expr_parser *p, int *out)
{
    enum kdo__expr_op op;
    int err = parse_sum(p, out);
    if (!err && comparison_op(&p->cur, &op)) {
        size_t pos = p->cur.pos;
        int b, a = *out;
        if ((err = kdo__expr_lex(p)) || (err = parse_sum(p, &b)) ||
            (err = make(p, op, a, b, pos, out)))
            return err;
    }
    return err ? err : parse_is(p, out);
}

static int parse_not(struct kdo__expr_parser *p, int *out)
{
    if (!kdo__expr_tok_is(&p->cur, "NOT"))
        return parse_cmp(p, out);
    size_t pos = p->cur.pos;
    int a, err = nest(p);
    if (err || (err = kdo__expr_lex(p)) || (err = parse_not(p, &a)))
        return err;
    p->nesting--;
    return make(p, KDO__X_NOT, a, -1, pos, out);
}

static int parse_and(struct kdo__expr_parser *p, int *out)
{
    static const struct level l = {parse_not, {"AND"}, {KDO__X_AND}};
    return parse_level(p, &l, out);
}

static int parse_or(struct kdo__expr_parser *p, int *out)
{
    static const struct level l = {parse_and, {"OR"}, {KDO__X_OR}};
    return parse_level(p, &l, out);
}

/* --- the compiled expression ------------------------------------------- */

void kdo_expr_free(struct kdo_expr *x)
{
    if (x == NULL)
        return;
    kdo_arena_cleanup(&x->literals);
    free(x->nodes);
    free(x->text);
    free(x);
}

static int compile(struct kdo__expr_parser *p)
{
    char buf[48];
    int root, err = kdo__expr_lex(p);
    if (err || (err = parse_or(p, &root)))
        return err;
    if (p->cur.kind != KDO__T_END)
        return FAIL(p, p->cur.pos, KDO_EPARSE, "unexpected %s after the expression",
                    kdo__expr_describe(&p->cur, buf));
    p->x->root = root;
    return 0;
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
    struct kdo_expr *x = kdo_xcalloc(1, sizeof *x);
    x->schema = s;
    x->root = -1;
    kdo_arena_init(&x->literals, KDO_EXPR_MAX_BYTES);
    x->text = kdo_xstrndup(len ? text : "", len);
    x->text_len = len;
    struct kdo__expr_parser p = {.s = x->text, .n = len, .x = x, .e = e};
    int err = compile(&p);
    if (err) {
        kdo_expr_free(x);
        return err;
    }
    *out = x;
    return 0;
}

enum kdo_type kdo_expr_type(const struct kdo_expr *x)
{
    return x->nodes[x->root].type;
}

size_t kdo_expr_max_len(const struct kdo_expr *x)
{
    return x->nodes[x->root].max_len;
}

int kdo_expr_time_bucket(const struct kdo_expr *x, int *column, int64_t *width_ms)
{
    const struct kdo__expr_node *nd = &x->nodes[x->root];
    if ((nd->op != KDO__X_FLOOR_TO && nd->op != KDO__X_STEP) || x->nodes[nd->a].op != KDO__X_COL)
        return 0;
    *column = (int)x->nodes[nd->a].col;
    *width_ms = nd->width_ms;
    return 1;
}
