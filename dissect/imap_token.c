/* imap_token.c - IMAP lexical tokens (see imap_token.h). */
#include "imap_token.h"

#include <string.h>

#include "strutil.h"

void mt_imap_tok_init(struct mt_imap_tokenizer *t, const uint8_t *buf, size_t n)
{
	t->buf = buf;
	t->n = buf ? n : 0;
	t->pos = 0;
	t->depth = 0;
	t->failed = false;
}

static enum mt_imap_tok_kind fail(struct mt_imap_tokenizer *t, struct mt_imap_tok *tok, size_t off, const char *why)
{
	tok->kind = IMAP_TOK_ERROR;
	tok->off = off;
	tok->len = t->pos > off ? t->pos - off : 0;
	tok->error = why;
	t->failed = true;
	t->pos = t->n;
	return IMAP_TOK_ERROR;
}

/* RFC 3501 §9: atom-specials are "(" ")" "{" SP CTL list-wildcards
 * quoted-specials resp-specials. We are lenient where real clients are
 * sloppy: `\` (flags), `%`/`*` (LIST patterns) and `]` (ASTRING-CHAR) stay
 * in the atom; 8-bit bytes too (RFC 9051 UTF-8 mailbox names). */
static bool atom_stop(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(' || c == ')' || c == '{' ||
	       c == '"' || c < 0x20 || c == 0x7f;
}

/* A bracketed section inside an atom, `[HEADER.FIELDS (FROM TO)]`: the
 * matching `]` on this line, or 0 if none (then the `[` is an ordinary
 * character). RFC 3501 §9 section / section-spec. */
static size_t section_end(const uint8_t *p, size_t n)
{
	int depth = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c == '\r' || c == '\n')
			return 0;
		if (c == '[')
			depth++;
		else if (c == ']' && --depth == 0)
			return i + 1;
	}
	return 0;
}

static enum mt_imap_tok_kind literal(struct mt_imap_tokenizer *t, struct mt_imap_tok *tok, size_t start, bool binary)
{
	size_t i = t->pos + 1;   /* after '{' */
	uint64_t n;
	size_t used;
	if (!mt_parse_u64(t->buf + i, t->n - i, &n, &used)) {
		t->pos = i;
		return fail(t, tok, start, "literal length is not a number");
	}
	i += used;
	tok->lit_kind = binary ? IMAP_LIT_BINARY : IMAP_LIT_SYNC;
	if (i < t->n && t->buf[i] == '+') {
		if (!binary)
			tok->lit_kind = IMAP_LIT_NONSYNC;
		i++;
	}
	if (i >= t->n || t->buf[i] != '}') {
		t->pos = i;
		return fail(t, tok, start, "literal without closing brace");
	}
	i++;
	/* RFC 3501 §4.3: the literal octets follow the CRLF. We tolerate a bare
	 * LF; a marker at the very end means the data never arrived. */
	if (i < t->n && t->buf[i] == '\r')
		i++;
	if (i < t->n && t->buf[i] == '\n')
		i++;
	else if (i < t->n) {
		t->pos = i;
		return fail(t, tok, start, "literal marker not at end of line");
	}
	size_t avail = t->n - i;
	size_t take = n < avail ? (size_t)n : avail;
	tok->kind = IMAP_TOK_LITERAL;
	tok->lit_len = n;
	tok->short_by = n - take;
	tok->voff = i;
	tok->vlen = take;
	t->pos = i + take;
	tok->off = start;
	tok->len = t->pos - start;
	return IMAP_TOK_LITERAL;
}

static enum mt_imap_tok_kind quoted(struct mt_imap_tokenizer *t, struct mt_imap_tok *tok)
{
	size_t start = t->pos;
	size_t i = start + 1;
	while (i < t->n) {
		uint8_t c = t->buf[i];
		if (c == '"') {
			tok->kind = IMAP_TOK_QUOTED;
			tok->off = start;
			tok->len = i + 1 - start;
			tok->voff = start + 1;
			tok->vlen = i - start - 1;
			t->pos = i + 1;
			return IMAP_TOK_QUOTED;
		}
		if (c == '\r' || c == '\n')
			break;   /* §9: QUOTED-CHAR excludes CR and LF */
		if (c == '\\') {
			if (i + 1 < t->n && (t->buf[i + 1] == '"' || t->buf[i + 1] == '\\')) {
				i += 2;
				continue;
			}
			tok->bad_escape = true;
		}
		i++;
	}
	t->pos = i;
	return fail(t, tok, start, "unterminated quoted string");
}

enum mt_imap_tok_kind mt_imap_tok_next(struct mt_imap_tokenizer *t, struct mt_imap_tok *tok)
{
	memset(tok, 0, sizeof(*tok));
	if (t->failed) {
		tok->off = t->n;
		return tok->kind = IMAP_TOK_END;
	}
	while (t->pos < t->n && (t->buf[t->pos] == ' ' || t->buf[t->pos] == '\t'))
		t->pos++;
	tok->off = t->pos;
	if (t->pos >= t->n)
		return tok->kind = IMAP_TOK_END;
	size_t start = t->pos;
	uint8_t c = t->buf[start];
	switch (c) {
	case '\r':
	case '\n':
		return tok->kind = IMAP_TOK_END;
	case '(':
		if (t->depth >= MT_IMAP_MAX_DEPTH) {
			t->pos++;
			return fail(t, tok, start, "lists nested too deeply");
		}
		t->depth++;
		t->pos++;
		tok->len = 1;
		return tok->kind = IMAP_TOK_LPAREN;
	case ')':
		t->pos++;
		if (t->depth == 0)
			return fail(t, tok, start, "unbalanced )");
		t->depth--;
		tok->len = 1;
		return tok->kind = IMAP_TOK_RPAREN;
	case '"':
		return quoted(t, tok);
	case '{':
		return literal(t, tok, start, false);
	case '~':
		if (start + 1 < t->n && t->buf[start + 1] == '{') {
			t->pos++;
			return literal(t, tok, start, true);
		}
		break;
	default:
		if (c < 0x20 || c == 0x7f) {
			t->pos++;
			return fail(t, tok, start, "control character");
		}
		break;
	}
	size_t i = start;
	while (i < t->n) {
		uint8_t b = t->buf[i];
		if (b == '[') {
			size_t e = section_end(t->buf + i, t->n - i);
			if (e) {
				i += e;
				continue;
			}
		}
		if (atom_stop(b))
			break;
		i++;
	}
	t->pos = i;
	tok->off = tok->voff = start;
	tok->len = tok->vlen = i - start;
	tok->kind = mt_kw_eq(t->buf + start, i - start, "NIL") ? IMAP_TOK_NIL : IMAP_TOK_ATOM;
	return tok->kind;
}

enum mt_imap_tok_kind mt_imap_tok_next_arg(struct mt_imap_tokenizer *t, struct mt_imap_tok *tok)
{
	enum mt_imap_tok_kind k = mt_imap_tok_next(t, tok);
	if (k != IMAP_TOK_LPAREN)
		return k;
	size_t start = tok->off;
	int depth = t->depth - 1;   /* depth outside this list */
	struct mt_imap_tok in;
	for (;;) {
		enum mt_imap_tok_kind ik = mt_imap_tok_next(t, &in);
		if (ik == IMAP_TOK_ERROR) {
			*tok = in;
			return IMAP_TOK_ERROR;
		}
		if (ik == IMAP_TOK_END) {
			size_t pos = t->pos;
			fail(t, tok, start, "unterminated list");
			tok->len = pos - start;
			return IMAP_TOK_ERROR;
		}
		if (ik == IMAP_TOK_RPAREN && t->depth == depth)
			break;
	}
	memset(tok, 0, sizeof(*tok));
	tok->kind = IMAP_TOK_LIST;
	tok->off = start;
	tok->len = t->pos - start;
	tok->voff = start + 1;
	tok->vlen = tok->len - 2;
	return IMAP_TOK_LIST;
}

size_t mt_imap_tok_value(const struct mt_imap_tokenizer *t, const struct mt_imap_tok *tok,
                         uint8_t *out, size_t cap)
{
	const uint8_t *p = t->buf + tok->voff;
	size_t n = tok->vlen;
	if (tok->voff > t->n || n > t->n - tok->voff)
		return 0;
	switch (tok->kind) {
	case IMAP_TOK_ATOM:
	case IMAP_TOK_NIL:
	case IMAP_TOK_LITERAL:
	case IMAP_TOK_LIST:
		if (out && cap)
			memcpy(out, p, n < cap ? n : cap);
		return n;
	case IMAP_TOK_QUOTED: {
		/* RFC 3501 §9: "\" quoted-specials stands for the special. */
		size_t j = 0;
		for (size_t i = 0; i < n; i++) {
			uint8_t c = p[i];
			if (c == '\\' && i + 1 < n && (p[i + 1] == '"' || p[i + 1] == '\\'))
				c = p[++i];
			if (out && j < cap)
				out[j] = c;
			j++;
		}
		return j;
	}
	default:
		return 0;
	}
}

bool mt_imap_tok_is_string(const struct mt_imap_tok *tok)
{
	return tok->kind == IMAP_TOK_ATOM || tok->kind == IMAP_TOK_NIL || tok->kind == IMAP_TOK_QUOTED ||
	       tok->kind == IMAP_TOK_LITERAL;
}

bool mt_imap_literal_suffix(const uint8_t *line, size_t len, uint64_t *lit_len,
                            enum mt_imap_lit_kind *kind, size_t *marker_off)
{
	if (len < 3 || line[len - 1] != '}')
		return false;
	size_t i = len - 1;
	enum mt_imap_lit_kind k = IMAP_LIT_SYNC;
	if (line[i - 1] == '+') {
		k = IMAP_LIT_NONSYNC;
		i--;
	}
	size_t end = i;   /* one past the last digit */
	while (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9')
		i--;
	if (i == end || i == 0 || line[i - 1] != '{')
		return false;
	uint64_t n;
	size_t used;
	if (!mt_parse_u64(line + i, end - i, &n, &used) || used != end - i)
		return false;
	size_t m = i - 1;
	if (m > 0 && line[m - 1] == '~') {
		/* ~{n+} is binary and non-synchronising; both say "n raw bytes
		 * follow now", which is all a passive reader needs. */
		if (k == IMAP_LIT_SYNC)
			k = IMAP_LIT_BINARY;
		m--;
	}
	*lit_len = n;
	*kind = k;
	*marker_off = m;
	return true;
}
