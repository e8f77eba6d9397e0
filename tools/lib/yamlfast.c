/* yamlfast.c: task-file YAML straight to JSON text, without libyaml.
 *
 * The text is read a line at a time by recursive descent: a block mapping or
 * sequence owns the lines at its column, a value owns what follows its key
 * or dash. Whatever is not clearly in the subset makes the whole call
 * decline, and the caller falls back to yaml_load: a wrong answer costs far
 * more than a slow one. Where libyaml's behaviour is subtle (block scalars,
 * the column a continuation line needs), the rules here follow its scanner
 * and are checked against it by fuzz_yamlfast. */
#include "yamlfast.h"

#include <stdint.h>
#include <string.h>

#include "jsonout.h"
#include "yamlload.h"

enum {
	DEPTH_MAX = 64,        /* open collections; taskwatch's yaml_load allows as many */
	NODES_MAX = 100000,    /* taskwatch's bound for yaml_load */
	KEYS_MAX = 512,        /* keys of the open mappings, for the duplicate check */
	KEY_LEN_MAX = 1000,    /* libyaml takes simple keys up to 1024 characters */
	TYPED_LEN_MAX = 256,   /* longer number-like scalars are declined */
};

/* A key of an open mapping; for the root's keys, where the value's JSON
 * text went, for want[]. */
struct key {
	const char *name;
	size_t len;
	size_t at, end;
	bool scalar;
};

/* The current content line: at is its first byte after the indentation
 * (or, for a mapping inside a sequence entry, after "- "), at column col. */
struct line {
	const char *start, *at, *eol;
	size_t col;
};

struct parser {
	const char *end;
	struct line ln;
	bool eof;     /* no content line is left */
	struct buf *out;
	int depth;
	size_t nodes;
	struct key keys[KEYS_MAX];
	size_t nkeys;
};

static bool parse_mapping(struct parser *ps, size_t col);
static bool parse_sequence(struct parser *ps, size_t col, bool indentless);

/* Room for n more bytes and the NUL that struct buf keeps. */
static inline void
room(struct parser *ps, size_t n)
{
	if (ps->out->cap - ps->out->len <= n)
		buf_reserve(ps->out, n);
}

static inline void
put(struct parser *ps, const char *p, size_t n)
{
	room(ps, n);
	memcpy(ps->out->data + ps->out->len, p, n);
	ps->out->len += n;
}

static inline void
putc1(struct parser *ps, char c)
{
	room(ps, 1);
	ps->out->data[ps->out->len++] = c;
}

/* Eight bytes at a time: nearly all of a task file is ASCII with nothing
 * to escape, so most words are passed over whole. */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
#define LOWS UINT64_C(0x7f7f7f7f7f7f7f7f)

static inline uint64_t
load_word(const char *p)
{
	uint64_t x;
	memcpy(&x, p, sizeof x);
	return x;
}

/* The high bit of each byte of x that equals c, and no other: exact,
 * since no sum carries into the next byte. */
static inline uint64_t
bytes_equal(uint64_t x, unsigned char c)
{
	uint64_t y = x ^ (ONES * c);
	return ~(((y & LOWS) + LOWS) | y | LOWS);
}

/* Are all eight bytes printable ASCII or a newline? */
static inline bool
word_is_clean(uint64_t x)
{
	if (x & HIGHS)
		return false;
	/* A newline gets bit 5 set, to pass as printable; then, with no
	 * byte above 0x7f, b + 0x60 sets the high bit exactly when b >= 0x20
	 * and b + 1 exactly when b is DEL. */
	uint64_t z = x | (bytes_equal(x, '\n') >> 2);
	return ((~(z + ONES * 0x60) | (z + ONES)) & HIGHS) == 0;
}

/* Does the text hold only what libyaml reads as printable, with no tab or
 * carriage return and no character it takes for a line break or BOM? */
static bool
text_is_clean(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *e = p + len;
	while (p < e) {
		if (e - p >= 8 && word_is_clean(load_word((const char *)p))) {
			p += 8;
			continue;
		}
		unsigned c = *p;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\n') || c == 0x7f)
				return false;
			p++;
			continue;
		}
		uint32_t cp;
		if (c >= 0xc2 && c < 0xe0) {
			if (e - p < 2 || (p[1] & 0xc0) != 0x80)
				return false;
			cp = (c & 0x1f) << 6 | (p[1] & 0x3f);
			p += 2;
			if (cp < 0xa0) /* C1 controls, and NEL, a line break */
				return false;
		} else if (c >= 0xe0 && c < 0xf0) {
			if (e - p < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
				return false;
			cp = (c & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			p += 3;
			if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0x2028 || cp == 0x2029 ||
			    cp == 0xfeff || cp >= 0xfffe)
				return false;
		} else if (c >= 0xf0 && c < 0xf5) {
			if (e - p < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 || (p[3] & 0xc0) != 0x80)
				return false;
			cp = (c & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 | (uint32_t)(p[2] & 0x3f) << 6 |
			     (p[3] & 0x3f);
			p += 4;
			if (cp < 0x10000 || cp > 0x10ffff)
				return false;
		} else
			return false;
	}
	return true;
}

/* Move to the first line from p on that is neither blank nor a comment.
 * False for a document marker, which the subset leaves out. */
static bool
next_content_line(struct parser *ps, const char *p)
{
	while (p < ps->end) {
		const char *eol = memchr(p, '\n', (size_t)(ps->end - p));
		if (!eol)
			eol = ps->end;
		const char *q = p;
		while (q < eol && *q == ' ')
			q++;
		if (q < eol && *q != '#') {
			if (q == p && eol - p >= 3 &&
			    (memcmp(p, "---", 3) == 0 || memcmp(p, "...", 3) == 0))
				return false;
			ps->ln = (struct line){.start = p, .at = q, .eol = eol, .col = (size_t)(q - p)};
			return true;
		}
		if (eol == ps->end)
			break;
		p = eol + 1;
	}
	ps->eof = true;
	return true;
}

/* A bit per ASCII character that may be in a key: "-./0-9" (0x2d-0x39),
 * "A-Z" (0x41-0x5a), "_" (0x5f), "a-z" (0x61-0x7a). */
static const uint64_t key_chars[2] = {
	((UINT64_C(1) << 13) - 1) << 0x2d,
	((UINT64_C(1) << 26) - 1) << (0x41 - 64) | UINT64_C(1) << (0x5f - 64) |
		((UINT64_C(1) << 26) - 1) << (0x61 - 64),
};

static inline bool
is_key_char(unsigned char c)
{
	return c < 128 && (key_chars[c >> 6] >> (c & 63) & 1);
}

/* The length of a plain key at p followed by ':' and a space or the end
 * of the line; 0 when p does not start one. */
static size_t
key_at(const char *p, const char *eol)
{
	if (*p == '-')
		return 0;
	const char *q = p;
	while (q < eol && is_key_char((unsigned char)*q))
		q++;
	if (q == p || q == eol || *q != ':' || (q + 1 < eol && q[1] != ' '))
		return 0;
	return (size_t)(q - p);
}

static inline bool
is_number_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == 'x' ||
	       c == 'X' || c == '_' || c == '.' || c == '+' || c == '-';
}

/* Could yaml_plain_scalar make anything but a string of these bytes? Only
 * the words of its lists and number-like text can; the rest, nearly every
 * scalar of a task file, is told apart here without a call. */
static bool
maybe_typed(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0] | 0x20;
	if (n <= 5 && (c == 'n' || c == 'y' || c == 'o' || c == 't' || c == 'f' || s[0] == '~')) {
		/* Its words, in any case: a superset of the cases it takes. */
		static const char *const words[6][3] = {
			{NULL}, {"~"}, {"on", "no"}, {"yes", "off"}, {"null", "true"}, {"false"},
		};
		char low[5];
		for (size_t i = 0; i < n; i++)
			low[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		for (int i = 0; i < 3 && words[n][i]; i++)
			if (memcmp(low, words[n][i], n) == 0)
				return true;
	}
	const char *p = s, *e = s + n;
	if (*p == '+' || *p == '-')
		p++;
	if (p == e || !((*p >= '0' && *p <= '9') || *p == '.' || *p == '_'))
		return false;
	for (; p < e; p++)
		if (!is_number_char((unsigned char)*p))
			return false;
	return true;
}

/* The value yaml_plain_scalar gives a plain scalar when it is not a string;
 * NULL for a string. *unsure for text too long to look at here. */
static json_t *
plain_typed(const char *s, size_t n, bool *unsure)
{
	*unsure = false;
	if (!maybe_typed(s, n))
		return NULL;
	if (n >= TYPED_LEN_MAX) {
		*unsure = true;
		return NULL;
	}
	char tmp[TYPED_LEN_MAX];
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	bool is_number;
	json_t *v = yaml_plain_scalar(tmp, n, &is_number);
	if (!v)
		die(EXIT_SOFTWARE, "out of memory");
	if (json_is_string(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* Bytes with no control character, as the inside of a JSON string: only
 * '"' and '\\' need a backslash, as jansson writes them. */
static void
put_escaped(struct parser *ps, const char *s, size_t n)
{
	room(ps, 2 * n);
	char *o = ps->out->data + ps->out->len;
	const char *e = s + n;
	while (s < e) {
		if (e - s >= 8) {
			uint64_t x = load_word(s);
			if (!((bytes_equal(x, '"') | bytes_equal(x, '\\')) & HIGHS)) {
				memcpy(o, &x, sizeof x);
				o += 8;
				s += 8;
				continue;
			}
		}
		for (const char *stop = e - s >= 8 ? s + 8 : e; s < stop; s++) {
			if (*s == '"' || *s == '\\')
				*o++ = '\\';
			*o++ = *s;
		}
	}
	ps->out->len = (size_t)(o - ps->out->data);
}

static void
put_string(struct parser *ps, const char *s, size_t n)
{
	putc1(ps, '"');
	put_escaped(ps, s, n);
	putc1(ps, '"');
}

static bool
count_node(struct parser *ps)
{
	return ++ps->nodes <= NODES_MAX;
}

static bool
put_plain(struct parser *ps, const char *s, size_t n)
{
	bool unsure;
	json_t *v = plain_typed(s, n, &unsure);
	if (unsure)
		return false;
	if (!v) {
		put_string(ps, s, n);
		return true;
	}
	/* The singletons are common ("assigned_at: null") and need no dump. */
	if (json_is_null(v))
		put(ps, "null", 4);
	else if (json_is_true(v))
		put(ps, "true", 4);
	else if (json_is_false(v))
		put(ps, "false", 5);
	else if (json_dump_callback(v, jw_dump_to_buf, ps->out, JSON_COMPACT | JSON_ENCODE_ANY) != 0) {
		json_decref(v);
		return false;
	}
	json_decref(v);
	return true;
}

/* After a quoted scalar or a flow collection: only spaces and a comment. */
static bool
rest_is_comment(const char *p, const char *eol)
{
	const char *q = p;
	while (q < eol && *q == ' ')
		q++;
	return q == eol || (*q == '#' && q > p);
}

/* A plain scalar from p to the line's end or comment: a '#' after a space
 * starts a comment, a ':' before a space or the end would start a value. */
static bool
scan_plain(struct parser *ps, const char *p, const char *eol)
{
	const char *e = p;
	while (e < eol) {
		if (eol - e >= 8) {
			uint64_t x = load_word(e);
			if (!((bytes_equal(x, ':') | bytes_equal(x, '#')) & HIGHS)) {
				e += 8;
				continue;
			}
		}
		const char *stop = eol - e >= 8 ? e + 8 : eol;
		for (; e < stop; e++) {
			if (*e == ':' && (e + 1 == eol || e[1] == ' '))
				return false;
			if (*e == '#' && e > p && e[-1] == ' ')
				goto comment;
		}
	}
comment:
	while (e[-1] == ' ')
		e--;
	return put_plain(ps, p, (size_t)(e - p));
}

static bool
scan_single_quoted(struct parser *ps, const char *p, const char *eol)
{
	room(ps, 2 * (size_t)(eol - p) + 2);
	char *o = ps->out->data + ps->out->len;
	*o++ = '"';
	for (p++;; p++) {
		if (p == eol)
			return false; /* it goes on over lines: folding is not done here */
		if (*p == '\'') {
			if (p + 1 < eol && p[1] == '\'')
				p++;
			else
				break;
		}
		if (*p == '"' || *p == '\\')
			*o++ = '\\';
		*o++ = *p;
	}
	*o++ = '"';
	ps->out->len = (size_t)(o - ps->out->data);
	return rest_is_comment(p + 1, eol);
}

/* Only the escapes whose JSON is known for sure are taken; the source
 * text is then already JSON, but for "\/". */
static bool
scan_double_quoted(struct parser *ps, const char *p, const char *eol)
{
	room(ps, (size_t)(eol - p) + 2);
	char *o = ps->out->data + ps->out->len;
	*o++ = '"';
	for (p++;; p++) {
		if (p == eol)
			return false;
		if (*p == '"')
			break;
		if (*p == '\\') {
			if (p + 1 == eol)
				return false;
			p++;
			if (*p == '/') {
				*o++ = '/';
				continue;
			}
			if (*p != '"' && *p != '\\' && *p != 'n' && *p != 't')
				return false;
			*o++ = '\\';
		}
		*o++ = *p;
	}
	*o++ = '"';
	ps->out->len = (size_t)(o - ps->out->data);
	return rest_is_comment(p + 1, eol);
}

/* Leading spaces of the line at p, and its end. */
static size_t
line_spaces(const struct parser *ps, const char *p, const char **eol)
{
	const char *e = memchr(p, '\n', (size_t)(ps->end - p));
	*eol = e ? e : ps->end;
	const char *q = p;
	while (q < *eol && *q == ' ')
		q++;
	return (size_t)(q - p);
}

/* A literal (|) or folded (>) block scalar whose header is at p, in a
 * collection at column parent. The lines are read as libyaml's scanner
 * reads them: the first non-empty line sets the indentation, a line that
 * is indented less ends the scalar, and folding joins two lines with a
 * space only when neither is more indented and no empty line lies between.
 * An empty scalar, an indentation indicator, and a line of spaces deeper
 * than the indentation (content, for libyaml) are declined. */
static bool
scan_block_scalar(struct parser *ps, const char *p, const char *eol, size_t parent)
{
	bool folded = *p == '>';
	int chomp = 0; /* -1 strip, 0 clip, 1 keep */
	p++;
	if (p < eol && (*p == '-' || *p == '+'))
		chomp = *p++ == '-' ? -1 : 1;
	if (p < eol && *p != ' ')
		return false;
	if (!rest_is_comment(p, eol) || eol == ps->end)
		return false;

	/* Empty lines before the first line of text; their spaces may not
	 * run past the text's indentation, which would then be theirs. */
	const char *q = eol + 1, *le;
	size_t breaks = 0, widest = 0, indent;
	for (;;) {
		if (q == ps->end)
			return false;
		size_t sp = line_spaces(ps, q, &le);
		if (q + sp < le) {
			indent = sp;
			break;
		}
		if (le == ps->end)
			return false;
		if (sp > widest)
			widest = sp;
		breaks++;
		q = le + 1;
	}
	if (indent <= parent || widest > indent)
		return false;

	putc1(ps, '"');
	bool leading_break = false, leading_blank = false;
	for (;;) {
		/* q starts a line of text, le ends it */
		const char *text = q + indent;
		bool trailing_blank = *text == ' ';
		if (folded && leading_break && !leading_blank && !trailing_blank) {
			if (breaks == 0)
				putc1(ps, ' ');
		} else if (leading_break)
			put(ps, "\\n", 2);
		for (; breaks; breaks--)
			put(ps, "\\n", 2);
		leading_blank = trailing_blank;
		put_escaped(ps, text, (size_t)(le - text));
		leading_break = le < ps->end;
		if (!leading_break) {
			q = ps->end;
			break;
		}
		/* Empty lines after it, then the next line of text, if any. */
		q = le + 1;
		size_t sp = 0;
		while (q < ps->end) {
			sp = line_spaces(ps, q, &le);
			if (q + sp < le)
				break;
			if (sp > indent)
				return false;
			if (le == ps->end) {
				q = ps->end;
				break;
			}
			breaks++;
			q = le + 1;
		}
		if (q == ps->end || sp < indent)
			break;
	}
	if (chomp >= 0 && leading_break)
		put(ps, "\\n", 2);
	if (chomp > 0)
		for (; breaks; breaks--)
			put(ps, "\\n", 2);
	putc1(ps, '"');
	return next_content_line(ps, q);
}

static inline bool
is_entry(const char *p, const char *eol)
{
	return *p == '-' && (p + 1 == eol || p[1] == ' ');
}

/* The value after "key:" or "-" (p is past the indicator) of a collection
 * at column parent; *scalar tells a scalar from a collection. Leaves ps->ln
 * on the next content line. */
static bool
parse_value(struct parser *ps, const char *p, size_t parent, bool in_sequence, bool *scalar)
{
	const char *eol = ps->ln.eol, *next = eol == ps->end ? eol : eol + 1;
	const char *q = p;
	while (q < eol && *q == ' ')
		q++;
	*scalar = true;
	if (!count_node(ps))
		return false;
	if (q == eol || *q == '#') {
		if (in_sequence)
			return false; /* "-" alone: its item would be on the lines below */
		if (!next_content_line(ps, next))
			return false;
		bool entry = !ps->eof && is_entry(ps->ln.at, ps->ln.eol);
		if (ps->eof || ps->ln.col < parent || (ps->ln.col == parent && !entry)) {
			put(ps, "null", 4);
			return true;
		}
		*scalar = false;
		/* A mapping's value may be a sequence at the key's own column. */
		if (entry)
			return parse_sequence(ps, ps->ln.col, ps->ln.col == parent);
		return parse_mapping(ps, ps->ln.col);
	}
	/* Most entries are paths, all key characters: look for the ':' first. */
	if (in_sequence && memchr(q, ':', (size_t)(eol - q)) && key_at(q, eol)) {
		/* "- key: value": a mapping whose keys align with this one */
		*scalar = false;
		ps->ln.at = q;
		ps->ln.col = (size_t)(q - ps->ln.start);
		return parse_mapping(ps, ps->ln.col);
	}
	bool ok;
	switch (*q) {
	case '"':
		ok = scan_double_quoted(ps, q, eol);
		break;
	case '\'':
		ok = scan_single_quoted(ps, q, eol);
		break;
	case '|':
	case '>':
		return scan_block_scalar(ps, q, eol, parent);
	case '[':
	case '{':
		/* Only the empty ones, whole: "[]" and "{}" are their JSON. */
		*scalar = false;
		ok = ps->depth < DEPTH_MAX && q + 1 < eol && q[1] == (*q == '[' ? ']' : '}') &&
		     rest_is_comment(q + 2, eol);
		if (ok)
			put(ps, q, 2);
		break;
	case '-':
		ok = q + 1 < eol && q[1] != ' ' && scan_plain(ps, q, eol);
		break;
	case '?':
	case ':':
	case ']':
	case '}':
	case ',':
	case '&':
	case '*':
	case '!':
	case '%':
	case '@':
	case '`':
		return false;
	default:
		ok = scan_plain(ps, q, eol);
		break;
	}
	return ok && next_content_line(ps, next);
}

/* A block mapping at column col; ps->ln is its first key's line. */
static bool
parse_mapping(struct parser *ps, size_t col)
{
	if (++ps->depth > DEPTH_MAX)
		return false;
	size_t base = ps->nkeys;
	uint64_t seen = 0; /* a bit per key, so most keys need no compare */
	putc1(ps, '{');
	for (;;) {
		const char *k = ps->ln.at;
		size_t klen = key_at(k, ps->ln.eol);
		if (!klen || klen > KEY_LEN_MAX)
			return false;
		/* yaml_load keeps a key's text, but "yes" or "1" as a key reads
		 * differently elsewhere: not worth being sure of. */
		bool unsure;
		json_t *typed = plain_typed(k, klen, &unsure);
		if (typed || unsure) {
			json_decref(typed);
			return false;
		}
		uint64_t bit = (uint64_t)1 << ((klen * 31 + (unsigned char)k[0] + (unsigned char)k[klen - 1]) & 63);
		if (seen & bit)
			for (size_t i = base; i < ps->nkeys; i++)
				if (ps->keys[i].len == klen && memcmp(ps->keys[i].name, k, klen) == 0)
					return false;
		seen |= bit;
		if (ps->nkeys == KEYS_MAX || !count_node(ps))
			return false;
		size_t ki = ps->nkeys++;
		if (ki > base)
			putc1(ps, ',');
		putc1(ps, '"');
		put(ps, k, klen); /* key characters need no escape */
		put(ps, "\":", 2);
		ps->keys[ki] = (struct key){.name = k, .len = klen, .at = ps->out->len};
		bool scalar;
		if (!parse_value(ps, k + klen + 1, col, false, &scalar))
			return false;
		ps->keys[ki].end = ps->out->len;
		ps->keys[ki].scalar = scalar;
		if (ps->eof || ps->ln.col < col)
			break;
		if (ps->ln.col > col)
			return false; /* a continuation line, or a stray deeper line */
	}
	putc1(ps, '}');
	if (--ps->depth > 0)
		ps->nkeys = base; /* the root's keys stay, for want[] */
	return true;
}

/* A block sequence at column col; ps->ln is its first entry's line. An
 * indentless one (a mapping value at the key's column) ends at the first
 * line that is not an entry. */
static bool
parse_sequence(struct parser *ps, size_t col, bool indentless)
{
	if (++ps->depth > DEPTH_MAX)
		return false;
	putc1(ps, '[');
	for (bool first = true;; first = false) {
		const char *a = ps->ln.at, *eol = ps->ln.eol;
		if (!is_entry(a, eol) || a + 1 == eol) {
			if (indentless && !first && !is_entry(a, eol))
				break;
			return false;
		}
		if (!first)
			putc1(ps, ',');
		bool scalar;
		if (!parse_value(ps, a + 1, col, true, &scalar))
			return false;
		if (ps->eof || ps->ln.col < col)
			break;
		if (ps->ln.col > col)
			return false;
	}
	putc1(ps, ']');
	ps->depth--;
	return true;
}

/* The value of a scalar's JSON text as written above. */
static json_t *
json_of_text(struct buf *out, size_t at, size_t end)
{
	const char *t = out->data + at;
	size_t n = end - at;
	if (t[0] == '"') {
		if (!memchr(t + 1, '\\', n - 2))
			return json_stringn_nocheck(t + 1, n - 2);
		/* Unescaped into the room past the text, which is free. */
		buf_reserve(out, n);
		t = out->data + at;
		char *s = out->data + out->len, *o = s;
		for (size_t i = 1; i + 1 < n; i++) {
			char c = t[i];
			if (c == '\\') {
				c = t[++i];
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
			}
			*o++ = c;
		}
		return json_stringn_nocheck(s, (size_t)(o - s));
	}
	if (t[0] == 'n')
		return json_null();
	if (t[0] == 't')
		return json_true();
	if (t[0] == 'f')
		return json_false();
	/* A number, as jansson wrote it: it reads its own text back to the same
	 * value, whatever the locale's decimal point. */
	return json_loadb(t, n, JSON_DECODE_ANY, NULL);
}

bool
yaml_fast_json(const char *text, size_t len, struct buf *out, struct yaml_fast_want *want, size_t nwant)
{
	if (!text_is_clean(text, len))
		return false;
	/* Not zeroed whole: keys[] is large and written before it is read. */
	struct parser ps;
	ps.end = text + len;
	ps.eof = false;
	ps.out = out;
	ps.depth = 0;
	ps.nodes = 0;
	ps.nkeys = 0;
	size_t start = out->len;
	bool ok = next_content_line(&ps, text) && !ps.eof && count_node(&ps) && parse_mapping(&ps, ps.ln.col) &&
		  ps.eof;
	if (!ok) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		return false;
	}
	for (size_t i = 0; i < nwant; i++) {
		size_t n = strlen(want[i].key);
		want[i].value = NULL;
		for (size_t k = 0; k < ps.nkeys; k++)
			if (ps.keys[k].len == n && memcmp(ps.keys[k].name, want[i].key, n) == 0) {
				if (ps.keys[k].scalar)
					want[i].value = json_of_text(out, ps.keys[k].at, ps.keys[k].end);
				break;
			}
	}
	out->data[out->len] = '\0'; /* the room past it held scratch */
	return true;
}
