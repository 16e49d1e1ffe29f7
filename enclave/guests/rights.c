// The rights rules the WASI test suite does not cover, tried as a program would (through wasi-libc,
// and by raw calls where libc cannot say it). Prints `name errno` for each try (0: it worked).
// Expects (enclave/runner/rights.test.ts): a pre-open per withheld right, /no_read, /no_write,
// /no_create, /no_trunc, /no_readdir, /no_filestat, /no_seek (every right but the one named),
// each with f.txt = "0123456789"; /ro (read-only, as `vc run --input`) with data.txt; /all (every
// right) with f.txt, sub/, and links to_ro -> ../ro/data.txt, loop_a <-> loop_b; /mix (every
// right) with f.txt and locked/ (read only) holding secret.txt, and link w -> locked/secret.txt.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static void show(const char *name, int err) { printf("%s %d\n", name, err); }

// libc calls: 0, or errno
static int open_read(const char *path) {
  errno = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0) return errno;
  char c;
  int r = (int)read(fd, &c, 1);
  int e = r < 0 ? errno : 0;
  close(fd);
  return e;
}

static int open_write(const char *path) {
  errno = 0;
  int fd = open(path, O_WRONLY);
  if (fd < 0) return errno;
  int r = (int)write(fd, "w", 1);
  int e = r < 0 ? errno : 0;
  close(fd);
  return e;
}

static int open_flags(const char *path, int flags) {
  errno = 0;
  int fd = open(path, flags, 0644);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

static int list_dir(const char *path) {
  errno = 0;
  DIR *d = opendir(path);
  if (!d) return errno;
  errno = 0;
  int n = 0;
  while (readdir(d)) n++;
  int e = errno;
  closedir(d);
  return n == 0 && e == 0 ? -1 : e;
}

static int stat_path(const char *path) {
  struct stat st;
  errno = 0;
  return stat(path, &st) < 0 ? errno : 0;
}

static int fstat_file(const char *path) {
  errno = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0) return errno;
  struct stat st;
  int e = fstat(fd, &st) < 0 ? errno : 0;
  close(fd);
  return e;
}

static int seek_file(const char *path) {
  errno = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0) return errno;
  int e = lseek(fd, 3, SEEK_SET) < 0 ? errno : 0;
  close(fd);
  return e;
}

static void each_right(const char *dir) {
  char f[64], n[64], name[64];
  snprintf(f, sizeof f, "%s/f.txt", dir);
  snprintf(n, sizeof n, "%s/new.txt", dir);
  const char *d = dir + 1;
  snprintf(name, sizeof name, "%s_read", d);
  show(name, open_read(f));
  snprintf(name, sizeof name, "%s_write", d);
  show(name, open_write(f));
  snprintf(name, sizeof name, "%s_create", d);
  show(name, open_flags(n, O_WRONLY | O_CREAT));
  snprintf(name, sizeof name, "%s_trunc", d);
  show(name, open_flags(f, O_WRONLY | O_TRUNC));
  snprintf(name, sizeof name, "%s_readdir", d);
  show(name, list_dir(dir));
  snprintf(name, sizeof name, "%s_stat", d);
  show(name, stat_path(f));
  snprintf(name, sizeof name, "%s_fstat", d);
  show(name, fstat_file(f));
  snprintf(name, sizeof name, "%s_seek", d);
  show(name, seek_file(f));
}

// The pre-open fd of `path` (libc's table, as a program would find it).
static __wasi_fd_t preopen(const char *path) {
  for (__wasi_fd_t fd = 3; fd < 64; fd++) {
    __wasi_prestat_t p;
    if (__wasi_fd_prestat_get(fd, &p) != 0) continue;
    char buf[64] = {0};
    if (p.u.dir.pr_name_len >= sizeof buf) continue;
    if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, p.u.dir.pr_name_len) != 0) continue;
    if (strcmp(buf, path) == 0) return fd;
  }
  return (__wasi_fd_t)-1;
}

static int raw_open(__wasi_fd_t dir, const char *path, __wasi_lookupflags_t look, __wasi_rights_t rights,
                    __wasi_fd_t *out) {
  return __wasi_path_open(dir, look, path, 0, rights, 0, 0, out);
}

int main(void) {
  const char *dirs[] = {"/no_read", "/no_write", "/no_create", "/no_trunc",
                        "/no_readdir", "/no_filestat", "/no_seek"};
  for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) each_right(dirs[i]);

  // A read-only pre-open (vc run --input): asking to write is refused at the open.
  show("ro_open_wronly", open_flags("/ro/data.txt", O_WRONLY));
  show("ro_open_rdwr", open_flags("/ro/data.txt", O_RDWR));
  show("ro_open_rdonly", open_flags("/ro/data.txt", O_RDONLY));
  show("ro_create", open_flags("/ro/new.txt", O_WRONLY | O_CREAT));

  __wasi_fd_t all = preopen("/all");
  __wasi_fd_t mix = preopen("/mix");
  __wasi_fd_t fd;
  const __wasi_lookupflags_t follow = __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW;
  // `..` out of a pre-open through a directory that exists
  show("dotdot_sub", raw_open(all, "sub/../../ro/data.txt", 0, __WASI_RIGHTS_FD_READ, &fd));
  show("dotdot_libc", open_read("/all/sub/../../ro/data.txt"));
  // symbolic links: one the host copied in pointing out of the pre-open, a loop, an absolute target
  show("symlink_out", raw_open(all, "to_ro", follow, __WASI_RIGHTS_FD_READ, &fd));
  show("symlink_out_libc", open_read("/all/to_ro"));
  show("symlink_loop", raw_open(all, "loop_a", follow, __WASI_RIGHTS_FD_READ, &fd));
  show("symlink_make_absolute", __wasi_path_symlink("/ro/data.txt", all, "abs"));
  show("symlink_make_up", __wasi_path_symlink("../ro/data.txt", all, "up"));
  show("symlink_up_open", raw_open(all, "up", follow, __WASI_RIGHTS_FD_READ, &fd));
  show("symlink_via_dir", raw_open(all, "sub/../to_ro", follow, __WASI_RIGHTS_FD_READ, &fd));
  // a link resolves under the rights of where it points: w -> locked/secret.txt (read only)
  show("link_read_locked", open_read("/mix/w"));
  show("link_write_locked", open_write("/mix/w"));
  show("direct_write_open", open_write("/mix/f.txt"));
  // a hard link across different rights would be one file under two sets of rights
  show("hardlink_across", __wasi_path_link(mix, 0, "locked/secret.txt", mix, "secret_copy"));
  show("hardlink_same", __wasi_path_link(all, 0, "f.txt", all, "f2.txt"));
  int w = open("/all/f2.txt", O_WRONLY | O_TRUNC);
  (void)write(w, "via link", 8);
  close(w);
  char buf[16] = {0};
  int r = open("/all/f.txt", O_RDONLY);
  (void)read(r, buf, sizeof buf - 1);
  close(r);
  printf("hardlink_shared %s\n", buf);
  // Veracruz's FD_EXECUTE: never refused at the open, never granted where the policy withholds it
  __wasi_rights_t exec = (__wasi_rights_t)1 << 29;
  int e = raw_open(all, "f.txt", 0, __WASI_RIGHTS_FD_READ | exec, &fd);
  __wasi_fdstat_t st;
  if (e == 0) e = __wasi_fd_fdstat_get(fd, &st);
  printf("exec_bit %d %d\n", e, e == 0 && (st.fs_rights_base & exec) != 0);
  return 0;
}
