/*
 * test_reply.c -- the reply judge of emulator/delivery/reply.c.
 *
 * Every reason reply.h can give is pinned with a crafted reply against three
 * sent ids "a", "b", "c", together with the summary's counts and the first
 * problem's detail sentence.  Precedence rules (an id-less entry beats an
 * unknown id; a second answer beats any result; a body that fails anywhere
 * fails every record) have their own cases.  ABANDONED is not the judge's to
 * give (delivery.c decides it on restart) and is not tested here.
 */
#include "delivery/reply.h"

#include "base/errors.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 3

static const struct kdo_str ids[N] = {{"a", 1}, {"b", 1}, {"c", 1}};
static struct kdo_reply *judge;
static uint8_t v[N];
static struct kdo_reply_summary sum;

static void setup(void)
{
    judge = kdo_reply_new();
    memset(v, 0xee, sizeof v);
}

static void teardown(void)
{
    kdo_reply_free(judge);
    judge = NULL;
}

static void judge_in(const struct kdo_reply_in *in)
{
    ck_assert_int_eq(kdo_reply_judge(judge, in, ids, N, v, &sum), 0);
    size_t total = 0;
    for (int r = 0; r < KDO_REASON_COUNT; r++)
        total += sum.count[r];
    ck_assert_uint_eq(total, N);
    ck_assert_uint_eq(sum.ok + sum.failed, N);
    ck_assert_uint_eq(sum.ok, sum.count[KDO_REASON_OK]);
}

/* Judges body as a plain 200 reply. */
static void judge_body(const char *body)
{
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, body, strlen(body), NULL};
    judge_in(&in);
}

static void expect_verdicts(enum kdo_reason a, enum kdo_reason b, enum kdo_reason c)
{
    ck_assert_str_eq(kdo_reason_name(v[0]), kdo_reason_name(a));
    ck_assert_str_eq(kdo_reason_name(v[1]), kdo_reason_name(b));
    ck_assert_str_eq(kdo_reason_name(v[2]), kdo_reason_name(c));
}

static void expect_all(enum kdo_reason why)
{
    expect_verdicts(why, why, why);
    ck_assert_str_eq(kdo_reason_name(sum.whole), kdo_reason_name(why));
    ck_assert_uint_eq(sum.count[why], N);
    ck_assert_uint_eq(sum.entries, 0);
}

static void expect_detail(const char *part)
{
    ck_assert_msg(strstr(sum.detail, part) != NULL, "detail \"%s\" lacks \"%s\"", sum.detail, part);
}

#define E(id, result) "{\"recordId\":\"" id "\",\"result\":\"" result "\"}"

/* ---- per-entry reasons ---------------------------------------------------- */

START_TEST(test_all_ok)
{
    judge_body("{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "]}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_OK, KDO_REASON_OK);
    ck_assert_int_eq(sum.whole, KDO_REASON_OK);
    ck_assert_uint_eq(sum.ok, 3);
    ck_assert_uint_eq(sum.failed, 0);
    ck_assert_uint_eq(sum.entries, 3);
    ck_assert_str_eq(sum.detail, "");
}
END_TEST

START_TEST(test_order_does_not_matter)
{
    judge_body(" { \"records\" : [ {\"result\":\"Ok\",\"recordId\":\"c\"}, " E("a", "Ok") "," E(
        "b", "Ok") " ] } \n");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_OK, KDO_REASON_OK);
}
END_TEST

START_TEST(test_delivery_failed)
{
    judge_body("{\"records\":[" E("a", "Ok") "," E("b", "DeliveryFailed") "," E("c", "Ok") "]}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_DELIVERY_FAILED, KDO_REASON_OK);
    ck_assert_uint_eq(sum.count[KDO_REASON_DELIVERY_FAILED], 1);
    ck_assert_uint_eq(sum.failed, 1);
    ck_assert_str_eq(sum.detail, "records[1]: recordId \"b\" answered DeliveryFailed");
}
END_TEST

START_TEST(test_not_returned)
{
    judge_body("{\"records\":[" E("a", "Ok") "]}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_NOT_RETURNED, KDO_REASON_NOT_RETURNED);
    ck_assert_uint_eq(sum.count[KDO_REASON_NOT_RETURNED], 2);
    ck_assert_str_eq(sum.detail, "2 of 3 records not answered, the first recordId \"b\"");
    judge_body("{\"records\":[]}");
    expect_verdicts(KDO_REASON_NOT_RETURNED, KDO_REASON_NOT_RETURNED, KDO_REASON_NOT_RETURNED);
    ck_assert_int_eq(sum.whole, KDO_REASON_OK); /* judged entry by entry */
}
END_TEST

START_TEST(test_no_record_id)
{
    /* missing, a number, null, an object: all id-less entries */
    static const char *const t[] = {
        "{\"records\":[" E("a", "Ok") ",{\"result\":\"Ok\"}]}",
        "{\"records\":[" E("a", "Ok") ",{\"recordId\":2,\"result\":\"Ok\"}]}",
        "{\"records\":[" E("a", "Ok") ",{\"recordId\":null,\"result\":\"Ok\"}]}",
        "{\"records\":[" E("a", "Ok") ",{\"recordId\":{\"b\":1},\"result\":\"Ok\"}]}",
        "{\"records\":[" E("a", "Ok") ",{\"recordid\":\"b\",\"result\":\"Ok\"}]}",
        "{\"records\":[" E("a", "Ok") ",{}]}",
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        judge_body(t[i]);
        expect_verdicts(KDO_REASON_OK, KDO_REASON_NO_RECORD_ID, KDO_REASON_NO_RECORD_ID);
        ck_assert_uint_eq(sum.idless_entries, 1);
        ck_assert_uint_eq(sum.entries, 2);
        ck_assert_str_eq(sum.detail, "records[1] has no string recordId");
    }
}
END_TEST

START_TEST(test_id_not_sent)
{
    judge_body("{\"records\":[" E("a", "Ok") "," E("zz", "Ok") "," E("c", "Ok") "]}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_ID_NOT_SENT, KDO_REASON_OK);
    ck_assert_uint_eq(sum.unknown_entries, 1);
    ck_assert_str_eq(sum.detail, "records[1]: recordId \"zz\" was not sent");
    judge_body("{\"records\":[" E("A", "Ok") "," E("b ", "Ok") "," E("", "Ok") "]}");
    expect_verdicts(KDO_REASON_ID_NOT_SENT, KDO_REASON_ID_NOT_SENT, KDO_REASON_ID_NOT_SENT);
    ck_assert_uint_eq(sum.unknown_entries, 3);
}
END_TEST

START_TEST(test_idless_beats_unknown)
{
    judge_body("{\"records\":[" E("zz", "Ok") ",{\"result\":\"Ok\"}," E("c", "Ok") "]}");
    expect_verdicts(KDO_REASON_NO_RECORD_ID, KDO_REASON_NO_RECORD_ID, KDO_REASON_OK);
    ck_assert_uint_eq(sum.unknown_entries, 1);
    ck_assert_uint_eq(sum.idless_entries, 1);
    ck_assert_str_eq(sum.detail, "records[0]: recordId \"zz\" was not sent"); /* first problem */
}
END_TEST

START_TEST(test_no_result)
{
    judge_body("{\"records\":[" E(
        "a", "Ok") ",{\"recordId\":\"b\"},{\"recordId\":\"c\",\"Result\":\"Ok\"}]}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_NO_RESULT, KDO_REASON_NO_RESULT);
    ck_assert_str_eq(sum.detail, "records[1]: recordId \"b\" has no result");
}
END_TEST

START_TEST(test_bad_result)
{
    static const char *const t[] = {
        "\"ok\"", "\"OK\"", "\"Ok \"", "\"\"",     "\"Dropped\"", "\"deliveryFailed\"",
        "1",      "true",   "null",    "[\"Ok\"]", "{\"Ok\":1}",  "\"O\\u006b\\u0000\"",
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char body[200];
        snprintf(
            body, sizeof body,
            "{\"records\":[" E("a", "Ok") ",{\"recordId\":\"b\",\"result\":%s}," E("c", "Ok") "]}",
            t[i]);
        judge_body(body);
        expect_verdicts(KDO_REASON_OK, KDO_REASON_BAD_RESULT, KDO_REASON_OK);
    }
    judge_body(
        "{\"records\":[{\"recordId\":\"a\",\"result\":\"ok\"},{\"recordId\":\"b\",\"result\":7}]}");
    ck_assert_str_eq(
        sum.detail,
        "records[0]: recordId \"a\": result \"ok\" is not \"Ok\" or \"DeliveryFailed\"");
    judge_body("{\"records\":[{\"recordId\":\"b\",\"result\":7}]}");
    expect_detail("result (not a string)");
}
END_TEST

START_TEST(test_escaped_result_is_decoded)
{
    judge_body("{\"records\":[{\"recordId\":\"a\",\"result\":\"\\u004fk\"},"
               "{\"recordId\":\"b\",\"result\":\"Delivery\\u0046ailed\"}," E("c", "Ok") "]}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_DELIVERY_FAILED, KDO_REASON_OK);
}
END_TEST

START_TEST(test_duplicate_id)
{
    /* answered twice, both Ok: still ambiguous */
    judge_body(
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("a", "Ok") "," E("c", "Ok") "]}");
    expect_verdicts(KDO_REASON_DUPLICATE_ID, KDO_REASON_OK, KDO_REASON_OK);
    ck_assert_uint_eq(sum.entries, 4);
    ck_assert_str_eq(sum.detail, "records[2]: recordId \"a\" answered twice");
    /* a second answer beats DeliveryFailed, and a third changes nothing */
    judge_body("{\"records\":[" E("b", "DeliveryFailed") "," E("b", "Ok") "," E("b", "Ok") "]}");
    expect_verdicts(KDO_REASON_NOT_RETURNED, KDO_REASON_DUPLICATE_ID, KDO_REASON_NOT_RETURNED);
    ck_assert_uint_eq(sum.count[KDO_REASON_DUPLICATE_ID], 1);
}
END_TEST

START_TEST(test_extra_keys_allowed)
{
    judge_body("{\"invocationId\":\"x\",\"records\":[{\"recordId\":\"a\",\"note\":[1,{\"x\":null}],"
               "\"result\":\"Ok\",\"data\":\"eyJ9\"}," E("b", "Ok") "," E(
                   "c", "Ok") "],"
                              "\"more\":{\"records\":5}}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_OK, KDO_REASON_OK);
    ck_assert_str_eq(sum.detail, "");
}
END_TEST

START_TEST(test_escaped_keys_and_ids)
{
    /* "recordId", "result" and "records" written with escapes are the same keys */
    judge_body("{\"r\\u0065cords\":[{\"\\u0072ecordId\":\"a\",\"r\\u0065sult\":\"Ok\"},"
               "{\"recordId\":\"\\u0062\",\"result\":\"Ok\"},{\"recordId\":\"\\u0063\",\"result\":"
               "\"Ok\"}]}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_OK, KDO_REASON_OK);
    /* and duplicates through escapes are caught */
    judge_body("{\"records\":[{\"recordId\":\"a\",\"\\u0072ecordId\":\"b\",\"result\":\"Ok\"}]}");
    expect_all(KDO_REASON_BAD_BODY);
    ck_assert_str_eq(sum.detail,
                     "reply body is not strict JSON: duplicate key \"recordId\" at byte 28");
}
END_TEST

START_TEST(test_unicode_ids)
{
    static const struct kdo_str uids[N] = {{"\xc3\xa9", 2}, {"\xf0\x9f\x98\x80", 4}, {"a/b", 3}};
    const char *body = "{\"records\":[{\"recordId\":\"\\u00e9\",\"result\":\"Ok\"},"
                       "{\"recordId\":\"\\ud83d\\ude00\",\"result\":\"Ok\"},"
                       "{\"recordId\":\"a\\/b\",\"result\":\"Ok\"}]}";
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, body, strlen(body), NULL};
    ck_assert_int_eq(kdo_reply_judge(judge, &in, uids, N, v, &sum), 0);
    expect_verdicts(KDO_REASON_OK, KDO_REASON_OK, KDO_REASON_OK);
}
END_TEST

/* ---- whole-body reasons --------------------------------------------------- */

START_TEST(test_bad_body_shapes)
{
    static const struct {
        const char *body, *detail;
    } t[] = {
        {"", "reply body is not strict JSON: unexpected end of input, expected a value at byte 0"},
        {"not json", "reply body is not strict JSON"},
        {"[]", "reply body: not a JSON object (byte 0)"},
        {"\"records\"", "not a JSON object"},
        {"null", "not a JSON object"},
        {"{}", "reply body: no \"records\" key in the object"},
        {"{\"Records\":[]}", "no \"records\" key"},
        {"{\"records\":{}}", "reply body: \"records\" is not an array (byte 11)"},
        {"{\"records\":null}", "\"records\" is not an array"},
        {"{\"records\":\"[]\"}", "\"records\" is not an array"},
        {"{\"records\":[" E("a", "Ok") ",1]}", "reply body: records[1] is not an object"},
        {"{\"records\":[[]]}", "records[0] is not an object"},
        {"{\"records\":[null]}", "records[0] is not an object"},
        {"{\"records\":[],\"records\":[]}", "duplicate key \"records\""},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        judge_body(t[i].body);
        expect_all(KDO_REASON_BAD_BODY);
        expect_detail(t[i].detail);
    }
}
END_TEST

START_TEST(test_bad_body_anywhere_fails_all)
{
    /* valid entries, then a flaw after them: every record is BAD_BODY */
    static const char *const t[] = {
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "]} x",
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "],}",
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "],\"x\":01}",
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "],\"x\":\"\xc0\x80\"}",
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "],\"x\":\"\\ud800\"}",
        "{\"records\":[" E(
            "a", "Ok") ",{\"recordId\":\"b\",\"result\":\"Ok\",\"x\":{\"y\":1,\"y\":2}}]}",
        "{\"records\":[" E("a", "Ok") ",{\"recordId\":\"b\",\"result\":\"Ok\",\"result\":\"Ok\"}]}",
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "]",
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "]}\x01",
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "],\"x\":\"a\tb\"}",
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        judge_body(t[i]);
        expect_all(KDO_REASON_BAD_BODY);
        expect_detail("reply body is not strict JSON: ");
    }
}
END_TEST

static char *nested_extra(int depth)
{
    size_t cap = 64 + 2 * (size_t)depth, o = 0;
    char *s = kdo_xmalloc(cap);
    o += (size_t)sprintf(s, "{\"records\":[],\"x\":");
    for (int i = 0; i < depth; i++)
        s[o++] = '[';
    for (int i = 0; i < depth; i++)
        s[o++] = ']';
    sprintf(s + o, "}");
    return s;
}

START_TEST(test_depth_limit)
{
    /* the top-level object is one level, so 63 arrays inside make 64 */
    char *ok = nested_extra(KDO_REPLY_MAX_DEPTH - 1), *deep = nested_extra(KDO_REPLY_MAX_DEPTH);
    judge_body(ok);
    expect_verdicts(KDO_REASON_NOT_RETURNED, KDO_REASON_NOT_RETURNED, KDO_REASON_NOT_RETURNED);
    judge_body(deep);
    expect_all(KDO_REASON_BAD_BODY);
    expect_detail("more than 64 nested arrays or objects");
    free(ok);
    free(deep);
}
END_TEST

START_TEST(test_size_limit)
{
    /* a body one byte over KDO_MAX_REPLY_BYTES, valid apart from its size */
    size_t n = KDO_MAX_REPLY_BYTES + 1;
    char *body = kdo_xmalloc(n);
    memset(body, ' ', n);
    memcpy(body, "{\"records\":[" E("a", "Ok") "]}", strlen("{\"records\":[" E("a", "Ok") "]}"));
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, body, n, NULL};
    judge_in(&in);
    expect_all(KDO_REASON_BAD_BODY);
    expect_detail("over the limit");
    in.body_len = n - 1;
    judge_in(&in);
    expect_verdicts(KDO_REASON_OK, KDO_REASON_NOT_RETURNED, KDO_REASON_NOT_RETURNED);
    free(body);
}
END_TEST

/* ---- whole-invocation reasons --------------------------------------------- */

START_TEST(test_transport)
{
    const char *ok = "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "]}";
    struct kdo_reply_in in = {KDO_TRANSPORT_FAILED, 0, NULL, ok, strlen(ok), NULL};
    judge_in(&in);
    expect_all(KDO_REASON_TRANSPORT_ERROR);
    ck_assert_str_eq(sum.detail, "the request failed at the transport level");
    in.outcome = KDO_TRANSPORT_TIMEDOUT;
    judge_in(&in);
    expect_all(KDO_REASON_TRANSPORT_TIMEOUT);
}
END_TEST

/* A body cut one byte past the cap is "reply too large", whatever it holds;
 * one cut at the cap or shorter is a failed connection. */
START_TEST(test_reply_too_large)
{
    char *big = malloc(KDO_MAX_REPLY_BYTES + 1);
    memset(big, ' ', KDO_MAX_REPLY_BYTES + 1);
    struct kdo_reply_in in = {KDO_TRANSPORT_FAILED, 0, NULL, big, KDO_MAX_REPLY_BYTES + 1, NULL};
    judge_in(&in);
    expect_all(KDO_REASON_REPLY_TOO_LARGE);
    ck_assert_int_eq(sum.whole, KDO_REASON_REPLY_TOO_LARGE);
    ck_assert_msg(strstr(sum.detail, "reply too large") == sum.detail, "detail: %s", sum.detail);
    ck_assert_str_eq(kdo_reason_name(KDO_REASON_REPLY_TOO_LARGE), "reply_too_large");
    in.body_len = KDO_MAX_REPLY_BYTES;
    judge_in(&in);
    expect_all(KDO_REASON_TRANSPORT_ERROR);
    free(big);
}
END_TEST

START_TEST(test_http_status)
{
    const char *ok = "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "]}";
    static const int statuses[] = {201, 204, 400, 413, 429, 500, 0};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        struct kdo_reply_in in = {KDO_TRANSPORT_DONE, statuses[i], NULL, ok, strlen(ok), NULL};
        judge_in(&in);
        expect_all(KDO_REASON_HTTP_STATUS);
    }
    ck_assert_str_eq(sum.detail, "the Invoke API answered HTTP status 0");
}
END_TEST

/* A 403 the endpoint gives a refused signature or unknown credentials is a
 * signing/credentials failure, named as such, whether the header or the
 * body says so; any other 403 stays a plain status failure. */
START_TEST(test_signature_refused)
{
    static const struct {
        const char *header, *body;
        int status;
        enum kdo_reason want;
    } cases[] = {
        {"InvalidSignatureException", "{\"message\":\"The request signature we calculated does not match\"}",
         403, KDO_REASON_SIGNATURE_REFUSED},
        {"UnrecognizedClientException:http://internal.amazon.com/coral/", "", 403,
         KDO_REASON_SIGNATURE_REFUSED},
        {NULL, "{\"message\":\"x\",\"__type\":\"com.amazon.coral.service#InvalidSignatureException\"}",
         403, KDO_REASON_SIGNATURE_REFUSED},
        {NULL, "{\"Message\":{\"Type\":\"x\"},\"Type\":\"UnrecognizedClientException\"}", 403,
         KDO_REASON_SIGNATURE_REFUSED},
        {"AccessDeniedException", "{\"Type\":\"User\"}", 403, KDO_REASON_HTTP_STATUS},
        {"InvalidSignatureException", "", 500, KDO_REASON_HTTP_STATUS},
        {NULL, "{\"Type\":\"InvalidSignatureExceptionX\"}", 403, KDO_REASON_HTTP_STATUS},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kdo_reply_in in = {KDO_TRANSPORT_DONE, cases[i].status, NULL, cases[i].body,
                                  strlen(cases[i].body), cases[i].header};
        judge_in(&in);
        expect_all(cases[i].want);
        ck_assert_msg(sum.whole == cases[i].want, "case %zu: %d", i, (int)sum.whole);
        if (cases[i].want == KDO_REASON_SIGNATURE_REFUSED)
            ck_assert_msg(strstr(sum.detail, "signing or credentials refused") == sum.detail &&
                              strstr(sum.detail, "Exception") && !strstr(sum.detail, "http:"),
                          "case %zu: %s", i, sum.detail);
    }
    ck_assert_str_eq(kdo_reason_name(KDO_REASON_SIGNATURE_REFUSED),
                     "signature_or_credentials_refused");
}
END_TEST

START_TEST(test_function_error)
{
    static const char *const bodies[] = {
        "{\"errorMessage\":\"boom\",\"errorType\":\"Error\",\"stackTrace\":[]}",
        "{\"errorType\":\"Sandbox.TimedOut\"}", /* case matters */
        "{\"errorType\":\"Sandbox.Timedout \"}",
        "{\"errorMessage\":\"Sandbox.Timedout\"}",
        "{\"x\":{\"errorType\":\"Sandbox.Timedout\"}}", /* only a top-level errorType counts */
        "Task timed out after 3.00 seconds",
        "",
        "[\"Sandbox.Timedout\"]",
        "{\"errorType\":7}",
        /* the records of a well-formed reply do not matter with the header */
        "{\"records\":[" E("a", "Ok") "," E("b", "Ok") "," E("c", "Ok") "]}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, "Unhandled", bodies[i],
                                  strlen(bodies[i]), NULL};
        judge_in(&in);
        expect_all(KDO_REASON_FUNCTION_ERROR);
    }
    ck_assert_str_eq(
        sum.detail,
        "function error (X-Amz-Function-Error: Unhandled), no errorType string in the body");
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, "Unhandled", bodies[0], strlen(bodies[0]), NULL};
    judge_in(&in);
    ck_assert_str_eq(sum.detail,
                     "function error (X-Amz-Function-Error: Unhandled), errorType \"Error\"");
}
END_TEST

START_TEST(test_function_timeout)
{
    static const char *const bodies[] = {
        "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"RequestId: 1 Error: Task timed out "
        "after 3.00 seconds\"}",
        "{\"errorMessage\":\"x\",\"errorType\":\"Sandbox.Timedout\"}",
        "{\"errorType\":\"Sandbox\\u002eTimedout\"}",
        /* lenient: what follows the errorType does not matter */
        "{\"errorType\":\"Sandbox.Timedout\",\"errorType\":\"x\"}",
        "{\"errorType\":\"Sandbox.Timedout\"} trailing",
        "{\"errorType\":\"Sandbox.Timedout\"",
        " {\"a\":[1,2],\"errorType\" : \"Sandbox.Timedout\",",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, "Unhandled", bodies[i],
                                  strlen(bodies[i]), NULL};
        judge_in(&in);
        expect_all(KDO_REASON_FUNCTION_TIMEOUT);
        ck_assert_str_eq(sum.detail, "function error (X-Amz-Function-Error: Unhandled), "
                                     "errorType \"Sandbox.Timedout\"");
    }
}
END_TEST

/* ---- arguments and reuse -------------------------------------------------- */

START_TEST(test_bad_arguments)
{
    const char *body = "{\"records\":[]}";
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, body, strlen(body), NULL};
    static const struct kdo_str twice[2] = {{"a", 1}, {"a", 1}};
    static const struct kdo_str prefix[2] = {{"ab", 1}, {"a", 1}}; /* both "a" */
    static const struct kdo_str null_id[1] = {{NULL, 2}};
    ck_assert_int_eq(kdo_reply_judge(judge, &in, twice, 2, v, &sum), KDO_EINVAL);
    ck_assert_int_eq(kdo_reply_judge(judge, &in, prefix, 2, v, &sum), KDO_EINVAL);
    ck_assert_int_eq(kdo_reply_judge(judge, &in, null_id, 1, v, &sum), KDO_EINVAL);
    ck_assert_int_eq(kdo_reply_judge(NULL, &in, ids, N, v, &sum), KDO_EINVAL);
    ck_assert_int_eq(kdo_reply_judge(judge, NULL, ids, N, v, &sum), KDO_EINVAL);
    ck_assert_int_eq(kdo_reply_judge(judge, &in, NULL, N, v, &sum), KDO_EINVAL);
    ck_assert_int_eq(kdo_reply_judge(judge, &in, ids, N, NULL, &sum), KDO_EINVAL);
    ck_assert_int_eq(kdo_reply_judge(judge, &in, ids, N, v, NULL), KDO_EINVAL);
    in.body = NULL;
    ck_assert_int_eq(kdo_reply_judge(judge, &in, ids, N, v, &sum), KDO_EINVAL);
    in.body = body;
    in.outcome = (enum kdo_transport_outcome)7;
    ck_assert_int_eq(kdo_reply_judge(judge, &in, ids, N, v, &sum), KDO_EINVAL);
    /* twice-sent ids are refused even when the transport failed */
    in.outcome = KDO_TRANSPORT_FAILED;
    ck_assert_int_eq(kdo_reply_judge(judge, &in, twice, 2, v, &sum), KDO_EINVAL);
    kdo_reply_free(NULL);
}
END_TEST

START_TEST(test_no_records_sent)
{
    const char *body = "{\"records\":[" E("a", "Ok") "]}";
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, body, strlen(body), NULL};
    ck_assert_int_eq(kdo_reply_judge(judge, &in, NULL, 0, NULL, &sum), 0);
    ck_assert_uint_eq(sum.ok + sum.failed, 0);
    ck_assert_uint_eq(sum.unknown_entries, 1);
    in.body = "{}";
    in.body_len = 2;
    ck_assert_int_eq(kdo_reply_judge(judge, &in, NULL, 0, NULL, &sum), 0);
    ck_assert_int_eq(sum.whole, KDO_REASON_BAD_BODY);
}
END_TEST

/* A big batch, then a small one with the same judge: ids are looked up, not
 * left over from the earlier call. */
START_TEST(test_big_batch_then_small)
{
    enum { BIG = 20000 };
    struct kdo_str *big = kdo_xmalloc(BIG * sizeof *big);
    char(*text)[24] = kdo_xmalloc(BIG * sizeof *text);
    uint8_t *bv = kdo_xmalloc(BIG);
    size_t cap = (size_t)BIG * 48 + 32, o = 0;
    char *body = kdo_xmalloc(cap);
    o += (size_t)sprintf(body, "{\"records\":[");
    for (int i = 0; i < BIG; i++) {
        big[i].n = (size_t)sprintf(text[i], "%019d", i);
        big[i].p = text[i];
        if (i % 10 != 3) /* every tenth record is left out */
            o += (size_t)sprintf(body + o, "%s{\"recordId\":\"%s\",\"result\":\"%s\"}",
                                 o > 12 ? "," : "", text[i], i % 10 == 7 ? "DeliveryFailed" : "Ok");
    }
    sprintf(body + o, "]}");
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, body, strlen(body), NULL};
    ck_assert_int_eq(kdo_reply_judge(judge, &in, big, BIG, bv, &sum), 0);
    ck_assert_uint_eq(sum.count[KDO_REASON_NOT_RETURNED], BIG / 10);
    ck_assert_uint_eq(sum.count[KDO_REASON_DELIVERY_FAILED], BIG / 10);
    ck_assert_uint_eq(sum.ok, BIG - 2 * BIG / 10);
    ck_assert_int_eq(bv[13], KDO_REASON_NOT_RETURNED);
    ck_assert_int_eq(bv[17], KDO_REASON_DELIVERY_FAILED);
    ck_assert_int_eq(bv[18], KDO_REASON_OK);
    judge_body("{\"records\":[" E("a", "Ok") "," E("0000000000000000001", "Ok") "]}");
    expect_verdicts(KDO_REASON_OK, KDO_REASON_ID_NOT_SENT, KDO_REASON_ID_NOT_SENT);
    free(big);
    free(text);
    free(bv);
    free(body);
}
END_TEST

static Suite *reply_suite(void)
{
    Suite *s = suite_create("reply");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"all_ok", test_all_ok},
        {"order_does_not_matter", test_order_does_not_matter},
        {"delivery_failed", test_delivery_failed},
        {"not_returned", test_not_returned},
        {"no_record_id", test_no_record_id},
        {"id_not_sent", test_id_not_sent},
        {"idless_beats_unknown", test_idless_beats_unknown},
        {"no_result", test_no_result},
        {"bad_result", test_bad_result},
        {"escaped_result_is_decoded", test_escaped_result_is_decoded},
        {"duplicate_id", test_duplicate_id},
        {"extra_keys_allowed", test_extra_keys_allowed},
        {"escaped_keys_and_ids", test_escaped_keys_and_ids},
        {"unicode_ids", test_unicode_ids},
        {"bad_body_shapes", test_bad_body_shapes},
        {"bad_body_anywhere_fails_all", test_bad_body_anywhere_fails_all},
        {"depth_limit", test_depth_limit},
        {"size_limit", test_size_limit},
        {"transport", test_transport},
        {"reply_too_large", test_reply_too_large},
        {"signature_refused", test_signature_refused},
        {"http_status", test_http_status},
        {"function_error", test_function_error},
        {"function_timeout", test_function_timeout},
        {"bad_arguments", test_bad_arguments},
        {"no_records_sent", test_no_records_sent},
        {"big_batch_then_small", test_big_batch_then_small},
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
    SRunner *sr = srunner_create(reply_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
