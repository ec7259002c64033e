import { PencilIcon } from "@navikt/aksel-icons";
import { Alert, Box, Button, Loader, VStack } from "@navikt/ds-react";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { clearDraft, recordValues } from "../../api";
import type { RecordValues } from "../../bindings/RecordValues";
import { useErrorText } from "../../errorText";
import { useOpenIfDraft } from "../../hooks/useDraft";
import { ActionForm } from "./ActionForm";
import { AdaptationForm, ContactForm, GoalForm } from "./PlanAdd";
import { recordEditDraftKey } from "./planItems";
import { TaskForm } from "./TaskForm";

/**
 * «Endre» on a record of the plan or an action: its current values, read from the document, in the
 * same form that adds it. Saving writes only what changed; an edit left half-done comes back as a
 * draft, and «Avbryt» lets it go.
 */
export function RecordEdit({
  placementId,
  recordId,
  name,
  onSaved,
}: {
  placementId: string;
  recordId: string;
  /** What the record is called on screen, for the button's accessible name. */
  name: string;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<RecordValues | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = recordEditDraftKey(placementId, recordId);
  useOpenIfDraft(key, setOpen);

  useEffect(() => {
    if (!open) return;
    let live = true;
    recordValues(placementId, recordId).then(
      (v) => {
        if (live) setValues(v);
      },
      (e: unknown) => {
        if (live) setError(t("edit.loadFailed", { message: errorText(e) }));
      },
    );
    return () => {
      live = false;
    };
  }, [open, placementId, recordId, t, errorText]);

  const close = useCallback(() => {
    setOpen(false);
    setValues(null);
    setError(null);
  }, []);

  if (!open) {
    return (
      <div>
        <Button
          size="xsmall"
          variant="tertiary"
          icon={<PencilIcon aria-hidden />}
          onClick={() => setOpen(true)}
          aria-label={t("edit.openLabel", { name })}
          data-testid="record-edit-open"
        >
          {t("edit.open")}
        </Button>
      </div>
    );
  }
  const saved = () => {
    close();
    onSaved();
  };
  const cancel = () => {
    // The edit is let go: its draft would open the form again next time.
    void clearDraft(key).catch(() => undefined);
    close();
  };
  const common = { placementId, onSaved: saved, onCancel: cancel };
  return (
    <Box padding="space-12" background="neutral-soft" borderRadius="8" data-testid="record-edit">
      {error ? (
        <VStack gap="space-8" align="start">
          <Alert variant="error" size="small" data-testid="record-edit-error">
            {error}
          </Alert>
          <Button size="small" variant="secondary" onClick={close}>
            {t("app.cancel")}
          </Button>
        </VStack>
      ) : !values ? (
        <Loader size="small" title={t("app.loading")} />
      ) : values.kind === "goal" ? (
        <GoalForm {...common} editing={{ recordId, values }} />
      ) : values.kind === "adaptation" ? (
        <AdaptationForm {...common} editing={{ recordId, values }} />
      ) : values.kind === "contact_person" ? (
        <ContactForm {...common} editing={{ recordId, values }} />
      ) : values.kind === "training_task" ? (
        <TaskForm {...common} autoFocus={false} editing={{ recordId, values }} />
      ) : values.kind === "action" ? (
        <ActionForm {...common} editing={{ recordId, values }} />
      ) : null}
    </Box>
  );
}
