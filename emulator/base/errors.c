/*
 * errors.c -- kdo_strerror(), error details and the aborting allocators.
 */
#include "base/errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kdo_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define KDO__ERR_CASE(name, text)                                                                  \
    case KDO__ERR_VALUE(name):                                                                     \
        return text;
        KDO_ERRNO_MAP(KDO__ERR_CASE)
#undef KDO__ERR_CASE
    default:
        return "unknown error";
    }
}

int kdo_errinfo_set(struct kdo_errinfo *e, int err, const char *file, int line, int column,
                    const char *fmt, ...)
{
    if (e == NULL)
        return err;
    e->file = file;
    e->line = line;
    e->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return err;
}

void kdo_errinfo_format(const struct kdo_errinfo *e, char *buf, size_t size)
{
    const char *file = e->file ? e->file : "<input>";
    if (e->line > 0)
        snprintf(buf, size, "%s:%d:%d: %s", file, e->line, e->column, e->msg);
    else
        snprintf(buf, size, "%s: %s", file, e->msg);
}

static void oom(size_t n)
{
    fprintf(stderr, "kdaout: out of memory allocating %zu bytes\n", n);
    abort();
}

void *kdo_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

void *kdo_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom(n * size);
    return p;
}

void *kdo_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

char *kdo_xstrdup(const char *s)
{
    return kdo_xstrndup(s, strlen(s));
}

char *kdo_xstrndup(const char *s, size_t n)
{
    char *p = kdo_xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
