/**
 * Recursive retrieval without I/O: the crawl's queue and verdicts, the links of HTML pages and stylesheets, wget's
 * rules for following them and naming their files, robots.txt, and `-k`'s conversion of links. The link extractors
 * are behind their own surface, `extract.ts`: they load htmlparser2, which only a run that crawls needs.
 *
 * @module
 */

export * from "./link_types.ts";
export * from "./crawl.ts";
export * from "./crawl_record.ts";
export * from "./resolved_links.ts";
export * from "./link_rules.ts";
export * from "./local_path.ts";
export * from "./robots.ts";
export * from "./convert_links.ts";
