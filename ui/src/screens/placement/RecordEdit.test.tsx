import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { TimelineItem } from "../../bindings/TimelineItem";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { RecordEdit } from "./RecordEdit";
import { mayEditNote } from "./TimelineEntry";

describe("RecordEdit", () => {
  it("opens a goal with its current values and saves the change as an edit of that record", async () => {
    const calls = mockCommands({
      record_values: () => ({ kind: "goal", category: "work_experience", description: "Lære varemottak" }),
      edit_record: () => null,
    });
    const onSaved = vi.fn();
    render(<RecordEdit placementId="p1" recordId="g1" name="Lære varemottak" onSaved={onSaved} />);
    fireEvent.click(await screen.findByRole("button", { name: "Endre «Lære varemottak»" }));
    const description = await screen.findByTestId<HTMLTextAreaElement>("plan-goal-description");
    expect(description.value).toBe("Lære varemottak");
    expect(screen.getByTestId<HTMLSelectElement>("plan-goal-category").value).toBe("work_experience");
    fireEvent.change(description, { target: { value: " Lære varemottak og kasse " } });
    fireEvent.click(screen.getByTestId("plan-goal-submit"));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(callsOf(calls, "record_values")).toEqual([{ placementId: "p1", recordId: "g1" }]);
    expect(callsOf(calls, "edit_record")).toEqual([
      {
        placementId: "p1",
        recordId: "g1",
        values: { kind: "goal", category: "work_experience", description: "Lære varemottak og kasse" },
      },
    ]);
    expect(screen.queryByTestId("plan-goal-form")).toBeNull();
  });

  it("ends an adaptation, and keeps what was typed when saving fails", async () => {
    const calls = mockCommands({
      record_values: () => ({ kind: "adaptation", description: "Kortere dager", agreedOn: "2026-10-01", active: true }),
      edit_record: failWith("io", "disk full"),
    });
    render(<RecordEdit placementId="p1" recordId="a1" name="Kortere dager" onSaved={vi.fn()} />);
    fireEvent.click(await screen.findByTestId("record-edit-open"));
    const active = await screen.findByTestId<HTMLInputElement>("plan-adaptation-active");
    expect(active.checked).toBe(true);
    fireEvent.click(active);
    fireEvent.click(screen.getByTestId("plan-adaptation-submit"));
    expect((await screen.findByTestId("plan-adaptation-error")).textContent).toContain("Endringen ble ikke lagret");
    expect(callsOf(calls, "edit_record")).toEqual([
      {
        placementId: "p1",
        recordId: "a1",
        values: { kind: "adaptation", description: "Kortere dager", agreedOn: "2026-10-01", active: false },
      },
    ]);
    expect(screen.getByTestId<HTMLInputElement>("plan-adaptation-active").checked).toBe(false);
  });

  it("changes an action's words, owner and due day; «Avbryt» lets the edit go", async () => {
    const calls = mockCommands({
      record_values: () => ({ kind: "action", what: "Kjøpe vernesko", owner: "employer", due: null }),
      edit_record: () => null,
      clear_draft: () => null,
    });
    const onSaved = vi.fn();
    render(<RecordEdit placementId="p1" recordId="x1" name="Kjøpe vernesko" onSaved={onSaved} />);
    fireEvent.click(await screen.findByTestId("record-edit-open"));
    fireEvent.change(await screen.findByTestId("action-what"), { target: { value: "" } });
    fireEvent.click(screen.getByTestId("action-submit"));
    expect(screen.getByText("Skriv hva som skal gjøres.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Avbryt" }));
    await waitFor(() => expect(callsOf(calls, "clear_draft").length).toBeGreaterThan(0));
    expect(screen.queryByTestId("action-form")).toBeNull();

    fireEvent.click(screen.getByTestId("record-edit-open"));
    fireEvent.change(await screen.findByTestId("action-what"), { target: { value: "Kjøpe vernesko str. 44" } });
    fireEvent.change(screen.getByTestId("action-owner"), { target: { value: "adviser" } });
    fireEvent.click(screen.getByTestId("action-submit"));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(callsOf(calls, "edit_record")).toEqual([
      { placementId: "p1", recordId: "x1", values: { kind: "action", what: "Kjøpe vernesko str. 44", owner: "adviser", due: null } },
    ]);
  });
});

describe("mayEditNote", () => {
  const note = (authorRole: string | null): Extract<TimelineItem, { kind: "note" }> => ({
    kind: "note",
    id: "n1",
    at: "2026-11-27",
    text: "Hei",
    author: "Per",
    authorRole,
  });
  it("lets the adviser edit every note and the employer only the notes its role wrote", () => {
    expect(mayEditNote(note("employer"), "adviser")).toBe(true);
    expect(mayEditNote(note("adviser"), "adviser")).toBe(true);
    expect(mayEditNote(note("employer"), "employer")).toBe(true);
    expect(mayEditNote(note("adviser"), "employer")).toBe(false);
    expect(mayEditNote(note(null), "employer")).toBe(false);
    expect(mayEditNote({ kind: "adviser_note", id: "n2", at: "2026-11-27", text: "x", author: "" }, "employer")).toBe(false);
  });
});
