/*
 * arena.h -- a bounded bump allocator for the strings of rows and of
 * expression results.
 *
 * Strings copied into an arena stay at the same address until the arena is
 * reset or cleaned up (it grows by chaining chunks, never by moving them),
 * so a kdo_value can borrow them.  The total handed out never exceeds the
 * maximum given at init: past it a copy fails with KDO_ETOOBIG and the arena
 * is unchanged.  It frees nothing piecewise and aligns nothing (it holds
 * bytes only).  Growth aborts on out-of-memory.
 */
#ifndef KDO_ARENA_H
#define KDO_ARENA_H

#include <stddef.h>

struct kdo_arena_chunk;

struct kdo_arena {
    struct kdo_arena_chunk *head; /* the chunk being filled; older ones follow */
    size_t used;                  /* bytes handed out since the last reset */
    size_t max;
};

/* An empty arena that hands out at most max_bytes in total. */
void kdo_arena_init(struct kdo_arena *a, size_t max_bytes);
void kdo_arena_cleanup(struct kdo_arena *a);
/* Forgets every copy (their pointers become invalid); keeps one chunk. */
void kdo_arena_reset(struct kdo_arena *a);

/* Copies s[0..n) and a NUL into the arena and sets *out to the copy, which
 * the arena owns until the next reset.  Returns 0, or KDO_ETOOBIG past the
 * maximum (n itself counts, the NUL does not). */
int kdo_arena_dup(struct kdo_arena *a, const char *s, size_t n, const char **out);

/* Reserves n + 1 writable bytes and sets *out to them; as kdo_arena_dup. */
int kdo_arena_alloc(struct kdo_arena *a, size_t n, char **out);

#endif
