import assert from "node:assert/strict";
import { decodeReply, decodeRequest, encodeReply, encodeRequest } from "../../src/privilege/mod.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("decodeRequest() reads back every request encodeRequest() writes", () => {
  const requests = [
    { op: "sender", family: 4 },
    { op: "sender", family: 6 },
    { op: "receiver", remoteAddr: 0xc6120202, remotePort: 80 },
    { op: "receiver", remoteAddr: "2001:2:0:2::2", remotePort: 80 },
    { op: "guard", remoteAddr: 0xc6120202, remotePort: 443 },
    { op: "unguard", handle: 7 },
  ] as const;
  const fds = { sender: 0, receiver: 1, guard: 1, unguard: 0 };
  for (const r of requests) assert.deepEqual(decodeRequest(encodeRequest(r), fds[r.op]), r);
});

Deno.test("decodeRequest() refuses anything outside the vocabulary, in one sentence each", () => {
  const cases: [string, number, RegExp][] = [
    ["not json", 0, /not JSON/],
    ["[1]", 0, /not an object/],
    ['{"v":2,"op":"sender","family":4}', 0, /version 1/],
    ['{"v":1,"op":"shell","cmd":"id"}', 0, /no operation "shell"/],
    ['{"v":1,"op":"sender","family":4,"mark":1}', 0, /unknown fields \(mark\)/],
    ['{"v":1,"op":"sender"}', 0, /family is not 4 or 6/],
    ['{"v":1,"op":"sender","family":5}', 0, /family is not 4 or 6/],
    ['{"v":1,"op":"guard","remoteAddr":"2001:2:0:2:0:0:0:2","remotePort":80}', 1, /not an IPv6 address in canonical/],
    ['{"v":1,"op":"guard","remoteAddr":"fe80::1%eth0","remotePort":80}', 1, /not an IPv6 address in canonical/],
    ['{"v":1,"op":"guard","remoteAddr":"2001:2::1; drop","remotePort":80}', 1, /not an IPv6 address/],
    ['{"v":1,"op":"receiver","remoteAddr":1,"remotePort":80,"localPort":22}', 1, /unknown fields \(localPort\)/],
    ['{"v":1,"op":"receiver","remoteAddr":1}', 1, /remotePort is not an integer/],
    ['{"v":1,"op":"receiver","remoteAddr":1,"remotePort":70000}', 1, /remotePort is not an integer from 1 to 65535/],
    ['{"v":1,"op":"guard","remoteAddr":-1,"remotePort":80}', 1, /remoteAddr/],
    ['{"v":1,"op":"guard","remoteAddr":1.5,"remotePort":80}', 1, /remoteAddr/],
    ['{"v":1,"op":"receiver","remoteAddr":1,"remotePort":80}', 0, /0 descriptors instead of 1/],
    ['{"v":1,"op":"sender","family":6}', 2, /2 descriptors instead of 0/],
    ['{"v":1,"op":"unguard","handle":"1"}', 0, /handle/],
  ];
  for (const [text, fds, why] of cases) {
    const verdict = decodeRequest(bytes(text), fds);
    assert.equal(typeof verdict, "string", text);
    assert.match(verdict as string, why, text);
  }
});

Deno.test("decodeReply() turns a reply that is not one into a refusal", () => {
  assert.deepEqual(decodeReply(encodeReply({ ok: true, rcvbuf: 5 })), { ok: true, rcvbuf: 5 });
  assert.deepEqual(decodeReply(encodeReply({ ok: false, error: "no" })), { ok: false, error: "no" });
  assert.equal(decodeReply(bytes("{}")).ok, false);
  assert.equal(decodeReply(bytes("\xff")).ok, false);
});
