import { useState } from "react";
import type { OfficialAccount } from "../bindings";
import { Avatar } from "../shared/Avatar";
import { authed, blobUrl, errorMessage } from "../mobile/api";
import { uploadBlob } from "../mobile/upload";
import { useT } from "../shared/i18n";

/** What followers see of the account: its picture, name and introduction. The Xin ID and the
 *  type are fixed when the account is made. */
export function Profile({ account, onSaved }: { account: OfficialAccount; onSaved: (a: OfficialAccount) => void }) {
  const t = useT();
  const [name, setName] = useState(account.name);
  const [intro, setIntro] = useState(account.intro);
  const [avatar, setAvatar] = useState<string | null>(account.avatar);
  const [preview, setPreview] = useState<string | null>(account.avatar && blobUrl(account.avatar));
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState("");
  const [error, setError] = useState("");
  const choose = (f: File) => {
    setBusy(true);
    setError("");
    uploadBlob(f, f.name, () => {}).then(
      (b) => {
        setAvatar(b.hash);
        setPreview(URL.createObjectURL(f));
        setBusy(false);
      },
      (e) => {
        setError(errorMessage(e));
        setBusy(false);
      },
    );
  };
  const save = () => {
    setNote("");
    setError("");
    authed<OfficialAccount>("PUT", `/official-accounts/${account.id}`, { name, intro, avatar: avatar ?? undefined }).then(
      (a) => {
        setNote(t("Saved. Followers see the new profile."));
        onSaved(a);
      },
      (e) => setError(errorMessage(e)),
    );
  };
  return (
    <form
      className="console-form"
      onSubmit={(e) => {
        e.preventDefault();
        save();
      }}
      data-testid="console-profile"
    >
      <div className="profile-picture">
        <Avatar user={{ display_name: name || account.name, avatar_hue: account.avatar_hue }} picture={preview} size={72} />
        <label className="button">
          {busy ? t("Uploading…") : t("Choose picture")}
          <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" hidden onChange={(e) => e.target.files?.[0] && choose(e.target.files[0])} data-testid="profile-avatar" />
        </label>
        {avatar && (
          <button
            type="button"
            className="link"
            onClick={() => {
              setAvatar(null);
              setPreview(null);
            }}
          >
            {t("Remove picture")}
          </button>
        )}
      </div>
      <label>
        {t("Name")}
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={30} data-testid="profile-name" />
      </label>
      <label>
        {t("Introduction")}
        <input value={intro} onChange={(e) => setIntro(e.target.value)} maxLength={120} data-testid="profile-intro" />
      </label>
      {note && <p className="note" role="status" data-testid="profile-saved">{note}</p>}
      {error && <p className="error" role="alert">{error}</p>}
      <button className="primary" disabled={busy || !name.trim()} data-testid="profile-save">
        {t("Save")}
      </button>
    </form>
  );
}
