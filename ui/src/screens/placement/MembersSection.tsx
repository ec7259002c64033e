import { Alert, BodyShort, Box, Button, Checkbox, Heading, HStack, Tag, VStack } from "@navikt/ds-react";
import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { placementMembers, removeDevice, removeDeviceEverywhere } from "../../api";
import { ConfirmInline } from "../../components/ConfirmInline";
import { useErrorText } from "../../errorText";
import type { MemberDevice } from "../../bindings/MemberDevice";
import { useLoad } from "../../hooks/useLoad";

/**
 * "Enheter": the devices of a placement as their signed invitations prove them, for the adviser,
 * who can remove one (a lost phone, a contact person who left), from this placement or from every
 * placement it is in. Removing rotates the document key.
 */
export function MembersSection({ placementId, refresh }: { placementId: string; refresh: unknown }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const load = useCallback(() => placementMembers(placementId), [placementId]);
  const members = useLoad(load, refresh);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [removed, setRemoved] = useState<string | null>(null);
  const [everywhere, setEverywhere] = useState(false);

  async function remove(device: MemberDevice) {
    setBusy(true);
    setError(null);
    try {
      if (everywhere) {
        const done = await removeDeviceEverywhere(device.deviceId);
        setRemoved(t("members.removedEverywhere", { name: device.name, count: done.placements }));
      } else {
        await removeDevice(placementId, device.deviceId);
        setRemoved(t("members.removed", { name: device.name }));
      }
      setConfirming(null);
      members.reload();
    } catch (e) {
      setError(t("members.failed", { message: errorText(e) }));
    } finally {
      setBusy(false);
    }
  }

  const devices = members.data?.devices ?? [];
  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-labelledby="members-heading"
      data-testid="members"
    >
      <VStack gap="space-12">
        <Heading level="2" size="small" id="members-heading">
          {t("members.heading")}
        </Heading>
        <BodyShort textColor="subtle">{t("members.intro")}</BodyShort>
        {removed && (
          <Alert variant="success" size="small" role="status" data-testid="member-removed">
            {removed}
          </Alert>
        )}
        {error && (
          <Alert variant="error" size="small" role="alert">
            {error}
          </Alert>
        )}
        <ul className="plain-list">
          {devices.map((d) => (
            <li key={d.deviceId} data-testid="member" data-device={d.deviceId} data-removed={d.removed}>
              <VStack gap="space-4">
                <HStack gap="space-8" justify="space-between" align="center" wrap>
                  <HStack gap="space-8" align="center" wrap>
                    <BodyShort weight="semibold">{d.name}</BodyShort>
                    <Tag size="xsmall" variant="neutral">
                      {t(`role.${d.role}`)}
                    </Tag>
                    {d.thisDevice && (
                      <Tag size="xsmall" variant="info">
                        {t("members.thisDevice")}
                      </Tag>
                    )}
                    {d.removed && (
                      <Tag size="xsmall" variant="error">
                        {t("members.gone")}
                      </Tag>
                    )}
                  </HStack>
                  {!d.removed && !d.thisDevice && !d.creator && confirming !== d.deviceId && (
                    <Button
                      type="button"
                      size="small"
                      variant="secondary"
                      onClick={() => {
                        setRemoved(null);
                        setEverywhere(false);
                        setConfirming(d.deviceId);
                      }}
                      data-testid="member-remove"
                    >
                      {t("members.remove")}
                    </Button>
                  )}
                </HStack>
                {confirming === d.deviceId && (
                  <ConfirmInline
                    text={t("members.confirm", { name: d.name })}
                    confirmLabel={t("members.removeConfirm")}
                    cancelLabel={t("members.cancel")}
                    busy={busy}
                    onConfirm={() => void remove(d)}
                    onCancel={() => setConfirming(null)}
                    confirmTestId="member-remove-confirm"
                  >
                    <Checkbox
                      size="small"
                      checked={everywhere}
                      onChange={(e) => setEverywhere(e.target.checked)}
                      data-testid="member-remove-everywhere"
                    >
                      {t("members.everywhere")}
                    </Checkbox>
                  </ConfirmInline>
                )}
              </VStack>
            </li>
          ))}
        </ul>
      </VStack>
    </Box>
  );
}
