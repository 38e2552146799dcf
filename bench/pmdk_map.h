/* PMDK's own reference maps (the libpmemobj examples compiled in place by
 * the pmdk_examples target: hashmap/hashmap_tx.c and tree_map/btree_map.c),
 * driven through the examples' common map interface (map/map.h) on a pool
 * of their own. u64 keys to u64 values; a value travels as the `off` of a
 * PMEMoid (the examples store PMEMoid values), so it must not be 0. Every
 * insert and remove is the example's own transaction (hashmap_tx rebuilds
 * in a second transaction after the insert or remove that triggers it). */
#ifndef PSCHEMA_BENCH_PMDK_MAP_H
#define PSCHEMA_BENCH_PMDK_MAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum pmdk_map_kind {
  PMDK_MAP_HASHMAP_TX, /* hashmap/hashmap_tx.c */
  PMDK_MAP_BTREE       /* tree_map/btree_map.c */
};

struct pmdk_map;

/* Creates a new pool file of `pool_size` bytes with an empty map of `kind`
 * in its root (fails if the file exists). For the hash map, `seed` seeds
 * rand() right before the example draws its hash coefficients, so that a
 * caller that calls srand(seed) and draws the same way gets the same ones.
 * NULL on failure (see pmdk_map_errormsg). */
struct pmdk_map* pmdk_map_create(const char* path, size_t pool_size, enum pmdk_map_kind kind, uint32_t seed);
/* Opens a pool that pmdk_map_create made (with the same `kind`) after it
 * was closed. NULL on failure (see pmdk_map_errormsg). */
struct pmdk_map* pmdk_map_open(const char* path, enum pmdk_map_kind kind);
/* Closes the pool and frees `map`. */
void pmdk_map_close(struct pmdk_map* map);

/* The example's insert: 0 if inserted, 1 if the key was there (hashmap_tx
 * only: btree_map does not check and would store a duplicate), -1 on failure. */
int pmdk_map_insert(struct pmdk_map* map, uint64_t key, uint64_t value);
/* Inserts keys[i] -> values[i] for i < n in one transaction (the
 * example's inserts nest into it). With `locked`, the transaction holds
 * a PMEMmutex in the pool's root (TX_PARAM_MUTEX), so that threads may
 * call it at once: the examples' maps are not thread-safe. 0 on success,
 * -1 if the transaction aborted (nothing inserted). */
int pmdk_map_insert_tx(struct pmdk_map* map, const uint64_t* keys, const uint64_t* values, size_t n, int locked);
/* 1 and the value in `*value` if `key` is in the map, else 0. */
int pmdk_map_get(const struct pmdk_map* map, uint64_t key, uint64_t* value);
/* Removes `key`: 1 and its value in `*value` if it was there, else 0. */
int pmdk_map_remove(struct pmdk_map* map, uint64_t key, uint64_t* value);
/* The number of keys: the hash map's count field; for the B-tree (whose
 * example keeps no count) a full walk. */
uint64_t pmdk_map_count(const struct pmdk_map* map);
/* Calls `visit` for every entry (in key order for the B-tree) until it
 * returns nonzero; returns that value, or 0. */
int pmdk_map_foreach(const struct pmdk_map* map, int (*visit)(uint64_t key, uint64_t value, void* arg), void* arg);

/* The last libpmemobj error message of this thread. */
const char* pmdk_map_errormsg(void);

#ifdef __cplusplus
}
#endif

#endif
