/**
 * A fresh process's libc table, looked at before and after a first call: prints JSON saying which symbols were bound
 * (a data property) and which were still waiting for their first use (a getter), and the errno a failing first call
 * left.
 */

import { errnoName, lastErrno, strayErrno } from "../../ffi/errno.ts";
import { libc } from "../../ffi/libc.ts";

const bound = (name: string) => "value" in Object.getOwnPropertyDescriptor(libc(), name)!;
const before = { errno: bound("__errno_location"), close: bound("close"), fsync: bound("fsync") };
libc().close(-1);
let first = lastErrno();
// As the program reads a failed socket call's errno: a value close() cannot return was left by something else between
// the call and its reading (ffi/errno.ts strayErrno); asked again, the kernel says what it says.
const stray = strayErrno(first);
if (stray) {
  libc().close(-1);
  first = lastErrno();
}
const errno = errnoName(first);
const after = { errno: bound("__errno_location"), close: bound("close"), fsync: bound("fsync") };
if (stray) console.error("a stray errno was read after the first close(-1)");
console.log(JSON.stringify({ before, errno, after }));
