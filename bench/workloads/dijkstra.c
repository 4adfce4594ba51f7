// Graph search: Dijkstra's shortest paths with an indexed binary heap
// (decrease-key through a position array) over a generated sparse directed
// graph in compressed-row form (a grid-like road network with random
// shortcuts and weights), from several sources, plus path reconstruction.
// Held out: written after the interpreter was tuned, never profiled.
// Checked by the optimality certificate of each distance array (every edge
// satisfies d[v] <= d[u] + w, and every reached vertex other than the source
// has a tight incoming edge: with positive weights that proves the distances
// exact), by an O(V^2) array-scan Dijkstra on a subgraph agreeing, and by each
// reconstructed path's weight summing to its distance.
// Scale: sources (each a full single-source search over 40000 vertices).
#include <string.h>

#include "bench.h"

enum { SIDE = 200, NV = SIDE * SIDE, SHORTCUTS = 2, SMALL = 600 };
#define INF UINT32_MAX

typedef struct {
  uint32_t* first;  // NV + 1 offsets
  uint32_t* to;
  uint32_t* w;
  uint32_t ne;
} graph;

// Grid edges both ways (weights 10..109, like road lengths) plus SHORTCUTS
// random longer-range edges per vertex (weights 50..1049).
static void build_graph(graph* g, bench_rng* rng) {
  uint32_t cap = NV * (4 + SHORTCUTS);
  g->first = malloc(sizeof(uint32_t) * (NV + 1));
  g->to = malloc(sizeof(uint32_t) * cap);
  g->w = malloc(sizeof(uint32_t) * cap);
  BENCH_CHECK(g->first && g->to && g->w, "oom");
  uint32_t e = 0;
  for (uint32_t v = 0; v < NV; v++) {
    g->first[v] = e;
    uint32_t x = v % SIDE, y = v / SIDE;
    uint32_t nb[4], k = 0;
    if (x > 0) nb[k++] = v - 1;
    if (x + 1 < SIDE) nb[k++] = v + 1;
    if (y > 0) nb[k++] = v - SIDE;
    if (y + 1 < SIDE) nb[k++] = v + SIDE;
    for (uint32_t i = 0; i < k; i++) {
      g->to[e] = nb[i];
      // Symmetric weight from the unordered pair, so the grid is undirected.
      uint32_t a = v < nb[i] ? v : nb[i], b = v < nb[i] ? nb[i] : v;
      uint32_t h = (a * 2654435761u) ^ (b * 40503u + 0x9e3779b9u);
      h ^= h >> 15;
      h *= 2246822519u;
      h ^= h >> 13;
      g->w[e++] = 10 + h % 100;
    }
    for (int s = 0; s < SHORTCUTS; s++) {
      uint64_t r = bench_next(rng);
      // Mostly local jumps (within 8 cells), sometimes anywhere.
      uint32_t t;
      if (r % 8) {
        int dx = (int)((r >> 8) % 17) - 8, dy = (int)((r >> 16) % 17) - 8;
        int tx = (int)x + dx, ty = (int)y + dy;
        if (tx < 0) tx = -tx;
        if (ty < 0) ty = -ty;
        if (tx >= SIDE) tx = 2 * SIDE - 2 - tx;
        if (ty >= SIDE) ty = 2 * SIDE - 2 - ty;
        t = (uint32_t)(ty * SIDE + tx);
      } else {
        t = (uint32_t)((r >> 24) % NV);
      }
      if (t == v) continue;
      g->to[e] = t;
      g->w[e++] = 50 + (uint32_t)((r >> 48) % 1000);
    }
  }
  g->first[NV] = e;
  g->ne = e;
}

// ---- indexed binary heap ------------------------------------------------------

typedef struct {
  uint32_t* heap;  // vertices
  uint32_t* pos;   // position of a vertex in heap, or INF
  uint32_t n;
  const uint32_t* key;
} iheap;

static inline void sift_up(iheap* h, uint32_t i) {
  uint32_t v = h->heap[i], k = h->key[v];
  while (i > 0) {
    uint32_t p = (i - 1) >> 1;
    uint32_t pv = h->heap[p];
    if (h->key[pv] <= k) break;
    h->heap[i] = pv;
    h->pos[pv] = i;
    i = p;
  }
  h->heap[i] = v;
  h->pos[v] = i;
}

static inline void sift_down(iheap* h, uint32_t i) {
  uint32_t v = h->heap[i], k = h->key[v];
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= h->n) break;
    if (c + 1 < h->n && h->key[h->heap[c + 1]] < h->key[h->heap[c]]) c++;
    uint32_t cv = h->heap[c];
    if (h->key[cv] >= k) break;
    h->heap[i] = cv;
    h->pos[cv] = i;
    i = c;
  }
  h->heap[i] = v;
  h->pos[v] = i;
}

static uint32_t heap_pop(iheap* h) {
  uint32_t top = h->heap[0];
  h->pos[top] = INF;
  if (--h->n > 0) {
    h->heap[0] = h->heap[h->n];
    sift_down(h, 0);
  }
  return top;
}

// Returns the number of vertices settled; fills dist and pred.
static uint32_t dijkstra(const graph* g, uint32_t src, uint32_t* dist, uint32_t* pred, iheap* h) {
  for (uint32_t v = 0; v < NV; v++) {
    dist[v] = INF;
    pred[v] = INF;
    h->pos[v] = INF;
  }
  h->key = dist;
  h->n = 0;
  dist[src] = 0;
  h->heap[h->n] = src;
  h->pos[src] = h->n++;
  uint32_t settled = 0;
  while (h->n > 0) {
    uint32_t u = heap_pop(h);
    settled++;
    uint32_t du = dist[u];
    for (uint32_t e = g->first[u], end = g->first[u + 1]; e < end; e++) {
      uint32_t v = g->to[e], nd = du + g->w[e];
      if (nd < dist[v]) {
        dist[v] = nd;
        pred[v] = u;
        if (h->pos[v] == INF) {  // not queued yet (settled vertices never improve)
          h->heap[h->n] = v;
          h->pos[v] = h->n++;
        }
        sift_up(h, h->pos[v]);
      }
    }
  }
  return settled;
}

// ---- checks -------------------------------------------------------------------

static void certify(const graph* g, uint32_t src, const uint32_t* dist) {
  static uint8_t tight[NV];
  memset(tight, 0, sizeof tight);
  BENCH_CHECK(dist[src] == 0, "source distance %u", dist[src]);
  for (uint32_t u = 0; u < NV; u++) {
    if (dist[u] == INF) continue;
    for (uint32_t e = g->first[u]; e < g->first[u + 1]; e++) {
      uint32_t v = g->to[e];
      uint64_t via = (uint64_t)dist[u] + g->w[e];
      BENCH_CHECK(dist[v] != INF && dist[v] <= via, "edge %u->%u not relaxed: %u > %llu", u, v, dist[v],
                  (unsigned long long)via);
      if (dist[v] == via) tight[v] = 1;
    }
  }
  for (uint32_t v = 0; v < NV; v++)
    BENCH_CHECK(v == src || dist[v] == INF || tight[v], "vertex %u (distance %u) has no tight edge", v, dist[v]);
}

// Dijkstra by linear scans on the subgraph of vertices < SMALL (edges leaving
// it dropped), against the heap version run on the same subgraph.
static void check_small(const graph* g, iheap* h, uint32_t* dist, uint32_t* pred) {
  static graph sg;
  static uint32_t first[NV + 1];
  static uint32_t to[SMALL * (4 + SHORTCUTS)], w[SMALL * (4 + SHORTCUTS)];
  uint32_t e2 = 0;
  for (uint32_t v = 0; v < NV; v++) {
    first[v] = e2;
    if (v >= SMALL) continue;
    for (uint32_t e = g->first[v]; e < g->first[v + 1]; e++)
      if (g->to[e] < SMALL) {
        to[e2] = g->to[e];
        w[e2++] = g->w[e];
      }
  }
  first[NV] = e2;
  sg.first = first;
  sg.to = to;
  sg.w = w;
  sg.ne = e2;
  static uint32_t d2[SMALL];
  static uint8_t done[SMALL];
  for (uint32_t src = 0; src < SMALL; src += 149) {
    dijkstra(&sg, src, dist, pred, h);
    for (uint32_t v = 0; v < SMALL; v++) {
      d2[v] = INF;
      done[v] = 0;
    }
    d2[src] = 0;
    for (;;) {
      uint32_t u = INF, best = INF;
      for (uint32_t v = 0; v < SMALL; v++)
        if (!done[v] && d2[v] < best) {
          best = d2[v];
          u = v;
        }
      if (u == INF) break;
      done[u] = 1;
      for (uint32_t e = first[u]; e < first[u + 1]; e++)
        if (d2[u] + w[e] < d2[to[e]]) d2[to[e]] = d2[u] + w[e];
    }
    for (uint32_t v = 0; v < SMALL; v++)
      BENCH_CHECK(d2[v] == dist[v], "subgraph from %u: vertex %u heap %u, scan %u", src, v, dist[v], d2[v]);
  }
}

int main(int argc, char** argv) {
  long sources = bench_scale(argc, argv, 32);
  bench_rng rng = {0xd15ULL};
  graph g;
  build_graph(&g, &rng);
  uint32_t* dist = malloc(sizeof(uint32_t) * NV);
  uint32_t* pred = malloc(sizeof(uint32_t) * NV);
  iheap h = {malloc(sizeof(uint32_t) * NV), malloc(sizeof(uint32_t) * NV), 0, NULL};
  BENCH_CHECK(dist && pred && h.heap && h.pos, "oom");
  check_small(&g, &h, dist, pred);
  uint64_t acc = 0;
  uint32_t far_max = 0;
  for (long s = 0; s < sources; s++) {
    uint32_t src = (uint32_t)(bench_next(&rng) % NV);
    uint32_t settled = dijkstra(&g, src, dist, pred, &h);
    BENCH_CHECK(settled == NV, "from %u only %u of %u vertices reached", src, settled, NV);
    // Certify the first source and every fourth after it (the check costs
    // about as much as the search).
    if (s % 4 == 0) certify(&g, src, dist);
    uint64_t sum = 0;
    uint32_t far = src;
    for (uint32_t v = 0; v < NV; v++) {
      sum += dist[v];
      if (dist[v] > dist[far]) far = v;
    }
    // Walk the farthest vertex's path back and re-add its weights.
    uint64_t pw = 0;
    uint32_t hops = 0;
    for (uint32_t v = far; v != src; v = pred[v]) {
      uint32_t u = pred[v], best = INF;
      BENCH_CHECK(u != INF && ++hops < NV, "broken path at %u", v);
      for (uint32_t e = g.first[u]; e < g.first[u + 1]; e++)
        if (g.to[e] == v && g.w[e] < best) best = g.w[e];
      pw += best;
    }
    BENCH_CHECK(pw == dist[far], "path weight %llu vs distance %u", (unsigned long long)pw, dist[far]);
    if (dist[far] > far_max) far_max = dist[far];
    acc = acc * 1000003u + sum + hops;
  }
  printf("dijkstra: sources=%ld edges=%u checksum=%llu farthest=%u\n", sources, g.ne, (unsigned long long)acc,
         far_max);
  free(g.first);
  free(g.to);
  free(g.w);
  free(dist);
  free(pred);
  free(h.heap);
  free(h.pos);
  return 0;
}
