/*
 * test_scenario.c -- the scenario loader of conformance/scenario.c.
 *
 * Small YAML strings go through kdo_scenario_parse: the shortest scenario
 * gets the documented defaults, derived settings follow the others (tumbling
 * means cadence 0, invoke_timeout is the Lambda Timeout + 5 s), rules,
 * timeline and expectations load field by field, and every refusal is
 * KDO_ESCHEMA with the line:column of the offending node and a sentence that
 * says what was expected.  Finally every bundled scenario must load.
 */
#include "scenario.h"

#include "contract.h"
#include "errors.h"

#include <check.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct kdo_scenario *sc;
static struct kdo_errinfo err;

static void setup(void)
{
    sc = NULL;
    memset(&err, 0, sizeof err);
}

static void teardown(void)
{
    kdo_scenario_free(sc);
    sc = NULL;
}

static int parse(const char *yaml)
{
    kdo_scenario_free(sc);
    sc = NULL;
    memset(&err, 0, sizeof err);
    return kdo_scenario_parse("test.yaml", yaml, strlen(yaml), &sc, &err);
}

static void load_ok(const char *yaml)
{
    int rc = parse(yaml);
    ck_assert_msg(rc == 0, "refused (%d): %s:%d:%d: %s", rc, err.file ? err.file : "?", err.line,
                  err.column, err.msg);
    ck_assert_ptr_nonnull(sc);
}

/* Refused with KDO_ESCHEMA at line:column, the message containing `what`. */
static void refused_at(const char *yaml, int line, int column, const char *what)
{
    int rc = parse(yaml);
    ck_assert_int_eq(rc, KDO_ESCHEMA);
    ck_assert_ptr_null(sc);
    ck_assert_int_eq(err.line, line);
    ck_assert_int_eq(err.column, column);
    ck_assert_msg(strstr(err.msg, what) != NULL, "message \"%s\" lacks \"%s\"", err.msg, what);
    ck_assert_ptr_nonnull(err.file);
    ck_assert_str_eq(err.file, "test.yaml");
}

/* Refused with KDO_ESCHEMA, the message containing `what` (any position). */
static void refused(const char *yaml, const char *what)
{
    int rc = parse(yaml);
    ck_assert_int_eq(rc, KDO_ESCHEMA);
    ck_assert_ptr_null(sc);
    ck_assert_msg(strstr(err.msg, what) != NULL, "message \"%s\" lacks \"%s\"", err.msg, what);
    ck_assert_int_gt(err.line, 0);
    ck_assert_int_gt(err.column, 0);
}

START_TEST(minimal_scenario_gets_defaults)
{
    load_ok("name: tiny\n");
    ck_assert_str_eq(sc->name, "tiny");
    ck_assert_ptr_null(sc->guide);
    ck_assert_int_eq(sc->has_seed, 0);
    ck_assert_uint_eq(sc->sim.seed, 1);
    ck_assert_int_eq(sc->sim.duration, 60 * KDO_S);
    ck_assert_int_eq(sc->sim.app.window.kind, KDO_WINDOW_CONTINUOUS);
    ck_assert_int_eq(sc->sim.app.window.size, KDO_MIN);
    ck_assert_int_eq(sc->sim.app.poll, 200 * KDO_MS);
    ck_assert_int_eq(sc->sim.delivery.cadence, KDO_S);
    ck_assert_int_eq(sc->sim.delivery.retry_interval, KDO_S);
    ck_assert_uint_eq(sc->sim.delivery.max_event_bytes, KDO_MAX_EVENT_BYTES);
    ck_assert_int_eq(sc->sim.lambda.timeout, 3 * KDO_S);
    ck_assert_int_eq(sc->sim.delivery.invoke_timeout, 8 * KDO_S);
    ck_assert_ptr_nonnull(sc->sim.delivery.application_arn);
    ck_assert_str_eq(sc->sim.delivery.application_arn,
                     "arn:aws:kinesisanalytics:us-east-1:123456789012:application/kdaout");
    /* A default input: one rate segment from 0, never ending. */
    ck_assert_uint_eq(sc->sim.source.nsegments, 1);
    ck_assert_int_eq(sc->sim.source.segments[0].kind, KDO_SEGMENT_RATE);
    ck_assert_double_gt(sc->sim.source.segments[0].rate, 0);
    ck_assert_int_eq(sc->sim.source.segments[0].from, 0);
    ck_assert_int_eq(sc->sim.source.segments[0].until, KDO_TIME_NEVER);
    ck_assert_uint_eq(sc->sim.source.row_size, 0);
    ck_assert_uint_eq(sc->sim.nrules, 0);
    ck_assert_uint_eq(sc->sim.nrestarts, 0);
    ck_assert_uint_eq(sc->nexpect, 0);
}
END_TEST

START_TEST(name_defaults_to_file)
{
    load_ok("seed: 42\n");
    ck_assert_str_eq(sc->name, "test.yaml");
    ck_assert_int_eq(sc->has_seed, 1);
    ck_assert_uint_eq(sc->sim.seed, 42);
}
END_TEST

START_TEST(top_level_fields)
{
    load_ok("name: all of it\n"
            "guide: the statement\n"
            "description: free text\n"
            "seed: 0\n"
            "duration: 10m\n"
            "drain: 30s\n");
    ck_assert_str_eq(sc->guide, "the statement");
    ck_assert_int_eq(sc->has_seed, 1);
    ck_assert_uint_eq(sc->sim.seed, 0);
    ck_assert_int_eq(sc->sim.duration, 10 * KDO_MIN);
    ck_assert_int_eq(sc->sim.drain_limit, 30 * KDO_S);
}
END_TEST

START_TEST(tumbling_sets_cadence_zero)
{
    load_ok("application:\n  query: tumbling\n  window: 10s\n");
    ck_assert_int_eq(sc->sim.app.window.kind, KDO_WINDOW_TUMBLING);
    ck_assert_int_eq(sc->sim.app.window.size, 10 * KDO_S);
    ck_assert_int_eq(sc->sim.delivery.cadence, 0);
    /* An explicit cadence wins. */
    load_ok("application: {query: tumbling}\ndelivery: {cadence: 2s}\n");
    ck_assert_int_eq(sc->sim.delivery.cadence, 2 * KDO_S);
    /* Sliding keeps the 1 s cadence. */
    load_ok("application: {query: sliding, window: 1s}\n");
    ck_assert_int_eq(sc->sim.app.window.kind, KDO_WINDOW_SLIDING);
    ck_assert_int_eq(sc->sim.delivery.cadence, KDO_S);
}
END_TEST

START_TEST(invoke_timeout_follows_lambda_timeout)
{
    load_ok("lambda: {timeout: 10s}\n");
    ck_assert_int_eq(sc->sim.lambda.timeout, 10 * KDO_S);
    ck_assert_int_eq(sc->sim.delivery.invoke_timeout, 15 * KDO_S);
    load_ok("lambda: {timeout: 10s}\ndelivery: {invoke_timeout: 2s}\n");
    ck_assert_int_eq(sc->sim.delivery.invoke_timeout, 2 * KDO_S);
    load_ok("lambda: {timeout: 1s}\n");
    ck_assert_int_eq(sc->sim.delivery.invoke_timeout, 6 * KDO_S);
    load_ok("lambda: {timeout: 900s}\n");
    ck_assert_int_eq(sc->sim.lambda.timeout, 900 * KDO_S);
}
END_TEST

START_TEST(application_and_delivery_fields)
{
    load_ok("application:\n"
            "  arn: arn:aws:kinesisanalytics:eu-west-1:1:application/x\n"
            "  poll: 100ms\n"
            "  buffer: {rows: 500, bytes: 1MB}\n"
            "  row_size: 512KB\n"
            "delivery:\n"
            "  retry_interval: 250ms\n"
            "  max_event_bytes: 1MB\n"
            "lambda:\n"
            "  latency: 40ms\n"
            "  latency_per_record: 1ms\n"
            "  memory: 1024\n");
    ck_assert_str_eq(sc->sim.delivery.application_arn,
                     "arn:aws:kinesisanalytics:eu-west-1:1:application/x");
    ck_assert_int_eq(sc->sim.app.poll, 100 * KDO_MS);
    ck_assert_uint_eq(sc->sim.delivery.buffer_rows, 500);
    ck_assert_uint_eq(sc->sim.delivery.buffer_bytes, 1048576);
    ck_assert_uint_eq(sc->sim.source.row_size, KDO_MAX_ROW_BYTES);
    ck_assert_int_eq(sc->sim.delivery.retry_interval, 250 * KDO_MS);
    ck_assert_uint_eq(sc->sim.delivery.max_event_bytes, 1048576);
    ck_assert_int_eq(sc->sim.lambda.latency, 40 * KDO_MS);
    ck_assert_int_eq(sc->sim.lambda.latency_per_record, KDO_MS);
    ck_assert_int_eq(sc->sim.lambda.memory_mb, 1024);
}
END_TEST

START_TEST(input_items_load)
{
    load_ok("application:\n"
            "  input:\n"
            "    - {rate: 1000/s, from: 1s, until: 599s}\n"
            "    - {burst: 50, at: 10s}\n"
            "    - row: '{\"TICKER_SYMBOL\":\"POISON\"}'\n"
            "      at: 20s\n");
    const struct kdo_source_config *src = &sc->sim.source;
    ck_assert_uint_eq(src->nsegments, 3);
    ck_assert_int_eq(src->segments[0].kind, KDO_SEGMENT_RATE);
    ck_assert_double_eq(src->segments[0].rate, 1000);
    ck_assert_int_eq(src->segments[0].from, KDO_S);
    ck_assert_int_eq(src->segments[0].until, 599 * KDO_S);
    ck_assert_int_eq(src->segments[1].kind, KDO_SEGMENT_BURST);
    ck_assert_uint_eq(src->segments[1].count, 50);
    ck_assert_int_eq(src->segments[1].from, 10 * KDO_S);
    ck_assert_int_eq(src->segments[2].kind, KDO_SEGMENT_INJECT);
    ck_assert_str_eq(src->segments[2].row, "{\"TICKER_SYMBOL\":\"POISON\"}");
    ck_assert_uint_eq(src->segments[2].row_len, strlen("{\"TICKER_SYMBOL\":\"POISON\"}"));
    ck_assert_int_eq(src->segments[2].from, 20 * KDO_S);
    ck_assert_int_eq(src->segments[2].until, KDO_TIME_NEVER);
}
END_TEST

START_TEST(rules_and_matches_load)
{
    load_ok("lambda:\n"
            "  rules:\n"
            "    - name: first\n"
            "      match: {attempt: 2, contains: POISON, from: 5s, until: 60s, times: 3,\n"
            "              probability: 25%}\n"
            "      action: delivery_failed\n"
            "      latency: 100ms\n"
            "    - match:\n"
            "        attempt: {min: 2, max: 4}\n"
            "        invocation: {min: 3}\n"
            "      action: bad_result\n"
            "      value: okay\n"
            "    - action: throttle\n"
            "    - match: {invocation: 7, attempt: {max: 1}}\n"
            "      action: timeout\n");
    ck_assert_uint_eq(sc->sim.nrules, 4);
    const struct kdo_fault_rule *r = sc->sim.rules;
    ck_assert_str_eq(r[0].name, "first");
    ck_assert_int_eq(r[0].action, KDO_FAULT_DELIVERY_FAILED);
    ck_assert_uint_eq(r[0].match.attempt_min, 2);
    ck_assert_uint_eq(r[0].match.attempt_max, 2);
    ck_assert_str_eq(r[0].match.contains, "POISON");
    ck_assert_uint_eq(r[0].match.contains_len, 6);
    ck_assert_int_eq(r[0].match.from, 5 * KDO_S);
    ck_assert_int_eq(r[0].match.until, 60 * KDO_S);
    ck_assert_uint_eq(r[0].match.times, 3);
    ck_assert_double_eq(r[0].match.probability, 0.25);
    ck_assert_int_eq(r[0].latency, 100 * KDO_MS);
    ck_assert_ptr_null(r[0].value);

    ck_assert_ptr_null(r[1].name);
    ck_assert_int_eq(r[1].action, KDO_FAULT_BAD_RESULT);
    ck_assert_uint_eq(r[1].match.attempt_min, 2);
    ck_assert_uint_eq(r[1].match.attempt_max, 4);
    ck_assert_uint_eq(r[1].match.invocation_min, 3);
    ck_assert_uint_eq(r[1].match.invocation_max, UINT64_MAX);
    ck_assert_str_eq(r[1].value, "okay");

    /* A rule without match matches everything (kdo_fault_rule_init). */
    ck_assert_int_eq(r[2].action, KDO_FAULT_THROTTLE);
    ck_assert_uint_eq(r[2].match.attempt_min, 1);
    ck_assert_uint_eq(r[2].match.attempt_max, UINT64_MAX);
    ck_assert_uint_eq(r[2].match.times, 0);
    ck_assert_double_eq(r[2].match.probability, 1.0);
    ck_assert_ptr_null(r[2].match.contains);
    ck_assert_int_eq(r[2].match.until, KDO_TIME_NEVER);

    ck_assert_uint_eq(r[3].match.invocation_min, 7);
    ck_assert_uint_eq(r[3].match.invocation_max, 7);
    ck_assert_uint_eq(r[3].match.attempt_min, 1);
    ck_assert_uint_eq(r[3].match.attempt_max, 1);
}
END_TEST

START_TEST(timeline_restarts_load)
{
    load_ok("timeline:\n"
            "  - at: 10s\n"
            "    restart: true\n"
            "  - at: 10s\n"
            "    restart: {downtime: 30s}\n"
            "  - {at: 1m, restart: {}}\n");
    ck_assert_uint_eq(sc->sim.nrestarts, 3);
    ck_assert_int_eq(sc->sim.restarts[0].at, 10 * KDO_S);
    ck_assert_int_eq(sc->sim.restarts[0].downtime, 0);
    ck_assert_int_eq(sc->sim.restarts[1].at, 10 * KDO_S);
    ck_assert_int_eq(sc->sim.restarts[1].downtime, 30 * KDO_S);
    ck_assert_int_eq(sc->sim.restarts[2].at, KDO_MIN);
}
END_TEST

START_TEST(expectations_load)
{
    load_ok("name: x\n"
            "expect:\n"
            "  lost: 0\n"
            "  rows_delivered: {min: 10, max: 20}\n"
            "  max_lag_ms: {min: 30000}\n"
            "  invocations: {eq: 4}\n"
            "  failures.not_returned: {max: 2.5}\n"
            "  metric:Success:Average: 1\n");
    ck_assert_uint_eq(sc->nexpect, 6);
    const struct kdo_expectation *e = sc->expect;
    ck_assert_str_eq(e[0].fact, "lost");
    ck_assert_double_eq(e[0].min, 0);
    ck_assert_double_eq(e[0].max, 0);
    ck_assert_int_eq(e[0].line, 3);
    ck_assert_int_eq(e[0].column, 3);
    ck_assert_str_eq(e[1].fact, "rows_delivered");
    ck_assert_double_eq(e[1].min, 10);
    ck_assert_double_eq(e[1].max, 20);
    ck_assert_int_eq(e[1].line, 4);
    ck_assert_double_eq(e[2].min, 30000);
    ck_assert_double_ge(e[2].max, 1e300);
    ck_assert_double_eq(e[3].min, 4);
    ck_assert_double_eq(e[3].max, 4);
    ck_assert_double_le(e[4].min, -1e300);
    ck_assert_double_eq(e[4].max, 2.5);
    ck_assert_str_eq(e[5].fact, "metric:Success:Average");
    ck_assert_double_eq(e[5].min, 1);
    ck_assert_double_eq(e[5].max, 1);
}
END_TEST

START_TEST(unknown_key_suggests_nearest)
{
    refused_at("name: t\nlambda:\n  timout: 3s\n", 3, 3,
               "unknown key \"timout\" in lambda; did you mean \"timeout\"?");
    refused_at("name: t\napplication:\n  input:\n    - {rate: 10/s, unitl: 5s}\n", 4, 20,
               "did you mean \"until\"?");
    refused_at("durration: 5s\n", 1, 1, "did you mean \"duration\"?");
}
END_TEST

START_TEST(unknown_key_without_near_lists_keys)
{
    refused_at("name: t\ncolour: red\n", 2, 1, "expected one of: name, guide, description");
}
END_TEST

START_TEST(wrong_types_refused)
{
    refused_at("name: t\nduration: [1, 2]\n", 2, 11,
               "found a sequence for duration, expected a single value");
    refused_at("application: 5\n", 1, 14, "found a scalar");
    refused_at("lambda:\n  rules: {action: ok}\n", 2, 10, "found a mapping");
    refused_at("expect: [lost]\n", 1, 10, "each item of an expect list is one fact");
    refused_at("expect: lost\n", 1, 9, "found a scalar for expect");
    refused_at("- a\n- b\n", 1, 1, "found a sequence");
    refused_at("name: [x]\n", 1, 7, "expected text");
}
END_TEST

START_TEST(bad_units_refused)
{
    refused_at("name: t\nduration: 60 parsecs\n", 2, 11,
               "duration: found \"60 parsecs\", expected a duration");
    refused_at("application:\n  input:\n    - rate: fast\n", 3, 13, "expected a rate");
    refused_at("lambda:\n  rules:\n    - match: {probability: 101%}\n      action: ok\n", 3, 28,
               "expected a probability");
    refused_at("seed: -1\n", 1, 7, "expected a whole number");
    refused_at("application: {buffer: {bytes: 1.5B}}\n", 1, 31, "expected a whole size");
}
END_TEST

START_TEST(unknown_action_suggests)
{
    refused_at("lambda:\n  rules:\n    - action: timout\n", 3, 15,
               "unknown action \"timout\"; did you mean \"timeout\"?");
    refused_at("lambda:\n  rules:\n    - action: explode\n", 3, 15,
               "expected one of: ok, delivery_failed");
    refused_at("lambda:\n  rules:\n    - match: {times: 1}\n", 3, 7, "a rule needs an action");
}
END_TEST

START_TEST(unknown_query_suggests)
{
    refused_at("application: {query: tumbeling}\n", 1, 22, "did you mean \"tumbling\"?");
}
END_TEST

START_TEST(unknown_fact_suggests)
{
    refused_at("expect:\n  rows_delivred: 5\n", 2, 3,
               "unknown fact \"rows_delivred\"; did you mean \"rows_delivered\"?");
    refused_at("expect:\n  lost: {}\n", 2, 9, "needs min, max or eq");
    refused_at("expect:\n  lost: lots\n", 2, 9, "a number");
    refused_at("expect:\n  lost: {at_least: 1}\n", 2, 10, "unknown key \"at_least\"");
}
END_TEST

START_TEST(rule_match_refusals)
{
    refused_at("lambda:\n  rules:\n    - match: {attempt: 0}\n      action: ok\n", 3, 24,
               "attempt counts from 1");
    refused_at("lambda:\n  rules:\n    - match: {attempt: {min: 3, max: 2}}\n      action: ok\n",
               3, 24, "min is above max");
}
END_TEST

static char *row_yaml(size_t len)
{
    const char *head = "application:\n  input:\n    - row: ";
    size_t hl = strlen(head);
    char *y = kdo_xmalloc(hl + len + 2);
    memcpy(y, head, hl);
    memset(y + hl, 'x', len);
    memcpy(y + hl + len, "\n", 2);
    return y;
}

START_TEST(row_over_512kb_refused)
{
    char *y = row_yaml(KDO_MAX_ROW_BYTES);
    load_ok(y);
    ck_assert_uint_eq(sc->sim.source.segments[0].row_len, KDO_MAX_ROW_BYTES);
    free(y);
    y = row_yaml(KDO_MAX_ROW_BYTES + 1);
    refused_at(y, 3, 12, "512 KB");
    free(y);
}
END_TEST

START_TEST(row_size_over_512kb_refused)
{
    refused_at("application:\n  row_size: 513KB\n", 2, 13, "512 KB");
    refused_at("application:\n  row_size: 524289\n", 2, 13, "512 KB");
    load_ok("application:\n  row_size: 524288\n");
}
END_TEST

START_TEST(lambda_timeout_range)
{
    refused_at("lambda:\n  timeout: 0.5s\n", 2, 12, "between 1s and 900s");
    refused_at("lambda:\n  timeout: 901s\n", 2, 12, "between 1s and 900s");
    refused_at("lambda:\n  timeout: 0\n", 2, 12, "between 1s and 900s");
    load_ok("lambda:\n  timeout: 1s\n");
    load_ok("lambda:\n  timeout: 15m\n");
    ck_assert_int_eq(sc->sim.lambda.timeout, 900 * KDO_S);
}
END_TEST

START_TEST(other_range_refusals)
{
    refused("lambda: {memory: 64}\n", "MemorySize is between 128 and 10240");
    refused("delivery: {max_event_bytes: 7MB}\n", "max_event_bytes must be between");
    refused("application: {window: 0s}\n", "window must be at least 1ms");
    refused("application: {poll: 0s}\n", "poll must be at least 1ms");
    refused("application: {buffer: {rows: 0}}\n", "buffer rows must be at least 1");
    refused("duration: 31d\n", "a duration");
    refused("duration: 744h\n", "limited to 30 days");
    refused("application:\n  input:\n    - {rate: 1/s, burst: 3}\n",
            "exactly one of rate, burst, row, rows or file");
}
END_TEST

START_TEST(timeline_out_of_order_refused)
{
    refused_at("timeline:\n"
               "  - at: 20s\n"
               "    restart: true\n"
               "  - at: 10s\n"
               "    restart: {downtime: 5s}\n",
               4, 5, "timeline items must be in time order");
    refused_at("timeline:\n  - {at: 5s, restart: false}\n", 2, 23, "remove the item");
    refused_at("timeline:\n  - {at: 5s}\n", 2, 5, "a timeline item is one of");
    refused_at("timeline:\n  - {at: 5s, fault: throttle}\n", 2, 5, "needs `from`");
    refused_at("timeline:\n  - {from: 5s, fix: true}\n", 2, 5, "needs `at`");
    refused_at("timeline:\n  - {at: 5s, fix: nobody}\n", 2, 19, "no rule is named \"nobody\"");
    refused_at("timeline:\n  - {from: 5s, fault: thrott1e}\n", 2, 23, "did you mean \"throttle\"");
}
END_TEST

START_TEST(literal_rows_inline_and_from_a_file)
{
    char path[4096];
    const char *root = getenv("KDO_SOURCE_ROOT");
    ck_assert_ptr_nonnull(root);
    snprintf(path, sizeof path, "%s/tests/data/rows/ticker.jsonl", root);
    char text[8192];
    snprintf(text, sizeof text,
             "application:\n"
             "  input:\n"
             "    - rows: [{A: 1, B: x, C: '2', D: true}, 'plain text']\n"
             "      at: 3s\n"
             "    - {file: %s, rate: 2/s}\n", path);
    ck_assert_int_eq(parse(text), 0);
    const struct kdo_source_segment *g = &sc->sim.source.segments[0];
    ck_assert_int_eq(g->kind, KDO_SEGMENT_ROWS);
    ck_assert_uint_eq(g->nrows, 2);
    ck_assert_int_eq(g->from, 3 * KDO_S);
    ck_assert_int_eq(memcmp(g->rows, "{\"A\":1,\"B\":\"x\",\"C\":\"2\",\"D\":true}", g->row_ends[0]), 0);
    ck_assert_uint_eq(g->row_ends[1] - g->row_ends[0], strlen("plain text"));
    g = &sc->sim.source.segments[1];
    ck_assert_uint_eq(g->nrows, 3); /* the empty line is skipped */
    ck_assert(g->rate == 2.0);
    refused_at("application:\n  input:\n    - {file: /nonexistent.jsonl}\n", 3, 14, "cannot read");
    refused_at("application:\n  input:\n    - {rows: [a], burst: 5}\n", 3, 7, "not with burst");
}
END_TEST

START_TEST(timeline_faults_and_fixes)
{
    ck_assert_int_eq(parse("lambda:\n"
                           "  rules:\n"
                           "    - {name: bad, match: {contains: X}, action: function_error}\n"
                           "    - {name: slow, action: latency, latency: 1s}\n"
                           "timeline:\n"
                           "  - {from: 10s, until: 20s, fault: throttle, match: {attempt: 1}}\n"
                           "  - {at: 30s, fix: bad}\n"
                           "  - {at: 40s, restart: true}\n"
                           "  - {at: 50s, fix: true}\n"),
                     0);
    const struct kdo_sim_config *c = &sc->sim;
    ck_assert_uint_eq(c->nrules, 3);
    ck_assert_int_eq(c->rules[0].match.until, 30 * KDO_S); /* fixed by name at 30 s */
    ck_assert_int_eq(c->rules[1].match.until, 50 * KDO_S); /* fixed with the rest at 50 s */
    ck_assert_int_eq(c->rules[2].action, KDO_FAULT_THROTTLE);
    ck_assert_int_eq(c->rules[2].match.from, 10 * KDO_S);
    ck_assert_int_eq(c->rules[2].match.until, 20 * KDO_S);
    ck_assert_uint_eq(c->rules[2].match.attempt_max, 1);
    ck_assert_uint_eq(c->nrestarts, 1);
    ck_assert_int_eq(c->restarts[0].at, 40 * KDO_S);
}
END_TEST

START_TEST(expectations_during_a_period)
{
    ck_assert_int_eq(parse("expect:\n"
                           "  max_lag_ms: {min: 1000, during: {from: 10s, until: 20s}}\n"
                           "  lost: 0\n"),
                     0);
    ck_assert_int_eq(sc->expect[0].from, 10 * KDO_S);
    ck_assert_int_eq(sc->expect[0].until, 20 * KDO_S);
    ck_assert_int_eq(sc->expect[1].from, INT64_MIN);
    refused_at("expect:\n  lost: {eq: 0, during: {from: 1s}}\n", 2, 25, "cannot be restricted");
    refused_at("expect:\n  max_lag_ms: {max: 5, during: {from: 9s, until: 2s}}\n", 2, 32,
               "from must come before until");
    refused_at("expect:\n  max_lag_ms: {during: {from: 9s}}\n", 2, 15, "needs min, max or eq");
}
END_TEST

START_TEST(empty_file_refused)
{
    refused_at("", 1, 1, "empty");
    refused_at("# nothing but a comment\n", 1, 1, "empty");
}
END_TEST

START_TEST(yaml_syntax_error_has_position)
{
    int rc = parse("name: t\nlambda: {timeout: 3s\n");
    ck_assert_int_ne(rc, 0);
    ck_assert_ptr_null(sc);
    ck_assert_int_gt(err.line, 0);
}
END_TEST

/* `input: []` gets the default input; the empty list allocated by the loader
 * must not leak (LeakSanitizer catches it in the sanitizer build). */
START_TEST(empty_input_list_gets_default)
{
    load_ok("application:\n  input: []\n");
    ck_assert_uint_eq(sc->sim.source.nsegments, 1);
    ck_assert_int_eq(sc->sim.source.segments[0].kind, KDO_SEGMENT_RATE);
}
END_TEST

START_TEST(bundled_scenarios_load)
{
    const char *root = getenv("KDO_SOURCE_ROOT");
    ck_assert_msg(root != NULL, "KDO_SOURCE_ROOT is not set (tests/meson.build sets it)");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/scenarios", root);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    struct dirent *ent;
    int loaded = 0;
    while ((ent = readdir(d)) != NULL) {
        size_t n = strlen(ent->d_name);
        if (n < 6 || strcmp(ent->d_name + n - 5, ".yaml") != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        struct kdo_scenario *s = NULL;
        struct kdo_errinfo e = {0};
        int rc = kdo_scenario_load(path, &s, &e);
        ck_assert_msg(rc == 0, "%s: %s:%d:%d: %s", ent->d_name, e.file ? e.file : "?", e.line,
                      e.column, e.msg);
        ck_assert_ptr_nonnull(s);
        ck_assert_ptr_nonnull(s->name);
        kdo_scenario_free(s);
        loaded++;
    }
    closedir(d);
    ck_assert_int_ge(loaded, 13);
}
END_TEST

START_TEST(load_missing_file)
{
    struct kdo_scenario *s = NULL;
    struct kdo_errinfo e = {0};
    ck_assert_int_eq(kdo_scenario_load("/nonexistent/kdaout/x.yaml", &s, &e), KDO_ENOENT);
    ck_assert_ptr_null(s);
    kdo_scenario_free(NULL);
}
END_TEST

static Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"minimal_scenario_gets_defaults", minimal_scenario_gets_defaults},
        {"name_defaults_to_file", name_defaults_to_file},
        {"top_level_fields", top_level_fields},
        {"tumbling_sets_cadence_zero", tumbling_sets_cadence_zero},
        {"invoke_timeout_follows_lambda_timeout", invoke_timeout_follows_lambda_timeout},
        {"application_and_delivery_fields", application_and_delivery_fields},
        {"input_items_load", input_items_load},
        {"rules_and_matches_load", rules_and_matches_load},
        {"timeline_restarts_load", timeline_restarts_load},
        {"expectations_load", expectations_load},
        {"unknown_key_suggests_nearest", unknown_key_suggests_nearest},
        {"unknown_key_without_near_lists_keys", unknown_key_without_near_lists_keys},
        {"wrong_types_refused", wrong_types_refused},
        {"bad_units_refused", bad_units_refused},
        {"unknown_action_suggests", unknown_action_suggests},
        {"unknown_query_suggests", unknown_query_suggests},
        {"unknown_fact_suggests", unknown_fact_suggests},
        {"rule_match_refusals", rule_match_refusals},
        {"row_over_512kb_refused", row_over_512kb_refused},
        {"row_size_over_512kb_refused", row_size_over_512kb_refused},
        {"lambda_timeout_range", lambda_timeout_range},
        {"other_range_refusals", other_range_refusals},
        {"timeline_out_of_order_refused", timeline_out_of_order_refused},
        {"timeline_faults_and_fixes", timeline_faults_and_fixes},
        {"literal_rows", literal_rows_inline_and_from_a_file},
        {"expectations_during_a_period", expectations_during_a_period},
        {"empty_file_refused", empty_file_refused},
        {"yaml_syntax_error_has_position", yaml_syntax_error_has_position},
        {"empty_input_list", empty_input_list_gets_default},
        {"bundled_scenarios_load", bundled_scenarios_load},
        {"load_missing_file", load_missing_file},
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
    SRunner *sr = srunner_create(scenario_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
