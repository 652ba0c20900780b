/**
 * Sends one TCP SYN or RST over IPv6 through an AF_INET6 raw socket bound to SRC (the kernel writes the IPv6 header,
 * we sum the TCP checksum), optionally marked with SO_MARK: `_fw_send6_child.ts SRC SPORT DST DPORT syn|rst MARK|-`.
 * Prints one JSON line `{ mark, sent }` like `_fw_send_rst_child.ts`: `sent` is `"ok"` or the errno name `sendto`
 * failed with (EPERM when a firewall rule dropped the segment). Needs only `--allow-ffi`; used by the IPv6 firewall
 * tests, as the IPv4 ones use `_fw_send_syn_child.ts` and `_fw_send_rst_child.ts`.
 *
 * @module
 */

import { libc } from "../../ffi/libc.ts";
import { check, OsError } from "../../ffi/os_error.ts";
import {
  emitTcpUnsummed,
  fillTcpChecksum,
  IPPROTO_TCP,
  ipv6ToBytes,
  parseIpv6Address,
  pseudoHeaderSumV6,
  seq,
} from "../../src/wire/mod.ts";
import { RST, SYN } from "../../src/wire/tcp_repr.ts";

const AF_INET6 = 10, SOCK_RAW = 3, SOL_SOCKET = 1, SO_MARK = 36;
const [srcText, sportText, dstText, dportText, kind, markText] = Deno.args;
const src = new Uint8Array(16), dst = new Uint8Array(16);
ipv6ToBytes(parseIpv6Address(srcText), src);
ipv6ToBytes(parseIpv6Address(dstText), dst);

/** `struct sockaddr_in6` (linux/in6.h) for `address`, port 0 (a raw socket's protocol is its own). */
function sockaddrIn6(address: Uint8Array): Uint8Array {
  const sa = new Uint8Array(28);
  new DataView(sa.buffer).setUint16(0, AF_INET6, true);
  sa.set(address, 8);
  return sa;
}

const seg = new Uint8Array(20);
const length = emitTcpUnsummed(
  {
    srcPort: Number(sportText),
    dstPort: Number(dportText),
    seq: seq(kind === "syn" ? 0x01020304 : 0x01020305),
    ack: seq(0),
    flags: kind === "syn" ? SYN : RST,
    window: kind === "syn" ? 64240 : 0,
    urgent: 0,
    options: {},
    payload: new Uint8Array(0),
  },
  seg,
  0,
);
fillTcpChecksum(seg, 0, length, pseudoHeaderSumV6(src, 0, dst, 0, IPPROTO_TCP, length));

const fd = check(libc().socket(AF_INET6, SOCK_RAW, IPPROTO_TCP), "socket", "AF_INET6, SOCK_RAW, IPPROTO_TCP");
let mark: number | null = null, sent = "ok";
try {
  const bound = sockaddrIn6(src);
  check(libc().bind(fd, bound, bound.length), "bind", srcText);
  if (markText !== "-") {
    const value = new Uint8Array(new Uint32Array([Number(markText)]).buffer);
    check(libc().setsockopt(fd, SOL_SOCKET, SO_MARK, value, 4), "setsockopt", "SO_MARK");
    mark = Number(markText);
  }
  const to = sockaddrIn6(dst);
  const n = check(libc().sendto(fd, seg, BigInt(length), 0, to, to.length), "sendto", kind);
  if (n !== length) sent = `short: ${n} of ${length}`;
} catch (e) {
  if (!(e instanceof OsError)) throw e;
  sent = e.code;
} finally {
  libc().close(fd);
}
console.log(JSON.stringify({ mark, sent }));
