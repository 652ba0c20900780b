import { deepEqual, equal, ok, throws } from "node:assert/strict";
import { EEXIST, ENOENT } from "../../ffi/errno.ts";
import {
  chown,
  fileInfo,
  fileSize,
  isDirectoryWritable,
  listDirectory,
  mkdirp,
  openFile,
  readFileBytes,
  removeFile,
  renameFile,
  setModificationTime,
} from "../../ffi/fs.ts";
import { OsError } from "../../ffi/os_error.ts";
import { currentUids, getEnv, getPid, isTerminal } from "../../ffi/process.ts";
import { withTempDir } from "../_support/files.ts";

const inTempDir = (fn: (dir: string) => void | Promise<void>) => withTempDir("rhg-ffi-fs-", fn);

const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("openFile() writes, pwrites, sizes, truncates and the file renames into place", () =>
  inTempDir(async (dir) => {
    const part = `${dir}/out.bin.part`;
    const f = openFile(part, { create: true, exclusive: true, write: true, mode: 0o600 });
    f.write(bytes("hello "));
    f.write(new Uint8Array(100_000).fill(0x61));
    f.pwrite(bytes("H"), 0);
    equal(f.size(), 100_006);
    f.truncate(8);
    f.sync();
    f.close();
    f.close();
    equal(fileSize(part), 8);
    renameFile(part, `${dir}/out.bin`);
    equal(fileSize(part), null);
    deepEqual(await Deno.readFile(`${dir}/out.bin`), bytes("Hello aa"));
    deepEqual(readFileBytes(`${dir}/out.bin`), bytes("Hello aa"));
    equal((await Deno.stat(`${dir}/out.bin`)).mode! & 0o777, 0o600);
  }));

Deno.test("openFile() appends, refuses an existing file when exclusive, and reports ENOENT", () =>
  inTempDir((dir) => {
    const path = `${dir}/log`;
    openFile(path, { create: true, write: true }).close();
    const a = openFile(path, { append: true });
    a.write(bytes("one "));
    a.write(bytes("two"));
    a.close();
    deepEqual(readFileBytes(path), bytes("one two"));
    throws(
      () => openFile(path, { create: true, exclusive: true, write: true }),
      (e: unknown) => e instanceof OsError && e.errno === EEXIST && e.message.startsWith(`EEXIST from open("${path}"`),
    );
    throws(() => openFile(`${dir}/missing`), (e: unknown) => e instanceof OsError && e.errno === ENOENT);
  }));

Deno.test("chown() by path and by descriptor gives the file away", () =>
  inTempDir(async (dir) => {
    const path = `${dir}/owned`;
    const f = openFile(path, { create: true, write: true });
    if (currentUids().euid === 0) {
      f.chown(65534, 65534);
      equal(fileInfo(path)?.uid, 65534);
      chown(path, 1, 2);
      deepEqual([(await Deno.stat(path)).uid, (await Deno.stat(path)).gid], [1, 2]);
    } else {
      chown(path, currentUids().uid, currentUids().gid);
    }
    f.close();
  }));

Deno.test("removeFile(), fileInfo(), mkdirp() and isDirectoryWritable() report what the disk says", () =>
  inTempDir((dir) => {
    mkdirp(`${dir}/a/b/c`);
    mkdirp(`${dir}/a/b/c`);
    ok(fileInfo(`${dir}/a/b/c`)?.isDirectory);
    ok(isDirectoryWritable(`${dir}/a/b`));
    ok(!isDirectoryWritable(`${dir}/nope`));
    openFile(`${dir}/a/f`, { create: true, write: true }).close();
    throws(() => mkdirp(`${dir}/a/f`), OsError);
    ok(removeFile(`${dir}/a/f`));
    ok(!removeFile(`${dir}/a/f`));
    equal(fileInfo(`${dir}/a/f`), null);
  }));

Deno.test("getEnv(), isTerminal(), currentUids() and getPid() match what Deno says", () => {
  equal(getEnv("PATH"), Deno.env.get("PATH"));
  equal(getEnv("RHG_SURELY_UNSET_VARIABLE"), undefined);
  equal(getEnv("A=B"), undefined);
  equal(isTerminal(0), Deno.stdin.isTerminal());
  equal(isTerminal(-1), false);
  equal(currentUids().uid, Deno.uid());
  equal(currentUids().gid, Deno.gid());
  equal(getPid(), Deno.pid);
});

Deno.test("setModificationTime() sets the mtime that fileInfo() and Deno.stat() then report", async () => {
  await inTempDir((dir) => {
    const path = `${dir}/t.bin`;
    Deno.writeFileSync(path, bytes("x"));
    setModificationTime(path, 1577934245);
    equal(fileInfo(path)?.mtime, 1577934245);
    equal(Deno.statSync(path).mtime?.getTime(), 1577934245000);
    throws(() => setModificationTime(`${dir}/missing`, 0), (e) => e instanceof OsError && e.errno === ENOENT);
    throws(() => setModificationTime(path, 0.5), RangeError);
  });
});

Deno.test("listDirectory() names every entry but . and .., and fileInfo() gives the type and permission bits", () =>
  inTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.pem`, "a");
    await Deno.mkdir(`${dir}/sub`);
    await Deno.symlink("a.pem", `${dir}/1a2b3c4d.0`);
    await Deno.chmod(`${dir}/a.pem`, 0o640);
    deepEqual(listDirectory(dir).sort(), ["1a2b3c4d.0", "a.pem", "sub"]);
    equal(fileInfo(`${dir}/a.pem`)?.mode, 0o100640);
    equal(fileInfo(`${dir}/1a2b3c4d.0`)?.mode, 0o100640); // stat follows the link
    equal((fileInfo(`${dir}/sub`)?.mode ?? 0) & 0o170000, 0o040000);
    deepEqual([fileInfo(`${dir}/a.pem`)?.isFile, fileInfo(`${dir}/sub`)?.isFile], [true, false]);
    throws(
      () => listDirectory(`${dir}/missing`),
      (e) => e instanceof OsError && e.errno === ENOENT && e.call === "opendir",
    );
    deepEqual(listDirectory(`${dir}/sub`), []);
  }));
