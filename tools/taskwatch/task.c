/* task.c: one task file. The directory gives the lane (inbox/, assigned/<agent>/,
 * done/[<agent>/], archive/, fridge/); the status field refines it within the
 * lane; a status the lane cannot hold is reported as a conflict, and the lane
 * wins. Fields are read as the origin's files have them, untidy ones too. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonout.h"
#include "taskwatch.h"
#include "timeutil.h"
#include "yamlfast.h"
#include "yamlload.h"

const char *const state_names[] = {
	[ST_NONE] = NULL,
	[ST_NEW] = "new",
	[ST_INBOX] = "inbox",
	[ST_ASSIGNED] = "assigned",
	[ST_IN_PROGRESS] = "in_progress",
	[ST_BLOCKED] = "blocked",
	[ST_DONE] = "done",
	[ST_ERROR] = "error",
	[ST_ARCHIVED] = "archived",
	[ST_FRIDGE] = "fridge",
};

const char *const lane_names[] = {
	[LANE_NONE] = NULL,
	[LANE_INBOX] = "inbox",
	[LANE_ASSIGNED] = "assigned",
	[LANE_DONE] = "done",
	[LANE_ARCHIVE] = "archive",
	[LANE_FRIDGE] = "fridge",
};

static bool
has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

/* Task files are *.yaml and *.yml; editors' and tools' droppings (dotfiles,
 * backups~, .swp, vim's 4913 probe, *.tmp) never match that, and a dotfile
 * such as ".x.yaml" is a temporary of some writer. */
bool
is_task_name(const char *name)
{
	size_t n = strlen(name);
	if (name[0] == '.')
		return false;
	return (has_suffix(name, n, ".yaml") && n > 5) || (has_suffix(name, n, ".yml") && n > 4);
}

bool
is_ignored_dir(const char *name)
{
	return name[0] == '.';
}

/* The lane and the agent directory of a path below the root: the outermost
 * component that names a lane, so an agent called "inbox" under assigned/
 * stays an agent. */
static enum lane
lane_of(const char *rel, const char **agent, size_t *agent_len)
{
	*agent = NULL;
	*agent_len = 0;
	const char *p = rel;
	for (;;) {
		const char *slash = strchr(p, '/');
		if (!slash)
			return LANE_NONE; /* the file name itself */
		size_t n = (size_t)(slash - p);
		enum lane l = LANE_NONE;
		for (int i = LANE_INBOX; i <= LANE_FRIDGE; i++)
			if (strlen(lane_names[i]) == n && memcmp(p, lane_names[i], n) == 0)
				l = (enum lane)i;
		if (l != LANE_NONE) {
			const char *next = slash + 1;
			const char *slash2 = strchr(next, '/');
			if ((l == LANE_ASSIGNED || l == LANE_DONE) && slash2 && slash2 > next) {
				*agent = next;
				*agent_len = (size_t)(slash2 - next);
			}
			return l;
		}
		p = slash + 1;
	}
}

/* "In Progress", "in-progress", "IN_PROGRESS" are one status; "pending" is
 * new and "failed" is error, as the origin's files use them. */
static enum task_state
state_of_status(const char *s)
{
	char norm[32];
	size_t n = 0;
	while (*s == ' ')
		s++;
	for (; *s && n + 1 < sizeof norm; s++) {
		char c = *s;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c == '-' || c == ' ')
			c = '_';
		norm[n++] = c;
	}
	if (*s)
		return ST_NONE;
	while (n > 0 && norm[n - 1] == '_')
		n--;
	norm[n] = '\0';
	static const struct {
		const char *name;
		enum task_state st;
	} map[] = {
		{"new", ST_NEW},         {"pending", ST_NEW},           {"inbox", ST_INBOX},
		{"assigned", ST_ASSIGNED}, {"in_progress", ST_IN_PROGRESS}, {"blocked", ST_BLOCKED},
		{"done", ST_DONE},       {"completed", ST_DONE},        {"error", ST_ERROR},
		{"failed", ST_ERROR},    {"archived", ST_ARCHIVED},     {"archive", ST_ARCHIVED},
		{"fridge", ST_FRIDGE},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(norm, map[i].name) == 0)
			return map[i].st;
	return ST_NONE;
}

/* The state of a task in a lane with a status (ST_NONE: none or unknown);
 * *conflict when the status is one the lane cannot hold. */
static enum task_state
state_in_lane(enum lane lane, enum task_state status, bool *conflict)
{
	*conflict = false;
	switch (lane) {
	case LANE_INBOX:
		if (status == ST_NEW || status == ST_INBOX)
			return status;
		*conflict = status != ST_NONE;
		return ST_NEW;
	case LANE_ASSIGNED:
		if (status == ST_ASSIGNED || status == ST_IN_PROGRESS || status == ST_BLOCKED || status == ST_ERROR)
			return status;
		*conflict = status != ST_NONE;
		return ST_ASSIGNED;
	case LANE_DONE:
		*conflict = status != ST_NONE && status != ST_DONE;
		return ST_DONE;
	case LANE_ARCHIVE:
		*conflict = status != ST_NONE && status != ST_ARCHIVED && status != ST_DONE;
		return ST_ARCHIVED;
	case LANE_FRIDGE:
		*conflict = status != ST_NONE && status != ST_FRIDGE && status != ST_NEW && status != ST_INBOX &&
			    status != ST_BLOCKED;
		return ST_FRIDGE;
	case LANE_NONE:
		break;
	}
	return status != ST_NONE ? status : ST_NEW;
}

/* A field as text: strings as they are, numbers as written; other types
 * (lists, mappings, booleans, null) are no value. */
static char *
field_text(const json_t *v)
{
	if (json_is_string(v))
		return xstrndup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v)) {
		char b[32];
		snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
		return xstrdup(b);
	}
	if (json_is_real(v)) {
		char *s = json_dumps(v, JSON_ENCODE_ANY);
		return s ? s : NULL;
	}
	return NULL;
}

static char *
lowercase(char *s)
{
	for (char *p = s; p && *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

enum { F_ID, F_TASK_ID, F_STATUS, F_AGENT, F_TITLE, F_PRIORITY, NFIELDS };
static const char *const field_keys[NFIELDS] = {"id", "task_id", "status", "agent", "title", "priority"};

static void
set_error(struct parsed *out, long line, long col, const char *msg)
{
	out->info.valid = false;
	out->err_line = line;
	out->err_col = col;
	free(out->err);
	out->err = xstrdup(msg);
}

/* The id a path gives: the file name without its extension. */
static char *
id_of_path(const char *rel)
{
	const char *base = strrchr(rel, '/');
	base = base ? base + 1 : rel;
	const char *dot = strrchr(base, '.');
	return xstrndup(base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
}

void
task_parse(const char *rel, const char *text, size_t len, size_t max_size, struct parsed *out)
{
	struct task_info *t = &out->info;
	const char *dir_agent;
	size_t dir_agent_len;
	t->lane = lane_of(rel, &dir_agent, &dir_agent_len);
	t->hash = hash64(text, len);
	t->size = (off_t)len;
	t->valid = true;
	out->exists = true;
	out->json.len = 0;
	free(out->err);
	out->err = NULL;
	out->err_line = out->err_col = 0;

	if (len > max_size) {
		char msg[96];
		snprintf(msg, sizeof msg, "file is larger than %zu bytes", max_size);
		set_error(out, 0, 0, msg);
	}

	struct yaml_fast_want want[NFIELDS];
	for (int i = 0; i < NFIELDS; i++)
		want[i] = (struct yaml_fast_want){.key = field_keys[i]};
	if (t->valid && !yaml_fast_json(text, len, &out->json, want, NFIELDS)) {
		/* Outside the fast path's subset: the library decides. */
		struct yaml_doc doc = {0};
		struct yaml_error err;
		struct yaml_opts yo = {.single_document = true, .max_nodes = 100000, .max_depth = 64};
		if (memchr(text, '\0', len)) {
			set_error(out, 0, 0, "file contains a NUL byte");
		} else if (!yaml_load(text, len, &yo, &doc, &err)) {
			set_error(out, err.line, err.col, err.message);
		} else if (!json_is_object(doc.root)) {
			long l = 1, c = 1;
			yaml_value_pos(&doc, doc.root, &l, &c);
			set_error(out, l, c, "a task file must be a mapping");
		} else {
			json_dump_callback(doc.root, jw_dump_to_buf, &out->json, JSON_COMPACT | JSON_ENCODE_ANY);
			for (int i = 0; i < NFIELDS; i++) {
				json_t *v = json_object_get(doc.root, field_keys[i]);
				if (v && !json_is_object(v) && !json_is_array(v))
					want[i].value = json_incref(v);
			}
		}
		yaml_doc_free(&doc);
	}

	char *status = NULL;
	if (t->valid) {
		t->id = field_text(want[F_ID].value);
		if (!t->id || !*t->id) {
			free(t->id);
			t->id = field_text(want[F_TASK_ID].value);
		}
		status = field_text(want[F_STATUS].value);
		if (status && !status[strspn(status, " \t\n")]) {
			free(status); /* an empty status says nothing */
			status = NULL;
		}
		t->title = field_text(want[F_TITLE].value);
		t->priority = lowercase(field_text(want[F_PRIORITY].value));
		t->agent = field_text(want[F_AGENT].value);
	}
	for (int i = 0; i < NFIELDS; i++)
		json_decref(want[i].value);
	if (!t->id || !*t->id) {
		free(t->id);
		t->id = id_of_path(rel);
	}
	if (dir_agent) {
		/* The directory says who holds the task now. */
		free(t->agent);
		t->agent = xstrndup(dir_agent, dir_agent_len);
	}
	if (!t->valid) {
		t->state = ST_NONE;
		free(status);
		return;
	}
	enum task_state st = status ? state_of_status(status) : ST_NONE;
	bool conflict;
	t->state = state_in_lane(t->lane, st, &conflict);
	if ((conflict || (status && st == ST_NONE)) && status)
		t->conflict = status;
	else
		free(status);
}

static _Thread_local struct buf read_buf;

/* A file that is there but cannot be read is an invalid task, not a gone one. */
static void
read_error(const char *rel, int err, struct parsed *out)
{
	memset(&out->info, 0, sizeof out->info);
	out->exists = true;
	out->info.id = id_of_path(rel);
	const char *agent;
	size_t alen;
	out->info.lane = lane_of(rel, &agent, &alen);
	if (agent)
		out->info.agent = xstrndup(agent, alen);
	set_error(out, 0, 0, strerror(err));
}

void
task_read(const char *path, const char *rel, size_t max_size, struct parsed *out)
{
	task_read_at(AT_FDCWD, path, rel, max_size, out);
}

void
task_read_at(int dirfd, const char *name, const char *rel, size_t max_size, struct parsed *out)
{
	memset(&out->info, 0, sizeof out->info);
	out->exists = false;
	out->json.len = 0;
	free(out->err);
	out->err = NULL;
	/* O_NOFOLLOW: a symlink never leads out of the tree; O_NONBLOCK: a FIFO
	 * named like a task does not hang the watcher. */
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
			read_error(rel, errno, out);
		return;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return;
	}
	size_t cap = (size_t)st.st_size < max_size ? (size_t)st.st_size + 1 : max_size + 1;
	/* Each thread reads into its own buffer, kept between files. */
	if (read_buf.cap < cap + 1)
		buf_reserve(&read_buf, cap + 1);
	char *text = read_buf.data;
	size_t len = 0;
	for (;;) {
		ssize_t r = read(fd, text + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(fd);
			read_error(rel, e, out);
			return;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len == (size_t)st.st_size && len < cap)
			break; /* all of it, as fstat said: spare the read that finds the end */
		if (len == cap) {
			if (cap > max_size)
				break; /* enough to know it is too large */
			cap = cap * 2 > max_size + 1 ? max_size + 1 : cap * 2;
			buf_reserve(&read_buf, cap + 1);
			text = read_buf.data;
		}
	}
	close(fd);
	task_parse(rel, text, len, max_size, out);
	out->info.dev = st.st_dev;
	out->info.ino = st.st_ino;
	out->info.mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	out->info.ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
	if (len > max_size)
		out->info.size = st.st_size;
}

void
task_read_done(void)
{
	buf_free(&read_buf);
}

void
task_info_free(struct task_info *t)
{
	free(t->id);
	free(t->agent);
	free(t->title);
	free(t->priority);
	free(t->conflict);
	memset(t, 0, sizeof *t);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
task_info_copy(struct task_info *dst, const struct task_info *src)
{
	*dst = *src;
	dst->id = dup_or_null(src->id);
	dst->agent = dup_or_null(src->agent);
	dst->title = dup_or_null(src->title);
	dst->priority = dup_or_null(src->priority);
	dst->conflict = dup_or_null(src->conflict);
}

void
parsed_free(struct parsed *p)
{
	task_info_free(&p->info);
	buf_free(&p->json);
	free(p->err);
	p->err = NULL;
}

void
format_event(struct buf *out, const char *event, const char *ts, const char *path, const char *prev_path,
	     const struct task_info *prev, const struct parsed *cur)
{
	struct jw w = {.b = *out};
	const struct task_info *t = cur ? &cur->info : prev;
	bool invalid = cur && !cur->info.valid;
	jw_begin(&w);
	jw_cstr(&w, "kind", "task");
	jw_cstr(&w, "event", invalid && strcmp(event, "moved") != 0 ? "invalid" : event);
	jw_cstr(&w, "ts", ts);
	jw_cstr(&w, "path", path);
	if (prev_path)
		jw_cstr(&w, "prev_path", prev_path);
	jw_cstr(&w, "id", t->id);
	if (cur && cur->info.valid)
		jw_cstr(&w, "state", state_names[cur->info.state]);
	if (prev && prev->valid)
		jw_cstr(&w, "prev_state", state_names[prev->state]);
	jw_cstr(&w, "lane", lane_names[t->lane]);
	jw_cstr(&w, "agent", t->agent);
	jw_cstr(&w, "title", t->title);
	jw_cstr(&w, "priority", t->priority);
	if (t->valid && t->conflict) {
		jw_object_begin(&w, "conflict");
		jw_cstr(&w, "status", t->conflict);
		jw_cstr(&w, "lane", lane_names[t->lane]);
		jw_object_end(&w);
	}
	if (invalid) {
		jw_object_begin(&w, "error");
		jw_cstr(&w, "message", cur->err);
		if (cur->err_line > 0) {
			jw_int(&w, "line", cur->err_line);
			jw_int(&w, "column", cur->err_col);
		} else {
			jw_cstr(&w, "line", NULL);
			jw_cstr(&w, "column", NULL);
		}
		jw_object_end(&w);
	} else if (cur && cur->json.len) {
		jw_raw(&w, "task", cur->json.data, cur->json.len);
	}
	buf_add(&w.b, "}\n", 2);
	*out = w.b;
}

void
event_time(char *ts)
{
	time_format_rfc3339(time_now_ms(), ts, true);
}

static struct buf ev_line;

void
emit_event(const char *event, const char *path, const char *prev_path, const struct task_info *prev,
	   const struct parsed *cur)
{
	char ts[TIME_BUFSZ];
	event_time(ts);
	ev_line.len = 0;
	format_event(&ev_line, event, ts, path, prev_path, prev, cur);
	out_write(ev_line.data, ev_line.len);
}

void
emit_marker(const char *event, const char *key, long n, const char *key2, long n2)
{
	struct jw ww = {.b = ev_line};
	struct jw *w = &ww;
	char ts[TIME_BUFSZ];
	event_time(ts);
	jw_begin(w);
	jw_cstr(w, "kind", "task");
	jw_cstr(w, "event", event);
	jw_cstr(w, "ts", ts);
	if (key)
		jw_int(w, key, n);
	if (key2)
		jw_int(w, key2, n2);
	jw_end(w);
	ev_line = ww.b;
}
