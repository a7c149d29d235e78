/* lines.c - the shared line splitter with its telnet NVT front end. */
#include "lines.h"

#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

/* RFC 854 command bytes */
#define IAC  255
#define DONT 254
#define DO   253
#define WONT 252
#define WILL 251
#define SB   250
#define SE   240

/* Subnegotiation longer than this is abandoned (hostile `IAC SB` never closed). */
#define SB_MAX 512
/* Deliveries of at most this many bytes count as typed keystrokes. */
#define KEY_SEG_MAX 4
/* Keystrokes kept per line. */
#define KEYS_MAX 4096

enum { NVT_DATA = 0, NVT_IAC, NVT_OPT, NVT_SB, NVT_SB_IAC };

void mt_lines_init(struct mt_lines *l, size_t line_max)
{
	memset(l, 0, sizeof(*l));
	l->line_max = line_max ? line_max : 16384;
	l->nvt = MT_NVT_AUTO;
}

void mt_lines_free(struct mt_lines *l)
{
	free(l->buf);
	free(l->keys);
	l->buf = NULL;
	l->keys = NULL;
	l->len = l->cap = 0;
	l->nkeys = l->keys_cap = 0;
}

void mt_lines_raw(struct mt_lines *l, uint64_t n)
{
	l->raw_left += n;
}

void mt_lines_raw_forever(struct mt_lines *l)
{
	l->raw_forever = true;
}

static void reset_line(struct mt_lines *l)
{
	l->len = 0;
	l->nsegs = 0;
	l->small_segs = 0;
	l->nkeys = 0;
	l->overlong = false;
	l->edited = false;
	l->first_frame = 0;
	l->last_seg_frame = 0;
	l->after_gap = false;
}

static bool line_is_typed(const struct mt_lines *l)
{
	/* Several segments, nearly all of them one or two keystrokes. */
	return l->nsegs >= 2 && l->small_segs * 4 >= l->nsegs * 3;
}

static void emit_pending(struct mt_lines *l, int dir, const struct mt_seg_info *info, bool eol, bool bare_lf,
                         mt_line_fn on_line, void *ctx)
{
	struct mt_line_meta m = { 0 };
	m.first_frame = l->first_frame ? l->first_frame : info->frame;
	m.first_ts_ns = l->first_ts_ns ? l->first_ts_ns : info->ts_ns;
	m.frame = info->frame;
	m.ts_ns = info->ts_ns;
	m.bare_lf = bare_lf;
	m.truncated = l->overlong;
	m.typed = line_is_typed(l);
	m.edited = l->edited;
	m.eol = eol;
	m.after_gap = l->after_gap;
	m.nsegs = l->nsegs;
	if (m.typed) {
		m.keys = l->keys;
		m.nkeys = l->nkeys;
	}
	l->lines++;
	if (bare_lf)
		l->bare_lf_lines++;
	if (l->overlong)
		l->truncated_lines++;
	on_line(ctx, dir, l->buf ? l->buf : (const uint8_t *)"", l->len, &m);
	reset_line(l);
}

static void append(struct mt_lines *l, uint8_t c)
{
	if (l->len >= l->line_max) {
		l->overlong = true;
		return;
	}
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 128;
		if (cap > l->line_max)
			cap = l->line_max;
		l->buf = mt_xrealloc(l->buf, cap);
		l->cap = cap;
	}
	l->buf[l->len++] = c;
}

static void add_key(struct mt_lines *l, uint8_t c, const struct mt_seg_info *info)
{
	if (l->nkeys >= KEYS_MAX)
		return;
	if (l->nkeys == l->keys_cap) {
		uint32_t cap = l->keys_cap ? l->keys_cap * 2 : 32;
		l->keys = mt_xrealloc(l->keys, cap * sizeof(*l->keys));
		l->keys_cap = cap;
	}
	uint64_t dt = info->ts_ns > l->first_ts_ns ? info->ts_ns - l->first_ts_ns : 0;
	l->keys[l->nkeys].ms = (uint32_t)(dt / 1000000u > UINT32_MAX ? UINT32_MAX : dt / 1000000u);
	l->keys[l->nkeys].byte = c;
	l->nkeys++;
}

/* Removes the last character (a whole UTF-8 sequence) of the pending line. */
static void erase_last(struct mt_lines *l)
{
	while (l->len) {
		uint8_t c = l->buf[--l->len];
		if ((c & 0xc0) != 0x80)
			break;
	}
	l->edited = true;
}

/* One data byte (after NVT decoding) into the pending line. Returns true
 * when it ended a line. */
static bool data_byte(struct mt_lines *l, int dir, uint8_t c, bool small, const struct mt_seg_info *info,
                      mt_line_fn on_line, void *ctx)
{
	if (l->cr) {
		l->cr = false;
		if (c == '\n' || (c == 0 && (l->nvt_seen || l->nvt == MT_NVT_ON || line_is_typed(l) || small))) {
			/* RFC 854: CR LF is end of line, CR NUL a bare CR that telnet
			 * clients send for Enter in character mode. */
			emit_pending(l, dir, info, true, false, on_line, ctx);
			return true;
		}
		append(l, '\r');
	}
	if (c == '\r') {
		l->cr = true;
		return false;
	}
	if (c == '\n') {
		emit_pending(l, dir, info, true, true, on_line, ctx);
		return true;
	}
	if ((c == 0x08 || c == 0x7f) && l->edit && small) {
		erase_last(l);
		return false;
	}
	append(l, c);
	return false;
}

/* Slow path: one byte at a time through the NVT state machine. */
static void slow_byte(struct mt_lines *l, int dir, uint8_t c, bool small, const struct mt_seg_info *info,
                      mt_line_fn on_line, void *ctx)
{
	switch (l->iac_state) {
	case NVT_DATA:
		if (c == IAC && l->nvt != MT_NVT_OFF) {
			l->iac_state = NVT_IAC;
			return;
		}
		break;
	case NVT_IAC:
		l->iac_state = NVT_DATA;
		if (c == IAC)
			break;          /* IAC IAC: a literal 0xFF */
		if (c >= SB && c <= DONT) {
			l->nvt_seen = true;
			l->iac_state = c == SB ? NVT_SB : (c >= WILL ? NVT_OPT : NVT_DATA);
			l->sb_len = 0;
			return;
		}
		if (c >= SE && c < SB && (l->nvt_seen || l->nvt == MT_NVT_ON)) {
			l->nvt_seen = true;  /* NOP, DM, BRK, IP, AO, AYT, EC, EL, GA */
			if (c == 247 && l->len) /* EC: erase character */
				erase_last(l);
			if (c == 248) {        /* EL: erase line */
				l->len = 0;
				l->edited = true;
			}
			return;
		}
		/* Not telnet after all: the 0xFF was data. */
		if (data_byte(l, dir, IAC, small, info, on_line, ctx))
			return;
		break;
	case NVT_OPT:
		l->iac_state = NVT_DATA;
		return;
	case NVT_SB:
		if (c == IAC)
			l->iac_state = NVT_SB_IAC;
		else if (++l->sb_len > SB_MAX)
			l->iac_state = NVT_DATA;  /* never closed: give up on it */
		return;
	case NVT_SB_IAC:
		l->iac_state = c == SE ? NVT_DATA : NVT_SB;
		return;
	}
	data_byte(l, dir, c, small, info, on_line, ctx);
}

void mt_lines_feed(struct mt_lines *l, int dir, const uint8_t *p, size_t n,
                   const struct mt_seg_info *info, mt_line_fn on_line, mt_raw_fn on_raw, void *ctx)
{
	size_t i = 0;
	bool small = n <= KEY_SEG_MAX;

	while (i < n) {
		if (l->raw_forever) {
			if (on_raw)
				on_raw(ctx, dir, p + i, n - i, info, false);
			return;
		}
		if (l->raw_left) {
			size_t k = n - i;
			if (k > l->raw_left)
				k = (size_t)l->raw_left;
			l->raw_left -= k;
			if (on_raw)
				on_raw(ctx, dir, p + i, k, info, l->raw_left == 0);
			i += k;
			continue;
		}
		/* Fast path: a whole line inside this delivery, nothing pending,
		 * no telnet bytes: hand it over in place. */
		if (l->len == 0 && !l->cr && !l->overlong && !l->edited && l->nkeys == 0 &&
		    l->iac_state == NVT_DATA && !small) {
			const uint8_t *lf = memchr(p + i, '\n', n - i);
			if (lf) {
				size_t end = (size_t)(lf - p);
				size_t len = end - i;
				bool cr = len && p[end - 1] == '\r';
				if (cr)
					len--;
				if ((l->nvt == MT_NVT_OFF || !memchr(p + i, IAC, len)) && !memchr(p + i, '\r', len)) {
					struct mt_line_meta m = { 0 };
					/* Segments that held only telnet negotiation
					 * are not part of this line. */
					l->nsegs = l->small_segs = 0;
					l->first_frame = l->last_seg_frame = 0;
					m.first_frame = m.frame = info->frame;
					m.first_ts_ns = m.ts_ns = info->ts_ns;
					m.bare_lf = !cr;
					m.eol = true;
					m.nsegs = 1;
					m.after_gap = l->after_gap;
					l->after_gap = false;
					if (len > l->line_max) {
						len = l->line_max;
						m.truncated = true;
						l->truncated_lines++;
					}
					l->lines++;
					if (m.bare_lf)
						l->bare_lf_lines++;
					on_line(ctx, dir, p + i, len, &m);
					i = end + 1;
					continue;
				}
			}
		}
		/* Slow path: bytes join the pending line one at a time. */
		if (l->last_seg_frame != info->frame || l->nsegs == 0) {
			/* Nothing of the line yet (at most telnet negotiation):
			 * the line starts with this segment. */
			if (l->len == 0 && !l->cr && l->nkeys == 0 && !l->overlong) {
				l->nsegs = l->small_segs = 0;
				l->first_frame = info->frame;
				l->first_ts_ns = info->ts_ns;
			}
			l->nsegs++;
			if (small)
				l->small_segs++;
			l->last_seg_frame = info->frame;
		}
		uint8_t c = p[i++];
		if (small && c != IAC && l->iac_state == NVT_DATA)
			add_key(l, c, info);
		slow_byte(l, dir, c, small, info, on_line, ctx);
	}
}

uint64_t mt_lines_gap(struct mt_lines *l, int dir, uint64_t len, const struct mt_seg_info *info,
                      mt_line_fn on_line, void *ctx)
{
	if (l->raw_forever)
		return len;
	uint64_t swallowed = 0;
	if (l->raw_left) {
		swallowed = len < l->raw_left ? len : l->raw_left;
		l->raw_left -= swallowed;
		if (swallowed == len)
			return swallowed;
	}
	if (l->len || l->cr) {
		if (l->cr) {
			append(l, '\r');
			l->cr = false;
		}
		emit_pending(l, dir, info, false, false, on_line, ctx);
	} else {
		reset_line(l);   /* keystrokes of an erased line do not carry over the gap */
	}
	l->iac_state = NVT_DATA;
	l->after_gap = true;
	return swallowed;
}

void mt_lines_flush(struct mt_lines *l, int dir, const struct mt_seg_info *info, mt_line_fn on_line, void *ctx)
{
	if (l->cr) {
		append(l, '\r');
		l->cr = false;
	}
	if (l->len || l->overlong)
		emit_pending(l, dir, info, false, false, on_line, ctx);
}
