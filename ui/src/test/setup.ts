// Runs before every test file (vite.config.ts, `test.setupFiles`).
import { clearMocks } from "@tauri-apps/api/mocks";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";
import "../i18n";

afterEach(() => {
  cleanup();
  clearMocks();
  window.location.hash = "";
});
