/*
 * bounds.h -- the limits both sides of the engine keep: the base layer.
 *
 * The SQL engine (rows, queries, row formats) and the delivery core (events,
 * replies) never include each other; a limit both of them hold lives here.
 * The contract's own facts are in contract.h, which includes this.
 */
#ifndef KDO_BOUNDS_H
#define KDO_BOUNDS_H

#include <stddef.h>

/* CONTRACT.md §8 [doc]: an in-application row is at most 512 KB. */
#define KDO_MAX_ROW_BYTES ((size_t)524288)

/* The longest sliding ROWS n PRECEDING window the engine keeps (query.c
 * refuses more; the scenario loader says so first). */
#define KDO_MAX_PRECEDING_ROWS 1000000

#endif
