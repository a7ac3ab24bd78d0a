// The office desk in Debian's Chromium, as a clerk uses it: sign in, open her commune's year,
// cancel a session and book the proposed make-up, write two rows of the reception log and record
// the session as held, then look at the public board. axe-core runs on every desk page.
//
// Prints one JSON object on stdout: {pages: {name: {status, url, violations, title, lang}},
// screenshots: [paths], dialogs, board: {...}, texts: {...}}.
// Usage: node desk_browser.mjs BASE_URL LOGIN PASSWORD UNIT CANCEL_ID RECORD_ID OUT_DIR
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const [base, login, password, unit, cancelId, recordId, outDir] = process.argv.slice(2);
if (!outDir) {
  console.error("usage: node desk_browser.mjs BASE_URL LOGIN PASSWORD UNIT CANCEL_ID RECORD_ID OUT_DIR");
  process.exit(2);
}
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const REASON = "Bí thư dự hội nghị Trung ương (thử trên trình duyệt)";

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
const out = { pages: {}, screenshots: [], dialogs: [], texts: {}, board: {} };
try {
  // bypassCSP: the desk forbids every script but its own; axe is injected only by this test.
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true, locale: "vi-VN" });
  const page = await context.newPage();
  page.on("dialog", async (d) => {
    out.dialogs.push(d.message());
    await d.dismiss();
  });

  async function check(name, response) {
    await page.addScriptTag({ content: axeSource });
    const r = await page.evaluate(async () => {
      const res = await window.axe.run(document, { resultTypes: ["violations"] });
      return {
        violations: res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })),
        title: document.title,
        lang: document.documentElement.lang,
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      };
    });
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file });
    out.screenshots.push(file);
    out.pages[name] = { status: response ? response.status() : null, url: page.url(), ...r };
  }

  async function submit(buttonName) {
    const [response] = await Promise.all([
      page.waitForNavigation({ waitUntil: "load" }),
      page.getByRole("button", { name: buttonName, exact: true }).click(),
    ]);
    return response;
  }

  // Sign in.
  let response = await page.goto(`${base}/desk/`, { waitUntil: "load" });
  await check("login", response);
  await page.getByLabel("Tên đăng nhập").fill(login);
  await page.getByLabel("Mật khẩu").fill(password);
  response = await submit("Đăng nhập");
  await check("units", response);

  // Her commune's year.
  const [unitResponse] = await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.locator(`a[href^="/desk/units/${unit}?"]`).first().click(),
  ]);
  await check("unit", unitResponse);

  // The public board before any change.
  const boardBefore = await (await context.request.get(`${base}/board/${unit}`)).text();

  // Cancel a session, then book the first proposed make-up day.
  response = await page.goto(`${base}/desk/sessions/${cancelId}`, { waitUntil: "load" });
  await check("session", response);
  await page.getByLabel("Lý do hoãn").fill(REASON);
  response = await submit("Hoãn buổi tiếp");
  await check("confirm", response);
  out.texts.confirm = await page.locator("main").innerText();
  response = await submit("Xác nhận hoãn");
  await check("cancelled", response);
  out.texts.afterCancel = await page.locator("main").innerText();
  const proposal = await page.locator('input[type=radio][name="date"]').first().getAttribute("value");
  out.texts.proposal = proposal;
  response = await submit("Đặt buổi tiếp bù");
  await check("makeup", response);
  out.texts.makeupUrl = page.url();
  out.texts.afterMakeup = await page.locator("main").innerText();

  // Two rows of the reception log, then the outcome.
  response = await page.goto(`${base}/desk/sessions/${recordId}`, { waitUntil: "load" });
  await page.getByLabel("Họ và tên (người đại diện nếu là đoàn)").fill("Hoàng Thị Lan");
  await page.getByLabel("Địa chỉ").fill("Thôn Nà Pò, xã An Khánh");
  await page.getByLabel("Số định danh cá nhân / Thẻ căn cước / Hộ chiếu").fill("004190000001");
  await page.getByLabel("Nội dung vụ việc").fill("Đề nghị cấp giấy chứng nhận quyền sử dụng đất");
  await page.getByLabel("Hướng xử lý").selectOption("guided");
  await submit("Thêm vào sổ");
  await page.getByLabel("Họ và tên (người đại diện nếu là đoàn)").fill("Đoàn thôn Bản Giới");
  await page.locator("#lg-group").check();
  await page.getByLabel("Số người", { exact: true }).fill("4");
  await page.getByLabel("Số đơn").fill("1");
  await page.getByLabel("Nội dung vụ việc").fill("Kiến nghị sửa đường liên thôn");
  await page.getByLabel("Hướng xử lý").selectOption("accepted");
  response = await submit("Thêm vào sổ");
  await check("log", response);
  await page.getByLabel("Người khác tiếp thay").check();
  await page.getByLabel("Họ và tên người tiếp thay").fill("Bí thư Đảng ủy xã");
  response = await submit("Ghi: đã tiếp");
  await check("recorded", response);
  out.texts.afterRecord = await page.locator("main").innerText();

  // The calendar shows it all, and the public board has changed.
  response = await page.goto(`${page.url().split("/desk/")[0]}/desk/units/${unit}`, { waitUntil: "load" });
  await check("unit_after", response);
  out.texts.unitAfter = await page.locator("main").innerText();
  // A row of the log edited weeks later: its follow-up.
  response = await page.goto(`${base}/desk/sessions/${recordId}`, { waitUntil: "load" });
  const [editResponse] = await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.getByRole("link", { name: "Sửa dòng 1", exact: true }).click(),
  ]);
  await check("log_edit", editResponse);
  await page.getByLabel("Theo dõi kết quả giải quyết").fill("Đã hướng dẫn công dân nộp hồ sơ tại bộ phận một cửa");
  await submit("Lưu dòng sổ");
  out.texts.afterEdit = await page.locator("main").innerText();

  // The same pages on a 390 px phone: nothing scrolls sideways, a name is never a column of letters.
  const phone = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    bypassCSP: true,
    locale: "vi-VN",
  });
  await phone.addCookies(await context.cookies());
  const mobile = await phone.newPage();
  out.phone = {};
  const phonePages = {
    units: "/desk/",
    unit: `/desk/units/${unit}`,
    session: `/desk/sessions/${recordId}`,
    cancelled: `/desk/sessions/${cancelId}`,
    log_edit: editResponse.url().replace(/^https?:\/\/[^/]+/, ""),
  };
  for (const [name, url] of Object.entries(phonePages)) {
    const r = await mobile.goto(`${base}${url}`, { waitUntil: "load" });
    const m = await mobile.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      widest: Math.max(...[...document.querySelectorAll("main *")].map((e) => e.getBoundingClientRect().right)),
      names: [...document.querySelectorAll("td.log-name")].map((e) => ({ width: e.getBoundingClientRect().width, text: e.innerText })),
    }));
    const file = path.join(outDir, `phone-${name}.png`);
    await mobile.screenshot({ path: file, fullPage: true });
    out.phone[name] = { status: r.status(), file, ...m };
  }
  await phone.close();

  response = await page.goto(`${base}/board/${unit}`, { waitUntil: "load" });
  const file = path.join(outDir, "board.png");
  await page.screenshot({ path: file });
  out.screenshots.push(file);
  const boardAfter = await page.content();
  out.board = {
    status: response.status(),
    changed: boardBefore !== boardAfter,
    reasonBefore: boardBefore.includes(REASON),
    reasonAfter: boardAfter.includes(REASON),
  };
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
