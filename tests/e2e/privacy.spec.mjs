// The privacy promise, proven in a real Chromium:
//
// - after the page has loaded its own files, nothing the user does makes a request, and no
//   request ever goes to another origin (every request is recorded, by the browser and by
//   the server);
// - after one visit the page opens and analyses files with the network cut, and a new build
//   replaces the cached one;
// - the single file flowlens.html does the whole job from file:// with the network off;
// - values that look like HTML or script are shown as text.
//
// The served page here is the GitHub Pages build ($FLOWLENS_PAGES_DIST, built with
// `--public-url /flowlens/`), served under /flowlens/ as GitHub serves a project page.
// Every test starts its own server, which records what it is asked for.

import { test, expect } from "@playwright/test";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { defaultDist, startServer } from "./serve.mjs";
import { cliTotals, dropFile, fixtures, open, pageTotals, repo, settled, shot } from "./lib.mjs";

/** The sub-path the page was built for: $FLOWLENS_BASE, else `/flowlens/`. */
const BASE = process.env.FLOWLENS_BASE || "/flowlens/";

/** The page built for a project page under /flowlens/. */
function pagesDist() {
  const dist = process.env.FLOWLENS_PAGES_DIST || join(repo, "target", "dist-pages");
  if (!existsSync(join(dist, "index.html"))) {
    throw new Error(
      `no page built for a sub-path at ${dist}: run \`cargo xtask dist --public-url ${BASE} --dist target/dist-pages\` or set FLOWLENS_PAGES_DIST`,
    );
  }
  return dist;
}

/**
 * Every request the browser makes in `context`: the page's, its workers' and its service
 * worker's. Returns the live list of `{ url, kind }`.
 */
function recordRequests(context) {
  const log = [];
  context.on("request", (request) => {
    log.push({ url: request.url(), kind: request.resourceType() });
  });
  return log;
}

/** Requests that reach a network: everything but the page's own Blob and data URLs. */
const network = (log) => log.filter((r) => !/^(blob|data):/.test(r.url));

/** Waits until the service worker is active and controls the page. */
async function offlineReady(page) {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((done) =>
        navigator.serviceWorker.addEventListener("controllerchange", done, { once: true }),
      );
    }
    // Chromium checks a newly controlling service worker for an update a few seconds after
    // it takes over (a GET of sw.js, nothing of the user's). It is done here, before any
    // action is measured, so that the check is not mistaken for a request an action made.
    await (await navigator.serviceWorker.ready).update();
    return caches.keys();
  });
}

/** Waits until no request has arrived at `server` for a while. */
async function quiet(server, page) {
  let seen = -1;
  while (seen !== server.requests.length) {
    seen = server.requests.length;
    await page.waitForTimeout(750);
  }
}

/**
 * What a user can do on the page, in order. Each action that exists has `run`; the others
 * are listed so that the test covers them as soon as they are built (give them a `run`).
 * `ownFiles` marks the one action that may fetch: the sample data, the app's own files.
 */
const ACTIONS = [
  {
    name: "pick a folder",
    run: async ({ page, files, dir }) => {
      const day = join(dir, "AWSLogs", "123456789010", "vpcflowlogs", "us-east-1", "2026", "11", "20");
      mkdirSync(day, { recursive: true });
      writeFileSync(join(day, "a.log"), readFileSync(files.plain));
      await page.locator("#folder-input").setInputFiles(join(dir, "AWSLogs"));
      await settled(page, 1);
    },
  },
  {
    name: "pick files",
    run: async ({ page, files }) => {
      await page.locator("#file-input").setInputFiles(files.mixed);
      await settled(page, 2);
    },
  },
  {
    name: "drop files",
    run: async ({ page, files }) => {
      await dropFile(page, files.gz);
      await settled(page, 3);
    },
  },
  {
    name: "drop a file beside the drop zone",
    run: async ({ page, files }) => {
      await dropFile(page, files.pdf, ".overview");
      await settled(page, 4);
    },
  },
  {
    name: "open a file's first issue",
    run: async ({ page }) => {
      await page.locator('[data-file="mixed.log"] .issue summary').click();
      await expect(page.locator('[data-file="mixed.log"] .issue code')).toBeVisible();
    },
  },
  {
    name: "remove a file",
    run: async ({ page }) => {
      await page.getByRole("button", { name: "Remove quarterly-report.pdf" }).click();
      await settled(page, 3);
    },
  },
  {
    name: "switch to dark colours",
    run: async ({ page }) => {
      await page.emulateMedia({ colorScheme: "dark" });
      await page.emulateMedia({ colorScheme: "light" });
    },
  },
  {
    name: "filter",
    run: async ({ page }) => {
      await page.keyboard.press("/");
      await page.keyboard.type("action = REJECT and dstport = ssh");
      await page.keyboard.press("Enter");
      await settled(page, 3);
      await page.locator("#filter-input").fill("protocol = tcpp");
      await page.keyboard.press("Enter");
      await expect(page.locator(".filter-error")).toBeVisible();
      await page.locator("#filter-input").fill("");
      await page.keyboard.press("Enter");
      await expect(page.locator(".filter-error")).toHaveCount(0);
      await settled(page, 3);
    },
  },
  {
    name: "switch what the charts measure",
    run: async ({ page }) => {
      await page.locator(".segment", { hasText: "packets" }).click();
      await settled(page, 3);
      await page.locator(".segment", { hasText: "bytes" }).click();
      await settled(page, 3);
    },
  },
  {
    name: "sort and page through records",
    run: async ({ page }) => {
      await page.getByRole("tab", { name: "Records" }).click();
      await settled(page, 3);
      await page.locator('th[data-column="bytes"] button').click();
      await settled(page, 3);
      await page.locator(".records-scroll").evaluate((box) => {
        box.scrollTop = box.scrollHeight;
      });
      await settled(page, 3);
      await page.locator(".records-scroll").evaluate((box) => {
        box.scrollTop = 0;
      });
      await settled(page, 3);
    },
  },
  {
    name: "open a record's detail drawer",
    run: async ({ page }) => {
      await page.locator('.records-table tbody tr[data-index="0"] td.where button').click();
      await expect(page.getByRole("dialog", { name: "Record" })).toBeVisible();
      await page.keyboard.press("Escape");
      await expect(page.getByRole("dialog", { name: "Record" })).toHaveCount(0);
      await page.getByRole("tab", { name: "Overview" }).click();
      await settled(page, 3);
    },
  },
  {
    name: "hover and click chart marks",
    run: async ({ page }) => {
      const canvas = page.locator('figure[data-top="dstport"] canvas');
      await canvas.hover({ position: { x: 200, y: 12 } });
      await canvas.click({ position: { x: 200, y: 12 } });
      await expect(page.locator(".chip")).toHaveCount(1);
      await settled(page, 3);
      await page.locator('figure[data-top="srcaddr"] canvas').click({ position: { x: 200, y: 12 }, modifiers: ["Alt"] });
      await expect(page.locator(".chip")).toHaveCount(2);
      await settled(page, 3);
      await page.getByRole("button", { name: /^Remove filter/ }).first().click();
      await page.getByRole("button", { name: /^Remove filter/ }).first().click();
      await expect(page.locator(".chip")).toHaveCount(0);
      await settled(page, 3);
    },
  },
  {
    name: "export CSV / JSON of every tab, and charts as PNG / SVG",
    run: async ({ page }) => {
      for (const tab of ["Records", "Conversations", "Rejected", "Overview"]) {
        await page.getByRole("tab", { name: tab }).click();
        await settled(page, 3);
        const kinds = tab === "Overview" ? ["csv", "json", "histogram-csv"] : ["csv", "json"];
        for (const kind of kinds) {
          await download(page, () => openMenu(page).then(() => page.locator(`.exports [data-export="${kind}"]`).click()));
        }
      }
      for (const figure of ['figure[data-top="dstport"]', ".overview-charts > .chart-head"]) {
        for (const kind of ["csv", "png", "svg"]) {
          await download(page, () => page.locator(`${figure} [data-save="${kind}"]`).click());
        }
      }
    },
  },
  {
    name: "copy as Athena SQL and as a Logs Insights query",
    run: async ({ page }) => {
      for (const kind of ["athena", "insights"]) {
        await openMenu(page);
        await page.locator(`.exports [data-export="${kind}"]`).click();
        await expect(page.locator(".export-status")).toContainText(/Copied|refused/);
        if (await page.locator(".copy-dialog").count()) await page.keyboard.press("Escape");
      }
    },
  },
  {
    name: "save, open and delete a view",
    run: async ({ page }) => {
      await page.locator(".saved-views summary").click();
      await page.locator("#view-name").fill("rejected ssh");
      await page.locator("#view-name").press("Enter");
      await page.getByRole("tab", { name: "Rejected" }).click();
      await page.getByRole("button", { name: "Open view rejected ssh" }).click();
      await expect(page.locator(".panel")).toHaveAttribute("data-tab", "overview");
      await page.getByRole("button", { name: "Delete view rejected ssh" }).click();
      await page.locator(".saved-views summary").click();
      await settled(page, 3);
    },
  },
  {
    name: "brush-zoom on the time chart",
    run: async ({ page }) => {
      const box = await page.locator(".time-canvas").boundingBox();
      const y = box.y + box.height / 2;
      await page.mouse.move(box.x + box.width * 0.2, y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.8, y, { steps: 5 });
      await page.mouse.up();
      await expect(page.locator(".chip")).toHaveCount(1);
      await settled(page, 3);
      await page.getByRole("button", { name: /^Remove filter/ }).click();
      await settled(page, 3);
    },
  },
  {
    name: "complete a field name",
    run: async ({ page }) => {
      await page.locator("#filter-input").focus();
      await page.keyboard.type("srca");
      await page.keyboard.press("Tab");
      await expect(page.locator("#filter-input")).toHaveValue("srcaddr ");
      await page.locator("#filter-input").fill("");
    },
  },
];

/** Opens the export menu if it is closed. */
async function openMenu(page) {
  const menu = page.locator(".exports details.menu");
  if (!(await menu.evaluate((d) => d.open))) await menu.locator("summary").click();
}

/** Runs `act` and waits for the file it saves; returns its text. */
async function download(page, act) {
  const [file] = await Promise.all([page.waitForEvent("download"), act()]);
  return readFileSync(await file.path(), "utf8");
}

test("after loading its own files, nothing the user does makes a request", async ({ browser }, info) => {
  const server = await startServer(pagesDist(), { base: BASE });
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const log = recordRequests(context);
  const page = await context.newPage();
  const errors = await open(page, server.url);
  await offlineReady(page);
  await page.waitForLoadState("networkidle");
  await quiet(server, page);
  const loaded = network(log).map((r) => r.url);
  const origin = new URL(server.url).origin;
  // The initial load: the app's own files, all under the app's path.
  expect(loaded.length).toBeGreaterThan(0);
  for (const url of loaded) {
    expect(url.startsWith(server.url), url).toBe(true);
  }

  const files = fixtures(info.outputPath("files"));
  const dir = info.outputPath("tree");
  const missing = [];
  let updateChecks = 0;
  const isUpdateCheck = (r) => r.method === "GET" && r.path === `${BASE}sw.js`;
  for (const action of ACTIONS) {
    if (!action.run) {
      missing.push(action.name);
      continue;
    }
    const [browserMark, serverMark] = [log.length, server.requests.length];
    await action.run({ page, files, dir });
    await page.waitForTimeout(300);
    expect(network(log.slice(browserMark)), `requests made by "${action.name}"`).toEqual([]);
    // The browser checks for a new build of the service worker on its own schedule (a few
    // seconds after the page's load was handled, whatever the user does meanwhile): a GET
    // of the app's own sw.js that carries nothing of the user's. That check, and only it,
    // may land during an action; it is counted below.
    const served = server.requests.slice(serverMark);
    updateChecks += served.filter(isUpdateCheck).length;
    expect(served.filter((r) => !isUpdateCheck(r)), `requests served for "${action.name}"`).toEqual([]);
  }
  // At most the one scheduled check: any more would mean something asks for it.
  expect(updateChecks).toBeLessThanOrEqual(1);

  // The sample data is the app's own files, fetched from its own folder only.
  while ((await page.locator("li.file").count()) > 0) {
    await page.locator("li.file .remove").first().click();
  }
  const mark = log.length;
  await page.getByRole("button", { name: "Try sample data" }).click();
  await expect(page.locator(".app")).toHaveAttribute("data-pending", "0");
  await expect(page.locator("li.file")).not.toHaveCount(0);
  const fetched = network(log.slice(mark));
  expect(fetched.length).toBeGreaterThan(0);
  for (const request of fetched) {
    expect(request.url.startsWith(`${server.url}samples/`), request.url).toBe(true);
  }
  for (const request of log) {
    if (!/^(blob|data):/.test(request.url)) {
      expect(new URL(request.url).origin, request.url).toBe(origin);
    }
  }
  if (missing.length) {
    info.annotations.push({ type: "actions not built yet", description: missing.join("; ") });
  }
  await shot(page, "10-after-every-action.png");
  expect(errors).toEqual([]);
  await context.close();
  await server.close();
});

test("it is an installable app that, after one visit, does a whole analysis offline", async ({ browser }, info) => {
  const dist = pagesDist();
  const server = await startServer(dist, { base: BASE });
  const context = await browser.newContext();
  const first = await context.newPage();
  await open(first, server.url);
  const caches = await offlineReady(first);
  expect(caches).toHaveLength(1);
  expect(caches[0]).toMatch(/^flowlens-[0-9a-f]{16}$/);
  // Installable: Chromium finds nothing missing in the manifest, icon or service worker.
  // Test contexts are incognito-like, which Chromium reports on its own.
  const cdp = await context.newCDPSession(first);
  const { errors: manifestErrors } = await cdp.send("Page.getAppManifest");
  expect(manifestErrors).toEqual([]);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  expect(installabilityErrors.filter((e) => e.errorId !== "in-incognito")).toEqual([]);
  await first.close();

  // The network is cut twice over: the browser's offline mode, and no server at all.
  await server.close();
  await context.setOffline(true);
  const page = await context.newPage();
  const errors = await open(page, server.url);
  await expect(page.getByRole("button", { name: "Try sample data" })).toBeVisible();

  const files = fixtures(info.outputPath("files"));
  await dropFile(page, files.gz);
  await page.locator("#file-input").setInputFiles(files.plain);
  await settled(page, 2);
  expect(await pageTotals(page)).toEqual(cliTotals([files.gz, files.plain]));
  await shot(page, "11-offline-analysis.png");

  // The samples were kept too.
  await page.getByRole("button", { name: "Remove custom-v5.log.gz" }).click();
  await page.getByRole("button", { name: "Remove guide-default.log" }).click();
  await settled(page, 0);
  await page.getByRole("button", { name: "Try sample data" }).click();
  const names = JSON.parse(readFileSync(join(dist, "samples", "index.json"), "utf8"));
  await settled(page, names.length);
  expect(await pageTotals(page)).toEqual(cliTotals(names.map((n) => join(dist, "samples", n))));
  await shot(page, "12-offline-samples.png");
  expect(errors.filter((e) => !/service ?worker|sw\.js/i.test(e))).toEqual([]);
  await context.close();
});

test("a new build replaces the cached one", async ({ browser }, info) => {
  const dist = info.outputPath("site");
  cpSync(pagesDist(), dist, { recursive: true });
  const server = await startServer(dist, { base: BASE });
  const context = await browser.newContext();
  const page = await context.newPage();
  await open(page, server.url);
  const [before] = await offlineReady(page);

  // A new build: another page and another service worker (its version is the digest of
  // the build's files, so any change to them changes it).
  const index = join(dist, "index.html");
  writeFileSync(index, readFileSync(index, "utf8").replace("<title>", '<meta name="build" content="next" />\n    <title>'));
  const sw = join(dist, "sw.js");
  const version = before.slice("flowlens-".length);
  writeFileSync(sw, readFileSync(sw, "utf8").replace(`"version":"${version}"`, `"version":"${version}-next"`));

  await page.reload();
  await expect
    .poll(() => page.evaluate(() => caches.keys()), { timeout: 20_000 })
    .toEqual([`${before}-next`]);

  // Offline, the page is the new build.
  await server.close();
  await context.setOffline(true);
  const offline = await context.newPage();
  await offline.goto(server.url);
  await expect(offline.locator('meta[name="build"]')).toHaveAttribute("content", "next");
  await expect(offline.locator(".app")).toBeVisible();
  await context.close();
});

test("flowlens.html does the whole job from file:// with the network off", async ({ browser }, info) => {
  const file = join(defaultDist(), "flowlens.html");
  const context = await browser.newContext({ offline: true });
  const log = recordRequests(context);
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const errors = await open(page, url);
  await expect(page.getByRole("button", { name: "Try sample data" })).toBeVisible();
  await shot(page, "13-single-file-intro.png");

  const files = fixtures(info.outputPath("files"));
  await dropFile(page, files.gz);
  await page.locator("#file-input").setInputFiles(files.mixed);
  await settled(page, 2);
  // Parsed in the worker: the rows are done and the numbers are the CLI's.
  await expect(page.locator('[data-file="custom-v5.log.gz"]')).toHaveAttribute("data-status", "done");
  expect(await pageTotals(page)).toEqual(cliTotals([files.gz, files.mixed]));
  // The worker that holds the tables and the spare reader it keeps for the next file, both
  // from Blob URLs: nothing fetched.
  await expect.poll(() => page.workers().length).toBe(2);
  for (const worker of page.workers()) expect(worker.url()).toMatch(/^blob:/);

  await page.getByRole("button", { name: "Remove custom-v5.log.gz" }).click();
  await page.getByRole("button", { name: "Remove mixed.log" }).click();
  await settled(page, 0);
  await page.getByRole("button", { name: "Try sample data" }).click();
  const dist = defaultDist();
  const names = JSON.parse(readFileSync(join(dist, "samples", "index.json"), "utf8"));
  await settled(page, names.length);
  expect(await pageTotals(page)).toEqual(cliTotals(names.map((n) => join(dist, "samples", n))));
  await shot(page, "14-single-file-samples.png");

  // The only request is the file itself.
  expect(network(log).map((r) => r.url)).toEqual([url]);
  expect(errors).toEqual([]);
  await context.close();
});

/** Values that would run or render if they were ever treated as HTML. */
const HOSTILE_NAME = `<img src=x onerror="window.__pwned=1;alert(1)">javascript:alert(2).log`;
const HOSTILE_VALUES = [
  "<script>window.__pwned=1</script>",
  "<img/src=x/onerror=window.__pwned=1>",
  "javascript:alert(3)",
];

function hostileFile(dir) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "hostile.log");
  writeFileSync(
    path,
    [
      "version x-note account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
      `2 ${HOSTILE_VALUES[1]} 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 ${HOSTILE_VALUES[0]} 4249 1418530010 1418530070 ACCEPT OK`,
      `2 ${HOSTILE_VALUES[0]} 123456789010 ${HOSTILE_VALUES[2]} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`,
      `2 ${HOSTILE_VALUES[2]} 123456789010 eni-1 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`,
      `2 ${HOSTILE_VALUES[1]} 123456789010 ${HOSTILE_VALUES[0]} 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`,
      "",
    ].join("\n"),
  );
  return path;
}

for (const where of ["served page", "single file"]) {
  test(`hostile values are shown as text (${where})`, async ({ browser }, info) => {
    let server;
    let url;
    if (where === "served page") {
      server = await startServer(pagesDist(), { base: BASE });
      url = server.url;
    } else {
      url = pathToFileURL(join(defaultDist(), "flowlens.html")).href;
    }
    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs = [];
    page.on("dialog", async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    const errors = await open(page, url);
    const path = hostileFile(info.outputPath("files"));

    await dropFile(page, path, '[data-testid="drop-zone"]', HOSTILE_NAME);
    await settled(page, 1);
    const row = page.locator("li.file").first();
    await expect(row).toHaveAttribute("data-file", HOSTILE_NAME);
    await expect(row.locator(".file-name")).toHaveAttribute("title", HOSTILE_NAME);
    await expect(row).toHaveAttribute("data-records", "3");
    await row.locator(".issue summary").click();
    const issue = row.locator(".issue");
    await expect(issue).toContainText(HOSTILE_VALUES[0]);
    await expect(issue.locator("code")).toContainText(HOSTILE_VALUES[1]);
    // The name shows as its own characters (shortened in the middle when long).
    await expect(row.locator(".file-name")).toContainText("<img");
    await page.waitForTimeout(500);
    await shot(page, `15-hostile-${where.replace(" ", "-")}.png`);

    // Chart labels: the interface list's table holds the values as text, and its SVG
    // holds them escaped.
    const interfaces = page.locator('table[data-chart="interface-id"]');
    await expect(interfaces).toContainText(HOSTILE_VALUES[0]);
    await expect(interfaces).toContainText(HOSTILE_VALUES[2]);
    const svg = await download(page, () => page.locator('figure[data-top="interface-id"] [data-save="svg"]').click());
    expect(svg).toContain("&lt;script&gt;");
    expect(svg).not.toContain("<script");
    const topCsv = await download(page, () => page.locator('figure[data-top="interface-id"] [data-save="csv"]').click());
    expect(topCsv).toContain(HOSTILE_VALUES[0]);

    // The records table and the drawer show the values as their own characters.
    await page.getByRole("tab", { name: "Records" }).click();
    await settled(page, 1);
    await page.locator(".column-chooser summary").click();
    await page.locator('.column-choice input[data-column="x-note"]').check();
    await page.locator('.column-choice input[data-column="interface-id"]').check();
    await page.locator(".column-chooser summary").click();
    const table = page.locator(".records-table tbody");
    for (const value of HOSTILE_VALUES) await expect(table).toContainText(value);
    await page.locator('.records-table tbody tr[data-index="2"] td.where button').click();
    const drawer = page.getByRole("dialog", { name: "Record" });
    await expect(drawer).toContainText(HOSTILE_VALUES[0]);
    await expect(drawer).toContainText(HOSTILE_VALUES[1]);
    await expect(drawer).toContainText(HOSTILE_NAME);
    await shot(page, `16-hostile-drawer-${where.replace(" ", "-")}.png`);
    await page.keyboard.press("Escape");

    // The exports hold the literal text: CSV quoted as RFC 4180 says, JSON as strings.
    const csv = await download(page, () => openMenu(page).then(() => page.locator('.exports [data-export="csv"]').click()));
    for (const value of HOSTILE_VALUES) expect(csv).toContain(value);
    expect(csv).toContain(`"${HOSTILE_NAME.replaceAll('"', '""')}"`);
    const json = JSON.parse(await download(page, () => openMenu(page).then(() => page.locator('.exports [data-export="json"]').click())));
    const texts = json.records.flatMap((r) => [r["x-note"], r["interface-id"], r._file]);
    for (const value of [...HOSTILE_VALUES, HOSTILE_NAME]) expect(texts).toContain(value);

    // Nothing became an element, nothing ran.
    expect(
      await page.locator('.app img, .app script, .app iframe, .app svg image, .app a[href^="javascript:"]').count(),
    ).toBe(0);
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
    if (server) await server.close();
  });
}
