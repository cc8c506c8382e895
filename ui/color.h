/* color.h - the colour table: every colour the interface uses, by role. */
#ifndef CONCMON_COLOR_H
#define CONCMON_COLOR_H

#include <curses.h>
#include <stdbool.h>

/* Roles, not colours: the table in color.c says how each one looks with
 * and without colour support. */
enum ui_color {
	UI_NORMAL,
	UI_HEADER,       /* "concmon" and the counts */
	UI_HEADER_MODE,  /* tree/flat, sort, filter in the header */
	UI_TITLE,        /* column titles bar */
	UI_TITLE_SORT,   /* the column the table is sorted by */
	UI_SELECTED,     /* selection bar */
	UI_TAGGED,       /* tagged rows */
	UI_RUN,          /* state R */
	UI_DISK,         /* state D */
	UI_STOP,         /* states T and t */
	UI_ZOMBIE,       /* state Z, zombie counts */
	UI_GREY,         /* exited rows, command lines */
	UI_THREAD,       /* thread names */
	UI_ORPHAN,       /* the orphan mark */
	UI_ERROR,        /* failed actions in the status line */
	UI_BAR_KEY,      /* "F1" in the key bar */
	UI_BAR_LABEL,    /* "Help" in the key bar */
	UI_MENU,         /* menu and help boxes */
	UI_MENU_SEL,     /* menu cursor */
	UI_METER_USER,   /* meters: CPU user time, memory used */
	UI_METER_SYSTEM, /* CPU system time, swap used */
	UI_METER_IOWAIT, /* CPU waiting for I/O */
	UI_METER_STEAL,  /* CPU taken by the hypervisor */
	UI_METER_CACHE,  /* memory in buffers and cache */
	UI_COLOR_COUNT
};

/* Fills out[] with the attribute of each role under theme ("default",
 * "monochrome": bold/reverse only, as under NO_COLOR, "projector": high
 * contrast, nothing dim or grey). Call after newterm;
 * starts colour when the terminal has it and NO_COLOR is unset or empty,
 * else uses bold/reverse (and dim for grey in the default theme). False,
 * out untouched, for an unknown theme. */
bool color_init(attr_t out[UI_COLOR_COUNT], const char *theme);

#endif
