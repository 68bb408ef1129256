/*
 * test_schema.c -- the JSON Schema of the scenario format,
 * conformance/schema.c.
 *
 * The schema is generated from format.c's tables; these tests hold it to
 * the C tables it describes, and show that one changed table entry changes
 * the loader, the schema and --help alike (lambda.memory; the query's keys;
 * the timeline's shapes): it parses as JSON, declares draft 2020-12, every mapping is
 * closed (additionalProperties: false), its action enum is exactly faults.h's
 * and its fact names are exactly those expect.c knows.  Whether real
 * scenarios validate against it is tests/integration/schema/ (ajv).
 */
#include "schema.h"

#include "base/errors.h"
#include "delivery/contract.h"
#include "expect.h"
#include "lambda/faults.h"
#include "scenario-format.h"
#include "scenario.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *schema;

static void load(void)
{
    json_error_t e;
    schema = json_loads(kdo_schema_text(), 0, &e);
    ck_assert_msg(schema != NULL, "schema is not JSON: line %d column %d: %s", e.line, e.column,
                  e.text);
}

static void unload(void)
{
    json_decref(schema);
    schema = NULL;
}

/* The object at a '/'-separated path of object keys ("properties/lambda"). */
static json_t *at(const char *path)
{
    char buf[300], *save = NULL;
    json_t *n = schema;
    snprintf(buf, sizeof buf, "%s", path);
    for (char *k = strtok_r(buf, "/", &save); k && n; k = strtok_r(NULL, "/", &save))
        n = json_object_get(n, k);
    ck_assert_msg(n != NULL, "schema has no %s", path);
    return n;
}

static int in_array(json_t *arr, const char *s)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return 1;
    return 0;
}

START_TEST(parses_as_json)
{
    ck_assert_ptr_nonnull(schema);
    ck_assert(json_is_object(schema));
    ck_assert_str_eq(json_string_value(at("$schema")),
                     "https://json-schema.org/draft/2020-12/schema");
    ck_assert_ptr_nonnull(json_string_value(at("$id")));
    ck_assert_ptr_nonnull(json_string_value(at("title")));
}
END_TEST

START_TEST(write_matches_text)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(kdo_schema_write(f), 0);
    fclose(f);
    ck_assert_uint_eq(len, strlen(kdo_schema_text()));
    ck_assert(memcmp(buf, kdo_schema_text(), len) == 0);
    free(buf);
}
END_TEST

START_TEST(write_reports_io_errors)
{
    FILE *f = fopen("/dev/full", "w");
    if (f == NULL)
        return; /* no /dev/full here: nothing to prove */
    ck_assert_int_eq(kdo_schema_write(f), KDO_EIO);
    fclose(f);
}
END_TEST

/* Walks every subschema; each object with "properties" must be closed and
 * each property must say what it is for. */
static void check_closed(json_t *n, const char *where, int *objects)
{
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_array(n)) {
        json_array_foreach(n, i, v)
            check_closed(v, where, objects);
        return;
    }
    if (!json_is_object(n))
        return;
    json_t *props = json_object_get(n, "properties");
    json_t *type = json_object_get(n, "type");
    if (props && type && strcmp(json_string_value(type), "object") == 0) {
        (*objects)++;
        ck_assert_msg(json_is_false(json_object_get(n, "additionalProperties")),
                      "an object at %s is open (no additionalProperties: false)", where);
        json_object_foreach(props, k, v) {
            json_t *d = json_object_get(v, "description");
            ck_assert_msg(json_is_string(d) && strlen(json_string_value(d)) > 5,
                          "property %s under %s has no description", k, where);
        }
    }
    json_object_foreach(n, k, v)
        check_closed(v, k, objects);
}

START_TEST(every_mapping_is_closed_and_described)
{
    int objects = 0;
    check_closed(schema, "the root", &objects);
    /* scenario, application, buffer, input item, delivery, lambda, rule,
     * match, attempt, range, timeline item, restart, expect, bound */
    ck_assert_int_ge(objects, 14);
}
END_TEST

START_TEST(top_level_keys)
{
    static const char *const keys[] = {"name", "guide", "description", "seed", "duration",
                                       "drain", "application", "delivery", "lambda",
                                       "timeline", "expect"};
    json_t *props = at("properties");
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        ck_assert_msg(json_object_get(props, keys[i]) != NULL, "no top-level key %s", keys[i]);
    ck_assert_msg(json_object_size(props) >= sizeof keys / sizeof *keys, "keys lost");
}
END_TEST

START_TEST(action_enum_is_faults_h)
{
    json_t *e = at("properties/lambda/properties/rules/items/properties/action/enum");
    for (int i = 0; i < KDO_FAULT_ACTION_COUNT; i++) {
        const char *name = kdo_fault_action_name((enum kdo_fault_action)i);
        ck_assert_msg(in_array(e, name), "action %s is missing from the schema", name);
    }
    ck_assert_uint_eq(json_array_size(e), KDO_FAULT_ACTION_COUNT);
    size_t i;
    json_t *v;
    json_array_foreach(e, i, v)
        ck_assert_msg(kdo_fault_action_from_name(json_string_value(v)) >= 0,
                      "schema action %s is unknown to faults.c", json_string_value(v));
}
END_TEST

START_TEST(query_and_transport_enums)
{
    json_t *q = at("properties/application/properties/query/enum");
    ck_assert_uint_eq(json_array_size(q), 4);
    ck_assert(in_array(q, "continuous") && in_array(q, "sliding") && in_array(q, "tumbling") &&
              in_array(q, "stagger"));
    json_t *t = at("properties/lambda/properties/transport/enum");
    ck_assert_uint_eq(json_array_size(t), 2);
    ck_assert(in_array(t, "in-process") && in_array(t, "http"));
}
END_TEST

START_TEST(facts_are_expect_c)
{
    json_t *props = at("$defs/facts/properties");
    const char *k;
    json_t *v;
    size_t n = 0;
    json_object_foreach(props, k, v) {
        ck_assert_msg(kdo_fact_known(k), "schema fact %s is unknown to expect.c", k);
        n++;
    }
    /* Conversely: every failures.<reason> (reason 0 is Ok, not a failure). */
    for (int r = 1; r < KDO_REASON_COUNT; r++) {
        char name[100];
        snprintf(name, sizeof name, "failures.%s", kdo_reason_name((enum kdo_reason)r));
        ck_assert_msg(kdo_fact_known(name), "%s", name);
        ck_assert_msg(json_object_get(props, name) != NULL, "schema lacks fact %s", name);
    }
    static const char *const plain[] = {
        "rows_read", "rows_emitted", "rows_delivered", "lost", "undelivered", "duplicates",
        "acked_twice", "ok_resent", "retry_hint_errors", "max_retry_hint",
        "head_of_line_violations", "max_attempts", "time_to_ok_max_ms", "time_to_ok_avg_ms",
        "invocations", "retry_invocations", "failed_invocations",
        "flushes", "split_flushes", "flush_interval_min_ms", "flush_interval_max_ms",
        "max_event_bytes", "max_records_per_invocation", "max_lag_ms", "min_lag_ms", "final_lag_ms", "last_lag_s",
        "source_pauses", "source_paused_ms", "buffer_max_rows", "restarts", "error_rows", "end_s"};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        ck_assert_msg(kdo_fact_known(plain[i]), "%s", plain[i]);
        ck_assert_msg(json_object_get(props, plain[i]) != NULL, "schema lacks fact %s", plain[i]);
    }
    /* plus output, the rows the function must receive, and sql_error, the SQL's refusal:
     * forms of their own */
    ck_assert_uint_eq(n, sizeof plain / sizeof *plain + KDO_REASON_COUNT - 1 + 2);
    ck_assert_ptr_nonnull(json_object_get(props, "sql_error"));
    ck_assert(!kdo_fact_known("failures.ok"));
    ck_assert(json_object_get(props, "failures.ok") == NULL);
    /* `during` is allowed exactly where expect.c can window the fact. */
    json_object_foreach(props, k, v) {
        if (strcmp(k, "output") == 0 || strcmp(k, "sql_error") == 0)
            continue;
        const char *r = json_string_value(json_object_get(v, "$ref"));
        ck_assert_ptr_nonnull(r);
        int windowed = strcmp(r, "#/$defs/windowedBound") == 0;
        ck_assert_msg(windowed || strcmp(r, "#/$defs/bound") == 0, "%s: $ref %s", k, r);
        ck_assert_msg(windowed == !!kdo_fact_windowable(k), "%s: during %s in the schema, %s "
                      "in expect.c", k, windowed ? "allowed" : "refused",
                      kdo_fact_windowable(k) ? "allowed" : "refused");
    }
    ck_assert_ptr_nonnull(at("$defs/windowedBound/anyOf"));
    /* The default expectations are facts the schema allows. */
    for (size_t i = 0; i < kdo_default_expectations_count; i++)
        ck_assert_ptr_nonnull(json_object_get(props, kdo_default_expectations[i].fact));
}
END_TEST

/* expect.output: a file name, [] or the output table's closed mapping,
 * at the top level and for each destination; never windowed. */
START_TEST(output_is_the_format_table)
{
    static const char *const where[] = {"$defs/facts/properties/output",
                                        "$defs/destinationFacts/properties/output"};
    for (size_t w = 0; w < 2; w++) {
        json_t *any = json_object_get(at(where[w]), "anyOf");
        ck_assert_uint_eq(json_array_size(any), 3);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(any, 0), "type")), "string");
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(any, 1), "maxItems")), 0);
        json_t *m = json_array_get(any, 2);
        ck_assert(json_is_false(json_object_get(m, "additionalProperties")));
        json_t *props = json_object_get(m, "properties");
        ck_assert_uint_eq(json_object_size(props), kdo_format_output.nkeys);
        for (size_t i = 0; i < kdo_format_output.nkeys; i++)
            ck_assert_msg(json_object_get(props, kdo_format_output.keys[i].name), "%s",
                          kdo_format_output.keys[i].name);
        ck_assert_ptr_nonnull(json_object_get(json_object_get(props, "order"), "enum"));
    }
    ck_assert(kdo_fact_known("output"));
    ck_assert(!kdo_fact_windowable("output"));
    ck_assert_str_eq(kdo_fact_suggest("outptu"), "output");
}
END_TEST

START_TEST(metric_pattern)
{
    /* The destination's facts have the metric pattern alone; the top level
     * adds the destination ids ("1.2": {facts}). */
    ck_assert_ptr_nonnull(json_object_get(at("$defs/facts/patternProperties"),
                                          "^[0-9]+\\.[0-9]+$"));
    json_t *pp = at("$defs/destinationFacts/patternProperties");
    ck_assert_uint_eq(json_object_size(pp), 1);
    const char *pattern = json_object_iter_key(json_object_iter(pp));
    ck_assert_msg(strncmp(pattern, "^metric:", 8) == 0, "pattern %s", pattern);
    /* Every metric and statistic named in the pattern is one expect.c takes. */
    static const char *const ok[] = {
        "metric:LambdaDelivery.OkRecords:Sum", "metric:LambdaDelivery.DeliveryFailedRecords:Sum",
        "metric:LambdaDelivery.Duration:Maximum", "metric:MillisBehindLatest:Maximum",
        "metric:Success:Average", "metric:Bytes:Input:Sum", "metric:Records:Output:SampleCount",
        "metric:Bytes:Minimum"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        ck_assert_msg(kdo_fact_known(ok[i]), "%s", ok[i]);
    static const char *const bad[] = {"metric:Nope:Sum", "metric:Success:Median",
                                      "metric:Success", "metric:Bytes:Input:Sum:Sum", "lost2",
                                      "failures.nope"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!kdo_fact_known(bad[i]), "%s", bad[i]);
    for (const char *w = "LambdaDelivery\\.OkRecords\0LambdaDelivery\\.DeliveryFailedRecords\0"
                         "LambdaDelivery\\.Duration\0MillisBehindLatest\0Success\0Bytes\0"
                         "Records\0Input\0Output\0Sum\0Average\0Maximum\0Minimum\0SampleCount\0";
         *w; w += strlen(w) + 1)
        ck_assert_msg(strstr(pattern, w) != NULL, "metric pattern lacks %s", w);
}
END_TEST

START_TEST(limits_match_contract)
{
    json_t *row = at("properties/application/properties/input/items/properties/row/anyOf");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(row, 0), "maxLength")),
                     (json_int_t)KDO_MAX_ROW_BYTES);
    json_t *t = json_array_get(at("properties/lambda/properties/timeout/anyOf"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(t, "minimum")),
                     KDO_FUNCTION_TIMEOUT_MIN_S);
    ck_assert_int_eq(json_integer_value(json_object_get(t, "maximum")),
                     KDO_FUNCTION_TIMEOUT_MAX_S);
    json_t *m = json_array_get(at("properties/delivery/properties/max_event_bytes/anyOf"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(m, "maximum")),
                     (json_int_t)KDO_MAX_EVENT_BYTES);
}
END_TEST

START_TEST(required_keys)
{
    ck_assert(in_array(at("properties/lambda/properties/rules/items/required"), "action"));
    /* Timeline items: {at, restart}, {at, fix}, {from, fault, ...}, {at, reference}. */
    json_t *shapes = at("properties/timeline/items/oneOf");
    ck_assert_uint_eq(json_array_size(shapes), 4);
    static const char *const req[4][2] = {{"at", "restart"}, {"at", "fix"}, {"from", "fault"},
                                          {"at", "reference"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *r = json_object_get(json_array_get(shapes, i), "required");
        ck_assert_msg(in_array(r, req[i][0]) && in_array(r, req[i][1]), "timeline shape %zu", i);
    }
    /* A timeline fault takes the same actions as a rule. */
    json_t *fault = json_object_get(
        json_object_get(json_object_get(json_array_get(shapes, 2), "properties"), "fault"), "enum");
    ck_assert(json_equal(fault,
                         at("properties/lambda/properties/rules/items/properties/action/enum")));
}
END_TEST


/* A copy of the format whose lambda.memory allows at most `max` MB. */
struct changed_format {
    struct kdo_format_key top[32], lambda[32];
    struct kdo_format_map lambda_map, root;
};

static void change_memory_max(struct changed_format *f, int64_t max)
{
    const struct kdo_format_map *root = &kdo_format_scenario;
    const struct kdo_format_map *lambda = kdo_format_sub(root, "lambda");
    ck_assert(root->nkeys <= 32 && lambda->nkeys <= 32);
    memcpy(f->top, root->keys, root->nkeys * sizeof *f->top);
    memcpy(f->lambda, lambda->keys, lambda->nkeys * sizeof *f->lambda);
    f->lambda_map = *lambda;
    f->lambda_map.keys = f->lambda;
    f->root = *root;
    f->root.keys = f->top;
    for (size_t i = 0; i < lambda->nkeys; i++)
        if (strcmp(f->lambda[i].name, "memory") == 0)
            f->lambda[i].max = max;
    for (size_t i = 0; i < root->nkeys; i++)
        if (strcmp(f->top[i].name, "lambda") == 0)
            f->top[i].map = &f->lambda_map;
}

static char *help_of(const struct kdo_format_map *root)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_int_eq(kdo_format_help(f, root), 0);
    fclose(f);
    /* A copy: GCC's -O2 dangling-pointer analysis takes a memstream's buffer
     * for the local whose address open_memstream kept. */
    char *copy = strdup(buf);
    free(buf);
    return copy;
}

static int loads(const struct kdo_format_map *root, const char *yaml, struct kdo_errinfo *err)
{
    struct kdo_scenario *sc = NULL;
    int rc = kdo_scenario_parse_format(root, "t.yaml", yaml, strlen(yaml), &sc, err);
    kdo_scenario_free(sc);
    return rc;
}

static json_int_t memory_max_in(const char *text)
{
    json_t *s = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(s);
    json_t *m = json_object_get(json_object_get(json_object_get(json_object_get(s, "properties"),
                                "lambda"), "properties"), "memory");
    json_int_t max = json_integer_value(json_object_get(json_array_get(json_object_get(m, "anyOf"), 0),
                                                        "maximum"));
    json_decref(s);
    return max;
}

/* One table entry changed: the loader, the schema and --help all follow. */
START_TEST(loader_schema_and_help_follow_one_table_entry)
{
    struct changed_format f;
    struct kdo_errinfo err = {0};
    change_memory_max(&f, 4096);
    /* The loader. */
    ck_assert_int_eq(loads(&kdo_format_scenario, "lambda: {memory: 5000}\n", &err), 0);
    ck_assert_int_eq(loads(&f.root, "lambda: {memory: 4096}\n", &err), 0);
    ck_assert_int_eq(loads(&f.root, "lambda: {memory: 5000}\n", &err), KDO_ESCHEMA);
    ck_assert_msg(strstr(err.msg, "between 128 and 4096 MB") != NULL, "message: %s", err.msg);
    ck_assert_int_eq(loads(&f.root, "lambda: {memroy: 5000}\n", &err), KDO_ESCHEMA);
    ck_assert_msg(strstr(err.msg, "did you mean \"memory\"") != NULL, "message: %s", err.msg);
    /* The schema. */
    char *text = kdo_schema_generate(&f.root);
    ck_assert_int_eq(memory_max_in(text), 4096);
    ck_assert_int_eq(memory_max_in(kdo_schema_text()), KDO_FUNCTION_MEMORY_MAX_MB);
    free(text);
    /* --help. */
    char *changed = help_of(&f.root), *plain = help_of(&kdo_format_scenario);
    ck_assert_msg(strstr(changed, "count 128..4096") != NULL, "help: %s", changed);
    ck_assert_msg(strstr(plain, "count 128..10240") != NULL && strstr(plain, "128..4096") == NULL,
                  "help: %s", plain);
    free(changed);
    free(plain);
}
END_TEST

/* A copy of the format whose application table can be changed. */
struct changed_app {
    struct kdo_format_key top[32], app[32];
    struct kdo_format_map app_map, root;
};

static void change_app(struct changed_app *f)
{
    const struct kdo_format_map *root = &kdo_format_scenario;
    const struct kdo_format_map *app = kdo_format_sub(root, "application");
    ck_assert(root->nkeys <= 32 && app->nkeys <= 32);
    memcpy(f->top, root->keys, root->nkeys * sizeof *f->top);
    memcpy(f->app, app->keys, app->nkeys * sizeof *f->app);
    f->app_map = *app;
    f->app_map.keys = f->app;
    f->root = *root;
    f->root.keys = f->top;
    for (size_t i = 0; i < root->nkeys; i++)
        if (strcmp(f->top[i].name, "application") == 0)
            f->top[i].map = &f->app_map;
}

static struct kdo_format_key *app_key(struct changed_app *f, const char *name)
{
    for (size_t i = 0; i < f->app_map.nkeys; i++)
        if (strcmp(f->app[i].name, name) == 0)
            return &f->app[i];
    ck_abort_msg("application has no key %s", name);
    return NULL;
}

static json_t *app_property(const char *text, const char *key)
{
    json_t *s = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(s);
    json_t *v = json_object_get(json_object_get(json_object_get(json_object_get(s, "properties"),
                                "application"), "properties"), key);
    json_incref(v);
    json_decref(s);
    return v;
}

/* The query's mapping -- partition_by's and window's limits, query's
 * choices -- is the table's too: loader, schema and --help follow a change. */
START_TEST(loader_schema_and_help_follow_the_query_keys)
{
    static const char *const two[] = {"continuous", "tumbling", NULL};
    struct changed_app f;
    struct kdo_errinfo err = {0};
    change_app(&f);
    app_key(&f, "partition_by")->max = 4;
    app_key(&f, "window")->max = 2 * 86400 * KDO_S;
    app_key(&f, "query")->choices = two;
    /* The loader: the old limits pass, the new ones refuse. */
    const char *five = "application: {query: tumbling, partition_by: [A, B, C, D, E]}\n";
    ck_assert_int_eq(loads(&kdo_format_scenario, five, &err), KDO_ESCHEMA);
    ck_assert_msg(strstr(err.msg, "at most") == NULL, "message: %s", err.msg);
    ck_assert_int_eq(loads(&f.root, five, &err), KDO_ESCHEMA);
    ck_assert_msg(strcmp(err.msg, "partition_by has 5 keys; at most 4") == 0, "message: %s", err.msg);
    const char *wide = "duration: 5s\napplication: {query: tumbling, window: 3d}\n";
    ck_assert_int_eq(loads(&kdo_format_scenario, wide, &err), 0);
    ck_assert_int_eq(loads(&f.root, wide, &err), KDO_ESCHEMA);
    ck_assert_msg(strcmp(err.msg, "window is limited to 2 days") == 0, "message: %s", err.msg);
    ck_assert_int_eq(loads(&kdo_format_scenario, "application: {query: sliding}\n", &err), 0);
    ck_assert_int_eq(loads(&f.root, "application: {query: sliding}\n", &err), KDO_ESCHEMA);
    ck_assert_msg(strcmp(err.msg, "query \"sliding\" is unknown; expected continuous or tumbling") == 0,
                  "message: %s", err.msg);
    /* The schema. */
    char *text = kdo_schema_generate(&f.root);
    json_t *pb = app_property(text, "partition_by"), *q = app_property(text, "query");
    ck_assert_int_eq(json_integer_value(json_object_get(pb, "maxItems")), 4);
    ck_assert_uint_eq(json_array_size(json_object_get(q, "enum")), 2);
    json_decref(pb);
    json_decref(q);
    pb = app_property(kdo_schema_text(), "partition_by");
    ck_assert_int_eq(json_integer_value(json_object_get(pb, "maxItems")), KDO_FORMAT_MAX_PARTITION_KEYS);
    json_decref(pb);
    free(text);
    /* --help. */
    char *changed = help_of(&f.root), *plain = help_of(&kdo_format_scenario);
    ck_assert_msg(strstr(changed, "application.partition_by             as in the example 0..4\n"),
                  "help: %s", changed);
    ck_assert_msg(strstr(changed, "application.window                   as in the example 1ms..2 days\n"),
                  "help: %s", changed);
    ck_assert_msg(strstr(changed, "one of continuous|tumbling\n"), "help: %s", changed);
    ck_assert_msg(strstr(plain, "application.partition_by             as in the example 0..16\n") &&
                  strstr(plain, "application.window                   as in the example 1ms..366 days\n"),
                  "help: %s", plain);
    free(changed);
    free(plain);
}
END_TEST

/* A copy of the format whose timeline fault shape lacks `latency`. */
struct changed_timeline {
    struct kdo_format_key top[32], fault[32];
    struct kdo_format_map root, item, fault_map;
    const struct kdo_format_map *shapes[8];
};

static void drop_fault_latency(struct changed_timeline *f)
{
    const struct kdo_format_map *root = &kdo_format_scenario;
    const struct kdo_format_map *item = kdo_format_sub(root, "timeline");
    ck_assert(root->nkeys <= 32 && item->nshapes == 4 && item->nshapes <= 8);
    memcpy(f->top, root->keys, root->nkeys * sizeof *f->top);
    f->root = *root;
    f->root.keys = f->top;
    f->item = *item;
    memcpy(f->shapes, item->shapes, item->nshapes * sizeof *f->shapes);
    f->item.shapes = f->shapes;
    const struct kdo_format_map *fault = item->shapes[2];
    ck_assert_str_eq(fault->name, "fault");
    f->fault_map = *fault;
    f->fault_map.keys = f->fault;
    f->fault_map.nkeys = 0;
    for (size_t i = 0; i < fault->nkeys; i++)
        if (strcmp(fault->keys[i].name, "latency") != 0)
            f->fault[f->fault_map.nkeys++] = fault->keys[i];
    f->shapes[2] = &f->fault_map;
    for (size_t i = 0; i < root->nkeys; i++)
        if (strcmp(f->top[i].name, "timeline") == 0)
            f->top[i].map = &f->item;
}

static json_t *fault_shape_latency(const char *text)
{
    json_t *s = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(s);
    json_t *shapes = json_object_get(json_object_get(json_object_get(json_object_get(s,
                                     "properties"), "timeline"), "items"), "oneOf");
    json_t *v = json_object_get(json_object_get(json_array_get(shapes, 2), "properties"), "latency");
    json_incref(v);
    json_decref(s);
    return v;
}

/* The timeline's items are three tables (restart, fix, fault): a key taken
 * out of one leaves the loader, the schema and --help alike. */
START_TEST(loader_schema_and_help_follow_the_timeline_shapes)
{
    struct changed_timeline f;
    struct kdo_errinfo err = {0};
    drop_fault_latency(&f);
    const char *slow = "lambda: {rules: []}\ntimeline: [{from: 1s, fault: latency, latency: 2s}]\n";
    ck_assert_int_eq(loads(&kdo_format_scenario, slow, &err), 0);
    ck_assert_int_eq(loads(&f.root, slow, &err), KDO_ESCHEMA);
    ck_assert_msg(strstr(err.msg, "unknown key \"latency\" in a timeline item") != NULL,
                  "message: %s", err.msg);
    ck_assert_int_eq(loads(&f.root, "timeline: [{at: 1s, fix: true, value: x}]\n", &err), KDO_ESCHEMA);
    ck_assert_msg(strcmp(err.msg, "`value` belongs to a fault item ({from, until, fault, match, "
                                  "name, value}), not to a fix") == 0, "message: %s", err.msg);
    char *text = kdo_schema_generate(&f.root);
    json_t *gone = fault_shape_latency(text), *there = fault_shape_latency(kdo_schema_text());
    ck_assert_ptr_null(gone);
    ck_assert_ptr_nonnull(there);
    json_decref(there);
    free(text);
    char *changed = help_of(&f.root), *plain = help_of(&kdo_format_scenario);
    ck_assert_msg(strstr(changed, "  timeline[].latency ") == NULL, "help: %s", changed);
    ck_assert_msg(strstr(plain, "  timeline[].latency ") != NULL, "help: %s", plain);
    /* `at` is a restart's and a fix's: listed once. */
    const char *at = strstr(plain, "  timeline[].at ");
    ck_assert_ptr_nonnull(at);
    ck_assert_ptr_null(strstr(at + 1, "  timeline[].at "));
    free(changed);
    free(plain);
}
END_TEST

/* Every key of every table under the root is in the schema and in --help;
 * the schema's mappings have no key the tables lack. */
static void same_keys(const struct kdo_format_map *m, json_t *obj, const char *prefix,
                      const char *help, int depth)
{
    json_t *props = json_object_get(obj, "properties");
    ck_assert_msg(props != NULL, "schema of %s has no properties", prefix);
    ck_assert_uint_eq(json_object_size(props), m->nkeys);
    for (size_t i = 0; i < m->nkeys; i++) {
        const struct kdo_format_key *k = &m->keys[i];
        char path[200], line[210];
        snprintf(path, sizeof path, "%s%s", prefix, k->name);
        snprintf(line, sizeof line, "  %s ", path);
        ck_assert_msg(json_object_get(props, k->name) != NULL, "schema lacks %s", path);
        ck_assert_msg(strstr(help, line) != NULL, "help lacks %s", path);
        json_t *v = json_object_get(props, k->name);
        if (k->kind == KDO_FORMAT_LIST && k->map && depth < 3)
            v = json_object_get(v, "items");
        if (k->map && json_object_get(v, "properties") && depth < 3) {
            ck_assert_int_lt(snprintf(path, sizeof path, "%s%s%s", prefix, k->name,
                                      k->kind == KDO_FORMAT_LIST ? "[]." : "."),
                             (int)sizeof path);
            same_keys(k->map, v, path, help, depth + 1);
        }
    }
}

START_TEST(schema_and_help_name_the_tables_keys)
{
    char *help = help_of(&kdo_format_scenario);
    same_keys(&kdo_format_scenario, schema, "", help, 0);
    free(help);
}
END_TEST

static Suite *schema_suite(void)
{
    Suite *s = suite_create("schema");
    const struct {
        const char *name;
        const TTest *test;
    } cases[] = {
        {"parses_as_json", parses_as_json},
        {"write_matches_text", write_matches_text},
        {"write_reports_io_errors", write_reports_io_errors},
        {"every_mapping_is_closed_and_described", every_mapping_is_closed_and_described},
        {"top_level_keys", top_level_keys},
        {"action_enum_is_faults_h", action_enum_is_faults_h},
        {"query_and_transport_enums", query_and_transport_enums},
        {"facts_are_expect_c", facts_are_expect_c},
        {"output_is_the_format_table", output_is_the_format_table},
        {"metric_pattern", metric_pattern},
        {"limits_match_contract", limits_match_contract},
        {"required_keys", required_keys},
        {"loader_schema_and_help_follow_one_table_entry",
         loader_schema_and_help_follow_one_table_entry},
        {"loader_schema_and_help_follow_the_query_keys",
         loader_schema_and_help_follow_the_query_keys},
        {"loader_schema_and_help_follow_the_timeline_shapes",
         loader_schema_and_help_follow_the_timeline_shapes},
        {"schema_and_help_name_the_tables_keys", schema_and_help_name_the_tables_keys},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_add_checked_fixture(tc, load, unload);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(schema_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
