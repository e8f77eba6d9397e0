/* jscan.h: a fast, validating JSON scanner for the hot paths (call records and
 * Claude Code log lines). It accepts exactly what jansson accepts (objects at
 * the top, UTF-8, depth <= 2048, integers that fit in 64 bits, no \u0000), and
 * extracts the fields agentpipe reads without building a tree. The fuzz target
 * tests/fuzz/fuzz_jscan.c checks both claims against jansson. */
#ifndef AGENTPIPE_JSCAN_H
#define AGENTPIPE_JSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum jtype { J_ABSENT = 0, J_NULL, J_FALSE, J_TRUE, J_INT, J_REAL, J_STRING, J_OBJECT, J_ARRAY };

/* A scanned value. Strings are decoded (s, n; not NUL-terminated, may hold
 * no NUL since \u0000 is refused); numbers keep their text in s, n and
 * integers their value in i; objects and arrays keep their raw text. */
struct jval {
	enum jtype t;
	const char *s;
	size_t n;
	int64_t i;
};

/* The fields read from a line. Top-level names first, then those inside
 * "message" (Claude Code logs). */
enum jfield {
	F_TYPE, F_TIMESTAMP, F_SESSIONID, F_REQUESTID, F_COSTUSD, F_ISSIDECHAIN, F_MESSAGE,
	F_KIND, F_ID, F_INVOCATION_ID, F_TS, F_AGENT, F_AGENT_NAME, F_TOOL, F_TOOL_NAME,
	F_MODEL, F_MODEL_NAME, F_TASK_ID, F_INPUT_TOKENS, F_PROMPT_TOKENS, F_OUTPUT_TOKENS,
	F_COMPLETION_TOKENS, F_CACHE_READ_TOKENS, F_CACHE_WRITE_TOKENS, F_CACHE_WRITE_1H_TOKENS,
	F_COST_USD, F_LATENCY_MS, F_STATUS, F_ERROR, F_SESSION, F_PROJECT, F_UNPRICED,
	F_TOP_COUNT,
	/* inside "message" */
	F_MSG_ID = F_TOP_COUNT, F_MSG_MODEL, F_MSG_USAGE,
	/* inside "message"."usage" */
	F_U_INPUT, F_U_OUTPUT, F_U_CACHE_CREATION_INPUT, F_U_CACHE_READ_INPUT, F_U_CACHE_CREATION,
	/* inside "message"."usage"."cache_creation" */
	F_U_CC_5M, F_U_CC_1H,
	F_COUNT
};

extern const char *const jfield_names[F_COUNT];

#define JSCAN_MAX_EXTRA 8
#define JSCAN_MAX_DEPTH 2048

struct jfacts {
	struct jval f[F_COUNT];
	/* Further top-level fields asked for by name (costsum --by). */
	size_t nextra;
	const char *extra_names[JSCAN_MAX_EXTRA];
	struct jval extra[JSCAN_MAX_EXTRA];
};

struct jscan_error {
	size_t offset; /* byte offset of the error in the line */
	const char *message;
};

/* jscan_line: scan one line holding one JSON object. Strings with escapes are
 * decoded into arena memory. Returns false with err set when the line is not
 * a JSON object that jansson would accept. facts->extra_names/nextra are
 * inputs; everything else is output. */
bool jscan_line(const char *line, size_t len, struct jfacts *facts, struct arena *scratch,
		struct jscan_error *err);

/* jscan_valid_utf8: the UTF-8 rules jansson applies (RFC 3629). */
bool jscan_valid_utf8(const char *s, size_t n);

/* Value helpers. */
bool jval_eq(const struct jval *v, const char *s);

#endif
