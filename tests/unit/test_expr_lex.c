/*
 * test_expr_lex.c -- the tokens of emulator/sql/expr_lex.c.
 *
 * Drives the lexer directly (expr-int.h): each text's token stream is
 * written out as kind:text pairs; refusals carry KDO_EPARSE and the 1-based
 * line:column of the offending byte (columns in bytes, a newline starts a
 * new line).  Also keywords matched without regard to case, the "expected X
 * but found Y" helper, and the time units with their "did you mean".
 */
#include "sql/expr-int.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo__expr_parser parser(const char *text, size_t n, struct kdo_errinfo *e)
{
    return (struct kdo__expr_parser){.s = text, .n = n, .at = 0, .e = e};
}

static char kind_letter(enum kdo__expr_tok_kind k)
{
    static const char letters[] = {'$', 'I', 'Q', 'N', 'D', 'S', 'O'};
    return (size_t)k < sizeof letters ? letters[k] : '?';
}

/* "I:price O:>= D:1.5e3 $" -- every token until the end. */
static void expect_tokens(const char *text, const char *want)
{
    struct kdo_errinfo e = {0};
    struct kdo__expr_parser p = parser(text, strlen(text), &e);
    char got[512] = "";
    size_t at = 0;
    for (int guard = 0; guard < 64; guard++) {
        int err = kdo__expr_lex(&p);
        ck_assert_msg(err == 0, "[%s]: %d at %d:%d: %s", text, err, e.line, e.column, e.msg);
        ck_assert_ptr_eq(p.cur.s, text + p.cur.pos);
        if (p.cur.kind == KDO__T_END) {
            snprintf(got + at, sizeof got - at, "$");
            break;
        }
        at += (size_t)snprintf(got + at, sizeof got - at, "%c:%.*s ", kind_letter(p.cur.kind),
                               (int)p.cur.len, p.cur.s);
    }
    ck_assert_msg(strcmp(got, want) == 0, "[%s]:\n got [%s]\nwant [%s]", text, got, want);
}

/* Lexes until an error; checks it and its position. */
static void expect_lex_error(const char *text, size_t n, int line, int column, const char *msg)
{
    struct kdo_errinfo e = {0};
    struct kdo__expr_parser p = parser(text, n, &e);
    int err = 0;
    for (int guard = 0; guard < 64 && err == 0; guard++) {
        err = kdo__expr_lex(&p);
        if (err == 0 && p.cur.kind == KDO__T_END)
            break;
    }
    ck_assert_msg(err == KDO_EPARSE, "[%s]: got %d, want KDO_EPARSE", text, err);
    ck_assert_msg(e.line == line && e.column == column, "[%s]: at %d:%d, want %d:%d (%s)", text,
                  e.line, e.column, line, column, e.msg);
    ck_assert_msg(strstr(e.msg, msg) != NULL, "[%s]: [%s] lacks [%s]", text, e.msg, msg);
}

START_TEST(test_names_numbers_strings_and_operators)
{
    expect_tokens("price >= 1.5e3 AND \"Quoted \"\"x\"\"\" <> 'it''s'",
                  "I:price O:>= D:1.5e3 I:AND Q:\"Quoted \"\"x\"\"\" O:<> S:'it''s' $");
    expect_tokens("a_1$b+(b-c)*d/e,f=g<h>i!=j<=k", "I:a_1$b O:+ O:( I:b O:- I:c O:) O:* I:d O:/ "
                                                   "I:e O:, I:f O:= I:g O:< I:h O:> I:i O:!= I:j "
                                                   "O:<= I:k $");
    expect_tokens("", "$");
    expect_tokens(" \t\r\n ", "$");
    expect_tokens("''", "S:'' $");
}
END_TEST

START_TEST(test_number_shapes)
{
    expect_tokens("42 4.2 .5 1. 4e2 4E+2 4e-2", "N:42 D:4.2 D:.5 D:1. D:4e2 D:4E+2 D:4e-2 $");
    expect_tokens("2e", "N:2 I:e $");     /* no exponent digits: a name follows */
    expect_tokens("2e+", "N:2 I:e O:+ $");
    expect_tokens("1.2.3", "D:1.2 D:.3 $");
    expect_tokens("007", "N:007 $");
    expect_tokens("12abc", "N:12 I:abc $");
}
END_TEST

START_TEST(test_stray_characters_are_refused_with_line_and_column)
{
    expect_lex_error("a ! b", 5, 1, 3, "unexpected character '!'");
    expect_lex_error("a\n  #", 5, 2, 3, "unexpected character '#'");
    expect_lex_error("a\n\n\tb ;", 7, 3, 4, "unexpected character ';'");
    expect_lex_error("x \x01", 3, 1, 3, "unexpected byte 0x01");
    expect_lex_error("\xc3\xa9", 2, 1, 1, "unexpected byte 0xc3");
    expect_lex_error("ab\0cd", 5, 1, 3, "unexpected byte 0x00"); /* NUL is not whitespace */
    expect_lex_error(".", 1, 1, 1, "unexpected character '.'");
}
END_TEST

START_TEST(test_unterminated_quotes_point_at_the_opening_quote)
{
    expect_lex_error("x = 'abc", 8, 1, 5, "unterminated string literal");
    expect_lex_error("x = 'it''", 9, 1, 5, "unterminated string literal");
    expect_lex_error("1 +\n \"col", 9, 2, 2, "unterminated quoted name");
}
END_TEST

START_TEST(test_keywords_match_in_any_case)
{
    struct kdo__expr_parser p = parser("aNd <> \"AND\" 'AND'", 18, NULL);
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert(kdo__expr_tok_is(&p.cur, "AND"));
    ck_assert(!kdo__expr_tok_is(&p.cur, "AN"));
    ck_assert(!kdo__expr_tok_is(&p.cur, "ANDY"));
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert(kdo__expr_tok_is(&p.cur, "<>"));
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert(!kdo__expr_tok_is(&p.cur, "AND")); /* a quoted name is never a keyword */
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert(!kdo__expr_tok_is(&p.cur, "AND")); /* nor a string */
}
END_TEST

START_TEST(test_expect_names_what_it_found)
{
    struct kdo_errinfo e = {0};
    struct kdo__expr_parser p = parser("CAST (x\n  ASS", 13, &e);
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert_int_eq(kdo__expr_expect(&p, "CAST"), 0);
    ck_assert_int_eq(kdo__expr_expect(&p, "("), 0);
    ck_assert_int_eq(kdo__expr_expect(&p, "X"), 0);
    ck_assert_int_eq(kdo__expr_expect(&p, "AS"), KDO_EPARSE);
    ck_assert_str_eq(e.msg, "expected AS but found 'ASS'");
    ck_assert_int_eq(e.line, 2);
    ck_assert_int_eq(e.column, 3);
    p = parser("x", 1, &e);
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert_int_eq(kdo__expr_expect(&p, ")"), KDO_EPARSE);
    ck_assert_str_eq(e.msg, "expected ) but found the end of the text");
    ck_assert_int_eq(e.column, 2);
}
END_TEST

START_TEST(test_describe_cuts_long_tokens)
{
    char text[100], buf[48];
    memset(text, 'a', sizeof text);
    struct kdo__expr_parser p = parser(text, sizeof text, NULL);
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert_uint_eq(p.cur.len, 100);
    const char *d = kdo__expr_describe(&p.cur, buf);
    ck_assert_uint_eq(strlen(d), 42); /* 40 bytes and the quotes */
    ck_assert_int_eq(d[0], '\'');
    ck_assert_int_eq(d[41], '\'');
}
END_TEST

static void expect_unit(const char *text, int64_t want_ms)
{
    struct kdo_errinfo e = {0};
    struct kdo__expr_parser p = parser(text, strlen(text), &e);
    int64_t ms = -1;
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    int err = kdo__expr_time_unit(&p, &ms);
    ck_assert_msg(err == 0 && ms == want_ms, "[%s]: %d %lld (%s), want %lld", text, err,
                  (long long)ms, e.msg, (long long)want_ms);
    ck_assert_int_eq(p.cur.kind, KDO__T_END); /* the unit was consumed */
}

/* near: the word of "did you mean", or NULL for none. */
static void expect_unit_error(const char *text, const char *near)
{
    struct kdo_errinfo e = {0};
    struct kdo__expr_parser p = parser(text, strlen(text), &e);
    int64_t ms = -1;
    ck_assert_int_eq(kdo__expr_lex(&p), 0);
    ck_assert_int_eq(kdo__expr_time_unit(&p, &ms), KDO_EPARSE);
    ck_assert_int_eq(ms, -1);
    ck_assert_msg(strstr(e.msg, "expected SECOND, MINUTE, HOUR or DAY but found") != NULL, "[%s]",
                  e.msg);
    if (near) {
        char want[48];
        snprintf(want, sizeof want, "(did you mean %s?)", near);
        ck_assert_msg(strstr(e.msg, want) != NULL, "[%s]: [%s] lacks [%s]", text, e.msg, want);
    } else {
        ck_assert_msg(strstr(e.msg, "did you mean") == NULL, "[%s]: [%s] guesses", text, e.msg);
    }
}

START_TEST(test_time_units_and_their_near_misses)
{
    expect_unit("SECOND", 1000);
    expect_unit("minute", 60000);
    expect_unit("Hour", 3600000);
    expect_unit("DAY", 86400000);
    expect_unit_error("SECONDS", "SECOND");
    expect_unit_error("hours", "HOUR");
    expect_unit_error("MINS", "MINUTE");
    expect_unit_error("sec", "SECOND");
    expect_unit_error("DAYS", "DAY");
    expect_unit_error("MI", NULL);   /* under three letters: no guess */
    expect_unit_error("WEEK", NULL);
    expect_unit_error("'DAY'", NULL); /* a string is not a unit */
    expect_unit_error("", NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("expr_lex");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"names_numbers_strings_and_operators", test_names_numbers_strings_and_operators},
        {"number_shapes", test_number_shapes},
        {"stray_characters_are_refused_with_line_and_column",
         test_stray_characters_are_refused_with_line_and_column},
        {"unterminated_quotes_point_at_the_opening_quote",
         test_unterminated_quotes_point_at_the_opening_quote},
        {"keywords_match_in_any_case", test_keywords_match_in_any_case},
        {"expect_names_what_it_found", test_expect_names_what_it_found},
        {"describe_cuts_long_tokens", test_describe_cuts_long_tokens},
        {"time_units_and_their_near_misses", test_time_units_and_their_near_misses},
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
