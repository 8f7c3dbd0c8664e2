// The DuckDB-WASM side of `cargo xtask bench-web`: loads the files picked in `#file-input`
// into one table with one `read_csv` over all of them, then asks the questions the flowlens
// overview answers, and leaves its timings in `window.bench` for the runner to read.
//
// Times are `performance.now()` in this page: the runner compares them with the moment the
// input's `change` event fired, which is when the page was handed the file.

import * as duckdb from "./node_modules/@duckdb/duckdb-wasm/dist/duckdb-browser.mjs";

const dist = new URL("./node_modules/@duckdb/duckdb-wasm/dist/", import.meta.url).href;
// The "eh" bundle (WebAssembly exceptions, no threads): the fastest bundle that runs
// without cross-origin isolation, so DuckDB works on one thread here.
const BUNDLE = "eh";
const bundle = {
  mainModule: `${dist}duckdb-${BUNDLE}.wasm`,
  mainWorker: `${dist}duckdb-browser-${BUNDLE}.worker.js`,
};

// The worker is started from a small script that first notes every WebAssembly memory the
// worker creates or instantiates, so that the runner can read their size (the worker's
// `self.wasmMemoryBytes()`) without DuckDB having to report it.
const preamble = `
self.__memories = [];
const note = (m) => { if (m instanceof WebAssembly.Memory && !self.__memories.includes(m)) self.__memories.push(m); };
const fromInstance = (r) => { const i = r && (r.instance || r); if (i && i.exports) Object.values(i.exports).forEach(note); return r; };
const Memory = WebAssembly.Memory;
WebAssembly.Memory = function (d) { const m = new Memory(d); note(m); return m; };
WebAssembly.Memory.prototype = Memory.prototype;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (...a) => instantiate(...a).then(fromInstance);
const streaming = WebAssembly.instantiateStreaming;
if (streaming) WebAssembly.instantiateStreaming = (...a) => streaming(...a).then(fromInstance);
self.wasmMemoryBytes = () => self.__memories.reduce((s, m) => s + m.buffer.byteLength, 0);
importScripts(${JSON.stringify(bundle.mainWorker)});
`;

const status = document.getElementById("status");
const input = document.getElementById("file-input");
const say = (text) => {
  status.textContent = text;
};

/** The widths the flowlens time histogram may take, in seconds (flowlog-query's list). */
const NICE_WIDTHS = [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 604800];
/** At most this many buckets, as the page asks. */
const MAX_BUCKETS = 120;

function width(first, last) {
  const fits = (w) => Math.floor(last / w) - Math.floor(first / w) < MAX_BUCKETS;
  return NICE_WIDTHS.find(fits) ?? 604800 * (Math.floor((last - first) / 604800 / MAX_BUCKETS) + 1);
}

/** The top-10 lists of the overview, each by the columns it groups on. */
const TOPS = {
  srcaddr: ["srcaddr"],
  dstaddr: ["dstaddr"],
  pair: ["srcaddr", "dstaddr"],
  dstport: ["dstport"],
  protocol: ["protocol"],
  "interface-id": ["interface-id"],
};

/**
 * A text field of the loaded table for SQL: its quoted name, or a `NULL` when the file has
 * no such field (a transit gateway log has no `action` and no `interface-id`). The page
 * shows such a field as missing on every record, so both sides answer the same.
 */
function value(names, name) {
  return names.has(name) ? `"${name}"` : "CAST(NULL AS VARCHAR)";
}

/** The same as a selected column named after the field. */
function column(names, name) {
  return `${value(names, name)} AS "${name}"`;
}

window.bench = { bundle: BUNDLE, threads: 1, version: null, ready: null, error: null };

async function start() {
  const t0 = performance.now();
  const url = URL.createObjectURL(new Blob([preamble], { type: "text/javascript" }));
  const worker = new Worker(url);
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), worker);
  await db.instantiate(bundle.mainModule);
  const conn = await db.connect();
  window.bench.version = await db.getVersion();
  window.bench.startup = performance.now() - t0;
  return { db, conn };
}

/** Runs one statement and gives its rows as plain objects. */
async function rows(conn, sql) {
  const table = await conn.query(sql);
  return table.toArray().map((r) => r.toJSON());
}

/**
 * The overview's questions for `where` (SQL, `true` for all records), one statement per
 * answer as the page shows them: totals by action first (the cards, the first answer),
 * then the distinct interfaces, the time histogram, and each top-10 list by bytes.
 * `names` are the table's columns: the questions name only those (see `value`).
 */
async function overview(conn, names, where) {
  const started = performance.now();
  const action = column(names, "action");
  const byAction = await rows(
    conn,
    `SELECT ${action}, count(*) AS records, sum(bytes) AS bytes, sum(packets) AS packets,
            min(start) AS first, max(start) AS last
     FROM flows WHERE ${where} GROUP BY ALL`,
  );
  const first = performance.now();
  await rows(conn, `SELECT count(DISTINCT ${value(names, "interface-id")}) AS n FROM flows WHERE ${where}`);
  const starts = byAction.flatMap((r) => [r.first, r.last]).filter((v) => v !== null).map(Number);
  let buckets = [];
  if (starts.length) {
    const w = width(Math.min(...starts), Math.max(...starts));
    buckets = await rows(
      conn,
      `SELECT start - start % ${w} AS b, ${action}, count(*) AS records, sum(bytes) AS bytes,
              sum(packets) AS packets
       FROM flows WHERE ${where} AND start IS NOT NULL GROUP BY ALL`,
    );
  }
  const tops = {};
  for (const [name, columns] of Object.entries(TOPS)) {
    tops[name] = await rows(
      conn,
      `SELECT ${columns.map((c) => column(names, c)).join(", ")}, count(*) AS records, sum(bytes) AS bytes,
              sum(packets) AS packets
       FROM flows WHERE ${where} GROUP BY ALL ORDER BY bytes DESC NULLS LAST LIMIT 10`,
    );
  }
  const end = performance.now();
  return {
    first: first - started,
    all: end - started,
    records: byAction.reduce((s, r) => s + Number(r.records), 0),
    buckets: new Set(buckets.map((b) => String(b.b))).size,
    topSource: tops.srcaddr.length ? String(tops.srcaddr[0].srcaddr) : null,
  };
}

/** The names of the columns `read_csv` made from the file's header. */
async function columnNames(conn) {
  const found = await rows(conn, "SELECT column_name FROM information_schema.columns WHERE table_name = 'flows'");
  return new Set(found.map((r) => r.column_name));
}

/**
 * The `read_csv` options that name the columns: the file's header line, or, for a file
 * without one, the names the runner gives (the fields of the layout the native decoder
 * found there).
 */
function columnsFrom(reading) {
  if (!reading || !reading.names) return "header = true";
  const quoted = reading.names.map((name) => `'${name.replaceAll("'", "''")}'`);
  return `header = false, names = [${quoted.join(", ")}]`;
}

/** The loaded table's columns. */
let names = new Set();

start().then(
  ({ db, conn }) => {
    window.bench.ready = performance.now();
    say(`DuckDB ${window.bench.version}, ${BUNDLE} bundle: ready`);
    input.addEventListener("change", async () => {
      const files = [...input.files];
      const handed = performance.now();
      window.bench.handed = handed;
      try {
        // The runner hands over one file, or the objects of one folder, all plain or all gzip.
        const gzip = files[0].name.endsWith(".gz");
        const registered = [];
        for (const [i, file] of files.entries()) {
          const name = `flows-${i}.log${gzip ? ".gz" : ""}`;
          await db.registerFileHandle(name, file, duckdb.DuckDBDataProtocol.BROWSER_FILEREADER, true);
          registered.push(`'${name}'`);
        }
        await conn.query("DROP TABLE IF EXISTS flows");
        await conn.query(
          `CREATE TABLE flows AS SELECT * FROM read_csv([${registered.join(", ")}], delim = ' ',
             ${columnsFrom(window.bench.reading)}, nullstr = '-'${gzip ? ", compression = 'gzip'" : ""})`,
        );
        names = await columnNames(conn);
        const loaded = performance.now();
        const answer = await overview(conn, names, "true");
        window.bench.load = {
          loaded: loaded - handed,
          first: loaded - handed + answer.first,
          all: loaded - handed + answer.all,
          records: answer.records,
          buckets: answer.buckets,
          topSource: answer.topSource,
        };
        say(`loaded ${answer.records} records`);
      } catch (error) {
        window.bench.error = String(error && error.message ? error.message : error);
        say(`error: ${window.bench.error}`);
      }
    });
    // The filter change: the same questions again, with a condition.
    window.filter = async (where) => {
      const answer = await overview(conn, names, where);
      return { first: answer.first, all: answer.all, records: answer.records };
    };
  },
  (error) => {
    window.bench.error = String(error && error.message ? error.message : error);
    say(`error: ${window.bench.error}`);
  },
);
