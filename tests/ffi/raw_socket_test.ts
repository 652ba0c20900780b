import { equal } from "node:assert/strict";
import { requireRoot, runInNamespace, withNamespace } from "./_helpers.ts";

Deno.test("a raw IPPROTO_RAW sender's frame reaches a raw IPPROTO_TCP receiver byte for byte, singly and batched", async () => {
  if (!requireRoot()) return;
  const out = await withNamespace((ns) => runInNamespace(ns, "_raw_child.ts", ["loop"]));
  equal(out.trim(), "loop: ok");
});

Deno.test("a TCP flow filter passes only the flow's frames and attachFilter drains what came before", async () => {
  if (!requireRoot()) return;
  const out = await withNamespace((ns) => runInNamespace(ns, "_raw_child.ts", ["filter"]));
  equal(out.trim(), "filter: ok");
});

Deno.test("an AF_PACKET receiver on lo gets the flow's frames once, without its own outgoing copies", async () => {
  if (!requireRoot()) return;
  const out = await withNamespace((ns) => runInNamespace(ns, "_raw_child.ts", ["packet"]));
  equal(out.trim(), "packet: ok");
});
