import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { FieldConflict } from "../../bindings/FieldConflict";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { Conflicts } from "./Conflicts";

const conflict = (maySettle: boolean): FieldConflict => ({
  path: ["actions", "0b9d2f5e-6a4c-4d1e-9f3a-2c8b7e1d5a60", "status"],
  values: [
    { value: "done", device: "d1", at: "2026-11-30T09:15:00Z", by: "Kari Veileder" },
    { value: "cancelled", device: "d2", at: "2026-11-30T10:40:00Z", by: "Per Verksmester" },
  ],
  private: false,
  maySettle,
});

describe("Conflicts", () => {
  it("shows each value by its label with who wrote it, and writes the one picked", async () => {
    const calls = mockCommands({ settle_conflict: () => null });
    const onSettled = vi.fn();
    render(<Conflicts placementId="p1" conflicts={[conflict(true)]} onSettled={onSettled} />);
    const values = screen.getAllByTestId("conflict-value");
    expect(values.map((v) => v.dataset.value)).toEqual(["done", "cancelled"]);
    expect(values[1]?.textContent).toContain("Avlyst");
    expect(values[1]?.textContent).toContain("Skrevet av Per Verksmester");
    const picks = screen.getAllByTestId("conflict-pick");
    expect(picks[1]?.getAttribute("aria-label")).toContain("Avlyst");
    fireEvent.click(picks[1] as HTMLElement);
    await waitFor(() => expect(onSettled).toHaveBeenCalledOnce());
    expect(callsOf(calls, "settle_conflict")).toEqual([
      { placementId: "p1", input: { path: conflict(true).path, private: false, value: "cancelled" } },
    ]);
  });

  it("offers no choice to a user who may not write the field", () => {
    mockCommands();
    render(<Conflicts placementId="p1" conflicts={[conflict(false)]} onSettled={vi.fn()} />);
    expect(screen.getAllByTestId("conflict-value")).toHaveLength(2);
    expect(screen.queryByTestId("conflict-pick")).toBeNull();
  });

  it("says why when the field changed meanwhile, and keeps both values on screen", async () => {
    mockCommands({
      settle_conflict: failWith("invalid_input", "gone", { validation: "inconsistent", rule: "conflict_gone" }),
    });
    const onSettled = vi.fn();
    render(<Conflicts placementId="p1" conflicts={[conflict(true)]} onSettled={onSettled} />);
    fireEvent.click(screen.getAllByTestId("conflict-pick")[0] as HTMLElement);
    expect((await screen.findByTestId("conflict-error")).textContent).toContain(
      "Feltet er endret siden verdiene ble vist",
    );
    expect(onSettled).not.toHaveBeenCalled();
    expect(screen.getAllByTestId("conflict-value")).toHaveLength(2);
  });
});
