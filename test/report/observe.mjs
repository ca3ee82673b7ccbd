// Opens a report.html in Debian's headless Chromium (through playwright-core, no browser download)
// and prints what a viewer's browser saw, as JSON: console errors, page errors, CSP violations,
// every network request, each chart's canvas size and how many distinct colours it painted, the
// findings table as rendered, the shaded bands, and what clicking a finding's "timeline" button
// did. Takes a full-page screenshot. The assertions live in test_report.py.
//
//   node observe.mjs <report.html> <screenshot.png> [width]
// CHROMIUM names the browser binary (default /usr/bin/chromium).
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [reportPath, screenshotPath, widthArg] = process.argv.slice(2);
if (!reportPath || !screenshotPath) {
  console.error("usage: node observe.mjs <report.html> <screenshot.png> [width]");
  process.exit(2);
}
const url = pathToFileURL(resolve(reportPath)).href;
const profile = mkdtempSync(join(tmpdir(), "cf-report-chromium-"));
const seen = { consoleErrors: [], consoleWarnings: [], pageErrors: [], requests: [], failedRequests: [] };

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: Number(widthArg || 1440), height: 1000 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"],
});
try {
  const page = context.pages()[0] || (await context.newPage());
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on("console", (m) => {
    if (m.type() === "error") seen.consoleErrors.push(m.text());
    if (m.type() === "warning") seen.consoleWarnings.push(m.text());
  });
  page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
  context.on("request", (r) => { if (r.url() !== url) seen.requests.push(r.url()); });
  context.on("requestfailed", (r) => { if (r.url() !== url) seen.failedRequests.push(r.url()); });

  await page.goto(url, { waitUntil: "load" });
  let ready = null;
  try {
    await page.waitForSelector("html[data-charts-ready]", { timeout: 30000 });
    ready = await page.getAttribute("html", "data-charts-ready");
  } catch (e) {
    seen.readyTimeout = String(e);
  }

  Object.assign(seen, await page.evaluate(() => {
    const charts = {};
    document.querySelectorAll("[id^=chart-]").forEach((el) => {
      const canvases = [...el.querySelectorAll("canvas")];
      const c = canvases[0];
      let colours = 0;
      if (c && c.width && c.height) {
        const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        const set = new Set();
        for (let i = 0; i < px.length; i += 4 * 7) set.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
        colours = set.size;
      }
      const inst = window.echarts && echarts.getInstanceByDom(el);
      const opt = inst ? inst.getOption() : null;
      charts[el.id] = {
        canvases: canvases.length,
        width: c ? c.getBoundingClientRect().width : 0,
        height: c ? c.getBoundingClientRect().height : 0,
        colours,
        seriesPoints: opt ? opt.series.map((s) => (s.data || []).length) : [],
      };
    });
    const rows = [...document.querySelectorAll("#findings-table tr.finding")].map((tr) => ({
      severity: tr.getAttribute("data-severity"),
      hunt: tr.querySelector("td.hunt").textContent,
      entity: tr.querySelector("td.entity code").textContent,
      sql: tr.querySelector("pre.sql").textContent,
    }));
    return {
      charts, findingsRows: rows, bands: window.__cfBands || null, csp: window.__csp,
      pwned: window.__pwned === undefined ? null : window.__pwned,
      injectedElements: document.querySelectorAll("img, iframe, object, embed").length,
      title: document.title,
    };
  }));
  seen.ready = ready;

  // Interaction: "timeline" on the first finding zooms the timeline to its window.
  const zoom = await page.$("button.zoom");
  if (zoom && ready) {
    await zoom.click();
    await page.waitForTimeout(300);
    seen.zoomAfterClick = await page.evaluate(() => {
      const opt = echarts.getInstanceByDom(document.getElementById("chart-timeline")).getOption();
      const sel = opt.series.find((s) => s.id === "selected");
      return { startValue: opt.dataZoom[0].startValue, endValue: opt.dataZoom[0].endValue,
               selected: sel && sel.markArea ? sel.markArea.data : null };
    });
    await page.evaluate(() => window.scrollTo(0, 0));
    // Back to the whole range for the screenshot.
    await page.evaluate(() => echarts.getInstanceByDom(document.getElementById("chart-timeline"))
      .dispatchAction({ type: "dataZoom", start: 0, end: 100 }));
    await page.waitForTimeout(200);
  }
  await page.screenshot({ path: screenshotPath, fullPage: true });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(seen) + "\n");
