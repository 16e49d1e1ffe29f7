/* logistic-regression (C): Veracruz's logistic-regression example (rusty-machine's
 * LogisticRegressor::default()) on two parties' postcard datasets.
 *
 * Inputs:  /input/logistic-regression-0.dat, /input/logistic-regression-1.dat, each a postcard
 *          Dataset { points: Vec<PointAndClassification { point: Vec<f64>, classification: bool }> }:
 *          varint count, then per point a varint length, that many f64 (8 bytes little-endian)
 *          and one byte 0 or 1.
 * Output:  /output/logistic-regression.dat  postcard Vec<f64>: the parameters, intercept first.
 * As Veracruz's program does: an empty dataset is skipped; the first non-empty one fixes the
 * dimension and is itself left out of the training set (only the datasets after it are pooled);
 * a dataset whose points differ in dimension, or a later one of another dimension, is refused.
 * Training: a column of ones before the points, parameters start at 0.5, at most 100 steps of
 * batch gradient descent with step 0.3 on the mean cross-entropy, stopping early when the cost
 * repeats within 1e-20; dot products and sums in rulinalg's eightfold-unrolled order. No rows
 * to train on: one parameter, NaN (0/0) as Veracruz's, written as 0x7ff8000000000000. Bytes
 * after a dataset are refused (postcard itself would ignore them). Every refusal prints a message
 * to stderr and exits 1.
 */
#include <math.h>
#include "veracruz.h"

#define ITERS 100
#define ALPHA 0.3
#define EPS 1e-20

typedef struct {
  const unsigned char *at, *end;
  const char *path;
} reader;

static uint32_t varint32(reader *r) {
  uint32_t value = 0;
  for (int i = 0; i < 5; i++) {
    if (r->at == r->end) vc_fail("%s: not a postcard Dataset (cut short)", r->path);
    unsigned char b = *r->at++;
    if (i == 4 && b > 0x0f) vc_fail("%s: not a postcard Dataset (length overflows)", r->path);
    value |= (uint32_t)(b & 0x7f) << (7 * i);
    if (b < 0x80) return value;
  }
  vc_fail("%s: not a postcard Dataset (length too long)", r->path);
  return 0;
}

typedef struct {
  size_t rows, dim;
  double *points; /* rows x dim */
  double *classes;
} dataset;

static dataset read_dataset(const char *path) {
  size_t len;
  unsigned char *bytes = vc_read_file_or_exit(path, &len);
  reader r = {bytes, bytes + len, path};
  dataset d = {varint32(&r), 0, NULL, NULL};
  if (d.rows > len / 2) vc_fail("%s: not a postcard Dataset (cut short)", path);
  d.classes = malloc(d.rows * sizeof(double) + 1);
  size_t capacity = 0;
  for (size_t i = 0; i < d.rows; i++) {
    uint32_t n = varint32(&r);
    if (i == 0) {
      d.dim = n;
      if ((size_t)(r.end - r.at) / 8 < n) vc_fail("%s: not a postcard Dataset (cut short)", path);
      capacity = d.rows * (size_t)n;
      d.points = malloc(capacity * sizeof(double) + 1);
    } else if (n != d.dim) {
      vc_fail("%s: point %zu has %u coordinates, point 0 has %zu", path, i, n, d.dim);
    }
    if ((size_t)(r.end - r.at) < (size_t)n * 8 + 1)
      vc_fail("%s: not a postcard Dataset (cut short)", path);
    memcpy(d.points + i * d.dim, r.at, (size_t)n * 8);
    r.at += (size_t)n * 8;
    unsigned char c = *r.at++;
    if (c > 1) vc_fail("%s: not a postcard Dataset (classification %u is not a bool)", path, c);
    d.classes[i] = c ? 1.0 : 0.0;
  }
  if (r.at != r.end)
    vc_fail("%s: %zu bytes after the postcard Dataset", path, (size_t)(r.end - r.at));
  return d;
}

/* rulinalg's utils::dot: eight running sums, folded, then the rest in order. */
static double dot(const double *x, const double *y, size_t n) {
  double p[8] = {0, 0, 0, 0, 0, 0, 0, 0}, s = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) p[k] = p[k] + x[i + k] * y[i + k];
  for (int k = 0; k < 4; k++) s = s + p[k] + p[k + 4];
  for (; i < n; i++) s = s + x[i] * y[i];
  return s;
}

/* rulinalg's utils::unrolled_sum. */
static double sum(const double *x, size_t n) {
  double p[8] = {0, 0, 0, 0, 0, 0, 0, 0}, s = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; k++) p[k] = p[k] + x[i + k];
  for (int k = 0; k < 4; k++) s = s + (p[k] + p[k + 4]);
  for (; i < n; i++) s = s + x[i];
  return s;
}

int main(void) {
  const char *paths[2] = {"/input/logistic-regression-0.dat", "/input/logistic-regression-1.dat"};
  dataset sets[2];
  for (int k = 0; k < 2; k++) sets[k] = read_dataset(paths[k]);
  size_t rows = 0, dim = 0;
  int seen = 0, used[2] = {0, 0};
  for (int k = 0; k < 2; k++) {
    if (sets[k].rows == 0) continue;
    if (!seen) {
      seen = 1;
      dim = sets[k].dim;
    } else if (sets[k].dim != dim) {
      vc_fail("%s: points of %zu coordinates, %s has %zu", paths[k], sets[k].dim, paths[0], dim);
    } else {
      used[k] = 1;
      rows += sets[k].rows;
    }
  }
  size_t cols = (rows ? dim : 0) + 1;
  double *x = malloc(rows * cols * sizeof(double) + 1);  /* rows x cols, ones first */
  double *xt = malloc(rows * cols * sizeof(double) + 1); /* its transpose */
  double *t = malloc(rows * sizeof(double) + 1);
  double *o = malloc(rows * sizeof(double) + 1);
  double *c = malloc(rows * sizeof(double) + 1);
  size_t row = 0;
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; used[k] && i < sets[k].rows; i++, row++) {
      x[row * cols] = 1.0;
      memcpy(x + row * cols + 1, sets[k].points + i * dim, dim * sizeof(double));
      t[row] = sets[k].classes[i];
    }
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < cols; j++) xt[j * rows + i] = x[i * cols + j];
  double *beta = malloc(cols * sizeof(double)), *grad = malloc(cols * sizeof(double));
  double previous = 0;
  for (size_t j = 0; j < cols; j++) beta[j] = 0.5;
  for (int step = 0; step < ITERS; step++) {
    for (size_t i = 0; i < rows; i++) o[i] = 1.0 / (1.0 + exp(-dot(x + i * cols, beta, cols)));
    for (size_t i = 0; i < rows; i++) c[i] = t[i] * log(o[i]) + (1.0 - t[i]) * log(1.0 - o[i]);
    double cost = -sum(c, rows) / (double)rows;
    for (size_t i = 0; i < rows; i++) o[i] = o[i] - t[i];
    for (size_t j = 0; j < cols; j++) grad[j] = dot(xt + j * rows, o, rows) / (double)rows;
    if (fabs(previous - cost) < EPS) break;
    for (size_t j = 0; j < cols; j++) beta[j] = beta[j] - grad[j] * ALPHA;
    previous = cost;
  }
  unsigned char *out = malloc(5 + cols * sizeof(double));
  size_t n = 0;
  for (uint32_t v = (uint32_t)cols; ; v >>= 7) {
    out[n++] = (unsigned char)(v < 0x80 ? v : (v & 0x7f) | 0x80);
    if (v < 0x80) break;
  }
  for (size_t j = 0; j < cols; j++)
    if (isnan(beta[j])) beta[j] = NAN; /* the positive quiet NaN, whatever the CPU's sign */
  memcpy(out + n, beta, cols * sizeof(double));
  vc_write_file_or_exit("/output/logistic-regression.dat", out, n + cols * sizeof(double));
  return 0;
}
