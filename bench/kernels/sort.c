// Sorting 4 M 32-bit integers with our own quicksort (median of three, insertion sort for small
// ranges), so both targets run the same algorithm rather than two different libc qsorts.
#include "kernel.h"
#include <stdlib.h>

static void insertion(uint32_t *v, long lo, long hi) {
  for (long i = lo + 1; i <= hi; i++) {
    uint32_t x = v[i];
    long j = i - 1;
    while (j >= lo && v[j] > x) { v[j + 1] = v[j]; j--; }
    v[j + 1] = x;
  }
}

static void quicksort(uint32_t *v, long lo, long hi) {
  while (hi - lo > 16) {
    long mid = lo + (hi - lo) / 2;
    uint32_t a = v[lo], b = v[mid], c = v[hi];
    uint32_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
    long i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) { uint32_t t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
    }
    if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; } else { quicksort(v, i, hi); hi = j; }
  }
  insertion(v, lo, hi);
}

int main(void) {
  const long n = 4 * 1024 * 1024;
  uint32_t *v = malloc(sizeof *v * n);
  uint64_t s = 7;
  for (long i = 0; i < n; i++) v[i] = (uint32_t)next_random(&s);
  uint64_t t0 = now_ns();
  quicksort(v, 0, n - 1);
  uint64_t elapsed = now_ns() - t0;
  uint64_t check = 0;
  for (long i = 0; i < n; i += 4096) check = check * 31 + v[i];
  for (long i = 1; i < n; i++) if (v[i - 1] > v[i]) return 1;
  report(check, elapsed);
  return 0;
}
