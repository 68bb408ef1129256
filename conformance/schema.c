/*
 * schema.c -- the JSON Schema (draft 2020-12) of the scenario format,
 * generated from the format's tables (scenario-format.h).
 *
 * Every mapping becomes a closed object (`additionalProperties: false`) with
 * the table's keys, each described by its help text (a mapping of several
 * shapes, oneOf its shapes, each with its required keys); a key's value form
 * comes from its kind (a $ref to the unit forms below), its choices, its
 * sub-table, or its `schema` text with the limits filled in.  The fact names
 * and their descriptions come from expect.c's fact table (through
 * kdo_fact_describe, the one list), `during` allowed where expect.c can window
 * the fact.  Relations between values (min <= max, time order, restarts
 * before the end) are the loader's alone.  tests/unit/test_schema.c checks
 * the result against the C tables; tests/integration/schema/ validates every
 * bundled scenario with ajv.
 */
#include "schema.h"

#include "base/buf.h"
#include "base/errors.h"
#include "expect.h"
#include "scenario-format.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

/* The value forms every table refers to ($defs), as JSON. */
static const char unit_defs[] =
    "{\"duration\": {\"anyOf\": [{\"type\": \"number\", \"minimum\": 0, \"maximum\": 31622400}, {\"type\": \"s"
    "tring\", \"pattern\": \"^([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)? *(ns|us|ms|s|m|min|h"
    "|d)?$\"}], \"description\": \"A duration: 250ms, 60s, 1.5s, 2m, 1h, 1d (units ns, us, ms, s, m"
    ", min, h, d); a bare number is seconds.\"}, \"size\": {\"anyOf\": [{\"type\": \"integer\", \"minimum"
    "\": 0}, {\"type\": \"string\", \"pattern\": \"^([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)? *("
    "B|KB|KiB|MB|MiB|GB|GiB)?$\"}], \"description\": \"A whole size: 100B, 512KB, 6MB (KB/MB/GB = 1"
    "024-based; KiB/MiB/GiB the same); a bare number is bytes.\"}, \"rate\": {\"anyOf\": [{\"type\": \""
    "number\", \"minimum\": 0, \"maximum\": 10000000}, {\"type\": \"string\", \"pattern\": \"^([0-9]+(\\\\.[0"
    "-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)? *(/s|/sec|/min|/m|/h)?$\"}], \"description\": \"Rows per t"
    "ime unit: 1000/s, 60/min, 3600/h (also /sec, /m); a bare number is per second; at most 100"
    "00000/s.\"}, \"count\": {\"anyOf\": [{\"type\": \"integer\", \"minimum\": 0}, {\"type\": \"string\", \"pat"
    "tern\": \"^[0-9]+$\"}], \"description\": \"A whole number: 0, 3, 1000.\"}, \"probability\": {\"anyOf"
    "\": [{\"type\": \"number\", \"minimum\": 0, \"maximum\": 1}, {\"type\": \"string\", \"pattern\": \"^(0+(\\\\"
    ".[0-9]*)?|0*1(\\\\.0*)?|0*\\\\.[0-9]+)$\"}, {\"type\": \"string\", \"pattern\": \"^(0*100(\\\\.0*)?|0*[0"
    "-9]{1,2}(\\\\.[0-9]*)?|\\\\.[0-9]+) *%$\"}], \"description\": \"A probability: 0.25, or a percenta"
    "ge: 25%.\"}, \"number\": {\"anyOf\": [{\"type\": \"number\"}, {\"type\": \"string\", \"pattern\": \"^-?([0"
    "-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)?$\"}], \"description\": \"A number: 0, 1.5, -2, 1"
    "e3.\"}, \"text\": {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"number\"}, {\"type\": \"boolean\"}], \"d"
    "escription\": \"Text (a number or true/false is taken as its text).\"}, \"boolean\": {\"anyOf\": "
    "[{\"type\": \"boolean\"}, {\"enum\": [\"true\", \"false\"]}], \"description\": \"true or false.\"}, \"ran"
    "ge\": {\"anyOf\": [{\"$ref\": \"#/$defs/count\"}, {\"type\": \"object\", \"additionalProperties\": fals"
    "e, \"properties\": {\"min\": {\"$ref\": \"#/$defs/count\", \"description\": \"lowest value (inclusive"
    ")\"}, \"max\": {\"$ref\": \"#/$defs/count\", \"description\": \"highest value (inclusive)\"}}}], \"des"
    "cription\": \"N, or {min, max} (both inclusive, each optional).\"}, \"bound\": {\"anyOf\": [{\"$re"
    "f\": \"#/$defs/number\"}, {\"type\": \"object\", \"additionalProperties\": false, \"minProperties\": "
    "1, \"properties\": {\"min\": {\"$ref\": \"#/$defs/number\", \"description\": \"the fact must be at le"
    "ast this\"}, \"max\": {\"$ref\": \"#/$defs/number\", \"description\": \"the fact must be at most thi"
    "s\"}, \"eq\": {\"$ref\": \"#/$defs/number\", \"description\": \"the fact must equal this\"}}}], \"desc"
    "ription\": \"An exact value, or {min, max} (inclusive), or {eq}.\"}, \"windowedBound\": {\"anyOf"
    "\": [{\"$ref\": \"#/$defs/number\"}, {\"type\": \"object\", \"additionalProperties\": false, \"propert"
    "ies\": {\"min\": {\"$ref\": \"#/$defs/number\", \"description\": \"the fact must be at least this\"},"
    " \"max\": {\"$ref\": \"#/$defs/number\", \"description\": \"the fact must be at most this\"}, \"eq\": "
    "{\"$ref\": \"#/$defs/number\", \"description\": \"the fact must equal this\"}, \"during\": {\"type\": "
    "\"object\", \"additionalProperties\": false, \"description\": \"count the fact only in [from, unt"
    "il) (metrics: the minutes the period touches)\", \"properties\": {\"from\": {\"$ref\": \"#/$defs/d"
    "uration\", \"description\": \"start of the period (default: the start of the run)\"}, \"until\": "
    "{\"$ref\": \"#/$defs/duration\", \"description\": \"end of the period, exclusive (default: the en"
    "d of the run)\"}}}}, \"anyOf\": [{\"properties\": {\"min\": true}, \"required\": [\"min\"]}, {\"proper"
    "ties\": {\"max\": true}, \"required\": [\"max\"]}, {\"properties\": {\"eq\": true}, \"required\": [\"eq\""
    "]}]}], \"description\": \"An exact value, or {min, max} (inclusive), or {eq}; `during` counts"
    " the fact only in a period.\"}, \"nonzeroDuration\": {\"allOf\": [{\"$ref\": \"#/$defs/duration\"},"
    " {\"not\": {\"type\": \"string\", \"pattern\": \"^0*(\\\\.0*)? *[a-z]*$\"}}, {\"not\": {\"type\": \"number\""
    ", \"maximum\": 0.0009999}}], \"description\": \"A duration of at least 1ms.\"}}";

/* The fact mappings around the fact names (expect.c): metric patterns and destination ids. */
static const char facts_frame[] =
    "{\"type\": \"object\", \"additionalProperties\": false, \"description\": \"fact: value, or fact: {m"
    "in, max, eq, during}.\", \"patternProperties\": {\"^metric:(LambdaDelivery\\\\.OkRecords|LambdaD"
    "elivery\\\\.DeliveryFailedRecords|LambdaDelivery\\\\.Duration|MillisBehindLatest|Success|(Byte"
    "s|Records)(:(Input|Output))?):(Sum|Average|Maximum|Minimum|SampleCount)$\": {\"$ref\": \"#/$de"
    "fs/windowedBound\", \"description\": \"a CloudWatch metric's statistic over the run: metric:NA"
    "ME[:FLOW]:STAT, e.g. metric:Success:Average, metric:Bytes:Input:Sum\"}, \"^[0-9]+\\\\.[0-9]+$\""
    ": {\"$ref\": \"#/$defs/destinationFacts\", \"description\": \"with several destinations: the fact"
    "s of the destination with this id (the others are the first's)\"}}}";

static const char destination_facts_frame[] =
    "{\"type\": \"object\", \"additionalProperties\": false, \"description\": \"the facts of one destina"
    "tion's lane, as fact: bound\", \"patternProperties\": {\"^metric:(LambdaDelivery\\\\.OkRecords|L"
    "ambdaDelivery\\\\.DeliveryFailedRecords|LambdaDelivery\\\\.Duration|MillisBehindLatest|Success"
    "|(Bytes|Records)(:(Input|Output))?):(Sum|Average|Maximum|Minimum|SampleCount)$\": {\"$ref\": "
    "\"#/$defs/windowedBound\", \"description\": \"a CloudWatch metric's statistic over the run: met"
    "ric:NAME[:FLOW]:STAT, e.g. metric:Success:Average, metric:Bytes:Input:Sum\"}}}";

static const char header[] =
    "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"$id\": \"urn:kdaout:scenario:0."
    "1\", \"title\": \"kdaout scenario\"}";

/* The tables and the texts above are constant: a parse failure is a bug. */
static json_t *parse(const char *text)
{
    json_error_t e;
    json_t *v = json_loads(text, 0, &e);
    if (v == NULL) {
        fprintf(stderr, "kdaout: bug: a schema text does not parse (%s): %.80s\n", e.text, text);
        abort();
    }
    return v;
}

/* A limit in the schema's unit: durations in seconds, the rest as is. */
static void schema_number(const struct kdo_format_key *k, int64_t v, struct kdo_buf *b)
{
    if (k->kind == KDO_FORMAT_DURATION && v % KDO_S != 0)
        kdo_buf_printf(b, "%.17g", (double)v / 1e9);
    else
        kdo_buf_printf(b, "%" PRId64, k->kind == KDO_FORMAT_DURATION ? v / KDO_S : v);
}

/* "[d]", "[de]" or "[d-e]". */
static void digits(struct kdo_buf *b, int lo, int hi)
{
    if (lo == hi)
        kdo_buf_printf(b, "%d", lo);
    else
        kdo_buf_printf(b, hi == lo + 1 ? "[%d%d]" : "[%d-%d]", lo, hi);
}

/* A regular expression (alternatives, no anchors) for the whole numbers
 * lo..hi (lo >= 1), written without leading zeros: each alternative is a
 * prefix of lo, one digit range and [0-9]{k}. */
static void range_regex(uint64_t lo, uint64_t hi, struct kdo_buf *b)
{
    for (int first = 1; lo <= hi; first = 0) {
        uint64_t p = 1;
        unsigned k = 0;
        while (lo % (p * 10) == 0 && lo + p * 10 - 1 <= hi && p < UINT64_MAX / 100)
            p *= 10, k++;
        uint64_t d = (lo / p) % 10, m = 10 - d;
        if ((hi - lo + 1) / p < m)
            m = (hi - lo + 1) / p;
        kdo_buf_puts(b, first ? "" : "|");
        if (lo / p / 10)
            kdo_buf_printf(b, "%" PRIu64, lo / p / 10);
        digits(b, (int)d, (int)(d + m - 1));
        if (k == 1)
            kdo_buf_puts(b, "[0-9]");
        else if (k > 1)
            kdo_buf_printf(b, "[0-9]{%u}", k);
        lo += m * p;
    }
}

static json_t *map_schema(const struct kdo_format_map *m);

/* The schema of k's mapping as JSON text (for "$MAP"). */
static void map_text(const struct kdo_format_map *m, struct kdo_buf *b)
{
    json_t *v = map_schema(m);
    char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    kdo_buf_puts(b, text);
    free(text);
    json_decref(v);
}

/* k->schema with $MIN, $MAX, $RANGE, $MRANGE and $MAP (the schema of k's
 * mapping) filled in. */
static json_t *filled(const struct kdo_format_key *k)
{
    struct kdo_buf b;
    kdo_buf_init(&b, 1 << 20);
    int64_t lo = k->min, hi = k->max;
    if (k->kind == KDO_FORMAT_DURATION)
        lo /= KDO_S, hi /= KDO_S;
    for (const char *s = k->schema; *s;) {
        if (strncmp(s, "$MIN", 4) == 0) {
            schema_number(k, k->min, &b);
            s += 4;
        } else if (strncmp(s, "$MAX", 4) == 0) {
            schema_number(k, k->max, &b);
            s += 4;
        } else if (strncmp(s, "$RANGE", 6) == 0) {
            range_regex((uint64_t)(lo > 0 ? lo : 1), (uint64_t)hi, &b);
            s += 6;
        } else if (strncmp(s, "$MRANGE", 7) == 0) {
            range_regex((uint64_t)((lo + 59) / 60 > 0 ? (lo + 59) / 60 : 1), (uint64_t)hi / 60, &b);
            s += 7;
        } else if (strncmp(s, "$MAP", 4) == 0) {
            map_text(k->map, &b);
            s += 4;
        } else {
            kdo_buf_append(&b, s++, 1);
        }
    }
    kdo_buf_append(&b, "", 1);
    json_t *v = parse(b.data);
    kdo_buf_cleanup(&b);
    return v;
}

static json_t *ref(const char *def)
{
    char path[64];
    snprintf(path, sizeof path, "#/$defs/%s", def);
    return json_pack("{s:s}", "$ref", path);
}

static json_t *enum_schema(const struct kdo_format_key *k)
{
    json_t *e = json_array();
    for (size_t i = 0;; i++) {
        const char *c = k->choices ? k->choices[i] : k->choice(i);
        if (c == NULL)
            break;
        json_array_append_new(e, json_string(c));
    }
    return json_pack("{s:s, s:o}", "type", "string", "enum", e);
}

/* The value form of a key without its description. */
static json_t *value_schema(const struct kdo_format_key *k)
{
    static const char *const refs[] = {
        [KDO_FORMAT_TEXT] = "text",       [KDO_FORMAT_COUNT] = "count",
        [KDO_FORMAT_SIZE] = "size",       [KDO_FORMAT_DURATION] = "duration",
        [KDO_FORMAT_RATE] = "rate",       [KDO_FORMAT_PROBABILITY] = "probability",
        [KDO_FORMAT_NUMBER] = "number",   [KDO_FORMAT_BOOL] = "boolean",
        [KDO_FORMAT_RANGE] = "range",
    };
    if (k->schema) {
        json_t *v = filled(k);
        if (k->kind == KDO_FORMAT_LIST && k->map && json_is_object(v) && !json_object_get(v, "items"))
            json_object_set_new(v, "items", map_schema(k->map));
        return v;
    }
    switch (k->kind) {
    case KDO_FORMAT_ENUM: return enum_schema(k);
    case KDO_FORMAT_MAP: return map_schema(k->map);
    case KDO_FORMAT_LIST:
        return json_pack("{s:s, s:o}", "type", "array", "items",
                         k->map ? map_schema(k->map) : json_object());
    case KDO_FORMAT_DURATION:
        if ((k->flags & KDO_FORMAT_LIMITED) && k->min == KDO_MS && k->max == INT64_MAX)
            return ref("nonzeroDuration");
        return ref("duration");
    case KDO_FORMAT_OTHER: return json_object();
    default: return ref(refs[k->kind]);
    }
}

static json_t *properties(const struct kdo_format_map *m)
{
    json_t *props = json_object();
    for (size_t i = 0; i < m->nkeys; i++) {
        json_t *v = value_schema(&m->keys[i]);
        json_object_set_new(v, "description", json_string(m->keys[i].help));
        json_object_set_new(props, m->keys[i].name, v);
    }
    return props;
}

/* One shape of a mapping of several: a closed object with its required keys. */
static json_t *shape_schema(const struct kdo_format_map *m)
{
    json_t *o = json_pack("{s:s, s:b}", "type", "object", "additionalProperties", 0);
    json_t *required = json_array();
    for (const char *const *r = m->required; r && *r; r++)
        json_array_append_new(required, json_string(*r));
    json_object_set_new(o, "required", required);
    if (m->help)
        json_object_set_new(o, "description", json_string(m->help));
    json_object_set_new(o, "properties", properties(m));
    return o;
}

/* A mapping of several shapes: exactly one of them. */
static json_t *shapes_schema(const struct kdo_format_map *m)
{
    json_t *o = json_object(), *one = json_array();
    if (m->help)
        json_object_set_new(o, "description", json_string(m->help));
    for (size_t i = 0; i < m->nshapes; i++)
        json_array_append_new(one, shape_schema(m->shapes[i]));
    json_object_set_new(o, "oneOf", one);
    return o;
}

static json_t *map_schema(const struct kdo_format_map *m)
{
    if (m->nshapes)
        return shapes_schema(m);
    json_t *o = json_pack("{s:s, s:b}", "type", "object", "additionalProperties", 0);
    if (m->help)
        json_object_set_new(o, "description", json_string(m->help));
    json_object_set_new(o, "properties", properties(m));
    if (m->schema_extra) {
        json_t *extra = parse(m->schema_extra);
        json_object_update(o, extra);
        json_decref(extra);
    }
    return o;
}

/* The facts' properties from expect.c's own table. */
static json_t *fact_properties(void)
{
    char name[96], text[512];
    json_t *props = json_object();
    for (size_t i = 0; kdo_fact_describe(i, name, sizeof name, text, sizeof text) == 0; i++) {
        text[0] = (char)toupper((unsigned char)text[0]);
        json_object_set_new(props, name,
                            json_pack("{s:s, s:s}", "$ref",
                                      kdo_fact_windowable(name) ? "#/$defs/windowedBound"
                                                                : "#/$defs/bound",
                                      "description", text));
    }
    return props;
}

/* output: a file name, [] (no rows) or its mapping (format.c's table). */
static json_t *output_schema(void)
{
    json_t *o = json_pack("{s:[{s:s, s:i}, {s:s, s:i}, o], s:s}", "anyOf", "type", "string",
                          "minLength", 1, "type", "array", "maxItems", 0,
                          map_schema(&kdo_format_output), "description",
                          kdo_format_output.help);
    return o;
}

static json_t *facts_def(const char *frame)
{
    json_t *o = parse(frame);
    json_t *props = fact_properties();
    json_object_set_new(props, "output", output_schema());
    json_object_set_new(props, "sql_error", map_schema(&kdo_format_sql_error));
    json_object_set_new(o, "properties", props);
    return o;
}

char *kdo_schema_generate(const struct kdo_format_map *root)
{
    json_t *s = parse(header);
    json_t *top = map_schema(root);
    json_t *defs = parse(unit_defs);
    json_t *match = map_schema(&kdo_format_match);
    json_object_del(match, "description");
    json_object_set_new(defs, "facts", facts_def(facts_frame));
    json_object_set_new(defs, "match", match);
    json_object_set_new(defs, "destinationFacts", facts_def(destination_facts_frame));
    json_object_update(s, top);
    json_object_set_new(s, "$defs", defs);
    json_decref(top);
    char *text = json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(s);
    size_t n = strlen(text);
    char *out = kdo_xmalloc(n + 2);
    memcpy(out, text, n);
    memcpy(out + n, "\n", 2);
    free(text);
    return out;
}

static char *schema_text;
static once_flag schema_once = ONCE_FLAG_INIT;

static void generate_once(void)
{
    schema_text = kdo_schema_generate(&kdo_format_scenario);
}

const char *kdo_schema_text(void)
{
    call_once(&schema_once, generate_once);
    return schema_text;
}

int kdo_schema_write(FILE *out)
{
    const char *text = kdo_schema_text();
    size_t len = strlen(text);
    if (fwrite(text, 1, len, out) != len || fflush(out) != 0)
        return KDO_EIO;
    return 0;
}
