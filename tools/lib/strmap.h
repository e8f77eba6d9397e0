/* strmap.h: an open-addressing map from byte strings to a pointer-sized
 * value. Keys are copied into the map's own arena, so a key's address is
 * stable for the map's life and can serve as an interned string. */
#ifndef AGENTPIPE_STRMAP_H
#define AGENTPIPE_STRMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct strmap_slot {
	uint64_t hash;
	const char *key; /* NUL-terminated copy; NULL when the slot is empty */
	size_t len;
	void *value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap, count;
	struct arena keys;
};

/* Find key; NULL when absent. */
struct strmap_slot *strmap_find(const struct strmap *m, const char *key, size_t len);
/* Find or add key (value NULL when new); *added tells which. */
struct strmap_slot *strmap_put(struct strmap *m, const char *key, size_t len, int *added);
/* An interned copy of key. */
const char *strmap_intern(struct strmap *m, const char *key, size_t len);
void strmap_free(struct strmap *m);

#define strmap_foreach(m, slot) \
	for (struct strmap_slot *slot = (m)->slots; slot && slot < (m)->slots + (m)->cap; slot++) \
		if (slot->key)

#endif
