/*
 * scenario-int.h -- what the parts of the scenario loader share.
 *
 * The loader is one module in six files: scenario.c (the context, errors,
 * the generic table walk, the whole file, load and free), scenario-input.c
 * (input items, row files, the CSV header, the input schema), scenario-time.c
 * (application.epoch, rows at the times a file's column gives),
 * scenario-app.c (the application, its queries and destinations, delivery),
 * scenario-lambda.c (the Lambda end, fault rules, the timeline) and
 * scenario-expect.c (expectations).  One context travels through all of
 * them; every error goes through kdo__scenario_fail() so it carries the
 * node's line and column.  Nothing here is public: scenario.h is the API.
 */
#ifndef KDO_SCENARIO_INT_H
#define KDO_SCENARIO_INT_H

#include "scenario-format.h"
#include "scenario.h"
#include "sql/query.h"
#include "sql/rowfmt.h"
#include "ydoc.h"

#include <stddef.h>
#include <stdint.h>

struct kdo__scenario_pump; /* scenario-app.c: the query being read */
struct kdo_rowfile;
struct kdo_program;
struct kdo_row_schema;

/* A row file read with `time:`: its rows hold wall-clock (or time-of-day)
 * ms until the epoch is known (scenario-time.c). */
#define KDO__SCENARIO_MAX_TIMED 16
struct kdo__scenario_timed {
    struct kdo_source_segment *g;
    const char *path, *column; /* kept by the scenario */
    const struct kdo_ynode *time;
    int tod;       /* times of day, on the epoch's date */
    int line, col; /* the first row's time's place */
    int64_t first; /* the first row's time */
};

/* One load: the tables, where errors go, the scenario being filled, and
 * what one section tells a later one. */
struct kdo__scenario_ctx {
    const struct kdo_format_map *fmt; /* the format's root table */
    const char *file;
    struct kdo_errinfo *err;
    struct kdo_scenario *s;
    int invoke_timeout_set, cadence_set;
    struct kdo__scenario_pump *p; /* the query being read: the application's, or a destination's */
    int input_set;  /* application.input given (an empty list means no rows) */
    int mapping_rows; /* rows written as YAML mappings (turned into JSON) */
    enum kdo_query_window kind; /* the application's window, once read */
    /* CSV input files: the first one's node, header and inferred types. */
    const struct kdo_ynode *csv;
    char **csv_columns, **csv_types;
    size_t ncsv_columns;
    char csv_path[4096]; /* for errors that name the file (err->file points here) */
    struct kdo__scenario_timed timed[KDO__SCENARIO_MAX_TIMED];
    size_t ntimed;
    /* The application compiled with its reference tables (NULL: no SQL, or
     * refused): the timeline's reloads are checked by loading into it.
     * Freed when the load ends. */
    struct kdo_program *program;
};

typedef const struct kdo_ynode node;

/* ---- scenario.c: errors, keys, values, the table walk ---- */

/* Sets c->err at n (no position when n is NULL); returns KDO_ESCHEMA. */
int kdo__scenario_fail(struct kdo__scenario_ctx *c, node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* n is there and of `type`, else an error naming `what` was expected. */
int kdo__scenario_want(struct kdo__scenario_ctx *c, node *n, enum kdo_ynode_type type,
                       const char *what);
/* "a, b, c" from a NULL-terminated list, into out. */
void kdo__scenario_list_keys(const char *const *allowed, char *out, size_t size);
/* map's keys are t's (named `where`, or t's name, in messages); a stranger is
 * refused with the nearest key suggested. */
int kdo__scenario_check_keys_as(struct kdo__scenario_ctx *c, node *map, const char *where,
                                const struct kdo_format_map *t);
int kdo__scenario_check_keys(struct kdo__scenario_ctx *c, node *map,
                             const struct kdo_format_map *t);
/* One scalar of a kind (units.h), `what` naming it in messages. */
int kdo__scenario_duration(struct kdo__scenario_ctx *c, node *n, const char *what,
                           kdo_time_ns *out);
int kdo__scenario_count(struct kdo__scenario_ctx *c, node *n, const char *what, uint64_t *out);
int kdo__scenario_rate(struct kdo__scenario_ctx *c, node *n, const char *what, double *out);
int kdo__scenario_number(struct kdo__scenario_ctx *c, node *n, const char *what, double *out);
int kdo__scenario_bool(struct kdo__scenario_ctx *c, node *n, const char *what, int *out);
/* Text into *out (a new string; the old one is freed). */
int kdo__scenario_text(struct kdo__scenario_ctx *c, node *n, const char *what, char **out);
/* The table at a '/'-separated path of keys under the root ("lambda/rules");
 * aborts when there is none (the paths are the loader's own). */
const struct kdo_format_map *kdo__scenario_table(struct kdo__scenario_ctx *c, const char *path);
/* Every plain key of t present in map, stored at base as t says. */
int kdo__scenario_plain(struct kdo__scenario_ctx *c, node *map, const struct kdo_format_map *t,
                        void *base);
/* One plain key k of a mapping read into base. */
int kdo__scenario_plain_key(struct kdo__scenario_ctx *c, node *n, const struct kdo_format_key *k,
                            char *base);
/* check_keys() and plain() together: a mapping read by its table. */
int kdo__scenario_walk(struct kdo__scenario_ctx *c, node *map, const struct kdo_format_map *t,
                       void *base);
/* v within the limits of t's key `key`, else the key's limit message at n. */
int kdo__scenario_limits(struct kdo__scenario_ctx *c, node *n, const struct kdo_format_map *t,
                         const char *key, int64_t v);
/* A copy the scenario owns (query strings live as long as it). */
const char *kdo__scenario_keep(struct kdo__scenario_ctx *c, const char *text, size_t len);
const char *kdo__scenario_keep_string(struct kdo__scenario_ctx *c, node *n);

/* ---- the sections, each in its part ---- */

/* scenario-input.c: application.input, application.schema, then the input
 * side of the query (input_format, CSV files) once both are read. */
int kdo__scenario_input(struct kdo__scenario_ctx *c, node *seq);
int kdo__scenario_input_schema(struct kdo__scenario_ctx *c, node *map);
int kdo__scenario_input_keys(struct kdo__scenario_ctx *c, node *map, int *typed);
/* The folders a scenario's files may be read from: its own (into folder,
 * PATH_MAX bytes; roots[0]) and every --allow-path; roots has room for
 * KDO__SCENARIO_MAX_ROOTS.  Also read by `expect: output:`. */
#define KDO__SCENARIO_MAX_ROOTS 65
int kdo__scenario_row_roots(struct kdo__scenario_ctx *c, node *n, char *folder,
                            const char **roots, size_t *nroots);
/* A file a key names beside the scenario (or under an --allow-path): `what`
 * names the key in messages, `max` bounds its bytes (`limit_why` says
 * whose limit), `missing_hint` ends the message when it cannot be read. */
struct kdo__scenario_file_kind {
    const char *what;
    size_t max;
    const char *missing_hint, *limit_why;
};
/* scenario-sql.c: the file at `path` (resolved, a regular file inside the
 * roots, at most k->max bytes) into *text (a new string, NUL-terminated)
 * and *len; errors at n. */
int kdo__scenario_read_beside(struct kdo__scenario_ctx *c, node *n, const char *path,
                              const struct kdo__scenario_file_kind *k, char **text, size_t *len);
/* "FOLDER/name" for a name relative to the scenario's folder (an absolute
 * name as it is) into path[0..size). */
void kdo__scenario_path_beside(struct kdo__scenario_ctx *c, const char *name, char *path,
                               size_t size);
/* One column `name` of SQL type `type` into schema; errors at `at`. */
int kdo__scenario_column(struct kdo__scenario_ctx *c, node *at, struct kdo_row_schema *schema,
                         const char *name, const char *type);
/* scenario-reference.c: application.reference (with sql, before it
 * compiles) and a timeline item {at, reference: {name, file}}. */
int kdo__scenario_references(struct kdo__scenario_ctx *c, node *seq);
int kdo__scenario_reload(struct kdo__scenario_ctx *c, node *map, kdo_time_ns at);
/* scenario-time.c: a row file's `time:` column (the header's index idx for
 * CSV) cut from its rows, which go into g with their times; then, with the
 * application's map, application.epoch and the rows' instants after it. */
int kdo__scenario_time_column(struct kdo__scenario_ctx *c, node *time,
                              const struct kdo_rowfile *f, size_t *idx);
int kdo__scenario_timed_rows(struct kdo__scenario_ctx *c, node *time, const struct kdo_rowfile *f,
                             enum kdo_rowfmt_format format, size_t idx,
                             struct kdo_source_segment *g);
int kdo__scenario_times(struct kdo__scenario_ctx *c, node *map);
/* scenario-app.c */
int kdo__scenario_row_format(struct kdo__scenario_ctx *c, node *n, enum kdo_rowfmt_format *f);
int kdo__scenario_application(struct kdo__scenario_ctx *c, node *map);
int kdo__scenario_delivery(struct kdo__scenario_ctx *c, node *map);
int kdo__scenario_destinations(struct kdo__scenario_ctx *c, node *seq);
/* scenario-sql.c: application.sql (after the schema and input), its
 * destinations, and -- once expect is read -- whether its refusal fails
 * the load. */
int kdo__scenario_sql(struct kdo__scenario_ctx *c, node *map, node *destinations);
/* The structured query keys (query, window, ...) are refused in map. */
int kdo__scenario_sql_structured(struct kdo__scenario_ctx *c, node *map);
int kdo__scenario_sql_destination(struct kdo__scenario_ctx *c, node *map, size_t i,
                                  kdo_time_ns *cadence, int *cadence_set);
int kdo__scenario_sql_finish(struct kdo__scenario_ctx *c, node *expect);
/* scenario-lambda.c */
int kdo__scenario_lambda(struct kdo__scenario_ctx *c, node *map);
int kdo__scenario_rules(struct kdo__scenario_ctx *c, node *seq);
int kdo__scenario_timeline(struct kdo__scenario_ctx *c, node *seq);
/* scenario-expect.c */
int kdo__scenario_expectations(struct kdo__scenario_ctx *c, node *n);

#endif
