// Allocates and touches 1 MiB blocks until malloc fails, then prints how many it got and, with
// argument "abort", traps instead of exiting (exit code 3 otherwise).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Every block is kept reachable, so the compiler cannot elide the allocations.
static char *volatile last;

int main(int argc, char **argv) {
  unsigned long blocks = 0;
  for (;;) {
    char *p = malloc(1 << 20);
    if (!p) break;
    memset(p, 0xab, 1 << 20);
    *(char **)p = last;
    last = p;
    blocks++;
  }
  printf("blocks %lu\n", blocks);
  fflush(stdout);
  if (argc > 1 && strcmp(argv[1], "abort") == 0) abort();
  return 3;
}
