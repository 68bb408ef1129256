/*
 * ydoc.h -- a YAML document loaded into a small tree, with marks and limits.
 *
 * libyaml (0.2.5 in Debian 12) parses; this module builds the tree from its
 * event stream and adds what libyaml lacks: a byte limit on the input, a
 * nesting limit checked as events arrive (so a 100,000-deep input is refused
 * after `max_depth` events, in microseconds), a cap on nodes, on aliases and on
 * the nodes reachable through aliases (billion-laughs), refusal of aliases to
 * an anchor that is still open (self-reference), of duplicate keys in a
 * mapping (compared as scalars) and of non-scalar keys, and of more than one
 * document.  Every node carries the 1-based line and column where it starts,
 * so callers can report file:line:column.  Scalars are kept as text; typing
 * ("60s", "true", numbers) is the caller's business, but the node records
 * whether the scalar was plain (unquoted), so a caller can tell `null` from
 * `"null"`.
 */
#ifndef KDO_YDOC_H
#define KDO_YDOC_H

#include "base/errors.h"

#include <stddef.h>

enum kdo_ynode_type {
    KDO_YNODE_SCALAR,
    KDO_YNODE_MAP,
    KDO_YNODE_SEQ,
};

struct kdo_ynode;

struct kdo_ypair {
    const struct kdo_ynode *key; /* always a scalar */
    const struct kdo_ynode *value;
};

struct kdo_ynode {
    enum kdo_ynode_type type;
    int line;   /* 1-based */
    int column; /* 1-based */
    int plain;  /* scalar written without quotes or block style */
    /* SCALAR: where text[0] stands in the file, when the text stands there
     * as written -- a value on one line without escapes, or a literal block
     * (`|`), whose every line is at text_column -- so a position inside the
     * text (a SQL error) maps to the file; 0 when it does not. */
    int text_line, text_column;
    /* SCALAR: NUL-terminated text of `len` bytes (may contain NULs from
     * escapes; len is authoritative). */
    const char *text;
    size_t len;
    /* MAP: n pairs in document order; SEQ: n items. */
    const struct kdo_ypair *pairs;
    const struct kdo_ynode *const *items;
    size_t n;
};

struct kdo_ylimits {
    size_t max_bytes;   /* input size, default 1 MiB */
    size_t max_depth;   /* nesting of maps/sequences, default 64 */
    size_t max_nodes;   /* nodes built, default 200,000 */
    size_t max_aliases; /* alias uses, default 1,000 */
    size_t max_alias_nodes; /* nodes reachable through all alias uses, default 200,000 */
};

/* The defaults above. */
void kdo_ylimits_default(struct kdo_ylimits *lim);

struct kdo_ydoc {
    const char *file;              /* name used in errors (owned copy) */
    const struct kdo_ynode *root;  /* NULL for an empty document */
    void *arena;                   /* private */
};

/* Loads the file at `path` (errors name it as given).  lim may be NULL for
 * the defaults.  On success returns 0 and a new document in *out (free with
 * kdo_ydoc_free).  On failure returns KDO_ENOENT, KDO_EIO, KDO_ETOOBIG,
 * KDO_EDEPTH or KDO_EPARSE and fills *err with file:line:column and a
 * sentence naming what was found and what was expected. */
int kdo_ydoc_load_file(const char *path, const struct kdo_ylimits *lim, struct kdo_ydoc **out,
                       struct kdo_errinfo *err);

/* The same from memory; `name` is used in errors. */
int kdo_ydoc_load_string(const char *name, const char *text, size_t len,
                         const struct kdo_ylimits *lim, struct kdo_ydoc **out,
                         struct kdo_errinfo *err);

void kdo_ydoc_free(struct kdo_ydoc *doc);

/* The value for `key` in a MAP node, or NULL (also when node is not a map). */
const struct kdo_ynode *kdo_ynode_get(const struct kdo_ynode *map, const char *key);

/* "mapping", "sequence", "scalar": for messages. */
const char *kdo_ynode_type_name(enum kdo_ynode_type t);

#endif
