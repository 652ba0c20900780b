/**
 * Options of the simulated server (`peer.ts`).
 *
 * @module
 */

/** How the simulated server behaves. */
export interface PeerOptions {
  /** Server port. */
  port: number;
  /** Client port. */
  clientPort: number;
  /** Server ISN. */
  isn: number;
  /** MSS announced by the server. */
  mss: number;
  /** Response body size. */
  responseSize: number;
  /** Request bytes to wait for before answering. */
  requestSize: number;
  /** Window scale to offer, or null to offer none. */
  windowScale: number | null;
  /** Offer SACK-permitted. */
  sack: boolean;
  /** Offer timestamps. */
  timestamps: boolean;
  /** Send FIN after the body (HTTP/1.0 style). */
  closeAfterResponse: boolean;
  /**
   * Makes the response from the request (an HTTP server), once the request's head ended with a blank line; the
   * response replaces the `responseSize` body.
   */
  respond?: (request: Uint8Array) => Uint8Array;
  /** Never answer anything (a black hole). */
  silent?: boolean;
  /** Advertise a zero window forever after the handshake. */
  zeroWindow?: boolean;
}
