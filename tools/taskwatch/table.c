/* table.c: open addressing with linear probing; deletion shifts the
 * following run back, so there are no tombstones and a long-running watcher
 * keeps only the paths that exist. */
#include <stdlib.h>
#include <string.h>

#include "taskwatch.h"

static size_t
find_slot(const struct table *t, const char *key, size_t len, uint64_t h)
{
	size_t mask = t->cap - 1;
	size_t i = h & mask;
	while (t->slots[i].key) {
		const struct table_slot *s = &t->slots[i];
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

void *
table_get(const struct table *t, const char *key, size_t len)
{
	if (!t->cap)
		return NULL;
	size_t i = find_slot(t, key, len, hash64(key, len));
	return t->slots[i].key ? t->slots[i].value : NULL;
}

static void
grow(struct table *t)
{
	struct table_slot *old = t->slots;
	size_t oldcap = t->cap;
	t->cap = oldcap ? oldcap * 2 : 64;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			t->slots[find_slot(t, old[i].key, old[i].len, old[i].hash)] = old[i];
	free(old);
}

void *
table_put(struct table *t, const char *key, size_t len, void *value)
{
	if ((t->count + 1) * 4 > t->cap * 3)
		grow(t);
	uint64_t h = hash64(key, len);
	size_t i = find_slot(t, key, len, h);
	struct table_slot *s = &t->slots[i];
	if (s->key) {
		void *old = s->value;
		s->value = value;
		return old;
	}
	char *k = xmalloc(len + 1);
	memcpy(k, key, len);
	k[len] = '\0';
	*s = (struct table_slot){.key = k, .len = len, .hash = h, .value = value};
	t->count++;
	return NULL;
}

void *
table_del(struct table *t, const char *key, size_t len)
{
	if (!t->cap)
		return NULL;
	size_t mask = t->cap - 1;
	size_t i = find_slot(t, key, len, hash64(key, len));
	if (!t->slots[i].key)
		return NULL;
	void *value = t->slots[i].value;
	free(t->slots[i].key);
	t->slots[i].key = NULL;
	t->count--;
	/* Move back every entry of the run that could have sat in the hole. */
	for (size_t j = (i + 1) & mask; t->slots[j].key; j = (j + 1) & mask) {
		size_t home = t->slots[j].hash & mask;
		bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			t->slots[i] = t->slots[j];
			t->slots[j].key = NULL;
			i = j;
		}
	}
	return value;
}

void
table_free(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].key);
	free(t->slots);
	memset(t, 0, sizeof *t);
}
