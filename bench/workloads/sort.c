// Branch-heavy code: quicksort (median of three, insertion sort for small
// ranges), heapsort and a bottom-up merge sort on the same pseudo-random
// keys. Checked by each result being ordered, the three agreeing element for
// element, and the multiset being preserved (sum and xor). Scale: rounds of
// 200k keys.
#include <string.h>

#include "bench.h"

static void insertion(int32_t* a, int lo, int hi) {
  for (int i = lo + 1; i <= hi; i++) {
    int32_t v = a[i];
    int j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quick(int32_t* a, int lo, int hi) {
  while (hi - lo > 16) {
    int mid = lo + (hi - lo) / 2;
    if (a[mid] < a[lo]) { int32_t t = a[mid]; a[mid] = a[lo]; a[lo] = t; }
    if (a[hi] < a[lo]) { int32_t t = a[hi]; a[hi] = a[lo]; a[lo] = t; }
    if (a[hi] < a[mid]) { int32_t t = a[hi]; a[hi] = a[mid]; a[mid] = t; }
    int32_t p = a[mid];
    int i = lo, j = hi;
    while (i <= j) {
      while (a[i] < p) i++;
      while (a[j] > p) j--;
      if (i <= j) {
        int32_t t = a[i]; a[i] = a[j]; a[j] = t;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      quick(a, lo, j);
      lo = i;
    } else {
      quick(a, i, hi);
      hi = j;
    }
  }
  insertion(a, lo, hi);
}

static void sift(int32_t* a, int root, int n) {
  for (;;) {
    int c = 2 * root + 1;
    if (c >= n) return;
    if (c + 1 < n && a[c + 1] > a[c]) c++;
    if (a[root] >= a[c]) return;
    int32_t t = a[root]; a[root] = a[c]; a[c] = t;
    root = c;
  }
}

static void heap(int32_t* a, int n) {
  for (int i = n / 2 - 1; i >= 0; i--) sift(a, i, n);
  for (int end = n - 1; end > 0; end--) {
    int32_t t = a[0]; a[0] = a[end]; a[end] = t;
    sift(a, 0, end);
  }
}

static void merge_sort(int32_t* a, int32_t* tmp, int n) {
  for (int w = 1; w < n; w *= 2) {
    for (int lo = 0; lo < n; lo += 2 * w) {
      int mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      int i = lo, j = mid, k = lo;
      while (i < mid && j < hi) tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
      while (i < mid) tmp[k++] = a[i++];
      while (j < hi) tmp[k++] = a[j++];
    }
    memcpy(a, tmp, (size_t)n * sizeof *a);
  }
}

int main(int argc, char** argv) {
  long reps = bench_scale(argc, argv, 4);
  enum { N = 200000 };
  int32_t* a = malloc(N * sizeof(int32_t));
  int32_t* b = malloc(N * sizeof(int32_t));
  int32_t* c = malloc(N * sizeof(int32_t));
  int32_t* tmp = malloc(N * sizeof(int32_t));
  BENCH_CHECK(a && b && c && tmp, "out of memory");
  bench_rng rng = {42};
  uint32_t acc = 0;
  for (long r = 0; r < reps; r++) {
    uint32_t sum = 0, x = 0;
    // Some rounds have many duplicates, which changes the branch pattern.
    uint32_t mod = (r % 3 == 2) ? 1000 : 0xffffffffu;
    for (int i = 0; i < N; i++) {
      a[i] = (int32_t)((uint32_t)bench_next(&rng) % mod);
      sum += (uint32_t)a[i];
      x ^= (uint32_t)a[i];
    }
    memcpy(b, a, N * sizeof *a);
    memcpy(c, a, N * sizeof *a);
    quick(a, 0, N - 1);
    heap(b, N);
    merge_sort(c, tmp, N);
    uint32_t s2 = 0, x2 = 0;
    for (int i = 0; i < N; i++) {
      BENCH_CHECK(i == 0 || a[i - 1] <= a[i], "quicksort order at %d", i);
      BENCH_CHECK(a[i] == b[i] && a[i] == c[i], "sorts disagree at %d", i);
      s2 += (uint32_t)a[i];
      x2 ^= (uint32_t)a[i];
    }
    BENCH_CHECK(s2 == sum && x2 == x, "multiset changed");
    acc += (uint32_t)a[N / 2];
  }
  printf("sort: reps=%ld checksum=%08x\n", reps, acc);
  return 0;
}
