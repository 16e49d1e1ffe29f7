// fs-probe: performs the file operations named by its arguments and prints one line per operation,
// `<op> <path> <errno> [value]` (errno 0 on success), so that tests can run the same rights and escape cases
// through a core module on our preview 1 host and through the same program as a component.
// Operations: read:PATH  write:PATH (existing file)  create:PATH  mkdir:PATH  unlink:PATH
//             rmdir:PATH  list:PATH  stat:PATH  rename:FROM:TO
//             random:N (prints N random bytes in hex)  clock:realtime|monotonic (prints nanoseconds)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int do_read(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return errno;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {}
  int err = n < 0 ? errno : 0;
  close(fd);
  return err;
}

static int do_write(const char *path, int flags) {
  int fd = open(path, flags, 0644);
  if (fd < 0) return errno;
  int err = write(fd, "probe\n", 6) == 6 ? 0 : errno;
  close(fd);
  return err;
}

static int do_list(const char *path) {
  DIR *dir = opendir(path);
  if (!dir) return errno;
  errno = 0;
  while (readdir(dir) != NULL) {}
  int err = errno;
  closedir(dir);
  return err;
}

// The value printed for random and clock operations.
static char detail[160];

static int do_random(const char *arg) {
  unsigned char bytes[64];
  size_t n = (size_t)atoi(arg);
  if (n > sizeof bytes) n = sizeof bytes;
  if (getentropy(bytes, n) != 0) return errno;
  for (size_t i = 0; i < n; i++) snprintf(detail + 2 * i, 3, "%02x", bytes[i]);
  return 0;
}

static int do_clock(const char *arg) {
  struct timespec ts;
  clockid_t id = strcmp(arg, "monotonic") == 0 ? CLOCK_MONOTONIC : CLOCK_REALTIME;
  if (clock_gettime(id, &ts) != 0) return errno;
  snprintf(detail, sizeof detail, "%lld", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
  return 0;
}

static int run(const char *op, char *arg) {
  struct stat st;
  if (strcmp(op, "read") == 0) return do_read(arg);
  if (strcmp(op, "write") == 0) return do_write(arg, O_WRONLY | O_TRUNC);
  if (strcmp(op, "create") == 0) return do_write(arg, O_WRONLY | O_CREAT | O_EXCL);
  if (strcmp(op, "mkdir") == 0) return mkdir(arg, 0755) == 0 ? 0 : errno;
  if (strcmp(op, "unlink") == 0) return unlink(arg) == 0 ? 0 : errno;
  if (strcmp(op, "rmdir") == 0) return rmdir(arg) == 0 ? 0 : errno;
  if (strcmp(op, "list") == 0) return do_list(arg);
  if (strcmp(op, "stat") == 0) return stat(arg, &st) == 0 ? 0 : errno;
  if (strcmp(op, "random") == 0) return do_random(arg);
  if (strcmp(op, "clock") == 0) return do_clock(arg);
  if (strcmp(op, "rename") == 0) {
    char *to = strchr(arg, ':');
    if (!to) return EINVAL;
    *to++ = '\0';
    return rename(arg, to) == 0 ? 0 : errno;
  }
  return ENOSYS;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char op[16] = {0};
    char *colon = strchr(argv[i], ':');
    if (!colon || colon - argv[i] >= (long)sizeof op) {
      printf("bad-argument %s %d\n", argv[i], EINVAL);
      continue;
    }
    memcpy(op, argv[i], (size_t)(colon - argv[i]));
    char *arg = colon + 1;
    char shown[512];
    snprintf(shown, sizeof shown, "%s", arg);
    detail[0] = '\0';
    int err = run(op, arg);
    if (detail[0]) printf("%s %s %d %s\n", op, shown, err, detail);
    else printf("%s %s %d\n", op, shown, err);
  }
  return 0;
}
