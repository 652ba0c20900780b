/**
 * Sends one TCP RST the way rawhttpget does (an `IPPROTO_RAW` sender, our own IPv4 header), optionally marked with
 * SO_MARK: `_fw_send_rst_child.ts SRC SPORT DST DPORT MARK|-`. Prints one JSON line `{ mark, sent }`: `mark` is the
 * mark the socket got (null when unmarked or refused), `sent` is `"ok"` or the errno name `sendto` failed with
 * (EPERM when a firewall rule dropped it). Needs only `--allow-ffi`.
 *
 * @module
 */

import { OsError } from "../../ffi/os_error.ts";
import { openRawSender } from "../../ffi/raw_socket.ts";
import { FrameEncoder } from "../../src/transport/mod.ts";
import { parseIpv4Address } from "../../src/wire/address.ts";
import { seq } from "../../src/wire/seq.ts";
import { RST } from "../../src/wire/tcp_repr.ts";

const [srcText, sportText, dstText, dportText, markText] = Deno.args;
const flow = {
  localAddr: parseIpv4Address(srcText),
  localPort: Number(sportText),
  remoteAddr: parseIpv4Address(dstText),
  remotePort: Number(dportText),
};
const tx = openRawSender(markText === "-" ? {} : { mark: Number(markText) });
let sent = "ok";
try {
  const header = { srcPort: flow.localPort, dstPort: flow.remotePort, seq: seq(0x01020305), ack: seq(0), flags: RST };
  const rst = { ...header, window: 0, urgent: 0, options: {}, payload: new Uint8Array(0) };
  if (!tx.send(new FrameEncoder(flow).encode(rst), flow.remoteAddr)) sent = "queue full";
} catch (e) {
  if (!(e instanceof OsError)) throw e;
  sent = e.code;
} finally {
  tx.close();
}
console.log(JSON.stringify({ mark: tx.mark, sent }));
