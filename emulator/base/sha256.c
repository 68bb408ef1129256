/*
 * sha256.c -- SHA-256 as FIPS 180-4 section 6.2 writes it, HMAC as RFC 2104.
 *
 * The compression function works on one 64-byte block; update() feeds whole
 * blocks straight from the caller's buffer and keeps only a tail, so a 6 MB
 * body is hashed without a copy.  Big-endian words are assembled byte by byte,
 * so the code does not depend on the host's byte order or alignment.
 */
#include "base/sha256.h"

#include <string.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* FIPS 180-4 6.2.2: the message schedule, then 64 rounds. */
static void compress(uint32_t h[8], const uint8_t *block)
{
    uint32_t w[64], v[8];
    for (int t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    memcpy(v, h, sizeof v);
    for (int t = 0; t < 64; t++) {
        uint32_t S1 = ror(v[4], 6) ^ ror(v[4], 11) ^ ror(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + S1 + ch + K[t] + w[t];
        uint32_t S0 = ror(v[0], 2) ^ ror(v[0], 13) ^ ror(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        memmove(v + 1, v, 7 * sizeof v[0]);
        v[4] += t1;
        v[0] = t1 + S0 + maj;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

void kdo_sha256_init(struct kdo_sha256 *s)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, h0, sizeof h0);
    s->total = 0;
    s->used = 0;
}

void kdo_sha256_update(struct kdo_sha256 *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    if (n == 0)
        return; /* data may be NULL then */
    s->total += n;
    if (s->used) {
        size_t take = KDO_SHA256_BLOCK - s->used < n ? KDO_SHA256_BLOCK - s->used : n;
        memcpy(s->block + s->used, p, take);
        s->used += take, p += take, n -= take;
        if (s->used < KDO_SHA256_BLOCK)
            return;
        compress(s->h, s->block);
        s->used = 0;
    }
    for (; n >= KDO_SHA256_BLOCK; p += KDO_SHA256_BLOCK, n -= KDO_SHA256_BLOCK)
        compress(s->h, p);
    memcpy(s->block, p, n);
    s->used = n;
}

/* FIPS 180-4 5.1.1: a 1 bit, zeros, then the length in bits (64-bit big-endian). */
void kdo_sha256_final(struct kdo_sha256 *s, uint8_t out[KDO_SHA256_BYTES])
{
    uint64_t bits = s->total * 8;
    s->block[s->used++] = 0x80;
    if (s->used > KDO_SHA256_BLOCK - 8) {
        memset(s->block + s->used, 0, KDO_SHA256_BLOCK - s->used);
        compress(s->h, s->block);
        s->used = 0;
    }
    memset(s->block + s->used, 0, KDO_SHA256_BLOCK - 8 - s->used);
    store_be32(s->block + 56, (uint32_t)(bits >> 32));
    store_be32(s->block + 60, (uint32_t)bits);
    compress(s->h, s->block);
    for (int i = 0; i < 8; i++)
        store_be32(out + 4 * i, s->h[i]);
}

void kdo_sha256(const void *p, size_t n, uint8_t out[KDO_SHA256_BYTES])
{
    struct kdo_sha256 s;
    kdo_sha256_init(&s);
    kdo_sha256_update(&s, p, n);
    kdo_sha256_final(&s, out);
}

/* RFC 2104: H((K ^ opad) || H((K ^ ipad) || msg)), a key longer than a block hashed first. */
void kdo_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     uint8_t out[KDO_SHA256_BYTES])
{
    uint8_t k[KDO_SHA256_BLOCK] = {0}, pad[KDO_SHA256_BLOCK], inner[KDO_SHA256_BYTES];
    struct kdo_sha256 s;
    if (key_len > KDO_SHA256_BLOCK)
        kdo_sha256(key, key_len, k);
    else if (key_len)
        memcpy(k, key, key_len);
    for (int i = 0; i < KDO_SHA256_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    kdo_sha256_init(&s);
    kdo_sha256_update(&s, pad, sizeof pad);
    kdo_sha256_update(&s, msg, msg_len);
    kdo_sha256_final(&s, inner);
    for (int i = 0; i < KDO_SHA256_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    kdo_sha256_init(&s);
    kdo_sha256_update(&s, pad, sizeof pad);
    kdo_sha256_update(&s, inner, sizeof inner);
    kdo_sha256_final(&s, out);
}

void kdo_hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}
