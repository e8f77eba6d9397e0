/* fuzz_stream: budgetgate's --annotate and --enforce (stream.c, compiled in)
 * against jansson. Each input is a stream of request lines; it goes through
 * both modes under two fixed sets of budgets with their spend, one where
 * some requests are taken by no budget and one with a budget that takes
 * every request. What stream_requests writes to standard output (a memfd)
 * is read back and checked line by line, an input line being what the line
 * reader gives (split at '\n', one '\r' off its end, blank lines skipped):
 *   - The lines written are JSON objects and are, in order, the input lines
 *     that jansson loads as an object (with no NUL byte) and whose fields
 *     have their types: the match fields strings, and in enforce mode the
 *     route an object, the token counts and route.est_cost_usd numbers of 0
 *     or more. Judged on jansson's tree; only an est_cost_usd within a
 *     double's error of what money_parse refuses may go either way.
 *   - Annotate: the line equals, under jansson, the input with its "budget"
 *     replaced, and has one member of that name. The budget is null when no
 *     budget's match takes the request, else the tightest that takes it (in
 *     the fixtures' order), with its name, status and period. A line that
 *     had no "budget" is written byte for byte up to its closing brace, then
 *     "," (unless the object is empty), the member and "}".
 *   - Enforce: the line is the input byte for byte, or the input with only
 *     its route changed: the last route replaced (or one added) by an object
 *     with every other member of the old one, and action "deny", a reason and
 *     denied_by once each. A request denied before, or that no hard budget
 *     takes, is written unchanged. Whether a request is denied, by which
 *     budget and with which reason is what a model of the spend says (the
 *     estimates of the requests let through added to it), as long as every
 *     estimate so far is known exactly from jansson's tree; and a request
 *     whose tightest hard budget is at its limit from the start is always
 *     denied by it.
 * Duplicate keys are judged as jansson reads them: the last one counts.
 * Nothing crashes or leaks. */
#include <jansson.h>
#include <fnmatch.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../tools/budgetgate/budgets.c"
#include "../../tools/budgetgate/spend.c"
/* report.c and stream.c each have a status_names; budgets.c and stream.c
 * each a field_names. */
#define status_names report_status_names
#include "../../tools/budgetgate/report.c"
#undef status_names
#define field_names stream_field_names
#include "../../tools/budgetgate/stream.c"
#undef field_names

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1793707200000) /* 2026-11-03T12:00:00Z */
#define MAX_BUDGETS 8

/* A call of the spend: it falls inside every window. */
struct spent {
	const char *agent, *tool, *model, *cost;
	int64_t tokens;
};

struct fixture {
	const char *name, *yaml;
	struct spent calls[MAX_BUDGETS];
	/* The tightest first: limits reached, then by dollars left, then
	 * token-only by the share used. */
	const char *order[MAX_BUDGETS];
	const char *status[MAX_BUDGETS]; /* of order[i] */
	const char *reached;             /* a hard budget at its limit already */
	/* set up once */
	struct budgets b;
	struct spend s;
	size_t n, rank[MAX_BUDGETS];     /* budget -> place in order */
	size_t by_rank[MAX_BUDGETS];     /* place in order -> budget */
	bool tested[MF_COUNT];
};

static struct fixture fixtures[] = {
	{
		.name = "some",
		.yaml = "budgets:\n"
			"  tiny: {period: total, limit_usd: 0.05, match: {agent: \"a*\"}}\n"
			"  gpt: {period: total, limit_usd: 5, soft_pct: 50, match: {model: \"gpt-*\"}}\n"
			"  tok: {period: day, limit_tokens: 1000, match: {tool: [\"t*\", \"x?\"]}}\n"
			"  warn: {period: total, limit_usd: 1, enforce: soft, match: {agent: [\"b*\", \"*z\"]}}\n"
			"  'idle \"\xc3\xa9\"': {period: week, limit_usd: 10, limit_tokens: 100000, match: {task_id: \"T-*\"}}\n"
			"  sonnet: {period: 24h, limit_usd: 0.5, match: {model: \"claude-*\", status: [success, error]}}\n",
		.calls = {{.agent = "a1", .cost = "0.01"},
			  {.model = "gpt-4o", .cost = "3"},
			  {.tool = "tx", .cost = "0", .tokens = 1000},
			  {.agent = "bz", .cost = "2"},
			  {.model = "claude-sonnet-4-5", .cost = "0.2"}},
		/* warn 200% and tok 100% reached; then $0.04, $0.30, $2, $10 left */
		.order = {"warn", "tok", "tiny", "sonnet", "gpt", "idle \"\xc3\xa9\""},
		.status = {"soft", "hard", "ok", "ok", "soft", "ok"},
		.reached = "tok",
	},
	{
		.name = "all",
		.yaml = "budgets:\n"
			"  - {name: all, period: 7d, limit_usd: 1, limit_tokens: 100000, soft_pct: 80}\n"
			"  - {name: cap, period: month, limit_tokens: 50, match: {model: [\"gpt-*\", \"o?\"]}}\n",
		.calls = {{.agent = "x", .cost = "0.9", .tokens = 10}},
		.order = {"all", "cap"},
		.status = {"soft", "ok"},
	},
};
#define NFIXTURES (sizeof fixtures / sizeof *fixtures)

static const char prices_yaml[] =
	"models:\n"
	"  gpt-4o:\n"
	"    prices:\n"
	"      - {from: 2024-10-02, input: 2.50, output: 10}\n"
	"  claude-sonnet-4-5:\n"
	"    prices:\n"
	"      - {from: 2025-01-01, input: 3, output: 15, above_tokens: 200000, above: {input: 6, output: 22.5}}\n";

static struct price_table prices;
static int in_fd;
static char in_path[64];
static FILE *devnull;

static _Noreturn void
broken(const char *why)
{
	fprintf(stderr, "fuzz_stream: %s\n", why);
	abort();
}

static struct str
s_of(const char *s)
{
	return s ? (struct str){s, strlen(s)} : STR_NULL;
}

static void
fixture_init(struct fixture *x)
{
	struct budgets_opts o = {0};
	struct budgets_error err;
	if (!budgets_parse(x->yaml, strlen(x->yaml), &o, &x->b, &err)) {
		fprintf(stderr, "fuzz_stream: fixture %s: %ld:%ld: %s\n", x->name, err.line, err.col, err.message);
		abort();
	}
	budgets_windows(&x->b, NOW);
	x->n = x->b.n;
	for (size_t i = 0; i < x->n; i++) {
		size_t r = 0;
		while (r < MAX_BUDGETS && x->order[r] && strcmp(x->order[r], x->b.v[i].name) != 0)
			r++;
		if (r == MAX_BUDGETS || !x->order[r])
			broken("a budget missing from a fixture's order");
		x->rank[i] = r;
		x->by_rank[r] = i;
		for (int f = 0; f < MF_COUNT; f++)
			if (x->b.v[i].nglobs[f])
				x->tested[f] = true;
	}
	spend_init(&x->s, &x->b);
	for (size_t k = 0; k < MAX_BUDGETS && x->calls[k].cost; k++) {
		const struct spent *p = &x->calls[k];
		struct call c = {.ts_ms = NOW - 3600000, .has_ts = true, .has_cost = true};
		c.agent = s_of(p->agent);
		c.tool = s_of(p->tool);
		c.model = s_of(p->model);
		c.tk.input = p->tokens;
		if (!money_parse(p->cost, strlen(p->cost), 0, &c.cost))
			broken("a fixture's cost");
		spend_add(&x->s, &c, 1);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = memfd_create("prices.yaml", 0);
	if (fd < 0 || write(fd, prices_yaml, sizeof prices_yaml - 1) != (ssize_t)(sizeof prices_yaml - 1))
		broken("cannot write the price table");
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (!prices_load(&prices, path))
		broken("cannot load the price table");
	close(fd);
	for (size_t k = 0; k < NFIXTURES; k++)
		fixture_init(&fixtures[k]);
	/* The requests are read from one memfd; standard output is another. */
	in_fd = memfd_create("requests", 0);
	int out_fd = memfd_create("stdout", 0);
	if (in_fd < 0 || out_fd < 0 || dup2(out_fd, STDOUT_FILENO) < 0)
		broken("cannot make the memfds");
	close(out_fd);
	snprintf(in_path, sizeof in_path, "/proc/self/fd/%d", in_fd);
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		broken("cannot open /dev/null");
	return 0;
}

/* A line as the reader gives it, and what jansson makes of it. */
struct line {
	const char *s;
	size_t n;
	json_t *j; /* NULL unless an object (and no NUL byte) */
};

struct lines {
	struct line *v;
	size_t n;
};

/* Lines split at '\n', and a last one without it. As the reader gives them
 * (reader): one '\r' off the end, blank lines skipped, each loaded with
 * jansson; else as they are. */
static struct lines
split(const char *p, size_t size, bool reader)
{
	struct lines ls = {xcalloc(reader ? size / 2 + 2 : size + 1, sizeof *ls.v), 0};
	const char *e = p + size;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *end = nl ? nl : e;
		struct line l = {p, (size_t)(end - p), NULL};
		p = nl ? nl + 1 : e;
		if (!reader) {
			ls.v[ls.n++] = l;
			continue;
		}
		if (l.n && l.s[l.n - 1] == '\r')
			l.n--;
		if (!l.n || line_is_blank(l.s, l.n))
			continue;
		if (!memchr(l.s, '\0', l.n)) {
			l.j = json_loadb(l.s, l.n, 0, NULL);
			if (l.j && !json_is_object(l.j)) {
				json_decref(l.j);
				l.j = NULL;
			}
		}
		ls.v[ls.n++] = l;
	}
	return ls;
}

static void
lines_free(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		json_decref(ls->v[i].j);
	free(ls->v);
}

/* The context of a check, for the message of a mismatch. */
static const struct fixture *cur_fixture;
static const char *cur_mode;

static _Noreturn void
mismatch(const char *why, const struct line *in, const struct line *out)
{
	fprintf(stderr, "fuzz_stream: %s, budgets '%s': %s\n", cur_mode, cur_fixture->name, why);
	if (in)
		fprintf(stderr, "  in:  %.*s\n", (int)in->n, in->s);
	if (out)
		fprintf(stderr, "  out: %.*s\n", (int)out->n, out->s);
	abort();
}

/* A member, NULL when absent or null (stream.c's "absent"). */
static const json_t *
get(const json_t *obj, const char *key)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	return json_is_null(v) ? NULL : v;
}

/* A match field of the request as stream.c reads it: in enforce mode
 * route.model and route.tool first, when the route is an object; then the
 * field, else its alias. */
static const json_t *
field_value(const json_t *req, enum match_field f, bool use_route)
{
	static const char *const names[MF_COUNT][2] = {
		{"agent", "agent_name"}, {"tool", "tool_name"}, {"model", "model_name"}, {"task_id", NULL}, {"status", NULL}};
	const json_t *route = use_route ? get(req, "route") : NULL;
	if ((f == MF_TOOL || f == MF_MODEL) && get(route, names[f][0]))
		return get(route, names[f][0]);
	const json_t *v = get(req, names[f][0]);
	return v || !names[f][1] ? v : get(req, names[f][1]);
}

/* Does budget i take the request? Its types are known to be right. */
static bool
takes(const struct fixture *x, size_t i, const json_t *req, bool use_route)
{
	const struct budget *b = &x->b.v[i];
	for (int f = 0; f < MF_COUNT; f++) {
		if (!b->nglobs[f])
			continue;
		/* Absent, it is what a call without it is counted as: "", and
		 * "success" for the status. */
		const json_t *v = field_value(req, (enum match_field)f, use_route);
		const char *text = v ? json_string_value(v) : f == MF_STATUS ? "success" : "";
		bool any = false;
		for (size_t k = 0; k < b->nglobs[f] && !any; k++)
			any = fnmatch(b->globs[f][k], text, 0) == 0;
		if (!any)
			return false;
	}
	return true;
}

/* The tightest budget that takes the request (hard ones only: the tightest
 * that can deny it); SIZE_MAX for none. */
static size_t
tightest(const struct fixture *x, const json_t *req, bool use_route, bool hard)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < x->n; i++)
		if ((!hard || !x->b.v[i].enforce_soft) && takes(x, i, req, use_route) &&
		    (best == SIZE_MAX || x->rank[i] < x->rank[best]))
			best = i;
	return best;
}

enum fate { DROP, KEEP, MAYBE };

static bool
count_ok(const json_t *v)
{
	return !v || (json_is_integer(v) && json_integer_value(v) >= 0);
}

/* Is the line written, by the types of its fields? */
static enum fate
expect(const struct fixture *x, const struct line *l, bool enforce, bool *denied_before)
{
	*denied_before = false;
	const json_t *j = l->j;
	if (!j)
		return DROP;
	const json_t *route = get(j, "route");
	if (enforce && route && !json_is_object(route))
		return DROP;
	for (int f = 0; f < MF_COUNT; f++) {
		const json_t *v = field_value(j, (enum match_field)f, enforce);
		if (x->tested[f] && v && !json_is_string(v))
			return DROP;
	}
	if (!enforce)
		return KEEP;
	const json_t *action = get(route, "action");
	if (json_is_string(action) && json_string_length(action) == 4 && memcmp(json_string_value(action), "deny", 4) == 0) {
		*denied_before = true;
		return KEEP;
	}
	const json_t *prompt = get(j, "prompt_tokens");
	if (!prompt)
		prompt = get(j, "input_tokens");
	if (!count_ok(prompt) || !count_ok(get(j, "output_tokens")))
		return DROP;
	const json_t *est = get(route, "est_cost_usd");
	if (est) {
		if (json_is_integer(est))
			return json_integer_value(est) >= 0 ? KEEP : DROP;
		if (!json_is_real(est))
			return DROP;
		/* money_parse reads the text exactly, rounds it half away from
		 * zero to a pico-dollar and takes up to 2^120 of them: the
		 * double decides but within its error of those edges. */
		double p = json_real_value(est) * 1e12;
		if (p < -0.5 - 1e-6 || p > 0x1p120 * (1 + 1e-12))
			return DROP;
		if (p < -0.5 + 1e-6 || p > 0x1p120 * (1 - 1e-12))
			return MAYBE;
		return KEEP;
	}
	if (!prompt && !get(j, "output_tokens"))
		return KEEP;
	const json_t *m = field_value(j, MF_MODEL, true);
	return !m || json_is_string(m) ? KEEP : DROP;
}

static bool
same_bytes(const struct line *a, const struct line *b)
{
	return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
}

/* Both objects without the member key: equal? */
static bool
equal_but(const json_t *a, const json_t *b, const char *key)
{
	json_t *x = json_deep_copy(a), *y = json_deep_copy(b);
	json_object_del(x, key);
	json_object_del(y, key);
	bool eq = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return eq;
}

static const char *
skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* The end of the valid JSON value at p. */
static const char *
skip_value(const char *p, const char *e)
{
	int depth = 0;
	do {
		if (*p == '"') {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\')
					p++;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			depth--;
		} else if (depth == 0) {
			while (p < e && !strchr(",}] \t\r\n", *p))
				p++;
			return p;
		}
		p++;
	} while (p < e && depth > 0);
	return p;
}

/* How many members of the valid JSON object text have the key name (as
 * jansson decodes it); the last one's value in *v, *vn. */
static size_t
count_members(const char *s, size_t n, const char *name, const char **v, size_t *vn)
{
	const char *e = s + n, *p = skip_ws(s, e) + 1;
	size_t count = 0;
	for (p = skip_ws(p, e); p < e && *p == '"'; p = skip_ws(p + 1, e)) {
		const char *ke = skip_value(p, e);
		json_t *k = json_loadb(p, (size_t)(ke - p), JSON_DECODE_ANY, NULL);
		bool hit = json_is_string(k) && json_string_length(k) == strlen(name) &&
			   memcmp(json_string_value(k), name, strlen(name)) == 0;
		json_decref(k);
		p = skip_ws(skip_ws(ke, e) + 1, e);
		const char *ve = skip_value(p, e);
		if (hit) {
			count++;
			if (v) {
				*v = p;
				*vn = (size_t)(ve - p);
			}
		}
		p = skip_ws(ve, e);
		if (p >= e || *p != ',')
			break;
	}
	return count;
}

/* Does the route hold every member of the route it was (an object or
 * NULL) but action, reason and denied_by, with the same value, and nothing
 * else but those three? */
static bool
route_kept(const json_t *was, const json_t *route)
{
	size_t kept = 0;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)was, key, v) {
		if (strcmp(key, "action") == 0 || strcmp(key, "reason") == 0 || strcmp(key, "denied_by") == 0)
			continue;
		if (!json_equal(v, json_object_get(route, key)))
			return false;
		kept++;
	}
	return json_object_size(route) == kept + 3 && json_object_get(route, "action") &&
	       json_object_get(route, "reason") && json_object_get(route, "denied_by");
}

static void
check_note(const struct fixture *x, size_t i, const json_t *note, const struct line *in, const struct line *out)
{
	const struct budget *b = &x->b.v[i];
	const json_t *name = json_object_get(note, "name"), *status = json_object_get(note, "status");
	const json_t *period = json_object_get(note, "period");
	if (!json_is_object(note) || json_object_size(note) != 6 || !json_is_string(name) ||
	    strcmp(json_string_value(name), b->name) != 0)
		mismatch("the budget is not the tightest that takes the request", in, out);
	if (!json_is_string(status) || strcmp(json_string_value(status), x->status[x->rank[i]]) != 0)
		mismatch("the budget's status is wrong", in, out);
	if (!json_is_string(period) || strcmp(json_string_value(period), b->period) != 0)
		mismatch("the budget's period is wrong", in, out);
	if (!json_is_number(json_object_get(note, "used_pct")))
		mismatch("the budget's used_pct is not a number", in, out);
	const json_t *usd = json_object_get(note, "remaining_usd"), *tok = json_object_get(note, "remaining_tokens");
	if (!(b->has_limit_usd ? json_is_number(usd) : json_is_null(usd)) ||
	    !(b->has_limit_tokens ? json_is_integer(tok) : json_is_null(tok)))
		mismatch("the budget's remaining_usd or remaining_tokens is wrong", in, out);
}

static void
check_annotated(const struct fixture *x, const struct line *in, const struct line *out, const json_t *o)
{
	const json_t *note = json_object_get(o, "budget");
	if (!note)
		mismatch("no budget member", in, out);
	json_t *want = json_deep_copy(in->j);
	json_object_set(want, "budget", (json_t *)note);
	bool eq = json_equal(want, (json_t *)o);
	json_decref(want);
	if (!eq)
		mismatch("the line differs from the input but for its budget", in, out);
	size_t i = tightest(x, in->j, false, false);
	if (i == SIZE_MAX) {
		if (!json_is_null(note))
			mismatch("a budget where none takes the request", in, out);
	} else
		check_note(x, i, note, in, out);
	if (count_members(out->s, out->n, "budget", NULL, NULL) != 1)
		mismatch("an old budget member left in the line", in, out);
	if (json_object_get(in->j, "budget"))
		return;
	/* Nothing to strip: the input's bytes up to its closing brace. */
	size_t close = in->n;
	while (close > 0 && in->s[close - 1] != '}')
		close--;
	close--;
	const char *sep = json_object_size(in->j) ? "," : "";
	size_t at = close + strlen(sep);
	if (out->n < at + 11 || memcmp(out->s, in->s, close) != 0 || memcmp(out->s + close, sep, strlen(sep)) != 0 ||
	    memcmp(out->s + at, "\"budget\":", 9) != 0 || out->s[out->n - 1] != '}')
		mismatch("the line is not the input with the member added before its brace", in, out);
}

static const char *
period_name(const struct budget *b)
{
	switch (b->kind) {
	case P_DAY: return "daily";
	case P_WEEK: return "weekly";
	case P_MONTH: return "monthly";
	case P_TOTAL: return "total";
	case P_ROLLING: return b->period;
	}
	return "?";
}

/* Enforce's state as budgetgate(1) tells it: the spend of each budget, with
 * the estimates of the requests let through. Only the limits that can deny
 * are followed. Lost once an estimate cannot be known exactly. */
struct model {
	money_t spent[MAX_BUDGETS];
	__int128 tokens[MAX_BUDGETS];
	bool lost;
	struct strmap price_cache;
};

/* What enforce must do with a request. */
struct deny {
	size_t by;          /* the budget; SIZE_MAX: let through */
	char reason[256];
};

/* The request's estimate: route.est_cost_usd, else its tokens priced for
 * route.model or model, else $0; false when jansson's double does not tell
 * the dollars that money_parse reads from the text. */
static bool
estimate_of(struct model *m, const json_t *j, money_t *usd, __int128 *tok)
{
	const json_t *prompt = get(j, "prompt_tokens"), *output = get(j, "output_tokens");
	if (!prompt)
		prompt = get(j, "input_tokens");
	int64_t in = prompt ? json_integer_value(prompt) : 0, out = output ? json_integer_value(output) : 0;
	*tok = (__int128)in + out;
	*usd = 0;
	const json_t *est = get(get(j, "route"), "est_cost_usd");
	if (json_is_integer(est)) {
		*usd = (money_t)json_integer_value(est) * PICO_PER_USD;
		return true;
	}
	if (est) {
		/* Below 2^50 pico-dollars the double is within 0.25 of the text's
		 * value: 0.2 more from a whole number and rounding is certain. */
		double p = json_real_value(est) * 1e12, k = floor(p + 0.5);
		if (!(p >= 0 && p < 0x1p50) || fabs(p - k) > 0.2)
			return false;
		*usd = (money_t)k;
		return true;
	}
	if (!prompt && !output)
		return true;
	const json_t *model = field_value(j, MF_MODEL, true);
	const struct model_price *mp =
		model ? price_find_in(&prices, &m->price_cache, json_string_value(model), json_string_length(model)) : NULL;
	const struct price_period *pp = price_at(mp, NOW);
	if (pp)
		*usd = price_cost(pp, &(struct tokens){.input = in, .output = out});
	return true;
}

/* The first hard budget, tightest first, that the request would carry to
 * its limit; else it is let through and its estimate counted. False when
 * the estimate is not known. */
static bool
decide(const struct fixture *x, struct model *m, const json_t *j, struct deny *d)
{
	money_t usd;
	__int128 tok;
	if (!estimate_of(m, j, &usd, &tok))
		return false;
	d->by = SIZE_MAX;
	for (size_t r = 0; r < x->n; r++) {
		size_t i = x->by_rank[r];
		const struct budget *b = &x->b.v[i];
		if (b->enforce_soft || !takes(x, i, j, true))
			continue;
		bool over_usd = b->has_limit_usd && m->spent[i] + usd >= b->limit_usd;
		bool over_tok = b->has_limit_tokens && m->tokens[i] + tok >= b->limit_tokens;
		if (!over_usd && !over_tok)
			continue;
		char a[MONEY_BUFSZ], l[MONEY_BUFSZ];
		if (over_usd) {
			money_format_cents(m->spent[i] + usd, a, true);
			money_format_cents(b->limit_usd, l, true);
			snprintf(d->reason, sizeof d->reason, "Budget Exceeded: Request would exceed %s budget ($%s / $%s)",
				 period_name(b), a, l);
		} else {
			count_text(m->tokens[i] + tok, a, true);
			count_text(b->limit_tokens, l, true);
			snprintf(d->reason, sizeof d->reason,
				 "Budget Exceeded: Request would exceed %s budget (%s / %s tokens)", period_name(b), a, l);
		}
		d->by = i;
		return true;
	}
	for (size_t i = 0; i < x->n; i++) {
		const struct budget *b = &x->b.v[i];
		if (b->enforce_soft || !takes(x, i, j, true))
			continue;
		if (b->has_limit_usd)
			m->spent[i] += usd;
		if (b->has_limit_tokens)
			m->tokens[i] += tok;
	}
	return true;
}

/* want: what the model says, NULL when it is lost. */
static void
check_enforced(const struct fixture *x, const struct line *in, const struct line *out, const json_t *o,
	       bool denied_before, const struct deny *want)
{
	size_t hard = tightest(x, in->j, true, true);
	bool must_deny = !denied_before && hard != SIZE_MAX && x->reached && strcmp(x->b.v[hard].name, x->reached) == 0;
	if (same_bytes(in, out)) {
		if (must_deny)
			mismatch("a request past a reached limit is let through", in, out);
		if (want && want->by != SIZE_MAX)
			mismatch("a request that would reach a limit is let through", in, out);
		return;
	}
	if (denied_before)
		mismatch("a request denied before is changed", in, out);
	if (hard == SIZE_MAX)
		mismatch("a request that no hard budget takes is changed", in, out);
	if (want && want->by == SIZE_MAX)
		mismatch("a request within every limit is denied", in, out);
	if (!equal_but(in->j, o, "route"))
		mismatch("the line differs from the input outside its route", in, out);
	const json_t *route = json_object_get(o, "route"), *was = get(in->j, "route");
	const json_t *by = json_object_get(route, "denied_by"), *reason = json_object_get(route, "reason");
	const json_t *action = json_object_get(route, "action");
	if (!json_is_object(route) || !json_is_string(action) || strcmp(json_string_value(action), "deny") != 0)
		mismatch("a changed line without route.action \"deny\"", in, out);
	size_t i = 0;
	while (i < x->n && !(json_is_string(by) && strcmp(json_string_value(by), x->b.v[i].name) == 0))
		i++;
	if (i == x->n || x->b.v[i].enforce_soft || !takes(x, i, in->j, true))
		mismatch("denied_by is not a hard budget that takes the request", in, out);
	if ((must_deny && i != hard) || (want && i != want->by))
		mismatch("denied by another budget than the tightest one reached", in, out);
	char prefix[256];
	snprintf(prefix, sizeof prefix, "Budget Exceeded: Request would exceed %s budget (", period_name(&x->b.v[i]));
	if (!json_is_string(reason) || strncmp(json_string_value(reason), prefix, strlen(prefix)) != 0 ||
	    json_string_value(reason)[json_string_length(reason) - 1] != ')')
		mismatch("the reason is not the origin's words", in, out);
	if (want && strcmp(json_string_value(reason), want->reason) != 0)
		mismatch("the reason's figures are wrong", in, out);
	if (!route_kept(was, route))
		mismatch("the route's other members are not kept as they were", in, out);
	/* In the text: the route in place of the last one (or added), and
	 * each of the three members once in it. */
	size_t routes = count_members(in->s, in->n, "route", NULL, NULL);
	const char *rs = NULL;
	size_t rn = 0;
	if (count_members(out->s, out->n, "route", &rs, &rn) != (routes ? routes : 1))
		mismatch("a route member too many or too few", in, out);
	if (count_members(rs, rn, "action", NULL, NULL) != 1 || count_members(rs, rn, "reason", NULL, NULL) != 1 ||
	    count_members(rs, rn, "denied_by", NULL, NULL) != 1)
		mismatch("the route keeps an old action, reason or denied_by", in, out);
}

/* Run one mode under one fixture over the input in in_fd, and check. */
static void
run(struct fixture *x, enum stream_mode mode, const struct lines *in)
{
	bool enforce = mode == STREAM_ENFORCE;
	cur_fixture = x;
	cur_mode = enforce ? "enforce" : "annotate";
	if (ftruncate(STDOUT_FILENO, 0) != 0 || lseek(STDOUT_FILENO, 0, SEEK_SET) != 0)
		broken("cannot empty the output memfd");
	char *paths[] = {in_path};
	struct stream_opts so = {.mode = mode, .paths = paths, .npaths = 1, .now = NOW, .prices = &prices};
	/* The warnings about bad lines go nowhere; sanitizers write to fd 2. */
	FILE *saved = stderr;
	stderr = devnull;
	stream_requests(&x->b, &x->s, &so);
	out_flush();
	stderr = saved;

	off_t size = lseek(STDOUT_FILENO, 0, SEEK_CUR);
	char *text = xmalloc((size_t)size + 1);
	if (size < 0 || pread(STDOUT_FILENO, text, (size_t)size, 0) != size)
		broken("cannot read the output back");
	if (size && text[size - 1] != '\n')
		mismatch("the output does not end in a newline", NULL, NULL);
	struct lines out = split(text, (size_t)size, false);
	struct model m = {0};
	for (size_t i = 0; i < x->n; i++) {
		m.spent[i] = x->s.sum[i].spent;
		m.tokens[i] = x->s.sum[i].tokens;
	}
	size_t k = 0;
	for (size_t i = 0; i < in->n; i++) {
		const struct line *l = &in->v[i];
		bool denied_before;
		enum fate v = expect(x, l, enforce, &denied_before);
		if (v == DROP)
			continue;
		if (k == out.n) {
			if (v == KEEP)
				mismatch("a good line is missing", l, NULL);
			continue;
		}
		const struct line *w = &out.v[k];
		json_t *o = json_loadb(w->s, w->n, 0, NULL);
		/* A line that may have been dropped: is this its line? */
		if (v == MAYBE && !same_bytes(l, w) &&
		    !(json_is_object(o) && equal_but(l->j, o, "route") &&
		      route_kept(get(l->j, "route"), json_object_get(o, "route")))) {
			json_decref(o);
			continue;
		}
		if (!json_is_object(o) || memchr(w->s, '\0', w->n))
			mismatch("the line written is not a JSON object", l, w);
		if (enforce) {
			struct deny d;
			const struct deny *want = NULL;
			if (v == MAYBE)
				m.lost = true; /* let through or not, its estimate is not known */
			else if (!denied_before && !m.lost) {
				if (decide(x, &m, l->j, &d))
					want = &d;
				else
					m.lost = true;
			}
			check_enforced(x, l, w, o, denied_before, want);
		} else
			check_annotated(x, l, w, o);
		json_decref(o);
		k++;
	}
	if (k != out.n)
		mismatch("a line written that is not a good input line", NULL, &out.v[k]);
	strmap_free(&m.price_cache);
	lines_free(&out);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ftruncate(in_fd, 0) != 0 || (size && pwrite(in_fd, data, size, 0) != (ssize_t)size))
		broken("cannot write the input memfd");
	struct lines in = split((const char *)data, size, true);
	for (size_t k = 0; k < NFIXTURES; k++) {
		run(&fixtures[k], STREAM_ANNOTATE, &in);
		run(&fixtures[k], STREAM_ENFORCE, &in);
	}
	lines_free(&in);
	return 0;
}
