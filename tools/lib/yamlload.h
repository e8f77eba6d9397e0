/* yamlload.h: YAML documents as jansson values, on libyaml. Plain scalars are
 * typed as PyYAML (YAML 1.1) types them, since the origin's files were written
 * for it: null/~, true/false/yes/no/on/off, integers, decimals with a dot;
 * everything else (and every quoted scalar) is a string. Positions of values
 * and keys are kept for messages; alias expansion is bounded. */
#ifndef AGENTPIPE_YAMLLOAD_H
#define AGENTPIPE_YAMLLOAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct yaml_opts {
	size_t max_nodes;     /* nodes after alias expansion (0: 1,000,000) */
	size_t max_depth;     /* nesting (0: 256) */
	bool single_document; /* a second document is an error */
	bool unique_keys;     /* a key given twice in one mapping is an error */
};

struct yaml_error {
	long line, col;
	char message[256];
};

struct yaml_pos;

struct yaml_doc {
	json_t *root;
	struct yaml_pos *pos;
	size_t npos, cap;
};

/* Returns false with err filled for a syntax error, a limit, or a second
 * document when single_document is set. */
bool yaml_load(const char *text, size_t len, const struct yaml_opts *opts, struct yaml_doc *doc,
	       struct yaml_error *err);
void yaml_doc_free(struct yaml_doc *doc);

/* Where a value (or a key of an object) stands; false when unknown. */
bool yaml_value_pos(const struct yaml_doc *doc, const json_t *v, long *line, long *col);
bool yaml_key_pos(const struct yaml_doc *doc, const json_t *obj, const char *key, long *line, long *col);
/* The source text of a plain scalar that became a number ("0.30"), so that
 * money can be read exactly; NULL when unknown. */
const char *yaml_number_text(const struct yaml_doc *doc, const json_t *v);

/* The value of a plain scalar's text s (NUL-terminated, n bytes), typed as
 * yaml_load types it; *is_number tells a number. */
json_t *yaml_plain_scalar(const char *s, size_t n, bool *is_number);

/* Read a whole file (up to max_bytes) into memory; NULL with errno set on
 * failure, errno EFBIG when larger. */
char *read_file(const char *path, size_t max_bytes, size_t *len);

#endif
