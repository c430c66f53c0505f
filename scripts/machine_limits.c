/* This machine's limits for scripts/bench.sh, as one JSON object:
 *   fma_gflops        float32 FMA throughput of all cores: independent vector FMA chains, no memory traffic
 *   stream_triad_gbs  STREAM's triad a[i] = b[i] + s*c[i] on all cores, arrays far larger than the caches,
 *                     counted as STREAM counts it (3 arrays x 4 bytes per element; write-allocate not counted)
 * Best of several repetitions each, as STREAM reports. Build: cc -O3 -march=native -pthread machine_limits.c
 * (-O3: at -O2 gcc keeps the accumulators in memory and the FMA figure comes out 2-3x low).
 */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define WIDTH 16
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SET1(x) _mm512_set1_ps(x)
#define SUM(v) _mm512_reduce_add_ps(v)
#elif defined(__FMA__)
typedef __m256 vec;
#define WIDTH 8
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SET1(x) _mm256_set1_ps(x)
static float SUM(__m256 v) { float f[8]; _mm256_storeu_ps(f, v); return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7]; }
#else
#error "needs FMA (AVX2) or AVX-512"
#endif

#define CHAINS 12           /* > latency (4) x FMA pipes (2): every pipe kept busy */
#define FMA_ITERATIONS 50000000L
#define STREAM_N (40L * 1000 * 1000)   /* 160 MB per array */

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static volatile float sink;

static void *fma_thread(void *arg) {
    (void) arg;
    vec acc[CHAINS];
    for (int i = 0; i < CHAINS; i++) acc[i] = SET1(1.0f + i * 1e-3f);
    const vec a = SET1(0.999999f), b = SET1(1e-7f);
    for (long n = 0; n < FMA_ITERATIONS; n++)
        for (int i = 0; i < CHAINS; i++) acc[i] = FMA(acc[i], a, b);
    float s = 0;
    for (int i = 0; i < CHAINS; i++) s += SUM(acc[i]);
    sink = s;
    return NULL;
}

struct part { float *a, *b, *c; long from, to; };

static void *triad_thread(void *arg) {
    struct part *p = arg;
    for (long i = p->from; i < p->to; i++) p->a[i] = p->b[i] + 3.0f * p->c[i];
    return NULL;
}

/* Runs fn on every core at once; returns the wall time. */
static double on_all_cores(int cores, void *(*fn)(void *), void *args, size_t argSize) {
    pthread_t threads[256];
    double start = now();
    for (int t = 0; t < cores; t++) pthread_create(&threads[t], NULL, fn, (char *) args + t * argSize);
    for (int t = 0; t < cores; t++) pthread_join(threads[t], NULL);
    return now() - start;
}

int main(void) {
    int cores = (int) sysconf(_SC_NPROCESSORS_ONLN);
    if (cores > 256) cores = 256;
    double best = 1e30;
    for (int r = 0; r < 3; r++) {
        double s = on_all_cores(cores, fma_thread, (char[256]) {0}, 0);
        if (s < best) best = s;
    }
    double fma = 2.0 * WIDTH * CHAINS * FMA_ITERATIONS * cores / best / 1e9;

    float *a = aligned_alloc(64, STREAM_N * 4), *b = aligned_alloc(64, STREAM_N * 4), *c = aligned_alloc(64, STREAM_N * 4);
    struct part parts[256];
    for (int t = 0; t < cores; t++)
        parts[t] = (struct part) {a, b, c, STREAM_N * t / cores, STREAM_N * (t + 1) / cores};
    for (long i = 0; i < STREAM_N; i++) { a[i] = 0; b[i] = 1; c[i] = 2; }   /* pages faulted in before timing */
    best = 1e30;
    for (int r = 0; r < 10; r++) {
        double s = on_all_cores(cores, triad_thread, parts, sizeof(struct part));
        if (s < best) best = s;
    }
    double triad = 3.0 * 4 * STREAM_N / best / 1e9;
    printf("{\"cores\": %d, \"vector_floats\": %d, \"fma_gflops\": %.1f, \"stream_triad_gbs\": %.1f}\n", cores, WIDTH,
           fma, triad);
    return 0;
}
