// Measures a page as an unattended screen shows it, in Debian's Chromium (playwright-core), and
// prints one JSON object: does everything fit one screen, and how small is the smallest text.
//   {scrollHeight, clientHeight, scrollWidth, clientWidth, minFont, minFontText,
//    sections: {selector: {top, bottom, visible}}, brokenDates: [...]}
// Usage: node board_fit.mjs URL WIDTH HEIGHT SCREENSHOT.png SELECTOR...
import { chromium } from "playwright-core";

const [url, width, height, shot, ...selectors] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
  const response = await page.goto(url, { waitUntil: "load" });
  const result = await page.evaluate((selectors) => {
    const doc = document.documentElement;
    let minFont = Infinity;
    let minFontText = "";
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const broken = [];
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const text = node.textContent.trim();
      if (!text) continue;
      const el = node.parentElement;
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden") continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const size = parseFloat(style.fontSize);
      if (size < minFont) {
        minFont = size;
        minFontText = text.slice(0, 60);
      }
      // A date split over two lines: its characters' boxes on more than one line.
      for (const m of text.matchAll(/\d{2}\/\d{2}\/\d{4}/g)) {
        const range = document.createRange();
        const start = node.textContent.indexOf(m[0]);
        range.setStart(node, start);
        range.setEnd(node, start + m[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) broken.push(m[0]);
      }
    }
    const sections = {};
    for (const sel of selectors) {
      const el = document.querySelector(sel);
      if (!el) {
        sections[sel] = null;
        continue;
      }
      const r = el.getBoundingClientRect();
      sections[sel] = { top: r.top, bottom: r.bottom, visible: r.bottom <= window.innerHeight && r.height > 0 };
    }
    return {
      scrollHeight: doc.scrollHeight,
      clientHeight: doc.clientHeight,
      scrollWidth: doc.scrollWidth,
      clientWidth: doc.clientWidth,
      minFont,
      minFontText,
      brokenDates: broken,
      sections,
    };
  }, selectors);
  if (shot) await page.screenshot({ path: shot });
  console.log(JSON.stringify({ status: response.status(), ...result }));
} finally {
  await browser.close();
}
