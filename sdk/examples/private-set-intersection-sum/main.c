/* private-set-intersection-sum (C): for each batch, how many of a retailer's customers appear in
 * a sample, and the total of their values, as Veracruz's example.
 *
 * Inputs (postcard, as Veracruz's generator writes them; every integer is an unsigned LEB128
 * varint, a sequence is its length then its elements):
 *   /input/private-set-inter-sum/<batch>/data.dat    Vec<((u64, u64), u32)>: customer id, value
 *   /input/private-set-inter-sum/<batch>/sample.dat  Vec<(u64, u64)>: customer ids
 * Output: /output/private-set-inter-sum/<batch>  postcard (usize, u64): the number of data
 *   records whose id is in the sample, then the sum of their values.
 * A file of another shape (a varint too long or too large for its type, a record cut short, bytes
 * left over) is refused with a message and exit code 1, before any output is written.
 */
#include "veracruz.h"

typedef struct { uint64_t hi, lo; } customer_id;
typedef struct { customer_id id; uint32_t value; } record;

typedef struct {
  const unsigned char *at, *end;
  const char *path;
} reader;

static void bad(const reader *r, const char *what) {
  vc_fail("%s: not a postcard %s", r->path, what);
}

/* An unsigned varint of at most `bits` bits (postcard refuses longer or larger ones). */
static uint64_t varint(reader *r, unsigned bits, const char *what) {
  uint64_t value = 0;
  unsigned max_bytes = (bits + 6) / 7;
  for (unsigned i = 0; i < max_bytes; i++) {
    if (r->at == r->end) bad(r, what);
    unsigned char byte = *r->at++;
    uint64_t part = byte & 0x7f;
    if (i == max_bytes - 1 && (part >> (bits - 7 * i)) != 0) bad(r, what);
    value |= part << (7 * i);
    if (byte < 0x80) return value;
  }
  bad(r, what);
  return 0;
}

static int compare_ids(const void *a, const void *b) {
  const customer_id *x = a, *y = b;
  if (x->hi != y->hi) return x->hi < y->hi ? -1 : 1;
  return x->lo < y->lo ? -1 : x->lo > y->lo ? 1 : 0;
}

typedef struct {
  char name[256];
  uint64_t count, sum;
} batch_result;

static void run_batch(const char *batch, batch_result *out) {
  char sample_path[4096], data_path[4096];
  size_t sample_len, data_len;
  snprintf(sample_path, sizeof sample_path, "/input/private-set-inter-sum/%s/sample.dat", batch);
  snprintf(data_path, sizeof data_path, "/input/private-set-inter-sum/%s/data.dat", batch);
  unsigned char *sample_bytes = vc_read_file_or_exit(sample_path, &sample_len);
  reader r = {sample_bytes, sample_bytes + sample_len, sample_path};
  const char *sample_shape = "Vec<(u64, u64)>";
  uint64_t samples = varint(&r, 32, sample_shape);
  if (samples > (uint64_t)(r.end - r.at) / 2) bad(&r, sample_shape); /* 2 bytes an id at least */
  customer_id *sample = malloc((samples + 1) * sizeof *sample);
  for (uint64_t i = 0; i < samples; i++) {
    sample[i].hi = varint(&r, 64, sample_shape);
    sample[i].lo = varint(&r, 64, sample_shape);
  }
  if (r.at != r.end) bad(&r, sample_shape);
  free(sample_bytes);
  qsort(sample, samples, sizeof *sample, compare_ids);

  unsigned char *data = vc_read_file_or_exit(data_path, &data_len);
  r = (reader){data, data + data_len, data_path};
  const char *data_shape = "Vec<((u64, u64), u32)>";
  uint64_t records = varint(&r, 32, data_shape);
  if (records > (uint64_t)(r.end - r.at) / 3) bad(&r, data_shape); /* 3 bytes a record at least */
  out->count = 0;
  out->sum = 0;
  for (uint64_t i = 0; i < records; i++) {
    customer_id key;
    key.hi = varint(&r, 64, data_shape);
    key.lo = varint(&r, 64, data_shape);
    uint32_t value = (uint32_t)varint(&r, 32, data_shape);
    if (samples && bsearch(&key, sample, samples, sizeof *sample, compare_ids)) {
      out->count += 1;
      out->sum += value;
    }
  }
  if (r.at != r.end) bad(&r, data_shape);
  free(sample);
  free(data);
  snprintf(out->name, sizeof out->name, "%s", batch);
}

static size_t put_varint(unsigned char *p, uint64_t value) {
  size_t n = 0;
  while (value >= 0x80) {
    p[n++] = (unsigned char)(value & 0x7f) | 0x80;
    value >>= 7;
  }
  p[n++] = (unsigned char)value;
  return n;
}

int main(void) {
  size_t count = 0;
  char **batches = vc_list_dir("/input/private-set-inter-sum", &count);
  if (!batches) vc_fail("cannot list /input/private-set-inter-sum: %s", strerror(errno));
  batch_result *results = calloc(count + 1, sizeof *results);
  for (size_t i = 0; i < count; i++) run_batch(batches[i], &results[i]);
  if (mkdir("/output/private-set-inter-sum", 0755) != 0 && errno != EEXIST)
    vc_fail("cannot create /output/private-set-inter-sum: %s", strerror(errno));
  for (size_t i = 0; i < count; i++) {
    char path[4096];
    unsigned char bytes[20];
    size_t n = put_varint(bytes, results[i].count);
    n += put_varint(bytes + n, results[i].sum);
    snprintf(path, sizeof path, "/output/private-set-inter-sum/%s", results[i].name);
    vc_write_file_or_exit(path, bytes, n);
  }
  return 0;
}
