/**
 * CPU affinity of the calling thread (`sched_getaffinity`/`sched_setaffinity` with pid 0), as `cpu_set_t` bytes.
 *
 * @module
 */

import { libc } from "./libc.ts";

/** Bytes of the CPU sets used here (room for 1024 CPUs, glibc's `cpu_set_t`). */
export const CPU_SET_BYTES = 128;

/** The calling thread's CPU set, or null when the kernel refuses to tell. */
export function threadCpus(): Uint8Array<ArrayBuffer> | null {
  const set = new Uint8Array(CPU_SET_BYTES);
  return libc().sched_getaffinity(0, BigInt(CPU_SET_BYTES), set) === 0 ? set : null;
}

/** Restricts the calling thread to `set`; returns false when the kernel refuses (e.g. outside the cgroup's CPUs). */
export function setThreadCpus(set: Uint8Array): boolean {
  const copy = new Uint8Array(CPU_SET_BYTES);
  copy.set(set.subarray(0, CPU_SET_BYTES));
  return libc().sched_setaffinity(0, BigInt(CPU_SET_BYTES), copy) === 0;
}

/** The CPU the calling thread runs on now. */
export function currentCpu(): number {
  return libc().sched_getcpu();
}

/** A set of the one CPU `cpu`. */
export function cpuSetOf(cpu: number): Uint8Array<ArrayBuffer> {
  const set = new Uint8Array(CPU_SET_BYTES);
  set[cpu >> 3] |= 1 << (cpu & 7);
  return set;
}

/** `set` without CPU `cpu`, or null when nothing would be left. */
export function cpuSetWithout(set: Uint8Array, cpu: number): Uint8Array<ArrayBuffer> | null {
  const rest = new Uint8Array(CPU_SET_BYTES);
  rest.set(set.subarray(0, CPU_SET_BYTES));
  rest[cpu >> 3] &= ~(1 << (cpu & 7));
  return rest.some((b) => b !== 0) ? rest : null;
}
