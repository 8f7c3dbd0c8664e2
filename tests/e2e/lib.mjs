// Helpers shared by the end-to-end tests: the CLI's numbers, the page's numbers, test
// files, drops, screenshots, and a page opened with its errors collected.

import { expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { defaultDist } from "./serve.mjs";

export const here = fileURLToPath(new URL(".", import.meta.url));
export const repo = resolve(here, "..", "..");
export const screenshots = join(here, "screenshots");
mkdirSync(screenshots, { recursive: true });

export const METRICS = ["records", "bytes", "packets"];

/** The `flowlens` binary: $FLOWLENS_CLI, else the workspace's release or debug build. */
export function cli() {
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

/** The bundled sample files, in the order "Try sample data" loads them. */
export function samples() {
  const dist = defaultDist();
  const index = JSON.parse(readFileSync(join(dist, "samples", "index.json"), "utf8"));
  return (Array.isArray(index) ? index : index.files)
    .map((e) => (typeof e === "string" ? e : e.name))
    .map((name) => join(dist, "samples", name));
}

/** `flowlens` with `args` over `files`: what it prints. */
export function flowlensText(args, files) {
  return execFileSync(cli(), [...args, ...files], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
    maxBuffer: 1 << 28,
  });
}

/**
 * `flowlens` with `args` over `files`, as parsed JSON. The numbers under the keys in
 * `exact` are kept as strings, so that counts past 2^53 stay exact.
 */
export function flowlensJson(args, files, exact = METRICS) {
  const numbers = new RegExp(`("(?:${exact.join("|")})":\\s*)(\\d+)`, "g");
  return JSON.parse(flowlensText(args, files).replace(numbers, '$1"$2"'));
}

/** The native engine's totals over `files`, one `flowlens summary` per file, added up. */
export function cliTotals(files) {
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
export async function pageTotals(page) {
  const totals = {};
  for (const metric of METRICS) {
    totals[metric] = await page.locator(`[data-metric="${metric}"]`).getAttribute("data-value");
  }
  return totals;
}

/** Waits until the page has `count` files and is reading none of them. */
export async function settled(page, count) {
  const app = page.locator(".app");
  await expect(app).toHaveAttribute("data-files", String(count));
  await expect(app).toHaveAttribute("data-pending", "0");
}

/** Small files written for the test: the AWS guide's examples, plain and gzip. */
export function fixtures(dir) {
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

/**
 * Drops `path` on `target` the way a browser does: a DragEvent carrying a DataTransfer. The
 * file is named `name` (its own name unless given).
 */
export async function dropFile(page, path, target = '[data-testid="drop-zone"]', name = basename(path)) {
  const transfer = await page.evaluateHandle(
    ({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name));
      return transfer;
    },
    { name, base64: readFileSync(path).toString("base64") },
  );
  const zone = page.locator(target);
  await zone.dispatchEvent("dragenter", { dataTransfer: transfer });
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
}

/** Saves a screenshot for people to look at; transitions are finished first. */
export async function shot(page, name) {
  // Playwright's screenshot injects a style sheet of its own (for the caret and the
  // scrollbars), which the page's Content-Security-Policy rightly refuses with a console
  // error. Those refusals are the test tool's, not the page's: `open` leaves them out while a
  // screenshot is being taken, and only them. The tests ask for reduced motion
  // (playwright.config.mjs) so that no transition is caught half-way.
  shooting.add(page);
  try {
    await page.screenshot({ path: join(screenshots, name), fullPage: true, animations: "allow", caret: "initial" });
    // Console messages arrive a moment after the work that caused them.
    await page.waitForTimeout(100);
  } finally {
    shooting.delete(page);
  }
}

/** Pages whose screenshot is being taken. */
const shooting = new Set();

/** Opens the page fresh, failing the test on any uncaught error in the page or worker. */
export async function open(page, url = process.env.FLOWLENS_URL) {
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    const ours = shooting.has(page) && message.text().startsWith("Applying inline style violates");
    if (message.type() === "error" && !ours) errors.push(message.text());
  });
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  await page.goto(url);
  await expect(page.locator(".app")).toBeVisible();
  return errors;
}

