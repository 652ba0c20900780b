/**
 * The file server's routes: static files (with Range and gzip) and the test paths listed in `file_server.ts`.
 *
 * @module
 */

import { authorize } from "./_auth_paths.ts";
import type { HttpRequest, HttpWriter } from "./http1.ts";

const CHUNK = 64 * 1024;

/** Requests seen per `/flaky/` path (the server process's lifetime). */
const flakyRequests = new Map<string, number>();

/** Answers one GET/HEAD request from `root` or from a test path. */
export async function serveTestPath(root: string, req: HttpRequest, w: HttpWriter): Promise<void> {
  const p = req.path;
  const sub = (prefix: string) => p.slice(prefix.length - 1); // keeps the leading "/"
  const num = (name: string, fallback: number) => {
    const v = Number(req.query.get(name) ?? fallback);
    return Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  if (p === "/echo-headers") {
    const method: [string, string] = ["X-Request-Method", req.method];
    // A server that answers HEAD with an error (`head-status`), as some do with 405 or 501.
    const headStatus = req.query.get("head-status");
    if (req.method === "HEAD" && headStatus !== null) return await w.simple(Number(headStatus), "", [method]);
    const content = String.fromCharCode(...req.body); // Latin-1: each byte one character
    const body = JSON.stringify(
      {
        method: req.method,
        target: req.target,
        version: req.version,
        headers: req.headers,
        raw: req.raw,
        body: content,
      },
      null,
      2,
    ) + "\n";
    return await w.simple(200, body, [["Content-Type", "application/json"], method]);
  }
  if (p === "/set-cookie" || p.startsWith("/set-cookie/")) {
    // One Set-Cookie field per `c` (its raw value), then a redirect to `to` (`status`, 302 by default), or a 200
    // whose body is the Cookie field the request carried.
    const fields = req.query.getAll("c").map((c): [string, string] => ["Set-Cookie", c]);
    const to = req.query.get("to");
    if (to === null) return await w.simple(200, cookieLine(req), fields);
    return await w.simple(num("status", 302), `Redirect to ${to}\n`, [...fields, ["Location", to]]);
  }
  if (p === "/cookies" || p.startsWith("/cookies/")) return await w.simple(200, cookieLine(req));
  if (p.startsWith("/basic-auth/") || p.startsWith("/digest-auth/") || p.startsWith("/auth-unknown/")) {
    const rest = await authorize(req, w);
    return rest === null ? undefined : await serveTestPath(root, { ...req, path: rest }, w);
  }
  if (p.startsWith("/status/")) {
    const code = Number(p.slice(8));
    if (!Number.isInteger(code) || code < 200 || code > 599) return await w.simple(400, `Bad status ${p.slice(8)}\n`);
    return await w.simple(code, `Status ${code}\n`);
  }
  if (p.startsWith("/redirect/")) {
    const n = Number(p.slice(10));
    if (!Number.isInteger(n) || n < 1) return await w.simple(400, `Bad redirect count ${p.slice(10)}\n`);
    const rest = req.query.toString();
    let location = n > 1
      ? `/redirect/${n - 1}${rest === "" ? "" : `?${rest}`}`
      : req.query.get("to") ?? "/echo-headers";
    if (req.query.get("absolute") === "1" && location.startsWith("/")) {
      location = `http://${req.header("host") ?? "198.18.2.2"}${location}`;
    }
    return await w.simple(302, `Redirect to ${location}\n`, [["Location", location]]);
  }
  if (p === "/redirect-to") {
    const url = req.query.get("url");
    const status = num("status", 302);
    if (url === null) return await w.simple(400, "Missing url parameter\n");
    return await w.simple(status, `Redirect to ${url}\n`, [["Location", url]]);
  }
  if (p === "/hang") return await hang(w);
  if (p === "/reset-mid-body" || p.startsWith("/reset-mid-body/")) {
    return await resetMidBody(root, p === "/reset-mid-body" ? null : sub("/reset-mid-body/"), num("bytes", -1), w);
  }
  if (p.startsWith("/disposition/")) return await disposition(root, p.slice("/disposition/".length), w);
  if (p.startsWith("/flaky/")) {
    // Odd requests for the path are cut short; the others get the whole file, whatever their Range says.
    const count = (flakyRequests.get(p) ?? 0) + 1;
    flakyRequests.set(p, count);
    if (count % 2 === 1) return await resetMidBody(root, sub("/flaky/"), num("bytes", -1), w);
  }
  const prefixed = [
    "/chunked/",
    "/slow/",
    "/gzip/",
    "/no-range/",
    "/wrong-range/",
    "/flaky/",
    "/undated/",
    "/bad-length/",
  ];
  const file = await openFile(
    root,
    prefixed.some((prefix) => p.startsWith(prefix)) ? sub(p.slice(0, p.indexOf("/", 1) + 1)) : p,
  );
  if (typeof file === "string") return await w.simple(file === "forbidden" ? 403 : 404, `Not found: ${p}\n`);
  const type: [string, string] = ["Content-Type", contentType(file.path)];
  if (p.startsWith("/no-range/") || p.startsWith("/flaky/") || p.startsWith("/wrong-range/")) {
    // A server that ignores Range (200, the whole file), or one that answers any Range with the file from byte 0.
    const wrong = p.startsWith("/wrong-range/") && req.header("range") !== undefined && file.size > 0;
    const headers: [string, string][] = wrong
      ? [type, ["Content-Range", `bytes 0-${file.size - 1}/${file.size}`]]
      : [type];
    await w.head(wrong ? 206 : 200, headers, file.size);
    if (req.method === "GET") await pump(file.path, 0, file.size, w, () => CHUNK);
    return;
  }
  if (p.startsWith("/bad-length/")) {
    // A wrong Content-Length: the whole file follows, and the end of the connection ends it.
    w.mustClose = true;
    await w.head(200, [type], num("declared", 0));
    if (req.method === "GET") await pump(file.path, 0, file.size, w, () => CHUNK);
    return;
  }
  if (p.startsWith("/chunked/")) {
    const size = num("size", 0);
    await w.head(200, [type], null);
    await pump(file.path, 0, file.size, w, size > 0 ? () => size : cycleSizes());
    return await w.end();
  }
  if (p.startsWith("/slow/")) {
    const chunk = Math.max(1, num("chunk", 1024));
    const delay = num("delay", 50);
    await w.head(200, [type], file.size);
    return await pump(file.path, 0, file.size, w, () => chunk, delay);
  }
  // Static files carry Last-Modified (RFC 9110 §8.8.2) and answer If-Modified-Since (§13.1.3) as nginx does with
  // "if_modified_since before"; /undated/ serves them with neither.
  const dated: [string, string][] = p.startsWith("/undated/") ? [] : [["Last-Modified", httpDate(file.mtime)]];
  if (dated.length > 0 && notModifiedSince(file.mtime, req.header("if-modified-since"))) {
    return await w.head(304, dated, file.size);
  }
  const acceptsGzip = /\bgzip\b/i.test(req.header("accept-encoding") ?? "");
  const range = req.header("range");
  if (acceptsGzip && range === undefined && (p.startsWith("/gzip/") || p.endsWith(".txt"))) {
    await w.head(200, [type, ...dated, ["Content-Encoding", "gzip"], ["Vary", "Accept-Encoding"]], null);
    const stream = (await Deno.open(file.path)).readable.pipeThrough(new CompressionStream("gzip"));
    for await (const piece of stream) await w.write(piece);
    return await w.end();
  }
  const r = range === undefined ? null : parseRange(range, file.size);
  if (r === "unsatisfiable") {
    return await w.simple(416, `Range ${range} is not satisfiable\n`, [["Content-Range", `bytes */${file.size}`]]);
  }
  const [start, end] = r ?? [0, file.size];
  const headers: [string, string][] = [type, ...dated, ["Accept-Ranges", "bytes"]];
  if (r !== null) headers.push(["Content-Range", `bytes ${start}-${end - 1}/${file.size}`]);
  await w.head(r === null ? 200 : 206, headers, end - start);
  if (req.method === "GET") await pump(file.path, start, end, w, () => CHUNK);
}

/** The Cookie fields of a request as one line (`Cookie: a=1; b=2`, `Cookie: (none)`), the body `/cookies` answers. */
function cookieLine(req: HttpRequest): string {
  const values = req.headers.filter(([name]) => name.toLowerCase() === "cookie").map(([, value]) => value);
  return `Cookie: ${values.length === 0 ? "(none)" : values.join(" | ")}\n`;
}

/**
 * `/disposition/<value>/<file>`: the file with `Content-Disposition: <value>`, the value given as base64url of its
 * UTF-8 bytes (so that it may hold "/", ";" and any character, and the URL's own file name stays `<file>`).
 */
async function disposition(root: string, rest: string, w: HttpWriter): Promise<void> {
  const slash = rest.indexOf("/");
  const encoded = rest.slice(0, slash).replaceAll("-", "+").replaceAll("_", "/");
  const value = new TextDecoder().decode(Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0)));
  const file = await openFile(root, rest.slice(slash));
  if (typeof file === "string") return await w.simple(404, `Not found: ${rest}\n`);
  await w.head(200, [["Content-Type", contentType(file.path)], ["Content-Disposition", value]], file.size);
  await pump(file.path, 0, file.size, w, () => CHUNK);
}

/** Parses a single-range `bytes=` header: `[start, endExclusive]`, `"unsatisfiable"`, or `null` (ignore it). */
export function parseRange(header: string, size: number): [number, number] | "unsatisfiable" | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? "unsatisfiable" : [Math.max(0, size - n), size];
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== "" && Number(m[2]) < start) return null;
  if (start >= size) return "unsatisfiable";
  return [start, last + 1];
}

/** A file served: its path, size and modification time (whole seconds since the epoch). */
interface ServedFile {
  readonly path: string;
  readonly size: number;
  readonly mtime: number;
}

/** An IMF-fixdate (RFC 9110 §5.6.7). */
function httpDate(seconds: number): string {
  return new Date(seconds * 1000).toUTCString();
}

/** Whether `since` (an If-Modified-Since value) is a date no earlier than `mtime`: 304 (RFC 9110 §13.1.3). */
function notModifiedSince(mtime: number, since: string | undefined): boolean {
  const ms = since === undefined ? NaN : Date.parse(since);
  return Number.isFinite(ms) && mtime <= ms / 1000;
}

async function openFile(root: string, path: string): Promise<ServedFile | "missing" | "forbidden"> {
  if (path.split("/").some((part) => part === "..")) return "forbidden";
  const full = `${root}${path}`;
  try {
    const st = await Deno.stat(full);
    const mtime = Math.floor((st.mtime?.getTime() ?? 0) / 1000);
    return st.isFile ? { path: full, size: st.size, mtime } : "missing";
  } catch {
    return "missing";
  }
}

function contentType(path: string): string {
  if (path.endsWith(".txt")) return "text/plain; charset=utf-8";
  if (path.endsWith(".html")) return "text/html; charset=utf-8";
  if (path.endsWith(".json")) return "application/json";
  return "application/octet-stream";
}

function cycleSizes(): () => number {
  const sizes = [1, 7, 100, 1460, 4096, 65536];
  let i = 0;
  return () => sizes[i++ % sizes.length];
}

/** Sends bytes [start, end) of a file in pieces of `size()` bytes, waiting `delayMs` between pieces. */
async function pump(
  path: string,
  start: number,
  end: number,
  w: HttpWriter,
  size: () => number,
  delayMs = 0,
): Promise<void> {
  const file = await Deno.open(path);
  try {
    await file.seek(start, Deno.SeekMode.Start);
    for (let pos = start; pos < end;) {
      const buf = new Uint8Array(Math.min(size(), end - pos));
      const n = await file.read(buf);
      if (n === null) throw new Error(`Cannot read ${path}: it ended at ${pos} of ${end} bytes`);
      await w.write(buf.subarray(0, n));
      pos += n;
      if (delayMs > 0 && pos < end) await new Promise((r) => setTimeout(r, delayMs));
    }
  } finally {
    file.close();
  }
}

function hang(w: HttpWriter): Promise<void> {
  w.mustClose = true;
  return new Promise(() => {}); // the connection ends when the peer closes it (or the server process ends)
}

async function resetMidBody(root: string, path: string | null, bytes: number, w: HttpWriter): Promise<void> {
  let body: Uint8Array;
  if (path === null) {
    body = new Uint8Array(100_000).map((_, i) => 97 + (i % 26));
  } else {
    const file = await openFile(root, path);
    if (typeof file === "string") return await w.simple(404, `Not found: ${path}\n`);
    body = await Deno.readFile(file.path);
  }
  const sent = bytes >= 0 ? Math.min(bytes, body.length) : Math.floor(body.length / 2);
  await w.head(200, [["Content-Type", "application/octet-stream"]], body.length);
  await w.write(body.subarray(0, sent));
  await w.flushed();
  await new Promise((r) => setTimeout(r, 200)); // let the sent part reach the client before the RST overtakes it
  w.reset();
}
