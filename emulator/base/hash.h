/*
 * hash.h -- one fast, non-cryptographic hash for byte strings.
 *
 * Used by the tables that must not go quadratic on hostile input (the JSON
 * scanner's duplicate-key set, the reply judge's sent-id table).  Not keyed:
 * the inputs are bounded and the tables probe linearly within limits.
 */
#ifndef KDO_HASH_H
#define KDO_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t kdo_hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ n;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9u;
        h ^= h >> 31;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = (h ^ w) * 0x94d049bb133111ebu;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93u;
    return h ^ (h >> 32);
}

#endif
