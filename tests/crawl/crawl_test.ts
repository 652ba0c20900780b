/**
 * The crawl's state machine on a site held in memory: pages are lists of links, each fetch "saves" the page under
 * its URL's path; the steps taken are compared with the order and the verdicts of wget's retrieve_tree.
 */

import assert from "node:assert/strict";
import { Crawl, type CrawlSettings, type FoundLink, type LinkRules, type PageLinks } from "../../src/crawl/mod.ts";
import { parseUrl } from "../../src/http/mod.ts";

interface Page {
  readonly type: string;
  readonly links?: readonly (string | Partial<FoundLink> & { raw: string })[];
  readonly redirect?: string;
  readonly status?: number;
  readonly nofollow?: boolean;
}

function link(spec: string | Partial<FoundLink> & { raw: string }): FoundLink {
  const base = { start: 0, end: 0, context: "attribute" as const, inline: false, expectHtml: true, expectCss: false };
  return typeof spec === "string" ? { ...base, raw: spec, origin: "a/href" } : { ...base, origin: "test", ...spec };
}

/**
 * Runs a crawl over `site` from `start`; returns the URLs fetched in order ("robots:" for robots.txt, "read:" for a
 * file saved before and read again).
 */
function crawl(
  site: Record<string, Page>,
  start: string,
  rules: Partial<LinkRules>,
  more: Partial<CrawlSettings> = {},
) {
  const settings: CrawlSettings = {
    rules: { level: 5, ...rules },
    recursive: true,
    robots: false,
    deleteAfter: false,
    ...more,
  };
  const c = new Crawl(settings);
  c.startTree(parseUrl(start));
  const order: string[] = [];
  for (let step = c.next(); step !== null; step = c.next()) {
    if (step.kind === "robots") {
      order.push(`robots:${step.url.href}`);
      const page = site[step.url.href];
      c.robotsRead(step.url, page === undefined ? null : page.links!.join("\n"));
      continue;
    }
    const linksOf = (p: Page): PageLinks => ({
      links: (p.links ?? []).map(link),
      base: null,
      nofollow: p.nofollow ?? false,
    });
    if (step.kind === "read") {
      order.push(`read:${step.url.href}`);
      c.parsed(step, linksOf(site[step.url.href]));
      continue;
    }
    const href = step.item.url.href;
    order.push(href);
    let page = site[href];
    let final = href;
    if (page?.redirect !== undefined) {
      final = page.redirect;
      page = site[final];
    }
    if (page === undefined || (page.status ?? 200) >= 400) {
      c.fetched(step.item, null);
      continue;
    }
    const path = new URL(final).pathname.slice(1) || "index.html";
    const read = c.fetched(step.item, { url: parseUrl(final), path, contentType: page.type });
    if (read === null) continue;
    c.parsed(read, linksOf(page));
  }
  return { order, crawl: c };
}

const H = "http://198.18.0.9";

Deno.test("the crawl goes breadth first and fetches each URL once", async (t) => {
  const site: Record<string, Page> = {
    [`${H}/`]: { type: "text/html", links: ["a.html", "b.html", "a.html#top", "#self"] },
    [`${H}/a.html`]: { type: "text/html", links: ["c.html", "b.html", "/"] },
    [`${H}/b.html`]: { type: "text/html", links: ["d.html"] },
    [`${H}/c.html`]: { type: "text/html" },
    [`${H}/d.html`]: { type: "text/html" },
  };
  await t.step("level by level, in document order", () => {
    const { order } = crawl(site, `${H}/`, {});
    assert.deepEqual(order, [`${H}/`, `${H}/a.html`, `${H}/b.html`, `${H}/c.html`, `${H}/d.html`]);
  });
  await t.step("-l 1 stops after the links of the first page", () => {
    assert.deepEqual(crawl(site, `${H}/`, { level: 1 }).order, [`${H}/`, `${H}/a.html`, `${H}/b.html`]);
  });
  await t.step("a link of a file that is no page is not read, whatever it says", () => {
    const s = { ...site, [`${H}/a.html`]: { type: "image/png", links: ["c.html"] } };
    assert.deepEqual(crawl(s, `${H}/`, {}).order, [`${H}/`, `${H}/a.html`, `${H}/b.html`, `${H}/d.html`]);
  });
});

Deno.test("links that are no pages are not read as pages; stylesheets are read as CSS", () => {
  const site: Record<string, Page> = {
    [`${H}/`]: {
      type: "text/html",
      links: [{ raw: "i.html", inline: true, expectHtml: false }, { raw: "s.css", inline: true, expectCss: true }],
    },
    // An image link served as HTML is not parsed (wget: html_allowed is the link's expect-html flag).
    [`${H}/i.html`]: { type: "text/html", links: ["never.html"] },
    // A stylesheet is read as CSS even when served with another type.
    [`${H}/s.css`]: { type: "text/plain", links: [{ raw: "bg.png", inline: true, expectHtml: false }] },
    [`${H}/bg.png`]: { type: "image/png" },
  };
  assert.deepEqual(crawl(site, `${H}/`, {}).order, [`${H}/`, `${H}/i.html`, `${H}/s.css`, `${H}/bg.png`]);
});

Deno.test("robots.txt is read once per host, before the first link to it is queued", () => {
  const site: Record<string, Page> = {
    [`${H}/`]: { type: "text/html", links: ["a.html", "private/x.html", "b.html"] },
    [`${H}/robots.txt`]: { type: "text/plain", links: ["User-agent: *", "Disallow: /private/"] },
    [`${H}/a.html`]: { type: "text/html", links: ["private/y.html"] },
    [`${H}/b.html`]: { type: "text/html" },
  };
  const { order, crawl: c } = crawl(site, `${H}/`, {}, { robots: true });
  assert.deepEqual(order, [`${H}/`, `robots:${H}/robots.txt`, `${H}/a.html`, `${H}/b.html`]);
  const reasons = c.takeRejections().map((r) => `${r.reason} ${"href" in r.url ? r.url.href : r.url.text}`);
  assert.ok(reasons.includes(`robots ${H}/private/x.html`), reasons.join("\n"));
});

Deno.test("<meta name=robots content=nofollow> stops the page's links unless robots are off", () => {
  const site: Record<string, Page> = {
    [`${H}/`]: { type: "text/html", links: ["a.html"], nofollow: true },
    [`${H}/a.html`]: { type: "text/html" },
  };
  assert.deepEqual(crawl(site, `${H}/`, {}, { robots: true }).order, [`${H}/`]);
  assert.deepEqual(crawl(site, `${H}/`, {}, { robots: false }).order, [`${H}/`, `${H}/a.html`]);
});

Deno.test("a redirect's target counts as seen, and a redirect loop ends", () => {
  const site: Record<string, Page> = {
    [`${H}/`]: { type: "text/html", links: ["old.html", "new.html", "loop1"] },
    [`${H}/old.html`]: { type: "text/html", redirect: `${H}/new.html` },
    [`${H}/new.html`]: { type: "text/html", links: ["old.html"] },
    [`${H}/loop1`]: { type: "text/html", status: 508 },
  };
  const { order } = crawl(site, `${H}/`, {});
  // new.html was queued before old.html's redirect reached it; once saved under both URLs it is not fetched again
  // when its turn comes (wget's "Already downloaded"), its links are read from the file.
  assert.deepEqual(order, [`${H}/`, `${H}/old.html`, `read:${H}/new.html`, `${H}/loop1`]);
});

Deno.test("-p alone fetches the requisites of the page given and of its frames, nothing else", () => {
  const site: Record<string, Page> = {
    [`${H}/`]: {
      type: "text/html",
      links: ["a.html", { raw: "i.png", inline: true, expectHtml: false }, { raw: "f.html", inline: true }],
    },
    [`${H}/f.html`]: { type: "text/html", links: ["b.html", { raw: "j.png", inline: true, expectHtml: false }] },
    [`${H}/i.png`]: { type: "image/png" },
    [`${H}/j.png`]: { type: "image/png" },
  };
  const { order } = crawl(site, `${H}/`, { level: 0, pageRequisites: true }, { recursive: false });
  assert.deepEqual(order, [`${H}/`, `${H}/i.png`, `${H}/f.html`, `${H}/j.png`]);
});

Deno.test("another host is not followed without -H", () => {
  const site: Record<string, Page> = {
    [`${H}/`]: { type: "text/html", links: ["http://198.18.0.10/x.html", "a.html"] },
    [`${H}/a.html`]: { type: "text/html" },
    ["http://198.18.0.10/x.html"]: { type: "text/html" },
  };
  assert.deepEqual(crawl(site, `${H}/`, {}).order, [`${H}/`, `${H}/a.html`]);
  assert.deepEqual(crawl(site, `${H}/`, { spanHosts: true }).order, [
    `${H}/`,
    "http://198.18.0.10/x.html",
    `${H}/a.html`,
  ]);
});

Deno.test("the queue stops growing at its limit, and the crawl says how many links it left", () => {
  const links = Array.from({ length: 50 }, (_, i) => `p${i}.html`);
  const site: Record<string, Page> = { [`${H}/`]: { type: "text/html", links } };
  const { order, crawl: c } = crawl(site, `${H}/`, {}, { maxQueued: 20 });
  assert.equal(order.length, 1 + 20);
  assert.deepEqual(c.takeNotices(), [`The crawl has 20 URLs waiting: 30 more links of ${H}/ are not followed`]);
});
