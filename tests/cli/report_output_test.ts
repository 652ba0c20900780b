/**
 * The files of `--report` and `--report-json`: opened at start-up, refused in one sentence when they cannot be, never
 * emptied before the report is written, and written through the descriptors opened at start.
 *
 * @module
 */

import assert from "node:assert/strict";
import { downloadSummary, openReportOutput, ReportFileError } from "../../src/cli/mod.ts";
import { withTempDir } from "../_support/files.ts";

const noOwner = { owner: null };

Deno.test("openReportOutput() refuses a path in a missing directory in one sentence", async () => {
  await withTempDir("rhg-report-out-", async (dir) => {
    await assert.rejects(
      () => openReportOutput({ html: `${dir}/missing/r.html` }, "rawhttpget test", noOwner),
      (e: unknown) =>
        e instanceof ReportFileError &&
        e.message === `Cannot write the report to '${dir}/missing/r.html': No such file or directory`,
    );
  });
});

Deno.test("a refused second file leaves the first as it was: removed when new, untouched when it existed", async () => {
  await withTempDir("rhg-report-out-", async (dir) => {
    await assert.rejects(() => openReportOutput({ html: `${dir}/new.html`, json: dir }, "t", noOwner), ReportFileError);
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    await Deno.writeTextFile(`${dir}/old.html`, "an earlier report");
    await assert.rejects(() => openReportOutput({ html: `${dir}/old.html`, json: `${dir}/x/r.json` }, "t", noOwner));
    assert.equal(await Deno.readTextFile(`${dir}/old.html`), "an earlier report");
  });
});

Deno.test("the report is written at the end through the files opened at the start, replacing what they held", async () => {
  await withTempDir("rhg-report-out-", async (dir) => {
    await Deno.writeTextFile(`${dir}/r.json`, "x".repeat(100_000));
    const out = (await openReportOutput({ html: `${dir}/r.html`, json: `${dir}/r.json` }, "rawhttpget test", noOwner))!;
    // Renamed away after opening: the report still reaches the file that was opened.
    await Deno.rename(`${dir}/r.html`, `${dir}/moved.html`);
    out.recorder.startDownload("http://198.18.2.2/a");
    out.recorder.endDownload(downloadSummary(null, "Connection refused"));
    const warnings: string[] = [];
    out.finish((line) => warnings.push(line));
    assert.deepEqual(warnings, []);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/r.json`));
    assert.equal(json.schema, "rawhttpget-report/1");
    assert.equal(json.downloads[0].summary.sentence, "Connection refused");
    assert.match(await Deno.readTextFile(`${dir}/moved.html`), /^<!doctype html>/);
  });
});

Deno.test("no report asked: nothing is opened", async () => {
  assert.equal(await openReportOutput({}, "t", noOwner), null);
});
