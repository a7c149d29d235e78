/* decode.h - a captured frame to a TCP segment view, bounds-checked.
 *
 * Link layers: Ethernet (802.1Q, 802.1ad/QinQ), Linux SLL and SLL2, NULL and
 * LOOP (both byte orders), RAW, IPV4, IPV6. IPv4 with options (fragments go
 * to capture/ipfrag.c), IPv6 with its extension headers walked, TCP with
 * options. Only caplen bounds reads; a length field that promises more than
 * was captured yields `missing` bytes (a snaplen cut), never an over-read. */
#ifndef MT_DECODE_H
#define MT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10
#define TH_URG 0x20

enum mt_decode_result {
	DEC_TCP = 0,        /* a TCP segment: see struct mt_tcp_seg */
	DEC_NOT_IP,         /* ARP, LLDP, ... */
	DEC_NOT_TCP,        /* UDP, ICMP, ... */
	DEC_FRAGMENT,       /* an IPv4 fragment: hand it to ipfrag */
	DEC_TRUNCATED,      /* headers cut by the snaplen */
	DEC_MALFORMED,      /* lengths or fields that cannot be right */
	DEC_UNSUPPORTED,    /* link type not handled */
};

struct mt_addr {
	uint8_t family;     /* 4 or 6 */
	uint8_t a[16];      /* IPv4 in the first 4 bytes */
};

struct mt_tcp_seg {
	struct mt_addr src, dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t window;
	const uint8_t *l3;      /* IP header, for nDPI */
	size_t l3_len;          /* captured bytes from l3 within the IP length */
	const uint8_t *payload;
	size_t payload_len;     /* captured payload bytes */
	size_t missing;         /* payload bytes promised by IP but not captured */
	bool bad_ip_csum, bad_tcp_csum;
	bool csum_checked;      /* false when the packet was too cut to check */
};

/* The IPv4 header of a fragment, for ipfrag.c. */
struct mt_ipv4_frag {
	const uint8_t *ip;      /* header start */
	size_t hlen;            /* header length */
	const uint8_t *data;    /* fragment payload */
	size_t len;             /* captured payload bytes */
	uint16_t id;
	uint32_t offset;        /* in bytes */
	bool more;
	bool truncated;         /* cut by the snaplen */
};

/* Decodes a frame of link type dlt. On DEC_TCP fills seg; on DEC_FRAGMENT
 * fills frag. Never reads past data[caplen). */
enum mt_decode_result mt_decode_frame(int dlt, const uint8_t *data, size_t caplen,
                                      struct mt_tcp_seg *seg, struct mt_ipv4_frag *frag);
/* Decodes an IP datagram (v4 or v6) that starts at p (used for reassembled
 * fragments too). len is the captured length. */
enum mt_decode_result mt_decode_ip(const uint8_t *p, size_t len, struct mt_tcp_seg *seg,
                                   struct mt_ipv4_frag *frag);
/* True if dlt is a link type mt_decode_frame handles. */
bool mt_dlt_supported(int dlt);
/* "10.0.0.1:25" or "[::1]:110" into out. */
void mt_addr_port_str(const struct mt_addr *a, uint16_t port, char *out, size_t outsz);
void mt_addr_str(const struct mt_addr *a, char *out, size_t outsz);

#endif
