/* flow.c - bidirectional 5-tuple hash table with an LRU list. */
#include "flow.h"

#include <stdlib.h>
#include <string.h>

#include "../dissect/sbuf.h"

bool mt_port_is_mail_server(uint16_t port)
{
	switch (port) {
	case 25: case 465: case 587: case 2525: case 110: case 995: case 1110:
	case 143: case 993: case 1143: case 23:
		return true;
	default:
		return false;
	}
}

void mt_flow_table_init(struct mt_flow_table *t, const struct mt_limits *l, struct mt_counters *c)
{
	memset(t, 0, sizeof(*t));
	t->lim = l;
	t->cnt = c;
	size_t n = 1024;
	while (n < l->max_flows && n < (1u << 22))
		n <<= 1;
	t->nbuckets = n;
	t->bucket = mt_xcalloc(n, sizeof(*t->bucket));
}

void mt_flow_table_free(struct mt_flow_table *t)
{
	free(t->bucket);
	memset(t, 0, sizeof(*t));
}

/* A multiplicative mix over both endpoints in a canonical order, so both
 * directions hash alike; 32-bit words, not bytes (it runs once per packet). */
static uint32_t mix(uint32_t h, uint32_t w)
{
	h ^= w * 0x9e3779b1u;
	h = (h << 13) | (h >> 19);
	return h * 5u + 0xe6546b64u;
}

static uint32_t hash_endpoint(uint32_t h, const struct mt_addr *a, uint16_t port)
{
	size_t n = a->family == 6 ? 4 : 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t w;
		memcpy(&w, a->a + 4 * i, 4);
		h = mix(h, w);
	}
	return mix(h, port);
}

static int endpoint_cmp(const struct mt_addr *a, uint16_t pa, const struct mt_addr *b, uint16_t pb)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	int c = memcmp(a->a, b->a, 16);
	if (c)
		return c;
	return pa < pb ? -1 : pa > pb;
}

static uint32_t seg_hash(const struct mt_tcp_seg *s)
{
	uint32_t h = 2166136261u;
	/* final avalanche below: bucket = low bits */
	if (endpoint_cmp(&s->src, s->sport, &s->dst, s->dport) < 0) {
		h = hash_endpoint(h, &s->src, s->sport);
		h = hash_endpoint(h, &s->dst, s->dport);
	} else {
		h = hash_endpoint(h, &s->dst, s->dport);
		h = hash_endpoint(h, &s->src, s->sport);
	}
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

static bool same_ep(const struct mt_addr *a, uint16_t pa, const struct mt_addr *b, uint16_t pb)
{
	return pa == pb && a->family == b->family && !memcmp(a->a, b->a, a->family == 6 ? 16 : 4);
}

struct mt_flow *mt_flow_lookup(struct mt_flow_table *t, const struct mt_tcp_seg *seg, int *dir)
{
	uint32_t h = seg_hash(seg);
	for (struct mt_flow *f = t->bucket[h & (t->nbuckets - 1)]; f; f = f->hnext) {
		if (f->hash != h)
			continue;
		if (same_ep(&f->addr[0], f->port[0], &seg->src, seg->sport) &&
		    same_ep(&f->addr[1], f->port[1], &seg->dst, seg->dport)) {
			*dir = 0;
			return f;
		}
		if (same_ep(&f->addr[1], f->port[1], &seg->src, seg->sport) &&
		    same_ep(&f->addr[0], f->port[0], &seg->dst, seg->dport)) {
			*dir = 1;
			return f;
		}
	}
	return NULL;
}

static void lru_unlink(struct mt_flow_table *t, struct mt_flow *f)
{
	if (f->lprev)
		f->lprev->lnext = f->lnext;
	else
		t->lru_head = f->lnext;
	if (f->lnext)
		f->lnext->lprev = f->lprev;
	else
		t->lru_tail = f->lprev;
	f->lprev = f->lnext = NULL;
}

static void lru_append(struct mt_flow_table *t, struct mt_flow *f)
{
	f->lprev = t->lru_tail;
	f->lnext = NULL;
	if (t->lru_tail)
		t->lru_tail->lnext = f;
	else
		t->lru_head = f;
	t->lru_tail = f;
}

bool mt_flow_table_full(const struct mt_flow_table *t)
{
	return t->lim->max_flows && t->count >= t->lim->max_flows;
}

struct mt_flow *mt_flow_create(struct mt_flow_table *t, const struct mt_tcp_seg *seg, int *dir)
{
	struct mt_flow *f = mt_xcalloc(1, sizeof(*f));
	bool src_is_client;
	if ((seg->flags & (TH_SYN | TH_ACK)) == TH_SYN) {
		src_is_client = true;            /* rule 1 */
		f->client_by_syn = true;
	} else if ((seg->flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK)) {
		src_is_client = false;           /* rule 2 */
		f->client_by_syn = true;
	} else {
		bool s_srv = mt_port_is_mail_server(seg->sport);
		bool d_srv = mt_port_is_mail_server(seg->dport);
		if (s_srv != d_srv)
			src_is_client = d_srv;       /* rule 3 */
		else
			src_is_client = seg->sport > seg->dport;
	}
	int c = src_is_client ? 0 : 1;
	f->addr[c] = seg->src;
	f->port[c] = seg->sport;
	f->addr[1 - c] = seg->dst;
	f->port[1 - c] = seg->dport;
	f->hash = seg_hash(seg);
	size_t b = f->hash & (t->nbuckets - 1);
	f->hnext = t->bucket[b];
	t->bucket[b] = f;
	lru_append(t, f);
	t->count++;
	*dir = c;
	return f;
}

/* Moving a flow to the LRU tail writes to its neighbours too; with 100k
 * flows those are cache misses on every packet. A flow moves at most once
 * per LRU_GRAIN of packet time, so the list is ordered to within that grain,
 * which is all expiry and eviction need. */
#define LRU_GRAIN_NS 250000000ull

void mt_flow_touch(struct mt_flow_table *t, struct mt_flow *f, uint64_t ts_ns)
{
	if (ts_ns > f->last_ts_ns)
		f->last_ts_ns = ts_ns;
	if (t->lru_tail != f && (ts_ns >= f->lru_ts_ns + LRU_GRAIN_NS || ts_ns < f->lru_ts_ns)) {
		lru_unlink(t, f);
		lru_append(t, f);
		f->lru_ts_ns = ts_ns;
	}
}

void mt_flow_remove(struct mt_flow_table *t, struct mt_flow *f)
{
	size_t b = f->hash & (t->nbuckets - 1);
	for (struct mt_flow **pp = &t->bucket[b]; *pp; pp = &(*pp)->hnext) {
		if (*pp == f) {
			*pp = f->hnext;
			break;
		}
	}
	lru_unlink(t, f);
	t->count--;
}

void mt_flow_swap(struct mt_flow *f)
{
	struct mt_addr a = f->addr[0];
	uint16_t p = f->port[0];
	f->addr[0] = f->addr[1];
	f->port[0] = f->port[1];
	f->addr[1] = a;
	f->port[1] = p;
	struct mt_reasm r = f->r[0];
	f->r[0] = f->r[1];
	f->r[1] = r;
	f->r[0].dir = 0;
	f->r[1].dir = 1;
	bool x = f->fin[0];
	f->fin[0] = f->fin[1];
	f->fin[1] = x;
	x = f->data_seen[0];
	f->data_seen[0] = f->data_seen[1];
	f->data_seen[1] = x;
}
