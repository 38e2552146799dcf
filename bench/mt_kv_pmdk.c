/* The multi-threaded KV baseline on PMDK libpmemobj, written the way its
 * documentation recommends for threads: a PMEMmutex in each bucket (in the
 * pool, zeroed by the root allocation; libpmemobj reinitialises pmem locks
 * at every open), puts as transactions that take the bucket's lock with
 * TX_PARAM_MUTEX (held until the transaction ends), gets under
 * pmemobj_mutex_lock/unlock. Same algorithm as mt_kv_pschema.cpp: bucket
 * key % 65536, walk the chain, insert a new entry at its head unless the
 * key is present. */
#include "mt_kv_pmdk.h"

#include <errno.h>
#include <stdlib.h>

#include <libpmemobj.h>

POBJ_LAYOUT_BEGIN(mt_kv_pmdk);
POBJ_LAYOUT_ROOT(mt_kv_pmdk, struct mt_kv_root);
POBJ_LAYOUT_TOID(mt_kv_pmdk, struct entry);
POBJ_LAYOUT_END(mt_kv_pmdk);

struct entry {
	uint64_t key;
	uint64_t value;
	TOID(struct entry) next;
};

struct bucket {
	PMEMmutex lock;
	TOID(struct entry) head;
	uint64_t count;
};

struct mt_kv_root {
	struct bucket buckets[MT_KV_PMDK_BUCKETS];
};

struct mt_kv_pmdk {
	PMEMobjpool *pop;
	struct mt_kv_root *root;
};

struct mt_kv_pmdk *
mt_kv_pmdk_create(const char *path, size_t pool_size)
{
	PMEMobjpool *pop = pmemobj_create(path, POBJ_LAYOUT_NAME(mt_kv_pmdk), pool_size, 0600);
	if (pop == NULL)
		return NULL;
	TOID(struct mt_kv_root) root = POBJ_ROOT(pop, struct mt_kv_root);
	if (TOID_IS_NULL(root)) {
		pmemobj_close(pop);
		return NULL;
	}
	struct mt_kv_pmdk *kv = malloc(sizeof(*kv));
	if (kv == NULL) {
		pmemobj_close(pop);
		errno = ENOMEM;
		return NULL;
	}
	kv->pop = pop;
	kv->root = D_RW(root);
	return kv;
}

void
mt_kv_pmdk_close(struct mt_kv_pmdk *kv)
{
	if (kv == NULL)
		return;
	pmemobj_close(kv->pop);
	free(kv);
}

int
mt_kv_pmdk_put(struct mt_kv_pmdk *kv, uint64_t key, uint64_t value)
{
	struct bucket *b = &kv->root->buckets[key % MT_KV_PMDK_BUCKETS];
	volatile int result = 0;
	TX_BEGIN_PARAM(kv->pop, TX_PARAM_MUTEX, &b->lock, TX_PARAM_NONE) {
		int present = 0;
		for (TOID(struct entry) e = b->head; !TOID_IS_NULL(e); e = D_RO(e)->next) {
			if (D_RO(e)->key == key) {
				present = 1;
				break;
			}
		}
		if (!present) {
			TOID(struct entry) fresh = TX_NEW(struct entry);
			D_RW(fresh)->key = key;
			D_RW(fresh)->value = value;
			D_RW(fresh)->next = b->head;
			TX_ADD_FIELD_DIRECT(b, head);
			b->head = fresh;
			TX_ADD_FIELD_DIRECT(b, count);
			b->count++;
			result = 1;
		}
	} TX_ONABORT {
		result = -1;
	} TX_END
	return result;
}

int
mt_kv_pmdk_get(struct mt_kv_pmdk *kv, uint64_t key, uint64_t *value)
{
	struct bucket *b = &kv->root->buckets[key % MT_KV_PMDK_BUCKETS];
	int found = 0;
	pmemobj_mutex_lock(kv->pop, &b->lock);
	for (TOID(struct entry) e = b->head; !TOID_IS_NULL(e); e = D_RO(e)->next) {
		if (D_RO(e)->key == key) {
			*value = D_RO(e)->value;
			found = 1;
			break;
		}
	}
	pmemobj_mutex_unlock(kv->pop, &b->lock);
	return found;
}

uint64_t
mt_kv_pmdk_count(struct mt_kv_pmdk *kv)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < MT_KV_PMDK_BUCKETS; i++) {
		struct bucket *b = &kv->root->buckets[i];
		pmemobj_mutex_lock(kv->pop, &b->lock);
		sum += b->count;
		pmemobj_mutex_unlock(kv->pop, &b->lock);
	}
	return sum;
}
