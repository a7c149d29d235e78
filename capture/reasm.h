/* reasm.h - per-direction TCP stream reassembly.
 *
 * One struct mt_reasm per direction of a flow. Segments go in in capture
 * order; contiguous bytes come out, in stream order, through the sink's
 * data() callback, which returns how many it used. The unused tail is kept
 * (bounded by limits.tail_per_dir; past that the oldest bytes are dropped
 * and reported as a gap). In-order payload is handed to the consumer in
 * place, straight from the packet, when nothing is pending: no copy.
 *
 * Handled: out-of-order segments (queued, bounded per direction and in
 * total), duplicates and retransmissions, partial overlaps, overlaps that
 * carry different bytes (the first copy wins; an overlap_conflict event
 * names both versions' ranges and frames), sequence wrap at 2^32, SYN, FIN,
 * RST, data after FIN, zero-window probes, and holes: a segment never seen
 * (detected when the peer ACKs past it, when the queue overflows, or at
 * close), a snaplen cut (the caller passes the missing byte count), or a
 * capture that starts mid-stream. A hole becomes a gap event with its byte
 * count; delivery then resumes. Nothing is ever spliced across a hole.
 *
 * Stream offsets are 64-bit: offset 0 is the first byte after the SYN (or
 * the first byte seen, when the SYN was not captured). */
#ifndef MT_REASM_H
#define MT_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limits.h"

struct mt_reasm_sink {
	void *user;
	/* Contiguous bytes at stream offset `offset`; return bytes used. */
	size_t (*data)(void *user, int dir, const uint8_t *p, size_t n, uint64_t offset,
	               uint64_t frame, uint64_t ts_ns, uint32_t nsegs);
	/* A hole of len bytes starting at stream offset `offset`. */
	void (*gap)(void *user, int dir, uint64_t offset, uint64_t len, uint64_t frame, uint64_t ts_ns);
	/* The first copy [a_off, a_off+len) from frame a_frame differs from a later
	 * copy in frame b_frame. The first copy is kept. */
	void (*conflict)(void *user, int dir, uint64_t offset, uint64_t len,
	                 uint64_t a_frame, uint64_t b_frame);
	/* FIN reached in stream order (all bytes before it delivered or gapped). */
	void (*fin)(void *user, int dir, uint64_t frame, uint64_t ts_ns);
};

/* A queued out-of-order segment (private to reasm.c). */
struct mt_ooo_seg;

/* Memory shared by all reassemblers (global caps and counters). */
struct mt_reasm_global {
	const struct mt_limits *limits;
	struct mt_counters *counters;
	size_t ooo_bytes;        /* queued over all flows */
	size_t history_bytes;    /* history ring memory over all flows */
};

/* Fields below are private to reasm.c (tests may read counters). */
struct mt_reasm {
	struct mt_reasm_global *g;
	int dir;
	bool started;            /* base sequence known */
	bool syn_seen;
	bool fin_seen;           /* FIN received (maybe not yet reached) */
	bool fin_done;           /* FIN delivered */
	bool rst_seen;
	uint32_t isn;            /* sequence number of stream offset 0 (minus 1 with SYN) */
	uint32_t fin_seq;
	uint64_t next;           /* next stream offset expected */
	uint64_t seen_end;       /* highest stream offset any segment claimed */
	uint64_t ack_beyond;     /* highest offset the peer ACKed beyond seen_end */
	uint64_t fin_off;
	/* unconsumed tail: bytes [tail_off, tail_off + tail_len) */
	uint8_t *tail; size_t tail_len, tail_cap;
	uint64_t tail_off;
	uint64_t tail_frame;
	/* out-of-order queue, sorted by offset, non-overlapping */
	struct mt_ooo_seg *ooo;
	size_t ooo_bytes;
	/* ring of the last delivered bytes, to compare retransmissions with */
	uint8_t *hist; size_t hist_cap;     /* hist holds bytes [next - hist_len, next) */
	size_t hist_len;
	void *hist_segs;                    /* (offset, len, frame) of recent segments: reasm.c */
	uint64_t last_frame;
	uint64_t bytes_delivered, gap_bytes;
	uint32_t retransmissions, conflicts;
};

void mt_reasm_init(struct mt_reasm *r, struct mt_reasm_global *g, int dir);
/* Frees the tail, the queue and the history (no callbacks). */
void mt_reasm_free(struct mt_reasm *r);

/* A TCP segment for this direction.
 *   seq, flags    from the TCP header (TH_SYN 0x02, TH_FIN 0x01, TH_RST 0x04)
 *   p, n          captured payload
 *   missing       payload bytes the IP length promised but the capture cut
 *                 (snaplen): they become a gap after p[0..n)
 * Delivers whatever became contiguous. */
void mt_reasm_segment(struct mt_reasm *r, const struct mt_reasm_sink *sink,
                      uint32_t seq, uint8_t flags, const uint8_t *p, size_t n, size_t missing,
                      uint64_t frame, uint64_t ts_ns);

/* The other direction acknowledged up to `ack`: bytes before it that were
 * never seen are lost to the capture; declare them a gap and deliver what
 * is queued after them. */
void mt_reasm_ack(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint32_t ack,
                  uint64_t frame, uint64_t ts_ns);

/* End of the flow (close, expiry, end of input): every hole becomes a gap,
 * everything queued is delivered, and the consumer is offered the tail one
 * last time. */
void mt_reasm_flush(struct mt_reasm *r, const struct mt_reasm_sink *sink, uint64_t frame, uint64_t ts_ns);

#endif
