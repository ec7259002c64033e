import { Alert, BodyLong, Box, Button, TextField, VStack } from "@navikt/ds-react";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { unlock } from "../api";
import type { AppState } from "../bindings/AppState";
import { PageTitle } from "../components/PageTitle";
import { useErrorText } from "../errorText";
import { usePaintMark } from "../hooks/usePaintMark";

/**
 * The store is set up but closed: ask for the passphrase, or open with the OS keystore (after the
 * app locked itself, or when opening with it failed).
 */
export function Unlock({ app, onDone }: { app: AppState; onDone: (state: AppState) => void }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const [passphrase, setPassphrase] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  usePaintMark("painted:unlock", true);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (app.needsPassphrase && !passphrase) {
      setError(t("unlock.passphraseRequired"));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const state = await unlock(app.needsPassphrase ? passphrase : null);
      setPassphrase("");
      onDone(state);
    } catch (err) {
      setError(errorText(err));
      setSubmitting(false);
    }
  }

  if (!app.needsPassphrase) {
    // The key is in the OS keystore, but opening with it failed.
    return (
      <Box paddingBlock="space-32" className="form-narrow">
        <form onSubmit={submit} data-testid="unlock-form">
          <VStack gap="space-24">
            <PageTitle>{t(app.locked ? "unlock.lockedHeading" : "unlock.keystoreHeading")}</PageTitle>
            {app.locked ? (
              <>
                <BodyLong>{t("unlock.lockedIntro")}</BodyLong>
                <BodyLong>{t("unlock.lockedKeystore")}</BodyLong>
              </>
            ) : (
              <BodyLong>{t("unlock.keystoreIntro")}</BodyLong>
            )}
            {error && (
              <Alert variant="error" data-testid="unlock-error">
                {error}
              </Alert>
            )}
            <div>
              <Button type="submit" loading={submitting} data-testid="unlock-submit">
                {t(app.locked ? "unlock.submit" : "app.retry")}
              </Button>
            </div>
          </VStack>
        </form>
      </Box>
    );
  }

  return (
    <Box paddingBlock="space-32" className="form-narrow">
      <form onSubmit={submit} noValidate data-testid="unlock-form">
        <VStack gap="space-24">
          <PageTitle>{t(app.locked ? "unlock.lockedHeading" : "unlock.heading")}</PageTitle>
          {app.locked && <BodyLong>{t("unlock.lockedIntro")}</BodyLong>}
          <BodyLong>{t("unlock.intro")}</BodyLong>
          <TextField
            id="unlock-passphrase"
            type="password"
            autoComplete="current-password"
            label={t("unlock.passphraseLabel")}
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
            error={error ?? undefined}
            data-testid="unlock-passphrase"
          />
          <div>
            <Button type="submit" loading={submitting} data-testid="unlock-submit">
              {t("unlock.submit")}
            </Button>
          </div>
        </VStack>
      </form>
    </Box>
  );
}
