/*
 * bytering.h -- a FIFO of byte strings in one growable ring buffer.
 *
 * The destination stream's row data: rows are appended at the tail and
 * released from the head in order, so one ring replaces a malloc/free per
 * row.  Every string is stored contiguously (the tail skips to the start of
 * the ring rather than wrap a string).  Positions are absolute 64-bit offsets
 * that stay valid when the ring grows; pointers from kdo_bytering_at() are
 * valid only until the next push.
 */
#ifndef KDO_BYTERING_H
#define KDO_BYTERING_H

#include "base/kassert.h"

#include <stddef.h>
#include <stdint.h>

/* Invariant: head <= tail and tail - head <= cap (the live bytes, padding
 * included, fit the ring); a live string's position is in [head, tail]. */
struct kdo_bytering {
    char *buf;
    uint64_t cap; /* a power of two */
    uint64_t head, tail;
};

void kdo_bytering_init(struct kdo_bytering *r);
void kdo_bytering_cleanup(struct kdo_bytering *r);

/* Copies n bytes in; returns their position.  Grows as needed (aborts on
 * out-of-memory). */
uint64_t kdo_bytering_push(struct kdo_bytering *r, const void *p, size_t n);

/* The bytes at position `pos`. */
static inline char *kdo_bytering_at(const struct kdo_bytering *r, uint64_t pos)
{
    KDO_ASSERT(pos >= r->head && pos <= r->tail);
    return r->buf + (pos & (r->cap - 1));
}

/* Releases everything before position `end` (the end of the oldest string
 * still wanted).  Positions never move backwards. */
static inline void kdo_bytering_release(struct kdo_bytering *r, uint64_t end)
{
    KDO_ASSERT(end <= r->tail);
    if (end > r->head)
        r->head = end;
}

#endif
