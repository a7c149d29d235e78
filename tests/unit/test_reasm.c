/* test_reasm.c - the TCP reassembler driven by crafted segment sequences.
 *
 * A recording sink plays the consumer. It checks the delivery contract on
 * every call (data and gap offsets tile the stream: each starts where the
 * consumer's last used byte or the last gap ended), and writes a transcript
 * of used bytes, "[gap N]" and "[fin]" that the tests compare. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../capture/limits.h"
#include "../../capture/reasm.h"

#define SYN 0x02
#define FIN 0x01
#define RST 0x04
#define ACK 0x10

enum { USE_ALL, USE_NONE, USE_LINES, USE_FIXED };

struct tsink {
	int mode;
	size_t fixed;            /* USE_FIXED: bytes used per call at most */
	uint64_t pos;            /* consumer position: next byte it expects */
	char out[8192];          /* transcript */
	size_t out_len;
	int ndata, ngap, nfin, nconf;
	struct { uint64_t off, len, a, b; } conf[16];
	struct { uint64_t off, len, frame; } gap[64];
	const uint8_t *last_p;
	size_t last_n;
	uint64_t last_off, last_frame;
	uint32_t last_nsegs;
	char last_offer[8192];
	uint64_t used_total, gap_total;
	/* optional byte map for long streams: 1 = used data, 2 = gap */
	uint8_t *map, *mapv;
	size_t map_len;
	bool quiet;              /* record nothing (very long streams) */
};

static struct mt_limits L;
static struct mt_counters C;
static struct mt_reasm_global G;
static struct tsink T;
static struct mt_reasm_sink SINK;

static void out_add(const void *p, size_t n)
{
	assert_true(T.out_len + n < sizeof(T.out));
	memcpy(T.out + T.out_len, p, n);
	T.out_len += n;
	T.out[T.out_len] = '\0';
}

static size_t t_data(void *user, int dir, const uint8_t *p, size_t n, uint64_t offset,
                     uint64_t frame, uint64_t ts_ns, uint32_t nsegs)
{
	size_t used = n;

	assert_ptr_equal(user, &T);
	assert_int_equal(T.nfin, 0);          /* nothing after fin */
	assert_true(n > 0);
	assert_int_equal(offset, T.pos);      /* contiguous with what came before */
	T.ndata++;
	T.last_p = p;
	T.last_n = n;
	T.last_off = offset;
	T.last_frame = frame;
	T.last_nsegs = nsegs;
	if (n < sizeof(T.last_offer)) {
		memcpy(T.last_offer, p, n);
		T.last_offer[n] = '\0';
	}
	switch (T.mode) {
	case USE_NONE:
		used = 0;
		break;
	case USE_LINES:
		while (used > 0 && p[used - 1] != '\n')
			used--;
		break;
	case USE_FIXED:
		used = n < T.fixed ? n : T.fixed;
		break;
	}
	if (T.map) {
		for (size_t i = 0; i < used; i++) {
			assert_true(offset + i < T.map_len);
			T.map[offset + i] = 1;
			T.mapv[offset + i] = p[i];
		}
	} else if (!T.quiet) {
		out_add(p, used);
	}
	T.pos += used;
	T.used_total += used;
	return used;
}

static void t_gap(void *user, int dir, uint64_t offset, uint64_t len, uint64_t frame,
                  uint64_t ts_ns)
{
	char buf[64];

	assert_int_equal(T.nfin, 0);
	assert_int_equal(offset, T.pos);
	assert_true(len > 0);
	if (T.ngap < 64) {
		T.gap[T.ngap].off = offset;
		T.gap[T.ngap].len = len;
		T.gap[T.ngap].frame = frame;
	}
	T.ngap++;
	if (T.map) {
		for (uint64_t i = 0; i < len && offset + i < T.map_len; i++)
			T.map[offset + i] = 2;
	} else if (!T.quiet) {
		snprintf(buf, sizeof(buf), "[gap %llu]", (unsigned long long)len);
		out_add(buf, strlen(buf));
	}
	T.pos += len;
	T.gap_total += len;
}

static void t_conflict(void *user, int dir, uint64_t offset, uint64_t len, uint64_t a_frame,
                       uint64_t b_frame)
{
	if (T.nconf < 16) {
		T.conf[T.nconf].off = offset;
		T.conf[T.nconf].len = len;
		T.conf[T.nconf].a = a_frame;
		T.conf[T.nconf].b = b_frame;
	}
	T.nconf++;
}

static void t_fin(void *user, int dir, uint64_t frame, uint64_t ts_ns)
{
	assert_int_equal(T.nfin, 0);
	if (!T.map && !T.quiet)
		out_add("[fin]", 5);
	T.nfin++;
}

static int setup(void **state)
{
	mt_limits_default(&L);
	memset(&C, 0, sizeof(C));
	memset(&G, 0, sizeof(G));
	G.limits = &L;
	G.counters = &C;
	memset(&T, 0, sizeof(T));
	SINK.user = &T;
	SINK.data = t_data;
	SINK.gap = t_gap;
	SINK.conflict = t_conflict;
	SINK.fin = t_fin;
	return 0;
}

/* Nothing may stay charged to the global budgets once a test freed all. */
static int teardown(void **state)
{
	assert_int_equal(G.ooo_bytes, 0);
	assert_int_equal(G.history_bytes, 0);
	free(T.map);
	free(T.mapv);
	return 0;
}

static void seg(struct mt_reasm *r, uint32_t seq, uint8_t flags, const char *s, uint64_t frame)
{
	mt_reasm_segment(r, &SINK, seq, flags, (const uint8_t *)s, strlen(s), 0, frame,
	                 frame * 1000);
}

static void ack(struct mt_reasm *r, uint32_t a, uint64_t frame)
{
	mt_reasm_ack(r, &SINK, a, frame, frame * 1000);
}

/* --- in order ------------------------------------------------------------ */

static void test_in_order(void **state)
{
	struct mt_reasm r;
	static const char p1[] = "USER labtest\r\n", p2[] = "PASS secret\r\n";

	mt_reasm_init(&r, &G, 0);
	seg(&r, 1000, SYN, "", 1);
	assert_true(r.started && r.syn_seen);
	mt_reasm_segment(&r, &SINK, 1001, ACK, (const uint8_t *)p1, strlen(p1), 0, 3, 3000);
	/* no copy: the consumer sees the packet bytes themselves */
	assert_ptr_equal(T.last_p, p1);
	assert_int_equal(T.last_off, 0);
	assert_int_equal(T.last_frame, 3);
	assert_int_equal(T.last_nsegs, 1);
	mt_reasm_segment(&r, &SINK, 1001 + 14, ACK, (const uint8_t *)p2, strlen(p2), 0, 5, 5000);
	assert_ptr_equal(T.last_p, p2);
	assert_int_equal(T.last_off, 14);
	assert_string_equal(T.out, "USER labtest\r\nPASS secret\r\n");
	assert_int_equal(r.next, 27);
	assert_int_equal(r.bytes_delivered, 27);
	assert_null(r.tail);                  /* a consumer using all never needs a tail */
	assert_int_equal(C.retransmissions, 0);
	assert_int_equal(C.gaps, 0);
	assert_int_equal(C.overlap_conflicts, 0);
	mt_reasm_free(&r);
}

/* The same stream fed one byte per segment and in one segment gives the
 * same bytes, for a consumer that uses all and for one that waits for lines. */
static void run_split(const char *s, size_t step, int mode, char *out, size_t outsz)
{
	struct mt_reasm r;
	size_t n = strlen(s);

	setup(NULL);
	T.mode = mode;
	mt_reasm_init(&r, &G, 1);
	seg(&r, 77, SYN, "", 1);
	for (size_t i = 0; i < n; i += step) {
		size_t k = n - i < step ? n - i : step;

		mt_reasm_segment(&r, &SINK, 78 + (uint32_t)i, ACK, (const uint8_t *)s + i, k, 0,
		                 2 + i, 0);
	}
	seg(&r, 78 + (uint32_t)n, FIN, "", 1000);
	mt_reasm_flush(&r, &SINK, 1001, 0);
	mt_reasm_free(&r);
	assert_true(T.out_len < outsz);
	memcpy(out, T.out, T.out_len + 1);
	assert_int_equal(C.gaps, 0);
	assert_int_equal(C.retransmissions, 0);
	teardown(NULL);
}

static void test_one_byte_vs_one_segment(void **state)
{
	static const char s[] = "+OK Qpopper ready\r\nUSER labtest\r\nPASS x\r\nQUIT\r\n";
	char a[512], b[512], c[512];

	for (int mode = USE_ALL; mode <= USE_LINES; mode += 2) {
		run_split(s, 1, mode, a, sizeof(a));
		run_split(s, strlen(s), mode, b, sizeof(b));
		run_split(s, 7, mode, c, sizeof(c));
		assert_string_equal(a, b);
		assert_string_equal(a, c);
	}
	assert_string_equal(a, "+OK Qpopper ready\r\nUSER labtest\r\nPASS x\r\nQUIT\r\n[fin]");
	setup(NULL);
}

/* --- out of order, duplicates, overlaps --------------------------------- */

static void test_out_of_order(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 100, SYN, "", 1);
	seg(&r, 111, 0, "CCCCC", 2);   /* offsets 10..15 */
	seg(&r, 106, 0, "BBBBB", 3);   /* 5..10 */
	assert_int_equal(T.ndata, 0);
	assert_true(r.ooo_bytes > 10);
	assert_int_equal(G.ooo_bytes, r.ooo_bytes);
	seg(&r, 101, 0, "AAAAA", 4);   /* fills the hole: everything flows */
	assert_string_equal(T.out, "AAAAABBBBBCCCCC");
	assert_int_equal(r.next, 15);
	assert_int_equal(r.ooo_bytes, 0);
	assert_null(r.ooo);
	/* queued bytes come with the frame that carried them */
	assert_int_equal(T.last_frame, 2);
	assert_int_equal(T.ndata, 3);
	assert_int_equal(C.retransmissions, 0);
	assert_int_equal(C.gaps, 0);
	mt_reasm_free(&r);
}

static void test_duplicates(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "hello ", 2);
	seg(&r, 1, 0, "hello ", 3);              /* retransmission of delivered bytes */
	seg(&r, 13, 0, "again", 4);              /* queued */
	seg(&r, 13, 0, "again", 5);              /* duplicate of queued bytes */
	assert_int_equal(C.retransmissions, 2);
	assert_int_equal(r.retransmissions, 2);
	seg(&r, 7, 0, "world ", 6);
	assert_string_equal(T.out, "hello world again");
	assert_int_equal(C.overlap_conflicts, 0);
	assert_int_equal(T.nconf, 0);
	mt_reasm_free(&r);
}

static void test_partial_overlap(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "ABCDEF", 2);
	seg(&r, 4, 0, "DEFGHI", 3);              /* 3 old, 3 new bytes */
	assert_string_equal(T.out, "ABCDEFGHI");
	assert_int_equal(T.last_n, 3);           /* only the new bytes are delivered */
	assert_int_equal(T.last_off, 6);
	/* overlaps with queued segments, on both sides */
	seg(&r, 1 + 15, 0, "PQR", 4);            /* 15..18 queued */
	seg(&r, 1 + 12, 0, "MNOPQRST", 5);       /* 12..20: covers it */
	seg(&r, 1 + 9, 0, "JKLMN", 6);           /* 9..14 fills the hole */
	assert_string_equal(T.out, "ABCDEFGHIJKLMNOPQRST");
	assert_int_equal(C.retransmissions, 3);
	assert_int_equal(C.overlap_conflicts, 0);
	assert_int_equal(r.ooo_bytes, 0);
	mt_reasm_free(&r);
}

/* A later copy that differs from a queued one: conflict, first copy wins. */
static void test_conflict_queued(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "0123", 2);
	seg(&r, 1 + 10, 0, "abcdef", 7);         /* 10..16 queued, first copy */
	seg(&r, 1 + 8, 0, "89abXdeZ", 9);        /* 8..16: 'X' at 12, 'Z' at 15 differ */
	assert_int_equal(T.nconf, 1);
	assert_int_equal(T.conf[0].off, 12);
	assert_int_equal(T.conf[0].len, 4);      /* first to last differing byte */
	assert_int_equal(T.conf[0].a, 7);
	assert_int_equal(T.conf[0].b, 9);
	assert_int_equal(C.overlap_conflicts, 1);
	assert_int_equal(r.conflicts, 1);
	seg(&r, 1 + 4, 0, "4567", 10);
	assert_string_equal(T.out, "0123456789abcdef");
	mt_reasm_free(&r);
}

/* A retransmission that differs from bytes already delivered. */
static void test_conflict_delivered(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 500, SYN, "", 1);
	seg(&r, 501, 0, "PASS right\r\n", 3);    /* 0..12 */
	seg(&r, 513, 0, "QUIT\r\n", 4);          /* 12..18 */
	seg(&r, 506, 0, "wrong\r\nQUAT", 8);     /* 5..16 differs in both frames */
	assert_int_equal(T.nconf, 2);
	assert_int_equal(T.conf[0].off, 5);
	assert_int_equal(T.conf[0].len, 5);      /* "right" vs "wrong" */
	assert_int_equal(T.conf[0].a, 3);
	assert_int_equal(T.conf[0].b, 8);
	assert_int_equal(T.conf[1].off, 14);     /* 'I' vs 'A' */
	assert_int_equal(T.conf[1].len, 1);
	assert_int_equal(T.conf[1].a, 4);
	assert_int_equal(T.conf[1].b, 8);
	assert_int_equal(C.overlap_conflicts, 2);
	assert_int_equal(C.retransmissions, 1);
	assert_string_equal(T.out, "PASS right\r\nQUIT\r\n");
	/* equal retransmission: no conflict */
	seg(&r, 501, 0, "PASS right", 9);
	assert_int_equal(T.nconf, 2);
	mt_reasm_free(&r);
}

/* The history is a ring of history_per_dir bytes: checks work across its
 * wrap, and bytes older than it are not checked (no false conflict). */
static void test_history_ring(void **state)
{
	struct mt_reasm r;

	L.history_per_dir = 16;
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "0123456789", 2);                  /* 0..10 */
	seg(&r, 11, 0, "abcdefghij", 3);                 /* 10..20 */
	seg(&r, 21, 0, "ABCDEFGHIJ", 4);                 /* 20..30: ring wrapped */
	seg(&r, 1, 0, "XXXXXXXXXX", 5);                  /* older than the history */
	assert_int_equal(T.nconf, 0);
	seg(&r, 16, 0, "fghiXABCDE", 6);                 /* 15..25 across the wrap */
	assert_int_equal(T.nconf, 1);
	assert_int_equal(T.conf[0].off, 19);
	assert_int_equal(T.conf[0].len, 1);
	assert_int_equal(T.conf[0].a, 3);
	assert_int_equal(T.conf[0].b, 6);
	seg(&r, 16, 0, "fghijABCDEFGHIJ", 7);            /* equal: nothing */
	assert_int_equal(T.nconf, 1);
	assert_int_equal(C.retransmissions, 3);
	assert_int_equal(C.history_unavailable, 0);
	mt_reasm_free(&r);
}

/* Without history memory, retransmissions cannot be checked: counted. */
static void test_history_unavailable(void **state)
{
	struct mt_reasm r;

	L.history_total = 10;                    /* smaller than one history */
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "abcdef", 2);
	seg(&r, 1, 0, "XXXXXX", 3);
	assert_int_equal(T.nconf, 0);
	assert_int_equal(C.history_unavailable, 1);
	assert_int_equal(G.history_bytes, 0);
	assert_string_equal(T.out, "abcdef");
	mt_reasm_free(&r);
}

/* --- sequence numbers ---------------------------------------------------- */

static void test_wraparound(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0xFFFFFFF0u, SYN, "", 1);
	seg(&r, 0xFFFFFFF1u, 0, "0123456789", 2);        /* 0..10: seq ...F1..FA */
	seg(&r, 0x00000005u, 0, "UVWXYZ", 3);            /* 20..26, after the wrap: queued */
	seg(&r, 0xFFFFFFFBu, 0, "abcdefghij", 4);        /* 10..20 crosses 2^32 */
	assert_string_equal(T.out, "0123456789abcdefghijUVWXYZ");
	assert_int_equal(r.next, 26);
	/* a hole after the wrap, declared by an ACK that also wrapped */
	seg(&r, 0x0000000Fu, 0, "tail", 5);              /* 30..34 */
	ack(&r, 0x00000013u, 6);
	assert_string_equal(T.out + 26, "[gap 4]tail");
	assert_int_equal(T.gap[0].off, 26);
	/* a retransmission from before the wrap is still old data */
	seg(&r, 0xFFFFFFF1u, 0, "0123456789", 7);
	assert_int_equal(C.retransmissions, 1);
	assert_int_equal(T.nconf, 0);
	assert_int_equal(r.next, 34);
	mt_reasm_free(&r);
}

/* Offsets keep growing past 4 GiB of stream. */
static void test_wraparound_long_stream(void **state)
{
	struct mt_reasm r;
	static uint8_t chunk[65536];
	uint32_t seq = 0x12345678;
	uint64_t total = 0;

	L.tail_per_dir = 0;
	T.quiet = true;
	mt_reasm_init(&r, &G, 0);
	seg(&r, seq, SYN, "", 1);
	seq++;
	memset(chunk, 'x', sizeof(chunk));
	/* 5 GiB, delivered in order: crosses the 32-bit space once */
	for (uint64_t i = 0; i < (UINT64_C(5) << 30) / sizeof(chunk); i++) {
		mt_reasm_segment(&r, &SINK, seq, 0, chunk, sizeof(chunk), 0, 2 + i, 0);
		seq += sizeof(chunk);
		total += sizeof(chunk);
	}
	assert_int_equal(r.next, total);
	assert_int_equal(T.pos, total);
	assert_int_equal(C.gaps, 0);
	mt_reasm_segment(&r, &SINK, seq, 0, chunk, 10, 0, 1, 0);
	assert_int_equal(T.last_off, total);
	mt_reasm_free(&r);
}

static void test_syn_fin_rst(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 9000, SYN, "", 1);
	seg(&r, 9000, SYN, "", 2);                       /* SYN retransmission */
	assert_int_equal(C.retransmissions, 1);
	assert_int_equal(r.isn, 9000);
	seg(&r, 7777, SYN, "", 3);                       /* another ISN: refused */
	assert_int_equal(C.malformed_packets, 1);
	assert_int_equal(r.isn, 9000);
	seg(&r, 9006, FIN, "world", 5);                  /* FIN queued behind a hole */
	assert_true(r.fin_seen);
	assert_false(r.fin_done);
	assert_int_equal(r.fin_off, 10);
	assert_int_equal(T.nfin, 0);
	seg(&r, 9001, 0, "hello", 4);
	assert_string_equal(T.out, "helloworld[fin]");
	assert_true(r.fin_done);
	seg(&r, 9011, FIN, "", 6);                       /* FIN retransmission */
	assert_int_equal(T.nfin, 1);
	assert_int_equal(C.retransmissions, 2);
	mt_reasm_free(&r);

	/* SYN carrying data: offset 0 is its first payload byte */
	setup(NULL);
	mt_reasm_init(&r, &G, 1);
	seg(&r, 41, SYN, "EHLO x\r\n", 1);
	assert_int_equal(T.last_off, 0);
	seg(&r, 41, SYN, "EHLO x\r\n", 2);               /* retransmitted with its data */
	assert_int_equal(C.retransmissions, 1);
	seg(&r, 50, 0, "QUIT\r\n", 3);
	assert_string_equal(T.out, "EHLO x\r\nQUIT\r\n");
	/* RST: noted, its payload is not stream data */
	seg(&r, 56, RST, "connection reset", 4);
	assert_true(r.rst_seen);
	assert_int_equal(r.next, 14);
	assert_string_equal(T.out, "EHLO x\r\nQUIT\r\n");
	mt_reasm_free(&r);
	teardown(NULL);
	setup(NULL);
}

/* RFC 9293 §3.10.7.4: nothing after the FIN is stream data. */
static void test_data_after_fin(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, FIN, "bye", 2);
	assert_string_equal(T.out, "bye[fin]");
	seg(&r, 4, 0, "more", 3);                        /* after the FIN */
	assert_int_equal(C.malformed_packets, 1);
	seg(&r, 2, 0, "yeXX", 4);                        /* old bytes, then past the FIN */
	assert_int_equal(C.malformed_packets, 2);
	assert_int_equal(C.retransmissions, 1);
	assert_string_equal(T.out, "bye[fin]");
	mt_reasm_free(&r);

	/* data queued past a FIN that arrives later is dropped, not delivered */
	setup(NULL);
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 8, 0, "junk", 2);                        /* 7..11 queued */
	size_t charged = r.ooo_bytes;
	seg(&r, 4, FIN, "def", 3);                       /* 3..6, FIN at 6 */
	assert_int_equal(C.malformed_packets, 1);
	assert_int_equal(r.ooo_bytes, charged - 1);      /* "junk" out, "def" in */
	seg(&r, 1, 0, "abc", 4);
	assert_string_equal(T.out, "abcdef[fin]");
	mt_reasm_free(&r);
	teardown(NULL);
	setup(NULL);
}

/* Zero-window probes repeat one byte; keep-alives repeat next-1 with a
 * garbage byte (RFC 9293 §3.8.4). Neither is a conflict. */
static void test_zero_window_probe(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "abc", 2);
	seg(&r, 4, 0, "d", 3);                           /* probe: the byte is new */
	seg(&r, 4, 0, "d", 4);                           /* probe again */
	seg(&r, 4, 0, "d", 5);
	assert_int_equal(C.retransmissions, 2);
	assert_int_equal(T.nconf, 0);
	/* keep-alive at next-1 with a garbage byte */
	mt_reasm_segment(&r, &SINK, 4, 0, (const uint8_t *)"\0", 1, 0, 6, 0);
	seg(&r, 4, 0, "", 7);                            /* empty keep-alive */
	assert_int_equal(T.nconf, 0);
	assert_int_equal(C.retransmissions, 3);
	seg(&r, 5, 0, "ef", 8);
	assert_string_equal(T.out, "abcdef");
	seg(&r, 4, 0, "d", 9);                           /* the probe byte, later */
	assert_int_equal(T.nconf, 0);
	assert_int_equal(C.retransmissions, 4);
	seg(&r, 4, 0, "D", 10);                          /* a different byte there is not */
	assert_int_equal(T.nconf, 1);
	assert_int_equal(T.conf[0].off, 3);
	assert_int_equal(C.gaps, 0);
	mt_reasm_free(&r);
}

/* --- holes --------------------------------------------------------------- */

static void test_ack_declares_hole(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	ack(&r, 12345, 1);                               /* base unknown: ignored */
	assert_int_equal(T.ngap, 0);
	seg(&r, 1000, SYN, "", 2);
	seg(&r, 1001, 0, "AAAA", 3);                     /* 0..4 */
	seg(&r, 1011, 0, "BBBB", 4);                     /* 10..14, hole 4..10 */
	ack(&r, 1005, 5);                                /* acks only what we have */
	ack(&r, 1001 + 0x50000000u, 6);                  /* absurd jump: ignored */
	ack(&r, 1001 - 100, 7);                          /* old ACK: ignored */
	assert_int_equal(T.ngap, 0);
	assert_string_equal(T.out, "AAAA");
	ack(&r, 1015, 8);                                /* peer got 0..14: 4..10 lost */
	assert_string_equal(T.out, "AAAA[gap 6]BBBB");
	assert_int_equal(T.gap[0].off, 4);
	assert_int_equal(T.gap[0].len, 6);
	assert_int_equal(T.gap[0].frame, 8);
	assert_int_equal(C.gaps, 1);
	assert_int_equal(C.gap_bytes, 6);
	assert_int_equal(r.gap_bytes, 6);
	assert_int_equal(C.ooo_dropped_bytes, 0);
	/* delivery resumes after the gap */
	seg(&r, 1015, 0, "CC", 9);
	assert_string_equal(T.out, "AAAA[gap 6]BBBBCC");
	/* an ACK beyond every byte seen opens no gap at once: it may be forged
	 * (a later real segment must not be swallowed) */
	ack(&r, 1020, 10);
	assert_string_equal(T.out, "AAAA[gap 6]BBBBCC");
	/* the late copy of the lost bytes is old now */
	seg(&r, 1005, 0, "xxxxxx", 11);
	assert_string_equal(T.out, "AAAA[gap 6]BBBBCC");
	/* the lost bytes 16..19 show up only as a gap before the next data */
	seg(&r, 1020, 0, "E", 11);
	assert_string_equal(T.out, "AAAA[gap 6]BBBBCC");
	ack(&r, 1021, 11);
	assert_string_equal(T.out, "AAAA[gap 6]BBBBCC[gap 3]E");
	/* a FIN behind a 1-byte hole; its ACK covers one number more than the
	 * stream, which is the FIN, not a lost byte */
	seg(&r, 1022, FIN, "D", 12);                     /* 21, FIN at 22 */
	ack(&r, 1023, 13);
	assert_string_equal(T.out, "AAAA[gap 6]BBBBCC[gap 3]E[gap 1]D[fin]");
	assert_int_equal(T.gap[2].len, 1);
	assert_int_equal(T.gap[2].off, 20);
	mt_reasm_free(&r);
}

/* Several holes below one ACK: each is its own gap. */
static void test_ack_several_holes(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "a", 2);
	seg(&r, 4, 0, "b", 3);
	seg(&r, 8, 0, "c", 4);
	ack(&r, 9, 5);
	assert_string_equal(T.out, "a[gap 2]b[gap 3]c");
	ack(&r, 11, 6);                                  /* beyond all seen: not yet */
	assert_string_equal(T.out, "a[gap 2]b[gap 3]c");
	mt_reasm_flush(&r, &SINK, 7, 0);                 /* a lost tail, at the end */
	assert_string_equal(T.out, "a[gap 2]b[gap 3]c[gap 2]");
	mt_reasm_free(&r);
}

/* A forged ACK far beyond anything sent must not swallow the real bytes
 * that follow (pcaps/hostile/seq-backwards.pcap hid a PASS line this way). */
static void test_forged_ack_swallows_nothing(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "USER a\r\n", 2);
	ack(&r, 1 + 8 + 0x30000000u, 3);                /* 768 MiB ahead */
	seg(&r, 9, 0, "PASS s\r\n", 4);
	assert_string_equal(T.out, "USER a\r\nPASS s\r\n");
	mt_reasm_flush(&r, &SINK, 5, 0);                 /* implausible: no gap */
	assert_string_equal(T.out, "USER a\r\nPASS s\r\n");
	assert_int_equal(T.ngap, 0);
	mt_reasm_free(&r);
}

/* Data at the SYN's own sequence number (NetMon-converted captures): the
 * first byte is kept, not dropped as old. */
static void test_data_at_isn(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	seg(&r, 500, SYN, "", 1);
	seg(&r, 500, 0, "+OK", 2);
	seg(&r, 503, 0, " hi", 3);
	assert_string_equal(T.out, "+OK hi");
	assert_int_equal(C.malformed_packets, 1);
	mt_reasm_free(&r);
}

static void test_snaplen_cut(void **state)
{
	struct mt_reasm r;
	static const uint8_t full[] = "ABCDEFGHIJ";

	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	/* 10 bytes on the wire, 4 captured: a gap of 6 right after them */
	mt_reasm_segment(&r, &SINK, 1, 0, full, 4, 6, 2, 0);
	assert_string_equal(T.out, "ABCD[gap 6]");
	assert_int_equal(T.gap[0].off, 4);
	assert_int_equal(r.next, 10);
	seg(&r, 11, 0, "klm", 3);
	assert_string_equal(T.out, "ABCD[gap 6]klm");
	/* a cut segment out of order: its lost part stays a hole until the ACK */
	mt_reasm_segment(&r, &SINK, 21, 0, full, 2, 3, 4, 0);    /* 20..22 + 3 lost */
	seg(&r, 26, 0, "Z", 5);                                   /* 25 */
	seg(&r, 14, 0, "nopqrs", 6);                              /* 13..19 */
	assert_string_equal(T.out, "ABCD[gap 6]klmnopqrs");
	seg(&r, 20, 0, "t", 7);                                   /* 19 */
	assert_string_equal(T.out, "ABCD[gap 6]klmnopqrstAB");
	ack(&r, 27, 8);
	assert_string_equal(T.out, "ABCD[gap 6]klmnopqrstAB[gap 3]Z");
	/* all of the payload cut away */
	mt_reasm_segment(&r, &SINK, 27, 0, full, 0, 5, 9, 0);
	assert_string_equal(T.out, "ABCD[gap 6]klmnopqrstAB[gap 3]Z[gap 5]");
	assert_int_equal(C.gap_bytes, 14);
	mt_reasm_free(&r);
}

static void fill(char *buf, char c, size_t n)
{
	memset(buf, c, n);
	buf[n] = '\0';
}

static void test_ooo_overflow_per_dir(void **state)
{
	struct mt_reasm r;
	static char a[700], b[700];

	L.ooo_per_dir = 1000;
	fill(a, 'a', 600);
	fill(b, 'b', 600);
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "0123456789", 2);          /* 0..10 */
	seg(&r, 101, 0, a, 3);                   /* 100..700 queued */
	assert_true(r.ooo_bytes >= 600 && r.ooo_bytes <= 1000);
	seg(&r, 801, 0, b, 4);                   /* 800..1400: no room */
	/* the holes before it are given up, everything queued is delivered */
	assert_int_equal(T.ngap, 2);
	assert_int_equal(T.gap[0].off, 10);
	assert_int_equal(T.gap[0].len, 90);
	assert_int_equal(T.gap[1].off, 700);
	assert_int_equal(T.gap[1].len, 100);
	assert_int_equal(C.ooo_dropped_bytes, 190);
	assert_int_equal(C.gaps, 2);
	assert_int_equal(r.next, 1400);
	assert_int_equal(r.ooo_bytes, 0);
	assert_int_equal(T.used_total, 10 + 600 + 600);
	/* the lost bytes turning up late are old data */
	seg(&r, 11, 0, "late", 5);
	assert_int_equal(r.next, 1400);
	mt_reasm_free(&r);
}

static void test_ooo_overflow_total(void **state)
{
	struct mt_reasm r1, r2;
	static char a[700], b[700];
	struct tsink keep;

	L.ooo_total = 1000;
	fill(a, 'a', 600);
	fill(b, 'b', 600);
	mt_reasm_init(&r1, &G, 0);
	mt_reasm_init(&r2, &G, 1);
	seg(&r1, 0, SYN, "", 1);
	seg(&r2, 5000, SYN, "", 2);
	seg(&r1, 11, 0, a, 3);                   /* r1: 10..610 queued */
	assert_int_equal(G.ooo_bytes, r1.ooo_bytes);
	keep = T;                                /* r1's consumer state */
	memset(&T, 0, sizeof(T));
	seg(&r2, 5011, 0, b, 4);                 /* r2: no room left in total */
	assert_int_equal(T.ngap, 1);
	assert_int_equal(T.gap[0].off, 0);
	assert_int_equal(T.gap[0].len, 10);
	assert_int_equal(C.ooo_dropped_bytes, 10);
	assert_int_equal(r2.next, 610);
	assert_int_equal(r2.ooo_bytes, 0);
	assert_true(r1.ooo_bytes > 0);           /* the other flow keeps its queue */
	assert_int_equal(G.ooo_bytes, r1.ooo_bytes);
	T = keep;
	seg(&r1, 1, 0, "0123456789", 5);
	assert_int_equal(r1.next, 610);
	assert_int_equal(G.ooo_bytes, 0);
	assert_int_equal(C.gaps, 1);
	mt_reasm_free(&r1);
	mt_reasm_free(&r2);
}

/* A flood of tiny segments never filling its hole stays within the caps
 * (each queued segment is charged with its header, too). */
static void test_ooo_flood_bounded(void **state)
{
	struct mt_reasm r;

	L.ooo_per_dir = 4096;
	T.quiet = true;
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	for (uint32_t i = 0; i < 100000; i++) {
		seg(&r, 3 + 2 * i, 0, "x", 2 + i);      /* every other byte */
		assert_true(r.ooo_bytes <= L.ooo_per_dir);
	}
	assert_true(C.ooo_dropped_bytes > 0);
	assert_int_equal(C.ooo_dropped_bytes, C.gap_bytes);
	mt_reasm_flush(&r, &SINK, 200000, 0);
	assert_int_equal(T.pos, r.next);
	assert_int_equal(r.next, 200001);
	assert_int_equal(T.used_total + T.gap_total, r.next);
	assert_int_equal(T.used_total, 100000);
	mt_reasm_free(&r);
}

static void test_mid_stream_start(void **state)
{
	struct mt_reasm r;

	mt_reasm_init(&r, &G, 0);
	ack(&r, 4000, 1);                                /* other side first: ignored */
	seg(&r, 5000, ACK, "tatus\r\n", 2);             /* no SYN: this is offset 0 */
	assert_true(r.started);
	assert_false(r.syn_seen);
	assert_int_equal(T.last_off, 0);
	seg(&r, 4990, 0, "old bytes", 3);                /* wholly before the start */
	assert_int_equal(C.retransmissions, 1);
	seg(&r, 4998, 0, "xStatu", 4);                   /* partly before, rest equal */
	assert_int_equal(C.retransmissions, 2);
	assert_int_equal(T.nconf, 0);
	seg(&r, 5005, 0, "\r\nNOOP\r\n", 5);             /* overlaps 2, adds 6 */
	assert_string_equal(T.out, "tatus\r\nNOOP\r\n");
	assert_int_equal(C.gaps, 0);
	/* a SYN seen late that fits the first byte: same offsets */
	seg(&r, 4999, SYN, "", 6);
	assert_true(r.syn_seen);
	seg(&r, 5013, 0, "QUIT\r\n", 7);
	assert_string_equal(T.out, "tatus\r\nNOOP\r\nQUIT\r\n");
	mt_reasm_free(&r);
}

/* --- the consumer's tail ------------------------------------------------- */

static void test_partial_consumer(void **state)
{
	struct mt_reasm r;
	static const char p1[] = "USER la", p2[] = "btest\r\nPA", p3[] = "SS x\r\n";
	uint8_t *tail;

	T.mode = USE_LINES;
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	mt_reasm_segment(&r, &SINK, 1, 0, (const uint8_t *)p1, 7, 0, 2, 0);
	assert_ptr_equal(T.last_p, p1);                  /* first offer in place */
	assert_string_equal(T.out, "");
	assert_int_equal(r.tail_len, 7);
	assert_int_equal(r.tail_off, 0);
	tail = r.tail;
	mt_reasm_segment(&r, &SINK, 8, 0, (const uint8_t *)p2, 9, 0, 3, 0);
	/* re-offered from the start, with the new bytes appended */
	assert_string_equal(T.last_offer, "USER labtest\r\nPA");
	assert_int_equal(T.last_off, 0);
	assert_int_equal(T.last_frame, 3);
	assert_int_equal(T.last_nsegs, 1);
	assert_string_equal(T.out, "USER labtest\r\n");
	assert_int_equal(r.tail_len, 2);
	assert_int_equal(r.tail_off, 14);
	mt_reasm_segment(&r, &SINK, 17, 0, (const uint8_t *)p3, 6, 0, 4, 0);
	assert_string_equal(T.last_offer, "PASS x\r\n");
	assert_int_equal(T.last_off, 14);
	assert_string_equal(T.out, "USER labtest\r\nPASS x\r\n");
	assert_int_equal(r.tail_len, 0);
	assert_ptr_equal(r.tail, tail);                  /* buffer reused */
	/* once the tail is empty, offers are in place again */
	mt_reasm_segment(&r, &SINK, 23, 0, (const uint8_t *)"NOOP\r\n", 6, 0, 5, 0);
	assert_int_equal(T.last_off, 22);
	assert_true(T.last_p != r.tail);
	assert_int_equal(C.gaps, 0);
	mt_reasm_free(&r);
}

/* No allocation per packet in the steady state: the tail buffer is reused. */
static void test_steady_state_reuses_tail(void **state)
{
	struct mt_reasm r;
	uint8_t *tail = NULL;
	size_t cap = 0;
	char line[40];

	T.mode = USE_LINES;
	T.quiet = true;
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	uint32_t seq = 1;
	for (int i = 0; i < 2000; i++) {
		/* each segment ends mid-line: the tail is always in use */
		snprintf(line, sizeof(line), "%04d\r\nLINE-", i);
		mt_reasm_segment(&r, &SINK, seq, 0, (const uint8_t *)line, strlen(line), 0, 2 + i, 0);
		seq += strlen(line);
		if (i == 10) {
			tail = r.tail;
			cap = r.tail_cap;
		} else if (i > 10) {
			assert_ptr_equal(r.tail, tail);
			assert_int_equal(r.tail_cap, cap);
		}
	}
	assert_true(cap < 1024);
	assert_int_equal(T.used_total + r.tail_len, r.next);
	mt_reasm_free(&r);
}

static void test_tail_overflow(void **state)
{
	struct mt_reasm r;

	L.tail_per_dir = 8;
	T.mode = USE_NONE;
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "0123456789ABCDEFGHIJ", 2);        /* 20 unused: 12 dropped */
	assert_int_equal(T.ngap, 1);
	assert_int_equal(T.gap[0].off, 0);
	assert_int_equal(T.gap[0].len, 12);
	assert_int_equal(r.tail_len, 8);
	assert_int_equal(r.tail_off, 12);
	seg(&r, 21, 0, "KLMN", 3);                       /* offered 12..24, 4 dropped */
	assert_string_equal(T.last_offer, "CDEFGHIJKLMN");
	assert_int_equal(T.last_off, 12);
	assert_int_equal(T.ngap, 2);
	assert_int_equal(T.gap[1].off, 12);
	assert_int_equal(T.gap[1].len, 4);
	assert_int_equal(C.gap_bytes, 16);
	assert_true(r.tail_cap <= 8 + 4096);
	/* the consumer changes its mind: takes it all */
	T.mode = USE_ALL;
	seg(&r, 25, 0, "O", 4);
	assert_string_equal(T.out, "[gap 12][gap 4]GHIJKLMNO");
	assert_int_equal(r.tail_len, 0);
	mt_reasm_free(&r);
}

/* A big unused tail grows in bounded chunks, never past the limit + a chunk. */
static void test_tail_bounded_memory(void **state)
{
	struct mt_reasm r;
	static uint8_t big[60000];

	L.tail_per_dir = 1000;
	T.mode = USE_NONE;
	memset(big, 'q', sizeof(big));
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "x", 2);
	mt_reasm_segment(&r, &SINK, 2, 0, big, sizeof(big), 0, 3, 0);
	assert_true(r.tail_cap <= 2 * 4096 + 1000);
	assert_int_equal(r.tail_len, 1000);
	assert_int_equal(T.gap_total, sizeof(big) + 1 - 1000);
	mt_reasm_flush(&r, &SINK, 4, 0);
	assert_int_equal(T.gap_total, sizeof(big) + 1);
	mt_reasm_free(&r);
}

/* --- close --------------------------------------------------------------- */

static void test_flush_at_close(void **state)
{
	struct mt_reasm r;

	T.mode = USE_LINES;
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "AB\n", 2);                        /* 0..3 */
	seg(&r, 7, 0, "CD\n", 3);                        /* 6..9 */
	seg(&r, 13, 0, "EF", 4);                         /* 12..14, no end of line */
	assert_string_equal(T.out, "AB\n");
	mt_reasm_flush(&r, &SINK, 5, 0);
	/* holes are gaps, the queue is delivered, the tail offered once more
	 * (nsegs 0) and what is still unused reported as a gap */
	assert_string_equal(T.out, "AB\n[gap 3]CD\n[gap 3][gap 2]");
	assert_string_equal(T.last_offer, "EF");
	assert_int_equal(T.last_nsegs, 0);
	assert_int_equal(T.last_off, 12);
	assert_int_equal(r.ooo_bytes, 0);
	assert_int_equal(r.tail_len, 0);
	assert_int_equal(T.nfin, 0);                     /* no FIN was seen */
	mt_reasm_free(&r);

	/* a FIN behind a hole: flush gaps the hole, then fin() */
	setup(NULL);
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "abc", 2);
	seg(&r, 8, FIN, "xy", 3);                        /* 7..9, FIN at 9 */
	mt_reasm_flush(&r, &SINK, 4, 0);
	assert_string_equal(T.out, "abc[gap 4]xy[fin]");
	/* consumer that uses a final partial line on the last offer */
	mt_reasm_free(&r);
	teardown(NULL);

	setup(NULL);
	T.mode = USE_LINES;
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, FIN, "QUIT\r\nno-eol", 2);
	/* at the FIN the tail has its last offer, then the rest is a gap */
	assert_string_equal(T.out, "QUIT\r\n[gap 6][fin]");
	assert_int_equal(T.last_nsegs, 0);
	mt_reasm_flush(&r, &SINK, 3, 0);
	assert_string_equal(T.out, "QUIT\r\n[gap 6][fin]");
	mt_reasm_free(&r);
	teardown(NULL);
	setup(NULL);
}

/* A hole while the consumer keeps a tail: the tail gets its last offer, the
 * rest becomes a gap, then the hole's own gap: nothing is spliced. */
static void test_hole_with_tail(void **state)
{
	struct mt_reasm r;

	T.mode = USE_LINES;
	mt_reasm_init(&r, &G, 0);
	seg(&r, 0, SYN, "", 1);
	seg(&r, 1, 0, "USER a\r\nPAS", 2);               /* 0..11, "PAS" kept */
	seg(&r, 16, 0, "x\r\nQUIT\r\n", 3);              /* 15..24 */
	ack(&r, 25, 4);
	assert_string_equal(T.out, "USER a\r\n[gap 3][gap 4]x\r\nQUIT\r\n");
	assert_int_equal(T.gap[0].off, 8);
	assert_int_equal(T.gap[1].off, 11);
	assert_int_equal(T.gap[1].len, 4);
	mt_reasm_free(&r);
}

/* --- randomized: any segmentation, order and duplication ---------------- */

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

struct tseg { uint32_t off, len; };

static void run_random(bool drop, int round)
{
	enum { N = 20000, MAXSEGS = 8000 };
	static uint8_t stream[N];
	static struct tseg segs[MAXSEGS];
	struct mt_reasm r;
	uint32_t isn = rnd();
	int ns = 0;

	setup(NULL);
	T.mode = (round % 3 == 0) ? USE_LINES : (round % 3 == 1) ? USE_ALL : USE_FIXED;
	T.fixed = 5;
	T.map = calloc(N, 1);
	T.mapv = calloc(N, 1);
	T.map_len = N;
	L.ooo_per_dir = (round & 1) ? 3000 : 1 << 20;
	for (size_t i = 0; i < N; i++)
		stream[i] = (rnd() % 5 == 0) ? '\n' : 'a' + rnd() % 26;
	for (uint32_t o = 0; o < N && ns < MAXSEGS - 1;) {
		uint32_t k = 1 + rnd() % 300;

		if (o + k > N)
			k = N - o;
		segs[ns].off = o;
		segs[ns].len = k;
		ns++;
		o += k;
	}
	/* shuffle locally (reordering within a window), with duplicates */
	for (int i = 0; i < ns; i++) {
		int j = i + (int)(rnd() % 6);

		if (j < ns) {
			struct tseg t = segs[i];
			segs[i] = segs[j];
			segs[j] = t;
		}
	}
	mt_reasm_init(&r, &G, 0);
	mt_reasm_segment(&r, &SINK, isn, SYN, NULL, 0, 0, 1, 0);
	for (int i = 0; i < ns; i++) {
		uint64_t fr = 2 + i;

		if (drop && rnd() % 20 == 0)
			continue;
		mt_reasm_segment(&r, &SINK, isn + 1 + segs[i].off, 0, stream + segs[i].off,
		                 segs[i].len, 0, fr, 0);
		if (rnd() % 10 == 0) {   /* a retransmission, maybe overlapping more */
			uint32_t o = segs[i].off > 50 ? segs[i].off - 50 : 0;
			uint32_t k = segs[i].len + 100;

			if (o + k > N)
				k = N - o;
			mt_reasm_segment(&r, &SINK, isn + 1 + o, 0, stream + o, k, 0, fr, 0);
		}
	}
	mt_reasm_segment(&r, &SINK, isn + 1 + N, FIN, NULL, 0, 0, ns + 10, 0);
	mt_reasm_flush(&r, &SINK, ns + 11, 0);
	/* the consumer's bytes and the gaps tile the stream exactly; every
	 * byte it got is the right one; nothing was spliced */
	assert_int_equal(T.nfin, 1);
	assert_int_equal(T.pos, N);
	assert_int_equal(T.nconf, 0);
	for (size_t i = 0; i < N; i++) {
		assert_true(T.map[i] != 0);
		if (T.map[i] == 1)
			assert_int_equal(T.mapv[i], stream[i]);
	}
	if (!drop && !(round & 1) && T.mode == USE_ALL)
		assert_int_equal(T.gap_total, 0);
	mt_reasm_free(&r);
	teardown(NULL);
}

static void test_random_reorder(void **state)
{
	for (int round = 0; round < 12; round++)
		run_random(false, round);
	for (int round = 0; round < 12; round++)
		run_random(true, round);
	setup(NULL);
}

/* Hostile input: random sequence numbers, flags, cuts and ACKs. The sink
 * checks the tiling contract on every call; memory stays within the caps. */
static void test_random_hostile(void **state)
{
	static uint8_t junk[512];
	struct mt_reasm r;
	uint32_t isn = 0x7ffffff0u;

	L.ooo_per_dir = 2048;
	L.tail_per_dir = 300;
	L.history_per_dir = 256;
	T.quiet = true;
	T.mode = USE_FIXED;
	T.fixed = 7;
	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)rnd();
	mt_reasm_init(&r, &G, 0);
	for (int i = 0; i < 200000; i++) {
		uint32_t x = rnd();
		uint32_t seq = (x % 50 == 0) ? rnd() : isn + (uint32_t)(rnd() % 6000) - 100;
		uint8_t flags = (x % 97 == 0) ? FIN : (x % 89 == 0) ? SYN : (x % 1009 == 0) ? RST : 0;
		size_t n = rnd() % 200, missing = (x % 13 == 0) ? rnd() % 50 : 0;

		if (x % 7 == 0) {
			ack(&r, (x % 3 == 0) ? rnd() : isn + rnd() % 7000, i);
		} else {
			mt_reasm_segment(&r, &SINK, seq, flags, junk + rnd() % 300, n, missing, i, 0);
		}
		assert_true(r.ooo_bytes <= L.ooo_per_dir);
		assert_true(r.tail_len <= L.tail_per_dir);
		assert_true(r.tail_cap <= 2 * 4096 + L.tail_per_dir);
		if (r.fin_done || x % 5000 == 0) {
			/* start a new connection, as the flow table would */
			mt_reasm_flush(&r, &SINK, i, 0);
			assert_int_equal(T.pos, r.next);
			mt_reasm_free(&r);
			mt_reasm_init(&r, &G, 0);
			T.pos = 0;
			T.nfin = 0;
			isn = rnd();
		}
	}
	mt_reasm_flush(&r, &SINK, 1, 0);
	assert_int_equal(T.pos, r.next);
	mt_reasm_free(&r);
	assert_true(C.gaps > 0 && C.retransmissions > 0 && C.overlap_conflicts > 0);
	assert_true(C.ooo_dropped_bytes > 0 && C.malformed_packets > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_byte_vs_one_segment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_conflict_delivered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_unavailable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound_long_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_fin_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_after_fin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_window_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_declares_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_ack_swallows_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_at_isn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ack_several_holes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_snaplen_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_overflow_per_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_overflow_total, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ooo_flood_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mid_stream_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_consumer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steady_state_reuses_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_bounded_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_at_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hole_with_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_hostile, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
