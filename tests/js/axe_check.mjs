// Runs axe-core on a page in Debian's Chromium (playwright-core drives /usr/bin/chromium; it
// downloads no browser of its own) and prints one JSON object on stdout:
//   {violations: [{id, impact, help, nodes}], scrollWidth, clientWidth, dialogs, lang, title}
// Usage: node axe_check.mjs URL [WIDTH HEIGHT]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const [url, width = "1920", height = "1080"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node axe_check.mjs URL [WIDTH HEIGHT]");
  process.exit(2);
}
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
});
try {
  // bypassCSP: public pages forbid inline scripts; axe is injected only by this check (and a
  // script smuggled past the escaping would then still show up as a dialog below).
  const page = await browser.newPage({
    viewport: { width: Number(width), height: Number(height) },
    bypassCSP: true,
  });
  const dialogs = [];
  // A script smuggled in through a unit name or a reason would show up here (alert, confirm).
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const response = await page.goto(url, { waitUntil: "load" });
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return {
      violations: r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })),
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      lang: document.documentElement.lang,
      title: document.title,
    };
  });
  console.log(JSON.stringify({ status: response.status(), dialogs, ...result }));
} finally {
  await browser.close();
}
