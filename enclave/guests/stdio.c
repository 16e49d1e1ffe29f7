// Standard input to standard output byte for byte: each read is written out at once (so a test can
// see the input streamed, not read ahead), then stdin is polled at its end. With an argument
// `policy`, instead tries the rights a policy principal holds and prints `name errno`; with `poll`,
// polls stdin before any input exists, first with a 50 ms clock beside it, then alone.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

static int try_open(const char *path, int flags) {
  errno = 0;
  int fd = open(path, flags, 0644);
  if (fd < 0) return errno;
  int e = 0;
  if ((flags & O_ACCMODE) == O_RDONLY) {
    char c;
    if (read(fd, &c, 1) < 0) e = errno;
  } else if (write(fd, "x", 1) < 0) {
    e = errno;
  }
  close(fd);
  return e;
}

static int policy_probe(void) {
  printf("input_read %d\n", try_open("/input/data.txt", O_RDONLY));
  printf("input_write %d\n", try_open("/input/data.txt", O_WRONLY));
  printf("output_create %d\n", try_open("/output/made.txt", O_WRONLY | O_CREAT));
  printf("output_read %d\n", try_open("/output/old.txt", O_RDONLY));
  return 0;
}

// Prints which subscription fired: `clock` or `stdin N` (N bytes ready).
static void poll_stdin(int with_clock) {
  __wasi_subscription_t subs[2] = {{.userdata = 1, .u = {.tag = __WASI_EVENTTYPE_FD_READ}},
                                   {.userdata = 2, .u = {.tag = __WASI_EVENTTYPE_CLOCK}}};
  subs[0].u.u.fd_read.file_descriptor = 0;
  subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  subs[1].u.u.clock.timeout = 50 * 1000 * 1000;
  __wasi_event_t ev[2];
  __wasi_size_t count = 0;
  int e = __wasi_poll_oneoff(subs, ev, with_clock ? 2 : 1, &count);
  if (e != 0 || count != 1) printf("poll error %d %u\n", e, (unsigned)count);
  else if (ev[0].userdata == 2) printf("clock\n");
  else printf("stdin %llu\n", (unsigned long long)ev[0].fd_readwrite.nbytes);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "policy") == 0) return policy_probe();
  if (argc > 1 && strcmp(argv[1], "poll") == 0) {
    poll_stdin(1);
    poll_stdin(0);
    char buf[16] = {0};
    printf("read %d %s\n", (int)read(0, buf, sizeof buf - 1), buf);
    return 0;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) return 2;
    if (n == 0) break;
    for (ssize_t at = 0; at < n;) {
      ssize_t w = write(1, buf + at, (size_t)(n - at));
      if (w <= 0) return 3;
      at += w;
    }
  }
  // At the end of input, stdin polls ready with nothing to read and HANGUP, as in wasmtime.
  __wasi_subscription_t sub = {.userdata = 5, .u = {.tag = __WASI_EVENTTYPE_FD_READ}};
  sub.u.u.fd_read.file_descriptor = 0;
  __wasi_event_t ev;
  __wasi_size_t count = 0;
  int e = __wasi_poll_oneoff(&sub, &ev, 1, &count);
  fprintf(stderr, "eof_poll %d %u %u %llu %u", e, (unsigned)count, ev.error,
          (unsigned long long)ev.fd_readwrite.nbytes, (unsigned)ev.fd_readwrite.flags);
  return 0;
}
