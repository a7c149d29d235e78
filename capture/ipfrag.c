/* ipfrag.c - IPv4 fragment reassembly with hard limits. */
#include "ipfrag.h"

#include <stdlib.h>
#include <string.h>

#include "../dissect/sbuf.h"

#define MAX_DGRAM 65535
#define MAX_PIECES 64   /* fragments per datagram; more is a flood */

struct piece { uint32_t off, len; };

struct dgram {
	uint8_t src[4], dst[4];
	uint16_t id;
	uint8_t proto;
	uint8_t hdr[60]; size_t hlen;    /* header of the first fragment */
	uint8_t *data; size_t cap;       /* payload so far */
	struct piece pieces[MAX_PIECES]; unsigned npieces;
	uint32_t total;                  /* payload length once the last fragment came */
	uint64_t first_ts;
	bool used;
};

struct mt_ipfrag {
	const struct mt_limits *lim;
	struct mt_counters *cnt;
	struct dgram *d; size_t nd;      /* nd = table size (frag_max_datagrams) */
	size_t bytes;
	uint8_t *out; size_t outcap;
};

struct mt_ipfrag *mt_ipfrag_new(const struct mt_limits *l, struct mt_counters *c)
{
	struct mt_ipfrag *f = mt_xcalloc(1, sizeof(*f));
	f->lim = l;
	f->cnt = c;
	f->nd = l->frag_max_datagrams ? l->frag_max_datagrams : 1024;
	f->d = mt_xcalloc(f->nd, sizeof(*f->d));
	return f;
}

static void drop(struct mt_ipfrag *f, struct dgram *d)
{
	f->bytes -= d->cap;
	free(d->data);
	memset(d, 0, sizeof(*d));
}

void mt_ipfrag_free(struct mt_ipfrag *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nd; i++)
		free(f->d[i].data);
	free(f->d);
	free(f->out);
	free(f);
}

/* Copies the bytes of [off, off+len) that no earlier fragment covered
 * (RFC 791 leaves overlaps open; the first copy wins, as in the TCP
 * reassembler) and merges the range into the sorted piece list. Returns
 * true if any byte overlapped an earlier one, false if the list is full. */
static bool add_piece(struct dgram *d, uint32_t off, uint32_t len, const uint8_t *src, bool *overlap)
{
	uint32_t end = off + len, cur = off;
	*overlap = false;
	for (unsigned i = 0; i < d->npieces && cur < end; i++) {
		uint32_t ps = d->pieces[i].off, pe = ps + d->pieces[i].len;
		if (pe <= cur)
			continue;
		if (ps >= end)
			break;
		if (ps > cur)
			memcpy(d->data + cur, src + (cur - off), ps - cur);   /* the hole before */
		*overlap = true;
		cur = pe > cur ? pe : cur;
	}
	if (cur < end)
		memcpy(d->data + cur, src + (cur - off), end - cur);
	/* merge [off, end) into the sorted, disjoint list */
	struct piece merged = { off, len };
	unsigned j = 0;
	struct piece out[MAX_PIECES + 1];
	bool placed = false;
	for (unsigned i = 0; i < d->npieces; i++) {
		struct piece p = d->pieces[i];
		if (p.off + p.len < merged.off) {
			out[j++] = p;
		} else if (merged.off + merged.len < p.off) {
			if (!placed) {
				out[j++] = merged;
				placed = true;
			}
			out[j++] = p;
		} else {
			uint32_t s0 = p.off < merged.off ? p.off : merged.off;
			uint32_t e0 = p.off + p.len > merged.off + merged.len ? p.off + p.len : merged.off + merged.len;
			merged.off = s0;
			merged.len = e0 - s0;
		}
	}
	if (!placed)
		out[j++] = merged;
	if (j > MAX_PIECES)
		return false;
	memcpy(d->pieces, out, j * sizeof(out[0]));
	d->npieces = j;
	return true;
}

/* Complete: one piece from 0 to the end the last fragment gave. */
static bool complete(const struct dgram *d)
{
	return d->total && d->npieces == 1 && d->pieces[0].off == 0 && d->pieces[0].len == d->total;
}

const uint8_t *mt_ipfrag_add(struct mt_ipfrag *f, const struct mt_ipv4_frag *fr, uint64_t ts_ns, size_t *outlen)
{
	f->cnt->ip_fragments++;
	const uint8_t *ip = fr->ip;
	struct dgram *d = NULL, *free_slot = NULL, *oldest = NULL;
	for (size_t i = 0; i < f->nd; i++) {
		struct dgram *x = &f->d[i];
		if (x->used && f->lim->frag_timeout_ns && ts_ns > x->first_ts + f->lim->frag_timeout_ns) {
			f->cnt->frags_dropped += x->npieces;
			drop(f, x);
		}
		if (!x->used) {
			if (!free_slot)
				free_slot = x;
			continue;
		}
		if (x->id == fr->id && x->proto == ip[9] && !memcmp(x->src, ip + 12, 4) && !memcmp(x->dst, ip + 16, 4)) {
			d = x;
			break;
		}
		if (!oldest || x->first_ts < oldest->first_ts)
			oldest = x;
	}
	if (fr->truncated || fr->offset + fr->len > MAX_DGRAM) {
		f->cnt->frags_dropped++;
		return NULL;
	}
	if (!d) {
		d = free_slot;
		if (!d) {                /* table full: evict the oldest */
			f->cnt->frags_dropped += oldest->npieces;
			drop(f, oldest);
			d = oldest;
		}
		d->used = true;
		memcpy(d->src, ip + 12, 4);
		memcpy(d->dst, ip + 16, 4);
		d->id = fr->id;
		d->proto = ip[9];
		d->first_ts = ts_ns;
	}
	size_t need = fr->offset + fr->len;
	if (need > d->cap) {
		if (f->bytes + (need - d->cap) > f->lim->frag_max_bytes) {
			f->cnt->frags_dropped += d->npieces + 1;
			drop(f, d);
			return NULL;
		}
		d->data = mt_xrealloc(d->data, need);
		f->bytes += need - d->cap;
		d->cap = need;
	}
	bool overlap = false;
	if (fr->len && !add_piece(d, fr->offset, (uint32_t)fr->len, fr->data, &overlap)) {
		f->cnt->frags_dropped += d->npieces + 1;   /* too many holes: a flood */
		drop(f, d);
		return NULL;
	}
	if (overlap)
		f->cnt->frag_overlaps++;
	if (fr->offset == 0 && !d->hlen) {
		d->hlen = fr->hlen <= sizeof(d->hdr) ? fr->hlen : 20;
		memcpy(d->hdr, ip, d->hlen);
	}
	if (!fr->more && !d->total)
		d->total = (uint32_t)(fr->offset + fr->len);   /* the first end wins */
	if (!d->hlen || !complete(d))
		return NULL;
	size_t tot = d->hlen + d->total;
	if (tot > MAX_DGRAM) {
		f->cnt->frags_dropped += d->npieces;
		drop(f, d);
		return NULL;
	}
	if (tot > f->outcap) {
		f->out = mt_xrealloc(f->out, tot);
		f->outcap = tot;
	}
	memcpy(f->out, d->hdr, d->hlen);
	memcpy(f->out + d->hlen, d->data, d->total);
	f->out[2] = (uint8_t)(tot >> 8);
	f->out[3] = (uint8_t)tot;
	f->out[6] = f->out[7] = 0;      /* no longer a fragment */
	f->out[10] = f->out[11] = 0;    /* header checksum recomputed below */
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < d->hlen; i += 2)
		sum += (uint32_t)(f->out[i] << 8 | f->out[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f->out[10] = (uint8_t)(~sum >> 8);
	f->out[11] = (uint8_t)~sum;
	f->cnt->frags_reassembled++;
	drop(f, d);
	*outlen = tot;
	return f->out;
}
