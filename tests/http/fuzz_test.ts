/**
 * Seeded fuzzing: mutated responses (and gzip streams) must produce valid events or an HttpError, never another
 * exception, never a hang, and the same outcome whether fed whole or in random pieces.
 *
 * Set RHG_FUZZ_SEED to replay a run; a failure names its seed and case.
 */

import assert from "node:assert/strict";
import zlib from "node:zlib";
import { createContentDecoder, HttpError, loadContentDecoders } from "../../src/http/mod.ts";

await loadContentDecoders(); // node:zlib, which the program loads with the first coded body
import { VALID } from "./_corpus.ts";
import { bytes, run, splitAt } from "./_helpers.ts";
import { mulberry32 as rng } from "../sim/prng.ts";

const SEED = Number(Deno.env.get("RHG_FUZZ_SEED") ?? 20261121);
const CASES = 100_000;
const TOKENS = [
  "\r\n",
  "\n",
  "\r",
  ":",
  " ",
  "\t",
  ";",
  "0",
  "ff",
  "\r\n\r\n",
  "Content-Length: 3\r\n",
  "Content-Length: 99999999\r\n",
  "Transfer-Encoding: chunked\r\n",
  "HTTP/1.1 100 Continue\r\n\r\n",
  "HTTP/1.0 200 OK\r\n",
  "0\r\n\r\n",
  "\0",
  "\xff",
].map(bytes);
const CORPUS = VALID.map((c) => bytes(c.wire));

function mutate(next: () => number, input: Uint8Array): Uint8Array {
  const pick = (n: number) => Math.floor(next() * n);
  let data = Array.from(input);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = pick(data.length + 1);
    switch (pick(7)) {
      case 0: // byte flip
        if (data.length > 0) data[Math.min(at, data.length - 1)] ^= 1 << pick(8);
        break;
      case 1: // random byte
        if (data.length > 0) data[Math.min(at, data.length - 1)] = pick(256);
        break;
      case 2: // insert a token
        data.splice(at, 0, ...TOKENS[pick(TOKENS.length)]);
        break;
      case 3: // delete a range
        data.splice(at, 1 + pick(8));
        break;
      case 4: // truncate
        data = data.slice(0, at);
        break;
      case 5: { // duplicate a line
        const text = String.fromCharCode(...data);
        const lines = text.split("\n");
        const i = pick(lines.length);
        lines.splice(i, 0, lines[i]);
        data = Array.from(bytes(lines.join("\n")));
        break;
      }
      case 6: // splice in another response
        data.splice(at, 0, ...CORPUS[pick(CORPUS.length)].subarray(pick(40)));
        break;
    }
  }
  return Uint8Array.from(data);
}

function outcome(fn: () => unknown): string {
  try {
    return JSON.stringify(fn());
  } catch (e) {
    if (e instanceof HttpError) return `HttpError ${e.reason}`;
    throw e;
  }
}

Deno.test(`ResponseParser survives ${CASES} mutated responses fed whole and in random pieces`, () => {
  const next = rng(SEED);
  const reasons = new Map<string, number>();
  for (let i = 0; i < CASES; i++) {
    const data = mutate(next, CORPUS[i % CORPUS.length]);
    const cuts = Array.from({ length: 1 + Math.floor(next() * 4) }, () => Math.floor(next() * (data.length + 1)));
    cuts.sort((a, b) => a - b);
    try {
      const whole = outcome(() => run([data]));
      const pieces = outcome(() => run(splitAt(data, cuts)));
      assert.equal(pieces, whole, "whole and split runs disagree");
      const key = whole.startsWith("HttpError") ? whole : "valid";
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    } catch (e) {
      const wire = JSON.stringify(String.fromCharCode(...data));
      throw new Error(`Fuzz failure: RHG_FUZZ_SEED=${SEED} case ${i} cuts ${cuts} input ${wire}: ${e}`);
    }
  }
  if (Deno.env.get("RHG_FUZZ_VERBOSE")) console.log([...reasons]);
  // The corpus must keep reaching both outcomes, or the fuzzer is testing nothing.
  assert.ok((reasons.get("valid") ?? 0) > CASES / 20, JSON.stringify([...reasons]));
  assert.ok(reasons.size > 8, JSON.stringify([...reasons]));
});

Deno.test("GzipDecoder survives 20000 mutated gzip streams with only HttpError", () => {
  const next = rng(SEED + 1);
  const text = new TextEncoder().encode("gzip fuzz corpus line\n".repeat(40));
  const members = [zlib.gzipSync(text), zlib.gzipSync(text.subarray(0, 100), { level: 1 })].map((b) =>
    new Uint8Array(b)
  );
  const corpus = [members[0], members[1], Uint8Array.from([...members[0], ...members[1]])];
  for (let i = 0; i < 20_000; i++) {
    const src = corpus[i % corpus.length].slice();
    const flips = 1 + Math.floor(next() * 3);
    for (let f = 0; f < flips; f++) src[Math.floor(next() * src.length)] ^= 1 << Math.floor(next() * 8);
    const data = next() < 0.2 ? src.subarray(0, Math.floor(next() * src.length)) : src;
    const cut = Math.floor(next() * (data.length + 1));
    try {
      const d = createContentDecoder("gzip", { maxOutputBytes: 1 << 20 });
      d.push(data.subarray(0, cut));
      d.push(data.subarray(cut));
      d.finish();
    } catch (e) {
      if (!(e instanceof HttpError)) throw new Error(`Fuzz failure: RHG_FUZZ_SEED=${SEED} gzip case ${i}: ${e}`);
    }
  }
});
