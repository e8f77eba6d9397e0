/* budgetgate: soft and hard budgets over what the agents spent, and a gate
 * for CI by exit code: 0 within every limit, 1 a soft limit reached, 2 a
 * hard one; 64 and above when it could not do the job. */
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

struct options {
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
	struct usage_opts uo;
};

#define BUDGETS_MAX_BYTES (4u << 20)

static void
usage(int code)
{
	FILE *f = code ? stderr : stdout;
	fprintf(f,
		"usage: budgetgate -b BUDGETS [--profile NAME] [--db FILE | [--claude] [FILE|DIR|-]...]\n"
		"                  [--from calls|claude] [--now TIME] [--timezone ZONE] [--lenient]\n"
		"                  [--format json|table|github|markdown | --table]\n"
		"  -b, --budgets FILE  the budgets (agentpipe's budgets file or the origin's policies.yaml)\n"
		"  --profile NAME      the profile of a policies.yaml (default: default)\n"
		"  --db FILE           the telemetry store (the default without inputs)\n"
		"  --now TIME          judge as at this RFC 3339 time\n"
		"Exit: 0 ok, 1 a soft limit reached, 2 a hard limit reached, 64 and above: an error.\n"
		"See budgetgate(1).\n");
	exit(code);
}

/* Name unpriced models, in name order so that runs compare. */
static int
cmp_slot(const void *a, const void *b)
{
	const struct strmap_slot *x = *(const struct strmap_slot *const *)a, *y = *(const struct strmap_slot *const *)b;
	return strcmp(x->key, y->key);
}

/* Spend the gate could not read: named on stderr; true when there was any. */
static bool
report_unreadable(const struct spend *s, bool lenient)
{
	const char *then = lenient ? "counted as $0 (--lenient)" : "the gate cannot judge it";
	const struct strmap_slot **v = xcalloc(s->unpriced.count + 1, sizeof *v);
	size_t n = 0;
	strmap_foreach(&s->unpriced, slot) v[n++] = slot;
	qsort(v, n, sizeof *v, cmp_slot);
	for (size_t i = 0; i < n; i++) {
		char name[128];
		snprintf(name, sizeof name, "%.*s", (int)(v[i]->len > 100 ? 100 : v[i]->len), v[i]->key);
		strip_controls(name);
		long calls = (long)(intptr_t)v[i]->value;
		warnx("no price for model '%s' (%ld call%s in a budget): %s", name, calls, calls == 1 ? "" : "s", then);
	}
	free(v);
	if (s->undated)
		warnx("%lld call%s without a time: no window can hold %s (%s)", (long long)s->undated,
		      s->undated == 1 ? "" : "s", s->undated == 1 ? "it" : "them",
		      lenient ? "left out" : s->undated == 1 ? "the gate cannot judge it" : "the gate cannot judge them");
	if (s->bad_lines)
		warnx("%llu bad line%s skipped: %s", (unsigned long long)s->bad_lines, s->bad_lines == 1 ? "" : "s",
		      lenient ? "--lenient" : "the gate cannot judge what they spent");
	return n || s->undated || s->bad_lines;
}

static int
budgetgate(struct options *o)
{
	size_t len;
	char *text = read_file(o->budgets_path, BUDGETS_MAX_BYTES, &len);
	if (!text) {
		warnx("%s: cannot read the budgets: %s", o->budgets_path,
		      errno == EFBIG ? "larger than 4 MiB" : strerror(errno));
		return EXIT_CONFIG;
	}
	struct budgets b;
	struct budgets_error err;
	bool ok = budgets_parse(text, len, &o->bo, &b, &err);
	free(text);
	if (!ok) {
		warnat(o->budgets_path, err.line, err.col, "%s", err.message);
		return EXIT_CONFIG;
	}
	int64_t now = o->has_now ? o->now : time_now_ms();
	budgets_windows(&b, now);

	struct price_table prices = {0};
	if (!prices_load(&prices, share_path("prices.yaml"))) {
		prices_free(&prices);
		budgets_free(&b);
		return EXIT_CONFIG;
	}
	o->uo.prices = &prices;
	struct spend s;
	spend_init(&s, &b);
	int read_status;
	if (o->db || (o->npaths == 0 && !o->claude))
		read_status = spend_from_store(&s, o->db ? o->db : store_default_path(), &prices);
	else
		read_status = spend_from_inputs(&s, &o->uo, o->paths, o->npaths, o->claude);

	/* Spend that could not be read gets no verdict at all: rows from what
	 * was read would understate it. */
	int status = read_status;
	if (!read_status) {
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

int
main(int argc, char **argv)
{
	setprogname(argv[0]);
	struct options o = {.format = OUT_JSON, .uo = {.from = FROM_AUTO, .mode = COST_AUTO, .dedup_ids = true}};
	const char *now = NULL;
	enum { OPT_PROFILE = 256, OPT_DB, OPT_CLAUDE, OPT_FROM, OPT_NOW, OPT_TZ, OPT_LENIENT, OPT_TABLE, OPT_FORMAT,
	       OPT_THREADS, OPT_VERSION };
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
		case OPT_TABLE: o.format = OUT_TABLE; break;
		case OPT_FORMAT:
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
		case OPT_THREADS: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 64)
				die(EXIT_USAGE, "--threads takes a number from 1 to 64, not '%s'", optarg);
			o.uo.threads = (int)v;
			break;
		}
		case 'h': usage(EXIT_OK); break;
		case OPT_VERSION: printf("budgetgate %s\n", AGENTPIPE_VERSION); return EXIT_OK;
		default: usage(EXIT_USAGE);
		}
	}
	o.paths = argv + optind;
	o.npaths = argc - optind;
	if (!o.budgets_path)
		die(EXIT_USAGE, "-b BUDGETS is required: the budgets file (see agentpipe-budgets(5))");
	if (o.db && (o.npaths > 0 || o.claude))
		die(EXIT_USAGE, "--db reads the store alone: give either --db or files and --claude");
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
	out_close();
	return status;
}
