/**
 * Classic BPF opcodes (linux/filter.h, linux/bpf_common.h) and a small assembler with named forward jumps, for the
 * flow filters of bpf.ts and bpf6.ts. Private to ffi/.
 *
 * @module
 */

import type { BpfInstruction } from "./bpf.ts";

/** The return value that accepts the whole frame. */
export const BPF_ACCEPT = 0xffffffff;
/** The return value that drops the frame. */
export const BPF_REJECT = 0;

/** Instruction classes. */
export const BPF_LD = 0x00, BPF_LDX = 0x01, BPF_ALU = 0x04, BPF_JMP = 0x05, BPF_RET = 0x06;
/** Load sizes: word, half word, byte. */
export const BPF_W = 0x00, BPF_H = 0x08, BPF_B = 0x10;
/** Load modes: absolute, indexed by X, and the IP header length into X. */
export const BPF_ABS = 0x20, BPF_IND = 0x40, BPF_MSH = 0xa0;
/** ALU and jump operations, with a constant operand. */
export const BPF_AND = 0x50, BPF_JEQ = 0x10, BPF_JSET = 0x40, BPF_K = 0x00;

/** Builds a program with forward jumps to named labels (classic BPF jumps only forward, by at most 255). */
export class Assembler {
  readonly #code: Array<{ code: number; k: number; jt: string | null; jf: string | null }> = [];
  readonly #labels = new Map<string, number>();

  stmt(code: number, k: number): void {
    this.#code.push({ code, k, jt: null, jf: null });
  }

  /** A == k: to `jt` (null: the next instruction), else to `jf`. */
  jeq(k: number, jt: string | null, jf: string | null): void {
    this.#code.push({ code: BPF_JMP | BPF_JEQ | BPF_K, k, jt, jf });
  }

  /** A & k != 0: to `jt`, else to `jf`. */
  jset(k: number, jt: string | null, jf: string | null): void {
    this.#code.push({ code: BPF_JMP | BPF_JSET | BPF_K, k, jt, jf });
  }

  label(name: string): void {
    this.#labels.set(name, this.#code.length);
  }

  /** Ends a flow filter: the "accept" and "reject" labels its jumps lead to; returns the program. */
  acceptOrReject(): BpfInstruction[] {
    this.label("accept");
    this.stmt(BPF_RET | BPF_K, BPF_ACCEPT);
    this.label("reject");
    this.stmt(BPF_RET | BPF_K, BPF_REJECT);
    return this.program();
  }

  program(): BpfInstruction[] {
    return this.#code.map((ins, i) => ({
      code: ins.code,
      k: ins.k,
      jt: this.#offset(ins.jt, i),
      jf: this.#offset(ins.jf, i),
    }));
  }

  #offset(label: string | null, from: number): number {
    if (label === null) return 0;
    const to = this.#labels.get(label);
    if (to === undefined || to <= from || to - from - 1 > 255) {
      throw new Error(`BPF jump to ${label} cannot be encoded`);
    }
    return to - from - 1;
  }
}
