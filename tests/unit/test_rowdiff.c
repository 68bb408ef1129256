/*
 * test_rowdiff.c -- expected rows against received rows (conformance/rowdiff.c).
 *
 * One test per rule: exact strings and integers, numbers within the
 * tolerance and not beyond it, key sets, `columns`, CSV by position with
 * NULL apart from "", strict order against window order, and each kind of
 * difference (missing, unexpected, changed with its column) with its count
 * and text, the shown list's bound, and no rows at all.  Each would fail
 * under a comparison that ignored what it pins (planted: the tolerance, the
 * order, integer exactness).
 */
#include "rowdiff.h"

#include "base/errors.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_rowdiff_text exp_rows[64];
static struct kdo_rowdiff_counts counts;
static char *report;

static struct kdo_rowdiff_config json_cfg(void)
{
    return (struct kdo_rowdiff_config){.format = KDO_ROWFMT_JSON, .order = KDO_ROWDIFF_WINDOW,
                                       .tolerance = KDO_ROWDIFF_TOLERANCE};
}

/* Compares expected[] with received[] (received i at instant instants[i],
 * or all at instant 1 when instants is NULL); returns whether they are equal
 * and leaves counts and report set. */
static int run(const struct kdo_rowdiff_config *cfg, const char *const *expected, size_t ne,
               const char *const *received, size_t nr, const uint64_t *instants)
{
    for (size_t i = 0; i < ne; i++)
        exp_rows[i] = (struct kdo_rowdiff_text){expected[i], strlen(expected[i])};
    struct kdo_rowdiff *d = kdo_rowdiff_new(cfg, exp_rows, ne);
    for (size_t i = 0; i < nr; i++)
        kdo_rowdiff_add(d, received[i], strlen(received[i]), instants ? instants[i] : 1);
    kdo_rowdiff_finish(d);
    kdo_rowdiff_counts(d, &counts);
    free(report);
    report = kdo_rowdiff_report(d);
    int eq = kdo_rowdiff_equal(d);
    kdo_rowdiff_free(d);
    return eq;
}
#define N(a) (sizeof a / sizeof a[0])

static void teardown(void)
{
    free(report);
    report = NULL;
}

START_TEST(same_rows_are_equal)
{
    const char *e[] = {"{\"T\":\"AMZN\",\"N\":3,\"P\":10.5,\"X\":null}", "{\"T\":\"KO\",\"N\":1,\"P\":2.0,\"X\":true}"};
    const char *g[] = {"{\"N\":3,\"T\":\"AMZN\",\"X\":null,\"P\":10.5}", "{\"T\":\"KO\",\"N\":1,\"P\":2,\"X\":true}"};
    struct kdo_rowdiff_config c = json_cfg();
    ck_assert_msg(run(&c, e, 2, g, 2, NULL), "%s", report);
    ck_assert_uint_eq(counts.matched, 2);
    ck_assert_ptr_nonnull(strstr(report, "2 expected, 2 received: 2 matched"));
}
END_TEST

START_TEST(strings_and_integers_are_exact)
{
    const char *e[] = {"{\"T\":\"AMZN\"}", "{\"N\":9007199254740993}"};
    const char *g[] = {"{\"T\":\"AMZn\"}", "{\"N\":9007199254740992}"};
    struct kdo_rowdiff_config c = json_cfg();
    c.tolerance = 0.5; /* a tolerance is for numbers that are not integers */
    ck_assert(!run(&c, e, 2, g, 2, NULL));
    ck_assert_uint_eq(counts.changed, 0); /* one column of one: not similar */
    ck_assert_uint_eq(counts.missing, 2);
    ck_assert_uint_eq(counts.unexpected, 2);
    /* a string that reads as a number is still a string */
    const char *e2[] = {"{\"T\":\"1.0\",\"A\":1}"};
    const char *g2[] = {"{\"T\":\"1\",\"A\":1}"};
    ck_assert(!run(&c, e2, 1, g2, 1, NULL));
    ck_assert_ptr_nonnull(strstr(report, "row 1: column T: expected \"1.0\", got \"1\""));
}
END_TEST

START_TEST(doubles_within_the_tolerance)
{
    const char *e[] = {"{\"P\":0.3,\"Q\":1000000.0}"};
    const char *near[] = {"{\"P\":0.30000000000000004,\"Q\":1000000.0009}"};
    const char *far[] = {"{\"P\":0.3000001,\"Q\":1000000.0}"};
    struct kdo_rowdiff_config c = json_cfg();
    ck_assert_msg(run(&c, e, 1, near, 1, NULL), "%s", report); /* relative for Q */
    ck_assert(!run(&c, e, 1, far, 1, NULL));
    ck_assert_ptr_nonnull(strstr(report, "column P: expected 0.3, got 0.3000001"));
    c.tolerance = 1e-3;
    ck_assert_msg(run(&c, e, 1, far, 1, NULL), "%s", report);
    c.tolerance = 0; /* exact */
    ck_assert(!run(&c, e, 1, near, 1, NULL));
}
END_TEST

START_TEST(a_changed_column_is_named)
{
    const char *e[] = {"{\"T\":\"A\",\"S\":\"X\",\"PRICE\":10.5}", "{\"T\":\"B\",\"S\":\"Y\",\"PRICE\":7}"};
    const char *g[] = {"{\"T\":\"A\",\"S\":\"X\",\"PRICE\":10.25}", "{\"T\":\"B\",\"S\":\"Y\",\"PRICE\":7}"};
    struct kdo_rowdiff_config c = json_cfg();
    ck_assert(!run(&c, e, 2, g, 2, NULL));
    ck_assert_uint_eq(counts.changed, 1);
    ck_assert_uint_eq(counts.matched, 1);
    ck_assert_uint_eq(counts.missing + counts.unexpected, 0);
    ck_assert_msg(strstr(report, "row 1: column PRICE: expected 10.5, got 10.25\n"), "%s", report);
}
END_TEST

START_TEST(missing_and_unexpected_rows)
{
    const char *e[] = {"{\"T\":\"A\",\"N\":1}", "{\"T\":\"B\",\"N\":2}", "{\"T\":\"C\",\"N\":3}"};
    const char *g[] = {"{\"T\":\"A\",\"N\":1}", "{\"T\":\"C\",\"N\":3}"};
    struct kdo_rowdiff_config c = json_cfg();
    ck_assert(!run(&c, e, 3, g, 2, NULL));
    ck_assert_uint_eq(counts.missing, 1);
    ck_assert_uint_eq(counts.matched, 2);
    ck_assert_msg(strstr(report, "missing row 2: {\"T\":\"B\",\"N\":2}\n"), "%s", report);
    const char *g2[] = {"{\"T\":\"A\",\"N\":1}", "{\"Z\":9}", "{\"T\":\"B\",\"N\":2}", "{\"T\":\"C\",\"N\":3}"};
    ck_assert(!run(&c, e, 3, g2, 4, NULL));
    ck_assert_uint_eq(counts.unexpected, 1);
    ck_assert_uint_eq(counts.matched, 3);
    ck_assert_msg(strstr(report, "unexpected row: {\"Z\":9}\n"), "%s", report);
    const char *bad[] = {"[1]"};
    ck_assert(!run(&c, e, 0, bad, 1, NULL));
    ck_assert_msg(strstr(report, "unexpected row (not a JSON object): [1]"), "%s", report);
}
END_TEST

START_TEST(a_key_on_one_side_differs)
{
    const char *e[] = {"{\"A\":1,\"B\":2,\"C\":3}"};
    const char *g[] = {"{\"A\":1,\"B\":2,\"C\":3,\"D\":4}"};
    struct kdo_rowdiff_config c = json_cfg();
    ck_assert(!run(&c, e, 1, g, 1, NULL));
    ck_assert_msg(strstr(report, "column D: expected (no such column), got 4"), "%s", report);
    const char *cols[] = {"A", "C"};
    c.columns = cols;
    c.ncolumns = 2;
    ck_assert_msg(run(&c, e, 1, g, 1, NULL), "%s", report);
    const char *g2[] = {"{\"A\":1,\"B\":5,\"C\":4}"};
    ck_assert(!run(&c, e, 1, g2, 1, NULL));
    ck_assert_msg(strstr(report, "column C: expected 3, got 4") && !strstr(report, "column B"),
                  "%s", report);
}
END_TEST

/* Window order: any order within an instant, not across instants. */
START_TEST(window_order)
{
    const char *e[] = {"{\"W\":1,\"K\":\"a\"}", "{\"W\":1,\"K\":\"b\"}", "{\"W\":2,\"K\":\"a\"}",
                       "{\"W\":2,\"K\":\"b\"}"};
    const char *g[] = {"{\"W\":1,\"K\":\"b\"}", "{\"W\":1,\"K\":\"a\"}", "{\"W\":2,\"K\":\"b\"}",
                       "{\"W\":2,\"K\":\"a\"}"};
    const uint64_t at[] = {10, 10, 20, 20};
    struct kdo_rowdiff_config c = json_cfg();
    ck_assert_msg(run(&c, e, 4, g, 4, at), "%s", report);
    /* a row of the second window delivered with the first */
    const char *g2[] = {"{\"W\":1,\"K\":\"a\"}", "{\"W\":2,\"K\":\"a\"}", "{\"W\":1,\"K\":\"b\"}",
                        "{\"W\":2,\"K\":\"b\"}"};
    const uint64_t at2[] = {10, 10, 20, 20};
    ck_assert_msg(!run(&c, e, 4, g2, 4, at2), "%s", report);
    /* strict: even within one instant */
    c.order = KDO_ROWDIFF_STRICT;
    ck_assert(!run(&c, e, 4, g, 4, at));
    ck_assert_uint_gt(counts.missing + counts.unexpected + counts.changed, 0);
    ck_assert_msg(run(&c, e, 4, e, 4, at), "%s", report);
}
END_TEST

START_TEST(csv_by_position)
{
    const char *names[] = {"TICKER", "SECTOR", "PRICE"};
    struct kdo_rowdiff_config c = {.format = KDO_ROWFMT_CSV, .order = KDO_ROWDIFF_STRICT,
                                   .tolerance = 1e-9, .names = names, .nnames = 3};
    const char *e[] = {"AMZN,\"TECH, BIG\",10.5", "KO,,7", "X,\"\",1"};
    const char *g[] = {"AMZN,\"TECH, BIG\",10.50", "KO,,7.0", "X,\"\",1"};
    ck_assert_msg(run(&c, e, 3, g, 3, NULL), "%s", report);
    const char *g2[] = {"AMZN,\"TECH, BIG\",10.25", "KO,\"\",7", "X,,1"};
    ck_assert(!run(&c, e, 3, g2, 3, NULL));
    ck_assert_uint_eq(counts.changed, 3);
    ck_assert_msg(strstr(report, "row 1: column PRICE: expected 10.5, got 10.25"), "%s", report);
    ck_assert_msg(strstr(report, "row 2: column SECTOR: expected null, got \"\""), "%s", report);
    ck_assert_uint_eq(kdo_rowdiff_check_row(KDO_ROWFMT_CSV, "a,b", 3, NULL, 0), 0);
}
END_TEST

START_TEST(no_rows_expected)
{
    struct kdo_rowdiff_config c = json_cfg();
    ck_assert(run(&c, NULL, 0, NULL, 0, NULL));
    ck_assert_ptr_nonnull(strstr(report, "0 expected, 0 received"));
    const char *g[] = {"{\"A\":1}"};
    ck_assert(!run(&c, NULL, 0, g, 1, NULL));
    ck_assert_uint_eq(counts.unexpected, 1);
}
END_TEST

START_TEST(shown_differences_are_bounded)
{
    static const char *e[40], *g[40];
    static char eb[40][32], gb[40][32];
    for (int i = 0; i < 40; i++) {
        snprintf(eb[i], sizeof eb[i], "{\"K\":%d,\"A\":1,\"B\":2}", i);
        snprintf(gb[i], sizeof gb[i], "{\"K\":%d,\"A\":1,\"B\":3}", i);
        e[i] = eb[i];
        g[i] = gb[i];
    }
    struct kdo_rowdiff_config c = json_cfg();
    ck_assert(!run(&c, e, 40, g, 40, NULL));
    ck_assert_uint_eq(counts.changed, 40);
    size_t lines = 0;
    for (const char *p = report; (p = strstr(p, "column B")); p++)
        lines++;
    ck_assert_uint_eq(lines, KDO_ROWDIFF_SHOWN);
    ck_assert_msg(strstr(report, "... and 30 more differences\n"), "%s", report);
}
END_TEST

/* An instant of more rows than KDO_ROWDIFF_MAX_GROUP is compared in parts:
 * the rows all match, each once, and a changed one is still found. */
START_TEST(a_large_instant_is_compared_in_parts)
{
    size_t n = KDO_ROWDIFF_MAX_GROUP + 904;
    struct kdo_rowdiff_text *t = calloc(n, sizeof *t);
    char (*rows)[40] = calloc(n, sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        snprintf(rows[i], sizeof rows[i], "{\"K\":%zu,\"V\":%zu.5}", i, i);
        t[i] = (struct kdo_rowdiff_text){rows[i], strlen(rows[i])};
    }
    struct kdo_rowdiff_config c = json_cfg();
    struct kdo_rowdiff *d = kdo_rowdiff_new(&c, t, n);
    for (size_t i = 0; i < n; i++) {
        char g[40];
        snprintf(g, sizeof g, "{\"K\":%zu,\"V\":%zu.5}", i, i == 4500 ? i + 1 : i);
        kdo_rowdiff_add(d, g, strlen(g), 7);
    }
    kdo_rowdiff_finish(d);
    kdo_rowdiff_counts(d, &counts);
    report = kdo_rowdiff_report(d);
    ck_assert_uint_eq(counts.received, n);
    ck_assert_uint_eq(counts.matched, n - 1);
    ck_assert_uint_eq(counts.changed, 1);
    ck_assert_msg(strstr(report, "row 4501: column V: expected 4500.5, got 4501.5"), "%s", report);
    kdo_rowdiff_free(d);
    free(rows);
    free(t);
}
END_TEST

START_TEST(check_row_names_the_problem)
{
    char why[200];
    ck_assert_int_eq(kdo_rowdiff_check_row(KDO_ROWFMT_JSON, "{\"A\":1}", 7, why, sizeof why), 0);
    ck_assert_int_eq(kdo_rowdiff_check_row(KDO_ROWFMT_JSON, "[1]", 3, why, sizeof why), KDO_EPARSE);
    ck_assert_ptr_nonnull(strstr(why, "not a JSON object"));
    ck_assert_int_eq(kdo_rowdiff_check_row(KDO_ROWFMT_JSON, "{\"A\":", 5, why, sizeof why),
                     KDO_EPARSE);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rowdiff");
    TCase *t = tcase_create("rowdiff");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_add_test(t, same_rows_are_equal);
    tcase_add_test(t, strings_and_integers_are_exact);
    tcase_add_test(t, doubles_within_the_tolerance);
    tcase_add_test(t, a_changed_column_is_named);
    tcase_add_test(t, missing_and_unexpected_rows);
    tcase_add_test(t, a_key_on_one_side_differs);
    tcase_add_test(t, window_order);
    tcase_add_test(t, csv_by_position);
    tcase_add_test(t, no_rows_expected);
    tcase_add_test(t, shown_differences_are_bounded);
    tcase_add_test(t, a_large_instant_is_compared_in_parts);
    tcase_add_test(t, check_row_names_the_problem);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    SRunner *r = srunner_create(suite());
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
