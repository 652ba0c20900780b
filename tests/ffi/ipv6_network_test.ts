/**
 * The IPv6 sockets of ffi/ on a real link: two namespaces joined by a veth pair with addresses of 2001:2::/48 only
 * (and 198.18.0.1 on `lo`), no default route, both deleted afterwards.
 */
import { deepEqual, equal } from "node:assert/strict";
import { inNamespace, run } from "../_support/exec.ts";
import { linkNamespaces, namespaceName, setSysctls, withNamespaces } from "../_support/namespaces.ts";
import { pollUntil } from "../_support/poll.ts";
import { denoRun } from "../_support/program.ts";
import { networkTest } from "../_support/root.ts";
import { HERE, runInNamespace } from "./_helpers.ts";

let counter = 0;

/** Runs `fn` with namespaces a (2001:2::1, route MTU 1400 to 2001:2::/64) and b (2001:2::2), deleted afterwards. */
async function withIpv6Pair<T>(fn: (a: string, b: string) => Promise<T>): Promise<T> {
  const n = counter++;
  const names = [namespaceName("ffi6", `a${n}`), namespaceName("ffi6", `b${n}`)];
  return await withNamespaces(names, async ([a, b]) => {
    // Without duplicate address detection the addresses are usable at once rather than "tentative" for a second.
    for (const ns of [a, b]) {
      await setSysctls(ns, { "net/ipv6/conf/all/accept_dad": 0, "net/ipv6/conf/default/accept_dad": 0 });
    }
    await linkNamespaces({ ns: a, dev: "v6a", addr: "2001:2::1/64" }, { ns: b, dev: "v6b", addr: "2001:2::2/64" });
    await run([
      "ip",
      "-n",
      a,
      "-6",
      "route",
      "replace",
      "2001:2::/64",
      "dev",
      "v6a",
      "metric",
      "256",
      "mtu",
      "lock",
      "1400",
    ]);
    const settled = await pollUntil(async () => {
      const out = await Promise.all([a, b].map((ns) => run(["ip", "-n", ns, "-6", "addr", "show", "tentative"])));
      return out.every((o) => o.trim() === "");
    }, 5000);
    equal(settled, true, "the IPv6 addresses stayed tentative");
    return await fn(a, b);
  }, { loopback: ["198.18.0.1/32"] });
}

networkTest(
  "routeTo() gives an IPv6 route's source and locked MTU, and says why a route or a source fails",
  async () => {
    const out = await withIpv6Pair((a) => runInNamespace(a, "_ipv6_child.ts", ["route"]));
    equal(out.trim(), "route: ok");
  },
);

networkTest("reservePort() holds an IPv6-only port that reservedAddress() reads back", async () => {
  const out = await withIpv6Pair((a) => runInNamespace(a, "_ipv6_child.ts", ["port"]));
  equal(out.trim(), "port: ok");
});

networkTest(
  "a raw IPv6 sender's SYN crosses a veth pair to a flow receiver, which gets it and not another port's",
  async () => {
    await withIpv6Pair(async (a, b) => {
      const [command, ...args] = inNamespace(b, denoRun(HERE + "_ipv6_child.ts", ["receive"]));
      const receiver = new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).spawn();
      const stderr = new Response(receiver.stderr).text();
      const lines = receiver.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      try {
        while (!text.includes("\n")) {
          const { value, done } = await lines.read();
          if (done) break;
          text += value;
        }
        equal(text, "ready\n", "the receiver did not start");
        const sent = (await runInNamespace(a, "_ipv6_child.ts", ["send"])).trim();
        for (let r = await lines.read(); !r.done; r = await lines.read()) text += r.value;
        equal((await receiver.status).code, 0, await stderr);
        deepEqual(text.trim().split("\n"), ["ready", sent]);
      } finally {
        try {
          receiver.kill("SIGKILL");
        } catch { /* it has exited */ }
        await lines.cancel();
        await receiver.status;
        await stderr;
      }
    });
  },
);
