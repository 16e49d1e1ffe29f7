/* file-seek (C): Veracruz's file-seek: the text of a file from a given byte offset to its end.
 *
 * Environment: SKIP  the offset, as Rust's `u64::from_str` reads it (an optional `+`, then ASCII
 *                    digits only); missing or not such a number: a message and exit 1.
 * Input:  /input/README.md  any bytes (opened first, as Veracruz's does: a missing file is
 *         reported before a bad SKIP)
 * Output: /output/NEW_README.md  the bytes from offset SKIP to the end as Rust's
 *         `String::from_utf8_lossy` makes them: every ill-formed UTF-8 subpart becomes U+FFFD
 *         (docs/guest-programs.md, "Rust's text rules"); empty when SKIP is at or past the end.
 *         Nothing is written on an error.
 */
#include "veracruz.h"

int main(void) {
  int fd = open("/input/README.md", O_RDONLY);
  if (fd < 0) vc_fail("file-seek: cannot open /input/README.md: %s", strerror(errno));
  const char *skip_text = getenv("SKIP");
  if (!skip_text) vc_fail("file-seek: SKIP is not set (the number of bytes to skip)");
  uint64_t skip;
  if (vc_parse_u64(skip_text, &skip) != 0)
    vc_fail("file-seek: SKIP is not a u64 (digits only, at most 18446744073709551615): \"%s\"",
            skip_text);
  /* An offset past the end is allowed (reading there gives nothing); one above 2^63 - 1 is not
   * an off_t, and WASI's fd_seek refuses it, as it does for Veracruz's program. */
  if (skip > (uint64_t)INT64_MAX || lseek(fd, (off_t)skip, SEEK_SET) < 0)
    vc_fail("file-seek: cannot seek to %s: %s", skip_text, strerror(EINVAL));
  size_t len;
  unsigned char *rest = vc_read_fd(fd, &len);
  if (!rest) vc_fail("file-seek: cannot read /input/README.md: %s", strerror(errno));
  close(fd);
  size_t text_len;
  unsigned char *text = vc_utf8_lossy(rest, len, &text_len);
  if (!text) vc_fail("file-seek: out of memory");
  vc_write_file_or_exit("/output/NEW_README.md", text, text_len);
  return 0;
}
