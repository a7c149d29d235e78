/* ndpi_glue.c - nDPI 4.2: classification only, state freed as soon as settled. */
#include "ndpi_glue.h"

#include <ndpi_api.h>
#include <stdio.h>
#include <string.h>

#define FEED_MAX 32   /* NDPI_MAX_NUM_PKTS_PER_FLOW_TO_DISSECT in 4.2 */

struct mt_ndpi {
	struct ndpi_detection_module_struct *mod;
};

struct mt_ndpi *mt_ndpi_new(void)
{
	struct mt_ndpi *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->mod = ndpi_init_detection_module(ndpi_no_prefs);
	if (!n->mod) {
		free(n);
		return NULL;
	}
	NDPI_PROTOCOL_BITMASK bm;
	NDPI_BITMASK_SET_ALL(bm);
	ndpi_set_protocol_detection_bitmask2(n->mod, &bm);   /* without it nothing is dissected (T14) */
	ndpi_finalize_initialization(n->mod);
	return n;
}

void mt_ndpi_free(struct mt_ndpi *n)
{
	if (!n)
		return;
	ndpi_exit_detection_module(n->mod);
	free(n);
}

static void free_state(struct mt_ndpi_flow *f)
{
	if (f->nf) {
		ndpi_flow_free(f->nf);   /* never free(): leaks its buffers (T12) */
		f->nf = NULL;
	}
}

void mt_ndpi_flow_free(struct mt_ndpi_flow *f)
{
	free(f->risks);
	f->risks = NULL;
	free_state(f);
}

static void read_verdict(struct mt_ndpi *n, struct mt_ndpi_flow *f, ndpi_protocol p)
{
	f->master = p.master_protocol;
	f->app = p.app_protocol;
	f->detected = p.master_protocol || p.app_protocol;
	ndpi_protocol2name(n->mod, p, f->name, sizeof(f->name));
	struct ndpi_flow_struct *nf = f->nf;
	free(f->risks);
	f->risks = NULL;
	if (nf && nf->risk) {
		char buf[512];
		size_t len = 0;
		buf[0] = 0;
		for (int i = 1; i < NDPI_MAX_RISK && i < 64; i++) {
			if (!(nf->risk & (1ULL << i)))
				continue;
			const char *r = ndpi_risk2str((ndpi_risk_enum)i);
			int w = snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "", r ? r : "?");
			if (w < 0 || (size_t)w >= sizeof(buf) - len)
				break;
			len += (size_t)w;
		}
		f->risks = len ? strdup(buf) : NULL;
	}
}

void mt_ndpi_packet(struct mt_ndpi *n, struct mt_ndpi_flow *f, const uint8_t *l3, size_t len,
                    uint64_t ts_ns, bool worth_feeding)
{
	if (!n || f->done || !worth_feeding)
		return;
	if (!f->nf) {
		uint32_t sz = ndpi_detection_get_sizeof_ndpi_flow_struct();
		f->nf = ndpi_flow_malloc(sz);
		if (!f->nf) {
			f->done = true;
			snprintf(f->name, sizeof(f->name), "Unknown");
			return;
		}
		memset(f->nf, 0, sz);   /* ndpi_flow_malloc does not zero */
	}
	if (len > 65535)
		len = 65535;
	ndpi_protocol p = ndpi_detection_process_packet(n->mod, f->nf, l3, (unsigned short)len, ts_ns / 1000000u);
	f->fed++;
	bool detected = p.master_protocol || p.app_protocol;
	/* Extra dissection after detection is what sets nDPI's risks (e.g.
	 * Clear-Text Credentials); it ends by itself or at the 32-packet cap. */
	if ((detected && !ndpi_extra_dissection_possible(n->mod, f->nf)) || f->fed >= FEED_MAX)
		mt_ndpi_finish(n, f);
	else if (detected)
		read_verdict(n, f, p);
}

void mt_ndpi_finish(struct mt_ndpi *n, struct mt_ndpi_flow *f)
{
	if (f->done)
		return;
	f->done = true;
	if (!f->nf) {
		if (!f->name[0])
			snprintf(f->name, sizeof(f->name), "Unknown");
		return;
	}
	struct ndpi_flow_struct *nf = f->nf;
	ndpi_protocol p = { nf->detected_protocol_stack[1], nf->detected_protocol_stack[0], nf->category };
	if (!p.app_protocol && !p.master_protocol) {
		u_int8_t guessed = 0;
		p = ndpi_detection_giveup(n->mod, nf, 1, &guessed);
		f->guessed = guessed != 0 || nf->confidence == NDPI_CONFIDENCE_MATCH_BY_PORT;
	}
	read_verdict(n, f, p);
	free_state(f);   /* settled: the ~3 KB of DPI state goes at once (T13) */
}

enum mt_ndpi_hint mt_ndpi_hint(const struct mt_ndpi_flow *f)
{
	uint16_t ids[2] = { f->app, f->master };
	for (int i = 0; i < 2; i++) {
		switch (ids[i]) {
		case NDPI_PROTOCOL_MAIL_SMTP: return NDPI_HINT_SMTP;
		case NDPI_PROTOCOL_MAIL_POP: return NDPI_HINT_POP3;
		case NDPI_PROTOCOL_MAIL_IMAP: return NDPI_HINT_IMAP;
		case NDPI_PROTOCOL_TELNET: return NDPI_HINT_TELNET;
		case NDPI_PROTOCOL_MAIL_SMTPS: return NDPI_HINT_SMTPS;
		case NDPI_PROTOCOL_MAIL_POPS: return NDPI_HINT_POPS;
		case NDPI_PROTOCOL_MAIL_IMAPS: return NDPI_HINT_IMAPS;
		case NDPI_PROTOCOL_TLS: return NDPI_HINT_TLS;
		default: break;
		}
	}
	return f->detected ? NDPI_HINT_OTHER : NDPI_HINT_NONE;
}
