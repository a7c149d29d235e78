/* tui_format.h - the text of every cell the UI draws, without curses.
 *
 * Everything that turns the model into screen text lives here so that it
 * can be tested without a terminal (tests/unit/test_ui_format.c): packet
 * Info, Protocol and Time columns, TLS state, masked secrets, keystrokes,
 * the session sort order, display-width fitting, safe file names. Every
 * captured byte goes through mt_sanitize_term() on its way out of here. */
#ifndef MT_UI_TUI_FORMAT_H
#define MT_UI_TUI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../dissect/sbuf.h"
#include "../dissect/session.h"

#define TUI_MASK "********"

/* TCP flag bits as on the wire (RFC 9293 §3.1). */
enum { TF_FIN = 0x01, TF_SYN = 0x02, TF_RST = 0x04, TF_PSH = 0x08, TF_ACK = 0x10,
       TF_URG = 0x20, TF_ECE = 0x40, TF_CWR = 0x80 };

/* "[SYN, ACK]" in Wireshark's order (FIN SYN RST PSH ACK URG ECE CWR);
 * "[<None>]" for no flags. */
void tui_tcp_flags(struct mt_sbuf *out, uint8_t flags);

/* Index from frame number to the session's transcript lines completed in
 * that frame, built lazily and extended as lines are appended (lines are
 * appended in frame order nearly always; out-of-order tails re-sort). */
struct tui_lindex {
	uint32_t *order;     /* line indices sorted by (frame, index) */
	size_t n, cap;
};
void tui_lindex_free(struct tui_lindex *ix);
/* First line (index into s->lines) completed in frame, or -1; *count gets
 * how many lines that frame completed. Brings ix up to date with s first. */
long tui_lindex_find(struct tui_lindex *ix, const struct mt_session *s, uint64_t frame, size_t *count);
/* First line with frame >= frame (for "open the transcript at a packet"),
 * or s->nlines if none. */
size_t tui_lindex_at_or_after(struct tui_lindex *ix, const struct mt_session *s, uint64_t frame);

/* Protocol column: "SMTP", "POP", "IMAP", "TELNET", "TLS" or "TCP". Inside
 * implicit TLS, and after an accepted STARTTLS, packets are "TLS". s may be
 * NULL (a packet outside any followed session): "TCP" if it had TCP flags.
 * frame TUI_FRAME_EMPTY: an empty segment (handshake, ACK), "TCP" as in
 * Wireshark. */
#define TUI_FRAME_EMPTY UINT64_MAX
const char *tui_proto_label(const struct mt_session *s, uint64_t frame, uint8_t tcp_flags);

/* A transcript line's raw text, sanitised, with the secret range replaced
 * by ******** unless reveal. */
void tui_line_text(struct mt_sbuf *out, const struct mt_line *l, bool reveal);
/* The decoded meaning to show beside the line (masked variant unless
 * reveal), or NULL. Not sanitised: pass it through mt_sanitize_term. */
const char *tui_line_decoded(const struct mt_line *l, bool reveal);
/* "u s e r ⌫ r  (0 ms .. 1.2 s)": the keystrokes as typed, each with its
 * offset in ms: "u+0 s+180 ...". Masked unless reveal when l->secret. */
void tui_keys_text(struct mt_sbuf *out, const struct mt_line *l, bool reveal);

/* The Info column of a packet. ix is the session's line index (NULL when
 * s is NULL). Frames that completed lines show "C: line" / "S: line" (plus
 * " (+N)" when the frame completed N more); other payload packets show the
 * payload preview ("C: k" for typed characters) or "TLS, N bytes" inside
 * TLS; empty segments show their TCP flags like Wireshark. */
void tui_packet_info(struct mt_sbuf *out, const struct mt_packet *p, const struct mt_session *s,
                     struct tui_lindex *ix, bool reveal);

/* Wireshark's default time: seconds since the first packet, "12.345678". */
void tui_rel_time(struct mt_sbuf *out, uint64_t ts_ns, uint64_t first_ns);
/* UTC wall time "2023-05-07 06:41:15.123". */
void tui_abs_time(struct mt_sbuf *out, uint64_t ts_ns);

/* "plain", "STARTTLS→TLS", "STARTTLS refused", "STARTTLS, no TLS",
 * "STARTTLS asked", "implicit TLS", "TLS". */
const char *tui_tls_state(const struct mt_session *s);
/* Short outcome: "ok", "FAILED", "?" or "" when no login was seen. */
const char *tui_login_label(const struct mt_session *s);
/* The session's credentials were sent in clear (exposed). */
bool tui_session_exposed(const struct mt_session *s);
/* A credential whose secret (or crackable response) crossed the wire in clear. */
bool tui_cred_exposed(const struct mt_credential *c);
/* Comma-separated warning names. */
void tui_warnings_text(struct mt_sbuf *out, uint32_t warnings);
/* "12.3 kB" style (1000-based, as Wireshark's statistics). */
void tui_bytes_text(struct mt_sbuf *out, uint64_t n);

/* The secret column of a credential: "********" unless reveal; for
 * challenge/response mechanisms the response; "" when there is none. */
void tui_cred_secret(struct mt_sbuf *out, const struct mt_credential *c, bool reveal);

/* Session sort columns (Sessions view). */
enum tui_sort { SORT_ID = 0, SORT_CLIENT, SORT_SERVER, SORT_PROTO, SORT_TLS, SORT_USER, SORT_LOGIN,
                SORT_CREDS, SORT_MSGS, SORT_BYTES, SORT_WARN, SORT__COUNT };
const char *tui_sort_name(enum tui_sort k);
/* <0, 0, >0; ties broken by id so the order is total and stable. */
int tui_session_cmp(const struct mt_session *a, const struct mt_session *b, enum tui_sort key, bool desc);

/* Display width of valid UTF-8 text (wcwidth per code point; invalid or
 * non-printable count 1: the text is expected to be sanitised). */
int tui_text_width(const char *s);
/* Appends s cut to at most width columns, padded with spaces to exactly
 * width when pad. Skips the first `skip` columns (horizontal scroll).
 * Control bytes (which sanitised text never holds) are written as '?'.
 * Returns the columns written. */
int tui_fit(struct mt_sbuf *out, const char *s, int skip, int width, bool pad);
/* Set when the terminal's locale is not UTF-8: tui_fit then writes every
 * non-ASCII character as '?' (one column), so widths stay right. */
extern bool tui_ascii_only;

/* A file name made of [A-Za-z0-9._-] only (others become '_'), never
 * starting with '.', never empty, at most outsz-1 bytes. */
void tui_safe_name(char *out, size_t outsz, const char *in);

/* Column layout of a list: columns start at their preferred width; when the
 * screen is too narrow they shrink towards min, then the least important
 * (highest prio number) are hidden (w = 0); shrinking also starts with the
 * least important; spare width goes to the last
 * visible column. Columns are separated by one space. */
struct tui_col {
	const char *title;
	int pref, min, prio;
	bool right;       /* right-aligned (numbers) */
	int w, x;         /* out */
};
void tui_layout(struct tui_col *c, int n, int width);
/* max(cur, display length of endpoint a capped at 47): sizes an endpoint
 * column from the rows on screen. */
int tui_endpoint_width(const char *a, int cur);

#endif
