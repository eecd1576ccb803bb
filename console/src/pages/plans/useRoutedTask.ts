import { useParams } from 'react-router';
import { usePlan, useTask } from '../../api/queries';

/** The plan and the task a `…/:planId/…/:taskId` screen shows, with their queries. */
export function useRoutedTask() {
  const { planId = '', taskId = '' } = useParams();
  return { planId, taskId, plan: usePlan(planId), task: useTask(planId, taskId) };
}
