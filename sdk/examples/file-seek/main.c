/* file-seek (C): copies a file from a given offset to its end, using lseek.
 *
 * Environment: SKIP  the number of bytes to skip (decimal).
 * Input:  /input/README.md
 * Output: /output/NEW_README.md  the input's bytes from offset SKIP to the end (empty when SKIP
 *         is past the end).
 */
#include "veracruz.h"

int main(void) {
  const char *skip_text = getenv("SKIP");
  if (!skip_text) vc_fail("SKIP must be set");
  char *end;
  unsigned long long skip = strtoull(skip_text, &end, 10);
  if (end == skip_text || *end) vc_fail("SKIP must be a decimal number, got %s", skip_text);
  int fd = open("/input/README.md", O_RDONLY);
  if (fd < 0) vc_fail("cannot open /input/README.md: %s", strerror(errno));
  if (lseek(fd, (off_t)skip, SEEK_SET) < 0) vc_fail("cannot seek: %s", strerror(errno));
  size_t len;
  unsigned char *rest = vc_read_fd(fd, &len);
  if (!rest) vc_fail("cannot read /input/README.md: %s", strerror(errno));
  close(fd);
  vc_write_file_or_exit("/output/NEW_README.md", rest, len);
  return 0;
}
