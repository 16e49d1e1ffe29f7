/* keep-primes (C): keeps only the primes of /output/number-set.txt, in place (second stage of
 * the primes pipeline generate-set ; keep-primes).
 *
 * Input and output: /output/number-set.txt  one CSV line of decimal u32 ("a,b,c\n"); the output
 * keeps the prime ones in their original order (an empty file when none is prime).
 * Primality is decided with a sieve up to the largest number, as Veracruz's example does.
 */
#include "veracruz.h"

int main(void) {
  size_t len;
  char *text = (char *)vc_read_file_or_exit("/output/number-set.txt", &len);
  size_t capacity = len / 2 + 1, count = 0;
  uint32_t *numbers = malloc(capacity * sizeof *numbers);
  uint32_t largest = 0;
  for (char *p = text; *p && *p != '\n';) {
    char *end;
    unsigned long n = strtoul(p, &end, 10);
    if (end == p || n > UINT32_MAX) vc_fail("not a u32 at byte %zu", (size_t)(p - text));
    numbers[count++] = (uint32_t)n;
    if (n > largest) largest = (uint32_t)n;
    p = *end == ',' ? end + 1 : end;
  }
  unsigned char *composite = calloc((size_t)largest + 1, 1);
  if (!composite) vc_fail("out of memory for a sieve up to %u", largest);
  for (uint64_t p = 2; p * p <= largest; p++)
    if (!composite[p])
      for (uint64_t m = p * p; m <= largest; m += p) composite[m] = 1;
  FILE *out = fopen("/output/number-set.txt", "w");
  if (!out) vc_fail("cannot write /output/number-set.txt: %s", strerror(errno));
  int first = 1;
  for (size_t i = 0; i < count; i++) {
    if (numbers[i] < 2 || composite[numbers[i]]) continue;
    fprintf(out, first ? "%u" : ",%u", numbers[i]);
    first = 0;
  }
  if (!first) fputc('\n', out);
  if (fclose(out) != 0) vc_fail("cannot write /output/number-set.txt");
  return 0;
}
