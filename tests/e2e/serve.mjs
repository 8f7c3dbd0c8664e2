// A tiny static server for the built page: 127.0.0.1 only, a free port chosen by the system.
//
// Used by the end-to-end tests (see global-setup.mjs) and by hand:
//   node tests/e2e/serve.mjs [DIST] [--base /flowlens/]   prints the URL, serves until interrupted
// DIST defaults to $FLOWLENS_DIST, then to <repo>/dist.

import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));

/** The folder served when no other is given. */
export const defaultDist = () => resolve(process.env.FLOWLENS_DIST || join(here, "..", "..", "dist"));

// `.gz` is served as the bytes on disk, never with Content-Encoding, so that the page
// receives the compressed file exactly as a user would drop it.
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".log": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".gz": "application/gzip",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
};

/**
 * Serves `dist` on 127.0.0.1 at a free port, under the path `base` (e.g. `/flowlens/`, as
 * GitHub Pages serves a project page; anything outside it is 404). `mounts` serves more
 * folders at their own paths, e.g. `[["/bench/", dir]]` for the browser benchmark's pages.
 * Resolves to `{ url, close, requests }`: `requests` lists every request received, in
 * order, as `{ method, path }`, so that tests can prove what the page asked for.
 */
export async function startServer(dist = defaultDist(), { base = "/", mounts = [] } = {}) {
  const folders = [...mounts, [base, dist]].map(([prefix, dir]) => [prefix, resolve(dir)]);
  const root = resolve(dist);
  const requests = [];
  const sockets = new Set();
  const info = await stat(join(root, "index.html")).catch(() => null);
  if (!info) {
    throw new Error(`no built page at ${root} (run \`trunk build --release --offline\` or set FLOWLENS_DIST)`);
  }
  const server = createServer(async (request, response) => {
    requests.push({ method: request.method, path: request.url });
    try {
      const full = decodeURIComponent(new URL(request.url, "http://localhost").pathname);
      const mount = folders.find(([prefix]) => full.startsWith(prefix) || full + "/" === prefix);
      if (!mount) {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      const [prefix, folder] = mount;
      const path = full.slice(Math.min(prefix.length, full.length));
      let file = resolve(join(folder, path));
      // Never serve anything outside the folder.
      if (file !== folder && !file.startsWith(folder + sep)) {
        response.writeHead(403).end();
        return;
      }
      let found = await stat(file).catch(() => null);
      if (found && found.isDirectory()) {
        file = join(file, "index.html");
        found = await stat(file).catch(() => null);
      }
      if (!found || !found.isFile()) {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      response.writeHead(200, {
        "content-type": types[extname(file).toLowerCase()] || "application/octet-stream",
        "content-length": found.size,
        "cache-control": "no-store",
      });
      if (request.method === "HEAD") {
        response.end();
        return;
      }
      createReadStream(file).pipe(response);
    } catch (error) {
      response.writeHead(500, { "content-type": "text/plain" }).end(String(error));
    }
  });
  // Closing must also cut the connections the browser keeps open, as a lost network would.
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", ok);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${base}`,
    requests,
    close: () =>
      new Promise((done) => {
        server.close(done);
        for (const socket of sockets) socket.destroy();
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `--base /flowlens/` serves the folder under that path, as GitHub Pages does.
  const args = process.argv.slice(2);
  const at = args.indexOf("--base");
  const base = at >= 0 ? args.splice(at, 2)[1] : "/";
  const { url } = await startServer(args[0] || defaultDist(), { base });
  console.log(`serving ${args[0] || defaultDist()} at ${url}`);
}
