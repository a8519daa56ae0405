/* Seeded pseudo-random numbers: xoshiro256** seeded through splitmix64, so a
 * seed gives the same stream on every machine, and jc_rng_split gives
 * independent per-task streams so results do not depend on thread count. */
#include "joulecast/util.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void jc_rng_seed(jc_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

uint64_t jc_rng_next(jc_rng *rng)
{
    uint64_t *s = rng->s;
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

double jc_rng_uniform(jc_rng *rng) { return (double)(jc_rng_next(rng) >> 11) * 0x1.0p-53; }

uint64_t jc_rng_below(jc_rng *rng, uint64_t n)
{
    if (n == 0)
        return 0;
    /* Lemire's multiply-shift with rejection: unbiased, and no division on
     * the common path (the GP engine calls this millions of times). */
    __uint128_t m = (__uint128_t)jc_rng_next(rng) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = (__uint128_t)jc_rng_next(rng) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double jc_rng_normal(jc_rng *rng)
{
    /* Box-Muller; one value per call keeps the state simple and splittable. */
    double u1;
    do
        u1 = jc_rng_uniform(rng);
    while (u1 <= 0);
    double u2 = jc_rng_uniform(rng);
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

void jc_rng_split(const jc_rng *parent, uint64_t k, jc_rng *child)
{
    uint64_t x = parent->s[0] ^ rotl(parent->s[1], 13) ^ rotl(parent->s[2], 29) ^ rotl(parent->s[3], 47);
    x ^= splitmix64(&k);
    jc_rng_seed(child, x);
}
