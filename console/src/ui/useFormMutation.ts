import { useMutation, useQueryClient, type UseMutationResult } from '@tanstack/react-query';
import { useFieldError } from './useFieldError';

/**
 * A form's request: once it succeeds, the listing under `refreshes` is read again and the
 * reply handed to `onSuccess` (a secret shown once, a dialog closed); `fieldError` explains a
 * refused field under its input.
 */
export function useFormMutation<T>(
  mutationFn: () => Promise<T>,
  refreshes: readonly unknown[],
  onSuccess?: (reply: T) => void,
): { mutation: UseMutationResult<T, Error, void>; fieldError: ReturnType<typeof useFieldError> } {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn,
    onSuccess: (reply: T) => {
      void queryClient.invalidateQueries({ queryKey: refreshes });
      onSuccess?.(reply);
    },
  });
  return { mutation, fieldError: useFieldError(mutation.error) };
}
