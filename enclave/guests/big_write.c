// Writes N MiB (argument, default 100) to /output/big.bin in 1 MiB chunks. Exits with the errno of
// the first failing write (0 when all went through): once the quota is full, even printing to
// stdout may fail, since the stdout pseudo file counts against the quota too.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int mib = argc > 1 ? atoi(argv[1]) : 100;
  static char chunk[1 << 20];
  memset(chunk, 'q', sizeof chunk);
  int fd = open("/output/big.bin", O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { printf("open %d\n", errno); return 2; }
  int written = 0, err = 0;
  for (; written < mib; written++) {
    if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) { err = errno; break; }
  }
  close(fd);
  printf("written %d errno %d\n", written, err);
  return err;
}
