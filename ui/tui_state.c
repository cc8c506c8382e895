/* tui_state.c - what every part of the interface may ask of struct tui:
 * the status line message, the mode stack, the programs of the last publish
 * (behind a generation check), the cursor and the screen's layout lines.
 * It calls no other ui/ module: they all stand on it. */
#include "tui_state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

const struct program *tui_programs(const struct tui *t, size_t *n)
{
	if (t->held) {
		*n = t->held->nprograms;
		return t->held->programs;
	}
	return tui_programs_live(t, n);
}

const struct program *tui_programs_live(const struct tui *t, size_t *n)
{
	bool valid = t->programs && t->programs_gen == t->model_gen;
	*n = valid ? t->nprograms : 0;
	return valid ? t->programs : NULL;
}

const struct deadlocks *tui_deadlocks(const struct tui *t)
{
	return t->held ? t->held->deadlocks : t->deadlocks;
}

const char *tui_wait(const struct tui *t, pid_t tid)
{
	if (t->held)
		return t->held->wait_of ? t->held->wait_of(t->held->wait_ctx, tid) : NULL;
	return t->wait_of ? t->wait_of(t->wait_ctx, tid) : NULL;
}

void tui_model_moving(struct tui *t)
{
	t->model_gen++;
	t->dirty = true;
}

const struct tui_mode *tui_mode_top(const struct tui *t)
{
	return t->modes[t->nmodes - 1];
}

void tui_mode_push(struct tui *t, const struct tui_mode *m)
{
	if (t->nmodes == TUI_MODE_DEPTH) {
		fprintf(stderr, "concmon: mode stack full pushing %s\n", m->name);
		abort();
	}
	t->modes[t->nmodes++] = m;
	if (m->enter)
		m->enter(t);
	t->dirty = true;
}

void tui_mode_pop(struct tui *t)
{
	if (t->nmodes <= 1)
		return;
	const struct tui_mode *m = tui_mode_top(t);
	t->nmodes--;
	if (m->leave)
		m->leave(t);
	t->dirty = true;
}

void tui_set_cursor(struct tui *t, int y, int x)
{
	t->cursor_y = y;
	t->cursor_x = x;
}

int tui_banner_lines(const struct tui *t)
{
	const struct deadlocks *d = tui_deadlocks(t);
	if (!d || deadlocks_count(d) == 0 || LINES < TUI_MIN_LINES)
		return 0;
	return t->banner_lines ? t->banner_lines(t) : 1;
}

int tui_meter_lines(const struct tui *t)
{
	return t->meter_lines ? t->meter_lines(t) : 0;
}

int tui_body_lines(const struct tui *t)
{
	return LINES - tui_meter_lines(t) - 1 - tui_banner_lines(t) - TUI_FOOTER_LINES;
}

static void tui_vmessage(struct tui *t, bool error, const char *fmt, va_list ap)
{
	vsnprintf(t->status, sizeof t->status, fmt, ap);
	t->status_error = error;
	t->status_gen++;
	t->dirty = true;
}

void tui_message(struct tui *t, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tui_vmessage(t, error, fmt, ap);
	va_end(ap);
}

void tui_status(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tui_vmessage(t, false, fmt, ap);
	va_end(ap);
}
