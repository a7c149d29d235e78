/* pipeline.c - the per-packet path: libpcap -> decode -> (fragments) ->
 * flow -> nDPI -> reassembly -> dispatch into the session model. */
#include "pipeline.h"

#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../dissect/dispatch.h"
#include "../dissect/sbuf.h"
#include "decode.h"
#include "flow.h"
#include "ipfrag.h"
#include "ndpi_glue.h"
#include "reasm.h"
#include "source.h"

#define EXPIRE_EVERY_NS 1000000000ull      /* walk the LRU once per second of packet time */
#define CLOSED_LINGER_NS 30000000000ull    /* a finished flow absorbs stragglers this long */
#define PROBE_FORCE_BYTES 1024             /* undecided after this many bytes: "other" */

struct mt_pipeline {
	pcap_t *pc;
	pcap_dumper_t *dump;
	int dlt;
	bool nsec;
	bool live;
	struct mt_model *m;
	struct mt_capture_opts o;
	struct mt_flow_table ft;
	struct mt_reasm_global rg;
	struct mt_ndpi *ndpi;
	struct mt_ipfrag *frag;
	struct mt_reasm_sink sink;
	struct mt_flow *cur;             /* flow whose reassembler is delivering */
	uint64_t frame;
	uint64_t last_expire_ns;
	bool done;
	volatile sig_atomic_t stop;
	long file_size;
	char err[PCAP_ERRBUF_SIZE + 64];
	bool read_error;
};

/* ---- reassembly sink: stream events to the dissectors ---- */

static void update_bytes(struct mt_flow *f)
{
	struct mt_session *s = f->s;
	if (!s)
		return;
	s->bytes_c2s = f->max_end[0] > f->gap[0] ? f->max_end[0] - f->gap[0] : 0;
	s->bytes_s2c = f->max_end[1] > f->gap[1] ? f->max_end[1] - f->gap[1] : 0;
}

static struct mt_proto_hint hint_of(const struct mt_flow *f)
{
	struct mt_proto_hint h = { PROTO_OTHER, false, f->nd.done };
	switch (mt_ndpi_hint(&f->nd)) {
	case NDPI_HINT_SMTP: h.proto = PROTO_SMTP; break;
	case NDPI_HINT_POP3: h.proto = PROTO_POP3; break;
	case NDPI_HINT_IMAP: h.proto = PROTO_IMAP; break;
	case NDPI_HINT_TELNET: h.proto = PROTO_TELNET; break;
	case NDPI_HINT_SMTPS: h.proto = PROTO_SMTP; h.tls = true; break;
	case NDPI_HINT_POPS: h.proto = PROTO_POP3; h.tls = true; break;
	case NDPI_HINT_IMAPS: h.proto = PROTO_IMAP; h.tls = true; break;
	case NDPI_HINT_TLS: h.proto = PROTO_TLS; h.tls = true; break;
	default: break;
	}
	/* nDPI 4.2 calls any IMAP AUTHENTICATE or STARTTLS "IMAPS" (trap T7) and
	 * port 587 "SMTPS" (T8): the TLS claim is trusted only with a TLS record,
	 * which the content probe sees first. */
	if (h.tls && h.proto != PROTO_TLS)
		h.tls = false;
	return h;
}

static size_t sink_data(void *user, int dir, const uint8_t *p, size_t n, uint64_t offset,
                        uint64_t frame, uint64_t ts_ns, uint32_t nsegs)
{
	struct mt_pipeline *P = user;
	struct mt_flow *f = P->cur;
	if (!f || !f->s)
		return n;
	if (offset + n > f->max_end[dir])
		f->max_end[dir] = offset + n;
	update_bytes(f);
	if (!f->decided) {
		struct mt_proto_hint h = hint_of(f);
		/* nsegs == 0: the last offer before a hole or the end: decide now */
		bool force = n >= PROBE_FORCE_BYTES || nsegs == 0 || (f->nd.done && h.proto == PROTO_OTHER && n >= 64);
		if (!mt_dispatch_probe(f->s, dir, p, n, &h, force))
			return 0;   /* keep the bytes until we know */
		f->decided = true;
	}
	struct mt_seg_info info = { frame, ts_ns, offset, nsegs };
	size_t used = mt_dispatch_data(f->s, dir, p, n, &info);
	if (f->s->reprobe) {
		/* a SOCKS handshake ended: the tunnel's bytes choose the dissector */
		f->s->reprobe = false;
		f->decided = false;
	}
	return used;
}

static void sink_gap(void *user, int dir, uint64_t offset, uint64_t len, uint64_t frame, uint64_t ts_ns)
{
	struct mt_pipeline *P = user;
	struct mt_flow *f = P->cur;
	if (!f || !f->s)
		return;
	f->gap[dir] += len;
	if (offset + len > f->max_end[dir])
		f->max_end[dir] = offset + len;
	update_bytes(f);
	struct mt_seg_info info = { frame, ts_ns, offset, 0 };
	mt_dispatch_gap(f->s, dir, len, &info);
}

static void sink_conflict(void *user, int dir, uint64_t offset, uint64_t len, uint64_t a_frame, uint64_t b_frame)
{
	struct mt_pipeline *P = user;
	struct mt_flow *f = P->cur;
	if (f && f->s)
		mt_dispatch_conflict(f->s, dir, offset, len, a_frame, b_frame, f->last_ts_ns);
}

static void sink_fin(void *user, int dir, uint64_t frame, uint64_t ts_ns)
{
	struct mt_pipeline *P = user;
	struct mt_flow *f = P->cur;
	if (!f)
		return;
	f->fin[dir] = true;
	if (f->s) {
		struct mt_seg_info info = { frame, ts_ns, f->max_end[dir], 0 };
		mt_dispatch_fin(f->s, dir, &info);
	}
}

/* ---- flow life ---- */

static void copy_ndpi(struct mt_flow *f)
{
	if (f->s && f->nd.done) {
		snprintf(f->s->ndpi, sizeof(f->s->ndpi), "%s", f->nd.name);
		if (f->nd.risks) {
			free(f->s->ndpi_risks);
			f->s->ndpi_risks = f->nd.risks;   /* moved */
			f->nd.risks = NULL;
		}
		f->s->ndpi_guessed = f->nd.guessed;
	}
}

/* Ends the session of f (flush, verdicts, finish); f stays as a closed entry. */
static void close_flow(struct mt_pipeline *P, struct mt_flow *f)
{
	if (f->closed)
		return;
	struct mt_flow *saved = P->cur;
	P->cur = f;
	mt_reasm_flush(&f->r[0], &P->sink, P->frame, f->last_ts_ns);
	mt_reasm_flush(&f->r[1], &P->sink, P->frame, f->last_ts_ns);
	P->cur = saved;
	if (P->ndpi)
		mt_ndpi_finish(P->ndpi, &f->nd);
	if (f->s) {
		copy_ndpi(f);
		update_bytes(f);
		if (!f->data_seen[0] != !f->data_seen[1])
			sess_warn(f->s, W_ONE_SIDED);
		mt_session_finish(f->s);
		f->s = NULL;
	}
	mt_reasm_free(&f->r[0]);
	mt_reasm_free(&f->r[1]);
	mt_ndpi_flow_free(&f->nd);
	f->closed = true;
}

static void destroy_flow(struct mt_pipeline *P, struct mt_flow *f)
{
	close_flow(P, f);
	mt_flow_remove(&P->ft, f);
	free(f);
}

static void expire_flows(struct mt_pipeline *P, uint64_t now)
{
	const struct mt_limits *l = &P->m->limits;
	struct mt_flow *f = P->ft.lru_head;
	while (f) {
		struct mt_flow *next = f->lnext;
		uint64_t idle = f->closed ? CLOSED_LINGER_NS : l->idle_timeout_ns;
		if (!idle || f->last_ts_ns + idle > now)
			break;   /* LRU order: the rest are younger */
		if (!f->closed)
			P->m->counters.flows_expired++;
		destroy_flow(P, f);
		f = next;
	}
}

static bool looks_like_greeting(const uint8_t *p, size_t n)
{
	return (n >= 4 && p[0] == '2' && p[1] == '2' && p[2] == '0' && (p[3] == ' ' || p[3] == '-')) ||
	       (n >= 3 && !memcmp(p, "+OK", 3)) || (n >= 4 && !memcmp(p, "* OK", 4)) ||
	       (n >= 9 && !memcmp(p, "* PREAUTH", 9));
}

static struct mt_flow *new_flow(struct mt_pipeline *P, const struct mt_tcp_seg *seg, int *dir, uint64_t ts_ns)
{
	if (mt_flow_table_full(&P->ft) && P->ft.lru_head) {
		if (!P->ft.lru_head->closed)
			P->m->counters.flows_evicted++;
		destroy_flow(P, P->ft.lru_head);
	}
	struct mt_flow *f = mt_flow_create(&P->ft, seg, dir);
	mt_reasm_init(&f->r[0], &P->rg, 0);
	mt_reasm_init(&f->r[1], &P->rg, 1);
	struct mt_session *s = mt_session_new(P->m);
	f->s = s;
	mt_addr_port_str(&f->addr[0], f->port[0], s->client, sizeof(s->client));
	mt_addr_port_str(&f->addr[1], f->port[1], s->server, sizeof(s->server));
	s->start_ns = s->end_ns = ts_ns;
	s->first_frame = P->frame;
	f->last_ts_ns = ts_ns;
	return f;
}

static void set_session_sides(struct mt_flow *f)
{
	struct mt_session *s = f->s;
	mt_addr_port_str(&f->addr[0], f->port[0], s->client, sizeof(s->client));
	mt_addr_port_str(&f->addr[1], f->port[1], s->server, sizeof(s->server));
}

static void handle_tcp(struct mt_pipeline *P, struct mt_tcp_seg *seg, uint64_t ts_ns, struct mt_packet *pk)
{
	int dir;
	struct mt_flow *f = mt_flow_lookup(&P->ft, seg, &dir);
	bool syn_only = (seg->flags & (TH_SYN | TH_ACK)) == TH_SYN;

	/* A new SYN on a tuple whose connection ended starts a new session. */
	if (f && syn_only && (f->closed || ((f->fin[0] || f->fin[1] || f->rst) && f->s))) {
		destroy_flow(P, f);
		f = NULL;
	}
	if (f && f->closed) {
		mt_flow_touch(&P->ft, f, ts_ns);
		return;   /* a straggler (the last ACK) */
	}
	if (!f) {
		f = new_flow(P, seg, &dir, ts_ns);
		if (!syn_only && !(seg->flags & TH_SYN))
			sess_warn(f->s, W_NO_HANDSHAKE);
	}
	struct mt_session *s = f->s;
	mt_flow_touch(&P->ft, f, ts_ns);

	/* Rule 4 of flow.h: a mid-stream pick-up where the "client" greets. */
	if (seg->payload_len && !f->client_by_syn && !f->data_seen[0] && !f->data_seen[1] && dir == 0 &&
	    looks_like_greeting(seg->payload, seg->payload_len)) {
		mt_flow_swap(f);
		set_session_sides(f);
		dir = 1;
	}
	if (syn_only && dir == 0) {
		f->syn_seen = true;
		s->syn_seen = true;
	}
	if ((seg->payload_len || seg->missing) && !f->decided && !f->data_seen[0] && !f->data_seen[1])
		f->decided = mt_dispatch_by_port(s, f->port[1]);
	if (seg->payload_len || seg->missing)
		f->data_seen[dir] = true;

	s->packets++;
	s->last_frame = P->frame;
	if (ts_ns > s->end_ns)
		s->end_ns = ts_ns;
	if (pk) {
		pk->session = s->id;
		pk->dir = (uint8_t)dir;
		pk->tcp_flags = seg->flags;
		pk->payload_len = (uint16_t)(seg->payload_len > 65535 ? 65535 : seg->payload_len);
		size_t k = seg->payload_len < sizeof(pk->preview) ? seg->payload_len : sizeof(pk->preview);
		memcpy(pk->preview, seg->payload, k);
		pk->preview_len = (uint8_t)k;
	}

	if (!P->o.no_ndpi && !f->nd.done) {
		/* nDPI state (~3 KB) is allocated at the first payload, not at the
		 * SYN: a SYN flood costs no DPI memory. Pure ACKs are skipped (T1). */
		bool worth = seg->payload_len || (f->nd.nf && (seg->flags & (TH_SYN | TH_FIN | TH_RST)));
		mt_ndpi_packet(P->ndpi, &f->nd, seg->l3, seg->l3_len, ts_ns, worth);
		if (f->nd.done)
			copy_ndpi(f);
	}

	P->cur = f;
	if (seg->flags & TH_ACK)
		mt_reasm_ack(&f->r[1 - dir], &P->sink, seg->ack, P->frame, ts_ns);
	mt_reasm_segment(&f->r[dir], &P->sink, seg->seq, seg->flags, seg->payload, seg->payload_len,
	                 seg->missing, P->frame, ts_ns);
	P->cur = NULL;

	if (seg->flags & TH_RST) {
		f->rst = true;
		close_flow(P, f);
	} else if (f->fin[0] && f->fin[1]) {
		close_flow(P, f);
	}
}

static void handle_frame(struct mt_pipeline *P, const struct pcap_pkthdr *h, const uint8_t *data)
{
	struct mt_model *m = P->m;
	struct mt_counters *c = &m->counters;
	uint64_t ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec * (P->nsec ? 1 : 1000);
	P->frame++;
	m->last_frame = P->frame;
	c->packets++;
	c->bytes += h->len;
	if (!m->first_ts_ns)
		m->first_ts_ns = ts_ns;
	m->last_ts_ns = ts_ns;
	if (P->dump)
		pcap_dump((u_char *)P->dump, h, data);
	if (h->caplen < h->len)
		c->truncated_packets++;

	struct mt_packet *pk = mt_model_add_packet(m);
	struct mt_tcp_seg seg;
	struct mt_ipv4_frag frag;
	enum mt_decode_result r = mt_decode_frame(P->dlt, data, h->caplen, &seg, &frag);
	if (pk) {
		pk->frame = P->frame;
		pk->ts_ns = ts_ns;
		pk->len = h->len;
		pk->caplen = h->caplen;
	}
	if (r == DEC_FRAGMENT) {
		size_t dlen = 0;
		const uint8_t *dg = mt_ipfrag_add(P->frag, &frag, ts_ns, &dlen);
		if (!dg)
			goto expire;
		r = mt_decode_ip(dg, dlen, &seg, NULL);
		if (r == DEC_FRAGMENT)
			r = DEC_MALFORMED;
	}
	switch (r) {
	case DEC_TCP:
		if (seg.bad_ip_csum)
			c->bad_ip_checksum++;
		if (seg.bad_tcp_csum)
			c->bad_tcp_checksum++;
		if (pk) {
			char ep[64];
			mt_addr_port_str(&seg.src, seg.sport, ep, sizeof(ep));
			pk->src = mt_model_intern(m, ep);
			mt_addr_port_str(&seg.dst, seg.dport, ep, sizeof(ep));
			pk->dst = mt_model_intern(m, ep);
		}
		handle_tcp(P, &seg, ts_ns, pk);
		break;
	case DEC_NOT_IP:
	case DEC_NOT_TCP:
		c->non_tcp_packets++;
		break;
	case DEC_TRUNCATED:
		c->truncated_packets++;
		break;
	default:
		c->malformed_packets++;
		break;
	}
expire:
	if (ts_ns >= P->last_expire_ns + EXPIRE_EVERY_NS) {
		P->last_expire_ns = ts_ns;
		expire_flows(P, ts_ns);
	}
	if (P->o.max_packets && P->frame >= P->o.max_packets)
		P->done = true;
}

static void pcap_cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct mt_pipeline *P = (struct mt_pipeline *)user;
	if (P->done)
		return;
	handle_frame(P, h, data);
	if (P->done || P->stop)
		pcap_breakloop(P->pc);
}

/* ---- opening ---- */

struct mt_pipeline *mt_pipeline_open(const struct mt_capture_opts *o, struct mt_model *m, char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;
	bool live = false;
	if (o->iface) {
		pc = mt_source_open_live(o, err, errsz);
		live = true;
	} else if (o->read_file && strcmp(o->read_file, "-") == 0) {
		pc = pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (!pc)
			snprintf(err, errsz, "standard input: %s", ebuf);
	} else if (o->read_file) {
		pc = pcap_open_offline_with_tstamp_precision(o->read_file, mt_source_file_precision(o->read_file), ebuf);
		if (!pc)
			snprintf(err, errsz, "%s: %s", o->read_file, ebuf);
	} else {
		snprintf(err, errsz, "nothing to read: give -r FILE or -i IFACE");
		return NULL;
	}
	if (!pc)
		return NULL;
	int dlt = pcap_datalink(pc);
	if (!mt_dlt_supported(dlt)) {
		const char *name = pcap_datalink_val_to_name(dlt);
		snprintf(err, errsz, "%s: unsupported link type %d (%s)", live ? o->iface : o->read_file, dlt,
		         name ? name : "unknown");
		pcap_close(pc);
		return NULL;
	}
	if (o->filter && *o->filter) {
		struct bpf_program prog;
		if (pcap_compile(pc, &prog, o->filter, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
		    pcap_setfilter(pc, &prog) < 0) {
			snprintf(err, errsz, "filter \"%s\": %s", o->filter, pcap_geterr(pc));
			pcap_close(pc);
			return NULL;
		}
		pcap_freecode(&prog);
	}
	struct mt_pipeline *P = mt_xcalloc(1, sizeof(*P));
	P->pc = pc;
	P->dlt = dlt;
	P->live = live;
	P->nsec = pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO;
	P->m = m;
	P->o = *o;
	m->datalink = dlt;
	m->live = live;
	if (live)
		pcap_setnonblock(pc, 1, ebuf);
	if (o->write_file) {
		FILE *fp = mt_source_create_file(o->write_file, o->force, err, errsz);
		if (!fp || !(P->dump = pcap_dump_fopen(pc, fp))) {
			if (fp) {
				snprintf(err, errsz, "%s: %s", o->write_file, pcap_geterr(pc));
				fclose(fp);
			}
			pcap_close(pc);
			free(P);
			return NULL;
		}
	}
	if (!live && o->read_file && strcmp(o->read_file, "-") != 0) {
		struct stat st;
		if (stat(o->read_file, &st) == 0)
			P->file_size = (long)st.st_size;
	}
	mt_flow_table_init(&P->ft, &m->limits, &m->counters);
	P->rg.limits = &m->limits;
	P->rg.counters = &m->counters;
	P->ndpi = o->no_ndpi ? NULL : mt_ndpi_new();
	P->frag = mt_ipfrag_new(&m->limits, &m->counters);
	P->sink.user = P;
	P->sink.data = sink_data;
	P->sink.gap = sink_gap;
	P->sink.conflict = sink_conflict;
	P->sink.fin = sink_fin;
	return P;
}

int mt_pipeline_fd(const struct mt_pipeline *P)
{
	return P->live ? pcap_get_selectable_fd(P->pc) : -1;
}

long mt_pipeline_dispatch(struct mt_pipeline *P, long budget, char *err, size_t errsz)
{
	if (P->done)
		return 0;
	uint64_t before = P->frame;
	int rc = pcap_dispatch(P->pc, budget > 0 ? (int)budget : -1, pcap_cb, (u_char *)P);
	long n = (long)(P->frame - before);
	if (rc == PCAP_ERROR) {
		snprintf(err, errsz, "%s", pcap_geterr(P->pc));
		P->done = true;
		P->read_error = true;
		return -1;
	}
	if (rc == PCAP_ERROR_BREAK) {
		if (P->stop)
			P->done = true;
		return n;
	}
	if (!P->live && rc == 0)
		P->done = true;   /* end of file */
	return n;
}

bool mt_pipeline_done(const struct mt_pipeline *P)
{
	return P->done || P->stop;
}

void mt_pipeline_stop(struct mt_pipeline *P)
{
	P->stop = 1;
	P->done = true;
	pcap_breakloop(P->pc);
}

double mt_pipeline_progress(const struct mt_pipeline *P)
{
	if (P->live || P->file_size <= 0)
		return -1;
	if (P->done)
		return 1;
	FILE *fp = pcap_file(P->pc);
	if (!fp)
		return -1;
	long pos = ftell(fp);
	if (pos < 0)
		return -1;
	double r = (double)pos / (double)P->file_size;
	return r > 1 ? 1 : r;
}

void mt_pipeline_stats(struct mt_pipeline *P)
{
	struct pcap_stat st;
	if (!P->live || pcap_stats(P->pc, &st) < 0)
		return;
	P->m->counters.kernel_recv = st.ps_recv;
	P->m->counters.kernel_drop = st.ps_drop;
	P->m->counters.kernel_ifdrop = st.ps_ifdrop;
}

static int by_session_id(const void *a, const void *b)
{
	const struct mt_flow *fa = *(const struct mt_flow *const *)a;
	const struct mt_flow *fb = *(const struct mt_flow *const *)b;
	return fa->s->id < fb->s->id ? -1 : fa->s->id > fb->s->id;
}

void mt_pipeline_finish(struct mt_pipeline *P)
{
	size_t n = 0;
	for (struct mt_flow *f = P->ft.lru_head; f; f = f->lnext)
		if (f->s)
			n++;
	struct mt_flow **open = mt_xmalloc((n ? n : 1) * sizeof(*open));
	size_t i = 0;
	for (struct mt_flow *f = P->ft.lru_head; f; f = f->lnext)
		if (f->s)
			open[i++] = f;
	qsort(open, n, sizeof(*open), by_session_id);   /* deterministic output order */
	for (i = 0; i < n; i++)
		close_flow(P, open[i]);
	free(open);
	while (P->ft.lru_head)
		destroy_flow(P, P->ft.lru_head);
	if (P->live)
		mt_pipeline_stats(P);
}

void mt_pipeline_close(struct mt_pipeline *P)
{
	if (!P)
		return;
	while (P->ft.lru_head)
		destroy_flow(P, P->ft.lru_head);
	mt_flow_table_free(&P->ft);
	mt_ndpi_free(P->ndpi);
	mt_ipfrag_free(P->frag);
	if (P->dump) {
		pcap_dump_flush(P->dump);
		pcap_dump_close(P->dump);
	}
	pcap_close(P->pc);
	free(P);
}
