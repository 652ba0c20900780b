/**
 * A simulated TCP server for the engine's tests: it listens, answers the SYN with options, reads the request,
 * sends a response body of N bytes with its own congestion window (slow start, congestion avoidance), RTO with
 * backoff, fast retransmit on three duplicate ACKs and SACK-driven hole retransmission (RFC 6675 in spirit),
 * honours the client's window including zero windows (persist probes), and ends with a FIN.
 *
 * It is deliberately independent of `src/tcp` so that the two implementations check each other.
 *
 * @module
 */

import { seq, seqAdd, seqDiff, type SeqNumber } from "../../src/wire/seq.ts";
import { ACK, FIN, PSH, RST, SYN, type TcpOptions, type TcpRepr } from "../../src/wire/tcp_repr.ts";
import { body } from "./prng.ts";
import { Scoreboard } from "./scoreboard.ts";
import type { PeerOptions } from "./peer_options.ts";

export type { PeerOptions };

/** One simulated server connection. */
export class Peer {
  /** "LISTEN" until the SYN, then "OPEN" (still ACKing FINs, as in TIME-WAIT); "CLOSED" after an RST. */
  state: "LISTEN" | "OPEN" | "CLOSED" = "LISTEN";
  /** Segments the server retransmitted. */
  retransmissions = 0;
  /** RSTs received from the client. */
  resets = 0;
  /** Client FIN received. */
  clientFin = false;
  readonly #out: TcpRepr[] = [];
  /** The request bytes received in order (kept only with a `respond` option). */
  readonly request: number[] = [];
  #data: Uint8Array;
  readonly #iss: SeqNumber;
  #irs: SeqNumber = seq(0);
  #rcvd = 0; // request bytes received in order
  #ts = false;
  #sackOk = false;
  #clientShift = 0;
  #tsRecent = 0;
  // send offsets: 0 = SYN, 1..N = body, N + 1 = FIN
  #una = 0;
  #max = 0;
  #wnd = 0;
  #cwnd: number;
  #ssthresh = Infinity;
  #dupAcks = 0;
  readonly #sacked = new Scoreboard();
  #recovery = false;
  #recoverPoint = 0;
  #rtxPtr = 0;
  #lossEnd = 0;
  #rtoAt: number | null = null;
  #rto = 1000;
  #srtt = 0;
  #rttvar = 0;
  #backoff = 0;
  #persistAt: number | null = null;
  #timedOff = 0;
  #timedAt = 0;
  #responding = false;
  readonly #smss: number;
  readonly #o: PeerOptions;

  /** A server with `o`; the response is `body(o.responseSize)`, or what `o.respond` makes of the request. */
  constructor(o: PeerOptions) {
    this.#o = o;
    this.#data = body(o.responseSize);
    this.#iss = seq(o.isn);
    this.#smss = o.mss - (o.timestamps ? 12 : 0);
    this.#cwnd = 10 * this.#smss;
  }

  get #finOff(): number {
    return this.#data.length + 1;
  }

  /** Next deadline, or null. */
  nextTimeout(): number | null {
    if (this.state !== "OPEN") return null;
    if (this.#rtoAt !== null && this.#persistAt !== null) return Math.min(this.#rtoAt, this.#persistAt);
    return this.#rtoAt ?? this.#persistAt;
  }

  /** Segments to send at `now`. */
  poll(now: number): TcpRepr | null {
    if (this.#out.length === 0 && this.state === "OPEN") this.#fill(now);
    return this.#out.shift() ?? null;
  }

  /** Processes a segment from the client. */
  handle(now: number, s: TcpRepr): void {
    if (this.#o.silent || this.state === "CLOSED") return;
    if (s.flags & RST) {
      this.resets++;
      this.state = "CLOSED";
      return;
    }
    if (this.state === "LISTEN") {
      if (!(s.flags & SYN) || (s.flags & ACK)) return;
      this.#irs = s.seq;
      const o = s.options;
      this.#ts = this.#o.timestamps && o.timestamp !== undefined;
      if (this.#ts) this.#tsRecent = o.timestamp!.tsVal;
      this.#sackOk = this.#o.sack && o.sackPermitted === true;
      this.#clientShift = this.#o.windowScale !== null && o.windowScale !== undefined ? o.windowScale : 0;
      this.#wnd = s.window;
      this.state = "OPEN";
      this.#sendSyn(now);
      return;
    }
    if (s.flags & SYN) { // client retransmitted its SYN: our SYN-ACK was lost
      if (this.#ts && s.options.timestamp) this.#tsRecent = s.options.timestamp.tsVal;
      if (this.#una === 0) this.#sendSyn(now);
      return;
    }
    if (this.#ts && s.options.timestamp) this.#tsRecent = s.options.timestamp.tsVal;
    if (s.flags & ACK) this.#onAck(now, s);
    // Receive side: in order only; request bytes then the client's FIN.
    const off = seqDiff(s.seq, this.#irs) - 1;
    const len = s.payload.length;
    if (len > 0 || (s.flags & FIN)) {
      if (off <= this.#rcvd && off + len >= this.#rcvd && !this.clientFin) {
        if (this.#o.zeroWindow) {
          // accepts nothing
        } else {
          if (this.#o.respond !== undefined) {
            for (const b of s.payload.subarray(this.#rcvd - off)) this.request.push(b);
          }
          this.#rcvd = off + len;
          if (s.flags & FIN) this.clientFin = true;
        }
      }
      this.#out.push(this.#ack(now));
    }
    if (!this.#responding && this.#requestComplete() && this.#una > 0) {
      this.#responding = true;
      if (this.#o.respond !== undefined) this.#data = this.#o.respond(new Uint8Array(this.request));
      this.#rtxPtr = this.#una;
    }
  }

  /**
   * Whether the whole request arrived: `requestSize` bytes, or with `respond`, a head ending in a blank line and the
   * Content-Length bytes after it.
   */
  #requestComplete(): boolean {
    if (this.#o.respond === undefined) return this.#rcvd >= this.#o.requestSize;
    const r = this.request;
    let end = -1;
    for (let i = 3; i < r.length && end < 0; i++) {
      if (r[i - 3] === 13 && r[i - 2] === 10 && r[i - 1] === 13 && r[i] === 10) end = i + 1;
    }
    if (end < 0) return false;
    const head = String.fromCharCode(...r.slice(0, end));
    const length = Number(/\r\ncontent-length:[ \t]*(\d+)/i.exec(head)?.[1] ?? 0);
    return r.length >= end + length;
  }

  /** Runs timers due at `now`. */
  handleTimeout(now: number): void {
    if (this.state !== "OPEN") return;
    if (this.#rtoAt !== null && now >= this.#rtoAt) {
      this.#rtoAt = null;
      this.retransmissions++;
      if (this.#una === 0) {
        this.#sendSyn(now);
      } else {
        // RTO: slow start from one segment, everything unSACKed below max is presumed lost.
        this.#ssthresh = Math.max((this.#max - this.#una) / 2, 2 * this.#smss);
        this.#cwnd = this.#smss;
        this.#recovery = true;
        this.#recoverPoint = this.#max;
        this.#rtxPtr = this.#una;
        this.#lossEnd = this.#max;
        this.#dupAcks = 0;
        this.#timedOff = 0;
      }
      this.#backoff = Math.min(this.#backoff + 1, 6);
      this.#armRto(now);
    }
    if (this.#persistAt !== null && now >= this.#persistAt) {
      this.#persistAt = null;
      if (this.#wnd === 0 && this.#max < this.#finOff && this.#max === this.#una && this.#responding) {
        // Zero-window probe: one byte beyond the window; the RTO retransmits it with backoff until taken.
        this.#emit(now, this.#max, this.#max + 1);
        this.#max++;
        this.#armRto(now);
      }
    }
  }

  /** Both FINs are through: the client's was received and ours acknowledged. */
  get done(): boolean {
    return this.clientFin && this.#finAcked();
  }

  #finAcked(): boolean {
    return this.#o.closeAfterResponse && this.#una > this.#finOff;
  }

  #curRto(): number {
    return Math.min(this.#rto * 2 ** this.#backoff, 60000);
  }

  #armRto(now: number): void {
    this.#rtoAt = now + this.#curRto();
  }

  #sendSyn(now: number): void {
    const options: TcpOptions = {
      mss: this.#o.mss,
      windowScale: this.#o.windowScale ?? undefined,
      sackPermitted: this.#sackOk ? true : undefined,
      timestamp: this.#ts ? { tsVal: Math.floor(now) + 7, tsEcr: this.#tsRecent } : undefined,
    };
    this.#max = 1;
    this.#out.push({
      srcPort: this.#o.port,
      dstPort: this.#o.clientPort,
      seq: this.#iss,
      ack: seqAdd(this.#irs, 1),
      flags: SYN | ACK,
      window: 65535,
      urgent: 0,
      options,
      payload: new Uint8Array(0),
    });
    this.#armRto(now);
  }

  #onAck(now: number, s: TcpRepr): void {
    const ackOff = this.#una + seqDiff(s.ack, seqAdd(this.#iss, this.#una));
    if (ackOff < this.#una || ackOff > this.#max) return;
    const oldWnd = this.#wnd;
    this.#wnd = this.#o.zeroWindow ? this.#wnd : s.window * 2 ** this.#clientShift;
    if (this.#sackOk && s.options.sackBlocks) {
      for (const b of s.options.sackBlocks) {
        const l = this.#una + seqDiff(b.left, seqAdd(this.#iss, this.#una));
        const r = this.#una + seqDiff(b.right, seqAdd(this.#iss, this.#una));
        if (r > l && l >= this.#una && r <= this.#max) this.#sacked.add(l, r);
      }
    }
    if (ackOff > this.#una) {
      // Karn's rule with one timed segment (like Linux, which prefers this to timestamp echoes after losses).
      if (this.#timedOff > 0 && ackOff >= this.#timedOff) {
        this.#sample(now - this.#timedAt);
        this.#timedOff = 0;
      }
      const acked = ackOff - this.#una;
      this.#una = ackOff;
      this.#sacked.prune(ackOff);
      this.#dupAcks = 0;
      this.#backoff = 0;
      if (this.#recovery) {
        if (ackOff >= this.#recoverPoint) {
          this.#recovery = false;
          this.#cwnd = Math.max(this.#ssthresh, this.#smss);
        } else {
          if (this.#rtxPtr < ackOff) this.#rtxPtr = ackOff;
          if (!this.#sackOk) this.#lossEnd = Math.max(this.#lossEnd, ackOff + 1);
        }
      }
      if (this.#cwnd < this.#ssthresh) this.#cwnd += Math.min(acked, this.#smss);
      else if (!this.#recovery) this.#cwnd += (this.#smss * this.#smss) / this.#cwnd;
      this.#rtoAt = null;
      if (this.#max > this.#una) this.#armRto(now);
    } else if (s.payload.length === 0 && !(s.flags & FIN) && this.#max > this.#una && this.#wnd === oldWnd) {
      this.#dupAcks++;
    }
    const highSack = this.#sacked.highest;
    if (!this.#recovery && this.#una > 0 && (this.#dupAcks >= 3 || highSack > this.#una + 3 * this.#smss)) {
      this.#recovery = true;
      this.#ssthresh = Math.max((this.#max - this.#una) / 2, 2 * this.#smss);
      this.#cwnd = this.#ssthresh;
      this.#recoverPoint = this.#max;
      this.#rtxPtr = this.#una;
      this.#lossEnd = this.#una + 1;
    }
    if (this.#recovery && !this.#sacked.isEmpty && highSack > this.#lossEnd && this.#lossEnd < this.#recoverPoint) {
      this.#lossEnd = Math.min(highSack, this.#recoverPoint);
    }
    if (this.#wnd > 0) this.#persistAt = null;
  }

  #sample(r: number): void {
    if (this.#srtt === 0) {
      this.#srtt = r;
      this.#rttvar = r / 2;
    } else {
      this.#rttvar = 0.75 * this.#rttvar + 0.25 * Math.abs(this.#srtt - r);
      this.#srtt = 0.875 * this.#srtt + 0.125 * r;
    }
    this.#rto = Math.max(200, this.#srtt + 4 * this.#rttvar);
  }

  /** Fills the output with what the windows allow: hole retransmissions first, then new data, then FIN. */
  #fill(now: number): void {
    if (!this.#responding || this.#una === 0) return;
    for (let guard = 0; guard < 64; guard++) {
      const lost = this.#recovery
        ? Math.max(0, this.#lossEnd - this.#rtxPtr) - this.#sacked.bytesIn(this.#rtxPtr, this.#lossEnd)
        : 0;
      const pipe = this.#max - this.#una - this.#sacked.bytesIn(this.#una, this.#max) - lost;
      if (pipe > 0 && pipe + this.#smss > this.#cwnd) return;
      // 1. a hole to retransmit
      if (this.#recovery) {
        while (this.#rtxPtr < this.#lossEnd) {
          const end = this.#sacked.endOfRangeAt(this.#rtxPtr);
          if (end < 0) break;
          this.#rtxPtr = end;
        }
        if (this.#rtxPtr < this.#lossEnd && this.#rtxPtr < this.#max) {
          const next = this.#sacked.nextStartAfter(this.#rtxPtr);
          const end = Math.min(this.#rtxPtr + this.#smss, next >= 0 ? next : this.#max, this.#max);
          this.#emit(now, this.#rtxPtr, end);
          this.retransmissions++;
          this.#timedOff = 0;
          this.#rtxPtr = end;
          continue;
        }
      }
      // 2. new data within the client's window
      const wndEnd = this.#una + this.#wnd;
      if (this.#max < this.#finOff) {
        const end = Math.min(this.#max + this.#smss, this.#finOff, wndEnd);
        if (end <= this.#max) {
          if (this.#wnd === 0 && this.#max === this.#una && this.#persistAt === null) {
            this.#persistAt = now + this.#curRto();
          }
          return;
        }
        this.#emit(now, this.#max, end);
        if (this.#timedOff === 0) {
          this.#timedOff = end;
          this.#timedAt = now;
        }
        this.#max = end;
        continue;
      }
      // 3. the FIN
      if (this.#o.closeAfterResponse && this.#max === this.#finOff) {
        this.#emit(now, this.#max, this.#max + 1);
        this.#max = this.#finOff + 1;
      }
      return;
    }
  }

  /** Sends offsets [from, to): body bytes, and the FIN when `to` passes the body (or it was sent before). */
  #emit(now: number, from: number, to: number): void {
    const dataEnd = Math.min(to, this.#finOff);
    const payload = this.#data.subarray(from - 1, Math.max(from, dataEnd) - 1);
    const fin = this.#o.closeAfterResponse && (to > this.#finOff || (to === this.#finOff && this.#max > this.#finOff));
    const flags = ACK | (payload.length > 0 ? PSH : 0) | (fin ? FIN : 0);
    this.#out.push(this.#seg(seqAdd(this.#iss, from), flags, payload, now, true));
    if (this.#rtoAt === null) this.#armRto(now);
  }

  #ack(now: number): TcpRepr {
    return this.#seg(seqAdd(this.#iss, this.#max), ACK, new Uint8Array(0), now, true);
  }

  #seg(s: SeqNumber, flags: number, payload: Uint8Array, now: number, withAck: boolean): TcpRepr {
    return {
      srcPort: this.#o.port,
      dstPort: this.#o.clientPort,
      seq: s,
      ack: withAck ? seqAdd(this.#irs, 1 + this.#rcvd + (this.clientFin ? 1 : 0)) : seq(0),
      flags,
      window: this.#o.zeroWindow ? 0 : 65535,
      urgent: 0,
      options: this.#ts ? { timestamp: { tsVal: Math.floor(now) + 7, tsEcr: this.#tsRecent } } : {},
      payload,
    };
  }
}
