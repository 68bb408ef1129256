/*
 * test_invoke_api.c -- the Invoke API front, emulator/lambda/invoke_api.c: what
 * both servers answer before and after the function runs.
 *
 * The expected texts are the service's (CONTRACT.md §6) and the member names
 * are botocore's Lambda model's, written out here, not taken from the code.
 */
#include "base/base64.h"
#include "delivery/contract.h"
#include "lambda/invoke_api.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"orders-out", "audit"};
static const struct kdo_invoke_service service = {names, 2, "eu-west-1", "111122223333"};
static const char *const any_names[] = {"*"};
static const struct kdo_invoke_service any = {any_names, 1, NULL, NULL};

static struct kdo_invoke_request rq;
static struct kdo_invoke_answer a;

static void setup(void)
{
    kdo_invoke_answer_init(&a, (size_t)8 << 20);
}

static void teardown(void)
{
    kdo_invoke_answer_cleanup(&a);
}

/* 0: the request goes on; else the answer's status. */
static int head(const struct kdo_invoke_service *s, const char *method, const char *path,
                const char *qualifier, const char *type, const char *log_type)
{
    kdo_invoke_answer_reset(&a);
    if (kdo_invoke_head(s, method, path, qualifier, type, log_type, &rq, &a) == 0) {
        ck_assert_int_eq(a.status, 0);
        return 0;
    }
    ck_assert_int_ne(a.status, 0);
    return a.status;
}

static int invoke(const char *function)
{
    char path[600];
    snprintf(path, sizeof path, "/2015-03-31/functions/%s/invocations", function);
    return head(&service, "POST", path, NULL, NULL, NULL);
}

/* The answer's body parsed; asserts the error type and the message member. */
static json_t *error_body(const char *type, const char *member)
{
    json_error_t e;
    ck_assert_str_eq(a.error_type, type);
    json_t *j = json_loadb(a.reply, a.reply_len, 0, &e);
    ck_assert_msg(j != NULL, "not JSON: %.*s", (int)a.reply_len, a.reply);
    ck_assert_msg(json_is_string(json_object_get(j, member)), "%s: no %s in %.*s", type, member,
                  (int)a.reply_len, a.reply);
    const char *other = strcmp(member, "message") == 0 ? "Message" : "message";
    ck_assert_msg(json_object_get(j, other) == NULL, "%s: %s as well", type, other);
    ck_assert_str_eq(json_string_value(json_object_get(j, "Type")), a.status >= 500 ? "Service" : "User");
    return j;
}

START_TEST(names_and_arns)
{
    static const struct {
        const char *raw, *name, *qualifier;
    } ok[] = {
        {"orders-out", "orders-out", ""},
        {"orders-out:live", "orders-out", "live"},
        {"orders-out:7", "orders-out", "7"},
        {"orders-out:$LATEST", "orders-out", "$LATEST"},
        {"111122223333:function:audit", "audit", ""},
        {"111122223333:function:audit:blue", "audit", "blue"},
        {"arn:aws:lambda:eu-west-1:111122223333:function:audit", "audit", ""},
        {"arn:aws:lambda:eu-west-1:111122223333:function:audit:3", "audit", "3"},
        {"arn:aws-cn:lambda:cn-north-1:111122223333:function:orders-out", "orders-out", ""},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        ck_assert_msg(invoke(ok[i].raw) == 0, "%s: %d %.*s", ok[i].raw, a.status,
                      (int)a.reply_len, a.reply);
        ck_assert_int_eq(rq.route, KDO_ROUTE_INVOKE);
        ck_assert_str_eq(rq.name, ok[i].name);
        ck_assert_str_eq(rq.qualifier, ok[i].qualifier);
        ck_assert_str_eq(names[rq.function], ok[i].name);
    }
    static const char *const invalid[] = {
        "", "orders-out:a:b", "orders out", "orders-out:", ":live", "a%b",
        "11112222333:function:audit",  /* not twelve digits */
        "arn:aws:s3:eu-west-1:111122223333:function:audit",
        "arn:aws:lambda:eu-west-1:111122223333:layer:audit",
        "a-name-of-sixty-five-characters-is-one-more-than-lambda-allows-xx",
    };
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
        ck_assert_msg(invoke(invalid[i]) == 400, "\"%s\": %d", invalid[i], a.status);
        json_decref(error_body("ValidationException", "Message"));
    }
    /* a 64-character name is a name */
    ck_assert_int_eq(invoke("sixty-four-characters-is-exactly-what-lambda-allows-for-a-name-x"), 404);
}
END_TEST

START_TEST(not_found_names_the_arn)
{
    ck_assert_int_eq(invoke("missing"), 404);
    json_t *j = error_body("ResourceNotFoundException", "Message");
    ck_assert_str_eq(json_string_value(json_object_get(j, "Message")),
                     "Function not found: arn:aws:lambda:eu-west-1:111122223333:function:missing");
    json_decref(j);
    ck_assert_int_eq(invoke("missing:live"), 404);
    j = error_body("ResourceNotFoundException", "Message");
    ck_assert_str_eq(json_string_value(json_object_get(j, "Message")),
                     "Function not found: arn:aws:lambda:eu-west-1:111122223333:function:missing:live");
    json_decref(j);
    /* "*" serves every name, with the default account and region */
    ck_assert_int_eq(head(&any, "GET", "/2015-03-31/functions/whatever/configuration", NULL, NULL,
                          NULL), 0);
    ck_assert_int_eq(rq.route, KDO_ROUTE_CONFIGURATION);
}
END_TEST

START_TEST(routes_and_methods)
{
    ck_assert_int_eq(head(&service, "GET", "/2015-03-31/functions/audit/invocations", NULL, NULL, NULL), 405);
    ck_assert_int_eq(head(&service, "POST", "/2015-03-31/functions/audit/configuration", NULL, NULL, NULL), 405);
    ck_assert_int_eq(head(&service, "GET", "/2015-03-31/functions/audit/code", NULL, NULL, NULL), 404);
    json_decref(error_body("UnknownOperationException", "Message"));
    ck_assert_int_eq(head(&service, "GET", "/", NULL, NULL, NULL), 404);
    ck_assert_int_eq(head(&service, "GET", "/2015-03-31/functions/audit", NULL, NULL, NULL), 404);
}
END_TEST

START_TEST(qualifier_parameter)
{
    const char *path = "/2015-03-31/functions/audit/invocations";
    ck_assert_int_eq(head(&service, "POST", path, "live", NULL, NULL), 0);
    ck_assert_str_eq(rq.qualifier, "live");
    path = "/2015-03-31/functions/audit:live/invocations";
    ck_assert_int_eq(head(&service, "POST", path, "live", NULL, NULL), 0);
    ck_assert_int_eq(head(&service, "POST", path, "blue", NULL, NULL), 400);
    json_t *j = error_body("InvalidParameterValueException", "message");
    ck_assert_str_eq(json_string_value(json_object_get(j, "message")),
                     "The derived qualifier from the function name does not match the specified "
                     "qualifier.");
    json_decref(j);
    ck_assert_int_eq(head(&service, "POST", path, "no/slash", NULL, NULL), 400);
}
END_TEST

START_TEST(invocation_and_log_types)
{
    const char *path = "/2015-03-31/functions/audit/invocations";
    ck_assert_int_eq(head(&service, "POST", path, NULL, "RequestResponse", "Tail"), 0);
    ck_assert_int_eq(rq.type, KDO_INVOKE_SYNC);
    ck_assert_int_eq(rq.tail, 1);
    ck_assert_int_eq(head(&service, "POST", path, NULL, "Event", "Tail"), 0);
    ck_assert_int_eq(rq.type, KDO_INVOKE_EVENT);
    ck_assert_int_eq(rq.tail, 0); /* [doc] Tail: synchronous invocations only */
    ck_assert_int_eq(head(&service, "POST", path, NULL, "DryRun", "None"), 0);
    ck_assert_int_eq(rq.type, KDO_INVOKE_DRYRUN);
    ck_assert_int_eq(head(&service, "POST", path, NULL, "requestresponse", NULL), 400);
    json_decref(error_body("InvalidParameterValueException", "message"));
    ck_assert_int_eq(head(&service, "POST", path, NULL, NULL, "tail"), 400);
}
END_TEST

START_TEST(body_rules)
{
    const char *path = "/2015-03-31/functions/audit/invocations";
    ck_assert_int_eq(head(&service, "POST", path, NULL, NULL, NULL), 0);
    /* empty: the function gets {} */
    ck_assert_int_eq(kdo_invoke_body(&rq, "", 0, 0, NULL, &a), 0);
    ck_assert_uint_eq(rq.payload_len, 2);
    ck_assert(memcmp(rq.payload, "{}", 2) == 0);
    /* JSON: as sent */
    ck_assert_int_eq(kdo_invoke_body(&rq, "[1]", 3, 0, NULL, &a), 0);
    ck_assert_uint_eq(rq.payload_len, 3);
    /* not JSON: 400, lowercase message */
    ck_assert_int_eq(kdo_invoke_body(&rq, "{x", 2, 0, "unexpected x", &a), 1);
    ck_assert_int_eq(a.status, 400);
    json_t *j = error_body("InvalidRequestContentException", "message");
    ck_assert(strncmp(json_string_value(json_object_get(j, "message")),
                      "Could not parse request body into json", 38) == 0);
    json_decref(j);
    /* the limit: exactly 6,291,456 goes on, one more is 413 */
    char *big = calloc(KDO_MAX_EVENT_BYTES + 1, 1);
    ck_assert_int_eq(kdo_invoke_body(&rq, big, KDO_MAX_EVENT_BYTES, 0, NULL, &a), 0);
    ck_assert_int_eq(kdo_invoke_body(&rq, big, KDO_MAX_EVENT_BYTES + 1, 0, NULL, &a), 1);
    ck_assert_int_eq(a.status, 413);
    j = error_body("RequestEntityTooLargeException", "Message");
    ck_assert_str_eq(json_string_value(json_object_get(j, "Message")),
                     "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    json_decref(j);
    ck_assert_int_eq(kdo_invoke_body(&rq, "", 0, 1, NULL, &a), 1); /* refused before it was read */
    ck_assert_int_eq(a.status, 413);
    /* Event: at most 1 MB */
    ck_assert_int_eq(head(&service, "POST", path, NULL, "Event", NULL), 0);
    ck_assert_int_eq(kdo_invoke_body(&rq, big, KDO_INVOKE_EVENT_MAX_BYTES, 0, NULL, &a), 0);
    ck_assert_int_eq(kdo_invoke_body(&rq, big, KDO_INVOKE_EVENT_MAX_BYTES + 1, 0, NULL, &a), 1);
    ck_assert_int_eq(a.status, 413);
    free(big);
    /* DryRun: 204, nothing to run */
    ck_assert_int_eq(head(&service, "POST", path, NULL, "DryRun", NULL), 0);
    ck_assert_int_eq(kdo_invoke_body(&rq, "{}", 2, 0, NULL, &a), 1);
    ck_assert_int_eq(a.status, 204);
    ck_assert_uint_eq(a.reply_len, 0);
    ck_assert_ptr_null(a.error_type);
}
END_TEST

struct headers {
    char text[8192];
};

static void collect(void *cls, const char *name, const char *value)
{
    struct headers *h = cls;
    size_t n = strlen(h->text);
    snprintf(h->text + n, sizeof h->text - n, "%s: %s\n", name, value);
}

START_TEST(result_headers)
{
    struct headers h = {""};
    ck_assert_int_eq(head(&service, "POST", "/2015-03-31/functions/audit:12/invocations", NULL,
                          NULL, NULL), 0);
    strcpy(a.request_id, "8f5ac1fe-0000-4000-8000-000000000001");
    kdo_invoke_result(&rq, "{\"errorType\":\"Error\"}", 21, 1, &a);
    kdo_invoke_each_header(&a, collect, &h);
    ck_assert_str_eq(h.text, "Content-Type: application/json\n"
                             "x-amzn-RequestId: 8f5ac1fe-0000-4000-8000-000000000001\n"
                             "X-Amz-Executed-Version: 12\n"
                             "X-Amz-Function-Error: Unhandled\n");
    /* an alias runs $LATEST; Event is 202 without a body */
    ck_assert_int_eq(head(&service, "POST", "/2015-03-31/functions/audit:live/invocations", NULL,
                          "Event", NULL), 0);
    kdo_invoke_accepted(&rq, &a);
    ck_assert_int_eq(a.status, 202);
    ck_assert_uint_eq(a.reply_len, 0);
    ck_assert_str_eq(a.version, "$LATEST");
    /* a throttle: Retry-After, Reason, lowercase message */
    h.text[0] = '\0';
    kdo_invoke_throttled(&a, "ReservedFunctionConcurrentInvocationLimitExceeded");
    kdo_invoke_each_header(&a, collect, &h);
    ck_assert_ptr_nonnull(strstr(h.text, "x-amzn-ErrorType: TooManyRequestsException\n"));
    ck_assert_ptr_nonnull(strstr(h.text, "Retry-After: 1\n"));
    json_t *j = error_body("TooManyRequestsException", "message");
    ck_assert_str_eq(json_string_value(json_object_get(j, "Reason")),
                     "ReservedFunctionConcurrentInvocationLimitExceeded");
    ck_assert_str_eq(json_string_value(json_object_get(j, "retryAfterSeconds")), "1");
    json_decref(j);
    /* ServiceException: Type Service, Message */
    kdo_invoke_error(&a, 500, "ServiceException", "quote \" and \\ and \n escaped");
    j = error_body("ServiceException", "Message");
    ck_assert_str_eq(json_string_value(json_object_get(j, "Message")), "quote \" and \\ and \n escaped");
    json_decref(j);
}
END_TEST

START_TEST(configuration)
{
    const struct kdo_invoke_function fn = {5, 256, "provided.al2023", "index.handler",
                                           "a \"quoted\" description", "r"};
    ck_assert_int_eq(head(&service, "GET", "/2015-03-31/functions/audit/configuration", "3", NULL,
                          NULL), 0);
    kdo_invoke_configuration(&service, &rq, &fn, "rev", &a);
    ck_assert_int_eq(a.status, 200);
    json_error_t e;
    json_t *j = json_loadb(a.reply, a.reply_len, 0, &e);
    ck_assert_ptr_nonnull(j);
    ck_assert_str_eq(json_string_value(json_object_get(j, "FunctionArn")),
                     "arn:aws:lambda:eu-west-1:111122223333:function:audit:3");
    ck_assert_str_eq(json_string_value(json_object_get(j, "FunctionName")), "audit");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "Timeout")), 5);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "MemorySize")), 256);
    ck_assert_str_eq(json_string_value(json_object_get(j, "Version")), "3");
    ck_assert_str_eq(json_string_value(json_object_get(j, "Description")), "a \"quoted\" description");
    ck_assert_str_eq(json_string_value(json_object_get(j, "Role")), "arn:aws:iam::111122223333:role/r");
    json_decref(j);
}
END_TEST

static char *decoded_tail(size_t *n)
{
    size_t len = strlen(a.log_result);
    char *out = malloc(len / 4 * 3 + 1);
    ck_assert_int_eq(kdo_base64_decode(out, n, a.log_result, len), 0);
    out[*n] = '\0';
    return out;
}

START_TEST(log_tail)
{
    size_t n;
    ck_assert_int_eq(head(&service, "POST", "/2015-03-31/functions/audit/invocations", NULL, NULL,
                          "Tail"), 0);
    strcpy(a.request_id, "8f5ac1fe-0000-4000-8000-000000000001");
    kdo_invoke_result(&rq, "{}", 2, 0, &a);
    kdo_invoke_log_result("hello\n", 6, 12.3, 128, 61, &a);
    char *log = decoded_tail(&n);
    ck_assert_str_eq(log, "START RequestId: 8f5ac1fe-0000-4000-8000-000000000001 Version: $LATEST\n"
                          "hello\n"
                          "END RequestId: 8f5ac1fe-0000-4000-8000-000000000001\n"
                          "REPORT RequestId: 8f5ac1fe-0000-4000-8000-000000000001\tDuration: 12.30 ms\t"
                          "Billed Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 61 MB\t\n");
    free(log);
    /* 10 KB of output: the last 4,096 bytes, which end with REPORT */
    char *lines = malloc(10240);
    memset(lines, 'x', 10240);
    memcpy(lines, "FIRST", 5);
    kdo_invoke_log_result(lines, 10240, 1, 128, 1, &a);
    log = decoded_tail(&n);
    ck_assert_uint_eq(n, KDO_INVOKE_LOG_TAIL);
    ck_assert_ptr_null(strstr(log, "FIRST"));
    ck_assert_ptr_null(strstr(log, "START"));
    ck_assert_ptr_nonnull(strstr(log, "REPORT RequestId:"));
    ck_assert(log[n - 1] == '\n');
    free(log);
    free(lines);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("invoke_api");
    TCase *tc = tcase_create("front");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, names_and_arns);
    tcase_add_test(tc, not_found_names_the_arn);
    tcase_add_test(tc, routes_and_methods);
    tcase_add_test(tc, qualifier_parameter);
    tcase_add_test(tc, invocation_and_log_types);
    tcase_add_test(tc, body_rules);
    tcase_add_test(tc, result_headers);
    tcase_add_test(tc, configuration);
    tcase_add_test(tc, log_tail);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
