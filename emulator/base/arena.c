/*
 * arena.c -- chained chunks; a copy larger than the default chunk gets a
 * chunk of its own, so no copy ever straddles two chunks.
 */
#include "base/arena.h"

#include "base/errors.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES 4096

struct kdo_arena_chunk {
    struct kdo_arena_chunk *next;
    size_t used, cap;
    char data[];
};

void kdo_arena_init(struct kdo_arena *a, size_t max_bytes)
{
    a->head = NULL;
    a->used = 0;
    a->max = max_bytes;
}

static void free_chain(struct kdo_arena_chunk *c)
{
    while (c) {
        struct kdo_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
}

void kdo_arena_cleanup(struct kdo_arena *a)
{
    free_chain(a->head);
    a->head = NULL;
    a->used = 0;
}

void kdo_arena_reset(struct kdo_arena *a)
{
    if (a->head) {
        free_chain(a->head->next);
        a->head->next = NULL;
        a->head->used = 0;
    }
    a->used = 0;
}

int kdo_arena_alloc(struct kdo_arena *a, size_t n, char **out)
{
    if (n > a->max - a->used)
        return KDO_ETOOBIG;
    struct kdo_arena_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < n + 1) {
        size_t cap = n + 1 > CHUNK_BYTES ? n + 1 : CHUNK_BYTES;
        c = kdo_xmalloc(sizeof *c + cap);
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    *out = c->data + c->used;
    (*out)[n] = '\0';
    c->used += n + 1;
    a->used += n;
    return 0;
}

int kdo_arena_dup(struct kdo_arena *a, const char *s, size_t n, const char **out)
{
    char *p;
    int err = kdo_arena_alloc(a, n, &p);
    if (err)
        return err;
    if (n)
        memcpy(p, s, n);
    *out = p;
    return 0;
}
