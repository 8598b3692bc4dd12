// What `kinema benchmarks` lists: per spec prefix, the dataset layout it reads, the upstream scorer its
// official numbers reproduce, and what each parse mode does. Kept apart from the modules so the registry stays a
// plain table; a test checks every registered prefix has an entry.
import { benchmarkPrefixes, getBenchmark } from "./registry.ts";

export interface BenchmarkInfo {
  /** The files `PREFIX:PATH` expects, as the dataset is downloaded. */
  layout: string;
  /** The official scorer reproduced (repository and file), or how the benchmark is scored. */
  official: string;
  /** Parse mode → what it does (the first is the default). */
  modes: Record<string, string>;
}

const MC_LENIENT = "kinema's lenient letter extractor (think blocks, 'answer is X', option text)";
const JUDGED = { open: "free text, judged by --judge" };
/** The four Video-ChatGPT open-ended QA sets share one layout and judge. */
const OPENQA: BenchmarkInfo = {
  layout: "test_q.json + test_a.json + videos/",
  official: "Video-ChatGPT QA judge (kinema eval --judge)",
  modes: JUDGED,
};
const MOTIONBENCH_MODES = {
  lenient: MC_LENIENT,
  "lmms-eval": "lmms-eval's MotionBench extractor",
};

export const BENCHMARK_INFO: Record<string, BenchmarkInfo> = {
  motionbench: {
    layout: "video_info.meta.jsonl + self-collected/ public-dataset/ (or videos/)",
    official: "zai-org/MotionBench utils/answer_util.py + metrics/compute_accuracy.py",
    modes: { official: "polish_answer exactly (no case folding)", ...MOTIONBENCH_MODES },
  },
  synth: {
    layout: "kinema synth output (MotionBench's layout + answers.json)",
    official: "as motionbench",
    modes: { official: "polish_answer exactly", ...MOTIONBENCH_MODES },
  },
  "videorefer-q": {
    layout: "VideoRefer-Bench-Q.json + videos/ (or its folder)",
    official: "DAMO-NLP-SG/VideoRefer Bench-Q scoring",
    modes: { official: "VideoRefer's letter extraction", lenient: MC_LENIENT },
  },
  "activitynet-qa": OPENQA,
  "msvd-qa": OPENQA,
  "msrvtt-qa": OPENQA,
  "tgif-qa": OPENQA,
  "vcgpt-gen": {
    layout: "generic_qa.json, temporal_qa.json, consistency_qa.json + videos/",
    official: "Video-ChatGPT generative judges",
    modes: JUDGED,
  },
  "videorefer-d": {
    layout: "VideoRefer-Bench-D.json (+ videos/)",
    official: "VideoRefer-Bench-D judge",
    modes: JUDGED,
  },
  "caption-ref": {
    layout: "captions.json (or its folder)",
    official: "pycocoevalcap BLEU, ROUGE-L, CIDEr (PTB-tokenized)",
    modes: { open: "free text, COCO caption metrics" },
  },
  mvbench: {
    layout: "json/<task>.json (20 tasks) + video/<source>/... (TVQA as 00001.jpg frame folders)",
    official: "OpenGVLab/Ask-Anything video_chat2/mvbench.ipynb (check_ans, acc_dict, final_res)",
    modes: {
      official:
        '"(" + first reply line, check_ans substring match; every item in the denominator (an empty reply counts as right, as upstream)',
      "lmms-eval": "lmms-eval mcq_acc; denominator = non-empty replies",
    },
  },
  videomme: {
    layout: "videomme/test-*.parquet (or a results-style JSON) + data/<videoID>.mp4 + subtitle/<videoID>.srt",
    official:
      "BradyFU/Video-MME evaluation/eval_your_results.py (extract_characters_regex, answered denominator)",
    modes: {
      official:
        'extract_characters_regex as written: two missing commas mean "The best option is" / "Best option:" are never stripped; unextracted replies are left out',
      "fixed-prefixes": "the same with the eight intended prefixes",
      lenient: `${MC_LENIENT}; nothing found counts as wrong`,
    },
  },
  lvbench: {
    layout: "video_info.meta.jsonl + videos/<key>.mp4",
    official: "THUDM/LVBench lvbench/metrics/compute_accuracy.py (+ polish_answer)",
    modes: {
      official: "polish_answer (MotionBench's) then exact match; per question type over multi-label QAs",
      lenient: MC_LENIENT,
    },
  },
  "perception-test": {
    layout: "mc_question_valid.json (or all_valid.json) + videos/<video_id>.mp4",
    official:
      "top-1 accuracy (google-deepmind/perception_test metric); letter rule of lmms-eval perceptiontest/val",
    modes: {
      "lmms-eval": "first standalone A-D, case-sensitive; every question in the denominator",
      lenient: MC_LENIENT,
    },
  },
  tempcompass: {
    layout:
      "questions/{multi-choice,yes_no,caption_matching,captioning}.json + meta_info.json + videos/<id>.mp4",
    official:
      "llyx97/TempCompass eval_*.py, eval_captioning.py + utils/eval_utils.py print_result (rules, then the LLM judge with --judge; captioning needs --judge)",
    modes: {
      official:
        "the scripts' hand-written rules; with --judge the judge rates unmatched replies and captions, without it unmatched replies are rated 0 (--disable_llm)",
    },
  },
};

export interface BenchmarkListing extends BenchmarkInfo {
  name: string;
  /** The spec to pass: `name:PATH`. */
  spec: string;
  defaultFrames: string;
  presets: string[];
  parseModes: string[];
}

/** Every registered benchmark with its catalog entry and its module's presets and parse modes. */
export function listBenchmarks(): BenchmarkListing[] {
  return benchmarkPrefixes().map((name) => {
    const { benchmark } = getBenchmark(`${name}:-`);
    const info = BENCHMARK_INFO[name] ?? { layout: "?", official: "?", modes: {} };
    return {
      name,
      spec: `${name}:PATH`,
      ...info,
      defaultFrames: benchmark.defaultFrames,
      presets: benchmark.presets ?? [],
      parseModes: benchmark.parseModes ?? Object.keys(info.modes),
    };
  });
}
