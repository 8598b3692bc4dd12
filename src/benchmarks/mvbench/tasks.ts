// MVBench's 20 tasks in the notebook's data_list order: annotation file, video folder (the notebook's and
// lmms-eval's pre-cut copy), how the video is stored, and whether `start`/`end` bound the clip.

export interface MvbenchTask {
  /** The task name as the notebook keys acc_dict / final_res. */
  name: string;
  /** json/<file> in the released dataset. */
  file: string;
  /** Video folder under video/ (or the root) as the notebook's data_list names it. */
  prefix: string;
  /** lmms-eval's folder for the Hugging Face "video" revision (some are pre-cut `_segment` copies). */
  lmmsPrefix: string;
  /** "frame": a folder of 00001.jpg... frames at 3 fps (TVQA). */
  kind: "video" | "frame";
  /** Items carry start/end seconds that bound the clip inside the notebook's (uncut) video. */
  bound: boolean;
}

export const MVBENCH_TASKS: readonly MvbenchTask[] = [
  ["Action Sequence", "action_sequence.json", "star/Charades_v1_480", "star/Charades_segment", "video", true],
  [
    "Action Prediction",
    "action_prediction.json",
    "star/Charades_v1_480",
    "star/Charades_segment",
    "video",
    true,
  ],
  ["Action Antonym", "action_antonym.json", "ssv2_video", "ssv2_video_mp4", "video", false],
  [
    "Fine-grained Action",
    "fine_grained_action.json",
    "Moments_in_Time_Raw/videos",
    "Moments_in_Time_Raw/videos",
    "video",
    false,
  ],
  ["Unexpected Action", "unexpected_action.json", "FunQA_test/test", "FunQA_test/test", "video", false],
  [
    "Object Existence",
    "object_existence.json",
    "clevrer/video_validation",
    "clevrer/video_validation",
    "video",
    false,
  ],
  [
    "Object Interaction",
    "object_interaction.json",
    "star/Charades_v1_480",
    "star/Charades_segment",
    "video",
    true,
  ],
  ["Object Shuffle", "object_shuffle.json", "perception/videos", "perception/videos", "video", false],
  [
    "Moving Direction",
    "moving_direction.json",
    "clevrer/video_validation",
    "clevrer/video_validation",
    "video",
    false,
  ],
  [
    "Action Localization",
    "action_localization.json",
    "sta/sta_video",
    "sta/sta_video_segment",
    "video",
    true,
  ],
  ["Scene Transition", "scene_transition.json", "scene_qa/video", "scene_qa/video", "video", false],
  ["Action Count", "action_count.json", "perception/videos", "perception/videos", "video", false],
  [
    "Moving Count",
    "moving_count.json",
    "clevrer/video_validation",
    "clevrer/video_validation",
    "video",
    false,
  ],
  [
    "Moving Attribute",
    "moving_attribute.json",
    "clevrer/video_validation",
    "clevrer/video_validation",
    "video",
    false,
  ],
  ["State Change", "state_change.json", "perception/videos", "perception/videos", "video", false],
  ["Fine-grained Pose", "fine_grained_pose.json", "nturgbd", "nturgbd_convert", "video", false],
  ["Character Order", "character_order.json", "perception/videos", "perception/videos", "video", false],
  ["Egocentric Navigation", "egocentric_navigation.json", "vlnqa", "vlnqa", "video", false],
  [
    "Episodic Reasoning",
    "episodic_reasoning.json",
    "tvqa/frames_fps3_hq",
    "tvqa/video_fps3_hq_segment",
    "frame",
    true,
  ],
  [
    "Counterfactual Inference",
    "counterfactual_inference.json",
    "clevrer/video_validation",
    "clevrer/video_validation",
    "video",
    false,
  ],
].map(([name, file, prefix, lmmsPrefix, kind, bound]) => ({
  name: name as string,
  file: file as string,
  prefix: prefix as string,
  lmmsPrefix: lmmsPrefix as string,
  kind: kind as "video" | "frame",
  bound: bound as boolean,
}));

/** Frame rate the notebook assumes for frame folders (read_frame's fps=3). */
export const FRAME_FOLDER_FPS = 3;
