/* strmap.c: linear probing, grown at 50% load. */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

struct strmap_slot *
strmap_find(const struct strmap *m, const char *key, size_t len)
{
	if (!m->cap)
		return NULL;
	uint64_t h = hash64(key, len);
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
	}
}

static void
grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	struct strmap_slot *slots = xcalloc(cap, sizeof *slots);
	for (size_t i = 0; i < m->cap; i++) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			continue;
		size_t j = s->hash & (cap - 1);
		while (slots[j].key)
			j = (j + 1) & (cap - 1);
		slots[j] = *s;
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

struct strmap_slot *
strmap_put(struct strmap *m, const char *key, size_t len, int *added)
{
	if ((m->count + 1) * 2 > m->cap)
		grow(m);
	uint64_t h = hash64(key, len);
	size_t mask = m->cap - 1;
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key) {
			s->hash = h;
			s->key = arena_strndup(&m->keys, key, len);
			s->len = len;
			s->value = NULL;
			m->count++;
			if (added)
				*added = 1;
			return s;
		}
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0) {
			if (added)
				*added = 0;
			return s;
		}
	}
}

const char *
strmap_intern(struct strmap *m, const char *key, size_t len)
{
	return strmap_put(m, key, len, NULL)->key;
}

void
strmap_free(struct strmap *m)
{
	free(m->slots);
	arena_free(&m->keys);
	memset(m, 0, sizeof *m);
}
