/**
 * wget's HSTS database on disk (src/fetch/hsts_file.ts): a missing file is an empty store, a world-writable one is
 * refused with wget's sentence, the file is written back only when the store changed and holds an entry, and a file
 * another process changed meanwhile is merged, not overwritten.
 */

import assert from "node:assert/strict";
import { openHstsDatabase, saveHstsDatabase } from "../../src/fetch/mod.ts";
import { parseUrl } from "../../src/http/mod.ts";
import { withTempDir } from "../_support/files.ts";

const HEADER = "# HSTS 1.0 Known Hosts database for GNU Wget.\n# Edit at your own risk.\n" +
  "# <hostname>\t<port>\t<incl. subdomains>\t<created>\t<max-age>\n";

function collect(): { warn: (line: string) => void; lines: string[] } {
  const lines: string[] = [];
  return { warn: (line) => lines.push(line), lines };
}

Deno.test("a missing HSTS file is an empty store, and is created with wget's lines once a host is noted", () =>
  withTempDir("rhg-hsts-", async (dir) => {
    const path = `${dir}/.wget-hsts`;
    const { warn, lines } = collect();
    const db = openHstsDatabase(path, warn)!;
    assert.deepEqual(db.store.entries(), []);
    saveHstsDatabase(db, warn);
    assert.equal(await Deno.stat(path).catch(() => null), null, "nothing changed: no file");
    db.store.record(parseUrl("https://example.com/"), "max-age=600; includeSubDomains");
    saveHstsDatabase(db, warn);
    const created = db.store.entries()[0].created;
    assert.equal(await Deno.readTextFile(path), `${HEADER}example.com\t0\t1\t${created}\t600\n`);
    assert.deepEqual(lines, []);
    const again = openHstsDatabase(path, warn)!;
    assert.deepEqual(again.store.entries(), db.store.entries());
  }));

Deno.test("a world-writable or non-regular HSTS file turns HSTS off with wget's sentence", () =>
  withTempDir("rhg-hsts-", async (dir) => {
    const path = `${dir}/hsts`;
    await Deno.writeTextFile(path, "example.com\t0\t0\t1\t1\n");
    await Deno.chmod(path, 0o666);
    const { warn, lines } = collect();
    assert.equal(openHstsDatabase(path, warn), null);
    assert.equal(openHstsDatabase(dir, warn), null);
    assert.deepEqual(lines, [
      "Will not apply HSTS. The HSTS database must be a regular and non-world-writable file.",
      "Will not apply HSTS. The HSTS database must be a regular and non-world-writable file.",
    ]);
    assert.equal(openHstsDatabase(null, warn), null);
    assert.equal(lines[2], "ERROR: could not open HSTS store. HSTS will be disabled.");
  }));

Deno.test("saving merges what another process wrote since the file was read", () =>
  withTempDir("rhg-hsts-", async (dir) => {
    const path = `${dir}/hsts`;
    await Deno.writeTextFile(path, "a.example\t0\t0\t100\t600\n");
    await Deno.utime(path, 1000, 1000);
    const { warn } = collect();
    const db = openHstsDatabase(path, warn)!;
    db.store.record(parseUrl("https://b.example/"), "max-age=60");
    // Another wget adds c.example after we read the file.
    await Deno.writeTextFile(path, "a.example\t0\t0\t100\t600\nc.example\t0\t1\t200\t30\n");
    await Deno.utime(path, 2000, 2000);
    saveHstsDatabase(db, warn);
    const hosts = (await Deno.readTextFile(path)).split("\n").filter((l) => l && !l.startsWith("#"))
      .map((l) => l.split("\t")[0]);
    assert.deepEqual(hosts, ["a.example", "b.example", "c.example"]);
  }));

Deno.test("a store whose last entry was removed leaves the file as it was (wget writes only a non-empty store)", () =>
  withTempDir("rhg-hsts-", async (dir) => {
    const path = `${dir}/hsts`;
    await Deno.writeTextFile(path, "a.example\t0\t0\t100\t600\n");
    const { warn } = collect();
    const db = openHstsDatabase(path, warn)!;
    db.store.record(parseUrl("https://a.example/"), "max-age=0");
    assert.ok(db.store.changed);
    saveHstsDatabase(db, warn);
    assert.equal(await Deno.readTextFile(path), "a.example\t0\t0\t100\t600\n");
  }));
