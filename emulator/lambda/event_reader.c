/*
 * event_reader.c -- one pass of the strict scanner over a KDA output event.
 *
 * Strings are copied into one arena because the scanner's unescaped strings
 * only live until its next token; the views into the arena are fixed up once
 * the pass is over (the arena may move while it grows).
 */
#include "lambda/event_reader.h"

#include "base/base64.h"
#include "base/buf.h"
#include "base/errors.h"
#include "base/json.h"
#include "delivery/contract.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct span {
    size_t off, len;
};

struct kdo_event_reader {
    struct kdo_json *json;
    struct kdo_buf arena;
    size_t n, cap;
    struct span *id_spans, *data_spans;
    struct kdo_str *ids, *data;
    uint64_t *hints;
    struct span invocation_id;
};

struct kdo_event_reader *kdo_event_reader_new(void)
{
    struct kdo_event_reader *r = kdo_xcalloc(1, sizeof *r);
    r->json = kdo_json_new(64, KDO_MAX_EVENT_BYTES * 2);
    kdo_buf_init(&r->arena, KDO_MAX_EVENT_BYTES * 2);
    return r;
}

void kdo_event_reader_free(struct kdo_event_reader *r)
{
    if (r == NULL)
        return;
    kdo_json_free(r->json);
    kdo_buf_cleanup(&r->arena);
    free(r->id_spans);
    free(r->data_spans);
    free(r->ids);
    free(r->data);
    free(r->hints);
    free(r);
}

static int say(char *why, size_t n, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int say(char *why, size_t n, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return err;
}

static void grow(struct kdo_event_reader *r)
{
    if (r->n < r->cap)
        return;
    r->cap = r->cap ? r->cap * 2 : 256;
    r->id_spans = kdo_xrealloc(r->id_spans, r->cap * sizeof *r->id_spans);
    r->data_spans = kdo_xrealloc(r->data_spans, r->cap * sizeof *r->data_spans);
    r->ids = kdo_xrealloc(r->ids, r->cap * sizeof *r->ids);
    r->data = kdo_xrealloc(r->data, r->cap * sizeof *r->data);
    r->hints = kdo_xrealloc(r->hints, r->cap * sizeof *r->hints);
}

static int keep(struct kdo_event_reader *r, const char *s, size_t n, struct span *out)
{
    out->off = r->arena.len;
    out->len = n;
    return kdo_buf_append(&r->arena, s, n);
}

struct pass {
    struct kdo_event_reader *r;
    int decode;
    char *why;
    size_t why_size;
};

static int next(struct pass *p, struct kdo_json_tok *t)
{
    int err = kdo_json_next(p->r->json, t);
    if (err) {
        const struct kdo_json_error *e = kdo_json_error(p->r->json);
        return say(p->why, p->why_size, KDO_EPARSE, "body is not JSON: %s at byte %zu",
                   e ? e->msg : kdo_strerror(err), e ? e->offset : 0);
    }
    return 0;
}

static int skip(struct pass *p, struct kdo_json_tok *t)
{
    if (kdo_json_skip(p->r->json, t) != 0)
        return next(p, t); /* reports the sticky error */
    return 0;
}

static int key_is(const struct kdo_json_tok *t, const char *name)
{
    return t->len == strlen(name) && memcmp(t->s, name, t->len) == 0;
}

/* Digits only, no overflow (the scanner has checked the number's grammar). */
static int parse_u64(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 20)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9 || v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int read_hint(struct pass *p, uint64_t *hint)
{
    struct kdo_json_tok t;
    int err = next(p, &t), seen = 0;
    if (err || t.type != KDO_JSON_OBJECT)
        return err ? err : say(p->why, p->why_size, KDO_ESCHEMA, "lambdaDeliveryRecordMetadata is not an object");
    while ((err = next(p, &t)) == 0 && t.type == KDO_JSON_KEY) {
        if (!key_is(&t, "retryHint")) {
            if ((err = skip(p, &t)))
                return err;
            continue;
        }
        if ((err = next(p, &t)))
            return err;
        if (t.type != KDO_JSON_NUMBER || parse_u64(t.s, t.len, hint) != 0)
            return say(p->why, p->why_size, KDO_ESCHEMA, "retryHint is not a whole number");
        seen = 1;
    }
    if (err == 0 && !seen)
        return say(p->why, p->why_size, KDO_ESCHEMA, "a record has no retryHint");
    return err;
}

static int read_data(struct pass *p, const struct kdo_json_tok *t, struct span *out)
{
    struct kdo_event_reader *r = p->r;
    if (!p->decode) {
        *out = (struct span){r->arena.len, 0};
        return 0;
    }
    int err = kdo_buf_reserve(&r->arena, t->len / 4 * 3 + 3);
    size_t n = 0;
    if (err == 0)
        err = kdo_base64_decode(r->arena.data + r->arena.len, &n, t->s, t->len);
    if (err)
        return say(p->why, p->why_size, KDO_ESCHEMA, "a record's data is not base64");
    *out = (struct span){r->arena.len, n};
    r->arena.len += n;
    return 0;
}

static int read_record(struct pass *p)
{
    struct kdo_event_reader *r = p->r;
    struct kdo_json_tok t;
    int err, have = 0;
    grow(r);
    size_t i = r->n;
    while ((err = next(p, &t)) == 0 && t.type == KDO_JSON_KEY) {
        if (key_is(&t, "lambdaDeliveryRecordMetadata")) {
            err = read_hint(p, &r->hints[i]);
            have |= err ? 0 : 2;
        } else if (key_is(&t, "recordId") || key_is(&t, "data")) {
            int is_id = t.s[0] == 'r';
            if ((err = next(p, &t)) == 0 && t.type != KDO_JSON_STRING)
                err = say(p->why, p->why_size, KDO_ESCHEMA, "%s is not a string",
                          is_id ? "recordId" : "data");
            if (err == 0)
                err = is_id ? keep(r, t.s, t.len, &r->id_spans[i]) : read_data(p, &t, &r->data_spans[i]);
            have |= err ? 0 : is_id ? 1 : 4;
        } else {
            err = skip(p, &t);
        }
        if (err)
            return err;
    }
    if (err == 0 && have != 7)
        return say(p->why, p->why_size, KDO_ESCHEMA,
                   "record %zu lacks %s", i, !(have & 1) ? "recordId" : !(have & 2) ? "lambdaDeliveryRecordMetadata" : "data");
    r->n++;
    return err;
}

static int read_records(struct pass *p)
{
    struct kdo_json_tok t;
    int err = next(p, &t);
    if (err == 0 && t.type != KDO_JSON_ARRAY)
        return say(p->why, p->why_size, KDO_ESCHEMA, "records is not an array");
    while (err == 0 && (err = next(p, &t)) == 0 && t.type != KDO_JSON_ARRAY_END) {
        if (t.type != KDO_JSON_OBJECT)
            return say(p->why, p->why_size, KDO_ESCHEMA, "a record is not an object");
        err = read_record(p);
    }
    return err;
}

static int read_top(struct pass *p, int *have)
{
    struct kdo_json_tok t;
    int err = next(p, &t);
    if (err == 0 && t.type != KDO_JSON_OBJECT)
        return say(p->why, p->why_size, KDO_ESCHEMA, "the event is not a JSON object");
    while (err == 0 && (err = next(p, &t)) == 0 && t.type == KDO_JSON_KEY) {
        if (key_is(&t, "records")) {
            err = read_records(p);
            *have |= 1;
        } else if (key_is(&t, "invocationId")) {
            if ((err = next(p, &t)) == 0 && t.type == KDO_JSON_STRING &&
                (err = keep(p->r, t.s, t.len, &p->r->invocation_id)) == 0)
                err = kdo_buf_append(&p->r->arena, "", 1); /* NUL-terminated */
        } else {
            err = skip(p, &t);
        }
    }
    while (err == 0 && t.type != KDO_JSON_END)
        err = next(p, &t); /* the rest must be valid too */
    return err;
}

int kdo_event_reader_read(struct kdo_event_reader *r, const char *body, size_t len, int decode_rows,
                          struct kdo_invocation *inv, char *why, size_t why_size)
{
    struct pass p = {r, decode_rows, why, why_size};
    int have = 0;
    r->n = 0;
    kdo_buf_reset(&r->arena);
    kdo_buf_append(&r->arena, "", 1); /* offset 0 is "" for missing strings */
    r->invocation_id = (struct span){0, 0};
    if (kdo_json_reset(r->json, body, len) != 0)
        return say(why, why_size, KDO_EPARSE, "body of %zu bytes is too large", len);
    int err = read_top(&p, &have);
    if (err)
        return err;
    if (!have)
        return say(why, why_size, KDO_ESCHEMA, "the event has no records array");
    for (size_t i = 0; i < r->n; i++) {
        r->ids[i] = (struct kdo_str){r->arena.data + r->id_spans[i].off, r->id_spans[i].len};
        r->data[i] = (struct kdo_str){r->arena.data + r->data_spans[i].off, r->data_spans[i].len};
    }
    memset(inv, 0, sizeof *inv);
    inv->invocation_id = r->arena.data + r->invocation_id.off;
    inv->event = body;
    inv->event_len = len;
    inv->n = r->n;
    inv->ids = r->ids;
    inv->hints = r->hints;
    inv->data = r->data;
    return 0;
}
