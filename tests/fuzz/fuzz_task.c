/* fuzz_task: taskwatch's reading of one task file (task.c, compiled in) on
 * arbitrary bytes under an arbitrary path. The first line of the input is the
 * path below the root, the rest the file. A file is either valid, with a
 * state, an id and its whole content as a JSON object, or invalid, with a
 * message and no state; it never crashes or leaks. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/taskwatch/task.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Noreturn void
broken(const char *why)
{
	fprintf(stderr, "fuzz_task: %s\n", why);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nl = memchr(data, '\n', size);
	if (!nl || nl == (const char *)data || (size_t)(nl - (const char *)data) > 200)
		return 0;
	size_t plen = (size_t)(nl - (const char *)data);
	char *rel = xstrndup((const char *)data, plen);
	const char *base = strrchr(rel, '/');
	/* Only names the watcher would read. */
	if (strlen(rel) != plen || !is_task_name(base ? base + 1 : rel)) {
		free(rel);
		return 0;
	}
	const char *text = nl + 1;
	size_t len = size - plen - 1;
	struct parsed p = {0};
	task_parse(rel, text, len, 2048, &p);
	struct task_info *t = &p.info;
	if (!t->id || !*t->id)
		broken("no id");
	if (t->lane > LANE_FRIDGE || t->state > ST_FRIDGE)
		broken("lane or state out of range");
	if (t->valid) {
		if (t->state == ST_NONE)
			broken("a valid task without a state");
		if (p.err)
			broken("a valid task with an error");
		json_error_t e;
		json_t *j = json_loadb(p.json.data, p.json.len, JSON_ALLOW_NUL, &e);
		if (!json_is_object(j))
			broken("the task is not a JSON object");
		json_decref(j);
		if (t->conflict && !*t->conflict)
			broken("an empty conflict");
	} else {
		if (t->state != ST_NONE || t->conflict)
			broken("an invalid task with a state");
		if (!p.err || !*p.err)
			broken("an invalid task without a message");
		if (p.err_line < 0 || p.err_col < 0)
			broken("a negative position");
	}
	if (t->hash != hash64(text, len))
		broken("the hash is not of the bytes");
	parsed_free(&p);
	free(rel);
	return 0;
}
