/*
 * kassert.c -- where a violated invariant stops the program (kassert.h).
 */
#include "base/kassert.h"

#include <stdio.h>
#include <stdlib.h>

void kdo__assert_fail(const char *expr, const char *file, int line, const char *func)
{
    fprintf(stderr, "%s:%d: %s: invariant violated: %s\n", file, line, func, expr);
    fflush(stderr);
    abort();
}
