/* httpd.c - see httpd.h. libmicrohttpd in its external epoll mode: one fd
 * in concmon's poll set and MHD_run from the loop, so the page is built
 * by the thread that owns the model and nothing is shared between
 * threads. The listening socket is bound here, not by the library, so a
 * failure says why (EADDRINUSE, EACCES) and port 0 reads back. */
#include "export/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util.h"

/* Prometheus scrapes with one connection per target; a few are enough,
 * and a client that stalls is dropped instead of holding a slot. */
#define HTTPD_CONNECTIONS 8
#define HTTPD_PER_IP 4
#define HTTPD_TIMEOUT_S 10
#define HTTPD_MEMORY (32 * 1024)

struct httpd {
	struct MHD_Daemon *d;
	int listen_fd;
	struct httpd_addr bound;
	const char *content_type;
	httpd_page_fn *page;
	void *ctx;
};

static int parse_port(const char *s, unsigned *port)
{
	long v;
	if (!*s || strspn(s, "0123456789") != strlen(s) || !util_parse_long(s, &v) || v > 65535)
		return -1;
	*port = (unsigned)v;
	return 0;
}

int httpd_parse_addr(const char *spec, struct httpd_addr *out, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2] = "127.0.0.1";
	const char *port_text = spec;
	memset(out, 0, sizeof *out);
	const char *colon = strrchr(spec, ':');
	if (colon) {
		size_t n = (size_t)(colon - spec);
		if (n >= 2 && spec[0] == '[' && spec[n - 1] == ']')
			spec++, n -= 2;
		if (n == 0 || n >= sizeof host)
			return util_fail(-1, err, errlen, "'%s': expected PORT, ADDR:PORT or [ADDR6]:PORT", spec);
		memcpy(host, spec, n);
		host[n] = '\0';
		port_text = colon + 1;
	}
	unsigned port;
	if (parse_port(port_text, &port) < 0)
		return util_fail(-1, err, errlen, "'%s': the port must be a number from 0 to 65535", port_text);
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		out->len = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		out->len = sizeof *v6;
	} else {
		return util_fail(-1, err, errlen, "'%s' is not an IPv4 or IPv6 address (no host names)", host);
	}
	return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* The one resource: /metrics by GET (HEAD, its headers). Answered at the
 * first call, before any request body, which is never read. */
static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	struct httpd *h = cls;
	(void)version, (void)upload, (void)upload_size, (void)req;
	if (strcmp(url, "/metrics") != 0)
		return reply(c, MHD_HTTP_NOT_FOUND, "not found: concmon serves /metrics only\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: GET /metrics\n");
	size_t len = 0;
	char *body = h->page(h->ctx, &len);
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, h->content_type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

/* socket, bind, listen: close-on-exec (launched programs must not hold
 * it), non-blocking (the loop must not wait on an accept). */
static int bind_listener(const struct httpd_addr *a, char *err, size_t errlen)
{
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return util_fail(-1, err, errlen, "socket: %s", strerror(errno));
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (a->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0 || listen(fd, 16) < 0) {
		int e = errno;
		close(fd);
		return util_fail(-1, err, errlen, "%s", strerror(e));
	}
	return fd;
}

struct httpd *httpd_start(const struct httpd_addr *addr, const char *content_type,
			  httpd_page_fn *page, void *ctx, char *err, size_t errlen)
{
	struct httpd *h = xcalloc(1, sizeof *h);
	char where[80];
	h->bound = *addr;
	h->content_type = content_type;
	h->page = page;
	h->ctx = ctx;
	h->listen_fd = bind_listener(addr, err, errlen);
	if (h->listen_fd >= 0)
		getsockname(h->listen_fd, (struct sockaddr *)&h->bound.ss, &h->bound.len);
	httpd_describe(h, where, sizeof where);
	if (h->listen_fd < 0) {
		char why[256];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "cannot listen on %s: %s", where, why);
		free(h);
		return NULL;
	}
	unsigned flags = MHD_USE_EPOLL | (addr->ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, answer, h,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)h->listen_fd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTPD_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTPD_PER_IP,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTPD_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_MEMORY,
				MHD_OPTION_END);
	if (!h->d) {
		close(h->listen_fd);
		free(h);
		util_fail(-1, err, errlen, "cannot serve on %s: libmicrohttpd would not start "
			  "(built without epoll?)", where);
		return NULL;
	}
	return h;
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d); /* closes the listening socket it was given too */
	free(h);
}

unsigned httpd_port(const struct httpd *h)
{
	const struct sockaddr_storage *ss = &h->bound.ss;
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

void httpd_describe(const struct httpd *h, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";
	const struct sockaddr_storage *ss = &h->bound.ss;
	bool v6 = ss->ss_family == AF_INET6;
	const void *a = v6 ? (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr
			   : (const void *)&((const struct sockaddr_in *)ss)->sin_addr;
	inet_ntop(ss->ss_family, a, host, sizeof host);
	snprintf(buf, len, v6 ? "[%s]:%u" : "%s:%u", host, httpd_port(h));
}

int httpd_fd(const struct httpd *h)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	return i ? i->epoll_fd : -1;
}

int httpd_timeout_ms(const struct httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	if (MHD_get_timeout(h->d, &ms) != MHD_YES)
		return -1;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

void httpd_run(struct httpd *h)
{
	MHD_run(h->d);
}
