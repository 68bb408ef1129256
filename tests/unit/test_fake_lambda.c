/*
 * test_fake_lambda.c -- the fake output function of emulator/lambda/fake_lambda.c.
 *
 * Each case hands the fake one invocation built by hand (three records,
 * "id-0".."id-2", the middle row containing POISON) with one fault rule, and
 * checks the Invoke API reply (status, headers, body parsed with jansson,
 * latency).  Then the reply goes through the judge of reply.h, pinning the
 * reason the delivery engine will give for each record: that ties the fake
 * and the judge together, so a change in either shows up here.
 */
#include "lambda/fake_lambda.h"

#include "base/errors.h"

#include <check.h>
#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 3

static const char *const rows[N] = {"{\"TICKER_SYMBOL\":\"AMZN\"}", "{\"TICKER_SYMBOL\":\"POISON\"}",
                                    "{\"TICKER_SYMBOL\":\"IBM\"}"};
static const struct kdo_str ids[N] = {{"id-0", 4}, {"id-1", 4}, {"id-2", 4}};
static const uint64_t hints[N] = {0, 0, 0};
static struct kdo_str data[N];

static struct kdo_rng rng;
static struct kdo_fake_lambda *fake;
static struct kdo_fake_reply rep;
static struct kdo_reply *judge;
static uint8_t verdict[N];
static struct kdo_reply_summary sum;

static struct kdo_invocation invocation(uint64_t number)
{
    for (size_t i = 0; i < N; i++)
        data[i] = (struct kdo_str){rows[i], strlen(rows[i])};
    return (struct kdo_invocation){.number = number, .invocation_id = "inv-guid",
                                   .event = "{}", .event_len = 2, .n = N, .ids = ids,
                                   .hints = hints, .data = data};
}

/* A fake with at most one rule; contains = NULL matches every record. */
static void make(const struct kdo_fake_lambda_config *cfg, int action, const char *contains,
                 const char *value, kdo_time_ns latency)
{
    struct kdo_fake_lambda_config def;
    kdo_fake_lambda_config_default(&def);
    struct kdo_fault_rule *r = NULL;
    size_t n = 0;
    if (action >= 0) {
        r = kdo_xmalloc(sizeof *r);
        kdo_fault_rule_init(r);
        r->action = (enum kdo_fault_action)action;
        r->latency = latency;
        if (contains) {
            r->match.contains = kdo_xstrdup(contains);
            r->match.contains_len = strlen(contains);
        }
        r->value = value ? kdo_xstrdup(value) : NULL;
        n = 1;
    }
    kdo_fake_lambda_free(fake);
    fake = kdo_fake_lambda_new(cfg ? cfg : &def, r, n, &rng);
}

static void invoke(void)
{
    struct kdo_invocation inv = invocation(1);
    memset(&rep, 0xab, sizeof rep);
    kdo_fake_lambda_invoke(fake, 0, &inv, &rep);
}

static void judge_reply(void)
{
    struct kdo_reply_in in = {.outcome = rep.outcome, .status = rep.status,
                              .function_error = rep.function_error,
                              .body = rep.body->data ? rep.body->data : "",
                              .body_len = rep.body->len};
    memset(verdict, 0xee, sizeof verdict);
    ck_assert_int_eq(kdo_reply_judge(judge, &in, ids, N, verdict, &sum), 0);
}

static json_t *body_json(void)
{
    json_error_t e;
    json_t *j = json_loadb(rep.body->data, rep.body->len, 0, &e);
    if (j == NULL)
        ck_abort_msg("reply body is not JSON (%s): %s", e.text, rep.body->data);
    return j;
}

static json_t *records(json_t *root)
{
    json_t *recs = json_object_get(root, "records");
    ck_assert_ptr_nonnull(recs);
    ck_assert(json_is_array(recs));
    return recs;
}

static const char *entry_str(json_t *recs, size_t i, const char *key)
{
    json_t *e = json_array_get(recs, i);
    ck_assert_ptr_nonnull(e);
    json_t *v = json_object_get(e, key);
    return v ? json_string_value(v) : NULL;
}

static void setup(void)
{
    kdo_rng_init(&rng, 2024);
    fake = NULL;
    judge = kdo_reply_new();
}

static void teardown(void)
{
    kdo_fake_lambda_free(fake);
    fake = NULL;
    kdo_reply_free(judge);
    judge = NULL;
}

static void assert_plain_200(void)
{
    ck_assert_int_eq(rep.outcome, KDO_TRANSPORT_DONE);
    ck_assert_int_eq(rep.status, 200);
    ck_assert_ptr_null(rep.function_error);
    ck_assert_ptr_null(rep.error_type);
    ck_assert_int_eq(rep.rule, -1);
}

START_TEST(ok_body_lists_every_record)
{
    make(NULL, -1, NULL, NULL, 0);
    invoke();
    assert_plain_200();
    ck_assert_int_eq(rep.latency, 20 * KDO_MS);
    json_t *root = body_json();
    json_t *recs = records(root);
    ck_assert_uint_eq(json_object_size(root), 1);
    ck_assert_uint_eq(json_array_size(recs), N);
    for (size_t i = 0; i < N; i++) {
        ck_assert_str_eq(entry_str(recs, i, "recordId"), ids[i].p);
        ck_assert_str_eq(entry_str(recs, i, "result"), "Ok");
        ck_assert_uint_eq(json_object_size(json_array_get(recs, i)), 2);
    }
    json_decref(root);
    ck_assert_str_eq(rep.body->data, "{\"records\":[{\"recordId\":\"id-0\",\"result\":\"Ok\"},"
                                     "{\"recordId\":\"id-1\",\"result\":\"Ok\"},"
                                     "{\"recordId\":\"id-2\",\"result\":\"Ok\"}]}");
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_OK);
    ck_assert_uint_eq(sum.ok, N);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(verdict[i], KDO_REASON_OK);
    ck_assert_uint_eq(kdo_fake_lambda_invocations(fake), 1);
}
END_TEST

/* A record action on the POISON row only: records 0 and 2 stay Ok. */
static void record_action(enum kdo_fault_action a, const char *value)
{
    make(NULL, (int)a, "POISON", value, 0);
    invoke();
    assert_plain_200();
}

static void others_ok(void)
{
    ck_assert_int_eq(verdict[0], KDO_REASON_OK);
    ck_assert_int_eq(verdict[2], KDO_REASON_OK);
}

START_TEST(delivery_failed_entry)
{
    record_action(KDO_FAULT_DELIVERY_FAILED, NULL);
    json_t *root = body_json();
    json_t *recs = records(root);
    ck_assert_uint_eq(json_array_size(recs), N);
    ck_assert_str_eq(entry_str(recs, 1, "recordId"), "id-1");
    ck_assert_str_eq(entry_str(recs, 1, "result"), "DeliveryFailed");
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(verdict[1], KDO_REASON_DELIVERY_FAILED);
    others_ok();
}
END_TEST

START_TEST(omit_leaves_record_out)
{
    record_action(KDO_FAULT_OMIT, NULL);
    json_t *root = body_json();
    json_t *recs = records(root);
    ck_assert_uint_eq(json_array_size(recs), 2);
    ck_assert_str_eq(entry_str(recs, 0, "recordId"), "id-0");
    ck_assert_str_eq(entry_str(recs, 1, "recordId"), "id-2");
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(verdict[1], KDO_REASON_NOT_RETURNED);
    others_ok();
}
END_TEST

START_TEST(omit_every_record_gives_empty_array)
{
    make(NULL, KDO_FAULT_OMIT, NULL, NULL, 0);
    invoke();
    ck_assert_str_eq(rep.body->data, "{\"records\":[]}");
    judge_reply();
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(verdict[i], KDO_REASON_NOT_RETURNED);
}
END_TEST

START_TEST(wrong_id_names_unsent_id)
{
    record_action(KDO_FAULT_WRONG_ID, NULL);
    json_t *root = body_json();
    json_t *recs = records(root);
    ck_assert_uint_eq(json_array_size(recs), N);
    ck_assert_str_eq(entry_str(recs, 1, "recordId"), "wrong-id-1");
    ck_assert_str_eq(entry_str(recs, 1, "result"), "Ok");
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(verdict[1], KDO_REASON_ID_NOT_SENT);
    ck_assert_uint_eq(sum.unknown_entries, 1);
    others_ok();
}
END_TEST

START_TEST(missing_id_entry_has_only_result)
{
    record_action(KDO_FAULT_MISSING_ID, NULL);
    json_t *root = body_json();
    json_t *recs = records(root);
    ck_assert_uint_eq(json_array_size(recs), N);
    json_t *e = json_array_get(recs, 1);
    ck_assert_ptr_null(json_object_get(e, "recordId"));
    ck_assert_str_eq(entry_str(recs, 1, "result"), "Ok");
    ck_assert_uint_eq(json_object_size(e), 1);
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(verdict[1], KDO_REASON_NO_RECORD_ID);
    ck_assert_uint_eq(sum.idless_entries, 1);
    others_ok();
}
END_TEST

START_TEST(missing_result_entry_has_only_id)
{
    record_action(KDO_FAULT_MISSING_RESULT, NULL);
    json_t *root = body_json();
    json_t *recs = records(root);
    json_t *e = json_array_get(recs, 1);
    ck_assert_str_eq(entry_str(recs, 1, "recordId"), "id-1");
    ck_assert_ptr_null(json_object_get(e, "result"));
    ck_assert_uint_eq(json_object_size(e), 1);
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(verdict[1], KDO_REASON_NO_RESULT);
    others_ok();
}
END_TEST

START_TEST(bad_result_default_and_value)
{
    record_action(KDO_FAULT_BAD_RESULT, NULL);
    json_t *root = body_json();
    ck_assert_str_eq(entry_str(records(root), 1, "result"), "OK");
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(verdict[1], KDO_REASON_BAD_RESULT);
    others_ok();

    record_action(KDO_FAULT_BAD_RESULT, "Dropped");
    root = body_json();
    ck_assert_str_eq(entry_str(records(root), 1, "result"), "Dropped");
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(verdict[1], KDO_REASON_BAD_RESULT);
    others_ok();
}
END_TEST

/* A value that needs JSON escaping still yields a JSON body. */
START_TEST(bad_result_value_is_escaped)
{
    record_action(KDO_FAULT_BAD_RESULT, "say \"hi\"\\\n");
    json_t *root = body_json();
    ck_assert_str_eq(entry_str(records(root), 1, "result"), "say \"hi\"\\\n");
    json_decref(root);
}
END_TEST

START_TEST(duplicate_id_answers_twice)
{
    record_action(KDO_FAULT_DUPLICATE_ID, NULL);
    json_t *root = body_json();
    json_t *recs = records(root);
    ck_assert_uint_eq(json_array_size(recs), N + 1);
    ck_assert_str_eq(entry_str(recs, 1, "recordId"), "id-1");
    ck_assert_str_eq(entry_str(recs, 2, "recordId"), "id-1");
    ck_assert_str_eq(entry_str(recs, 3, "recordId"), "id-2");
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(verdict[1], KDO_REASON_DUPLICATE_ID);
    others_ok();
}
END_TEST

static void assert_timeout_reply(const char *seconds)
{
    char want[200];
    ck_assert_int_eq(rep.outcome, KDO_TRANSPORT_DONE);
    ck_assert_int_eq(rep.status, 200);
    ck_assert_ptr_nonnull(rep.function_error);
    ck_assert_str_eq(rep.function_error, "Unhandled");
    ck_assert_ptr_nonnull(rep.error_type);
    ck_assert_str_eq(rep.error_type, "Sandbox.Timedout");
    json_t *root = body_json();
    ck_assert_str_eq(json_string_value(json_object_get(root, "errorType")), "Sandbox.Timedout");
    snprintf(want, sizeof want, "RequestId: %s Error: Task timed out after %s seconds",
             rep.request_id, seconds);
    ck_assert_str_eq(json_string_value(json_object_get(root, "errorMessage")), want);
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_FUNCTION_TIMEOUT);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(verdict[i], KDO_REASON_FUNCTION_TIMEOUT);
}

START_TEST(timeout_is_sandbox_timedout_at_timeout)
{
    make(NULL, KDO_FAULT_TIMEOUT, NULL, NULL, 0);
    invoke();
    assert_timeout_reply("3.00");
    ck_assert_int_eq(rep.latency, 3 * KDO_S);
    ck_assert_int_eq(rep.rule, 0);

    struct kdo_fake_lambda_config cfg;
    kdo_fake_lambda_config_default(&cfg);
    cfg.timeout = 2500 * KDO_MS;
    make(&cfg, KDO_FAULT_TIMEOUT, NULL, NULL, 0);
    invoke();
    assert_timeout_reply("2.50");
    ck_assert_int_eq(rep.latency, 2500 * KDO_MS);

    cfg.timeout = 900 * KDO_S;
    make(&cfg, KDO_FAULT_TIMEOUT, NULL, NULL, 0);
    invoke();
    assert_timeout_reply("900.00");
    ck_assert_int_eq(rep.latency, 900 * KDO_S);
}
END_TEST

START_TEST(latency_past_timeout_times_out)
{
    /* A latency rule pushes the duration past the 3 s Timeout. */
    make(NULL, KDO_FAULT_LATENCY, NULL, NULL, 5 * KDO_S);
    invoke();
    assert_timeout_reply("3.00");
    ck_assert_int_eq(rep.latency, 3 * KDO_S);

    /* A record rule's latency does it too. */
    make(NULL, KDO_FAULT_DELIVERY_FAILED, "POISON", NULL, 4 * KDO_S);
    invoke();
    assert_timeout_reply("3.00");
    ck_assert_int_eq(rep.latency, 3 * KDO_S);

    /* And so does a slow function without any rule. */
    struct kdo_fake_lambda_config cfg;
    kdo_fake_lambda_config_default(&cfg);
    cfg.latency = 2 * KDO_S;
    cfg.latency_per_record = 400 * KDO_MS; /* 2 s + 3 x 0.4 s = 3.2 s */
    make(&cfg, -1, NULL, NULL, 0);
    invoke();
    assert_timeout_reply("3.00");
    ck_assert_int_eq(rep.latency, 3 * KDO_S);
}
END_TEST

START_TEST(latency_up_to_timeout_still_answers)
{
    /* 20 ms base + 2.98 s = exactly the Timeout: the function made it. */
    make(NULL, KDO_FAULT_LATENCY, NULL, NULL, 2980 * KDO_MS);
    invoke();
    assert_plain_200();
    ck_assert_int_eq(rep.latency, 3 * KDO_S);
    json_t *root = body_json();
    ck_assert_uint_eq(json_array_size(records(root)), N);
    json_decref(root);
}
END_TEST

START_TEST(latency_sums_base_rule_and_per_record)
{
    struct kdo_fake_lambda_config cfg;
    kdo_fake_lambda_config_default(&cfg);
    cfg.latency_per_record = 5 * KDO_MS;
    make(&cfg, KDO_FAULT_DELIVERY_FAILED, "POISON", NULL, 100 * KDO_MS);
    invoke();
    assert_plain_200();
    ck_assert_int_eq(rep.latency, (20 + 100 + 15) * KDO_MS);
}
END_TEST

START_TEST(function_error_unhandled)
{
    make(NULL, KDO_FAULT_FUNCTION_ERROR, "POISON", NULL, 0);
    invoke();
    ck_assert_int_eq(rep.outcome, KDO_TRANSPORT_DONE);
    ck_assert_int_eq(rep.status, 200);
    ck_assert_str_eq(rep.function_error, "Unhandled");
    ck_assert_str_eq(rep.error_type, "Error");
    ck_assert_int_eq(rep.rule, 0);
    json_t *root = body_json();
    ck_assert_str_eq(json_string_value(json_object_get(root, "errorType")), "Error");
    ck_assert_str_eq(json_string_value(json_object_get(root, "errorMessage")),
                     "poison pill: unhandled error");
    ck_assert(json_is_array(json_object_get(root, "stackTrace")));
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_FUNCTION_ERROR);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(verdict[i], KDO_REASON_FUNCTION_ERROR);

    make(NULL, KDO_FAULT_FUNCTION_ERROR, NULL, "TypeError: x is \"undefined\"", 0);
    invoke();
    root = body_json();
    ck_assert_str_eq(json_string_value(json_object_get(root, "errorMessage")),
                     "TypeError: x is \"undefined\"");
    json_decref(root);
}
END_TEST

START_TEST(throttle_is_429)
{
    make(NULL, KDO_FAULT_THROTTLE, NULL, NULL, 0);
    invoke();
    ck_assert_int_eq(rep.outcome, KDO_TRANSPORT_DONE);
    ck_assert_int_eq(rep.status, 429);
    ck_assert_ptr_null(rep.function_error);
    ck_assert_str_eq(rep.error_type, "TooManyRequestsException");
    json_t *root = body_json();
    ck_assert_str_eq(json_string_value(json_object_get(root, "Reason")),
                     "ReservedFunctionConcurrentInvocationLimitExceeded");
    ck_assert_ptr_nonnull(json_object_get(root, "retryAfterSeconds"));
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_HTTP_STATUS);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(verdict[i], KDO_REASON_HTTP_STATUS);
}
END_TEST

START_TEST(service_error_is_500)
{
    make(NULL, KDO_FAULT_SERVICE_ERROR, NULL, NULL, 0);
    invoke();
    ck_assert_int_eq(rep.status, 500);
    ck_assert_ptr_null(rep.function_error);
    ck_assert_str_eq(rep.error_type, "ServiceException");
    json_t *root = body_json();
    ck_assert_str_eq(json_string_value(json_object_get(root, "Type")), "Service");
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_HTTP_STATUS);
    ck_assert_int_eq(verdict[0], KDO_REASON_HTTP_STATUS);
}
END_TEST

START_TEST(malformed_body_is_not_json)
{
    json_error_t e;
    make(NULL, KDO_FAULT_MALFORMED_BODY, NULL, NULL, 0);
    invoke();
    ck_assert_int_eq(rep.status, 200);
    ck_assert_ptr_null(rep.function_error);
    ck_assert_uint_gt(rep.body->len, 0);
    ck_assert_ptr_null(json_loadb(rep.body->data, rep.body->len, 0, &e));
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_BAD_BODY);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(verdict[i], KDO_REASON_BAD_BODY);

    make(NULL, KDO_FAULT_MALFORMED_BODY, NULL, "<html>502</html>", 0);
    invoke();
    ck_assert_str_eq(rep.body->data, "<html>502</html>");
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_BAD_BODY);
}
END_TEST

START_TEST(no_records_is_object_without_array)
{
    make(NULL, KDO_FAULT_NO_RECORDS, NULL, NULL, 0);
    invoke();
    ck_assert_int_eq(rep.status, 200);
    json_t *root = body_json();
    ck_assert(json_is_object(root));
    ck_assert_ptr_null(json_object_get(root, "records"));
    json_decref(root);
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_BAD_BODY);
    ck_assert_int_eq(verdict[2], KDO_REASON_BAD_BODY);
}
END_TEST

START_TEST(drop_connection_fails_transport)
{
    make(NULL, KDO_FAULT_DROP_CONNECTION, NULL, NULL, 0);
    invoke();
    ck_assert_int_eq(rep.outcome, KDO_TRANSPORT_FAILED);
    ck_assert_int_eq(rep.rule, 0);
    ck_assert_int_ne(rep.latency, KDO_TIME_NEVER);
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_TRANSPORT_ERROR);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(verdict[i], KDO_REASON_TRANSPORT_ERROR);
}
END_TEST

START_TEST(hang_never_answers)
{
    make(NULL, KDO_FAULT_HANG, NULL, NULL, 0);
    invoke();
    ck_assert_int_eq(rep.outcome, KDO_TRANSPORT_TIMEDOUT);
    ck_assert_int_eq(rep.latency, KDO_TIME_NEVER);
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_TRANSPORT_TIMEOUT);
    for (size_t i = 0; i < N; i++)
        ck_assert_int_eq(verdict[i], KDO_REASON_TRANSPORT_TIMEOUT);
}
END_TEST

static void invoke_len(size_t len)
{
    struct kdo_invocation inv = invocation(1);
    char *event = kdo_xmalloc(len + 1);
    memset(event, ' ', len);
    event[len] = '\0';
    inv.event = event;
    inv.event_len = len;
    kdo_fake_lambda_invoke(fake, 0, &inv, &rep);
    free(event);
}

START_TEST(request_over_6mb_is_413_before_the_function_runs)
{
    make(NULL, KDO_FAULT_THROTTLE, NULL, NULL, 0);
    invoke_len(6291457);
    ck_assert_int_eq(rep.outcome, KDO_TRANSPORT_DONE);
    ck_assert_int_eq(rep.status, 413);
    ck_assert_ptr_null(rep.function_error);
    ck_assert_str_eq(rep.error_type, "RequestEntityTooLargeException");
    json_t *root = body_json();
    ck_assert_str_eq(json_string_value(json_object_get(root, "Message")),
                     "Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    json_decref(root);
    size_t n;
    const struct kdo_fault_rule *r = kdo_fake_lambda_rules(fake, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(r[0].fired, 0); /* the function never ran */
    judge_reply();
    ck_assert_int_eq(sum.whole, KDO_REASON_HTTP_STATUS);

    /* Exactly the limit is accepted (and then throttled by the rule). */
    invoke_len(6291456);
    ck_assert_int_eq(rep.status, 429);
    ck_assert_uint_eq(r[0].fired, 1);
}
END_TEST

/* A reply body over 6,291,556 bytes is Function.ResponseSizeTooLarge. */
START_TEST(response_over_limit_is_function_error)
{
    enum { IDLEN = 1000, NREC = 6400 };
    char *idbuf = kdo_xmalloc((size_t)NREC * IDLEN);
    struct kdo_str *bigids = kdo_xcalloc(NREC, sizeof *bigids);
    uint64_t *bighints = kdo_xcalloc(NREC, sizeof *bighints);
    struct kdo_str *bigdata = kdo_xcalloc(NREC, sizeof *bigdata);
    for (size_t i = 0; i < NREC; i++) {
        char *p = idbuf + i * IDLEN;
        memset(p, 'a', IDLEN);
        snprintf(p, 12, "%011zu", i);
        p[11] = 'a';
        bigids[i] = (struct kdo_str){p, IDLEN};
        bigdata[i] = (struct kdo_str){"{}", 2};
    }
    struct kdo_invocation inv = {.number = 1, .invocation_id = "x", .event = "{}", .event_len = 2,
                                 .n = NREC, .ids = bigids, .hints = bighints, .data = bigdata};
    make(NULL, -1, NULL, NULL, 0);
    kdo_fake_lambda_invoke(fake, 0, &inv, &rep);
    ck_assert_int_eq(rep.status, 200);
    ck_assert_str_eq(rep.function_error, "Unhandled");
    ck_assert_str_eq(rep.error_type, "Function.ResponseSizeTooLarge");
    json_t *root = body_json();
    ck_assert_str_eq(json_string_value(json_object_get(root, "errorType")),
                     "Function.ResponseSizeTooLarge");
    json_decref(root);
    free(idbuf);
    free(bigids);
    free(bighints);
    free(bigdata);
}
END_TEST

static int is_guid(const char *s)
{
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return 0;
        } else if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) {
            return 0;
        }
    }
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

START_TEST(request_ids_are_distinct_guids)
{
    char prev[37] = "";
    make(NULL, -1, NULL, NULL, 0);
    for (int i = 0; i < 100; i++) {
        invoke();
        ck_assert_msg(is_guid(rep.request_id), "not a v4 GUID: \"%s\"", rep.request_id);
        ck_assert_str_ne(rep.request_id, prev);
        memcpy(prev, rep.request_id, sizeof prev);
    }
    ck_assert_uint_eq(kdo_fake_lambda_invocations(fake), 100);
}
END_TEST

START_TEST(same_seed_same_replies)
{
    char first[37];
    make(NULL, -1, NULL, NULL, 0);
    invoke();
    memcpy(first, rep.request_id, sizeof first);
    kdo_rng_init(&rng, 2024);
    make(NULL, -1, NULL, NULL, 0);
    invoke();
    ck_assert_str_eq(rep.request_id, first);
}
END_TEST

static Suite *fake_lambda_suite(void)
{
    Suite *s = suite_create("fake_lambda");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"ok_body_lists_every_record", ok_body_lists_every_record},
        {"delivery_failed_entry", delivery_failed_entry},
        {"omit_leaves_record_out", omit_leaves_record_out},
        {"omit_every_record_gives_empty_array", omit_every_record_gives_empty_array},
        {"wrong_id_names_unsent_id", wrong_id_names_unsent_id},
        {"missing_id_entry_has_only_result", missing_id_entry_has_only_result},
        {"missing_result_entry_has_only_id", missing_result_entry_has_only_id},
        {"bad_result_default_and_value", bad_result_default_and_value},
        {"bad_result_value_is_escaped", bad_result_value_is_escaped},
        {"duplicate_id_answers_twice", duplicate_id_answers_twice},
        {"timeout_is_sandbox_timedout_at_timeout", timeout_is_sandbox_timedout_at_timeout},
        {"latency_past_timeout_times_out", latency_past_timeout_times_out},
        {"latency_up_to_timeout_still_answers", latency_up_to_timeout_still_answers},
        {"latency_sums_base_rule_and_per_record", latency_sums_base_rule_and_per_record},
        {"function_error_unhandled", function_error_unhandled},
        {"throttle_is_429", throttle_is_429},
        {"service_error_is_500", service_error_is_500},
        {"malformed_body_is_not_json", malformed_body_is_not_json},
        {"no_records_is_object_without_array", no_records_is_object_without_array},
        {"drop_connection_fails_transport", drop_connection_fails_transport},
        {"hang_never_answers", hang_never_answers},
        {"request_over_6mb_is_413_before_the_function_runs",
         request_over_6mb_is_413_before_the_function_runs},
        {"response_over_limit_is_function_error", response_over_limit_is_function_error},
        {"request_ids_are_distinct_guids", request_ids_are_distinct_guids},
        {"same_seed_same_replies", same_seed_same_replies},
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
    SRunner *sr = srunner_create(fake_lambda_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
