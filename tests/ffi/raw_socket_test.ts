import { equal } from "node:assert/strict";
import { networkTest } from "../_support/root.ts";
import { runInNamespace, withNamespace } from "./_helpers.ts";

networkTest(
  "a raw IPPROTO_RAW sender's frame reaches a raw IPPROTO_TCP receiver byte for byte, singly and batched",
  async () => {
    const out = await withNamespace((ns) => runInNamespace(ns, "_raw_child.ts", ["loop"]));
    equal(out.trim(), "loop: ok");
  },
);

networkTest("a TCP flow filter passes only the flow's frames and attachFilter drains what came before", async () => {
  const out = await withNamespace((ns) => runInNamespace(ns, "_raw_child.ts", ["filter"]));
  equal(out.trim(), "filter: ok");
});

networkTest("an AF_PACKET receiver on lo gets the flow's frames once, without its own outgoing copies", async () => {
  const out = await withNamespace((ns) => runInNamespace(ns, "_raw_child.ts", ["packet"]));
  equal(out.trim(), "packet: ok");
});
