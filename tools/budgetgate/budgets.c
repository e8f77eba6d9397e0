/* budgets.c: the budgets file into budgets. Two formats, told apart by a
 * top-level key: agentpipe's (budgets:, a list or a mapping name -> body) and
 * the origin's policies.yaml (policies:, a profile's daily and monthly
 * budgets). Every error names the line and column it stands at. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetgate.h"
#include "yamlload.h"

struct loader {
	struct yaml_doc doc;
	struct budgets_error *err;
	const struct budgets_opts *o;
	struct budgets *out;
};

static const char *const field_names[MF_COUNT] = {"agent", "tool", "model", "task_id", "status"};

static bool __attribute__((format(printf, 3, 4)))
fail_at(struct loader *l, const json_t *v, const char *fmt, ...)
{
	if (!v || !yaml_value_pos(&l->doc, v, &l->err->line, &l->err->col))
		l->err->line = l->err->col = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->err->message, sizeof l->err->message, fmt, ap);
	va_end(ap);
	return false;
}

static bool __attribute__((format(printf, 4, 5)))
fail_key(struct loader *l, const json_t *obj, const char *key, const char *fmt, ...)
{
	if (!yaml_key_pos(&l->doc, obj, key, &l->err->line, &l->err->col))
		yaml_value_pos(&l->doc, obj, &l->err->line, &l->err->col);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->err->message, sizeof l->err->message, fmt, ap);
	va_end(ap);
	return false;
}

/* A key or value quoted in a message: short, and printable. */
static const char *
shown(const char *s, char *buf, size_t n)
{
	snprintf(buf, n, "%s", s);
	if (strlen(s) >= n && n > 4)
		memcpy(buf + n - 4, "...", 4);
	strip_controls(buf);
	return buf;
}

/* Keys outside the list are an error that names them. */
static bool
known_keys(struct loader *l, const json_t *obj, const char *const *keys, const char *where)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v) {
		bool ok = false;
		for (const char *const *p = keys; *p && !ok; p++)
			ok = strcmp(*p, k) == 0;
		if (!ok) {
			char tmp[64];
			struct buf list = {0};
			for (const char *const *p = keys; *p; p++)
				buf_printf(&list, "%s%s", p == keys ? "" : ", ", *p);
			fail_key(l, obj, k, "unknown key '%s' in %s (known: %s)", shown(k, tmp, sizeof tmp), where,
				 list.data);
			buf_free(&list);
			return false;
		}
	}
	return true;
}

/* The text of a scalar: a string, or a number as it was written. */
static const char *
scalar_text(struct loader *l, const json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_number(v))
		return yaml_number_text(&l->doc, v);
	return NULL;
}

/* Dollars, exactly as written: more than 0 and at most LIMIT_USD_MAX. */
static bool
read_usd(struct loader *l, const json_t *v, const char *key, money_t *out)
{
	const char *t = scalar_text(l, v);
	if (!t || !money_parse(t, strlen(t), 0, out))
		return fail_at(l, v, "%s takes an amount of dollars such as 12.50", key);
	if (*out <= 0 || *out > LIMIT_USD_MAX)
		return fail_at(l, v, "%s must be more than 0 and at most 10^15 dollars", key);
	return true;
}

/* A percentage with at most two decimals, in hundredths: (0, 100]. */
static bool
read_pct(struct loader *l, const json_t *v, const char *key, int64_t *centi)
{
	const char *t = scalar_text(l, v);
	money_t p;
	if (!t || !money_parse(t, strlen(t), 0, &p) || p % (PICO_PER_USD / 100) != 0)
		return fail_at(l, v, "%s takes a percentage such as 80 or 92.5 (at most two decimals)", key);
	if (p <= 0 || p > 100 * (money_t)PICO_PER_USD)
		return fail_at(l, v, "%s must be more than 0 and at most 100", key);
	*centi = (int64_t)(p / (PICO_PER_USD / 100));
	return true;
}

/* x * centi / 10000, rounded up: spent >= the result exactly when spent
 * reaches that share of the limit. */
static __int128
share_up(__int128 x, int64_t centi)
{
	__int128 p = x * centi;
	return p / 10000 + (p % 10000 != 0);
}

static bool
read_zone(struct loader *l, const json_t *v, struct tz **out)
{
	if (!json_is_string(v) || !*json_string_value(v))
		return fail_at(l, v, "timezone takes a zone name such as Europe/Brussels");
	char msg[256];
	*out = tz_open(json_string_value(v), msg, sizeof msg);
	if (!*out)
		return fail_at(l, v, "%s", msg);
	return true;
}

static bool
read_period(struct loader *l, const json_t *v, struct budget *b)
{
	const char *t = json_is_string(v) ? json_string_value(v) : NULL;
	if (t && strcmp(t, "day") == 0)
		b->kind = P_DAY;
	else if (t && strcmp(t, "week") == 0)
		b->kind = P_WEEK;
	else if (t && strcmp(t, "month") == 0)
		b->kind = P_MONTH;
	else if (t && strcmp(t, "total") == 0)
		b->kind = P_TOTAL;
	else if (t && duration_parse(t, &b->rolling_ms) && b->rolling_ms > 0 &&
		 b->rolling_ms <= 100LL * 366 * MS_PER_DAY)
		b->kind = P_ROLLING;
	else
		return fail_at(l, v, "period takes day, week, month, total or a duration such as 24h or 7d");
	b->period = xstrdup(t);
	return true;
}

static bool
add_glob(struct loader *l, struct budget *b, enum match_field f, const json_t *v)
{
	const char *t = scalar_text(l, v);
	if (!t)
		return fail_at(l, v, "match: %s takes a glob or a list of globs", field_names[f]);
	b->globs[f] = xreallocarray(b->globs[f], b->nglobs[f] + 1, sizeof *b->globs[f]);
	b->globs[f][b->nglobs[f]++] = xstrdup(t);
	return true;
}

static bool
read_match(struct loader *l, const json_t *m, struct budget *b)
{
	if (!json_is_object(m))
		return fail_at(l, m, "match takes a mapping of call fields to globs, such as {agent: \"backend-*\"}");
	static const char *const keys[] = {"agent", "tool", "model", "task_id", "status", NULL};
	if (!known_keys(l, m, keys, "match"))
		return false;
	for (int f = 0; f < MF_COUNT; f++) {
		const json_t *v = json_object_get(m, field_names[f]);
		if (!v)
			continue;
		if (json_is_array(v)) {
			if (json_array_size(v) == 0)
				return fail_at(l, v, "match: an empty list for %s would match nothing", field_names[f]);
			size_t i;
			const json_t *e;
			json_array_foreach(v, i, e) {
				if (!add_glob(l, b, (enum match_field)f, e))
					return false;
			}
		} else if (!add_glob(l, b, (enum match_field)f, v))
			return false;
		b->has_match = true;
	}
	return true;
}

/* Soft thresholds from a percentage of each limit. */
static void
soft_from_pct(struct budget *b, int64_t centi)
{
	if (b->has_limit_usd) {
		b->has_soft_usd = true;
		b->soft_usd = share_up(b->limit_usd, centi);
	}
	if (b->has_limit_tokens) {
		b->has_soft_tokens = true;
		b->soft_tokens = (int64_t)share_up(b->limit_tokens, centi);
	}
}

static bool
zone_or_default(struct loader *l, struct budget *b, const char *fallback)
{
	if (b->tz)
		return true;
	char msg[256];
	b->tz = tz_open(fallback, msg, sizeof msg);
	if (!b->tz) {
		l->err->line = l->err->col = 0;
		snprintf(l->err->message, sizeof l->err->message, "%s", msg);
		return false;
	}
	return true;
}

/* One budget's body; name_v is where its name stands (for messages). */
static bool
read_budget(struct loader *l, const json_t *body, const char *name, const json_t *where, const char *dflt_tz,
	    struct budget *b)
{
	static const char *const keys[] = {"name",	  "period",  "limit_usd", "limit_tokens", "soft_pct",
					   "soft_usd",	  "enforce", "match",	  "timezone",	  NULL};
	if (!known_keys(l, body, keys, "a budget"))
		return false;
	b->name = xstrdup(name);
	const json_t *v = json_object_get(body, "period");
	if (!v)
		return fail_at(l, where, "budget '%s' has no period (day, week, month, total or a duration)", name);
	if (!read_period(l, v, b))
		return false;
	if ((v = json_object_get(body, "limit_usd"))) {
		if (!read_usd(l, v, "limit_usd", &b->limit_usd))
			return false;
		b->has_limit_usd = true;
	}
	if ((v = json_object_get(body, "limit_tokens"))) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return fail_at(l, v, "limit_tokens takes a whole number of tokens, more than 0");
		b->limit_tokens = json_integer_value(v);
		b->has_limit_tokens = true;
	}
	if (!b->has_limit_usd && !b->has_limit_tokens)
		return fail_at(l, where, "budget '%s' has no limit: give limit_usd, limit_tokens or both", name);
	const json_t *pct = json_object_get(body, "soft_pct"), *susd = json_object_get(body, "soft_usd");
	if (pct && susd)
		return fail_key(l, body, "soft_usd", "give soft_pct or soft_usd, not both");
	if (pct) {
		int64_t centi;
		if (!read_pct(l, pct, "soft_pct", &centi))
			return false;
		soft_from_pct(b, centi);
	}
	if (susd) {
		if (!b->has_limit_usd)
			return fail_key(l, body, "soft_usd", "soft_usd needs limit_usd");
		if (!read_usd(l, susd, "soft_usd", &b->soft_usd))
			return false;
		if (b->soft_usd > b->limit_usd)
			return fail_at(l, susd, "soft_usd is more than limit_usd");
		b->has_soft_usd = true;
	}
	if ((v = json_object_get(body, "enforce"))) {
		const char *t = json_is_string(v) ? json_string_value(v) : "";
		if (strcmp(t, "soft") == 0)
			b->enforce_soft = true;
		else if (strcmp(t, "hard") != 0)
			return fail_at(l, v, "enforce takes hard or soft");
	}
	if ((v = json_object_get(body, "match")) && !read_match(l, v, b))
		return false;
	if ((v = json_object_get(body, "timezone")) && !read_zone(l, v, &b->tz))
		return false;
	return zone_or_default(l, b, dflt_tz);
}

static struct budget *
new_budget(struct budgets *out)
{
	out->v = xreallocarray(out->v, out->n + 1, sizeof *out->v);
	struct budget *b = &out->v[out->n++];
	memset(b, 0, sizeof *b);
	return b;
}

static bool
unique_name(struct loader *l, const char *name, const json_t *where)
{
	char tmp[64];
	if (!*name)
		return fail_at(l, where, "a budget's name is empty");
	for (size_t i = 0; i + 1 < l->out->n; i++)
		if (strcmp(l->out->v[i].name, name) == 0)
			return fail_at(l, where, "budget '%s' is defined twice", shown(name, tmp, sizeof tmp));
	return true;
}

static bool
load_budgets(struct loader *l, const json_t *root)
{
	static const char *const keys[] = {"timezone", "budgets", NULL};
	if (!known_keys(l, root, keys, "the budgets file"))
		return false;
	const char *dflt = "UTC";
	const json_t *tzv = json_object_get(root, "timezone");
	struct tz *probe = NULL;
	if (tzv) {
		if (!read_zone(l, tzv, &probe))
			return false;
		dflt = json_string_value(tzv);
		tz_close(probe);
	}
	if (l->o->timezone)
		dflt = l->o->timezone;
	const json_t *list = json_object_get(root, "budgets");
	if (!list)
		return fail_at(l, root, "no budgets: key in the budgets file");
	if (json_is_array(list)) {
		if (json_array_size(list) == 0)
			return fail_at(l, list, "budgets: is empty");
		size_t i;
		const json_t *e;
		json_array_foreach(list, i, e) {
			if (!json_is_object(e))
				return fail_at(l, e, "a budget is a mapping with a name, a period and a limit");
			const json_t *nv = json_object_get(e, "name");
			if (!nv)
				return fail_at(l, e, "a budget has no name");
			if (!json_is_string(nv))
				return fail_at(l, nv, "name takes a string");
			struct budget *b = new_budget(l->out);
			if (!unique_name(l, json_string_value(nv), nv) ||
			    !read_budget(l, e, json_string_value(nv), nv, dflt, b))
				return false;
		}
		return true;
	}
	if (json_is_object(list)) {
		if (json_object_size(list) == 0)
			return fail_at(l, list, "budgets: is empty");
		const char *k;
		json_t *e;
		json_object_foreach((json_t *)list, k, e) {
			if (!json_is_object(e))
				return fail_key(l, list, k, "a budget is a mapping with a period and a limit");
			if (json_object_get(e, "name"))
				return fail_key(l, e, "name", "in a mapping of budgets the key is the name");
			struct budget *b = new_budget(l->out);
			if (!unique_name(l, k, e) || !read_budget(l, e, k, e, dflt, b))
				return false;
		}
		return true;
	}
	return fail_at(l, list, "budgets: takes a list of budgets or a mapping of names to budgets");
}

/* The origin's policies.yaml: one profile's daily and monthly budgets, reset
 * at midnight UTC as the origin does. */
static bool
load_policies(struct loader *l, const json_t *root)
{
	const json_t *pol = json_object_get(root, "policies");
	const char *profile = l->o->profile ? l->o->profile : "default";
	if (!json_is_object(pol))
		return fail_at(l, pol, "policies: takes a mapping of profiles");
	const json_t *p = json_object_get(pol, profile);
	if (!p) {
		char tmp[64];
		struct buf list = {0};
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)pol, k, v) {
			char kt[64];
			if (list.len > 300) {
				buf_adds(&list, ", ...");
				break;
			}
			buf_printf(&list, "%s%s", list.len ? ", " : "", shown(k, kt, sizeof kt));
		}
		fail_key(l, root, "policies", "no profile '%s' in policies (available: %s)",
			 shown(profile, tmp, sizeof tmp), list.len ? list.data : "none");
		buf_free(&list);
		return false;
	}
	if (!json_is_object(p))
		return fail_at(l, p, "a profile is a mapping");
	l->out->from_policies = true;
	l->out->profile = xstrdup(profile);
	bool soft = false;
	int64_t centi = 0;
	const json_t *lim = json_object_get(p, "limit");
	if (lim) {
		if (!json_is_object(lim))
			return fail_at(l, lim, "limit takes a mapping: {type: soft|hard, threshold_percent: N}");
		const json_t *t = json_object_get(lim, "type");
		if (t) {
			const char *s = json_is_string(t) ? json_string_value(t) : "";
			if (strcmp(s, "soft") == 0)
				soft = true;
			else if (strcmp(s, "hard") != 0)
				return fail_at(l, t, "limit.type takes soft or hard");
		}
		const json_t *th = json_object_get(lim, "threshold_percent");
		if (th && !read_pct(l, th, "threshold_percent", &centi))
			return false;
	}
	static const struct {
		const char *key, *suffix, *period;
		enum period_kind kind;
	} which[] = {
		{"daily_budget_usd", "daily", "day", P_DAY},
		{"monthly_budget_usd", "monthly", "month", P_MONTH},
	};
	for (size_t i = 0; i < sizeof which / sizeof which[0]; i++) {
		const json_t *v = json_object_get(p, which[i].key);
		if (!v)
			continue;
		struct budget *b = new_budget(l->out);
		size_t n = strlen(profile) + strlen(which[i].suffix) + 2;
		b->name = xmalloc(n);
		snprintf(b->name, n, "%s-%s", profile, which[i].suffix);
		b->period = xstrdup(which[i].period);
		b->kind = which[i].kind;
		if (!read_usd(l, v, which[i].key, &b->limit_usd))
			return false;
		b->has_limit_usd = true;
		b->enforce_soft = soft;
		if (centi)
			soft_from_pct(b, centi);
		if (!zone_or_default(l, b, l->o->timezone ? l->o->timezone : "UTC"))
			return false;
	}
	if (l->out->n == 0)
		return fail_at(l, p, "profile '%s' has neither daily_budget_usd nor monthly_budget_usd", profile);
	return true;
}

bool
budgets_parse(const char *text, size_t len, const struct budgets_opts *o, struct budgets *out,
	      struct budgets_error *err)
{
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	struct loader l = {.err = err, .o = o, .out = out};
	struct yaml_error ye;
	struct yaml_opts yo = {.max_nodes = 100000, .single_document = true, .unique_keys = true};
	if (!yaml_load(text, len, &yo, &l.doc, &ye)) {
		err->line = ye.line;
		err->col = ye.col;
		snprintf(err->message, sizeof err->message, "%s", ye.message);
		return false;
	}
	bool ok;
	const json_t *root = l.doc.root;
	if (!json_is_object(root))
		ok = fail_at(&l, root, "a budgets file is a mapping with budgets: (or the origin's policies:)");
	else if (json_object_get(root, "policies") && json_object_get(root, "budgets"))
		ok = fail_key(&l, root, "budgets", "a file holds either budgets: or the origin's policies:, not both");
	else if (json_object_get(root, "policies"))
		ok = load_policies(&l, root);
	else if (o->profile)
		ok = fail_at(&l, root, "--profile picks a profile of the origin's policies.yaml; this file has no policies:");
	else
		ok = load_budgets(&l, root);
	yaml_doc_free(&l.doc);
	if (!ok) {
		if (err->line == 0) /* no position known: the file's start */
			err->line = err->col = 1;
		budgets_free(out);
	}
	return ok;
}

void
budgets_free(struct budgets *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct budget *x = &b->v[i];
		free(x->name);
		free(x->period);
		tz_close(x->tz);
		for (int f = 0; f < MF_COUNT; f++) {
			for (size_t k = 0; k < x->nglobs[f]; k++)
				free(x->globs[f][k]);
			free(x->globs[f]);
		}
	}
	free(b->v);
	free(b->profile);
	memset(b, 0, sizeof *b);
}

void
budgets_windows(struct budgets *bs, int64_t now)
{
	for (size_t i = 0; i < bs->n; i++) {
		struct budget *b = &bs->v[i];
		b->has_start = b->has_end = true;
		switch (b->kind) {
		case P_DAY: tz_period(b->tz, PERIOD_DAY, now, &b->start, &b->end); break;
		case P_WEEK: tz_period(b->tz, PERIOD_WEEK, now, &b->start, &b->end); break;
		case P_MONTH: tz_period(b->tz, PERIOD_MONTH, now, &b->start, &b->end); break;
		case P_ROLLING:
			b->start = now - b->rolling_ms;
			b->end = now;
			break;
		case P_TOTAL: b->has_start = b->has_end = false; break;
		}
	}
}

struct str
call_field(const struct call *c, enum match_field f)
{
	struct str s = STR_NULL;
	switch (f) {
	case MF_AGENT: s = c->agent; break;
	case MF_TOOL: s = c->tool; break;
	case MF_MODEL: s = c->model; break;
	case MF_TASK_ID: s = c->task_id; break;
	case MF_STATUS:
		s = c->status_text;
		if (!s.p)
			s = c->status == ST_RUNNING ? (struct str){"running", 7} : (struct str){"success", 7};
		break;
	case MF_COUNT: break;
	}
	return s.p ? s : (struct str){"", 0};
}

/* The text of a call's field, NUL-terminated for fnmatch: in buf when it
 * fits, else in *heap. */
static const char *
field_text(const struct call *c, enum match_field f, char *buf, size_t n, char **heap)
{
	struct str s = call_field(c, f);
	char *dst = buf;
	if (s.n >= n)
		dst = *heap = xmalloc(s.n + 1);
	memcpy(dst, s.p, s.n);
	dst[s.n] = '\0';
	return dst;
}

bool
budget_field_matches(const struct budget *b, enum match_field f, const char *text)
{
	for (size_t k = 0; k < b->nglobs[f]; k++)
		if (fnmatch(b->globs[f][k], text, 0) == 0)
			return true;
	return b->nglobs[f] == 0;
}

bool
budget_matches(const struct budget *b, const struct call *c)
{
	if (!b->has_match)
		return true;
	for (int f = 0; f < MF_COUNT; f++) {
		if (!b->nglobs[f])
			continue;
		char buf[256], *heap = NULL;
		const char *t = field_text(c, (enum match_field)f, buf, sizeof buf, &heap);
		bool any = false;
		for (size_t k = 0; k < b->nglobs[f] && !any; k++)
			any = fnmatch(b->globs[f][k], t, 0) == 0;
		free(heap);
		if (!any)
			return false;
	}
	return true;
}
