/**
 * A minimal HTTP/1.x server side over a `node:net` socket, for the testbed's file server: reads request heads one after
 * another (pipelining works) and writes responses whose framing is explicit — Content-Length, chunked (HTTP/1.1), or
 * close-delimited (HTTP/1.0, or when asked) — with back-pressure from the socket.
 *
 * @module
 */

import type net from "node:net";

/** A parsed request head. */
export interface HttpRequest {
  /** Method as sent (`GET`). */
  method: string;
  /** Request target as sent (`/a%20b?x=1`). */
  target: string;
  /** Decoded path of the target (`/a b`). */
  path: string;
  /** Query parameters of the target. */
  query: URLSearchParams;
  /** Protocol version of the request line. */
  version: "1.0" | "1.1";
  /** Header fields in the order received, names as sent. */
  headers: [string, string][];
  /** The request head as received (without the blank line), decoded as Latin-1. */
  raw: string;
  /** The request's content (Content-Length bytes after the head; empty when there is none). */
  body: Uint8Array;
  /** The first value of a header (case-insensitive name), or `undefined`. */
  header(name: string): string | undefined;
}

const MAX_HEAD = 64 * 1024;

/**
 * Yields each request head arriving on `socket`, `"malformed"` once for a head that cannot be parsed (then stops),
 * and returns when the peer closes. Request bodies (Content-Length) are read into `body`.
 */
export async function* readRequests(socket: net.Socket): AsyncGenerator<HttpRequest | "malformed"> {
  let buf: Uint8Array = new Uint8Array(0);
  const queue: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | null = null;
  socket.on("data", (d: Uint8Array) => {
    queue.push(d);
    wake?.();
  });
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  socket.on("end", onEnd);
  socket.on("close", onEnd);
  /** Appends what has arrived to `buf`; waits first when nothing has; `false` when the peer has closed. */
  const more = async (): Promise<boolean> => {
    if (queue.length === 0) {
      if (ended) return false;
      await new Promise<void>((r) => wake = r);
      wake = null;
    }
    if (queue.length === 0) return !ended;
    const parts = [buf, ...queue.splice(0)];
    const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let off = 0;
    for (const p of parts) joined.set(p, (off += p.length) - p.length);
    buf = joined;
    return true;
  };
  for (;;) {
    let end = headEnd(buf);
    while (end < 0) {
      if (buf.length > MAX_HEAD) {
        yield "malformed";
        return;
      }
      if (!(await more())) return;
      end = headEnd(buf);
    }
    const raw = latin1(buf.subarray(0, end));
    buf = buf.subarray(end + 4);
    const req = parseHead(raw);
    if (req === null) {
      yield "malformed";
      return;
    }
    const bodyLeft = Number(req.header("content-length") ?? 0);
    if (!Number.isSafeInteger(bodyLeft) || bodyLeft < 0 || req.header("transfer-encoding") !== undefined) {
      yield "malformed";
      return;
    }
    const body = new Uint8Array(bodyLeft);
    for (let at = 0; at < body.length;) {
      if (buf.length === 0 && !(await more())) return;
      const n = Math.min(body.length - at, buf.length);
      body.set(buf.subarray(0, n), at);
      buf = buf.subarray(n);
      at += n;
    }
    yield { ...req, body };
  }
}

function headEnd(buf: Uint8Array): number {
  for (let i = 0; i + 3 < buf.length; i++) {
    if (buf[i] === 13 && buf[i + 1] === 10 && buf[i + 2] === 13 && buf[i + 3] === 10) return i;
  }
  return -1;
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

function parseHead(raw: string): HttpRequest | null {
  const lines = raw.split("\r\n");
  const m = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
  if (m === null) return null;
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) return null;
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  let url: URL;
  let path: string;
  try {
    url = new URL(m[2], "http://testbed.invalid");
    path = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  return {
    method: m[1],
    target: m[2],
    path,
    query: url.searchParams,
    version: m[3] === "0" ? "1.0" : "1.1",
    headers,
    raw,
    body: new Uint8Array(0),
    header: (name) => headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1],
  };
}

const REASONS: Record<number, string> = {
  200: "OK",
  204: "No Content",
  206: "Partial Content",
  301: "Moved Permanently",
  302: "Found",
  303: "See Other",
  304: "Not Modified",
  307: "Temporary Redirect",
  308: "Permanent Redirect",
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  416: "Range Not Satisfiable",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const encoder = new TextEncoder();

/** Writes one response on a socket, choosing its framing; `mustClose` tells the caller to close the connection. */
export class HttpWriter {
  /** The connection must be closed after this response (HTTP/1.0, `Connection: close`, close-delimited body). */
  mustClose: boolean;
  #socket: net.Socket;
  #chunked = false;
  #noBody: boolean;
  #version: "1.0" | "1.1";

  /** A writer for the response to `req` (`"malformed"`: answer as HTTP/1.1 and close). */
  constructor(socket: net.Socket, req: HttpRequest | "malformed") {
    this.#socket = socket;
    this.#version = req === "malformed" ? "1.1" : req.version;
    this.#noBody = req !== "malformed" && req.method === "HEAD";
    this.mustClose = req === "malformed" || req.version === "1.0" ||
      /\bclose\b/i.test(req.header("connection") ?? "");
  }

  /**
   * Sends the status line and headers. `length` is the body length, or `null` for a body of unknown length (chunked
   * for HTTP/1.1 unless `close` is set, else close-delimited).
   */
  async head(status: number, headers: [string, string][], length: number | null, close = false): Promise<void> {
    if (status === 204 || status === 304) this.#noBody = true;
    const out: [string, string][] = [["Server", "rhg-testbed"], ...headers];
    if (close) this.mustClose = true;
    if (length !== null) {
      out.push(["Content-Length", String(length)]);
    } else if (this.#version === "1.1" && !this.mustClose) {
      this.#chunked = !this.#noBody;
      out.push(["Transfer-Encoding", "chunked"]);
    } else {
      this.mustClose = true;
    }
    if (this.mustClose && this.#version === "1.1") out.push(["Connection", "close"]);
    const text = `HTTP/1.1 ${status} ${REASONS[status] ?? "Status"}\r\n` +
      out.map(([k, v]) => `${k}: ${v}\r\n`).join("") + "\r\n";
    await this.#send(encoder.encode(text));
  }

  /** Sends body bytes (framed as a chunk when chunked; dropped for HEAD, 204 and 304). */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.#noBody || bytes.length === 0) return;
    if (!this.#chunked) return await this.#send(bytes);
    this.#socket.cork();
    this.#socket.write(encoder.encode(`${bytes.length.toString(16)}\r\n`));
    this.#socket.write(bytes);
    const ok = this.#socket.write(encoder.encode("\r\n"));
    this.#socket.uncork();
    if (!ok) await this.#drained();
  }

  /** Ends the body (the last chunk when chunked). */
  async end(): Promise<void> {
    if (this.#chunked) await this.#send(encoder.encode("0\r\n\r\n"));
  }

  /** Sends a whole response with a text body. */
  async simple(status: number, body: string, headers: [string, string][] = []): Promise<void> {
    const bytes = encoder.encode(body);
    await this.head(status, [["Content-Type", "text/plain; charset=utf-8"], ...headers], bytes.length);
    await this.write(bytes);
  }

  /** Aborts the connection with an RST (SO_LINGER 0 close): unsent data is discarded. */
  reset(): void {
    this.#socket.resetAndDestroy();
  }

  /** Resolves when everything written so far has left the process (the socket's buffer is empty). */
  async flushed(): Promise<void> {
    if (this.#socket.writableLength > 0) await this.#drained();
  }

  async #send(bytes: Uint8Array): Promise<void> {
    if (this.#socket.destroyed) throw new Error("Cannot write: the connection is closed");
    if (!this.#socket.write(bytes)) await this.#drained();
  }

  #drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.#socket.off("drain", done);
        this.#socket.off("close", done);
        if (this.#socket.destroyed) reject(new Error("Cannot write: the connection closed"));
        else resolve();
      };
      this.#socket.on("drain", done);
      this.#socket.on("close", done);
    });
  }
}
