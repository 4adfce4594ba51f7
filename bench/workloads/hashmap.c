// Allocation-heavy code: a chained hash map with string keys, one malloc per
// node and per key, growing by rehashing; inserts, lookups, updates and
// deletes in a pseudo-random mix. Checked against a shadow array indexed by
// key number that records what the map must hold. Scale: rounds of 200k
// operations.
#include <string.h>

#include "bench.h"

typedef struct node { struct node* next; uint32_t hash; char* key; int64_t value; } node;
typedef struct { node** slots; uint32_t mask, count; } map;

static uint32_t hash_str(const char* s) {
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
  return h;
}

static void map_grow(map* m) {
  uint32_t n = (m->mask + 1) * 2;
  node** slots = calloc(n, sizeof(node*));
  BENCH_CHECK(slots != NULL, "oom");
  for (uint32_t i = 0; i <= m->mask; i++) {
    node* e = m->slots[i];
    while (e) {
      node* next = e->next;
      e->next = slots[e->hash & (n - 1)];
      slots[e->hash & (n - 1)] = e;
      e = next;
    }
  }
  free(m->slots);
  m->slots = slots;
  m->mask = n - 1;
}

static node** map_find(map* m, const char* key, uint32_t h) {
  node** p = &m->slots[h & m->mask];
  while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0)) p = &(*p)->next;
  return p;
}

static void map_put(map* m, const char* key, int64_t v) {
  uint32_t h = hash_str(key);
  node** p = map_find(m, key, h);
  if (*p) { (*p)->value = v; return; }
  node* e = malloc(sizeof *e);
  BENCH_CHECK(e != NULL, "oom");
  e->key = strdup(key);
  e->hash = h;
  e->value = v;
  e->next = NULL;
  *p = e;
  if (++m->count > m->mask) map_grow(m);
}

static int map_get(map* m, const char* key, int64_t* out) {
  node** p = map_find(m, key, hash_str(key));
  if (!*p) return 0;
  *out = (*p)->value;
  return 1;
}

static int map_del(map* m, const char* key) {
  node** p = map_find(m, key, hash_str(key));
  if (!*p) return 0;
  node* e = *p;
  *p = e->next;
  free(e->key);
  free(e);
  m->count--;
  return 1;
}

static void map_free(map* m) {
  for (uint32_t i = 0; i <= m->mask; i++)
    for (node* e = m->slots[i]; e;) {
      node* n = e->next;
      free(e->key);
      free(e);
      e = n;
    }
  free(m->slots);
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 2);
  enum { KEYS = 50000, OPS = 200000 };
  int64_t* shadow = malloc(KEYS * sizeof(int64_t));
  char* present = malloc(KEYS);
  BENCH_CHECK(shadow && present, "oom");
  bench_rng rng = {99};
  int64_t acc = 0;
  for (long r = 0; r < reps; r++) {
    map m = {calloc(16, sizeof(node*)), 15, 0};
    memset(present, 0, KEYS);
    uint32_t live = 0;
    char key[32];
    for (int i = 0; i < OPS; i++) {
      uint64_t x = bench_next(&rng);
      uint32_t k = (uint32_t)(x % KEYS);
      snprintf(key, sizeof key, "key:%u/%u", k, k * 7u);
      int op = (int)((x >> 32) % 10);
      if (op < 5) {
        int64_t v = (int64_t)(x >> 40) - i;
        map_put(&m, key, v);
        if (!present[k]) live++;
        present[k] = 1;
        shadow[k] = v;
      } else if (op < 8) {
        int64_t v;
        int found = map_get(&m, key, &v);
        BENCH_CHECK(found == present[k], "lookup presence of %s", key);
        if (found) {
          BENCH_CHECK(v == shadow[k], "lookup value of %s", key);
          acc += v;
        }
      } else {
        int gone = map_del(&m, key);
        BENCH_CHECK(gone == present[k], "delete presence of %s", key);
        if (gone) live--;
        present[k] = 0;
      }
    }
    BENCH_CHECK(m.count == live, "count %u vs %u", m.count, live);
    map_free(&m);
  }
  printf("hashmap: reps=%ld checksum=%lld\n", reps, (long long)acc);
  free(shadow);
  free(present);
  return 0;
}
