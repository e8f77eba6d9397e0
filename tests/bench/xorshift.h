/* xorshift.h: the fixed-seed xorshift64* generator of the bench's input
 * generators, so that the same arguments always give byte-identical input.
 * A program defines XORSHIFT_SEED, its own, before including this. */
#ifndef XORSHIFT_H
#define XORSHIFT_H

#include <stdint.h>

static uint64_t rng_state = XORSHIFT_SEED;

static uint64_t
rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n). */
static uint64_t
rndn(uint64_t n)
{
	return n ? rnd() % n : 0;
}

#endif
