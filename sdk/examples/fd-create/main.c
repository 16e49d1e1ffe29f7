/* fd-create (C): exercises Veracruz's fd_create extension (an anonymous in-memory file): writes
 * SIZE bytes (i mod 251) to it, seeks to a third, reads back, and checks the bytes.
 *
 * Environment: SIZE  bytes to write (default 10000, as Veracruz's test).
 * Output: /output/pass  "X" when every check passed (the program exits 1 otherwise);
 *         stdout: PASS.
 */
#include "veracruz.h"

int main(void) {
  const char *size_text = getenv("SIZE");
  size_t len = size_text ? (size_t)strtoull(size_text, NULL, 10) : 10000;
  int fd = vc_fd_create();
  if (fd < 0) vc_fail("fd_create failed: %s", strerror(errno));
  unsigned char *data = malloc(len + 1);
  for (size_t i = 0; i < len; i++) data[i] = (unsigned char)(i % 251);
  if (vc_write_all(fd, data, len) != 0) vc_fail("write failed: %s", strerror(errno));
  size_t offset = len / 3;
  if (lseek(fd, (off_t)offset, SEEK_SET) != (off_t)offset) vc_fail("lseek failed");
  size_t got;
  unsigned char *back = vc_read_fd(fd, &got);
  if (!back) vc_fail("read failed: %s", strerror(errno));
  if (got != len - offset) vc_fail("read %zu bytes, expected %zu", got, len - offset);
  if (memcmp(back, data + offset, got) != 0) vc_fail("read back different bytes");
  close(fd);
  printf("PASS\n");
  vc_write_file_or_exit("/output/pass", "X", 1);
  return 0;
}
