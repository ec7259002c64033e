import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { placementSummary } from "../../test/summary";
import type { PlacementSummary } from "../../bindings/PlacementSummary";
import { Today, todayLines } from "./Today";

const today = "2026-05-10";
function summary(patch: Partial<PlacementSummary>): PlacementSummary {
  return placementSummary(today, patch);
}

describe("todayLines", () => {
  it("gathers what waits across placements, per role", () => {
    const list = [
      summary({ id: "a", openRequests: 2, nextVisit: "2026-05-10" }),
      summary({ id: "b", overdueActions: 1, nextVisit: "2026-05-11", lastObservation: "2026-05-09" }),
      summary({ id: "c", status: "ended", openRequests: 1, overdueActions: 3 }),
    ];
    expect(todayLines(list, "adviser", today).map((l) => `${l.placementId}:${l.kind}`)).toEqual([
      "a:request",
      "a:visit",
      "b:overdue",
    ]);
    expect(todayLines(list, "employer", today).map((l) => `${l.placementId}:${l.kind}`)).toEqual([
      "a:request",
      "b:overdue",
      "b:log",
    ]);
  });
});

describe("Today", () => {
  it("takes no room when nothing waits, and names the candidate when something does", () => {
    const { container, rerender } = render(<Today placements={[summary({})]} role="adviser" />);
    expect(container.innerHTML).toBe("");
    rerender(<Today placements={[summary({ openRequests: 1 })]} role="adviser" />);
    expect(screen.getByTestId("today-item").textContent).toBe("Ola: arbeidsgiveren ønsker kontakt med NAV");
  });

  it("puts a request past its response time first, apart from those still in time", () => {
    render(<Today placements={[summary({ openRequests: 3, lateRequests: 1 })]} role="adviser" />);
    expect(screen.getAllByTestId("today-item").map((i) => i.textContent)).toEqual([
      "Ola: ønsket om kontakt er ikke besvart innen svarfristen",
      "Ola: 2 ønsker om kontakt med NAV",
    ]);
  });
});
