/* fuzz_mime.c - dissect/mime.c: a message fed in fuzzer-chosen chunks must
 * give the same result as the message fed whole, within the caps. */
#include "fuzz_common.h"

#include "../../capture/limits.h"
#include "../../dissect/mime.h"
#include "../../dissect/session.h"

static void clear_msg(struct mt_message *m)
{
	free(m->from); free(m->to); free(m->cc); free(m->subject); free(m->date); free(m->message_id);
	for (size_t i = 0; i < m->nattachments; i++)
		free(m->attachments[i]);
	free(m->attachments);
	memset(m, 0, sizeof(*m));
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check_msg(const struct mt_message *m)
{
	if (m->nattachments > MT_MIME_MAX_NAMES)
		abort();
	for (size_t i = 0; i < m->nattachments; i++)
		if (!m->attachments[i] || strlen(m->attachments[i]) > MT_MIME_NAME_MAX)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 262144)
		return 0;
	/* the first byte seeds the chunk sizes of the second pass */
	uint32_t rng = data[0] * 2654435761u + 1;
	data++;
	size--;
	uint8_t *msg = fz_dup(data, size);
	struct mt_limits lim;
	mt_limits_default(&lim);

	struct mt_message a, b;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	struct mt_mime *m1 = mt_mime_new(&lim);
	mt_mime_feed(m1, msg, size);
	mt_mime_finish(m1, &a);
	struct mt_mime_stats st1;
	mt_mime_get_stats(m1, &st1);
	mt_mime_free(m1);

	struct mt_mime *m2 = mt_mime_new(NULL);
	for (size_t off = 0; off < size;) {
		rng = rng * 1103515245u + 12345u;
		size_t k = 1 + (rng >> 16) % 97;
		if (k > size - off)
			k = size - off;
		uint8_t *chunk = fz_dup(msg + off, k);   /* exact size: over-reads show */
		mt_mime_feed(m2, chunk, k);
		free(chunk);
		off += k;
	}
	mt_mime_finish(m2, &b);
	struct mt_mime_stats st2;
	mt_mime_get_stats(m2, &st2);
	mt_mime_free(m2);

	check_msg(&a);
	check_msg(&b);
	if (!same_str(a.from, b.from) || !same_str(a.to, b.to) || !same_str(a.cc, b.cc) ||
	    !same_str(a.subject, b.subject) || !same_str(a.date, b.date) ||
	    !same_str(a.message_id, b.message_id) || a.nparts != b.nparts ||
	    a.nattachments != b.nattachments || st1.truncated != st2.truncated) {
		fprintf(stderr, "mime: whole and chunked parses differ\n");
		abort();
	}
	for (size_t i = 0; i < a.nattachments; i++)
		if (strcmp(a.attachments[i], b.attachments[i]))
			abort();
	clear_msg(&a);
	clear_msg(&b);
	free(msg);
	return 0;
}
