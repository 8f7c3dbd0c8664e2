// The benchmark's static server: the built page at `/` and this folder (the DuckDB-WASM page
// with its npm bundle, and the read-only page) at `/bench/`, on 127.0.0.1 at a free port, never cached by the browser.

import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".webmanifest": "application/manifest+json",
  ".gz": "application/gzip",
  ".log": "text/plain; charset=utf-8",
};

/** Serves `dist` at `/` and `benchDir` at `/bench/`; resolves to `{ url, close }`. */
export async function startServer({ dist, benchDir }) {
  const mounts = [
    ["/bench/", resolve(benchDir)],
    ["/", resolve(dist)],
  ];
  const sockets = new Set();
  const server = createServer(async (request, response) => {
    try {
      const path = decodeURIComponent(new URL(request.url, "http://127.0.0.1").pathname);
      const [prefix, root] = mounts.find(([prefix]) => path.startsWith(prefix));
      let file = resolve(join(root, path.slice(prefix.length)));
      // Nothing outside the mounted folders is served.
      if (file !== root && !file.startsWith(root + sep)) {
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
        "content-type": TYPES[extname(file).toLowerCase()] || "application/octet-stream",
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
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise((done) => {
        server.close(done);
        for (const socket of sockets) socket.destroy();
      }),
  };
}
