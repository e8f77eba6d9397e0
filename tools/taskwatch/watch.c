/* watch.c: the model of the tree, and keeping it equal to the disk.
 *
 * The model maps each task file's path to what the last event said of it, so
 * a consumer that applies the events in order holds the same map. Every
 * change of a path marks it pending; once the path has been quiet for the
 * settle time (and no writer has it open), it is reconciled: read, compared
 * with the model, and the difference emitted. Reconciling is idempotent, so
 * a path marked twice, or by both a scan and an event, gives one event. A
 * rename of a known task within the tree is the exception: it is paired by
 * cookie and emitted at once as one "moved". */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "taskwatch.h"
#include "timeutil.h"

#define WATCH_MASK \
	(IN_CREATE | IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF | \
	 IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW | IN_EXCL_UNLINK)

/* How long a rename's second half may lag behind its first. */
#define PAIR_WAIT_MS 5
/* How long a file may stay open for writing before it is read anyway. */
#define WRITER_WAIT_MS 2000

struct root {
	char *path; /* as given, without trailing slashes */
	size_t rel_off;
	bool gone;
};

struct dir {
	int wd;
	int root;
	char *path;
	bool seen; /* by the current rescan */
};

struct entry {
	struct task_info info;
	int root;
};

struct pending {
	char *path;
	int root;
	int64_t deadline;
	int64_t writing_since; /* 0: no writer known to hold it open */
	struct pending *prev, *next;
};

struct watcher {
	const struct options *o;
	struct root *roots;
	int nroots;
	int fd;               /* inotify, or -1 when polling */
	struct table model;   /* path -> struct entry */
	struct table dirs;    /* wd (as bytes) -> struct dir */
	struct table pend;    /* path -> struct pending */
	struct pending *head, *tail; /* by deadline */
	bool overflow;
	long ntasks, ninvalid; /* for "ready" */
};

static volatile sig_atomic_t stop_signal;

static void
on_signal(int sig)
{
	stop_signal = sig;
}

static int64_t
mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
finish(int code)
{
	task_read_done();
	out_close();
	exit(code);
}

static void
check_stop(void)
{
	if (stop_signal)
		finish(EXIT_OK);
}

static char *
join(const char *dir, const char *name)
{
	struct buf b = {0};
	buf_adds(&b, dir);
	if (b.len == 0 || b.data[b.len - 1] != '/')
		buf_addc(&b, '/');
	buf_adds(&b, name);
	buf_addc(&b, '\0');
	return b.data;
}

static bool
under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || (n > 0 && dir[n - 1] == '/'));
}

static const char *
rel_of(const struct watcher *w, int root, const char *path)
{
	return path + w->roots[root].rel_off;
}

/* The model. */

static struct entry *
model_get(struct watcher *w, const char *path)
{
	return table_get(&w->model, path, strlen(path));
}

static void
entry_free(struct entry *e)
{
	if (e) {
		task_info_free(&e->info);
		free(e);
	}
}

/* Record what was just emitted for path; takes p's info. */
static void
model_set(struct watcher *w, const char *path, int root, struct parsed *p)
{
	struct entry *e = xcalloc(1, sizeof *e);
	e->info = p->info;
	e->root = root;
	memset(&p->info, 0, sizeof p->info);
	entry_free(table_put(&w->model, path, strlen(path), e));
}

/* Keys of a table under a directory, sorted, so events come in path order. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **
keys_under(const struct table *t, const char *dir, size_t *n)
{
	char **v = NULL;
	size_t k = 0, cap = 0;
	table_foreach(t, s) {
		if (!under(s->key, dir))
			continue;
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[k++] = xstrdup(s->key);
	}
	if (k)
		qsort(v, k, sizeof *v, cmp_str);
	*n = k;
	return v;
}

static void
free_keys(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Pending paths, in deadline order (every deadline is a touch plus the same
 * settle time, so the list stays sorted by appending). */

static void
pend_unlink(struct watcher *w, struct pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		w->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else
		w->tail = p->prev;
	p->prev = p->next = NULL;
}

static void
pend_append(struct watcher *w, struct pending *p)
{
	p->prev = w->tail;
	p->next = NULL;
	if (w->tail)
		w->tail->next = p;
	else
		w->head = p;
	w->tail = p;
}

static void
pend_drop(struct watcher *w, const char *path)
{
	struct pending *p = table_del(&w->pend, path, strlen(path));
	if (p) {
		pend_unlink(w, p);
		free(p->path);
		free(p);
	}
}

enum writer { W_KEEP, W_OPEN, W_CLOSED };

static void
touch(struct watcher *w, const char *path, int root, enum writer writer)
{
	struct pending *p = table_get(&w->pend, path, strlen(path));
	int64_t now = mono_ms();
	if (p) {
		pend_unlink(w, p);
	} else {
		p = xcalloc(1, sizeof *p);
		p->path = xstrdup(path);
		table_put(&w->pend, path, strlen(path), p);
	}
	p->root = root;
	p->deadline = now + w->o->settle_ms;
	if (writer == W_OPEN && !p->writing_since)
		p->writing_since = now;
	else if (writer == W_CLOSED)
		p->writing_since = 0;
	pend_append(w, p);
}

/* Bring the model's entry for path in line with the disk. */
static void
reconcile(struct watcher *w, const char *path, int root)
{
	struct entry *e = model_get(w, path);
	struct parsed p = {0};
	task_read(path, rel_of(w, root, path), w->o->max_size, &p);
	if (!p.exists) {
		if (e) {
			emit_event("deleted", path, NULL, &e->info, NULL);
			entry_free(table_del(&w->model, path, strlen(path)));
		}
	} else if (e && e->info.hash == p.info.hash && e->info.size == p.info.size &&
		   e->info.valid == p.info.valid) {
		e->info.ino = p.info.ino;
		e->info.dev = p.info.dev;
		e->info.mtime_ns = p.info.mtime_ns;
		e->info.ctime_ns = p.info.ctime_ns;
	} else {
		if (!p.info.valid)
			warnat(path, p.err_line, p.err_col, "%s", p.err);
		emit_event(e ? "updated" : "created", path, NULL, e ? &e->info : NULL, &p);
		model_set(w, path, root, &p);
	}
	parsed_free(&p);
}

/* Reconcile every pending path whose time has come. */
static void
settle_due(struct watcher *w)
{
	int64_t now = mono_ms();
	while (w->head && w->head->deadline <= now) {
		struct pending *p = w->head;
		pend_unlink(w, p);
		if (p->writing_since && now - p->writing_since < WRITER_WAIT_MS) {
			/* Still being written: wait for its close. */
			p->deadline = now + w->o->settle_ms;
			pend_append(w, p);
			continue;
		}
		table_del(&w->pend, p->path, strlen(p->path));
		reconcile(w, p->path, p->root);
		free(p->path);
		free(p);
		check_stop();
	}
}

/* A known task renamed within the tree: one event, at once. */
static void
move_file(struct watcher *w, const char *from, const char *to, int to_root)
{
	struct entry *e = table_del(&w->model, from, strlen(from));
	pend_drop(w, from);
	if (!e)
		return;
	struct parsed p = {0};
	task_read(to, rel_of(w, to_root, to), w->o->max_size, &p);
	if (!p.exists) {
		/* Gone again already: say so; what replaced it comes by its own events. */
		emit_event("deleted", from, NULL, &e->info, NULL);
		touch(w, to, to_root, W_CLOSED);
	} else {
		if (!p.info.valid)
			warnat(to, p.err_line, p.err_col, "%s", p.err);
		emit_event("moved", to, from, &e->info, &p);
		model_set(w, to, to_root, &p);
	}
	parsed_free(&p);
	entry_free(e);
}

/* Directories. */

static struct dir *
dir_get(struct watcher *w, int wd)
{
	return table_get(&w->dirs, (const char *)&wd, sizeof wd);
}

static bool
watch_dir(void *ctx, int root, const char *path, size_t rel_off)
{
	struct watcher *w = ctx;
	/* A root given as a symlink is followed; nothing below it is. */
	bool is_root = strlen(path) + 1 == rel_off || strcmp(path, "/") == 0;
	int wd = inotify_add_watch(w->fd, path, is_root ? WATCH_MASK & ~(uint32_t)IN_DONT_FOLLOW : WATCH_MASK);
	if (wd < 0) {
		int e = errno;
		if (errno == ENOSPC) {
			FILE *f = fopen("/proc/sys/fs/inotify/max_user_watches", "r");
			long limit = -1;
			if (f) {
				if (fscanf(f, "%ld", &limit) != 1)
					limit = -1;
				fclose(f);
			}
			die(EXIT_SOFTWARE,
			    "%s: cannot watch: the limit of inotify watches is reached (fs.inotify.max_user_watches = %ld); "
			    "raise it with sysctl, or use --poll",
			    path, limit);
		}
		if (!is_root && e != ENOENT && e != ENOTDIR)
			warnx("%s: cannot watch: %s", path, strerror(e));
		errno = e;
		return false;
	}
	struct dir *d = dir_get(w, wd);
	if (!d) {
		d = xcalloc(1, sizeof *d);
		d->wd = wd;
		table_put(&w->dirs, (const char *)&wd, sizeof wd, d);
	} else if (strcmp(d->path, path) != 0) {
		free(d->path);
		d->path = NULL;
	}
	if (!d->path)
		d->path = xstrdup(path);
	d->root = root;
	d->seen = true;
	return true;
}

static void
dir_free(struct dir *d)
{
	free(d->path);
	free(d);
}

/* A directory created in, or moved into, the tree: watch it and everything
 * below, and report every task already there. */
static void
dir_added(struct watcher *w, const char *path, int root)
{
	struct found_list list = {0};
	scan_tree(path, root, w->roots[root].rel_off, watch_dir, w, &list);
	for (size_t i = 0; i < list.n; i++)
		touch(w, list.v[i].path, root, W_CLOSED);
	found_list_free(&list);
}

/* A directory gone from the tree (deleted, or moved out of it). */
static void
dir_removed(struct watcher *w, const char *path)
{
	int *wds = NULL;
	size_t n = 0;
	table_foreach(&w->dirs, s) {
		struct dir *d = s->value;
		if (strcmp(d->path, path) == 0 || under(d->path, path)) {
			wds = xreallocarray(wds, n + 1, sizeof *wds);
			wds[n++] = d->wd;
		}
	}
	for (size_t i = 0; i < n; i++) {
		inotify_rm_watch(w->fd, wds[i]);
		dir_free(table_del(&w->dirs, (const char *)&wds[i], sizeof wds[i]));
	}
	free(wds);
	size_t k;
	char **keys = keys_under(&w->model, path, &k);
	for (size_t i = 0; i < k; i++) {
		struct entry *e = table_del(&w->model, keys[i], strlen(keys[i]));
		emit_event("deleted", keys[i], NULL, &e->info, NULL);
		entry_free(e);
	}
	free_keys(keys, k);
	keys = keys_under(&w->pend, path, &k);
	for (size_t i = 0; i < k; i++)
		pend_drop(w, keys[i]);
	free_keys(keys, k);
}

static char *
rebase(const char *path, const char *from, const char *to)
{
	size_t n = strlen(from);
	struct buf b = {0};
	buf_adds(&b, to);
	buf_adds(&b, path + n);
	buf_addc(&b, '\0');
	return b.data;
}

/* A directory renamed within the tree: its watches keep working under the
 * new name, and every task below it has moved. */
static void
dir_renamed(struct watcher *w, const char *from, const char *to, int to_root)
{
	table_foreach(&w->dirs, s) {
		struct dir *d = s->value;
		if (strcmp(d->path, from) == 0 || under(d->path, from)) {
			char *np = rebase(d->path, from, to);
			free(d->path);
			d->path = np;
			d->root = to_root;
		}
	}
	size_t k;
	char **keys = keys_under(&w->pend, from, &k);
	for (size_t i = 0; i < k; i++) {
		char *np = rebase(keys[i], from, to);
		struct pending *p = table_del(&w->pend, keys[i], strlen(keys[i]));
		pend_drop(w, np);
		free(p->path);
		p->path = np;
		p->root = to_root;
		table_put(&w->pend, np, strlen(np), p);
	}
	free_keys(keys, k);
	keys = keys_under(&w->model, from, &k);
	for (size_t i = 0; i < k; i++) {
		char *np = rebase(keys[i], from, to);
		move_file(w, keys[i], np, to_root);
		free(np);
	}
	free_keys(keys, k);
}

/* Scans: the snapshot, a rescan after an overflow, and each poll. */

struct scan_ctx {
	struct watcher *w;
};

static void
deliver_nothing(void *arg, struct found *f)
{
	(void)arg;
	(void)f;
	check_stop();
}

static void
deliver_snapshot(void *arg, struct found *f)
{
	struct scan_ctx *c = arg;
	struct watcher *w = c->w;
	check_stop();
	if (!f->p.exists)
		return; /* gone between listing and reading */
	if (!f->p.info.valid) {
		warnat(f->path, f->p.err_line, f->p.err_col, "%s", f->p.err);
		w->ninvalid++;
	} else {
		w->ntasks++;
	}
	if (f->line.len)
		out_write(f->line.data, f->line.len);
	model_set(w, f->path, f->root, &f->p);
	parsed_free(&f->p);
	buf_free(&f->line);
}

static void root_gone(struct watcher *w, int root);

/* List every root's task files; a root that cannot be read is an error at
 * the start, and gone later. */
static void
list_roots(struct watcher *w, bool watch, bool initial, struct found_list *list)
{
	for (int i = 0; i < w->nroots; i++) {
		if (w->roots[i].gone)
			continue;
		if (scan_tree(w->roots[i].path, i, w->roots[i].rel_off, watch ? watch_dir : NULL, w, list))
			continue;
		if (initial)
			die(EXIT_NOINPUT, "%s:", w->roots[i].path);
		root_gone(w, i);
	}
}

static void
snapshot(struct watcher *w, bool watch)
{
	struct found_list list = {0};
	list_roots(w, watch, true, &list);
	struct scan_ctx c = {.w = w};
	/* One time for the whole snapshot: when the scan began. */
	char ts[TIME_BUFSZ];
	event_time(ts);
	scan_read(&list, w->o->threads, w->o->max_size, w->o->snapshot ? ts : NULL, deliver_snapshot, &c);
	found_list_free(&list);
	emit_marker("ready", "tasks", w->ntasks, "invalid", w->ninvalid);
	out_flush();
}

static bool
same_stat(const struct task_info *a, const struct stat *st)
{
	return a->ino == st->st_ino && a->dev == st->st_dev && a->size == st->st_size &&
	       a->mtime_ns == (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec &&
	       a->ctime_ns == (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

static void
ino_key(char *key, dev_t dev, ino_t ino)
{
	memcpy(key, &dev, sizeof dev);
	memcpy(key + sizeof dev, &ino, sizeof ino);
}

/* Make the model equal to a fresh scan of the disk, emitting the
 * differences: what vanished while a file of the same inode and bytes
 * appeared is a move. */
static void
rescan(struct watcher *w, bool trust_stat)
{
	if (w->fd >= 0)
		table_foreach(&w->dirs, s) ((struct dir *)s->value)->seen = false;
	struct found_list list = {0};
	list_roots(w, w->fd >= 0, false, &list);
	if (w->fd >= 0) {
		/* Directories gone while events were lost. */
		int *stale = NULL;
		size_t n = 0;
		table_foreach(&w->dirs, s) {
			struct dir *d = s->value;
			if (!d->seen) {
				stale = xreallocarray(stale, n + 1, sizeof *stale);
				stale[n++] = d->wd;
			}
		}
		for (size_t i = 0; i < n; i++) {
			inotify_rm_watch(w->fd, stale[i]);
			dir_free(table_del(&w->dirs, (const char *)&stale[i], sizeof stale[i]));
		}
		free(stale);
	}
	struct table found = {0};
	for (size_t i = 0; i < list.n; i++) {
		struct found *f = &list.v[i];
		table_put(&found, f->path, strlen(f->path), f);
		struct entry *e = model_get(w, f->path);
		struct stat st;
		if (trust_stat && e && fstatat(AT_FDCWD, f->path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    same_stat(&e->info, &st))
			f->skip = true;
	}
	scan_read(&list, w->o->threads, w->o->max_size, NULL, deliver_nothing, NULL);

	/* What vanished; by inode, what may have moved (hard links and files
	 * that could not be read are never paired). */
	char **gone = NULL;
	size_t ngone = 0;
	struct table by_ino = {0};
	char key[sizeof(dev_t) + sizeof(ino_t)];
	table_foreach(&w->model, s) {
		struct found *f = table_get(&found, s->key, s->len);
		if (f && (f->skip || f->p.exists))
			continue;
		gone = xreallocarray(gone, ngone + 1, sizeof *gone);
		gone[ngone++] = xstrdup(s->key);
	}
	if (ngone)
		qsort(gone, ngone, sizeof *gone, cmp_str);
	for (size_t i = 0; i < ngone; i++) {
		struct entry *e = model_get(w, gone[i]);
		if (!e->info.ino || !e->info.valid)
			continue;
		ino_key(key, e->info.dev, e->info.ino);
		if (table_get(&by_ino, key, sizeof key))
			table_put(&by_ino, key, sizeof key, (void *)"");  /* a hard link: ambiguous */
		else
			table_put(&by_ino, key, sizeof key, gone[i]);
	}
	for (size_t i = 0; i < list.n; i++) {
		struct found *f = &list.v[i];
		if (f->skip || !f->p.exists)
			continue;
		struct entry *e = model_get(w, f->path);
		if (e && e->info.hash == f->p.info.hash && e->info.size == f->p.info.size &&
		    e->info.valid == f->p.info.valid) {
			e->info.ino = f->p.info.ino;
			e->info.dev = f->p.info.dev;
			e->info.mtime_ns = f->p.info.mtime_ns;
			e->info.ctime_ns = f->p.info.ctime_ns;
			continue;
		}
		if (!e && f->p.info.ino && f->p.info.valid) {
			ino_key(key, f->p.info.dev, f->p.info.ino);
			char *from = table_get(&by_ino, key, sizeof key);
			struct entry *old = from && *from ? model_get(w, from) : NULL;
			if (old && old->info.hash == f->p.info.hash) {
				table_del(&by_ino, key, sizeof key);
				old = table_del(&w->model, from, strlen(from));
				emit_event("moved", f->path, from, &old->info, &f->p);
				model_set(w, f->path, f->root, &f->p);
				entry_free(old);
				continue;
			}
		}
		if (!f->p.info.valid)
			warnat(f->path, f->p.err_line, f->p.err_col, "%s", f->p.err);
		emit_event(e ? "updated" : "created", f->path, NULL, e ? &e->info : NULL, &f->p);
		model_set(w, f->path, f->root, &f->p);
	}
	table_free(&by_ino);
	for (size_t i = 0; i < ngone; i++) {
		struct entry *e = table_del(&w->model, gone[i], strlen(gone[i]));
		if (e)
			emit_event("deleted", gone[i], NULL, &e->info, NULL);
		entry_free(e);
		free(gone[i]);
	}
	free(gone);
	table_free(&found);
	found_list_free(&list);
	/* The scan has seen everything pending. */
	while (w->head) {
		struct pending *p = w->head;
		pend_unlink(w, p);
		table_del(&w->pend, p->path, strlen(p->path));
		free(p->path);
		free(p);
	}
	out_flush();
}

/* Events. */

static void
root_gone(struct watcher *w, int root)
{
	if (w->roots[root].gone)
		return;
	w->roots[root].gone = true;
	warnx("%s: the directory is gone", w->roots[root].path);
	dir_removed(w, w->roots[root].path);
	for (int i = 0; i < w->nroots; i++)
		if (!w->roots[i].gone)
			return;
	finish(EXIT_NOINPUT);
}

static bool
file_is_empty(const char *path)
{
	struct stat st;
	return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) && st.st_size == 0;
}

/* One event; to is the MOVED_TO paired with a MOVED_FROM, if any. */
static void
handle(struct watcher *w, const struct inotify_event *ev, const struct inotify_event *to)
{
	if (ev->mask & IN_Q_OVERFLOW) {
		w->overflow = true;
		return;
	}
	struct dir *d = dir_get(w, ev->wd);
	if (!d)
		return; /* a watch already dropped */
	if (ev->mask & IN_IGNORED) {
		dir_free(table_del(&w->dirs, (const char *)&ev->wd, sizeof ev->wd));
		return;
	}
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
		for (int i = 0; i < w->nroots; i++)
			if (strcmp(d->path, w->roots[i].path) == 0)
				root_gone(w, i);
		return; /* other directories: their parent tells */
	}
	if (!ev->len)
		return;
	char *path = join(d->path, ev->name);
	int root = d->root;
	struct dir *d2 = to ? dir_get(w, to->wd) : NULL;
	char *dest = d2 ? join(d2->path, to->name) : NULL;
	int root2 = d2 ? d2->root : -1;

	if (ev->mask & IN_ISDIR) {
		bool ignored = is_ignored_dir(ev->name);
		if (ev->mask & IN_MOVED_FROM) {
			bool dest_ok = dest && !is_ignored_dir(to->name);
			if (!ignored && dest_ok)
				dir_renamed(w, path, dest, root2);
			else {
				if (!ignored)
					dir_removed(w, path);
				if (dest_ok)
					dir_added(w, dest, root2);
			}
		} else if (!ignored && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
			dir_added(w, path, root);
		} else if (!ignored && (ev->mask & IN_DELETE)) {
			dir_removed(w, path);
		}
	} else if (ev->mask & IN_MOVED_FROM) {
		bool tracked = is_task_name(ev->name);
		bool tracked2 = dest && is_task_name(to->name);
		if (tracked && tracked2 && model_get(w, path)) {
			move_file(w, path, dest, root2);
		} else {
			if (tracked)
				touch(w, path, root, W_CLOSED);
			if (tracked2)
				touch(w, dest, root2, W_CLOSED);
		}
	} else if (is_task_name(ev->name)) {
		if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE))
			touch(w, path, root, W_CLOSED);
		else if (ev->mask & IN_MODIFY)
			touch(w, path, root, W_OPEN);
		else if (ev->mask & IN_CREATE)
			/* Created empty: a writer has it open. Created with bytes: a
			 * link, complete already. */
			touch(w, path, root, file_is_empty(path) ? W_OPEN : W_CLOSED);
	}
	free(path);
	free(dest);
}

#define EVBUF (256 * 1024)

/* Handle the complete events in buf[0..*have); a MOVED_FROM whose MOVED_TO
 * has not arrived is kept back (and the rest after it) until *hold_until. */
static void
handle_buffer(struct watcher *w, char *buf, size_t *have, int64_t *hold_until)
{
	size_t off = 0;
	while (off + sizeof(struct inotify_event) <= *have) {
		struct inotify_event *ev = (struct inotify_event *)(buf + off);
		size_t size = sizeof *ev + ev->len;
		if (off + size > *have)
			break;
		const struct inotify_event *to = NULL;
		if ((ev->mask & IN_MOVED_FROM) && ev->cookie) {
			size_t o2 = off + size;
			while (o2 + sizeof(struct inotify_event) <= *have) {
				struct inotify_event *e2 = (struct inotify_event *)(buf + o2);
				if ((e2->mask & IN_MOVED_TO) && e2->cookie == ev->cookie) {
					to = e2;
					break;
				}
				o2 += sizeof *e2 + e2->len;
			}
			/* The kernel queues both halves together: only a MOVED_FROM
			 * that ends the buffer may still get its MOVED_TO. */
			if (!to && off + size == *have) {
				int64_t now = mono_ms();
				if (!*hold_until)
					*hold_until = now + PAIR_WAIT_MS;
				if (now < *hold_until)
					break; /* wait a moment for the other half */
			}
		}
		*hold_until = 0;
		if (ev->mask)
			handle(w, ev, to);
		if (to)
			((struct inotify_event *)to)->mask = 0; /* consumed */
		off += size;
		check_stop();
	}
	memmove(buf, buf + off, *have - off);
	*have -= off;
}

static void
watch_loop(struct watcher *w)
{
	_Alignas(struct inotify_event) static char buf[EVBUF];
	size_t have = 0;
	int64_t hold_until = 0;
	for (;;) {
		check_stop();
		if (w->overflow) {
			w->overflow = false;
			emit_marker("resync", NULL, 0, NULL, 0);
			rescan(w, false);
		}
		settle_due(w);
		out_flush();
		int timeout = -1;
		int64_t now = mono_ms();
		if (w->head)
			timeout = w->head->deadline > now ? (int)(w->head->deadline - now) : 0;
		if (hold_until && (timeout < 0 || hold_until - now < timeout))
			timeout = hold_until > now ? (int)(hold_until - now) : 0;
		struct pollfd pf[2] = {{.fd = w->fd, .events = POLLIN}, {.fd = STDOUT_FILENO, .events = 0}};
		int r = poll(pf, 2, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die(EXIT_SOFTWARE, "poll:");
		}
		if (pf[1].revents & (POLLERR | POLLHUP))
			finish(EXIT_OK); /* the reader went away */
		if ((pf[0].revents & POLLIN) && have < sizeof buf) {
			ssize_t n = read(w->fd, buf + have, sizeof buf - have);
			if (n < 0 && errno != EINTR && errno != EAGAIN)
				die(EXIT_SOFTWARE, "reading inotify events:");
			if (n > 0)
				have += (size_t)n;
		}
		if (have)
			handle_buffer(w, buf, &have, &hold_until);
	}
}

static void
poll_loop(struct watcher *w)
{
	for (;;) {
		int64_t until = mono_ms() + w->o->poll_ms;
		for (;;) {
			check_stop();
			int64_t now = mono_ms();
			if (now >= until)
				break;
			struct pollfd pf = {.fd = STDOUT_FILENO, .events = 0};
			if (poll(&pf, 1, (int)(until - now)) > 0 && (pf.revents & (POLLERR | POLLHUP)))
				finish(EXIT_OK);
		}
		rescan(w, true);
	}
}

int
watch_run(const struct options *o)
{
	struct watcher w = {.o = o, .fd = -1};
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	w.nroots = o->ndirs;
	w.roots = xcalloc((size_t)o->ndirs, sizeof *w.roots);
	for (int i = 0; i < o->ndirs; i++) {
		struct stat st;
		if (stat(o->dirs[i], &st) != 0)
			die(EXIT_NOINPUT, "%s:", o->dirs[i]);
		if (!S_ISDIR(st.st_mode))
			die(EXIT_NOINPUT, "%s: not a directory", o->dirs[i]);
		for (int j = 0; j < i; j++) {
			struct stat sj;
			if (w.roots[j].path && stat(w.roots[j].path, &sj) == 0 && sj.st_dev == st.st_dev &&
			    sj.st_ino == st.st_ino)
				die(EXIT_USAGE, "%s: the same directory as %s", o->dirs[i], w.roots[j].path);
		}
		char *p = xstrdup(o->dirs[i]);
		size_t n = strlen(p);
		while (n > 1 && p[n - 1] == '/')
			p[--n] = '\0';
		w.roots[i].path = p;
		w.roots[i].rel_off = strcmp(p, "/") == 0 ? 1 : n + 1;
	}

	bool live = !o->once;
	if (live && !o->poll_ms) {
		w.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (w.fd < 0) {
			if (errno == EMFILE)
				die(EXIT_SOFTWARE,
				    "cannot start inotify: too many inotify instances (fs.inotify.max_user_instances); "
				    "raise it with sysctl, or use --poll");
			die(EXIT_SOFTWARE, "cannot start inotify:");
		}
	}
	snapshot(&w, w.fd >= 0);
	if (live) {
		if (w.fd >= 0)
			watch_loop(&w);
		else
			poll_loop(&w);
	}
	table_foreach(&w.model, s) entry_free(s->value);
	table_free(&w.model);
	table_foreach(&w.dirs, s) dir_free(s->value);
	table_free(&w.dirs);
	for (int i = 0; i < w.nroots; i++)
		free(w.roots[i].path);
	free(w.roots);
	task_read_done();
	return EXIT_OK;
}
