/* dispatch.c - which dissector, and the reassembler's events to it. */
#include "dispatch.h"

#include <stdio.h>
#include <string.h>

#include "strutil.h"

static void attach(struct mt_session *s, enum mt_proto proto, bool implicit_tls)
{
	const struct mt_dissector *d = NULL;
	s->proto = proto;
	if (implicit_tls) {
		s->tls = TLS_IMPLICIT;
		d = &mt_dissector_tls;
	} else {
		switch (proto) {
		case PROTO_SMTP: d = &mt_dissector_smtp; break;
		case PROTO_POP3: d = &mt_dissector_pop3; break;
		case PROTO_IMAP: d = &mt_dissector_imap; break;
		case PROTO_TELNET: d = &mt_dissector_telnet; break;
		case PROTO_TLS: d = &mt_dissector_tls; s->tls = TLS_IMPLICIT; break;
		default: break;
		}
	}
	s->dissector = d;
	if (d && d->open && d->open(s) != 0) {
		s->dissector = NULL;
		s->dissector_state = NULL;
	}
}

static void attach_socks(struct mt_session *s)
{
	s->proto = PROTO_OTHER;
	s->dissector = &mt_dissector_socks;
	if (mt_dissector_socks.open(s) != 0)
		s->dissector = NULL;
}

/* A SOCKS client greeting: v5 with its method list exactly, or a v4 CONNECT. */
static bool looks_socks(const uint8_t *p, size_t n)
{
	if (n >= 3 && p[0] == 5 && p[1] >= 1 && p[1] <= 8 && n == 2 + (size_t)p[1])
		return true;   /* RFC 1928 §3 */
	return n >= 9 && p[0] == 4 && (p[1] == 1 || p[1] == 2) && p[n - 1] == 0;
}

bool mt_dispatch_by_port(struct mt_session *s, uint16_t port)
{
	switch (port) {
	case 25: case 587: case 2525: attach(s, PROTO_SMTP, false); return true;
	case 465: attach(s, PROTO_SMTP, true); return true;
	case 110: case 1110: attach(s, PROTO_POP3, false); return true;
	case 995: attach(s, PROTO_POP3, true); return true;
	case 143: case 1143: attach(s, PROTO_IMAP, false); return true;
	case 993: attach(s, PROTO_IMAP, true); return true;
	case 23: attach(s, PROTO_TELNET, false); return true;
	case 1080: attach_socks(s); return true;
	default: return false;
	}
}

/* An IMAP command line: "<tag> <command>" with a known command. */
static bool looks_imap_command(const uint8_t *p, size_t n)
{
	static const char *const cmds[] = { "LOGIN", "CAPABILITY", "AUTHENTICATE", "STARTTLS", "SELECT",
	                                    "EXAMINE", "NOOP", "ID", "LOGOUT", "LIST", "STATUS", NULL };
	struct mt_span rest = { p, n }, tag, cmd;
	if (!mt_next_word(&rest, &tag) || !mt_next_word(&rest, &cmd) || tag.n > 32)
		return false;
	for (size_t i = 0; i < tag.n; i++)
		if (tag.p[i] < 0x21 || tag.p[i] > 0x7e || tag.p[i] == '{' || tag.p[i] == '*' || tag.p[i] == '+')
			return false;
	for (int i = 0; cmds[i]; i++)
		if (mt_kw_eq(cmd.p, cmd.n > 16 ? 16 : cmd.n, cmds[i]))
			return true;
	return false;
}

static enum mt_proto probe_server(const uint8_t *p, size_t n)
{
	if (n >= 4 && p[0] == '2' && p[1] == '2' && p[2] == '0' && (p[3] == ' ' || p[3] == '-'))
		return PROTO_SMTP;   /* RFC 5321 §4.3.1 greeting */
	if (mt_kw_prefix(p, n, "+OK"))
		return PROTO_POP3;   /* RFC 1939 §4 greeting */
	if (mt_kw_prefix(p, n, "* OK") || mt_kw_prefix(p, n, "* PREAUTH") || mt_kw_prefix(p, n, "* BYE"))
		return PROTO_IMAP;   /* RFC 3501 §7.1 greeting */
	return PROTO_OTHER;
}

static enum mt_proto probe_client(const uint8_t *p, size_t n)
{
	if (mt_kw_word(p, n, "EHLO") || mt_kw_word(p, n, "HELO") || mt_kw_prefix(p, n, "MAIL FROM"))
		return PROTO_SMTP;
	if (mt_kw_word(p, n, "USER") || mt_kw_word(p, n, "CAPA") || mt_kw_word(p, n, "APOP") ||
	    mt_kw_word(p, n, "STLS"))
		return PROTO_POP3;
	if (looks_imap_command(p, n))
		return PROTO_IMAP;
	return PROTO_OTHER;
}

bool mt_dispatch_probe(struct mt_session *s, int dir, const uint8_t *p, size_t n,
                       const struct mt_proto_hint *hint, bool force)
{
	if (n >= 3 && p[0] == 0x16 && p[1] == 0x03 && p[2] <= 0x04) {
		/* a TLS handshake record: implicit TLS; nDPI may know the mail protocol */
		enum mt_proto pr = hint && hint->proto != PROTO_OTHER && hint->proto != PROTO_TLS ? hint->proto : PROTO_TLS;
		attach(s, pr, true);
		return true;
	}
	if (dir == DIR_C2S && !s->reprobe && looks_socks(p, n)) {
		attach_socks(s);
		return true;
	}
	if (n >= 2 && p[0] == 0xff && p[1] >= 250) {
		attach(s, PROTO_TELNET, false);   /* IAC WILL/WONT/DO/DONT/SB */
		return true;
	}
	enum mt_proto pr = dir == DIR_S2C ? probe_server(p, n) : probe_client(p, n);
	if (pr != PROTO_OTHER) {
		attach(s, pr, false);
		return true;
	}
	if (hint && hint->proto != PROTO_OTHER && (hint->final || force)) {
		attach(s, hint->proto, hint->tls);
		return true;
	}
	if (force) {
		attach(s, PROTO_OTHER, false);
		return true;
	}
	return false;
}

size_t mt_dispatch_data(struct mt_session *s, int dir, const uint8_t *p, size_t n,
                        const struct mt_seg_info *info)
{
	if (!s->dissector || !s->dissector_state || !s->dissector->data)
		return n;
	size_t used = s->dissector->data(s, dir, p, n, info);
	return used > n ? n : used;
}

void mt_dispatch_gap(struct mt_session *s, int dir, uint64_t len, const struct mt_seg_info *info)
{
	sess_warn(s, W_STREAM_GAP);
	s->gap_bytes += len;
	if (s->dissector && s->dissector_state && s->dissector->gap) {
		s->dissector->gap(s, dir, len, info);
	} else {
		char text[64];
		snprintf(text, sizeof(text), "[gap of %llu bytes]", (unsigned long long)len);
		sess_line(s, dir, LINE_GAP, info->frame, info->frame, info->ts_ns, (const uint8_t *)text,
		          strlen(text), NULL);
	}
}

void mt_dispatch_conflict(struct mt_session *s, int dir, uint64_t offset, uint64_t len,
                          uint64_t a_frame, uint64_t b_frame, uint64_t ts_ns)
{
	char text[160];
	sess_warn(s, W_OVERLAP_CONFLICT);
	snprintf(text, sizeof(text),
	         "[overlap conflict: bytes %llu-%llu of frame %llu differ in frame %llu; first copy kept]",
	         (unsigned long long)offset, (unsigned long long)(offset + len - 1),
	         (unsigned long long)a_frame, (unsigned long long)b_frame);
	sess_line(s, dir, LINE_NOTE, b_frame, b_frame, ts_ns, (const uint8_t *)text, strlen(text), NULL);
}

void mt_dispatch_fin(struct mt_session *s, int dir, const struct mt_seg_info *info)
{
	if (s->dissector && s->dissector_state && s->dissector->fin)
		s->dissector->fin(s, dir, info);
}
