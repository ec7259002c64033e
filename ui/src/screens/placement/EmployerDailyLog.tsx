import { PencilWritingIcon } from "@navikt/aksel-icons";
import { Alert, Button, VStack } from "@navikt/ds-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { PlacementFacts } from "../../bindings/PlacementFacts";
import { useOpenIfDraft } from "../../hooks/useDraft";
import { DailyLogForm, dailyLogDraftKey } from "./DailyLogForm";

/** The employer's way to the daily log: a button that opens the form, and the confirmation after. */
export function EmployerDailyLog({
  placementId,
  facts,
  onSaved,
}: {
  placementId: string;
  facts: PlacementFacts;
  /** A log was saved: load the overview again. */
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  // An unsaved daily log (after a crash, or a closed window) opens the form again at once.
  const [logOpen, setLogOpen] = useState(false);
  useOpenIfDraft(dailyLogDraftKey(placementId), setLogOpen);
  const [saved, setSaved] = useState<"plain" | "withRequest" | null>(null);
  // Opened by the button (not restored on load): move focus into the form.
  const [focusForm, setFocusForm] = useState(false);
  const openButton = useRef<HTMLButtonElement>(null);

  // After saving, the form is gone: put focus back on its button, with the confirmation above it.
  useEffect(() => {
    if (saved) openButton.current?.focus();
  }, [saved]);

  return (
    <VStack gap="space-16">
      {saved && !logOpen && (
        <Alert variant="success" size="small" data-testid="daily-log-saved" role="status">
          {saved === "withRequest" ? t("dailyLog.savedWithRequest") : t("dailyLog.saved")}
        </Alert>
      )}
      {logOpen ? (
        <DailyLogForm
          placementId={placementId}
          startDate={facts.startDate}
          hoursPerWeek={facts.hoursPerWeek}
          autoFocus={focusForm}
          onSaved={(wantsContact) => {
            setLogOpen(false);
            setSaved(wantsContact ? "withRequest" : "plain");
            onSaved();
          }}
          onCancel={() => {
            setLogOpen(false);
            setFocusForm(false);
          }}
        />
      ) : (
        <div>
          <Button
            ref={openButton}
            icon={<PencilWritingIcon aria-hidden />}
            onClick={() => {
              setSaved(null);
              setFocusForm(true);
              setLogOpen(true);
            }}
            data-testid="daily-log-open"
          >
            {t("dailyLog.open")}
          </Button>
        </div>
      )}
    </VStack>
  );
}
