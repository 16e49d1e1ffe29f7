// Traps in different ways, chosen by the first argument: unreachable, oob (memory access out of
// bounds), stack (unbounded recursion), divzero.
#include <stdio.h>
#include <string.h>

static volatile int zero = 0;
static volatile int seven = 7;

static int recurse(int n) {
  volatile char pad[256];
  pad[0] = (char)n;
  if (n < 0) return 0; // never true; keeps the compiler from calling this an infinite recursion
  return recurse(n + 1) + pad[0];
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "unreachable";
  printf("about to trap: %s\n", what);
  fflush(stdout);
  if (strcmp(what, "oob") == 0) return *(volatile int *)0xfffffff0;
  if (strcmp(what, "stack") == 0) return recurse(0);
  if (strcmp(what, "divzero") == 0) return seven / zero;
  __builtin_trap();
}
