/*
 * errors.h -- the one error convention of kdaout.
 *
 * Functions that can fail return int: 0, or a negative KDO_E* code from the
 * table below (which also generates kdo_strerror()).  Detail meant for a
 * human -- file, line, column and a sentence -- goes into a caller-provided
 * struct kdo_errinfo.  Out of memory is not an error code: kdaout is a local
 * tool, so allocation failure aborts (see kdo_xmalloc()).
 */
#ifndef KDO_ERRORS_H
#define KDO_ERRORS_H

#include <stddef.h>

#define KDO_ERRNO_MAP(X)                                                    \
    X(INVAL, "invalid argument")                                            \
    X(TOOBIG, "size limit exceeded")                                        \
    X(ROWSIZE, "row larger than KDA's 512 KB in-application row limit")     \
    X(FULL, "buffer full")                                                  \
    X(PARSE, "malformed input")                                             \
    X(DEPTH, "nesting too deep")                                            \
    X(IO, "input/output error")                                             \
    X(NOENT, "no such file or directory")                                   \
    X(SCHEMA, "input does not match the scenario format")                   \
    X(STATE, "operation not valid in the current state")

enum {
    KDO_OK = 0,
#define KDO__ERR_ENUM(name, text) KDO__E_##name,
    KDO__ERR_BASE = 0,
    KDO_ERRNO_MAP(KDO__ERR_ENUM)
#undef KDO__ERR_ENUM
};

#define KDO__ERR_VALUE(name) (-(int)KDO__E_##name)
#define KDO_EINVAL KDO__ERR_VALUE(INVAL)
#define KDO_ETOOBIG KDO__ERR_VALUE(TOOBIG)
#define KDO_EROWSIZE KDO__ERR_VALUE(ROWSIZE)
#define KDO_EFULL KDO__ERR_VALUE(FULL)
#define KDO_EPARSE KDO__ERR_VALUE(PARSE)
#define KDO_EDEPTH KDO__ERR_VALUE(DEPTH)
#define KDO_EIO KDO__ERR_VALUE(IO)
#define KDO_ENOENT KDO__ERR_VALUE(NOENT)
#define KDO_ESCHEMA KDO__ERR_VALUE(SCHEMA)
#define KDO_ESTATE KDO__ERR_VALUE(STATE)

/* Returns a static string for a KDO_E* code (or "success" for 0). */
const char *kdo_strerror(int err);

/* Where and why an input was refused.  line and column are 1-based; 0 when
 * unknown.  file is borrowed: it must outlive the struct's use. */
struct kdo_errinfo {
    const char *file;
    int line;
    int column;
    char msg[512];
};

/* Fills `e` (if not NULL) and returns `err`, so callers can write
 * `return kdo_errinfo_set(e, KDO_EPARSE, file, l, c, "...")`. */
int kdo_errinfo_set(struct kdo_errinfo *e, int err, const char *file, int line, int column,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* "file:line:column: msg" into buf (always NUL-terminated). */
void kdo_errinfo_format(const struct kdo_errinfo *e, char *buf, size_t size);

/* Allocation that aborts with a message on failure: never NULL. */
#define KDO__NONNULL __attribute__((returns_nonnull))
void *kdo_xmalloc(size_t n) KDO__NONNULL;
void *kdo_xcalloc(size_t n, size_t size) KDO__NONNULL;
void *kdo_xrealloc(void *p, size_t n) KDO__NONNULL;
char *kdo_xstrdup(const char *s) KDO__NONNULL;
char *kdo_xstrndup(const char *s, size_t n) KDO__NONNULL;

#endif
