/*
 * join-int.h -- what join.c (the operator) and join-names.c (the joined
 * row's names and the SELECT rewritten to them) share.  Not for other
 * modules: join.h is the interface.
 */
#ifndef KDO_SQL_JOIN_INT_H
#define KDO_SQL_JOIN_INT_H

#include "sql/expr.h"
#include "sql/join.h"

#include <stdbool.h>

#define KDO__JOIN_MAX_KEYS 8
#define KDO__JOIN_NONE UINT64_MAX

enum kdo__join_keep {
    KDO__JOIN_CURRENT, /* no window: the latest row */
    KDO__JOIN_RANGE,   /* RANGE INTERVAL ... PRECEDING */
    KDO__JOIN_ROWS,    /* ROWS n PRECEDING: the latest n + 1 */
    KDO__JOIN_TABLE,   /* a reference table: every row */
};

/* A kept row, by its sequence number (ring slot seq & mask). */
struct kdo__join_entry {
    kdo_time_ns t;
    uint64_t h;    /* its key's hash (when keyed) */
    uint64_t next; /* the next kept row of the same hash, or KDO__JOIN_NONE */
    struct kdo_row *row;
    bool keyed, matched;
};

/* A hash's chain of kept rows, oldest first. */
struct kdo__join_bucket {
    uint64_t h, head, tail;
    bool used;
};

struct kdo__join_side {
    char qual[KDO_ROW_MAX_NAME + 1]; /* alias, else the stream's name */
    const struct kdo_row_schema *schema;
    size_t ncols, off; /* its columns are off .. off + ncols - 1 of the joined row */
    int rowtime_col;   /* "Q.ROWTIME" in the joined row, or -1 (a table) */
    enum kdo__join_keep keep;
    kdo_time_ns range;
    uint64_t rows;
    bool outer; /* the preserved side of LEFT / RIGHT */
    const struct kdo_reftable *table;
    unsigned long table_version;
    struct kdo__join_entry *ring; /* cap a power of two; kept rows are seq first .. end - 1 */
    uint64_t cap, first, end;
    struct kdo__join_bucket *map; /* open addressing, mapcap a power of two */
    size_t mapcap, mapused;
    int keys[KDO__JOIN_MAX_KEYS]; /* key columns of this side's schema */
    size_t nkeys;
};

struct kdo_join {
    struct kdo__join_side side[2];
    enum kdo_ast_join type;
    struct kdo_row_schema *schema; /* the joined row's */
    struct kdo_expr *on;
    struct kdo_row *out;
    struct kdo_arena scratch;
    char *key;         /* a key's bytes */
    size_t key_cap;
    const char *file;
    int64_t epoch_ms;
};

/* The joined schema and each side's qualifier, offsets and ROWTIME column. */
int kdo__join_names(struct kdo_join *j, const struct kdo_join_config *c, struct kdo_errinfo *e);
/* A deep copy of x (in arena) with names rewritten to the joined row's. */
int kdo__join_rewrite(const struct kdo_join *j, const struct kdo_ast_expr *x,
                      struct kdo_arena *arena, struct kdo_ast_expr **out, struct kdo_errinfo *e);

#endif
