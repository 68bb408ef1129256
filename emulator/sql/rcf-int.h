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

#define KDO__RCF_NIL INT32_MIN

struct kdo__rcf_tree {
    int32_t cap, dims;
    int32_t root;
    uint32_t mass; /* points in the tree, duplicates counted */
    /* internal nodes [cap]; box is [cap][2 * dims]: the minima, then the maxima */
    int32_t *left, *right, *iparent, *cut_dim;
    uint32_t *imass;
    double *cut, *box;
    int32_t ifree; /* free list threaded through left[] */
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

/* AWS's anomaly score of p (not inserted), normalised by log2(1 + mass);
 * path is scratch of cap entries.  0 for an empty tree. */
double kdo__rcf_tree_score(const struct kdo__rcf_tree *t, const double *p, int32_t *path);
/* The same score split per dimension into high[] and low[] (dims each,
 * overwritten); they sum to the score. */
void kdo__rcf_tree_attribution(const struct kdo__rcf_tree *t, const double *p, int32_t *path,
                               double *high, double *low);

#endif
