/* store.h: the SQLite telemetry store, in the origin's schema. Readers open it
 * read-only and change nothing; only recording writes, adding agentpipe's
 * columns and tables beside the origin's and never altering those. */
#ifndef AGENTPIPE_STORE_H
#define AGENTPIPE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "prices.h"
#include "records.h"

struct store;

/* The default path: $AGENTPIPE_DB, else ~/.llm-service/telemetry.db. */
const char *store_default_path(void);

/* Open for reading (the file must exist and be a store) or for recording
 * (created with the origin's schema when absent, then migrated). On failure
 * NULL, with a message in err. */
struct store *store_open(const char *path, bool write, char *err, size_t errlen);
void store_close(struct store *s);
/* The table that prices stored calls that have tokens but no known cost. */
void store_set_prices(struct store *s, const struct price_table *t);
const char *store_errmsg(struct store *s);

/* What a read asks for. Times are instants; until is exclusive. */
struct store_query {
	bool has_since, has_until;
	int64_t since_ms, until_ms;
	int64_t after_id;      /* only rows with a larger id (following) */
	bool rollup_ok;        /* hour-sized buckets suffice: the rollup may answer */
	bool daily_ok;         /* UTC days suffice and the task is not asked for */
	bool by_status;        /* the status is asked for: the origin's daily_costs lacks it */
	bool undated;          /* only the rows without a time (no rollup, no range) */
	bool exact;            /* a gate: not the origin's daily_costs, whose sums are floats and
				* which can hide unpriced calls and calls without a time */
};

/* One row, or a rollup cell of ncalls calls whose ts is its hour. */
typedef void (*store_row_fn)(void *ctx, const struct call *c, int64_t ncalls);

/* Calls rows back for every call in range; *max_id is the largest id seen.
 * *used_rollup tells whether the rollup answered. Returns false on an SQLite
 * error (store_errmsg). */
bool store_scan(struct store *s, const struct store_query *q, store_row_fn fn, void *ctx, int64_t *max_id,
		bool *used_rollup);

/* Every call ever stored, by agent, tool, model and status, from the total
 * rollup and the rows after it: cells whose time is the group's first UTC
 * day, and cells without a time for calls without one. *answered is false,
 * and nothing is read, when the store has no total that agrees with its
 * rows. Returns false on an SQLite error. */
bool store_scan_total(struct store *s, store_row_fn fn, void *ctx, bool *answered);

/* Scans between these see one state of the store, and the rollup's
 * soundness is judged once (after store_set_prices). */
bool store_read_begin(struct store *s);
void store_read_end(struct store *s);
/* Did the last scan fail on a rollup cell too large to be exact (past 64
 * bits of pico-dollars)? Then store_rows_only makes the rest of the read
 * session read the rows. */
bool store_overflowed(const struct store *s);
void store_rows_only(struct store *s);

/* Recording: calls are written in short transactions (store_record_flush
 * commits); a call whose id is stored already changes nothing. */
enum record_result { REC_INSERTED, REC_DUPLICATE, REC_ERROR };
enum record_result store_record(struct store *s, const struct call *c, struct str id);
bool store_record_flush(struct store *s);
/* The number of calls in the open transaction. */
size_t store_pending(const struct store *s);

#endif
