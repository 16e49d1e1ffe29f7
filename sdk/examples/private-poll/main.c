/* private-poll (C): counts votes but reveals a count only for options with at least k votes.
 *
 * Inputs:  /input/votes/<voter>         one file per voter: the chosen option, one line.
 *                                       A ballot that is empty, has several lines, or contains
 *                                       ',' or '\r' is spoiled and not counted.
 *          /input/poll-threshold.dat    k as a decimal integer (one line); 5 when absent.
 * Output:  /output/poll.dat  CSV lines "option,count" for each option with count >= k, sorted by
 *          option (byte order). Nothing else is revealed: no total, no suppressed options.
 */
#include "veracruz.h"

static int valid_ballot(const char *text, size_t len) {
  if (len > 0 && text[len - 1] == '\n') len--;
  if (len == 0) return 0;
  for (size_t i = 0; i < len; i++)
    if (text[i] == ',' || text[i] == '\n' || text[i] == '\r' || text[i] == 0) return 0;
  return 1;
}

static int compare_strings(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned long read_threshold(void) {
  size_t len;
  unsigned char *text = vc_read_file("/input/poll-threshold.dat", &len);
  if (!text) {
    if (errno == ENOENT) return 5;
    vc_fail("cannot read /input/poll-threshold.dat: %s", strerror(errno));
  }
  char *end;
  unsigned long k = strtoul((char *)text, &end, 10);
  if (end == (char *)text || (*end != 0 && strcmp(end, "\n") != 0)) vc_fail("bad threshold");
  free(text);
  return k;
}

int main(void) {
  unsigned long k = read_threshold();
  size_t voters = 0;
  char **names = vc_list_dir("/input/votes", &voters);
  if (!names && errno != ENOENT) vc_fail("cannot list /input/votes: %s", strerror(errno));
  char **ballots = malloc((voters + 1) * sizeof *ballots);
  size_t counted = 0;
  char path[4096];
  for (size_t i = 0; i < voters; i++) {
    size_t len;
    snprintf(path, sizeof path, "/input/votes/%s", names[i]);
    char *text = (char *)vc_read_file_or_exit(path, &len);
    if (!valid_ballot(text, len)) { free(text); continue; }
    if (text[len - 1] == '\n') text[len - 1] = 0;
    ballots[counted++] = text;
  }
  qsort(ballots, counted, sizeof *ballots, compare_strings);
  FILE *out = fopen("/output/poll.dat", "w");
  if (!out) vc_fail("cannot write /output/poll.dat: %s", strerror(errno));
  for (size_t start = 0; start < counted;) {
    size_t end = start;
    while (end < counted && strcmp(ballots[end], ballots[start]) == 0) end++;
    if (end - start >= k) fprintf(out, "%s,%zu\n", ballots[start], end - start);
    start = end;
  }
  if (fclose(out) != 0) vc_fail("cannot write /output/poll.dat");
  return 0;
}
