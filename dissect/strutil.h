/* strutil.h - small bounded helpers for parsing protocol lines.
 *
 * All functions take (pointer, length) spans of captured bytes and never
 * read past them; none needs NUL termination. */
#ifndef MT_STRUTIL_H
#define MT_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A span of bytes inside a line. */
struct mt_span { const uint8_t *p; size_t n; };

/* Case-insensitive ASCII: does p[0..n) start with kw, followed by end, space
 * or (for SMTP's "MAIL FROM:") the next character of kw? */
bool mt_kw_prefix(const uint8_t *p, size_t n, const char *kw);
/* Case-insensitive: p[0..n) equals kw exactly. */
bool mt_kw_eq(const uint8_t *p, size_t n, const char *kw);
/* Case-insensitive: the first word of p equals kw (word ends at SP/TAB/end). */
bool mt_kw_word(const uint8_t *p, size_t n, const char *kw);

/* Splits off the next word (SP/TAB separated). Returns false at end. */
bool mt_next_word(struct mt_span *rest, struct mt_span *word);
/* Skips leading spaces/tabs. */
void mt_skip_ws(struct mt_span *s);
/* Trims trailing spaces/tabs/CR/LF. */
void mt_trim_right(struct mt_span *s);

/* RFC 5322 §2.2.2 WSP: space or horizontal tab. */
static inline bool mt_is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* The value of a hexadecimal digit, or -1. */
static inline int mt_hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses a decimal number of at most 19 digits; false if none or overflow. */
bool mt_parse_u64(const uint8_t *p, size_t n, uint64_t *out, size_t *used);

/* Copies an upper-cased word into out (size outsz, always NUL-terminated). */
void mt_upper_copy(char *out, size_t outsz, const uint8_t *p, size_t n);

/* Finds needle (ASCII, case-insensitive) in p[0..n); returns offset or -1. */
long mt_find_ci(const uint8_t *p, size_t n, const char *needle);

/* True when p[0..n) has no C0 control byte and no DEL (empty: true). */
bool mt_printable(const uint8_t *p, size_t n);
/* Like mt_printable, but TAB is allowed (text a user typed). */
bool mt_printable_tab(const uint8_t *p, size_t n);

/* Copies p[0..n) into out (size outsz, always NUL-terminated when outsz > 0),
 * each byte outside printable ASCII as '?' (notes quoting the wire). */
void mt_ascii_copy(char *out, size_t outsz, const uint8_t *p, size_t n);

#endif
