import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsOf, mockCommands } from "../../test/ipc";
import { overview, visitRecord } from "../../test/overview";
import { RecordVisit } from "./RecordVisit";

describe("RecordVisit", () => {
  it("starts a correction from the visit fetched alone, not from the overview's timeline", async () => {
    // The overview's timeline does not reach this visit (it holds the newest 200 entries).
    const calls = mockCommands({
      placement_overview: () => overview({ timeline: [] }),
      get_visit: () => visitRecord({ id: "v-old", summary: "Langt tilbake i tid." }),
    });
    render(<RecordVisit placementId="p1" corrects="v-old" />);
    const summary = await screen.findByTestId<HTMLTextAreaElement>("visit-summary");
    expect(summary.value).toBe("Langt tilbake i tid.");
    expect(screen.getByTestId("visit-correction-info")).toBeTruthy();
    expect(callsOf(calls, "get_visit")).toEqual([{ placementId: "p1", visitId: "v-old" }]);
  });

  it("asks for no visit when recording a new one", async () => {
    const calls = mockCommands({ placement_overview: () => overview() });
    render(<RecordVisit placementId="p1" />);
    expect((await screen.findByTestId<HTMLTextAreaElement>("visit-summary")).value).toBe("");
    expect(callsOf(calls, "get_visit")).toEqual([]);
  });
});
