/* huffman-encoding (C): Huffman-codes a text, then decodes the code to check it.
 *
 * Input:  /input/hello-world-1.dat  any bytes (symbols are bytes)
 * Output: /output/encoded_output.dat  the code as ASCII '0'/'1', then "\n\n", then the decoded
 *         bytes (equal to the input), as in Veracruz's example.
 * The tree is deterministic: nodes are ordered by (frequency, rank), where a leaf's rank is its
 * byte value and the k-th merged node's rank is 256 + k; each step merges the two smallest nodes,
 * the smaller becoming the '0' branch. A text with a single distinct byte codes it as "0".
 */
#include "veracruz.h"

#define MAX_NODES 511

static uint64_t freq[MAX_NODES];
static int left[MAX_NODES], right[MAX_NODES], active[MAX_NODES];
static char code[256][256];
static int code_len[256];

static int smallest(int count) {
  int best = -1;
  for (int i = 0; i < count; i++)
    if (active[i] && (best < 0 || freq[i] < freq[best])) best = i; /* ties: lower rank wins */
  active[best] = 0;
  return best;
}

static void assign(int node, char *prefix, int depth) {
  if (node < 256) {
    memcpy(code[node], prefix, depth);
    code_len[node] = depth;
    return;
  }
  prefix[depth] = '0';
  assign(left[node], prefix, depth + 1);
  prefix[depth] = '1';
  assign(right[node], prefix, depth + 1);
}

int main(void) {
  size_t len;
  unsigned char *text = vc_read_file_or_exit("/input/hello-world-1.dat", &len);
  for (size_t i = 0; i < len; i++) freq[text[i]]++;
  int symbols = 0, count = 256, root = -1;
  for (int b = 0; b < 256; b++)
    if (freq[b]) { active[b] = 1; symbols++; root = b; }
  /* Internal nodes live at 256.. so that index order is rank order. */
  for (int merges = 0; merges + 1 < symbols; merges++) {
    int a = smallest(count), b = smallest(count);
    freq[count] = freq[a] + freq[b];
    left[count] = a;
    right[count] = b;
    active[count] = 1;
    root = count++;
  }
  char prefix[256];
  if (symbols == 1) { code[root][0] = '0'; code_len[root] = 1; }
  else if (symbols > 1) assign(root, prefix, 0);
  size_t bits = 0;
  for (size_t i = 0; i < len; i++) bits += (size_t)code_len[text[i]];
  unsigned char *out = malloc(bits + 2 + len + 1);
  size_t at = 0;
  for (size_t i = 0; i < len; i++) {
    memcpy(out + at, code[text[i]], (size_t)code_len[text[i]]);
    at += (size_t)code_len[text[i]];
  }
  out[at++] = '\n';
  out[at++] = '\n';
  for (size_t i = 0; i < bits;) { /* decode by walking the tree */
    int node = root;
    if (symbols == 1) i++;
    else
      while (node >= 256) node = out[i++] == '0' ? left[node] : right[node];
    out[at++] = (unsigned char)node;
  }
  vc_write_file_or_exit("/output/encoded_output.dat", out, at);
  return 0;
}
