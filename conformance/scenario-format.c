/*
 * scenario-format.c -- the tables of the scenario format (scenario-format.h);
 * scenario-format-read.c reads them (lookups, limits as text, --help).
 *
 * One table per mapping, in the order the keys are documented.  Limits name
 * contract.h's constants where the contract sets them; help texts are the
 * JSON Schema's descriptions and --help's lines; `schema` texts give the
 * value forms a kind alone cannot state (patterns), with $MIN/$MAX/$RANGE
 * standing for the limits so a changed limit changes the schema too.
 */
#include "scenario-format.h"

#include "base/bounds.h"
#include "delivery/contract.h"
#include "delivery/delivery.h"
#include "expect.h"
#include "lambda/faults.h"
#include "scenario.h"
#include "sql/expr.h"
#include "sql/query.h"

#include <stddef.h>

#define DAY (24 * 3600 * KDO_S)
#define N(keys) (sizeof keys / sizeof keys[0])
/* A mapping's table: its name in messages, description, keys and schema additions. */
#define MAP(name_, help_, keys_, extra_) \
    .name = (name_), .help = (help_), .keys = (keys_), .nkeys = N(keys_), .schema_extra = (extra_)

static const char *const queries[] = {"continuous", "tumbling", "sliding", "stagger", NULL};
static const int query_values[] = {KDO_QUERY_CONTINUOUS, KDO_QUERY_TUMBLING, KDO_QUERY_SLIDING,
                                   KDO_QUERY_STAGGER};
static const char *const row_formats[] = {"JSON", "CSV", "json", "csv", NULL};
static const char *const transports[] = {"in-process", "http", NULL};
static const char *const row_kinds[] = {"any", "empty", "binary", "not_json", NULL};

/* The fault actions of faults.h, in its order. */
static const char *action_choice(size_t i)
{
    return i < KDO_FAULT_ACTION_COUNT ? kdo_fault_action_name((enum kdo_fault_action)i) : NULL;
}

static const struct kdo_format_map application, buffer, input_item, destination, delivery, lambda,
    rule, timeline_item, timeline_restart, timeline_fix, timeline_fault, reference_item,
    timeline_reload, reload;

/* A contract.h number in a help text or default, so the words state the very limit. */
#define STR_(x) #x
#define STR(x) STR_(x)

static const struct kdo_format_key top_keys[] = {
    {.name = "name",
     .kind = KDO_FORMAT_TEXT,
     .help = "what the scenario shows, printed in every report (default: the file name)",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_scenario, name)},
    {.name = "guide",
     .kind = KDO_FORMAT_TEXT,
     .help = "the statement of the KDA guide this scenario proves",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_scenario, guide)},
    {.name = "description",
     .kind = KDO_FORMAT_TEXT,
     .help = "free text for readers",
     .store = KDO_FORMAT_CHECK},
    {.name = "seed",
     .kind = KDO_FORMAT_COUNT,
     .help = "seed for every random choice (GUIDs, fault probabilities, data); --seed overrides it",
     .store = KDO_FORMAT_U64,
     .offset = offsetof(struct kdo_scenario, sim.seed)},
    {.name = "duration",
     .kind = KDO_FORMAT_DURATION,
     .help = "how long the source produces rows, at most 30 days (default 60s)",
     .def = "60s",
     .flags = KDO_FORMAT_LIMITED,
     .min = 0,
     .max = 30 * DAY,
     .limit_msg = "duration is limited to {max}",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_scenario, sim.duration),
     .schema = "{\"anyOf\": [{\"type\": \"number\", \"minimum\": $MIN, \"maximum\": $MAX}, {\"type\": \"string\", \"pattern\": \"^([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)? *(ns|us|ms|s|m|min|h)?$\"}]}"},
    {.name = "drain",
     .kind = KDO_FORMAT_DURATION,
     .help = "then delivery may finish for at most this long",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_scenario, sim.drain_limit)},
    {.name = "application",
     .kind = KDO_FORMAT_MAP,
     .help = "The emulated KDA application: its source, query and destination stream.",
     .map = &application},
    {.name = "delivery",
     .kind = KDO_FORMAT_MAP,
     .help = "How KDA delivers to the function.",
     .map = &delivery},
    {.name = "lambda",
     .kind = KDO_FORMAT_MAP,
     .help = "The Lambda end: the built-in fake (in process or over HTTP) or any Invoke API endpoint.",
     .map = &lambda},
    {.name = "timeline",
     .kind = KDO_FORMAT_LIST,
     .help = "events over time, in time order: restarts, fixes deployed, faults over a period, reference data reloads",
     .map = &timeline_item},
    {.name = "expect",
     .kind = KDO_FORMAT_OTHER,
     .help = "What must hold: a mapping of fact: value or fact: {min, max, eq, during}, or a list of one-entry mappings (to state one fact for several periods). Every scenario also checks lost = 0, ok_resent = 0, retry_hint_errors = 0, head_of_line_violations = 0, max_event_bytes <= 6291456 unless it says otherwise. With several destinations, a key naming one (\"1.2\") holds that destination's facts; the others are the first's. output: the rows the function must receive (a file, [] or {file, format, order, tolerance, columns}). sql_error: {message, at}: the application's SQL must be refused so (the run is skipped).",
     .map = &kdo_format_output, /* the form of its `output` entry */
     .schema = "{\"anyOf\": [{\"$ref\": \"#/$defs/facts\"}, {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/facts\", \"type\": \"object\", \"minProperties\": 1, \"maxProperties\": 1, \"description\": \"one fact: bound\"}}]}"},
};
/* The query keys, the same at the application's top level and in each
 * destination: declared once here, listed in both tables. */
#define KEY_QUERY \
    {.name = "query", \
     .kind = KDO_FORMAT_ENUM, \
     .help = "the window: continuous and sliding emit a row per input row and flush about once per second; tumbling emits one row per group when its window ends and is delivered once per window; stagger opens a window per partition key with its first row and emits when it closes (delivered on the 1 s grid)", \
     .choices = queries, \
     .values = query_values}
#define KEY_WINDOW \
    {.name = "window", \
     .kind = KDO_FORMAT_OTHER, \
     .help = "tumbling STEP width, sliding RANGE INTERVAL or stagger RANGE (at least 1ms, at most 366 days), e.g. 60s; or \"N rows\" for a sliding ROWS N PRECEDING window", \
     .flags = KDO_FORMAT_LIMITED, \
     .min = KDO_MS, \
     .max = KDO_EXPR_MAX_STEP_MS * KDO_MS, \
     .limit_kind = KDO_FORMAT_DURATION, \
     .below_msg = "window must be at least {min}", \
     .limit_msg = "window is limited to {max}", \
     .schema = "{\"anyOf\": [{\"$ref\": \"#/$defs/nonzeroDuration\"}, {\"type\": \"string\", \"pattern\": \"^[0-9]+ rows$\"}]}"}
#define KEY_PARTITION_BY \
    {.name = "partition_by", \
     .kind = KDO_FORMAT_OTHER, \
     .help = "the GROUP BY (tumbling) or PARTITION BY (sliding, stagger) keys as SQL, e.g. [TICKER_SYMBOL]; a tumbling key may be STEP(ROWTIME BY INTERVAL '60' SECOND) or FLOOR(ROWTIME TO MINUTE), which sets the window", \
     .flags = KDO_FORMAT_LIMITED, \
     .min = 0, \
     .max = KDO_FORMAT_MAX_PARTITION_KEYS, \
     .limit_msg = "partition_by has {value} keys; at most {max}", \
     .schema = "{\"type\": \"array\", \"maxItems\": $MAX, \"items\": {\"type\": \"string\", \"minLength\": 1}}"}
#define KEY_SELECT \
    {.name = "select", \
     .kind = KDO_FORMAT_OTHER, \
     .help = "SELECT STREAM: each \"EXPR [AS NAME]\"; with a window also COUNT(*), COUNT/SUM/AVG/MIN/MAX(expr) [OVER w] (default: every input column; windowed: ROWTIME, the keys and COUNT(*) AS ROW_COUNT)", \
     .schema = "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}"}
#define KEY_WHERE \
    {.name = "where", \
     .kind = KDO_FORMAT_OTHER, \
     .help = "SELECT STREAM ... WHERE: a SQL condition over the input columns, e.g. \"CHANGE > 0 AND SECTOR = 'TECHNOLOGY'\"", \
     .schema = "{\"type\": \"string\"}"}
#define KEY_FORMAT \
    {.name = "format", \
     .kind = KDO_FORMAT_ENUM, \
     .help = "the destination's RecordFormatType: how output rows are written (default JSON)", \
     .choices = row_formats, \
     .def = "JSON"}

/* A mapping of column: SQL type (application.schema, a reference table's). */
#define SCHEMA_COLUMNS \
    "{\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\", \"pattern\": \"^(VARCHAR\\\\([1-9][0-9]{0,4}\\\\)|varchar\\\\([1-9][0-9]{0,4}\\\\)|BIGINT|INTEGER|INT|SMALLINT|TINYINT|REAL|DOUBLE|FLOAT|BOOLEAN|TIMESTAMP|bigint|integer|int|smallint|tinyint|real|double|float|boolean|timestamp|(DECIMAL|DEC|NUMERIC|decimal|dec|numeric)(\\\\([1-9][0-9]?(, ?[0-9]{1,2})?\\\\))?)$\"}}"

static const struct kdo_format_key application_keys[] = {
    {.name = "arn",
     .kind = KDO_FORMAT_TEXT,
     .help = "the application ARN sent in each event (default arn:aws:kinesisanalytics:us-east-1:123456789012:application/kdaout)"},
    KEY_QUERY,
    KEY_WINDOW,
    {.name = "buffer",
     .kind = KDO_FORMAT_MAP,
     .help = "the destination stream's bound; when full, the source is not read (backpressure)",
     .map = &buffer},
    {.name = "row_size",
     .kind = KDO_FORMAT_SIZE,
     .help = "generated ticker rows are padded to this size (at most 512KB), e.g. 100B",
     .flags = KDO_FORMAT_LIMITED,
     .min = 0,
     .max = (int64_t)KDO_MAX_ROW_BYTES,
     .limit_msg = "row_size is {value} bytes; KDA's in-application row limit is {max} (512 KB)",
     .store = KDO_FORMAT_SIZE_T,
     .offset = offsetof(struct kdo_scenario, sim.source.row_size),
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": $MIN, \"maximum\": $MAX}, {\"type\": \"string\", \"pattern\": \"^([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)? *(B|KB|KiB|MB|MiB|GB|GiB)?$\"}]}"},
    {.name = "input",
     .kind = KDO_FORMAT_LIST,
     .help = "the source: rates, bursts and single rows (default: 100/s)",
     .map = &input_item},
    {.name = "schema",
     .kind = KDO_FORMAT_OTHER,
     .help = "the input stream's columns and SQL types (default: the demo ticker stream TICKER_SYMBOL VARCHAR(4), SECTOR VARCHAR(16), CHANGE REAL, PRICE REAL); ROWTIME and APPROXIMATE_ARRIVAL_TIME are always there",
     .schema = SCHEMA_COLUMNS},
    {.name = "epoch",
     .kind = KDO_FORMAT_OTHER,
     .help = "the wall-clock time of t = 0, UTC, in years 1970 to 9999: what ROWTIME shows and what input times are measured from, e.g. \"2018-11-01T00:00:00Z\" or '2018-11-01 00:00:00' (default 2026-01-01T00:00:00Z)",
     .schema = "{\"type\": \"string\", \"pattern\": \"^(19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\\\.[0-9]{1,3})?)?Z?$\"}"},
    {.name = "input_format",
     .kind = KDO_FORMAT_ENUM,
     .help = "how source rows are written (default JSON)",
     .choices = row_formats,
     .def = "JSON"},
    KEY_FORMAT,
    KEY_WHERE,
    KEY_SELECT,
    KEY_PARTITION_BY,
    {.name = "sql",
     .kind = KDO_FORMAT_OTHER,
     .help = "the application's SQL code as pasted into KDA: a file next to the scenario (at most 100 KB, KDA's limit for application code), or the code itself (a value holding a newline or ';'); CREATE [OR REPLACE] STREAM and PUMP, chains of streams; excludes query, window, partition_by, select and where; each destination reads its `stream`",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
    {.name = "name_prefix",
     .kind = KDO_FORMAT_TEXT,
     .help = "the input streams' name prefix (KDA's NamePrefix): the SQL reads PREFIX_001 .. PREFIX_0NN (default SOURCE_SQL_STREAM; with sql only)",
     .def = "SOURCE_SQL_STREAM",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_scenario, name_prefix),
     .schema = "{\"type\": \"string\", \"minLength\": 1, \"maxLength\": 124}"},
    {.name = "source_stream",
     .kind = KDO_FORMAT_TEXT,
     .help = "the one input stream's exact name, for SQL written against a named stream as the SQL Reference's examples are (e.g. WEATHERSTREAM or AGGTEST.WEATHERSTREAM; with sql only; instead of name_prefix and parallelism)",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_scenario, source_stream),
     .schema = "{\"type\": \"string\", \"minLength\": 1, \"maxLength\": 128}"},
    {.name = "parallelism",
     .kind = KDO_FORMAT_COUNT,
     .help = "input streams (KDA's InputParallelism, 1 to 64; default 1; with sql only): source rows are dealt to them round-robin",
     .def = "1",
     .flags = KDO_FORMAT_LIMITED,
     .min = 1,
     .max = 64,
     .limit_msg = "parallelism is {value}; KDA has {min} to {max} input streams",
     .store = KDO_FORMAT_INT,
     .offset = offsetof(struct kdo_scenario, parallelism)},
    {.name = "reference",
     .kind = KDO_FORMAT_LIST,
     .help = "with sql only: up to " STR(KDO_PROGRAM_MAX_TABLES) " reference tables (KDA's reference data sources, S3 objects), each {name, file, format, schema}: read at load, loaded into the application before its first row; a timeline item {at, reference: {name, file}} reloads one",
     .map = &reference_item,
     .flags = KDO_FORMAT_LIMITED,
     .min = 0,
     .max = KDO_PROGRAM_MAX_TABLES,
     .limit_msg = "an application has at most {max} reference tables here; found {value}",
     .schema = "{\"type\": \"array\", \"maxItems\": $MAX}"},
    {.name = "destinations",
     .kind = KDO_FORMAT_LIST,
     .help = "up to 3 destinations (KDA's limit), each its own query, delivery lane, cadence and metrics Id; the source is read once for all and only while every destination stream has room. With destinations, query/window/partition_by/select/where/format go in each one.",
     .map = &destination,
     .flags = KDO_FORMAT_LIMITED,
     .min = 1,
     .max = KDO_MAX_DESTINATIONS,
     .limit_msg = "an application has {min} to {max} destinations (KDA's limit); found {value}",
     .schema = "{\"type\": \"array\", \"minItems\": $MIN, \"maxItems\": $MAX}"},
};
static const struct kdo_format_key buffer_keys[] = {
    {.name = "rows",
     .kind = KDO_FORMAT_COUNT,
     .help = "most rows held (at least 1; default 100000)",
     .flags = KDO_FORMAT_LIMITED,
     .min = 1,
     .max = INT64_MAX,
     .limit_msg = "buffer rows must be at least {min}",
     .store = KDO_FORMAT_SIZE_T,
     .offset = offsetof(struct kdo_scenario, sim.delivery.buffer_rows),
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": $MIN}, {\"type\": \"string\", \"pattern\": \"^0*[1-9][0-9]*$\"}]}"},
    {.name = "bytes",
     .kind = KDO_FORMAT_SIZE,
     .help = "most bytes held (at least 1MB so any 512 KB row fits; default 64MB)",
     .flags = KDO_FORMAT_LIMITED,
     .min = (int64_t)1 << 20,
     .max = INT64_MAX,
     .limit_msg = "buffer bytes must be at least {min}, so any row up to KDA's 512 KB limit fits",
     .store = KDO_FORMAT_SIZE_T,
     .offset = offsetof(struct kdo_scenario, sim.delivery.buffer_bytes),
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": $MIN}, {\"type\": \"string\", \"pattern\": \"^([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)? *(B|KB|KiB|MB|MiB|GB|GiB)?$\"}]}"},
};
static const struct kdo_format_key input_item_keys[] = {
    {.name = "rate",
     .kind = KDO_FORMAT_RATE,
     .help = "generated ticker rows at this steady rate, e.g. 1000/s"},
    {.name = "burst",
     .kind = KDO_FORMAT_COUNT,
     .help = "this many generated rows at once (at `at`/`from`), at most 100000000",
     .flags = KDO_FORMAT_LIMITED,
     .min = 0,
     .max = 100000000,
     .limit_msg = "a burst is at most {max} rows",
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": $MIN, \"maximum\": $MAX}, {\"type\": \"string\", \"pattern\": \"^0*([0-9]{1,8}|100000000)$\"}]}"},
    {.name = "row",
     .kind = KDO_FORMAT_OTHER,
     .help = "one row with exactly this content (e.g. a poison pill), at most 512 KB",
     .flags = KDO_FORMAT_LIMITED,
     .min = 0,
     .max = (int64_t)KDO_MAX_ROW_BYTES,
     .schema = "{\"anyOf\": [{\"type\": \"string\", \"maxLength\": $MAX}, {\"type\": \"number\"}, {\"type\": \"boolean\"}]}"},
    {.name = "from",
     .kind = KDO_FORMAT_DURATION,
     .help = "when this input starts (default 0s)"},
    {.name = "at",
     .kind = KDO_FORMAT_DURATION,
     .help = "when a burst or row arrives (same as from)"},
    {.name = "until",
     .kind = KDO_FORMAT_DURATION,
     .help = "when a rate stops (default: the end of the run)"},
    {.name = "rows",
     .kind = KDO_FORMAT_OTHER,
     .help = "literal rows: text, or mappings written as JSON; all at `at`, or one after another at `rate`",
     .schema = "{\"type\": \"array\", \"items\": {\"anyOf\": [{\"type\": \"string\", \"maxLength\": 524288}, {\"type\": \"number\"}, {\"type\": \"boolean\"}, {\"type\": \"object\"}, {\"type\": \"array\"}]}}"},
    {.name = "file",
     .kind = KDO_FORMAT_OTHER,
     .help = "rows from a file next to the scenario: JSON Lines (one row a line) or, for a .csv name, CSV records (with a header unless header: false)",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
    {.name = "header",
     .kind = KDO_FORMAT_OTHER,
     .help = "a CSV file's first line names its columns (default true)",
     .schema = "{\"type\": \"boolean\"}"},
    {.name = "time",
     .kind = KDO_FORMAT_OTHER,
     .help = "with file: the column holding each row's arrival as a UTC time ('2018-11-01 01:00:00.0', ISO '2018-11-01T01:00:00Z', or a time of day '11:00:20' on the epoch's date), measured from application.epoch; the column is cut from the row (KDA assigns ROWTIME) and rows must be in time order",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
};
static const struct kdo_format_key reference_keys[] = {
    {.name = "name",
     .kind = KDO_FORMAT_TEXT,
     .help = "the table's name exactly as the SQL writes it: a quoted name (\"CompanyName\") keeps its case, an unquoted one is upper case",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
    {.name = "file",
     .kind = KDO_FORMAT_TEXT,
     .help = "its records, one a line (KDA reads a CSV header line as a row too): a file next to the scenario or under an --allow-path, at most 64 MB",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
    {.name = "format",
     .kind = KDO_FORMAT_ENUM,
     .help = "the records' RecordFormatType, JSON or CSV (default: by the file's name, .csv CSV, .json and .jsonl JSON; any other name needs it)",
     .choices = row_formats},
    {.name = "schema",
     .kind = KDO_FORMAT_OTHER,
     .help = "the table's columns and SQL types, as application.schema writes them",
     .schema = SCHEMA_COLUMNS},
};
static const struct kdo_format_key reload_keys[] = {
    {.name = "name",
     .kind = KDO_FORMAT_TEXT,
     .help = "the reference table, as application.reference names it",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
    {.name = "file",
     .kind = KDO_FORMAT_TEXT,
     .help = "its new records, in the table's format: they replace every row at once",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
};
static const struct kdo_format_key destination_keys[] = {
    {.name = "id",
     .kind = KDO_FORMAT_OTHER,
     .help = "KDA's output Id (default 1.1, 1.2, 1.3 in order)",
     .schema = "{\"type\": \"string\", \"pattern\": \"^[0-9]+\\\\.[0-9]+$\"}"},
    KEY_QUERY,
    KEY_WINDOW,
    KEY_PARTITION_BY,
    KEY_SELECT,
    KEY_WHERE,
    KEY_FORMAT,
    {.name = "stream",
     .kind = KDO_FORMAT_TEXT,
     .help = "with application.sql: the in-application stream this destination reads, exactly as the SQL names it (unquoted names are upper case; default DESTINATION_SQL_STREAM)",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
    {.name = "cadence",
     .kind = KDO_FORMAT_DURATION,
     .help = "this destination's flush interval (default: delivery.cadence, or once per window for tumbling)"},
};
static const struct kdo_format_key delivery_keys[] = {
    {.name = "cadence",
     .kind = KDO_FORMAT_DURATION,
     .help = "the flush grid (default 1s; tumbling: every window trigger)",
     .def = "1s",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_scenario, sim.delivery.cadence)},
    {.name = "retry_interval",
     .kind = KDO_FORMAT_DURATION,
     .help = "wait before resending failed records (at least 1ms; default 1s)",
     .def = "1s",
     .flags = KDO_FORMAT_LIMITED,
     .min = KDO_MS,
     .max = INT64_MAX,
     .limit_msg = "retry_interval must be at least {min}",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_scenario, sim.delivery.retry_interval)},
    {.name = "invoke_timeout",
     .kind = KDO_FORMAT_DURATION,
     .help = "give up on an invocation after this long (at least 100ms; default the function's timeout + 5s)",
     .flags = KDO_FORMAT_LIMITED,
     .min = 100 * KDO_MS,
     .max = INT64_MAX,
     .limit_msg = "invoke_timeout must be at least {min}",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_scenario, sim.delivery.invoke_timeout),
     .schema = "{\"allOf\": [{\"$ref\": \"#/$defs/duration\"}, {\"not\": {\"type\": \"number\", \"maximum\": 0.0999999}}, {\"not\": {\"type\": \"string\", \"pattern\": \"^0*(\\\\.0*)? *[a-z]*$|^0*[0-9]{1,2}(\\\\.[0-9]*)? *ms$|^[0-9]+(\\\\.[0-9]*)? *(ns|us)$\"}}]}"},
    {.name = "max_event_bytes",
     .kind = KDO_FORMAT_SIZE,
     .help = "split events above this size: between 1MB and 6MB (6291456 bytes, Lambda's request limit)",
     .def = "6MB",
     .flags = KDO_FORMAT_LIMITED,
     .min = (int64_t)KDO_MIN_EVENT_LIMIT,
     .max = (int64_t)KDO_MAX_EVENT_BYTES,
     .limit_msg = "max_event_bytes must be between {min} (so any 512 KB row fits) and {max} (6291456 bytes, Lambda's request limit)",
     .store = KDO_FORMAT_SIZE_T,
     .offset = offsetof(struct kdo_scenario, sim.delivery.max_event_bytes),
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": $MIN, \"maximum\": $MAX}, {\"type\": \"string\", \"pattern\": \"^[0-9]+ *B?$\"}, {\"type\": \"string\", \"pattern\": \"^[0-9]+(\\\\.[0-9]*)? *(KB|KiB)$\"}, {\"type\": \"string\", \"pattern\": \"^0*([1-5](\\\\.[0-9]*)?|6(\\\\.0*)?) *(MB|MiB)$\"}]}"},
};
static const struct kdo_format_key lambda_keys[] = {
    {.name = "timeout",
     .kind = KDO_FORMAT_DURATION,
     .help = "the function's Timeout: whole seconds between " STR(KDO_FUNCTION_TIMEOUT_MIN_S)
             "s and " STR(KDO_FUNCTION_TIMEOUT_MAX_S) "s (default "
             STR(KDO_FUNCTION_TIMEOUT_DEFAULT_S) "s)",
     .def = STR(KDO_FUNCTION_TIMEOUT_DEFAULT_S) "s",
     .flags = KDO_FORMAT_LIMITED | KDO_FORMAT_WHOLE_SECONDS,
     .min = KDO_FUNCTION_TIMEOUT_MIN_S * KDO_S,
     .max = KDO_FUNCTION_TIMEOUT_MAX_S * KDO_S,
     .limit_msg = "a Lambda function's Timeout is a whole number of seconds between {min} and {max}",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_scenario, sim.lambda.timeout),
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": $MIN, \"maximum\": $MAX}, {\"type\": \"string\", \"pattern\": \"^0*(?:$RANGE)(?:\\\\.0*)? *s?$|^0*(?:$MRANGE)(?:\\\\.0*)? *(?:m|min)$|^0*(?:$RANGE)000 *ms$\"}]}"},
    {.name = "latency",
     .kind = KDO_FORMAT_DURATION,
     .help = "the fake's time to answer each invocation",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_scenario, sim.lambda.latency)},
    {.name = "latency_per_record",
     .kind = KDO_FORMAT_DURATION,
     .help = "extra time per record of the invocation",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_scenario, sim.lambda.latency_per_record)},
    {.name = "memory",
     .kind = KDO_FORMAT_COUNT,
     .help = "the function's MemorySize in MB, between " STR(KDO_FUNCTION_MEMORY_MIN_MB) " and "
             STR(KDO_FUNCTION_MEMORY_MAX_MB),
     .def = STR(KDO_FUNCTION_MEMORY_DEFAULT_MB),
     .flags = KDO_FORMAT_LIMITED,
     .min = KDO_FUNCTION_MEMORY_MIN_MB,
     .max = KDO_FUNCTION_MEMORY_MAX_MB,
     .limit_msg = "a Lambda function's MemorySize is between {min} and {max} MB",
     .store = KDO_FORMAT_INT,
     .offset = offsetof(struct kdo_scenario, sim.lambda.memory_mb),
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": $MIN, \"maximum\": $MAX}, {\"type\": \"string\", \"pattern\": \"^0*($RANGE)$\"}]}"},
    {.name = "rules",
     .kind = KDO_FORMAT_LIST,
     .help = "fault rules, first match wins: the fake's answers, or (with endpoint) changes to a real function's replies",
     .map = &rule},
    {.name = "transport",
     .kind = KDO_FORMAT_ENUM,
     .help = "in-process (virtual time, the default) or http (the fake behind a real loopback HTTP server, real time); not with endpoint",
     .choices = transports,
     .def = "in-process"},
    {.name = "endpoint",
     .kind = KDO_FORMAT_OTHER,
     .help = "deliver to this Invoke API base URL instead of the fake, e.g. http://127.0.0.1:3001 (real time)",
     .schema = "{\"type\": \"string\", \"pattern\": \"^https?://\"}"},
    {.name = "function",
     .kind = KDO_FORMAT_TEXT,
     .help = "the function name, ACCOUNT:function:NAME or ARN (default kdaout-fake)",
     .def = "kdaout-fake",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_scenario, end.function)},
    {.name = "qualifier",
     .kind = KDO_FORMAT_TEXT,
     .help = "the version or alias to invoke",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_scenario, end.qualifier)},
    {.name = "region",
     .kind = KDO_FORMAT_TEXT,
     .help = "the AWS region (for signing)",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_scenario, end.region)},
    {.name = "sign",
     .kind = KDO_FORMAT_BOOL,
     .help = "sign requests with SigV4 using AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN",
     .def = "false",
     .store = KDO_FORMAT_INT,
     .offset = offsetof(struct kdo_scenario, end.sigv4)},
};
static const struct kdo_format_key rule_keys[] = {
    {.name = "name",
     .kind = KDO_FORMAT_TEXT,
     .help = "a name for the journal and reports",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_fault_rule, name)},
    {.name = "match",
     .kind = KDO_FORMAT_MAP,
     .help = "When the rule fires; every condition given must hold (no match: always).",
     .map = &kdo_format_match,
     .schema = "{\"$ref\": \"#/$defs/match\"}"},
    {.name = "action",
     .kind = KDO_FORMAT_ENUM,
     .help = "what the fake does when the rule matches",
     .choice = action_choice},
    {.name = "latency",
     .kind = KDO_FORMAT_DURATION,
     .help = "delay added when the rule fires (with action latency, or any other)",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_fault_rule, latency)},
    {.name = "value",
     .kind = KDO_FORMAT_TEXT,
     .help = "the result of bad_result (default \"OK\") or the message of function_error",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_fault_rule, value)},
};
static const struct kdo_format_key match_keys[] = {
    {.name = "attempt",
     .kind = KDO_FORMAT_RANGE,
     .help = "attempt N or {min, max}, counted from 1 (attempt = retryHint + 1)",
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": 1}, {\"type\": \"string\", \"pattern\": \"^0*[1-9][0-9]*$\"}, {\"type\": \"object\", \"additionalProperties\": false, \"properties\": {\"min\": {\"anyOf\": [{\"type\": \"integer\", \"minimum\": 1}, {\"type\": \"string\", \"pattern\": \"^0*[1-9][0-9]*$\"}], \"description\": \"first attempt (at least 1)\"}, \"max\": {\"$ref\": \"#/$defs/count\", \"description\": \"last attempt (inclusive)\"}}}]}"},
    {.name = "invocation",
     .kind = KDO_FORMAT_RANGE,
     .help = "invocation number N or {min, max}, counted from 1"},
    {.name = "from",
     .kind = KDO_FORMAT_DURATION,
     .help = "active from this time on",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_fault_match, from)},
    {.name = "until",
     .kind = KDO_FORMAT_DURATION,
     .help = "active before this time (e.g. the fix is deployed)",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_fault_match, until)},
    {.name = "times",
     .kind = KDO_FORMAT_COUNT,
     .help = "fire at most this often (0: no limit)",
     .store = KDO_FORMAT_U64,
     .offset = offsetof(struct kdo_fault_match, times)},
    {.name = "probability",
     .kind = KDO_FORMAT_PROBABILITY,
     .help = "fire with this probability, e.g. 0.1 or 10%",
     .store = KDO_FORMAT_DOUBLE,
     .offset = offsetof(struct kdo_fault_match, probability)},
    {.name = "contains",
     .kind = KDO_FORMAT_TEXT,
     .help = "only records whose row contains this text"},
    {.name = "row",
     .kind = KDO_FORMAT_ENUM,
     .help = "only rows of this kind: empty (0 bytes), binary (not UTF-8), not_json (not one strict JSON value: a poison pill)",
     .choices = row_kinds},
    {.name = "min_bytes",
     .kind = KDO_FORMAT_SIZE,
     .help = "only rows of at least this size, e.g. 500KB",
     .store = KDO_FORMAT_SIZE_T,
     .offset = offsetof(struct kdo_fault_match, min_bytes),
     .schema = "{\"anyOf\": [{\"type\": \"integer\", \"minimum\": 0}, {\"type\": \"string\", \"pattern\": \"^([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)([eE][-+]?[0-9]+)? *(B|KB|KiB|MB|MiB|GB|GiB)?$\"}]}"},
};
/* A timeline item is one of three shapes; each declares its own keys (the
 * first `at` stands for both in key checks and --help). */
static const struct kdo_format_key timeline_restart_keys[] = {
    {.name = "at",
     .kind = KDO_FORMAT_DURATION,
     .help = "when it happens (items in time order, before the run ends)"},
    {.name = "restart",
     .kind = KDO_FORMAT_OTHER,
     .help = "restart the application: true, or {downtime}",
     .map = &kdo_format_restart,
     .schema = "{\"anyOf\": [{\"const\": true}, {\"const\": \"true\"}, $MAP]}"},
};
static const struct kdo_format_key timeline_fix_keys[] = {
    {.name = "at",
     .kind = KDO_FORMAT_DURATION,
     .help = "when the fix is deployed (items in time order)"},
    {.name = "fix",
     .kind = KDO_FORMAT_OTHER,
     .help = "true: every fault so far ends; or the name of the rule that ends",
     .schema = "{\"anyOf\": [{\"const\": true}, {\"type\": \"string\"}, {\"type\": \"number\"}]}"},
};
static const struct kdo_format_key timeline_reload_keys[] = {
    {.name = "at",
     .kind = KDO_FORMAT_DURATION,
     .help = "when the reference data is reloaded (items in time order; before the rows read at that instant)"},
    {.name = "reference",
     .kind = KDO_FORMAT_MAP,
     .help = "reload a reference table: {name, file}; at that instant, before the rows read at it (they and later rows join the new data)",
     .map = &reload},
};
/* A fault is one more rule: its plain keys are stored into the rule. */
static const struct kdo_format_key timeline_fault_keys[] = {
    {.name = "from",
     .kind = KDO_FORMAT_DURATION,
     .help = "when the fault starts (items in time order)"},
    {.name = "until",
     .kind = KDO_FORMAT_DURATION,
     .help = "when it stops (default: never)",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_fault_rule, match.until)},
    {.name = "fault",
     .kind = KDO_FORMAT_ENUM,
     .help = "the action the fake takes while the fault lasts",
     .choice = action_choice},
    {.name = "match",
     .kind = KDO_FORMAT_MAP,
     .help = "When the rule fires; every condition given must hold (no match: always).",
     .map = &kdo_format_match,
     .schema = "{\"$ref\": \"#/$defs/match\"}"},
    {.name = "name",
     .kind = KDO_FORMAT_TEXT,
     .help = "a name for the journal and for a later {at, fix: NAME}",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_fault_rule, name)},
    {.name = "latency",
     .kind = KDO_FORMAT_DURATION,
     .help = "delay added when the fault fires",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_fault_rule, latency)},
    {.name = "value",
     .kind = KDO_FORMAT_TEXT,
     .help = "the result of bad_result or the message of function_error",
     .store = KDO_FORMAT_STRING,
     .offset = offsetof(struct kdo_fault_rule, value)},
};
static const struct kdo_format_key restart_keys[] = {
    {.name = "downtime",
     .kind = KDO_FORMAT_DURATION,
     .help = "how long the application is down (default 0s)",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_restart_event, downtime)},
};
static const struct kdo_format_key range_keys[] = {
    {.name = "min",
     .kind = KDO_FORMAT_COUNT,
     .help = "lowest value (inclusive)"},
    {.name = "max",
     .kind = KDO_FORMAT_COUNT,
     .help = "highest value (inclusive)"},
};
static const struct kdo_format_key bound_keys[] = {
    {.name = "min",
     .kind = KDO_FORMAT_NUMBER,
     .help = "the fact must be at least this"},
    {.name = "max",
     .kind = KDO_FORMAT_NUMBER,
     .help = "the fact must be at most this"},
    {.name = "eq",
     .kind = KDO_FORMAT_NUMBER,
     .help = "the fact must equal this"},
    {.name = "during",
     .kind = KDO_FORMAT_MAP,
     .help = "count the fact only in [from, until) (metrics: the minutes the period touches)",
     .map = &kdo_format_during},
};
static const struct kdo_format_key during_keys[] = {
    {.name = "from",
     .kind = KDO_FORMAT_DURATION,
     .help = "start of the period (default: the start of the run)",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_expectation, from)},
    {.name = "until",
     .kind = KDO_FORMAT_DURATION,
     .help = "end of the period, exclusive (default: the end of the run)",
     .store = KDO_FORMAT_TIME_NS,
     .offset = offsetof(struct kdo_expectation, until)},
};

static const char *const output_formats[] = {"json", "csv", NULL};
static const char *const output_orders[] = {"window", "strict", NULL};
static const struct kdo_format_key output_keys[] = {
    {.name = "file",
     .kind = KDO_FORMAT_TEXT,
     .help = "the rows the function must receive: a JSON Lines (.jsonl, .json) or CSV (.csv, its header naming the destination's columns) file next to the scenario or under an --allow-path, at most 64 MB and 1,000,000 rows; an empty file: no rows",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
    {.name = "format",
     .kind = KDO_FORMAT_ENUM,
     .help = "how the file is written (default: by its name, .csv is CSV, else JSON Lines); JSON rows compare by key, CSV rows by position",
     .choices = output_formats},
    {.name = "order",
     .kind = KDO_FORMAT_ENUM,
     .help = "strict: the rows in exactly this order; window: in any order among the rows of one emission instant (one window's output, one flush), in order across them",
     .choices = output_orders,
     .def = "window"},
    {.name = "tolerance",
     .kind = KDO_FORMAT_NUMBER,
     .help = "for numbers that are not both integers: |expected - got| <= t + t * max(|expected|, |got|) (default 1e-9); strings and integers compare exactly",
     .def = "1e-9",
     .schema = "{\"type\": \"number\", \"minimum\": 0}"},
    {.name = "columns",
     .kind = KDO_FORMAT_OTHER,
     .help = "compare only these columns (default: every column)",
     .schema = "{\"type\": \"array\", \"minItems\": 1, \"items\": {\"type\": \"string\", \"minLength\": 1}}"},
};

static const struct kdo_format_key sql_error_keys[] = {
    {.name = "message",
     .kind = KDO_FORMAT_TEXT,
     .help = "words the refusal must hold, e.g. \"FULL OUTER JOIN is not supported\"",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
    {.name = "at",
     .kind = KDO_FORMAT_TEXT,
     .help = "where: \"FILE:LINE:COL\" in the SQL file (\"application.sql:L:C\" for inline SQL); LINE:COL or FILE:LINE also do",
     .schema = "{\"type\": \"string\", \"minLength\": 1}"},
};

static const struct kdo_format_map application = {MAP("application", NULL, application_keys,
    "{\"dependentRequired\": {\"name_prefix\": [\"sql\"], \"parallelism\": [\"sql\"], \"source_stream\": [\"sql\"], \"reference\": [\"sql\"]}, \"dependentSchemas\": {\"sql\": {\"not\": {\"anyOf\": [{\"properties\": {\"query\": true}, \"required\": [\"query\"]}, {\"properties\": {\"window\": true}, \"required\": [\"window\"]}, {\"properties\": {\"partition_by\": true}, \"required\": [\"partition_by\"]}, {\"properties\": {\"select\": true}, \"required\": [\"select\"]}, {\"properties\": {\"where\": true}, \"required\": [\"where\"]}]}}}}")};
static const struct kdo_format_map buffer = {MAP("buffer", NULL, buffer_keys, NULL)};
static const struct kdo_format_map input_item = {MAP("an input item", "One input: exactly one of rate (generated rows), burst, row, rows or file, with an optional time span; rows and file may take a rate.", input_item_keys,
    "{\"oneOf\": [{\"properties\": {\"rate\": true}, \"required\": [\"rate\"], \"not\": {\"anyOf\": [{\"properties\": {\"burst\": true}, \"required\": [\"burst\"]}, {\"properties\": {\"row\": true}, \"required\": [\"row\"]}, {\"properties\": {\"rows\": true}, \"required\": [\"rows\"]}, {\"properties\": {\"file\": true}, \"required\": [\"file\"]}]}}, {\"properties\": {\"burst\": true}, \"required\": [\"burst\"], \"not\": {\"anyOf\": [{\"properties\": {\"rate\": true}, \"required\": [\"rate\"]}, {\"properties\": {\"row\": true}, \"required\": [\"row\"]}, {\"properties\": {\"rows\": true}, \"required\": [\"rows\"]}, {\"properties\": {\"file\": true}, \"required\": [\"file\"]}]}}, {\"properties\": {\"row\": true}, \"required\": [\"row\"], \"not\": {\"anyOf\": [{\"properties\": {\"rate\": true}, \"required\": [\"rate\"]}, {\"properties\": {\"burst\": true}, \"required\": [\"burst\"]}, {\"properties\": {\"rows\": true}, \"required\": [\"rows\"]}, {\"properties\": {\"file\": true}, \"required\": [\"file\"]}]}}, {\"properties\": {\"rows\": true}, \"required\": [\"rows\"], \"not\": {\"anyOf\": [{\"properties\": {\"burst\": true}, \"required\": [\"burst\"]}, {\"properties\": {\"row\": true}, \"required\": [\"row\"]}, {\"properties\": {\"file\": true}, \"required\": [\"file\"]}]}}, {\"properties\": {\"file\": true}, \"required\": [\"file\"], \"not\": {\"anyOf\": [{\"properties\": {\"burst\": true}, \"required\": [\"burst\"]}, {\"properties\": {\"row\": true}, \"required\": [\"row\"]}, {\"properties\": {\"rows\": true}, \"required\": [\"rows\"]}]}}]}")};
static const struct kdo_format_map destination = {MAP("a destination", NULL, destination_keys, NULL)};
static const struct kdo_format_map delivery = {MAP("delivery", NULL, delivery_keys, NULL)};
static const struct kdo_format_map lambda = {MAP("lambda", NULL, lambda_keys,
    "{\"dependentSchemas\": {\"endpoint\": {\"not\": {\"anyOf\": [{\"properties\": {\"transport\": true}, \"required\": [\"transport\"]}, {\"properties\": {\"rules\": true}, \"required\": [\"rules\"]}]}}}}")};
static const struct kdo_format_map rule = {MAP("a rule", "A fault rule: {match, action}; the first matching rule wins, no match answers Ok.", rule_keys, "{\"required\": [\"action\"]}")};
static const char *const restart_required[] = {"at", "restart", NULL};
static const char *const fix_required[] = {"at", "fix", NULL};
static const char *const fault_required[] = {"from", "fault", NULL};
static const struct kdo_format_map timeline_restart = {MAP("restart", "Restart the application at a time: {at, restart}.", timeline_restart_keys, NULL), .required = restart_required};
static const struct kdo_format_map timeline_fix = {MAP("fix", "Deploy a fix at a time: {at, fix}; the faults so far (or the rule named) stop.", timeline_fix_keys, NULL), .required = fix_required};
static const struct kdo_format_map timeline_fault = {MAP("fault", "A fault over a period: {from, until, fault, match} -- one more rule, active in [from, until).", timeline_fault_keys, NULL), .required = fault_required};
static const char *const reload_required[] = {"at", "reference", NULL};
static const struct kdo_format_map timeline_reload = {MAP("reload", "Reload a reference table at a time: {at, reference: {name, file}}; the rows read at that instant and later join the new data.", timeline_reload_keys, NULL), .required = reload_required};
static const struct kdo_format_map reference_item = {MAP("a reference table", "One of KDA's reference data sources: a table the SQL joins, its records read from a file.", reference_keys, "{\"required\": [\"name\", \"file\", \"schema\"]}")};
static const struct kdo_format_map reload = {MAP("reference", NULL, reload_keys, "{\"required\": [\"name\", \"file\"]}")};
static const struct kdo_format_map *const timeline_shapes[] = {&timeline_restart, &timeline_fix, &timeline_fault, &timeline_reload};
static const struct kdo_format_map timeline_item = {.name = "a timeline item", .help = "One event: {at, restart}, {at, fix}, {from, until, fault, match} or {at, reference}.", .shapes = timeline_shapes, .nshapes = N(timeline_shapes)};
const struct kdo_format_map kdo_format_match = {MAP("match", NULL, match_keys, NULL)};
const struct kdo_format_map kdo_format_restart = {MAP("restart", NULL, restart_keys, NULL)};
const struct kdo_format_map kdo_format_range = {MAP("a range", NULL, range_keys, NULL)};
const struct kdo_format_map kdo_format_bound = {MAP("an expectation (min, max or eq)", NULL, bound_keys, NULL)};
const struct kdo_format_map kdo_format_during = {MAP("during", NULL, during_keys, NULL)};
const struct kdo_format_map kdo_format_output = {MAP("output", "The rows the function must receive, each once, in the order the application emitted them: a file of them and how to compare.", output_keys, "{\"required\": [\"file\"]}")};
const struct kdo_format_map kdo_format_sql_error = {MAP("sql_error", "The application's SQL must be refused: with these words, at this place; the scenario is then not run.", sql_error_keys, "{\"required\": [\"message\"]}")};
const struct kdo_format_map kdo_format_scenario = {MAP("a scenario", "A kdaout scenario: an emulated Kinesis Data Analytics (SQL) application delivering to a Lambda function, faults over time, and the facts that must hold. Run it with `kdaout run FILE`.", top_keys, NULL)};
