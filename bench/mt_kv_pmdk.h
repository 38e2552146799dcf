/* The multi-threaded KV baseline on PMDK libpmemobj: 65,536 chained buckets,
 * each with its own PMEMmutex. Every function may be called from several
 * threads at once on the same store. */
#ifndef PSCHEMA_BENCH_MT_KV_PMDK_H
#define PSCHEMA_BENCH_MT_KV_PMDK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MT_KV_PMDK_BUCKETS 65536

struct mt_kv_pmdk;

/* NULL (errno set) on failure. */
struct mt_kv_pmdk* mt_kv_pmdk_create(const char* path, size_t pool_size);
void mt_kv_pmdk_close(struct mt_kv_pmdk* kv);

/* 1: inserted; 0: the key was present (nothing changed); -1: the
 * transaction failed (errno set). */
int mt_kv_pmdk_put(struct mt_kv_pmdk* kv, uint64_t key, uint64_t value);

/* 1 and *value set if present, else 0. */
int mt_kv_pmdk_get(struct mt_kv_pmdk* kv, uint64_t key, uint64_t* value);

/* The sum of the buckets' counts (locks each bucket in turn). */
uint64_t mt_kv_pmdk_count(struct mt_kv_pmdk* kv);

#ifdef __cplusplus
}
#endif

#endif
