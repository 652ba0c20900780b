/**
 * A writer of classic libpcap capture files, so a run can be replayed with `tcpdump -r` or Wireshark.
 *
 * Format (the pcap file format as libpcap writes it): a 24-byte file header — magic `0xa1b2c3d4` (microsecond
 * timestamps), version 2.4, zone 0, sigfigs 0, snaplen, link type — then per frame a 16-byte record header — seconds,
 * microseconds, captured length, original length — and the captured bytes. Everything is written little-endian;
 * readers detect the byte order from the magic. The link type is `LINKTYPE_RAW` (101): each frame starts with the
 * IPv4 header, which is what this stack sends and receives, and every tcpdump reads it.
 *
 * @module
 */

/** `LINKTYPE_RAW`: frames begin with an IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;
/** The default and largest snapshot length: a whole IPv4 datagram always fits. */
export const PCAP_SNAPLEN = 65535;

const FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;

/**
 * Turns frames into pcap bytes and hands them to a sink; the sink does the I/O (a file write, an array push...).
 *
 * The bytes passed to the sink are only valid during the call (the record header buffer is reused and frames are
 * views of the caller's buffers), so a sink must write or copy them before returning. The file header is written by
 * {@link PcapWriter.header}, or before the first frame if it was not called.
 *
 * @example
 * ```ts
 * const chunks: Uint8Array[] = [];
 * const pcap = new PcapWriter((bytes) => chunks.push(bytes.slice())); // copy: the bytes are reused
 * pcap.header();
 * pcap.frame(wallClockMicros, frame); // the caller reads the clock
 * ```
 */
export class PcapWriter {
  readonly #sink: (bytes: Uint8Array) => void;
  readonly #snaplen: number;
  readonly #record = new Uint8Array(RECORD_HEADER_LEN);
  readonly #recordView = new DataView(this.#record.buffer);
  #headerWritten = false;

  /** Creates a writer; `snaplen` (1..65535) caps the bytes kept of each frame. */
  constructor(sink: (bytes: Uint8Array) => void, snaplen = PCAP_SNAPLEN) {
    if (!(Number.isInteger(snaplen) && snaplen >= 1 && snaplen <= PCAP_SNAPLEN)) {
      throw new RangeError(`Cannot create a pcap writer: snaplen ${snaplen} is not an integer in 1..65535`);
    }
    this.#sink = sink;
    this.#snaplen = snaplen;
  }

  /** Writes the 24-byte file header (once; later calls do nothing). */
  header(): void {
    if (this.#headerWritten) return;
    this.#headerWritten = true;
    const bytes = new Uint8Array(FILE_HEADER_LEN);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, 0xa1b2c3d4, true);
    view.setUint16(4, 2, true);
    view.setUint16(6, 4, true);
    view.setInt32(8, 0, true);
    view.setUint32(12, 0, true);
    view.setUint32(16, this.#snaplen, true);
    view.setUint32(20, LINKTYPE_RAW, true);
    this.#sink(bytes);
  }

  /**
   * Writes one frame captured at `tsMicros` microseconds since the Unix epoch (any non-negative clock works, but
   * readers print it as a date). Frames longer than the snaplen are cut, and their original length is recorded.
   */
  frame(tsMicros: number, frame: Uint8Array): void {
    if (!(Number.isFinite(tsMicros) && tsMicros >= 0 && tsMicros < 2 ** 32 * 1e6)) {
      throw new RangeError(`Cannot write a pcap record: timestamp ${tsMicros} µs is outside 0..2^32 s`);
    }
    this.header();
    const micros = Math.floor(tsMicros);
    const seconds = Math.floor(micros / 1e6);
    const captured = Math.min(frame.length, this.#snaplen);
    const view = this.#recordView;
    view.setUint32(0, seconds, true);
    view.setUint32(4, micros - seconds * 1e6, true);
    view.setUint32(8, captured, true);
    view.setUint32(12, frame.length, true);
    this.#sink(this.#record);
    this.#sink(captured === frame.length ? frame : frame.subarray(0, captured));
  }
}
