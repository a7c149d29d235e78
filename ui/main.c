/* main.c - the mailtap command line: options, mode, and the run loop.
 * The options and the JSON schema are public contracts (README.md,
 * docs/json.md, docs/mailtap.1): extend them, never rename. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

#include "../capture/pipeline.h"
#include "../dissect/sbuf.h"
#include "export.h"
#include "json_out.h"
#include "report_text.h"
#include "tui.h"

#define MAILTAP_VERSION "0.1.0"

enum mode { MODE_AUTO, MODE_JSON, MODE_REPORT, MODE_TUI };

struct app {
	struct mt_capture_opts cap;
	struct mt_limits lim;
	enum mode mode;
	bool reveal, transcript, force;
	const char *export_dir;
	const char *hashes_file;
	const char *drop_user;
	bool list_ifaces;
	int export_fd;
	FILE *hashes;
	struct mt_json_opts jo;
	struct mt_sbuf jbuf;
};

static struct mt_pipeline *g_pipeline;

static void on_signal(int sig)
{
	(void)sig;
	if (g_pipeline)
		mt_pipeline_stop(g_pipeline);
}

static void usage(FILE *out)
{
	fputs("usage: mailtap [-r FILE | -i IFACE] [options] [BPF filter]\n"
	      "       mailtap -D\n"
	      "Shows every SMTP, POP3, IMAP and telnet session in a capture: dialogue, credentials,\n"
	      "STARTTLS, messages. A terminal gets the interactive UI; otherwise a text report.\n\n"
	      "input:\n"
	      "  -r FILE          read a pcap or pcapng file (- = standard input)\n"
	      "  -i IFACE         capture live on IFACE\n"
	      "  -D               list the interfaces and exit\n"
	      "  -f EXPR          BPF filter (or give it as the trailing arguments)\n"
	      "  -w FILE          also write every captured packet to FILE (pcap)\n"
	      "  -c N             stop after N packets\n"
	      "  -s SNAPLEN       live snapshot length (default 262144)\n"
	      "  -p               live: do not put the interface in promiscuous mode\n"
	      "  -B MB            live: kernel capture buffer in MiB (default 32)\n"
	      "  -Z USER          live, as root: drop privileges to USER after opening (default nobody)\n"
	      "output:\n"
	      "  --json           JSON lines (docs/json.md)\n"
	      "  --report         the plain text report, even on a terminal\n"
	      "  --tui            the interactive UI, even when stdout is not a terminal\n"
	      "  --transcript     add the decoded dialogue (JSON \"line\" records, or a section of the report)\n"
	      "  --reveal         show secrets (masked as ******** by default)\n"
	      "  --export DIR     write every message as an .eml file into DIR\n"
	      "  --hashes FILE    write APOP and CRAM-MD5 exchanges as hashcat lines\n"
	      "  --force          let -w, --export and --hashes overwrite existing files\n"
	      "  --no-ndpi        skip nDPI classification\n"
	      "limits (each hit is counted in the summary):\n"
	      "  --max-flows N  --max-ooo BYTES  --max-ooo-total BYTES  --max-tail BYTES  --max-line BYTES\n"
	      "  --max-frags N  --max-frag-bytes BYTES  --idle-timeout SECONDS  --max-message BYTES\n"
	      "  --max-literal BYTES  --max-transcript LINES  --brute-force N  --frag-timeout SECONDS\n"
	      "  --max-history BYTES  --max-history-total BYTES   (delivered bytes kept to spot overlap conflicts)\n"
	      "  --max-body-lines N (message lines in a transcript)  --max-raw-total BYTES (messages kept, in all)\n"
	      "  --max-report-sessions N (sessions the text report lists; JSON streams them all)\n"
	      "  -h, --help       this help;  -V, --version  the version\n",
	      out);
}

enum {
	OPT_JSON = 256, OPT_REPORT, OPT_TUI, OPT_TRANSCRIPT, OPT_REVEAL, OPT_EXPORT, OPT_HASHES, OPT_FORCE,
	OPT_NO_NDPI, OPT_MAX_FLOWS, OPT_MAX_OOO, OPT_MAX_OOO_TOTAL, OPT_MAX_TAIL, OPT_MAX_LINE, OPT_MAX_FRAGS,
	OPT_MAX_FRAG_BYTES, OPT_IDLE, OPT_MAX_MESSAGE, OPT_MAX_LITERAL, OPT_MAX_TRANSCRIPT, OPT_BRUTE,
	OPT_FRAG_TIMEOUT, OPT_MAX_HISTORY, OPT_MAX_HISTORY_TOTAL, OPT_MAX_BODY_LINES, OPT_MAX_RAW_TOTAL, OPT_MAX_REPORT_SESSIONS,
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "report", no_argument, NULL, OPT_REPORT },
	{ "tui", no_argument, NULL, OPT_TUI },
	{ "transcript", no_argument, NULL, OPT_TRANSCRIPT },
	{ "reveal", no_argument, NULL, OPT_REVEAL },
	{ "export", required_argument, NULL, OPT_EXPORT },
	{ "hashes", required_argument, NULL, OPT_HASHES },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-ndpi", no_argument, NULL, OPT_NO_NDPI },
	{ "max-flows", required_argument, NULL, OPT_MAX_FLOWS },
	{ "max-ooo", required_argument, NULL, OPT_MAX_OOO },
	{ "max-ooo-total", required_argument, NULL, OPT_MAX_OOO_TOTAL },
	{ "max-tail", required_argument, NULL, OPT_MAX_TAIL },
	{ "max-line", required_argument, NULL, OPT_MAX_LINE },
	{ "max-frags", required_argument, NULL, OPT_MAX_FRAGS },
	{ "max-frag-bytes", required_argument, NULL, OPT_MAX_FRAG_BYTES },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
	{ "max-literal", required_argument, NULL, OPT_MAX_LITERAL },
	{ "max-transcript", required_argument, NULL, OPT_MAX_TRANSCRIPT },
	{ "brute-force", required_argument, NULL, OPT_BRUTE },
	{ "frag-timeout", required_argument, NULL, OPT_FRAG_TIMEOUT },
	{ "max-history", required_argument, NULL, OPT_MAX_HISTORY },
	{ "max-history-total", required_argument, NULL, OPT_MAX_HISTORY_TOTAL },
	{ "max-body-lines", required_argument, NULL, OPT_MAX_BODY_LINES },
	{ "max-raw-total", required_argument, NULL, OPT_MAX_RAW_TOTAL },
	{ "max-report-sessions", required_argument, NULL, OPT_MAX_REPORT_SESSIONS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static unsigned long long parse_num(const char *opt, const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "mailtap: %s: not a number: %s\n", opt, s);
		exit(2);
	}
	return v;
}

static int list_interfaces(void)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_if_t *all;
	if (pcap_findalldevs(&all, err) < 0) {
		fprintf(stderr, "mailtap: %s\n", err);
		return 2;
	}
	int i = 1;
	for (pcap_if_t *d = all; d; d = d->next, i++)
		printf("%d.%s%s%s%s\n", i, d->name, d->description ? " (" : "", d->description ? d->description : "",
		       d->description ? ")" : "");
	pcap_freealldevs(all);
	return 0;
}

/* tcpdump-style privilege drop after the device is open. */
static int drop_privileges(const char *user)
{
	if (geteuid() != 0)
		return 0;
	struct passwd *pw = getpwnam(user);
	if (!pw) {
		fprintf(stderr, "mailtap: -Z %s: no such user\n", user);
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "mailtap: cannot drop privileges to %s: %s\n", user, strerror(errno));
		return -1;
	}
	fprintf(stderr, "mailtap: dropped privileges to user %s\n", user);
	return 0;
}

static void on_session_done(void *user, struct mt_session *s)
{
	struct app *a = user;
	if (a->export_fd >= 0)
		mt_export_messages(a->export_fd, s, a->force);
	if (a->hashes)
		mt_hashes_write(a->hashes, s);
	if (a->mode == MODE_JSON) {
		mt_sbuf_reset(&a->jbuf);
		mt_json_session(&a->jbuf, s, &a->jo);
		fwrite(a->jbuf.s, 1, a->jbuf.len, stdout);
		if (a->cap.iface)
			fflush(stdout);
	}
}

static char *join_args(int argc, char **argv)
{
	struct mt_sbuf b;
	mt_sbuf_init(&b);
	for (int i = 0; i < argc; i++) {
		if (i)
			mt_sbuf_addc(&b, ' ');
		mt_sbuf_adds(&b, argv[i]);
	}
	return mt_sbuf_steal(&b);
}

int main(int argc, char **argv)
{
	struct app a;
	memset(&a, 0, sizeof(a));
	a.cap.promisc = true;
	a.export_fd = -1;
	mt_limits_default(&a.lim);
	mt_sbuf_init(&a.jbuf);
	int c;
	while ((c = getopt_long(argc, argv, "r:i:Df:w:c:s:pB:Z:hV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'r': a.cap.read_file = optarg; break;
		case 'i': a.cap.iface = optarg; break;
		case 'D': a.list_ifaces = true; break;
		case 'f': a.cap.filter = optarg; break;
		case 'w': a.cap.write_file = optarg; break;
		case 'c': a.cap.max_packets = parse_num("-c", optarg); break;
		case 's': a.cap.snaplen = (int)parse_num("-s", optarg); break;
		case 'p': a.cap.promisc = false; break;
		case 'B': a.cap.buffer_mb = (int)parse_num("-B", optarg); break;
		case 'Z': a.drop_user = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("mailtap %s (%s)\n", MAILTAP_VERSION, pcap_lib_version()); return 0;
		case OPT_JSON: a.mode = MODE_JSON; break;
		case OPT_REPORT: a.mode = MODE_REPORT; break;
		case OPT_TUI: a.mode = MODE_TUI; break;
		case OPT_TRANSCRIPT: a.transcript = true; break;
		case OPT_REVEAL: a.reveal = true; break;
		case OPT_EXPORT: a.export_dir = optarg; break;
		case OPT_HASHES: a.hashes_file = optarg; break;
		case OPT_FORCE: a.force = true; break;
		case OPT_NO_NDPI: a.cap.no_ndpi = true; break;
		case OPT_MAX_FLOWS: a.lim.max_flows = parse_num("--max-flows", optarg); break;
		case OPT_MAX_OOO: a.lim.ooo_per_dir = parse_num("--max-ooo", optarg); break;
		case OPT_MAX_OOO_TOTAL: a.lim.ooo_total = parse_num("--max-ooo-total", optarg); break;
		case OPT_MAX_TAIL: a.lim.tail_per_dir = parse_num("--max-tail", optarg); break;
		case OPT_MAX_LINE: a.lim.line_max = parse_num("--max-line", optarg); break;
		case OPT_MAX_FRAGS: a.lim.frag_max_datagrams = parse_num("--max-frags", optarg); break;
		case OPT_MAX_FRAG_BYTES: a.lim.frag_max_bytes = parse_num("--max-frag-bytes", optarg); break;
		case OPT_IDLE: a.lim.idle_timeout_ns = parse_num("--idle-timeout", optarg) * 1000000000ull; break;
		case OPT_MAX_MESSAGE: a.lim.max_message = parse_num("--max-message", optarg); break;
		case OPT_MAX_LITERAL: a.lim.max_literal = parse_num("--max-literal", optarg); break;
		case OPT_MAX_TRANSCRIPT: a.lim.max_transcript = parse_num("--max-transcript", optarg); break;
		case OPT_BRUTE: a.lim.brute_force_n = (unsigned)parse_num("--brute-force", optarg); break;
		case OPT_FRAG_TIMEOUT: a.lim.frag_timeout_ns = parse_num("--frag-timeout", optarg) * 1000000000ull; break;
		case OPT_MAX_HISTORY: a.lim.history_per_dir = parse_num("--max-history", optarg); break;
		case OPT_MAX_HISTORY_TOTAL: a.lim.history_total = parse_num("--max-history-total", optarg); break;
		case OPT_MAX_BODY_LINES: a.lim.max_body_lines = parse_num("--max-body-lines", optarg); break;
		case OPT_MAX_RAW_TOTAL: a.lim.max_raw_total = parse_num("--max-raw-total", optarg); break;
		case OPT_MAX_REPORT_SESSIONS:
			a.lim.max_report_sessions = parse_num("--max-report-sessions", optarg);
			break;
		default: usage(stderr); return 2;
		}
	}
	if (a.list_ifaces)
		return list_interfaces();
	char *filter_args = NULL;
	if (optind < argc) {
		if (a.cap.filter) {
			fprintf(stderr, "mailtap: give the filter either with -f or as arguments, not both\n");
			return 2;
		}
		filter_args = join_args(argc - optind, argv + optind);
		a.cap.filter = filter_args;
	}
	if (!a.cap.read_file == !a.cap.iface) {
		fprintf(stderr, "mailtap: give exactly one of -r FILE and -i IFACE (see mailtap -h)\n");
		return 2;
	}
	if (a.lim.line_max < 64)
		a.lim.line_max = 64;   /* a protocol line must at least hold a command */
	if (a.mode == MODE_AUTO)
		a.mode = isatty(STDOUT_FILENO) ? MODE_TUI : MODE_REPORT;
	a.cap.immediate = a.mode == MODE_TUI;

	struct mt_model m;
	mt_model_init(&m, &a.lim);
	snprintf(m.source, sizeof(m.source), "%s%s%s%s", a.cap.iface ? a.cap.iface : a.cap.read_file,
	         a.cap.filter ? " (" : "", a.cap.filter ? a.cap.filter : "", a.cap.filter ? ")" : "");
	if (a.cap.read_file && strcmp(a.cap.read_file, "-") != 0)
		snprintf(m.source_path, sizeof(m.source_path), "%s", a.cap.read_file);
	m.keep_lines = a.transcript || a.mode == MODE_TUI;
	m.keep_raw = a.export_dir || a.mode == MODE_TUI;
	m.keep_packets = a.mode == MODE_TUI;
	m.free_done = a.mode == MODE_JSON;
	m.drop_empty = a.mode == MODE_REPORT;
	m.on_done = on_session_done;
	m.on_done_user = &a;
	a.jo.reveal = a.reveal;
	a.jo.transcript = a.transcript;

	char err[512] = "";
	if (a.export_dir && (a.export_fd = mt_export_open_dir(a.export_dir, err, sizeof(err))) < 0) {
		fprintf(stderr, "mailtap: --export %s\n", err);
		return 2;
	}
	if (a.hashes_file) {
		FILE *fp = NULL;
		int fd = open(a.hashes_file, O_WRONLY | O_CREAT | O_NOFOLLOW | (a.force ? O_TRUNC : O_EXCL), 0600);
		if (fd >= 0)
			fp = fdopen(fd, "w");
		if (!fp) {
			fprintf(stderr, "mailtap: --hashes %s: %s%s\n", a.hashes_file, strerror(errno),
			        errno == EEXIST ? " (use --force to overwrite)" : "");
			return 2;
		}
		a.hashes = fp;
	}
	a.cap.force = a.force;

	struct mt_pipeline *p = mt_pipeline_open(&a.cap, &m, err, sizeof(err));
	if (!p) {
		fprintf(stderr, "mailtap: %s\n", err);
		return 2;
	}
	g_pipeline = p;
	if (a.cap.iface && geteuid() == 0 && drop_privileges(a.drop_user ? a.drop_user : "nobody") < 0) {
		mt_pipeline_close(p);
		return 2;
	}

	int status = 0;
	if (a.mode == MODE_TUI) {
		struct mt_tui_opts to = { a.reveal, m.source, a.cap.iface != NULL, a.export_dir };
		status = mt_tui_run(p, &m, &to);
		mt_pipeline_finish(p);
	} else {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		while (!mt_pipeline_done(p)) {
			long n = mt_pipeline_dispatch(p, a.cap.iface ? 256 : 4096, err, sizeof(err));
			if (n < 0) {
				/* A mixed-link-type pcapng is unreadable (exit 2); a file that
				 * breaks after some packets is damaged but readable. */
				if (strstr(err, "different from the type of the first interface")) {
					fprintf(stderr, "mailtap: %s: %s (pcapng with mixed link types: split it with editcap)\n",
					        a.cap.read_file ? a.cap.read_file : a.cap.iface, err);
					status = 2;
				} else {
					/* damaged but readable: report what was read, exit 0 */
					fprintf(stderr, "mailtap: warning: %s: read error after %llu packets: %s\n",
					        a.cap.read_file ? a.cap.read_file : a.cap.iface,
					        (unsigned long long)m.counters.packets, err);
					m.counters.file_damaged++;
				}
				break;
			}
			if (a.cap.iface && n == 0) {
				/* live and idle: wait for the descriptor instead of spinning */
				int fd = mt_pipeline_fd(p);
				if (fd >= 0) {
					fd_set rfds;
					FD_ZERO(&rfds);
					FD_SET(fd, &rfds);
					struct timeval tv = { 0, 200000 };
					select(fd + 1, &rfds, NULL, NULL, &tv);
				}
			}
		}
		mt_pipeline_finish(p);
		if (a.mode == MODE_JSON) {
			mt_sbuf_reset(&a.jbuf);
			mt_json_summary(&a.jbuf, &m);
			fwrite(a.jbuf.s, 1, a.jbuf.len, stdout);
		} else if (status == 0) {
			mt_report_text(stdout, &m, a.reveal);
			if (a.transcript)
				mt_report_transcripts(stdout, &m, a.reveal);
		}
	}
	g_pipeline = NULL;
	mt_pipeline_close(p);
	if (a.hashes)
		fclose(a.hashes);
	if (a.export_fd >= 0)
		close(a.export_fd);
	mt_model_free(&m);
	mt_sbuf_free(&a.jbuf);
	free(filter_args);
	fflush(stdout);
	return status;
}
