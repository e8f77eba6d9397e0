/* fuzz_jscan: jscan_line against jansson, the parser it claims to agree with.
 * For each input (one line): jscan accepts exactly when json_loadb() with no
 * flags returns an object, and then every field jscan extracts equals what
 * the jansson tree holds at the same place. Also: json_escape_to's shortcut
 * for plain ASCII writes what jansson writes for the same bytes. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "jsonout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static _Noreturn void
mismatch(const char *field, const char *fmt, const char *detail)
{
	fprintf(stderr, "fuzz_jscan: field '%s': %s%s\n", field, fmt, detail ? detail : "");
	abort();
}

static const char *
type_name(enum jtype t)
{
	static const char *const names[] = {"absent", "null", "false", "true", "int", "real", "string", "object", "array"};
	return t <= J_ARRAY ? names[t] : "?";
}

/* A container's raw text must parse back to the tree's value. */
static void
same_container(const char *field, const struct jval *jv, const json_t *v)
{
	json_error_t e;
	json_t *back = json_loadb(jv->s, jv->n, JSON_DECODE_ANY, &e);
	if (!back)
		mismatch(field, "raw text does not parse: ", e.text);
	bool eq = json_equal(back, (json_t *)v);
	json_decref(back);
	if (!eq)
		mismatch(field, "raw text differs from jansson's value", NULL);
}

static void
same_number(const char *field, const struct jval *jv, const json_t *v)
{
	char tmp[512], *text = jv->n < sizeof tmp ? tmp : malloc(jv->n + 1);
	memcpy(text, jv->s, jv->n);
	text[jv->n] = '\0';
	if (json_is_integer(v)) {
		if (jv->i != json_integer_value(v))
			mismatch(field, "integer differs: ", text);
		if (strtoll(text, NULL, 10) != jv->i)
			mismatch(field, "integer text does not give its value: ", text);
	} else {
		/* Exactly the double jansson computed from the same text. */
		double d = strtod(text, NULL);
		if (d != json_real_value(v))
			mismatch(field, "real differs: ", text);
	}
	if (text != tmp)
		free(text);
}

/* One extracted value against the tree's (v NULL: the key is absent). */
static void
same_value(const char *field, const struct jval *jv, const json_t *v)
{
	enum jtype want = J_ABSENT;
	if (v) {
		switch (json_typeof(v)) {
		case JSON_OBJECT: want = J_OBJECT; break;
		case JSON_ARRAY: want = J_ARRAY; break;
		case JSON_STRING: want = J_STRING; break;
		case JSON_INTEGER: want = J_INT; break;
		case JSON_REAL: want = J_REAL; break;
		case JSON_TRUE: want = J_TRUE; break;
		case JSON_FALSE: want = J_FALSE; break;
		case JSON_NULL: want = J_NULL; break;
		}
	}
	if (jv->t != want) {
		char detail[64];
		snprintf(detail, sizeof detail, "jscan %s, jansson %s", type_name(jv->t), type_name(want));
		mismatch(field, "type differs: ", detail);
	}
	switch (want) {
	case J_STRING:
		if (jv->n != json_string_length(v) || memcmp(jv->s, json_string_value(v), jv->n) != 0)
			mismatch(field, "string differs", NULL);
		break;
	case J_INT:
	case J_REAL:
		same_number(field, jv, v);
		break;
	case J_OBJECT:
	case J_ARRAY:
		same_container(field, jv, v);
		break;
	default:
		break;
	}
}

/* The object's member when obj is an object; nested fields exist only under
 * an object parent. */
static const json_t *
member(const json_t *obj, const char *key)
{
	return json_is_object(obj) ? json_object_get(obj, key) : NULL;
}

static void
compare(const struct jfacts *f, const json_t *root)
{
	for (int i = 0; i < F_TOP_COUNT; i++)
		same_value(jfield_names[i], &f->f[i], member(root, jfield_names[i]));
	const json_t *msg = member(root, "message");
	for (int i = F_MSG_ID; i <= F_MSG_USAGE; i++)
		same_value(jfield_names[i], &f->f[i], member(msg, jfield_names[i]));
	const json_t *usage = member(msg, "usage");
	for (int i = F_U_INPUT; i <= F_U_CACHE_CREATION; i++)
		same_value(jfield_names[i], &f->f[i], member(usage, jfield_names[i]));
	const json_t *cc = member(usage, "cache_creation");
	for (int i = F_U_CC_5M; i <= F_U_CC_1H; i++)
		same_value(jfield_names[i], &f->f[i], member(cc, jfield_names[i]));
	for (size_t i = 0; i < f->nextra; i++)
		same_value(f->extra_names[i], &f->extra[i], member(root, f->extra_names[i]));
}

/* The input as a string, escaped by json_escape_to and by jansson. */
static void
check_escape(const uint8_t *data, size_t size)
{
	json_t *j = json_stringn((const char *)data, size);
	if (!j)
		return; /* not UTF-8: json_escape_to repairs it, jansson refuses */
	struct buf ours = {0}, theirs = {0};
	json_escape_to(&ours, (const char *)data, size);
	json_dump_callback(j, jw_dump_to_buf, &theirs, JSON_ENCODE_ANY | JSON_COMPACT);
	if (ours.len != theirs.len || memcmp(ours.data, theirs.data, ours.len) != 0)
		mismatch("(escape)", "json_escape_to differs from jansson", NULL);
	buf_free(&ours);
	buf_free(&theirs);
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_escape(data, size);
	static struct arena scratch;
	static const char *const extra[] = {"team", "labels"};
	struct jfacts f;
	memset(&f, 0, sizeof f);
	f.nextra = 2;
	f.extra_names[0] = extra[0];
	f.extra_names[1] = extra[1];
	arena_reset(&scratch);

	const char *line = (const char *)data;
	struct jscan_error err = {0};
	bool ok = jscan_line(line, size, &f, &scratch, &err);
	json_error_t je;
	json_t *root = json_loadb(line, size, 0, &je);
	bool want = json_is_object(root);

	if (!ok && (!err.message || err.offset > size)) {
		fprintf(stderr, "fuzz_jscan: a rejection without a message or with offset %zu past %zu\n", err.offset,
			size);
		abort();
	}
	/* A NUL byte is never valid JSON, and jscan always refuses it. jansson
	 * 2.14 mostly does too, but drops one NUL that directly follows a number
	 * or a literal ('{"a":1\0}' loads): there jansson is not the reference. */
	if (memchr(line, '\0', size)) {
		if (ok) {
			fprintf(stderr, "fuzz_jscan: jscan accepts a line with a NUL byte\n");
			abort();
		}
		json_decref(root);
		return 0;
	}
	if (ok != want) {
		fprintf(stderr, "fuzz_jscan: jscan %s, jansson %s (%s; jscan: %s at %zu)\n", ok ? "accepts" : "rejects",
			want ? "accepts an object" : root ? "returns a non-object" : "rejects", root ? "" : je.text,
			ok ? "-" : err.message, err.offset);
		abort();
	}
	if (ok && want)
		compare(&f, root);
	json_decref(root);
	return 0;
}
