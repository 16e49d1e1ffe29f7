/* logistic-regression (C): trains a two-feature logistic regression on the parties' pooled data.
 *
 * Inputs:  /input/logistic-regression-0.dat, /input/logistic-regression-1.dat  records of three
 *          little-endian f64: x1, x2, label (0 or 1)
 * Output:  /output/logistic-regression.dat  three little-endian f64: bias, w1, w2.
 * Training: weights start at 0; 200 steps of full-batch gradient descent with rate 0.5 on the
 * mean log-loss, records in file order (party 0 first). No records: the weights stay 0.
 */
#include <math.h>
#include "veracruz.h"

#define STEPS 200
#define RATE 0.5

int main(void) {
  size_t n0, n1;
  double *a = vc_read_f64s_or_exit("/input/logistic-regression-0.dat", &n0);
  double *b = vc_read_f64s_or_exit("/input/logistic-regression-1.dat", &n1);
  size_t rows0 = n0 / 3, rows = rows0 + n1 / 3;
  double w[3] = {0.0, 0.0, 0.0};
  for (int step = 0; step < STEPS && rows > 0; step++) {
    double g[3] = {0.0, 0.0, 0.0};
    for (size_t i = 0; i < rows; i++) {
      const double *r = i < rows0 ? a + 3 * i : b + 3 * (i - rows0);
      double p = 1.0 / (1.0 + exp(-(w[0] + w[1] * r[0] + w[2] * r[1])));
      double e = p - r[2];
      g[0] += e;
      g[1] += e * r[0];
      g[2] += e * r[1];
    }
    for (int k = 0; k < 3; k++) w[k] -= RATE * g[k] / (double)rows;
  }
  vc_write_file_or_exit("/output/logistic-regression.dat", w, sizeof w);
  return 0;
}
