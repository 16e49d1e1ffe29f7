// Tries to get out of its capabilities and prints `attempt errno` for each try. Expects pre-opens
// /data (all rights, fd 3), /ro (read only, fd 4), /wo (write only, fd 5), /prog (read, no
// execute, fd 6), and a file /secret/key.txt that no right covers.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const __wasi_rights_t ALL = 0x3fffffff;
// Veracruz's extension bit: the right to execute a program file.
static const __wasi_rights_t FD_EXECUTE = (__wasi_rights_t)1 << 29;

static void raw(const char *name, __wasi_fd_t dir, const char *path, __wasi_oflags_t of, __wasi_rights_t rights) {
  __wasi_fd_t fd;
  int e = __wasi_path_open(dir, 0, path, of, rights, ALL, 0, &fd);
  printf("%s %d\n", name, e);
  if (e == 0) __wasi_fd_close(fd);
}

static void libc_open(const char *name, const char *path, int flags) {
  errno = 0;
  int fd = open(path, flags, 0644);
  printf("%s %d\n", name, fd < 0 ? errno : 0);
  if (fd >= 0) close(fd);
}

static void libc_read(const char *name, const char *path) {
  errno = 0;
  int fd = open(path, O_RDONLY);
  char c;
  int r = fd < 0 ? -1 : (int)read(fd, &c, 1);
  printf("%s %d\n", name, r < 0 ? errno : 0);
  if (fd >= 0) close(fd);
}

static void libc_write(const char *name, const char *path) {
  errno = 0;
  int fd = open(path, O_WRONLY);
  int r = fd < 0 ? -1 : (int)write(fd, "x", 1);
  printf("%s %d\n", name, r < 0 ? errno : 0);
  if (fd >= 0) close(fd);
}

int main(void) {
  raw("dotdot_raw", 3, "../secret/key.txt", 0, __WASI_RIGHTS_FD_READ);
  raw("dotdot_deep_raw", 3, "a/../../secret/key.txt", 0, __WASI_RIGHTS_FD_READ);
  raw("absolute_raw", 3, "/secret/key.txt", 0, __WASI_RIGHTS_FD_READ);
  libc_read("dotdot_libc", "/data/../secret/key.txt");
  libc_read("absolute_libc", "/secret/key.txt");
  libc_open("ro_create", "/ro/new.txt", O_WRONLY | O_CREAT);
  raw("ro_open_write_raw", 4, "r.txt", 0, __WASI_RIGHTS_FD_WRITE);
  libc_write("ro_write_libc", "/ro/r.txt");
  errno = 0;
  printf("ro_mkdir %d\n", mkdir("/ro/d", 0755) < 0 ? errno : 0);
  errno = 0;
  printf("ro_unlink %d\n", unlink("/ro/r.txt") < 0 ? errno : 0);
  raw("wo_open_read_raw", 5, "secret.txt", 0, __WASI_RIGHTS_FD_READ);
  libc_read("wo_read_libc", "/wo/secret.txt");
  raw("prog_open_exec_raw", 6, "p.wasm", 0, FD_EXECUTE);
  raw("data_open_exec_raw", 3, "hello.txt", 0, FD_EXECUTE);
  raw("data_open_ok", 3, "hello.txt", 0, __WASI_RIGHTS_FD_READ);
  return 0;
}
