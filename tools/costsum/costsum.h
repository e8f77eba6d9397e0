/* costsum.h: what costsum's parts share. */
#ifndef COSTSUM_H
#define COSTSUM_H

#include <stdbool.h>
#include <stdint.h>

#include "jscan.h"
#include "prices.h"
#include "records.h"
#include "strmap.h"
#include "timeutil.h"
#include "usage.h"

enum out_format { OUT_JSON, OUT_TABLE, OUT_MARKDOWN };

enum dim_kind { D_PERIOD, D_BLOCK, D_AGENT, D_TOOL, D_MODEL, D_TASK, D_STATUS, D_SESSION, D_PROJECT, D_ID, D_EXTRA };

struct dim {
	enum dim_kind kind;
	enum period_unit unit; /* D_PERIOD */
	const char *name;      /* the row's field name */
	int extra;             /* D_EXTRA: index into extra_names */
};

#define MAX_DIMS 8
#define BLOCK_MS (5 * MS_PER_HOUR)

struct costsum {
	enum out_format format;
	bool total, record, follow, calls;
	struct tz *tz;
	struct dim dims[MAX_DIMS];
	size_t ndims;
	bool has_block, has_time;
	char *extra_names[JSCAN_MAX_EXTRA];
	size_t nextra;
	bool has_since, has_until;
	int64_t since_ms, until_ms; /* until exclusive */
	struct price_table prices;
	const char *db_path;
};

/* One group's sums. */
struct acc {
	int64_t calls, unpriced;
	struct tokens tk;
	money_t cost;
	int64_t first_ts, last_ts;
	bool dirty; /* changed since last printed (following) */
};

/* A call kept for 5-hour blocks, which need every call in time order. */
struct bentry {
	int64_t ts;
	const char *key; /* the other dimensions, encoded; interned */
	size_t keylen;
	int64_t ncalls, unpriced;
	struct tokens tk;
	money_t cost;
};

struct groups {
	const struct costsum *o;
	struct strmap map;     /* encoded key -> struct acc * */
	struct arena mem;
	struct acc total;
	struct strmap unpriced; /* model -> count */
	struct strmap keys;     /* interned keys of block entries */
	struct bentry *be;
	size_t nbe, cap;
	bool blocks_dirty;
	bool unsplit; /* answered from the origin's daily_costs: no token breakdown */
	/* The last period of each time dimension: input comes mostly in time
	 * order, and finding a period in a zone asks the C library several times. */
	int64_t period_start[MAX_DIMS], period_end[MAX_DIMS];
	struct buf key;
};

bool dims_parse(struct costsum *o, const char *list, char *err, size_t errlen);
void dims_free(struct costsum *o);

void groups_init(struct groups *g, const struct costsum *o);
void groups_free(struct groups *g);
/* Add ncalls calls (a rollup cell may hold many) with sign +1 or -1. */
void groups_add(struct groups *g, const struct call *c, int64_t ncalls, int sign, const struct jfacts *facts);
void groups_merge(struct groups *into, struct groups *from);
/* Count an unpriced call that is passed on rather than summed (--calls). */
void groups_note_unpriced(struct groups *g, const struct call *c);
/* Print the rows (only those changed since the last call, when following)
 * and the total. */
void groups_print(struct groups *g, bool only_dirty);
/* Name unpriced models on stderr. */
void groups_report_unpriced(const struct groups *g);
bool in_range(const struct costsum *o, const struct call *c);

int costsum_from_store(struct costsum *o, int64_t interval_ms);
int costsum_from_inputs(struct costsum *o, struct usage_opts *uo, char **paths, int npaths, bool claude);

#endif
