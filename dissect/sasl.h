/* sasl.h - decoders for the SASL mechanisms mail clients use (RFC 4422),
 * shared by SMTP AUTH (RFC 4954), POP3 AUTH (RFC 5034) and IMAP
 * AUTHENTICATE (RFC 3501 §6.2.2).
 *
 * The decoders take one client or server message after base64 decoding,
 * read only p[0..n) (no NUL termination needed, NULs are data), never
 * allocate, and answer with spans into the input. What a dissector shows
 * and which credential fields it fills stay in the dissector; the few
 * renderings that all of them share are here too. */
#ifndef MT_SASL_H
#define MT_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"
#include "strutil.h"

/* ---- mechanism names (RFC 4422 §3.1) ---- */

enum mt_sasl_mech {
	MT_SASL_OTHER = 0,
	MT_SASL_LOGIN,        /* draft-murchison-sasl-login */
	MT_SASL_PLAIN,        /* RFC 4616 */
	MT_SASL_CRAM_MD5,     /* RFC 2195 */
	MT_SASL_XOAUTH2,      /* Google's, same fields as OAUTHBEARER */
	MT_SASL_OAUTHBEARER,  /* RFC 7628 */
	MT_SASL_NTLM,         /* [MS-NLMP] inside SASL ([MS-SMTPNTLM] etc.) */
	MT_SASL_SCRAM,        /* RFC 5802, any SCRAM-* */
	MT_SASL_DIGEST_MD5,   /* RFC 2831 */
};

/* The mechanism a name (as mt_sasl_mech_name wrote it: upper case) names;
 * MT_SASL_OTHER for anything else, NULL included. */
enum mt_sasl_mech mt_sasl_mech_of(const char *name);

/* Copies the mechanism name p[0..n) into out (size outsz, NUL-terminated,
 * cut to outsz - 1 bytes) upper-cased, each byte outside the RFC 4422 §3.1
 * alphabet (A-Z 0-9 '-' '_') as '?': the name becomes public text. */
void mt_sasl_mech_name(char *out, size_t outsz, const uint8_t *p, size_t n);

/* The public mechanism string of a credential (docs/hacking.md): verb, a
 * space and the name ("AUTH PLAIN", "AUTHENTICATE NTLM"), cut to fit out
 * (pass sizeof(mt_credential.mechanism)). */
void mt_sasl_cred_mech(char *out, size_t outsz, const char *verb, const char *name);

/* ---- key=value lists ---- */

/* Finds the first element of p[0..n), elements separated by sep, that
 * starts with key (ASCII, case-insensitive, "user=" includes the '=');
 * *v is the rest of that element (may be empty). False if none. */
bool mt_sasl_find_kv(const uint8_t *p, size_t n, uint8_t sep, const char *key, struct mt_span *v);

/* Appends the RFC 5801 §4 saslname p[0..n) unescaped ("=2C" is ',',
 * "=3D" is '='; any other '=' is kept as it is). */
void mt_sasl_saslname_unescape(struct mt_sbuf *b, const uint8_t *p, size_t n);

/* ---- PLAIN (RFC 4616 §2: [authzid] NUL authcid NUL passwd) ---- */

struct mt_sasl_plain {
	struct mt_span authzid, authcid, passwd;
};

/* Splits a PLAIN message at its first two NULs; the password is all that
 * follows the second (NULs included). False, *out untouched, when there
 * are fewer than two NULs. */
bool mt_sasl_plain_split(const uint8_t *p, size_t n, struct mt_sasl_plain *out);

/* Appends `authzid="…" user="…" pass="…"` to dec and the same with
 * `pass="********"` to masked (either may be NULL), quoted as q says. */
void mt_sasl_plain_text(struct mt_sbuf *dec, struct mt_sbuf *masked, const struct mt_sasl_plain *pl,
                        enum mt_quote q);

/* ---- LOGIN (draft-murchison-sasl-login-00 §2) ---- */

enum mt_sasl_login_role { MT_SASL_LOGIN_USER, MT_SASL_LOGIN_PASS };

/* Which field the client's step-th message (0 = the first, an initial
 * response included) carries. The draft fixes the order user, password;
 * when the server's decoded prompt p[0..n) is given (n > 0) and names the
 * field ("Password:", "Username:"), the prompt wins: "pass" anywhere makes
 * it the password, else "user" anywhere makes it the user name. */
enum mt_sasl_login_role mt_sasl_login_role(unsigned step, const uint8_t *prompt, size_t n);

/* ---- CRAM-MD5 (RFC 2195 §2: user SP digest) ---- */

/* Splits a CRAM-MD5 response at its last space (user names may hold
 * spaces, the 32-hex-digit digest does not). Without a space it returns
 * false with *user the whole message and *digest empty (at its end). */
bool mt_sasl_cram_split(const uint8_t *p, size_t n, struct mt_span *user, struct mt_span *digest);

/* Appends `user="…" digest="…"`, quoted as q says. */
void mt_sasl_cram_text(struct mt_sbuf *b, struct mt_span user, struct mt_span digest, enum mt_quote q);

/* ---- XOAUTH2 and OAUTHBEARER (RFC 7628 §3.1) ---- */

struct mt_sasl_oauth {
	bool has_user;          /* XOAUTH2 user= / OAUTHBEARER gs2 authzid seen */
	bool has_auth;          /* an auth= pair seen */
	bool bearer;            /* its value starts "Bearer " (RFC 6750 §2.1) */
	struct mt_span user;    /* XOAUTH2: the user= value; OAUTHBEARER: the
	                         * a= saslname, still escaped (RFC 5801 §4) */
	struct mt_span auth;    /* the whole auth= value */
	struct mt_span token;   /* auth without "Bearer " when bearer, else auth */
};

/* XOAUTH2 initial response: "user=" u ^A "auth=Bearer " token ^A ^A.
 * Pairs are ^A-separated; the first user= and the first auth= count (keys
 * case-insensitive, values may be empty). Returns has_user || has_auth. */
bool mt_sasl_xoauth2_parse(const uint8_t *p, size_t n, struct mt_sasl_oauth *o);

/* OAUTHBEARER initial response: gs2-header ("n,a=user," — the authzid is
 * the second ','-separated field of what precedes the first ^A, when it
 * starts "a=" and is not empty), then ^A-separated kvpairs, of which the
 * first auth= counts (case-insensitive). A message without a gs2 header
 * (only pairs) still yields auth=. Returns has_user || has_auth. */
bool mt_sasl_oauthbearer_parse(const uint8_t *p, size_t n, struct mt_sasl_oauth *o);

/* ---- NTLM ([MS-NLMP] §2.2.1) ---- */

/* A security buffer (Len, MaxLen, Offset): ok when its 8-byte header lies
 * inside the message and Offset + Len does too; p/n are then the bytes. */
struct mt_ntlm_buf {
	bool ok;
	const uint8_t *p;
	size_t n;
};

struct mt_ntlm {
	uint32_t type;                 /* MessageType: 1 negotiate, 2 challenge, 3 authenticate */
	const uint8_t *challenge;      /* type 2: the 8-byte ServerChallenge, NULL if cut (n < 32) */
	bool has_flags;                /* type 3: NegotiateFlags present (n >= 64; NTLMv1-era
	                                * clients sent 52-byte headers without them) */
	uint32_t flags;                /* type 3 NegotiateFlags, 0 when absent */
	struct mt_ntlm_buf lm, nt;     /* type 3 LmChallengeResponse, NtChallengeResponse */
	struct mt_ntlm_buf domain, user, workstation;   /* type 3 */
};

#define MT_NTLM_NEGOTIATE_UNICODE 0x00000001u   /* [MS-NLMP] §2.2.2.5 flag A */

/* Parses the fixed part of an NTLMSSP message p[0..n): false when it is
 * not one (n < 12 or no "NTLMSSP\0" signature). Every offset and length
 * is checked against n; a field that points outside is !ok, the rest of
 * the message still parses. */
bool mt_ntlm_parse(const uint8_t *p, size_t n, struct mt_ntlm *m);

/* Appends an NTLM string field as UTF-8: UTF-16LE when unicode (BMP only,
 * a surrogate code unit becomes '?', an odd last byte is dropped), else
 * the OEM bytes as they are. Nothing when !f->ok. */
void mt_ntlm_add_str(struct mt_sbuf *b, const struct mt_ntlm_buf *f, bool unicode);

/* Appends "DOMAIN\user" (UTF-8, as mt_ntlm_add_str): the domain and the
 * backslash only when the domain decodes to something. */
void mt_ntlm_who(struct mt_sbuf *b, const struct mt_ntlm *m, bool unicode);

/* "DOMAIN\user" one byte a character, as POP3 has always shown it: the low
 * byte of each UTF-16LE code unit (each byte when not unicode), '?' for a
 * code unit above 0xFF or a control; bytes 0x80-0xFF stay (Latin-1). Needs
 * m->has_flags and both fields ok, else false. Writes at most outsz - 2
 * bytes to out (not NUL-terminated) and their count to *len. */
bool mt_ntlm_who_8bit(const struct mt_ntlm *m, char *out, size_t outsz, size_t *len);

#endif
