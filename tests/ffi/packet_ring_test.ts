import { equal } from "node:assert/strict";
import { networkTest } from "../_support/root.ts";
import { runInNamespace, withNamespace } from "./_helpers.ts";

async function child(...args: string[]): Promise<void> {
  const out = await withNamespace((ns) => runInNamespace(ns, "_ring_child.ts", args));
  equal(out.trim(), `${args[0]}: ok`);
}

for (const version of ["2", "3"]) {
  networkTest(`a V${version} packet ring that wraps many times hands out every frame once, in order`, async () => {
    await child("wrap", version);
  });

  networkTest(`a V${version} packet ring never passes on part of a frame longer than a ring frame`, async () => {
    await child("big", version);
  });

  networkTest(`a frame with a corrupted TCP checksum read from a V${version} ring is caught`, async () => {
    await child("checksum", version);
  });
}

networkTest("a V3 block that is not full is handed over after the retire timeout, marked so", async () => {
  await child("timeout");
});

networkTest("the frame link falls back to recvmmsg when the kernel refuses a packet ring", async () => {
  await child("refused");
});

networkTest("a packet ring is set up after dropping root to nobody, on a socket opened before", async () => {
  await child("nobody");
});
