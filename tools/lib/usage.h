/* usage.h: reading spend from call records and Claude Code logs, the same
 * way in every tool. Inputs are files, directories (searched for *.jsonl and
 * *.ndjson, symlinks not followed), standard input, or Claude Code's default
 * log directories. Each call reaches a sink priced; Claude Code's repeated
 * message lines are counted once. */
#ifndef AGENTPIPE_USAGE_H
#define AGENTPIPE_USAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "jscan.h"
#include "prices.h"
#include "records.h"

enum input_format { FROM_AUTO, FROM_CALLS, FROM_CLAUDE };
enum cost_mode { COST_AUTO, COST_CALCULATE, COST_DISPLAY };

struct usage_opts {
	enum input_format from;
	enum cost_mode mode;    /* for costUSD in Claude Code logs */
	bool dedup_ids;         /* drop call records whose id was seen */
	bool follow;            /* keep reading files as they grow */
	bool strict;            /* the first bad line ends the run (exit 65) */
	bool keep_running;      /* pass on "running" call records too */
	bool progress;          /* progress on stderr */
	int threads;            /* 0: one per core */
	const char *const *extra_names; /* further top-level fields to read */
	size_t nextra;
	const struct price_table *prices;
};

/* Where a call came from, for passing a record on with its unknown fields. */
struct call_src {
	const char *line; /* NULL for a Claude Code message counted at the end */
	size_t len;
	const char *file;
	long lineno;
	const struct jfacts *facts;
};

/* A call arrives with sign +1; in follow mode a Claude Code message that a
 * later, fuller copy replaces is first taken back with sign -1. The call's
 * cost is final; unpriced tells that no price was found. */
typedef void (*usage_fn)(void *sink, const struct call *c, int sign, const struct call_src *src);
/* Called in follow mode whenever all inputs would block. */
typedef void (*usage_idle_fn)(void *sink);

struct usage_stats {
	uint64_t files, lines, bytes, bad, calls, unreadable, duplicates;
};

struct usage_reader;

/* nsinks sinks, one per thread: the caller merges them after usage_run. */
struct usage_reader *usage_new(const struct usage_opts *o, usage_fn fn, void **sinks, int nsinks);
void usage_free(struct usage_reader *r);
/* How many threads will run (and so how many sinks are used). */
int usage_threads(const struct usage_reader *r);
/* A file, a directory, or "-" for standard input. False when it cannot be
 * read (reported; the run goes on and ends 66). */
bool usage_add_path(struct usage_reader *r, const char *path);
/* Claude Code's log directories: CLAUDE_CONFIG_DIR (a comma-separated list),
 * else $XDG_CONFIG_HOME/claude and ~/.claude. Returns how many exist. */
int usage_add_claude_defaults(struct usage_reader *r);
size_t usage_inputs(const struct usage_reader *r);
/* Read everything; returns an exit code (0, EXIT_DATAERR, EXIT_NOINPUT). In
 * follow mode it returns only on a signal or when every input is a pipe that
 * has ended. */
int usage_run(struct usage_reader *r, usage_idle_fn idle);
const struct usage_stats *usage_stats(const struct usage_reader *r);

#endif
