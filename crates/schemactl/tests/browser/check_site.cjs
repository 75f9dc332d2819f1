// Loads every page of a `schemactl docs` site from file:// in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core) and reports, as one JSON object on stdout:
// the pages loaded, every console error, page error and failed request, every link (href in
// HTML and SVG) whose file or #anchor does not exist, what a search on the index found, and
// the screenshots taken. tests/docs_browser.rs asserts on it.
//
// usage: node check_site.cjs SITE_DIR SHOT_DIR EVENT_PAGE SEARCH_QUERY
// env: PLAYWRIGHT_CORE (path of the playwright-core package), CHROMIUM (the browser binary)
"use strict";
const fs = require("fs");
const path = require("path");
const { pathToFileURL, fileURLToPath } = require("url");
const { chromium } = require(process.env.PLAYWRIGHT_CORE || "playwright-core");

const [site, shots, eventPage, query] = process.argv.slice(2);

function pages(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...pages(p));
    else if (e.name.endsWith(".html")) out.push(p);
  }
  return out.sort();
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const report = { pages: 0, errors: [], broken: [], links: 0, search: [], shots: [] };
  let current = "";
  page.on("console", (m) => { if (m.type() === "error") report.errors.push(`${current}: console: ${m.text()}`); });
  page.on("pageerror", (e) => report.errors.push(`${current}: ${e.message}`));
  page.on("requestfailed", (r) => report.errors.push(`${current}: request failed: ${r.url()}`));
  const ids = new Map(); // file -> Set of ids, read on demand
  const idsOf = (file) => {
    if (!ids.has(file)) {
      const html = fs.readFileSync(file, "utf8");
      ids.set(file, new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1].replace(/&quot;/g, '"').replace(/&amp;/g, "&"))));
    }
    return ids.get(file);
  };
  for (const file of pages(site)) {
    current = path.relative(site, file);
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    report.pages++;
    const hrefs = await page.$$eval("a", (as) => as.map((a) => a.href.baseVal !== undefined ? new URL(a.href.baseVal, document.baseURI).href : a.href));
    for (const href of hrefs) {
      report.links++;
      const u = new URL(href);
      if (u.protocol !== "file:") { report.broken.push(`${current}: leaves the site: ${href}`); continue; }
      const target = fileURLToPath(u.href.split("#")[0]);
      if (!fs.existsSync(target)) { report.broken.push(`${current}: no file ${path.relative(site, target)}`); continue; }
      const anchor = decodeURIComponent(u.hash.slice(1));
      if (anchor && !idsOf(target).has(anchor)) report.broken.push(`${current}: no #${anchor} in ${path.relative(site, target)}`);
    }
  }
  // The search box on the index, and a screenshot of the index and of one event page.
  current = "index.html (search)";
  await page.goto(pathToFileURL(path.join(site, "index.html")).href);
  fs.mkdirSync(shots, { recursive: true });
  const shot = async (name, opts) => {
    const p = path.join(shots, name);
    await page.screenshot({ path: p, ...opts });
    report.shots.push(p);
  };
  await shot("index.png", { fullPage: false });
  await page.fill("#search", query);
  await page.waitForSelector("#results:not([hidden]) a", { timeout: 5000 });
  report.search = await page.$$eval("#results a", (as) => as.map((a) => a.getAttribute("href")));
  await shot("search.png", { fullPage: false });
  // Following the first hit opens its page.
  await Promise.all([page.waitForNavigation(), page.click("#results a")]);
  report.search_opened = path.relative(site, fileURLToPath(page.url().split("#")[0]));
  current = eventPage;
  await page.goto(pathToFileURL(path.join(site, eventPage)).href);
  await shot("event.png", { fullPage: true });
  await browser.close();
  process.stdout.write(JSON.stringify(report));
})().catch((e) => { console.error(e); process.exit(1); });
