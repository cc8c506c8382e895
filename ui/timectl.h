/* timectl.h - time as the view shows it: Z freezes everything the view
 * shows (the table with its waits, the header, the deadlock banner, the
 * telemetry panels, the event log, the output) while the model goes on
 * sampling, logging and reaping;
 * . shows one more refresh and stays frozen; { and } make the refresh
 * delay slower or faster; the header says FROZEN and shows the peaks the
 * kernel's events saw between two refreshes. */
#ifndef CONCMON_TIMECTL_H
#define CONCMON_TIMECTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/peaks.h"
#include "model/task.h"
#include "tui.h"

/* The refresh delay's bounds for { and } (seconds). */
#define TIMECTL_DELAY_MIN 0.05
#define TIMECTL_DELAY_MAX 10.0

struct tui;

/* Its state (frozen, the snapshot held, the last peaks); free
 * with timectl_free. */
struct timectl *timectl_new(void);
void timectl_free(struct timectl *c);

/* Z: freezes the view (it holds a snapshot of what it shows) or thaws
 * it, asking for a fresh one. */
enum tui_reaction timectl_freeze(struct tui *t);

/* .: while frozen, the next refresh is shown (and the view stays frozen). */
enum tui_reaction timectl_step(struct tui *t);

/* { (dir > 0, slower: x2) and } (faster: /2): the refresh delay, within
 * the bounds; TUI_RETIME tells the loop to re-arm its timer. */
enum tui_reaction timectl_delay(struct tui *t, int dir);

/* Whether what the model publishes now reaches the view: not frozen, or
 * a step was asked for. */
bool timectl_admits(const struct tui *t);

/* Whether the view is frozen. */
bool timectl_frozen(const struct tui *t);

/* The model published tasks (valid until the next call): true when the
 * view shows them now (live); frozen, they are kept for a step or a thaw. */
bool timectl_published(struct tui *t, const struct task *tasks, size_t n);

/* Before a draw: a step whose publish has arrived holds it now (the
 * programs and deadlocks of the same refresh with the tasks). */
void timectl_before_draw(struct tui *t);

/* The newest output line of program the view may show: all while live;
 * frozen, the one it had written then (0: none). */
uint64_t timectl_output_limit(const struct tui *t, pid_t program);

/* The newest event the event log may show: all while live. */
uint64_t timectl_event_limit(const struct tui *t);

/* The peaks of the last refresh (kept while frozen, unless stepping). */
void timectl_set_peaks(struct tui *t, const struct peak_frame *p);

/* Draws "FROZEN" at (y, x) when frozen; returns the columns used. */
int timectl_header_mark(const struct tui *t, int y, int x);

/* Draws " | peak 201 thr, 3 Z; 850 forks, 849 exits/s" at (y, x) when the
 * kernel's events are read, without the rates when that is wider than room
 * columns, nothing when that is too; returns the columns used. */
int timectl_header_peaks(const struct tui *t, int y, int x, int room);

#endif
