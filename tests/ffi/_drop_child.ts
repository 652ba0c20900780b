/**
 * Child process of privileges_test.ts, run with only `--allow-ffi` (a drop is irreversible, so each one gets its own
 * process). Modes:
 * - `drop UID GID DIR` (as root, in a namespace whose `lo` holds 198.18.0.1 and 198.18.0.2): opens a raw sender and
 *   a raw receiver, drops to UID/GID, starts new threads (nonblocking FFI calls), and prints as JSON its process and
 *   thread credentials, the errno codes of a raw and a packet socket and of a file created in DIR (root's, mode
 *   0700), and whether the sockets opened before the drop still send and receive. Capability sets print as hex.
 * - `refused UID GID` (as an unprivileged user): prints the step and code of the PrivilegeDropError.
 */

import {
  describeCredentials,
  dropPrivileges,
  openFile,
  openPacketReceiver,
  openRawReceiver,
  openRawSender,
  OsError,
  PrivilegeDropError,
  processCredentials,
  tcpFlowFilter,
  threadCredentials,
  waitFor,
} from "../../ffi/mod.ts";
import { IPPROTO_TCP, parseIpv4Address } from "../../src/wire/mod.ts";
import { buildFrame } from "./_frame.ts";

const [mode, uidArg, gidArg, dir] = Deno.args;
const target = { uid: Number(uidArg), gid: Number(gidArg) };

/** The errno code a call throws, or "ok" when it succeeds. */
function outcome(fn: () => void): string {
  try {
    fn();
    return "ok";
  } catch (e) {
    if (e instanceof OsError) return e.code;
    throw e;
  }
}

const hex = (_key: string, value: unknown) => typeof value === "bigint" ? `0x${value.toString(16)}` : value;

if (mode === "refused") {
  try {
    dropPrivileges(target);
    console.log("dropped without privileges");
  } catch (e) {
    if (!(e instanceof PrivilegeDropError)) throw e;
    console.log(JSON.stringify({ step: e.step, code: e.code, message: e.message }));
  }
} else if (mode === "drop") {
  const A = parseIpv4Address("198.18.0.1"), B = parseIpv4Address("198.18.0.2");
  const flow = { srcAddr: B, srcPort: 80, dstAddr: A, dstPort: 40000 };
  const tx = openRawSender();
  const rx = openRawReceiver({ protocol: IPPROTO_TCP });
  rx.attachFilter(tcpFlowFilter(flow));
  const tidsBefore = threadCredentials().map((t) => t.tid);

  dropPrivileges(target);

  // Nonblocking FFI calls run on tokio's blocking-pool threads: four waiting at once (polls for no event, so each
  // lasts its 100 ms) need more threads than the pool has idle, and it starts them now, after the drop.
  await Promise.all([0, 1, 2, 3].map(() => waitFor(tx.fd, 0, 100)));
  const payload = new TextEncoder().encode("after the drop");
  const frame = buildFrame({ src: B, dst: A, srcPort: 80, dstPort: 40000, payload });
  const sent = tx.send(frame, A);
  const buf = new Uint8Array(2048);
  const received = await rx.waitReadable(1000) && rx.recv(buf) === frame.length;
  const threads = threadCredentials();
  console.log(JSON.stringify(
    {
      process: processCredentials(),
      description: describeCredentials(processCredentials()),
      threads,
      newThreads: threads.map((t) => t.tid).filter((tid) => !tidsBefore.includes(tid)),
      rawSocket: outcome(() => openRawSender().close()),
      packetSocket: outcome(() => openPacketReceiver({ ifname: "lo" }).close()),
      rootOnlyFile: outcome(() => openFile(`${dir}/created.txt`, { create: true, write: true }).close()),
      socketsOpenedBefore: { sent, received },
    },
    hex,
  ));
  tx.close();
  rx.close();
} else {
  throw new Error(`Unknown mode "${mode}": use drop or refused`);
}
