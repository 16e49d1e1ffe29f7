// Calls a native module: writes the bytes of the file named by argv[2] to the special file named by
// argv[1] in one write, then, if argv[3] names a file, prints its bytes. Prints "write ok" or
// "write failed ERRNO" and exits 3 when the write is refused. Used by enclave/native tests.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static unsigned char buf[1 << 20];

static long slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) { printf("cannot read %s %d\n", path, errno); return -1; }
  long n = (long)fread(buf, 1, sizeof buf, f);
  fclose(f);
  return n;
}

int main(int argc, char **argv) {
  if (argc < 3) { printf("usage: special_file SPECIAL REQUEST [RESULT]\n"); return 2; }
  long n = slurp(argv[2]);
  if (n < 0) return 2;
  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) { printf("open failed %d\n", errno); return 3; }
  if (write(fd, buf, (size_t)n) != n) { printf("write failed %d\n", errno); close(fd); return 3; }
  close(fd);
  printf("write ok\n");
  if (argc > 3) {
    long m = slurp(argv[3]);
    if (m < 0) return 4;
    fwrite(buf, 1, (size_t)m, stdout);
  }
  return 0;
}
