import assert from "node:assert/strict";
import { checkTree, formatViolation, LAYERS, readTree } from "./check_layers.ts";

// Checks an in-memory tree and returns its violations as the lines the command prints.
function check(files: Record<string, string>): string[] {
  return checkTree(new Map(Object.entries(files))).map(formatViolation);
}

Deno.test("checkTree() passes a tree that follows the table, whatever its comments and strings mention", () => {
  assert.deepEqual(
    check({
      "main.ts": [
        'import { earlyHelper } from "./src/privilege/mod.ts";',
        'const { main } = await import("./src/program/mod.ts");',
        "if (import.meta.main) Deno.exit(await main());",
      ].join("\n"),
      "src/program/run.ts": [
        'import { run } from "../cli/mod.ts";',
        'import { download } from "../fetch/mod.ts";',
      ].join("\n"),
      "src/cli/mod.ts": 'import { parseArgs } from "node:util";\nexport { run } from "./run.ts";',
      "src/fetch/mod.ts": 'import * as tls from "node:tls";\nimport type { Duplex } from "node:stream";',
      "src/transport/connect.ts": 'import { openRawSender } from "../../ffi/mod.ts";',
      "src/transport/driver.ts": 'import type { TcpConnection } from "../tcp/mod.ts";',
      "src/http/decode.ts": 'import zlib from "node:zlib";\nimport { WireError } from "../wire/mod.ts";',
      "src/tcp/timers.ts": [
        "/**",
        " * Never calls Date.now() or setTimeout: `handleTimeout(now)` is given the time.",
        ' * import { Driver } from "../transport/mod.ts";',
        " */",
        'import { seqLt } from "../wire/mod.ts"; // not "../transport/driver.ts", not Deno.now',
        'import { Tcb } from "./tcb.ts";',
        "/* performance.now() */ const wait = 5; /* Math.random() */",
        'const home = "http://example.com/"; // Deno.exit(1), new Date()',
        "const why = 'crypto.getRandomValues is for the driver'; // setInterval",
        "const note = `${wait} ms, see Date.now in https://example.com`;",
        "const slash = /\\/\\/ Deno/;",
        "queueMicrotask(() => {});",
      ].join("\n"),
      "ffi/mod.ts": 'export { formatIpv4Address } from "../src/wire/mod.ts";',
      "tests/tcp/timers_test.ts": 'import { Tcb } from "../../src/tcp/tcb.ts";\nDeno.test("x", () => {});',
    }),
    [],
  );
});

Deno.test("checkTree() reports a place that imports a place the table does not allow", () => {
  assert.deepEqual(check({ "src/tcp/timers.ts": '\nimport { Driver } from "../transport/mod.ts";' }), [
    'src/tcp/timers.ts:2: Layering: src/tcp may not import src/transport (imports "../transport/mod.ts")',
  ]);
});

Deno.test("checkTree() reports the driver when it imports ffi, which the rest of src/transport may", () => {
  assert.deepEqual(
    check({
      "src/transport/driver.ts": 'import { libc } from "../../ffi/mod.ts";',
      "src/transport/connect.ts": 'import { libc } from "../../ffi/mod.ts";',
    }),
    [
      "src/transport/driver.ts:1: Layering: src/transport/driver.ts may not import ffi: the event loop must run on a " +
      'simulated link (imports "../../ffi/mod.ts")',
    ],
  );
});

Deno.test("checkTree() reports an import that leaves the repository or reaches a folder outside the table", () => {
  assert.deepEqual(
    check({
      "src/wire/seq.ts": 'import { x } from "../../../elsewhere.ts";',
      "src/cli/messages.ts": 'import { TlsError } from "../net/tls.ts";',
    }),
    [
      'src/cli/messages.ts:1: Layering: src/cli may not import src/net (imports "../net/tls.ts")',
      'src/wire/seq.ts:1: Layering: src/wire may not import a path outside the repository (imports "../../../elsewhere.ts")',
    ],
  );
});

Deno.test("checkTree() reports an import of another place that does not name its mod.ts, type-only ones too", () => {
  assert.deepEqual(
    check({
      "src/fetch/download.ts": [
        'import type { HeadEvent } from "../http/response_parser.ts";',
        "import {",
        "  buildGetRequest,",
        "  type ParsedUrl,",
        '} from "../http/request.ts";',
        'export { WireError } from "../wire/errors.ts";',
        'export * from "../wire/mod.ts";',
      ].join("\n"),
    }),
    [
      'src/fetch/download.ts:1: Public surface: src/fetch must import src/http through src/http/mod.ts (imports "../http/response_parser.ts")',
      'src/fetch/download.ts:5: Public surface: src/fetch must import src/http through src/http/mod.ts (imports "../http/request.ts")',
      'src/fetch/download.ts:6: Public surface: src/fetch must import src/wire through src/wire/mod.ts (imports "../wire/errors.ts")',
    ],
  );
});

Deno.test("checkTree() lets a place be entered through a second surface the table names, and no other file", () => {
  assert.deepEqual(Object.keys(LAYERS["src/transport"].surfaces ?? {}), ["src/transport/privileged.ts"]);
  assert.deepEqual(
    check({
      "src/privilege/helper_server.ts": [
        'import type { Guard } from "../transport/privileged.ts";',
        'import { directOpener } from "../transport/opener.ts";',
      ].join("\n"),
    }),
    [
      'src/privilege/helper_server.ts:2: Public surface: src/privilege must import src/transport through src/transport/mod.ts (imports "../transport/opener.ts")',
    ],
  );
});

Deno.test("checkTree() reports a private file imported from another place, but not from its own", () => {
  assert.deepEqual(
    check({
      "src/program/run.ts": 'import { parseAddr } from "../../ffi/_ipv4.ts";',
      "ffi/raw_socket.ts": 'import { parseAddr } from "./_ipv4.ts";',
    }),
    ['src/program/run.ts:1: Private file: ffi/_ipv4.ts is private to ffi (imports "../../ffi/_ipv4.ts")'],
  );
});

Deno.test("checkTree() reports a node: module or package that the place may not import", () => {
  assert.deepEqual(
    check({
      "main.ts": 'import { join } from "jsr:@std/path@1";',
      "src/http/decode.ts": 'import zlib from "node:zlib";\nimport { readFileSync } from "node:fs";',
      "src/save/output.ts": 'import "npm:left-pad";\nconst x = await import("https://deno.land/x/y.ts");',
    }),
    [
      'main.ts:1: Package: main.ts may not import "jsr:@std/path@1" (it may import no packages)',
      'src/http/decode.ts:2: Package: src/http may not import "node:fs" (it may import only node:zlib)',
      'src/save/output.ts:1: Package: src/save may not import "npm:left-pad" (it may import no packages)',
      'src/save/output.ts:2: Package: src/save may not import "https://deno.land/x/y.ts" (it may import no packages)',
    ],
  );
});

Deno.test("checkTree() reports a dynamic import of a literal like a static one", () => {
  assert.deepEqual(check({ "src/tcp/rtt.ts": 'const m = await import(\n  "../transport/driver.ts"\n);' }), [
    'src/tcp/rtt.ts:2: Layering: src/tcp may not import src/transport (imports "../transport/driver.ts")',
  ]);
});

Deno.test("checkTree() reports a core file that touches Deno", () => {
  assert.deepEqual(check({ "src/wire/pcap.ts": "const f = Deno.openSync(path);" }), [
    'src/wire/pcap.ts:1: Sans-IO: src/wire may not touch Deno (uses "Deno.openSync")',
  ]);
});

Deno.test("checkTree() reports a core file that reads the clock", () => {
  assert.deepEqual(
    check({
      "src/tcp/rtt.ts": "const a = performance.now();\nconst b = Date.now(); // now\nconst c = new Date();",
    }),
    [
      'src/tcp/rtt.ts:1: Sans-IO: src/tcp may not read the clock (uses "performance.now")',
      'src/tcp/rtt.ts:2: Sans-IO: src/tcp may not read the clock (uses "Date.now")',
      'src/tcp/rtt.ts:3: Sans-IO: src/tcp may not read the clock (uses "new Date(")',
    ],
  );
});

Deno.test("checkTree() reports a core file that sets a timer, but not one that queues a microtask", () => {
  assert.deepEqual(
    check({ "src/http/request.ts": "queueMicrotask(flush);\nsetTimeout(flush, 10);\nsetInterval(tick, 5);" }),
    [
      'src/http/request.ts:2: Sans-IO: src/http may not set a timer (uses "setTimeout")',
      'src/http/request.ts:3: Sans-IO: src/http may not set a timer (uses "setInterval")',
    ],
  );
});

Deno.test("checkTree() reports a core file that uses randomness", () => {
  assert.deepEqual(
    check({ "src/tcp/connection.ts": "const isn = crypto.getRandomValues(b);\nconst port = `${Math.random()}`;" }),
    [
      'src/tcp/connection.ts:1: Sans-IO: src/tcp may not use randomness (uses "crypto.getRandomValues")',
      'src/tcp/connection.ts:2: Sans-IO: src/tcp may not use randomness (uses "Math.random")',
    ],
  );
});

Deno.test("checkTree() leaves clocks and Deno to the places outside the core", () => {
  assert.deepEqual(check({ "src/transport/driver.ts": "const now = performance.now();\nDeno.exit(0);" }), []);
});

Deno.test("checkTree() reports a source folder that is not in the table, once per file", () => {
  assert.deepEqual(check({ "src/net/driver.ts": 'import { libc } from "../../ffi/libc.ts";' }), [
    "src/net/driver.ts:1: Unknown place: src/net is not in the layering table",
  ]);
});

Deno.test("the layering table names only its own places", () => {
  for (const [place, layer] of Object.entries(LAYERS)) {
    for (const to of layer.imports) assert.ok(Object.hasOwn(LAYERS, to), `${place} lists unknown place ${to}`);
    for (const [file, rule] of Object.entries(layer.files ?? {})) {
      assert.ok(file.startsWith(`${place}/`), `${file} is not in ${place}`);
      for (const to of rule.without) assert.ok(layer.imports.includes(to), `${file} narrows ${to}`);
    }
  }
});

Deno.test("the repository obeys the layering table", async () => {
  const files = await readTree(new URL("../../", import.meta.url));
  assert.ok(files.has("main.ts"), "the repository root holds main.ts");
  assert.deepEqual(checkTree(files).map(formatViolation), []);
});
