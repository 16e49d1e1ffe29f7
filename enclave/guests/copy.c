// Copies every file of /input to /output with its bytes reversed, and prints a summary line per
// file. Used by the runner and `vc run` tests.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reverse_file(const char *name) {
  char in_path[512], out_path[512];
  snprintf(in_path, sizeof in_path, "/input/%s", name);
  snprintf(out_path, sizeof out_path, "/output/%s", name);
  FILE *in = fopen(in_path, "rb");
  if (!in) { perror(in_path); return 1; }
  size_t cap = 1 << 16, len = 0;
  unsigned char *buf = malloc(cap);
  size_t n;
  while ((n = fread(buf + len, 1, cap - len, in)) > 0) {
    len += n;
    if (len == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(in);
  for (size_t i = 0; i < len / 2; i++) {
    unsigned char t = buf[i]; buf[i] = buf[len - 1 - i]; buf[len - 1 - i] = t;
  }
  FILE *out = fopen(out_path, "wb");
  if (!out) { perror(out_path); return 1; }
  fwrite(buf, 1, len, out);
  fclose(out);
  free(buf);
  printf("%s %zu\n", name, len);
  return 0;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) printf("arg %s\n", argv[i]);
  const char *greeting = getenv("GREETING");
  if (greeting) printf("env GREETING=%s\n", greeting);
  DIR *dir = opendir("/input");
  if (!dir) { perror("/input"); return 2; }
  struct dirent *e;
  int failures = 0;
  while ((e = readdir(dir)) != NULL) {
    if (e->d_type == DT_REG) failures += reverse_file(e->d_name);
  }
  closedir(dir);
  fprintf(stderr, "done\n");
  return failures == 0 ? 0 : 3;
}
