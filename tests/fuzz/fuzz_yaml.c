/* fuzz_yaml: yaml_load on arbitrary text with small limits. It must not
 * crash or leak; a loaded document must encode as JSON and read back the
 * same, every number in it must keep its source text, positions must lie in
 * the text, and no more values may be reachable than max_nodes (the bound
 * that stops alias bombs). A value may lack a position ("false when
 * unknown"): an anchored key's string reused by an alias has none. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Noreturn void
broken(const char *why)
{
	fprintf(stderr, "fuzz_yaml: %s\n", why);
	abort();
}

/* Visit every value; the node limit bounds the walk even through aliases.
 * Singletons (true, false, null) are shared by jansson, so their position is
 * whichever came first: only their presence is checked. */
static void
walk(const struct yaml_doc *doc, const json_t *v, long lines, size_t *budget)
{
	if (*budget == 0)
		broken("more values than max_nodes allows");
	(*budget)--;
	long line = 0, col = 0;
	/* libyaml ends an unterminated last line before the stream's end, so an
	 * empty value there stands on the line after it. */
	if (yaml_value_pos(doc, v, &line, &col) && (line < 1 || col < 1 || line > lines + 1))
		broken("a position outside the text");
	if (json_is_number(v)) {
		const char *text = yaml_number_text(doc, v);
		if (!text || !*text)
			broken("a number without its source text");
	}
	if (json_is_object(v)) {
		const char *k;
		json_t *child;
		json_object_foreach((json_t *)v, k, child)
			walk(doc, child, lines, budget);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *child;
		json_array_foreach(v, i, child)
			walk(doc, child, lines, budget);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct yaml_opts opts = {.max_nodes = 10000, .max_depth = 64, .single_document = size > 0 && data[0] & 1};
	struct yaml_doc doc;
	struct yaml_error err;
	if (!yaml_load((const char *)data, size, &opts, &doc, &err)) {
		if (!err.message[0])
			broken("an error without a message");
		if (err.line < 0 || err.col < 0)
			broken("an error with a negative position");
		return 0;
	}
	if (!doc.root)
		broken("a loaded document without a root");
	char *text = json_dumps(doc.root, JSON_ENCODE_ANY);
	if (!text)
		broken("json_dumps fails on a loaded document");
	json_error_t je;
	json_t *back = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!back || !json_equal(back, doc.root))
		broken("the JSON of a document does not read back the same");
	json_decref(back);
	free(text);
	long lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';
	size_t budget = opts.max_nodes + 1;
	walk(&doc, doc.root, lines, &budget);
	yaml_doc_free(&doc);
	return 0;
}
