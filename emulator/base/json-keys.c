/*
 * json-keys.c -- the JSON scanner's duplicate keys, found per open object.
 *
 * Keys are kept on a stack that an object's '}' truncates (json.c's
 * close_container); a key that was decoded is copied into an arena, others
 * point into the input.  An object with more than SMALL_OBJECT keys gets an
 * open-addressing hash set (one per depth, reused), so a huge object costs
 * linear time; a small one is scanned, which beats hashing for the common
 * two- or three-key object.  Keys compare as bytes after unescaping.
 */
#include "base/json-int.h"

#include "base/hash.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Objects with up to this many keys are checked for duplicates by a linear
 * scan, which beats hashing for the common two- or three-key object. */
#define SMALL_OBJECT 16
#define FIRST_SET_SLOTS 64

/* ---- duplicate keys ------------------------------------------------------- */

static const char *key_bytes(const struct kdo_json *j, const struct kdo__json_key *k)
{
    return k->p ? k->p : j->arena + k->off;
}

static bool key_equal(const struct kdo_json *j, const struct kdo__json_key *k, const char *s,
                      size_t n)
{
    return k->len == n && memcmp(key_bytes(j, k), s, n) == 0;
}

static void set_insert(struct kdo__json_keyset *set, uint64_t hash, uint32_t slot_value)
{
    size_t mask = set->used - 1, i = (size_t)hash & mask;
    while (set->slots[i])
        i = (i + 1) & mask;
    set->slots[i] = slot_value;
}

/* (Re)builds the hash set of the innermost object with `used` slots. */
static void set_build(struct kdo_json *j, struct kdo__json_frame *f, struct kdo__json_keyset *set,
                      size_t used)
{
    if (set->alloc < used) {
        set->slots = kdo_xrealloc(set->slots, used * sizeof *set->slots);
        set->alloc = used;
    }
    set->used = used;
    memset(set->slots, 0, used * sizeof *set->slots);
    for (size_t i = f->key_base; i < j->nkeys; i++) {
        struct kdo__json_key *k = &j->keys[i];
        if (!f->hashed)
            k->hash = kdo_hash_bytes(key_bytes(j, k), k->len);
        set_insert(set, k->hash, (uint32_t)(i - f->key_base + 1));
    }
    f->hashed = true;
}

static bool set_contains(const struct kdo_json *j, const struct kdo__json_frame *f,
                         const struct kdo__json_keyset *set, uint64_t hash, const char *s, size_t n)
{
    size_t mask = set->used - 1;
    for (size_t i = (size_t)hash & mask; set->slots[i]; i = (i + 1) & mask) {
        const struct kdo__json_key *k = &j->keys[f->key_base + set->slots[i] - 1];
        if (k->hash == hash && key_equal(j, k, s, n))
            return true;
    }
    return false;
}

static bool seen_key(const struct kdo_json *j, const struct kdo__json_frame *f, uint64_t *hash,
                     const char *s, size_t n)
{
    if (f->hashed) {
        *hash = kdo_hash_bytes(s, n);
        return set_contains(j, f, &j->sets[j->depth - 1], *hash, s, n);
    }
    for (size_t i = f->key_base; i < j->nkeys; i++)
        if (key_equal(j, &j->keys[i], s, n))
            return true;
    return false;
}

static void push_key(struct kdo_json *j, const char *s, size_t n, bool decoded, uint64_t hash)
{
    if (j->nkeys == j->keys_cap) {
        j->keys_cap = j->keys_cap ? 2 * j->keys_cap : 64;
        j->keys = kdo_xrealloc(j->keys, j->keys_cap * sizeof *j->keys);
    }
    struct kdo__json_key *k = &j->keys[j->nkeys++];
    k->p = decoded ? NULL : s;
    k->off = j->arena_len;
    k->len = n;
    k->hash = hash;
    if (decoded) {
        if (j->arena_cap - j->arena_len < n) {
            while (j->arena_cap - j->arena_len < n)
                j->arena_cap = j->arena_cap ? 2 * j->arena_cap : 256;
            j->arena = kdo_xrealloc(j->arena, j->arena_cap);
        }
        memcpy(j->arena + j->arena_len, s, n);
        j->arena_len += n;
    }
}

/* Escapes a key for an error message, shortened to fit. */
static const char *show_key(const char *s, size_t n, char out[48])
{
    size_t o = 0;
    for (size_t i = 0; i < n && o < 40; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, 48 - o, "\\x%02x", c);
    }
    if (o >= 40)
        o = (size_t)snprintf(out + 37, 11, "...") + 37;
    out[o] = '\0';
    return out;
}

/* Records the key s/n in the innermost object, refusing a repeat. */
int kdo__json_add_key(struct kdo_json *j, const unsigned char *at, const char *s, size_t n,
                   bool decoded)
{
    struct kdo__json_frame *f = &j->frames[j->depth - 1];
    struct kdo__json_keyset *set = &j->sets[j->depth - 1];
    uint64_t hash = 0;
    char out[48];
    if (seen_key(j, f, &hash, s, n))
        return kdo__json_fail(j, KDO_EPARSE, at, "duplicate key \"%s\"", show_key(s, n, out));
    push_key(j, s, n, decoded, hash);
    size_t count = j->nkeys - f->key_base;
    if (!f->hashed && count > SMALL_OBJECT)
        set_build(j, f, set, FIRST_SET_SLOTS);
    else if (f->hashed && 2 * count > set->used)
        set_build(j, f, set, 2 * set->used);
    else if (f->hashed)
        set_insert(set, hash, (uint32_t)count);
    return 0;
}

