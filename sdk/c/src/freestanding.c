/* What a freestanding wasm32 guest (--target=wasm32 -nostdlib) lacks:
 * malloc/free for the host's allocations, and the memory functions clang
 * may call on its own. The allocator is a first-fit free list in pages
 * taken with memory.grow; a request's instance lives for one request, so
 * it never coalesces or returns memory. no_builtin keeps clang from
 * turning the byte loops below into calls to themselves. */
#include <stddef.h>
#include <stdint.h>

typedef struct block {
  size_t size; /* payload bytes, a multiple of 8 */
  struct block* next;
} block;

static block* free_list;
static uintptr_t heap_at, heap_end;

static int grow(size_t bytes) {
  size_t pages = (bytes + 65535) / 65536;
  size_t old = __builtin_wasm_memory_grow(0, pages);
  if (old == (size_t)-1) return 0;
  if (heap_end != old * 65536) heap_at = old * 65536; /* not contiguous: start afresh */
  heap_end = (old + pages) * 65536;
  return 1;
}

void* malloc(size_t size) {
  if (size == 0) size = 1;
  size = (size + 7) & ~(size_t)7;
  for (block** p = &free_list; *p; p = &(*p)->next) {
    if ((*p)->size >= size) {
      block* b = *p;
      *p = b->next;
      return (char*)b + 8;
    }
  }
  if (heap_end - heap_at < size + 8 && !grow(size + 8)) return NULL;
  block* b = (block*)heap_at;
  b->size = size;
  heap_at += size + 8;
  return (char*)b + 8;
}

void free(void* ptr) {
  if (!ptr) return;
  block* b = (block*)((char*)ptr - 8);
  b->next = free_list;
  free_list = b;
}

__attribute__((no_builtin)) void* memcpy(void* dst, const void* src, size_t n) {
  char* d = dst;
  const char* s = src;
  while (n--) *d++ = *s++;
  return dst;
}

__attribute__((no_builtin)) void* memmove(void* dst, const void* src, size_t n) {
  char* d = dst;
  const char* s = src;
  if (d < s) {
    while (n--) *d++ = *s++;
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

__attribute__((no_builtin)) void* memset(void* dst, int c, size_t n) {
  unsigned char* d = dst;
  while (n--) *d++ = (unsigned char)c;
  return dst;
}

__attribute__((no_builtin)) int memcmp(const void* a, const void* b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (; n--; ++x, ++y)
    if (*x != *y) return *x - *y;
  return 0;
}

__attribute__((no_builtin)) size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) ++n;
  return n;
}

/* clang turns malloc followed by a zeroing loop into calloc. */
void* calloc(size_t n, size_t size) {
  if (size && n > (size_t)-1 / size) return NULL;
  char* p = malloc(n * size);
  if (p) memset(p, 0, n * size);
  return p;
}

void* realloc(void* ptr, size_t size) {
  if (!ptr) return malloc(size);
  block* b = (block*)((char*)ptr - 8);
  if (b->size >= size) return ptr;
  void* p = malloc(size);
  if (p) {
    memcpy(p, ptr, b->size);
    free(ptr);
  }
  return p;
}
