// The terminal's search box (Ctrl+Shift+F): Enter finds the next match, Shift+Enter the one
// before, Escape closes it.
import { useState } from "react";
import { ChevronDown, ChevronUp, X } from "lucide-react";
import { Button, cx, Input } from "../ui";

export function TerminalSearch({ find, onClose }: { find: (text: string, back: boolean) => boolean; onClose: () => void }) {
  const [text, setText] = useState("");
  const [missed, setMissed] = useState(false);
  const go = (back: boolean) => {
    if (text) setMissed(!find(text, back));
  };
  return (
    <div className="absolute top-1 right-3 z-10 flex items-center gap-1 rounded-md border border-line bg-panel p-1 shadow-pop" data-testid="terminal-search">
      <Input
        autoFocus
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setMissed(false);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            go(e.shiftKey);
          } else if (e.key === "Escape") {
            e.preventDefault();
            onClose();
          }
        }}
        placeholder="Find in the terminal"
        aria-label="Find in the terminal"
        invalid={missed}
        className={cx("h-7 w-52")}
        data-testid="terminal-search-input"
      />
      <Button size="sm" variant="ghost" iconOnly aria-label="Previous match" icon={<ChevronUp size={14} />} onClick={() => go(true)} />
      <Button size="sm" variant="ghost" iconOnly aria-label="Next match" icon={<ChevronDown size={14} />} onClick={() => go(false)} />
      <Button size="sm" variant="ghost" iconOnly aria-label="Close the search" icon={<X size={14} />} onClick={onClose} data-testid="terminal-search-close" />
    </div>
  );
}
