/* stream.c: request records through budgetgate. --annotate adds to each the
 * state of the tightest budget that takes it; --enforce denies a request
 * whose estimate would carry a hard budget to its limit. A line is scanned
 * once (jscan), matched through caches of what each budget's globs answer
 * for a field's value, and passed on byte for byte but for the member
 * written. The budgets' state is fixed at the start; nothing is allocated
 * per line. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "budgetgate.h"
#include "jsonout.h"
#include "ndjson.h"
#include "util.h"

#define CACHE_MAX 65536 /* values remembered per field before starting over */
#define BAD_REPORTS_PER_FILE 20

/* Further top-level members read, and those of route. */
enum { EX_BUDGET, EX_ROUTE, NEXTRA };
enum { EX_EST_COST, EX_ACTION, NROUTE_EXTRA };

struct field_cache {
	struct strmap map; /* a value -> the set of budgets that take it */
	struct arena sets;
};

struct streamer {
	const struct budgets *bs;
	const struct stream_opts *o;
	size_t n, nw;                  /* budgets; 64-bit words in a set */
	size_t *order;                 /* rank -> budget, the tightest first */
	bool tested[MF_COUNT];         /* some budget has globs on the field */
	uint64_t *all, *set;
	uint64_t *hard;                /* the budgets that can deny (not enforce: soft) */
	struct field_cache cache[MF_COUNT];
	char **note;                   /* per rank: "budget":{...} */
	size_t *note_len;
	/* enforce: the spend so far, with the estimates of what was let through */
	money_t *spent;
	__int128 *tokens;
	struct strmap price_cache;
	struct strmap unpriced;        /* model -> requests estimated at $0 */
	/* the line at hand */
	struct jfacts facts, route;
	struct arena scratch;
	struct buf tmp, out;
	const char *file;
	long lineno, reported;
	uint64_t bad, denied;
};

static const char *const status_names[] = {"ok", "soft", "hard"};
static const char *const field_names[MF_COUNT] = {"agent", "tool", "model", "task_id", "status"};

/* The order of tightness: a budget with a limit reached, then those with a
 * dollar limit by the least dollars left, then token-only budgets by the
 * highest share used; ties go to the higher share, then to the file's order. */
struct rank_key {
	int tier;
	money_t left;
	int64_t used;
	size_t index;
};

static int
cmp_rank(const void *a, const void *b)
{
	const struct rank_key *x = a, *y = b;
	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->tier == 1 && x->left != y->left)
		return x->left < y->left ? -1 : 1;
	if (x->used != y->used)
		return x->used > y->used ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static void
note_text(const struct budget *b, const struct budget_sum *s, const struct verdict *v, struct buf *out)
{
	char tmp[MONEY_BUFSZ];
	buf_adds(out, "\"budget\":{\"name\":");
	json_escape_to(out, b->name, strlen(b->name));
	buf_adds(out, ",\"status\":\"");
	buf_adds(out, status_names[v->status]);
	buf_adds(out, "\",\"used_pct\":");
	buf_add(out, tmp, pct_text(v->used_centi, tmp));
	buf_adds(out, ",\"remaining_usd\":");
	if (b->has_limit_usd) {
		money_t left = b->limit_usd - s->spent;
		buf_add(out, tmp, money_format(left > 0 ? left : 0, tmp));
	} else
		buf_adds(out, "null");
	buf_adds(out, ",\"remaining_tokens\":");
	if (b->has_limit_tokens) {
		__int128 left = b->limit_tokens - s->tokens;
		buf_add(out, tmp, count_text(left > 0 ? left : 0, tmp, false));
	} else
		buf_adds(out, "null");
	buf_adds(out, ",\"period\":");
	json_escape_to(out, b->period, strlen(b->period));
	buf_addc(out, '}');
}

static void
streamer_init(struct streamer *st, const struct budgets *bs, const struct spend *s, const struct stream_opts *o)
{
	memset(st, 0, sizeof *st);
	st->bs = bs;
	st->o = o;
	st->n = bs->n;
	st->nw = (bs->n + 63) / 64;
	size_t nw = st->nw ? st->nw : 1;
	struct rank_key *keys = xcalloc(st->n + 1, sizeof *keys);
	struct verdict *v = xcalloc(st->n + 1, sizeof *v);
	for (size_t i = 0; i < st->n; i++) {
		const struct budget *b = &bs->v[i];
		const struct budget_sum *u = &s->sum[i];
		budget_verdict(b, u, o->now, &v[i]);
		bool reached = (b->has_limit_usd && u->spent >= b->limit_usd) ||
			       (b->has_limit_tokens && u->tokens >= b->limit_tokens);
		keys[i] = (struct rank_key){reached ? 0 : b->has_limit_usd ? 1 : 2,
					    b->has_limit_usd ? b->limit_usd - u->spent : 0, v[i].used_centi, i};
	}
	qsort(keys, st->n, sizeof *keys, cmp_rank);
	st->order = xcalloc(st->n + 1, sizeof *st->order);
	st->note = xcalloc(st->n + 1, sizeof *st->note);
	st->note_len = xcalloc(st->n + 1, sizeof *st->note_len);
	st->all = xcalloc(nw, sizeof *st->all);
	st->set = xcalloc(nw, sizeof *st->set);
	st->hard = xcalloc(nw, sizeof *st->hard);
	for (size_t r = 0; r < st->n; r++) {
		size_t i = keys[r].index;
		const struct budget *b = &bs->v[i];
		st->order[r] = i;
		st->all[r / 64] |= (uint64_t)1 << (r % 64);
		if (!b->enforce_soft)
			st->hard[r / 64] |= (uint64_t)1 << (r % 64);
		for (int f = 0; f < MF_COUNT; f++)
			if (b->nglobs[f])
				st->tested[f] = true;
		struct buf t = {0};
		note_text(b, &s->sum[i], &v[i], &t);
		st->note[r] = t.data;
		st->note_len[r] = t.len;
	}
	free(keys);
	free(v);
	if (o->mode == STREAM_ENFORCE) {
		st->spent = xcalloc(st->n + 1, sizeof *st->spent);
		st->tokens = xcalloc(st->n + 1, sizeof *st->tokens);
		for (size_t i = 0; i < st->n; i++) {
			st->spent[i] = s->sum[i].spent;
			st->tokens[i] = s->sum[i].tokens;
		}
	}
	st->facts.nextra = NEXTRA;
	st->facts.extra_names[EX_BUDGET] = "budget";
	st->facts.extra_names[EX_ROUTE] = "route";
	st->route.nextra = NROUTE_EXTRA;
	st->route.extra_names[EX_EST_COST] = "est_cost_usd";
	st->route.extra_names[EX_ACTION] = "action";
}

static void
streamer_free(struct streamer *st)
{
	for (size_t r = 0; r < st->n; r++)
		free(st->note[r]);
	free(st->note);
	free(st->note_len);
	free(st->order);
	free(st->all);
	free(st->set);
	free(st->hard);
	for (int f = 0; f < MF_COUNT; f++) {
		strmap_free(&st->cache[f].map);
		arena_free(&st->cache[f].sets);
	}
	free(st->spent);
	free(st->tokens);
	strmap_free(&st->price_cache);
	strmap_free(&st->unpriced);
	arena_free(&st->scratch);
	buf_free(&st->tmp);
	buf_free(&st->out);
}

/* The budgets whose globs on f take the value; asked of fnmatch once a value. */
static const uint64_t *
field_set(struct streamer *st, enum match_field f, const char *p, size_t n)
{
	struct field_cache *c = &st->cache[f];
	struct strmap_slot *slot = strmap_find(&c->map, p, n);
	if (slot)
		return slot->value;
	if (c->map.count >= CACHE_MAX) { /* a field of unique values: memory stays bounded */
		strmap_free(&c->map);
		memset(&c->map, 0, sizeof c->map);
		arena_free(&c->sets);
	}
	uint64_t *set = arena_alloc(&c->sets, st->nw * sizeof *set);
	memset(set, 0, st->nw * sizeof *set);
	char small[256], *text = n < sizeof small ? small : xmalloc(n + 1);
	memcpy(text, p, n); /* jscan refuses \u0000: no NUL inside */
	text[n] = '\0';
	for (size_t r = 0; r < st->n; r++)
		if (budget_field_matches(&st->bs->v[st->order[r]], f, text))
			set[r / 64] |= (uint64_t)1 << (r % 64);
	if (text != small)
		free(text);
	strmap_put(&c->map, p, n, NULL)->value = set;
	return set;
}

static void __attribute__((format(printf, 3, 4)))
bad_line(struct streamer *st, long col, const char *fmt, ...)
{
	st->bad++;
	if (st->reported++ >= BAD_REPORTS_PER_FILE)
		return;
	va_list ap;
	va_start(ap, fmt);
	vwarnat(st->file, st->lineno, col, fmt, ap);
	va_end(ap);
}

/* The first of two fields that is there (the other an alias). */
static const struct jval *
either(const struct jval *a, const struct jval *b)
{
	return a->t != J_ABSENT && a->t != J_NULL ? a : b;
}

static bool
is_absent(const struct jval *v)
{
	return !v || v->t == J_ABSENT || v->t == J_NULL;
}

/* The request's value for a match field: route's model and tool first
 * (what policyeval chose), else the request's own, or its aliases. */
static const struct jval *
request_field(const struct streamer *st, enum match_field f, bool has_route)
{
	const struct jval *t = st->facts.f;
	const struct jval *r = has_route ? st->route.f : NULL;
	switch (f) {
	case MF_AGENT: return either(&t[F_AGENT], &t[F_AGENT_NAME]);
	case MF_TOOL:
		if (r && !is_absent(&r[F_TOOL]))
			return &r[F_TOOL];
		return either(&t[F_TOOL], &t[F_TOOL_NAME]);
	case MF_MODEL:
		if (r && !is_absent(&r[F_MODEL]))
			return &r[F_MODEL];
		return either(&t[F_MODEL], &t[F_MODEL_NAME]);
	case MF_TASK_ID: return &t[F_TASK_ID];
	case MF_STATUS: return &t[F_STATUS];
	case MF_COUNT: break;
	}
	return NULL;
}

/* The set of budgets that take the request; false for a field of the wrong type. */
static bool
match_request(struct streamer *st, bool has_route)
{
	memcpy(st->set, st->all, st->nw * sizeof *st->set);
	for (int f = 0; f < MF_COUNT; f++) {
		if (!st->tested[f])
			continue;
		const struct jval *v = request_field(st, (enum match_field)f, has_route);
		const uint64_t *m;
		/* A field the request lacks is what the call will be counted
		 * with: "" ("success" for the status), as check mode reads it. */
		if (is_absent(v))
			m = f == MF_STATUS ? field_set(st, MF_STATUS, "success", 7) : field_set(st, (enum match_field)f, "", 0);
		else if (v->t == J_STRING)
			m = field_set(st, (enum match_field)f, v->s, v->n);
		else {
			bad_line(st, 0, "%s takes a string", field_names[f]);
			return false;
		}
		for (size_t w = 0; w < st->nw; w++)
			st->set[w] &= m[w];
	}
	return true;
}

static const char *
ws_end(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *
string_end(const char *p, const char *e)
{
	for (p++; p < e && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < e ? p + 1 : e;
}

/* The end of the (valid) JSON value at p. */
static const char *
value_end(const char *p, const char *e)
{
	if (*p == '"')
		return string_end(p, e);
	if (*p == '{' || *p == '[') {
		int depth = 0;
		while (p < e) {
			if (*p == '"') {
				p = string_end(p, e);
				continue;
			}
			if (*p == '{' || *p == '[')
				depth++;
			else if ((*p == '}' || *p == ']') && --depth == 0)
				return p + 1;
			p++;
		}
		return e;
	}
	while (p < e && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		p++;
	return p;
}

/* Is the raw key text (between its quotes) the ASCII name? Escapes count as
 * what they stand for. */
static bool
key_is(const char *k, size_t n, const char *name)
{
	size_t j = 0;
	for (size_t i = 0; i < n; i++, j++) {
		char c = k[i];
		if (c == '\\') {
			char e = k[++i];
			if (e == 'u') {
				unsigned v = 0;
				for (int d = 1; d <= 4; d++) {
					char h = k[i + (size_t)d];
					v = v * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
				}
				if (v >= 0x80)
					return false;
				c = (char)v;
				i += 4;
			} else
				c = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
		}
		if (!name[j] || name[j] != c)
			return false;
	}
	return name[j] == '\0';
}

/* The object at obj (on its '{') without the members named, its other
 * members and their spacing as they were. */
static void
strip_members(const char *obj, size_t n, const char *const *names, struct buf *out)
{
	const char *e = obj + n, *p = ws_end(obj + 1, e), *tail = p, *sep = NULL;
	size_t seplen = 0;
	bool any = false;
	buf_add(out, obj, (size_t)(p - obj));
	while (p < e && *p == '"') {
		const char *ks = p, *ke = string_end(p, e);
		bool drop = false;
		for (const char *const *nm = names; *nm && !drop; nm++)
			drop = key_is(ks + 1, (size_t)(ke - ks - 2), *nm);
		p = ws_end(ws_end(ke, e) + 1, e);
		const char *ve = value_end(p, e);
		if (!drop) {
			if (any)
				buf_add(out, sep, seplen);
			buf_add(out, ks, (size_t)(ve - ks));
			any = true;
		}
		tail = ve;
		const char *q = ws_end(ve, e);
		if (q >= e || *q != ',')
			break;
		sep = ve;
		p = ws_end(q + 1, e);
		seplen = (size_t)(p - sep);
	}
	buf_add(out, tail, (size_t)(e - tail));
}

/* Where the object's closing brace is, and whether it has no member. */
static size_t
closing_brace(const char *s, size_t n, bool *empty)
{
	size_t i = n;
	while (i > 0 && s[i - 1] != '}')
		i--;
	size_t j = i - 1;
	while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t' || s[j - 1] == '\r' || s[j - 1] == '\n'))
		j--;
	*empty = j > 0 && s[j - 1] == '{';
	return i - 1;
}

/* The object s with the member added before its closing brace, and a newline. */
static void
write_with(const char *s, size_t n, const char *member, size_t mlen)
{
	bool empty;
	size_t close = closing_brace(s, n, &empty);
	out_write(s, close);
	if (!empty)
		out_write(",", 1);
	out_write(member, mlen);
	out_write("}\n", 2);
}

static void
annotate(struct streamer *st, const char *line, size_t len)
{
	size_t r = SIZE_MAX;
	for (size_t w = 0; w < st->nw && r == SIZE_MAX; w++)
		if (st->set[w])
			r = w * 64 + (size_t)__builtin_ctzll(st->set[w]);
	const char *note = r == SIZE_MAX ? "\"budget\":null" : st->note[r];
	size_t nlen = r == SIZE_MAX ? 13 : st->note_len[r];
	if (st->facts.extra[EX_BUDGET].t == J_ABSENT) {
		write_with(line, len, note, nlen);
		return;
	}
	/* It was annotated before: the new state replaces the old. */
	static const char *const names[] = {"budget", NULL};
	const char *obj = ws_end(line, line + len);
	st->tmp.len = 0;
	buf_add(&st->tmp, line, (size_t)(obj - line));
	strip_members(obj, len - (size_t)(obj - line), names, &st->tmp);
	write_with(st->tmp.data, st->tmp.len, note, nlen);
}

/* A count of tokens from the request: 0 or more; false for anything else. */
static bool
token_field(struct streamer *st, const struct jval *v, const char *name, int64_t *out)
{
	*out = 0;
	if (is_absent(v))
		return true;
	if (v->t != J_INT || v->i < 0) {
		bad_line(st, 0, "%s takes a whole number of tokens, 0 or more", name);
		return false;
	}
	*out = v->i;
	return true;
}

/* The cost and tokens the request would spend; false for a bad line. */
static bool
estimate(struct streamer *st, bool has_route, money_t *usd, __int128 *tok)
{
	const struct jval *t = st->facts.f;
	const struct jval *prompt = either(&t[F_PROMPT_TOKENS], &t[F_INPUT_TOKENS]);
	int64_t in, out;
	if (!token_field(st, prompt, prompt == &t[F_PROMPT_TOKENS] ? "prompt_tokens" : "input_tokens", &in) ||
	    !token_field(st, &t[F_OUTPUT_TOKENS], "output_tokens", &out))
		return false;
	*tok = (__int128)in + out;
	*usd = 0;
	const struct jval *ec = has_route ? &st->route.extra[EX_EST_COST] : NULL;
	if (!is_absent(ec)) {
		if ((ec->t != J_INT && ec->t != J_REAL) || !money_parse(ec->s, ec->n, 0, usd) || *usd < 0) {
			bad_line(st, 0, "route.est_cost_usd takes an amount of dollars, 0 or more");
			return false;
		}
		return true;
	}
	if (is_absent(prompt) && is_absent(&t[F_OUTPUT_TOKENS]))
		return true;
	const struct jval *m = request_field(st, MF_MODEL, has_route);
	if (m->t != J_STRING && !is_absent(m)) {
		bad_line(st, 0, "model takes a string");
		return false;
	}
	const struct model_price *mp =
		m->t == J_STRING ? price_find_in(st->o->prices, &st->price_cache, m->s, m->n) : NULL;
	const struct price_period *p = price_at(mp, st->o->now);
	if (p) {
		struct tokens tk = {.input = in, .output = out};
		*usd = price_cost(p, &tk);
		return true;
	}
	/* No price: the dollars are unknown, counted as 0 and named at the end
	 * when a hard dollar limit takes the request. */
	bool matters = false;
	for (size_t w = 0; w < st->nw && !matters; w++)
		for (uint64_t x = st->set[w] & st->hard[w]; x && !matters; x &= x - 1)
			matters = st->bs->v[st->order[w * 64 + (size_t)__builtin_ctzll(x)]].has_limit_usd;
	if (!matters)
		return true;
	struct str name = m->t == J_STRING ? (struct str){m->s, m->n} : (struct str){"(no model)", 10};
	struct strmap_slot *slot = strmap_put(&st->unpriced, name.p, name.n, NULL);
	slot->value = (void *)((intptr_t)slot->value + 1);
	return true;
}

/* "Budget Exceeded: Request would exceed daily budget ($10.30 / $10.00)" */
static void
deny_reason(const struct budget *b, bool by_tokens, __int128 after, struct buf *out)
{
	char x[MONEY_BUFSZ], y[MONEY_BUFSZ];
	buf_adds(out, "Budget Exceeded: Request would exceed ");
	period_word(b, out);
	if (by_tokens) {
		count_text(after, x, true);
		count_text(b->limit_tokens, y, true);
		buf_printf(out, " budget (%s / %s tokens)", x, y);
	} else {
		money_format_cents(after, x, true);
		money_format_cents(b->limit_usd, y, true);
		buf_printf(out, " budget ($%s / $%s)", x, y);
	}
}

static void
write_denied(struct streamer *st, const char *line, size_t len, const struct budget *b, bool by_tokens,
	     __int128 after)
{
	struct buf *rt = &st->tmp, *reason = &st->out;
	rt->len = reason->len = 0;
	deny_reason(b, by_tokens, after, reason);
	const struct jval *route = &st->facts.extra[EX_ROUTE];
	if (route->t == J_OBJECT) {
		static const char *const names[] = {"action", "reason", "denied_by", NULL};
		strip_members(route->s, route->n, names, rt);
		bool empty;
		rt->len = closing_brace(rt->data, rt->len, &empty);
		if (!empty)
			buf_addc(rt, ',');
	} else
		buf_addc(rt, '{');
	buf_adds(rt, "\"action\":\"deny\",\"reason\":");
	json_escape_to(rt, reason->data, reason->len);
	buf_adds(rt, ",\"denied_by\":");
	json_escape_to(rt, b->name, strlen(b->name));
	buf_addc(rt, '}');
	if (route->t == J_OBJECT || route->t == J_NULL) {
		/* The route in place: everything around it as it was. */
		size_t at = (size_t)(route->s - line);
		out_write(line, at);
		out_write(rt->data, rt->len);
		out_write(line + at + route->n, len - at - route->n);
		out_write("\n", 1);
		return;
	}
	st->out.len = 0;
	buf_adds(&st->out, "\"route\":");
	buf_add(&st->out, rt->data, rt->len);
	write_with(line, len, st->out.data, st->out.len);
}

static void
enforce(struct streamer *st, const char *line, size_t len, bool has_route)
{
	if (has_route && jval_eq(&st->route.extra[EX_ACTION], "deny")) {
		st->denied++; /* denied before: never let through */
		out_on_epipe(EXIT_HARD);
		out_write(line, len);
		out_write("\n", 1);
		return;
	}
	money_t usd;
	__int128 tok;
	if (!estimate(st, has_route, &usd, &tok))
		return;
	for (size_t w = 0; w < st->nw; w++) {
		for (uint64_t x = st->set[w] & st->hard[w]; x; x &= x - 1) {
			size_t i = st->order[w * 64 + (size_t)__builtin_ctzll(x)];
			const struct budget *b = &st->bs->v[i];
			bool over_usd = b->has_limit_usd && st->spent[i] + usd >= b->limit_usd;
			bool over_tok = b->has_limit_tokens && st->tokens[i] + tok >= b->limit_tokens;
			if (over_usd || over_tok) {
				st->denied++;
				out_on_epipe(EXIT_HARD);
				write_denied(st, line, len, b, !over_usd, over_usd ? st->spent[i] + usd : st->tokens[i] + tok);
				return;
			}
		}
	}
	/* Let through: what it will spend counts against what follows. Only a
	 * limit that can deny needs it, and each such sum stays below its limit:
	 * no stream of estimates can overflow it. */
	for (size_t w = 0; w < st->nw; w++) {
		for (uint64_t x = st->set[w] & st->hard[w]; x; x &= x - 1) {
			size_t i = st->order[w * 64 + (size_t)__builtin_ctzll(x)];
			const struct budget *b = &st->bs->v[i];
			if (b->has_limit_usd)
				st->spent[i] += usd;
			if (b->has_limit_tokens)
				st->tokens[i] += tok;
		}
	}
	out_write(line, len);
	out_write("\n", 1);
}

static void
one_line(struct streamer *st, const char *line, size_t len)
{
	arena_reset(&st->scratch);
	struct jscan_error err;
	if (!jscan_line(line, len, &st->facts, &st->scratch, &err)) {
		bad_line(st, (long)err.offset + 1, "%s", err.message);
		return;
	}
	bool has_route = false;
	if (st->o->mode == STREAM_ENFORCE) {
		const struct jval *r = &st->facts.extra[EX_ROUTE];
		if (r->t == J_OBJECT) {
			has_route = true;
			jscan_line(r->s, r->n, &st->route, &st->scratch, NULL);
		} else if (!is_absent(r)) {
			bad_line(st, 0, "route takes an object");
			return;
		}
	}
	if (!match_request(st, has_route))
		return;
	if (st->o->mode == STREAM_ANNOTATE)
		annotate(st, line, len);
	else
		enforce(st, line, len, has_route);
}

/* Before a read that would wait, what is written so far goes out: the next
 * stage may be waiting for it. */
static void
flush_if_waiting(const struct linereader *lr)
{
	if (lr->eof || (lr->end > lr->start && memchr(lr->buf + lr->start, '\n', lr->end - lr->start)))
		return;
	struct pollfd pf = {.fd = lr->fd, .events = POLLIN};
	if (poll(&pf, 1, 0) == 0)
		out_flush();
}

static int
stream_fd(struct streamer *st, int fd, const char *name)
{
	struct linereader lr;
	lr_init(&lr, fd, name, false);
	st->file = name;
	st->reported = 0;
	char *line;
	size_t len;
	enum lr_status s;
	int status = EXIT_OK;
	while ((s = lr_next(&lr, &line, &len)) == LR_LINE || s == LR_TOOLONG) {
		st->lineno = lr.lineno;
		if (s == LR_TOOLONG)
			bad_line(st, 0, "line too long: skipped");
		else if (len && !line_is_blank(line, len))
			one_line(st, line, len);
		flush_if_waiting(&lr);
	}
	if (s == LR_ERROR) {
		warnx("%s: read error:", name);
		status = EXIT_NOINPUT;
	}
	if (st->reported > BAD_REPORTS_PER_FILE)
		warnx("%s: %ld more bad lines not shown", name, st->reported - BAD_REPORTS_PER_FILE);
	lr_free(&lr);
	return status;
}

static void
warn_unpriced_requests(void *ctx, const char *model, long k)
{
	warnx("no price for model '%s' (%ld request%s): %s cost was estimated as $0%s", model, k, k == 1 ? "" : "s",
	      k == 1 ? "its" : "their", *(const bool *)ctx ? " (--lenient)" : "");
}

/* Models the estimates found no price for; true when there were any. */
static bool
report_unpriced(const struct streamer *st, bool lenient)
{
	size_t n = each_unpriced(&st->unpriced, warn_unpriced_requests, &lenient);
	return n > 0;
}

int
stream_requests(const struct budgets *bs, const struct spend *s, struct stream_opts *o)
{
	struct streamer st;
	streamer_init(&st, bs, s, o);
	int status = EXIT_OK;
	if (o->npaths == 0)
		status = stream_fd(&st, STDIN_FILENO, "-");
	for (int i = 0; i < o->npaths; i++) {
		const char *p = o->paths[i];
		int fd = strcmp(p, "-") == 0 ? STDIN_FILENO : open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			warnx("%s: cannot read:", p);
			status = EXIT_NOINPUT;
			continue;
		}
		int r = stream_fd(&st, fd, p);
		if (r)
			status = r;
		if (fd != STDIN_FILENO)
			close(fd);
	}
	if (st.bad)
		warnx("%llu bad line%s skipped%s", (unsigned long long)st.bad, st.bad == 1 ? "" : "s",
		      o->lenient ? " (--lenient)" : "");
	bool unpriced = report_unpriced(&st, o->lenient);
	if (!status && (st.bad || unpriced) && !o->lenient)
		status = EXIT_DATAERR;
	if (!status && st.denied)
		status = EXIT_HARD;
	streamer_free(&st);
	return status;
}
