/*
 * event.c -- the KDA output event, written straight into a bounded buffer.
 *
 * Invariant: between kdo_event_begin() and kdo_event_end(), out->len + 2 (the
 * closing "]}") never exceeds ev->limit, and room for those two bytes is
 * always reserved, so closing cannot fail.  Each record's exact encoded size
 * is computed before a single byte is written (escaped id length, decimal
 * digits of the hint, padded base64 length), so the limit is checked on the
 * bytes actually produced and a refused record leaves the buffer untouched.
 * Records are written with one reservation and plain stores -- no printf, no
 * allocation per record.  It deliberately does not validate UTF-8 (strings are
 * copied byte for byte, only JSON's mandatory escapes are applied) and does
 * not choose ids or split batches: the caller does, on KDO_ETOOBIG.
 */
#include "delivery/event.h"

#include "base/base64.h"
#include "base/errors.h"
#include "base/kassert.h"

#include <string.h>

#define LIT_LEN(s) (sizeof(s) - 1)

#define HEAD_INVOCATION "{\"invocationId\":"
#define HEAD_ARN ",\"applicationArn\":"
#define HEAD_RECORDS ",\"records\":["
#define REC_OPEN "{\"recordId\":\""
#define REC_META "\",\"lambdaDeliveryRecordMetadata\":{\"retryHint\":"
#define REC_DATA "},\"data\":\""
#define REC_CLOSE "\"}"
#define TAIL "]}"

/* Bytes of a non-first record besides the id, the digits and the base64. */
#define REC_FIXED \
    (1 + LIT_LEN(REC_OPEN) + LIT_LEN(REC_META) + LIT_LEN(REC_DATA) + LIT_LEN(REC_CLOSE))

/* Extra bytes JSON escaping adds to each byte: 1 for the two-character
 * escapes, 5 for \u00XX, 0 for bytes copied as they are. */
static const unsigned char escape_extra[256] = {
    5, 5, 5, 5, 5, 5, 5, 5, 1, 1, 1, 5, 1, 1, 5, 5, /* \b \t \n \f \r */
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' */
};

static size_t escaped_extra(const char *s, size_t n)
{
    size_t extra = 0;
    for (size_t i = 0; i < n; i++)
        extra += escape_extra[(unsigned char)s[i]];
    return extra;
}

/* Writes s escaped (no quotes); must produce n + escaped_extra(s, n) bytes. */
static char *put_escaped(char *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (escape_extra[c]) {
        case 0:
            *o++ = (char)c;
            break;
        case 1:
            *o++ = '\\';
            *o++ = c == '\b' ? 'b' : c == '\t' ? 't' : c == '\n' ? 'n' :
                   c == '\f' ? 'f' : c == '\r' ? 'r' : (char)c;
            break;
        default:
            memcpy(o, "\\u00", 4);
            o[4] = hex[c >> 4];
            o[5] = hex[c & 15];
            o += 6;
        }
    }
    return o;
}

/* The common case (decimal or GUID ids) is a plain copy. */
static char *put_json_chars(char *o, const char *s, size_t n, size_t extra)
{
    if (extra == 0) {
        memcpy(o, s, n);
        return o + n;
    }
    return put_escaped(o, s, n);
}

static char *put_lit(char *o, const char *lit, size_t n)
{
    memcpy(o, lit, n);
    return o + n;
}
#define PUT_LIT(o, lit) put_lit((o), (lit), LIT_LEN(lit))

static size_t u64_digits(uint64_t v)
{
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

/* Writes exactly `digits` == u64_digits(v) characters, last digit first. */
static char *put_u64(char *o, uint64_t v, size_t digits)
{
    char *p = o + digits;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return o + digits;
}

/* A quoted, escaped string of the head. */
static char *put_json_string(char *o, const char *s, size_t n, size_t extra)
{
    *o++ = '"';
    o = put_json_chars(o, s, n, extra);
    *o++ = '"';
    return o;
}

int kdo_event_begin(struct kdo_event *ev, struct kdo_buf *out, size_t limit,
                    const char *invocation_id, const char *application_arn)
{
    ev->out = out;
    ev->limit = 0; /* until the head is written, every kdo_event_add() fails */
    ev->count = 0;
    kdo_buf_reset(out);
    size_t inv_len = strlen(invocation_id), arn_len = strlen(application_arn);
    if (inv_len > limit || arn_len > limit)
        return KDO_ETOOBIG;
    size_t inv_extra = escaped_extra(invocation_id, inv_len);
    size_t arn_extra = escaped_extra(application_arn, arn_len);
    size_t head = LIT_LEN(HEAD_INVOCATION) + inv_len + inv_extra + 2 + LIT_LEN(HEAD_ARN) +
                  arn_len + arn_extra + 2 + LIT_LEN(HEAD_RECORDS);
    if (limit < LIT_LEN(TAIL) || head > limit - LIT_LEN(TAIL))
        return KDO_ETOOBIG;
    int err = kdo_buf_reserve(out, head + LIT_LEN(TAIL));
    if (err)
        return err;
    char *o = out->data;
    o = PUT_LIT(o, HEAD_INVOCATION);
    o = put_json_string(o, invocation_id, inv_len, inv_extra);
    o = PUT_LIT(o, HEAD_ARN);
    o = put_json_string(o, application_arn, arn_len, arn_extra);
    o = PUT_LIT(o, HEAD_RECORDS);
    out->len = head;
    out->data[head] = '\0';
    ev->limit = limit;
    return 0;
}

/* Bytes of a record given its id's escaped length and its hint's digits. */
static size_t record_bytes(size_t id_out, size_t digits, size_t data_len)
{
    return REC_FIXED + id_out + digits + kdo_base64_len(data_len);
}

static char *put_record(char *o, const char *id, size_t id_len, size_t id_extra,
                        uint64_t hint, size_t digits, const void *data, size_t data_len)
{
    o = PUT_LIT(o, REC_OPEN);
    o = put_json_chars(o, id, id_len, id_extra);
    o = PUT_LIT(o, REC_META);
    o = put_u64(o, hint, digits);
    o = PUT_LIT(o, REC_DATA);
    o += kdo_base64_encode(o, data, data_len);
    return PUT_LIT(o, REC_CLOSE);
}

int kdo_event_add(struct kdo_event *ev, const char *record_id, size_t id_len,
                  uint64_t retry_hint, const void *data, size_t data_len)
{
    struct kdo_buf *b = ev->out;
    /* Bounds the sums below: no part of a record can exceed the limit. */
    if (id_len > ev->limit || data_len > ev->limit)
        return KDO_ETOOBIG;
    size_t id_extra = escaped_extra(record_id, id_len);
    size_t digits = u64_digits(retry_hint);
    size_t comma = ev->count ? 1 : 0;
    size_t n = record_bytes(id_len + id_extra, digits, data_len) - 1 + comma;
    if (b->len + LIT_LEN(TAIL) > ev->limit || n > ev->limit - b->len - LIT_LEN(TAIL))
        return KDO_ETOOBIG;
    int err = kdo_buf_reserve(b, n + LIT_LEN(TAIL));
    if (err)
        return err;
    char *o = b->data + b->len;
    if (comma)
        *o++ = ',';
    put_record(o, record_id, id_len, id_extra, retry_hint, digits, data, data_len);
    b->len += n;
    b->data[b->len] = '\0';
    ev->count++;
    KDO_ASSERT(b->len + LIT_LEN(TAIL) <= ev->limit);
    return 0;
}

size_t kdo_event_end(struct kdo_event *ev)
{
    struct kdo_buf *b = ev->out;
    /* Room was reserved by kdo_event_begin() and every kdo_event_add(); a
     * failed begin left limit 0, so closing its event is a bug. */
    KDO_ASSERT(b->len + LIT_LEN(TAIL) <= ev->limit && b->len + LIT_LEN(TAIL) < b->cap);
    memcpy(b->data + b->len, TAIL, LIT_LEN(TAIL));
    b->len += LIT_LEN(TAIL);
    b->data[b->len] = '\0';
    return b->len;
}

size_t kdo_event_record_size(size_t id_len, uint64_t retry_hint, size_t data_len)
{
    return record_bytes(id_len, u64_digits(retry_hint), data_len);
}
