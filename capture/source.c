/* source.c - opening what packets come from and go to: a live device, the
 * timestamp precision of a file, output files created safely, and a copy of
 * one session's frames. The per-packet path is in pipeline.c. */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"

/* Opens path for writing without following a path we did not choose to
 * overwrite: O_EXCL unless force. */
FILE *mt_source_create_file(const char *path, bool force, char *err, size_t errsz)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0) {
		snprintf(err, errsz, "%s: %s%s", path, strerror(errno),
		         errno == EEXIST ? " (use --force to overwrite)" : "");
		return NULL;
	}
	FILE *fp = fdopen(fd, "wb");
	if (!fp) {
		close(fd);
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
	}
	return fp;
}

/* The file's own timestamp precision, so that -w copies records exactly:
 * nanoseconds for a nanosecond pcap or a pcapng, else microseconds. */
int mt_source_file_precision(const char *path)
{
	uint8_t m[4] = { 0 };
	FILE *fp = fopen(path, "rb");
	if (fp) {
		if (fread(m, 1, 4, fp) != 4)
			memset(m, 0, 4);
		fclose(fp);
	}
	uint32_t le = (uint32_t)m[0] | (uint32_t)m[1] << 8 | (uint32_t)m[2] << 16 | (uint32_t)m[3] << 24;
	uint32_t be = (uint32_t)m[3] | (uint32_t)m[2] << 8 | (uint32_t)m[1] << 16 | (uint32_t)m[0] << 24;
	if (le == 0xa1b23c4d || be == 0xa1b23c4d || le == 0x0a0d0d0a)
		return PCAP_TSTAMP_PRECISION_NANO;
	return PCAP_TSTAMP_PRECISION_MICRO;
}

pcap_t *mt_source_open_live(const struct mt_capture_opts *o, char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_create(o->iface, ebuf);
	if (!pc) {
		snprintf(err, errsz, "%s: %s", o->iface, ebuf);
		return NULL;
	}
	pcap_set_snaplen(pc, o->snaplen > 0 ? o->snaplen : 262144);
	pcap_set_promisc(pc, o->promisc ? 1 : 0);
	pcap_set_timeout(pc, 100);
	if (o->immediate)
		pcap_set_immediate_mode(pc, 1);   /* keystrokes appear at once (trap T18) */
	pcap_set_buffer_size(pc, (o->buffer_mb > 0 ? o->buffer_mb : 32) << 20);
	pcap_set_tstamp_precision(pc, PCAP_TSTAMP_PRECISION_NANO);
	int rc = pcap_activate(pc);
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", o->iface, pcap_geterr(pc));
		pcap_close(pc);
		return NULL;
	}
	return pc;
}

long mt_capture_save_session(const char *src, const struct mt_session *s, const char *out, bool force,
                             char *err, size_t errsz)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(src, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!pc) {
		snprintf(err, errsz, "%s: %s", src, ebuf);
		return -1;
	}
	FILE *fp = mt_source_create_file(out, force, err, errsz);
	if (!fp) {
		pcap_close(pc);
		return -1;
	}
	pcap_dumper_t *d = pcap_dump_fopen(pc, fp);
	if (!d) {
		snprintf(err, errsz, "%s: %s", out, pcap_geterr(pc));
		fclose(fp);
		pcap_close(pc);
		return -1;
	}
	int dlt = pcap_datalink(pc);
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t frame = 0;
	long written = 0;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		frame++;
		if (frame < s->first_frame)
			continue;
		if (frame > s->last_frame)
			break;
		struct mt_tcp_seg seg;
		struct mt_ipv4_frag frag;
		if (mt_decode_frame(dlt, data, h->caplen, &seg, &frag) != DEC_TCP)
			continue;
		char a[64], b[64];
		mt_addr_port_str(&seg.src, seg.sport, a, sizeof(a));
		mt_addr_port_str(&seg.dst, seg.dport, b, sizeof(b));
		if ((!strcmp(a, s->client) && !strcmp(b, s->server)) || (!strcmp(a, s->server) && !strcmp(b, s->client))) {
			pcap_dump((u_char *)d, h, data);
			written++;
		}
	}
	pcap_dump_close(d);
	pcap_close(pc);
	return written;
}
