// The thumbnailer example in AssemblyScript (as ../c/thumbnail.c): POST a
// binary PPM (P6, maxval 255) to /thumbnail?w=W&h=H[&format=ppm|bmp]; it is
// decoded, scaled with a box filter and encoded as PPM or 24-bit BMP.
import { Request, Response } from "vivarium";

class Image {
  constructor(public w: i32, public h: i32, public rgb: Uint8Array) {}
}

let decodeError = "";

function decodePpm(p: Uint8Array): Image | null {
  if (p.length < 2 || p[0] != 80 || p[1] != 54) {
    decodeError = "not a binary PPM (P6)";
    return null;
  }
  let at = 2;
  const nums = new Array<i32>();
  while (nums.length < 3) {
    while (at < p.length && (p[at] == 32 || p[at] == 10 || p[at] == 13 || p[at] == 9 || p[at] == 35)) {
      if (p[at] == 35) while (at < p.length && p[at] != 10) at++;
      else at++;
    }
    let v = 0;
    const start = at;
    while (at < p.length && p[at] >= 48 && p[at] <= 57 && v < 100000) v = v * 10 + (p[at++] - 48);
    if (at == start) {
      decodeError = "a malformed PPM header";
      return null;
    }
    nums.push(v);
  }
  if (nums[2] != 255) {
    decodeError = "only maxval 255 is supported";
    return null;
  }
  const w = nums[0], h = nums[1];
  if (w < 1 || h < 1 || w > 4096 || h > 4096) {
    decodeError = "width and height must be 1..4096";
    return null;
  }
  at++;
  if (p.length - at < w * h * 3) {
    decodeError = "the pixel data is shorter than the header says";
    return null;
  }
  return new Image(w, h, p.subarray(at, at + w * h * 3));
}

function resizeBox(src: Image, w: i32, h: i32): Image {
  const dst = new Image(w, h, new Uint8Array(w * h * 3));
  for (let y = 0; y < h; y++) {
    const y0 = (y * src.h) / h;
    let y1 = ((y + 1) * src.h) / h;
    if (y1 <= y0) y1 = y0 + 1;
    for (let x = 0; x < w; x++) {
      const x0 = (x * src.w) / w;
      let x1 = ((x + 1) * src.w) / w;
      if (x1 <= x0) x1 = x0 + 1;
      const count = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let sy = y0; sy < y1; sy++)
          for (let sx = x0; sx < x1; sx++) sum += src.rgb[(sy * src.w + sx) * 3 + c];
        dst.rgb[(y * w + x) * 3 + c] = <u8>((sum + count / 2) / count);
      }
    }
  }
  return dst;
}

function encodePpm(img: Image): ArrayBuffer {
  const head = Uint8Array.wrap(String.UTF8.encode("P6\n" + img.w.toString() + " " + img.h.toString() + "\n255\n"));
  const out = new Uint8Array(head.length + img.rgb.length);
  out.set(head, 0);
  out.set(img.rgb, head.length);
  return out.buffer;
}

function encodeBmp(img: Image): ArrayBuffer {
  const row = (img.w * 3 + 3) & ~3;
  const size = 54 + row * img.h;
  const p = new Uint8Array(size);
  const v = new DataView(p.buffer);
  p[0] = 66;
  p[1] = 77;
  v.setUint32(2, size, true);
  v.setUint32(10, 54, true);
  v.setUint32(14, 40, true);
  v.setInt32(18, img.w, true);
  v.setInt32(22, img.h, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, 24, true);
  v.setUint32(34, row * img.h, true);
  for (let y = 0; y < img.h; y++) {
    const dst = 54 + (img.h - 1 - y) * row;
    for (let x = 0; x < img.w; x++) {
      const s = (y * img.w + x) * 3;
      p[dst + x * 3] = img.rgb[s + 2];
      p[dst + x * 3 + 1] = img.rgb[s + 1];
      p[dst + x * 3 + 2] = img.rgb[s];
    }
  }
  return p.buffer;
}

function sizeParam(req: Request, name: string): i32 {
  const v = req.query(name);
  return v == null ? 64 : I32.parseInt(v);
}

export function run(): void {
  const req = Request.incoming();
  if (req.route() != "/thumbnail" || req.method() != "POST") {
    Response.text(404, "POST a PPM image to /thumbnail?w=W&h=H&format=ppm|bmp\n");
    return;
  }
  const w = sizeParam(req, "w"), h = sizeParam(req, "h");
  if (w < 1 || w > 512 || h < 1 || h > 512) {
    Response.text(400, "w and h must be 1..512\n");
    return;
  }
  const src = decodePpm(Uint8Array.wrap(req.body()));
  if (src == null) {
    Response.text(400, decodeError + "\n");
    return;
  }
  const dst = resizeBox(src, w, h);
  const format = req.query("format");
  if (format != null && format == "bmp") {
    Response.setHeader("content-type", "image/bmp");
    Response.body(encodeBmp(dst));
  } else {
    Response.setHeader("content-type", "image/x-portable-pixmap");
    Response.body(encodePpm(dst));
  }
}
