// What the backend asks before it connects: a host key never seen, a host key that changed,
// the passphrase of an encrypted key file, or whether to use the only (private) address.
// Each answer goes back as a field of the next request.
import { useId, useState, type ReactNode } from "react";
import { KeyRound, Network, ShieldAlert, ShieldQuestion } from "lucide-react";
import type { ConnectQuestion } from "../../bindings/ConnectQuestion";
import { Button, Field, Input } from "../ui";
import type { Answer } from "./useTerminalConnection";

type Props = { question: ConnectQuestion; onAnswer: (answer: Answer) => void; onCancel: () => void };

function Card({ icon, title, children, tone = "warn", testId }: { icon: ReactNode; title: string; children: ReactNode; tone?: "warn" | "danger" | "info"; testId: string }) {
  const look = tone === "danger" ? "border-danger/40 bg-danger-soft" : tone === "warn" ? "border-warn/40 bg-warn-soft" : "border-line bg-panel";
  return (
    <section className={`flex flex-col gap-2 rounded-lg border p-3.5 text-[13px] ${look}`} data-testid={testId}>
      <h3 className="flex items-center gap-1.5 font-semibold">
        {icon} {title}
      </h3>
      {children}
    </section>
  );
}

const Fingerprint = ({ value, testId }: { value: string; testId?: string }) => (
  <code className="rounded bg-panel px-1.5 py-0.5 font-mono text-[12px] [overflow-wrap:anywhere]" data-testid={testId} data-selectable>
    {value}
  </code>
);

const CancelButton = ({ onCancel }: { onCancel: () => void }) => (
  <Button onClick={onCancel} data-testid="connect-cancel">
    Cancel
  </Button>
);

export function ConnectQuestionCard({ question, onAnswer, onCancel }: Props) {
  switch (question.kind) {
    case "hostKeyUnknown":
      return (
        <Card icon={<ShieldQuestion size={15} />} title="A host key never seen here" testId="hostkey-unknown">
          <p>
            {question.host} (port {question.port}) offers this host key, and nothing confirms it is your instance&apos;s:
          </p>
          <Fingerprint value={question.fingerprint} testId="hostkey-fingerprint" />
          <p className="text-muted">Check it against the instance&apos;s own (its console output prints it at boot) before you accept it. It is saved for the next time.</p>
          <div className="flex gap-2">
            <Button variant="primary" onClick={() => onAnswer({ acceptFingerprint: question.fingerprint })} data-testid="hostkey-accept">
              Accept and connect
            </Button>
            <CancelButton onCancel={onCancel} />
          </div>
        </Card>
      );
    case "hostKeyChanged": {
      const { savedInstance, currentInstance } = question;
      // The core says whether a replacement may be offered (the key was saved for another instance).
      const newInstance = question.replaceable;
      return (
        <Card icon={<ShieldAlert size={15} />} title="The host key changed" tone="danger" testId="hostkey-changed">
          <p>
            {question.host} (port {question.port}) now offers <Fingerprint value={question.offered} /> instead of the saved <Fingerprint value={question.saved} />.
          </p>
          {newInstance ? (
            <p data-testid="hostkey-changed-instances">
              The saved key belongs to instance <span className="font-mono">{savedInstance}</span>; the node is now instance <span className="font-mono">{currentInstance}</span>,
              which may have been given the same address. If so, replace the saved key.
            </p>
          ) : null}
          {newInstance && question.console === "confirms" ? (
            <p className="text-ok" data-testid="hostkey-changed-console" data-witness="confirms">
              Instance <span className="font-mono">{currentInstance}</span> printed this key when it booted (its console output): replacing is safe.
            </p>
          ) : newInstance && question.console === "listsOthers" ? (
            <p className="text-danger" data-testid="hostkey-changed-console" data-witness="listsOthers">
              Instance <span className="font-mono">{currentInstance}</span> printed other host keys when it booted, not this one: something else may be answering at this address. Replace
              only if you know why.
            </p>
          ) : newInstance ? (
            <p className="text-muted" data-testid="hostkey-changed-console" data-witness="silent">
              The instance&apos;s console output does not list its host keys yet, so the new key cannot be confirmed from it.
            </p>
          ) : (
            <p>The connection was refused: this can be an attack, so nothing was sent. If the machine was rebuilt, remove its line from ~/.ssh/known_hosts.</p>
          )}
          <div className="flex gap-2">
            {newInstance && (
              <Button variant="danger" onClick={() => onAnswer({ replaceFingerprint: question.offered })} data-testid="hostkey-replace">
                Replace the saved key ({savedInstance} → {currentInstance})
              </Button>
            )}
            <CancelButton onCancel={onCancel} />
          </div>
        </Card>
      );
    }
    case "passphrase":
      return <PassphraseCard keyFile={question.keyFile} wrong={question.wrong} onAnswer={onAnswer} onCancel={onCancel} />;
    case "privateAddressOnly":
      return (
        <Card icon={<Network size={15} />} title="Only a private address" tone="info" testId="private-address-question">
          <p>
            The node has no public address, only the private <span className="font-mono">{question.address}</span>. It answers only from inside its network (a VPN, or
            another instance there).
          </p>
          <div className="flex gap-2">
            <Button variant="primary" onClick={() => onAnswer({ usePrivateAddress: true })} data-testid="private-address-connect">
              Connect through {question.address}
            </Button>
            <CancelButton onCancel={onCancel} />
          </div>
        </Card>
      );
  }
}

/** The passphrase lives in this field only until it is sent, then the field is emptied. */
function PassphraseCard({ keyFile, wrong, onAnswer, onCancel }: { keyFile: string; wrong: boolean; onAnswer: (answer: Answer) => void; onCancel: () => void }) {
  const id = useId();
  const [passphrase, setPassphrase] = useState("");
  const submit = () => {
    if (!passphrase) return;
    const value = passphrase;
    setPassphrase("");
    onAnswer({ passphrase: value });
  };
  return (
    <Card icon={<KeyRound size={15} />} title="The key file has a passphrase" tone="info" testId="passphrase-question">
      <form
        className="flex flex-col gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field
          label={<span className="[overflow-wrap:anywhere]">Passphrase of {keyFile}</span>}
          htmlFor={id}
          error={wrong ? "That passphrase does not open the key file: try again." : undefined}
          hint="Used for this connection only: it is not kept."
          testId="passphrase"
        >
          <Input id={id} type="password" autoFocus value={passphrase} onChange={(e) => setPassphrase(e.target.value)} invalid={wrong} data-testid="passphrase-input" />
        </Field>
        <div className="flex gap-2">
          <Button type="submit" variant="primary" disabled={!passphrase} data-testid="passphrase-submit">
            Unlock and connect
          </Button>
          <CancelButton onCancel={onCancel} />
        </div>
      </form>
    </Card>
  );
}
