// A tiny hash router: the app has three screens, and hash links keep the back button working
// in the webview without a server.
import { useSyncExternalStore } from "react";

export type Route =
  | { name: "list" }
  | { name: "new" }
  | { name: "placement"; id: string }
  | { name: "notFound" };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "");
  if (path === "" || path === "/" || path === "/placements") return { name: "list" };
  if (path === "/placements/new") return { name: "new" };
  const m = /^\/placements\/([^/]+)$/.exec(path);
  if (m?.[1]) return { name: "placement", id: decodeURIComponent(m[1]) };
  return { name: "notFound" };
}

export function href(route: Route): string {
  switch (route.name) {
    case "new":
      return "#/placements/new";
    case "placement":
      return `#/placements/${encodeURIComponent(route.id)}`;
    default:
      return "#/";
  }
}

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const target = href(route);
  if (options.replace) {
    window.location.replace(target);
  } else {
    window.location.hash = target;
  }
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

function snapshot(): string {
  return window.location.hash;
}

/** The current hash, re-rendering on every change. Parse it with `parseRoute`. */
export function useHash(): string {
  return useSyncExternalStore(subscribe, snapshot);
}
