/* fuzz_decode.c - capture/decode.c: one frame of any supported link type
 * (chosen by the first byte), and the IP decoder on what a fragment holds.
 * Checks that every pointer handed back lies inside the frame. */
#include "fuzz_common.h"

#include "../../capture/decode.h"

/* The supported link types, and one that is not. */
static const int dlts[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 147 };

static void in_frame(const uint8_t *buf, size_t n, const uint8_t *p, size_t len)
{
	if (len && (p < buf || p > buf + n || len > (size_t)(buf + n - p)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 262144)
		return 0;
	int dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	size_t n = size - 1;
	uint8_t *buf = fz_dup(data + 1, n);
	struct mt_tcp_seg seg;
	struct mt_ipv4_frag frag;
	memset(&seg, 0, sizeof(seg));
	memset(&frag, 0, sizeof(frag));
	enum mt_decode_result r = mt_decode_frame(dlt, buf, n, &seg, &frag);
	if (r == DEC_TCP) {
		in_frame(buf, n, seg.l3, seg.l3_len);
		in_frame(buf, n, seg.payload, seg.payload_len);
		if (seg.src.family != 4 && seg.src.family != 6)
			abort();
		char a[64];
		mt_addr_port_str(&seg.src, seg.sport, a, sizeof(a));
		mt_addr_port_str(&seg.dst, seg.dport, a, sizeof(a));
		mt_addr_str(&seg.src, a, sizeof(a));
		char tiny[8];
		mt_addr_port_str(&seg.dst, seg.dport, tiny, sizeof(tiny));   /* truncates, never overflows */
	} else if (r == DEC_FRAGMENT) {
		in_frame(buf, n, frag.ip, frag.hlen);
		in_frame(buf, n, frag.data, frag.len);
		/* as if this fragment were a whole datagram (ipfrag hands those on) */
		size_t dl = frag.hlen + frag.len;
		uint8_t *dg = malloc(dl ? dl : 1);
		memcpy(dg, frag.ip, frag.hlen);
		memcpy(dg + frag.hlen, frag.data, frag.len);
		struct mt_tcp_seg s2;
		if (dl >= 20) {
			dg[6] &= 0xc0;   /* clear MF and the offset */
			dg[7] = 0;
		}
		if (dl >= 20 && mt_decode_ip(dg, dl, &s2, NULL) == DEC_TCP) {
			in_frame(dg, dl, s2.l3, s2.l3_len);
			in_frame(dg, dl, s2.payload, s2.payload_len);
		}
		free(dg);
	}
	/* the IP decoder alone on the same bytes */
	struct mt_tcp_seg s3;
	struct mt_ipv4_frag f3;
	r = mt_decode_ip(buf, n, &s3, &f3);
	if (r == DEC_TCP)
		in_frame(buf, n, s3.payload, s3.payload_len);
	free(buf);
	return 0;
}
