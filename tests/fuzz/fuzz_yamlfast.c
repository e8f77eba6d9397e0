/* fuzz_yamlfast: the fast path against the library. Where yaml_fast_json
 * answers, yaml_load (one document) must load the text, as a mapping, and
 * json_dump_callback must write the very bytes the fast path appended; each
 * wanted key's value must equal the root's member when that is a scalar and
 * be NULL otherwise. Where it declines, out and want[] must be as they were.
 * Deep documents are also loaded with taskwatch's limits, which the fast
 * path must respect as well. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "util.h"
#include "yamlfast.h"
#include "yamlload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const wanted[] = {"id", "status", "title", "agent", "priority", "task_id", "a", "b"};
#define NWANT (sizeof wanted / sizeof wanted[0])

static const char prefix[] = "[prefix]";

/* From this depth on the text is loaded a second time, with taskwatch's
 * max_depth of 64. */
enum { DEPTH_CHECK = 56 };

static _Noreturn void
broken(const char *why)
{
	fprintf(stderr, "fuzz_yamlfast: %s\n", why);
	abort();
}

/* The deepest nesting of the JSON text (brackets outside strings). */
static int
json_depth(const char *s, size_t n)
{
	int depth = 0, most = 0;
	bool in_string = false;
	for (size_t i = 0; i < n; i++) {
		if (in_string) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = false;
		} else if (s[i] == '"')
			in_string = true;
		else if (s[i] == '[' || s[i] == '{') {
			if (++depth > most)
				most = depth;
		} else if (s[i] == ']' || s[i] == '}')
			depth--;
	}
	return most;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	/* A sentinel in want[] shows whether a decline left it alone. */
	json_t *sentinel = json_string("untouched");
	struct yaml_fast_want want[NWANT];
	for (size_t i = 0; i < NWANT; i++)
		want[i] = (struct yaml_fast_want){.key = wanted[i], .value = sentinel};
	struct buf out = {0};
	buf_adds(&out, prefix);

	if (!yaml_fast_json(text, size, &out, want, NWANT)) {
		if (out.len != strlen(prefix) || memcmp(out.data, prefix, out.len) != 0 || out.data[out.len])
			broken("a decline changed out");
		for (size_t i = 0; i < NWANT; i++)
			if (want[i].value != sentinel)
				broken("a decline changed want[]");
		json_decref(sentinel);
		buf_free(&out);
		return 0;
	}
	if (out.len < strlen(prefix) || memcmp(out.data, prefix, strlen(prefix)) != 0)
		broken("the fast path changed what out held");
	if (out.data[out.len] != '\0')
		broken("out is not NUL-terminated");
	const char *fast = out.data + strlen(prefix);
	size_t fastlen = out.len - strlen(prefix);

	struct yaml_doc doc;
	struct yaml_error err;
	if (!yaml_load(text, size, &(struct yaml_opts){.single_document = true}, &doc, &err)) {
		fprintf(stderr, "fuzz_yamlfast: yaml_load: %ld:%ld: %s\nfast: %.*s\n", err.line, err.col, err.message,
			(int)fastlen, fast);
		broken("the fast path answered where yaml_load fails");
	}
	if (!json_is_object(doc.root))
		broken("the fast path answered where the root is not a mapping");
	struct buf ref = {0};
	if (json_dump_callback(doc.root, jw_dump_to_buf, &ref, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
		broken("json_dump_callback failed");
	if (ref.len != fastlen || memcmp(ref.data, fast, fastlen) != 0) {
		fprintf(stderr, "fuzz_yamlfast: fast %.*s\nfuzz_yamlfast: ref  %.*s\n", (int)fastlen, fast, (int)ref.len,
			ref.data);
		broken("the fast path's JSON differs from yaml_load's");
	}
	for (size_t i = 0; i < NWANT; i++) {
		json_t *v = json_object_get(doc.root, wanted[i]);
		if (json_is_object(v) || json_is_array(v))
			v = NULL;
		if (want[i].value == sentinel)
			broken("want[] was not filled");
		if (v ? !want[i].value || !json_equal(v, want[i].value) : want[i].value != NULL) {
			fprintf(stderr, "fuzz_yamlfast: want %s\n", wanted[i]);
			broken("a wanted value differs from yaml_load's");
		}
		json_decref(want[i].value);
	}
	yaml_doc_free(&doc);

	if (json_depth(fast, fastlen) >= DEPTH_CHECK) {
		struct yaml_opts tw = {.single_document = true, .max_nodes = 100000, .max_depth = 64};
		if (!yaml_load(text, size, &tw, &doc, &err))
			broken("the fast path answered where taskwatch's limits fail");
		yaml_doc_free(&doc);
	}
	json_decref(sentinel);
	buf_free(&ref);
	buf_free(&out);
	return 0;
}
