import { ArrowLeftIcon, LinkIcon } from "@navikt/aksel-icons";
import { Alert, BodyLong, Button, HStack, Link, Textarea, TextField, VStack } from "@navikt/ds-react";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { joinPlacement } from "../api";
import type { Joined } from "../bindings/Joined";
import type { Role } from "../bindings/Role";
import { FormErrorSummary } from "../components/FormErrorSummary";
import { PageTitle } from "../components/PageTitle";
import { useErrorText } from "../errorText";
import { useForm } from "../hooks/useForm";
import { href, navigate } from "../hooks/useRoute";

const CODE_ID = "join-code";

/**
 * The employer joins a placement with the adviser's short code: alone (fetched from the relay, so
 * it needs the network) or with the long code beside it (pasted or scanned; carries the placement,
 * locked with the short code, and works offline). The adviser's own new device joins here too,
 * with one placement's codes or with a device pairing's one code for all her placements. The
 * codes are an invitation, so they are kept in memory only, never saved as a draft.
 */
export function JoinPlacement({ role }: { role: Role | null }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  // The message naming a relay this device does not use, shown before the code is used.
  const [unfamiliarRelay, setUnfamiliarRelay] = useState<string | null>(null);
  // A device pairing the relay could not give in full: what came, and what is still missing.
  const [partly, setPartly] = useState<Joined | null>(null);
  // The codes are an invitation: memory only, no draft.
  const form = useForm({
    initial: { code: "", fullCode: "" },
    ids: { code: CODE_ID },
    validate: ({ code }) => ({ code: code.trim() ? undefined : t("join.errors.code") }),
    failureMessage: (error) => {
      if (error.kind !== "unfamiliar_relay") return errorText(error);
      setUnfamiliarRelay(errorText(error));
      return null;
    },
  });
  const { code, fullCode } = form.values;

  function join(allowNewRelay: boolean) {
    return async () => {
      // Line breaks from pasting a long code are not part of it.
      const full = fullCode.replace(/\s+/g, "");
      const joined = await joinPlacement(code.trim(), full || null, allowNewRelay);
      if (joined.missing > 0) {
        setPartly(joined);
      } else if (joined.placements === 1 && joined.placementId) {
        navigate({ name: "placement", id: joined.placementId }, { replace: true });
      } else {
        // A device pairing: every placement is on the list.
        navigate({ name: "list" }, { replace: true });
      }
    };
  }

  const submit = form.handleSubmit(join(false));

  return (
    <VStack gap="space-24" paddingBlock="space-32" className="form-narrow">
      <Link href={href({ name: "list" })} data-testid="back-to-list">
        <ArrowLeftIcon aria-hidden />
        {t("overview.back")}
      </Link>
      <form
        onSubmit={(e) => {
          setUnfamiliarRelay(null);
          setPartly(null);
          return submit(e);
        }}
        noValidate
        data-testid="join-form"
      >
        <VStack gap="space-24">
          <PageTitle>{t("join.heading")}</PageTitle>
          <BodyLong>{role === "adviser" ? t("join.introAdviser") : t("join.intro")}</BodyLong>
          <FormErrorSummary errors={form.summary} attempt={form.attempt} />
          <TextField
            id={CODE_ID}
            label={role === "adviser" ? t("join.codeAdviser") : t("join.code")}
            description={t("join.codeDescription")}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            value={code}
            onChange={(e) => {
              form.update({ code: e.target.value });
              setUnfamiliarRelay(null);
            }}
            error={form.error("code")}
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
              form.update({ fullCode: e.target.value });
              setUnfamiliarRelay(null);
            }}
            className="code-input"
            data-testid="join-full-code"
          />
          {form.submitError && (
            <Alert variant="error" data-testid="join-error">
              {form.submitError}
            </Alert>
          )}
          {partly && (
            <Alert variant="warning" data-testid="join-missing">
              {t("join.missing", { count: partly.missing, placements: partly.placements })}
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
                    loading={form.submitting}
                    onClick={() => void form.run(join(true))}
                    data-testid="join-allow-relay"
                  >
                    {t("join.allowRelay")}
                  </Button>
                </HStack>
              </VStack>
            </Alert>
          )}
          <HStack gap="space-16" wrap>
            <Button type="submit" loading={form.submitting} icon={<LinkIcon aria-hidden />} data-testid="join-submit">
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
