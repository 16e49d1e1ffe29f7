// Spins forever: the runner must stop it at its wall-clock budget.
#include <stdio.h>

int main(void) {
  printf("looping\n");
  fflush(stdout);
  volatile unsigned long n = 0;
  for (;;) n++;
}
