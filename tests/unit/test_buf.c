/*
 * test_buf.c -- bounded buffers of emulator/base/buf.c.
 *
 * A buffer fills to exactly its maximum and refuses one byte more with
 * KDO_ETOOBIG, leaving its contents as they were -- for append, printf and
 * JSON strings alike; it never allocates past max + 1 (the NUL).  JSON
 * string escaping is checked against jansson, an independent parser: every
 * byte from 0x00 to 0x7f survives the round trip.
 */
#include "base/buf.h"

#include "base/errors.h"

#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

START_TEST(test_fills_to_exactly_max_then_refuses)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 10);
    ck_assert_int_eq(kdo_buf_append(&b, "0123456", 7), 0);
    ck_assert_int_eq(kdo_buf_append(&b, "789", 3), 0);
    ck_assert_uint_eq(b.len, 10);
    ck_assert_str_eq(b.data, "0123456789");
    ck_assert_int_eq(kdo_buf_append(&b, "x", 1), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_buf_puts(&b, "y"), KDO_ETOOBIG);
    ck_assert_uint_eq(b.len, 10);
    ck_assert_str_eq(b.data, "0123456789");
    ck_assert_int_eq(kdo_buf_append(&b, "", 0), 0); /* nothing more always fits */
    ck_assert_uint_le(b.cap, 11);                     /* max + the NUL, no more */
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(test_one_append_past_max_leaves_the_buffer_unchanged)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 8);
    ck_assert_int_eq(kdo_buf_puts(&b, "abc"), 0);
    ck_assert_int_eq(kdo_buf_append(&b, "123456", 6), KDO_ETOOBIG);
    ck_assert_uint_eq(b.len, 3);
    ck_assert_str_eq(b.data, "abc");
    ck_assert_int_eq(kdo_buf_reserve(&b, SIZE_MAX), KDO_ETOOBIG); /* no wrap-around */
    ck_assert_int_eq(kdo_buf_reserve(&b, SIZE_MAX - 1), KDO_ETOOBIG);
    ck_assert_uint_eq(b.len, 3);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(test_max_zero_holds_only_the_empty_string)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 0);
    ck_assert_int_eq(kdo_buf_append(&b, "", 0), 0);
    ck_assert_str_eq(b.data, "");
    ck_assert_int_eq(kdo_buf_append(&b, "a", 1), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_buf_json_string(&b, "", 0), KDO_ETOOBIG); /* "" is 2 bytes */
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(test_growth_keeps_contents_and_terminates)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 20);
    for (int i = 0; i < 10000; i++)
        ck_assert_int_eq(kdo_buf_append(&b, &"0123456789"[i % 10], 1), 0);
    ck_assert_uint_eq(b.len, 10000);
    for (int i = 0; i < 10000; i++)
        ck_assert_int_eq(b.data[i], '0' + i % 10);
    ck_assert_int_eq(b.data[b.len], '\0');
    kdo_buf_reset(&b);
    ck_assert_uint_eq(b.len, 0);
    ck_assert_str_eq(b.data, "");
    kdo_buf_cleanup(&b);
    ck_assert_ptr_null(b.data);
    ck_assert_uint_eq(b.max, 1 << 20); /* cleanup keeps the bound for reuse */
}
END_TEST

START_TEST(test_printf_appends_and_respects_max)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 12);
    ck_assert_int_eq(kdo_buf_printf(&b, "%s=%d", "n", 42), 0);
    ck_assert_int_eq(kdo_buf_printf(&b, ",%03d", 7), 0);
    ck_assert_str_eq(b.data, "n=42,007");
    ck_assert_int_eq(kdo_buf_printf(&b, "%s", "12345"), KDO_ETOOBIG); /* 13 > 12 */
    ck_assert_str_eq(b.data, "n=42,007");
    ck_assert_int_eq(kdo_buf_printf(&b, "%s", "1234"), 0); /* exactly 12 */
    ck_assert_str_eq(b.data, "n=42,0071234");
    kdo_buf_cleanup(&b);
}
END_TEST

static void expect_json(const char *in, size_t n, const char *want)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1024);
    ck_assert_int_eq(kdo_buf_json_string(&b, in, n), 0);
    ck_assert_msg(b.len == strlen(want) && strcmp(b.data, want) == 0, "got [%s], want [%s]",
                  b.data, want);
    kdo_buf_cleanup(&b);
}

START_TEST(test_json_string_escapes_what_json_requires)
{
    expect_json("plain", 5, "\"plain\"");
    expect_json("", 0, "\"\"");
    expect_json("a\"b\\c", 5, "\"a\\\"b\\\\c\"");
    expect_json("\n\t\r", 3, "\"\\n\\t\\r\"");
    expect_json("\x01\x1f", 2, "\"\\u0001\\u001f\"");
    expect_json("a\0b", 3, "\"a\\u0000b\"");
    expect_json("/\x7f\xc3\xa9", 4, "\"/\x7f\xc3\xa9\""); /* DEL, '/' and UTF-8 pass through */
}
END_TEST

START_TEST(test_json_string_round_trips_through_jansson)
{
    char all[128];
    for (int i = 0; i < 128; i++)
        all[i] = (char)i;
    struct kdo_buf b;
    kdo_buf_init(&b, 4096);
    ck_assert_int_eq(kdo_buf_json_string(&b, all, sizeof all), 0);
    json_error_t e;
    json_t *j = json_loadb(b.data, b.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    ck_assert_msg(j != NULL, "not JSON (%s): %s", e.text, b.data);
    ck_assert(json_is_string(j));
    ck_assert_uint_eq(json_string_length(j), sizeof all);
    ck_assert_int_eq(memcmp(json_string_value(j), all, sizeof all), 0);
    json_decref(j);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(test_json_string_past_max_leaves_the_buffer_unchanged)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 10);
    ck_assert_int_eq(kdo_buf_puts(&b, "ab"), 0);
    ck_assert_int_eq(kdo_buf_json_string(&b, "123456", 6), 0); /* 2 + 8 = 10 */
    ck_assert_str_eq(b.data, "ab\"123456\"");
    ck_assert_int_eq(kdo_buf_json_string(&b, "", 0), KDO_ETOOBIG);
    ck_assert_str_eq(b.data, "ab\"123456\"");
    kdo_buf_cleanup(&b);
}
END_TEST

/* The escaping is sized by its worst case (every byte as \u00XX); near the
 * maximum that estimate must not refuse a string that fits. */
START_TEST(test_json_escaped_string_that_fits_is_not_refused)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 40);
    char s[34];
    memset(s, 'x', sizeof s);
    s[0] = '"';
    s[33] = '\n'; /* 34 bytes -> 36 escaped + 2 quotes = 38 */
    ck_assert_int_eq(kdo_buf_json_string(&b, s, sizeof s), 0);
    ck_assert_uint_eq(b.len, 38);
    ck_assert_int_eq(kdo_buf_json_string(&b, "\n", 1), KDO_ETOOBIG); /* 4 more: 42 */
    ck_assert_uint_eq(b.len, 38);
    kdo_buf_cleanup(&b);

    /* A short escaped string near the maximum: the worst case ("\n" as
     * 6 bytes + quotes = 8) must not refuse its 4 bytes. */
    kdo_buf_init(&b, 6);
    ck_assert_int_eq(kdo_buf_json_string(&b, "\n", 1), 0);
    ck_assert_int_eq(kdo_buf_json_string(&b, "", 0), 0);
    ck_assert_str_eq(b.data, "\"\\n\"\"\"");
    ck_assert_uint_eq(b.len, 6);
    ck_assert_int_eq(kdo_buf_json_string(&b, "", 0), KDO_ETOOBIG);
    kdo_buf_cleanup(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("buf");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"fills_to_exactly_max_then_refuses", test_fills_to_exactly_max_then_refuses},
        {"one_append_past_max_leaves_the_buffer_unchanged",
         test_one_append_past_max_leaves_the_buffer_unchanged},
        {"max_zero_holds_only_the_empty_string", test_max_zero_holds_only_the_empty_string},
        {"growth_keeps_contents_and_terminates", test_growth_keeps_contents_and_terminates},
        {"printf_appends_and_respects_max", test_printf_appends_and_respects_max},
        {"json_string_escapes_what_json_requires", test_json_string_escapes_what_json_requires},
        {"json_string_round_trips_through_jansson", test_json_string_round_trips_through_jansson},
        {"json_string_past_max_leaves_the_buffer_unchanged",
         test_json_string_past_max_leaves_the_buffer_unchanged},
        {"json_escaped_string_that_fits_is_not_refused",
         test_json_escaped_string_that_fits_is_not_refused},
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
