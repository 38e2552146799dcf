/* The BST baseline on PMDK libpmemobj, written the way its documentation
 * recommends: a typed layout (POBJ_LAYOUT_*), TOID pointers, and every
 * update inside TX_BEGIN/TX_END with TX_ZNEW for the new node and
 * TX_ADD_DIRECT/TX_ADD_FIELD snapshots before each store to existing data.
 * Same algorithm as bst_pschema.cpp: walk the links, put a new zeroed node
 * in the empty one, increment the size. */
#include "bst_pmdk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libpmemobj.h>

POBJ_LAYOUT_BEGIN(bst_pmdk);
POBJ_LAYOUT_ROOT(bst_pmdk, struct bst_root);
POBJ_LAYOUT_TOID(bst_pmdk, struct bst_node);
POBJ_LAYOUT_END(bst_pmdk);

struct bst_node {
	int64_t key;
	char value[BST_PMDK_VALUE_MAX + 1]; /* NUL-terminated */
	TOID(struct bst_node) left;
	TOID(struct bst_node) right;
};

struct bst_root {
	TOID(struct bst_node) root;
	uint64_t size;
};

struct bst_pmdk {
	PMEMobjpool *pop;
	TOID(struct bst_root) root;
};

static struct bst_pmdk *
bst_pmdk_wrap(PMEMobjpool *pop)
{
	if (pop == NULL)
		return NULL;
	struct bst_pmdk *tree = malloc(sizeof(*tree));
	if (tree == NULL) {
		pmemobj_close(pop);
		errno = ENOMEM;
		return NULL;
	}
	tree->pop = pop;
	tree->root = POBJ_ROOT(pop, struct bst_root);
	if (TOID_IS_NULL(tree->root)) {
		pmemobj_close(pop);
		free(tree);
		return NULL;
	}
	return tree;
}

struct bst_pmdk *
bst_pmdk_create(const char *path, size_t pool_size)
{
	return bst_pmdk_wrap(pmemobj_create(path, POBJ_LAYOUT_NAME(bst_pmdk), pool_size, 0600));
}

struct bst_pmdk *
bst_pmdk_open(const char *path)
{
	return bst_pmdk_wrap(pmemobj_open(path, POBJ_LAYOUT_NAME(bst_pmdk)));
}

void
bst_pmdk_close(struct bst_pmdk *tree)
{
	if (tree == NULL)
		return;
	pmemobj_close(tree->pop);
	free(tree);
}

int
bst_pmdk_insert(struct bst_pmdk *tree, int64_t key, const char *value, size_t len)
{
	if (len > BST_PMDK_VALUE_MAX) {
		errno = EINVAL;
		return -1;
	}
	volatile int ret = 0; /* set after the longjmp of an abort */
	TX_BEGIN(tree->pop) {
		TOID(struct bst_node) *link = &D_RW(tree->root)->root;
		struct bst_node *found = NULL;
		while (!TOID_IS_NULL(*link)) {
			struct bst_node *node = D_RW(*link);
			if (key == node->key) {
				found = node;
				break;
			}
			link = key < node->key ? &node->left : &node->right;
		}
		if (found != NULL) {
			/* An existing key: replace its value. */
			TX_ADD_FIELD_DIRECT(found, value);
			memset(found->value, 0, sizeof(found->value));
			memcpy(found->value, value, len);
		} else {
			TOID(struct bst_node) fresh = TX_ZNEW(struct bst_node);
			struct bst_node *node = D_RW(fresh);
			node->key = key;
			memcpy(node->value, value, len);
			TX_ADD_DIRECT(link);
			*link = fresh;
			TX_ADD_FIELD(tree->root, size);
			D_RW(tree->root)->size++;
		}
	} TX_ONABORT {
		ret = -1;
	} TX_END
	return ret;
}

int
bst_pmdk_lookup(const struct bst_pmdk *tree, int64_t key, char *value, size_t *len)
{
	const TOID(struct bst_node) *link = &D_RO(tree->root)->root;
	while (!TOID_IS_NULL(*link)) {
		const struct bst_node *node = D_RO(*link);
		if (key == node->key) {
			memcpy(value, node->value, sizeof(node->value));
			*len = strlen(value);
			return 1;
		}
		link = key < node->key ? &node->left : &node->right;
	}
	return 0;
}

uint64_t
bst_pmdk_count(const struct bst_pmdk *tree)
{
	return D_RO(tree->root)->size;
}

int
bst_pmdk_foreach(const struct bst_pmdk *tree,
		 int (*visit)(int64_t key, const char *value, size_t len, void *arg), void *arg)
{
	/* Iterative in-order walk: a sequential-key tree is a chain as deep as it is long. */
	size_t depth = 0;
	size_t capacity = 64;
	const struct bst_node **stack = malloc(capacity * sizeof(*stack));
	if (stack == NULL)
		return -1;
	int ret = 0;
	TOID(struct bst_node) link = D_RO(tree->root)->root;
	while (ret == 0 && (depth > 0 || !TOID_IS_NULL(link))) {
		if (!TOID_IS_NULL(link)) {
			if (depth == capacity) {
				capacity *= 2;
				const struct bst_node **bigger = realloc(stack, capacity * sizeof(*stack));
				if (bigger == NULL) {
					ret = -1;
					break;
				}
				stack = bigger;
			}
			const struct bst_node *node = D_RO(link);
			stack[depth++] = node;
			link = node->left;
		} else {
			const struct bst_node *node = stack[--depth];
			ret = visit(node->key, node->value, strlen(node->value), arg);
			link = node->right;
		}
	}
	free(stack);
	return ret;
}

const char *
bst_pmdk_errormsg(void)
{
	return pmemobj_errormsg();
}
