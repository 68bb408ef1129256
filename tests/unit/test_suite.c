/*
 * test_suite.c -- the scenario files a command works on: conformance/suite.c.
 *
 * Each test gets a fresh temporary folder holding scenario files, files
 * that are not scenarios, a hidden one, a sub-folder and a FIFO.  A folder
 * gives the *.yaml and *.yml files directly in it, sorted by name, hidden
 * ones and sub-folders left out, a FIFO skipped with a line on err (a read
 * would block the run); a file given by name is taken as it is; a missing
 * path, or a scenario in a folder that cannot be read, is named on err and
 * the others are still collected.  --filter keeps
 * the paths containing a text; --shard I/N then keeps every N-th of those
 * starting at the I-th, so the N shards cover the suite without overlap.
 */
#include "suite.h"

#include "base/errors.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static char dir[64];
static char *err_text;
static size_t err_len;
static FILE *err;

/* Created in every folder; the sub-folder holds a scenario of its own. */
static const char *const files[] = {"b.yaml", "a.yml", "c.yaml", ".hidden.yaml",
                                    "notes.txt", "yaml", "d.yaml.bak", "sub/e.yaml"};

static void path_in(char *out, size_t n, const char *name)
{
    ck_assert_int_lt(snprintf(out, n, "%s/%s", dir, name), (int)n);
}

static void touch(const char *name)
{
    char p[128];
    path_in(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    ck_assert_msg(f != NULL, "cannot create %s", p);
    fputs("name: x\n", f);
    fclose(f);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/kdo-suite-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char sub[128], fifo[128];
    path_in(sub, sizeof sub, "sub");
    ck_assert_int_eq(mkdir(sub, 0700), 0);
    for (size_t i = 0; i < N(files); i++)
        touch(files[i]);
    path_in(fifo, sizeof fifo, "pipe.yaml");
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    err = open_memstream(&err_text, &err_len);
    ck_assert_ptr_nonnull(err);
}

static void teardown(void)
{
    char p[128];
    for (size_t i = 0; i < N(files); i++) {
        path_in(p, sizeof p, files[i]);
        unlink(p);
    }
    for (int i = 0; i < 40; i++) {
        char name[32];
        snprintf(name, sizeof name, "many-%02d.yaml", i);
        path_in(p, sizeof p, name);
        unlink(p);
    }
    path_in(p, sizeof p, "pipe.yaml");
    unlink(p);
    path_in(p, sizeof p, "gone.yaml");
    unlink(p);
    path_in(p, sizeof p, "sub");
    rmdir(p);
    rmdir(dir);
    fclose(err);
    free(err_text);
    err_text = NULL;
}

/* Collects paths (NULL-terminated) with the options; returns the code and
 * flushes err so err_text holds what was printed. */
static int collect(const struct kdo_suite_options *o, struct kdo_suite *out, const char *p0,
                   const char *p1)
{
    char *paths[2] = {(char *)p0, (char *)p1};
    memset(out, 0, sizeof *out);
    int rc = kdo_suite_collect(paths, p1 ? 2 : 1, o, out, err);
    fflush(err);
    return rc;
}

/* The suite's files, each named relative to the temporary folder. */
static void expect_files(const struct kdo_suite *s, const char *const *want, size_t n)
{
    size_t dn = strlen(dir);
    for (size_t i = 0; i < s->n && i < n; i++) {
        ck_assert_msg(strncmp(s->files[i], dir, dn) == 0 && s->files[i][dn] == '/' &&
                          strcmp(s->files[i] + dn + 1, want[i]) == 0,
                      "file %zu: [%s], want [%s/%s]", i, s->files[i], dir, want[i]);
    }
    ck_assert_msg(s->n == n, "%zu files, want %zu (first [%s])", s->n, n,
                  s->n ? s->files[0] : "");
}

static const struct kdo_suite_options all = {NULL, 0, 0};

/* --- folders and files ------------------------------------------------------- */

START_TEST(test_a_folder_gives_its_scenarios_sorted)
{
    struct kdo_suite s;
    ck_assert_int_eq(collect(&all, &s, dir, NULL), 0);
    static const char *const want[] = {"a.yml", "b.yaml", "c.yaml"};
    expect_files(&s, want, N(want));
    kdo_suite_cleanup(&s);
}
END_TEST

START_TEST(test_a_fifo_is_skipped_with_a_note)
{
    struct kdo_suite s;
    ck_assert_int_eq(collect(&all, &s, dir, NULL), 0);
    ck_assert_msg(strstr(err_text, "/pipe.yaml: not a regular file; skipped\n") != NULL,
                  "err: [%s]", err_text);
    for (size_t i = 0; i < s.n; i++)
        ck_assert_ptr_null(strstr(s.files[i], "pipe"));
    kdo_suite_cleanup(&s);
}
END_TEST

START_TEST(test_a_trailing_slash_adds_no_second_one)
{
    struct kdo_suite s;
    char slashed[80];
    snprintf(slashed, sizeof slashed, "%s/", dir);
    ck_assert_int_eq(collect(&all, &s, slashed, NULL), 0);
    static const char *const want[] = {"a.yml", "b.yaml", "c.yaml"};
    expect_files(&s, want, N(want));
    kdo_suite_cleanup(&s);
}
END_TEST

/* A file named on the command line is taken whatever its name; folders and
 * files keep the order they were given in. */
START_TEST(test_a_named_file_is_taken_as_given)
{
    struct kdo_suite s;
    char notes[128], sub[128];
    path_in(notes, sizeof notes, "notes.txt");
    ck_assert_int_eq(collect(&all, &s, notes, dir), 0);
    static const char *const want[] = {"notes.txt", "a.yml", "b.yaml", "c.yaml"};
    expect_files(&s, want, N(want));
    kdo_suite_cleanup(&s);
    path_in(sub, sizeof sub, "sub"); /* a sub-folder is walked when it is given */
    ck_assert_int_eq(collect(&all, &s, sub, NULL), 0);
    static const char *const in_sub[] = {"sub/e.yaml"};
    expect_files(&s, in_sub, N(in_sub));
    kdo_suite_cleanup(&s);
}
END_TEST

START_TEST(test_a_missing_path_is_named_and_the_rest_collected)
{
    struct kdo_suite s;
    char missing[128];
    path_in(missing, sizeof missing, "nope.yaml");
    ck_assert_int_eq(collect(&all, &s, missing, dir), KDO_ENOENT);
    ck_assert_msg(strstr(err_text, "/nope.yaml: No such file or directory\n") != NULL,
                  "err: [%s]", err_text);
    static const char *const want[] = {"a.yml", "b.yaml", "c.yaml"};
    expect_files(&s, want, N(want));
    kdo_suite_cleanup(&s);
}
END_TEST

/* A scenario file in a folder that cannot be read (here a dangling link) is
 * named and the collection fails, never silently left out; the rest is
 * still collected. */
START_TEST(test_an_unreadable_scenario_in_a_folder_is_named)
{
    struct kdo_suite s;
    char link[128];
    path_in(link, sizeof link, "gone.yaml");
    ck_assert_int_eq(symlink("/nonexistent/kdo-suite-target.yaml", link), 0);
    ck_assert_int_eq(collect(&all, &s, dir, NULL), KDO_ENOENT);
    ck_assert_msg(strstr(err_text, "/gone.yaml: No such file or directory\n") != NULL,
                  "err: [%s]", err_text);
    static const char *const want[] = {"a.yml", "b.yaml", "c.yaml"};
    expect_files(&s, want, N(want));
    kdo_suite_cleanup(&s);
}
END_TEST

START_TEST(test_an_empty_folder_gives_no_files)
{
    struct kdo_suite s;
    char sub[128], e[128];
    path_in(sub, sizeof sub, "sub");
    path_in(e, sizeof e, "sub/e.yaml");
    ck_assert_int_eq(unlink(e), 0);
    ck_assert_int_eq(collect(&all, &s, sub, NULL), 0);
    ck_assert_uint_eq(s.n, 0);
    ck_assert_uint_eq(err_len, 0);
    kdo_suite_cleanup(&s);
    kdo_suite_cleanup(&s); /* twice is harmless */
}
END_TEST

/* More files than the first allocation holds, still sorted. */
START_TEST(test_many_files_stay_sorted)
{
    const char *want[43];
    char names[40][32];
    for (int i = 39; i >= 0; i--) { /* created in reverse */
        snprintf(names[i], sizeof names[i], "many-%02d.yaml", i);
        touch(names[i]);
    }
    want[0] = "a.yml";
    want[1] = "b.yaml";
    want[2] = "c.yaml";
    for (int i = 0; i < 40; i++)
        want[3 + i] = names[i];
    struct kdo_suite s;
    ck_assert_int_eq(collect(&all, &s, dir, NULL), 0);
    expect_files(&s, want, N(want));
    kdo_suite_cleanup(&s);
}
END_TEST

/* --- --filter and --shard ------------------------------------------------------ */

START_TEST(test_filter_keeps_paths_containing_the_text)
{
    struct kdo_suite s;
    struct kdo_suite_options o = {".yaml", 0, 0};
    ck_assert_int_eq(collect(&o, &s, dir, NULL), 0);
    static const char *const yaml[] = {"b.yaml", "c.yaml"};
    expect_files(&s, yaml, N(yaml));
    kdo_suite_cleanup(&s);
    o.filter = "kdo-suite-"; /* the folder's part of the path counts too */
    ck_assert_int_eq(collect(&o, &s, dir, NULL), 0);
    ck_assert_uint_eq(s.n, 3);
    kdo_suite_cleanup(&s);
    o.filter = "B.YAML"; /* case matters */
    ck_assert_int_eq(collect(&o, &s, dir, NULL), 0);
    ck_assert_uint_eq(s.n, 0);
    kdo_suite_cleanup(&s);
    o.filter = "";
    ck_assert_int_eq(collect(&o, &s, dir, NULL), 0);
    ck_assert_uint_eq(s.n, 3);
    kdo_suite_cleanup(&s);
}
END_TEST

/* With 7 files, shard i of 3 keeps files i-1, i+2, i+5: each file in exactly
 * one shard, the first shards never smaller than the later ones. */
START_TEST(test_shards_cover_the_suite_without_overlap)
{
    char names[4][32];
    for (int i = 0; i < 4; i++) {
        snprintf(names[i], sizeof names[i], "many-%02d.yaml", i);
        touch(names[i]);
    }
    struct kdo_suite everything;
    ck_assert_int_eq(collect(&all, &everything, dir, NULL), 0);
    ck_assert_uint_eq(everything.n, 7);
    int seen[7] = {0};
    const size_t size[3] = {3, 2, 2};
    for (unsigned shard = 1; shard <= 3; shard++) {
        struct kdo_suite s;
        struct kdo_suite_options o = {NULL, shard, 3};
        ck_assert_int_eq(collect(&o, &s, dir, NULL), 0);
        ck_assert_msg(s.n == size[shard - 1], "shard %u/3: %zu files", shard, s.n);
        for (size_t i = 0; i < s.n; i++) {
            size_t at = (shard - 1) + 3 * i;
            ck_assert_str_eq(s.files[i], everything.files[at]);
            seen[at]++;
        }
        kdo_suite_cleanup(&s);
    }
    for (size_t i = 0; i < 7; i++)
        ck_assert_msg(seen[i] == 1, "file %zu in %d shards", i, seen[i]);
    kdo_suite_cleanup(&everything);
}
END_TEST

START_TEST(test_shard_boundaries)
{
    struct kdo_suite s;
    struct kdo_suite_options one = {NULL, 1, 1};
    ck_assert_int_eq(collect(&one, &s, dir, NULL), 0); /* 1/1: all of it */
    ck_assert_uint_eq(s.n, 3);
    kdo_suite_cleanup(&s);
    struct kdo_suite_options last = {NULL, 3, 3};
    ck_assert_int_eq(collect(&last, &s, dir, NULL), 0);
    static const char *const third[] = {"c.yaml"};
    expect_files(&s, third, N(third));
    kdo_suite_cleanup(&s);
    struct kdo_suite_options past = {NULL, 4, 4}; /* more shards than files: nothing */
    ck_assert_int_eq(collect(&past, &s, dir, NULL), 0);
    ck_assert_uint_eq(s.n, 0);
    kdo_suite_cleanup(&s);
}
END_TEST

/* The shard is taken of the filtered files, so the shards of a filtered
 * suite still cover it. */
START_TEST(test_shards_count_only_the_filtered_files)
{
    struct kdo_suite s;
    struct kdo_suite_options o = {".yaml", 2, 2};
    ck_assert_int_eq(collect(&o, &s, dir, NULL), 0); /* b.yaml c.yaml -> c.yaml */
    static const char *const want[] = {"c.yaml"};
    expect_files(&s, want, N(want));
    kdo_suite_cleanup(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("suite");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"a_folder_gives_its_scenarios_sorted", test_a_folder_gives_its_scenarios_sorted},
        {"a_fifo_is_skipped_with_a_note", test_a_fifo_is_skipped_with_a_note},
        {"a_trailing_slash_adds_no_second_one", test_a_trailing_slash_adds_no_second_one},
        {"a_named_file_is_taken_as_given", test_a_named_file_is_taken_as_given},
        {"a_missing_path_is_named_and_the_rest_collected",
         test_a_missing_path_is_named_and_the_rest_collected},
        {"an_unreadable_scenario_in_a_folder_is_named",
         test_an_unreadable_scenario_in_a_folder_is_named},
        {"an_empty_folder_gives_no_files", test_an_empty_folder_gives_no_files},
        {"many_files_stay_sorted", test_many_files_stay_sorted},
        {"filter_keeps_paths_containing_the_text", test_filter_keeps_paths_containing_the_text},
        {"shards_cover_the_suite_without_overlap", test_shards_cover_the_suite_without_overlap},
        {"shard_boundaries", test_shard_boundaries},
        {"shards_count_only_the_filtered_files", test_shards_count_only_the_filtered_files},
    };
    for (size_t i = 0; i < N(cases); i++) {
        TCase *tc = tcase_create(cases[i].name);
        /* Unchecked: the parent makes and removes the folder, so a failing
         * test (its child exits at once) leaves nothing behind in /tmp. */
        tcase_add_unchecked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
