/**
 * Dropping root for good, for every thread of the process: Deno runs V8 and tokio worker threads beside the main
 * one, and Linux keeps credentials per thread (credentials(7)).
 *
 * What reaches which thread:
 * - `setgroups`, `setresgid`, `setresuid`: all threads, because glibc's wrappers signal every thread to make the
 *   same system call (nptl "setxid"); setresuid(2) from uid 0 to non-zero uids also clears the permitted, effective
 *   and ambient capabilities of each thread it runs in (capabilities(7), "Effect of user ID changes").
 * - `capset`, `prctl(PR_CAPBSET_DROP)`, `prctl(PR_SET_NO_NEW_PRIVS)`: the calling thread only (prctl(2)).
 *   no_new_privs is spread by installing an allow-everything seccomp filter with SECCOMP_FILTER_FLAG_TSYNC, which
 *   sets no_new_privs on every thread that gets the filter (seccomp(2)).
 * - The bounding set of the other threads stays full: nothing in JS can run code on those threads. It only limits
 *   what execve may grant, and with no_new_privs on every thread and no capability left in any, execve grants none.
 *   Threads created later inherit the credentials of the thread that creates them. Measured with Deno 2.9.6: six
 *   threads at startup (main, two "V8 DefaultWorker", three "tokio-runtime-w"); after the drop all show the target
 *   ids, empty effective/permitted/inheritable/ambient sets, no_new_privs and seccomp mode 2; the five helpers keep
 *   a full bounding set, and a blocking-pool thread started afterwards by the main thread has an empty one.
 *
 * @module
 */

import { errnoName, lastErrno } from "./errno.ts";
import { readFileBytes } from "./fs.ts";
import { type Credentials, processCredentials, threadCredentials } from "./credentials.ts";
import { libc } from "./libc.ts";
import { strerror } from "./os_error.ts";
import { encodeFprog, encodeProgram } from "./bpf.ts";

// prctl(2) options.
const PR_CAPBSET_DROP = 24, PR_SET_NO_NEW_PRIVS = 38, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;
// capget(2): the 64-bit capability ABI (two 32-bit data structs: capabilities 0–31 and 32–63).
const _LINUX_CAPABILITY_VERSION_3 = 0x20080522;
// seccomp(2) on x86_64, and the filter's return value that lets the system call run.
const SYS_seccomp = 317n, SECCOMP_SET_MODE_FILTER = 1n, SECCOMP_FILTER_FLAG_TSYNC = 1n, SECCOMP_RET_ALLOW = 0x7fff0000;
// BPF_RET | BPF_K (linux/filter.h): return the constant k.
const BPF_RET_K = 0x06;

/**
 * Dropping privileges failed at `step` or did not take: the process may be half dropped and must not go on as if
 * it were not. `errno` is set when a call failed, `null` when a check afterwards found what did not take.
 *
 * @example
 * ```ts
 * throw new PrivilegeDropError("setresuid(65534, 65534, 65534)", 1);
 * // Cannot drop privileges: setresuid(65534, 65534, 65534) failed with EPERM (Operation not permitted)
 * ```
 */
export class PrivilegeDropError extends Error {
  /** The call or check that failed, e.g. `"setgroups(0, NULL)"`. */
  readonly step: string;
  /** The errno of the failed call, or `null` for a failed check. */
  readonly errno: number | null;
  /** The errno name (`"EPERM"`), or `null` for a failed check. */
  readonly code: string | null;

  /** Builds the error: from the errno of a failed call, or from `detail` saying what a check found. */
  constructor(step: string, errno: number | null, detail = "") {
    super(
      errno === null
        ? `Cannot drop privileges: ${step} ${detail}`
        : `Cannot drop privileges: ${step} failed with ${errnoName(errno)} (${strerror(errno)})`,
    );
    this.name = "PrivilegeDropError";
    this.step = step;
    this.errno = errno;
    this.code = errno === null ? null : errnoName(errno);
  }
}

/** The user and group a process drops to. */
export interface DropTarget {
  /** User id (not 0). */
  readonly uid: number;
  /** Group id; there will be no supplementary groups. */
  readonly gid: number;
}

/**
 * Irreversibly makes the whole process run as `target.uid`/`target.gid` with no supplementary groups, no
 * capabilities in any thread, and no_new_privs in every thread; then checks that all of it took (with getresuid,
 * getresgid, getgroups and every `/proc/self/task/<tid>/status`). Needs root (CAP_SETUID, CAP_SETGID, CAP_SETPCAP)
 * and `/proc`. Throws RangeError for uid 0 or an id out of range, before changing anything, and
 * {@linkcode PrivilegeDropError} when a step fails or did not take.
 *
 * Sockets and files opened before stay usable: the kernel checks privileges when they are opened.
 *
 * @example
 * ```ts
 * const tx = openRawSender(); // needs CAP_NET_RAW: open it first
 * dropPrivileges({ uid: 65534, gid: 65534 });
 * ```
 */
export function dropPrivileges(target: DropTarget): void {
  const { uid, gid } = target;
  for (const [name, id] of [["uid", uid], ["gid", gid]] as const) {
    // (uid_t)-1 means "leave unchanged" to setresuid(2): it is no target.
    if (!Number.isInteger(id) || id < 0 || id > 0xfffffffe) throw new RangeError(`Cannot drop to ${name} ${id}`);
  }
  if (uid === 0) throw new RangeError("Cannot drop to uid 0: dropping to root is not a drop");
  // Read before anything changes, so that a missing /proc fails with the process still whole.
  const lastCap = lastCapability();
  const c = libc();
  // Groups first: setgroups(2) and setresgid(2) need CAP_SETGID, which the uid change takes away.
  step(c.setgroups(0n, null), "setgroups(0, NULL)");
  step(c.setresgid(gid, gid, gid), `setresgid(${gid}, ${gid}, ${gid})`);
  // PR_CAPBSET_DROP needs CAP_SETPCAP, so before the uid change; every capability the kernel knows (prctl(2)).
  for (let cap = 0; cap <= lastCap; cap++) step(prctl(PR_CAPBSET_DROP, cap), `prctl(PR_CAPBSET_DROP, ${cap})`);
  step(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL), "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
  step(c.setresuid(uid, uid, uid), `setresuid(${uid}, ${uid}, ${uid})`);
  // The uid change emptied permitted and effective (unless SECBIT_KEEP_CAPS was set); inheritable it leaves alone.
  const header = new Uint32Array([_LINUX_CAPABILITY_VERSION_3, 0]);
  const data = new Uint32Array(6);
  step(c.capset(header, data), "capset(all sets empty)");
  step(prctl(PR_SET_NO_NEW_PRIVS, 1), "prctl(PR_SET_NO_NEW_PRIVS, 1)");
  spreadNoNewPrivs();
  verify(uid, gid);
}

/** The highest capability number the running kernel knows (capabilities(7), "/proc/sys/kernel/cap_last_cap"). */
function lastCapability(): number {
  const path = "/proc/sys/kernel/cap_last_cap";
  const text = new TextDecoder().decode(readFileBytes(path)).trim();
  // Capability sets are 64 bits wide (two 32-bit words in the version 3 ABI).
  if (!/^\d+$/.test(text) || Number(text) > 63) throw new PrivilegeDropError(`reading ${path}`, null, `gave "${text}"`);
  return Number(text);
}

/** prctl(2) with one argument; the unused ones are 0, as the options used here require. */
function prctl(option: number, arg: number): number {
  return libc().prctl(option, BigInt(arg), 0n, 0n, 0n);
}

/** Throws PrivilegeDropError with this thread's errno when a libc call returned -1. */
function step(ret: number, what: string): void {
  if (ret < 0) throw new PrivilegeDropError(what, lastErrno());
}

/**
 * Installs a filter that allows every system call, with TSYNC: seccomp(2) then gives it to every thread and sets
 * no_new_privs on each one, because the calling thread has it. The filter costs a few instructions a system call.
 */
function spreadNoNewPrivs(): void {
  const filter = encodeProgram([{ code: BPF_RET_K, jt: 0, jf: 0, k: SECCOMP_RET_ALLOW }]);
  const fprog = encodeFprog(filter);
  const what = "seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, allow all)";
  const ret = libc().syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog);
  if (ret < 0n) throw new PrivilegeDropError(what, lastErrno());
  // A positive result is the id of a thread that could not take the filter (it has an unrelated one).
  if (ret > 0n) throw new PrivilegeDropError(what, null, `could not reach thread ${ret}`);
}

/** Checks that the drop took in the calling thread (system calls) and in every thread (/proc). */
function verify(uid: number, gid: number): void {
  const c = libc();
  const ids = [new Uint32Array(1), new Uint32Array(1), new Uint32Array(1)];
  step(c.getresuid(ids[0], ids[1], ids[2]), "getresuid()");
  const uids = ids.map((a) => a[0]);
  if (uids.some((u) => u !== uid)) throw new PrivilegeDropError("getresuid()", null, `reports ${uids.join(", ")}`);
  step(c.getresgid(ids[0], ids[1], ids[2]), "getresgid()");
  const gids = ids.map((a) => a[0]);
  if (gids.some((g) => g !== gid)) throw new PrivilegeDropError("getresgid()", null, `reports ${gids.join(", ")}`);
  const groups = c.getgroups(0, null);
  if (groups !== 0) throw new PrivilegeDropError("getgroups()", null, `reports ${groups} supplementary groups`);
  const self = processCredentials("thread-self");
  if (self.capBnd !== 0n || self.capInh !== 0n) {
    const sets = `bounding 0x${self.capBnd.toString(16)}, inheritable 0x${self.capInh.toString(16)}`;
    throw new PrivilegeDropError("/proc/thread-self/status", null, `still shows capabilities (${sets})`);
  }
  for (const t of threadCredentials("self")) {
    const left = leftover(t, uid, gid);
    if (left !== null) throw new PrivilegeDropError(`/proc/self/task/${t.tid}/status`, null, `shows ${left}`);
  }
}

/** What in `t` is not fully dropped to `uid`/`gid`, or null. */
function leftover(t: Credentials, uid: number, gid: number): string | null {
  if (t.uid.some((u) => u !== uid)) return `uids ${t.uid.join(", ")}`;
  if (t.gid.some((g) => g !== gid)) return `gids ${t.gid.join(", ")}`;
  if (t.groups.length > 0) return `groups ${t.groups.join(", ")}`;
  const caps = t.capEff | t.capPrm | t.capAmb;
  if (caps !== 0n) return `capabilities 0x${caps.toString(16)} in effective, permitted or ambient`;
  if (!t.noNewPrivs) return "no_new_privs unset";
  return null;
}
