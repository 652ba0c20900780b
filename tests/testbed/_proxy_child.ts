/**
 * A small HTTP proxy for the proxy tests, run in the server namespace:
 * `deno run --allow-net --allow-write _proxy_child.ts --hostname ADDR --port N --log FILE [--auth USER:PASS]
 * [--deny-connect]`. It forwards absolute-form requests (`GET http://host:port/path`, rewritten to origin-form,
 * `Connection: close`) and opens CONNECT tunnels; with `--auth` it answers 407 to a request without that Basic
 * `Proxy-Authorization`; with `--deny-connect` it answers 403 to CONNECT. Every request head it receives is appended
 * to the log as one JSON line (`{ "line": "GET http://…", "headers": {…} }`), so tests can see what reached it.
 *
 * @module
 */

import * as net from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    hostname: { type: "string", default: "198.18.2.2" },
    port: { type: "string", default: "3128" },
    log: { type: "string" },
    auth: { type: "string" },
    "deny-connect": { type: "boolean", default: false },
  },
});
const expectedAuth = values.auth === undefined ? null : `Basic ${btoa(values.auth)}`;

/** Reads until the end of the request head; resolves to the head and what followed it. */
function readHead(socket: net.Socket): Promise<{ head: string; rest: Uint8Array } | null> {
  return new Promise((resolve) => {
    let buf = new Uint8Array(0);
    const onData = (chunk: Uint8Array) => {
      const joined = new Uint8Array(buf.length + chunk.length);
      joined.set(buf);
      joined.set(chunk, buf.length);
      buf = joined;
      const text = new TextDecoder("latin1").decode(buf);
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return;
      socket.off("data", onData);
      socket.pause();
      resolve({ head: text.slice(0, end), rest: buf.slice(end + 4) });
    };
    socket.on("data", onData);
    socket.once("end", () => resolve(null));
    socket.once("error", () => resolve(null));
  });
}

async function handle(client: net.Socket): Promise<void> {
  const got = await readHead(client);
  if (got === null) return void client.destroy();
  const [line, ...fieldLines] = got.head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const f of fieldLines) {
    const i = f.indexOf(":");
    if (i > 0) headers[f.slice(0, i).toLowerCase()] = f.slice(i + 1).trim();
  }
  if (values.log !== undefined) {
    await Deno.writeTextFile(values.log, JSON.stringify({ line, headers }) + "\n", { append: true });
  }
  const answer = (status: string, extra = ""): void =>
    void client.end(`HTTP/1.1 ${status}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`);
  if (expectedAuth !== null && headers["proxy-authorization"] !== expectedAuth) {
    return answer("407 Proxy Authentication Required", 'Proxy-Authenticate: Basic realm="test proxy"\r\n');
  }
  const [method, target] = line.split(" ");
  if (method === "CONNECT") {
    if (values["deny-connect"]) return answer("403 Forbidden");
    const [host, port] = target.split(":");
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection established\r\n\r\n");
      if (got.rest.length > 0) upstream.write(got.rest);
      upstream.pipe(client);
      client.pipe(upstream);
      client.resume();
    });
    upstream.on("error", () => answer("502 Bad Gateway"));
    return;
  }
  const url = URL.canParse(target) ? new URL(target) : null;
  if (url === null || url.protocol !== "http:") return answer("400 Bad Request");
  const forwarded = Object.entries(headers)
    .filter(([k]) => !["proxy-authorization", "proxy-connection", "connection"].includes(k))
    .map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const upstream = net.connect(Number(url.port || 80), url.hostname, () => {
    upstream.write(`${method} ${url.pathname}${url.search} HTTP/1.0\r\n${forwarded}Connection: close\r\n\r\n`);
    upstream.pipe(client);
  });
  upstream.on("error", () => answer("502 Bad Gateway"));
}

net.createServer((socket) => void handle(socket)).listen(Number(values.port), values.hostname);
