import { BodyShort, Box, Detail, Heading, HStack, Tag, VStack } from "@navikt/ds-react";
import { useTranslation } from "react-i18next";
import type { PlanItem } from "../../bindings/PlanItem";
import { codeLabel, type CodeList } from "../../codes";
import { planStatusColor } from "./planItems";
import { RecordEdit } from "./RecordEdit";
import { RecordHistory } from "./RecordHistory";

interface PlanSectionProps {
  title: string;
  items: PlanItem[];
  testId: string;
  detail: (item: PlanItem) => string;
  statusList?: CodeList;
  placementId: string;
  /** The adviser's: each item can be changed («Endre»). */
  canEdit: boolean;
  onChanged: () => void;
}

/**
 * One part of the plan (goals, adaptations, contact persons) as a titled list, each item with its
 * history and, for the adviser, a way to change it; nothing if empty.
 */
export function PlanSection({ title, items, testId, detail, statusList, placementId, canEdit, onChanged }: PlanSectionProps) {
  const { t } = useTranslation();
  if (items.length === 0) return null;
  return (
    <Box
      as="section"
      padding="space-16"
      background="raised"
      borderRadius="12"
      borderWidth="1"
      borderColor="neutral-subtle"
      aria-label={title}
      data-testid={testId}
    >
      <VStack gap="space-12">
        <Heading level="2" size="small">
          {title}
        </Heading>
        <ul className="plain-list">
            {items.map((item) => {
              const d = detail(item);
              return (
                <li key={item.id} data-testid="plan-item" data-status={item.status ?? undefined} data-id={item.id}>
                  <HStack gap="space-8" justify="space-between" align="start" wrap={false}>
                    <VStack gap="space-0">
                      <BodyShort className="pre-line">{item.text}</BodyShort>
                      {d && <Detail textColor="subtle">{d}</Detail>}
                    </VStack>
                    {statusList && item.status && (
                      <Tag size="xsmall" variant="moderate" data-color={planStatusColor(item.status)}>
                        {codeLabel(t, statusList, item.status)}
                      </Tag>
                    )}
                  </HStack>
                  {canEdit && <RecordEdit placementId={placementId} recordId={item.id} name={item.text} onSaved={onChanged} />}
                  <RecordHistory placementId={placementId} recordId={item.id} />
                </li>
              );
            })}
          </ul>
      </VStack>
    </Box>
  );
}
