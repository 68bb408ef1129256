/*
 * test_contract.c -- the reason and planted-bug tables of emulator/delivery/contract.c.
 *
 * Journal names are what scenarios and reports match on, so each must be
 * unique, non-empty, lower case (snake_case reasons, kebab-case bugs) and
 * found again by name; each reason has an explanation and a source that is "doc" or "choice".  The limits
 * are the figures CONTRACT.md gives, written out here a second time.
 */
#include "delivery/contract.h"

#include "app/bug.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    int e;
    const char *name, *src, *text;
} reasons[] = {
#define ROW(e, name, src, text) {KDO_REASON_##e, name, src, text},
    KDO_REASON_MAP(ROW)
#undef ROW
};
#define N_REASONS (sizeof reasons / sizeof reasons[0])

/* Lower-case words joined by sep ('_' for reasons, '-' for bugs, as the
 * journal and --bug spell them). */
static int words(const char *s, char sep)
{
    if (*s == '\0' || *s == sep)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == sep))
            return 0;
    return s[-1] != sep;
}

START_TEST(test_reason_names_are_unique_snake_case_and_found_again)
{
    ck_assert_uint_eq(N_REASONS, KDO_REASON_COUNT);
    for (int r = 0; r < KDO_REASON_COUNT; r++) {
        const char *name = kdo_reason_name((enum kdo_reason)r);
        ck_assert_msg(words(name, '_'), "reason %d is named [%s]", r, name);
        ck_assert_str_eq(name, reasons[r].name);
        ck_assert_int_eq(reasons[r].e, r);
        ck_assert_msg(kdo_reason_from_name(name) == r, "[%s] finds %d, not %d", name,
                      kdo_reason_from_name(name), r);
        for (int k = 0; k < r; k++)
            ck_assert_msg(strcmp(name, kdo_reason_name((enum kdo_reason)k)) != 0,
                          "reasons %d and %d are both [%s]", k, r, name);
    }
}
END_TEST

START_TEST(test_each_reason_has_a_text_and_a_source)
{
    for (int r = 0; r < KDO_REASON_COUNT; r++) {
        const char *text = kdo_reason_text((enum kdo_reason)r);
        ck_assert_msg(strlen(text) >= 10, "reason %s has text [%s]", reasons[r].name, text);
        ck_assert_str_eq(text, reasons[r].text);
        ck_assert_msg(strcmp(reasons[r].src, "doc") == 0 || strcmp(reasons[r].src, "choice") == 0,
                      "reason %s has source [%s]", reasons[r].name, reasons[r].src);
        for (int k = 0; k < r; k++)
            ck_assert_msg(strcmp(text, kdo_reason_text((enum kdo_reason)k)) != 0,
                          "reasons %d and %d share a text", k, r);
    }
}
END_TEST

START_TEST(test_ok_is_first_and_out_of_range_is_unknown)
{
    ck_assert_str_eq(kdo_reason_name(KDO_REASON_OK), "ok");
    ck_assert_str_eq(kdo_reason_name(KDO_REASON_COUNT), "unknown");
    ck_assert_str_eq(kdo_reason_name((enum kdo_reason)-1), "unknown");
    ck_assert_str_eq(kdo_reason_text(KDO_REASON_COUNT), "unknown reason");
    ck_assert_int_eq(kdo_reason_from_name("no_such_reason"), -1);
    ck_assert_int_eq(kdo_reason_from_name(""), -1);
    ck_assert_int_eq(kdo_reason_from_name("Ok"), -1); /* names are case-sensitive */
    ck_assert_int_eq(kdo_reason_from_name("not_returne"), -1); /* no prefix matches */
}
END_TEST

START_TEST(test_bug_names_are_unique_and_found_again)
{
    ck_assert_int_gt(KDO_BUG_COUNT, 0);
    for (int b = 0; b < KDO_BUG_COUNT; b++) {
        const char *name = kdo_bug_name((enum kdo_bug)b);
        ck_assert_msg(words(name, '-'), "bug %d is named [%s]", b, name);
        ck_assert_msg(strlen(kdo_bug_text((enum kdo_bug)b)) > 0, "bug %s has no text", name);
        ck_assert_int_eq(kdo_bug_from_name(name), b);
        for (int k = 0; k < b; k++)
            ck_assert_msg(strcmp(name, kdo_bug_name((enum kdo_bug)k)) != 0,
                          "bugs %d and %d are both [%s]", k, b, name);
    }
    ck_assert_str_eq(kdo_bug_name(KDO_BUG_COUNT), "unknown");
    ck_assert_str_eq(kdo_bug_text(KDO_BUG_COUNT), "unknown");
    ck_assert_int_eq(kdo_bug_from_name("no_such_bug"), -1);
}
END_TEST

/* CONTRACT.md §2, §4, §6, §8. */
START_TEST(test_limits_are_the_documented_figures)
{
    ck_assert_uint_eq(KDO_MAX_EVENT_BYTES, 6291456);  /* 6 MiB request */
    ck_assert_uint_eq(KDO_MAX_REPLY_BYTES, 6291556);  /* response limit */
    ck_assert_uint_eq(KDO_MAX_ROW_BYTES, 512 * 1024); /* 512 KB row */
    ck_assert_int_eq(KDO_MAX_DESTINATIONS, 3);
    ck_assert_int_eq(KDO_FUNCTION_TIMEOUT_MIN_S, 1);
    ck_assert_int_eq(KDO_FUNCTION_TIMEOUT_MAX_S, 900);
    ck_assert_int_eq(KDO_FUNCTION_TIMEOUT_DEFAULT_S, 3);
    ck_assert_str_eq(KDO_RESULT_OK, "Ok");
    ck_assert_str_eq(KDO_RESULT_DELIVERY_FAILED, "DeliveryFailed");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("contract");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"reason_names_are_unique_snake_case_and_found_again",
         test_reason_names_are_unique_snake_case_and_found_again},
        {"each_reason_has_a_text_and_a_source", test_each_reason_has_a_text_and_a_source},
        {"ok_is_first_and_out_of_range_is_unknown", test_ok_is_first_and_out_of_range_is_unknown},
        {"bug_names_are_unique_and_found_again", test_bug_names_are_unique_and_found_again},
        {"limits_are_the_documented_figures", test_limits_are_the_documented_figures},
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
