/**
 * What the kernel says a process or each of its threads runs as: ids, groups, capability sets, no_new_privs and
 * seccomp mode, from `/proc/<pid>/status` and `/proc/<pid>/task/<tid>/status` (proc(5)), read through libc.
 *
 * Credentials belong to threads, not processes (credentials(7)): `/proc/<pid>/status` shows the thread group
 * leader (the main thread), so a claim about "the process" has to be checked in every task.
 *
 * @module
 */

import { ENOENT, ESRCH } from "./errno.ts";
import { listDirectory, openFile } from "./fs.ts";
import { OsError } from "./os_error.ts";
import { lookupUid } from "./passwd.ts";

/** Ids, groups and capability sets of one thread, as `/proc/.../status` lists them. */
export interface Credentials {
  /** Real, effective, saved set and filesystem user id. */
  readonly uid: readonly [number, number, number, number];
  /** Real, effective, saved set and filesystem group id. */
  readonly gid: readonly [number, number, number, number];
  /** Supplementary group ids. */
  readonly groups: readonly number[];
  /** Effective capabilities: what the kernel checks (capabilities(7)), bit n for capability n. */
  readonly capEff: bigint;
  /** Permitted capabilities: what the thread may make effective. */
  readonly capPrm: bigint;
  /** Inheritable capabilities: what execve may pass on with a file's inheritable set. */
  readonly capInh: bigint;
  /** Capability bounding set: the limit of what execve may grant. */
  readonly capBnd: bigint;
  /** Ambient capabilities: kept across execve of an unprivileged program. */
  readonly capAmb: bigint;
  /** Whether execve can no longer grant privileges (set-user-ID bits and file capabilities are ignored). */
  readonly noNewPrivs: boolean;
  /** Seccomp mode: 0 none, 1 strict, 2 filter. */
  readonly seccomp: number;
}

/** {@linkcode Credentials} of one thread, with its id and name. */
export interface ThreadCredentials extends Credentials {
  /** Thread id. */
  readonly tid: number;
  /** Thread name (`Name:`; e.g. `"tokio-runtime-w"`), at most 15 bytes. */
  readonly name: string;
}

/**
 * Parses the text of a `/proc/<pid>/status` file; lines it does not need are ignored. Throws `SyntaxError` naming
 * the first field that is missing or malformed.
 *
 * @example
 * ```ts
 * parseProcStatus("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t\n…").uid; // [0, 0, 0, 0]
 * ```
 */
export function parseProcStatus(text: string): Credentials {
  const fields = statusFields(text);
  return {
    uid: idQuad(fields, "Uid"),
    gid: idQuad(fields, "Gid"),
    groups: numbers(fields, "Groups"),
    capEff: capSet(fields, "CapEff"),
    capPrm: capSet(fields, "CapPrm"),
    capInh: capSet(fields, "CapInh"),
    capBnd: capSet(fields, "CapBnd"),
    capAmb: capSet(fields, "CapAmb"),
    noNewPrivs: flag(fields, "NoNewPrivs") === 1,
    seccomp: flag(fields, "Seccomp"),
  };
}

/**
 * The credentials of a process's main thread, from `/proc/<pid>/status` (`"self"`: this process; `"thread-self"`:
 * the calling thread, which differs from the main one in a worker).
 *
 * @example
 * ```ts
 * processCredentials().capEff === 0n; // no effective capabilities
 * ```
 */
export function processCredentials(pid: number | "self" | "thread-self" = "self"): Credentials {
  return parseProcStatus(readStatus(`/proc/${pid}/status`));
}

/**
 * The credentials of every thread of a process, from `/proc/<pid>/task/<tid>/status`, in tid order. A thread that
 * exits while they are read is left out.
 *
 * @example
 * ```ts
 * threadCredentials().every((t) => t.noNewPrivs);
 * ```
 */
export function threadCredentials(pid: number | "self" = "self"): ThreadCredentials[] {
  const tids = listDirectory(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b);
  const threads: ThreadCredentials[] = [];
  for (const tid of tids) {
    let text: string;
    try {
      text = readStatus(`/proc/${pid}/task/${tid}/status`);
    } catch (e) {
      if (e instanceof OsError && (e.errno === ENOENT || e.errno === ESRCH)) continue;
      throw e;
    }
    threads.push({ tid, name: statusFields(text).get("Name") ?? "", ...parseProcStatus(text) });
  }
  return threads;
}

/**
 * One sentence for `-v` on who the process runs as: its effective user (named when the user database knows the uid;
 * `user` overrides the lookup), the capabilities it still holds, and no_new_privs.
 *
 * @example
 * ```ts
 * describeCredentials(processCredentials());
 * // "Running as user nobody (uid 65534, gid 65534) with no capabilities and no_new_privs."
 * ```
 */
export function describeCredentials(c: Credentials, user: string | null = lookupUid(c.uid[1])?.name ?? null): string {
  const groups = `gid ${c.gid[1]}${c.groups.length > 0 ? `, groups ${c.groups.join(" ")}` : ""}`;
  const who = user === null ? `uid ${c.uid[1]} (${groups})` : `user ${user} (uid ${c.uid[1]}, ${groups})`;
  const sets = { effective: c.capEff, permitted: c.capPrm, inheritable: c.capInh, ambient: c.capAmb };
  const held = Object.entries(sets).filter(([, set]) => set !== 0n).map(([kind, set]) =>
    `${kind} 0x${set.toString(16)}`
  );
  const caps = held.length === 0 ? "no capabilities" : `capabilities left (${held.join(", ")})`;
  return `Running as ${who} with ${caps} and ${c.noNewPrivs ? "no_new_privs" : "without no_new_privs"}.`;
}

// A status file is about 1.5 KiB; a small buffer read in a loop (proc files may come in pieces).
const CHUNK = 2048;

function readStatus(path: string): string {
  const f = openFile(path);
  try {
    const decoder = new TextDecoder();
    const buf = new Uint8Array(CHUNK);
    let text = "";
    for (let n = f.read(buf); n > 0; n = f.read(buf)) text += decoder.decode(buf.subarray(0, n), { stream: true });
    return text + decoder.decode();
  } finally {
    f.close();
  }
}

function statusFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

function field(fields: Map<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined) throw new SyntaxError(`Cannot parse a /proc status file: the "${name}" line is missing`);
  return value;
}

function numbers(fields: Map<string, string>, name: string): number[] {
  const value = field(fields, name);
  if (value === "") return [];
  return value.split(/\s+/).map((word) => {
    if (!/^\d{1,10}$/.test(word)) throw new SyntaxError(`Cannot parse a /proc status file: ${name} "${value}"`);
    return Number(word);
  });
}

function idQuad(fields: Map<string, string>, name: string): [number, number, number, number] {
  const ids = numbers(fields, name);
  if (ids.length !== 4) throw new SyntaxError(`Cannot parse a /proc status file: ${name} "${field(fields, name)}"`);
  return [ids[0], ids[1], ids[2], ids[3]];
}

function capSet(fields: Map<string, string>, name: string): bigint {
  const value = field(fields, name);
  // The kernel prints each set as 16 hex digits (fs/proc/array.c, render_cap_t).
  if (!/^[0-9a-f]{16}$/.test(value)) throw new SyntaxError(`Cannot parse a /proc status file: ${name} "${value}"`);
  return BigInt(`0x${value}`);
}

function flag(fields: Map<string, string>, name: string): number {
  const value = field(fields, name);
  if (!/^\d$/.test(value)) throw new SyntaxError(`Cannot parse a /proc status file: ${name} "${value}"`);
  return Number(value);
}
