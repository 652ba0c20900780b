/**
 * The program of {@linkcode OffloadSender}'s sending thread (ffi/offload_sender.ts): it takes frames from the shared
 * ring of ffi/send_ring.ts in order and sends each with a synchronous `sendto`.
 *
 * The thread runs the source text of {@linkcode sendThreadMain} from a blob URL: a worker loaded from a module file
 * would need read permission for it, and `--allow-ffi` is all that rawhttpget asks for. So the function is
 * self-contained: it opens its own libc symbols and takes every constant from {@linkcode SendThreadSetup}.
 *
 * @module
 */

import { CTRL, CTRL_BYTES, type RingSetup, SLOT_HEADER, SLOT_SIZE } from "./send_ring.ts";
import { EAGAIN, EINTR, ENOBUFS } from "./errno.ts";
import { encodeSockaddrIn } from "./sockaddr.ts";

/** Everything the sending thread is told when it starts (structured-cloned). */
export interface SendThreadSetup extends RingSetup {
  /** The ring's control word indices. */
  readonly ctrl: typeof CTRL;
  /** Bytes of control words before the slots. */
  readonly ctrlBytes: number;
  /** Bytes per slot. */
  readonly slotSize: number;
  /** Bytes before each slot's frame (its u16 length). */
  readonly slotHeader: number;
  /** The destination, an encoded `struct sockaddr_in`. */
  readonly sockaddr: Uint8Array;
  /** errno values: retried, and counted as a lost frame; any other is reported through `ctrl.errno`. */
  readonly errnos: { readonly EINTR: number; readonly EAGAIN: number; readonly ENOBUFS: number };
}

/** The setup for a ring (see ffi/send_ring.ts) and a destination. */
export function sendThreadSetup(ring: RingSetup): SendThreadSetup {
  return {
    ...ring,
    ctrl: CTRL,
    ctrlBytes: CTRL_BYTES,
    slotSize: SLOT_SIZE,
    slotHeader: SLOT_HEADER,
    sockaddr: encodeSockaddrIn(ring.dstAddr, 0),
    errnos: { EINTR, EAGAIN, ENOBUFS },
  };
}

/**
 * The sending thread's whole program; it uses nothing from outside its own body. It says "ready" once libc is open,
 * sends the ring's frames until the producer sets `stop` and the ring is empty, then says "stopped".
 */
export function sendThreadMain(): void {
  const scope = self as unknown as {
    onmessage: ((e: MessageEvent<SendThreadSetup>) => void) | null;
    postMessage(message: string): void;
  };
  /** Longest sleep between two looks at `stop`: a producer gone without `close` must not keep the thread alive. */
  const WAIT_CAP_MS = 100;
  const MSG_DONTWAIT = 0x40;
  scope.onmessage = (e) => {
    scope.onmessage = null;
    const setup = e.data;
    const lib = Deno.dlopen("libc.so.6", {
      sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
      __errno_location: { parameters: [], result: "pointer" },
      sched_setaffinity: { parameters: ["i32", "usize", "buffer"], result: "i32" },
    }).symbols;
    const errnoView = new Deno.UnsafePointerView(lib.__errno_location()!);
    if (setup.cpus !== null) {
      const mask = new Uint8Array(setup.cpus); // best effort: an unpinned thread still works
      lib.sched_setaffinity(0, BigInt(mask.length), mask);
    }
    scope.postMessage("ready");
    const C = setup.ctrl;
    const ctrl = new Int32Array(setup.sab, 0, setup.ctrlBytes / 4);
    const slots = new Uint8Array(setup.sab, setup.ctrlBytes, setup.slotCount * setup.slotSize);
    const sa = new Uint8Array(setup.sockaddr);
    const frame = new Uint8Array(setup.slotSize); // FFI buffers must not be shared memory: each frame is copied out
    let tail = Atomics.load(ctrl, C.tail);
    for (;;) {
      if (Atomics.load(ctrl, C.head) === tail) {
        if (Atomics.load(ctrl, C.stop) !== 0) break;
        Atomics.store(ctrl, C.sleeping, 1);
        // Checked again after announcing the sleep: a frame queued in between is seen here, or notified.
        if (Atomics.load(ctrl, C.head) === tail) Atomics.wait(ctrl, C.head, tail, WAIT_CAP_MS);
        Atomics.store(ctrl, C.sleeping, 0);
        continue;
      }
      const at = (tail % setup.slotCount) * setup.slotSize;
      const len = slots[at] | (slots[at + 1] << 8);
      frame.set(slots.subarray(at + setup.slotHeader, at + setup.slotHeader + len));
      for (;;) {
        if (lib.sendto(setup.fd, frame, BigInt(len), MSG_DONTWAIT, sa, sa.length) >= 0) break;
        const errno = errnoView.getInt32(0);
        if (errno === setup.errnos.EINTR) continue;
        if (errno === setup.errnos.EAGAIN || errno === setup.errnos.ENOBUFS) Atomics.add(ctrl, C.dropped, 1);
        else Atomics.compareExchange(ctrl, C.errno, 0, errno);
        break;
      }
      tail = (tail + 1) | 0;
      Atomics.store(ctrl, C.tail, tail);
      if (Atomics.load(ctrl, C.drainWaiter) !== 0) Atomics.notify(ctrl, C.tail);
    }
    scope.postMessage("stopped");
  };
}

/** A blob URL of a module that runs {@linkcode sendThreadMain} (made once per process). */
let sourceUrl: string | null = null;

/** The URL to start the sending thread's worker from. */
export function sendThreadUrl(): string {
  sourceUrl ??= URL.createObjectURL(
    new Blob([`(${sendThreadMain.toString()})();\n`], { type: "text/javascript" }),
  );
  return sourceUrl;
}
