/* ndpi_glue.h - the one file that talks to nDPI 4.2 (see
 * ../shared/docs/ndpi-4.2.md). Each flow is fed its packets from the IP
 * header until nDPI has decided and has nothing more to extract, or 32
 * packets (its own hard cap); then the verdict (name, guessed, risks) is
 * kept and the nDPI flow state is freed at once. Credentials are never
 * taken from nDPI (its 4.2 buffers truncate and it ignores failed logins). */
#ifndef MT_NDPI_GLUE_H
#define MT_NDPI_GLUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mt_ndpi;   /* the detection module */

struct mt_ndpi_flow {
	void *nf;          /* struct ndpi_flow_struct *, while feeding */
	uint16_t fed;
	bool done;         /* verdict final, state freed */
	bool detected;
	bool guessed;
	uint16_t master, app;
	char name[48];     /* "POP3", "SMTP", "TLS", "IMAPS", "Unknown" */
	char *risks;       /* comma separated risk names (malloc'd), or NULL */
};

struct mt_ndpi *mt_ndpi_new(void);
void mt_ndpi_free(struct mt_ndpi *n);
/* Feeds one packet (l3 = IP header, len captured L3 bytes) of a flow.
 * has_payload_or_flags: pure ACKs are skipped (trap T1: they eat the
 * 32-packet window). */
void mt_ndpi_packet(struct mt_ndpi *n, struct mt_ndpi_flow *f, const uint8_t *l3, size_t len,
                    uint64_t ts_ns, bool worth_feeding);
/* Settles the verdict (gives up with a port guess if undecided) and frees
 * the nDPI state. Idempotent. */
void mt_ndpi_finish(struct mt_ndpi *n, struct mt_ndpi_flow *f);
/* Frees the nDPI state and the risk names (what was not moved out). */
void mt_ndpi_flow_free(struct mt_ndpi_flow *f);

/* Mail protocol hints from nDPI's verdict. */
enum mt_ndpi_hint { NDPI_HINT_NONE = 0, NDPI_HINT_SMTP, NDPI_HINT_POP3, NDPI_HINT_IMAP,
                    NDPI_HINT_TELNET, NDPI_HINT_TLS, NDPI_HINT_SMTPS, NDPI_HINT_POPS, NDPI_HINT_IMAPS,
                    NDPI_HINT_OTHER };
enum mt_ndpi_hint mt_ndpi_hint(const struct mt_ndpi_flow *f);

#endif
