/* dtest.c - see dtest.h */
#include "dtest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <openssl/evp.h>
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

static void same_bytes(const struct mt_bytes *a, const struct mt_bytes *b)
{
	assert_int_equal(a->len, b->len);
	if (a->len)
		assert_memory_equal(a->data, b->data, a->len);
}

static void same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_true(a == b);
	else
		assert_string_equal(a, b);
}

void dt_assert_same(const struct dt *a, const struct dt *b)
{
	const struct mt_session *x = a->s, *y = b->s;
	assert_int_equal(x->ncreds, y->ncreds);
	for (size_t i = 0; i < x->ncreds; i++) {
		const struct mt_credential *c = x->creds[i], *d = y->creds[i];
		assert_string_equal(c->mechanism, d->mechanism);
		same_bytes(&c->username, &d->username);
		same_bytes(&c->password, &d->password);
		same_bytes(&c->authzid, &d->authzid);
		same_bytes(&c->challenge, &d->challenge);
		same_bytes(&c->response, &d->response);
		assert_int_equal(c->outcome, d->outcome);
		assert_int_equal(c->cancelled, d->cancelled);
		assert_int_equal(c->tls, d->tls);
	}
	assert_int_equal(x->nmsgs, y->nmsgs);
	for (size_t i = 0; i < x->nmsgs; i++) {
		assert_string_equal(x->msgs[i]->command, y->msgs[i]->command);
		assert_int_equal(x->msgs[i]->size, y->msgs[i]->size);
		assert_string_equal(x->msgs[i]->sha256, y->msgs[i]->sha256);
		assert_int_equal(x->msgs[i]->complete, y->msgs[i]->complete);
		same_str(x->msgs[i]->subject, y->msgs[i]->subject);
	}
	assert_int_equal(x->warnings, y->warnings);
	assert_int_equal(x->starttls.offered, y->starttls.offered);
	assert_int_equal(x->starttls.requested, y->starttls.requested);
	assert_int_equal(x->starttls.accepted, y->starttls.accepted);
	assert_int_equal(x->starttls.tls_seen, y->starttls.tls_seen);
	assert_int_equal(x->tls, y->tls);
	same_str(x->sni, y->sni);
	assert_string_equal(x->server_software, y->server_software);
	same_bytes(&x->greeting, &y->greeting);
	assert_int_equal(x->nauth_mechs, y->nauth_mechs);
	for (size_t i = 0; i < x->nauth_mechs; i++)
		assert_string_equal(x->auth_mechs[i], y->auth_mechs[i]);
	assert_int_equal(x->nlines, y->nlines);
	for (size_t i = 0; i < x->nlines; i++) {
		const struct mt_line *l = &x->lines[i], *m = &y->lines[i];
		assert_int_equal(l->dir, m->dir);
		assert_int_equal(l->kind, m->kind);
		same_bytes(&l->text, &m->text);
		same_str(l->decoded, m->decoded);
		same_str(l->decoded_masked, m->decoded_masked);
		assert_int_equal(l->secret, m->secret);
		assert_int_equal(l->secret_off, m->secret_off);
		assert_int_equal(l->secret_len, m->secret_len);
	}
}

const struct mt_credential *dt_cred(const struct dt *t, size_t i)
{
	assert_true(i < t->s->ncreds);
	return t->s->creds[i];
}

void dt_assert_bytes(const struct mt_bytes *b, const char *want)
{
	assert_non_null(b->data);
	assert_int_equal(b->len, strlen(want));
	assert_memory_equal(b->data, want, b->len);
}

void dt_sha256_hex(const void *p, size_t n, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}
