/* costsum: what did the agents cost? Sums tokens and dollars from call
 * records, Claude Code logs and the telemetry store, grouped as asked. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonout.h"
#include "prices.h"
#include "store.h"
#include "strmap.h"
#include "timeutil.h"
#include "usage.h"
#include "util.h"

#include "costsum.h"

static void
usage(int code)
{
	FILE *f = code ? stderr : stdout;
	fprintf(f,
		"usage: costsum [--by LIST] [--since T] [--until T] [--timezone TZ] [--dedup]\n"
		"               [--from calls|claude] [--mode auto|calculate|display] [--prices FILE]...\n"
		"               [--format json|table|markdown | --table] [--no-total] [--strict]\n"
		"               [--claude] [--db FILE] [--record] [--follow [--calls] [--interval DUR]]\n"
		"               [FILE|DIR|-]...\n"
		"  --by LIST    group by any of: hour day week month year block session project\n"
		"               agent tool model task_id status id, or any other call field\n"
		"  --claude     read Claude Code's logs in their default places\n"
		"  --db FILE    read the telemetry store (or record into it with --record)\n"
		"See costsum(1).\n");
	exit(code);
}

static bool
parse_format(const char *s, enum out_format *f)
{
	if (strcmp(s, "json") == 0)
		*f = OUT_JSON;
	else if (strcmp(s, "table") == 0)
		*f = OUT_TABLE;
	else if (strcmp(s, "markdown") == 0 || strcmp(s, "github") == 0)
		*f = OUT_MARKDOWN;
	else
		return false;
	return true;
}

/* --since/--until: a date means the whole day in the zone; a time is exact.
 * until is inclusive, so a date's end is the next day's start. */
static bool
parse_bound(const char *s, struct tz *z, bool upper, int64_t *out)
{
	size_t n = strlen(s);
	char tmp[16];
	if (n == 8 && strspn(s, "0123456789") == 8) { /* 20261101 */
		snprintf(tmp, sizeof tmp, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
		s = tmp;
		n = 10;
	}
	int64_t ms;
	if (n == 10) {
		if (!time_parse(s, n, true, &ms))
			return false;
		int64_t days = ms / MS_PER_DAY;
		*out = tz_local_to_utc(z, upper ? days + 1 : days, 0);
		return true;
	}
	if (!time_parse(s, n, false, &ms))
		return false;
	/* A time without Z or an offset is a wall time in the zone. */
	const char *t = s + 11;
	if (s[n - 1] != 'Z' && s[n - 1] != 'z' && !strchr(t, '+') && !strchr(t, '-')) {
		int64_t days = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
		int64_t within = ms - days * MS_PER_DAY;
		ms = tz_local_to_utc(z, days, (unsigned)(within / MS_PER_HOUR)) + within % MS_PER_HOUR;
	}
	*out = upper ? ms + 1 : ms;
	return true;
}

int
main(int argc, char **argv)
{
	setprogname(argv[0]);
	struct costsum o = {.format = OUT_JSON, .total = true};
	const char *tzname = "UTC", *by = NULL, *since = NULL, *until = NULL, *db = NULL;
	const char *prices_files[16];
	size_t nprices = 0;
	struct usage_opts uo = {.from = FROM_AUTO, .mode = COST_AUTO};
	bool claude = false;
	int64_t interval = 1000;
	enum { OPT_SINCE = 256, OPT_UNTIL, OPT_TZ, OPT_DEDUP, OPT_FROM, OPT_MODE, OPT_PRICES, OPT_FORMAT,
	       OPT_TABLE, OPT_NO_TOTAL, OPT_STRICT, OPT_CLAUDE, OPT_DB, OPT_RECORD, OPT_FOLLOW, OPT_CALLS,
	       OPT_INTERVAL, OPT_THREADS, OPT_VERSION };
	static const struct option longopts[] = {
		{"by", required_argument, NULL, 'b'},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"timezone", required_argument, NULL, OPT_TZ},
		{"dedup", no_argument, NULL, OPT_DEDUP},
		{"from", required_argument, NULL, OPT_FROM},
		{"mode", required_argument, NULL, OPT_MODE},
		{"prices", required_argument, NULL, OPT_PRICES},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"table", no_argument, NULL, OPT_TABLE},
		{"no-total", no_argument, NULL, OPT_NO_TOTAL},
		{"strict", no_argument, NULL, OPT_STRICT},
		{"claude", no_argument, NULL, OPT_CLAUDE},
		{"db", required_argument, NULL, OPT_DB},
		{"record", no_argument, NULL, OPT_RECORD},
		{"follow", no_argument, NULL, OPT_FOLLOW},
		{"calls", no_argument, NULL, OPT_CALLS},
		{"interval", required_argument, NULL, OPT_INTERVAL},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b': by = optarg; break;
		case OPT_SINCE: since = optarg; break;
		case OPT_UNTIL: until = optarg; break;
		case OPT_TZ: tzname = optarg; break;
		case OPT_DEDUP: uo.dedup_ids = true; break;
		case OPT_FROM:
			if (strcmp(optarg, "calls") == 0)
				uo.from = FROM_CALLS;
			else if (strcmp(optarg, "claude") == 0)
				uo.from = FROM_CLAUDE;
			else
				die(EXIT_USAGE, "--from takes calls or claude, not '%s'", optarg);
			break;
		case OPT_MODE:
			if (strcmp(optarg, "auto") == 0)
				uo.mode = COST_AUTO;
			else if (strcmp(optarg, "calculate") == 0)
				uo.mode = COST_CALCULATE;
			else if (strcmp(optarg, "display") == 0)
				uo.mode = COST_DISPLAY;
			else
				die(EXIT_USAGE, "--mode takes auto, calculate or display, not '%s'", optarg);
			break;
		case OPT_PRICES:
			if (nprices == sizeof prices_files / sizeof prices_files[0])
				die(EXIT_USAGE, "too many --prices files");
			prices_files[nprices++] = optarg;
			break;
		case OPT_FORMAT:
			if (!parse_format(optarg, &o.format))
				die(EXIT_USAGE, "--format takes json, table or markdown, not '%s'", optarg);
			break;
		case OPT_TABLE: o.format = OUT_TABLE; break;
		case OPT_NO_TOTAL: o.total = false; break;
		case OPT_STRICT: uo.strict = true; break;
		case OPT_CLAUDE: claude = true; break;
		case OPT_DB: db = optarg; break;
		case OPT_RECORD: o.record = true; break;
		case OPT_FOLLOW: o.follow = true; break;
		case OPT_CALLS: o.calls = true; break;
		case OPT_INTERVAL:
			if (!duration_parse(optarg, &interval) || interval <= 0)
				die(EXIT_USAGE, "--interval takes a duration such as 500ms or 2s, not '%s'", optarg);
			break;
		case OPT_THREADS:
			uo.threads = threads_arg(optarg);
			break;
		case 'h': usage(EXIT_OK); break;
		case OPT_VERSION: printf("costsum %s\n", AGENTPIPE_VERSION); return EXIT_OK;
		default: usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	char err[512];
	o.tz = tz_open(tzname, err, sizeof err);
	if (!o.tz)
		die(EXIT_USAGE, "--timezone: %s", err);
	if (by && !dims_parse(&o, by, err, sizeof err))
		die(EXIT_USAGE, "--by: %s", err);
	if (since && !parse_bound(since, o.tz, false, &o.since_ms))
		die(EXIT_USAGE, "--since takes a date (2026-11-01) or an RFC 3339 time, not '%s'", since);
	if (until && !parse_bound(until, o.tz, true, &o.until_ms))
		die(EXIT_USAGE, "--until takes a date (2026-11-30) or an RFC 3339 time, not '%s'", until);
	o.has_since = since != NULL;
	o.has_until = until != NULL;
	if (o.has_since && o.has_until && o.until_ms <= o.since_ms)
		die(EXIT_USAGE, "--until is before --since");
	if (o.calls && o.record)
		die(EXIT_USAGE, "--calls and --record do not go together");
	if (o.record && (by || o.format != OUT_JSON))
		die(EXIT_USAGE, "--record writes calls into the store: ask for sums in a second run");
	if (db && !o.record && (argc > 0 || claude))
		die(EXIT_USAGE, "--db reads the store alone: record files into it with --record");
	if (o.record && argc == 0 && !claude && isatty(STDIN_FILENO))
		die(EXIT_USAGE, "--record reads call records from files or standard input");

	/* Prices: the shipped table, then each --prices file over it. */
	bool prices_ok = prices_load(&o.prices, share_path("prices.yaml"));
	for (size_t i = 0; prices_ok && i < nprices; i++)
		prices_ok = prices_load(&o.prices, prices_files[i]);
	if (!prices_ok) {
		prices_free(&o.prices);
		tz_close(o.tz);
		dims_free(&o);
		return EXIT_CONFIG;
	}

	/* Where the calls come from: the store alone, or files, stdin and logs
	 * (recorded into the store with --record). */
	bool from_store = db && !o.record;
	if (!from_store && !o.record && argc == 0 && !claude && isatty(STDIN_FILENO)) {
		/* Nothing named and nothing piped in: the default store. */
		db = store_default_path();
		from_store = true;
	}
	if (o.record && !db)
		db = store_default_path();
	o.db_path = db;
	uo.prices = &o.prices;
	uo.follow = o.follow && !from_store;
	uo.keep_running = o.calls;
	uo.progress = isatty_stderr() && !o.follow && getenv("AGENTPIPE_NO_PROGRESS") == NULL;
	uo.extra_names = (const char *const *)o.extra_names;
	uo.nextra = o.nextra;

	int status;
	if (from_store)
		status = costsum_from_store(&o, interval);
	else
		status = costsum_from_inputs(&o, &uo, argv, argc, claude);
	tz_close(o.tz);
	prices_free(&o.prices);
	dims_free(&o);
	out_close();
	return status;
}
