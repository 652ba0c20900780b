// The entry point tests/tools/vendor_htmlparser2.ts bundles: htmlparser2's Parser, as deno.json pins it.
export { Parser } from "htmlparser2";
