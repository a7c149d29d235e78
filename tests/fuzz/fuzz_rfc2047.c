/* fuzz_rfc2047.c - dissect/rfc2047.c: header values with encoded words,
 * folding and raw bytes, and the charset converter with any charset name. */
#include "fuzz_common.h"

#include "../../dissect/rfc2047.h"
#include "../../dissect/sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 65536)
		return 0;
	uint8_t mode = data[0];
	data++;
	size--;
	if (mode & 1) {
		/* charset name = the first (mode >> 1) % 64 bytes, text = the rest */
		size_t cl = (size_t)(mode >> 1) % 64;
		if (cl > size)
			cl = size;
		char *cs = (char *)fz_dup(data, cl);
		uint8_t *txt = fz_dup(data + cl, size - cl);
		struct mt_sbuf out;
		mt_sbuf_init(&out);
		mt_sbuf_adds(&out, "x");
		bool ok = mt_charset_to_utf8(cs, cl, txt, size - cl, &out);
		if (!ok && out.len != 1)
			abort();   /* "appending nothing" on failure */
		mt_sbuf_free(&out);
		free(cs);
		free(txt);
	} else {
		uint8_t *in = fz_dup(data, size);
		size_t outlen = 0;
		char *s = mt_rfc2047_decode(in, size, &outlen);
		if (!s || strlen(s) != outlen)
			abort();   /* a usable C string of the stated length */
		free(s);
		free(in);
	}
	return 0;
}
