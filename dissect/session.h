/* session.h - the session model: what dissectors found, what views read.
 *
 * Dissectors write into it only through the sess_* functions below; the
 * text report, JSON lines and the ncurses UI only read it. The model owns
 * copies of every string (captured bytes are copied, never referenced), so
 * a session outlives the packets and stream buffers it came from.
 *
 * Strings from the wire are stored as raw bytes with a length (struct
 * mt_bytes): they may hold NULs, escapes or invalid UTF-8. Renderers
 * sanitise them (dissect/sanitize.h) at the edge where they meet a terminal
 * or a JSON string. */
#ifndef MT_SESSION_H
#define MT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../capture/limits.h"

enum mt_proto { PROTO_OTHER = 0, PROTO_SMTP, PROTO_POP3, PROTO_IMAP, PROTO_TELNET, PROTO_TLS };
enum mt_dir { DIR_C2S = 0, DIR_S2C = 1 };
enum mt_tls { TLS_NONE = 0, TLS_STARTTLS, TLS_IMPLICIT };
enum mt_outcome { OUTCOME_UNKNOWN = 0, OUTCOME_SUCCESS, OUTCOME_FAILURE };
/* A JSON true/false/null. */
enum mt_tri { TRI_NULL = -1, TRI_FALSE = 0, TRI_TRUE = 1 };

/* Warning names are a public contract (docs/json.md): append, never rename. */
enum mt_warning {
	W_CLEARTEXT_CREDENTIALS = 0,
	W_CLEARTEXT_AUTH_DESPITE_STARTTLS_OFFERED,
	W_LOGINDISABLED_IGNORED,
	W_STARTTLS_REFUSED,
	W_STARTTLS_WITHOUT_TLS,
	W_STARTTLS_INJECTION,
	W_AUTH_FAILED,
	W_BRUTE_FORCE,
	W_CHALLENGE_RESPONSE_CRACKABLE,
	W_SYNTAX_ERROR,
	W_STREAM_GAP,
	W_OVERLAP_CONFLICT,
	W_NO_HANDSHAKE,             /* TCP handshake not captured: picked up mid-stream */
	W_BARE_LF,
	W_LINE_TOO_LONG,
	W_MESSAGE_TRUNCATED,
	W_STARTTLS_NOT_OFFERED,
	W_ONE_SIDED,
	W__COUNT
};
const char *mt_warning_name(enum mt_warning w);
const char *mt_proto_name(enum mt_proto p);   /* "smtp", "pop3", ... */
const char *mt_tls_name(enum mt_tls t);       /* "none", "starttls", "implicit" */
const char *mt_outcome_name(enum mt_outcome o);

/* Owned bytes; data is NUL-terminated for convenience but may contain NULs. */
struct mt_bytes {
	char *data;
	size_t len;
	bool truncated; /* the value was longer than a limit and was cut */
};

/* One keystroke of per-character input (telnet-style typing). */
struct mt_key {
	uint32_t ms;    /* milliseconds since the first key of the line */
	uint8_t byte;   /* as received (0x08 and 0x7f are edits) */
};

enum mt_line_kind {
	LINE_TEXT = 0,     /* a protocol line (without its CRLF) */
	LINE_DATA,         /* message body line (DATA/RETR/FETCH literal ...) */
	LINE_GAP,          /* text: "[gap of N bytes]" */
	LINE_TLS,          /* divider: TLS started (text has the detail) */
	LINE_NOTE,         /* a remark by mailtap: overlap conflict, truncation ... */
};

/* One transcript line: what Follow TCP Stream would show, understood. */
struct mt_line {
	uint64_t frame;        /* frame that completed the line */
	uint64_t first_frame;  /* frame that carried its first byte */
	uint64_t ts_ns;        /* capture time of `frame` */
	uint8_t dir;           /* enum mt_dir */
	uint8_t kind;          /* enum mt_line_kind */
	bool secret;           /* the line holds a secret: mask unless revealing
	                        * (text[secret_off .. +secret_len], the keys, and
	                        * decoded, for which decoded_masked is shown) */
	uint32_t secret_off, secret_len;
	struct mt_bytes text;  /* raw line as received, after telnet editing */
	char *decoded;         /* meaning beside the raw line, UTF-8, or NULL
	                        * ("[Username:]", "user=alice pass=..."). If the
	                        * decoded text holds a secret, secret is set and
	                        * decoded_masked holds the masked variant. */
	char *decoded_masked;
	struct mt_key *keys;   /* "as typed" keystrokes, or NULL */
	uint32_t nkeys;
};

struct mt_credential {
	uint32_t session;          /* session id */
	enum mt_proto proto;
	char mechanism[32];        /* "USER/PASS", "AUTH PLAIN", "LOGIN", ... (public) */
	struct mt_bytes username;
	struct mt_bytes password;  /* the secret (password, token); may be empty */
	struct mt_bytes authzid;   /* SASL PLAIN authorisation id, if any */
	struct mt_bytes challenge; /* APOP timestamp / CRAM-MD5 challenge (decoded) */
	struct mt_bytes response;  /* APOP digest / CRAM-MD5 "user digest" */
	enum mt_outcome outcome;
	uint64_t frame;            /* frame that carried the secret (or the command) */
	uint64_t reply_frame;      /* frame of the server's verdict, 0 if none */
	bool typed;                /* entered per character */
	enum mt_tls tls;           /* TLS state of the session when sent */
	bool cancelled;            /* client cancelled the exchange (SASL "*") */
};

struct mt_message {
	uint32_t session;
	uint8_t dir;               /* enum mt_dir: c2s for DATA/APPEND, s2c for RETR/FETCH */
	char command[64];          /* "DATA", "BDAT", "RETR 1", "A3 FETCH 1 BODY[]" (sanitised, cut) */
	uint64_t first_frame, last_frame;
	char *from, *to, *cc, *subject, *date, *message_id; /* decoded to UTF-8, or NULL */
	uint64_t size;             /* bytes as transferred (after dot-unstuffing) */
	char sha256[65];           /* hex of those bytes */
	char **attachments;        /* decoded file names, UTF-8 */
	size_t nattachments;
	size_t nparts;             /* MIME parts seen */
	bool complete;             /* the end marker was seen and no gap inside */
	struct mt_bytes raw;       /* the message bytes, kept when model->keep_raw (export/UI) */
};

struct mt_starttls {
	enum mt_tri offered;       /* server advertised STARTTLS/STLS */
	enum mt_tri requested;     /* client sent STARTTLS/STLS */
	enum mt_tri accepted;      /* server said yes (null: not asked / no reply) */
	bool tls_seen;             /* a TLS ClientHello followed */
	uint64_t request_frame, reply_frame, tls_frame;
};

struct mt_session {
	uint32_t id;               /* 1-based, in order of the first packet */
	size_t model_index;        /* position in model->sessions */
	char client[64], server[64];  /* "10.0.0.5:51000", "[::1]:110" */
	enum mt_proto proto;
	char ndpi[48];             /* nDPI's name, "" until known */
	bool ndpi_guessed;
	char *ndpi_risks;          /* comma separated risk names (owned), or NULL */
	uint64_t first_frame, last_frame;
	uint64_t start_ns, end_ns;
	bool syn_seen;
	bool closed;               /* FIN/RST seen both ways, or expired */
	enum mt_tls tls;
	struct mt_starttls starttls;
	char *sni;                 /* UTF-8 (sanitised host name) or NULL */
	struct mt_bytes greeting;  /* first server line */
	char server_software[64];
	char **auth_mechs;         /* offered SASL mechanisms, upper case */
	size_t nauth_mechs;
	bool logindisabled;        /* IMAP CAPABILITY LOGINDISABLED seen */
	char *user;                /* last username tried (for the sessions view) */
	enum mt_outcome login;     /* outcome of the last login attempt */
	unsigned failed_logins;
	uint64_t bytes_c2s, bytes_s2c, gap_bytes;
	uint64_t packets;
	uint32_t warnings;         /* bit (1u << enum mt_warning) */

	struct mt_credential **creds; size_t ncreds;
	struct mt_message **msgs;     size_t nmsgs;
	struct mt_line *lines;        size_t nlines, lines_cap;
	size_t body_run;              /* LINE_DATA lines in a row, for max_body_lines */
	size_t body_dropped;          /* of them, not kept */
	uint8_t body_dir;

	void *dissector_state;     /* owned by the dissector (dissect/dissector.h) */
	bool reprobe;              /* a pre-dissector (SOCKS) finished: choose again */
	const struct mt_dissector *dissector;
	struct mt_model *model;    /* back pointer */
};

/* Per-packet row for the packets view (only kept when model->keep_packets). */
struct mt_packet {
	uint64_t frame;
	uint64_t ts_ns;
	uint32_t len, caplen;
	uint32_t session;          /* 0 if not a TCP flow we follow */
	uint8_t dir;
	uint8_t tcp_flags;
	uint16_t payload_len;
	const char *src, *dst;     /* "addr:port", interned in the model (never NULL) */
	char preview[24];          /* first payload bytes, raw (sanitise to show) */
	uint8_t preview_len;
};

/* Called by the model when a session is finished (closed, expired, or at the
 * end of input): streaming renderers write it out. */
typedef void (*mt_session_done_fn)(void *user, struct mt_session *s);

struct mt_model {
	struct mt_limits limits;
	struct mt_counters counters;
	bool keep_lines;           /* keep transcript lines (UI, --transcript) */
	bool keep_raw;             /* keep messages' raw bytes (UI, --export) */
	bool keep_packets;         /* keep a struct mt_packet per frame (UI) */
	bool free_done;            /* free a session once reported (streaming JSON) */
	bool drop_empty;           /* free a finished session that carried no byte (text
	                            * report: a SYN flood must not fill memory) */
	uint64_t empty_sessions;   /* sessions freed by drop_empty */
	uint64_t unlisted_sessions; /* report mode: sessions past max_report_sessions */
	size_t kept_finished;      /* finished sessions still held */
	size_t raw_bytes;          /* message bytes kept (max_raw_total) */
	char **intern; size_t intern_cap, intern_n;  /* open-addressing set of endpoints */
	struct mt_session **sessions; size_t nsessions, sessions_cap;
	uint32_t next_id;
	struct mt_packet *packets; size_t npackets, packets_cap;
	mt_session_done_fn on_done; void *on_done_user;
	/* brute-force tracking across sessions: failures per client address */
	struct mt_fail_count *fails; size_t nfails;
	uint64_t first_ts_ns, last_ts_ns;
	uint64_t last_frame;
	char source[256];          /* "file.pcap" or "eth0 (filter)": a label */
	char source_path[256];     /* the capture file read (-r), "" if live or stdin */
	bool live;
	int datalink;
};

/* ---- model lifetime (used by capture/pipeline.c and main) ---- */
void mt_model_init(struct mt_model *m, const struct mt_limits *l);
void mt_model_free(struct mt_model *m);
struct mt_session *mt_session_new(struct mt_model *m);
/* Finishes a session: tells the dissector, then on_done; frees it if free_done. */
void mt_session_finish(struct mt_session *s);
struct mt_packet *mt_model_add_packet(struct mt_model *m); /* NULL if not keeping */
/* One shared copy of an endpoint string ("10.0.0.1:25"), owned by the model:
 * a packet row holds two pointers, not two strings. */
const char *mt_model_intern(struct mt_model *m, const char *str);

/* ---- events from dissectors ---- */

/* Adds a transcript line. text/len are the raw bytes (copied). decoded may be
 * NULL. Returns the line (valid until the next sess_line call) so the caller
 * may attach keys; NULL when the transcript limit is hit or lines are not
 * kept (model->keep_lines false). Callers must accept NULL. */
struct mt_line *sess_line(struct mt_session *s, int dir, enum mt_line_kind kind,
                          uint64_t first_frame, uint64_t frame, uint64_t ts_ns,
                          const uint8_t *text, size_t len, const char *decoded);
/* Marks a line as holding a secret at text[off .. off+len) (the raw bytes
 * to mask) and gives the decoded text with the secret replaced by ********
 * (NULL if the line has no decoded text). */
void sess_line_secret(struct mt_line *l, size_t off, size_t len, const char *decoded_masked);
void sess_line_keys(struct mt_line *l, const struct mt_key *keys, uint32_t n);

/* A new credential attempt. The returned pointer stays valid for the life of
 * the session. Username, password etc. are set with mt_bytes_set(). */
struct mt_credential *sess_cred_new(struct mt_session *s, const char *mechanism, uint64_t frame);
void sess_cred_outcome(struct mt_session *s, struct mt_credential *c, enum mt_outcome o, uint64_t reply_frame);

void sess_warn(struct mt_session *s, enum mt_warning w);
static inline bool sess_has_warning(const struct mt_session *s, enum mt_warning w)
{
	return (s->warnings >> w) & 1u;
}
void sess_set_greeting(struct mt_session *s, const uint8_t *p, size_t n);
void sess_set_software(struct mt_session *s, const char *name);
void sess_add_auth_mech(struct mt_session *s, const uint8_t *p, size_t n); /* dedups, upper-cases */
void sess_set_sni(struct mt_session *s, const uint8_t *p, size_t n);
void sess_starttls_offered(struct mt_session *s);
void sess_starttls_requested(struct mt_session *s, uint64_t frame);
void sess_starttls_reply(struct mt_session *s, bool accepted, uint64_t frame);
void sess_tls_seen(struct mt_session *s, uint64_t frame); /* ClientHello seen */

/* Messages: begin, feed the bytes as transferred (after unstuffing), end.
 * The model hashes (SHA-256), parses headers/MIME (dissect/mime.h) as the
 * bytes go by, and keeps them only when keep_raw (bounded by max_message). */
struct mt_message *sess_msg_begin(struct mt_session *s, int dir, const char *command, uint64_t frame);
void sess_msg_data(struct mt_session *s, struct mt_message *m, const uint8_t *p, size_t n, uint64_t frame);
void sess_msg_end(struct mt_session *s, struct mt_message *m, bool complete);

/* Owned-bytes helpers: copy at most cap bytes (cap 0 = no cap below SIZE_MAX). */
void mt_bytes_set(struct mt_bytes *b, const void *p, size_t n, size_t cap);
void mt_bytes_free(struct mt_bytes *b);

#endif
