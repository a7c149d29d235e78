/* fuzz_base64.c - dissect/base64.c: strict, allocating and streaming
 * decoders on arbitrary text, and the encode -> decode round trip. */
#include "fuzz_common.h"

#include "../../dissect/base64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t split = data[0];
	const uint8_t *in = fz_dup(data + 1, size - 1);
	size_t n = size - 1;

	/* strict decode into exactly the documented room */
	size_t room = mt_b64_decoded_max(n);
	uint8_t *out = malloc(room);
	long r = mt_b64_decode(in, n, out);
	if (r > (long)room)
		abort();
	free(out);

	/* allocating decode, with a cap below and above the input length */
	size_t olen = 0;
	uint8_t *a = mt_b64_decode_alloc(in, n, n / 2, &olen);
	if (a && n > n / 2)
		abort();   /* input longer than cap must be refused */
	free(a);
	a = mt_b64_decode_alloc(in, n, n + 1, &olen);
	if (a) {
		if (a[olen] != 0 || (long)olen != r)
			abort();   /* NUL-terminated, same result as the strict decoder */
		free(a);
	}

	/* streaming: two chunks split at a fuzzer-chosen point equal one chunk */
	struct mt_b64_stream s1 = { 0 }, s2 = { 0 };
	uint8_t *o1 = malloc(n ? n : 1), *o2 = malloc(n ? n : 1);
	size_t k1 = mt_b64_stream_feed(&s1, in, n, o1);
	if (split > n)
		split = n;
	size_t k2 = mt_b64_stream_feed(&s2, in, split, o2);
	k2 += mt_b64_stream_feed(&s2, in + split, n - split, o2 + k2);
	if (k1 > n || k1 != k2 || memcmp(o1, o2, k1) || s1.bad != s2.bad)
		abort();
	free(o1);
	free(o2);

	/* round trip of the raw bytes */
	char *enc = malloc(4 * ((n + 2) / 3) + 1);
	size_t elen = mt_b64_encode(in, n, enc);
	if (elen != 4 * ((n + 2) / 3) || enc[elen] != 0)
		abort();
	uint8_t *dec = malloc(mt_b64_decoded_max(elen));
	long dl = mt_b64_decode((const uint8_t *)enc, elen, dec);
	if (dl != (long)n || memcmp(dec, in, n))
		abort();
	free(dec);
	free(enc);
	free((void *)in);
	return 0;
}
