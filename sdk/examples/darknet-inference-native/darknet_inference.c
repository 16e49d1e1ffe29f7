// darknet_inference: the Dynamic native module of the darknet-inference-native example, this
// project's counterpart of Veracruz's darknet inference service. It is host code linking Debian's
// libdarknet (pjreddie darknet), built by sdk/examples/support/native-build.ts and run by the
// enclave in its native sandbox (docs/sandbox.md#native-modules). Format of every file:
// docs/guest-programs.md#darknet-inference-native.
//
// The request is the file /execution_config (or the one argument, for a run outside the sandbox):
// the postcard bytes of Veracruz's DarknetInferenceInput { input_path, cfg_path, model_path,
// labels_path, output_path: PathBuf, objectness_threshold, class_threshold,
// hierarchical_threshold, iou_threshold: f32, letterbox: bool }. The module loads the network
// (cfg and weights), the image and the labels, runs the network once on the letterboxed (or
// resized) image, keeps darknet's boxes above the objectness threshold, suppresses overlaps per
// class (do_nms_sort at the iou threshold), and writes one line per box whose best class
// probability exceeds the class threshold to output_path:
//   LABEL \t P% \t x: X \t y: Y \t w: W \t h: H \n
// P = prob * 100 (f32) with two decimals; X, Y the box centre, W, H its size, relative to the image
// (f32, the shortest decimal that reads back as it, never an exponent); most probable first,
// equal probabilities by the box centre's y, then x.
//
// Darknet itself is lenient where this module must not be: it exits 0 when a file does not open,
// reads a short weights file without noticing, and aborts or crashes on a cfg it cannot parse.
// So everything darknet would take silently is checked first, darknet's own messages are held
// (shown only when the module fails), and an exit or a crash inside darknet becomes exit 1 with a
// message. Any refusal: a message on stderr starting "darknet_inference: ", exit 1, no output.
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "darknet.h"

// stb_image, compiled into libdarknet (darknet.h does not declare it). darknet's own loaders
// cannot be used: with OpenCV (Debian's build) a file it cannot read becomes a grey 10 x 10
// image, and its stb loader exits 0.
unsigned char *stbi_load(const char *filename, int *x, int *y, int *comp, int req_comp);
const char *stbi_failure_reason(void);
void stbi_image_free(void *data);

static const char *const CONFIG = "/execution_config";

// Darknet's stdout and stderr go to a memory file, replayed to the real stderr on a failure.
static int real_stderr = 2;
static int held_log = -1;
static volatile sig_atomic_t finished = 0;

static void write_all(int fd, const char *text, size_t length) {
  while (length > 0) {
    ssize_t n = write(fd, text, length);
    if (n <= 0) return;
    text += n;
    length -= (size_t)n;
  }
}

// Async-signal-safe: called from the crash handler too.
static void replay_log(void) {
  if (held_log < 0) return;
  char buffer[4096];
  off_t at = 0;
  for (;;) {
    ssize_t n = pread(held_log, buffer, sizeof buffer, at);
    if (n <= 0) break;
    write_all(real_stderr, buffer, (size_t)n);
    at += n;
  }
}

static void say(const char *text) { write_all(real_stderr, text, strlen(text)); }

__attribute__((noreturn, format(printf, 1, 2))) static void fail(const char *format, ...) {
  finished = 1;
  replay_log();
  char message[2048];
  va_list args;
  va_start(args, format);
  vsnprintf(message, sizeof message, format, args);
  va_end(args);
  say("darknet_inference: ");
  say(message);
  say("\n");
  _exit(1);
}

// Darknet calls exit(0) when it cannot open a file (utils.c file_error): not a success here.
static void exit_guard(void) {
  if (finished) return;
  replay_log();
  say("darknet_inference: darknet stopped before the prediction was written (its messages are "
      "above)\n");
  _exit(1);
}

static void crash_guard(int signal) {
  replay_log();
  say(signal == SIGABRT ? "darknet_inference: darknet aborted on this model (its messages are "
                          "above)\n"
                        : "darknet_inference: darknet crashed on this model (its messages are "
                          "above)\n");
  _exit(1);
}

static void hold_darknet_output(void) {
  real_stderr = dup(2);
  held_log = memfd_create("darknet-log", 0);
  if (real_stderr < 0 || held_log < 0) fail("cannot set up the log: %s", strerror(errno));
  fflush(stdout);
  fflush(stderr);
  if (dup2(held_log, 1) < 0 || dup2(held_log, 2) < 0)
    fail("cannot set up the log: %s", strerror(errno));
  atexit(exit_guard);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = crash_guard;
  const int signals[] = {SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL};
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &action, 0);
}

// Files.

static unsigned char *read_whole(const char *path, const char *what, size_t *length) {
  FILE *file = fopen(path, "rb");
  if (!file) fail("cannot read the %s %s: %s", what, path, strerror(errno));
  size_t capacity = 4096, used = 0;
  unsigned char *bytes = malloc(capacity);
  for (;;) {
    if (!bytes) fail("out of memory reading %s", path);
    used += fread(bytes + used, 1, capacity - used, file);
    if (used < capacity) break;
    capacity *= 2;
    bytes = realloc(bytes, capacity);
  }
  if (ferror(file)) fail("cannot read the %s %s", what, path);
  fclose(file);
  *length = used;
  return bytes;
}

// The request: postcard (LEB128 lengths, UTF-8 strings, f32 little-endian, bool one byte).

struct cursor {
  const unsigned char *bytes;
  size_t length;
  size_t at;
};

static void need(struct cursor *c, size_t n, const char *field) {
  if (c->length - c->at < n)
    fail("the request is not a postcard DarknetInferenceInput: it ends inside %s (byte %zu)", field,
         c->length);
}

static uint32_t read_length(struct cursor *c, const char *field) {
  size_t start = c->at;
  uint64_t value = 0;
  for (int i = 0; i < 5; i++) {
    need(c, 1, field);
    unsigned char byte = c->bytes[c->at++];
    value |= (uint64_t)(byte & 0x7f) << (7 * i);
    if (!(byte & 0x80)) {
      if (value > UINT32_MAX)
        fail("the request is not a postcard DarknetInferenceInput: the length of %s at byte %zu "
             "overflows",
             field, start);
      return (uint32_t)value;
    }
  }
  fail("the request is not a postcard DarknetInferenceInput: the length of %s at byte %zu is too "
       "long",
       field, start);
}

static int valid_utf8(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned char b = s[i];
    size_t extra;
    uint32_t code;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      extra = 1, code = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      extra = 2, code = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      extra = 3, code = b & 0x07;
    } else {
      return 0;
    }
    if (n - i <= extra) return 0;
    for (size_t k = 1; k <= extra; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      code = code << 6 | (s[i + k] & 0x3f);
    }
    if ((extra == 2 && (code < 0x800 || (code >= 0xd800 && code <= 0xdfff))) ||
        (extra == 3 && (code < 0x10000 || code > 0x10ffff)))
      return 0;
    i += extra + 1;
  }
  return 1;
}

static char *read_path(struct cursor *c, const char *field) {
  size_t start = c->at;
  uint32_t n = read_length(c, field);
  need(c, n, field);
  const unsigned char *text = c->bytes + c->at;
  c->at += n;
  if (!valid_utf8(text, n))
    fail("the request is not a postcard DarknetInferenceInput: %s at byte %zu is not UTF-8", field,
         start);
  if (memchr(text, 0, n)) fail("%s at byte %zu holds a NUL byte", field, start);
  if (n == 0) fail("%s is empty", field);
  char *path = malloc((size_t)n + 1);
  if (!path) fail("out of memory");
  memcpy(path, text, n);
  path[n] = 0;
  return path;
}

static float read_f32(struct cursor *c, const char *field) {
  need(c, 4, field);
  const unsigned char *b = c->bytes + c->at;
  uint32_t bits =
      (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
  c->at += 4;
  float value;
  memcpy(&value, &bits, sizeof value);
  if (!isfinite(value)) fail("%s is %f, not a finite number", field, (double)value);
  return value;
}

static int read_bool(struct cursor *c, const char *field) {
  need(c, 1, field);
  unsigned char b = c->bytes[c->at++];
  if (b > 1)
    fail("the request is not a postcard DarknetInferenceInput: %s at byte %zu is %u, not a bool",
         field, c->at - 1, b);
  return b;
}

struct request {
  char *input_path, *cfg_path, *model_path, *labels_path, *output_path;
  float objectness_threshold, class_threshold, hierarchical_threshold, iou_threshold;
  int letterbox;
};

static struct request read_request(const char *path) {
  size_t length;
  unsigned char *bytes = read_whole(path, "request", &length);
  struct cursor c = {bytes, length, 0};
  struct request r;
  r.input_path = read_path(&c, "input_path");
  r.cfg_path = read_path(&c, "cfg_path");
  r.model_path = read_path(&c, "model_path");
  r.labels_path = read_path(&c, "labels_path");
  r.output_path = read_path(&c, "output_path");
  r.objectness_threshold = read_f32(&c, "objectness_threshold");
  r.class_threshold = read_f32(&c, "class_threshold");
  r.hierarchical_threshold = read_f32(&c, "hierarchical_threshold");
  r.iou_threshold = read_f32(&c, "iou_threshold");
  r.letterbox = read_bool(&c, "letterbox");
  if (c.at != length)
    fail("the request is not a postcard DarknetInferenceInput: %zu byte(s) after it (from byte "
         "%zu)",
         length - c.at, c.at);
  free(bytes);
  return r;
}

// The cfg, checked before darknet parses it (darknet's strip() drops spaces and tabs anywhere).

// Section names this module takes: the layers whose weights it can count (see weight_floats).
static const char *const SECTIONS[] = {
    "[net]", "[network]", "[convolutional]", "[conv]", "[connected]", "[conn]", "[batchnorm]",
    "[maxpool]", "[max]", "[avgpool]", "[avg]", "[route]", "[shortcut]", "[upsample]", "[reorg]",
    "[dropout]", "[softmax]", "[soft]", "[activation]", "[region]", "[yolo]", "[detection]"};

static void check_cfg(const char *path) {
  size_t length;
  char *text = (char *)read_whole(path, "model configuration", &length);
  size_t line_number = 0, sections = 0;
  for (size_t at = 0; at < length;) {
    size_t end = at;
    while (end < length && text[end] != '\n') end++;
    line_number++;
    char line[512];
    size_t n = 0;
    for (size_t i = at; i < end; i++) {
      if (text[i] == ' ' || text[i] == '\t') continue;
      if (text[i] == 0) fail("%s line %zu holds a NUL byte", path, line_number);
      if (n + 1 >= sizeof line) fail("%s line %zu is too long", path, line_number);
      line[n++] = text[i];
    }
    line[n] = 0;
    at = end + 1;
    if (n == 0 || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      int known = 0;
      for (size_t k = 0; k < sizeof SECTIONS / sizeof SECTIONS[0]; k++)
        known |= strcmp(line, SECTIONS[k]) == 0;
      if (!known)
        fail("%s line %zu: %s is not a section this module reads (network, convolutional, "
             "connected, batchnorm, pooling, route, shortcut, upsample, reorg, dropout, softmax, "
             "activation, region, yolo, detection)",
             path, line_number, line);
      int network = strcmp(line, "[net]") == 0 || strcmp(line, "[network]") == 0;
      if ((sections == 0) != network)
        fail("%s line %zu: %s", path, line_number,
             network ? "[net] is not the first section" : "the first section is not [net]");
      sections++;
      continue;
    }
    char *equals = strchr(line, '=');
    if (sections == 0 || !equals || equals == line || equals[1] == 0)
      fail("%s line %zu is not a section, a comment or key=value inside a section: %s", path,
           line_number, line);
  }
  if (sections < 2) fail("%s has no layer sections", path);
  free(text);
}

// Weights: darknet's binary format (parser.c load_weights_upto): major, minor, revision (int32),
// then `seen` (size_t when major * 10 + minor >= 2 and both are below 1000, else int32), then
// each layer's floats in order.

static size_t weight_floats(const layer *l) {
  if (l->dontload) return 0;
  switch (l->type) {
  case CONVOLUTIONAL: {
    if (l->groups < 1) fail("a convolutional layer has groups=%d", l->groups);
    size_t n = (size_t)(l->numload ? l->numload : l->n);
    size_t scales = l->batch_normalize && !l->dontloadscales ? 3 * n : 0;
    return n + scales + (size_t)(l->c / l->groups) * n * (size_t)l->size * (size_t)l->size;
  }
  case CONNECTED: {
    size_t scales = l->batch_normalize && !l->dontloadscales ? 3 * (size_t)l->outputs : 0;
    return (size_t)l->outputs + (size_t)l->outputs * (size_t)l->inputs + scales;
  }
  case BATCHNORM:
    return 3 * (size_t)l->c;
  default:
    return 0;
  }
}

static void check_weights(network *net, const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file) fail("cannot read the weights %s: %s", path, strerror(errno));
  int32_t head[3];
  if (fread(head, sizeof head[0], 3, file) != 3) fail("%s is too short for darknet weights", path);
  struct stat st;
  if (fstat(fileno(file), &st) != 0) fail("cannot read the weights %s", path);
  fclose(file);
  int32_t major = head[0], minor = head[1];
  size_t header = 12 + ((major * 10 + minor) >= 2 && major < 1000 && minor < 1000 ? 8 : 4);
  size_t floats = 0;
  for (int i = 0; i < net->n; i++) floats += weight_floats(&net->layers[i]);
  size_t expected = header + 4 * floats;
  if ((size_t)st.st_size != expected)
    fail("%s holds %lld bytes; the network of its cfg needs %zu (a %zu-byte header and %zu "
         "floats)",
         path, (long long)st.st_size, expected, header, floats);
}

static char **read_labels(const char *path, int classes) {
  size_t length;
  char *text = (char *)read_whole(path, "labels", &length);
  if (memchr(text, 0, length)) fail("the labels %s hold a NUL byte", path);
  if (!valid_utf8((unsigned char *)text, length)) fail("the labels %s are not UTF-8", path);
  char **labels = calloc((size_t)classes, sizeof *labels);
  int count = 0;
  for (size_t at = 0; at < length;) {
    size_t end = at;
    while (end < length && text[end] != '\n') end++;
    if (end == at) fail("the labels %s have an empty line", path);
    if (count < classes) {
      labels[count] = strndup(text + at, end - at);
    }
    count++;
    at = end + 1;
  }
  if (count != classes)
    fail("the labels %s name %d classes; the model has %d", path, count, classes);
  free(text);
  return labels;
}

// Printing.

// The shortest decimal that reads back as `v` (as Rust's Display of an f32), never an exponent.
// `out` holds 64 bytes: the longest text, nine digits below 1e-37 and a sign, takes 49.
static void f32_text(float v, char *out, size_t size) {
  if (v == 0 || !isfinite(v)) {
    snprintf(out, size, "%s", v == 0 ? "0" : isnan(v) ? "NaN" : v > 0 ? "inf" : "-inf");
    return;
  }
  char exp_form[64];
  for (int p = 1; p <= 9; p++) {
    snprintf(exp_form, sizeof exp_form, "%.*e", p - 1, (double)v);
    if (strtof(exp_form, 0) == v) break;
  }
  // exp_form: [-]D[.DDD]e[+-]XX
  const char *s = exp_form;
  int negative = *s == '-';
  if (negative) s++;
  char digits[32];
  size_t count = 0;
  for (; *s && *s != 'e'; s++)
    if (*s != '.') digits[count++] = *s;
  int point = 1 + atoi(s + 1);  // digits before the decimal point
  while (count > 1 && digits[count - 1] == '0' && (int)count > point) count--;
  size_t at = 0;
  if (negative) out[at++] = '-';
  if (point <= 0) {
    out[at++] = '0';
    out[at++] = '.';
    for (int i = 0; i < -point; i++) out[at++] = '0';
    for (size_t i = 0; i < count; i++) out[at++] = digits[i];
  } else {
    for (int i = 0; i < point; i++) out[at++] = (size_t)i < count ? digits[i] : '0';
    if ((size_t)point < count) {
      out[at++] = '.';
      for (size_t i = (size_t)point; i < count; i++) out[at++] = digits[i];
    }
  }
  out[at] = 0;
}

struct found {
  int class_index;
  float prob;
  box bbox;
};

static int by_probability(const void *a, const void *b) {
  const struct found *x = a, *y = b;
  if (x->prob != y->prob) return x->prob > y->prob ? -1 : 1;
  if (x->bbox.y != y->bbox.y) return x->bbox.y < y->bbox.y ? -1 : 1;
  if (x->bbox.x != y->bbox.x) return x->bbox.x < y->bbox.x ? -1 : 1;
  return x->class_index - y->class_index;
}

int main(int argc, char **argv) {
  if (argc > 2) {
    fprintf(stderr, "usage: darknet_inference [REQUEST] (default %s)\n", CONFIG);
    return 2;
  }
  hold_darknet_output();
  struct request r = read_request(argc == 2 ? argv[1] : CONFIG);
  if (r.iou_threshold < 0 || r.iou_threshold > 1)
    fail("iou_threshold is %g, not in [0, 1]", (double)r.iou_threshold);

  check_cfg(r.cfg_path);
  network *net = parse_network_cfg(r.cfg_path);
  if (net->n < 1) fail("%s has no layers", r.cfg_path);
  layer last = net->layers[net->n - 1];
  if (last.type != REGION && last.type != YOLO && last.type != DETECTION)
    fail("%s ends in no [region], [yolo] or [detection] layer: it does not detect objects",
         r.cfg_path);
  if (net->c != 3 || net->w < 1 || net->h < 1)
    fail("%s takes %d x %d x %d inputs; this module feeds colour images (3 channels)", r.cfg_path,
         net->w, net->h, net->c);
  check_weights(net, r.model_path);
  load_weights(net, r.model_path);
  set_batch_network(net, 1);
  int classes = last.classes;
  char **labels = read_labels(r.labels_path, classes);

  int width, height, channels;
  unsigned char *pixels = stbi_load(r.input_path, &width, &height, &channels, 3);
  if (!pixels)
    fail("%s is not an image stb_image reads (%s)", r.input_path, stbi_failure_reason());
  image im = make_image(width, height, 3);
  for (int k = 0; k < 3; k++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        im.data[k * width * height + y * width + x] =
            (float)pixels[3 * (y * width + x) + k] / 255.;
  stbi_image_free(pixels);

  image sized =
      r.letterbox ? letterbox_image(im, net->w, net->h) : resize_image(im, net->w, net->h);
  network_predict(net, sized.data);
  int count = 0;
  // Boxes relative to the image: darknet undoes the letterbox from the image's size; a resized
  // image needs no correction, which the network's own size gives.
  int box_w = r.letterbox ? im.w : net->w, box_h = r.letterbox ? im.h : net->h;
  detection *dets = get_network_boxes(net, box_w, box_h, r.objectness_threshold,
                                      r.hierarchical_threshold, 0, 1, &count);
  if (r.iou_threshold > 0) do_nms_sort(dets, count, classes, r.iou_threshold);

  struct found *kept = calloc((size_t)(count > 0 ? count : 1), sizeof *kept);
  int kept_count = 0;
  for (int i = 0; i < count; i++) {
    int best = -1;
    for (int j = 0; j < classes; j++)
      if (dets[i].prob[j] > r.class_threshold && (best < 0 || dets[i].prob[j] > dets[i].prob[best]))
        best = j;
    if (best < 0) continue;
    kept[kept_count++] = (struct found){best, dets[i].prob[best], dets[i].bbox};
  }
  qsort(kept, (size_t)kept_count, sizeof *kept, by_probability);

  // The text is made first and written at once: a failed write removes the file, so a partial
  // prediction is never copied back to the caller.
  char *text = 0;
  size_t text_length = 0;
  FILE *out = open_memstream(&text, &text_length);
  if (!out) fail("out of memory");
  for (int i = 0; i < kept_count; i++) {
    char x[64], y[64], w[64], h[64];
    f32_text(kept[i].bbox.x, x, sizeof x);
    f32_text(kept[i].bbox.y, y, sizeof y);
    f32_text(kept[i].bbox.w, w, sizeof w);
    f32_text(kept[i].bbox.h, h, sizeof h);
    float percent = kept[i].prob * 100.0f;
    fprintf(out, "%s\t%.2f%%\tx: %s\ty: %s\tw: %s\th: %s\n", labels[kept[i].class_index],
            (double)percent, x, y, w, h);
  }
  if (fclose(out) != 0) fail("out of memory");
  FILE *file = fopen(r.output_path, "w");
  if (!file) fail("cannot write %s: %s", r.output_path, strerror(errno));
  if (fwrite(text, 1, text_length, file) != text_length || fclose(file) != 0) {
    int error = errno;
    remove(r.output_path);
    fail("cannot write %s: %s", r.output_path, strerror(error));
  }
  free(text);
  free_detections(dets, count);
  finished = 1;
  return 0;
}
