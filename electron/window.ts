// The main window's options: the Electron security checklist in one place (tested without Electron).
import type { BrowserWindowConstructorOptions } from 'electron';

export function windowOptions(preload: string, opts: { devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    title: 'RNN Workbench',
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 560,
    // Shown on 'ready-to-show', so the window never flashes empty.
    show: false,
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: opts.devTools,
    },
  };
}
