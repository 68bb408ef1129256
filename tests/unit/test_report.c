/*
 * test_report.c -- the formats a run is told in, conformance/report.c.
 *
 * Five scenarios built by hand (passed; failed with two failed checks whose
 * evidence holds quotes, <, &, control characters, invalid UTF-8 and a run of
 * backticks, and a NaN value; bad input; undecided over HTTP; a run that
 * stopped) go through every reporter.  Each format is read back by a real
 * reader where one exists: JSON by jansson, TAP's YAML blocks by libyaml,
 * JUnit by xmllint against tests/data/junit/junit.xsd (the Jenkins schema),
 * and the validation itself is shown to fail on planted broken files.  The
 * terminal lines are pinned byte for byte: CI tooling parses them.
 */
#include "report.h"

#include "base/errors.h"

#include <check.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml.h>

#define NFIX 5

enum format { TERMINAL, TERMINAL_COLOUR, TERMINAL_VERBOSE, TAP, JUNIT, JSON, MARKDOWN };

/* Evidence of the first failed check: every character XML must escape,
 * raw control characters (an ANSI escape among them) and invalid UTF-8
 * (a lone 0xFF, 0xFE, a truncated two-byte sequence and a CESU surrogate). */
static const char evidence_nasty[] =
    "{\"ev\":\"reply\",\"detail\":\"quote \\\" lt < amp & gt > apos '\"}\n"
    "{\"ev\":\"end\",\"ctl\":\"\x01\x1b[31m\x7f\",\"bad\":\"\xff\xfe\xc3\x28\xed\xa0\x80\"}";
static const char evidence_ticks[] = "{\"row\":\"```sql SELECT 1```\"}";
static const char name_nasty[] = "poison | <pill> & \"friends\" #1";
static const char file_quoted[] = "scenarios/07 poison's pill.yaml";

static struct kdo_check_result check_of(const char *fact, const char *expected, double value,
                                        int passed, int line, int column, const char *evidence)
{
    return (struct kdo_check_result){
        .fact = kdo_xstrdup(fact),
        .expected = kdo_xstrdup(expected),
        .value = value,
        .passed = passed,
        .line = line,
        .column = column,
        .evidence = evidence ? kdo_xstrdup(evidence) : NULL,
    };
}

static void add_check(struct kdo_scenario_result *r, struct kdo_check_result c)
{
    r->checks = kdo_xrealloc(r->checks, (r->nchecks + 1) * sizeof *r->checks);
    r->checks[r->nchecks++] = c;
}

static void fixtures(struct kdo_scenario_result r[NFIX])
{
    memset(r, 0, NFIX * sizeof *r);
    r[0] = (struct kdo_scenario_result){
        .file = kdo_xstrdup("scenarios/01-all-ok.yaml"), .name = kdo_xstrdup("all Ok"),
        .guide = kdo_xstrdup("each record comes back Ok"), .verdict = KDO_VERDICT_PASSED,
        .seed = 42, .virtual_s = 60, .wall_s = 0.0604};
    add_check(&r[0], check_of("lost", "= 0", 0, 1, 0, 0, NULL));

    r[1] = (struct kdo_scenario_result){
        .file = kdo_xstrdup(file_quoted), .name = kdo_xstrdup(name_nasty),
        .verdict = KDO_VERDICT_FAILED, .seed = 7, .virtual_s = 120, .wall_s = 1.2345,
        .notes = kdo_xstrdup("    note: no Timeout; using an invocation timeout of 8000 ms\n")};
    add_check(&r[1], check_of("lost", "= 0", 3, 0, 0, 0, evidence_nasty));
    add_check(&r[1], check_of("max_lag_ms", ">= 30000", NAN, 0, 14, 3, evidence_ticks));
    add_check(&r[1], check_of("final_lag_ms", "= 0", 0, 1, 15, 3, NULL));

    r[2] = (struct kdo_scenario_result){
        .file = kdo_xstrdup("scenarios/bad.yaml"), .verdict = KDO_VERDICT_BAD_INPUT,
        .message = kdo_xstrdup("scenarios/bad.yaml:3:7: unknown key \"durration\"")};

    r[3] = (struct kdo_scenario_result){
        .file = kdo_xstrdup("scenarios/http.yaml"), .name = kdo_xstrdup("over HTTP"),
        .verdict = KDO_VERDICT_UNDECIDED, .seed = 3, .realtime = 1, .virtual_s = 2.5,
        .wall_s = 2.5, .message = kdo_xstrdup("the endpoint was unreachable")};
    add_check(&r[3], check_of("lost", "= 0", 1, 0, 0, 0, "{\"ev\":\"reply\"}"));

    r[4] = (struct kdo_scenario_result){
        .file = kdo_xstrdup("scenarios/big.yaml"), .name = kdo_xstrdup("a burst"),
        .verdict = KDO_VERDICT_FAILED, .seed = 18446744073709551615u, .wall_s = 0.5,
        .message = kdo_xstrdup("the run stopped: buffer full")};
}

static void cleanup_all(struct kdo_scenario_result *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kdo_scenario_result_cleanup(&r[i]);
}

/* The report as a string (the caller frees it); asserts it wrote cleanly. */
static char *render(enum format f, const struct kdo_scenario_result *r, size_t n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int rc = -1;
    ck_assert_ptr_nonnull(m);
    switch (f) {
    case TERMINAL: rc = kdo_report_terminal(m, r, n, 0, 0); break;
    case TERMINAL_COLOUR: rc = kdo_report_terminal(m, r, n, 1, 0); break;
    case TERMINAL_VERBOSE: rc = kdo_report_terminal(m, r, n, 0, 1); break;
    case TAP: rc = kdo_report_tap(m, r, n); break;
    case JUNIT: rc = kdo_report_junit(m, r, n); break;
    case JSON: rc = kdo_report_json(m, r, n); break;
    case MARKDOWN: rc = kdo_report_markdown(m, r, n); break;
    }
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(fclose(m), 0);
    return buf;
}

static char *render_fixtures(enum format f)
{
    struct kdo_scenario_result r[NFIX];
    fixtures(r);
    char *s = render(f, r, NFIX);
    cleanup_all(r, NFIX);
    return s;
}

static void assert_has(const char *hay, const char *needle)
{
    ck_assert_msg(strstr(hay, needle) != NULL, "missing \"%s\" in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
    ck_assert_msg(strstr(hay, needle) == NULL, "unexpected \"%s\" in:\n%s", needle, hay);
}

static size_t occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* ---- basics ---------------------------------------------------------------- */

START_TEST(verdict_names)
{
    ck_assert_str_eq(kdo_verdict_name(KDO_VERDICT_PASSED), "PASS");
    ck_assert_str_eq(kdo_verdict_name(KDO_VERDICT_FAILED), "FAIL");
    ck_assert_str_eq(kdo_verdict_name(KDO_VERDICT_BAD_INPUT), "ERROR");
    ck_assert_str_eq(kdo_verdict_name(KDO_VERDICT_UNDECIDED), "UNDECIDED");
}
END_TEST

START_TEST(replay_command)
{
    struct kdo_scenario_result r[NFIX];
    char buf[256];
    fixtures(r);
    kdo_report_replay(&r[0], buf, sizeof buf);
    ck_assert_str_eq(buf, "kdaout run scenarios/01-all-ok.yaml --seed 42");
    /* A file the shell would split is quoted. */
    kdo_report_replay(&r[1], buf, sizeof buf);
    ck_assert_str_eq(buf, "kdaout run 'scenarios/07 poison'\\''s pill.yaml' --seed 7");
    kdo_report_replay(&r[4], buf, sizeof buf);
    ck_assert_str_eq(buf, "kdaout run scenarios/big.yaml --seed 18446744073709551615");
    /* Bounded and always terminated; size 0 writes nothing. */
    memset(buf, 'x', sizeof buf);
    kdo_report_replay(&r[0], buf, 10);
    ck_assert_str_eq(buf, "kdaout ru");
    ck_assert_int_eq(buf[10], 'x');
    kdo_report_replay(&r[0], buf, 0);
    ck_assert_int_eq(buf[0], 'k');
    cleanup_all(r, NFIX);
}
END_TEST

/* Under ASan a leak or a double free fails this test. */
START_TEST(cleanup_frees_and_tolerates_null)
{
    struct kdo_scenario_result r[NFIX], empty = {0};
    fixtures(r);
    cleanup_all(r, NFIX);
    for (size_t i = 0; i < NFIX; i++) {
        ck_assert_ptr_null(r[i].file);
        ck_assert_ptr_null(r[i].checks);
        ck_assert_uint_eq(r[i].nchecks, 0);
    }
    cleanup_all(r, NFIX); /* twice is harmless */
    kdo_scenario_result_cleanup(&empty);
    kdo_scenario_result_cleanup(NULL);
    /* Checks with NULL strings. */
    empty.checks = kdo_xcalloc(2, sizeof *empty.checks);
    empty.nchecks = 2;
    empty.checks[1].evidence = kdo_xstrdup("{}");
    kdo_scenario_result_cleanup(&empty);
    ck_assert_ptr_null(empty.checks);
}
END_TEST

/* ---- terminal ---------------------------------------------------------------- */

START_TEST(terminal_lines_exact)
{
    char *s = render_fixtures(TERMINAL);
    const char *want =
        "PASS  scenarios/01-all-ok.yaml  all Ok (seed 42, 60 s virtual in 0.060 s)\n"
        "FAIL  scenarios/07 poison's pill.yaml  poison | <pill> & \"friends\" #1"
        " (seed 7, 120 s virtual in 1.235 s)\n"
        "    note: no Timeout; using an invocation timeout of 8000 ms\n"
        "    FAILED lost = 3, expected = 0 (checked in every scenario)\n"
        "      journal: {\"ev\":\"reply\",\"detail\":\"quote \\\" lt < amp & gt > apos '\"}\n"
        "      journal: {\"ev\":\"end\",\"ctl\":\"\xef\xbf\xbd\xef\xbf\xbd[31m\xef\xbf\xbd\","
        "\"bad\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}\n"
        "    FAILED max_lag_ms = nan, expected >= 30000 (scenarios/07 poison's pill.yaml:14:3)\n"
        "      journal: {\"row\":\"```sql SELECT 1```\"}\n"
        "    replay: kdaout run 'scenarios/07 poison'\\''s pill.yaml' --seed 7\n"
        "ERROR scenarios/bad.yaml:3:7: unknown key \"durration\"\n"
        "UNDECIDED scenarios/http.yaml  over HTTP: the endpoint was unreachable (seed 3)\n"
        "    FAILED lost = 1, expected = 0 (checked in every scenario)\n"
        "      journal: {\"ev\":\"reply\"}\n"
        "    replay: kdaout run scenarios/http.yaml --seed 3\n"
        "FAIL  scenarios/big.yaml  a burst: the run stopped: buffer full"
        " (seed 18446744073709551615)\n"
        "    replay: kdaout run scenarios/big.yaml --seed 18446744073709551615\n"
        "kdaout: 1 passed, 2 failed\n"
        "kdaout: 1 errors, 1 undecided\n";
    ck_assert_str_eq(s, want);
    free(s);
}
END_TEST

START_TEST(terminal_realtime_and_error_without_file_in_message)
{
    struct kdo_scenario_result r[NFIX];
    fixtures(r);
    r[3].verdict = KDO_VERDICT_PASSED;
    free(r[3].message);
    r[3].message = NULL;
    free(r[2].message);
    r[2].message = kdo_xstrdup("cannot reach the Lambda end: refused");
    r[2].name = kdo_xstrdup("bad one");
    char *s = render(TERMINAL, r, NFIX);
    assert_has(s, "\nPASS  scenarios/http.yaml  over HTTP (seed 3, 2.5 s real time over HTTP)\n");
    assert_has(s, "\nERROR scenarios/bad.yaml  bad one: cannot reach the Lambda end: refused\n");
    free(s);
    cleanup_all(r, NFIX);
}
END_TEST

START_TEST(terminal_summary_exact)
{
    struct kdo_scenario_result r[NFIX];
    char *s;
    fixtures(r);
    /* Passed and failed only: exactly one line. */
    s = render(TERMINAL, r, 2);
    ck_assert_str_eq(strstr(s, "kdaout: "), "kdaout: 1 passed, 1 failed\n");
    free(s);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    ck_assert_int_eq(kdo_report_terminal_summary(m, r, NFIX, 0), 0);
    fclose(m);
    ck_assert_str_eq(buf, "kdaout: 1 passed, 2 failed\nkdaout: 1 errors, 1 undecided\n");
    free(buf);
    s = render(TERMINAL, r, 0);
    ck_assert_str_eq(s, "kdaout: 0 passed, 0 failed\n");
    free(s);
    cleanup_all(r, NFIX);
}
END_TEST

START_TEST(terminal_colour_only_when_asked)
{
    char *plain = render_fixtures(TERMINAL);
    char *colour = render_fixtures(TERMINAL_COLOUR);
    /* Not even the ESC inside the evidence gets through. */
    ck_assert_ptr_null(strchr(plain, '\033'));
    assert_has(colour, "\033[32mPASS\033[0m  scenarios/01");
    assert_has(colour, "\033[31mFAIL\033[0m  scenarios/07");
    assert_has(colour, "\033[31mERROR\033[0m scenarios/bad.yaml");
    assert_has(colour, "\033[33mUNDECIDED\033[0m scenarios/http.yaml");
    assert_has(colour, "\033[2m      journal: {\"ev\":\"reply\"}\033[0m\n");
    assert_has(colour, "    \033[31mFAILED\033[0m lost = 3");
    assert_has(colour, "kdaout: \033[32m1 passed\033[0m, \033[31m2 failed\033[0m\n");
    assert_lacks(colour, "\033[31m"
                         "[31m"); /* the evidence's own escape stayed neutralised */
    free(plain);
    free(colour);
}
END_TEST

START_TEST(terminal_verbose_shows_every_check)
{
    char *plain = render_fixtures(TERMINAL);
    char *verbose = render_fixtures(TERMINAL_VERBOSE);
    assert_lacks(plain, "passed lost");
    assert_has(verbose, "PASS  scenarios/01-all-ok.yaml  all Ok (seed 42, 60 s virtual in 0.060 s)\n"
                        "    guide: each record comes back Ok\n"
                        "    passed lost = 0, expected = 0 (checked in every scenario)\n");
    assert_has(verbose, "    passed final_lag_ms = 0, expected = 0 (scenarios/07 poison's "
                        "pill.yaml:15:3)\n");
    free(plain);
    free(verbose);
}
END_TEST

/* ---- TAP --------------------------------------------------------------------- */

/* Parses one YAML document with libyaml; returns 1 if it is well-formed. */
static int yaml_ok(const char *text, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int ok = 1, done = 0;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (ok && !done) {
        ok = yaml_parser_parse(&p, &ev);
        if (ok) {
            done = ev.type == YAML_STREAM_END_EVENT;
            yaml_event_delete(&ev);
        }
    }
    yaml_parser_delete(&p);
    return ok;
}

/* Every "  ---" ... "  ..." block, unindented, parses as YAML. */
static size_t check_tap_yaml(const char *tap)
{
    size_t blocks = 0;
    for (const char *p = tap; (p = strstr(p, "\n  ---\n")) != NULL; blocks++) {
        const char *end = strstr(p, "\n  ...\n");
        ck_assert_ptr_nonnull(end);
        char *doc = kdo_xmalloc((size_t)(end - p) + 2);
        size_t n = 0;
        for (const char *q = p + 1; q <= end; q++) {
            if ((q == p + 1 || q[-1] == '\n') && strncmp(q, "  ", 2) == 0)
                q += 2;
            doc[n++] = *q;
        }
        doc[n] = '\0';
        ck_assert_msg(yaml_ok(doc, n), "TAP diagnostics are not YAML:\n%s", doc);
        free(doc);
        p = end + 1;
    }
    return blocks;
}

START_TEST(tap_13)
{
    char *s = render_fixtures(TAP);
    ck_assert_msg(strncmp(s, "TAP version 13\n1..5\n", 20) == 0, "%s", s);
    assert_has(s, "\nok 1 - all Ok\n");
    assert_has(s, "\nnot ok 2 - poison | <pill> & \"friends\" \\#1\n  ---\n"
                  "  message: \"2 checks failed\"\n  severity: fail\n");
    assert_has(s, "  seed: 7\n  replay: \"kdaout run 'scenarios/07 poison'\\\\''s pill.yaml' "
                  "--seed 7\"\n  failed:\n    - fact: \"lost\"\n      value: 3\n");
    assert_has(s, "    - fact: \"max_lag_ms\"\n      value: null\n      expected: \">= 30000\"\n"
                  "      at: \"scenarios/07 poison's pill.yaml:14:3\"\n");
    assert_has(s, "\"ctl\\\":\\\"\\u0001\\u001b[31m\\u007f\\\"");
    assert_has(s, "\nnot ok 3 - scenarios/bad.yaml\n  ---\n  message: \"scenarios/bad.yaml:3:7: "
                  "unknown key \\\"durration\\\"\"\n  severity: error\n");
    assert_has(s, "\nok 4 - over HTTP # SKIP undecided: the endpoint was unreachable\n");
    assert_has(s, "\nnot ok 5 - a burst\n  ---\n  message: \"the run stopped: buffer full\"\n");
    ck_assert_uint_eq(occurrences(s, "\nok ") + occurrences(s, "\nnot ok "), NFIX);
    ck_assert_uint_eq(check_tap_yaml(s), 4);
    free(s);
}
END_TEST

/* ---- JUnit ------------------------------------------------------------------- */

static void require_xmllint(void)
{
    ck_assert_msg(system("command -v xmllint >/dev/null 2>&1") == 0,
                  "xmllint not found: apt-get install -y libxml2-utils");
}

/* xmllint's exit status validating `path` against junit.xsd: 0 valid,
 * 3 or 4 invalid, 1 not well-formed, 5 the schema itself did not compile.
 * `quiet` hides the diagnostics of files meant to fail. */
static int validate(const char *path, int quiet)
{
    const char *root = getenv("KDO_SOURCE_ROOT");
    char cmd[4096];
    ck_assert_msg(root != NULL, "KDO_SOURCE_ROOT is not set");
    require_xmllint();
    snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s/tests/data/junit/junit.xsd' '%s' %s",
             root, path, quiet ? ">/dev/null 2>&1" : "");
    int st = system(cmd);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* xmllint --xpath's answer, without the trailing newline (caller frees). */
static char *xpath(const char *path, const char *expr)
{
    char cmd[4096], *buf = NULL;
    size_t cap = 0;
    snprintf(cmd, sizeof cmd, "xmllint --xpath '%s' '%s'", expr, path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    ssize_t n = getdelim(&buf, &cap, '\0', p);
    ck_assert_int_eq(pclose(p), 0);
    if (n <= 0)
        return kdo_xstrdup("");
    while (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    return buf;
}

static void assert_xpath(const char *path, const char *expr, const char *want)
{
    char *got = xpath(path, expr);
    ck_assert_msg(strcmp(got, want) == 0, "xpath %s: got \"%s\", want \"%s\"", expr, got, want);
    free(got);
}

/* Writes text to a new temporary file; returns its path (static buffer). */
static const char *temp_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/kdo-report-XXXXXX.xml");
    int fd = mkstemps(path, 4);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

START_TEST(junit_validates_against_the_schema)
{
    char *s = render_fixtures(JUNIT);
    ck_assert_msg(strncmp(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites ", 50) == 0,
                  "%s", s);
    /* Nothing XML 1.0 forbids got through; invalid UTF-8 became U+FFFD. */
    for (const char *p = s; *p; p++)
        ck_assert_msg((unsigned char)*p >= 0x20 || *p == '\n', "byte 0x%02x in XML",
                      (unsigned char)*p);
    assert_has(s, "\xef\xbf\xbd");
    const char *path = temp_file(s);
    ck_assert_int_eq(validate(path, 0), 0);
    unlink(path);
    free(s);
}
END_TEST

START_TEST(junit_content)
{
    char *s = render_fixtures(JUNIT);
    const char *path = temp_file(s);
    assert_xpath(path, "count(/testsuites/testsuite)", "1");
    assert_xpath(path, "count(//testcase)", "5");
    assert_xpath(path, "string(/testsuites/@tests)", "5");
    assert_xpath(path, "string(/testsuites/@failures)", "2");
    assert_xpath(path, "string(/testsuites/testsuite/@errors)", "1");
    assert_xpath(path, "string(/testsuites/testsuite/@skipped)", "1");
    assert_xpath(path, "string(/testsuites/testsuite/@time)", "4.295");
    assert_xpath(path, "string(//testcase[1]/@time)", "0.060");
    assert_xpath(path, "string(//testcase[1]/@classname)", "kdaout.scenarios");
    assert_xpath(path, "count(//testcase[1]/*[not(self::system-out)])", "0");
    /* Attributes come back exactly, quotes and all. */
    char *name = xpath(path, "string(//testcase[2]/@name)");
    ck_assert_str_eq(name, name_nasty);
    free(name);
    char *file = xpath(path, "string(//testcase[2]/@file)");
    ck_assert_str_eq(file, file_quoted);
    free(file);
    assert_xpath(path, "string(//testcase[2]/failure/@message)", "2 checks failed");
    assert_xpath(path, "string(//testcase[2]/failure/@type)", "check");
    char *body = xpath(path, "string(//testcase[2]/failure)");
    assert_has(body, "FAILED lost = 3, expected = 0 (checked in every scenario)\n"
                     "  journal: {\"ev\":\"reply\",\"detail\":\"quote \\\" lt < amp & gt > apos "
                     "'\"}\n");
    assert_has(body, "FAILED max_lag_ms = nan, expected >= 30000");
    assert_has(body, "replay: kdaout run 'scenarios/07 poison'\\''s pill.yaml' --seed 7");
    free(body);
    assert_xpath(path, "string(//testcase[2]/system-out)",
                 "seed: 7\nreplay: kdaout run 'scenarios/07 poison'\\''s pill.yaml' --seed 7\n"
                 "note: no Timeout; using an invocation timeout of 8000 ms");
    assert_xpath(path, "string(//testcase[3]/@name)", "scenarios/bad.yaml");
    assert_xpath(path, "string(//testcase[3]/error/@type)", "input");
    assert_xpath(path, "string(//testcase[3]/error/@message)",
                 "scenarios/bad.yaml:3:7: unknown key \"durration\"");
    assert_xpath(path, "string(//testcase[4]/skipped/@message)",
                 "undecided: the endpoint was unreachable");
    assert_xpath(path, "string(//testcase[5]/failure/@message)", "the run stopped: buffer full");
    unlink(path);
    free(s);
}
END_TEST

/* Planted bugs: the validation must be able to say no. */
START_TEST(junit_validation_can_fail)
{
    const char *root = getenv("KDO_SOURCE_ROOT");
    char path[4096];
    ck_assert_ptr_nonnull(root);
    snprintf(path, sizeof path, "%s/tests/data/junit/broken-testcase-without-name.xml", root);
    ck_assert_int_eq(validate(path, 1), 3); /* invalid, and the schema compiled */
    snprintf(path, sizeof path, "%s/tests/data/junit/broken-not-well-formed.xml", root);
    ck_assert_int_eq(validate(path, 1), 1);
    /* Our own report with one required attribute taken away. */
    char *s = render_fixtures(JUNIT);
    char *at = strstr(s, " errors=\"1\"");
    ck_assert_ptr_nonnull(at);
    at = strstr(at + 1, " errors=\"1\""); /* the <testsuite>'s, where it is required */
    ck_assert_ptr_nonnull(at);
    memset(at, ' ', strlen(" errors=\"1\""));
    const char *tmp = temp_file(s);
    ck_assert_int_eq(validate(tmp, 1), 3);
    unlink(tmp);
    free(s);
}
END_TEST

START_TEST(junit_empty_run)
{
    char *s = render(JUNIT, NULL, 0);
    const char *path = temp_file(s);
    ck_assert_int_eq(validate(path, 0), 0);
    assert_xpath(path, "string(/testsuites/testsuite/@tests)", "0");
    assert_xpath(path, "string(/testsuites/@time)", "0.000");
    unlink(path);
    free(s);
}
END_TEST

/* ---- JSON -------------------------------------------------------------------- */

static json_t *parse_json(const char *s, size_t flags)
{
    json_error_t err;
    json_t *j = json_loads(s, flags, &err);
    ck_assert_msg(j != NULL, "invalid JSON at %d:%d: %s\n%s", err.line, err.column, err.text, s);
    return j;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_string(v), "\"%s\" is not a string", key);
    return json_string_value(v);
}

static double jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_number(v), "\"%s\" is not a number", key);
    return json_number_value(v);
}

static void assert_null(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(v != NULL && json_is_null(v), "\"%s\" is not null", key);
}

START_TEST(json_every_field)
{
    struct kdo_scenario_result r[NFIX];
    fixtures(r);
    r[4].seed = 99; /* jansson's integers are signed 64-bit */
    char *s = render(JSON, r, NFIX);
    cleanup_all(r, NFIX);
    json_t *j = parse_json(s, 0);
    ck_assert_str_eq(jstr(j, "kdaout"), "0.1.0");
    ck_assert_int_eq(jnum(j, "total"), 5);
    ck_assert_int_eq(jnum(j, "passed"), 1);
    ck_assert_int_eq(jnum(j, "failed"), 2);
    ck_assert_int_eq(jnum(j, "errors"), 1);
    ck_assert_int_eq(jnum(j, "undecided"), 1);
    json_t *sc = json_object_get(j, "scenarios");
    ck_assert_uint_eq(json_array_size(sc), NFIX);

    json_t *pass = json_array_get(sc, 0);
    ck_assert_str_eq(jstr(pass, "verdict"), "PASS");
    ck_assert_str_eq(jstr(pass, "guide"), "each record comes back Ok");
    assert_null(pass, "message");
    assert_null(pass, "notes");
    ck_assert_int_eq(jnum(pass, "seed"), 42);
    ck_assert(json_is_false(json_object_get(pass, "realtime")));
    ck_assert_double_eq(jnum(pass, "virtual_s"), 60);
    ck_assert_double_eq(jnum(pass, "wall_s"), 0.0604);
    ck_assert_str_eq(jstr(pass, "replay"), "kdaout run scenarios/01-all-ok.yaml --seed 42");

    json_t *fail = json_array_get(sc, 1);
    ck_assert_str_eq(jstr(fail, "name"), name_nasty);
    ck_assert_str_eq(jstr(fail, "file"), file_quoted);
    ck_assert_str_eq(jstr(fail, "verdict"), "FAIL");
    assert_null(fail, "guide");
    ck_assert_str_eq(jstr(fail, "notes"),
                     "    note: no Timeout; using an invocation timeout of 8000 ms\n");
    ck_assert_double_eq(jnum(fail, "wall_s"), 1.2345);
    json_t *checks = json_object_get(fail, "checks");
    ck_assert_uint_eq(json_array_size(checks), 3);
    json_t *c0 = json_array_get(checks, 0), *c1 = json_array_get(checks, 1);
    ck_assert_str_eq(jstr(c0, "fact"), "lost");
    ck_assert_str_eq(jstr(c0, "expected"), "= 0");
    ck_assert_double_eq(jnum(c0, "value"), 3);
    ck_assert(json_is_false(json_object_get(c0, "passed")));
    ck_assert_int_eq(jnum(c0, "line"), 0);
    /* Control characters survive (escaped); invalid UTF-8 became U+FFFD. */
    ck_assert_str_eq(jstr(c0, "evidence"),
                     "{\"ev\":\"reply\",\"detail\":\"quote \\\" lt < amp & gt > apos '\"}\n"
                     "{\"ev\":\"end\",\"ctl\":\"\x01\x1b[31m\x7f\",\"bad\":\"\xef\xbf\xbd"
                     "\xef\xbf\xbd\xef\xbf\xbd(\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"}");
    assert_null(c1, "value"); /* NaN */
    ck_assert_int_eq(jnum(c1, "line"), 14);
    ck_assert_int_eq(jnum(c1, "column"), 3);
    ck_assert(json_is_true(json_object_get(json_array_get(checks, 2), "passed")));
    assert_null(json_array_get(checks, 2), "evidence");

    json_t *bad = json_array_get(sc, 2);
    ck_assert_str_eq(jstr(bad, "verdict"), "ERROR");
    assert_null(bad, "name");
    ck_assert_str_eq(jstr(bad, "message"), "scenarios/bad.yaml:3:7: unknown key \"durration\"");
    json_t *und = json_array_get(sc, 3);
    ck_assert_str_eq(jstr(und, "verdict"), "UNDECIDED");
    ck_assert(json_is_true(json_object_get(und, "realtime")));
    json_decref(j);
    free(s);
}
END_TEST

START_TEST(json_large_seed_and_infinity)
{
    struct kdo_scenario_result r[NFIX];
    fixtures(r);
    r[1].checks[0].value = INFINITY;
    r[1].wall_s = NAN;
    char *s = render(JSON, r, NFIX);
    cleanup_all(r, NFIX);
    /* Written exactly even past INT64_MAX (readers with doubles round it). */
    assert_has(s, "\"seed\":18446744073709551615,");
    assert_has(s, "\"wall_s\":null");
    assert_has(s, "\"value\":null");
    assert_lacks(s, "inf");
    assert_lacks(s, "nan");
    free(s);
}
END_TEST

/* ---- Markdown ---------------------------------------------------------------- */

/* Unescaped '|' on a line: the cell borders of a table row. */
static size_t cell_borders(const char *line, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    return n;
}

START_TEST(markdown_summary)
{
    char *s = render_fixtures(MARKDOWN);
    ck_assert_msg(strncmp(s, "## kdaout: 1 passed, 2 failed, 1 errors, 1 undecided\n\n", 54) == 0,
                  "%s", s);
    assert_has(s, "| Verdict | Scenario | Seed | Time |\n|---|---|---|---|\n");
    assert_has(s, "| PASS | all Ok (scenarios/01-all-ok.yaml) | 42 | 60 s virtual in 0.060 s |\n");
    assert_has(s, "| FAIL | poison \\| \\<pill\\> \\& \"friends\" \\#1 (scenarios/07 poison's "
                  "pill.yaml) | 7 |");
    /* Every table row has exactly five borders: four cells. */
    for (const char *p = s; (p = strstr(p, "\n|")) != NULL; p++) {
        const char *end = strchr(p + 1, '\n');
        ck_assert_uint_eq(cell_borders(p + 1, (size_t)(end - p - 1)), 5);
    }
    assert_has(s, "### FAIL: poison \\| \\<pill\\> \\& \"friends\" \\#1\n\n");
    assert_has(s, "- **FAILED** lost = 3, expected = 0 (checked in every scenario)\n\n"
                  "```json\n{\"ev\":\"reply\"");
    /* A fence longer than the backticks inside. */
    assert_has(s, "\n````json\n{\"row\":\"```sql SELECT 1```\"}\n````\n");
    assert_has(s, "Replay:\n\n```sh\nkdaout run 'scenarios/07 poison'\\''s pill.yaml' --seed 7\n"
                  "```\n");
    assert_has(s, "### ERROR: scenarios/bad.yaml\n");
    assert_has(s, "### UNDECIDED: over HTTP\n");
    assert_lacks(s, "### PASS");
    ck_assert_ptr_null(strchr(s, '\033'));
    ck_assert_ptr_null(strchr(s, '\x01'));
    free(s);
}
END_TEST

/* ---- all formats ------------------------------------------------------------- */

START_TEST(numbers_use_a_dot_in_any_locale)
{
    static const char *const locales[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE", "fr_FR"};
    const char *set = NULL;
    for (size_t i = 0; i < 4 && set == NULL; i++)
        set = setlocale(LC_NUMERIC, locales[i]);
    char *term = render_fixtures(TERMINAL), *junit = render_fixtures(JUNIT);
    char *json = render_fixtures(JSON), *md = render_fixtures(MARKDOWN);
    setlocale(LC_NUMERIC, "C");
    assert_has(term, "60 s virtual in 0.060 s");
    assert_has(junit, "time=\"1.235\"");
    assert_has(md, "in 1.235 s |");
    assert_has(md, "| 3 | 2.500 s real time |");
    json_t *j = parse_json(json, JSON_DECODE_INT_AS_REAL); /* the seed past INT64_MAX */
    ck_assert_double_eq(jnum(json_array_get(json_object_get(j, "scenarios"), 1), "wall_s"),
                        1.2345);
    json_decref(j);
    if (set == NULL)
        fprintf(stderr, "numbers_use_a_dot_in_any_locale: no comma locale installed; "
                        "ran in the C locale only\n");
    free(term);
    free(junit);
    free(json);
    free(md);
}
END_TEST

START_TEST(write_errors_are_eio)
{
    struct kdo_scenario_result r[NFIX];
    FILE *full = fopen("/dev/full", "w");
    if (full == NULL)
        return; /* no /dev/full here */
    fixtures(r);
    ck_assert_int_eq(kdo_report_terminal(full, r, NFIX, 0, 0), KDO_EIO);
    clearerr(full);
    ck_assert_int_eq(kdo_report_tap(full, r, NFIX), KDO_EIO);
    clearerr(full);
    ck_assert_int_eq(kdo_report_junit(full, r, NFIX), KDO_EIO);
    clearerr(full);
    ck_assert_int_eq(kdo_report_json(full, r, NFIX), KDO_EIO);
    clearerr(full);
    ck_assert_int_eq(kdo_report_markdown(full, r, NFIX), KDO_EIO);
    fclose(full);
    cleanup_all(r, NFIX);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"verdict_names", verdict_names},
        {"replay_command", replay_command},
        {"cleanup_frees_and_tolerates_null", cleanup_frees_and_tolerates_null},
        {"terminal_lines_exact", terminal_lines_exact},
        {"terminal_realtime_and_error_without_file_in_message", terminal_realtime_and_error_without_file_in_message},
        {"terminal_summary_exact", terminal_summary_exact},
        {"terminal_colour_only_when_asked", terminal_colour_only_when_asked},
        {"terminal_verbose_shows_every_check", terminal_verbose_shows_every_check},
        {"tap_13", tap_13},
        {"junit_validates_against_the_schema", junit_validates_against_the_schema},
        {"junit_content", junit_content},
        {"junit_validation_can_fail", junit_validation_can_fail},
        {"junit_empty_run", junit_empty_run},
        {"json_every_field", json_every_field},
        {"json_large_seed_and_infinity", json_large_seed_and_infinity},
        {"markdown_summary", markdown_summary},
        {"numbers_use_a_dot_in_any_locale", numbers_use_a_dot_in_any_locale},
        {"write_errors_are_eio", write_errors_are_eio},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(report_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
