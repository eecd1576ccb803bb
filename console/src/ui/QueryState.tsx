import { ErrorAlert } from './ErrorAlert';
import { Loading } from './Loading';

/** What a screen needs of a query to say how it stands (a react-query result fits). */
export interface QueryStatus {
  isLoading: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
}

/** While a query loads, a spinner; when it failed, its error with a retry; else nothing. */
export function QueryState({ query }: { query: QueryStatus }) {
  if (query.isLoading) return <Loading />;
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  return null;
}
