/**
 * The user database (passwd, through NSS) by name or by uid, with the reentrant `getpwnam_r`/`getpwuid_r`: the
 * non-reentrant forms return a static buffer another thread's lookup may overwrite.
 *
 * @module
 */

import { ENOENT, ESRCH } from "./errno.ts";
import { cString, libc } from "./libc.ts";
import { OsError } from "./os_error.ts";

/** One entry of the user database. */
export interface User {
  /** Login name, e.g. `"nobody"`. */
  readonly name: string;
  /** User id. */
  readonly uid: number;
  /** Primary group id. */
  readonly gid: number;
  /** Home directory, e.g. `"/nonexistent"`. */
  readonly home: string;
}

const ERANGE = 34;
const _SC_GETPW_R_SIZE_MAX = 70;
// struct passwd (x86_64): pw_name 0, pw_passwd 8, pw_uid u32 16, pw_gid u32 20, pw_gecos 24, pw_dir 32, pw_shell 40.
const PASSWD_LEN = 48;
// sysconf may answer -1 ("no fixed limit"); start there and double on ERANGE up to a bound no real entry reaches.
const FALLBACK_SIZE = 16384;
const MAX_SIZE = 1 << 24;

/**
 * Looks a user up by login name (getpwnam_r(3)); `null` when there is none.
 *
 * @example
 * ```ts
 * lookupUser("nobody"); // { name: "nobody", uid: 65534, gid: 65534, home: "/nonexistent" }
 * lookupUser("no-such-user-xyz"); // null
 * ```
 */
export function lookupUser(name: string): User | null {
  const cName = cString(name);
  return lookup(
    "getpwnam_r",
    `"${name}"`,
    (pwd, buf, result) => libc().getpwnam_r(cName, pwd, buf, BigInt(buf.length), result),
  );
}

/**
 * Looks a user up by uid (getpwuid_r(3)); `null` when no entry has it (a bare numeric uid is still a valid uid).
 *
 * @example
 * ```ts
 * lookupUid(0)?.name; // "root"
 * ```
 */
export function lookupUid(uid: number): User | null {
  if (!Number.isInteger(uid) || uid < 0 || uid > 0xfffffffe) throw new RangeError(`Cannot look up uid ${uid}`);
  return lookup(
    "getpwuid_r",
    `${uid}`,
    (pwd, buf, result) => libc().getpwuid_r(uid, pwd, buf, BigInt(buf.length), result),
  );
}

type Call = (pwd: Uint8Array<ArrayBuffer>, buf: Uint8Array<ArrayBuffer>, result: Uint8Array<ArrayBuffer>) => number;

function lookup(call: string, describe: string, fn: Call): User | null {
  const hint = Number(libc().sysconf(_SC_GETPW_R_SIZE_MAX));
  for (let size = hint > 0 ? hint : FALLBACK_SIZE;; size *= 2) {
    const pwd = new Uint8Array(PASSWD_LEN);
    const buf = new Uint8Array(size);
    const result = new Uint8Array(8);
    const rc = fn(pwd, buf, result);
    // The string buffer was too small for this entry (a long gecos or home); try again with twice the room.
    if (rc === ERANGE && size < MAX_SIZE) continue;
    // getpwnam(3), NOTES: besides 0, some NSS modules report "not found" as ENOENT or ESRCH.
    if (rc === ENOENT || rc === ESRCH) return null;
    if (rc !== 0) throw new OsError(rc, call, describe);
    if (new DataView(result.buffer).getBigUint64(0, true) === 0n) return null;
    const view = new DataView(pwd.buffer);
    // The strings live in `buf`, which is still alive here.
    const text = (offset: number) => {
      const ptr = Deno.UnsafePointer.create(view.getBigUint64(offset, true));
      return ptr === null ? "" : Deno.UnsafePointerView.getCString(ptr);
    };
    return { name: text(0), uid: view.getUint32(16, true), gid: view.getUint32(20, true), home: text(32) };
  }
}
