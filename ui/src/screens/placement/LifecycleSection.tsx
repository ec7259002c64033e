import { ArrowUndoIcon, PlayIcon } from "@navikt/aksel-icons";
import { Alert, BodyShort, Box, Button, Heading, HStack, VStack } from "@navikt/ds-react";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { activatePlacement, reopenPlacement } from "../../api";
import type { PlacementFacts } from "../../bindings/PlacementFacts";
import { codeLabel } from "../../codes";
import { formatDate, todayIso } from "../../format";
import { currentLanguage } from "../../i18n";
import { CloseForm, type CloseKind } from "./CloseForm";
import { useErrorText } from "../../errorText";

/** What the last successful action was, for the confirmation. */
type Done = "activated" | "ended" | "cancelled" | "reopened";

const SAVED_KEY = {
  activated: "lifecycle.savedActivated",
  ended: "lifecycle.savedEnded",
  cancelled: "lifecycle.savedCancelled",
  reopened: "lifecycle.savedReopened",
} as const;

interface Props {
  placementId: string;
  facts: PlacementFacts;
  /** The placement's status changed: load the overview again. */
  onChanged: () => void;
}

/**
 * "Start og slutt", for the adviser: start a planned placement, end or cancel it (a day and a
 * reason, which the employer sees), and reopen it while the employer still has access.
 */
export function LifecycleSection({ placementId, facts, onChanged }: Props) {
  const { t } = useTranslation();
  const language = currentLanguage();
  const failureText = useErrorText();
  const [form, setForm] = useState<CloseKind | null>(null);
  const [busy, setBusy] = useState<"activate" | "reopen" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const endButton = useRef<HTMLButtonElement>(null);
  const cancelButton = useRef<HTMLButtonElement>(null);

  // After an action the buttons change: put focus on the heading, the confirmation right below it.
  useEffect(() => {
    if (done) heading.current?.focus();
  }, [done]);

  const status = facts.status;
  const closed = status === "ended" || status === "cancelled";
  const accessEnds = facts.employerAccessEnds;
  const canReopen = closed && accessEnds !== null && todayIso() <= accessEnds;

  function open(kind: CloseKind) {
    setDone(null);
    setError(null);
    setForm(kind);
  }

  async function run(action: "activate" | "reopen") {
    setBusy(action);
    setError(null);
    setDone(null);
    try {
      if (action === "activate") await activatePlacement(placementId);
      else await reopenPlacement(placementId);
      setDone(action === "activate" ? "activated" : "reopened");
      onChanged();
    } catch (e) {
      setError(failureText(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-labelledby="lifecycle-heading"
      data-testid="lifecycle"
      data-status={status}
    >
      <VStack gap="space-12">
        <Heading level="2" size="small" id="lifecycle-heading" ref={heading} tabIndex={-1}>
          {t("lifecycle.heading")}
        </Heading>
        {done && !form && (
          <Alert variant="success" size="small" role="status" data-testid="lifecycle-saved">
            {t(SAVED_KEY[done])}
          </Alert>
        )}
        {error && (
          <Alert variant="error" size="small" role="alert" data-testid="lifecycle-error">
            {error}
          </Alert>
        )}

        {status === "planned" && !form && (
          <BodyShort textColor="subtle">{t("lifecycle.introPlanned")}</BodyShort>
        )}
        {status === "active" && !form && <BodyShort textColor="subtle">{t("lifecycle.introActive")}</BodyShort>}

        {(status === "planned" || status === "active") &&
          (form ? (
            <CloseForm
              kind={form}
              placementId={placementId}
              startDate={facts.startDate}
              onSaved={() => {
                setDone(form);
                setForm(null);
                onChanged();
              }}
              onCancel={() => {
                const opener = form === "ended" ? endButton : cancelButton;
                setForm(null);
                // The form is gone: put focus back on the button that opened it.
                window.setTimeout(() => opener.current?.focus(), 0);
              }}
            />
          ) : (
            <HStack gap="space-8" wrap>
              {status === "planned" && (
                <Button
                  type="button"
                  size="small"
                  icon={<PlayIcon aria-hidden />}
                  loading={busy === "activate"}
                  disabled={busy !== null}
                  onClick={() => void run("activate")}
                  data-testid="lifecycle-activate"
                >
                  {t("lifecycle.activate")}
                </Button>
              )}
              {status === "active" && (
                <Button
                  ref={endButton}
                  type="button"
                  size="small"
                  variant="secondary"
                  disabled={busy !== null}
                  onClick={() => open("ended")}
                  data-testid="lifecycle-end"
                >
                  {t("lifecycle.end")}
                </Button>
              )}
              <Button
                ref={cancelButton}
                type="button"
                size="small"
                variant="secondary"
                disabled={busy !== null}
                onClick={() => open("cancelled")}
                data-testid="lifecycle-cancel"
              >
                {t("lifecycle.cancel")}
              </Button>
            </HStack>
          ))}

        {closed && (
          <VStack gap="space-8" data-testid="lifecycle-closed">
            <VStack gap="space-2">
              {facts.closedOn && (
                <BodyShort data-testid="lifecycle-closed-on">
                  {t(status === "cancelled" ? "lifecycle.closedOnCancelled" : "lifecycle.closedOnEnded", {
                    date: formatDate(facts.closedOn, language),
                  })}
                </BodyShort>
              )}
              {facts.closedReason && (
                <BodyShort data-testid="lifecycle-closed-reason">
                  {t("lifecycle.reasonShown", { reason: codeLabel(t, "closeReason", facts.closedReason) })}
                </BodyShort>
              )}
              {accessEnds && (
                <BodyShort data-testid="lifecycle-access-ends">
                  {t(canReopen ? "lifecycle.accessUntil" : "lifecycle.accessEnded", {
                    date: formatDate(accessEnds, language),
                  })}
                </BodyShort>
              )}
            </VStack>
            {canReopen ? (
              <>
                <BodyShort size="small" textColor="subtle">
                  {t("lifecycle.reopenHint")}
                </BodyShort>
                <div>
                  <Button
                    type="button"
                    size="small"
                    variant="secondary"
                    icon={<ArrowUndoIcon aria-hidden />}
                    loading={busy === "reopen"}
                    disabled={busy !== null}
                    onClick={() => void run("reopen")}
                    data-testid="lifecycle-reopen"
                  >
                    {t("lifecycle.reopen")}
                  </Button>
                </div>
              </>
            ) : (
              accessEnds && (
                <BodyShort size="small" textColor="subtle" data-testid="lifecycle-reopen-too-late">
                  {t("lifecycle.reopenTooLate")}
                </BodyShort>
              )
            )}
          </VStack>
        )}
      </VStack>
    </Box>
  );
}
