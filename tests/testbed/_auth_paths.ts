/**
 * Authentication routes of the test file server: `/basic-auth/USER/PASS/FILE` and `/digest-auth/ALG/USER/PASS/FILE`
 * (ALG `MD5` or `SHA-256`, qop=auth) answer 401 with their challenge until the request carries the right
 * credentials, then serve FILE; `/auth-unknown/FILE` always answers 401 with a scheme no client knows.
 *
 * @module
 */

import { createHash, randomBytes } from "node:crypto";
import type { HttpRequest, HttpWriter } from "./http1.ts";

const NONCE = randomBytes(16).toString("hex");
const REALM = "rawhttpget test";

/** The file path behind an authentication route once the request may have it; null once a 401 was sent. */
export async function authorize(req: HttpRequest, w: HttpWriter): Promise<string | null> {
  const parts = req.path.split("/"); // ["", "basic-auth", user, pass, ...file]
  const auth = req.header("authorization") ?? "";
  if (parts[1] === "auth-unknown") {
    await w.simple(401, "Who are you?\n", [["WWW-Authenticate", 'Telepathy realm="mind"']]);
    return null;
  }
  if (parts[1] === "basic-auth") {
    const [user, pass] = [parts[2], parts[3]];
    if (auth === `Basic ${btoa(`${user}:${pass}`)}`) return `/${parts.slice(4).join("/")}`;
    await w.simple(401, "Unauthorized\n", [["WWW-Authenticate", `Basic realm="${REALM}"`]]);
    return null;
  }
  const [alg, user, pass] = [parts[2], parts[3], parts[4]];
  const h = (text: string) => createHash(alg === "SHA-256" ? "sha256" : "md5").update(text).digest("hex");
  const params = new Map<string, string>();
  for (const m of auth.replace(/^Digest /, "").matchAll(/(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))/g)) {
    params.set(m[1], m[2] ?? m[3]);
  }
  const ha1 = h(`${user}:${REALM}:${pass}`);
  const ha2 = h(`${req.method}:${params.get("uri")}`);
  const expected = h(`${ha1}:${NONCE}:${params.get("nc")}:${params.get("cnonce")}:auth:${ha2}`);
  if (auth.startsWith("Digest ") && params.get("username") === user && params.get("response") === expected) {
    return `/${parts.slice(5).join("/")}`;
  }
  const challenge = `Digest realm="${REALM}", qop="auth", nonce="${NONCE}", algorithm=${alg}, opaque="x"`;
  await w.simple(401, "Unauthorized\n", [["WWW-Authenticate", challenge]]);
  return null;
}
