/**
 * The one libc symbol table of rawhttpget, opened lazily with `Deno.dlopen` (needs only `--allow-ffi`).
 *
 * Cost model (measured with Deno 2.9.6 on x86_64 Linux): a synchronous call costs ~0.2 µs, a `nonblocking: true`
 * call ~33 µs and runs on another thread, so `errno` read after it is stale. Rules of use:
 * - block only in `poll_async` (idle waits), `getaddrinfo_async` (DNS), `waitpid_async` (child processes),
 *   `write_async` and `pwrite_async` (large file chunks, see `File.writeAsync`/`File.pwriteAsync` in ffi/fs.ts);
 * - every other call is synchronous, and `errno` is read with `lastErrno()` (ffi/errno.ts) right after it.
 *
 * Types follow the x86_64 Linux ABI: `int` → `"i32"`, `size_t` → `"usize"`, `ssize_t` → `"isize"`, `off_t` → `"i64"`,
 * `uid_t`/`gid_t`/`socklen_t` → `"u32"`, byte arrays the caller owns → `"buffer"`, C-owned memory → `"pointer"`.
 * 64-bit integers (`usize`, `isize`, `i64`, `u64`) are `bigint` on both sides (measured: no slower than `i32` here).
 *
 * @module
 */

const SYMBOLS = {
  // --- sockets ---
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  recvfrom: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "buffer"], result: "isize" },
  recvmmsg: { parameters: ["i32", "buffer", "u32", "i32", "buffer"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  /** setsockopt on a worker thread, for options that block in the kernel (PACKET_RX_RING). errno after it is stale. */
  setsockopt_async: {
    name: "setsockopt",
    parameters: ["i32", "i32", "i32", "buffer", "u32"],
    result: "i32",
    nonblocking: true,
  },
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  if_nametoindex: { parameters: ["buffer"], result: "u32" },
  // --- unix sockets (the privileged helper's channel) ---
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  sendmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  getpeername: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  dup: { parameters: ["i32"], result: "i32" },
  // --- memory maps (the packet socket's receive ring, ffi/packet_ring.ts) ---
  mmap: { parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"], result: "pointer" },
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  /** Synchronous poll: use with a zero timeout only (exception: `runCommandSync`, an exit path). */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  /** Blocking poll on a worker thread; the Deno event loop keeps running. errno after it is stale. */
  poll_async: { name: "poll", parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  /** fcntl is variadic; the third argument is an int for F_GETFL/F_SETFL. */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  // --- name resolution ---
  getaddrinfo_async: {
    name: "getaddrinfo",
    parameters: ["buffer", "buffer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  freeaddrinfo: { parameters: ["pointer"], result: "void" },
  gai_strerror: { parameters: ["i32"], result: "pointer" },
  // --- errors ---
  __errno_location: { parameters: [], result: "pointer" },
  strerror: { parameters: ["i32"], result: "pointer" },
  // --- files ---
  /** open is variadic; the mode is passed as the third int argument. */
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /**
   * write(2) on a worker thread, so a slow disk or pipe does not stall the event loop; for large chunks only (~33 µs
   * a call). errno after it is stale: a failure is asked again with the synchronous `write` (see `File.writeAsync`).
   * The buffer must stay untouched until the promise settles.
   */
  write_async: { name: "write", parameters: ["i32", "buffer", "usize"], result: "isize", nonblocking: true },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  pwrite: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  /**
   * pwrite(2) on a worker thread, as `write_async` is for write(2): large chunks of a file written at many offsets
   * (parallel ranged downloads). errno after it is stale (see `File.pwriteAsync`).
   */
  pwrite_async: { name: "pwrite", parameters: ["i32", "buffer", "usize", "i64"], result: "isize", nonblocking: true },
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  fsync: { parameters: ["i32"], result: "i32" },
  rename: { parameters: ["buffer", "buffer"], result: "i32" },
  unlink: { parameters: ["buffer"], result: "i32" },
  chown: { parameters: ["buffer", "u32", "u32"], result: "i32" },
  fchown: { parameters: ["i32", "u32", "u32"], result: "i32" },
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
  stat: { parameters: ["buffer", "buffer"], result: "i32" },
  /** utimensat(dirfd, path, times[2], flags): sets a file's access and modification times. */
  utimensat: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  mkdir: { parameters: ["buffer", "u32"], result: "i32" },
  access: { parameters: ["buffer", "i32"], result: "i32" },
  /** opendir/readdir/closedir: a directory's entries (`DIR *` and `struct dirent *` are C-owned memory). */
  opendir: { parameters: ["buffer"], result: "pointer" },
  readdir: { parameters: ["pointer"], result: "pointer" },
  closedir: { parameters: ["pointer"], result: "i32" },
  // --- process ---
  getenv: { parameters: ["buffer"], result: "pointer" },
  isatty: { parameters: ["i32"], result: "i32" },
  getuid: { parameters: [], result: "u32" },
  geteuid: { parameters: [], result: "u32" },
  getgid: { parameters: [], result: "u32" },
  getegid: { parameters: [], result: "u32" },
  getpid: { parameters: [], result: "i32" },
  posix_spawnp: { parameters: ["buffer", "buffer", "buffer", "pointer", "buffer", "pointer"], result: "i32" },
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  posix_spawn_file_actions_adddup2: { parameters: ["buffer", "i32", "i32"], result: "i32" },
  posix_spawn_file_actions_addopen: { parameters: ["buffer", "i32", "buffer", "i32", "u32"], result: "i32" },
  posix_spawn_file_actions_addclose: { parameters: ["buffer", "i32"], result: "i32" },
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  /** glibc 2.34+: closes every descriptor from the given one up in the child. */
  posix_spawn_file_actions_addclosefrom_np: { parameters: ["buffer", "i32"], result: "i32" },
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** Blocking waitpid on a worker thread. */
  waitpid_async: { name: "waitpid", parameters: ["i32", "buffer", "i32"], result: "i32", nonblocking: true },
  kill: { parameters: ["i32", "i32"], result: "i32" },
  /** `char **environ`: the value is read once, when the library is opened. */
  environ: { type: "pointer" },
  // --- credentials ---
  /** Return an errno value, not -1; 0 with a NULL `*result` when there is no such user (getpwnam_r(3)). */
  getpwnam_r: { parameters: ["buffer", "buffer", "buffer", "usize", "buffer"], result: "i32" },
  getpwuid_r: { parameters: ["u32", "buffer", "buffer", "usize", "buffer"], result: "i32" },
  sysconf: { parameters: ["i32"], result: "i64" },
  /** glibc's set*id wrappers change every thread of the process (it signals each one: nptl "setxid"). */
  setgroups: { parameters: ["usize", "buffer"], result: "i32" },
  getgroups: { parameters: ["i32", "buffer"], result: "i32" },
  setresuid: { parameters: ["u32", "u32", "u32"], result: "i32" },
  setresgid: { parameters: ["u32", "u32", "u32"], result: "i32" },
  getresuid: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  getresgid: { parameters: ["buffer", "buffer", "buffer"], result: "i32" },
  /** prctl is variadic; declared with the four `unsigned long` arguments every option reads (prctl(2)). */
  prctl: { parameters: ["i32", "u64", "u64", "u64", "u64"], result: "i32" },
  /** Changes the calling thread only (capabilities(7)). */
  capset: { parameters: ["buffer", "buffer"], result: "i32" },
  /**
   * syscall(2) is variadic; declared as (number, two integers, a pointer), the shape of seccomp(2). glibc's x86_64
   * wrapper is assembly that shifts the argument registers, so fixed parameters pass through unchanged.
   */
  syscall: { parameters: ["i64", "u64", "u64", "buffer"], result: "i64" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The typed libc symbols returned by {@linkcode libc}. */
export type Libc = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

let opened: Libc | null = null;

/**
 * Returns the libc symbols. Each is bound on its first use, by a `Deno.dlopen` of that symbol alone: binding costs
 * ~0.2 ms a symbol (Deno prepares a call stub for each), ~18 ms for the whole table, of which a run uses a third and
 * the privileged helper a fifth. Once bound, a symbol is a plain property, called as fast as before.
 *
 * @example
 * ```ts
 * const pid = libc().getpid();
 * ```
 */
export function libc(): Libc {
  if (opened === null) opened = lazySymbols();
  return opened;
}

/** This thread's `errno`, read through a view made with the libc table (see ffi/errno.ts `lastErrno`). */
let errnoView: Deno.UnsafePointerView | null = null;

/**
 * The view of this thread's `errno` (errno lives in thread-local storage; its address is fixed for this thread, and a
 * module instance belongs to one thread), made when the libc table was.
 *
 * @example
 * ```ts
 * errnoCell().getInt32(0); // errno now
 * ```
 */
export function errnoCell(): Deno.UnsafePointerView {
  libc();
  return errnoView!;
}

function lazySymbols(): Libc {
  const symbols: Record<string, unknown> = {};
  // errno's own accessor is bound now: binding it after a failed call would run dlopen between that call and the
  // reading of its errno, and dlopen sets errno (ENOENT from its search of the library path).
  const eager = new Set<string>(["__errno_location"]);
  for (const name of eager) {
    const key = name as keyof typeof SYMBOLS;
    symbols[name] = Deno.dlopen("libc.so.6", { [key]: SYMBOLS[key] }).symbols[key];
  }
  // Called once now, and its view made now: whatever the runtime does at a symbol's first call, or at the first
  // pointer view, must not happen between a failed call and the reading of its errno either (a view made at the
  // first read once gave ENOENT for a failed close(-1) in CI).
  errnoView = new Deno.UnsafePointerView((symbols.__errno_location as () => Deno.PointerValue)()!);
  for (const name of Object.keys(SYMBOLS) as (keyof typeof SYMBOLS)[]) {
    if (eager.has(name)) continue;
    Object.defineProperty(symbols, name, {
      configurable: true,
      enumerable: true,
      get() {
        const bound = Deno.dlopen("libc.so.6", { [name]: SYMBOLS[name] }).symbols[name];
        Object.defineProperty(symbols, name, { value: bound, enumerable: true });
        return bound;
      },
    });
  }
  return symbols as Libc;
}

const encoder = new TextEncoder();

/** A lone low surrogate U+DC80…U+DCFF: a byte that is not UTF-8, carried in a string (src/http/charset.ts). */
const ESCAPED_BYTE = /(?<![\ud800-\udbff])[\udc80-\udcff]/;

/**
 * Encodes a string as a NUL-terminated UTF-8 buffer for a `const char *` argument. A lone surrogate U+DC80…U+DCFF
 * stands for the byte 0x80…0xFF (a file name that is not UTF-8, e.g. in ISO-8859-1) and is written as that byte.
 *
 * @example
 * ```ts
 * libc().unlink(cString("/tmp/x"));
 * ```
 */
export function cString(s: string): Uint8Array<ArrayBuffer> {
  if (s.includes("\0")) throw new TypeError(`Cannot pass "${s.replaceAll("\0", "\\0")}" to C: it contains a NUL byte`);
  if (ESCAPED_BYTE.test(s)) {
    const parts = s.split(new RegExp(`(${ESCAPED_BYTE.source})`)).map((part, i) =>
      i % 2 === 1 ? Uint8Array.of(part.charCodeAt(0) - 0xdc00) : encoder.encode(part)
    );
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0) + 1);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  const bytes = new Uint8Array(encoder.encode(s).length + 1);
  encoder.encodeInto(s, bytes);
  return bytes;
}

/**
 * Reads a NUL-terminated C string from C-owned memory, or returns `undefined` for a null pointer.
 *
 * @example
 * ```ts
 * readCString(libc().getenv(cString("HOME")));
 * ```
 */
export function readCString(ptr: Deno.PointerValue): string | undefined {
  return ptr === null ? undefined : Deno.UnsafePointerView.getCString(ptr);
}
