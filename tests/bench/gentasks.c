/* gentasks.c: a deterministic tree of task files for the taskwatch benchmarks.
 *
 *   gentasks DIR N      N task files (~1.3 KB each) in the lane tree under DIR:
 *                       inbox/, assigned/<agent>/, done/<agent>/, archive/, fridge/
 *                       for 10 agents (bob among them)
 *   gentasks --one ID   one task file with that id to standard output
 *
 * The files look like examples/work/collaboration/: the same keys, a literal
 * description block, notes and dependency lists, a context mapping, quoted
 * timestamps, a result mapping when done, an error mapping for some. Only
 * shapes that YAML 1.1 (PyYAML) and libyaml read alike are used, so the peer
 * and taskwatch can be compared task for task. One fixed-seed generator: the
 * same arguments give byte-identical trees. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XORSHIFT_SEED 0x9E3779B97F4A7C15ULL
#include "xorshift.h"

#define PICK(a) (a[rndn(sizeof a / sizeof a[0])])

static _Noreturn void
die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("gentasks: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- a fixed buffer (a task is a few KB at most) ------------------------ */

static char out[16384];
static size_t outn;

static void
add(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + outn, sizeof out - outn, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof out - outn)
		die("a task outgrew its buffer");
	outn += (size_t)n;
}

/* ---- vocabulary ---------------------------------------------------------- */

static const char *const agents[] = {
	"architect", "backend-dev", "bob",     "build-automation", "curator",
	"frontend",  "lexical",     "scribe",  "synthesizer",      "test-engineer",
};
static const char *const modes[] = {"/programming", "/analysis-mode", "/creative-mode"};
static const char *const priorities[] = {"low", "normal", "normal", "high", "high", "critical"};
static const char *const verbs[] = {"Add",    "Fix",      "Refactor", "Document", "Review",  "Migrate",
				    "Remove", "Optimise", "Design",   "Test",     "Harden", "Split"};
static const char *const objects[] = {
	"the coupon stacking rules",   "the cart drawer",          "payment webhook retries",
	"the order export",            "inventory reservations",   "the product page skeletons",
	"the checkout accessibility",  "the glossary",             "the CI cache",
	"flaky end-to-end tests",      "the search facets",        "the wishlist sync",
	"the pricing engine",          "the docs structure",       "the dark mode theme",
	"the stock sweeper",           "guest checkout",           "the shipping estimator",
	"the refund flow",             "the admin audit log",
};
static const char *const places[] = {"in the storefront", "for the mobile app", "in the pricing service",
				     "behind a feature flag", "for the Q4 release", "in the inventory service",
				     "for EU customers", "before Black Friday"};
static const char *const dirs[] = {"services/pricing/src", "services/inventory/src", "services/payments/src",
				   "web/src/components", "web/e2e",           "docs/adr",
				   "docs/guides",          ".github/workflows", "services/orders/src"};
static const char *const files[] = {"handler", "stacking", "sweeper", "CartDrawer", "tokens",
				    "export",  "webhooks", "reservations", "facets", "README"};
static const char *const exts[] = {".ts", ".tsx", ".md", ".sql", ".yml", ".test.ts"};
static const char *const notes[] = {
	"Marketing wants at most one percentage coupon plus one free-shipping coupon per order.",
	"Gift cards are not coupons and must never be blocked by stacking rules.",
	"Look at the last 50 runs on main, not only the latest failure.",
	"Median pipeline is 14m; install step alone takes 4m.",
	"Use SELECT ... FOR UPDATE SKIP LOCKED for the sweeper.",
	"Keep old paths working with redirect stubs for one release.",
	"Designs are in Figma, page Cart v3.",
	"Show the remaining reservation time once the API returns expires_at.",
	"Duplicate charge.succeeded events created two orders on 2026-11-14.",
	"Parked until the design system tokens are final (after the checkout work).",
	"Store processed event ids in a table with a unique index.",
	"Ask the curator before renaming anything under docs/.",
};
static const char *const quoted_notes[] = {
	"Current behaviour: the last applied coupon silently wins (see issue #412).",
	"Owner: payments team; reviewer: architect.",
	"Scope: web only, the apps follow next sprint.",
	"Blocked on: the staging database refresh.",
};
static const char *const criteria[] = {
	"POST /reservations returns 409 when stock is insufficient.",
	"Expired reservations are released by the sweeper within 60 seconds.",
	"Load test at 200 req/s shows no oversell.",
	"Every new endpoint has an integration test.",
	"The change is behind a flag that defaults to off.",
	"Docs updated in the same pull request.",
};
static const char *const desc_lines[] = {
	"The current implementation grew by accretion and nobody owns it.",
	"Find the root cause first; a retry loop is not a fix.",
	"Keep the old endpoint working until the frontend has moved.",
	"A reservation holds stock for a cart for 15 minutes.",
	"Measure before and after, on the same data, and attach the numbers.",
	"Split the work into reviewable pull requests of under 400 lines.",
	"Coordinate with the frontend agent on the response shape.",
	"Write the decision down as an ADR if it changes a contract.",
};
static const char *const summaries[] = {
	"Quarantined 4 specs; main is green 20 runs in a row.",
	"Cached the pnpm store keyed on the lockfile hash; median pipeline went from 14m to 9m40s.",
	"Moved 63 documents into four folders and added redirect stubs.",
	"Chose reservations with a 15 minute TTL held in Postgres, released by a sweeper.",
	"Done as specified; two follow-ups filed for the edge cases found.",
};
static const char *const humans[] = {"human:maria.k", "human:jonas.b", "human:li.w"};
static const char *const errors[] = {
	"Integration tests failed: stripe-mock container did not become healthy within 120s",
	"Model refused: the diff touched files outside the allowed paths",
	"Timeout after 900s waiting for the build",
};

/* ---- one task ------------------------------------------------------------- */

enum lane { INBOX, ASSIGNED, DONE, ARCHIVE, FRIDGE };

struct when {
	int mon, day, hour, min;
};

static void
ts(const char *key, struct when w, int plus_min)
{
	int m = w.min + plus_min, h = w.hour + m / 60, d = w.day + h / 24;
	add("%s: \"2026-%02d-%02dT%02d:%02d:%02dZ\"\n", key, w.mon, d > 28 ? 28 : d, h % 24, m % 60, (int)rndn(60));
}

static void
path_item(const char *indent)
{
	add("%s- %s/%s%s\n", indent, PICK(dirs), PICK(files), PICK(exts));
}

static void
gen_id(char *id, size_t cap, long n, const char *agent, struct when *w)
{
	w->mon = 1 + (int)rndn(11);
	w->day = 1 + (int)rndn(27);
	w->hour = (int)rndn(20);
	w->min = (int)rndn(60);
	static const char *const slugs[] = {"coupon-rules", "cart-drawer", "webhook-retries", "order-export",
					    "reservations", "skeletons",   "a11y-audit",      "glossary",
					    "ci-cache",     "flaky-e2e",   "search-facets",   "docs-cleanup"};
	snprintf(id, cap, "2026-%02d-%02dT%02d%02d-%s-%s-%06ld", w->mon, w->day, w->hour, w->min, agent, PICK(slugs), n);
}

/* The task text into out[]. */
static void
gen_task(const char *id, const char *agent, enum lane lane, const struct when *wp)
{
	struct when w = *wp;
	outn = 0;
	const char *status;
	switch (lane) {
	case INBOX: status = rndn(4) ? "new" : "pending"; break;
	case ASSIGNED: {
		static const char *const st[] = {"assigned", "in_progress", "in_progress", "blocked", "error"};
		status = PICK(st);
		break;
	}
	case DONE: status = "done"; break;
	case ARCHIVE: status = rndn(3) ? "done" : "archived"; break;
	default: status = "new"; break;
	}
	add("id: %s\n", id);
	add("agent: %s\n", agent);
	add("status: %s\n", status);
	add("title: %s %s %s\n", PICK(verbs), PICK(objects), PICK(places));
	add("mode: %s\n", PICK(modes));
	add("priority: %s\n", PICK(priorities));
	if (rndn(3) == 0)
		add("milestone: 2026-Q%d checkout reliability\n", 1 + (int)rndn(4));
	if (rndn(2) == 0)
		add("estimated_hours: %d\n", 1 + (int)rndn(40));
	add("description: |\n");
	for (int i = 0, k = 2 + (int)rndn(3); i < k; i++)
		add("  %s\n", PICK(desc_lines));
	if (rndn(2) == 0) {
		add("acceptance_criteria:\n");
		for (int i = 0, k = 1 + (int)rndn(3); i < k; i++)
			add("  - %s\n", PICK(criteria));
	}
	add("artefacts:\n");
	for (int i = 0, k = 1 + (int)rndn(3); i < k; i++)
		path_item("  ");
	add("context:\n  repo: acme/shop\n  branch: %s\n", rndn(4) ? "main" : "release/2026.11");
	add("  notes:\n");
	for (int i = 0, k = 1 + (int)rndn(2); i < k; i++)
		add("    - %s\n", PICK(notes));
	if (rndn(3) == 0)
		add("    - \"%s\"\n", PICK(quoted_notes));
	if (rndn(2)) {
		add("  dependencies: []\n");
	} else {
		add("  dependencies:\n");
		for (int i = 0, k = 1 + (int)rndn(2); i < k; i++) {
			char dep[160];
			struct when dw;
			gen_id(dep, sizeof dep, (long)rndn(1000000), PICK(agents), &dw);
			add("    - %s\n", dep);
		}
	}
	ts("created_at", w, 0);
	add("created_by: %s\n", rndn(2) ? PICK(humans) : "architect");
	bool assigned = lane != INBOX && lane != FRIDGE;
	bool started = assigned && strcmp(status, "assigned") != 0;
	bool done = lane == DONE || lane == ARCHIVE;
	if (assigned)
		ts("assigned_at", w, 1 + (int)rndn(30));
	else
		add("assigned_at: null\n");
	if (started)
		ts("started_at", w, 40 + (int)rndn(120));
	else
		add("started_at: null\n");
	if (done)
		ts("completed_at", w, 200 + (int)rndn(900));
	else
		add("completed_at: null\n");
	if (done) {
		add("result:\n  summary: \"%s\"\n  artefacts:\n", PICK(summaries));
		for (int i = 0, k = 1 + (int)rndn(3); i < k; i++)
			path_item("    ");
		if (rndn(2))
			add("  next_agent: %s\n  next_task_title: %s %s\n", PICK(agents), PICK(verbs), PICK(objects));
		else
			add("  next_agent: null\n  next_task_title: null\n");
	}
	if (strcmp(status, "error") == 0) {
		add("error:\n  message: \"%s\"\n", PICK(errors));
		ts("  timestamp", w, 300);
		add("  agent: %s\n  retry_count: %d\n", agent, (int)rndn(4));
	}
	/* Toward ~1.3 KB on average: review notes at the end, as a task file
	 * gathers them. */
	size_t target = 1050 + rndn(500);
	if (outn < target) {
		add("review_notes:\n");
		while (outn < target)
			add("  - %s\n", PICK(notes));
	}
}

/* ---- the tree ------------------------------------------------------------- */

static void
mkdirs(const char *path)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				die("%s: %s", tmp, strerror(errno));
			*p = '/';
		}
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		die("%s: %s", tmp, strerror(errno));
}

static void
write_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (write(fd, out, outn) != (ssize_t)outn)
		die("%s: short write", path);
	close(fd);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--one") == 0) {
		struct when w = {11, 21, 9, 30};
		gen_task(argv[2], "bob", INBOX, &w);
		fwrite(out, 1, outn, stdout);
		return 0;
	}
	if (argc != 3)
		die("usage: gentasks DIR N | gentasks --one ID");
	const char *root = argv[1];
	long n = strtol(argv[2], NULL, 10);
	if (n <= 0)
		die("N must be positive");
	static const char *const lanes[] = {"inbox", "assigned", "done", "archive", "fridge"};
	char path[4096];
	for (int l = 0; l < 5; l++) {
		if (l == ASSIGNED || l == DONE) {
			for (size_t a = 0; a < sizeof agents / sizeof agents[0]; a++) {
				snprintf(path, sizeof path, "%s/%s/%s", root, lanes[l], agents[a]);
				mkdirs(path);
			}
		} else {
			snprintf(path, sizeof path, "%s/%s", root, lanes[l]);
			mkdirs(path);
		}
	}
	size_t bytes = 0;
	for (long i = 0; i < n; i++) {
		/* inbox 10%, assigned 20%, done 50%, archive 15%, fridge 5% */
		unsigned r = rndn(100);
		enum lane lane = r < 10 ? INBOX : r < 30 ? ASSIGNED : r < 80 ? DONE : r < 95 ? ARCHIVE : FRIDGE;
		const char *agent = PICK(agents);
		char id[160];
		struct when w;
		gen_id(id, sizeof id, i, agent, &w);
		gen_task(id, agent, lane, &w);
		if (lane == ASSIGNED || lane == DONE)
			snprintf(path, sizeof path, "%s/%s/%s/%s.yaml", root, lanes[lane], agent, id);
		else
			snprintf(path, sizeof path, "%s/%s/%s.yaml", root, lanes[lane], id);
		write_file(path);
		bytes += outn;
	}
	fprintf(stderr, "gentasks: %ld files, %zu bytes (%.0f per file) under %s\n", n, bytes, (double)bytes / (double)n,
		root);
	return 0;
}
