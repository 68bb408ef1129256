/*
 * test_suggest.c -- "did you mean" of conformance/suggest.c.
 *
 * Distances are the textbook Levenshtein figures (kitten/sitting is 3,
 * flaw/lawn 2).  The ranking: the nearest candidate wins, a tie goes to the
 * one listed first, nothing is offered past the closeness limit (the word's
 * length / 3 + 1 edits, at most 3), and a word of 4 bytes or more that is
 * the start of exactly one candidate is taken as that candidate cut short.
 */
#include "suggest.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_distance_is_levenshtein)
{
    static const struct {
        const char *a, *b;
        size_t want;
    } cases[] = {
        {"", "", 0},           {"abc", "abc", 0},       {"", "abc", 3},
        {"abc", "", 3},        {"kitten", "sitting", 3}, {"sitting", "kitten", 3},
        {"flaw", "lawn", 2},   {"retries", "retires", 2}, {"latency", "latancy", 1},
        {"abc", "abcd", 1},    {"abcd", "abc", 1},      {"Ok", "ok", 1}, /* case counts */
        {"saturday", "sunday", 3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t d = kdo_suggest_distance(cases[i].a, cases[i].b);
        ck_assert_msg(d == cases[i].want, "d(%s, %s) = %zu, want %zu", cases[i].a, cases[i].b, d,
                      cases[i].want);
    }
}
END_TEST

START_TEST(test_words_of_63_bytes_or_more_are_far_from_everything)
{
    char long_word[64];
    memset(long_word, 'a', 63);
    long_word[63] = '\0';
    ck_assert_uint_eq(kdo_suggest_distance(long_word, long_word), 99);
    ck_assert_uint_eq(kdo_suggest_distance("a", long_word), 99);
    long_word[62] = '\0'; /* 62 bytes still computes */
    ck_assert_uint_eq(kdo_suggest_distance(long_word, long_word), 0);
    ck_assert_uint_eq(kdo_suggest_distance(long_word, ""), 62);
}
END_TEST

static const char *const actions[] = {"delivery_failed", "omit",    "wrong_id", "missing_id",
                                      "latency",         "timeout", "throttle", "hang",
                                      NULL};

START_TEST(test_the_nearest_candidate_wins)
{
    ck_assert_str_eq(kdo_suggest_nearest("timout", actions), "timeout");
    ck_assert_str_eq(kdo_suggest_nearest("throtle", actions), "throttle");
    ck_assert_str_eq(kdo_suggest_nearest("wrong-id", actions), "wrong_id");
    ck_assert_str_eq(kdo_suggest_nearest("misssing_id", actions), "missing_id");
    ck_assert_str_eq(kdo_suggest_nearest("latency", actions), "latency"); /* exact */
}
END_TEST

START_TEST(test_a_tie_goes_to_the_first_listed)
{
    static const char *const ab[] = {"cat", "car", NULL}, *const ba[] = {"car", "cat", NULL};
    ck_assert_str_eq(kdo_suggest_nearest("cax", ab), "cat");
    ck_assert_str_eq(kdo_suggest_nearest("cax", ba), "car");
    static const char *const near_far[] = {"hang", "hung", "hangs", NULL};
    ck_assert_str_eq(kdo_suggest_nearest("hanh", near_far), "hang"); /* 1 beats 2 */
}
END_TEST

START_TEST(test_nothing_past_the_closeness_limit)
{
    /* 3 bytes: at most 2 edits. */
    static const char *const one[] = {"abc", NULL};
    ck_assert_str_eq(kdo_suggest_nearest("axy", one), "abc");
    ck_assert_ptr_null(kdo_suggest_nearest("xyz", one));
    /* 12 bytes: 12 / 3 + 1 = 5, capped at 3 edits. */
    static const char *const word[] = {"abcdefghijkl", NULL};
    ck_assert_str_eq(kdo_suggest_nearest("abcdefghiXYZ", word), "abcdefghijkl");
    ck_assert_ptr_null(kdo_suggest_nearest("abcdefghWXYZ", word));
    ck_assert_ptr_null(kdo_suggest_nearest("zzzzzzz", actions));
    static const char *const none[] = {NULL};
    ck_assert_ptr_null(kdo_suggest_nearest("timeout", none));
}
END_TEST

START_TEST(test_a_word_cut_short_means_its_one_completion)
{
    static const char *const facts[] = {"failures.http_status", "failures.transport",
                                        "delivered.records", NULL};
    /* Far by distance, but the start of exactly one candidate. */
    ck_assert_str_eq(kdo_suggest_nearest("delivered", facts), "delivered.records");
    /* The start of two: no completion is guessed, and both are far. */
    ck_assert_ptr_null(kdo_suggest_nearest("failures", facts));
    /* Under 4 bytes a prefix is not enough. */
    static const char *const longer[] = {"abcdefgh", NULL};
    ck_assert_ptr_null(kdo_suggest_nearest("abc", longer));
    ck_assert_str_eq(kdo_suggest_nearest("abcd", longer), "abcdefgh");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("suggest");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"distance_is_levenshtein", test_distance_is_levenshtein},
        {"words_of_63_bytes_or_more_are_far_from_everything",
         test_words_of_63_bytes_or_more_are_far_from_everything},
        {"the_nearest_candidate_wins", test_the_nearest_candidate_wins},
        {"a_tie_goes_to_the_first_listed", test_a_tie_goes_to_the_first_listed},
        {"nothing_past_the_closeness_limit", test_nothing_past_the_closeness_limit},
        {"a_word_cut_short_means_its_one_completion", test_a_word_cut_short_means_its_one_completion},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
