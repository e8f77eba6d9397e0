/* budgetgate: soft and hard budgets over what the agents spent, and a gate
 * for CI by exit code: 0 within every limit, 1 a soft limit reached, 2 a
 * hard one; 64 and above when it could not do the job. --annotate and
 * --enforce take request records through instead; --watch checks again
 * and again. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetgate.h"
#include "prices.h"
#include "store.h"
#include "util.h"
#include "yamlload.h"

enum mode { MODE_CHECK, MODE_ANNOTATE, MODE_ENFORCE, MODE_WATCH };

struct options {
	enum mode mode;
	const char *budgets_path;
	struct budgets_opts bo;
	const char *db;         /* the store; NULL: inputs, or the default store */
	char **paths;
	int npaths;
	bool claude;
	bool lenient;           /* unreadable spend is reported, not fatal */
	bool has_now;
	int64_t now;
	enum out_format format;
	bool has_format;
	struct usage_opts uo;
	char **spend;           /* --spend: annotate and enforce read the spend here */
	int nspend;
	int64_t interval_ms;    /* --watch */
};

#define BUDGETS_MAX_BYTES (4u << 20)

static void
usage(int code)
{
	FILE *f = code ? stderr : stdout;
	fprintf(f,
		"usage: budgetgate -b BUDGETS [--profile NAME] [--db FILE | [--claude] [FILE|DIR|-]...]\n"
		"                  [--from calls|claude] [--now TIME] [--timezone ZONE] [--lenient]\n"
		"                  [--format json|table|github|markdown | --table] [--watch DURATION]\n"
		"       budgetgate -b BUDGETS --annotate|--enforce [--db FILE | [--claude] [--spend PATH]...]\n"
		"                  [--now TIME] [--lenient] [REQUESTS|-]...\n"
		"  -b, --budgets FILE  the budgets (agentpipe's budgets file or the origin's policies.yaml)\n"
		"  --profile NAME      the profile of a policies.yaml (default: default)\n"
		"  --db FILE           the telemetry store (the default without inputs)\n"
		"  --now TIME          judge as at this RFC 3339 time\n"
		"  --annotate          add the tightest budget's state to each request record\n"
		"  --enforce           deny requests that would cross a hard limit\n"
		"  --spend PATH        with --annotate or --enforce: call records or logs to read the spend from\n"
		"  --watch DURATION    check every DURATION and write the rows that change\n"
		"Exit: 0 ok, 1 a soft limit reached, 2 a hard limit reached or a request denied,\n"
		"64 and above: an error.\n"
		"See budgetgate(1).\n");
	exit(code);
}

static int
load_budgets(struct options *o, struct budgets *b)
{
	size_t len;
	char *text = read_file(o->budgets_path, BUDGETS_MAX_BYTES, &len);
	if (!text) {
		warnx("%s: cannot read the budgets: %s", o->budgets_path,
		      errno == EFBIG ? "larger than 4 MiB" : strerror(errno));
		return EXIT_CONFIG;
	}
	struct budgets_error err;
	bool ok = budgets_parse(text, len, &o->bo, b, &err);
	free(text);
	if (!ok) {
		warnat(o->budgets_path, err.line, err.col, "%s", err.message);
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

static int
budgetgate(struct options *o)
{
	struct budgets b;
	int status = load_budgets(o, &b);
	if (status)
		return status;
	struct price_table prices = {0};
	if (!prices_load(&prices, share_path("prices.yaml"))) {
		prices_free(&prices);
		budgets_free(&b);
		return EXIT_CONFIG;
	}
	o->uo.prices = &prices;
	bool streaming = o->mode == MODE_ANNOTATE || o->mode == MODE_ENFORCE;
	struct spend_source src = {.uo = &o->uo};
	if (streaming) {
		src.paths = o->spend;
		src.npaths = o->nspend;
		src.claude = o->claude;
	} else {
		src.paths = o->paths;
		src.npaths = o->npaths;
		src.claude = o->claude;
	}
	if (o->db || (src.npaths == 0 && !src.claude))
		src.db = o->db ? o->db : store_default_path();

	if (o->mode == MODE_WATCH) {
		struct watch_opts wo = {.interval_ms = o->interval_ms, .has_now = o->has_now, .now = o->now,
					.lenient = o->lenient, .src = &src, .prices = &prices};
		status = watch_budgets(&b, &wo);
		prices_free(&prices);
		budgets_free(&b);
		return status;
	}

	int64_t now = o->has_now ? o->now : time_now_ms();
	budgets_windows(&b, now);
	struct spend s;
	spend_init(&s, &b);
	int read_status = spend_read(&s, &src, &prices);

	/* Spend that could not be read gets no verdict at all: rows from what
	 * was read would understate it. */
	status = read_status;
	if (!read_status && streaming) {
		/* Nor does a request: the state it would be judged on is short. */
		if (report_unreadable(&s, o->lenient) && !o->lenient)
			status = EXIT_DATAERR;
		else {
			struct stream_opts so = {.mode = o->mode == MODE_ANNOTATE ? STREAM_ANNOTATE : STREAM_ENFORCE,
						 .paths = o->paths, .npaths = o->npaths, .lenient = o->lenient,
						 .now = now, .prices = &prices};
			status = stream_requests(&b, &s, &so);
		}
	} else if (!read_status) {
		status = report(&b, &s, now, o->format);
		bool unreadable = report_unreadable(&s, o->lenient);
		if (status < 64 && unreadable && !o->lenient)
			status = EXIT_DATAERR;
	}
	spend_free(&s);
	prices_free(&prices);
	budgets_free(&b);
	return status;
}

static void
set_mode(struct options *o, enum mode m, const char *flag)
{
	if (o->mode != MODE_CHECK && o->mode != m)
		die(EXIT_USAGE, "%s cannot be given with another of --annotate, --enforce and --watch", flag);
	o->mode = m;
}

int
main(int argc, char **argv)
{
	setprogname(argv[0]);
	struct options o = {.format = OUT_JSON, .uo = {.from = FROM_AUTO, .mode = COST_AUTO, .dedup_ids = true}};
	const char *now = NULL;
	enum { OPT_PROFILE = 256, OPT_DB, OPT_CLAUDE, OPT_FROM, OPT_NOW, OPT_TZ, OPT_LENIENT, OPT_TABLE, OPT_FORMAT,
	       OPT_THREADS, OPT_VERSION, OPT_ANNOTATE, OPT_ENFORCE, OPT_WATCH, OPT_SPEND };
	static const struct option longopts[] = {
		{"budgets", required_argument, NULL, 'b'},
		{"profile", required_argument, NULL, OPT_PROFILE},
		{"db", required_argument, NULL, OPT_DB},
		{"claude", no_argument, NULL, OPT_CLAUDE},
		{"from", required_argument, NULL, OPT_FROM},
		{"now", required_argument, NULL, OPT_NOW},
		{"timezone", required_argument, NULL, OPT_TZ},
		{"lenient", no_argument, NULL, OPT_LENIENT},
		{"table", no_argument, NULL, OPT_TABLE},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"annotate", no_argument, NULL, OPT_ANNOTATE},
		{"enforce", no_argument, NULL, OPT_ENFORCE},
		{"watch", required_argument, NULL, OPT_WATCH},
		{"spend", required_argument, NULL, OPT_SPEND},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "b:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'b': o.budgets_path = optarg; break;
		case OPT_PROFILE: o.bo.profile = optarg; break;
		case OPT_DB: o.db = optarg; break;
		case OPT_CLAUDE: o.claude = true; break;
		case OPT_FROM:
			if (strcmp(optarg, "calls") == 0)
				o.uo.from = FROM_CALLS;
			else if (strcmp(optarg, "claude") == 0)
				o.uo.from = FROM_CLAUDE;
			else
				die(EXIT_USAGE, "--from takes calls or claude, not '%s'", optarg);
			break;
		case OPT_NOW: now = optarg; break;
		case OPT_TZ: o.bo.timezone = optarg; break;
		case OPT_LENIENT: o.lenient = true; break;
		case OPT_TABLE:
			o.format = OUT_TABLE;
			o.has_format = true;
			break;
		case OPT_ANNOTATE: set_mode(&o, MODE_ANNOTATE, "--annotate"); break;
		case OPT_ENFORCE: set_mode(&o, MODE_ENFORCE, "--enforce"); break;
		case OPT_WATCH:
			set_mode(&o, MODE_WATCH, "--watch");
			if (!duration_parse(optarg, &o.interval_ms) || o.interval_ms < 10 ||
			    o.interval_ms > 366 * MS_PER_DAY)
				die(EXIT_USAGE, "--watch takes a duration from 10ms to 366d such as 5s or 1m, not '%s'",
				    optarg);
			break;
		case OPT_SPEND:
			o.spend = xreallocarray(o.spend, (size_t)o.nspend + 1, sizeof *o.spend);
			o.spend[o.nspend++] = optarg;
			break;
		case OPT_FORMAT:
			o.has_format = true;
			if (strcmp(optarg, "json") == 0)
				o.format = OUT_JSON;
			else if (strcmp(optarg, "table") == 0)
				o.format = OUT_TABLE;
			else if (strcmp(optarg, "github") == 0)
				o.format = OUT_GITHUB;
			else if (strcmp(optarg, "markdown") == 0)
				o.format = OUT_MARKDOWN;
			else
				die(EXIT_USAGE, "--format takes json, table, github or markdown, not '%s'", optarg);
			break;
		case OPT_THREADS:
			o.uo.threads = threads_arg(optarg);
			break;
		case 'h': usage(EXIT_OK); break;
		case OPT_VERSION: printf("budgetgate %s\n", AGENTPIPE_VERSION); return EXIT_OK;
		default: usage(EXIT_USAGE);
		}
	}
	o.paths = argv + optind;
	o.npaths = argc - optind;
	if (!o.budgets_path)
		die(EXIT_USAGE, "-b BUDGETS is required: the budgets file (see agentpipe-budgets(5))");
	bool streaming = o.mode == MODE_ANNOTATE || o.mode == MODE_ENFORCE;
	if (o.nspend && !streaming)
		die(EXIT_USAGE, "--spend goes with --annotate or --enforce; a check reads the spend from its FILE arguments");
	if (streaming && o.db && (o.nspend > 0 || o.claude))
		die(EXIT_USAGE, "--db reads the store alone: give either --db or --spend and --claude");
	if (!streaming && o.db && (o.npaths > 0 || o.claude))
		die(EXIT_USAGE, "--db reads the store alone: give either --db or files and --claude");
	if (o.mode != MODE_CHECK && o.has_format && o.format != OUT_JSON)
		die(EXIT_USAGE, "%s writes records: --format json only",
		    streaming ? (o.mode == MODE_ANNOTATE ? "--annotate" : "--enforce") : "--watch");
	if (now && !time_parse(now, strlen(now), true, &o.now))
		die(EXIT_USAGE, "--now takes an RFC 3339 time such as 2026-11-03T12:00:00Z, not '%s'", now);
	o.has_now = now != NULL;
	if (o.bo.timezone) {
		char err[256];
		struct tz *z = tz_open(o.bo.timezone, err, sizeof err);
		if (!z)
			die(EXIT_USAGE, "--timezone: %s", err);
		tz_close(z);
	}
	int status = budgetgate(&o);
	free(o.spend);
	out_close();
	return status;
}
