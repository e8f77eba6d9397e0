/* records.h: one call, read from a call record or a Claude Code log line. */
#ifndef AGENTPIPE_RECORDS_H
#define AGENTPIPE_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "jscan.h"
#include "money.h"
#include "prices.h"
#include "util.h"

enum call_status { ST_NONE, ST_RUNNING, ST_SUCCESS, ST_ERROR, ST_TIMEOUT, ST_OTHER };

struct call {
	struct str id;       /* empty when the record has none */
	int64_t ts_ms;
	bool has_ts;
	struct str agent, tool, model, task_id, status_text, error;
	enum call_status status;
	struct tokens tk;
	bool has_cost;       /* the record carried its cost */
	money_t cost;
	bool unpriced;       /* no price was found for the model: cost is 0 */
	int64_t unpriced_calls; /* a rollup cell: how many of its calls had no price */
	bool unsplit;        /* from the origin's daily_costs: tk.input holds all tokens */
	bool has_latency;
	int64_t latency_ms;
	/* Claude Code logs */
	struct str session, project;
	bool sidechain;
	uint64_t dedup_key;  /* message id + request id; 0 when either is missing */
};

/* call_from_record: a call record (DESIGN's field names or the origin store's
 * aliases). Returns false with a reason for a field of the wrong type. */
bool call_from_record(const struct jfacts *f, struct call *c, char *why, size_t whylen);

enum claude_line { CLAUDE_SKIP, CLAUDE_USAGE, CLAUDE_BAD };
/* claude_from_line: an assistant line with its message's usage, or a line to
 * skip (user turns, summaries, tool results), or a malformed usage line. */
enum claude_line claude_from_line(const struct jfacts *f, struct call *c, char *why, size_t whylen);

/* Does this line look like a Claude Code log line rather than a call record? */
bool looks_like_claude(const struct jfacts *f);

int64_t tokens_total(const struct tokens *tk);

/* Price a call from the table unless it carries its cost (and use_carried):
 * sets cost, or unpriced when the model has no price. "<synthetic>", Claude
 * Code's placeholder, costs nothing. cache is the caller's lookup cache. */
void call_price(const struct price_table *t, struct strmap *cache, struct call *c, bool use_carried);

#endif
