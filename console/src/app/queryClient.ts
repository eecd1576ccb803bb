import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/problem';

/** The one query cache of the console (sign-in fills it ahead of the landing screen). */
export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A 4xx will not change by asking again; a dropped connection or a 503 may.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status < 500),
    },
  },
});
