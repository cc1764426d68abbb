import jsQR from "jsqr";
import { useEffect, useRef, useState } from "react";
import { handleFromUrl, miniProgramFromUrl, officialFromUrl, payFromUrl, ticketFromUrl } from "./api";
import { go } from "./router";
import { Icon } from "../shared/icons";
import { useT } from "../shared/i18n";

/** Full-screen camera with a square finder; also takes a pasted link. */
export function Scan() {
  const t = useT();
  const video = useRef<HTMLVideoElement>(null);
  const [message, setMessage] = useState("Point the camera at a Xin QR code");
  const [link, setLink] = useState("");
  const [linkError, setLinkError] = useState("");

  const handle = (text: string, report: (m: string) => void = setMessage): boolean => {
    const ticket = ticketFromUrl(text);
    const friend = handleFromUrl(text);
    const pay = payFromUrl(text);
    const official = officialFromUrl(text);
    const mini = miniProgramFromUrl(text);
    if (ticket || friend || pay || official || mini) {
      try {
        if (new URL(text.trim()).host !== location.host) {
          report("This QR code belongs to another Xin server.");
          return false;
        }
      } catch {
        return false;
      }
      go(ticket ? `/l/${ticket}` : friend ? `/u/${friend}` : official ? `/oa/${official}` : mini ? `/mp/${mini}` : pay!);
      return true;
    }
    report("That is not a Xin QR code.");
    return false;
  };

  useQrCamera(video, handle, setMessage);

  return (
    <div className="scan" data-testid="scan-page">
      <video ref={video} className="scan-video" muted playsInline />
      <div className="scan-finder" aria-hidden="true" />
      <button className="scan-close" onClick={() => go("/")} aria-label={t("Close")}>
        <Icon name="close" size={20} />
      </button>
      <p className="scan-message" role="status">
        {message}
      </p>
      <form
        className="scan-paste"
        onSubmit={(e) => {
          e.preventDefault();
          setLinkError("");
          handle(link, setLinkError);
        }}
      >
        <input value={link} onChange={(e) => setLink(e.target.value)} placeholder={t("…or paste a link")} aria-label={t("Link")} data-testid="scan-link" />
        <button type="submit">{t("Open")}</button>
      </form>
      {linkError && (
        <p className="scan-link-error" role="alert">
          {linkError}
        </p>
      )}
    </div>
  );
}

/** Reads QR codes from the phone's camera into `video` until `onText` accepts one. */
export function useQrCamera(video: React.RefObject<HTMLVideoElement | null>, onText: (text: string) => boolean, onNoCamera: (m: string) => void) {
  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer = 0;
    let done = false;
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    // jsQR: it reads screens and prints wherever the code sits in the frame (zxing's reader
    // missed codes that were off-centre in our camera tests).
    const decode = (): string | null => {
      if (!ctx) return null;
      const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
      return jsQR(frame.data, frame.width, frame.height, { inversionAttempts: "dontInvert" })?.data ?? null;
    };
    const tick = () => {
      const v = video.current;
      if (!done && v && ctx && v.readyState >= 2 && v.videoWidth > 0) {
        canvas.width = v.videoWidth;
        canvas.height = v.videoHeight;
        ctx.drawImage(v, 0, 0);
        const text = decode();
        if (text && onText(text)) {
          done = true;
          return;
        }
      }
      timer = window.setTimeout(tick, 150);
    };
    navigator.mediaDevices
      ?.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then((s) => {
        stream = s;
        if (video.current) {
          video.current.srcObject = s;
          void video.current.play();
        }
        tick();
      })
      .catch(() => onNoCamera("The camera is not available. Paste the link instead."));
    return () => {
      done = true;
      window.clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
