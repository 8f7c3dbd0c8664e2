// The Records, Conversations, Rejected and Parse quality tabs, in a real Chromium: the rows
// the page shows (first window, sorted, scrolled to the end), the conversations and the
// rejected lists are compared with `flowlens query` over the same files; the drawer, clicks
// that filter, the column chooser and reading a header-less file again with a given format
// are driven as a user would.

import { test, expect } from "@playwright/test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { defaultDist } from "./serve.mjs";
import { dropFile, flowlensJson, here, open, samples, settled, shot } from "./lib.mjs";

/** The rows the records table shows: file name, line and the shown cells by column. */
async function shownRows(page) {
  return page.locator(".records-table tbody tr[data-line]").evaluateAll((rows) =>
    rows.map((tr) => {
      const cells = {};
      for (const td of tr.querySelectorAll("td[data-column]")) {
        cells[td.dataset.column] = td.textContent;
      }
      return {
        index: Number(tr.dataset.index),
        where: tr.querySelector("td.where").title,
        cells,
      };
    }),
  );
}

/** A CLI record as the table shows it (times in UTC; missing as `-`). */
function asShown(record, columns) {
  const cells = {};
  for (const column of columns) {
    const value = record[column];
    if (value === null || value === undefined) cells[column] = "-";
    else if (column === "start" || column === "end") {
      cells[column] = new Date(Number(value) * 1000).toISOString().replace("T", " ").replace(".000Z", " UTC");
    } else cells[column] = String(value);
  }
  return { where: `${basename(record._file)}:${record._line}`, cells };
}

async function openTab(page, name) {
  await page.getByRole("tab", { name }).click();
  await expect(page.locator(".panel")).toHaveAttribute("data-tab", name.toLowerCase().split(" ")[0] === "parse" ? "quality" : name.toLowerCase());
}

test("the records table shows, sorts and scrolls the CLI's records, and explains one", async ({ page }) => {
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  await openTab(page, "Records");
  await settled(page, files.length);

  const all = flowlensJson(["query", "--records", "0", "--limit", "30"], files);
  const section = page.locator("section.records");
  await expect(section).toHaveAttribute("data-matched", String(all.records.matched));
  const columns = await page.locator(".records-table thead th[data-column]").evaluateAll((ths) =>
    ths.map((th) => th.dataset.column),
  );
  expect(columns).toEqual(expect.arrayContaining(["start", "srcaddr", "dstaddr", "bytes", "action"]));
  let rows = await shownRows(page);
  expect(rows.length).toBeGreaterThan(10);
  expect(rows.map(({ where, cells }) => ({ where, cells }))).toEqual(
    all.records.rows.slice(0, rows.length).map((r) => asShown(r, columns)),
  );
  await shot(page, "40-records.png");

  // A fling to the end and straight back: the window asked for on the way down is dropped,
  // so the rows on screen stay (a later answer for the end would leave them blank).
  await page.locator(".records-scroll").evaluate(async (box) => {
    box.scrollTop = box.scrollHeight;
    await new Promise((done) => setTimeout(done, 20));
    box.scrollTop = 0;
  });
  await page.waitForTimeout(400);
  await settled(page, files.length);
  await expect(page.locator('.records-table tbody tr[data-index="0"][data-line]')).toHaveCount(1);

  // Sorting by bytes: largest first, as `--sort -bytes`; a second click reverses.
  await page.locator('th[data-column="bytes"] button').click();
  await expect(page.locator('th[data-column="bytes"]')).toHaveAttribute("aria-sort", "descending");
  await settled(page, files.length);
  const sorted = flowlensJson(["query", "--records", "0", "--limit", "30", "--sort", "-bytes"], files);
  rows = await shownRows(page);
  expect(rows.map(({ where, cells }) => ({ where, cells }))).toEqual(
    sorted.records.rows.slice(0, rows.length).map((r) => asShown(r, columns)),
  );
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain("s=-bytes");

  // Scrolled to the very end: the last rows are the CLI's last ones.
  const matched = Number(all.records.matched);
  await page.locator(".records-scroll").evaluate((box) => {
    box.scrollTop = box.scrollHeight;
  });
  const last = page.locator(`.records-table tbody tr[data-index="${matched - 1}"][data-line]`);
  await expect(last).toHaveCount(1);
  await settled(page, files.length);
  const tail = flowlensJson(["query", "--records", String(matched - 5), "--limit", "5", "--sort", "-bytes"], files);
  rows = (await shownRows(page)).filter((r) => r.index >= matched - 5);
  expect(rows.map(({ where, cells }) => ({ where, cells }))).toEqual(tail.records.rows.map((r) => asShown(r, columns)));
  await shot(page, "41-records-sorted-end.png");

  // Back to the top, and the drawer explains the first record in AWS's terms.
  await page.locator(".records-scroll").evaluate((box) => {
    box.scrollTop = 0;
  });
  await expect(page.locator('.records-table tbody tr[data-index="0"][data-line]')).toHaveCount(1);
  await page.locator('.records-table tbody tr[data-index="0"] td.where button').click();
  const drawer = page.getByRole("dialog", { name: "Record" });
  await expect(drawer).toBeVisible();
  await expect(drawer).toBeFocused();
  const top = sorted.records.rows[0];
  await expect(drawer.locator('[data-field="dstport"] .meaning')).toHaveText(/https \(well-known port\)/);
  await expect(drawer.locator('[data-field="protocol"] .meaning')).toHaveText("TCP (IANA protocol 6)");
  await expect(drawer.locator('[data-field="srcaddr"] .value')).toHaveText(top.srcaddr);
  await expect(drawer.locator(".caveats")).toContainText("aggregation window");
  await shot(page, "42-records-drawer.png");
  await page.keyboard.press("Escape");
  await expect(drawer).toHaveCount(0);

  // Clicking a cell filters to its value; Alt-click excludes it. The table follows.
  await page.locator('.records-table tbody tr[data-index="0"] td[data-column="dstaddr"] button').click();
  await expect(page.locator(".chip")).toHaveCount(1);
  await settled(page, files.length);
  const kept = flowlensJson(["query", "--filter", `dstaddr = ${top.dstaddr}`, "--records", "0", "--limit", "1"], files);
  await expect(section).toHaveAttribute("data-matched", String(kept.records.matched));
  await page.locator('.chip button').click();
  await expect(page.locator(".chip")).toHaveCount(0);
  await page.locator('.records-table tbody tr[data-index="0"] td[data-column="action"] button').click({ modifiers: ["Alt"] });
  await settled(page, files.length);
  const action = top.action;
  const dropped = flowlensJson(["query", "--filter", `not action = ${action}`, "--records", "0", "--limit", "1"], files);
  await expect(section).toHaveAttribute("data-matched", String(dropped.records.matched));
  await expect(page.locator(".chip")).toHaveText(new RegExp(`not action = ${action}`));

  // The column chooser offers every field, custom-format ones included.
  await page.locator(".column-chooser summary").click();
  await page.locator('.column-choice input[data-column="pkt-srcaddr"]').check();
  await expect(page.locator('.records-table thead th[data-column="pkt-srcaddr"]')).toHaveCount(1);
  await page.locator('.column-choice input[data-column="account-id"]').check();
  await expect(page.locator('.records-table thead th[data-column="account-id"]')).toHaveCount(1);
  await shot(page, "43-records-columns.png");
  expect(errors).toEqual([]);
});

test("conversations and rejected traffic equal the CLI's", async ({ page }) => {
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);

  await openTab(page, "Conversations");
  await settled(page, files.length);
  const expected = flowlensJson(["query", "--conversations", "--limit", "100", "--by", "bytes"], files);
  const section = page.locator("section.conversations");
  await expect(section).toHaveAttribute("data-total", String(expected.conversations_total));
  const got = await section.locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => ({ a: r.dataset.a, b: r.dataset.b, ab: r.dataset.aToB, ba: r.dataset.bToA })),
  );
  const counts = (c) => `${c.records} ${c.bytes} ${c.packets}`;
  expect(got).toEqual(
    expected.conversations.map((c) => ({ a: c.a.addr, b: c.b.addr, ab: counts(c.a_to_b), ba: counts(c.b_to_a) })),
  );
  await shot(page, "44-conversations.png");

  // Clicking a conversation's protocol keeps both of its directions and nothing else.
  await section.locator("tbody tr").first().locator("td").nth(2).locator("button").click();
  await settled(page, files.length);
  const first = expected.conversations[0];
  await expect(page.locator('[data-metric="records"]')).toHaveAttribute("data-value", first.records);
  await expect(page.locator('[data-metric="bytes"]')).toHaveAttribute("data-value", first.bytes);
  await page.locator(".chip button").click();
  await settled(page, files.length);

  await openTab(page, "Rejected");
  await settled(page, files.length);
  const rejected = flowlensJson(["query", "--rejected", "--limit", "10", "--by", "bytes"], files).rejected;
  const panel = page.locator("section.rejected");
  await expect(panel).toHaveAttribute("data-records", rejected.records);
  await expect(panel).toHaveAttribute("data-bytes", rejected.bytes);
  for (const [by, list] of [
    ["srcaddr", rejected.by_source],
    ["dstport", rejected.by_port],
    ["interface-id", rejected.by_interface],
    ["dstaddr", rejected.by_destination],
  ]) {
    const rows = await panel.locator(`table[data-chart="${by}"] tr[data-key]`).evaluateAll((trs) =>
      trs.map((r) => ({ key: r.dataset.key, records: r.dataset.records, bytes: r.dataset.bytes })),
    );
    expect(rows, `rejected by ${by}`).toEqual(
      list.map((r) => ({ key: String(r.key), records: r.records, bytes: r.bytes })),
    );
  }
  await shot(page, "45-rejected.png");
  expect(errors).toEqual([]);
});

test("parse quality shows how each file was read, and a header-less file reads again with a given format", async ({ page }) => {
  const dir = join(here, "test-results", "quality");
  mkdirSync(dir, { recursive: true });
  // The custom v5 sample without its header line: a layout nobody could guess.
  const custom = readFileSync(join(defaultDist(), "samples", "nat-gateway-and-api-custom-v5.log"), "utf8");
  const [header, ...lines] = custom.split("\n");
  const headerless = join(dir, "nat-no-header.log");
  writeFileSync(headerless, lines.join("\n"));

  const errors = await open(page);
  await dropFile(page, headerless);
  await settled(page, 1);
  await openTab(page, "Parse quality");
  const report = page.locator(`article.quality-file[data-file="nat-no-header.log"]`);
  const before = flowlensJson(["summary"], [headerless]);
  await expect(report).toHaveAttribute("data-issues", String(before.issues.total));
  await expect(report.locator(".examples li").first()).toContainText("nat-no-header.log:1");
  await shot(page, "46-quality-unknown-layout.png");

  // A wrong format is refused where it was typed; the right one reads every line.
  const input = report.locator("form.reparse input");
  await input.fill("${version} ${srcaddr} ${nonsense");
  await report.getByRole("button", { name: "Read again" }).click();
  await expect(report.locator(".filter-error")).toBeVisible();
  await input.fill(header);
  await report.getByRole("button", { name: "Read again" }).click();
  await settled(page, 1);
  const after = flowlensJson(["summary", "--format", header], [headerless]);
  expect(after.issues.total).toBe(0);
  await expect(page.locator('[data-metric="records"]')).toHaveAttribute("data-value", after.records);
  await expect(page.locator(`article.quality-file[data-file="nat-no-header.log"]`)).toHaveAttribute("data-issues", "0");
  await expect(page.locator(`article.quality-file[data-file="nat-no-header.log"] .formats`)).toContainText("given");
  await shot(page, "47-quality-reparsed.png");
  expect(errors).toEqual([]);
});
