import { describe, expect, it } from "vitest";
import { CommandFailure } from "./api";
import { ERROR_KINDS, FIELDS, INCONSISTENCIES, LOG_EVENTS } from "./bindings/rules";
import { errorText, eventText } from "./errorText";
import i18n from "./i18n";
import en from "./i18n/en.json";
import nb from "./i18n/nb.json";

const nbT = i18n.getFixedT("nb");
const enT = i18n.getFixedT("en");

function failure(kind: string, params: Record<string, string> = {}, message = "Norsk setning fra Rust") {
  return new CommandFailure({ kind, message, params });
}

describe("errorText", () => {
  it("has a sentence in both languages for every code a command can fail with, every field and rule", () => {
    const lists = { errors: ERROR_KINDS, inputField: FIELDS, inconsistency: INCONSISTENCIES } as const;
    for (const [list, codes] of Object.entries(lists)) {
      for (const code of codes) {
        for (const texts of [nb, en] as const) {
          const group = (texts as unknown as Record<string, Record<string, string> | undefined>)[list];
          expect(group?.[code], `${list}.${code}`).toEqual(expect.any(String));
        }
      }
    }
  });

  it("words a rule broken by the input from its own code, with the field's label", () => {
    const e = failure("invalid_input", { validation: "too_long", field: "summary", max: "2000", len: "2013" });
    expect(errorText(nbT, e, "nb")).toBe("Oppsummering kan ha høyst 2000 tegn. Nå har det 2013.");
    expect(errorText(enT, e, "en")).toBe("The summary can have at most 2000 characters; it now has 2013.");
  });

  it("shows dates as dates and rules as sentences", () => {
    const start = failure("before_placement_start", { field: "end_date", start: "2026-03-02" });
    expect(errorText(nbT, start, "nb")).toBe("Sluttdato kan ikke være før oppfølgingen startet (2. mars 2026).");
    const rule = failure("inconsistent", { rule: "email_without_at" });
    expect(errorText(enT, rule, "en")).toBe("The email address lacks an @.");
  });

  it("prefers a wording for one field to the general one", () => {
    const e = failure("invalid_input", {
      validation: "out_of_range",
      field: "passphrase_length",
      min: "12",
      max: "1024",
    });
    expect(errorText(nbT, e, "nb")).toBe("Passordfrasen må ha mellom 12 og 1024 tegn.");
    const end = failure("out_of_range", { field: "end_date", min: "2026-09-08", max: "2026-12-01" });
    expect(errorText(nbT, end, "nb")).toBe(
      "Sluttdatoen kan være høyst 12 uker tilbake i tid, ellers ville arbeidsgiverens tilgang være slutt med en gang.",
    );
    const general = failure("out_of_range", { field: "hours", min: "0", max: "24" });
    expect(errorText(enT, general, "en")).toBe("The hours must be between 0 and 24.");
  });

  it("never shows the Rust side's Norwegian sentence in English", () => {
    for (const kind of ERROR_KINDS) {
      expect(errorText(enT, failure(kind, { field: "name" }), "en")).not.toContain("Norsk setning");
    }
  });

  it("names a code this version does not know as unexpected, with its message", () => {
    expect(errorText(enT, failure("from_the_future", {}, "boom"), "en")).toBe(
      "Something unexpected went wrong: boom",
    );
    expect(errorText(nbT, new TypeError("x is undefined"), "nb")).toBe("Noe uventet gikk galt: x is undefined");
  });
});

describe("eventText", () => {
  it("has a sentence in both languages for every line the sync log and the quarantine can hold", () => {
    for (const code of LOG_EVENTS) {
      for (const texts of [nb, en] as const) {
        expect((texts.syncEvent as Record<string, string | undefined>)[code], code).toEqual(expect.any(String));
      }
    }
  });

  it("words a line with its values", () => {
    const line = { kind: "sent_received", params: { sent: "2", received: "5" } };
    expect(eventText(nbT, line, "nb")).toBe("Sendte 2 og mottok 5 endringer.");
    expect(eventText(enT, line, "en")).toBe("Sent 2 and received 5 changes.");
  });

  it("words a quarantined record's reason and the error under it, in the chosen language", () => {
    const line = {
      kind: "record_quarantined",
      params: { seq: "7", sender: "Per (b1)", reason: "record_not_applied", error: "forbidden_write", why: "unknown_author" },
    };
    expect(eventText(enT, line, "en")).toBe(
      "Change 7 from another device could not be applied and has been kept. " +
        "A change from another device was not allowed and was not applied. Nothing has been deleted.",
    );
    const refused = { kind: "sync_refused", params: { error: "relay_refused", status: "503" } };
    expect(eventText(nbT, refused, "nb")).toBe(
      "Synkroniseringen ble avvist. Synkroniseringstjenesten avviste forespørselen (feil 503). Endringene ligger trygt på enheten.",
    );
  });

  it("names a removed device by its name, or says it is unknown", () => {
    expect(eventText(nbT, { kind: "device_removed", params: { name: "Per", member: "current", epoch: "2" } }, "nb")).toBe(
      "Per er fjernet, og dokumentet har fått en ny nøkkel.",
    );
    expect(eventText(enT, { kind: "sender_not_member", params: { member: "unknown" } }, "en")).toBe(
      "The sender (an unknown device) is not a member of the placement.",
    );
  });

  it("keeps a line an older version stored as a sentence", () => {
    expect(eventText(enT, { kind: "legacy_text", params: { text: "synkronisering slått på" } }, "en")).toBe(
      "synkronisering slått på",
    );
  });
});
