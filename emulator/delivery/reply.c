/*
 * reply.c -- the judge of reply.h: which records one invocation delivered.
 *
 * The rules of reply.h (CONTRACT.md §2) in one pass over the body: the strict
 * scanner of json.c hands out tokens, the judge follows the one shape it cares
 * about ({"records":[{"recordId":..,"result":..},..]}) and has the scanner
 * skip (and still check) everything else.  Sent ids sit in an open-addressing
 * table kept in struct kdo_reply and rebuilt per call, so a reply of any size
 * costs one scan plus one lookup per entry and no allocation once the judge
 * has seen its largest batch.  Invariant: every sent record gets exactly one
 * verdict, and if the body turns out not to be strict JSON anywhere -- even
 * after the last entry -- every record is BAD_BODY.  It does not decide what
 * happens next (retries belong to delivery.c) and never reads headers other
 * than the X-Amz-Function-Error value it is given.
 */
#include "delivery/reply.h"

#include "base/errors.h"
#include "base/hash.h"
#include "base/json.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A verdict not yet given: the record has had no entry so far. */
#define UNSEEN 0xff
#define MIN_SLOTS 16

/* One sent id: 1 + its index (0 marks a free slot) and 32 bits of its hash. */
struct slot {
    uint32_t hash;
    uint32_t idx1;
};

struct kdo_reply {
    struct kdo_json *json;
    struct slot *slots;
    size_t alloc; /* slots allocated */
    size_t used;  /* slots in use for the current call (a power of two) */
};

/* What one entry of "records" said, gathered before it is judged. */
struct entry {
    size_t index; /* its position in "records" */
    bool has_id;  /* a string recordId that was sent */
    bool unknown; /* a string recordId that was not sent */
    size_t id;    /* the sent index, when has_id */
    enum { RESULT_NONE, RESULT_OK, RESULT_FAILED, RESULT_BAD } result;
    char id_shown[64];     /* the unknown id, for the detail */
    char result_shown[64]; /* the bad result, for the detail */
};

/* The state of one judging pass. */
struct pass {
    struct kdo_reply *r;
    const struct kdo_str *ids;
    size_t n;
    uint8_t *verdicts;
    struct kdo_reply_summary *sum;
};

static bool same(const struct kdo_str *a, const char *s, size_t n)
{
    return a->n == n && (n == 0 || memcmp(a->p, s, n) == 0);
}

static bool is_key(const struct kdo_json_tok *t, const char *name)
{
    size_t n = strlen(name);
    return t->len == n && memcmp(t->s, name, n) == 0;
}

/* Quotes s for a detail sentence: printable ASCII as is, the rest as \xNN,
 * shortened to fit `size`. */
static const char *show(const char *s, size_t n, char *out, size_t size)
{
    size_t o = 0, room = size - 8;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (o >= room) {
            memcpy(out + o, "...", 4);
            return out;
        }
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
    }
    out[o] = '\0';
    return out;
}

static void say(struct kdo_reply_summary *sum, bool overwrite, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes the detail sentence unless one is there already (first problem
 * wins) or `overwrite` (a whole-body failure trumps per-entry problems). */
static void say(struct kdo_reply_summary *sum, bool overwrite, const char *fmt, ...)
{
    if (sum->detail[0] && !overwrite)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sum->detail, sizeof sum->detail, fmt, ap);
    va_end(ap);
}

/* ---- the table of sent ids ------------------------------------------------ */

struct kdo_reply *kdo_reply_new(void)
{
    struct kdo_reply *r = kdo_xcalloc(1, sizeof *r);
    r->json = kdo_json_new(KDO_REPLY_MAX_DEPTH, KDO_MAX_REPLY_BYTES);
    return r;
}

void kdo_reply_free(struct kdo_reply *r)
{
    if (r == NULL)
        return;
    kdo_json_free(r->json);
    free(r->slots);
    free(r);
}

/* The sent index of id s/n (hash h), or -1. */
static long lookup_hashed(const struct kdo_reply *r, const struct kdo_str *ids, uint64_t h,
                          const char *s, size_t n)
{
    size_t mask = r->used - 1;
    for (size_t i = (size_t)h & mask; r->slots[i].idx1; i = (i + 1) & mask) {
        const struct slot *sl = &r->slots[i];
        if (sl->hash == (uint32_t)(h >> 32) && same(&ids[sl->idx1 - 1], s, n))
            return (long)sl->idx1 - 1;
    }
    return -1;
}

static long lookup(const struct kdo_reply *r, const struct kdo_str *ids, const char *s, size_t n)
{
    return lookup_hashed(r, ids, kdo_hash_bytes(s, n), s, n);
}

/* Fills the table with the n sent ids; KDO_EINVAL if two are equal. */
static int index_ids(struct kdo_reply *r, const struct kdo_str *ids, size_t n)
{
    size_t used = MIN_SLOTS;
    while (used < 2 * n)
        used *= 2;
    if (r->alloc < used) {
        r->slots = kdo_xrealloc(r->slots, used * sizeof *r->slots);
        r->alloc = used;
    }
    r->used = used;
    memset(r->slots, 0, used * sizeof *r->slots);
    for (size_t k = 0; k < n; k++) {
        if (ids[k].p == NULL && ids[k].n > 0)
            return KDO_EINVAL;
        /* one probe both finds an equal id and the free slot after it */
        uint64_t h = kdo_hash_bytes(ids[k].p, ids[k].n);
        size_t i = (size_t)h & (used - 1);
        for (; r->slots[i].idx1; i = (i + 1) & (used - 1))
            if (r->slots[i].hash == (uint32_t)(h >> 32) &&
                same(&ids[r->slots[i].idx1 - 1], ids[k].p, ids[k].n))
                return KDO_EINVAL;
        r->slots[i] = (struct slot){(uint32_t)(h >> 32), (uint32_t)(k + 1)};
    }
    return 0;
}

/* ---- verdicts ------------------------------------------------------------- */

static void tally(struct pass *ps)
{
    struct kdo_reply_summary *sum = ps->sum;
    for (size_t i = 0; i < ps->n; i++)
        sum->count[ps->verdicts[i]]++;
    sum->ok = sum->count[KDO_REASON_OK];
    sum->failed = ps->n - sum->ok;
}

/* Every record fails for one reason; the per-entry figures are cleared. */
static void fail_all(struct pass *ps, enum kdo_reason why)
{
    struct kdo_reply_summary *sum = ps->sum;
    if (ps->n)
        memset(ps->verdicts, why, ps->n);
    sum->whole = why;
    sum->entries = sum->idless_entries = sum->unknown_entries = 0;
    memset(sum->count, 0, sizeof sum->count);
    tally(ps);
}

/* Records without an entry, once the whole body has been read. */
static void unanswered(struct pass *ps)
{
    struct kdo_reply_summary *sum = ps->sum;
    enum kdo_reason why = sum->idless_entries    ? KDO_REASON_NO_RECORD_ID
                          : sum->unknown_entries ? KDO_REASON_ID_NOT_SENT
                                                 : KDO_REASON_NOT_RETURNED;
    size_t missing = 0, first = 0;
    for (size_t i = 0; i < ps->n; i++)
        if (ps->verdicts[i] == UNSEEN) {
            if (missing++ == 0)
                first = i;
            ps->verdicts[i] = (uint8_t)why;
        }
    if (missing) {
        char id[64];
        say(sum, false, "%zu of %zu records not answered, the first recordId \"%s\"", missing,
            ps->n, show(ps->ids[first].p, ps->ids[first].n, id, sizeof id));
    }
}

/* The sent id of an entry, quoted for a detail sentence (only on problems:
 * quoting costs more than judging an Ok). */
static const char *sent_id(const struct pass *ps, const struct entry *e, char *out, size_t size)
{
    return show(ps->ids[e->id].p, ps->ids[e->id].n, out, size);
}

static enum kdo_reason entry_verdict(struct pass *ps, const struct entry *e)
{
    char id[64];
    if (ps->verdicts[e->id] != UNSEEN) {
        say(ps->sum, false, "records[%zu]: recordId \"%s\" answered twice", e->index,
            sent_id(ps, e, id, sizeof id));
        return KDO_REASON_DUPLICATE_ID;
    }
    if (e->result == RESULT_OK)
        return KDO_REASON_OK;
    if (ps->sum->detail[0])
        return e->result == RESULT_FAILED ? KDO_REASON_DELIVERY_FAILED
               : e->result == RESULT_NONE ? KDO_REASON_NO_RESULT
                                          : KDO_REASON_BAD_RESULT;
    sent_id(ps, e, id, sizeof id);
    switch (e->result) {
    case RESULT_FAILED:
        say(ps->sum, false, "records[%zu]: recordId \"%s\" answered DeliveryFailed", e->index, id);
        return KDO_REASON_DELIVERY_FAILED;
    case RESULT_NONE:
        say(ps->sum, false, "records[%zu]: recordId \"%s\" has no result", e->index, id);
        return KDO_REASON_NO_RESULT;
    case RESULT_BAD:
    default:
        say(ps->sum, false,
            "records[%zu]: recordId \"%s\": result %s is not \"Ok\" or "
            "\"DeliveryFailed\"",
            e->index, id, e->result_shown);
        return KDO_REASON_BAD_RESULT;
    }
}

static void judge_entry(struct pass *ps, const struct entry *e)
{
    struct kdo_reply_summary *sum = ps->sum;
    sum->entries++;
    if (e->unknown) {
        sum->unknown_entries++;
        say(sum, false, "records[%zu]: recordId \"%s\" was not sent", e->index, e->id_shown);
    } else if (!e->has_id) {
        sum->idless_entries++;
        say(sum, false, "records[%zu] has no string recordId", e->index);
    } else {
        ps->verdicts[e->id] = (uint8_t)entry_verdict(ps, e);
    }
}

/* ---- the body ------------------------------------------------------------- */

/* A refusal of the body's shape (it is JSON so far, but not a reply). */
static int shape(struct pass *ps, size_t offset, const char *what)
{
    say(ps->sum, true, "reply body: %s (byte %zu)", what, offset);
    return KDO_ESCHEMA;
}

static int read_id(struct pass *ps, struct entry *e)
{
    struct kdo_json_tok v;
    int err = kdo_json_next(ps->r->json, &v);
    if (err || v.type != KDO_JSON_STRING)
        return err ? err : kdo_json_skip(ps->r->json, &v);
    long id = lookup(ps->r, ps->ids, v.s, v.len);
    if (id >= 0) {
        e->has_id = true;
        e->id = (size_t)id;
    } else {
        e->unknown = true;
        show(v.s, v.len, e->id_shown, sizeof e->id_shown);
    }
    return 0;
}

static int read_result(struct pass *ps, struct entry *e)
{
    struct kdo_json_tok v;
    int err = kdo_json_next(ps->r->json, &v);
    if (err)
        return err;
    if (v.type != KDO_JSON_STRING) {
        e->result = RESULT_BAD;
        snprintf(e->result_shown, sizeof e->result_shown, "(not a string)");
        return kdo_json_skip(ps->r->json, &v);
    }
    if (is_key(&v, KDO_RESULT_OK)) {
        e->result = RESULT_OK;
    } else if (is_key(&v, KDO_RESULT_DELIVERY_FAILED)) {
        e->result = RESULT_FAILED;
    } else {
        char s[48];
        e->result = RESULT_BAD;
        snprintf(e->result_shown, sizeof e->result_shown, "\"%s\"", show(v.s, v.len, s, sizeof s));
    }
    return 0;
}

/* One entry, its '{' just read. */
static int read_entry(struct pass *ps, size_t index)
{
    struct entry e = {.index = index, .result = RESULT_NONE};
    struct kdo_json_tok t;
    int err;
    while ((err = kdo_json_next(ps->r->json, &t)) == 0 && t.type == KDO_JSON_KEY) {
        if (is_key(&t, "recordId"))
            err = read_id(ps, &e);
        else if (is_key(&t, "result"))
            err = read_result(ps, &e);
        else
            err = kdo_json_skip(ps->r->json, &t);
        if (err)
            return err;
    }
    if (err == 0)
        judge_entry(ps, &e);
    return err;
}

/* The value of "records", its key just read. */
static int read_records(struct pass *ps)
{
    struct kdo_json_tok t;
    int err = kdo_json_next(ps->r->json, &t);
    if (err)
        return err;
    if (t.type != KDO_JSON_ARRAY)
        return shape(ps, t.offset, "\"records\" is not an array");
    for (size_t i = 0;; i++) {
        if ((err = kdo_json_next(ps->r->json, &t)) != 0)
            return err;
        if (t.type == KDO_JSON_ARRAY_END)
            return 0;
        if (t.type != KDO_JSON_OBJECT) {
            char what[64];
            snprintf(what, sizeof what, "records[%zu] is not an object", i);
            return shape(ps, t.offset, what);
        }
        if ((err = read_entry(ps, i)) != 0)
            return err;
    }
}

/* The whole body; 0 if it had the shape of a reply and was strict JSON. */
static int read_body(struct pass *ps, const struct kdo_reply_in *in)
{
    struct kdo_json *j = ps->r->json;
    struct kdo_json_tok t;
    bool records = false;
    int err = kdo_json_reset(j, in->body, in->body_len);
    if (err == 0)
        err = kdo_json_next(j, &t);
    if (err)
        return err;
    if (t.type != KDO_JSON_OBJECT)
        return shape(ps, t.offset, "not a JSON object");
    while ((err = kdo_json_next(j, &t)) == 0 && t.type == KDO_JSON_KEY) {
        if (is_key(&t, "records")) {
            records = true;
            err = read_records(ps);
        } else {
            err = kdo_json_skip(j, &t);
        }
        if (err)
            return err;
    }
    if (err == 0)
        err = kdo_json_next(j, &t); /* only whitespace may follow */
    if (err == 0 && !records)
        return shape(ps, 0, "no \"records\" key in the object");
    return err;
}

static void judge_body(struct pass *ps, const struct kdo_reply_in *in)
{
    if (ps->n)
        memset(ps->verdicts, UNSEEN, ps->n);
    int err = read_body(ps, in);
    if (err == 0) {
        unanswered(ps);
        tally(ps);
        return;
    }
    const struct kdo_json_error *je = kdo_json_error(ps->r->json);
    if (err != KDO_ESCHEMA && je)
        say(ps->sum, true, "reply body is not strict JSON: %s at byte %zu", je->msg, je->offset);
    fail_all(ps, KDO_REASON_BAD_BODY);
}

/* ---- whole-invocation failures -------------------------------------------- */

/* The errorType of a function error body, read leniently: the first
 * top-level "errorType" string decides, whatever follows it.  Writes it to
 * out (shown) and returns true if found. */
static bool error_type(struct kdo_reply *r, const struct kdo_reply_in *in, char *out, size_t size,
                       bool *timedout)
{
    struct kdo_json_tok t;
    struct kdo_json *j = r->json;
    if (kdo_json_reset(j, in->body, in->body_len) || kdo_json_next(j, &t) ||
        t.type != KDO_JSON_OBJECT)
        return false;
    while (kdo_json_next(j, &t) == 0 && t.type == KDO_JSON_KEY) {
        if (!is_key(&t, "errorType")) {
            if (kdo_json_skip(j, &t))
                return false;
            continue;
        }
        if (kdo_json_next(j, &t) || t.type != KDO_JSON_STRING)
            return false;
        *timedout = t.len == 16 && memcmp(t.s, "Sandbox.Timedout", 16) == 0;
        show(t.s, t.len, out, size);
        return true;
    }
    return false;
}

/* An AWS error type names a refused signature or unknown credentials:
 * "InvalidSignatureException", also as "...#InvalidSignatureException"
 * (a body's __type) or "InvalidSignatureException:http://..." (the header). */
static bool signing_type(const char *s, size_t n)
{
    static const char *const names[] = {"InvalidSignatureException",
                                        "UnrecognizedClientException"};
    const char *hash = memchr(s, '#', n), *colon;
    if (hash)
        n -= (size_t)(hash + 1 - s), s = hash + 1;
    if ((colon = memchr(s, ':', n)) != NULL)
        n = (size_t)(colon - s);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (n == strlen(names[i]) && memcmp(s, names[i], n) == 0)
            return true;
    return false;
}

/* A 403 whose X-Amzn-ErrorType, or whose body's top-level "__type", "code"
 * or "Type", names a signing or credentials error; the name goes to out. */
static bool signing_refused(struct kdo_reply *r, const struct kdo_reply_in *in, char *out,
                            size_t size)
{
    struct kdo_json_tok t;
    struct kdo_json *j = r->json;
    if (in->status != 403)
        return false;
    if (in->error_type && signing_type(in->error_type, strlen(in->error_type)))
        return show(in->error_type, strcspn(in->error_type, ":"), out, size), true;
    if (kdo_json_reset(j, in->body, in->body_len) || kdo_json_next(j, &t) ||
        t.type != KDO_JSON_OBJECT)
        return false;
    while (kdo_json_next(j, &t) == 0 && t.type == KDO_JSON_KEY) {
        bool wanted = is_key(&t, "__type") || is_key(&t, "code") || is_key(&t, "Type");
        if (kdo_json_next(j, &t))
            return false;
        if (wanted && t.type == KDO_JSON_STRING && signing_type(t.s, t.len))
            return show(t.s, t.len, out, size), true;
        if (t.type == KDO_JSON_OBJECT || t.type == KDO_JSON_ARRAY)
            if (kdo_json_skip(j, &t))
                return false;
    }
    return false;
}

static enum kdo_reason function_error(struct kdo_reply *r, const struct kdo_reply_in *in,
                                      struct kdo_reply_summary *sum)
{
    char header[64], type[64];
    bool timedout = false;
    show(in->function_error, strlen(in->function_error), header, sizeof header);
    if (!error_type(r, in, type, sizeof type, &timedout)) {
        say(sum, true, "function error (X-Amz-Function-Error: %s), no errorType string in the body",
            header);
        return KDO_REASON_FUNCTION_ERROR;
    }
    say(sum, true, "function error (X-Amz-Function-Error: %s), errorType \"%s\"", header, type);
    return timedout ? KDO_REASON_FUNCTION_TIMEOUT : KDO_REASON_FUNCTION_ERROR;
}

/* The reason that fails every record before the body is judged, or OK. */
static enum kdo_reason whole_reason(struct kdo_reply *r, const struct kdo_reply_in *in,
                                    struct kdo_reply_summary *sum)
{
    if (in->outcome == KDO_TRANSPORT_FAILED && in->body_len > KDO_MAX_REPLY_BYTES) {
        say(sum, true, "reply too large: more than %zu bytes came back", KDO_MAX_REPLY_BYTES);
        return KDO_REASON_REPLY_TOO_LARGE;
    }
    if (in->outcome == KDO_TRANSPORT_FAILED) {
        say(sum, true, "the request failed at the transport level");
        return KDO_REASON_TRANSPORT_ERROR;
    }
    if (in->outcome == KDO_TRANSPORT_TIMEDOUT) {
        say(sum, true, "no complete reply within the invocation timeout");
        return KDO_REASON_TRANSPORT_TIMEOUT;
    }
    char type[64];
    if (signing_refused(r, in, type, sizeof type)) {
        say(sum, true, "signing or credentials refused: HTTP 403 %s -- check the AWS credentials, "
                       "region and clock; the function was not called", type);
        return KDO_REASON_SIGNATURE_REFUSED;
    }
    if (in->status != 200) {
        say(sum, true, "the Invoke API answered HTTP status %d", in->status);
        return KDO_REASON_HTTP_STATUS;
    }
    if (in->function_error)
        return function_error(r, in, sum);
    return KDO_REASON_OK;
}

int kdo_reply_judge(struct kdo_reply *r, const struct kdo_reply_in *in, const struct kdo_str *ids,
                    size_t n, uint8_t *verdicts, struct kdo_reply_summary *sum)
{
    if (r == NULL || in == NULL || sum == NULL || (n > 0 && (ids == NULL || verdicts == NULL)) ||
        n >= UINT32_MAX / 2 || (in->body == NULL && in->body_len > 0) ||
        (unsigned)in->outcome > KDO_TRANSPORT_TIMEDOUT)
        return KDO_EINVAL;
    int err = index_ids(r, ids, n);
    if (err)
        return err;
    memset(sum, 0, sizeof *sum);
    struct pass ps = {.r = r, .ids = ids, .n = n, .verdicts = verdicts, .sum = sum};
    enum kdo_reason whole = whole_reason(r, in, sum);
    if (whole != KDO_REASON_OK)
        fail_all(&ps, whole);
    else
        judge_body(&ps, in);
    return 0;
}
