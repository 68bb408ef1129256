/*
 * test_sql_lex.c -- the KDA SQL lexer of emulator/sql/lex.c.
 *
 * Texts are lexed into a compact transcript ("W:SELECT Q:x I:42 $", kinds
 * as letters, keywords marked with a '!') and compared whole, so one line
 * states a whole token sequence.  Each token kind is checked at its edges:
 * name folding and quoting (with "" and the 128-character limit), keywords
 * in any case, number shapes, strings with '' and u&'...' UESCAPE, X'..'
 * binaries, every operator, the three comment styles; errors name
 * line:column and say what is wrong; the 100 KB text limit and the string
 * limit are enforced.
 */
#include "base/errors.h"
#include "sql/lex.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_arena arena;

static void setup(void)
{
    kdo_arena_init(&arena, 1 << 22);
}

static void teardown(void)
{
    kdo_arena_cleanup(&arena);
}

static const char kind_letter[] = {
    [KDO_SQL_T_END] = '$', [KDO_SQL_T_WORD] = 'W', [KDO_SQL_T_QIDENT] = 'Q',
    [KDO_SQL_T_INT] = 'I', [KDO_SQL_T_DEC] = 'D', [KDO_SQL_T_APPROX] = 'A',
    [KDO_SQL_T_STRING] = 'S', [KDO_SQL_T_BINARY] = 'X', [KDO_SQL_T_OP] = 'O',
};

/* Lexes text[0..n) into "K:text K:text ... $" ('!' after a keyword). */
static const char *transcript(const char *text, size_t n)
{
    static char out[4096];
    struct kdo_sql_lexer lx;
    struct kdo_sql_token t;
    struct kdo_errinfo e = {0};
    size_t len = 0;
    kdo_sql_lex_init(&lx, "t.sql", text, n, &arena);
    for (;;) {
        int err = kdo_sql_lex_next(&lx, &t, &e);
        ck_assert_msg(err == 0, "[%s]: %s at %d:%d", text, e.msg, e.line, e.column);
        if (t.kind == KDO_SQL_T_END)
            break;
        len += (size_t)snprintf(out + len, sizeof out - len, "%c%s:%s ", kind_letter[t.kind],
                                t.kw ? "!" : "", t.text);
        ck_assert_uint_eq(strlen(t.text), t.len);
    }
    snprintf(out + len, sizeof out - len, "$");
    return out;
}

#define EXPECT_TOKENS(text, want) ck_assert_str_eq(transcript(text, strlen(text)), want)

/* The first error lexing text: its code, line:column and words. */
static void expect_error(const char *text, size_t n, int code, int line, int col, const char *msg)
{
    struct kdo_sql_lexer lx;
    struct kdo_sql_token t;
    struct kdo_errinfo e = {0};
    int err = 0;
    kdo_sql_lex_init(&lx, "app.sql", text, n, &arena);
    for (int i = 0; i < 100000 && !err; i++) {
        err = kdo_sql_lex_next(&lx, &t, &e);
        if (!err && t.kind == KDO_SQL_T_END)
            break;
    }
    ck_assert_msg(err == code, "[%.40s]: got %d, want %d", text, err, code);
    ck_assert_msg(e.line == line && e.column == col, "[%.40s]: at %d:%d, want %d:%d (%s)", text,
                  e.line, e.column, line, col, e.msg);
    ck_assert_msg(strstr(e.msg, msg) != NULL, "[%.40s]: [%s] lacks [%s]", text, e.msg, msg);
    ck_assert_str_eq(e.file, "app.sql");
}

#define EXPECT_ERROR(text, code, line, col, msg) expect_error(text, strlen(text), code, line, col, msg)

START_TEST(unquoted_names_fold_to_upper_case_and_keywords_match_in_any_case)
{
    EXPECT_TOKENS("select Stream ticker_Symbol _x1 from s",
                  "W!:SELECT W!:STREAM W:TICKER_SYMBOL W:_X1 W!:FROM W:S $");
    EXPECT_TOKENS("rowtime Current_Row_Timestamp", "W:ROWTIME W:CURRENT_ROW_TIMESTAMP $");
    EXPECT_TOKENS("SeLeCt", "W!:SELECT $");
}
END_TEST

START_TEST(quoted_names_keep_case_and_double_quote_escapes_a_quote)
{
    EXPECT_TOKENS("\"Col_A\" \"select\" \"a\"\"b\" \"200-Pump\" \"é\"",
                  "Q:Col_A Q:select Q:a\"b Q:200-Pump Q:é $");
    EXPECT_ERROR("x \"\"", KDO_EPARSE, 1, 3, "empty quoted name");
    EXPECT_ERROR("\"a\tb\"", KDO_EPARSE, 1, 3, "control character 0x09");
    EXPECT_ERROR("a,\n \"abc", KDO_EPARSE, 2, 2, "unterminated quoted name");
}
END_TEST

START_TEST(names_are_at_most_128_characters)
{
    char name[140];
    memset(name, 'a', 128);
    name[128] = '\0';
    ck_assert_int_eq(strlen(transcript(name, 128)), 2 + 128 + 2);
    memset(name, 'a', 129);
    expect_error(name, 129, KDO_ETOOBIG, 1, 1, "longer than 128 characters");
    name[0] = '"';
    memset(name + 1, 'b', 128);
    name[129] = '"';
    ck_assert_int_eq(strlen(transcript(name, 130)), 2 + 128 + 2);
    memset(name + 1, 'b', 129);
    name[130] = '"';
    expect_error(name, 131, KDO_ETOOBIG, 1, 1, "longer than 128 characters");
    /* 128 two-byte characters are 128 characters, not 256 */
    char wide[300] = "\"";
    for (int i = 0; i < 128; i++)
        strcat(wide, "\xc3\xa9");
    strcat(wide, "\"");
    transcript(wide, strlen(wide));
}
END_TEST

START_TEST(names_start_with_a_letter_or_underscore)
{
    EXPECT_TOKENS("_a a_1", "W:_A W:A_1 $");
    EXPECT_ERROR("1abc", KDO_EPARSE, 1, 1, "malformed number: 'a' right after the digits");
    EXPECT_ERROR("$x", KDO_EPARSE, 1, 1, "unexpected character '$'");
}
END_TEST

START_TEST(numbers_are_integers_decimals_or_approximate)
{
    EXPECT_TOKENS("42 007 4.2 .5 5. 1e2 1.5E-6 2e+3", "I:42 I:007 D:4.2 D:.5 D:5. A:1E2 A:1.5E-6 A:2E+3 $");
    EXPECT_TOKENS("-1", "O:- I:1 $");
    EXPECT_TOKENS("a.b 1.e5", "W:A O:. W:B A:1.E5 $");
    EXPECT_ERROR("x 1e", KDO_EPARSE, 1, 3, "an exponent needs digits");
    EXPECT_ERROR("1e+", KDO_EPARSE, 1, 1, "an exponent needs digits");
    EXPECT_ERROR("1.2.3", KDO_EPARSE, 1, 1, "malformed number");
    char big[80];
    memset(big, '9', 65);
    big[65] = '\0';
    EXPECT_ERROR(big, KDO_ETOOBIG, 1, 1, "number longer than 64");
}
END_TEST

START_TEST(strings_double_a_quote_and_may_span_lines)
{
    EXPECT_TOKENS("'it''s' '' 'a\nb' ''''", "S:it's S: S:a\nb S:' $");
    EXPECT_ERROR("x = 'abc", KDO_EPARSE, 1, 5, "unterminated string");
    EXPECT_ERROR("x = 'it''", KDO_EPARSE, 1, 5, "unterminated string");
}
END_TEST

START_TEST(unicode_strings_decode_escapes_and_uescape)
{
    EXPECT_TOKENS("u&'foo' U&'can''t'", "S:foo S:can't $");
    EXPECT_TOKENS("u&'\\0009'", "S:\t $");
    EXPECT_TOKENS("u&'back\\\\slash'", "S:back\\slash $");
    EXPECT_TOKENS("u&'!0009!!' uescape '!'", "S:\t! $");
    EXPECT_TOKENS("u&'!0009!!' -- c\n UESCAPE '!' x", "S:\t! W:X $");
    EXPECT_TOKENS("u&'\\00e9\\+01F600'", "S:é\xf0\x9f\x98\x80 $");
    EXPECT_TOKENS("u&'a' b", "S:a W:B $");
    EXPECT_ERROR("u&'\\12'", KDO_EPARSE, 1, 1, "needs 4 hexadecimal digits");
    EXPECT_ERROR("u&'\\D800'", KDO_EPARSE, 1, 1, "U+D800 is not a character");
    EXPECT_ERROR("u&'x' UESCAPE 'a'", KDO_EPARSE, 1, 18, "UESCAPE needs one character");
    EXPECT_ERROR("u&'x' UESCAPE '!!'", KDO_EPARSE, 1, 19, "UESCAPE needs one character");
}
END_TEST

START_TEST(binary_literals_hold_an_even_number_of_hex_digits)
{
    EXPECT_TOKENS("X'3F67a23a' x''", "X:3F67A23A X: $");
    EXPECT_TOKENS("x_col X", "W:X_COL W:X $");
    EXPECT_ERROR("X'3G'", KDO_EPARSE, 1, 1, "'G', not a hexadecimal digit");
    EXPECT_ERROR("X'123'", KDO_EPARSE, 1, 1, "even number");
}
END_TEST

START_TEST(operators_take_the_longest_match)
{
    EXPECT_TOKENS("a||b<>c!=d<=e>=f=g<h>i(j),k.l;*+-/%{}?",
                  "W:A O:|| W:B O:<> W:C O:!= W:D O:<= W:E O:>= W:F O:= W:G O:< W:H O:> W:I "
                  "O:( W:J O:) O:, W:K O:. W:L O:; O:* O:+ O:- O:/ O:% O:{ O:} O:? $");
    EXPECT_TOKENS("a|| 'b'", "W:A O:|| S:b $");
    EXPECT_ERROR("a | b", KDO_EPARSE, 1, 3, "stray '|' (concatenation is '||')");
    EXPECT_ERROR("a\n  #", KDO_EPARSE, 2, 3, "unexpected character '#'");
    EXPECT_ERROR("x \x01", KDO_EPARSE, 1, 3, "unexpected byte 0x01");
    expect_error("ab\0cd", 5, KDO_EPARSE, 1, 3, "unexpected byte 0x00");
}
END_TEST

START_TEST(comments_are_dash_dash_slash_slash_and_slash_star)
{
    EXPECT_TOKENS("a -- b\nc // d\ne /* f\n g */ h", "W:A W:C W:E W:H $");
    EXPECT_TOKENS("-- only a comment", "$");
    EXPECT_TOKENS("a/**/b", "W:A W:B $");
    EXPECT_TOKENS("a - -b / c", "W:A O:- O:- W:B O:/ W:C $");
    EXPECT_TOKENS("'--not' \"//not\"", "S:--not Q://not $");
    EXPECT_ERROR("a\n /* open", KDO_EPARSE, 2, 2, "unterminated comment");
}
END_TEST

START_TEST(positions_are_one_based_lines_and_characters)
{
    struct kdo_sql_lexer lx;
    struct kdo_sql_token t;
    struct kdo_errinfo e = {0};
    const char *text = "SELECT\n\t\"é\" x -- c\n  /* \n */ 'a\nb' y";
    const int want[][2] = {{1, 1}, {2, 2}, {2, 6}, {4, 5}, {5, 4}};
    kdo_sql_lex_init(&lx, "t.sql", text, strlen(text), &arena);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_int_eq(kdo_sql_lex_next(&lx, &t, &e), 0);
        ck_assert_msg(t.line == want[i][0] && t.col == want[i][1], "token %zu '%s' at %d:%d",
                      i, t.text, t.line, t.col);
    }
    ck_assert_int_eq(kdo_sql_lex_next(&lx, &t, &e), 0);
    ck_assert_int_eq(t.kind, KDO_SQL_T_END);
    ck_assert_int_eq(kdo_sql_lex_next(&lx, &t, &e), 0); /* the end again */
    ck_assert_int_eq(t.kind, KDO_SQL_T_END);
}
END_TEST

START_TEST(the_text_is_at_most_100_kb)
{
    size_t n = KDO_SQL_MAX_TEXT;
    char *text = malloc(n + 1);
    memset(text, ' ', n + 1);
    memcpy(text + n - 1, "x", 1);
    ck_assert_str_eq(transcript(text, n), "W:X $");
    expect_error(text, n + 1, KDO_ETOOBIG, 1, 1, "more than KDA's limit of 102400");
    free(text);
}
END_TEST

START_TEST(strings_are_bounded)
{
    size_t n = KDO_SQL_MAX_STRING + 3;
    char *text = malloc(n);
    memset(text, 'a', n);
    text[0] = text[n - 1] = '\'';
    expect_error(text, n, KDO_ETOOBIG, 1, 1, "string longer than 65535 bytes");
    free(text);
    struct kdo_arena tiny;
    kdo_arena_init(&tiny, 8);
    struct kdo_sql_lexer lx;
    struct kdo_sql_token t;
    struct kdo_errinfo e = {0};
    kdo_sql_lex_init(&lx, "t.sql", "'0123456789'", 12, &tiny);
    ck_assert_int_eq(kdo_sql_lex_next(&lx, &t, &e), KDO_ETOOBIG);
    ck_assert_str_eq(e.msg, "the SQL text needs more memory than allowed");
    kdo_arena_cleanup(&tiny);
}
END_TEST

START_TEST(keyword_table_knows_reserved_words)
{
    ck_assert_int_eq(kdo_sql_kw_lookup("FROM", 4), KDO_SQL_KW_FROM);
    ck_assert_int_eq(kdo_sql_kw_lookup("FROMX", 5), KDO_SQL_KW_NONE);
    ck_assert_str_eq(kdo_sql_kw_name(KDO_SQL_KW_WINDOWED), "WINDOWED");
    ck_assert(kdo_sql_kw_reserved(KDO_SQL_KW_SELECT));
    ck_assert(!kdo_sql_kw_reserved(KDO_SQL_KW_HOUR)); /* a window may be called HOUR */
    ck_assert(!kdo_sql_kw_reserved(KDO_SQL_KW_NONE));
}
END_TEST

START_TEST(describe_names_the_token_for_messages)
{
    char buf[96];
    struct kdo_sql_token t = {.kind = KDO_SQL_T_WORD, .text = "FROM", .len = 4};
    ck_assert_str_eq(kdo_sql_tok_describe(&t, buf, sizeof buf), "'FROM'");
    t = (struct kdo_sql_token){.kind = KDO_SQL_T_QIDENT, .text = "x", .len = 1};
    ck_assert_str_eq(kdo_sql_tok_describe(&t, buf, sizeof buf), "the name \"x\"");
    t = (struct kdo_sql_token){.kind = KDO_SQL_T_STRING, .text = "abc", .len = 3};
    ck_assert_str_eq(kdo_sql_tok_describe(&t, buf, sizeof buf), "the string 'abc'");
    t = (struct kdo_sql_token){.kind = KDO_SQL_T_END, .text = ""};
    ck_assert_str_eq(kdo_sql_tok_describe(&t, buf, sizeof buf), "the end of the text");
    const char *longs = "0123456789012345678901234567890123456789XYZ";
    t = (struct kdo_sql_token){.kind = KDO_SQL_T_STRING, .text = longs, .len = strlen(longs)};
    ck_assert_str_eq(kdo_sql_tok_describe(&t, buf, sizeof buf),
                     "the string '0123456789012345678901234567890123456789...'");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sql_lex");
    TCase *tc = tcase_create("lex");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, unquoted_names_fold_to_upper_case_and_keywords_match_in_any_case);
    tcase_add_test(tc, quoted_names_keep_case_and_double_quote_escapes_a_quote);
    tcase_add_test(tc, names_are_at_most_128_characters);
    tcase_add_test(tc, names_start_with_a_letter_or_underscore);
    tcase_add_test(tc, numbers_are_integers_decimals_or_approximate);
    tcase_add_test(tc, strings_double_a_quote_and_may_span_lines);
    tcase_add_test(tc, unicode_strings_decode_escapes_and_uescape);
    tcase_add_test(tc, binary_literals_hold_an_even_number_of_hex_digits);
    tcase_add_test(tc, operators_take_the_longest_match);
    tcase_add_test(tc, comments_are_dash_dash_slash_slash_and_slash_star);
    tcase_add_test(tc, positions_are_one_based_lines_and_characters);
    tcase_add_test(tc, the_text_is_at_most_100_kb);
    tcase_add_test(tc, strings_are_bounded);
    tcase_add_test(tc, keyword_table_knows_reserved_words);
    tcase_add_test(tc, describe_names_the_token_for_messages);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
