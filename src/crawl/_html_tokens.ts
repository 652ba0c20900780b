/**
 * The start tags of an HTML document with the attributes asked for, each value mapped to its bytes, and the text of
 * each `<style>` element, read with htmlparser2 (which decodes character references as HTML5 does).
 *
 * htmlparser2 reports where an attribute starts and ends and hands its value over in pieces: runs of bytes with their
 * offsets, and decoded references without theirs. A reference's bytes are the gap between the runs around it; two
 * references back to back are told apart by their `&`.
 *
 * @module
 */

import { type Handler, Parser } from "./_htmlparser2.js";
import { MappedText, type Piece } from "./_mapped_text.ts";

/** One attribute of a start tag. */
export interface TagAttribute {
  /** Its name in lower case. */
  readonly name: string;
  /** Its value, references decoded, bytes one character each (`""` when it has none). */
  readonly value: string;
  /** Its value mapped to its bytes, inside any quotes; null for an attribute without a value (`<a href>`). */
  readonly mapped: MappedText | null;
  /** Whether the value is in quotes. */
  readonly quoted: boolean;
}

/** What the document holds, in order. */
export interface TagSink {
  /** A start tag (name in lower case) and the attributes of it `wanted` accepts, in document order. */
  tag(name: string, attributes: readonly TagAttribute[]): void;
  /** The text of a `<style>` element: bytes `[from, to)`. */
  style(from: number, to: number): void;
  /** The sink takes no more: the rest of the document is not read. */
  readonly full?: boolean;
}

/** Walks `source` (a document, one character per byte), telling `sink` about the attributes in `wanted`. */
export function readTags(source: string, wanted: ReadonlySet<string>, sink: TagSink): void {
  let attributes: TagAttribute[] = [];
  let styleFrom = -1;
  let styleTo = -1;
  const parser: PieceParser = new PieceParser({
    onopentagname() {
      attributes = [];
    },
    onattribute(name, value, quote) {
      if (!wanted.has(name)) return;
      const mapped = quote === undefined ? null : parser.mapValue(source, name, quote !== null);
      attributes.push({ name, value, mapped, quoted: quote !== null && quote !== undefined });
    },
    onopentag(name) {
      sink.tag(name, attributes);
      attributes = [];
      if (name === "style") styleFrom = styleTo = parser.endIndex + 1;
    },
    ontext() {
      if (styleFrom >= 0) styleTo = parser.endIndex + 1;
    },
    onclosetag(name, implied) {
      if (name !== "style" || styleFrom < 0) return;
      // An unclosed <style> runs to the end of the document, as in a browser.
      sink.style(styleFrom, implied ? styleTo : parser.startIndex);
      styleFrom = -1;
    },
  });
  // Fed in pieces so that a sink that has all it takes stops the reading (a page of a million links).
  for (let at = 0; at < source.length && !sink.full; at += FEED) parser.write(source.slice(at, at + FEED));
  parser.end();
}

/** Characters given to the tokenizer at a time. */
const FEED = 1 << 16;

/** htmlparser2's parser, also keeping the pieces of the attribute value being read. */
class PieceParser extends Parser {
  #pieces: Piece[] = [];

  constructor(handler: Partial<Handler>) {
    super(handler, { lowerCaseTags: true, lowerCaseAttributeNames: true, decodeEntities: true });
  }

  override onattribname(start: number, endIndex: number): void {
    this.#pieces = [];
    super.onattribname(start, endIndex);
  }

  override onattribdata(start: number, endIndex: number): void {
    if (endIndex > start) this.#pieces.push({ from: start, to: endIndex, text: null });
    super.onattribdata(start, endIndex);
  }

  override onattribentity(cp: number): void {
    this.#pieces.push({ from: -1, to: -1, text: String.fromCodePoint(cp) });
    super.onattribentity(cp);
  }

  /**
   * The value of the attribute just read, mapped: it lies after `name`, the `=` and any whitespace, and ends where
   * the attribute ends (less the closing quote).
   */
  mapValue(source: string, name: string, quoted: boolean): MappedText | null {
    let at = this.startIndex + name.length;
    while (isHtmlSpace(source.charCodeAt(at))) at++;
    if (source[at] !== "=") return null;
    at++;
    while (isHtmlSpace(source.charCodeAt(at))) at++;
    const from = quoted ? at + 1 : at;
    const to = quoted ? this.endIndex - 1 : this.endIndex;
    // `<a href=>` has no value: wget drops the whole tag there.
    if (to < from || (!quoted && to === from)) return null;
    const pieces = this.#pieces;
    this.#pieces = [];
    if (pieces.every((piece) => piece.text === null)) return MappedText.literal(source, from, to);
    return MappedText.fromPieces(source, placeReferences(source, pieces, from, to), to);
  }
}

/** The pieces with each decoded reference given the bytes it was written with. */
function placeReferences(source: string, pieces: readonly Piece[], from: number, to: number): Piece[] {
  const out: Piece[] = [];
  let cursor = from;
  for (let i = 0; i < pieces.length;) {
    if (pieces[i].text === null) {
      out.push(pieces[i]);
      cursor = pieces[i].to;
      i++;
      continue;
    }
    let j = i;
    while (j < pieces.length && pieces[j].text !== null) j++;
    const gapEnd = j < pieces.length ? pieces[j].from : to;
    const ampersands: number[] = [];
    for (let at = source.indexOf("&", cursor); at >= 0 && at < gapEnd; at = source.indexOf("&", at + 1)) {
      ampersands.push(at);
    }
    if (ampersands.length === j - i && ampersands[0] === cursor) {
      for (let k = i; k < j; k++) {
        out.push({ from: ampersands[k - i], to: ampersands[k - i + 1] ?? gapEnd, text: pieces[k].text });
      }
    } else {
      // A reference worth two characters (`&NotEqualTilde;`): the run is kept whole.
      out.push({ from: cursor, to: gapEnd, text: pieces.slice(i, j).map((piece) => piece.text).join("") });
    }
    cursor = gapEnd;
    i = j;
  }
  return out;
}

/** HTML's ASCII whitespace (space, \t, \n, \f, \r): what may surround an attribute's `=`. */
function isHtmlSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
}
