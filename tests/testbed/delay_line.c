/*
 * A delay line for the testbed's router: every IP packet the kernel routes into a TUN device is held for a fixed
 * one-way delay (plus optional jitter) and then written back into the same device, where the kernel receives it and
 * forwards it on. This kernel has no netem, so this is how the testbed makes round-trip time.
 *
 * Usage: delay_line DEVICE DELAY_US [JITTER_US [SLOTS [SLOT_BYTES [CPU]]]]
 *   DEVICE      an existing TUN device (ip tuntap add DEVICE mode tun); this process attaches to it
 *   DELAY_US    one-way delay of every packet, microseconds
 *   JITTER_US   each packet waits a further uniform 0..JITTER_US; a packet never overtakes the one before it in
 *               its direction, so jitter adds delay variation without reordering
 *   SLOTS       packets each direction can hold (default 16384); beyond that the line drops, like a full queue
 *   SLOT_BYTES  largest packet (default 1500, the device's MTU)
 *   CPU         run only on this CPU (default -1: anywhere), so that the device's receive processing can be
 *               steered (RPS) to the others: a packet written back is forwarded and received by the next host in
 *               the writer's context, which would otherwise be this process
 *
 * Prints "ready" on stdout once attached. On SIGTERM or SIGINT it prints its counts on stderr and exits 0.
 * Two FIFOs, chosen by whether the source address is below the destination: the two directions between two hosts
 * never share one, without the program knowing the topology.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

struct ring {
  unsigned char *mem;  /* SLOTS slots of [due_ns (8 bytes)][length (4 bytes)][packet] */
  uint32_t head, count;
  uint64_t last_due;
};

static size_t slot_size, slot_bytes;
static uint32_t slots;
static volatile sig_atomic_t stopping;

static void on_signal(int sig) { (void)sig; stopping = 1; }

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static unsigned char *slot(struct ring *r, uint32_t i) { return r->mem + (size_t)(i % slots) * slot_size; }

static uint64_t due_of(struct ring *r) {
  uint64_t due;
  memcpy(&due, slot(r, r->head), 8);
  return due;
}

/* 0 or 1: which way the packet goes, by comparing its source and destination address (IPv4 or IPv6). */
static int direction(const unsigned char *p, ssize_t n) {
  if (n >= 20 && p[0] >> 4 == 4) return memcmp(p + 12, p + 16, 4) < 0;
  if (n >= 40 && p[0] >> 4 == 6) return memcmp(p + 8, p + 24, 16) < 0;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s DEVICE DELAY_US [JITTER_US [SLOTS [SLOT_BYTES [CPU]]]]\n", argv[0]);
    return 2;
  }
  uint64_t delay = strtoull(argv[2], NULL, 10) * 1000, jitter = argc > 3 ? strtoull(argv[3], NULL, 10) * 1000 : 0;
  slots = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 16384;
  slot_bytes = argc > 5 ? strtoul(argv[5], NULL, 10) : 1500;
  slot_size = (12 + slot_bytes + 7) & ~(size_t)7;
  int cpu = argc > 6 ? atoi(argv[6]) : -1;

  int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  struct ifreq ifr = {0};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI; /* bare IP packets, no 4-byte header */
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", argv[1]);
  if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0) {
    fprintf(stderr, "delay_line: cannot attach to TUN device %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  /* calloc of this size maps pages on first touch: memory grows only with what is in flight. */
  struct ring rings[2] = {{calloc(slots, slot_size), 0, 0, 0}, {calloc(slots, slot_size), 0, 0, 0}};
  static unsigned char scratch[65536];
  if (rings[0].mem == NULL || rings[1].mem == NULL) return 1;
  /* Timers wake us within 1 µs instead of the default 50 µs slack: the delay should be what was asked. */
  prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  /* netem would run in softirq, ahead of every process; a real-time priority gives the line the same precedence,
   * so that busy downloaders and servers on the same cores do not stretch the delay (best effort). */
  struct sched_param prio = {.sched_priority = 10};
  sched_setscheduler(0, SCHED_FIFO, &prio);
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
  }

  /* Signals stay blocked except inside ppoll, so a SIGTERM cannot slip in between the check and the wait. */
  sigset_t block, during_poll;
  sigemptyset(&block);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &during_poll);
  sigdelset(&during_poll, SIGTERM);
  sigdelset(&during_poll, SIGINT);
  struct sigaction sa = {0};
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);

  printf("ready\n");
  fflush(stdout);
  uint64_t delayed = 0, full_drops = 0, oversize = 0, write_errors = 0, rng = now_ns() | 1;
  while (!stopping) {
    uint64_t now = now_ns(), next = UINT64_MAX;
    for (int d = 0; d < 2; d++) {
      struct ring *r = &rings[d];
      while (r->count > 0 && due_of(r) <= now) {
        unsigned char *s = slot(r, r->head);
        uint32_t len;
        memcpy(&len, s + 8, 4);
        if (write(fd, s + 12, len) != (ssize_t)len) write_errors++;
        r->head = (r->head + 1) % slots;
        r->count--;
        delayed++;
      }
      if (r->count > 0 && due_of(r) < next) next = due_of(r);
    }
    struct timespec wait = {0, 0};
    uint64_t t = now_ns();
    if (next != UINT64_MAX && next > t) {
      wait = (struct timespec){(time_t)((next - t) / 1000000000u), (long)((next - t) % 1000000000u)};
    }
    struct pollfd pfd = {fd, POLLIN, 0};
    if (ppoll(&pfd, 1, next == UINT64_MAX ? NULL : &wait, &during_poll) <= 0) continue;
    /* Read what is waiting (bounded, so that due packets are not held back by a flood). */
    for (int i = 0; i < 256; i++) {
      ssize_t n = read(fd, scratch, sizeof scratch);
      if (n < 0) break;
      if ((size_t)n > slot_bytes) {
        oversize++;
        continue;
      }
      struct ring *r = &rings[direction(scratch, n)];
      if (r->count == slots) {
        full_drops++;
        continue;
      }
      uint64_t due = now_ns() + delay;
      if (jitter > 0) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17; /* xorshift64: cheap, and quality does not matter */
        due += rng % (jitter + 1);
      }
      if (due < r->last_due) due = r->last_due; /* no overtaking within a direction */
      r->last_due = due;
      unsigned char *s = slot(r, r->head + r->count);
      uint32_t len = (uint32_t)n;
      memcpy(s, &due, 8);
      memcpy(s + 8, &len, 4);
      memcpy(s + 12, scratch, (size_t)n);
      r->count++;
    }
  }
  fprintf(stderr, "delay_line: delayed %llu, dropped %llu (queue full), %llu oversize, %llu write errors\n",
          (unsigned long long)delayed, (unsigned long long)full_drops, (unsigned long long)oversize,
          (unsigned long long)write_errors);
  return 0;
}
