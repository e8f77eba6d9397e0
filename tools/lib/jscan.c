/* jscan.c: the validating scanner. The grammar and limits follow jansson's
 * parser so that a line is accepted here exactly when json_loadb() with no
 * flags accepts it. */
#include "jscan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const jfield_names[F_COUNT] = {
	[F_TYPE] = "type",
	[F_TIMESTAMP] = "timestamp",
	[F_SESSIONID] = "sessionId",
	[F_REQUESTID] = "requestId",
	[F_COSTUSD] = "costUSD",
	[F_ISSIDECHAIN] = "isSidechain",
	[F_MESSAGE] = "message",
	[F_KIND] = "kind",
	[F_ID] = "id",
	[F_INVOCATION_ID] = "invocation_id",
	[F_TS] = "ts",
	[F_AGENT] = "agent",
	[F_AGENT_NAME] = "agent_name",
	[F_TOOL] = "tool",
	[F_TOOL_NAME] = "tool_name",
	[F_MODEL] = "model",
	[F_MODEL_NAME] = "model_name",
	[F_TASK_ID] = "task_id",
	[F_INPUT_TOKENS] = "input_tokens",
	[F_PROMPT_TOKENS] = "prompt_tokens",
	[F_OUTPUT_TOKENS] = "output_tokens",
	[F_COMPLETION_TOKENS] = "completion_tokens",
	[F_CACHE_READ_TOKENS] = "cache_read_tokens",
	[F_CACHE_WRITE_TOKENS] = "cache_write_tokens",
	[F_CACHE_WRITE_1H_TOKENS] = "cache_write_1h_tokens",
	[F_COST_USD] = "cost_usd",
	[F_LATENCY_MS] = "latency_ms",
	[F_STATUS] = "status",
	[F_ERROR] = "error",
	[F_SESSION] = "session",
	[F_PROJECT] = "project",
	[F_UNPRICED] = "unpriced",
	[F_MSG_ID] = "id",
	[F_MSG_MODEL] = "model",
	[F_MSG_USAGE] = "usage",
	[F_U_INPUT] = "input_tokens",
	[F_U_OUTPUT] = "output_tokens",
	[F_U_CACHE_CREATION_INPUT] = "cache_creation_input_tokens",
	[F_U_CACHE_READ_INPUT] = "cache_read_input_tokens",
	[F_U_CACHE_CREATION] = "cache_creation",
	[F_U_CC_5M] = "ephemeral_5m_input_tokens",
	[F_U_CC_1H] = "ephemeral_1h_input_tokens",
};

struct scanner {
	const char *start, *p, *end;
	int depth;
	struct arena *scratch;
	const char *err;
	const char *errpos;
};

static bool
fail(struct scanner *s, const char *msg)
{
	if (!s->err) {
		s->err = s->p >= s->end ? "the line ends inside a JSON value (truncated?)" : msg;
		s->errpos = s->p;
	}
	return false;
}

static inline void
skip_ws(struct scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* One UTF-8 sequence starting at p (a byte >= 0x80); returns its length or 0. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0];
	size_t n;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

bool
jscan_valid_utf8(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		size_t k = utf8_seq(p, end);
		if (!k)
			return false;
		p += k;
	}
	return true;
}

static inline uint64_t
special_bytes(uint64_t w)
{
	/* Any byte < 0x20, '"', '\\' or >= 0x80: each term is exact about
	 * whether some byte matches, and the lowest flagged byte is a match. */
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	uint64_t ctl = (w - ones * 0x20) & ~w;
	uint64_t q = w ^ (ones * '"');
	uint64_t bs = w ^ (ones * '\\');
	return (ctl | ((q - ones) & ~q) | ((bs - ones) & ~bs) | w) & highs;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
read_u4(struct scanner *s, const char *p, unsigned *out)
{
	if (s->end - p < 4)
		return false;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(p[i]);
		if (h < 0)
			return false;
		v = v * 16 + (unsigned)h;
	}
	*out = v;
	return true;
}

/* Scan a string at s->p (on its opening quote). With out, the decoded text is
 * returned: a span of the line when it has no escapes, else arena memory. */
static bool
scan_string(struct scanner *s, struct jval *out)
{
	const char *p = ++s->p;
	bool escaped = false;
	for (;;) {
		while (s->end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			uint64_t m = special_bytes(w);
			if (m) {
				p += __builtin_ctzll(m) / 8;
				goto special;
			}
			p += 8;
		}
		if (p >= s->end) {
			s->p = p;
			return fail(s, "premature end of input in a string");
		}
		if ((unsigned char)*p >= 0x20 && *p != '"' && *p != '\\' && (unsigned char)*p < 0x80) {
			p++;
			continue;
		}
special:
		if (*p == '"')
			break;
		if (*p == '\\') {
			escaped = true;
			if (s->end - p < 2) {
				s->p = p;
				return fail(s, "premature end of input in a string");
			}
			char e = p[1];
			if (e == 'u') {
				unsigned v;
				if (!read_u4(s, p + 2, &v)) {
					s->p = p;
					return fail(s, "invalid \\u escape");
				}
				p += 6;
				if (v == 0) {
					s->p = p;
					return fail(s, "\\u0000 is not allowed");
				}
				if (v >= 0xD800 && v <= 0xDBFF) {
					unsigned v2;
					if (s->end - p < 2 || p[0] != '\\' || p[1] != 'u' || !read_u4(s, p + 2, &v2) ||
					    v2 < 0xDC00 || v2 > 0xDFFF) {
						s->p = p;
						return fail(s, "invalid Unicode surrogate pair");
					}
					p += 6;
				} else if (v >= 0xDC00 && v <= 0xDFFF) {
					s->p = p;
					return fail(s, "invalid Unicode surrogate");
				}
				continue;
			}
			if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
			    e != 't') {
				s->p = p;
				return fail(s, "invalid escape");
			}
			p += 2;
			continue;
		}
		if ((unsigned char)*p < 0x20) {
			s->p = p;
			return fail(s, "control character in a string");
		}
		size_t k = utf8_seq((const unsigned char *)p, (const unsigned char *)s->end);
		if (!k) {
			s->p = p;
			return fail(s, "invalid UTF-8");
		}
		p += k;
	}
	const char *body = s->p;
	size_t n = (size_t)(p - body);
	s->p = p + 1;
	if (!out)
		return true;
	out->t = J_STRING;
	if (!escaped) {
		out->s = body;
		out->n = n;
		return true;
	}
	/* Decode: the text was validated above. */
	char *d = arena_alloc(s->scratch, n + 1), *w = d;
	for (const char *q = body; q < body + n;) {
		if (*q != '\\') {
			*w++ = *q++;
			continue;
		}
		char e = q[1];
		q += 2;
		switch (e) {
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'n': *w++ = '\n'; break;
		case 'r': *w++ = '\r'; break;
		case 't': *w++ = '\t'; break;
		case 'u': {
			unsigned v, v2;
			read_u4(s, q, &v);
			q += 4;
			if (v >= 0xD800 && v <= 0xDBFF) {
				read_u4(s, q + 2, &v2);
				q += 6;
				v = 0x10000 + ((v - 0xD800) << 10) + (v2 - 0xDC00);
			}
			if (v < 0x80)
				*w++ = (char)v;
			else if (v < 0x800) {
				*w++ = (char)(0xC0 | (v >> 6));
				*w++ = (char)(0x80 | (v & 0x3F));
			} else if (v < 0x10000) {
				*w++ = (char)(0xE0 | (v >> 12));
				*w++ = (char)(0x80 | ((v >> 6) & 0x3F));
				*w++ = (char)(0x80 | (v & 0x3F));
			} else {
				*w++ = (char)(0xF0 | (v >> 18));
				*w++ = (char)(0x80 | ((v >> 12) & 0x3F));
				*w++ = (char)(0x80 | ((v >> 6) & 0x3F));
				*w++ = (char)(0x80 | (v & 0x3F));
			}
			break;
		}
		default: *w++ = e; break;
		}
	}
	*w = '\0';
	out->s = d;
	out->n = (size_t)(w - d);
	return true;
}

static inline bool
isdig(char c)
{
	return c >= '0' && c <= '9';
}

static bool
scan_number(struct scanner *s, struct jval *out)
{
	const char *p = s->p, *start = p;
	bool neg = false;
	if (*p == '-') {
		neg = true;
		p++;
	}
	if (p >= s->end || !isdig(*p)) {
		s->p = p;
		return fail(s, "invalid token");
	}
	if (*p == '0') {
		p++;
		if (p < s->end && isdig(*p)) {
			s->p = p;
			return fail(s, "invalid token");
		}
	} else
		while (p < s->end && isdig(*p))
			p++;
	bool real = false;
	if (p < s->end && *p == '.') {
		p++;
		if (p >= s->end || !isdig(*p)) {
			s->p = p;
			return fail(s, "invalid token");
		}
		while (p < s->end && isdig(*p))
			p++;
		real = true;
	}
	if (p < s->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < s->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= s->end || !isdig(*p)) {
			s->p = p;
			return fail(s, "invalid token");
		}
		while (p < s->end && isdig(*p))
			p++;
		real = true;
	}
	size_t n = (size_t)(p - start);
	if (!real) {
		/* An integer must fit in 64 bits, as jansson's json_int_t. */
		const char *d = start + neg;
		uint64_t v = 0;
		for (; d < p; d++) {
			unsigned dig = (unsigned)(*d - '0');
			if (v > (UINT64_MAX - dig) / 10) {
				s->p = start;
				return fail(s, neg ? "too big negative integer" : "too big integer");
			}
			v = v * 10 + dig;
		}
		if ((!neg && v > (uint64_t)INT64_MAX) || (neg && v > (uint64_t)INT64_MAX + 1)) {
			s->p = start;
			return fail(s, neg ? "too big negative integer" : "too big integer");
		}
		if (out) {
			out->t = J_INT;
			out->i = neg ? (int64_t)(0 - v) : (int64_t)v;
		}
	} else {
		/* A real must not overflow a double, as jansson checks. Only an
		 * exponent can make it so; most reals are checked without strtod. */
		const char *e = memchr(start, 'e', n);
		if (!e)
			e = memchr(start, 'E', n);
		if (e || n > 300) {
			char small[64], *tmp = n < sizeof small ? small : xmalloc(n + 1);
			memcpy(tmp, start, n);
			tmp[n] = '\0';
			errno = 0;
			double d = strtod(tmp, NULL);
			bool over = (d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE;
			if (tmp != small)
				free(tmp);
			if (over) {
				s->p = start;
				return fail(s, "real number overflow");
			}
		}
		if (out)
			out->t = J_REAL;
	}
	if (out) {
		out->s = start;
		out->n = n;
	}
	s->p = p;
	return true;
}

static bool scan_value(struct scanner *s, struct jval *out);

static bool
scan_literal(struct scanner *s, struct jval *out)
{
	const char *p = s->p;
	size_t n = 0;
	while (p + n < s->end && ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z')))
		n++;
	enum jtype t;
	if (n == 4 && memcmp(p, "true", 4) == 0)
		t = J_TRUE;
	else if (n == 5 && memcmp(p, "false", 5) == 0)
		t = J_FALSE;
	else if (n == 4 && memcmp(p, "null", 4) == 0)
		t = J_NULL;
	else
		return fail(s, "invalid token");
	s->p += n;
	if (out) {
		out->t = t;
		out->s = p;
		out->n = n;
	}
	return true;
}

/* Scan an array or object at s->p without extracting anything. */
static bool
skip_container(struct scanner *s)
{
	char open = *s->p;
	if (++s->depth > JSCAN_MAX_DEPTH)
		return fail(s, "maximum parsing depth reached");
	s->p++;
	skip_ws(s);
	char close = open == '{' ? '}' : ']';
	if (s->p < s->end && *s->p == close) {
		s->p++;
		s->depth--;
		return true;
	}
	for (;;) {
		if (open == '{') {
			if (s->p >= s->end || *s->p != '"')
				return fail(s, "string or '}' expected");
			if (!scan_string(s, NULL))
				return false;
			skip_ws(s);
			if (s->p >= s->end || *s->p != ':')
				return fail(s, "':' expected");
			s->p++;
			skip_ws(s);
		}
		if (!scan_value(s, NULL))
			return false;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == close) {
			s->p++;
			s->depth--;
			return true;
		}
		return fail(s, open == '{' ? "'}' expected" : "']' expected");
	}
}

static bool
scan_value(struct scanner *s, struct jval *out)
{
	if (s->p >= s->end)
		return fail(s, "premature end of input");
	const char *start = s->p;
	/* jansson counts every value, scalars too, toward its depth limit;
	 * containers count themselves below. */
	if (*s->p != '{' && *s->p != '[' && s->depth + 1 > JSCAN_MAX_DEPTH)
		return fail(s, "maximum parsing depth reached");
	switch (*s->p) {
	case '"':
		return scan_string(s, out);
	case '{':
	case '[':
		if (!skip_container(s))
			return false;
		if (out) {
			out->t = *start == '{' ? J_OBJECT : J_ARRAY;
			out->s = start;
			out->n = (size_t)(s->p - start);
		}
		return true;
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return scan_number(s, out);
	default:
		return scan_literal(s, out);
	}
}

/* Walk an object's members; for each key, pick a field with pick() and either
 * scan into it or skip. */
typedef int (*pick_fn)(const char *key, size_t n, void *ctx);

static bool
scan_object(struct scanner *s, struct jfacts *facts, pick_fn pick, void *ctx, int level);

static int
pick_top(const char *k, size_t n, void *ctx)
{
	struct jfacts *facts = ctx;
	for (size_t i = 0; i < facts->nextra; i++)
		if (strlen(facts->extra_names[i]) == n && memcmp(facts->extra_names[i], k, n) == 0)
			return F_COUNT + (int)i;
	switch (n) {
	case 2:
		if (memcmp(k, "id", 2) == 0) return F_ID;
		if (memcmp(k, "ts", 2) == 0) return F_TS;
		break;
	case 4:
		if (memcmp(k, "type", 4) == 0) return F_TYPE;
		if (memcmp(k, "kind", 4) == 0) return F_KIND;
		if (memcmp(k, "tool", 4) == 0) return F_TOOL;
		break;
	case 5:
		if (memcmp(k, "agent", 5) == 0) return F_AGENT;
		if (memcmp(k, "model", 5) == 0) return F_MODEL;
		if (memcmp(k, "error", 5) == 0) return F_ERROR;
		break;
	case 6:
		if (memcmp(k, "status", 6) == 0) return F_STATUS;
		break;
	case 7:
		if (memcmp(k, "message", 7) == 0) return F_MESSAGE;
		if (memcmp(k, "session", 7) == 0) return F_SESSION;
		if (memcmp(k, "project", 7) == 0) return F_PROJECT;
		if (memcmp(k, "costUSD", 7) == 0) return F_COSTUSD;
		if (memcmp(k, "task_id", 7) == 0) return F_TASK_ID;
		break;
	case 8:
		if (memcmp(k, "cost_usd", 8) == 0) return F_COST_USD;
		if (memcmp(k, "unpriced", 8) == 0) return F_UNPRICED;
		break;
	case 9:
		if (memcmp(k, "timestamp", 9) == 0) return F_TIMESTAMP;
		if (memcmp(k, "sessionId", 9) == 0) return F_SESSIONID;
		if (memcmp(k, "requestId", 9) == 0) return F_REQUESTID;
		if (memcmp(k, "tool_name", 9) == 0) return F_TOOL_NAME;
		break;
	case 10:
		if (memcmp(k, "agent_name", 10) == 0) return F_AGENT_NAME;
		if (memcmp(k, "model_name", 10) == 0) return F_MODEL_NAME;
		if (memcmp(k, "latency_ms", 10) == 0) return F_LATENCY_MS;
		break;
	case 11:
		if (memcmp(k, "isSidechain", 11) == 0) return F_ISSIDECHAIN;
		break;
	case 12:
		if (memcmp(k, "input_tokens", 12) == 0) return F_INPUT_TOKENS;
		break;
	case 13:
		if (memcmp(k, "invocation_id", 13) == 0) return F_INVOCATION_ID;
		if (memcmp(k, "prompt_tokens", 13) == 0) return F_PROMPT_TOKENS;
		if (memcmp(k, "output_tokens", 13) == 0) return F_OUTPUT_TOKENS;
		break;
	case 17:
		if (memcmp(k, "completion_tokens", 17) == 0) return F_COMPLETION_TOKENS;
		if (memcmp(k, "cache_read_tokens", 17) == 0) return F_CACHE_READ_TOKENS;
		break;
	case 18:
		if (memcmp(k, "cache_write_tokens", 18) == 0) return F_CACHE_WRITE_TOKENS;
		break;
	case 21:
		if (memcmp(k, "cache_write_1h_tokens", 21) == 0) return F_CACHE_WRITE_1H_TOKENS;
		break;
	}
	return -1;
}

static int
pick_message(const char *k, size_t n, void *ctx)
{
	(void)ctx;
	if (n == 2 && memcmp(k, "id", 2) == 0) return F_MSG_ID;
	if (n == 5 && memcmp(k, "model", 5) == 0) return F_MSG_MODEL;
	if (n == 5 && memcmp(k, "usage", 5) == 0) return F_MSG_USAGE;
	return -1;
}

static int
pick_usage(const char *k, size_t n, void *ctx)
{
	(void)ctx;
	if (n == 12 && memcmp(k, "input_tokens", 12) == 0) return F_U_INPUT;
	if (n == 13 && memcmp(k, "output_tokens", 13) == 0) return F_U_OUTPUT;
	if (n == 27 && memcmp(k, "cache_creation_input_tokens", 27) == 0) return F_U_CACHE_CREATION_INPUT;
	if (n == 23 && memcmp(k, "cache_read_input_tokens", 23) == 0) return F_U_CACHE_READ_INPUT;
	if (n == 14 && memcmp(k, "cache_creation", 14) == 0) return F_U_CACHE_CREATION;
	return -1;
}

static int
pick_cache_creation(const char *k, size_t n, void *ctx)
{
	(void)ctx;
	if (n == 25 && memcmp(k, "ephemeral_5m_input_tokens", 25) == 0) return F_U_CC_5M;
	if (n == 25 && memcmp(k, "ephemeral_1h_input_tokens", 25) == 0) return F_U_CC_1H;
	return -1;
}

/* A field that holds an object whose members we read: a repeated key replaces
 * the earlier object whole, as in jansson, so its members are cleared first. */
static void
clear_below(struct jfacts *facts, int field)
{
	int from, to;
	switch (field) {
	case F_MESSAGE: from = F_MSG_ID; to = F_U_CC_1H; break;
	case F_MSG_USAGE: from = F_U_INPUT; to = F_U_CC_1H; break;
	case F_U_CACHE_CREATION: from = F_U_CC_5M; to = F_U_CC_1H; break;
	default: return;
	}
	for (int i = from; i <= to; i++)
		facts->f[i].t = J_ABSENT;
}

static pick_fn
nested_picker(int field)
{
	switch (field) {
	case F_MESSAGE: return pick_message;
	case F_MSG_USAGE: return pick_usage;
	case F_U_CACHE_CREATION: return pick_cache_creation;
	default: return NULL;
	}
}

static bool
scan_object(struct scanner *s, struct jfacts *facts, pick_fn pick, void *ctx, int level)
{
	const char *start = s->p;
	if (++s->depth > JSCAN_MAX_DEPTH)
		return fail(s, "maximum parsing depth reached");
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == '}') {
		s->p++;
		s->depth--;
		return true;
	}
	(void)start;
	(void)level;
	for (;;) {
		if (s->p >= s->end || *s->p != '"')
			return fail(s, "string or '}' expected");
		struct jval key;
		if (!scan_string(s, &key))
			return false;
		skip_ws(s);
		if (s->p >= s->end || *s->p != ':')
			return fail(s, "':' expected");
		s->p++;
		skip_ws(s);
		int field = pick(key.s, key.n, ctx);
		if (field < 0) {
			if (!scan_value(s, NULL))
				return false;
		} else {
			struct jval *dst = field >= F_COUNT ? &facts->extra[field - F_COUNT] : &facts->f[field];
			pick_fn sub = field < F_COUNT ? nested_picker(field) : NULL;
			if (sub)
				clear_below(facts, field);
			if (sub && s->p < s->end && *s->p == '{') {
				const char *vstart = s->p;
				if (!scan_object(s, facts, sub, facts, level + 1))
					return false;
				dst->t = J_OBJECT;
				dst->s = vstart;
				dst->n = (size_t)(s->p - vstart);
			} else {
				*dst = (struct jval){0};
				if (!scan_value(s, dst))
					return false;
			}
		}
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			skip_ws(s);
			continue;
		}
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			s->depth--;
			return true;
		}
		return fail(s, "'}' expected");
	}
}

bool
jscan_line(const char *line, size_t len, struct jfacts *facts, struct arena *scratch,
	   struct jscan_error *err)
{
	struct scanner s = {.start = line, .p = line, .end = line + len, .scratch = scratch};
	memset(facts->f, 0, sizeof facts->f);
	memset(facts->extra, 0, sizeof facts->extra);
	skip_ws(&s);
	bool ok;
	if (s.p < s.end && *s.p == '{') {
		ok = scan_object(&s, facts, pick_top, facts, 0);
	} else if (s.p < s.end && *s.p == '[') {
		/* Valid JSON, but not a record. */
		ok = skip_container(&s);
		if (ok) {
			skip_ws(&s);
			if (s.p != s.end)
				ok = fail(&s, "end of file expected");
			else {
				s.err = "not a JSON object";
				s.errpos = line + 1;
				ok = false;
			}
		}
	} else
		ok = fail(&s, "'[' or '{' expected");
	if (ok) {
		skip_ws(&s);
		if (s.p != s.end)
			ok = fail(&s, "end of file expected");
	}
	if (!ok && err) {
		err->message = s.err ? s.err : "invalid JSON";
		err->offset = (size_t)((s.errpos ? s.errpos : s.p) - line);
	}
	return ok;
}

bool
jval_eq(const struct jval *v, const char *s)
{
	size_t n = strlen(s);
	return v->t == J_STRING && v->n == n && memcmp(v->s, s, n) == 0;
}
