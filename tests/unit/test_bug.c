/*
 * test_bug.c -- the planted-bug seam: emulator/app/bug.c.
 *
 * Every planted-bug name `kdaout run --plant-bug NAME` accepts resolves to
 * its own bug and back to the same name, with a sentence saying what goes
 * wrong; an unknown name (a different case, a prefix, a trailing space, the
 * enum's spelling) is refused with -1.  Through the seam, an empty mask
 * leaves every configuration byte for byte as it was, and each planted bug
 * turns into exactly the rule its sentence names -- and into some rule: a
 * bug added to the table without a line in the seam fails here.
 */
#include "app/bug.h"

#include "app/window.h"
#include "base/ktime.h"
#include "delivery/delivery.h"
#include "sql/query.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- names ----------------------------------------------------------------- */

START_TEST(test_every_name_resolves_to_itself)
{
    static const char *const names[] = {
        "no-hint-increment", "drop-failed",    "resend-ok",       "no-split",
        "accept-any-reply",  "no-hint-reset",  "lose-on-restart", "no-backpressure",
        "fast-cadence",      "skip-head-of-line",
    };
    ck_assert_int_eq(KDO_BUG_COUNT, (int)N(names)); /* the list a user reads is complete */
    for (size_t i = 0; i < N(names); i++) {
        int b = kdo_bug_from_name(names[i]);
        ck_assert_msg(b >= 0 && b < KDO_BUG_COUNT, "[%s] -> %d", names[i], b);
        ck_assert_str_eq(kdo_bug_name((enum kdo_bug)b), names[i]);
    }
}
END_TEST

START_TEST(test_names_and_sentences_are_distinct)
{
    for (int a = 0; a < KDO_BUG_COUNT; a++) {
        const char *text = kdo_bug_text((enum kdo_bug)a);
        ck_assert_msg(strlen(text) > 10, "bug %d: [%s]", a, text);
        ck_assert_int_eq(kdo_bug_from_name(kdo_bug_name((enum kdo_bug)a)), a);
        for (int b = a + 1; b < KDO_BUG_COUNT; b++) {
            ck_assert_str_ne(kdo_bug_name((enum kdo_bug)a), kdo_bug_name((enum kdo_bug)b));
            ck_assert_str_ne(text, kdo_bug_text((enum kdo_bug)b));
        }
    }
    /* Each is a bit of its own in an unsigned mask. */
    ck_assert_int_le(KDO_BUG_COUNT, 32);
    ck_assert_uint_eq(KDO_BUG(NO_SPLIT) & KDO_BUG(FAST_CADENCE), 0);
}
END_TEST

START_TEST(test_an_unknown_name_is_refused)
{
    static const char *const bad[] = {
        "",          "list",       "No-Split",    "NO_SPLIT", "no_split", "no-split ",
        " no-split", "no-",        "no-splits",   "fast",     "unknown",  "drop-failed\n",
    };
    for (size_t i = 0; i < N(bad); i++)
        ck_assert_msg(kdo_bug_from_name(bad[i]) == -1, "[%s] resolved to %d", bad[i],
                      kdo_bug_from_name(bad[i]));
}
END_TEST

START_TEST(test_out_of_range_bug_is_named_unknown)
{
    ck_assert_str_eq(kdo_bug_name(KDO_BUG_COUNT), "unknown");
    ck_assert_str_eq(kdo_bug_text(KDO_BUG_COUNT), "unknown");
    ck_assert_str_eq(kdo_bug_name((enum kdo_bug)-1), "unknown");
    ck_assert_str_eq(kdo_bug_text((enum kdo_bug)1000), "unknown");
}
END_TEST

/* --- the seam -------------------------------------------------------------- */

struct configs {
    struct kdo_delivery_config d;
    struct kdo_window_config w;
    struct kdo_query_config q;
};

/* The configurations a run starts from, then the mask applied as sim.c does. */
static void planted(unsigned bugs, struct configs *c)
{
    memset(c, 0, sizeof *c);
    kdo_delivery_config_default(&c->d);
    c->w.kind = KDO_WINDOW_TUMBLING;
    c->w.size = 10 * KDO_S;
    c->q.range_ms = 10000;
    kdo_bug_delivery(bugs, &c->d);
    kdo_bug_window(bugs, &c->w);
    kdo_bug_query(bugs, &c->q);
}

START_TEST(test_no_bug_changes_nothing)
{
    struct configs plain, none;
    planted(0, &none);
    memset(&plain, 0, sizeof plain);
    kdo_delivery_config_default(&plain.d);
    plain.w.kind = KDO_WINDOW_TUMBLING;
    plain.w.size = 10 * KDO_S;
    plain.q.range_ms = 10000;
    ck_assert(memcmp(&none.d, &plain.d, sizeof plain.d) == 0);
    ck_assert(memcmp(&none.w, &plain.w, sizeof plain.w) == 0);
    ck_assert(memcmp(&none.q, &plain.q, sizeof plain.q) == 0);
    ck_assert_int_eq(none.d.rules.retry_set, KDO_RETRY_FAILED); /* the contract's rules */
    ck_assert_uint_eq(none.q.width_divisor, 0);
}
END_TEST

/* Each bug alone changes some configuration: none is a name without a rule. */
START_TEST(test_every_bug_becomes_a_rule)
{
    struct configs plain;
    planted(0, &plain);
    for (int b = 0; b < KDO_BUG_COUNT; b++) {
        struct configs c;
        planted(1u << b, &c);
        int changed = memcmp(&c.d, &plain.d, sizeof c.d) != 0 ||
                      memcmp(&c.w, &plain.w, sizeof c.w) != 0 ||
                      memcmp(&c.q, &plain.q, sizeof c.q) != 0;
        ck_assert_msg(changed, "--plant-bug %s changes no configuration",
                      kdo_bug_name((enum kdo_bug)b));
    }
}
END_TEST

/* The delivery rule each bug stands for, and nothing else in the rules. */
START_TEST(test_each_delivery_bug_sets_its_own_rule)
{
    struct configs plain, c;
    planted(0, &plain);
#define ONLY_RULE(bug, field, value)                                                               \
    do {                                                                                           \
        planted(KDO_BUG(bug), &c);                                                                 \
        struct kdo_delivery_rules want = plain.d.rules;                                            \
        want.field = value;                                                                        \
        ck_assert_msg(memcmp(&c.d.rules, &want, sizeof want) == 0, "%s: rules differ", #bug);      \
    } while (0)
    ONLY_RULE(NO_HINT_INCREMENT, keep_hint, 1);
    ONLY_RULE(DROP_FAILED, drop_failed, 1);
    ONLY_RULE(RESEND_OK, retry_set, KDO_RETRY_FAILED_AND_OK);
    ONLY_RULE(SKIP_HEAD_OF_LINE, retry_set, KDO_RETRY_FAILED_AND_NEW);
    ONLY_RULE(ACCEPT_ANY_REPLY, any_reply_ok, 1);
    ONLY_RULE(NO_HINT_RESET, restart_keeps_hints, 1);
    ONLY_RULE(LOSE_ON_RESTART, restart_drops_rows, 1);
#undef ONLY_RULE
}
END_TEST

START_TEST(test_each_limit_bug_lifts_its_limit)
{
    struct configs plain, c;
    planted(0, &plain);
    planted(KDO_BUG(NO_SPLIT), &c);
    ck_assert_uint_gt(c.d.max_event_bytes, (size_t)1 << 40); /* no batch reaches it */
    ck_assert_uint_eq(c.d.buffer_rows, plain.d.buffer_rows);
    planted(KDO_BUG(NO_BACKPRESSURE), &c);
    ck_assert_uint_eq(c.d.buffer_rows, SIZE_MAX);
    ck_assert_uint_eq(c.d.buffer_bytes, SIZE_MAX);
    ck_assert_uint_eq(c.d.max_event_bytes, plain.d.max_event_bytes);
}
END_TEST

START_TEST(test_fast_cadence_flushes_at_250ms_and_halves_windows)
{
    struct configs c;
    planted(KDO_BUG(FAST_CADENCE), &c);
    ck_assert_int_eq(c.d.cadence, 250 * KDO_MS);
    ck_assert_int_eq(c.w.size, 5 * KDO_S);
    ck_assert_uint_eq(c.q.width_divisor, 2);
    ck_assert_int_eq(c.q.range_ms, 10000); /* the query halves it itself */
    struct kdo_window_config w = {.kind = KDO_WINDOW_TUMBLING, .size = 0};
    kdo_bug_window(KDO_BUG(FAST_CADENCE), &w); /* "the default width" halved too */
    ck_assert_int_eq(w.size, KDO_WINDOW_DEFAULT_SIZE / 2);
}
END_TEST

/* Several bugs at once: each keeps its effect; of the two retry sets,
 * resend-ok wins (one retry_set field). */
START_TEST(test_bugs_combine)
{
    struct configs c;
    planted(KDO_BUG(DROP_FAILED) | KDO_BUG(NO_HINT_RESET) | KDO_BUG(FAST_CADENCE), &c);
    ck_assert_int_eq(c.d.rules.drop_failed, 1);
    ck_assert_int_eq(c.d.rules.restart_keeps_hints, 1);
    ck_assert_int_eq(c.d.cadence, 250 * KDO_MS);
    ck_assert_int_eq(c.d.rules.keep_hint, 0);
    planted(KDO_BUG(RESEND_OK) | KDO_BUG(SKIP_HEAD_OF_LINE), &c);
    ck_assert_int_eq(c.d.rules.retry_set, KDO_RETRY_FAILED_AND_OK);
    planted((1u << KDO_BUG_COUNT) - 1, &c); /* all of them */
    ck_assert_int_eq(c.d.rules.any_reply_ok, 1);
    ck_assert_uint_eq(c.d.buffer_rows, SIZE_MAX);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bug");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"every_name_resolves_to_itself", test_every_name_resolves_to_itself},
        {"names_and_sentences_are_distinct", test_names_and_sentences_are_distinct},
        {"an_unknown_name_is_refused", test_an_unknown_name_is_refused},
        {"out_of_range_bug_is_named_unknown", test_out_of_range_bug_is_named_unknown},
        {"no_bug_changes_nothing", test_no_bug_changes_nothing},
        {"every_bug_becomes_a_rule", test_every_bug_becomes_a_rule},
        {"each_delivery_bug_sets_its_own_rule", test_each_delivery_bug_sets_its_own_rule},
        {"each_limit_bug_lifts_its_limit", test_each_limit_bug_lifts_its_limit},
        {"fast_cadence_flushes_at_250ms_and_halves_windows",
         test_fast_cadence_flushes_at_250ms_and_halves_windows},
        {"bugs_combine", test_bugs_combine},
    };
    for (size_t i = 0; i < N(cases); i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
