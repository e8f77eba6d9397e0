/* watch.c: --watch, the budgets checked again every interval, for a
 * dashboard: all rows at the start, then a budget's row whenever what it
 * says changed (its window, spend, calls, share used, status, or whether it
 * has a forecast; the forecast's time alone moves with the clock). Ends on
 * SIGINT or SIGTERM, or when the reader goes away. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "budgetgate.h"
#include "util.h"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* What a row says, without the forecast's time. */
static void
row_key(const char *row, size_t n, struct buf *key)
{
	static const char field[] = ",\"forecast_exhausted_at\":";
	key->len = 0;
	const char *f = memmem(row, n, field, sizeof field - 1);
	const char *after = f ? memmem(f + 1, n - (size_t)(f + 1 - row), ",\"calls\":", 9) : NULL;
	if (!f || !after) {
		buf_add(key, row, n);
		return;
	}
	buf_add(key, row, (size_t)(f - row));
	buf_addc(key, f[sizeof field - 1] == 'n' ? '-' : '+');
	buf_add(key, after, n - (size_t)(after - row));
}

/* Sleep until the deadline, or a signal, or a closed output. False when it is
 * time to stop. */
static bool
wait_until(int64_t deadline)
{
	for (;;) {
		if (stop_requested)
			return false;
		int64_t now = time_now_ms();
		if (now >= deadline)
			return true;
		int64_t left = deadline - now;
		struct pollfd pf = {.fd = STDOUT_FILENO, .events = 0};
		int r = poll(&pf, 1, left > 1000 ? 1000 : (int)left);
		if (r > 0 && (pf.revents & (POLLERR | POLLHUP)))
			return false; /* the reader went away */
		if (r < 0 && errno != EINTR)
			return false;
	}
}

int
watch_budgets(struct budgets *b, const struct watch_opts *o)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	out_on_epipe(EXIT_OK);
	struct buf *last = xcalloc(b->n + 1, sizeof *last);
	bool *written = xcalloc(b->n + 1, sizeof *written);
	struct buf row = {0}, key = {0};
	int64_t unread_sig[3] = {-1, -1, -1};
	bool first = true;
	int status = EXIT_OK;
	while (!stop_requested) {
		int64_t started = time_now_ms();
		int64_t now = o->has_now ? o->now : started;
		budgets_windows(b, now);
		struct spend s;
		spend_init(&s, b);
		int rs = spend_read(&s, o->src, o->prices);
		if (rs && first) {
			/* Nothing could be read at all: no rows, as a check. */
			spend_free(&s);
			status = rs;
			break;
		}
		if (!rs) {
			/* Name what cannot be judged when it changes, not every time. */
			int64_t sig[3] = {(int64_t)s.unpriced.count, s.undated, (int64_t)s.bad_lines};
			if (memcmp(sig, unread_sig, sizeof sig) != 0) {
				report_unreadable(&s, o->lenient);
				memcpy(unread_sig, sig, sizeof sig);
			}
			for (size_t i = 0; i < b->n; i++) {
				struct verdict v;
				budget_verdict(&b->v[i], &s.sum[i], now, &v);
				row.len = 0;
				budget_row(&b->v[i], &s.sum[i], &v, &row);
				row_key(row.data, row.len, &key);
				if (written[i] && last[i].len == key.len && memcmp(last[i].data, key.data, key.len) == 0)
					continue;
				out_write(row.data, row.len);
				last[i].len = 0;
				buf_add(&last[i], key.data, key.len);
				written[i] = true;
			}
			out_flush();
		}
		spend_free(&s);
		first = false;
		if (!wait_until(started + o->interval_ms))
			break;
	}
	for (size_t i = 0; i < b->n; i++)
		buf_free(&last[i]);
	free(last);
	free(written);
	buf_free(&row);
	buf_free(&key);
	return status;
}
