/* reasm.c - per-direction TCP stream reassembly (see reasm.h for the contract).
 *
 * Model. Stream offsets are 64-bit; a sequence number is turned into an
 * offset by 32-bit modular distance from the sequence number of `next`
 * (RFC 9293 §3.4: sequence space arithmetic is modulo 2^32), so wrap-around
 * is invisible and offsets keep growing past 4 GiB.
 *
 *   [0, next)        accepted in stream order: delivered or declared a gap
 *   [tail_off, next) the part of it the consumer has not used yet (the tail)
 *   queue            out-of-order bytes beyond next, sorted, non-overlapping
 *   history          the last history_per_dir bytes before next, with the
 *                    frames that carried them, to check retransmissions
 *
 * Rules, in the order they apply to a segment:
 *  - RST: noted, its payload ignored (RFC 9293 §3.5.3 allows diagnostic text).
 *  - SYN sets the ISN; offset 0 is the byte after it. A retransmitted SYN
 *    (same ISN) is a retransmission; a SYN with another ISN is a different
 *    connection and is refused (malformed). Without a SYN, the first segment
 *    seen gives offset 0 and bytes before it are old data (counted, dropped).
 *  - FIN fixes the end of the stream; bytes at or past it are malformed and
 *    dropped. fin() fires when next reaches the FIN.
 *  - Bytes before next are a retransmission: compared with the history; a
 *    difference is an overlap conflict, the first copy is kept. A 1-byte
 *    segment at next-1 is a keep-alive (RFC 9293 §3.8.4: it may carry one
 *    garbage octet) and is never a conflict.
 *  - Bytes already queued: compared, the queued (first) copy is kept.
 *  - New bytes at next go to the consumer straight from the packet; new
 *    bytes past a hole are copied into the queue.
 *
 * Holes become gaps (never spliced) when: the peer ACKs past them, the queue
 * would overflow (every hole before the new bytes is given up, counted in
 * ooo_dropped_bytes), a snaplen cut leaves bytes missing right after bytes
 * that reached next, or at flush. Before a hole, the tail is offered one last
 * time (nsegs 0) and what the consumer still leaves is reported as a gap too,
 * so the consumer's used bytes and gap events always tile the stream. */
#include "reasm.h"

#include <stdlib.h>
#include <string.h>

#include "../dissect/sbuf.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04

/* An ACK or a segment further than this ahead of next is not believed. */
#define MAX_JUMP ((uint64_t)1 << 30)
/* An ACK beyond every byte seen opens a gap only at flush, and only this far. */
#define ACK_BEYOND_MAX (1u << 20)
/* History frame records kept per direction; with tiny segments they, not
 * history_per_dir, bound how far back retransmissions can be checked. */
#define HIST_RECS 64
/* Smallest piece appended to a non-empty tail at once (bounds the buffer to
 * tail_per_dir + max(tail_per_dir, TAIL_CHUNK_MIN)). */
#define TAIL_CHUNK_MIN 4096

struct mt_ooo_seg {
	struct mt_ooo_seg *next;
	uint64_t off, frame, ts_ns;
	size_t len;
	uint8_t data[];
};

struct hist_rec {
	uint64_t off, frame;
	size_t len;
};

/* r->hist_segs: frame records of the history; r->hist points just past it. */
struct reasm_hist {
	unsigned first, count;
	struct hist_rec rec[HIST_RECS];
};

/* Memory charged against ooo_per_dir/ooo_total for a queued segment: its
 * bytes plus its header, so floods of 1-byte segments stay bounded too. */
static size_t seg_charge(size_t len)
{
	return len + sizeof(struct mt_ooo_seg);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static struct mt_counters *cnt(const struct mt_reasm *r)
{
	return r->g->counters;
}

/* Sequence number of stream offset 0. */
static uint32_t base_seq(const struct mt_reasm *r)
{
	return r->syn_seen ? r->isn + 1 : r->isn;
}

/* Signed distance in bytes of sequence number seq from next. */
static int64_t seq_dist(const struct mt_reasm *r, uint32_t seq)
{
	uint32_t nseq = base_seq(r) + (uint32_t)r->next;
	return (int64_t)(int32_t)(seq - nseq);
}

/* --- events -------------------------------------------------------------- */

static size_t call_data(struct mt_reasm *r, const struct mt_reasm_sink *sink, const uint8_t *p,
                        size_t n, uint64_t off, uint64_t frame, uint64_t ts, uint32_t nsegs)
{
	size_t used;

	if (!sink || !sink->data)
		return n;
	used = sink->data(sink->user, r->dir, p, n, off, frame, ts, nsegs);
	return used > n ? n : used;
}

static void emit_gap(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t off,
                     uint64_t len, uint64_t frame, uint64_t ts)
{
	if (len == 0)
		return;
	r->gap_bytes += len;
	cnt(r)->gaps++;
	cnt(r)->gap_bytes += len;
	if (sink && sink->gap)
		sink->gap(sink->user, r->dir, off, len, frame, ts);
}

static void emit_conflict(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t off,
                          uint64_t len, uint64_t a_frame, uint64_t b_frame)
{
	r->conflicts++;
	cnt(r)->overlap_conflicts++;
	if (sink && sink->conflict)
		sink->conflict(sink->user, r->dir, off, len, a_frame, b_frame);
}

static void count_retrans(struct mt_reasm *r)
{
	r->retransmissions++;
	cnt(r)->retransmissions++;
}

/* Compares a (first copy, at off) with b (later copy) over n bytes and
 * reports the span from the first to the last differing byte. */
static void compare_copies(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t off,
                           const uint8_t *a, const uint8_t *b, size_t n, uint64_t a_frame,
                           uint64_t b_frame)
{
	size_t i = 0, j = n;

	if (memcmp(a, b, n) == 0)
		return;
	while (i < n && a[i] == b[i])
		i++;
	while (j > i && a[j - 1] == b[j - 1])
		j--;
	emit_conflict(r, sink, off + i, j - i, a_frame, b_frame);
}

/* --- history ------------------------------------------------------------- */

static void hist_release(struct mt_reasm *r)
{
	if (!r->hist_segs)
		return;
	r->g->history_bytes -= sizeof(struct reasm_hist) + r->hist_cap;
	free(r->hist_segs);
	r->hist_segs = NULL;
	r->hist = NULL;
	r->hist_cap = r->hist_len = 0;
}

/* Allocated on first delivery, if the global cap allows (else retried on a
 * later delivery; checks meanwhile count history_unavailable). */
static void hist_alloc(struct mt_reasm *r)
{
	size_t cap = r->g->limits->history_per_dir;
	size_t need = sizeof(struct reasm_hist) + cap;
	struct reasm_hist *h;

	if (cap == 0 || r->g->history_bytes + need > r->g->limits->history_total)
		return;
	h = mt_xmalloc(need);
	h->first = h->count = 0;
	r->hist_segs = h;
	r->hist = (uint8_t *)(h + 1);
	r->hist_cap = cap;
	r->hist_len = 0;
	r->g->history_bytes += need;
}

/* After a hole the bytes before next are no longer contiguous with it. */
static void hist_reset(struct mt_reasm *r)
{
	struct reasm_hist *h = r->hist_segs;

	r->hist_len = 0;
	if (h)
		h->first = h->count = 0;
}

/* Records p[0..n) which is about to become stream bytes [next, next+n). */
static void hist_append(struct mt_reasm *r, const uint8_t *p, size_t n, uint64_t frame)
{
	struct reasm_hist *h;
	struct hist_rec *last;
	uint64_t off = r->next;
	size_t k, pos, first;

	if (!r->hist_segs)
		hist_alloc(r);
	h = r->hist_segs;
	if (!h)
		return;
	last = h->count ? &h->rec[(h->first + h->count - 1) % HIST_RECS] : NULL;
	if (last && last->frame == frame && last->off + last->len == off) {
		last->len += n;
	} else {
		if (h->count == HIST_RECS) {
			h->first = (h->first + 1) % HIST_RECS;
			h->count--;
		}
		last = &h->rec[(h->first + h->count) % HIST_RECS];
		last->off = off;
		last->len = n;
		last->frame = frame;
		h->count++;
	}
	/* Only the last hist_cap bytes matter; byte at offset o lives at o % cap. */
	k = n > r->hist_cap ? r->hist_cap : n;
	off += n - k;
	p += n - k;
	pos = (size_t)(off % r->hist_cap);
	first = r->hist_cap - pos < k ? r->hist_cap - pos : k;
	memcpy(r->hist + pos, p, first);
	memcpy(r->hist, p + first, k - first);
	r->hist_len = r->hist_len + n > r->hist_cap ? r->hist_cap : r->hist_len + n;
}

/* Checks the retransmitted bytes p[0..n) at off (off + n <= next) against
 * what was delivered. Bytes older than the history are not checked. */
static void hist_check(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t off,
                       const uint8_t *p, size_t n, uint64_t frame)
{
	struct reasm_hist *h = r->hist_segs;
	uint64_t vs, end = off + n;

	if (!h) {
		if (r->g->limits->history_per_dir)
			cnt(r)->history_unavailable++;
		return;
	}
	if (h->count == 0)
		return;
	vs = max64(r->next - r->hist_len, h->rec[h->first].off);
	for (unsigned i = 0; i < h->count; i++) {
		const struct hist_rec *rec = &h->rec[(h->first + i) % HIST_RECS];
		uint64_t a = max64(max64(rec->off, vs), off);
		uint64_t b = min64(rec->off + rec->len, end);
		uint64_t dfirst = 0, dlast = 0;
		bool diff = false;

		if (rec->off >= end)
			break;  /* records are in stream order */
		/* Compare in runs that do not cross the end of the ring. */
		for (uint64_t o = a; o < b;) {
			size_t pos = (size_t)(o % r->hist_cap);
			size_t k = (size_t)min64(b - o, r->hist_cap - pos);
			const uint8_t *np = p + (o - off);

			if (memcmp(r->hist + pos, np, k) == 0) {
				o += k;
				continue;
			}
			for (size_t x = 0; x < k; x++) {
				if (r->hist[pos + x] != np[x]) {
					if (!diff)
						dfirst = o + x;
					dlast = o + x;
					diff = true;
				}
			}
			o += k;
		}
		if (diff)
			emit_conflict(r, sink, dfirst, dlast - dfirst + 1, rec->frame, frame);
	}
}

/* --- the consumer's tail ------------------------------------------------- */

static void tail_reserve(struct mt_reasm *r, size_t need)
{
	size_t cap;

	if (need <= r->tail_cap)
		return;
	cap = r->tail_cap ? r->tail_cap : 256;
	while (cap < need)
		cap *= 2;
	r->tail = mt_xrealloc(r->tail, cap);
	r->tail_cap = cap;
}

static void tail_consume(struct mt_reasm *r, size_t used)
{
	if (used == 0)
		return;
	r->tail_len -= used;
	r->tail_off += used;
	if (r->tail_len)
		memmove(r->tail, r->tail + used, r->tail_len);
}

/* Keeps the tail within tail_per_dir: the oldest bytes go, as a gap. */
static void tail_bound(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t frame,
                       uint64_t ts)
{
	size_t max = r->g->limits->tail_per_dir;

	if (r->tail_len > max) {
		size_t drop = r->tail_len - max;
		uint64_t off = r->tail_off;

		tail_consume(r, drop);
		emit_gap(r, sink, off, drop, frame, ts);
	}
}

/* Bytes p[0..n) at stream offset off (== tail_off + tail_len) for the
 * consumer: in place when nothing is pending, else appended to the tail. */
static void offer(struct mt_reasm *r, const struct mt_reasm_sink *sink, const uint8_t *p, size_t n,
                  uint64_t off, uint64_t frame, uint64_t ts)
{
	size_t chunk = r->g->limits->tail_per_dir;

	if (chunk < TAIL_CHUNK_MIN)
		chunk = TAIL_CHUNK_MIN;
	while (n > 0) {
		size_t used, k;

		if (r->tail_len == 0) {
			used = call_data(r, sink, p, n, off, frame, ts, 1);
			if (used == n) {
				r->tail_off = off + n;
				return;
			}
			p += used;
			n -= used;
			off += used;
			if (n > r->g->limits->tail_per_dir) {
				size_t drop = n - r->g->limits->tail_per_dir;

				emit_gap(r, sink, off, drop, frame, ts);
				p += drop;
				n -= drop;
				off += drop;
			}
			tail_reserve(r, n);
			memcpy(r->tail, p, n);
			r->tail_off = off;
			r->tail_len = n;
			r->tail_frame = frame;
			return;
		}
		k = n < chunk ? n : chunk;
		tail_reserve(r, r->tail_len + k);
		memcpy(r->tail + r->tail_len, p, k);
		r->tail_len += k;
		r->tail_frame = frame;
		p += k;
		n -= k;
		off += k;
		used = call_data(r, sink, r->tail, r->tail_len, r->tail_off, frame, ts, 1);
		tail_consume(r, used);
		tail_bound(r, sink, frame, ts);
	}
}

/* The stream is cut here (hole, FIN, flush): a last offer of the tail with
 * no new bytes (nsegs 0), then what is still unused is reported as a gap. */
static void tail_abandon(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t frame,
                         uint64_t ts)
{
	uint64_t off;
	size_t left;

	if (r->tail_len == 0)
		return;
	tail_consume(r, call_data(r, sink, r->tail, r->tail_len, r->tail_off, r->tail_frame, ts, 0));
	left = r->tail_len;
	off = r->tail_off;
	tail_consume(r, left);
	emit_gap(r, sink, off, left, frame, ts);
}

/* --- stream progress ----------------------------------------------------- */

/* p[0..n) become stream bytes [next, next+n). */
static void deliver(struct mt_reasm *r, const struct mt_reasm_sink *sink, const uint8_t *p,
                    size_t n, uint64_t frame, uint64_t ts)
{
	uint64_t off = r->next;

	if (n == 0)
		return;
	hist_append(r, p, n, frame);
	r->next += n;
	r->bytes_delivered += n;
	offer(r, sink, p, n, off, frame, ts);
}

static void declare_hole(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t len,
                         bool overflow, uint64_t frame, uint64_t ts)
{
	tail_abandon(r, sink, frame, ts);
	emit_gap(r, sink, r->next, len, frame, ts);
	if (overflow)
		cnt(r)->ooo_dropped_bytes += len;
	r->next += len;
	r->tail_off = r->next;
	hist_reset(r);
}

static void queue_free_seg(struct mt_reasm *r, struct mt_ooo_seg *s)
{
	r->ooo_bytes -= seg_charge(s->len);
	r->g->ooo_bytes -= seg_charge(s->len);
	free(s);
}

/* Drops queued bytes at or past off (data after a FIN). Returns bytes dropped. */
static uint64_t queue_trim_from(struct mt_reasm *r, uint64_t off)
{
	struct mt_ooo_seg **link = &r->ooo;
	uint64_t dropped = 0;

	while (*link) {
		struct mt_ooo_seg *s = *link;

		if (s->off >= off) {
			*link = s->next;
			dropped += s->len;
			queue_free_seg(r, s);
			continue;
		}
		if (s->off + s->len > off) {
			size_t keep = (size_t)(off - s->off);

			dropped += s->len - keep;
			/* Keep the allocation; only the charge shrinks. */
			r->ooo_bytes -= s->len - keep;
			r->g->ooo_bytes -= s->len - keep;
			s->len = keep;
		}
		link = &s->next;
	}
	return dropped;
}

static void maybe_fin(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t frame,
                      uint64_t ts)
{
	if (!r->fin_seen || r->fin_done || r->next < r->fin_off)
		return;
	if (queue_trim_from(r, r->fin_off))
		cnt(r)->malformed_packets++;
	tail_abandon(r, sink, frame, ts);
	r->fin_done = true;
	if (sink && sink->fin)
		sink->fin(sink->user, r->dir, frame, ts);
}

/* Delivers queued segments that reached next and declares every hole below
 * `until` a gap (overflow: counted as ooo_dropped_bytes). Never past a FIN. */
static void advance(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t until,
                    bool overflow, uint64_t frame, uint64_t ts)
{
	for (;;) {
		struct mt_ooo_seg *q = r->ooo;
		uint64_t lim = until;

		if (r->fin_seen && lim > r->fin_off)
			lim = r->fin_off;
		if (q && q->off <= r->next) {
			r->ooo = q->next;
			if (q->off + q->len > r->next) {
				size_t skip = (size_t)(r->next - q->off);

				/* The segment keeps its own frame: it carried these bytes. */
				deliver(r, sink, q->data + skip, q->len - skip, q->frame, q->ts_ns);
			}
			queue_free_seg(r, q);
			continue;
		}
		if (r->next < lim) {
			uint64_t hole_end = lim;

			if (q && q->off < hole_end)
				hole_end = q->off;
			declare_hole(r, sink, hole_end - r->next, overflow, frame, ts);
			continue;
		}
		break;
	}
	maybe_fin(r, sink, frame, ts);
}

/* Compares new bytes [off, off+n) with the queued copies they overlap.
 * Returns true when they overlap any. */
static bool queue_check(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t off,
                        const uint8_t *p, size_t n, uint64_t frame)
{
	uint64_t end = off + n;
	bool overlap = false;

	for (struct mt_ooo_seg *q = r->ooo; q && q->off < end; q = q->next) {
		uint64_t a = max64(q->off, off), b = min64(q->off + q->len, end);

		if (a >= b)
			continue;
		overlap = true;
		compare_copies(r, sink, a, q->data + (a - q->off), p + (a - off), (size_t)(b - a),
		               q->frame, frame);
	}
	return overlap;
}

/* New bytes p[0..n) at off >= next: the parts not already queued are
 * delivered in place when they reach next, else copied into the queue. */
static void place(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t off,
                  const uint8_t *p, size_t n, uint64_t frame, uint64_t ts)
{
	const struct mt_limits *lim = r->g->limits;
	struct mt_ooo_seg **link = &r->ooo;
	uint64_t end = off + n, cur = off;

	while (cur < end && !r->fin_done) {
		struct mt_ooo_seg *q, *s;
		uint64_t pe;
		size_t len, charge;

		if (cur < r->next)
			cur = r->next;
		if (cur >= end)
			break;
		while (*link && (*link)->off + (*link)->len <= cur)
			link = &(*link)->next;
		q = *link;
		if (q && q->off <= cur) {
			cur = q->off + q->len;  /* the queued copy came first */
			continue;
		}
		pe = q ? min64(end, q->off) : end;
		len = (size_t)(pe - cur);
		if (cur == r->next) {
			deliver(r, sink, p + (cur - off), len, frame, ts);
			advance(r, sink, 0, false, frame, ts);
			link = &r->ooo;
			cur = pe;
			continue;
		}
		charge = seg_charge(len);
		if (r->ooo_bytes + charge > lim->ooo_per_dir ||
		    r->g->ooo_bytes + charge > lim->ooo_total) {
			/* No room: give up the holes before these bytes, so they
			 * can be delivered now instead of queued. */
			advance(r, sink, cur, true, frame, ts);
			link = &r->ooo;
			continue;
		}
		s = mt_xmalloc(sizeof(*s) + len);
		s->off = cur;
		s->len = len;
		s->frame = frame;
		s->ts_ns = ts;
		memcpy(s->data, p + (cur - off), len);
		s->next = q;
		*link = s;
		link = &s->next;
		r->ooo_bytes += charge;
		r->g->ooo_bytes += charge;
		cur = pe;
	}
}

/* --- public -------------------------------------------------------------- */

/* Zeroes r and ties it to g (limits and counters must outlive r). */
void mt_reasm_init(struct mt_reasm *r, struct mt_reasm_global *g, int dir)
{
	memset(r, 0, sizeof(*r));
	r->g = g;
	r->dir = dir;
}

/* Frees the tail, the queue and the history, giving their charge back to g. */
void mt_reasm_free(struct mt_reasm *r)
{
	while (r->ooo) {
		struct mt_ooo_seg *s = r->ooo;

		r->ooo = s->next;
		queue_free_seg(r, s);
	}
	hist_release(r);
	free(r->tail);
	r->tail = NULL;
	r->tail_len = r->tail_cap = 0;
}

/* See reasm.h. Never reads p beyond n; every offset is bounded by MAX_JUMP
 * from next, so no wire value sizes an allocation beyond the ooo caps. */
void mt_reasm_segment(struct mt_reasm *r, const struct mt_reasm_sink *sink,
                      uint32_t seq, uint8_t flags, const uint8_t *p, size_t n, size_t missing,
                      uint64_t frame, uint64_t ts_ns)
{
	int64_t soff;
	uint64_t off, data_end, lost_end;
	bool retrans = false;

	r->last_frame = frame;
	if (!p)
		n = 0;
	if (missing > MAX_JUMP)
		missing = MAX_JUMP;  /* a caller's length, but keep offsets sane */
	if (flags & TH_RST) {
		r->rst_seen = true;
		return;
	}
	if (flags & TH_SYN) {
		if (!r->started) {
			r->isn = seq;
			r->syn_seen = true;
			r->started = true;
		} else if (r->syn_seen && seq == r->isn) {
			if (n == 0 && missing == 0)
				count_retrans(r);
		} else if (!r->syn_seen && (uint32_t)(seq + 1) == r->isn) {
			/* The SYN arrives after its first data: same offsets. */
			r->isn = seq;
			r->syn_seen = true;
		} else {
			/* Another ISN: a new connection; the flow table owns that. */
			cnt(r)->malformed_packets++;
			return;
		}
		seq++;  /* RFC 9293 §3.4: the SYN occupies one sequence number */
	} else if (!r->started) {
		r->isn = seq;  /* mid-stream start: the first byte seen is offset 0 */
		r->started = true;
	}

	/* Data at the SYN's own sequence number, before any other data: some
	 * capture converters (NetMon) and broken stacks do not count the SYN.
	 * Rebase by one instead of dropping the first byte as old. */
	if (!(flags & TH_SYN) && r->syn_seen && seq == r->isn && r->next == 0 && !r->ooo &&
	    r->seen_end == 0 && n + missing > 0) {
		r->isn--;
		cnt(r)->malformed_packets++;
	}
	soff = (int64_t)r->next + seq_dist(r, seq);
	if (soff > (int64_t)(r->next + MAX_JUMP)) {
		cnt(r)->malformed_packets++;
		return;
	}
	/* Bytes before offset 0: older than what we follow. */
	if (soff < 0) {
		uint64_t before = (uint64_t)-soff;

		if (before >= n + missing) {
			if (n + missing > 0)
				count_retrans(r);
			return;
		}
		retrans = true;
		if (before >= n) {
			missing -= before - n;
			p += n;
			n = 0;
		} else {
			p += before;
			n -= before;
		}
		soff = 0;
	}
	off = (uint64_t)soff;
	if (off + n + missing > r->seen_end)
		r->seen_end = off + n + missing;

	if (flags & TH_FIN) {
		uint64_t fo = off + n + missing;

		if (!r->fin_seen && fo >= r->next) {
			r->fin_seen = true;
			r->fin_off = fo;
			r->fin_seq = seq + (uint32_t)(n + missing);
			if (queue_trim_from(r, fo))
				cnt(r)->malformed_packets++;
		} else if (!r->fin_seen || fo != r->fin_off) {
			cnt(r)->malformed_packets++;  /* a second, different end */
		} else if (n + missing == 0) {
			count_retrans(r);
		}
	}
	/* Data after FIN (RFC 9293 §3.10.7.4: ignored). */
	if (r->fin_seen && off + n + missing > r->fin_off) {
		cnt(r)->malformed_packets++;
		if (off >= r->fin_off) {
			n = missing = 0;
		} else if (off + n > r->fin_off) {
			n = (size_t)(r->fin_off - off);
			missing = 0;
		} else {
			missing = (size_t)(r->fin_off - off - n);
		}
	}
	data_end = off + n;
	lost_end = data_end + missing;

	/* Already delivered: a retransmission (or a probe, or a keep-alive). */
	if (n > 0 && off < r->next) {
		size_t old = (size_t)(min64(data_end, r->next) - off);
		bool keepalive = n == 1 && off + 1 == r->next;

		retrans = true;
		if (!keepalive)
			hist_check(r, sink, off, p, old, frame);
		p += old;
		n -= old;
		off += old;
	}
	if (n > 0) {
		if (queue_check(r, sink, off, p, n, frame))
			retrans = true;
		place(r, sink, off, p, n, frame, ts_ns);
	}
	if (retrans)
		count_retrans(r);
	/* Snaplen cut: bytes the packet carried but the capture lost. If the
	 * captured part reached next they are a gap now; else they stay a hole
	 * for an ACK or flush to declare. */
	if (missing > 0 && r->next >= data_end && lost_end > r->next)
		advance(r, sink, lost_end, false, frame, ts_ns);
	maybe_fin(r, sink, frame, ts_ns);
}

/* See reasm.h. Ignored before the base sequence is known, after the FIN,
 * when not ahead of next, or when more than MAX_JUMP ahead (not credible). */
void mt_reasm_ack(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint32_t ack,
                  uint64_t frame, uint64_t ts_ns)
{
	int64_t d;

	if (!r->started || r->fin_done)
		return;
	d = seq_dist(r, ack);
	if (d <= 0 || (uint64_t)d > MAX_JUMP)
		return;
	/* Only bytes some segment of this direction claimed can be declared
	 * lost: an ACK beyond everything seen (forged, or of a lost tail) must
	 * not open a gap that swallows what comes next. An ACK of the FIN
	 * covers one more number than the stream: advance() stops at fin_off. */
	uint64_t until = r->next + (uint64_t)d;
	if (until > r->seen_end && !(r->fin_seen && until >= r->fin_off)) {
		/* remembered: at flush a lost tail still becomes a gap */
		if (until > r->ack_beyond)
			r->ack_beyond = until;
		until = r->seen_end;
	}
	if (until <= r->next)
		return;
	advance(r, sink, until, false, frame, ts_ns);
}

/* See reasm.h. Holes up to the end of the queue (or the FIN) become gaps,
 * the tail gets its last offer, and the history memory is given back. */
void mt_reasm_flush(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t frame,
                    uint64_t ts_ns)
{
	uint64_t until = r->next;

	for (struct mt_ooo_seg *q = r->ooo; q; q = q->next)
		until = max64(until, q->off + q->len);
	if (r->fin_seen && !r->fin_done)
		until = max64(until, r->fin_off);
	/* bytes the peer acknowledged but no segment showed: a lost tail, if
	 * plausible (within one large window of what was seen) */
	if (r->ack_beyond > until && r->ack_beyond - max64(until, r->seen_end) <= ACK_BEYOND_MAX)
		until = r->ack_beyond;
	advance(r, sink, until, false, frame, ts_ns);
	tail_abandon(r, sink, frame, ts_ns);
	hist_release(r);
}
