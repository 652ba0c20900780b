/**
 * The unprivileged side, tried from inside: started as root in the testbed's client namespace, it starts the
 * privileged helper, drops to nobody as a download does, then tries what it must not be able to do and prints what
 * happened as JSON. Usage: `_unprivileged_child.ts ROOT_ONLY_DIR LOCAL_ADDR SERVER_ADDR`.
 */

import {
  closeDescriptor,
  dropPrivileges,
  libc,
  openFile,
  openRawSender,
  reservePort,
  threadCredentials,
} from "../../ffi/mod.ts";
import { decodeReply, HelperOpener, startHelper } from "../../src/privilege/mod.ts";
import { parseIpv4Address } from "../../src/wire/mod.ts";

const [rootOnlyDir, localText, serverText] = Deno.args;
const { channel, pid } = startHelper({ firewall: "auto" });
dropPrivileges({ uid: 65534, gid: 65534 });
const opener = new HelperOpener(channel);

const outcome = async (f: () => unknown): Promise<string> => {
  try {
    await f();
    return "allowed";
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).message;
  }
};
const ask = async (text: string, fds: number[] = []): Promise<string> => {
  channel.send(new TextEncoder().encode(text), fds);
  const reply = decodeReply((await channel.receive(10_000))!.bytes);
  return reply.ok ? "allowed" : reply.error;
};

const port = reservePort(parseIpv4Address(localText));
const flow = {
  localAddr: parseIpv4Address(localText),
  localPort: port.port,
  remoteAddr: parseIpv4Address(serverText),
  remotePort: 80,
};
const rx = await opener.receiver(flow, port);
const guard = await opener.guard(flow, port, null);
// SO_DETACH_FILTER on a locked filter: the kernel refuses (socket(7)).
const detach = libc().setsockopt(rx.fd, 1, 27, new Uint8Array(4), 4) === 0 ? "allowed" : "refused";
const unbound = libc().socket(2, 1 | 0x80000, 0);
const udp = libc().socket(2, 2 | 0x80000, 0);
const result = {
  helperPid: pid,
  threads: threadCredentials().map((t) => ({ uid: t.uid, capEff: String(t.capEff), noNewPrivs: t.noNewPrivs })),
  rawSocket: await outcome(() => openRawSender()),
  rootOnlyWrite: await outcome(() => openFile(`${rootOnlyDir}/x`, { create: true, write: true })),
  ownFlow: rx.fd >= 0 && guard.method === "nftables-netlink",
  detachFilter: detach,
  unboundPort: await outcome(() => opener.receiver(flow, { fd: unbound, port: 1, close() {} })),
  udpPort: await outcome(() => opener.guard(flow, { fd: udp, port: 1, close() {} }, null)),
  namedLocalPort: await ask(
    JSON.stringify({ v: 1, op: "receiver", remoteAddr: flow.remoteAddr, remotePort: 80, localPort: 22 }),
    [port.fd],
  ),
  garbage: await ask("\u0000garbage"),
  shell: await ask(JSON.stringify({ v: 1, op: "exec", argv: ["/bin/sh"] })),
  stillServing: await outcome(async () => (await opener.sender()).close()),
};
closeDescriptor(unbound);
closeDescriptor(udp);
rx.close();
await guard.close();
port.close();
opener.close();
console.log(JSON.stringify(result));
