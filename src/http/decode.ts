/**
 * Content decoding (RFC 9110 §8.4) for a synchronous push loop: `push(bytes)` returns the decoded bytes so far,
 * `finish()` checks the coding ended properly. Decoding streams: memory stays bounded whatever the body size.
 *
 * rawhttpget sends `Accept-Encoding: gzip`, so `gzip` (alias `x-gzip`) and `identity` are the codings it accepts;
 * anything else (`br`, `deflate`, `compress`, stacked codings) is refused with "unsupported-encoding" rather than
 * saved undecoded, since the file would silently be something other than the resource.
 *
 * The gzip engine is the native handle behind a `node:zlib` Gunzip stream, driven through its synchronous `writeSync`
 * (an internal of Deno 2.9.6's `node:zlib`, as of Node's). The public `node:zlib` API offers no synchronous *incremental* inflate:
 * `gunzipSync` needs the whole body and `createGunzip()` streams deliver output asynchronously. The handle gives
 * native speed, RFC 1952 header parsing, CRC-32 and ISIZE checks, and multi-member streams (a member is followed by
 * the next one when it starts with the gzip magic; zero padding after the last member is ignored and counted in
 * `trailingBytes`, any other trailing byte is a corrupt member, "bad-encoding"). Its presence is checked at construction, and
 * tests/http/decode_test.ts pins its behaviour, so a Deno upgrade that changes it fails loudly.
 *
 * Decompression-bomb limits: once `ratioGraceBytes` (default 1 MiB) have been produced, output may not exceed
 * `maxRatio` (default 1000) times the compressed input consumed; gzip cannot exceed ~1032:1, so only near-pure
 * repetition trips it. `maxOutputBytes` (default unlimited) caps the total. Tripping either throws
 * `HttpError("decompression-limit")` before the excess is produced (output is checked per 64 KiB block), so one
 * `push` returns at most max(1 MiB, 1000 × its input) + 64 KiB.
 *
 * @module
 */

import { HttpError, quote } from "./errors.ts";

/**
 * `node:zlib`, loaded by {@linkcode loadContentDecoders} when the first coded body comes: it costs the start-up about
 * 15 ms, and most downloads (archives, images, binaries) are sent without a coding.
 */
let zlib: typeof import("node:zlib") | null = null;

/**
 * Loads what decoding needs (`node:zlib`); resolves at once when it is loaded already.
 *
 * @example
 * ```ts
 * if (!contentDecoderReady(coding)) await loadContentDecoders();
 * const decoder = createContentDecoder(coding);
 * ```
 */
export async function loadContentDecoders(): Promise<void> {
  zlib ??= await import("node:zlib");
}

/**
 * Whether {@linkcode createContentDecoder} can answer for `contentEncoding` now: true when it names no coding but
 * `identity`, or once {@linkcode loadContentDecoders} resolved (a coding it refuses is refused then).
 *
 * @example `contentDecoderReady(null) === true`
 */
export function contentDecoderReady(contentEncoding: string | null): boolean {
  return zlib !== null || codingsOf(contentEncoding).length === 0;
}

/** The codings a Content-Encoding value names, lowercase, in the order applied, without `identity` (RFC 9110 §8.4.1). */
function codingsOf(contentEncoding: string | null): string[] {
  return (contentEncoding ?? "").split(",").map((c) => c.trim().toLowerCase()).filter((c) =>
    c !== "" && c !== "identity"
  );
}

/** Output of a decoder never exceeds this many times its compressed input, past the grace bytes. */
export const DEFAULT_MAX_RATIO = 1000;
/** Decoded bytes allowed before the ratio limit applies. */
export const DEFAULT_RATIO_GRACE_BYTES = 1024 * 1024;

/** Limits for a content decoder. */
export interface DecoderOptions {
  /** Largest decoded/compressed ratio once `ratioGraceBytes` are out (default 1000; Infinity disables). */
  maxRatio?: number;
  /** Decoded bytes before the ratio applies (default 1 MiB). */
  ratioGraceBytes?: number;
  /** Most decoded bytes in total (default unlimited). */
  maxOutputBytes?: number;
}

/** Decodes one body's content coding incrementally. */
export interface ContentDecoder {
  /** The coding being removed: "identity" or "gzip". */
  readonly coding: "identity" | "gzip";
  /** Feeds body bytes; returns decoded pieces (copies for gzip, the input itself for identity). */
  push(bytes: Uint8Array): Uint8Array[];
  /** Declares the body complete; returns the last pieces or throws when the coding is truncated. */
  finish(): Uint8Array[];
  /** Compressed bytes after the end of the last gzip member that were ignored (0 for identity). */
  readonly trailingBytes: number;
  /** Releases the native handle of an abandoned decoder (idempotent; `finish` and errors release it too). */
  close(): void;
}

/**
 * Creates the decoder for a Content-Encoding field value (null or "" when absent).
 *
 * @example
 * ```ts
 * const d = createContentDecoder("gzip");
 * const pieces = [...d.push(body), ...d.finish()];
 * ```
 */
export function createContentDecoder(contentEncoding: string | null, options: DecoderOptions = {}): ContentDecoder {
  const real = codingsOf(contentEncoding);
  if (real.length === 0) return new IdentityDecoder();
  if (real.length === 1 && (real[0] === "gzip" || real[0] === "x-gzip")) return new GzipDecoder(options);
  throw new HttpError("unsupported-encoding", `Cannot decode Content-Encoding ${quote(contentEncoding ?? "")}`);
}

class IdentityDecoder implements ContentDecoder {
  readonly coding = "identity";
  readonly trailingBytes = 0;
  push(bytes: Uint8Array): Uint8Array[] {
    return bytes.length > 0 ? [bytes] : [];
  }
  finish(): Uint8Array[] {
    return [];
  }
  close(): void {}
}

/** The slice of the native zlib handle that Deno's `node:zlib` exposes (internal, checked at construction). */
interface ZlibHandle {
  onerror: (message: string, errno: number) => void;
  writeSync(
    flush: number,
    input: Uint8Array,
    inOffset: number,
    inLength: number,
    output: Uint8Array,
    outOffset: number,
    outLength: number,
  ): void;
  close(): void;
}

const OUT_BLOCK = 64 * 1024;
const EMPTY = new Uint8Array(0);

/**
 * A streaming gzip decoder with bomb limits.
 *
 * @example
 * ```ts
 * const d = new GzipDecoder({ maxOutputBytes: 1 << 30 });
 * ```
 */
export class GzipDecoder implements ContentDecoder {
  /** Always "gzip". */
  readonly coding = "gzip";
  readonly #handle: ZlibHandle;
  readonly #state: Uint32Array; // [avail_out, avail_in] after each writeSync
  readonly #maxRatio: number;
  readonly #grace: number;
  readonly #maxOutput: number;
  #zlibError: string | null = null;
  #error: HttpError | null = null;
  #input = 0;
  #output = 0;
  #trailing = 0;
  #ended = false; // zlib stopped consuming input: the stream ended and the rest is trailing bytes
  #finished = false;
  #closed = false;
  readonly #scratch = new Uint8Array(OUT_BLOCK); // reused output window; callers get copies

  /** Creates a decoder; throws `Error` when this runtime's `node:zlib` lacks the synchronous handle. */
  constructor(options: DecoderOptions = {}) {
    if (zlib === null) throw new TypeError("Cannot decode gzip before loadContentDecoders() resolved");
    const stream = zlib.createGunzip() as unknown as { _handle?: ZlibHandle; _writeState?: Uint32Array };
    if (typeof stream._handle?.writeSync !== "function" || !(stream._writeState instanceof Uint32Array)) {
      throw new Error("This runtime's node:zlib has no synchronous gunzip handle; rawhttpget needs Deno 2.9");
    }
    this.#handle = stream._handle;
    this.#state = stream._writeState;
    this.#handle.onerror = (message) => {
      this.#zlibError = message;
    };
    this.#maxRatio = options.maxRatio ?? DEFAULT_MAX_RATIO;
    this.#grace = options.ratioGraceBytes ?? DEFAULT_RATIO_GRACE_BYTES;
    this.#maxOutput = options.maxOutputBytes ?? Infinity;
  }

  /** Compressed bytes after the end of the last member (zero padding, junk) that were ignored. */
  get trailingBytes(): number {
    return this.#trailing;
  }

  /** Decodes what `bytes` completes; the returned arrays are fresh copies. */
  push(bytes: Uint8Array): Uint8Array[] {
    if (this.#error) throw this.#error;
    if (this.#finished) throw new TypeError("Cannot push to a finished decoder");
    return this.#run(bytes, zlib!.constants.Z_NO_FLUSH);
  }

  /** Flushes and verifies the end of the last member (CRC-32 and ISIZE are checked as each member ends). */
  finish(): Uint8Array[] {
    if (this.#error) throw this.#error;
    if (this.#finished) return [];
    // An empty body (e.g. Content-Length: 0) with a gzip label decodes to nothing rather than failing.
    const out = this.#input === 0 ? [] : this.#run(EMPTY, zlib!.constants.Z_FINISH);
    this.close();
    return out;
  }

  /** Releases the native handle; later pushes throw `TypeError`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#finished = true;
    this.#handle.close();
  }

  #run(input: Uint8Array, flush: number): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    if (this.#ended) {
      this.#trailing += input.length;
      return pieces;
    }
    let offset = 0;
    let length = input.length;
    for (;;) {
      const out = this.#scratch;
      this.#handle.writeSync(flush, input, offset, length, out, 0, OUT_BLOCK);
      if (this.#zlibError !== null) {
        this.#fail(new HttpError("bad-encoding", `Cannot decode gzip body: ${this.#zlibError}`));
      }
      const produced = OUT_BLOCK - this.#state[0];
      const left = this.#state[1];
      this.#input += length - left;
      offset += length - left;
      length = left;
      if (produced > 0) {
        this.#output += produced;
        this.#checkLimits();
        pieces.push(out.slice(0, produced));
      }
      if (produced === OUT_BLOCK) continue; // output was the limit: more may be pending
      if (length > 0) {
        // zlib had room to write yet kept input: the stream ended and what remains follows the last member.
        this.#ended = true;
        this.#trailing += length;
      }
      return pieces;
    }
  }

  #checkLimits(): void {
    if (this.#output > this.#maxOutput) {
      this.#fail(new HttpError("decompression-limit", `Decoded body exceeds the limit of ${this.#maxOutput} bytes`));
    }
    if (this.#output > this.#grace && this.#output > this.#maxRatio * this.#input) {
      this.#fail(
        new HttpError(
          "decompression-limit",
          `Decoded body grew to ${this.#output} bytes from ${this.#input} compressed bytes (over ${this.#maxRatio}:1)`,
        ),
      );
    }
  }

  #fail(error: HttpError): never {
    this.#error = error;
    this.close();
    throw error;
  }
}
