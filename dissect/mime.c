/* mime.c - streaming message header and MIME structure parser.
 *
 * Bytes arrive in arbitrary chunks. They are cut into lines with memchr;
 * each line is copied at most once, and only up to a cap that depends on
 * where we are: a header line up to MT_MIME_HDR_KEEP, a body line only if
 * it can be a boundary delimiter (it starts with '-', RFC 2046 §5.1.1) and
 * only up to the longest possible delimiter. The rest of a long line is
 * skipped to its end without being looked at again, so any input is
 * parsed in linear time and bounded memory.
 *
 * States: reading a header block (the message's or a part's), reading a
 * body inside a multipart (looking for delimiters only), or done learning
 * (the message is not multipart: the rest of the bytes are ignored). */
#include "mime.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rfc2047.h"
#include "sbuf.h"
#include "session.h"
#include "strutil.h"

/* Longest body line that can still be a delimiter: "--" boundary "--"
 * plus some transport padding (RFC 2046 §5.1.1 allows trailing LWSP). */
#define BODY_LINE_CAP (2 + MT_MIME_BOUNDARY_MAX + 2 + 64)
/* RFC 2231 continuation segments kept per parameter. */
#define MAX_SEGMENTS 64
#define MAX_SEGMENT_INDEX 999
/* Enough for any real "type/subtype". */
#define TYPE_MAX 80

static const char unnamed[] = "(unnamed)";

enum state { ST_HEADERS, ST_BODY, ST_IGNORE };

enum field {
	F_NONE = 0, F_FROM, F_TO, F_CC, F_SUBJECT, F_DATE, F_MSGID,
	F_CTYPE, F_CDISP, F_CTE,
};

struct boundary {
	char *s;
	size_t len;
	bool digest;          /* multipart/digest: parts default to message/rfc822 */
};

/* What one entity's header block said (RFC 2045 §5, RFC 2183). */
struct entity {
	bool top;              /* the message's own header block */
	bool default_rfc822;   /* a part of a multipart/digest (RFC 2046 §5.1.5) */
	bool have_type, have_disp, have_cte;
	char type[TYPE_MAX];   /* lower-case "type/subtype" */
	char *boundary;
	size_t blen;
	bool boundary_too_long;
	char *name;            /* Content-Type name=, decoded */
	char *filename;        /* Content-Disposition filename=, decoded */
	bool attachment;       /* Content-Disposition: attachment */
	bool encoded_body;     /* base64 or quoted-printable */
};

struct mt_mime {
	enum state state;
	bool finished;
	bool any_input;

	/* current line */
	uint8_t *line;
	size_t llen, lcap;
	bool ldiscard;         /* not a line we need: skip to its end */
	bool lover;            /* header line over the cap: rest skipped */

	/* current (unfolded) header field, only for fields we read */
	struct mt_sbuf hdr;
	enum field hfield;
	size_t block_kept;     /* header bytes kept in this header block */

	struct entity ent;
	struct boundary stack[MT_MIME_MAX_DEPTH];
	size_t depth;
	bool top_seen, top_multipart;

	char *top[F_MSGID + 1];
	char **names;
	size_t nnames, names_cap;
	size_t nparts;
	struct mt_mime_stats st;
};

/* ---------------------------------------------------------------------
 * small helpers
 * ------------------------------------------------------------------- */

static bool span_ieq(const uint8_t *p, size_t n, const char *s)
{
	size_t l = strlen(s);
	return n == l && strncasecmp((const char *)p, s, l) == 0;
}

static void entity_clear(struct entity *e)
{
	free(e->boundary);
	free(e->name);
	free(e->filename);
	memset(e, 0, sizeof *e);
}

static void stack_pop_to(struct mt_mime *m, size_t depth)
{
	while (m->depth > depth) {
		m->depth--;
		free(m->stack[m->depth].s);
		m->stack[m->depth].s = NULL;
	}
}

/* Cuts a heap name to MT_MIME_NAME_MAX bytes without splitting a UTF-8
 * sequence (in place). */
static char *name_cap(struct mt_mime *m, char *s)
{
	size_t n = strlen(s);
	if (n <= MT_MIME_NAME_MAX)
		return s;
	size_t cut = MT_MIME_NAME_MAX;
	while (cut > 0 && ((uint8_t)s[cut] & 0xc0) == 0x80)
		cut--;
	s[cut] = 0;
	m->st.names_cut++;
	return s;
}

static void add_name(struct mt_mime *m, const char *name)
{
	if (m->nnames >= MT_MIME_MAX_NAMES) {
		m->st.names_dropped++;
		return;
	}
	if (m->nnames == m->names_cap) {
		m->names_cap = m->names_cap ? m->names_cap * 2 : 4;
		m->names = mt_xrealloc(m->names, m->names_cap * sizeof *m->names);
	}
	m->names[m->nnames++] = name_cap(m, mt_xstrdup(name));
}

/* ---------------------------------------------------------------------
 * structured header values: Content-Type, Content-Disposition
 * ------------------------------------------------------------------- */

struct cursor {
	const uint8_t *p;
	size_t n, i;
};

/* Skips whitespace and RFC 5322 §3.2.2 comments (nested, with quoted
 * pairs); an unclosed comment runs to the end. */
static void skip_cfws(struct cursor *c)
{
	while (c->i < c->n) {
		uint8_t ch = c->p[c->i];
		if (mt_is_wsp(ch) || ch == '\r' || ch == '\n') {
			c->i++;
			continue;
		}
		if (ch != '(')
			return;
		unsigned depth = 0;
		for (; c->i < c->n; c->i++) {
			ch = c->p[c->i];
			if (ch == '\\') {
				c->i++;
			} else if (ch == '(') {
				depth++;
			} else if (ch == ')' && --depth == 0) {
				c->i++;
				break;
			}
		}
	}
}

/* RFC 2045 §5.1 token characters (lenient: anything printable but
 * tspecials and space). */
static bool token_char(uint8_t c)
{
	return c > ' ' && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

/* Reads "type/subtype" lower-cased into out, or the disposition type. */
static void read_type(struct cursor *c, char *out, size_t outsz)
{
	size_t o = 0;
	skip_cfws(c);
	while (c->i < c->n) {
		uint8_t ch = c->p[c->i];
		if (!token_char(ch) && ch != '/')
			break;
		if (o + 1 < outsz)
			out[o++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
		c->i++;
	}
	out[o] = 0;
}

/* One parameter value, unquoted and unescaped (heap copy). */
struct pval {
	uint8_t *p;
	size_t n;
};

static struct pval read_value(struct cursor *c)
{
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	if (c->i < c->n && c->p[c->i] == '"') {
		/* RFC 5322 §3.2.4 quoted-string; unterminated runs to the end */
		c->i++;
		size_t run = c->i;
		while (c->i < c->n && c->p[c->i] != '"') {
			if (c->p[c->i] == '\\' && c->i + 1 < c->n) {
				mt_sbuf_add(&b, c->p + run, c->i - run);
				c->i++;
				run = c->i;
			}
			c->i++;
		}
		mt_sbuf_add(&b, c->p + run, c->i - run);
		if (c->i < c->n)
			c->i++;
	} else {
		/* A token by the RFC; broken mailers write unquoted spaces and
		 * '=' (boundary=----=_Part_1), so read to the next ';'. */
		size_t s = c->i;
		const uint8_t *semi = memchr(c->p + s, ';', c->n - s);
		size_t e = semi ? (size_t)(semi - c->p) : c->n;
		c->i = e;
		while (e > s && (mt_is_wsp(c->p[e - 1]) || c->p[e - 1] == '\r' || c->p[e - 1] == '\n'))
			e--;
		mt_sbuf_add(&b, c->p + s, e - s);
	}
	mt_sbuf_add(&b, "", 0);
	struct pval v = { (uint8_t *)b.s, b.len };
	return v;
}

/* A file-name parameter in its plain and RFC 2231 forms. */
struct segment {
	unsigned idx;
	bool ext;              /* "*" form: charset'lang' and %XX encoding */
	struct pval v;
};

struct fparam {
	struct pval plain;
	bool have_plain;
	struct segment seg[MAX_SEGMENTS];
	size_t nseg;
};

static void fparam_free(struct fparam *f)
{
	free(f->plain.p);
	for (size_t i = 0; i < f->nseg; i++)
		free(f->seg[i].v.p);
	memset(f, 0, sizeof *f);
}

/* Stores a value of attribute base[suffix]: suffix is "", "*", "*N" or
 * "*N*" (RFC 2231 §3, §4). Takes ownership of v. */
static void fparam_add(struct fparam *f, const uint8_t *suf, size_t sn, struct pval v)
{
	if (sn == 0) {
		if (!f->have_plain) {
			f->plain = v;
			f->have_plain = true;
			return;
		}
		free(v.p);
		return;
	}
	/* suf[0] == '*' */
	unsigned idx = 0;
	bool ext;
	if (sn == 1) {
		ext = true;                            /* name*=charset'lang'value */
	} else {
		size_t k = 1, digits = 0;
		while (k < sn && suf[k] >= '0' && suf[k] <= '9' && digits < 4) {
			idx = idx * 10 + (unsigned)(suf[k] - '0');
			k++;
			digits++;
		}
		ext = k < sn && suf[k] == '*';
		if (digits == 0 || k + (ext ? 1 : 0) != sn || idx > MAX_SEGMENT_INDEX) {
			free(v.p);
			return;
		}
	}
	for (size_t i = 0; i < f->nseg; i++)
		if (f->seg[i].idx == idx) {            /* duplicate: first wins */
			free(v.p);
			return;
		}
	if (f->nseg >= MAX_SEGMENTS) {
		free(v.p);
		return;
	}
	f->seg[f->nseg].idx = idx;
	f->seg[f->nseg].ext = ext;
	f->seg[f->nseg].v = v;
	f->nseg++;
}

static void percent_decode(const uint8_t *p, size_t n, struct mt_sbuf *out)
{
	size_t run = 0;
	for (size_t i = 0; i + 2 < n; i++) {
		if (p[i] != '%' || mt_hexval(p[i + 1]) < 0 || mt_hexval(p[i + 2]) < 0)
			continue;
		mt_sbuf_add(out, p + run, i - run);
		mt_sbuf_addc(out, (char)(mt_hexval(p[i + 1]) << 4 | mt_hexval(p[i + 2])));
		i += 2;
		run = i + 1;
	}
	mt_sbuf_add(out, p + run, n - run);
}

/* Replaces NULs (U+FFFD) so the name stays a whole C string. */
static char *no_nul_steal(struct mt_sbuf *b)
{
	if (b->len && memchr(b->s, 0, b->len)) {
		struct mt_sbuf c;
		mt_sbuf_init(&c);
		for (size_t i = 0; i < b->len; i++) {
			if (b->s[i])
				mt_sbuf_addc(&c, b->s[i]);
			else
				mt_sbuf_adds(&c, "\xef\xbf\xbd");
		}
		mt_sbuf_free(b);
		*b = c;
	}
	return mt_sbuf_steal(b);
}

/* The decoded value, or NULL if the parameter was absent. RFC 2231 forms
 * win over a plain one (mailers send both for old readers); a plain value
 * may hold RFC 2047 encoded words, which is wrong but universal. */
static char *fparam_value(struct fparam *f)
{
	if (f->nseg == 0) {
		if (!f->have_plain)
			return NULL;
		return mt_rfc2047_decode(f->plain.p, f->plain.n, NULL);
	}
	/* Order the segments by index (few; insertion sort). */
	for (size_t i = 1; i < f->nseg; i++) {
		struct segment s = f->seg[i];
		size_t j = i;
		while (j > 0 && f->seg[j - 1].idx > s.idx) {
			f->seg[j] = f->seg[j - 1];
			j--;
		}
		f->seg[j] = s;
	}
	struct mt_sbuf raw, out;
	mt_sbuf_init(&raw);
	mt_sbuf_init(&out);
	const uint8_t *cs = NULL;
	size_t csn = 0;
	for (size_t i = 0; i < f->nseg; i++) {
		const uint8_t *p = f->seg[i].v.p;
		size_t n = f->seg[i].v.n;
		if (!f->seg[i].ext) {
			mt_sbuf_add(&raw, p, n);
			continue;
		}
		if (i == 0) {
			/* RFC 2231 §4: charset'language'value in the first one */
			const uint8_t *q1 = memchr(p, '\'', n);
			const uint8_t *q2 = q1 ? memchr(q1 + 1, '\'', n - (size_t)(q1 + 1 - p)) : NULL;
			if (q2) {
				cs = p;
				csn = (size_t)(q1 - p);
				n -= (size_t)(q2 + 1 - p);
				p = q2 + 1;
			}
		}
		percent_decode(p, n, &raw);
	}
	/* An unknown charset keeps the bytes (escaped later, never lost). */
	if (!mt_charset_to_utf8(cs ? (const char *)cs : "", csn, (const uint8_t *)raw.s,
	                        raw.len, &out))
		mt_sbuf_add(&out, raw.s, raw.len);
	mt_sbuf_free(&raw);
	return no_nul_steal(&out);
}

/* Walks "; attr=value" pairs (RFC 2045 §5.1, RFC 2183 §2). Keeps the
 * boundary (when want_boundary) and the file-name parameter fname. */
static void parse_params(struct mt_mime *m, struct cursor *c, const char *fname,
                         bool want_boundary, char **name_out)
{
	struct fparam f;
	memset(&f, 0, sizeof f);
	while (c->i < c->n) {
		skip_cfws(c);
		if (c->i >= c->n)
			break;
		if (c->p[c->i] != ';') {
			/* junk: resynchronise at the next ';' */
			const uint8_t *semi = memchr(c->p + c->i, ';', c->n - c->i);
			if (!semi)
				break;
			c->i = (size_t)(semi - c->p);
		}
		c->i++;
		skip_cfws(c);
		size_t as = c->i;
		while (c->i < c->n && (token_char(c->p[c->i]) || c->p[c->i] == '*'))
			c->i++;
		const uint8_t *attr = c->p + as;
		size_t an = c->i - as;
		skip_cfws(c);
		if (an == 0 || c->i >= c->n || c->p[c->i] != '=')
			continue;
		c->i++;
		skip_cfws(c);
		struct pval v = read_value(c);

		const uint8_t *star = memchr(attr, '*', an);
		size_t base = star ? (size_t)(star - attr) : an;
		if (want_boundary && !star && span_ieq(attr, an, "boundary") && !m->ent.boundary) {
			if (v.n == 0 || v.n > MT_MIME_BOUNDARY_MAX) {
				m->ent.boundary_too_long = v.n > 0;
				free(v.p);
			} else {
				m->ent.boundary = (char *)v.p;
				m->ent.blen = v.n;
			}
		} else if (span_ieq(attr, base, fname)) {
			fparam_add(&f, attr + base, an - base, v);
		} else {
			free(v.p);
		}
	}
	if (!*name_out)
		*name_out = fparam_value(&f);
	fparam_free(&f);
}

static void parse_content_type(struct mt_mime *m, const uint8_t *p, size_t n)
{
	if (m->ent.have_type)   /* the first Content-Type wins */
		return;
	struct cursor c = { p, n, 0 };
	read_type(&c, m->ent.type, sizeof m->ent.type);
	m->ent.have_type = strchr(m->ent.type, '/') != NULL; /* else default, RFC 2045 §5.2 */
	if (!m->ent.have_type)
		m->ent.type[0] = 0;
	parse_params(m, &c, "name", strncmp(m->ent.type, "multipart/", 10) == 0, &m->ent.name);
}

static void parse_content_disposition(struct mt_mime *m, const uint8_t *p, size_t n)
{
	if (m->ent.have_disp)
		return;
	m->ent.have_disp = true;
	char type[32];
	struct cursor c = { p, n, 0 };
	read_type(&c, type, sizeof type);
	m->ent.attachment = strcmp(type, "attachment") == 0;
	parse_params(m, &c, "filename", false, &m->ent.filename);
}

static void parse_cte(struct mt_mime *m, const uint8_t *p, size_t n)
{
	if (m->ent.have_cte)
		return;
	m->ent.have_cte = true;
	char type[32];
	struct cursor c = { p, n, 0 };
	read_type(&c, type, sizeof type);
	m->ent.encoded_body = strcmp(type, "base64") == 0 || strcmp(type, "quoted-printable") == 0;
}

/* ---------------------------------------------------------------------
 * header blocks
 * ------------------------------------------------------------------- */

static enum field field_of(const uint8_t *name, size_t n, bool top)
{
	if (span_ieq(name, n, "content-type"))
		return F_CTYPE;
	if (span_ieq(name, n, "content-disposition"))
		return F_CDISP;
	if (span_ieq(name, n, "content-transfer-encoding"))
		return F_CTE;
	if (!top)
		return F_NONE;
	if (span_ieq(name, n, "from")) return F_FROM;
	if (span_ieq(name, n, "to")) return F_TO;
	if (span_ieq(name, n, "cc")) return F_CC;
	if (span_ieq(name, n, "subject")) return F_SUBJECT;
	if (span_ieq(name, n, "date")) return F_DATE;
	if (span_ieq(name, n, "message-id")) return F_MSGID;
	return F_NONE;
}

/* Keeps header bytes within the per-block budget. */
static void hdr_keep(struct mt_mime *m, const uint8_t *p, size_t n)
{
	size_t room = MT_MIME_HDR_KEEP - m->block_kept;
	size_t take = n < room ? n : room;
	mt_sbuf_add(&m->hdr, p, take);
	m->block_kept += take;
	if (take < n)
		m->st.header_bytes_skipped += n - take;
}

/* The current field is complete: act on it. */
static void hdr_complete(struct mt_mime *m)
{
	enum field f = m->hfield;
	if (f == F_NONE)
		return;
	m->hfield = F_NONE;
	const uint8_t *v = (const uint8_t *)m->hdr.s;
	size_t n = m->hdr.len;
	if (!v) {
		v = (const uint8_t *)"";
		n = 0;
	}
	switch (f) {
	case F_CTYPE:
		parse_content_type(m, v, n);
		break;
	case F_CDISP:
		parse_content_disposition(m, v, n);
		break;
	case F_CTE:
		parse_cte(m, v, n);
		break;
	default:
		if (!m->top[f])   /* the first occurrence wins */
			m->top[f] = mt_rfc2047_decode(v, n, NULL);
		break;
	}
	mt_sbuf_reset(&m->hdr);
}

static void new_block(struct mt_mime *m, bool top, bool default_rfc822)
{
	entity_clear(&m->ent);
	m->ent.top = top;
	m->ent.default_rfc822 = default_rfc822;
	m->block_kept = 0;
	m->hfield = F_NONE;
	mt_sbuf_reset(&m->hdr);
	m->state = ST_HEADERS;
}

/* After the body of a leaf (or a multipart not followed) there is nothing
 * to learn unless an enclosing multipart still has delimiters to come. */
static enum state body_state(const struct mt_mime *m)
{
	return m->depth ? ST_BODY : ST_IGNORE;
}

/* A header block ended. With descend, its body follows and is entered
 * (a multipart's delimiters, or an encapsulated message's headers);
 * without, the entity ended before its body (a delimiter came first). */
static void block_end(struct mt_mime *m, bool descend)
{
	hdr_complete(m);
	struct entity *e = &m->ent;
	bool multipart = strncmp(e->type, "multipart/", 10) == 0;
	bool rfc822 = e->have_type
		? strcmp(e->type, "message/rfc822") == 0 || strcmp(e->type, "message/global") == 0
		: e->default_rfc822;
	/* RFC 2046 §5.2.1 allows only 7bit/8bit/binary here; an encoded one
	 * cannot be parsed as headers. */
	rfc822 = rfc822 && !e->encoded_body;

	if (e->top) {
		m->top_seen = true;
		m->top_multipart = multipart && e->boundary;
	}
	if (!multipart && (e->attachment || e->filename || e->name))
		add_name(m, e->filename ? e->filename : e->name ? e->name : unnamed);
	if (e->boundary_too_long)
		m->st.boundaries_too_long++;

	if (!descend) {
		m->state = body_state(m);
	} else if (multipart && e->boundary) {
		if (m->depth < MT_MIME_MAX_DEPTH) {
			struct boundary *b = &m->stack[m->depth++];
			b->s = e->boundary;
			b->len = e->blen;
			b->digest = strcmp(e->type, "multipart/digest") == 0;
			e->boundary = NULL;
			m->state = ST_BODY;   /* the preamble, until the first delimiter */
		} else {
			m->st.depth_exceeded++;
			m->state = body_state(m);
		}
	} else if (rfc822) {
		/* The body is a message: its header block follows at once. */
		new_block(m, false, false);
		return;
	} else {
		m->state = body_state(m);
	}
	entity_clear(&m->ent);
}

/* One physical line of a header block, without its line end. */
static void header_line(struct mt_mime *m, const uint8_t *p, size_t n)
{
	if (n == 0) {               /* RFC 5322 §2.1: the empty line ends it */
		block_end(m, true);
		return;
	}
	if (mt_is_wsp(p[0])) {         /* folded continuation, §2.2.3 */
		if (m->hfield != F_NONE)
			hdr_keep(m, p, n);
		return;
	}
	hdr_complete(m);
	const uint8_t *colon = memchr(p, ':', n);
	if (!colon)                 /* not a field: ignored, lenient */
		return;
	size_t nl = (size_t)(colon - p);
	while (nl > 0 && mt_is_wsp(p[nl - 1]))   /* obsolete "Name :" form, §4.5 */
		nl--;
	m->hfield = field_of(p, nl, m->ent.top);
	if (m->hfield != F_NONE)
		hdr_keep(m, colon + 1, n - (size_t)(colon - p) - 1);
}

/* ---------------------------------------------------------------------
 * boundaries
 * ------------------------------------------------------------------- */

/* Is p[0..n) a delimiter line of an open multipart (RFC 2046 §5.1.1)?
 * Returns its stack level, or -1; *close is set for "--boundary--".
 * Inner levels are tried first. */
static long match_boundary(const struct mt_mime *m, const uint8_t *p, size_t n, bool *close)
{
	if (n < 3 || p[0] != '-' || p[1] != '-')
		return -1;
	p += 2;
	n -= 2;
	while (n > 0 && mt_is_wsp(p[n - 1]))   /* transport padding */
		n--;
	for (size_t k = m->depth; k-- > 0;) {
		const struct boundary *b = &m->stack[k];
		if (n == b->len && memcmp(p, b->s, n) == 0) {
			*close = false;
			return (long)k;
		}
		if (n == b->len + 2 && memcmp(p, b->s, b->len) == 0 &&
		    p[n - 2] == '-' && p[n - 1] == '-') {
			*close = true;
			return (long)k;
		}
	}
	return -1;
}

static void on_boundary(struct mt_mime *m, size_t level, bool close)
{
	if (m->state == ST_HEADERS)
		block_end(m, false);     /* a part that had headers but no body */
	/* Delimiters of an outer level close the inner ones implicitly. */
	stack_pop_to(m, level + 1);
	if (close) {
		stack_pop_to(m, level);
		m->state = body_state(m);    /* the epilogue */
		return;
	}
	m->nparts++;
	new_block(m, false, m->stack[level].digest);
}

/* ---------------------------------------------------------------------
 * lines
 * ------------------------------------------------------------------- */

static void line_end(struct mt_mime *m)
{
	size_t n = m->llen;
	if (m->ldiscard)
		return;
	if (n > 0 && m->line[n - 1] == '\r')
		n--;
	bool close;
	long level = m->lover ? -1 : match_boundary(m, m->line, n, &close);
	if (level >= 0) {
		on_boundary(m, (size_t)level, close);
		return;
	}
	if (m->state == ST_HEADERS)
		header_line(m, m->line, n);
}

static void line_add(struct mt_mime *m, const uint8_t *p, size_t n)
{
	if (m->ldiscard || n == 0)
		return;
	if (m->state == ST_BODY && m->llen == 0 && p[0] != '-') {
		m->ldiscard = true;      /* cannot be a delimiter */
		return;
	}
	size_t cap = m->state == ST_HEADERS ? MT_MIME_HDR_KEEP : BODY_LINE_CAP;
	if (m->lover) {
		m->st.header_bytes_skipped += n;
		return;
	}
	size_t room = cap - m->llen;
	size_t take = n < room ? n : room;
	if (m->llen + take > m->lcap) {
		size_t c = m->lcap ? m->lcap : 256;
		while (c < m->llen + take)
			c *= 2;
		if (c > cap)
			c = cap;
		m->line = mt_xrealloc(m->line, c);
		m->lcap = c;
	}
	memcpy(m->line + m->llen, p, take);
	m->llen += take;
	if (take < n) {
		if (m->state == ST_HEADERS) {
			m->lover = true;     /* keep what fits, skip the rest */
			m->st.header_bytes_skipped += n - take;
		} else {
			m->ldiscard = true;  /* too long to be a delimiter */
		}
	}
}

void mt_mime_feed(struct mt_mime *m, const uint8_t *p, size_t n)
{
	if (!m || m->finished)
		return;
	if (n > 0)
		m->any_input = true;
	while (n > 0 && m->state != ST_IGNORE) {
		const uint8_t *lf = memchr(p, '\n', n);
		size_t take = lf ? (size_t)(lf - p) : n;
		line_add(m, p, take);
		if (!lf)
			return;
		line_end(m);
		m->llen = 0;
		m->ldiscard = m->lover = false;
		p += take + 1;
		n -= take + 1;
	}
}

/* ---------------------------------------------------------------------
 * lifetime
 * ------------------------------------------------------------------- */

struct mt_mime *mt_mime_new(const struct mt_limits *lim)
{
	(void)lim;
	struct mt_mime *m = mt_xcalloc(1, sizeof *m);
	mt_sbuf_init(&m->hdr);
	m->state = ST_HEADERS;
	m->ent.top = true;
	return m;
}

void mt_mime_finish(struct mt_mime *m, struct mt_message *msg)
{
	if (!m || m->finished)
		return;
	/* An unterminated last line still counts. */
	if (m->llen > 0 || m->ldiscard || m->lover)
		line_end(m);
	/* A header block cut short still describes its entity; an empty
	 * input has none. */
	if (m->state == ST_HEADERS && (m->any_input || !m->ent.top))
		block_end(m, false);
	m->llen = 0;
	m->finished = true;

	size_t nparts = m->nparts;
	if (m->top_seen && !m->top_multipart)
		nparts++;
	msg->nparts = nparts;
	msg->from = m->top[F_FROM];
	msg->to = m->top[F_TO];
	msg->cc = m->top[F_CC];
	msg->subject = m->top[F_SUBJECT];
	msg->date = m->top[F_DATE];
	msg->message_id = m->top[F_MSGID];
	memset(m->top, 0, sizeof m->top);
	msg->attachments = m->nnames ? m->names : NULL;
	msg->nattachments = m->nnames;
	if (!m->nnames)
		free(m->names);
	m->names = NULL;
	m->nnames = m->names_cap = 0;
}

void mt_mime_get_stats(const struct mt_mime *m, struct mt_mime_stats *st)
{
	*st = m->st;
	st->truncated = st->header_bytes_skipped || st->depth_exceeded || st->names_dropped ||
	                st->names_cut || st->boundaries_too_long;
}

void mt_mime_free(struct mt_mime *m)
{
	if (!m)
		return;
	free(m->line);
	mt_sbuf_free(&m->hdr);
	entity_clear(&m->ent);
	stack_pop_to(m, 0);
	for (size_t i = 0; i < sizeof m->top / sizeof m->top[0]; i++)
		free(m->top[i]);
	for (size_t i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	free(m);
}
