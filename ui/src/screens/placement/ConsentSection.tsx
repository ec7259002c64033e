import { Alert, BodyShort, Box, Button, Checkbox, CheckboxGroup, Heading, HStack, Tag, TextField, VStack } from "@navikt/ds-react";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { giveConsent, placementConsents, withdrawConsent } from "../../api";
import type { ConsentView } from "../../bindings/ConsentView";
import { CONSENT_SCOPES, CONSENT_VERSION_MAX } from "../../bindings/rules";
import { codeLabel } from "../../codes";
import { ConfirmInline } from "../../components/ConfirmInline";
import { DraftRestored } from "../../components/DraftRestored";
import { useErrorText } from "../../errorText";
import { charCount, formatDate } from "../../format";
import { draftKey } from "../../hooks/useDraft";
import { useForm } from "../../hooks/useForm";
import { useLoad } from "../../hooks/useLoad";
import { currentLanguage } from "../../i18n";

const IDS = { scopes: "consent-scopes", textVersion: "consent-version" } as const;

/** The scopes as the draft keeps them: codes joined by commas (a draft holds plain values). */
function scopeList(joined: string): string[] {
  return joined.split(",").filter(Boolean);
}

/**
 * "Samtykke" (the adviser's, from the private document): what the candidate agreed may be shared
 * with the employer, recorded before the employer is invited. Withdrawing the one that allows the
 * follow-up removes the employer's devices at once.
 */
export function ConsentSection({
  placementId,
  refresh,
  onChanged,
}: {
  placementId: string;
  refresh: unknown;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const load = useCallback(() => placementConsents(placementId), [placementId]);
  const consents = useLoad(load, refresh);
  const [adding, setAdding] = useState(false);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const form = useForm({
    draftKey: draftKey("consent", placementId),
    initial: { scopes: "follow_up", textVersion: "" },
    ids: IDS,
    onInvalid: "field",
    validate: (v) => ({
      scopes: scopeList(v.scopes).length === 0 ? t("consent.errors.scopes") : undefined,
      textVersion: !v.textVersion.trim()
        ? t("consent.errors.version")
        : charCount(v.textVersion) > CONSENT_VERSION_MAX
          ? t("plan.errors.tooLong", { max: CONSENT_VERSION_MAX })
          : undefined,
    }),
    failureMessage: (e) => t("consent.failed", { message: errorText(e) }),
  });
  const v = form.values;

  const submit = form.handleSubmit(async () => {
    await giveConsent(placementId, { scopes: scopeList(v.scopes), textVersion: v.textVersion.trim() });
    setAdding(false);
    setDone(t("consent.given"));
    consents.reload();
    onChanged();
  });

  async function withdraw(c: ConsentView) {
    setBusy(true);
    setError(null);
    try {
      const result = await withdrawConsent(placementId, c.id);
      setConfirming(null);
      setDone(
        result.employerDevicesRemoved > 0
          ? t("consent.withdrawnRemoved", { count: result.employerDevicesRemoved })
          : t("consent.withdrawn"),
      );
      consents.reload();
      onChanged();
    } catch (e) {
      setError(t("consent.withdrawFailed", { message: errorText(e) }));
    } finally {
      setBusy(false);
    }
  }

  const list = consents.data ?? [];
  const lang = currentLanguage();
  const allowed = list.some((c) => c.allowsEmployer);
  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-labelledby="consent-heading"
      data-testid="consent"
      data-allows-employer={allowed}
    >
      <VStack gap="space-12">
        <Heading level="2" size="small" id="consent-heading">
          {t("consent.heading")}
        </Heading>
        <BodyShort textColor="subtle">{t("consent.intro")}</BodyShort>
        {done && (
          <Alert variant="success" size="small" role="status" data-testid="consent-done">
            {done}
          </Alert>
        )}
        {error && (
          <Alert variant="error" size="small" role="alert">
            {error}
          </Alert>
        )}
        {list.length === 0 && consents.data && (
          <BodyShort data-testid="consent-none">{t("consent.none")}</BodyShort>
        )}
        {list.length > 0 && (
          <ul className="plain-list">
            {list.map((c) => (
              <li key={c.id} data-testid="consent-item" data-withdrawn={c.withdrawnAt !== null}>
                <VStack gap="space-4">
                  <HStack gap="space-8" align="center" wrap>
                    {c.scopes.map((s) => (
                      <Tag key={s} size="xsmall" variant={c.withdrawnAt ? "neutral" : "info"}>
                        {codeLabel(t, "consentScope", s)}
                      </Tag>
                    ))}
                    {c.withdrawnAt && (
                      <Tag size="xsmall" variant="error" data-testid="consent-withdrawn-tag">
                        {t("consent.withdrawnTag")}
                      </Tag>
                    )}
                  </HStack>
                  <BodyShort size="small">
                    {t("consent.givenLine", {
                      version: c.textVersion,
                      at: formatDate(c.givenAt, lang),
                      by: c.givenBy,
                    })}
                  </BodyShort>
                  {c.withdrawnAt && (
                    <BodyShort size="small" data-testid="consent-withdrawn-line">
                      {t("consent.withdrawnLine", { at: formatDate(c.withdrawnAt, lang), by: c.withdrawnBy ?? "" })}
                    </BodyShort>
                  )}
                  {!c.withdrawnAt && confirming !== c.id && (
                    <div>
                      <Button
                        type="button"
                        size="small"
                        variant="secondary"
                        onClick={() => {
                          setDone(null);
                          setConfirming(c.id);
                        }}
                        data-testid="consent-withdraw"
                      >
                        {t("consent.withdraw")}
                      </Button>
                    </div>
                  )}
                  {confirming === c.id && (
                    <ConfirmInline
                      text={c.allowsEmployer ? t("consent.confirmEmployer") : t("consent.confirm")}
                      confirmLabel={t("consent.withdrawConfirm")}
                      busy={busy}
                      onConfirm={() => void withdraw(c)}
                      onCancel={() => setConfirming(null)}
                      confirmTestId="consent-withdraw-confirm"
                    />
                  )}
                </VStack>
              </li>
            ))}
          </ul>
        )}
        {!adding && (
          <div>
            <Button
              type="button"
              size="small"
              variant={allowed ? "secondary" : "primary"}
              onClick={() => {
                setDone(null);
                setAdding(true);
              }}
              data-testid="consent-add"
            >
              {t("consent.add")}
            </Button>
          </div>
        )}
        {adding && (
          <Box padding="space-12" background="neutral-soft" borderRadius="8">
            <form onSubmit={submit} noValidate aria-label={t("consent.formLabel")} data-testid="consent-form">
              <VStack gap="space-16">
                {form.restored && <DraftRestored onDiscard={form.clear} testId="consent-draft-restored" />}
                <CheckboxGroup
                  id={IDS.scopes}
                  legend={t("consent.scopes")}
                  description={t("consent.scopesDescription")}
                  size="small"
                  value={scopeList(v.scopes)}
                  onChange={(value: string[]) => form.update({ scopes: value.join(",") })}
                  error={form.error("scopes")}
                  data-testid="consent-scopes"
                >
                  {CONSENT_SCOPES.map((s) => (
                    <Checkbox key={s} value={s} data-testid={`consent-scope-${s}`}>
                      {codeLabel(t, "consentScope", s)}
                    </Checkbox>
                  ))}
                </CheckboxGroup>
                <TextField
                  id={IDS.textVersion}
                  label={t("consent.version")}
                  description={t("consent.versionDescription")}
                  size="small"
                  autoComplete="off"
                  maxLength={CONSENT_VERSION_MAX}
                  value={v.textVersion}
                  onChange={(e) => form.update({ textVersion: e.target.value })}
                  onBlur={form.touch("textVersion")}
                  error={form.error("textVersion")}
                  aria-required
                  data-testid="consent-version"
                />
                {form.submitError && (
                  <Alert variant="error" size="small" data-testid="consent-error">
                    {form.submitError}
                  </Alert>
                )}
                <HStack gap="space-12" wrap>
                  <Button type="submit" size="small" loading={form.submitting} data-testid="consent-submit">
                    {t("consent.submit")}
                  </Button>
                  <Button
                    type="button"
                    size="small"
                    variant="secondary"
                    onClick={() => setAdding(false)}
                    data-testid="consent-cancel"
                  >
                    {t("app.cancel")}
                  </Button>
                </HStack>
              </VStack>
            </form>
          </Box>
        )}
      </VStack>
    </Box>
  );
}
