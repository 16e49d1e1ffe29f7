/* secret-election (C): counts sealed ballots of eligible voters, one ballot each, and gives every
 * voter a receipt proving their ballot was counted, without revealing how anyone voted.
 *
 * Inputs:  /input/election.txt      the election authority's list, one entry a line:
 *                                   "candidate NAME" and "voter NAME" (NAME: 1..32 of [a-z0-9-]).
 *          /input/ballots/<voter>   one file per voter (the file name is the voter: the policy lets
 *                                   each voter write only their own file). Each line is a ballot:
 *                                   64 hex digits (a 32-byte nonce the voter chose), a space, and a
 *                                   candidate's name.
 * Rules:   the first line of a voter's file is their ballot; every further line is refused
 *          ("duplicate": one ballot per voter). A file whose name is not a listed voter is refused
 *          ("ineligible"), and so is a first line that is malformed or names no candidate
 *          ("invalid").
 * Commitment of a ballot: SHA-256("veracruz-ballot" 0x00 || nonce (32 bytes) || candidate name).
 * Merkle tree over the counted ballots' commitments, sorted bytewise: leaf SHA-256(0x00 || c),
 * node SHA-256(0x01 || left || right); a level of odd length carries its last node up unchanged.
 * The root of no leaves is SHA-256 of nothing.
 * Outputs: /output/tally.json  {"root":HEX,"counted":N,"refused":{"duplicate":D,"ineligible":I,
 *                              "invalid":V},"votes":{"NAME":COUNT,...}} (candidates in list order)
 *          /output/receipt-<name>.json  for every listed voter and every ballot file:
 *            {"voter":NAME,"status":"counted","commitment":HEX,"index":I,"leaves":N,
 *             "proof":[HEX,...],"root":HEX,"refused":R}   or
 *            {"voter":NAME,"status":"refused","reason":"ineligible"|"invalid"|"no ballot",
 *             "root":HEX,"refused":R}
 *          where R is the number of the voter's further lines refused as duplicates.
 * The JSON is written without spaces, keys in the order above. Proof: the sibling of each level
 * from the leaf up, skipping the levels where the node is carried up without one.
 */
#include "sha256.h"
#include "veracruz.h"

/* ---- the election ---- */

#define MAX_NAME 32

typedef struct {
  char name[MAX_NAME + 1];
  int listed;          /* a listed voter */
  int has_file;        /* a ballot file exists */
  const char *reason;  /* NULL when counted */
  unsigned char commitment[32];
  size_t duplicates;
  size_t leaf;         /* index among the sorted leaves, when counted */
} voter_t;

static char candidates[256][MAX_NAME + 1];
static size_t ncandidates;
static size_t *votes;

static int valid_name(const char *s, size_t len) {
  if (len == 0 || len > MAX_NAME) return 0;
  for (size_t i = 0; i < len; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return 0;
  return 1;
}

static voter_t *voters;
static size_t nvoters, cap_voters;

static voter_t *voter_named(const char *name, int create) {
  for (size_t i = 0; i < nvoters; i++)
    if (strcmp(voters[i].name, name) == 0) return &voters[i];
  if (!create) return NULL;
  if (nvoters == cap_voters) {
    cap_voters = cap_voters ? cap_voters * 2 : 64;
    voters = realloc(voters, cap_voters * sizeof *voters);
    if (!voters) vc_fail("out of memory");
  }
  voter_t *v = &voters[nvoters++];
  memset(v, 0, sizeof *v);
  strcpy(v->name, name);
  return v;
}

static void read_election(void) {
  size_t len;
  char *text = (char *)vc_read_file_or_exit("/input/election.txt", &len);
  char *line = text;
  while (line < text + len) {
    char *end = memchr(line, '\n', (size_t)(text + len - line));
    if (!end) end = text + len;
    *end = 0;
    if (strncmp(line, "candidate ", 10) == 0 && valid_name(line + 10, strlen(line + 10))) {
      if (ncandidates == 256) vc_fail("more than 256 candidates");
      strcpy(candidates[ncandidates++], line + 10);
    } else if (strncmp(line, "voter ", 6) == 0 && valid_name(line + 6, strlen(line + 6))) {
      voter_named(line + 6, 1)->listed = 1;
    } else if (*line != 0) {
      vc_fail("/input/election.txt: bad line \"%s\"", line);
    }
    line = end + 1;
  }
  free(text);
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* The candidate index of a ballot line, filling its commitment; -1 when the line is invalid. */
static int parse_ballot(const char *line, size_t len, unsigned char commitment[32]) {
  unsigned char nonce[32];
  if (len < 66 || line[64] != ' ') return -1;
  for (int i = 0; i < 32; i++) {
    int hi = hex_value(line[2 * i]), lo = hex_value(line[2 * i + 1]);
    if (hi < 0 || lo < 0) return -1;
    nonce[i] = (unsigned char)(hi * 16 + lo);
  }
  const char *name = line + 65;
  size_t name_len = len - 65;
  for (size_t c = 0; c < ncandidates; c++) {
    if (strlen(candidates[c]) != name_len || memcmp(candidates[c], name, name_len) != 0) continue;
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, "veracruz-ballot", 16); /* with its terminating 0x00 */
    sha256_update(&ctx, nonce, 32);
    sha256_update(&ctx, name, name_len);
    sha256_final(&ctx, commitment);
    return (int)c;
  }
  return -1;
}

static void read_ballot(voter_t *v) {
  char path[64 + MAX_NAME];
  size_t len;
  snprintf(path, sizeof path, "/input/ballots/%s", v->name);
  char *text = (char *)vc_read_file_or_exit(path, &len);
  size_t lines = 0;
  int choice = -1;
  for (char *line = text; line < text + len;) {
    char *end = memchr(line, '\n', (size_t)(text + len - line));
    if (!end) end = text + len;
    if (lines == 0) choice = parse_ballot(line, (size_t)(end - line), v->commitment);
    lines++;
    line = end + 1;
  }
  free(text);
  v->duplicates = lines > 1 ? lines - 1 : 0;
  if (!v->listed) v->reason = "ineligible";
  else if (choice < 0) v->reason = "invalid";
  else votes[choice]++;
}

static int compare_leaves(const void *a, const void *b) {
  return memcmp(*(const unsigned char *const *)a, *(const unsigned char *const *)b, 32);
}

static void hex(FILE *out, const unsigned char *bytes) {
  for (int i = 0; i < 32; i++) fprintf(out, "%02x", bytes[i]);
}

static void node_hash(const unsigned char *left, const unsigned char *right, unsigned char *out) {
  unsigned char one = 1;
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, &one, 1);
  sha256_update(&ctx, left, 32);
  sha256_update(&ctx, right, 32);
  sha256_final(&ctx, out);
}

int main(void) {
  read_election();
  votes = calloc(ncandidates + 1, sizeof *votes);
  size_t files = 0;
  char **names = vc_list_dir("/input/ballots", &files);
  if (!names && errno != ENOENT) vc_fail("cannot list /input/ballots: %s", strerror(errno));
  for (size_t i = 0; i < files; i++) {
    if (!valid_name(names[i], strlen(names[i]))) vc_fail("bad ballot file name %s", names[i]);
    voter_named(names[i], 1)->has_file = 1;
  }
  size_t refused_duplicate = 0, refused_ineligible = 0, refused_invalid = 0, counted = 0;
  for (size_t i = 0; i < nvoters; i++) {
    voter_t *v = &voters[i];
    if (!v->has_file) {
      v->reason = "no ballot";
      continue;
    }
    read_ballot(v);
    refused_duplicate += v->duplicates;
    if (v->reason == NULL) counted++;
    else if (strcmp(v->reason, "ineligible") == 0) refused_ineligible++;
    else refused_invalid++;
  }

  /* The tree: levels[0] are the leaf hashes of the sorted commitments. */
  unsigned char **sorted = malloc((counted + 1) * sizeof *sorted);
  size_t n = 0;
  for (size_t i = 0; i < nvoters; i++)
    if (voters[i].has_file && voters[i].reason == NULL) sorted[n++] = voters[i].commitment;
  qsort(sorted, n, sizeof *sorted, compare_leaves);
  for (size_t i = 0; i < nvoters; i++)
    if (voters[i].has_file && voters[i].reason == NULL)
      for (size_t j = 0; j < n; j++)
        if (sorted[j] == voters[i].commitment) voters[i].leaf = j;
  size_t depth = 1;
  for (size_t w = n; w > 1; w = (w + 1) / 2) depth++;
  unsigned char **levels = malloc(depth * sizeof *levels);
  size_t *widths = malloc(depth * sizeof *widths);
  levels[0] = malloc(n * 32 + 1);
  widths[0] = n;
  for (size_t j = 0; j < n; j++) {
    unsigned char zero = 0;
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, &zero, 1);
    sha256_update(&ctx, sorted[j], 32);
    sha256_final(&ctx, levels[0] + 32 * j);
  }
  for (size_t d = 1; d < depth; d++) {
    size_t w = widths[d - 1], up = (w + 1) / 2;
    levels[d] = malloc(up * 32);
    widths[d] = up;
    for (size_t j = 0; j < up; j++) {
      if (2 * j + 1 < w) node_hash(levels[d - 1] + 64 * j, levels[d - 1] + 64 * j + 32, levels[d] + 32 * j);
      else memcpy(levels[d] + 32 * j, levels[d - 1] + 64 * j, 32);
    }
  }
  unsigned char root[32];
  if (n == 0) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_final(&ctx, root);
  } else {
    memcpy(root, levels[depth - 1], 32);
  }

  FILE *out = fopen("/output/tally.json", "w");
  if (!out) vc_fail("cannot write /output/tally.json: %s", strerror(errno));
  fprintf(out, "{\"root\":\"");
  hex(out, root);
  fprintf(out, "\",\"counted\":%zu,\"refused\":{\"duplicate\":%zu,\"ineligible\":%zu,\"invalid\":%zu},\"votes\":{",
          counted, refused_duplicate, refused_ineligible, refused_invalid);
  for (size_t c = 0; c < ncandidates; c++)
    fprintf(out, "%s\"%s\":%zu", c ? "," : "", candidates[c], votes[c]);
  fprintf(out, "}}");
  if (fclose(out) != 0) vc_fail("cannot write /output/tally.json");

  char path[64 + MAX_NAME];
  for (size_t i = 0; i < nvoters; i++) {
    voter_t *v = &voters[i];
    snprintf(path, sizeof path, "/output/receipt-%s.json", v->name);
    out = fopen(path, "w");
    if (!out) vc_fail("cannot write %s: %s", path, strerror(errno));
    fprintf(out, "{\"voter\":\"%s\",", v->name);
    if (v->reason == NULL) {
      fprintf(out, "\"status\":\"counted\",\"commitment\":\"");
      hex(out, v->commitment);
      fprintf(out, "\",\"index\":%zu,\"leaves\":%zu,\"proof\":[", v->leaf, n);
      size_t at = v->leaf, first = 1;
      for (size_t d = 0; d + 1 < depth; d++) {
        size_t sibling = at ^ 1;
        if (sibling < widths[d]) {
          fprintf(out, "%s\"", first ? "" : ",");
          hex(out, levels[d] + 32 * sibling);
          fprintf(out, "\"");
          first = 0;
        }
        at /= 2;
      }
      fprintf(out, "],");
    } else {
      fprintf(out, "\"status\":\"refused\",\"reason\":\"%s\",", v->reason);
    }
    fprintf(out, "\"root\":\"");
    hex(out, root);
    fprintf(out, "\",\"refused\":%zu}", v->duplicates);
    if (fclose(out) != 0) vc_fail("cannot write %s", path);
  }
  return 0;
}
