// Tries to make the host hold more than the run's budget allows, one resource per mode (argv[1]),
// and prints what it got as `name value` lines:
//   tables N       grows 8 tables by up to N entries each (1M at a time): `grown TOTAL`
//   flood S M NL   writes M MiB to stream S (stdout|stderr), with newlines when NL is `nl`
//   deep N         nests N directories under /output: `depth D errno E`
//   name L         creates /output/<L bytes of 'n'>: `name errno E`
//   fds N          opens /output/f.txt N times without closing: `opened K errno E`
//   dotdot         opens /output/f.txt/.. (a file followed by ..): `dotdot errno E`
// build-flags: -mreference-types
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// Eight tables of externref, defined in assembly since clang 14 has no C syntax for tables; each
// grows with table.grow, which returns -1 once the engine refuses (at the table's maximum).
__asm__(".tabletype t0, externref\nt0:\n.tabletype t1, externref\nt1:\n"
        ".tabletype t2, externref\nt2:\n.tabletype t3, externref\nt3:\n"
        ".tabletype t4, externref\nt4:\n.tabletype t5, externref\nt5:\n"
        ".tabletype t6, externref\nt6:\n.tabletype t7, externref\nt7:\n");

#define GROW(t)                                                                                \
  static int grow_##t(int n) {                                                                 \
    int r;                                                                                     \
    __asm__ volatile("ref.null_extern\n local.get %1\n table.grow " #t "\n local.set %0"       \
                     : "=r"(r)                                                                 \
                     : "r"(n));                                                                \
    return r;                                                                                  \
  }
GROW(t0) GROW(t1) GROW(t2) GROW(t3) GROW(t4) GROW(t5) GROW(t6) GROW(t7)

static int (*const growers[8])(int) = {grow_t0, grow_t1, grow_t2, grow_t3,
                                       grow_t4, grow_t5, grow_t6, grow_t7};

static int tables(long per_table) {
  long total = 0;
  for (int t = 0; t < 8; t++) {
    for (long got = 0; got < per_table;) {
      int step = per_table - got < (1 << 20) ? (int)(per_table - got) : 1 << 20;
      // Half steps once a full one is refused, down to one entry.
      while (step > 0 && growers[t](step) < 0) step /= 2;
      if (step == 0) break;
      got += step;
      total += step;
    }
  }
  printf("grown %ld\n", total);
  return 0;
}

static int flood(const char *stream, long mib, int newlines) {
  static char chunk[1 << 20];
  memset(chunk, 'f', sizeof chunk);
  if (newlines)
    for (size_t i = 79; i < sizeof chunk; i += 80) chunk[i] = '\n';
  int fd = strcmp(stream, "stderr") == 0 ? 2 : 1;
  for (long i = 0; i < mib; i++)
    if (write(fd, chunk, sizeof chunk) != (ssize_t)sizeof chunk) return errno;
  return 0;
}

static int deep(int levels) {
  static char path[1 << 16];
  int len = snprintf(path, sizeof path, "/output");
  int depth = 0, err = 0;
  for (; depth < levels && len + 3 < (int)sizeof path; depth++) {
    len += snprintf(path + len, sizeof path - len, "/d");
    if (mkdir(path, 0755) != 0) { err = errno; break; }
  }
  printf("depth %d errno %d\n", depth, err);
  return 0;
}

static int name(int length) {
  char *path = malloc(length + 16);
  strcpy(path, "/output/");
  memset(path + 8, 'n', length);
  path[8 + length] = 0;
  int fd = open(path, O_WRONLY | O_CREAT, 0644);
  printf("name errno %d\n", fd < 0 ? errno : 0);
  return 0;
}

static int fds(int count) {
  int opened = 0, err = 0;
  close(open("/output/f.txt", O_WRONLY | O_CREAT, 0644));
  for (; opened < count; opened++)
    if (open("/output/f.txt", O_RDONLY) < 0) { err = errno; break; }
  printf("opened %d errno %d\n", opened, err);
  return 0;
}

static int dotdot(void) {
  close(open("/output/f.txt", O_WRONLY | O_CREAT, 0644));
  int fd = open("/output/f.txt/..", O_RDONLY | O_DIRECTORY);
  printf("dotdot errno %d\n", fd < 0 ? errno : 0);
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  long n = argc > 2 ? atol(argv[2]) : 0;
  if (strcmp(mode, "tables") == 0) return tables(n);
  if (strcmp(mode, "flood") == 0 && argc > 3)
    return flood(argv[2], atol(argv[3]), argc > 4 && strcmp(argv[4], "nl") == 0);
  if (strcmp(mode, "deep") == 0) return deep((int)n);
  if (strcmp(mode, "name") == 0) return name((int)n);
  if (strcmp(mode, "fds") == 0) return fds((int)n);
  if (strcmp(mode, "dotdot") == 0) return dotdot();
  fprintf(stderr, "unknown mode\n");
  return 2;
}
