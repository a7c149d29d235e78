/* fuzz_smtp.c - the smtp dissector (dissect/smtp.c) on a fuzzer-built
 * two-way dialogue split at fuzzer-chosen points (see fuzz_dissect.h). */
#include "fuzz_dissect.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_dissect_run(&mt_dissector_smtp, data, size);
}
