// build-flags: -msimd128
// Single-precision matrix multiply, 512 x 512, i-k-j loop order so the inner loop vectorises
// (wasm: -msimd128; native: gcc -O2's own vectoriser).
#include "kernel.h"
#include <stdlib.h>

#define N 512

int main(void) {
  float *a = malloc(sizeof(float) * N * N), *b = malloc(sizeof(float) * N * N), *c = calloc(N * N, sizeof(float));
  uint64_t s = 42;
  for (int i = 0; i < N * N; i++) {
    a[i] = (float)(next_random(&s) % 1000) / 1000.0f;
    b[i] = (float)(next_random(&s) % 1000) / 1000.0f;
  }
  uint64_t t0 = now_ns();
  for (int rep = 0; rep < 8; rep++) {
    for (int i = 0; i < N; i++)
      for (int k = 0; k < N; k++) {
        float aik = a[i * N + k];
        for (int j = 0; j < N; j++) c[i * N + j] += aik * b[k * N + j];
      }
  }
  uint64_t elapsed = now_ns() - t0;
  double sum = 0;
  for (int i = 0; i < N * N; i++) sum += c[i];
  report((uint64_t)sum, elapsed);
  return 0;
}
