/* tls_sniff.h - recognise the start of TLS after STARTTLS or on an
 * implicit-TLS port: the client's ClientHello (RFC 8446 §4.1.2, RFC 5246
 * §7.4.1.2) and its server_name (RFC 6066 §3). Nothing else of TLS is
 * decoded: mailtap does not decrypt. */
#ifndef MT_TLS_SNIFF_H
#define MT_TLS_SNIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissector.h"
#include "session.h"

#define MT_TLS_REC_MAX 16384   /* a ClientHello record is parsed up to this size */

enum { MT_TLS_NEED_MORE = 0, MT_TLS_HELLO = 1, MT_TLS_NOT_TLS = -1 };

struct mt_tls_sniff {
	uint8_t *buf; size_t len;   /* the first record, collected */
	int state;                  /* last result once decided */
	char sni[256];
	size_t sni_len;
	uint16_t version;           /* legacy_version of the record */
};

void mt_tls_sniff_init(struct mt_tls_sniff *t);
void mt_tls_sniff_free(struct mt_tls_sniff *t);
/* Feed client bytes; returns MT_TLS_NEED_MORE until decided, then always
 * the decision. Bytes past the first record are ignored. */
int mt_tls_sniff_feed(struct mt_tls_sniff *t, const uint8_t *p, size_t n);
/* Parses a complete ClientHello record at p[0..n); fills sni. */
int mt_tls_parse_client_hello(const uint8_t *p, size_t n, char *sni, size_t snisz, size_t *sni_len);

/* What every dissector does with bytes after STARTTLS was accepted (and the
 * implicit-TLS dissector with all bytes): client bytes go to the sniffer;
 * when a ClientHello is recognised the session gets tls_seen, its SNI and
 * a LINE_TLS divider in the transcript. Server bytes are only counted. */
void mt_tls_session_bytes(struct mt_session *s, struct mt_tls_sniff *t, int dir,
                          const uint8_t *p, size_t n, const struct mt_seg_info *info);

#endif
