// Loaded with --import into a forked runner: gives it Electron's utility-process `process.parentPort`, carried
// over fork's IPC channel, so child-main's utilityProcess path runs under plain Node.
import { EventEmitter } from 'node:events';

class ParentPort extends EventEmitter {
  postMessage(message: unknown): void {
    if (process.connected) process.send?.(message);
  }
}

const port = new ParentPort();
// Like Electron's port, delivers { data } events; and, like it, holds the process open (see child-main's exit).
process.on('message', (data) => port.emit('message', { data }));
Object.defineProperty(process, 'parentPort', { value: port, enumerable: true });
