/**
 * `--content-disposition` and the name encodings in the download loop, on simulated links: the name a response
 * offers, made safe, inside `-P DIR`, with wget's no-clobber rule; the URL's name without the option, with `-O`,
 * and when the offered name is unusable; a name written in ISO-8859-1.
 *
 * @module
 */

import assert from "node:assert/strict";
import { download } from "../../src/fetch/mod.ts";
import { findCharset } from "../../src/http/mod.ts";
import { withTempDir } from "../_support/files.ts";
import { body } from "../sim/prng.ts";
import { httpResponse, simulatedStreams } from "../sim/streams.ts";

const inTempDir = (f: (dir: string) => Promise<void>) => withTempDir("rhg-disposition-", f);

/** A 200 response that offers `disposition` (bytes as given, one per character). */
function offering(disposition: string, data: Uint8Array): Uint8Array {
  const head = `HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\nContent-Disposition: ${disposition}\r\n\r\n`;
  return Uint8Array.from([...Array.from(head, (ch) => ch.charCodeAt(0) & 0xff), ...data]);
}

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("--content-disposition names the file as the response says, safely, and never clobbers", async () => {
  await inTempDir(async (dir) => {
    const data = body(30_000);
    const respond = () => offering('attachment; filename="../../report 2024.pdf"', data);
    const sim = simulatedStreams([{ peer: { respond } }]);
    const options = { directory: dir, tries: 1, contentDisposition: true };
    const first = await download("http://198.18.2.2/download?id=7", options, {}, sim.open);
    assert.equal(first.path, `${dir}/report 2024.pdf`);
    assert.deepEqual(await Deno.readFile(first.path), data);
    const second = await download("http://198.18.2.2/download?id=7", options, {}, sim.open);
    assert.equal(second.path, `${dir}/report 2024.pdf.1`);
    assert.deepEqual(names(dir), ["report 2024.pdf", "report 2024.pdf.1"]);
  });
});

Deno.test("--content-disposition prefers filename* (RFC 8187) and falls back to the URL's name", async () => {
  await inTempDir(async (dir) => {
    const data = body(1000);
    const cases: Array<[string, string]> = [
      ["attachment; filename=\"EURO rates\"; filename*=utf-8''%e2%82%ac%20rates.txt", "\u20ac rates.txt"],
      ["attachment; filename=..", "download"],
      ["inline", "download"],
      ['attachment; filename="unterminated', "download"], // a broken field: no name from it
    ];
    for (const [disposition, name] of cases) {
      const sim = simulatedStreams([{ peer: { respond: () => offering(disposition, data) } }]);
      const result = await download(
        "http://198.18.2.2/download",
        {
          directory: dir,
          tries: 1,
          contentDisposition: true,
        },
        {},
        sim.open,
      );
      assert.equal(result.path, `${dir}/${name}`, disposition);
      await Deno.remove(result.path);
    }
  });
});

Deno.test("without --content-disposition, or with -O, the header names nothing", async () => {
  await inTempDir(async (dir) => {
    const data = body(1000);
    const respond = () => offering('attachment; filename="other.bin"', data);
    const off = await download(
      "http://198.18.2.2/a.bin",
      { directory: dir, tries: 1 },
      {},
      simulatedStreams([{
        peer: { respond },
      }]).open,
    );
    assert.equal(off.path, `${dir}/a.bin`);
    const output = `${dir}/chosen.bin`;
    const named = await download(
      "http://198.18.2.2/a.bin",
      {
        output,
        tries: 1,
        contentDisposition: true,
      },
      {},
      simulatedStreams([{ peer: { respond } }]).open,
    );
    assert.equal(named.path, output);
    assert.deepEqual(names(dir), ["a.bin", "chosen.bin"]);
  });
});

Deno.test("a name in an ISO-8859-1 local encoding is written as ISO-8859-1 bytes", async () => {
  await inTempDir(async (dir) => {
    const data = body(1000);
    const sim = simulatedStreams([{ peer: { respond: () => httpResponse("200 OK", {}, data) } }]);
    const local = findCharset("ISO-8859-1")!;
    const result = await download(
      "http://198.18.2.2/caf%E9.txt",
      {
        directory: dir,
        tries: 1,
        encodings: { local },
      },
      {},
      sim.open,
    );
    // The request asked for the UTF-8 name; the file's name is the byte E9 (shown by Deno as U+FFFD).
    assert.match(new TextDecoder().decode(new Uint8Array(sim.links[0].peer.request)), /^GET \/caf%C3%A9\.txt /);
    assert.equal(result.path, `${dir}/caf\udce9.txt`);
    assert.deepEqual(names(dir), ["caf\ufffd.txt"]);
    const listed = new TextDecoder().decode((await new Deno.Command("ls", { args: ["-b", dir] }).output()).stdout);
    assert.equal(listed, "caf\\351.txt\n");
  });
});
