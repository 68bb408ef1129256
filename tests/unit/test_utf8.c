/*
 * test_utf8.c -- UTF-8 as RFC 3629 defines it: emulator/base/utf8.c.
 *
 * A well-formed character is 1 to 4 bytes: no overlong forms (C0, C1, E0
 * 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing past U+10FFFF (F4
 * 90.., F5..FF), no lone or missing continuation bytes, and here no NUL.
 * Every boundary is tested on both sides: the last code point of each
 * length, the first one past it.  Repair replaces each offending byte by
 * U+FFFD and copies the rest unchanged; counting and prefixes work in code
 * points, never splitting one.
 */
#include "base/utf8.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct seq {
    const char *s;
    size_t n;     /* bytes */
    size_t want;  /* kdo_utf8_char's answer: its length, or 0 */
    const char *why;
};

#define SEQ(lit, want, why) {lit, sizeof(lit) - 1, want, why}

static void check_table(const struct seq *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t got = kdo_utf8_char(t[i].s, t[i].n);
        ck_assert_msg(got == t[i].want, "%s: kdo_utf8_char %zu, want %zu", t[i].why, got,
                      t[i].want);
        int valid = kdo_utf8_valid(t[i].s, t[i].n);
        ck_assert_msg(valid == (t[i].want == t[i].n), "%s: kdo_utf8_valid %d", t[i].why, valid);
    }
}

/* --- one character ---------------------------------------------------------- */

START_TEST(test_each_length_from_its_first_to_its_last_code_point)
{
    static const struct seq t[] = {
        SEQ("\x01", 1, "U+0001"),
        SEQ("\x7f", 1, "U+007F, the last single byte"),
        SEQ("\xc2\x80", 2, "U+0080, the first two-byte"),
        SEQ("\xdf\xbf", 2, "U+07FF, the last two-byte"),
        SEQ("\xe0\xa0\x80", 3, "U+0800, the first three-byte"),
        SEQ("\xed\x9f\xbf", 3, "U+D7FF, the last before the surrogates"),
        SEQ("\xee\x80\x80", 3, "U+E000, the first after them"),
        SEQ("\xef\xbf\xbf", 3, "U+FFFF, the last three-byte"),
        SEQ("\xf0\x90\x80\x80", 4, "U+10000, the first four-byte"),
        SEQ("\xf4\x8f\xbf\xbf", 4, "U+10FFFF, the last code point"),
        SEQ("\xe2\x82\xac", 3, "the euro sign"),
        SEQ("\xf0\x9f\x98\x80", 4, "an emoji"),
    };
    check_table(t, N(t));
}
END_TEST

/* kdo_utf8_put writes each length's first and last code point as the
 * table above spells it. */
START_TEST(test_put_writes_each_length_at_its_edges)
{
    static const struct {
        uint32_t cp;
        const char *bytes;
    } t[] = {
        {0x01, "\x01"},           {0x7F, "\x7f"},           {0x80, "\xc2\x80"},
        {0x7FF, "\xdf\xbf"},      {0x800, "\xe0\xa0\x80"}, {0xD7FF, "\xed\x9f\xbf"},
        {0xE000, "\xee\x80\x80"}, {0xFFFF, "\xef\xbf\xbf"}, {0x10000, "\xf0\x90\x80\x80"},
        {0x10FFFF, "\xf4\x8f\xbf\xbf"},
    };
    for (size_t i = 0; i < N(t); i++) {
        char out[4];
        size_t n = kdo_utf8_put(out, t[i].cp);
        ck_assert_uint_eq(n, strlen(t[i].bytes));
        ck_assert_msg(memcmp(out, t[i].bytes, n) == 0, "U+%04X written wrong", (unsigned)t[i].cp);
        ck_assert_uint_eq(kdo_utf8_char(out, n), n);
    }
}
END_TEST

START_TEST(test_overlong_forms_are_refused)
{
    static const struct seq t[] = {
        SEQ("\xc0\x80", 0, "overlong NUL (C0 80)"),
        SEQ("\xc0\xaf", 0, "overlong '/'"),
        SEQ("\xc1\xbf", 0, "overlong U+007F"),
        SEQ("\xe0\x80\x80", 0, "overlong three-byte NUL"),
        SEQ("\xe0\x9f\xbf", 0, "overlong U+07FF in three bytes"),
        SEQ("\xf0\x80\x80\x80", 0, "overlong four-byte NUL"),
        SEQ("\xf0\x8f\xbf\xbf", 0, "overlong U+FFFF in four bytes"),
        SEQ("\xf8\x88\x80\x80\x80", 0, "five-byte form"),
        SEQ("\xfc\x84\x80\x80\x80\x80", 0, "six-byte form"),
    };
    check_table(t, N(t));
}
END_TEST

START_TEST(test_surrogates_and_code_points_past_the_last_are_refused)
{
    static const struct seq t[] = {
        SEQ("\xed\xa0\x80", 0, "U+D800, the first surrogate"),
        SEQ("\xed\xaf\xbf", 0, "U+DBFF"),
        SEQ("\xed\xb0\x80", 0, "U+DC00"),
        SEQ("\xed\xbf\xbf", 0, "U+DFFF, the last surrogate"),
        SEQ("\xed\xa0\xbd\xed\xb8\x80", 0, "a surrogate pair (CESU-8)"),
        SEQ("\xf4\x90\x80\x80", 0, "U+110000, one past the last"),
        SEQ("\xf5\x80\x80\x80", 0, "lead byte F5"),
        SEQ("\xf7\xbf\xbf\xbf", 0, "U+1FFFFF"),
        SEQ("\xfe", 0, "byte FE"),
        SEQ("\xff", 0, "byte FF"),
    };
    check_table(t, N(t));
}
END_TEST

START_TEST(test_truncated_and_broken_sequences_are_refused)
{
    static const struct seq t[] = {
        SEQ("\xc3", 0, "two-byte lead alone"),
        SEQ("\xe2\x82", 0, "three-byte cut after two"),
        SEQ("\xe2", 0, "three-byte cut after one"),
        SEQ("\xf0\x9f\x98", 0, "four-byte cut after three"),
        SEQ("\xf0\x9f", 0, "four-byte cut after two"),
        SEQ("\x80", 0, "a lone continuation byte"),
        SEQ("\xbf", 0, "the last continuation byte alone"),
        SEQ("\xc3\x28", 0, "a lead byte followed by ASCII"),
        SEQ("\xe2\x28\xa1", 0, "second byte not a continuation"),
        SEQ("\xe2\x82\x28", 0, "third byte not a continuation"),
        SEQ("\xf0\x9f\x98\x28", 0, "fourth byte not a continuation"),
        SEQ("\xe2\x82\xc3\xa9", 0, "a new lead byte where a continuation belongs"),
    };
    check_table(t, N(t));
}
END_TEST

START_TEST(test_nul_and_empty)
{
    ck_assert_uint_eq(kdo_utf8_char("\0", 1), 0);   /* no row text holds one */
    ck_assert_uint_eq(kdo_utf8_char("a", 0), 0);    /* nothing to read */
    ck_assert_int_eq(kdo_utf8_valid("", 0), 1);     /* empty text is well-formed */
    ck_assert_int_eq(kdo_utf8_valid("a\0b", 3), 0); /* a NUL anywhere */
}
END_TEST

/* A character is judged on the n bytes given, never by reading past them. */
START_TEST(test_a_character_cut_by_n_is_refused)
{
    const char *euro = "\xe2\x82\xac";
    ck_assert_uint_eq(kdo_utf8_char(euro, 3), 3);
    ck_assert_uint_eq(kdo_utf8_char(euro, 2), 0);
    ck_assert_uint_eq(kdo_utf8_char(euro, 1), 0);
    ck_assert_int_eq(kdo_utf8_valid("ab\xe2\x82\xac", 4), 0);
    ck_assert_uint_eq(kdo_utf8_char("ab", 1), 1);
}
END_TEST

/* --- whole texts ------------------------------------------------------------ */

START_TEST(test_valid_finds_a_bad_byte_anywhere)
{
    const char good[] = "caf\xc3\xa9 \xe2\x82\xac 5 \xf0\x9f\x98\x80!";
    size_t n = sizeof good - 1;
    ck_assert_int_eq(kdo_utf8_valid(good, n), 1);
    for (size_t at = 0; at <= n; at++) {
        char bad[64];
        memcpy(bad, good, at);
        bad[at] = '\xff';
        memcpy(bad + at + 1, good + at, n - at);
        ck_assert_msg(kdo_utf8_valid(bad, n + 1) == 0, "FF at %zu accepted", at);
    }
}
END_TEST

static void expect_repair(const char *in, size_t n, const char *want, size_t want_n)
{
    char out[64];
    ck_assert_uint_le(3 * n, sizeof out);
    memset(out, 'x', sizeof out);
    size_t got = kdo_utf8_repair(out, in, n);
    ck_assert_msg(got == want_n && memcmp(out, want, want_n) == 0, "repair of %zu bytes: %zu bytes [%.*s]",
                  n, got, (int)got, out);
    ck_assert_msg(kdo_utf8_valid(out, got), "the repaired text is not well-formed");
    ck_assert_uint_le(got, 3 * n); /* the documented room */
}

#define FFFD "\xef\xbf\xbd"
#define REPAIR(in, want) expect_repair(in, sizeof(in) - 1, want, sizeof(want) - 1)

START_TEST(test_repair_replaces_each_offending_byte)
{
    REPAIR("", "");
    REPAIR("plain text", "plain text");
    REPAIR("caf\xc3\xa9 \xf4\x8f\xbf\xbf", "caf\xc3\xa9 \xf4\x8f\xbf\xbf"); /* unchanged */
    REPAIR("a\0b", "a" FFFD "b");
    REPAIR("\xff", FFFD);
    REPAIR("\xc0\x80", FFFD FFFD);                      /* overlong: both bytes */
    REPAIR("\xed\xa0\x80", FFFD FFFD FFFD);              /* a surrogate: all three */
    REPAIR("x\xe2\x82", "x" FFFD FFFD);                  /* truncated at the end */
    REPAIR("\xe2\x82(", FFFD FFFD "(");                  /* broken by ASCII */
    REPAIR("\xe2\x82\xc3\xa9", FFFD FFFD "\xc3\xa9");    /* the next character survives */
    REPAIR("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80",   /* the worst case: 3 bytes for 1 */
           FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD);
}
END_TEST

START_TEST(test_length_counts_code_points)
{
    ck_assert_uint_eq(kdo_utf8_length("", 0), 0);
    ck_assert_uint_eq(kdo_utf8_length("abc", 3), 3);
    ck_assert_uint_eq(kdo_utf8_length("caf\xc3\xa9", 5), 4);
    ck_assert_uint_eq(kdo_utf8_length("\xe2\x82\xac\xf0\x9f\x98\x80", 7), 2);
    ck_assert_uint_eq(kdo_utf8_length("\xf4\x8f\xbf\xbf", 4), 1);
}
END_TEST

START_TEST(test_prefix_never_splits_a_code_point)
{
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"; /* a é € 😀 z: 11 bytes */
    const size_t n = 11;
    const size_t want[] = {0, 1, 3, 6, 10, 11, 11};
    for (size_t k = 0; k < N(want); k++)
        ck_assert_msg(kdo_utf8_prefix(s, n, k) == want[k], "%zu code points: %zu bytes, want %zu",
                      k, kdo_utf8_prefix(s, n, k), want[k]);
    ck_assert_uint_eq(kdo_utf8_prefix(s, n, SIZE_MAX), n);
    ck_assert_uint_eq(kdo_utf8_prefix("", 0, 5), 0);
    ck_assert_uint_eq(kdo_utf8_prefix(s, 2, 1), 1); /* stops at n too */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("utf8");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"each_length_from_its_first_to_its_last_code_point",
         test_each_length_from_its_first_to_its_last_code_point},
        {"put_writes_each_length_at_its_edges", test_put_writes_each_length_at_its_edges},
        {"overlong_forms_are_refused", test_overlong_forms_are_refused},
        {"surrogates_and_code_points_past_the_last_are_refused",
         test_surrogates_and_code_points_past_the_last_are_refused},
        {"truncated_and_broken_sequences_are_refused",
         test_truncated_and_broken_sequences_are_refused},
        {"nul_and_empty", test_nul_and_empty},
        {"a_character_cut_by_n_is_refused", test_a_character_cut_by_n_is_refused},
        {"valid_finds_a_bad_byte_anywhere", test_valid_finds_a_bad_byte_anywhere},
        {"repair_replaces_each_offending_byte", test_repair_replaces_each_offending_byte},
        {"length_counts_code_points", test_length_counts_code_points},
        {"prefix_never_splits_a_code_point", test_prefix_never_splits_a_code_point},
    };
    for (size_t i = 0; i < N(cases); i++) {
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
