// The page as a new user meets it, in a real Chromium: pick a file, drop another, try the
// samples, give it a file that is not a flow log. Every number read from the page is
// compared with what the native `flowlens summary` prints for the same files.

import { test, expect } from "@playwright/test";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { defaultDist } from "./serve.mjs";
import { cliTotals, dropFile, fixtures, open, pageTotals, settled, shot } from "./lib.mjs";

test("a new user sees what to do", async ({ page }) => {
  const errors = await open(page);
  await expect(
    page.getByText(
      "Drop VPC Flow Logs: .log, .log.gz, CloudWatch exports, or a whole AWSLogs/ folder",
    ),
  ).toBeVisible();
  await expect(page.getByText("Your files never leave this computer.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Try sample data" })).toBeVisible();
  await expect(page.getByText("Where flow logs come from")).toBeVisible();
  await expect(page.locator("#file-input")).toHaveJSProperty("multiple", true);
  await shot(page, "01-first-contact.png");
  expect(errors).toEqual([]);
});

test("a picked file, then a dropped one, add up to the CLI's numbers", async ({ page }, info) => {
  const files = fixtures(info.outputPath("files"));
  const errors = await open(page);

  await page.locator("#file-input").setInputFiles(files.plain);
  await settled(page, 1);
  const row = page.locator(`[data-file="guide-default.log"]`);
  await expect(row).toHaveAttribute("data-status", "done");
  expect(await pageTotals(page)).toEqual(cliTotals([files.plain]));
  await expect(row).toHaveAttribute("data-records", cliTotals([files.plain]).records);

  await dropFile(page, files.gz);
  await settled(page, 2);
  await expect(page.locator(`[data-file="custom-v5.log.gz"]`)).toHaveAttribute("data-status", "done");
  expect(await pageTotals(page)).toEqual(cliTotals([files.plain, files.gz]));

  // Human text: thousands separators, bytes in powers of 1000, the exact value on hover.
  const totals = cliTotals([files.plain, files.gz]);
  await expect(page.locator('[data-metric="records"] .card-value')).toHaveText(
    Number(totals.records).toLocaleString("en-US"),
  );
  await expect(page.locator('[data-metric="bytes"] .card-value')).toHaveText(/^\d+(\.\d+)? (KB|MB|GB)$/);
  await expect(page.locator('[data-metric="bytes"]')).toHaveAttribute(
    "title",
    new RegExp(`^${Number(totals.bytes).toLocaleString("en-US")} bytes`),
  );
  await shot(page, "02-picked-and-dropped.png");
  expect(errors).toEqual([]);
});

test("the sample data gives the CLI's numbers over all sample files", async ({ page }) => {
  const dist = defaultDist();
  const index = JSON.parse(readFileSync(join(dist, "samples", "index.json"), "utf8"));
  const names = (Array.isArray(index) ? index : index.files).map((e) =>
    typeof e === "string" ? e : e.name,
  );
  expect(names.length).toBeGreaterThan(0);
  const errors = await open(page);

  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, names.length);
  for (const name of names) {
    await expect(page.locator(`[data-file="${name}"]`)).toHaveAttribute("data-status", "done");
  }
  expect(await pageTotals(page)).toEqual(cliTotals(names.map((n) => join(dist, "samples", n))));
  await shot(page, "03-sample-data.png");
  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "03-sample-data-dark.png");
  expect(errors).toEqual([]);
});

test("a file with a few bad lines is read, and its row says which", async ({ page }, info) => {
  const files = fixtures(info.outputPath("files"));
  const errors = await open(page);

  await page.locator("#file-input").setInputFiles(files.mixed);
  await settled(page, 1);
  const row = page.locator('[data-file="mixed.log"]');
  await expect(row).toHaveAttribute("data-status", "done");
  await expect(row).toHaveAttribute("data-issues", "2");
  await expect(row.locator(".note.warning")).toHaveText(/^2 lines could not be read \(/);
  await row.locator(".issue summary").click();
  await expect(row.locator(".issue")).toContainText("line 4");
  expect(await pageTotals(page)).toEqual(cliTotals([files.mixed]));
  await shot(page, "05-bad-lines.png");
  expect(errors).toEqual([]);
});

test("a picked folder gives every file inside it, named by its path", async ({ page }, info) => {
  const files = fixtures(info.outputPath("files"));
  const day = join(info.outputPath("tree"), "AWSLogs", "123456789010", "vpcflowlogs", "us-east-1", "2026", "11", "20");
  mkdirSync(day, { recursive: true });
  const inside = [
    join(day, "123456789010_vpcflowlogs_us-east-1_fl-1_20261120T1000Z_aaaa.log"),
    join(day, "123456789010_vpcflowlogs_us-east-1_fl-1_20261120T1005Z_bbbb.log.gz"),
  ];
  writeFileSync(inside[0], readFileSync(files.plain));
  writeFileSync(inside[1], readFileSync(files.gz));
  // Hidden files, like the ones desktop file managers leave, are not flow logs: skipped.
  writeFileSync(join(day, ".DS_Store"), Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31]));
  const errors = await open(page);

  await page.locator("#folder-input").setInputFiles(join(info.outputPath("tree"), "AWSLogs"));
  await settled(page, 2);
  for (const path of inside) {
    const name = path.slice(info.outputPath("tree").length + 1).split("\\").join("/");
    await expect(page.locator(`[data-file="${name}"]`)).toHaveAttribute("data-status", "done");
  }
  expect(await pageTotals(page)).toEqual(cliTotals(inside));
  expect(errors).toEqual([]);
});

test("a file that is not a flow log says so in its row; the good file's numbers stay", async ({
  page,
}, info) => {
  const files = fixtures(info.outputPath("files"));
  const errors = await open(page);

  await page.locator("#file-input").setInputFiles(files.plain);
  await settled(page, 1);
  // Dropped beside the drop zone, on the totals: the page takes it all the same.
  await dropFile(page, files.pdf, ".overview");
  await settled(page, 2);
  const bad = page.locator(`[data-file="quarterly-report.pdf"]`);
  await expect(bad).toHaveAttribute("data-records", "0");
  await expect(bad.locator(".note.error")).toContainText("No flow-log records found");
  await expect(page.locator(`[data-file="guide-default.log"] .note`)).toHaveCount(0);
  expect(await pageTotals(page)).toEqual(cliTotals([files.plain]));
  await shot(page, "04-bad-file.png");

  // Removing the bad file leaves the good one and its numbers.
  await page.getByRole("button", { name: "Remove quarterly-report.pdf" }).click();
  await settled(page, 1);
  expect(await pageTotals(page)).toEqual(cliTotals([files.plain]));
  expect(errors).toEqual([]);
});
