/*
 * parse.h -- the recursive-descent parser of KDA application SQL.
 *
 * kdo_sql_parse() reads a whole application (CREATE [OR REPLACE] STREAM,
 * CREATE [OR REPLACE] PUMP ... AS INSERT INTO ... SELECT, and bare queries,
 * separated by semicolons) into a syntax tree (ast.h); kdo_sql_parse_expr()
 * reads one expression (the scenario's `select:`/`where:` strings).  It
 * stops at the first error and says where (file:line:col) and what was
 * expected and found.  Nesting is bounded by KDO_SQL_MAX_DEPTH, the text by
 * KDO_SQL_MAX_TEXT and the tree by the arena's maximum.  Statements KDA has
 * but kdaout does not run (CREATE FUNCTION, CREATE TABLE, DROP, a bare
 * INSERT, ...) are refused by name, as are constructs the grammar knows but
 * kdaout does not (NATURAL JOIN, USING, UNION without ALL, JDBC escapes,
 * subqueries in expressions).  Names are not resolved here: that is the
 * binder's job.
 */
#ifndef KDO_SQL_PARSE_H
#define KDO_SQL_PARSE_H

#include "base/arena.h"
#include "base/errors.h"
#include "sql/ast.h"
#include "sql/lex.h" /* KDO_SQL_MAX_TEXT */

#include <stddef.h>

/* The syntax tree's height: parentheses, calls, subqueries, NOT and sign
 * chains, and each operator of a chain (a + b + c is two levels) or join. */
#define KDO_SQL_MAX_DEPTH 128
/* Known limit: kdo_ast_print() parenthesises every operator, so a tree
 * within the limit whose text used few parentheses (+ + + ... x) can print
 * deeper than the limit, and that print is refused with KDO_EDEPTH. */

/* Parses text[0..len) (the SQL file `name`, borrowed for messages and by
 * the program) into *program, whose nodes live in `arena` (the caller frees
 * them with the arena).  Returns 0; KDO_EPARSE with e filled (file, line,
 * column, "expected ... found ...") at the first error; KDO_EDEPTH past
 * KDO_SQL_MAX_DEPTH; KDO_ETOOBIG for text past KDO_SQL_MAX_TEXT, an
 * over-long token or a full arena.  On error *program is NULL. */
int kdo_sql_parse(const char *name, const char *text, size_t len, struct kdo_arena *arena,
                  struct kdo_ast_program **program, struct kdo_errinfo *e);

/* Parses text[0..len) as one expression into *out; as kdo_sql_parse. */
int kdo_sql_parse_expr(const char *name, const char *text, size_t len, struct kdo_arena *arena,
                       struct kdo_ast_expr **out, struct kdo_errinfo *e);

#endif
