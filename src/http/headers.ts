/**
 * A read-only, case-insensitive view of a response's header fields that keeps duplicates and their order.
 *
 * Unlike the Fetch `Headers` class it never merges `Set-Cookie` or sorts names, and it keeps each field's name as the
 * server spelled it for display.
 *
 * @module
 */

/** One field line as received: the name as spelled, the value with surrounding whitespace removed. */
export interface HeaderField {
  /** The field name as the server spelled it. */
  readonly name: string;
  /** The field value, obs-folds replaced by one space, leading and trailing whitespace removed. */
  readonly value: string;
}

/**
 * Header fields of one response.
 *
 * @example
 * ```ts
 * const h = new HttpHeaders([{ name: "Content-Length", value: "5" }]);
 * h.get("content-length"); // "5"
 * ```
 */
export class HttpHeaders {
  readonly #fields: readonly HeaderField[];
  readonly #byName = new Map<string, string[]>();

  /** Wraps a list of fields in arrival order. */
  constructor(fields: readonly HeaderField[]) {
    this.#fields = fields;
    for (const { name, value } of fields) {
      const key = name.toLowerCase();
      const list = this.#byName.get(key);
      if (list) list.push(value);
      else this.#byName.set(key, [value]);
    }
  }

  /** The values of every field with this name joined by ", " (RFC 9110 §5.3), or null when absent. */
  get(name: string): string | null {
    const list = this.#byName.get(name.toLowerCase());
    return list ? list.join(", ") : null;
  }

  /** Every value of the fields with this name, in arrival order (empty when absent). */
  getAll(name: string): string[] {
    return [...(this.#byName.get(name.toLowerCase()) ?? [])];
  }

  /** Whether at least one field has this name. */
  has(name: string): boolean {
    return this.#byName.has(name.toLowerCase());
  }

  /** The number of field lines received. */
  get size(): number {
    return this.#fields.length;
  }

  /** The fields in arrival order. */
  [Symbol.iterator](): IterableIterator<HeaderField> {
    return this.#fields[Symbol.iterator]();
  }
}
