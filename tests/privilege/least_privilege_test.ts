/**
 * Least privilege on the real program: while a download runs, the process that parses the network's bytes has the
 * target user's ids, no capability in any thread and no_new_privs; the root helper holds nothing but its channel;
 * under sudo the files are simply the user's; the unprivileged side can open no raw socket, write no root-only
 * path and get no flow on a port it does not hold. Every other suite runs through the same helper.
 */

import assert from "node:assert/strict";
import { processCredentials, threadCredentials } from "../../ffi/mod.ts";
import { testbedTest } from "../testbed/testbed.ts";
import { mainCommand, rhg } from "../_support/program.ts";
import { findProgram } from "../_support/exec.ts";
import { sudoAs, withSudoUser } from "../_support/sudo_user.ts";
import { makeOpenTempDir } from "../_support/files.ts";
import { pollUntil } from "../_support/poll.ts";

const HERE = new URL(".", import.meta.url).pathname;

/** The pids of `pid`'s children. */
function childrenOf(pid: number): number[] {
  const text = Deno.readTextFileSync(`/proc/${pid}/task/${pid}/children`).trim();
  return text === "" ? [] : text.split(/\s+/).map(Number);
}

/** What each descriptor of `pid` is (`/proc/PID/fd/N` links), by number. */
function descriptors(pid: number): Map<number, string> {
  const fds = new Map<number, string>();
  for (const e of Deno.readDirSync(`/proc/${pid}/fd`)) {
    try {
      fds.set(Number(e.name), Deno.readLinkSync(`/proc/${pid}/fd/${e.name}`));
    } catch { /* closed meanwhile */ }
  }
  return fds;
}

/** The unix sockets `pid` can see, as `/proc/PID/fd` shows them (`socket:[INODE]`). */
function unixSocketInodes(pid: number): Set<string> {
  const lines = Deno.readTextFileSync(`/proc/${pid}/net/unix`).trim().split("\n").slice(1);
  return new Set(lines.map((line) => `socket:[${line.trim().split(/\s+/)[6]}]`));
}

/** Every descendant of `pid`, parents before children. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const walk = (p: number) => {
    for (
      const c of (() => {
        try {
          return childrenOf(p);
        } catch {
          return [];
        }
      })()
    ) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/** A process's command line, words joined by spaces ("" once it is gone). */
function cmdline(pid: number): string {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/cmdline`).replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/** Polls `probe` until it gives a value (10 s at most). */
async function pollFor<T>(probe: () => T | undefined): Promise<T> {
  let value: T | undefined;
  assert.ok(await pollUntil(() => Promise.resolve((value = probe()) !== undefined), 10_000), "found in time");
  return value!;
}

/** Bytes in `path` or its `.part`, 0 when neither exists yet. */
function savedBytes(path: string): number {
  for (const candidate of [path, `${path}.part`]) {
    try {
      const size = Deno.statSync(candidate).size;
      if (size > 0) return size;
    } catch { /* not there yet */ }
  }
  return 0;
}

/** Waits until `pid` has dropped to `uid` (the drop comes before the first connection). */
async function droppedTo(pid: number, uid: number): Promise<void> {
  const dropped = await pollUntil(() => {
    try {
      return Promise.resolve(processCredentials(pid).uid[1] === uid);
    } catch {
      return Promise.resolve(false);
    }
  }, 10_000);
  assert.ok(dropped, `process ${pid} runs as uid ${uid}`);
}

testbedTest("downloads parse network input without any privilege", { servers: ["deno"] }, async (t, tb) => {
  await tb.randomFile("slow.bin", 200_000, 3);
  await tb.randomFile("small.bin", 5_000, 4);
  const url = tb.url("deno", "/slow.bin");

  await t.step("as plain root: nobody, no capabilities, no_new_privs; the helper holds only its channel", async () => {
    const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "priv-" });
    const child = tb.spawnClient(mainCommand(["-q", "--limit-rate", "60k", "-O", `${dir}/slow.bin`, url]));
    try {
      await droppedTo(child.pid, 65534);
      // Bytes saved: the connection is set up, so the helper has answered every request (an answer in progress holds
      // the socket it is opening).
      const saving = await pollUntil(() => Promise.resolve(savedBytes(`${dir}/slow.bin`) > 0), 10_000);
      assert.ok(saving, "the download is under way");
      const main = processCredentials(child.pid);
      assert.deepEqual([main.uid, main.gid, main.groups], [
        [65534, 65534, 65534, 65534],
        [65534, 65534, 65534, 65534],
        [],
      ]);
      assert.deepEqual([main.capEff, main.capPrm, main.capInh, main.capAmb, main.capBnd], [0n, 0n, 0n, 0n, 0n]);
      assert.equal(main.noNewPrivs, true);
      for (const thread of threadCredentials(child.pid)) {
        assert.deepEqual(
          [thread.uid[1], thread.capEff, thread.capPrm, thread.noNewPrivs],
          [65534, 0n, 0n, true],
          thread.name,
        );
      }
      const [helper] = childrenOf(child.pid);
      assert.ok(helper !== undefined, "the helper runs");
      assert.equal(processCredentials(helper).uid[1], 0, "the helper stays root");
      const fds = descriptors(helper);
      assert.equal(fds.get(0), "/dev/null");
      assert.equal(fds.get(1), "/dev/null");
      assert.match(fds.get(3) ?? "", /^socket:/, "fd 3 is the channel");
      // It keeps no socket it opened for us (raw, packet, netlink: each was closed once handed over): besides the
      // channel, only the runtime's own unix sockets. And it shares no pipe, socket or file with the downloader: what
      // else it holds (event descriptors, the runtime's cache files) the runtime opened for itself after the exec: pipes and
      // sockets are compared, as a file's path alone does not tell a shared open file.
      const unix = unixSocketInodes(helper);
      const foreign = [...fds].filter(([fd, what]) => fd !== 3 && what.startsWith("socket:") && !unix.has(what));
      assert.deepEqual(foreign, [], "no raw, packet or netlink socket left in the helper");
      const kernelObject = (what: string) => what.startsWith("pipe:") || what.startsWith("socket:");
      const ours = new Set([...descriptors(child.pid).values()].filter(kernelObject));
      // Its stdin, stdout and stderr (and the runtime's copies of them) are the exception: stderr is ours on purpose.
      const stdio = new Set([0, 1, 2].map((fd) => fds.get(fd)));
      const shared = [...fds].filter(([fd, what]) => fd > 2 && ours.has(what) && !stdio.has(what));
      assert.deepEqual(shared, [], "the helper inherited nothing of the downloader's");
    } finally {
      const out = await child.output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    }
    assert.equal((await Deno.stat(`${dir}/slow.bin`)).uid, 65534, "the file is nobody's: no chown needed");
  });

  await t.step("under sudo: the invoking user's ids and no groups; the file is simply theirs", async () => {
    await withSudoUser(async (user) => {
      const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "sudo-" });
      await Deno.chown(dir, user.uid, user.gid);
      await Deno.chmod(dir, 0o755);
      // The user runs sudo (a sudoers rule of the test lets them), as a user of rawhttpget does.
      const command = sudoAs(user, tb.clientNs, [
        ...mainCommand(["-q", "--limit-rate", "60k", "-O", `${dir}/slow.bin`, url]),
      ], findProgram("ip") ?? "ip");
      const child = new Deno.Command(command[0], { args: command.slice(1), cwd: dir, stdout: "piped", stderr: "piped" })
        .spawn();
      try {
        const downloader = await pollFor(() =>
          descendants(child.pid).find((pid) => cmdline(pid).startsWith(`${Deno.execPath()} run`))
        );
        await droppedTo(downloader, user.uid);
        const c = processCredentials(downloader);
        assert.deepEqual([c.uid[1], c.gid[1], c.groups], [user.uid, user.gid, []]);
        assert.deepEqual([c.capEff, c.capPrm, c.capBnd, c.noNewPrivs], [0n, 0n, 0n, true]);
      } finally {
        const out = await child.output();
        assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      }
      const st = await Deno.stat(`${dir}/slow.bin`);
      assert.deepEqual([st.uid, st.gid, st.size], [user.uid, user.gid, 200_000]);
    });
  });

  for (const mode of ["nft", "iptables"] as const) {
    await t.step(`kill -9 of the client: the helper removes the rules the ${mode} command made`, async () => {
      const child = tb.spawnClient(
        ["deno", "run", "--allow-ffi", `${HERE}_fallback_child.ts`, mode, tb.clientAddr, tb.serverAddr],
      );
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      const first = await reader.read();
      const got = JSON.parse(first.value ?? "{}");
      assert.equal(got.method, `${mode}-command`);
      const rules = () =>
        mode === "nft"
          ? tb.execClient(["nft", "list", "tables"]).then((r) => r.stdout)
          : tb.execClient(["iptables-save"]).then((r) => r.stdout);
      const mark = mode === "nft" ? `rawhttpget_${got.helperPid}_${got.port}` : `rawhttpget-${got.helperPid}`;
      assert.ok((await rules()).includes(mark), `${mark} is installed`);
      child.kill("SIGKILL");
      await child.status;
      reader.releaseLock();
      await child.stdout.cancel().catch(() => {});
      await child.stderr.cancel();
      assert.ok(await pollUntil(async () => !(await rules()).includes(mark), 10_000), `${mark} is removed`);
    });
  }

  await t.step("-v says whom the download runs as; --user-drop and --no-drop-privileges choose", async () => {
    const small = tb.url("deno", "/small.bin");
    const dir = await makeOpenTempDir({ dir: tb.tempDir, prefix: "who-" });
    const dropped = await rhg(tb, ["-v", "-O", "a", small], { dir });
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.match(
      dropped.stderr,
      /^Running as user nobody \(uid 65534, gid 65534\) with no capabilities and no_new_privs; a privileged helper \(pid \d+\) opens the raw sockets and the firewall rules\.$/m,
    );
    const daemon = await rhg(tb, ["-v", "--user-drop", "daemon", "-O", "b", small], { dir });
    assert.equal(daemon.code, 0, daemon.stderr);
    assert.match(daemon.stderr, /^Running as user daemon \(uid 1, gid 1\) with no capabilities/m);
    assert.equal((await Deno.stat(`${dir}/b`)).uid, 1);
    const root = await rhg(tb, ["-v", "--no-drop-privileges", "-O", "c", small], { dir });
    assert.equal(root.code, 0, root.stderr);
    assert.match(
      root.stderr,
      /^Running as user root \(uid 0, gid 0\) with capabilities left .* \(--no-drop-privileges\)$/m,
    );
    assert.equal((await Deno.stat(`${dir}/c`)).uid, 0);
  });

  await t.step("a place only root may write, or an unknown user: one sentence, before any traffic", async () => {
    const rootOnly = await Deno.makeTempDir({ dir: tb.tempDir, prefix: "root-only-" });
    const small = tb.url("deno", "/small.bin");
    for (
      const args of [["-P", rootOnly], ["-O", `${rootOnly}/f`], ["--save-cookies", `${rootOnly}/c.txt`, "-O", "-"]]
    ) {
      const r = await rhg(tb, ["-q", ...args, small]);
      assert.equal(r.code, 3, r.stderr);
      assert.equal(
        r.stderr,
        `rawhttpget: rawhttpget runs as user nobody once its sockets are open, and nobody may not write to ` +
          `'${rootOnly}': download where nobody may write, or pass --user-drop USER or --no-drop-privileges.\n`,
      );
      assert.equal(r.stdout, "", "nothing was downloaded");
    }
    assert.deepEqual([...Deno.readDirSync(rootOnly)], []);
    const unknown = await rhg(tb, ["-q", "--user-drop", "no-such-user-here", small]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, "rawhttpget: Cannot drop root to user 'no-such-user-here': there is no such user.\n");
  });

  await t.step("a drop the system refuses (root of a user namespace) stops the run with a way out", async () => {
    const r = await tb.execClient(["unshare", "--user", "--map-root-user", ...mainCommand(["-q", url])]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "rawhttpget: Cannot drop privileges: setgroups(0, NULL) failed with EPERM (Operation not permitted); " +
        "pass --no-drop-privileges to run as root\n",
    );
  });

  await t.step("the unprivileged side can open no raw socket, write no root-only path, get no other flow", async () => {
    const rootOnly = await Deno.makeTempDir({ dir: tb.tempDir, prefix: "root-only-" });
    const r = await tb.execClient([
      "deno",
      "run",
      "--allow-ffi",
      `${HERE}_unprivileged_child.ts`,
      rootOnly,
      tb.clientAddr,
      tb.serverAddr,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const got = JSON.parse(r.stdout);
    assert.deepEqual(
      got.threads.filter((th: { uid: number[]; capEff: string; noNewPrivs: boolean }) =>
        th.uid[1] !== 65534 || th.capEff !== "0" || !th.noNewPrivs
      ),
      [],
    );
    assert.equal(got.rawSocket, "EPERM");
    assert.equal(got.rootOnlyWrite, "EACCES");
    assert.equal(got.ownFlow, true, "a flow on a port it holds is granted");
    assert.equal(got.detachFilter, "refused", "the receiver's filter is locked");
    assert.match(got.unboundPort, /not a reserved port \(the socket is not bound to a port\)/);
    assert.match(got.udpPort, /not a reserved port \(the descriptor is not an IPv4 or IPv6 stream socket\)/);
    assert.match(got.namedLocalPort, /unknown fields \(localPort\)/);
    assert.match(got.garbage, /not JSON/);
    assert.match(got.shell, /no operation "exec"/);
    assert.equal(got.stillServing, "allowed", "the helper goes on after refusals");
  });
});
