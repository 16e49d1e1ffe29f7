// Reads /input/big.bin in 1 MiB chunks through the file system and times it (VFS throughput).
#include "kernel.h"
#include <fcntl.h>
#include <unistd.h>

static uint8_t buf[1 << 20];

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/input/big.bin";
  uint64_t t0 = now_ns();
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 2;
  uint64_t total = 0, check = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    total += (uint64_t)n;
    check += buf[0] + buf[n - 1];
  }
  close(fd);
  uint64_t elapsed = now_ns() - t0;
  report(total + check, elapsed);
  return 0;
}
