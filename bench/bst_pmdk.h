/* The BST workload's baseline: the same unbalanced binary search tree as
 * bst.pschema and bst_pschema.cpp, in C on PMDK libpmemobj's transaction
 * API (bst_pmdk.c). Every insert is one durable transaction. */
#ifndef PSCHEMA_BENCH_BST_PMDK_H
#define PSCHEMA_BENCH_BST_PMDK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Values are stored inline in the node, NUL-terminated: at most this many bytes. */
#define BST_PMDK_VALUE_MAX 15

struct bst_pmdk;

/* Creates a new pool file of `pool_size` bytes holding an empty tree (fails
 * if the file exists). NULL on failure (see bst_pmdk_errormsg). */
struct bst_pmdk* bst_pmdk_create(const char* path, size_t pool_size);
/* Opens a pool made by bst_pmdk_create. NULL on failure. */
struct bst_pmdk* bst_pmdk_open(const char* path);
/* Closes the pool and frees `tree`. */
void bst_pmdk_close(struct bst_pmdk* tree);

/* Inserts `key` with `value` (`len` bytes, at most BST_PMDK_VALUE_MAX), or
 * replaces the value of an existing key, in one transaction. 0 on success,
 * -1 on failure (too long a value, or the transaction aborted). */
int bst_pmdk_insert(struct bst_pmdk* tree, int64_t key, const char* value, size_t len);
/* 1 and the value in `value` (room for BST_PMDK_VALUE_MAX + 1 bytes,
 * NUL-terminated) and its length in `*len` if `key` is in the tree, else 0. */
int bst_pmdk_lookup(const struct bst_pmdk* tree, int64_t key, char* value, size_t* len);
/* The number of keys (the root's size field). */
uint64_t bst_pmdk_count(const struct bst_pmdk* tree);
/* Calls `visit` for every key in ascending order until it returns nonzero;
 * returns that value, 0 after a full walk, -1 if out of memory. */
int bst_pmdk_foreach(const struct bst_pmdk* tree, int (*visit)(int64_t key, const char* value, size_t len, void* arg),
                     void* arg);

/* The last libpmemobj error message of this thread. */
const char* bst_pmdk_errormsg(void);

#ifdef __cplusplus
}
#endif

#endif
