import assert from "node:assert/strict";
import {
  emitTcpOptions,
  MAX_WINDOW_SCALE,
  parseTcp,
  parseTcpOptions,
  seq,
  type TcpOptions,
  tcpOptionsLength,
} from "../../src/wire/mod.ts";
import { assertWireError, fromHex, toHex } from "./_helpers.ts";

/** A 20-byte header followed by `options` (hex), the data offset covering exactly the options area given. */
function segmentWithOptions(optionsHex: string, payload = new Uint8Array(0)): Uint8Array {
  const options = fromHex(optionsHex);
  assert.equal(options.length % 4, 0, "test options must fill whole words");
  const segment = new Uint8Array(20 + options.length + payload.length);
  segment[12] = ((20 + options.length) / 4) << 4;
  segment.set(options, 20);
  segment.set(payload, 20 + options.length);
  return segment;
}

function parsesTo(optionsHex: string, expected: TcpOptions): void {
  assert.deepEqual(parseTcp(segmentWithOptions(optionsHex)).options, expected);
}

function rejects(optionsHex: string, message: string): void {
  assertWireError(() => parseTcp(segmentWithOptions(optionsHex)), "bad-option", message);
}

Deno.test("parseTcpOptions() reads a Linux SYN's MSS, SACK-permitted, timestamps and window scale", () => {
  parsesTo("020405b4 0402080a 00000064 00000000 01030307", {
    mss: 1460,
    sackPermitted: true,
    timestamp: { tsVal: 100, tsEcr: 0 },
    windowScale: 7,
  });
});

Deno.test("parseTcpOptions() reads up to four SACK blocks", () => {
  parsesTo("0101050a 00000001 00000002", { sackBlocks: [{ left: seq(1), right: seq(2) }] });
  parsesTo("01010522 00000001 00000002 00000003 00000004 00000005 00000006 fffffff0 00000010", {
    sackBlocks: [
      { left: seq(1), right: seq(2) },
      { left: seq(3), right: seq(4) },
      { left: seq(5), right: seq(6) },
      { left: seq(0xfffffff0), right: seq(0x10) },
    ],
  });
});

Deno.test("parseTcpOptions() clamps a window scale above 14 to 14 (RFC 7323 §2.3)", () => {
  parsesTo("01030315", { windowScale: MAX_WINDOW_SCALE });
  parsesTo("010303ff", { windowScale: 14 });
  parsesTo("0103030e", { windowScale: 14 });
  parsesTo("01030300", { windowScale: 0 });
});

Deno.test("parseTcpOptions() skips unknown options by their length", () => {
  parsesTo("1e06aabb ccdd0204 05b40101", { mss: 1460 }); // MPTCP-like kind 30, then MSS
  parsesTo("fe020101", {});
});

Deno.test("parseTcpOptions() stops at EOL and does not read the padding after it", () => {
  parsesTo("01010000 ff00ff00", {});
  parsesTo("020405b4 00ffffff", { mss: 1460 });
});

Deno.test("parseTcpOptions() lets a later option of the same kind win", () => {
  parsesTo("02040100 02040200", { mss: 512 });
});

Deno.test("parseTcpOptions() returns an empty object when there are no options", () => {
  parsesTo("", {});
  parsesTo("01010101", {});
  assert.deepEqual(parseTcpOptions(new Uint8Array(0), 0, 0), {});
});

Deno.test("parseTcp() rejects an option length of 0 or 1", () => {
  rejects("02000000", "Cannot parse TCP options: kind 2 has length 0, below 2");
  rejects("1e010000", "Cannot parse TCP options: kind 30 has length 1, below 2");
});

Deno.test("parseTcp() rejects an option that runs past the header", () => {
  rejects("0101080a 00000001", "Cannot parse TCP options: kind 8 has length 10, past the end of the header");
  rejects("1e090000 00000000", "Cannot parse TCP options: kind 30 has length 9, past the end of the header");
});

Deno.test("parseTcp() rejects an option kind in the last byte with no length byte", () => {
  rejects("01010102", "Cannot parse TCP options: kind 2 at offset 3 has no length byte");
});

Deno.test("parseTcp() rejects a known option with the wrong fixed length", () => {
  rejects("02030101", "Cannot parse TCP options: kind 2 has length 3, expected 4");
  rejects("03040700", "Cannot parse TCP options: kind 3 has length 4, expected 3");
  rejects("04030000", "Cannot parse TCP options: kind 4 has length 3, expected 2");
  rejects("080c0000 00000000 00000000", "Cannot parse TCP options: kind 8 has length 12, expected 10");
});

Deno.test("parseTcp() rejects a SACK option that is not 2 + 8n bytes for n in 1..4", () => {
  rejects("01010502", "Cannot parse TCP options: SACK has length 2, not 2 + 8n for n in 1..4");
  rejects(
    "0101050b 00000000 00000000 00000000",
    "Cannot parse TCP options: SACK has length 11, not 2 + 8n for n in 1..4",
  );
  // 2 + 8 * 5 = 42 cannot fit a real header (40 option bytes at most), so the options parser is called directly.
  const area = fromHex("0101052a" + "00000000".repeat(10));
  assert.throws(() => parseTcpOptions(area, 0, area.length), {
    name: "WireError",
    message: "Cannot parse TCP options: SACK has length 42, not 2 + 8n for n in 1..4",
  });
});

Deno.test("parseTcp() rejects an MSS of 0 as a bad option", () => {
  rejects("02040000", "Cannot parse TCP options: MSS 0 leaves no room for data");
});

Deno.test("emitTcpOptions() lays out a SYN as Linux does: MSS, SACK-perm+TS, NOP+WS", () => {
  const buf = new Uint8Array(20);
  const options = { mss: 1460, sackPermitted: true, timestamp: { tsVal: 0x01020304, tsEcr: 0 }, windowScale: 7 };
  assert.equal(tcpOptionsLength(options), 20);
  assert.equal(emitTcpOptions(options, buf, 0), 20);
  assert.equal(toHex(buf), "020405b40402080a010203040000000001030307");
});

Deno.test("emitTcpOptions() pads SACK-permitted with two NOPs when there is no timestamp", () => {
  const buf = new Uint8Array(12);
  assert.equal(emitTcpOptions({ mss: 536, sackPermitted: true, windowScale: 0 }, buf, 0), 12);
  assert.equal(toHex(buf), "02040218" + "01010402" + "01030300");
});

Deno.test("emitTcpOptions() lays out a data segment as NOP NOP TS and SACK blocks as NOP NOP SACK", () => {
  const options = {
    timestamp: { tsVal: 5, tsEcr: 9 },
    sackBlocks: [{ left: seq(100), right: seq(200) }, { left: seq(0xffffff00), right: seq(4) }],
  };
  const buf = new Uint8Array(tcpOptionsLength(options));
  assert.equal(buf.length, 32);
  emitTcpOptions(options, buf, 0);
  assert.equal(
    toHex(buf),
    "0101080a" + "00000005" + "00000009" + "01010512" + "00000064" + "000000c8" + "ffffff00" + "00000004",
  );
});

Deno.test("emitTcpOptions() writes nothing for empty options", () => {
  assert.equal(emitTcpOptions({}, new Uint8Array(0), 0), 0);
  assert.equal(emitTcpOptions({ sackBlocks: [] }, new Uint8Array(0), 0), 0);
});

Deno.test("emitTcpOptions() throws RangeError when options exceed 40 bytes or a value its field", () => {
  const block = { left: seq(1), right: seq(2) };
  const buf = new Uint8Array(64);
  assert.throws(() => emitTcpOptions({ sackBlocks: [block, block, block, block, block] }, buf, 0), {
    name: "RangeError",
    message: "Cannot emit TCP options: 5 SACK blocks, at most 4 fit",
  });
  assert.throws(
    () => emitTcpOptions({ timestamp: { tsVal: 1, tsEcr: 1 }, sackBlocks: [block, block, block, block] }, buf, 0),
    { name: "RangeError", message: "Cannot emit TCP options: they need 48 bytes, at most 40 fit" },
  );
  assert.throws(() => emitTcpOptions({ windowScale: 15 }, buf, 0), {
    name: "RangeError",
    message: "Cannot emit: window scale 15 is not an integer in 0..14",
  });
  assert.throws(() => emitTcpOptions({ mss: 0 }, buf, 0), RangeError);
  assert.throws(() => emitTcpOptions({ mss: 65536 }, buf, 0), RangeError);
  assert.throws(() => emitTcpOptions({ timestamp: { tsVal: 2 ** 32, tsEcr: 0 } }, buf, 0), RangeError);
});

Deno.test("parseTcpOptions() throws RangeError for a range outside the buffer", () => {
  assert.throws(() => parseTcpOptions(new Uint8Array(20), 0, 21), {
    name: "RangeError",
    message: "Cannot parse TCP options 0..21 of a 20-byte buffer",
  });
  assert.throws(() => parseTcpOptions(new Uint8Array(20), 5, 4), RangeError);
});
