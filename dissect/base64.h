/* base64.h - RFC 4648 base64 decoding for SASL exchanges and MIME bodies. */
#ifndef MT_BASE64_H
#define MT_BASE64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes needed to decode n base64 characters (an upper bound). */
static inline size_t mt_b64_decoded_max(size_t n) { return n / 4 * 3 + 3; }

/* Strict decode of in[0..n) into out (room for mt_b64_decoded_max(n)).
 * Whitespace is skipped; padding is optional at the end. Returns the decoded
 * length, or -1 if a character is not base64 or the padding is wrong
 * (what was decoded so far is still in out). */
long mt_b64_decode(const uint8_t *in, size_t n, uint8_t *out);

/* Decode into a newly allocated NUL-terminated buffer; *outlen gets the
 * length. Input longer than cap is refused (returns NULL). NULL on error. */
uint8_t *mt_b64_decode_alloc(const uint8_t *in, size_t n, size_t cap, size_t *outlen);

/* Encode (used by tests and by the hashes writer). out needs 4*((n+2)/3)+1. */
size_t mt_b64_encode(const uint8_t *in, size_t n, char *out);

/* Streaming decoder for MIME bodies (skips line breaks and junk). */
struct mt_b64_stream { uint32_t acc; int bits; bool bad; };
/* Decodes what it can; returns bytes written to out (room for n). */
size_t mt_b64_stream_feed(struct mt_b64_stream *st, const uint8_t *in, size_t n, uint8_t *out);

#endif
