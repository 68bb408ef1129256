/*
 * rcf.c -- the forest: KDA's parameters, shingling, each tree's time-decayed
 * sample, the score averaged over trees, and ANOMALY_EXPLANATION's JSON.
 *
 * Each tree samples the stream on its own (AWS's SimpleStreamSampler): point
 * number seq gets the weight -seq/timeDecay + log(-log(u)), u uniform; a
 * tree keeps the sample_size smallest weights in a max-heap, so a newer
 * point is favoured by e^(1/timeDecay) per step over an older one, and a
 * point replaces the heap's largest weight only when its own is smaller.
 * The row is scored before any tree takes it (a point scored after its own
 * insertion finds itself in the sample and looks ordinary).  The one kdo_rng
 * of the forest draws in a fixed order (tree by tree), so a seed replays.
 */
#include "sql/rcf.h"

#include "base/number.h"
#include "base/rng.h"
#include "sql/rcf-int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct sampler {
    double *weight; /* max-heap of the kept weights */
    int32_t *leaf;  /* the tree leaf of each kept point */
    int32_t size;
};

/* Trees descended together (see kdo__rcf_descend). */
struct group {
    int first, n;
    int32_t *path; /* [KDO__RCF_GROUP][sample_size] */
    int32_t depth[KDO__RCF_GROUP], leaf[KDO__RCF_GROUP];
};

struct kdo_rcf {
    struct kdo_rcf_params p;
    int32_t dims;         /* numeric input columns */
    int32_t pdims;        /* dims * shingle_size: the forest's space */
    uint64_t rows;        /* rows taken */
    uint64_t seq;         /* shingled points taken */
    double *ring;         /* the last shingle_size rows, oldest at ring_head */
    int32_t ring_head;
    double *point;        /* [pdims] the current shingled point */
    double *high, *low;   /* [pdims] one tree's attribution */
    double *sum_high, *sum_low; /* [pdims] summed over trees */
    struct group groups[2]; /* one finishing while the other descends */
    struct kdo_rng rng;
    struct kdo__rcf_tree *trees;
    struct sampler *samplers;
};

void kdo_rcf_params_default(struct kdo_rcf_params *p)
{
    *p = (struct kdo_rcf_params){.trees = 100, .sample_size = 256, .shingle_size = 1,
                                 .time_decay = 100000, .directionality = false};
}

static size_t forest_bytes(const struct kdo_rcf_params *p, size_t dims)
{
    size_t pdims = dims * (size_t)p->shingle_size, cap = (size_t)p->sample_size;
    size_t tree = kdo__rcf_tree_bytes((int32_t)cap, (int32_t)pdims)
                  + cap * (sizeof(double) + sizeof(int32_t));
    return (size_t)p->trees * tree + pdims * 6 * sizeof(double)
           + 2 * KDO__RCF_GROUP * cap * sizeof(int32_t);
}

static int check_int(const char *name, int v, int lo, int hi, struct kdo_errinfo *err)
{
    if (v >= lo && v <= hi)
        return 0;
    return kdo_errinfo_set(err, KDO_EINVAL, NULL, 0, 0,
                           "RANDOM_CUT_FOREST: %s is %d; KDA accepts %d to %d", name, v, lo, hi);
}

int kdo_rcf_params_check(const struct kdo_rcf_params *p, size_t dims, struct kdo_errinfo *err)
{
    int rc;
    if ((rc = check_int("numberOfTrees", p->trees, KDO_RCF_TREES_MIN, KDO_RCF_TREES_MAX, err)) ||
        (rc = check_int("subSampleSize", p->sample_size, KDO_RCF_SAMPLE_MIN, KDO_RCF_SAMPLE_MAX,
                        err)) ||
        (rc = check_int("shingleSize", p->shingle_size, KDO_RCF_SHINGLE_MIN,
                        KDO_RCF_SHINGLE_MAX, err)))
        return rc;
    if (!(p->time_decay >= KDO_RCF_DECAY_MIN && p->time_decay <= KDO_RCF_DECAY_MAX) ||
        p->time_decay != floor(p->time_decay))
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 0, 0,
                               "RANDOM_CUT_FOREST: timeDecay is %g; KDA accepts a whole number "
                               "from 1 to 2147483647", p->time_decay);
    if (!((double)p->sample_size < p->time_decay))
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 0, 0,
                               "RANDOM_CUT_FOREST: subSampleSize (%d) must be less than "
                               "timeDecay (%.0f)", p->sample_size, p->time_decay);
    if (dims < 1 || dims > KDO_RCF_DIMS_MAX)
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 0, 0,
                               "RANDOM_CUT_FOREST: the input has %zu numeric columns; 1 to %d "
                               "are supported", dims, KDO_RCF_DIMS_MAX);
    if (forest_bytes(p, dims) > KDO_RCF_MEMORY_MAX)
        return kdo_errinfo_set(err, KDO_EINVAL, NULL, 0, 0,
                               "RANDOM_CUT_FOREST: %d trees of %d points of %zu numbers "
                               "(%zu columns x shingleSize %d) need %zu MiB, over kdaout's "
                               "limit of %zu MiB", p->trees, p->sample_size,
                               dims * (size_t)p->shingle_size, dims, p->shingle_size,
                               forest_bytes(p, dims) >> 20, KDO_RCF_MEMORY_MAX >> 20);
    return 0;
}

uint64_t kdo_rcf_warmup_rows(const struct kdo_rcf_params *p)
{
    return (uint64_t)(p->shingle_size - 1) + (uint64_t)p->sample_size;
}

struct kdo_rcf *kdo_rcf_new(const struct kdo_rcf_params *p, size_t dims, uint64_t seed,
                            struct kdo_errinfo *err)
{
    if (kdo_rcf_params_check(p, dims, err) != 0)
        return NULL;
    struct kdo_rcf *f = kdo_xcalloc(1, sizeof *f);
    size_t pdims = dims * (size_t)p->shingle_size, cap = (size_t)p->sample_size;
    f->p = *p;
    f->dims = (int32_t)dims;
    f->pdims = (int32_t)pdims;
    f->ring = kdo_xcalloc(pdims, sizeof *f->ring);
    f->point = kdo_xcalloc(pdims, sizeof *f->point);
    f->high = kdo_xcalloc(pdims, sizeof *f->high);
    f->low = kdo_xcalloc(pdims, sizeof *f->low);
    f->sum_high = kdo_xcalloc(pdims, sizeof *f->sum_high);
    f->sum_low = kdo_xcalloc(pdims, sizeof *f->sum_low);
    for (int g = 0; g < 2; g++)
        f->groups[g].path = kdo_xcalloc(cap * KDO__RCF_GROUP, sizeof(int32_t));
    kdo_rng_init(&f->rng, seed);
    f->trees = kdo_xcalloc((size_t)p->trees, sizeof *f->trees);
    f->samplers = kdo_xcalloc((size_t)p->trees, sizeof *f->samplers);
    for (int i = 0; i < p->trees; i++) {
        kdo__rcf_tree_init(&f->trees[i], (int32_t)cap, (int32_t)pdims);
        f->samplers[i].weight = kdo_xcalloc(cap, sizeof(double));
        f->samplers[i].leaf = kdo_xcalloc(cap, sizeof(int32_t));
    }
    return f;
}

void kdo_rcf_free(struct kdo_rcf *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->p.trees; i++) {
        kdo__rcf_tree_cleanup(&f->trees[i]);
        free(f->samplers[i].weight);
        free(f->samplers[i].leaf);
    }
    free(f->trees);
    free(f->samplers);
    free(f->ring);
    free(f->point);
    free(f->high);
    free(f->low);
    free(f->sum_high);
    free(f->sum_low);
    free(f->groups[0].path);
    free(f->groups[1].path);
    free(f);
}

uint64_t kdo_rcf_rows(const struct kdo_rcf *f)
{
    return f->rows;
}

/* ---- the sample ------------------------------------------------------------------------ */

static void heap_swap(struct sampler *s, int32_t a, int32_t b)
{
    double w = s->weight[a];
    int32_t l = s->leaf[a];
    s->weight[a] = s->weight[b];
    s->leaf[a] = s->leaf[b];
    s->weight[b] = w;
    s->leaf[b] = l;
}

static void heap_up(struct sampler *s, int32_t i)
{
    while (i > 0 && s->weight[(i - 1) / 2] < s->weight[i]) {
        heap_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(struct sampler *s, int32_t i)
{
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, big = i;
        if (l < s->size && s->weight[l] > s->weight[big])
            big = l;
        if (r < s->size && s->weight[r] > s->weight[big])
            big = r;
        if (big == i)
            return;
        heap_swap(s, i, big);
        i = big;
    }
}

/* Offers the current point to tree i: kept when the sample has room or its
 * weight beats the largest kept one (which then leaves the tree). */
static void offer(struct kdo_rcf *f, int i)
{
    struct sampler *s = &f->samplers[i];
    struct kdo__rcf_tree *t = &f->trees[i];
    double u = kdo_rng_unit(&f->rng);
    if (u <= 0)
        u = 0x1p-60; /* log(-log(0)) would be +inf: a point that is never kept */
    double w = -(double)f->seq / f->p.time_decay + log(-log(u));
    if (s->size < t->cap) {
        s->weight[s->size] = w;
        s->leaf[s->size] = kdo__rcf_tree_insert(t, f->point, &f->rng);
        heap_up(s, s->size++);
        return;
    }
    if (!(w < s->weight[0]))
        return;
    kdo__rcf_tree_delete(t, s->leaf[0]);
    s->weight[0] = w;
    s->leaf[0] = kdo__rcf_tree_insert(t, f->point, &f->rng);
    heap_down(s, 0);
}

/* ---- update ---------------------------------------------------------------------------- */

/* The shingled point, oldest row first. */
static void make_point(struct kdo_rcf *f)
{
    int32_t sh = f->p.shingle_size;
    for (int32_t k = 0; k < sh; k++) {
        int32_t slot = (f->ring_head + k) % sh;
        memcpy(f->point + (size_t)k * (size_t)f->dims, f->ring + (size_t)slot * (size_t)f->dims,
               (size_t)f->dims * sizeof(double));
    }
}

static void push_row(struct kdo_rcf *f, const double *row)
{
    memcpy(f->ring + (size_t)f->ring_head * (size_t)f->dims, row, (size_t)f->dims * sizeof *row);
    f->ring_head = (f->ring_head + 1) % f->p.shingle_size;
    f->rows++;
}

static void clear_attribution(const struct kdo_rcf *f, struct kdo_rcf_attribution *attr)
{
    if (!attr)
        return;
    memset(attr->high, 0, (size_t)f->dims * sizeof *attr->high);
    memset(attr->low, 0, (size_t)f->dims * sizeof *attr->low);
}

/* Descends the group of trees from `first` (its leaves and boxes are then
 * being fetched: see kdo__rcf_descend). */
static void descend_group(struct kdo_rcf *f, struct group *g, int first)
{
    g->first = first;
    g->n = f->p.trees - first < KDO__RCF_GROUP ? f->p.trees - first : KDO__RCF_GROUP;
    kdo__rcf_descend(&f->trees[first], g->n, f->point, f->p.sample_size, g->path, g->depth,
                     g->leaf);
}

/* The group's summed scores; with `explain`, adds its attributions to sum_high/low. */
static double finish_group(struct kdo_rcf *f, const struct group *g, bool explain)
{
    double sum = 0;
    for (int i = 0; i < g->n; i++) {
        const struct kdo__rcf_tree *t = &f->trees[g->first + i];
        const int32_t *path = g->path + (size_t)i * (size_t)f->p.sample_size;
        sum += kdo__rcf_tree_score(t, f->point, path, g->depth[i], g->leaf[i]);
        if (!explain)
            continue;
        kdo__rcf_tree_attribution(t, f->point, path, g->depth[i], g->leaf[i], f->high, f->low);
        for (int32_t d = 0; d < f->pdims; d++) {
            f->sum_high[d] += f->high[d];
            f->sum_low[d] += f->low[d];
        }
    }
    return sum;
}

/* The score averaged over the trees.  Software-pipelined: a group's walks
 * up run after the next group's descent, by when the memory they read has
 * arrived. */
static double forest_visit(struct kdo_rcf *f, bool explain)
{
    double sum = 0;
    int cur = 0;
    if (explain) {
        memset(f->sum_high, 0, (size_t)f->pdims * sizeof(double));
        memset(f->sum_low, 0, (size_t)f->pdims * sizeof(double));
    }
    descend_group(f, &f->groups[0], 0);
    for (;;) {
        const struct group *g = &f->groups[cur];
        int next = g->first + g->n;
        if (next < f->p.trees)
            descend_group(f, &f->groups[cur ^ 1], next);
        sum += finish_group(f, g, explain);
        if (next >= f->p.trees)
            break;
        cur ^= 1;
    }
    return sum / f->p.trees;
}

/* Averages the attributions summed by forest_visit, folding shingle
 * positions onto their column. */
static void fold_attribution(const struct kdo_rcf *f, struct kdo_rcf_attribution *attr)
{
    clear_attribution(f, attr);
    for (int32_t d = 0; d < f->pdims; d++) {
        attr->high[d % f->dims] += f->sum_high[d] / f->p.trees;
        attr->low[d % f->dims] += f->sum_low[d] / f->p.trees;
    }
}

int kdo_rcf_update(struct kdo_rcf *f, const double *row, double *score,
                   struct kdo_rcf_attribution *attr)
{
    for (int32_t d = 0; d < f->dims; d++)
        if (!isfinite(row[d]))
            return KDO_EINVAL;
    push_row(f, row);
    *score = 0;
    clear_attribution(f, attr);
    if (f->rows < (uint64_t)f->p.shingle_size)
        return 0;
    make_point(f);
    if (f->seq >= (uint64_t)f->p.sample_size) {
        *score = forest_visit(f, attr != NULL);
        if (attr)
            fold_attribution(f, attr);
    }
    for (int i = 0; i < f->p.trees; i++)
        offer(f, i);
    f->seq++;
    return 0;
}

/* ---- ANOMALY_EXPLANATION --------------------------------------------------------------- */

/* As the Developer Guide's result rows show them: quoted, four decimals. */
static int put_number(struct kdo_buf *b, const char *key, double v)
{
    return kdo_buf_printf(b, "\"%s\":\"%.4f\"", key, v);
}

static int explain_column(struct kdo_buf *b, const char *name, double high, double low,
                          bool directionality)
{
    int rc;
    if ((rc = kdo_buf_json_string(b, name, strlen(name))) || (rc = kdo_buf_puts(b, ":{")))
        return rc;
    /* the guide's key order: DIRECTION, STRENGTH, ATTRIBUTION_SCORE */
    if (directionality &&
        ((rc = kdo_buf_printf(b, "\"DIRECTION\":\"%s\",", high > low ? "HIGH" : "LOW")) ||
         (rc = put_number(b, "STRENGTH", fabs(high - low))) || (rc = kdo_buf_puts(b, ","))))
        return rc;
    if ((rc = put_number(b, "ATTRIBUTION_SCORE", high + low)) != 0)
        return rc;
    return kdo_buf_puts(b, "}");
}

int kdo_rcf_explain_json(struct kdo_buf *b, const char *const *names, size_t dims,
                         const struct kdo_rcf_attribution *attr, bool directionality)
{
    int rc = kdo_buf_puts(b, "{");
    for (size_t d = 0; rc == 0 && d < dims; d++) {
        if (d > 0 && (rc = kdo_buf_puts(b, ",")) != 0)
            break;
        rc = explain_column(b, names[d], attr->high[d], attr->low[d], directionality);
    }
    return rc ? rc : kdo_buf_puts(b, "}");
}
