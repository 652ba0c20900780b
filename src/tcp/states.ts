/**
 * The TCP state diagram of RFC 9293 §3.3.2 restricted to an active opener: the one place where states change.
 *
 * @module
 */

/** Connection states, spelled as in RFC 9293 §3.3.2 (LISTEN and SYN-RECEIVED never occur for an active opener). */
export type TcpState =
  | "CLOSED"
  | "SYN-SENT"
  | "ESTABLISHED"
  | "FIN-WAIT-1"
  | "FIN-WAIT-2"
  | "CLOSING"
  | "TIME-WAIT"
  | "CLOSE-WAIT"
  | "LAST-ACK";

/** What happened: the inputs of the state diagram. */
export type StateInput =
  | "open"
  | "syn-ack"
  | "close"
  | "fin-received"
  | "fin-acked"
  | "time-wait-expired"
  | "reset"
  | "timeout"
  | "abort"
  | "unreachable";

/**
 * The state after `input` in `state`; an input that does not apply leaves the state unchanged.
 *
 * @example
 * ```ts
 * nextState("ESTABLISHED", "close"); // "FIN-WAIT-1"
 * ```
 */
export function nextState(state: TcpState, input: StateInput): TcpState {
  switch (input) {
    // §3.10.1 OPEN call, active: send SYN, enter SYN-SENT.
    case "open":
      return state === "CLOSED" ? "SYN-SENT" : state;
    // §3.10.7.3 SYN-SENT, SYN bit with an ACK of our SYN: enter ESTABLISHED.
    case "syn-ack":
      return state === "SYN-SENT" ? "ESTABLISHED" : state;
    // §3.10.4 CLOSE call: queue a FIN after the data (ESTABLISHED → FIN-WAIT-1, CLOSE-WAIT → LAST-ACK);
    // in SYN-SENT the TCB is deleted.
    case "close":
      if (state === "ESTABLISHED") return "FIN-WAIT-1";
      if (state === "CLOSE-WAIT") return "LAST-ACK";
      if (state === "SYN-SENT") return "CLOSED";
      return state;
    // §3.10.7.4 eighth step, FIN bit: ESTABLISHED → CLOSE-WAIT, FIN-WAIT-1 (FIN not yet acked) → CLOSING,
    // FIN-WAIT-2 → TIME-WAIT; the other states remain.
    case "fin-received":
      if (state === "ESTABLISHED") return "CLOSE-WAIT";
      if (state === "FIN-WAIT-1") return "CLOSING";
      if (state === "FIN-WAIT-2") return "TIME-WAIT";
      return state;
    // §3.10.7.4 fifth step, our FIN acknowledged: FIN-WAIT-1 → FIN-WAIT-2, CLOSING → TIME-WAIT, LAST-ACK → CLOSED.
    case "fin-acked":
      if (state === "FIN-WAIT-1") return "FIN-WAIT-2";
      if (state === "CLOSING") return "TIME-WAIT";
      if (state === "LAST-ACK") return "CLOSED";
      return state;
    // §3.10.8 time-wait timeout: delete the TCB.
    case "time-wait-expired":
      return state === "TIME-WAIT" ? "CLOSED" : state;
    // §3.10.7.4 second step (RST), §3.10.8 user timeout, §3.10.5 ABORT: every state ends in CLOSED.
    case "reset":
    case "timeout":
    case "abort":
      return "CLOSED";
    // RFC 1122 §4.2.3.9 and RFC 5461 §4: an ICMP error saying the destination cannot be reached ends a connection
    // attempt; once synchronized such errors are only noted (routes recover), so other states remain.
    case "unreachable":
      return state === "SYN-SENT" ? "CLOSED" : state;
  }
}

/** True in the states where the sequence spaces are synchronized (RFC 9293 §3.5.2). */
export function isSynchronized(state: TcpState): boolean {
  return state !== "CLOSED" && state !== "SYN-SENT";
}
