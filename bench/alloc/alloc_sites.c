// LD_PRELOAD allocation profiler for bench/alloc-sites.sh: counts heap
// allocations (malloc, calloc, realloc, posix_memalign) by call stack, so the
// sites a proxied request allocates at can be listed with their counts.
// SIGRTMIN+6 clears the table (after a warm-up); SIGRTMIN+5 writes it to
// ALLOC_SITES_FILE: one line per stack, "COUNT ADDRESS ADDRESS ...".
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEPTH 10
#define SLOTS (1 << 16)

struct site { _Atomic uint64_t hash; _Atomic uint64_t count; void *frames[DEPTH]; int depth; };
static struct site table[SLOTS];
static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void (*real_free)(void *);
static __thread int inside;
static char bootstrap[1 << 16];
static size_t boot_used;
static char out_path[512];

static void *boot_alloc(size_t n) { n = (n + 15) & ~15UL; void *p = bootstrap + boot_used; boot_used += n; return p; }

static void init(void) {
  if (real_malloc) return;
  real_calloc = dlsym(RTLD_NEXT, "calloc");
  real_malloc = dlsym(RTLD_NEXT, "malloc");
  real_realloc = dlsym(RTLD_NEXT, "realloc");
  real_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
  real_free = dlsym(RTLD_NEXT, "free");
}

/// Counts one allocation under its call stack (the hook's own frame skipped).
static void record(void) {
  if (inside) return;
  inside = 1;
  void *frames[DEPTH + 2];
  int depth = backtrace(frames, DEPTH + 2) - 2;
  if (depth > 0) {
    uint64_t hash = 1469598103934665603ULL;
    for (int i = 0; i < depth; i++) hash = (hash ^ (uint64_t)(uintptr_t)frames[i + 2]) * 1099511628211ULL;
    if (hash == 0) hash = 1;
    for (uint64_t probe = 0; probe < SLOTS; probe++) {
      struct site *s = &table[(hash + probe) & (SLOTS - 1)];
      uint64_t expected = 0;
      if (atomic_load(&s->hash) == hash) { atomic_fetch_add(&s->count, 1); break; }
      if (atomic_compare_exchange_strong(&s->hash, &expected, hash)) {
        memcpy(s->frames, frames + 2, sizeof(void *) * depth);
        s->depth = depth;
        atomic_fetch_add(&s->count, 1);
        break;
      }
      if (expected == hash) { atomic_fetch_add(&s->count, 1); break; }
    }
  }
  inside = 0;
}

static void clear(int sig) { (void)sig; for (int i = 0; i < SLOTS; i++) atomic_store(&table[i].count, 0); }

static void dump(int sig) {
  (void)sig;
  int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  char line[64 + DEPTH * 20];
  for (int i = 0; i < SLOTS; i++) {
    uint64_t count = atomic_load(&table[i].count);
    if (!count) continue;
    int n = snprintf(line, sizeof line, "%lu", (unsigned long)count);
    for (int f = 0; f < table[i].depth; f++) n += snprintf(line + n, sizeof line - n, " %p", table[i].frames[f]);
    line[n++] = '\n';
    write(fd, line, n);
  }
  close(fd);
}

__attribute__((constructor)) static void setup(void) {
  init();
  void *warm[4];
  inside = 1; backtrace(warm, 4); inside = 0;  // loads the unwinder before any hook runs
  const char *f = getenv("ALLOC_SITES_FILE");
  if (f) strncpy(out_path, f, sizeof out_path - 1);
  signal(SIGRTMIN + 5, dump);
  signal(SIGRTMIN + 6, clear);
}

void *malloc(size_t n) { if (!real_malloc) { init(); if (!real_malloc) return boot_alloc(n); } record(); return real_malloc(n); }
void *calloc(size_t a, size_t b) {
  if (!real_calloc) { void *p = boot_alloc(a * b); memset(p, 0, a * b); return p; }
  record(); return real_calloc(a, b);
}
void *realloc(void *p, size_t n) { init(); record(); return real_realloc(p, n); }
int posix_memalign(void **p, size_t a, size_t n) { init(); record(); return real_posix_memalign(p, a, n); }
void free(void *p) { if ((char *)p >= bootstrap && (char *)p < bootstrap + sizeof bootstrap) return; init(); real_free(p); }
