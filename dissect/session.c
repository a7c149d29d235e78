/* session.c - the session model: owned copies of what the dissectors found. */
#include "session.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "mime.h"
#include "sbuf.h"

static const char *const warning_names[W__COUNT] = {
	[W_CLEARTEXT_CREDENTIALS] = "cleartext_credentials",
	[W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED] = "cleartext_auth_despite_starttls_offered",
	[W_LOGINDISABLED_IGNORED] = "logindisabled_ignored",
	[W_STARTTLS_REFUSED] = "starttls_refused",
	[W_STARTTLS_WITHOUT_TLS] = "starttls_without_tls",
	[W_STARTTLS_INJECTION] = "starttls_injection",
	[W_AUTH_FAILED] = "auth_failed",
	[W_BRUTE_FORCE] = "brute_force",
	[W_CHALLENGE_RESPONSE_CRACKABLE] = "challenge_response_crackable",
	[W_SYNTAX_ERROR] = "syntax_error",
	[W_STREAM_GAP] = "stream_gap",
	[W_OVERLAP_CONFLICT] = "overlap_conflict",
	[W_NO_HANDSHAKE] = "no_handshake",
	[W_BARE_LF] = "bare_lf",
	[W_LINE_TOO_LONG] = "line_too_long",
	[W_MESSAGE_TRUNCATED] = "message_truncated",
	[W_STARTTLS_NOT_OFFERED] = "starttls_not_offered",
	[W_ONE_SIDED] = "one_sided",
};

const char *mt_warning_name(enum mt_warning w)
{
	return (unsigned)w < W__COUNT && warning_names[w] ? warning_names[w] : "unknown";
}

const char *mt_proto_name(enum mt_proto p)
{
	switch (p) {
	case PROTO_SMTP: return "smtp";
	case PROTO_POP3: return "pop3";
	case PROTO_IMAP: return "imap";
	case PROTO_TELNET: return "telnet";
	case PROTO_TLS: return "tls";
	default: return "other";
	}
}

const char *mt_tls_name(enum mt_tls t)
{
	return t == TLS_STARTTLS ? "starttls" : t == TLS_IMPLICIT ? "implicit" : "none";
}

const char *mt_outcome_name(enum mt_outcome o)
{
	return o == OUTCOME_SUCCESS ? "success" : o == OUTCOME_FAILURE ? "failure" : "unknown";
}

/* ---- owned bytes ---- */

void mt_bytes_set(struct mt_bytes *b, const void *p, size_t n, size_t cap)
{
	free(b->data);
	b->truncated = false;
	if (cap && n > cap) {
		n = cap;
		b->truncated = true;
	}
	b->data = mt_xmalloc(n + 1);
	if (n)
		memcpy(b->data, p, n);
	b->data[n] = 0;
	b->len = n;
}

void mt_bytes_free(struct mt_bytes *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->truncated = false;
}

/* ---- model ---- */

struct mt_fail_count {
	char addr[64];
	unsigned n;
};
#define FAIL_TABLE_MAX 4096

void mt_model_init(struct mt_model *m, const struct mt_limits *l)
{
	memset(m, 0, sizeof(*m));
	if (l)
		m->limits = *l;
	else
		mt_limits_default(&m->limits);
	m->next_id = 1;
}

static void free_line(struct mt_line *l)
{
	mt_bytes_free(&l->text);
	free(l->decoded);
	free(l->decoded_masked);
	free(l->keys);
}

/* Private part of a message while it streams. */
struct msg_priv {
	struct mt_message pub;        /* first: a struct mt_message * is a struct msg_priv * */
	EVP_MD_CTX *sha;
	struct mt_mime *mime;
	size_t raw_cap;               /* allocated size of pub.raw.data */
	bool ended;
};

static void free_message(struct mt_model *m, struct mt_message *msg)
{
	if (m && m->raw_bytes >= msg->raw.len)
		m->raw_bytes -= msg->raw.len;
	struct msg_priv *mp = (struct msg_priv *)msg;
	if (mp->sha)
		EVP_MD_CTX_free(mp->sha);
	if (mp->mime)
		mt_mime_free(mp->mime);
	free(msg->from);
	free(msg->to);
	free(msg->cc);
	free(msg->subject);
	free(msg->date);
	free(msg->message_id);
	for (size_t i = 0; i < msg->nattachments; i++)
		free(msg->attachments[i]);
	free(msg->attachments);
	mt_bytes_free(&msg->raw);
	free(mp);
}

static void free_cred(struct mt_credential *c)
{
	mt_bytes_free(&c->username);
	mt_bytes_free(&c->password);
	mt_bytes_free(&c->authzid);
	mt_bytes_free(&c->challenge);
	mt_bytes_free(&c->response);
	free(c);
}

static void flush_body_note(struct mt_session *s, uint64_t frame, uint64_t ts_ns);

static void session_free(struct mt_session *s)
{
	if (s->dissector && s->dissector->close && s->dissector_state)
		s->dissector->close(s);
	for (size_t i = 0; i < s->nlines; i++)
		free_line(&s->lines[i]);
	free(s->lines);
	for (size_t i = 0; i < s->ncreds; i++)
		free_cred(s->creds[i]);
	free(s->creds);
	for (size_t i = 0; i < s->nmsgs; i++)
		free_message(s->model, s->msgs[i]);
	free(s->msgs);
	for (size_t i = 0; i < s->nauth_mechs; i++)
		free(s->auth_mechs[i]);
	free(s->auth_mechs);
	free(s->sni);
	free(s->user);
	free(s->ndpi_risks);
	mt_bytes_free(&s->greeting);
	free(s);
}

void mt_model_free(struct mt_model *m)
{
	for (size_t i = 0; i < m->nsessions; i++)
		if (m->sessions[i])
			session_free(m->sessions[i]);
	free(m->sessions);
	free(m->packets);
	free(m->fails);
	for (size_t i = 0; i < m->intern_cap; i++)
		free(m->intern[i]);
	free(m->intern);
	memset(m, 0, sizeof(*m));
}

struct mt_session *mt_session_new(struct mt_model *m)
{
	struct mt_session *s = mt_xcalloc(1, sizeof(*s));
	s->id = m->next_id++;
	s->model = m;
	s->starttls.offered = TRI_FALSE;
	s->starttls.requested = TRI_FALSE;
	s->starttls.accepted = TRI_NULL;
	if (m->nsessions == m->sessions_cap) {
		m->sessions_cap = m->sessions_cap ? m->sessions_cap * 2 : 64;
		m->sessions = mt_xrealloc(m->sessions, m->sessions_cap * sizeof(*m->sessions));
	}
	s->model_index = m->nsessions;
	m->sessions[m->nsessions++] = s;
	return s;
}

static bool cred_has_secret(const struct mt_credential *c)
{
	return c->password.len > 0;
}

/* Warnings that follow from the credentials and the STARTTLS state. */
static void update_cred_warnings(struct mt_session *s)
{
	for (size_t i = 0; i < s->ncreds; i++) {
		const struct mt_credential *c = s->creds[i];
		if (c->tls != TLS_NONE)
			continue;
		if (cred_has_secret(c))
			sess_warn(s, W_CLEARTEXT_CREDENTIALS);
		if (c->challenge.len || c->response.len)
			sess_warn(s, W_CHALLENGE_RESPONSE_CRACKABLE);
		if (s->starttls.offered == TRI_TRUE && (cred_has_secret(c) || c->response.len))
			sess_warn(s, W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED);
		if (s->logindisabled && (cred_has_secret(c) || c->response.len))
			sess_warn(s, W_LOGINDISABLED_IGNORED);
	}
}

void mt_session_finish(struct mt_session *s)
{
	struct mt_model *m = s->model;
	if (s->dissector && s->dissector->close && s->dissector_state)
		s->dissector->close(s);
	s->dissector_state = NULL;
	for (size_t i = 0; i < s->nmsgs; i++) {
		struct msg_priv *mp = (struct msg_priv *)s->msgs[i];
		if (!mp->ended)
			sess_msg_end(s, &mp->pub, false);
	}
	flush_body_note(s, s->last_frame, s->end_ns);   /* a body cut at the very end */
	update_cred_warnings(s);
	if (s->starttls.accepted == TRI_TRUE && !s->starttls.tls_seen)
		sess_warn(s, W_STARTTLS_WITHOUT_TLS);
	s->closed = true;
	if (m->on_done)
		m->on_done(m->on_done_user, s);
	bool empty = !s->bytes_c2s && !s->bytes_s2c && !s->gap_bytes && !s->ncreds;
	/* the text report keeps finished sessions for its tables, up to a cap */
	bool over = m->drop_empty && m->limits.max_report_sessions && m->kept_finished >= m->limits.max_report_sessions;
	if (m->free_done || (m->drop_empty && (empty || over))) {
		if (!m->free_done && empty)
			m->empty_sessions++;
		else if (!m->free_done)
			m->unlisted_sessions++;
		if (s->model_index < m->nsessions && m->sessions[s->model_index] == s)
			m->sessions[s->model_index] = NULL;
		session_free(s);
	} else {
		m->kept_finished++;
	}
}

static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

const char *mt_model_intern(struct mt_model *m, const char *str)
{
	if (m->intern_n * 2 >= m->intern_cap) {   /* keep the table half empty */
		size_t cap = m->intern_cap ? m->intern_cap * 2 : 1024;
		char **t = mt_xcalloc(cap, sizeof(*t));
		for (size_t i = 0; i < m->intern_cap; i++) {
			if (!m->intern[i])
				continue;
			size_t j = str_hash(m->intern[i]) & (cap - 1);
			while (t[j])
				j = (j + 1) & (cap - 1);
			t[j] = m->intern[i];
		}
		free(m->intern);
		m->intern = t;
		m->intern_cap = cap;
	}
	size_t j = str_hash(str) & (m->intern_cap - 1);
	while (m->intern[j]) {
		if (!strcmp(m->intern[j], str))
			return m->intern[j];
		j = (j + 1) & (m->intern_cap - 1);
	}
	m->intern[j] = mt_xstrdup(str);
	m->intern_n++;
	return m->intern[j];
}

struct mt_packet *mt_model_add_packet(struct mt_model *m)
{
	if (!m->keep_packets)
		return NULL;
	if (m->npackets == m->packets_cap) {
		m->packets_cap = m->packets_cap ? m->packets_cap * 2 : 1024;
		m->packets = mt_xrealloc(m->packets, m->packets_cap * sizeof(*m->packets));
	}
	struct mt_packet *p = &m->packets[m->npackets++];
	memset(p, 0, sizeof(*p));
	p->src = p->dst = "";
	return p;
}

/* ---- events ---- */

/* The note that stands for the body lines max_body_lines did not keep. */
static void flush_body_note(struct mt_session *s, uint64_t frame, uint64_t ts_ns)
{
	if (!s->body_dropped)
		return;
	char note[112];
	size_t k = s->body_dropped;
	s->body_dropped = 0;
	snprintf(note, sizeof(note), "[%zu more message lines not shown: the message record has them all (--max-body-lines)]", k);
	sess_line(s, s->body_dir, LINE_NOTE, frame, frame, ts_ns, (const uint8_t *)note, strlen(note), NULL);
}

struct mt_line *sess_line(struct mt_session *s, int dir, enum mt_line_kind kind,
                          uint64_t first_frame, uint64_t frame, uint64_t ts_ns,
                          const uint8_t *text, size_t len, const char *decoded)
{
	struct mt_model *m = s->model;
	if (!m->keep_lines)
		return NULL;
	/* A long message body: keep its first max_body_lines lines, then one
	 * note for the rest (the message record and --export have all of it). */
	if (kind == LINE_DATA) {
		if (m->limits.max_body_lines && ++s->body_run > m->limits.max_body_lines) {
			s->body_dropped++;
			s->body_dir = (uint8_t)dir;
			m->counters.transcript_dropped++;
			return NULL;
		}
	} else {
		s->body_run = 0;
		flush_body_note(s, frame, ts_ns);
	}
	if (m->limits.max_transcript && s->nlines >= m->limits.max_transcript) {
		m->counters.transcript_dropped++;
		return NULL;
	}
	if (s->nlines == s->lines_cap) {
		s->lines_cap = s->lines_cap ? s->lines_cap * 2 : 32;
		s->lines = mt_xrealloc(s->lines, s->lines_cap * sizeof(*s->lines));
	}
	struct mt_line *l = &s->lines[s->nlines++];
	memset(l, 0, sizeof(*l));
	l->dir = (uint8_t)dir;
	l->kind = (uint8_t)kind;
	l->first_frame = first_frame ? first_frame : frame;
	l->frame = frame;
	l->ts_ns = ts_ns;
	mt_bytes_set(&l->text, text, len, m->limits.line_max);
	if (decoded)
		l->decoded = mt_xstrdup(decoded);
	return l;
}

void sess_line_secret(struct mt_line *l, size_t off, size_t len, const char *decoded_masked)
{
	if (!l)
		return;
	l->secret = true;
	if (off > l->text.len)
		off = l->text.len;
	if (len > l->text.len - off)
		len = l->text.len - off;
	l->secret_off = (uint32_t)off;
	l->secret_len = (uint32_t)len;
	free(l->decoded_masked);
	l->decoded_masked = decoded_masked ? mt_xstrdup(decoded_masked) : NULL;
}

void sess_line_keys(struct mt_line *l, const struct mt_key *keys, uint32_t n)
{
	if (!l || !n)
		return;
	free(l->keys);
	l->keys = mt_xmalloc(n * sizeof(*keys));
	memcpy(l->keys, keys, n * sizeof(*keys));
	l->nkeys = n;
}

struct mt_credential *sess_cred_new(struct mt_session *s, const char *mechanism, uint64_t frame)
{
	struct mt_credential *c = mt_xcalloc(1, sizeof(*c));
	c->session = s->id;
	c->proto = s->proto;
	snprintf(c->mechanism, sizeof(c->mechanism), "%s", mechanism);
	c->frame = frame;
	c->tls = s->tls == TLS_IMPLICIT ? TLS_IMPLICIT : TLS_NONE;
	s->creds = mt_xrealloc(s->creds, (s->ncreds + 1) * sizeof(*s->creds));
	s->creds[s->ncreds++] = c;
	return c;
}

/* Failed logins per client address, across sessions (brute force). */
static unsigned count_failure(struct mt_model *m, const char *client)
{
	char addr[64];
	snprintf(addr, sizeof(addr), "%s", client);
	char *colon = strrchr(addr, ':');   /* strip the port: "a.b.c.d:p", "[v6]:p" */
	if (colon)
		*colon = 0;
	for (size_t i = 0; i < m->nfails; i++)
		if (!strcmp(m->fails[i].addr, addr))
			return ++m->fails[i].n;
	if (m->nfails >= FAIL_TABLE_MAX)
		return 1;
	m->fails = mt_xrealloc(m->fails, (m->nfails + 1) * sizeof(*m->fails));
	snprintf(m->fails[m->nfails].addr, sizeof(m->fails[m->nfails].addr), "%s", addr);
	m->fails[m->nfails].n = 1;
	return m->fails[m->nfails++].n;
}

void sess_cred_outcome(struct mt_session *s, struct mt_credential *c, enum mt_outcome o, uint64_t reply_frame)
{
	if (!c)
		return;
	c->outcome = o;
	c->reply_frame = reply_frame;
	s->login = o;
	if (c->username.len) {
		free(s->user);
		s->user = mt_xstrndup(c->username.data, c->username.len);
	}
	if (o == OUTCOME_FAILURE) {
		unsigned n = s->model->limits.brute_force_n ? s->model->limits.brute_force_n : 5;
		s->failed_logins++;
		sess_warn(s, W_AUTH_FAILED);
		unsigned across = count_failure(s->model, s->client);
		if (s->failed_logins >= n || across >= n)
			sess_warn(s, W_BRUTE_FORCE);
	}
	update_cred_warnings(s);
}

void sess_warn(struct mt_session *s, enum mt_warning w)
{
	if ((unsigned)w < W__COUNT)
		s->warnings |= 1u << w;
}

void sess_set_greeting(struct mt_session *s, const uint8_t *p, size_t n)
{
	if (s->greeting.data)
		return;
	mt_bytes_set(&s->greeting, p, n, 512);
}

void sess_set_software(struct mt_session *s, const char *name)
{
	snprintf(s->server_software, sizeof(s->server_software), "%s", name);
}

void sess_add_auth_mech(struct mt_session *s, const uint8_t *p, size_t n)
{
	char up[40];
	if (!n || s->nauth_mechs >= 64)
		return;
	if (n >= sizeof(up))
		n = sizeof(up) - 1;
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (c <= ' ' || c >= 0x7f)
			return;   /* not a SASL mechanism name (RFC 4422 §3.1) */
		up[i] = (char)((c >= 'a' && c <= 'z') ? c - 32 : c);
	}
	up[n] = 0;
	for (size_t i = 0; i < s->nauth_mechs; i++)
		if (!strcmp(s->auth_mechs[i], up))
			return;
	s->auth_mechs = mt_xrealloc(s->auth_mechs, (s->nauth_mechs + 1) * sizeof(char *));
	s->auth_mechs[s->nauth_mechs++] = mt_xstrdup(up);
}

void sess_set_sni(struct mt_session *s, const uint8_t *p, size_t n)
{
	if (n > 255)
		n = 255;   /* RFC 6066 §3: HostName is at most 255 bytes here */
	free(s->sni);
	s->sni = mt_xstrndup((const char *)p, n);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s->sni[i];
		if (c < 0x21 || c > 0x7e)
			s->sni[i] = '?';   /* host names are ASCII (A-labels) */
	}
}

void sess_starttls_offered(struct mt_session *s)
{
	s->starttls.offered = TRI_TRUE;
}

void sess_starttls_requested(struct mt_session *s, uint64_t frame)
{
	s->starttls.requested = TRI_TRUE;
	if (!s->starttls.request_frame)
		s->starttls.request_frame = frame;
}

void sess_starttls_reply(struct mt_session *s, bool accepted, uint64_t frame)
{
	s->starttls.accepted = accepted ? TRI_TRUE : TRI_FALSE;
	s->starttls.reply_frame = frame;
	if (accepted)
		s->tls = TLS_STARTTLS;
	else
		sess_warn(s, W_STARTTLS_REFUSED);
}

void sess_tls_seen(struct mt_session *s, uint64_t frame)
{
	if (s->starttls.tls_seen)
		return;
	s->starttls.tls_seen = true;
	s->starttls.tls_frame = frame;
}

/* ---- messages ---- */

struct mt_message *sess_msg_begin(struct mt_session *s, int dir, const char *command, uint64_t frame)
{
	struct msg_priv *mp = mt_xcalloc(1, sizeof(*mp));
	struct mt_message *msg = &mp->pub;
	msg->session = s->id;
	msg->dir = (uint8_t)dir;
	/* Commands come from the wire: keep printable ASCII only. */
	size_t j = 0;
	for (size_t i = 0; command && command[i] && j + 1 < sizeof(msg->command); i++) {
		unsigned char c = (unsigned char)command[i];
		msg->command[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	msg->command[j] = 0;
	msg->first_frame = msg->last_frame = frame;
	mp->sha = EVP_MD_CTX_new();
	if (mp->sha && EVP_DigestInit_ex(mp->sha, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(mp->sha);
		mp->sha = NULL;
	}
	mp->mime = mt_mime_new(&s->model->limits);
	s->msgs = mt_xrealloc(s->msgs, (s->nmsgs + 1) * sizeof(*s->msgs));
	s->msgs[s->nmsgs++] = msg;
	return msg;
}

void sess_msg_data(struct mt_session *s, struct mt_message *msg, const uint8_t *p, size_t n, uint64_t frame)
{
	struct msg_priv *mp = (struct msg_priv *)msg;
	if (!msg || mp->ended || !n)
		return;
	msg->last_frame = frame;
	msg->size += n;
	if (mp->sha)
		EVP_DigestUpdate(mp->sha, p, n);
	if (mp->mime)
		mt_mime_feed(mp->mime, p, n);
	if (s->model->keep_raw) {
		size_t cap = s->model->limits.max_message;
		size_t room = cap > msg->raw.len ? cap - msg->raw.len : 0;
		size_t total = s->model->limits.max_raw_total;
		size_t left = total > s->model->raw_bytes ? total - s->model->raw_bytes : 0;
		if (total && left < room) {
			room = left;
			s->model->counters.raw_not_kept += n > left ? n - left : 0;
		}
		size_t k = n < room ? n : room;
		if (k < n && !msg->raw.truncated) {
			msg->raw.truncated = true;
			s->model->counters.messages_truncated++;
			sess_warn(s, W_MESSAGE_TRUNCATED);
		}
		if (k) {
			if (msg->raw.len + k + 1 > mp->raw_cap) {
				/* doubling: a message arriving in many small chunks is
				 * copied O(n) times in all, not O(n^2) */
				size_t ncap = mp->raw_cap ? mp->raw_cap : 4096;
				while (ncap < msg->raw.len + k + 1)
					ncap *= 2;
				msg->raw.data = mt_xrealloc(msg->raw.data, ncap);
				mp->raw_cap = ncap;
			}
			memcpy(msg->raw.data + msg->raw.len, p, k);
			msg->raw.len += k;
			s->model->raw_bytes += k;
			msg->raw.data[msg->raw.len] = 0;
		}
	}
}

void sess_msg_end(struct mt_session *s, struct mt_message *msg, bool complete)
{
	struct msg_priv *mp = (struct msg_priv *)msg;
	if (!msg || mp->ended)
		return;
	mp->ended = true;
	msg->complete = complete;
	if (mp->sha) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		static const char hex[] = "0123456789abcdef";
		if (EVP_DigestFinal_ex(mp->sha, md, &mdlen) == 1 && mdlen == 32) {
			for (unsigned i = 0; i < 32; i++) {
				msg->sha256[2 * i] = hex[md[i] >> 4];
				msg->sha256[2 * i + 1] = hex[md[i] & 15];
			}
			msg->sha256[64] = 0;
		}
		EVP_MD_CTX_free(mp->sha);
		mp->sha = NULL;
	}
	if (mp->mime) {
		struct mt_mime_stats st;
		mt_mime_finish(mp->mime, msg);
		mt_mime_get_stats(mp->mime, &st);
		if (st.truncated) {
			/* headers or MIME structure beyond the parser's caps */
			s->model->counters.mime_limits_hit++;
		}
		mt_mime_free(mp->mime);
		mp->mime = NULL;
	}
}
