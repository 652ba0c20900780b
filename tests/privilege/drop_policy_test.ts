import assert from "node:assert/strict";
import { type KnownUser, planDrop } from "../../src/privilege/mod.ts";

const USERS: KnownUser[] = [
  { name: "root", uid: 0, gid: 0 },
  { name: "nobody", uid: 65534, gid: 65534 },
  { name: "alice", uid: 1000, gid: 1000 },
];
const byName = (name: string) => USERS.find((u) => u.name === name) ?? null;
const byUid = (uid: number) => USERS.find((u) => u.uid === uid) ?? null;

Deno.test("planDrop() leaves a process that is not root alone", () => {
  assert.deepEqual(planDrop({ euid: 1000, userDrop: "nobody" }, byName, byUid), { kind: "stay", why: "not root" });
});

Deno.test("planDrop() stays root with --no-drop-privileges", () => {
  assert.deepEqual(planDrop({ euid: 0, noDrop: true, sudoUid: "1000" }, byName, byUid), { kind: "stay", why: "asked" });
});

Deno.test("planDrop() drops plain root to nobody", () => {
  assert.deepEqual(planDrop({ euid: 0 }, byName, byUid), {
    kind: "drop",
    uid: 65534,
    gid: 65534,
    user: "nobody",
    why: "default",
  });
});

Deno.test("planDrop() uses the overflow ids when the system has no nobody", () => {
  const verdict = planDrop({ euid: 0 }, () => null, () => null);
  assert.deepEqual(verdict, { kind: "drop", uid: 65534, gid: 65534, user: "nobody", why: "default" });
});

Deno.test("planDrop() drops to the sudo user and SUDO_GID", () => {
  const verdict = planDrop({ euid: 0, sudoUid: "1000", sudoGid: "100" }, byName, byUid);
  assert.deepEqual(verdict, { kind: "drop", uid: 1000, gid: 100, user: "alice", why: "sudo" });
  const unknown = planDrop({ euid: 0, sudoUid: "4242", sudoGid: "4343" }, byName, byUid);
  assert.deepEqual(unknown, { kind: "drop", uid: 4242, gid: 4343, user: "uid 4242", why: "sudo" });
});

Deno.test("planDrop() treats root's own sudo and a malformed SUDO_UID as plain root", () => {
  for (const sudoUid of ["0", "", "1000x", "-5", "99999999999"]) {
    assert.equal(planDrop({ euid: 0, sudoUid, sudoGid: "0" }, byName, byUid).kind === "drop", true);
    const v = planDrop({ euid: 0, sudoUid, sudoGid: "0" }, byName, byUid);
    assert.equal(v.kind === "drop" && v.why, "default", sudoUid);
  }
});

Deno.test("planDrop() refuses a SUDO_GID that is not a number for a user the system does not know", () => {
  const v = planDrop({ euid: 0, sudoUid: "4242", sudoGid: "x" }, byName, byUid);
  assert.equal(v.kind, "refuse");
});

Deno.test("planDrop() follows --user-drop by name or number, before sudo", () => {
  const v = planDrop({ euid: 0, userDrop: "alice", sudoUid: "65534" }, byName, byUid);
  assert.deepEqual(v, { kind: "drop", uid: 1000, gid: 1000, user: "alice", why: "user-drop" });
  assert.equal(planDrop({ euid: 0, userDrop: "1000" }, byName, byUid).kind, "drop");
});

Deno.test("planDrop() refuses --user-drop of an unknown user or of root", () => {
  const unknown = planDrop({ euid: 0, userDrop: "mallory" }, byName, byUid);
  assert.deepEqual(unknown, { kind: "refuse", message: "Cannot drop root to user 'mallory': there is no such user." });
  const root = planDrop({ euid: 0, userDrop: "root" }, byName, byUid);
  assert.equal(root.kind, "refuse");
  assert.match((root as { message: string }).message, /--no-drop-privileges/);
});
