/*
 * test_event.c -- the output event writer: byte-exact shape, what jansson
 * reads back, JSON escaping, 64-bit retry hints, and the byte limit checked
 * to the exact byte (a closed event may land on the limit, never past it).
 *
 * Events are parsed with jansson (JSON_REJECT_DUPLICATES) and every field is
 * compared with what went in; hints above INT64_MAX, which json_int_t cannot
 * hold, are compared as text instead.
 */
#include "delivery/event.h"

#include "base/base64.h"
#include "base/errors.h"
#include "base/rng.h"
#include "delivery/contract.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INV "5d6cc4c8-7e44-4f0e-9b3e-1c2d3e4f5a6b"
#define ARN "arn:aws:kinesisanalytics:us-east-1:123456789012:application/my-app"
#define ROW_BYTES 100

/* One record as the test sent it. */
struct rec {
    char id[128];
    size_t id_len;
    uint64_t hint;
    unsigned char data[512];
    size_t data_len;
};

/* A 56-digit decimal id like AWS's samples, unique per i < 10^12; out must
 * hold 57 bytes. */
static size_t decimal_id(char *out, unsigned long i)
{
    unsigned long long low = i % 1000000000000ull;
    return (size_t)snprintf(out, 57, "49546986683135544286507457936321625675700192%012llu", low);
}

static void fill_row(unsigned char *row, size_t n, unsigned long seed)
{
    for (size_t i = 0; i < n; i++)
        row[i] = (unsigned char)(seed * 131 + i * 7);
}

static json_t *parse(const struct kdo_buf *b)
{
    json_error_t err;
    json_t *root = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    ck_assert_msg(root != NULL, "event does not parse: %s at byte %d", err.text, err.position);
    return root;
}

static const char *string_field(json_t *obj, const char *key, size_t *len)
{
    json_t *v = json_object_get(obj, key);
    ck_assert_msg(json_is_string(v), "field %s missing or not a string", key);
    *len = json_string_length(v);
    return json_string_value(v);
}

static void assert_data_field(json_t *rec, const struct rec *want)
{
    size_t len;
    const char *b64 = string_field(rec, "data", &len);
    unsigned char *back = malloc(len / 4 * 3 + 1);
    size_t n = 0;
    ck_assert_int_eq(kdo_base64_decode(back, &n, b64, len), 0);
    ck_assert_uint_eq(n, want->data_len);
    ck_assert_msg(memcmp(back, want->data, n) == 0, "data of record %.*s differs",
                  (int)want->id_len, want->id);
    free(back);
}

/* One record: exactly recordId, lambdaDeliveryRecordMetadata{retryHint}, data. */
static void assert_record(json_t *rec, const struct rec *want)
{
    ck_assert(json_is_object(rec));
    ck_assert_uint_eq(json_object_size(rec), 3);
    size_t len;
    const char *id = string_field(rec, "recordId", &len);
    ck_assert_uint_eq(len, want->id_len);
    ck_assert_msg(memcmp(id, want->id, len) == 0, "recordId %s, want %.*s", id,
                  (int)want->id_len, want->id);
    json_t *meta = json_object_get(rec, "lambdaDeliveryRecordMetadata");
    ck_assert(json_is_object(meta));
    ck_assert_uint_eq(json_object_size(meta), 1);
    json_t *hint = json_object_get(meta, "retryHint");
    ck_assert_msg(json_is_integer(hint), "retryHint is not an integer");
    ck_assert_uint_eq((uint64_t)json_integer_value(hint), want->hint);
    assert_data_field(rec, want);
}

/* The whole event: exactly the three documented keys, in the event order. */
static void assert_event(const struct kdo_buf *b, const char *inv, const char *arn,
                         const struct rec *recs, size_t n)
{
    ck_assert_msg(strncmp(b->data, "{\"invocationId\":", 16) == 0, "event starts %.40s",
                  b->data);
    json_t *root = parse(b);
    ck_assert_uint_eq(json_object_size(root), 3);
    size_t len;
    ck_assert_str_eq(string_field(root, "invocationId", &len), inv);
    ck_assert_str_eq(string_field(root, "applicationArn", &len), arn);
    json_t *records = json_object_get(root, "records");
    ck_assert(json_is_array(records));
    ck_assert_uint_eq(json_array_size(records), n);
    for (size_t i = 0; i < n; i++)
        assert_record(json_array_get(records, i), &recs[i]);
    json_decref(root);
}

static int add_rec(struct kdo_event *ev, const struct rec *r)
{
    return kdo_event_add(ev, r->id, r->id_len, r->hint, r->data, r->data_len);
}

/* The Java SDK's sample event, compact, byte for byte. */
START_TEST(matches_aws_sample_bytes)
{
    static const char want[] =
        "{\"invocationId\":\"invocationIdExample\","
        "\"applicationArn\":\"arn:aws:kinesisanalytics:us-east-1:123456789012:application/my-app\","
        "\"records\":[{\"recordId\":\"49546986683135544286507457936321625675700192471156785154\","
        "\"lambdaDeliveryRecordMetadata\":{\"retryHint\":0},\"data\":\"SGVsbG8gV29ybGQ=\"}]}";
    struct kdo_buf b;
    kdo_buf_init(&b, KDO_MAX_EVENT_BYTES);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, "invocationIdExample", ARN), 0);
    const char *id = "49546986683135544286507457936321625675700192471156785154";
    ck_assert_int_eq(kdo_event_add(&ev, id, strlen(id), 0, "Hello World", 11), 0);
    size_t n = kdo_event_end(&ev);
    ck_assert_uint_eq(n, strlen(want));
    ck_assert_uint_eq(n, b.len);
    ck_assert_str_eq(b.data, want);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(empty_event_is_valid)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 4096);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, INV, ARN), 0);
    kdo_event_end(&ev);
    assert_event(&b, INV, ARN, NULL, 0);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(round_trips_many_records)
{
    enum { N = 200 };
    struct rec *recs = calloc(N, sizeof *recs);
    struct kdo_rng r;
    kdo_rng_init(&r, 1);
    struct kdo_buf b;
    kdo_buf_init(&b, KDO_MAX_EVENT_BYTES);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, INV, ARN), 0);
    for (int i = 0; i < N; i++) {
        recs[i].id_len = decimal_id(recs[i].id, (unsigned long)i);
        recs[i].hint = kdo_rng_below(&r, 1000);
        recs[i].data_len = (size_t)kdo_rng_below(&r, sizeof recs[i].data + 1);
        for (size_t k = 0; k < recs[i].data_len; k++)
            recs[i].data[k] = (unsigned char)kdo_rng_next(&r);
        ck_assert_int_eq(add_rec(&ev, &recs[i]), 0);
    }
    ck_assert_uint_eq(ev.count, N);
    kdo_event_end(&ev);
    assert_event(&b, INV, ARN, recs, N);
    kdo_buf_cleanup(&b);
    free(recs);
}
END_TEST

/* Every power-of-ten edge up to INT64_MAX parses back as the same integer. */
START_TEST(retry_hint_integers_round_trip)
{
    struct rec recs[40];
    size_t n = 0;
    uint64_t p = 1;
    for (int k = 0; k < 19; k++, p *= 10) {
        recs[n].hint = p - 1;
        recs[n + 1].hint = p;
        n += 2;
    }
    recs[n++].hint = INT64_MAX;
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 20);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, INV, ARN), 0);
    for (size_t i = 0; i < n; i++) {
        recs[i].id_len = decimal_id(recs[i].id, (unsigned long)i);
        recs[i].data_len = 3;
        memcpy(recs[i].data, "row", 3);
        ck_assert_int_eq(add_rec(&ev, &recs[i]), 0);
    }
    kdo_event_end(&ev);
    assert_event(&b, INV, ARN, recs, n);
    kdo_buf_cleanup(&b);
}
END_TEST

/* json_int_t is int64_t, so hints past INT64_MAX are checked as text. */
START_TEST(retry_hint_up_to_uint64_max)
{
    static const struct {
        uint64_t hint;
        const char *text;
    } cases[] = {
        {(uint64_t)INT64_MAX + 1, "9223372036854775808"},
        {UINT64_C(10000000000000000000), "10000000000000000000"},
        {UINT64_MAX - 1, "18446744073709551614"},
        {UINT64_MAX, "18446744073709551615"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kdo_buf b;
        kdo_buf_init(&b, 4096);
        struct kdo_event ev;
        ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, INV, ARN), 0);
        size_t before = b.len;
        ck_assert_int_eq(kdo_event_add(&ev, "id", 2, cases[i].hint, "x", 1), 0);
        ck_assert_uint_eq(b.len - before + 1, kdo_event_record_size(2, cases[i].hint, 1));
        kdo_event_end(&ev);
        char want[256];
        snprintf(want, sizeof want, "{\"recordId\":\"id\",\"lambdaDeliveryRecordMetadata\":"
                 "{\"retryHint\":%s},\"data\":\"eA==\"}]}", cases[i].text);
        ck_assert_str_eq(b.data + before, want);
        kdo_buf_cleanup(&b);
    }
}
END_TEST

/* Strings that need every kind of JSON escape, plus UTF-8 passed through. */
START_TEST(escapes_odd_strings)
{
    static const char *arns[] = {
        "arn:aws:kinesisanalytics:us-east-1:1:application/quote\"back\\slash",
        "arn:\n\t\r\b\f\x01\x1f\x7f/ctl",
        "arn:aws:kinesisanalytics:eu-west-1:1:application/caf\xc3\xa9-\xf0\x9f\x98\x80",
        "",
    };
    for (size_t i = 0; i < sizeof arns / sizeof arns[0]; i++) {
        struct rec rec = {.hint = 1, .data_len = 2, .data = {0, 255}};
        static const char id[] = "id \"q\" \\ \n \x02 \xc3\xa9 \0 end";
        rec.id_len = sizeof id - 1;
        memcpy(rec.id, id, rec.id_len);
        struct kdo_buf b;
        kdo_buf_init(&b, 4096);
        struct kdo_event ev;
        ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, arns[i], arns[i]), 0);
        ck_assert_int_eq(add_rec(&ev, &rec), 0);
        kdo_event_end(&ev);
        ck_assert_msg(memchr(b.data, '\n', b.len) == NULL, "raw newline in the event");
        assert_event(&b, arns[i], arns[i], &rec, 1);
        kdo_buf_cleanup(&b);
    }
}
END_TEST

/* Adds 100-byte rows with decimal ids until one is refused; returns count. */
static size_t fill(struct kdo_event *ev, struct kdo_buf *b, size_t limit, size_t max_rows)
{
    unsigned char row[ROW_BYTES];
    char id[64];
    ck_assert_int_eq(kdo_event_begin(ev, b, limit, INV, ARN), 0);
    for (size_t i = 0; i < max_rows; i++) {
        size_t id_len = decimal_id(id, (unsigned long)i);
        fill_row(row, sizeof row, i);
        int err = kdo_event_add(ev, id, id_len, 0, row, sizeof row);
        if (err) {
            ck_assert_int_eq(err, KDO_ETOOBIG);
            break;
        }
    }
    return ev->count;
}

START_TEST(fills_a_6mb_event_without_passing_the_limit)
{
    struct kdo_buf b;
    kdo_buf_init(&b, KDO_MAX_EVENT_BYTES);
    struct kdo_event ev;
    size_t n = fill(&ev, &b, KDO_MAX_EVENT_BYTES, SIZE_MAX);
    size_t open_len = b.len;
    size_t closed = kdo_event_end(&ev);
    /* A 100-byte row with a 56-digit id and hint 0 costs 265 bytes (136 of
     * base64, 56 of id, 73 of JSON around them), the first one a byte less:
     * 23,740 rows after the head. */
    size_t head = open_len - (n * 265 - 1);
    ck_assert_uint_eq(kdo_event_record_size(56, 0, ROW_BYTES), 265);
    ck_assert_uint_eq(n, (KDO_MAX_EVENT_BYTES - 2 - head + 1) / 265);
    ck_assert_uint_eq(n, 23740);
    ck_assert_uint_le(closed, KDO_MAX_EVENT_BYTES);
    /* The refused row really would not have fit. */
    ck_assert_uint_gt(open_len + kdo_event_record_size(56, 0, ROW_BYTES) + 2,
                      KDO_MAX_EVENT_BYTES);
    json_t *root = parse(&b);
    ck_assert_uint_eq(json_array_size(json_object_get(root, "records")), n);
    json_decref(root);
    kdo_buf_cleanup(&b);
}
END_TEST

/* Builds n - 1 rows, then one row whose id is stretched so that the closed
 * event is exactly `target` bytes; adds it under `limit`. */
static int add_exact_last(struct kdo_event *ev, struct kdo_buf *b, size_t n, size_t target,
                          size_t limit)
{
    fill(ev, b, limit, n - 1);
    ck_assert_uint_eq(ev->count, n - 1);
    size_t room = target - b->len - 2;
    size_t fixed = kdo_event_record_size(0, 0, ROW_BYTES);
    ck_assert_uint_ge(room, fixed);
    size_t id_len = room - fixed;
    char *id = malloc(id_len + 1);
    memset(id, '7', id_len);
    unsigned char row[ROW_BYTES];
    fill_row(row, sizeof row, 0);
    int err = kdo_event_add(ev, id, id_len, 0, row, sizeof row);
    free(id);
    return err;
}

START_TEST(closed_event_may_land_exactly_on_the_limit)
{
    struct kdo_buf b;
    kdo_buf_init(&b, KDO_MAX_EVENT_BYTES + 16);
    struct kdo_event ev;
    size_t n = fill(&ev, &b, KDO_MAX_EVENT_BYTES, SIZE_MAX);
    const size_t limit = KDO_MAX_EVENT_BYTES;

    ck_assert_int_eq(add_exact_last(&ev, &b, n, limit, limit), 0);
    ck_assert_uint_eq(kdo_event_end(&ev), limit);
    json_t *root = parse(&b);
    json_decref(root);

    /* One byte bigger: still fits, same bytes. */
    ck_assert_int_eq(add_exact_last(&ev, &b, n, limit, limit + 1), 0);
    ck_assert_uint_eq(kdo_event_end(&ev), limit);

    /* One byte smaller: refused, event unchanged and still closable. */
    ck_assert_int_eq(add_exact_last(&ev, &b, n, limit, limit - 1), KDO_ETOOBIG);
    ck_assert_uint_eq(ev.count, n - 1);
    ck_assert_uint_le(kdo_event_end(&ev), limit - 1);
    kdo_buf_cleanup(&b);
}
END_TEST

/* The same boundary for the first record, which has no comma. */
START_TEST(first_record_boundary_is_exact)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 4096);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, 4096, INV, ARN), 0);
    size_t head = b.len;
    size_t closed = head + kdo_event_record_size(4, 7, 10) - 1 + 2;
    for (int delta = -1; delta <= 1; delta++) {
        size_t limit = closed + (size_t)(ptrdiff_t)delta;
        ck_assert_int_eq(kdo_event_begin(&ev, &b, limit, INV, ARN), 0);
        int err = kdo_event_add(&ev, "abcd", 4, 7, "0123456789", 10);
        ck_assert_int_eq(err, delta < 0 ? KDO_ETOOBIG : 0);
        size_t got = kdo_event_end(&ev);
        ck_assert_uint_eq(got, delta < 0 ? head + 2 : closed);
    }
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(refused_record_leaves_event_unchanged)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 4096);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, 400, INV, ARN), 0);
    ck_assert_int_eq(kdo_event_add(&ev, "a", 1, 0, "row", 3), 0);
    char *copy = strdup(b.data);
    size_t len = b.len;
    unsigned char big[300] = {0};
    ck_assert_int_eq(kdo_event_add(&ev, "b", 1, 0, big, sizeof big), KDO_ETOOBIG);
    ck_assert_uint_eq(b.len, len);
    ck_assert_str_eq(b.data, copy);
    ck_assert_uint_eq(ev.count, 1);
    free(copy);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(row_too_big_for_an_empty_event)
{
    struct kdo_buf b;
    kdo_buf_init(&b, KDO_MAX_EVENT_BYTES);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, INV, ARN), 0);
    /* 4.75 MB of row is 6.33 MB of base64. */
    size_t n = KDO_MAX_EVENT_BYTES / 4 * 3 + 1024;
    unsigned char *row = calloc(1, n);
    ck_assert_int_eq(kdo_event_add(&ev, "id", 2, 0, row, n), KDO_ETOOBIG);
    ck_assert_uint_eq(ev.count, 0);
    /* Larger than the limit itself, and larger than anything addressable. */
    ck_assert_int_eq(kdo_event_add(&ev, "id", 2, 0, row, KDO_MAX_EVENT_BYTES + 1), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_event_add(&ev, "id", 2, 0, row, SIZE_MAX), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_event_add(&ev, "id", SIZE_MAX, 0, row, 1), KDO_ETOOBIG);
    ck_assert_uint_eq(ev.count, 0);
    kdo_event_end(&ev);
    assert_event(&b, INV, ARN, NULL, 0);
    free(row);
    kdo_buf_cleanup(&b);
}
END_TEST

/* The buffer's own maximum refuses like the limit does. */
START_TEST(buffer_max_below_limit_refuses)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 300);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, INV, ARN), 0);
    int err = 0;
    for (int i = 0; i < 100 && !err; i++)
        err = kdo_event_add(&ev, "id", 2, 0, "row", 3);
    ck_assert_int_eq(err, KDO_ETOOBIG);
    size_t closed = kdo_event_end(&ev);
    ck_assert_uint_le(closed, 300);
    ck_assert_uint_gt(closed, 200);
    json_decref(parse(&b));
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(begin_refuses_a_limit_below_the_empty_event)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 4096);
    struct kdo_event ev;
    ck_assert_int_eq(kdo_event_begin(&ev, &b, 4096, INV, ARN), 0);
    size_t empty = kdo_event_end(&ev);
    ck_assert_int_eq(kdo_event_begin(&ev, &b, empty, INV, ARN), 0);
    ck_assert_uint_eq(kdo_event_end(&ev), empty);
    ck_assert_int_eq(kdo_event_begin(&ev, &b, empty - 1, INV, ARN), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_event_add(&ev, "", 0, 0, "", 0), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_event_begin(&ev, &b, 1, INV, ARN), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_event_begin(&ev, &b, 0, INV, ARN), KDO_ETOOBIG);
    ck_assert_int_eq(kdo_event_add(&ev, "", 0, 0, "", 0), KDO_ETOOBIG);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(record_size_agrees_with_bytes_added)
{
    static const uint64_t hints[] = {0, 1, 9, 10, 99, 100, 12345, INT64_MAX, UINT64_MAX};
    static const size_t id_lens[] = {0, 1, 36, 56, 100};
    unsigned char row[301];
    fill_row(row, sizeof row, 5);
    char id[101];
    memset(id, '4', sizeof id);
    struct kdo_buf b;
    kdo_buf_init(&b, KDO_MAX_EVENT_BYTES);
    struct kdo_event ev;
    for (size_t h = 0; h < sizeof hints / sizeof hints[0]; h++) {
        for (size_t k = 0; k < sizeof id_lens / sizeof id_lens[0]; k++) {
            ck_assert_int_eq(kdo_event_begin(&ev, &b, KDO_MAX_EVENT_BYTES, INV, ARN), 0);
            for (size_t n = 0; n < sizeof row; n++) {
                size_t before = b.len;
                ck_assert_int_eq(kdo_event_add(&ev, id, id_lens[k], hints[h], row, n), 0);
                size_t want = kdo_event_record_size(id_lens[k], hints[h], n) - (n == 0);
                ck_assert_msg(b.len - before == want,
                              "id_len=%zu hint=%llu data_len=%zu: added %zu, record_size %zu",
                              id_lens[k], (unsigned long long)hints[h], n, b.len - before,
                              want);
            }
        }
    }
    kdo_buf_cleanup(&b);
}
END_TEST

static Suite *event_suite(void)
{
    Suite *s = suite_create("event");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"matches_aws_sample_bytes", matches_aws_sample_bytes},
        {"empty_event_is_valid", empty_event_is_valid},
        {"round_trips_many_records", round_trips_many_records},
        {"retry_hint_integers_round_trip", retry_hint_integers_round_trip},
        {"retry_hint_up_to_uint64_max", retry_hint_up_to_uint64_max},
        {"escapes_odd_strings", escapes_odd_strings},
        {"fills_a_6mb_event_without_passing_the_limit",
         fills_a_6mb_event_without_passing_the_limit},
        {"closed_event_may_land_exactly_on_the_limit",
         closed_event_may_land_exactly_on_the_limit},
        {"first_record_boundary_is_exact", first_record_boundary_is_exact},
        {"refused_record_leaves_event_unchanged", refused_record_leaves_event_unchanged},
        {"row_too_big_for_an_empty_event", row_too_big_for_an_empty_event},
        {"buffer_max_below_limit_refuses", buffer_max_below_limit_refuses},
        {"begin_refuses_a_limit_below_the_empty_event",
         begin_refuses_a_limit_below_the_empty_event},
        {"record_size_agrees_with_bytes_added", record_size_agrees_with_bytes_added},
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
    SRunner *sr = srunner_create(event_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
