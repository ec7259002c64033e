import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { AppState } from "../bindings/AppState";
import { callsOf, mockCommands } from "../test/ipc";
import { FirstRun } from "./FirstRun";

const type = (testId: string, value: string) => fireEvent.change(screen.getByTestId(testId), { target: { value } });

describe("FirstRun", () => {
  it("asks for a role and a name before anything else", async () => {
    mockCommands();
    render(<FirstRun onDone={vi.fn()} />);
    fireEvent.click(screen.getByTestId("first-run-submit"));
    const summary = await screen.findByTestId("error-summary");
    expect(within(summary).getAllByRole("link").map((a) => a.getAttribute("href"))).toEqual([
      "#setup-role-adviser",
      "#setup-name",
    ]);
  });

  it("checks the passphrase and its repeat, and sets up the device with them", async () => {
    const state: AppState = {
      initialized: true,
      unlocked: true,
      role: "employer",
      userName: "Per Arbeidsgiver",
      relay: "https://relay.example.no",
      needsPassphrase: true,
      locked: false,
      lockAfterMinutes: 5,
      lockAfterMs: 300_000,
    };
    const calls = mockCommands({ setup_device: () => state });
    const onDone = vi.fn();
    render(<FirstRun onDone={onDone} />);
    fireEvent.click(screen.getByTestId("setup-role-employer"));
    type("setup-name", " Per Arbeidsgiver ");
    fireEvent.click(screen.getByTestId("setup-protect-passphrase"));
    type("setup-passphrase", "for kort");
    type("setup-passphrase-repeat", "noe annet");
    fireEvent.click(screen.getByTestId("first-run-submit"));
    const summary = await screen.findByTestId("error-summary");
    expect(within(summary).getAllByRole("link").map((a) => a.getAttribute("href"))).toEqual([
      "#setup-passphrase",
      "#setup-passphrase-repeat",
    ]);

    type("setup-passphrase", "grønn sykkel i regnvær");
    type("setup-passphrase-repeat", "grønn sykkel i regnvær");
    type("setup-relay", " https://relay.example.no ");
    fireEvent.click(screen.getByTestId("first-run-submit"));
    await waitFor(() => expect(onDone).toHaveBeenCalledWith(state));
    expect(callsOf(calls, "setup_device")).toEqual([
      {
        input: {
          role: "employer",
          userName: "Per Arbeidsgiver",
          passphrase: "grønn sykkel i regnvær",
          relay: "https://relay.example.no",
        },
      },
    ]);
    // No store yet: nothing, and surely no passphrase, went to a draft.
    expect(calls.filter((c) => c.cmd.endsWith("_draft"))).toEqual([]);
  });

  it("refuses a relay address that is not one", async () => {
    mockCommands();
    render(<FirstRun onDone={vi.fn()} />);
    type("setup-relay", "relay.example.no");
    fireEvent.blur(screen.getByTestId("setup-relay"));
    await waitFor(() => expect(screen.getByTestId("setup-relay").getAttribute("aria-invalid")).toBe("true"));
  });
});
