/*
 * rcf-int.h -- one random cut tree of the forest (rcf-tree.c), shared by the
 * forest (rcf.c) only.
 *
 * A tree over at most `cap` points: leaves (distinct points, with a mass for
 * duplicates) and cap - 1 internal nodes, each with its cut (dimension,
 * value: x[dim] <= value goes left), its mass and its bounding box.  Node
 * ids: an internal node is >= 0, leaf l is ~l (negative), KDO__RCF_NIL none.
 * All arrays are allocated once by kdo__rcf_tree_init(); insert and delete
 * reuse freed slots, so the tree never allocates after init.
 */
#ifndef KDO_RCF_INT_H
#define KDO_RCF_INT_H

#include "base/rng.h"

#include <stddef.h>
#include <stdint.h>

#define KDO__RCF_NIL (-32767 - 1)
/* Trees descended together, so their memory loads overlap. */
#define KDO__RCF_GROUP 8

/* An internal node: what the descent of a point reads, then
 * (in the same slot, see kdo__rcf_tree.slot) its box, which the walk back
 * up reads: both in the cache lines the descent has just brought in.  Ids
 * fit 16 bits: at most KDO_RCF_SAMPLE_MAX (1000) nodes and leaves a tree,
 * and KDO_RCF_DIMS_MAX x KDO_RCF_SHINGLE_MAX (3000) dimensions. */
struct kdo__rcf_node {
    double cut;
    double range; /* the box's ranges summed: the walk up's denominator */
    int16_t child[2]; /* [0] left (x[dim] <= cut), [1] right */
    uint16_t dim;
    int16_t parent;
};

struct kdo__rcf_tree {
    int32_t cap, dims;
    int32_t root;
    uint32_t mass; /* points in the tree, duplicates counted */
    double norm; /* log2(1 + mass): the score's normaliser */
    /* internal nodes [cap], `slot` bytes apart (whole cache lines): the node,
     * then its box, the minima then the maxima */
    unsigned char *nodes, *nodes_mem; /* nodes: nodes_mem aligned to a line */
    size_t slot;
    uint32_t *imass;
    int32_t ifree; /* free list threaded through node[].child[0] */
    /* leaves [cap]; point is [cap][dims] */
    int32_t *lparent;
    uint32_t *lmass;
    double *point;
    int32_t lfree; /* free list threaded through lparent[] */
};

/* Bytes kdo__rcf_tree_init() allocates, for the forest's memory check. */
size_t kdo__rcf_tree_bytes(int32_t cap, int32_t dims);
void kdo__rcf_tree_init(struct kdo__rcf_tree *t, int32_t cap, int32_t dims);
void kdo__rcf_tree_cleanup(struct kdo__rcf_tree *t);

/* Inserts p (copied); returns the leaf (~index) holding it, a new leaf or a
 * duplicate's.  The tree must hold fewer than cap distinct points. */
int32_t kdo__rcf_tree_insert(struct kdo__rcf_tree *t, const double *p, struct kdo_rng *r);
/* Removes one point of the leaf id returned by insert. */
void kdo__rcf_tree_delete(struct kdo__rcf_tree *t, int32_t leaf);

/* Follows p's cuts down trees t[0..n-1] (n <= KDO__RCF_GROUP) together:
 * for tree i, path[i * cap .. + depth[i]) gets the internal nodes passed,
 * leaf[i] the leaf reached (KDO__RCF_NIL for an empty tree). */
void kdo__rcf_descend(const struct kdo__rcf_tree *t, int n, const double *p, int32_t cap,
                      int32_t *path, int32_t *depth, int32_t *leaf);
/* AWS's anomaly score of p (not inserted) from its descent, normalised by
 * log2(1 + mass); 0 for an empty tree. */
double kdo__rcf_tree_score(const struct kdo__rcf_tree *t, const double *p, const int32_t *path,
                           int32_t depth, int32_t leaf);
/* The same score split per dimension into high[] and low[] (dims each,
 * overwritten); they sum to the score. */
void kdo__rcf_tree_attribution(const struct kdo__rcf_tree *t, const double *p,
                               const int32_t *path, int32_t depth, int32_t leaf, double *high,
                               double *low);

#endif
