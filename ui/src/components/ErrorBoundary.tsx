// Keeps one broken view from blanking the window: says what failed and offers a retry.
import { Component, type ErrorInfo, type ReactNode } from "react";
import { AlertTriangle, RotateCcw } from "lucide-react";

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode; label: string; resetKey?: unknown }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`${this.props.label} failed`, error, info.componentStack);
  }

  componentDidUpdate(prev: { resetKey?: unknown }) {
    if (this.state.error && prev.resetKey !== this.props.resetKey) this.setState({ error: null });
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="flex flex-1 flex-col items-center justify-center gap-3 p-6 text-center" role="alert" data-testid="view-error">
        <AlertTriangle size={24} className="text-danger" />
        <p className="font-medium">The {this.props.label} could not be shown.</p>
        <p className="max-w-[520px] text-[12px] break-words text-muted" data-selectable>
          {this.state.error.message}
        </p>
        <button className="flex items-center gap-1 rounded-md border border-line-strong px-3 py-1 text-[13px] hover:bg-hover" onClick={() => this.setState({ error: null })}>
          <RotateCcw size={13} /> Try again
        </button>
      </div>
    );
  }
}
