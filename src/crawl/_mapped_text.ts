/**
 * A value as a parser decoded it (HTML character references, CSS escapes), each character mapped back to the bytes
 * of the document it came from: a link's span is taken from the map, its text from the decoded characters.
 *
 * @module
 */

import type { Charset } from "../http/mod.ts";
import type { FoundLink, LinkContext } from "./link_types.ts";
import { bytesText } from "./_binary.ts";

/** Source bytes [from, to): copied as they are (`text` null), or decoded into `text` (a reference, an escape). */
export interface Piece {
  readonly from: number;
  readonly to: number;
  readonly text: string | null;
}

/** A piece placed in the decoded text: its characters start at `at`. */
interface PlacedPiece extends Piece {
  readonly at: number;
}

/** Decoded text whose characters know their source bytes. */
export class MappedText {
  /** The decoded text: bytes copied as they are, one character each, and decoded characters. */
  readonly text: string;
  readonly #pieces: readonly PlacedPiece[];
  readonly #sourceEnd: number;

  private constructor(text: string, pieces: readonly PlacedPiece[], sourceEnd: number) {
    this.text = text;
    this.#pieces = pieces;
    this.#sourceEnd = sourceEnd;
  }

  /** The bytes `source[from, to)` taken as they are. */
  static literal(source: string, from: number, to: number): MappedText {
    return new MappedText(source.slice(from, to), [{ from, to, text: null, at: 0 }], to);
  }

  /** Pieces in source order, covering the source bytes `[from, to)`. */
  static fromPieces(source: string, pieces: readonly Piece[], to: number): MappedText {
    const placed: PlacedPiece[] = [];
    let text = "";
    for (const piece of pieces) {
      placed.push({ ...piece, at: text.length });
      text += piece.text ?? source.slice(piece.from, piece.to);
    }
    return new MappedText(text, placed, to);
  }

  /** Whether character `i` was copied from the source as it is (not decoded from a reference or an escape). */
  isLiteral(i: number): boolean {
    return this.#pieceAt(i).text === null;
  }

  /** The source bytes of the characters `[from, to)`; an empty range sits where character `from` starts. */
  span(from: number, to: number): [number, number] {
    const start = this.#startOf(from);
    if (to <= from) return [start, start];
    const last = this.#pieceAt(to - 1);
    return [start, last.text === null ? last.from + (to - 1 - last.at) + 1 : last.to];
  }

  /**
   * The characters `[from, to)` as text: copied bytes read in `charset` (see `bytesText`), decoded characters as they
   * are; with `dropNewlines`, copied CR and LF bytes are left out (wget's squashing of wrapped attribute values).
   */
  read(from: number, to: number, charset: Charset | null, dropNewlines: boolean): string {
    let out = "";
    let bytes = "";
    for (const piece of this.#pieces) {
      const length = piece.text?.length ?? piece.to - piece.from;
      const lo = Math.max(from, piece.at);
      const hi = Math.min(to, piece.at + length);
      if (lo >= hi) continue;
      const part = this.text.slice(lo, hi);
      if (piece.text !== null) {
        out += bytesText(bytes, charset) + part;
        bytes = "";
      } else {
        bytes += dropNewlines ? part.replace(/[\r\n]/g, "") : part;
      }
    }
    return out + bytesText(bytes, charset);
  }

  #startOf(i: number): number {
    if (i >= this.text.length) return this.#sourceEnd;
    const piece = this.#pieceAt(i);
    return piece.text === null ? piece.from + (i - piece.at) : piece.from;
  }

  #pieceAt(i: number): PlacedPiece {
    const pieces = this.#pieces;
    let k = pieces.length - 1;
    while (k > 0 && pieces[k].at > i) k--;
    return pieces[k];
  }
}

/** A link found, its text still to be read once the document's charset is known. */
export interface LinkDraft {
  readonly value: MappedText;
  /** The link's characters in `value`. */
  readonly from: number;
  readonly to: number;
  /** Leave out copied CR and LF bytes (a quoted HTML attribute value). */
  readonly dropNewlines: boolean;
  readonly context: LinkContext;
  readonly inline: boolean;
  readonly expectHtml: boolean;
  readonly expectCss: boolean;
  readonly origin: string;
  readonly convertOnly: boolean;
}

/** The link a draft describes, its text read in `charset`. */
export function finishLink(draft: LinkDraft, charset: Charset | null): FoundLink {
  const [start, end] = draft.value.span(draft.from, draft.to);
  const link: FoundLink = {
    raw: draft.value.read(draft.from, draft.to, charset, draft.dropNewlines),
    start,
    end,
    context: draft.context,
    inline: draft.inline,
    expectHtml: draft.expectHtml,
    expectCss: draft.expectCss,
    origin: draft.origin,
  };
  return draft.convertOnly ? { ...link, convertOnly: true } : link;
}
