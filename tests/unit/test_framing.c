/*
 * test_framing.c -- RFC 9112 §6 framing from the head, emulator/lambda/framing.c.
 *
 * Each case is a list of headers and the verdict both servers must give.
 */
#include "lambda/framing.h"

#include <check.h>
#include <stdlib.h>

static enum kdo_framing_verdict judge(const char *const *headers)
{
    struct kdo_framing f = {0};
    const char *why = "unset";
    for (size_t i = 0; headers[i]; i += 2)
        kdo_framing_add(&f, headers[i], headers[i + 1]);
    enum kdo_framing_verdict v = kdo_framing_judge(&f, &why);
    ck_assert_msg((v == KDO_FRAMING_OK) == (why == NULL), "a refusal says why, a pass does not");
    return v;
}

START_TEST(framing_cases)
{
    static const struct {
        const char *headers[8];
        enum kdo_framing_verdict want;
    } cases[] = {
        {{NULL}, KDO_FRAMING_OK},
        {{"Content-Length", "42", NULL}, KDO_FRAMING_OK},
        {{"content-length", "0", NULL}, KDO_FRAMING_OK},
        {{"Transfer-Encoding", "chunked", NULL}, KDO_FRAMING_OK},
        {{"Transfer-Encoding", "Chunked", NULL}, KDO_FRAMING_OK},
        {{"Host", "x", "Expect", "100-continue", NULL}, KDO_FRAMING_OK},
        {{"Content-Length", "2", "Content-Length", "3", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Content-Length", "2", "Content-Length", "2", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Content-Length", "2x", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Content-Length", "-1", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Content-Length", "", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Content-Length", "99999999999999999999999", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Content-Length", "2", "Transfer-Encoding", "chunked", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Transfer-Encoding", "gzip", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Transfer-Encoding", "", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Transfer-Encoding", "chunked, gzip", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Transfer-Encoding", "chunked", "Transfer-Encoding", "chunked", NULL},
         KDO_FRAMING_AMBIGUOUS},
        {{"Transfer-Encoding", "chunked, chunked", NULL}, KDO_FRAMING_AMBIGUOUS},
        {{"Transfer-Encoding", "gzip, chunked", NULL}, KDO_FRAMING_UNSUPPORTED},
        {{"Transfer-Encoding", "gzip", "Transfer-Encoding", "chunked", NULL},
         KDO_FRAMING_UNSUPPORTED},
        {{"Transfer-Encoding", "gzip;q=1 , chunked", NULL}, KDO_FRAMING_UNSUPPORTED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(judge(cases[i].headers) == cases[i].want, "case %zu: got %d, want %d", i,
                      judge(cases[i].headers), cases[i].want);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("framing");
    TCase *tc = tcase_create("cases");
    tcase_add_test(tc, framing_cases);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
