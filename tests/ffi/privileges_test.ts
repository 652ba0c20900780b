import { deepEqual, equal, ok, throws } from "node:assert/strict";
import {
  type Credentials,
  describeCredentials,
  parseProcStatus,
  processCredentials,
  threadCredentials,
} from "../../ffi/credentials.ts";
import { lookupUid, lookupUser } from "../../ffi/passwd.ts";
import { dropPrivileges, PrivilegeDropError } from "../../ffi/privileges.ts";
import { currentUids, getPid } from "../../ffi/process.ts";
import { exec } from "../_support/exec.ts";
import { withTempDir } from "../_support/files.ts";
import { denoRun } from "../_support/program.ts";
import { asNobody, networkTest } from "../_support/root.ts";
import { HERE, runInNamespace, withNamespace } from "./_helpers.ts";

// The lines of a real /proc/<pid>/status (Linux 6.x) that matter here, with some around them.
const STATUS = [
  "Name:\tdeno",
  "Umask:\t0022",
  "State:\tS (sleeping)",
  "Tgid:\t15519",
  "Uid:\t1000\t1001\t1002\t1003",
  "Gid:\t100\t101\t102\t103",
  "FDSize:\t64",
  "Groups:\t4 24 27 ",
  "CapInh:\t0000000000000000",
  "CapPrm:\t0000000000003000",
  "CapEff:\t0000000000002000",
  "CapBnd:\t000001ffffffffff",
  "CapAmb:\t0000000000001000",
  "NoNewPrivs:\t1",
  "Seccomp:\t2",
  "Seccomp_filters:\t1",
  "Speculation_Store_Bypass:\tthread vulnerable",
  "",
].join("\n");

const NONE: Credentials = {
  uid: [65534, 65534, 65534, 65534],
  gid: [65534, 65534, 65534, 65534],
  groups: [],
  capEff: 0n,
  capPrm: 0n,
  capInh: 0n,
  capBnd: 0n,
  capAmb: 0n,
  noNewPrivs: true,
  seccomp: 2,
};

Deno.test("parseProcStatus() reads ids, groups, capability sets, no_new_privs and seccomp", () => {
  deepEqual(parseProcStatus(STATUS), {
    uid: [1000, 1001, 1002, 1003],
    gid: [100, 101, 102, 103],
    groups: [4, 24, 27],
    capEff: 0x2000n,
    capPrm: 0x3000n,
    capInh: 0n,
    capBnd: 0x1ffffffffffn,
    capAmb: 0x1000n,
    noNewPrivs: true,
    seccomp: 2,
  });
});

Deno.test("parseProcStatus() reads an empty Groups line as no supplementary groups", () => {
  deepEqual(parseProcStatus(STATUS.replace("Groups:\t4 24 27 ", "Groups:\t")).groups, []);
});

Deno.test("parseProcStatus() rejects a missing or malformed field, naming it", () => {
  throws(() => parseProcStatus(STATUS.replace(/CapAmb:.*\n/, "")), {
    name: "SyntaxError",
    message: 'Cannot parse a /proc status file: the "CapAmb" line is missing',
  });
  throws(() => parseProcStatus(STATUS.replace("Uid:\t1000\t1001\t1002\t1003", "Uid:\t1000\t1001")), {
    message: 'Cannot parse a /proc status file: Uid "1000\t1001"',
  });
  throws(() => parseProcStatus(STATUS.replace("CapEff:\t0000000000002000", "CapEff:\t2000")), {
    message: 'Cannot parse a /proc status file: CapEff "2000"',
  });
});

Deno.test("processCredentials() and threadCredentials() read this process's own status", () => {
  const self = processCredentials();
  equal(self.uid[1], currentUids().euid);
  equal(self.gid[1], currentUids().egid);
  const threads = threadCredentials();
  ok(threads.some((t) => t.tid === getPid() && t.name !== ""), "the main thread is listed");
  ok(threads.every((t) => t.uid[1] === self.uid[1]));
});

Deno.test("describeCredentials() says who the process runs as, the capabilities left and no_new_privs", () => {
  equal(
    describeCredentials(NONE, "nobody"),
    "Running as user nobody (uid 65534, gid 65534) with no capabilities and no_new_privs.",
  );
  equal(
    describeCredentials({ ...NONE, uid: [4242, 4242, 4242, 4242], gid: [4242, 4242, 4242, 4242] }, null),
    "Running as uid 4242 (gid 4242) with no capabilities and no_new_privs.",
  );
  equal(
    describeCredentials(parseProcStatus(STATUS), "alice"),
    "Running as user alice (uid 1001, gid 101, groups 4 24 27) with capabilities left (effective 0x2000, " +
      "permitted 0x3000, ambient 0x1000) and no_new_privs.",
  );
  const root: Credentials = {
    ...NONE,
    uid: [0, 0, 0, 0],
    gid: [0, 0, 0, 0],
    capEff: 0x1ffn,
    capPrm: 0x1ffn,
    noNewPrivs: false,
  };
  equal(
    describeCredentials(root),
    "Running as user root (uid 0, gid 0) with capabilities left (effective 0x1ff, permitted 0x1ff) and without " +
      "no_new_privs.",
  );
});

Deno.test("lookupUser() finds root and nobody, and returns null for a user that does not exist", () => {
  deepEqual(lookupUser("root"), { name: "root", uid: 0, gid: 0, home: "/root" });
  const nobody = lookupUser("nobody");
  equal(nobody?.uid, 65534);
  equal(nobody?.name, "nobody");
  equal(lookupUser("no-such-user-xyz"), null);
  equal(lookupUser(""), null);
});

Deno.test("lookupUid() finds uid 0 and refuses an id out of range", () => {
  equal(lookupUid(0)?.name, "root");
  equal(lookupUid(65534)?.name, "nobody");
  throws(() => lookupUid(-1), RangeError);
});

Deno.test("dropPrivileges() refuses uid 0 and ids out of range before changing anything", () => {
  throws(() => dropPrivileges({ uid: 0, gid: 0 }), {
    name: "RangeError",
    message: "Cannot drop to uid 0: dropping to root is not a drop",
  });
  throws(() => dropPrivileges({ uid: 0xffffffff, gid: 1 }), { message: "Cannot drop to uid 4294967295" });
  throws(() => dropPrivileges({ uid: 1, gid: 1.5 }), { message: "Cannot drop to gid 1.5" });
});

Deno.test("PrivilegeDropError names the step, and the errno when a call failed", () => {
  const failed = new PrivilegeDropError("setresuid(4242, 4242, 4242)", 1);
  equal(
    failed.message,
    "Cannot drop privileges: setresuid(4242, 4242, 4242) failed with EPERM (Operation not permitted)",
  );
  equal(failed.code, "EPERM");
  const check = new PrivilegeDropError("getresuid()", null, "reports 0, 4242, 4242");
  equal(check.message, "Cannot drop privileges: getresuid() reports 0, 4242, 4242");
  equal(check.errno, null);
});

/** What _drop_child.ts prints after a drop (capability sets as hex strings). */
interface DropReport {
  process: Record<string, unknown>;
  description: string;
  threads: (Record<string, unknown> & { tid: number; name: string })[];
  newThreads: number[];
  rawSocket: string;
  packetSocket: string;
  rootOnlyFile: string;
  socketsOpenedBefore: { sent: boolean; received: boolean };
}

async function dropInChild(uid: number, gid: number): Promise<DropReport> {
  // Deno.makeTempDir makes a directory of mode 0700 owned by root: the dropped child may not create files in it.
  return await withTempDir("rhg-ffi-rootonly-", async (dir) => {
    const out = await withNamespace((ns) => runInNamespace(ns, "_drop_child.ts", ["drop", `${uid}`, `${gid}`, dir]));
    return JSON.parse(out) as DropReport;
  });
}

function assertDropped(r: DropReport, uid: number, gid: number): void {
  const ids = { uid: [uid, uid, uid, uid], gid: [gid, gid, gid, gid], groups: [] };
  const empty = { capEff: "0x0", capPrm: "0x0", capAmb: "0x0", noNewPrivs: true, seccomp: 2 };
  deepEqual(r.process, { ...ids, ...empty, capInh: "0x0", capBnd: "0x0" });
  const user = lookupUid(uid)?.name;
  const who = user === undefined ? `uid ${uid} (gid ${gid})` : `user ${user} (uid ${uid}, gid ${gid})`;
  equal(r.description, `Running as ${who} with no capabilities and no_new_privs.`);
  // Deno runs V8 and tokio threads beside the main one; each must have taken the uid change and no_new_privs.
  ok(r.threads.length >= 2, `only ${r.threads.length} thread`);
  for (const t of r.threads) {
    const { uid, gid, groups, capEff, capPrm, capAmb, noNewPrivs, seccomp } = t;
    deepEqual({ uid, gid, groups, capEff, capPrm, capAmb, noNewPrivs, seccomp }, { ...ids, ...empty }, t.name);
  }
  equal(r.rawSocket, "EPERM");
  equal(r.packetSocket, "EPERM");
  equal(r.rootOnlyFile, "EACCES");
  deepEqual(r.socketsOpenedBefore, { sent: true, received: true });
}

networkTest(
  "dropPrivileges() to nobody leaves no thread with capabilities and every one with no_new_privs",
  async () => {
    assertDropped(await dropInChild(65534, 65534), 65534, 65534);
  },
);

networkTest("dropPrivileges() to a uid and gid with no passwd entry works the same, new threads included", async () => {
  const r = await dropInChild(4242, 4242);
  assertDropped(r, 4242, 4242);
  ok(r.newThreads.length >= 1, "the nonblocking call after the drop started no new thread");
});

networkTest("dropPrivileges() without privileges throws PrivilegeDropError at the first step", async () => {
  // The child runs as nobody (no capabilities); DENO_DIR must be writable by it.
  await withTempDir("rhg-ffi-denodir-", async (denoDir) => {
    await Deno.chmod(denoDir, 0o777);
    const r = await exec([...asNobody(denoDir), ...denoRun(HERE + "_drop_child.ts", ["refused", "4242", "4242"])]);
    equal(r.code, 0, r.stderr);
    deepEqual(JSON.parse(r.stdout), {
      step: "setgroups(0, NULL)",
      code: "EPERM",
      message: "Cannot drop privileges: setgroups(0, NULL) failed with EPERM (Operation not permitted)",
    });
  });
});
