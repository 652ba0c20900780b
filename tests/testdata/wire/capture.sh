#!/usr/bin/env bash
# Regenerates the known-answer fixtures of tests/wire/kernel_test.ts:
# - kernel_http.pcap: one TCP connection between two Linux kernels (handshake, a request, a response in one full-size
#   1500-byte frame, both FINs: 10 frames), captured on a veth pair with tx/tso/gso offloads off so every checksum on
#   the wire is real;
# - kernel_offload.pcap: the handshake of the same exchange with offloads on (checksum fields hold the folded
#   pseudo-header sum).
# Every run has new ISNs, ports and timestamps: update the expected values in tests/wire/kernel_test.ts from the
# `tcpdump -v` output this prints. Needs root, ip, ethtool, tcpdump and python3.
# Usage: sudo tests/testdata/wire/capture.sh [OUTPUT_DIR]   (default: this script's folder)
#
# Namespaces are rhg-wire-<pid>-a (client, 198.18.200.1) and rhg-wire-<pid>-b (server, 198.18.200.2); they are
# deleted on exit whatever happens. Only those two addresses carry traffic.
set -euo pipefail

if [[ $EUID -ne 0 ]]; then
  echo "capture.sh needs root (network namespaces, tcpdump): run it with sudo" >&2
  exit 1
fi
here="${1:-$(cd "$(dirname "$0")" && pwd)}"
out="$here/kernel_http.pcap"
pid=$$
nsa="rhg-wire-$pid-a"
nsb="rhg-wire-$pid-b"
# Interface names are limited to 15 bytes (IFNAMSIZ), so they are shorter than the namespace names.
ifa="rhgw${pid}a"
ifb="rhgw${pid}b"
tmp="$(mktemp -d)"
tcpdump_pid=""
server_pid=""

cleanup() {
  if [[ -n "$tcpdump_pid" ]]; then kill "$tcpdump_pid" 2>/dev/null || true; fi
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  ip netns del "$nsa" 2>/dev/null || true
  ip netns del "$nsb" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

ip netns add "$nsa"
ip netns add "$nsb"
ip link add "$ifa" netns "$nsa" type veth peer name "$ifb" netns "$nsb"
ip -n "$nsa" addr add 198.18.200.1/24 dev "$ifa"
ip -n "$nsb" addr add 198.18.200.2/24 dev "$ifb"
ip -n "$nsa" link set lo up
ip -n "$nsb" link set lo up
ip -n "$nsa" link set "$ifa" up
ip -n "$nsb" link set "$ifb" up
# With offloads on, the kernel leaves the folded pseudo-header sum in the checksum field (see shared/FACTS.md).
ip netns exec "$nsa" ethtool -K "$ifa" tx off tso off gso off >/dev/null
ip netns exec "$nsb" ethtool -K "$ifb" tx off tso off gso off >/dev/null
# Linux's default tcp_rmem maximum (6 MiB) gives window scale 7 whatever the host's own setting is.
ip netns exec "$nsa" sysctl -qw net.ipv4.tcp_rmem="4096 131072 6291456"
ip netns exec "$nsb" sysctl -qw net.ipv4.tcp_rmem="4096 131072 6291456"

cat >"$tmp/server.py" <<'PY'
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.200.2", 8080))
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
req = b""
while b"\r\n\r\n" not in req:
    chunk = c.recv(4096)
    if not chunk:
        break
    req += chunk
head = b"HTTP/1.0 200 OK\r\nContent-Length: 1407\r\n\r\n"
body = bytes((i * 7 + 3) & 0xFF for i in range(1407))
c.sendall(head + body)
c.close()
PY

cat >"$tmp/client.py" <<'PY'
import socket
c = socket.create_connection(("198.18.200.2", 8080))
c.sendall(b"GET / HTTP/1.0\r\nHost: 198.18.200.2\r\n\r\n")
got = 0
while True:
    chunk = c.recv(65536)
    if not chunk:
        break
    got += len(chunk)
c.close()
print(got)
PY

# capture OUTFILE: runs one connection while tcpdump records it on the client's interface.
capture() {
  rm -f "$tmp/cap.pcap" "$tmp/tcpdump.err" "$tmp/server.out"
  ip netns exec "$nsa" tcpdump -i "$ifa" -nn -U --immediate-mode -s 0 -w "$tmp/cap.pcap" tcp port 8080 \
    2>"$tmp/tcpdump.err" &
  tcpdump_pid=$!
  for _ in $(seq 50); do grep -q listening "$tmp/tcpdump.err" 2>/dev/null && break; sleep 0.1; done

  ip netns exec "$nsb" python3 "$tmp/server.py" >"$tmp/server.out" &
  server_pid=$!
  for _ in $(seq 50); do grep -q ready "$tmp/server.out" 2>/dev/null && break; sleep 0.1; done
  ip netns exec "$nsa" python3 "$tmp/client.py" >/dev/null
  wait "$server_pid"
  server_pid=""
  # Let the last ACK reach tcpdump (immediate mode: no ring-buffer timeout), then stop it.
  sleep 1
  kill "$tcpdump_pid"
  wait "$tcpdump_pid" 2>/dev/null || true
  tcpdump_pid=""
  cp "$tmp/cap.pcap" "$1"
  tcpdump -nn -S -v -r "$1"
}

capture "$out"
# The same exchange with offloads on: every segment carries the folded pseudo-header sum instead of a checksum (the
# veth never fills it in). Only the handshake is kept.
ip netns exec "$nsa" ethtool -K "$ifa" tx on tso on gso on >/dev/null
ip netns exec "$nsb" ethtool -K "$ifb" tx on tso on gso on >/dev/null
capture "$tmp/offload_all.pcap"
tcpdump -nn -r "$tmp/offload_all.pcap" -c 3 -w "$tmp/offload.pcap" 2>/dev/null
cp "$tmp/offload.pcap" "$here/kernel_offload.pcap"
