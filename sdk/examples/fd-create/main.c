/* fd-create (C): Veracruz's fd-create (its Rust program and c-examples/fd_create): writes bytes
 * i mod 251 to an anonymous file from Veracruz's fd_create extension (the import
 * veracruz_si.fd_create), seeks to a third, reads back and compares.
 *
 * Environment: SIZE  bytes to write; unset is Veracruz's 10000 (ours: the tests' large case sets
 *                    it). When set, it must be what Rust's u64::from_str accepts (an optional "+",
 *                    ASCII digits), else a message on stderr and exit 1.
 * Output: stdout "PASS\n" and /output/pass = "X" when every check passed; otherwise the line
 *         Veracruz's Rust program prints on stdout ("ERROR: wrong return value from read" or
 *         "ERROR: wrong data returned by read") and exit 1 (as its C program's assertion fails),
 *         with nothing written.
 */
#include "veracruz.h"

int main(void) {
  const char *size_text = getenv("SIZE");
  uint64_t size = 10000;
  if (size_text && vc_parse_u64(size_text, &size) != 0)
    vc_fail("fd-create: SIZE is not a u64 (digits only): \"%s\"", size_text);
  if (size > SIZE_MAX / 2) vc_fail("fd-create: SIZE %s is more than memory can hold", size_text);
  size_t len = (size_t)size;
  int fd = vc_fd_create();
  if (fd < 0) vc_fail("fd-create: fd_create failed: %s", strerror(errno));
  unsigned char *data = malloc(len + 1);
  if (!data) vc_fail("fd-create: out of memory");
  for (size_t i = 0; i < len; i++) data[i] = (unsigned char)(i % 251);
  if (vc_write_all(fd, data, len) != 0) vc_fail("fd-create: write failed: %s", strerror(errno));
  size_t offset = len / 3;
  if (lseek(fd, (off_t)offset, SEEK_SET) != (off_t)offset)
    vc_fail("fd-create: lseek failed: %s", strerror(errno));
  size_t got;
  unsigned char *back = vc_read_fd(fd, &got);
  if (!back) vc_fail("fd-create: read failed: %s", strerror(errno));
  close(fd);
  if (got != len - offset) {
    printf("ERROR: wrong return value from read\n");
    return 1;
  }
  if (memcmp(back, data + offset, got) != 0) {
    printf("ERROR: wrong data returned by read\n");
    return 1;
  }
  printf("PASS\n");
  vc_write_file_or_exit("/output/pass", "X", 1);
  return 0;
}
