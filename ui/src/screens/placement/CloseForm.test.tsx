import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { todayIso } from "../../format";
import i18n from "../../i18n";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { CloseForm } from "./CloseForm";

describe("CloseForm", () => {
  it("needs a reason: the reason takes focus", () => {
    const calls = mockCommands();
    render(<CloseForm kind="ended" placementId="p1" startDate="2026-01-05" onSaved={vi.fn()} onCancel={vi.fn()} />);
    fireEvent.click(screen.getByTestId("lifecycle-save"));
    expect(document.activeElement).toBe(screen.getByTestId("lifecycle-reason"));
    expect(calls).toEqual([]);
  });

  it("closes the placement as of today, and says in words why it could not", async () => {
    const calls = mockCommands({ close_placement: failWith("status_transition", "no") });
    const onSaved = vi.fn();
    render(<CloseForm kind="cancelled" placementId="p1" startDate="2026-01-05" onSaved={onSaved} onCancel={vi.fn()} />);
    fireEvent.change(screen.getByTestId("lifecycle-reason"), { target: { value: "got_job" } });
    fireEvent.click(screen.getByTestId("lifecycle-save"));
    const error = await screen.findByTestId("lifecycle-form-error");
    expect(error.textContent).toContain(i18n.t("errors.status_transition"));
    expect(callsOf(calls, "close_placement")).toEqual([
      { placementId: "p1", input: { status: "cancelled", on: todayIso(), reason: "got_job" } },
    ]);
    expect(onSaved).not.toHaveBeenCalled();
    // Memory only: a closing form keeps no draft.
    await waitFor(() => expect(calls.filter((c) => c.cmd.endsWith("_draft"))).toEqual([]));
  });
});
