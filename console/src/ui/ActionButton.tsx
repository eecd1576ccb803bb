import { Button } from '@mantine/core';
import { useMutation, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { ErrorAlert } from './ErrorAlert';

interface Props {
  label: string;
  /** What a screen reader says: the action and the row it acts on. */
  ariaLabel: string;
  run: () => Promise<unknown>;
  /** The queries the action changes (every query when left out). */
  refreshes?: QueryKey;
}

/** A row's destructive action (revoke, delete): the request pending on the button, its error under it. */
export function ActionButton({ label, ariaLabel, run, refreshes }: Props) {
  const queryClient = useQueryClient();
  const action = useMutation({ mutationFn: run, onSuccess: () => void queryClient.invalidateQueries(refreshes ? { queryKey: refreshes } : undefined) });
  return (
    <>
      <Button size="compact-sm" variant="outline" color="red.9" loading={action.isPending} onClick={() => action.mutate()} aria-label={ariaLabel}>
        {label}
      </Button>
      {action.isError && <ErrorAlert error={action.error} />}
    </>
  );
}
