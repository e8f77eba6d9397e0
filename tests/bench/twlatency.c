/* twlatency.c: how long taskwatch takes from a change on disk to its event line.
 *
 *   twlatency [-n N] [-s SETTLE] [-w WARMUP] TASKWATCH DIR
 *
 * Starts `TASKWATCH --no-snapshot [--settle SETTLE] DIR` (without -s, at
 * taskwatch's default settle time) with a pipe on its standard output and
 * waits for the "ready" line. The first WARMUP (20) of each kind are not
 * counted. Then, on a probe task
 * DIR/inbox/twlat-probe.yaml that it creates before the start:
 *
 *   moved    N times: rename() the probe between inbox/ and assigned/bob/
 *            (alternating) and read lines until the "moved" event of that path
 *   updated  N times: write DIR/inbox/.x.tmp with new content, rename() it over
 *            the probe (an atomic save) and read lines until its "updated" event
 *
 * Each delta runs from CLOCK_MONOTONIC just before rename() to the moment the
 * matching line has been read. Any other line is counted as unexpected; an
 * event that does not come within 5 s is counted as missed and ends the phase.
 * After both phases, lines that arrive within settle + 300 ms are unexpected too.
 *
 * Prints one line of key=value pairs (times in milliseconds):
 *   settle_ms=20|default ready_ms=... moved_n=1000 moved_p50=... moved_p99=...
 *   moved_max=... updated_n=... updated_p50=... updated_p99=... updated_max=...
 *   unexpected=0 missed=0 before_ready=0
 * and the first unexpected lines on standard error. Exit status 1 when an event
 * was missed or unexpected, or taskwatch failed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t child = -1;

static _Noreturn void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("twlatency: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	}
	exit(2);
}

static double
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- lines from the child --------------------------------------------- */

static int rfd = -1;
static char *lbuf;
static size_t lhave, lcap, lstart;
static bool eof;

/* The next line (NUL-terminated, without its newline) or NULL when none came
 * by deadline (a now_ms() value) or at end of file. */
static char *
next_line(double deadline)
{
	for (;;) {
		char *nl = lstart < lhave ? memchr(lbuf + lstart, '\n', lhave - lstart) : NULL;
		if (nl) {
			*nl = '\0';
			char *line = lbuf + lstart;
			lstart = (size_t)(nl - lbuf) + 1;
			return line;
		}
		if (eof)
			return NULL;
		if (lstart > 0) {
			memmove(lbuf, lbuf + lstart, lhave - lstart);
			lhave -= lstart;
			lstart = 0;
		}
		if (lcap - lhave < 65536) {
			lcap = lcap ? lcap * 2 : 1 << 20;
			lbuf = realloc(lbuf, lcap);
			if (!lbuf)
				die("out of memory");
		}
		double left = deadline - now_ms();
		if (left <= 0)
			return NULL;
		struct pollfd pf = {.fd = rfd, .events = POLLIN};
		int r = poll(&pf, 1, (int)left + 1);
		if (r < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (r <= 0)
			continue;
		ssize_t n = read(rfd, lbuf + lhave, lcap - lhave);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			die("read: %s", strerror(errno));
		if (n == 0)
			eof = true;
		if (n > 0)
			lhave += (size_t)n;
	}
}

static long unexpected;

static void
note_unexpected(const char *line)
{
	if (unexpected++ < 5)
		fprintf(stderr, "twlatency: unexpected line: %.300s\n", line);
}

/* Read until a line with every needle; other lines are unexpected. */
static bool
wait_for(const char *const *needles, int nneedles, double timeout_ms)
{
	double deadline = now_ms() + timeout_ms;
	for (;;) {
		char *line = next_line(deadline);
		if (!line)
			return false;
		bool all = true;
		for (int i = 0; i < nneedles && all; i++)
			all = strstr(line, needles[i]) != NULL;
		if (all)
			return true;
		note_unexpected(line);
	}
}

/* ---- files ------------------------------------------------------------- */

static void
write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	size_t n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n)
		die("%s: short write", path);
	if (close(fd) != 0)
		die("%s: %s", path, strerror(errno));
}

static void
probe_text(char *out, size_t cap, long version)
{
	snprintf(out, cap,
		 "id: twlat-probe\n"
		 "agent: bob\n"
		 "status: new\n"
		 "title: Latency probe, version %ld\n"
		 "mode: /programming\n"
		 "priority: normal\n"
		 "description: |\n"
		 "  Renamed and saved over and over by tests/bench/twlatency.c.\n"
		 "artefacts:\n"
		 "  - tests/bench/twlatency.c\n"
		 "context:\n"
		 "  repo: acme/shop\n"
		 "  branch: main\n"
		 "  notes:\n"
		 "    - Each version differs, so every save is an update.\n"
		 "  dependencies: []\n"
		 "created_at: \"2026-11-21T09:30:00Z\"\n"
		 "created_by: human:maria.k\n"
		 "assigned_at: null\n"
		 "started_at: null\n"
		 "completed_at: null\n",
		 version);
}

/* ---- statistics -------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Nearest rank. */
static double
pct(const double *v, long n, double p)
{
	if (n <= 0)
		return -1;
	long k = (long)(p * (double)n + 0.999999999);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static void
print_stats(const char *name, double *v, long n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	printf(" %s_n=%ld %s_p50=%.3f %s_p99=%.3f %s_max=%.3f", name, n, name, pct(v, n, 0.5), name, pct(v, n, 0.99),
	       name, n ? v[n - 1] : -1.0);
}

int
main(int argc, char **argv)
{
	long n = 1000, warmup = 20;
	const char *settle = NULL; /* NULL: taskwatch's default */
	int c;
	while ((c = getopt(argc, argv, "n:s:w:")) != -1) {
		switch (c) {
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 's': settle = optarg; break;
		case 'w': warmup = strtol(optarg, NULL, 10); break;
		default: die("usage: twlatency [-n N] [-s SETTLE_MS] [-w WARMUP] TASKWATCH DIR");
		}
	}
	if (argc - optind != 2 || n < 1 || warmup < 0)
		die("usage: twlatency [-n N] [-s SETTLE_MS] [-w WARMUP] TASKWATCH DIR");
	const char *bin = argv[optind];
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", argv[optind + 1]);
	for (size_t k = strlen(dir); k > 1 && dir[k - 1] == '/';)
		dir[--k] = '\0';

	char inbox[4200], bobdir[4200], a[4300], b[4300], tmp[4300], text[2048];
	snprintf(inbox, sizeof inbox, "%s/inbox", dir);
	snprintf(bobdir, sizeof bobdir, "%s/assigned/bob", dir);
	snprintf(a, sizeof a, "%s/twlat-probe.yaml", inbox);
	snprintf(b, sizeof b, "%s/twlat-probe.yaml", bobdir);
	snprintf(tmp, sizeof tmp, "%s/.x.tmp", inbox);
	struct stat st;
	if (stat(inbox, &st) != 0 || stat(bobdir, &st) != 0)
		die("%s needs inbox/ and assigned/bob/", dir);
	unlink(b);
	unlink(tmp);
	probe_text(text, sizeof text, 0);
	write_file(a, text);

	int p[2];
	if (pipe(p) != 0)
		die("pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		if (settle)
			execl(bin, bin, "--no-snapshot", "--settle", settle, dir, (char *)NULL);
		else
			execl(bin, bin, "--no-snapshot", dir, (char *)NULL);
		fprintf(stderr, "twlatency: %s: %s\n", bin, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	rfd = p[0];
	signal(SIGPIPE, SIG_IGN);

	double t_start = now_ms();
	static const char *const ready[] = {"\"event\":\"ready\""};
	if (!wait_for(ready, 1, 120000))
		die("no ready line from %s", bin);
	double t_ready = now_ms() - t_start;
	long unexpected_before = unexpected;
	unexpected = 0;

	double *moved = calloc((size_t)(n + warmup), sizeof *moved);
	double *updated = calloc((size_t)(n + warmup), sizeof *updated);
	if (!moved || !updated)
		die("out of memory");
	long nm = 0, nu = 0, missed = 0;
	char want_path[4400], want_prev[4400];

	/* renames; an even count leaves the probe in inbox/ */
	long total = n + warmup;
	if (total % 2)
		total++;
	for (long i = 0; i < total; i++) {
		const char *from = i % 2 ? b : a, *to = i % 2 ? a : b;
		snprintf(want_path, sizeof want_path, "\"path\":\"%s\"", to);
		snprintf(want_prev, sizeof want_prev, "\"prev_path\":\"%s\"", from);
		const char *const needles[] = {"\"event\":\"moved\"", want_path, want_prev};
		double t0 = now_ms();
		if (rename(from, to) != 0)
			die("rename %s: %s", from, strerror(errno));
		if (!wait_for(needles, 3, 5000)) {
			fprintf(stderr, "twlatency: no \"moved\" event for %s -> %s within 5 s\n", from, to);
			missed++;
			break;
		}
		double dt = now_ms() - t0;
		if (i >= warmup && nm < n)
			moved[nm++] = dt;
	}

	/* atomic saves over the probe in inbox/ */
	if (!missed) {
		snprintf(want_path, sizeof want_path, "\"path\":\"%s\"", a);
		const char *const needles[] = {"\"event\":\"updated\"", want_path};
		for (long i = 0; i < n + warmup; i++) {
			probe_text(text, sizeof text, i + 1);
			write_file(tmp, text);
			double t0 = now_ms();
			if (rename(tmp, a) != 0)
				die("rename %s: %s", tmp, strerror(errno));
			if (!wait_for(needles, 2, 5000)) {
				fprintf(stderr, "twlatency: no \"updated\" event for %s within 5 s\n", a);
				missed++;
				break;
			}
			double dt = now_ms() - t0;
			if (i >= warmup)
				updated[nu++] = dt;
		}
	}

	/* Anything else that comes is unexpected. */
	double deadline = now_ms() + (settle ? strtod(settle, NULL) : 20) + 300;
	char *line;
	while ((line = next_line(deadline)) != NULL)
		note_unexpected(line);

	kill(child, SIGTERM);
	int status = 0;
	waitpid(child, &status, 0);
	child = -1;
	bool child_ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!child_ok)
		fprintf(stderr, "twlatency: taskwatch ended with status %d\n",
			WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	unlink(a);
	unlink(b);
	unlink(tmp);

	printf("settle_ms=%s ready_ms=%.1f", settle ? settle : "default", t_ready);
	print_stats("moved", moved, nm);
	print_stats("updated", updated, nu);
	printf(" unexpected=%ld missed=%ld before_ready=%ld\n", unexpected, missed, unexpected_before);
	free(moved);
	free(updated);
	free(lbuf);
	return missed || unexpected || !child_ok ? 1 : 0;
}
