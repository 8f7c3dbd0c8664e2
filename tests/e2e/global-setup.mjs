// Starts the static server once for the whole run and hands its URL to the tests through
// the environment (worker processes inherit it).

import { startServer } from "./serve.mjs";

export default async function globalSetup() {
  const server = await startServer();
  process.env.FLOWLENS_URL = server.url;
  return async () => {
    await server.close();
  };
}
