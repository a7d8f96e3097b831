/*
 * philox.h - the Philox-4x32-10 block function (Salmon, Moraes, Dror, Shaw: "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11), written from the paper's description, and the ways
 * pymic2_random turns its words into numbers. Shared by the public entry point and the
 * backends so that every device computes the same bits.
 */
#ifndef PYMIC2_PHILOX_H
#define PYMIC2_PHILOX_H

#include <stdint.h>

#define PYMIC2__PHILOX_M0 UINT32_C(0xD2511F53)
#define PYMIC2__PHILOX_M1 UINT32_C(0xCD9E8D57)
#define PYMIC2__PHILOX_W0 UINT32_C(0x9E3779B9) /* golden ratio */
#define PYMIC2__PHILOX_W1 UINT32_C(0xBB67AE85) /* sqrt(3) - 1 */

/* Ten rounds of: two 32x32->64 multiplies mixing the words, the key bumped between rounds. */
static inline void pymic2__philox(const uint32_t counter[4], const uint32_t key[2],
                                  uint32_t out[4])
{
    uint32_t c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        uint64_t p0 = (uint64_t)PYMIC2__PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)PYMIC2__PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1;
        c3 = (uint32_t)p0;
        c0 = n0;
        c2 = n2;
        k0 += PYMIC2__PHILOX_W0;
        k1 += PYMIC2__PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* pymic2_random's block c under a 64-bit seed. */
static inline void pymic2__philox_block(uint64_t seed, uint64_t block, uint32_t out[4])
{
    const uint32_t counter[4] = {(uint32_t)block, (uint32_t)(block >> 32), 0, 0};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    pymic2__philox(counter, key, out);
}

/* Two words as one 64-bit value (word lo is the low half). */
static inline uint64_t pymic2__philox_u64(uint32_t lo, uint32_t hi)
{
    return (uint64_t)hi << 32 | lo;
}

/* [0, 1) with 53 random bits; (0, 1] for the logarithm of Box-Muller. */
static inline double pymic2__philox_unit(uint64_t bits)
{
    return (double)(bits >> 11) * 0x1.0p-53;
}

static inline double pymic2__philox_unit_open0(uint64_t bits)
{
    return (double)((bits >> 11) + 1) * 0x1.0p-53;
}

/* [0, 1) with 24 random bits (exact in float). */
static inline float pymic2__philox_unit_f32(uint32_t bits)
{
    return (float)(bits >> 8) * 0x1.0p-24f;
}

#endif /* PYMIC2_PHILOX_H */
