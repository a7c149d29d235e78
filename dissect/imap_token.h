/* imap_token.h - a small tokenizer for IMAP commands and responses.
 *
 * It reads one command (or response) as assembled from its line and its
 * literals, in wire form: `a LOGIN {5}\r\nalice "pa\"ss"`. It knows the
 * lexical pieces of RFC 3501 §4 / §9 (RFC 9051 §4 / §9):
 *   - atoms (a bracketed section such as `BODY[HEADER.FIELDS (TO)]<0.10>` is
 *     kept in one atom, so a FETCH item is one token),
 *   - quoted strings with `\"` and `\\` escapes (§4.3),
 *   - NIL,
 *   - literals `{n}` CRLF n-octets, non-synchronising `{n+}` (RFC 7888) and
 *     binary `~{n}` (RFC 3516 §4.1),
 *   - parenthesised lists, nested (bounded depth).
 * It never reads past the buffer, never allocates, and reports malformed
 * input as an error token instead of guessing. A literal that declares more
 * bytes than the buffer holds is returned with the bytes present and
 * `short_by` set: the caller decides what a cut literal means. */
#ifndef MT_IMAP_TOKEN_H
#define MT_IMAP_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mt_imap_tok_kind {
	IMAP_TOK_END = 0,   /* end of input (or of the line: CRLF) */
	IMAP_TOK_ATOM,
	IMAP_TOK_QUOTED,
	IMAP_TOK_LITERAL,
	IMAP_TOK_NIL,
	IMAP_TOK_LPAREN,
	IMAP_TOK_RPAREN,
	IMAP_TOK_LIST,      /* only from mt_imap_tok_next_arg(): a whole (...) */
	IMAP_TOK_ERROR,
};

enum mt_imap_lit_kind { IMAP_LIT_SYNC = 0, IMAP_LIT_NONSYNC, IMAP_LIT_BINARY };

/* Deepest nesting of parenthesised lists accepted (a BODYSTRUCTURE is rarely
 * deeper than 10; hostile input gets an error, not a stack). */
#define MT_IMAP_MAX_DEPTH 64

struct mt_imap_tok {
	enum mt_imap_tok_kind kind;
	size_t off, len;        /* the token as on the wire: buf[off .. off+len) */
	size_t voff, vlen;      /* its value: atom text, quoted contents between the
	                         * quotes (still escaped), literal data */
	uint64_t lit_len;       /* declared literal length */
	uint64_t short_by;      /* literal bytes declared but not in the buffer */
	enum mt_imap_lit_kind lit_kind;
	bool bad_escape;        /* quoted: a backslash not before " or \ (kept as is) */
	const char *error;      /* IMAP_TOK_ERROR: what was wrong (static text) */
};

struct mt_imap_tokenizer {
	const uint8_t *buf;
	size_t n, pos;
	int depth;              /* open parentheses */
	bool failed;            /* an error was returned: every later call is END */
};

/* Starts tokenizing buf[0..n). */
void mt_imap_tok_init(struct mt_imap_tokenizer *t, const uint8_t *buf, size_t n);

/* The next token, skipping spaces. Returns tok->kind. A CRLF (or LF) outside
 * a literal ends the input: IMAP_TOK_END. After IMAP_TOK_ERROR the tokenizer
 * stays at END. */
enum mt_imap_tok_kind mt_imap_tok_next(struct mt_imap_tokenizer *t, struct mt_imap_tok *tok);

/* Like mt_imap_tok_next(), but a parenthesised list comes back as one
 * IMAP_TOK_LIST token spanning `(` to the matching `)` (value: the inside).
 * An unbalanced list is IMAP_TOK_ERROR. */
enum mt_imap_tok_kind mt_imap_tok_next_arg(struct mt_imap_tokenizer *t, struct mt_imap_tok *tok);

/* The value of an atom, NIL, quoted string (unescaped per RFC 3501 §9) or
 * literal, copied to out (room for cap bytes); returns the full value length
 * (which may exceed cap: then only cap bytes were written). */
size_t mt_imap_tok_value(const struct mt_imap_tokenizer *t, const struct mt_imap_tok *tok,
                         uint8_t *out, size_t cap);

/* Is the token a string argument (astring / nstring: atom, NIL, quoted, literal)? */
bool mt_imap_tok_is_string(const struct mt_imap_tok *tok);

/* Does the line end with a literal marker `{n}`, `{n+}` or `~{n}` (RFC 3501
 * §7.5, RFC 7888 §3, RFC 3516 §4.1)? Trailing CR/LF must already be removed.
 * On success sets *lit_len, *kind and *marker_off (where the marker starts). */
bool mt_imap_literal_suffix(const uint8_t *line, size_t len, uint64_t *lit_len,
                            enum mt_imap_lit_kind *kind, size_t *marker_off);

#endif
