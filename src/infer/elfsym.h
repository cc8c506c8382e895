/* elfsym.h - names an address in a process by the data symbol covering it
 * ("fork_1", "table+8"), from the ELF file mapped there (.symtab, else
 * .dynsym). Files are parsed once and cached by device and inode. */
#ifndef CONCMON_ELFSYM_H
#define CONCMON_ELFSYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct elfsym;

/* An empty cache. Aborts on allocation failure. */
struct elfsym *elfsym_new(void);
void elfsym_free(struct elfsym *es);

/* Writes the name of the object symbol covering addr in process pid to buf
 * (cut to len), "sym+off" inside it. False when none does, or /proc/PID/maps
 * or the file cannot be read. Reads maps each call: callers cache. */
bool elfsym_name(struct elfsym *es, pid_t pid, uint64_t addr, char *buf, size_t len);

#endif
