/* decode.c - link, IP and TCP headers, every read bounded by caplen. */
#include "decode.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* Link types (values of pcap_datalink(), see pcap/dlt.h). */
#define DLT_NULL_ 0
#define DLT_EN10MB_ 1
#define DLT_RAW_ 12
#define DLT_RAW_OPENBSD_ 14
#define LINKTYPE_RAW_ 101
#define DLT_LOOP_ 108
#define DLT_LINUX_SLL_ 113
#define DLT_IPV4_ 228
#define DLT_IPV6_ 229
#define DLT_LINUX_SLL2_ 276

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88a8
#define ETH_QINQ_OLD 0x9100
#define MAX_VLAN_TAGS 4
#define MAX_IPV6_EXT 16

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool mt_dlt_supported(int dlt)
{
	switch (dlt) {
	case DLT_NULL_: case DLT_EN10MB_: case DLT_RAW_: case DLT_RAW_OPENBSD_: case LINKTYPE_RAW_:
	case DLT_LOOP_: case DLT_LINUX_SLL_: case DLT_IPV4_: case DLT_IPV6_: case DLT_LINUX_SLL2_:
		return true;
	default:
		return false;
	}
}

/* One's complement sum over p[0..n) of big-endian 16-bit words, folded
 * later by csum_fold(). Eight bytes at a time (the byte-pair loop cost 7%
 * of a run, docs/performance.md): a big-endian 64-bit word is congruent to
 * the sum of its four 16-bit words modulo 0xffff, because 2^16 = 1 there
 * (RFC 1071 §2). The result is folded to 16 bits, so callers can keep
 * adding to it without overflow. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t acc = sum;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		acc += (w >> 32) + (w & 0xffffffffu);
	}
	for (; i + 1 < n; i += 2)
		acc += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		acc += (uint32_t)(p[i] << 8);
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static enum mt_decode_result decode_tcp(const uint8_t *tcp, size_t cap, size_t promised,
                                        struct mt_tcp_seg *seg, uint32_t pseudo)
{
	if (promised < 20)
		return DEC_MALFORMED;
	if (cap < 20)
		return DEC_TRUNCATED;
	size_t thlen = (size_t)(tcp[12] >> 4) * 4;
	if (thlen < 20 || thlen > promised)
		return DEC_MALFORMED;
	seg->sport = rd16(tcp);
	seg->dport = rd16(tcp + 2);
	seg->seq = rd32(tcp + 4);
	seg->ack = rd32(tcp + 8);
	seg->flags = tcp[13];
	seg->window = rd16(tcp + 14);
	if (thlen > cap) {
		/* options cut by the snaplen: the fixed header still tells the
		 * flags (a SYN stays a SYN); the whole payload is missing */
		seg->payload = tcp + cap;
		seg->payload_len = 0;
		seg->missing = promised - thlen;
		return DEC_TCP;
	}
	seg->payload = tcp + thlen;
	size_t plen = promised - thlen;
	size_t have = cap - thlen;
	seg->payload_len = have < plen ? have : plen;
	seg->missing = plen - seg->payload_len;
	if (!seg->missing) {
		/* RFC 793 §3.1: checksum over the pseudo header and the segment. */
		uint32_t sum = pseudo + (uint32_t)promised;
		sum = csum_add(sum, tcp, promised);
		seg->csum_checked = true;
		seg->bad_tcp_csum = csum_fold(sum) != 0;
	}
	return DEC_TCP;
}

static enum mt_decode_result decode_ipv4(const uint8_t *p, size_t len, struct mt_tcp_seg *seg,
                                         struct mt_ipv4_frag *frag)
{
	if (len < 20)
		return DEC_TRUNCATED;
	size_t hlen = (size_t)(p[0] & 15) * 4;
	if (hlen < 20)
		return DEC_MALFORMED;
	if (hlen > len)
		return DEC_TRUNCATED;
	size_t tot = rd16(p + 2);
	if (tot == 0)
		tot = len;   /* TSO on the capturing host: trust what was captured */
	if (tot < hlen)
		return DEC_MALFORMED;
	size_t cap = len < tot ? len : tot;
	seg->src.family = seg->dst.family = 4;
	memset(seg->src.a, 0, 16);
	memset(seg->dst.a, 0, 16);
	memcpy(seg->src.a, p + 12, 4);
	memcpy(seg->dst.a, p + 16, 4);
	seg->l3 = p;
	seg->l3_len = cap;
	seg->bad_ip_csum = csum_fold(csum_add(0, p, hlen)) != 0;
	uint16_t fl = rd16(p + 6);
	if ((fl & 0x2000) || (fl & 0x1fff)) {
		if (!frag)
			return DEC_FRAGMENT;
		frag->ip = p;
		frag->hlen = hlen;
		frag->data = p + hlen;
		frag->len = cap - hlen;
		frag->id = rd16(p + 4);
		frag->offset = (uint32_t)(fl & 0x1fff) * 8;
		frag->more = (fl & 0x2000) != 0;
		frag->truncated = len < tot;
		return DEC_FRAGMENT;
	}
	if (p[9] != 6)
		return DEC_NOT_TCP;
	uint32_t pseudo = 6;
	pseudo = csum_add(pseudo, p + 12, 8);
	return decode_tcp(p + hlen, cap - hlen, tot - hlen, seg, pseudo);
}

static enum mt_decode_result decode_ipv6(const uint8_t *p, size_t len, struct mt_tcp_seg *seg)
{
	if (len < 40)
		return DEC_TRUNCATED;
	size_t plen = rd16(p + 4);
	size_t tot = 40 + plen;
	if (plen == 0)
		tot = len;   /* jumbogram or TSO: trust the capture */
	size_t cap = len < tot ? len : tot;
	seg->src.family = seg->dst.family = 6;
	memcpy(seg->src.a, p + 8, 16);
	memcpy(seg->dst.a, p + 24, 16);
	seg->l3 = p;
	seg->l3_len = cap;
	uint8_t nh = p[6];
	size_t off = 40;
	/* RFC 8200 §4: walk the extension headers. */
	for (int i = 0; i < MAX_IPV6_EXT; i++) {
		if (nh == 6) {
			uint32_t pseudo = 6;
			pseudo = csum_add(pseudo, p + 8, 32);
			return decode_tcp(p + off, cap - off, tot - off, seg, pseudo);
		}
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44 && nh != 51)
			return DEC_NOT_TCP;
		if (off + 8 > cap)
			return off + 8 > tot ? DEC_MALFORMED : DEC_TRUNCATED;
		size_t elen;
		if (nh == 44) {
			uint16_t fo = rd16(p + off + 2);
			if ((fo & 0xfff8) || (fo & 1))
				return DEC_NOT_TCP;   /* a real IPv6 fragment: not reassembled */
			elen = 8;
		} else if (nh == 51) {
			elen = ((size_t)p[off + 1] + 2) * 4;
		} else {
			elen = ((size_t)p[off + 1] + 1) * 8;
		}
		nh = p[off];
		off += elen;
		if (off > tot)
			return DEC_MALFORMED;
		if (off > cap)
			return DEC_TRUNCATED;
	}
	return DEC_MALFORMED;
}

enum mt_decode_result mt_decode_ip(const uint8_t *p, size_t len, struct mt_tcp_seg *seg,
                                   struct mt_ipv4_frag *frag)
{
	if (len < 1)
		return DEC_TRUNCATED;
	switch (p[0] >> 4) {
	case 4: return decode_ipv4(p, len, seg, frag);
	case 6: return decode_ipv6(p, len, seg);
	default: return DEC_NOT_IP;
	}
}

static enum mt_decode_result by_ethertype(uint16_t et, const uint8_t *p, size_t len,
                                          struct mt_tcp_seg *seg, struct mt_ipv4_frag *frag)
{
	if (et == ETH_IPV4 || et == ETH_IPV6)
		return mt_decode_ip(p, len, seg, frag);
	return DEC_NOT_IP;
}

/* BSD address families for IPv4 / IPv6 in DLT_NULL and DLT_LOOP. */
static enum mt_decode_result by_af(uint32_t af, const uint8_t *p, size_t len,
                                   struct mt_tcp_seg *seg, struct mt_ipv4_frag *frag)
{
	if (af == 2 || af == 10 || af == 24 || af == 28 || af == 30)
		return mt_decode_ip(p, len, seg, frag);
	return DEC_NOT_IP;
}

enum mt_decode_result mt_decode_frame(int dlt, const uint8_t *d, size_t caplen,
                                      struct mt_tcp_seg *seg, struct mt_ipv4_frag *frag)
{
	memset(seg, 0, sizeof(*seg));
	switch (dlt) {
	case DLT_EN10MB_: {
		if (caplen < 14)
			return DEC_TRUNCATED;
		size_t off = 12;
		uint16_t et = rd16(d + off);
		for (int i = 0; i < MAX_VLAN_TAGS && (et == ETH_VLAN || et == ETH_QINQ || et == ETH_QINQ_OLD); i++) {
			off += 4;
			if (off + 2 > caplen)
				return DEC_TRUNCATED;
			et = rd16(d + off);
		}
		off += 2;
		return by_ethertype(et, d + off, caplen - off, seg, frag);
	}
	case DLT_LINUX_SLL_:
		if (caplen < 16)
			return DEC_TRUNCATED;
		return by_ethertype(rd16(d + 14), d + 16, caplen - 16, seg, frag);
	case DLT_LINUX_SLL2_:
		if (caplen < 20)
			return DEC_TRUNCATED;
		return by_ethertype(rd16(d), d + 20, caplen - 20, seg, frag);
	case DLT_NULL_: {
		if (caplen < 4)
			return DEC_TRUNCATED;
		/* host order of the machine that wrote the file: try both */
		uint32_t af = (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
		if (af > 0xffff)
			af = rd32(d);
		return by_af(af, d + 4, caplen - 4, seg, frag);
	}
	case DLT_LOOP_:
		if (caplen < 4)
			return DEC_TRUNCATED;
		return by_af(rd32(d), d + 4, caplen - 4, seg, frag);
	case DLT_RAW_: case DLT_RAW_OPENBSD_: case LINKTYPE_RAW_: case DLT_IPV4_: case DLT_IPV6_:
		return mt_decode_ip(d, caplen, seg, frag);
	default:
		return DEC_UNSUPPORTED;
	}
}

void mt_addr_str(const struct mt_addr *a, char *out, size_t outsz)
{
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->a, out, (socklen_t)outsz))
		snprintf(out, outsz, "?");
}

void mt_addr_port_str(const struct mt_addr *a, uint16_t port, char *out, size_t outsz)
{
	char s[64];
	mt_addr_str(a, s, sizeof(s));
	if (a->family == 6)
		snprintf(out, outsz, "[%s]:%u", s, port);
	else
		snprintf(out, outsz, "%s:%u", s, port);
}
