import { describe, expect, it } from "vitest";
import { datesIn, planStatusColor } from "./planItems";

describe("datesIn", () => {
  it("shows the dates in a detail as dates, the rest as it is", () => {
    expect(datesIn("Kari · 2026-12-01", "nb")).toBe("Kari · 1. des. 2026");
    expect(datesIn("2026-12-01", "en")).toBe("1 Dec 2026");
    expect(datesIn("Kari", "nb")).toBe("Kari");
  });

  it("drops empty parts and reads no detail as none", () => {
    expect(datesIn(" · 2026-12-01", "nb")).toBe("1. des. 2026");
    expect(datesIn(null, "nb")).toBe("");
    expect(datesIn("", "nb")).toBe("");
  });
});

describe("planStatusColor", () => {
  it("colours progress", () => {
    expect(planStatusColor("can_do")).toBe("success");
    expect(planStatusColor("active")).toBe("success");
    expect(planStatusColor("with_adaptation")).toBe("info");
    expect(planStatusColor("not_started")).toBe("neutral");
  });
});
