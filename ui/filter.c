/* filter.c - display filter: a recursive-descent parser into a small tree. */
#include "filter.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../dissect/sbuf.h"

#define MAX_NODES 256
#define MAX_DEPTH 64

enum node_kind {
	N_OR, N_AND, N_NOT,
	N_SMTP, N_POP, N_IMAP, N_TELNET, N_TLS, N_TCP, N_CREDS, N_STARTTLS, N_WARN,
	N_HOST, N_PORT,
};

struct node {
	enum node_kind kind;
	int a, b;              /* children (indices) */
	int port;
	char addr[64];
};

struct mt_filter {
	struct node n[MAX_NODES];
	int nn, root;
};

struct parser {
	const char *s;
	size_t pos;
	char tok[80];
	size_t tok_pos;
	bool tok_cut;
	struct mt_filter *f;
	char *err;
	size_t errsz;
	bool failed;
	int depth;
};

static void fail(struct parser *ps, const char *fmt, const char *arg)
{
	if (ps->failed)
		return;
	ps->failed = true;
	char msg[160];
	snprintf(msg, sizeof(msg), fmt, arg);
	snprintf(ps->err, ps->errsz, "%s (at %zu)", msg, ps->tok_pos + 1);
}

/* Tokens: ( ) ! && || or a word of anything else up to a blank or bracket. */
static void next(struct parser *ps)
{
	const char *s = ps->s;
	while (s[ps->pos] && isspace((unsigned char)s[ps->pos]))
		ps->pos++;
	ps->tok_pos = ps->pos;
	ps->tok_cut = false;
	size_t n = 0;
	char c = s[ps->pos];
	if (!c) {
		ps->tok[0] = 0;
		return;
	}
	if (c == '(' || c == ')' || (c == '!' && s[ps->pos + 1] != '=')) {
		ps->tok[0] = c;
		ps->tok[1] = 0;
		ps->pos++;
		return;
	}
	if ((c == '&' || c == '|') && s[ps->pos + 1] == c) {
		ps->tok[0] = ps->tok[1] = c;
		ps->tok[2] = 0;
		ps->pos += 2;
		return;
	}
	while (s[ps->pos] && !isspace((unsigned char)s[ps->pos]) && s[ps->pos] != '(' && s[ps->pos] != ')') {
		if (n + 1 < sizeof(ps->tok))
			ps->tok[n++] = s[ps->pos];
		else
			ps->tok_cut = true;
		ps->pos++;
	}
	ps->tok[n] = 0;
}

static int add(struct parser *ps, enum node_kind k, int a, int b)
{
	if (ps->f->nn >= MAX_NODES) {
		fail(ps, "%s", "filter too long");
		return 0;
	}
	struct node *n = &ps->f->n[ps->f->nn];
	memset(n, 0, sizeof(*n));
	n->kind = k;
	n->a = a;
	n->b = b;
	return ps->f->nn++;
}

static bool is(const struct parser *ps, const char *w)
{
	return !strcasecmp(ps->tok, w);
}

static int parse_or(struct parser *ps);

static const struct { const char *word; enum node_kind kind; } words[] = {
	{ "smtp", N_SMTP }, { "pop", N_POP }, { "pop3", N_POP }, { "imap", N_IMAP },
	{ "telnet", N_TELNET }, { "tls", N_TLS }, { "tcp", N_TCP }, { "creds", N_CREDS },
	{ "starttls", N_STARTTLS }, { "warn", N_WARN },
};

static int parse_primary(struct parser *ps)
{
	if (ps->failed)
		return 0;
	if (!ps->tok[0]) {
		fail(ps, "%s", "expression expected");
		return 0;
	}
	if (is(ps, "(")) {
		if (++ps->depth > MAX_DEPTH) {
			fail(ps, "%s", "too deeply nested");
			return 0;
		}
		next(ps);
		int e = parse_or(ps);
		if (!ps->failed && !is(ps, ")"))
			fail(ps, "%s", "')' expected");
		ps->depth--;
		next(ps);
		return e;
	}
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (is(ps, words[i].word)) {
			next(ps);
			return add(ps, words[i].kind, -1, -1);
		}
	}
	if (is(ps, "host")) {
		next(ps);
		if (!ps->tok[0] || is(ps, "(") || is(ps, ")")) {
			fail(ps, "%s", "host needs an address");
			return 0;
		}
		char addr[sizeof(ps->tok)];
		snprintf(addr, sizeof(addr), "%s", ps->tok);
		/* "host [::1]" is accepted as well as "host ::1" */
		size_t al = strlen(addr);
		if (al >= 2 && addr[0] == '[' && addr[al - 1] == ']') {
			memmove(addr, addr + 1, al - 2);
			addr[al - 2] = 0;
		}
		if (ps->tok_cut || strlen(addr) >= sizeof(ps->f->n[0].addr)) {
			fail(ps, "%s", "address too long");
			return 0;
		}
		int n = add(ps, N_HOST, -1, -1);
		if (!ps->failed)
			memcpy(ps->f->n[n].addr, addr, strlen(addr) + 1);  /* length checked above */
		next(ps);
		return n;
	}
	if (is(ps, "port")) {
		next(ps);
		char *end = NULL;
		long v = ps->tok[0] ? strtol(ps->tok, &end, 10) : -1;
		if (!ps->tok[0] || !isdigit((unsigned char)ps->tok[0]) || *end || v < 0 || v > 65535) {
			fail(ps, "%s", "port needs a number 0-65535");
			return 0;
		}
		int n = add(ps, N_PORT, -1, -1);
		if (!ps->failed)
			ps->f->n[n].port = (int)v;
		next(ps);
		return n;
	}
	if (is(ps, ")"))
		fail(ps, "%s", "unexpected ')'");
	else if (is(ps, "and") || is(ps, "or") || is(ps, "&&") || is(ps, "||"))
		fail(ps, "'%s' needs something before it", ps->tok);
	else
		fail(ps, "unknown word '%.40s'", ps->tok);
	return 0;
}

static int parse_unary(struct parser *ps)
{
	if (ps->failed)
		return 0;
	if (is(ps, "not") || is(ps, "!")) {
		if (++ps->depth > MAX_DEPTH) {
			fail(ps, "%s", "too deeply nested");
			return 0;
		}
		next(ps);
		int a = parse_unary(ps);
		ps->depth--;
		return add(ps, N_NOT, a, -1);
	}
	return parse_primary(ps);
}

static int parse_and(struct parser *ps)
{
	int a = parse_unary(ps);
	while (!ps->failed && (is(ps, "and") || is(ps, "&&"))) {
		next(ps);
		int b = parse_unary(ps);
		a = add(ps, N_AND, a, b);
	}
	return a;
}

static int parse_or(struct parser *ps)
{
	int a = parse_and(ps);
	while (!ps->failed && (is(ps, "or") || is(ps, "||"))) {
		next(ps);
		int b = parse_and(ps);
		a = add(ps, N_OR, a, b);
	}
	return a;
}

struct mt_filter *mt_filter_compile(const char *text, char *err, size_t errsz)
{
	char dummy[8];
	if (!err || !errsz) {
		err = dummy;
		errsz = sizeof(dummy);
	}
	err[0] = 0;
	if (!text)
		return NULL;
	struct parser ps = { .s = text, .err = err, .errsz = errsz };
	ps.f = mt_xcalloc(1, sizeof(*ps.f));
	next(&ps);
	if (!ps.tok[0]) {
		free(ps.f);
		return NULL;    /* blank: no filter */
	}
	ps.f->root = parse_or(&ps);
	if (!ps.failed && ps.tok[0])
		fail(&ps, "unexpected '%.40s'", ps.tok);
	if (ps.failed) {
		free(ps.f);
		return NULL;
	}
	return ps.f;
}

void mt_filter_free(struct mt_filter *f)
{
	free(f);
}

void mt_endpoint_split(const char *ep, char *addr, size_t asz, int *port)
{
	*port = -1;
	if (!asz)
		return;
	addr[0] = 0;
	if (!ep)
		return;
	const char *end;
	if (ep[0] == '[') {
		const char *rb = strchr(ep, ']');
		if (!rb) {
			snprintf(addr, asz, "%s", ep + 1);
			return;
		}
		snprintf(addr, asz, "%.*s", (int)(rb - ep - 1), ep + 1);
		end = rb + 1;
		if (*end == ':')
			*port = atoi(end + 1);
		return;
	}
	const char *colon = strchr(ep, ':');
	if (colon && strchr(colon + 1, ':'))
		colon = NULL;  /* a bare IPv6 address without a port */
	if (!colon) {
		snprintf(addr, asz, "%s", ep);
		return;
	}
	snprintf(addr, asz, "%.*s", (int)(colon - ep), ep);
	*port = atoi(colon + 1);
}

static bool ep_match(const struct node *n, const char *ep)
{
	char addr[64];
	int port;
	if (!ep || !ep[0])
		return false;
	mt_endpoint_split(ep, addr, sizeof(addr), &port);
	if (n->kind == N_PORT)
		return port == n->port;
	return !strcasecmp(addr, n->addr);
}

static bool eval(const struct mt_filter *f, int i, const struct mt_session *s, const char *a, const char *b)
{
	const struct node *n = &f->n[i];
	switch (n->kind) {
	case N_OR: return eval(f, n->a, s, a, b) || eval(f, n->b, s, a, b);
	case N_AND: return eval(f, n->a, s, a, b) && eval(f, n->b, s, a, b);
	case N_NOT: return !eval(f, n->a, s, a, b);
	case N_HOST:
	case N_PORT:
		if (s)
			return ep_match(n, s->client) || ep_match(n, s->server);
		return ep_match(n, a) || ep_match(n, b);
	default:
		break;
	}
	if (!s)
		return false;
	switch (n->kind) {
	case N_SMTP: return s->proto == PROTO_SMTP;
	case N_POP: return s->proto == PROTO_POP3;
	case N_IMAP: return s->proto == PROTO_IMAP;
	case N_TELNET: return s->proto == PROTO_TELNET;
	case N_TLS: return s->proto == PROTO_TLS || s->tls != TLS_NONE || s->starttls.tls_seen;
	case N_TCP: return true;
	case N_CREDS: return s->ncreds > 0;
	case N_STARTTLS: return s->starttls.offered == TRI_TRUE || s->starttls.requested == TRI_TRUE;
	case N_WARN: return s->warnings != 0;
	default: return false;
	}
}

bool mt_filter_match(const struct mt_filter *f, const struct mt_session *s, const char *ep_a, const char *ep_b)
{
	if (!f || f->nn == 0)
		return true;
	return eval(f, f->root, s, ep_a, ep_b);
}
