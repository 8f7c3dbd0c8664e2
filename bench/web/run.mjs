// The browser side of `cargo xtask bench-web`: flowlens and DuckDB-WASM in headless
// Chromium, on the same files, one fresh browser per run, beside what the browser alone
// takes to read each file (`ceiling.html`).
//
//   node bench/web/run.mjs CONFIG.json
//
// CONFIG (written by the xtask) names Chromium, the built page, the files and the runs; the
// results go to `config.out` as JSON, one entry per run, and the xtask makes the table.
// Every time is measured in the page with `performance.now()`, from the moment the page's
// `<input type=file>` fired `change` (the hand-over) to the moment the answer was on
// screen; the runner's own polling adds nothing to them.
//
// Each run starts its own browser (and so a new profile, context and cache), so that its
// first navigation is a cold load and its memory is its own. While a run goes, the
// proportional set size (PSS) of every process of that browser is read from
// /proc/PID/smaps_rollup a few times a second, and the peak of their sum is kept.

import { chromium } from "playwright-core";
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startServer } from "../../tests/e2e/serve.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(await readFile(process.argv[2], "utf8"));
const STEP_TIMEOUT = (config.timeoutSeconds ?? 900) * 1000;

const launchOptions = {
  executablePath: config.chrome,
  headless: true,
  args: [
    // Run as root on build machines, where Chromium's sandbox cannot start.
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

const log = (...parts) => console.log(...parts);

// ---------------------------------------------------------------------------------------
// Memory of the browser's processes.

/** Every process below `root` (this Node process: Chromium is its child). */
async function descendants(root) {
  const parents = new Map();
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = await readFile(`/proc/${name}/stat`, "utf8");
      // The command name may hold spaces and parentheses; the fields after it do not.
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parents.set(Number(name), Number(rest[1]));
    } catch {
      // The process ended while the list was read.
    }
  }
  const found = [];
  const wanted = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of parents) {
      if (wanted.has(parent) && !wanted.has(pid)) {
        wanted.add(pid);
        found.push(pid);
        grew = true;
      }
    }
  }
  return found;
}

/** The summed PSS of the processes, in bytes. */
async function pss(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      const text = await readFile(`/proc/${pid}/smaps_rollup`, "utf8");
      const match = /^Pss:\s+(\d+) kB/m.exec(text);
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // Gone, or not ours to read.
    }
  }
  return total;
}

/** Samples the PSS of this process's children until stopped; keeps the peak. */
class Sampler {
  constructor(everyMs = 250) {
    this.everyMs = everyMs;
    this.peak = 0;
    this.last = 0;
    this.busy = false;
    this.timer = null;
  }
  async sample() {
    if (this.busy) return this.last;
    this.busy = true;
    try {
      this.last = await pss(await descendants(process.pid));
      this.peak = Math.max(this.peak, this.last);
    } finally {
      this.busy = false;
    }
    return this.last;
  }
  start() {
    this.timer = setInterval(() => void this.sample(), this.everyMs);
  }
  async stop() {
    clearInterval(this.timer);
    await this.sample();
  }
}

// ---------------------------------------------------------------------------------------
// Waiting on the page, and noticing when its tab dies.

/** Waits for `predicate` in the page, or fails when the tab crashes or time runs out. */
async function waitFor(page, predicate, arg, what) {
  const crashed = new Promise((_, fail) =>
    page.once("crash", () => fail(new Error(`the tab crashed while waiting for ${what}`))),
  );
  const done = page.waitForFunction(predicate, arg, { timeout: STEP_TIMEOUT, polling: 100 });
  return Promise.race([done, crashed]);
}

// Installed before any script of the page runs: notes the hand-over of files and the Enter
// key in capturing listeners (before the page's own handlers run), the moment the drop zone
// exists (the page is interactive: Yew attaches its handlers as it renders), and runs the
// current watcher on every change of the document.
const INSTRUMENT = () => {
  const bench = (window.__bench = {});
  document.addEventListener(
    "change",
    (e) => {
      if (e.target && e.target.type === "file") bench.handed = performance.now();
    },
    true,
  );
  document.addEventListener(
    "keydown",
    (e) => {
      if (e.key === "Enter") bench.enter = performance.now();
    },
    true,
  );
  // How many times the overview's time chart has been painted (the page counts each
  // canvas's paints in `data-paints`), for the watchers to see it painted again.
  bench.timePaints = () => document.querySelector(".overview-charts .time-canvas")?.dataset.paints;
  const check = () => {
    if (bench.interactive === undefined && document.querySelector('[data-testid="drop-zone"] #file-input')) {
      bench.interactive = performance.now();
    }
    if (bench.watch) bench.watch();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
};

/**
 * Arms the watcher for `files` files read and on screen: notes when every file row has
 * left "reading" (`read`: the worker has decoded them), when the app has nothing pending,
 * the overview's charts are there with totals other than `before` and every chart's canvas
 * has been painted, the time chart's again if the tab showed one before (`shown`; the page
 * counts each canvas's paints in `data-paints`, and paints them after the page around
 * them is drawn), and the next animation frame after that (`painted`: the charts on
 * screen).
 */
function armLoad(page, files, before) {
  return page.evaluate(
    ([files, before]) => {
      const bench = window.__bench;
      for (const key of ["read", "shown", "painted", "failed"]) delete bench[key];
      // A tab that already shows charts paints them again for the files added.
      const paintsBefore = bench.timePaints();
      bench.watch = () => {
        const app = document.querySelector(".app");
        if (!app || app.dataset.files !== String(files)) return;
        const rows = [...document.querySelectorAll("li.file[data-status]")];
        if (bench.read === undefined && rows.length === files && rows.every((r) => r.dataset.status !== "reading")) {
          bench.read = performance.now();
          const failed = rows.filter((r) => r.dataset.status === "failed");
          // The names mark the failure; the reasons are read once the wait is over
          // (`failures`).
          if (failed.length) bench.failed = failed.map((r) => r.dataset.file || "a file").join(" | ");
        }
        const value = document.querySelector('[data-metric="records"]')?.dataset.value;
        const charts = document.querySelectorAll(".overview-charts table[data-chart]").length;
        const canvases = [...document.querySelectorAll(".overview-charts canvas")];
        if (
          bench.shown === undefined &&
          bench.read !== undefined &&
          app.dataset.pending === "0" &&
          charts >= 7 &&
          canvases.length >= 7 &&
          canvases.every((c) => c.dataset.paints) &&
          bench.timePaints() !== paintsBefore &&
          value !== before
        ) {
          bench.shown = performance.now();
          requestAnimationFrame(() => {
            bench.painted = performance.now();
          });
        }
      };
    },
    [files, before],
  );
}

/**
 * Arms the watcher for a filter's answer: nothing pending, other totals than `before`, and
 * the time chart painted again. Its canvas is painted after the top lists' canvases, and
 * always changes with the totals; a top list may not change under a filter, and then its
 * canvas is not painted again.
 */
function armFilter(page, before) {
  return page.evaluate((before) => {
    const bench = window.__bench;
    for (const key of ["enter", "shown", "painted"]) delete bench[key];
    const paintsBefore = bench.timePaints();
    bench.watch = () => {
      const app = document.querySelector(".app");
      const value = document.querySelector('[data-metric="records"]')?.dataset.value;
      if (bench.enter === undefined || bench.shown !== undefined || !app) return;
      if (app.dataset.pending === "0" && value !== undefined && value !== before && bench.timePaints() !== paintsBefore) {
        bench.shown = performance.now();
        requestAnimationFrame(() => {
          bench.painted = performance.now();
        });
      }
    };
  }, before);
}

/**
 * What the page says now: totals, WASM memory (when the page reports it), a notice, and
 * every file row with its status and text.
 */
function pageState(page) {
  return page.evaluate(() => {
    const app = document.querySelector(".app");
    const card = (m) => document.querySelector(`[data-metric="${m}"]`)?.dataset.value ?? null;
    return {
      records: card("records"),
      bytes: card("bytes"),
      wasmMemory: app?.dataset.wasmMemory != null ? Number(app.dataset.wasmMemory) : null,
      // What the worker timed itself, from taking the file to its table being ready.
      workerMs: [...document.querySelectorAll("li.file[data-worker-ms]")].map((r) => Number(r.dataset.workerMs)),
      notice: document.querySelector(".notice")?.innerText ?? null,
      files: app?.dataset.files ?? null,
      pending: app?.dataset.pending ?? null,
      // A row's note (why a file failed), or else the whole row. A row's `innerText` is
      // empty until the browser has laid it out (rows have `content-visibility: auto`),
      // so its text content is read instead.
      rows: [...document.querySelectorAll("li.file[data-status]")].map((r) => ({
        file: r.dataset.file,
        status: r.dataset.status,
        text: (r.querySelector(".note") ?? r).textContent.replace(/\s+/g, " ").trim(),
      })),
      // What the watcher has noted so far.
      noted: Object.keys(window.__bench ?? {}).filter((k) => typeof window.__bench[k] !== "function"),
    };
  });
}

/** Each failed file of a `pageState` and why it was not read, on one line. */
function failures(state) {
  return state.rows
    .filter((r) => r.status === "failed")
    .map((r) => `${r.file}: ${r.text}`)
    .join(" | ");
}

// ---------------------------------------------------------------------------------------
// One run of each side.

async function withBrowser(body) {
  const sampler = new Sampler();
  const browser = await chromium.launch(launchOptions);
  sampler.start();
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => log(`    page error: ${e.message}`));
    return await body(page, sampler);
  } finally {
    await sampler.stop().catch(() => {});
    await browser.close().catch(() => {});
  }
}

async function flowlensRun(url, file) {
  return withBrowser(async (page, sampler) => {
    await page.addInitScript(INSTRUMENT);
    await page.goto(url, { waitUntil: "commit" });
    await waitFor(page, () => window.__bench.interactive !== undefined, null, "the drop zone");
    const start = await page.evaluate(() => ({
      interactive: window.__bench.interactive,
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null,
    }));
    // Let the page settle (service worker install, fonts) before the clock matters.
    await page.waitForTimeout(1000);
    const pssBefore = await sampler.sample();

    await armLoad(page, file.paths.length, undefined);
    await page.locator("#file-input").setInputFiles(file.paths);
    await waitFor(page, () => window.__bench.painted !== undefined || window.__bench.failed, null, "the first chart");
    const load = await page.evaluate(() => ({ ...window.__bench, watch: undefined, timePaints: undefined }));
    const loaded = await pageState(page);
    if (load.failed) throw new Error(`flowlens could not read ${file.path}: ${failures(loaded)}`);

    await armFilter(page, loaded.records);
    await page.locator("#filter-input").fill(file.filter.flowlens);
    await page.locator("#filter-input").press("Enter");
    await waitFor(page, () => window.__bench.painted !== undefined, null, "the filtered views");
    const filter = await page.evaluate(() => ({ ...window.__bench, watch: undefined, timePaints: undefined }));
    const filtered = await pageState(page);
    await sampler.sample();
    return {
      startupMs: start.interactive,
      fcpMs: start.fcp,
      loadMs: load.read - load.handed,
      workerMs: loaded.workerMs.length === 1 ? loaded.workerMs[0] : null,
      firstMs: load.painted - load.handed,
      filterMs: filter.painted - filter.enter,
      records: loaded.records,
      filteredRecords: filtered.records,
      wasmBytes: filtered.wasmMemory ?? loaded.wasmMemory,
      pssBefore,
      pssPeak: sampler.peak,
    };
  });
}

async function duckdbRun(url, file) {
  return withBrowser(async (page, sampler) => {
    await page.goto(`${url}bench/duckdb.html`);
    await waitFor(page, () => window.bench && (window.bench.ready !== null || window.bench.error), null, "DuckDB to start");
    const ready = await page.evaluate(() => window.bench);
    if (ready.error) throw new Error(`DuckDB-WASM did not start: ${ready.error}`);
    await page.waitForTimeout(1000);
    const pssBefore = await sampler.sample();

    // How read_csv is to name the columns: from the header line, or as the xtask says.
    await page.evaluate((reading) => {
      window.bench.reading = reading;
    }, file.duckdb ?? { header: true });
    await page.locator("#file-input").setInputFiles(file.paths);
    await waitFor(page, () => window.bench.load || window.bench.error, null, "DuckDB's answers");
    const load = await page.evaluate(() => window.bench);
    if (load.error) throw new Error(`DuckDB-WASM could not read ${file.path}: ${load.error}`);
    const filter = await page.evaluate((where) => window.filter(where), file.filter.sql);
    await sampler.sample();
    return {
      version: ready.version,
      bundle: `${ready.bundle}, ${ready.threads} thread`,
      startupMs: ready.startup,
      loadMs: load.load.loaded,
      firstMs: load.load.first,
      allMs: load.load.all,
      filterMs: filter.all,
      filterFirstMs: filter.first,
      records: String(load.load.records),
      filteredRecords: String(filter.records),
      wasmBytes: await duckdbWasmBytes(page),
      pssBefore,
      pssPeak: sampler.peak,
    };
  });
}

/** The browser alone: a worker reads the file (and inflates `.gz`) and drops the bytes. */
async function ceilingRun(url, file) {
  return withBrowser(async (page, sampler) => {
    await page.goto(`${url}bench/ceiling.html`);
    await waitFor(page, () => window.bench && window.bench.ready !== undefined, null, "the read-only page");
    await page.locator("#file-input").setInputFiles(file.paths);
    await waitFor(page, () => window.bench.load || window.bench.error, null, "the end of the files");
    const bench = await page.evaluate(() => window.bench);
    if (bench.error) throw new Error(`the browser could not read ${file.path}: ${bench.error}`);
    return { loadMs: bench.load.loaded, textBytesSeen: bench.load.bytes, pssPeak: sampler.peak };
  });
}

/** The WebAssembly memory of DuckDB's worker, noted by the worker's preamble. */
async function duckdbWasmBytes(page) {
  for (const worker of page.workers()) {
    const bytes = await worker.evaluate(() => (self.wasmMemoryBytes ? self.wasmMemoryBytes() : null)).catch(() => null);
    if (bytes) return bytes;
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Several files at once: copies of one file handed over together, read by parallel workers
// and merged into one overview.

async function parallel(url, file, copies) {
  // Distinct names for the same bytes, so that the page sees as many files.
  const dir = await mkdtemp(join(tmpdir(), "flowlens-bench-"));
  const paths = [];
  for (let i = 1; i <= copies; i++) {
    const path = join(dir, `copy-${i}-${basename(file.path)}`);
    await symlink(file.path, path);
    paths.push(path);
  }
  try {
    return await withBrowser(async (page, sampler) => {
      await page.addInitScript(INSTRUMENT);
      await page.goto(url, { waitUntil: "commit" });
      await waitFor(page, () => window.__bench.interactive !== undefined, null, "the drop zone");
      await page.waitForTimeout(1000);
      await armLoad(page, copies, undefined);
      await page.locator("#file-input").setInputFiles(paths);
      await waitFor(page, () => window.__bench.painted !== undefined || window.__bench.failed, null, "the merged chart");
      const bench = await page.evaluate(() => ({ ...window.__bench, watch: undefined, timePaints: undefined }));
      const state = await pageState(page);
      if (bench.failed) throw new Error(`flowlens could not read the copies: ${failures(state)}`);
      await sampler.sample();
      return {
        copies,
        loadMs: bench.read - bench.handed,
        firstMs: bench.painted - bench.handed,
        records: state.records,
        wasmBytes: state.wasmMemory,
        pssPeak: sampler.peak,
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// How many records one tab holds: the same file added again and again.

async function scale(url, file, { maxFiles, maxSeconds, filter }) {
  const steps = [];
  const started = Date.now();
  let end = null;
  let afterwards = null;
  await withBrowser(async (page, sampler) => {
    let crashed = false;
    page.on("crash", () => {
      crashed = true;
    });
    await page.addInitScript(INSTRUMENT);
    await page.goto(url, { waitUntil: "commit" });
    await waitFor(page, () => window.__bench.interactive !== undefined, null, "the drop zone");
    let before;
    for (let n = 1; n <= maxFiles; n++) {
      if ((Date.now() - started) / 1000 > maxSeconds) {
        end = `stopped after ${maxSeconds} s`;
        break;
      }
      try {
        await armLoad(page, n, before);
        await page.locator("#file-input").setInputFiles(file.path);
        await waitFor(page, () => window.__bench.painted !== undefined || window.__bench.failed, null, `file ${n}`);
        const bench = await page.evaluate(() => ({ ...window.__bench, watch: undefined, timePaints: undefined }));
        const state = await pageState(page);
        before = state.records;
        await sampler.sample();
        const step = {
          files: n,
          records: state.records,
          seconds: (bench.painted ?? bench.read) / 1000 - bench.handed / 1000,
          wasmBytes: state.wasmMemory,
          pss: sampler.last,
          pssPeak: sampler.peak,
          notice: state.notice,
          failed: bench.failed ? failures(state) : null,
        };
        steps.push(step);
        log(`    ${n} files: ${step.records} records, ${step.seconds.toFixed(1)} s, PSS ${(step.pss / 1e9).toFixed(2)} GB, WASM ${step.wasmBytes ?? "n/a"}${step.notice ? `, notice: ${step.notice}` : ""}${step.failed ? `, failed: ${step.failed}` : ""}`);
        if (step.failed || step.notice) {
          end = step.failed ? `file ${n} failed: ${step.failed}` : `notice: ${step.notice}`;
          break;
        }
      } catch (error) {
        end = crashed ? `the tab crashed while reading file ${n}` : `file ${n}: ${error.message.split("\n")[0]}`;
        log(`    ${end}`);
        if (!crashed) {
          const shown = await pageState(page).then(({ files, pending, rows, noted }) => ({ files, pending, rows, noted }), (e) => e.message);
          log(`    the page then showed: ${JSON.stringify(shown)}`);
        }
        break;
      }
    }
    // Whether what was loaded is still there and still answers: the filter change, once.
    if (!crashed) {
      try {
        const before = (await pageState(page)).records;
        await armFilter(page, before);
        await page.locator("#filter-input").fill(filter);
        await page.locator("#filter-input").press("Enter");
        await waitFor(page, () => window.__bench.painted !== undefined, null, "the filtered views");
        const bench = await page.evaluate(() => ({ ...window.__bench, watch: undefined, timePaints: undefined }));
        const state = await pageState(page);
        afterwards = { filterMs: bench.painted - bench.enter, records: before, filteredRecords: state.records };
        log(`    afterwards: "${filter}" over ${before} records in ${afterwards.filterMs.toFixed(0)} ms (${state.records} kept)`);
      } catch (error) {
        afterwards = { error: error.message.split("\n")[0] };
        log(`    afterwards, the filter failed: ${afterwards.error}`);
      }
    }
  });
  return {
    file: file.path,
    recordsPerFile: file.records,
    steps,
    end: end ?? `stopped at ${maxFiles} files`,
    afterwards,
  };
}

// ---------------------------------------------------------------------------------------

/**
 * Reads every byte of `file` once, untimed, so that each side's first run finds it in the
 * page cache as the later runs do: a 10M-record file not read for a while came from disk
 * in its first run, which then took six times as long as the others.
 */
async function readOnce(file) {
  const started = performance.now();
  let bytes = 0;
  for (const path of file.paths) {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) bytes += chunk.length;
  }
  const seconds = (performance.now() - started) / 1000;
  log(`  ${file.name}: ${(bytes / 1e6).toFixed(0)} MB read once, untimed, into the page cache (${seconds.toFixed(2)} s)`);
}

const server = await startServer(config.dist, { mounts: [["/bench/", here]] });
const results = { chromium: null, runs: [], parallel: null, scale: null };
try {
  {
    const browser = await chromium.launch(launchOptions);
    results.chromium = browser.version();
    await browser.close();
  }
  log(`Chromium ${results.chromium}, serving on ${server.url}`);
  for (const file of config.files) {
    await readOnce(file);
    for (let run = 1; run <= config.runs; run++) {
      for (const tool of config.tools) {
        const entry = { tool, file: file.path, run };
        // A file that DuckDB's read_csv cannot take as one table (the xtask says why) is
        // measured on the flowlens side only.
        if (tool === "duckdb" && file.duckdb && file.duckdb.cannot) {
          entry.skipped = file.duckdb.cannot;
          log(`  ${tool.padEnd(9)} ${file.name} run ${run}: not measured: ${entry.skipped}`);
          results.runs.push(entry);
          continue;
        }
        try {
          const measure = { flowlens: flowlensRun, duckdb: duckdbRun, "read-only": ceilingRun }[tool];
          Object.assign(entry, await measure(server.url, file));
          const parts = [`load ${(entry.loadMs / 1000).toFixed(2)} s`];
          if (entry.firstMs !== undefined) parts.push(`first chart ${(entry.firstMs / 1000).toFixed(2)} s`);
          if (entry.filterMs !== undefined) parts.push(`filter ${entry.filterMs.toFixed(0)} ms`);
          parts.push(`peak PSS ${(entry.pssPeak / 1e9).toFixed(2)} GB`);
          log(`  ${tool.padEnd(9)} ${file.name} run ${run}: ${parts.join(", ")}`);
        } catch (error) {
          entry.error = error.message.split("\n")[0];
          log(`  ${tool.padEnd(9)} ${file.name} run ${run}: ${entry.error}`);
        }
        results.runs.push(entry);
        await writeFile(config.out, JSON.stringify(results, null, 2));
      }
    }
  }
  if (config.parallel) {
    const { copies, runs } = config.parallel;
    log(`${copies} copies of ${config.parallel.path} at once`);
    await readOnce({ name: basename(config.parallel.path), paths: [config.parallel.path] });
    results.parallel = [];
    for (let run = 1; run <= runs; run++) {
      const entry = { run };
      try {
        Object.assign(entry, await parallel(server.url, config.parallel, copies));
        log(`  run ${run}: all read in ${(entry.loadMs / 1000).toFixed(2)} s, merged chart at ${(entry.firstMs / 1000).toFixed(2)} s, ${entry.records} records, WASM ${entry.wasmBytes ?? "n/a"}`);
      } catch (error) {
        entry.error = error.message.split("\n")[0];
        log(`  run ${run}: ${entry.error}`);
      }
      results.parallel.push(entry);
      await writeFile(config.out, JSON.stringify(results, null, 2));
    }
  }
  if (config.scale) {
    log(`How many records one tab holds: ${config.scale.path} added again and again`);
    await readOnce({ name: basename(config.scale.path), paths: [config.scale.path] });
    results.scale = await scale(server.url, config.scale, config.scale);
  }
} finally {
  await writeFile(config.out, JSON.stringify(results, null, 2));
  await server.close();
}
