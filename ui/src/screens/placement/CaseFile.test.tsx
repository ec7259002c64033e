import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsOf, mockCommands } from "../../test/ipc";
import { CaseFile } from "./CaseFile";

describe("CaseFile", () => {
  it("makes the summary for the period chosen, from the placement's start to today by default", async () => {
    const calls = mockCommands({
      "plugin:dialog|open": () => "/home/kari/Saker",
      export_placement_summary: () => "/home/kari/Saker/oppsummering.pdf",
    });
    render(<CaseFile placementId="p1" startDate="2026-10-01" />);
    fireEvent.click(screen.getByTestId("case-file-summary"));
    expect((await screen.findByTestId("case-file-written")).textContent).toContain("oppsummering.pdf");
    const [call] = callsOf(calls, "export_placement_summary");
    expect(call).toMatchObject({ placementId: "p1", from: "2026-10-01", into: "/home/kari/Saker" });
    expect(String(call?.to)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
