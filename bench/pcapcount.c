/* pcapcount.c - the benchmark's baseline: a bare libpcap loop that reads a
 * capture and only counts packets and bytes. Nothing can read the file
 * through libpcap faster, so mailtap's throughput is compared with it.
 *
 * usage: pcapcount FILE   prints "packets N bytes N" (bytes = wire lengths) */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

struct count {
	uint64_t packets, bytes;
};

static void cb(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct count *c = (struct count *)user;
	(void)data;
	c->packets++;
	c->bytes += h->len;
}

int main(int argc, char **argv)
{
	char err[PCAP_ERRBUF_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: pcapcount FILE\n");
		return 2;
	}
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "pcapcount: %s\n", err);
		return 2;
	}
	struct count c = { 0, 0 };
	if (pcap_loop(p, -1, cb, (u_char *)&c) == PCAP_ERROR) {
		fprintf(stderr, "pcapcount: %s\n", pcap_geterr(p));
		pcap_close(p);
		return 1;
	}
	pcap_close(p);
	printf("packets %llu bytes %llu\n", (unsigned long long)c.packets, (unsigned long long)c.bytes);
	return 0;
}
