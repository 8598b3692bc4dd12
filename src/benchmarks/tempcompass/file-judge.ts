// The LLM judge of `kinema score tempcompass`: a model adapter called with the scripts' judge system text and
// sampling parameters, counting calls and failures, and the record of it the command prints (served models,
// fingerprints, the prompt template). A failed call is null (the scripts' retry loop then rates 0).
import { createAdapter } from "../../models/index.ts";
import { type JudgeCall, tempCompassJudgeParams } from "./evaluate.ts";
import { captionJudgeUserPrompt, JUDGE_PARAMS, JUDGE_SYSTEM, judgeUserPrompt } from "./official.ts";

export interface FileJudgeOptions {
  /** Judge model spec, e.g. openai:gpt-3.5-turbo-1106; absent: no judge (--disable_llm). */
  judge?: string;
  judgeBaseUrl?: string;
  judgeApiKeyEnv?: string;
}

/** The judge as `kinema score tempcompass --json` prints it. */
export interface FileJudgeRecord {
  spec: string;
  servedModels: string[];
  systemFingerprints: string[];
  temperature: number;
  maxTokens: number;
  system: string;
  top_p: number;
  presence_penalty: number;
  promptTemplate: string;
  calls: number;
  failedCalls: number;
}

export interface FileJudge {
  /** Undefined without a judge spec. */
  call?: JudgeCall;
  /** What was used and how often, for the output; null without a judge. */
  record(task: string): FileJudgeRecord | null;
  readonly calls: number;
  readonly failed: number;
}

export async function tempCompassFileJudge(o: FileJudgeOptions): Promise<FileJudge> {
  const served = new Set<string>();
  const fingerprints = new Set<string>();
  const state = { calls: 0, failed: 0 };
  if (!o.judge) return { record: () => null, calls: 0, failed: 0 };
  const spec = o.judge;
  const adapter = await createAdapter(spec, { baseUrl: o.judgeBaseUrl, apiKeyEnv: o.judgeApiKeyEnv });
  const call: JudgeCall = async (user) => {
    state.calls++;
    try {
      const r = await adapter.generate(
        {
          messages: [
            { role: "system", content: JUDGE_SYSTEM },
            { role: "user", content: user },
          ],
          images: [],
          params: tempCompassJudgeParams({}),
        },
        AbortSignal.timeout(120_000),
      );
      if (r.servedModel) served.add(r.servedModel);
      if (r.systemFingerprint) fingerprints.add(r.systemFingerprint);
      return r.text; // stripped as upstream strips it, by the protocol
    } catch {
      state.failed++;
      return null;
    }
  };
  const record = (task: string): FileJudgeRecord => ({
    spec,
    servedModels: [...served].sort(),
    systemFingerprints: [...fingerprints].sort(),
    temperature: JUDGE_PARAMS.temperature,
    maxTokens: JUDGE_PARAMS.max_tokens,
    system: JUDGE_SYSTEM,
    top_p: JUDGE_PARAMS.top_p,
    presence_penalty: JUDGE_PARAMS.presence_penalty,
    promptTemplate:
      task === "captioning"
        ? captionJudgeUserPrompt("{prediction}", "{mc_question}")
        : judgeUserPrompt(task as never, "{question}", "{answer}", "{prediction}"),
    calls: state.calls,
    failedCalls: state.failed,
  });
  return {
    call,
    record,
    get calls() {
      return state.calls;
    },
    get failed() {
      return state.failed;
    },
  };
}
