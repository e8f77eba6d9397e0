/* test_yamlfast: the fast path's JSON for each construct of its subset,
 * checked against the text expected and against yaml_load; every case
 * outside the subset declined with out and want[] left alone; and every
 * example task file taken by the fast path, byte for byte as yaml_load.
 *
 * YAMLFAST_BENCH=1 also prints (as TAP comments, not checks) the time per
 * example file of the fast path and of yaml_load with json_dump. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "jsonout.h"
#include "tap.h"
#include "util.h"
#include "yamlfast.h"
#include "yamlload.h"

/* yaml_load's JSON for the text, as the fast path must write it; false
 * when it does not load as one document with a mapping at its root. */
static bool
reference_json(const char *text, size_t len, struct buf *ref)
{
	struct yaml_doc doc;
	struct yaml_error err;
	if (!yaml_load(text, len, &(struct yaml_opts){.single_document = true}, &doc, &err))
		return false;
	bool ok = json_is_object(doc.root) &&
		  json_dump_callback(doc.root, jw_dump_to_buf, ref, JSON_COMPACT | JSON_ENCODE_ANY) == 0;
	yaml_doc_free(&doc);
	return ok;
}

/* The text must take the fast path, write want_json, and agree with
 * yaml_load. */
static void
accepts(const char *what, const char *text, const char *want_json)
{
	struct buf out = {0}, ref = {0};
	bool ok = yaml_fast_json(text, strlen(text), &out, NULL, 0);
	if (!check(ok, "%s: taken by the fast path", what)) {
		tap_diag_mem("text", text, strlen(text));
		buf_free(&out);
		return;
	}
	check_mem_eq(out.data, out.len, want_json, "%s: its JSON", what);
	bool loads = reference_json(text, strlen(text), &ref);
	if (check(loads, "%s: yaml_load agrees it is a mapping", what))
		check_mem_eq(out.data, out.len, ref.data, "%s: the same bytes as yaml_load", what);
	buf_free(&out);
	buf_free(&ref);
}

/* The text must be declined, with out as it was. */
static void
declines(const char *what, const char *text, size_t len)
{
	struct buf out = {0};
	buf_adds(&out, "kept");
	bool ok = yaml_fast_json(text, len, &out, NULL, 0);
	if (!check(!ok && out.len == 4 && strcmp(out.data, "kept") == 0, "declines %s", what))
		tap_diag_mem("out", out.data, out.len);
	buf_free(&out);
}

#define DECLINES(what, lit) declines((what), (lit), sizeof(lit) - 1)

static void
test_constructs(void)
{
	accepts("plain scalars", "id: 2026-11-21T0930-x\ntitle: Add coupon stacking, [v2] {a} \"b\" c\\d  \n",
		"{\"id\":\"2026-11-21T0930-x\",\"title\":\"Add coupon stacking, [v2] {a} \\\"b\\\" c\\\\d\"}");
	accepts("typed scalars",
		"n1: null\nn2: ~\nn3:\nb1: yes\nb2: Off\nb3: TRUE\ni1: 12\ni2: -7\ni3: +12\ni4: 1_000\ni5: 0x1F\n"
		"s1: 012\nf1: 0.30\nf2: -1.5e+3\nf3: .5\ns2: -.5\ns3: 1e3\ns4: y\ns5: 2026-11-21T09:30:00Z\n",
		"{\"n1\":null,\"n2\":null,\"n3\":null,\"b1\":true,\"b2\":false,\"b3\":true,\"i1\":12,\"i2\":-7,"
		"\"i3\":12,\"i4\":1000,\"i5\":31,\"s1\":\"012\",\"f1\":0.29999999999999999,\"f2\":-1500.0,"
		"\"f3\":0.5,\"s2\":\"-.5\",\"s3\":\"1e3\",\"s4\":\"y\",\"s5\":\"2026-11-21T09:30:00Z\"}");
	accepts("nested mappings", "a:\n  b:\n    c: 1\n  d: x\ne: y\n",
		"{\"a\":{\"b\":{\"c\":1},\"d\":\"x\"},\"e\":\"y\"}");
	accepts("block sequences", "a:\n  - x\n  - y\nb:\n    -   z\n", "{\"a\":[\"x\",\"y\"],\"b\":[\"z\"]}");
	accepts("a sequence at its key's column", "a:\n- x\n- y\nb: 1\n", "{\"a\":[\"x\",\"y\"],\"b\":1}");
	accepts("mappings inside a sequence",
		"result:\n  - name: x      # compact mapping inside a sequence\n    url: y\n  - name: z\n"
		"    list:\n    - 1\n    deep:\n      k: v\n",
		"{\"result\":[{\"name\":\"x\",\"url\":\"y\"},{\"name\":\"z\",\"list\":[1],\"deep\":{\"k\":\"v\"}}]}");
	accepts("single-quoted scalars", "a: 'it''s \"x\" \\ # not a comment'\nb: ''\nc: '1'\n",
		"{\"a\":\"it's \\\"x\\\" \\\\ # not a comment\",\"b\":\"\",\"c\":\"1\"}");
	accepts("double-quoted scalars", "a: \"say \\\"hi\\\"\\n\\tnext \\\\ \\/ #412: yes\"  # comment\nb: \"\"\n",
		"{\"a\":\"say \\\"hi\\\"\\n\\tnext \\\\ / #412: yes\",\"b\":\"\"}");
	accepts("comments",
		"# head\n\na: b # trailing\n   # indented\nc: d#e\nf: g  #h: i\nj: # nothing here\n  k: l\n",
		"{\"a\":\"b\",\"c\":\"d#e\",\"f\":\"g\",\"j\":{\"k\":\"l\"}}");
	accepts("literal block scalars", "clip: |\n  one\n   two\n\n  three\n\n\nstrip: |-\n  x\n\nkeep: |+\n  x\n\n\n",
		"{\"clip\":\"one\\n two\\n\\nthree\\n\",\"strip\":\"x\",\"keep\":\"x\\n\\n\\n\"}");
	accepts("folded block scalars",
		"fold: >\n  a\n  b\n\n  c\n    d\n  e\nstrip: >- # why\n  a b\n  c\nlast: >+\n   tail\n\n",
		"{\"fold\":\"a b\\nc\\n  d\\ne\\n\",\"strip\":\"a b c\",\"last\":\"tail\\n\\n\"}");
	accepts("block scalars in sequences", "a:\n- |\n  x\n  # kept\n- k: >-\n    y\n    z\n  # a comment\n",
		"{\"a\":[\"x\\n# kept\\n\",{\"k\":\"y z\"}]}");
	accepts("empty flow collections", "a: []\nb: {}  # empty\nc:\n  - []\n  - {}\n",
		"{\"a\":[],\"b\":{},\"c\":[[],{}]}");
	accepts("empty values", "a:\nb:\n  c:\n  d:\ne:", "{\"a\":null,\"b\":{\"c\":null,\"d\":null},\"e\":null}");
	accepts("an indented root", "  a: 1\n  b:\n    - x\n", "{\"a\":1,\"b\":[\"x\"]}");
	accepts("UTF-8", "a: caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\nb: x\xc2\xa0#y\n",
		"{\"a\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\",\"b\":\"x\xc2\xa0#y\"}");
	accepts("no final newline", "a: x\nb: |\n  y", "{\"a\":\"x\",\"b\":\"y\"}");
	accepts("the brief's example",
		"id: 2026-11-21T0930-backend-dev-add-coupon-stacking-rules\n"
		"agent: backend-dev\n"
		"status: new\n"
		"artefacts:\n"
		"  - services/pricing/src/coupons/stacking.ts\n"
		"context:\n"
		"  repo: acme/shop\n"
		"  notes:\n"
		"    - Marketing wants at most one percentage coupon.\n"
		"    - \"Current behaviour: the last applied coupon silently wins (see issue #412).\"\n"
		"    - '\"Reservation\", \"hold\" are used; pick one.'\n"
		"  dependencies: []\n"
		"created_at: \"2026-11-21T09:30:00Z\"\n"
		"assigned_at: null\n",
		"{\"id\":\"2026-11-21T0930-backend-dev-add-coupon-stacking-rules\",\"agent\":\"backend-dev\","
		"\"status\":\"new\",\"artefacts\":[\"services/pricing/src/coupons/stacking.ts\"],"
		"\"context\":{\"repo\":\"acme/shop\",\"notes\":[\"Marketing wants at most one percentage coupon.\","
		"\"Current behaviour: the last applied coupon silently wins (see issue #412).\","
		"\"\\\"Reservation\\\", \\\"hold\\\" are used; pick one.\"],\"dependencies\":[]},"
		"\"created_at\":\"2026-11-21T09:30:00Z\",\"assigned_at\":null}");
}

/* Nested mappings, depth of them: "a:\n  a:\n    a: x\n". */
static char *
nested_text(int depth)
{
	struct buf b = {0};
	for (int i = 0; i < depth; i++) {
		for (int j = 0; j < 2 * i; j++)
			buf_addc(&b, ' ');
		buf_adds(&b, i + 1 == depth ? "a: x\n" : "a:\n");
	}
	return b.data;
}

static void
test_declines(void)
{
	/* The text as a whole */
	DECLINES("an empty document", "");
	DECLINES("only comments", "# a\n\n  # b\n");
	DECLINES("a tab", "a:\n\t- x\n");
	DECLINES("a tab inside a value", "a: x\ty\n");
	DECLINES("a carriage return", "a: x\r\n");
	DECLINES("a NUL", "a: x\0y\n");
	DECLINES("a control character", "a: x\x1by\n");
	DECLINES("DEL", "a: x\x7fy\n");
	DECLINES("a BOM", "\xef\xbb\xbf" "a: x\n");
	DECLINES("a BOM inside", "a: x\xef\xbb\xbfy\n");
	DECLINES("invalid UTF-8", "a: x\xc3(\n");
	DECLINES("a truncated UTF-8 sequence", "a: x\xe2\x82");
	DECLINES("an overlong UTF-8 sequence", "a: \xc0\xaf\n");
	DECLINES("a UTF-8 surrogate", "a: \xed\xa0\x80\n");
	DECLINES("a code point past U+10FFFF", "a: \xf4\x90\x80\x80\n");
	DECLINES("a C1 control", "a: \xc2\x80\n");
	DECLINES("NEL, a line break", "a: x\xc2\x85y\n");
	DECLINES("LINE SEPARATOR", "a: x\xe2\x80\xa8y\n");
	DECLINES("U+FFFE", "a: \xef\xbf\xbe\n");
	DECLINES("a document start", "---\na: 1\n");
	DECLINES("a document end", "a: 1\n...\n");
	DECLINES("a second document", "a: 1\n---\nb: 2\n");
	DECLINES("a directive", "%YAML 1.1\n---\na: 1\n");

	/* The root */
	DECLINES("a sequence at the root", "- a\n- b\n");
	DECLINES("a scalar at the root", "just text\n");
	DECLINES("a flow mapping at the root", "{a: 1}\n");
	DECLINES("a line after the root", "  a: 1\nb: 2\n");

	/* Keys */
	DECLINES("a key read as a bool", "yes: 1\n");
	DECLINES("a key read as a number", "1: x\n");
	DECLINES("a key read as null", "null: x\n");
	DECLINES("a merge key", "<<: {}\n");
	DECLINES("a quoted key", "\"a\": 1\n");
	DECLINES("a key with a space", "a b: 1\n");
	DECLINES("a key starting with a dash", "-a: 1\n");
	DECLINES("a space before the colon", "a : 1\n");
	DECLINES("a duplicate key", "a: 1\nb: 2\na: 3\n");
	DECLINES("a duplicate key in a nested mapping", "x:\n  a: 1\n  a: 2\n");
	DECLINES("an explicit key", "? a\n: b\n");

	/* Sequences */
	DECLINES("a nested sequence on one line", "a:\n  - - x\n");
	DECLINES("a dash alone", "a:\n  -\n    b: 1\n");
	DECLINES("a dash with a comment", "a:\n  - # c\n    b: 1\n");
	DECLINES("an entry as a mapping value", "a: - x\n");
	DECLINES("an entry where a key is due", "a: 1\n- x\n");
	DECLINES("a key where an entry is due", "a:\n  - x\n  b: 1\n");
	DECLINES("a compact mapping's key out of line", "a:\n- b: 1\n   c: 2\n");

	/* Scalars */
	DECLINES("an anchor", "a: &x 1\nb: *x\n");
	DECLINES("a tag", "a: !!str 1\n");
	DECLINES("a flow sequence", "a: [x]\n");
	DECLINES("a flow mapping", "a: {b: 1}\n");
	DECLINES("a spaced empty flow sequence", "a: [ ]\n");
	DECLINES("junk after a flow collection", "a: []x\n");
	DECLINES("a reserved indicator", "a: @x\n");
	DECLINES("a backtick", "a: `x`\n");
	DECLINES("a percent sign first", "a: %x\n");
	DECLINES("a question mark first", "a: ?x\n");
	DECLINES("a colon first", "a: :x\n");
	DECLINES("a comma first", "a: ,x\n");
	DECLINES("a mapping value in a plain scalar", "a: Fix: the thing\n");
	DECLINES("a colon at a plain scalar's end", "a: b:\n");
	DECLINES("a continuation line", "a: value\n  continued\n");
	DECLINES("a continuation line after a comment", "a: value\n# c\n  b: 1\n");
	DECLINES("a continuation line in a sequence", "a:\n  - x\n    y\n");
	DECLINES("a value on the line below its key", "a:\n  value\n");
	DECLINES("a multi-line single-quoted scalar", "a: 'x\n  y'\n");
	DECLINES("a multi-line double-quoted scalar", "a: \"x\n  y\"\n");
	DECLINES("a \\x escape", "a: \"\\x41\"\n");
	DECLINES("a \\u escape", "a: \"\\u00e9\"\n");
	DECLINES("a \\0 escape", "a: \"\\0\"\n");
	DECLINES("an escaped line break", "a: \"x\\\n  y\"\n");
	DECLINES("junk after a quoted scalar", "a: 'x' y\n");
	DECLINES("a comment glued to a quoted scalar", "a: 'x'#c\n");
	DECLINES("a quoted scalar as a key", "a: 'x': y\n");
	DECLINES("a long number-like scalar",
		 "a: 1_____________________________________________________________________________"
		 "____________________________________________________________________________________"
		 "____________________________________________________________________________________"
		 "____________________________________________________________________________________\n");

	/* Block scalars */
	DECLINES("an indentation indicator", "a: |2\n   x\n");
	DECLINES("junk after a block header", "a: | x\n  y\n");
	DECLINES("a comment glued to a block header", "a: |#c\n  y\n");
	DECLINES("an empty block scalar", "a: |\nb: 1\n");
	DECLINES("a block scalar at the end", "a: >");
	DECLINES("a block scalar not indented", "a:\n  - |\n  x\n");
	DECLINES("a leading empty line deeper than the text", "a: |\n     \n  x\n");
	DECLINES("a line of spaces deeper than the text", "a: |\n  x\n     \n  y\n");
	DECLINES("a line between a block scalar and its key", "a:\n  b: |\n      x\n    c: 1\n");

	/* Depth */
	char *deep = nested_text(64);
	struct buf out = {0};
	check(yaml_fast_json(deep, strlen(deep), &out, NULL, 0), "64 nested mappings are taken");
	free(deep);
	buf_free(&out);
	deep = nested_text(65);
	declines("65 nested mappings", deep, strlen(deep));
	free(deep);
	deep = nested_text(64);
	struct buf b = {0};
	buf_add(&b, deep, strlen(deep) - 2); /* "a: x\n" becomes "a: []" */
	buf_adds(&b, "[]\n");
	declines("an empty flow sequence as the 65th collection", b.data, b.len);
	free(deep);
	buf_free(&b);
}

static bool
json_value_is(json_t *v, const char *want_json)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	bool ok = s && strcmp(s, want_json) == 0;
	if (!ok)
		tap_diag("  got %s, expected %s", s ? s : "NULL", want_json);
	free(s);
	return ok;
}

static void
test_want(void)
{
	static const char text[] = "id: t-1\n"
				   "status: \"in \\\"progress\\\"\\n\"\n"
				   "priority: 3\n"
				   "cost: 0.30\n"
				   "done: no\n"
				   "assigned_at:\n"
				   "notes:\n  - x\n"
				   "context:\n  id: nested\n"
				   "empty: []\n"
				   "title: |\n  Two\n  lines\n";
	const char *keys[] = {"id", "status", "priority", "cost", "done", "assigned_at", "notes",
			      "context", "empty", "title", "absent"};
	enum { N = sizeof keys / sizeof keys[0] };
	struct yaml_fast_want want[N];
	for (int i = 0; i < N; i++)
		want[i] = (struct yaml_fast_want){.key = keys[i]};
	struct buf out = {0};
	if (!check(yaml_fast_json(text, strlen(text), &out, want, N), "want[]: the document is taken"))
		return;
	check(json_value_is(want[0].value, "\"t-1\""), "want[]: a plain string");
	check(json_value_is(want[1].value, "\"in \\\"progress\\\"\\n\""), "want[]: a string with escapes");
	check(json_value_is(want[2].value, "3"), "want[]: an integer");
	check(json_value_is(want[3].value, "0.29999999999999999"), "want[]: a real");
	check(json_value_is(want[4].value, "false"), "want[]: a bool");
	check(json_value_is(want[5].value, "null"), "want[]: an empty value is null");
	check(!want[6].value && !want[7].value && !want[8].value, "want[]: collections give NULL");
	check(json_value_is(want[9].value, "\"Two\\nlines\\n\""), "want[]: a block scalar");
	check(!want[10].value, "want[]: an absent key gives NULL");
	for (int i = 0; i < N; i++)
		json_decref(want[i].value);

	/* A decline leaves want[] as it was, and out too, past a realloc. */
	json_t *mark = json_string("mark");
	for (int i = 0; i < N; i++)
		want[i].value = mark;
	size_t len = out.len;
	struct buf big = {0};
	buf_adds(&big, text);
	for (int i = 0; i < 200; i++)
		buf_printf(&big, "k%d: %s\n", i, "a value long enough to make out grow past its first size");
	buf_adds(&big, "id: again\n");
	bool ok = yaml_fast_json(big.data, big.len, &out, want, N);
	bool kept = true;
	for (int i = 0; i < N; i++)
		kept = kept && want[i].value == mark;
	check(!ok && kept && out.len == len && out.data[len] == '\0',
	      "want[] and out are left alone when a late duplicate declines");
	json_decref(mark);
	buf_free(&big);
	buf_free(&out);
}

/* Every example task file: paths under dir, recursively. */
static void
collect_yaml(const char *dir, char ***paths, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
			continue;
		struct stat st;
		if (stat(path, &st) != 0)
			continue;
		size_t len = strlen(path);
		if (S_ISDIR(st.st_mode))
			collect_yaml(path, paths, n);
		else if (len > 5 && strcmp(path + len - 5, ".yaml") == 0) {
			*paths = xreallocarray(*paths, *n + 1, sizeof **paths);
			(*paths)[(*n)++] = xstrdup(path);
		}
	}
	closedir(d);
}

static double
seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Not a check: how long each path takes per file, over many rounds. */
static void
print_timing(char **texts, size_t *lens, size_t n)
{
	static const char *const keys[] = {"id", "task_id", "agent", "status", "title", "priority"};
	enum { NKEYS = sizeof keys / sizeof keys[0], ROUNDS = 20000 };
	struct buf out = {0};
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += lens[i];

	double t0 = seconds_now();
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < n; i++) {
			out.len = 0;
			yaml_fast_json(texts[i], lens[i], &out, NULL, 0);
		}
	double fast = (seconds_now() - t0) / ((double)ROUNDS * (double)n) * 1e6;

	t0 = seconds_now();
	for (int r = 0; r < ROUNDS; r++)
		for (size_t i = 0; i < n; i++) {
			struct yaml_fast_want want[NKEYS];
			for (int k = 0; k < NKEYS; k++)
				want[k] = (struct yaml_fast_want){.key = keys[k]};
			out.len = 0;
			yaml_fast_json(texts[i], lens[i], &out, want, NKEYS);
			for (int k = 0; k < NKEYS; k++)
				json_decref(want[k].value);
		}
	double fast_want = (seconds_now() - t0) / ((double)ROUNDS * (double)n) * 1e6;

	t0 = seconds_now();
	for (int r = 0; r < ROUNDS / 10; r++)
		for (size_t i = 0; i < n; i++) {
			out.len = 0;
			reference_json(texts[i], lens[i], &out);
		}
	double ref = (seconds_now() - t0) / ((double)(ROUNDS / 10) * (double)n) * 1e6;

	tap_diag("timing: %zu example files, %zu bytes each on average", n, n ? bytes / n : 0);
	tap_diag("timing: yaml_fast_json %.2f us/file, %.2f us/file with %d wanted keys", fast, fast_want, NKEYS);
	tap_diag("timing: yaml_load + json_dump_callback %.2f us/file (%.1f times as long)", ref, ref / fast_want);
	buf_free(&out);
}

static void
test_examples(void)
{
	char **paths = NULL;
	size_t n = 0;
	collect_yaml("examples/work", &paths, &n);
	if (!check(n > 0, "example task files found under examples/work (run from the repository's root)"))
		return;
	char **texts = xcalloc(n, sizeof *texts);
	size_t *lens = xcalloc(n, sizeof *lens);
	size_t taken = 0;
	for (size_t i = 0; i < n; i++) {
		texts[i] = read_file(paths[i], 1 << 20, &lens[i]);
		if (!texts[i]) {
			check(false, "read %s", paths[i]);
			continue;
		}
		struct buf out = {0}, ref = {0};
		if (check(yaml_fast_json(texts[i], lens[i], &out, NULL, 0), "%s: taken by the fast path", paths[i])) {
			taken++;
			if (check(reference_json(texts[i], lens[i], &ref), "%s: loads with yaml_load", paths[i]))
				check_mem_eq(out.data, out.len, ref.data, "%s: the same bytes as yaml_load", paths[i]);
		}
		buf_free(&out);
		buf_free(&ref);
	}
	check_int_eq(taken, n, "every example file takes the fast path");
	const char *bench = getenv("YAMLFAST_BENCH");
	if (bench && *bench && strcmp(bench, "0") != 0)
		print_timing(texts, lens, n);
	for (size_t i = 0; i < n; i++) {
		free(texts[i]);
		free(paths[i]);
	}
	free(texts);
	free(lens);
	free(paths);
}

int
main(void)
{
	test_constructs();
	test_declines();
	test_want();
	test_examples();
	return done();
}
