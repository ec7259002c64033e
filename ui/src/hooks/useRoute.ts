// A tiny hash router: the app has a handful of screens, and hash links keep the back button
// working in the webview without a server.
import { useSyncExternalStore } from "react";

export type Route =
  /** The placement list; with `query`, what the search finds (the header's search lands here). */
  | { name: "list"; query?: string }
  | { name: "new" }
  /** A placement's overview; with `record`, that record of it is shown and focused. */
  | { name: "placement"; id: string; record?: string }
  /** The adviser changes the placement's facts. */
  | { name: "editPlacement"; id: string }
  /** The adviser records a visit. */
  | { name: "visit"; id: string }
  /** The adviser corrects a recorded visit (a new entry linked to `visitId`). */
  | { name: "correctVisit"; id: string; visitId: string }
  /** The employer joins a placement with the adviser's code. */
  | { name: "join" }
  | { name: "newDevice" }
  | { name: "notFound" };

export function parseRoute(hash: string): Route {
  const full = hash.replace(/^#/, "");
  const [path = "", search = ""] = full.split(/\?(.*)/s, 2);
  const params = new URLSearchParams(search);
  if (path === "" || path === "/" || path === "/placements") {
    const query = params.get("q")?.trim();
    return query ? { name: "list", query } : { name: "list" };
  }
  if (path === "/placements/new") return { name: "new" };
  if (path === "/join") return { name: "join" };
  if (path === "/device") return { name: "newDevice" };
  const m = /^\/placements\/([^/?]+)$/.exec(path);
  if (m?.[1]) {
    const id = decodeURIComponent(m[1]);
    const record = params.get("record");
    return record ? { name: "placement", id, record } : { name: "placement", id };
  }
  const edit = /^\/placements\/([^/?]+)\/edit$/.exec(path);
  if (edit?.[1]) return { name: "editPlacement", id: decodeURIComponent(edit[1]) };
  // `/placements/<id>/visit`, also `/placements/<id>/visit?corrects=<visitId>`.
  const visit = /^\/placements\/([^/?]+)\/visit$/.exec(path);
  if (visit?.[1]) {
    const id = decodeURIComponent(visit[1]);
    const corrects = params.get("corrects");
    return corrects ? { name: "correctVisit", id, visitId: corrects } : { name: "visit", id };
  }
  const correct = /^\/placements\/([^/?]+)\/visit\/([^/?]+)\/correct$/.exec(path);
  if (correct?.[1] && correct[2]) {
    return { name: "correctVisit", id: decodeURIComponent(correct[1]), visitId: decodeURIComponent(correct[2]) };
  }
  return { name: "notFound" };
}

export function href(route: Route): string {
  switch (route.name) {
    case "new":
      return "#/placements/new";
    case "placement":
      return `#/placements/${encodeURIComponent(route.id)}${route.record ? `?record=${encodeURIComponent(route.record)}` : ""}`;
    case "editPlacement":
      return `#/placements/${encodeURIComponent(route.id)}/edit`;
    case "visit":
      return `#/placements/${encodeURIComponent(route.id)}/visit`;
    case "correctVisit":
      return `#/placements/${encodeURIComponent(route.id)}/visit/${encodeURIComponent(route.visitId)}/correct`;
    case "join":
      return "#/join";
    case "newDevice":
      return "#/device";
    case "list":
      return route.query ? `#/placements?q=${encodeURIComponent(route.query)}` : "#/";
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
