import { ArrowLeftIcon, LinkIcon } from "@navikt/aksel-icons";
import { Alert, BodyLong, Button, HStack, Link, Textarea, TextField, VStack } from "@navikt/ds-react";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { joinPlacement, toCommandError } from "../api";
import { FormErrorSummary, type FieldError } from "../components/FormErrorSummary";
import { PageTitle } from "../components/PageTitle";
import { href, navigate } from "../hooks/useRoute";

const CODE_ID = "join-code";

/**
 * The employer joins a placement with the adviser's short code: alone (fetched from the relay, so
 * it needs the network) or with the long code beside it (pasted or scanned; carries the placement,
 * locked with the short code, and works offline). The codes are an invitation, so they are kept
 * in memory only, never saved as a draft.
 */
export function JoinPlacement() {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const [fullCode, setFullCode] = useState("");
  const [attempt, setAttempt] = useState(0);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  // The message naming a relay this device does not use, shown before the code is used.
  const [unfamiliarRelay, setUnfamiliarRelay] = useState<string | null>(null);

  const codeError = code.trim() ? undefined : t("join.errors.code");
  const summary: FieldError[] = codeError ? [{ id: CODE_ID, message: codeError }] : [];

  async function join(allowNewRelay: boolean) {
    setSubmitting(true);
    try {
      // Line breaks from pasting a long code are not part of it.
      const full = fullCode.replace(/\s+/g, "");
      const id = await joinPlacement(code.trim(), full || null, allowNewRelay);
      navigate({ name: "placement", id }, { replace: true });
    } catch (error) {
      const e = toCommandError(error);
      if (e.kind === "unfamiliar_relay") setUnfamiliarRelay(e.message);
      else setSubmitError(e.message);
      setSubmitting(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setAttempt((n) => n + 1);
    setSubmitError(null);
    setUnfamiliarRelay(null);
    if (summary.length > 0) return;
    await join(false);
  }

  return (
    <VStack gap="space-24" paddingBlock="space-32" className="form-narrow">
      <Link href={href({ name: "list" })} data-testid="back-to-list">
        <ArrowLeftIcon aria-hidden />
        {t("overview.back")}
      </Link>
      <form onSubmit={submit} noValidate data-testid="join-form">
        <VStack gap="space-24">
          <PageTitle>{t("join.heading")}</PageTitle>
          <BodyLong>{t("join.intro")}</BodyLong>
          <FormErrorSummary errors={summary} attempt={attempt} />
          <TextField
            id={CODE_ID}
            label={t("join.code")}
            description={t("join.codeDescription")}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            value={code}
            onChange={(e) => {
              setCode(e.target.value);
              setUnfamiliarRelay(null);
            }}
            error={attempt > 0 ? codeError : undefined}
            className="code-input"
            data-testid="join-code"
          />
          <Textarea
            label={t("join.fullCode")}
            description={t("join.fullCodeDescription")}
            minRows={3}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            value={fullCode}
            onChange={(e) => {
              setFullCode(e.target.value);
              setUnfamiliarRelay(null);
            }}
            className="code-input"
            data-testid="join-full-code"
          />
          {submitError && (
            <Alert variant="error" data-testid="join-error">
              {submitError}
            </Alert>
          )}
          {unfamiliarRelay && (
            <Alert variant="warning" data-testid="join-unfamiliar-relay">
              <VStack gap="space-12">
                <BodyLong>{unfamiliarRelay}</BodyLong>
                <HStack>
                  <Button
                    type="button"
                    variant="secondary"
                    size="small"
                    loading={submitting}
                    onClick={() => void join(true)}
                    data-testid="join-allow-relay"
                  >
                    {t("join.allowRelay")}
                  </Button>
                </HStack>
              </VStack>
            </Alert>
          )}
          <HStack gap="space-16" wrap>
            <Button type="submit" loading={submitting} icon={<LinkIcon aria-hidden />} data-testid="join-submit">
              {t("join.submit")}
            </Button>
            <Button as="a" variant="secondary" href={href({ name: "list" })} data-testid="join-cancel">
              {t("app.cancel")}
            </Button>
          </HStack>
        </VStack>
      </form>
    </VStack>
  );
}
