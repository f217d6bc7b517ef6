/** Reads a multipart/form-data request (busboy), bounded in size and parts. No domain imports. */
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';

export interface MultipartFile {
  field: string;
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: [name: string, value: string][];
  files: MultipartFile[];
}

export interface MultipartLimits {
  /** Bytes of all files together. */
  maxBytes: number;
  maxFiles?: number;
  maxFields?: number;
  /** Bytes of one field's value. */
  maxFieldBytes?: number;
}

export class MultipartError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

export function readMultipart(req: IncomingMessage, limits: MultipartLimits): Promise<MultipartForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: limits.maxBytes, files: limits.maxFiles ?? 1, fields: limits.maxFields ?? 32, fieldSize: limits.maxFieldBytes ?? 65_536, parts: (limits.maxFiles ?? 1) + (limits.maxFields ?? 32) },
      });
    } catch (err) {
      reject(new MultipartError((err as Error).message));
      return;
    }
    const form: MultipartForm = { fields: [], files: [] };
    let total = 0;
    let failed = false;
    const fail = (err: MultipartError) => {
      if (failed) return;
      failed = true;
      req.unpipe(parser);
      req.resume();
      reject(err);
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new MultipartError(`Form field ${name} is too long`));
      form.fields.push([name, value]);
    });
    parser.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        total += c.length;
        if (total > limits.maxBytes) return fail(new MultipartError(`Uploaded files are larger than the limit of ${limits.maxBytes} bytes`, true));
        chunks.push(c);
      });
      stream.on('limit', () => fail(new MultipartError(`Uploaded files are larger than the limit of ${limits.maxBytes} bytes`, true)));
      stream.on('end', () => form.files.push({ field, filename: info.filename ?? 'file', mimeType: info.mimeType, data: Buffer.concat(chunks) }));
    });
    parser.on('filesLimit', () => fail(new MultipartError('Too many files')));
    parser.on('fieldsLimit', () => fail(new MultipartError('Too many form fields')));
    parser.on('partsLimit', () => fail(new MultipartError('Too many form parts')));
    parser.on('error', (err: Error) => fail(new MultipartError(`Malformed multipart body: ${err.message}`)));
    parser.on('close', () => {
      if (!failed) resolve(form);
    });
    req.on('aborted', () => fail(new MultipartError('Request aborted by the client')));
    req.pipe(parser);
  });
}
