/* report_text.c - a readable report for people and for grep. */
#include "report_text.h"

#include <inttypes.h>
#include <string.h>

#include "../dissect/sanitize.h"
#include "json_out.h"

/* Sanitised, cut to width (by bytes of the sanitised text; UTF-8 safe cut). */
static const char *clean(struct mt_sbuf *b, const void *p, size_t n, size_t width)
{
	mt_sbuf_reset(b);
	mt_sanitize_term(b, p ? p : "", p ? n : 0);
	if (width && b->len > width) {
		size_t cut = width - 1;
		while (cut && ((unsigned char)b->s[cut] & 0xc0) == 0x80)
			cut--;
		b->len = cut;
		b->s[cut] = 0;
		mt_sbuf_adds(b, "~");
	}
	return b->s ? b->s : "";
}

static const char *cleans(struct mt_sbuf *b, const char *s, size_t width)
{
	return clean(b, s, s ? strlen(s) : 0, width);
}

static const char *tls_label(const struct mt_session *s)
{
	if (s->tls == TLS_IMPLICIT)
		return "implicit TLS";
	if (s->tls == TLS_STARTTLS)
		return s->starttls.tls_seen ? "STARTTLS->TLS" : "STARTTLS (no TLS)";
	return "plain";
}

static void warnings_str(struct mt_sbuf *b, const struct mt_session *s)
{
	mt_sbuf_reset(b);
	for (int w = 0; w < W__COUNT; w++) {
		if (!sess_has_warning(s, (enum mt_warning)w))
			continue;
		if (b->len)
			mt_sbuf_adds(b, ",");
		mt_sbuf_adds(b, mt_warning_name((enum mt_warning)w));
	}
	if (!b->s)
		mt_sbuf_adds(b, "");
}

void mt_report_text(FILE *out, const struct mt_model *m, bool reveal)
{
	struct mt_sbuf a, b, c, d, e;
	mt_sbuf_init(&a);
	mt_sbuf_init(&b);
	mt_sbuf_init(&c);
	mt_sbuf_init(&d);
	mt_sbuf_init(&e);
	size_t nsess = 0, ncreds = 0, nmsgs = 0;
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s)
			continue;
		nsess++;
		ncreds += s->ncreds;
		nmsgs += s->nmsgs;
	}
	fprintf(out, "mailtap report: %s\n", cleans(&a, m->source, 0));
	fprintf(out, "%" PRIu64 " packets, %zu TCP sessions, %zu credentials, %zu messages\n",
	        m->counters.packets, nsess, ncreds, nmsgs);
	if (m->empty_sessions)
		fprintf(out, "(%" PRIu64 " more TCP connections carried no data and are not listed)\n", m->empty_sessions);
	if (m->unlisted_sessions)
		fprintf(out, "(%" PRIu64 " more sessions not listed: --max-report-sessions; --json lists them all)\n",
		        m->unlisted_sessions);
	fputc('\n', out);

	fprintf(out, "== Sessions ==\n");
	fprintf(out, "%-4s %-22s %-22s %-6s %-10s %-17s %-16s %-8s %5s %9s %9s  %s\n", "id", "client", "server",
	        "proto", "nDPI", "TLS", "user", "login", "creds", "c2s", "s2c", "warnings");
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s)
			continue;
		warnings_str(&d, s);
		fprintf(out, "%-4u %-22s %-22s %-6s %-10s %-17s %-16s %-8s %5zu %9" PRIu64 " %9" PRIu64 "  %s\n",
		        s->id, cleans(&a, s->client, 22), cleans(&b, s->server, 22), mt_proto_name(s->proto),
		        s->ndpi[0] ? cleans(&e, s->ndpi, 10) : "-", tls_label(s), cleans(&c, s->user ? s->user : "-", 16),
		        s->ncreds ? mt_outcome_name(s->login) : "-", s->ncreds, s->bytes_c2s, s->bytes_s2c, d.s);
	}

	fprintf(out, "\n== Credentials ==\n");
	if (!ncreds)
		fprintf(out, "(none)\n");
	else
		fprintf(out, "%-6s %-21s %-21s %-20s %-24s %-20s %-8s %7s %s\n", "proto", "client", "server",
		        "mechanism", "user", "secret", "outcome", "frame", "notes");
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s)
			continue;
		for (size_t k = 0; k < s->ncreds; k++) {
			const struct mt_credential *cr = s->creds[k];
			const char *secret;
			if (cr->password.len)
				secret = reveal ? clean(&d, cr->password.data, cr->password.len, 20) : MT_MASK;
			else if (cr->response.len)
				secret = reveal ? clean(&d, cr->response.data, cr->response.len, 20) : MT_MASK;
			else
				secret = "-";
			fprintf(out, "%-6s %-21s %-21s %-20s %-24s %-20s %-8s %7" PRIu64 " %s%s%s%s\n",
			        mt_proto_name(cr->proto), cleans(&a, s->client, 21), cleans(&b, s->server, 21),
			        cleans(&e, cr->mechanism, 20), clean(&c, cr->username.data, cr->username.len, 24), secret,
			        mt_outcome_name(cr->outcome), cr->frame, cr->typed ? "typed " : "",
			        cr->tls == TLS_NONE ? "cleartext " : "in TLS ", cr->cancelled ? "cancelled " : "",
			        cr->challenge.len ? "challenge-response" : "");
		}
	}

	fprintf(out, "\n== STARTTLS and TLS ==\n");
	size_t ntls = 0;
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s || (s->tls == TLS_NONE && s->starttls.offered != TRI_TRUE && s->starttls.requested != TRI_TRUE))
			continue;
		ntls++;
		fprintf(out, "session %u %s: ", s->id, mt_proto_name(s->proto));
		if (s->tls == TLS_IMPLICIT) {
			fprintf(out, "implicit TLS%s%s%s\n", s->starttls.tls_seen ? ", ClientHello" : ", no ClientHello seen",
			        s->sni ? ", SNI " : "", s->sni ? cleans(&a, s->sni, 0) : "");
			continue;
		}
		fprintf(out, "offered %s, requested %s, %s", s->starttls.offered == TRI_TRUE ? "yes" : "no",
		        s->starttls.requested == TRI_TRUE ? "yes" : "no",
		        s->starttls.accepted == TRI_TRUE ? "accepted" :
		        s->starttls.accepted == TRI_FALSE ? "REFUSED" : "no answer");
		if (s->starttls.accepted == TRI_TRUE)
			fprintf(out, ", %s", s->starttls.tls_seen ? "TLS handshake followed" : "NO TLS followed");
		if (s->sni)
			fprintf(out, ", SNI %s", cleans(&a, s->sni, 0));
		if (sess_has_warning(s, W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED))
			fprintf(out, "; credentials sent in clear although STARTTLS was offered");
		if (sess_has_warning(s, W_STARTTLS_INJECTION))
			fprintf(out, "; cleartext pipelined after STARTTLS (injection)");
		fprintf(out, "\n");
	}
	if (!ntls)
		fprintf(out, "(none)\n");

	fprintf(out, "\n== Messages ==\n");
	if (!nmsgs)
		fprintf(out, "(none)\n");
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s)
			continue;
		for (size_t k = 0; k < s->nmsgs; k++) {
			const struct mt_message *msg = s->msgs[k];
			fprintf(out, "session %u %s %s: %" PRIu64 " bytes%s, from %s, to %s, subject \"%s\"", s->id,
			        msg->dir == DIR_C2S ? "c2s" : "s2c", cleans(&a, msg->command, 0), msg->size,
			        msg->complete ? "" : " (incomplete)", cleans(&b, msg->from ? msg->from : "-", 60),
			        cleans(&c, msg->to ? msg->to : "-", 60), cleans(&d, msg->subject ? msg->subject : "", 80));
			for (size_t j = 0; j < msg->nattachments; j++)
				fprintf(out, "%s%s", j ? ", " : ", attachments: ", cleans(&a, msg->attachments[j], 80));
			fprintf(out, "\n");
		}
	}

	fprintf(out, "\n== Warnings ==\n");
	size_t nw = 0;
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s || !s->warnings)
			continue;
		warnings_str(&d, s);
		fprintf(out, "session %u (%s -> %s): %s\n", s->id, cleans(&a, s->client, 0), cleans(&b, s->server, 0), d.s);
		nw++;
	}
	if (!nw)
		fprintf(out, "(none)\n");

	const struct mt_counters *k = &m->counters;
	fprintf(out, "\n== Counters ==\n");
	fprintf(out, "packets %" PRIu64 ", bytes %" PRIu64 ", non-TCP %" PRIu64 ", truncated %" PRIu64
	        ", malformed %" PRIu64 "\n", k->packets, k->bytes, k->non_tcp_packets, k->truncated_packets,
	        k->malformed_packets);
	fprintf(out, "retransmissions %" PRIu64 ", gaps %" PRIu64 " (%" PRIu64 " bytes), overlap conflicts %" PRIu64
	        ", bad checksums ip %" PRIu64 " tcp %" PRIu64 "\n", k->retransmissions, k->gaps, k->gap_bytes,
	        k->overlap_conflicts, k->bad_ip_checksum, k->bad_tcp_checksum);
	fprintf(out, "IP fragments %" PRIu64 " (reassembled %" PRIu64 ", dropped %" PRIu64 ", overlaps %" PRIu64
	        "), flows expired %" PRIu64 ", evicted %" PRIu64 "\n", k->ip_fragments, k->frags_reassembled,
	        k->frags_dropped, k->frag_overlaps, k->flows_expired, k->flows_evicted);
	fprintf(out, "limits hit: out-of-order bytes dropped %" PRIu64 ", lines truncated %" PRIu64
	        ", messages truncated %" PRIu64 ", transcript lines dropped %" PRIu64 "\n", k->ooo_dropped_bytes,
	        k->lines_truncated, k->messages_truncated, k->transcript_dropped);
	if (m->live)
		fprintf(out, "kernel: received %" PRIu64 ", dropped %" PRIu64 ", interface dropped %" PRIu64 "\n",
		        k->kernel_recv, k->kernel_drop, k->kernel_ifdrop);
	mt_sbuf_free(&a);
	mt_sbuf_free(&b);
	mt_sbuf_free(&c);
	mt_sbuf_free(&d);
	mt_sbuf_free(&e);
}

void mt_report_transcripts(FILE *out, const struct mt_model *m, bool reveal)
{
	struct mt_sbuf raw, a, b;
	mt_sbuf_init(&raw);
	mt_sbuf_init(&a);
	mt_sbuf_init(&b);
	for (size_t i = 0; i < m->nsessions; i++) {
		const struct mt_session *s = m->sessions[i];
		if (!s || !s->nlines)
			continue;
		fprintf(out, "\n== Transcript of session %u: %s -> %s (%s) ==\n", s->id, cleans(&a, s->client, 0),
		        cleans(&b, s->server, 0), mt_proto_name(s->proto));
		for (size_t k = 0; k < s->nlines; k++) {
			const struct mt_line *l = &s->lines[k];
			mt_sbuf_reset(&raw);
			mt_line_shown_text(&raw, l, reveal);
			const char *dec = l->decoded;
			if (l->secret && !reveal)
				dec = l->decoded_masked ? l->decoded_masked : (l->decoded ? MT_MASK : NULL);
			const char *who = l->dir == DIR_C2S ? "C:" : "S:";
			if (l->kind == LINE_GAP || l->kind == LINE_TLS || l->kind == LINE_NOTE)
				who = "--";
			fprintf(out, "%6" PRIu64 " %s %s", l->frame, who, clean(&a, raw.s ? raw.s : "", raw.len, 0));
			if (dec)
				fprintf(out, dec[0] == '[' ? "   %s" : "   [%s]", cleans(&b, dec, 0));
			if (l->nkeys) {
				bool edited = false;
				for (uint32_t j = 0; j < l->nkeys; j++)
					edited |= l->keys[j].byte == 0x08 || l->keys[j].byte == 0x7f;
				fprintf(out, "   (typed: %u keys%s)", l->nkeys, edited ? ", corrected with backspace" : "");
			}
			fputc('\n', out);
		}
	}
	mt_sbuf_free(&raw);
	mt_sbuf_free(&a);
	mt_sbuf_free(&b);
}
