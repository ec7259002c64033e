/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** "1": run against the fake backend in src/dev/mockBackend.ts (development only). */
  readonly VITE_MOCK?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
