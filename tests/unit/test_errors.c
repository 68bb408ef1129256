/*
 * test_errors.c -- the one error table of emulator/base/errors.c.
 *
 * The table must be complete (every public KDO_E* code has its own
 * sentence), unique (no two codes share a value or a sentence) and closed
 * (anything else is "unknown error").  Error details format as
 * file:line:column, and the aborting allocators hand out what they promise.
 */
#include "base/errors.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

/* Written out by hand: a code added to the table without a public name (or
 * the reverse) shows up as a count mismatch. */
static const int public_codes[] = {KDO_EINVAL, KDO_ETOOBIG, KDO_EROWSIZE, KDO_EFULL, KDO_EPARSE,
                                   KDO_EDEPTH, KDO_EIO,     KDO_ENOENT,   KDO_ESCHEMA, KDO_ESTATE};
#define N_PUBLIC (sizeof public_codes / sizeof public_codes[0])

static const struct {
    int code;
    const char *text;
} table[] = {
#define ROW(name, text) {KDO__ERR_VALUE(name), text},
    KDO_ERRNO_MAP(ROW)
#undef ROW
};
#define N_TABLE (sizeof table / sizeof table[0])

START_TEST(test_every_public_code_is_in_the_table)
{
    ck_assert_uint_eq(N_TABLE, N_PUBLIC);
    for (size_t i = 0; i < N_PUBLIC; i++) {
        size_t found = 0;
        for (size_t k = 0; k < N_TABLE; k++)
            found += table[k].code == public_codes[i];
        ck_assert_msg(found == 1, "code %d appears %zu times in the table", public_codes[i],
                      found);
    }
}
END_TEST

START_TEST(test_codes_are_negative_and_distinct)
{
    for (size_t i = 0; i < N_TABLE; i++) {
        ck_assert_msg(table[i].code < 0, "code %zu is %d, not negative", i, table[i].code);
        for (size_t k = i + 1; k < N_TABLE; k++)
            ck_assert_msg(table[i].code != table[k].code, "codes %zu and %zu are both %d", i, k,
                          table[i].code);
    }
}
END_TEST

START_TEST(test_each_code_has_its_own_sentence)
{
    for (size_t i = 0; i < N_TABLE; i++) {
        const char *s = kdo_strerror(table[i].code);
        ck_assert_msg(strcmp(s, table[i].text) == 0, "kdo_strerror(%d) = [%s], want [%s]",
                      table[i].code, s, table[i].text);
        ck_assert_msg(strlen(s) > 0 && strcmp(s, "unknown error") != 0 && strcmp(s, "success") != 0,
                      "code %d has no sentence of its own: [%s]", table[i].code, s);
        for (size_t k = 0; k < i; k++)
            ck_assert_msg(strcmp(s, kdo_strerror(table[k].code)) != 0,
                          "codes %d and %d share [%s]", table[i].code, table[k].code, s);
    }
}
END_TEST

START_TEST(test_zero_is_success_and_anything_else_unknown)
{
    ck_assert_str_eq(kdo_strerror(0), "success");
    ck_assert_str_eq(kdo_strerror(1), "unknown error");
    ck_assert_str_eq(kdo_strerror(-(int)N_TABLE - 1), "unknown error");
    ck_assert_str_eq(kdo_strerror(-1000), "unknown error");
    ck_assert_str_eq(kdo_strerror(-2147483647 - 1), "unknown error");
}
END_TEST

START_TEST(test_errinfo_set_fills_and_returns_the_code)
{
    struct kdo_errinfo e;
    memset(&e, 0x55, sizeof e);
    int r = kdo_errinfo_set(&e, KDO_EPARSE, "a.yaml", 3, 14, "bad %s at %d", "key", 7);
    ck_assert_int_eq(r, KDO_EPARSE);
    ck_assert_str_eq(e.file, "a.yaml");
    ck_assert_int_eq(e.line, 3);
    ck_assert_int_eq(e.column, 14);
    ck_assert_str_eq(e.msg, "bad key at 7");
    ck_assert_int_eq(kdo_errinfo_set(NULL, KDO_EIO, "x", 1, 1, "ignored"), KDO_EIO);
}
END_TEST

START_TEST(test_errinfo_message_is_cut_to_fit)
{
    struct kdo_errinfo e;
    char big[2000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    kdo_errinfo_set(&e, KDO_EINVAL, NULL, 0, 0, "%s", big);
    ck_assert_uint_eq(strlen(e.msg), sizeof e.msg - 1);
}
END_TEST

START_TEST(test_errinfo_format_with_and_without_position)
{
    struct kdo_errinfo e;
    char out[128];
    kdo_errinfo_set(&e, KDO_EPARSE, "s.yaml", 12, 5, "unknown key");
    kdo_errinfo_format(&e, out, sizeof out);
    ck_assert_str_eq(out, "s.yaml:12:5: unknown key");
    kdo_errinfo_set(&e, KDO_EPARSE, NULL, 2, 1, "oops");
    kdo_errinfo_format(&e, out, sizeof out);
    ck_assert_str_eq(out, "<input>:2:1: oops");
    kdo_errinfo_set(&e, KDO_EIO, "rules.yaml", 0, 0, "cannot read");
    kdo_errinfo_format(&e, out, sizeof out);
    ck_assert_str_eq(out, "rules.yaml: cannot read");
    char tiny[8];
    memset(tiny, 'X', sizeof tiny);
    kdo_errinfo_format(&e, tiny, sizeof tiny);
    ck_assert_str_eq(tiny, "rules.y"); /* cut, and always terminated */
}
END_TEST

START_TEST(test_allocators_hand_out_what_they_promise)
{
    char *p = kdo_xmalloc(0); /* a usable, freeable pointer even for 0 */
    ck_assert_ptr_nonnull(p);
    free(p);
    unsigned char *z = kdo_xcalloc(64, 4);
    for (size_t i = 0; i < 256; i++)
        ck_assert_int_eq(z[i], 0);
    z = kdo_xrealloc(z, 4096);
    ck_assert_int_eq(z[255], 0); /* realloc keeps the old bytes */
    free(z);
    char *d = kdo_xstrdup("kdaout");
    ck_assert_str_eq(d, "kdaout");
    free(d);
    char *n = kdo_xstrndup("abc\0def", 7); /* counted, not stopped by NUL */
    ck_assert_int_eq(memcmp(n, "abc\0def", 8), 0);
    free(n);
    n = kdo_xstrndup("abcdef", 3);
    ck_assert_str_eq(n, "abc");
    free(n);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("errors");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"every_public_code_is_in_the_table", test_every_public_code_is_in_the_table},
        {"codes_are_negative_and_distinct", test_codes_are_negative_and_distinct},
        {"each_code_has_its_own_sentence", test_each_code_has_its_own_sentence},
        {"zero_is_success_and_anything_else_unknown", test_zero_is_success_and_anything_else_unknown},
        {"errinfo_set_fills_and_returns_the_code", test_errinfo_set_fills_and_returns_the_code},
        {"errinfo_message_is_cut_to_fit", test_errinfo_message_is_cut_to_fit},
        {"errinfo_format_with_and_without_position", test_errinfo_format_with_and_without_position},
        {"allocators_hand_out_what_they_promise", test_allocators_hand_out_what_they_promise},
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
