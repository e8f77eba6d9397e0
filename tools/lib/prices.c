/* prices.c: loading the price table and pricing a request. */
#include "prices.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timeutil.h"
#include "yamlload.h"

#define PRICE_FILE_MAX (64u << 20)

static struct model_price *
model_for(struct price_table *t, const char *name, bool replace)
{
	int added;
	struct strmap_slot *s = strmap_put(&t->names, name, strlen(name), &added);
	if (!added) {
		struct model_price *m = &t->models[(uintptr_t)s->value - 1];
		if (replace) {
			free(m->periods);
			m->periods = NULL;
			m->nperiods = 0;
		}
		return m;
	}
	if (t->nmodels == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->models = xreallocarray(t->models, t->cap, sizeof *t->models);
	}
	struct model_price *m = &t->models[t->nmodels++];
	memset(m, 0, sizeof *m);
	m->name = s->key;
	s->value = (void *)(uintptr_t)t->nmodels;
	return m;
}

static void
add_period(struct model_price *m, const struct price_period *p)
{
	m->periods = xreallocarray(m->periods, m->nperiods + 1, sizeof *m->periods);
	size_t i = m->nperiods++;
	while (i > 0 && m->periods[i - 1].from_ms > p->from_ms) {
		m->periods[i] = m->periods[i - 1];
		i--;
	}
	m->periods[i] = *p;
}

/* Where the rates fall back when a file leaves some out: cache reads and
 * writes at the input rate, 1-hour writes at the 5-minute rate, and a long-
 * context tier at the base rate of each kind. */
static void
fill_rates(struct rates *r, const bool have[5], const struct rates *base)
{
	if (base) {
		if (!have[0]) r->input = base->input;
		if (!have[1]) r->output = base->output;
		if (!have[2]) r->cache_read = base->cache_read;
		if (!have[3]) r->cache_write = base->cache_write;
		if (!have[4]) r->cache_write_1h = base->cache_write_1h;
		return;
	}
	if (!have[2]) r->cache_read = r->input;
	if (!have[3]) r->cache_write = r->input;
	if (!have[4]) r->cache_write_1h = r->cache_write;
}

struct yctx {
	const char *path;
	struct yaml_doc *doc;
	bool ok;
};

static void
yerr(struct yctx *c, const json_t *obj, const char *key, const json_t *v, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
yerr(struct yctx *c, const json_t *obj, const char *key, const json_t *v, const char *fmt, ...)
{
	long line = 0, col = 0;
	if (!(v && yaml_value_pos(c->doc, v, &line, &col) && !json_is_boolean(v) && !json_is_null(v)))
		if (!(obj && key && yaml_key_pos(c->doc, obj, key, &line, &col)))
			if (obj)
				yaml_value_pos(c->doc, obj, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	vwarnat(c->path, line, col, fmt, ap);
	va_end(ap);
	c->ok = false;
}

static const char *const rate_keys[5] = {"input", "output", "cache_read", "cache_write", "cache_write_1h"};

static bool
yaml_rates(struct yctx *c, json_t *obj, struct rates *r, bool have[5], bool need_io)
{
	int64_t *dst[5] = {&r->input, &r->output, &r->cache_read, &r->cache_write, &r->cache_write_1h};
	for (int i = 0; i < 5; i++) {
		json_t *v = json_object_get(obj, rate_keys[i]);
		have[i] = v != NULL;
		if (!v) {
			if (need_io && i < 2) {
				yerr(c, obj, NULL, NULL, "a price needs '%s' (USD per million tokens)", rate_keys[i]);
				return false;
			}
			continue;
		}
		const char *text = yaml_number_text(c->doc, v);
		money_t pico;
		if (!text || !money_parse(text, strlen(text), -6, &pico) || pico < 0 || pico > INT64_MAX) {
			yerr(c, obj, rate_keys[i], v, "'%s' must be a number of USD per million tokens", rate_keys[i]);
			return false;
		}
		*dst[i] = (int64_t)pico;
	}
	return true;
}

static bool
load_yaml_prices(struct price_table *t, const char *path, const char *text, size_t len)
{
	struct yaml_doc doc;
	struct yaml_error e;
	struct yaml_opts opts = {.single_document = true};
	if (!yaml_load(text, len, &opts, &doc, &e)) {
		warnat(path, e.line, e.col, "%s", e.message);
		return false;
	}
	struct yctx c = {.path = path, .doc = &doc, .ok = true};
	json_t *models = json_object_get(doc.root, "models");
	if (!json_is_object(models)) {
		yerr(&c, json_is_object(doc.root) ? doc.root : NULL, "models", models,
		     "a price file needs a 'models' mapping");
		yaml_doc_free(&doc);
		return false;
	}
	const char *name;
	json_t *entry;
	json_object_foreach(models, name, entry) {
		if (!json_is_object(entry)) {
			yerr(&c, models, name, entry, "model '%s' must be a mapping", name);
			continue;
		}
		json_t *periods = json_object_get(entry, "prices");
		if (!json_is_array(periods) || json_array_size(periods) == 0) {
			yerr(&c, entry, "prices", periods, "model '%s' needs a 'prices' list", name);
			continue;
		}
		struct model_price *m = model_for(t, name, true);
		json_t *prov = json_object_get(entry, "provider");
		if (json_is_string(prov))
			m->provider = strmap_intern(&t->strings, json_string_value(prov), json_string_length(prov));
		size_t i;
		json_t *p;
		json_array_foreach(periods, i, p) {
			if (!json_is_object(p)) {
				yerr(&c, periods, NULL, p, "a price entry must be a mapping");
				continue;
			}
			struct price_period pp = {0};
			json_t *from = json_object_get(p, "from");
			if (!from) {
				yerr(&c, p, NULL, NULL, "a price entry needs 'from' (the date it holds from)");
				continue;
			}
			if (!json_is_string(from) ||
			    !time_parse(json_string_value(from), json_string_length(from), true, &pp.from_ms)) {
				yerr(&c, p, "from", from, "'from' must be a date (YYYY-MM-DD)");
				continue;
			}
			bool have[5];
			if (!yaml_rates(&c, p, &pp.base, have, true))
				continue;
			fill_rates(&pp.base, have, NULL);
			json_t *above_tokens = json_object_get(p, "above_tokens");
			json_t *above = json_object_get(p, "above");
			if (above_tokens || above) {
				if (!json_is_integer(above_tokens) || json_integer_value(above_tokens) <= 0) {
					yerr(&c, p, "above_tokens", above_tokens,
					     "'above_tokens' must be a positive whole number of tokens");
					continue;
				}
				if (!json_is_object(above)) {
					yerr(&c, p, "above", above, "'above' must be a mapping of rates");
					continue;
				}
				pp.above_tokens = json_integer_value(above_tokens);
				if (!yaml_rates(&c, above, &pp.above, have, false))
					continue;
				fill_rates(&pp.above, have, &pp.base);
			}
			const char *k;
			json_t *v;
			json_object_foreach(p, k, v) {
				static const char *const known[] = {"from", "input", "output", "cache_read", "cache_write",
								    "cache_write_1h", "above_tokens", "above", NULL};
				bool ok = false;
				for (const char *const *q = known; *q; q++)
					ok |= strcmp(*q, k) == 0;
				if (!ok)
					yerr(&c, p, k, NULL, "unknown key '%s' in a price entry", k);
			}
			add_period(m, &pp);
		}
		json_t *aliases = json_object_get(entry, "aliases");
		if (aliases && !json_is_array(aliases))
			yerr(&c, entry, "aliases", aliases, "'aliases' must be a list of names");
		size_t ai;
		json_t *a;
		json_array_foreach(aliases, ai, a) {
			if (!json_is_string(a)) {
				yerr(&c, aliases, NULL, a, "an alias must be a string");
				continue;
			}
			struct strmap_slot *s = strmap_put(&t->names, json_string_value(a), json_string_length(a), NULL);
			s->value = (void *)(uintptr_t)(m - t->models + 1);
		}
	}
	yaml_doc_free(&doc);
	return c.ok;
}

static bool
json_rate(json_t *entry, const char *key, int64_t *out)
{
	json_t *v = json_object_get(entry, key);
	if (!json_is_number(v))
		return false;
	money_t pico = money_from_double(json_number_value(v));
	if (pico < 0 || pico > INT64_MAX)
		return false;
	*out = (int64_t)pico;
	return true;
}

static bool
load_litellm(struct price_table *t, const char *path, const char *text, size_t len)
{
	json_error_t e;
	json_t *root = json_loadb(text, len, 0, &e);
	if (!root) {
		warnat(path, e.line, e.column, "%s", e.text);
		return false;
	}
	if (!json_is_object(root)) {
		warnat(path, 1, 1, "a LiteLLM price file is a JSON object of models");
		json_decref(root);
		return false;
	}
	const char *name;
	json_t *entry;
	json_object_foreach(root, name, entry) {
		struct price_period pp = {0};
		bool have[5] = {0};
		if (!json_is_object(entry) || !json_rate(entry, "input_cost_per_token", &pp.base.input) ||
		    !json_rate(entry, "output_cost_per_token", &pp.base.output))
			continue; /* sample_spec, image and audio models: not token-priced */
		have[0] = have[1] = true;
		have[2] = json_rate(entry, "cache_read_input_token_cost", &pp.base.cache_read);
		have[3] = json_rate(entry, "cache_creation_input_token_cost", &pp.base.cache_write);
		have[4] = json_rate(entry, "cache_creation_input_token_cost_above_1hr", &pp.base.cache_write_1h);
		fill_rates(&pp.base, have, NULL);
		bool above[5];
		above[0] = json_rate(entry, "input_cost_per_token_above_200k_tokens", &pp.above.input);
		above[1] = json_rate(entry, "output_cost_per_token_above_200k_tokens", &pp.above.output);
		above[2] = json_rate(entry, "cache_read_input_token_cost_above_200k_tokens", &pp.above.cache_read);
		above[3] = json_rate(entry, "cache_creation_input_token_cost_above_200k_tokens", &pp.above.cache_write);
		above[4] = json_rate(entry, "cache_creation_input_token_cost_above_1hr_above_200k_tokens",
				     &pp.above.cache_write_1h);
		if (above[0] || above[1]) {
			pp.above_tokens = 200000;
			fill_rates(&pp.above, above, &pp.base);
		}
		pp.from_ms = INT64_MIN / 2;
		struct model_price *m = model_for(t, name, true);
		json_t *prov = json_object_get(entry, "litellm_provider");
		if (json_is_string(prov))
			m->provider = strmap_intern(&t->strings, json_string_value(prov), json_string_length(prov));
		add_period(m, &pp);
	}
	json_decref(root);
	return true;
}

bool
prices_load(struct price_table *t, const char *path)
{
	size_t len;
	char *text = read_file(path, PRICE_FILE_MAX, &len);
	if (!text) {
		warnx("%s: cannot read the price file:", path);
		return false;
	}
	/* Resolution caches are stale once the table changes. */
	strmap_free(&t->resolved);
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	bool ok = i < len && text[i] == '{' ? load_litellm(t, path, text, len) : load_yaml_prices(t, path, text, len);
	free(text);
	return ok;
}

void
prices_free(struct price_table *t)
{
	for (size_t i = 0; i < t->nmodels; i++)
		free(t->models[i].periods);
	free(t->models);
	strmap_free(&t->names);
	strmap_free(&t->resolved);
	strmap_free(&t->strings);
	memset(t, 0, sizeof *t);
}

static long
lookup_exact(const struct price_table *t, const char *s, size_t n)
{
	struct strmap_slot *slot = strmap_find(&t->names, s, n);
	return slot ? (long)(uintptr_t)slot->value - 1 : -1;
}

/* Length of name without a trailing date or version: "-20250929",
 * "-2024-08-06", "@20250929", "-v1:0", "-v2:0", "-latest". */
static size_t
strip_suffix(const char *s, size_t n)
{
	size_t k = n;
	/* A context-size tag, "[1m]" */
	if (k >= 3 && s[k - 1] == ']') {
		const char *open = memrchr(s, '[', k);
		if (open && open > s)
			k = (size_t)(open - s);
	}
	/* Bedrock's version, "-v2:0" or "-v1" */
	if (k >= 5 && s[k - 2] == ':' && s[k - 5] == '-' && s[k - 4] == 'v')
		k -= 5;
	else if (k >= 3 && s[k - 3] == '-' && s[k - 2] == 'v' && s[k - 1] >= '0' && s[k - 1] <= '9')
		k -= 3;
	if (k >= 9 && (s[k - 9] == '-' || s[k - 9] == '@')) {
		bool digits = true;
		for (size_t i = k - 8; i < k; i++)
			digits &= s[i] >= '0' && s[i] <= '9';
		if (digits)
			return k - 9;
	}
	if (k >= 11 && s[k - 11] == '-' && s[k - 6] == '-' && s[k - 3] == '-') {
		bool digits = true;
		for (size_t i = k - 10; i < k; i++)
			if (i != k - 6 && i != k - 3)
				digits &= s[i] >= '0' && s[i] <= '9';
		if (digits)
			return k - 11;
	}
	if (k >= 7 && memcmp(s + k - 7, "-latest", 7) == 0)
		return k - 7;
	return k;
}

static long
resolve(const struct price_table *t, const char *s, size_t n)
{
	long i = lookup_exact(t, s, n);
	if (i >= 0)
		return i;
	/* Provider prefixes: "anthropic/x", "openrouter/anthropic/x", Bedrock's
	 * "us.anthropic.x" and "anthropic.x". */
	const char *base = s;
	size_t bn = n;
	const char *slash = memrchr(s, '/', n);
	if (slash) {
		base = slash + 1;
		bn = n - (size_t)(base - s);
	}
	for (size_t k = 0; k + 1 < bn; k++)
		if (base[k] == '.' && k < 16) {
			/* "us.anthropic.claude...": drop everything to the last dot
			 * before the model's own name, which has no dots before a
			 * digit-dot version like "3.5". */
			const char *rest = base + k + 1;
			if ((rest[0] >= 'a' && rest[0] <= 'z') && memchr(base, '-', k) == NULL) {
				base = rest;
				bn -= k + 1;
				k = (size_t)-1;
			}
		}
	if (base != s && (i = lookup_exact(t, base, bn)) >= 0)
		return i;
	size_t sn = strip_suffix(base, bn);
	if (sn != bn && sn > 0 && (i = lookup_exact(t, base, sn)) >= 0)
		return i;
	/* A dated name behind a tag: "claude-x-20250929[1m]" */
	size_t sn2 = sn ? strip_suffix(base, sn) : 0;
	if (sn2 != sn && sn2 > 0 && (i = lookup_exact(t, base, sn2)) >= 0)
		return i;
	return -1;
}

const struct model_price *
price_find_in(const struct price_table *t, struct strmap *cache, const char *name, size_t len)
{
	int added;
	struct strmap_slot *slot = strmap_put(cache, name, len, &added);
	if (added) {
		long i = resolve(t, name, len);
		slot->value = (void *)(uintptr_t)(i + 1);
	}
	uintptr_t v = (uintptr_t)slot->value;
	return v ? &t->models[v - 1] : NULL;
}

const struct model_price *
price_find(struct price_table *t, const char *name, size_t len)
{
	return price_find_in(t, &t->resolved, name, len);
}

const struct price_period *
price_at(const struct model_price *m, int64_t ts_ms)
{
	if (!m || m->nperiods == 0)
		return NULL;
	/* Before the first entry's date, the first entry holds. */
	size_t i = m->nperiods;
	while (i > 1 && m->periods[i - 1].from_ms > ts_ms)
		i--;
	return &m->periods[i - 1];
}

money_t
price_cost(const struct price_period *p, const struct tokens *tk)
{
	const struct rates *r = &p->base;
	if (p->above_tokens &&
	    tk->input + tk->cache_read + tk->cache_write + tk->cache_write_1h > p->above_tokens)
		r = &p->above;
	return (money_t)tk->input * r->input + (money_t)tk->output * r->output +
	       (money_t)tk->cache_read * r->cache_read + (money_t)tk->cache_write * r->cache_write +
	       (money_t)tk->cache_write_1h * r->cache_write_1h;
}

const char *
share_path(const char *rel)
{
	static char path[PATH_MAX];
	const char *env = getenv("AGENTPIPE_SHARE");
	char exe[PATH_MAX] = "/usr/local/bin/x";
	int n;
	if (env && *env) {
		n = snprintf(path, sizeof path, "%s/%s", env, rel);
	} else {
		ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (len > 0)
			exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		n = snprintf(path, sizeof path, "%s/../share/agentpipe/%s", exe, rel);
	}
	if (n < 0 || (size_t)n >= sizeof path)
		die(EXIT_USAGE, "path too long under the share directory");
	return path;
}
