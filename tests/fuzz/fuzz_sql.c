/*
 * fuzz_sql.c -- fuzz target: any text parsed as a KDA SQL application and,
 * separately, as one expression (emulator/sql/parse.c).
 *
 * Asserted, beyond not crashing: a refusal is one of the documented codes
 * (KDO_EPARSE, KDO_EDEPTH, KDO_ETOOBIG) with a message and a 1-based
 * line:column and no tree; an accepted text prints canonically, the print
 * parses again (or is refused as too deep: the print adds parentheses), and
 * the second print equals the first.  Any violation
 * aborts.
 */
#include "sql/parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PRINT_MAX (1 << 20)

static void check_refusal(int err, const struct kdo_errinfo *e, const void *tree)
{
    if ((err != KDO_EPARSE && err != KDO_EDEPTH && err != KDO_ETOOBIG) || tree != NULL ||
        e->msg[0] == '\0' || e->line < 1 || e->column < 1)
        abort();
}

/* Prints a program (or, with x, an expression). */
static int print(const struct kdo_ast_program *prog, const struct kdo_ast_expr *x,
                 struct kdo_buf *out)
{
    return x ? kdo_ast_print_expr(x, out) : kdo_ast_print(prog, out);
}

/* Prints, re-parses the print the same way and checks it prints the same. */
static void check_round_trip(const struct kdo_ast_program *prog, const struct kdo_ast_expr *x)
{
    struct kdo_buf a, b;
    struct kdo_arena arena;
    struct kdo_ast_program *prog2 = NULL;
    struct kdo_ast_expr *x2 = NULL;
    struct kdo_errinfo e = {0};
    kdo_buf_init(&a, PRINT_MAX);
    kdo_buf_init(&b, PRINT_MAX);
    kdo_arena_init(&arena, 1 << 24);
    if (print(prog, x, &a) != 0)
        abort();
    const char *text = a.data ? a.data : "";
    if (a.len <= KDO_SQL_MAX_TEXT) {
        int err = x ? kdo_sql_parse_expr("printed", text, a.len, &arena, &x2, &e)
                    : kdo_sql_parse("printed", text, a.len, &arena, &prog2, &e);
        /* the print parenthesises every operator, so a tree near the depth
         * limit may print deeper than the limit (parse.h): that refusal only */
        if (err == KDO_EDEPTH)
            goto out;
        if (err != 0 || print(prog2, x2, &b) != 0 || a.len != b.len ||
            (a.len && memcmp(a.data, b.data, a.len) != 0))
            abort();
    }
out:
    kdo_arena_cleanup(&arena);
    kdo_buf_cleanup(&a);
    kdo_buf_cleanup(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kdo_arena arena;
    struct kdo_ast_program *prog;
    struct kdo_ast_expr *x;
    struct kdo_errinfo e = {0};
    kdo_arena_init(&arena, 1 << 24);
    int err = kdo_sql_parse("fuzz.sql", (const char *)data, size, &arena, &prog, &e);
    if (err)
        check_refusal(err, &e, prog);
    else
        check_round_trip(prog, NULL);
    kdo_arena_reset(&arena);
    e = (struct kdo_errinfo){0};
    err = kdo_sql_parse_expr("fuzz", (const char *)data, size, &arena, &x, &e);
    if (err)
        check_refusal(err, &e, x);
    else
        check_round_trip(NULL, x);
    kdo_arena_cleanup(&arena);
    return 0;
}
