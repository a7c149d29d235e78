/* strutil.c - bounded span helpers shared by the dissectors. */
#include "strutil.h"

#include <string.h>

static inline uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

bool mt_kw_prefix(const uint8_t *p, size_t n, const char *kw)
{
	size_t k = strlen(kw);
	if (n < k)
		return false;
	for (size_t i = 0; i < k; i++)
		if (lower(p[i]) != lower((uint8_t)kw[i]))
			return false;
	return true;
}

bool mt_kw_eq(const uint8_t *p, size_t n, const char *kw)
{
	return strlen(kw) == n && mt_kw_prefix(p, n, kw);
}

bool mt_kw_word(const uint8_t *p, size_t n, const char *kw)
{
	size_t k = strlen(kw);
	if (!mt_kw_prefix(p, n, kw))
		return false;
	return n == k || p[k] == ' ' || p[k] == '\t';
}

void mt_skip_ws(struct mt_span *s)
{
	while (s->n && (*s->p == ' ' || *s->p == '\t')) {
		s->p++;
		s->n--;
	}
}

void mt_trim_right(struct mt_span *s)
{
	while (s->n) {
		uint8_t c = s->p[s->n - 1];
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
			break;
		s->n--;
	}
}

bool mt_next_word(struct mt_span *rest, struct mt_span *word)
{
	mt_skip_ws(rest);
	if (!rest->n)
		return false;
	size_t i = 0;
	while (i < rest->n && rest->p[i] != ' ' && rest->p[i] != '\t')
		i++;
	word->p = rest->p;
	word->n = i;
	rest->p += i;
	rest->n -= i;
	return true;
}

bool mt_parse_u64(const uint8_t *p, size_t n, uint64_t *out, size_t *used)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && p[i] >= '0' && p[i] <= '9') {
		if (i >= 19)
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
		i++;
	}
	if (!i)
		return false;
	*out = v;
	if (used)
		*used = i;
	return true;
}

void mt_upper_copy(char *out, size_t outsz, const uint8_t *p, size_t n)
{
	if (!outsz)
		return;
	size_t i = 0;
	for (; i < n && i + 1 < outsz; i++) {
		uint8_t c = p[i];
		out[i] = (char)((c >= 'a' && c <= 'z') ? c - 32 : c);
	}
	out[i] = 0;
}

long mt_find_ci(const uint8_t *p, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	if (!k)
		return 0;
	for (size_t i = 0; i + k <= n; i++)
		if (mt_kw_prefix(p + i, n - i, needle))
			return (long)i;
	return -1;
}

bool mt_printable(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return false;
	return true;
}

bool mt_printable_tab(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return false;
	return true;
}

void mt_ascii_copy(char *out, size_t outsz, const uint8_t *p, size_t n)
{
	if (!outsz)
		return;
	size_t j = 0;
	for (size_t i = 0; i < n && j + 1 < outsz; i++)
		out[j++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	out[j] = 0;
}
