/* jsonout.h: writing one JSON record at a time. Strings are escaped by
 * jansson; money is printed by money_format, exactly, never as a double. */
#ifndef AGENTPIPE_JSONOUT_H
#define AGENTPIPE_JSONOUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "money.h"
#include "util.h"

struct jw {
	struct buf b;
	bool first; /* no member written yet in the current object */
};

void jw_begin(struct jw *w);            /* "{" */
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *key, struct str v); /* null when v.p is NULL */
void jw_cstr(struct jw *w, const char *key, const char *v);
void jw_int(struct jw *w, const char *key, int64_t v);
void jw_money(struct jw *w, const char *key, money_t v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_raw(struct jw *w, const char *key, const char *json, size_t n);
void jw_value(struct jw *w, const char *key, const json_t *v);
void jw_object_begin(struct jw *w, const char *key);
void jw_object_end(struct jw *w);
/* "}\n" and write the record to standard output. */
void jw_end(struct jw *w);
void jw_free(struct jw *w);

/* A json_dump_callback that appends to the struct buf in data. */
int jw_dump_to_buf(const char *p, size_t n, void *data);

/* Append v as a JSON string to b. Invalid UTF-8 (from a database, say) is
 * replaced so that the output stays valid JSON. */
void json_escape_to(struct buf *b, const char *s, size_t n);

#endif
