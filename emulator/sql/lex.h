/*
 * lex.h -- the tokens of KDA application SQL, with 1-based line:column.
 *
 * The lexer turns the application code (at most KDO_SQL_MAX_TEXT bytes, KDA's
 * application-code limit) into tokens one at a time.  Names are decoded as KDA
 * stores them: an unquoted identifier is folded to upper case, a "quoted" one
 * keeps its case with "" standing for one quote.  Strings are decoded too
 * ('it''s', u&'\0009' with UESCAPE), so a token's text is its value, copied
 * into the caller's arena.  Keywords are recognised case-insensitively from
 * one table (kw != KDO_SQL_KW_NONE on a word token); whether a keyword may
 * stand where a name is expected is the parser's business.  Comments are
 * `-- ...`, `// ...` (used inside a statement by the SQL Reference's CREATE
 * PUMP example) and `/ * ... * /`.  Every token and string is bounded.
 * The lexer knows nothing of the grammar.
 */
#ifndef KDO_SQL_LEX_H
#define KDO_SQL_LEX_H

#include "base/arena.h"
#include "base/errors.h"

#include <stdbool.h>
#include <stddef.h>

#define KDO_SQL_MAX_TEXT (100 * 1024) /* KDA: application code at most 100 KB */
#define KDO_SQL_MAX_IDENT 128         /* KDA: identifiers up to 128 characters */
#define KDO_SQL_MAX_STRING 65535      /* a string literal's decoded bytes (VARCHAR's maximum) */
#define KDO_SQL_MAX_NUMBER 64         /* characters of one numeric literal */

enum kdo_sql_tok_kind {
    KDO_SQL_T_END,     /* the end of the text */
    KDO_SQL_T_WORD,    /* an unquoted identifier or keyword, folded to upper case */
    KDO_SQL_T_QIDENT,  /* a "quoted" identifier, case kept, "" unescaped */
    KDO_SQL_T_INT,     /* 42 */
    KDO_SQL_T_DEC,     /* 4.2, .5, 5. */
    KDO_SQL_T_APPROX,  /* 1e2, 1.5E-6 (text upper-cased) */
    KDO_SQL_T_STRING,  /* 'text' or u&'text' [UESCAPE 'c'], decoded to UTF-8 */
    KDO_SQL_T_BINARY,  /* X'3F67', text = the hex digits, upper case */
    KDO_SQL_T_OP,      /* punctuation and operators: ( ) , . ; * + - / % || = <> != < > <= >= { } ? */
};

#define KDO_SQL_KEYWORDS(X)                                                                   \
    X(ALL, 1) X(AND, 1) X(AS, 1) X(ASC, 0) X(BETWEEN, 1) X(BOTH, 0) X(BY, 1) X(CASE, 1)      \
    X(CAST, 1) X(CEIL, 0) X(CEILING, 0) X(CREATE, 1) X(CROSS, 1) X(CURRENT, 0) X(CURSOR, 1)  \
    X(DATE, 0) X(DAY, 0) X(DESC, 0) X(DESCRIPTION, 0) X(DISTINCT, 1) X(ELSE, 1) X(END, 1)    \
    X(ESCAPE, 1) X(EXCEPT, 1) X(EXTRACT, 1) X(FALSE, 1) X(FLOOR, 0) X(FOLLOWING, 0)          \
    X(FOR, 1) X(FROM, 1) X(FULL, 1) X(GROUP, 1) X(HAVING, 1) X(HOUR, 0) X(IN, 1)             \
    X(INNER, 1) X(INSERT, 1) X(INTERSECT, 1) X(INTERVAL, 1) X(INTO, 1) X(IS, 1) X(JOIN, 1)   \
    X(LEADING, 0) X(LEFT, 1) X(LIKE, 1) X(MINUTE, 0) X(MONTH, 0) X(NATURAL, 1) X(NOT, 1)     \
    X(NULL, 1) X(ON, 1) X(OR, 1) X(ORDER, 1) X(OUTER, 1) X(OVER, 1) X(PARTITION, 1)         \
    X(POSITION, 0) X(PRECEDING, 0) X(PUMP, 0) X(RANGE, 0) X(REPLACE, 0) X(RIGHT, 1)          \
    X(ROW, 0) X(ROWS, 0) X(SECOND, 0) X(SELECT, 1) X(SIMILAR, 1) X(STAGGER, 0) X(STEP, 0)    \
    X(STREAM, 0) X(SUBSTRING, 0) X(TABLE, 1) X(THEN, 1) X(TIME, 0) X(TIMESTAMP, 0) X(TO, 1)  \
    X(TRAILING, 0) X(TRIM, 0) X(TRUE, 1) X(UESCAPE, 0) X(UNBOUNDED, 0) X(UNION, 1)          \
    X(UNKNOWN, 1) X(USING, 1) X(VALUES, 1) X(WHEN, 1) X(WHERE, 1) X(WINDOW, 1)              \
    X(WINDOWED, 1) X(YEAR, 0)

enum kdo_sql_kw {
    KDO_SQL_KW_NONE = 0,
#define KDO__SQL_KW_ENUM(name, reserved) KDO_SQL_KW_##name,
    KDO_SQL_KEYWORDS(KDO__SQL_KW_ENUM)
#undef KDO__SQL_KW_ENUM
};

struct kdo_sql_token {
    enum kdo_sql_tok_kind kind;
    enum kdo_sql_kw kw; /* a WORD that is a keyword; KDO_SQL_KW_NONE otherwise */
    const char *text;   /* the decoded value, NUL-terminated, owned by the arena
                           (OP tokens: a static string) */
    size_t len;
    int line, col;      /* 1-based, of the token's first character */
};

struct kdo_sql_lexer {
    const char *file; /* borrowed, for error messages */
    const char *s;
    size_t n, at;
    int line, col;
    struct kdo_arena *arena;
};

/* Starts lexing s[0..n); file and s are borrowed for the lexer's life,
 * decoded token text goes into `arena`. */
void kdo_sql_lex_init(struct kdo_sql_lexer *lx, const char *file, const char *s, size_t n,
                      struct kdo_arena *arena);

/* Reads the next token into *t (KDO_SQL_T_END at the end, again and again).
 * Returns 0; KDO_EPARSE for a stray character, an unterminated quote or
 * comment, a malformed number or escape (e filled with file:line:col and a
 * sentence); KDO_ETOOBIG for a name, string or number past its limit or when
 * the arena is full. */
int kdo_sql_lex_next(struct kdo_sql_lexer *lx, struct kdo_sql_token *t, struct kdo_errinfo *e);

/* The keyword's upper-case spelling ("" for KDO_SQL_KW_NONE). */
const char *kdo_sql_kw_name(enum kdo_sql_kw kw);
/* Whether the keyword is reserved: it may not stand for a name unquoted. */
bool kdo_sql_kw_reserved(enum kdo_sql_kw kw);
/* The keyword spelled by word[0..len) in upper case, or KDO_SQL_KW_NONE. */
enum kdo_sql_kw kdo_sql_kw_lookup(const char *word, size_t len);

/* "'FROM'", "the name \"x\"", "the string 'abc'", "the end of the text":
 * for messages; writes into buf and returns it. */
const char *kdo_sql_tok_describe(const struct kdo_sql_token *t, char *buf, size_t size);

#endif
