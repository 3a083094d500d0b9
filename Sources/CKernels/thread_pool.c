// The engine's thread pool: persistent workers that spin briefly for the next job, then park.
//
// One job at a time per pool (a try-lock; a caller that loses runs its loop serially).
// A job is cut into the fixed chunks count * w / workers; the caller always runs chunk 0,
// and chunks 1 ..< workers go to whoever claims them first (a CAS on `claim`, which packs
// the job's sequence number, its chunk count and the next unclaimed chunk). A worker that
// is asleep or preempted therefore never stalls a job: the caller takes its chunk once
// its own is done. A claim keeps the job alive (the caller waits for `pending`, the
// chunks not yet finished, to reach 0 before it writes the next job), so the job fields
// are only read after a successful claim and never while they are being rewritten.
// Waiting is "spin for a bounded time, then park" on both sides: futex on Linux, one
// mutex + condition variable elsewhere. Park counters let the waker skip the system call
// when nobody sleeps (seq_cst store-then-load on both sides, so a wake-up is never lost).
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#if defined(__linux__) && !defined(IMGVEC_POOL_CONDVAR)
#define IMGVEC_POOL_FUTEX 1   // define IMGVEC_POOL_CONDVAR to test the portable path on Linux
#endif
#include "CKernels.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <sched.h>
#if IMGVEC_POOL_FUTEX
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#define CLAIM_BITS 16
#define CLAIM_MASK ((1u << CLAIM_BITS) - 1u)
// 1 ms: at batch 1 the serial steps between two parallel ones often take 50-500 us, and a
// parked worker then pays a futex wake-up (tens of microseconds here) per op. Measured on
// MobileNetV3 batch 1, 2 threads: 50 us -> 6.9-7.6 ms, 1 ms -> 4.6-5.4 ms. Past the first
// quarter the spinner yields the core each round, so other runnable threads still get it.
#define DEFAULT_SPIN_NS 1000000L

static _Thread_local int inside_pool_body = 0;

struct imgvec_thread_pool {
    long thread_count;                // including the calling thread
    long spin_ns;                     // spin budget before parking
    pthread_mutex_t submit;           // held for a whole job
    pthread_t *threads;               // thread_count - 1 workers, started on the first job
    long launched;                    // workers actually running (under `submit`)
    int started;                      // launch attempted (under `submit`)

    imgvec_thread_pool_body body;     // the current job (written by the caller under `submit`)
    void *context;
    long count, workers;

    _Atomic uint64_t claim;           // sequence << 32 | workers << 16 | next unclaimed chunk
    _Atomic uint32_t generation;      // bumped per job (and at shutdown): what workers wait on
    _Atomic uint32_t pending;         // chunks 1 ..< workers not yet finished
    _Atomic int parked_workers;
    _Atomic int caller_parked;
    _Atomic int stopping;
#if !IMGVEC_POOL_FUTEX
    pthread_mutex_t park_lock;
    pthread_cond_t park_cond;
#endif
};

typedef struct worker_start {
    imgvec_thread_pool *pool;
    uint32_t generation;   // the last job published before the thread started
} worker_start;

// MARK: waiting

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/// Spins up to `budget_ns` while *word == seen; returns the last value read. After the
/// first quarter of the budget each round also yields the core: on an oversubscribed
/// machine the spinner then stops taking time from the thread it is waiting for.
static uint32_t spin_while_equal(_Atomic uint32_t *word, uint32_t seen, long budget_ns) {
    uint32_t value = atomic_load_explicit(word, memory_order_acquire);
    if (value != seen || budget_ns <= 0) return value;
    long start = now_ns(), deadline = start + budget_ns, yield_from = start + budget_ns / 4;
    for (;;) {
        for (int i = 0; i < 32; i++) {
            cpu_relax();
            value = atomic_load_explicit(word, memory_order_acquire);
            if (value != seen) return value;
        }
        long now = now_ns();
        if (now >= deadline) return value;
        if (now >= yield_from) sched_yield();
    }
}

/// Sleeps while *word == seen (may return spuriously; callers loop).
static void park_while_equal(imgvec_thread_pool *pool, _Atomic uint32_t *word, uint32_t seen) {
#if IMGVEC_POOL_FUTEX
    (void)pool;
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
#else
    pthread_mutex_lock(&pool->park_lock);
    if (atomic_load(word) == seen) pthread_cond_wait(&pool->park_cond, &pool->park_lock);
    pthread_mutex_unlock(&pool->park_lock);
#endif
}

/// Wakes every thread parked on `word` (which the caller changed before).
static void wake_all(imgvec_thread_pool *pool, _Atomic uint32_t *word) {
#if IMGVEC_POOL_FUTEX
    (void)pool;
    syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, 0x7fffffff, NULL, NULL, 0);
#else
    (void)word;
    pthread_mutex_lock(&pool->park_lock);
    pthread_cond_broadcast(&pool->park_cond);
    pthread_mutex_unlock(&pool->park_lock);
#endif
}

// MARK: workers

static void run_chunk(imgvec_thread_pool_body body, void *context, long count, long worker, long workers) {
    long start = count * worker / workers;
    long end = count * (worker + 1) / workers;
    body(context, start, end);
}

/// Claims the next unclaimed chunk of the current job, or returns -1 when none is left.
/// A claim keeps the job alive (its caller waits for the chunk), so the job's fields may
/// be read after a successful claim and not before.
static long claim_chunk(imgvec_thread_pool *pool) {
    uint64_t word = atomic_load_explicit(&pool->claim, memory_order_acquire);
    for (;;) {
        uint64_t next = word & CLAIM_MASK, workers = (word >> CLAIM_BITS) & CLAIM_MASK;
        if (next >= workers) return -1;
        if (atomic_compare_exchange_weak_explicit(&pool->claim, &word, word + 1,
                                                  memory_order_acq_rel, memory_order_acquire))
            return (long)next;
    }
}

/// Runs every chunk this thread can still claim.
static void run_claimed_chunks(imgvec_thread_pool *pool) {
    long chunk;
    while ((chunk = claim_chunk(pool)) >= 0) {
        run_chunk(pool->body, pool->context, pool->count, chunk, pool->workers);
        if (atomic_fetch_sub(&pool->pending, 1) == 1 && atomic_load(&pool->caller_parked))
            wake_all(pool, &pool->pending);
    }
}

static void *worker_main(void *argument) {
    worker_start start = *(worker_start *)argument;
    free(argument);
    imgvec_thread_pool *pool = start.pool;
    inside_pool_body = 1;   // this thread only ever runs pool bodies
    uint32_t seen = start.generation;
    for (;;) {
        uint32_t value = spin_while_equal(&pool->generation, seen, pool->spin_ns);
        while (value == seen && !atomic_load(&pool->stopping)) {
            atomic_fetch_add(&pool->parked_workers, 1);
            if (atomic_load(&pool->generation) == seen && !atomic_load(&pool->stopping))
                park_while_equal(pool, &pool->generation, seen);
            atomic_fetch_sub(&pool->parked_workers, 1);
            value = atomic_load_explicit(&pool->generation, memory_order_acquire);
        }
        if (atomic_load(&pool->stopping)) return NULL;
        seen = value;
        run_claimed_chunks(pool);
    }
}

/// Starts the workers (under `submit`). On failure the pool keeps the ones that started;
/// the caller claims the chunks nobody else takes.
static void launch_workers(imgvec_thread_pool *pool) {
    pool->started = 1;
    long wanted = pool->thread_count - 1;
    pool->threads = calloc((size_t)wanted, sizeof(pthread_t));
    if (!pool->threads) return;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setstacksize(&attributes, 8L << 20);   // debug Swift bodies are stack-hungry
    for (long i = 0; i < wanted; i++) {
        worker_start *start = malloc(sizeof(worker_start));
        if (!start) break;
        start->pool = pool;
        start->generation = atomic_load(&pool->generation);
        if (pthread_create(&pool->threads[i], &attributes, worker_main, start) != 0) {
            free(start);
            break;
        }
        pool->launched = i + 1;
    }
    pthread_attr_destroy(&attributes);
}

// MARK: public

imgvec_thread_pool *imgvec_thread_pool_create(long thread_count) {
    if (thread_count < 1) thread_count = 1;
    imgvec_thread_pool *pool = calloc(1, sizeof(imgvec_thread_pool));
    if (!pool) return NULL;
    pool->thread_count = thread_count;
    pool->spin_ns = DEFAULT_SPIN_NS;
    const char *spin = getenv("IMGVEC_POOL_SPIN_US");
    if (spin && *spin) pool->spin_ns = atol(spin) * 1000L;
    pthread_mutex_init(&pool->submit, NULL);
#if !IMGVEC_POOL_FUTEX
    pthread_mutex_init(&pool->park_lock, NULL);
    pthread_cond_init(&pool->park_cond, NULL);
#endif
    return pool;
}

void imgvec_thread_pool_destroy(imgvec_thread_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->submit);
    atomic_store(&pool->stopping, 1);
    atomic_fetch_add(&pool->generation, 1);
    wake_all(pool, &pool->generation);
    for (long i = 0; i < pool->launched; i++) pthread_join(pool->threads[i], NULL);
    pthread_mutex_unlock(&pool->submit);
    free(pool->threads);
    pthread_mutex_destroy(&pool->submit);
#if !IMGVEC_POOL_FUTEX
    pthread_mutex_destroy(&pool->park_lock);
    pthread_cond_destroy(&pool->park_cond);
#endif
    free(pool);
}

int imgvec_thread_pool_inside_body(void) { return inside_pool_body; }

void imgvec_thread_pool_run(imgvec_thread_pool *pool, long count, imgvec_thread_pool_body body, void *context) {
    if (count <= 0) return;
    long workers = pool ? (pool->thread_count < count ? pool->thread_count : count) : 1;
    if (workers == 1 || inside_pool_body || workers > (long)CLAIM_MASK
        || pthread_mutex_trylock(&pool->submit) != 0) {
        body(context, 0, count);
        return;
    }
    if (!pool->started) launch_workers(pool);

    pool->body = body;
    pool->context = context;
    pool->count = count;
    pool->workers = workers;
    atomic_store_explicit(&pool->pending, (uint32_t)(workers - 1), memory_order_relaxed);
    uint64_t sequence = (atomic_load_explicit(&pool->claim, memory_order_relaxed) >> (2 * CLAIM_BITS)) + 1;
    // Chunk 0 is the caller's: the claims start at 1.
    atomic_store(&pool->claim, (sequence << (2 * CLAIM_BITS)) | ((uint64_t)workers << CLAIM_BITS) | 1u);
    atomic_fetch_add(&pool->generation, 1);
    if (atomic_load(&pool->parked_workers) > 0) wake_all(pool, &pool->generation);

    inside_pool_body = 1;
    run_chunk(body, context, count, 0, workers);
    run_claimed_chunks(pool);   // chunks no worker has started yet (asleep, or preempted)
    inside_pool_body = 0;

    for (;;) {
        uint32_t value = atomic_load_explicit(&pool->pending, memory_order_acquire);
        if (value == 0) break;
        value = spin_while_equal(&pool->pending, value, pool->spin_ns);
        if (value == 0) break;
        if (atomic_load_explicit(&pool->pending, memory_order_acquire) != value) continue;
        atomic_store(&pool->caller_parked, 1);
        if (atomic_load(&pool->pending) == value) park_while_equal(pool, &pool->pending, value);
        atomic_store(&pool->caller_parked, 0);
    }
    pthread_mutex_unlock(&pool->submit);
}
