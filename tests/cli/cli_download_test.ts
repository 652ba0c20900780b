/**
 * The command line's downloads on the testbed (nginx and the Deno file server): the documented command, redirects,
 * resume, chunked HTTP/1.1, output naming, progress on a terminal, traces and pcap.
 */

import assert from "node:assert/strict";
import { testbedTest } from "../testbed/testbed.ts";
import { run, shellQuote } from "../_support/exec.ts";
import { withSudoUser } from "../_support/sudo_user.ts";
import { giveToRunUser, listDir, makeOpenTempDir, readOrNull, sha256Bytes } from "../_support/files.ts";
import { mainCommand, REPO_ROOT, rhg } from "../_support/program.ts";

testbedTest("rawhttpget downloads as wget does", { servers: ["deno", "nginx"] }, async (t, tb) => {
  const big = await tb.randomFile("big.bin", 2 * 2 ** 20, 11);
  await tb.writeFile("a.txt", "first\n");
  await tb.writeFile("dir/b.bin", "second\n");
  const url = (path: string) => tb.url("deno", path);
  const sha = async (path: string) => sha256Bytes((await readOrNull(path)) ?? new Uint8Array());

  await t.step("the documented command works verbatim: sudo deno run --allow-ffi main.ts URL", async () => {
    const name = `card-${Deno.pid}-${Date.now()}.bin`;
    await Deno.copyFile(big.path, `${tb.wwwDir}/${name}`);
    // Typed by a user with sudo in a checkout of their own: the download runs as them and saves there.
    await withSudoUser(async (user) => {
      const checkout = await makeOpenTempDir({ dir: tb.tempDir, prefix: "checkout-" });
      for (const entry of ["main.ts", "deno.json", "deno.lock", "src", "ffi"]) {
        await run(["cp", "-r", `${REPO_ROOT}/${entry}`, checkout]);
      }
      await run(["chown", "-R", `${user.uid}:${user.gid}`, checkout]);
      const r = await tb.execClient(
        [
          "runuser",
          "-u",
          user.name,
          "--",
          "sudo",
          "deno",
          "run",
          "--allow-ffi",
          "main.ts",
          tb.url("nginx", `/${name}`),
        ],
        { cwd: checkout },
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^Saved '${name}' \\(2097152 bytes\\) in [\\d.]+ s, [\\d.]+ MiB/s; \\d+ retransmitted, \\d+ out of order, \\d+ bad checksums\\n$`,
        ),
      );
      assert.equal(await sha(`${checkout}/${name}`), big.sha256);
      assert.equal((await Deno.stat(`${checkout}/${name}`)).uid, user.uid);
    });
  });

  await t.step("redirects: relative and absolute Location, one kept-alive connection for every hop", async () => {
    const r = await rhg(tb, ["-v", url("/redirect/3?to=/big.bin")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((r.stderr.match(/^Redirected \(302\) to /gm) ?? []).length, 3);
    // One connection (its SYN asks for ECN, RFC 3168: SYN ECE CWR), reused by each redirect to the same origin.
    assert.equal((r.stderr.match(/^--> send \d+ bytes Flags: \[SYN ECE CWR\]/gm) ?? []).length, 1);
    assert.equal((r.stderr.match(/^Reusing existing connection to 198\.18\.2\.2:8080\.$/gm) ?? []).length, 3);
    // Named after the URL given (CVE-2010-2252), not the server's last Location.
    assert.deepEqual(await listDir(r.dir), ["3"]);
    assert.equal(await sha(`${r.dir}/3`), big.sha256);
    const abs = await rhg(tb, ["-q", "-O", "out", url("/redirect/2?absolute=1&to=/big.bin")]);
    assert.equal(abs.code, 0, abs.stderr);
    assert.equal(await sha(`${abs.dir}/out`), big.sha256);
  });

  await t.step("redirects: --trust-server-names names the file after the last URL", async () => {
    const r = await rhg(tb, ["-q", "--trust-server-names", url("/redirect/1?to=/dir/b.bin")]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await listDir(r.dir), ["b.bin"]);
  });

  await t.step("redirects: a loop and the limit stop with exit 8 (http ↔ https: tests/https)", async () => {
    const loop = await rhg(tb, [url("/redirect-to?url=%23again")]);
    assert.equal(loop.code, 8);
    assert.match(
      loop.stderr,
      /^rawhttpget: Redirect loop: http:\/\/198\.18\.2\.2:8080\/redirect-to\?url=%23again was already visited\n$/,
    );
    const limit = await rhg(tb, ["-q", "--max-redirect", "2", url("/redirect/3")]);
    assert.equal(limit.code, 8);
    assert.equal(limit.stderr, "rawhttpget: Stopped after 2 redirects (see --max-redirect)\n");
    assert.deepEqual([...await listDir(loop.dir), ...await listDir(limit.dir)], []);
  });

  await t.step("-c resumes a killed download: the file is identical to a full download", async () => {
    const dir = await makeOpenTempDir({ dir: tb.tempDir });
    const child = tb.spawnClient(mainCommand(["-q", "-P", dir, url("/slow/big.bin?chunk=32768&delay=40")]));
    const part = `${dir}/big.bin.part`;
    for (let i = 0; i < 200 && ((await Deno.stat(part).catch(() => null))?.size ?? 0) < 300_000; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGKILL");
    await child.status;
    const partial = (await Deno.stat(part)).size;
    assert.ok(partial >= 300_000 && partial < big.size, `part file has ${partial} bytes`);
    const r = await rhg(tb, ["-c", "-P", dir, tb.url("nginx", "/big.bin")]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(`^Saved '${dir}/big\\.bin' \\(2097152 bytes, ${big.size - partial} received\\)`),
    );
    assert.deepEqual(await listDir(dir), ["big.bin"]);
    assert.equal(await sha(`${dir}/big.bin`), big.sha256);
    // Again: 416, the file is complete.
    const again = await rhg(tb, ["-c", "-P", dir, tb.url("nginx", "/big.bin")]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /^The file is already fully retrieved; nothing to do\n/);
    assert.equal(await sha(`${dir}/big.bin`), big.sha256);
  });

  await t.step("-c on a partial NAME: a 206 is appended; a 200 ignoring the range never overwrites it", async () => {
    const data = await Deno.readFile(big.path);
    const dir = await makeOpenTempDir({ dir: tb.tempDir });
    await Deno.writeFile(`${dir}/big.bin`, data.subarray(0, 100_000));
    await giveToRunUser(`${dir}/big.bin`);
    const r = await rhg(tb, ["-q", "-c", url("/big.bin")], { dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sha(`${dir}/big.bin`), big.sha256);
    // Bytes of the user's own: a server without ranges sends the whole file, and only what follows them is added.
    const mine = new Uint8Array(100_000).fill(0x55);
    await Deno.writeFile(`${dir}/big.bin`, mine);
    const again = await rhg(tb, ["-c", url("/chunked/big.bin")], { dir });
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stderr,
      /^The server ignored the range and sent the whole file: its first 100000 bytes, already in big\.bin, are skipped\n/,
    );
    assert.deepEqual(await listDir(dir), ["big.bin"]);
    assert.equal(await sha(`${dir}/big.bin`), await sha256Bytes(new Uint8Array([...mine, ...data.subarray(100_000)])));
  });

  await t.step("--http1.1 decodes a chunked body", async () => {
    const r = await rhg(tb, ["-q", "--http1.1", "-O", "c.bin", url("/chunked/big.bin")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await sha(`${r.dir}/c.bin`), big.sha256);
  });

  await t.step(
    "names: an existing file is kept and the new one is NAME.1; -O overwrites; -P creates DIR",
    async () => {
      const dir = await makeOpenTempDir({ dir: tb.tempDir });
      await Deno.writeTextFile(`${dir}/a.txt`, "mine\n");
      await giveToRunUser(`${dir}/a.txt`);
      assert.equal((await rhg(tb, ["-q", url("/a.txt")], { dir })).code, 0);
      assert.equal((await rhg(tb, ["-q", url("/a.txt")], { dir })).code, 0);
      assert.deepEqual(await listDir(dir), ["a.txt", "a.txt.1", "a.txt.2"]);
      assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "mine\n");
      assert.equal(await Deno.readTextFile(`${dir}/a.txt.2`), "first\n");
      assert.equal((await rhg(tb, ["-q", "-O", "a.txt", url("/a.txt")], { dir })).code, 0);
      assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "first\n");
      assert.equal((await rhg(tb, ["-q", "-P", "new/sub", url("/dir/b.bin")], { dir })).code, 0);
      assert.equal(await Deno.readTextFile(`${dir}/new/sub/b.bin`), "second\n");
    },
  );

  await t.step("-O - writes to stdout; -O FILE with several URLs concatenates them", async () => {
    const out = await rhg(tb, ["-q", "-O", "-", url("/a.txt"), url("/dir/b.bin")]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, "first\nsecond\n");
    assert.deepEqual(await listDir(out.dir), []);
    const cat = await rhg(tb, ["-q", "-O", "all", url("/a.txt"), url("/dir/b.bin")]);
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(await Deno.readTextFile(`${cat.dir}/all`), "first\nsecond\n");
  });

  await t.step("under sudo the file belongs to SUDO_UID:SUDO_GID", async () => {
    const r = await rhg(tb, ["-q", "-P", "d", url("/a.txt")], { env: { SUDO_UID: "65534", SUDO_GID: "65534" } });
    assert.equal(r.code, 0, r.stderr);
    for (const path of [`${r.dir}/d`, `${r.dir}/d/a.txt`]) {
      const st = await Deno.stat(path);
      assert.deepEqual([st.uid, st.gid], [65534, 65534], path);
    }
  });

  await t.step("--source and --interface choose the way out", async () => {
    const r = await rhg(tb, ["-q", "--source", tb.clientAddr, "--interface", tb.ifs.client, url("/a.txt")]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await Deno.readTextFile(`${r.dir}/a.txt`), "first\n");
  });

  await t.step("-v traces every frame; --pcap saves them for tcpdump", async () => {
    const r = await rhg(tb, ["-v", "--pcap", "t.pcap", "-O", "a", url("/a.txt")]);
    assert.equal(r.code, 0, r.stderr);
    // Our SYN asks for ECN; the testbed's server (net.ipv4.tcp_ecn=2: it accepts when asked) answers ECE.
    assert.match(r.stderr, /^--> send 60 bytes Flags: \[SYN ECE CWR\] seq: \d+ ack: 0 win: \d+$/m);
    assert.match(r.stderr, /^<-- recv \d+ bytes Flags: \[SYN ACK ECE\] seq: \d+ ack: \d+ win: \d+$/m);
    assert.match(
      r.stderr,
      /^<-- recv \d+ bytes Flags: \[[A-Z ]*PSH[A-Z ]*\] seq: \d+ ack: \d+ win: \d+ len: \d+$/m,
    );
    const traced = (r.stderr.match(/^(-->|<--) /gm) ?? []).length;
    const dump = await tb.execClient(["tcpdump", "-nn", "-r", `${r.dir}/t.pcap`]);
    assert.equal(dump.code, 0, dump.stderr);
    const lines = dump.stdout.trimEnd().split("\n");
    assert.equal(lines.length, traced);
    assert.match(
      lines[0],
      // tcpdump writes SYN, ECE and CWR as S, E and W.
      new RegExp(`IP ${tb.clientAddr.replaceAll(".", "\\.")}\\.\\d+ > 198\\.18\\.2\\.2\\.8080: Flags \\[SEW\\]`),
    );
  });

  await t.step("on a terminal: a progress line redrawn with \\r, cleared before the summary", async () => {
    const cmd = shellQuote(mainCommand(["-O", "p.bin", url("/slow/big.bin?chunk=131072&delay=60")]));
    const dir = await makeOpenTempDir({ dir: tb.tempDir });
    const r = await tb.execClient(["script", "-qfec", cmd, "/dev/null"], {
      cwd: dir,
      env: { COLUMNS: "100" },
      timeoutMs: 30_000, // a permission prompt would wait for the terminal forever
    });
    assert.equal(r.code, 0, r.stdout);
    const draws = r.stdout.split("\r").filter((s) => /^p\.bin +\d+%\[[=> ]+\] +[\d.]+[KM]? +[\d.]+[KMG]?B\/s/.test(s));
    assert.ok(draws.length >= 3, `${draws.length} redraws in ${JSON.stringify(r.stdout.slice(0, 400))}`);
    assert.ok(draws.some((s) => s.includes("100%")));
    assert.match(r.stdout, /\r +\rSaved 'p\.bin' \(2097152 bytes\)/);
    assert.equal(await sha(`${dir}/p.bin`), big.sha256);
    // Not a terminal: no progress line at all.
    const plain = await rhg(tb, [url("/a.txt")]);
    assert.ok(!plain.stderr.includes("\r"));
  });
}, { sanitizeResources: false, sanitizeOps: false });
