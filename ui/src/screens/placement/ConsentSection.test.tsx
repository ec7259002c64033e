import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { ConsentView } from "../../bindings/ConsentView";
import { CONSENT_SCOPES } from "../../bindings/rules";
import en from "../../i18n/en.json";
import nb from "../../i18n/nb.json";
import { callsOf, failWith, mockCommands } from "../../test/ipc";
import { ConsentSection } from "./ConsentSection";

const given: ConsentView = {
  id: "c1",
  scopes: ["follow_up", "goals"],
  textVersion: "2026-1",
  givenAt: "2026-11-02T09:00:00Z",
  givenBy: "Kari Veileder",
  withdrawnAt: null,
  withdrawnBy: null,
  allowsEmployer: true,
};

describe("ConsentSection", () => {
  it("says when no consent is recorded, and records one with the chosen scopes and version", async () => {
    let consents: ConsentView[] = [];
    const calls = mockCommands({
      placement_consents: () => consents,
      give_consent: () => {
        consents = [given];
        return "c1";
      },
    });
    const onChanged = vi.fn();
    render(<ConsentSection placementId="p1" refresh={0} onChanged={onChanged} />);
    expect((await screen.findByTestId("consent-none")).textContent).toBe("Ingen samtykke er registrert.");
    fireEvent.click(screen.getByTestId("consent-add"));
    // The follow-up with the employer is ticked from the start; the version is not guessed.
    const followUp = screen.getByTestId<HTMLInputElement>("consent-scope-follow_up");
    expect(followUp.checked).toBe(true);
    fireEvent.click(screen.getByTestId("consent-submit"));
    expect(screen.getByText("Skriv versjonen av samtykketeksten.")).toBeTruthy();
    fireEvent.click(followUp);
    fireEvent.change(screen.getByTestId("consent-version"), { target: { value: " 2026-1 " } });
    fireEvent.click(screen.getByTestId("consent-submit"));
    expect(screen.getByText("Kryss av for minst én ting kandidaten har sagt ja til.")).toBeTruthy();
    expect(callsOf(calls, "give_consent")).toEqual([]);
    fireEvent.click(followUp);
    fireEvent.click(screen.getByTestId("consent-scope-goals"));
    fireEvent.click(screen.getByTestId("consent-submit"));
    await waitFor(() => expect(onChanged).toHaveBeenCalledOnce());
    expect(callsOf(calls, "give_consent")).toEqual([
      { placementId: "p1", input: { scopes: ["follow_up", "goals"], textVersion: "2026-1" } },
    ]);
    const item = await screen.findByTestId("consent-item");
    expect(item.textContent).toContain("Oppfølging sammen med arbeidsgiveren");
    expect(item.textContent).toContain("Tekstversjon 2026-1");
    expect(item.textContent).toContain("registrert av Kari Veileder");
    expect(screen.getByTestId("consent-done").textContent).toContain("Samtykket er registrert.");
  });

  it("warns that the employer loses access before a withdrawal, and says what it did", async () => {
    let consents: ConsentView[] = [given];
    const calls = mockCommands({
      placement_consents: () => consents,
      withdraw_consent: () => {
        consents = [{ ...given, withdrawnAt: "2026-12-01T10:00:00Z", withdrawnBy: "Kari Veileder", allowsEmployer: false }];
        return { employerDevicesRemoved: 2 };
      },
    });
    render(<ConsentSection placementId="p1" refresh={0} onChanged={vi.fn()} />);
    fireEvent.click(await screen.findByTestId("consent-withdraw"));
    expect(screen.getByText(/Arbeidsgiverens enheter mister tilgangen/)).toBeTruthy();
    fireEvent.click(screen.getByTestId("consent-withdraw-confirm"));
    expect((await screen.findByTestId("consent-done")).textContent).toContain(
      "Samtykket er trukket tilbake. 2 enheter hos arbeidsgiveren er fjernet.",
    );
    expect(callsOf(calls, "withdraw_consent")).toEqual([{ placementId: "p1", consentId: "c1" }]);
    expect((await screen.findByTestId("consent-withdrawn-line")).textContent).toContain("Kari Veileder");
    expect(screen.getByTestId("consent").dataset.allowsEmployer).toBe("false");
    expect(screen.queryByTestId("consent-withdraw")).toBeNull();
  });

  it("keeps the consent and shows why when the withdrawal fails", async () => {
    mockCommands({
      placement_consents: () => [given],
      withdraw_consent: failWith("io", "disk full"),
    });
    render(<ConsentSection placementId="p1" refresh={0} onChanged={vi.fn()} />);
    fireEvent.click(await screen.findByTestId("consent-withdraw"));
    fireEvent.click(screen.getByTestId("consent-withdraw-confirm"));
    expect((await screen.findByRole("alert")).textContent).toContain("Kunne ikke registrere");
    expect(screen.getByTestId("consent-withdraw-confirm")).toBeTruthy();
  });

  it("has words in both languages for every scope Rust names", () => {
    for (const texts of [nb, en] as const) {
      const scopes = (texts as unknown as { consentScope: Record<string, string> }).consentScope;
      for (const code of CONSENT_SCOPES) expect(scopes[code], code).toEqual(expect.any(String));
    }
  });
});
