/* test_jscan: field extraction from call records and Claude Code lines, and
 * the validation that must match jansson's (each accept/reject case is also
 * put to jansson, so a wrong expectation here shows as well). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "tap.h"

static struct arena scratch;
static struct jfacts facts;

/* Does jansson take this line as a record (an object)? */
static bool
jansson_takes(const char *line, size_t len)
{
	json_error_t e;
	json_t *v = json_loadb(line, len, 0, &e);
	bool obj = json_is_object(v);
	json_decref(v);
	return obj;
}

static bool
scan(const char *line, size_t len, struct jscan_error *err)
{
	arena_reset(&scratch);
	struct jscan_error e0;
	return jscan_line(line, len, &facts, &scratch, err ? err : &e0);
}

static void
field_type(enum jfield f, enum jtype t, const char *what)
{
	if (!check(facts.f[f].t == t, "%s: %s has type %d", what, jfield_names[f], (int)t))
		tap_diag("  got type %d", (int)facts.f[f].t);
}

static void
field_str(enum jfield f, const char *want, const char *what)
{
	const struct jval *v = &facts.f[f];
	if (!check(v->t == J_STRING && v->n == strlen(want) && memcmp(v->s, want, v->n) == 0, "%s: %s is \"%s\"",
		   what, jfield_names[f], tap_escape(want, strlen(want)))) {
		tap_diag("  type %d", (int)v->t);
		if (v->s)
			tap_diag_mem("got", v->s, v->n);
	}
}

static void
field_int(enum jfield f, int64_t want, const char *text, const char *what)
{
	const struct jval *v = &facts.f[f];
	if (!check(v->t == J_INT && v->i == want && v->n == strlen(text) && memcmp(v->s, text, v->n) == 0,
		   "%s: %s is the integer %s", what, jfield_names[f], text))
		tap_diag("  type %d, value %lld", (int)v->t, (long long)v->i);
}

/* Reals, objects and arrays keep their source text. */
static void
field_text(enum jfield f, enum jtype t, const char *text, const char *what)
{
	const struct jval *v = &facts.f[f];
	if (!check(v->t == t && v->s && v->n == strlen(text) && memcmp(v->s, text, v->n) == 0,
		   "%s: %s is %s", what, jfield_names[f], text)) {
		tap_diag("  type %d", (int)v->t);
		if (v->s)
			tap_diag_mem("got", v->s, v->n);
	}
}

static void
test_call_record(void)
{
	static const char line[] =
		" \t{\"id\":\"inv-1\",\"ts\":\"2026-11-01T00:00:07Z\",\"agent\":\"frontend\",\"tool\":\"claude-code\","
		"\"model\":\"claude-opus-4-1\",\"task_id\":null,\"input_tokens\":16798,\"output_tokens\":20,"
		"\"cache_read_tokens\":0,\"cache_write_tokens\":13575,\"cache_write_1h_tokens\":7,"
		"\"latency_ms\":1338.5,\"cost_usd\":2.5e-1,\"status\":\"success\",\"error\":\"a\\u00e9\\\"b\","
		"\"kind\":\"call\",\"invocation_id\":-42,\"agent_name\":true,\"tool_name\":false,"
		"\"model_name\":{\"x\":[1,2]},\"prompt_tokens\":[1, 2],"
		"\"completion_tokens\":-9223372036854775808,"
		"\"unpicked\":{\"message\":{\"id\":\"nope\"},\"type\":\"assistant\"}} \r";
	const char *w = "call record";
	if (!check(scan(line, sizeof line - 1, NULL), "a call record scans"))
		return;
	field_str(F_ID, "inv-1", w);
	field_str(F_TS, "2026-11-01T00:00:07Z", w);
	field_str(F_AGENT, "frontend", w);
	field_str(F_TOOL, "claude-code", w);
	field_str(F_MODEL, "claude-opus-4-1", w);
	field_type(F_TASK_ID, J_NULL, w);
	field_int(F_INPUT_TOKENS, 16798, "16798", w);
	field_int(F_OUTPUT_TOKENS, 20, "20", w);
	field_int(F_CACHE_READ_TOKENS, 0, "0", w);
	field_int(F_CACHE_WRITE_TOKENS, 13575, "13575", w);
	field_int(F_CACHE_WRITE_1H_TOKENS, 7, "7", w);
	field_text(F_LATENCY_MS, J_REAL, "1338.5", w);
	field_text(F_COST_USD, J_REAL, "2.5e-1", w);
	field_str(F_STATUS, "success", w);
	field_str(F_ERROR, "a\xc3\xa9\"b", w); /* escapes decoded */
	field_str(F_KIND, "call", w);
	field_int(F_INVOCATION_ID, -42, "-42", w);
	field_type(F_AGENT_NAME, J_TRUE, w);
	field_type(F_TOOL_NAME, J_FALSE, w);
	field_text(F_MODEL_NAME, J_OBJECT, "{\"x\":[1,2]}", w);
	field_text(F_PROMPT_TOKENS, J_ARRAY, "[1, 2]", w);
	field_int(F_COMPLETION_TOKENS, INT64_MIN, "-9223372036854775808", w);
	/* Names inside an object that is not read are not top-level fields. */
	field_type(F_TYPE, J_ABSENT, w);
	field_type(F_MESSAGE, J_ABSENT, w);
	field_type(F_MSG_ID, J_ABSENT, w);
	field_type(F_TIMESTAMP, J_ABSENT, w);
	check(jval_eq(&facts.f[F_STATUS], "success") && !jval_eq(&facts.f[F_STATUS], "succes") &&
		      !jval_eq(&facts.f[F_INPUT_TOKENS], "16798"),
	      "jval_eq compares strings only, whole");
}

static void
test_claude_line(void)
{
	static const char line[] =
		"{\"parentUuid\":\"9bb4549e\",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"/home/dev/acme-shop\","
		"\"sessionId\":\"2908ebf9-3e30-47fa-a9e8-048403debb4b\",\"version\":\"2.0.14\",\"type\":\"assistant\","
		"\"message\":{\"id\":\"msg_01raw\",\"type\":\"message\",\"role\":\"assistant\","
		"\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\",\"text\":\"Let me look.\\n\","
		"\"usage\":{\"input_tokens\":999}}],\"stop_reason\":null,"
		"\"usage\":{\"input_tokens\":8,\"cache_creation_input_tokens\":2044,\"cache_read_input_tokens\":14200,"
		"\"cache_creation\":{\"ephemeral_5m_input_tokens\":2044,\"ephemeral_1h_input_tokens\":0},"
		"\"output_tokens\":11,\"service_tier\":\"standard\"}},"
		"\"requestId\":\"req\\ud83d\\ude00\\n\\t\\/\\\\\\b\\f\\r\\u0041\\u07ff\\uffff\","
		"\"uuid\":\"4d523b92\",\"timestamp\":\"2026-11-21T13:40:05.779Z\",\"costUSD\":0.0123}";
	const char *w = "claude line";
	if (!check(scan(line, sizeof line - 1, NULL), "a Claude Code assistant line scans"))
		return;
	field_str(F_TYPE, "assistant", w);
	field_type(F_ISSIDECHAIN, J_FALSE, w);
	field_str(F_SESSIONID, "2908ebf9-3e30-47fa-a9e8-048403debb4b", w);
	field_str(F_TIMESTAMP, "2026-11-21T13:40:05.779Z", w);
	field_text(F_COSTUSD, J_REAL, "0.0123", w);
	field_str(F_REQUESTID, "req\xf0\x9f\x98\x80\n\t/\\\b\f\rA\xdf\xbf\xef\xbf\xbf", w);
	field_type(F_MESSAGE, J_OBJECT, w);
	check(facts.f[F_MESSAGE].s && facts.f[F_MESSAGE].s[0] == '{' &&
		      facts.f[F_MESSAGE].s[facts.f[F_MESSAGE].n - 1] == '}',
	      "%s: message keeps its raw text", w);
	field_str(F_MSG_ID, "msg_01raw", w);
	field_str(F_MSG_MODEL, "claude-sonnet-4-5-20250929", w);
	field_type(F_MSG_USAGE, J_OBJECT, w);
	field_int(F_U_INPUT, 8, "8", w); /* not the 999 inside content */
	field_int(F_U_OUTPUT, 11, "11", w);
	field_int(F_U_CACHE_CREATION_INPUT, 2044, "2044", w);
	field_int(F_U_CACHE_READ_INPUT, 14200, "14200", w);
	field_type(F_U_CACHE_CREATION, J_OBJECT, w);
	field_int(F_U_CC_5M, 2044, "2044", w);
	field_int(F_U_CC_1H, 0, "0", w);
	/* "id" and "model" inside message are not the top-level ones. */
	field_type(F_ID, J_ABSENT, w);
	field_type(F_MODEL, J_ABSENT, w);
}

static void
test_duplicates(void)
{
	const char *w = "duplicates";
	static const char l1[] = "{\"model\":\"a\",\"model\":\"b\"}";
	check(scan(l1, sizeof l1 - 1, NULL), "duplicate keys scan");
	field_str(F_MODEL, "b", "a repeated key: the last wins");

	static const char l2[] = "{\"message\":{\"id\":\"m1\",\"model\":\"x\",\"usage\":{\"input_tokens\":5,"
				 "\"cache_creation\":{\"ephemeral_5m_input_tokens\":1}}},\"message\":{\"model\":\"y\"}}";
	check(scan(l2, sizeof l2 - 1, NULL), "a repeated message object scans");
	field_str(F_MSG_MODEL, "y", w);
	field_type(F_MSG_ID, J_ABSENT, "a repeated message clears the earlier one's fields");
	field_type(F_MSG_USAGE, J_ABSENT, w);
	field_type(F_U_INPUT, J_ABSENT, w);
	field_type(F_U_CC_5M, J_ABSENT, w);

	static const char l3[] = "{\"message\":{\"usage\":{\"input_tokens\":5}},\"message\":\"text\"}";
	check(scan(l3, sizeof l3 - 1, NULL), "a message replaced by a string scans");
	field_str(F_MESSAGE, "text", w);
	field_type(F_U_INPUT, J_ABSENT, "a message replaced by a string clears its fields");

	static const char l4[] = "{\"message\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":1},"
				 "\"usage\":{\"output_tokens\":2}}}";
	check(scan(l4, sizeof l4 - 1, NULL), "a repeated usage scans");
	field_type(F_U_INPUT, J_ABSENT, "a repeated usage clears the earlier one's fields");
	field_int(F_U_OUTPUT, 2, "2", w);

	static const char l5[] = "{\"message\":{\"usage\":{\"cache_creation\":{\"ephemeral_1h_input_tokens\":3},"
				 "\"cache_creation\":null}}}";
	check(scan(l5, sizeof l5 - 1, NULL), "a repeated cache_creation scans");
	field_type(F_U_CACHE_CREATION, J_NULL, w);
	field_type(F_U_CC_1H, J_ABSENT, "a cache_creation replaced by null clears its fields");

	static const char l6[] = "{\"typ\\u0065\":\"assistant\",\"usage\":{\"input_tokens\":5},\"id\":\"top\","
				 "\"message\":{\"id\":\"inner\"}}";
	check(scan(l6, sizeof l6 - 1, NULL), "escaped keys scan");
	field_str(F_TYPE, "assistant", "a key is matched after decoding its escapes");
	field_type(F_U_INPUT, J_ABSENT, "usage outside message is not read");
	field_str(F_ID, "top", w);
	field_str(F_MSG_ID, "inner", w);

	/* Fields never leak from one line into the next. */
	static const char l7[] = "{}";
	check(scan(l7, sizeof l7 - 1, NULL), "{} scans");
	bool clean = true;
	for (int i = 0; i < F_COUNT; i++)
		clean &= facts.f[i].t == J_ABSENT;
	check(clean, "after {} every field is absent");
}

static void
test_extra(void)
{
	static const char *const names[] = {"team", "labels", "missing"};
	facts.nextra = 3;
	for (int i = 0; i < 3; i++)
		facts.extra_names[i] = names[i];
	static const char l1[] = "{\"team\":\"x\",\"labels\":[\"a\",\"b\"],\"teams\":1,\"team\":\"core\",\"model\":\"m\"}";
	check(scan(l1, sizeof l1 - 1, NULL), "a line with extra fields scans");
	const struct jval *team = &facts.extra[0], *labels = &facts.extra[1];
	check(team->t == J_STRING && team->n == 4 && memcmp(team->s, "core", 4) == 0,
	      "extra 'team' is \"core\" (the last of two)");
	check(labels->t == J_ARRAY && labels->n == 9 && memcmp(labels->s, "[\"a\",\"b\"]", 9) == 0,
	      "extra 'labels' is the array's text");
	check(facts.extra[2].t == J_ABSENT, "an extra name not in the line is absent");
	field_str(F_MODEL, "m", "extras do not hide known fields");
	static const char l2[] = "{\"labels\":{\"k\":1}}";
	check(scan(l2, sizeof l2 - 1, NULL) && facts.extra[0].t == J_ABSENT && facts.extra[1].t == J_OBJECT,
	      "extras are reset for each line");
	facts.nextra = 0;
}

/* Lines both scanners must accept. */
static void
accept_line(const char *line, size_t len, const char *what)
{
	bool j = scan(line, len, NULL), ref = jansson_takes(line, len);
	if (!check(j && ref, "accepted: %s", what))
		tap_diag("  jscan %d, jansson %d", j, ref);
}

/* Lines both must reject. */
static void
reject_line(const char *line, size_t len, const char *what)
{
	struct jscan_error err = {0};
	bool j = scan(line, len, &err), ref = jansson_takes(line, len);
	if (!check(!j && !ref && err.message && err.offset <= len, "rejected: %s", what))
		tap_diag("  jscan %d, jansson %d", j, ref);
}

#define ACCEPT(lit, what) accept_line(lit, sizeof lit - 1, what)
#define REJECT(lit, what) reject_line(lit, sizeof lit - 1, what)

/* {"a": then depth-1 arrays around inner, then }: depth containers in all. */
static char *
nested(int depth, const char *inner, size_t *len)
{
	size_t il = strlen(inner);
	char *s = xmalloc(2 * (size_t)depth + il + 8), *p = s;
	memcpy(p, "{\"a\":", 5);
	p += 5;
	for (int i = 1; i < depth; i++)
		*p++ = '[';
	memcpy(p, inner, il);
	p += il;
	for (int i = 1; i < depth; i++)
		*p++ = ']';
	*p++ = '}';
	*len = (size_t)(p - s);
	return s;
}

static void
test_validation(void)
{
	ACCEPT("{\"a\":-0}", "-0");
	ACCEPT("{\"a\":1E+2,\"b\":1e-2,\"c\":0.5e0}", "exponents");
	ACCEPT("{\"a\":1e-999}", "a real that underflows to 0");
	ACCEPT("{\"a\":9223372036854775807,\"b\":-9223372036854775808}", "the 64-bit integer limits");
	ACCEPT("{\"a\":\"\\ud83d\\ude00\",\"b\":\"\xf0\x9f\x98\x80\",\"\":1}", "surrogate pairs, 4-byte UTF-8, an empty key");
	ACCEPT(" \r\n\t{ \"a\" : [ ] , \"b\" : { } } \n", "whitespace everywhere");
	ACCEPT("{\"a\":\"\x7f\"}", "DEL in a string");

	REJECT("[1,2]", "a top-level array");
	REJECT("\"str\"", "a top-level string");
	REJECT("12", "a top-level number");
	REJECT("null", "a top-level null");
	REJECT("", "an empty line");
	REJECT("   ", "a blank line");
	REJECT("{} x", "trailing garbage");
	REJECT("{}{}", "two objects");
	REJECT("{\"a\":1}\0", "a NUL byte after the object");
	REJECT("{\"a\":99999999999999999999}", "99999999999999999999 (too big an integer)");
	REJECT("{\"a\":9223372036854775808}", "2^63");
	REJECT("{\"a\":-9223372036854775809}", "-2^63-1");
	REJECT("{\"a\":1e999}", "1e999 (real overflow)");
	REJECT("{\"a\":-1e999}", "-1e999");
	REJECT("{\"a\":\"\\u0000\"}", "\\u0000 in a string");
	REJECT("{\"a\\u0000\":1}", "\\u0000 in a key");
	REJECT("{\"a\":\"\\udc00\"}", "a lone low surrogate \\udc00");
	REJECT("{\"a\":\"\\ud800\"}", "a lone high surrogate");
	REJECT("{\"a\":\"\\ud800\\u0041\"}", "a high surrogate before a non-surrogate");
	REJECT("{\"a\":\"\\ud800\\ud800\"}", "two high surrogates");
	REJECT("{\"a\":\"\xff\"}", "an invalid UTF-8 byte");
	REJECT("{\"a\":\"\xc0\x80\"}", "overlong UTF-8");
	REJECT("{\"a\":\"\xed\xa0\x80\"}", "a surrogate encoded in UTF-8");
	REJECT("{\"a\":\"\xf4\x90\x80\x80\"}", "UTF-8 past U+10FFFF");
	REJECT("{\"a\":\"\xe2\x82\"}", "truncated UTF-8");
	REJECT("{\"a\xff\":1}", "invalid UTF-8 in a key");
	REJECT("{\"a\":\"\x01\"}", "a control character in a string");
	REJECT("{\"a\":\"tab\there\"}", "a raw tab in a string");
	REJECT("{\"a\":\"\\x\"}", "an unknown escape");
	REJECT("{\"a\":\"\\u12\"}", "a short \\u escape");
	REJECT("{\"a\":\"\\u12g4\"}", "a \\u escape that is not hex");
	REJECT("{\"a\":\"x", "an unterminated string");
	REJECT("{\"a\":\"x\\", "a line ending in a backslash");
	REJECT("{\"a\":01}", "a leading zero, 01");
	REJECT("{\"a\":-01}", "-01");
	REJECT("{\"a\":1.}", "1.");
	REJECT("{\"a\":.5}", ".5");
	REJECT("{\"a\":-}", "-");
	REJECT("{\"a\":+1}", "+1");
	REJECT("{\"a\":1e}", "1e");
	REJECT("{\"a\":1e+}", "1e+");
	REJECT("{\"a\":0x10}", "0x10");
	REJECT("{\"a\":tru}", "tru");
	REJECT("{\"a\":truex}", "truex");
	REJECT("{\"a\":True}", "True");
	REJECT("{\"a\":NaN}", "NaN");
	REJECT("{\"a\":1,}", "a trailing comma");
	REJECT("{,}", "a lone comma");
	REJECT("{\"a\" 1}", "a missing colon");
	REJECT("{'a':1}", "single quotes");
	REJECT("{a:1}", "a bare key");
	REJECT("{\"a\":1", "an unclosed object");
	REJECT("{\"a\":[1,2}", "a mismatched bracket");
	REJECT("{\"a\":1}\x0b", "a vertical tab after the object");

	/* jansson 2.14 drops a NUL byte right after a number or a literal and
	 * accepts this; it is not JSON, and jscan is right to refuse it. */
	static const char nul[] = "{\"a\":1\0}";
	check(!scan(nul, sizeof nul - 1, NULL), "rejected: a NUL byte right after a number");

	/* A real without an exponent can still overflow when long enough. */
	char big[420];
	big[0] = '{';
	memcpy(big + 1, "\"a\":1", 5);
	memset(big + 6, '0', 400);
	memcpy(big + 406, ".5}", 3);
	reject_line(big, 409, "a 401-digit real (overflow)");
	memcpy(big + 6 + 300, ".5}", 3);
	accept_line(big, 309, "a 301-digit real");

	/* Error offsets point at the trouble. */
	struct jscan_error err = {0};
	static const char t1[] = "{\"a\":tru}";
	check(!scan(t1, sizeof t1 - 1, &err) && err.offset == 5, "the error offset of tru is 5 (got %zu: %s)", err.offset,
	      err.message ? err.message : "");
	static const char t2[] = "{} x";
	check(!scan(t2, sizeof t2 - 1, &err) && err.offset == 3, "the error offset of trailing garbage is 3 (got %zu)",
	      err.offset);

	/* jansson counts every value toward its depth limit of 2048: the
	 * containers, and a scalar inside them too. */
	size_t len;
	char *s = nested(2048, "", &len);
	accept_line(s, len, "2048 levels of nesting");
	free(s);
	s = nested(2049, "", &len);
	reject_line(s, len, "2049 levels of nesting");
	free(s);
	s = nested(2048, "{\"k\":{}}", &len);
	reject_line(s, len, "2050 levels, inner objects included");
	free(s);
	s = nested(2047, "1", &len);
	accept_line(s, len, "a number at depth 2048");
	free(s);
	s = nested(2048, "1", &len);
	reject_line(s, len, "a number inside 2048 levels (depth 2049 to jansson)");
	free(s);
}

int
main(void)
{
	test_call_record();
	test_claude_line();
	test_duplicates();
	test_extra();
	test_validation();
	arena_free(&scratch);
	return done();
}
