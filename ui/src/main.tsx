// Styles: Aksel without its remote @font-face rules (index.css would load fonts from NAV's CDN);
// the font is bundled instead. Order matters: layers first, then Aksel's pieces, then the app.
import "./styles/layers.css";
import "./styles/fonts.css";
import "@navikt/ds-css/dist/global/reset.css";
import "@navikt/ds-css/dist/global/tokens.css";
import "@navikt/ds-css/dist/global/baseline.css";
import "@navikt/ds-css/dist/global/print.css";
import "@navikt/ds-css/dist/components.css";
import "./styles/app.css";
import "./i18n";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";

async function start() {
  // A fake backend for looking at the screens in a plain browser: `npm run dev:mock`.
  // The condition is false at build time, so the production bundle leaves the mock out.
  if (import.meta.env.VITE_MOCK === "1") {
    const { installMockBackend } = await import("./dev/mockBackend");
    installMockBackend();
  }
  const root = document.getElementById("root");
  if (!root) throw new Error("#root is missing from index.html");
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}

void start();
