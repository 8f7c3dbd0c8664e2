// Reads a File to its end and answers with the number of bytes of text it held.
self.onmessage = async (event) => {
  try {
    const file = event.data;
    let stream = file.stream();
    if (file.name.endsWith(".gz")) stream = stream.pipeThrough(new DecompressionStream("gzip"));
    const reader = stream.getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
    self.postMessage({ bytes });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
