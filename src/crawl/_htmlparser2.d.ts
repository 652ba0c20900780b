/**
 * The types of the vendored htmlparser2 (`_htmlparser2.js`): what the crawl uses of its `Parser`, declared here.
 *
 * @module
 */

/** The callbacks of a parse (htmlparser2's `Handler`); indices are `Parser.startIndex`/`endIndex` during each. */
export interface Handler {
  onparserinit(parser: Parser): void;
  onreset(): void;
  onend(): void;
  onerror(error: Error): void;
  onclosetag(name: string, isImplied: boolean): void;
  onopentagname(name: string): void;
  /** `quote`: the quote character, null for an unquoted value, undefined for an attribute without a value. */
  onattribute(name: string, value: string, quote?: string | undefined | null): void;
  onopentag(name: string, attribs: Record<string, string>, isImplied: boolean): void;
  ontext(data: string): void;
  oncomment(data: string): void;
  oncdatastart(): void;
  oncdataend(): void;
  oncommentend(): void;
  onprocessinginstruction(name: string, data: string): void;
}

/** The parser's options the crawl sets. */
export interface ParserOptions {
  xmlMode?: boolean;
  decodeEntities?: boolean;
  lowerCaseTags?: boolean;
  lowerCaseAttributeNames?: boolean;
  recognizeCDATA?: boolean;
  recognizeSelfClosing?: boolean;
}

/** htmlparser2's streaming HTML parser; the tokenizer's callbacks below may be overridden by a subclass. */
export class Parser {
  constructor(cbs?: Partial<Handler> | null, options?: ParserOptions);
  /** The start of the current event's text. */
  startIndex: number;
  /** The end of the current event's text (inclusive for tags). */
  endIndex: number;
  write(chunk: string): void;
  end(chunk?: string): void;
  pause(): void;
  resume(): void;
  reset(): void;
  onattribname(start: number, endIndex: number): void;
  onattribdata(start: number, endIndex: number): void;
  onattribentity(cp: number): void;
  onattribend(quote: number, endIndex: number): void;
}
