import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsOf, failWith, mockCommands } from "../test/ipc";
import { EditPlacement } from "./EditPlacement";
import { NewPlacement } from "./NewPlacement";

function field(testId: string): HTMLInputElement {
  return screen.getByTestId(testId);
}

function type(testId: string, value: string) {
  fireEvent.change(field(testId), { target: { value } });
}

describe("NewPlacement", () => {
  it("a submit with errors lists them in the summary, in screen order, linked to the fields", async () => {
    const calls = mockCommands();
    render(<NewPlacement />);
    fireEvent.click(screen.getByTestId("new-placement-submit"));
    const summary = await screen.findByTestId("error-summary");
    const links = within(summary).getAllByRole("link");
    expect(links.map((a) => a.getAttribute("href"))).toEqual([
      "#placement-candidate-name",
      "#placement-employer-name",
      "#placement-employer-org-number",
      "#placement-measure",
      "#placement-hours-per-week",
    ]);
    await waitFor(() => expect(summary.contains(document.activeElement)).toBe(true));
    // The link focuses its field (the hash belongs to the router).
    fireEvent.click(links[2] as HTMLElement);
    expect(document.activeElement).toBe(field("new-placement-org-number"));
    expect(window.location.hash).toBe("");
    expect(callsOf(calls, "create_placement")).toEqual([]);
  });

  it("flags a wrong field when it is left, not before", () => {
    mockCommands();
    render(<NewPlacement />);
    type("new-placement-org-number", "123");
    expect(screen.queryByText("Skriv et gyldig organisasjonsnummer (ni sifre).")).toBeNull();
    fireEvent.blur(field("new-placement-org-number"));
    expect(field("new-placement-org-number").getAttribute("aria-invalid")).toBe("true");
    // A field left empty waits for the submit.
    fireEvent.blur(field("new-placement-candidate-name"));
    expect(field("new-placement-candidate-name").getAttribute("aria-invalid")).not.toBe("true");
  });

  it("creates the placement with what was typed, trimmed, and opens it", async () => {
    const calls = mockCommands({ create_placement: () => "p-new" });
    render(<NewPlacement />);
    type("new-placement-candidate-name", "  Kari Nordmann ");
    type("new-placement-employer-name", "Lager AS");
    type("new-placement-org-number", "889 640 782");
    type("new-placement-measure", "work_training");
    type("new-placement-hours", "37,5");
    fireEvent.click(screen.getByTestId("new-placement-submit"));
    await waitFor(() => expect(window.location.hash).toBe("#/placements/p-new"));
    const [args] = callsOf(calls, "create_placement");
    expect(args?.input).toMatchObject({
      candidateName: "Kari Nordmann",
      employerName: "Lager AS",
      employerOrgNumber: "889640782",
      workplaceAddress: "",
      measure: "work_training",
      endDate: null,
      hoursPerWeek: 37.5,
    });
    expect(callsOf(calls, "clear_draft")).toEqual([{ key: "draft.new-placement.new" }]);
  });

  it("says in its own words why creating failed, and keeps what was typed", async () => {
    mockCommands({ create_placement: failWith("io", "Kunne ikke lagre.") });
    render(<NewPlacement />);
    type("new-placement-candidate-name", "Kari");
    type("new-placement-employer-name", "Lager AS");
    type("new-placement-org-number", "889640782");
    type("new-placement-measure", "mentor");
    type("new-placement-hours", "20");
    fireEvent.click(screen.getByTestId("new-placement-submit"));
    const error = (await screen.findByTestId("new-placement-error")).textContent;
    expect(error).toContain("fikk ikke lest eller skrevet en fil");
    expect(error).not.toContain("Kunne ikke lagre.");
    expect(field("new-placement-candidate-name").value).toBe("Kari");
  });

  it("restores a draft, dates included, and throws it away on request", async () => {
    mockCommands({
      load_draft: () => JSON.stringify({ candidateName: "Fra utkast", startDate: "2026-03-02" }),
    });
    render(<NewPlacement />);
    await screen.findByTestId("draft-restored");
    expect(field("new-placement-candidate-name").value).toBe("Fra utkast");
    expect(field("new-placement-start-date").value).toBe("02.03.2026");
    fireEvent.click(screen.getByRole("button", { name: "Tøm skjemaet" }));
    expect(screen.queryByTestId("draft-restored")).toBeNull();
    expect(field("new-placement-candidate-name").value).toBe("");
  });
});

describe("EditPlacement", () => {
  it("starts from the placement's facts and saves them as an edit, then returns to the overview", async () => {
    const facts = {
      kind: "placement",
      candidateName: "Ola Nordmann",
      employerName: "Bodø Bakeri AS",
      employerOrgNumber: "889640782",
      workplaceAddress: "Storgata 3",
      measure: "work_training",
      startDate: "2026-10-01",
      endDate: null,
      hoursPerWeek: 20.5,
    };
    const calls = mockCommands({ record_values: () => facts, edit_record: () => null });
    render(<EditPlacement id="p1" />);
    await waitFor(() => expect(field("new-placement-candidate-name").value).toBe("Ola Nordmann"));
    expect(field("new-placement-hours").value).toBe("20,5");
    expect(screen.getByTestId("back-to-overview").getAttribute("href")).toBe("#/placements/p1");
    type("new-placement-workplace-address", "Sjøgata 1");
    fireEvent.click(screen.getByTestId("new-placement-submit"));
    await waitFor(() => expect(callsOf(calls, "edit_record")).toHaveLength(1));
    expect(callsOf(calls, "record_values")).toEqual([{ placementId: "p1", recordId: null }]);
    expect(callsOf(calls, "edit_record")[0]).toEqual({
      placementId: "p1",
      recordId: null,
      values: { ...facts, workplaceAddress: "Sjøgata 1" },
    });
    await waitFor(() => expect(window.location.hash).toBe("#/placements/p1"));
  });
});
