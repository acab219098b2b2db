// Drives headless Chromium (Debian's, through playwright-core) against a node's live pages for
// HttpLivePagesBrowserTest. Prints one marker line per step; the Java test makes the changes in between.
// usage: node live-pages.js <http base> <znode path> <topic> <screenshot dir> <profile dir>
"use strict";
const { chromium } = require("playwright-core");
const [base, zpath, topic, shots, profile] = process.argv.slice(2);
const say = (line) => process.stdout.write(line + "\n");

(async () => {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run"],
    viewport: { width: 1100, height: 700 },
  });
  try {
    const page = await context.newPage();
    page.on("console", (m) => say("console: " + m.text()));
    page.on("pageerror", (e) => say("pageerror: " + e.message));

    await page.goto(base + "/live/watch?path=" + encodeURIComponent(zpath));
    await page.waitForSelector("#log >> text=watching " + zpath, { timeout: 30000 });
    say("WATCH_READY");
    const row = (p) => page.locator(`tr[data-path="${p}"] td.data`);
    await row(zpath + "/item").filter({ hasText: "hello-from-zk" }).waitFor({ timeout: 30000 });
    say("WATCH_SAW_CREATE");
    await row(zpath + "/item").filter({ hasText: "changed-by-zk" }).waitFor({ timeout: 30000 });
    await page.screenshot({ path: shots + "/live-watch.png", fullPage: true });
    say("WATCH_SAW_CHANGE");

    await page.goto(base + "/live/tail?topic=" + encodeURIComponent(topic) + "&from=earliest");
    await page.click("button[type=submit]");
    await page.waitForSelector("#log >> text=tailing " + topic, { timeout: 30000 });
    say("TAIL_READY");
    await page.locator("td.value", { hasText: "record-from-kafka-2" }).waitFor({ timeout: 30000 });
    await page.locator("#count", { hasText: "3 records" }).waitFor({ timeout: 30000 });
    await page.screenshot({ path: shots + "/live-tail.png", fullPage: true });
    say("TAIL_SAW_RECORDS");
  } finally {
    await context.close();
  }
})().then(() => process.exit(0), (e) => { say("FAILED " + e.stack); process.exit(1); });
