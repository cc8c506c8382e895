/* httpd.h - the --listen endpoint: libmicrohttpd serving GET /metrics and
 * nothing else (404 for other paths, 405 for other methods), driven from
 * concmon's own loop (no thread: the page is made by the loop's thread,
 * from the model as the last refresh left it). */
#ifndef CONCMON_HTTPD_H
#define CONCMON_HTTPD_H

#include <stddef.h>
#include <sys/socket.h>

/* Where to listen: family, address and port. */
struct httpd_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/* Parses "PORT" (loopback, 127.0.0.1), "ADDR:PORT" (IPv4) or
 * "[ADDR]:PORT" (IPv6); PORT 0 asks the kernel for a free one. Pure.
 * 0, or -1 with a one-line reason in err. */
int httpd_parse_addr(const char *spec, struct httpd_addr *out, char *err, size_t errlen);

/* Makes the page's body: malloc'd, length in *len, type content_type. */
typedef char *httpd_page_fn(void *ctx, size_t *len);

struct httpd;

/* Binds addr and serves page() on /metrics as content_type. NULL with a
 * one-line reason in err (address in use, permission...). */
struct httpd *httpd_start(const struct httpd_addr *addr, const char *content_type,
			  httpd_page_fn *page, void *ctx, char *err, size_t errlen);

/* Stops serving and closes every connection; NULL is fine. */
void httpd_stop(struct httpd *h);

/* The port actually bound (the kernel's choice for port 0). */
unsigned httpd_port(const struct httpd *h);

/* "127.0.0.1:9464" or "[::1]:9464" with the bound port. */
void httpd_describe(const struct httpd *h, char *buf, size_t len);

/* The one fd to poll for input (an epoll set of the listener and the
 * connections); readable means httpd_run has work. */
int httpd_fd(const struct httpd *h);

/* Milliseconds until httpd_run must run even without input (a connection
 * timing out), or -1 for none. */
int httpd_timeout_ms(const struct httpd *h);

/* Accepts, reads, answers and times out what is ready; never blocks. */
void httpd_run(struct httpd *h);

#endif
