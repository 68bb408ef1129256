/*
 * scenario.h -- a YAML scenario: an application, a Lambda end, a timeline of
 * faults, and what must hold.
 *
 * The loader turns a bounded YAML tree (ydoc.h) into a kdo_sim_config plus a
 * list of expectations.  It is strict: unknown keys are errors (with the
 * nearest valid key suggested), every value is typed (units.h), and every
 * error names file:line:column, what was found and what was expected.  The
 * format is documented by `kdaout run --help` and scenarios/README.md;
 * defaults keep the shortest useful scenario a few lines long.
 */
#ifndef KDO_SCENARIO_H
#define KDO_SCENARIO_H

#include "app/sim.h"
#include "base/errors.h"
#include "expect.h"

#include <stddef.h>

/* Where a scenario delivers: the in-process fake (virtual time, the default),
 * the fake behind a real HTTP server on loopback, or any Invoke API endpoint
 * (both in real time). */
enum kdo_end_kind { KDO_END_INPROCESS, KDO_END_HTTP_FAKE, KDO_END_ENDPOINT };

struct kdo_scenario_end {
    enum kdo_end_kind kind;
    char *endpoint;  /* ENDPOINT: base URL */
    char *function;  /* default kdaout-fake */
    char *qualifier;
    char *region;
    int sigv4;       /* sign requests with the AWS_* credentials */
    int invoke_timeout_set; /* delivery.invoke_timeout given: do not derive it */
};

struct kdo_scenario {
    char *file;
    char *name;
    char *guide; /* the statement of the guide it proves, if any */
    int has_seed;
    struct kdo_sim_config sim; /* owns segments, rules and restarts */
    struct kdo_scenario_end end;
    /* The query (typed rows), when the scenario declares one. */
    int has_query;
    struct kdo_query_config query;
    char **query_strings; /* owned: column names, types, where, select items */
    size_t nquery_strings;
    /* application.destinations, when listed: each one's query (the input
     * side copied from `query`); sim.outputs points at them. */
    struct kdo_query_config dest_query[KDO_APP_MAX_OUTPUTS];
    int dest_folds[KDO_APP_MAX_OUTPUTS]; /* SQL: its rows come only from windows that fold
                                            (tumbling, stagger): kdo_program_folds() */
    size_t ndest;
    struct kdo_expectation *expect;
    size_t nexpect;
    /* application.sql: the code (owned), the name its messages give (owned),
     * the program's configuration (sim.program points at it when the SQL
     * compiled) with its input schema and destination streams (owned). */
    /* sql_file: as written (application.sql when inline); sql_path: where it
     * was read, beside the scenario, for messages. */
    char *sql, *sql_file, *sql_path, *name_prefix, *source_stream;
    int parallelism;
    struct kdo_program_config program;
    struct kdo_row_schema *sql_input;
    /* application.reference: the reference tables (program.tables points at
     * `tables`; names and schemas owned) and each one's initial data
     * (sim.references points at `table_data`; data and file owned); the
     * timeline's reloads (sim.reloads points at them; owned, with their
     * data and file). */
    struct kdo_program_table tables[KDO_PROGRAM_MAX_TABLES];
    struct kdo_sim_reference table_data[KDO_PROGRAM_MAX_TABLES];
    size_t ntables;
    struct kdo_sim_reference *reloads;
    size_t nreloads;
    /* The timeline's fixes, for the report: when, the rule named (owned;
     * NULL: every fault so far) and how many rules it ended (active then). */
    struct kdo_scenario_fix {
        kdo_time_ns at;
        char *rule;
        size_t ended;
    } *fixes;
    size_t nfixes;
    char *dest_stream[KDO_APP_MAX_OUTPUTS];
    enum kdo_rowfmt_format dest_format[KDO_APP_MAX_OUTPUTS];
    /* The SQL's refusal when it did not compile (sql_refused; sql_err.file
     * points at sql_file), and expect.sql_error when stated. */
    int sql_refused;
    /* Inline SQL written as a `|` block or on one line: where its line 1
     * column 1 is in the scenario (a refusal at load is shown there); 0:
     * not mappable (ydoc's text_line). */
    int sql_yaml_line, sql_yaml_column;
    struct kdo_errinfo sql_err;
    char *sql_error_message, *sql_error_at;
    int sql_error_line, sql_error_column; /* where the scenario states it */
};

/* Loads and validates a scenario file.  Returns 0 and a new scenario in *out,
 * or KDO_ENOENT/KDO_EIO/KDO_EPARSE/KDO_EDEPTH/KDO_ETOOBIG/KDO_ESCHEMA with
 * *err filled. */
int kdo_scenario_load(const char *path, struct kdo_scenario **out, struct kdo_errinfo *err);
/* The same from memory (`name` is used in errors). */
int kdo_scenario_parse(const char *name, const char *text, size_t len, struct kdo_scenario **out,
                       struct kdo_errinfo *err);
/* The same read by another format's tables (format.h): a test's changed
 * copy of kdo_format_scenario. */
struct kdo_format_map;
int kdo_scenario_parse_format(const struct kdo_format_map *fmt, const char *name, const char *text,
                              size_t len, struct kdo_scenario **out, struct kdo_errinfo *err);
void kdo_scenario_free(struct kdo_scenario *s);

/* Row files (`input: - {file: ...}`) are read only from the scenario's own
 * folder and below, after `..` and symlinks are resolved; a FIFO, device or
 * other non-regular file is refused at once.  kdo_scenario_allow_path() adds
 * a folder (or file) they may also be read from -- the command line's
 * --allow-path, never a scenario key.  Process-wide: call it before loading
 * scenarios, not while they load.  Returns 0, or KDO_ENOENT/KDO_EIO (the
 * path does not resolve) or KDO_ETOOBIG (more than 64), with a sentence in
 * err. */
int kdo_scenario_allow_path(const char *path, char *err, size_t err_size);
/* Forgets every allowed path (for tests). */
void kdo_scenario_allow_path_clear(void);

/* Loads a fake Lambda's behaviour from a YAML file: either the mapping of a
 * scenario's `lambda:` section (timeout, latency, memory, rules) or just a
 * list of rules.  Fills *cfg (its other fields untouched) and returns a new
 * array of *n rules in *rules (free each with kdo_fault_rule_cleanup(), then
 * the array).  Errors as kdo_scenario_load(). */
int kdo_scenario_load_lambda(const char *path, struct kdo_fake_lambda_config *cfg,
                             struct kdo_fault_rule **rules, size_t *n, struct kdo_errinfo *err);

#endif
