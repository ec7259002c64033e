import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsOf, mockCommands } from "../../test/ipc";
import { VisitReport } from "./VisitReport";

describe("VisitReport", () => {
  it("makes the normal or the internal report into the folder chosen, and says where", async () => {
    const calls = mockCommands({
      "plugin:dialog|open": () => "/home/kari/Saker",
      export_visit_report: (args) => `/home/kari/Saker/besoksrapport${args.internal ? "-intern" : ""}.pdf`,
    });
    render(<VisitReport placementId="p1" visitId="v1" />);
    fireEvent.click(screen.getByTestId("visit-report-internal"));
    expect((await screen.findByTestId("visit-report-written")).textContent).toContain("besoksrapport-intern.pdf");
    fireEvent.click(screen.getByTestId("visit-report"));
    expect((await screen.findByTestId("visit-report-written")).textContent).toMatch(/besoksrapport\.pdf$/);
    const made = callsOf(calls, "export_visit_report");
    expect(made).toMatchObject([
      { placementId: "p1", visitId: "v1", internal: true, into: "/home/kari/Saker" },
      { placementId: "p1", visitId: "v1", internal: false, into: "/home/kari/Saker" },
    ]);
    // Each export is its own job, which «Avbryt» would name.
    expect(made[0]?.job).not.toEqual(made[1]?.job);
  });
});
