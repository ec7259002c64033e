import {
  Alert,
  BodyLong,
  Box,
  Button,
  Radio,
  RadioGroup,
  TextField,
  VStack,
} from "@navikt/ds-react";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { setupDevice, toCommandError } from "../api";
import type { AppState } from "../bindings/AppState";
import type { Role } from "../bindings/Role";
import { FormErrorSummary, type FieldError } from "../components/FormErrorSummary";
import { PageTitle } from "../components/PageTitle";
import { charCount } from "../format";
import { draftKey, useDraft } from "../hooks/useDraft";

export const DEFAULT_RELAY = "http://127.0.0.1:8787";
export const MIN_PASSPHRASE = 12;

type Protect = "keystore" | "passphrase";

const IDS = {
  role: "setup-role-adviser",
  name: "setup-name",
  passphrase: "setup-passphrase",
  repeat: "setup-passphrase-repeat",
  relay: "setup-relay",
} as const;

type Field = keyof typeof IDS;

/** First run: who uses the device, how its data is protected, where the relay is. */
export function FirstRun({ onDone }: { onDone: (state: AppState) => void }) {
  const { t } = useTranslation();
  // The passphrase is never part of the draft: it must not be written anywhere in plain text.
  // No store exists yet to keep a draft in, and the webview's own storage is plain text.
  const draft = useDraft(
    draftKey("setup"),
    {
      role: "",
      userName: "",
      protect: "keystore",
      relay: DEFAULT_RELAY,
    },
    { persist: false },
  );
  const [passphrase, setPassphrase] = useState("");
  const [repeat, setRepeat] = useState("");
  const [touched, setTouched] = useState<Partial<Record<Field, boolean>>>({});
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);

  const { role, userName, protect, relay } = draft.value;
  const usePassphrase = protect === "passphrase";

  const errors: Partial<Record<Field, string>> = {};
  if (role !== "adviser" && role !== "employer") errors.role = t("firstRun.errors.role");
  if (!userName.trim()) errors.name = t("firstRun.errors.name");
  else if (charCount(userName) > 200) errors.name = t("firstRun.errors.nameTooLong");
  if (usePassphrase) {
    if (charCount(passphrase) < MIN_PASSPHRASE) errors.passphrase = t("firstRun.errors.passphraseShort");
    if (repeat !== passphrase) errors.repeat = t("firstRun.errors.passphraseMismatch");
  }
  const relayText = relay.trim();
  if (!/^https?:\/\//.test(relayText) || relayText.length < 10) errors.relay = t("firstRun.errors.relay");

  const shown = (field: Field) => (attempt > 0 || touched[field] ? errors[field] : undefined);
  // On leaving a field, flag what is wrong with what was typed; empty fields wait for the submit.
  const touch = (field: Field) => (e: { currentTarget: { value: string } }) => {
    if (e.currentTarget.value.trim()) setTouched((s) => ({ ...s, [field]: true }));
  };
  const summary: FieldError[] = (Object.keys(IDS) as Field[])
    .filter((f) => errors[f])
    .map((f) => ({ id: IDS[f], message: errors[f] ?? "" }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempt((n) => n + 1);
    setSubmitError(null);
    if (summary.length > 0) return;
    setSubmitting(true);
    try {
      const state = await setupDevice({
        role: role as Role,
        userName: userName.trim(),
        passphrase: usePassphrase ? passphrase : null,
        relay: relayText,
      });
      draft.clear();
      onDone(state);
    } catch (error) {
      setSubmitError(toCommandError(error).message);
      setSubmitting(false);
    }
  }

  return (
    <Box paddingBlock="space-32" className="form-narrow">
      <form onSubmit={submit} noValidate data-testid="first-run-form">
        <VStack gap="space-24">
          <PageTitle>{t("firstRun.heading")}</PageTitle>
          <BodyLong>{t("firstRun.intro")}</BodyLong>
          <FormErrorSummary errors={summary} attempt={attempt} />

          <RadioGroup
            legend={t("firstRun.roleLegend")}
            value={role}
            onChange={(value: Role) => draft.update({ role: value })}
            error={shown("role")}
            data-testid="setup-role"
          >
            <Radio id={IDS.role} value="adviser" data-testid="setup-role-adviser">
              {t("role.adviser")}
            </Radio>
            <Radio value="employer" data-testid="setup-role-employer">
              {t("role.employer")}
            </Radio>
          </RadioGroup>

          <TextField
            id={IDS.name}
            label={t("firstRun.nameLabel")}
            description={t("firstRun.nameDescription")}
            autoComplete="name"
            value={userName}
            onChange={(e) => draft.update({ userName: e.target.value })}
            onBlur={touch("name")}
            error={shown("name")}
            data-testid="setup-name"
          />

          <RadioGroup
            legend={t("firstRun.protectLegend")}
            value={protect}
            onChange={(value: Protect) => draft.update({ protect: value })}
            data-testid="setup-protect"
          >
            <Radio
              value="keystore"
              description={t("firstRun.keystoreDescription")}
              data-testid="setup-protect-keystore"
            >
              {t("firstRun.keystore")}
            </Radio>
            <Radio
              value="passphrase"
              description={t("firstRun.passphraseDescription")}
              data-testid="setup-protect-passphrase"
            >
              {t("firstRun.passphrase")}
            </Radio>
          </RadioGroup>

          {usePassphrase && (
            <VStack gap="space-16">
              <TextField
                id={IDS.passphrase}
                type="password"
                autoComplete="new-password"
                label={t("firstRun.passphraseLabel")}
                description={t("firstRun.passphraseHint")}
                value={passphrase}
                onChange={(e) => setPassphrase(e.target.value)}
                onBlur={touch("passphrase")}
                error={shown("passphrase")}
                data-testid="setup-passphrase"
              />
              <TextField
                id={IDS.repeat}
                type="password"
                autoComplete="new-password"
                label={t("firstRun.passphraseRepeatLabel")}
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
                onBlur={touch("repeat")}
                error={shown("repeat")}
                data-testid="setup-passphrase-repeat"
              />
            </VStack>
          )}

          <TextField
            id={IDS.relay}
            type="url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            label={t("firstRun.relayLabel")}
            description={t("firstRun.relayDescription")}
            value={relay}
            onChange={(e) => draft.update({ relay: e.target.value })}
            onBlur={touch("relay")}
            error={shown("relay")}
            data-testid="setup-relay"
          />

          {submitError && (
            <Alert variant="error" data-testid="setup-error">
              {submitError}
            </Alert>
          )}

          <div>
            <Button type="submit" loading={submitting} data-testid="first-run-submit">
              {t("firstRun.submit")}
            </Button>
          </div>
        </VStack>
      </form>
    </Box>
  );
}
