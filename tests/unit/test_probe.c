/*
 * test_probe.c -- the probes of conformance/probe.c: what they send and how
 * their replies are judged.
 *
 * Each probe is driven the way conform.c drives it (next -> reply -> ... ->
 * NULL -> result), answered with bodies built here from the invocation's own
 * recordIds: all Ok, one left out, one DeliveryFailed, or a reply that is
 * not a records object at all.  The invocations themselves are checked
 * against the contract (event size, 56-digit distinct ids, retryHints, the
 * odd rows each probe promises).  No I/O, no clock: `ms` is a number.
 */
#include "probe.h"

#include "base/base64.h"
#include "base/buf.h"
#include "base/errors.h"
#include "delivery/contract.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

static size_t probe_index(const char *name)
{
    for (size_t i = 0; i < kdo_probes_count; i++)
        if (strcmp(kdo_probes[i].name, name) == 0)
            return i;
    ck_abort_msg("no probe named %s", name);
    return 0;
}

/* {"records":[...]} for inv's ids: every record Ok except `omit` (left out)
 * and `df` (DeliveryFailed). */
static void make_body(struct kdo_buf *b, const struct kdo_invocation *inv, size_t omit, size_t df)
{
    int first = 1;
    kdo_buf_reset(b);
    kdo_buf_puts(b, "{\"records\":[");
    for (size_t i = 0; i < inv->n; i++) {
        if (i == omit)
            continue;
        kdo_buf_printf(b, "%s{\"recordId\":\"%.*s\",\"result\":\"%s\"}", first ? "" : ",",
                       (int)inv->ids[i].n, inv->ids[i].p,
                       i == df ? KDO_RESULT_DELIVERY_FAILED : KDO_RESULT_OK);
        first = 0;
    }
    kdo_buf_puts(b, "]}");
}

static void reply_body(struct kdo_probe_run *p, const struct kdo_buf *b, double ms)
{
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, NULL, b->data, b->len, NULL};
    kdo_probe_reply(p, &in, ms);
}

/* Runs probe `index` answering every record Ok; returns the number of sends. */
static size_t run_all_ok(size_t index, uint64_t seed, struct kdo_probe_result *res)
{
    struct kdo_rng rng;
    struct kdo_buf b;
    kdo_rng_init(&rng, seed);
    kdo_buf_init(&b, (size_t)64 << 20);
    struct kdo_probe_run *p = kdo_probe_run_new(index, &rng);
    const struct kdo_invocation *inv;
    size_t sends = 0;
    while ((inv = kdo_probe_next(p)) != NULL && sends < 10) {
        make_body(&b, inv, NONE, NONE);
        reply_body(p, &b, 10.0 * (double)(sends + 1));
        sends++;
    }
    kdo_probe_result(p, res);
    kdo_probe_run_free(p);
    kdo_buf_cleanup(&b);
    return sends;
}

static int cmp_str(const void *a, const void *b)
{
    const struct kdo_str *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* 1 if s[0..n) is well-formed UTF-8 (RFC 3629; NUL is allowed). */
static int is_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            k = 1, cp = c & 0x1F;
        else if (c >= 0xE0 && c <= 0xEF)
            k = 2, cp = c & 0x0F;
        else if (c >= 0xF0 && c <= 0xF4)
            k = 3, cp = c & 0x07;
        else
            return 0;
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* The checks every invocation of every probe must pass. */
static void check_invocation(const struct kdo_invocation *inv, size_t send)
{
    ck_assert_uint_gt(inv->n, 0);
    ck_assert_uint_le(inv->event_len, KDO_MAX_EVENT_BYTES);
    ck_assert_uint_eq(inv->number, send + 1);
    ck_assert_ptr_nonnull(inv->event);
    ck_assert_int_eq(inv->event[0], '{');
    ck_assert_int_eq(inv->event[inv->event_len - 1], '}');
    ck_assert_ptr_nonnull(strstr(inv->event, inv->invocation_id));
    struct kdo_str *sorted = kdo_xmalloc(inv->n * sizeof *sorted);
    for (size_t i = 0; i < inv->n; i++) {
        ck_assert_uint_eq(inv->ids[i].n, 56);
        for (size_t k = 0; k < 56; k++)
            ck_assert_msg(inv->ids[i].p[k] >= '0' && inv->ids[i].p[k] <= '9',
                          "record %zu id %.56s: not a digit at %zu", i, inv->ids[i].p, k);
        ck_assert_uint_eq(inv->hints[i], inv->hints[0]);
        sorted[i] = inv->ids[i];
    }
    qsort(sorted, inv->n, sizeof *sorted, cmp_str);
    for (size_t i = 1; i < inv->n; i++)
        ck_assert_msg(cmp_str(&sorted[i - 1], &sorted[i]) != 0, "id %.56s sent twice",
                      sorted[i].p);
    free(sorted);
    /* The split fields are the event's: the first and last records are in it. */
    size_t ends[2] = {0, inv->n - 1};
    for (int e = 0; e < 2; e++) {
        const struct kdo_str *id = &inv->ids[ends[e]], *d = &inv->data[ends[e]];
        char idq[64];
        snprintf(idq, sizeof idq, "\"%.56s\"", id->p);
        ck_assert_ptr_nonnull(strstr(inv->event, idq));
        char *b64 = kdo_xmalloc(kdo_base64_len(d->n) + 3);
        size_t m = kdo_base64_encode(b64 + 1, d->p, d->n);
        b64[0] = '"';
        b64[m + 1] = '"';
        b64[m + 2] = '\0';
        ck_assert_msg(strstr(inv->event, b64) != NULL, "row %zu's data not in the event",
                      ends[e]);
        free(b64);
    }
}

START_TEST(table_is_complete)
{
    static const char *const names[] = {"one-row", "batch-100", "full-event", "binary-rows",
                                        "empty-rows", "row-512kb", "poison-pill", "redelivery",
                                        "retry-hint"};
    ck_assert_uint_eq(kdo_probes_count, sizeof names / sizeof names[0]);
    for (size_t i = 0; i < kdo_probes_count; i++) {
        ck_assert_str_eq(kdo_probes[i].name, names[i]);
        ck_assert_uint_gt(strlen(kdo_probes[i].title), 0);
        ck_assert_uint_gt(strlen(kdo_probes[i].why), 20);
    }
}
END_TEST

/* Each probe's invocations, answered all Ok: valid, with the promised
 * retryHints and ids, and a PASS. */
START_TEST(invocations_are_valid)
{
    static const int64_t hints[][4] = {
        {0, -1}, {0, -1}, {0, -1}, {0, -1}, {0, -1}, {0, -1}, {0, -1}, {0, 1, 7, -1}, {0, 1000, -1},
    };
    size_t index = (size_t)_i;
    const char *name = kdo_probes[index].name;
    struct kdo_rng rng;
    struct kdo_buf b;
    kdo_rng_init(&rng, 42 + index);
    kdo_buf_init(&b, (size_t)64 << 20);
    struct kdo_probe_run *p = kdo_probe_run_new(index, &rng);
    const struct kdo_invocation *inv;
    size_t sends = 0, first_n = 0;
    char *first_ids = NULL, first_inv_id[37] = "";
    while ((inv = kdo_probe_next(p)) != NULL) {
        ck_assert_msg(sends < 3 && hints[index][sends] >= 0, "%s: too many sends", name);
        check_invocation(inv, sends);
        ck_assert_uint_eq(inv->hints[0], (uint64_t)hints[index][sends]);
        if (sends == 0) {
            first_n = inv->n;
            first_ids = kdo_xmalloc(inv->n * 56);
            for (size_t i = 0; i < inv->n; i++)
                memcpy(first_ids + i * 56, inv->ids[i].p, 56);
            snprintf(first_inv_id, sizeof first_inv_id, "%s", inv->invocation_id);
        } else { /* a resend: same records, in order, under a new invocationId */
            ck_assert_uint_eq(inv->n, first_n);
            for (size_t i = 0; i < inv->n; i++)
                ck_assert_msg(memcmp(first_ids + i * 56, inv->ids[i].p, 56) == 0,
                              "%s send %zu: record %zu has a new id", name, sends + 1, i);
            ck_assert_str_ne(inv->invocation_id, first_inv_id);
        }
        if (strcmp(name, "full-event") == 0)
            ck_assert_uint_ge(inv->event_len, KDO_MAX_EVENT_BYTES - 1000);
        if (strcmp(name, "batch-100") == 0)
            ck_assert_uint_eq(inv->n, 100);
        if (strcmp(name, "one-row") == 0)
            ck_assert_uint_eq(inv->n, 1);
        if (strcmp(name, "row-512kb") == 0) {
            size_t big = 0;
            for (size_t i = 0; i < inv->n; i++)
                big += inv->data[i].n == KDO_MAX_ROW_BYTES;
            ck_assert_uint_eq(big, 1);
        }
        if (strcmp(name, "binary-rows") == 0) {
            size_t bad = 0;
            for (size_t i = 0; i < inv->n; i++)
                bad += !is_utf8((const unsigned char *)inv->data[i].p, inv->data[i].n);
            /* every row but the last, a plain ticker row */
            ck_assert_uint_eq(bad, inv->n - 1);
            ck_assert_int_eq(inv->data[inv->n - 1].p[0], '{');
        }
        if (strcmp(name, "empty-rows") == 0) {
            size_t empty = 0;
            for (size_t i = 0; i < inv->n; i++)
                empty += inv->data[i].n == 0;
            ck_assert_uint_ge(empty, 1);
        }
        make_body(&b, inv, NONE, NONE);
        reply_body(p, &b, 5.0);
        sends++;
    }
    ck_assert_msg(hints[index][sends] == -1, "%s: %zu sends, expected more", name, sends);
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_msg(res.status == KDO_PROBE_PASS, "%s: %d %s", name, res.status, res.summary);
    ck_assert_int_eq(res.transport_failed, 0);
    ck_assert_ptr_nonnull(strstr(res.got, "every record answered"));
    char n_records[32];
    snprintf(n_records, sizeof n_records, "%zu record", first_n);
    ck_assert_msg(strstr(res.sent, n_records) == res.sent, "%s: sent \"%s\"", name, res.sent);
    free(first_ids);
    kdo_probe_run_free(p);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(all_ok_passes_every_probe)
{
    struct kdo_probe_result res;
    size_t sends = run_all_ok((size_t)_i, 7, &res);
    ck_assert_uint_ge(sends, 1);
    ck_assert_int_eq(res.status, KDO_PROBE_PASS);
    ck_assert_int_eq(res.transport_failed, 0);
    ck_assert_double_eq(res.slowest_ms, 10.0 * (double)sends);
}
END_TEST

/* Leaving one record out of the last send's reply fails the probe, says why
 * and shows the body. */
START_TEST(omitted_record_fails)
{
    size_t index = (size_t)_i;
    struct kdo_rng rng;
    struct kdo_buf b;
    struct kdo_probe_result ok;
    size_t sends = run_all_ok(index, 9, &ok);
    kdo_rng_init(&rng, 9);
    kdo_buf_init(&b, (size_t)64 << 20);
    struct kdo_probe_run *p = kdo_probe_run_new(index, &rng);
    const struct kdo_invocation *inv;
    size_t send = 0;
    while ((inv = kdo_probe_next(p)) != NULL) {
        ck_assert_uint_lt(send, sends);
        make_body(&b, inv, send == sends - 1 ? inv->n / 2 : NONE, NONE);
        reply_body(p, &b, 1.0);
        send++;
    }
    ck_assert_uint_eq(send, sends);
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_FAIL);
    ck_assert_int_eq(res.transport_failed, 0);
    ck_assert_msg(strstr(res.summary, kdo_reason_text(KDO_REASON_NOT_RETURNED)) != NULL,
                  "summary: %s", res.summary);
    ck_assert_msg(strstr(res.summary, "1 of ") == res.summary, "summary: %s", res.summary);
    ck_assert_msg(strstr(res.got, "body: {\"records\":[") != NULL, "got: %s", res.got);
    kdo_probe_run_free(p);
    kdo_buf_cleanup(&b);
}
END_TEST

/* A failure at the first send of a resending probe stops it there. */
START_TEST(failure_stops_the_probe)
{
    struct kdo_rng rng;
    struct kdo_buf b;
    kdo_rng_init(&rng, 3);
    kdo_buf_init(&b, (size_t)1 << 20);
    struct kdo_probe_run *p = kdo_probe_run_new(probe_index("redelivery"), &rng);
    const struct kdo_invocation *inv = kdo_probe_next(p);
    ck_assert_ptr_nonnull(inv);
    make_body(&b, inv, 0, NONE);
    reply_body(p, &b, 1.0);
    ck_assert_ptr_null(kdo_probe_next(p));
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_FAIL);
    ck_assert_ptr_nonnull(strstr(res.summary, "send 1"));
    kdo_probe_run_free(p);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(function_error_fails)
{
    static const char body[] = "{\"errorMessage\":\"boom\",\"errorType\":\"Error\"}";
    struct kdo_rng rng;
    kdo_rng_init(&rng, 4);
    struct kdo_probe_run *p = kdo_probe_run_new(probe_index("batch-100"), &rng);
    ck_assert_ptr_nonnull(kdo_probe_next(p));
    struct kdo_reply_in in = {KDO_TRANSPORT_DONE, 200, "Unhandled", body, sizeof body - 1, NULL};
    kdo_probe_reply(p, &in, 12.5);
    ck_assert_ptr_null(kdo_probe_next(p));
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_FAIL);
    ck_assert_int_eq(res.transport_failed, 0);
    ck_assert_double_eq(res.slowest_ms, 12.5);
    ck_assert_msg(strstr(res.summary, "100 of 100") == res.summary, "summary: %s", res.summary);
    ck_assert_ptr_nonnull(strstr(res.summary, kdo_reason_text(KDO_REASON_FUNCTION_ERROR)));
    ck_assert_ptr_nonnull(strstr(res.got, "X-Amz-Function-Error: Unhandled"));
    ck_assert_ptr_nonnull(strstr(res.got, "boom"));
    kdo_probe_run_free(p);
}
END_TEST

START_TEST(timeout_fails_as_transport)
{
    struct kdo_rng rng;
    kdo_rng_init(&rng, 5);
    struct kdo_probe_run *p = kdo_probe_run_new(probe_index("one-row"), &rng);
    ck_assert_ptr_nonnull(kdo_probe_next(p));
    struct kdo_reply_in in = {KDO_TRANSPORT_TIMEDOUT, 0, NULL, NULL, 0, NULL};
    kdo_probe_reply(p, &in, 8000.0);
    ck_assert_ptr_null(kdo_probe_next(p));
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_FAIL);
    ck_assert_int_eq(res.transport_failed, 1);
    ck_assert_int_eq(res.timed_out, 1);
    ck_assert_ptr_nonnull(strstr(res.summary, kdo_reason_text(KDO_REASON_TRANSPORT_TIMEOUT)));
    ck_assert_ptr_nonnull(strstr(res.got, "no reply"));
    kdo_probe_run_free(p);
}
END_TEST

START_TEST(too_large_is_named)
{
    struct kdo_rng rng;
    kdo_rng_init(&rng, 6);
    char *big = malloc(KDO_MAX_REPLY_BYTES + 1);
    memset(big, ' ', KDO_MAX_REPLY_BYTES + 1);
    memcpy(big, "{\"records\":[", 12);
    struct kdo_probe_run *p = kdo_probe_run_new(probe_index("one-row"), &rng);
    ck_assert_ptr_nonnull(kdo_probe_next(p));
    struct kdo_reply_in in = {KDO_TRANSPORT_FAILED, 0, NULL, big, KDO_MAX_REPLY_BYTES + 1, NULL};
    kdo_probe_reply(p, &in, 40.0);
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_FAIL);
    ck_assert_int_eq(res.timed_out, 0);
    ck_assert_ptr_nonnull(strstr(res.summary, kdo_reason_text(KDO_REASON_REPLY_TOO_LARGE)));
    ck_assert_msg(strstr(res.got, "reply too large") == res.got, "got: %s", res.got);
    ck_assert_ptr_nonnull(strstr(res.got, "{\"records\":["));
    ck_assert_ptr_null(strstr(res.got, "connection failed"));
    kdo_probe_run_free(p);
    free(big);
}
END_TEST

START_TEST(bad_result_fails)
{
    struct kdo_rng rng;
    struct kdo_buf b;
    kdo_rng_init(&rng, 6);
    kdo_buf_init(&b, (size_t)1 << 20);
    struct kdo_probe_run *p = kdo_probe_run_new(probe_index("one-row"), &rng);
    const struct kdo_invocation *inv = kdo_probe_next(p);
    kdo_buf_printf(&b, "{\"records\":[{\"recordId\":\"%.56s\",\"result\":\"OK\"}]}", inv->ids[0].p);
    reply_body(p, &b, 1.0);
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_FAIL);
    ck_assert_ptr_nonnull(strstr(res.summary, kdo_reason_text(KDO_REASON_BAD_RESULT)));
    kdo_probe_run_free(p);
    kdo_buf_cleanup(&b);
}
END_TEST

/* DeliveryFailed is the contract: it alone never fails a probe. */
START_TEST(delivery_failed_passes)
{
    struct kdo_rng rng;
    struct kdo_buf b;
    kdo_rng_init(&rng, 8);
    kdo_buf_init(&b, (size_t)1 << 20);
    struct kdo_probe_run *p = kdo_probe_run_new(probe_index("poison-pill"), &rng);
    const struct kdo_invocation *inv = kdo_probe_next(p);
    make_body(&b, inv, NONE, 1);
    reply_body(p, &b, 1.0);
    ck_assert_ptr_null(kdo_probe_next(p));
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_PASS);
    ck_assert_ptr_nonnull(strstr(res.got, "1 DeliveryFailed"));
    kdo_probe_run_free(p);
    kdo_buf_cleanup(&b);
}
END_TEST

/* retry-hint with DeliveryFailed for record df0 at the first send and df1 at
 * the second (NONE: all Ok). */
static void run_retry_hint(size_t df0, size_t df1, struct kdo_probe_result *res)
{
    struct kdo_rng rng;
    struct kdo_buf b;
    kdo_rng_init(&rng, 11);
    kdo_buf_init(&b, (size_t)1 << 20);
    struct kdo_probe_run *p = kdo_probe_run_new(probe_index("retry-hint"), &rng);
    const struct kdo_invocation *inv;
    size_t send = 0;
    while ((inv = kdo_probe_next(p)) != NULL) {
        ck_assert_uint_lt(send, 2);
        make_body(&b, inv, NONE, send == 0 ? df0 : df1);
        reply_body(p, &b, 1.0);
        send++;
    }
    ck_assert_uint_eq(send, 2);
    kdo_probe_result(p, res);
    kdo_probe_run_free(p);
    kdo_buf_cleanup(&b);
}

START_TEST(retry_hint_stuck_record_warns)
{
    struct kdo_probe_result res;
    run_retry_hint(1, 1, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_WARN);
    ck_assert_int_eq(res.transport_failed, 0);
    ck_assert_ptr_nonnull(strstr(res.summary, "retryHint"));
    ck_assert_msg(strstr(res.summary, "1 record ") == res.summary, "summary: %s", res.summary);
}
END_TEST

START_TEST(retry_hint_given_up_passes)
{
    struct kdo_probe_result res;
    run_retry_hint(1, NONE, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_PASS);
    ck_assert_ptr_nonnull(strstr(res.got, "1 DeliveryFailed"));
    /* a different record failing each time is not one record stuck */
    run_retry_hint(1, 2, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_PASS);
}
END_TEST


/* Well-formed rows are counted with their answers: all Ok, then all
 * DeliveryFailed (what a refuse-all function answers). */
START_TEST(wellformed_rows_are_counted)
{
    struct kdo_rng rng;
    struct kdo_buf b;
    kdo_rng_init(&rng, 12);
    kdo_buf_init(&b, (size_t)1 << 20);
    for (int refuse = 0; refuse < 2; refuse++) {
        /* poison-pill: 5 ticker rows and 5 that are not JSON */
        struct kdo_probe_run *p = kdo_probe_run_new(probe_index("poison-pill"), &rng);
        const struct kdo_invocation *inv = kdo_probe_next(p);
        kdo_buf_reset(&b);
        kdo_buf_puts(&b, "{\"records\":[");
        for (size_t i = 0; i < inv->n; i++)
            kdo_buf_printf(&b, "%s{\"recordId\":\"%.*s\",\"result\":\"%s\"}", i ? "," : "",
                           (int)inv->ids[i].n, inv->ids[i].p,
                           refuse ? KDO_RESULT_DELIVERY_FAILED : KDO_RESULT_OK);
        kdo_buf_puts(&b, "]}");
        reply_body(p, &b, 1.0);
        struct kdo_probe_result res;
        kdo_probe_result(p, &res);
        ck_assert_int_eq(res.status, KDO_PROBE_PASS); /* the contract is kept either way */
        ck_assert_uint_eq(res.wellformed, 5);
        ck_assert_uint_eq(res.wellformed_ok, refuse ? 0 : 5);
        kdo_probe_run_free(p);
    }
    kdo_buf_cleanup(&b);
}
END_TEST

/* A probe that failed the contract counts nothing: its answers decide nothing. */
START_TEST(failed_probe_counts_no_rows)
{
    struct kdo_rng rng;
    struct kdo_buf b;
    kdo_rng_init(&rng, 13);
    kdo_buf_init(&b, (size_t)1 << 20);
    struct kdo_probe_run *p = kdo_probe_run_new(probe_index("batch-100"), &rng);
    make_body(&b, kdo_probe_next(p), 3, NONE);
    reply_body(p, &b, 1.0);
    struct kdo_probe_result res;
    kdo_probe_result(p, &res);
    ck_assert_int_eq(res.status, KDO_PROBE_FAIL);
    ck_assert_uint_eq(res.wellformed, 0);
    kdo_probe_run_free(p);
    kdo_buf_cleanup(&b);
}
END_TEST

static struct kdo_reply_in reply_of(int status, const char *fe, const char *type, const char *body)
{
    return (struct kdo_reply_in){KDO_TRANSPORT_DONE, status, fe, body, strlen(body), type};
}

START_TEST(classify_names_who_answered)
{
    const struct {
        int status;
        const char *fe, *body;
        enum kdo_probe_answer want;
    } cases[] = {
        {200, NULL, "{\"records\":[]}", KDO_PROBE_ANSWERED},
        {200, "Unhandled", "{\"errorType\":\"SyntaxError\",\"errorMessage\":\"x\"}",
         KDO_PROBE_ANSWERED},
        {200, "Unhandled", "{\"errorType\":\"Runtime.ImportModuleError\",\"errorMessage\":\"x\"}",
         KDO_PROBE_NOT_STARTED},
        {200, "Unhandled", "{\"errorType\":\"Runtime.MarshalError\",\"errorMessage\":\"x\"}",
         KDO_PROBE_ANSWERED},
        {200, NULL, "{\"errorType\":\"Runtime.ImportModuleError\"}", KDO_PROBE_ANSWERED},
        {404, NULL, "{\"Type\":\"User\",\"Message\":\"Function not found\"}", KDO_PROBE_NOT_FOUND},
        {401, NULL, "{}", KDO_PROBE_REFUSED},
        {403, NULL, "{}", KDO_PROBE_REFUSED},
        {429, NULL, "{\"retryAfterSeconds\":\"1\"}", KDO_PROBE_RETRY},
        {500, NULL, "{}", KDO_PROBE_RETRY},
        {502, NULL, "{}", KDO_PROBE_RETRY},
        {599, NULL, "{}", KDO_PROBE_RETRY},
        {400, NULL, "{}", KDO_PROBE_ANSWERED},
        {413, NULL, "{}", KDO_PROBE_ANSWERED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct kdo_reply_in in = reply_of(cases[i].status, cases[i].fe, NULL, cases[i].body);
        ck_assert_msg(kdo_probe_classify(&in) == cases[i].want, "case %zu (HTTP %d): got %d",
                      i, cases[i].status, (int)kdo_probe_classify(&in));
    }
    struct kdo_reply_in cut = {KDO_TRANSPORT_FAILED, 0, NULL, "", 0, NULL};
    ck_assert_int_eq(kdo_probe_classify(&cut), KDO_PROBE_ANSWERED);
}
END_TEST

START_TEST(init_error_reads_type_and_message)
{
    char type[64], msg[64];
    static const char *const started[] = {"Runtime.ImportModuleError",
                                          "Runtime.CallbackHandlerDeprecated", "Runtime.ExitError",
                                          "Runtime.HandlerNotFound", "Runtime.UserCodeSyntaxError"};
    for (size_t i = 0; i < sizeof started / sizeof started[0]; i++) {
        char body[200];
        snprintf(body, sizeof body, "{\"errorType\":\"%s\",\"errorMessage\":\"Error: Cannot "
                 "find module 'index'\\nRequire stack\",\"trace\":[]}", started[i]);
        struct kdo_reply_in in = reply_of(200, "Unhandled", NULL, body);
        ck_assert_int_eq(kdo_probe_init_error(&in, type, sizeof type, msg, sizeof msg), 1);
        ck_assert_str_eq(type, started[i]);
        ck_assert_str_eq(msg, "Error: Cannot find module 'index' Require stack"); /* \n blanked */
    }
    static const char *const not_init[] = {
        "{\"errorType\":\"Runtime.MarshalError\",\"errorMessage\":\"x\"}",
        "{\"errorType\":\"Runtime.\",\"errorMessage\":\"x\"}",
        "{\"errorType\":\"TypeError\",\"errorMessage\":\"x\"}",
        "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"x\"}",
        "{\"errorMessage\":\"Runtime.ImportModuleError\"}",
        "not json", "",
    };
    for (size_t i = 0; i < sizeof not_init / sizeof not_init[0]; i++) {
        struct kdo_reply_in in = reply_of(200, "Unhandled", NULL, not_init[i]);
        ck_assert_msg(kdo_probe_init_error(&in, type, sizeof type, msg, sizeof msg) == 0,
                      "%s", not_init[i]);
    }
    /* no errorMessage: said so */
    struct kdo_reply_in in = reply_of(200, "Unhandled", NULL, "{\"errorType\":\"Runtime.ExitError\"}");
    ck_assert_int_eq(kdo_probe_init_error(&in, type, sizeof type, msg, sizeof msg), 1);
    ck_assert_str_eq(msg, "(no errorMessage)");
}
END_TEST

START_TEST(retry_delay_is_bounded)
{
    struct kdo_reply_in plain = reply_of(429, NULL, NULL, "{\"message\":\"Rate Exceeded.\"}");
    struct kdo_reply_in later = reply_of(429, NULL, NULL, "{\"retryAfterSeconds\":\"3\"}");
    struct kdo_reply_in huge = reply_of(429, NULL, NULL, "{\"retryAfterSeconds\":3600}");
    ck_assert_int_eq(kdo_probe_retry_delay(&plain, 0), -1);
    for (unsigned r = 1; r <= KDO_PROBE_RETRIES; r++) {
        ck_assert_int_eq(kdo_probe_retry_delay(&plain, r), KDO_PROBE_RETRY_INTERVAL);
        ck_assert_int_eq(kdo_probe_retry_delay(&later, r), 3 * KDO_S);
        ck_assert_int_eq(kdo_probe_retry_delay(&huge, r), KDO_PROBE_RETRY_AFTER_MAX);
    }
    ck_assert_int_eq(kdo_probe_retry_delay(&plain, KDO_PROBE_RETRIES + 1), -1);
}
END_TEST

START_TEST(explain_names_cause_and_fix)
{
    char cause[600], fix[400];
    kdo_probe_explain("Invoke", 403, "UnrecognizedClientException", cause, sizeof cause, fix,
                      sizeof fix);
    ck_assert_ptr_nonnull(strstr(cause, "403 UnrecognizedClientException"));
    ck_assert_ptr_nonnull(strstr(fix, "AWS_ACCESS_KEY_ID"));
    kdo_probe_explain("Invoke", 403, "InvalidSignatureException:http://x", cause, sizeof cause,
                      fix, sizeof fix);
    ck_assert_ptr_nonnull(strstr(fix, "clock"));
    kdo_probe_explain("GetFunctionConfiguration", 403, "AccessDeniedException", cause,
                      sizeof cause, fix, sizeof fix);
    ck_assert_ptr_nonnull(strstr(cause, "lack a permission"));
    ck_assert_ptr_nonnull(strstr(fix, "lambda:GetFunctionConfiguration"));
    kdo_probe_explain("Invoke", 404, "ResourceNotFoundException", cause, sizeof cause, fix,
                      sizeof fix);
    ck_assert_ptr_nonnull(strstr(cause, "no such function"));
    ck_assert_ptr_nonnull(strstr(fix, "name or ARN"));
    kdo_probe_explain("Invoke", 429, NULL, cause, sizeof cause, fix, sizeof fix);
    ck_assert_ptr_nonnull(strstr(cause, "throttled"));
    ck_assert_ptr_nonnull(strstr(fix, "concurrency"));
    kdo_probe_explain("Invoke", 401, NULL, cause, sizeof cause, fix, sizeof fix);
    ck_assert_ptr_nonnull(strstr(cause, "(HTTP 401):"));
    ck_assert_ptr_nonnull(strstr(fix, "AWS_SECRET_ACCESS_KEY"));
    kdo_probe_explain("Invoke", 503, "", cause, sizeof cause, fix, sizeof fix);
    ck_assert_ptr_nonnull(strstr(cause, "HTTP 503 after"));
}
END_TEST

START_TEST(timing_judges_against_the_timeout)
{
    /* Timeout 3 s */
    ck_assert_int_eq(kdo_probe_timing(100, 200, 3000, 1), KDO_PROBE_PASS);
    ck_assert_int_eq(kdo_probe_timing(100, 1600, 3000, 1), KDO_PROBE_WARN);  /* past half */
    ck_assert_int_eq(kdo_probe_timing(100, 3000, 3000, 1), KDO_PROBE_WARN);  /* at it */
    ck_assert_int_eq(kdo_probe_timing(100, 3001, 3000, 1), KDO_PROBE_FAIL);  /* past it */
    ck_assert_int_eq(kdo_probe_timing(3001, 0, 3000, 1), KDO_PROBE_WARN);    /* a cold start */
    ck_assert_int_eq(kdo_probe_timing(13001, 0, 3000, 1), KDO_PROBE_FAIL);   /* past init too */
    ck_assert_int_eq(kdo_probe_timing(100, 3001, 3000, 0), KDO_PROBE_WARN);  /* assumed Timeout */
    /* Timeout 60 s: the guide's 5 s still warns */
    ck_assert_int_eq(kdo_probe_timing(100, 5001, 60000, 1), KDO_PROBE_WARN);
    ck_assert_int_eq(kdo_probe_timing(100, 4999, 60000, 1), KDO_PROBE_PASS);
}
END_TEST

static Suite *probe_suite(void)
{
    Suite *s = suite_create("probe");
    const struct {
        const char *name;
        const TTest *test;
        int per_probe;
    } cases[] = {
        {"table_is_complete", table_is_complete, 0},
        {"invocations_are_valid", invocations_are_valid, 1},
        {"all_ok_passes_every_probe", all_ok_passes_every_probe, 1},
        {"omitted_record_fails", omitted_record_fails, 1},
        {"failure_stops_the_probe", failure_stops_the_probe, 0},
        {"function_error_fails", function_error_fails, 0},
        {"timeout_fails_as_transport", timeout_fails_as_transport, 0},
        {"too_large_is_named", too_large_is_named, 0},
        {"bad_result_fails", bad_result_fails, 0},
        {"delivery_failed_passes", delivery_failed_passes, 0},
        {"retry_hint_stuck_record_warns", retry_hint_stuck_record_warns, 0},
        {"retry_hint_given_up_passes", retry_hint_given_up_passes, 0},
        {"wellformed_rows_are_counted", wellformed_rows_are_counted, 0},
        {"failed_probe_counts_no_rows", failed_probe_counts_no_rows, 0},
        {"classify_names_who_answered", classify_names_who_answered, 0},
        {"init_error_reads_type_and_message", init_error_reads_type_and_message, 0},
        {"retry_delay_is_bounded", retry_delay_is_bounded, 0},
        {"explain_names_cause_and_fix", explain_names_cause_and_fix, 0},
        {"timing_judges_against_the_timeout", timing_judges_against_the_timeout, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        if (cases[i].per_probe)
            tcase_add_loop_test(tc, cases[i].test, 0, (int)kdo_probes_count);
        else
            tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(probe_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
