/* tui.h - the ncurses UI (htop-like views over the session model).
 *
 * Views: Packets (Wireshark-style list), Sessions, Credentials, Transcript
 * (follow-stream of one session), Help. Keys are one table (ui/keys.c).
 * The UI only reads the model; every captured byte it draws is sanitised
 * (dissect/sanitize.h) and secrets stay masked until `r` reveals them. */
#ifndef MT_UI_TUI_H
#define MT_UI_TUI_H

#include <stdbool.h>

struct mt_pipeline;
struct mt_model;

struct mt_tui_opts {
	bool reveal;               /* start with secrets revealed (--reveal) */
	const char *source_label;  /* "file.pcap" or "eth0 (tcp port 110)" for the status bar */
	bool live;                 /* live capture: poll the capture descriptor */
	const char *save_dir;      /* where `w` writes; NULL = current directory */
};

/* Runs the UI until the user quits. The pipeline is already open; the model
 * is the one the pipeline writes (keep_lines, keep_raw, keep_packets set).
 * Offline: reads the file in batches between refreshes (the UI is usable
 * while loading, with progress) and calls mt_pipeline_finish(p) at EOF.
 * Live: one poll() loop on mt_pipeline_fd(p) and stdin, dispatching a
 * budget per wake-up; the caller finishes and closes the pipeline after.
 * Restores the terminal on every exit path: quit, read errors, and
 * SIGINT/SIGTERM/SIGHUP (which end the UI like a quit). p may be NULL to
 * browse a model that is already complete. Returns the exit status: 0, or
 * 2 if the terminal could not be set up. */
int mt_tui_run(struct mt_pipeline *p, struct mt_model *m, const struct mt_tui_opts *o);

#endif
