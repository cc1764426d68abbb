import { createBLAKE3 } from "hash-wasm";
import { rgbaToThumbHash } from "thumbhash";
import type { BlobRef, Content, UploadCreated } from "../bindings";
import { ApiError, authedFetch } from "./api";
import { imageSize } from "./imageSize";

/** Bytes per chunk: small enough for smooth progress and cheap retries on a phone's network. */
const CHUNK = 2 * 1024 * 1024;
const THUMB_SIDE = 360;
/** Largest photo decoded on the phone (a decompression bomb is refused, not drawn). */
const MAX_PIXELS = 100_000_000;

const toBase64 = (b: Uint8Array) => btoa(String.fromCharCode(...b));
const fromHex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));

/** BLAKE3 of a file, read slice by slice (never whole in memory). */
export async function hashBlob(blob: Blob): Promise<string> {
  const h = await createBLAKE3();
  h.init();
  for (let o = 0; o < blob.size; o += CHUNK) h.update(new Uint8Array(await blob.slice(o, o + CHUNK).arrayBuffer()));
  return h.digest("hex");
}

async function chunkChecksum(bytes: Uint8Array): Promise<string> {
  const h = await createBLAKE3();
  h.init();
  h.update(bytes);
  return toBase64(fromHex(h.digest("hex")));
}

/** Uploads one blob with tus, resuming from the server's offset after a failed chunk. */
export async function uploadBlob(blob: Blob, name: string, onBytes: (n: number) => void): Promise<BlobRef> {
  const hash = await hashBlob(blob);
  const meta = `filename ${toBase64(new TextEncoder().encode(name))},blake3 ${btoa(hash)}`;
  const created = await authedFetch("/uploads", { method: "POST", headers: { "tus-resumable": "1.0.0", "upload-length": String(blob.size), "upload-metadata": meta } });
  const info = (await created.json()) as UploadCreated;
  if (info.complete || !info.location) {
    onBytes(blob.size);
    return { hash, size: blob.size };
  }
  const location = info.location.replace(/^\/api\/v1/, "");
  let offset = 0;
  let failures = 0;
  while (offset < blob.size) {
    const chunk = new Uint8Array(await blob.slice(offset, offset + CHUNK).arrayBuffer());
    try {
      const r = await authedFetch(location, {
        method: "PATCH",
        headers: { "tus-resumable": "1.0.0", "content-type": "application/offset+octet-stream", "upload-offset": String(offset), "upload-checksum": `blake3 ${await chunkChecksum(chunk)}` },
        body: chunk,
      });
      offset = Number(r.headers.get("upload-offset"));
      failures = 0;
      onBytes(offset);
    } catch (e) {
      if (e instanceof ApiError && !["unreachable", "checksum_mismatch", "offset_mismatch", "internal"].includes(e.code)) throw e;
      if (++failures > 8) throw e;
      await new Promise((r) => setTimeout(r, 500 * failures));
      const head = await authedFetch(location, { method: "HEAD", headers: { "tus-resumable": "1.0.0" } });
      offset = Number(head.headers.get("upload-offset"));
    }
  }
  return { hash, size: blob.size };
}

function canvasOf(bitmap: ImageBitmap, side: number): HTMLCanvasElement {
  const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
  const c = document.createElement("canvas");
  c.width = Math.max(1, Math.round(bitmap.width * scale));
  c.height = Math.max(1, Math.round(bitmap.height * scale));
  c.getContext("2d")!.drawImage(bitmap, 0, 0, c.width, c.height);
  return c;
}

const jpeg = (c: HTMLCanvasElement, q: number) => new Promise<Blob>((res, rej) => c.toBlob((b) => (b ? res(b) : rej(new Error("encode"))), "image/jpeg", q));

/**
 * Sends a photo, video or file, reporting progress 0–1. Photos are redrawn upright by their EXIF
 * orientation, which also drops EXIF and with it the location; GIFs go as they are. A video gets
 * its first frame as thumbnail.
 */
export async function prepareAndUpload(file: File, onProgress: (p: number) => void): Promise<Content> {
  const isPhoto = /^image\/(jpeg|png|webp|gif)$/.test(file.type);
  if (file.type.startsWith("video/")) {
    const video = await sendVideo(file, onProgress);
    if (video) return video;
  }
  if (!isPhoto) {
    const blob = await uploadBlob(file, file.name, (n) => onProgress(n / Math.max(1, file.size)));
    return { type: "file", blob, name: safeName(file.name), media_type: file.type || "application/octet-stream" };
  }
  // Checked from the header, before the browser decodes a single pixel.
  const size = imageSize(new Uint8Array(await file.slice(0, 65536).arrayBuffer()));
  if (!size || size.width * size.height > MAX_PIXELS) throw new ApiError("invalid_request", "This picture is too large to send.");
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const main = file.type === "image/gif" ? file : await jpeg(canvasOf(bitmap, 16384), 0.9);
  const thumb = await jpeg(canvasOf(bitmap, THUMB_SIDE), 0.8);
  const small = canvasOf(bitmap, 100);
  const rgba = small.getContext("2d")!.getImageData(0, 0, small.width, small.height).data;
  const placeholder = toBase64(rgbaToThumbHash(small.width, small.height, rgba));
  const total = main.size + thumb.size;
  const thumbnail = await uploadBlob(thumb, "thumbnail.jpg", (n) => onProgress(n / total));
  const blob = await uploadBlob(main, file.name, (n) => onProgress((thumb.size + n) / total));
  return { type: "image", blob, width: bitmap.width, height: bitmap.height, thumbnail, placeholder };
}

/** A video's first frame, size and length, from the browser's own player; null when it cannot
 *  play it (then it goes as a file). */
function firstFrame(file: File): Promise<{ thumb: Blob; width: number; height: number; durationMs: number } | null> {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const v = document.createElement("video");
    const done = (r: Awaited<ReturnType<typeof firstFrame>>) => {
      clearTimeout(timer);
      URL.revokeObjectURL(url);
      resolve(r);
    };
    const timer = setTimeout(() => done(null), 15_000);
    v.muted = true;
    v.preload = "auto";
    v.onerror = () => done(null);
    v.onloadeddata = () => {
      if (!v.videoWidth || !v.videoHeight || !isFinite(v.duration)) return done(null);
      const scale = Math.min(1, THUMB_SIDE / Math.max(v.videoWidth, v.videoHeight));
      const c = document.createElement("canvas");
      c.width = Math.round(v.videoWidth * scale);
      c.height = Math.round(v.videoHeight * scale);
      c.getContext("2d")!.drawImage(v, 0, 0, c.width, c.height);
      jpeg(c, 0.8).then(
        (thumb) => done({ thumb, width: v.videoWidth, height: v.videoHeight, durationMs: Math.round(v.duration * 1000) }),
        () => done(null),
      );
    };
    v.src = url;
  });
}

async function sendVideo(file: File, onProgress: (p: number) => void): Promise<Content | null> {
  const frame = await firstFrame(file);
  if (!frame) return null;
  const total = frame.thumb.size + file.size;
  const thumbnail = await uploadBlob(frame.thumb, "thumbnail.jpg", (n) => onProgress(n / total));
  const blob = await uploadBlob(file, file.name, (n) => onProgress((frame.thumb.size + n) / total));
  return { type: "video", blob, thumbnail, duration_ms: frame.durationMs, width: frame.width, height: frame.height, name: safeName(file.name) };
}

/** The server's rule for names (xin_proto::file_name), for what it can check cheaply here. */
export function safeName(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? "";
  const cleaned = last.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "_").trim().replace(/^\.+/, "").replace(/[. ]+$/, "");
  return cleaned || "file";
}
