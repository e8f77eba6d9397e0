/* test_prices: the price table from a prices.yaml and from a LiteLLM JSON
 * file, name resolution, dated entries, and exact costs including the
 * long-context tier. Rates are pico-USD per token: $3 per million tokens is
 * 3,000,000 pico per token. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prices.h"
#include "tap.h"
#include "timeutil.h"

#define M 1000000LL /* pico per token for $1 per million tokens */

static const char prices_yaml[] =
	"version: 1\n"
	"models:\n"
	"  claude-x:\n"
	"    provider: anthropic\n"
	"    aliases: [cx, claude-x-alias]\n"
	"    prices:\n"
	"      - from: 2024-01-01\n"
	"        input: 3\n"
	"        output: 15\n"
	"        cache_read: 0.30\n"
	"        cache_write: 3.75\n"
	"        cache_write_1h: 6\n"
	"        above_tokens: 200000\n"
	"        above:\n"
	"          input: 6\n"
	"          output: 22.5\n"
	"          cache_read: 0.60\n"
	"          cache_write: 7.5\n"
	"          cache_write_1h: 12\n"
	"      - from: 2025-06-01\n"
	"        input: 2\n"
	"        output: 10\n"
	"  gpt-y:\n"
	"    provider: openai\n"
	"    prices:\n"
	"      - from: 2024-01-01\n"
	"        input: 1.25\n"
	"        output: 10\n"
	"        above_tokens: 272000\n"
	"        above: {input: 2.5}\n"
	"  claude-3.5-haiku:\n"
	"    provider: anthropic\n"
	"    prices:\n"
	"      - {from: 2024-01-01, input: 0.8, output: 4}\n";

static const char litellm_json[] =
	"{\n"
	"  \"claude-x\": {\"input_cost_per_token\": 3e-06, \"output_cost_per_token\": 1.5e-05,\n"
	"    \"cache_read_input_token_cost\": 3e-07, \"cache_creation_input_token_cost\": 3.75e-06,\n"
	"    \"input_cost_per_token_above_200k_tokens\": 6e-06, \"litellm_provider\": \"anthropic\"},\n"
	"  \"dall-e-3\": {\"output_cost_per_image\": 0.04, \"litellm_provider\": \"openai\"},\n"
	"  \"sample_spec\": {\"max_tokens\": \"set to max_output_tokens if provider specifies it\"}\n"
	"}\n";

static char *tmp_paths[64];
static int ntmp;

/* A temporary file with text; removed at exit. */
static const char *
temp_file(const char *text, const char *suffix)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/test_prices.XXXXXX%s", dir && *dir ? dir : "/tmp", suffix);
	if (ntmp == (int)(sizeof tmp_paths / sizeof *tmp_paths)) {
		fprintf(stderr, "test_prices: too many temporary files\n");
		exit(2);
	}
	int fd = mkstemps(path, (int)strlen(suffix));
	size_t n = strlen(text);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n) {
		perror(path);
		exit(2);
	}
	close(fd);
	return tmp_paths[ntmp++] = xstrdup(path);
}

static void
remove_temp_files(void)
{
	for (int i = 0; i < ntmp; i++) {
		unlink(tmp_paths[i]);
		free(tmp_paths[i]);
	}
}

/* prices_load with stderr caught into msg, so error messages can be checked. */
static bool
load_quietly(struct price_table *t, const char *path, char *msg, size_t msglen)
{
	const char *dir = getenv("TMPDIR");
	char cap[4096];
	snprintf(cap, sizeof cap, "%s/test_prices.err.XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(cap);
	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	unlink(cap);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	bool ok = prices_load(t, path);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	ssize_t n = pread(fd, msg, msglen - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	close(fd);
	return ok;
}

static int64_t
day(const char *date)
{
	int64_t ms = 0;
	time_parse(date, strlen(date), true, &ms);
	return ms;
}

static void
finds(struct price_table *t, const char *name, const char *want)
{
	const struct model_price *m = price_find(t, name, strlen(name));
	if (want) {
		if (!check(m && strcmp(m->name, want) == 0, "price_find(\"%s\") is %s", name, want))
			tap_diag("  got %s", m ? m->name : "NULL");
	} else if (!check(m == NULL, "price_find(\"%s\") is NULL", name))
		tap_diag("  got %s", m->name);
}

static void
rates_are(const struct rates *r, int64_t in, int64_t out, int64_t cr, int64_t cw, int64_t cw1h, const char *what)
{
	if (!check(r->input == in && r->output == out && r->cache_read == cr && r->cache_write == cw &&
			   r->cache_write_1h == cw1h,
		   "%s: rates %lld/%lld/%lld/%lld/%lld pico per token", what, (long long)in, (long long)out,
		   (long long)cr, (long long)cw, (long long)cw1h))
		tap_diag("  got %lld/%lld/%lld/%lld/%lld", (long long)r->input, (long long)r->output,
			 (long long)r->cache_read, (long long)r->cache_write, (long long)r->cache_write_1h);
}

static void
cost_is(const struct price_period *p, struct tokens tk, long long want, const char *what)
{
	money_t got = price_cost(p, &tk);
	if (!check(got == want, "price_cost: %s is %lld pico", what, want))
		tap_diag("  got %lld", (long long)got);
}

static void
test_yaml_table(void)
{
	struct price_table t = {0};
	char msg[4096];
	const char *path = temp_file(prices_yaml, ".yaml");
	if (!check(load_quietly(&t, path, msg, sizeof msg), "prices_load reads a prices.yaml")) {
		tap_diag("  %s", msg);
		return;
	}
	check(msg[0] == '\0', "and prints nothing");
	check_int_eq(t.nmodels, 3, "three models");

	finds(&t, "claude-x", "claude-x");
	finds(&t, "cx", "claude-x");
	finds(&t, "claude-x-alias", "claude-x");
	finds(&t, "anthropic/claude-x", "claude-x");
	finds(&t, "openrouter/anthropic/claude-x", "claude-x");
	finds(&t, "us.anthropic.claude-x-v1:0", "claude-x");
	finds(&t, "anthropic.claude-x-v2:0", "claude-x");
	finds(&t, "claude-x-20250929", "claude-x");
	finds(&t, "claude-x@20250929", "claude-x");
	finds(&t, "claude-x-2024-08-06", "claude-x");
	finds(&t, "claude-x-latest", "claude-x");
	finds(&t, "us.anthropic.claude-3.5-haiku-20241022-v1:0", "claude-3.5-haiku");
	finds(&t, "claude-3.5-haiku", "claude-3.5-haiku");
	finds(&t, "gpt-y", "gpt-y");
	finds(&t, "claude-z", NULL);
	finds(&t, "gpt-y-mini", NULL);
	finds(&t, "claude-x-2025", NULL);
	finds(&t, "", NULL);
	const struct model_price *m1 = price_find(&t, "anthropic/claude-x", 18);
	const struct model_price *m2 = price_find(&t, "anthropic/claude-x", 18);
	check(m1 && m1 == m2, "a second lookup gives the same model (cached)");
	const struct model_price *x = price_find(&t, "claude-x", 8);
	if (!x)
		return;
	check(x->provider && strcmp(x->provider, "anthropic") == 0, "claude-x's provider is anthropic");
	check_int_eq(x->nperiods, 2, "claude-x has two dated entries");

	const struct price_period *p1 = price_at(x, day("2025-01-01"));
	const struct price_period *p2 = price_at(x, day("2025-06-01"));
	check(p1 && p1->from_ms == day("2024-01-01"), "price_at(2025-01-01) is the 2024-01-01 entry");
	check(p2 && p2->from_ms == day("2025-06-01"), "price_at(2025-06-01T00:00Z) is the 2025-06-01 entry");
	check(price_at(x, day("2025-06-01") - 1) == p1, "price_at the millisecond before is the older entry");
	check(price_at(x, day("2020-01-01")) == p1, "before the first entry, the first entry holds");
	check(price_at(NULL, 0) == NULL, "price_at(NULL) is NULL");
	if (!p1 || !p2)
		return;
	rates_are(&p1->base, 3 * M, 15 * M, 300000, 3750000, 6 * M, "claude-x 2024");
	check_int_eq(p1->above_tokens, 200000, "claude-x 2024: above_tokens");
	rates_are(&p1->above, 6 * M, 22500000, 600000, 7500000, 12 * M, "claude-x 2024 above 200k");
	/* Left out: cache rates fall back to the input rate, 1-hour writes to 5-minute ones. */
	rates_are(&p2->base, 2 * M, 10 * M, 2 * M, 2 * M, 2 * M, "claude-x 2025 (defaults)");
	check_int_eq(p2->above_tokens, 0, "claude-x 2025 has no long-context tier");
	const struct price_period *g = price_at(price_find(&t, "gpt-y", 5), day("2025-01-01"));
	if (g)
		rates_are(&g->above, 2500000, 10 * M, 1250000, 1250000, 1250000,
			  "gpt-y above 272k (missing rates from the base)");

	cost_is(p1, (struct tokens){1000, 500, 10000, 2000, 100}, 21600000000LL, "a small request");
	cost_is(p1, (struct tokens){0}, 0, "no tokens");
	/* 150000 + 40000 + 10000 = 200000 input tokens: not above the threshold. */
	cost_is(p1, (struct tokens){150000, 1000, 40000, 10000, 0}, 514500000000LL,
		"input + cache exactly at above_tokens (base rates)");
	/* One more token and every token is charged the higher rate. */
	cost_is(p1, (struct tokens){150001, 1000, 40000, 10000, 0}, 1021506000000LL,
		"one token over above_tokens (all at the higher rate)");
	cost_is(p1, (struct tokens){199999, 0, 0, 0, 2}, 199999 * 6 * M + 2 * 12 * M,
		"1-hour cache writes count toward the threshold");
	cost_is(p1, (struct tokens){100000, 1000000, 0, 0, 0}, 100000 * 3 * M + 1000000 * 15 * M,
		"output tokens do not count toward the threshold");
	cost_is(p2, (struct tokens){300000, 0, 0, 0, 0}, 300000 * 2 * M, "no tier: a large request at the base rate");
	prices_free(&t);
}

static void
bad_file(const char *text, const char *want_pos, const char *want_msg, const char *todo)
{
	struct price_table t = {0};
	char msg[4096];
	const char *path = temp_file(text, ".yaml");
	bool ok = load_quietly(&t, path, msg, sizeof msg);
	char where[4200];
	snprintf(where, sizeof where, "%s:%s: ", path, want_pos);
	bool has_msg = strstr(msg, want_msg) != NULL;
	check(!ok && has_msg, "an invalid file fails: %s", want_msg);
	if (!tap_result(strstr(msg, where) != NULL, todo, "and the message names the place, file:%s", want_pos))
		tap_diag("  stderr: %s", msg);
	prices_free(&t);
}

static void
test_bad_files(void)
{
	static const char head[] = "version: 1\nmodels:\n  m:\n    prices:\n      - from: 2024-01-01\n";
	char text[1024];
	snprintf(text, sizeof text, "%s        input: abc\n        output: 15\n", head);
	bad_file(text, "6:16", "'input' must be a number of USD per million tokens", NULL);
	snprintf(text, sizeof text, "%s        input: \"3\"\n        output: 15\n", head);
	bad_file(text, "6:16", "'input' must be a number", NULL);
	snprintf(text, sizeof text, "%s        input: -3\n        output: 15\n", head);
	bad_file(text, "6:16", "'input' must be a number", NULL);
	snprintf(text, sizeof text, "%s        input: 3\n", head);
	bad_file(text, "5:9", "a price needs 'output'", NULL);
	snprintf(text, sizeof text, "%s        input: 3\n        output: 15\n        bogus: 1\n", head);
	bad_file(text, "8:9", "unknown key 'bogus'", NULL);
	bad_file("version: 1\nmodels:\n  m:\n    prices:\n      - from: 2024-13-01\n        input: 3\n        output: 15\n",
		 "5:15", "'from' must be a date", NULL);
	snprintf(text, sizeof text, "%s        input: 3\n        output: 15\n        above_tokens: 0\n"
		 "        above: {input: 6}\n", head);
	bad_file(text, "8:23", "'above_tokens' must be a positive whole number", NULL);
	bad_file("version: 1\nmodels: [a, b]\n", "2:9", "a price file needs a 'models' mapping", NULL);
	bad_file("version: 1\nmodels:\n  m: {prices: []}\n", "3:15", "model 'm' needs a 'prices' list", NULL);
	bad_file("models:\n  m: {prices: [\n", "3:1", "did not find expected node content", NULL);
	bad_file("models: {}\n---\nmodels: {}\n", "2:1", "more than one YAML document", NULL);

	struct price_table t = {0};
	char msg[1024];
	check(!load_quietly(&t, "/nonexistent/prices.yaml", msg, sizeof msg) && strstr(msg, "cannot read"),
	      "a missing file fails with a message");
	prices_free(&t);
}

static void
test_litellm(void)
{
	struct price_table t = {0};
	char msg[4096];
	const char *path = temp_file(litellm_json, ".json");
	if (!check(load_quietly(&t, path, msg, sizeof msg), "prices_load reads a LiteLLM JSON file")) {
		tap_diag("  %s", msg);
		return;
	}
	check_int_eq(t.nmodels, 1, "only token-priced models are kept");
	finds(&t, "dall-e-3", NULL);
	const struct model_price *m = price_find(&t, "claude-x", 8);
	const struct price_period *p = m ? price_at(m, day("2026-01-01")) : NULL;
	if (!check(p != NULL, "claude-x is priced"))
		return;
	check(m->provider && strcmp(m->provider, "anthropic") == 0, "the provider comes from litellm_provider");
	rates_are(&p->base, 3 * M, 15 * M, 300000, 3750000, 3750000, "LiteLLM claude-x");
	check_int_eq(p->above_tokens, 200000, "LiteLLM's _above_200k_tokens rates give a 200k tier");
	rates_are(&p->above, 6 * M, 15 * M, 300000, 3750000, 3750000, "LiteLLM claude-x above 200k");
	check(price_at(m, day("1990-01-01")) == p, "a LiteLLM price holds at any date");

	/* A later file replaces a model's entries. */
	const char *ypath = temp_file(prices_yaml, ".yaml");
	check(load_quietly(&t, ypath, msg, sizeof msg), "a prices.yaml loads over it");
	m = price_find(&t, "claude-x", 8);
	check(m && m->nperiods == 2 && m->periods[0].base.cache_write_1h == 6 * M,
	      "and its claude-x replaces LiteLLM's");
	prices_free(&t);

	check(!load_quietly(&t, temp_file("{\"a\": [1,}\n", ".json"), msg, sizeof msg) && strstr(msg, ":1:"),
	      "invalid JSON fails with a line number");
	prices_free(&t);
}

/* The table the project ships must load without a word. */
static void
test_shipped_table(void)
{
	const char *share = getenv("AGENTPIPE_SHARE");
	char path[4096];
	snprintf(path, sizeof path, "%s/prices.yaml", share && *share ? share : "share/agentpipe");
	if (access(path, R_OK) != 0) {
		skip("no share/agentpipe/prices.yaml here");
		return;
	}
	struct price_table t = {0};
	char msg[4096];
	bool ok = load_quietly(&t, path, msg, sizeof msg);
	if (!check(ok && msg[0] == '\0', "the shipped prices.yaml loads cleanly"))
		tap_diag("  %s", msg);
	bool all = t.nmodels > 0;
	for (size_t i = 0; i < t.nmodels; i++) {
		const struct model_price *m = &t.models[i];
		if (m->nperiods == 0 || price_find(&t, m->name, strlen(m->name)) != m) {
			tap_diag("  model %s: %zu entries", m->name, m->nperiods);
			all = false;
		}
		for (size_t k = 0; k < m->nperiods; k++)
			all &= m->periods[k].base.input > 0 && m->periods[k].base.output > 0;
	}
	check(all, "each of its %zu models has priced entries and is found by name", t.nmodels);
	prices_free(&t);
}

int
main(void)
{
	test_yaml_table();
	test_shipped_table();
	test_bad_files();
	test_litellm();
	remove_temp_files();
	return done();
}
