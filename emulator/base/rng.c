/*
 * rng.c -- xoshiro256** seeded through splitmix64, plus the few derived draws
 * (bounded integers, unit doubles, v4 GUIDs) the emulator needs.
 *
 * Invariant: the output is a pure function of the seed and the sequence of
 * calls, on every platform (no host byte order, no unspecified evaluation
 * order), so a printed seed replays a run exactly; nothing here reads any
 * other entropy source.  This is deliberately not a CSPRNG and does no
 * locking: one generator per run, used from one thread.
 */
#include "base/rng.h"

#include <stddef.h>

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* splitmix64 turns any seed (0 included) into a well-mixed state; the
 * all-zero state xoshiro cannot leave is reachable only with probability
 * 2^-256. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void kdo_rng_init(struct kdo_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t kdo_rng_next(struct kdo_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double kdo_rng_unit(struct kdo_rng *r)
{
    /* The top 53 bits are the best ones of xoshiro256** and exactly fill a
     * double's mantissa, so every result is a multiple of 2^-53 below 1. */
    return (double)(kdo_rng_next(r) >> 11) * 0x1.0p-53;
}

/* The 128-bit product a * b: returns the high word, stores the low one.
 * The portable branch gives the same bits, so replays match across hosts. */
static inline uint64_t mul_64x64(uint64_t a, uint64_t b, uint64_t *lo)
{
#ifdef __SIZEOF_INT128__
    __extension__ typedef unsigned __int128 u128;
    u128 m = (u128)a * b;
    *lo = (uint64_t)m;
    return (uint64_t)(m >> 64);
#else
    uint64_t a0 = (uint32_t)a, a1 = a >> 32, b0 = (uint32_t)b, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10;
    *lo = (mid << 32) | (uint32_t)p00;
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* Lemire, "Fast Random Integer Generation in an Interval" (2019): the high
 * word of x * n is uniform once the low words below 2^64 mod n are rejected;
 * the division runs only on the rare path where a rejection is possible. */
uint64_t kdo_rng_below(struct kdo_rng *r, uint64_t n)
{
    if (n == 0)
        return 0;
    uint64_t low;
    uint64_t high = mul_64x64(kdo_rng_next(r), n, &low);
    if (low < n) {
        uint64_t threshold = -n % n; /* 2^64 mod n */
        while (low < threshold)
            high = mul_64x64(kdo_rng_next(r), n, &low);
    }
    return high;
}

/* Two lower-case hex digits per byte, written without snprintf. */
static char *put_hex(char *o, const unsigned char *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        *o++ = hex[b[i] >> 4];
        *o++ = hex[b[i] & 15];
    }
    return o;
}

void kdo_rng_uuid4(struct kdo_rng *r, char out[37])
{
    /* Two separate statements: the evaluation order of an initializer list
     * is unspecified, and bytes are taken little-endian by shifting so every
     * host turns a seed into the same GUIDs. */
    uint64_t hi = kdo_rng_next(r);
    uint64_t lo = kdo_rng_next(r);
    unsigned char b[16];
    for (int i = 0; i < 8; i++) {
        b[i] = (unsigned char)(hi >> (8 * i));
        b[8 + i] = (unsigned char)(lo >> (8 * i));
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant 10xx (RFC 4122) */
    char *o = out;
    o = put_hex(o, b, 4);
    *o++ = '-';
    o = put_hex(o, b + 4, 2);
    *o++ = '-';
    o = put_hex(o, b + 6, 2);
    *o++ = '-';
    o = put_hex(o, b + 8, 2);
    *o++ = '-';
    o = put_hex(o, b + 10, 6);
    *o = '\0';
}
