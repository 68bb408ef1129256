/*
 * test_faults.c -- the fault rule engine of emulator/lambda/faults.c.
 *
 * Invocations are built by hand (three or more records with known ids,
 * retryHints and rows) and rules are plain structs, so each case shows one
 * matching rule of faults.h: first record rule wins, attempt = retryHint + 1,
 * `contains` on the row (record and invocation actions), [from, until),
 * invocation numbers, `times`, probability, latency and the precedence of
 * invocation rules.  Time is a number passed in; randomness is a seeded rng.
 */
#include "lambda/faults.h"

#include "base/errors.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXREC 8

/* One hand-built invocation and the verdict storage that goes with it. */
struct fixture {
    char idtext[MAXREC][16];
    struct kdo_str ids[MAXREC];
    uint64_t hints[MAXREC];
    struct kdo_str data[MAXREC];
    int record_rule[MAXREC];
    struct kdo_invocation inv;
    struct kdo_fault_verdict v;
};

/* Records i = 0..n-1 with id "id-i", hint hints[i] (0 if NULL) and row rows[i]
 * (a generated ticker row if NULL). */
static void build(struct fixture *f, uint64_t number, size_t n, const uint64_t *hints,
                  const char *const *rows)
{
    static const char *const plain = "{\"TICKER_SYMBOL\":\"AMZN\",\"PRICE\":10.5}";
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < n; i++) {
        snprintf(f->idtext[i], sizeof f->idtext[i], "id-%zu", i);
        f->ids[i] = (struct kdo_str){f->idtext[i], strlen(f->idtext[i])};
        f->hints[i] = hints ? hints[i] : 0;
        const char *row = rows && rows[i] ? rows[i] : plain;
        f->data[i] = (struct kdo_str){row, strlen(row)};
        f->record_rule[i] = 12345;
    }
    f->inv = (struct kdo_invocation){.number = number, .invocation_id = "inv", .event = "{}",
                                     .event_len = 2, .n = n, .ids = f->ids, .hints = f->hints,
                                     .data = f->data};
    f->v.record_rule = f->record_rule;
}

static void eval(struct kdo_fault_rule *rules, size_t n, kdo_time_ns now, struct fixture *f,
                 struct kdo_rng *rng)
{
    kdo_faults_eval(rules, n, now, &f->inv, rng, &f->v);
}

static void rule(struct kdo_fault_rule *r, enum kdo_fault_action a)
{
    kdo_fault_rule_init(r);
    r->action = a;
}

static void contains(struct kdo_fault_rule *r, const char *s)
{
    r->match.contains = kdo_xstrdup(s);
    r->match.contains_len = strlen(s);
}

static void cleanup(struct kdo_fault_rule *rules, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kdo_fault_rule_cleanup(&rules[i]);
}

START_TEST(action_names_round_trip)
{
    for (int a = 0; a < KDO_FAULT_ACTION_COUNT; a++) {
        const char *name = kdo_fault_action_name((enum kdo_fault_action)a);
        ck_assert_str_ne(name, "unknown");
        ck_assert_int_eq(kdo_fault_action_from_name(name), a);
    }
    ck_assert_str_eq(kdo_fault_action_name(KDO_FAULT_DELIVERY_FAILED), "delivery_failed");
    ck_assert_str_eq(kdo_fault_action_name(KDO_FAULT_HANG), "hang");
    ck_assert_str_eq(kdo_fault_action_name(KDO_FAULT_ACTION_COUNT), "unknown");
    ck_assert_int_eq(kdo_fault_action_from_name("nope"), -1);
    ck_assert_int_eq(kdo_fault_action_from_name("Timeout"), -1); /* case-sensitive */
    ck_assert_int_eq(kdo_fault_action_from_name(""), -1);
}
END_TEST

START_TEST(is_invocation_classification)
{
    static const enum kdo_fault_action record[] = {
        KDO_FAULT_OK, KDO_FAULT_DELIVERY_FAILED, KDO_FAULT_OMIT, KDO_FAULT_WRONG_ID,
        KDO_FAULT_MISSING_ID, KDO_FAULT_MISSING_RESULT, KDO_FAULT_BAD_RESULT,
        KDO_FAULT_DUPLICATE_ID};
    static const enum kdo_fault_action whole[] = {
        KDO_FAULT_LATENCY, KDO_FAULT_TIMEOUT, KDO_FAULT_FUNCTION_ERROR, KDO_FAULT_THROTTLE,
        KDO_FAULT_SERVICE_ERROR, KDO_FAULT_MALFORMED_BODY, KDO_FAULT_NO_RECORDS,
        KDO_FAULT_DROP_CONNECTION, KDO_FAULT_TRUNCATE_BODY, KDO_FAULT_DRIBBLE, KDO_FAULT_HANG};
    for (size_t i = 0; i < sizeof record / sizeof record[0]; i++)
        ck_assert_int_eq(kdo_fault_action_is_invocation(record[i]), 0);
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        ck_assert_int_eq(kdo_fault_action_is_invocation(whole[i]), 1);
    ck_assert_int_eq(sizeof record / sizeof record[0] + sizeof whole / sizeof whole[0],
                     KDO_FAULT_ACTION_COUNT);
    ck_assert_int_eq(kdo_fault_action_is_invocation(KDO_FAULT_ACTION_COUNT), 0);
}
END_TEST

START_TEST(rule_init_matches_everything)
{
    struct kdo_fault_rule r;
    kdo_fault_rule_init(&r);
    ck_assert_int_eq(r.action, KDO_FAULT_OK);
    ck_assert_uint_eq(r.match.attempt_min, 1);
    ck_assert_uint_eq(r.match.attempt_max, UINT64_MAX);
    ck_assert_uint_eq(r.match.invocation_min, 1);
    ck_assert_uint_eq(r.match.invocation_max, UINT64_MAX);
    ck_assert_int_eq(r.match.until, KDO_TIME_NEVER);
    ck_assert_uint_eq(r.match.times, 0);
    ck_assert_double_eq(r.match.probability, 1.0);
    ck_assert_ptr_null(r.match.contains);
    ck_assert_int_eq(r.latency, 0);
    ck_assert_uint_eq(r.fired, 0);
    kdo_fault_rule_cleanup(&r);
    kdo_fault_rule_cleanup(&r); /* cleanup leaves a zeroed rule: a second one is harmless */
}
END_TEST

START_TEST(no_rules_every_record_ok)
{
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 5, NULL, NULL);
    eval(NULL, 0, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, -1);
    ck_assert_int_eq(f.v.latency, 0);
    for (size_t i = 0; i < 5; i++)
        ck_assert_int_eq(f.record_rule[i], -1);
}
END_TEST

START_TEST(first_matching_record_rule_wins)
{
    static const char *const rows[] = {"{\"A\":1}", "{\"B\":2}", "{\"C\":3}"};
    struct kdo_fault_rule r[3];
    rule(&r[0], KDO_FAULT_DELIVERY_FAILED);
    contains(&r[0], "B");
    rule(&r[1], KDO_FAULT_OMIT);
    contains(&r[1], "C");
    rule(&r[2], KDO_FAULT_WRONG_ID); /* matches every record */
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 3, NULL, rows);
    eval(r, 3, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, -1);
    ck_assert_int_eq(f.record_rule[0], 2);
    ck_assert_int_eq(f.record_rule[1], 0);
    ck_assert_int_eq(f.record_rule[2], 1);
    ck_assert_uint_eq(r[0].fired, 1);
    ck_assert_uint_eq(r[1].fired, 1);
    ck_assert_uint_eq(r[2].fired, 1);
    cleanup(r, 3);
}
END_TEST

/* row: empty / binary / not_json, and min_bytes, pick rows by their shape
 * (binary rows are built by hand: build() takes C strings). */
START_TEST(row_kinds_and_min_bytes)
{
    static const char *const rows[] = {"{\"A\":1}", "", "not json", "caf\xc3\xa9 \"ok\"",
                                       "\xff\xfe"};
    struct kdo_fault_rule r[4];
    rule(&r[0], KDO_FAULT_OMIT);
    r[0].match.row = KDO_ROW_EMPTY;
    rule(&r[1], KDO_FAULT_MISSING_ID);
    r[1].match.row = KDO_ROW_BINARY;
    rule(&r[2], KDO_FAULT_DELIVERY_FAILED);
    r[2].match.row = KDO_ROW_NOT_JSON;
    rule(&r[3], KDO_FAULT_WRONG_ID);
    r[3].match.min_bytes = 8;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 5, NULL, rows);
    f.data[1].n = 0;
    eval(r, 4, 0, &f, &rng);
    ck_assert_int_eq(f.record_rule[0], -1); /* JSON, 7 bytes: no rule */
    ck_assert_int_eq(f.record_rule[1], 0);  /* empty */
    ck_assert_int_eq(f.record_rule[2], 2);  /* not JSON */
    ck_assert_int_eq(f.record_rule[3], 2);  /* valid UTF-8 text, but not one JSON value */
    ck_assert_int_eq(f.record_rule[4], 1);  /* not UTF-8 */
    /* An invocation rule fires when any record is of the kind. */
    struct kdo_fault_rule w;
    rule(&w, KDO_FAULT_FUNCTION_ERROR);
    w.match.row = KDO_ROW_NOT_JSON;
    static const char *const clean[] = {"{\"A\":1}", "[1,2]"};
    build(&f, 2, 2, NULL, clean);
    eval(&w, 1, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, -1);
    build(&f, 3, 5, NULL, rows);
    eval(&w, 1, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, 0);
    ck_assert_int_eq(kdo_row_kind_from_name("not_json"), KDO_ROW_NOT_JSON);
    ck_assert_int_eq(kdo_row_kind_from_name("json"), -1);
    cleanup(r, 4);
    cleanup(&w, 1);
}
END_TEST

START_TEST(attempt_range_is_retry_hint_plus_one)
{
    static const uint64_t hints[] = {0, 1, 2, 3};
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_DELIVERY_FAILED);
    r.match.attempt_min = 2;
    r.match.attempt_max = 3;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 4, hints, NULL);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.record_rule[0], -1); /* attempt 1 */
    ck_assert_int_eq(f.record_rule[1], 0);  /* attempt 2 */
    ck_assert_int_eq(f.record_rule[2], 0);  /* attempt 3 */
    ck_assert_int_eq(f.record_rule[3], -1); /* attempt 4 */
    /* attempt: 1 alone: only first deliveries. */
    r.match.attempt_min = r.match.attempt_max = 1;
    build(&f, 2, 4, hints, NULL);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.record_rule[0], 0);
    ck_assert_int_eq(f.record_rule[1], -1);
    cleanup(&r, 1);
}
END_TEST

START_TEST(contains_on_record_rule)
{
    static const char *const rows[] = {"{\"T\":\"AMZN\"}", "{\"T\":\"POISON\"}", "{\"T\":\"POIS\"}"};
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_MISSING_RESULT);
    contains(&r, "POISON");
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 3, NULL, rows);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, -1);
    ck_assert_int_eq(f.record_rule[0], -1);
    ck_assert_int_eq(f.record_rule[1], 0);
    ck_assert_int_eq(f.record_rule[2], -1);
    cleanup(&r, 1);
}
END_TEST

/* Rows are not NUL-terminated strings: contains must respect each row's
 * length and find matches at the very end of a row. */
START_TEST(contains_respects_row_length)
{
    static const char buf[] = "ABCPOISON";
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_DELIVERY_FAILED);
    contains(&r, "POISON");
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 2, NULL, NULL);
    f.data[0] = (struct kdo_str){buf, 8}; /* "ABCPOISO" */
    f.data[1] = (struct kdo_str){buf, 9}; /* "ABCPOISON" */
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.record_rule[0], -1);
    ck_assert_int_eq(f.record_rule[1], 0);
    cleanup(&r, 1);
}
END_TEST

START_TEST(contains_on_invocation_rule_poison_pill)
{
    static const char *const clean[] = {"{\"T\":\"AMZN\"}", "{\"T\":\"MSFT\"}", "{\"T\":\"IBM\"}"};
    static const char *const dirty[] = {"{\"T\":\"AMZN\"}", "{\"T\":\"POISON\"}", "{\"T\":\"IBM\"}"};
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_FUNCTION_ERROR);
    contains(&r, "POISON");
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 3, NULL, clean);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, -1);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(f.record_rule[i], -1);
    ck_assert_uint_eq(r.fired, 0);
    build(&f, 2, 3, NULL, dirty);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, 0);
    ck_assert_uint_eq(r.fired, 1);
    cleanup(&r, 1);
}
END_TEST

/* An invocation rule with an attempt predicate fires when any record is on
 * that attempt. */
START_TEST(attempt_on_invocation_rule)
{
    static const uint64_t first[] = {0, 0, 0};
    static const uint64_t retry[] = {0, 2, 0};
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_TIMEOUT);
    r.match.attempt_min = 3;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 3, first, NULL);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, -1);
    build(&f, 2, 3, retry, NULL);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, 0);
    cleanup(&r, 1);
}
END_TEST

START_TEST(time_window_is_half_open)
{
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_THROTTLE);
    r.match.from = 10 * KDO_S;
    r.match.until = 20 * KDO_S;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    static const struct {
        kdo_time_ns now;
        int whole;
    } cases[] = {
        {0, -1},
        {10 * KDO_S - 1, -1},
        {10 * KDO_S, 0},
        {15 * KDO_S, 0},
        {20 * KDO_S - 1, 0},
        {20 * KDO_S, -1},
        {25 * KDO_S, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        build(&f, i + 1, 2, NULL, NULL);
        eval(&r, 1, cases[i].now, &f, &rng);
        ck_assert_int_eq(f.v.whole_rule, cases[i].whole);
    }
    /* The same window on a record rule. */
    r.action = KDO_FAULT_DELIVERY_FAILED;
    build(&f, 9, 1, NULL, NULL);
    eval(&r, 1, 20 * KDO_S, &f, &rng);
    ck_assert_int_eq(f.record_rule[0], -1);
    eval(&r, 1, 10 * KDO_S, &f, &rng);
    ck_assert_int_eq(f.record_rule[0], 0);
    cleanup(&r, 1);
}
END_TEST

START_TEST(invocation_number_range)
{
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_SERVICE_ERROR);
    r.match.invocation_min = 2;
    r.match.invocation_max = 3;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    static const int want[] = {-1, 0, 0, -1, -1};
    for (uint64_t number = 1; number <= 5; number++) {
        build(&f, number, 1, NULL, NULL);
        eval(&r, 1, 0, &f, &rng);
        ck_assert_int_eq(f.v.whole_rule, want[number - 1]);
    }
    ck_assert_uint_eq(r.fired, 2);
    cleanup(&r, 1);
}
END_TEST

START_TEST(times_counts_records_for_record_actions)
{
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_DELIVERY_FAILED);
    r.match.times = 2;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 3, NULL, NULL);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.record_rule[0], 0);
    ck_assert_int_eq(f.record_rule[1], 0);
    ck_assert_int_eq(f.record_rule[2], -1);
    ck_assert_uint_eq(r.fired, 2);
    build(&f, 2, 3, NULL, NULL);
    eval(&r, 1, 0, &f, &rng);
    for (size_t i = 0; i < 3; i++)
        ck_assert_int_eq(f.record_rule[i], -1);
    ck_assert_uint_eq(r.fired, 2);
    cleanup(&r, 1);
}
END_TEST

START_TEST(times_counts_invocations_for_invocation_actions)
{
    struct kdo_fault_rule r[2];
    rule(&r[0], KDO_FAULT_TIMEOUT);
    r[0].match.times = 2;
    rule(&r[1], KDO_FAULT_DELIVERY_FAILED); /* after the timeouts: record rule */
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    for (uint64_t number = 1; number <= 2; number++) {
        build(&f, number, 5, NULL, NULL);
        eval(r, 2, 0, &f, &rng);
        ck_assert_int_eq(f.v.whole_rule, 0);
        ck_assert_uint_eq(r[0].fired, number); /* once per invocation, not per record */
    }
    build(&f, 3, 5, NULL, NULL);
    eval(r, 2, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, -1);
    ck_assert_int_eq(f.record_rule[0], 1);
    ck_assert_uint_eq(r[0].fired, 2);
    cleanup(r, 2);
}
END_TEST

static unsigned fires_over(double probability, uint64_t seed, unsigned n, unsigned char *pattern)
{
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_THROTTLE);
    r.match.probability = probability;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, seed);
    unsigned fired = 0;
    for (unsigned i = 0; i < n; i++) {
        build(&f, i + 1, 1, NULL, NULL);
        eval(&r, 1, (kdo_time_ns)i * KDO_S, &f, &rng);
        if (pattern)
            pattern[i] = f.v.whole_rule == 0;
        fired += f.v.whole_rule == 0;
    }
    ck_assert_uint_eq(r.fired, fired);
    cleanup(&r, 1);
    return fired;
}

START_TEST(probability_zero_never_one_always)
{
    ck_assert_uint_eq(fires_over(0.0, 1, 1000, NULL), 0);
    ck_assert_uint_eq(fires_over(1.0, 1, 1000, NULL), 1000);
}
END_TEST

/* 10,000 draws at p = 0.5: the standard deviation is 50, so 4,800..5,200
 * (4 sigma) never trips on a fixed seed yet catches a stuck or inverted test. */
START_TEST(probability_half_is_about_half_and_seeded)
{
    enum { N = 10000 };
    static unsigned char a[N], b[N], c[N];
    unsigned fa = fires_over(0.5, 42, N, a);
    ck_assert_uint_ge(fa, 4800);
    ck_assert_uint_le(fa, 5200);
    unsigned fb = fires_over(0.5, 42, N, b);
    ck_assert_uint_eq(fa, fb);
    ck_assert_int_eq(memcmp(a, b, N), 0);
    fires_over(0.5, 43, N, c);
    ck_assert_int_ne(memcmp(a, c, N), 0);
    unsigned quarter = fires_over(0.25, 7, N, NULL);
    ck_assert_uint_ge(quarter, 2300);
    ck_assert_uint_le(quarter, 2700);
}
END_TEST

/* faults.c: randomness is drawn only when every other predicate holds, so a
 * rule that cannot match does not shift the random stream. */
START_TEST(probability_drawn_only_when_rule_could_fire)
{
    struct kdo_fault_rule r[2];
    rule(&r[0], KDO_FAULT_THROTTLE);
    r[0].match.probability = 0.5;
    r[0].match.from = 100 * KDO_S; /* not yet active */
    rule(&r[1], KDO_FAULT_DELIVERY_FAILED);
    r[1].match.probability = 0.5;
    contains(&r[1], "never in any row");
    struct fixture f;
    struct kdo_rng rng, fresh;
    kdo_rng_init(&rng, 9);
    kdo_rng_init(&fresh, 9);
    build(&f, 1, 4, NULL, NULL);
    eval(r, 2, 0, &f, &rng);
    ck_assert_uint_eq(kdo_rng_next(&rng), kdo_rng_next(&fresh));
    cleanup(r, 2);
}
END_TEST

START_TEST(latency_adds_and_evaluation_continues)
{
    struct kdo_fault_rule r[4];
    rule(&r[0], KDO_FAULT_LATENCY);
    r[0].latency = 100 * KDO_MS;
    rule(&r[1], KDO_FAULT_LATENCY);
    r[1].latency = 50 * KDO_MS;
    rule(&r[2], KDO_FAULT_DELIVERY_FAILED);
    contains(&r[2], "POISON");
    rule(&r[3], KDO_FAULT_THROTTLE);
    r[3].latency = 7 * KDO_MS;
    r[3].match.from = 10 * KDO_S;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    static const char *const rows[] = {"{\"POISON\":1}", "{}"};
    /* Before 10 s: both latencies, then the record rules. */
    build(&f, 1, 2, NULL, rows);
    eval(r, 4, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, -1);
    ck_assert_int_eq(f.v.latency, 150 * KDO_MS);
    ck_assert_int_eq(f.record_rule[0], 2);
    ck_assert_int_eq(f.record_rule[1], -1);
    ck_assert_uint_eq(r[0].fired, 1);
    ck_assert_uint_eq(r[1].fired, 1);
    /* From 10 s: the latencies, then the throttle, whose latency adds too. */
    build(&f, 2, 2, NULL, rows);
    eval(r, 4, 10 * KDO_S, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, 3);
    ck_assert_int_eq(f.v.latency, 157 * KDO_MS);
    cleanup(r, 4);
}
END_TEST

/* A record rule's latency is paid per record it fires on: the function
 * works through its records one by one. */
START_TEST(record_rule_latency_adds_per_record)
{
    struct kdo_fault_rule r;
    rule(&r, KDO_FAULT_DELIVERY_FAILED);
    r.latency = 100 * KDO_MS;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 3, NULL, NULL);
    eval(&r, 1, 0, &f, &rng);
    ck_assert_int_eq(f.v.latency, 300 * KDO_MS);
    ck_assert_uint_eq(r.fired, 3);
    cleanup(&r, 1);
}
END_TEST

/* faults.h: "latency: summed latency of fired rules".  Two different record
 * rules with latencies 100 ms and 50 ms both fire: 150 ms (an earlier
 * eval_record kept the maximum, 100 ms). */
START_TEST(record_rule_latencies_are_summed)
{
    static const char *const rows[] = {"{\"A\":1}", "{\"B\":1}"};
    struct kdo_fault_rule r[2];
    rule(&r[0], KDO_FAULT_DELIVERY_FAILED);
    contains(&r[0], "A");
    r[0].latency = 100 * KDO_MS;
    rule(&r[1], KDO_FAULT_OMIT);
    contains(&r[1], "B");
    r[1].latency = 50 * KDO_MS;
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 2, NULL, rows);
    eval(r, 2, 0, &f, &rng);
    ck_assert_int_eq(f.record_rule[0], 0);
    ck_assert_int_eq(f.record_rule[1], 1);
    ck_assert_int_eq(f.v.latency, 150 * KDO_MS);
    cleanup(r, 2);
}
END_TEST

START_TEST(invocation_rule_wins_over_record_rules)
{
    struct kdo_fault_rule r[2];
    rule(&r[0], KDO_FAULT_DELIVERY_FAILED); /* listed first, matches every record */
    rule(&r[1], KDO_FAULT_MALFORMED_BODY);
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 3, NULL, NULL);
    eval(r, 2, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, 1);
    ck_assert_uint_eq(r[0].fired, 0);
    ck_assert_uint_eq(r[1].fired, 1);
    cleanup(r, 2);
}
END_TEST

START_TEST(first_invocation_rule_wins)
{
    struct kdo_fault_rule r[3];
    rule(&r[0], KDO_FAULT_HANG);
    r[0].match.invocation_min = 5;
    rule(&r[1], KDO_FAULT_THROTTLE);
    rule(&r[2], KDO_FAULT_TIMEOUT);
    struct fixture f;
    struct kdo_rng rng;
    kdo_rng_init(&rng, 1);
    build(&f, 1, 1, NULL, NULL);
    eval(r, 3, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, 1);
    build(&f, 5, 1, NULL, NULL);
    eval(r, 3, 0, &f, &rng);
    ck_assert_int_eq(f.v.whole_rule, 0);
    ck_assert_uint_eq(r[2].fired, 0);
    cleanup(r, 3);
}
END_TEST

static Suite *faults_suite(void)
{
    Suite *s = suite_create("faults");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"action_names_round_trip", action_names_round_trip},
        {"is_invocation_classification", is_invocation_classification},
        {"rule_init_matches_everything", rule_init_matches_everything},
        {"no_rules_every_record_ok", no_rules_every_record_ok},
        {"first_matching_record_rule_wins", first_matching_record_rule_wins},
        {"attempt_range_is_retry_hint_plus_one", attempt_range_is_retry_hint_plus_one},
        {"row_kinds_and_min_bytes", row_kinds_and_min_bytes},
        {"contains_on_record_rule", contains_on_record_rule},
        {"contains_respects_row_length", contains_respects_row_length},
        {"contains_on_invocation_rule_poison_pill", contains_on_invocation_rule_poison_pill},
        {"attempt_on_invocation_rule", attempt_on_invocation_rule},
        {"time_window_is_half_open", time_window_is_half_open},
        {"invocation_number_range", invocation_number_range},
        {"times_counts_records_for_record_actions", times_counts_records_for_record_actions},
        {"times_counts_invocations_for_invocation_actions",
         times_counts_invocations_for_invocation_actions},
        {"probability_zero_never_one_always", probability_zero_never_one_always},
        {"probability_half_is_about_half_and_seeded", probability_half_is_about_half_and_seeded},
        {"probability_drawn_only_when_rule_could_fire",
         probability_drawn_only_when_rule_could_fire},
        {"latency_adds_and_evaluation_continues", latency_adds_and_evaluation_continues},
        {"record_rule_latency_adds_per_record", record_rule_latency_adds_per_record},
        {"record_rule_latencies_are_summed", record_rule_latencies_are_summed},
        {"invocation_rule_wins_over_record_rules", invocation_rule_wins_over_record_rules},
        {"first_invocation_rule_wins", first_invocation_rule_wins},
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
    SRunner *sr = srunner_create(faults_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
