/**
 * How a turn's options are proposed: Claude within its time budget, the offline recommender as the floor
 * (when Claude is absent, fails, is too slow, or gives a single usable option, which is kept first and topped
 * up with distinct offline ones), and each option's estimate fetched within a budget of its own. A note says
 * when the options come from the built-in recommender. The input's `onText` (the reply as it is written)
 * goes to the agent only: the offline recommender answers at once, and the caller shows its final text.
 */
import type { Proposal, RecommendInput } from './assistant-types.js';
import type { CoreLogger, OptionEstimator, Recommender } from './ports.js';
import type { GenerationOption } from './types.js';

export interface ProposalDeps {
  agent?: Recommender;
  offline: Recommender;
  agentTimeoutMs: number;
  logger: CoreLogger;
}

export async function proposeOptions(deps: ProposalDeps, input: RecommendInput, notes: string[]): Promise<Proposal> {
  const { agent, offline, agentTimeoutMs, logger } = deps;
  let proposal: Proposal | undefined;
  if (agent) {
    try {
      proposal = await agent.recommend(input, AbortSignal.timeout(agentTimeoutMs));
    } catch (error) {
      logger.warn({ err: error }, 'the agent failed; answering with the offline recommender');
      notes.push('Offline mode: Claude did not answer in time, so these options come from the built-in recommender.');
    }
  } else {
    notes.push('Offline mode: Claude is not configured, so these options come from the built-in recommender.');
  }
  if (proposal && (proposal.declined || proposal.options.length >= 2)) return proposal;
  const { onText: _streamed, ...offlineInput } = input;
  const fallback = await offline.recommend(offlineInput, AbortSignal.timeout(agentTimeoutMs));
  if (!proposal || proposal.options.length === 0) return fallback;
  const extra = fallback.options.filter((o) => !proposal.options.some((p) => sameRecipe(p, o)));
  return { ...proposal, options: [...proposal.options, ...extra].slice(0, 4) };
}

/** Each option with its estimate where the estimator answered within the budget (default 1.5 s). */
export async function withEstimates(
  deps: { estimator?: OptionEstimator; estimateTimeoutMs?: number },
  options: GenerationOption[],
): Promise<GenerationOption[]> {
  const { estimator, estimateTimeoutMs = 1_500 } = deps;
  if (!estimator) return options;
  const signal = AbortSignal.timeout(estimateTimeoutMs);
  return Promise.all(
    options.map(async (option) => {
      try {
        return { ...option, estimate: await estimator.estimate(option, signal) };
      } catch {
        return option;
      }
    }),
  );
}

function sameRecipe(a: GenerationOption, b: GenerationOption): boolean {
  return a.modelId === b.modelId && a.style?.id === b.style?.id && a.prompt === b.prompt;
}
