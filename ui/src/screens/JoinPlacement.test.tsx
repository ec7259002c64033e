import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { callsOf, failWith, mockCommands } from "../test/ipc";
import { JoinPlacement } from "./JoinPlacement";

describe("JoinPlacement", () => {
  it("needs the short code", async () => {
    const calls = mockCommands();
    render(<JoinPlacement role="employer" />);
    fireEvent.click(screen.getByTestId("join-submit"));
    expect(await screen.findByTestId("error-summary")).toBeTruthy();
    expect(callsOf(calls, "join_placement")).toEqual([]);
  });

  it("shows an unfamiliar relay first, and joins once the user allows it", async () => {
    const calls = mockCommands({
      join_placement: ({ allowNewRelay }) =>
        allowNewRelay ? { placementId: "p9", placements: 1, missing: 0 } : failWith("unfamiliar_relay", "Koden bruker relay.example.no.", { relay: "https://relay.example.no" })({}),
    });
    render(<JoinPlacement role="employer" />);
    fireEvent.change(screen.getByTestId("join-code"), { target: { value: " ABCD-EFGH " } });
    fireEvent.change(screen.getByTestId("join-full-code"), { target: { value: "FS2-abc\ndef" } });
    fireEvent.click(screen.getByTestId("join-submit"));
    expect((await screen.findByTestId("join-unfamiliar-relay")).textContent).toContain("relay.example.no");
    expect(screen.queryByTestId("join-error")).toBeNull();
    fireEvent.click(screen.getByTestId("join-allow-relay"));
    await waitFor(() => expect(window.location.hash).toBe("#/placements/p9"));
    expect(callsOf(calls, "join_placement")).toEqual([
      { code: "ABCD-EFGH", fullCode: "FS2-abcdef", allowNewRelay: false },
      { code: "ABCD-EFGH", fullCode: "FS2-abcdef", allowNewRelay: true },
    ]);
    // The codes are an invitation: never a draft.
    expect(calls.filter((c) => c.cmd.endsWith("_draft"))).toEqual([]);
  });

  it("goes to the list after a device pairing brought every placement", async () => {
    const calls = mockCommands({ join_placement: () => ({ placementId: "p1", placements: 12, missing: 0 }) });
    render(<JoinPlacement role="adviser" />);
    expect(screen.getByText(/henter denne enheten alle oppfølgingsløpene dine/)).toBeTruthy();
    fireEvent.change(screen.getByTestId("join-code"), { target: { value: "WXYZ-ABCD-EFGH-JKLM" } });
    fireEvent.click(screen.getByTestId("join-submit"));
    await waitFor(() => expect(window.location.hash).toBe("#/"));
    expect(callsOf(calls, "join_placement")).toEqual([{ code: "WXYZ-ABCD-EFGH-JKLM", fullCode: null, allowNewRelay: false }]);
  });

  it("says what a device pairing could not bring, and stays for another try", async () => {
    window.location.hash = "#/join";
    mockCommands({ join_placement: () => ({ placementId: "p1", placements: 5, missing: 2 }) });
    render(<JoinPlacement role="adviser" />);
    fireEvent.change(screen.getByTestId("join-code"), { target: { value: "WXYZ-ABCD-EFGH-JKLM" } });
    fireEvent.click(screen.getByTestId("join-submit"));
    const missing = await screen.findByTestId("join-missing");
    expect(missing.textContent).toContain("Hentet 5 oppfølgingsløp. 2 dokumenter var ikke på relayet ennå.");
    expect(window.location.hash).toBe("#/join");
  });

  it("shows any other failure as it is", async () => {
    mockCommands({ join_placement: failWith("expired", "Koden er utløpt.") });
    render(<JoinPlacement role="employer" />);
    fireEvent.change(screen.getByTestId("join-code"), { target: { value: "ABCD" } });
    fireEvent.click(screen.getByTestId("join-submit"));
    expect((await screen.findByTestId("join-error")).textContent).toContain("Koden er utløpt.");
  });
});
