/**
 * Whom the download runs as once its sockets can be opened by the helper: a pure decision from the process's ids,
 * the sudo variables and the options, returned as a verdict.
 *
 * - Not root: nothing to drop (opening the raw sockets will fail and say so, as before).
 * - `--no-drop-privileges`: stay root (for debugging).
 * - `--user-drop NAME`: that user, whatever else holds.
 * - Under sudo (`SUDO_UID` of a user other than root): that user and `SUDO_GID`, so files are simply theirs.
 * - Plain root: `nobody`, as `tcpdump -Z` does (uid/gid 65534 when the system has no such entry).
 *
 * @module
 */

/** A user as the password database knows it. */
export interface KnownUser {
  /** Login name. */
  readonly name: string;
  /** User id. */
  readonly uid: number;
  /** Primary group id. */
  readonly gid: number;
}

/** What the decision reads. */
export interface DropFacts {
  /** Our effective user id. */
  readonly euid: number;
  /** `SUDO_UID` and `SUDO_GID` as found in the environment. */
  readonly sudoUid?: string;
  readonly sudoGid?: string;
  /** `--user-drop NAME`. */
  readonly userDrop?: string;
  /** `--no-drop-privileges`. */
  readonly noDrop?: boolean;
}

/** The decision. */
export type DropVerdict =
  | { readonly kind: "stay"; readonly why: "not root" | "asked" }
  | {
    readonly kind: "drop";
    readonly uid: number;
    readonly gid: number;
    readonly user: string;
    readonly why: "sudo" | "user-drop" | "default";
  }
  | { readonly kind: "refuse"; readonly message: string };

/** The user plain root drops to by default, and the ids used when the system has no entry for it. */
export const DEFAULT_DROP_USER = "nobody";
const OVERFLOW_ID = 65534;

const isId = (text: string | undefined): boolean =>
  text !== undefined && /^\d{1,10}$/.test(text) && Number(text) < 2 ** 32 - 1;

/**
 * Decides whom to run as; `lookup` finds a user by name, `lookupUid` by id (the password database, or a table in
 * tests).
 *
 * @example
 * ```ts
 * planDrop({ euid: 0, sudoUid: "1000", sudoGid: "1000" }, lookupUser, lookupUid);
 * // { kind: "drop", uid: 1000, gid: 1000, user: "alice", why: "sudo" }
 * ```
 */
export function planDrop(
  facts: DropFacts,
  lookup: (name: string) => KnownUser | null,
  lookupUid: (uid: number) => KnownUser | null,
): DropVerdict {
  if (facts.euid !== 0) return { kind: "stay", why: "not root" };
  if (facts.noDrop) return { kind: "stay", why: "asked" };
  if (facts.userDrop !== undefined) {
    const user = isId(facts.userDrop) ? lookupUid(Number(facts.userDrop)) : lookup(facts.userDrop);
    if (user === null) {
      return { kind: "refuse", message: `Cannot drop root to user '${facts.userDrop}': there is no such user.` };
    }
    if (user.uid === 0) {
      return {
        kind: "refuse",
        message: `Cannot drop root to user '${facts.userDrop}': it is root (pass --no-drop-privileges to stay root).`,
      };
    }
    return { kind: "drop", uid: user.uid, gid: user.gid, user: user.name, why: "user-drop" };
  }
  if (isId(facts.sudoUid) && Number(facts.sudoUid) !== 0) {
    const uid = Number(facts.sudoUid);
    const known = lookupUid(uid);
    const gid = isId(facts.sudoGid) ? Number(facts.sudoGid) : known?.gid;
    if (gid === undefined) {
      return { kind: "refuse", message: `Cannot drop root to the sudo user (uid ${uid}): SUDO_GID is not a group id.` };
    }
    return { kind: "drop", uid, gid, user: known?.name ?? `uid ${uid}`, why: "sudo" };
  }
  const nobody = lookup(DEFAULT_DROP_USER);
  if (nobody !== null && nobody.uid !== 0) {
    return { kind: "drop", uid: nobody.uid, gid: nobody.gid, user: nobody.name, why: "default" };
  }
  return { kind: "drop", uid: OVERFLOW_ID, gid: OVERFLOW_ID, user: DEFAULT_DROP_USER, why: "default" };
}
