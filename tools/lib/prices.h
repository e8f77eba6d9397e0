/* prices.h: the price table. Rates are integer pico-USD per token; each model
 * has dated entries so a call is priced as it was billed on its day. */
#ifndef AGENTPIPE_PRICES_H
#define AGENTPIPE_PRICES_H

#include <stdbool.h>
#include <stdint.h>

#include "money.h"
#include "strmap.h"

struct tokens {
	int64_t input;          /* not counting cache */
	int64_t output;
	int64_t cache_read;
	int64_t cache_write;    /* 5-minute cache writes */
	int64_t cache_write_1h; /* 1-hour cache writes */
};

struct rates {
	int64_t input, output, cache_read, cache_write, cache_write_1h;
};

struct price_period {
	int64_t from_ms;       /* holds from this instant (UTC midnight of from:) */
	struct rates base;
	int64_t above_tokens;  /* 0: no long-context tier */
	struct rates above;
};

struct model_price {
	const char *name;
	const char *provider;
	struct price_period *periods; /* sorted by from_ms */
	size_t nperiods;
};

struct price_table {
	struct model_price *models;
	size_t nmodels, cap;
	struct strmap names;    /* name or alias -> model index + 1 */
	struct strmap resolved; /* a name as seen in input -> model index + 1, or 0 when unpriced */
	struct strmap strings;  /* provider names */
};

/* prices_load: add a file's models to the table (later files win). The file is
 * agentpipe's prices.yaml or LiteLLM's model_prices_and_context_window.json,
 * told apart by content. Errors are printed as file:line:col and false is
 * returned (exit 78 is the caller's). */
bool prices_load(struct price_table *t, const char *path);
void prices_free(struct price_table *t);

/* The model a name in input refers to: the exact name, else without a
 * provider prefix ("anthropic/", "us.anthropic.") or a date or version suffix
 * ("-20250929", "@20250929", "-v1:0"). NULL when unpriced. Cached per name. */
const struct model_price *price_find(struct price_table *t, const char *name, size_t len);
/* The same with a cache of the caller's (one per thread). */
const struct model_price *price_find_in(const struct price_table *t, struct strmap *cache, const char *name,
					size_t len);
const struct price_period *price_at(const struct model_price *m, int64_t ts_ms);
/* The cost of one request's tokens. When the request's input (input plus
 * cache reads and writes) exceeds the long-context threshold, every token is
 * charged the higher rate, as the providers bill it. */
money_t price_cost(const struct price_period *p, const struct tokens *tk);

/* The path of a file under the share directory: $AGENTPIPE_SHARE, else
 * ../share/agentpipe beside the executable. The result is static storage. */
const char *share_path(const char *rel);

#endif
