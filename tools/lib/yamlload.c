/* yamlload.c: libyaml events to a jansson tree. */
#include "yamlload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "util.h"

struct yaml_pos {
	const json_t *v;      /* the value, or NULL for a key entry */
	const json_t *parent; /* for a key entry: its object */
	char *key;            /* for a key entry */
	char *text;           /* for a number: its source text */
	long line, col;
};

struct anchor {
	char *name;
	json_t *v;
	size_t nodes;
};

struct frame {
	json_t *v;
	char *key;       /* an object waiting for the value of this key */
	long key_line, key_col;
	bool have_key;
	size_t nodes;    /* nodes below, for anchors */
	char *anchor;
	bool merge;      /* the pending key is "<<" */
	json_t *written; /* with unique_keys: the keys given in this mapping */
};

struct loader {
	struct yaml_doc *doc;
	const struct yaml_opts *opts;
	struct yaml_error *err;
	struct frame *stack;
	size_t depth, stack_cap;
	struct anchor *anchors;
	size_t nanchors;
	size_t total_nodes;
	bool key_plain; /* the key being read was a plain scalar */
	json_t *result;
	bool have_result;
};

static void
add_pos(struct yaml_doc *doc, const json_t *v, const json_t *parent, const char *key, const char *text,
	long line, long col)
{
	if (doc->npos == doc->cap) {
		doc->cap = doc->cap ? doc->cap * 2 : 32;
		doc->pos = xreallocarray(doc->pos, doc->cap, sizeof *doc->pos);
	}
	doc->pos[doc->npos++] = (struct yaml_pos){
		.v = v,
		.parent = parent,
		.key = key ? xstrdup(key) : NULL,
		.text = text ? xstrdup(text) : NULL,
		.line = line,
		.col = col,
	};
}

static bool
set_error(struct loader *l, long line, long col, const char *msg)
{
	l->err->line = line;
	l->err->col = col;
	snprintf(l->err->message, sizeof l->err->message, "%s", msg);
	return false;
}

static bool
match_any(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool
is_int(const char *s, long long *out)
{
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!*p)
		return false;
	char digits[64];
	size_t n = 0;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (!*p)
			return false;
	}
	for (; *p; p++) {
		if (*p == '_')
			continue;
		bool ok = base == 16 ? (strchr("0123456789abcdefABCDEF", *p) != NULL) : (*p >= '0' && *p <= '9');
		if (!ok || n + 1 >= sizeof digits)
			return false;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	if (n == 0)
		return false;
	/* A leading zero is octal in YAML 1.1; such values are rare in our
	 * files and read as strings rather than guessed. */
	if (base == 10 && digits[0] == '0' && n > 1)
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(digits, &end, base);
	if (errno || *end)
		return false;
	*out = s[0] == '-' ? -v : v;
	return true;
}

static bool
is_float(const char *s, double *out)
{
	/* PyYAML: [-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+][0-9]+)? with a digit. */
	const char *p = s;
	if (*p == '-' || *p == '+')
		p++;
	bool digit = false, dot = false;
	char buf[128];
	size_t n = 0;
	if (s[0] == '-')
		buf[n++] = '-';
	for (; *p && *p != 'e' && *p != 'E'; p++) {
		if (*p == '_')
			continue;
		if (*p == '.') {
			if (dot)
				return false;
			dot = true;
		} else if (*p >= '0' && *p <= '9')
			digit = true;
		else
			return false;
		if (n + 1 >= sizeof buf)
			return false;
		buf[n++] = *p;
	}
	if (!dot || !digit)
		return false;
	/* PyYAML: a sign needs a digit before the dot ("-.5" is a string). */
	if ((s[0] == '-' || s[0] == '+') && !(s[1] >= '0' && s[1] <= '9'))
		return false;
	if (*p) {
		if (n + 1 >= sizeof buf)
			return false;
		buf[n++] = *p++;
		if (*p != '-' && *p != '+') /* PyYAML wants the exponent's sign */
			return false;
		for (; *p; p++) {
			if (!((*p >= '0' && *p <= '9') || ((*p == '-' || *p == '+') && n > 0)) || n + 1 >= sizeof buf)
				return false;
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	char *end;
	errno = 0;
	double v = strtod(buf, &end);
	if (*end || errno == ERANGE)
		return false;
	*out = v;
	return true;
}

json_t *
yaml_plain_scalar(const char *s, size_t n, bool *is_number)
{
	*is_number = false;
	if (strlen(s) != n)
		return json_stringn_nocheck(s, n);
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL};
	if (match_any(s, nulls))
		return json_null();
	if (match_any(s, trues))
		return json_true();
	if (match_any(s, falses))
		return json_false();
	long long i;
	double d;
	if (is_int(s, &i)) {
		*is_number = true;
		return json_integer(i);
	}
	if (is_float(s, &d)) {
		*is_number = true;
		return json_real(d);
	}
	return json_stringn_nocheck(s, n);
}

static json_t *
scalar_value(const yaml_event_t *ev, bool *is_number)
{
	const char *s = (const char *)ev->data.scalar.value;
	size_t n = ev->data.scalar.length;
	*is_number = false;
	bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	const char *tag = (const char *)ev->data.scalar.tag;
	if (tag && strcmp(tag, YAML_STR_TAG) == 0)
		plain = false;
	if (!plain)
		return json_stringn_nocheck(s, n);
	return yaml_plain_scalar(s, n, is_number);
}

static bool
push(struct loader *l, json_t *v, const char *anchor)
{
	if (l->depth >= l->opts->max_depth)
		return false;
	if (l->depth == l->stack_cap) {
		l->stack_cap = l->stack_cap ? l->stack_cap * 2 : 16;
		l->stack = xreallocarray(l->stack, l->stack_cap, sizeof *l->stack);
	}
	l->stack[l->depth++] = (struct frame){.v = v, .anchor = anchor ? xstrdup(anchor) : NULL};
	return true;
}

static void
merge_into(json_t *obj, json_t *src)
{
	const char *k;
	json_t *v;
	json_object_foreach(src, k, v) {
		if (!json_object_get(obj, k))
			json_object_set(obj, k, v);
	}
}

/* Attach a finished value to its parent (or make it the result). */
static bool
attach(struct loader *l, json_t *v, size_t nodes, size_t new_nodes, long line, long col)
{
	l->total_nodes += new_nodes;
	if (l->total_nodes > l->opts->max_nodes) {
		json_decref(v);
		return set_error(l, line, col, "too many nodes (alias expansion is bounded)");
	}
	if (l->depth == 0) {
		l->result = v;
		l->have_result = true;
		return true;
	}
	struct frame *f = &l->stack[l->depth - 1];
	f->nodes += nodes;
	if (json_is_array(f->v)) {
		json_array_append_new(f->v, v);
		return true;
	}
	if (!f->have_key) {
		/* v is a key */
		if (json_is_string(v)) {
			f->key = xstrdup(json_string_value(v));
		} else {
			json_decref(v);
			return set_error(l, line, col, "a key must be a scalar");
		}
		f->merge = strcmp(f->key, "<<") == 0 && l->key_plain; /* a quoted "<<" is a key */
		f->have_key = true;
		f->key_line = line;
		f->key_col = col;
		json_decref(v);
		return true;
	}
	if (f->merge) {
		if (json_is_object(v))
			merge_into(f->v, v);
		else if (json_is_array(v)) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				if (!json_is_object(e)) {
					json_decref(v);
					return set_error(l, line, col, "a merge key takes a mapping or a list of mappings");
				}
				merge_into(f->v, e);
			}
		} else {
			json_decref(v);
			return set_error(l, line, col, "a merge key takes a mapping or a list of mappings");
		}
		json_decref(v);
	} else {
		if (l->opts->unique_keys) {
			/* A key given twice is an error; one that overrides what a
			 * merge key brought in is not. */
			if (!f->written)
				f->written = json_object();
			if (json_object_get(f->written, f->key)) {
				json_decref(v);
				char msg[200];
				snprintf(msg, sizeof msg, "the key '%.150s' is given twice in this mapping", f->key);
				return set_error(l, f->key_line, f->key_col, msg);
			}
			json_object_set_new(f->written, f->key, json_true());
		}
		add_pos(l->doc, NULL, f->v, f->key, NULL, f->key_line, f->key_col);
		json_object_set_new(f->v, f->key, v);
	}
	free(f->key);
	f->key = NULL;
	f->have_key = false;
	f->merge = false;
	return true;
}

static void
remember_anchor(struct loader *l, const char *name, json_t *v, size_t nodes)
{
	l->anchors = xreallocarray(l->anchors, l->nanchors + 1, sizeof *l->anchors);
	l->anchors[l->nanchors++] = (struct anchor){.name = xstrdup(name), .v = json_incref(v), .nodes = nodes};
}

static void
loader_free(struct loader *l)
{
	for (size_t i = 0; i < l->depth; i++) {
		json_decref(l->stack[i].v);
		json_decref(l->stack[i].written);
		free(l->stack[i].key);
		free(l->stack[i].anchor);
	}
	free(l->stack);
	for (size_t i = 0; i < l->nanchors; i++) {
		free(l->anchors[i].name);
		json_decref(l->anchors[i].v);
	}
	free(l->anchors);
	if (l->have_result && l->result)
		json_decref(l->result);
}

bool
yaml_load(const char *text, size_t len, const struct yaml_opts *opts_in, struct yaml_doc *doc,
	  struct yaml_error *err)
{
	struct yaml_opts opts = opts_in ? *opts_in : (struct yaml_opts){0};
	if (!opts.max_nodes)
		opts.max_nodes = 1000000;
	if (!opts.max_depth)
		opts.max_depth = 256;
	memset(doc, 0, sizeof *doc);
	memset(err, 0, sizeof *err);
	struct loader l = {.doc = doc, .opts = &opts, .err = err};
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		die(EXIT_SOFTWARE, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	bool ok = true, done = false;
	int documents = 0;
	while (ok && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			long line = (long)parser.problem_mark.line + 1, col = (long)parser.problem_mark.column + 1;
			if (parser.context_mark.line || parser.context_mark.column) {
				if (!parser.problem_mark.line && !parser.problem_mark.column) {
					line = (long)parser.context_mark.line + 1;
					col = (long)parser.context_mark.column + 1;
				}
			}
			char msg[256];
			snprintf(msg, sizeof msg, "%s%s%s", parser.problem ? parser.problem : "YAML error",
				 parser.context ? " " : "", parser.context ? parser.context : "");
			ok = set_error(&l, line, col, msg);
			break;
		}
		long line = (long)ev.start_mark.line + 1, col = (long)ev.start_mark.column + 1;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++documents > 1 && opts.single_document)
				ok = set_error(&l, line, col, "more than one YAML document in the file");
			else if (documents > 1) {
				/* Keep the first document only. */
				done = true;
			}
			break;
		case YAML_SCALAR_EVENT: {
			bool number = false;
			struct frame *top = l.depth ? &l.stack[l.depth - 1] : NULL;
			json_t *v;
			if (top && json_is_object(top->v) && !top->have_key) { /* a key: its text */
				v = json_stringn_nocheck((const char *)ev.data.scalar.value, ev.data.scalar.length);
				l.key_plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			} else
				v = scalar_value(&ev, &number);
			if (!v)
				die(EXIT_SOFTWARE, "out of memory");
			/* A key's string is freed once read: its place is kept as a key
			 * entry instead, never by its address. */
			bool is_key = top && json_is_object(top->v) && !top->have_key;
			if (!is_key)
				add_pos(doc, v, NULL, NULL, number ? (const char *)ev.data.scalar.value : NULL, line, col);
			if (ev.data.scalar.anchor)
				remember_anchor(&l, (const char *)ev.data.scalar.anchor, v, 1);
			ok = attach(&l, v, 1, 1, line, col);
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			json_t *v = ev.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
			add_pos(doc, v, NULL, NULL, NULL, line, col);
			const char *anchor = ev.type == YAML_SEQUENCE_START_EVENT
						     ? (const char *)ev.data.sequence_start.anchor
						     : (const char *)ev.data.mapping_start.anchor;
			if (!push(&l, v, anchor)) {
				json_decref(v);
				ok = set_error(&l, line, col, "nesting too deep");
			}
			break;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct frame f = l.stack[--l.depth];
			free(f.key);
			json_decref(f.written);
			if (f.anchor) {
				remember_anchor(&l, f.anchor, f.v, f.nodes + 1);
				free(f.anchor);
			}
			/* Its children were counted as they came. */
			ok = attach(&l, f.v, f.nodes + 1, 1, line, col);
			break;
		}
		case YAML_ALIAS_EVENT: {
			const char *name = (const char *)ev.data.alias.anchor;
			struct anchor *a = NULL;
			for (size_t i = l.nanchors; i-- > 0;)
				if (strcmp(l.anchors[i].name, name) == 0) {
					a = &l.anchors[i];
					break;
				}
			if (!a) {
				ok = set_error(&l, line, col, "an alias names an unknown anchor");
				break;
			}
			ok = attach(&l, json_incref(a->v), a->nodes, a->nodes, line, col);
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (ok) {
		doc->root = l.have_result ? l.result : json_null();
		l.have_result = false;
	}
	loader_free(&l);
	if (!ok)
		yaml_doc_free(doc);
	return ok;
}

void
yaml_doc_free(struct yaml_doc *doc)
{
	for (size_t i = 0; i < doc->npos; i++) {
		free(doc->pos[i].key);
		free(doc->pos[i].text);
	}
	free(doc->pos);
	json_decref(doc->root);
	memset(doc, 0, sizeof *doc);
}

bool
yaml_value_pos(const struct yaml_doc *doc, const json_t *v, long *line, long *col)
{
	for (size_t i = 0; i < doc->npos; i++)
		if (doc->pos[i].v == v && v) {
			*line = doc->pos[i].line;
			*col = doc->pos[i].col;
			return true;
		}
	*line = *col = 0;
	return false;
}

bool
yaml_key_pos(const struct yaml_doc *doc, const json_t *obj, const char *key, long *line, long *col)
{
	for (size_t i = 0; i < doc->npos; i++)
		if (doc->pos[i].parent == obj && doc->pos[i].key && strcmp(doc->pos[i].key, key) == 0) {
			*line = doc->pos[i].line;
			*col = doc->pos[i].col;
			return true;
		}
	*line = *col = 0;
	return false;
}

const char *
yaml_number_text(const struct yaml_doc *doc, const json_t *v)
{
	for (size_t i = 0; i < doc->npos; i++)
		if (doc->pos[i].v == v)
			return doc->pos[i].text;
	return NULL;
}

char *
read_file(const char *path, size_t max_bytes, size_t *len)
{
	int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return NULL;
	}
	size_t cap = 65536, n = 0;
	char *data = xmalloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap >= max_bytes) {
				free(data);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			cap = cap * 2 > max_bytes ? max_bytes : cap * 2;
			data = xrealloc(data, cap + 1);
		}
		ssize_t r = read(fd, data + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			free(data);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	data[n] = '\0';
	*len = n;
	return data;
}
