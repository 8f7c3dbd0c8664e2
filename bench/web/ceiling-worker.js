// Reads Files to their end, one after another, and answers with the bytes of text they held.
self.onmessage = async (event) => {
  try {
    let bytes = 0;
    for (const file of event.data) {
      let stream = file.stream();
      if (file.name.endsWith(".gz")) stream = stream.pipeThrough(new DecompressionStream("gzip"));
      const reader = stream.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
      }
    }
    self.postMessage({ bytes });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
