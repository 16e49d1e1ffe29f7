// file-digest: reads /input/data.bin with read(2) calls of a fixed size and writes its length and
// FNV-1a 64-bit hash to /output/digest.txt as "bytes=<n> fnv1a64=<hex>\n".
// argv[1], when given, is the size of each read in bytes (default 65536). It exists to show the
// limit of jco's preview 1 adapter: as a component, a single read of 128 KiB or more traps.
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  size_t chunk = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 65536;
  if (chunk == 0) chunk = 65536;
  unsigned char *buf = malloc(chunk);
  int fd = open("/input/data.bin", O_RDONLY);
  if (buf == NULL || fd < 0) {
    perror("file-digest: /input/data.bin");
    return 1;
  }
  uint64_t hash = 0xcbf29ce484222325ULL;
  uint64_t total = 0;
  for (;;) {
    ssize_t n = read(fd, buf, chunk);
    if (n < 0) {
      perror("file-digest: read");
      return 1;
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; i++) hash = (hash ^ buf[i]) * 0x100000001b3ULL;
    total += (uint64_t)n;
  }
  close(fd);
  FILE *out = fopen("/output/digest.txt", "w");
  if (out == NULL) {
    perror("file-digest: /output/digest.txt");
    return 1;
  }
  fprintf(out, "bytes=%llu fnv1a64=%016llx\n", (unsigned long long)total, (unsigned long long)hash);
  return fclose(out) == 0 ? 0 : 1;
}
