// Loading several files at once, in a real Chromium: they are read in parallel by workers of
// their own (as many as the machine has cores), whose tables merge into one view with the
// CLI's numbers; a file removed while it is being read is cancelled (its worker ended), and
// the other files' numbers stay.

import { test, expect } from "@playwright/test";
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultDist } from "./serve.mjs";
import { cliTotals, flowlensJson, open, pageTotals, settled, shot } from "./lib.mjs";

/** A default-format file of about `megabytes` MB, made of the sample's lines shifted by `n`. */
function bigFile(dir, name, megabytes, n) {
  const sample = readFileSync(join(defaultDist(), "samples", "prod-vpc-default-format.log"), "utf8");
  const [header, ...lines] = sample.trim().split("\n");
  const body = [];
  let size = 0;
  for (let i = 0; size < megabytes * 1e6; i++) {
    // Each copy gets its own account id, so that the files differ.
    const line = lines[i % lines.length].replace(/^2 \d+/, `2 ${String(100000000000 + n * 1000 + Math.floor(i / lines.length)).slice(0, 12)}`);
    body.push(line);
    size += line.length + 1;
  }
  const path = join(dir, name);
  writeFileSync(path, [header, ...body, ""].join("\n"));
  return path;
}

test("several files are read in parallel workers and merge; a file removed while read is cancelled", async ({ page }, info) => {
  const dir = info.outputPath("big");
  mkdirSync(dir, { recursive: true });
  const files = [bigFile(dir, "a.log", 60, 1), bigFile(dir, "b.log", 60, 2), bigFile(dir, "c.log", 60, 3)];

  const errors = await open(page);
  const cores = await page.evaluate(() => navigator.hardwareConcurrency);
  let started = 0;
  page.on("worker", () => {
    started += 1;
  });
  // Every worker the browser runs, nested ones included (a worker reads its file through a
  // small worker of its own), asked of the browser itself: a worker's "close" event does not
  // always reach the test when its parent is ended first.
  const cdp = await page.context().browser().newBrowserCDPSession();
  const liveWorkers = async () =>
    (await cdp.send("Target.getTargets")).targetInfos.filter((t) => t.type === "worker").length;
  // At rest there are two: the first worker, and the reader it starts ahead of the next
  // file (its spare).
  await expect.poll(liveWorkers, { message: "the first worker and its spare reader" }).toBe(2);
  const before = await liveWorkers();

  await page.locator("#file-input").setInputFiles(files);
  // While they are read, each file's row shows its progress.
  await expect(page.locator('[data-file="a.log"][data-status="reading"]')).toHaveCount(1);
  await shot(page, "30-loading-in-parallel.png");
  await settled(page, 3);
  expect(await pageTotals(page)).toEqual(cliTotals(files));
  // Parallel reading can only be shown with two cores or more, which the project's
  // machines have; on one core the page reads one file at a time, and this says so.
  expect(cores, "navigator.hardwareConcurrency: parallel reading needs 2 cores").toBeGreaterThan(1);
  // The first worker holds the tables; the others were readers of their own, ended once
  // their table was handed over.
  expect(started, "workers started for the files").toBeGreaterThanOrEqual(1);
  await expect.poll(liveWorkers, { message: "readers ended after their file" }).toBe(before);

  // Cancel: remove a file while it is being read. Its numbers never count, its worker is
  // ended, and the files already read keep theirs.
  const d = bigFile(dir, "d.log", 120, 4);
  const e = bigFile(dir, "e.log", 120, 5);
  // The page's own script clicks "Remove e.log" at the first change that shows it being
  // read. Polled from the test, a row is looked at only every second after the first few
  // looks, and e.log can be read whole between two of them.
  const removedWhileReading = page.evaluate(
    () =>
      new Promise((resolve) => {
        const removeIfReading = () => {
          const row = document.querySelector('[data-file="e.log"][data-status="reading"]');
          const button = row && row.querySelector('button[aria-label="Remove e.log"]');
          if (!button) return;
          observer.disconnect();
          button.click();
          resolve();
        };
        const observer = new MutationObserver(removeIfReading);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
        removeIfReading();
      }),
  );
  await page.locator("#file-input").setInputFiles([d, e]);
  // Resolves only once e.log was seen being read and Remove was clicked; if it never is,
  // the test fails on its timeout.
  await removedWhileReading;
  await expect(page.locator('[data-file="e.log"]')).toHaveCount(0);
  await settled(page, 4);
  expect(await pageTotals(page)).toEqual(cliTotals([...files, d]));
  await expect.poll(liveWorkers, { message: "the removed file's reader ended" }).toBe(before);
  expect(errors).toEqual([]);
});

test("a file too large for the tab's memory is refused before it is read; what is loaded stays", async ({ page }, info) => {
  const dir = info.outputPath("huge");
  mkdirSync(dir, { recursive: true });
  const small = bigFile(dir, "small.log", 1, 6);
  // 12 GB on paper, nothing on disk (a sparse file): the page must refuse it from its size
  // alone, since reading it would take minutes and its records could never fit in 4 GiB.
  const huge = join(dir, "huge.log");
  const handle = openSync(huge, "w");
  ftruncateSync(handle, 12e9);
  closeSync(handle);

  const errors = await open(page);
  await page.locator("#file-input").setInputFiles([small]);
  await settled(page, 1);
  const before = await pageTotals(page);
  expect(before).toEqual(cliTotals([small]));

  await page.locator("#file-input").setInputFiles([huge]);
  const row = page.locator('[data-file="huge.log"]');
  await expect(row).toHaveAttribute("data-status", "failed");
  // 12 GB of text at the estimate of 0.36 bytes of memory per byte (web/src/state.rs).
  await expect(row).toContainText(/its records would need about 4\.32 GB of memory, and the tab has about 4\.\d+ GB left of the 4\.29 GB \(4 GiB\) its WebAssembly can hold, so it was not read/);
  await expect(row).toContainText("What is loaded stays");
  await shot(page, "32-too-large-refused.png");
  await settled(page, 2);
  expect(await pageTotals(page)).toEqual(before);
  expect(errors).toEqual([]);
});

test("a filter no file could read is marked while the first file is still read", async ({ page }, info) => {
  // The worker is asked nothing while the first file is read, so that the file has both
  // cores; a filter typed meanwhile must still be marked at once, not when the file ends.
  const dir = info.outputPath("first");
  mkdirSync(dir, { recursive: true });
  const file = bigFile(dir, "first.log", 150, 7);
  const errors = await open(page);
  await page.locator("#file-input").setInputFiles([file]);
  const row = page.locator('[data-file="first.log"]');
  await expect(row).toHaveAttribute("data-status", "reading");
  await page.keyboard.press("Control+k");
  const text = "action = REJECT and dstport = sshh";
  // Given in one input, as a paste gives it: typed a key at a time, the filter took as long
  // as a fast read of the whole file.
  await page.keyboard.insertText(text);
  await page.keyboard.press("Enter");
  // The file's status at the first frame the error is on the page.
  const statusWhenMarked = await page.waitForFunction(
    () => document.querySelector(".filter-error") && document.querySelector('[data-file="first.log"]').dataset.status,
    null,
    { polling: "raf" },
  );
  expect(await statusWhenMarked.jsonValue()).toBe("reading");
  const error = page.locator(".filter-error");
  await expect(error).toHaveAttribute("data-start", String(text.indexOf("sshh")));
  await expect(error.locator("mark")).toHaveText("sshh");
  await shot(page, "31-filter-error-while-reading.png");
  // Once the file is read the error stays, and the cards hold the whole file's totals.
  await settled(page, 1);
  await expect(error).toBeVisible();
  expect(await pageTotals(page)).toEqual(cliTotals([file]));
  // Mended, the filter is answered with the CLI's numbers.
  const mended = "action = REJECT and dstport = ssh";
  await page.locator("#filter-input").fill(mended);
  await page.keyboard.press("Enter");
  await expect(error).toHaveCount(0);
  const only = flowlensJson(["query", "--filter", mended], [file]);
  await expect(page.locator('[data-metric="records"]')).toHaveAttribute("data-value", only.matched.records);
  expect(await pageTotals(page)).toEqual(only.matched);
  expect(errors).toEqual([]);
});
