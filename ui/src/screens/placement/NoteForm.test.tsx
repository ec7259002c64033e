import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { NoteForm } from "./NoteForm";

const body = () => screen.getByTestId<HTMLTextAreaElement>("note-body");

describe("NoteForm", () => {
  it("an empty note is not saved: the field takes focus, with its message", () => {
    const calls = mockCommands();
    render(<NoteForm placementId="p1" role="adviser" onSaved={vi.fn()} />);
    fireEvent.click(screen.getByTestId("note-submit"));
    expect(document.activeElement).toBe(body());
    expect(screen.getByText("Skriv notatet før du lagrer.")).toBeTruthy();
    expect(callsOf(calls, "add_note")).toEqual([]);
  });

  it("saves the note, says so, and empties the field for the next", async () => {
    const calls = mockCommands({ add_note: () => "n1" });
    const onSaved = vi.fn();
    render(<NoteForm placementId="p1" role="employer" onSaved={onSaved} />);
    expect(screen.getByLabelText("Skriv et notat til NAV-veilederen")).toBe(body());
    fireEvent.change(body(), { target: { value: "  Hei! " } });
    fireEvent.click(screen.getByTestId("note-submit"));
    await screen.findByTestId("note-saved");
    expect(onSaved).toHaveBeenCalledOnce();
    expect(body().value).toBe("");
    expect(callsOf(calls, "add_note")).toEqual([{ placementId: "p1", input: { body: "Hei!", replyTo: null } }]);
    // No message for the now empty field: the form starts over.
    expect(screen.queryByText("Skriv notatet før du lagrer.")).toBeNull();
    // Typing again hides the confirmation.
    fireEvent.change(body(), { target: { value: "Mer" } });
    expect(screen.queryByTestId("note-saved")).toBeNull();
  });

  it("keeps the note when saving fails", async () => {
    mockCommands({ add_note: failWith("io", "disk full") });
    render(<NoteForm placementId="p1" role="adviser" onSaved={vi.fn()} />);
    fireEvent.change(body(), { target: { value: "Viktig" } });
    fireEvent.click(screen.getByTestId("note-submit"));
    await waitFor(() => expect(screen.getByTestId("note-error").textContent).toContain("fikk ikke lest eller skrevet en fil"));
    expect(body().value).toBe("Viktig");
  });
});
