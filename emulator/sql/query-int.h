/*
 * query-int.h -- what the parts of the query module (query-*.c) share: the
 * translation of a SELECT's syntax tree into the query's configuration.
 */
#ifndef KDO_QUERY_INT_H
#define KDO_QUERY_INT_H

#include "base/arena.h"
#include "sql/query.h"

/* The text a configuration made from a tree points into (owned by the query). */
struct kdo__query_texts {
    struct kdo_arena arena;
    const char **select, **partition;
};

void kdo__query_texts_init(struct kdo__query_texts *t);
void kdo__query_texts_cleanup(struct kdo__query_texts *t);

/* c->select_ast into *out (a copy of *c whose where/select/partition_by/window fields are
 * filled from the tree, pointing into t).  Returns 0, or KDO_EPARSE/KDO_EINVAL with *err
 * at the tree's position for what a query does not do. */
int kdo__query_from_ast(const struct kdo_query_config *c, struct kdo_query_config *out,
                        struct kdo__query_texts *t, struct kdo_errinfo *err);

#endif
