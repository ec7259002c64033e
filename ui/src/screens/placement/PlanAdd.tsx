import { PlusIcon } from "@navikt/aksel-icons";
import { Alert, Box, Button, Checkbox, Heading, HStack, Select, Textarea, TextField, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { addAdaptation, addContactPerson, addGoal, editRecord } from "../../api";
import type { AdaptationInput } from "../../bindings/AdaptationInput";
import type { ContactPersonInput } from "../../bindings/ContactPersonInput";
import type { GoalInput } from "../../bindings/GoalInput";
import { FIELD_MAX, GOAL_CATEGORIES, PHONE_MAX, SHORT_MAX } from "../../bindings/rules";
import { codeLabel } from "../../codes";
import { DateField } from "../../components/DateField";
import { DraftRestored } from "../../components/DraftRestored";
import { useErrorText } from "../../errorText";
import { charCount, todayIso } from "../../format";
import { draftKey } from "../../hooks/useDraft";
import { useForm } from "../../hooks/useForm";
import { recordEditDraftKey } from "./planItems";

type Kind = "goal" | "adaptation" | "contact";

/**
 * The adviser's way to add to the plan: a goal, an adaptation, a contact person at the workplace.
 * One form at a time, each kept as a draft while it is typed; both devices see what is added.
 */
export function PlanAdd({ placementId, onSaved }: { placementId: string; onSaved: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<Kind | null>(null);
  const [saved, setSaved] = useState<Kind | null>(null);
  const done = (kind: Kind) => {
    setOpen(null);
    setSaved(kind);
    onSaved();
  };
  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-labelledby="plan-add-heading"
      data-testid="plan-add"
    >
      <VStack gap="space-12">
        <Heading level="2" size="small" id="plan-add-heading">
          {t("planAdd.heading")}
        </Heading>
        {saved && !open && (
          <Alert variant="success" size="small" role="status" data-testid="plan-add-saved">
            {t(`planAdd.saved.${saved}`)}
          </Alert>
        )}
        <HStack gap="space-8" wrap>
          {(["goal", "adaptation", "contact"] as const).map((kind) => (
            <Button
              key={kind}
              type="button"
              size="small"
              variant={open === kind ? "primary" : "secondary"}
              icon={<PlusIcon aria-hidden />}
              aria-expanded={open === kind}
              onClick={() => {
                setSaved(null);
                setOpen(open === kind ? null : kind);
              }}
              data-testid={`plan-add-${kind}`}
            >
              {t(`planAdd.open.${kind}`)}
            </Button>
          ))}
        </HStack>
        {open === "goal" && <GoalForm placementId={placementId} onSaved={() => done("goal")} onCancel={() => setOpen(null)} />}
        {open === "adaptation" && (
          <AdaptationForm placementId={placementId} onSaved={() => done("adaptation")} onCancel={() => setOpen(null)} />
        )}
        {open === "contact" && (
          <ContactForm placementId={placementId} onSaved={() => done("contact")} onCancel={() => setOpen(null)} />
        )}
      </VStack>
    </Box>
  );
}

/** A form of the plan: adding a record, or (with `editing`) changing one from its current values. */
export interface FormProps<V> {
  placementId: string;
  onSaved: () => void;
  onCancel: () => void;
  editing?: { recordId: string; values: V };
}

/** The draft key and element ids of a form: its own per record when it edits one. */
function formKeys<F extends string>(name: string, placementId: string, recordId: string | undefined, fields: readonly F[]) {
  const ids = Object.fromEntries(
    fields.map((f) => [f, recordId ? `${name}-${f}-${recordId}` : `${name}-${f}`]),
  ) as Record<F, string>;
  return { key: recordId ? recordEditDraftKey(placementId, recordId) : draftKey(name, placementId), ids };
}

export function Actions({
  submitting,
  error,
  onCancel,
  testId,
  editing,
}: {
  submitting: boolean;
  error: string | null;
  onCancel: () => void;
  testId: string;
  editing?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <>
      {error && (
        <Alert variant="error" size="small" data-testid={`${testId}-error`}>
          {error}
        </Alert>
      )}
      <HStack gap="space-12" wrap>
        <Button type="submit" size="small" loading={submitting} data-testid={`${testId}-submit`}>
          {editing ? t("app.saveChanges") : t("planAdd.submit")}
        </Button>
        <Button type="button" size="small" variant="secondary" onClick={onCancel}>
          {t("app.cancel")}
        </Button>
      </HStack>
    </>
  );
}

export function GoalForm({ placementId, onSaved, onCancel, editing }: FormProps<GoalInput>) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { key, ids } = formKeys("plan-goal", placementId, editing?.recordId, ["category", "description"] as const);
  const form = useForm({
    draftKey: key,
    initial: {
      category: editing?.values.category ?? String(GOAL_CATEGORIES[0]),
      description: editing?.values.description ?? "",
    },
    ids,
    onInvalid: "field",
    validate: (v) => ({
      description: !v.description.trim()
        ? t("planAdd.errors.goal")
        : charCount(v.description) > FIELD_MAX
          ? t("plan.errors.tooLong", { max: FIELD_MAX })
          : undefined,
    }),
    failureMessage: (e) => t(editing ? "edit.failed" : "planAdd.failed", { message: errorText(e) }),
  });
  const v = form.values;
  const submit = form.handleSubmit(async () => {
    const input = { category: v.category, description: v.description.trim() };
    if (editing) await editRecord(placementId, editing.recordId, { kind: "goal", ...input });
    else await addGoal(placementId, input);
    onSaved();
  });
  return (
    <form onSubmit={submit} noValidate aria-label={t(editing ? "edit.goal" : "planAdd.open.goal")} data-testid="plan-goal-form">
      <VStack gap="space-12">
        {form.restored && <DraftRestored onDiscard={form.clear} testId="plan-goal-draft-restored" />}
        <Select
          id={ids.category}
          label={t("planAdd.category")}
          size="small"
          value={v.category}
          onChange={(e) => form.update({ category: e.target.value })}
          data-testid="plan-goal-category"
        >
          {GOAL_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {codeLabel(t, "goalCategory", c)}
            </option>
          ))}
        </Select>
        <Textarea
          id={ids.description}
          label={t("planAdd.goal")}
          size="small"
          minRows={2}
          maxLength={FIELD_MAX}
          value={v.description}
          onChange={(e) => form.update({ description: e.target.value })}
          error={form.error("description")}
          aria-required
          data-testid="plan-goal-description"
        />
        <Actions submitting={form.submitting} error={form.submitError} onCancel={onCancel} testId="plan-goal" editing={!!editing} />
      </VStack>
    </form>
  );
}

export function AdaptationForm({ placementId, onSaved, onCancel, editing }: FormProps<AdaptationInput>) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const { key, ids } = formKeys("plan-adaptation", placementId, editing?.recordId, ["description", "agreedOn", "active"] as const);
  const form = useForm({
    draftKey: key,
    initial: {
      description: editing?.values.description ?? "",
      agreedOn: editing?.values.agreedOn ?? todayIso(),
      active: editing?.values.active ?? true,
    },
    ids,
    onInvalid: "field",
    validate: (v, problems) => ({
      description: !v.description.trim()
        ? t("planAdd.errors.adaptation")
        : charCount(v.description) > FIELD_MAX
          ? t("plan.errors.tooLong", { max: FIELD_MAX })
          : undefined,
      agreedOn: problems.agreedOn || !v.agreedOn ? t("plan.errors.date") : undefined,
    }),
    failureMessage: (e) => t(editing ? "edit.failed" : "planAdd.failed", { message: errorText(e) }),
  });
  const v = form.values;
  const submit = form.handleSubmit(async () => {
    const input = { description: v.description.trim(), agreedOn: v.agreedOn };
    if (editing) await editRecord(placementId, editing.recordId, { kind: "adaptation", ...input, active: v.active });
    else await addAdaptation(placementId, input);
    onSaved();
  });
  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={t(editing ? "edit.adaptation" : "planAdd.open.adaptation")}
      data-testid="plan-adaptation-form"
    >
      <VStack gap="space-12">
        {form.restored && <DraftRestored onDiscard={form.clear} testId="plan-adaptation-draft-restored" />}
        <Textarea
          id={ids.description}
          label={t("planAdd.adaptation")}
          description={t("planAdd.adaptationDescription")}
          size="small"
          minRows={2}
          maxLength={FIELD_MAX}
          value={v.description}
          onChange={(e) => form.update({ description: e.target.value })}
          error={form.error("description")}
          aria-required
          data-testid="plan-adaptation-description"
        />
        <div key={form.resetKey}>
          <DateField
            id={ids.agreedOn}
            label={t("planAdd.agreedOn")}
            value={v.agreedOn}
            onChange={form.dateChange("agreedOn")}
            error={form.error("agreedOn")}
            testId="plan-adaptation-date"
          />
        </div>
        {editing && (
          <Checkbox
            id={ids.active}
            size="small"
            checked={v.active}
            onChange={(e) => form.update({ active: e.target.checked })}
            description={t("edit.activeDescription")}
            data-testid="plan-adaptation-active"
          >
            {t("edit.active")}
          </Checkbox>
        )}
        <Actions
          submitting={form.submitting}
          error={form.submitError}
          onCancel={onCancel}
          testId="plan-adaptation"
          editing={!!editing}
        />
      </VStack>
    </form>
  );
}

export function ContactForm({ placementId, onSaved, onCancel, editing }: FormProps<ContactPersonInput>) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const tooLong = (value: string, max: number) => (charCount(value) > max ? t("plan.errors.tooLong", { max }) : undefined);
  const { key, ids } = formKeys("plan-contact", placementId, editing?.recordId, ["name", "role", "phone", "email"] as const);
  const start = editing?.values;
  const form = useForm({
    draftKey: key,
    initial: { name: start?.name ?? "", role: start?.role ?? "", phone: start?.phone ?? "", email: start?.email ?? "" },
    ids,
    onInvalid: "field",
    validate: (v) => ({
      name: !v.name.trim() ? t("planAdd.errors.name") : tooLong(v.name, SHORT_MAX),
      role: tooLong(v.role, SHORT_MAX),
      phone: tooLong(v.phone, PHONE_MAX),
      email: v.email.trim() && !v.email.includes("@") ? t("planAdd.errors.email") : tooLong(v.email, SHORT_MAX),
    }),
    failureMessage: (e) => t(editing ? "edit.failed" : "planAdd.failed", { message: errorText(e) }),
  });
  const v = form.values;
  const submit = form.handleSubmit(async () => {
    const input = {
      name: v.name.trim(),
      role: v.role.trim(),
      phone: v.phone.trim(),
      email: v.email.trim(),
    };
    if (editing) await editRecord(placementId, editing.recordId, { kind: "contact_person", ...input });
    else await addContactPerson(placementId, input);
    onSaved();
  });
  const field = (name: "name" | "role" | "phone" | "email", type: "text" | "tel" | "email", autoComplete: string) => (
    <TextField
      id={ids[name]}
      label={name === "name" ? t("planAdd.contact.name") : <>{t(`planAdd.contact.${name}`)} ({t("app.optional")})</>}
      size="small"
      type={type}
      autoComplete={autoComplete}
      value={v[name]}
      onChange={(e) => form.update({ [name]: e.target.value })}
      onBlur={form.touch(name)}
      error={form.error(name)}
      aria-required={name === "name"}
      data-testid={`plan-contact-${name}`}
    />
  );
  return (
    <form onSubmit={submit} noValidate aria-label={t(editing ? "edit.contact" : "planAdd.open.contact")} data-testid="plan-contact-form">
      <VStack gap="space-12">
        {form.restored && <DraftRestored onDiscard={form.clear} testId="plan-contact-draft-restored" />}
        {field("name", "text", "off")}
        {field("role", "text", "off")}
        {field("phone", "tel", "off")}
        {field("email", "email", "off")}
        <Actions
          submitting={form.submitting}
          error={form.submitError}
          onCancel={onCancel}
          testId="plan-contact"
          editing={!!editing}
        />
      </VStack>
    </form>
  );
}
