// Shared by the benchmark kernels: each is built natively (gcc -O2) and for wasm32-wasi (clang -O2)
// and times only its own work with CLOCK_MONOTONIC, printing `result CHECKSUM ns ELAPSED`.
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static inline uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void report(uint64_t checksum, uint64_t elapsed) {
  printf("result %llu ns %llu\n", (unsigned long long)checksum, (unsigned long long)elapsed);
}

// xorshift64*: deterministic input data, identical on both targets.
static inline uint64_t next_random(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1Dull;
}
