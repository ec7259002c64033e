import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsOf, mockCommands } from "../../test/ipc";
import { overview, visitRecord } from "../../test/overview";
import { VisitForm } from "./VisitForm";

const fields = (testId: string) => screen.getAllByTestId<HTMLInputElement>(testId);

describe("VisitForm", () => {
  it("adds and removes action rows; a new row's first field takes focus", () => {
    mockCommands();
    render(<VisitForm overview={overview()} back={null} />);
    expect(screen.getAllByTestId("visit-action")).toHaveLength(1);
    fireEvent.click(screen.getByTestId("visit-add-action"));
    expect(screen.getAllByTestId("visit-action")).toHaveLength(2);
    expect(document.activeElement).toBe(fields("visit-action-what")[1]);
    fireEvent.click(screen.getAllByTestId("visit-remove-action")[0] as HTMLElement);
    expect(screen.getAllByTestId("visit-action")).toHaveLength(1);
  });

  it("lists a row's error after the fields' errors, and shows it only after a submit", async () => {
    const calls = mockCommands();
    render(<VisitForm overview={overview()} back={null} />);
    fireEvent.change(screen.getByTestId("visit-time"), { target: { value: "" } });
    fireEvent.change(fields("visit-action-what")[0] as HTMLElement, { target: { value: "x".repeat(2001) } });
    expect(fields("visit-action-what")[0]?.getAttribute("aria-invalid")).not.toBe("true");
    fireEvent.click(screen.getByTestId("visit-submit"));
    const summary = await screen.findByTestId("error-summary");
    const rowId = fields("visit-action-what")[0]?.id;
    expect(within(summary).getAllByRole("link").map((a) => a.getAttribute("href"))).toEqual([
      "#visit-time",
      `#${rowId}`,
    ]);
    expect(fields("visit-action-what")[0]?.getAttribute("aria-invalid")).toBe("true");
    expect(callsOf(calls, "record_visit")).toEqual([]);
  });

  it("records a correction, starting from the original's summary, and goes back to the overview", async () => {
    const calls = mockCommands({ record_visit: () => "v2" });
    render(<VisitForm overview={overview()} original={visitRecord({ id: "v1", at: "2026-04-02T12:30:00Z", summary: "Gikk greit." })} back={null} />);
    expect(screen.getByTestId("visit-correction-info")).toBeTruthy();
    expect(screen.getByTestId<HTMLTextAreaElement>("visit-summary").value).toBe("Gikk greit.");
    fireEvent.change(screen.getByTestId("visit-summary"), { target: { value: "Gikk bra." } });
    fireEvent.change(fields("visit-action-what")[0] as HTMLElement, { target: { value: "Ringe" } });
    fireEvent.click(screen.getByTestId("visit-employer-rating-4"));
    fireEvent.click(screen.getByTestId("visit-submit"));
    await waitFor(() => expect(window.location.hash).toBe("#/placements/p1"));
    const [args] = callsOf(calls, "record_visit");
    expect(args).toMatchObject({
      placementId: "p1",
      input: {
        at: "2026-04-02T12:30:00.000Z",
        summary: "Gikk bra.",
        employerRating: 4,
        candidateRating: null,
        actions: [{ what: "Ringe", owner: "employer", due: null }],
        corrects: "v1",
      },
    });
    expect(callsOf(calls, "clear_draft")).toEqual([{ key: "draft.visit.p1.corrects.v1" }]);
  });
});
