/*
 * test_journal.c -- the run's history, emulator/delivery/journal.c.
 *
 * Entries are appended by hand with hand-picked times, read back through the
 * accessors, and written as JSON Lines that jansson must parse line by line.
 * The folding of row ranges (contiguous, same instant, also when reads and
 * emits alternate) and the 56-digit recordIds are pinned exactly, as is the
 * byte-for-byte repeatability of the output.
 */
#include "delivery/journal.h"

#include "base/buf.h"
#include "base/errors.h"
#include "delivery/reply.h"

#include <check.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "493331295353223436133025706431447617"

static struct kdo_journal *j;

static void setup(void)
{
    j = kdo_journal_new();
}

static void teardown(void)
{
    kdo_journal_free(j);
    j = NULL;
}

/* The whole journal as written by kdo_journal_write (caller frees). */
static char *written(size_t *len)
{
    char *p = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&p, &n);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(kdo_journal_write(j, f), 0);
    fclose(f);
    *len = n;
    return p;
}

/* Parses line `want` (0-based) of the written journal; every line must parse
 * and carry "t" and "ev". */
static json_t *line(size_t want)
{
    size_t len;
    char *text = written(&len);
    json_t *found = NULL;
    size_t i = 0;
    for (char *p = text, *nl; *p; p = nl + 1, i++) {
        nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        json_error_t e;
        json_t *o = json_loadb(p, (size_t)(nl - p), 0, &e);
        if (o == NULL)
            ck_abort_msg("line %zu is not JSON (%s): %.*s", i, e.text, (int)(nl - p), p);
        ck_assert(json_is_object(o));
        ck_assert(json_is_number(json_object_get(o, "t")));
        ck_assert(json_is_string(json_object_get(o, "ev")));
        if (i == want)
            found = o;
        else
            json_decref(o);
    }
    free(text);
    ck_assert_uint_eq(i, kdo_journal_count(j));
    ck_assert_ptr_nonnull(found);
    return found;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_string(v), "\"%s\" is not a string", key);
    return json_string_value(v);
}

static json_int_t jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    ck_assert_msg(json_is_integer(v), "\"%s\" is not an integer", key);
    return json_integer_value(v);
}

START_TEST(new_journal_is_empty)
{
    ck_assert_uint_eq(kdo_journal_count(j), 0);
    ck_assert_ptr_null(kdo_journal_at(j, 0));
    ck_assert_str_eq(kdo_journal_str(j, 0), "");
    size_t len;
    char *text = written(&len);
    ck_assert_uint_eq(len, 0);
    free(text);
    kdo_journal_free(NULL);
}
END_TEST

START_TEST(append_each_kind_and_read_back)
{
    static const uint64_t seqs[] = {10, 11, 12};
    static const uint64_t hints[] = {0, 1, 2};
    static const uint8_t verdicts[] = {KDO_REASON_OK, KDO_REASON_NOT_RETURNED, KDO_REASON_OK};
    kdo_journal_start(j, 0, 77, PREFIX);
    kdo_journal_rows(j, 1 * KDO_S, KDO_J_ROWS_READ, 0, 3, 300);
    kdo_journal_rows(j, 2 * KDO_S, KDO_J_ROWS_EMITTED, 0, 3, 300);
    kdo_journal_invoke(j, 3 * KDO_S, 1, 1, 0, "guid-1", 999, 3, seqs, hints);
    struct kdo_jentry r = {.kind = KDO_J_REPLY};
    r.u.reply.number = 1;
    r.u.reply.status = 200;
    r.u.reply.outcome = KDO_TRANSPORT_DONE;
    r.u.reply.whole = KDO_REASON_OK;
    r.u.reply.duration = 20 * KDO_MS;
    r.u.reply.ok = 2;
    r.u.reply.failed = 1;
    r.u.reply.n = 3;
    kdo_journal_reply(j, 4 * KDO_S, &r, "no entry for a record", verdicts);
    kdo_journal_sample(j, 5 * KDO_S, 40, 4000, 1500, 7);
    kdo_journal_mark(j, 6 * KDO_S, KDO_J_PAUSE);
    kdo_journal_mark(j, 7 * KDO_S, KDO_J_RESUME);
    kdo_journal_restart(j, 8 * KDO_S, 12, 30 * KDO_S);
    kdo_journal_end(j, 9 * KDO_S, 5, 500);
    ck_assert_uint_eq(kdo_journal_count(j), 10);

    static const enum kdo_jkind kinds[] = {KDO_J_START, KDO_J_ROWS_READ, KDO_J_ROWS_EMITTED,
                                           KDO_J_INVOKE, KDO_J_REPLY, KDO_J_SAMPLE,
                                           KDO_J_PAUSE, KDO_J_RESUME, KDO_J_RESTART, KDO_J_END};
    for (size_t i = 0; i < 10; i++) {
        const struct kdo_jentry *e = kdo_journal_at(j, i);
        ck_assert_int_eq(e->kind, kinds[i]);
        ck_assert_int_eq(e->t, (kdo_time_ns)i * KDO_S);
    }
    const struct kdo_jentry *e = kdo_journal_at(j, 0);
    ck_assert_uint_eq(e->u.start.seed, 77);
    ck_assert_str_eq(kdo_journal_str(j, e->u.start.prefix), PREFIX);
    e = kdo_journal_at(j, 1);
    ck_assert_uint_eq(e->u.rows.first, 0);
    ck_assert_uint_eq(e->u.rows.count, 3);
    ck_assert_uint_eq(e->u.rows.bytes, 300);
    e = kdo_journal_at(j, 3);
    ck_assert_uint_eq(e->u.invoke.number, 1);
    ck_assert_uint_eq(e->u.invoke.round, 1);
    ck_assert_int_eq(e->u.invoke.retry, 0);
    ck_assert_uint_eq(e->u.invoke.bytes, 999);
    ck_assert_str_eq(kdo_journal_str(j, e->u.invoke.id), "guid-1");
    ck_assert_uint_eq(e->u.invoke.n, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_uint_eq(kdo_journal_seqs(j)[e->u.invoke.off + i], seqs[i]);
        ck_assert_uint_eq(kdo_journal_hints(j)[e->u.invoke.off + i], hints[i]);
    }
    e = kdo_journal_at(j, 4);
    ck_assert_uint_eq(e->u.reply.number, 1);
    ck_assert_int_eq(e->u.reply.status, 200);
    ck_assert_uint_eq(e->u.reply.ok, 2);
    ck_assert_uint_eq(e->u.reply.failed, 1);
    ck_assert_int_eq(e->u.reply.duration, 20 * KDO_MS);
    ck_assert_str_eq(kdo_journal_str(j, e->u.reply.detail), "no entry for a record");
    for (size_t i = 0; i < 3; i++)
        ck_assert_uint_eq(kdo_journal_verdicts(j)[e->u.reply.off + i], verdicts[i]);
    e = kdo_journal_at(j, 5);
    ck_assert_uint_eq(e->u.sample.rows, 40);
    ck_assert_uint_eq(e->u.sample.bytes, 4000);
    ck_assert_int_eq(e->u.sample.lag_ms, 1500);
    ck_assert_uint_eq(e->u.sample.unread, 7);
    e = kdo_journal_at(j, 8);
    ck_assert_uint_eq(e->u.restart.requeued, 12);
    ck_assert_int_eq(e->u.restart.downtime, 30 * KDO_S);
    e = kdo_journal_at(j, 9);
    ck_assert_uint_eq(e->u.sample.rows, 5);
    ck_assert_uint_eq(e->u.sample.bytes, 500);
    ck_assert_ptr_null(kdo_journal_at(j, 10));
}
END_TEST

START_TEST(invoke_copies_its_arrays)
{
    uint64_t seqs[] = {1, 2};
    uint64_t hints[] = {3, 4};
    kdo_journal_invoke(j, 0, 1, 1, 1, "g", 10, 2, seqs, hints);
    seqs[0] = hints[0] = 99;
    const struct kdo_jentry *e = kdo_journal_at(j, 0);
    ck_assert_int_eq(e->u.invoke.retry, 1);
    ck_assert_uint_eq(kdo_journal_seqs(j)[e->u.invoke.off], 1);
    ck_assert_uint_eq(kdo_journal_hints(j)[e->u.invoke.off], 3);
}
END_TEST

/* Many invocations: the side arrays grow (seqs and hints together) and every
 * entry still points at its own records. */
START_TEST(side_arrays_grow)
{
    uint64_t seqs[100], hints[100];
    for (uint64_t k = 0; k < 50; k++) {
        for (uint64_t i = 0; i < 100; i++) {
            seqs[i] = k * 100 + i;
            hints[i] = k + i;
        }
        kdo_journal_invoke(j, (kdo_time_ns)k * KDO_S, k + 1, k + 1, 0, "g", 1, 100, seqs, hints);
    }
    for (uint64_t k = 0; k < 50; k++) {
        const struct kdo_jentry *e = kdo_journal_at(j, k);
        ck_assert_uint_eq(e->u.invoke.n, 100);
        for (uint64_t i = 0; i < 100; i++) {
            ck_assert_uint_eq(kdo_journal_seqs(j)[e->u.invoke.off + i], k * 100 + i);
            ck_assert_uint_eq(kdo_journal_hints(j)[e->u.invoke.off + i], k + i);
        }
    }
}
END_TEST

START_TEST(rows_merge_when_contiguous_at_same_instant)
{
    kdo_journal_rows(j, KDO_S, KDO_J_ROWS_READ, 0, 5, 500);
    kdo_journal_rows(j, KDO_S, KDO_J_ROWS_READ, 5, 3, 300);
    kdo_journal_rows(j, KDO_S, KDO_J_ROWS_READ, 8, 1, 100);
    ck_assert_uint_eq(kdo_journal_count(j), 1);
    const struct kdo_jentry *e = kdo_journal_at(j, 0);
    ck_assert_int_eq(e->kind, KDO_J_ROWS_READ);
    ck_assert_uint_eq(e->u.rows.first, 0);
    ck_assert_uint_eq(e->u.rows.count, 9);
    ck_assert_uint_eq(e->u.rows.bytes, 900);
}
END_TEST

START_TEST(rows_merge_when_read_and_emitted_alternate)
{
    for (uint64_t k = 0; k < 10; k++) {
        kdo_journal_rows(j, 2 * KDO_S, KDO_J_ROWS_READ, 100 + k, 1, 10);
        kdo_journal_rows(j, 2 * KDO_S, KDO_J_ROWS_EMITTED, k, 1, 20);
    }
    ck_assert_uint_eq(kdo_journal_count(j), 2);
    const struct kdo_jentry *r = kdo_journal_at(j, 0), *m = kdo_journal_at(j, 1);
    ck_assert_int_eq(r->kind, KDO_J_ROWS_READ);
    ck_assert_uint_eq(r->u.rows.first, 100);
    ck_assert_uint_eq(r->u.rows.count, 10);
    ck_assert_uint_eq(r->u.rows.bytes, 100);
    ck_assert_int_eq(m->kind, KDO_J_ROWS_EMITTED);
    ck_assert_uint_eq(m->u.rows.first, 0);
    ck_assert_uint_eq(m->u.rows.count, 10);
    ck_assert_uint_eq(m->u.rows.bytes, 200);
}
END_TEST

START_TEST(rows_do_not_merge_otherwise)
{
    static const uint64_t seq[] = {0}, hint[] = {0};
    kdo_journal_rows(j, KDO_S, KDO_J_ROWS_READ, 0, 5, 500);
    kdo_journal_rows(j, 2 * KDO_S, KDO_J_ROWS_READ, 5, 5, 500); /* another instant */
    kdo_journal_rows(j, 2 * KDO_S, KDO_J_ROWS_READ, 11, 1, 100); /* a gap */
    kdo_journal_rows(j, 2 * KDO_S, KDO_J_ROWS_EMITTED, 12, 1, 100); /* another kind */
    kdo_journal_invoke(j, 2 * KDO_S, 1, 1, 0, "g", 1, 1, seq, hint);
    kdo_journal_rows(j, 2 * KDO_S, KDO_J_ROWS_EMITTED, 13, 1, 100); /* after an invoke */
    ck_assert_uint_eq(kdo_journal_count(j), 6);
    ck_assert_uint_eq(kdo_journal_at(j, 0)->u.rows.count, 5);
    ck_assert_uint_eq(kdo_journal_at(j, 1)->u.rows.first, 5);
    ck_assert_uint_eq(kdo_journal_at(j, 2)->u.rows.first, 11);
    ck_assert_uint_eq(kdo_journal_at(j, 3)->u.rows.first, 12);
    ck_assert_uint_eq(kdo_journal_at(j, 5)->u.rows.first, 13);
    ck_assert_uint_eq(kdo_journal_at(j, 5)->u.rows.count, 1);
}
END_TEST

START_TEST(record_id_is_prefix_and_20_digit_row)
{
    char id[57];
    kdo_journal_record_id(PREFIX, 42, id);
    ck_assert_uint_eq(strlen(id), 56);
    ck_assert_str_eq(id, PREFIX "00000000000000000042");
    kdo_journal_record_id(PREFIX, 0, id);
    ck_assert_str_eq(id, PREFIX "00000000000000000000");
    kdo_journal_record_id(PREFIX, UINT64_MAX, id);
    ck_assert_str_eq(id, PREFIX "18446744073709551615");
    for (size_t i = 0; i < 56; i++)
        ck_assert_msg(id[i] >= '0' && id[i] <= '9', "id[%zu] = '%c'", i, id[i]);
}
END_TEST

static void sample_run(void)
{
    static const uint64_t seqs1[] = {0, 1, 2}, hints1[] = {0, 0, 0};
    static const uint64_t seqs2[] = {1}, hints2[] = {1};
    static const uint8_t v1[] = {KDO_REASON_OK, KDO_REASON_NO_RESULT, KDO_REASON_OK};
    static const uint8_t v2[] = {KDO_REASON_OK};
    kdo_journal_start(j, 0, 5, PREFIX);
    kdo_journal_rows(j, 200 * KDO_MS, KDO_J_ROWS_READ, 0, 3, 240);
    kdo_journal_rows(j, 200 * KDO_MS, KDO_J_ROWS_EMITTED, 0, 3, 240);
    kdo_journal_invoke(j, KDO_S, 1, 1, 0, "11111111-2222-4333-8444-555555555555", 700, 3, seqs1,
                       hints1);
    struct kdo_jentry r = {.kind = KDO_J_REPLY};
    r.u.reply.number = 1;
    r.u.reply.status = 200;
    r.u.reply.whole = KDO_REASON_OK;
    r.u.reply.duration = 1020 * KDO_MS - KDO_S;
    r.u.reply.ok = 2;
    r.u.reply.failed = 1;
    r.u.reply.n = 3;
    kdo_journal_reply(j, 1020 * KDO_MS, &r, "entry 1 has no \"result\"", v1);
    kdo_journal_invoke(j, 2020 * KDO_MS, 2, 1, 1, "66666666-2222-4333-8444-555555555555", 300, 1,
                       seqs2, hints2);
    r.u.reply.number = 2;
    r.u.reply.ok = 1;
    r.u.reply.failed = 0;
    r.u.reply.n = 1;
    kdo_journal_reply(j, 2040 * KDO_MS, &r, NULL, v2);
    kdo_journal_sample(j, 3 * KDO_S, 0, 0, 12, 0);
    kdo_journal_mark(j, 4 * KDO_S, KDO_J_PAUSE);
    kdo_journal_mark(j, 5 * KDO_S, KDO_J_RESUME);
    kdo_journal_restart(j, 6 * KDO_S, 2, 1500 * KDO_MS);
    kdo_journal_end(j, 7 * KDO_S, 0, 0);
}

START_TEST(write_every_line_is_json_with_t_and_ev)
{
    static const char *const evs[] = {"start", "rows_read", "rows_emitted", "invoke", "reply",
                                      "invoke", "reply", "sample", "source_paused",
                                      "source_resumed", "restart", "end"};
    sample_run();
    ck_assert_uint_eq(kdo_journal_count(j), 12);
    for (size_t i = 0; i < 12; i++) {
        json_t *o = line(i);
        ck_assert_str_eq(jstr(o, "ev"), evs[i]);
        json_decref(o);
    }
    json_t *o = line(0);
    ck_assert_int_eq(jint(o, "seed"), 5);
    ck_assert_str_eq(jstr(o, "recordIdPrefix"), PREFIX);
    json_decref(o);
    o = line(4);
    ck_assert_double_eq_tol(json_number_value(json_object_get(o, "t")), 1.02, 1e-9);
    ck_assert_int_eq(jint(o, "durationMs"), 20);
    json_decref(o);
    o = line(10);
    ck_assert_int_eq(jint(o, "requeued"), 2);
    ck_assert_int_eq(jint(o, "downtimeMs"), 1500);
    json_decref(o);
}
END_TEST

START_TEST(invoke_line_lists_record_ids_and_hints)
{
    char id[57];
    sample_run();
    json_t *o = line(3);
    ck_assert_int_eq(jint(o, "n"), 1);
    ck_assert_int_eq(jint(o, "round"), 1);
    ck_assert(json_is_false(json_object_get(o, "retry")));
    ck_assert_str_eq(jstr(o, "invocationId"), "11111111-2222-4333-8444-555555555555");
    ck_assert_int_eq(jint(o, "bytes"), 700);
    ck_assert_int_eq(jint(o, "records"), 3);
    json_t *ids = json_object_get(o, "recordIds"), *hints = json_object_get(o, "retryHints");
    ck_assert_uint_eq(json_array_size(ids), 3);
    ck_assert_uint_eq(json_array_size(hints), 3);
    for (size_t i = 0; i < 3; i++) {
        kdo_journal_record_id(PREFIX, i, id);
        ck_assert_str_eq(json_string_value(json_array_get(ids, i)), id);
        ck_assert_int_eq(json_integer_value(json_array_get(hints, i)), 0);
    }
    json_decref(o);
    o = line(5);
    ck_assert(json_is_true(json_object_get(o, "retry")));
    kdo_journal_record_id(PREFIX, 1, id);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(o, "recordIds"), 0)), id);
    ck_assert_int_eq(json_integer_value(json_array_get(json_object_get(o, "retryHints"), 0)), 1);
    json_decref(o);
}
END_TEST

START_TEST(reply_line_lists_failed_records_with_reasons)
{
    char id[57];
    sample_run();
    json_t *o = line(4);
    ck_assert_int_eq(jint(o, "n"), 1);
    ck_assert_str_eq(jstr(o, "outcome"), "reply");
    ck_assert_int_eq(jint(o, "status"), 200);
    ck_assert(json_is_false(json_object_get(o, "functionError")));
    ck_assert_str_eq(jstr(o, "verdict"), "ok");
    ck_assert_int_eq(jint(o, "ok"), 2);
    ck_assert_int_eq(jint(o, "failed"), 1);
    ck_assert_str_eq(jstr(o, "detail"), "entry 1 has no \"result\"");
    json_t *failed = json_object_get(o, "failedRecords");
    ck_assert_uint_eq(json_array_size(failed), 1);
    kdo_journal_record_id(PREFIX, 1, id);
    ck_assert_str_eq(jstr(json_array_get(failed, 0), "recordId"), id);
    ck_assert_str_eq(jstr(json_array_get(failed, 0), "reason"), "entry_without_result");
    json_decref(o);
    o = line(6);
    ck_assert_uint_eq(json_array_size(json_object_get(o, "failedRecords")), 0);
    ck_assert_str_eq(jstr(o, "detail"), "");
    json_decref(o);
}
END_TEST

/* A reply failing a whole invocation lists every record with that reason;
 * transport outcomes have their own names. */
START_TEST(reply_line_for_whole_failures)
{
    static const uint64_t seqs[] = {7, 8}, hints[] = {2, 2};
    static const uint8_t v[] = {KDO_REASON_TRANSPORT_TIMEOUT, KDO_REASON_TRANSPORT_TIMEOUT};
    char id[57];
    kdo_journal_start(j, 0, 1, PREFIX);
    kdo_journal_invoke(j, KDO_S, 3, 2, 1, "g", 10, 2, seqs, hints);
    struct kdo_jentry r = {.kind = KDO_J_REPLY};
    r.u.reply.number = 3;
    r.u.reply.outcome = KDO_TRANSPORT_TIMEDOUT;
    r.u.reply.whole = KDO_REASON_TRANSPORT_TIMEOUT;
    r.u.reply.failed = 2;
    r.u.reply.n = 2;
    kdo_journal_reply(j, 9 * KDO_S, &r, "no reply", v);
    json_t *o = line(2);
    ck_assert_str_eq(jstr(o, "outcome"), "transport_timeout");
    ck_assert_int_eq(jint(o, "status"), 0);
    ck_assert_str_eq(jstr(o, "verdict"), "transport_timeout");
    json_t *failed = json_object_get(o, "failedRecords");
    ck_assert_uint_eq(json_array_size(failed), 2);
    for (size_t i = 0; i < 2; i++) {
        kdo_journal_record_id(PREFIX, seqs[i], id);
        ck_assert_str_eq(jstr(json_array_get(failed, i), "recordId"), id);
        ck_assert_str_eq(jstr(json_array_get(failed, i), "reason"), "transport_timeout");
    }
    json_decref(o);
}
END_TEST

/* A reply whose invocation is not in the journal (a crafted journal) still
 * renders: its failed records show as "?". */
START_TEST(reply_without_its_invoke)
{
    static const uint8_t v[] = {KDO_REASON_DELIVERY_FAILED};
    struct kdo_jentry r = {.kind = KDO_J_REPLY};
    r.u.reply.number = 4;
    r.u.reply.failed = 1;
    r.u.reply.n = 1;
    kdo_journal_reply(j, KDO_S, &r, NULL, v);
    json_t *o = line(0);
    json_t *failed = json_object_get(o, "failedRecords");
    ck_assert_uint_eq(json_array_size(failed), 1);
    ck_assert_str_eq(jstr(json_array_get(failed, 0), "recordId"), "?");
    ck_assert_str_eq(jstr(json_array_get(failed, 0), "reason"), "delivery_failed");
    json_decref(o);
}
END_TEST

START_TEST(format_one_entry)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 16);
    kdo_journal_rows(j, 1500 * KDO_MS, KDO_J_ROWS_READ, 0, 8, 800);
    kdo_journal_sample(j, 2 * KDO_S + 1234567, 10, 1000, 250, 3);
    kdo_journal_format(j, 0, &b);
    ck_assert_str_eq(b.data, "{\"t\":1.500000,\"ev\":\"rows_read\",\"first\":0,\"count\":8,"
                             "\"bytes\":800}");
    kdo_buf_reset(&b);
    kdo_journal_format(j, 1, &b);
    ck_assert_str_eq(b.data, "{\"t\":2.001234,\"ev\":\"sample\",\"bufferRows\":10,"
                             "\"bufferBytes\":1000,\"MillisBehindLatest\":250,"
                             "\"unreadSourceRows\":3}");
    kdo_buf_reset(&b);
    kdo_journal_format(j, 2, &b); /* out of range: nothing */
    ck_assert_uint_eq(b.len, 0);
    kdo_buf_cleanup(&b);
}
END_TEST

START_TEST(write_twice_gives_identical_bytes)
{
    sample_run();
    size_t n1, n2;
    char *a = written(&n1), *b = written(&n2);
    ck_assert_uint_gt(n1, 0);
    ck_assert_uint_eq(n1, n2);
    ck_assert_int_eq(memcmp(a, b, n1), 0);
    /* And each line equals kdo_journal_format of its entry. */
    struct kdo_buf buf;
    kdo_buf_init(&buf, 1 << 20);
    for (size_t i = 0; i < kdo_journal_count(j); i++) {
        kdo_journal_format(j, i, &buf);
        kdo_buf_puts(&buf, "\n");
    }
    ck_assert_uint_eq(buf.len, n1);
    ck_assert_int_eq(memcmp(buf.data, a, n1), 0);
    kdo_buf_cleanup(&buf);
    free(a);
    free(b);
}
END_TEST

/* An invocation and a reply with no records are plain data too (an edge the
 * engine may never produce, but the journal must not hand NULL to memcpy:
 * UBSan checks it in the sanitizer build). */
START_TEST(invoke_without_records)
{
    kdo_journal_invoke(j, 0, 1, 1, 0, "g", 2, 0, NULL, NULL);
    struct kdo_jentry r = {.kind = KDO_J_REPLY};
    r.u.reply.number = 1;
    r.u.reply.status = 200;
    kdo_journal_reply(j, KDO_MS, &r, NULL, NULL);
    json_t *o = line(0);
    ck_assert_uint_eq(json_array_size(json_object_get(o, "recordIds")), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(o, "retryHints")), 0);
    json_decref(o);
    o = line(1);
    ck_assert_uint_eq(json_array_size(json_object_get(o, "failedRecords")), 0);
    json_decref(o);
}
END_TEST

/* A pause names the destination whose stream is full, when the application
 * has several; with one (NULL) or an empty id the line has no such field. */
START_TEST(pause_with_and_without_a_destination)
{
    kdo_journal_pause(j, 1500 * KDO_MS, NULL);
    kdo_journal_pause(j, 2 * KDO_S, "1.3");
    kdo_journal_pause(j, 3 * KDO_S, "");
    ck_assert_uint_eq(kdo_journal_count(j), 3);
    ck_assert_int_eq(kdo_journal_at(j, 0)->kind, KDO_J_PAUSE);
    ck_assert_uint_eq(kdo_journal_at(j, 0)->u.pause.full, 0);
    ck_assert_str_eq(kdo_journal_str(j, kdo_journal_at(j, 1)->u.pause.full), "1.3");
    ck_assert_uint_eq(kdo_journal_at(j, 2)->u.pause.full, 0);
    size_t len;
    char *text = written(&len);
    ck_assert_str_eq(text, "{\"t\":1.500000,\"ev\":\"source_paused\"}\n"
                           "{\"t\":2.000000,\"ev\":\"source_paused\",\"fullDestination\":\"1.3\"}\n"
                           "{\"t\":3.000000,\"ev\":\"source_paused\"}\n");
    free(text);
    /* kdo_journal_mark(PAUSE), the one-destination form of old, is the same as NULL. */
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 10);
    kdo_journal_mark(j, 4 * KDO_S, KDO_J_PAUSE);
    kdo_journal_format(j, 3, &b);
    ck_assert_str_eq(b.data, "{\"t\":4.000000,\"ev\":\"source_paused\"}");
    kdo_buf_cleanup(&b);
}
END_TEST

#define PREFIX2 "111111111111111111111111111111111111"

/* kdo_journal_write_merged into memory (caller frees). */
static char *merged(const struct kdo_journal *const *js, const char *const *ids, size_t n, int *rc)
{
    char *p = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&p, &len);
    ck_assert_ptr_nonnull(f);
    *rc = kdo_journal_write_merged(js, ids, n, f);
    fclose(f);
    return p;
}

/* Three lanes' journals as one stream: in time order, ties to the first
 * journal (also with several entries of one journal at that instant), each
 * journal's own order kept, each line led by its "dest", and each invoke's
 * recordIds under its own journal's prefix. */
START_TEST(write_merged_orders_by_time_ties_to_the_first)
{
    static const uint64_t seq[] = {7}, hint[] = {0};
    struct kdo_journal *b = kdo_journal_new(), *c = kdo_journal_new();
    kdo_journal_start(j, 0, 5, PREFIX);
    kdo_journal_rows(j, KDO_S, KDO_J_ROWS_READ, 0, 2, 200);
    kdo_journal_mark(j, KDO_S, KDO_J_RESUME);
    kdo_journal_sample(j, 2 * KDO_S, 1, 100, 0, 0);
    kdo_journal_start(b, 0, 5, PREFIX2);
    kdo_journal_rows(b, KDO_S, KDO_J_ROWS_READ, 0, 2, 200);
    kdo_journal_pause(b, 1500 * KDO_MS, "1.2");
    kdo_journal_invoke(b, 2 * KDO_S, 1, 1, 0, "g", 50, 1, seq, hint);
    kdo_journal_rows(c, 500 * KDO_MS, KDO_J_ROWS_READ, 0, 1, 100);
    kdo_journal_pause(c, 2 * KDO_S, NULL);
    const struct kdo_journal *js[] = {j, b, c};
    const char *ids[] = {"1.1", "1.2", "1.3"};
    int rc;
    char *text = merged(js, ids, 3, &rc);
    ck_assert_int_eq(rc, 0);
    static const char *const want[] = {
        "{\"dest\":\"1.1\",\"t\":0.000000,\"ev\":\"start\",\"seed\":5,\"recordIdPrefix\":\"" PREFIX
        "\"}",
        "{\"dest\":\"1.2\",\"t\":0.000000,\"ev\":\"start\",\"seed\":5,\"recordIdPrefix\":\"" PREFIX2
        "\"}",
        "{\"dest\":\"1.3\",\"t\":0.500000,\"ev\":\"rows_read\",\"first\":0,\"count\":1,\"bytes\":"
        "100}",
        "{\"dest\":\"1.1\",\"t\":1.000000,\"ev\":\"rows_read\",\"first\":0,\"count\":2,\"bytes\":"
        "200}",
        "{\"dest\":\"1.1\",\"t\":1.000000,\"ev\":\"source_resumed\"}",
        "{\"dest\":\"1.2\",\"t\":1.000000,\"ev\":\"rows_read\",\"first\":0,\"count\":2,\"bytes\":"
        "200}",
        "{\"dest\":\"1.2\",\"t\":1.500000,\"ev\":\"source_paused\",\"fullDestination\":\"1.2\"}",
        "{\"dest\":\"1.1\",\"t\":2.000000,\"ev\":\"sample\",\"bufferRows\":1,\"bufferBytes\":100,"
        "\"MillisBehindLatest\":0,\"unreadSourceRows\":0}",
        "{\"dest\":\"1.2\",\"t\":2.000000,\"ev\":\"invoke\",\"n\":1,\"round\":1,\"retry\":false,"
        "\"invocationId\":\"g\",\"bytes\":50,\"records\":1,\"recordIds\":[\"" PREFIX2
        "00000000000000000007\"],\"retryHints\":[0]}",
        "{\"dest\":\"1.3\",\"t\":2.000000,\"ev\":\"source_paused\"}",
    };
    size_t n = 0;
    for (char *p = text, *nl; *p; p = nl + 1, n++) {
        nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        *nl = '\0';
        ck_assert_uint_lt(n, sizeof want / sizeof want[0]);
        ck_assert_msg(strcmp(p, want[n]) == 0, "line %zu:\n  got  %s\n  want %s", n, p, want[n]);
    }
    ck_assert_uint_eq(n, sizeof want / sizeof want[0]);
    free(text);
    /* Every line is JSON with "dest" first. */
    text = merged(js, ids, 3, &rc);
    size_t lines = 0;
    for (char *p = text, *nl; *p; p = nl + 1, lines++) {
        nl = strchr(p, '\n');
        ck_assert_ptr_nonnull(nl);
        json_error_t e;
        json_t *o = json_loadb(p, (size_t)(nl - p), 0, &e);
        ck_assert_msg(o != NULL, "line %zu is not JSON (%s)", lines, e.text);
        ck_assert(json_is_string(json_object_get(o, "dest")));
        ck_assert_int_eq(strncmp(p, "{\"dest\":", 8), 0);
        json_decref(o);
    }
    ck_assert_uint_eq(lines, kdo_journal_count(j) + kdo_journal_count(b) + kdo_journal_count(c));
    free(text);
    kdo_journal_free(b);
    kdo_journal_free(c);
}
END_TEST

/* One journal merged is kdo_journal_write with "dest" put first on each
 * line; none is nothing; more than 8 is refused with nothing written; a
 * stream that cannot be written is KDO_EIO. */
START_TEST(write_merged_edges)
{
    sample_run();
    const struct kdo_journal *js[9] = {j, j, j, j, j, j, j, j, j};
    const char *ids[9] = {"1.1", "1.1", "1.1", "1.1", "1.1", "1.1", "1.1", "1.1", "1.1"};
    int rc;
    size_t len;
    char *one = merged(js, ids, 1, &rc), *plain = written(&len);
    ck_assert_int_eq(rc, 0);
    struct kdo_buf want;
    kdo_buf_init(&want, 1 << 20);
    for (char *p = plain, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        kdo_buf_puts(&want, "{\"dest\":\"1.1\",");
        kdo_buf_append(&want, p + 1, (size_t)(nl - p)); /* without '{', with '\n' */
    }
    size_t at = 0; /* the first difference, kept short for Check's message */
    while (one[at] && one[at] == want.data[at])
        at++;
    ck_assert_msg(one[at] == want.data[at], "differs at byte %zu:\n  got  %.80s\n  want %.80s", at,
                  one + at, want.data + at);
    kdo_buf_cleanup(&want);
    free(one);
    free(plain);
    char *none = merged(js, ids, 0, &rc);
    ck_assert_int_eq(rc, 0);
    ck_assert_str_eq(none, "");
    free(none);
    char *nine = merged(js, ids, 9, &rc);
    ck_assert_int_eq(rc, KDO_EINVAL);
    ck_assert_str_eq(nine, "");
    free(nine);
    FILE *ro = fopen("/dev/null", "r");
    ck_assert_ptr_nonnull(ro);
    ck_assert_int_eq(kdo_journal_write_merged(js, ids, 2, ro), KDO_EIO);
    fclose(ro);
}
END_TEST


/* ---- a journal as a stream ------------------------------------------------ */

/* A day's worth of a failing run in miniature: every kind of entry, ranges
 * that fold, invocations with their replies, error rows with data. */
static void record_a_run(struct kdo_journal *jj, size_t rounds)
{
    uint64_t seqs[64], hints[64];
    uint8_t verdicts[64];
    char data[300];
    memset(data, 'x', sizeof data);
    kdo_journal_start(jj, 0, 7, PREFIX);
    for (size_t r = 0; r < rounds; r++) {
        kdo_time_ns t = (kdo_time_ns)r * KDO_S;
        kdo_journal_rows(jj, t, KDO_J_ROWS_READ, 10 * r, 5, 50);
        kdo_journal_rows(jj, t, KDO_J_ROWS_EMITTED, 10 * r, 5, 50);
        kdo_journal_rows(jj, t, KDO_J_ROWS_READ, 10 * r + 5, 5, 50); /* folds two back */
        kdo_journal_rows(jj, t, KDO_J_ROWS_EMITTED, 10 * r + 5, 5, 50);
        size_t n = 1 + r % 64;
        for (size_t i = 0; i < n; i++) {
            seqs[i] = 10 * r + i;
            hints[i] = r % 3;
            verdicts[i] = i % 2 ? KDO_REASON_OK : KDO_REASON_DELIVERY_FAILED;
        }
        char id[40];
        snprintf(id, sizeof id, "inv-%zu", r);
        kdo_journal_invoke(jj, t + 1 * KDO_US, r + 1, r + 1, (int)(r % 2), id, 100 * n, n, seqs, hints);
        struct kdo_jentry e = {0};
        e.u.reply.number = r + 1;
        e.u.reply.status = 200;
        e.u.reply.n = n;
        e.u.reply.failed = n / 2;
        kdo_journal_reply(jj, t + 2 * KDO_US, &e, r % 5 ? "" : "some detail", verdicts);
        kdo_journal_sample(jj, t + 3 * KDO_US, r, 100 * r, (int64_t)r * 10, r);
        if (r % 7 == 0) {
            struct kdo_error_row er = {r, "PARSE_ERROR", "no", data, sizeof data, 1, 2, "PUMP"};
            kdo_journal_error_stream(jj, t + 4 * KDO_US, &er);
        }
        if (r % 11 == 0) {
            kdo_journal_pause(jj, t + 5 * KDO_US, r % 2 ? "1.2" : NULL);
            kdo_journal_mark(jj, t + 6 * KDO_US, KDO_J_RESUME);
        }
        if (r % 13 == 0)
            kdo_journal_restart(jj, t + 7 * KDO_US, r, KDO_S);
    }
    kdo_journal_end(jj, (kdo_time_ns)rounds * KDO_S, 3, 30);
}

struct seen {
    struct kdo_buf text;
    size_t next;  /* the index the next entry must have */
    int out_of_order;
};

static void see(void *ctx, const struct kdo_journal *jj, size_t i)
{
    struct seen *s = ctx;
    s->out_of_order |= i != s->next++;
    kdo_journal_format(jj, i, &s->text);
    kdo_buf_puts(&s->text, "\n");
}

START_TEST(forgetting_journal_tells_every_entry_once_in_order)
{
    struct kdo_journal *f = kdo_journal_new();
    struct seen s = {.next = 0};
    char *sunk = NULL;
    size_t sunk_len = 0;
    FILE *sink = open_memstream(&sunk, &sunk_len);
    kdo_buf_init(&s.text, SIZE_MAX / 2);
    ck_assert_int_eq(kdo_journal_watch(f, see, &s), 0);
    kdo_journal_sink(f, sink);
    kdo_journal_forget(f);
    record_a_run(j, 2000);
    record_a_run(f, 2000);
    fclose(sink);
    size_t len;
    char *whole = written(&len);
    ck_assert_int_eq(s.out_of_order, 0);
    ck_assert_uint_eq(s.next, kdo_journal_count(j));
    ck_assert_uint_eq(kdo_journal_count(f), kdo_journal_count(j));
    ck_assert_uint_eq(s.text.len, len);
    ck_assert_int_eq(memcmp(s.text.data, whole, len), 0); /* watchers read what a kept journal writes */
    ck_assert_uint_eq(sunk_len, len);
    ck_assert_int_eq(memcmp(sunk, whole, len), 0);
    ck_assert_int_eq(kdo_journal_sink_error(f), 0);
    /* Old entries are gone, the latest invoke and reply are still there. */
    ck_assert_ptr_null(kdo_journal_at(f, 1));
    size_t last = kdo_journal_count(f) - 1, invoke = SIZE_MAX, reply = SIZE_MAX;
    for (size_t i = last + 1; i-- > 0 && (invoke == SIZE_MAX || reply == SIZE_MAX);) {
        const struct kdo_jentry *e = kdo_journal_at(j, i);
        if (e->kind == KDO_J_INVOKE && invoke == SIZE_MAX)
            invoke = i;
        if (e->kind == KDO_J_REPLY && reply == SIZE_MAX)
            reply = i;
    }
    ck_assert_ptr_nonnull(kdo_journal_at(f, invoke));
    ck_assert_ptr_nonnull(kdo_journal_at(f, reply));
    ck_assert_ptr_nonnull(kdo_journal_at(f, last));
    free(whole);
    free(sunk);
    kdo_buf_cleanup(&s.text);
    kdo_journal_free(f);
}
END_TEST

START_TEST(forgetting_journal_holds_a_constant)
{
    struct kdo_journal *f = kdo_journal_new();
    kdo_journal_forget(f);
    record_a_run(f, 1000);
    size_t after_1k = kdo_journal_held_bytes(f);
    record_a_run(f, 100000);
    size_t after_100k = kdo_journal_held_bytes(f);
    record_a_run(j, 1000);
    size_t kept_1k = kdo_journal_held_bytes(j);
    ck_assert_uint_le(after_100k, 1u << 20);
    ck_assert_uint_le(after_100k, 2 * after_1k + 4096); /* does not grow with the run */
    ck_assert_uint_gt(kept_1k, after_1k);                 /* a kept journal does */
    kdo_journal_free(f);
}
END_TEST

START_TEST(a_reply_finds_its_invoke_after_forgetting)
{
    struct kdo_journal *f = kdo_journal_new();
    struct seen s = {.next = 0};
    kdo_buf_init(&s.text, SIZE_MAX / 2);
    kdo_journal_forget(f);
    record_a_run(f, 300); /* enough to compact many times */
    ck_assert_int_eq(kdo_journal_watch(f, see, &s), 0);
    uint64_t seqs[2] = {123456, 123457}, hints[2] = {4, 4};
    uint8_t verdicts[2] = {KDO_REASON_OK, KDO_REASON_NO_RESULT};
    kdo_journal_invoke(f, 400 * KDO_S, 999, 999, 1, "late", 200, 2, seqs, hints);
    for (int i = 0; i < 300; i++) /* samples pile up between an invoke and its reply */
        kdo_journal_sample(f, 400 * KDO_S + i, 1, 1, 1, 1);
    struct kdo_jentry e = {0};
    e.u.reply.number = 999;
    e.u.reply.n = 2;
    e.u.reply.failed = 1;
    kdo_journal_reply(f, 401 * KDO_S, &e, "", verdicts);
    kdo_journal_flush(f);
    ck_assert_ptr_nonnull(strstr(s.text.data, "\"recordId\":\"" PREFIX "00000000000000123457\""));
    kdo_buf_cleanup(&s.text);
    kdo_journal_free(f);
}
END_TEST

START_TEST(merge_files_equals_write_merged)
{
    struct kdo_journal *a = kdo_journal_new(), *b = kdo_journal_new();
    FILE *fa = tmpfile(), *fb = tmpfile();
    kdo_journal_sink(a, fa);
    kdo_journal_sink(b, fb);
    record_a_run(a, 50);
    record_a_run(b, 40);
    /* Times differ in whole microseconds, as the lines print them. */
    const struct kdo_journal *js[2] = {a, b};
    const char *ids[2] = {"1.1", "1.2"};
    char *want = NULL, *got = NULL;
    size_t want_len = 0, got_len = 0;
    FILE *w = open_memstream(&want, &want_len), *g = open_memstream(&got, &got_len);
    ck_assert_int_eq(kdo_journal_write_merged(js, ids, 2, w), 0);
    FILE *ins[2] = {fa, fb};
    ck_assert_int_eq(kdo_journal_merge_files(ins, ids, 2, g), 0);
    fclose(w);
    fclose(g);
    ck_assert_uint_eq(got_len, want_len);
    ck_assert_int_eq(memcmp(got, want, want_len), 0);
    /* A file that is not a journal is refused. */
    FILE *bad = tmpfile();
    fputs("not a journal\n", bad);
    FILE *ins_bad[1] = {bad};
    FILE *sinkhole = fopen("/dev/null", "w");
    ck_assert_int_eq(kdo_journal_merge_files(ins_bad, ids, 1, sinkhole), KDO_EINVAL);
    fclose(sinkhole);
    fclose(bad);
    fclose(fa);
    fclose(fb);
    free(want);
    free(got);
    kdo_journal_free(a);
    kdo_journal_free(b);
}
END_TEST

START_TEST(sink_write_errors_are_kept)
{
    FILE *full = fopen("/dev/full", "w");
    if (full == NULL)
        return; /* no /dev/full here */
    setvbuf(full, NULL, _IONBF, 0);
    kdo_journal_sink(j, full);
    record_a_run(j, 3);
    ck_assert_int_eq(kdo_journal_sink_error(j), KDO_EIO);
    fclose(full);
}
END_TEST

START_TEST(format_brief_stops_long_lists)
{
    uint64_t seqs[1000], hints[1000] = {0};
    for (int i = 0; i < 1000; i++)
        seqs[i] = (uint64_t)i;
    kdo_journal_start(j, 0, 1, PREFIX);
    kdo_journal_invoke(j, 0, 1, 1, 0, "g", 100, 1000, seqs, hints);
    struct kdo_buf b;
    kdo_buf_init(&b, SIZE_MAX / 2);
    kdo_journal_format_brief(j, 1, &b, 400);
    ck_assert_uint_lt(b.len, 600);
    ck_assert_uint_gt(b.len, 400);
    kdo_buf_reset(&b);
    kdo_journal_format(j, 1, &b);
    ck_assert_uint_gt(b.len, 1000 * 57);
    kdo_buf_cleanup(&b);
}
END_TEST


START_TEST(a_told_entry_never_changes)
{
    struct seen s = {.next = 0};
    kdo_buf_init(&s.text, SIZE_MAX / 2);
    ck_assert_int_eq(kdo_journal_watch(j, see, &s), 0);
    kdo_journal_rows(j, KDO_S, KDO_J_ROWS_READ, 0, 5, 50);
    kdo_journal_flush(j); /* told as [0, 5) */
    kdo_journal_rows(j, KDO_S, KDO_J_ROWS_READ, 5, 5, 50);
    kdo_journal_flush(j);
    ck_assert_uint_eq(kdo_journal_count(j), 2); /* a new entry, not a changed one */
    ck_assert_uint_eq(kdo_journal_at(j, 0)->u.rows.count, 5);
    ck_assert_ptr_nonnull(strstr(s.text.data, "\"first\":5,\"count\":5"));
    kdo_buf_cleanup(&s.text);
    /* A journal that forgot entries cannot be written whole. */
    struct kdo_journal *f = kdo_journal_new();
    kdo_journal_forget(f);
    record_a_run(f, 300);
    FILE *null = fopen("/dev/null", "w");
    ck_assert_int_eq(kdo_journal_write(f, null), KDO_EINVAL);
    const struct kdo_journal *js[1] = {f};
    const char *ids[1] = {"1.1"};
    ck_assert_int_eq(kdo_journal_write_merged(js, ids, 1, null), KDO_EINVAL);
    fclose(null);
    kdo_journal_free(f);
}
END_TEST

static Suite *journal_suite(void)
{
    Suite *s = suite_create("journal");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"new_journal_is_empty", new_journal_is_empty},
        {"append_each_kind_and_read_back", append_each_kind_and_read_back},
        {"invoke_copies_its_arrays", invoke_copies_its_arrays},
        {"side_arrays_grow", side_arrays_grow},
        {"rows_merge_when_contiguous_at_same_instant", rows_merge_when_contiguous_at_same_instant},
        {"rows_merge_when_read_and_emitted_alternate", rows_merge_when_read_and_emitted_alternate},
        {"rows_do_not_merge_otherwise", rows_do_not_merge_otherwise},
        {"record_id_is_prefix_and_20_digit_row", record_id_is_prefix_and_20_digit_row},
        {"write_every_line_is_json_with_t_and_ev", write_every_line_is_json_with_t_and_ev},
        {"invoke_line_lists_record_ids_and_hints", invoke_line_lists_record_ids_and_hints},
        {"reply_line_lists_failed_records_with_reasons",
         reply_line_lists_failed_records_with_reasons},
        {"reply_line_for_whole_failures", reply_line_for_whole_failures},
        {"reply_without_its_invoke", reply_without_its_invoke},
        {"format_one_entry", format_one_entry},
        {"write_twice_gives_identical_bytes", write_twice_gives_identical_bytes},
        {"invoke_without_records", invoke_without_records},
        {"pause_with_and_without_a_destination", pause_with_and_without_a_destination},
        {"write_merged_orders_by_time_ties_to_the_first",
         write_merged_orders_by_time_ties_to_the_first},
        {"write_merged_edges", write_merged_edges},
        {"forgetting_journal_tells_every_entry_once_in_order",
         forgetting_journal_tells_every_entry_once_in_order},
        {"forgetting_journal_holds_a_constant", forgetting_journal_holds_a_constant},
        {"a_reply_finds_its_invoke_after_forgetting", a_reply_finds_its_invoke_after_forgetting},
        {"merge_files_equals_write_merged", merge_files_equals_write_merged},
        {"sink_write_errors_are_kept", sink_write_errors_are_kept},
        {"format_brief_stops_long_lists", format_brief_stops_long_lists},
        {"a_told_entry_never_changes", a_told_entry_never_changes},
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
    SRunner *sr = srunner_create(journal_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
