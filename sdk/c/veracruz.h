/* Veracruz guest SDK for C (wasi-libc): the same helpers as sdk/assemblyscript.
 * Header-only. Build: clang --target=wasm32-wasi -O2 -s -I sdk/c prog.c -o prog.wasm
 * Paths are absolute guest paths (/input/..., /output/...); wasi-libc resolves them against the
 * host's pre-opened directories. Functions returning a pointer return NULL (errno set) on error;
 * the *_or_exit variants print to stderr and exit(1) instead.
 */
#ifndef VERACRUZ_H
#define VERACRUZ_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>
#include <wasi/api.h>

/* ---- process ---- */

/** Prints a printf-style message and a newline to stderr, then exits with status 1. */
static inline void vc_fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  exit(1);
}

/* ---- Veracruz extension: anonymous files ---- */

int32_t vc_imported_fd_create(int32_t fd_out)
    __attribute__((__import_module__("veracruz_si"), __import_name__("fd_create")));

/** Veracruz's fd_create: a fresh anonymous read-write file; its fd, or -1 with errno set. */
static inline int vc_fd_create(void) {
  __wasi_fd_t fd;
  int32_t err = vc_imported_fd_create((int32_t)(intptr_t)&fd);
  if (err != 0) {
    errno = (uint16_t)err;
    return -1;
  }
  return (int)fd;
}

/* ---- descriptors and files ---- */

/** Reads `fd` to its end into a malloc'd buffer (NUL-terminated, not counted in *len). */
static inline unsigned char *vc_read_fd(int fd, size_t *len) {
  size_t cap = 4096, used = 0;
  struct stat st;
  /* Room for the whole file, the terminator and the final zero-length read: no regrowth. */
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) cap = (size_t)st.st_size + 2;
  unsigned char *buf = malloc(cap);
  if (!buf) return NULL;
  for (;;) {
    if (used + 1 >= cap) {
      unsigned char *bigger = realloc(buf, cap * 2);
      if (!bigger) { free(buf); return NULL; }
      buf = bigger;
      cap *= 2;
    }
    ssize_t n = read(fd, buf + used, cap - used - 1);
    if (n < 0) { free(buf); return NULL; }
    if (n == 0) break;
    used += (size_t)n;
  }
  buf[used] = 0;
  *len = used;
  return buf;
}

/** The bytes of `path` (malloc'd, NUL-terminated), or NULL with errno set. */
static inline unsigned char *vc_read_file(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  unsigned char *data = vc_read_fd(fd, len);
  int saved = errno;
  close(fd);
  errno = saved;
  return data;
}

static inline unsigned char *vc_read_file_or_exit(const char *path, size_t *len) {
  unsigned char *data = vc_read_file(path, len);
  if (!data) vc_fail("cannot read %s: %s", path, strerror(errno));
  return data;
}

static inline int vc_write_all(int fd, const void *data, size_t len) {
  const unsigned char *p = data;
  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static inline int vc_write_with(const char *path, const void *data, size_t len, int flags) {
  int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
  if (fd < 0) return -1;
  int result = vc_write_all(fd, data, len);
  int saved = errno;
  close(fd);
  errno = saved;
  return result;
}

/** Creates or truncates `path` and writes `data`; 0, or -1 with errno set. */
static inline int vc_write_file(const char *path, const void *data, size_t len) {
  return vc_write_with(path, data, len, O_TRUNC);
}

/** Appends `data` to `path`, creating it if needed; 0, or -1 with errno set. */
static inline int vc_append_file(const char *path, const void *data, size_t len) {
  return vc_write_with(path, data, len, O_APPEND);
}

static inline void vc_write_file_or_exit(const char *path, const void *data, size_t len) {
  if (vc_write_file(path, data, len) != 0) vc_fail("cannot write %s: %s", path, strerror(errno));
}

static inline void vc_append_file_or_exit(const char *path, const void *data, size_t len) {
  if (vc_append_file(path, data, len) != 0) vc_fail("cannot append to %s: %s", path, strerror(errno));
}

/** 1 when `path` exists. */
static inline int vc_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int vc_compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/** Sorted names in directory `path` (without . and ..), malloc'd; NULL with errno on error. */
static inline char **vc_list_dir(const char *path, size_t *count) {
  DIR *dir = opendir(path);
  if (!dir) return NULL;
  size_t cap = 16, used = 0;
  char **names = malloc(cap * sizeof *names);
  struct dirent *entry;
  while (names && (entry = readdir(dir)) != NULL) {
    if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
    if (used == cap) names = realloc(names, (cap *= 2) * sizeof *names);
    if (names) names[used++] = strdup(entry->d_name);
  }
  closedir(dir);
  if (names) qsort(names, used, sizeof *names, vc_compare_names);
  *count = used;
  return names;
}

/* ---- standard streams ---- */

/** All of stdin (malloc'd, NUL-terminated); exits on error. */
static inline unsigned char *vc_read_stdin(size_t *len) {
  unsigned char *data = vc_read_fd(0, len);
  if (!data) vc_fail("cannot read stdin: %s", strerror(errno));
  return data;
}

static inline void vc_write_stdout(const void *data, size_t len) {
  fflush(stdout);
  vc_write_all(1, data, len);
}

/* ---- randomness ---- */

/** Fills `buf` from the host's random source (seeded in deterministic mode); exits on error. */
static inline void vc_random(void *buf, size_t len) {
  if (__wasi_random_get(buf, len) != 0) vc_fail("random_get failed");
}

static inline uint32_t vc_random_u32(void) {
  uint32_t value;
  vc_random(&value, sizeof value);
  return value;
}

/* ---- text as Veracruz's Rust examples read it ---- */

/** Rust's `u64::from_str` (docs/guest-programs.md, "Rust's text rules"): an optional `+`, then one
 * or more ASCII digits, nothing else (no spaces, no `-`), at most 2^64 - 1. Returns 0 and sets
 * *value, or -1 when `text` is not such a number. */
static inline int vc_parse_u64(const char *text, uint64_t *value) {
  const char *p = text;
  if (*p == '+') p++;
  if (*p == '\0') return -1;
  uint64_t n = 0;
  for (; *p; p++) {
    if (*p < '0' || *p > '9') return -1;
    unsigned digit = (unsigned)(*p - '0');
    if (n > (UINT64_MAX - digit) / 10) return -1;
    n = n * 10 + digit;
  }
  *value = n;
  return 0;
}

/* The length of the well-formed UTF-8 sequence at in[0..len), or 0 when it is not one; *advance
 * is how many bytes a replacement character stands for (the maximal subpart: the lead byte and
 * the continuation bytes that were valid, at least 1). */
static inline size_t vc_utf8_sequence(const unsigned char *in, size_t len, size_t *advance) {
  unsigned char b = in[0], lo = 0x80, hi = 0xBF;
  size_t need;
  if (b < 0x80) return *advance = 1;
  if (b >= 0xC2 && b <= 0xDF) need = 1;
  else if (b >= 0xE0 && b <= 0xEF) {
    need = 2;
    if (b == 0xE0) lo = 0xA0;      /* no overlong forms */
    else if (b == 0xED) hi = 0x9F; /* no surrogates */
  } else if (b >= 0xF0 && b <= 0xF4) {
    need = 3;
    if (b == 0xF0) lo = 0x90;      /* no overlong forms */
    else if (b == 0xF4) hi = 0x8F; /* nothing above U+10FFFF */
  } else {
    *advance = 1;
    return 0;
  }
  size_t i = 1;
  for (; i <= need; i++) {
    if (i >= len || in[i] < lo || in[i] > hi) {
      *advance = i;
      return 0;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  return *advance = i;
}

/** Rust's `String::from_utf8_lossy`: each maximal ill-formed subpart of `in` becomes U+FFFD
 * (EF BF BD), as Unicode's "substitution of maximal subparts" (and WHATWG's decoder) prescribe.
 * Returns `in` itself when it is well-formed UTF-8 (no copy), else a malloc'd buffer (NULL with
 * errno set when out of memory); *out_len is the result's length. */
static inline unsigned char *vc_utf8_lossy(unsigned char *in, size_t len, size_t *out_len) {
  size_t size = 0, advance;
  int valid = 1;
  for (size_t i = 0; i < len; i += advance) {
    size_t n = vc_utf8_sequence(in + i, len - i, &advance);
    if (n) size += n;
    else {
      size += 3;
      valid = 0;
    }
  }
  *out_len = size;
  if (valid) return in;
  unsigned char *out = malloc(size + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len; i += advance) {
    size_t n = vc_utf8_sequence(in + i, len - i, &advance);
    if (n) {
      memcpy(out + o, in + i, n);
      o += n;
    } else {
      memcpy(out + o, "\xEF\xBF\xBD", 3);
      o += 3;
    }
  }
  out[o] = 0;
  return out;
}

/* ---- little-endian records (wasm32 is little-endian, so these are plain copies) ---- */

/** Reads `path` as packed little-endian f64 values (malloc'd); exits on error. Trailing bytes
 *  that do not fill a value are ignored. malloc's alignment suits doubles, so no copy is made. */
static inline double *vc_read_f64s_or_exit(const char *path, size_t *count) {
  size_t len;
  unsigned char *data = vc_read_file_or_exit(path, &len);
  *count = len / sizeof(double);
  return (double *)(void *)data;
}

/** Reads `path` as packed little-endian u32 values (malloc'd); exits on error. */
static inline uint32_t *vc_read_u32s_or_exit(const char *path, size_t *count) {
  size_t len;
  unsigned char *data = vc_read_file_or_exit(path, &len);
  *count = len / sizeof(uint32_t);
  return (uint32_t *)(void *)data;
}

#endif /* VERACRUZ_H */
