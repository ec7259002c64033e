import { describe, expect, it } from "vitest";
import { href, parseRoute, type Route } from "./useRoute";

describe("parseRoute", () => {
  it("reads every screen's hash", () => {
    expect(parseRoute("")).toEqual({ name: "list" });
    expect(parseRoute("#/")).toEqual({ name: "list" });
    expect(parseRoute("#/placements/new")).toEqual({ name: "new" });
    expect(parseRoute("#/join")).toEqual({ name: "join" });
    expect(parseRoute("#/placements/p%201")).toEqual({ name: "placement", id: "p 1" });
    expect(parseRoute("#/placements/p1/visit")).toEqual({ name: "visit", id: "p1" });
    expect(parseRoute("#/placements/p1/visit?corrects=v1")).toEqual({ name: "correctVisit", id: "p1", visitId: "v1" });
    expect(parseRoute("#/placements/p1/visit/v1/correct")).toEqual({ name: "correctVisit", id: "p1", visitId: "v1" });
    expect(parseRoute("#/placements?q=%20Kari%20")).toEqual({ name: "list", query: "Kari" });
    expect(parseRoute("#/placements?q=")).toEqual({ name: "list" });
    expect(parseRoute("#/placements/p1?record=n1")).toEqual({ name: "placement", id: "p1", record: "n1" });
    expect(parseRoute("#/nowhere")).toEqual({ name: "notFound" });
  });

  it("reads back every link it makes", () => {
    const routes: Route[] = [
      { name: "list" },
      { name: "new" },
      { name: "join" },
      { name: "placement", id: "a/b?c" },
      { name: "placement", id: "p1", record: "r&1" },
      { name: "list", query: "blåbær & co" },
      { name: "visit", id: "p1" },
      { name: "correctVisit", id: "p1", visitId: "v/1" },
    ];
    for (const route of routes) expect(parseRoute(href(route))).toEqual(route);
  });
});
