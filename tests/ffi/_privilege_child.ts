/** Child of os_error_test.ts: run unprivileged, tries a raw socket and prints what it caught. */
import { openRawSender, PrivilegeError } from "../../ffi/mod.ts";

try {
  openRawSender().close();
  console.log("opened a raw socket without privileges");
} catch (e) {
  if (!(e instanceof PrivilegeError)) throw e;
  console.log(`${e.name} ${e.code} ${e.call}: ${e.message}`);
}
