// "Wrong user?" when the server refused the login (remote.auth_failed): the login names usual
// for the node's image as buttons. The names are the core's: the image's `loginUser` (from its
// name, by poni_cloud's rule) when the account's image list knows the image, else COMMON_USERS
// (poni_remote::users::usual_users for an unknown image). A click sets the node's `user` with
// the editor's property edit (one change, undoable), then connects again.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { UserRound } from "lucide-react";
import { useImages } from "../../lib/account";
import { backend } from "../../lib/backend";
import { explain } from "../../lib/errors";
import { getPath, textOf, type Props } from "../../lib/props";
import { useItem } from "../../lib/queries";
import { keys } from "../../lib/queryKeys";
import { useUi } from "../../lib/store";
import { COMMON_USERS } from "../../bindings/core";
import type { ImageInfo } from "../../bindings/ImageInfo";
import type { ItemDetail } from "../../bindings/ItemDetail";
import { Button, ErrorNote } from "../ui";

/** A property's value in effect on the item: its own, else the one it inherits; "" when none. */
function effective(detail: ItemDetail | undefined, key: string): string {
  if (!detail) return "";
  const own = getPath(detail.props as Props, key);
  if (own !== undefined && own !== null) return textOf(own).trim();
  const inherited = detail.inherited.find((i) => i.key === key);
  return inherited ? textOf(inherited.value).trim() : "";
}

/** The names to offer: the image's own user when known, else the common ones; never the one refused. */
export function usualUsers(image: ImageInfo | undefined, current: string): string[] {
  const names = image?.loginUser ? [image.loginUser] : [...COMMON_USERS];
  return names.filter((n) => n !== current);
}

export function UsualUsers({ node, onRetry }: { node: string; onRetry: () => void }) {
  const client = useQueryClient();
  const detail = useItem(node).data;
  const region = effective(detail, "cloud.region") || null;
  const imageId = effective(detail, "cloud.image");
  const images = useImages(region);
  const current = effective(detail, "user");
  const choose = useMutation({
    mutationFn: (user: string) => backend.editProperties(node, [{ key: "user", value: user }], []),
    onSuccess: (_written, user) => {
      useUi.getState().log(`Set user of ${node} to ${user}`);
      void client.invalidateQueries({ queryKey: keys.item(node) });
      void client.invalidateQueries({ queryKey: keys.tree });
      void client.invalidateQueries({ queryKey: keys.history });
      onRetry();
    },
  });
  // The image list is asked only when a region is set; until it answers, nothing is offered.
  if (!detail || images.loading) return null;
  const names = usualUsers(imageId ? images.data?.find((i) => i.id === imageId) : undefined, current);
  if (names.length === 0) return null;
  return (
    <div className="flex flex-col gap-1.5" data-testid="terminal-usual-users">
      <span className="flex flex-wrap items-center gap-1.5 text-[12px]">
        <span className="text-muted">{current ? `Not ${current}? Log in as` : "Log in as"}</span>
        {names.map((name) => (
          <Button
            key={name}
            size="sm"
            icon={<UserRound size={12} />}
            disabled={choose.isPending}
            onClick={() => choose.mutate(name)}
            title={`Set the node's user to ${name} (undoable) and connect again`}
            data-testid={`terminal-user-${name}`}
          >
            {name}
          </Button>
        ))}
      </span>
      <ErrorNote error={choose.error ? explain(choose.error) : null} testId="terminal-user-error" />
    </div>
  );
}
