import { useEffect, useState } from "react";
import type { CallDeviceChoice, CallDevices, MediaDevice } from "../bindings";
import { useT } from "../shared/i18n";
import { errorText, ipc } from "./ipc";

/** Calls: which microphone, speaker and camera to use, each with the system's default first; a
 *  speaker test plays a tone, a microphone test shows how loud it hears. */
export function CallDevicesSetting() {
  const t = useT();
  const [devices, setDevices] = useState<CallDevices | null>(null);
  const [choice, setChoice] = useState<CallDeviceChoice>({});
  const [note, setNote] = useState("");
  useEffect(() => {
    ipc.callDevices().then(setDevices, (e) => setNote(errorText(e)));
    ipc.callDeviceChoice().then(setChoice, () => {});
  }, []);

  const save = (next: CallDeviceChoice) => {
    setChoice(next);
    ipc.setCallDeviceChoice(next).catch((e) => setNote(errorText(e)));
  };
  const row = (label: string, list: MediaDevice[] | undefined, key: keyof CallDeviceChoice, testid: string) => (
    <label className="setting-row">
      {label}
      <select value={choice[key] ?? ""} disabled={!devices} onChange={(e) => save({ ...choice, [key]: e.target.value || undefined })} data-testid={testid}>
        <option value="">{t("System default")}</option>
        {list?.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name}
          </option>
        ))}
      </select>
    </label>
  );

  const testSpeaker = () => {
    setNote(t("Playing a tone…"));
    ipc.testSpeaker(choice.speaker ?? null).then(() => setNote(t("Did you hear the tone?")), (e) => setNote(errorText(e)));
  };
  const testMicrophone = () => {
    setNote(t("Say something…"));
    ipc.testMicrophone(choice.microphone ?? null).then(
      (db) => setNote(db > -50 ? t("The microphone works (loudest {{db}} dB).", { db: Math.round(db) }) : t("The microphone hears almost nothing ({{db}} dB).", { db: Math.round(db) })),
      (e) => setNote(errorText(e)),
    );
  };

  return (
    <>
      <h2 className="section-title">{t("Calls")}</h2>
      {row(t("Microphone"), devices?.microphones, "microphone", "setting-microphone")}
      {row(t("Speaker"), devices?.speakers, "speaker", "setting-speaker")}
      {row(t("Camera"), devices?.cameras, "camera", "setting-camera")}
      <div className="setting-row">
        <button className="secondary-button" onClick={testSpeaker} data-testid="test-speaker">
          {t("Test speaker")}
        </button>
        <button className="secondary-button" onClick={testMicrophone} data-testid="test-microphone">
          {t("Test microphone")}
        </button>
      </div>
      {note && (
        <p className="setting-note" data-testid="call-device-note">
          {note}
        </p>
      )}
    </>
  );
}
