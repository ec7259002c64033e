import { Alert, Box, Button, Textarea, VStack } from "@navikt/ds-react";
import { useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { addNote, toCommandError } from "../api";
import type { Role } from "../bindings/Role";
import { charCount } from "../format";
import { draftKey, useDraft } from "../hooks/useDraft";

/** What the Rust side accepts in a note (folgesvenn-domain's validate.rs). */
const NOTE_MAX = 20000;

export function noteDraftKey(placementId: string): string {
  return draftKey("note", placementId);
}

/** A note between the adviser and the employer: both see it in the timeline. */
export function NoteForm({
  placementId,
  role,
  onSaved,
}: {
  placementId: string;
  role: Role | null;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const draft = useDraft(noteDraftKey(placementId), { body: "" });
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);

  const body = draft.value.body;
  const error = !body.trim()
    ? t("note.errors.empty")
    : charCount(body) > NOTE_MAX
      ? t("note.errors.tooLong", { max: NOTE_MAX })
      : undefined;
  const label =
    role === "adviser" ? t("note.labelAdviser") : role === "employer" ? t("note.labelEmployer") : t("note.label");

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempt((n) => n + 1);
    setSubmitError(null);
    setSaved(false);
    if (error) {
      field.current?.focus();
      return;
    }
    setSubmitting(true);
    try {
      await addNote(placementId, { body: body.trim(), replyTo: null });
      draft.clear();
      setAttempt(0);
      setSaved(true);
      onSaved();
    } catch (err) {
      // The draft is kept: nothing typed is lost.
      setSubmitError(t("note.failed", { message: toCommandError(err).message }));
    } finally {
      setSubmitting(false);
    }
  }

  return (
    <Box padding="space-12" background="neutral-soft" borderRadius="8">
      <form onSubmit={submit} noValidate aria-label={t("note.formLabel")} data-testid="note-form">
        <VStack gap="space-12">
          <Textarea
            ref={field}
            id={`note-body-${placementId}`}
            label={label}
            description={t("note.description")}
            size="small"
            minRows={2}
            maxLength={NOTE_MAX}
            value={body}
            onChange={(e) => {
              setSaved(false);
              draft.update({ body: e.target.value });
            }}
            error={attempt > 0 ? error : undefined}
            data-testid="note-body"
          />
          {submitError && (
            <Alert variant="error" size="small" data-testid="note-error">
              {submitError}
            </Alert>
          )}
          {saved && (
            <Alert variant="success" size="small" role="status" data-testid="note-saved">
              {t("note.saved")}
            </Alert>
          )}
          <div>
            <Button
              type="submit"
              size="small"
              loading={submitting}
              data-testid="note-submit"
            >
              {t("note.submit")}
            </Button>
          </div>
        </VStack>
      </form>
    </Box>
  );
}
