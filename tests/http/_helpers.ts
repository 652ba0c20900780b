/**
 * Feeding helpers for the response parser tests: run a response through a parser in given pieces and summarise.
 *
 * @module
 */

import { type HeadEvent, ResponseParser } from "../../src/http/mod.ts";

/** What a parser made of a response, in a form `assert.deepEqual` can compare. */
export interface Summary {
  /** The head event without its headers object. */
  head: Omit<HeadEvent, "headers" | "type"> | null;
  /** Header fields as [name, value] pairs. */
  fields: Array<[string, string]>;
  /** The body as a latin1 string. */
  body: string;
  /** Whether the end event came. */
  ended: boolean;
  /** Bytes dropped after the end. */
  trailing: number;
}

/** Encodes a string one byte per code unit (latin1). */
export function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Runs the pieces through a fresh parser, then EOF if asked; throws whatever the parser throws. */
export function run(pieces: Uint8Array[], eof = true): Summary {
  const p = new ResponseParser();
  const s: Summary = { head: null, fields: [], body: "", ended: false, trailing: 0 };
  const drain = () => {
    for (let e = p.nextEvent(); e !== null; e = p.nextEvent()) {
      if (e.type === "head") {
        const { type: _t, headers, ...head } = e;
        s.head = head;
        s.fields = [...headers].map((f) => [f.name, f.value]);
      } else if (e.type === "body") {
        if (e.bytes.length === 0) throw new Error("empty body event");
        s.body += String.fromCharCode(...e.bytes);
      } else {
        if (s.ended) throw new Error("second end event");
        s.ended = true;
      }
    }
  };
  for (const piece of pieces) {
    p.receiveData(piece);
    drain();
  }
  if (eof) {
    p.receiveEof();
    drain();
  }
  s.trailing = p.trailingBytes;
  return s;
}

/** Splits bytes at the given sorted positions. */
export function splitAt(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    out.push(data.slice(start, cut));
    start = cut;
  }
  out.push(data.slice(start));
  return out;
}

/** Every byte as its own piece. */
export function byteByByte(data: Uint8Array): Uint8Array[] {
  return Array.from(data, (b) => Uint8Array.of(b));
}

/** The HttpError reason a run throws, or "none". */
export function reasonOf(fn: () => unknown): string {
  try {
    fn();
    return "none";
  } catch (e) {
    if (e instanceof Error && "reason" in e) return String(e.reason);
    throw e;
  }
}
