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
import { useTranslation } from "react-i18next";
import { setupDevice } from "../api";
import type { AppState } from "../bindings/AppState";
import type { Role } from "../bindings/Role";
import { FormErrorSummary } from "../components/FormErrorSummary";
import { PageTitle } from "../components/PageTitle";
import { charCount } from "../format";
import { draftKey } from "../hooks/useDraft";
import { useForm, type FieldErrors } from "../hooks/useForm";
import { MIN_PASSPHRASE_CHARS, SHORT_MAX } from "../bindings/rules";

export const DEFAULT_RELAY = "http://127.0.0.1:8787";

type Protect = "keystore" | "passphrase";

const IDS = {
  role: "setup-role-adviser",
  name: "setup-name",
  passphrase: "setup-passphrase",
  repeat: "setup-passphrase-repeat",
  relay: "setup-relay",
} as const;

/** An http(s) address of some length; the Rust side checks the rest. */
function isRelayAddress(value: string): boolean {
  const text = value.trim();
  return /^https?:\/\//.test(text) && text.length >= 10;
}

/** First run: who uses the device, how its data is protected, where the relay is. */
export function FirstRun({ onDone }: { onDone: (state: AppState) => void }) {
  const { t } = useTranslation();
  // No store exists yet to keep a draft in, and the webview's own storage is plain text: the
  // draft stays in memory. The passphrase is never part of a draft in any case.
  const form = useForm({
    draftKey: draftKey("setup"),
    persist: false,
    secret: ["passphrase", "repeat"],
    initial: {
      role: "",
      userName: "",
      protect: "keystore",
      relay: DEFAULT_RELAY,
      passphrase: "",
      repeat: "",
    },
    ids: IDS,
    validate: ({ role, userName, protect, passphrase, repeat, relay }) => {
      const errors: FieldErrors = {};
      if (role !== "adviser" && role !== "employer") errors.role = t("firstRun.errors.role");
      if (!userName.trim()) errors.name = t("firstRun.errors.name");
      else if (charCount(userName) > SHORT_MAX) errors.name = t("firstRun.errors.nameTooLong", { max: SHORT_MAX });
      if (protect === "passphrase") {
        if (charCount(passphrase) < MIN_PASSPHRASE_CHARS) errors.passphrase = t("firstRun.errors.passphraseShort", { min: MIN_PASSPHRASE_CHARS });
        if (repeat !== passphrase) errors.repeat = t("firstRun.errors.passphraseMismatch");
      }
      if (!isRelayAddress(relay)) errors.relay = t("firstRun.errors.relay");
      return errors;
    },
  });

  const { role, userName, protect, relay, passphrase, repeat } = form.values;
  const usePassphrase = protect === "passphrase";

  const submit = form.handleSubmit(async () => {
    const state = await setupDevice({
      role: role as Role,
      userName: userName.trim(),
      passphrase: usePassphrase ? passphrase : null,
      relay: relay.trim(),
    });
    onDone(state);
  });

  return (
    <Box paddingBlock="space-32" className="form-narrow">
      <form onSubmit={submit} noValidate data-testid="first-run-form">
        <VStack gap="space-24">
          <PageTitle>{t("firstRun.heading")}</PageTitle>
          <BodyLong>{t("firstRun.intro")}</BodyLong>
          <FormErrorSummary errors={form.summary} attempt={form.attempt} />

          <RadioGroup
            legend={t("firstRun.roleLegend")}
            value={role}
            onChange={(value: Role) => form.update({ role: value })}
            error={form.error("role")}
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
            onChange={(e) => form.update({ userName: e.target.value })}
            onBlur={form.touch("name")}
            error={form.error("name")}
            data-testid="setup-name"
          />

          <RadioGroup
            legend={t("firstRun.protectLegend")}
            value={protect}
            onChange={(value: Protect) => form.update({ protect: value })}
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
                description={t("firstRun.passphraseHint", { min: MIN_PASSPHRASE_CHARS })}
                value={passphrase}
                onChange={(e) => form.update({ passphrase: e.target.value })}
                onBlur={form.touch("passphrase")}
                error={form.error("passphrase")}
                data-testid="setup-passphrase"
              />
              <TextField
                id={IDS.repeat}
                type="password"
                autoComplete="new-password"
                label={t("firstRun.passphraseRepeatLabel")}
                value={repeat}
                onChange={(e) => form.update({ repeat: e.target.value })}
                onBlur={form.touch("repeat")}
                error={form.error("repeat")}
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
            onChange={(e) => form.update({ relay: e.target.value })}
            onBlur={form.touch("relay")}
            error={form.error("relay")}
            data-testid="setup-relay"
          />

          {form.submitError && (
            <Alert variant="error" data-testid="setup-error">
              {form.submitError}
            </Alert>
          )}

          <div>
            <Button type="submit" loading={form.submitting} data-testid="first-run-submit">
              {t("firstRun.submit")}
            </Button>
          </div>
        </VStack>
      </form>
    </Box>
  );
}
