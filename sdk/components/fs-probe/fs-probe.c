// fs-probe: performs the file operations named by its arguments and prints one line per operation,
// `<op> <path> <errno>` (0 on success), so that tests can run the same rights and escape cases
// through a core module on our preview 1 host and through the same program as a component.
// Operations: read:PATH  write:PATH (existing file)  create:PATH  mkdir:PATH  unlink:PATH
//             rmdir:PATH  list:PATH  stat:PATH  rename:FROM:TO
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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
    int err = run(op, arg);
    printf("%s %s %d\n", op, shown, err);
  }
  return 0;
}
