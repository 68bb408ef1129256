/*
 * test_invlog.c -- the fake's log of invocations, emulator/lambda/invlog.c:
 * bounded in entries and bytes, numbered for life, formatted one at a time.
 */
#include "lambda/invlog.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 1200

static char idtext[MAXN][40];
static struct kdo_str ids[MAXN];
static uint64_t hints[MAXN];

static struct kdo_invocation inv_of(size_t n, const char *invocation_id)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(idtext[i], sizeof idtext[i], "rec-%04zu", i);
        ids[i] = (struct kdo_str){idtext[i], strlen(idtext[i])};
        hints[i] = i % 3;
    }
    return (struct kdo_invocation){.number = 1, .invocation_id = invocation_id, .event_len = 100 * n,
                                   .n = n, .ids = ids, .hints = hints};
}

static json_t *entry(struct kdo_invlog *l, uint64_t n)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 20);
    ck_assert_int_eq(kdo_invlog_format(l, n, &b), 0);
    json_error_t e;
    json_t *j = json_loadb(b.data, b.len, 0, &e);
    ck_assert_msg(j != NULL, "not JSON: %.*s", (int)b.len, b.data);
    kdo_buf_cleanup(&b);
    return j;
}

START_TEST(entries_say_what_arrived)
{
    struct kdo_invlog *l = kdo_invlog_new(10, 1 << 20);
    struct kdo_invocation inv = inv_of(3, "inv-\"1\"");
    kdo_invlog_add(l, 1500 * KDO_MS, "orders", "live", "8f5ac1fe-0000-4000-8000-000000000001", &inv,
                   200, NULL, NULL);
    inv = inv_of(1, "inv-2");
    kdo_invlog_add(l, 2 * KDO_S, "orders", "", "8f5ac1fe-0000-4000-8000-000000000002", &inv, 0,
                   "Unhandled", "Sandbox.Timedout");
    ck_assert_uint_eq(kdo_invlog_first(l), 1);
    ck_assert_uint_eq(kdo_invlog_last(l), 2);
    json_t *j = entry(l, 1);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "n")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "atMs")), 1500);
    ck_assert_str_eq(json_string_value(json_object_get(j, "function")), "orders");
    ck_assert_str_eq(json_string_value(json_object_get(j, "qualifier")), "live");
    ck_assert_str_eq(json_string_value(json_object_get(j, "invocationId")), "inv-\"1\"");
    ck_assert_int_eq(json_integer_value(json_object_get(j, "records")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "bytes")), 300);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(j, "recordIds"), 2)), "rec-0002");
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(j, "retryHints"), 2)), 2);
    ck_assert(json_is_null(json_object_get(j, "functionError")));
    json_decref(j);
    j = entry(l, 2);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "status")), 0);
    ck_assert_str_eq(json_string_value(json_object_get(j, "errorType")), "Sandbox.Timedout");
    json_decref(j);
    ck_assert_int_eq(kdo_invlog_format(l, 3, &(struct kdo_buf){0}), -1);
    kdo_invlog_free(l);
}
END_TEST

START_TEST(full_in_entries_drops_the_oldest)
{
    struct kdo_invlog *l = kdo_invlog_new(3, 1 << 20);
    struct kdo_invocation inv = inv_of(1, "i");
    for (int i = 0; i < 5; i++)
        kdo_invlog_add(l, i, "f", "", "id", &inv, 200, NULL, NULL);
    ck_assert_uint_eq(kdo_invlog_first(l), 3);
    ck_assert_uint_eq(kdo_invlog_last(l), 5);
    ck_assert_uint_eq(kdo_invlog_dropped(l), 2);
    ck_assert_int_eq(kdo_invlog_format(l, 2, &(struct kdo_buf){0}), -1);
    /* a reset forgets entries, not numbers */
    ck_assert_uint_eq(kdo_invlog_reset(l), 3);
    ck_assert_uint_eq(kdo_invlog_dropped(l), 0);
    ck_assert_uint_eq(kdo_invlog_bytes(l), 0);
    ck_assert_uint_eq(kdo_invlog_first(l), 6);
    kdo_invlog_add(l, 9, "f", "", "id", &inv, 200, NULL, NULL);
    ck_assert_uint_eq(kdo_invlog_first(l), 6);
    ck_assert_uint_eq(kdo_invlog_last(l), 6);
    kdo_invlog_free(l);
}
END_TEST

START_TEST(bounded_in_bytes_and_ids)
{
    size_t budget = 64 * 1024;
    struct kdo_invlog *l = kdo_invlog_new(10000, budget);
    struct kdo_invocation inv = inv_of(MAXN, "i");
    for (int i = 0; i < 50; i++) {
        kdo_invlog_add(l, i, "f", "", "id", &inv, 200, NULL, NULL);
        ck_assert_uint_le(kdo_invlog_bytes(l), budget);
    }
    ck_assert_uint_gt(kdo_invlog_dropped(l), 0);
    json_t *j = entry(l, kdo_invlog_last(l));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "records")), MAXN);
    ck_assert_uint_le(json_array_size(json_object_get(j, "recordIds")), 1000); /* at most 1,000 kept */
    ck_assert_uint_gt(json_array_size(json_object_get(j, "recordIds")), 0);
    json_decref(j);
    /* a budget smaller than one entry's ids: the entry keeps what fits */
    struct kdo_invlog *tiny = kdo_invlog_new(10, 2048);
    kdo_invlog_add(tiny, 0, "f", "", "id", &inv, 200, NULL, NULL);
    ck_assert_uint_le(kdo_invlog_bytes(tiny), 2048);
    j = entry(tiny, 1);
    ck_assert_uint_lt(json_array_size(json_object_get(j, "recordIds")), 200); /* 2 KB: ~100 ids */
    json_decref(j);
    kdo_invlog_free(tiny);
    kdo_invlog_free(l);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("invlog");
    TCase *tc = tcase_create("log");
    tcase_add_test(tc, entries_say_what_arrived);
    tcase_add_test(tc, full_in_entries_drops_the_oldest);
    tcase_add_test(tc, bounded_in_bytes_and_ids);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
