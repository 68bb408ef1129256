/*
 * test_report_html.c -- the HTML report, conformance/report-html.c and
 * report-svg.c (parts of report, with the escaper of report-escape.c).
 *
 * Untrusted text (names, evidence) holding markup, quotes, control
 * characters, invalid UTF-8 and HTML's forbidden code points comes out as
 * text, byte for byte as pinned; a page built from a hand-made result and a
 * crafted journal shows one mark per invocation (data-n summing to the
 * journal's count), each check with its verdict class, the evidence of the
 * failed one, and the failed record's recordId; the page is well-formed XML
 * (xmllint, when installed) and fetches nothing; the index percent-encodes
 * its links.
 */
#include "report-int.h"
#include "report.h"
#include "timeline.h"

#include "base/errors.h"
#include "delivery/contract.h"
#include "delivery/journal.h"
#include "delivery/reply.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *escaped(const char *s, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    kdo__report_put_span(f, s, n, KDO__ESC_HTML);
    fclose(f);
    return text;
}

START_TEST(html_escaping)
{
    static const char in[] = "<b a=\"x\" b='y'>&amp;</b>\n\ttab\x01\x1b[31m\x7f"
                             "\xc2\x85"         /* U+0085, a C1 control */
                             "\xef\xbf\xbe"     /* U+FFFE, a noncharacter */
                             "\xef\xb7\x90"     /* U+FDD0, a noncharacter */
                             "\xff\xc3\x28"     /* invalid UTF-8 */
                             "\r\xc3\xa9\xe2\x9c\x93"; /* CR dropped; é ✓ kept */
    char *out = escaped(in, sizeof in - 1);
    ck_assert_str_eq(out, "&lt;b a=&quot;x&quot; b=&#39;y&#39;&gt;&amp;amp;&lt;/b&gt;&#10;&#9;"
                          "tab[31m\xef\xbf\xbd\xef\xbf\xbd(\xc3\xa9\xe2\x9c\x93");
    free(out);
    out = escaped("</script><!-- -->", 17);
    ck_assert_str_eq(out, "&lt;/script&gt;&lt;!-- --&gt;");
    free(out);
    out = escaped(NULL, 0);
    ck_assert_str_eq(out, "");
    free(out);
}
END_TEST

static struct kdo_check_result check_of(const char *fact, int passed, const char *evidence)
{
    return (struct kdo_check_result){.fact = kdo_xstrdup(fact), .expected = kdo_xstrdup("= 0"),
                                      .value = passed ? 0 : 3, .passed = passed,
                                      .evidence = evidence ? kdo_xstrdup(evidence) : NULL};
}

/* A failed scenario: three checks, one failed with evidence holding markup. */
static void result_of(struct kdo_scenario_result *r)
{
    *r = (struct kdo_scenario_result){.file = kdo_xstrdup("s/07 poison's <pill>.yaml"),
                                      .name = kdo_xstrdup("a <b>poison</b> & \"pill\""),
                                      .verdict = KDO_VERDICT_FAILED, .seed = 7,
                                      .virtual_s = 12.5, .wall_s = 0.25};
    r->checks = kdo_xcalloc(3, sizeof *r->checks);
    r->checks[0] =
        check_of("lost", 0, "{\"ev\":\"end\",\"x\":\"</pre><script>alert(1)</script>\"}");
    r->checks[1] = check_of("ok_resent", 1, NULL);
    r->checks[2] = check_of("retry_hint_errors", 1, NULL);
    r->nchecks = 3;
}

/* One invocation of one record and its reply, answered `v` 1 ms later. */
static void exchange(struct kdo_journal *j, kdo_time_ns t, uint64_t number, uint64_t seq,
                     uint64_t hint, uint8_t v)
{
    kdo_journal_invoke(j, t, number, number, hint > 0, "id", 100, 1, &seq, &hint);
    struct kdo_jentry e = {.kind = KDO_J_REPLY};
    e.u.reply.number = number;
    e.u.reply.status = 200;
    e.u.reply.whole = v == KDO_REASON_FUNCTION_ERROR ? v : KDO_REASON_OK;
    e.u.reply.n = 1;
    e.u.reply.ok = v == KDO_REASON_OK;
    e.u.reply.failed = v != KDO_REASON_OK;
    kdo_journal_reply(j, t + KDO_MS, &e, "", &v);
}

/* 40 invocations, one a second: the 10th fails (record 9), the 11th retries it. */
static struct kdo_journal *journal_of(struct kdo_timeline *tl)
{
    struct kdo_journal *j = kdo_journal_new();
    ck_assert_int_eq(kdo_timeline_watch(tl, 0, "", j), 0);
    kdo_journal_start(j, 0, 7, "123456789012345678901234567890123456");
    for (uint64_t i = 0; i < 40; i++) {
        kdo_time_ns t = (kdo_time_ns)i * KDO_S;
        exchange(j, t, i + 1, i == 10 ? 9 : i, i == 10,
                 i == 9 ? KDO_REASON_FUNCTION_ERROR : KDO_REASON_OK);
        kdo_journal_sample(j, t, 10, 1000, (int64_t)i * 10, 0);
    }
    kdo_journal_pause(j, 15 * KDO_S, NULL);
    kdo_journal_mark(j, 17 * KDO_S, KDO_J_RESUME);
    kdo_journal_end(j, 40 * KDO_S, 0, 0);
    return j;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* Sum of data-n="N" on rects of class `cls` ("inv " or "pause"). */
static unsigned long sum_data_n(const char *page, const char *cls)
{
    char pat[64];
    unsigned long sum = 0;
    snprintf(pat, sizeof pat, "<rect class=\"%s", cls);
    for (const char *p = page; (p = strstr(p, pat)) != NULL; p++) {
        const char *d = strstr(p, "data-n=\"");
        ck_assert_ptr_nonnull(d);
        sum += strtoul(d + 8, NULL, 10);
    }
    return sum;
}

static char *page_of(const struct kdo_scenario_result *r, const struct kdo_timeline *tl)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(kdo_report_html(f, r, tl), 0);
    fclose(f);
    return text;
}

/* xmllint, when there, reads the page as XML: the markup is polyglot. */
static void well_formed(const char *page)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0)
        return;
    char path[] = "/tmp/kdo-report-html-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(page, f);
    fclose(f);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    int rc = system(cmd);
    unlink(path);
    ck_assert_msg(rc == 0, "xmllint --noout refused the page (exit %d)", rc);
}

START_TEST(page_from_journal_and_checks)
{
    struct kdo_scenario_result r;
    struct kdo_timeline *tl = kdo_timeline_new();
    struct kdo_journal *j = journal_of(tl);
    kdo_timeline_fix(tl, 3 * KDO_S, "poison pill (1 rule ended)");
    result_of(&r);
    char *page = page_of(&r, tl);
    ck_assert_uint_eq(sum_data_n(page, "inv "), 40);
    ck_assert_uint_eq(count(page, "<rect class=\"inv "), 40); /* fewer than pixels: one each */
    ck_assert_uint_eq(count(page, "<rect class=\"inv inv-failed"), 1);
    ck_assert_uint_eq(count(page, "class=\"inv inv-ok retry\""), 1);
    ck_assert_uint_eq(sum_data_n(page, "pause"), 1);
    ck_assert_uint_eq(count(page, "<li class=\"check check-failed\">"), 1);
    ck_assert_uint_eq(count(page, "<li class=\"check check-passed\">"), 2);
    ck_assert_uint_eq(count(page, "<polyline class=\"lag\""), 1);
    ck_assert_uint_eq(count(page, "<polyline class=\"depth\""), 1);
    /* the failed record: prefix + row number 9, 2 attempts, the reason */
    ck_assert_ptr_nonnull(strstr(page, "12345678901234567890123456789012345600000000000000000009"));
    ck_assert_ptr_nonnull(strstr(page, "function_error"));
    ck_assert_ptr_nonnull(strstr(page, "retryHint 1"));
    /* the fix, a line on the lane with its title */
    ck_assert_uint_eq(count(page, "<line class=\"fix\" data-n=\"1\""), 1);
    ck_assert_ptr_nonnull(strstr(page, "fix deployed at 3.000 s: poison pill (1 rule ended)"));
    /* each lane's plot zooms; the one script is the zoom's, inline */
    ck_assert_uint_eq(count(page, "<svg class=\"plot\""), 1);
    ck_assert_uint_eq(count(page, "<script"), 1);
    ck_assert_ptr_nonnull(strstr(page, "<script>//<![CDATA[\n/* Zoom on time"));
    /* untrusted text stays text */
    ck_assert_ptr_null(strstr(page, "<b>poison"));
    ck_assert_ptr_nonnull(strstr(page, "&lt;/pre&gt;&lt;script&gt;"));
    ck_assert_ptr_nonnull(strstr(page, "a &lt;b&gt;poison&lt;/b&gt; &amp; &quot;pill&quot;"));
    ck_assert_ptr_null(strstr(page, "https://"));
    well_formed(page);
    free(page);
    /* nothing ran (bad input): the page still tells the verdict and why */
    struct kdo_scenario_result bad = {.file = kdo_xstrdup("x.yaml"),
                                      .verdict = KDO_VERDICT_BAD_INPUT,
                                      .message = kdo_xstrdup("x.yaml:3:1: unknown key")};
    page = page_of(&bad, NULL);
    ck_assert_ptr_nonnull(strstr(page, "x.yaml:3:1: unknown key"));
    ck_assert_ptr_null(strstr(page, "<svg"));
    well_formed(page);
    free(page);
    kdo_scenario_result_cleanup(&bad);
    kdo_scenario_result_cleanup(&r);
    kdo_journal_free(j);
    kdo_timeline_free(tl);
}
END_TEST

START_TEST(many_invocations_go_into_buckets)
{
    struct kdo_timeline *tl = kdo_timeline_new();
    struct kdo_journal *j = kdo_journal_new();
    ck_assert_int_eq(kdo_timeline_watch(tl, 0, "", j), 0);
    kdo_journal_forget(j);
    const uint64_t n = 5000;
    for (uint64_t i = 0; i < n; i++)
        exchange(j, (kdo_time_ns)i * 100 * KDO_MS, i + 1, i, 0,
                 i % 4 ? KDO_REASON_OK : KDO_REASON_DELIVERY_FAILED);
    kdo_journal_end(j, (kdo_time_ns)n * 100 * KDO_MS, 0, 0);
    struct kdo_scenario_result r = {.file = kdo_xstrdup("big.yaml")};
    char *page = page_of(&r, tl);
    size_t marks = count(page, "<rect class=\"inv ");
    ck_assert_uint_eq(sum_data_n(page, "inv "), n);
    ck_assert_msg(marks <= 2 * KDO__SVG_PLOT_W, "%zu marks for %u pixels", marks,
                  KDO__SVG_PLOT_W);
    /* each bucket's title says how many invocations it holds (+1: the lane's title) */
    ck_assert_uint_eq(count(page, " invocations, "), marks + 1);
    free(page);
    kdo_scenario_result_cleanup(&r);
    kdo_journal_free(j);
    kdo_timeline_free(tl);
}
END_TEST

START_TEST(index_links_each_page)
{
    struct kdo_scenario_result r[2];
    result_of(&r[0]);
    r[1] = (struct kdo_scenario_result){.file = kdo_xstrdup("ok.yaml"),
                                        .verdict = KDO_VERDICT_PASSED};
    const char *pages[2] = {"07 poison's <pill>.html", "ok.html"};
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_int_eq(kdo_report_html_index(f, r, 2, pages), 0);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "href=\"07%20poison%27s%20%3Cpill%3E.html\""));
    ck_assert_ptr_nonnull(strstr(text, "href=\"ok.html\""));
    ck_assert_ptr_nonnull(strstr(text, "1 passed, 1 failed"));
    ck_assert_uint_eq(count(text, "verdict-FAIL\">FAIL"), 1);
    ck_assert_uint_eq(count(text, "verdict-PASS\">PASS"), 1);
    well_formed(text);
    free(text);
    kdo_scenario_result_cleanup(&r[0]);
    kdo_scenario_result_cleanup(&r[1]);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("report_html");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, html_escaping);
    tcase_add_test(tc, page_from_journal_and_checks);
    tcase_add_test(tc, many_invocations_go_into_buckets);
    tcase_add_test(tc, index_links_each_page);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
