/*
 * bytering.c -- growth keeps absolute positions: each live byte moves to its
 * position modulo the new capacity.  Doubling keeps every string contiguous,
 * because a string that fit before the old end fits before the new one.
 */
#include "base/bytering.h"

#include "base/errors.h"

#include <stdlib.h>
#include <string.h>

void kdo_bytering_init(struct kdo_bytering *r)
{
    r->cap = 1 << 16;
    r->buf = kdo_xmalloc(r->cap);
    r->head = r->tail = 0;
}

void kdo_bytering_cleanup(struct kdo_bytering *r)
{
    free(r->buf);
    r->buf = NULL;
}

static void grow(struct kdo_bytering *r)
{
    uint64_t cap = r->cap * 2;
    char *buf = kdo_xmalloc(cap);
    for (uint64_t pos = r->head; pos < r->tail;) {
        uint64_t from = pos & (r->cap - 1), to = pos & (cap - 1);
        uint64_t n = r->tail - pos;
        if (n > r->cap - from)
            n = r->cap - from; /* up to the end of the old ring */
        if (n > cap - to)
            n = cap - to; /* up to the end of the new ring */
        memcpy(buf + to, r->buf + from, n);
        pos += n;
    }
    free(r->buf);
    r->buf = buf;
    r->cap = cap;
}

uint64_t kdo_bytering_push(struct kdo_bytering *r, const void *p, size_t n)
{
    for (;;) {
        uint64_t phys = r->tail & (r->cap - 1);
        uint64_t pad = phys + n > r->cap ? r->cap - phys : 0;
        if (r->tail + pad + n - r->head <= r->cap) {
            uint64_t pos = r->tail + pad;
            if (n)
                memcpy(r->buf + (pos & (r->cap - 1)), p, n);
            r->tail = pos + n;
            KDO_ASSERT(r->head <= r->tail && r->tail - r->head <= r->cap);
            return pos;
        }
        grow(r);
    }
}
