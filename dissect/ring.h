/* ring.h - a FIFO of fixed-size entries that starts small and doubles up to
 * a cap; when full at the cap, the oldest entry is dropped. The pending
 * command queues of the pipelining protocols use it (RFC 2920, RFC 2449):
 * most sessions never pipeline, so an idle session costs a few bytes. */
#ifndef MT_RING_H
#define MT_RING_H

#include <stdbool.h>
#include <stddef.h>

struct mt_ring {
	unsigned char *buf;
	size_t esz;           /* entry size */
	unsigned cap, head, len;
	unsigned max;         /* entries at most */
	unsigned long dropped;
};

void mt_ring_init(struct mt_ring *r, size_t esz, unsigned max);
void mt_ring_free(struct mt_ring *r);
/* A slot for a new entry at the tail (zeroed); drops the oldest if full. */
void *mt_ring_push(struct mt_ring *r);
/* The oldest entry, or NULL when empty. */
void *mt_ring_head(const struct mt_ring *r);
/* Removes the oldest entry, copying it to out (may be NULL); false if empty. */
bool mt_ring_pop(struct mt_ring *r, void *out);

#endif
