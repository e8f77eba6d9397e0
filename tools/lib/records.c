/* records.c: normalising calls. */
#include "records.h"

#include <stdio.h>
#include <string.h>

#include "timeutil.h"

static const char *
type_name(enum jtype t)
{
	switch (t) {
	case J_NULL: return "null";
	case J_FALSE: case J_TRUE: return "a boolean";
	case J_INT: case J_REAL: return "a number";
	case J_STRING: return "a string";
	case J_OBJECT: return "an object";
	case J_ARRAY: return "an array";
	default: return "absent";
	}
}

/* No call has more tokens of a kind than this; the bound keeps every sum of
 * counts far from overflowing 64 bits. */
#define TOKENS_MAX 1000000000000LL

/* A count: a whole number >= 0 (12 or 12.0); absent or null is 0. */
static bool
count_of(const struct jval *v, const char *name, int64_t *out, char *why, size_t whylen)
{
	*out = 0;
	if (v->t == J_ABSENT || v->t == J_NULL)
		return true;
	if (v->t == J_INT && v->i >= 0 && v->i <= TOKENS_MAX) {
		*out = v->i;
		return true;
	}
	if (v->t == J_REAL) {
		/* 12.0 and 1.2e1 are whole numbers too; 12.5 is not. */
		money_t m;
		if (money_parse(v->s, v->n, 0, &m) && m >= 0 && m % PICO_PER_USD == 0 &&
		    m / PICO_PER_USD <= TOKENS_MAX) {
			*out = (int64_t)(m / PICO_PER_USD);
			return true;
		}
	}
	if ((v->t == J_INT && v->i > TOKENS_MAX) || v->t == J_REAL)
		snprintf(why, whylen, "'%s' must be a whole number from 0 to 10^12", name);
	else
		snprintf(why, whylen, "'%s' must be a whole number >= 0, not %s%s", name,
			 v->t == J_INT ? "" : type_name(v->t), v->t == J_INT ? "a negative number" : "");
	return false;
}

static bool
str_of(const struct jval *v, const char *name, struct str *out, char *why, size_t whylen)
{
	*out = STR_NULL;
	if (v->t == J_ABSENT || v->t == J_NULL)
		return true;
	if (v->t == J_STRING) {
		*out = (struct str){v->s, v->n};
		return true;
	}
	snprintf(why, whylen, "'%s' must be a string, not %s", name, type_name(v->t));
	return false;
}

/* The canonical name wins over the origin's alias. */
static const struct jval *
pick(const struct jfacts *f, enum jfield canon, enum jfield alias)
{
	const struct jval *v = &f->f[canon];
	return v->t != J_ABSENT && v->t != J_NULL ? v : &f->f[alias];
}

static enum call_status
status_of(struct str s)
{
	if (!s.p)
		return ST_NONE;
	if (str_eq(s, "running"))
		return ST_RUNNING;
	if (str_eq(s, "success"))
		return ST_SUCCESS;
	if (str_eq(s, "error") || str_eq(s, "failed"))
		return ST_ERROR;
	if (str_eq(s, "timeout"))
		return ST_TIMEOUT;
	return ST_OTHER;
}

static bool
time_of(const struct jval *v, const char *name, struct call *c, char *why, size_t whylen)
{
	if (v->t == J_ABSENT || v->t == J_NULL)
		return true;
	if (v->t == J_STRING && time_parse(v->s, v->n, false, &c->ts_ms)) {
		c->has_ts = true;
		return true;
	}
	if (v->t == J_STRING)
		snprintf(why, whylen, "'%s' is not an RFC 3339 time: \"%.*s\"", name, (int)(v->n > 40 ? 40 : v->n),
			 v->s);
	else
		snprintf(why, whylen, "'%s' must be a time string, not %s", name, type_name(v->t));
	return false;
}

bool
call_from_record(const struct jfacts *f, struct call *c, char *why, size_t whylen)
{
	memset(c, 0, sizeof *c);
	const struct jval *id = pick(f, F_ID, F_INVOCATION_ID);
	if (id->t == J_STRING || id->t == J_INT)
		c->id = (struct str){id->s, id->n};
	else if (id->t != J_ABSENT && id->t != J_NULL) {
		snprintf(why, whylen, "'id' must be a string, not %s", type_name(id->t));
		return false;
	}
	if (!time_of(pick(f, F_TS, F_TIMESTAMP), f->f[F_TS].t != J_ABSENT ? "ts" : "timestamp", c, why, whylen))
		return false;
	if (!str_of(pick(f, F_AGENT, F_AGENT_NAME), "agent", &c->agent, why, whylen) ||
	    !str_of(pick(f, F_TOOL, F_TOOL_NAME), "tool", &c->tool, why, whylen) ||
	    !str_of(pick(f, F_MODEL, F_MODEL_NAME), "model", &c->model, why, whylen) ||
	    !str_of(&f->f[F_STATUS], "status", &c->status_text, why, whylen))
		return false;
	const struct jval *task = &f->f[F_TASK_ID];
	if (task->t == J_INT)
		c->task_id = (struct str){task->s, task->n};
	else if (!str_of(task, "task_id", &c->task_id, why, whylen))
		return false;
	if (!str_of(&f->f[F_SESSION], "session", &c->session, why, whylen) ||
	    !str_of(&f->f[F_PROJECT], "project", &c->project, why, whylen))
		return false;
	const struct jval *err = &f->f[F_ERROR];
	if (err->t == J_STRING)
		c->error = (struct str){err->s, err->n};
	if (!count_of(pick(f, F_INPUT_TOKENS, F_PROMPT_TOKENS), "input_tokens", &c->tk.input, why, whylen) ||
	    !count_of(pick(f, F_OUTPUT_TOKENS, F_COMPLETION_TOKENS), "output_tokens", &c->tk.output, why, whylen) ||
	    !count_of(&f->f[F_CACHE_READ_TOKENS], "cache_read_tokens", &c->tk.cache_read, why, whylen) ||
	    !count_of(&f->f[F_CACHE_WRITE_TOKENS], "cache_write_tokens", &c->tk.cache_write, why, whylen) ||
	    !count_of(&f->f[F_CACHE_WRITE_1H_TOKENS], "cache_write_1h_tokens", &c->tk.cache_write_1h, why, whylen))
		return false;
	const struct jval *lat = &f->f[F_LATENCY_MS];
	if (lat->t == J_INT || lat->t == J_REAL) {
		if (!count_of(lat, "latency_ms", &c->latency_ms, why, whylen))
			return false;
		c->has_latency = true;
	} else if (lat->t != J_ABSENT && lat->t != J_NULL) {
		snprintf(why, whylen, "'latency_ms' must be a number, not %s", type_name(lat->t));
		return false;
	}
	const struct jval *cost = &f->f[F_COST_USD];
	if (cost->t == J_INT || cost->t == J_REAL) {
		if (!money_parse(cost->s, cost->n, 0, &c->cost) || c->cost < 0) {
			snprintf(why, whylen, "'cost_usd' must be a number of dollars >= 0");
			return false;
		}
		c->has_cost = true;
	} else if (cost->t != J_ABSENT && cost->t != J_NULL) {
		snprintf(why, whylen, "'cost_usd' must be a number, not %s", type_name(cost->t));
		return false;
	}
	c->status = status_of(c->status_text);
	/* A call passed on as unpriced stays so: its cost_usd of 0 is no price. */
	if (f->f[F_UNPRICED].t == J_TRUE) {
		c->has_cost = false;
		c->cost = 0;
	}
	return true;
}

bool
looks_like_claude(const struct jfacts *f)
{
	if (f->f[F_KIND].t != J_ABSENT)
		return false;
	return f->f[F_SESSIONID].t == J_STRING || f->f[F_MESSAGE].t == J_OBJECT ||
	       (f->f[F_TYPE].t == J_STRING && f->f[F_ID].t == J_ABSENT && f->f[F_MODEL].t == J_ABSENT);
}

enum claude_line
claude_from_line(const struct jfacts *f, struct call *c, char *why, size_t whylen)
{
	memset(c, 0, sizeof *c);
	if (!jval_eq(&f->f[F_TYPE], "assistant") || f->f[F_MESSAGE].t != J_OBJECT ||
	    f->f[F_MSG_USAGE].t != J_OBJECT)
		return CLAUDE_SKIP;
	const struct jval *ts = &f->f[F_TIMESTAMP];
	if (ts->t != J_STRING || !time_parse(ts->s, ts->n, false, &c->ts_ms)) {
		snprintf(why, whylen, "a usage line needs an RFC 3339 'timestamp'");
		return CLAUDE_BAD;
	}
	c->has_ts = true;
	int64_t created = 0, c5 = 0, c1h = 0;
	if (!count_of(&f->f[F_U_INPUT], "usage.input_tokens", &c->tk.input, why, whylen) ||
	    !count_of(&f->f[F_U_OUTPUT], "usage.output_tokens", &c->tk.output, why, whylen) ||
	    !count_of(&f->f[F_U_CACHE_READ_INPUT], "usage.cache_read_input_tokens", &c->tk.cache_read, why, whylen) ||
	    !count_of(&f->f[F_U_CACHE_CREATION_INPUT], "usage.cache_creation_input_tokens", &created, why, whylen) ||
	    !count_of(&f->f[F_U_CC_5M], "usage.cache_creation.ephemeral_5m_input_tokens", &c5, why, whylen) ||
	    !count_of(&f->f[F_U_CC_1H], "usage.cache_creation.ephemeral_1h_input_tokens", &c1h, why, whylen))
		return CLAUDE_BAD;
	/* When the usage breaks cache writes down by lifetime, the breakdown is
	 * the truth (and its sum the total); otherwise every write is 5-minute. */
	if (f->f[F_U_CACHE_CREATION].t == J_OBJECT) {
		c->tk.cache_write = c5;
		c->tk.cache_write_1h = c1h;
	} else
		c->tk.cache_write = created;
	const struct jval *model = &f->f[F_MSG_MODEL];
	if (model->t == J_STRING)
		c->model = (struct str){model->s, model->n};
	const struct jval *cost = &f->f[F_COSTUSD];
	if (cost->t == J_INT || cost->t == J_REAL) {
		if (money_parse(cost->s, cost->n, 0, &c->cost) && c->cost >= 0)
			c->has_cost = true;
	}
	if (f->f[F_SESSIONID].t == J_STRING)
		c->session = (struct str){f->f[F_SESSIONID].s, f->f[F_SESSIONID].n};
	c->sidechain = f->f[F_ISSIDECHAIN].t == J_TRUE;
	const struct jval *mid = &f->f[F_MSG_ID], *rid = &f->f[F_REQUESTID];
	if (mid->t == J_STRING && rid->t == J_STRING) {
		uint64_t h = hash64(mid->s, mid->n);
		h = hash64_mix(h, rid->s, rid->n);
		c->dedup_key = h ? h : 1;
	}
	c->status = ST_SUCCESS;
	return CLAUDE_USAGE;
}

int64_t
tokens_total(const struct tokens *tk)
{
	return tk->input + tk->output + tk->cache_read + tk->cache_write + tk->cache_write_1h;
}

void
call_price(const struct price_table *t, struct strmap *cache, struct call *c, bool use_carried)
{
	if (c->has_cost && use_carried)
		return;
	c->cost = 0;
	c->unpriced = false;
	if (c->model.p && str_eq(c->model, "<synthetic>"))
		return;
	const struct model_price *m = c->model.p ? price_find_in(t, cache, c->model.p, c->model.n) : NULL;
	const struct price_period *p = price_at(m, c->has_ts ? c->ts_ms : time_now_ms());
	if (!p) {
		c->unpriced = true;
		return;
	}
	c->cost = price_cost(p, &c->tk);
}
