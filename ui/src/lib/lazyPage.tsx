import { lazy, type ComponentProps, type ComponentType } from "react";

/**
 * A page component that loads its module on first render (through `React.lazy` and the nearest
 * `Suspense`), or renders at once when `preload()` has already loaded it. The UI tests preload
 * every page before they render the app, so a click on the sidebar shows the page in the same
 * turn, as it does on a machine where the module is cached; the first paint still loads none.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any component, its props kept by ComponentProps
export function lazyPage<C extends ComponentType<any>>(load: () => Promise<C>) {
  let loaded: C | null = null;
  const preload = () =>
    load().then((component) => {
      loaded = component;
      return component;
    });
  const Lazy = lazy(() => preload().then((component) => ({ default: component })));
  function Page(props: ComponentProps<C>) {
    const Loaded = loaded as ComponentType<ComponentProps<C>> | null;
    return Loaded ? <Loaded {...props} /> : <Lazy {...props} />;
  }
  return Object.assign(Page, { preload });
}
