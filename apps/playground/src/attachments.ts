import { type AnyTool, type FilePart, tool } from '@actkit/core';
import { SetupError } from '@actkit/app-kit';
import { z } from 'zod';

/** A file a person attached on the page; it stays with the conversation. */
export interface Attachment {
  name: string;
  mediaType: string;
  data: Buffer;
}

/** What the page sends for one file: its name, type and base64 content. */
export interface UploadedFile {
  name?: unknown;
  mediaType?: unknown;
  data?: unknown;
}

export const MAX_FILE_BYTES = 5 * 1024 * 1024;
export const MAX_FILES_PER_TURN = 8;

/** Checks what the page sent; a bad file is a usage error naming it. */
export function readUploads(files: unknown): Attachment[] {
  if (files === undefined) return [];
  if (!Array.isArray(files)) throw new SetupError('usage', 'files must be a list of { name, mediaType, data }.');
  if (files.length > MAX_FILES_PER_TURN) throw new SetupError('usage', `At most ${MAX_FILES_PER_TURN} files at a time (${files.length} were attached).`);
  return files.map((file: UploadedFile, i) => {
    const name = typeof file?.name === 'string' ? file.name.replace(/[\\/]/g, '_').trim() : '';
    if (!name) throw new SetupError('usage', `The attached file #${i + 1} has no name.`);
    if (typeof file.data !== 'string') throw new SetupError('usage', `The attached file ${name} has no content.`);
    const data = Buffer.from(file.data, 'base64');
    if (data.length > MAX_FILE_BYTES) throw new SetupError('usage', `${name} is too large (${formatBytes(data.length)}; at most ${formatBytes(MAX_FILE_BYTES)}).`);
    const mediaType = typeof file.mediaType === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(file.mediaType) ? file.mediaType : 'application/octet-stream';
    return { name, mediaType, data };
  });
}

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} bytes` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export const isImage = (file: Attachment) => file.mediaType.startsWith('image/');

/** Text the model can read: a text type, or bytes that decode as UTF-8 without control characters. */
function asText(file: Attachment): string | undefined {
  const textual = /^text\/|[/+](json|xml|csv|yaml|javascript|typescript)$/.test(file.mediaType);
  const text = file.data.toString('utf8');
  if (textual) return text;
  return !text.includes('\uFFFD') && !/[\u0000-\u0008\u000E-\u001F]/.test(text) ? text : undefined;
}

/** Images go to the model with the task, as file parts (it sees them unless it takes no images). */
export function imageParts(files: readonly Attachment[]): FilePart[] {
  return files.filter(isImage).map((f) => ({ type: 'file', mediaType: f.mediaType, data: f.data.toString('base64'), filename: f.name }));
}

/** The line added to the task so that the model knows the files are there, and how to read them. */
export function attachmentNote(files: readonly Attachment[]): string {
  if (files.length === 0) return '';
  const list = files.map((f) => `${f.name} (${f.mediaType}, ${formatBytes(f.data.length)})`).join(', ');
  return `\n\nAttached files: ${list}. Read them with the read_attachment tool.`;
}

/**
 * The tool that gives the agent the conversation's attachments: text as text, an image as a file
 * part (which the model sees), other binary files as what they are. Tools of your own get the
 * same files as `context.context.attachments` (a Map from name to { name, mediaType, data }).
 */
export function readAttachmentTool(attachments: ReadonlyMap<string, Attachment>): AnyTool {
  return tool({
    name: 'read_attachment',
    description: 'Reads a file the person attached to the conversation, by its name: its text, or the image itself.',
    input: z.object({ name: z.string() }),
    run: ({ name }) => {
      const file = attachments.get(name) ?? [...attachments.values()].find((f) => f.name.toLowerCase() === name.trim().toLowerCase());
      if (!file) {
        const names = [...attachments.keys()];
        throw new Error(names.length ? `no attachment named "${name}"; attached: ${names.join(', ')}` : 'nothing is attached to this conversation');
      }
      if (isImage(file)) return { type: 'file', mediaType: file.mediaType, data: file.data.toString('base64'), filename: file.name } satisfies FilePart;
      const text = asText(file);
      if (text === undefined) throw new Error(`${file.name} is a binary file (${file.mediaType}, ${formatBytes(file.data.length)}), not text`);
      return text;
    },
  });
}
