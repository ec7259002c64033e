import react from "@vitejs/plugin-react";
// vitest's defineConfig is vite's, with the `test` block typed; `vite build` ignores that block.
import { defineConfig } from "vitest/config";

// Tauri sets TAURI_DEV_HOST when the dev server must be reachable from a phone or emulator.
const host = process.env.TAURI_DEV_HOST;

export default defineConfig({
  base: "./",
  plugins: [react()],
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_ENV_"],
  server: {
    port: 1420,
    strictPort: true,
    host: host || false,
    hmr: host ? { protocol: "ws", host, port: 1421 } : undefined,
    watch: { ignored: ["**/src-tauri/**"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // Keep fonts as files: inlining them as data: URLs would need a looser CSP.
    assetsInlineLimit: 0,
    sourcemap: false,
    // Loaded from disk by the webview, not over a network: one ~600 kB chunk is fine.
    chunkSizeWarningLimit: 1024,
  },
  // `npm test`: unit tests next to their sources (*.test.ts, *.test.tsx), in a jsdom window.
  // The build never sees them: it bundles only what index.html imports.
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
  },
});
