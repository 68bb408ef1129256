/*
 * sha256.h -- SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), for SigV4.
 *
 * A small implementation of our own: the charter allows no crypto library,
 * and signing needs nothing more than these two.  Pure: no I/O, no
 * allocation.  Not constant-time and not meant to be; it hashes request
 * bodies and derives signing keys, nothing an attacker times.
 */
#ifndef KDO_SHA256_H
#define KDO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define KDO_SHA256_BYTES 32
#define KDO_SHA256_BLOCK 64

struct kdo_sha256 {
    uint32_t h[8];
    uint64_t total; /* bytes hashed so far */
    uint8_t block[KDO_SHA256_BLOCK];
    size_t used; /* bytes waiting in block */
};

void kdo_sha256_init(struct kdo_sha256 *s);
void kdo_sha256_update(struct kdo_sha256 *s, const void *p, size_t n);
/* Writes the digest; s must be initialised again before reuse. */
void kdo_sha256_final(struct kdo_sha256 *s, uint8_t out[KDO_SHA256_BYTES]);

/* One call: out = SHA-256(p[0..n)). */
void kdo_sha256(const void *p, size_t n, uint8_t out[KDO_SHA256_BYTES]);
/* out = HMAC-SHA256(key, msg); any key length. */
void kdo_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     uint8_t out[KDO_SHA256_BYTES]);
/* Lower-case hex of n bytes into out (2 * n + 1 bytes, NUL-terminated). */
void kdo_hex(const uint8_t *p, size_t n, char *out);

#endif
