/* json_out.c - one JSON object per line; every string escaped, UTF-8 valid. */
#include "json_out.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "../dissect/sanitize.h"

void mt_format_time(char *buf, size_t sz, uint64_t ts_ns)
{
	time_t sec = (time_t)(ts_ns / 1000000000ull);
	struct tm tm;
	gmtime_r(&sec, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, sz, "%s.%06uZ", base, (unsigned)(ts_ns % 1000000000ull / 1000u));
}

static void j_key(struct mt_sbuf *o, const char *k)
{
	if (o->len && o->s[o->len - 1] != '{' && o->s[o->len - 1] != '[')
		mt_sbuf_addc(o, ',');
	mt_sbuf_addc(o, '"');
	mt_sbuf_adds(o, k);
	mt_sbuf_add(o, "\":", 2);
}

static void j_strn(struct mt_sbuf *o, const char *k, const void *p, size_t n)
{
	j_key(o, k);
	mt_sbuf_addc(o, '"');
	mt_sanitize_json(o, p, n);
	mt_sbuf_addc(o, '"');
}

static void j_str(struct mt_sbuf *o, const char *k, const char *v)
{
	if (!v) {
		j_key(o, k);
		mt_sbuf_adds(o, "null");
		return;
	}
	j_strn(o, k, v, strlen(v));
}

/* A string, or null when empty. */
static void j_str_or_null(struct mt_sbuf *o, const char *k, const char *v)
{
	j_str(o, k, v && *v ? v : NULL);
}

static void j_bytes(struct mt_sbuf *o, const char *k, const struct mt_bytes *b, bool null_if_empty)
{
	if (!b->data || (null_if_empty && !b->len)) {
		j_key(o, k);
		mt_sbuf_adds(o, "null");
		return;
	}
	j_strn(o, k, b->data, b->len);
}

static void j_u64(struct mt_sbuf *o, const char *k, uint64_t v)
{
	/* digits by hand: printf was a visible share of a JSON run */
	char buf[24];
	size_t i = sizeof(buf);
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	j_key(o, k);
	mt_sbuf_add(o, buf + i, sizeof(buf) - i);
}

static void j_bool(struct mt_sbuf *o, const char *k, bool v)
{
	j_key(o, k);
	mt_sbuf_adds(o, v ? "true" : "false");
}

static void j_tri(struct mt_sbuf *o, const char *k, enum mt_tri v)
{
	j_key(o, k);
	mt_sbuf_adds(o, v == TRI_TRUE ? "true" : v == TRI_FALSE ? "false" : "null");
}

static void j_time(struct mt_sbuf *o, const char *k, uint64_t ts)
{
	char buf[48];
	mt_format_time(buf, sizeof(buf), ts);
	j_str(o, k, buf);
}

static void j_open(struct mt_sbuf *o, const char *type)
{
	mt_sbuf_adds(o, "{\"type\":\"");
	mt_sbuf_adds(o, type);
	mt_sbuf_addc(o, '"');
}

static void j_close(struct mt_sbuf *o)
{
	mt_sbuf_add(o, "}\n", 2);
}

static void session_record(struct mt_sbuf *o, const struct mt_session *s)
{
	j_open(o, "session");
	j_u64(o, "id", s->id);
	j_str(o, "client", s->client);
	j_str(o, "server", s->server);
	j_str(o, "proto", mt_proto_name(s->proto));
	j_str_or_null(o, "ndpi", s->ndpi);
	j_u64(o, "first_frame", s->first_frame);
	j_u64(o, "last_frame", s->last_frame);
	j_time(o, "start", s->start_ns);
	j_time(o, "end", s->end_ns);
	j_bool(o, "syn_seen", s->syn_seen);
	j_str(o, "tls", mt_tls_name(s->tls));
	j_key(o, "starttls");
	mt_sbuf_addc(o, '{');
	j_tri(o, "offered", s->starttls.offered);
	j_tri(o, "requested", s->starttls.requested);
	j_tri(o, "accepted", s->starttls.accepted);
	j_bool(o, "tls_seen", s->starttls.tls_seen);
	mt_sbuf_addc(o, '}');
	j_str(o, "sni", s->sni);
	j_bytes(o, "greeting", &s->greeting, false);
	j_str_or_null(o, "server_software", s->server_software);
	j_key(o, "auth_mechs_offered");
	mt_sbuf_addc(o, '[');
	for (size_t i = 0; i < s->nauth_mechs; i++) {
		if (i)
			mt_sbuf_addc(o, ',');
		mt_sbuf_addc(o, '"');
		mt_sanitize_json(o, s->auth_mechs[i], strlen(s->auth_mechs[i]));
		mt_sbuf_addc(o, '"');
	}
	mt_sbuf_addc(o, ']');
	j_u64(o, "credentials", s->ncreds);
	j_u64(o, "messages", s->nmsgs);
	j_u64(o, "bytes_c2s", s->bytes_c2s);
	j_u64(o, "bytes_s2c", s->bytes_s2c);
	j_u64(o, "gap_bytes", s->gap_bytes);
	j_key(o, "warnings");
	mt_sbuf_addc(o, '[');
	bool first = true;
	for (int w = 0; w < W__COUNT; w++) {
		if (!sess_has_warning(s, (enum mt_warning)w))
			continue;
		if (!first)
			mt_sbuf_addc(o, ',');
		first = false;
		mt_sbuf_addc(o, '"');
		mt_sbuf_adds(o, mt_warning_name((enum mt_warning)w));
		mt_sbuf_addc(o, '"');
	}
	mt_sbuf_addc(o, ']');
	/* extensions beyond the documented core */
	j_u64(o, "packets", s->packets);
	j_str_or_null(o, "ndpi_risks", s->ndpi_risks);
	j_bool(o, "ndpi_guessed", s->ndpi_guessed);
	j_str(o, "user", s->user);
	j_str(o, "login", s->ncreds ? mt_outcome_name(s->login) : NULL);
	j_bool(o, "logindisabled", s->logindisabled);
	j_close(o);
}

static void cred_record(struct mt_sbuf *o, const struct mt_session *s, const struct mt_credential *c, bool reveal)
{
	j_open(o, "credential");
	j_u64(o, "session", s->id);
	j_str(o, "proto", mt_proto_name(c->proto));
	j_str(o, "client", s->client);
	j_str(o, "server", s->server);
	j_u64(o, "frame", c->frame);
	j_str(o, "mechanism", c->mechanism);
	j_bytes(o, "username", &c->username, false);
	if (!c->password.data || (!c->password.len && !reveal && (c->challenge.len || c->response.len)))
		j_str(o, "password", NULL);
	else if (reveal)
		j_bytes(o, "password", &c->password, false);
	else
		j_str(o, "password", MT_MASK);
	j_bytes(o, "challenge", &c->challenge, true);
	if (c->response.len && !reveal)
		j_str(o, "response", MT_MASK);
	else
		j_bytes(o, "response", &c->response, true);
	j_str(o, "outcome", mt_outcome_name(c->outcome));
	j_bool(o, "typed", c->typed);
	j_bytes(o, "authzid", &c->authzid, true);
	j_u64(o, "reply_frame", c->reply_frame);
	j_str(o, "tls", mt_tls_name(c->tls));
	j_bool(o, "cancelled", c->cancelled);
	j_bool(o, "truncated", c->username.truncated || c->password.truncated);
	j_close(o);
}

static void msg_record(struct mt_sbuf *o, const struct mt_session *s, const struct mt_message *m)
{
	j_open(o, "message");
	j_u64(o, "session", s->id);
	j_str(o, "direction", m->dir == DIR_C2S ? "c2s" : "s2c");
	j_str(o, "command", m->command);
	j_str(o, "from", m->from);
	j_str(o, "to", m->to);
	j_str(o, "subject", m->subject);
	j_str(o, "date", m->date);
	j_str(o, "message_id", m->message_id);
	j_u64(o, "size", m->size);
	j_str_or_null(o, "sha256", m->sha256);
	j_key(o, "attachments");
	mt_sbuf_addc(o, '[');
	for (size_t i = 0; i < m->nattachments; i++) {
		if (i)
			mt_sbuf_addc(o, ',');
		mt_sbuf_addc(o, '"');
		mt_sanitize_json(o, m->attachments[i], strlen(m->attachments[i]));
		mt_sbuf_addc(o, '"');
	}
	mt_sbuf_addc(o, ']');
	j_bool(o, "complete", m->complete);
	j_str(o, "cc", m->cc);
	j_u64(o, "first_frame", m->first_frame);
	j_u64(o, "last_frame", m->last_frame);
	j_u64(o, "parts", m->nparts);
	j_close(o);
}

void mt_line_shown_text(struct mt_sbuf *out, const struct mt_line *l, bool reveal)
{
	if (!l->secret || reveal || !l->secret_len) {
		mt_sbuf_add(out, l->text.data ? l->text.data : "", l->text.len);
		return;
	}
	mt_sbuf_add(out, l->text.data, l->secret_off);
	mt_sbuf_adds(out, MT_MASK);
	size_t end = (size_t)l->secret_off + l->secret_len;
	if (end < l->text.len)
		mt_sbuf_add(out, l->text.data + end, l->text.len - end);
}

static const char *kind_name(uint8_t k)
{
	switch (k) {
	case LINE_DATA: return "data";
	case LINE_GAP: return "gap";
	case LINE_TLS: return "tls";
	case LINE_NOTE: return "note";
	default: return "text";
	}
}

static void line_record(struct mt_sbuf *o, const struct mt_session *s, const struct mt_line *l, bool reveal,
                        struct mt_sbuf *tmp)
{
	j_open(o, "line");
	j_u64(o, "session", s->id);
	j_str(o, "dir", l->dir == DIR_C2S ? "c2s" : "s2c");
	j_u64(o, "frame", l->frame);
	mt_sbuf_reset(tmp);
	mt_line_shown_text(tmp, l, reveal);
	j_strn(o, "text", tmp->s ? tmp->s : "", tmp->len);
	const char *dec = l->decoded;
	if (l->secret && !reveal)
		dec = l->decoded_masked ? l->decoded_masked : (l->decoded ? MT_MASK : NULL);
	if (dec)
		j_str(o, "decoded", dec);
	if (l->kind != LINE_TEXT)
		j_str(o, "kind", kind_name(l->kind));
	if (l->first_frame != l->frame)
		j_u64(o, "first_frame", l->first_frame);
	if (l->nkeys) {
		j_bool(o, "typed", true);
		if (!l->secret || reveal) {
			j_key(o, "keys");
			mt_sbuf_addc(o, '[');
			for (uint32_t i = 0; i < l->nkeys; i++) {
				if (i)
					mt_sbuf_addc(o, ',');
				mt_sbuf_printf(o, "[%u,%u]", l->keys[i].ms, l->keys[i].byte);
			}
			mt_sbuf_addc(o, ']');
		}
	}
	j_close(o);
}

void mt_json_session(struct mt_sbuf *out, const struct mt_session *s, const struct mt_json_opts *o)
{
	session_record(out, s);
	for (size_t i = 0; i < s->ncreds; i++)
		cred_record(out, s, s->creds[i], o->reveal);
	for (size_t i = 0; i < s->nmsgs; i++)
		msg_record(out, s, s->msgs[i]);
	if (o->transcript) {
		struct mt_sbuf tmp;
		mt_sbuf_init(&tmp);
		for (size_t i = 0; i < s->nlines; i++)
			line_record(out, s, &s->lines[i], o->reveal, &tmp);
		mt_sbuf_free(&tmp);
	}
}

void mt_json_summary(struct mt_sbuf *o, const struct mt_model *m)
{
	const struct mt_counters *c = &m->counters;
	j_open(o, "summary");
	j_u64(o, "packets", c->packets);
	j_u64(o, "bytes", c->bytes);
	j_u64(o, "sessions", m->next_id - 1);
	j_u64(o, "truncated_packets", c->truncated_packets);
	j_key(o, "limits_hit");
	mt_sbuf_addc(o, '{');
	j_u64(o, "flows_evicted", c->flows_evicted);
	j_u64(o, "ooo_dropped_bytes", c->ooo_dropped_bytes);
	j_u64(o, "frags_dropped", c->frags_dropped);
	j_u64(o, "lines_truncated", c->lines_truncated);
	j_u64(o, "messages_truncated", c->messages_truncated);
	j_u64(o, "mime_limits_hit", c->mime_limits_hit);
	j_u64(o, "transcript_dropped", c->transcript_dropped);
	j_u64(o, "raw_not_kept", c->raw_not_kept);
	j_u64(o, "history_unavailable", c->history_unavailable);
	mt_sbuf_addc(o, '}');
	j_u64(o, "malformed_packets", c->malformed_packets);
	j_u64(o, "non_tcp_packets", c->non_tcp_packets);
	j_u64(o, "bad_ip_checksum", c->bad_ip_checksum);
	j_u64(o, "bad_tcp_checksum", c->bad_tcp_checksum);
	j_u64(o, "ip_fragments", c->ip_fragments);
	j_u64(o, "frags_reassembled", c->frags_reassembled);
	j_u64(o, "frag_overlaps", c->frag_overlaps);
	j_u64(o, "flows_expired", c->flows_expired);
	j_u64(o, "gaps", c->gaps);
	j_u64(o, "gap_bytes", c->gap_bytes);
	j_u64(o, "overlap_conflicts", c->overlap_conflicts);
	j_u64(o, "retransmissions", c->retransmissions);
	j_bool(o, "file_damaged", c->file_damaged != 0);
	if (m->live) {
		j_u64(o, "kernel_received", c->kernel_recv);
		j_u64(o, "kernel_dropped", c->kernel_drop);
		j_u64(o, "interface_dropped", c->kernel_ifdrop);
	}
	if (m->first_ts_ns) {
		j_time(o, "first_packet", m->first_ts_ns);
		j_time(o, "last_packet", m->last_ts_ns);
	}
	j_close(o);
}
