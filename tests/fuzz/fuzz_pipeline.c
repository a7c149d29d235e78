/* fuzz_pipeline.c - the whole offline path end to end: a pcap file built
 * from fuzzer frames goes through mt_pipeline_open/dispatch/finish (decode,
 * IPv4 fragments, flow table, nDPI, reassembly, dispatch, dissectors,
 * messages), then both writers render the model and their output is checked.
 *
 * Input: link-type byte (index into dlts[]), config byte, then records
 *   u16 caplen, u8 time step (x 10 ms; 0xff = 400 s, past the idle and
 *   fragment timeouts), u8 extra original length (len = caplen + extra),
 *   caplen bytes of frame.
 * Config: bits 0 and 5 both set: run nDPI (its set-up costs ~10 ms, so
 * only a fraction of inputs pay it), bit 1 small limits (4 flows, small queues and
 * fragment caps, short lines), bit 2 keep transcript lines, bit 3 keep
 * packets and raw messages (what the UI keeps), bit 4 reveal.
 * The file lives in a memfd opened by path (/proc/self/fd/N), as -r would. */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include <sys/mman.h>
#include <unistd.h>

#include "../../capture/pipeline.h"
#include "../../dissect/sbuf.h"
#include "../../ui/json_out.h"
#include "../../ui/report_text.h"

static const int dlts[] = { 1, 276, 113, 0, 108, 101, 228, 229, 12, 14 };

static int g_fd = -1;
static char g_path[64];

struct run {
	struct mt_sbuf json;
	struct mt_json_opts jo;
};

static void on_done(void *user, struct mt_session *s)
{
	struct run *r = user;
	mt_json_session(&r->json, s, &r->jo);
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }   /* pcap files are host order */
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 300000)
		return 0;
	if (g_fd < 0) {
		g_fd = memfd_create("fuzz_pipeline", 0);
		if (g_fd < 0)
			abort();
		snprintf(g_path, sizeof(g_path), "/proc/self/fd/%d", g_fd);
	}
	struct fz f = { data, size };
	int dlt = dlts[fz_u8(&f) % (sizeof(dlts) / sizeof(dlts[0]))];
	uint8_t cfg = fz_u8(&f);

	/* the pcap file: global header, then one record per frame */
	size_t cap = 24 + size * 2 + 64, len = 0;
	uint8_t *file = malloc(cap);
	put32(file, 0xa1b2c3d4);
	put16(file + 4, 2);
	put16(file + 6, 4);
	put32(file + 8, 0);
	put32(file + 12, 0);
	put32(file + 16, 262144);
	put32(file + 20, (uint32_t)dlt);
	len = 24;
	uint64_t t_us = 1683441675123456ull;
	while (!fz_empty(&f)) {
		size_t want = fz_u16(&f), got;
		uint8_t step = fz_u8(&f);
		uint8_t extra = fz_u8(&f);
		const uint8_t *p = fz_take(&f, want, &got);
		t_us += step == 0xff ? 400000000ull : step * 10000ull;
		if (len + 16 + got > cap)
			break;
		put32(file + len, (uint32_t)(t_us / 1000000));
		put32(file + len + 4, (uint32_t)(t_us % 1000000));
		put32(file + len + 8, (uint32_t)got);
		put32(file + len + 12, (uint32_t)(got + extra));
		memcpy(file + len + 16, p, got);
		len += 16 + got;
	}
	if (ftruncate(g_fd, 0) < 0 || pwrite(g_fd, file, len, 0) != (ssize_t)len)
		abort();
	free(file);

	struct mt_limits lim;
	mt_limits_default(&lim);
	lim.max_flows = 1024;   /* the table is allocated per input: keep it cheap */
	if (cfg & 2) {
		lim.max_flows = 4;
		lim.ooo_per_dir = 512;
		lim.ooo_total = 1024;
		lim.tail_per_dir = 256;
		lim.line_max = 64;
		lim.frag_max_datagrams = 2;
		lim.frag_max_bytes = 2048;
		lim.frag_timeout_ns = 1000000000ull;
		lim.idle_timeout_ns = 5000000000ull;
		lim.max_message = 300;
		lim.max_literal = 100;
		lim.max_transcript = 30;
		lim.history_per_dir = 64;
		lim.history_total = 256;
	}
	struct mt_model m;
	mt_model_init(&m, &lim);
	snprintf(m.source, sizeof(m.source), "fuzz");
	struct run r;
	mt_sbuf_init(&r.json);
	r.jo.reveal = cfg & 16;
	r.jo.transcript = cfg & 4;
	m.keep_lines = cfg & 4;
	m.keep_raw = cfg & 8;
	m.keep_packets = cfg & 8;
	m.on_done = on_done;
	m.on_done_user = &r;

	struct mt_capture_opts o;
	memset(&o, 0, sizeof(o));
	o.read_file = g_path;
	o.no_ndpi = (cfg & 0x21) != 0x21;
	char err[512];
	struct mt_pipeline *P = mt_pipeline_open(&o, &m, err, sizeof(err));
	if (P) {
		while (!mt_pipeline_done(P)) {
			if (mt_pipeline_dispatch(P, 64, err, sizeof(err)) < 0)
				break;
			(void)mt_pipeline_progress(P);
		}
		mt_pipeline_finish(P);
		mt_pipeline_close(P);
	}
	mt_json_summary(&r.json, &m);
	fz_check_json_lines(r.json.s, r.json.len);
	char *txt = NULL;
	size_t txtlen = 0;
	FILE *fp = open_memstream(&txt, &txtlen);
	mt_report_text(fp, &m, cfg & 16);
	fclose(fp);
	fz_check_term(txt, txtlen);
	free(txt);
	mt_sbuf_free(&r.json);
	mt_model_free(&m);
	return 0;
}
