/*
 * test_json.c -- the strict scanner of emulator/base/json.c.
 *
 * One test case per rule of the scanner: each pins inputs it must accept and
 * inputs it must refuse (with the error code and, where it matters, the byte
 * offset), so loosening any rule fails a test.  A cross-check compares accept
 * or refuse with jansson on tricky inputs; the known, documented differences
 * (numbers out of int64/double range, NUL in keys, jansson's depth 2048) are
 * pinned separately.  It does not measure speed (tests/bench does).
 */
#include "base/json.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEPTH 64
#define MAX_BYTES ((size_t)1 << 20)

static struct kdo_json *j;

static void setup(void)
{
    j = kdo_json_new(DEPTH, MAX_BYTES);
    ck_assert_ptr_nonnull(j);
}

static void teardown(void)
{
    kdo_json_free(j);
    j = NULL;
}

/* An input with an explicit length (it may hold NUL bytes). */
struct doc {
    const char *s;
    size_t n; /* 0: strlen(s) */
    int want; /* expected return of kdo_json_check */
    long at;  /* expected error offset, or -1 for "don't care" */
};

#define OK(s)                                                                                      \
    {                                                                                              \
        s, 0, 0, -1                                                                                \
    }
#define BAD(s, at)                                                                                 \
    {                                                                                              \
        s, 0, KDO_EPARSE, at                                                                       \
    }
#define BADN(s, n, at)                                                                             \
    {                                                                                              \
        s, n, KDO_EPARSE, at                                                                       \
    }

static size_t doc_len(const struct doc *d)
{
    return d->n ? d->n : strlen(d->s);
}

static void expect_doc(const struct doc *d)
{
    int err = kdo_json_check(j, d->s, doc_len(d));
    const struct kdo_json_error *e = kdo_json_error(j);
    ck_assert_msg(err == d->want, "input [%.*s]: got %d (%s), want %d", (int)doc_len(d), d->s, err,
                  e ? e->msg : "accepted", d->want);
    if (d->want) {
        ck_assert_ptr_nonnull(e);
        ck_assert_int_eq(e->code, d->want);
        ck_assert_str_ne(e->msg, "");
        if (d->at >= 0)
            ck_assert_msg((long)e->offset == d->at, "input [%s]: error at %zu, want %ld (%s)", d->s,
                          e->offset, d->at, e->msg);
    } else {
        ck_assert_ptr_null(e);
    }
}

static void expect_table(const struct doc *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect_doc(&t[i]);
}

#define EXPECT_TABLE(t) expect_table(t, sizeof t / sizeof t[0])

/* ---- tokens --------------------------------------------------------------- */

START_TEST(test_tokens_in_order)
{
    const char *s = " {\"a\": [1, \"x\", true, false, null, -2.5e3], \"b\": {}} ";
    static const struct {
        enum kdo_json_type type;
        int depth;
        size_t offset;
        const char *text;
    } want[] = {
        {KDO_JSON_OBJECT, 0, 1, NULL},      {KDO_JSON_KEY, 1, 2, "a"},
        {KDO_JSON_ARRAY, 1, 7, NULL},       {KDO_JSON_NUMBER, 2, 8, "1"},
        {KDO_JSON_STRING, 2, 11, "x"},      {KDO_JSON_TRUE, 2, 16, NULL},
        {KDO_JSON_FALSE, 2, 22, NULL},      {KDO_JSON_NULL, 2, 29, NULL},
        {KDO_JSON_NUMBER, 2, 35, "-2.5e3"}, {KDO_JSON_ARRAY_END, 1, 41, NULL},
        {KDO_JSON_KEY, 1, 44, "b"},         {KDO_JSON_OBJECT, 1, 49, NULL},
        {KDO_JSON_OBJECT_END, 1, 50, NULL}, {KDO_JSON_OBJECT_END, 0, 51, NULL},
        {KDO_JSON_END, 0, 53, NULL},
    };
    struct kdo_json_tok t;
    ck_assert_int_eq(kdo_json_reset(j, s, strlen(s)), 0);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_int_eq(kdo_json_next(j, &t), 0);
        ck_assert_int_eq(t.type, want[i].type);
        ck_assert_int_eq(t.depth, want[i].depth);
        ck_assert_uint_eq(t.offset, want[i].offset);
        if (want[i].text) {
            ck_assert_uint_eq(t.len, strlen(want[i].text));
            ck_assert_mem_eq(t.s, want[i].text, t.len);
        }
    }
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_END); /* END repeats */
}
END_TEST

START_TEST(test_top_level_scalars)
{
    static const struct doc t[] = {
        OK("0"),  OK("\"\""), OK("true"), OK(" null "),
        OK("-0"), OK("[]"),   OK("{}"),   OK("\t\r\n [ ] \n"),
    };
    EXPECT_TABLE(t);
}
END_TEST

/* ---- grammar -------------------------------------------------------------- */

START_TEST(test_grammar_refused)
{
    static const struct doc t[] = {
        BAD("", 0),
        BAD("   ", 3),
        BAD("[", 1),
        BAD("[1", 2),
        BAD("[1,]", 3),
        BAD("[,1]", 1),
        BAD("{\"a\":1,}", 7),
        BAD("{,}", 1),
        BAD("{\"a\"}", 4),
        BAD("{\"a\" 1}", 5),
        BAD("{\"a\":}", 5),
        BAD("{1:2}", 1),
        BAD("{'a':1}", 1),
        BAD("{a:1}", 1),
        BAD("[1 2]", 3),
        BAD("[1:2]", 2),
        BAD("{\"a\":1 \"b\":2}", 7),
        BAD("]", 0),
        BAD("}", 0),
        BAD("[}", 1),
        BAD("{]", 1),
        BAD("[1}", 2),
        BAD("{\"a\":1]", 6),
        BAD("tru", 0),
        BAD("truex", 4),
        BAD("True", 0),
        BAD("nul", 0),
        BAD("NaN", 0),
        BAD("Infinity", 0),
        BAD("-Infinity", 1),
        BAD("undefined", 0),
        BAD("[1]x", 3),
        BAD("[1] [2]", 4),
        BAD("{} {}", 3),
        BAD("1 2", 2),
        BAD("/* c */ 1", 0),
        BAD("[1] // c", 4),
        BAD("\xef\xbb\xbf[]", 0) /* BOM */,
        BAD("\"a\" \"b\"", 4),
        BAD("\f[]", 0) /* form feed is not whitespace */,
        BAD("[\v1]", 1),
        BADN("[1]\0", 4, 3),
        BADN("\0", 1, 0),
        BAD("\xc3\xa9", 0),
    };
    EXPECT_TABLE(t);
}
END_TEST

START_TEST(test_trailing_whitespace_only)
{
    static const struct doc t[] = {
        OK("{} "), OK("{}\n\r\t"), OK("  1  "), BAD("{} x", 3), BAD("1 ,", 2),
    };
    EXPECT_TABLE(t);
}
END_TEST

/* ---- numbers -------------------------------------------------------------- */

START_TEST(test_numbers_accepted)
{
    static const struct doc t[] = {
        OK("0"),
        OK("-0"),
        OK("1"),
        OK("-1"),
        OK("10"),
        OK("0.5"),
        OK("-0.0"),
        OK("1e5"),
        OK("1E5"),
        OK("1e+5"),
        OK("1e-5"),
        OK("1.5e-005"),
        OK("0e0"),
        OK("123456789"),
        OK("[0,-0,1.25,2E+2]"),
        /* RFC 8259 sets no range: these are JSON even if no double holds them */
        OK("1e400"),
        OK("-1e400"),
        OK("123456789012345678901234567890"),
        OK("1e-400"),
    };
    EXPECT_TABLE(t);
}
END_TEST

START_TEST(test_numbers_refused)
{
    static const struct doc t[] = {
        BAD("01", 0),   BAD("-01", 0),  BAD("00", 0),    BAD("+1", 0),    BAD(".5", 0),
        BAD("5.", 2),   BAD("-", 1),    BAD("-a", 1),    BAD("1e", 2),    BAD("1e+", 3),
        BAD("1.e5", 2), BAD("1.5e", 4), BAD("0x10", 1),  BAD("1_000", 1), BAD("--1", 1),
        BAD("-.5", 1),  BAD("[01]", 1), BAD("1.5.2", 3), BAD("1e5e5", 3), BAD("1,5", 1),
    };
    EXPECT_TABLE(t);
}
END_TEST

/* ---- strings and escapes -------------------------------------------------- */

/* The decoded bytes of a one-string document. */
static void expect_string(const char *doc, const char *bytes, size_t n)
{
    struct kdo_json_tok t;
    ck_assert_int_eq(kdo_json_reset(j, doc, strlen(doc)), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_STRING);
    ck_assert_uint_eq(t.len, n);
    ck_assert_mem_eq(t.s, bytes, n);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_END);
}

START_TEST(test_escapes_decoded)
{
    expect_string("\"plain\"", "plain", 5);
    expect_string("\"\"", "", 0);
    expect_string("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
    expect_string("\"a\\u0062c\"", "abc", 3);
    expect_string("\"\\u00e9\\u00E9\"", "\xc3\xa9\xc3\xa9", 4);
    expect_string("\"\\u20ac\"", "\xe2\x82\xac", 3);
    expect_string("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4); /* U+1F600 */
    expect_string("\"\\uDBFF\\uDFFF\"", "\xf4\x8f\xbf\xbf", 4); /* U+10FFFF */
    expect_string("\"\\u0000x\"", "\0x", 2);                    /* NUL is allowed */
    expect_string("\"\\uffff\"", "\xef\xbf\xbf", 3);            /* a noncharacter is fine */
    expect_string("\"x\\ny\\u0041\"", "x\nyA", 4);
}
END_TEST

START_TEST(test_escapes_refused)
{
    static const struct doc t[] = {
        BAD("\"\\x41\"", 1), BAD("\"\\a\"", 1),     BAD("\"\\'\"", 1), BAD("\"\\U0041\"", 1),
        BAD("\"\\u41\"", 1), BAD("\"\\u004g\"", 1), BAD("\"\\u\"", 1), BAD("\"\\", 1),
        BAD("\"abc\\\"", 0), BAD("\"\\ \"", 1),     BAD("\"\\0\"", 1),
    };
    EXPECT_TABLE(t);
}
END_TEST

START_TEST(test_surrogates_paired_only)
{
    static const struct doc t[] = {
        OK("\"\\ud800\\udc00\""),     OK("\"\\uD834\\uDD1E\""),
        BAD("\"\\ud800\"", 1),        /* lone high */
        BAD("\"\\udc00\"", 1),        /* lone low */
        BAD("\"\\udc00\\ud800\"", 1), /* mis-ordered */
        BAD("\"\\ud800\\ud800\"", 1), /* high, high */
        BAD("\"\\ud800x\"", 1),       /* high, then a plain char */
        BAD("\"\\ud800\\n\"", 1),     /* high, then another escape */
        BAD("\"\\ud800\\u0041\"", 1), /* high, then a BMP escape */
        BAD("\"\\ud800\\", 1),        /* high at the end of input */
        BAD("\"a\\udfff\"", 2),
    };
    EXPECT_TABLE(t);
}
END_TEST

START_TEST(test_control_characters)
{
    static const struct doc t[] = {
        BAD("\"a\x01\"", 2),    BAD("\"\x1f\"", 1),     BAD("\"a\tb\"", 2), BAD("\"a\nb\"", 2),
        BAD("\"\r\"", 1),       BADN("\"a\0b\"", 5, 2), OK("\"a\x7f\""),    OK("\"\\t\\u001f\""),
        BAD("\"a\\n\x01\"", 4), /* also after an escape */
    };
    EXPECT_TABLE(t);
}
END_TEST

START_TEST(test_unterminated_string)
{
    static const struct doc t[] = {
        BAD("\"abc", 0),      BAD("[\"abc", 1), BAD("{\"a", 1),
        BAD("\"a\\u00e9", 0), BAD("\"\xc3", 1), /* a sequence cut by the end is invalid UTF-8 */
    };
    EXPECT_TABLE(t);
}
END_TEST

/* ---- UTF-8 ---------------------------------------------------------------- */

START_TEST(test_utf8_valid)
{
    static const struct doc t[] = {
        OK("\"\xc2\x80\""),
        OK("\"\xdf\xbf\""),
        OK("\"\xe0\xa0\x80\""),
        OK("\"\xef\xbf\xbf\""),
        OK("\"\xed\x9f\xbf\""),
        OK("\"\xee\x80\x80\""),
        OK("\"\xf0\x90\x80\x80\""),
        OK("\"\xf4\x8f\xbf\xbf\""),
        OK("{\"\xc3\xa9t\xc3\xa9\":\"\xe2\x82\xac\"}"),
        OK("\"\xef\xbb\xbf\""), /* a BOM inside a string is just U+FEFF */
    };
    EXPECT_TABLE(t);
}
END_TEST

START_TEST(test_utf8_invalid)
{
    static const struct doc t[] = {
        BAD("\"\x80\"", 1),
        BAD("\"\xbf\"", 1), /* lone continuation */
        BAD("\"\xc0\x80\"", 1),
        BAD("\"\xc1\xbf\"", 1), /* overlong 2-byte */
        BAD("\"\xe0\x80\x80\"", 1),
        BAD("\"\xe0\x9f\xbf\"", 1), /* overlong 3-byte */
        BAD("\"\xf0\x80\x80\x80\"", 1),
        BAD("\"\xf0\x8f\xbf\xbf\"", 1), /* overlong 4-byte */
        BAD("\"\xed\xa0\x80\"", 1),
        BAD("\"\xed\xbf\xbf\"", 1),     /* surrogates in UTF-8 */
        BAD("\"\xf4\x90\x80\x80\"", 1), /* above U+10FFFF */
        BAD("\"\xf5\x80\x80\x80\"", 1),
        BAD("\"\xf8\x88\x80\x80\x80\"", 1),
        BAD("\"\xfe\"", 1),
        BAD("\"\xff\"", 1),
        BAD("\"\xc3\"", 1),
        BAD("\"\xe2\x82\"", 1),
        BAD("\"\xf0\x9f\x98\"", 1), /* truncated */
        BAD("\"\xc3\x28\"", 1),
        BAD("\"\xe2\x28\xa1\"", 1),
        BAD("\"\xe2\x82\x28\"", 1),
        BAD("\"ab\xc3\"", 3),
        BAD("{\"\xc0\xaf\":1}", 2),
        BAD("\"\\n\xff\"", 3),
        BAD("[\xc3\xa9]", 1), /* valid UTF-8, but not a value */
    };
    EXPECT_TABLE(t);
}
END_TEST

/* ---- duplicate keys ------------------------------------------------------- */

START_TEST(test_duplicates_refused)
{
    static const struct doc t[] = {
        BAD("{\"a\":1,\"a\":2}", 7),
        BAD("{\"a\":1,\"b\":2,\"a\":3}", 13),
        BAD("{\"\":1,\"\":2}", 6),
        BAD("[{\"x\":{\"y\":1,\"y\":1}}]", 13),
        BAD("{\"a\":{\"b\":1},\"a\":2}", 13), /* the outer key survives the inner object */
        BAD("{\"a\":1,\"\\u0061\":2}", 7),    /* compared after unescaping */
        BAD("{\"\\u0061\":1,\"a\":2}", 12),
        BAD("{\"a\\/b\":1,\"a/b\":2}", 10),
        BAD("{\"\\u00e9\":1,\"\xc3\xa9\":2}", 12),
        BAD("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", 18),
        BAD("{\"\\u0000\":1,\"\\u0000\":2}", 12),
        OK("{\"a\":1,\"b\":2}"),
        OK("{\"a\":{\"a\":1},\"b\":{\"a\":2}}"),
        OK("[{\"a\":1},{\"a\":2}]"),
        OK("{\"a\":1,\"A\":2}"),
        OK("{\"a\":1,\"a \":2}"),
        OK("{\"\\u0000\":1,\"\":2}"),
        OK("{\"a\":[{\"a\":1}],\"b\":[{\"a\":1,\"b\":2}]}"),
    };
    EXPECT_TABLE(t);
}
END_TEST

/* A big object with keys "k0".."k<n-1>" (escaped as \u006b when `escaped`),
 * then the extra member text `tail` (may be empty). */
static char *big_object(int n, int escaped, const char *tail)
{
    size_t cap = (size_t)n * 24 + strlen(tail) + 16, o = 0;
    char *s = kdo_xmalloc(cap);
    o += (size_t)snprintf(s + o, cap - o, "{");
    for (int i = 0; i < n; i++)
        o += (size_t)snprintf(s + o, cap - o, "%s\"%s%d\":%d", i ? "," : "",
                              escaped && i % 2 ? "\\u006b" : "k", i, i);
    snprintf(s + o, cap - o, "%s}", tail);
    return s;
}

START_TEST(test_duplicates_in_big_objects)
{
    static const struct {
        int n, escaped;
        const char *tail;
        int want;
    } t[] = {
        {17, 0, "", 0},
        {20000, 0, "", 0},
        {20000, 1, "", 0},
        {17, 0, ",\"k0\":0", KDO_EPARSE},
        {17, 0, ",\"k16\":0", KDO_EPARSE},
        {20000, 0, ",\"k0\":0", KDO_EPARSE},
        {20000, 0, ",\"k19999\":0", KDO_EPARSE},
        {20000, 1, ",\"k1\":0", KDO_EPARSE},
        {20000, 0, ",\"\\u006b777\":0", KDO_EPARSE},
        {20000, 0, ",\"k20000\":0", 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *s = big_object(t[i].n, t[i].escaped, t[i].tail);
        int err = kdo_json_check(j, s, strlen(s));
        ck_assert_msg(err == t[i].want, "row %zu: got %d, want %d", i, err, t[i].want);
        free(s);
    }
}
END_TEST

START_TEST(test_big_objects_in_sequence)
{
    /* Sibling big objects reuse one depth's hash set; nested big ones use two. */
    char *a = big_object(100, 0, "");
    char *b = big_object(40, 1, ",\"k3\":1");
    size_t cap = strlen(a) * 4 + strlen(b) + 64;
    char *s = kdo_xmalloc(cap);
    ck_assert_ptr_nonnull(s);
    snprintf(s, cap, "[%s,%s,{\"x\":%s,\"y\":%s}]", a, a, a, a);
    ck_assert_int_eq(kdo_json_check(j, s, strlen(s)), 0);
    snprintf(s, cap, "[%s,%s]", a, b);
    ck_assert_int_eq(kdo_json_check(j, s, strlen(s)), KDO_EPARSE);
    ck_assert_str_eq(kdo_json_error(j)->msg, "duplicate key \"k3\"");
    free(a);
    free(b);
    free(s);
}
END_TEST

START_TEST(test_duplicate_message)
{
    const char *s = "{\"recordId\":\"1\",\"r\\u0065cordId\":\"2\"}";
    ck_assert_int_eq(kdo_json_check(j, s, strlen(s)), KDO_EPARSE);
    ck_assert_str_eq(kdo_json_error(j)->msg, "duplicate key \"recordId\"");
    ck_assert_uint_eq(kdo_json_error(j)->offset, 16);
}
END_TEST

/* ---- limits --------------------------------------------------------------- */

static char *nested(int depth, const char *open, const char *inner, const char *close)
{
    size_t cap = (size_t)depth * (strlen(open) + strlen(close)) + strlen(inner) + 1, o = 0;
    char *s = kdo_xmalloc(cap);
    ck_assert_ptr_nonnull(s);
    for (int i = 0; i < depth; i++)
        o += (size_t)sprintf(s + o, "%s", open);
    o += (size_t)sprintf(s + o, "%s", inner);
    for (int i = 0; i < depth; i++)
        o += (size_t)sprintf(s + o, "%s", close);
    return s;
}

START_TEST(test_depth_limit)
{
    static const struct {
        int depth;
        const char *open, *inner, *close;
        int want;
    } t[] = {
        {64, "[", "", "]", 0},
        {64, "[", "1", "]", 0},
        {65, "[", "", "]", KDO_EDEPTH},
        {64, "{\"a\":", "{}", "}", KDO_EDEPTH},
        {63, "{\"a\":", "{}", "}", 0},
        {64, "{\"a\":", "1", "}", 0},
        {65, "{\"a\":", "1", "}", KDO_EDEPTH},
        {1000, "[", "", "]", KDO_EDEPTH},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char *s = nested(t[i].depth, t[i].open, t[i].inner, t[i].close);
        int err = kdo_json_check(j, s, strlen(s));
        ck_assert_msg(err == t[i].want, "row %zu: got %d, want %d", i, err, t[i].want);
        free(s);
    }
    char *s = nested(65, "[", "", "]");
    ck_assert_int_eq(kdo_json_check(j, s, strlen(s)), KDO_EDEPTH);
    ck_assert_uint_eq(kdo_json_error(j)->offset, 64); /* the 65th '[' */
    free(s);
}
END_TEST

START_TEST(test_depth_limit_is_a_parameter)
{
    struct kdo_json *one = kdo_json_new(1, 100);
    ck_assert_int_eq(kdo_json_check(one, "[1,2]", 5), 0);
    ck_assert_int_eq(kdo_json_check(one, "[[]]", 4), KDO_EDEPTH);
    ck_assert_int_eq(kdo_json_check(one, "{\"a\":{}}", 8), KDO_EDEPTH);
    kdo_json_free(one);
}
END_TEST

START_TEST(test_size_limit)
{
    struct kdo_json *small = kdo_json_new(8, 10);
    ck_assert_int_eq(kdo_json_check(small, "[1,2,3,44]", 10), 0);
    ck_assert_int_eq(kdo_json_check(small, "[1,2,3,444]", 11), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_json_error(small)->code, KDO_ETOOBIG);
    ck_assert_uint_eq(kdo_json_error(small)->offset, 10);
    struct kdo_json_tok t;
    ck_assert_int_eq(kdo_json_next(small, &t), KDO_ETOOBIG); /* sticky */
    ck_assert_int_eq(kdo_json_check(small, "0", 1), 0);      /* reset clears */
    kdo_json_free(small);
}
END_TEST

START_TEST(test_new_arguments)
{
    ck_assert_ptr_null(kdo_json_new(0, 10));
    ck_assert_ptr_null(kdo_json_new(-1, 10));
    ck_assert_ptr_null(kdo_json_new(KDO_JSON_DEPTH_CAP + 1, 10));
    struct kdo_json *k = kdo_json_new(KDO_JSON_DEPTH_CAP, 0);
    ck_assert_ptr_nonnull(k);
    ck_assert_int_eq(kdo_json_check(k, "1", 1), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_json_check(k, NULL, 0), KDO_EPARSE); /* empty is not JSON */
    ck_assert_int_eq(kdo_json_check(k, NULL, 3), KDO_EINVAL);
    kdo_json_free(k);
    kdo_json_free(NULL);
}
END_TEST

/* ---- errors --------------------------------------------------------------- */

START_TEST(test_errors_are_sticky)
{
    struct kdo_json_tok t;
    ck_assert_int_eq(kdo_json_reset(j, "[1,}", 4), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), KDO_EPARSE);
    ck_assert_int_eq(kdo_json_next(j, &t), KDO_EPARSE);
    ck_assert_int_eq(kdo_json_skip(j, &t), 0); /* t is END now: nothing to skip */
    ck_assert_uint_eq(kdo_json_error(j)->offset, 3);
    ck_assert_str_eq(kdo_json_error(j)->msg, "unexpected '}', expected a value");
    ck_assert_int_eq(kdo_json_reset(j, "[]", 2), 0);
    ck_assert_ptr_null(kdo_json_error(j));
}
END_TEST

START_TEST(test_errinfo_line_column)
{
    struct kdo_errinfo e;
    const char *s = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    ck_assert_int_eq(kdo_json_check(j, s, strlen(s)), KDO_EPARSE);
    ck_assert_int_eq(kdo_json_errinfo(j, &e, "reply.json"), KDO_EPARSE);
    ck_assert_str_eq(e.file, "reply.json");
    ck_assert_int_eq(e.line, 3);
    ck_assert_int_eq(e.column, 8);
    ck_assert_str_eq(e.msg, "invalid literal (expected true)");
    ck_assert_int_eq(kdo_json_check(j, "1", 1), 0);
    ck_assert_int_eq(kdo_json_errinfo(j, &e, "x"), 0);
}
END_TEST

/* ---- skip ----------------------------------------------------------------- */

START_TEST(test_skip_values)
{
    const char *s =
        "{\"skip\":{\"a\":[1,{\"b\":[]}],\"c\":\"\\u0041\"},\"keep\":7,\"arr\":[[1],[2]]}";
    struct kdo_json_tok t;
    ck_assert_int_eq(kdo_json_reset(j, s, strlen(s)), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_KEY);
    ck_assert_int_eq(kdo_json_skip(j, &t), 0); /* skips the member's whole value */
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_KEY);
    ck_assert_mem_eq(t.s, "keep", 4);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_NUMBER);
    ck_assert_int_eq(kdo_json_skip(j, &t), 0); /* a scalar: nothing more */
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_ARRAY);
    ck_assert_int_eq(kdo_json_skip(j, &t), 0); /* an array, through its ']' */
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_OBJECT_END);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(t.type, KDO_JSON_END);
}
END_TEST

START_TEST(test_skip_still_checks)
{
    const char *s = "{\"skip\":{\"a\":1,\"a\":2},\"b\":1}";
    struct kdo_json_tok t;
    ck_assert_int_eq(kdo_json_reset(j, s, strlen(s)), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(kdo_json_next(j, &t), 0);
    ck_assert_int_eq(kdo_json_skip(j, &t), KDO_EPARSE);
    ck_assert_str_eq(kdo_json_error(j)->msg, "duplicate key \"a\"");
}
END_TEST

/* ---- agreement with jansson ----------------------------------------------- */

static int jansson_accepts(const char *s, size_t n, json_error_t *e)
{
    json_t *v = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, e);
    json_decref(v);
    return v != NULL;
}

START_TEST(test_agrees_with_jansson)
{
    static const struct doc t[] = {
        OK("{}"),
        OK("[]"),
        OK("\"\""),
        OK("0"),
        OK("-0.0e-0"),
        OK("{\"a\":[1,{\"b\":null}]}"),
        OK("\"\\ud83d\\ude00\""),
        OK("\"\\u0000\""),
        OK("\"\xf4\x8f\xbf\xbf\""),
        OK(" [ 1 , 2 ] "),
        OK("{\"a\":1,\"A\":1}"),
        OK("\"\x7f\""),
        OK("1E+2"),
        OK("[\"\\/\"]"),
        BAD("", -1),
        BAD(" ", -1),
        BAD("[1,]", -1),
        BAD("{\"a\":1,\"a\":1}", -1),
        BAD("{\"a\":1,\"\\u0061\":1}", -1),
        BAD("01", -1),
        BAD("+1", -1),
        BAD(".5", -1),
        BAD("1.", -1),
        BAD("NaN", -1),
        BAD("Infinity", -1),
        BAD("\"\\ud800\"", -1),
        BAD("\"\\udc00\\ud800\"", -1),
        BAD("\"\\ud800\\u0041\"", -1),
        BAD("\"\xc0\x80\"", -1),
        BAD("\"\xed\xa0\x80\"", -1),
        BAD("\"\xf4\x90\x80\x80\"", -1),
        BAD("\"\x01\"", -1),
        BAD("[1] x", -1),
        BAD("\xef\xbb\xbf{}", -1),
        BAD("{'a':1}", -1),
        BAD("[1 2]", -1),
        BAD("\"\\x\"", -1),
        BAD("tru", -1),
        BAD("\"\xe0\x80\xaf\"", -1),
        BAD("[\"a\nb\"]", -1),
        BADN("[1]\0", 4, -1),
        BAD("\"\\u00g0\"", -1),
        BAD("{\"a\":{\"b\":1,\"b\":2}}", -1),
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_error_t e;
        size_t n = doc_len(&t[i]);
        int ours = kdo_json_check(j, t[i].s, n) == 0;
        int theirs = jansson_accepts(t[i].s, n, &e);
        ck_assert_msg(ours == theirs, "input %zu [%.*s]: kdo_json %s, jansson %s (%s)", i, (int)n,
                      t[i].s, ours ? "accepts" : "refuses", theirs ? "accepts" : "refuses",
                      theirs ? "" : e.text);
        ck_assert_int_eq(ours, t[i].want == 0);
    }
}
END_TEST

/* The documented differences: RFC 8259 has no number range and allows NUL in
 * member names; jansson refuses both.  We follow the RFC. */
START_TEST(test_documented_differences_with_jansson)
{
    static const char *const t[] = {
        "9223372036854775808", "-9223372036854775809", "1e400", "[123456789012345678901234567890]",
        "{\"a\\u0000b\":1}",
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_error_t e;
        ck_assert_int_eq(kdo_json_check(j, t[i], strlen(t[i])), 0);
        ck_assert_int_eq(jansson_accepts(t[i], strlen(t[i]), &e), 0);
        int code = json_error_code(&e);
        ck_assert_msg(code == json_error_numeric_overflow || code == json_error_null_byte_in_key,
                      "%s: jansson refused for another reason: %s", t[i], e.text);
    }
}
END_TEST

/* jansson 2.14 drops a raw NUL byte that directly follows a number or a
 * literal; RFC 8259 allows no NUL outside strings, and neither do we. */
START_TEST(test_jansson_drops_nul_after_numbers)
{
    static const struct doc t[] = {
        BADN("1\0", 2, 1),
        BADN("[1\0]", 4, 2),
        BADN("[null\0]", 7, 5),
        BADN("{\"a\":1\0}", 8, 6),
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        json_error_t e;
        expect_doc(&t[i]);
        ck_assert_int_eq(jansson_accepts(t[i].s, t[i].n, &e), 1);
    }
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"tokens_in_order", test_tokens_in_order},
        {"top_level_scalars", test_top_level_scalars},
        {"grammar_refused", test_grammar_refused},
        {"trailing_whitespace_only", test_trailing_whitespace_only},
        {"numbers_accepted", test_numbers_accepted},
        {"numbers_refused", test_numbers_refused},
        {"escapes_decoded", test_escapes_decoded},
        {"escapes_refused", test_escapes_refused},
        {"surrogates_paired_only", test_surrogates_paired_only},
        {"control_characters", test_control_characters},
        {"unterminated_string", test_unterminated_string},
        {"utf8_valid", test_utf8_valid},
        {"utf8_invalid", test_utf8_invalid},
        {"duplicates_refused", test_duplicates_refused},
        {"duplicates_in_big_objects", test_duplicates_in_big_objects},
        {"big_objects_in_sequence", test_big_objects_in_sequence},
        {"duplicate_message", test_duplicate_message},
        {"depth_limit", test_depth_limit},
        {"depth_limit_is_a_parameter", test_depth_limit_is_a_parameter},
        {"size_limit", test_size_limit},
        {"new_arguments", test_new_arguments},
        {"errors_are_sticky", test_errors_are_sticky},
        {"errinfo_line_column", test_errinfo_line_column},
        {"skip_values", test_skip_values},
        {"skip_still_checks", test_skip_still_checks},
        {"agrees_with_jansson", test_agrees_with_jansson},
        {"documented_differences_with_jansson", test_documented_differences_with_jansson},
        {"jansson_drops_nul_after_numbers", test_jansson_drops_nul_after_numbers},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
