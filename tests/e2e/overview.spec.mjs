// The Overview and the filter bar, in a real Chromium: every number the page draws (cards,
// the traffic histogram, each top list) is compared with `flowlens query` over the same
// files and the same filter; clicking bars, typing filters, errors, chips and the URL
// fragment are driven as a user would.

import { test, expect } from "@playwright/test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { flowlensJson, METRICS, open, samples, settled, shot } from "./lib.mjs";
import { defaultDist } from "./serve.mjs";

/** `flowlens query` over `files` as parsed JSON; integers stay exact as strings. */
function query(files, args) {
  return flowlensJson(["query", ...args], files, [...METRICS, "start"]);
}

/** A top list's key as the page writes it in `data-key`. */
const keyText = (key) =>
  (Array.isArray(key) ? key : [key]).map((k) => (k === null ? "null" : String(k))).join(" ");

/** What the page's hidden table of a top list holds. */
async function pageTop(page, by) {
  return page.locator(`table[data-chart="${by}"] tr[data-key]`).evaluateAll((rows) =>
    rows.map((r) => ({
      key: r.dataset.key,
      records: r.dataset.records,
      bytes: r.dataset.bytes,
      packets: r.dataset.packets,
    })),
  );
}

/** Checks the cards and every top list against the CLI for `filter`. */
async function matchesCli(page, files, filter, measure = "bytes") {
  const args = filter ? ["--filter", filter] : [];
  const all = query(files, [...args, "--summary"]);
  for (const metric of ["records", "bytes", "packets"]) {
    await expect(page.locator(`[data-metric="${metric}"]`)).toHaveAttribute(
      "data-value",
      all.matched[metric],
    );
  }
  const byAction = all.summary.by_action;
  await expect(page.locator('[data-metric="accepted"]')).toHaveAttribute("data-value", String(byAction.ACCEPT ?? 0));
  await expect(page.locator('[data-metric="rejected"]')).toHaveAttribute("data-value", String(byAction.REJECT ?? 0));
  const interfaces = Array.isArray(all.summary.interfaces) ? all.summary.interfaces.length : all.summary.interfaces;
  await expect(page.locator('[data-metric="interfaces"]')).toHaveAttribute("data-value", String(interfaces));
  for (const by of ["srcaddr", "dstaddr", "pair", "dstport", "protocol", "interface-id"]) {
    const expected = query(files, [...args, "--top", by, "--by", measure, "--limit", "10"]);
    const rows = expected.top.map((r) => ({
      key: keyText(r.key),
      records: r.records,
      bytes: r.bytes,
      packets: r.packets,
    }));
    expect(await pageTop(page, by), `top ${by} for "${filter}"`).toEqual(rows);
    await expect(page.locator(`table[data-chart="${by}"]`)).toHaveAttribute(
      "data-other",
      expected.other[measure],
    );
  }
}

test("the overview's cards, histogram and top lists equal the CLI's, and follow the filter", async ({ page }) => {
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  await matchesCli(page, files, "");

  // Every chart of the overview is painted on its canvas (after the page around it).
  const canvases = page.locator(".overview-charts canvas");
  expect(await canvases.count()).toBeGreaterThanOrEqual(7);
  for (const canvas of await canvases.all()) await expect(canvas).toHaveAttribute("data-paints", /^[1-9][0-9]*$/);

  // The histogram: every record is in a bucket (the samples all have times).
  const buckets = await page.locator('table[data-chart="time"] tr[data-start]').evaluateAll((rows) =>
    rows.map((r) => [r.dataset.accept, r.dataset.reject, r.dataset.none].map(BigInt)),
  );
  const width = Number(await page.locator('table[data-chart="time"]').getAttribute("data-width"));
  expect(buckets.length).toBeGreaterThan(1);
  expect(buckets.length).toBeLessThanOrEqual(120);
  const summed = buckets.flat().reduce((a, b) => a + b, 0n);
  await page.getByText("records", { exact: true }).first().click();
  await settled(page, files.length);
  const records = await page.locator('table[data-chart="time"] tr[data-start]').evaluateAll((rows) =>
    rows.reduce((s, r) => s + BigInt(r.dataset.accept) + BigInt(r.dataset.reject) + BigInt(r.dataset.none), 0n),
  );
  expect(String(records)).toBe(query(files, []).matched.records);
  const histogram = query(files, ["--histogram", `${width}s`]).histogram;
  const cliBytes = histogram.buckets.reduce((s, b) => s + BigInt(b.bytes), 0n);
  expect(summed).toBe(cliBytes);
  await matchesCli(page, files, "", "records");
  await shot(page, "20-overview.png");
  await page.setViewportSize({ width: 2560, height: 1300 });
  await shot(page, "21-overview-wide.png");
  await page.emulateMedia({ colorScheme: "dark" });
  await shot(page, "22-overview-wide-dark.png");
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1366, height: 768 });

  // Typing a filter: `/` focuses the bar, Enter applies it, every view follows.
  await page.locator("body").click({ position: { x: 5, y: 5 } });
  await page.keyboard.press("/");
  await expect(page.locator("#filter-input")).toBeFocused();
  await page.keyboard.type("action = REJECT");
  await page.keyboard.press("Enter");
  await settled(page, files.length);
  await matchesCli(page, files, "(action = REJECT)", "records");
  expect(decodeURIComponent(new URL(page.url()).hash)).toContain("f=action = REJECT");

  // Clicking a bar of the destination ports adds its chip; the CLI agrees on the result.
  const dstport = page.locator('figure[data-top="dstport"] canvas');
  const box = await dstport.boundingBox();
  const firstKey = (await pageTop(page, "dstport"))[0].key;
  await dstport.click({ position: { x: box.width / 2, y: 12 } });
  await expect(page.locator(".chip")).toHaveAttribute("data-chip", `dstport = ${firstKey}`);
  await settled(page, files.length);
  await matchesCli(page, files, `(action = REJECT) and dstport = ${firstKey}`, "records");
  await shot(page, "23-filtered.png");

  // Alt-click excludes: a second chip, `not srcaddr = …`.
  const srcKey = (await pageTop(page, "srcaddr"))[0].key;
  const src = page.locator('figure[data-top="srcaddr"] canvas');
  const srcBox = await src.boundingBox();
  await src.click({ position: { x: srcBox.width / 2, y: 12 }, modifiers: ["Alt"] });
  await expect(page.locator(".chip").nth(1)).toHaveAttribute("data-chip", `not srcaddr = ${srcKey}`);
  await settled(page, files.length);
  await matchesCli(page, files, `(action = REJECT) and dstport = ${firstKey} and not srcaddr = ${srcKey}`, "records");

  // The view survives a reload through the URL fragment; the files, which are never
  // stored anywhere, are given again.
  await page.reload();
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  await expect(page.locator(".chip")).toHaveCount(2);
  await expect(page.locator("#filter-input")).toHaveValue("action = REJECT");
  await matchesCli(page, files, `(action = REJECT) and dstport = ${firstKey} and not srcaddr = ${srcKey}`, "records");

  // Removing the chips gives back the typed filter's numbers.
  await page.getByRole("button", { name: /^Remove filter/ }).first().click();
  await page.getByRole("button", { name: /^Remove filter/ }).first().click();
  await expect(page.locator(".chip")).toHaveCount(0);
  await settled(page, files.length);
  await matchesCli(page, files, "(action = REJECT)", "records");
  expect(errors).toEqual([]);
});

test("a filter that cannot be read is marked where it stops, and the last answer stays", async ({ page }) => {
  const files = samples();
  const errors = await open(page);
  await page.getByRole("button", { name: "Try sample data" }).click();
  await settled(page, files.length);
  await page.keyboard.press("Control+k");
  await expect(page.locator("#filter-input")).toBeFocused();
  const text = "dstport = 22 and protocol = tcpp";
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  const error = page.locator(".filter-error");
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute("data-start", String(text.indexOf("tcpp")));
  await expect(error).toHaveAttribute("data-end", String(text.length));
  await expect(error.locator("mark")).toHaveText("tcpp");
  await expect(error).toContainText("Column 29:");
  await expect(page.locator("#filter-input")).toHaveAttribute("aria-invalid", "true");
  await shot(page, "24-filter-error.png");
  // The cards keep the last numbers that were read.
  await matchesCli(page, files, "");
  // Fixing it clears the error; the history offers the filters applied before.
  await page.locator("#filter-input").fill("dstport = 22 and protocol = tcp");
  await page.keyboard.press("Enter");
  await expect(error).toHaveCount(0);
  await settled(page, files.length);
  await matchesCli(page, files, "(dstport = 22 and protocol = tcp)");
  await expect(page.locator("#filter-history option")).toHaveCount(2);
  expect(errors).toEqual([]);
});

test("a count in the billions stays on one line in its card", async ({ page }, info) => {
  // Two records of 1,250,893,077 packets and about 2.5 TB each: the packets card shows
  // "2,501,786,154", thirteen characters, at the laptop width the tests use.
  const path = info.outputPath("billions.log");
  const header =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
  const line = (n) =>
    `2 123456789010 eni-1235b8ca123456789 10.0.0.${n} 10.0.1.${n} 443 50000 6 1250893077 2501301421898 1700000000 1700000060 ACCEPT OK`;
  writeFileSync(path, [header, line(1), line(2), ""].join("\n"));
  const errors = await open(page);
  await page.locator("#file-input").setInputFiles(path);
  await settled(page, 1);
  const packets = page.locator('[data-metric="packets"] .card-value');
  await expect(packets).toHaveText("2,501,786,154");
  // One line: as tall as the records card's value, which is one short number.
  const height = async (metric) =>
    (await page.locator(`[data-metric="${metric}"] .card-value`).boundingBox()).height;
  const lineHeight = await packets.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
  expect(await height("packets")).toBeLessThan(lineHeight * 1.5);
  expect(await height("records")).toBeLessThan(lineHeight * 2);
  await shot(page, "25-billions-in-a-card.png");
  expect(errors).toEqual([]);
});

test("records years apart add up to the CLI's numbers and leave the worker's memory small", async ({ page }) => {
  // AWS's default-format examples run from December 2014 to October 2016: a million
  // minutes. Counted per minute in an array as long as that range, they took 58 MB of the
  // worker's WebAssembly memory, against about 10 MB for any other small file.
  const path = new URL("../data/decode/aws/default-with-header.log", import.meta.url).pathname;
  const errors = await open(page);
  await page.locator("#file-input").setInputFiles(path);
  await settled(page, 1);
  await matchesCli(page, [path], "");
  const memory = Number(await page.locator(".app").getAttribute("data-wasm-memory"));
  expect(memory).toBeGreaterThan(0);
  expect(memory).toBeLessThan(32e6);
  await shot(page, "70-records-years-apart.png");
  expect(errors).toEqual([]);
});

test("a transit gateway log's records are not called NODATA, and its totals equal the CLI's", async ({ page }, info) => {
  // Transit gateway flow logs have no action field: the chart must not say their records
  // are NODATA or SKIPDATA, and once a VPC log joins them the legend names both causes.
  const tgw = info.outputPath("tgw.log");
  const header =
    "version resource-type account-id tgw-id tgw-attachment-id tgw-src-vpc-account-id tgw-dst-vpc-account-id " +
    "tgw-src-vpc-id tgw-dst-vpc-id tgw-src-subnet-id tgw-dst-subnet-id tgw-src-eni tgw-dst-eni tgw-src-az-id " +
    "tgw-dst-az-id tgw-pair-attachment-id srcaddr dstaddr srcport dstport protocol packets bytes start end " +
    "log-status type packets-lost-no-route packets-lost-blackhole packets-lost-mtu-exceeded " +
    "packets-lost-ttl-expired tcp-flags region flow-direction pkt-src-aws-service pkt-dst-aws-service";
  const line = (n, bytes) =>
    `6 TransitGatewayAttachment 123456789010 tgw-0123456789abcdef0 tgw-attach-0123456789abcdef${n} ` +
    "123456789010 210987654321 vpc-0123456789abcdef0 vpc-0fedcba9876543210 subnet-0123456789abcdef0 " +
    "subnet-0fedcba9876543210 eni-0123456789abcdef0 eni-0fedcba9876543210 use1-az1 use1-az2 " +
    `tgw-attach-0fedcba987654321${n} 10.0.0.${n} 10.1.0.${n} 49152 443 6 10 ${bytes} 1700000000 1700000060 ` +
    "OK IPv4 0 0 0 0 3 us-east-1 egress - -";
  writeFileSync(tgw, [header, line(1, 5000), line(2, 7000), line(3, 9000), ""].join("\n"));
  const errors = await open(page);
  await page.locator("#file-input").setInputFiles(tgw);
  await settled(page, 1);
  const totals = query([tgw], ["--summary"]);
  for (const metric of ["records", "bytes", "packets"]) {
    await expect(page.locator(`[data-metric="${metric}"]`)).toHaveAttribute("data-value", totals.matched[metric]);
  }
  const legend = page.locator(".legend");
  await expect(legend).toContainText("no action (these logs have no action field)");
  await expect(legend).not.toContainText("NODATA");
  // Every record is in the chart's "no action" series.
  const none = await page
    .locator('table[data-chart="time"] tr[data-none]')
    .evaluateAll((rows) => rows.reduce((sum, r) => sum + Number(r.dataset.none), 0));
  expect(String(none)).toBe(totals.matched.bytes);
  // Nothing says whether these records were accepted or rejected (the CLI counts no
  // action either): the cards say so instead of 0, and the legend has no ACCEPT or
  // REJECT. The attachments are counted where the interfaces would be.
  expect(totals.summary.by_action).toEqual({});
  for (const metric of ["accepted", "rejected"]) {
    const card = page.locator(`[data-metric="${metric}"]`);
    await expect(card).toHaveAttribute("data-absent", "true");
    await expect(card.locator(".card-value")).toHaveText("—");
  }
  await expect(page.locator('[data-metric="interfaces"]')).toHaveCount(0);
  const attachmentsCard = page.locator('[data-metric="attachments"]');
  await expect(attachmentsCard).toContainText("Attachments");
  await expect(attachmentsCard).toHaveAttribute("data-value", "3");
  await expect(legend).not.toContainText("ACCEPT");
  await expect(legend).not.toContainText("REJECT");
  // The attachments the flows crossed are listed where the interfaces would be, as
  // `flowlens query --top tgw-attachment-id` counts them, and a click filters to one.
  await expect(page.locator('[data-top="interface-id"]')).toHaveCount(0);
  const attachments = page.locator('[data-top="tgw-attachment-id"]');
  await expect(attachments).toContainText("Top transit gateway attachments");
  await expect(attachments.locator("canvas")).toHaveCount(1);
  const byAttachment = query([tgw], ["--top", "tgw-attachment-id", "--by", "bytes", "--limit", "10"]);
  expect(byAttachment.top.length).toBe(3);
  expect(byAttachment.groups).toBe(3);
  expect(await pageTop(page, "tgw-attachment-id")).toEqual(
    byAttachment.top.map((r) => ({ key: keyText(r.key), records: r.records, bytes: r.bytes, packets: r.packets })),
  );
  await shot(page, "26-transit-gateway-legend.png");
  const [largest] = byAttachment.top;
  const bars = attachments.locator("canvas");
  const barsBox = await bars.boundingBox();
  await bars.click({ position: { x: barsBox.width / 2, y: 12 } });
  await expect(page.locator(".chip")).toHaveAttribute("data-chip", `tgw-attachment-id = ${largest.key}`);
  const only = query([tgw], ["--filter", `tgw-attachment-id = ${largest.key}`]);
  await expect(page.locator('[data-metric="bytes"]')).toHaveAttribute("data-value", only.matched.bytes);
  expect(only.matched.bytes).toBe(largest.bytes);
  await page.getByRole("button", { name: /^Remove filter/ }).first().click();
  await expect(page.locator('[data-metric="bytes"]')).toHaveAttribute("data-value", totals.matched.bytes);
  // The Rejected tab says why it has nothing to show rather than "0 rejected records".
  await page.getByRole("tab", { name: "Rejected" }).click();
  const rejected = page.locator("section.rejected");
  await expect(rejected).toHaveAttribute("data-absent", "true");
  await expect(rejected).toContainText("no action field");
  await expect(rejected).not.toContainText("rejected records");
  await shot(page, "27-transit-gateway-rejected.png");
  await page.getByRole("tab", { name: "Overview" }).click();

  const [vpc] = samples();
  await page.locator("#file-input").setInputFiles(vpc);
  await settled(page, 2);
  await expect(legend).toContainText("no action (NODATA, SKIPDATA, or a log without the field)");
  await expect(legend).toContainText("ACCEPT");
  // With a VPC log read, the counts mean something again.
  const both = query([tgw, vpc], ["--summary"]);
  for (const [metric, expected] of [
    ["accepted", both.summary.by_action.ACCEPT ?? 0],
    ["rejected", both.summary.by_action.REJECT ?? 0],
    ["interfaces", both.summary.interfaces],
  ]) {
    const card = page.locator(`[data-metric="${metric}"]`);
    await expect(card).not.toHaveAttribute("data-absent", "true");
    await expect(card).toHaveAttribute("data-value", String(expected));
  }
  // The interfaces are listed again, the transit gateway's records under "(missing)",
  // and the attachments after them, the VPC log's records under "(missing)": neither
  // kind of log loses its list. The attachments are still counted, the missing one not.
  const interfaces = page.locator('[data-top="interface-id"]');
  await expect(interfaces).not.toHaveAttribute("data-absent", "true");
  await expect(interfaces.locator("canvas")).toHaveCount(1);
  await expect(page.locator(".tops > figure")).toHaveCount(7);
  await expect(page.locator(".tops > figure").nth(6)).toHaveAttribute("data-top", "tgw-attachment-id");
  const bothByAttachment = query([tgw, vpc], ["--top", "tgw-attachment-id", "--by", "bytes", "--limit", "10"]);
  expect(bothByAttachment.groups).toBe(4);
  expect(await pageTop(page, "tgw-attachment-id")).toEqual(
    bothByAttachment.top.map((r) => ({ key: keyText(r.key), records: r.records, bytes: r.bytes, packets: r.packets })),
  );
  const named = bothByAttachment.top.filter((r) => r.key !== null).length;
  expect(named).toBe(3);
  await expect(attachmentsCard).toHaveAttribute("data-value", String(named));
  await shot(page, "28-transit-gateway-beside-vpc.png");
  expect(errors).toEqual([]);
});

test("a log with neither interface-id nor tgw-attachment-id says why it lists no interfaces", async ({ page }, info) => {
  const log = info.outputPath("no-interfaces.log");
  writeFileSync(log, [
    "version srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
    "2 10.0.0.1 10.0.0.2 40000 443 6 10 5000 1700000000 1700000060 ACCEPT OK",
    "2 10.0.0.3 10.0.0.4 40001 22 6 4 300 1700000000 1700000060 REJECT OK",
    "",
  ].join("\n"));
  const errors = await open(page);
  await page.locator("#file-input").setInputFiles(log);
  await settled(page, 1);
  const interfaces = page.locator('[data-top="interface-id"]');
  await expect(interfaces).toHaveAttribute("data-absent", "true");
  await expect(interfaces).toContainText("no interface-id field");
  await expect(interfaces.locator("canvas")).toHaveCount(0);
  await expect(page.locator('[data-metric="interfaces"]')).toHaveAttribute("data-absent", "true");
  // The action is there: accepted and rejected are counted as the CLI counts them.
  const totals = query([log], ["--summary"]);
  await expect(page.locator('[data-metric="rejected"]')).toHaveAttribute("data-value", String(totals.summary.by_action.REJECT));
  await expect(page.locator('[data-metric="rejected"]')).not.toHaveAttribute("data-absent", "true");
  expect(errors).toEqual([]);
});

test("a folder of many small S3 objects is read by the first worker alone and adds up to the CLI's numbers", async ({ page }, info) => {
  // 120 gzip objects of 300 records, as S3 delivers a busy VPC's logs every few minutes.
  // Each has its own account and some sources of its own, so that every answer while
  // they load merges new groups into those of the files before.
  const dir = info.outputPath("AWSLogs");
  mkdirSync(dir, { recursive: true });
  const sample = readFileSync(join(defaultDist(), "samples", "prod-vpc-default-format.log"), "utf8");
  const [header, ...lines] = sample.trim().split("\n");
  const files = [];
  for (let n = 0; n < 120; n++) {
    const body = [];
    for (let i = 0; i < 300; i++) {
      const fields = lines[(n * 7 + i) % lines.length].split(" ");
      fields[1] = String(100000000000 + n);
      if (i % 3 === 0) fields[3] = `10.200.${n}.${i % 250}`;
      body.push(fields.join(" "));
    }
    const path = join(dir, `123456789012_vpcflowlogs_eu-west-1_fl-0abc_20261120T${String(n).padStart(4, "0")}Z_${n}.log.gz`);
    writeFileSync(path, gzipSync([header, ...body, ""].join("\n")));
    files.push(path);
  }

  const errors = await open(page);
  let started = 0;
  page.on("worker", () => {
    started += 1;
  });
  await page.locator("#file-input").setInputFiles(files);
  await settled(page, files.length);
  await matchesCli(page, files, "");
  await shot(page, "35-folder-of-small-files.png");
  // Their 111,901,126 packets, eleven characters, stay on one line in their card.
  const packets = page.locator('[data-metric="packets"] .card-value');
  await expect(packets).toHaveText("111,901,126");
  const lineHeight = await packets.evaluate((e) => parseFloat(getComputedStyle(e).lineHeight));
  expect((await packets.boundingBox()).height).toBeLessThan(lineHeight * 1.5);
  // A worker of its own costs more to start than such a file takes to read: none is
  // started per file. The browser may report the first worker's spare reader (kept for a
  // large file); before, about one worker was started for every two files (91 for 200 in
  // a trace).
  expect(started, "workers started while 120 small files were read").toBeLessThanOrEqual(3);
  // A filter over all of them, answered from the start again.
  const filter = "action = REJECT";
  await page.locator("#filter-input").fill(filter);
  await page.locator("#filter-input").press("Enter");
  await matchesCli(page, files, filter);
  expect(errors).toEqual([]);
});
