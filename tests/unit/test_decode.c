/* test_decode.c - link, IP and TCP decoding: every layer, and the ways a
 * frame can lie (cut by the snaplen, lengths that cannot be right). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../../capture/decode.h"
#include "../../capture/ipfrag.h"

/* Builds IPv4/TCP with payload at buf+off; returns the IP length. */
static size_t ip4_tcp(uint8_t *p, const char *payload, uint8_t flags)
{
	size_t plen = strlen(payload);
	size_t tot = 20 + 20 + plen;
	memset(p, 0, tot);
	p[0] = 0x45;
	p[2] = (uint8_t)(tot >> 8);
	p[3] = (uint8_t)tot;
	p[8] = 64;
	p[9] = 6;
	uint8_t src[4] = { 10, 0, 0, 5 }, dst[4] = { 10, 0, 0, 1 };
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	uint8_t *t = p + 20;
	t[0] = 0xc7; t[1] = 0x38;   /* 51000 */
	t[2] = 0; t[3] = 110;
	t[4] = 0; t[5] = 0; t[6] = 0x10; t[7] = 0;   /* seq 4096 */
	t[12] = 5 << 4;
	t[13] = flags;
	memcpy(t + 20, payload, plen);
	return tot;
}

static void test_ethernet_ipv4(void **st)
{
	(void)st;
	uint8_t f[256] = { 0 };
	f[12] = 0x08;
	size_t n = 14 + ip4_tcp(f + 14, "USER alice\r\n", 0x18);
	struct mt_tcp_seg s;
	struct mt_ipv4_frag fr;
	assert_int_equal(mt_decode_frame(1, f, n, &s, &fr), DEC_TCP);
	assert_int_equal(s.sport, 51000);
	assert_int_equal(s.dport, 110);
	assert_int_equal(s.seq, 4096);
	assert_int_equal(s.payload_len, 12);
	assert_memory_equal(s.payload, "USER alice\r\n", 12);
	assert_int_equal(s.missing, 0);
	char buf[64];
	mt_addr_port_str(&s.src, s.sport, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.5:51000");
}

static void test_vlan_qinq(void **st)
{
	(void)st;
	uint8_t f[256] = { 0 };
	f[12] = 0x88; f[13] = 0xa8;   /* outer 802.1ad */
	f[16] = 0x81; f[17] = 0x00;   /* inner 802.1Q */
	f[20] = 0x08; f[21] = 0x00;
	size_t n = 22 + ip4_tcp(f + 22, "PASS x\r\n", 0x18);
	struct mt_tcp_seg s;
	assert_int_equal(mt_decode_frame(1, f, n, &s, NULL), DEC_TCP);
	assert_int_equal(s.payload_len, 8);
}

static void test_snaplen_cut_is_missing(void **st)
{
	(void)st;
	uint8_t f[256] = { 0 };
	f[12] = 0x08;
	size_t n = 14 + ip4_tcp(f + 14, "0123456789abcdef", 0x18);
	struct mt_tcp_seg s;
	/* cut 6 payload bytes off the capture */
	assert_int_equal(mt_decode_frame(1, f, n - 6, &s, NULL), DEC_TCP);
	assert_int_equal(s.payload_len, 10);
	assert_int_equal(s.missing, 6);
	assert_false(s.csum_checked);
	/* cut inside the TCP header */
	assert_int_equal(mt_decode_frame(1, f, 14 + 20 + 10, &s, NULL), DEC_TRUNCATED);
	/* a SYN whose options were cut: still a SYN, nothing to deliver */
	uint8_t syn[128] = { 0 };
	syn[12] = 0x08;
	size_t sn = 14 + ip4_tcp(syn + 14, "", 0x02);
	syn[14 + 20 + 12] = 6 << 4;   /* 24-byte header: 4 option bytes */
	syn[14 + 3] = 44;             /* IP total length 20 + 24 */
	assert_int_equal(mt_decode_frame(1, syn, sn, &s, NULL), DEC_TCP);
	assert_int_equal(s.flags, 0x02);
	assert_int_equal(s.payload_len, 0);
	assert_int_equal(s.missing, 0);
	/* cut inside Ethernet */
	assert_int_equal(mt_decode_frame(1, f, 10, &s, NULL), DEC_TRUNCATED);
}

static void test_lying_lengths(void **st)
{
	(void)st;
	uint8_t p[128];
	size_t n = ip4_tcp(p, "abc", 0x18);
	struct mt_tcp_seg s;
	p[0] = 0x43;   /* IHL 3: below the minimum */
	assert_int_equal(mt_decode_ip(p, n, &s, NULL), DEC_MALFORMED);
	n = ip4_tcp(p, "abc", 0x18);
	p[2] = 0; p[3] = 10;   /* total length shorter than the header */
	assert_int_equal(mt_decode_ip(p, n, &s, NULL), DEC_MALFORMED);
	n = ip4_tcp(p, "abc", 0x18);
	p[20 + 12] = 15 << 4;   /* TCP header 60 bytes, longer than the datagram */
	assert_int_equal(mt_decode_ip(p, n, &s, NULL), DEC_MALFORMED);
	n = ip4_tcp(p, "abc", 0x18);
	p[9] = 17;
	assert_int_equal(mt_decode_ip(p, n, &s, NULL), DEC_NOT_TCP);
	p[0] = 0x55;
	assert_int_equal(mt_decode_ip(p, n, &s, NULL), DEC_NOT_IP);
}

static void test_checksums(void **st)
{
	(void)st;
	uint8_t p[128];
	size_t n = ip4_tcp(p, "abc", 0x18);
	struct mt_tcp_seg s;
	assert_int_equal(mt_decode_ip(p, n, &s, NULL), DEC_TCP);
	assert_true(s.bad_ip_csum);   /* we left the checksum fields zero */
	assert_true(s.csum_checked);
	assert_true(s.bad_tcp_csum);
}

static void test_link_types(void **st)
{
	(void)st;
	uint8_t f[256] = { 0 }, ip[128];
	size_t n = ip4_tcp(ip, "x", 0x18);
	struct mt_tcp_seg s;
	/* NULL, little-endian AF_INET */
	f[0] = 2;
	memcpy(f + 4, ip, n);
	assert_int_equal(mt_decode_frame(0, f, n + 4, &s, NULL), DEC_TCP);
	/* NULL, big-endian AF_INET6 value 30 with an IPv4 packet is still IP */
	memset(f, 0, 4);
	f[3] = 2;
	assert_int_equal(mt_decode_frame(0, f, n + 4, &s, NULL), DEC_TCP);
	/* LOOP: network order */
	assert_int_equal(mt_decode_frame(108, f, n + 4, &s, NULL), DEC_TCP);
	/* SLL */
	memset(f, 0, 16);
	f[14] = 0x08;
	memcpy(f + 16, ip, n);
	assert_int_equal(mt_decode_frame(113, f, n + 16, &s, NULL), DEC_TCP);
	/* SLL2 */
	memset(f, 0, 20);
	f[0] = 0x08;
	memcpy(f + 20, ip, n);
	assert_int_equal(mt_decode_frame(276, f, n + 20, &s, NULL), DEC_TCP);
	/* RAW and IPV4 */
	assert_int_equal(mt_decode_frame(12, ip, n, &s, NULL), DEC_TCP);
	assert_int_equal(mt_decode_frame(228, ip, n, &s, NULL), DEC_TCP);
	assert_int_equal(mt_decode_frame(160, ip, n, &s, NULL), DEC_UNSUPPORTED);
	assert_false(mt_dlt_supported(160));
	assert_true(mt_dlt_supported(276));
}

static void test_ipv6_ext_headers(void **st)
{
	(void)st;
	uint8_t p[256] = { 0 };
	p[0] = 0x60;
	p[6] = 0;     /* hop-by-hop */
	p[7] = 64;
	p[8 + 15] = 5;
	p[24 + 15] = 1;
	uint8_t *h = p + 40;
	h[0] = 60;    /* next: destination options */
	h[1] = 0;     /* 8 bytes */
	h += 8;
	h[0] = 6;     /* next: TCP */
	h[1] = 0;
	h += 8;
	h[1] = 99; h[3] = 110; h[12] = 5 << 4; h[13] = 0x18;
	memcpy(h + 20, "hi", 2);
	size_t plen = 8 + 8 + 20 + 2;
	p[4] = 0;
	p[5] = (uint8_t)plen;
	struct mt_tcp_seg s;
	assert_int_equal(mt_decode_ip(p, 40 + plen, &s, NULL), DEC_TCP);
	assert_int_equal(s.dport, 110);
	assert_int_equal(s.payload_len, 2);
	char buf[64];
	mt_addr_port_str(&s.dst, s.dport, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:110");
	/* an extension header running past the datagram */
	h = p + 40;
	h[1] = 40;
	assert_int_equal(mt_decode_ip(p, 40 + plen, &s, NULL), DEC_MALFORMED);
}

static void test_fragments(void **st)
{
	(void)st;
	struct mt_limits lim;
	struct mt_counters cnt;
	mt_limits_default(&lim);
	memset(&cnt, 0, sizeof(cnt));
	struct mt_ipfrag *fq = mt_ipfrag_new(&lim, &cnt);
	uint8_t whole[128];
	size_t n = ip4_tcp(whole, "PASS secret-password\r\n", 0x18);   /* 20 + 20 + 22 */
	size_t body = n - 20;
	/* two fragments: 24 bytes, then the rest; delivered second first */
	uint8_t f1[128], f2[128];
	memcpy(f1, whole, 20);
	memcpy(f1 + 20, whole + 20, 24);
	f1[2] = 0; f1[3] = 44; f1[6] = 0x20; f1[7] = 0;      /* MF, offset 0 */
	memcpy(f2, whole, 20);
	memcpy(f2 + 20, whole + 44, body - 24);
	f2[2] = 0; f2[3] = (uint8_t)(20 + body - 24); f2[6] = 0; f2[7] = 3;   /* offset 24 */
	struct mt_tcp_seg s;
	struct mt_ipv4_frag fr;
	assert_int_equal(mt_decode_ip(f2, 20 + body - 24, &s, &fr), DEC_FRAGMENT);
	size_t dlen = 0;
	assert_null(mt_ipfrag_add(fq, &fr, 1000, &dlen));
	assert_int_equal(mt_decode_ip(f1, 44, &s, &fr), DEC_FRAGMENT);
	/* the first fragment completes the datagram */
	const uint8_t *dg = mt_ipfrag_add(fq, &fr, 2000, &dlen);
	assert_non_null(dg);
	assert_int_equal(dlen, n);
	assert_int_equal(mt_decode_ip(dg, dlen, &s, NULL), DEC_TCP);
	assert_int_equal(s.payload_len, 22);
	assert_memory_equal(s.payload, "PASS secret-password\r\n", 22);
	assert_int_equal(cnt.frags_reassembled, 1);
	/* overlap: same first fragment twice */
	assert_int_equal(mt_decode_ip(f1, 44, &s, &fr), DEC_FRAGMENT);
	assert_null(mt_ipfrag_add(fq, &fr, 3000, &dlen));
	assert_null(mt_ipfrag_add(fq, &fr, 3000, &dlen));
	assert_int_equal(cnt.frag_overlaps, 1);
	/* a fragment inside the first copy: its bytes are not taken, so a
	 * rewrite of the password cannot win */
	uint8_t f3[128];
	memcpy(f3, whole, 20);
	memset(f3 + 20, 'X', 8);
	f3[2] = 0; f3[3] = 28; f3[6] = 0x20; f3[7] = 2;   /* MF, offset 16: [16,24) */
	assert_int_equal(mt_decode_ip(f3, 28, &s, &fr), DEC_FRAGMENT);
	assert_null(mt_ipfrag_add(fq, &fr, 3100, &dlen));
	assert_int_equal(mt_decode_ip(f2, 20 + body - 24, &s, &fr), DEC_FRAGMENT);
	dg = mt_ipfrag_add(fq, &fr, 3200, &dlen);
	assert_non_null(dg);
	assert_int_equal(mt_decode_ip(dg, dlen, &s, NULL), DEC_TCP);
	assert_memory_equal(s.payload, "PASS secret-password\r\n", 22);
	assert_int_equal(cnt.frag_overlaps, 2);
	mt_ipfrag_free(fq);
}

static void test_fragment_bounds(void **st)
{
	(void)st;
	struct mt_limits lim;
	struct mt_counters cnt;
	mt_limits_default(&lim);
	lim.frag_max_datagrams = 4;
	lim.frag_max_bytes = 4096;
	memset(&cnt, 0, sizeof(cnt));
	struct mt_ipfrag *fq = mt_ipfrag_new(&lim, &cnt);
	uint8_t f[64] = { 0 };
	f[0] = 0x45; f[9] = 6; f[2] = 0; f[3] = 28; f[6] = 0x20;
	for (int id = 0; id < 1000; id++) {
		struct mt_ipv4_frag fr = { f, 20, f + 20, 8, (uint16_t)id, 0, true, false };
		size_t dlen;
		assert_null(mt_ipfrag_add(fq, &fr, (uint64_t)id, &dlen));
	}
	/* an offset that would build a datagram over 64 KiB */
	struct mt_ipv4_frag big = { f, 20, f + 20, 8, 7, 65528, false, false };
	size_t dlen;
	assert_null(mt_ipfrag_add(fq, &big, 5, &dlen));
	assert_true(cnt.frags_dropped > 0);
	mt_ipfrag_free(fq);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ethernet_ipv4),
		cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_snaplen_cut_is_missing),
		cmocka_unit_test(test_lying_lengths),
		cmocka_unit_test(test_checksums),
		cmocka_unit_test(test_link_types),
		cmocka_unit_test(test_ipv6_ext_headers),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_fragment_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
