// Raw-buffer rasteriser: textured background through the camera, capsules/circles/polygons for figures and
// items, an id buffer (visible object per pixel) for exact occlusion-aware masks. No canvas, no AA.
import { hash2 } from "./rng.ts";
import { COLORS } from "./vocab.ts";
import { GEOM, ITEM_SIZE, type ItemPlan, type Joints, type ScenePlan } from "./world.ts";

type RGB = readonly [number, number, number];

/** Id written for pixels of the foreground pillar (not an annotated object). */
export const OCCLUDER_ID = 255;

export interface Frame {
  /** RGB24, row-major, w*h*3. */
  rgb: Uint8Array;
  /** Visible object index per pixel (0 = background, 255 = occluder). */
  ids: Uint8Array;
}

// World texture: x ∈ [-TX, TX], y ∈ [TY0, TY1] at TEXEL texels per unit; looked up by nearest texel.
const TX = 9;
const TY0 = -4;
const TY1 = 7;
const TEXEL = 24;
const TW = 2 * TX * TEXEL;
const TH = (TY1 - TY0) * TEXEL;
const textures = new Map<number, Uint8Array>();

const PALETTES: { wall: RGB; mortar: RGB; ground: RGB; ground2: RGB }[] = [
  { wall: [176, 120, 96], mortar: [225, 215, 200], ground: [120, 150, 90], ground2: [95, 125, 70] },
  { wall: [150, 160, 180], mortar: [220, 225, 235], ground: [170, 150, 110], ground2: [145, 125, 90] },
  { wall: [190, 170, 120], mortar: [240, 232, 210], ground: [110, 110, 120], ground2: [85, 85, 95] },
  { wall: [130, 170, 150], mortar: [215, 235, 225], ground: [160, 120, 90], ground2: [135, 100, 75] },
];

/** The background texture for a palette index (built once per process, never random). */
export function worldTexture(index: number): Uint8Array {
  const hit = textures.get(index);
  if (hit) return hit;
  const pal = PALETTES[index % PALETTES.length];
  const tex = new Uint8Array(TW * TH * 3);
  for (let ty = 0; ty < TH; ty++) {
    const wy = TY1 - (ty + 0.5) / TEXEL;
    for (let tx = 0; tx < TW; tx++) {
      const wx = -TX + (tx + 0.5) / TEXEL;
      let c: RGB;
      let v: number;
      if (wy >= 0) {
        // Bricks 0.6 × 0.3 with staggered rows, each brick a little lighter or darker.
        const row = Math.floor(wy / 0.3);
        const bx = wx / 0.6 + (row % 2 ? 0.5 : 0);
        const col = Math.floor(bx);
        const fy = wy / 0.3 - row;
        const fx = bx - col;
        const mortar = fy < 0.12 || fx < 0.06;
        c = mortar ? pal.mortar : pal.wall;
        v = mortar ? 0 : ((hash2(col, row, index) % 41) - 20) | 0;
        // A few dark windows so zoom and roll are easy to see.
        if (!mortar && hash2(Math.floor(wx / 1.8), Math.floor(wy / 1.2), 77 + index) % 5 === 0) {
          const u = (wx / 1.8) % 1;
          const w = (wy / 1.2) % 1;
          const uu = u < 0 ? u + 1 : u;
          const ww = w < 0 ? w + 1 : w;
          if (uu > 0.25 && uu < 0.75 && ww > 0.3 && ww < 0.8) {
            c = [60, 70, 90];
            v = 0;
          }
        }
      } else {
        const i = Math.floor(wx / 0.5);
        const j = Math.floor(wy / 0.5);
        c = (i + j) & 1 ? pal.ground : pal.ground2;
        v = ((hash2(i, j, 9 + index) % 21) - 10) | 0;
      }
      const o = (ty * TW + tx) * 3;
      tex[o] = clamp(c[0] + v);
      tex[o + 1] = clamp(c[1] + v);
      tex[o + 2] = clamp(c[2] + v);
    }
  }
  textures.set(index, tex);
  return tex;
}

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v | 0);

export interface RenderOptions {
  /** Draw only this object index (background still drawn, id 0); used to check masks. */
  only?: number;
}

/** Renders frame t of a scene into `out` (allocated when omitted). */
export function renderFrame(scene: ScenePlan, t: number, out?: Frame, opts: RenderOptions = {}): Frame {
  const { w, h } = scene.size;
  const frame = out ?? { rgb: new Uint8Array(w * h * 3), ids: new Uint8Array(w * h) };
  const { rgb, ids } = frame;
  ids.fill(0);
  const cam = scene.camera[t];
  const s = (cam.zoom * w) / scene.viewWidth;
  const ca = Math.cos(cam.angle);
  const sa = Math.sin(cam.angle);

  const view: View = { w, h, cx: cam.cx, cy: cam.cy, s, ca, sa };
  drawBackground(rgb, worldTexture(scene.texture), view);

  const r = new Raster(rgb, ids, view, opts.only);
  const heldNow = (it: ItemPlan) => it.heldBy[t] !== null;
  // The crate is scenery: drawn right after the background with id 0, so it never hides an object.
  const pf = scene.platform;
  r.id = 0;
  r.enabled = true;
  r.polygon(
    [
      [pf.x - pf.halfW, 0],
      [pf.x + pf.halfW, 0],
      [pf.x + pf.halfW, pf.top],
      [pf.x - pf.halfW, pf.top],
    ],
    [120, 85, 50],
  );
  r.polygon(
    [
      [pf.x - pf.halfW, pf.top - 0.04],
      [pf.x + pf.halfW, pf.top - 0.04],
      [pf.x + pf.halfW, pf.top],
      [pf.x - pf.halfW, pf.top],
    ],
    [150, 110, 70],
  );
  const g = scene.geom ?? GEOM;
  for (const a of scene.actors) if (a.role === "distractor") drawFigure(r, a.index, a, a.joints[t], g);
  for (const it of scene.items) if (!heldNow(it)) drawItem(r, it, t, scene.itemScale);
  for (const a of scene.actors) if (a.role === "main") drawFigure(r, a.index, a, a.joints[t], g);
  for (const it of scene.items) if (heldNow(it)) drawItem(r, it, t, scene.itemScale);
  if (scene.occluder) {
    const { x, width } = scene.occluder;
    r.id = OCCLUDER_ID;
    r.enabled = opts.only === undefined;
    r.polygon(
      [
        [x - width / 2, -3],
        [x + width / 2, -3],
        [x + width / 2, 8],
        [x - width / 2, 8],
      ],
      [70, 55, 45],
    );
    r.polygon(
      [
        [x - width / 2 + 0.05, -3],
        [x - width / 2 + 0.1, -3],
        [x - width / 2 + 0.1, 8],
        [x - width / 2 + 0.05, 8],
      ],
      [110, 90, 70],
    );
  }
  if (scene.noise > 0) addNoise(rgb, scene.noise, scene.noiseSeed + t);
  return frame;
}

/** The camera of one frame: screen size, world centre, scale (pixels per world unit) and rotation cos/sin. */
interface View {
  w: number;
  h: number;
  cx: number;
  cy: number;
  s: number;
  ca: number;
  sa: number;
}

/** Background: the inverse camera per pixel, stepped incrementally along each row (nearest texel). */
function drawBackground(rgb: Uint8Array, tex: Uint8Array, view: View): void {
  const { w, h, cx, cy, s, ca, sa } = view;
  const stepX = ca / s; // world delta per screen +x
  const stepY = sa / s;
  for (let py = 0; py < h; py++) {
    const rx = (0.5 - w / 2) / s;
    const ry = -(py + 0.5 - h / 2) / s;
    // Texel coordinates (fractional), stepped per pixel.
    let u = (cx + ca * rx - sa * ry + TX) * TEXEL;
    let v = (TY1 - (cy + sa * rx + ca * ry)) * TEXEL;
    const du = stepX * TEXEL;
    const dv = -stepY * TEXEL;
    let o = py * w * 3;
    for (let px = 0; px < w; px++) {
      if (u >= 0 && u < TW && v >= 0 && v < TH) {
        const q = ((v | 0) * TW + (u | 0)) * 3;
        rgb[o] = tex[q];
        rgb[o + 1] = tex[q + 1];
        rgb[o + 2] = tex[q + 2];
      } else {
        rgb[o] = 90;
        rgb[o + 1] = 90;
        rgb[o + 2] = 90;
      }
      o += 3;
      u += du;
      v += dv;
    }
  }
}

function addNoise(rgb: Uint8Array, amp: number, seed: number): void {
  let x = Math.imul(seed, 2654435761) | 0 || 1;
  const span = 2 * amp + 1;
  // Integer-only xorshift and scaling (a float modulo here costs more than the whole frame).
  for (let i = 0; i < rgb.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const v = rgb[i] + (((x & 0xffff) * span) >>> 16) - amp;
    rgb[i] = v < 0 ? 0 : Math.min(v, 255);
  }
}

class Raster {
  id = 0;
  enabled = true;
  private rgb: Uint8Array;
  private ids: Uint8Array;
  private w: number;
  private h: number;
  private cx: number;
  private cy: number;
  private s: number;
  private ca: number;
  private sa: number;
  private only: number | undefined;
  constructor(rgb: Uint8Array, ids: Uint8Array, view: View, only: number | undefined) {
    this.rgb = rgb;
    this.ids = ids;
    // the view's numbers as own fields: the per-pixel code reads them
    ({ w: this.w, h: this.h, cx: this.cx, cy: this.cy, s: this.s, ca: this.ca, sa: this.sa } = view);
    this.only = only;
  }
  setObject(id: number): void {
    this.id = id;
    this.enabled = this.only === undefined || this.only === id;
  }
  /** World → screen (pixel units, y down). */
  sx(x: number, y: number): number {
    const dx = x - this.cx;
    const dy = y - this.cy;
    return this.w / 2 + this.s * (this.ca * dx + this.sa * dy);
  }
  sy(x: number, y: number): number {
    const dx = x - this.cx;
    const dy = y - this.cy;
    return this.h / 2 - this.s * (-this.sa * dx + this.ca * dy);
  }
  private put(i: number, c: RGB): void {
    const o = i * 3;
    this.rgb[o] = c[0];
    this.rgb[o + 1] = c[1];
    this.rgb[o + 2] = c[2];
    this.ids[i] = this.id;
  }
  /** Segment a–b thickened by radius r (world units): pixel centres within r of the segment. */
  capsule(ax: number, ay: number, bx: number, by: number, rw: number, c: RGB): void {
    if (!this.enabled) return;
    const x0 = this.sx(ax, ay);
    const y0 = this.sy(ax, ay);
    const x1 = this.sx(bx, by);
    const y1 = this.sy(bx, by);
    const r = rw * this.s;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1) - r));
    const maxX = Math.min(this.w - 1, Math.ceil(Math.max(x0, x1) + r));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1) - r));
    const maxY = Math.min(this.h - 1, Math.ceil(Math.max(y0, y1) + r));
    const vx = x1 - x0;
    const vy = y1 - y0;
    const len2 = vx * vx + vy * vy;
    const r2 = r * r;
    for (let py = minY; py <= maxY; py++) {
      const qy = py + 0.5 - y0;
      for (let px = minX; px <= maxX; px++) {
        const qx = px + 0.5 - x0;
        let u = len2 > 0 ? (qx * vx + qy * vy) / len2 : 0;
        u = u < 0 ? 0 : Math.min(u, 1);
        const ex = qx - u * vx;
        const ey = qy - u * vy;
        if (ex * ex + ey * ey <= r2) this.put(py * this.w + px, c);
      }
    }
  }
  circle(x: number, y: number, rw: number, c: RGB): void {
    this.capsule(x, y, x, y, rw, c);
  }
  /** Convex polygon in world units. */
  polygon(pts: [number, number][], c: RGB): void {
    if (!this.enabled) return;
    const sp = pts.map(([x, y]) => [this.sx(x, y), this.sy(x, y)] as [number, number]);
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const [x, y] of sp) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const x0 = Math.max(0, Math.floor(minX));
    const x1 = Math.min(this.w - 1, Math.ceil(maxX));
    const y0 = Math.max(0, Math.floor(minY));
    const y1 = Math.min(this.h - 1, Math.ceil(maxY));
    // Orientation-independent inside test: all edge cross products share a sign.
    const n = sp.length;
    for (let py = y0; py <= y1; py++) {
      const qy = py + 0.5;
      for (let px = x0; px <= x1; px++) {
        const qx = px + 0.5;
        let pos = false;
        let neg = false;
        for (let i = 0; i < n; i++) {
          const [ax, ay] = sp[i];
          const [bx, by] = sp[(i + 1) % n];
          const cr = (bx - ax) * (qy - ay) - (by - ay) * (qx - ax);
          if (cr > 0) pos = true;
          else if (cr < 0) neg = true;
        }
        if (!(pos && neg)) this.put(py * this.w + px, c);
      }
    }
  }
}

function drawFigure(
  r: Raster,
  index: number,
  a: { shirt: string; pants: RGB; skin: RGB; hair: RGB },
  j: Joints,
  geom: typeof GEOM,
): void {
  r.setObject(index);
  const shirt = COLORS[a.shirt];
  const { armR, legR, torsoR, headR } = geom;
  // Far-side limbs first when turned around, so the near ones overlap them.
  r.capsule(j.hipL[0], j.hipL[1], j.kneeL[0], j.kneeL[1], legR, a.pants);
  r.capsule(j.kneeL[0], j.kneeL[1], j.footL[0], j.footL[1], legR, a.pants);
  r.capsule(j.hipR[0], j.hipR[1], j.kneeR[0], j.kneeR[1], legR, a.pants);
  r.capsule(j.kneeR[0], j.kneeR[1], j.footR[0], j.footR[1], legR, a.pants);
  r.capsule(j.hip[0], j.hip[1], j.neck[0], j.neck[1] - 0.05, torsoR, shirt);
  r.capsule(j.shoulderL[0], j.shoulderL[1], j.elbowL[0], j.elbowL[1], armR, shirt);
  r.capsule(j.elbowL[0], j.elbowL[1], j.handL[0], j.handL[1], armR * 0.9, a.skin);
  r.capsule(j.shoulderR[0], j.shoulderR[1], j.elbowR[0], j.elbowR[1], armR, shirt);
  r.capsule(j.elbowR[0], j.elbowR[1], j.handR[0], j.handR[1], armR * 0.9, a.skin);
  const [hx, hy] = j.head;
  if (j.facing < -0.2) r.circle(hx, hy, headR, a.hair);
  else {
    r.circle(hx, hy, headR, a.skin);
    r.capsule(hx - headR * 0.7, hy + headR * 0.75, hx + headR * 0.7, hy + headR * 0.75, headR * 0.35, a.hair);
    if (j.facing > 0.3) {
      const ex = 0.055 * j.facing;
      r.circle(hx - ex, hy + 0.01, 0.03, [25, 25, 25]);
      r.circle(hx + ex, hy + 0.01, 0.03, [25, 25, 25]);
    }
  }
}

function drawItem(r: Raster, it: ItemPlan, t: number, k = 1): void {
  r.setObject(it.index);
  const c = COLORS[it.color];
  const [x, y] = it.pos[t];
  const a = it.angle[t];
  const ca = Math.cos(a);
  const sa = Math.sin(a);
  const rot = (dx: number, dy: number): [number, number] => [
    x + k * (ca * dx - sa * dy),
    y + k * (sa * dx + ca * dy),
  ];
  const rect = (hw: number, hh: number, ox = 0, oy = 0) =>
    r.polygon(
      [rot(ox - hw, oy - hh), rot(ox + hw, oy - hh), rot(ox + hw, oy + hh), rot(ox - hw, oy + hh)],
      c,
    );
  const dark: RGB = [c[0] * 0.6, c[1] * 0.6, c[2] * 0.6];
  const { halfW, halfH } = ITEM_SIZE[it.kind];
  switch (it.kind) {
    case "ball": {
      r.circle(x, y, k * halfH, c);
      // A stripe so rolling is visible.
      const [ax, ay] = rot(-halfH * 0.8, 0);
      const [bx, by] = rot(halfH * 0.8, 0);
      r.capsule(ax, ay, bx, by, k * 0.018, dark);
      break;
    }
    case "key": {
      const [rx, ry] = rot(-halfW + 0.05, 0);
      r.circle(rx, ry, k * 0.05, c);
      const [ax, ay] = rot(-halfW + 0.08, 0);
      const [bx, by] = rot(halfW, 0);
      r.capsule(ax, ay, bx, by, k * 0.02, c);
      const [tx, ty] = rot(halfW - 0.03, -0.03);
      r.capsule(bx, by, tx, ty, k * 0.018, c);
      break;
    }
    case "cup": {
      rect(halfW * 0.75, halfH, -halfW * 0.25, 0);
      const [hx, hy] = rot(halfW * 0.65, 0.01);
      r.circle(hx, hy, k * 0.035, c);
      break;
    }
    case "box":
      rect(halfW, halfH);
      rect(halfW, 0.015, 0, 0);
      break;
    case "bottle": {
      rect(halfW, halfH * 0.7, 0, -halfH * 0.3);
      const [ax, ay] = rot(0, halfH * 0.3);
      const [bx, by] = rot(0, halfH);
      r.capsule(ax, ay, bx, by, k * 0.022, c);
      break;
    }
  }
}
