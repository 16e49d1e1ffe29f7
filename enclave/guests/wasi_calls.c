// Calls every function of wasi_snapshot_preview1 (and veracruz_si.fd_create) directly and prints
// one line per check: `name errno [details]`. Expects pre-opens /data (all rights) at fd 3 holding
// hello.txt = "hello world", and stdin. The host test asserts every line. Exits with code 7.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

__attribute__((import_module("veracruz_si"), import_name("fd_create")))
uint16_t veracruz_fd_create(uint32_t *fd);
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
uint16_t raw_proc_raise(uint32_t sig);

#define R(x) ((__wasi_rights_t)(x))
static const __wasi_rights_t ALL = R(0x3fffffff);

static void show(const char *name, int err) { printf("%s %d\n", name, err); }

static int open_at(const char *path, __wasi_oflags_t of, __wasi_rights_t rights, __wasi_fd_t *fd) {
  return __wasi_path_open(3, 0, path, of, rights, ALL, 0, fd);
}

static void args_env_clock_random(void) {
  __wasi_size_t n, size;
  int e = __wasi_args_sizes_get(&n, &size);
  char *ptrs[16];
  char buf[512];
  if (n <= 16 && size <= sizeof buf) __wasi_args_get((uint8_t **)ptrs, (uint8_t *)buf);
  printf("args_sizes_get %d %u %u\nargs_get 0 %s\n", e, (unsigned)n, (unsigned)size, n > 1 ? ptrs[1] : "-");
  e = __wasi_environ_sizes_get(&n, &size);
  if (n <= 16 && size <= sizeof buf) __wasi_environ_get((uint8_t **)ptrs, (uint8_t *)buf);
  printf("environ_sizes_get %d %u\nenviron_get 0 %s\n", e, (unsigned)n, n > 0 ? ptrs[0] : "-");
  __wasi_timestamp_t t = 0;
  show("clock_res_get", __wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &t));
  e = __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &t);
  printf("clock_time_get %d %d\n", e, t > 0);
  show("clock_time_get_bad_id", __wasi_clock_time_get(99, 1, &t));
  uint8_t rnd[8];
  e = __wasi_random_get(rnd, sizeof rnd);
  printf("random_get %d %02x%02x%02x%02x%02x%02x%02x%02x\n", e, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
}

static void prestat(void) {
  __wasi_prestat_t p;
  int e = __wasi_fd_prestat_get(3, &p);
  char name[32] = {0};
  printf("fd_prestat_get %d %u\n", e, (unsigned)p.u.dir.pr_name_len);
  e = __wasi_fd_prestat_dir_name(3, (uint8_t *)name, p.u.dir.pr_name_len);
  printf("fd_prestat_dir_name %d %s\n", e, name);
  show("fd_prestat_get_stdin", __wasi_fd_prestat_get(0, &p));
}

static void reading(void) {
  __wasi_fd_t fd;
  int e = open_at("hello.txt", 0, ALL, &fd);
  show("path_open", e);
  char buf[16] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, 5};
  __wasi_size_t n = 0;
  e = __wasi_fd_read(fd, &iov, 1, &n);
  printf("fd_read %d %u %s\n", e, (unsigned)n, buf);
  __wasi_filesize_t pos = 0;
  e = __wasi_fd_tell(fd, &pos);
  printf("fd_tell %d %llu\n", e, (unsigned long long)pos);
  e = __wasi_fd_seek(fd, -5, __WASI_WHENCE_END, &pos);
  printf("fd_seek %d %llu\n", e, (unsigned long long)pos);
  memset(buf, 0, sizeof buf);
  iov.buf_len = 3;
  e = __wasi_fd_pread(fd, &iov, 1, 6, &n);
  printf("fd_pread %d %u %s\n", e, (unsigned)n, buf);
  __wasi_filestat_t st;
  e = __wasi_fd_filestat_get(fd, &st);
  printf("fd_filestat_get %d %u %llu\n", e, st.filetype, (unsigned long long)st.size);
  __wasi_fdstat_t fs;
  e = __wasi_fd_fdstat_get(fd, &fs);
  printf("fd_fdstat_get %d %u\n", e, fs.fs_filetype);
  show("fd_fdstat_set_flags", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
  show("fd_fdstat_set_rights", __wasi_fd_fdstat_set_rights(fd, __WASI_RIGHTS_FD_SEEK, 0));
  show("fd_fdstat_set_rights_gain", __wasi_fd_fdstat_set_rights(fd, ALL, 0));
  show("fd_read_dropped", __wasi_fd_read(fd, &iov, 1, &n));
  __wasi_fd_t other;
  open_at("hello.txt", 0, ALL, &other);
  show("fd_renumber", __wasi_fd_renumber(fd, other));
  show("fd_close_renumbered", __wasi_fd_close(fd));
  show("fd_close", __wasi_fd_close(other));
  show("fd_close_again", __wasi_fd_close(other));
}

static void writing(void) {
  __wasi_fd_t fd;
  show("path_open_create", open_at("new.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, ALL, &fd));
  show("path_open_excl", open_at("new.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, ALL, &(__wasi_fd_t){0}));
  __wasi_ciovec_t c = {(const uint8_t *)"abcdef", 6};
  __wasi_size_t n = 0;
  int e = __wasi_fd_write(fd, &c, 1, &n);
  printf("fd_write %d %u\n", e, (unsigned)n);
  c = (__wasi_ciovec_t){(const uint8_t *)"XY", 2};
  e = __wasi_fd_pwrite(fd, &c, 1, 1, &n);
  printf("fd_pwrite %d %u\n", e, (unsigned)n);
  __wasi_filestat_t st;
  show("fd_allocate", __wasi_fd_allocate(fd, 0, 10));
  __wasi_fd_filestat_get(fd, &st);
  printf("size_after_allocate %llu\n", (unsigned long long)st.size);
  show("fd_filestat_set_size", __wasi_fd_filestat_set_size(fd, 4));
  show("fd_filestat_set_times", __wasi_fd_filestat_set_times(fd, 5, 7, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  __wasi_fd_filestat_get(fd, &st);
  printf("filestat_after %llu %llu %llu\n", (unsigned long long)st.size, (unsigned long long)st.atim, (unsigned long long)st.mtim);
  show("fd_advise", __wasi_fd_advise(fd, 0, 4, __WASI_ADVICE_SEQUENTIAL));
  show("fd_datasync", __wasi_fd_datasync(fd));
  show("fd_sync", __wasi_fd_sync(fd));
  __wasi_fd_close(fd);
}

static void paths(void) {
  show("path_create_directory", __wasi_path_create_directory(3, "sub"));
  show("path_create_directory_again", __wasi_path_create_directory(3, "sub"));
  __wasi_filestat_t st;
  int e = __wasi_path_filestat_get(3, 0, "sub", &st);
  printf("path_filestat_get %d %u\n", e, st.filetype);
  show("path_filestat_set_times", __wasi_path_filestat_set_times(3, 0, "new.txt", 1, 2, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
  __wasi_path_filestat_get(3, 0, "new.txt", &st);
  printf("path_filestat_after %llu %llu\n", (unsigned long long)st.size, (unsigned long long)st.mtim);
  show("path_rename", __wasi_path_rename(3, "new.txt", 3, "sub/moved.txt"));
  show("path_filestat_get_gone", __wasi_path_filestat_get(3, 0, "new.txt", &st));
  __wasi_fd_t dir;
  show("path_open_dir", __wasi_path_open(3, 0, "sub", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, ALL, 0, &dir));
  uint8_t buf[256];
  __wasi_size_t used = 0;
  e = __wasi_fd_readdir(dir, buf, sizeof buf, 0, &used);
  printf("fd_readdir %d", e);
  for (__wasi_size_t at = 0; at + sizeof(__wasi_dirent_t) <= used;) {
    __wasi_dirent_t d;
    memcpy(&d, buf + at, sizeof d);
    printf(" %.*s", (int)d.d_namlen, (char *)buf + at + sizeof d);
    at += sizeof d + d.d_namlen;
  }
  printf("\n");
  __wasi_fd_close(dir);
  show("path_remove_directory_not_empty", __wasi_path_remove_directory(3, "sub"));
  show("path_unlink_file", __wasi_path_unlink_file(3, "sub/moved.txt"));
  show("path_remove_directory", __wasi_path_remove_directory(3, "sub"));
  show("path_remove_directory_missing", __wasi_path_remove_directory(3, "sub"));
  show("path_link", __wasi_path_link(3, 0, "hello.txt", 3, "link.txt"));
  show("path_symlink", __wasi_path_symlink("hello.txt", 3, "sym.txt"));
  uint8_t lbuf[32];
  show("path_readlink", __wasi_path_readlink(3, "hello.txt", lbuf, sizeof lbuf, &used));
}

static void polling_and_misc(void) {
  __wasi_fd_t fd;
  open_at("hello.txt", 0, ALL, &fd);
  __wasi_subscription_t subs[2];
  memset(subs, 0, sizeof subs);
  subs[0].userdata = 11;
  subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[0].u.u.fd_read.file_descriptor = fd;
  subs[1].userdata = 12;
  subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 1000;
  __wasi_event_t ev[2];
  __wasi_size_t n = 0;
  int e = __wasi_poll_oneoff(subs, ev, 2, &n);
  printf("poll_oneoff %d %u %llu %u %llu\n", e, (unsigned)n, (unsigned long long)ev[0].userdata, ev[0].error,
         (unsigned long long)ev[0].fd_readwrite.nbytes);
  e = __wasi_poll_oneoff(&subs[1], ev, 1, &n);
  printf("poll_oneoff_clock %d %u %llu %u\n", e, (unsigned)n, (unsigned long long)ev[0].userdata, ev[0].error);
  __wasi_fd_close(fd);
  show("sched_yield", __wasi_sched_yield());
  show("proc_raise", raw_proc_raise(15));
  show("sock_accept", __wasi_sock_accept(3, 0, &fd));
  __wasi_iovec_t iov = {(uint8_t *)&n, 1};
  __wasi_roflags_t ro;
  show("sock_recv", __wasi_sock_recv(3, &iov, 1, 0, &n, &ro));
  __wasi_ciovec_t ciov = {(const uint8_t *)"x", 1};
  show("sock_send", __wasi_sock_send(3, &ciov, 1, 0, &n));
  show("sock_shutdown", __wasi_sock_shutdown(3, __WASI_SDFLAGS_WR));
  show("sock_accept_badf", __wasi_sock_accept(99, 0, &fd));
}

static void stdio_and_fd_create(void) {
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  int e = __wasi_fd_read(0, &iov, 1, &n);
  printf("fd_read_stdin %d %u %s\n", e, (unsigned)n, buf);
  __wasi_filesize_t pos;
  show("fd_seek_stdout", __wasi_fd_seek(1, 0, __WASI_WHENCE_SET, &pos));
  uint32_t fd = 0;
  e = veracruz_fd_create(&fd);
  __wasi_ciovec_t c = {(const uint8_t *)"anon", 4};
  __wasi_fd_write(fd, &c, 1, &n);
  __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
  memset(buf, 0, sizeof buf);
  iov.buf_len = 4;
  __wasi_fd_read(fd, &iov, 1, &n);
  printf("fd_create %d %s\n", e, buf);
}

int main(void) {
  args_env_clock_random();
  prestat();
  reading();
  writing();
  paths();
  polling_and_misc();
  stdio_and_fd_create();
  fflush(stdout);
  __wasi_proc_exit(7);
}
