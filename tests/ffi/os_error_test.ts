import { equal, match, ok } from "node:assert/strict";
import { EBADF, errnoName, lastErrno } from "../../ffi/errno.ts";
import { libc } from "../../ffi/libc.ts";
import { check, OsError, PRIVILEGE_MESSAGE, PrivilegeError } from "../../ffi/os_error.ts";
import { DENO, HERE, requireRoot, run } from "./_helpers.ts";

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

Deno.test("an unprivileged process opening a raw socket gets the PrivilegeError sentence", async () => {
  if (!requireRoot()) return;
  // The child runs as nobody (no capabilities); DENO_DIR must be writable by it.
  const denoDir = await Deno.makeTempDir({ prefix: "rhg-ffi-denodir-" });
  try {
    await Deno.chmod(denoDir, 0o777);
    const r = await run("setpriv", [
      "--reuid=nobody",
      "--regid=nogroup",
      "--clear-groups",
      "--inh-caps=-all",
      "env",
      `DENO_DIR=${denoDir}`,
      "HOME=/nonexistent",
      DENO,
      "run",
      "--allow-ffi",
      HERE + "_privilege_child.ts",
    ]);
    equal(r.code, 0, r.stderr);
    equal(r.stdout.trim(), `PrivilegeError EPERM socket: ${PRIVILEGE_MESSAGE}`);
    match(r.stdout, /^PrivilegeError/);
  } finally {
    await Deno.remove(denoDir, { recursive: true });
  }
});
