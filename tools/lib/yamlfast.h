/* yamlfast.h: a fast path from simple YAML to JSON text, for the task files
 * taskwatch reads by the hundred thousand. It handles the shapes such files
 * have (block mappings and sequences, one-line plain and quoted scalars,
 * comments) and declines everything else, so the caller falls back to
 * yaml_load. Where it answers, its text is byte for byte what
 * json_dumps(yaml_load(text)->root, JSON_COMPACT) writes: fuzz_yamlfast checks
 * that against the library. */
#ifndef AGENTPIPE_YAMLFAST_H
#define AGENTPIPE_YAMLFAST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* A top-level key whose scalar value the caller wants. */
struct yaml_fast_want {
	const char *key;
	json_t *value; /* out: typed as yaml_load types it; NULL when absent or
	                * not a scalar; the caller owns it */
};

/* Append the JSON text of the document (a top-level block mapping) to out
 * and fill want[]. Returns false, with out and want[] as they were, when the
 * text is outside the subset or is not valid YAML. */
bool yaml_fast_json(const char *text, size_t len, struct buf *out, struct yaml_fast_want *want, size_t nwant);

#endif
