/* private-set-intersection-sum (C): for each batch, how many of a retailer's customers appear in
 * a sample, and the total of their values.
 *
 * Inputs:  /input/private-set-inter-sum/<batch>/data.dat    records of 20 bytes: customer id as
 *                                                            two little-endian u64, then a u32 value
 *          /input/private-set-inter-sum/<batch>/sample.dat  records of 16 bytes: customer id
 * Output:  /output/private-set-inter-sum/<batch>  two little-endian u64: the number of data
 *          records whose id is in the sample, and the sum of their values.
 */
#include "veracruz.h"

typedef struct { uint64_t hi, lo; } customer_id;

static uint64_t le64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static int compare_ids(const void *a, const void *b) {
  const customer_id *x = a, *y = b;
  if (x->hi != y->hi) return x->hi < y->hi ? -1 : 1;
  return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

static void run_batch(const char *batch) {
  char path[4096];
  size_t sample_len, data_len;
  snprintf(path, sizeof path, "/input/private-set-inter-sum/%s/sample.dat", batch);
  unsigned char *sample_bytes = vc_read_file_or_exit(path, &sample_len);
  snprintf(path, sizeof path, "/input/private-set-inter-sum/%s/data.dat", batch);
  unsigned char *data = vc_read_file_or_exit(path, &data_len);
  size_t samples = sample_len / 16;
  customer_id *sample = malloc((samples + 1) * sizeof *sample);
  for (size_t i = 0; i < samples; i++)
    sample[i] = (customer_id){le64(sample_bytes + 16 * i), le64(sample_bytes + 16 * i + 8)};
  free(sample_bytes);
  qsort(sample, samples, sizeof *sample, compare_ids);
  uint64_t result[2] = {0, 0};
  for (size_t offset = 0; offset + 20 <= data_len; offset += 20) {
    customer_id key = {le64(data + offset), le64(data + offset + 8)};
    if (samples && bsearch(&key, sample, samples, sizeof *sample, compare_ids)) {
      uint32_t value;
      memcpy(&value, data + offset + 16, 4);
      result[0] += 1;
      result[1] += value;
    }
  }
  free(sample);
  free(data);
  snprintf(path, sizeof path, "/output/private-set-inter-sum/%s", batch);
  vc_write_file_or_exit(path, result, sizeof result);
}

int main(void) {
  size_t count = 0;
  char **batches = vc_list_dir("/input/private-set-inter-sum", &count);
  if (!batches && errno != ENOENT) vc_fail("cannot list /input/private-set-inter-sum: %s", strerror(errno));
  if (mkdir("/output/private-set-inter-sum", 0755) != 0 && errno != EEXIST)
    vc_fail("cannot create /output/private-set-inter-sum: %s", strerror(errno));
  for (size_t i = 0; i < count; i++) run_batch(batches[i]);
  return 0;
}
