import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { PlanAdd } from "./PlanAdd";

describe("PlanAdd", () => {
  it("adds a goal with its category, and says so", async () => {
    const calls = mockCommands({ add_goal: () => "g1" });
    const onSaved = vi.fn();
    render(<PlanAdd placementId="p1" onSaved={onSaved} />);
    fireEvent.click(screen.getByTestId("plan-add-goal"));
    fireEvent.click(screen.getByTestId("plan-goal-submit"));
    expect(screen.getByText("Skriv hva målet er.")).toBeTruthy();
    fireEvent.change(screen.getByTestId("plan-goal-category"), { target: { value: "trade_certificate" } });
    fireEvent.change(screen.getByTestId("plan-goal-description"), { target: { value: " Fagbrev i salg " } });
    fireEvent.click(screen.getByTestId("plan-goal-submit"));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    expect(callsOf(calls, "add_goal")).toEqual([{ placementId: "p1", input: { category: "trade_certificate", description: "Fagbrev i salg" } }]);
    expect(screen.getByTestId("plan-add-saved").textContent).toContain("Målet er lagt til.");
  });

  it("checks a contact person's e-mail before it is sent, and keeps the form when saving fails", async () => {
    const calls = mockCommands({ add_contact_person: failWith("io", "disk full") });
    render(<PlanAdd placementId="p1" onSaved={vi.fn()} />);
    fireEvent.click(screen.getByTestId("plan-add-contact"));
    fireEvent.change(screen.getByTestId("plan-contact-name"), { target: { value: "Per Verksmester" } });
    fireEvent.change(screen.getByTestId("plan-contact-email"), { target: { value: "per.example.no" } });
    fireEvent.click(screen.getByTestId("plan-contact-submit"));
    expect(screen.getByText("E-postadressen mangler @.")).toBeTruthy();
    expect(callsOf(calls, "add_contact_person")).toEqual([]);
    fireEvent.change(screen.getByTestId("plan-contact-email"), { target: { value: "per@example.no" } });
    fireEvent.click(screen.getByTestId("plan-contact-submit"));
    expect((await screen.findByTestId("plan-contact-error")).textContent).toContain("Kunne ikke lagre");
    expect(screen.getByTestId<HTMLInputElement>("plan-contact-name").value).toBe("Per Verksmester");
  });

  it("adds an adaptation agreed today unless another day is given", async () => {
    const calls = mockCommands({ add_adaptation: () => "a1" });
    const onSaved = vi.fn();
    render(<PlanAdd placementId="p1" onSaved={onSaved} />);
    fireEvent.click(screen.getByTestId("plan-add-adaptation"));
    fireEvent.change(screen.getByTestId("plan-adaptation-description"), { target: { value: "Kortere dager første uka" } });
    fireEvent.click(screen.getByTestId("plan-adaptation-submit"));
    await waitFor(() => expect(onSaved).toHaveBeenCalledOnce());
    const [call] = callsOf(calls, "add_adaptation");
    expect((call?.input as { description: string }).description).toBe("Kortere dager første uka");
    expect((call?.input as { agreedOn: string }).agreedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
