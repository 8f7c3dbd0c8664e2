// The flowlens service worker: keeps one build of the page so that it opens, and analyses
// files, with no network at all.
//
// `cargo xtask dist` replaces the BUILD line below with the build's file list and a version
// made from their digest. A new build therefore has a new cache: it is filled completely
// when the new worker installs, and the old cache is deleted when it activates, so a page
// is always served from exactly one build.
//
// Requests go to the network first and to the cache only when the network fails: online,
// the page is always the deployed build; offline, it is the last one installed.

const BUILD = { version: "dev", files: [] };
const CACHE = `flowlens-${BUILD.version}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // `reload` skips the HTTP cache, so that the cache holds this build's bytes.
      .then((cache) => cache.addAll(BUILD.files.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith("flowlens-") && key !== CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  // Only the page's own files: nothing else is ever asked for, and nothing else is cached.
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) {
    return;
  }
  event.respondWith(fetch(request).catch(() => fromCache(request)));
});

async function fromCache(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request, { ignoreSearch: true });
  if (hit) {
    return hit;
  }
  // Any page address inside the scope opens the app.
  if (request.mode === "navigate") {
    const page = await cache.match("./");
    if (page) {
      return page;
    }
  }
  return Response.error();
}
