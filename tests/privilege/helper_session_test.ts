import assert from "node:assert/strict";
import { channelPair, libc, RawReceiver, RawSender, type ReservedPort, reservePort } from "../../ffi/mod.ts";
import { encodeRequest, HelperOpener, HelperSession, serveHelper } from "../../src/privilege/mod.ts";
import type { Flow, Guard, PrivilegedOpener } from "../../src/transport/mod.ts";
import { ipv4 } from "../../src/wire/mod.ts";

const LOOPBACK = ipv4(0x7f000001);
const SERVER = ipv4(0xc6120202);

/** A descriptor of no privilege (a pipe's read end) standing for a socket the fake opener "opens". */
function pipeFd(): number {
  const fds = new Int32Array(2);
  libc().pipe2(new Uint8Array(fds.buffer), 0x80000);
  libc().close(fds[1]);
  return fds[0];
}

/** An opener that opens nothing privileged: it records the flows asked for and hands out pipes. */
function fakeOpener(): PrivilegedOpener & { flows: Flow[]; removed: number } {
  const fake = {
    flows: [] as Flow[],
    removed: 0,
    sender: () => Promise.resolve(new RawSender(pipeFd(), 4096, 0x52484701)),
    receiver(flow: Flow) {
      fake.flows.push(flow);
      return Promise.resolve(new RawReceiver(pipeFd(), 8192));
    },
    guard(flow: Flow, _port: ReservedPort, ownMark: number | null): Promise<Guard> {
      fake.flows.push(flow);
      const remove = () => void fake.removed++;
      return Promise.resolve({
        method: "nft-command",
        description: `guard of ${flow.localPort}`,
        ownMark,
        close: () => Promise.resolve(remove()),
        closeSync: remove,
      });
    },
  };
  return fake;
}

function udpSocket(): number {
  return libc().socket(2, 2 | 0x80000, 0);
}

Deno.test("the helper reads a flow's local side from the reserved-port socket, never from the request", async () => {
  const opener = fakeOpener();
  const session = new HelperSession(opener);
  const port = reservePort(LOOPBACK);
  try {
    const bytes = encodeRequest({ op: "receiver", remoteAddr: SERVER, remotePort: 80 });
    const answer = await session.answer({ bytes, fds: [libc().dup(port.fd)] });
    assert.equal(answer.reply.ok, true);
    assert.deepEqual(opener.flows, [{ localAddr: LOOPBACK, localPort: port.port, remoteAddr: SERVER, remotePort: 80 }]);
    answer.release?.();
  } finally {
    port.close();
    session.close();
  }
});

Deno.test("the helper refuses a flow whose descriptor is not a bound TCP socket", async () => {
  const opener = fakeOpener();
  const session = new HelperSession(opener);
  const unbound = libc().socket(2, 1 | 0x80000, 0);
  for (
    const [fd, why] of [[pipeFd(), /not a reserved port/], [udpSocket(), /not an IPv4 or IPv6 stream socket/], [
      unbound,
      /not bound/,
    ]] as const
  ) {
    const bytes = encodeRequest({ op: "guard", remoteAddr: SERVER, remotePort: 80 });
    const answer = await session.answer({ bytes, fds: [fd] });
    assert.equal(answer.reply.ok, false);
    assert.match(String((answer.reply as { error: string }).error), why);
    // The descriptor that came with the request is closed by the helper, whatever the answer.
    assert.equal(libc().fcntl(fd, 1, 0), -1, "the descriptor is closed");
  }
  assert.deepEqual(opener.flows, []);
  session.close();
});

Deno.test("the helper refuses an unknown guard handle and removes its guards when the session ends", async () => {
  const opener = fakeOpener();
  const session = new HelperSession(opener);
  const port = reservePort(LOOPBACK);
  const guard = await session.answer({
    bytes: encodeRequest({ op: "guard", remoteAddr: SERVER, remotePort: 80 }),
    fds: [libc().dup(port.fd)],
  });
  assert.equal(guard.reply.ok, true);
  const handle = Number(guard.reply.ok && guard.reply.handle);
  const unknown = await session.answer({ bytes: encodeRequest({ op: "unguard", handle: handle + 1 }), fds: [] });
  assert.deepEqual(unknown.reply, { ok: false, error: `Refused: there is no guard ${handle + 1}.` });
  session.close();
  assert.equal(opener.removed, 1);
  port.close();
});

Deno.test("over a channel: descriptors arrive, garbage is refused and the helper goes on, the end removes rules", async () => {
  const opener = fakeOpener();
  const [ours, theirs] = channelPair();
  const served = serveHelper(theirs, opener);
  const client = new HelperOpener(ours);
  const port = reservePort(LOOPBACK);
  const flow = { localAddr: LOOPBACK, localPort: port.port, remoteAddr: SERVER, remotePort: 8080 };
  try {
    const tx = await client.sender();
    assert.equal(tx.mark, 0x52484701);
    assert.ok(tx.fd >= 0);
    tx.close();
    ours.send(new TextEncoder().encode('{"v":1,"op":"exec","argv":["/bin/sh"]}'));
    const refusal = await ours.receive(5000);
    assert.match(new TextDecoder().decode(refusal!.bytes), /no operation \\"exec\\"/);
    const rx = await client.receiver(flow, port);
    assert.equal(rx.rcvbuf, 8192);
    rx.close();
    const guard = await client.guard(flow, port, 0x52484701);
    assert.equal(guard.description, `guard of ${port.port}`);
  } finally {
    port.close();
    client.close();
    await served;
  }
  // The client went without removing its guard: the helper removed it when the channel ended.
  assert.equal(opener.removed, 1);
  theirs.close();
});
