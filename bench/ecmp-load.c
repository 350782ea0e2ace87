// SPDX-License-Identifier: GPL-2.0-or-later
// Copyright (C) 2026 halbd developers
#define _GNU_SOURCE
/* ecmp-load.c: the client of bench/ecmp-rps.sh: CONC connections at a time
 * to VIP:PORT, each one HTTP/1.0 request read to the end, then the next,
 * for SECONDS, over NSRC source addresses PREFIX.1..NSRC (so the router's
 * multipath hash spreads them). Prints "requests N errors E seconds S".
 * One thread and epoll: cheap per request, so the figure is the path's.
 * Usage: ecmp-load VIP PORT SECONDS CONC PREFIX NSRC */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

static struct sockaddr_in dst;
static char prefix[64];
static int nsrc, next_src;
static long requests, errors;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Opens the next connection; its fd is watched for writability (connected). */
static void start(int ep)
{
	char src[80];
	snprintf(src, sizeof src, "%s%d", prefix, 1 + next_src++ % nsrc);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
	struct sockaddr_in s = { .sin_family = AF_INET };
	inet_pton(AF_INET, src, &s.sin_addr);
	if (bind(fd, (struct sockaddr *)&s, sizeof s) < 0 ||
	    (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0 && errno != EINPROGRESS)) {
		errors++;
		close(fd);
		return;
	}
	struct epoll_event ev = { .events = EPOLLOUT, .data.fd = fd };
	epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: ecmp-load VIP PORT SECONDS CONC PREFIX NSRC\n");
		return 2;
	}
	dst.sin_family = AF_INET;
	dst.sin_port = htons(atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &dst.sin_addr);
	double secs = atof(argv[3]);
	int conc = atoi(argv[4]);
	snprintf(prefix, sizeof prefix, "%s", argv[5]);
	nsrc = atoi(argv[6]);
	int ep = epoll_create1(0);
	for (int i = 0; i < conc; i++) start(ep);
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	char buf[4096];
	struct epoll_event evs[256];
	double t0 = now(), end = t0 + secs;
	while (now() < end) {
		int n = epoll_wait(ep, evs, 256, 100);
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd, done = 0, bad = 0;
			if (evs[i].events & EPOLLOUT) {
				int err = 0;
				socklen_t len = sizeof err;
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
				if (err || write(fd, req, sizeof req - 1) < 0) {
					bad = 1;
				} else {
					struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };
					epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
				}
			} else {
				ssize_t r;
				while ((r = read(fd, buf, sizeof buf)) > 0) {
				}
				if (r == 0) done = 1;
				else if (errno != EAGAIN) bad = 1;
			}
			if (done || bad) {
				if (done) requests++;
				else errors++;
				close(fd);
				start(ep);
			}
		}
	}
	printf("requests %ld errors %ld seconds %.2f\n", requests, errors, now() - t0);
	return 0;
}
