/* linear-regression (C): least-squares line through (x, y) points, as Veracruz's example.
 *
 * Input:  /input/linear-regression.dat, postcard Vec<(f64, f64)>: the number of points as an
 *         unsigned LEB128 varint, then each point's x and y as little-endian f64 (16 bytes).
 * Output: /output/linear-regression.dat, postcard struct { gradient: f64, intercept: f64 }: two
 *         little-endian f64. With fewer than two distinct x the line is undefined and both are NaN
 *         (0x7ff8000000000000), as Veracruz's computes them (0/0).
 * Input of another shape (a truncated or over-long varint, a body that is not exactly 16 bytes a
 * point) is refused with a message on stderr and exit code 1: nothing is written.
 * The sums run in input order, as Veracruz's, so the result is bit-for-bit reproducible.
 */
#include "veracruz.h"

static const char *INPUT = "/input/linear-regression.dat";

static double canonical(double value) {
  return value != value ? __builtin_nan("") : value;
}

static double f64_at(const unsigned char *p) {
  double value;
  memcpy(&value, p, sizeof value);
  return value;
}

int main(void) {
  size_t len;
  unsigned char *data = vc_read_file_or_exit(INPUT, &len);
  size_t at = 0;
  uint64_t points = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (at == len || at == 5) vc_fail("%s: not a postcard Vec<(f64, f64)>: bad length varint", INPUT);
    unsigned char byte = data[at++];
    points |= (uint64_t)(byte & 0x7f) << shift;
    if (byte < 0x80) break;
  }
  if (points > 0xffffffffu || (uint64_t)(len - at) != points * 16)
    vc_fail("%s: not a postcard Vec<(f64, f64)>: %llu points need %llu bytes after the length, "
            "found %lu", INPUT, (unsigned long long)points, (unsigned long long)(points * 16),
            (unsigned long)(len - at));
  const unsigned char *body = data + at;
  double sum_x = 0.0, sum_y = 0.0;
  for (size_t i = 0; i < points; i++) {
    sum_x += f64_at(body + 16 * i);
    sum_y += f64_at(body + 16 * i + 8);
  }
  double mean_x = sum_x / (double)points, mean_y = sum_y / (double)points;
  double n = 0.0, d = 0.0;
  for (size_t i = 0; i < points; i++) {
    double x = f64_at(body + 16 * i), y = f64_at(body + 16 * i + 8);
    n += (x - mean_x) * (y - mean_y);
    d += (x - mean_x) * (x - mean_x);
  }
  double result[2] = {canonical(n / d), canonical(mean_y - (n / d) * mean_x)};
  vc_write_file_or_exit("/output/linear-regression.dat", result, sizeof result);
  return 0;
}
