/**
 * Tests of the netlink message codec that the nftables guard speaks: attribute padding, nests, the kernel's ACK and
 * error replies, and the error they become.
 */

import assert from "node:assert/strict";
import { NetlinkError, NetlinkWriter, NL, parseAcks } from "../../ffi/netlink.ts";
import { OsError } from "../../ffi/os_error.ts";

Deno.test("NetlinkWriter pads attributes to 4 bytes, flags nests and patches lengths", () => {
  const w = new NetlinkWriter();
  w.beginMessage(0x0a00, NL.NLM_F_REQUEST, 7);
  w.beginNest(4);
  w.attrString(1, "ab"); // 4 + 3 bytes, padded to 8
  w.endNest();
  w.endMessage();
  const b = w.finish();
  const v = new DataView(b.buffer);
  assert.equal(b.length, 16 + 4 + 8);
  assert.equal(v.getUint32(0, true), 28);
  assert.equal(v.getUint16(16, true), 12);
  assert.equal(v.getUint16(18, true), 4 | NL.NLA_F_NESTED);
  assert.equal(v.getUint16(20, true), 7);
  assert.deepEqual([...b.subarray(24, 28)], [0x61, 0x62, 0, 0]);
});

Deno.test("parseAcks() reads an ACK and an error reply with the kernel's extended-ack message", () => {
  const reply = (seq: number, errno: number, msg?: string) => {
    const w = new NetlinkWriter();
    w.beginMessage(NL.NLMSG_ERROR, NL.NLM_F_CAPPED | (msg ? NL.NLM_F_ACK_TLVS : 0), seq);
    const body = new Uint8Array(20);
    new DataView(body.buffer).setInt32(0, -errno, true);
    new DataView(body.buffer).setUint32(12, seq, true);
    w.raw(body);
    if (msg) w.attrString(NL.NLMSGERR_ATTR_MSG, msg);
    w.endMessage();
    return w.finish();
  };
  const bytes = new Uint8Array([...reply(3, 0), ...reply(4, 1, "table is owned")]);
  assert.deepEqual(parseAcks(bytes), [{ seq: 3, errno: 0, detail: undefined }, {
    seq: 4,
    errno: 1,
    detail: "table is owned",
  }]);
});

Deno.test("NetlinkError is an OsError named by errnoName(), with the kernel's text appended", () => {
  const e = new NetlinkError(17, { call: "NFT_MSG_NEWTABLE", args: "ip t" }, "table exists");
  assert.ok(e instanceof OsError);
  assert.deepEqual([e.name, e.errno, e.code, e.call, e.detail], [
    "NetlinkError",
    17,
    "EEXIST",
    "NFT_MSG_NEWTABLE",
    "table exists",
  ]);
  assert.equal(e.message, "EEXIST from NFT_MSG_NEWTABLE(ip t): File exists (table exists)");
});
