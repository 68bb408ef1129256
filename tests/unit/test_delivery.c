/*
 * test_delivery.c -- the delivery state machine, rule by rule.
 *
 * A scripted transport stands in for the function: it keeps what was sent
 * and answers what each test tells it to, when the test says.  Time is
 * advanced by hand.
 */
#include "app/bug.h"
#include "base/base64.h"
#include "base/errors.h"
#include "base/rng.h"
#include "delivery/contract.h"
#include "delivery/delivery.h"
#include "delivery/journal.h"
#include "delivery/metrics.h"
#include "delivery/transport.h"

#include <check.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a scripted transport --------------------------------------------- */

#define MAX_SENT 64

struct sent {
    kdo_time_ns at;
    size_t n;
    char ids[30000][57];
    uint64_t hints[30000];
    size_t event_len;
    char *event;
};

struct script {
    struct kdo_transport base;
    struct sent *sent[MAX_SENT];
    size_t nsent;
    int in_flight;
    int cancelled;
    /* the next reply */
    kdo_time_ns ready_at;
    enum kdo_transport_outcome outcome;
    int status;
    const char *function_error;
    char body[8 << 20]; /* room for a reply to a full 6 MB event */
    int have_reply;
};

static int s_send(struct kdo_transport *t, kdo_time_ns now, const struct kdo_invocation *inv)
{
    struct script *s = (struct script *)t;
    ck_assert_int_eq(s->in_flight, 0); /* one invocation at a time */
    ck_assert_uint_lt(s->nsent, MAX_SENT);
    struct sent *x = calloc(1, sizeof *x);
    x->at = now;
    x->n = inv->n;
    for (size_t i = 0; i < inv->n; i++) {
        memcpy(x->ids[i], inv->ids[i].p, inv->ids[i].n);
        x->hints[i] = inv->hints[i];
    }
    x->event_len = inv->event_len;
    x->event = malloc(inv->event_len);
    memcpy(x->event, inv->event, inv->event_len);
    s->sent[s->nsent++] = x;
    s->in_flight = 1;
    s->have_reply = 0;
    return 0;
}

static kdo_time_ns s_deadline(const struct kdo_transport *t)
{
    const struct script *s = (const struct script *)t;
    return s->in_flight && s->have_reply ? s->ready_at : KDO_TIME_NEVER;
}

static int s_poll(struct kdo_transport *t, kdo_time_ns now, struct kdo_reply_in *out)
{
    struct script *s = (struct script *)t;
    if (!s->in_flight || !s->have_reply || now < s->ready_at)
        return 0;
    s->in_flight = 0;
    out->outcome = s->outcome;
    out->status = s->status;
    out->function_error = s->function_error;
    out->body = s->body;
    out->body_len = strlen(s->body);
    return 1;
}

static void s_cancel(struct kdo_transport *t)
{
    struct script *s = (struct script *)t;
    s->in_flight = 0;
    s->cancelled++;
}

static void s_free(struct kdo_transport *t)
{
    struct script *s = (struct script *)t;
    for (size_t i = 0; i < s->nsent; i++) {
        free(s->sent[i]->event);
        free(s->sent[i]);
    }
    free(s);
}

static const struct kdo_transport_ops script_ops = {
    .name = "script", .send = s_send, .next_deadline = s_deadline, .poll = s_poll,
    .cancel = s_cancel, .free = s_free,
};

/* The fixture: one engine, its journal and metrics. */
static struct script *sc;
static struct kdo_journal *jr;
static struct kdo_metrics *mt;
static struct kdo_rng rng;
static struct kdo_delivery *d;
static struct kdo_delivery_config cfg;

static void setup_with(const struct kdo_delivery_config *c)
{
    sc = calloc(1, sizeof *sc);
    sc->base.ops = &script_ops;
    jr = kdo_journal_new();
    mt = kdo_metrics_new();
    kdo_rng_init(&rng, 42);
    d = kdo_delivery_new(c, &sc->base, jr, mt, &rng);
}

static void setup(void)
{
    kdo_delivery_config_default(&cfg);
    setup_with(&cfg);
}

static void teardown(void)
{
    kdo_delivery_free(d);
    kdo_transport_free(&sc->base);
    kdo_journal_free(jr);
    kdo_metrics_free(mt);
}

/* Answers the invocation in flight: every record Ok except those listed with
 * another result (NULL result = omit). */
static void reply_records(kdo_time_ns at, const char *except_result, size_t nbad, const size_t *bad)
{
    struct sent *x = sc->sent[sc->nsent - 1];
    size_t len = (size_t)sprintf(sc->body, "{\"records\":[");
    for (size_t i = 0; i < x->n; i++) {
        const char *result = "Ok";
        int omit = 0;
        for (size_t k = 0; k < nbad; k++)
            if (bad[k] == i) {
                result = except_result;
                omit = except_result == NULL;
            }
        if (omit)
            continue;
        len += (size_t)sprintf(sc->body + len, "%s{\"recordId\":\"%s\",\"result\":\"%s\"}",
                               len > 12 ? "," : "", x->ids[i], result);
    }
    sprintf(sc->body + len, "]}");
    sc->outcome = KDO_TRANSPORT_DONE;
    sc->status = 200;
    sc->function_error = NULL;
    sc->ready_at = at;
    sc->have_reply = 1;
}

static void reply_all_ok(kdo_time_ns at)
{
    reply_records(at, "Ok", 0, NULL);
}

static void push_rows(kdo_time_ns now, int n, size_t size)
{
    char row[600000];
    for (int i = 0; i < n; i++) {
        int len = snprintf(row, sizeof row, "{\"n\":%d}", i);
        if (size > (size_t)len) {
            memset(row + len, ' ', size - (size_t)len);
            len = (int)size;
        }
        ck_assert_int_eq(kdo_delivery_push(d, now, row, (size_t)len), 0);
    }
}

static void advance(kdo_time_ns now)
{
    ck_assert_int_eq(kdo_delivery_advance(d, now), 0);
}

/* ---- the event ------------------------------------------------------------- */

START_TEST(event_has_the_documented_shape)
{
    push_rows(0, 3, 0);
    advance(0);
    ck_assert_uint_eq(sc->nsent, 1);
    struct sent *x = sc->sent[0];
    json_error_t e;
    json_t *ev = json_loadb(x->event, x->event_len, JSON_REJECT_DUPLICATES, &e);
    ck_assert_msg(ev != NULL, "event is not JSON: %s", e.text);
    const char *id = json_string_value(json_object_get(ev, "invocationId"));
    ck_assert_ptr_nonnull(id);
    ck_assert_uint_eq(strlen(id), 36);
    ck_assert_int_eq(id[14], '4'); /* a version 4 GUID */
    ck_assert_str_eq(json_string_value(json_object_get(ev, "applicationArn")), cfg.application_arn);
    json_t *recs = json_object_get(ev, "records");
    ck_assert_uint_eq(json_array_size(recs), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *r = json_array_get(recs, i);
        ck_assert_uint_eq(json_object_size(r), 3);
        const char *rid = json_string_value(json_object_get(r, "recordId"));
        ck_assert_uint_eq(strlen(rid), 56);
        ck_assert_str_eq(rid, x->ids[i]);
        json_t *meta = json_object_get(r, "lambdaDeliveryRecordMetadata");
        ck_assert_int_eq(json_integer_value(json_object_get(meta, "retryHint")), 0);
        const char *b64 = json_string_value(json_object_get(r, "data"));
        char data[64];
        size_t n;
        ck_assert_int_eq(kdo_base64_decode(data, &n, b64, strlen(b64)), 0);
        char want[32];
        snprintf(want, sizeof want, "{\"n\":%zu}", i);
        ck_assert_uint_eq(n, strlen(want));
        ck_assert_int_eq(memcmp(data, want, n), 0);
    }
    json_decref(ev);
}
END_TEST

START_TEST(record_ids_are_distinct_and_stable)
{
    push_rows(0, 2, 0);
    advance(0);
    ck_assert_str_ne(sc->sent[0]->ids[0], sc->sent[0]->ids[1]);
    size_t bad = 1;
    reply_records(20 * KDO_MS, "DeliveryFailed", 1, &bad);
    advance(20 * KDO_MS);
    advance(KDO_S + 20 * KDO_MS);
    ck_assert_uint_eq(sc->nsent, 2);
    ck_assert_str_eq(sc->sent[1]->ids[0], sc->sent[0]->ids[1]);
}
END_TEST

/* ---- cadence --------------------------------------------------------------------- */

START_TEST(continuous_output_waits_for_the_one_second_grid)
{
    push_rows(300 * KDO_MS, 5, 0);
    ck_assert_int_eq(kdo_delivery_next_deadline(d), KDO_S);
    advance(999 * KDO_MS);
    ck_assert_uint_eq(sc->nsent, 0);
    advance(KDO_S);
    ck_assert_uint_eq(sc->nsent, 1);
    ck_assert_uint_eq(sc->sent[0]->n, 5);
    reply_all_ok(KDO_S + 20 * KDO_MS);
    advance(KDO_S + 20 * KDO_MS);
    /* Rows that arrive during the flush wait for the next tick. */
    push_rows(KDO_S + 500 * KDO_MS, 2, 0);
    ck_assert_int_eq(kdo_delivery_next_deadline(d), 2 * KDO_S);
}
END_TEST

START_TEST(a_flush_that_overruns_its_tick_is_followed_at_once)
{
    push_rows(0, 3, 0);
    advance(0);
    push_rows(500 * KDO_MS, 2, 0);
    reply_all_ok(1500 * KDO_MS); /* a slow function: the tick at 1 s passed meanwhile */
    advance(1500 * KDO_MS);
    ck_assert_uint_eq(sc->nsent, 2); /* the waiting rows went at once */
    ck_assert_uint_eq(sc->sent[1]->n, 2);
    push_rows(1700 * KDO_MS, 1, 0);
    reply_all_ok(1800 * KDO_MS);
    advance(1800 * KDO_MS);
    ck_assert_int_eq(kdo_delivery_next_deadline(d), 2 * KDO_S); /* back on the grid */
}
END_TEST

/* A flush at a tick that ends in the same instant, then rows pushed at that
 * instant (the application re-reads once room frees): they wait for the
 * next tick -- one flush of new rows per cadence.  Found by the swarm's
 * cadence check when ROWTIME left the 200 ms polling grid. */
START_TEST(rows_pushed_at_the_instant_of_a_flush_wait_a_whole_cadence)
{
    push_rows(300 * KDO_MS, 3, 0);
    advance(KDO_S);
    ck_assert_uint_eq(sc->nsent, 1);
    reply_all_ok(KDO_S);
    advance(KDO_S);
    push_rows(KDO_S, 2, 0);
    ck_assert_int_eq(kdo_delivery_next_deadline(d), 2 * KDO_S);
    advance(KDO_S);
    ck_assert_uint_eq(sc->nsent, 1);
    advance(2 * KDO_S);
    ck_assert_uint_eq(sc->nsent, 2);
}
END_TEST

START_TEST(no_rows_no_invocation)
{
    ck_assert_int_eq(kdo_delivery_next_deadline(d), KDO_TIME_NEVER);
    advance(10 * KDO_S);
    ck_assert_uint_eq(sc->nsent, 0);
}
END_TEST

START_TEST(cadence_zero_flushes_at_once)
{
    teardown();
    kdo_delivery_config_default(&cfg);
    cfg.cadence = 0; /* a tumbling window's trigger */
    setup_with(&cfg);
    push_rows(60 * KDO_S, 1, 0);
    ck_assert_int_eq(kdo_delivery_next_deadline(d), 60 * KDO_S);
    advance(60 * KDO_S);
    ck_assert_uint_eq(sc->nsent, 1);
}
END_TEST

/* ---- splitting at 6 MB ------------------------------------------------------------ */

START_TEST(batches_split_at_6291456_bytes_in_order)
{
    push_rows(0, 60000, 100); /* ~16 MB of event */
    advance(0);
    size_t total = 0;
    kdo_time_ns t = 0;
    while (sc->in_flight) {
        struct sent *x = sc->sent[sc->nsent - 1];
        ck_assert_uint_le(x->event_len, KDO_MAX_EVENT_BYTES);
        total += x->n;
        if (total < 60000) /* all but the last are full, not timid */
            ck_assert_uint_gt(x->event_len, KDO_MAX_EVENT_BYTES - 400);
        t += 20 * KDO_MS;
        reply_all_ok(t);
        advance(t);
        if (total < 60000)
            ck_assert_msg(sc->in_flight, "the rest of the batch goes at once, not at the next tick");
        else
            break;
    }
    ck_assert_uint_eq(total, 60000);
    ck_assert_uint_ge(sc->nsent, 3);
    /* Rows keep their order across invocations. */
    ck_assert_str_lt(sc->sent[0]->ids[sc->sent[0]->n - 1], sc->sent[1]->ids[0]);
}
END_TEST

START_TEST(a_row_over_512kb_is_refused)
{
    char *row = calloc(1, KDO_MAX_ROW_BYTES + 1);
    ck_assert_int_eq(kdo_delivery_push(d, 0, row, KDO_MAX_ROW_BYTES + 1), KDO_EROWSIZE);
    ck_assert_int_eq(kdo_delivery_push(d, 0, row, KDO_MAX_ROW_BYTES), 0);
    free(row);
}
END_TEST

/* ---- retry ----------------------------------------------------------------------- */

START_TEST(only_failed_records_are_resent_with_hint_plus_one)
{
    push_rows(0, 10, 0);
    advance(0);
    size_t bad[] = {2, 7};
    reply_records(20 * KDO_MS, "DeliveryFailed", 2, bad);
    advance(20 * KDO_MS);
    ck_assert_uint_eq(sc->nsent, 1);
    ck_assert_int_eq(kdo_delivery_next_deadline(d), KDO_S + 20 * KDO_MS); /* retry interval */
    advance(KDO_S + 20 * KDO_MS);
    ck_assert_uint_eq(sc->nsent, 2);
    struct sent *r = sc->sent[1];
    ck_assert_uint_eq(r->n, 2);
    ck_assert_str_eq(r->ids[0], sc->sent[0]->ids[2]);
    ck_assert_str_eq(r->ids[1], sc->sent[0]->ids[7]);
    ck_assert_uint_eq(r->hints[0], 1);
    ck_assert_uint_eq(r->hints[1], 1);
}
END_TEST

START_TEST(retries_go_on_until_ok_without_limit)
{
    push_rows(0, 1, 0);
    advance(0);
    kdo_time_ns t = 0;
    for (uint64_t attempt = 0; attempt < 200; attempt++) {
        ck_assert_uint_eq(sc->nsent, attempt + 1);
        ck_assert_uint_eq(sc->sent[attempt]->hints[0], attempt);
        size_t bad = 0;
        t += 10 * KDO_MS;
        reply_records(t, "DeliveryFailed", 1, &bad);
        advance(t);
        t += KDO_S;
        advance(t);
        if (sc->nsent == MAX_SENT - 1)
            break;
    }
    reply_all_ok(t + KDO_MS);
    advance(t + KDO_MS);
    struct kdo_delivery_stats st;
    kdo_delivery_stats(d, &st);
    ck_assert_uint_eq(st.rows, 0);
    ck_assert_uint_eq(st.acked, 1);
}
END_TEST

START_TEST(new_rows_wait_behind_the_failing_set)
{
    push_rows(0, 3, 0);
    advance(0);
    size_t bad = 1;
    reply_records(20 * KDO_MS, "DeliveryFailed", 1, &bad);
    advance(20 * KDO_MS);
    push_rows(500 * KDO_MS, 4, 0); /* new rows while one fails */
    advance(KDO_S);                 /* a cadence tick: nothing new may go */
    advance(KDO_S + 20 * KDO_MS);   /* the retry */
    ck_assert_uint_eq(sc->nsent, 2);
    ck_assert_uint_eq(sc->sent[1]->n, 1);
    reply_records(KDO_S + 40 * KDO_MS, "DeliveryFailed", 1, (size_t[]){0});
    advance(KDO_S + 40 * KDO_MS);
    advance(2 * KDO_S); /* another tick: still blocked */
    ck_assert_uint_eq(sc->nsent, 2);
    advance(2 * KDO_S + 40 * KDO_MS);
    ck_assert_uint_eq(sc->nsent, 3);
    ck_assert_uint_eq(sc->sent[2]->n, 1);
    ck_assert_uint_eq(sc->sent[2]->hints[0], 2);
    reply_all_ok(2 * KDO_S + 60 * KDO_MS);
    /* Healed: the new rows have waited past their tick, so they go at once. */
    advance(2 * KDO_S + 60 * KDO_MS);
    ck_assert_uint_eq(sc->nsent, 4);
    ck_assert_uint_eq(sc->sent[3]->n, 4);
    ck_assert_uint_eq(sc->sent[3]->hints[0], 0);
}
END_TEST

START_TEST(a_reply_that_never_comes_times_out_and_is_retried)
{
    push_rows(0, 2, 0);
    advance(0);
    ck_assert_int_eq(kdo_delivery_next_deadline(d), cfg.invoke_timeout);
    advance(cfg.invoke_timeout);
    ck_assert_int_eq(sc->cancelled, 1);
    const struct kdo_jentry *e = kdo_journal_at(jr, kdo_journal_count(jr) - 1);
    ck_assert_int_eq(e->kind, KDO_J_REPLY);
    ck_assert_int_eq(e->u.reply.whole, KDO_REASON_TRANSPORT_TIMEOUT);
    ck_assert_uint_eq(e->u.reply.failed, 2);
    advance(cfg.invoke_timeout + KDO_S);
    ck_assert_uint_eq(sc->nsent, 2);
    ck_assert_uint_eq(sc->sent[1]->hints[0], 1);
}
END_TEST

START_TEST(whole_invocation_failures_fail_every_record)
{
    static const struct {
        enum kdo_transport_outcome outcome;
        int status;
        const char *function_error;
        const char *body;
        enum kdo_reason reason;
    } cases[] = {
        {KDO_TRANSPORT_DONE, 200, "Unhandled", "{\"errorType\":\"Error\",\"errorMessage\":\"x\"}",
         KDO_REASON_FUNCTION_ERROR},
        {KDO_TRANSPORT_DONE, 200, "Unhandled",
         "{\"errorType\":\"Sandbox.Timedout\",\"errorMessage\":\"Task timed out after 3.00 seconds\"}",
         KDO_REASON_FUNCTION_TIMEOUT},
        {KDO_TRANSPORT_DONE, 429, NULL, "{}", KDO_REASON_HTTP_STATUS},
        {KDO_TRANSPORT_DONE, 200, NULL, "not json", KDO_REASON_BAD_BODY},
        {KDO_TRANSPORT_DONE, 200, NULL, "{\"records\":{}}", KDO_REASON_BAD_BODY},
        {KDO_TRANSPORT_FAILED, 0, NULL, "", KDO_REASON_TRANSPORT_ERROR},
    };
    kdo_time_ns t = 0;
    push_rows(0, 3, 0);
    advance(0);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        sc->outcome = cases[k].outcome;
        sc->status = cases[k].status;
        sc->function_error = cases[k].function_error;
        strcpy(sc->body, cases[k].body);
        t += 10 * KDO_MS;
        sc->ready_at = t;
        sc->have_reply = 1;
        advance(t);
        const struct kdo_jentry *e = kdo_journal_at(jr, kdo_journal_count(jr) - 1);
        ck_assert_int_eq(e->kind, KDO_J_REPLY);
        ck_assert_int_eq(e->u.reply.whole, cases[k].reason);
        ck_assert_uint_eq(e->u.reply.failed, 3);
        t += KDO_S;
        advance(t);
        ck_assert_uint_eq(sc->nsent, k + 2);
        ck_assert_uint_eq(sc->sent[k + 1]->n, 3);
        ck_assert_uint_eq(sc->sent[k + 1]->hints[0], k + 1);
    }
}
END_TEST

START_TEST(per_record_reasons_reach_the_journal)
{
    push_rows(0, 4, 0);
    advance(0);
    struct sent *x = sc->sent[0];
    /* 0 Ok, 1 missing result, 2 bad result, 3 omitted */
    sprintf(sc->body,
            "{\"records\":[{\"recordId\":\"%s\",\"result\":\"Ok\"},{\"recordId\":\"%s\"},"
            "{\"recordId\":\"%s\",\"result\":\"ok\"}]}",
            x->ids[0], x->ids[1], x->ids[2]);
    sc->outcome = KDO_TRANSPORT_DONE;
    sc->status = 200;
    sc->ready_at = 5 * KDO_MS;
    sc->have_reply = 1;
    advance(5 * KDO_MS);
    const struct kdo_jentry *e = kdo_journal_at(jr, kdo_journal_count(jr) - 1);
    const uint8_t *v = kdo_journal_verdicts(jr) + e->u.reply.off;
    ck_assert_int_eq(v[0], KDO_REASON_OK);
    ck_assert_int_eq(v[1], KDO_REASON_NO_RESULT);
    ck_assert_int_eq(v[2], KDO_REASON_BAD_RESULT);
    ck_assert_int_eq(v[3], KDO_REASON_NOT_RETURNED);
    ck_assert_uint_eq(e->u.reply.ok, 1);
    ck_assert_uint_eq(e->u.reply.failed, 3);
}
END_TEST

/* ---- backpressure ------------------------------------------------------------------- */

START_TEST(a_full_destination_stream_refuses_rows)
{
    teardown();
    kdo_delivery_config_default(&cfg);
    cfg.buffer_rows = 5;
    cfg.buffer_bytes = 1000;
    setup_with(&cfg);
    push_rows(0, 5, 0);
    ck_assert_int_eq(kdo_delivery_has_room(d, 10), 0);
    ck_assert_int_eq(kdo_delivery_push(d, 0, "{}", 2), KDO_EFULL);
    advance(0);
    reply_all_ok(10 * KDO_MS);
    advance(10 * KDO_MS);
    ck_assert_int_eq(kdo_delivery_has_room(d, 10), 1);
    /* Bytes bound too. */
    ck_assert_int_eq(kdo_delivery_has_room(d, 1001), 0);
}
END_TEST

START_TEST(rows_stay_buffered_while_they_fail)
{
    push_rows(0, 3, 0);
    advance(0);
    reply_records(10 * KDO_MS, NULL, 3, (size_t[]){0, 1, 2});
    advance(10 * KDO_MS);
    struct kdo_delivery_stats st;
    kdo_delivery_stats(d, &st);
    ck_assert_uint_eq(st.rows, 3);
    ck_assert_uint_eq(st.failing, 3);
}
END_TEST

/* ---- restart ------------------------------------------------------------------------ */

START_TEST(restart_abandons_in_flight_and_resets_hints)
{
    push_rows(0, 4, 0);
    advance(0);
    reply_records(10 * KDO_MS, "DeliveryFailed", 2, (size_t[]){0, 3});
    advance(10 * KDO_MS);
    advance(KDO_S + 10 * KDO_MS); /* retry with hint 1, now in flight */
    ck_assert_uint_eq(sc->sent[1]->hints[0], 1);
    kdo_delivery_restart(d, KDO_S + 500 * KDO_MS, 2 * KDO_S);
    ck_assert_int_eq(sc->cancelled, 1);
    const struct kdo_jentry *e = kdo_journal_at(jr, kdo_journal_count(jr) - 1);
    ck_assert_int_eq(e->kind, KDO_J_RESTART);
    ck_assert_uint_eq(e->u.restart.requeued, 2);
    ck_assert_int_eq(kdo_delivery_next_deadline(d), 3 * KDO_S + 500 * KDO_MS);
    advance(3 * KDO_S); /* still down */
    ck_assert_uint_eq(sc->nsent, 2);
    advance(3 * KDO_S + 500 * KDO_MS);
    advance(4 * KDO_S); /* the next tick after coming back */
    ck_assert_uint_eq(sc->nsent, 3);
    struct sent *x = sc->sent[2];
    ck_assert_uint_eq(x->n, 2);
    ck_assert_str_eq(x->ids[0], sc->sent[0]->ids[0]);
    ck_assert_str_eq(x->ids[1], sc->sent[0]->ids[3]);
    ck_assert_uint_eq(x->hints[0], 0);
    ck_assert_uint_eq(x->hints[1], 0);
}
END_TEST

/* ---- invariants and planted rules ---------------------------------------------------- */

/* Time is an argument, and it never runs backwards: a caller that goes
 * back breaks every deadline the machine computed.  A debug/test build
 * stops at once (KDO_ASSERT); registered only where assertions are on. */
#ifndef NDEBUG
START_TEST(time_running_backwards_aborts)
{
    push_rows(0, 1, 0);
    advance(2 * KDO_S);
    kdo_delivery_advance(d, KDO_S);
    ck_abort_msg("time went back from 2 s to 1 s and the engine went on");
}
END_TEST
#endif

/* Fails rows 0 and 3 of the 4 in the first invocation, then answers the
 * retry all Ok; returns the retry's record count. */
static size_t fail_two_then_ok(void)
{
    push_rows(0, 4, 0);
    advance(0);
    reply_records(10 * KDO_MS, "DeliveryFailed", 2, (size_t[]){0, 3});
    advance(10 * KDO_MS);
    advance(KDO_S + 10 * KDO_MS);
    ck_assert_uint_eq(sc->nsent, 2);
    reply_all_ok(KDO_S + 20 * KDO_MS);
    advance(KDO_S + 20 * KDO_MS);
    return sc->sent[1]->n;
}

/* A planted bug is a rule the engine is configured with, not a violated
 * invariant: the engine follows it without an assertion firing, and its
 * counters stay true (resend-ok once counted a resent Ok row as
 * acknowledged twice, and the journal's end entry said 2^64 - n rows were
 * unacknowledged). */
START_TEST(resend_ok_rule_resends_ok_records_and_keeps_count)
{
    kdo_delivery_free(d);
    kdo_delivery_config_default(&cfg);
    kdo_bug_delivery(KDO_BUG(RESEND_OK), &cfg);
    ck_assert_int_eq(cfg.rules.retry_set, KDO_RETRY_FAILED_AND_OK);
    d = kdo_delivery_new(&cfg, &sc->base, jr, mt, &rng);
    ck_assert_uint_eq(fail_two_then_ok(), 4); /* the 2 Ok ones went again */
    struct kdo_delivery_stats st;
    kdo_delivery_stats(d, &st);
    ck_assert_uint_eq(st.rows, 0);
    ck_assert_uint_eq(st.unacked, 0);
    ck_assert_int_eq(st.idle, 1);
}
END_TEST

START_TEST(no_hint_increment_rule_resends_with_the_same_hint)
{
    kdo_delivery_free(d);
    kdo_delivery_config_default(&cfg);
    kdo_bug_delivery(KDO_BUG(NO_HINT_INCREMENT), &cfg);
    d = kdo_delivery_new(&cfg, &sc->base, jr, mt, &rng);
    ck_assert_uint_eq(fail_two_then_ok(), 2);
    ck_assert_uint_eq(sc->sent[1]->hints[0], 0); /* the contract says 1 */
    ck_assert_uint_eq(sc->sent[1]->hints[1], 0);
}
END_TEST

/* The seam leaves a configuration alone without bugs, and every bug
 * changes it. */
START_TEST(bug_seam_changes_the_config_only_for_a_bug)
{
    struct kdo_delivery_config base, c;
    kdo_delivery_config_default(&base);
    c = base;
    kdo_bug_delivery(0, &c);
    ck_assert_int_eq(memcmp(&c, &base, sizeof c), 0);
    for (int b = 0; b < KDO_BUG_COUNT; b++) {
        c = base;
        kdo_bug_delivery(1u << b, &c);
        if (b == KDO_BUG_FAST_CADENCE && c.cadence == base.cadence)
            ck_abort_msg("fast-cadence left the cadence");
        if (b != KDO_BUG_FAST_CADENCE)
            ck_assert_msg(memcmp(&c, &base, sizeof c) != 0, "%s changed nothing", kdo_bug_name(b));
    }
}
END_TEST

/* ---- metrics -------------------------------------------------------------------------- */

START_TEST(metrics_count_ok_failed_duration_success)
{
    push_rows(0, 4, 10);
    advance(0);
    reply_records(250 * KDO_MS, "DeliveryFailed", 1, (size_t[]){2});
    advance(250 * KDO_MS);
    ck_assert_double_eq(kdo_metrics_total(mt, KDO_METRIC_OK_RECORDS)->sum, 3);
    ck_assert_double_eq(kdo_metrics_total(mt, KDO_METRIC_DELIVERY_FAILED_RECORDS)->sum, 1);
    ck_assert_double_eq(kdo_metrics_total(mt, KDO_METRIC_DURATION)->max, 250);
    ck_assert_double_eq(kdo_metrics_total(mt, KDO_METRIC_SUCCESS)->sum, 0);
    ck_assert_double_eq(kdo_metrics_total(mt, KDO_METRIC_OUTPUT_BYTES)->sum, 30);
    advance(KDO_S + 250 * KDO_MS);
    reply_all_ok(KDO_S + 300 * KDO_MS);
    advance(KDO_S + 300 * KDO_MS);
    const struct kdo_stat *s = kdo_metrics_total(mt, KDO_METRIC_SUCCESS);
    ck_assert_uint_eq(s->count, 2);
    ck_assert_double_eq(kdo_stat_value(s, KDO_STAT_AVERAGE), 0.5);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("delivery");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"event", event_has_the_documented_shape},
        {"record_ids", record_ids_are_distinct_and_stable},
        {"cadence_grid", continuous_output_waits_for_the_one_second_grid},
        {"cadence_idle", no_rows_no_invocation},
        {"cadence_same_instant", rows_pushed_at_the_instant_of_a_flush_wait_a_whole_cadence},
        {"cadence_overrun", a_flush_that_overruns_its_tick_is_followed_at_once},
        {"cadence_trigger", cadence_zero_flushes_at_once},
        {"split", batches_split_at_6291456_bytes_in_order},
        {"row_limit", a_row_over_512kb_is_refused},
        {"retry_failed_only", only_failed_records_are_resent_with_hint_plus_one},
        {"retry_forever", retries_go_on_until_ok_without_limit},
        {"head_of_line", new_rows_wait_behind_the_failing_set},
        {"timeout", a_reply_that_never_comes_times_out_and_is_retried},
        {"whole_failures", whole_invocation_failures_fail_every_record},
        {"record_reasons", per_record_reasons_reach_the_journal},
        {"backpressure", a_full_destination_stream_refuses_rows},
        {"buffered_while_failing", rows_stay_buffered_while_they_fail},
        {"restart", restart_abandons_in_flight_and_resets_hints},
        {"metrics", metrics_count_ok_failed_duration_success},
        {"rule_resend_ok", resend_ok_rule_resends_ok_records_and_keeps_count},
        {"rule_no_hint_increment", no_hint_increment_rule_resends_with_the_same_hint},
        {"bug_seam", bug_seam_changes_the_config_only_for_a_bug},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        tcase_set_timeout(tc, 60);
        suite_add_tcase(s, tc);
    }
#ifndef NDEBUG
    /* A violated invariant aborts: only with assertions on (kassert.h), and
     * only where Check forks (under CK_FORK=no the abort would end the run). */
    const char *fork = getenv("CK_FORK");
    if (fork == NULL || strcmp(fork, "no") != 0) {
        TCase *tc = tcase_create("invariant_time");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test_raise_signal(tc, time_running_backwards_aborts, SIGABRT);
        suite_add_tcase(s, tc);
    }
#endif
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
