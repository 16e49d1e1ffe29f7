/* sdk-tour-c (C): exercises the helpers of sdk/c/veracruz.h once, so that the header itself is
 * tested in the sandbox (the C twin of sdk-tour). Not a Veracruz example.
 *
 * Inputs:  /input/data.bin (any bytes); environment GREETING
 * Outputs: /output/log.txt   "first\n" written, then "second\n" appended
 *          /output/anon.bin  the bytes read back from an fd_create file after a seek to 0
 *          /output/facts.txt CSV lines: key,value (GREETING, exists checks, random length, listing)
 * stdout: "hello from sdk-tour-c"
 */
#include "veracruz.h"

int main(void) {
  vc_write_file_or_exit("/output/log.txt", "first\n", 6);
  vc_append_file_or_exit("/output/log.txt", "second\n", 7);

  size_t len;
  unsigned char *data = vc_read_file_or_exit("/input/data.bin", &len);
  int fd = vc_fd_create();
  if (fd < 0) vc_fail("fd_create: %s", strerror(errno));
  if (vc_write_all(fd, data, len) != 0) vc_fail("write: %s", strerror(errno));
  if (lseek(fd, 0, SEEK_SET) != 0) vc_fail("lseek: %s", strerror(errno));
  size_t back_len;
  unsigned char *back = vc_read_fd(fd, &back_len);
  if (!back) vc_fail("read: %s", strerror(errno));
  close(fd);
  vc_write_file_or_exit("/output/anon.bin", back, back_len);

  unsigned char random[300];
  vc_random(random, sizeof random);
  (void)vc_random_u32();

  size_t count;
  char **names = vc_list_dir("/output", &count);
  if (!names) vc_fail("list /output: %s", strerror(errno));
  FILE *facts = fopen("/output/facts.txt", "w");
  if (!facts) vc_fail("facts: %s", strerror(errno));
  const char *greeting = getenv("GREETING");
  fprintf(facts, "greeting,%s\n", greeting ? greeting : "(none)");
  fprintf(facts, "input-exists,%s\n", vc_exists("/input/data.bin") ? "yes" : "no");
  fprintf(facts, "nothing-exists,%s\n", vc_exists("/input/nothing") ? "yes" : "no");
  fprintf(facts, "random-bytes,%zu\n", sizeof random);
  fprintf(facts, "output-listing,");
  for (size_t i = 0; i < count; i++) fprintf(facts, i ? " %s" : "%s", names[i]);
  fprintf(facts, "\n");
  if (fclose(facts) != 0) vc_fail("facts: write failed");

  static const char hello[] = "hello from sdk-tour-c\n";
  vc_write_stdout(hello, sizeof hello - 1);
  return 0;
}
