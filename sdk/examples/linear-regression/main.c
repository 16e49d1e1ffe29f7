/* linear-regression (C): least-squares line through (x, y) points.
 *
 * Input:  /input/linear-regression.dat, packed little-endian f64 pairs (x, y), 16 bytes a point.
 * Output: /output/linear-regression.dat, two little-endian f64: gradient, then intercept; an empty
 *         file when the line is undefined (fewer than two points, or every x equal).
 * The sums run in input order so that the result is bit-for-bit reproducible.
 */
#include "veracruz.h"

int main(void) {
  size_t count;
  double *values = vc_read_f64s_or_exit("/input/linear-regression.dat", &count);
  size_t points = count / 2;
  double sum_x = 0.0, sum_y = 0.0;
  for (size_t i = 0; i < points; i++) {
    sum_x += values[2 * i];
    sum_y += values[2 * i + 1];
  }
  double mean_x = sum_x / (double)points, mean_y = sum_y / (double)points;
  double covariance = 0.0, variance = 0.0;
  for (size_t i = 0; i < points; i++) {
    double dx = values[2 * i] - mean_x;
    covariance += dx * (values[2 * i + 1] - mean_y);
    variance += dx * dx;
  }
  if (points < 2 || variance == 0.0) {
    vc_write_file_or_exit("/output/linear-regression.dat", "", 0);
    return 0;
  }
  double gradient = covariance / variance;
  double result[2] = {gradient, mean_y - gradient * mean_x};
  vc_write_file_or_exit("/output/linear-regression.dat", result, sizeof result);
  return 0;
}
