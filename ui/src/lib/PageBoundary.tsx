import { Component, type ErrorInfo, type ReactNode } from "react";

type Props = { name: string; children: ReactNode };
type State = { error: Error | null };

/**
 * Keeps a page's failure on that page: a page whose code throws while it loads or renders shows
 * what went wrong and a way to try again, and the sidebar, the call bar and the other pages stay
 * (without it React unmounts the whole window and leaves it blank).
 */
export class PageBoundary extends Component<Props, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`The ${this.props.name} page failed`, error, info.componentStack);
  }

  render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="page">
        <div className="error-box" role="alert" data-testid="page-error">
          <div>
            <strong>The {this.props.name} page could not be shown.</strong> {error.message}
            <p className="muted small">Other pages, calls and your data are not affected.</p>
          </div>
          <button type="button" className="button small" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
        </div>
      </div>
    );
  }
}
