/* fuzz_common.h - shared helpers of the libFuzzer harnesses (tests/fuzz/).
 *
 * Each harness defines LLVMFuzzerTestOneInput(). Built with clang
 * -fsanitize=fuzzer it is a fuzzer; built with replay_main.c (gcc or clang,
 * ASan/UBSan) it replays files. Every wire byte a harness hands to mailtap
 * is first copied into a malloc'd buffer of exactly its size, so that
 * AddressSanitizer reports a read one byte past the end.
 *
 * The check helpers abort() when an output property that docs/json.md and
 * dissect/sanitize.h promise is broken: a fuzzer then keeps the input. */
#ifndef MT_FUZZ_COMMON_H
#define MT_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A copy of p[0..n) in a buffer of exactly n bytes (1 for n == 0, so the
 * pointer is valid but any read is still caught). Caller frees. */
static inline uint8_t *fz_dup(const uint8_t *p, size_t n)
{
	uint8_t *b = malloc(n ? n : 1);
	if (!b)
		abort();
	if (n)
		memcpy(b, p, n);
	return b;
}

/* A reader over the fuzzer's bytes; reads past the end yield zeros. */
struct fz {
	const uint8_t *p;
	size_t n;
};

static inline bool fz_empty(const struct fz *f) { return f->n == 0; }

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint16_t fz_u16(struct fz *f)
{
	uint16_t v = fz_u8(f);
	return (uint16_t)(v << 8 | fz_u8(f));
}

static inline uint32_t fz_u32(struct fz *f)
{
	uint32_t v = fz_u16(f);
	return v << 16 | fz_u16(f);
}

/* Up to want bytes from the reader, in place (the caller copies them). */
static inline const uint8_t *fz_take(struct fz *f, size_t want, size_t *got)
{
	const uint8_t *p = f->p;
	*got = want < f->n ? want : f->n;
	f->p += *got;
	f->n -= *got;
	return p;
}

static inline void fz_fail(const char *what, const char *buf, size_t len, size_t at)
{
	size_t from = at > 40 ? at - 40 : 0;
	size_t to = at + 40 < len ? at + 40 : len;
	fprintf(stderr, "fuzz check failed: %s at byte %zu of %zu: \"", what, at, len);
	for (size_t i = from; i < to; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fputs("\"\n", stderr);
	abort();
}

/* Length of a valid UTF-8 sequence at p (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static inline size_t fz_utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	if (c < 0x80)
		return 1;
	size_t k;
	uint32_t cp, min;
	if ((c & 0xe0) == 0xc0) { k = 2; cp = c & 0x1f; min = 0x80; }
	else if ((c & 0xf0) == 0xe0) { k = 3; cp = c & 0x0f; min = 0x800; }
	else if ((c & 0xf8) == 0xf0) { k = 4; cp = c & 0x07; min = 0x10000; }
	else return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* Text meant for a terminal (the text report): valid UTF-8, and no control
 * character but LF: no ESC, BEL, CR, NUL, DEL, no C1 control, no bidi
 * override (dissect/sanitize.h). */
static inline void fz_check_term(const char *buf, size_t len)
{
	const uint8_t *p = (const uint8_t *)buf;
	for (size_t i = 0; i < len;) {
		size_t k = fz_utf8_len(p + i, len - i);
		if (!k)
			fz_fail("invalid UTF-8 in terminal text", buf, len, i);
		if (k == 1 && ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f))
			fz_fail("control byte in terminal text", buf, len, i);
		if (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)
			fz_fail("C1 control in terminal text", buf, len, i);
		if (k == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 && p[i + 2] >= 0xaa && p[i + 2] <= 0xae)
			fz_fail("bidi override in terminal text", buf, len, i);
		if (k == 3 && p[i] == 0xe2 && p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9)
			fz_fail("bidi isolate in terminal text", buf, len, i);
		i += k;
	}
}

/* ---- a strict JSON checker (RFC 8259), for the JSON lines writer ---- */

struct fz_json {
	const uint8_t *p;
	size_t i, n;
	const char *buf;
	int depth;
};

static inline void fz_json_ws(struct fz_json *j)
{
	while (j->i < j->n && (j->p[j->i] == ' ' || j->p[j->i] == '\t' || j->p[j->i] == '\r' || j->p[j->i] == '\n'))
		j->i++;
}

static inline void fz_json_fail(struct fz_json *j, const char *what)
{
	fz_fail(what, j->buf, j->n, j->i);
}

static inline void fz_json_string(struct fz_json *j)
{
	if (j->i >= j->n || j->p[j->i] != '"')
		fz_json_fail(j, "JSON: string expected");
	j->i++;
	for (;;) {
		if (j->i >= j->n)
			fz_json_fail(j, "JSON: unterminated string");
		uint8_t c = j->p[j->i];
		if (c == '"') {
			j->i++;
			return;
		}
		if (c < 0x20)
			fz_json_fail(j, "JSON: raw control character in string");
		if (c == '\\') {
			j->i++;
			if (j->i >= j->n)
				fz_json_fail(j, "JSON: escape at end");
			c = j->p[j->i];
			if (c == 'u') {
				for (int k = 1; k <= 4; k++) {
					if (j->i + k >= j->n || !strchr("0123456789abcdefABCDEF", j->p[j->i + k]) ||
					    !j->p[j->i + k])
						fz_json_fail(j, "JSON: bad \\u escape");
				}
				j->i += 5;
			} else if (c && strchr("\"\\/bfnrt", c)) {
				j->i++;
			} else {
				fz_json_fail(j, "JSON: bad escape");
			}
			continue;
		}
		size_t k = fz_utf8_len(j->p + j->i, j->n - j->i);
		if (!k)
			fz_json_fail(j, "JSON: invalid UTF-8 in string");
		j->i += k;
	}
}

static inline void fz_json_value(struct fz_json *j);

static inline void fz_json_number(struct fz_json *j)
{
	size_t s = j->i;
	if (j->i < j->n && j->p[j->i] == '-')
		j->i++;
	if (j->i >= j->n)
		fz_json_fail(j, "JSON: number expected");
	if (j->p[j->i] == '0') {
		j->i++;
	} else if (j->p[j->i] >= '1' && j->p[j->i] <= '9') {
		while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
			j->i++;
	} else {
		fz_json_fail(j, "JSON: bad number");
	}
	if (j->i < j->n && j->p[j->i] == '.') {
		j->i++;
		size_t d = j->i;
		while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
			j->i++;
		if (d == j->i)
			fz_json_fail(j, "JSON: bad fraction");
	}
	if (j->i < j->n && (j->p[j->i] == 'e' || j->p[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->p[j->i] == '+' || j->p[j->i] == '-'))
			j->i++;
		size_t d = j->i;
		while (j->i < j->n && j->p[j->i] >= '0' && j->p[j->i] <= '9')
			j->i++;
		if (d == j->i)
			fz_json_fail(j, "JSON: bad exponent");
	}
	(void)s;
}

static inline void fz_json_lit(struct fz_json *j, const char *w)
{
	size_t k = strlen(w);
	if (j->n - j->i < k || memcmp(j->p + j->i, w, k))
		fz_json_fail(j, "JSON: bad literal");
	j->i += k;
}

static inline void fz_json_value(struct fz_json *j)
{
	fz_json_ws(j);
	if (j->i >= j->n)
		fz_json_fail(j, "JSON: value expected");
	if (++j->depth > 64)
		fz_json_fail(j, "JSON: nested too deep");
	uint8_t c = j->p[j->i];
	if (c == '{' || c == '[') {
		uint8_t close = c == '{' ? '}' : ']';
		j->i++;
		fz_json_ws(j);
		if (j->i < j->n && j->p[j->i] == close) {
			j->i++;
		} else {
			for (;;) {
				if (c == '{') {
					fz_json_ws(j);
					fz_json_string(j);
					fz_json_ws(j);
					if (j->i >= j->n || j->p[j->i] != ':')
						fz_json_fail(j, "JSON: ':' expected");
					j->i++;
				}
				fz_json_value(j);
				fz_json_ws(j);
				if (j->i < j->n && j->p[j->i] == ',') {
					j->i++;
					continue;
				}
				if (j->i < j->n && j->p[j->i] == close) {
					j->i++;
					break;
				}
				fz_json_fail(j, "JSON: ',' or close expected");
			}
		}
	} else if (c == '"') {
		fz_json_string(j);
	} else if (c == 't') {
		fz_json_lit(j, "true");
	} else if (c == 'f') {
		fz_json_lit(j, "false");
	} else if (c == 'n') {
		fz_json_lit(j, "null");
	} else {
		fz_json_number(j);
	}
	j->depth--;
}

/* JSON lines: every line one JSON object, the text ends with a newline. */
static inline void fz_check_json_lines(const char *buf, size_t len)
{
	size_t start = 0;
	while (start < len) {
		const char *nl = memchr(buf + start, '\n', len - start);
		if (!nl)
			fz_fail("JSON lines: last line without newline", buf, len, start);
		size_t end = (size_t)(nl - buf);
		struct fz_json j = { (const uint8_t *)buf, start, end, buf, 0 };
		fz_json_ws(&j);
		if (j.i >= end || buf[j.i] != '{')
			fz_fail("JSON lines: line is not an object", buf, len, start);
		fz_json_value(&j);
		fz_json_ws(&j);
		if (j.i != end)
			fz_fail("JSON lines: trailing bytes", buf, len, j.i);
		start = end + 1;
	}
}

#endif
