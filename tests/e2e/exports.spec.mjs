// Exports, saved views, brush-to-zoom, local time and completion, in a real Chromium: every
// exported file is read back and compared with `flowlens query` over the same files and the
// same filter; the Athena and Logs Insights text on the clipboard is the CLI's `--as`
// output; a refused clipboard falls back to selected text; saved views survive a reload and
// a storage that throws is said in words.

import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { flowlensText, open, samples, settled, shot } from "./lib.mjs";

/** `flowlens` as parsed JSON (the sample's sums are far below 2^53, so numbers are exact). */
const flowlens = (args, files) => JSON.parse(flowlensText(args, files));

/** Clicks an entry of the export menu and returns the downloaded file's name and text. */
async function exported(page, which) {
  const menu = page.locator(".exports details.menu");
  if (!(await menu.evaluate((d) => d.open))) await menu.locator("summary").click();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    menu.locator(`[data-export="${which}"]`).click(),
  ]);
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), "utf8"), download };
}

/** Downloads from a chart's own button. */
async function chartFile(page, figure, kind) {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator(`${figure} [data-save="${kind}"]`).click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(path) };
}

/** RFC 4180 CSV into rows of fields. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  return rows;
}

/** A top-list row as compared: key as text, counts as text. */
const topRow = (r) => ({
  key: Array.isArray(r.key) ? r.key.map(String) : r.key === null ? null : String(r.key),
  records: String(r.records),
  bytes: String(r.bytes),
  packets: String(r.packets),
});

async function openTab(page, name) {
  await page.getByRole("tab", { name }).click();
  await expect(page.locator(".panel")).toHaveAttribute("data-tab", name.toLowerCase());
}

async function filter(page, text, files) {
  await page.locator("#filter-input").fill(text);
  await page.locator("#filter-input").press("Enter");
  await settled(page, files.length);
}

test("overview, records, conversations and rejected traffic export the CLI's numbers", async ({ page }) => {
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);

  // The overview as JSON: totals, histogram and every top list.
  await page.locator(".exports summary").click();
  await expect(page.locator('.exports [data-export="csv"]')).toBeVisible();
  await shot(page, "60-export-menu.png");
  const { name, text } = await exported(page, "json");
  expect(name).toBe("flowlens-overview.json");
  const overview = JSON.parse(text);
  const summary = flowlens(["query", "--summary"], files).summary;
  for (const m of ["records", "bytes", "packets", "first_start", "last_end", "interfaces", "addresses"]) {
    expect(String(overview.summary[m]), m).toBe(String(summary[m]));
  }
  expect(String(overview.summary.accepted)).toBe(String(summary.by_action.ACCEPT));
  const tops = overview.tops.map((t) => t.by);
  expect(tops).toEqual(["srcaddr", "dstaddr", "pair", "dstport", "protocol", "interface-id"]);
  for (const top of overview.tops) {
    const cli = flowlens(["query", "--top", top.by, "--by", "bytes", "--limit", "10"], files);
    expect(top.top.map(topRow), top.by).toEqual(cli.top.map(topRow));
    expect(top.other).toEqual(cli.other);
    expect(String(top.groups)).toBe(String(cli.groups));
  }
  const histogram = flowlens(["query", "--histogram", String(overview.histogram.width)], files).histogram;
  const buckets = (histogram.buckets ?? histogram).map((b) => String(b.start));
  expect(overview.histogram.buckets.map((b) => String(b.start))).toEqual(buckets);

  // The top lists as CSV, and one list from its own chart.
  const csv = parseCsv((await exported(page, "csv")).text);
  expect(csv[0]).toEqual(["list", "key", "key2", "label", "records", "bytes", "packets", "groups"]);
  const ports = flowlens(["query", "--top", "dstport", "--by", "bytes", "--limit", "10"], files);
  const portRows = csv.filter((r) => r[0] === "dstport" && r[1] !== "(other)");
  expect(portRows.map((r) => [r[1], r[4], r[5], r[6]])).toEqual(
    ports.top.map((r) => [String(r.key), String(r.records), String(r.bytes), String(r.packets)]),
  );
  const own = await chartFile(page, 'figure[data-top="dstport"]', "csv");
  expect(own.name).toBe("flowlens-top-destination-ports-dstport.csv");
  expect(parseCsv(own.bytes.toString("utf8"))).toEqual([csv[0], ...csv.filter((r) => r[0] === "dstport")]);

  // Charts as PNG (the canvas) and SVG (the same drawing on plotters' SVG backend).
  const png = await chartFile(page, ".overview-charts > .chart-head", "png");
  expect(png.name).toBe("flowlens-traffic-over-time.png");
  expect(png.bytes.subarray(1, 4).toString("latin1")).toBe("PNG");
  const svg = (await chartFile(page, 'figure[data-top="dstport"]', "svg")).bytes.toString("utf8");
  expect(svg).toContain("<svg");
  expect(svg).toMatch(new RegExp(`>\\s*${ports.top[0].key} https`));
  const timeSvg = (await chartFile(page, ".overview-charts > .chart-head", "svg")).bytes.toString("utf8");
  expect(timeSvg).toContain("time (UTC)");

  // Records of a filter: every one, every column, as the CLI prints them.
  await filter(page, "action = REJECT and dstport = ssh", files);
  await openTab(page, "Records");
  await settled(page, files.length);
  const cliRecords = flowlens(
    ["query", "--filter", "action = REJECT and dstport = ssh", "--records", "0", "--limit", "100000"],
    files,
  ).records;
  const recordsJson = JSON.parse((await exported(page, "json")).text);
  expect(recordsJson.matched).toBe(Number(cliRecords.matched));
  expect(recordsJson.records.length).toBe(Number(cliRecords.matched));
  const strip = (r) => {
    const copy = { ...r, _file: basename(r._file) };
    for (const [k, v] of Object.entries(copy)) if (v === null) delete copy[k];
    return copy;
  };
  expect(recordsJson.records.map(strip)).toEqual(cliRecords.rows.map(strip));
  await expect(page.locator(".export-status")).toContainText("records as flowlens-records.json");
  const recordsCsv = parseCsv((await exported(page, "csv")).text);
  expect(recordsCsv.length - 1).toBe(Number(cliRecords.matched));
  const header = recordsCsv[0];
  expect(header.slice(0, 2)).toEqual(["_file", "_line"]);
  for (const [i, row] of recordsCsv.slice(1).entries()) {
    const cliRow = cliRecords.rows[i];
    expect(row[0]).toBe(basename(cliRow._file));
    for (const [j, column] of header.entries()) {
      if (j < 2) continue;
      const value = cliRow[column];
      expect(row[j], `${column} of row ${i}`).toBe(value === null || value === undefined ? "" : String(value));
    }
  }
  await page.locator(".exports summary").click();
  await expect(page.locator(".exports .menu-note")).toContainText("first 100,000");
  await page.locator(".exports summary").click();

  // Conversations: the CLI's, largest first.
  await filter(page, "", files);
  await openTab(page, "Conversations");
  await settled(page, files.length);
  const conversations = JSON.parse((await exported(page, "json")).text);
  const cliConversations = flowlens(["query", "--conversations", "--limit", "10000"], files);
  expect(conversations.total).toBe(cliConversations.conversations_total);
  expect(
    conversations.conversations.map((c) => [c.a, c.a_port, c.b, c.b_port, c.protocol, c.a_to_b.bytes, c.b_to_a.bytes]),
  ).toEqual(
    cliConversations.conversations.map((c) => [c.a.addr, c.a.port, c.b.addr, c.b.port, c.protocol, c.a_to_b.bytes, c.b_to_a.bytes]),
  );
  const conversationsCsv = parseCsv((await exported(page, "csv")).text);
  expect(conversationsCsv.length - 1).toBe(cliConversations.conversations.length);

  // Rejected traffic: each list as the CLI's.
  await openTab(page, "Rejected");
  await settled(page, files.length);
  const rejected = JSON.parse((await exported(page, "json")).text);
  const cliRejected = flowlens(["query", "--rejected", "--limit", "10"], files).rejected;
  const lists = { srcaddr: "by_source", dstport: "by_port", "interface-id": "by_interface", dstaddr: "by_destination" };
  for (const top of rejected.tops) {
    expect(top.top.map(topRow), top.by).toEqual(cliRejected[lists[top.by]].map(topRow));
  }
  expect(errors).toEqual([]);
});

test("the filter is copied as Athena SQL and Logs Insights, or selected when the clipboard is refused", async ({
  page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  const text = "dstport in (ssh, rdp) and srcaddr is public";
  await filter(page, text, files);
  for (const [which, target] of [
    ["athena", "athena"],
    ["insights", "insights"],
  ]) {
    await page.locator(".exports summary").click();
    await page.locator(`.exports [data-export="${which}"]`).click();
    await expect(page.locator(".export-status")).toContainText("Copied the");
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(flowlensText(["query", "--filter", `(${text})`, "--as", target], files));
  }
  await shot(page, "61-copied.png");

  // A refused clipboard: the text is shown, selected, for Ctrl-C.
  await page.evaluate(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException("refused", "NotAllowedError"));
  });
  await page.locator(".exports summary").click();
  await page.locator('.exports [data-export="athena"]').click();
  const dialog = page.getByRole("dialog", { name: "Athena SQL" });
  await expect(dialog).toBeVisible();
  const area = dialog.locator("textarea");
  await expect(area).toBeFocused();
  const selected = await area.evaluate((t) => t.value.slice(t.selectionStart, t.selectionEnd));
  expect(selected).toBe(flowlensText(["query", "--filter", `(${text})`, "--as", "athena"], files));
  await shot(page, "62-copy-fallback.png");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("views are saved, listed, opened and deleted, and survive a reload", async ({ page }) => {
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  await filter(page, "action = REJECT", files);
  await page.locator(".segment", { hasText: "packets" }).click();
  await openTab(page, "Rejected");

  // Keyboard only: open the menu, name the view, save it.
  await page.locator(".saved-views summary").focus();
  await page.keyboard.press("Enter");
  await page.locator("#view-name").focus();
  await page.keyboard.type("SSH <knocks>");
  await page.keyboard.press("Enter");
  await expect(page.locator('.saved-view[data-view="SSH <knocks>"]')).toHaveCount(1);
  await shot(page, "63-saved-views.png");

  await filter(page, "", files);
  await openTab(page, "Overview");
  await page.reload();
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  await page.locator(".saved-views summary").click();
  await page.getByRole("button", { name: "Open view SSH <knocks>" }).click();
  await expect(page.locator(".panel")).toHaveAttribute("data-tab", "rejected");
  await expect(page.locator("#filter-input")).toHaveValue("action = REJECT");
  await expect(page.locator(".overview-charts, .panel")).toBeVisible();
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain("m=packets");
  await page.getByRole("button", { name: "Delete view SSH <knocks>" }).click();
  await expect(page.locator(".saved-view")).toHaveCount(0);
  expect(await page.evaluate(() => localStorage.getItem("flowlens.saved-views"))).toBe("[]");
  expect(errors).toEqual([]);
});

test("a storage that throws is said in words", async ({ browser }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    Object.defineProperty(window, "localStorage", {
      get() {
        throw new DOMException("The operation is insecure.", "SecurityError");
      },
    });
  });
  const page = await context.newPage();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, samples().length);
  await page.locator(".saved-views summary").click();
  await expect(page.locator(".saved-message")).toContainText("Views cannot be saved");
  await page.locator("#view-name").fill("x");
  await page.locator(".save-view button").click();
  await expect(page.locator(".saved-message")).toContainText("The view was not saved");
  await shot(page, "64-no-storage.png");
  expect(errors).toEqual([]);
  await context.close();
});

test("dragging across the time chart filters to that time; Escape cancels; Enter on a bucket zooms", async ({ page }) => {
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  const canvas = page.locator(".time-canvas");
  const box = await canvas.boundingBox();
  const y = box.y + box.height / 2;

  // Escape while dragging: nothing.
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, y, { steps: 4 });
  await expect(page.locator(".brush.on")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.locator(".brush.on")).toHaveCount(0);
  await page.mouse.up();
  await expect(page.locator(".chip")).toHaveCount(0);

  // A drag sets the time chip; the numbers are the CLI's for it.
  await page.mouse.move(box.x + box.width * 0.35, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, y, { steps: 6 });
  await shot(page, "65-brushing.png");
  await page.mouse.up();
  const chip = page.locator(".chip");
  await expect(chip).toHaveCount(1);
  const condition = await chip.getAttribute("data-chip");
  expect(condition).toMatch(/^time in \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.\.\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  await settled(page, files.length);
  const kept = flowlens(["query", "--filter", condition, "--summary"], files).summary;
  await expect(page.locator('[data-metric="records"]')).toHaveAttribute("data-value", String(kept.records));
  expect(kept.records).toBeLessThan(flowlens(["query", "--summary"], files).summary.records);
  await shot(page, "66-zoomed.png");

  // Keyboard: Enter on a bucket of the chart's table zooms to it, replacing the chip.
  const first = page.locator('table[data-chart="time"] tr[data-start] button').first();
  await first.focus();
  await shot(page, "67-bucket-focus.png");
  await page.keyboard.press("Enter");
  await expect(chip).toHaveCount(1);
  await expect(chip).not.toHaveAttribute("data-chip", condition);
  expect(errors).toEqual([]);
});

test("local time reaches the cards, the chart's axis and its hover text", async ({ browser }) => {
  const context = await browser.newContext({ timezoneId: "Asia/Kolkata" });
  const page = await context.newPage();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, samples().length);
  await expect(page.locator(".summary .span")).toContainText("UTC (");
  await page.locator(".switch input").check();
  await expect(page.locator(".summary .span")).toContainText("UTC+05:30");
  const canvas = page.locator(".time-canvas");
  const box = await canvas.boundingBox();
  await canvas.hover({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
  await expect(canvas).toHaveAttribute("title", /UTC\+05:30/);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.locator('.overview-charts > .chart-head [data-save="svg"]').click(),
  ]);
  expect(readFileSync(await download.path(), "utf8")).toContain("time (UTC+05:30)");
  await shot(page, "68-local-time.png");
  expect(errors).toEqual([]);
  await context.close();
});

test("the filter bar completes field names and keywords", async ({ page }) => {
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  const input = page.locator("#filter-input");
  await input.focus();
  await page.keyboard.type("dstp");
  const list = page.getByRole("listbox", { name: "Suggestions" });
  await expect(input).toHaveAttribute("aria-expanded", "true");
  await expect(list.getByRole("option")).toHaveText(["dstport"]);
  await page.keyboard.press("ArrowDown");
  await expect(input).toHaveAttribute("aria-activedescendant", "filter-suggestions-0");
  await page.keyboard.press("Enter");
  await expect(input).toHaveValue("dstport ");
  await page.keyboard.type("= 22 a");
  await expect(list.getByRole("option")).toHaveText(["and"]);
  await page.keyboard.press("Tab");
  await expect(input).toHaveValue("dstport = 22 and ");
  await page.keyboard.type("srcaddr is p");
  await expect(list.getByRole("option")).toHaveText(["public", "present", "private"]);
  await shot(page, "69-completion.png");
  await page.keyboard.press("Escape");
  await expect(input).toHaveAttribute("aria-expanded", "false");
  await page.keyboard.type("u");
  await page.keyboard.press("Tab");
  await expect(input).toHaveValue("dstport = 22 and srcaddr is public ");
  await page.keyboard.press("Enter");
  await settled(page, files.length);
  await expect(page.locator(".filter-error")).toHaveCount(0);
  const kept = flowlens(["query", "--filter", "dstport = 22 and srcaddr is public", "--summary"], files).summary;
  await expect(page.locator('[data-metric="records"]')).toHaveAttribute("data-value", String(kept.records));
  expect(errors).toEqual([]);
});
