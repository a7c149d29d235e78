/* telnet.c - a telnet login (RFC 854 NVT, RFC 857 ECHO, RFC 1184 LINEMODE)
 * on port 23 or wherever the dispatcher finds one: the login and password
 * the user typed, the server's verdict, and the rest of the session as
 * transcript lines.
 *
 * The NVT filter in lines.c strips option negotiation on both sides and
 * applies backspace editing to the client's keystrokes. Prompts ("login: ",
 * "Password:") end without CRLF, so they are read from the server side's
 * pending partial line. In character mode the server echoes each key: the
 * echo continues the prompt line ("login: fake"), while the user name is
 * taken from what the client typed; the echo is used only when the client
 * side was not captured. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dissector.h"
#include "lines.h"
#include "sbuf.h"
#include "session.h"
#include "strutil.h"

enum prompt { P_NONE = 0, P_LOGIN, P_PASSWORD, P_SHELL };

struct telnet {
	struct mt_session *s;
	struct mt_lines ln[2];
	enum prompt prompt;          /* the last prompt the server showed (sticky) */
	struct mt_bytes user;
	bool have_user, user_typed;
	uint64_t user_frame;
	struct mt_credential *cred;  /* attempt waiting for the server's verdict */
	uint64_t c2s_lines;
	bool greeted;
	uint64_t s2c_frame, s2c_ts;  /* last server delivery, for prompt lines */
};

/* ---- prompt and verdict patterns ---- */

static void trim(const uint8_t **p, size_t *n)
{
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r' || (*p)[*n - 1] == 0))
		(*n)--;
}

static bool ends_with_ci(const uint8_t *p, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n >= k && mt_kw_prefix(p + n - k, k, suffix);
}

/* What a text ending a server output asks for. Login prompts as Unix
 * login(1) ("login: "), Cisco/Huawei VTYs ("Username:", "User:") and
 * others write them. */
static enum prompt prompt_of(const uint8_t *p, size_t n)
{
	trim(&p, &n);
	if (!n)
		return P_NONE;
	if (ends_with_ci(p, n, "password:") || ends_with_ci(p, n, "passcode:") || ends_with_ci(p, n, "passwd:"))
		return P_PASSWORD;
	if (ends_with_ci(p, n, "login:") || ends_with_ci(p, n, "username:") || ends_with_ci(p, n, "user name:") ||
	    ends_with_ci(p, n, "user:") || ends_with_ci(p, n, "login name:"))
		return P_LOGIN;
	/* Shell and device prompts: "$ ", "# ", "> ", "% ", "<R1>", "]$". */
	uint8_t c = p[n - 1];
	if (c == '$' || c == '#' || c == '>' || c == '%')
		return P_SHELL;
	return P_NONE;
}

/* Heuristic verdict from a server line after a password (documented, as
 * login(1), sshd-style PAM messages and router VTYs word them). Returns
 * 1 for success, -1 for failure, 0 when the line says nothing. */
static int verdict_of(const uint8_t *p, size_t n)
{
	static const char *const fail[] = {
		"login incorrect", "authentication failed", "login failed", "login invalid",
		"access denied", "permission denied", "incorrect password", "invalid password",
		"bad password", "wrong password", "invalid login", "authentication failure",
		"% bad", "not authorized", "logon failure",
	};
	static const char *const ok[] = { "last login", "welcome", "logged in", "motd", "you have new mail",
	                                  "you have mail" };
	for (size_t i = 0; i < sizeof(fail) / sizeof(fail[0]); i++)
		if (mt_find_ci(p, n, fail[i]) >= 0)
			return -1;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (mt_find_ci(p, n, ok[i]) >= 0)
			return 1;
	return 0;
}

static void settle(struct telnet *st, bool ok, uint64_t frame)
{
	if (!st->cred)
		return;
	sess_cred_outcome(st->s, st->cred, ok ? OUTCOME_SUCCESS : OUTCOME_FAILURE, frame);
	st->cred = NULL;
}

/* ---- lines ---- */

static struct mt_line *tline(struct telnet *st, int dir, const uint8_t *p, size_t n, const struct mt_line_meta *m,
                             const char *decoded)
{
	if (m->truncated) {
		sess_warn(st->s, W_LINE_TOO_LONG);
		st->s->model->counters.lines_truncated++;
	}
	struct mt_line *l = sess_line(st->s, dir, LINE_TEXT, m->first_frame, m->frame, m->ts_ns, p, n, decoded);
	if (m->typed && dir == DIR_C2S)   /* server echo is not keystrokes */
		sess_line_keys(l, m->keys, m->nkeys);
	return l;
}

static void server_line(struct telnet *st, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	const uint8_t *t = p;
	size_t tn = n;
	trim(&t, &tn);
	tline(st, DIR_S2C, p, n, m, NULL);
	if (!st->greeted && tn) {
		/* The first text the server shows; a prompt line keeps only
		 * the prompt, not the echoed answer ("vm login: mtlab"). */
		size_t gn = tn;
		const uint8_t *colon = memchr(t, ':', tn);
		if (colon && prompt_of(t, (size_t)(colon - t) + 1) != P_NONE)
			gn = (size_t)(colon - t) + 1;
		st->greeted = true;
		sess_set_greeting(st->s, t, gn);
	}
	/* The client side missing: take the user name from the echo
	 * ("login: fake" completed by the echoed CRLF). */
	if (!st->c2s_lines && m->eol) {
		for (size_t i = 0; i + 1 < tn; i++) {
			if (t[i] != ':')
				continue;
			if (prompt_of(t, i + 1) == P_LOGIN) {
				size_t j = i + 1;
				while (j < tn && t[j] == ' ')
					j++;
				if (j < tn) {
					mt_bytes_set(&st->user, t + j, tn - j, 0);
					st->have_user = true;
					st->user_frame = m->frame;
				}
			}
			break;
		}
	}
	if (st->cred) {
		int v = verdict_of(t, tn);
		if (v)
			settle(st, v > 0, m->frame);
	}
}

/* What the server's pending partial line asks for, read when the client
 * starts a new line (and at the end): only then is the server waiting, so
 * "Last login:" arriving a byte at a time is not taken for a prompt. A new
 * login or password prompt while an attempt waits means the attempt
 * failed; a shell prompt means it succeeded. */
static void check_prompt(struct telnet *st)
{
	struct mt_lines *l = &st->ln[DIR_S2C];
	enum prompt pr = prompt_of(l->buf ? l->buf : (const uint8_t *)"", l->len);
	if (pr == P_NONE)
		return;
	if (st->cred)
		settle(st, pr == P_SHELL, st->s2c_frame);
	st->prompt = pr;
}

/* Ends the server's pending prompt line before the client's answer so the
 * transcript reads prompt, answer, output (in character mode the echo has
 * already continued the prompt line, which is then left alone). */
static void flush_prompt(struct telnet *st);

static void client_line(struct telnet *st, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	struct mt_session *s = st->s;
	st->c2s_lines++;
	if (!m->eol) {
		tline(st, DIR_C2S, p, n, m, "[incomplete line]");
		return;
	}
	struct mt_lines *sl = &st->ln[DIR_S2C];
	if (sl->len && prompt_of(sl->buf, sl->len) != P_NONE)
		flush_prompt(st);
	switch (st->prompt) {
	case P_LOGIN:
		if (!n) {
			tline(st, DIR_C2S, p, n, m, NULL);
			return;
		}
		mt_bytes_set(&st->user, p, n, 0);
		st->have_user = true;
		st->user_typed = m->typed;
		st->user_frame = m->frame;
		st->prompt = P_NONE;
		tline(st, DIR_C2S, p, n, m, "[login name]");
		return;
	case P_PASSWORD: {
		struct mt_credential *c = sess_cred_new(s, "TELNET", m->frame);
		if (st->have_user)
			mt_bytes_set(&c->username, st->user.data, st->user.len, 0);
		mt_bytes_set(&c->password, p, n, 0);
		c->typed = m->typed || (st->have_user && st->user_typed);
		if (st->cred)   /* an earlier attempt never got a verdict */
			st->cred = NULL;
		st->cred = c;
		st->have_user = false;
		st->prompt = P_NONE;
		struct mt_line *l = tline(st, DIR_C2S, p, n, m, "[password]");
		sess_line_secret(l, 0, n, "[password]");
		return;
	}
	default:
		tline(st, DIR_C2S, p, n, m, NULL);
		return;
	}
}

/* ---- splitter callbacks and the dissector interface ---- */

static void on_line(void *ctx, int dir, const uint8_t *p, size_t n, const struct mt_line_meta *m)
{
	struct telnet *st = ctx;
	if (dir == DIR_C2S)
		client_line(st, p, n, m);
	else
		server_line(st, p, n, m);
}

static void flush_prompt(struct telnet *st)
{
	struct mt_seg_info info = { .frame = st->s2c_frame, .ts_ns = st->s2c_ts, .offset = 0, .nsegs = 0 };
	mt_lines_flush(&st->ln[DIR_S2C], DIR_S2C, &info, on_line, st);
}

static int telnet_open(struct mt_session *s)
{
	struct telnet *st = mt_xcalloc(1, sizeof(*st));
	st->s = s;
	for (int d = 0; d < 2; d++) {
		mt_lines_init(&st->ln[d], s->model->limits.line_max);
		st->ln[d].nvt = MT_NVT_ON;   /* RFC 854 on both sides */
	}
	st->ln[DIR_C2S].edit = true;
	s->dissector_state = st;
	return 0;
}

static size_t telnet_data(struct mt_session *s, int dir, const uint8_t *p, size_t n, const struct mt_seg_info *info)
{
	struct telnet *st = s->dissector_state;
	if (!st || (dir != DIR_C2S && dir != DIR_S2C))
		return n;
	struct mt_lines *cl = &st->ln[DIR_C2S];
	if (dir == DIR_C2S && !cl->len && !cl->cr && !cl->nkeys)
		check_prompt(st);   /* the first key of a new line */
	mt_lines_feed(&st->ln[dir], dir, p, n, info, on_line, NULL, st);
	if (dir == DIR_S2C) {
		st->s2c_frame = info->frame;
		st->s2c_ts = info->ts_ns;
	}
	return n;
}

static void telnet_gap(struct mt_session *s, int dir, uint64_t len, const struct mt_seg_info *info)
{
	struct telnet *st = s->dissector_state;
	char text[64];
	if (!st || (dir != DIR_C2S && dir != DIR_S2C))
		return;
	mt_lines_gap(&st->ln[dir], dir, len, info, on_line, st);
	sess_warn(s, W_STREAM_GAP);
	snprintf(text, sizeof(text), "[gap of %llu bytes]", (unsigned long long)len);
	sess_line(s, dir, LINE_GAP, info->frame, info->frame, info->ts_ns, (const uint8_t *)text, strlen(text), NULL);
	if (dir == DIR_C2S)
		st->prompt = P_NONE;   /* the answer to the prompt may be lost: guess nothing */
}

static void telnet_fin(struct mt_session *s, int dir, const struct mt_seg_info *info)
{
	struct telnet *st = s->dissector_state;
	if (!st || (dir != DIR_C2S && dir != DIR_S2C))
		return;
	mt_lines_flush(&st->ln[dir], dir, info, on_line, st);
}

static void telnet_close(struct mt_session *s)
{
	struct telnet *st = s->dissector_state;
	if (!st)
		return;
	struct mt_seg_info info = { .frame = s->last_frame, .ts_ns = s->end_ns, .offset = 0, .nsegs = 0 };
	check_prompt(st);   /* the session ended at a prompt: a verdict */
	for (int d = 0; d < 2; d++)
		mt_lines_flush(&st->ln[d], d, &info, on_line, st);
	/* Only the client typed into a captured session with no reply to the
	 * password: the outcome stays unknown. A user name seen without any
	 * password (e.g. only the echo was captured) is still an attempt. */
	if (st->have_user && !st->c2s_lines) {
		struct mt_credential *c = sess_cred_new(s, "TELNET", st->user_frame);
		mt_bytes_set(&c->username, st->user.data, st->user.len, 0);
	}
	for (int d = 0; d < 2; d++)
		mt_lines_free(&st->ln[d]);
	mt_bytes_free(&st->user);
	free(st);
	s->dissector_state = NULL;
}

const struct mt_dissector mt_dissector_telnet = {
	.name = "telnet",
	.proto = PROTO_TELNET,
	.open = telnet_open,
	.data = telnet_data,
	.gap = telnet_gap,
	.fin = telnet_fin,
	.close = telnet_close,
};
