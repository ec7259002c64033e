import { Alert, Box, Button, Textarea, VStack } from "@navikt/ds-react";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { addNote } from "../../api";
import { useErrorText } from "../../errorText";
import type { Role } from "../../bindings/Role";
import { charCount } from "../../format";
import { draftKey } from "../../hooks/useDraft";
import { useForm } from "../../hooks/useForm";
import { LONG_MAX } from "../../bindings/rules";

/** What the Rust side accepts in a note (folgesvenn-domain's validate.rs). */
const NOTE_MAX = LONG_MAX;

/** What is wrong with a note's text, if anything: the one rule for writing and editing a note. */
export function noteBodyError(t: TFunction, body: string): string | undefined {
  if (!body.trim()) return t("note.errors.empty");
  if (charCount(body) > NOTE_MAX) return t("note.errors.tooLong", { max: NOTE_MAX });
  return undefined;
}

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
  const errorText = useErrorText();
  const [saved, setSaved] = useState(false);
  // One field: a submit with an error puts focus on it, its message beside it.
  const form = useForm({
    draftKey: noteDraftKey(placementId),
    initial: { body: "" },
    ids: { body: `note-body-${placementId}` },
    onInvalid: "field",
    validate: ({ body }) => ({ body: noteBodyError(t, body) }),
    // The draft is kept: nothing typed is lost.
    failureMessage: (error) => t("note.failed", { message: errorText(error) }),
  });
  const body = form.values.body;
  const label =
    role === "adviser" ? t("note.labelAdviser") : role === "employer" ? t("note.labelEmployer") : t("note.label");

  const save = form.handleSubmit(async () => {
    await addNote(placementId, { body: body.trim(), replyTo: null });
    setSaved(true);
    onSaved();
  });

  return (
    <Box padding="space-12" background="neutral-soft" borderRadius="8">
      <form
        onSubmit={(e) => {
          setSaved(false);
          return save(e);
        }}
        noValidate
        aria-label={t("note.formLabel")}
        data-testid="note-form"
      >
        <VStack gap="space-12">
          <Textarea
            id={`note-body-${placementId}`}
            label={label}
            description={t("note.description")}
            size="small"
            minRows={2}
            maxLength={NOTE_MAX}
            value={body}
            onChange={(e) => {
              setSaved(false);
              form.update({ body: e.target.value });
            }}
            error={form.error("body")}
            data-testid="note-body"
          />
          {form.submitError && (
            <Alert variant="error" size="small" data-testid="note-error">
              {form.submitError}
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
              loading={form.submitting}
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
