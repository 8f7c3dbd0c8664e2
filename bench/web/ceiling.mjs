// The ceiling of `cargo xtask bench-web`: a worker that reads the picked files one after
// another and does nothing with their bytes (for `.gz`, inflates them with the browser's
// DecompressionStream), so that the page's times can be set beside what the browser itself
// takes to deliver them.

const worker = new Worker(new URL("./ceiling-worker.js", import.meta.url));
const input = document.getElementById("file-input");
window.bench = { ready: performance.now(), error: null };

input.addEventListener("change", () => {
  const files = [...input.files];
  window.bench.handed = performance.now();
  worker.onmessage = (event) => {
    const done = performance.now();
    if (event.data.error) {
      window.bench.error = event.data.error;
      return;
    }
    window.bench.load = { loaded: done - window.bench.handed, bytes: event.data.bytes };
    document.getElementById("status").textContent = `${event.data.bytes} bytes`;
  };
  worker.postMessage(files);
});
