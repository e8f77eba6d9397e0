/* taskwatch: the task tree as a stream of task events. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "taskwatch.h"
#include "timeutil.h"

static _Noreturn void
usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: taskwatch [--once | --no-snapshot] [--settle DURATION] [--poll DURATION]\n"
		"                 [--max-size BYTES] [--threads N] DIR...\n");
	exit(code);
}

/* A duration with a unit, or a bare number in bare_unit_ms. */
static int64_t
duration_arg(const char *opt, const char *s, int64_t bare_unit_ms, int64_t min_ms, int64_t max_ms)
{
	int64_t ms;
	char *end;
	long long n = strtoll(s, &end, 10);
	if (*s && !*end && n >= 0 && n <= 1000000000LL / bare_unit_ms)
		ms = n * bare_unit_ms;
	else if (!duration_parse(s, &ms))
		die(EXIT_USAGE, "%s: not a duration: %s (e.g. 50ms, 2s)", opt, s);
	if (ms < min_ms)
		die(EXIT_USAGE, "%s: too short: %s", opt, s);
	if (ms > max_ms)
		die(EXIT_USAGE, "%s: too long: %s", opt, s);
	return ms;
}

int
main(int argc, char **argv)
{
	setprogname(argv[0]);
	argv[0] = (char *)progname; /* getopt's messages name the program as we do */
	struct options o = {.snapshot = true, .settle_ms = 20, .max_size = 1 << 20};
	enum { OPT_ONCE = 256, OPT_NO_SNAPSHOT, OPT_SETTLE, OPT_POLL, OPT_MAX_SIZE, OPT_THREADS, OPT_VERSION };
	static const struct option longopts[] = {
		{"once", no_argument, NULL, OPT_ONCE},
		{"no-snapshot", no_argument, NULL, OPT_NO_SNAPSHOT},
		{"settle", required_argument, NULL, OPT_SETTLE},
		{"poll", required_argument, NULL, OPT_POLL},
		{"max-size", required_argument, NULL, OPT_MAX_SIZE},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ONCE:
			o.once = true;
			break;
		case OPT_NO_SNAPSHOT:
			o.snapshot = false;
			break;
		case OPT_SETTLE:
			o.settle_ms = duration_arg("--settle", optarg, 1, 0, 60 * 1000);
			break;
		case OPT_POLL:
			o.poll_ms = duration_arg("--poll", optarg, 1000, 10, 24 * 3600 * 1000);
			break;
		case OPT_MAX_SIZE: {
			unsigned long long n = strtoull(optarg, &end, 10);
			if (!*optarg || *optarg == '-' || n == 0 || n > (1ULL << 30))
				die(EXIT_USAGE, "--max-size: not a size in bytes (1 to 1073741824): %s", optarg);
			if (*end == 'k' || *end == 'K')
				n <<= 10, end++;
			else if (*end == 'M')
				n <<= 20, end++;
			if (*end || n > (1ULL << 30))
				die(EXIT_USAGE, "--max-size: not a size in bytes (1 to 1073741824): %s", optarg);
			o.max_size = (size_t)n;
			break;
		}
		case OPT_THREADS:
			o.threads = threads_arg(optarg);
			break;
		case 'h':
			usage(EXIT_OK);
		case OPT_VERSION:
			printf("taskwatch %s\n", AGENTPIPE_VERSION);
			return EXIT_OK;
		default:
			usage(EXIT_USAGE);
		}
	}
	if (optind >= argc)
		usage(EXIT_USAGE);
	if (o.once && !o.snapshot)
		die(EXIT_USAGE, "--once and --no-snapshot together would print nothing");
	o.dirs = argv + optind;
	o.ndirs = argc - optind;
	if (o.threads == 0)
		o.threads = cpu_count(64);
	int code = watch_run(&o);
	out_close();
	return code;
}
