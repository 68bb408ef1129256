/*
 * partition.h -- the partitions of a windowed query: one entry per distinct
 * key (the bytes of its PARTITION BY / GROUP BY values), in the order the
 * keys first arrived.
 *
 * Each entry carries a fixed-size payload for the window's state (zeroed
 * when the entry is made).  Insertion order is what a tumbling window
 * emits its groups in and what a stagger window closes in (every window has
 * the same range, so the first opened is the first to close).  Lookups hash
 * the key (hash.h) into chained buckets, so a hostile key set costs long
 * chains, not quadratic probing; at most `max` entries exist at once.
 */
#ifndef KDO_PARTITION_H
#define KDO_PARTITION_H

#include <stddef.h>

struct kdo_partitions;

struct kdo_partitions *kdo_partitions_new(size_t payload_size, size_t max);
/* Frees the table; `fini` (may be NULL) is called on every payload first. */
void kdo_partitions_free(struct kdo_partitions *t, void (*fini)(void *payload));

/* The payload of key[0..len), made (zeroed, last in order, *added = 1) if it
 * is new.  NULL when the table already holds `max` entries. */
void *kdo_partitions_get(struct kdo_partitions *t, const char *key, size_t len, int *added);
/* The key of an entry, borrowed while the entry lives. */
const char *kdo_partitions_key(const void *payload, size_t *len);
/* The oldest entry and the one after p, or NULL. */
void *kdo_partitions_first(const struct kdo_partitions *t);
void *kdo_partitions_next(const void *payload);
/* Moves an entry to the end of the order, as if it had just arrived (a
 * sliding window keeps its partitions in the order of their last row). */
void kdo_partitions_touch(struct kdo_partitions *t, void *payload);
/* Forgets one entry (the caller has released what its payload holds). */
void kdo_partitions_remove(struct kdo_partitions *t, void *payload);
size_t kdo_partitions_count(const struct kdo_partitions *t);

#endif
