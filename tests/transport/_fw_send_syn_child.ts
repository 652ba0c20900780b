/**
 * Sends one TCP SYN through an AF_INET raw socket (the kernel writes the IP header):
 * `_fw_send_syn_child.ts SRC SPORT DST DPORT`. Needs only `--allow-ffi`; used by the firewall tests to make a server
 * answer with a SYN-ACK that the sending host's kernel then resets.
 *
 * @module
 */

import { libc } from "../../ffi/libc.ts";
import { check } from "../../ffi/os_error.ts";
import { encodeSockaddrIn } from "../../ffi/sockaddr.ts";
import { parseIpv4Address } from "../../src/wire/address.ts";
import { seq } from "../../src/wire/seq.ts";
import { emitTcp } from "../../src/wire/tcp.ts";
import { SYN } from "../../src/wire/tcp_repr.ts";

const [srcText, sportText, dstText, dportText] = Deno.args;
const src = parseIpv4Address(srcText), dst = parseIpv4Address(dstText);
const seg = new Uint8Array(20);
const syn = {
  srcPort: Number(sportText),
  dstPort: Number(dportText),
  seq: seq(0x01020304),
  ack: seq(0),
  flags: SYN,
  window: 64240,
  urgent: 0,
  options: {},
  payload: new Uint8Array(0),
};
const length = emitTcp(syn, seg, 0, src, dst);

const fd = check(libc().socket(2, 3, 6), "socket", "AF_INET, SOCK_RAW, IPPROTO_TCP");
try {
  const sa = encodeSockaddrIn(dst, 0);
  const sent = check(libc().sendto(fd, seg, BigInt(length), 0, sa, sa.length), "sendto", "SYN");
  if (sent !== length) throw new Error(`Cannot send the SYN: sendto sent ${sent} of ${length} bytes`);
} finally {
  libc().close(fd);
}
