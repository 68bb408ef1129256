/*
 * partition.c -- chained hash buckets plus a doubly linked insertion order.
 */
#include "sql/partition.h"

#include "base/errors.h"
#include "base/hash.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    struct entry *chain;      /* next in the bucket */
    struct entry *prev, *next; /* insertion order */
    uint64_t hash;
    size_t keylen;
    char *key; /* after the payload */
    alignas(max_align_t) unsigned char payload[];
};

struct kdo_partitions {
    struct entry **buckets;
    size_t nbuckets, n, max, payload_size;
    struct entry *first, *last;
};

static struct entry *of(const void *payload)
{
    return (struct entry *)(void *)((unsigned char *)(uintptr_t)payload -
                                    offsetof(struct entry, payload));
}

struct kdo_partitions *kdo_partitions_new(size_t payload_size, size_t max)
{
    struct kdo_partitions *t = kdo_xcalloc(1, sizeof *t);
    t->nbuckets = 64;
    t->buckets = kdo_xcalloc(t->nbuckets, sizeof *t->buckets);
    t->payload_size = payload_size;
    t->max = max;
    return t;
}

void kdo_partitions_free(struct kdo_partitions *t, void (*fini)(void *payload))
{
    if (t == NULL)
        return;
    for (struct entry *e = t->first, *next; e; e = next) {
        next = e->next;
        if (fini)
            fini(e->payload);
        free(e);
    }
    free(t->buckets);
    free(t);
}

static void rehash(struct kdo_partitions *t)
{
    size_t n = t->nbuckets * 2;
    struct entry **b = kdo_xcalloc(n, sizeof *b);
    for (struct entry *e = t->first; e; e = e->next) {
        e->chain = b[e->hash & (n - 1)];
        b[e->hash & (n - 1)] = e;
    }
    free(t->buckets);
    t->buckets = b;
    t->nbuckets = n;
}

void *kdo_partitions_get(struct kdo_partitions *t, const char *key, size_t len, int *added)
{
    uint64_t h = kdo_hash_bytes(key, len);
    *added = 0;
    for (struct entry *e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->chain)
        if (e->hash == h && e->keylen == len && memcmp(e->key, key, len) == 0)
            return e->payload;
    if (t->n >= t->max)
        return NULL;
    if (t->n >= t->nbuckets)
        rehash(t);
    struct entry *e = kdo_xcalloc(1, sizeof *e + t->payload_size + len + 1);
    e->hash = h;
    e->keylen = len;
    e->key = (char *)e->payload + t->payload_size;
    memcpy(e->key, key, len);
    e->chain = t->buckets[h & (t->nbuckets - 1)];
    t->buckets[h & (t->nbuckets - 1)] = e;
    e->prev = t->last;
    if (t->last)
        t->last->next = e;
    else
        t->first = e;
    t->last = e;
    t->n++;
    *added = 1;
    return e->payload;
}

const char *kdo_partitions_key(const void *payload, size_t *len)
{
    *len = of(payload)->keylen;
    return of(payload)->key;
}

void *kdo_partitions_first(const struct kdo_partitions *t)
{
    return t->first ? t->first->payload : NULL;
}

void *kdo_partitions_next(const void *payload)
{
    struct entry *e = of(payload)->next;
    return e ? e->payload : NULL;
}

void kdo_partitions_touch(struct kdo_partitions *t, void *payload)
{
    struct entry *e = of(payload);
    if (t->last == e)
        return;
    if (e->prev) /* unlink */
        e->prev->next = e->next;
    else
        t->first = e->next;
    e->next->prev = e->prev;
    e->prev = t->last; /* and append */
    e->next = NULL;
    t->last->next = e;
    t->last = e;
}

void kdo_partitions_remove(struct kdo_partitions *t, void *payload)
{
    struct entry *e = of(payload), **p = &t->buckets[e->hash & (t->nbuckets - 1)];
    while (*p != e)
        p = &(*p)->chain;
    *p = e->chain;
    if (e->prev)
        e->prev->next = e->next;
    else
        t->first = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        t->last = e->prev;
    t->n--;
    free(e);
}

size_t kdo_partitions_count(const struct kdo_partitions *t)
{
    return t->n;
}
