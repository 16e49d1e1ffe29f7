/* collaborative-training (C): trains one logistic regression on the union of several parties'
 * private training rows, and scores it on each party's own held-out rows.
 *
 * Inputs:  /input/train-<party>.dat     records of five little-endian f64: x1, x2, x3, x4, label
 *          /input/held-out-<party>.dat  (0 or 1); a party is any name with a train file, taken in
 *                                       byte order of their names; a missing held-out file is empty.
 * Outputs: /output/model.dat            five little-endian f64: bias, w1, w2, w3, w4, in the
 *                                       original feature units
 *          /output/accuracy-<party>.dat two little-endian f64: held-out rows, rows predicted right
 *                                       (a row is predicted 1 when bias + w.x >= 0)
 * Training: each feature is standardised by the mean and standard deviation of the union's
 * training rows (a deviation of 0 counts as 1); weights start at 0; 300 steps of full-batch
 * gradient descent with rate 0.5 on the mean log-loss plus 0.0005 * |w|^2 (not the bias), rows in
 * party order then file order. No rows: the model stays 0.
 */
#include <math.h>
#include "veracruz.h"

#define FEATURES 4
#define WIDTH (FEATURES + 1)
#define STEPS 300
#define RATE 0.5
#define L2 0.0005

static int compare_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static double *rows_of(const char *path, size_t *rows, int required) {
  size_t len = 0;
  unsigned char *data = vc_read_file(path, &len);
  if (!data) {
    if (required || errno != ENOENT) vc_fail("cannot read %s: %s", path, strerror(errno));
    *rows = 0;
    return NULL;
  }
  *rows = len / (WIDTH * sizeof(double));
  return (double *)(void *)data;
}

int main(void) {
  size_t entries = 0;
  char **names = vc_list_dir("/input", &entries);
  if (!names) vc_fail("cannot list /input: %s", strerror(errno));
  char **parties = malloc((entries + 1) * sizeof *parties);
  size_t nparties = 0;
  for (size_t i = 0; i < entries; i++) {
    size_t len = strlen(names[i]);
    if (strncmp(names[i], "train-", 6) == 0 && len > 10 && strcmp(names[i] + len - 4, ".dat") == 0) {
      char *name = malloc(len - 9);
      if (!name) vc_fail("out of memory");
      memcpy(name, names[i] + 6, len - 10);
      name[len - 10] = 0;
      parties[nparties++] = name;
    }
  }
  qsort(parties, nparties, sizeof *parties, compare_names);

  /* The union of the training rows, in party order. */
  double **train = malloc((nparties + 1) * sizeof *train);
  size_t *train_rows = malloc((nparties + 1) * sizeof *train_rows);
  size_t total = 0;
  char path[512];
  for (size_t p = 0; p < nparties; p++) {
    snprintf(path, sizeof path, "/input/train-%s.dat", parties[p]);
    train[p] = rows_of(path, &train_rows[p], 1);
    total += train_rows[p];
  }

  double mean[FEATURES] = {0}, scale[FEATURES] = {0};
  for (size_t p = 0; p < nparties; p++)
    for (size_t i = 0; i < train_rows[p]; i++)
      for (int j = 0; j < FEATURES; j++) mean[j] += train[p][WIDTH * i + j];
  for (int j = 0; j < FEATURES; j++) mean[j] = total ? mean[j] / (double)total : 0.0;
  for (size_t p = 0; p < nparties; p++)
    for (size_t i = 0; i < train_rows[p]; i++)
      for (int j = 0; j < FEATURES; j++) {
        double d = train[p][WIDTH * i + j] - mean[j];
        scale[j] += d * d;
      }
  for (int j = 0; j < FEATURES; j++) {
    scale[j] = total ? sqrt(scale[j] / (double)total) : 0.0;
    if (scale[j] == 0.0) scale[j] = 1.0;
  }

  double w[WIDTH] = {0}; /* w[0] bias, w[1..] weights, standardised units */
  for (int step = 0; step < STEPS && total > 0; step++) {
    double g[WIDTH] = {0};
    for (size_t p = 0; p < nparties; p++)
      for (size_t i = 0; i < train_rows[p]; i++) {
        const double *r = train[p] + WIDTH * i;
        double z = w[0], x[FEATURES];
        for (int j = 0; j < FEATURES; j++) {
          x[j] = (r[j] - mean[j]) / scale[j];
          z += w[j + 1] * x[j];
        }
        double e = 1.0 / (1.0 + exp(-z)) - r[FEATURES];
        g[0] += e;
        for (int j = 0; j < FEATURES; j++) g[j + 1] += e * x[j];
      }
    w[0] -= RATE * g[0] / (double)total;
    for (int j = 1; j < WIDTH; j++) w[j] -= RATE * (g[j] / (double)total + 2.0 * L2 * w[j]);
  }

  /* Back to the original units: bias - sum w_j m_j / s_j, and w_j / s_j. */
  double model[WIDTH];
  model[0] = w[0];
  for (int j = 0; j < FEATURES; j++) {
    model[j + 1] = w[j + 1] / scale[j];
    model[0] -= w[j + 1] * mean[j] / scale[j];
  }
  vc_write_file_or_exit("/output/model.dat", model, sizeof model);

  for (size_t p = 0; p < nparties; p++) {
    size_t rows;
    snprintf(path, sizeof path, "/input/held-out-%s.dat", parties[p]);
    double *held = rows_of(path, &rows, 0);
    double score[2] = {(double)rows, 0.0};
    for (size_t i = 0; i < rows; i++) {
      const double *r = held + WIDTH * i;
      double z = model[0];
      for (int j = 0; j < FEATURES; j++) z += model[j + 1] * r[j];
      if ((z >= 0.0 ? 1.0 : 0.0) == r[FEATURES]) score[1] += 1.0;
    }
    snprintf(path, sizeof path, "/output/accuracy-%s.dat", parties[p]);
    vc_write_file_or_exit(path, score, sizeof score);
  }
  return 0;
}
