import { equal, match, ok } from "node:assert/strict";
import { EBADF, errnoName, lastErrno } from "../../ffi/errno.ts";
import { libc } from "../../ffi/libc.ts";
import { check, OsError, PRIVILEGE_MESSAGE, PrivilegeError } from "../../ffi/os_error.ts";
import { exec } from "../_support/exec.ts";
import { withTempDir } from "../_support/files.ts";
import { denoRun } from "../_support/program.ts";
import { asNobody, networkTest } from "../_support/root.ts";
import { HERE } from "./_helpers.ts";

Deno.test("check() turns close(-1) into an OsError with EBADF and the call", () => {
  let err: unknown;
  try {
    check(libc().close(-1), "close", "-1");
  } catch (e) {
    err = e;
  }
  ok(err instanceof OsError);
  equal(err.errno, EBADF);
  equal(err.code, "EBADF");
  equal(err.call, "close");
  equal(err.message, "EBADF from close(-1): Bad file descriptor");
});

Deno.test("lastErrno() reads errno right after a failing synchronous call", () => {
  equal(libc().close(-1), -1);
  equal(lastErrno(), EBADF);
});

Deno.test("errnoName() knows the Linux names and falls back to E<n>", () => {
  equal(errnoName(1), "EPERM");
  equal(errnoName(28), "ENOSPC");
  equal(errnoName(111), "ECONNREFUSED");
  equal(errnoName(113), "EHOSTUNREACH");
  equal(errnoName(41), "E41");
  equal(errnoName(999), "E999");
});

Deno.test("OsError formats the call as in the contract", () => {
  equal(
    new OsError(1, "socket", "AF_INET, SOCK_RAW, IPPROTO_RAW").message,
    "EPERM from socket(AF_INET, SOCK_RAW, IPPROTO_RAW): Operation not permitted",
  );
  const p = new PrivilegeError(1, "socket", "AF_INET, SOCK_RAW, IPPROTO_RAW");
  ok(p instanceof OsError);
  equal(p.message, "raw sockets need root or CAP_NET_RAW: run with sudo");
  equal(p.code, "EPERM");
});

networkTest("an unprivileged process opening a raw socket gets the PrivilegeError sentence", async () => {
  // The child runs as nobody (no capabilities); DENO_DIR must be writable by it.
  await withTempDir("rhg-ffi-denodir-", async (denoDir) => {
    await Deno.chmod(denoDir, 0o777);
    const r = await exec([...asNobody(denoDir), ...denoRun(HERE + "_privilege_child.ts")]);
    equal(r.code, 0, r.stderr);
    equal(r.stdout.trim(), `PrivilegeError EPERM socket: ${PRIVILEGE_MESSAGE}`);
    match(r.stdout, /^PrivilegeError/);
  });
});
