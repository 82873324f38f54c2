/**
 * The offline recommender's option plans: which models, prompts and params to offer for a fresh request,
 * for an image to animate, and for a change to an earlier option. Plain data in, raw options out; the
 * recommender resolves the catalogs and validates what these propose.
 */
import type { OptionSummary, RecommendInput } from '../core/assistant-types.js';
import type { parseFollowUp } from './follow-up.js';
import { clip, type RawOption } from './proposal-validation.js';

export const M = {
  soul: 'higgsfield-ai/soul/v2/standard',
  nanoBanana: 'nano-banana',
  seedream: 'bytedance/seedream/v4/text-to-image',
  dopTurbo: 'higgsfield-ai/dop/turbo',
  klingT2v: 'kling-video/v2.5-turbo/pro/text-to-video',
  klingI2v: 'kling-video/v2.5-turbo/pro/image-to-video',
  hailuoT2v: 'minimax/hailuo-02/standard/text-to-video',
  seedanceT2v: 'bytedance/seedance/v1/pro/fast/text-to-video',
  seedanceI2v: 'bytedance/seedance/v1/pro/fast/image-to-video',
  veoFastT2v: 'veo3.1/fast',
} as const;

const WANTS = {
  video: /\b(video|clip|footage|timelapse|time-lapse|moving|motion|animation|animated|trailer|film)\b/i,
  sound: /\b(sound|audio|dialogue|talking|speaks?|speaking|music|voice|singing|ambien\w*)\b/i,
  action: /\b(run\w*|fight\w*|chase|jump\w*|danc\w*|rac\w*|explo\w*|action|sports?|surf\w*|skat\w*|flying)\b/i,
  character: /\b(character|person|people|woman|man|girl|boy|face|portrait|emotional|cry\w*|smil\w*)\b/i,
  lettering: /\b(text|logo|poster|sign|typography|lettering|words|caption|title)\b/i,
  design: /\b(illustration|poster|design|vector|icon|graphic|pattern|comic|4k|print)\b/i,
};

/** Raw options, and the sentence that introduces however many of them survive validation. */
export type Plan = { raw: RawOption[]; text: (count: number) => string };

const COUNT_WORDS = ['No', 'One', 'Two', 'Three', 'Four'];
const count = (n: number, lower = false): string => {
  const word = COUNT_WORDS[n] ?? String(n);
  return lower ? word.toLowerCase() : word;
};

export function freshOptions(
  text: string,
  intent: RecommendInput['intent'],
  aspect: string | undefined,
  styles: readonly string[],
): Plan {
  const subject = clip(text, 300);
  const [style1, style2] = styles;
  const aspectParam = aspect ? { aspect_ratio: aspect } : {};
  const soul = (style: string | undefined, tail: string, reason: string): RawOption => ({
    model: M.soul,
    prompt: `${subject}, ${style ? `${style.toLowerCase()} look, ` : ''}${tail}`,
    ...(style ? { style } : {}),
    params: aspectParam,
    label: style ? `Image · Soul · ${style}` : 'Image · Soul',
    reason,
  });
  const firstImage = soul(
    style1,
    'rich detail, balanced composition',
    style1
      ? `Soul’s ${style1} style suits this subject and gives a photoreal, polished still.`
      : 'Soul gives a photoreal, polished still.',
  );
  const secondSoul = style2
    ? soul(style2, 'natural light', `A second look in Soul’s ${style2} style, for contrast with the first.`)
    : undefined;
  const secondImage: RawOption = WANTS.lettering.test(text)
    ? {
        model: M.nanoBanana,
        prompt: `${subject}, crisp legible lettering, clean layout`,
        params: aspectParam,
        label: 'Image · Nano Banana',
        reason: 'Nano Banana follows detailed instructions and renders text in images well.',
      }
    : WANTS.design.test(text) || !secondSoul
      ? seedream(subject, aspectParam)
      : secondSoul;
  // A third still that differs in model from the first two: Seedream, unless it is already there.
  const thirdImage: RawOption =
    secondImage.model === M.seedream
      ? (secondSoul ?? nanoBanana(subject, aspectParam))
      : seedream(subject, aspectParam);
  const seedance: RawOption = {
    model: M.seedanceT2v,
    prompt: `${subject}, smooth cinematic camera movement, natural motion`,
    params: { duration: 5, ...aspectParam },
    label: 'Video · Seedance 1 Pro Fast, 5 s',
    reason: 'Seedance gives crisp 1080p clips with smooth camera work, quickly.',
  };
  const secondVideo: RawOption = WANTS.sound.test(text)
    ? {
        model: M.veoFastT2v,
        prompt: `${subject}, cinematic realism, natural ambient sound`,
        params: { generate_audio: true, duration: 6, ...(aspect === '9:16' ? { aspect_ratio: '9:16' } : {}) },
        label: 'Video with sound · Veo 3.1 Fast',
        reason: 'Veo 3.1 adds native sound (dialogue, ambience) to realistic footage.',
      }
    : WANTS.character.test(text) && !WANTS.action.test(text)
      ? {
          model: M.hailuoT2v,
          prompt: `${subject}, expressive performance, dramatic cinematic movement`,
          params: { duration: 6 },
          label: 'Video · Hailuo 02, expressive',
          reason: 'Hailuo 02 is good at expressive characters and dramatic movement.',
        }
      : {
          model: M.klingT2v,
          prompt: `${subject}, dynamic physically convincing motion, fluid camera`,
          params: { duration: 5 },
          label: 'Video · Kling 2.5 Turbo, dynamic',
          reason: 'Kling 2.5 gives dynamic, physically convincing motion.',
        };
  const quoted = `“${clip(text, 60)}”`;
  if (intent === 'image')
    return {
      raw: [firstImage, secondImage, thirdImage],
      text: (n) => `${count(n)} image option${n === 1 ? '' : 's'} for ${quoted}:`,
    };
  if (intent === 'video')
    return {
      raw: [seedance, secondVideo, veoOrKling(subject, secondVideo, aspect)],
      text: (n) => `${count(n)} video option${n === 1 ? '' : 's'} for ${quoted}:`,
    };
  const video = WANTS.video.test(text) || WANTS.sound.test(text) || WANTS.action.test(text);
  return {
    raw: video ? [seedance, secondVideo, firstImage] : [firstImage, seedance, secondImage],
    text: (n) => `Here ${n === 1 ? 'is one direction' : `are ${count(n, true)} directions`} for ${quoted}:`,
  };
}

function seedream(subject: string, params: Record<string, unknown>): RawOption {
  return {
    model: M.seedream,
    prompt: `${subject}, bold colour, sharp high-resolution detail`,
    params,
    label: 'Image · Seedream 4, sharp detail',
    reason: 'Seedream 4 gives a sharper, more illustrative take in high resolution.',
  };
}

function nanoBanana(subject: string, params: Record<string, unknown>): RawOption {
  return {
    model: M.nanoBanana,
    prompt: `${subject}, faithful to every detail of the description`,
    params,
    label: 'Image · Nano Banana',
    reason: 'Nano Banana follows detailed instructions closely.',
  };
}

function veoOrKling(subject: string, already: RawOption, aspect: string | undefined): RawOption {
  return already.model === M.klingT2v
    ? {
        model: M.veoFastT2v,
        prompt: `${subject}, cinematic realism`,
        params: { duration: 6, ...(aspect === '9:16' ? { aspect_ratio: '9:16' } : {}) },
        label: 'Video · Veo 3.1 Fast, realistic',
        reason: 'Veo 3.1 brings top cinematic realism at a lower cost in its fast form.',
      }
    : {
        model: M.klingT2v,
        prompt: `${subject}, dynamic physically convincing motion`,
        params: { duration: 5 },
        label: 'Video · Kling 2.5 Turbo, dynamic',
        reason: 'Kling 2.5 gives dynamic, physically convincing motion.',
      };
}

export function animateOptions(subject: string, image: string, motion: string, onlyVideo: boolean): Plan {
  const raw: RawOption[] = [
    {
      model: M.dopTurbo,
      prompt: `${subject}, the scene comes alive with subtle natural motion`,
      motions: [motion],
      image,
      label: `Animate · DoP Turbo · ${motion}`,
      reason: 'DoP animates the still itself with a named camera motion, keeping it faithful.',
    },
    {
      model: M.seedanceI2v,
      prompt: `${subject}, smooth camera movement, natural motion`,
      params: { duration: 5 },
      image,
      label: 'Animate · Seedance 1 Pro Fast, 5 s',
      reason: 'Seedance turns the image into a crisp, stable 1080p clip quickly.',
    },
    onlyVideo
      ? {
          model: M.klingI2v,
          prompt: `${subject}, dynamic physically convincing motion`,
          params: { duration: 5 },
          image,
          label: 'Animate · Kling 2.5 Turbo, dynamic',
          reason: 'Kling adds bolder, physically convincing movement to the scene.',
        }
      : {
          model: M.nanoBanana,
          prompt: `${subject}, same composition, refined detail`,
          image,
          label: 'Edit the image · Nano Banana',
          reason: 'Nano Banana edits from your image as a reference and follows instructions closely.',
        },
  ];
  return { raw, text: () => (onlyVideo ? 'Ways to animate this image:' : 'Ways to use this image:') };
}

/** Another model of the same kind, for the "same change elsewhere" option. */
function otherModel(base: OptionSummary): string {
  if (base.kind === 'text-to-image') return base.modelId === M.soul ? M.seedream : M.soul;
  if (base.kind === 'text-to-video') return base.modelId === M.seedanceT2v ? M.veoFastT2v : M.seedanceT2v;
  return base.modelId === M.seedanceI2v ? M.klingI2v : M.seedanceI2v;
}

export function variations(
  base: OptionSummary,
  index: number,
  followUp: ReturnType<typeof parseFollowUp>,
  extra: string,
): Plan {
  const additions = [...followUp.additions, ...(extra ? [extra] : [])];
  const prompt = additions.length ? `${base.prompt}, ${additions.join(', ')}` : base.prompt;
  const aspect = followUp.aspectRatio ? { aspect_ratio: followUp.aspectRatio } : {};
  const change = [followUp.aspectRatio, ...followUp.additions, ...(extra ? [extra] : [])].filter(Boolean).join(', ');
  const suffix = change ? `, ${change}` : ', again';
  const first: RawOption = {
    model: base.modelId,
    prompt,
    params: { ...base.params, ...aspect },
    ...(base.style ? { style: base.style } : {}),
    ...(base.motions ? { motions: base.motions } : {}),
    label: `Option ${index + 1}${suffix}`,
    reason: `Option ${index + 1} as you asked${change ? ` (${change})` : ''}.`,
  };
  const alternative: RawOption =
    base.kind === 'text-to-image'
      ? {
          model: M.seedanceT2v,
          prompt: `${prompt}, smooth cinematic camera movement`,
          params: { duration: 5, ...aspect },
          label: `Option ${index + 1} as a video`,
          reason: 'The same idea in motion, as a 5-second Seedance clip.',
        }
      : {
          model: M.soul,
          prompt,
          params: aspect,
          style: base.style ?? 'Cinematic',
          label: `Option ${index + 1} as a still image`,
          reason: 'The same idea as a polished Soul still, quick and cheap to try.',
        };
  // The same change in another Soul style, or on another model of the same kind (its own defaults: the
  // base's params belong to the base's model).
  const third: RawOption =
    base.kind === 'text-to-image' && base.modelId === M.soul
      ? {
          ...first,
          style: base.style === 'General' ? 'Cinematic' : 'General',
          label: `Option ${index + 1}${suffix}, other style`,
          reason: 'The same change in a different Soul style, for comparison.',
        }
      : {
          model: otherModel(base),
          prompt,
          params: aspect,
          label: `Option ${index + 1}${suffix}, other model`,
          reason: 'The same change on another model, for comparison.',
        };
  return { raw: [first, third, alternative], text: () => `Building on option ${index + 1}:` };
}
