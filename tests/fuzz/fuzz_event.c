/*
 * fuzz_event.c -- builds an output event from arbitrary records under an
 * arbitrary limit and checks everything the writer promises.
 *
 * Input layout (every field optional: the input simply ends):
 *
 *   limit:u16le  arn_len:u8 arn[arn_len]
 *   { id_len:u8 id[id_len]  hint_sel:u8 [hint:u64le if hint_sel >= 0xf0]
 *     data_len:u16le data[data_len] } ...
 *
 * Invariants checked: each record is accepted exactly when the closed event
 * would stay within the limit, adding precisely the bytes predicted here by
 * an independent escaped-length count; the closed event is <= limit; it parses
 * with jansson (JSON_REJECT_DUPLICATES) into the documented shape; every id,
 * hint and data field round-trips exactly (data through kdo_base64_decode()).
 * Ids and the ARN are masked to 7-bit bytes because the writer copies strings
 * byte for byte and JSON needs UTF-8; hints are masked to INT64_MAX because
 * json_int_t is int64_t (larger hints are covered by test_event.c as text).
 */
#include "base/base64.h"
#include "base/errors.h"
#include "delivery/event.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                  \
    do {                                                                                  \
        if (!(cond)) {                                                                    \
            fprintf(stderr, "fuzz_event: %s:%d: check failed: %s: ", __FILE__, __LINE__, \
                    #cond);                                                               \
            fprintf(stderr, __VA_ARGS__);                                                 \
            fputc('\n', stderr);                                                          \
            abort();                                                                      \
        }                                                                                 \
    } while (0)

#define INVOCATION_ID "0f8fad5b-d9cb-469f-a165-70867728950e"
/* {"invocationId":"",  "applicationArn":"",  "records":[  ]} */
#define EMPTY_EVENT_FIXED ((size_t)(16 + 2 + 18 + 2 + 12 + 2))

struct cursor {
    uint8_t *p;
    size_t left;
};

/* Takes up to n bytes; returns how many were taken. */
static size_t take(struct cursor *c, size_t n, uint8_t **out)
{
    if (n > c->left)
        n = c->left;
    *out = c->p;
    c->p += n;
    c->left -= n;
    return n;
}

static uint64_t take_le(struct cursor *c, size_t n)
{
    uint8_t *p;
    size_t got = take(c, n, &p);
    uint64_t v = 0;
    for (size_t i = got; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

struct rec {
    const char *id;
    size_t id_len;
    uint64_t hint;
    const uint8_t *data;
    size_t data_len;
};

/* What JSON escaping makes of s, counted independently of event.c. */
static size_t escaped_len(const char *s, size_t n)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\' || ch == '\b' || ch == '\f' || ch == '\n' || ch == '\r' ||
            ch == '\t')
            len += 2;
        else
            len += ch < 0x20 ? 6 : 1;
    }
    return len;
}

static void mask_7bit(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] &= 0x7f;
}

static int read_record(struct cursor *c, struct rec *r)
{
    if (c->left == 0)
        return 0;
    uint8_t *p;
    r->id_len = take(c, take_le(c, 1), &p);
    mask_7bit(p, r->id_len);
    r->id = (const char *)p;
    uint64_t sel = take_le(c, 1);
    r->hint = sel >= 0xf0 ? take_le(c, 8) & INT64_MAX : sel;
    r->data_len = take(c, take_le(c, 2), &p);
    r->data = p;
    return 1;
}

static void check_string(json_t *obj, const char *key, const char *want, size_t want_len)
{
    json_t *v = json_object_get(obj, key);
    CHECK(json_is_string(v), "%s is not a string", key);
    CHECK(json_string_length(v) == want_len, "%s: length %zu, want %zu", key,
          json_string_length(v), want_len);
    CHECK(memcmp(json_string_value(v), want, want_len) == 0, "%s differs", key);
}

static void check_record(json_t *j, const struct rec *r, size_t i)
{
    CHECK(json_is_object(j) && json_object_size(j) == 3, "record %zu: not a 3-key object", i);
    check_string(j, "recordId", r->id, r->id_len);
    json_t *meta = json_object_get(j, "lambdaDeliveryRecordMetadata");
    CHECK(json_is_object(meta) && json_object_size(meta) == 1, "record %zu: bad metadata", i);
    json_t *hint = json_object_get(meta, "retryHint");
    CHECK(json_is_integer(hint), "record %zu: retryHint not an integer", i);
    CHECK((uint64_t)json_integer_value(hint) == r->hint, "record %zu: hint %lld, want %llu", i,
          (long long)json_integer_value(hint), (unsigned long long)r->hint);
    json_t *d = json_object_get(j, "data");
    CHECK(json_is_string(d), "record %zu: data not a string", i);
    size_t n = json_string_length(d), got = 0;
    uint8_t *back = malloc(n / 4 * 3 + 1);
    CHECK(kdo_base64_decode(back, &got, json_string_value(d), n) == 0, "record %zu: bad base64",
          i);
    CHECK(got == r->data_len && memcmp(back, r->data, got) == 0, "record %zu: data differs", i);
    free(back);
}

static void check_event(const struct kdo_buf *b, const char *arn, const struct rec *recs,
                        size_t n)
{
    json_error_t err;
    json_t *root = json_loadb(b->data, b->len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
    CHECK(root != NULL, "event does not parse: %s at %d", err.text, err.position);
    CHECK(json_object_size(root) == 3, "event has %zu keys", json_object_size(root));
    check_string(root, "invocationId", INVOCATION_ID, strlen(INVOCATION_ID));
    check_string(root, "applicationArn", arn, strlen(arn));
    json_t *records = json_object_get(root, "records");
    CHECK(json_is_array(records) && json_array_size(records) == n, "records: want %zu", n);
    for (size_t i = 0; i < n; i++)
        check_record(json_array_get(records, i), &recs[i], i);
    json_decref(root);
}

/* Adds r and checks the verdict and the byte count against the prediction. */
static int add_checked(struct kdo_event *ev, const struct rec *r)
{
    size_t before = ev->out->len;
    size_t want = kdo_event_record_size(escaped_len(r->id, r->id_len), r->hint, r->data_len) -
                  (ev->count == 0);
    int err = kdo_event_add(ev, r->id, r->id_len, r->hint, r->data, r->data_len);
    int fits = before + want + 2 <= ev->limit;
    CHECK(err == (fits ? 0 : KDO_ETOOBIG), "add returned %d; %zu + %zu + 2 vs limit %zu", err,
          before, want, ev->limit);
    CHECK(ev->out->len - before == (err ? 0 : want), "added %zu bytes, predicted %zu",
          ev->out->len - before, err ? (size_t)0 : want);
    return err == 0;
}

static void run(uint8_t *input, size_t size)
{
    struct cursor c = {input, size};
    size_t limit = (size_t)take_le(&c, 2);
    uint8_t *p;
    size_t arn_len = take(&c, take_le(&c, 1), &p);
    char arn[256];
    memcpy(arn, p, arn_len);
    mask_7bit((uint8_t *)arn, arn_len);
    for (size_t i = 0; i < arn_len; i++)
        arn[i] = arn[i] ? arn[i] : '0'; /* a C string: no NUL inside */
    arn[arn_len] = '\0';

    struct kdo_buf b;
    kdo_buf_init(&b, limit);
    struct kdo_event ev;
    int err = kdo_event_begin(&ev, &b, limit, INVOCATION_ID, arn);
    size_t empty = EMPTY_EVENT_FIXED + strlen(INVOCATION_ID) + escaped_len(arn, arn_len);
    CHECK(err == (empty <= limit ? 0 : KDO_ETOOBIG), "begin returned %d; empty %zu, limit %zu",
          err, empty, limit);
    if (err == 0) {
        CHECK(b.len + 2 == empty, "head is %zu bytes, predicted %zu", b.len, empty - 2);
        /* Every record takes at least its id_len byte. */
        struct rec *recs = malloc(sizeof *recs * (size + 1));
        struct rec r;
        while (read_record(&c, &r))
            if (add_checked(&ev, &r))
                recs[ev.count - 1] = r;
        size_t closed = kdo_event_end(&ev);
        CHECK(closed == b.len && closed <= limit, "closed %zu, len %zu, limit %zu", closed, b.len,
              limit);
        check_event(&b, arn, recs, ev.count);
        free(recs);
    }
    kdo_buf_cleanup(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy: ids are masked in place. */
    uint8_t *copy = malloc(size + 1);
    if (size)
        memcpy(copy, data, size);
    run(copy, size);
    free(copy);
    return 0;
}
