// A stored file sent as a download: never rendered inline, never content-sniffed, named in UTF-8.
import type { Response } from 'express';

export function sendDownload(res: Response, file: { name: string; contentType: string }, bytes: Buffer): void {
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.status(200).end(bytes);
}
