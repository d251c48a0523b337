// Stands in for Tauri's Channel in tests (setup.ts mocks @tauri-apps/api/core with it): the
// component sets onmessage as with the real one, and the test plays the backend with send().
import { act } from "@testing-library/react";

let next = 1;

export class FakeChannel<T = unknown> {
  readonly id = next++;
  onmessage: (message: T) => void = () => {};

  /** Delivers a message as the backend would (inside act, so React renders what follows). */
  send(message: T) {
    act(() => this.onmessage(message));
  }

  toJSON() {
    return `__CHANNEL__:${this.id}`;
  }
}
