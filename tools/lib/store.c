/* store.c: reading and recording the telemetry store. */
#include "store.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "timeutil.h"
#include "yamlload.h"

/* Recording commits at least this often, so that the origin's logger, which
 * waits 5 s for a lock, never fails beside us. */
#define BATCH_CALLS 2000
#define FOLD_CHUNK 50000
#define BUSY_TIMEOUT_MS 10000

struct store {
	sqlite3 *db;
	bool write;
	bool has_rollup;   /* agentpipe_hourly and agentpipe_meta exist */
	bool has_total;    /* and agentpipe_total */
	bool has_ours;     /* our columns exist on invocations */
	bool in_txn;
	bool reading;      /* in store_read_begin's transaction */
	int64_t read_upto; /* its rollup_id, -1 when the rollup cannot answer */
	bool read_total, read_daily; /* and whether those rollups are level with it */
	bool overflowed;   /* a rollup cell's cost was not an exact integer */
	size_t pending;
	sqlite3_stmt *ins, *daily;
	const struct price_table *prices; /* prices calls stored without a cost */
	struct strmap price_cache;
	char errbuf[512];
};

void
store_set_prices(struct store *s, const struct price_table *t)
{
	s->prices = t;
}

/* A stored call with tokens but no known cost (our NULL cost_pico, or the
 * origin's 0.0 default) is priced from the table, or flagged unpriced. */
static void
settle_cost(struct store *s, struct call *c, bool known)
{
	c->has_cost = known || tokens_total(&c->tk) == 0;
	if (!c->has_cost && s->prices)
		call_price(s->prices, &s->price_cache, c, false);
	else if (!c->has_cost)
		c->unpriced = true;
}

const char *
store_default_path(void)
{
	static char path[4096];
	const char *env = getenv("AGENTPIPE_DB");
	if (env && *env)
		return env;
	const char *home = getenv("HOME");
	if (!home || !*home)
		home = ".";
	int n = snprintf(path, sizeof path, "%s/.llm-service/telemetry.db", home);
	if (n < 0 || (size_t)n >= sizeof path)
		die(EXIT_USAGE, "HOME is too long");
	return path;
}

const char *
store_errmsg(struct store *s)
{
	return s->errbuf;
}

static bool
sqlfail(struct store *s, const char *what)
{
	snprintf(s->errbuf, sizeof s->errbuf, "%s: %s", what, sqlite3_errmsg(s->db));
	return false;
}

static bool
exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(s->errbuf, sizeof s->errbuf, "%s", msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return false;
	}
	return true;
}

static bool
table_exists(struct store *s, const char *name)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", -1, &st, NULL) !=
	    SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	bool found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static bool
column_exists(struct store *s, const char *table, const char *column)
{
	char sql[128];
	snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	bool found = false;
	while (sqlite3_step(st) == SQLITE_ROW)
		if (strcmp((const char *)sqlite3_column_text(st, 1), column) == 0)
			found = true;
	sqlite3_finalize(st);
	return found;
}

/* The sums every rollup cell holds, bound as ?7 to ?14, and how an upsert
 * adds them up. */
#define CELL_COLUMNS \
	" calls, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens," \
	" cost_pico, unpriced_calls)"
#define CELL_SUMS \
	" calls = calls + ?7, input_tokens = input_tokens + ?8, output_tokens = output_tokens + ?9," \
	" cache_read_tokens = cache_read_tokens + ?10, cache_write_tokens = cache_write_tokens + ?11," \
	" cache_write_1h_tokens = cache_write_1h_tokens + ?12, cost_pico = cost_pico + ?13," \
	" unpriced_calls = unpriced_calls + ?14"

static int64_t query_int(struct store *s, const char *sql, int64_t missing);

/* The daily rollup and the total are derived from the hourly one. Each
 * notes the rollup_id it is level with (daily_id, total_id); a recorder that
 * did not know the table folded past it, and one that does rebuilds it: the
 * daily rollup from the hourly one, the total from the daily one. */
static bool
level_id(struct store *s, const char *key, int64_t rolled)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "INSERT INTO agentpipe_meta (key, value) VALUES ('%s', %lld)"
		 " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		 key, (long long)rolled);
	return exec(s, sql);
}

/* The daily rollup from the hourly one, and the total from the daily one;
 * sum() fails past 64 bits, and total() then writes REAL sums, which
 * readers know not to use. */
#define DAILY_FROM_HOURLY(SUM) \
	"INSERT INTO agentpipe_daily (day, agent_name, tool_name, model_name, status," CELL_COLUMNS \
	" SELECT CASE WHEN hour = '' THEN '' ELSE substr(hour, 1, 10) || ' 00:00:00' END AS d, agent_name," \
	" tool_name, model_name, status, sum(calls), sum(input_tokens), sum(output_tokens)," \
	" sum(cache_read_tokens), sum(cache_write_tokens), sum(cache_write_1h_tokens), " SUM "(cost_pico)," \
	" sum(unpriced_calls) FROM agentpipe_hourly GROUP BY d, agent_name, tool_name, model_name, status"
#define TOTAL_FROM_DAILY(SUM) \
	"INSERT INTO agentpipe_total (agent_name, tool_name, model_name, status, dated, first_day," CELL_COLUMNS \
	" SELECT agent_name, tool_name, model_name, status, day <> '', min(NULLIF(day, '')), sum(calls)," \
	" sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cache_write_tokens)," \
	" sum(cache_write_1h_tokens), " SUM "(cost_pico), sum(unpriced_calls) FROM agentpipe_daily" \
	" GROUP BY agent_name, tool_name, model_name, status, day <> ''"

static bool
rollups_catch_up(struct store *s)
{
	int64_t rolled = query_int(s, "SELECT value FROM agentpipe_meta WHERE key='rollup_id'", 0);
	bool ok = true;
	if (query_int(s, "SELECT value FROM agentpipe_meta WHERE key='daily_id'", -1) != rolled)
		ok = exec(s, "DELETE FROM agentpipe_daily") &&
		     (exec(s, DAILY_FROM_HOURLY("sum")) || exec(s, DAILY_FROM_HOURLY("total"))) && level_id(s, "daily_id", rolled) && exec(s, "DELETE FROM agentpipe_meta WHERE key = 'total_id'");
	if (ok && query_int(s, "SELECT value FROM agentpipe_meta WHERE key='total_id'", -1) != rolled)
		ok = exec(s, "DELETE FROM agentpipe_total") &&
		     (exec(s, TOTAL_FROM_DAILY("sum")) || exec(s, TOTAL_FROM_DAILY("total"))) &&
		     level_id(s, "total_id", rolled);
	return ok;
}

static const char *const our_columns[][2] = {
	{"task_id", "TEXT"},
	{"cache_read_tokens", "INTEGER DEFAULT 0"},
	{"cache_write_tokens", "INTEGER DEFAULT 0"},
	{"cache_write_1h_tokens", "INTEGER DEFAULT 0"},
	{"cost_pico", "INTEGER"},
};

static bool
migrate(struct store *s)
{
	size_t len;
	const char *path = share_path("schema.sql");
	char *schema = read_file(path, 1 << 20, &len);
	if (!schema) {
		snprintf(s->errbuf, sizeof s->errbuf, "%s: cannot read the schema: %s", path, strerror(errno));
		return false;
	}
	bool ok = exec(s, "BEGIN IMMEDIATE");
	/* The origin's tables exist already or are created as it would; ours
	 * are added beside them. */
	ok = ok && exec(s, schema);
	free(schema);
	for (size_t i = 0; ok && i < sizeof our_columns / sizeof our_columns[0]; i++) {
		if (column_exists(s, "invocations", our_columns[i][0]))
			continue;
		char sql[256];
		snprintf(sql, sizeof sql, "ALTER TABLE invocations ADD COLUMN %s %s", our_columns[i][0],
			 our_columns[i][1]);
		ok = exec(s, sql);
	}
	ok = ok && rollups_catch_up(s) && exec(s, "COMMIT");
	if (!ok)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return ok;
}

static void
detect(struct store *s)
{
	s->has_rollup = table_exists(s, "agentpipe_hourly") && table_exists(s, "agentpipe_daily") &&
			table_exists(s, "agentpipe_meta");
	s->has_total = s->has_rollup && table_exists(s, "agentpipe_total");
	s->has_ours = column_exists(s, "invocations", "cost_pico");
}

struct store *
store_open(const char *path, bool write, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof *s);
	s->write = write;
	struct stat st;
	if (!write && stat(path, &st) != 0) {
		snprintf(err, errlen, "%s: cannot open the store: %s", path, strerror(errno));
		free(s);
		return NULL;
	}
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the store: %s", path,
			 s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		free(s);
		return NULL;
	}
	/* How long to wait for a lock another writer holds (the origin's logger
	 * holds its own for milliseconds); AGENTPIPE_BUSY_TIMEOUT changes it. */
	int64_t busy = BUSY_TIMEOUT_MS;
	const char *env = getenv("AGENTPIPE_BUSY_TIMEOUT");
	if (env && *env && !duration_parse(env, &busy)) {
		snprintf(err, errlen, "AGENTPIPE_BUSY_TIMEOUT takes a duration such as 500ms, not '%s'", env);
		sqlite3_close(s->db);
		free(s);
		return NULL;
	}
	sqlite3_busy_timeout(s->db, busy > INT32_MAX ? INT32_MAX : (int)busy);
	sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	bool ok = true;
	if (write) {
		ok = exec(s, "PRAGMA journal_mode=WAL") && exec(s, "PRAGMA synchronous=NORMAL") && migrate(s);
	} else if (!table_exists(s, "invocations")) {
		/* Also how a file that is not a database shows itself. */
		if (s->errbuf[0] == '\0') {
			sqlite3_stmt *probe;
			if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &probe, NULL) != SQLITE_OK ||
			    sqlite3_step(probe) != SQLITE_ROW)
				snprintf(s->errbuf, sizeof s->errbuf, "%s", sqlite3_errmsg(s->db));
			else
				snprintf(s->errbuf, sizeof s->errbuf, "no invocations table: not a telemetry store");
			sqlite3_finalize(probe);
		}
		ok = false;
	}
	if (!ok) {
		snprintf(err, errlen, "%s: %s", path, s->errbuf);
		sqlite3_close(s->db);
		free(s);
		return NULL;
	}
	detect(s);
	return s;
}

void
store_close(struct store *s)
{
	if (!s)
		return;
	if (s->in_txn)
		store_record_flush(s);
	sqlite3_finalize(s->ins);
	sqlite3_finalize(s->daily);
	sqlite3_close(s->db);
	strmap_free(&s->price_cache);
	free(s);
}

/* The origin's text form of an instant, as its range queries compare it,
 * with its milliseconds when it has any: "12:00:00.900" sorts after every
 * time stored before it, "12:00:00" and "12:00:00.200000" alike. The years
 * 0 to 9999 are the ones text compares in order. */
static void
bind_time(sqlite3_stmt *st, int i, int64_t ms)
{
	char buf[TIME_BUFSZ + 8];
	/* Years past 9999 would sort before 2026 as text; none is stored. */
	if (ms > INT64_C(253402300799999))
		ms = INT64_C(253402300799999);
	if (ms < INT64_C(-62167219200000))
		ms = INT64_C(-62167219200000);
	size_t n = time_format_origin(ms, buf);
	int64_t frac = ((ms % 1000) + 1000) % 1000;
	if (frac)
		n += (size_t)snprintf(buf + n, sizeof buf - n, ".%03d", (int)frac);
	sqlite3_bind_text(st, i, buf, (int)n, SQLITE_TRANSIENT);
}

static struct str
col_str(sqlite3_stmt *st, int i)
{
	const char *p = (const char *)sqlite3_column_text(st, i);
	int n = sqlite3_column_bytes(st, i);
	if (!p || n == 0)
		return STR_NULL;
	return (struct str){p, (size_t)n};
}

/* The cost a row holds, and whether it is known: cost_pico when set, else
 * cost_usd unless that is the 0.0 a row gets when nobody priced it. */
static money_t
cost_of_row(sqlite3_stmt *st, int pico_col, int usd_col, bool *known)
{
	if (pico_col >= 0 && sqlite3_column_type(st, pico_col) != SQLITE_NULL) {
		*known = true;
		return (money_t)sqlite3_column_int64(st, pico_col);
	}
	double usd = sqlite3_column_double(st, usd_col);
	*known = usd != 0.0;
	return money_from_double(usd);
}

static enum call_status
status_from(struct str s)
{
	if (str_eq(s, "success"))
		return ST_SUCCESS;
	if (str_eq(s, "error"))
		return ST_ERROR;
	if (str_eq(s, "timeout"))
		return ST_TIMEOUT;
	return s.p ? ST_OTHER : ST_NONE;
}

/* Raw rows: every call in range with id > after. */
static bool
scan_rows(struct store *s, const struct store_query *q, int64_t after, store_row_fn fn, void *ctx,
	  int64_t *max_id)
{
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "SELECT id, invocation_id, timestamp, agent_name, tool_name, model_name, prompt_tokens,"
		 " completion_tokens, cost_usd, latency_ms, status, error_message%s FROM invocations"
		 " WHERE %s%s%s%s",
		 s->has_ours ? ", task_id, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, cost_pico" : "",
		 after > 0 ? "id > ?1" : "?1 = 0",
		 q->undated ? " AND timestamp IS NULL" : q->has_since ? " AND timestamp >= ?2" : "",
		 /* A range open at its start holds the rows without a time, as
		  * the rollups' cells without one sort first. */
		 q->undated || !q->has_until ? ""
		 : q->has_since ? " AND timestamp < ?3"
				: " AND (timestamp < ?3 OR timestamp IS NULL)",
		 /* Only a reader that follows needs the rows in order; a range
		  * without it lets SQLite take the timestamp index. */
		 after > 0 ? " ORDER BY id" : "");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlfail(s, "reading invocations");
	sqlite3_bind_int64(st, 1, after);
	if (q->has_since && !q->undated)
		bind_time(st, 2, q->since_ms);
	if (q->has_until && !q->undated)
		bind_time(st, 3, q->until_ms);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct call c = {0};
		int64_t id = sqlite3_column_int64(st, 0);
		if (id > *max_id)
			*max_id = id;
		c.id = col_str(st, 1);
		struct str ts = col_str(st, 2);
		c.has_ts = ts.p && time_parse(ts.p, ts.n, true, &c.ts_ms);
		c.agent = col_str(st, 3);
		c.tool = col_str(st, 4);
		c.model = col_str(st, 5);
		c.tk.input = sqlite3_column_int64(st, 6);
		c.tk.output = sqlite3_column_int64(st, 7);
		c.has_latency = sqlite3_column_type(st, 9) != SQLITE_NULL;
		c.latency_ms = sqlite3_column_int64(st, 9);
		c.status_text = col_str(st, 10);
		c.status = status_from(c.status_text);
		c.error = col_str(st, 11);
		if (s->has_ours) {
			c.task_id = col_str(st, 12);
			c.tk.cache_read = sqlite3_column_int64(st, 13);
			c.tk.cache_write = sqlite3_column_int64(st, 14);
			c.tk.cache_write_1h = sqlite3_column_int64(st, 15);
		}
		bool known;
		c.cost = cost_of_row(st, s->has_ours ? 16 : -1, 8, &known);
		settle_cost(s, &c, known);
		fn(ctx, &c, 1);
	}
	bool ok = rc == SQLITE_DONE;
	if (!ok)
		sqlfail(s, "reading invocations");
	sqlite3_finalize(st);
	return ok;
}

static int64_t
query_int(struct store *s, const char *sql, int64_t missing)
{
	sqlite3_stmt *st;
	int64_t v = missing;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return v;
}

static int64_t
rollup_id(struct store *s)
{
	return query_int(s, "SELECT value FROM agentpipe_meta WHERE key='rollup_id'", -1);
}

/* Does agentpipe_total hold what the rollups hold? */
static bool
total_level(struct store *s)
{
	if (s->reading)
		return s->read_total;
	return s->has_total && query_int(s, "SELECT value FROM agentpipe_meta WHERE key='total_id'", -1) == rollup_id(s) &&
	       query_int(s, "SELECT count(*) FROM agentpipe_total WHERE typeof(cost_pico) <> 'integer'", 1) == 0;
}

/* Does agentpipe_daily? (When not, the hourly rollup answers.) */
static bool
daily_level(struct store *s)
{
	if (s->reading)
		return s->read_daily;
	return query_int(s, "SELECT value FROM agentpipe_meta WHERE key='daily_id'", -1) == rollup_id(s);
}

/* Can the rollup answer as a scan would? Only if it still holds only calls
 * that are in the store, and no call it counts as unpriced has a price now
 * (a scan would price it). */
static bool
rollup_intact(struct store *s)
{
	int64_t first = query_int(s, "SELECT value FROM agentpipe_meta WHERE key='rollup_min_id'", -1);
	if (first < 0 || first != query_int(s, "SELECT min(id) FROM invocations", -2))
		return false;
	/* The total holds the same models as the daily rollup in far fewer rows. */
	const char *sql = total_level(s)   ? "SELECT DISTINCT model_name FROM agentpipe_total WHERE unpriced_calls > 0"
			  : daily_level(s) ? "SELECT DISTINCT model_name FROM agentpipe_daily WHERE unpriced_calls > 0"
					   : "SELECT DISTINCT model_name FROM agentpipe_hourly WHERE unpriced_calls > 0";
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	bool ok = true;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);
		if (s->prices && m && *m && price_find_in(s->prices, &s->price_cache, m, strlen(m)))
			ok = false;
	}
	sqlite3_finalize(st);
	return ok;
}

/* Prepare a query whose ?1 and ?2 are the range's bounds. */
static sqlite3_stmt *
prepare_range(struct store *s, const char *sql, const struct store_query *q, const char *what)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlfail(s, what);
		return NULL;
	}
	if (q->has_since)
		bind_time(st, 1, q->since_ms);
	if (q->has_until)
		bind_time(st, 2, q->until_ms);
	return st;
}

/* A cell's time and its agent, tool and model, in columns 0 to 3. */
static void
cell_start(sqlite3_stmt *st, struct call *c)
{
	struct str t = col_str(st, 0);
	c->has_ts = t.p && time_parse(t.p, t.n, true, &c->ts_ms);
	c->agent = col_str(st, 1);
	c->tool = col_str(st, 2);
	c->model = col_str(st, 3);
}

static bool read_cells(struct store *s, sqlite3_stmt *st, store_row_fn fn, void *ctx);

static bool
scan_rollup(struct store *s, const struct store_query *q, store_row_fn fn, void *ctx)
{
	char sql[512];
	if (q->daily_ok && daily_level(s))
		snprintf(sql, sizeof sql,
			 "SELECT day, agent_name, tool_name, model_name, '', status, calls, input_tokens,"
			 " output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, cost_pico,"
			 " unpriced_calls FROM agentpipe_daily WHERE 1%s%s",
			 q->has_since ? " AND day >= ?1" : "", q->has_until ? " AND day < ?2" : "");
	else
		snprintf(sql, sizeof sql,
			 "SELECT hour, agent_name, tool_name, model_name, task_id, status, calls, input_tokens,"
			 " output_tokens, cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, cost_pico,"
			 " unpriced_calls FROM agentpipe_hourly WHERE 1%s%s",
			 q->has_since ? " AND hour >= ?1" : "", q->has_until ? " AND hour < ?2" : "");
	return read_cells(s, prepare_range(s, sql, q, "reading the rollup"), fn, ctx);
}

/* Rollup cells: a time, agent, tool, model, task, status, calls, the five
 * token counts, cost_pico and unpriced_calls. */
static bool
read_cells(struct store *s, sqlite3_stmt *st, store_row_fn fn, void *ctx)
{
	if (!st)
		return false;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct call c = {0};
		cell_start(st, &c);
		c.task_id = col_str(st, 4);
		c.status_text = col_str(st, 5);
		c.status = status_from(c.status_text);
		int64_t n = sqlite3_column_int64(st, 6);
		c.tk.input = sqlite3_column_int64(st, 7);
		c.tk.output = sqlite3_column_int64(st, 8);
		c.tk.cache_read = sqlite3_column_int64(st, 9);
		c.tk.cache_write = sqlite3_column_int64(st, 10);
		c.tk.cache_write_1h = sqlite3_column_int64(st, 11);
		if (sqlite3_column_type(st, 12) != SQLITE_INTEGER) {
			/* Past 64 bits of pico-dollars: not exact. */
			snprintf(s->errbuf, sizeof s->errbuf,
				 "a rollup cell's cost passes 64 bits of pico-dollars: the rollup cannot answer exactly");
			s->overflowed = true;
			sqlite3_finalize(st);
			return false;
		}
		c.cost = (money_t)sqlite3_column_int64(st, 12);
		c.has_cost = true;
		c.unpriced_calls = sqlite3_column_int64(st, 13);
		fn(ctx, &c, n);
	}
	bool ok = rc == SQLITE_DONE;
	if (!ok)
		sqlfail(s, "reading the rollup");
	sqlite3_finalize(st);
	return ok;
}

/* The origin's own daily_costs answers a question of whole UTC days by
 * agent, tool and model on a store agentpipe never recorded into, unless a
 * day holds calls that nobody priced (a scan would price them). */
static int64_t
range_count(struct store *s, const struct store_query *q, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = -1;
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_time(st, 1, q->has_since ? q->since_ms : INT64_C(-62135596800000));
	bind_time(st, 2, q->has_until ? q->until_ms : INT64_C(253402300799000));
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* The origin's own daily_costs answers a question of whole UTC days by
 * agent, tool and model on a store agentpipe never recorded into, when it
 * agrees with the rows (the same number of calls in the range; rows deleted
 * or written without the logger make them differ) and holds no calls that
 * nobody priced (a scan would price them). */
static bool
daily_costs_answer(struct store *s, const struct store_query *q)
{
	if (s->has_rollup || !q->daily_ok || q->by_status || q->exact || q->after_id || !table_exists(s, "daily_costs"))
		return false;
	int64_t days = range_count(s, q,
				   "SELECT COALESCE(sum(invocations), 0) FROM daily_costs WHERE date >= substr(?1, 1, 10)"
				   " AND date < substr(?2, 1, 10)");
	int64_t rows = range_count(s, q, "SELECT count(*) FROM invocations WHERE timestamp >= ?1 AND timestamp < ?2");
	int64_t unpriced = range_count(s, q,
				       "SELECT count(*) FROM daily_costs WHERE total_tokens > 0 AND total_cost_usd = 0"
				       " AND date >= substr(?1, 1, 10) AND date < substr(?2, 1, 10)");
	return days >= 0 && days == rows && unpriced == 0;
}

static bool
scan_daily_costs(struct store *s, const struct store_query *q, store_row_fn fn, void *ctx)
{
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT date, agent_name, tool_name, model_name, invocations, total_tokens, total_cost_usd"
		 " FROM daily_costs WHERE 1%s%s",
		 q->has_since ? " AND date >= substr(?1, 1, 10)" : "", q->has_until ? " AND date < substr(?2, 1, 10)" : "");
	sqlite3_stmt *st = prepare_range(s, sql, q, "reading daily_costs");
	if (!st)
		return false;
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct call c = {0};
		cell_start(st, &c);
		c.unsplit = true; /* the table keeps only input and output together */
		c.tk.input = sqlite3_column_int64(st, 5);
		c.cost = money_from_double(sqlite3_column_double(st, 6));
		c.has_cost = true;
		fn(ctx, &c, sqlite3_column_int64(st, 4));
	}
	bool ok = rc == SQLITE_DONE;
	if (!ok)
		sqlfail(s, "reading daily_costs");
	sqlite3_finalize(st);
	return ok;
}

/* The rollup_id up to which the rollups answer, or -1. */
static int64_t
usable_rollup(struct store *s)
{
	return s->has_rollup && rollup_intact(s) ? rollup_id(s) : -1;
}

bool
store_read_begin(struct store *s)
{
	if (!exec(s, "BEGIN"))
		return false;
	/* Judged once for all the scans of the session. */
	s->read_total = total_level(s);
	s->read_daily = daily_level(s);
	s->reading = true;
	s->read_upto = usable_rollup(s);
	return true;
}

bool
store_overflowed(const struct store *s)
{
	return s->overflowed;
}

void
store_rows_only(struct store *s)
{
	s->read_upto = -1;
	s->overflowed = false;
}

void
store_read_end(struct store *s)
{
	if (s->reading)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	s->reading = false;
}

bool
store_scan(struct store *s, const struct store_query *q, store_row_fn fn, void *ctx, int64_t *max_id,
	   bool *used_rollup)
{
	*used_rollup = false;
	/* One read transaction: the rollup and the rows after it agree. */
	bool own = !s->reading;
	if (own && !exec(s, "BEGIN"))
		return false;
	bool ok;
	int64_t upto = !q->rollup_ok || q->after_id ? -1 : own ? usable_rollup(s) : s->read_upto;
	if (daily_costs_answer(s, q)) {
		*used_rollup = true;
		*max_id = query_int(s, "SELECT COALESCE(max(id), 0) FROM invocations", 0);
		ok = scan_daily_costs(s, q, fn, ctx);
	} else if (upto > 0) {
		*used_rollup = true;
		if (upto > *max_id)
			*max_id = upto;
		ok = scan_rollup(s, q, fn, ctx) && scan_rows(s, q, upto, fn, ctx, max_id);
	} else
		ok = scan_rows(s, q, q->after_id, fn, ctx, max_id);
	if (own)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return ok;
}

bool
store_scan_total(struct store *s, store_row_fn fn, void *ctx, bool *answered)
{
	*answered = false;
	bool own = !s->reading;
	if (own && !exec(s, "BEGIN"))
		return false;
	int64_t upto = own ? usable_rollup(s) : s->read_upto;
	bool ok = true;
	if (upto > 0 && total_level(s)) {
		*answered = true;
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(s->db,
				       "SELECT first_day, agent_name, tool_name, model_name, '', status, calls,"
				       " input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,"
				       " cache_write_1h_tokens, cost_pico, unpriced_calls FROM agentpipe_total",
				       -1, &st, NULL) != SQLITE_OK) {
			sqlfail(s, "reading the total");
			st = NULL;
		}
		struct store_query all = {0};
		int64_t max_id = upto;
		ok = read_cells(s, st, fn, ctx) && scan_rows(s, &all, upto, fn, ctx, &max_id);
	}
	if (own)
		sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
	return ok;
}

/* Recording. */

static bool
prepare_record(struct store *s)
{
	if (s->ins)
		return true;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO invocations (invocation_id, timestamp, agent_name, tool_name, model_name,"
			       " prompt_tokens, completion_tokens, total_tokens, cost_usd, latency_ms, status,"
			       " error_message, privacy_level, task_id, cache_read_tokens, cache_write_tokens,"
			       " cache_write_1h_tokens, cost_pico)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'metadata', ?13, ?14, ?15, ?16, ?17)"
			       " ON CONFLICT(invocation_id) DO NOTHING",
			       -1, &s->ins, NULL) != SQLITE_OK)
		return sqlfail(s, "preparing the insert");
	/* The origin's own upsert, so its dashboard's daily figures stay right. */
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO daily_costs (date, agent_name, tool_name, model_name, invocations,"
			       " total_tokens, total_cost_usd) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)"
			       " ON CONFLICT(date, agent_name, tool_name, model_name) DO UPDATE SET"
			       " invocations = invocations + 1, total_tokens = total_tokens + ?5,"
			       " total_cost_usd = total_cost_usd + ?6",
			       -1, &s->daily, NULL) != SQLITE_OK)
		return sqlfail(s, "preparing the daily upsert");
	return true;
}

static void
bind_str(sqlite3_stmt *st, int i, struct str v, bool not_null)
{
	if (v.p)
		sqlite3_bind_text(st, i, v.p, (int)v.n, SQLITE_TRANSIENT);
	else if (not_null)
		sqlite3_bind_text(st, i, "", 0, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

enum record_result
store_record(struct store *s, const struct call *c, struct str id)
{
	if (!prepare_record(s))
		return REC_ERROR;
	if (!s->in_txn) {
		if (!exec(s, "BEGIN IMMEDIATE"))
			return REC_ERROR;
		s->in_txn = true;
	}
	int64_t ts = c->has_ts ? c->ts_ms : time_now_ms();
	char tsbuf[TIME_BUFSZ];
	size_t tsn = time_format_origin(ts, tsbuf);
	int64_t msec = ((ts % 1000) + 1000) % 1000;
	if (msec)
		tsn += (size_t)snprintf(tsbuf + tsn, sizeof tsbuf - tsn, ".%03lld000", (long long)msec);
	int64_t total = c->tk.input + c->tk.output;
	double usd = money_to_double(c->cost);
	sqlite3_stmt *st = s->ins;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	sqlite3_bind_text(st, 1, id.p, (int)id.n, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, tsbuf, (int)tsn, SQLITE_TRANSIENT);
	bind_str(st, 3, c->agent, false);
	bind_str(st, 4, c->tool, true);
	bind_str(st, 5, c->model, true);
	sqlite3_bind_int64(st, 6, c->tk.input);
	sqlite3_bind_int64(st, 7, c->tk.output);
	sqlite3_bind_int64(st, 8, total);
	sqlite3_bind_double(st, 9, usd);
	sqlite3_bind_int64(st, 10, c->has_latency ? c->latency_ms : 0);
	bind_str(st, 11, c->status_text.p ? c->status_text : (struct str){"success", 7}, true);
	bind_str(st, 12, c->error, false);
	bind_str(st, 13, c->task_id, false);
	sqlite3_bind_int64(st, 14, c->tk.cache_read);
	sqlite3_bind_int64(st, 15, c->tk.cache_write);
	sqlite3_bind_int64(st, 16, c->tk.cache_write_1h);
	if (c->unpriced || c->cost > INT64_MAX || c->cost < INT64_MIN)
		sqlite3_bind_null(st, 17);
	else
		sqlite3_bind_int64(st, 17, (int64_t)c->cost);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlfail(s, "recording a call");
		return REC_ERROR;
	}
	if (sqlite3_changes(s->db) == 0)
		return REC_DUPLICATE;
	sqlite3_stmt *d = s->daily;
	sqlite3_reset(d);
	sqlite3_clear_bindings(d);
	sqlite3_bind_text(d, 1, tsbuf, 10, SQLITE_TRANSIENT);
	bind_str(d, 2, c->agent, false);
	bind_str(d, 3, c->tool, true);
	bind_str(d, 4, c->model, true);
	sqlite3_bind_int64(d, 5, total);
	sqlite3_bind_double(d, 6, usd);
	if (sqlite3_step(d) != SQLITE_DONE) {
		sqlfail(s, "updating daily_costs");
		return REC_ERROR;
	}
	s->pending++;
	if (s->pending >= BATCH_CALLS && !store_record_flush(s))
		return REC_ERROR;
	return REC_INSERTED;
}

size_t
store_pending(const struct store *s)
{
	return s->pending;
}

/* A cell's cost in pico-dollars. Past 64 bits (some $9.2M) it is written as
 * a REAL, as SQLite's own sums overflow into one: a reader then knows the
 * cell is not exact and does not use that rollup. */
static void
bind_cost(sqlite3_stmt *st, int i, money_t cost)
{
	if (cost > INT64_MAX || cost < INT64_MIN)
		sqlite3_bind_double(st, i, (double)cost);
	else
		sqlite3_bind_int64(st, i, (int64_t)cost);
}

/* A group of agentpipe_total, summed over the rows of one fold. */
struct total_cell {
	const char *key[4]; /* agent, tool, model, status */
	bool dated;
	char first_day[TIME_BUFSZ];
	int64_t calls, tk[5], unpriced;
	money_t cost;
};

/* The fold's groups: key agent NUL tool NUL model NUL status NUL dated. */
struct total_groups {
	struct strmap map;
	struct arena cells;
	struct buf key;
};

static void
total_add(struct total_groups *g, sqlite3_stmt *sel, const char *day, const struct call *c)
{
	static const int cols[4] = {1, 2, 3, 5};
	g->key.len = 0;
	for (int i = 0; i < 4; i++) {
		const char *v = (const char *)sqlite3_column_text(sel, cols[i]);
		buf_adds(&g->key, v ? v : "");
		buf_addc(&g->key, '\0');
	}
	buf_addc(&g->key, day[0] ? '1' : '0');
	int added;
	struct strmap_slot *slot = strmap_put(&g->map, g->key.data, g->key.len, &added);
	struct total_cell *t = slot->value;
	if (added) {
		t = slot->value = arena_alloc(&g->cells, sizeof *t);
		memset(t, 0, sizeof *t);
		const char *p = slot->key;
		for (int i = 0; i < 4; i++) {
			t->key[i] = p;
			p += strlen(p) + 1;
		}
		t->dated = day[0] != '\0';
		snprintf(t->first_day, sizeof t->first_day, "%s", day);
	} else if (day[0] && strcmp(day, t->first_day) < 0)
		snprintf(t->first_day, sizeof t->first_day, "%s", day);
	t->calls++;
	for (int i = 0; i < 5; i++)
		t->tk[i] += (&c->tk.input)[i];
	t->cost += c->cost;
	t->unpriced += c->unpriced;
}

static bool
total_write(struct store *s, struct total_groups *g)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO agentpipe_total (agent_name, tool_name, model_name, status, dated, first_day,"
			       CELL_COLUMNS
			       " VALUES (?1,?2,?3,?4,?5,NULLIF(?6, ''),?7,?8,?9,?10,?11,?12,?13,?14)"
			       " ON CONFLICT(agent_name, tool_name, model_name, status, dated) DO UPDATE SET"
			       " first_day = min(first_day, excluded.first_day),"
			       CELL_SUMS,
			       -1, &st, NULL) != SQLITE_OK)
		return sqlfail(s, "folding the total");
	bool ok = true;
	strmap_foreach(&g->map, slot) {
		const struct total_cell *t = slot->value;
		sqlite3_reset(st);
		for (int i = 0; i < 4; i++)
			sqlite3_bind_text(st, i + 1, t->key[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, t->dated);
		sqlite3_bind_text(st, 6, t->first_day, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, t->calls);
		for (int i = 0; i < 5; i++)
			sqlite3_bind_int64(st, 8 + i, t->tk[i]);
		bind_cost(st, 13, t->cost);
		sqlite3_bind_int64(st, 14, t->unpriced);
		if (sqlite3_step(st) != SQLITE_DONE) {
			ok = sqlfail(s, "folding the total");
			break;
		}
	}
	sqlite3_finalize(st);
	return ok;
}

/* Fold rows (from, to] into the rollups, in C so that a float cost_usd turns
 * into pico-USD exactly as a raw scan turns it. */
static bool
fold(struct store *s, int64_t from, int64_t to)
{
	sqlite3_stmt *sel, *up, *day;
	if (sqlite3_prepare_v2(s->db,
			       "SELECT timestamp, COALESCE(agent_name,''), COALESCE(tool_name,''),"
			       " COALESCE(model_name,''), COALESCE(task_id,''), COALESCE(status,''), prompt_tokens,"
			       " completion_tokens, COALESCE(cache_read_tokens,0), COALESCE(cache_write_tokens,0),"
			       " COALESCE(cache_write_1h_tokens,0), cost_pico, cost_usd"
			       ", model_name FROM invocations WHERE id > ?1 AND id <= ?2",
			       -1, &sel, NULL) != SQLITE_OK)
		return sqlfail(s, "folding the rollup");
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO agentpipe_hourly (hour, agent_name, tool_name, model_name, task_id, status,"
			       CELL_COLUMNS
			       " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"
			       " ON CONFLICT(hour, agent_name, tool_name, model_name, task_id, status) DO UPDATE SET"
			       CELL_SUMS,
			       -1, &up, NULL) != SQLITE_OK) {
		sqlite3_finalize(sel);
		return sqlfail(s, "folding the rollup");
	}
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO agentpipe_daily (day, agent_name, tool_name, model_name, status,"
			       CELL_COLUMNS
			       " VALUES (?1,?2,?3,?4,?6,?7,?8,?9,?10,?11,?12,?13,?14)"
			       " ON CONFLICT(day, agent_name, tool_name, model_name, status) DO UPDATE SET"
			       CELL_SUMS,
			       -1, &day, NULL) != SQLITE_OK) {
		sqlite3_finalize(sel);
		sqlite3_finalize(up);
		return sqlfail(s, "folding the rollup");
	}
	struct total_groups groups = {0};
	sqlite3_bind_int64(sel, 1, from);
	sqlite3_bind_int64(sel, 2, to);
	bool ok = true;
	int rc;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *ts = (const char *)sqlite3_column_text(sel, 0);
		int64_t ms = 0;
		char hour[TIME_BUFSZ] = "";
		if (ts && time_parse(ts, strlen(ts), true, &ms)) {
			ms -= ((ms % MS_PER_HOUR) + MS_PER_HOUR) % MS_PER_HOUR;
			time_format_origin(ms, hour);
		}
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, hour, -1, SQLITE_TRANSIENT);
		for (int i = 1; i <= 5; i++)
			sqlite3_bind_text(up, i + 1, (const char *)sqlite3_column_text(sel, i), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(up, 7, 1);
		for (int i = 0; i < 5; i++)
			sqlite3_bind_int64(up, 8 + i, sqlite3_column_int64(sel, 6 + i));
		bool known;
		struct call c = {.has_ts = ts != NULL, .ts_ms = ms};
		for (int i = 0; i < 5; i++)
			(&c.tk.input)[i] = sqlite3_column_int64(sel, 6 + i);
		const char *model = (const char *)sqlite3_column_text(sel, 13);
		if (model && *model)
			c.model = (struct str){model, strlen(model)};
		c.cost = cost_of_row(sel, 11, 12, &known);
		settle_cost(s, &c, known);
		bind_cost(up, 13, c.cost);
		sqlite3_bind_int64(up, 14, c.unpriced);
		if (sqlite3_step(up) != SQLITE_DONE) {
			ok = sqlfail(s, "folding the rollup");
			break;
		}
		/* The day's cell: the same values but the task, keyed by the day. */
		sqlite3_reset(day);
		char dayname[TIME_BUFSZ] = "";
		if (hour[0]) {
			time_format_origin(ms - ((ms % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY, dayname);
		}
		sqlite3_bind_text(day, 1, dayname, -1, SQLITE_TRANSIENT);
		for (int i = 1; i <= 5; i++)
			if (i != 4)
				sqlite3_bind_text(day, i + 1, (const char *)sqlite3_column_text(sel, i), -1,
						  SQLITE_TRANSIENT);
		sqlite3_bind_int64(day, 7, 1);
		for (int i = 0; i < 5; i++)
			sqlite3_bind_int64(day, 8 + i, sqlite3_column_int64(sel, 6 + i));
		bind_cost(day, 13, c.cost);
		sqlite3_bind_int64(day, 14, c.unpriced);
		if (sqlite3_step(day) != SQLITE_DONE) {
			ok = sqlfail(s, "folding the rollup");
			break;
		}
		/* The total's group: few, so summed here and written once. */
		total_add(&groups, sel, dayname, &c);
	}
	if (ok && rc != SQLITE_DONE)
		ok = sqlfail(s, "folding the rollup");
	sqlite3_finalize(sel);
	sqlite3_finalize(up);
	sqlite3_finalize(day);
	ok = ok && total_write(s, &groups);
	strmap_free(&groups.map);
	arena_free(&groups.cells);
	buf_free(&groups.key);
	if (ok) {
		/* The total moves on with the rollup only if it was level with it. */
		static const char *const moves[] = {
			"UPDATE agentpipe_meta SET value = ?2 WHERE key IN ('daily_id', 'total_id') AND value = ?1",
			"INSERT INTO agentpipe_meta (key, value) VALUES ('rollup_id', ?2)"
			" ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		};
		for (size_t k = 0; ok && k < 2; k++) {
			sqlite3_stmt *m;
			if (sqlite3_prepare_v2(s->db, moves[k], -1, &m, NULL) != SQLITE_OK)
				return sqlfail(s, "folding the rollup");
			sqlite3_bind_int64(m, 1, from);
			sqlite3_bind_int64(m, 2, to);
			ok = sqlite3_step(m) == SQLITE_DONE || sqlfail(s, "folding the rollup");
			sqlite3_finalize(m);
		}
		/* The first id folded: if it goes (the origin's retention deletes
		 * the oldest rows), the rollup counts calls that are gone. */
		ok = ok && exec(s, "INSERT OR IGNORE INTO agentpipe_meta (key, value)"
				   " SELECT 'rollup_min_id', min(id) FROM invocations");
	}
	return ok;
}

static int64_t
max_invocation_id(struct store *s)
{
	sqlite3_stmt *st;
	int64_t id = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT COALESCE(MAX(id), 0) FROM invocations", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	return id;
}

bool
store_record_flush(struct store *s)
{
	/* Fold new rows, ours and any the origin wrote, in the same short
	 * transaction, but never more than a chunk: a store the origin filled
	 * for years is caught up a chunk per transaction below, so that no
	 * lock is held for long. With nothing recorded, the origin's rows are
	 * still folded. */
	int64_t from, to;
	bool ok = true;
	if (s->in_txn) {
		from = rollup_id(s);
		to = max_invocation_id(s);
		if (to > from + FOLD_CHUNK)
			to = from + FOLD_CHUNK;
		ok = (to <= from || fold(s, from, to)) && exec(s, "COMMIT");
		if (!ok)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		s->in_txn = false;
		s->pending = 0;
	}
	/* Where the rollup stands is read inside each write transaction: a
	 * recorder beside this one may have folded meanwhile. */
	while (ok) {
		if (!exec(s, "BEGIN IMMEDIATE"))
			return false;
		from = rollup_id(s);
		to = max_invocation_id(s);
		if (to <= from) {
			ok = exec(s, "COMMIT");
			break;
		}
		if (to > from + FOLD_CHUNK)
			to = from + FOLD_CHUNK;
		ok = fold(s, from, to) && exec(s, "COMMIT");
		if (!ok)
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return ok;
}
