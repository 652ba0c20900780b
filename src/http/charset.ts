/**
 * Character encodings of URLs and file names (wget's `--local-encoding` and `--remote-encoding`): UTF-8, ISO-8859-1,
 * ASCII and the single-byte encodings of the WHATWG Encoding Standard (ISO-8859-2…16, windows-1250…1258, KOI8-R,
 * …), each decoded with `TextDecoder` and encoded through a table built from it. Multi-byte encodings other than
 * UTF-8 (Shift_JIS, EUC-JP, GBK, Big5, EUC-KR, UTF-16) have no encoder here and are not offered.
 *
 * File names may have to hold bytes that are not UTF-8 (a name written in ISO-8859-1): such a byte is carried in a
 * JavaScript string as a lone surrogate U+DC80…U+DCFF (Python's "surrogateescape"), which the C-string encoder of
 * ffi/libc.ts turns back into the byte.
 *
 * @module
 */

/** An encoding between bytes and text. */
export interface Charset {
  /** Its name, e.g. "UTF-8", "ISO-8859-1", "windows-1251". */
  readonly name: string;
  /** The text of `bytes`, or null when they are not valid in this encoding. */
  decode(bytes: Uint8Array): string | null;
  /** The bytes of `text`, or null when it holds a character this encoding lacks. */
  encode(text: string): Uint8Array | null;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** UTF-8 (RFC 3629). */
export const UTF8: Charset = {
  name: "UTF-8",
  decode(bytes) {
    try {
      return strictUtf8.decode(bytes);
    } catch {
      return null;
    }
  },
  encode: (text) => /[\ud800-\udfff]/.test(text) ? null : encoder.encode(text),
};

/** A single-byte encoding from its 256 characters (null: a byte with no character). */
function singleByte(name: string, table: readonly (string | null)[]): Charset {
  const reverse = new Map<string, number>();
  table.forEach((ch, byte) => {
    if (ch !== null && !reverse.has(ch)) reverse.set(ch, byte);
  });
  return {
    name,
    decode(bytes) {
      let text = "";
      for (const b of bytes) {
        const ch = table[b];
        if (ch === null) return null;
        text += ch;
      }
      return text;
    },
    encode(text) {
      const out: number[] = [];
      for (const ch of text) {
        const b = reverse.get(ch);
        if (b === undefined) return null;
        out.push(b);
      }
      return Uint8Array.from(out);
    },
  };
}

/** ISO-8859-1 as iconv has it: byte N is U+00NN (WHATWG's "iso-8859-1" label means windows-1252 instead). */
const LATIN1 = singleByte("ISO-8859-1", Array.from({ length: 256 }, (_, b) => String.fromCharCode(b)));
/** US-ASCII: bytes 0…127 only (the C locale's codeset, "ANSI_X3.4-1968"). */
const ASCII = singleByte("US-ASCII", Array.from({ length: 256 }, (_, b) => b < 0x80 ? String.fromCharCode(b) : null));

const LATIN1_LABELS = new Set([
  "iso-8859-1",
  "iso8859-1",
  "iso_8859-1",
  "iso_8859-1:1987",
  "iso88591",
  "latin1",
  "latin-1",
  "l1",
  "cp819",
  "ibm819",
  "iso-ir-100",
  "csisolatin1",
]);
const ASCII_LABELS = new Set(["ascii", "us-ascii", "ansi_x3.4-1968", "iso646-us", "646", "us", "csascii"]);
/** WHATWG encodings that are not single-byte (or not text): no table can be built for them. */
const MULTI_BYTE = new Set([
  "gbk",
  "gb18030",
  "big5",
  "euc-jp",
  "iso-2022-jp",
  "shift_jis",
  "euc-kr",
  "utf-16be",
  "utf-16le",
  "replacement",
  "x-user-defined",
]);

/**
 * The encoding an iconv or WHATWG label names (case-insensitive), or null for one rawhttpget cannot convert (a
 * multi-byte encoding other than UTF-8, or an unknown name).
 *
 * @example
 * ```ts
 * findCharset("latin1")?.name; // "ISO-8859-1"
 * findCharset("Shift_JIS"); // null
 * ```
 */
export function findCharset(label: string): Charset | null {
  const key = label.trim().toLowerCase();
  if (key === "utf-8" || key === "utf8") return UTF8;
  if (LATIN1_LABELS.has(key)) return LATIN1;
  if (ASCII_LABELS.has(key)) return ASCII;
  let name: string;
  try {
    name = new TextDecoder(key).encoding;
  } catch {
    return null;
  }
  if (name === "utf-8") return UTF8;
  if (MULTI_BYTE.has(name)) return null;
  const decoder = new TextDecoder(name, { fatal: true });
  const table = Array.from({ length: 256 }, (_, b) => {
    try {
      return decoder.decode(Uint8Array.of(b));
    } catch {
      return null;
    }
  });
  return singleByte(name, table);
}

/**
 * The encoding a locale name selects (`LC_ALL`, `LC_CTYPE` or `LANG`, as `nl_langinfo(CODESET)` reads it):
 * `de_DE.ISO-8859-1` → ISO-8859-1; no codeset, "C" or "POSIX", or one not supported here → UTF-8.
 *
 * @example
 * ```ts
 * localeCharset("fr_FR.ISO-8859-15").name; // "iso-8859-15"
 * ```
 */
export function localeCharset(locale: string | undefined): Charset {
  const codeset = /^[^.@]*\.([^@]+)/.exec(locale ?? "")?.[1];
  return (codeset === undefined ? null : findCharset(codeset)) ?? UTF8;
}

/**
 * `bytes` as a file-name string: UTF-8 where they are valid UTF-8, each other byte as the lone surrogate U+DC80 +
 * (byte − 0x80), which ffi's C-string encoder writes back as that byte.
 *
 * @example
 * ```ts
 * bytesAsName(Uint8Array.of(0x63, 0x61, 0x66, 0xe9)); // "caf\udce9"
 * ```
 */
export function bytesAsName(bytes: Uint8Array): string {
  const whole = UTF8.decode(bytes);
  if (whole !== null) return whole;
  let name = "";
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const length = b < 0x80
      ? 1
      : b >= 0xc2 && b <= 0xdf
      ? 2
      : b >= 0xe0 && b <= 0xef
      ? 3
      : b >= 0xf0 && b <= 0xf4
      ? 4
      : 0;
    const piece = length === 0 ? null : UTF8.decode(bytes.subarray(i, i + length));
    if (piece === null || i + length > bytes.length) {
      name += String.fromCharCode(0xdc00 + b);
      i++;
    } else {
      name += piece;
      i += length;
    }
  }
  return name;
}
