/* scan.c: walking the tree (never following symlinks) and reading its task
 * files on every core. Files are listed in the order `LC_ALL=C sort` gives
 * their paths, so a snapshot is the same every time. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "taskwatch.h"

struct dirent_name {
	char *name;
	size_t len;
	bool dir;
};

/* Order names as their paths sort: a directory "a" as "a/". */
static int
cmp_names(const void *pa, const void *pb)
{
	const struct dirent_name *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->name, b->name, n);
	if (c)
		return c;
	unsigned char ca = a->len > n ? (unsigned char)a->name[n] : a->dir ? '/' : 0;
	unsigned char cb = b->len > n ? (unsigned char)b->name[n] : b->dir ? '/' : 0;
	return (int)ca - (int)cb;
}

static void
add_found(struct found_list *list, const char *path, size_t name_off, int dirfd, int root, size_t rel_off)
{
	if (list->n == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 256;
		list->v = xreallocarray(list->v, list->cap, sizeof *list->v);
	}
	list->v[list->n++] = (struct found){
		.path = xstrdup(path), .root = root, .rel_off = rel_off, .name_off = name_off, .dirfd = dirfd};
}

/* Directories kept open while their files are read: well under the usual
 * limit of 1024 descriptors. */
#define MAX_DIRFDS 512

static int
keep_dirfd(struct found_list *list, int fd)
{
	if (list->ndirfds >= MAX_DIRFDS)
		return -1;
	int kept = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (kept < 0)
		return -1;
	list->dirfds = xreallocarray(list->dirfds, list->ndirfds + 1, sizeof *list->dirfds);
	list->dirfds[list->ndirfds++] = kept;
	return kept;
}

static bool
walk(const char *path, int root, size_t rel_off, dir_hook hook, void *ctx, struct found_list *list, int depth)
{
	if (depth > 128) {
		warnx("%s: directories nested too deep; not watched below", path);
		return true;
	}
	if (hook && !hook(ctx, root, path, rel_off))
		return depth > 0; /* a root that cannot be watched cannot be read */
	/* The root itself may be a symlink: the user named it. */
	int fd = open(path, O_RDONLY | O_DIRECTORY | (depth > 0 ? O_NOFOLLOW : 0) | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		errno = e;
		if (depth == 0)
			return false;
		if (errno != ENOENT && errno != ENOTDIR && errno != ELOOP)
			warnx("%s: %s", path, strerror(errno));
		return true;
	}
	struct dirent_name *names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
			continue;
		unsigned char type = de->d_type;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
		}
		bool isdir = type == DT_DIR;
		if (isdir ? is_ignored_dir(name) : !(type == DT_REG && is_task_name(name)))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xreallocarray(names, cap, sizeof *names);
		}
		size_t len = strlen(name);
		names[n++] = (struct dirent_name){.name = xstrndup(name, len), .len = len, .dir = isdir};
	}
	bool files = false;
	for (size_t i = 0; i < n && !files; i++)
		files = !names[i].dir;
	int kept = files ? keep_dirfd(list, dirfd(d)) : -1;
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	struct buf sub = {0};
	for (size_t i = 0; i < n; i++) {
		sub.len = 0;
		buf_adds(&sub, path);
		if (sub.len == 0 || sub.data[sub.len - 1] != '/')
			buf_addc(&sub, '/');
		size_t name_off = sub.len;
		buf_add(&sub, names[i].name, names[i].len);
		buf_addc(&sub, '\0');
		if (names[i].dir)
			walk(sub.data, root, rel_off, hook, ctx, list, depth + 1);
		else
			add_found(list, sub.data, name_off, kept, root, rel_off);
		free(names[i].name);
	}
	buf_free(&sub);
	free(names);
	return true;
}

bool
scan_tree(const char *dir, int root, size_t rel_off, dir_hook hook, void *ctx, struct found_list *list)
{
	return walk(dir, root, rel_off, hook, ctx, list, 0);
}

void
found_list_free(struct found_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->v[i].path);
		parsed_free(&list->v[i].p);
		buf_free(&list->v[i].line);
	}
	free(list->v);
	for (size_t i = 0; i < list->ndirfds; i++)
		close(list->dirfds[i]);
	free(list->dirfds);
	memset(list, 0, sizeof *list);
}

/* Files per chunk, and how many chunks the readers may run ahead of
 * delivery (this bounds the memory of a snapshot). */
enum { CHUNK = 32, AHEAD = 64 };

struct reader {
	struct found_list *list;
	size_t max_size;
	const char *snapshot_ts;
	size_t nchunks;
	atomic_size_t next;
	atomic_bool *done;
	size_t delivered; /* chunks delivered, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void
read_one(struct found *f, size_t max_size, const char *snapshot_ts)
{
	if (f->skip)
		return;
	if (f->dirfd >= 0)
		task_read_at(f->dirfd, f->path + f->name_off, f->path + f->rel_off, max_size, &f->p);
	else
		task_read(f->path, f->path + f->rel_off, max_size, &f->p);
	if (snapshot_ts && f->p.exists) {
		format_event(&f->line, "snapshot", snapshot_ts, f->path, NULL, NULL, &f->p);
		buf_free(&f->p.json); /* in the line now; freed where it was made */
	}
}

static void *
read_chunks(void *arg)
{
	struct reader *r = arg;
	for (;;) {
		size_t c = atomic_fetch_add(&r->next, 1);
		if (c >= r->nchunks)
			break;
		pthread_mutex_lock(&r->mu);
		while (c >= r->delivered + AHEAD)
			pthread_cond_wait(&r->cv, &r->mu);
		pthread_mutex_unlock(&r->mu);
		size_t end = (c + 1) * CHUNK < r->list->n ? (c + 1) * CHUNK : r->list->n;
		for (size_t i = c * CHUNK; i < end; i++)
			read_one(&r->list->v[i], r->max_size, r->snapshot_ts);
		pthread_mutex_lock(&r->mu);
		atomic_store(&r->done[c], true);
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
	}
	task_read_done();
	return NULL;
}

void
scan_read(struct found_list *list, int nthreads, size_t max_size, const char *snapshot_ts, found_cb deliver,
	  void *ctx)
{
	if (nthreads <= 1 || list->n < 2 * CHUNK) {
		for (size_t i = 0; i < list->n; i++) {
			read_one(&list->v[i], max_size, snapshot_ts);
			deliver(ctx, &list->v[i]);
		}
		return;
	}
	struct reader r = {.list = list, .max_size = max_size, .snapshot_ts = snapshot_ts, .nchunks = (list->n + CHUNK - 1) / CHUNK};
	r.done = xcalloc(r.nchunks, sizeof *r.done);
	atomic_init(&r.next, 0);
	pthread_mutex_init(&r.mu, NULL);
	pthread_cond_init(&r.cv, NULL);
	pthread_t *th = xcalloc((size_t)nthreads, sizeof *th);
	int started = 0;
	for (int t = 0; t < nthreads; t++)
		if (pthread_create(&th[t], NULL, read_chunks, &r) == 0)
			started++;
		else
			break;
	if (started == 0)
		read_chunks(&r);
	/* Deliver in order as chunks finish; the workers keep reading ahead. */
	for (size_t c = 0; c < r.nchunks; c++) {
		if (!atomic_load(&r.done[c])) {
			pthread_mutex_lock(&r.mu);
			while (!atomic_load(&r.done[c]))
				pthread_cond_wait(&r.cv, &r.mu);
			pthread_mutex_unlock(&r.mu);
		}
		size_t end = (c + 1) * CHUNK < list->n ? (c + 1) * CHUNK : list->n;
		for (size_t i = c * CHUNK; i < end; i++)
			deliver(ctx, &list->v[i]);
		pthread_mutex_lock(&r.mu);
		r.delivered = c + 1;
		pthread_cond_broadcast(&r.cv);
		pthread_mutex_unlock(&r.mu);
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	free(th);
	free(r.done);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
}
