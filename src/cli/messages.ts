/**
 * Turns any error into one plain sentence for the user and a wget exit code. Only `main.ts` uses this.
 *
 * @module
 */

import { BindError, OsError, PrivilegeError, ResolveError, RouteError } from "../../ffi/mod.ts";
import {
  AuthError,
  BodyFileError,
  FileChangedError,
  ProxyError,
  RangeMismatchError,
  RedirectError,
  ServerStatusError,
  TlsError,
} from "../fetch/mod.ts";
import { HttpError, UrlError } from "../http/mod.ts";
import { ConnectionError, FirewallError } from "../transport/mod.ts";
import { WireError } from "../wire/mod.ts";
import { ExitCode, type ExitCodeValue } from "./exit_codes.ts";
import { UsageError } from "./options.ts";
import { OptionConflictError } from "./request_options.ts";
import { WgetrcError } from "./wgetrc.ts";

/** A sentence and an exit code. */
export interface Failure {
  /** One plain sentence, no stack trace. */
  readonly message: string;
  /** wget's exit code for it. */
  readonly code: ExitCodeValue;
}

const FILE_CALLS = new Set([
  "open",
  "write",
  "pwrite",
  "rename",
  "unlink",
  "access",
  "fchown",
  "ftruncate",
  "fsync",
  "mkdir",
  "stat",
]);

/** The one sentence for a program started without `--allow-ffi`. */
export const FFI_PERMISSION_MESSAGE =
  "rawhttpget needs --allow-ffi: it reaches the network through libc (run: sudo deno run --allow-ffi main.ts URL)";

/** Maps an error to what the user sees. */
export function describeFailure(e: unknown): Failure {
  if (e instanceof UsageError) return { message: e.message, code: ExitCode.Usage };
  // wget exits 1 for options it refuses to combine (--post-data with --method, …), 3 for a body file it cannot read.
  if (e instanceof OptionConflictError) return { message: e.message, code: ExitCode.Generic };
  if (e instanceof BodyFileError) return { message: e.message, code: ExitCode.FileIo };
  // wget: a bad wgetrc line or --config FILE is a parse error (2); a $WGETRC that cannot be read is generic (1).
  if (e instanceof WgetrcError) {
    return { message: e.message, code: e.reason === "no-wgetrc" ? ExitCode.Generic : ExitCode.Usage };
  }
  if (e instanceof PrivilegeError) return { message: e.message, code: ExitCode.Generic };
  if (e instanceof UrlError) return { message: e.message, code: ExitCode.Generic };
  if (e instanceof ResolveError || e instanceof RouteError || e instanceof BindError) {
    return { message: e.message, code: ExitCode.Network };
  }
  // wget retries a 504 and a 206 for the wrong range, then gives up as after a network failure (4), even with -t 1.
  if ((e instanceof ServerStatusError && e.transient) || e instanceof RangeMismatchError) {
    return { message: e.message, code: ExitCode.Network };
  }
  if (e instanceof ServerStatusError || e instanceof RedirectError || e instanceof FileChangedError) {
    return { message: e.message, code: ExitCode.ServerError };
  }
  if (e instanceof HttpError || e instanceof WireError) return { message: e.message, code: ExitCode.Protocol };
  if (e instanceof ConnectionError) {
    if (e.reason === "interrupted") return { message: e.message, code: ExitCode.Interrupted };
    return { message: e.message, code: ExitCode.Network };
  }
  // wget: a certificate that does not verify (or an unusable CA file) is 5; a handshake that fails is a network error.
  // wget exits 1 when a TLS file it must load (its CRL file) cannot be loaded.
  if (e instanceof TlsError && e.reason === "tls-file") return { message: e.message, code: ExitCode.Generic };
  if (e instanceof TlsError) return { message: e.message, code: e.isVerification ? ExitCode.Tls : ExitCode.Network };
  // wget 1.21 exits 8 for a proxy URL it cannot use ("Must be HTTP"), and 4 for a proxy that refuses the tunnel.
  if (e instanceof AuthError) return { message: e.message, code: ExitCode.Auth };
  if (e instanceof ProxyError) {
    return { message: e.message, code: e.reason === "tunnel" ? ExitCode.Network : ExitCode.ServerError };
  }
  if (e instanceof FirewallError) return { message: e.message, code: ExitCode.Generic };
  if (e instanceof OsError) {
    if (FILE_CALLS.has(e.call)) return { message: fileMessage(e), code: ExitCode.FileIo };
    return { message: e.message, code: ExitCode.Generic };
  }
  if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
    const ffi = /--allow-ffi|ffi access/i.test((e as Error).message);
    const message = ffi ? FFI_PERMISSION_MESSAGE : `Deno refused a permission: ${(e as Error).message}`;
    return { message, code: ExitCode.Generic };
  }
  return { message: e instanceof Error ? e.message : String(e), code: ExitCode.Generic };
}

function fileMessage(e: OsError): string {
  const target = e.args.split(",")[0];
  switch (e.code) {
    case "ENOSPC":
      return `Cannot write ${target}: no space left on the device`;
    case "EACCES":
    case "EPERM":
      return `Cannot write ${target}: permission denied`;
    case "ENOENT":
      return `Cannot write ${target}: the directory does not exist`;
    case "EEXIST":
    case "ENOTDIR":
      return `Cannot create directory ${target}: a file of that name is in the way`;
    default:
      return `Cannot write ${target}: ${e.message}`;
  }
}
