/*
 * fuzz_sql.c -- fuzz target: any text parsed as a KDA SQL application and,
 * separately, as one expression (emulator/sql/parse.c).
 *
 * Asserted, beyond not crashing: a refusal is one of the documented codes
 * (KDO_EPARSE, KDO_EDEPTH, KDO_ETOOBIG) with a message and a 1-based
 * line:column and no tree; an accepted text prints canonically, the print
 * parses again, and the second print equals the first.  Any violation
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

/* Prints, re-parses the print and checks it prints the same. */
static void check_program(const struct kdo_ast_program *prog)
{
    struct kdo_buf a, b;
    struct kdo_arena arena;
    struct kdo_ast_program *again;
    struct kdo_errinfo e = {0};
    kdo_buf_init(&a, PRINT_MAX);
    kdo_buf_init(&b, PRINT_MAX);
    kdo_arena_init(&arena, 1 << 24);
    if (kdo_ast_print(prog, &a) != 0)
        abort();
    if (a.len <= KDO_SQL_MAX_TEXT) {
        if (kdo_sql_parse("printed", a.data ? a.data : "", a.len, &arena, &again, &e) != 0 ||
            kdo_ast_print(again, &b) != 0 || a.len != b.len ||
            (a.len && memcmp(a.data, b.data, a.len) != 0))
            abort();
    }
    kdo_arena_cleanup(&arena);
    kdo_buf_cleanup(&a);
    kdo_buf_cleanup(&b);
}

static void check_expr(const struct kdo_ast_expr *x)
{
    struct kdo_buf a, b;
    struct kdo_arena arena;
    struct kdo_ast_expr *again;
    struct kdo_errinfo e = {0};
    kdo_buf_init(&a, PRINT_MAX);
    kdo_buf_init(&b, PRINT_MAX);
    kdo_arena_init(&arena, 1 << 24);
    if (kdo_ast_print_expr(x, &a) != 0)
        abort();
    if (a.len <= KDO_SQL_MAX_TEXT) {
        if (kdo_sql_parse_expr("printed", a.data, a.len, &arena, &again, &e) != 0 ||
            kdo_ast_print_expr(again, &b) != 0 || a.len != b.len ||
            memcmp(a.data, b.data, a.len) != 0)
            abort();
    }
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
        check_program(prog);
    kdo_arena_reset(&arena);
    e = (struct kdo_errinfo){0};
    err = kdo_sql_parse_expr("fuzz", (const char *)data, size, &arena, &x, &e);
    if (err)
        check_refusal(err, &e, x);
    else
        check_expr(x);
    kdo_arena_cleanup(&arena);
    return 0;
}
