/* dtest.h - drive a dissector with crafted byte streams in unit tests.
 *
 * Plays the reassembler's part: each dt_feed() is one TCP segment (one
 * frame) for one direction; bytes the dissector does not use are kept and
 * offered again with the next segment, as capture/reasm.c does. */
#ifndef MT_DTEST_H
#define MT_DTEST_H

#include <stddef.h>
#include <stdint.h>

#include "../../../dissect/dissector.h"
#include "../../../dissect/session.h"

struct dt {
	struct mt_model model;
	struct mt_session *s;
	const struct mt_dissector *d;
	uint64_t frame;
	uint64_t ts_ns;
	uint64_t offset[2];
	uint8_t *tail[2];
	size_t tail_len[2];
};

/* Opens a session on `d` with keep_lines and keep_raw on. */
void dt_open(struct dt *t, const struct mt_dissector *d);
/* One segment of n bytes in direction dir (DIR_C2S / DIR_S2C). */
void dt_feed(struct dt *t, int dir, const void *p, size_t n);
/* A NUL-terminated string as one segment. */
void dt_send(struct dt *t, int dir, const char *s);
/* The same string, one byte per segment (telnet-style typing). */
void dt_type(struct dt *t, int dir, const char *s);
/* A hole of len bytes in direction dir. */
void dt_gap(struct dt *t, int dir, uint64_t len);
/* FIN from dir. */
void dt_fin(struct dt *t, int dir);
/* Ends the session (dissector close, model finish). t->s stays readable. */
void dt_finish(struct dt *t);
void dt_free(struct dt *t);

/* Asserts (cmocka) that two runs of the same dialogue found the same thing:
 * credentials, messages, warnings, STARTTLS and TLS state, greeting,
 * mechanisms and the transcript (all but frame numbers and the typed flag).
 * Dissector tests play each dialogue whole and byte by byte and call this. */
void dt_assert_same(const struct dt *a, const struct dt *b);

/* The i-th credential (asserts it exists). */
const struct mt_credential *dt_cred(const struct dt *t, size_t i);
/* Asserts that b holds exactly the NUL-terminated string want. */
void dt_assert_bytes(const struct mt_bytes *b, const char *want);
/* SHA-256 of p[0..n) as 64 hex digits and a NUL. */
void dt_sha256_hex(const void *p, size_t n, char out[65]);

/* Finds the first transcript line whose text contains needle (or NULL). */
const struct mt_line *dt_find_line(const struct dt *t, const char *needle);

#endif
