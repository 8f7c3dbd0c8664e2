// The page as a new user meets it, in a real Chromium: pick a file, drop another, try the
// samples, give it a file that is not a flow log. Every number read from the page is
// compared with what the native `flowlens summary` prints for the same files.

import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { defaultDist } from "./serve.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repo = resolve(here, "..", "..");
const screenshots = join(here, "screenshots");
mkdirSync(screenshots, { recursive: true });

const METRICS = ["records", "bytes", "packets"];

/** The `flowlens` binary: $FLOWLENS_CLI, else the workspace's release or debug build. */
function cli() {
  const candidates = [
    process.env.FLOWLENS_CLI,
    join(repo, "target", "release", "flowlens"),
    join(repo, "target", "debug", "flowlens"),
  ].filter(Boolean);
  const found = candidates.find((path) => existsSync(path));
  if (!found) {
    throw new Error(
      "no flowlens binary: set FLOWLENS_CLI or run `cargo build --release -p flowlens-cli`",
    );
  }
  return found;
}

/** The native engine's totals over `files`, one `flowlens summary` per file, added up. */
function cliTotals(files) {
  const totals = { records: 0n, bytes: 0n, packets: 0n };
  for (const file of files) {
    const out = execFileSync(cli(), ["summary", file], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    // Integers are read as BigInt so that sums above 2^53 stay exact.
    const json = JSON.parse(out.replace(/"(records|bytes|packets)":\s*(\d+)/g, '"$1":"$2"'));
    for (const metric of METRICS) {
      totals[metric] += BigInt(json[metric]);
    }
  }
  return Object.fromEntries(METRICS.map((m) => [m, totals[m].toString()]));
}

/** What the cards say, exactly. */
async function pageTotals(page) {
  const totals = {};
  for (const metric of METRICS) {
    totals[metric] = await page.locator(`[data-metric="${metric}"]`).getAttribute("data-value");
  }
  return totals;
}

/** Waits until the page has `count` files and is reading none of them. */
async function settled(page, count) {
  const app = page.locator(".app");
  await expect(app).toHaveAttribute("data-files", String(count));
  await expect(app).toHaveAttribute("data-pending", "0");
}

/** Small files written for the test: the AWS guide's examples, plain and gzip. */
function fixtures(dir) {
  mkdirSync(dir, { recursive: true });
  const plain = join(dir, "guide-default.log");
  writeFileSync(
    plain,
    [
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
      "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
      "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
      "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
      "2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA",
      "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK",
      "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK",
      "2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
      "",
    ].join("\n"),
  );
  const v5 = [
    "version srcaddr dstaddr srcport dstport protocol start end type packets bytes account-id vpc-id subnet-id instance-id interface-id region az-id sublocation-type sublocation-id action tcp-flags pkt-srcaddr pkt-dstaddr pkt-src-aws-service pkt-dst-aws-service traffic-path flow-direction log-status",
  ];
  // Enough lines that the gzip stream spans several deflate blocks.
  for (let i = 0; i < 3000; i++) {
    const port = 30000 + (i % 20000);
    v5.push(
      `5 52.95.128.179 10.0.0.71 80 ${port} 6 ${1616729292 + i} ${1616729349 + i} IPv4 ${14 + (i % 7)} ${15044 + i * 13} 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - - ingress OK`,
      `5 10.0.0.71 52.95.128.179 ${port} 80 6 ${1616729292 + i} ${1616729349 + i} IPv4 ${7 + (i % 3)} ${471 + i} 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 3 10.0.0.71 52.95.128.179 - S3 8 egress OK`,
    );
  }
  const gz = join(dir, "custom-v5.log.gz");
  writeFileSync(gz, gzipSync(v5.join("\n") + "\n"));
  const pdf = join(dir, "quarterly-report.pdf");
  writeFileSync(
    pdf,
    Buffer.concat([
      Buffer.from("%PDF-1.4\n%"),
      Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]),
      Buffer.from("\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"),
    ]),
  );
  const mixed = join(dir, "mixed.log");
  const lines = readFileSync(plain, "utf8").trimEnd().split("\n");
  writeFileSync(
    mixed,
    [
      ...lines.slice(0, 3),
      "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641",
      ...lines.slice(3),
      "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 many 4249 1418530010 1418530070 REJECT OK",
      "",
    ].join("\n"),
  );
  return { plain, gz, pdf, mixed };
}

/** Drops `path` on `target` the way a browser does: a DragEvent carrying a DataTransfer. */
async function dropFile(page, path, target = '[data-testid="drop-zone"]') {
  const transfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name));
      return transfer;
    },
    { name: basename(path), base64: readFileSync(path).toString("base64") },
  );
  const zone = page.locator(target);
  await zone.dispatchEvent("dragenter", { dataTransfer: transfer });
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
}

/** Saves a screenshot for people to look at; transitions are finished first. */
async function shot(page, name) {
  await page.screenshot({ path: join(screenshots, name), fullPage: true, animations: "disabled" });
}

/** Opens the page fresh, failing the test on any uncaught error in the page or worker. */
async function open(page) {
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(process.env.FLOWLENS_URL);
  await expect(page.locator(".app")).toBeVisible();
  return errors;
}

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
