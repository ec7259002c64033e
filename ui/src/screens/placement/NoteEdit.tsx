import { PencilIcon } from "@navikt/aksel-icons";
import { Alert, Button, HStack, Textarea, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { editNote } from "../../api";
import { LONG_MAX } from "../../bindings/rules";
import { DraftRestored } from "../../components/DraftRestored";
import { useErrorText } from "../../errorText";
import { draftKey, useOpenIfDraft } from "../../hooks/useDraft";
import { useForm } from "../../hooks/useForm";
import { noteBodyError } from "./NoteForm";

export function noteEditDraftKey(placementId: string, noteId: string): string {
  return draftKey("note-edit", `${placementId}.${noteId}`);
}

/**
 * «Rediger» on a written note: its text in a form, saved as a character diff (an edit on another
 * device merges with it; the earlier text stays in the document's history). With a draft, like
 * every form: an edit left half-done comes back.
 */
export function NoteEdit({
  placementId,
  noteId,
  text,
  isPrivate,
  onSaved,
}: {
  placementId: string;
  noteId: string;
  text: string;
  isPrivate: boolean;
  onSaved: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [open, setOpen] = useState(false);
  const key = noteEditDraftKey(placementId, noteId);
  useOpenIfDraft(key, setOpen);
  const form = useForm({
    draftKey: key,
    initial: { body: text },
    ids: { body: `note-edit-${noteId}` },
    onInvalid: "field",
    validate: ({ body }) => ({ body: noteBodyError(t, body) }),
    failureMessage: (error) => t("note.failed", { message: errorText(error) }),
  });

  if (!open) {
    return (
      <div>
        <Button
          size="xsmall"
          variant="tertiary"
          icon={<PencilIcon aria-hidden />}
          onClick={() => setOpen(true)}
          data-testid="note-edit-open"
        >
          {t("note.edit")}
        </Button>
      </div>
    );
  }
  const save = form.handleSubmit(async ({ body }) => {
    await editNote(placementId, noteId, body.trim(), isPrivate);
    form.clear();
    setOpen(false);
    onSaved();
  });
  return (
    <form onSubmit={save} noValidate aria-label={t("note.editLabel")} data-testid="note-edit-form">
      <VStack gap="space-8">
        {form.restored && <DraftRestored onDiscard={form.clear} testId="note-edit-draft-restored" />}
        <Textarea
          id={`note-edit-${noteId}`}
          label={t("note.editLabel")}
          description={t("note.editDescription")}
          size="small"
          minRows={2}
          maxLength={LONG_MAX}
          value={form.values.body}
          onChange={(e) => form.update({ body: e.target.value })}
          error={form.error("body")}
          autoFocus
          data-testid="note-edit-body"
        />
        {form.submitError && (
          <Alert variant="error" size="small" data-testid="note-edit-error">
            {form.submitError}
          </Alert>
        )}
        <HStack gap="space-8">
          <Button type="submit" size="small" loading={form.submitting} data-testid="note-edit-save">
            {t("app.save")}
          </Button>
          <Button
            type="button"
            size="small"
            variant="secondary"
            onClick={() => {
              form.clear();
              setOpen(false);
            }}
            data-testid="note-edit-cancel"
          >
            {t("app.cancel")}
          </Button>
        </HStack>
      </VStack>
    </form>
  );
}
