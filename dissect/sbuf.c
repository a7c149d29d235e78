/* sbuf.c - growable strings and checked allocation. */
#include "sbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*oom_hook)(void);

void mt_set_oom_hook(void (*hook)(void))
{
	oom_hook = hook;
}

static void oom(void)
{
	void (*hook)(void) = oom_hook;
	oom_hook = NULL;   /* once, even if the hook itself runs out */
	if (hook)
		hook();
	fputs("mailtap: out of memory\n", stderr);
	abort();
}

void *mt_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *mt_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);
	if (!p)
		oom();
	return p;
}

void *mt_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *mt_xstrdup(const char *s)
{
	return mt_xstrndup(s, strlen(s));
}

char *mt_xstrndup(const char *s, size_t n)
{
	char *p = mt_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void mt_sbuf_init(struct mt_sbuf *b)
{
	b->s = NULL;
	b->len = b->cap = 0;
}

void mt_sbuf_free(struct mt_sbuf *b)
{
	free(b->s);
	mt_sbuf_init(b);
}

void mt_sbuf_reset(struct mt_sbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = 0;
}

static void grow(struct mt_sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->s = mt_xrealloc(b->s, cap);
	b->cap = cap;
}

void mt_sbuf_add(struct mt_sbuf *b, const void *p, size_t n)
{
	grow(b, n);
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = 0;
}

void mt_sbuf_adds(struct mt_sbuf *b, const char *s)
{
	mt_sbuf_add(b, s, strlen(s));
}

void mt_sbuf_addc(struct mt_sbuf *b, char c)
{
	mt_sbuf_add(b, &c, 1);
}

void mt_sbuf_printf(struct mt_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *mt_sbuf_steal(struct mt_sbuf *b)
{
	char *s = b->s;
	if (!s)
		s = mt_xstrdup("");
	mt_sbuf_init(b);
	return s;
}

void mt_sbuf_add_quoted(struct mt_sbuf *b, const void *p, size_t n, enum mt_quote q)
{
	const uint8_t *s = p;
	mt_sbuf_addc(b, '"');
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c == '"' || c == '\\') {
			mt_sbuf_addc(b, '\\');
			mt_sbuf_addc(b, (char)c);
		} else if ((c < 0x20 || c == 0x7f) && q == MT_QUOTE_HEX_CTL) {
			mt_sbuf_printf(b, "\\x%02x", c);
		} else {
			mt_sbuf_addc(b, (char)c);
		}
	}
	mt_sbuf_addc(b, '"');
}

void mt_sbuf_add_escaped(struct mt_sbuf *b, const void *p, size_t n)
{
	const uint8_t *s = p;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = s[i];
		if (c < 0x20 || c == 0x7f)
			mt_sbuf_printf(b, "\\x%02x", c);
		else
			mt_sbuf_addc(b, (char)c);
	}
}

void mt_sbuf_add_hex(struct mt_sbuf *b, const void *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const uint8_t *s = p;
	for (size_t i = 0; i < n; i++) {
		mt_sbuf_addc(b, hex[s[i] >> 4]);
		mt_sbuf_addc(b, hex[s[i] & 15]);
	}
}
