/*
 * scenario-format.h -- the scenario format, declared once: one table per mapping.
 *
 * Each mapping of a scenario (the file, application, buffer, an input item,
 * a destination, delivery, lambda, a rule, match, a timeline item -- three
 * shapes: restart, fix, fault --, restart, an expectation, during, a range)
 * is a table of keys: name, value kind, limits, default, help text, and for
 * the plain values where the loader stores them.  From these tables come the
 * loader's key checks, plain values and limits with their messages, the
 * choices of query (scenario*.c, even the window's and partition_by's
 * limits), the did-you-mean suggestions, the JSON Schema (schema.c) and the
 * key list of `kdaout run --help` (kdo_format_help, scenario-format-read.c)
 * -- as Redis's static_configs[] drives the parsing, validation and
 * rewriting of its config.  What a table cannot say (which keys exclude each
 * other, relations between values, the SQL) stays in the loader's code and,
 * where a schema can state it, in the table's `schema` texts.  The tables
 * are constant; a test may build a changed copy and hand it to
 * kdo_scenario_parse_format(), kdo_schema_generate() and kdo_format_help()
 * to see all three follow.
 */
#ifndef KDO_FORMAT_H
#define KDO_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What a value is written as (units.h reads the scalar ones). */
enum kdo_format_kind {
    KDO_FORMAT_TEXT,
    KDO_FORMAT_COUNT,       /* 0, 3, 1000 */
    KDO_FORMAT_SIZE,        /* 100B, 512KB, 6MB: limits in bytes */
    KDO_FORMAT_DURATION,    /* 250ms, 60s: limits in nanoseconds */
    KDO_FORMAT_RATE,        /* 1000/s */
    KDO_FORMAT_PROBABILITY, /* 0.25, 25% */
    KDO_FORMAT_NUMBER,      /* -1.5, 1e3 */
    KDO_FORMAT_BOOL,
    KDO_FORMAT_RANGE,       /* N or {min, max} */
    KDO_FORMAT_ENUM,        /* one of `choices` */
    KDO_FORMAT_MAP,         /* a mapping: `map` */
    KDO_FORMAT_LIST,        /* a list (of `map` mappings, when map is set) */
    KDO_FORMAT_OTHER,       /* read by the loader's own code; `schema` says the form */
};

/* Where the loader stores a plain value: the C type of the field at
 * `offset` in the struct the mapping is read into.  NOWHERE: the loader's
 * own code reads the key. */
enum kdo_format_store {
    KDO_FORMAT_NOWHERE,
    KDO_FORMAT_TIME_NS, /* kdo_time_ns */
    KDO_FORMAT_U64,     /* uint64_t */
    KDO_FORMAT_SIZE_T,  /* size_t */
    KDO_FORMAT_INT,     /* int */
    KDO_FORMAT_DOUBLE,  /* double */
    KDO_FORMAT_STRING,  /* char *, owned by the struct */
    KDO_FORMAT_CHECK,   /* read and checked, kept nowhere (description) */
};

/* Flags. */
#define KDO_FORMAT_LIMITED 1u       /* min and max apply */
#define KDO_FORMAT_WHOLE_SECONDS 2u /* a duration in whole seconds */

struct kdo_format_map;

struct kdo_format_key {
    const char *name;
    enum kdo_format_kind kind;
    const char *help; /* one sentence: the schema's description and --help's */
    const char *def;  /* the default as a scenario would write it, or NULL */
    unsigned flags;
    /* LIMITED: inclusive bounds in the kind's base unit (ns, bytes, a
     * count, MB for memory); INT64_MAX for no upper bound. */
    int64_t min, max;
    /* The loader's message when a value is out of bounds; "{min}" and
     * "{max}" become the limits as a scenario writes them, "{value}" the
     * value.  below_msg, when set, is the message for a value under min. */
    const char *limit_msg, *below_msg;
    /* OTHER keys with limits: the kind whose units the limits are written
     * in (a window's are durations); TEXT (0): the key's own kind. */
    enum kdo_format_kind limit_kind;
    const char *const *choices;       /* ENUM: NULL-terminated, or: */
    const char *(*choice)(size_t i);  /* ENUM: the i-th choice, NULL past the last */
    const int *values;                /* ENUM: what the loader keeps for each choice, or NULL */
    const struct kdo_format_map *map; /* MAP, LIST: the items' mapping */
    /* The JSON Schema of the value when the kind alone cannot say it.
     * "$MIN"/"$MAX" become the limits (durations in seconds), "$RANGE"
     * a regular expression of the whole numbers min..max, "$MRANGE" that of
     * the whole minutes in it. */
    const char *schema;
    enum kdo_format_store store;
    size_t offset;
};

struct kdo_format_map {
    const char *name; /* in messages: "application", "a rule" */
    const char *help; /* the mapping's own description, or NULL */
    const struct kdo_format_key *keys;
    size_t nkeys;
    /* JSON members added to the mapping's schema (required, oneOf ...), or NULL. */
    const char *schema_extra;
    /* A mapping of several shapes (a timeline item: a restart, a fix or a
     * fault) has no keys of its own: its keys are its shapes', the first
     * declaration of a name standing for all (key checks, suggestions,
     * --help), and its schema is oneOf the shapes.  A shape names the keys
     * it cannot do without: `required`, NULL-terminated -- the first is its
     * time, the last the key that says which shape an item is. */
    const struct kdo_format_map *const *shapes;
    size_t nshapes;
    const char *const *required;
};

/* The whole file: the root of every table. */
extern const struct kdo_format_map kdo_format_scenario;
/* Mappings a loader reaches other than through a key of the root (they are
 * also reachable from it; these name them). */
extern const struct kdo_format_map kdo_format_match, kdo_format_range, kdo_format_bound,
    kdo_format_during, kdo_format_restart;
/* expect: output: {file, format, order, tolerance, columns} (read by
 * scenario-expect.c; its value may also be a file name or []). */
extern const struct kdo_format_map kdo_format_output;
/* expect: sql_error: {message, at} (read by scenario-expect.c). */
extern const struct kdo_format_map kdo_format_sql_error;

/* The most keys a partition_by (GROUP BY / PARTITION BY) may list: a bound
 * of the emulator's, not KDA's. */
#define KDO_FORMAT_MAX_PARTITION_KEYS 16

/* The key `name` of m (of its shapes, for a mapping of several), or NULL. */
const struct kdo_format_key *kdo_format_find(const struct kdo_format_map *m, const char *name);
/* The mapping under key `name` of m (a MAP, or a LIST's items), or NULL. */
const struct kdo_format_map *kdo_format_sub(const struct kdo_format_map *m, const char *name);
/* m's key names (each once) into out[0..max-1], NULL-terminated; returns how many. */
size_t kdo_format_names(const struct kdo_format_map *m, const char **out, size_t max);
/* The nearest key of m to a misspelt `word`, or NULL (suggest.h). */
const char *kdo_format_suggest(const struct kdo_format_map *m, const char *word);

/* A limit as a scenario writes it ("900s", "1MB", "10240") into out. */
void kdo_format_limit_text(const struct kdo_format_key *k, int64_t v, char *out, size_t size);

/* Prints every key under root, one line each: its path, kind, limits,
 * default and help.  Returns 0 or KDO_EIO. */
int kdo_format_help(FILE *out, const struct kdo_format_map *root);

#endif
