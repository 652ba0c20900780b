/**
 * A client of the privileged helper whose guard is made by a firewall command (`nft` or `iptables`, argument 1): it
 * starts the helper, drops to nobody, asks for the guard of a flow on a port it holds, prints the guard's method and
 * the helper's pid as JSON, and waits to be killed. Usage: `_fallback_child.ts nft|iptables LOCAL_ADDR SERVER_ADDR`.
 */

import { dropPrivileges, reservePort } from "../../ffi/mod.ts";
import { HelperOpener, startHelper } from "../../src/privilege/mod.ts";
import { parseIpv4Address } from "../../src/wire/mod.ts";

const [mode, localText, serverText] = Deno.args;
const { channel, pid } = startHelper({ firewall: mode === "iptables" ? "iptables" : "nft" });
dropPrivileges({ uid: 65534, gid: 65534 });
const opener = new HelperOpener(channel);
const localAddr = parseIpv4Address(localText);
const port = reservePort(localAddr);
const flow = { localAddr, localPort: port.port, remoteAddr: parseIpv4Address(serverText), remotePort: 80 };
const guard = await opener.guard(flow, port, null);
console.log(JSON.stringify({ method: guard.method, helperPid: pid, port: port.port }));
setInterval(() => {}, 60_000); // alive until SIGKILL
