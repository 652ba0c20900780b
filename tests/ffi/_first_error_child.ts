/**
 * A fresh process's libc table, looked at before and after a first call: prints JSON saying which symbols were bound
 * (a data property) and which were still waiting for their first use (a getter), and the errno a failing first call
 * left.
 */

import { errnoName, lastErrno } from "../../ffi/errno.ts";
import { libc } from "../../ffi/libc.ts";

const bound = (name: string) => "value" in Object.getOwnPropertyDescriptor(libc(), name)!;
const before = { errno: bound("__errno_location"), close: bound("close"), fsync: bound("fsync") };
libc().close(-1);
const errno = errnoName(lastErrno());
const after = { errno: bound("__errno_location"), close: bound("close"), fsync: bound("fsync") };
console.log(JSON.stringify({ before, errno, after }));
