/* ring.c - see ring.h */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

void mt_ring_init(struct mt_ring *r, size_t esz, unsigned max)
{
	memset(r, 0, sizeof(*r));
	r->esz = esz;
	r->max = max ? max : 1;
}

void mt_ring_free(struct mt_ring *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = r->head = r->len = 0;
}

static void *slot(const struct mt_ring *r, unsigned i)
{
	return r->buf + (size_t)((r->head + i) % r->cap) * r->esz;
}

static void grow(struct mt_ring *r)
{
	unsigned cap = r->cap ? r->cap * 2 : 4;
	if (cap > r->max)
		cap = r->max;
	unsigned char *b = mt_xmalloc((size_t)cap * r->esz);
	for (unsigned i = 0; i < r->len; i++)
		memcpy(b + (size_t)i * r->esz, slot(r, i), r->esz);
	free(r->buf);
	r->buf = b;
	r->cap = cap;
	r->head = 0;
}

void *mt_ring_push(struct mt_ring *r)
{
	if (r->len == r->cap && r->cap < r->max)
		grow(r);
	if (r->len == r->cap) {   /* full at the cap: the oldest goes */
		r->head = (r->head + 1) % r->cap;
		r->len--;
		r->dropped++;
	}
	void *e = slot(r, r->len);
	memset(e, 0, r->esz);
	r->len++;
	return e;
}

void *mt_ring_head(const struct mt_ring *r)
{
	return r->len ? slot(r, 0) : NULL;
}

bool mt_ring_pop(struct mt_ring *r, void *out)
{
	if (!r->len)
		return false;
	if (out)
		memcpy(out, slot(r, 0), r->esz);
	r->head = (r->head + 1) % r->cap;
	r->len--;
	return true;
}
