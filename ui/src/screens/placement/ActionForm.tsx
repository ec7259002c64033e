import { HStack, Select, TextField, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import { editRecord } from "../../api";
import type { ActionInput } from "../../bindings/ActionInput";
import { FIELD_MAX } from "../../bindings/rules";
import { ACTION_OWNERS, codeLabel } from "../../codes";
import { DateField } from "../../components/DateField";
import { DraftRestored } from "../../components/DraftRestored";
import { useErrorText } from "../../errorText";
import { charCount } from "../../format";
import { useForm } from "../../hooks/useForm";
import { Actions, type FormProps } from "./PlanAdd";
import { recordEditDraftKey } from "./planItems";

/**
 * An agreed action changed after it was written: what, who owns it, by when (its status has its
 * own choice on the timeline). Actions are added at a visit, so this form only edits.
 */
export function ActionForm({ placementId, onSaved, onCancel, editing }: Required<FormProps<ActionInput>>) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const id = editing.recordId;
  const ids = { what: `action-what-${id}`, owner: `action-owner-${id}`, due: `action-due-${id}` };
  const form = useForm({
    draftKey: recordEditDraftKey(placementId, id),
    initial: { what: editing.values.what, owner: editing.values.owner, due: editing.values.due ?? "" },
    ids,
    onInvalid: "field",
    validate: (v, problems) => ({
      what: !v.what.trim()
        ? t("edit.errors.action")
        : charCount(v.what) > FIELD_MAX
          ? t("plan.errors.tooLong", { max: FIELD_MAX })
          : undefined,
      due: problems.due ? t("plan.errors.date") : undefined,
    }),
    failureMessage: (e) => t("edit.failed", { message: errorText(e) }),
  });
  const v = form.values;
  const submit = form.handleSubmit(async () => {
    await editRecord(placementId, id, { kind: "action", what: v.what.trim(), owner: v.owner, due: v.due || null });
    onSaved();
  });
  return (
    <form onSubmit={submit} noValidate aria-label={t("edit.action")} data-testid="action-form">
      <VStack gap="space-12">
        {form.restored && <DraftRestored onDiscard={form.clear} testId="action-draft-restored" />}
        <TextField
          id={ids.what}
          label={t("visit.actionWhat")}
          size="small"
          autoComplete="off"
          value={v.what}
          onChange={(e) => form.update({ what: e.target.value })}
          error={form.error("what")}
          aria-required
          data-testid="action-what"
        />
        <HStack gap="space-16" align="start" wrap>
          <Select
            id={ids.owner}
            label={t("visit.actionOwner")}
            size="small"
            value={v.owner}
            onChange={(e) => form.update({ owner: e.target.value })}
            data-testid="action-owner"
          >
            {ACTION_OWNERS.map((o) => (
              <option key={o} value={o}>
                {codeLabel(t, "actionOwner", o)}
              </option>
            ))}
          </Select>
          <div key={form.resetKey}>
            <DateField
              id={ids.due}
              label={
                <>
                  {t("visit.actionDue")} ({t("app.optional")})
                </>
              }
              value={v.due}
              onChange={form.dateChange("due")}
              error={form.error("due")}
              testId="action-due"
            />
          </div>
        </HStack>
        <Actions submitting={form.submitting} error={form.submitError} onCancel={onCancel} testId="action" editing />
      </VStack>
    </form>
  );
}
