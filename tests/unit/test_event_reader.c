/*
 * test_event_reader.c -- KDA output events read back, emulator/lambda/event_reader.c.
 *
 * A well-formed event gives its recordIds, retryHints, invocationId and --
 * on request -- the base64-decoded rows ("aGVsbG8=" is "hello", RFC 4648).
 * A body that is not JSON is KDO_EPARSE with the byte offset of the fault in
 * the sentence; JSON that is not a KDA event is KDO_ESCHEMA naming what is
 * wrong; a body past the reader's bound or nesting past its depth is
 * refused; a reused reader forgets the previous event.
 */
#include "lambda/event_reader.h"

#include "base/errors.h"
#include "delivery/contract.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_event_reader *r;
static struct kdo_invocation inv;
static char why[256];

static void setup(void)
{
    r = kdo_event_reader_new();
    memset(&inv, 0, sizeof inv);
    why[0] = '\0';
}

static void teardown(void)
{
    kdo_event_reader_free(r);
}

static int read_text(const char *body, int decode)
{
    why[0] = '\0';
    return kdo_event_reader_read(r, body, strlen(body), decode, &inv, why, sizeof why);
}

static void expect_refused(const char *body, int code, const char *msg)
{
    int err = read_text(body, 1);
    ck_assert_msg(err == code, "[%s]: got %d (%s), want %d", body, err, why, code);
    ck_assert_msg(strstr(why, msg) != NULL, "[%s]: [%s] lacks [%s]", body, why, msg);
}

static int str_is(struct kdo_str s, const char *want)
{
    return s.n == strlen(want) && memcmp(s.p, want, s.n) == 0;
}

#define EVENT2                                                                                     \
    "{\"invocationId\":\"inv-1\",\"applicationArn\":\"arn:aws:kinesisanalytics:x\","              \
    "\"records\":[{\"recordId\":\"r-0\",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":0},"     \
    "\"data\":\"aGVsbG8=\"},{\"data\":\"\",\"extra\":{\"a\":[1,{}]},\"recordId\":\"r\\u002d1\","   \
    "\"lambdaDeliveryRecordMetadata\":{\"other\":true,\"retryHint\":18446744073709551615}}]}"

START_TEST(test_a_well_formed_event_reads_back)
{
    ck_assert_int_eq(read_text(EVENT2, 1), 0);
    ck_assert_uint_eq(inv.n, 2);
    ck_assert_str_eq(inv.invocation_id, "inv-1");
    ck_assert_ptr_eq(inv.event, EVENT2);
    ck_assert_uint_eq(inv.event_len, strlen(EVENT2));
    ck_assert_uint_eq(inv.number, 0);
    ck_assert(str_is(inv.ids[0], "r-0"));
    ck_assert(str_is(inv.ids[1], "r-1")); /* escapes decoded */
    ck_assert_uint_eq(inv.hints[0], 0);
    ck_assert_uint_eq(inv.hints[1], UINT64_MAX);
    ck_assert(str_is(inv.data[0], "hello"));
    ck_assert(str_is(inv.data[1], ""));
}
END_TEST

START_TEST(test_rows_are_left_empty_unless_asked_for)
{
    ck_assert_int_eq(read_text(EVENT2, 0), 0);
    ck_assert_uint_eq(inv.n, 2);
    ck_assert_uint_eq(inv.data[0].n, 0);
    ck_assert(str_is(inv.ids[0], "r-0"));
}
END_TEST

START_TEST(test_no_records_and_no_invocation_id)
{
    ck_assert_int_eq(read_text("{\"records\":[]}", 1), 0);
    ck_assert_uint_eq(inv.n, 0);
    ck_assert_str_eq(inv.invocation_id, ""); /* missing: the empty string */
}
END_TEST

START_TEST(test_a_reused_reader_forgets_the_previous_event)
{
    ck_assert_int_eq(read_text(EVENT2, 1), 0);
    ck_assert_int_eq(read_text("{\"records\":[{\"recordId\":\"z\",\"data\":\"eA==\","
                               "\"lambdaDeliveryRecordMetadata\":{\"retryHint\":3}}]}",
                               1),
                     0);
    ck_assert_uint_eq(inv.n, 1);
    ck_assert_str_eq(inv.invocation_id, "");
    ck_assert(str_is(inv.ids[0], "z"));
    ck_assert(str_is(inv.data[0], "x"));
    ck_assert_uint_eq(inv.hints[0], 3);
}
END_TEST

START_TEST(test_many_records_grow_the_reader)
{
    size_t n = 1000, cap = n * 100 + 64, at = 0;
    char *body = malloc(cap);
    at += (size_t)snprintf(body + at, cap - at, "{\"records\":[");
    for (size_t i = 0; i < n; i++)
        at += (size_t)snprintf(body + at, cap - at,
                               "%s{\"recordId\":\"id-%zu\",\"data\":\"MTIz\","
                               "\"lambdaDeliveryRecordMetadata\":{\"retryHint\":%zu}}",
                               i ? "," : "", i, i % 7);
    snprintf(body + at, cap - at, "]}");
    ck_assert_int_eq(read_text(body, 1), 0);
    ck_assert_uint_eq(inv.n, n);
    char want[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(want, sizeof want, "id-%zu", i);
        ck_assert_msg(str_is(inv.ids[i], want), "record %zu", i);
        ck_assert_uint_eq(inv.hints[i], i % 7);
        ck_assert(str_is(inv.data[i], "123"));
    }
    free(body);
}
END_TEST

START_TEST(test_not_json_is_a_parse_error_with_the_offset)
{
    expect_refused("", KDO_EPARSE, "body is not JSON");
    expect_refused("{\"records\":x}", KDO_EPARSE, "at byte 11");
    expect_refused("{\"records\":[]} x", KDO_EPARSE, "at byte 15"); /* trailing bytes */
    expect_refused("{\"records\":[]", KDO_EPARSE, "body is not JSON");
    expect_refused("{\"records\":[],\"records\":[]}", KDO_EPARSE, "body is not JSON");
    expect_refused("{\"records\":[{\"recordId\":\"a\x01\"}]}", KDO_EPARSE, "at byte 26");
}
END_TEST

START_TEST(test_json_that_is_not_an_event_says_what_is_wrong)
{
    expect_refused("[]", KDO_ESCHEMA, "the event is not a JSON object");
    expect_refused("{}", KDO_ESCHEMA, "the event has no records array");
    expect_refused("{\"records\":{}}", KDO_ESCHEMA, "records is not an array");
    expect_refused("{\"records\":[1]}", KDO_ESCHEMA, "a record is not an object");
    expect_refused("{\"records\":[{\"data\":\"\",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":0}}]}",
                   KDO_ESCHEMA, "record 0 lacks recordId");
    expect_refused("{\"records\":[{\"recordId\":\"a\",\"data\":\"\"}]}", KDO_ESCHEMA,
                   "record 0 lacks lambdaDeliveryRecordMetadata");
    expect_refused("{\"records\":[{\"recordId\":\"a\",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":0}}]}",
                   KDO_ESCHEMA, "record 0 lacks data");
    expect_refused("{\"records\":[{\"recordId\":7}]}", KDO_ESCHEMA, "recordId is not a string");
    expect_refused("{\"records\":[{\"data\":null}]}", KDO_ESCHEMA, "data is not a string");
    expect_refused("{\"records\":[{\"lambdaDeliveryRecordMetadata\":[]}]}", KDO_ESCHEMA,
                   "lambdaDeliveryRecordMetadata is not an object");
    expect_refused("{\"records\":[{\"lambdaDeliveryRecordMetadata\":{}}]}", KDO_ESCHEMA,
                   "a record has no retryHint");
    expect_refused("{\"records\":[{\"recordId\":\"a\",\"data\":\"!!!!\"}]}", KDO_ESCHEMA,
                   "a record's data is not base64");
    expect_refused("{\"records\":[{\"recordId\":\"a\",\"data\":\"aGVsbG8\"}]}", KDO_ESCHEMA,
                   "a record's data is not base64");
}
END_TEST

START_TEST(test_retry_hint_must_be_a_whole_number_that_fits)
{
    static const char *const bad[] = {"-1", "1.5", "1e3", "\"3\"", "null",
                                      "18446744073709551616", "99999999999999999999"};
    char body[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"records\":[{\"lambdaDeliveryRecordMetadata\":{\"retryHint\":%s}}]}", bad[i]);
        expect_refused(body, KDO_ESCHEMA, "retryHint is not a whole number");
    }
}
END_TEST

START_TEST(test_a_body_past_the_bound_is_refused)
{
    size_t n = KDO_MAX_EVENT_BYTES * 2 + 1;
    char *body = malloc(n);
    memset(body, ' ', n);
    int err = kdo_event_reader_read(r, body, n, 0, &inv, why, sizeof why);
    ck_assert_int_eq(err, KDO_EPARSE);
    char want[64];
    snprintf(want, sizeof want, "body of %zu bytes is too large", n);
    ck_assert_str_eq(why, want);
    free(body);
}
END_TEST

START_TEST(test_nesting_past_the_depth_limit_is_refused)
{
    char body[400];
    size_t at = (size_t)snprintf(body, sizeof body, "{\"records\":[],\"x\":");
    for (int i = 0; i < 100; i++)
        body[at++] = '[';
    for (int i = 0; i < 100; i++)
        body[at++] = ']';
    body[at++] = '}';
    body[at] = '\0';
    expect_refused(body, KDO_EPARSE, "body is not JSON");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("event_reader");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"a_well_formed_event_reads_back", test_a_well_formed_event_reads_back},
        {"rows_are_left_empty_unless_asked_for", test_rows_are_left_empty_unless_asked_for},
        {"no_records_and_no_invocation_id", test_no_records_and_no_invocation_id},
        {"a_reused_reader_forgets_the_previous_event",
         test_a_reused_reader_forgets_the_previous_event},
        {"many_records_grow_the_reader", test_many_records_grow_the_reader},
        {"not_json_is_a_parse_error_with_the_offset", test_not_json_is_a_parse_error_with_the_offset},
        {"json_that_is_not_an_event_says_what_is_wrong",
         test_json_that_is_not_an_event_says_what_is_wrong},
        {"retry_hint_must_be_a_whole_number_that_fits",
         test_retry_hint_must_be_a_whole_number_that_fits},
        {"a_body_past_the_bound_is_refused", test_a_body_past_the_bound_is_refused},
        {"nesting_past_the_depth_limit_is_refused", test_nesting_past_the_depth_limit_is_refused},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
