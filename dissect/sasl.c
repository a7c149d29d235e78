/* sasl.c - SASL mechanism decoders shared by the SMTP, POP3 and IMAP
 * dissectors (see sasl.h). Every read is bounded by the message length;
 * wire lengths and offsets are checked before use and never size an
 * allocation. */
#include "sasl.h"

#include <stdio.h>
#include <string.h>

/* ---- mechanism names ---- */

enum mt_sasl_mech mt_sasl_mech_of(const char *name)
{
	static const struct { const char *name; enum mt_sasl_mech mech; } tab[] = {
		{ "LOGIN", MT_SASL_LOGIN },
		{ "PLAIN", MT_SASL_PLAIN },
		{ "CRAM-MD5", MT_SASL_CRAM_MD5 },
		{ "XOAUTH2", MT_SASL_XOAUTH2 },
		{ "OAUTHBEARER", MT_SASL_OAUTHBEARER },
		{ "NTLM", MT_SASL_NTLM },
		{ "DIGEST-MD5", MT_SASL_DIGEST_MD5 },
	};
	if (!name)
		return MT_SASL_OTHER;
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (!strcmp(name, tab[i].name))
			return tab[i].mech;
	if (!strncmp(name, "SCRAM-", 6))   /* RFC 5802 §4: SCRAM-<hash>[-PLUS] */
		return MT_SASL_SCRAM;
	return MT_SASL_OTHER;
}

void mt_sasl_mech_name(char *out, size_t outsz, const uint8_t *p, size_t n)
{
	mt_upper_copy(out, outsz, p, n);
	for (char *c = out; outsz && *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
			*c = '?';   /* RFC 4422 §3.1: anything else is not a mechanism name */
}

void mt_sasl_cred_mech(char *out, size_t outsz, const char *verb, const char *name)
{
	if (outsz)
		snprintf(out, outsz, "%s %s", verb, name);
}

/* ---- key=value lists ---- */

bool mt_sasl_find_kv(const uint8_t *p, size_t n, uint8_t sep, const char *key, struct mt_span *v)
{
	size_t k = strlen(key);
	size_t i = 0;
	while (i < n) {
		const uint8_t *e = memchr(p + i, sep, n - i);
		size_t end = e ? (size_t)(e - p) : n;
		if (end - i >= k && mt_kw_prefix(p + i, end - i, key)) {
			v->p = p + i + k;
			v->n = end - i - k;
			return true;
		}
		i = end + 1;
	}
	return false;
}

void mt_sasl_saslname_unescape(struct mt_sbuf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '=' && i + 2 < n && p[i + 1] == '2' && (p[i + 2] == 'C' || p[i + 2] == 'c')) {
			mt_sbuf_addc(b, ',');
			i += 2;
		} else if (p[i] == '=' && i + 2 < n && p[i + 1] == '3' && (p[i + 2] == 'D' || p[i + 2] == 'd')) {
			mt_sbuf_addc(b, '=');
			i += 2;
		} else {
			mt_sbuf_addc(b, (char)p[i]);
		}
	}
}

/* ---- PLAIN ---- */

bool mt_sasl_plain_split(const uint8_t *p, size_t n, struct mt_sasl_plain *out)
{
	const uint8_t *n1 = n ? memchr(p, 0, n) : NULL;
	if (!n1)
		return false;
	size_t a = (size_t)(n1 - p);
	const uint8_t *n2 = memchr(n1 + 1, 0, n - a - 1);
	if (!n2)
		return false;
	size_t u = (size_t)(n2 - n1 - 1);
	out->authzid = (struct mt_span){ p, a };
	out->authcid = (struct mt_span){ n1 + 1, u };
	out->passwd = (struct mt_span){ n2 + 1, n - a - 1 - u - 1 };
	return true;
}

void mt_sasl_plain_text(struct mt_sbuf *dec, struct mt_sbuf *masked, const struct mt_sasl_plain *pl,
                        enum mt_quote q)
{
	for (int i = 0; i < 2; i++) {
		struct mt_sbuf *b = i ? masked : dec;
		if (!b)
			continue;
		mt_sbuf_adds(b, "authzid=");
		mt_sbuf_add_quoted(b, pl->authzid.p, pl->authzid.n, q);
		mt_sbuf_adds(b, " user=");
		mt_sbuf_add_quoted(b, pl->authcid.p, pl->authcid.n, q);
		mt_sbuf_adds(b, " pass=");
		if (i)
			mt_sbuf_adds(b, "\"********\"");
		else
			mt_sbuf_add_quoted(b, pl->passwd.p, pl->passwd.n, q);
	}
}

/* ---- LOGIN ---- */

enum mt_sasl_login_role mt_sasl_login_role(unsigned step, const uint8_t *prompt, size_t n)
{
	if (prompt && n) {
		if (mt_find_ci(prompt, n, "pass") >= 0)
			return MT_SASL_LOGIN_PASS;
		if (mt_find_ci(prompt, n, "user") >= 0)
			return MT_SASL_LOGIN_USER;
	}
	return step ? MT_SASL_LOGIN_PASS : MT_SASL_LOGIN_USER;
}

/* ---- CRAM-MD5 ---- */

bool mt_sasl_cram_split(const uint8_t *p, size_t n, struct mt_span *user, struct mt_span *digest)
{
	for (size_t i = n; i-- > 0;) {
		if (p[i] == ' ') {
			*user = (struct mt_span){ p, i };
			*digest = (struct mt_span){ p + i + 1, n - i - 1 };
			return true;
		}
	}
	*user = (struct mt_span){ p, n };
	*digest = (struct mt_span){ p + n, 0 };
	return false;
}

void mt_sasl_cram_text(struct mt_sbuf *b, struct mt_span user, struct mt_span digest, enum mt_quote q)
{
	mt_sbuf_adds(b, "user=");
	mt_sbuf_add_quoted(b, user.p, user.n, q);
	mt_sbuf_adds(b, " digest=");
	mt_sbuf_add_quoted(b, digest.p, digest.n, q);
}

/* ---- XOAUTH2, OAUTHBEARER ---- */

/* auth= among the ^A-separated pairs of p[0..n), with its Bearer token. */
static void oauth_auth(const uint8_t *p, size_t n, struct mt_sasl_oauth *o)
{
	struct mt_span v;
	if (!mt_sasl_find_kv(p, n, 0x01, "auth=", &v))
		return;
	o->has_auth = true;
	o->auth = v;
	o->token = v;
	/* RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; the scheme
	 * name is case-insensitive (RFC 7235 §2.1) */
	if (mt_kw_prefix(v.p, v.n, "Bearer ")) {
		o->bearer = true;
		o->token.p += 7;
		o->token.n -= 7;
	}
}

bool mt_sasl_xoauth2_parse(const uint8_t *p, size_t n, struct mt_sasl_oauth *o)
{
	memset(o, 0, sizeof(*o));
	o->has_user = mt_sasl_find_kv(p, n, 0x01, "user=", &o->user);
	oauth_auth(p, n, o);
	return o->has_user || o->has_auth;
}

bool mt_sasl_oauthbearer_parse(const uint8_t *p, size_t n, struct mt_sasl_oauth *o)
{
	memset(o, 0, sizeof(*o));
	/* RFC 7628 §3.1: gs2-header = gs2-cbind-flag "," [ authzid ] ","
	 * (RFC 5801 §4), authzid = "a=" saslname (1 or more characters) */
	const uint8_t *a1 = n ? memchr(p, 0x01, n) : NULL;
	size_t h = a1 ? (size_t)(a1 - p) : n;
	const uint8_t *c1 = h ? memchr(p, ',', h) : NULL;
	const uint8_t *c2 = c1 ? memchr(c1 + 1, ',', h - (size_t)(c1 + 1 - p)) : NULL;
	if (c2 && c2 - c1 > 3 && c1[1] == 'a' && c1[2] == '=') {
		o->has_user = true;
		o->user = (struct mt_span){ c1 + 3, (size_t)(c2 - c1 - 3) };
	}
	oauth_auth(p, n, o);
	return o->has_user || o->has_auth;
}

/* ---- NTLM ---- */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* [MS-NLMP] §2.2.1.3: a security buffer header at off. */
static struct mt_ntlm_buf ntlm_buf(const uint8_t *p, size_t n, size_t off)
{
	struct mt_ntlm_buf f = { false, NULL, 0 };
	if (n < 8 || off > n - 8)
		return f;
	size_t len = le16(p + off);
	size_t at = le32(p + off + 4);
	if (at > n || len > n - at)
		return f;   /* points outside the message */
	f.ok = true;
	f.p = p + at;
	f.n = len;
	return f;
}

bool mt_ntlm_parse(const uint8_t *p, size_t n, struct mt_ntlm *m)
{
	memset(m, 0, sizeof(*m));
	if (n < 12 || memcmp(p, "NTLMSSP", 8) != 0)   /* the signature includes its NUL */
		return false;
	m->type = le32(p + 8);
	if (m->type == 2 && n >= 32)
		m->challenge = p + 24;   /* §2.2.1.2: after TargetName (8) and NegotiateFlags (4) */
	if (m->type == 3) {
		/* §2.2.1.3: Lm, Nt, Domain, User, Workstation, then
		 * EncryptedRandomSessionKey at 52 and NegotiateFlags at 60 */
		m->lm = ntlm_buf(p, n, 12);
		m->nt = ntlm_buf(p, n, 20);
		m->domain = ntlm_buf(p, n, 28);
		m->user = ntlm_buf(p, n, 36);
		m->workstation = ntlm_buf(p, n, 44);
		if (n >= 64) {
			m->has_flags = true;
			m->flags = le32(p + 60);
		}
	}
	return true;
}

void mt_ntlm_add_str(struct mt_sbuf *b, const struct mt_ntlm_buf *f, bool unicode)
{
	if (!f->ok)
		return;
	if (!unicode) {
		mt_sbuf_add(b, f->p, f->n);
		return;
	}
	for (size_t i = 0; i + 1 < f->n; i += 2) {
		unsigned c = le16(f->p + i);
		if (c >= 0xd800 && c <= 0xdfff)
			c = '?';   /* a surrogate: pairs are not joined */
		if (c < 0x80) {
			mt_sbuf_addc(b, (char)c);
		} else if (c < 0x800) {
			mt_sbuf_addc(b, (char)(0xc0 | c >> 6));
			mt_sbuf_addc(b, (char)(0x80 | (c & 0x3f)));
		} else {
			mt_sbuf_addc(b, (char)(0xe0 | c >> 12));
			mt_sbuf_addc(b, (char)(0x80 | ((c >> 6) & 0x3f)));
			mt_sbuf_addc(b, (char)(0x80 | (c & 0x3f)));
		}
	}
}

void mt_ntlm_who(struct mt_sbuf *b, const struct mt_ntlm *m, bool unicode)
{
	size_t before = b->len;
	mt_ntlm_add_str(b, &m->domain, unicode);
	if (b->len > before)
		mt_sbuf_addc(b, '\\');
	mt_ntlm_add_str(b, &m->user, unicode);
}

bool mt_ntlm_who_8bit(const struct mt_ntlm *m, char *out, size_t outsz, size_t *len)
{
	if (!m->has_flags || !m->domain.ok || !m->user.ok)
		return false;
	bool uni = m->flags & MT_NTLM_NEGOTIATE_UNICODE;
	size_t o = 0;
	const struct mt_ntlm_buf *f[2] = { &m->domain, &m->user };
	for (int k = 0; k < 2; k++) {
		const uint8_t *p = f[k]->p;
		size_t n = f[k]->n;
		if (k == 0 && !n)
			continue;   /* no domain, no backslash */
		for (size_t i = 0; i < n && o + 2 < outsz; i += uni ? 2 : 1) {
			uint8_t ch = p[i];
			out[o++] = (char)((uni && i + 1 < n && p[i + 1]) || ch < 0x20 ? '?' : ch);
		}
		if (k == 0 && o + 2 < outsz)
			out[o++] = '\\';
	}
	*len = o;
	return true;
}
