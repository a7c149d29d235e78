/* lines.h - the one line splitter all text protocols share.
 *
 * Feed it one direction's reassembled bytes; it calls on_line() for each
 * complete line (CRLF, or a bare LF which is flagged) and keeps a partial
 * line itself (bounded by line_max), so it always consumes every byte and
 * never rescans: typing one character per segment costs O(1) per byte.
 *
 * In front of the splitter sits a telnet NVT filter: IAC negotiation
 * (RFC 854/855) is stripped (IAC IAC is a literal 0xFF; IAC SB..SE is
 * bounded), and on input typed per character, backspace (0x08) and DEL (0x7f)
 * edit the pending line. The keystrokes "as typed" are kept with their
 * timing and handed over with the line.
 *
 * A dissector can switch the splitter to raw mode from inside on_line()
 * (IMAP literals, BDAT chunks, TLS after STARTTLS): the next n bytes (or all
 * bytes, for raw_forever) go to on_raw() instead. */
#ifndef MT_LINES_H
#define MT_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissector.h"
#include "session.h"

struct mt_line_meta {
	uint64_t first_frame;   /* frame that carried the line's first byte */
	uint64_t frame;         /* frame that carried its end */
	uint64_t ts_ns;         /* time of `frame` */
	uint64_t first_ts_ns;   /* time of `first_frame` */
	bool bare_lf;           /* ended by LF alone (RFC 5321 §2.3.8 says CRLF) */
	bool truncated;         /* longer than line_max: only the first line_max bytes */
	bool typed;             /* entered one character per segment */
	bool edited;            /* backspace/DEL was applied */
	bool eol;               /* false when flushed at a gap or at close */
	bool after_gap;         /* the line began right after a gap: its start may be lost */
	uint32_t nsegs;         /* segments the line was spread over */
	const struct mt_key *keys; /* keystrokes as typed (typed lines only) */
	uint32_t nkeys;
};

typedef void (*mt_line_fn)(void *ctx, int dir, const uint8_t *line, size_t len,
                           const struct mt_line_meta *m);
/* Raw bytes in raw mode; `done` is true on the call that ends a counted run. */
typedef void (*mt_raw_fn)(void *ctx, int dir, const uint8_t *p, size_t n,
                          const struct mt_seg_info *info, bool done);

enum { MT_NVT_OFF = 0, MT_NVT_AUTO, MT_NVT_ON };

struct mt_lines {
	/* settings */
	size_t line_max;         /* cap on a kept line */
	int nvt;                 /* MT_NVT_OFF, _AUTO (on at the first IAC command), _ON */
	bool edit;               /* apply BS/DEL editing on typed lines (client side) */
	/* state: the pending partial line */
	uint8_t *buf; size_t len, cap;
	uint64_t first_frame, first_ts_ns;
	uint32_t nsegs;
	uint64_t last_seg_frame;
	bool overlong;           /* discarding the rest of an overlong line */
	bool edited;
	bool cr;                 /* last byte was CR (CR NUL / CR LF handling) */
	struct mt_key *keys; uint32_t nkeys, keys_cap;
	uint32_t small_segs;     /* segments of <= 2 bytes in this line */
	/* raw mode */
	uint64_t raw_left;
	bool raw_forever;
	/* NVT parser */
	uint8_t iac_state;
	uint16_t sb_len;
	bool nvt_seen;           /* an IAC command was seen */
	bool after_gap;
	/* counters for the caller */
	uint64_t lines, bare_lf_lines, truncated_lines;
};

void mt_lines_init(struct mt_lines *l, size_t line_max);
void mt_lines_free(struct mt_lines *l);

/* Splits p[0..n) into lines; always consumes all n bytes. */
void mt_lines_feed(struct mt_lines *l, int dir, const uint8_t *p, size_t n,
                   const struct mt_seg_info *info, mt_line_fn on_line, mt_raw_fn on_raw, void *ctx);

/* From inside on_line(): the next n bytes are raw (n may be 0: no effect). */
void mt_lines_raw(struct mt_lines *l, uint64_t n);
/* From now on every byte is raw (TLS after STARTTLS). */
void mt_lines_raw_forever(struct mt_lines *l);
/* A gap: the pending partial line is emitted (eol false) and raw counts are
 * reduced by the gap length; returns the raw bytes the gap swallowed. */
uint64_t mt_lines_gap(struct mt_lines *l, int dir, uint64_t len, const struct mt_seg_info *info,
                      mt_line_fn on_line, void *ctx);
/* End of stream: emit a pending partial line with eol false. */
void mt_lines_flush(struct mt_lines *l, int dir, const struct mt_seg_info *info,
                    mt_line_fn on_line, void *ctx);

#endif
