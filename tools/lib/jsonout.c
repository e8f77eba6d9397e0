/* jsonout.c */
#include "jsonout.h"

#include <string.h>

#include "jscan.h"

int
jw_dump_to_buf(const char *p, size_t n, void *data)
{
	buf_add(data, p, n);
	return 0;
}

void
json_escape_to(struct buf *b, const char *s, size_t n)
{
	/* Printable ASCII without quotes or backslashes needs no escaping: the
	 * common case, written straight; anything else goes through jansson. */
	size_t plain = 0;
	while (plain < n && (unsigned char)s[plain] >= 0x20 && (unsigned char)s[plain] < 0x7f && s[plain] != '"' &&
	       s[plain] != '\\')
		plain++;
	if (plain == n) {
		buf_reserve(b, n + 2);
		b->data[b->len++] = '"';
		memcpy(b->data + b->len, s, n);
		b->len += n;
		b->data[b->len++] = '"';
		return;
	}
	json_t *j = json_stringn(s, n);
	if (!j) {
		/* Not UTF-8: keep what is valid, replace the rest. */
		char *clean = xmalloc(n * 3 + 1);
		size_t k = 0;
		for (size_t i = 0; i < n;) {
			size_t len = 1;
			while (len <= 4 && i + len <= n && !jscan_valid_utf8(s + i, len))
				len++;
			if (len <= 4 && i + len <= n && s[i] != '\0') {
				memcpy(clean + k, s + i, len);
				k += len;
				i += len;
			} else {
				memcpy(clean + k, "\xef\xbf\xbd", 3); /* U+FFFD */
				k += 3;
				i++;
			}
		}
		j = json_stringn(clean, k);
		free(clean);
		if (!j)
			die(EXIT_SOFTWARE, "out of memory");
	}
	json_dump_callback(j, jw_dump_to_buf, b, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(j);
}

void
jw_begin(struct jw *w)
{
	w->b.len = 0;
	buf_addc(&w->b, '{');
	w->first = true;
}

void
jw_key(struct jw *w, const char *key)
{
	if (!w->first)
		buf_addc(&w->b, ',');
	w->first = false;
	json_escape_to(&w->b, key, strlen(key));
	buf_addc(&w->b, ':');
}

void
jw_str(struct jw *w, const char *key, struct str v)
{
	jw_key(w, key);
	if (v.p)
		json_escape_to(&w->b, v.p, v.n);
	else
		buf_adds(&w->b, "null");
}

void
jw_cstr(struct jw *w, const char *key, const char *v)
{
	jw_str(w, key, v ? (struct str){v, strlen(v)} : STR_NULL);
}

void
jw_int(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	buf_printf(&w->b, "%lld", (long long)v);
}

void
jw_money(struct jw *w, const char *key, money_t v)
{
	char tmp[MONEY_BUFSZ];
	size_t n = money_format(v, tmp);
	jw_key(w, key);
	buf_add(&w->b, tmp, n);
}

void
jw_bool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	buf_adds(&w->b, v ? "true" : "false");
}

void
jw_raw(struct jw *w, const char *key, const char *json, size_t n)
{
	jw_key(w, key);
	buf_add(&w->b, json, n);
}

void
jw_value(struct jw *w, const char *key, const json_t *v)
{
	jw_key(w, key);
	json_dump_callback(v, jw_dump_to_buf, &w->b, JSON_ENCODE_ANY | JSON_COMPACT);
}

void
jw_object_begin(struct jw *w, const char *key)
{
	jw_key(w, key);
	buf_addc(&w->b, '{');
	w->first = true;
}

void
jw_object_end(struct jw *w)
{
	buf_addc(&w->b, '}');
	w->first = false;
}

void
jw_end(struct jw *w)
{
	buf_add(&w->b, "}\n", 2);
	out_write(w->b.data, w->b.len);
}

void
jw_free(struct jw *w)
{
	buf_free(&w->b);
}
