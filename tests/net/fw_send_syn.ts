/**
 * Sends one TCP SYN through an AF_INET raw socket (the kernel writes the IP header): `fw_send_syn.ts SRC SPORT DST
 * DPORT`. Needs only `--allow-ffi`; used by the firewall tests to make a server answer with a SYN-ACK that the
 * sending host's kernel then resets.
 *
 * @module
 */

const libc = Deno.dlopen(
  "libc.so.6",
  {
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
    close: { parameters: ["i32"], result: "i32" },
  } as const,
);

const [srcText, sportText, dstText, dportText] = Deno.args;
const addr = (s: string) => s.split(".").reduce((a, b) => a * 256 + Number(b), 0);
const src = addr(srcText), dst = addr(dstText);

const seg = new Uint8Array(20);
const v = new DataView(seg.buffer);
v.setUint16(0, Number(sportText));
v.setUint16(2, Number(dportText));
v.setUint32(4, 0x01020304); // sequence number
v.setUint8(12, 5 << 4); // data offset: 5 words
v.setUint8(13, 0x02); // SYN
v.setUint16(14, 64240); // window

// Checksum over the pseudo-header (RFC 9293 §3.1) and the segment.
let sum = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + seg.length;
for (let i = 0; i < seg.length; i += 2) sum += v.getUint16(i);
while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
v.setUint16(16, ~sum & 0xffff);

const fd = libc.symbols.socket(2, 3, 6); // AF_INET, SOCK_RAW, IPPROTO_TCP
if (fd < 0) throw new Error("Cannot open a raw socket");
const sin = new Uint8Array(16);
const sv = new DataView(sin.buffer);
sv.setUint16(0, 2, true); // AF_INET, host order
sv.setUint32(4, dst); // network order
const sent = libc.symbols.sendto(fd, seg, BigInt(seg.length), 0, sin, sin.length);
libc.symbols.close(fd);
if (Number(sent) !== seg.length) throw new Error(`Cannot send the SYN: sendto returned ${sent}`);
