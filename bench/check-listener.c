// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
#define _GNU_SOURCE
/* check-listener.c: the far end of bench/check-tcp.sh, as check-listener.py
 * but cheaper per connection (the bench must measure halbd, not the
 * listener). One listening socket on 0.0.0.0:PORT in the bench's network
 * namespace answers for all of 127.0.0.0/8. Mode tcp: accept and close.
 * Mode http: read the request head, answer 200 with a short body, close.
 * Usage: check-listener tcp|http PORT */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) return 2;
	int http = strcmp(argv[1], "http") == 0;
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 65535) < 0) { perror("listen"); return 1; }
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = ls }, evs[256];
	epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
	static const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	char buf[4096];
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int n = epoll_wait(ep, evs, 256, -1);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			if (fd == ls) {
				int c;
				while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					if (!http) { close(c); continue; }
					struct epoll_event ce = { .events = EPOLLIN, .data.fd = c };
					epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
				}
				continue;
			}
			/* http: the request of a check fits one read */
			ssize_t r = read(fd, buf, sizeof buf);
			if (r > 0 && write(fd, reply, sizeof reply - 1) < 0) { /* the checker will say */ }
			close(fd);
		}
	}
}
