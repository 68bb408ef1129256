/*
 * test_rcf.c -- the Random Cut Forest engine (emulator/sql/rcf.c): KDA's
 * parameter ranges, replay per seed, the warm-up, obvious anomalies ranking
 * in the top 1%, the explanation pointing at the perturbed column with the
 * right direction, and shingling catching a phase glitch in a sine wave.
 *
 * Every stream is generated from a fixed seed, so the ranking checks are
 * deterministic: they cannot flake, and a change in the algorithm that
 * loses the anomalies fails them.
 */
#include "sql/rcf.h"

#include "base/buf.h"
#include "base/errors.h"
#include "base/rng.h"

#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double gauss(struct kdo_rng *r)
{
    double u = kdo_rng_unit(r), v = kdo_rng_unit(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

static struct kdo_rcf_params params(int trees, int sample, int shingle)
{
    struct kdo_rcf_params p;
    kdo_rcf_params_default(&p);
    p.trees = trees;
    p.sample_size = sample;
    p.shingle_size = shingle;
    return p;
}

static struct kdo_rcf *make(const struct kdo_rcf_params *p, size_t dims, uint64_t seed)
{
    struct kdo_errinfo err = {0};
    struct kdo_rcf *f = kdo_rcf_new(p, dims, seed, &err);
    ck_assert_msg(f != NULL, "kdo_rcf_new: %s", err.msg);
    return f;
}

/* How many of scores[from..n) are strictly above scores[i]. */
static int rank_of(const double *scores, int from, int n, int i)
{
    int above = 0;
    for (int j = from; j < n; j++)
        above += scores[j] > scores[i];
    return above;
}

/* ---- parameters ------------------------------------------------------------------------ */

START_TEST(defaults_are_kdas)
{
    struct kdo_rcf_params p;
    kdo_rcf_params_default(&p);
    ck_assert_int_eq(p.trees, 100);
    ck_assert_int_eq(p.sample_size, 256);
    ck_assert_int_eq(p.shingle_size, 1);
    ck_assert_double_eq(p.time_decay, 100000);
    ck_assert(!p.directionality);
    ck_assert_int_eq(kdo_rcf_params_check(&p, 2, NULL), 0);
    ck_assert_uint_eq(kdo_rcf_warmup_rows(&p), 256);
}
END_TEST

struct bad {
    struct kdo_rcf_params p;
    size_t dims;
    const char *says;
};

START_TEST(ranges_refused_with_the_parameter_named)
{
    const struct bad bad[] = {
        {{0, 256, 1, 100000, false}, 2, "numberOfTrees is 0; KDA accepts 1 to 1000"},
        {{1001, 256, 1, 100000, false}, 2, "numberOfTrees is 1001"},
        {{100, 9, 1, 100000, false}, 2, "subSampleSize is 9; KDA accepts 10 to 1000"},
        {{100, 1001, 1, 100000, false}, 2, "subSampleSize is 1001"},
        {{100, 256, 0, 100000, false}, 2, "shingleSize is 0; KDA accepts 1 to 30"},
        {{100, 256, 31, 100000, false}, 2, "shingleSize is 31"},
        {{100, 256, 1, 0, false}, 2, "timeDecay is 0"},
        {{100, 256, 1, 2147483648.0, false}, 2, "timeDecay is 2.14748e+09"},
        {{100, 256, 1, 1000.5, false}, 2, "whole number"},
        {{100, 256, 1, 256, false}, 2, "subSampleSize (256) must be less than timeDecay (256)"},
        {{100, 256, 1, 100000, false}, 0, "0 numeric columns"},
        {{100, 256, 1, 100000, false}, 101, "101 numeric columns"},
        {{1000, 1000, 30, 100000, false}, 10, "over kdaout's limit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct kdo_errinfo err = {0};
        ck_assert_int_eq(kdo_rcf_params_check(&bad[i].p, bad[i].dims, &err), KDO_EINVAL);
        ck_assert_msg(strstr(err.msg, bad[i].says), "case %zu: \"%s\" lacks \"%s\"", i, err.msg,
                      bad[i].says);
        memset(&err, 0, sizeof err);
        ck_assert_ptr_null(kdo_rcf_new(&bad[i].p, bad[i].dims, 1, &err));
        ck_assert(strstr(err.msg, bad[i].says));
    }
    /* The edges themselves are accepted. */
    const struct kdo_rcf_params edges[] = {
        {1, 10, 1, 11, false}, {1000, 1000, 1, 2147483647.0, true}, {10, 10, 30, 1001, false}};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        ck_assert_int_eq(kdo_rcf_params_check(&edges[i], 1, NULL), 0);
}
END_TEST

START_TEST(non_finite_row_refused)
{
    struct kdo_rcf_params p = params(5, 16, 1);
    struct kdo_rcf *f = make(&p, 2, 1);
    double score = -1, row[2] = {1, NAN};
    ck_assert_int_eq(kdo_rcf_update(f, row, &score, NULL), KDO_EINVAL);
    row[1] = INFINITY;
    ck_assert_int_eq(kdo_rcf_update(f, row, &score, NULL), KDO_EINVAL);
    ck_assert_uint_eq(kdo_rcf_rows(f), 0);
    row[1] = 2;
    ck_assert_int_eq(kdo_rcf_update(f, row, &score, NULL), 0);
    ck_assert_uint_eq(kdo_rcf_rows(f), 1);
    kdo_rcf_free(f);
    kdo_rcf_free(NULL);
}
END_TEST

/* ---- replay, warm-up ------------------------------------------------------------------- */

#define REPLAY_ROWS 600

static void run_gauss(uint64_t seed, double *scores)
{
    struct kdo_rcf_params p = params(30, 64, 2);
    struct kdo_rcf *f = make(&p, 3, seed);
    struct kdo_rng r;
    kdo_rng_init(&r, 7); /* the data is the same for every forest seed */
    for (int i = 0; i < REPLAY_ROWS; i++) {
        double row[3] = {gauss(&r), gauss(&r), 10 * gauss(&r)};
        ck_assert_int_eq(kdo_rcf_update(f, row, &scores[i], NULL), 0);
    }
    kdo_rcf_free(f);
}

START_TEST(same_seed_same_scores_other_seed_other_scores)
{
    static double a[REPLAY_ROWS], b[REPLAY_ROWS], c[REPLAY_ROWS];
    run_gauss(42, a);
    run_gauss(42, b);
    run_gauss(43, c);
    ck_assert_mem_eq(a, b, sizeof a);
    int differ = 0;
    for (int i = 0; i < REPLAY_ROWS; i++)
        differ += a[i] != c[i];
    /* Every scored row differs; the warm-up's zeros do not. */
    ck_assert_int_eq(differ, REPLAY_ROWS - 65);
}
END_TEST

START_TEST(warm_up_scores_zero_until_a_full_sample)
{
    struct kdo_rcf_params p = params(10, 32, 3);
    p.directionality = true;
    struct kdo_rcf *f = make(&p, 2, 5);
    ck_assert_uint_eq(kdo_rcf_warmup_rows(&p), 34);
    struct kdo_rng r;
    kdo_rng_init(&r, 9);
    for (int i = 0; i < 40; i++) {
        double row[2] = {gauss(&r), gauss(&r)}, score = -1, high[2] = {-1, -1}, low[2] = {-1, -1};
        struct kdo_rcf_attribution attr = {high, low};
        ck_assert_int_eq(kdo_rcf_update(f, row, &score, &attr), 0);
        if (i < 34) {
            ck_assert_msg(score == 0, "row %d scored %g in the warm-up", i + 1, score);
            ck_assert(high[0] == 0 && high[1] == 0 && low[0] == 0 && low[1] == 0);
        } else {
            ck_assert_msg(score > 0.3 && score < 5, "row %d scored %g", i + 1, score);
            ck_assert_double_eq_tol(high[0] + high[1] + low[0] + low[1], score, 1e-9);
        }
    }
    kdo_rcf_free(f);
}
END_TEST

/* A constant stream makes every tree one leaf holding the whole sample, so
 * AWS's formulas give exact scores by hand: the constant point is "seen"
 * at depth 0 with leaf mass = tree mass = 256, damped by 1 - 256/512 and
 * normalised by log2(257): 0.5 / log2(257) * log2(257) = 0.5.  A new point
 * is "unseen" at depth 0: 1 / (0 + 1) * log2(257), all of it HIGH on the
 * column that rose.  Scored after its own insertion it would be "seen" in
 * the trees that took it and score about half that. */
START_TEST(hand_worked_scores_of_a_constant_stream)
{
    struct kdo_rcf_params p = params(20, 256, 1);
    struct kdo_rcf *f = make(&p, 2, 8);
    double v[2] = {5, -1}, w[2] = {8, -1}, score, high[2], low[2];
    struct kdo_rcf_attribution attr = {high, low};
    for (int i = 0; i < 400; i++) {
        ck_assert_int_eq(kdo_rcf_update(f, v, &score, &attr), 0);
        if (i >= 256) {
            ck_assert_double_eq_tol(score, 0.5, 1e-12);
            ck_assert_double_eq_tol(high[0] + low[0] + high[1] + low[1], 0.5, 1e-12);
        }
    }
    ck_assert_int_eq(kdo_rcf_update(f, w, &score, &attr), 0);
    ck_assert_double_eq_tol(score, log2(257), 1e-12);
    ck_assert_double_eq_tol(high[0], log2(257), 1e-12);
    ck_assert(low[0] == 0 && high[1] == 0 && low[1] == 0);
    kdo_rcf_free(f);
}
END_TEST

/* ---- anomalies ------------------------------------------------------------------------- */

#define STREAM 3000
static const int outlier_at[] = {700, 1100, 1600, 2200, 2900};
static const double outlier[][2] = {{9, 9}, {-8, 7}, {0, -10}, {11, 0}, {-7, -9}};

START_TEST(far_outliers_rank_in_the_top_percent)
{
    static double scores[STREAM];
    struct kdo_rcf_params p;
    kdo_rcf_params_default(&p);
    struct kdo_rcf *f = make(&p, 2, 2026);
    struct kdo_rng r;
    kdo_rng_init(&r, 11);
    for (int i = 0, k = 0; i < STREAM; i++) {
        double row[2] = {gauss(&r), gauss(&r)};
        if (k < 5 && i == outlier_at[k]) {
            row[0] = outlier[k][0];
            row[1] = outlier[k][1];
            k++;
        }
        ck_assert_int_eq(kdo_rcf_update(f, row, &scores[i], NULL), 0);
    }
    int from = (int)kdo_rcf_warmup_rows(&p), top = (STREAM - from) / 100;
    for (int k = 0; k < 5; k++) {
        int rank = rank_of(scores, from, STREAM, outlier_at[k]);
        ck_assert_msg(rank < top, "outlier %d (row %d, score %g) ranks %d of %d, not in the top %d",
                      k, outlier_at[k], scores[outlier_at[k]], rank, STREAM - from, top);
        ck_assert_msg(scores[outlier_at[k]] > 2.0, "outlier %d scored only %g", k,
                      scores[outlier_at[k]]);
    }
    kdo_rcf_free(f);
}
END_TEST

struct poke {
    int col;     /* the perturbed column */
    double by;   /* its offset */
    const char *dir;
};

START_TEST(explanation_points_at_the_perturbed_column)
{
    static const struct poke pokes[] = {{1, 9, "HIGH"}, {0, -9, "LOW"}, {2, 8, "HIGH"},
                                        {1, -8, "LOW"}};
    static const char *const names[] = {"X", "Y", "Z"};
    struct kdo_rcf_params p = params(50, 128, 1);
    p.directionality = true;
    struct kdo_rcf *f = make(&p, 3, 77);
    struct kdo_rng r;
    kdo_rng_init(&r, 12);
    struct kdo_buf b;
    kdo_buf_init(&b, 4096);
    for (int i = 0, k = 0; i < 1200; i++) {
        double row[3] = {gauss(&r), gauss(&r), gauss(&r)}, score, high[3], low[3];
        int poked = i >= 300 && i % 200 == 0 && k < 4;
        if (poked)
            row[pokes[k].col] += pokes[k].by;
        struct kdo_rcf_attribution attr = {high, low};
        ck_assert_int_eq(kdo_rcf_update(f, row, &score, &attr), 0);
        if (!poked)
            continue;
        const struct poke *pk = &pokes[k++];
        kdo_buf_reset(&b);
        ck_assert_int_eq(kdo_rcf_explain_json(&b, names, 3, &attr, true), 0);
        json_error_t je;
        json_t *o = json_loads(b.data, 0, &je);
        ck_assert_msg(o != NULL, "not JSON: %s", b.data);
        double best = -1, sum = 0;
        const char *best_name = NULL;
        for (int d = 0; d < 3; d++) {
            json_t *col = json_object_get(o, names[d]);
            ck_assert_msg(col != NULL, "%s lacks %s", b.data, names[d]);
            double a = strtod(json_string_value(json_object_get(col, "ATTRIBUTION_SCORE")), NULL);
            sum += a;
            if (a > best) {
                best = a;
                best_name = names[d];
            }
        }
        ck_assert_double_eq_tol(sum, score, 1e-4 * 5); /* four decimals a column */
        ck_assert_msg(strcmp(best_name, names[pk->col]) == 0, "poked %s, explanation %s",
                      names[pk->col], b.data);
        ck_assert_msg(best > 0.6 * score, "%s carries only %g of %g", best_name, best, score);
        json_t *col = json_object_get(o, names[pk->col]);
        ck_assert_str_eq(json_string_value(json_object_get(col, "DIRECTION")), pk->dir);
        double strength = strtod(json_string_value(json_object_get(col, "STRENGTH")), NULL);
        ck_assert(strength > 0 && strength <= best + 1e-12);
        json_decref(o);
    }
    kdo_buf_cleanup(&b);
    kdo_rcf_free(f);
}
END_TEST

START_TEST(explanation_json_shape)
{
    static const char *const names[] = {"fare", "with \"quote\""};
    double high[2] = {1.5, 0}, low[2] = {0.25, 0.5};
    struct kdo_rcf_attribution attr = {high, low};
    struct kdo_buf b;
    kdo_buf_init(&b, 4096);
    ck_assert_int_eq(kdo_rcf_explain_json(&b, names, 2, &attr, true), 0);
    /* the Developer Guide's form: DIRECTION, STRENGTH, ATTRIBUTION_SCORE, four decimals */
    ck_assert_str_eq(b.data, "{\"fare\":{\"DIRECTION\":\"HIGH\",\"STRENGTH\":\"1.2500\","
                             "\"ATTRIBUTION_SCORE\":\"1.7500\"},\"with \\\"quote\\\"\":{"
                             "\"DIRECTION\":\"LOW\",\"STRENGTH\":\"0.5000\",\"ATTRIBUTION_SCORE\":"
                             "\"0.5000\"}}");
    kdo_buf_reset(&b);
    ck_assert_int_eq(kdo_rcf_explain_json(&b, names, 1, &attr, false), 0);
    ck_assert_str_eq(b.data, "{\"fare\":{\"ATTRIBUTION_SCORE\":\"1.7500\"}}");
    kdo_buf_cleanup(&b);
    kdo_buf_init(&b, 16);
    ck_assert_int_eq(kdo_rcf_explain_json(&b, names, 2, &attr, true), KDO_ETOOBIG);
    kdo_buf_cleanup(&b);
}
END_TEST

/* ---- shingling ------------------------------------------------------------------------- */

#define SINE 2000
#define GLITCH 1500

/* A sine of period 20 (from a table, so periods repeat exactly); at GLITCH
 * the phase jumps by a quarter period.  Every value stays within [-1, 1]. */
static double sine_at(int i)
{
    static double table[20];
    if (table[5] == 0)
        for (int k = 0; k < 20; k++)
            table[k] = sin(2 * M_PI * k / 20);
    return table[(i + (i >= GLITCH ? 5 : 0)) % 20];
}

static double glitch_rank(int shingle, double *glitch_score)
{
    static double scores[SINE];
    struct kdo_rcf_params p = params(50, 256, shingle);
    struct kdo_rcf *f = make(&p, 1, 3);
    for (int i = 0; i < SINE; i++) {
        double row[1] = {sine_at(i)};
        ck_assert_int_eq(kdo_rcf_update(f, row, &scores[i], NULL), 0);
    }
    kdo_rcf_free(f);
    int best = GLITCH;
    for (int i = GLITCH; i < GLITCH + shingle; i++)
        if (scores[i] > scores[best])
            best = i;
    *glitch_score = scores[best];
    return rank_of(scores, (int)kdo_rcf_warmup_rows(&p), SINE, best);
}

START_TEST(shingling_scores_a_phase_glitch_high)
{
    double s4, s1;
    int rank4 = (int)glitch_rank(4, &s4);
    ck_assert_msg(rank4 == 0, "shingle 4: the glitch (score %g) ranks %d", s4, rank4);
    ck_assert_msg(s4 > 1.5, "shingle 4: the glitch scored only %g", s4);
    /* Without shingles the glitch's values are ordinary ones. */
    int rank1 = (int)glitch_rank(1, &s1);
    ck_assert_msg(s1 < s4 / 2, "shingle 1: the glitch scored %g (rank %d)", s1, rank1);
}
END_TEST

/* A small sample churning fast, with many duplicate points: deletes and
 * duplicate leaves on every row (under ASan this checks the pools). */
START_TEST(churn_with_duplicates_stays_sane)
{
    struct kdo_rcf_params p = params(8, 10, 2);
    p.time_decay = 11;
    struct kdo_rcf *f = make(&p, 3, 99);
    struct kdo_rng r;
    kdo_rng_init(&r, 13);
    for (int i = 0; i < 20000; i++) {
        double row[3] = {(double)kdo_rng_below(&r, 3), (double)kdo_rng_below(&r, 2), 1.0};
        double score, high[3], low[3];
        struct kdo_rcf_attribution attr = {high, low};
        ck_assert_int_eq(kdo_rcf_update(f, row, &score, i % 2 ? &attr : NULL), 0);
        ck_assert_msg(isfinite(score) && score >= 0, "row %d scored %g", i, score);
        if (i >= 11)
            ck_assert_msg(score > 0, "row %d scored 0 after the warm-up", i);
    }
    kdo_rcf_free(f);
}
END_TEST

static Suite *rcf_suite(void)
{
    Suite *s = suite_create("rcf");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, defaults_are_kdas);
    tcase_add_test(tc, ranges_refused_with_the_parameter_named);
    tcase_add_test(tc, non_finite_row_refused);
    tcase_add_test(tc, same_seed_same_scores_other_seed_other_scores);
    tcase_add_test(tc, warm_up_scores_zero_until_a_full_sample);
    tcase_add_test(tc, hand_worked_scores_of_a_constant_stream);
    tcase_add_test(tc, far_outliers_rank_in_the_top_percent);
    tcase_add_test(tc, explanation_points_at_the_perturbed_column);
    tcase_add_test(tc, explanation_json_shape);
    tcase_add_test(tc, shingling_scores_a_phase_glitch_high);
    tcase_add_test(tc, churn_with_duplicates_stays_sane);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(rcf_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
