/*
 * rng.h -- the one seeded pseudo-random generator of a run.
 *
 * xoshiro256** seeded through splitmix64.  Every random choice of a run
 * (invocation GUIDs, fault probabilities, generated data) draws from one
 * struct kdo_rng, so the same seed replays the same run byte for byte.  Not
 * for secrets.
 */
#ifndef KDO_RNG_H
#define KDO_RNG_H

#include <stdint.h>

struct kdo_rng {
    uint64_t s[4];
};

/* Seeds the generator; every seed (0 included) gives a valid state. */
void kdo_rng_init(struct kdo_rng *r, uint64_t seed);
uint64_t kdo_rng_next(struct kdo_rng *r);
/* Uniform double in [0, 1). */
double kdo_rng_unit(struct kdo_rng *r);
/* Uniform integer in [0, n) without modulo bias; 0 when n == 0. */
uint64_t kdo_rng_below(struct kdo_rng *r, uint64_t n);
/* A random (version 4, variant 10xx) GUID in lower-case 8-4-4-4-12 form,
 * NUL-terminated: out must hold 37 bytes. */
void kdo_rng_uuid4(struct kdo_rng *r, char out[37]);

#endif
