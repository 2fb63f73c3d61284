// The panel's entry point (esbuild -> dist/media/panel.js). Reads the boot config that the server
// put into index.html, picks the transport, and starts the app.
import { App } from './app';
import type { BootConfig, PanelRoute } from './messages';
import { createTransport, routeFromHash, VsCodeTransport } from './transport';

function readBoot(): BootConfig {
  const raw = document.querySelector<HTMLMetaElement>('meta[name="steplens-boot"]')?.content ?? '';
  try {
    const boot = JSON.parse(raw) as BootConfig;
    if (boot && (boot.mode === 'browser' || boot.mode === 'vscode')) return boot;
  } catch {
    /* fall through */
  }
  // Opened without a server filling the template: talk to the page's own origin.
  return { mode: 'browser', apiBase: '', wsUrl: '' };
}

async function main(): Promise<void> {
  performance.mark('steplens:start');
  const boot = readBoot();
  document.body.classList.add(`mode-${boot.mode}`);
  const transport = createTransport(boot);
  const root = document.getElementById('app') ?? document.body;
  const app = new App(transport, root);
  let initial: PanelRoute | null = null;
  if (boot.mode === 'vscode') initial = boot.route ?? (transport instanceof VsCodeTransport ? transport.savedRoute() ?? null : null);
  else initial = routeFromHash(location.hash);
  window.addEventListener('pagehide', () => void app.dispose());
  await app.start(initial);
}

main().catch((e: unknown) => {
  const pre = document.createElement('pre');
  pre.className = 'fatal';
  pre.textContent = `Steplens panel failed to start: ${e instanceof Error ? e.stack ?? e.message : String(e)}`;
  document.body.appendChild(pre);
});
