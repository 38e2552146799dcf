/* Drives PMDK's example maps through their common interface (map/map.h).
 * The pool's root holds only the map's TOID; everything else is the
 * examples' code, compiled in place (see pmdk_map.h). */
#include "pmdk_map.h"

#include <errno.h>
#include <stdlib.h>

#include <libpmemobj.h>

#include <hashmap.h>
#include <map.h>
#include <map_btree.h>
#include <map_hashmap_tx.h>

POBJ_LAYOUT_BEGIN(pmdk_map);
POBJ_LAYOUT_ROOT(pmdk_map, struct pmdk_map_root);
POBJ_LAYOUT_END(pmdk_map);

struct pmdk_map_root {
	TOID(struct map) map;
	/* Serialises the transactions of pmdk_map_insert_tx(..., locked = 1):
	 * the examples' maps are not thread-safe. */
	PMEMmutex lock;
};

struct pmdk_map {
	PMEMobjpool *pop;
	struct map_ctx *ctx;
	TOID(struct map) map;
	TOID(struct pmdk_map_root) root;
	enum pmdk_map_kind kind;
};

struct pmdk_map *
pmdk_map_create(const char *path, size_t pool_size, enum pmdk_map_kind kind, uint32_t seed)
{
	PMEMobjpool *pop = pmemobj_create(path, POBJ_LAYOUT_NAME(pmdk_map), pool_size, 0600);
	if (pop == NULL)
		return NULL;
	struct pmdk_map *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		pmemobj_close(pop);
		errno = ENOMEM;
		return NULL;
	}
	m->pop = pop;
	m->kind = kind;
	m->ctx = map_ctx_init(kind == PMDK_MAP_BTREE ? MAP_BTREE : MAP_HASHMAP_TX, pop);
	TOID(struct pmdk_map_root) root = POBJ_ROOT(pop, struct pmdk_map_root);
	struct hashmap_args args = {seed};
	srand(seed);
	if (m->ctx == NULL || TOID_IS_NULL(root) || map_create(m->ctx, &D_RW(root)->map, &args) != 0) {
		pmdk_map_close(m);
		return NULL;
	}
	m->map = D_RO(root)->map;
	m->root = root;
	map_init(m->ctx, m->map);
	return m;
}

struct pmdk_map *
pmdk_map_open(const char *path, enum pmdk_map_kind kind)
{
	PMEMobjpool *pop = pmemobj_open(path, POBJ_LAYOUT_NAME(pmdk_map));
	if (pop == NULL)
		return NULL;
	struct pmdk_map *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		pmemobj_close(pop);
		errno = ENOMEM;
		return NULL;
	}
	m->pop = pop;
	m->kind = kind;
	m->ctx = map_ctx_init(kind == PMDK_MAP_BTREE ? MAP_BTREE : MAP_HASHMAP_TX, pop);
	TOID(struct pmdk_map_root) root = POBJ_ROOT(pop, struct pmdk_map_root);
	if (m->ctx == NULL || TOID_IS_NULL(root) || TOID_IS_NULL(D_RO(root)->map)) {
		pmdk_map_close(m);
		return NULL;
	}
	m->map = D_RO(root)->map;
	m->root = root;
	map_init(m->ctx, m->map);
	return m;
}

void
pmdk_map_close(struct pmdk_map *m)
{
	if (m == NULL)
		return;
	if (m->ctx != NULL)
		map_ctx_free(m->ctx);
	pmemobj_close(m->pop);
	free(m);
}

int
pmdk_map_insert(struct pmdk_map *m, uint64_t key, uint64_t value)
{
	PMEMoid oid = {0, value};
	return map_insert(m->ctx, m->map, key, oid);
}

/* The inserts of pmdk_map_insert_tx; the example's inserts open
 * transactions of their own, which nest into the caller's (libpmemobj
 * flattens nested transactions). */
static void
pmdk_map_insert_all(struct pmdk_map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
	for (size_t i = 0; i < n; ++i) {
		if (map_insert(m->ctx, m->map, keys[i], (PMEMoid){0, values[i]}) < 0)
			pmemobj_tx_abort(EINVAL);
	}
}

static int
pmdk_map_insert_tx_unlocked(struct pmdk_map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
	volatile int failed = 0;
	TX_BEGIN(m->pop) {
		pmdk_map_insert_all(m, keys, values, n);
	} TX_ONABORT {
		failed = 1;
	} TX_END
	return failed ? -1 : 0;
}

static int
pmdk_map_insert_tx_locked(struct pmdk_map *m, const uint64_t *keys, const uint64_t *values, size_t n)
{
	volatile int failed = 0;
	TX_BEGIN_PARAM(m->pop, TX_PARAM_MUTEX, &D_RW(m->root)->lock, TX_PARAM_NONE) {
		pmdk_map_insert_all(m, keys, values, n);
	} TX_ONABORT {
		failed = 1;
	} TX_END
	return failed ? -1 : 0;
}

int
pmdk_map_insert_tx(struct pmdk_map *m, const uint64_t *keys, const uint64_t *values, size_t n, int locked)
{
	return locked ? pmdk_map_insert_tx_locked(m, keys, values, n) : pmdk_map_insert_tx_unlocked(m, keys, values, n);
}

int
pmdk_map_get(const struct pmdk_map *m, uint64_t key, uint64_t *value)
{
	PMEMoid oid = map_get(m->ctx, m->map, key);
	if (OID_IS_NULL(oid))
		return 0;
	*value = oid.off;
	return 1;
}

int
pmdk_map_remove(struct pmdk_map *m, uint64_t key, uint64_t *value)
{
	PMEMoid oid = map_remove(m->ctx, m->map, key);
	if (OID_IS_NULL(oid))
		return 0;
	*value = oid.off;
	return 1;
}

static int
pmdk_map_count_one(uint64_t key, PMEMoid value, void *arg)
{
	(void)key;
	(void)value;
	++*(uint64_t *)arg;
	return 0;
}

uint64_t
pmdk_map_count(const struct pmdk_map *m)
{
	if (m->kind == PMDK_MAP_HASHMAP_TX)
		return map_count(m->ctx, m->map);
	uint64_t n = 0;
	map_foreach(m->ctx, m->map, pmdk_map_count_one, &n);
	return n;
}

struct pmdk_map_visit {
	int (*visit)(uint64_t key, uint64_t value, void *arg);
	void *arg;
};

static int
pmdk_map_visit_one(uint64_t key, PMEMoid value, void *arg)
{
	struct pmdk_map_visit *v = arg;
	return v->visit(key, value.off, v->arg);
}

int
pmdk_map_foreach(const struct pmdk_map *m, int (*visit)(uint64_t key, uint64_t value, void *arg), void *arg)
{
	struct pmdk_map_visit v = {visit, arg};
	return map_foreach(m->ctx, m->map, pmdk_map_visit_one, &v);
}

const char *
pmdk_map_errormsg(void)
{
	return pmemobj_errormsg();
}
