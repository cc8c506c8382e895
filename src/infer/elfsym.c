/* elfsym.c - see elfsym.h. A file's load bias comes from its mapping at
 * offset 0 (minus its lowest PT_LOAD address), so PIE, shared libraries and
 * fixed executables read alike, and .bss past the file's end (an anonymous
 * mapping in maps) is still found inside the file's address span. */
#include "infer/elfsym.h"

#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util/util.h"

/* Files kept parsed; past this the cache starts over (a program maps a
 * few dozen at most, and only those holding a waited-on lock get here). */
#define ELFSYM_FILES 32

struct sym {
	uint64_t value, size;
	uint32_t name;              /* offset into strtab */
};

struct elf_file {
	dev_t dev;
	ino_t ino;
	bool bad;                   /* not an ELF we read: skip it */
	uint64_t lo, hi;            /* PT_LOAD span: lowest page, highest end */
	struct sym *syms;           /* objects, by value */
	size_t nsyms;
	char *strtab;
	size_t strtab_len;
};

struct elfsym {
	struct elf_file files[ELFSYM_FILES];
	size_t n;
};

struct elfsym *elfsym_new(void)
{
	return xcalloc(1, sizeof(struct elfsym));
}

static void clear(struct elfsym *es)
{
	for (size_t i = 0; i < es->n; i++) {
		free(es->files[i].syms);
		free(es->files[i].strtab);
	}
	es->n = 0;
}

void elfsym_free(struct elfsym *es)
{
	if (!es)
		return;
	clear(es);
	free(es);
}

static int by_value(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;
	return x->value < y->value ? -1 : x->value > y->value;
}

/* Whether [off, off + n) lies inside a file of size len. */
static bool inside(uint64_t off, uint64_t n, size_t len)
{
	return off <= len && n <= len - off;
}

/* Reads n bytes at off of the file (len bytes long) into out; false past
 * its end or on a short read. pread, not mmap: a file truncated while it
 * is read must not kill concmon with SIGBUS. */
static bool read_at(int fd, size_t len, uint64_t off, void *out, size_t n)
{
	return inside(off, n, len) && pread(fd, out, n, (off_t)off) == (ssize_t)n;
}

static void load_span(struct elf_file *f, int fd, size_t len, const Elf64_Ehdr *eh)
{
	f->lo = UINT64_MAX;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;
		if (!read_at(fd, len, eh->e_phoff + (uint64_t)i * sizeof ph, &ph, sizeof ph))
			break;
		if (ph.p_type != PT_LOAD)
			continue;
		if ((ph.p_vaddr & ~0xfffULL) < f->lo)
			f->lo = ph.p_vaddr & ~0xfffULL;
		if (ph.p_vaddr + ph.p_memsz > f->hi)
			f->hi = ph.p_vaddr + ph.p_memsz;
	}
}

/* The section header of type type (the first), or false. */
static bool section(int fd, size_t len, const Elf64_Ehdr *eh, unsigned type, Elf64_Shdr *out)
{
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		if (!read_at(fd, len, eh->e_shoff + (uint64_t)i * sizeof *out, out, sizeof *out))
			return false;
		if (out->sh_type == type)
			return true;
	}
	return false;
}

/* Symbol tables read at once at most this big (bigger: named by address). */
#define ELFSYM_TABLE_MAX (64u << 20)

static void load_syms(struct elf_file *f, int fd, size_t len, const Elf64_Ehdr *eh)
{
	Elf64_Shdr sh, str;
	if (!section(fd, len, eh, SHT_SYMTAB, &sh) && !section(fd, len, eh, SHT_DYNSYM, &sh))
		return;
	if (sh.sh_link >= eh->e_shnum ||
	    !read_at(fd, len, eh->e_shoff + (uint64_t)sh.sh_link * sizeof str, &str, sizeof str))
		return;
	if (!inside(sh.sh_offset, sh.sh_size, len) || !inside(str.sh_offset, str.sh_size, len) ||
	    str.sh_size == 0 || sh.sh_size > ELFSYM_TABLE_MAX || str.sh_size > ELFSYM_TABLE_MAX)
		return;
	size_t n = sh.sh_size / sizeof(Elf64_Sym), k = 0;
	Elf64_Sym *raw = xmalloc((n ? n : 1) * sizeof *raw);
	f->strtab = xmalloc(str.sh_size + 1);
	if (!read_at(fd, len, sh.sh_offset, raw, n * sizeof *raw) ||
	    !read_at(fd, len, str.sh_offset, f->strtab, str.sh_size)) {
		free(raw);
		free(f->strtab);
		f->strtab = NULL;
		return;
	}
	f->strtab[str.sh_size] = '\0';
	f->strtab_len = str.sh_size;
	f->syms = xmalloc((n ? n : 1) * sizeof *f->syms);
	for (size_t i = 0; i < n; i++) {
		const Elf64_Sym *sy = &raw[i];
		if (ELF64_ST_TYPE(sy->st_info) != STT_OBJECT || sy->st_size == 0 ||
		    sy->st_shndx == SHN_UNDEF || sy->st_name >= str.sh_size)
			continue;
		f->syms[k++] = (struct sym){ sy->st_value, sy->st_size, sy->st_name };
	}
	free(raw);
	f->nsyms = k;
	qsort(f->syms, k, sizeof *f->syms, by_value);
}

/* Parses the ELF file at path if it is (dev, ino); marks it bad otherwise. */
static void load(struct elf_file *f, const char *path)
{
	f->bad = true;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0)
		return;
	if (fstat(fd, &st) != 0 || st.st_ino != f->ino || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size < sizeof(Elf64_Ehdr)) {
		close(fd);
		return;
	}
	size_t len = (size_t)st.st_size;
	Elf64_Ehdr eh;
	if (read_at(fd, len, 0, &eh, sizeof eh) && memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64) {
		load_span(f, fd, len, &eh);
		if (f->lo < f->hi) {
			load_syms(f, fd, len, &eh);
			f->bad = false;
		}
	}
	close(fd);
}

static struct elf_file *file_for(struct elfsym *es, dev_t dev, ino_t ino, const char *path)
{
	for (size_t i = 0; i < es->n; i++)
		if (es->files[i].dev == dev && es->files[i].ino == ino)
			return &es->files[i];
	if (es->n == ELFSYM_FILES)
		clear(es);
	struct elf_file *f = &es->files[es->n++];
	memset(f, 0, sizeof *f);
	f->dev = dev;
	f->ino = ino;
	load(f, path);
	return f;
}

/* The symbol covering vaddr in f, written to buf; false if none. */
static bool lookup(const struct elf_file *f, uint64_t vaddr, char *buf, size_t len)
{
	size_t lo = 0, hi = f->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->syms[mid].value <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo: first symbol past vaddr; look back a little for overlaps. */
	for (size_t i = lo, tries = 0; i > 0 && tries < 8; i--, tries++) {
		const struct sym *s = &f->syms[i - 1];
		if (vaddr - s->value >= s->size)
			continue;
		const char *name = f->strtab + s->name;
		if (vaddr == s->value)
			snprintf(buf, len, "%s", name);
		else
			snprintf(buf, len, "%s+%llu", name, (unsigned long long)(vaddr - s->value));
		return true;
	}
	return false;
}

bool elfsym_name(struct elfsym *es, pid_t pid, uint64_t addr, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	FILE *fp = fopen(path, "re");
	if (!fp)
		return false;
	char line[4096 + 128];
	bool found = false;
	while (!found && fgets(line, sizeof line, fp)) {
		unsigned long long start, end, off, ino;
		unsigned maj, mnr;
		int at = 0;
		if (sscanf(line, "%llx-%llx %*s %llx %x:%x %llu %n", &start, &end, &off, &maj, &mnr, &ino,
			   &at) < 6 || off != 0 || ino == 0 || line[at] != '/')
			continue;
		char *file = line + at;
		file[strcspn(file, "\n")] = '\0';
		struct elf_file *f = file_for(es, makedev(maj, mnr), (ino_t)ino, file);
		if (f->bad || start < f->lo)
			continue;
		uint64_t bias = start - f->lo;
		if (addr >= bias + f->lo && addr < bias + f->hi)
			found = lookup(f, addr - bias, buf, len);
	}
	fclose(fp);
	return found;
}
