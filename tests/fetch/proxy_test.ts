/**
 * Proxy selection as pure functions (the environment wget reads, `no_proxy` matching, the proxy URL's forms and
 * credentials) and the CONNECT tunnel as a stream handler on a simulated link.
 *
 * @module
 */

import assert from "node:assert/strict";
import { bypassesProxy, ConnectTunnel, proxyEnvironment, ProxyError, proxyFor } from "../../src/fetch/mod.ts";
import { parseUrl } from "../../src/http/mod.ts";
import { TcpConnection } from "../../src/tcp/mod.ts";
import { type ByteStream, Driver, type StreamHandler, type StreamOutcome } from "../../src/transport/mod.ts";
import { SIM_FLOW, SimFrameLink } from "../sim/frame_link.ts";

const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("proxyEnvironment() reads lower-case names first, upper-case too, but no HTTP_PROXY in a CGI program", () => {
  assert.deepEqual(proxyEnvironment(envOf({ http_proxy: "a:1", HTTP_PROXY: "b:2", HTTPS_PROXY: "c:3" })), {
    http: "a:1",
    https: "c:3",
    noProxy: undefined,
  });
  assert.equal(proxyEnvironment(envOf({ HTTP_PROXY: "b:2" })).http, "b:2");
  assert.equal(proxyEnvironment(envOf({ HTTP_PROXY: "b:2", REQUEST_METHOD: "GET" })).http, undefined);
  assert.deepEqual(proxyEnvironment(envOf({ no_proxy: " .Example.test, 198.18.2.2 ,," })).noProxy, [
    ".example.test",
    "198.18.2.2",
  ]);
  assert.equal(proxyEnvironment(envOf({ http_proxy: "  " })).http, undefined);
});

Deno.test("bypassesProxy() matches a host, its subdomains on a dot boundary, and * for every host", () => {
  assert.ok(bypassesProxy("example.test", ["example.test"]));
  assert.ok(bypassesProxy("www.example.test", [".example.test"]));
  assert.ok(bypassesProxy("www.example.test", ["example.test"]));
  assert.ok(!bypassesProxy("badexample.test", ["example.test"]));
  assert.ok(bypassesProxy("198.18.2.2", ["198.18.2.2"]));
  assert.ok(!bypassesProxy("198.18.2.20", ["198.18.2.2"]));
  assert.ok(bypassesProxy("anything", ["*"]));
  assert.ok(!bypassesProxy("anything", []));
});

Deno.test("proxyFor() picks the scheme's proxy, takes host:port without a scheme, and builds Basic credentials", () => {
  const settings = { http: "198.18.2.2:3128", https: "http://u%40x:p%3Aw@198.18.2.3/", noProxy: ["local.test"] };
  const http = proxyFor(parseUrl("http://a.test/f"), settings)!;
  assert.deepEqual(http, {
    host: "198.18.2.2",
    port: 3128,
    authorization: undefined,
    label: "198.18.2.2:3128",
    source: "http_proxy",
  });
  const https = proxyFor(parseUrl("https://a.test/f"), settings)!;
  assert.equal(https.port, 80); // a proxy URL without a port: the http scheme's default, as wget
  assert.equal(https.authorization, `Basic ${btoa("u@x:p:w")}`);
  assert.equal(proxyFor(parseUrl("http://www.local.test/"), settings), null);
  assert.equal(proxyFor(parseUrl("http://a.test/"), undefined), null);
  const flags = proxyFor(parseUrl("http://a.test/"), { ...settings, user: "tester", password: "s3cret" })!;
  assert.equal(flags.authorization, `Basic ${btoa("tester:s3cret")}`);
});

Deno.test("proxyFor() refuses a proxy that is not http://, without showing its password", () => {
  assert.throws(
    () => proxyFor(parseUrl("http://a.test/"), { http: "https://user:hunter2@198.18.2.2:3128/" }),
    (e) =>
      e instanceof ProxyError && e.reason === "bad-proxy" &&
      e.message === 'The proxy "https://user:*@198.18.2.2:3128/" in http_proxy is not an http:// proxy',
  );
});

Deno.test("proxyFor() takes an IPv6 proxy: its address without brackets to connect to, in brackets in the label", () => {
  const route = proxyFor(parseUrl("http://a.test/f"), { http: "http://u:p@[2001:0002::9]:3128/" })!;
  assert.deepEqual(route, {
    host: "2001:2::9",
    port: 3128,
    authorization: `Basic ${btoa("u:p")}`,
    label: "[2001:2::9]:3128",
    source: "http_proxy",
  });
  // wget 1.21.3: `http_proxy=http://[2001:2::9]:3128/ wget URL` prints "Connecting to [2001:2::9]:3128...".
  const bare = proxyFor(parseUrl("https://[2001:2::1]/"), { https: "[2001:2::9]" })!;
  assert.deepEqual([bare.host, bare.label], ["2001:2::9", "[2001:2::9]:80"]);
});

Deno.test("bypassesProxy() matches an IPv6 literal by its address only (wget: the literal's exact text)", () => {
  // wget 1.21.3 with http_proxy set: no_proxy=2001:2::1 reaches http://[2001:2::1]/ directly; "::1" does not (no
  // suffix match without dots). wget also goes through the proxy for "[2001:2::1]" and "2001:0002::1": the same
  // address written otherwise, which rawhttpget takes as the address it names.
  assert.ok(bypassesProxy("2001:2::1", ["2001:2::1"]));
  assert.ok(bypassesProxy("2001:2::1", ["[2001:2::1]"]));
  assert.ok(bypassesProxy("2001:2::1", ["2001:0002:0:0::1"]));
  assert.ok(bypassesProxy("2001:2::1", ["*"]));
  assert.ok(!bypassesProxy("2001:2::1", ["::1"]));
  assert.ok(!bypassesProxy("2001:2::1", ["2001:2::"]));
  assert.ok(!bypassesProxy("2001:2::1", ["2001:2::/48"]));
  assert.ok(!bypassesProxy("2001:2::10", ["2001:2::1"]));
  assert.ok(!bypassesProxy("2001:2::1", [".2001:2::1"]));
  // An IPv4-mapped literal is matched as an IPv6 address (the URL parser writes it in hex: ::ffff:c612:1).
  assert.ok(bypassesProxy(parseUrl("http://[::ffff:198.18.0.1]/").host, ["::ffff:198.18.0.1"]));
  assert.ok(!bypassesProxy(parseUrl("http://[::ffff:198.18.0.1]/").host, ["198.18.0.1"]));
  assert.equal(
    proxyFor(parseUrl("http://[2001:2::1]:8080/"), { http: "198.18.2.2:3128", noProxy: ["2001:2::1"] }),
    null,
  );
});

class Collector implements StreamHandler {
  readonly events: string[] = [];
  text = "";
  onOpen(stream: ByteStream): void {
    this.events.push("open");
    stream.write(new TextEncoder().encode("hello through the tunnel"));
  }
  onData(bytes: Uint8Array): void {
    this.text += new TextDecoder().decode(bytes);
  }
  onEnd(): void {
    this.events.push("end");
  }
  onClosed(outcome: StreamOutcome): void {
    this.events.push(`closed:${outcome}`);
  }
}

async function throughTunnel(answer: string) {
  const link = new SimFrameLink({ peer: { respond: () => new TextEncoder().encode(answer) } });
  const conn = new TcpConnection({ localPort: 40000, remotePort: 80, mss: 1460, isn: 3 });
  const driver = new Driver(link, conn, SIM_FLOW, { mss: 1460, clock: link.clock });
  const inner = new Collector();
  const route = { host: "198.18.2.2", port: 3128, label: "198.18.2.2:3128", source: "https_proxy" };
  const tunnel = new ConnectTunnel(inner, route, { host: "a.test", port: 443 }, "rawhttpget/test");
  const outcome = await driver.run(tunnel);
  return { link, inner, tunnel, outcome };
}

Deno.test("ConnectTunnel asks for the tunnel, then opens the inner handler with the bytes after the answer", async () => {
  const { link, inner, tunnel, outcome } = await throughTunnel("HTTP/1.1 200 Connection established\r\n\r\nSERVER");
  assert.equal(outcome, "normal");
  assert.equal(tunnel.failure, null);
  assert.deepEqual(inner.events, ["open", "end", "closed:normal"]);
  assert.equal(inner.text, "SERVER");
  const request = new TextDecoder().decode(new Uint8Array(link.peer.request));
  // The CONNECT request, then what the inner handler wrote once the tunnel was open.
  assert.equal(
    request,
    "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\nUser-Agent: rawhttpget/test\r\n\r\nhello through the tunnel",
  );
});

Deno.test("ConnectTunnel keeps a refusal as its failure, aborts, and never opens the inner handler", async () => {
  const { inner, tunnel, outcome } = await throughTunnel("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
  assert.equal(outcome, "stopped");
  assert.deepEqual(inner.events, ["closed:stopped"]);
  assert.equal(
    tunnel.failure?.message,
    "The proxy 198.18.2.2:3128 refused the tunnel to a.test:443: 407 Proxy Authentication Required",
  );
});
