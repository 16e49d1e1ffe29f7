// Integer hashing: a 64-bit mixing hash (splitmix64 finaliser) over 50 M integers, plus an
// open-addressing table of 1 M slots to make the memory access pattern realistic.
#include "kernel.h"
#include <stdlib.h>

int main(void) {
  const uint32_t slots = 1u << 20;
  uint64_t *table = calloc(slots, sizeof *table);
  uint64_t t0 = now_ns();
  uint64_t acc = 0;
  for (uint64_t i = 0; i < 50000000ull; i++) {
    uint64_t z = i + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    table[z & (slots - 1)] += z;
    acc ^= z;
  }
  for (uint32_t i = 0; i < slots; i++) acc += table[i] * i;
  report(acc, now_ns() - t0);
  free(table);
  return 0;
}
