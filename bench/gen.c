/* gen.c - deterministic generator of a large mixed mail capture for the
 * benchmark (issue 7), with a ground-truth file of every credential.
 *
 * Writes classic pcap records (Ethernet / IPv4 / TCP, valid IP and TCP
 * checksums) straight to the file: no libpcap, no per-packet allocation.
 * Hundreds (or up to 100k, for the scaling runs) of sessions are open at
 * once; every tick picks one of them at random and emits its next packet(s),
 * so sessions interleave at packet granularity. A session is a script of
 * steps (one direction's write each); large steps (mail messages, TLS
 * application data, HTTP bodies) are produced line by line while they are
 * sent, so memory follows the number of open sessions, not the file size.
 *
 * Usage: gen [-o FILE] [-t TRUTH] [-s SIZE_MB] [-S SEED] [-c FLOWS] [-l]
 *   -o   output capture (default bench/data/mail.pcap)
 *   -t   ground truth, JSON lines (default: FILE with .truth.jsonl appended)
 *   -s   target size in MB (10^6 bytes; default 400): no session is started
 *        after it; the open ones are finished, so the file is a bit larger
 *   -S   seed (default 1): same seed and options, same bytes
 *   -c   concurrent sessions (default 300)
 *   -l   light mix for the scaling runs: mail only, messages of 2-4 KB
 *
 * Ground truth: one {"type":"session",...} line per session (client,
 * server, proto, kind, starttls, tls, messages) and one
 * {"type":"credential",...} line per authentication attempt sent in clear
 * (client, server, proto, mechanism, username, password or challenge and
 * response, outcome, typed), in session order.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define MSS 1460
#define MAX_STEPS_HINT 32

/* ---- random numbers: xoshiro256**, seeded by splitmix64 ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rnd(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return res;
}

/* Uniform in [lo, hi]. */
static uint32_t rr(struct rng *r, uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rnd(r) % ((uint64_t)hi - lo + 1));
}

static bool chance(struct rng *r, double p)
{
	return (double)(rnd(r) >> 11) * (1.0 / 9007199254740992.0) < p;
}

/* Roughly log-uniform in [lo, hi]: many small, some large. */
static uint32_t rlog(struct rng *r, uint32_t lo, uint32_t hi)
{
	double u = (double)(rnd(r) >> 11) * (1.0 / 9007199254740992.0);
	double v = (double)lo * __builtin_pow((double)hi / lo, u);
	return (uint32_t)v;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "gen: out of memory\n");
		exit(1);
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "gen: out of memory\n");
		exit(1);
	}
	return p;
}

/* ---- growable byte buffer ---- */

struct buf {
	uint8_t *p;
	size_t n, cap;
};

static void b_add(struct buf *b, const void *p, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void b_addc(struct buf *b, uint8_t c)
{
	b_add(b, &c, 1);
}

static void b_adds(struct buf *b, const char *s)
{
	b_add(b, s, strlen(s));
}

static void b_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void b_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (k < 0)
		return;
	if ((size_t)k < sizeof(tmp)) {
		b_add(b, tmp, (size_t)k);
		return;
	}
	char *big = xmalloc((size_t)k + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)k + 1, fmt, ap);
	va_end(ap);
	b_add(b, big, (size_t)k);
	free(big);
}

static void b_be16(struct buf *b, unsigned v)
{
	b_addc(b, (uint8_t)(v >> 8));
	b_addc(b, (uint8_t)v);
}

static void b_be24(struct buf *b, unsigned v)
{
	b_addc(b, (uint8_t)(v >> 16));
	b_be16(b, v & 0xffff);
}

static void b_rand(struct buf *b, struct rng *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b_addc(b, (uint8_t)rnd(r));
}

/* ---- base64, hex, MD5, HMAC-MD5 ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64(const uint8_t *p, size_t n)
{
	char *o = xmalloc(n / 3 * 4 + 8), *q = o;
	size_t i = 0;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*q++ = B64[v >> 18];
		*q++ = B64[(v >> 12) & 63];
		*q++ = B64[(v >> 6) & 63];
		*q++ = B64[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		*q++ = B64[v >> 18];
		*q++ = B64[(v >> 12) & 63];
		*q++ = i + 1 < n ? B64[(v >> 6) & 63] : '=';
		*q++ = '=';
	}
	*q = 0;
	return o;
}

static char *b64s(const char *s)
{
	return b64((const uint8_t *)s, strlen(s));
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* APOP digest, RFC 1939 §7: MD5(timestamp secret) in lower-case hex. */
static void apop_digest(const char *ts, const char *pass, char out[33])
{
	struct buf b = { 0 };
	b_adds(&b, ts);
	b_adds(&b, pass);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	EVP_Digest(b.p, b.n, md, &mdlen, EVP_md5(), NULL);
	hex(md, 16, out);
	free(b.p);
}

/* CRAM-MD5 digest, RFC 2195 §2: HMAC-MD5 keyed by the secret over the challenge. */
static void cram_digest(const char *chal, const char *pass, char out[33])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	HMAC(EVP_md5(), pass, (int)strlen(pass), (const uint8_t *)chal, strlen(chal), md, &mdlen);
	hex(md, 16, out);
}

/* ---- words, names, passwords ---- */

static const char *const WORDS[] = {
	"the", "report", "meeting", "quarterly", "budget", "please", "find", "attached", "review", "draft",
	"network", "lab", "packet", "capture", "server", "mailbox", "schedule", "tomorrow", "results", "thanks",
	"regards", "project", "update", "invoice", "minutes", "agenda", "student", "exercise", "protocol", "answer",
	"question", "deadline", "summary", "and", "of", "to", "for", "with", "on", "at", "is", "are", "we", "you",
	"our", "this", "that", "will", "can", "should", "data", "figure", "table", "section", "appendix", "version",
};
#define NWORDS (sizeof(WORDS) / sizeof(WORDS[0]))

static const char *const FIRST[] = { "alice", "bob", "carol", "dmitri", "erika", "farid", "grace", "hiroshi",
	"ines", "jamal", "katarzyna", "liam", "mei", "nikolai", "olga", "pedro", "quentin", "rosa", "sven",
	"tatiana", "ulrich", "valentina", "wojciech", "xiu", "yusuf", "zoe" };
static const char *const LAST[] = { "smith", "ivanova", "mueller", "garcia", "nakamura", "okafor",
	"kowalski", "lindqvist", "rossi", "dubois", "petrov", "haddad", "oconnor", "fernandes", "novak" };
static const char *const DOMAINS[] = { "example.com", "example.org", "mail.example.net",
	"student.uni-example.edu", "corp.example.co.uk", "labs.example.io" };

#define PICK(r, a) (a)[rnd(r) % (sizeof(a) / sizeof((a)[0]))]

/* A user name, often long (first.last.NNNN@department.domain: the mix nDPI
 * truncates), sometimes short. Only atom characters: safe everywhere. */
static char *make_user(struct rng *r)
{
	char u[128];
	int kind = (int)rr(r, 0, 9);
	if (kind < 2)
		snprintf(u, sizeof(u), "%s%u", PICK(r, FIRST), rr(r, 1, 99));
	else if (kind < 4)
		snprintf(u, sizeof(u), "%s.%s@%s", PICK(r, FIRST), PICK(r, LAST), PICK(r, DOMAINS));
	else
		snprintf(u, sizeof(u), "%s.%s.%u@%s", PICK(r, FIRST), PICK(r, LAST), rr(r, 1000, 99999),
		         PICK(r, DOMAINS));
	return strdup(u);
}

/* A password of 6-30 characters. quoting: 0 = no quotes/backslashes/spaces
 * (safe in a POP3 or SMTP line), 1 = may hold '"' and '\' (IMAP quoted),
 * 2 = may also hold spaces (IMAP literal, base64 mechanisms). */
static char *make_pass(struct rng *r, int quoting)
{
	static const char alnum[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	static const char punct[] = "!#$%&*+-=?@^_~.,:;";
	uint32_t n = rr(r, 0, 9) < 7 ? rr(r, 8, 16) : rr(r, 6, 30);
	char *p = xmalloc(n + 8);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = rr(r, 0, 99);
		if (k < 80)
			p[i] = alnum[rnd(r) % (sizeof(alnum) - 1)];
		else if (k < 92)
			p[i] = punct[rnd(r) % (sizeof(punct) - 1)];
		else if (quoting >= 1 && k < 96)
			p[i] = k & 1 ? '"' : '\\';
		else if (quoting >= 2 && k < 99 && i > 0 && i + 1 < n)
			p[i] = ' ';
		else
			p[i] = (char)('0' + k % 10);
	}
	p[n] = 0;
	/* a few non-ASCII secrets where the mechanism carries them (base64) */
	if (quoting >= 2 && chance(r, 0.05)) {
		p = xrealloc(p, n + 8);
		strcpy(p + (n > 4 ? n - 4 : 0), "\xc3\xa4\xc3\xb6");   /* "äö" */
	}
	return p;
}

/* fills n printable bytes of word-like text (no leading space) */
static void fill_text(struct rng *r, char *o, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *w = WORDS[rnd(r) % NWORDS];
		size_t k = strlen(w);
		if (i && i < n) {
			o[i++] = ' ';
			if (i == n)
				break;
		}
		for (size_t j = 0; j < k && i < n; j++)
			o[i++] = w[j];
	}
	if (n && o[n - 1] == ' ')
		o[n - 1] = 'x';
}

/* ---- the ground truth writer ---- */

static FILE *g_truth;

static void j_str(const char *k, const char *v, bool comma)
{
	fprintf(g_truth, "%s\"%s\":", comma ? "," : "", k);
	if (!v) {
		fputs("null", g_truth);
		return;
	}
	fputc('"', g_truth);
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(g_truth, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(g_truth, "\\u%04x", *p);
		else
			fputc(*p, g_truth);
	}
	fputc('"', g_truth);
}

/* ---- sessions ---- */

enum kind { K_DATA, K_TYPED, K_ECHO, K_BODY, K_TLSAPP, K_HTTP };

struct step {
	uint8_t dir;         /* 0 client->server, 1 server->client */
	uint8_t kind;
	uint8_t stuff;       /* K_BODY: dot-stuff and end with ".\r\n" */
	uint32_t len;        /* K_DATA/K_TYPED/K_ECHO: bytes; K_BODY: raw message size; K_TLSAPP/K_HTTP: size */
	uint8_t *data;       /* K_DATA/K_TYPED/K_ECHO */
};

/* Streams a mail message of exactly L raw bytes, line by line: headers,
 * a text part (some lines starting with '.'), a base64 attachment, the
 * closing boundary. With stuff, lines starting with '.' get a second one
 * (RFC 5321 §4.5.2) and ".\r\n" ends the stream. */
struct bodygen {
	int phase;
	uint32_t text_left, b64_left;
	struct buf pre, att, close;
	char line[2048];
	size_t line_len, line_off;
	bool stuff;
};

struct tlsgen {
	uint32_t left, rec_left;
};

struct sess {
	uint64_t idx;
	struct rng r;
	uint32_t ip[2];
	uint16_t port[2];
	uint32_t seq[2];
	uint16_t ipid[2];
	uint8_t ttl[2];
	int phase;
	struct step *st;
	uint32_t nst, cap, cur;
	uint32_t soff;       /* bytes of the current step already read */
	bool started;        /* stream state of the current step set up */
	struct bodygen bg;
	struct tlsgen tg;
	uint32_t unacked;    /* data segments not yet acknowledged */
	bool light;
};

enum { PH_SYN, PH_SYNACK, PH_ACK, PH_DATA, PH_FIN1, PH_FIN2, PH_FIN3, PH_DONE };

static struct step *new_step(struct sess *s, int dir, int kind)
{
	if (s->nst == s->cap) {
		s->cap = s->cap ? s->cap * 2 : MAX_STEPS_HINT;
		s->st = xrealloc(s->st, s->cap * sizeof(*s->st));
	}
	struct step *t = &s->st[s->nst++];
	memset(t, 0, sizeof(*t));
	t->dir = (uint8_t)dir;
	t->kind = (uint8_t)kind;
	return t;
}

static void step_raw(struct sess *s, int dir, int kind, const void *p, size_t n)
{
	struct step *t = new_step(s, dir, kind);
	t->data = xmalloc(n + 1);
	memcpy(t->data, p, n);
	t->len = (uint32_t)n;
}

/* One write of text by the client (C) or the server (R). */
static void C(struct sess *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void C(struct sess *s, const char *fmt, ...)
{
	char tmp[8192];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if ((size_t)k >= sizeof(tmp))
		k = sizeof(tmp) - 1;
	step_raw(s, 0, K_DATA, tmp, k > 0 ? (size_t)k : 0);
}

static void R(struct sess *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void R(struct sess *s, const char *fmt, ...)
{
	char tmp[8192];
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if ((size_t)k >= sizeof(tmp))
		k = sizeof(tmp) - 1;
	step_raw(s, 1, K_DATA, tmp, k > 0 ? (size_t)k : 0);
}

/* Client keystrokes, one per segment ("\r\n" together, as Windows telnet
 * sends Enter), with an occasional typo fixed by backspace or DEL. */
static void typed(struct sess *s, const char *line, bool echo)
{
	struct buf b = { 0 };
	for (const char *p = line; *p; p++) {
		if (*p != '\r' && *p != '\n' && p != line && chance(&s->r, 0.04)) {
			b_addc(&b, (uint8_t)('a' + rr(&s->r, 0, 25)));
			b_addc(&b, chance(&s->r, 0.5) ? 0x08 : 0x7f);
		}
		b_addc(&b, (uint8_t)*p);
	}
	step_raw(s, 0, echo ? K_ECHO : K_TYPED, b.p, b.n);
	free(b.p);
}

static void body(struct sess *s, int dir, uint32_t L, bool stuff)
{
	struct step *t = new_step(s, dir, K_BODY);
	t->len = L;
	t->stuff = stuff;
}

static void tlsapp(struct sess *s, int dir, uint32_t n)
{
	struct step *t = new_step(s, dir, K_TLSAPP);
	t->len = n;
}

static uint32_t msg_size(struct sess *s)
{
	return s->light ? rr(&s->r, 2000, 4000) : rlog(&s->r, 2000, 50000);
}

/* ---- the TLS handshake bytes (RFC 8446 §4.1.2 ClientHello with SNI, RFC 6066 §3) ---- */

static void tls_client_hello(struct sess *s, const char *sni)
{
	struct rng *r = &s->r;
	struct buf e = { 0 }, h = { 0 }, rec = { 0 };
	size_t sn = strlen(sni);
	/* server_name */
	b_be16(&e, 0x0000);
	b_be16(&e, (unsigned)(sn + 5));
	b_be16(&e, (unsigned)(sn + 3));
	b_addc(&e, 0);
	b_be16(&e, (unsigned)sn);
	b_add(&e, sni, sn);
	static const uint8_t rest[] = {
		0x00, 0x0b, 0x00, 0x04, 0x03, 0x00, 0x01, 0x02,                          /* ec_point_formats */
		0x00, 0x0a, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18,
		0x00, 0x23, 0x00, 0x00,                                                  /* session_ticket */
		0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00,                          /* etm, ems */
		0x00, 0x0d, 0x00, 0x1e, 0x00, 0x1c, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07, 0x08, 0x08,
		0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01,
		0x06, 0x01,                                                              /* signature_algorithms */
		0x00, 0x2b, 0x00, 0x05, 0x04, 0x03, 0x04, 0x03, 0x03,                    /* supported_versions */
		0x00, 0x2d, 0x00, 0x02, 0x01, 0x01,                                      /* psk_key_exchange_modes */
		0x00, 0x33, 0x00, 0x26, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20,              /* key_share x25519 */
	};
	b_add(&e, rest, sizeof(rest));
	b_rand(&e, r, 32);
	static const uint8_t suites[] = { 0x13, 0x02, 0x13, 0x03, 0x13, 0x01, 0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f,
		0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28,
		0x00, 0x6b, 0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09,
		0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f,
		0x00, 0xff };
	b_be16(&h, 0x0303);
	b_rand(&h, r, 32);
	b_addc(&h, 32);
	b_rand(&h, r, 32);
	b_be16(&h, sizeof(suites));
	b_add(&h, suites, sizeof(suites));
	b_addc(&h, 1);
	b_addc(&h, 0);
	b_be16(&h, (unsigned)e.n);
	b_add(&h, e.p, e.n);
	b_addc(&rec, 0x16);
	b_be16(&rec, 0x0301);
	b_be16(&rec, (unsigned)(h.n + 4));
	b_addc(&rec, 0x01);
	b_be24(&rec, (unsigned)h.n);
	b_add(&rec, h.p, h.n);
	step_raw(s, 0, K_DATA, rec.p, rec.n);
	free(e.p);
	free(h.p);
	free(rec.p);
}

/* ServerHello (TLS 1.3), ChangeCipherSpec, then the encrypted flight. */
static void tls_server_flight(struct sess *s)
{
	struct rng *r = &s->r;
	struct buf h = { 0 }, rec = { 0 };
	b_be16(&h, 0x0303);
	b_rand(&h, r, 32);
	b_addc(&h, 32);
	b_rand(&h, r, 32);
	b_be16(&h, 0x1302);
	b_addc(&h, 0);
	static const uint8_t ext[] = { 0x00, 0x2e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
		0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20 };
	b_add(&h, ext, sizeof(ext));
	b_rand(&h, r, 32);
	b_addc(&rec, 0x16);
	b_be16(&rec, 0x0303);
	b_be16(&rec, (unsigned)(h.n + 4));
	b_addc(&rec, 0x02);
	b_be24(&rec, (unsigned)h.n);
	b_add(&rec, h.p, h.n);
	static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01 };
	b_add(&rec, ccs, sizeof(ccs));
	unsigned enc = rr(r, 2000, 4200);   /* EncryptedExtensions, Certificate, CertificateVerify, Finished */
	b_addc(&rec, 0x17);
	b_be16(&rec, 0x0303);
	b_be16(&rec, enc);
	b_rand(&rec, r, enc);
	step_raw(s, 1, K_DATA, rec.p, rec.n);
	free(h.p);
	free(rec.p);
}

static void tls_client_finish(struct sess *s)
{
	struct buf rec = { 0 };
	static const uint8_t ccs[] = { 0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03, 0x00, 0x35 };
	b_add(&rec, ccs, sizeof(ccs));
	b_rand(&rec, &s->r, 0x35);
	step_raw(s, 0, K_DATA, rec.p, rec.n);
	free(rec.p);
}

/* A whole TLS connection after the TCP handshake or a STARTTLS. */
static void tls_session(struct sess *s, const char *sni, uint32_t up, uint32_t down)
{
	tls_client_hello(s, sni);
	tls_server_flight(s);
	tls_client_finish(s);
	if (up)
		tlsapp(s, 0, up);
	if (down)
		tlsapp(s, 1, down);
}

/* ---- ground truth ---- */

struct cred {
	const char *mech, *user, *pass, *chal, *resp;
	bool ok, typed;
};

static void truth_session(struct sess *s, const char *proto, const char *kind, bool starttls, const char *tls,
                          unsigned msgs)
{
	char c[32], sv[32];
	snprintf(c, sizeof(c), "%u.%u.%u.%u:%u", s->ip[0] >> 24, (s->ip[0] >> 16) & 255, (s->ip[0] >> 8) & 255,
	         s->ip[0] & 255, s->port[0]);
	snprintf(sv, sizeof(sv), "%u.%u.%u.%u:%u", s->ip[1] >> 24, (s->ip[1] >> 16) & 255, (s->ip[1] >> 8) & 255,
	         s->ip[1] & 255, s->port[1]);
	fputc('{', g_truth);
	j_str("type", "session", false);
	j_str("client", c, true);
	j_str("server", sv, true);
	j_str("proto", proto, true);
	j_str("kind", kind, true);
	fprintf(g_truth, ",\"starttls\":%s", starttls ? "true" : "false");
	j_str("tls", tls, true);
	fprintf(g_truth, ",\"messages\":%u}\n", msgs);
}

static void truth_cred(struct sess *s, const char *proto, const struct cred *k)
{
	char c[32], sv[32];
	snprintf(c, sizeof(c), "%u.%u.%u.%u:%u", s->ip[0] >> 24, (s->ip[0] >> 16) & 255, (s->ip[0] >> 8) & 255,
	         s->ip[0] & 255, s->port[0]);
	snprintf(sv, sizeof(sv), "%u.%u.%u.%u:%u", s->ip[1] >> 24, (s->ip[1] >> 16) & 255, (s->ip[1] >> 8) & 255,
	         s->ip[1] & 255, s->port[1]);
	fputc('{', g_truth);
	j_str("type", "credential", false);
	j_str("client", c, true);
	j_str("server", sv, true);
	j_str("proto", proto, true);
	j_str("mechanism", k->mech, true);
	j_str("username", k->user, true);
	j_str("password", k->pass, true);
	j_str("challenge", k->chal, true);
	j_str("response", k->resp, true);
	j_str("outcome", k->ok ? "success" : "failure", true);
	fprintf(g_truth, ",\"typed\":%s}\n", k->typed ? "true" : "false");
}

/* How many attempts, and whether the last one succeeds:
 * 70% one good; 22% a bad one then a good one; 5% one or two bad and quit;
 * 3% six bad (a brute_force warning) and quit. */
static int attempts(struct sess *s, bool *last_ok)
{
	uint32_t k = rr(&s->r, 0, 99);
	*last_ok = true;
	if (k < 70)
		return 1;
	if (k < 92)
		return 2;
	*last_ok = false;
	if (k < 97)
		return (int)rr(&s->r, 1, 2);
	return 6;
}

static char *wrong_pass(struct sess *s, const char *good, int quoting)
{
	char *p = make_pass(&s->r, quoting);
	if (!strcmp(p, good)) {
		p = xrealloc(p, strlen(p) + 2);
		strcat(p, "x");
	}
	return p;
}

/* ---- SMTP (RFC 5321, 4954, 3207, 2920) ---- */

static const char *SMTP_SW[] = { "ESMTP Postfix (Debian/GNU)", "ESMTP Exim 4.96 Mon, 04 Mar 2024 09:00:00 +0000",
	"ESMTP Sendmail 8.17.1.9/8.17.1.9; ready", "Microsoft ESMTP MAIL Service ready" };

static void smtp_ehlo(struct sess *s, const char *host, bool starttls)
{
	R(s, "220 %s %s\r\n", host, PICK(&s->r, SMTP_SW));
	C(s, "EHLO client%u.example.org\r\n", (unsigned)(s->idx % 1000));
	R(s, "250-%s\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250-VRFY\r\n250-ETRN\r\n%s"
	     "250-AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
	     "250-DSN\r\n250 SMTPUTF8\r\n",
	  host, starttls ? "250-STARTTLS\r\n" : "");
}

static void smtp_message(struct sess *s, const char *from)
{
	uint32_t L = msg_size(s);
	const char *to = PICK(&s->r, DOMAINS);
	if (chance(&s->r, 0.4)) {
		/* RFC 2920 pipelining: MAIL, RCPT and DATA in one write */
		C(s, "MAIL FROM:<%s> SIZE=%u\r\nRCPT TO:<%s.%s@%s>\r\nDATA\r\n", from, L, PICK(&s->r, FIRST),
		  PICK(&s->r, LAST), to);
		R(s, "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n");
	} else {
		C(s, "MAIL FROM:<%s>\r\n", from);
		R(s, "250 2.1.0 Ok\r\n");
		C(s, "RCPT TO:<%s.%s@%s>\r\n", PICK(&s->r, FIRST), PICK(&s->r, LAST), to);
		R(s, "250 2.1.5 Ok\r\n");
		C(s, "DATA\r\n");
		R(s, "354 End data with <CR><LF>.<CR><LF>\r\n");
	}
	body(s, 0, L, true);
	R(s, "250 2.0.0 Ok: queued as %08X%02X\r\n", (unsigned)rnd(&s->r), (unsigned)(s->idx & 255));
}

/* One AUTH exchange; returns nothing, writes the truth line. */
static void smtp_auth(struct sess *s, const char *host, int mech, const char *user, const char *pass, bool ok)
{
	struct cred k = { 0 };
	k.user = user;
	k.ok = ok;
	const char *okl = "235 2.7.0 Authentication successful\r\n";
	const char *bad = "535 5.7.8 Error: authentication failed: authentication failure\r\n";
	char *u64 = b64s(user), *p64 = b64s(pass);
	switch (mech) {
	case 0:   /* LOGIN, prompts (RFC 4954 practice; draft-murchison-sasl-login) */
		k.mech = "AUTH LOGIN";
		k.pass = pass;
		C(s, "AUTH LOGIN\r\n");
		R(s, "334 VXNlcm5hbWU6\r\n");
		C(s, "%s\r\n", u64);
		R(s, "334 UGFzc3dvcmQ6\r\n");
		C(s, "%s\r\n", p64);
		break;
	case 1:   /* LOGIN with initial response (RFC 4954 §4) */
		k.mech = "AUTH LOGIN";
		k.pass = pass;
		C(s, "AUTH LOGIN %s\r\n", u64);
		R(s, "334 UGFzc3dvcmQ6\r\n");
		C(s, "%s\r\n", p64);
		break;
	case 2:   /* PLAIN inline (RFC 4616 §2) */
	case 3: { /* PLAIN after an empty 334 */
		k.mech = "AUTH PLAIN";
		k.pass = pass;
		struct buf b = { 0 };
		b_addc(&b, 0);
		b_adds(&b, user);
		b_addc(&b, 0);
		b_adds(&b, pass);
		char *pl = b64(b.p, b.n);
		if (mech == 2) {
			C(s, "AUTH PLAIN %s\r\n", pl);
		} else {
			C(s, "AUTH PLAIN\r\n");
			R(s, "334 \r\n");
			C(s, "%s\r\n", pl);
		}
		free(pl);
		free(b.p);
		break;
	}
	case 4: { /* CRAM-MD5 (RFC 2195) */
		char chal[128], dig[33], line[512];
		snprintf(chal, sizeof(chal), "<%u.%u@%s>", rr(&s->r, 1000, 99999), rr(&s->r, 100000000, 999999999),
		         host);
		cram_digest(chal, pass, dig);
		snprintf(line, sizeof(line), "%s %s", user, dig);
		char *c64 = b64s(chal), *r64 = b64s(line);
		k.mech = "AUTH CRAM-MD5";
		k.chal = strdup(chal);
		k.resp = strdup(dig);
		C(s, "AUTH CRAM-MD5\r\n");
		R(s, "334 %s\r\n", c64);
		C(s, "%s\r\n", r64);
		free(c64);
		free(r64);
		break;
	}
	default: { /* XOAUTH2 (Google's SASL XOAUTH2 format) */
		struct buf b = { 0 };
		b_printf(&b, "user=%s\001auth=Bearer %s\001\001", user, pass);
		char *x = b64(b.p, b.n);
		k.mech = "AUTH XOAUTH2";
		k.pass = pass;
		C(s, "AUTH XOAUTH2 %s\r\n", x);
		if (!ok) {
			R(s, "334 eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiQmVhcmVyIiwic2NvcGUiOiJodHRwczovL21haWwuZ29vZ2xlLmNvbS8ifQ==\r\n");
			C(s, "\r\n");
			bad = "535 5.7.8 Username and Password not accepted.\r\n";
		}
		free(x);
		free(b.p);
		break;
	}
	}
	R(s, "%s", ok ? okl : bad);
	truth_cred(s, "smtp", &k);
	free((char *)k.chal);
	free((char *)k.resp);
	free(u64);
	free(p64);
}

static void gen_smtp(struct sess *s, int variant)
{
	static const uint16_t ports[] = { 25, 587, 587, 2525 };
	char host[64];
	snprintf(host, sizeof(host), "mx%u.%s", (unsigned)(s->ip[1] & 15), DOMAINS[s->ip[1] % 6]);
	if (variant == 0) {   /* AUTH with every mechanism */
		s->port[1] = ports[rnd(&s->r) % 4];
		smtp_ehlo(s, host, chance(&s->r, 0.5));
		char *user = make_user(&s->r);
		/* mechanisms: LOGIN 30%, LOGIN+IR 10%, PLAIN 25%, PLAIN/334 10%, CRAM-MD5 15%, XOAUTH2 10% */
		uint32_t k = rr(&s->r, 0, 99);
		int mech = k < 30 ? 0 : k < 40 ? 1 : k < 65 ? 2 : k < 75 ? 3 : k < 90 ? 4 : 5;
		char *pass = mech == 5 ? NULL : make_pass(&s->r, 2);
		if (mech == 5) {   /* an OAuth bearer token */
			struct buf t = { 0 };
			b_adds(&t, "ya29.");
			for (uint32_t i = 0, n = rr(&s->r, 60, 160); i < n; i++)
				b_addc(&t, (uint8_t)B64[rnd(&s->r) % 62]);
			pass = (char *)t.p;
		}
		bool last_ok;
		int n = attempts(s, &last_ok);
		unsigned msgs = 0;
		for (int i = 0; i < n; i++) {
			bool ok = i == n - 1 && last_ok;
			char *pw = ok ? strdup(pass) : wrong_pass(s, pass, 2);
			smtp_auth(s, host, mech, user, pw, ok);
			free(pw);
		}
		if (last_ok) {
			msgs = rr(&s->r, 1, 2);
			for (unsigned i = 0; i < msgs; i++)
				smtp_message(s, strchr(user, '@') ? user : "sender@example.org");
		}
		C(s, "QUIT\r\n");
		R(s, "221 2.0.0 Bye\r\n");
		static const char *const mn[] = { "login", "login-ir", "plain", "plain-334", "cram-md5", "xoauth2" };
		truth_session(s, "smtp", mn[mech], false, "none", msgs);
		free(user);
		free(pass);
	} else if (variant == 1) {   /* STARTTLS, then everything inside TLS */
		s->port[1] = ports[1 + rnd(&s->r) % 3];
		smtp_ehlo(s, host, true);
		C(s, "STARTTLS\r\n");
		R(s, "220 2.0.0 Ready to start TLS\r\n");
		tls_session(s, host, rr(&s->r, 600, s->light ? 3000 : 30000), rr(&s->r, 400, 2000));
		truth_session(s, "smtp", "starttls", true, "starttls", 0);
	} else if (variant == 2) {   /* relay on 25, no AUTH */
		s->port[1] = 25;
		smtp_ehlo(s, host, chance(&s->r, 0.5));
		unsigned msgs = rr(&s->r, 1, 2);
		for (unsigned i = 0; i < msgs; i++)
			smtp_message(s, "newsletter@lists.example.com");
		C(s, "QUIT\r\n");
		R(s, "221 2.0.0 Bye\r\n");
		truth_session(s, "smtp", "relay", false, "none", msgs);
	} else {   /* implicit TLS on 465 */
		s->port[1] = 465;
		tls_session(s, host, rr(&s->r, 600, s->light ? 3000 : 20000), rr(&s->r, 400, 2000));
		truth_session(s, "smtp", "implicit", false, "implicit", 0);
	}
}

/* ---- POP3 (RFC 1939, 2449, 5034, 2595) ---- */

static void pop3_retrs(struct sess *s, unsigned *msgs)
{
	unsigned n = rr(&s->r, 1, 3);
	uint32_t sz[3];
	uint32_t tot = 0;
	for (unsigned i = 0; i < n; i++)
		tot += sz[i] = msg_size(s);
	C(s, "STAT\r\n");
	R(s, "+OK %u %u\r\n", n, tot);
	C(s, "LIST\r\n");
	struct buf b = { 0 };
	b_printf(&b, "+OK %u messages:\r\n", n);
	for (unsigned i = 0; i < n; i++)
		b_printf(&b, "%u %u\r\n", i + 1, sz[i]);
	b_adds(&b, ".\r\n");
	step_raw(s, 1, K_DATA, b.p, b.n);
	free(b.p);
	unsigned get = rr(&s->r, 0, n);
	for (unsigned i = 0; i < get; i++) {
		C(s, "RETR %u\r\n", i + 1);
		R(s, "+OK %u octets\r\n", sz[i]);
		body(s, 1, sz[i], true);
		if (chance(&s->r, 0.5)) {
			C(s, "DELE %u\r\n", i + 1);
			R(s, "+OK Marked to be deleted.\r\n");
		}
	}
	*msgs = get;
}

static void gen_pop3(struct sess *s, int variant)
{
	s->port[1] = chance(&s->r, 0.7) ? 110 : 1110;
	char ts[96];
	snprintf(ts, sizeof(ts), "<%u.%u.%u@pop%u.example.net>", rr(&s->r, 1000, 99999), rr(&s->r, 1, 9),
	         rr(&s->r, 100000000, 999999999), (unsigned)(s->ip[1] & 15));
	if (variant == 5) {   /* implicit TLS on 995 */
		s->port[1] = 995;
		char sni[64];
		snprintf(sni, sizeof(sni), "pop%u.example.net", (unsigned)(s->ip[1] & 15));
		tls_session(s, sni, rr(&s->r, 200, 800), rr(&s->r, 1000, s->light ? 4000 : 60000));
		truth_session(s, "pop3", "implicit", false, "implicit", 0);
		return;
	}
	if (variant == 3)
		R(s, "+OK Qpopper (version 4.1.0) at pop%u.example.net starting.  %s\r\n", (unsigned)(s->ip[1] & 15), ts);
	else
		R(s, "+OK Dovecot (Debian) ready. %s\r\n", ts);
	if (variant != 3 && chance(&s->r, 0.6)) {
		C(s, "CAPA\r\n");
		R(s, "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nUSER\r\n"
		     "SASL PLAIN LOGIN\r\nSTLS\r\n.\r\n");
	}
	if (variant == 4) {   /* STLS, then TLS */
		C(s, "STLS\r\n");
		R(s, "+OK Begin TLS negotiation now.\r\n");
		char sni[64];
		snprintf(sni, sizeof(sni), "pop%u.example.net", (unsigned)(s->ip[1] & 15));
		tls_session(s, sni, rr(&s->r, 200, 800), rr(&s->r, 1000, s->light ? 4000 : 60000));
		truth_session(s, "pop3", "stls", true, "starttls", 0);
		return;
	}
	char *user = make_user(&s->r);
	char *pass = make_pass(&s->r, variant == 2 ? 2 : 0);
	bool last_ok;
	int n = attempts(s, &last_ok);
	if (variant == 3 && n == 1 && chance(&s->r, 0.5)) {   /* the lab: a typo first */
		n = 2;
		last_ok = true;
	}
	bool iac = variant == 3 && chance(&s->r, 0.5);
	if (iac) {
		/* PuTTY-style option offers before the first keystroke (RFC 1073, 1079, 1091) */
		static const uint8_t neg[] = { 255, 251, 31, 255, 251, 32, 255, 251, 24, 255, 251, 39, 255, 253, 1,
			255, 251, 3, 255, 253, 3 };
		step_raw(s, 0, K_TYPED, neg, sizeof(neg));
	}
	for (int i = 0; i < n; i++) {
		bool ok = i == n - 1 && last_ok;
		char *pw = ok ? strdup(pass) : wrong_pass(s, pass, variant == 2 ? 2 : 0);
		struct cred k = { 0 };
		k.user = user;
		k.ok = ok;
		const char *bad = "-ERR [AUTH] Authentication failed.\r\n";
		if (variant == 0 || variant == 3) {   /* USER/PASS (typed per character in variant 3) */
			char l1[256], l2[256];
			k.mech = "USER/PASS";
			k.pass = pw;
			k.typed = variant == 3;
			snprintf(l1, sizeof(l1), "%s %s\r\n", chance(&s->r, 0.3) ? "user" : "USER", user);
			snprintf(l2, sizeof(l2), "%s %s\r\n", chance(&s->r, 0.3) ? "pass" : "PASS", pw);
			if (variant == 3) {
				typed(s, l1, false);
				R(s, "+OK Password required for %s.\r\n", user);
				typed(s, l2, false);
				if (!ok)
					bad = "-ERR [AUTH] Password supplied is incorrect.\r\n";
			} else if (chance(&s->r, 0.15)) {   /* RFC 2449 pipelining */
				C(s, "%s%s", l1, l2);
				R(s, "+OK\r\n");
			} else {
				C(s, "%s", l1);
				R(s, "+OK\r\n");
				C(s, "%s", l2);
			}
			R(s, "%s", ok ? "+OK Logged in.\r\n" : bad);
		} else if (variant == 1) {   /* APOP (RFC 1939 §7) */
			char dig[33];
			apop_digest(ts, pw, dig);
			k.mech = "APOP";
			k.chal = ts;
			k.resp = dig;
			C(s, "APOP %s %s\r\n", user, dig);
			R(s, "%s", ok ? "+OK Logged in.\r\n" : "-ERR [AUTH] Authentication failed.\r\n");
			truth_cred(s, "pop3", &k);
			free(pw);
			continue;
		} else {   /* AUTH PLAIN (RFC 5034), inline or after "+ " */
			struct buf b = { 0 };
			b_addc(&b, 0);
			b_adds(&b, user);
			b_addc(&b, 0);
			b_adds(&b, pw);
			char *pl = b64(b.p, b.n);
			k.mech = "AUTH PLAIN";
			k.pass = pw;
			if (chance(&s->r, 0.5)) {
				C(s, "AUTH PLAIN %s\r\n", pl);
			} else {
				C(s, "AUTH PLAIN\r\n");
				R(s, "+ \r\n");
				C(s, "%s\r\n", pl);
			}
			R(s, "%s", ok ? "+OK Logged in.\r\n" : bad);
			free(pl);
			free(b.p);
		}
		truth_cred(s, "pop3", &k);
		free(pw);
	}
	unsigned msgs = 0;
	if (last_ok && variant != 3)
		pop3_retrs(s, &msgs);
	if (variant == 3 && last_ok) {
		typed(s, "STAT\r\n", false);
		R(s, "+OK 2 3107\r\n");
		typed(s, "LAST\r\n", false);
		R(s, "+OK 0\r\n");
	}
	if (variant == 3)
		typed(s, "QUIT\r\n", false);
	else
		C(s, "QUIT\r\n");
	R(s, "+OK Logging out.\r\n");
	static const char *const vn[] = { "user-pass", "apop", "auth-plain", "typed" };
	truth_session(s, "pop3", vn[variant], false, "none", msgs);
	free(user);
	free(pass);
}

/* ---- IMAP (RFC 3501, 7888 LITERAL+, 4959 SASL-IR) ---- */

static void imap_quote(struct buf *b, const char *v)
{
	b_addc(b, '"');
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			b_addc(b, '\\');
		b_addc(b, (uint8_t)*p);
	}
	b_addc(b, '"');
}

static bool is_atom(const char *v)
{
	for (const char *p = v; *p; p++)
		if (strchr("(){ %*\"\\]", *p) || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
			return false;
	return *v != 0;
}

static void gen_imap(struct sess *s, int variant)
{
	s->port[1] = chance(&s->r, 0.7) ? 143 : 1143;
	unsigned tag = 1;
	const char *caps = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN";
	if (variant == 3) {   /* implicit TLS on 993 */
		s->port[1] = 993;
		char sni[64];
		snprintf(sni, sizeof(sni), "imap%u.example.net", (unsigned)(s->ip[1] & 15));
		tls_session(s, sni, rr(&s->r, 200, 1200), rr(&s->r, 1000, s->light ? 4000 : 60000));
		truth_session(s, "imap", "implicit", false, "implicit", 0);
		return;
	}
	R(s, "* OK [CAPABILITY %s] Dovecot (Debian) ready.\r\n", caps);
	if (chance(&s->r, 0.5)) {
		C(s, "a%u CAPABILITY\r\n", tag);
		R(s, "* CAPABILITY %s\r\na%u OK Pre-login capabilities listed, post-login capabilities have more.\r\n",
		  caps, tag);
		tag++;
	}
	if (variant == 2) {   /* STARTTLS */
		C(s, "a%u STARTTLS\r\n", tag);
		R(s, "a%u OK Begin TLS negotiation now.\r\n", tag);
		char sni[64];
		snprintf(sni, sizeof(sni), "imap%u.example.net", (unsigned)(s->ip[1] & 15));
		tls_session(s, sni, rr(&s->r, 200, 1200), rr(&s->r, 1000, s->light ? 4000 : 60000));
		truth_session(s, "imap", "starttls", true, "starttls", 0);
		return;
	}
	char *user = make_user(&s->r);
	if (variant == 0 && chance(&s->r, 0.1)) {   /* a name with a space: literal or quoted only */
		free(user);
		char u[96];
		snprintf(u, sizeof(u), "%s %s", PICK(&s->r, FIRST), PICK(&s->r, LAST));
		user = strdup(u);
	}
	/* LOGIN form: 0 quoted, 1 synchronizing literals, 2 LITERAL+, 3 atoms */
	int form = (int)rr(&s->r, 0, 9);
	form = form < 5 ? 0 : form < 7 ? 1 : form < 8 ? 2 : 3;
	char *pass = make_pass(&s->r, form == 3 ? 0 : form == 0 ? 1 : 2);
	if (form == 3 && (!is_atom(user) || !is_atom(pass)))
		form = 0;
	bool last_ok;
	int n = attempts(s, &last_ok);
	for (int i = 0; i < n; i++, tag++) {
		bool ok = i == n - 1 && last_ok;
		char *pw = ok ? strdup(pass) : wrong_pass(s, pass, form == 3 ? 0 : form == 0 ? 1 : 2);
		if (form == 3 && !is_atom(pw)) {
			free(pw);
			pw = strdup("wrongpassword1");
		}
		struct cred k = { 0 };
		k.user = user;
		k.pass = pw;
		k.ok = ok;
		if (variant == 0) {
			k.mech = "LOGIN";
			struct buf b = { 0 };
			b_printf(&b, "a%u LOGIN ", tag);
			if (form == 0) {
				imap_quote(&b, user);
				b_addc(&b, ' ');
				imap_quote(&b, pw);
				b_adds(&b, "\r\n");
				step_raw(s, 0, K_DATA, b.p, b.n);
			} else if (form == 3) {
				b_printf(&b, "%s %s\r\n", user, pw);
				step_raw(s, 0, K_DATA, b.p, b.n);
			} else if (form == 1) {   /* RFC 3501 §4.3: wait for "+" after each literal */
				b_printf(&b, "{%zu}\r\n", strlen(user));
				step_raw(s, 0, K_DATA, b.p, b.n);
				R(s, "+ OK\r\n");
				C(s, "%s {%zu}\r\n", user, strlen(pw));
				R(s, "+ OK\r\n");
				C(s, "%s\r\n", pw);
			} else {   /* RFC 7888 non-synchronizing literals */
				b_printf(&b, "{%zu+}\r\n%s {%zu+}\r\n%s\r\n", strlen(user), user, strlen(pw), pw);
				step_raw(s, 0, K_DATA, b.p, b.n);
			}
			free(b.p);
		} else {   /* AUTHENTICATE PLAIN, SASL-IR or after "+ " */
			k.mech = "AUTHENTICATE PLAIN";
			struct buf b = { 0 };
			b_addc(&b, 0);
			b_adds(&b, user);
			b_addc(&b, 0);
			b_adds(&b, pw);
			char *pl = b64(b.p, b.n);
			if (chance(&s->r, 0.5)) {
				C(s, "a%u AUTHENTICATE PLAIN %s\r\n", tag, pl);
			} else {
				C(s, "a%u AUTHENTICATE PLAIN\r\n", tag);
				R(s, "+ \r\n");
				C(s, "%s\r\n", pl);
			}
			free(pl);
			free(b.p);
		}
		if (ok)
			R(s, "a%u OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES "
			     "MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC "
			     "ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE] Logged in\r\n",
			  tag);
		else
			R(s, "a%u NO [AUTHENTICATIONFAILED] Authentication failed.\r\n", tag);
		truth_cred(s, "imap", &k);
		free(pw);
	}
	unsigned msgs = 0;
	if (last_ok) {
		unsigned exists = rr(&s->r, 1, 20);
		C(s, "a%u SELECT INBOX\r\n", tag);
		R(s, "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n"
		     "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted.\r\n"
		     "* %u EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1709542800] UIDs valid\r\n"
		     "* OK [UIDNEXT %u] Predicted next UID\r\na%u OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n",
		  exists, exists + 1, tag);
		tag++;
		msgs = rr(&s->r, 0, 2);
		for (unsigned i = 0; i < msgs; i++, tag++) {
			uint32_t L = msg_size(s);
			C(s, "a%u FETCH %u (UID RFC822.SIZE BODY.PEEK[])\r\n", tag, i + 1);
			R(s, "* %u FETCH (UID %u RFC822.SIZE %u BODY[] {%u}\r\n", i + 1, i + 1, L, L);
			body(s, 1, L, false);
			R(s, ")\r\na%u OK Fetch completed (0.002 + 0.000 secs).\r\n", tag);
		}
	}
	C(s, "a%u LOGOUT\r\n", tag);
	R(s, "* BYE Logging out\r\na%u OK Logout completed (0.001 + 0.000 secs).\r\n", tag);
	static const char *const fn[] = { "login-quoted", "login-literal", "login-literal+", "login-atom" };
	truth_session(s, "imap", variant == 0 ? fn[form] : "authenticate-plain", false, "none", msgs);
	free(user);
	free(pass);
}

/* ---- telnet login on 23, per character with server echo ---- */

static void gen_telnet(struct sess *s)
{
	s->port[1] = 23;
	static const uint8_t srv_neg[] = { 255, 253, 24, 255, 253, 32, 255, 253, 35, 255, 253, 39 };
	static const uint8_t cli_neg[] = { 255, 251, 24, 255, 252, 32, 255, 252, 35, 255, 252, 39 };
	static const uint8_t srv_neg2[] = { 255, 251, 3, 255, 253, 1, 255, 253, 31, 255, 251, 5, 255, 253, 33,
		255, 251, 1 };
	step_raw(s, 1, K_DATA, srv_neg, sizeof(srv_neg));
	step_raw(s, 0, K_DATA, cli_neg, sizeof(cli_neg));
	step_raw(s, 1, K_DATA, srv_neg2, sizeof(srv_neg2));
	static const uint8_t cli_neg2[] = { 255, 253, 3, 255, 252, 1, 255, 251, 31, 255, 250, 31, 0, 80, 0, 24, 255,
		240, 255, 253, 5, 255, 252, 33 };
	step_raw(s, 0, K_DATA, cli_neg2, sizeof(cli_neg2));
	R(s, "Debian GNU/Linux 12\r\nlab%u login: ", (unsigned)(s->ip[1] & 15));
	char user[32];
	snprintf(user, sizeof(user), "%s%u", PICK(&s->r, FIRST), rr(&s->r, 1, 99));
	char *pass = make_pass(&s->r, 0);
	bool last_ok;
	int n = attempts(s, &last_ok);
	if (n > 3)
		n = 3;
	for (int i = 0; i < n; i++) {
		bool ok = i == n - 1 && last_ok;
		char *pw = ok ? strdup(pass) : wrong_pass(s, pass, 0);
		char line[128];
		snprintf(line, sizeof(line), "%s\r\n", user);
		/* the echo step types and echoes each key; no typos here (the echo would show them) */
		step_raw(s, 0, K_ECHO, line, strlen(line));
		R(s, "Password: ");
		snprintf(line, sizeof(line), "%s\r\n", pw);
		step_raw(s, 0, K_TYPED, line, strlen(line));
		if (ok)
			R(s, "\r\nLast login: Mon Mar  4 08:12:44 UTC 2024 from 10.20.0.1 on pts/0\r\n"
			     "Linux lab 6.1.0-18-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 x86_64\r\n%s@lab:~$ ", user);
		else
			R(s, "\r\nLogin incorrect\r\nlab%u login: ", (unsigned)(s->ip[1] & 15));
		struct cred k = { "TELNET", user, pw, NULL, NULL, ok, true };
		truth_cred(s, "telnet", &k);
		free(pw);
	}
	if (last_ok) {
		step_raw(s, 0, K_ECHO, "ls\r\n", 4);
		R(s, "Mail  notes.txt  report.pdf\r\n%s@lab:~$ ", user);
		step_raw(s, 0, K_ECHO, "exit\r\n", 6);
		R(s, "logout\r\n");
	}
	truth_session(s, "telnet", "login", false, "none", 0);
	free(pass);
}

/* ---- bulk non-mail: HTTP on 80/8080, TLS on 443 ---- */

static void gen_http(struct sess *s)
{
	s->port[1] = chance(&s->r, 0.8) ? 80 : 8080;
	unsigned reqs = rr(&s->r, 1, 3);
	for (unsigned i = 0; i < reqs; i++) {
		uint32_t L = rlog(&s->r, 5000, 400000);
		C(s, "GET /static/%s/%u.%s HTTP/1.1\r\nHost: www%u.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux "
		     "x86_64; rv:115.0) Gecko/20100101 Firefox/115.0\r\nAccept: */*\r\nAccept-Encoding: identity\r\n"
		     "Connection: keep-alive\r\n\r\n",
		  PICK(&s->r, WORDS), rr(&s->r, 1, 99999), chance(&s->r, 0.5) ? "html" : "txt",
		  (unsigned)(s->ip[1] & 63));
		R(s, "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nContent-Type: text/html; charset=utf-8\r\n"
		     "Content-Length: %u\r\nConnection: keep-alive\r\n\r\n", L);
		struct step *t = new_step(s, 1, K_HTTP);
		t->len = L;
	}
	truth_session(s, "other", "http", false, "none", 0);
}

static void gen_https(struct sess *s)
{
	s->port[1] = 443;
	char sni[64];
	snprintf(sni, sizeof(sni), "www%u.%s", (unsigned)(s->ip[1] & 63), PICK(&s->r, DOMAINS));
	tls_session(s, sni, rr(&s->r, 500, 3000), rlog(&s->r, 10000, 600000));
	truth_session(s, "tls", "https", false, "implicit", 0);
}

/* ---- the session mix ---- */

struct mix {
	int weight;
	void (*fn)(struct sess *, int);
	int variant;
	bool bulk;
};

static void gen_telnet_v(struct sess *s, int v)
{
	(void)v;
	gen_telnet(s);
}

static void gen_http_v(struct sess *s, int v)
{
	if (v)
		gen_https(s);
	else
		gen_http(s);
}

static const struct mix MIX[] = {
	{ 24, gen_smtp, 0, false },  /* AUTH, every mechanism */
	{ 5, gen_smtp, 1, false },   /* STARTTLS */
	{ 4, gen_smtp, 2, false },   /* relay, no AUTH */
	{ 1, gen_smtp, 3, false },   /* 465 */
	{ 12, gen_pop3, 0, false },  /* USER/PASS */
	{ 4, gen_pop3, 1, false },   /* APOP */
	{ 4, gen_pop3, 2, false },   /* AUTH PLAIN */
	{ 3, gen_pop3, 3, false },   /* typed per character */
	{ 3, gen_pop3, 4, false },   /* STLS */
	{ 1, gen_pop3, 5, false },   /* 995 */
	{ 16, gen_imap, 0, false },  /* LOGIN */
	{ 6, gen_imap, 1, false },   /* AUTHENTICATE PLAIN */
	{ 3, gen_imap, 2, false },   /* STARTTLS */
	{ 1, gen_imap, 3, false },   /* 993 */
	{ 1, gen_telnet_v, 0, false },
	{ 6, gen_http_v, 0, true },
	{ 6, gen_http_v, 1, true },
};

static struct {
	uint64_t seed;
	bool light;
	uint64_t nsess;
} G;

static struct sess *new_session(void)
{
	struct sess *s = calloc(1, sizeof(*s));
	if (!s)
		exit(1);
	uint64_t idx = G.nsess++;
	s->idx = idx;
	s->light = G.light;
	uint64_t x = G.seed * 0x100000001b3ull ^ (idx + 1) * 0x9e3779b97f4a7c15ull;
	rng_seed(&s->r, splitmix(&x));
	/* 4000 client hosts, ports 20000-64999: a tuple is never reused */
	uint32_t host = (uint32_t)(idx % 4000);
	s->ip[0] = (10u << 24) | (20u << 16) | ((host / 250) << 8) | (host % 250 + 1);
	s->port[0] = (uint16_t)(20000 + (idx / 4000) % 45000);
	s->ttl[0] = 64;
	s->ttl[1] = chance(&s->r, 0.5) ? 64 : 128;
	s->seq[0] = (uint32_t)rnd(&s->r);
	s->seq[1] = (uint32_t)rnd(&s->r);
	/* a few near the 2^32 wrap */
	if (chance(&s->r, 0.02))
		s->seq[0] = 0xffffffffu - rr(&s->r, 0, 20000);
	s->ipid[0] = (uint16_t)rnd(&s->r);
	s->ipid[1] = (uint16_t)rnd(&s->r);
	int tot = 0;
	for (size_t i = 0; i < sizeof(MIX) / sizeof(MIX[0]); i++)
		if (!(G.light && MIX[i].bulk))
			tot += MIX[i].weight;
	int k = (int)rr(&s->r, 0, (uint32_t)tot - 1);
	for (size_t i = 0; i < sizeof(MIX) / sizeof(MIX[0]); i++) {
		if (G.light && MIX[i].bulk)
			continue;
		if (k < MIX[i].weight) {
			/* mail servers 172.16.0.x, web servers 172.16.1.x */
			s->ip[1] = (172u << 24) | (16u << 16) | ((MIX[i].bulk ? 1u : 0u) << 8) | rr(&s->r, 10, 73);
			MIX[i].fn(s, MIX[i].variant);
			break;
		}
		k -= MIX[i].weight;
	}
	s->phase = PH_SYN;
	return s;
}

static void free_session(struct sess *s)
{
	for (uint32_t i = 0; i < s->nst; i++)
		free(s->st[i].data);
	free(s->st);
	free(s->bg.pre.p);
	free(s->bg.att.p);
	free(s->bg.close.p);
	free(s);
}

/* ---- streaming the big steps ---- */

static void body_start(struct sess *s, struct step *t)
{
	struct bodygen *g = &s->bg;
	struct rng *r = &s->r;
	g->pre.n = g->att.n = g->close.n = 0;
	g->phase = 0;
	g->line_len = g->line_off = 0;
	g->stuff = t->stuff;
	char bnd[48];
	snprintf(bnd, sizeof(bnd), "=_Part_%u_%u", (unsigned)rnd(r) & 0xffffff, (unsigned)s->idx);
	char subj[96];
	uint32_t sn = rr(r, 10, 60);
	fill_text(r, subj, sn);
	subj[sn] = 0;
	subj[0] = 'R';
	bool enc = chance(r, 0.2);
	b_printf(&g->pre,
	         "Return-Path: <%s@%s>\r\nReceived: from client%u.example.org (client%u.example.org [10.20.%u.%u])\r\n"
	         "\tby mx.example.net (Postfix) with ESMTPSA id %08X\r\n\tfor <user@example.net>; Mon,  4 Mar 2024 "
	         "09:%02u:%02u +0000 (UTC)\r\nFrom: %s %s <%s@%s>\r\nTo: %s <%s@%s>\r\nSubject: %s%s\r\n"
	         "Date: Mon, 4 Mar 2024 09:%02u:%02u +0000\r\nMessage-ID: <%08x.%u@%s>\r\nMIME-Version: 1.0\r\n"
	         "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\nThis is a multi-part message in MIME format.\r\n"
	         "\r\n--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
	         PICK(r, FIRST), PICK(r, DOMAINS), (unsigned)(s->idx % 1000), (unsigned)(s->idx % 1000),
	         (unsigned)(s->ip[0] >> 8 & 255), (unsigned)(s->ip[0] & 255), (unsigned)rnd(r), rr(r, 0, 59),
	         rr(r, 0, 59), PICK(r, FIRST), PICK(r, LAST), PICK(r, FIRST), PICK(r, DOMAINS), PICK(r, FIRST),
	         PICK(r, LAST), PICK(r, DOMAINS), enc ? "=?UTF-8?B?0J7RgtGH0ZHRgg==?= " : "", subj, rr(r, 0, 59),
	         rr(r, 0, 59), (unsigned)rnd(r), (unsigned)s->idx, PICK(r, DOMAINS), bnd, bnd);
	static const char *const ext[] = { "pdf", "docx", "xlsx", "png", "zip", "pcap" };
	b_printf(&g->att,
	         "\r\n--%s\r\nContent-Type: application/octet-stream; name=\"%s-%u.%s\"\r\n"
	         "Content-Disposition: attachment; filename=\"%s-%u.%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	         bnd, PICK(r, WORDS), rr(r, 1, 999), PICK(r, ext), "attachment", rr(r, 1, 999), PICK(r, ext));
	b_printf(&g->close, "\r\n--%s--\r\n", bnd);
	uint32_t fixed = (uint32_t)(g->pre.n + g->att.n + g->close.n);
	uint32_t L = t->len;
	if (L < fixed + 300)
		L = t->len = fixed + 300;
	uint32_t rest = L - fixed;
	g->text_left = 100 + (uint32_t)((rest - 200) * (0.15 + 0.45 * ((double)(rnd(r) >> 11) / 9007199254740992.0)));
	g->b64_left = rest - g->text_left;
	if (g->b64_left % 78 == 1) {
		g->text_left++;
		g->b64_left--;
	}
	/* the text part ends without CRLF: the closing delimiter's CRLF belongs to it (RFC 2046 §5.1.1) */
}

/* Next raw line of the message into g->line (stuffed when needed); false at the end. */
static bool body_next_line(struct sess *s)
{
	struct bodygen *g = &s->bg;
	struct rng *r = &s->r;
	g->line_off = g->line_len = 0;
	for (;;) {
		switch (g->phase) {
		case 0:
			if (g->pre.n > sizeof(g->line))
				g->pre.n = sizeof(g->line);   /* cannot happen: headers are < 1 KB */
			memcpy(g->line, g->pre.p, g->pre.n);
			g->line_len = g->pre.n;
			g->phase = 1;
			return true;
		case 1: {
			if (!g->text_left) {
				g->phase = 2;
				continue;
			}
			size_t n = rr(r, 12, 78);
			if (g->text_left < n + 14)
				n = g->text_left;
			g->text_left -= (uint32_t)n;
			char *o = g->line;
			if (n == 3 && chance(r, 0.5)) {
				memcpy(o, ".\r\n", 3);   /* a lone dot: stuffed to ".." */
			} else if (n == 2) {
				memcpy(o, "\r\n", 2);
			} else {
				fill_text(r, o, n - 2);
				uint32_t d = rr(r, 0, 99);
				if (d < 3)
					o[0] = '.';   /* ".signature"-like */
				else if (d < 4 && n > 4)
					o[0] = o[1] = '.';
				if (!g->text_left)   /* the part's last line: no CRLF, the delimiter brings it */
					o[n - 2] = 'z', o[n - 1] = '.';
				else
					o[n - 2] = '\r', o[n - 1] = '\n';
			}
			if (!g->text_left && n == 3 && o[0] == '.' && o[1] == '\r') {
				o[1] = 'z';
				o[2] = 'z';
			}
			g->line_len = n;
			goto stuff;
		}
		case 2:
			memcpy(g->line, g->att.p, g->att.n);
			g->line_len = g->att.n;
			g->phase = 3;
			return true;
		case 3: {
			if (!g->b64_left) {
				g->phase = 4;
				continue;
			}
			size_t n = g->b64_left >= 78 ? 78 : g->b64_left;
			g->b64_left -= (uint32_t)n;
			for (size_t i = 0; i + 2 < n; i++)
				g->line[i] = B64[rnd(r) & 63];
			g->line[n - 2] = '\r';
			g->line[n - 1] = '\n';
			g->line_len = n;
			return true;
		}
		case 4:
			memcpy(g->line, g->close.p, g->close.n);
			g->line_len = g->close.n;
			g->phase = 5;
			return true;
		case 5:
			g->phase = 6;
			if (g->stuff) {
				memcpy(g->line, ".\r\n", 3);
				g->line_len = 3;
				return true;
			}
			continue;
		default:
			return false;
		}
	stuff:
		/* RFC 5321 §4.5.2 / RFC 1939 §3: a line starting with '.' gets one more.
		 * Text lines follow a CRLF (the part header ends with one). */
		if (g->stuff && g->line[0] == '.') {
			memmove(g->line + 1, g->line, g->line_len);
			g->line_len++;
		}
		return true;
	}
}

static size_t body_read(struct sess *s, uint8_t *out, size_t max)
{
	struct bodygen *g = &s->bg;
	size_t n = 0;
	while (n < max) {
		if (g->line_off == g->line_len && !body_next_line(s))
			break;
		size_t k = g->line_len - g->line_off;
		if (k > max - n)
			k = max - n;
		memcpy(out + n, g->line + g->line_off, k);
		g->line_off += k;
		n += k;
	}
	return n;
}

/* TLS application data records (RFC 8446 §5.2) of random bytes. */
static size_t tls_read(struct sess *s, uint8_t *out, size_t max)
{
	struct tlsgen *g = &s->tg;
	size_t n = 0;
	while (n < max && (g->left || g->rec_left)) {
		if (!g->rec_left) {
			if (max - n < 5)
				break;
			uint32_t len = g->left > 16384 + 22 ? 16384 + 17 : g->left + 17;
			g->left = g->left > len - 17 ? g->left - (len - 17) : 0;
			out[n++] = 0x17;
			out[n++] = 0x03;
			out[n++] = 0x03;
			out[n++] = (uint8_t)(len >> 8);
			out[n++] = (uint8_t)len;
			g->rec_left = len;
			continue;
		}
		size_t k = g->rec_left < max - n ? g->rec_left : max - n;
		for (size_t i = 0; i < k; i++)
			out[n + i] = (uint8_t)rnd(&s->r);
		g->rec_left -= (uint32_t)k;
		n += k;
	}
	return n;
}

/* Reads up to max bytes of the current step; 0 when the step is done. */
static size_t step_read(struct sess *s, struct step *t, uint8_t *out, size_t max)
{
	if (!s->started) {
		s->started = true;
		s->soff = 0;
		if (t->kind == K_BODY)
			body_start(s, t);
		else if (t->kind == K_TLSAPP)
			s->tg.left = t->len, s->tg.rec_left = 0;
	}
	size_t n = 0;
	switch (t->kind) {
	case K_DATA:
		n = t->len - s->soff < max ? t->len - s->soff : max;
		memcpy(out, t->data + s->soff, n);
		break;
	case K_TYPED:
	case K_ECHO:
		if (s->soff < t->len) {
			n = 1;
			out[0] = t->data[s->soff];
			if (out[0] == '\r' && s->soff + 1 < t->len && t->data[s->soff + 1] == '\n' && max >= 2) {
				out[1] = '\n';
				n = 2;
			} else if (out[0] == 255 && t->kind == K_TYPED && t->len - s->soff >= 3 && s->soff == 0 &&
			           t->data[0] == 255) {
				n = t->len < max ? t->len : max;   /* an option burst goes in one segment */
				memcpy(out, t->data, n);
			}
		}
		break;
	case K_BODY:
		n = body_read(s, out, max);
		break;
	case K_TLSAPP:
		n = tls_read(s, out, max);
		break;
	case K_HTTP:
		n = t->len - s->soff < max ? t->len - s->soff : max;
		if (n) {
			fill_text(&s->r, (char *)out, n);
			for (size_t i = 60; i < n; i += 61)
				out[i] = '\n';
		}
		break;
	}
	s->soff += (uint32_t)n;
	return n;
}

/* ---- the pcap writer ---- */

static FILE *g_out;
static uint64_t g_bytes, g_packets, g_clock_us;
static struct rng g_rng;

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void wr32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* One Ethernet/IPv4/TCP frame from s's side dir. The ACK number is all
 * the peer has sent so far. */
static void emit(struct sess *s, int dir, uint8_t flags, uint32_t seq, const uint8_t *pl, size_t n)
{
	static uint8_t pkt[16 + 14 + 20 + 40 + 65536];
	uint8_t *rec = pkt, *eth = pkt + 16, *ip = eth + 14, *tcp = ip + 20;
	size_t optlen = (flags & 0x02) ? 12 : 0;
	size_t thl = 20 + optlen;
	/* Ethernet: locally administered MACs derived from the addresses */
	uint32_t a = s->ip[1 - dir], b = s->ip[dir];
	uint8_t dmac[6] = { 0x02, dir ? 0x00 : 0x01, (uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
	uint8_t smac[6] = { 0x02, dir ? 0x01 : 0x00, (uint8_t)(b >> 24), (uint8_t)(b >> 16), (uint8_t)(b >> 8), (uint8_t)b };
	/* clients reach servers through a router: one MAC per side is enough */
	memcpy(eth, dmac, 6);
	memcpy(eth + 6, smac, 6);
	put16(eth + 12, 0x0800);
	/* IPv4, RFC 791 */
	size_t tot = 20 + thl + n;
	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (unsigned)tot);
	put16(ip + 4, s->ipid[dir]++);
	put16(ip + 6, 0x4000);   /* DF */
	ip[8] = s->ttl[dir];
	ip[9] = 6;
	put16(ip + 10, 0);
	put32(ip + 12, s->ip[dir]);
	put32(ip + 16, s->ip[1 - dir]);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	/* TCP, RFC 793 */
	put16(tcp, s->port[dir]);
	put16(tcp + 2, s->port[1 - dir]);
	put32(tcp + 4, seq);
	put32(tcp + 8, (flags & 0x10) ? s->seq[1 - dir] : 0);
	tcp[12] = (uint8_t)((thl / 4) << 4);
	tcp[13] = flags;
	put16(tcp + 14, dir ? 65160 : 64240);
	put16(tcp + 16, 0);
	put16(tcp + 18, 0);
	if (optlen) {   /* MSS 1460, SACK permitted, window scale 7 */
		static const uint8_t o[12] = { 2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7, 1, 1 };
		memcpy(tcp + 20, o, 12);
	}
	if (n)
		memcpy(tcp + thl, pl, n);
	uint8_t ph[12];
	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	put16(ph + 10, (unsigned)(thl + n));
	uint32_t sum = csum_add(0, ph, 12);
	sum = csum_add(sum, tcp, thl + n);
	put16(tcp + 16, csum_fold(sum));
	/* the pcap record (little endian, microseconds) */
	g_clock_us += rr(&g_rng, 1, 20);
	size_t caplen = 14 + tot;
	wr32le(rec, (uint32_t)(g_clock_us / 1000000));
	wr32le(rec + 4, (uint32_t)(g_clock_us % 1000000));
	wr32le(rec + 8, (uint32_t)caplen);
	wr32le(rec + 12, (uint32_t)caplen);
	if (fwrite(pkt, 1, 16 + caplen, g_out) != 16 + caplen) {
		fprintf(stderr, "gen: write: %s\n", strerror(errno));
		exit(1);
	}
	g_bytes += 16 + caplen;
	g_packets++;
}

/* A pure ACK from dir. */
static void ack(struct sess *s, int dir)
{
	emit(s, dir, 0x10, s->seq[dir], NULL, 0);
}

/* Advances s by one scheduling tick (one to four packets). */
static void tick(struct sess *s)
{
	static uint8_t a[MSS], b[MSS];
	switch (s->phase) {
	case PH_SYN:
		emit(s, 0, 0x02, s->seq[0]++, NULL, 0);
		s->phase = PH_SYNACK;
		return;
	case PH_SYNACK:
		emit(s, 1, 0x12, s->seq[1]++, NULL, 0);
		s->phase = PH_ACK;
		return;
	case PH_ACK:
		ack(s, 0);
		s->phase = PH_DATA;
		return;
	case PH_FIN1:
		emit(s, 0, 0x11, s->seq[0]++, NULL, 0);
		s->phase = PH_FIN2;
		return;
	case PH_FIN2:
		emit(s, 1, 0x11, s->seq[1]++, NULL, 0);
		s->phase = PH_FIN3;
		return;
	case PH_FIN3:
		ack(s, 0);
		s->phase = PH_DONE;
		return;
	default:
		break;
	}
	for (;;) {
		if (s->cur >= s->nst) {
			s->phase = PH_FIN1;
			tick(s);
			return;
		}
		struct step *t = &s->st[s->cur];
		int d = t->dir;
		size_t n = step_read(s, t, a, MSS);
		if (!n) {
			/* step done: acknowledge what is outstanding unless the peer answers next */
			s->cur++;
			s->started = false;
			bool peer_next = s->cur < s->nst && s->st[s->cur].dir != d;
			if (s->unacked && (!peer_next || s->unacked > 1))
				ack(s, 1 - d);
			s->unacked = 0;
			continue;
		}
		if (t->kind == K_TYPED || t->kind == K_ECHO) {
			emit(s, d, 0x18, s->seq[d], a, n);
			s->seq[d] += (uint32_t)n;
			if (t->kind == K_ECHO) {
				emit(s, 1, 0x18, s->seq[1], a, n);   /* the server echoes the key */
				s->seq[1] += (uint32_t)n;
				ack(s, 0);
			} else {
				ack(s, 1 - d);
			}
			return;
		}
		if (n == MSS && chance(&s->r, 0.004)) {
			/* reordering: the next segment overtakes this one */
			size_t m = step_read(s, t, b, MSS);
			if (m) {
				emit(s, d, 0x18, s->seq[d] + (uint32_t)n, b, m);
				emit(s, d, 0x10, s->seq[d], a, n);
				s->seq[d] += (uint32_t)(n + m);
				ack(s, 1 - d);
				s->unacked = 0;
				return;
			}
		}
		emit(s, d, n < MSS ? 0x18 : 0x10, s->seq[d], a, n);
		if (chance(&s->r, 0.005))
			emit(s, d, n < MSS ? 0x18 : 0x10, s->seq[d], a, n);   /* a retransmission */
		s->seq[d] += (uint32_t)n;
		if (++s->unacked >= 2) {
			ack(s, 1 - d);
			s->unacked = 0;
		}
		return;
	}
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr, "usage: gen [-o FILE] [-t TRUTH] [-s SIZE_MB] [-S SEED] [-c FLOWS] [-l]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *out = "bench/data/mail.pcap", *truth = NULL;
	double size_mb = 400;
	uint64_t seed = 1;
	long flows = 300;
	int c;
	while ((c = getopt(argc, argv, "o:t:s:S:c:lh")) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 't': truth = optarg; break;
		case 's': size_mb = atof(optarg); break;
		case 'S': seed = strtoull(optarg, NULL, 0); break;
		case 'c': flows = atol(optarg); break;
		case 'l': G.light = true; break;
		default: usage();
		}
	}
	if (size_mb <= 0 || flows < 1 || flows > 10000000)
		usage();
	char tpath[4096];
	if (!truth) {
		snprintf(tpath, sizeof(tpath), "%s.truth.jsonl", out);
		truth = tpath;
	}
	G.seed = seed;
	rng_seed(&g_rng, seed ^ 0x5eed);
	g_out = fopen(out, "wb");
	g_truth = fopen(truth, "w");
	if (!g_out || !g_truth) {
		fprintf(stderr, "gen: %s: %s\n", !g_out ? out : truth, strerror(errno));
		return 1;
	}
	static char obuf[1 << 22], tbuf[1 << 20];
	setvbuf(g_out, obuf, _IOFBF, sizeof(obuf));
	setvbuf(g_truth, tbuf, _IOFBF, sizeof(tbuf));
	/* pcap file header: microseconds, snaplen 262144, Ethernet */
	uint8_t fh[24];
	wr32le(fh, 0xa1b2c3d4);
	fh[4] = 2, fh[5] = 0, fh[6] = 4, fh[7] = 0;
	wr32le(fh + 8, 0);
	wr32le(fh + 12, 0);
	wr32le(fh + 16, 262144);
	wr32le(fh + 20, 1);
	fwrite(fh, 1, sizeof(fh), g_out);
	g_bytes = sizeof(fh);
	g_clock_us = 1709542800ull * 1000000;   /* 2024-03-04T09:00:00Z */

	uint64_t target = (uint64_t)(size_mb * 1e6);
	struct sess **pool = xmalloc((size_t)flows * sizeof(*pool));
	size_t active = 0;
	for (long i = 0; i < flows; i++)
		pool[active++] = new_session();
	uint64_t max_active = active;
	/* a bug must never fill the disk: the drain phase is small, so stop hard
	 * well past the target */
	uint64_t hard_cap = target * 3 + (uint64_t)flows * 2000000;
	while (active) {
		size_t i = (size_t)(rnd(&g_rng) % active);
		struct sess *s = pool[i];
		tick(s);
		if (g_bytes > hard_cap) {
			fprintf(stderr, "gen: stopped at %llu bytes (session %llu step %u of %u kind %d): a generator bug\n",
			        (unsigned long long)g_bytes, (unsigned long long)s->idx, s->cur, s->nst,
			        s->cur < s->nst ? s->st[s->cur].kind : -1);
			fclose(g_out);
			remove(out);
			return 1;
		}
		if (s->phase != PH_DONE)
			continue;
		free_session(s);
		if (g_bytes < target)
			pool[i] = new_session();
		else
			pool[i] = pool[--active];
	}
	free(pool);
	if (fflush(g_out) || fclose(g_out) || fclose(g_truth)) {
		fprintf(stderr, "gen: write: %s\n", strerror(errno));
		return 1;
	}
	fprintf(stderr, "gen: %s: %llu packets, %llu bytes, %llu sessions, %llu concurrent\n", out,
	        (unsigned long long)g_packets, (unsigned long long)g_bytes, (unsigned long long)G.nsess,
	        (unsigned long long)max_active);
	return 0;
}
