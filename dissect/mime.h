/* mime.h - streaming parser for mail messages as they cross the wire.
 *
 * The session model feeds it the bytes of a message from SMTP DATA/BDAT,
 * POP3 RETR/TOP or IMAP FETCH/APPEND while they stream by, and reads the
 * result once the message ends: the top-level From, To, Cc, Subject, Date
 * and Message-ID decoded to UTF-8 (RFC 5322, RFC 2047), the number of MIME
 * parts and the attachment names (RFC 2045, 2046, 2183, 2231).
 *
 * It never stores a body. Memory per parser is bounded by the caps below
 * whatever the input (a 100 MB line, 1 MB of headers, MIME nested 1000 deep),
 * and every byte is looked at a bounded number of times. Names are returned
 * as decoded text, never used as paths here; the exporter sanitises them. */
#ifndef MT_MIME_H
#define MT_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mt_limits;
struct mt_message;

/* Header bytes kept (parsed) per header block; the rest is skipped and
 * counted. Only fields mailtap reads are kept, so real messages with tens
 * of KB of Received/DKIM/ARC headers lose nothing. */
#define MT_MIME_HDR_KEEP   (64 * 1024)
/* Multipart nesting followed; deeper multiparts are counted, not followed. */
#define MT_MIME_MAX_DEPTH  32
/* Attachment names kept per message, and bytes per name (cut at a UTF-8
 * character boundary). */
#define MT_MIME_MAX_NAMES  256
#define MT_MIME_NAME_MAX   1024
/* Longest boundary followed (RFC 2046 §5.1.1 allows 70; some mailers
 * write longer ones). */
#define MT_MIME_BOUNDARY_MAX 256

struct mt_mime; /* opaque */

/* What the caps cut, for the caller's counters and warnings. */
struct mt_mime_stats {
	uint64_t header_bytes_skipped; /* header bytes over MT_MIME_HDR_KEEP */
	unsigned depth_exceeded;       /* multiparts nested too deep (not followed) */
	unsigned names_dropped;        /* attachment names over MT_MIME_MAX_NAMES */
	unsigned names_cut;            /* names cut to MT_MIME_NAME_MAX bytes */
	unsigned boundaries_too_long;  /* multiparts with a boundary over the cap */
	bool truncated;                /* any of the above happened */
};

/* A new parser. lim may be NULL; the MIME caps are the fixed constants
 * above (they are protocol-derived, not tuning knobs). Never NULL. */
struct mt_mime *mt_mime_new(const struct mt_limits *lim);

/* Message bytes as transferred (already dot-unstuffed), in arbitrary chunks:
 * a chunk may end anywhere, lines end in CRLF or bare LF. Feeding a message
 * in one chunk or byte by byte gives identical results. Ignored after
 * mt_mime_finish(). */
void mt_mime_feed(struct mt_mime *m, const uint8_t *p, size_t n);

/* Ends the message (an unterminated last line or header block counts) and
 * moves the results into msg: from, to, cc, subject, date, message_id
 * (malloc'd UTF-8, NULL if absent; the first occurrence of each field wins),
 * attachments/nattachments (malloc'd array of malloc'd names, NULL/0 if
 * none) and nparts. nparts counts the body parts delimited by boundaries at
 * every depth (RFC 2046 §5.1), plus one for a top-level entity that is not
 * multipart (so a plain message has 1, an empty input 0). A part is an
 * attachment if it has Content-Disposition: attachment (RFC 2183) or a
 * filename/name parameter; one without a name is listed as "(unnamed)".
 * Those fields of msg are overwritten (expected NULL/0 before); no other
 * field is touched. Call once; the parser must still be freed. */
void mt_mime_finish(struct mt_mime *m, struct mt_message *msg);

/* Copies the counters of what the caps cut (valid before or after finish). */
void mt_mime_get_stats(const struct mt_mime *m, struct mt_mime_stats *st);

/* Frees the parser and anything not moved out by mt_mime_finish(). NULL ok. */
void mt_mime_free(struct mt_mime *m);

#endif
