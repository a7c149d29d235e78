/* dtest.c - see dtest.h */
#include "dtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../dissect/sbuf.h"

void dt_open(struct dt *t, const struct mt_dissector *d)
{
	memset(t, 0, sizeof(*t));
	mt_model_init(&t->model, NULL);
	t->model.keep_lines = true;
	t->model.keep_raw = true;
	t->s = mt_session_new(&t->model);
	snprintf(t->s->client, sizeof(t->s->client), "10.0.0.5:51000");
	snprintf(t->s->server, sizeof(t->s->server), "10.0.0.1:%d",
	         d->proto == PROTO_SMTP ? 25 : d->proto == PROTO_POP3 ? 110 : d->proto == PROTO_IMAP ? 143 : 23);
	t->s->proto = d->proto;
	t->s->syn_seen = true;
	t->s->dissector = d;
	t->d = d;
	t->ts_ns = 1683441675000000000ull;
	if (d->open)
		d->open(t->s);
}

void dt_feed(struct dt *t, int dir, const void *p, size_t n)
{
	struct mt_seg_info info;
	t->frame++;
	t->ts_ns += 1000000; /* 1 ms per segment */
	t->s->last_frame = t->frame;
	if (!t->s->first_frame)
		t->s->first_frame = t->frame;
	if (dir == DIR_C2S)
		t->s->bytes_c2s += n;
	else
		t->s->bytes_s2c += n;
	t->tail[dir] = mt_xrealloc(t->tail[dir], t->tail_len[dir] + n + 1);
	memcpy(t->tail[dir] + t->tail_len[dir], p, n);
	t->tail_len[dir] += n;
	info.frame = t->frame;
	info.ts_ns = t->ts_ns;
	info.offset = t->offset[dir];
	info.nsegs = 1;
	if (!t->s->dissector_state)
		return;
	size_t used = t->d->data(t->s, dir, t->tail[dir], t->tail_len[dir], &info);
	if (used > t->tail_len[dir])
		used = t->tail_len[dir];
	memmove(t->tail[dir], t->tail[dir] + used, t->tail_len[dir] - used);
	t->tail_len[dir] -= used;
	t->offset[dir] += used;
}

void dt_send(struct dt *t, int dir, const char *s)
{
	dt_feed(t, dir, s, strlen(s));
}

void dt_type(struct dt *t, int dir, const char *s)
{
	for (size_t i = 0; s[i]; i++)
		dt_feed(t, dir, s + i, 1);
}

void dt_gap(struct dt *t, int dir, uint64_t len)
{
	struct mt_seg_info info = { .frame = ++t->frame, .ts_ns = t->ts_ns, .offset = t->offset[dir], .nsegs = 0 };
	t->tail_len[dir] = 0;
	t->offset[dir] += len;
	t->s->gap_bytes += len;
	if (t->s->dissector_state && t->d->gap)
		t->d->gap(t->s, dir, len, &info);
}

void dt_fin(struct dt *t, int dir)
{
	struct mt_seg_info info = { .frame = ++t->frame, .ts_ns = t->ts_ns, .offset = t->offset[dir], .nsegs = 0 };
	if (t->s->dissector_state && t->d->fin)
		t->d->fin(t->s, dir, &info);
}

void dt_finish(struct dt *t)
{
	mt_session_finish(t->s);
}

void dt_free(struct dt *t)
{
	free(t->tail[0]);
	free(t->tail[1]);
	mt_model_free(&t->model);
}

const struct mt_line *dt_find_line(const struct dt *t, const char *needle)
{
	for (size_t i = 0; i < t->s->nlines; i++) {
		const struct mt_line *l = &t->s->lines[i];
		if (l->text.data && strstr(l->text.data, needle))
			return l;
	}
	return NULL;
}
