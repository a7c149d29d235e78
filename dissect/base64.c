/* base64.c - RFC 4648 §4 decoding, bounds-checked, no allocation sized by
 * the wire beyond the caller's cap. */
#include "base64.h"

#include <stdlib.h>

static const char enc_table[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* -1: not base64, -2: whitespace, -3: '=' */
static int b64_value(uint8_t c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return -2;
	if (c == '=') return -3;
	return -1;
}

long mt_b64_decode(const uint8_t *in, size_t n, uint8_t *out)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0, pad = 0, chars = 0;

	for (size_t i = 0; i < n; i++) {
		int v = b64_value(in[i]);
		if (v == -2)
			continue;
		if (v == -3) {
			pad++;
			continue;
		}
		if (v < 0 || pad)   /* junk, or data after padding */
			return -1;
		chars++;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* A single leftover character cannot encode a byte; padding must
	 * complete a quantum of four. */
	if (chars % 4 == 1)
		return -1;
	if (pad && (chars + pad) % 4 != 0)
		return -1;
	if (pad > 2)
		return -1;
	return (long)o;
}

uint8_t *mt_b64_decode_alloc(const uint8_t *in, size_t n, size_t cap, size_t *outlen)
{
	if (n > cap)
		return NULL;
	uint8_t *out = malloc(mt_b64_decoded_max(n) + 1);
	if (!out)
		return NULL;
	long r = mt_b64_decode(in, n, out);
	if (r < 0) {
		free(out);
		return NULL;
	}
	out[r] = 0;
	if (outlen)
		*outlen = (size_t)r;
	return out;
}

size_t mt_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i = 0;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = enc_table[v >> 18];
		out[o++] = enc_table[(v >> 12) & 63];
		out[o++] = enc_table[(v >> 6) & 63];
		out[o++] = enc_table[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = enc_table[v >> 18];
		out[o++] = enc_table[(v >> 12) & 63];
		out[o++] = i + 1 < n ? enc_table[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = 0;
	return o;
}

size_t mt_b64_stream_feed(struct mt_b64_stream *st, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value(in[i]);
		if (v == -2 || v == -3)
			continue;
		if (v < 0) {
			st->bad = true;
			continue;
		}
		st->acc = (st->acc << 6) | (uint32_t)v;
		st->bits += 6;
		if (st->bits >= 8) {
			st->bits -= 8;
			out[o++] = (uint8_t)(st->acc >> st->bits);
		}
	}
	return o;
}
