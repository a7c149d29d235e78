/* fuzz_writers.c - the renderers (ui/json_out.c, ui/report_text.c,
 * ui/export.c) on a session model built from fuzzer bytes through the
 * sess_* API (dissect/session.h): any bytes in greetings, transcript lines,
 * secrets, keystrokes, credentials, mechanisms, messages, SNI, nDPI names.
 * Checks that the JSON lines are valid JSON in UTF-8, that the text report
 * carries no control byte, invalid UTF-8 or bidi override to a terminal,
 * that export names are safe and that every hash line is one line. */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "../../dissect/sbuf.h"
#include "../../dissect/session.h"
#include "../../ui/export.h"
#include "../../ui/json_out.h"
#include "../../ui/report_text.h"

#define MAX_SESS 4

/* A NUL-terminated string of up to max bytes from the reader. */
static char *take_str(struct fz *f, size_t max)
{
	size_t got;
	const uint8_t *p = fz_take(f, fz_u8(f) % (max + 1), &got);
	char *s = malloc(got + 1);
	memcpy(s, p, got);
	s[got] = 0;
	return s;
}

/* Bytes with an exact-size copy, into an mt_bytes. */
static void take_bytes(struct fz *f, struct mt_bytes *b, size_t cap, bool no_lf)
{
	size_t got;
	const uint8_t *p = fz_take(f, fz_u8(f), &got);
	uint8_t *c = fz_dup(p, got);
	if (no_lf)
		for (size_t i = 0; i < got; i++)
			if (c[i] == '\n')
				c[i] = ' ';
	mt_bytes_free(b);
	mt_bytes_set(b, c, got, cap);
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 65536)
		return 0;
	struct fz f = { data, size };
	uint8_t cfg = fz_u8(&f);
	struct mt_limits lim;
	mt_limits_default(&lim);
	if (cfg & 1) {
		lim.line_max = 16;
		lim.max_transcript = 8;
		lim.max_message = 32;
	}
	struct mt_model m;
	mt_model_init(&m, &lim);
	m.keep_lines = true;
	m.keep_raw = !(cfg & 2);
	bool reveal = cfg & 4;
	struct mt_json_opts jo = { reveal, !(cfg & 8) };
	memcpy(m.source, "fuzz \x1b[2J", 10);
	m.counters.packets = 7;

	struct mt_session *ss[MAX_SESS];
	size_t ns = 0;
	struct mt_session *s = NULL;
	struct mt_line *line = NULL;
	struct mt_credential *cred = NULL;
	struct mt_message *msg = NULL;
	uint64_t frame = 1;

	while (!fz_empty(&f)) {
		uint8_t op = fz_u8(&f);
		if (!s || op % 16 == 13) {
			if (ns == MAX_SESS) {
				if (!s)
					break;
				continue;
			}
			s = ss[ns++] = mt_session_new(&m);
			snprintf(s->client, sizeof(s->client), "10.0.0.%zu:5100%zu", ns, ns);
			snprintf(s->server, sizeof(s->server), ns & 1 ? "10.0.0.1:110" : "[2001:db8::1]:143");
			s->start_ns = 1683441675123456789ull;
			s->end_ns = s->start_ns + 1000;
			s->first_frame = frame;
			line = NULL;
			cred = NULL;
			msg = NULL;
			if (op % 16 == 13)
				continue;
		}
		int dir = (op >> 4) & 1;
		frame++;
		s->last_frame = frame;
		switch (op % 16) {
		case 0: {
			size_t got;
			const uint8_t *p = fz_take(&f, fz_u16(&f) % 2048, &got);
			uint8_t *t = fz_dup(p, got);
			char *dec = (op & 0x20) ? take_str(&f, 200) : NULL;
			line = sess_line(s, dir, (enum mt_line_kind)((op >> 6) % 5), frame - 1, frame,
			                 s->start_ns + frame, t, got, dec);
			free(t);
			free(dec);
			break;
		}
		case 1: {
			size_t off = fz_u8(&f), len = fz_u8(&f);
			char *masked = (op & 0x20) ? take_str(&f, 200) : NULL;
			sess_line_secret(line, off, len, masked);
			free(masked);
			break;
		}
		case 2: {
			struct mt_key keys[64];
			uint32_t n = fz_u8(&f) % 64;
			for (uint32_t i = 0; i < n; i++) {
				keys[i].ms = fz_u16(&f);
				keys[i].byte = fz_u8(&f);
			}
			sess_line_keys(line, keys, n);
			break;
		}
		case 3: {
			char *raw = take_str(&f, 40), mech[48];
			if ((op & 0x60) == 0x20)
				snprintf(mech, sizeof(mech), "APOP");
			else if ((op & 0x60) == 0x40)
				snprintf(mech, sizeof(mech), "AUTH CRAM-MD5");
			else
				snprintf(mech, sizeof(mech), "%s", raw);   /* any bytes from the wire */
			cred = sess_cred_new(s, mech, frame);
			free(raw);
			take_bytes(&f, &cred->username, 0, false);
			take_bytes(&f, &cred->password, 0, false);
			take_bytes(&f, &cred->authzid, 0, false);
			/* these come from one protocol line: never a line feed */
			take_bytes(&f, &cred->challenge, 0, true);
			take_bytes(&f, &cred->response, 0, true);
			cred->typed = op & 0x80;
			cred->password.truncated = op & 0x10;
			free(s->user);
			s->user = mt_xstrndup(cred->username.data, cred->username.len);
			break;
		}
		case 4:
			if (cred)
				sess_cred_outcome(s, cred, (enum mt_outcome)((op >> 4) % 3), frame);
			break;
		case 5:
			sess_warn(s, (enum mt_warning)(fz_u8(&f) % W__COUNT));
			break;
		case 6: {
			size_t got;
			const uint8_t *p = fz_take(&f, fz_u8(&f), &got);
			uint8_t *t = fz_dup(p, got);
			sess_set_greeting(s, t, got);
			free(t);
			break;
		}
		case 7: {
			char *sw = take_str(&f, 80);
			sess_set_software(s, sw);
			free(sw);
			break;
		}
		case 8:
		case 9: {
			size_t got;
			const uint8_t *p = fz_take(&f, fz_u8(&f), &got);
			uint8_t *t = fz_dup(p, got);
			if (op % 16 == 8)
				sess_add_auth_mech(s, t, got);
			else
				sess_set_sni(s, t, got);
			free(t);
			break;
		}
		case 10:
			switch ((op >> 4) & 3) {
			case 0: sess_starttls_offered(s); break;
			case 1: sess_starttls_requested(s, frame); break;
			case 2: sess_starttls_reply(s, op & 0x40, frame); break;
			case 3: sess_tls_seen(s, frame); break;
			}
			break;
		case 11: {
			uint8_t k = (op >> 4) & 3;
			if (k == 0 || !msg) {
				char *cmd = take_str(&f, 100);
				msg = sess_msg_begin(s, dir, cmd, frame);
				free(cmd);
			} else if (k == 3) {
				sess_msg_end(s, msg, op & 0x40);
				msg = NULL;
			} else {
				size_t got;
				const uint8_t *p = fz_take(&f, fz_u16(&f) % 4096, &got);
				uint8_t *t = fz_dup(p, got);
				sess_msg_data(s, msg, t, got, frame);
				free(t);
			}
			break;
		}
		case 12: {
			char *a = take_str(&f, sizeof(s->ndpi) - 1);
			char *b = take_str(&f, 255);
			memcpy(s->ndpi, a, strlen(a) + 1);
			free(s->ndpi_risks);   /* owned by the session */
			s->ndpi_risks = *b ? b : NULL;
			if (!*b)
				free(b);
			s->ndpi_guessed = op & 0x80;
			free(a);
			break;
		}
		case 14:
			s->proto = (enum mt_proto)((op >> 4) % 6);
			s->tls = (enum mt_tls)((op >> 6) % 3);
			s->syn_seen = op & 0x80;
			break;
		case 15:
			s->bytes_c2s = fz_u32(&f);
			s->bytes_s2c = (uint64_t)fz_u32(&f) << 20;
			s->gap_bytes = fz_u16(&f);
			s->packets = fz_u16(&f);
			s->end_ns = s->start_ns + fz_u32(&f) * 1000000ull;
			break;
		}
	}

	struct mt_sbuf out;
	mt_sbuf_init(&out);
	char *hashes = NULL;
	size_t hlen = 0;
	FILE *hf = open_memstream(&hashes, &hlen);
	int nhash = 0;
	for (size_t i = 0; i < ns; i++) {
		mt_session_finish(ss[i]);
		mt_json_session(&out, ss[i], &jo);
		nhash += mt_hashes_write(hf, ss[i]);
		for (size_t k = 0; k < ss[i]->nmsgs; k++) {
			char name[128];
			mt_export_name(name, sizeof(name), ss[i], k);
			if (strchr(name, '/') || name[0] == '.' || strstr(name, ".."))
				fz_fail("unsafe export name", name, strlen(name), 0);
			fz_check_term(name, strlen(name));
		}
	}
	fclose(hf);
	size_t lines = 0;
	for (size_t i = 0; i < hlen; i++)
		lines += hashes[i] == '\n';
	if (lines != (size_t)nhash)
		fz_fail("a hash record is not exactly one line", hashes, hlen, 0);
	free(hashes);
	mt_json_summary(&out, &m);
	fz_check_json_lines(out.s, out.len);
	mt_sbuf_free(&out);

	char *txt = NULL;
	size_t txtlen = 0;
	FILE *fp = open_memstream(&txt, &txtlen);
	mt_report_text(fp, &m, reveal);
	fclose(fp);
	fz_check_term(txt, txtlen);
	free(txt);
	mt_model_free(&m);
	return 0;
}
