/* fuzz_dissect.h - drives one mail dissector with a fuzzer-built dialogue,
 * as the reassembler would (dissect/dissector.h), then renders the session
 * with both writers and checks their output.
 *
 * Input: one config byte, then records:
 *   ctl & 0x80 == 0   data: dir = ctl & 1, len = (ctl >> 1) & 0x3f, or a
 *                     u16 length after ctl when that is 63; then len bytes
 *                     (one TCP segment, one frame)
 *   ctl & 0x80        event: dir = ctl & 1, kind = (ctl >> 1) & 3:
 *                     0 gap of u16 bytes, 1 FIN, 2 a 2 s pause, 3 a gap of
 *                     u32 bytes (huge holes)
 * Config: bit 0 small limits (short lines, literals, messages, transcript,
 * tail), bit 1 no transcript kept, bit 2 no raw messages kept, bit 3 reveal.
 * Like the reassembler, bytes a dissector leaves unused are offered again
 * with the next segment; past tail_per_dir the oldest become a gap. */
#ifndef MT_FUZZ_DISSECT_H
#define MT_FUZZ_DISSECT_H

#include "fuzz_common.h"

#include "../../dissect/dissector.h"
#include "../../dissect/sbuf.h"
#include "../../dissect/session.h"
#include "../../ui/json_out.h"
#include "../../ui/report_text.h"

struct fz_drv {
	struct mt_session *s;
	const struct mt_dissector *d;
	uint64_t frame, ts_ns, offset[2];
	uint8_t *tail[2];
	size_t tail_len[2];
	bool fin[2];
};

static void fz_drv_gap(struct fz_drv *t, int dir, uint64_t len)
{
	struct mt_seg_info info = { ++t->frame, t->ts_ns, t->offset[dir], 0 };
	free(t->tail[dir]);
	t->tail[dir] = NULL;
	t->tail_len[dir] = 0;
	t->offset[dir] += len;
	t->s->gap_bytes += len;
	sess_warn(t->s, W_STREAM_GAP);
	if (t->s->dissector_state && t->d->gap)
		t->d->gap(t->s, dir, len, &info);
}

static void fz_drv_data(struct fz_drv *t, int dir, const uint8_t *p, size_t n)
{
	struct mt_seg_info info;
	t->frame++;
	t->ts_ns += 1000000;
	t->s->last_frame = t->frame;
	t->s->end_ns = t->ts_ns;
	if (dir == DIR_C2S)
		t->s->bytes_c2s += n;
	else
		t->s->bytes_s2c += n;
	/* unused bytes + the new segment, in an exact-size buffer */
	size_t len = t->tail_len[dir] + n;
	uint8_t *buf = malloc(len ? len : 1);
	if (t->tail_len[dir])
		memcpy(buf, t->tail[dir], t->tail_len[dir]);
	if (n)
		memcpy(buf + t->tail_len[dir], p, n);
	free(t->tail[dir]);
	t->tail[dir] = NULL;
	t->tail_len[dir] = 0;
	info.frame = t->frame;
	info.ts_ns = t->ts_ns;
	info.offset = t->offset[dir];
	info.nsegs = 1;
	size_t used = len;
	if (t->s->dissector_state && t->d->data) {
		used = t->d->data(t->s, dir, buf, len, &info);
		if (used > len)
			abort();   /* the contract: used <= n */
	}
	t->offset[dir] += used;
	size_t left = len - used;
	size_t max = t->s->model->limits.tail_per_dir;
	if (left > max) {
		/* the reassembler drops the oldest bytes as a gap */
		size_t drop = left - max;
		t->offset[dir] += drop;
		used += drop;
		left = max;
		struct mt_seg_info gi = { t->frame, t->ts_ns, t->offset[dir] - drop, 0 };
		if (t->s->dissector_state && t->d->gap)
			t->d->gap(t->s, dir, drop, &gi);
	}
	if (left) {
		t->tail[dir] = malloc(left);
		memcpy(t->tail[dir], buf + used, left);
		t->tail_len[dir] = left;
	}
	free(buf);
}

static void fz_drv_fin(struct fz_drv *t, int dir)
{
	if (t->fin[dir])
		return;   /* the reassembler delivers FIN once */
	t->fin[dir] = true;
	struct mt_seg_info info = { ++t->frame, t->ts_ns, t->offset[dir], 0 };
	if (t->s->dissector_state && t->d->fin)
		t->d->fin(t->s, dir, &info);
}

/* Checks both renderings of a finished session and of the summary. */
static void fz_render(struct mt_model *m, const struct mt_session *s, bool reveal, bool transcript)
{
	struct mt_sbuf out;
	struct mt_json_opts jo = { reveal, transcript };
	mt_sbuf_init(&out);
	if (s)
		mt_json_session(&out, s, &jo);
	mt_json_summary(&out, m);
	fz_check_json_lines(out.s, out.len);
	mt_sbuf_free(&out);

	char *txt = NULL;
	size_t txtlen = 0;
	FILE *fp = open_memstream(&txt, &txtlen);
	if (!fp)
		abort();
	mt_report_text(fp, m, reveal);
	fclose(fp);
	fz_check_term(txt, txtlen);
	free(txt);
}

static int fz_dissect_run(const struct mt_dissector *d, const uint8_t *data, size_t size)
{
	if (size < 1 || size > 131072)
		return 0;
	struct fz f = { data, size };
	uint8_t cfg = fz_u8(&f);
	struct mt_limits lim;
	mt_limits_default(&lim);
	if (cfg & 1) {
		lim.line_max = 64;
		lim.max_literal = 100;
		lim.max_message = 200;
		lim.max_transcript = 40;
		lim.tail_per_dir = 256;
		lim.brute_force_n = 2;
	}
	struct mt_model m;
	mt_model_init(&m, &lim);
	m.keep_lines = !(cfg & 2);
	m.keep_raw = !(cfg & 4);
	bool reveal = cfg & 8;

	struct fz_drv t;
	memset(&t, 0, sizeof(t));
	t.d = d;
	t.ts_ns = 1683441675123456000ull;
	t.s = mt_session_new(&m);
	snprintf(t.s->client, sizeof(t.s->client), "10.0.0.5:51000");
	snprintf(t.s->server, sizeof(t.s->server), "10.0.0.1:%d",
	         d->proto == PROTO_SMTP ? 25 : d->proto == PROTO_POP3 ? 110 : d->proto == PROTO_IMAP ? 143 : 23);
	t.s->proto = d->proto;
	t.s->syn_seen = true;
	t.s->start_ns = t.ts_ns;
	t.s->first_frame = 1;
	t.s->dissector = d;
	if (d->open && d->open(t.s) != 0)
		t.s->dissector = NULL;

	while (!fz_empty(&f)) {
		uint8_t ctl = fz_u8(&f);
		int dir = ctl & 1;
		if (ctl & 0x80) {
			switch ((ctl >> 1) & 3) {
			case 0: fz_drv_gap(&t, dir, fz_u16(&f)); break;
			case 1: fz_drv_fin(&t, dir); break;
			case 2: t.ts_ns += 2000000000ull; break;
			case 3: fz_drv_gap(&t, dir, fz_u32(&f)); break;
			}
			continue;
		}
		size_t len = (ctl >> 1) & 0x3f;
		if (len == 0x3f)
			len = fz_u16(&f);
		size_t got;
		const uint8_t *p = fz_take(&f, len, &got);
		uint8_t *seg = fz_dup(p, got);
		fz_drv_data(&t, dir, seg, got);
		free(seg);
	}
	mt_session_finish(t.s);
	fz_render(&m, t.s, reveal, m.keep_lines);
	free(t.tail[0]);
	free(t.tail[1]);
	mt_model_free(&m);
	return 0;
}

#endif
