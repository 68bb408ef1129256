/*
 * rcf-tree.c -- one random cut tree: insert, delete, score, attribution.
 *
 * Insertion is the top-down one of Guha et al. (2016): at each node a cut
 * is drawn on the node's box grown to hold the new point (dimension chosen
 * in proportion to its range, value uniform within it); if that cut
 * separates the point from the box, a new internal node takes the node's
 * place with the point's new leaf on one side, else the point goes down the
 * node's own cut.  The result is distributed as a tree built on the sample
 * with the point, which is what makes the streaming sample a forest of
 * random cut trees at every step.  Scoring walks the point's path down, then
 * back up mixing, at each node, the probability that a random cut would
 * separate the point from the node's box -- AWS's anomaly score visitor
 * (random-cut-forest-by-aws, AnomalyScoreVisitor / AnomalyAttributionVisitor):
 * scoreSeen 1/(depth + log2(1 + leafMass)) damped by 1 - leafMass/(2 mass),
 * scoreUnseen 1/(depth + 1), normalised by log2(1 + mass).  The walk up
 * stops at the first box holding the point: every box above holds it too.
 */
#include "sql/rcf-int.h"

#include "base/errors.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define IS_LEAF(id) ((id) < 0)

/* max(x, 0) without a branch (fabs is a bit mask): the sign of a distance
 * to a box is a coin flip to the branch predictor, and compilers keep a
 * branch for x > 0 ? x : 0.  Halves first, so no sum can overflow. */
static inline double positive(double x)
{
    return 0.5 * x + 0.5 * fabs(x);
}

/* fmax/fmin without their NaN rules (every coordinate is finite), so they inline. */
static inline double max2(double a, double b)
{
    return a > b ? a : b;
}

static inline double min2(double a, double b)
{
    return a < b ? a : b;
}

#define LEAF_INDEX(id) (~(id))

#define CACHE_LINE 64

/* A node and its box, rounded up to whole cache lines. */
static size_t node_slot(int32_t dims)
{
    size_t bytes = sizeof(struct kdo__rcf_node) + 2 * (size_t)dims * sizeof(double);
    return (bytes + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
}

static inline struct kdo__rcf_node *node_at(const struct kdo__rcf_tree *t, int32_t n)
{
    return (struct kdo__rcf_node *)(t->nodes + (size_t)n * t->slot);
}

size_t kdo__rcf_tree_bytes(int32_t cap, int32_t dims)
{
    size_t c = (size_t)cap, d = (size_t)dims;
    return CACHE_LINE + c * (node_slot(dims) + sizeof(uint32_t))
           + c * (sizeof(int32_t) + sizeof(uint32_t) + d * sizeof(double));
}

void kdo__rcf_tree_init(struct kdo__rcf_tree *t, int32_t cap, int32_t dims)
{
    size_t c = (size_t)cap, d = (size_t)dims;
    memset(t, 0, sizeof *t);
    t->cap = cap;
    t->dims = dims;
    t->root = KDO__RCF_NIL;
    t->slot = node_slot(dims);
    t->nodes_mem = kdo_xcalloc(c * t->slot + CACHE_LINE, 1);
    t->nodes = t->nodes_mem + (CACHE_LINE - (uintptr_t)t->nodes_mem % CACHE_LINE);
    t->imass = kdo_xcalloc(c, sizeof *t->imass);
    t->lparent = kdo_xcalloc(c, sizeof *t->lparent);
    t->lmass = kdo_xcalloc(c, sizeof *t->lmass);
    t->point = kdo_xcalloc(c * d, sizeof *t->point);
    for (int32_t i = 0; i < cap; i++) {
        node_at(t, i)->child[0] = i + 1 < cap ? i + 1 : KDO__RCF_NIL;
        t->lparent[i] = i + 1 < cap ? i + 1 : KDO__RCF_NIL;
    }
    t->ifree = 0;
    t->lfree = 0;
}

void kdo__rcf_tree_cleanup(struct kdo__rcf_tree *t)
{
    free(t->nodes_mem);
    free(t->imass);
    free(t->lparent);
    free(t->lmass);
    free(t->point);
    memset(t, 0, sizeof *t);
}

/* ---- node helpers ---------------------------------------------------------------------- */

static double *box_min(const struct kdo__rcf_tree *t, int32_t n)
{
    return (double *)(t->nodes + (size_t)n * t->slot + sizeof(struct kdo__rcf_node));
}

static double *box_max(const struct kdo__rcf_tree *t, int32_t n)
{
    return box_min(t, n) + t->dims;
}

static double *leaf_point(const struct kdo__rcf_tree *t, int32_t leaf)
{
    return t->point + (size_t)LEAF_INDEX(leaf) * (size_t)t->dims;
}

/* A node's box as two pointers; a leaf's box is its point. */
static void node_box(const struct kdo__rcf_tree *t, int32_t id, const double **lo, const double **hi)
{
    if (IS_LEAF(id)) {
        *lo = *hi = leaf_point(t, id);
    } else {
        *lo = box_min(t, id);
        *hi = box_max(t, id);
    }
}

static uint32_t node_mass(const struct kdo__rcf_tree *t, int32_t id)
{
    return IS_LEAF(id) ? t->lmass[LEAF_INDEX(id)] : t->imass[id];
}

static int32_t node_parent(const struct kdo__rcf_tree *t, int32_t id)
{
    return IS_LEAF(id) ? t->lparent[LEAF_INDEX(id)] : node_at(t, id)->parent;
}

static void set_parent(struct kdo__rcf_tree *t, int32_t id, int32_t parent)
{
    if (IS_LEAF(id))
        t->lparent[LEAF_INDEX(id)] = parent;
    else
        node_at(t, id)->parent = parent;
}

/* Puts `with` where `old` hangs (a child of parent, or the root). */
static void replace_child(struct kdo__rcf_tree *t, int32_t parent, int32_t old, int32_t with)
{
    if (parent == KDO__RCF_NIL)
        t->root = with;
    else if (node_at(t, parent)->child[0] == old)
        node_at(t, parent)->child[0] = with;
    else
        node_at(t, parent)->child[1] = with;
    set_parent(t, with, parent);
}

static int32_t new_leaf(struct kdo__rcf_tree *t, const double *p)
{
    int32_t i = t->lfree;
    t->lfree = t->lparent[i];
    memcpy(t->point + (size_t)i * (size_t)t->dims, p, (size_t)t->dims * sizeof *p);
    t->lmass[i] = 1;
    return ~i;
}

static int32_t new_internal(struct kdo__rcf_tree *t)
{
    int32_t n = t->ifree;
    t->ifree = node_at(t, n)->child[0];
    return n;
}

static int points_equal(const double *a, const double *b, int32_t dims)
{
    for (int32_t d = 0; d < dims; d++)
        if (a[d] != b[d])
            return 0;
    return 1;
}

/* ---- insert ---------------------------------------------------------------------------- */

struct cut {
    int32_t dim;
    double value;
};

/* A random cut of the box [lo, hi] grown to hold p; 0 when that box is a
 * single point (no cut exists). */
static int random_cut(const double *lo, const double *hi, const double *p, int32_t dims,
                      struct kdo_rng *r, struct cut *c)
{
    double total = 0;
    for (int32_t d = 0; d < dims; d++)
        total += max2(hi[d], p[d]) - min2(lo[d], p[d]);
    if (!(total > 0))
        return 0;
    double u = kdo_rng_unit(r) * total;
    int32_t last = -1;
    for (int32_t d = 0; d < dims; d++) {
        double a = min2(lo[d], p[d]), b = max2(hi[d], p[d]);
        double range = b - a;
        if (range <= 0)
            continue;
        last = d;
        if (u < range || d == dims - 1) {
            c->dim = d;
            c->value = a + min2(u, range);
            /* The cut must leave points on both sides: value in [a, b). */
            if (c->value >= b)
                c->value = nextafter(b, a);
            return 1;
        }
        u -= range;
    }
    /* Rounding walked past every dimension with a range: cut the last one. */
    double a = min2(lo[last], p[last]), b = max2(hi[last], p[last]);
    c->dim = last;
    c->value = nextafter(b, a);
    return 1;
}

static int cut_separates(const struct cut *c, const double *lo, const double *hi, const double *p)
{
    double v = c->value, x = p[c->dim];
    return (x <= v && lo[c->dim] > v) || (x > v && hi[c->dim] <= v);
}

/* Splits at `node`: a new internal node with cut c takes its place, the new
 * leaf on p's side, node on the other. */
static int32_t split_at(struct kdo__rcf_tree *t, int32_t node, const struct cut *c,
                        const double *p)
{
    int32_t parent = node_parent(t, node);
    int32_t leaf = new_leaf(t, p);
    int32_t n = new_internal(t);
    const double *lo, *hi;
    node_box(t, node, &lo, &hi);
    double *nlo = box_min(t, n), *nhi = box_max(t, n);
    double range = 0;
    for (int32_t d = 0; d < t->dims; d++) {
        nlo[d] = min2(lo[d], p[d]);
        nhi[d] = max2(hi[d], p[d]);
        range += nhi[d] - nlo[d];
    }
    node_at(t, n)->range = range;
    node_at(t, n)->dim = c->dim;
    node_at(t, n)->cut = c->value;
    t->imass[n] = node_mass(t, node) + 1;
    replace_child(t, parent, node, n);
    int leaf_left = p[c->dim] <= c->value;
    node_at(t, n)->child[0] = leaf_left ? leaf : node;
    node_at(t, n)->child[1] = leaf_left ? node : leaf;
    set_parent(t, leaf, n);
    set_parent(t, node, n);
    return leaf;
}

static void grow_box(struct kdo__rcf_tree *t, int32_t n, const double *p)
{
    double *lo = box_min(t, n), *hi = box_max(t, n), range = 0;
    for (int32_t d = 0; d < t->dims; d++) {
        lo[d] = min2(lo[d], p[d]);
        hi[d] = max2(hi[d], p[d]);
        range += hi[d] - lo[d];
    }
    node_at(t, n)->range = range;
}

int32_t kdo__rcf_tree_insert(struct kdo__rcf_tree *t, const double *p, struct kdo_rng *r)
{
    t->mass++;
    t->norm = log2(1.0 + (double)t->mass);
    if (t->root == KDO__RCF_NIL) {
        t->root = new_leaf(t, p);
        t->lparent[LEAF_INDEX(t->root)] = KDO__RCF_NIL;
        return t->root;
    }
    int32_t node = t->root;
    for (;;) {
        const double *lo, *hi;
        struct cut c;
        node_box(t, node, &lo, &hi);
        if (IS_LEAF(node) && points_equal(lo, p, t->dims)) {
            t->lmass[LEAF_INDEX(node)]++;
            return node;
        }
        if (random_cut(lo, hi, p, t->dims, r, &c) && cut_separates(&c, lo, hi, p))
            return split_at(t, node, &c, p);
        /* A leaf's box is its point: any cut of the grown box separates. */
        grow_box(t, node, p);
        t->imass[node]++;
        node = node_at(t, node)->child[p[node_at(t, node)->dim] > node_at(t, node)->cut];
    }
}

/* ---- delete ---------------------------------------------------------------------------- */

/* Recomputes n's box from its children; 1 when it changed. */
static int refit_box(struct kdo__rcf_tree *t, int32_t n)
{
    const double *alo, *ahi, *blo, *bhi;
    node_box(t, node_at(t, n)->child[0], &alo, &ahi);
    node_box(t, node_at(t, n)->child[1], &blo, &bhi);
    double *lo = box_min(t, n), *hi = box_max(t, n);
    int changed = 0;
    double range = 0;
    for (int32_t d = 0; d < t->dims; d++) {
        double l = min2(alo[d], blo[d]), h = max2(ahi[d], bhi[d]);
        changed |= l != lo[d] || h != hi[d];
        lo[d] = l;
        hi[d] = h;
        range += h - l;
    }
    node_at(t, n)->range = range;
    return changed;
}

void kdo__rcf_tree_delete(struct kdo__rcf_tree *t, int32_t leaf)
{
    int32_t li = LEAF_INDEX(leaf);
    int32_t parent = t->lparent[li];
    t->mass--;
    t->norm = log2(1.0 + (double)t->mass);
    for (int32_t n = parent; n != KDO__RCF_NIL; n = node_at(t, n)->parent)
        t->imass[n]--;
    if (--t->lmass[li] > 0)
        return;
    t->lparent[li] = t->lfree;
    t->lfree = li;
    if (parent == KDO__RCF_NIL) {
        t->root = KDO__RCF_NIL;
        return;
    }
    const int16_t *kids = node_at(t, parent)->child;
    int32_t sibling = kids[0] == leaf ? kids[1] : kids[0];
    int32_t grand = node_at(t, parent)->parent;
    replace_child(t, grand, parent, sibling);
    node_at(t, parent)->child[0] = t->ifree;
    t->ifree = parent;
    /* Boxes above shrink at most up to the first that does not change. */
    for (int32_t n = grand; n != KDO__RCF_NIL && refit_box(t, n); n = node_at(t, n)->parent)
        ;
}

/* ---- score ----------------------------------------------------------------------------- */

/* The walk back up reads the leaf's point and the boxes of the deepest
 * nodes (it mostly stops within a few).  The descent brought in each node's
 * first cache line; ask for the rest of the deepest slots and for the leaf
 * for the whole group before any tree's walk starts, so their latencies
 * overlap too. */
#define PREFETCH_LEVELS 6

static void prefetch_walk_up(const struct kdo__rcf_tree *t, const int32_t *path, int32_t k,
                             int32_t leaf)
{
    if (leaf == KDO__RCF_NIL)
        return;
    __builtin_prefetch(leaf_point(t, leaf));
    if (t->slot <= CACHE_LINE)
        return;
    for (int32_t j = k - 1; j >= 0 && j >= k - PREFETCH_LEVELS; j--)
        for (size_t off = CACHE_LINE; off < t->slot; off += CACHE_LINE)
            __builtin_prefetch((const unsigned char *)node_at(t, path[j]) + off);
}

void kdo__rcf_descend(const struct kdo__rcf_tree *t, int n, const double *p, int32_t cap,
                      int32_t *path, int32_t *depth, int32_t *leaf)
{
    int active = 0;
    for (int i = 0; i < n; i++) {
        leaf[i] = t[i].root;
        depth[i] = 0;
        active += !IS_LEAF(leaf[i]);
    }
    /* One step of every tree per round: the loads of one round are
     * independent, where one tree's walk is a chain of dependent loads. */
    while (active > 0) {
        active = 0;
        for (int i = 0; i < n; i++) {
            int32_t id = leaf[i];
            if (IS_LEAF(id))
                continue;
            const struct kdo__rcf_node *nd = node_at(&t[i], id);
            path[(size_t)i * (size_t)cap + (size_t)depth[i]++] = id;
            /* Branch-free: the side is a coin flip a predictor cannot learn. */
            leaf[i] = nd->child[p[nd->dim] > nd->cut];
            active += !IS_LEAF(leaf[i]);
        }
    }
    for (int i = 0; i < n; i++)
        prefetch_walk_up(&t[i], path + (size_t)i * (size_t)cap, depth[i], leaf[i]);
}

static double score_seen(int32_t depth, uint32_t leaf_mass, uint32_t mass)
{
    double damp = 1.0 - (double)leaf_mass / (2.0 * (double)mass);
    return damp / ((double)depth + log2(1.0 + (double)leaf_mass));
}

static double score_unseen(int32_t depth)
{
    return 1.0 / ((double)depth + 1.0);
}

/* The probability that a random cut of box n grown to hold p separates p. */
static inline double separation(const struct kdo__rcf_tree *t, int32_t n, const double *p)
{
    const double *lo = box_min(t, n), *hi = box_max(t, n);
    double outside = 0;
    for (int32_t d = 0; d < t->dims; d++)
        outside += positive(lo[d] - p[d]) + positive(p[d] - hi[d]);
    return outside > 0 ? outside / (node_at(t, n)->range + outside) : 0;
}

double kdo__rcf_tree_score(const struct kdo__rcf_tree *t, const double *p, const int32_t *path,
                           int32_t k, int32_t leaf)
{
    if (leaf == KDO__RCF_NIL)
        return 0;
    double score;
    if (points_equal(leaf_point(t, leaf), p, t->dims))
        score = score_seen(k, t->lmass[LEAF_INDEX(leaf)], t->mass);
    else
        score = score_unseen(k);
    for (int32_t i = k - 1; i >= 0; i--) {
        double prob = separation(t, path[i], p);
        if (prob == 0)
            break;
        score = prob * score_unseen(i) + (1 - prob) * score;
    }
    return score * t->norm;
}

/* ---- attribution ----------------------------------------------------------------------- */

static void leaf_attribution(const struct kdo__rcf_tree *t, int32_t leaf, int32_t k,
                             const double *p, double *high, double *low)
{
    const double *q = leaf_point(t, leaf);
    int32_t dims = t->dims;
    if (points_equal(q, p, dims)) {
        double s = score_seen(k, t->lmass[LEAF_INDEX(leaf)], t->mass) / (2.0 * dims);
        for (int32_t d = 0; d < dims; d++)
            high[d] = low[d] = s;
        return;
    }
    double sum = 0;
    for (int32_t d = 0; d < dims; d++)
        sum += fabs(p[d] - q[d]);
    double s = score_unseen(k) / sum;
    for (int32_t d = 0; d < dims; d++) {
        high[d] = s * positive(p[d] - q[d]);
        low[d] = s * positive(q[d] - p[d]);
    }
}

/* Mixes node n (at depth) into high/low; 0 when n's box holds p. */
static int node_attribution(const struct kdo__rcf_tree *t, int32_t n, int32_t depth,
                            const double *p, double *high, double *low)
{
    const double *lo = box_min(t, n), *hi = box_max(t, n);
    double outside = 0;
    for (int32_t d = 0; d < t->dims; d++)
        outside += positive(lo[d] - p[d]) + positive(p[d] - hi[d]);
    if (!(outside > 0))
        return 0;
    double total = node_at(t, n)->range + outside, keep = 1 - outside / total;
    double s = score_unseen(depth) / total;
    for (int32_t d = 0; d < t->dims; d++) {
        high[d] = s * positive(p[d] - hi[d]) + keep * high[d];
        low[d] = s * positive(lo[d] - p[d]) + keep * low[d];
    }
    return 1;
}

void kdo__rcf_tree_attribution(const struct kdo__rcf_tree *t, const double *p,
                               const int32_t *path, int32_t k, int32_t leaf, double *high,
                               double *low)
{
    int32_t dims = t->dims;
    if (leaf == KDO__RCF_NIL) {
        memset(high, 0, (size_t)dims * sizeof *high);
        memset(low, 0, (size_t)dims * sizeof *low);
        return;
    }
    leaf_attribution(t, leaf, k, p, high, low);
    for (int32_t i = k - 1; i >= 0; i--)
        if (!node_attribution(t, path[i], i, p, high, low))
            break;
    double norm = t->norm;
    for (int32_t d = 0; d < dims; d++) {
        high[d] *= norm;
        low[d] *= norm;
    }
}
