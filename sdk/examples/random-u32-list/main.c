/* random-u32-list (C): writes random u32 numbers, the first stage of the sort pipeline, as
 * Veracruz's example.
 *
 * Environment: COUNT  how many numbers (default 32, Veracruz's fixed count).
 * Output: /output/unsorted_numbers.txt  the decimal u32 joined by "," with no newline ("a,b,c"),
 *         an empty file when COUNT is 0; the same line, with a newline, on stdout. The numbers
 *         come from the host's random source (seeded under vc run --seed).
 */
#include "veracruz.h"

int main(void) {
  const char *count_text = getenv("COUNT");
  unsigned long count = count_text ? strtoul(count_text, NULL, 10) : 32;
  FILE *out = fopen("/output/unsorted_numbers.txt", "w");
  if (!out) vc_fail("cannot write /output/unsorted_numbers.txt: %s", strerror(errno));
  for (unsigned long i = 0; i < count; i++) {
    unsigned value = (unsigned)vc_random_u32();
    fprintf(out, i + 1 < count ? "%u," : "%u", value);
    printf(i + 1 < count ? "%u," : "%u", value);
  }
  printf("\n");
  if (fclose(out) != 0) vc_fail("cannot write /output/unsorted_numbers.txt");
  return 0;
}
