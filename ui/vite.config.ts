import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

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
});
