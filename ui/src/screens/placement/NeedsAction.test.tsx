import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { TimelineItem } from "../../bindings/TimelineItem";
import { overview } from "../../test/overview";
import { NeedsAction, needsAction } from "./NeedsAction";

const today = "2026-05-10";
const request = (status: string, answerBy: string | null = null): TimelineItem => ({
  kind: "contact_request",
  id: `r-${status}`,
  at: "2026-05-09T08:00:00Z",
  text: "Ring meg",
  status,
  answeredAt: null,
  resolution: null,
  answerBy,
});
const action = (due: string | null, status = "open"): TimelineItem => ({
  kind: "action",
  id: `a-${due ?? "none"}-${status}`,
  at: "2026-05-01T08:00:00Z",
  text: "Vernesko",
  status,
  due,
  owner: "employer",
});

describe("needsAction", () => {
  const o = overview({
    timeline: [request("open"), request("acknowledged"), request("resolved"), action("2026-05-09"), action(today), action("2026-05-01", "done")],
  });
  o.facts.nextVisit = "2026-05-20";

  it("gives the adviser the unanswered requests, the overdue actions and the next visit", () => {
    const n = needsAction(o, "adviser", today);
    expect(n.requests.map((r) => r.id)).toEqual(["r-open", "r-acknowledged"]);
    expect(n.overdue.map((a) => a.id)).toEqual(["a-2026-05-09-open"]);
    expect(n.nextVisit).toBe("2026-05-20");
    expect(n.logMissing).toBe(false);
  });

  it("gives the employer today's missing log, and no next visit", () => {
    const n = needsAction({ ...o, facts: { ...o.facts, lastObservation: "2026-05-09" } }, "employer", today);
    expect(n.logMissing).toBe(true);
    expect(n.nextVisit).toBeNull();
    expect(needsAction({ ...o, facts: { ...o.facts, lastObservation: today } }, "employer", today).logMissing).toBe(false);
  });

  it("asks nothing of a placement that has ended", () => {
    const ended = { ...o, timeline: [], facts: { ...o.facts, status: "ended" } };
    expect(needsAction(ended, "employer", today).logMissing).toBe(false);
    expect(needsAction(ended, "adviser", today).nextVisit).toBeNull();
  });
});

describe("NeedsAction", () => {
  it("takes no room when nothing needs doing", () => {
    const { container } = render(<NeedsAction overview={overview({ facts: { ...overview().facts, status: "ended" } })} role="adviser" />);
    expect(container.innerHTML).toBe("");
  });

  it("lists the open request first", () => {
    render(<NeedsAction overview={overview({ timeline: [request("open")] })} role="adviser" />);
    const items = screen.getAllByTestId("needs-action-item");
    expect(items[0]?.textContent).toBe("Arbeidsgiveren vil snakke med NAV: «Ring meg»");
  });

  it("says the day to answer by, and when it has passed", () => {
    render(<NeedsAction overview={overview({ timeline: [request("open", "2999-01-05")] })} role="adviser" />);
    expect(screen.getByTestId("needs-action-item").textContent).toContain("Svar innen");
  });

  it("says when the day to answer by has passed", () => {
    render(<NeedsAction overview={overview({ timeline: [request("open", "2020-01-06")] })} role="employer" />);
    expect(screen.getAllByTestId("needs-action-item")[0]?.textContent).toContain("Svarfristen var");
  });
});
