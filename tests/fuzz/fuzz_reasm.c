/* fuzz_reasm.c - capture/reasm.c on fuzzer-built segment sequences: both
 * directions of a flow, sequence numbers anywhere (near the expected one,
 * or jumping), any flags, snaplen cuts, ACKs, flushes, and a consumer that
 * uses a fuzzer-chosen part of each delivery.
 *
 * Input: cfg byte, consumer byte, two u32 ISNs, then ops:
 *   op: dir = op & 1, kind = (op >> 1) & 3
 *     0  segment: flags u8, seq delta i16 (from the highest sequence sent
 *        so far in dir), len u8, [missing u8 if flags & 0x40], len bytes
 *     1  ACK of the other direction: delta i16 from its highest sequence
 *     2  flush dir (end of flow; the reassembler must stay usable)
 *     3  segment at an arbitrary u32 sequence number, len u8, len bytes
 * Checks the contract of reasm.h: data and gap events tile the stream
 * (each starts where the consumer's previous used bytes or gap ended), the
 * out-of-order queues never exceed their caps, and nothing is read past a
 * segment (each is an exact-size copy). */
#include "fuzz_common.h"

#include "../../capture/limits.h"
#include "../../capture/reasm.h"

struct sink_state {
	uint64_t cons[2];        /* next stream offset the consumer has not used */
	bool fin[2];
	uint8_t mode;
	uint32_t calls;
	const struct mt_limits *lim;
};

static size_t on_data(void *user, int dir, const uint8_t *p, size_t n, uint64_t offset,
                      uint64_t frame, uint64_t ts_ns, uint32_t nsegs)
{
	struct sink_state *s = user;
	if (offset != s->cons[dir]) {
		fprintf(stderr, "reasm: data at offset %llu, consumer at %llu (dir %d)\n",
		        (unsigned long long)offset, (unsigned long long)s->cons[dir], dir);
		abort();
	}
	size_t tmax = s->lim->tail_per_dir;
	if (n > tmax + (tmax > 4096 ? tmax : 4096) + 65536)
		abort();   /* the tail is bounded (reasm.c TAIL_CHUNK_MIN) */
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < n; i++)
		sum ^= p[i];   /* touch every byte: ASan checks the range */
	s->calls++;
	size_t used;
	switch (s->mode & 3) {
	case 0: used = n; break;                           /* a line splitter */
	case 1: used = n / 2; break;                       /* a slow parser */
	case 2: used = n >= 100 ? n : 0; break;            /* waits for more */
	default: used = (s->calls * 7u) % (n + 1); break;  /* anything */
	}
	if (nsegs == 0 && (s->mode & 4))
		used = 0;   /* refuses even the last offer before a hole */
	s->cons[dir] += used;
	return used;
}

static void on_gap(void *user, int dir, uint64_t offset, uint64_t len, uint64_t frame, uint64_t ts_ns)
{
	struct sink_state *s = user;
	if (offset != s->cons[dir] || len == 0) {
		fprintf(stderr, "reasm: gap of %llu at offset %llu, consumer at %llu (dir %d)\n",
		        (unsigned long long)len, (unsigned long long)offset, (unsigned long long)s->cons[dir], dir);
		abort();
	}
	s->cons[dir] += len;
}

static void on_conflict(void *user, int dir, uint64_t offset, uint64_t len, uint64_t a_frame, uint64_t b_frame)
{
	if (len == 0 || a_frame > b_frame)
		abort();
}

static void on_fin(void *user, int dir, uint64_t frame, uint64_t ts_ns)
{
	struct sink_state *s = user;
	s->fin[dir] = true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 10 || size > 200000)
		return 0;
	struct fz f = { data, size };
	uint8_t cfg = fz_u8(&f);
	struct mt_limits lim;
	mt_limits_default(&lim);
	if (cfg & 1) {
		lim.ooo_per_dir = 300 + (cfg >> 4) * 64;
		lim.ooo_total = 500 + (cfg >> 4) * 100;
		lim.tail_per_dir = 64 + (cfg >> 4) * 16;
	}
	if (cfg & 2) {
		lim.history_per_dir = 16;
		lim.history_total = 40;
	}
	struct mt_counters counters;
	memset(&counters, 0, sizeof(counters));
	struct mt_reasm_global g = { &lim, &counters, 0, 0 };
	struct mt_reasm r[2];
	mt_reasm_init(&r[0], &g, 0);
	mt_reasm_init(&r[1], &g, 1);
	struct sink_state st;
	memset(&st, 0, sizeof(st));
	st.mode = fz_u8(&f);
	st.lim = &lim;
	struct mt_reasm_sink sink = { &st, on_data, on_gap, on_conflict, on_fin };
	uint32_t hi[2];
	hi[0] = fz_u32(&f);
	hi[1] = fz_u32(&f);
	uint64_t frame = 0, ts = 1683441675000000000ull;

	while (!fz_empty(&f)) {
		uint8_t op = fz_u8(&f);
		int dir = op & 1;
		frame++;
		ts += 1000;
		switch ((op >> 1) & 3) {
		case 0:
		case 3: {
			uint8_t flags = 0;
			uint32_t seq;
			size_t missing = 0;
			if (((op >> 1) & 3) == 0) {
				flags = fz_u8(&f);
				seq = hi[dir] + (uint32_t)(int32_t)(int16_t)fz_u16(&f);
			} else {
				seq = fz_u32(&f);
			}
			size_t len = fz_u8(&f), got;
			if (flags & 0x40)
				missing = fz_u8(&f) * (size_t)((flags & 0x80) ? 4096 : 1);
			const uint8_t *p = fz_take(&f, len, &got);
			uint8_t *seg = fz_dup(p, got);
			uint8_t tflags = flags & 0x17;   /* FIN SYN RST ACK */
			mt_reasm_segment(&r[dir], &sink, seq, tflags, seg, got, missing, frame, ts);
			free(seg);
			uint32_t end = seq + (uint32_t)got + ((tflags & 0x03) ? 1 : 0);
			if ((int32_t)(end - hi[dir]) > 0)
				hi[dir] = end;
			break;
		}
		case 1: {
			uint32_t ack = hi[1 - dir] + (uint32_t)(int32_t)(int16_t)fz_u16(&f);
			mt_reasm_ack(&r[1 - dir], &sink, ack, frame, ts);
			break;
		}
		case 2:
			mt_reasm_flush(&r[dir], &sink, frame, ts);
			break;
		}
		for (int d = 0; d < 2; d++)
			if (r[d].ooo_bytes > lim.ooo_per_dir)
				abort();
		if (g.ooo_bytes > lim.ooo_total || g.ooo_bytes != r[0].ooo_bytes + r[1].ooo_bytes)
			abort();
	}
	mt_reasm_flush(&r[0], &sink, frame + 1, ts);
	mt_reasm_flush(&r[1], &sink, frame + 1, ts);
	mt_reasm_free(&r[0]);
	mt_reasm_free(&r[1]);
	if (g.ooo_bytes != 0 || g.history_bytes != 0)
		abort();   /* everything queued or kept was released */
	return 0;
}
