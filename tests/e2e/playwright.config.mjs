// Playwright runs the system Chromium (CHROME, default /usr/bin/chromium); it never downloads
// a browser. See README.md for the command and the environment it reads.

import { defineConfig } from "@playwright/test";

export default defineConfig({
  testDir: ".",
  testMatch: /.*\.spec\.mjs$/,
  outputDir: "test-results",
  globalSetup: "./global-setup.mjs",
  timeout: 60_000,
  expect: { timeout: 20_000 },
  forbidOnly: !!process.env.CI,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    headless: true,
    viewport: { width: 1366, height: 768 },
    // Reduced motion: no transition caught half-way in a screenshot.
    reducedMotion: "reduce",
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROME || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
});
