/*
 * suite.h -- the scenario files a command works on.
 *
 * Paths are files or folders (the *.yaml and *.yml files directly in them,
 * sorted, hidden ones skipped); --filter keeps the files whose path
 * contains a text; --shard I/N keeps every N-th file starting at the I-th,
 * so N CI machines given the same paths split a suite without overlap.
 */
#ifndef KDO_SUITE_H
#define KDO_SUITE_H

#include <stddef.h>
#include <stdio.h>

struct kdo_suite {
    char **files;
    size_t n, cap;
};

struct kdo_suite_options {
    const char *filter; /* NULL = all */
    unsigned shard, shards; /* 1-based shard of `shards`; 0/0 = all */
};

/* Collects the files; 0, or KDO_ENOENT after printing each missing path to err. */
int kdo_suite_collect(char **paths, int npaths, const struct kdo_suite_options *o,
                      struct kdo_suite *out, FILE *err);
void kdo_suite_cleanup(struct kdo_suite *s);

#endif
